/* auth.h: passwords, random tokens, agent sessions, CSRF, login throttling. */
#ifndef SNAK_AUTH_H
#define SNAK_AUTH_H

#include <stddef.h>

struct req;
struct db;

#define AUTH_TOKEN_LEN	43	/* 32 random bytes, base64url without padding */
#define AUTH_HASH_LEN	32	/* BLAKE2b-256 of a token, as stored */

/* Call once at start (libsodium). */
int	auth_init(void);

/* Argon2id through libsodium; `out` gets the encoded string. 0 or -1. */
int	auth_hash_password(const char *password, char *out, size_t size);
/* 1 if password matches the stored encoded hash. */
int	auth_verify_password(const char *hash, const char *password);

/* A new random token (for sessions, chats, CSRF) into out[AUTH_TOKEN_LEN+1]. */
void	auth_token(char *out);
/* What is stored for a token: tokens are never stored as they are. */
void	auth_token_hash(const char *token, unsigned char out[AUTH_HASH_LEN]);
/* Constant-time comparison of two strings. */
int	auth_equal(const char *, const char *);

/*
 * Loads the agent session named by the request's cookie into r->user.
 * Returns 0, or 401 (no or unknown session; sent unless `quiet`) or 503
 * (database down; sent).
 */
int	auth_session(struct req *, int quiet);
/*
 * 1 if `token` opens chat `id`, 0 if not (or there is no such chat), -1
 * if the database is down. Pairs that matched are remembered a minute.
 */
int	auth_chat_token(struct db *, long long id, const char *token);
/* For a change: 0 if X-CSRF-Token matches the session, else sends 403. */
int	auth_csrf(struct req *);

/*
 * Login throttling: seconds the caller must still wait before trying
 * `username` again from r->remote_addr (0: go ahead), or -1 when the
 * database is down.
 */
int	auth_throttle_wait(struct req *, const char *username);
void	auth_throttle_fail(struct req *, const char *username);
void	auth_throttle_clear(struct req *, const char *username);

#endif
