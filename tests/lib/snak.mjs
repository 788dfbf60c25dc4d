// Helpers for the snak API and browser tests (node:test + fetch, no other HTTP library).
//
// Environment:
//   SNAK_URL             nginx in front of all snak nodes, e.g. http://127.0.0.1:8090
//   SNAK_NODE_URLS       comma list; each URL reaches exactly one snak node
//   SNAK_STACK_DIR       the local stack directory ($SNAK_STACK_DIR/snak.env exports SNAK_DB_*)
//   SNAK_ROOT            repository root (cgi-bin/snak, tests/stack.sh)
//   SNAK_ADMIN_PASSWORD  password of the bootstrap user `admin`

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const BASE = (process.env.SNAK_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const NODE_URLS = (process.env.SNAK_NODE_URLS || '')
  .split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean);
export const ROOT = process.env.SNAK_ROOT || path.resolve(HERE, '..', '..');
export const STACK_DIR = process.env.SNAK_STACK_DIR || '';
export const ADMIN_PASSWORD = process.env.SNAK_ADMIN_PASSWORD || '';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A short random suffix for unique names (lower case letters and digits). */
export function uniq(n = 8) {
  return randomBytes(n).toString('hex').slice(0, n);
}

/** A client-made message id, as the widget and agent page make them. */
export function clientId() {
  return 'c-' + randomBytes(12).toString('hex');
}

/**
 * One HTTP request.
 *   path     '/api/v1/...' (relative to `base`, default SNAK_URL) or an absolute URL
 *   method   default GET, or POST when a body is given
 *   body     object -> JSON (Content-Type application/json); string/Buffer -> sent as is
 *   raw      true: `body` is sent as is even when it is an object-like Buffer/string
 *   token    chat token -> Authorization: Bearer
 *   cookie   'snak_session=...' -> Cookie
 *   csrf     -> X-CSRF-Token
 *   headers  extra headers (a value of null removes a default header)
 *   timeout  ms, default 45000
 *   signal   an AbortSignal to cancel the request
 * Returns {status, headers, json, text, ms}; json is null when the body is not JSON.
 */
export async function api(p, opts = {}) {
  const { body, token, cookie, csrf, raw, base = BASE, timeout = 45000, signal } = opts;
  let method = opts.method || (body !== undefined ? 'POST' : 'GET');
  const headers = {};
  let payload;
  if (body !== undefined) {
    if (raw || typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Uint8Array) {
      payload = body;
      if (!raw) headers['Content-Type'] = 'application/json';
    } else {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  if (token) headers['Authorization'] = 'Bearer ' + token;
  if (cookie) headers['Cookie'] = cookie;
  if (csrf) headers['X-CSRF-Token'] = csrf;
  for (const [k, v] of Object.entries(opts.headers || {})) {
    for (const h of Object.keys(headers)) if (h.toLowerCase() === k.toLowerCase()) delete headers[h];
    if (v !== null && v !== undefined) headers[k] = v;
  }
  const url = /^https?:\/\//.test(p) ? p : base + p;
  const t0 = Date.now();
  const res = await fetch(url, {
    method, headers, body: payload, redirect: 'manual',
    signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeout)]) : AbortSignal.timeout(timeout),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, json, text, ms: Date.now() - t0 };
}

/** Short description of an answer for assertion messages. */
export function show(r) {
  return `HTTP ${r.status} ${String(r.text).slice(0, 300)}`;
}

/** The snak_session cookie ('snak_session=VALUE') from a response, or null. */
export function sessionCookie(res) {
  const all = typeof res.headers.getSetCookie === 'function'
    ? res.headers.getSetCookie() : [res.headers.get('set-cookie') || ''];
  for (const c of all) {
    const m = /^\s*(snak_session=[^;]*)/.exec(c);
    if (m) return { cookie: m[1], header: c };
  }
  return null;
}

/** Log in an agent. Returns {cookie, csrf, user, res}; throws when the login fails. */
export async function login(username, password, { base } = {}) {
  const res = await api('/api/v1/auth/login', { body: { username, password }, base });
  if (res.status !== 200) throw new Error(`login ${username}: ${show(res)}`);
  const c = sessionCookie(res);
  if (!c) throw new Error(`login ${username}: no snak_session cookie in ${JSON.stringify([...res.headers])}`);
  return { cookie: c.cookie, csrf: res.json.csrf_token, user: res.json.user, username, password, res };
}

/** Agent API call with a session from login()/newAgent(). */
export function agentApi(sess, p, opts = {}) {
  const method = opts.method || (opts.body !== undefined ? 'POST' : 'GET');
  return api('/api/v1/agent' + p, {
    cookie: sess.cookie, csrf: method === 'GET' ? undefined : sess.csrf, ...opts, method,
  });
}

/** Widget API call on a chat from newChat(). */
export function widgetApi(chat, p, opts = {}) {
  return api(`/api/v1/widget/chats/${chat.id}${p}`, { token: chat.token, ...opts });
}

// ---------------------------------------------------------------------------------------------
// Command line tool and stack script

/** Splits one shell line into words: '...' and "..." quoting, backslash escapes, # comments. */
function shellWords(line) {
  const words = [];
  let w = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "'") {
      const j = line.indexOf("'", i + 1);
      w = (w ?? '') + line.slice(i + 1, j < 0 ? line.length : j);
      i = j < 0 ? line.length : j;
    } else if (ch === '"') {
      w = w ?? '';
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && '"\\$`'.includes(line[i + 1])) i++;
        w += line[i];
      }
    } else if (ch === '\\') {
      w = (w ?? '') + (line[++i] ?? '');
    } else if (/\s/.test(ch)) {
      if (w !== null) words.push(w);
      w = null;
    } else if (ch === '#' && w === null) {
      break;
    } else {
      w = (w ?? '') + ch;
    }
  }
  if (w !== null) words.push(w);
  return words;
}

let envCache = null;
/**
 * The variables set by $SNAK_STACK_DIR/snak.env: lines like
 * `export SNAK_DB_SOCKET='/x/db/mysqld.sock' SNAK_DB_USER=snak ...` (several K=V per line, maybe quoted).
 */
export function snakEnv() {
  if (envCache) return envCache;
  envCache = {};
  if (!STACK_DIR) return envCache;
  let text = '';
  try { text = readFileSync(path.join(STACK_DIR, 'snak.env'), 'utf8'); } catch { return envCache; }
  for (const line of text.split('\n')) {
    for (const word of shellWords(line)) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(word);
      if (m) envCache[m[1]] = m[2];
    }
  }
  return envCache;
}

/** Runs `$SNAK_ROOT/cgi-bin/snak ARGS` with the stack's DB settings. Returns {status, stdout, stderr}. */
export function cli(args, { env = {}, input, check = true } = {}) {
  const r = spawnSync(path.join(ROOT, 'cgi-bin', 'snak'), args, {
    env: { ...process.env, ...snakEnv(), ...env },
    input: input ?? '',
    encoding: 'utf8',
    timeout: 30000,
  });
  const out = { status: r.status, stdout: r.stdout || '', stderr: r.stderr || '' };
  if (check && r.status !== 0) {
    throw new Error(`snak ${args.join(' ')} -> exit ${r.status} ${r.error || ''}\n${out.stderr}${out.stdout}`);
  }
  return out;
}

/** Runs one SQL statement on the stack's database (for set-ups the API has no call for yet);
 * returns the rows as arrays of strings. */
export function sql(query) {
  const e = snakEnv();
  const r = spawnSync('mariadb', ['--no-defaults', `--socket=${e.SNAK_DB_SOCKET}`, `--user=${e.SNAK_DB_USER}`,
    `--password=${e.SNAK_DB_PASSWORD || ''}`, '-N', '-B', e.SNAK_DB_NAME, '-e', query], { encoding: 'utf8', timeout: 30000 });
  if (r.status !== 0) throw new Error(`mariadb -> exit ${r.status}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** Runs `sh $SNAK_ROOT/tests/stack.sh CMD $SNAK_STACK_DIR ARGS...`; throws on a non-zero exit. */
export function stack(cmd, ...args) {
  const r = spawnSync('sh', [path.join(ROOT, 'tests', 'stack.sh'), cmd, STACK_DIR, ...args.map(String)], {
    encoding: 'utf8', timeout: 120000, env: process.env,
  });
  if (r.status !== 0) {
    throw new Error(`stack.sh ${cmd} ${args.join(' ')} -> exit ${r.status} ${r.error || ''}\n${r.stderr}${r.stdout}`);
  }
  return { stdout: r.stdout, stderr: r.stderr };
}

// ---------------------------------------------------------------------------------------------
// Fixtures: channels, agents, chats

/** A fresh channel (open at all hours). Returns its slug. */
export function newChannel(prefix = 't') {
  const slug = `${prefix}-${uniq()}`;
  cli(['channel-add', slug, `Test ${slug}`]);
  return slug;
}

/**
 * A fresh agent: `snak useradd`, member (respond,listen) of `channels` (default ['demo']),
 * logged in, status present. Returns the session {cookie, csrf, user, username, password}.
 */
export async function newAgent({ channels = ['demo'], name, rights = 'respond,listen', present = true, role = 'agent' } = {}) {
  const username = `agent_${uniq()}`;
  const password = 'pw-' + uniq(16);
  cli(['useradd', username, name || `Agent ${username}`, role], { env: { SNAK_PASSWORD: password } });
  for (const ch of channels) cli(['member-add', ch, username, rights]);
  const sess = await login(username, password);
  if (present) {
    const r = await agentApi(sess, '/me/status', { method: 'PUT', body: { status: 'present' } });
    if (r.status !== 200) throw new Error(`set present ${username}: ${show(r)}`);
  }
  return sess;
}

/** A fresh customer chat in `channel`. Returns {id, token, name, email, question, channel, res}. */
export async function newChat(channel = 'demo', { name, email, question, base } = {}) {
  const s = uniq();
  const body = {
    name: name || `Customer ${s}`,
    email: email || `customer-${s}@example.com`,
    question: question || `Question ${s}: where is my order?`,
  };
  const res = await api(`/api/v1/widget/channels/${encodeURIComponent(channel)}/chats`, { body, base });
  if (res.status !== 201 || !res.json || !res.json.chat || !res.json.token) {
    throw new Error(`create chat in ${channel}: ${show(res)}`);
  }
  return { id: res.json.chat.id, token: res.json.token, ...body, channel, res };
}

/**
 * Takes chat `chatId` from the queue of `channel` with queue/next, in a loop: other chats
 * it gets on the way are ended. Returns the queue/next answer for our chat.
 */
export async function takeChat(sess, chatId, channel, { tries = 50 } = {}) {
  for (let i = 0; i < tries; i++) {
    const r = await agentApi(sess, '/queue/next', { body: channel ? { channel } : {} });
    if (r.status !== 200) throw new Error(`queue/next (looking for chat ${chatId}): ${show(r)}`);
    if (String(r.json.chat.id) === String(chatId)) return r;
    await agentApi(sess, `/chats/${r.json.chat.id}/end`, { body: {} });
  }
  throw new Error(`chat ${chatId} not found in the queue of ${channel}`);
}

/** Customer sends a message. Returns the response. */
export function customerSay(chat, text, cid = clientId(), opts = {}) {
  return widgetApi(chat, '/messages', { body: { text, client_id: cid }, ...opts });
}

/** Agent sends a message in chat `chatId`. */
export function agentSay(sess, chatId, text, cid = clientId(), opts = {}) {
  const { private: priv, ...rest } = opts;
  const body = { text, client_id: cid };
  if (priv !== undefined) body.private = priv;
  return agentApi(sess, `/chats/${chatId}/messages`, { body, ...rest });
}

/** Widget events after `after`, waiting `wait` s. */
export function chatEvents(chat, after = 0, wait = 0, opts = {}) {
  return widgetApi(chat, `/events?after=${after}&wait=${wait}`, opts);
}

/** Agent feed after `after`, waiting `wait` s. */
export function feed(sess, after = 0, wait = 0, opts = {}) {
  return agentApi(sess, `/events?after=${after}&wait=${wait}`, opts);
}

/** Retries `fn` until it returns a truthy value or `ms` passes; returns the last value. */
export async function eventually(fn, ms = 10000, every = 200) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try { last = await fn(); } catch (e) { last = undefined; if (Date.now() > end) throw e; }
    if (last) return last;
    if (Date.now() > end) return last;
    await sleep(every);
  }
}

/** Asserts an error answer: JSON body with string `error` and string `message`. */
export function isErrorBody(r) {
  return !!(r.json && typeof r.json.error === 'string' && r.json.error.length > 0 &&
    typeof r.json.message === 'string' && r.json.message.length > 0);
}

import assert from 'node:assert/strict';

/** Asserts status `status`, an error body {error, message}, and (when given) error code `code`. */
export function assertError(r, status, code) {
  assert.equal(r.status, status, `expected ${status}: ${show(r)}`);
  assert.ok(isErrorBody(r), `error body needs "error" and "message": ${show(r)}`);
  if (code) assert.equal(r.json.error, code, `error code: ${show(r)}`);
}

/**
 * Keeps an agent's feed long-poll running (presence follows the agent's poll, as in the agent
 * page). Returns a function that stops it.
 */
export function keepPolling(sess) {
  const ac = new AbortController();
  let after = null;
  (async () => {
    while (!ac.signal.aborted) {
      try {
        if (after === null) {
          const r = await feed(sess, 0, 0, { signal: ac.signal });
          after = r.json && Number.isInteger(r.json.last_seq) ? r.json.last_seq : 0;
        }
        const r = await feed(sess, after, 20, { signal: ac.signal });
        if (r.json && Number.isInteger(r.json.last_seq)) after = r.json.last_seq;
        else await sleep(500);
      } catch {
        if (!ac.signal.aborted) await sleep(500);
      }
    }
  })();
  return () => ac.abort();
}
