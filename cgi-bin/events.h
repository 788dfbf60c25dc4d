/* events.h: chat events and agent feeds: sequences, fan-out, JSON shapes. */
#ifndef SNAK_EVENTS_H
#define SNAK_EVENTS_H

#include <jansson.h>

#include "db.h"
#include "hub.h"

/* A chat row, locked FOR UPDATE inside a transaction. */
struct chat_lock {
	long long	 id;
	long long	 channel_id;
	long long	 agent_id;	/* 0 while queued */
	long long	 last_seq;
	char		 status[8];	/* queued, active, ended */
	char		 customer_name[201];
};

/* One event to append to a chat. */
struct chat_event {
	const char	*type;		/* message, status, agent_joined... */
	const char	*author_kind;	/* customer, agent, system */
	long long	 author_id;	/* users.id, or 0 */
	const char	*author_name;
	const char	*text;		/* NULL for none */
	int		 private_msg;	/* agents only */
	const char	*client_id;	/* NULL for none */
	json_t		*data;		/* extra fields, borrowed; NULL */
};

/* Wake-ups gathered inside a transaction, sent after the commit. */
#define NOTES_MAX 64
struct notes {
	int		 n;
	struct {
		enum hub_key	 key;
		long long	 id;
		long long	 seq;
		struct dbres	*row;	/* the new event as a poll reads it, or NULL */
	} v[NOTES_MAX];
};

void	notes_add(struct notes *, enum hub_key, long long id, long long seq);
/* After a successful commit: wakes this process's waiters (some of them
 * run again on `db`, see hub_notify), and frees the notes' rows. */
void	notes_send(struct db *, struct notes *);

/*
 * Locks chat `id`. DB_OK with c->id == 0 when there is no such chat.
 */
enum db_rc chat_lock(struct db *, long long id, struct chat_lock *c);

/*
 * Appends `ev` to the locked chat at seq last_seq + 1 and puts it in the
 * feed of every agent taking part (chat.message, chat.ended or
 * chat.event). *seq gets the new seq. DB_DUP when ev->client_id was used.
 */
enum db_rc chat_append(struct db *, struct chat_lock *, const struct chat_event *,
	    struct notes *, long long *seq);

/*
 * Appends one event to agent `user_id`'s feed, whose row the caller has
 * locked and whose feed_seq is `cur`. *next gets the new feed_seq.
 */
enum db_rc feed_append(struct db *, long long user_id, long long cur,
	    const char *type, long long chat_id, json_t *data, struct notes *,
	    long long *next);

/*
 * In a transaction of its own (so it holds no other locks and cannot
 * deadlock): tells every agent who answers channel `channel_id` that its
 * queue changed (`type`: chat.queued with the chat, or queue.changed;
 * both carry `waiting`). When a chat `left` the queue, the places behind
 * it move: the channel's queue_version is bumped and queued widgets wake.
 * A chat joining at the end moves no one, so it wakes no widget.
 */
enum db_rc feed_queue_changed(struct db *, long long channel_id,
	    const char *type, long long chat_id, int left, struct notes *);

/* JSON of row `row` of STMT_EVENTS_PUBLIC / STMT_EVENTS_ALL. */
json_t	*event_json(const struct dbres *, int row, int agent_view);
/* JSON of row `row` of a query selecting CHAT_COLS (see db.c). */
json_t	*chat_json(const struct dbres *, int row);
/* The same written as JSON text: lists of a thousand chats take a tenth of
 * the time they took as jansson objects. */
struct buf;
void	chat_json_buf(struct buf *, const struct dbres *, int row);

/* ---- Chat actions shared by customers and agents ---- */

enum act {
	ACT_OK = 0,
	ACT_DUP,	/* the client_id was used: *seq is the first send's */
	ACT_ENDED,	/* the chat has ended: 409 */
	ACT_NOT_FOUND,
	ACT_DOWN,	/* database unavailable: 503 */
	ACT_NOT_MINE,	/* an agent's post to a chat that is not theirs */
	ACT_ERR,
};

/*
 * Appends a message to chat `id` in a transaction of its own (retried on
 * deadlock), then wakes the waiters. *seq gets its seq. An agent's message
 * (author_kind "agent") goes only into a chat whose agent is the author:
 * ACT_NOT_MINE otherwise.
 */
enum act chat_post(struct db *, long long id, const struct chat_event *,
	    long long *seq);
/*
 * Ends chat `id` (again: ACT_OK, nothing changes), with a status event by
 * `by` (kind, id, name). A chat that was queued leaves the queue.
 */
enum act chat_end(struct db *, long long id, const char *by_kind,
	    long long by_id, const char *by_name);

#endif
