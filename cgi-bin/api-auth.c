/* api-auth.c: /healthz, login and logout. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "request.h"
#include "response.h"
#include "routes.h"
#include "serve.h"
#include "valid.h"

#define SESSION_MAX_AGE "43200"	/* 12 hours, as sessions.expires_at */

int
api_healthz(struct req *r)
{
	if (db_exec(r->db, STMT_PING, NULL, "") != DB_OK) {
		send_text(r, 503, "text/plain; charset=utf-8", "database unavailable\n");
		return HANDLER_DONE;
	}
	send_text(r, 200, "text/plain; charset=utf-8", "ok\n");
	return HANDLER_DONE;
}

static void
set_cookie(struct req *r, const char *value, const char *max_age)
{
	char c[256];

	snprintf(c, sizeof(c), "snak_session=%s; Path=/; Max-Age=%s; HttpOnly; "
	    "SameSite=Lax%s", value, max_age, r->https ? "; Secure" : "");
	response_header(r, "Set-Cookie", c);
}

/*
 * POST /api/v1/auth/login {username, password}: 200 with the user and a
 * CSRF token, plus a new session cookie; 401 for a wrong pair; 429 while
 * repeated failures slow this user name or address down.
 */
int
api_login(struct req *r)
{
	/* Verified against when the user does not exist, so that an unknown
	 * name takes as long as a wrong password. */
	static char	 dummy[128];
	const char	*username, *password, *hash;
	char		 token[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1], ra[16];
	unsigned char	 h[AUTH_HASH_LEN];
	struct dbres	 res;
	int		 wait, ok;
	long long	 uid;

	if (request_body_str(r, "username", &username) != 1 ||
	    request_body_str(r, "password", &password) != 1 ||
	    strlen(username) > 64 || strlen(password) > 1024) {
		send_error_fields(r, 422, "invalid", "Enter your user name and password.",
		    json_pack("{s:s}", "username", "required"));
		return HANDLER_DONE;
	}
	if ((wait = auth_throttle_wait(r, username)) < 0) {
		send_db_down(r);
		return HANDLER_DONE;
	}
	if (wait > 0) {
		snprintf(ra, sizeof(ra), "%d", wait);
		response_header(r, "Retry-After", ra);
		send_error(r, 429, "too_many_attempts",
		    "Too many failed attempts. Please wait a moment and try again.");
		return HANDLER_DONE;
	}
	if (db_exec(r->db, STMT_USER_BY_USERNAME, &res, "s", username) != DB_OK) {
		send_db_down(r);
		return HANDLER_DONE;
	}
	if (dummy[0] == '\0')
		auth_hash_password("not a password", dummy, sizeof(dummy));
	hash = res.rows == 1 ? dbres_str(&res, 0, 4) : dummy;
	ok = auth_verify_password(hash, password) && res.rows == 1 &&
	    dbres_int(&res, 0, 5) == 1;
	if (!ok) {
		dbres_free(&res);
		auth_throttle_fail(r, username);
		send_error(r, 401, "bad_credentials",
		    "Wrong user name or password.");
		return HANDLER_DONE;
	}
	uid = dbres_int(&res, 0, 0);
	auth_throttle_clear(r, username);
	/* A new session at every login: no fixation of an old cookie. */
	auth_token(token);
	auth_token(csrf);
	auth_token_hash(token, h);
	if (db_exec(r->db, STMT_SESSION_INSERT, NULL, "bis", h, sizeof(h),
	    uid, csrf) != DB_OK) {
		dbres_free(&res);
		send_db_down(r);
		return HANDLER_DONE;
	}
	set_cookie(r, token, SESSION_MAX_AGE);
	send_json(r, 200, json_pack("{s:{s:I, s:s, s:s, s:s}, s:s}",
	    "user", "id", (json_int_t)uid, "username", dbres_str(&res, 0, 1),
	    "name", dbres_str(&res, 0, 2), "role", dbres_str(&res, 0, 3),
	    "csrf_token", csrf));
	dbres_free(&res);
	return HANDLER_DONE;
}

/* POST /api/v1/auth/logout: 204; the session is gone on the server too. */
int
api_logout(struct req *r)
{
	if (db_exec(r->db, STMT_SESSION_DELETE, NULL, "i",
	    r->user.session_id) != DB_OK) {
		send_db_down(r);
		return HANDLER_DONE;
	}
	set_cookie(r, "", "0");
	send_empty(r, 204);
	return HANDLER_DONE;
}
