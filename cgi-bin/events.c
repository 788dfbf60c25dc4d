/* events.c: appending chat events and agent feed events, and their JSON.
 *
 * Sequences are gapless because they are taken from a counter in a row
 * that the transaction has locked (chats.last_seq, users.feed_seq) and are
 * committed in the same transaction as the event. Locks are always taken
 * chat first, then users in id order, so transactions cannot wait on each
 * other in a cycle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "events.h"
#include "html.h"
#include "hub.h"
#include "log.h"

void
notes_add(struct notes *n, enum hub_key key, long long id, long long seq)
{
	/* Past the end, the hub still learns of it from the database. */
	if (n->n >= NOTES_MAX)
		return;
	n->v[n->n].key = key;
	n->v[n->n].id = id;
	n->v[n->n].seq = seq;
	n->v[n->n].row = NULL;
	n->n++;
}

/* The last note added gets `row` (`cols` strings): the event as a poll
 * woken by it would read it from the database. */
static void
notes_row(struct notes *n, int cols, const char *const *vals)
{
	struct dbres *row;

	if (n->n == 0 || n->v[n->n - 1].row != NULL ||
	    (row = malloc(sizeof(*row))) == NULL)
		return;
	if (dbres_make(row, cols, vals) == -1) {
		free(row);
		return;
	}
	n->v[n->n - 1].row = row;
}

void
notes_send(struct db *db, struct notes *n)
{
	int i;

	for (i = 0; i < n->n; i++) {
		hub_notify(db, n->v[i].key, n->v[i].id, n->v[i].seq, n->v[i].row);
		if (n->v[i].row != NULL) {
			dbres_free(n->v[i].row);
			free(n->v[i].row);
			n->v[i].row = NULL;
		}
	}
}

enum db_rc
chat_lock(struct db *db, long long id, struct chat_lock *c)
{
	struct dbres	 res;
	enum db_rc	 rc;

	memset(c, 0, sizeof(*c));
	if ((rc = db_exec(db, STMT_CHAT_LOCK, &res, "i", id)) != DB_OK)
		return rc;
	if (res.rows == 1) {
		c->id = id;
		snprintf(c->status, sizeof(c->status), "%s", dbres_str(&res, 0, 0));
		c->last_seq = dbres_int(&res, 0, 1);
		c->channel_id = dbres_int(&res, 0, 2);
		c->agent_id = dbres_int(&res, 0, 3);
		snprintf(c->customer_name, sizeof(c->customer_name), "%s",
		    dbres_str(&res, 0, 4));
	}
	dbres_free(&res);
	return DB_OK;
}

enum db_rc
feed_append(struct db *db, long long user_id, long long cur, const char *type,
    long long chat_id, json_t *data, struct notes *notes, long long *next)
{
	char		*js = NULL;
	enum db_rc	 rc;

	if (data != NULL && (js = json_dumps(data, JSON_COMPACT)) == NULL)
		return DB_ERR;
	rc = db_exec(db, STMT_FEED_INSERT, NULL, "iisis", user_id, cur + 1,
	    type, chat_id, js);
	free(js);
	if (rc == DB_OK)
		rc = db_exec(db, STMT_FEED_SET, NULL, "ii", cur + 1, user_id);
	if (rc == DB_OK) {
		notes_add(notes, HUB_FEED, user_id, cur + 1);
		if (next != NULL)
			*next = cur + 1;
	}
	return rc;
}

static const char *
feed_type(const struct chat_event *ev)
{
	const char *status = ev->data == NULL ? NULL :
	    json_string_value(json_object_get(ev->data, "status"));

	if (strcmp(ev->type, "message") == 0)
		return "chat.message";
	if (strcmp(ev->type, "status") == 0 && status != NULL &&
	    strcmp(status, "ended") == 0)
		return "chat.ended";
	return "chat.event";
}

/*
 * The data of the feed event that carries `ev`, {event: ...}: the event as
 * clients see it, before it is read back from the table. snak_append sets
 * its seq and author.name (schema/002_append.sql).
 */
static json_t *
feed_event(const struct chat_event *ev)
{
	json_t *e;

	if ((e = json_pack("{s:s, s:{s:s}}", "type", ev->type, "author",
	    "kind", ev->author_kind)) == NULL)
		return NULL;
	if (ev->author_id)
		json_object_set_new(json_object_get(e, "author"), "id",
		    json_integer(ev->author_id));
	if (ev->text != NULL)
		json_object_set_new(e, "text", json_string(ev->text));
	json_object_set_new(e, "private", json_boolean(ev->private_msg));
	if (ev->data != NULL)
		json_object_update_missing(e, ev->data);
	return json_pack("{s:o}", "event", e);
}

/* feed_event's data as JSON text (NULL when out of memory). */
static char *
feed_data(json_t *fd)
{
	return fd != NULL ? json_dumps(fd, JSON_COMPACT) : NULL;
}

/*
 * snak_append's o_feeds, "user:feed_seq,...": the feeds that moved. With
 * `fd` (the feed event's data as stored), `at` and the chat, each note
 * carries the feed event as STMT_FEED_AFTER reads it.
 */
static void
feeds_notes(const char *feeds, struct notes *notes, const char *fd,
    const char *at, long long chat_id)
{
	long long	 user, seq;
	int		 n;
	char		 sq[24], ch[24];
	const char	*row[] = { sq, "chat.message", at, ch, fd };

	snprintf(ch, sizeof(ch), "%lld", chat_id);
	while (feeds != NULL && sscanf(feeds, "%lld:%lld%n", &user, &seq,
	    &n) == 2) {
		notes_add(notes, HUB_FEED, user, seq);
		if (fd != NULL && at != NULL) {
			snprintf(sq, sizeof(sq), "%lld", seq);
			notes_row(notes, 5, row);
		}
		feeds += n;
		if (*feeds != ',')
			break;
		feeds++;
	}
}

enum db_rc
chat_append(struct db *db, struct chat_lock *c, const struct chat_event *ev,
    struct notes *notes, long long *seq)
{
	struct dbres	 res;
	char		*js = NULL, *fd;
	json_t		*o;
	enum db_rc	 rc;
	long long	 s = c->last_seq + 1, skip = 0;

	/* An agent's own message is not put in its own feed: the send's
	 * answer has it, and each feed event costs a wake-up and a poll. */
	if (strcmp(ev->type, "message") == 0 && strcmp(ev->author_kind, "agent") == 0)
		skip = ev->author_id;
	if (ev->data != NULL && (js = json_dumps(ev->data, JSON_COMPACT)) == NULL)
		return DB_ERR;
	o = feed_event(ev);
	fd = feed_data(o);
	json_decref(o);
	if (fd == NULL) {
		free(js);
		return DB_ERR;
	}
	rc = db_exec(db, STMT_APPEND, &res, "iississississss", c->id, s, ev->type,
	    ev->author_kind, ev->author_id, ev->author_name ? ev->author_name : "",
	    ev->text, (long long)(ev->private_msg != 0), ev->client_id, js, skip,
	    feed_type(ev), fd, NULL, NULL);
	free(js);
	free(fd);
	if (rc != DB_OK)
		return rc;
	/* The chat's note first: past NOTES_MAX notes are dropped, and the
	 * hub's change check then still finds a feed's change, but never its
	 * own process's chats' (STMT_HUB_CHANGES). */
	notes_add(notes, HUB_CHAT, c->id, s);
	feeds_notes(dbres_str(&res, 0, 0), notes, NULL, NULL, 0);
	dbres_free(&res);
	c->last_seq = s;
	if (seq != NULL)
		*seq = s;
	return DB_OK;
}

enum db_rc
feed_queue_changed(struct db *db, long long channel_id, const char *type,
    long long chat_id, int left, struct notes *notes)
{
	struct dbres	 res, cnt;
	json_t		*data;
	enum db_rc	 rc;
	long long	 version;
	int		 i;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = db_exec(db, STMT_CHANNEL_RESPONDERS, &res, "i",
	    channel_id)) != DB_OK)
		goto fail;
	if (left)
		rc = db_exec(db, STMT_CHANNEL_QUEUE_BUMP, NULL, "i", channel_id);
	if (rc == DB_OK)
		rc = db_exec(db, STMT_QUEUE_STATE, &cnt, "i", channel_id);
	if (rc != DB_OK) {
		dbres_free(&res);
		goto fail;
	}
	data = json_pack("{s:I}", "waiting", (json_int_t)dbres_int(&cnt, 0, 0));
	version = dbres_int(&cnt, 0, 1);
	dbres_free(&cnt);
	for (i = 0; i < res.rows && rc == DB_OK; i++)
		rc = feed_append(db, dbres_int(&res, i, 0), dbres_int(&res, i, 1),
		    type, chat_id, data, notes, NULL);
	json_decref(data);
	dbres_free(&res);
	if (rc != DB_OK)
		goto fail;
	if ((rc = db_commit(db)) != DB_OK)
		return rc;
	/* Widgets waiting in this queue see their position move. */
	if (left)
		notes_add(notes, HUB_QUEUE, channel_id, version);
	return DB_OK;
fail:
	db_rollback(db);
	return rc;
}

json_t *
event_json(const struct dbres *res, int row, int agent_view)
{
	json_t		*o, *extra;
	const char	*v;

	o = json_pack("{s:I, s:s, s:s, s:{s:s, s:s}}",
	    "seq", (json_int_t)dbres_int(res, row, 0),
	    "type", dbres_str(res, row, 1),
	    "at", dbres_str(res, row, 2),
	    "author", "kind", dbres_str(res, row, 3),
	    "name", dbres_str(res, row, 4));
	if ((v = dbres_str(res, row, 5)) != NULL)
		json_object_set_new(o, "text", json_string(v));
	if ((v = dbres_str(res, row, 6)) != NULL &&
	    (extra = json_loads(v, 0, NULL)) != NULL) {
		json_object_update_missing(o, extra);
		json_decref(extra);
	}
	if (agent_view) {
		json_object_set_new(o, "private",
		    json_boolean(dbres_int(res, row, 7)));
		if (dbres_int(res, row, 8))
			json_object_set_new(json_object_get(o, "author"), "id",
			    json_integer(dbres_int(res, row, 8)));
	}
	return o;
}

/* ,"key":"value" (the key is a name of ours, written as it is). */
static void
member(struct buf *b, const char *key, const char *value)
{
	buf_printf(b, ",\"%s\":", key);
	html_json_string(b, value);
}

void
chat_json_buf(struct buf *b, const struct dbres *res, int row)
{
	buf_printf(b, "{\"id\":%lld", dbres_int(res, row, 0));
	member(b, "channel", dbres_str(res, row, 1));
	buf_puts(b, ",\"customer\":{\"verified\":false");
	member(b, "name", dbres_str(res, row, 2));
	member(b, "email", dbres_str(res, row, 3));
	buf_putc(b, '}');
	member(b, "status", dbres_str(res, row, 4));
	buf_printf(b, ",\"unread\":%lld", dbres_int(res, row, 5));
	member(b, "last_from", dbres_str(res, row, 6));
	buf_puts(b, ",\"transfer\":null");
	member(b, "started_at", dbres_str(res, row, 7));
	member(b, "ended_at", dbres_str(res, row, 8));
	buf_printf(b, ",\"last_seq\":%lld", dbres_int(res, row, 9));
	if (dbres_str(res, row, 10) != NULL)	/* not in lists (db.c) */
		member(b, "question", dbres_str(res, row, 10));
	buf_putc(b, '}');
}

json_t *
chat_json(const struct dbres *res, int row)
{
	struct buf	 b;
	json_t		*o;

	buf_init(&b, 0);
	chat_json_buf(&b, res, row);
	o = b.err ? NULL : json_loads(buf_str(&b), 0, NULL);
	buf_free(&b);
	return o;
}

/* ---------------------------------------------------------------- *
 * Chat actions
 * ---------------------------------------------------------------- */

#define TX_TRIES 5

static enum act
act_of(enum db_rc rc)
{
	return rc == DB_DOWN ? ACT_DOWN : ACT_ERR;
}

static enum act
first_seq(struct db *db, long long id, const char *client_id, long long *seq)
{
	struct dbres res;

	if (db_exec(db, STMT_EVENT_BY_CLIENT_ID, &res, "is", id,
	    client_id) != DB_OK)
		return ACT_DOWN;
	if (res.rows != 1) {
		dbres_free(&res);
		return ACT_ERR;
	}
	*seq = dbres_int(&res, 0, 0);
	dbres_free(&res);
	return ACT_DUP;
}

/* Begins a transaction and locks chat `id`: ACT_OK, or rolled back and why. */
static enum act
begin_locked(struct db *db, long long id, struct chat_lock *c, enum db_rc *rc)
{
	if ((*rc = db_begin(db)) != DB_OK)
		return act_of(*rc);
	if ((*rc = chat_lock(db, id, c)) != DB_OK) {
		db_rollback(db);
		return act_of(*rc);
	}
	if (c->id == 0) {
		db_rollback(db);
		return ACT_NOT_FOUND;
	}
	return ACT_OK;
}

/*
 * The wake-ups of a message that snak_post appended at `seq` (res: its
 * row), each with the event as the woken poll would read it, so that the
 * polls this process answers need no query: the customer's (a public
 * message in an active chat, as STMT_EVENTS_PUBLIC) and the agents' (as
 * STMT_FEED_AFTER: `o`, the feed data sent to snak_post, with the seq and
 * name snak_append set in it).
 */
static void
post_notes(struct notes *notes, long long id, const struct chat_event *ev,
    long long seq, const struct dbres *res, json_t *o)
{
	const char	*at = dbres_str(res, 0, 3), *name = dbres_str(res, 0, 4),
			*status = dbres_str(res, 0, 5);
	char		 sq[24], aid[24], *fd;
	json_t		*e = json_object_get(o, "event");
	const char	*row[] = { sq, "message", at, ev->author_kind, name,
			    ev->text, NULL, "0", aid };

	snprintf(sq, sizeof(sq), "%lld", seq);
	snprintf(aid, sizeof(aid), "%lld", ev->author_id);
	json_object_set_new(e, "seq", json_integer(seq));
	json_object_set_new(json_object_get(e, "author"), "name",
	    json_string(name != NULL ? name : ""));
	fd = feed_data(o);
	notes_add(notes, HUB_CHAT, id, seq);	/* first, see chat_append */
	if (!ev->private_msg && at != NULL && name != NULL &&
	    status != NULL && strcmp(status, "active") == 0)
		notes_row(notes, 9, row);
	feeds_notes(dbres_str(res, 0, 2), notes, fd, at, id);
	free(fd);
}

/* One CALL: lock, checks, append and commit (snak_post). */
static enum act
post_once(struct db *db, long long id, const struct chat_event *ev,
    long long *seq, struct notes *notes, enum db_rc *rc)
{
	static const struct {
		const char	*name;
		enum act	 act;
	} outcomes[] = {
		{ "ok", ACT_OK }, { "not_found", ACT_NOT_FOUND },
		{ "not_mine", ACT_NOT_MINE }, { "ended", ACT_ENDED },
	};
	struct dbres	 res;
	const char	*outcome;
	char		*fd;
	json_t		*o;
	enum act	 a = ACT_ERR;
	size_t		 i;

	o = feed_event(ev);
	if ((fd = feed_data(o)) == NULL) {
		json_decref(o);
		return ACT_ERR;
	}
	*rc = db_exec(db, STMT_POST, &res, "isississ", id, ev->author_kind,
	    ev->author_id, ev->author_name, ev->text,
	    (long long)(ev->private_msg != 0), ev->client_id, fd);
	free(fd);
	if (*rc != DB_OK) {
		json_decref(o);
		/* A failed statement leaves the procedure's transaction open. */
		db_rollback(db);
		if (*rc == DB_DUP)
			return first_seq(db, id, ev->client_id, seq);
		return act_of(*rc);
	}
	outcome = res.rows == 1 ? dbres_str(&res, 0, 0) : NULL;
	for (i = 0; outcome != NULL && i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (strcmp(outcome, outcomes[i].name) == 0)
			a = outcomes[i].act;
	if (a == ACT_OK) {
		*seq = dbres_int(&res, 0, 1);
		post_notes(notes, id, ev, *seq, &res, o);
	}
	json_decref(o);
	dbres_free(&res);
	/* A retried send of a message that made it before the end. */
	if (a == ACT_ENDED && ev->client_id != NULL &&
	    first_seq(db, id, ev->client_id, seq) == ACT_DUP)
		return ACT_DUP;
	return a;
}

enum act
chat_post(struct db *db, long long id, const struct chat_event *ev,
    long long *seq)
{
	struct notes	 notes;
	enum db_rc	 rc = DB_OK;
	enum act	 a = ACT_ERR;
	int		 i;

	for (i = 0; i < TX_TRIES; i++) {
		notes.n = 0;
		a = post_once(db, id, ev, seq, &notes, &rc);
		if (!(a == ACT_ERR && rc == DB_RETRY))
			break;
	}
	if (a == ACT_OK)
		notes_send(db, &notes);
	return a;
}

static enum act
end_once(struct db *db, long long id, const struct chat_event *ev,
    struct notes *notes, enum db_rc *rc, long long *queued_channel)
{
	struct chat_lock	 c;
	struct chat_event	 e;
	enum act		 a;

	if ((a = begin_locked(db, id, &c, rc)) != ACT_OK)
		return a;
	if (strcmp(c.status, "ended") == 0) {
		db_rollback(db);
		return ACT_OK;
	}
	e = *ev;
	if (e.author_name == NULL)
		e.author_name = c.customer_name;
	if ((*rc = db_exec(db, STMT_CHAT_END, NULL, "i", id)) != DB_OK ||
	    (*rc = chat_append(db, &c, &e, notes, NULL)) != DB_OK)
		goto fail;
	if ((*rc = db_commit(db)) != DB_OK)
		return act_of(*rc);
	if (strcmp(c.status, "queued") == 0)
		*queued_channel = c.channel_id;
	return ACT_OK;
fail:
	db_rollback(db);
	return act_of(*rc);
}

enum act
chat_end(struct db *db, long long id, const char *by_kind, long long by_id,
    const char *by_name)
{
	struct chat_event	 ev;
	struct notes		 notes;
	enum db_rc		 rc = DB_OK;
	enum act		 a = ACT_ERR;
	long long		 queued_channel = 0;
	int			 i;

	memset(&ev, 0, sizeof(ev));
	ev.type = "status";
	ev.author_kind = by_kind;
	ev.author_id = by_id;
	ev.author_name = by_name;
	ev.data = json_pack("{s:s, s:s}", "status", "ended", "by", by_kind);
	for (i = 0; i < TX_TRIES; i++) {
		notes.n = 0;
		a = end_once(db, id, &ev, &notes, &rc, &queued_channel);
		if (!(a == ACT_ERR && rc == DB_RETRY))
			break;
	}
	json_decref(ev.data);
	if (a != ACT_OK)
		return a;
	notes_send(db, &notes);
	/* Leaving the queue moves everyone behind: a second transaction. */
	if (queued_channel != 0) {
		notes.n = 0;
		if (feed_queue_changed(db, queued_channel, "queue.changed", 0,
		    1, &notes) == DB_OK)
			notes_send(db, &notes);
	}
	return ACT_OK;
}
