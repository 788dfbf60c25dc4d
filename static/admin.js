// admin.js: the first settings page (/admin). For now it lists the channels
// of the logged-in user with their embed snippet, ready to copy, and a link
// to preview the widget. The other settings come in later issues.

import { t } from './i18n.js';
import { withRetry } from './api.js';
import { loadMe, bindLogout } from './session.js';

const $ = (id) => document.getElementById(id);

/** The one line a website adds to show the widget of channel slug. */
function snippet(slug) {
  const src = new URL('/static/snak.js', location.origin).href;
  return `<script src="${attr(src)}" data-channel="${attr(slug)}" async></script>`;
}

/* Escapes a value for a double-quoted HTML attribute. */
function attr(value) {
  return String(value).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function copy(textarea, status) {
  try {
    await navigator.clipboard.writeText(textarea.value);
  } catch {
    // No clipboard API (plain http, old browser): select for Ctrl+C.
    textarea.focus();
    textarea.select();
    status.textContent = t('admin.copy_manual');
    return;
  }
  status.textContent = t('admin.copied');
  setTimeout(() => { status.textContent = ''; }, 3000);
}

function channelCard(channel) {
  const card = document.createElement('section');
  card.className = 'channel-card';
  const title = document.createElement('h3');
  title.textContent = channel.name || channel.slug;
  const slug = document.createElement('p');
  slug.className = 'muted';
  slug.textContent = t('admin.slug', { slug: channel.slug });

  const id = 'snippet-' + channel.slug;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = t('admin.snippet');
  const textarea = document.createElement('textarea');
  textarea.id = id;
  textarea.className = 'snippet';
  textarea.readOnly = true;
  textarea.rows = 2;
  textarea.value = snippet(channel.slug);

  const actions = document.createElement('div');
  actions.className = 'actions';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'btn primary';
  button.textContent = t('admin.copy');
  const status = document.createElement('span');
  status.className = 'muted';
  status.setAttribute('role', 'status');
  button.addEventListener('click', () => copy(textarea, status));
  const preview = document.createElement('a');
  preview.className = 'btn';
  preview.href = '/widget?channel=' + encodeURIComponent(channel.slug);
  preview.target = '_blank';
  preview.rel = 'noopener';
  preview.textContent = t('admin.preview');
  actions.append(button, preview, status);

  card.append(title, slug, label, textarea, actions);
  return card;
}

async function init() {
  bindLogout($('logout'));
  let me;
  try {
    me = await withRetry(loadMe);
  } catch (err) {
    $('admin-error').textContent = err.status === 0 ? t('error.network') : t('error.generic');
    return;
  }
  $('me-name').textContent = me.user.name || me.user.username;
  const channels = me.channels || [];
  $('no-channels').hidden = channels.length > 0;
  $('channels').replaceChildren(...channels.map(channelCard));
}

init();
