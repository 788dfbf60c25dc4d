// /api/v1/agent: what the agent page does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, show, newChannel, newAgent, newChat, agentApi, widgetApi, chatEvents, customerSay, agentSay,
  takeChat, assertError, keepPolling, clientId, uniq, eventually,
} from '../lib/snak.mjs';

let slug;
let keeper; // keeps the channel open (a Present agent)
const stops = [];

before(async () => {
  slug = newChannel('a');
  keeper = await newAgent({ channels: [slug] });
  stops.push(keepPolling(keeper));
});
after(() => stops.forEach((s) => s()));

test('GET /me: user, status, channels with rights, csrf_token', async () => {
  const s = await newAgent({ channels: [slug, 'demo'] });
  const r = await agentApi(s, '/me');
  assert.equal(r.status, 200, show(r));
  assert.equal(r.json.user.username, s.username);
  assert.equal(r.json.user.role, 'agent');
  assert.equal(String(r.json.user.id), String(s.user.id));
  assert.equal(r.json.status, 'present');
  const ch = r.json.channels.find((c) => c.slug === slug);
  assert.ok(ch, show(r));
  assert.deepEqual([...ch.rights].sort(), ['listen', 'respond']);
  assert.ok(r.json.channels.find((c) => c.slug === 'demo'), show(r));
  assert.equal(r.json.csrf_token, s.csrf);
});

test('PUT /me/status: present, away, offline are 200; anything else 422', async () => {
  const s = await newAgent({ channels: [slug] });
  for (const st of ['away', 'offline', 'present']) {
    const r = await agentApi(s, '/me/status', { method: 'PUT', body: { status: st } });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.status, st);
    const me = await agentApi(s, '/me');
    assert.equal(me.json.status, st, 'GET /me shows the new status');
  }
  for (const st of ['busy', '', 'PRESENT', 5, null]) {
    const r = await agentApi(s, '/me/status', { method: 'PUT', body: { status: st } });
    assertError(r, 422);
  }
  const me = await agentApi(s, '/me');
  assert.equal(me.json.status, 'present', 'refused values did not change the status');
});

test('without a session the agent API is 401', async () => {
  for (const [method, p] of [['GET', '/me'], ['GET', '/chats'], ['GET', '/events?after=0&wait=0'],
    ['PUT', '/me/status'], ['POST', '/queue/next'], ['GET', '/chats/1'], ['POST', '/chats/1/messages']]) {
    const r = await api('/api/v1/agent' + p, { method, body: method === 'GET' ? undefined : {} });
    assertError(r, 401, 'unauthorized');
  }
});

test('a change without the CSRF token, or with a wrong one, is 403 and changes nothing', async () => {
  const s = await newAgent({ channels: [slug] });
  const noCsrf = await api('/api/v1/agent/me/status', { method: 'PUT', cookie: s.cookie, body: { status: 'away' } });
  assertError(noCsrf, 403, 'csrf');
  const wrong = await api('/api/v1/agent/me/status',
    { method: 'PUT', cookie: s.cookie, csrf: s.csrf.slice(0, -1) + (s.csrf.endsWith('a') ? 'b' : 'a'), body: { status: 'away' } });
  assertError(wrong, 403, 'csrf');
  const other = await newAgent({ channels: [slug], present: false });
  const foreign = await api('/api/v1/agent/me/status', { method: 'PUT', cookie: s.cookie, csrf: other.csrf, body: { status: 'away' } });
  assertError(foreign, 403, 'csrf');
  const me = await agentApi(s, '/me');
  assert.equal(me.json.status, 'present');

  const c = await newChat(slug);
  const next = await api('/api/v1/agent/queue/next', { cookie: s.cookie, body: { channel: slug } });
  assertError(next, 403, 'csrf');
  const w = await widgetApi(c, '');
  assert.equal(w.json.status, 'queued', 'the chat was not taken by the refused call');
  await widgetApi(c, '/end', { body: {} });
});

test('GET /chats: active, recent and the queue', async () => {
  const s = await newAgent({ channels: [slug] });
  const r = await agentApi(s, '/chats');
  assert.equal(r.status, 200, show(r));
  assert.ok(Array.isArray(r.json.active) && Array.isArray(r.json.recent), show(r));
  assert.equal(r.json.active.length, 0, 'a fresh agent has no chats');
  assert.ok(Number.isInteger(r.json.queue.waiting), show(r));
  assert.equal(typeof r.json.queue.by_channel, 'object');
  const c = await newChat(slug);
  const r2 = await agentApi(s, '/chats');
  assert.ok(r2.json.queue.waiting >= 1, show(r2));
  assert.ok(r2.json.queue.by_channel[slug] >= 1, `by_channel counts ${slug}: ${show(r2)}`);
  assert.equal(r2.json.queue.waiting, r.json.queue.waiting + 1, 'one more waiting');
  await widgetApi(c, '/end', { body: {} });
});

test('a chat in GET /chats is the chat of GET /chats/{id} but for the question, names with any characters intact', async () => {
  const s = await newAgent({ channels: [slug] });
  const name = `Zoë "Q" O'Brien <b>&amp;</b> \\ \u2028 ${uniq()}`;
  const c = await newChat(slug, { name });
  await takeChat(s, c.id, slug);
  const list = await agentApi(s, '/chats');
  assert.equal(list.status, 200, show(list));
  const row = list.json.active.find((x) => String(x.id) === String(c.id));
  assert.ok(row, show(list));
  const one = await agentApi(s, `/chats/${c.id}`);
  assert.equal(one.status, 200, show(one));
  assert.equal(row.customer.name, name);
  assert.equal(one.json.chat.question, c.question, 'the open chat has the question');
  assert.equal(row.question, undefined, 'the list leaves it out');
  const { question, ...rest } = one.json.chat;
  assert.deepEqual(row, rest);
  await widgetApi(c, '/end', { body: {} });
});

test('POST /queue/next: 404 when the queue is empty, 200 with the chat, now mine', async () => {
  const own = newChannel('q');
  const s = await newAgent({ channels: [own] });
  const empty = await agentApi(s, '/queue/next', { body: { channel: own } });
  assertError(empty, 404, 'queue_empty');
  const emptyAll = await agentApi(s, '/queue/next', { body: {} });
  assertError(emptyAll, 404, 'queue_empty');

  const c = await newChat(own, { name: 'Queue Tester' });
  const r = await agentApi(s, '/queue/next', { body: { channel: own } });
  assert.equal(r.status, 200, show(r));
  const chat = r.json.chat;
  assert.equal(String(chat.id), String(c.id));
  assert.equal(chat.channel, own);
  assert.equal(chat.customer.name, 'Queue Tester');
  assert.equal(chat.customer.email, c.email);
  assert.equal(chat.status, 'active');

  const again = await agentApi(s, '/queue/next', { body: { channel: own } });
  assertError(again, 404, 'queue_empty');

  const list = await agentApi(s, '/chats');
  const mine = list.json.active.find((x) => String(x.id) === String(c.id));
  assert.ok(mine, `the chat is in my active list: ${show(list)}`);
  assert.equal(mine.customer.name, 'Queue Tester');
  assert.equal(mine.status, 'active');
  assert.equal(list.json.queue.by_channel[own] || 0, 0, show(list));

  // the customer sees the agent
  const w = await widgetApi(c, '');
  assert.equal(w.json.status, 'active', show(w));
  assert.deepEqual(w.json.agents.map((a) => a.name), [s.user.name]);
  const ev = await chatEvents(c, 1, 0);
  assert.ok(ev.json.events.some((e) => e.type === 'agent_joined' && e.author && e.author.name === s.user.name),
    `agent_joined event for the customer: ${show(ev)}`);
});

test('queue/next takes the oldest chat first; positions move up', async () => {
  const own = newChannel('q');
  const s = await newAgent({ channels: [own] });
  const a = await newChat(own);
  const b = await newChat(own);
  assert.equal(a.res.json.chat.queue_position, 1);
  assert.equal(b.res.json.chat.queue_position, 2);
  const r = await agentApi(s, '/queue/next', { body: { channel: own } });
  assert.equal(String(r.json.chat.id), String(a.id), 'first come, first served');
  const w = await widgetApi(b, '');
  assert.equal(w.json.queue_position, 1, show(w));
});

test('a conversation: both sides\' messages in GET /chats/{id}, the customer sees the agent', async () => {
  const s = await newAgent({ channels: [slug] });
  const c = await newChat(slug, { name: 'Conv Customer' });
  await takeChat(s, c.id, slug);

  const hello = `Hello from the agent ${uniq()}`;
  const m1 = await agentSay(s, c.id, hello);
  assert.equal(m1.status, 201, show(m1));
  assert.ok(Number.isInteger(m1.json.seq) && m1.json.seq > 1, show(m1));
  const reply = `Customer reply ${uniq()}`;
  const m2 = await customerSay(c, reply);
  assert.equal(m2.status, 201, show(m2));
  assert.equal(m2.json.seq, m1.json.seq + 1);

  const r = await agentApi(s, `/chats/${c.id}`);
  assert.equal(r.status, 200, show(r));
  assert.equal(String(r.json.chat.id), String(c.id));
  assert.equal(r.json.chat.customer.name, 'Conv Customer');
  const texts = r.json.events.filter((e) => e.type === 'message').map((e) => [e.author.kind, e.text]);
  assert.deepEqual(texts, [['customer', c.question], ['agent', hello], ['customer', reply]]);
  const seqs = r.json.events.map((e) => e.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'gapless seqs from 1');
  assert.ok(Array.isArray(r.json.participants), show(r));
  assert.ok(r.json.participants.some((p) => p.kind === 'customer'), show(r));
  assert.ok(r.json.participants.some((p) => p.kind === 'agent' && String(p.user_id) === String(s.user.id)), show(r));

  const ev = await chatEvents(c, 0, 0);
  const msg = ev.json.events.find((e) => e.seq === m1.json.seq);
  assert.equal(msg.type, 'message');
  assert.equal(msg.text, hello);
  assert.equal(msg.author.kind, 'agent');
  assert.equal(msg.author.name, s.user.name);
});

test('agent messages: same client_id twice -> 201 then 200 with the same seq', async () => {
  const s = await newAgent({ channels: [slug] });
  const c = await newChat(slug);
  await takeChat(s, c.id, slug);
  const cid = clientId();
  const a = await agentSay(s, c.id, 'once', cid);
  assert.equal(a.status, 201, show(a));
  const b = await agentSay(s, c.id, 'once', cid);
  assert.equal(b.status, 200, show(b));
  assert.equal(b.json.seq, a.json.seq);
  const ev = await chatEvents(c, 0, 0);
  assert.equal(ev.json.events.filter((e) => e.text === 'once').length, 1);
  for (const body of [{ text: '', client_id: clientId() }, { text: 'z'.repeat(4001), client_id: clientId() }, { text: 'x' }]) {
    assertError(await agentApi(s, `/chats/${c.id}/messages`, { body }), 422);
  }
});

test('a private agent message is never shown to the customer', async () => {
  const s = await newAgent({ channels: [slug] });
  const c = await newChat(slug);
  await takeChat(s, c.id, slug);
  const secret = `note to self ${uniq()}`;
  const p = await agentSay(s, c.id, secret, clientId(), { private: true });
  assert.equal(p.status, 201, show(p));
  const pub = await agentSay(s, c.id, 'public words');
  assert.equal(pub.status, 201);
  const ev = await chatEvents(c, 0, 0);
  assert.ok(!ev.text.includes(secret), `the customer's events do not contain the private text: ${show(ev)}`);
  assert.ok(ev.json.events.some((e) => e.text === 'public words'));
  const mine = await agentApi(s, `/chats/${c.id}`);
  const e = mine.json.events.find((x) => x.text === secret);
  assert.ok(e, 'the agent sees the private message');
  assert.equal(e.private, true);
});

test('the agent ends the chat: 200 ended (twice); both sides then get 409; it moves to recent', async () => {
  const s = await newAgent({ channels: [slug] });
  const c = await newChat(slug);
  await takeChat(s, c.id, slug);
  const a = await agentApi(s, `/chats/${c.id}/end`, { body: {} });
  assert.equal(a.status, 200, show(a));
  assert.deepEqual(a.json, { status: 'ended' });
  const b = await agentApi(s, `/chats/${c.id}/end`, { body: {} });
  assert.equal(b.status, 200, show(b));
  assert.deepEqual(b.json, { status: 'ended' });

  const w = await widgetApi(c, '');
  assert.equal(w.json.status, 'ended');
  const ev = await chatEvents(c, 0, 0);
  assert.equal(ev.json.status, 'ended');
  assertError(await customerSay(c, 'hello?'), 409, 'chat_ended');
  assertError(await agentSay(s, c.id, 'bye again'), 409, 'chat_ended');

  const list = await agentApi(s, '/chats');
  assert.ok(!list.json.active.some((x) => String(x.id) === String(c.id)), 'no longer active');
  const rec = list.json.recent.find((x) => String(x.id) === String(c.id));
  assert.ok(rec, `in recent: ${show(list)}`);
  assert.equal(rec.status, 'ended');
  assert.ok(rec.ended_at, 'ended_at set');
});

test('the customer ends the chat: the agent sees it ended and cannot write', async () => {
  const s = await newAgent({ channels: [slug] });
  const c = await newChat(slug);
  await takeChat(s, c.id, slug);
  const e = await widgetApi(c, '/end', { body: {} });
  assert.equal(e.status, 200, show(e));
  const r = await agentApi(s, `/chats/${c.id}`);
  assert.equal(r.json.chat.status, 'ended', show(r));
  assertError(await agentSay(s, c.id, 'anyone?'), 409, 'chat_ended');
});

test('chats of other agents and unknown chats are 404; writing in them is refused', async () => {
  const s = await newAgent({ channels: [slug] });
  const c = await newChat(slug);
  await takeChat(s, c.id, slug);
  const outsider = await newAgent({ channels: [newChannel('o')] });
  assertError(await agentApi(outsider, `/chats/${c.id}`), 404);
  const w = await agentSay(outsider, c.id, 'intrusion');
  assert.ok(w.status === 403 || w.status === 404, show(w));
  const end = await agentApi(outsider, `/chats/${c.id}/end`, { body: {} });
  assert.ok(end.status === 403 || end.status === 404, show(end));
  assertError(await agentApi(s, '/chats/999999999'), 404);
  assertError(await agentSay(s, '999999999', 'x'), 404);
  const still = await widgetApi(c, '');
  assert.equal(still.json.status, 'active', 'the outsider could not end it');
  const ev = await chatEvents(c, 0, 0);
  assert.ok(!ev.text.includes('intrusion'));
});

test('an agent with only the listen right cannot answer (403)', async () => {
  const own = newChannel('l');
  const s = await newAgent({ channels: [own] });
  const listener = await newAgent({ channels: [own], rights: 'listen' });
  const c = await newChat(own);
  await takeChat(s, c.id, own);
  const r = await agentSay(listener, c.id, 'I only listen');
  assert.ok(r.status === 403 || r.status === 404, show(r));
  const ev = await chatEvents(c, 0, 0);
  assert.ok(!ev.text.includes('I only listen'));
});

test('the agent sees the customer\'s new message in GET /chats as unread / last_from', async () => {
  const s = await newAgent({ channels: [slug] });
  const c = await newChat(slug);
  await takeChat(s, c.id, slug);
  await customerSay(c, 'are you there?');
  const ok = await eventually(async () => {
    const l = await agentApi(s, '/chats');
    const x = l.json.active.find((y) => String(y.id) === String(c.id));
    return x && x.last_from === 'customer' && x;
  }, 3000);
  assert.ok(ok, 'last_from is customer');
  assert.ok(Number.isInteger(ok.unread), `unread is a number: ${JSON.stringify(ok)}`);
});
