// A customer and an agent chat in headless Chromium (playwright-core), two browser contexts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  BASE, STACK_DIR, cli, uniq, newAgent, agentApi, agentSay, sleep,
} from '../lib/snak.mjs';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WAIT = 15000;
const SHOTS = path.join(STACK_DIR || '/tmp', 'screenshots');

let browser;

before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ARGS });
  mkdirSync(SHOTS, { recursive: true });
});
after(async () => { if (browser) await browser.close(); });

/** Records page errors and failed console messages, for the failure message. */
function watch(page, label, sink) {
  page.on('pageerror', (e) => sink.push(`${label} pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') sink.push(`${label} console: ${m.text()}`); });
  page.on('dialog', (d) => d.accept());
  page.on('response', (r) => {
    if (r.status() >= 400 && r.url().includes('/api/')) {
      sink.push(`${label} ${r.request().method()} ${r.url()} -> ${r.status()} ${r.request().postData() || ''}`);
    }
  });
}

async function until(fn, what, ms = WAIT) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try { last = await fn(); } catch (e) { last = undefined; }
    if (last) return last;
    await sleep(100);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

async function shot(page, name) {
  try { await page.screenshot({ path: path.join(SHOTS, name), fullPage: true }); } catch { /* closed */ }
}

/** A fresh agent in the browser: /login, then /agent, status Present. */
async function agentLogin(ctx, username, password, errs) {
  const page = await ctx.newPage();
  watch(page, 'agent', errs);
  await page.goto(BASE + '/login');
  await page.locator('#login [name="username"]').fill(username);
  await page.locator('#login [name="password"]').fill(password);
  await page.locator('#login-submit').click();
  await page.waitForURL(/\/agent(\?|#|$)/, { timeout: WAIT });
  await page.locator('#status-select').waitFor({ timeout: WAIT });
  await until(async () => (await page.locator('#me-name').innerText()).trim().length > 0, 'the agent page loaded (#me-name)');
  const put = page.waitForResponse((r) => r.url().endsWith('/api/v1/agent/me/status') && r.request().method() === 'PUT',
    { timeout: WAIT });
  await page.locator('#status-select').selectOption('present');
  const res = await put;
  assert.equal(res.status(), 200, `PUT /me/status from the status select: ${res.status()} ${await res.text()}`);
  await until(async () => (await page.locator('#status-select').inputValue()) === 'present', 'status present');
  return page;
}

/** The customer on the demo page: opens the widget with the loader's button. */
async function openWidget(ctx, errs) {
  const page = await ctx.newPage();
  watch(page, 'customer', errs);
  await page.goto(BASE + '/');
  await page.locator('#snak-button').click({ timeout: WAIT });
  await page.locator('#snak-frame').waitFor({ state: 'visible', timeout: WAIT });
  const frame = page.frameLocator('#snak-frame');
  return { page, frame };
}

async function frameOf(page) {
  return (await page.locator('#snak-frame').elementHandle()).contentFrame();
}

async function startChat(frame, { name, email, question }) {
  await frame.locator('#prechat').waitFor({ state: 'visible', timeout: WAIT });
  await frame.locator('#prechat [name="name"]').fill(name);
  await frame.locator('#prechat [name="email"]').fill(email);
  await frame.locator('#prechat [name="question"]').fill(question);
  await frame.locator('#start').click();
  await frame.locator('#chat').waitFor({ state: 'visible', timeout: WAIT });
}

test('a customer and an agent chat through the widget and the agent page', async () => {
  const errs = [];
  const s = uniq(6);
  const customer = { name: `Kunde ${s}`, email: `kunde-${s}@example.com`, question: `Where is my mug ${s}?` };
  const reply = `Hello ${customer.name}, it ships today (${s}).`;
  const answer = `Thank you, agent! (${s})`;

  // A fresh agent, member of demo, logs in in the browser and goes Present (the channel opens).
  const username = `bagent_${uniq()}`;
  const password = 'pw-' + uniq(16);
  cli(['useradd', username, `Anna ${s}`, 'agent'], { env: { SNAK_PASSWORD: password } });
  cli(['member-add', 'demo', username, 'respond,listen']);

  const agentCtx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const custCtx = await browser.newContext({ viewport: { width: 1100, height: 800 }, locale: 'en-US' });
  let agent;
  let cust;
  try {
    agent = await agentLogin(agentCtx, username, password, errs);
    await agent.evaluate(() => { window.__notReloaded = true; });

    // The customer opens the chat on the demo page and asks.
    cust = await openWidget(custCtx, errs);
    await startChat(cust.frame, customer);
    await until(async () => /\d|queue/i.test(await cust.frame.locator('#status').innerText()),
      'the queue status in the widget');
    await cust.frame.locator('#log .msg-text', { hasText: customer.question }).first().waitFor({ timeout: WAIT });
    const custFrame = await frameOf(cust.page);
    await custFrame.evaluate(() => { window.__notReloaded = true; });
    await cust.page.evaluate(() => { window.__notReloaded = true; });

    // The agent takes chats from the queue until it gets this customer's (ending others on the way).
    let mine = null;
    for (let i = 0; i < 25 && !mine; i++) {
      const beforeIds = await agent.locator('#active-list li[data-chat-id]').evaluateAll(
        (els) => els.map((e) => e.dataset.chatId));
      await agent.locator('#next').click();
      const newId = await until(async () => {
        const ids = await agent.locator('#active-list li[data-chat-id]').evaluateAll(
          (els) => els.map((e) => e.dataset.chatId));
        return ids.find((x) => !beforeIds.includes(x));
      }, 'a new chat in #active-list after "Get next from queue"');
      const li = agent.locator(`#active-list li[data-chat-id="${newId}"]`);
      if ((await li.innerText()).includes(customer.name)) {
        mine = newId;
        await li.locator('button').first().click();
      } else {
        await li.locator('button').first().click();
        await agent.locator('#end').click();
        await until(async () => (await agent.locator(`#active-list li[data-chat-id="${newId}"]`).count()) === 0,
          `the other chat ${newId} leaving #active-list after ending it`);
      }
    }
    assert.ok(mine, 'the agent got the customer\'s chat from the queue');
    await agent.locator('#log .msg-text', { hasText: customer.question }).first().waitFor({ timeout: WAIT });
    await until(async () => Number((await agent.locator('#active-count').innerText()).trim()) >= 1, '#active-count >= 1');

    // The customer sees that an agent is there.
    await until(async () => !/queue/i.test(await cust.frame.locator('#status').innerText()),
      'the widget status leaving the queue text');

    // Agent replies with Enter; the customer sees it without reloading.
    await agent.locator('#input').fill(reply);
    await agent.locator('#input').press('Enter');
    await cust.frame.locator('#log .msg.from-agent .msg-text', { hasText: reply }).first().waitFor({ timeout: WAIT });
    assert.equal(await agent.locator('#input').inputValue(), '', 'the agent input is emptied after sending');

    // The customer answers; the agent sees it without reloading.
    await cust.frame.locator('#input').fill(answer);
    await cust.frame.locator('#input').press('Enter');
    await agent.locator('#log .msg.from-customer .msg-text', { hasText: answer }).first().waitFor({ timeout: WAIT });
    await cust.frame.locator('#log .msg.from-customer .msg-text', { hasText: answer }).first().waitFor({ timeout: WAIT });

    // Each message shows once on each side.
    for (const [page, label] of [[agent, 'agent'], [custFrame, 'customer']]) {
      for (const text of [customer.question, reply, answer]) {
        const n = await page.locator('#log .msg-text', { hasText: text }).count();
        assert.equal(n, 1, `${label} page shows "${text}" once (got ${n})`);
      }
    }

    // The agent ends the chat; the customer sees it ended.
    await agent.locator('#end').click();
    await until(async () => cust.frame.locator('#input').isDisabled(), 'the widget input disabled after the end');
    await until(async () => /end/i.test(await cust.frame.locator('#status').innerText()), 'the widget status saying ended');
    await until(async () => (await agent.locator(`#active-list li[data-chat-id="${mine}"]`).count()) === 0,
      'the chat leaving the agent\'s active list');
    await agent.locator(`#recent-list li[data-chat-id="${mine}"]`).waitFor({ timeout: WAIT });

    // Nothing was reloaded on the way.
    assert.equal(await agent.evaluate(() => window.__notReloaded), true, 'the agent page was not reloaded');
    assert.equal(await cust.page.evaluate(() => window.__notReloaded), true, 'the demo page was not reloaded');
    assert.equal(await custFrame.evaluate(() => window.__notReloaded), true, 'the widget iframe was not reloaded');
  } catch (e) {
    e.message += errs.length ? `\nbrowser errors:\n${errs.join('\n')}` : '';
    throw e;
  } finally {
    if (cust) await shot(cust.page, 'chat-customer.png');
    if (agent) await shot(agent, 'chat-agent.png');
    await agentCtx.close();
    await custCtx.close();
  }
});

test('the pre-chat form shows field errors and stays', async () => {
  const errs = [];
  // keep demo open while this runs
  const keeper = await newAgent({ channels: ['demo'] });
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 }, locale: 'en-US' });
  try {
    const { page, frame } = await openWidget(ctx, errs);
    await frame.locator('#prechat').waitFor({ state: 'visible', timeout: WAIT });
    await frame.locator('#prechat [name="name"]').fill('');
    await frame.locator('#prechat [name="email"]').fill('not-an-email');
    await frame.locator('#prechat [name="question"]').fill('Hello?');
    await frame.locator('#start').click();
    await frame.locator('.field-error').first().waitFor({ state: 'visible', timeout: WAIT });
    assert.ok(await frame.locator('#prechat').isVisible(), 'the form stays');
    assert.equal(await frame.locator('#prechat [name="question"]').inputValue(), 'Hello?', 'the typed text stays');
    assert.equal(await frame.locator('#chat').isVisible(), false, 'no chat started');
    await shot(page, 'prechat-errors.png');
  } catch (e) {
    e.message += errs.length ? `\nbrowser errors:\n${errs.join('\n')}` : '';
    throw e;
  } finally {
    await ctx.close();
    await agentApi(keeper, '/me/status', { method: 'PUT', body: { status: 'offline' } });
  }
});

test('reloading the page resumes the chat with each message once', async () => {
  const errs = [];
  const agentSess = await newAgent({ channels: ['demo'] });
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 }, locale: 'en-US' });
  try {
    const s = uniq(6);
    const customer = { name: `Reload ${s}`, email: `reload-${s}@example.com`, question: `Reload question ${s}` };
    let { page, frame } = await openWidget(ctx, errs);
    await startChat(frame, customer);
    await frame.locator('#log .msg-text', { hasText: customer.question }).first().waitFor({ timeout: WAIT });
    // find the chat id the widget made: take it from the queue by the customer's name
    let chatId = null;
    for (let i = 0; i < 25 && !chatId; i++) {
      const r = await agentApi(agentSess, '/queue/next', { body: { channel: 'demo' } });
      assert.equal(r.status, 200, `queue/next: ${r.status} ${r.text}`);
      if (r.json.chat.customer.name === customer.name) chatId = r.json.chat.id;
      else await agentApi(agentSess, `/chats/${r.json.chat.id}/end`, { body: {} });
    }
    assert.ok(chatId, 'found the widget\'s chat in the queue');
    const hello = `Agent hello ${s}`;
    const m = await agentSay(agentSess, chatId, hello);
    assert.equal(m.status, 201);
    await frame.locator('#log .msg-text', { hasText: hello }).first().waitFor({ timeout: WAIT });

    await page.reload();
    if (!(await page.locator('#snak-frame').isVisible())) await page.locator('#snak-button').click({ timeout: WAIT });
    frame = page.frameLocator('#snak-frame');
    await frame.locator('#chat').waitFor({ state: 'visible', timeout: WAIT });
    await frame.locator('#log .msg-text', { hasText: hello }).first().waitFor({ timeout: WAIT });
    const after1 = `After reload ${s}`;
    await agentSay(agentSess, chatId, after1);
    await frame.locator('#log .msg-text', { hasText: after1 }).first().waitFor({ timeout: WAIT });
    for (const text of [customer.question, hello, after1]) {
      assert.equal(await frame.locator('#log .msg-text', { hasText: text }).count(), 1, `"${text}" once after the reload`);
    }
    await shot(page, 'reload-customer.png');
  } catch (e) {
    e.message += errs.length ? `\nbrowser errors:\n${errs.join('\n')}` : '';
    throw e;
  } finally {
    await ctx.close();
  }
});

test('a wrong password on the login page shows an error and stays on /login', async () => {
  const errs = [];
  const ctx = await browser.newContext({ locale: 'en-US' });
  try {
    const page = await ctx.newPage();
    watch(page, 'login', errs);
    await page.goto(BASE + '/login');
    await page.locator('#login [name="username"]').fill('nobody_' + uniq());
    await page.locator('#login [name="password"]').fill('wrong');
    await page.locator('#login-submit').click();
    await until(async () => (await page.locator('#login-error').innerText()).trim().length > 0, '#login-error text');
    assert.match(new URL(page.url()).pathname, /^\/login/);
  } finally {
    await ctx.close();
  }
});

test('/agent without a session goes to /login', async () => {
  const ctx = await browser.newContext({ locale: 'en-US' });
  try {
    const page = await ctx.newPage();
    await page.goto(BASE + '/agent');
    await page.waitForURL(/\/login/, { timeout: WAIT });
    await page.locator('#login').waitFor({ timeout: WAIT });
  } finally {
    await ctx.close();
  }
});
