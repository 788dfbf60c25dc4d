/* test-auth.c: cgi-bin/auth.c, the parts without a database: passwords, tokens, comparison, CSRF, bad cookies.
 *
 * Session lookup and login throttling read the database and are covered by
 * the API tests; here auth_session() is only given cookies it must refuse
 * before asking the database (r->db is NULL, so asking would crash).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "auth.h"
#include "buf.h"
#include "request.h"

static int
group_setup(void **state)
{
	(void)state;
	return auth_init();
}

static void
test_password(void **state)
{
	char hash[256], small[16];

	(void)state;
	assert_int_equal(auth_hash_password("correct horse", hash, sizeof(hash)), 0);
	assert_memory_equal(hash, "$argon2id$", 10);
	assert_int_equal(auth_verify_password(hash, "correct horse"), 1);
	assert_int_equal(auth_verify_password(hash, "correct hors"), 0);
	assert_int_equal(auth_verify_password(hash, "correct horse "), 0);
	assert_int_equal(auth_verify_password(hash, ""), 0);
	assert_int_equal(auth_verify_password("not a hash", "correct horse"), 0);
	assert_int_equal(auth_verify_password("", ""), 0);
	/* Too small an output buffer is refused, not overrun. */
	assert_int_equal(auth_hash_password("x", small, sizeof(small)), -1);
}

static void
test_password_salted(void **state)
{
	char a[256], b[256];

	(void)state;
	assert_int_equal(auth_hash_password("same", a, sizeof(a)), 0);
	assert_int_equal(auth_hash_password("same", b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(auth_verify_password(b, "same"), 1);
	/* UTF-8 passwords. */
	assert_int_equal(auth_hash_password("\xc3\xa6\xc3\xb8\xc3\xa5", a, sizeof(a)), 0);
	assert_int_equal(auth_verify_password(a, "\xc3\xa6\xc3\xb8\xc3\xa5"), 1);
	assert_int_equal(auth_verify_password(a, "aoa"), 0);
}

static void
test_token(void **state)
{
	char	 t[AUTH_TOKEN_LEN + 1], u[AUTH_TOKEN_LEN + 1];
	int	 i;

	(void)state;
	for (i = 0; i < 50; i++) {
		memset(t, '!', sizeof(t));
		auth_token(t);
		assert_int_equal(strlen(t), AUTH_TOKEN_LEN);
		assert_int_equal(strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_"), AUTH_TOKEN_LEN);
		auth_token(u);
		assert_string_not_equal(t, u);
	}
}

static void
test_token_hash(void **state)
{
	static const unsigned char abc[AUTH_HASH_LEN] = {	/* BLAKE2b-256("abc") */
		0xbd, 0xdd, 0x81, 0x3c, 0x63, 0x42, 0x39, 0x72,
		0x31, 0x71, 0xef, 0x3f, 0xee, 0x98, 0x57, 0x9b,
		0x94, 0x96, 0x4e, 0x3b, 0xb1, 0xcb, 0x3e, 0x42,
		0x72, 0x62, 0xc8, 0xc0, 0x68, 0xd5, 0x23, 0x19,
	};
	unsigned char	 h[AUTH_HASH_LEN], g[AUTH_HASH_LEN];

	(void)state;
	auth_token_hash("abc", h);
	assert_memory_equal(h, abc, AUTH_HASH_LEN);
	auth_token_hash("abd", g);
	assert_memory_not_equal(h, g, AUTH_HASH_LEN);
}

static void
test_equal(void **state)
{
	(void)state;
	assert_int_equal(auth_equal("abc", "abc"), 1);
	assert_int_equal(auth_equal("", ""), 1);
	assert_int_equal(auth_equal("abc", "abd"), 0);
	assert_int_equal(auth_equal("abc", "ab"), 0);	/* a prefix is not equal */
	assert_int_equal(auth_equal("ab", "abc"), 0);
	assert_int_equal(auth_equal("", "a"), 0);
	assert_int_equal(auth_equal("ABC", "abc"), 0);
}

static void
new_req(struct req *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->head, 8192);
	buf_init(&r->out, 0);
	strcpy(r->rid, "test");
}

static void
assert_sent(struct req *r, int status, const char *code)
{
	json_t *o;

	assert_int_equal(r->status, status);
	assert_int_equal(r->answered, 1);
	o = json_loadb(r->out.p, r->out.len, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "error")), code);
	json_decref(o);
}

static void
test_csrf(void **state)
{
	struct req r;

	(void)state;
	new_req(&r);
	strcpy(r.user.csrf, "token-1");
	strcpy(r.csrf, "token-1");
	assert_int_equal(auth_csrf(&r), 0);
	assert_int_equal(r.answered, 0);
	request_free(&r);

	new_req(&r);
	strcpy(r.user.csrf, "token-1");
	strcpy(r.csrf, "token-2");
	assert_int_equal(auth_csrf(&r), 403);
	assert_sent(&r, 403, "csrf");
	request_free(&r);

	new_req(&r);			/* no header */
	strcpy(r.user.csrf, "token-1");
	assert_int_equal(auth_csrf(&r), 403);
	assert_sent(&r, 403, "csrf");
	request_free(&r);

	new_req(&r);			/* both empty must not pass */
	assert_int_equal(auth_csrf(&r), 403);
	assert_sent(&r, 403, "csrf");
	request_free(&r);

	new_req(&r);			/* a prefix of the token */
	strcpy(r.user.csrf, "token-1");
	strcpy(r.csrf, "token-");
	assert_int_equal(auth_csrf(&r), 403);
	request_free(&r);
}

static void
test_session_bad_cookie(void **state)
{
	struct req r;

	(void)state;
	new_req(&r);			/* no cookie */
	assert_int_equal(auth_session(&r, 0), 401);
	assert_sent(&r, 401, "unauthorized");
	assert_int_equal(r.user.id, 0);
	request_free(&r);

	new_req(&r);			/* quiet: nothing sent */
	assert_int_equal(auth_session(&r, 1), 401);
	assert_int_equal(r.answered, 0);
	request_free(&r);

	new_req(&r);			/* one character short of a token */
	memset(r.session, 'a', AUTH_TOKEN_LEN - 1);
	assert_int_equal(auth_session(&r, 0), 401);
	assert_sent(&r, 401, "unauthorized");
	request_free(&r);

	new_req(&r);			/* one too many */
	memset(r.session, 'a', AUTH_TOKEN_LEN + 1);
	assert_int_equal(auth_session(&r, 1), 401);
	request_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_password_salted),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_token_hash),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_session_bad_cookie),
	};

	return cmocka_run_group_tests_name("auth", tests, group_setup, NULL);
}
