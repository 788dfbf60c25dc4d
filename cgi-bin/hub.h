/* hub.h: parked long polls, woken by changes, answered at their deadline. */
#ifndef SNAK_HUB_H
#define SNAK_HUB_H

struct req;

/* What a waiter waits on; each has a counter that only grows. */
enum hub_key {
	HUB_NONE = 0,
	HUB_CHAT,	/* chats.id: chats.last_seq */
	HUB_FEED,	/* users.id: users.feed_seq */
	HUB_QUEUE,	/* channels.id: channels.queue_version */
};

/* Starts the hub thread with its own database connection. 0 or -1. */
int	hub_start(void);
/* Answers every parked request as it stands, then joins the thread. */
void	hub_stop(void);

struct db;
struct dbres;

/*
 * What woke a request, when it was a commit of this process: r->wake while
 * its handler runs again in the committing thread, NULL otherwise. `row`,
 * when there is one, is the new event at `seq` as the handler would read
 * it from the database, so a poll that lacks just that one can answer
 * without a query.
 */
struct wake {
	enum hub_key		 key;
	long long		 id;
	long long		 seq;
	const struct dbres	*row;
};

/*
 * Tells this process's waiters on (key, id) that the counter is now `seq`.
 * Called after a commit; other processes learn of it from the database
 * within the hub interval. A few woken waiters run again right here, on
 * `db` (the caller's connection, between its transactions) and with `row`
 * (see struct wake; may be NULL); more in the hub's workers.
 */
void	hub_notify(struct db *, enum hub_key, long long id, long long seq,
	    const struct dbres *row);

/*
 * 1 if this process learned where chat `id` is less than half a second
 * ago (from its own commits, the change check, or hub_chat_learn): *seq is
 * its last_seq, and *active says the chat was active at that seq. A poll
 * whose cursor is *seq may park without reading the database: a later
 * change is either this process's (a note wakes it) or another's, which
 * the change check still finds (it looks a second back).
 */
int	hub_chat_known(long long id, long long *seq, int *active);
/* Teaches the hub a chat's state a handler has just read. */
void	hub_chat_learn(long long id, long long seq, int active);

/*
 * 1 if a handler may park this request now: it has a deadline in the
 * future, the hub runs, and fewer than max_parked requests are parked.
 * When it returns 0 the handler answers at once with what it has.
 */
int	hub_can_park(struct req *);

/*
 * Parks `r` until (k1, id1) passes `seen1` or (k2, id2) passes `seen2`
 * (k2 may be HUB_NONE), the deadline, or the client hangs up. The handler
 * runs again when woken. After this call the caller must not touch `r`:
 * return HANDLER_PARKED. Returns 0, or -1 when it could not park (out of
 * memory, or the client hung up while the handler ran): answer at once.
 */
int	hub_park(struct req *, enum hub_key k1, long long id1, long long seen1,
	    enum hub_key k2, long long id2, long long seen2);

/*
 * Starts a long poll on its first run: the deadline is now + the query's
 * `wait` (default 25 s). Re-runs keep the first deadline.
 */
void	hub_begin_poll(struct req *);

/* Serve CGI: "parked" requests are run again by the caller in a loop. */
void	hub_set_cgi(void);

#endif
