/* queue.c: queue positions from a per-channel snapshot of the queue.
 *
 * Counting the chats ahead with COUNT(*) costs a scan of the queue for
 * every poll, which is quadratic when thousands wait in one channel and a
 * departure wakes them all. Instead each process keeps, per channel, the
 * sorted ids of the queued chats, labelled with the channel's
 * queue_version. The version moves only when a chat leaves the queue, so
 * while it stands the snapshot's places are right; chats that joined after
 * the snapshot (and those of its last two seconds, which may still be
 * committing) are counted with a small range query at the tail. It is a
 * cache in the sense of DESIGN.md: re-read from the database, never the
 * only copy of anything.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "queue.h"

#define SNAPSHOTS	64

static struct snapshot {
	long long	 channel_id;	/* 0: unused */
	long long	 version;
	long long	*ids;		/* sorted */
	long long	 n;
	unsigned long	 used;		/* for replacing the least recently used */
} snaps[SNAPSHOTS];
static unsigned long	 clock_;
static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;

/* Looks chat_id up under mu: its place, 0 if not found, -2 if no snapshot. */
static long long
lookup(long long channel_id, long long version, long long chat_id,
    long long *n, long long *max)
{
	size_t		 i;
	long long	 lo, hi, mid;

	for (i = 0; i < SNAPSHOTS; i++) {
		struct snapshot *s = &snaps[i];

		if (s->channel_id != channel_id || s->version != version)
			continue;
		s->used = ++clock_;
		*n = s->n;
		*max = s->n ? s->ids[s->n - 1] : 0;
		for (lo = 0, hi = s->n - 1; lo <= hi; ) {
			mid = (lo + hi) / 2;
			if (s->ids[mid] == chat_id)
				return mid + 1;
			if (s->ids[mid] < chat_id)
				lo = mid + 1;
			else
				hi = mid - 1;
		}
		if (chat_id < *max)	/* committed late: re-read next time */
			s->version = -1;
		return 0;
	}
	return -2;
}

static void
install(long long channel_id, long long version, long long *ids, long long n)
{
	struct snapshot	*victim = &snaps[0];
	size_t		 i;

	for (i = 0; i < SNAPSHOTS; i++) {
		if (snaps[i].channel_id == channel_id) {
			victim = &snaps[i];
			break;
		}
		if (snaps[i].used < victim->used)
			victim = &snaps[i];
	}
	free(victim->ids);
	victim->channel_id = channel_id;
	victim->version = version;
	victim->ids = ids;
	victim->n = n;
	victim->used = ++clock_;
}

static int
refresh(struct db *db, long long channel_id, long long version)
{
	struct dbres	 res;
	long long	*ids;
	int		 i;

	if (db_exec(db, STMT_QUEUE_IDS, &res, "i", channel_id) != DB_OK)
		return -1;
	if ((ids = malloc(((size_t)res.rows + 1) * sizeof(*ids))) == NULL) {
		dbres_free(&res);
		return -1;
	}
	for (i = 0; i < res.rows; i++)
		ids[i] = dbres_int(&res, i, 0);
	pthread_mutex_lock(&mu);
	install(channel_id, version, ids, res.rows);
	pthread_mutex_unlock(&mu);
	dbres_free(&res);
	return 0;
}

static long long
count(struct db *db, enum stmt s, long long channel_id, long long from,
    long long to)
{
	struct dbres	 res;
	long long	 n;

	if (db_exec(db, s, &res, "iii", channel_id, from, to) != DB_OK)
		return -1;
	n = dbres_int(&res, 0, 0);
	dbres_free(&res);
	return n;
}

long long
queue_position(struct db *db, long long channel_id, long long version,
    long long chat_id)
{
	long long pos, n = 0, max = 0;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		pthread_mutex_lock(&mu);
		pos = lookup(channel_id, version, chat_id, &n, &max);
		pthread_mutex_unlock(&mu);
		if (pos > 0)
			return pos;
		if (pos == 0 && chat_id > max) {
			/* Joined after the snapshot: the snapshot, then the tail. */
			long long tail = count(db, STMT_QUEUE_TAIL, channel_id,
			    max, chat_id);

			return tail < 0 ? -1 : n + tail;
		}
		if (pos == 0)
			break;
		if (refresh(db, channel_id, version) == -1)
			return -1;
	}
	/* Not where the snapshot says: count, as the slow path. */
	return count(db, STMT_QUEUE_TAIL, channel_id, 0, chat_id);
}
