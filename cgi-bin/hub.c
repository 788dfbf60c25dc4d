/* hub.c: long polls without a thread per waiter.
 *
 * A poll that finds nothing new is parked here: its request is kept, the
 * accept thread goes back to accepting. One hub thread decides the
 * waiters' fate. It wakes a waiter when
 *   - a handler in this process commits a change (hub_notify, at once),
 *   - the database shows a change made by another process (checked every
 *     hub_interval_ms while anything is parked, one query whatever the
 *     number of waiters; it leaves out the chats this process changed,
 *     whose notes it had at once),
 *   - its deadline passes (a binary heap), or
 *   - the client hangs up (epoll on the request's connection; the request
 *     is then freed without an answer).
 * A woken waiter's handler runs again: it answers, or parks again when
 * the change was not for it. A change made in this process wakes a few
 * waiters (a message: the other side's poll) in the thread that committed
 * it, on its connection, with no hand-over to another thread; many (a
 * queue that moved) or changes found otherwise go to a few worker threads,
 * each with its own database connection (one thread would serialise every
 * wake-up behind the database's latency under load). Answers go out in chunks, in two
 * phases, all END_REQUESTs first and then all closes, which lets nginx
 * close its ends in parallel (STACK-NOTES 4.6).
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "hub.h"
#include "log.h"
#include "request.h"
#include "serve.h"

#define BUCKETS		16384	/* power of two */
#define EPOLL_BATCH	256
#define CHUNK		64	/* answers sent together */
#define HUB_WORKERS	4	/* threads that run woken handlers */
#define TRIM_AFTER	256	/* give memory back after this many answers */
#define RECENT		1024	/* notes remembered for waiters that park late */
#define INLINE_MAX	4	/* waiters a committing thread wakes itself */
#define KNOWN_SLOTS	16384	/* chats remembered (hub_chat_known); power of 2 */
#define KNOWN_FRESH_MS	500	/* well inside the change check's 1 s lookback */

struct waiter;

struct wkey {
	enum hub_key	 key;
	long long	 id;
	long long	 seen;
	struct waiter	*w;
	struct wkey	*next, **pprev;	/* bucket chain */
};

struct waiter {
	struct req	*r;
	struct wkey	 keys[2];
	int		 nkeys;
	size_t		 heap_i;	/* index in heap while parked */
	int		 parked;	/* in the hash and the heap */
	int		 watched;	/* its fd is in the epoll set */
	int		 hungup;	/* the client left while it was being run */
	int		 dead;		/* answered and freed: only the struct is left */
	struct waiter	*next;		/* in a local list while not parked */
};

struct note {
	enum hub_key	 key;
	long long	 id;
	long long	 seq;
};

/* A chat as this process last learned it (hub_chat_known). */
struct known {
	long long	 id;		/* chats.id, 0 for an empty slot */
	long long	 seq;		/* its last_seq */
	long long	 at_ms;
	int		 active;	/* the chat was active at seq */
};

static void kick(void);

static struct {
	pthread_mutex_t	 mu;
	pthread_t	 thread;
	int		 running;
	int		 stopping;
	int		 cgi;		/* one request per process: no thread */
	int		 epfd;
	int		 evfd;
	struct wkey	*buckets[BUCKETS];
	struct waiter	**heap;
	size_t		 nheap, capheap;
	int		 alive;		/* waiters parked or being re-run */
	struct note	*notes;
	size_t		 nnotes, capnotes;
	struct note	 recent[RECENT];	/* the last notes, for missed() */
	size_t		 recent_i;
	struct db	*db;
	char		 since[40];	/* DB clock at the last change check */
	struct known	 known[KNOWN_SLOTS];

	/* Woken waiters for the workers, oldest first. */
	pthread_mutex_t	 wmu;
	pthread_cond_t	 wcv;
	struct waiter	*work, *work_tail;
	struct waiter	*graveyard;	/* answered by workers, freed by the hub */
	int		 answered;	/* since the last malloc_trim */
	int		 workers_exit;
	pthread_t	 workers[HUB_WORKERS];
	int		 nworkers;
} hub = { .mu = PTHREAD_MUTEX_INITIALIZER, .epfd = -1, .evfd = -1,
    .wmu = PTHREAD_MUTEX_INITIALIZER, .wcv = PTHREAD_COND_INITIALIZER };

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
bucket_of(enum hub_key k, long long id)
{
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ULL + (uint64_t)k;

	return (size_t)(h >> 40) & (BUCKETS - 1);
}

/* ---------------------------------------------------------------- *
 * The deadline heap (min-heap on r->deadline_ms). Caller holds mu.
 * ---------------------------------------------------------------- */

static void
heap_swap(size_t a, size_t b)
{
	struct waiter *t = hub.heap[a];

	hub.heap[a] = hub.heap[b];
	hub.heap[b] = t;
	hub.heap[a]->heap_i = a;
	hub.heap[b]->heap_i = b;
}

static void
heap_up(size_t i)
{
	while (i > 0 && hub.heap[(i - 1) / 2]->r->deadline_ms >
	    hub.heap[i]->r->deadline_ms) {
		heap_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < hub.nheap && hub.heap[l]->r->deadline_ms <
		    hub.heap[m]->r->deadline_ms)
			m = l;
		if (l + 1 < hub.nheap && hub.heap[l + 1]->r->deadline_ms <
		    hub.heap[m]->r->deadline_ms)
			m = l + 1;
		if (m == i)
			return;
		heap_swap(i, m);
		i = m;
	}
}

static int
heap_push(struct waiter *w)
{
	if (hub.nheap == hub.capheap) {
		size_t		 cap = hub.capheap ? hub.capheap * 2 : 1024;
		struct waiter	**h = realloc(hub.heap, cap * sizeof(*h));

		if (h == NULL)
			return -1;
		hub.heap = h;
		hub.capheap = cap;
	}
	w->heap_i = hub.nheap;
	hub.heap[hub.nheap++] = w;
	heap_up(w->heap_i);
	return 0;
}

static void
heap_remove(struct waiter *w)
{
	size_t i = w->heap_i;

	hub.nheap--;
	if (i != hub.nheap) {
		hub.heap[i] = hub.heap[hub.nheap];
		hub.heap[i]->heap_i = i;
		heap_down(i);
		heap_up(i);
	}
}

/* Takes a parked waiter out of the hash and the heap. Caller holds mu. */
static void
unpark(struct waiter *w)
{
	int i;

	if (!w->parked)
		return;
	for (i = 0; i < w->nkeys; i++) {
		struct wkey *k = &w->keys[i];

		if ((*k->pprev = k->next) != NULL)
			k->next->pprev = k->pprev;
	}
	heap_remove(w);
	w->parked = 0;
}

/* ---------------------------------------------------------------- *
 * The public side, called from accept threads and handlers.
 * ---------------------------------------------------------------- */

void
hub_begin_poll(struct req *r)
{
	if (r->polling)
		return;
	r->polling = 1;
	r->deadline_ms = now_ms() + 1000 * (r->q.wait >= 0 ? r->q.wait : 25);
}

void
hub_set_cgi(void)
{
	hub.cgi = 1;
}

int
hub_can_park(struct req *r)
{
	int ok;

	if (r->deadline_ms == 0 || r->deadline_ms <= now_ms())
		return 0;
	if (hub.cgi)
		return 1;
	pthread_mutex_lock(&hub.mu);
	ok = hub.running && !hub.stopping &&
	    (r->waiter != NULL || hub.alive < cfg.max_parked);
	pthread_mutex_unlock(&hub.mu);
	return ok;
}

/* Remembers where a chat is; a slot per id hash, the newest seq wins.
 * At the same seq the chat's state is the same (every change of status
 * appends an event), so a known "active" stays. Caller holds mu. */
static void
learn(long long id, long long seq, int active)
{
	struct known *k = &hub.known[bucket_of(HUB_CHAT, id) & (KNOWN_SLOTS - 1)];

	if (k->id == id) {
		if (seq < k->seq)
			return;
		if (seq == k->seq)
			active = active || k->active;
	}
	*k = (struct known){ id, seq, now_ms(), active };
}

int
hub_chat_known(long long id, long long *seq, int *active)
{
	struct known	*k;
	int		 ok;

	pthread_mutex_lock(&hub.mu);
	k = &hub.known[bucket_of(HUB_CHAT, id) & (KNOWN_SLOTS - 1)];
	ok = hub.running && k->id == id && id != 0 &&
	    now_ms() - k->at_ms <= KNOWN_FRESH_MS;
	if (ok) {
		*seq = k->seq;
		*active = k->active;
	}
	pthread_mutex_unlock(&hub.mu);
	return ok;
}

void
hub_chat_learn(long long id, long long seq, int active)
{
	pthread_mutex_lock(&hub.mu);
	learn(id, seq, active);
	pthread_mutex_unlock(&hub.mu);
}

/* 1 if a change for `k` newer than what it has seen was announced lately:
 * it may have come while the handler read the database. Caller holds mu. */
static int
missed(const struct wkey *k)
{
	size_t i;

	for (i = 0; i < RECENT; i++)
		if (hub.recent[i].key == k->key && hub.recent[i].id == k->id &&
		    hub.recent[i].seq > k->seen)
			return 1;
	return 0;
}

static int push_note(enum hub_key, long long, long long);

int
hub_park(struct req *r, enum hub_key k1, long long id1, long long seen1,
    enum hub_key k2, long long id2, long long seen2)
{
	struct waiter		*w = r->waiter;
	struct epoll_event	 ev;
	int			 i, again = 0;

	r->wake = NULL;	/* it is only for the run that woke it */
	if (hub.cgi)
		return 0;	/* main.c runs the handler again */
	if (w == NULL) {
		if ((w = calloc(1, sizeof(*w))) == NULL)
			return -1;
		w->r = r;
	}
	w->nkeys = 0;
	w->keys[w->nkeys++] = (struct wkey){ .key = k1, .id = id1, .seen = seen1 };
	if (k2 != HUB_NONE)
		w->keys[w->nkeys++] =
		    (struct wkey){ .key = k2, .id = id2, .seen = seen2 };

	pthread_mutex_lock(&hub.mu);
	if (w->hungup || heap_push(w) == -1) {
		pthread_mutex_unlock(&hub.mu);
		if (r->waiter == NULL)
			free(w);
		return -1;
	}
	r->waiter = w;
	for (i = 0; i < w->nkeys; i++) {
		struct wkey	*k = &w->keys[i];
		size_t		 b = bucket_of(k->key, k->id);

		k->w = w;
		k->pprev = &hub.buckets[b];
		if ((k->next = hub.buckets[b]) != NULL)
			k->next->pprev = &k->next;
		hub.buckets[b] = k;
		if (missed(k))
			again = 1;
	}
	w->parked = 1;
	if (!w->watched) {
		hub.alive++;
		if (r->io.fd >= 0) {
			ev.events = EPOLLRDHUP;
			ev.data.ptr = w;
			if (epoll_ctl(hub.epfd, EPOLL_CTL_ADD, r->io.fd, &ev) == 0)
				w->watched = 1;
		}
		if (!w->watched)
			w->watched = -1;	/* counted, not in epoll */
	}
	/* A change that came while the handler read: wake it at once. */
	if (again)
		again = push_note(w->keys[0].key, w->keys[0].id, LLONG_MAX);
	pthread_mutex_unlock(&hub.mu);
	if (again)
		kick();
	return 0;
}

/* Queues a note for the hub thread; 1 if queued. Caller holds mu. */
static int
push_note(enum hub_key key, long long id, long long seq)
{
	if (hub.nnotes == hub.capnotes) {
		size_t		 cap = hub.capnotes ? hub.capnotes * 2 : 256;
		struct note	*n = realloc(hub.notes, cap * sizeof(*n));

		/* Without memory the database check finds it in an interval. */
		if (n == NULL)
			return 0;
		hub.notes = n;
		hub.capnotes = cap;
	}
	hub.notes[hub.nnotes++] = (struct note){ key, id, seq };
	return 1;
}

static void
kick(void)
{
	uint64_t one = 1;

	if (write(hub.evfd, &one, sizeof(one)) == -1 && errno != EAGAIN)
		log_err(NULL, "hub: eventfd write: %s", strerror(errno));
}

static void wake_key(enum hub_key, long long, long long, struct waiter **);
static void to_workers(struct waiter *);
static void run_woken(struct db *, struct waiter *, const struct wake *);

void
hub_notify(struct db *db, enum hub_key key, long long id, long long seq,
    const struct dbres *row)
{
	struct waiter	*wake = NULL, *w;
	struct wake	 wk = { key, id, seq, row };
	int		 n = 0, queued = 0;

	pthread_mutex_lock(&hub.mu);
	if (!hub.running) {
		pthread_mutex_unlock(&hub.mu);
		return;
	}
	hub.recent[hub.recent_i++ % RECENT] = (struct note){ key, id, seq };
	/* A message's note has the row only while the chat is active. */
	if (key == HUB_CHAT)
		learn(id, seq, row != NULL);
	if (hub.stopping)
		queued = push_note(key, id, seq);	/* the hub thread ends it */
	else
		wake_key(key, id, seq, &wake);
	pthread_mutex_unlock(&hub.mu);
	if (queued)
		kick();
	for (w = wake; w != NULL; w = w->next)
		n++;
	if (n > INLINE_MAX)
		to_workers(wake);
	else if (n > 0)
		run_woken(db, wake, &wk);
}

/* ---------------------------------------------------------------- *
 * The hub thread.
 * ---------------------------------------------------------------- */

/* Moves every waiter on (key, id) that has not seen `seq` to *wake. */
static void
wake_key(enum hub_key key, long long id, long long seq, struct waiter **wake)
{
	struct wkey *k, *next;

	for (k = hub.buckets[bucket_of(key, id)]; k != NULL; k = next) {
		next = k->next;
		if (k->key != key || k->id != id || k->seen >= seq)
			continue;
		/* The waiter's other key may be `next`: unlinked, but its own
		 * next pointer still leads on along the chain. */
		if (next != NULL && next->w == k->w)
			next = next->next;
		unpark(k->w);
		k->w->next = *wake;
		*wake = k->w;
	}
}

/* Asks the database what other processes changed. Without mu. */
static int
check_db(struct note **out, size_t *nout)
{
	struct dbres	 res;
	int		 i, n = 0;

	if (hub.since[0] == '\0') {
		if (db_exec(hub.db, STMT_NOW_US, &res, "") != DB_OK)
			return -1;
		snprintf(hub.since, sizeof(hub.since), "%s", dbres_str(&res, 0, 0));
		dbres_free(&res);
	}
	if (db_exec(hub.db, STMT_HUB_CHANGES, &res, "sss", hub.since, hub.since,
	    hub.since) != DB_OK)
		return -1;
	*out = calloc((size_t)res.rows + 1, sizeof(**out));
	for (i = 0; i < res.rows && *out != NULL; i++) {
		long long kind = dbres_int(&res, i, 0);

		if (kind == 0) {
			snprintf(hub.since, sizeof(hub.since), "%s",
			    dbres_str(&res, i, 3));
			continue;
		}
		(*out)[n].key = (enum hub_key)kind;
		(*out)[n].id = dbres_int(&res, i, 1);
		(*out)[n].seq = dbres_int(&res, i, 2);
		n++;
	}
	dbres_free(&res);
	*nout = (size_t)n;
	return 0;
}

/* Forgets a waiter: out of epoll, counted out. Caller holds mu. */
static void
forget(struct waiter *w)
{
	if (w->watched == 1)
		epoll_ctl(hub.epfd, EPOLL_CTL_DEL, w->r->io.fd, NULL);
	w->watched = 0;
	hub.alive--;
}

/*
 * Sends a list of answers in two phases: every answer and END_REQUEST
 * first, then every close (STACK-NOTES 4.6). Returns how many.
 */
static int
complete(struct waiter *done)
{
	struct waiter	*w, *next;
	int		 n = 0;

	for (w = done; w != NULL; w = w->next)
		serve_flush(w->r);
	pthread_mutex_lock(&hub.mu);
	for (w = done; w != NULL; w = w->next) {
		forget(w);
		w->dead = 1;
	}
	pthread_mutex_unlock(&hub.mu);
	for (w = done; w != NULL; w = w->next) {
		w->r->waiter = NULL;
		serve_free(w->r);
		w->r = NULL;
		n++;
	}
	/* The struct itself may still be in an event the hub thread got
	 * from epoll before the fd left the set: the hub frees it later. */
	pthread_mutex_lock(&hub.mu);
	for (w = done; w != NULL; w = next) {
		next = w->next;
		w->next = hub.graveyard;
		hub.graveyard = w;
	}
	pthread_mutex_unlock(&hub.mu);
	return n;
}

/* Runs woken waiters' handlers on `db` (with what woke them, if known)
 * and sends the answers together. */
static void
run_woken(struct db *db, struct waiter *batch, const struct wake *wk)
{
	struct waiter	*done = NULL, *w;
	int		 n, trim;

	while ((w = batch) != NULL) {
		batch = w->next;
		w->r->db = db;
		w->r->wake = wk;
		if (serve_resume(w->r) == HANDLER_PARKED)
			continue;	/* hub_park cleared r->wake */
		w->r->wake = NULL;
		w->next = done;
		done = w;
	}
	n = complete(done);
	/* glibc keeps a burst's peak otherwise (STACK-NOTES 4.5). */
	pthread_mutex_lock(&hub.wmu);
	hub.answered += n;
	if ((trim = hub.answered >= TRIM_AFTER))
		hub.answered = 0;
	pthread_mutex_unlock(&hub.wmu);
	if (trim)
		malloc_trim(0);
}

/* Hands woken waiters to the workers. */
static void
to_workers(struct waiter *wake)
{
	struct waiter *last = wake;

	while (last->next != NULL)
		last = last->next;
	pthread_mutex_lock(&hub.wmu);
	if (hub.work_tail != NULL)
		hub.work_tail->next = wake;
	else
		hub.work = wake;
	hub.work_tail = last;
	pthread_cond_broadcast(&hub.wcv);
	pthread_mutex_unlock(&hub.wmu);
}

/* A worker: takes woken waiters in chunks and runs them on its own
 * connection. */
static void *
worker_main(void *arg)
{
	struct db *db = db_new();

	(void)arg;
	for (;;) {
		struct waiter	*batch = NULL, *w;
		int		 k;

		pthread_mutex_lock(&hub.wmu);
		while (hub.work == NULL && !hub.workers_exit)
			pthread_cond_wait(&hub.wcv, &hub.wmu);
		if (hub.work == NULL) {
			pthread_mutex_unlock(&hub.wmu);
			break;
		}
		for (k = 0; k < CHUNK && (w = hub.work) != NULL; k++) {
			hub.work = w->next;
			w->next = batch;
			batch = w;
		}
		if (hub.work == NULL)
			hub.work_tail = NULL;
		pthread_mutex_unlock(&hub.wmu);
		run_woken(db, batch, NULL);
	}
	db_free(db);
	return NULL;
}

static void *
hub_main(void *arg)
{
	struct epoll_event	 evs[EPOLL_BATCH];
	long long		 next_check = 0, now, timeout;
	int			 n, i;

	(void)arg;
	for (;;) {
		struct waiter	*wake = NULL, *gone = NULL, *buried, *w;
		struct note	*notes = NULL, *dbn = NULL;
		size_t		 nnotes = 0, ndbn = 0, j;
		int		 stopping, check;

		pthread_mutex_lock(&hub.mu);
		/* Out of epoll before this wait began: safe to free after it. */
		buried = hub.graveyard;
		hub.graveyard = NULL;
		now = now_ms();
		timeout = 1000;
		if (hub.nheap > 0) {
			long long d = hub.heap[0]->r->deadline_ms - now;

			if (d < timeout)
				timeout = d;
			if (next_check - now < timeout)
				timeout = next_check - now;
		}
		if (hub.nnotes > 0)
			timeout = 0;
		else if (hub.stopping)
			timeout = 10;	/* the workers are answering the rest */
		pthread_mutex_unlock(&hub.mu);

		n = epoll_wait(hub.epfd, evs, EPOLL_BATCH,
		    timeout < 0 ? 0 : (int)timeout);
		now = now_ms();
		check = 0;
		pthread_mutex_lock(&hub.mu);
		if (hub.nheap > 0 && now >= next_check) {
			/* After a quiet spell start from the database's "now":
			 * a waiter that parks read its state just before. */
			if (now - next_check > 1000)
				hub.since[0] = '\0';
			check = 1;
			next_check = now + cfg.hub_interval_ms;
		}
		pthread_mutex_unlock(&hub.mu);
		/* The database is read without the lock: handlers keep parking. */
		if (check && check_db(&dbn, &ndbn) == -1)
			ndbn = 0;

		pthread_mutex_lock(&hub.mu);
		for (i = 0; i < n; i++) {
			uint64_t cnt;

			if (evs[i].data.ptr == NULL) {
				if (read(hub.evfd, &cnt, sizeof(cnt)) == -1)
					(void)0;
				continue;
			}
			w = evs[i].data.ptr;
			if (w->dead)
				continue;
			if (!w->parked) {
				/* Being run by a worker: it must not park again,
				 * and the worker frees it after answering. */
				struct epoll_event none = { 0 };

				none.data.ptr = w;
				w->hungup = 1;
				epoll_ctl(hub.epfd, EPOLL_CTL_MOD, w->r->io.fd, &none);
				continue;
			}
			/* The client went away: free the request unanswered. */
			unpark(w);
			forget(w);
			w->next = gone;
			gone = w;
		}
		notes = hub.notes;
		nnotes = hub.nnotes;
		hub.notes = NULL;
		hub.nnotes = hub.capnotes = 0;
		for (j = 0; j < nnotes; j++)
			wake_key(notes[j].key, notes[j].id, notes[j].seq, &wake);
		for (j = 0; j < ndbn; j++) {
			if (dbn[j].key == HUB_CHAT)
				learn(dbn[j].id, dbn[j].seq, 0);
			wake_key(dbn[j].key, dbn[j].id, dbn[j].seq, &wake);
		}
		while (hub.nheap > 0 && hub.heap[0]->r->deadline_ms <= now) {
			w = hub.heap[0];
			unpark(w);
			w->next = wake;
			wake = w;
		}
		stopping = hub.stopping;
		if (stopping)
			while (hub.nheap > 0) {
				w = hub.heap[0];
				unpark(w);
				w->next = wake;
				wake = w;
			}
		pthread_mutex_unlock(&hub.mu);
		free(notes);
		free(dbn);
		while ((w = buried) != NULL) {
			buried = w->next;
			free(w);
		}

		while ((w = gone) != NULL) {
			gone = w->next;
			w->r->waiter = NULL;
			serve_free(w->r);
			free(w);
		}

		/* The workers run each woken handler again: it answers or
		 * parks again. */
		if (wake != NULL) {
			for (w = wake; w != NULL && stopping; w = w->next)
				w->r->deadline_ms = 0;
			to_workers(wake);
		}
		if (stopping) {
			pthread_mutex_lock(&hub.mu);
			n = hub.alive;
			pthread_mutex_unlock(&hub.mu);
			if (n == 0)
				break;
		}
	}
	return NULL;
}

int
hub_start(void)
{
	struct epoll_event ev;

	if ((hub.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (hub.evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		log_err(NULL, "hub: %s", strerror(errno));
		return -1;
	}
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(hub.epfd, EPOLL_CTL_ADD, hub.evfd, &ev) == -1 ||
	    (hub.db = db_new()) == NULL)
		return -1;
	hub.running = 1;
	if (pthread_create(&hub.thread, NULL, hub_main, NULL) != 0) {
		hub.running = 0;
		return -1;
	}
	for (hub.nworkers = 0; hub.nworkers < HUB_WORKERS; hub.nworkers++)
		if (pthread_create(&hub.workers[hub.nworkers], NULL, worker_main,
		    NULL) != 0)
			break;
	return hub.nworkers > 0 ? 0 : -1;
}

void
hub_stop(void)
{
	uint64_t one = 1;

	pthread_mutex_lock(&hub.mu);
	if (!hub.running) {
		pthread_mutex_unlock(&hub.mu);
		return;
	}
	hub.stopping = 1;
	pthread_mutex_unlock(&hub.mu);
	if (write(hub.evfd, &one, sizeof(one)) == -1)
		(void)0;
	/* The hub thread ends when every waiter has been answered. */
	pthread_join(hub.thread, NULL);
	pthread_mutex_lock(&hub.wmu);
	hub.workers_exit = 1;
	pthread_cond_broadcast(&hub.wcv);
	pthread_mutex_unlock(&hub.wmu);
	while (hub.nworkers > 0)
		pthread_join(hub.workers[--hub.nworkers], NULL);
	pthread_mutex_lock(&hub.mu);
	hub.running = 0;
	pthread_mutex_unlock(&hub.mu);
	while (hub.graveyard != NULL) {
		struct waiter *w = hub.graveyard;

		hub.graveyard = w->next;
		free(w);
	}
	db_free(hub.db);
	free(hub.heap);
	free(hub.notes);
	close(hub.epfd);
	close(hub.evfd);
}
