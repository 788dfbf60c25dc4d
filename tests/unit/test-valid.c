/* test-valid.c: cgi-bin/valid.c: integers, e-mail addresses, slugs, user names, UTF-8 length. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "valid.h"

/* ---- valid_int ---- */

static void
test_int_good(void **state)
{
	long long v;

	(void)state;
	v = -99;
	assert_int_equal(valid_int("0", 0, 10, &v), 1);
	assert_int_equal(v, 0);
	assert_int_equal(valid_int("10", 0, 10, &v), 1);
	assert_int_equal(v, 10);
	assert_int_equal(valid_int("-5", -10, 10, &v), 1);
	assert_int_equal(v, -5);
	assert_int_equal(valid_int("9007199254740992", 0, 9007199254740992LL, &v), 1);
	assert_true(v == 9007199254740992LL);
	assert_int_equal(valid_int("9223372036854775807", 0, INT64_MAX, &v), 1);
	assert_true(v == INT64_MAX);
	assert_int_equal(valid_int("-9223372036854775808", INT64_MIN, 0, &v), 1);
	assert_true(v == INT64_MIN);
}

static void
test_int_bounds(void **state)
{
	long long v = 7;

	(void)state;
	assert_int_equal(valid_int("11", 0, 10, &v), 0);
	assert_int_equal(valid_int("-1", 0, 10, &v), 0);
	assert_int_equal(valid_int("31", 0, 30, &v), 0);
	assert_int_equal(valid_int("9007199254740993", 0, 9007199254740992LL, &v), 0);
	/* A rejected value leaves *out alone. */
	assert_int_equal(v, 7);
}

static void
test_int_junk(void **state)
{
	static const char *const bad[] = {
		"", "-", "+", "+5", "12a", "a12", "1 ", " 1", "\t1", "1.0",
		"0x10", "1e3", "--1", "1-", "١", "12\n",
		"99999999999999999999",		/* overflow, 20 digits */
		"9223372036854775808",		/* INT64_MAX + 1 */
		"-9223372036854775809",
		"000000000000000000001",	/* 21 characters */
	};
	long long	 v = 7;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (valid_int(bad[i], INT64_MIN, INT64_MAX, &v) != 0)
			fail_msg("valid_int accepted \"%s\"", bad[i]);
	}
	assert_int_equal(valid_int(NULL, 0, 10, &v), 0);
	assert_int_equal(v, 7);
}

/* ---- valid_email ---- */

static void
test_email_good(void **state)
{
	static const char *const good[] = {
		"a@b.co",
		"first.last+tag@sub.example.com",
		"x_y-z@example-host.org",
		"o'brien@example.ie",
		"user@xn--bcher-kva.example",
		"a@b.c0m",		/* a TLD with a digit is fine, all digits is not */
		"1@2.com",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!valid_email(good[i]))
			fail_msg("valid_email rejected \"%s\"", good[i]);
}

static void
test_email_bad(void **state)
{
	static const char *const bad[] = {
		"", "a", "ab", "@b.co", "a@",
		"ab.co",			/* no @ */
		"a@@b.co",			/* two @ */
		"a@b@c.co",
		".a@b.co",			/* dot at start of local */
		"a.@b.co",			/* dot at end of local */
		"a..b@c.co",			/* double dot */
		"a@-b.co",			/* label with leading hyphen */
		"a@b-.co",			/* label with trailing hyphen */
		"a@b.-co",
		"a@b.co-",
		"a@b.123",			/* numeric TLD */
		"a@1.2.3.4",
		"a@b",				/* missing TLD */
		"a b@c.co", "ab@c .co", " a@b.co", "a@b.co ",	/* spaces */
		"a@b..co", "a@.b.co", "a@b.co.",	/* empty labels */
		"a@b_c.co",			/* underscore in the domain */
		"a\"b@c.co", "a(b)@c.co", "a,b@c.co", "a<b@c.co",
		"\xc3\xa6@b.co",		/* non-ASCII local part */
		"a@b\xc3\xa6.co",
		"a@b.co\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (valid_email(bad[i]))
			fail_msg("valid_email accepted \"%s\"", bad[i]);
	assert_int_equal(valid_email(NULL), 0);
}

/* Fills s with `local`-long local part and labels of the given lengths. */
static void
make_email(char *s, size_t local, const size_t *labels, size_t nlabels)
{
	size_t i;

	memset(s, 'l', local);
	s += local;
	*s++ = '@';
	for (i = 0; i < nlabels; i++) {
		if (i > 0)
			*s++ = '.';
		memset(s, 'd', labels[i]);
		s += labels[i];
	}
	*s = '\0';
}

static void
test_email_lengths(void **state)
{
	char		 s[400];
	const size_t	 l254[] = { 63, 63, 61 };	/* 64+1+63+1+63+1+61 = 254 */
	const size_t	 l255[] = { 63, 63, 62 };
	const size_t	 l64[] = { 64, 3 };
	const size_t	 l63[] = { 63, 3 };

	(void)state;
	make_email(s, 64, l254, 3);
	assert_int_equal(strlen(s), 254);
	assert_int_equal(valid_email(s), 1);
	make_email(s, 64, l255, 3);
	assert_int_equal(strlen(s), 255);	/* > 254 characters */
	assert_int_equal(valid_email(s), 0);
	make_email(s, 65, l63, 2);		/* local part > 64 */
	assert_int_equal(valid_email(s), 0);
	make_email(s, 64, l63, 2);
	assert_int_equal(valid_email(s), 1);
	make_email(s, 5, l64, 2);		/* a label > 63 */
	assert_int_equal(valid_email(s), 0);
}

/* ---- valid_slug, valid_username ---- */

static void
test_slug(void **state)
{
	char s[80];

	(void)state;
	assert_int_equal(valid_slug("support"), 1);
	assert_int_equal(valid_slug("demo-shop-2"), 1);
	assert_int_equal(valid_slug("0"), 1);
	assert_int_equal(valid_slug(""), 0);
	assert_int_equal(valid_slug(NULL), 0);
	assert_int_equal(valid_slug("-x"), 0);
	assert_int_equal(valid_slug("Shop"), 0);
	assert_int_equal(valid_slug("a_b"), 0);
	assert_int_equal(valid_slug("a b"), 0);
	assert_int_equal(valid_slug("a.b"), 0);
	assert_int_equal(valid_slug("a/b"), 0);
	assert_int_equal(valid_slug("\xc3\xa6"), 0);
	memset(s, 'a', 64);
	s[64] = '\0';
	assert_int_equal(valid_slug(s), 1);	/* 64 */
	s[64] = 'a';
	s[65] = '\0';
	assert_int_equal(valid_slug(s), 0);	/* 65 */
}

static void
test_username(void **state)
{
	char s[80];

	(void)state;
	assert_int_equal(valid_username("Alice"), 1);
	assert_int_equal(valid_username("bob.smith@example-1_x"), 1);
	assert_int_equal(valid_username("-"), 1);
	assert_int_equal(valid_username(""), 0);
	assert_int_equal(valid_username(NULL), 0);
	assert_int_equal(valid_username("a b"), 0);
	assert_int_equal(valid_username("a+b"), 0);
	assert_int_equal(valid_username("a/b"), 0);
	assert_int_equal(valid_username("a<b"), 0);
	assert_int_equal(valid_username("\xc3\xa6"), 0);
	memset(s, 'U', 64);
	s[64] = '\0';
	assert_int_equal(valid_username(s), 1);
	s[64] = 'U';
	s[65] = '\0';
	assert_int_equal(valid_username(s), 0);
}

/* ---- valid_chars ---- */

static void
test_chars(void **state)
{
	(void)state;
	assert_int_equal(valid_chars(""), 0);
	assert_int_equal(valid_chars("abc"), 3);
	assert_int_equal(valid_chars("\xc3\xa6\xc3\xb8\xc3\xa5"), 3);	/* æøå */
	assert_int_equal(strlen("\xc3\xa6\xc3\xb8\xc3\xa5"), 6);
	assert_int_equal(valid_chars("\xe2\x82\xac" "1"), 2);			/* €1 */
	assert_int_equal(valid_chars("\xf0\x9f\x98\x80"), 1);			/* U+1F600 */
	assert_int_equal(valid_chars("a\xf0\x9f\x98\x80z"), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int_good),
		cmocka_unit_test(test_int_bounds),
		cmocka_unit_test(test_int_junk),
		cmocka_unit_test(test_email_good),
		cmocka_unit_test(test_email_bad),
		cmocka_unit_test(test_email_lengths),
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_username),
		cmocka_unit_test(test_chars),
	};

	return cmocka_run_group_tests_name("valid", tests, NULL, NULL);
}
