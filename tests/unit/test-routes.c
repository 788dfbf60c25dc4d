/* test-routes.c: cgi-bin/routes.c: every pattern shape, ids, slugs, methods, unknown paths.
 *
 * Linked with the real handlers (no stubs): a match is checked by the
 * handler it names, so a table entry pointing at the wrong function fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "request.h"
#include "routes.h"

static struct req r;

static const struct route *
match(enum method m, const char *path, unsigned *allowed)
{
	memset(&r, 0, sizeof(r));
	r.method = m;
	snprintf(r.path, sizeof(r.path), "%s", path);
	*allowed = 12345;
	return routes_match(&r, allowed);
}

/* `path` with `m` goes to `handler` with `flags`. */
static void
assert_route(enum method m, const char *path, int (*handler)(struct req *),
    unsigned flags)
{
	const struct route	*rt;
	unsigned		 allowed;

	rt = match(m, path, &allowed);
	if (rt == NULL)
		fail_msg("%s %s: no route", request_method_name(m), path);
	if (rt->handler != handler)
		fail_msg("%s %s: routed to %s, another handler",
		    request_method_name(m), path, rt->pattern);
	assert_int_equal(rt->flags, flags);
	assert_true(rt->methods & m);
	assert_int_equal(allowed, 0);
}

/* `path` with `m` has no route; `allowed` the methods that path has. */
static void
assert_no_route(enum method m, const char *path, unsigned want_allowed)
{
	const struct route	*rt;
	unsigned		 allowed;

	rt = match(m, path, &allowed);
	if (rt != NULL)
		fail_msg("%s %s: matched %s", request_method_name(m), path,
		    rt->pattern);
	if (allowed != want_allowed)
		fail_msg("%s %s: allowed %u, want %u", request_method_name(m),
		    path, allowed, want_allowed);
}

static void
test_literal_routes(void **state)
{
	(void)state;
	assert_route(METHOD_GET, "/healthz", api_healthz, 0);
	assert_route(METHOD_HEAD, "/healthz", api_healthz, 0);
	assert_route(METHOD_GET, "/login", page_login, 0);
	assert_route(METHOD_GET, "/agent", page_agent, NEED_SESSION | PAGE);
	assert_route(METHOD_GET, "/admin", page_admin, NEED_SESSION | PAGE);
	assert_route(METHOD_GET, "/widget", page_widget, 0);
	assert_route(METHOD_POST, "/api/v1/auth/login", api_login, 0);
	assert_route(METHOD_POST, "/api/v1/auth/logout", api_logout, NEED_SESSION);
	assert_route(METHOD_GET, "/api/v1/agent/me", api_agent_me, NEED_SESSION);
	assert_route(METHOD_PUT, "/api/v1/agent/me/status", api_agent_status, NEED_SESSION);
	assert_route(METHOD_GET, "/api/v1/agent/events", api_agent_events, NEED_SESSION);
	assert_route(METHOD_GET, "/api/v1/agent/chats", api_agent_chats, NEED_SESSION);
	assert_route(METHOD_POST, "/api/v1/agent/queue/next", api_agent_next, NEED_SESSION);
}

static void
test_id_routes(void **state)
{
	(void)state;
	assert_route(METHOD_GET, "/api/v1/widget/chats/12/events", api_widget_events, NEED_CHAT);
	assert_int_equal(r.id[0], 12);
	assert_route(METHOD_GET, "/api/v1/widget/chats/7", api_widget_chat, NEED_CHAT);
	assert_int_equal(r.id[0], 7);
	assert_route(METHOD_POST, "/api/v1/widget/chats/1/messages", api_widget_message, NEED_CHAT);
	assert_int_equal(r.id[0], 1);
	assert_route(METHOD_POST, "/api/v1/widget/chats/90/end", api_widget_end, NEED_CHAT);
	assert_int_equal(r.id[0], 90);
	assert_route(METHOD_GET, "/api/v1/agent/chats/345", api_agent_chat, NEED_SESSION);
	assert_int_equal(r.id[0], 345);
	assert_route(METHOD_POST, "/api/v1/agent/chats/345/messages", api_agent_message, NEED_SESSION);
	assert_int_equal(r.id[0], 345);
	assert_route(METHOD_POST, "/api/v1/agent/chats/6/end", api_agent_end, NEED_SESSION);
	assert_int_equal(r.id[0], 6);
	/* The largest id: 18 nines. */
	assert_route(METHOD_GET, "/api/v1/agent/chats/999999999999999999", api_agent_chat, NEED_SESSION);
	assert_true(r.id[0] == 999999999999999999LL);
}

static void
test_bad_ids(void **state)
{
	static const char *const bad[] = {
		"/api/v1/widget/chats/012/events",	/* leading zero */
		"/api/v1/widget/chats/0/events",
		"/api/v1/widget/chats/00/events",
		"/api/v1/widget/chats/-1/events",	/* negative */
		"/api/v1/widget/chats/+1/events",
		"/api/v1/widget/chats/1a/events",	/* non-digit */
		"/api/v1/widget/chats/a1/events",
		"/api/v1/widget/chats/abc/events",
		"/api/v1/widget/chats/1.0/events",
		"/api/v1/widget/chats/ 1/events",
		"/api/v1/widget/chats//events",		/* empty */
		"/api/v1/widget/chats/1000000000000000000/events",	/* 19 digits */
		"/api/v1/widget/chats/99999999999999999999/events",
		"/api/v1/agent/chats/0",
		"/api/v1/agent/chats/07",
		"/api/v1/agent/chats/-5",
		"/api/v1/agent/chats/5x",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_no_route(METHOD_GET, bad[i], 0);
		assert_no_route(METHOD_POST, bad[i], 0);
	}
}

static void
test_slug_routes(void **state)
{
	char	 path[200], slug[70];

	(void)state;
	assert_route(METHOD_GET, "/api/v1/widget/channels/demo-shop", api_widget_channel, 0);
	assert_string_equal(r.slug, "demo-shop");
	assert_route(METHOD_POST, "/api/v1/widget/channels/support2/chats", api_widget_chat_new, 0);
	assert_string_equal(r.slug, "support2");

	/* 64 characters match, 65 do not. */
	memset(slug, 'a', 64);
	slug[64] = '\0';
	snprintf(path, sizeof(path), "/api/v1/widget/channels/%s", slug);
	assert_route(METHOD_GET, path, api_widget_channel, 0);
	assert_string_equal(r.slug, slug);
	snprintf(path, sizeof(path), "/api/v1/widget/channels/%s/chats", slug);
	assert_route(METHOD_POST, path, api_widget_chat_new, 0);
	slug[64] = 'a';
	slug[65] = '\0';
	snprintf(path, sizeof(path), "/api/v1/widget/channels/%s", slug);
	assert_no_route(METHOD_GET, path, 0);
	snprintf(path, sizeof(path), "/api/v1/widget/channels/%s/chats", slug);
	assert_no_route(METHOD_POST, path, 0);

	/* Upper case, other characters, a leading '-', empty. */
	assert_no_route(METHOD_GET, "/api/v1/widget/channels/Demo", 0);
	assert_no_route(METHOD_GET, "/api/v1/widget/channels/DEMO", 0);
	assert_no_route(METHOD_GET, "/api/v1/widget/channels/de_mo", 0);
	assert_no_route(METHOD_GET, "/api/v1/widget/channels/de.mo", 0);
	assert_no_route(METHOD_GET, "/api/v1/widget/channels/-demo", 0);
	assert_no_route(METHOD_GET, "/api/v1/widget/channels/", 0);
	assert_no_route(METHOD_POST, "/api/v1/widget/channels//chats", 0);
	assert_no_route(METHOD_POST, "/api/v1/widget/channels/Demo/chats", 0);
}

static void
test_wrong_method(void **state)
{
	(void)state;
	assert_no_route(METHOD_POST, "/healthz", METHOD_GET | METHOD_HEAD);
	assert_no_route(METHOD_DELETE, "/login", METHOD_GET);
	assert_no_route(METHOD_HEAD, "/agent", METHOD_GET);
	assert_no_route(METHOD_GET, "/api/v1/auth/login", METHOD_POST);
	assert_no_route(METHOD_POST, "/api/v1/agent/me", METHOD_GET);
	assert_no_route(METHOD_GET, "/api/v1/agent/me/status", METHOD_PUT);
	assert_no_route(METHOD_PUT, "/api/v1/agent/chats", METHOD_GET);
	assert_no_route(METHOD_GET, "/api/v1/agent/queue/next", METHOD_POST);
	assert_no_route(METHOD_DELETE, "/api/v1/agent/chats/3", METHOD_GET);
	assert_no_route(METHOD_GET, "/api/v1/agent/chats/3/end", METHOD_POST);
	assert_no_route(METHOD_POST, "/api/v1/widget/chats/3/events", METHOD_GET);
	assert_no_route(METHOD_GET, "/api/v1/widget/channels/shop/chats", METHOD_POST);
	assert_no_route(METHOD_POST, "/api/v1/widget/channels/shop", METHOD_GET);
	assert_no_route(METHOD_OTHER, "/widget", METHOD_GET);
}

static void
test_unknown_paths(void **state)
{
	static const char *const bad[] = {
		"", "/", "/healthz/", "//healthz", "/healthzz", "/health",
		"/HEALTHZ", "/login/", "/login?x=1", "/agent/x",
		"/api", "/api/v1", "/api/v1/", "/api/v2/agent/me",
		"/api/v1/agent/me/", "/api/v1/agent/me/statuses",
		"/api/v1/agent/chats/3/", "/api/v1/agent/chats/3/messages/1",
		"/api/v1/widget/chats/3/events/", "/api/v1/widget/chats/3/foo",
		"/api/v1/widget/chats", "/api/v1/widget/channels",
		"/api/v1/widget/channels/shop/chats/1",
		"/static/app.js", "/api/v1/agent/chats/3\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_no_route(METHOD_GET, bad[i], 0);
		assert_no_route(METHOD_POST, bad[i], 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_routes),
		cmocka_unit_test(test_id_routes),
		cmocka_unit_test(test_bad_ids),
		cmocka_unit_test(test_slug_routes),
		cmocka_unit_test(test_wrong_method),
		cmocka_unit_test(test_unknown_paths),
	};

	return cmocka_run_group_tests_name("routes", tests, NULL, NULL);
}
