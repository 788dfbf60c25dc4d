/* auth.c: password hashing, tokens, sessions, CSRF and login throttling.
 *
 * Passwords use Argon2id at libsodium's "interactive" cost (64 MiB, which
 * bounds what 8 concurrent logins can take). Session, chat and CSRF tokens
 * are 32 bytes from the kernel's random source; only their BLAKE2b hash is
 * stored, so a copy of the database does not open anyone's session.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "auth.h"
#include "db.h"
#include "request.h"
#include "response.h"

/* Failures before slowing down, per user name and per address. */
#define USER_FREE_TRIES	5
#define ADDR_FREE_TRIES	20
#define MAX_WAIT_S	900

int
auth_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

int
auth_hash_password(const char *pw, char *out, size_t size)
{
	if (size < crypto_pwhash_STRBYTES)
		return -1;
	return crypto_pwhash_str(out, pw, strlen(pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0 ? 0 : -1;
}

int
auth_verify_password(const char *hash, const char *pw)
{
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

void
auth_token(char *out)
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, AUTH_TOKEN_LEN + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
auth_token_hash(const char *token, unsigned char out[AUTH_HASH_LEN])
{
	crypto_generichash(out, AUTH_HASH_LEN, (const unsigned char *)token,
	    strlen(token), NULL, 0);
}

/*
 * Chat tokens that opened their chat lately. A chat's token never changes,
 * so a (chat, token hash) pair that matched once matches again: keeping it
 * for a minute saves a query on nearly every widget request. A slot per
 * chat id modulo the size; a collision only costs the query. (Sessions are
 * not kept like this: they end at logout, on any node.)
 */
#define CHAT_SLOTS	4096
#define CHAT_KEEP_S	60

static struct {
	long long	 id;
	time_t		 until;
	unsigned char	 h[AUTH_HASH_LEN];
} chat_slots[CHAT_SLOTS];
static pthread_mutex_t chat_mu = PTHREAD_MUTEX_INITIALIZER;

int
auth_chat_token(struct db *db, long long id, const char *token)
{
	unsigned char	 h[AUTH_HASH_LEN];
	struct dbres	 res;
	time_t		 now = time(NULL);
	size_t		 k = (size_t)((unsigned long long)id % CHAT_SLOTS);
	int		 ok;

	auth_token_hash(token, h);
	pthread_mutex_lock(&chat_mu);
	ok = chat_slots[k].id == id && chat_slots[k].until > now &&
	    sodium_memcmp(chat_slots[k].h, h, sizeof(h)) == 0;
	pthread_mutex_unlock(&chat_mu);
	if (ok)
		return 1;
	if (db_exec(db, STMT_CHAT_BY_TOKEN, &res, "ib", id, h,
	    sizeof(h)) != DB_OK)
		return -1;
	ok = res.rows == 1;
	dbres_free(&res);
	if (ok) {
		pthread_mutex_lock(&chat_mu);
		chat_slots[k].id = id;
		chat_slots[k].until = now + CHAT_KEEP_S;
		memcpy(chat_slots[k].h, h, sizeof(h));
		pthread_mutex_unlock(&chat_mu);
	}
	return ok;
}

int
auth_equal(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

int
auth_session(struct req *r, int quiet)
{
	unsigned char	 h[AUTH_HASH_LEN];
	struct dbres	 res;
	enum db_rc	 rc;

	if (strlen(r->session) != AUTH_TOKEN_LEN) {
		if (!quiet)
			send_error(r, 401, "unauthorized", "Please log in.");
		return 401;
	}
	auth_token_hash(r->session, h);
	rc = db_exec(r->db, STMT_SESSION_LOOKUP, &res, "b", h, sizeof(h));
	if (rc != DB_OK) {
		send_db_down(r);
		return 503;
	}
	if (res.rows != 1) {
		dbres_free(&res);
		if (!quiet)
			send_error(r, 401, "unauthorized",
			    "Your session has ended. Please log in again.");
		return 401;
	}
	r->user.session_id = dbres_int(&res, 0, 0);
	snprintf(r->user.csrf, sizeof(r->user.csrf), "%s", dbres_str(&res, 0, 1));
	r->user.id = dbres_int(&res, 0, 2);
	snprintf(r->user.username, sizeof(r->user.username), "%s",
	    dbres_str(&res, 0, 3));
	snprintf(r->user.name, sizeof(r->user.name), "%s", dbres_str(&res, 0, 4));
	snprintf(r->user.role, sizeof(r->user.role), "%s", dbres_str(&res, 0, 5));
	r->user.feed_seq = dbres_int(&res, 0, 7);
	/* Sliding expiry: renew when less than 11 of 12 hours are left. */
	if (dbres_int(&res, 0, 6))
		db_exec(r->db, STMT_SESSION_TOUCH, NULL, "i", r->user.session_id);
	dbres_free(&res);
	return 0;
}

int
auth_csrf(struct req *r)
{
	if (r->csrf[0] == '\0' || r->user.csrf[0] == '\0' ||
	    !auth_equal(r->csrf, r->user.csrf)) {
		send_error(r, 403, "csrf",
		    "The request lacks a valid X-CSRF-Token header.");
		return 403;
	}
	return 0;
}

static void
throttle_key(char *out, size_t size, const char *kind, const char *v)
{
	snprintf(out, size, "%s:%.90s", kind, v);
}

/* Seconds left to wait for one key; -1 when the database is down. */
static int
key_wait(struct req *r, const char *key, int free_tries)
{
	struct dbres	 res;
	long long	 failures, ago, wait;

	if (db_exec(r->db, STMT_LOGIN_FAILURES, &res, "s", key) != DB_OK)
		return -1;
	if (res.rows == 0) {
		dbres_free(&res);
		return 0;
	}
	failures = dbres_int(&res, 0, 0);
	ago = dbres_int(&res, 0, 1);
	dbres_free(&res);
	if (failures < free_tries)
		return 0;
	/* 30 s after the first extra failure, doubling, at most 15 minutes. */
	wait = failures - free_tries >= 5 ? MAX_WAIT_S :
	    30LL << (failures - free_tries);
	if (wait > MAX_WAIT_S)
		wait = MAX_WAIT_S;
	return ago >= wait ? 0 : (int)(wait - ago);
}

int
auth_throttle_wait(struct req *r, const char *username)
{
	char	 key[128];
	int	 a, b;

	throttle_key(key, sizeof(key), "u", username);
	if ((a = key_wait(r, key, USER_FREE_TRIES)) < 0)
		return -1;
	throttle_key(key, sizeof(key), "ip", r->remote_addr);
	if ((b = key_wait(r, key, ADDR_FREE_TRIES)) < 0)
		return -1;
	return a > b ? a : b;
}

void
auth_throttle_fail(struct req *r, const char *username)
{
	char key[128];

	throttle_key(key, sizeof(key), "u", username);
	db_exec(r->db, STMT_LOGIN_FAILURE_ADD, NULL, "s", key);
	throttle_key(key, sizeof(key), "ip", r->remote_addr);
	db_exec(r->db, STMT_LOGIN_FAILURE_ADD, NULL, "s", key);
}

void
auth_throttle_clear(struct req *r, const char *username)
{
	char key[128];

	throttle_key(key, sizeof(key), "u", username);
	db_exec(r->db, STMT_LOGIN_FAILURE_CLEAR, NULL, "s", key);
	/* A success from an address forgives it too: offices share one. */
	throttle_key(key, sizeof(key), "ip", r->remote_addr);
	db_exec(r->db, STMT_LOGIN_FAILURE_CLEAR, NULL, "s", key);
}
