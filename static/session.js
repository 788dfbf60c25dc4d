// session.js: what every logged-in agent page does first: read who I am
// (GET /api/v1/agent/me), take the CSRF token from that answer, and wire the
// logout button. Any 401 from an agent call sends the browser to /login.

import { api, setCsrf } from './api.js';

/** Goes to the login page. */
export function toLogin() {
  location.assign('/login');
}

/**
 * Returns the /me answer, with the CSRF token set for later calls. On 401
 * it goes to /login and never resolves (the page is leaving).
 */
export async function loadMe() {
  try {
    const me = await api.get('/api/v1/agent/me');
    setCsrf(me.csrf_token || document.body.dataset.csrf || '');
    return me;
  } catch (err) {
    if (err.status === 401) {
      toLogin();
      return new Promise(() => {});
    }
    throw err;
  }
}

/** Makes button log out (POST /api/v1/auth/logout) and go to /login. */
export function bindLogout(button) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api.post('/api/v1/auth/logout', {});
    } catch {
      // Gone already, or the server is down: either way leave the page.
    }
    toLogin();
  });
}
