/* routes.h: the route table's shape and the handlers it names. */
#ifndef SNAK_ROUTES_H
#define SNAK_ROUTES_H

struct req;

enum route_flag {
	NEED_SESSION = 1,	/* an agent session; changes also need CSRF */
	NEED_CHAT = 2,		/* a customer's chat token for chat {id} */
	NEED_ADMIN = 4,		/* role admin */
	PAGE = 8,		/* an HTML page: not logged in goes to /login */
};

struct route {
	const char	*pattern;	/* literal parts, {id} digits, {slug} */
	unsigned	 methods;	/* enum method bits */
	int		(*handler)(struct req *);
	unsigned	 flags;		/* enum route_flag bits */
};

/*
 * The route for r->path and r->method, filling r->id[] and r->slug from
 * the path. NULL when nothing matches; *allowed then holds the methods of
 * a route whose path matched (0: no such path).
 */
const struct route *routes_match(struct req *, unsigned *allowed);

/* Handlers (api-*.c, pages.c). */
int	api_healthz(struct req *);
int	api_login(struct req *);
int	api_logout(struct req *);
int	api_widget_channel(struct req *);
int	api_widget_chat_new(struct req *);
int	api_widget_chat(struct req *);
int	api_widget_events(struct req *);
int	api_widget_message(struct req *);
int	api_widget_end(struct req *);
int	api_agent_me(struct req *);
int	api_agent_status(struct req *);
int	api_agent_events(struct req *);
int	api_agent_chats(struct req *);
int	api_agent_next(struct req *);
int	api_agent_chat(struct req *);
int	api_agent_message(struct req *);
int	api_agent_end(struct req *);
int	page_login(struct req *);
int	page_agent(struct req *);
int	page_admin(struct req *);
int	page_widget(struct req *);

#endif
