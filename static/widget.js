// widget.js: the customer's chat, the page inside the #snak-frame iframe.
//
// Views: loading -> (unavailable | closed | prechat form) -> chat. The chat
// id, its token and the last seq seen are kept in sessionStorage per
// channel, so a reload (or a new page of the same site in the same tab)
// resumes the chat; on resume the whole conversation is read again from
// seq 0 and drawn, because the reloaded page starts with an empty log.

import { t, tFirst, lang, formatLong } from './i18n.js';
import { api, withRetry } from './api.js';
import { startPoll } from './poll.js';
import { ChatLog, bindComposer } from './chatlog.js';

const BASE = '/api/v1/widget';
const VIEWS = ['loading', 'unavailable', 'closed', 'prechat', 'chat'];
const FIELDS = ['name', 'email', 'question'];
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const $ = (id) => document.getElementById(id);
const slug = document.body.dataset.channel || new URLSearchParams(location.search).get('channel') || '';
const storeKey = 'snak.chat.' + slug;
const log = new ChatLog($('log'), 'customer');
const form = $('prechat');
const input = $('input');

let channel = null;   // GET /channels/{slug} answer
let chat = null;      // {id, token, seq}
let poll = null;      // the running poll loop
let ended = false;
const agents = [];    // names of the agents in the chat, for the status line

/* ---------- views and storage ---------- */

function show(view) {
  for (const v of VIEWS) $(v).hidden = v !== view;
}

function loadChat() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(storeKey) || 'null');
    if (saved && saved.id && saved.token) return saved;
  } catch {
    // storage blocked or garbage: start afresh
  }
  return null;
}

function saveChat() {
  try {
    sessionStorage.setItem(storeKey, JSON.stringify(chat));
  } catch {
    // storage blocked (some third-party iframes): the chat works, a reload loses it
  }
}

function forgetChat() {
  try {
    sessionStorage.removeItem(storeKey);
  } catch {
    // nothing to forget
  }
}

function channelUrl(rest) {
  return `${BASE}/channels/${encodeURIComponent(slug)}${rest}`;
}

function chatUrl(rest) {
  return `${BASE}/chats/${encodeURIComponent(chat.id)}${rest}`;
}

/* ---------- channel, closed, pre-chat form ---------- */

function applyChannel() {
  if (channel.name) {
    $('channel-name').textContent = channel.name;
    document.title = channel.name;
  }
  if (typeof channel.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(channel.color)) {
    document.documentElement.style.setProperty('--accent', channel.color);
  }
  $('welcome').textContent = channel.welcome_message || t('widget.welcome');
  const configured = (channel.prechat && Array.isArray(channel.prechat.fields)) ? channel.prechat.fields : [];
  for (const name of FIELDS) {
    const field = configured.find((f) => f && f.name === name);
    const required = field ? field.required !== false : true;
    form.elements[name].required = required;
    $(`f-${name}-optional`).hidden = required;
  }
}

function showStart() {
  if (channel.open === false) showClosed(channel.closed_message, channel.next_open);
  else showForm();
}

function showClosed(message, nextOpen) {
  $('closed-message').textContent = message || t('closed.default');
  $('next-open').textContent = nextOpen ? t('closed.next_open', { when: formatLong(nextOpen) }) : '';
  show('closed');
}

function showForm() {
  clearFieldErrors();
  $('form-error').textContent = '';
  show('prechat');
}

function clearFieldErrors() {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const name of FIELDS) {
    const el = form.elements[name];
    el.removeAttribute('aria-invalid');
    el.removeAttribute('aria-describedby');
  }
}

/* Puts a translated message under each field that has an error code. */
function showFieldErrors(errors) {
  clearFieldErrors();
  let first = null;
  for (const name of FIELDS) {
    const code = errors[name];
    if (!code) continue;
    const el = form.elements[name];
    const msg = document.createElement('p');
    msg.className = 'field-error';
    msg.id = `f-${name}-error`;
    msg.textContent = tFirst([`error.${name}.${code}`, `error.${code}`, 'error.field']);
    el.after(msg);
    el.setAttribute('aria-invalid', 'true');
    el.setAttribute('aria-describedby', msg.id);
    if (!first) first = el;
  }
  if (first) first.focus();
  return first !== null;
}

function checkForm(values) {
  const errors = {};
  for (const name of FIELDS) {
    if (form.elements[name].required && !values[name]) errors[name] = 'required';
  }
  if (values.email && !EMAIL_RE.test(values.email)) errors.email = 'invalid';
  return errors;
}

async function startChat(e) {
  e.preventDefault();
  $('form-error').textContent = '';
  const values = {};
  for (const name of FIELDS) values[name] = form.elements[name].value.trim();
  if (showFieldErrors(checkForm(values))) return;

  const button = $('start');
  button.disabled = true;
  try {
    const answer = await api.post(channelUrl('/chats'), { ...values, language: lang });
    chat = { id: answer.chat.id, token: answer.token, seq: 0 };
    saveChat();
    form.reset();
    openChat(answer.chat.status || 'queued', answer.chat.queue_position);
  } catch (err) {
    if (err.status === 422 && err.body && err.body.fields) {
      if (!showFieldErrors(err.body.fields)) $('form-error').textContent = t('error.generic');
    } else if (err.status === 409 && err.code === 'closed') {
      showClosed(err.body.message, err.body.next_open);
    } else {
      $('form-error').textContent = err.status === 0 ? t('error.network') : t('error.generic');
    }
  } finally {
    button.disabled = false;
  }
}

/* ---------- the chat ---------- */

function openChat(status, queuePosition) {
  log.clear();
  agents.length = 0;
  ended = false;
  input.disabled = false;
  $('send').disabled = false;
  $('end').hidden = false;
  $('new-chat').hidden = true;
  $('conn').textContent = '';
  show('chat');
  setStatus(status, queuePosition);
  startPolling();
}

function startPolling() {
  if (poll) poll.stop();
  const { id, token } = chat;
  poll = startPoll({
    after: 0,
    fetch: (after, wait, opts) =>
      api.get(`${BASE}/chats/${encodeURIComponent(id)}/events?after=${after}&wait=${wait}`, { ...opts, token }),
    onAnswer: (answer, cursor) => {
      $('conn').textContent = '';
      for (const ev of answer.events || []) {
        if (log.add(ev)) trackAgents(ev);
      }
      chat.seq = cursor;
      saveChat();
      if (answer.status) setStatus(answer.status, answer.queue_position);
    },
    onRetry: () => {
      $('conn').textContent = t('chat.reconnecting');
    },
    onFatal: (err) => {
      poll = null;
      if (err.status === 404 || err.status === 401) {
        // The chat or its token is gone (e.g. deleted): start over.
        forgetChat();
        chat = null;
        showStart();
      } else {
        $('conn').textContent = t('error.generic');
      }
    },
  });
}

function trackAgents(ev) {
  const name = ev.author && ev.author.name;
  if (!name) return;
  const i = agents.indexOf(name);
  if (ev.type === 'agent_joined' && i < 0) agents.push(name);
  if (ev.type === 'agent_left' && i >= 0) agents.splice(i, 1);
}

function setStatus(status, queuePosition) {
  const line = $('status');
  $('queue-note').textContent = '';
  switch (status) {
    case 'queued':
      line.textContent = typeof queuePosition === 'number' && queuePosition > 0
        ? t('status.queued', { n: queuePosition }) : t('status.waiting');
      $('queue-note').textContent = (channel && channel.queue_message) || '';
      break;
    case 'active':
      line.textContent = agents.length ? t('status.active', { name: agents.join(', ') }) : t('status.active_unknown');
      break;
    case 'ended':
      line.textContent = t('status.ended');
      setEnded();
      break;
    default:
      line.textContent = t('status.connecting');
  }
}

function setEnded() {
  if (ended) return;
  ended = true;
  if (poll) {
    poll.stop();
    poll = null;
  }
  input.disabled = true;
  $('send').disabled = true;
  $('end').hidden = true;
  $('new-chat').hidden = false;
  $('conn').textContent = '';
}

function sendText(text) {
  log.send(text, (body) => api.post(chatUrl('/messages'), body, { token: chat.token }), (err) => {
    if (err.status === 409) setStatus('ended');
    else $('conn').textContent = err.status === 422 ? t('error.message_invalid') : t('chat.send_failed');
  });
}

async function endChat() {
  if (!window.confirm(t('chat.end_confirm'))) return;
  const button = $('end');
  button.disabled = true;
  try {
    await withRetry(() => api.post(chatUrl('/end'), {}, { token: chat.token }));
    setStatus('ended');
  } catch (err) {
    if (err.status === 404 || err.status === 401) {
      forgetChat();
      chat = null;
      showStart();
    } else {
      $('conn').textContent = t('error.generic');
    }
  } finally {
    button.disabled = false;
  }
}

async function newChat() {
  forgetChat();
  chat = null;
  log.clear();
  try {
    channel = await api.get(channelUrl(''));   // open or not may have changed
    applyChannel();
  } catch {
    // keep what we knew; the server will say "closed" if it is
  }
  showStart();
  const first = form.elements.name;
  if (!form.hidden && first) first.focus();
}

/* ---------- embedding: the loader's panel ---------- */

function closePanel() {
  window.parent.postMessage({ snak: 'close' }, '*');
}

function bindEmbedding() {
  if (window.parent === window) return;
  $('close').hidden = false;
  $('close').addEventListener('click', closePanel);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closePanel();
  });
}

/* ---------- start ---------- */

async function init() {
  bindEmbedding();
  form.addEventListener('submit', startChat);
  bindComposer($('composer'), input, sendText);
  $('end').addEventListener('click', endChat);
  $('new-chat').addEventListener('click', newChat);

  if (!slug) {
    show('unavailable');
    return;
  }
  try {
    channel = await withRetry(() => api.get(channelUrl('')));
  } catch {
    show('unavailable');
    return;
  }
  applyChannel();
  chat = loadChat();
  if (chat) openChat('', null);
  else showStart();
}

init();
