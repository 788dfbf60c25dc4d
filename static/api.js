// api.js: the one fetch wrapper of the browser side, plus retry helpers.
//
// JSON in and out. A non-2xx answer throws an ApiError carrying the HTTP
// status and the parsed body; a network failure or a timeout throws an
// ApiError with status 0, so callers decide on one number whether to retry.

let csrfToken = '';

/** Sets the CSRF token sent on every non-GET call (agent pages only). */
export function setCsrf(token) {
  csrfToken = token || '';
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;   // 0: no answer (network down, timeout)
    this.body = body;       // parsed JSON error body, or null
    this.code = body && body.error ? body.error : '';
  }
}

/**
 * Sends one request. opts: body (sent as JSON), token (Bearer), signal
 * (AbortSignal: aborting rejects with a DOMException named AbortError),
 * timeout (ms; an elapsed timeout counts as a network failure).
 * Returns the parsed JSON answer (null for an empty one, e.g. 204).
 */
export async function request(method, path, opts = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  if (opts.token) headers.Authorization = 'Bearer ' + opts.token;
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  // One controller for both the caller's signal and our timeout.
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort();
  if (opts.signal) {
    if (opts.signal.aborted) throw abortError();
    opts.signal.addEventListener('abort', onAbort, { once: true });
  }
  const timer = opts.timeout ? setTimeout(onAbort, opts.timeout) : 0;
  init.signal = ctrl.signal;

  let res;
  let text;
  try {
    res = await fetch(path, init);
    text = await res.text();
  } catch {
    if (opts.signal && opts.signal.aborted) throw abortError();
    throw new ApiError(0, null);
  } finally {
    clearTimeout(timer);
    if (opts.signal) opts.signal.removeEventListener('abort', onAbort);
  }

  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function abortError() {
  return new DOMException('aborted', 'AbortError');
}

export const api = {
  get: (path, opts) => request('GET', path, opts),
  post: (path, body, opts) => request('POST', path, { ...opts, body: body === undefined ? {} : body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
};

/** True for failures worth retrying: no answer, proxy errors, 503, 429. */
export function isRetryable(err) {
  return err instanceof ApiError && [0, 429, 502, 503, 504].includes(err.status);
}

/** Delay before retry number attempt (0-based): 1 s, 2 s, 4 s, 8 s, then 10 s. */
export function backoffDelay(attempt) {
  return Math.min(1000 * 2 ** attempt, 10000);
}

/**
 * Waits ms milliseconds; resolves early when the browser comes back online,
 * rejects with AbortError when signal aborts.
 */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) {
      reject(abortError());
      return;
    }
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener('online', done);
      if (signal) signal.removeEventListener('abort', aborted);
      resolve();
    };
    const aborted = () => {
      clearTimeout(timer);
      window.removeEventListener('online', done);
      reject(abortError());
    };
    const timer = setTimeout(done, ms);
    window.addEventListener('online', done);
    if (signal) signal.addEventListener('abort', aborted, { once: true });
  });
}

/**
 * Calls fn() until it succeeds or fails with a non-retryable error, waiting
 * with backoff in between. fn must be safe to repeat (e.g. a message POST
 * with a fixed client_id).
 */
export async function withRetry(fn, signal) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      await sleep(backoffDelay(attempt), signal);
    }
  }
}

/** A fresh random id for a message's client_id (idempotent sends). */
export function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // randomUUID exists only in secure contexts; plain http on a LAN needs this.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
