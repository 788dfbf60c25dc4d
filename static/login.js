// login.js: the agents' login form (/login). On success the server sets the
// session cookie and we go to the agent page.

import { t } from './i18n.js';
import { api } from './api.js';

const form = document.getElementById('login');
const error = document.getElementById('login-error');
const submit = document.getElementById('login-submit');

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  error.textContent = '';
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  if (!username || !password) {
    error.textContent = t('login.missing');
    (username ? form.elements.password : form.elements.username).focus();
    return;
  }
  submit.disabled = true;
  try {
    await api.post('/api/v1/auth/login', { username, password });
    location.assign('/agent');
    return;
  } catch (err) {
    if (err.status === 401) error.textContent = t('login.bad_credentials');
    else if (err.status === 429) error.textContent = t('login.too_many');
    else if (err.status === 0) error.textContent = t('error.network');
    else error.textContent = t('error.generic');
    form.elements.password.select();
  }
  submit.disabled = false;
});
