/* test-request.c: cgi-bin/request.c: environment, query table, cookies, headers, body limits.
 *
 * request_parse() reads the body through r->io; here that is a memory buffer
 * handed out in small chunks, and it counts the reads so a test can tell
 * that a too-large body was refused before any byte was read. Errors are
 * checked the way a client sees them: status, r->answered and the JSON body.
 * (send_error() logs a line per error on stderr: expected.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "auth.h"
#include "request.h"

struct mem {
	const char	*data;
	size_t		 len;
	size_t		 pos;
	size_t		 chunk;		/* most bytes per read; 0: as asked */
	int		 reads;		/* read calls */
};

static int
mem_read(void *ctx, char *dst, int n)
{
	struct mem	*m = ctx;
	size_t		 k = m->len - m->pos;

	m->reads++;
	if ((size_t)n < k)
		k = (size_t)n;
	if (m->chunk && m->chunk < k)
		k = m->chunk;
	memcpy(dst, m->data + m->pos, k);
	m->pos += k;
	return (int)k;
}

static struct req	 r;
static struct mem	 m;

/* Parses with the env list and body; returns request_parse's result. */
static int
parse(char **envp, const char *body, size_t len)
{
	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	m.data = body ? body : "";
	m.len = body ? len : 0;
	m.chunk = 1000;
	r.io.ctx = &m;
	r.io.read = mem_read;
	r.io.fd = -1;
	return request_parse(&r, envp);
}

static int
parse_env(char **envp)
{
	return parse(envp, NULL, 0);
}

/* The request was answered with `status` and a JSON error `code`. */
static void
assert_error(int rc, int status, const char *code)
{
	json_t		*o;
	json_error_t	 err;

	assert_int_equal(rc, status);
	assert_int_equal(r.status, status);
	assert_int_equal(r.answered, 1);
	o = json_loadb(r.out.p, r.out.len, 0, &err);
	if (o == NULL)
		fail_msg("error body is not JSON: %s", buf_str(&r.out));
	assert_true(json_is_object(o));
	assert_string_equal(json_string_value(json_object_get(o, "error")), code);
	assert_true(json_is_string(json_object_get(o, "message")));
	assert_true(strlen(json_string_value(json_object_get(o, "message"))) > 0);
	json_decref(o);
	assert_non_null(strstr(buf_str(&r.head), "Content-Type: application/json"));
}

static void
assert_ok(int rc)
{
	if (rc != 0)
		fail_msg("request_parse: %d: %s", rc, buf_str(&r.out));
	assert_int_equal(r.answered, 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.out.len, 0);
}

static int
teardown(void **state)
{
	(void)state;
	request_free(&r);
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	return auth_init();
}

/* Runs one query string; returns request_parse's result. */
static int
query(const char *qs)
{
	static char	 q[8192];
	char		*env[] = { "REQUEST_METHOD=GET", "DOCUMENT_URI=/x", q, NULL };

	request_free(&r);
	snprintf(q, sizeof(q), "QUERY_STRING=%s", qs);
	return parse_env(env);
}

/* ---- method, path, plain environment ---- */

static void
test_methods(void **state)
{
	static const struct { const char *env; enum method m; } cases[] = {
		{ "REQUEST_METHOD=GET", METHOD_GET },
		{ "REQUEST_METHOD=POST", METHOD_POST },
		{ "REQUEST_METHOD=PUT", METHOD_PUT },
		{ "REQUEST_METHOD=DELETE", METHOD_DELETE },
		{ "REQUEST_METHOD=HEAD", METHOD_HEAD },
		{ "REQUEST_METHOD=PATCH", METHOD_OTHER },
		{ "REQUEST_METHOD=get", METHOD_OTHER },	/* methods are case-sensitive */
		{ "REQUEST_METHOD=", METHOD_OTHER },
		{ "REQUEST_METHODX=GET", METHOD_OTHER },	/* not the variable */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *env[] = { (char *)cases[i].env, NULL };

		request_free(&r);
		assert_ok(parse_env(env));
		if (r.method != cases[i].m)
			fail_msg("%s: method %d, want %d", cases[i].env,
			    (int)r.method, (int)cases[i].m);
	}
	request_free(&r);
	assert_ok(parse_env(NULL));
	assert_int_equal(r.method, METHOD_OTHER);
	assert_string_equal(r.path, "/");
	assert_int_equal(r.q.after, -1);
	assert_int_equal(r.q.wait, -1);
	assert_string_equal(r.q.channel, "");
	assert_null(r.body);
	assert_int_equal(strlen(r.rid), 16);	/* a request id is made */
}

static void
test_method_names(void **state)
{
	(void)state;
	assert_string_equal(request_method_name(METHOD_GET), "GET");
	assert_string_equal(request_method_name(METHOD_POST), "POST");
	assert_string_equal(request_method_name(METHOD_PUT), "PUT");
	assert_string_equal(request_method_name(METHOD_DELETE), "DELETE");
	assert_string_equal(request_method_name(METHOD_HEAD), "HEAD");
	assert_string_equal(request_method_name(METHOD_OTHER), "OTHER");
}

static void
test_path(void **state)
{
	char	*doc[] = { "REQUEST_URI=/other?x=1",
	    "DOCUMENT_URI=/api/v1/agent/me", NULL };
	char	*req[] = { "REQUEST_URI=/api/v1/agent/chats?after=5", NULL };
	char	 longp[600], *lng[] = { longp, NULL };
	char	 fitp[600], *fit[] = { fitp, NULL };

	(void)state;
	assert_ok(parse_env(doc));
	assert_string_equal(r.path, "/api/v1/agent/me");
	request_free(&r);
	/* Without DOCUMENT_URI, REQUEST_URI up to the '?'. */
	assert_ok(parse_env(req));
	assert_string_equal(r.path, "/api/v1/agent/chats");
	assert_int_equal(r.q.after, -1);	/* the query comes from QUERY_STRING */
	request_free(&r);

	/* 511 bytes fit, 512 do not. */
	snprintf(fitp, sizeof(fitp), "DOCUMENT_URI=/%0510d", 0);
	assert_ok(parse_env(fit));
	assert_int_equal(strlen(r.path), 511);
	request_free(&r);
	snprintf(longp, sizeof(longp), "DOCUMENT_URI=/%0511d", 0);
	assert_error(parse_env(lng), 414, "path_too_long");
}

static void
test_env_fields(void **state)
{
	char *env[] = {
		"REQUEST_METHOD=POST", "DOCUMENT_URI=/x",
		"REMOTE_ADDR=192.0.2.7", "HTTPS=on",
		"HTTP_ACCEPT_LANGUAGE=da-DK,da;q=0.9",
		"HTTP_X_CSRF_TOKEN=csrf-123",
		"HTTP_AUTHORIZATION=Bearer tok.EN_1",
		NULL,
	};
	char *off[] = { "HTTPS=off", "HTTP_AUTHORIZATION=Basic dXNlcjpwdw==", NULL };
	char *empty[] = { "HTTPS=", NULL };

	(void)state;
	assert_ok(parse_env(env));
	assert_int_equal(r.method, METHOD_POST);
	assert_string_equal(r.remote_addr, "192.0.2.7");
	assert_int_equal(r.https, 1);
	assert_string_equal(r.accept_language, "da-DK,da;q=0.9");
	assert_string_equal(r.csrf, "csrf-123");
	assert_string_equal(r.bearer, "tok.EN_1");
	assert_int_equal(r.has_bearer, 1);
	assert_string_equal(r.session, "");
	request_free(&r);

	/* Another scheme: the header was sent, but no bearer token. */
	assert_ok(parse_env(off));
	assert_int_equal(r.https, 0);
	assert_int_equal(r.has_bearer, 1);
	assert_string_equal(r.bearer, "");
	request_free(&r);

	assert_ok(parse_env(empty));
	assert_int_equal(r.https, 0);
	assert_int_equal(r.has_bearer, 0);
	assert_string_equal(r.csrf, "");
}

static void
test_bearer_forms(void **state)
{
	char	 h[300], *env[] = { h, NULL };

	(void)state;
	snprintf(h, sizeof(h), "HTTP_AUTHORIZATION=bearer abc");	/* scheme is case-insensitive */
	assert_ok(parse_env(env));
	assert_string_equal(r.bearer, "abc");
	request_free(&r);
	snprintf(h, sizeof(h), "HTTP_AUTHORIZATION=Bearer");
	assert_ok(parse_env(env));
	assert_int_equal(r.has_bearer, 1);
	assert_string_equal(r.bearer, "");
	request_free(&r);
	snprintf(h, sizeof(h), "HTTP_AUTHORIZATION=Bearerabc");
	assert_ok(parse_env(env));
	assert_string_equal(r.bearer, "");
	request_free(&r);
	/* Longer than the field: dropped, not cut. */
	snprintf(h, sizeof(h), "HTTP_AUTHORIZATION=Bearer %0200d", 7);
	assert_ok(parse_env(env));
	assert_int_equal(r.has_bearer, 1);
	assert_string_equal(r.bearer, "");
	request_free(&r);
	snprintf(h, sizeof(h), "HTTP_AUTHORIZATION=Bearer %0127d", 7);
	assert_ok(parse_env(env));
	assert_int_equal(strlen(r.bearer), 127);
}

static void
test_csrf_too_long(void **state)
{
	char	 h[300], *env[] = { h, NULL };

	(void)state;
	snprintf(h, sizeof(h), "HTTP_X_CSRF_TOKEN=%0128d", 1);
	assert_ok(parse_env(env));
	assert_string_equal(r.csrf, "");
}

/* ---- cookies ---- */

static void
test_cookie(void **state)
{
	static const struct { const char *hdr, *want; } cases[] = {
		{ "HTTP_COOKIE=snak_session=abc", "abc" },
		{ "HTTP_COOKIE=a=1; snak_session=s.1-2_3; b=2", "s.1-2_3" },
		{ "HTTP_COOKIE=a=1;snak_session=xyz", "xyz" },
		{ "HTTP_COOKIE=snak_session_old=no; snak_session=yes", "yes" },
		{ "HTTP_COOKIE=xsnak_session=no", "" },
		{ "HTTP_COOKIE=other=snak_session=no", "" },
		{ "HTTP_COOKIE=snak_session=", "" },
		{ "HTTP_COOKIE=snak_session", "" },
		{ "HTTP_COOKIE=", "" },
		{ "HTTP_COOKIE=;;; ; ", "" },
		{ "HTTP_COOKIE=snak_session=first; snak_session=second", "first" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *env[] = { (char *)cases[i].hdr, NULL };

		request_free(&r);
		assert_ok(parse_env(env));
		if (strcmp(r.session, cases[i].want) != 0)
			fail_msg("%s: session \"%s\", want \"%s\"", cases[i].hdr,
			    r.session, cases[i].want);
	}
}

static void
test_cookie_too_long(void **state)
{
	char	 h[400], *env[] = { h, NULL };

	(void)state;
	snprintf(h, sizeof(h), "HTTP_COOKIE=a=b; snak_session=%0128d; c=d", 5);
	assert_ok(parse_env(env));
	assert_string_equal(r.session, "");
	request_free(&r);
	snprintf(h, sizeof(h), "HTTP_COOKIE=a=b; snak_session=%0127d; c=d", 5);
	assert_ok(parse_env(env));
	assert_int_equal(strlen(r.session), 127);
}

/* ---- the query table ---- */

static void
test_query_fields(void **state)
{
	(void)state;
	assert_ok(query("after=12&wait=30&channel=demo-shop"));
	assert_int_equal(r.q.after, 12);
	assert_int_equal(r.q.wait, 30);
	assert_string_equal(r.q.channel, "demo-shop");

	assert_ok(query("after=0&wait=0"));
	assert_int_equal(r.q.after, 0);
	assert_int_equal(r.q.wait, 0);
	assert_string_equal(r.q.channel, "");

	assert_ok(query("after=9007199254740992"));	/* 2^53 */
	assert_true(r.q.after == 9007199254740992LL);

	assert_ok(query(""));
	assert_int_equal(r.q.after, -1);
	assert_int_equal(r.q.wait, -1);

	/* Unknown keys and empty parts are ignored. */
	assert_ok(query("&&foo=bar&after=3&x&=y&_=123&"));
	assert_int_equal(r.q.after, 3);
	assert_int_equal(r.q.wait, -1);
	/* Names are matched whole. */
	assert_ok(query("afterx=1&Wait=99&channel_=X"));
	assert_int_equal(r.q.after, -1);
	assert_int_equal(r.q.wait, -1);
	assert_string_equal(r.q.channel, "");
}

static void
test_query_bad_values(void **state)
{
	static const char *const bad[] = {
		"after=-1", "after=9007199254740993", "after=abc", "after=1.5",
		"after=", "after", "after=%201", "after=1+", "after=99999999999999999999",
		"wait=31", "wait=-1", "wait=", "wait=1e1", "wait=0x1",
		"channel=", "channel=Demo", "channel=-x", "channel=a_b",
		"channel=a%2Fb", "channel",
		"after=1&wait=31",	/* a bad one after a good one */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = query(bad[i]);

		if (rc != 400)
			fail_msg("query \"%s\": %d, want 400", bad[i], rc);
		assert_error(rc, 400, "bad_query");
	}
}

static void
test_query_channel_length(void **state)
{
	char q[100];

	(void)state;
	snprintf(q, sizeof(q), "channel=%064d", 0);
	assert_ok(query(q));
	assert_int_equal(strlen(r.q.channel), 64);
	snprintf(q, sizeof(q), "channel=%065d", 0);
	assert_error(query(q), 400, "bad_query");
}

static void
test_query_decoding(void **state)
{
	(void)state;
	assert_ok(query("%61fter=%31%32&ch%61nnel=a%2db"));
	assert_int_equal(r.q.after, 12);
	assert_string_equal(r.q.channel, "a-b");
	assert_ok(query("channel=%6A%6b"));	/* upper and lower hex */
	assert_string_equal(r.q.channel, "jk");
	/* '+' is a space: not a valid slug. */
	assert_error(query("channel=a+b"), 400, "bad_query");
	/* Broken escapes anywhere, even in unknown keys. */
	assert_error(query("after=%"), 400, "bad_query");
	assert_error(query("after=%3"), 400, "bad_query");
	assert_error(query("after=%g1"), 400, "bad_query");
	assert_error(query("x=%zz"), 400, "bad_query");
	assert_error(query("%zz=1"), 400, "bad_query");
	/* %00 would cut the value short: refused. */
	assert_error(query("channel=ab%00cd"), 400, "bad_query");
	assert_error(query("x=%00"), 400, "bad_query");
	assert_error(query("after=1%00"), 400, "bad_query");
}

static void
test_query_duplicates(void **state)
{
	(void)state;
	/* The last value wins; both are checked. */
	assert_ok(query("after=1&after=2"));
	assert_int_equal(r.q.after, 2);
	assert_error(query("after=1&after=x"), 400, "bad_query");
	assert_error(query("after=x&after=1"), 400, "bad_query");
}

static void
test_query_length(void **state)
{
	static char	 q[REQ_MAX_QUERY + 10];
	size_t		 n;

	(void)state;
	/* Exactly 4096 bytes: fine. */
	memcpy(q, "after=5&x=", 10);
	n = REQ_MAX_QUERY - 10;
	memset(q + 10, 'a', n);
	q[REQ_MAX_QUERY] = '\0';
	assert_int_equal(strlen(q), REQ_MAX_QUERY);
	assert_ok(query(q));
	assert_int_equal(r.q.after, 5);
	/* One more: 414. */
	q[REQ_MAX_QUERY] = 'a';
	q[REQ_MAX_QUERY + 1] = '\0';
	assert_error(query(q), 414, "query_too_long");
	assert_int_equal(r.q.after, -1);
}

/* ---- the body ---- */

static void
test_body_json(void **state)
{
	const char	*body = "{\"text\": \"hi \\u00e6\", \"n\": 3, \"z\": null}";
	char		 clen[32];
	char		*env[] = { "REQUEST_METHOD=POST", "DOCUMENT_URI=/x",
	    "CONTENT_TYPE=application/json; charset=utf-8", clen, NULL };
	const char	*s = "unset";

	(void)state;
	snprintf(clen, sizeof(clen), "CONTENT_LENGTH=%zu", strlen(body));
	assert_ok(parse(env, body, strlen(body)));
	assert_non_null(r.body);
	assert_true(json_is_object(r.body));
	assert_int_equal(r.raw_len, strlen(body));
	assert_string_equal(r.raw_body, body);
	assert_true(m.reads >= 2);		/* read up to the end */
	assert_int_equal(m.pos, m.len);

	assert_int_equal(request_body_str(&r, "text", &s), 1);
	assert_string_equal(s, "hi \xc3\xa6");
	assert_int_equal(request_body_str(&r, "n", &s), -1);	/* wrong type */
	assert_null(s);
	s = "unset";
	assert_int_equal(request_body_str(&r, "z", &s), 0);	/* null */
	assert_null(s);
	s = "unset";
	assert_int_equal(request_body_str(&r, "absent", &s), 0);
	assert_null(s);
}

static void
test_body_str_without_body(void **state)
{
	char		*env[] = { "REQUEST_METHOD=GET", NULL };
	const char	*s = "unset";

	(void)state;
	assert_ok(parse_env(env));
	assert_null(r.body);
	assert_int_equal(request_body_str(&r, "text", &s), 0);
	assert_null(s);
}

static void
test_body_str_types(void **state)
{
	const char	*body = "{\"a\": [], \"b\": {}, \"c\": true, \"d\": 1.5, \"e\": \"\"}";
	char		*env[] = { "REQUEST_METHOD=POST",
	    "CONTENT_TYPE=application/json", NULL };
	const char	*s;

	(void)state;
	assert_ok(parse(env, body, strlen(body)));
	assert_int_equal(request_body_str(&r, "a", &s), -1);
	assert_int_equal(request_body_str(&r, "b", &s), -1);
	assert_int_equal(request_body_str(&r, "c", &s), -1);
	assert_int_equal(request_body_str(&r, "d", &s), -1);
	assert_int_equal(request_body_str(&r, "e", &s), 1);
	assert_string_equal(s, "");
}

static void
test_body_bad_json(void **state)
{
	static const char *const bad[] = {
		"{\"a\": ", "{a: 1}", "not json", "{\"a\": 1}}", "{\"a\":1,\"a\":2}",
		"\xff", "{\"a\": \"\xc3\"}",
	};
	char	*env[] = { "REQUEST_METHOD=POST", "CONTENT_TYPE=application/json", NULL };
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		request_free(&r);
		assert_error(parse(env, bad[i], strlen(bad[i])), 400, "bad_json");
	}
}

static void
test_body_not_object(void **state)
{
	static const char *const bad[] = { "[1, 2]", "\"text\"", "3", "null", "true" };
	char	*env[] = { "REQUEST_METHOD=POST", "CONTENT_TYPE=application/json", NULL };
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		request_free(&r);
		assert_error(parse(env, bad[i], strlen(bad[i])), 400, "bad_json");
	}
}

static void
test_body_wrong_type(void **state)
{
	const char	*body = "{\"a\": 1}";
	char		*form[] = { "REQUEST_METHOD=POST",
	    "CONTENT_TYPE=application/x-www-form-urlencoded", NULL };
	char		*none[] = { "REQUEST_METHOD=POST", NULL };
	char		*upper[] = { "REQUEST_METHOD=POST",
	    "CONTENT_TYPE=Application/JSON", NULL };

	(void)state;
	assert_error(parse(form, body, strlen(body)), 415, "unsupported_type");
	request_free(&r);
	assert_error(parse(none, body, strlen(body)), 415, "unsupported_type");
	request_free(&r);
	assert_ok(parse(upper, body, strlen(body)));
	assert_non_null(r.body);
	request_free(&r);
	/* Without a body the type does not matter. */
	assert_ok(parse(form, "", 0));
	assert_null(r.body);
}

static void
test_body_bad_length(void **state)
{
	char *env[] = { "REQUEST_METHOD=POST", "CONTENT_TYPE=application/json",
	    "CONTENT_LENGTH=12x", NULL };
	char *neg[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=-1", NULL };

	(void)state;
	assert_error(parse(env, "{}", 2), 400, "bad_length");
	request_free(&r);
	assert_error(parse(neg, "{}", 2), 400, "bad_length");
}

static void
test_body_announced_too_large(void **state)
{
	char *env[] = { "REQUEST_METHOD=POST", "CONTENT_TYPE=application/json",
	    "CONTENT_LENGTH=65537", NULL };
	char *huge[] = { "REQUEST_METHOD=POST", "CONTENT_TYPE=application/json",
	    "CONTENT_LENGTH=99999999999", NULL };

	(void)state;
	assert_error(parse(env, "{}", 2), 413, "too_large");
	assert_int_equal(m.reads, 0);		/* refused before reading */
	assert_null(r.raw_body);
	request_free(&r);
	assert_error(parse(huge, "{}", 2), 413, "too_large");
	assert_int_equal(m.reads, 0);
}

/* A JSON object of exactly `size` bytes: {"a":"xxx..."} */
static char *
json_of_size(size_t size)
{
	char *s = malloc(size + 1);

	assert_non_null(s);
	memset(s, 'x', size);
	memcpy(s, "{\"a\":\"", 6);
	memcpy(s + size - 2, "\"}", 2);
	s[size] = '\0';
	return s;
}

static void
test_body_exactly_max(void **state)
{
	char	*body = json_of_size(REQ_MAX_BODY);
	char	*env[] = { "REQUEST_METHOD=POST", "CONTENT_TYPE=application/json",
	    "CONTENT_LENGTH=65536", NULL };

	(void)state;
	assert_ok(parse(env, body, REQ_MAX_BODY));
	assert_int_equal(r.raw_len, REQ_MAX_BODY);
	assert_non_null(r.body);
	free(body);
}

static void
test_body_longer_than_announced(void **state)
{
	char	*body = json_of_size(REQ_MAX_BODY + 1);
	char	*body2 = json_of_size(200000);
	char	*env[] = { "REQUEST_METHOD=POST", "CONTENT_TYPE=application/json",
	    "CONTENT_LENGTH=10", NULL };
	char	*nolen[] = { "REQUEST_METHOD=POST", "CONTENT_TYPE=application/json", NULL };

	(void)state;
	/* Announced 10 bytes, sent 64 KiB + 1. */
	assert_error(parse(env, body, REQ_MAX_BODY + 1), 413, "too_large");
	assert_null(r.raw_body);
	request_free(&r);
	/* No length at all, 200 kB sent: stops once past the limit. */
	assert_error(parse(nolen, body2, 200000), 413, "too_large");
	assert_true(m.pos <= REQ_MAX_BODY + 4096);
	free(body);
	free(body2);
}

static void
test_body_one_byte_reads(void **state)
{
	const char	*body = "{\"text\":\"x\"}";
	char		*env[] = { "REQUEST_METHOD=POST", "CONTENT_TYPE=application/json", NULL };
	const char	*s;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	m.data = body;
	m.len = strlen(body);
	m.chunk = 1;
	r.io.ctx = &m;
	r.io.read = mem_read;
	assert_ok(request_parse(&r, env));
	assert_int_equal(m.reads, (int)strlen(body) + 1);
	assert_int_equal(request_body_str(&r, "text", &s), 1);
	assert_string_equal(s, "x");
}

static void
test_no_io(void **state)
{
	char *env[] = { "REQUEST_METHOD=GET", "CONTENT_LENGTH=0", NULL };

	(void)state;
	/* A request without a reader (r->io.read NULL) has no body. */
	memset(&r, 0, sizeof(r));
	assert_ok(request_parse(&r, env));
	assert_int_equal(r.raw_len, 0);
	assert_null(r.body);
}

static void
test_free_twice(void **state)
{
	const char	*body = "{}";
	char		*env[] = { "REQUEST_METHOD=POST", "CONTENT_TYPE=application/json", NULL };

	(void)state;
	assert_ok(parse(env, body, 2));
	request_free(&r);
	assert_null(r.body);
	assert_null(r.raw_body);
	request_free(&r);	/* the teardown frees once more */
}

static void
test_new_id(void **state)
{
	char first[24];

	(void)state;
	memset(&r, 0, sizeof(r));
	request_new_id(&r);
	assert_int_equal(strlen(r.rid), 16);
	assert_int_equal(strspn(r.rid, "0123456789abcdef"), 16);
	memcpy(first, r.rid, sizeof(first));
	request_new_id(&r);
	assert_string_not_equal(first, r.rid);
	/* A request id set beforehand is kept. */
	{
		char *env[] = { "REQUEST_METHOD=GET", NULL };

		memset(&r, 0, sizeof(r));
		strcpy(r.rid, "given");
		assert_ok(request_parse(&r, env));
		assert_string_equal(r.rid, "given");
	}
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_methods),
		T(test_method_names),
		T(test_path),
		T(test_env_fields),
		T(test_bearer_forms),
		T(test_csrf_too_long),
		T(test_cookie),
		T(test_cookie_too_long),
		T(test_query_fields),
		T(test_query_bad_values),
		T(test_query_channel_length),
		T(test_query_decoding),
		T(test_query_duplicates),
		T(test_query_length),
		T(test_body_json),
		T(test_body_str_without_body),
		T(test_body_str_types),
		T(test_body_bad_json),
		T(test_body_not_object),
		T(test_body_wrong_type),
		T(test_body_bad_length),
		T(test_body_announced_too_large),
		T(test_body_exactly_max),
		T(test_body_longer_than_announced),
		T(test_body_one_byte_reads),
		T(test_no_io),
		T(test_free_twice),
		T(test_new_id),
	};

	return cmocka_run_group_tests_name("request", tests, group_setup, NULL);
}
