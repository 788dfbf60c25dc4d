// chatlog.js: the conversation log and the message composer, shared by the
// widget (customer's view) and the agent page (agent's view).
//
// Every chat event is drawn at most once (dedupe by its seq) and in seq
// order, whichever way it arrived (page load, poll, feed). A message being
// sent shows at once as a pending bubble at the end of the log; when the
// server answers with its seq, the bubble becomes that message (moved to its
// place in seq order), so the event with that seq, if it comes later, is
// already there and a message is never shown twice.

import { t, formatTime } from './i18n.js';
import { withRetry, newClientId } from './api.js';

const KINDS = ['customer', 'agent', 'system'];

export class ChatLog {
  /**
   * el: the #log element (role="log"); view: 'customer' in the widget,
   * 'agent' on the agent page. Messages by the viewer's own side get the
   * class "mine" and sit on the right.
   */
  constructor(el, view) {
    this.el = el;
    this.view = view;
    this.seqs = new Set();
    this.sending = Promise.resolve();
    this.generation = 0;        // bumped by clear(): late answers of old sends do nothing
    this.myName = '';           // author shown on pending bubbles in the agent view
  }

  /** Empties the log (another chat is shown, or a new one starts). */
  clear() {
    this.el.replaceChildren();
    this.seqs.clear();
    this.generation++;
  }

  /** True when the event with this seq is in the log. */
  has(seq) {
    return this.seqs.has(seq);
  }

  /** Adds a list of chat events; returns how many were new. */
  addAll(events) {
    let added = 0;
    for (const ev of events || []) if (this.add(ev)) added++;
    return added;
  }

  /** Adds one chat event unless it is already there; returns true if new. */
  add(ev) {
    if (!ev || typeof ev.seq !== 'number' || this.seqs.has(ev.seq)) return false;
    const node = renderEvent(ev, this.view);
    if (!node) {
      // Not drawn (e.g. typing), but remembered so it is not looked at again.
      this.seqs.add(ev.seq);
      return false;
    }
    this.seqs.add(ev.seq);
    node.dataset.seq = String(ev.seq);
    this.insert(node, ev.author && ev.author.kind === this.view);
    return true;
  }

  /* Inserts node in seq order, before any pending bubbles, keeping the view
   * at the bottom if it was there (or if the viewer wrote it). */
  insert(node, mine) {
    const log = this.el;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
    const seq = node.dataset.seq === undefined ? Infinity : Number(node.dataset.seq);
    let before = null;
    if (seq !== Infinity) {
      for (let n = log.lastElementChild; n; n = n.previousElementSibling) {
        if (n.dataset.seq !== undefined && Number(n.dataset.seq) < seq) break;
        before = n;
      }
    }
    log.insertBefore(node, before);
    if (atBottom || mine) log.scrollTop = log.scrollHeight;
  }

  /**
   * Sends text: shows a pending bubble at once, then calls post(body) with
   * body {text, client_id}, repeating the same body on network failure or
   * 503 so the server can drop duplicates. Sends go out one after another,
   * in the order typed. onError(err) is told about a final failure (e.g.
   * 409 chat ended); the bubble then stays, marked as not sent.
   */
  send(text, post, onError) {
    const bubble = this.pendingBubble(text);
    const body = { text, client_id: newClientId() };
    const generation = this.generation;
    this.sending = this.sending.then(() => withRetry(() => post(body)).then(
      (answer) => {
        if (generation !== this.generation) return;
        const seq = answer && answer.seq;
        bubble.remove();
        if (typeof seq !== 'number' || this.seqs.has(seq)) return;
        // Sent: the bubble is the message with this seq, in its place.
        this.seqs.add(seq);
        bubble.dataset.seq = String(seq);
        bubble.classList.remove('pending');
        bubble.querySelector('.msg-meta-state').textContent = formatTime(new Date().toISOString());
        this.insert(bubble, true);
      },
      (err) => {
        if (generation !== this.generation) return;
        bubble.classList.remove('pending');
        bubble.classList.add('failed');
        bubble.querySelector('.msg-meta-state').textContent = t('chat.not_sent');
        if (onError) onError(err);
      }));
    return this.sending;
  }

  pendingBubble(text) {
    const label = this.view === 'customer' ? t('chat.you') : (this.myName || t('author.agent'));
    const node = messageNode(this.view, label, text, '', true);
    node.classList.add('pending');
    node.querySelector('.msg-meta-state').textContent = t('chat.sending');
    this.insert(node, true);
    return node;
  }
}

/* The label shown as author of a message. */
function authorLabel(author, view) {
  const kind = KINDS.includes(author.kind) ? author.kind : 'system';
  if (view === 'customer' && kind === 'customer') return t('chat.you');
  return author.name || t('author.' + kind);
}

/* A message bubble: .msg.from-KIND with .msg-author, time and .msg-text. */
function messageNode(kind, author, text, at, mine) {
  const node = document.createElement('div');
  node.className = 'msg from-' + kind + (mine ? ' mine' : '');
  const meta = document.createElement('div');
  meta.className = 'msg-meta';
  const who = document.createElement('span');
  who.className = 'msg-author';
  who.textContent = author;
  meta.append(who);
  if (at) {
    const time = document.createElement('time');
    time.className = 'msg-time';
    time.dateTime = at;
    time.textContent = formatTime(at);
    meta.append(time);
  }
  const state = document.createElement('span');
  state.className = 'msg-meta-state';
  meta.append(state);
  const body = document.createElement('div');
  body.className = 'msg-text';
  body.textContent = text;
  node.append(meta, body);
  return node;
}

/* A one-line notice in the log ("Anna joined the chat"). */
function noteNode(text, at) {
  const node = document.createElement('div');
  node.className = 'note';
  const span = document.createElement('span');
  span.textContent = text;
  node.append(span);
  if (at) {
    const time = document.createElement('time');
    time.className = 'msg-time';
    time.dateTime = at;
    time.textContent = formatTime(at);
    node.append(' ', time);
  }
  return node;
}

/**
 * The element for one chat event in the given view, or null for events that
 * are not drawn in the log.
 */
export function renderEvent(ev, view) {
  const author = ev.author || { kind: 'system', name: '' };
  const kind = KINDS.includes(author.kind) ? author.kind : 'system';
  switch (ev.type) {
    case 'message': {
      const node = messageNode(kind, authorLabel(author, view), ev.text || '', ev.at, kind === view);
      if (ev.private) {
        node.classList.add('private');
        node.querySelector('.msg-meta-state').textContent = t('chat.private');
      }
      return node;
    }
    case 'system':
      return messageNode('system', authorLabel({ kind: 'system', name: author.name }, view),
        ev.text || '', ev.at, false);
    case 'agent_joined':
      return noteNode(t('event.agent_joined', { name: author.name || t('author.agent') }), ev.at);
    case 'agent_left':
      return noteNode(t('event.agent_left', { name: author.name || t('author.agent') }), ev.at);
    case 'status':
      return ev.status === 'ended' ? noteNode(t('event.ended'), ev.at) : null;
    default:
      return null;
  }
}

/**
 * Wires a composer: Enter sends, Shift+Enter makes a new line, the textarea
 * grows with its text. onText(text) gets the trimmed text of each send.
 */
export function bindComposer(form, input, onText) {
  const resize = () => {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 160) + 'px';
  };
  input.addEventListener('input', resize);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (input.disabled) return;
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    resize();
    onText(text);
  });
}
