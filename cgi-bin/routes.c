/* routes.c: the route table, and the matcher that reads it. */
#include <string.h>

#include "request.h"
#include "routes.h"
#include "valid.h"

#define GET	METHOD_GET
#define HEAD	METHOD_HEAD
#define POST	METHOD_POST
#define PUT	METHOD_PUT

static const struct route routes[] = {
	{ "/healthz",				GET | HEAD, api_healthz,	0 },
	{ "/login",				GET,	page_login,		0 },
	{ "/agent",				GET,	page_agent,		NEED_SESSION | PAGE },
	{ "/admin",				GET,	page_admin,		NEED_SESSION | PAGE },
	{ "/widget",				GET,	page_widget,		0 },
	{ "/api/v1/auth/login",			POST,	api_login,		0 },
	{ "/api/v1/auth/logout",		POST,	api_logout,		NEED_SESSION },
	{ "/api/v1/widget/channels/{slug}",	GET,	api_widget_channel,	0 },
	{ "/api/v1/widget/channels/{slug}/chats", POST,	api_widget_chat_new,	0 },
	{ "/api/v1/widget/chats/{id}",		GET,	api_widget_chat,	NEED_CHAT },
	{ "/api/v1/widget/chats/{id}/events",	GET,	api_widget_events,	NEED_CHAT },
	{ "/api/v1/widget/chats/{id}/messages",	POST,	api_widget_message,	NEED_CHAT },
	{ "/api/v1/widget/chats/{id}/end",	POST,	api_widget_end,		NEED_CHAT },
	{ "/api/v1/agent/me",			GET,	api_agent_me,		NEED_SESSION },
	{ "/api/v1/agent/me/status",		PUT,	api_agent_status,	NEED_SESSION },
	{ "/api/v1/agent/events",		GET,	api_agent_events,	NEED_SESSION },
	{ "/api/v1/agent/chats",		GET,	api_agent_chats,	NEED_SESSION },
	{ "/api/v1/agent/queue/next",		POST,	api_agent_next,		NEED_SESSION },
	{ "/api/v1/agent/chats/{id}",		GET,	api_agent_chat,		NEED_SESSION },
	{ "/api/v1/agent/chats/{id}/messages",	POST,	api_agent_message,	NEED_SESSION },
	{ "/api/v1/agent/chats/{id}/end",	POST,	api_agent_end,		NEED_SESSION },
};

/* Matches one pattern against the path; fills ids and slug on success. */
static int
match(const char *pat, const char *path, struct req *r)
{
	int nid = 0;

	while (*pat != '\0') {
		size_t plen = strcspn(path, "/");

		if (strncmp(pat, "{id}", 4) == 0) {
			char		 num[20];
			long long	 v;

			if (plen == 0 || plen >= sizeof(num) || nid == 2)
				return 0;
			memcpy(num, path, plen);
			num[plen] = '\0';
			if (!valid_int(num, 1, 999999999999999999LL, &v) ||
			    num[0] == '-' || num[0] == '0')
				return 0;
			r->id[nid++] = v;
			pat += 4;
			path += plen;
		} else if (strncmp(pat, "{slug}", 6) == 0) {
			if (plen == 0 || plen >= sizeof(r->slug))
				return 0;
			memcpy(r->slug, path, plen);
			r->slug[plen] = '\0';
			if (!valid_slug(r->slug))
				return 0;
			pat += 6;
			path += plen;
		} else if (*pat++ != *path++)
			return 0;
	}
	return *path == '\0';
}

const struct route *
routes_match(struct req *r, unsigned *allowed)
{
	size_t i;

	*allowed = 0;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!match(routes[i].pattern, r->path, r))
			continue;
		if (routes[i].methods & r->method)
			return &routes[i];
		*allowed |= routes[i].methods;
	}
	return NULL;
}
