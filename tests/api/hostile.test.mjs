// Bad and hostile input: the right 4xx with an error body, never a 500, and the service stays up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, show, newChannel, newAgent, newChat, takeChat, widgetApi, chatEvents, customerSay, agentSay,
  agentApi, assertError, keepPolling, clientId, uniq, BASE,
} from '../lib/snak.mjs';

let slug;
let agent;
let chat; // taken by `agent`
let stop = () => {};

before(async () => {
  slug = newChannel('h');
  agent = await newAgent({ channels: [slug] });
  stop = keepPolling(agent);
  chat = await newChat(slug);
  await takeChat(agent, chat.id, slug);
});
after(() => stop());

const W = () => `/api/v1/widget/chats/${chat.id}`;
const A = () => `/api/v1/agent/chats/${chat.id}`;

test('broken JSON is 400 bad_json', async () => {
  const cases = [
    [`/api/v1/widget/channels/${slug}/chats`, {}],
    [W() + '/messages', { token: chat.token }],
    [A() + '/messages', { cookie: agent.cookie, csrf: agent.csrf }],
    ['/api/v1/auth/login', {}],
  ];
  for (const [p, auth] of cases) {
    for (const body of ['{"text": "unterminated', '{text: 1}', '{"a":1,}', '{"a":1}}']) {
      const r = await api(p, { ...auth, method: 'POST', body });
      assertError(r, 400, 'bad_json');
    }
  }
  const st = await api('/api/v1/agent/me/status', { method: 'PUT', cookie: agent.cookie, csrf: agent.csrf, body: '{"status":' });
  assertError(st, 400, 'bad_json');
});

test('a 100 KiB JSON body is 413 too_large, on both sides', async () => {
  const big = JSON.stringify({ text: 'x'.repeat(100 * 1024), client_id: clientId() });
  assertError(await api(W() + '/messages', { token: chat.token, body: big }), 413, 'too_large');
  assertError(await api(A() + '/messages', { cookie: agent.cookie, csrf: agent.csrf, body: big }), 413, 'too_large');
  const bigChat = JSON.stringify({ name: 'n', email: 'n@example.com', question: 'q'.repeat(100 * 1024) });
  assertError(await api(`/api/v1/widget/channels/${slug}/chats`, { body: bigChat }), 413, 'too_large');
  assertError(await api('/api/v1/auth/login', { body: JSON.stringify({ username: 'u'.repeat(100 * 1024), password: 'p' }) }), 413, 'too_large');
});

test('a 100 KiB body sent chunked (no Content-Length) is 413 too', async () => {
  const chunk = Buffer.from('x'.repeat(1024));
  const stream = new ReadableStream({
    start(ctrl) {
      ctrl.enqueue(Buffer.from('{"client_id":"chunked","text":"'));
      for (let i = 0; i < 100; i++) ctrl.enqueue(chunk);
      ctrl.enqueue(Buffer.from('"}'));
      ctrl.close();
    },
  });
  const res = await fetch(BASE + W() + '/messages', {
    method: 'POST', body: stream, duplex: 'half',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + chat.token },
    signal: AbortSignal.timeout(30000),
  });
  const text = await res.text();
  assert.equal(res.status, 413, `HTTP ${res.status} ${text.slice(0, 200)}`);
});

test('a message to an ended chat is 409 from both sides; an unknown chat is 404', async () => {
  const c = await newChat(slug);
  await takeChat(agent, c.id, slug);
  assert.equal((await widgetApi(c, '/end', { body: {} })).status, 200);
  assertError(await customerSay(c, 'after the end'), 409, 'chat_ended');
  assertError(await agentSay(agent, c.id, 'after the end'), 409, 'chat_ended');
  assertError(await widgetApi({ id: 987654321, token: c.token }, ''), 404, 'not_found');
  assertError(await agentApi(agent, '/chats/987654321'), 404, 'not_found');
});

test('a wrong method is 405 method_not_allowed', async () => {
  const cases = [
    ['DELETE', `/api/v1/widget/channels/${slug}`, {}],
    ['PUT', `/api/v1/widget/channels/${slug}/chats`, {}],
    ['GET', W() + '/messages', { token: chat.token }],
    ['DELETE', W(), { token: chat.token }],
    ['GET', W() + '/end', { token: chat.token }],
    ['POST', W() + '/events', { token: chat.token }],
    ['GET', '/api/v1/auth/login', {}],
    ['PUT', '/api/v1/auth/logout', { cookie: agent.cookie, csrf: agent.csrf }],
    ['POST', '/api/v1/agent/me', { cookie: agent.cookie, csrf: agent.csrf }],
    ['GET', '/api/v1/agent/queue/next', { cookie: agent.cookie }],
    ['POST', '/api/v1/agent/me/status', { cookie: agent.cookie, csrf: agent.csrf }],
    ['PATCH', A() + '/messages', { cookie: agent.cookie, csrf: agent.csrf }],
  ];
  for (const [method, p, auth] of cases) {
    const r = await api(p, { ...auth, method, body: method === 'GET' ? undefined : {} });
    assert.equal(r.status, 405, `${method} ${p}: ${show(r)}`);
    assert.ok(r.json && r.json.error === 'method_not_allowed' && r.json.message, `${method} ${p}: ${show(r)}`);
  }
});

test('bad after/wait are 400 with an error body', async () => {
  for (const q of ['after=-1', 'after=abc', 'wait=99', 'after=1e3', 'after=0x10', 'wait=1.5', 'after=%00']) {
    assertError(await api(W() + '/events?' + q, { token: chat.token }), 400);
    assertError(await api('/api/v1/agent/events?' + q, { cookie: agent.cookie }), 400);
  }
});

test('a batch of hostile inputs: never a 5xx, JSON errors have error and message', async () => {
  const invalidUtf8 = Buffer.concat([
    Buffer.from('{"client_id":"u8-' + uniq() + '","text":"bad '), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0]), Buffer.from('"}'),
  ]);
  const overlong = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('","email":"a@example.com","question":"q"}')]);
  const deepArr = '['.repeat(20000) + ']'.repeat(20000);
  const deepObj = '{"a":'.repeat(10000) + '1' + '}'.repeat(10000);
  const deepText = '{"client_id":"deep","text":' + '['.repeat(15000) + ']'.repeat(15000) + '}';
  const tok = { token: chat.token };
  const ses = { cookie: agent.cookie, csrf: agent.csrf };
  const createUrl = `/api/v1/widget/channels/${slug}/chats`;
  const cases = [
    // huge query strings and paths
    ['GET', W() + '/events?after=0&wait=0&x=' + 'a'.repeat(6000), tok],
    ['GET', W() + '/events?after=' + '9'.repeat(5000) + '&wait=0', tok],
    ['GET', W() + '/events?' + 'after=0&'.repeat(600) + 'wait=0', tok],
    ['GET', W() + '/events?after=0&wait=0&' + 'k=v&'.repeat(2000), tok],
    ['GET', W() + '/events?after=0&wait=0&x=' + 'a'.repeat(100000), tok],
    ['GET', '/api/v1/widget/channels/' + 'x'.repeat(5000), {}],
    ['GET', '/api/v1/widget/channels/%00', {}],
    ['GET', '/api/v1/widget/channels/%ff%fe', {}],
    ['GET', '/api/v1/widget/channels/..%2f..%2fetc%2fpasswd', {}],
    ['GET', '/api/v1/widget/chats/99999999999999999999999999999', tok],
    ['GET', '/api/v1/widget/chats/-1', tok],
    ['GET', '/api/v1/widget/chats/1%27%20OR%201=1', tok],
    ['GET', '/api/v1/agent/chats/1e3', ses],
    ['GET', '/api/v1/agent/chats/' + '1'.repeat(400), ses],
    ['GET', '/api/v1/widget/chats//events', tok],
    ['GET', '/api/v1/widget/chats/' + chat.id + '/events/../../..', tok],
    ['GET', '/api/v1/agent/events?after=0&wait=0&after=5', ses],
    // invalid UTF-8, deep nesting, odd JSON
    ['POST', W() + '/messages', tok, invalidUtf8],
    ['POST', createUrl, {}, overlong],
    ['POST', W() + '/messages', tok, deepArr],
    ['POST', W() + '/messages', tok, deepObj],
    ['POST', W() + '/messages', tok, deepText],
    ['POST', createUrl, {}, deepArr],
    ['POST', '/api/v1/auth/login', {}, deepObj],
    ['POST', A() + '/messages', ses, deepArr],
    ['POST', W() + '/messages', tok, '{"text":"lone \\ud800 surrogate","client_id":"sur-' + uniq() + '"}'],
    ['POST', W() + '/messages', tok, '{"text":"nul \\u0000 inside","client_id":"nul-' + uniq() + '"}'],
    ['POST', W() + '/messages', tok, '{"text":"dup","text":"dup2","client_id":"dup-' + uniq() + '"}'],
    ['POST', W() + '/messages', tok, '{"text":"n","client_id":1e400}'],
    ['POST', W() + '/messages', tok, '\uFEFF{"text":"bom","client_id":"bom"}'],
    ['POST', W() + '/messages', tok, '{"text":"trailing","client_id":"t"} garbage'],
    // wrong types
    ['POST', W() + '/messages', tok, { text: 5, client_id: clientId() }],
    ['POST', W() + '/messages', tok, { text: null, client_id: clientId() }],
    ['POST', W() + '/messages', tok, { text: ['a'], client_id: clientId() }],
    ['POST', W() + '/messages', tok, { text: { a: 1 }, client_id: clientId() }],
    ['POST', W() + '/messages', tok, { text: 'ok', client_id: 12345 }],
    ['POST', W() + '/messages', tok, { text: 'ok', client_id: { x: 1 } }],
    ['POST', A() + '/messages', ses, { text: 5, client_id: clientId() }],
    ['POST', A() + '/messages', ses, { text: 'x', client_id: clientId(), private: 'yes' }],
    ['POST', createUrl, {}, { name: 5, email: [], question: {} }],
    ['POST', createUrl, {}, { name: 'n', email: 'a@example.com', question: 'q', language: 42 }],
    ['POST', createUrl, {}, { name: 'n', email: 'a@example.com', question: 'q', fields: 'x' }],
    ['POST', '/api/v1/auth/login', {}, { username: ['admin'], password: { a: 1 } }],
    ['PUT', '/api/v1/agent/me/status', ses, { status: ['present'] }],
    ['POST', '/api/v1/agent/queue/next', ses, { channel: 5 }],
    ['POST', '/api/v1/agent/queue/next', ses, { channel: 'no-such-' + uniq() }],
    // top-level values that are not objects
    ...['[]', 'null', '"str"', '5', 'true', '{}'].map((b) => ['POST', W() + '/messages', tok, b]),
    ...['[]', 'null', '"str"'].map((b) => ['POST', createUrl, {}, b]),
    ...['[]', 'null'].map((b) => ['POST', '/api/v1/auth/login', {}, b]),
    // empty bodies and wrong content types
    ['POST', W() + '/messages', tok, ''],
    ['POST', createUrl, {}, ''],
    ['POST', '/api/v1/auth/login', {}, ''],
    ['POST', A() + '/messages', ses, ''],
    ['POST', W() + '/messages', { ...tok, headers: { 'Content-Type': 'text/plain' } }, JSON.stringify({ text: 'ct', client_id: clientId() })],
    ['POST', W() + '/messages', { ...tok, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, 'text=hi&client_id=form'],
    ['POST', createUrl, { headers: { 'Content-Type': 'multipart/form-data; boundary=x' } }, '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nn\r\n--x--\r\n'],
    ['POST', W() + '/messages', { ...tok, headers: { 'Content-Type': null } }, JSON.stringify({ text: 'noct', client_id: clientId() })],
    ['POST', W() + '/messages', { ...tok, headers: { 'Content-Type': 'application/json; charset=latin1' } }, JSON.stringify({ text: 'latin', client_id: clientId() })],
    // hostile headers
    ['GET', W(), { headers: { Authorization: 'Bearer ' + 'x'.repeat(4000) } }],
    ['GET', W(), { headers: { Authorization: 'Basic YWRtaW46YWRtaW4=' } }],
    ['GET', W(), { headers: { Authorization: 'Bearer' } }],
    ['GET', W(), { headers: { Authorization: 'Bearer ' + chat.token + ' extra' } }],
    ['GET', '/api/v1/agent/me', { headers: { Cookie: 'snak_session=' + 'x'.repeat(4000) } }],
    ['GET', '/api/v1/agent/me', { headers: { Cookie: 'snak_session=; snak_session=a; other=%ff' } }],
    ['GET', '/api/v1/agent/me', { headers: { Cookie: 'a'.repeat(3000) } }],
    ['PUT', '/api/v1/agent/me/status', { cookie: agent.cookie, csrf: 'x'.repeat(4000) }, { status: 'present' }],
    ['GET', '/api/v1/widget/channels/' + slug, { headers: { 'Accept-Language': 'x'.repeat(3000) } }],
    ['GET', '/api/v1/widget/channels/' + slug, { headers: { 'X-Forwarded-For': '1.2.3.4, ' + 'x'.repeat(2000) } }],
  ];

  const bad = [];
  for (const [method, p, opts, body] of cases) {
    let r;
    try {
      r = await api(p, { ...opts, method, body, raw: Buffer.isBuffer(body) ? false : undefined });
    } catch (e) {
      bad.push(`${method} ${p.slice(0, 80)}: request failed: ${e.message}`);
      continue;
    }
    const label = `${method} ${p.slice(0, 80)}${body !== undefined ? ' ' + String(Buffer.isBuffer(body) ? '<bytes>' : typeof body === 'string' ? body : JSON.stringify(body)).slice(0, 60) : ''}`;
    if (r.status >= 500) bad.push(`${label}: ${show(r)}`);
    else if (r.status >= 400 && /json/.test(r.headers.get('content-type') || '') && !(r.json && r.json.error && r.json.message)) {
      bad.push(`${label}: error body without error/message: ${show(r)}`);
    }
  }
  assert.deepEqual(bad, [], 'hostile requests answered badly:\n' + bad.join('\n'));

  // still up, and the chat still works and still loads (nothing stored broke the JSON output)
  const h = await api('/healthz');
  assert.equal(h.status, 200, show(h));
  const ev = await chatEvents(chat, 0, 0);
  assert.equal(ev.status, 200, show(ev));
  const view = await agentApi(agent, `/chats/${chat.id}`);
  assert.equal(view.status, 200, show(view));
  const m = await customerSay(chat, 'still here');
  assert.equal(m.status, 201, show(m));
});

test('invalid UTF-8 in a JSON body is refused (400 or 422), not stored', async () => {
  const c = await newChat(slug);
  const body = Buffer.concat([Buffer.from('{"client_id":"' + clientId() + '","text":"bad '),
    Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
  const r = await widgetApi(c, '/messages', { method: 'POST', body });
  assert.ok(r.status === 400 || r.status === 422, show(r));
  assert.ok(r.json && r.json.error && r.json.message, show(r));
  const ev = await chatEvents(c, 0, 0);
  assert.equal(ev.status, 200, show(ev));
  assert.ok(!ev.json.events.some((e) => typeof e.text === 'string' && e.text.startsWith('bad ')), show(ev));
});

test('text with markup comes back as the same text (escaping is the page\'s job, not corruption)', async () => {
  const c = await newChat(slug);
  const text = '<script>alert(1)</script> \' " & \\ </textarea> ${x} {{y}} @@name@@';
  const r = await customerSay(c, text);
  assert.equal(r.status, 201, show(r));
  const ev = await chatEvents(c, 0, 0);
  assert.equal(ev.status, 200, show(ev));
  const last = ev.json.events[ev.json.events.length - 1];
  assert.equal(last.text, text);
  assert.match(ev.headers.get('content-type') || '', /^application\/json/);
});
