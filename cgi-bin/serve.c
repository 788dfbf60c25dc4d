/* serve.c: what every request goes through, once, before its handler.
 *
 * Method, route, chat token, session, CSRF and role are checked here and
 * nowhere else (cgit's process_request); handlers assume they hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "db.h"
#include "request.h"
#include "response.h"
#include "routes.h"
#include "serve.h"

static void
send_not_allowed(struct req *r, unsigned allowed)
{
	char		 list[64] = "";
	unsigned	 m;

	for (m = METHOD_GET; m <= METHOD_HEAD; m <<= 1)
		if (allowed & m) {
			if (list[0] != '\0')
				strcat(list, ", ");
			strcat(list, request_method_name((enum method)m));
		}
	response_header(r, "Allow", list);
	send_error(r, 405, "method_not_allowed",
	    "This method is not allowed here.");
}

/* The customer's token must open chat {id}: 401 without one, 404 if wrong. */
static int
check_chat_token(struct req *r)
{
	int ok;

	if (!r->has_bearer || r->bearer[0] == '\0') {
		send_error(r, 401, "unauthorized",
		    "This call needs the chat's token (Authorization: Bearer).");
		return -1;
	}
	if ((ok = auth_chat_token(r->db, r->id[0], r->bearer)) == -1) {
		send_db_down(r);
		return -1;
	}
	if (!ok) {
		/* Unknown chat and wrong token look the same from outside. */
		send_error(r, 404, "not_found", "There is no such chat.");
		return -1;
	}
	r->chat_id = r->id[0];
	return 0;
}

static int
dispatch(struct req *r)
{
	const struct route	*rt;
	unsigned		 allowed;
	int			 rc;

	if ((rt = routes_match(r, &allowed)) == NULL) {
		if (allowed)
			send_not_allowed(r, allowed);
		else
			send_error(r, 404, "not_found", "There is nothing here.");
		return HANDLER_DONE;
	}
	r->route = rt;
	if ((rt->flags & NEED_CHAT) && check_chat_token(r) == -1)
		return HANDLER_DONE;
	if (rt->flags & NEED_SESSION) {
		if ((rc = auth_session(r, (rt->flags & PAGE) != 0)) == 401 &&
		    (rt->flags & PAGE)) {
			send_redirect(r, "/login");
			return HANDLER_DONE;
		}
		if (rc != 0)
			return HANDLER_DONE;
		if (r->method != METHOD_GET && r->method != METHOD_HEAD &&
		    auth_csrf(r) != 0)
			return HANDLER_DONE;
		if ((rt->flags & NEED_ADMIN) && strcmp(r->user.role, "admin") != 0) {
			send_error(r, 403, "forbidden", "Only admins may do this.");
			return HANDLER_DONE;
		}
	}
	return rt->handler(r);
}

int
serve(struct req *r, char **envp)
{
	if (request_parse(r, envp) != 0)
		return HANDLER_DONE;
	return dispatch(r);
}

int
serve_resume(struct req *r)
{
	return r->route->handler(r);
}

void
serve_flush(struct req *r)
{
	response_flush(r);
	if (r->io.close != NULL)
		r->io.close(r->io.ctx);
}

void
serve_free(struct req *r)
{
	if (r->io.release != NULL)
		r->io.release(r->io.ctx);
	request_free(r);
	free(r);
}
