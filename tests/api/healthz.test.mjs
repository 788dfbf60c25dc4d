import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, show, NODE_URLS } from '../lib/snak.mjs';

test('GET /healthz answers 200 "ok" as text when the database answers', async () => {
  const r = await api('/healthz');
  assert.equal(r.status, 200, show(r));
  assert.equal(r.text.trim(), 'ok');
  assert.match(r.headers.get('content-type') || '', /^text\/plain/);
});

test('every snak node answers /healthz on its own', async (t) => {
  if (NODE_URLS.length === 0) return t.skip('SNAK_NODE_URLS not set');
  for (const base of NODE_URLS) {
    const r = await api('/healthz', { base });
    assert.equal(r.status, 200, `${base}: ${show(r)}`);
    assert.equal(r.text.trim(), 'ok');
  }
});

test('an unknown API path is a JSON 404, not a 500', async () => {
  const r = await api('/api/v1/no-such-thing');
  assert.equal(r.status, 404, show(r));
  assert.ok(r.json && typeof r.json.error === 'string' && typeof r.json.message === 'string', show(r));
});
