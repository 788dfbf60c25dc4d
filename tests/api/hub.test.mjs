// The long-poll hub's hygiene (issue 3): a parked poll whose client went away is freed before its
// deadline, and a flood of polls past the parking cap gets immediate empty answers, not errors or
// hangs. Both are observed from outside: the snak process's open fds, and what clients receive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  newChat, customerSay, stack, eventually, sleep, show, NODE_URLS, STACK_DIR,
} from '../lib/snak.mjs';

const skip = NODE_URLS.length < 2 || !STACK_DIR ? 'needs SNAK_NODE_URLS with 2 nodes and SNAK_STACK_DIR' : false;

function nodePid(i) {
  return Number(readFileSync(path.join(STACK_DIR, `snak-${i}.pid`), 'utf8').trim());
}

function openFds(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Starts a widget events poll on `base`; resolves to {status, json, ms} or an abort error. */
function poll(chat, base, after, wait, signal) {
  const t0 = Date.now();
  return fetch(`${base}/api/v1/widget/chats/${chat.id}/events?after=${after}&wait=${wait}`, {
    headers: { Authorization: `Bearer ${chat.token}` }, signal,
  }).then(async (r) => ({ status: r.status, json: await r.json(), ms: Date.now() - t0 }));
}

test('a poll whose client hangs up is freed long before its deadline', { skip }, async () => {
  const pid = nodePid(1);
  const chat = await newChat();
  // Accept threads open their database connection on first use: wake them all first.
  await Promise.all(Array.from({ length: 40 }, () => fetch(`${NODE_URLS[0]}/healthz`).then((r) => r.text())));
  const before = openFds(pid);
  const ctl = new AbortController();
  const polls = [];
  for (let i = 0; i < 40; i++) polls.push(poll(chat, NODE_URLS[0], 1, 25, ctl.signal).catch(() => null));
  // All 40 are parked: each holds a connection in the process.
  await eventually(() => { assert.ok(openFds(pid) >= before + 40, `fds ${openFds(pid)} vs ${before}`); return true; }, 5000);
  ctl.abort();
  await Promise.all(polls);
  // nginx closes the upstream connections; the hub notices and frees them, 20 s before the deadline.
  await eventually(() => { assert.ok(openFds(pid) <= before + 10, `fds ${openFds(pid)} vs ${before}`); return true; }, 5000);
});

test('polls past the parking cap are answered at once with no events; parked ones still work', { skip }, async () => {
  const base = NODE_URLS[1];
  process.env.SNAK_MAX_PARKED = '3';
  try {
    stack('node-stop', 2);
    stack('node-start', 2);
  } finally {
    delete process.env.SNAK_MAX_PARKED;
  }
  try {
    const chat = await newChat();
    const polls = [];
    for (let i = 0; i < 3; i++) {
      polls.push(poll(chat, base, 1, 20));
      await sleep(100);
    }
    await sleep(300);
    // The cap is reached: more polls come back at once, 200 with no events.
    const extra = await Promise.all([1, 2, 3, 4, 5].map(() => poll(chat, base, 1, 20)));
    for (const r of extra) {
      assert.equal(r.status, 200, show(r));
      assert.deepEqual(r.json.events, []);
      assert.ok(r.ms < 5000, `answered at once, not at the deadline (${r.ms} ms)`);
    }
    // The three parked polls are still waiting, and a message wakes them.
    const text = 'after the flood';
    assert.equal((await customerSay(chat, text)).status, 201);
    for (const r of await Promise.all(polls)) {
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.events.map((e) => e.text), [text]);
    }
  } finally {
    stack('node-stop', 2);
    stack('node-start', 2);
  }
});
