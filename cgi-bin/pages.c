/* pages.c: the HTML pages: login, agent, settings and the widget frame.
 *
 * Pages are shells: the text comes from the catalog, the work is done by
 * the modules in static/ through the API. No inline script or style, so
 * the CSP can forbid both.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "html.h"
#include "request.h"
#include "response.h"
#include "routes.h"
#include "serve.h"

#define CSP_BASE "default-src 'self'; img-src 'self' data:; style-src 'self'; " \
	"script-src 'self'; connect-src 'self'; base-uri 'none'; " \
	"form-action 'self'; "

static int
send_app_page(struct req *r, const char *name)
{
	const char *vars[] = { "csrf", r->user.csrf, "name", r->user.name, NULL };

	response_header(r, "Content-Security-Policy", CSP_BASE
	    "frame-ancestors 'none'");
	response_header(r, "X-Frame-Options", "DENY");
	send_page(r, 200, name, html_lang(NULL, r->accept_language), vars);
	return HANDLER_DONE;
}

/* GET /login */
int
page_login(struct req *r)
{
	return send_app_page(r, "login");
}

/* GET /agent: the Chats tab; not logged in goes to /login (serve.c). */
int
page_agent(struct req *r)
{
	return send_app_page(r, "agent");
}

/* GET /admin: the settings page. */
int
page_admin(struct req *r)
{
	return send_app_page(r, "admin");
}

/*
 * GET /widget?channel=SLUG: the chat inside the website's iframe. Any site
 * may frame it (the channel's allowed origins come with the settings).
 * 404 for an unknown channel.
 */
int
page_widget(struct req *r)
{
	struct dbres	 res;
	const char	*vars[3];
	const char	*lang;

	if (r->q.channel[0] == '\0') {
		send_error(r, 404, "not_found", "Name a channel: /widget?channel=...");
		return HANDLER_DONE;
	}
	if (api_load_channel(r, r->q.channel, &res) == -1)
		return HANDLER_DONE;
	lang = html_lang(dbres_str(&res, 0, 3), r->accept_language);
	vars[0] = "channel";
	vars[1] = r->q.channel;
	vars[2] = NULL;
	response_header(r, "Content-Security-Policy", CSP_BASE
	    "frame-ancestors *");
	send_page(r, 200, "widget", lang, vars);
	dbres_free(&res);
	return HANDLER_DONE;
}
