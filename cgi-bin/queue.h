/* queue.h: a queued chat's place in its channel's queue. */
#ifndef SNAK_QUEUE_H
#define SNAK_QUEUE_H

struct db;

/*
 * The 1-based place of queued chat `chat_id` in channel `channel_id`,
 * whose queue_version the caller read together with the chat's status.
 * Returns -1 when the database is unavailable.
 */
long long queue_position(struct db *, long long channel_id, long long version,
	    long long chat_id);

#endif
