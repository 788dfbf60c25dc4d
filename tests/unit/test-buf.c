/* test-buf.c: cgi-bin/buf.c: growth, the hard maximum, the sticky error, NUL ends. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"

/* Every buffer with bytes must end in a NUL right after len. */
static void
assert_terminated(const struct buf *b)
{
	assert_non_null(b->p);
	assert_true(b->cap > b->len);
	assert_int_equal(b->p[b->len], '\0');
	assert_int_equal(strlen(b->p), b->len);
}

static void
test_fresh_is_empty_string(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.max, 16u << 20);	/* 0 means 16 MiB */
	assert_string_equal(buf_str(&b), "");
	buf_free(&b);
	assert_string_equal(buf_str(&b), "");
}

static void
test_append_zero_bytes_terminates(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, "", 0), 0);
	assert_terminated(&b);
	assert_string_equal(buf_str(&b), "");
	buf_free(&b);
}

static void
test_append_puts_putc(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_puts(&b, "hello"), 0);
	assert_int_equal(buf_putc(&b, ','), 0);
	assert_int_equal(buf_append(&b, " world!!", 6), 0);
	assert_int_equal(b.len, 12);
	assert_string_equal(buf_str(&b), "hello, world");
	assert_terminated(&b);
	/* Bytes with a NUL inside are kept as bytes. */
	assert_int_equal(buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 15);
	assert_memory_equal(b.p + 12, "a\0b", 4);
	buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
}

static void
test_growth_keeps_contents(void **state)
{
	struct buf	 b;
	char		 expect[10001];
	size_t		 i;

	(void)state;
	buf_init(&b, 0);
	for (i = 0; i < 10000; i++) {
		expect[i] = (char)('a' + i % 26);
		assert_int_equal(buf_putc(&b, expect[i]), 0);
		assert_int_equal(b.len, i + 1);
		assert_terminated(&b);
	}
	expect[10000] = '\0';
	assert_string_equal(b.p, expect);
	assert_true(b.cap >= 10001);
	/* Grows with slop, not by one byte per call. */
	assert_true(b.cap < 4 * 10001);
	buf_free(&b);
}

static void
test_printf_small_and_large(void **state)
{
	struct buf	 b;
	char		 big[3000];

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_printf(&b, "%d-%s-%c", 42, "x", 'y'), 0);
	assert_string_equal(buf_str(&b), "42-x-y");
	assert_terminated(&b);

	/* Longer than the 256-byte stack buffer: the second path. */
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(buf_printf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 6 + 2 + 2999);
	assert_terminated(&b);
	assert_memory_equal(b.p, "42-x-y[qqq", 10);
	assert_int_equal(b.p[b.len - 1], ']');
	assert_int_equal(b.p[b.len - 2], 'q');
	/* And a short one after it still appends at the end. */
	assert_int_equal(buf_printf(&b, "%s", "!"), 0);
	assert_int_equal(b.p[b.len - 1], '!');
	assert_int_equal(b.len, 6 + 2 + 2999 + 1);
	assert_terminated(&b);
	buf_free(&b);
}

static void
test_printf_exactly_255_and_256(void **state)
{
	struct buf	 b;
	char		 s[300];

	(void)state;
	/* The edge of the 256-byte first try. */
	memset(s, 'z', sizeof(s));
	s[255] = '\0';
	buf_init(&b, 0);
	assert_int_equal(buf_printf(&b, "%s", s), 0);
	assert_int_equal(b.len, 255);
	assert_terminated(&b);
	buf_reset(&b);
	s[255] = 'z';
	s[256] = '\0';
	assert_int_equal(buf_printf(&b, "%s", s), 0);
	assert_int_equal(b.len, 256);
	assert_string_equal(b.p, s);
	assert_terminated(&b);
	buf_free(&b);
}

static void
test_max_is_inclusive(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "0123456789"), 0);	/* exactly max */
	assert_int_equal(b.len, 10);
	assert_int_equal(b.err, 0);
	assert_terminated(&b);
	buf_free(&b);
}

static void
test_max_sets_sticky_error(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "01234"), 0);
	assert_int_equal(buf_puts(&b, "567890"), -1);	/* 11 > 10 */
	assert_int_equal(b.err, 1);
	/* Nothing of the failed append went in. */
	assert_int_equal(b.len, 5);
	assert_string_equal(buf_str(&b), "01234");
	/* Sticky: even appends that would fit now fail. */
	assert_int_equal(buf_putc(&b, 'x'), -1);
	assert_int_equal(buf_append(&b, "", 0), -1);
	assert_int_equal(buf_printf(&b, "%d", 1), -1);
	assert_int_equal(b.len, 5);
	assert_int_equal(b.err, 1);
	assert_terminated(&b);
	/* buf_reset starts over and clears the error. */
	buf_reset(&b);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_puts(&b, "abc"), 0);
	assert_string_equal(buf_str(&b), "abc");
	buf_free(&b);
}

static void
test_printf_over_max(void **state)
{
	struct buf	 b;
	char		 s[400];

	(void)state;
	/* Short path (fits the stack buffer) over the maximum. */
	buf_init(&b, 10);
	assert_int_equal(buf_printf(&b, "%s", "0123456789A"), -1);
	assert_int_equal(b.err, 1);
	assert_int_equal(b.len, 0);
	buf_free(&b);

	/* Long path (more than 256 bytes) over the maximum. */
	memset(s, 'm', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	buf_init(&b, 300);
	assert_int_equal(buf_puts(&b, "ab"), 0);
	assert_int_equal(buf_printf(&b, "%s", s), -1);
	assert_int_equal(b.err, 1);
	assert_int_equal(b.len, 2);
	assert_string_equal(buf_str(&b), "ab");
	buf_free(&b);
}

static void
test_default_max_16mib(void **state)
{
	struct buf	 b;
	char		*chunk;
	size_t		 i, n = 1 << 20;

	(void)state;
	chunk = malloc(n);
	assert_non_null(chunk);
	memset(chunk, 'k', n);
	buf_init(&b, 0);
	for (i = 0; i < 16; i++)
		assert_int_equal(buf_append(&b, chunk, n), 0);
	assert_int_equal(b.len, 16u << 20);
	assert_int_equal(b.err, 0);
	assert_int_equal(buf_putc(&b, 'x'), -1);
	assert_int_equal(b.err, 1);
	assert_int_equal(b.len, 16u << 20);
	assert_terminated(&b);
	buf_free(&b);
	free(chunk);
}

static void
test_free_then_reuse(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(buf_puts(&b, "12345"), -1);
	buf_free(&b);
	assert_int_equal(b.err, 0);
	assert_int_equal(buf_puts(&b, "1234"), 0);	/* max is kept */
	assert_int_equal(buf_puts(&b, "5"), -1);
	assert_string_equal(buf_str(&b), "1234");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_is_empty_string),
		cmocka_unit_test(test_append_zero_bytes_terminates),
		cmocka_unit_test(test_append_puts_putc),
		cmocka_unit_test(test_growth_keeps_contents),
		cmocka_unit_test(test_printf_small_and_large),
		cmocka_unit_test(test_printf_exactly_255_and_256),
		cmocka_unit_test(test_max_is_inclusive),
		cmocka_unit_test(test_max_sets_sticky_error),
		cmocka_unit_test(test_printf_over_max),
		cmocka_unit_test(test_default_max_16mib),
		cmocka_unit_test(test_free_then_reuse),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
