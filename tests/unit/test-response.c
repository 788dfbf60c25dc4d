/* test-response.c: cgi-bin/response.c: the send_* calls, header checks, and the bytes response_flush writes.
 *
 * r->io.write appends to a buffer, so the test sees exactly what nginx
 * would get. (send_error() logs one line per call on stderr: expected.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "buf.h"
#include "request.h"
#include "response.h"

static struct req	 r;
static struct buf	 wire;

static int
wire_write(void *ctx, const char *p, int n)
{
	(void)ctx;
	buf_append(&wire, p, (size_t)n);
	return n;
}

static int
setup(void **state)
{
	(void)state;
	memset(&r, 0, sizeof(r));
	buf_init(&r.head, 8192);
	buf_init(&r.out, 0);
	buf_init(&wire, 0);
	strcpy(r.rid, "rid123");
	r.method = METHOD_GET;
	strcpy(r.path, "/test");
	r.io.write = wire_write;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	request_free(&r);
	buf_free(&wire);
	return 0;
}

/* The head of what was written (up to the blank line), and the body. */
static const char *
wire_body(void)
{
	const char *p = strstr(buf_str(&wire), "\r\n\r\n");

	assert_non_null(p);
	return p + 4;
}

static int
has_header(const char *line)
{
	const char	*w = buf_str(&wire), *end = strstr(w, "\r\n\r\n");
	const char	*p = strstr(w, line);

	return p != NULL && end != NULL && p < end &&
	    (p == w || p[-1] == '\n');
}

static void
test_send_error(void **state)
{
	json_t *o;

	(void)state;
	send_error(&r, 404, "not_found", "No such \"thing\".");
	assert_int_equal(r.status, 404);
	assert_int_equal(r.answered, 1);
	o = json_loadb(r.out.p, r.out.len, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "error")), "not_found");
	assert_string_equal(json_string_value(json_object_get(o, "message")), "No such \"thing\".");
	assert_null(json_object_get(o, "fields"));
	assert_int_equal(json_object_size(o), 2);
	json_decref(o);
	assert_string_equal(buf_str(&r.head), "Content-Type: application/json\r\n");
}

static void
test_send_error_fields(void **state)
{
	json_t *o;

	(void)state;
	send_error_fields(&r, 422, "invalid", "Check the fields.",
	    json_pack("{s:s}", "email", "not_an_email"));
	assert_int_equal(r.status, 422);
	o = json_loadb(r.out.p, r.out.len, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "error")), "invalid");
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(o, "fields"), "email")), "not_an_email");
	json_decref(o);
}

static void
test_second_answer_ignored(void **state)
{
	(void)state;
	send_text(&r, 200, "text/plain", "first");
	send_error(&r, 500, "internal", "second");
	assert_int_equal(r.status, 200);
	assert_string_equal(buf_str(&r.out), "first");
	assert_string_equal(buf_str(&r.head), "Content-Type: text/plain\r\n");
}

static void
test_header_rules(void **state)
{
	(void)state;
	response_header(&r, "X-One", "1");
	response_header(&r, "X-Bad", "a\r\nSet-Cookie: evil=1");	/* dropped */
	response_header(&r, "X-Bad2", "a\nb");
	response_header(&r, "X-Del", "a\x7f");
	response_header(&r, "X-Two", "two words");
	send_empty(&r, 204);
	response_header(&r, "X-Late", "after the body");		/* dropped */
	assert_string_equal(buf_str(&r.head), "X-One: 1\r\nX-Two: two words\r\n");
	assert_null(strstr(buf_str(&r.head), "evil"));
}

static void
test_flush_json(void **state)
{
	const char *w;

	(void)state;
	send_json(&r, 201, json_pack("{s:i}", "id", 7));
	response_flush(&r);
	w = buf_str(&wire);
	assert_memory_equal(w, "Status: 201 Created\r\n", 21);
	assert_true(has_header("X-Content-Type-Options: nosniff\r\n"));
	assert_true(has_header("Referrer-Policy: same-origin\r\n"));
	assert_true(has_header("Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"));
	assert_true(has_header("X-Frame-Options: DENY\r\n"));
	assert_true(has_header("Cache-Control: no-store\r\n"));
	assert_true(has_header("X-Request-Id: rid123\r\n"));
	assert_true(has_header("Content-Type: application/json\r\n"));
	assert_true(has_header("Content-Length: 8\r\n"));
	assert_false(has_header("Strict-Transport-Security:"));
	assert_string_equal(wire_body(), "{\"id\":7}");
}

static void
test_flush_page_headers(void **state)
{
	(void)state;
	/* A page's own CSP and Cache-Control replace the defaults. */
	r.https = 1;
	response_header(&r, "Content-Security-Policy", "default-src 'self'");
	response_header(&r, "Cache-Control", "max-age=60");
	send_text(&r, 200, "text/html; charset=utf-8", "<p>x</p>");
	response_flush(&r);
	assert_true(has_header("Status: 200 OK\r\n"));
	assert_true(has_header("Content-Security-Policy: default-src 'self'\r\n"));
	assert_false(has_header("Content-Security-Policy: default-src 'none'"));
	assert_false(has_header("X-Frame-Options:"));
	assert_true(has_header("Cache-Control: max-age=60\r\n"));
	assert_false(has_header("Cache-Control: no-store"));
	assert_true(has_header("Strict-Transport-Security: max-age=31536000\r\n"));
	assert_true(has_header("Content-Length: 8\r\n"));
	assert_string_equal(wire_body(), "<p>x</p>");
}

static void
test_flush_head_and_204(void **state)
{
	(void)state;
	r.method = METHOD_HEAD;
	send_text(&r, 200, "text/plain", "ok");
	response_flush(&r);
	assert_true(has_header("Content-Length: 2\r\n"));
	assert_string_equal(wire_body(), "");	/* HEAD: no body */

	teardown(state);
	setup(state);
	send_empty(&r, 204);
	response_flush(&r);
	assert_true(has_header("Status: 204 No Content\r\n"));
	assert_false(has_header("Content-Length:"));
	assert_string_equal(wire_body(), "");
}

static void
test_flush_unanswered(void **state)
{
	json_t *o;

	(void)state;
	response_flush(&r);
	assert_true(has_header("Status: 500 Internal Server Error\r\n"));
	o = json_loads(wire_body(), 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "error")), "internal");
	json_decref(o);
}

static void
test_redirect(void **state)
{
	(void)state;
	send_redirect(&r, "/login?next=%2Fagent");
	response_flush(&r);
	assert_true(has_header("Status: 302 Found\r\n"));
	assert_true(has_header("Location: /login?next=%2Fagent\r\n"));
	assert_true(has_header("Content-Length: 0\r\n"));
	assert_string_equal(wire_body(), "");
}

static void
test_redirect_injection(void **state)
{
	(void)state;
	send_redirect(&r, "/x\r\nSet-Cookie: evil=1");
	response_flush(&r);
	assert_null(strstr(buf_str(&wire), "evil"));
	assert_false(has_header("Location:"));
}

static void
test_reasons(void **state)
{
	static const struct { int status; const char *line; } cases[] = {
		{ 400, "Status: 400 Bad Request\r\n" },
		{ 401, "Status: 401 Unauthorized\r\n" },
		{ 403, "Status: 403 Forbidden\r\n" },
		{ 405, "Status: 405 Method Not Allowed\r\n" },
		{ 413, "Status: 413 Payload Too Large\r\n" },
		{ 414, "Status: 414 URI Too Long\r\n" },
		{ 415, "Status: 415 Unsupported Media Type\r\n" },
		{ 429, "Status: 429 Too Many Requests\r\n" },
		{ 503, "Status: 503 Service Unavailable\r\n" },
		{ 418, "Status: 418 Client Error\r\n" },
		{ 502, "Status: 502 Internal Server Error\r\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (i > 0) {
			teardown(state);
			setup(state);
		}
		send_empty(&r, cases[i].status);
		response_flush(&r);
		if (!has_header(cases[i].line))
			fail_msg("status %d: %s", cases[i].status, buf_str(&wire));
	}
}

static void
test_db_down(void **state)
{
	(void)state;
	send_db_down(&r);
	assert_int_equal(r.status, 503);
	response_flush(&r);
	assert_true(has_header("Retry-After: 2\r\n"));
	assert_non_null(strstr(wire_body(), "\"error\":\"db_unavailable\""));
}

static void
test_missing_page(void **state)
{
	(void)state;
	/* No templates are loaded in this program: every page is missing. */
	send_page(&r, 200, "login", "en", NULL);
	assert_int_equal(r.status, 500);
	assert_non_null(strstr(buf_str(&r.out), "\"error\":\"internal\""));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_send_error),
		T(test_send_error_fields),
		T(test_second_answer_ignored),
		T(test_header_rules),
		T(test_flush_json),
		T(test_flush_page_headers),
		T(test_flush_head_and_204),
		T(test_flush_unanswered),
		T(test_redirect),
		T(test_redirect_injection),
		T(test_reasons),
		T(test_db_down),
		T(test_missing_page),
	};

	return cmocka_run_group_tests_name("response", tests, NULL, NULL);
}
