// agent.js: the agent page (/agent), Chats tab.
//
// Left: the queue count, "Get next from queue", my ongoing chats and the
// chats ended in the last 8 hours. Middle: the open conversation. Right:
// the customer. One long-poll loop on the agent's own feed drives it all:
// chat.message events go into the open conversation (dedupe by the chat
// event's seq), and anything that changes the lists makes us re-read them
// (GET /chats) rather than patch them, so the lists are always the
// server's truth.

import { t, formatWhen } from './i18n.js';
import { api, withRetry } from './api.js';
import { startPoll } from './poll.js';
import { ChatLog, bindComposer } from './chatlog.js';
import { loadMe, bindLogout, toLogin } from './session.js';

const A = '/api/v1/agent';
const $ = (id) => document.getElementById(id);
const log = new ChatLog($('log'), 'agent');
const input = $('input');
const statusSelect = $('status-select');

let me = null;
let lists = { active: [], recent: [], queue: { waiting: 0 } };
let openId = null;      // id (string) of the chat shown, or null
let openChat = null;    // its chat object
let openToken = 0;      // bumped per load, so a late answer for another chat is dropped
let noticeTimer = 0;

const chatPath = (id, rest = '') => `${A}/chats/${encodeURIComponent(id)}${rest}`;
const sameId = (a, b) => String(a) === String(b);

/* ---------- notices and errors ---------- */

function notify(text) {
  $('notice').textContent = text;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { $('notice').textContent = ''; }, 8000);
}

/* Reports a failed call; 401 means the session is gone. */
function fail(err) {
  if (err.status === 401) toLogin();
  else notify(err.status === 0 ? t('error.network') : t('error.generic'));
}

/* ---------- lists ---------- */

let refreshing = null;
let refreshAgain = false;

/** Re-reads the lists; calls made while one runs are folded into one more. */
function refreshLists() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      try {
        lists = await api.get(`${A}/chats`);
        renderLists();
      } catch (err) {
        if (err.status === 401) toLogin();
        // else keep showing what we had; the next event refreshes again
      }
    } while (refreshAgain);
    refreshing = null;
  })();
  return refreshing;
}

function findChat(id) {
  return (lists.active || []).concat(lists.recent || []).find((c) => sameId(c.id, id)) || null;
}

function isMine(id) {
  return (lists.active || []).some((c) => sameId(c.id, id));
}

function setQueueCount(n) {
  $('queue-count').textContent = String(n || 0);
}

function renderLists() {
  const active = lists.active || [];
  const recent = lists.recent || [];
  setQueueCount(lists.queue && lists.queue.waiting);
  $('active-count').textContent = String(active.length);
  renderList($('active-list'), $('active-empty'), active);
  renderList($('recent-list'), $('recent-empty'), recent);

  // The open chat counts as read; the title shows the rest.
  const unread = active.reduce((n, c) => n + (sameId(c.id, openId) ? 0 : (c.unread || 0)), 0);
  document.title = unread > 0 ? t('agent.title_unread', { n: unread }) : t('agent.title');

  if (openChat) {
    const fresh = findChat(openId);
    if (fresh) openChat = { ...openChat, ...fresh };
    updateConversationState();
  }
}

function renderList(ul, empty, chats) {
  const focused = document.activeElement && ul.contains(document.activeElement)
    ? document.activeElement.closest('li').dataset.chatId : null;
  ul.replaceChildren(...chats.map(chatItem));
  empty.hidden = chats.length > 0;
  if (focused) {
    const again = ul.querySelector(`li[data-chat-id="${CSS.escape(focused)}"] button`);
    if (again) again.focus();
  }
}

function chatItem(chat) {
  const li = document.createElement('li');
  li.dataset.chatId = String(chat.id);
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'chat-item';
  if (sameId(chat.id, openId)) button.setAttribute('aria-current', 'true');
  button.addEventListener('click', () => openConversation(chat.id));

  const dot = document.createElement('span');
  const from = chat.last_from === 'agent' ? 'agent' : chat.last_from === 'customer' ? 'customer' : '';
  dot.className = 'dot' + (from ? ' from-' + from : '');
  if (from) {
    const label = t('list.last_' + from);
    dot.title = label;
    const sr = document.createElement('span');
    sr.className = 'sr-only';
    sr.textContent = label;
    dot.append(sr);
  }

  const name = document.createElement('span');
  name.className = 'ci-name';
  name.textContent = (chat.customer && chat.customer.name) || t('list.no_name');

  const when = chat.last_at || chat.ended_at || chat.started_at;
  const time = document.createElement('time');
  time.className = 'ci-time';
  if (when) {
    time.dateTime = when;
    time.textContent = formatWhen(when);
  }

  const channel = document.createElement('span');
  channel.className = 'ci-channel';
  channel.textContent = chat.channel || '';

  button.append(dot, name, time, channel);
  const unread = chat.unread || 0;
  if (unread > 0 && !sameId(chat.id, openId)) {
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = String(unread);
    badge.setAttribute('aria-label', t('list.unread', { n: unread }));
    button.append(badge);
  }
  li.append(button);
  return li;
}

/* ---------- the open conversation ---------- */

async function openConversation(id) {
  openId = String(id);
  openChat = findChat(id);
  log.clear();
  log.myName = me.user.name || me.user.username;
  $('conv-empty').hidden = true;
  $('conv-body').hidden = false;
  document.body.classList.add('conv-open');
  for (const b of document.querySelectorAll('.chat-item')) {
    if (sameId(b.parentElement.dataset.chatId, openId)) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  }
  showCustomer([]);
  updateConversationState();
  await loadConversation();
  input.focus();
}

/* (Re)reads the open chat and merges its events into the log. */
async function loadConversation() {
  if (!openId) return;
  const token = ++openToken;
  const id = openId;
  try {
    const answer = await api.get(chatPath(id));
    if (token !== openToken || !sameId(id, openId)) return;
    openChat = answer.chat;
    log.addAll(answer.events);
    showCustomer(answer.events || []);
    updateConversationState();
    refreshLists();   // opening a chat reads its messages: the unread count changes
  } catch (err) {
    if (token !== openToken) return;
    if (err.status === 404) {
      notify(t('agent.chat_gone'));
      closeConversation();
      refreshLists();
    } else {
      fail(err);
    }
  }
}

function closeConversation() {
  openId = null;
  openChat = null;
  openToken++;
  log.clear();
  $('conv-body').hidden = true;
  $('conv-empty').hidden = false;
  $('customer').hidden = true;
  document.body.classList.remove('conv-open');
  renderLists();
}

function showCustomer(events) {
  const chat = openChat;
  if (!chat) {
    $('customer').hidden = true;
    return;
  }
  const customer = chat.customer || {};
  $('conv-title').textContent = customer.name || t('list.no_name');
  $('c-name').textContent = customer.name || '';
  const email = $('c-email');
  email.textContent = customer.email || '';
  if (customer.email) email.href = 'mailto:' + customer.email;
  else email.removeAttribute('href');
  const first = events.find((ev) => ev.type === 'message' && ev.author && ev.author.kind === 'customer');
  $('c-question').textContent = chat.question || (first ? first.text : '') || '';
  $('c-channel').textContent = chat.channel || '';
  $('c-started').textContent = chat.started_at ? formatWhen(chat.started_at) : '';
  $('customer').hidden = false;
}

/* Input on for my ongoing chats only; ended chats are read-only. */
function updateConversationState() {
  const chat = openChat;
  const ended = !chat || chat.status === 'ended';
  const canWrite = !ended && isMine(openId);
  input.disabled = !canWrite;
  $('send').disabled = !canWrite;
  $('end').hidden = !canWrite;
  $('read-only').hidden = canWrite || !chat;
  $('read-only').textContent = ended ? t('agent.read_only') : t('agent.not_yours');
  $('conv-status').textContent = chat && chat.status ? t('chat.status.' + chat.status) : '';
  $('conv-status').dataset.status = chat && chat.status ? chat.status : '';
}

function sendText(text) {
  const id = openId;
  log.send(text, (body) => api.post(chatPath(id, '/messages'), body), (err) => {
    if (err.status === 409) {
      notify(t('agent.chat_ended'));
      loadConversation();
      refreshLists();
    } else if (err.status === 403) {
      notify(t('agent.not_yours'));
    } else if (err.status === 422) {
      notify(t('error.message_invalid'));
    } else {
      fail(err);
    }
  });
}

async function endChat() {
  if (!openId || !window.confirm(t('agent.end_confirm'))) return;
  const id = openId;
  $('end').disabled = true;
  try {
    await withRetry(() => api.post(chatPath(id, '/end'), {}));
    if (sameId(id, openId)) {
      openChat = { ...openChat, status: 'ended' };
      updateConversationState();
      loadConversation();
    }
    refreshLists();
  } catch (err) {
    fail(err);
  } finally {
    $('end').disabled = false;
  }
}

/* ---------- queue and status ---------- */

async function nextFromQueue() {
  const button = $('next');
  button.disabled = true;
  try {
    const answer = await api.post(`${A}/queue/next`, {});
    await refreshLists();
    if (answer && answer.chat) await openConversation(answer.chat.id);
  } catch (err) {
    if (err.status === 404) notify(t('agent.queue_empty'));
    else if (err.status === 409) notify(t('agent.at_capacity'));
    else fail(err);
  } finally {
    button.disabled = false;
  }
}

let myStatus = '';

async function changeStatus() {
  const wanted = statusSelect.value;
  try {
    const answer = await api.put(`${A}/me/status`, { status: wanted });
    myStatus = (answer && answer.status) || wanted;
  } catch (err) {
    fail(err);
  }
  statusSelect.value = myStatus;
}

/* ---------- the feed ---------- */

let unreadInOpen = false;

/* A customer message came into the open chat: if the agent can see it, read
 * the chat again (GET /chats/{id} marks it read); else wait until the page
 * is visible again. */
function markRead() {
  if (document.hidden) unreadInOpen = true;
  else loadConversation();
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && unreadInOpen) {
    unreadInOpen = false;
    loadConversation();
  }
});

function onFeed(answer) {
  $('conn').textContent = '';
  let refresh = false;
  for (const ev of answer.events || []) {
    const isOpen = openId !== null && sameId(ev.chat_id, openId);
    switch (ev.type) {
      case 'chat.message':
        if (isOpen && ev.event) {
          log.add(ev.event);
          if (ev.event.author && ev.event.author.kind === 'customer') markRead();
        }
        refresh = true;
        break;
      case 'chat.ended':
        if (isOpen) loadConversation();
        refresh = true;
        break;
      case 'queue.changed':
        if (typeof ev.waiting === 'number') setQueueCount(ev.waiting);
        break;
      case 'status.changed':
        if (typeof ev.status === 'string' && (ev.user_id === undefined || sameId(ev.user_id, me.user.id))) {
          myStatus = ev.status;
          statusSelect.value = ev.status;
        }
        break;
      default:
        // chat.assigned, chat.queued and whatever comes later: re-read the lists.
        refresh = true;
    }
  }
  if (refresh) refreshLists();
}

/* ---------- start ---------- */

async function init() {
  bindLogout($('logout'));
  bindComposer($('composer'), input, sendText);
  $('end').addEventListener('click', endChat);
  $('next').addEventListener('click', nextFromQueue);
  $('back').addEventListener('click', closeConversation);
  statusSelect.addEventListener('change', changeStatus);

  me = await withRetry(loadMe);
  $('me-name').textContent = me.user.name || me.user.username;
  myStatus = me.status || 'offline';
  statusSelect.value = myStatus;

  // Take the feed's cursor before reading the lists, so nothing that
  // happens in between is missed.
  let first;
  try {
    first = await withRetry(() => api.get(`${A}/events?after=0&wait=0`));
  } catch (err) {
    fail(err);
    return;
  }
  await refreshLists();
  startPoll({
    after: first.last_seq || 0,
    fetch: (after, wait, opts) => api.get(`${A}/events?after=${after}&wait=${wait}`, opts),
    onAnswer: onFeed,
    onRetry: () => { $('conn').textContent = t('chat.reconnecting'); },
    onFatal: (err) => {
      if (err.status === 401) toLogin();
      else $('conn').textContent = t('error.generic');
    },
  });
}

init().catch((err) => {
  console.error('snak: agent page failed to start', err);
  fail(err);
});
