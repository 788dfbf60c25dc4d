/* serve.h: one request from parsed input to a finished answer. */
#ifndef SNAK_SERVE_H
#define SNAK_SERVE_H

struct req;

/* What a handler returns. */
enum {
	HANDLER_DONE = 0,	/* the answer is set on the request */
	HANDLER_PARKED,		/* the hub owns the request now: hands off */
};

/*
 * Parses the request, finds its route, checks what the route needs
 * (session, CSRF, role, chat token) and runs the handler. Returns
 * HANDLER_DONE or HANDLER_PARKED.
 */
int	serve(struct req *, char **envp);
/* Runs a parked request's handler again (from the hub). */
int	serve_resume(struct req *);
/* Sends the answer and ends the response (FastCGI END_REQUEST). */
void	serve_flush(struct req *);
/* Releases the connection and frees the request. */
void	serve_free(struct req *);

#endif
