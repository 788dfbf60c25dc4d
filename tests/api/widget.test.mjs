// /api/v1/widget: what a customer's widget does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, show, newChannel, newAgent, newChat, widgetApi, chatEvents, customerSay, clientId,
  assertError, keepPolling, uniq,
} from '../lib/snak.mjs';

let slug;
let agent;
let stop = () => {};

before(async () => {
  slug = newChannel('w');
  // A channel is open only while an agent is Present: keep one present (and polling) in it.
  agent = await newAgent({ channels: [slug] });
  stop = keepPolling(agent);
});
after(() => stop());

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

test('GET /channels/{slug}: the channel as the widget needs it', async () => {
  const r = await api(`/api/v1/widget/channels/${slug}`);
  assert.equal(r.status, 200, show(r));
  const c = r.json;
  assert.equal(c.slug, slug);
  assert.equal(c.name, `Test ${slug}`);
  assert.equal(typeof c.language, 'string');
  assert.equal(c.open, true, 'open: a channel without hours is open while an agent is present');
  assert.ok('closed_message' in c && 'next_open' in c, show(r));
  assert.ok(Array.isArray(c.prechat.fields), show(r));
  for (const f of c.prechat.fields) {
    assert.equal(typeof f.name, 'string');
    assert.equal(typeof f.label, 'string');
    assert.equal(typeof f.required, 'boolean');
  }
  assert.ok('faq_suggestions' in c && 'offline_requests' in c, show(r));
  assert.equal(typeof c.postchat.enabled, 'boolean');
  assert.ok('transcript' in c.postchat && 'rating' in c.postchat, show(r));
});

test('GET /channels/{slug} of an unknown channel: 404', async () => {
  const r = await api(`/api/v1/widget/channels/no-such-${uniq()}`);
  assertError(r, 404, 'not_found');
});

test('POST /channels/{slug}/chats: 201, queued, a queue position and a token', async () => {
  const a = await newChat(slug);
  assert.equal(a.res.status, 201);
  const j = a.res.json;
  assert.ok(j.chat.id !== undefined && j.chat.id !== null, show(a.res));
  assert.equal(j.chat.status, 'queued');
  assert.ok(Number.isInteger(j.chat.queue_position) && j.chat.queue_position >= 1, show(a.res));
  assert.equal(typeof j.token, 'string');
  assert.ok(j.token.length >= 20, 'the chat token is long enough to be unguessable');
  const b = await newChat(slug);
  assert.notEqual(String(b.id), String(a.id));
  assert.notEqual(b.token, a.token);
  assert.ok(b.res.json.chat.queue_position > j.chat.queue_position,
    `a later chat waits behind an earlier one: ${j.chat.queue_position} then ${b.res.json.chat.queue_position}`);
});

test('POST /channels/{slug}/chats: 422 with the field that is wrong', async () => {
  const url = `/api/v1/widget/channels/${slug}/chats`;
  const good = { name: 'Kim', email: 'kim@example.com', question: 'Hello?' };
  const cases = [
    [{ ...good, name: '' }, 'name', 'required'],
    [{ email: good.email, question: good.question }, 'name', 'required'],
    [{ ...good, email: 'not-an-email' }, 'email', 'invalid'],
    [{ ...good, email: '' }, 'email', 'required'],
    [{ ...good, question: '' }, 'question', 'required'],
    [{ ...good, name: 'x'.repeat(5000) }, 'name', 'too_long'],
  ];
  for (const [body, field, code] of cases) {
    const r = await api(url, { body });
    assertError(r, 422, 'invalid');
    assert.equal(r.json.fields && r.json.fields[field], code, `${field}: ${show(r)}`);
  }
});

test('POST /channels/{slug}/chats in an unknown channel: 404', async () => {
  const r = await api(`/api/v1/widget/channels/no-such-${uniq()}/chats`,
    { body: { name: 'Kim', email: 'kim@example.com', question: 'Hello?' } });
  assertError(r, 404, 'not_found');
});

test('GET /chats/{id}: status, queue position, agents, last_seq', async () => {
  const c = await newChat(slug);
  const r = await widgetApi(c, '');
  assert.equal(r.status, 200, show(r));
  assert.equal(String(r.json.id), String(c.id));
  assert.equal(r.json.status, 'queued');
  assert.ok(r.json.queue_position >= 1, show(r));
  assert.deepEqual(r.json.agents, []);
  assert.ok(Number.isInteger(r.json.last_seq) && r.json.last_seq >= 1, 'the question is event 1');
});

test('a chat with a wrong token is 404, without a token 401, with another chat\'s token 404', async () => {
  const c = await newChat(slug);
  const d = await newChat(slug);
  assertError(await widgetApi({ id: c.id, token: 'x' + c.token.slice(1) }, ''), 404);
  assertError(await widgetApi({ id: c.id, token: 'wrong' }, '/events?after=0&wait=0'), 404);
  assertError(await widgetApi({ id: c.id, token: d.token }, ''), 404);
  assertError(await widgetApi({ id: c.id, token: d.token }, '/messages',
    { body: { text: 'hi', client_id: clientId() } }), 404);
  assertError(await api(`/api/v1/widget/chats/${c.id}`), 401);
  assertError(await api(`/api/v1/widget/chats/${c.id}/events?after=0&wait=0`), 401);
  // nothing was written by the refused calls
  const ev = await chatEvents(c, 0, 0);
  assert.ok(!ev.text.includes('"hi"'), show(ev));
  assert.equal(ev.json.last_seq, (await widgetApi(d, '')).json.last_seq, 'no event was added');
});

test('a token that opened its chat opens no other, and a wrong one stays wrong after it', async () => {
  const c = await newChat(slug);
  const d = await newChat(slug);
  // the right tokens first: snak remembers pairs that matched (auth_chat_token)
  assert.equal((await widgetApi(c, '')).status, 200);
  assert.equal((await widgetApi(d, '')).status, 200);
  assertError(await widgetApi({ id: c.id, token: d.token }, ''), 404);
  assertError(await widgetApi({ id: d.id, token: c.token }, '/events?after=0&wait=0'), 404);
  assertError(await widgetApi({ id: c.id, token: c.token.slice(0, -1) + (c.token.endsWith('A') ? 'B' : 'A') }, ''), 404);
  assertError(await widgetApi({ id: c.id, token: d.token }, '/messages',
    { body: { text: 'not from this chat', client_id: clientId() } }), 404);
  const ev = await chatEvents(c, 0, 0);
  assert.ok(!ev.text.includes('not from this chat'), show(ev));
  assert.equal((await widgetApi(c, '')).status, 200, 'and the right token still works');
});

test('an unknown chat id is 404', async () => {
  const c = await newChat(slug);
  for (const id of ['999999999', '0', 'abc']) {
    const r = await widgetApi({ id, token: c.token }, '');
    assert.equal(r.status, 404, `${id}: ${show(r)}`);
    assert.ok(r.json && r.json.error && r.json.message, show(r));
  }
});

test('GET /chats/{id}/events: the question is event seq 1, a message from the customer', async () => {
  const c = await newChat(slug, { name: 'Ærø Ünal' });
  const r = await chatEvents(c, 0, 0);
  assert.equal(r.status, 200, show(r));
  assert.equal(r.json.status, 'queued');
  assert.ok(r.json.queue_position >= 1, show(r));
  assert.equal(r.json.last_seq, r.json.events[r.json.events.length - 1].seq);
  const e = r.json.events[0];
  assert.equal(e.seq, 1);
  assert.equal(e.type, 'message');
  assert.equal(e.author.kind, 'customer');
  assert.equal(e.author.name, 'Ærø Ünal');
  assert.equal(e.text, c.question);
  assert.match(e.at, RFC3339);
});

test('POST /chats/{id}/messages: 201 {seq}, the text arrives unchanged', async () => {
  const c = await newChat(slug);
  const base = (await widgetApi(c, '')).json.last_seq;
  const text = `Grüße 🙂 <b>bold</b> & "quotes" 'x'\nsecond line ${uniq()}`;
  const r = await customerSay(c, text);
  assert.equal(r.status, 201, show(r));
  assert.equal(r.json.seq, base + 1);
  const r2 = await customerSay(c, 'and one more');
  assert.equal(r2.status, 201, show(r2));
  assert.equal(r2.json.seq, base + 2);
  const ev = await chatEvents(c, base, 0);
  assert.deepEqual(ev.json.events.map((e) => [e.seq, e.type, e.author.kind, e.text]),
    [[base + 1, 'message', 'customer', text], [base + 2, 'message', 'customer', 'and one more']]);
  assert.equal(ev.json.last_seq, base + 2);
});

test('POST /chats/{id}/messages: empty, too long, or without client_id is 422; 4000 chars are fine', async () => {
  const c = await newChat(slug);
  for (const body of [
    { text: '', client_id: clientId() },
    { text: 'x'.repeat(4001), client_id: clientId() },
    { text: 'no client id' },
    { text: 'empty client id', client_id: '' },
    { text: 'long client id', client_id: 'c'.repeat(65) },
  ]) {
    const r = await widgetApi(c, '/messages', { body });
    assertError(r, 422);
  }
  const base = (await widgetApi(c, '')).json.last_seq;
  const ok = await customerSay(c, 'y'.repeat(4000));
  assert.equal(ok.status, 201, show(ok));
  const ev = await chatEvents(c, base, 0);
  assert.equal(ev.json.events.length, 1, 'only the valid message was stored');
  assert.equal(ev.json.events[0].text.length, 4000);
});

test('the same client_id twice: 201 then 200 with the same seq, and the text once', async () => {
  const c = await newChat(slug);
  const cid = clientId();
  const text = `retry me ${uniq()}`;
  const a = await customerSay(c, text, cid);
  assert.equal(a.status, 201, show(a));
  const b = await customerSay(c, text, cid);
  assert.equal(b.status, 200, show(b));
  assert.equal(b.json.seq, a.json.seq);
  const other = await customerSay(c, 'another', clientId());
  assert.equal(other.status, 201);
  assert.equal(other.json.seq, a.json.seq + 1, 'the retry did not use up a seq');
  const ev = await chatEvents(c, 0, 0);
  assert.equal(ev.json.events.filter((e) => e.text === text).length, 1, show(ev));
});

test('long-poll with nothing new answers at the deadline with events []', async () => {
  const c = await newChat(slug);
  const last = (await widgetApi(c, '')).json.last_seq;
  const t0 = Date.now();
  const r = await chatEvents(c, last, 1);
  const ms = Date.now() - t0;
  assert.equal(r.status, 200, show(r));
  assert.deepEqual(r.json.events, []);
  assert.equal(r.json.last_seq, last);
  assert.ok(ms >= 900, `waited until the deadline (${ms} ms)`);
  assert.ok(ms < 10000, `but not much longer (${ms} ms)`);
  const t1 = Date.now();
  const r2 = await chatEvents(c, last, 2);
  assert.deepEqual(r2.json.events, []);
  assert.ok(Date.now() - t1 >= 1900, `wait=2 waited ${Date.now() - t1} ms`);
});

test('long-poll with events already there answers at once', async () => {
  const c = await newChat(slug);
  const t0 = Date.now();
  const r = await chatEvents(c, 0, 20);
  assert.equal(r.status, 200, show(r));
  assert.ok(r.json.events.length >= 1, show(r));
  assert.ok(Date.now() - t0 < 3000, `answered in ${Date.now() - t0} ms`);
});

test('resume after seq N: exactly the later events, in order, none twice', async () => {
  const c = await newChat(slug);
  const base = (await widgetApi(c, '')).json.last_seq; // 1 (the question) unless the channel adds events
  const texts = [];
  for (let i = 1; i <= 5; i++) {
    const t = `m${i}-${uniq()}`;
    texts.push(t);
    const r = await customerSay(c, t);
    assert.equal(r.status, 201, show(r));
    assert.equal(r.json.seq, base + i);
  }
  const last = base + 5;
  const r = await chatEvents(c, 2, 5);
  assert.equal(r.status, 200, show(r));
  const want = [];
  for (let s = 3; s <= last; s++) want.push(s);
  assert.deepEqual(r.json.events.map((e) => e.seq), want, 'exactly the seqs after 2, in order');
  assert.deepEqual(r.json.events.filter((e) => texts.includes(e.text)).map((e) => e.text),
    texts.slice(base >= 2 ? 0 : 1), 'each message once, in order');
  assert.equal(r.json.last_seq, last);
  const t0 = Date.now();
  const none = await chatEvents(c, last, 1);
  assert.deepEqual(none.json.events, []);
  assert.ok(Date.now() - t0 >= 900, 'after the last seq: waits for the deadline');
  const all = await chatEvents(c, 0, 0);
  assert.deepEqual(all.json.events.map((e) => e.seq), [...Array(last).keys()].map((i) => i + 1));
});

test('bad after/wait values are 400', async () => {
  const c = await newChat(slug);
  for (const q of ['after=-1&wait=0', 'after=abc&wait=0', 'after=0&wait=99', 'after=0&wait=-1',
    'after=1.5&wait=0', 'after=0&wait=abc', 'after=99999999999999999999999&wait=0']) {
    const r = await widgetApi(c, `/events?${q}`);
    assertError(r, 400);
  }
});

test('POST /chats/{id}/end: 200 ended, again the same; then messages are 409', async () => {
  const c = await newChat(slug);
  const a = await widgetApi(c, '/end', { body: {} });
  assert.equal(a.status, 200, show(a));
  assert.deepEqual(a.json, { status: 'ended' });
  const b = await widgetApi(c, '/end', { body: {} });
  assert.equal(b.status, 200, show(b));
  assert.deepEqual(b.json, { status: 'ended' });
  const s = await widgetApi(c, '');
  assert.equal(s.json.status, 'ended', show(s));
  const ev = await chatEvents(c, 0, 0);
  assert.equal(ev.json.status, 'ended', show(ev));
  const m = await customerSay(c, 'too late');
  assertError(m, 409, 'chat_ended');
  const ev2 = await chatEvents(c, 0, 0);
  assert.ok(!ev2.json.events.some((e) => e.text === 'too late'), 'the refused message is not stored');
});

test('a chat ended by the customer leaves the queue', async () => {
  const a = await newChat(slug);
  const b = await newChat(slug);
  const before = (await widgetApi(b, '')).json.queue_position;
  await widgetApi(a, '/end', { body: {} });
  const afterPos = (await widgetApi(b, '')).json.queue_position;
  assert.ok(afterPos < before, `queue position moves up when a chat ahead ends: ${before} -> ${afterPos}`);
});
