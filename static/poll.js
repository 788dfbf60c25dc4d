// poll.js: the long-poll loop shared by the widget and the agent page.
//
// One request at a time, each asking for what came after the cursor. The
// cursor only moves forward, so after a network error or a 503 the loop
// resumes where it stopped and nothing is lost; dedupe by seq happens where
// events are rendered (chatlog.js).

import { isRetryable, backoffDelay, sleep } from './api.js';

/** Seconds the server may hold a poll; the client gives up 15 s later. */
export const POLL_WAIT = 25;
const POLL_TIMEOUT_MS = (POLL_WAIT + 15) * 1000;

/**
 * Starts a loop. opts:
 *   after     the first cursor (seq already seen; 0 for everything)
 *   fetch     (after, wait, {signal, timeout}) => Promise of {events, last_seq, ...}
 *   onAnswer  (answer, cursor) called for every answer, cursor already moved
 *   onFatal   (err) called once for a non-retryable error; the loop then stops
 *   onRetry   (err, delayMs) optional, told about each retry (e.g. to show "reconnecting")
 * Returns {stop()}.
 */
export function startPoll(opts) {
  const ctrl = new AbortController();
  let after = opts.after || 0;

  async function loop() {
    let attempt = 0;
    while (!ctrl.signal.aborted) {
      const started = Date.now();
      let answer;
      try {
        answer = await opts.fetch(after, POLL_WAIT, { signal: ctrl.signal, timeout: POLL_TIMEOUT_MS });
      } catch (err) {
        if (ctrl.signal.aborted) return;
        if (!isRetryable(err)) {
          opts.onFatal(err);
          return;
        }
        const delay = backoffDelay(attempt++);
        if (opts.onRetry) opts.onRetry(err, delay);
        try {
          await sleep(delay, ctrl.signal);
        } catch {
          return;
        }
        continue;
      }
      attempt = 0;
      after = nextCursor(after, answer);
      try {
        opts.onAnswer(answer, after);
      } catch (err) {
        console.error('snak: handling a poll answer failed', err);
      }
      // A server that keeps answering at once with nothing new must not be
      // hammered: pace empty quick answers to one a second.
      const empty = !answer || !Array.isArray(answer.events) || answer.events.length === 0;
      if (empty && Date.now() - started < 500) {
        try {
          await sleep(1000, ctrl.signal);
        } catch {
          return;
        }
      }
    }
  }

  loop();
  return { stop: () => ctrl.abort() };
}

/**
 * The cursor after an answer: the highest seq among its events, or last_seq
 * when it brought none (last_seq may point past events the caller never
 * sees, e.g. private ones; with events, a truncated answer must not skip).
 */
export function nextCursor(after, answer) {
  let cursor = after;
  const events = answer && Array.isArray(answer.events) ? answer.events : [];
  for (const ev of events) {
    if (typeof ev.seq === 'number' && ev.seq > cursor) cursor = ev.seq;
  }
  if (events.length === 0 && answer && typeof answer.last_seq === 'number' && answer.last_seq > cursor) {
    cursor = answer.last_seq;
  }
  return cursor;
}
