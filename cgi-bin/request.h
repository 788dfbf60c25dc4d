/* request.h: the per-request struct every handler takes, and its parser. */
#ifndef SNAK_REQUEST_H
#define SNAK_REQUEST_H

#include <jansson.h>

#include "buf.h"

enum method {
	METHOD_GET = 1,
	METHOD_POST = 2,
	METHOD_PUT = 4,
	METHOD_DELETE = 8,
	METHOD_HEAD = 16,
	METHOD_OTHER = 32,
};

/* Limits checked while reading, before any work is done. */
#define REQ_MAX_QUERY	4096		/* bytes of QUERY_STRING */
#define REQ_MAX_BODY	(64 * 1024)	/* bytes of a JSON body */
#define REQ_MAX_PATH	512

/*
 * How the request reaches the client: FastCGI or plain CGI. Only main.c
 * fills this in, so only main.c touches libfcgi streams.
 */
struct io {
	void	*ctx;
	int	(*read)(void *ctx, char *, int);	/* bytes, 0 at end, -1 */
	int	(*write)(void *ctx, const char *, int);
	void	(*close)(void *ctx);	/* ends the response (FastCGI END_REQUEST) */
	void	(*release)(void *ctx);	/* frees the connection and ctx */
	int	 fd;			/* the connection, watched while parked; -1 */
};

/* The typed query fields; see the table in request.c. */
struct query {
	long long	 after;		/* -1 when absent */
	long long	 wait;		/* -1 when absent */
	char		 channel[65];	/* "" when absent */
};

struct user {
	long long	 id;		/* 0: not logged in */
	long long	 session_id;
	char		 username[65];
	char		 name[201];
	char		 role[16];	/* agent, manager, admin */
	char		 csrf[65];
	long long	 feed_seq;	/* where the feed ended at the session check */
};

struct route;
struct db;
struct wake;

struct req {
	struct io	 io;
	char		 rid[24];	/* request id, in every log line */
	enum method	 method;
	char		 path[REQ_MAX_PATH];
	struct query	 q;
	json_t		*body;		/* parsed JSON body, or NULL */
	char		*raw_body;	/* the body bytes as read (NUL-ended) */
	size_t		 raw_len;
	char		 session[128];	/* the snak_session cookie, or "" */
	char		 bearer[128];	/* Authorization: Bearer token, or "" */
	int		 has_bearer;	/* an Authorization header was sent */
	char		 csrf[128];	/* X-CSRF-Token header, or "" */
	char		 accept_language[128];
	char		 remote_addr[64];
	int		 https;

	const struct route *route;
	long long	 id[2];		/* numeric path parts, in order */
	char		 slug[65];	/* the {slug} path part */
	struct user	 user;
	long long	 chat_id;	/* customer: the chat the token opened */
	struct db	*db;		/* the connection of the thread serving now */

	int		 status;
	struct buf	 head;		/* extra header lines */
	struct buf	 out;		/* the body */
	int		 answered;	/* a send_* call set status and body */

	/* Long polls: see hub.h. */
	int		 polling;	/* hub_begin_poll() ran */
	const struct wake *wake;	/* what woke it, this run only (hub.h) */
	long long	 deadline_ms;	/* CLOCK_MONOTONIC ms; 0: may not park */
	long long	 seen_pos;	/* queue position the client has */
	long long	 seen;		/* what the client already has, per handler */
	void		*waiter;	/* the hub's record while parked */
};

/*
 * Parses the environment of one request (FastCGI params or CGI environ)
 * and reads its body through r->io. Returns 0, or an HTTP status (400,
 * 413, 415) with the error already set on r.
 */
int	request_parse(struct req *, char **envp);
/* Frees what the request owns; r->io is not touched. */
void	request_free(struct req *);
/* A fresh request id into r->rid. */
void	request_new_id(struct req *);
/*
 * A string field of the JSON body: 1 and *out set when present as a
 * string, 0 when absent or null, -1 when present with another type.
 */
int	request_body_str(struct req *, const char *key, const char **out);
/* The method's name, for logs and the Allow header. */
const char *request_method_name(enum method);

#endif
