// /api/v1/auth: login, logout, session cookie, login throttling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, show, login, cli, uniq, sessionCookie, agentApi, assertError, ADMIN_PASSWORD, sleep,
} from '../lib/snak.mjs';

function makeUser(role = 'agent') {
  const username = `auth_${uniq()}`;
  const password = 'pw-' + uniq(16);
  cli(['useradd', username, `Auth ${username}`, role], { env: { SNAK_PASSWORD: password } });
  return { username, password };
}

test('login: 200 with user and csrf_token, and an HttpOnly SameSite=Lax snak_session cookie', async () => {
  const u = makeUser();
  const r = await api('/api/v1/auth/login', { body: { username: u.username, password: u.password } });
  assert.equal(r.status, 200, show(r));
  assert.equal(r.json.user.username, u.username);
  assert.equal(r.json.user.name, `Auth ${u.username}`);
  assert.equal(r.json.user.role, 'agent');
  assert.ok(r.json.user.id !== undefined && r.json.user.id !== null, 'user.id');
  assert.equal(typeof r.json.csrf_token, 'string');
  assert.ok(r.json.csrf_token.length >= 16, 'csrf_token is long enough to be unguessable');
  const c = sessionCookie(r);
  assert.ok(c, 'Set-Cookie snak_session=...');
  assert.ok(c.cookie.length > 'snak_session='.length + 16, `session value is long: ${c.header}`);
  assert.match(c.header, /;\s*HttpOnly/i, c.header);
  assert.match(c.header, /;\s*SameSite=Lax/i, c.header);
  assert.match(c.header, /;\s*Path=\//i, c.header);
  assert.doesNotMatch(c.header, /;\s*Secure/i, 'no Secure flag over plain http');
  assert.ok(!JSON.stringify(r.json).includes(u.password), 'the password is not echoed');
});

test('every login gives a new session cookie value, and both sessions work', async () => {
  const u = makeUser();
  const a = await login(u.username, u.password);
  const b = await login(u.username, u.password);
  assert.notEqual(a.cookie, b.cookie);
  for (const s of [a, b]) {
    const me = await agentApi(s, '/me');
    assert.equal(me.status, 200, show(me));
    assert.equal(me.json.user.username, u.username);
  }
});

test('login with a wrong password or an unknown user: 401 with an error body and no cookie', async () => {
  const u = makeUser();
  for (const body of [
    { username: u.username, password: 'wrong-' + uniq() },
    { username: 'nobody_' + uniq(), password: 'whatever' },
  ]) {
    const r = await api('/api/v1/auth/login', { body });
    assertError(r, 401, 'bad_credentials');
    assert.equal(sessionCookie(r), null, 'no session cookie after a failed login');
  }
});

test('login with missing fields is refused without a 500', async () => {
  for (const body of [{}, { username: 'admin' }, { password: 'x' }, { username: 5, password: [] }]) {
    const r = await api('/api/v1/auth/login', { body });
    assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(body)}: ${show(r)}`);
    assert.ok(r.json && r.json.error && r.json.message, show(r));
  }
});

test('the bootstrap admin can log in', async (t) => {
  if (!ADMIN_PASSWORD) return t.skip('SNAK_ADMIN_PASSWORD not set');
  const s = await login('admin', ADMIN_PASSWORD);
  assert.equal(s.user.role, 'admin');
  const me = await agentApi(s, '/me');
  assert.equal(me.status, 200, show(me));
  const demo = me.json.channels.find((c) => c.slug === 'demo');
  assert.ok(demo, `admin is a member of demo: ${show(me)}`);
});

test('logout: 403 without the CSRF token, 204 with it, then the old cookie gets 401', async () => {
  const u = makeUser();
  const s = await login(u.username, u.password);

  const noCsrf = await api('/api/v1/auth/logout', { method: 'POST', cookie: s.cookie, body: {} });
  assertError(noCsrf, 403, 'csrf');
  const wrongCsrf = await api('/api/v1/auth/logout', { method: 'POST', cookie: s.cookie, csrf: 'x' + s.csrf, body: {} });
  assertError(wrongCsrf, 403, 'csrf');
  assert.equal((await agentApi(s, '/me')).status, 200, 'still logged in after refused logouts');

  const out = await api('/api/v1/auth/logout', { method: 'POST', cookie: s.cookie, csrf: s.csrf, body: {} });
  assert.equal(out.status, 204, show(out));
  assert.equal(out.text, '', '204 has no body');

  const me = await agentApi(s, '/me');
  assertError(me, 401, 'unauthorized');
  const st = await agentApi(s, '/me/status', { method: 'PUT', body: { status: 'present' } });
  assert.equal(st.status, 401, show(st));
});

test('a made-up session cookie gets 401', async () => {
  const r = await api('/api/v1/agent/me', { cookie: 'snak_session=' + 'a'.repeat(43) });
  assertError(r, 401, 'unauthorized');
});

test('repeated failed logins are slowed down: 429 for the user, even with the right password', async () => {
  const u = makeUser();
  const other = makeUser();
  const statuses = [];
  let limited = null;
  for (let i = 0; i < 12; i++) {
    const r = await api('/api/v1/auth/login', { body: { username: u.username, password: 'wrong-' + i } });
    statuses.push(r.status);
    assert.ok(r.status === 401 || r.status === 429, `attempt ${i + 1}: ${show(r)}`);
    if (r.status === 429) { limited = r; break; }
  }
  assert.ok(limited, `429 after repeated wrong passwords; got ${statuses.join(',')}`);
  assert.ok(statuses.length <= 11, `429 comes after about 5 failures, not later: ${statuses.join(',')}`);
  assert.ok(statuses.filter((s) => s === 401).length >= 3, `a few wrong passwords are allowed first: ${statuses.join(',')}`);
  assert.ok(isErr(limited), show(limited));

  // the right password does not get through while throttled, on any node behind nginx
  for (let i = 0; i < 4; i++) {
    const r = await api('/api/v1/auth/login', { body: { username: u.username, password: u.password } });
    assert.equal(r.status, 429, `right password while throttled (try ${i + 1}): ${show(r)}`);
    assert.equal(sessionCookie(r), null, 'no session while throttled');
    await sleep(50);
  }

  // another user is not locked out by this user's failures
  const ok = await api('/api/v1/auth/login', { body: { username: other.username, password: other.password } });
  assert.equal(ok.status, 200, `another user can still log in: ${show(ok)}`);
});

function isErr(r) {
  return !!(r.json && r.json.error && r.json.message);
}
