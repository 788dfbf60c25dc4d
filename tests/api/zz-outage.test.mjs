// Database outage: snak says 503 while MariaDB is down and recovers by itself when it returns.
// Named zz- so that it runs after the other API tests (it stops the shared test database).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  api, show, stack, newChannel, newAgent, newChat, takeChat, widgetApi, chatEvents, customerSay,
  agentSay, agentApi, feed, assertError, eventually, sleep, uniq, NODE_URLS, STACK_DIR,
} from '../lib/snak.mjs';

function snakPids() {
  const out = {};
  try {
    for (const f of readdirSync(STACK_DIR)) {
      if (/^snak-\d+\.pid$/.test(f)) out[f] = readFileSync(path.join(STACK_DIR, f), 'utf8').trim();
    }
  } catch { /* no stack dir */ }
  return out;
}

function alive(pid) {
  try { process.kill(Number(pid), 0); return true; } catch { return false; }
}

test('database outage: /healthz and the API say 503, and everything works again when it is back', async (t) => {
  if (!STACK_DIR) return t.skip('SNAK_STACK_DIR not set');
  const slug = newChannel('out');
  const agent = await newAgent({ channels: [slug] });
  const chat = await newChat(slug);
  await takeChat(agent, chat.id, slug);
  const before = await customerSay(chat, 'before the outage');
  assert.equal(before.status, 201, show(before));
  const pids = snakPids();

  try {
    stack('db-stop');

    const h = await eventually(async () => {
      const r = await api('/healthz');
      return r.status === 503 && r;
    }, 5000);
    assert.ok(h, 'GET /healthz -> 503 while the database is down');
    for (const base of NODE_URLS) {
      const r = await api('/healthz', { base });
      assert.equal(r.status, 503, `${base}/healthz while the database is down: ${show(r)}`);
    }

    const create = await api(`/api/v1/widget/channels/${slug}/chats`,
      { body: { name: 'Down', email: 'down@example.com', question: 'is it down?' } });
    assertError(create, 503, 'db_unavailable');
    const send = await customerSay(chat, 'during the outage');
    assertError(send, 503, 'db_unavailable');
    const asend = await agentSay(agent, chat.id, 'agent during the outage');
    assertError(asend, 503, 'db_unavailable');
    const get = await widgetApi(chat, '');
    assertError(get, 503, 'db_unavailable');
    const me = await agentApi(agent, '/me');
    assertError(me, 503, 'db_unavailable');
    const login = await api('/api/v1/auth/login', { body: { username: agent.username, password: agent.password } });
    assertError(login, 503, 'db_unavailable');
    // a poll does not hang past its deadline and is not a 500
    const t0 = Date.now();
    const poll = await chatEvents(chat, before.json.seq, 1);
    assert.ok(poll.status === 503 || (poll.status === 200 && poll.json.events.length === 0), show(poll));
    assert.ok(Date.now() - t0 < 8000, `poll answered in ${Date.now() - t0} ms`);
  } finally {
    stack('db-start');
  }

  const back = await eventually(async () => {
    const r = await api('/healthz');
    return r.status === 200 && r;
  }, 10000, 250);
  assert.ok(back, 'GET /healthz -> 200 within 10 s after the database is back');
  for (const base of NODE_URLS) {
    const r = await eventually(async () => {
      const x = await api('/healthz', { base });
      return x.status === 200 && x;
    }, 10000, 250);
    assert.ok(r, `${base}/healthz -> 200 after the database is back`);
  }

  // Without a restart: the same processes are still running.
  assert.deepEqual(snakPids(), pids, 'snak was not restarted');
  for (const pid of Object.values(pids)) assert.ok(alive(pid), `snak pid ${pid} still runs`);

  // A full send/receive, no retries: the first requests after the outage must work.
  const text = `after the outage ${uniq()}`;
  const last = (await chatEvents(chat, 0, 0));
  assert.equal(last.status, 200, show(last));
  const poll = chatEvents(chat, last.json.last_seq, 20);
  await sleep(300);
  const a = await agentSay(agent, chat.id, text);
  assert.equal(a.status, 201, show(a));
  const got = await poll;
  assert.equal(got.status, 200, show(got));
  assert.deepEqual(got.json.events.map((e) => e.text), [text]);
  const c = await customerSay(chat, 'customer after the outage');
  assert.equal(c.status, 201, show(c));
  const f = await feed(agent, 0, 0);
  assert.equal(f.status, 200, show(f));
  assert.ok(f.json.events.some((e) => e.type === 'chat.message' && e.event && e.event.text === 'customer after the outage'), show(f));

  // Everything acknowledged is there exactly once; what was refused is not.
  const all = await agentApi(agent, `/chats/${chat.id}`);
  assert.equal(all.status, 200, show(all));
  const texts = all.json.events.map((e) => e.text);
  for (const t2 of ['before the outage', text, 'customer after the outage']) {
    assert.equal(texts.filter((x) => x === t2).length, 1, `"${t2}" once`);
  }
  assert.ok(!texts.includes('during the outage'), 'the refused message was not stored');

  // New chats and logins work again.
  const fresh = await newChat(slug);
  assert.equal(fresh.res.json.chat.status, 'queued');
  const r = await api('/api/v1/auth/login', { body: { username: agent.username, password: agent.password } });
  assert.equal(r.status, 200, show(r));
});
