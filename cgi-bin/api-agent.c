/* api-agent.c: the agent's side, /api/v1/agent (API.md "Agents").
 *
 * Every route here needs a session, and changes a CSRF token (serve.c).
 * Which chats an agent may see is decided in SQL (STMT_CHAT_FOR_AGENT):
 * the chat's agent, a participant, an admin, or a channel member with the
 * listen or manager right. Anyone else gets 404, as for a chat that does
 * not exist.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "buf.h"
#include "db.h"
#include "events.h"
#include "html.h"
#include "hub.h"
#include "request.h"
#include "response.h"
#include "routes.h"
#include "serve.h"

static json_t *
user_json(const struct req *r)
{
	return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)r->user.id,
	    "username", r->user.username, "name", r->user.name,
	    "role", r->user.role);
}

/* A SET column "respond,listen" as a JSON array. */
static json_t *
rights_json(const char *set)
{
	json_t		*a = json_array();
	const char	*p = set ? set : "";
	char		 one[16];
	size_t		 n;

	while (*p != '\0') {
		n = strcspn(p, ",");
		if (n > 0 && n < sizeof(one)) {
			memcpy(one, p, n);
			one[n] = '\0';
			json_array_append_new(a, json_string(one));
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return a;
}

/* GET /me: {user, status, channels: [{slug, name, rights}], csrf_token}. */
int
api_agent_me(struct req *r)
{
	struct dbres	 st, ch;
	json_t		*channels;
	int		 i;

	if (db_exec(r->db, STMT_USER_STATE, &st, "i", r->user.id) != DB_OK)
		goto down;
	if (db_exec(r->db, STMT_USER_CHANNELS, &ch, "i", r->user.id) != DB_OK) {
		dbres_free(&st);
		goto down;
	}
	channels = json_array();
	for (i = 0; i < ch.rows; i++)
		json_array_append_new(channels, json_pack("{s:s, s:s, s:o}",
		    "slug", dbres_str(&ch, i, 0), "name", dbres_str(&ch, i, 1),
		    "rights", rights_json(dbres_str(&ch, i, 2))));
	send_json(r, 200, json_pack("{s:o, s:s, s:I, s:o, s:s}",
	    "user", user_json(r), "status", dbres_str(&st, 0, 0),
	    "max_chats", (json_int_t)dbres_int(&st, 0, 2),
	    "channels", channels, "csrf_token", r->user.csrf));
	dbres_free(&st);
	dbres_free(&ch);
	return HANDLER_DONE;
down:
	send_db_down(r);
	return HANDLER_DONE;
}

/* PUT /me/status {status}: 200 {status}; 422 for anything else. */
int
api_agent_status(struct req *r)
{
	const char	*status;
	struct dbres	 u;
	struct notes	 notes = { 0 };
	enum db_rc	 rc;

	if (request_body_str(r, "status", &status) != 1 ||
	    (strcmp(status, "present") != 0 && strcmp(status, "away") != 0 &&
	    strcmp(status, "offline") != 0)) {
		send_error_fields(r, 422, "invalid",
		    "Status must be present, away or offline.",
		    json_pack("{s:s}", "status", "invalid"));
		return HANDLER_DONE;
	}
	if ((rc = db_begin(r->db)) != DB_OK)
		goto fail;
	if ((rc = db_exec(r->db, STMT_USER_LOCK, &u, "i", r->user.id)) != DB_OK)
		goto fail;
	rc = db_exec(r->db, STMT_USER_SET_STATUS, NULL, "si", status, r->user.id);
	/* In the agent's own feed, so every open tab follows. */
	if (rc == DB_OK) {
		json_t *d = json_pack("{s:s}", "status", status);

		rc = feed_append(r->db, r->user.id, dbres_int(&u, 0, 0),
		    "status.changed", 0, d, &notes, NULL);
		json_decref(d);
	}
	dbres_free(&u);
	if (rc != DB_OK || (rc = db_commit(r->db)) != DB_OK)
		goto fail;
	notes_send(r->db, &notes);
	send_json(r, 200, json_pack("{s:s}", "status", status));
	return HANDLER_DONE;
fail:
	db_rollback(r->db);
	send_db_down(r);
	return HANDLER_DONE;
}

static json_t *
feed_event_json(const struct dbres *res, int row)
{
	json_t		*o, *extra;
	const char	*v;

	o = json_pack("{s:I, s:s, s:s}", "seq", (json_int_t)dbres_int(res, row, 0),
	    "type", dbres_str(res, row, 1), "at", dbres_str(res, row, 2));
	if (dbres_str(res, row, 3) != NULL)
		json_object_set_new(o, "chat_id", json_integer(dbres_int(res, row, 3)));
	if ((v = dbres_str(res, row, 4)) != NULL &&
	    (extra = json_loads(v, 0, NULL)) != NULL) {
		json_object_update_missing(o, extra);
		json_decref(extra);
	}
	return o;
}

/*
 * GET /events?after=N&wait=S: the agent's own feed after N, at once or
 * when something comes, else [] at the deadline. 400 for a bad cursor.
 */
int
api_agent_events(struct req *r)
{
	struct dbres	 res;
	json_t		*events;
	long long	 last;
	int		 i, first = !r->polling;

	hub_begin_poll(r);
	if (r->q.after < 0)
		r->q.after = 0;
	/* Woken by this process's commit of the one event it lacks: that
	 * event is the answer, no query (events.c post_notes). */
	if (!first && r->wake != NULL && r->wake->key == HUB_FEED &&
	    r->wake->id == r->user.id && r->wake->row != NULL &&
	    r->wake->seq == r->q.after + 1) {
		send_json(r, 200, json_pack("{s:[o], s:I}", "events",
		    feed_event_json(r->wake->row, 0), "last_seq",
		    (json_int_t)r->wake->seq));
		return HANDLER_DONE;
	}
	/* The usual re-poll: the session check read where the feed ends, and
	 * nothing is new. Wait (hub_park catches what commits meanwhile). */
	if (first && r->user.feed_seq <= r->q.after) {
		last = r->user.feed_seq;
		if (api_check_after(r, last) == -1)
			return HANDLER_DONE;
		goto wait;
	}
	/* A feed is gapless in commit order (appends take the agent's row
	 * lock), so what is visible after N is complete: no upper bound is
	 * needed, and the usual wake-up costs this one query. */
	if (db_exec(r->db, STMT_FEED_AFTER, &res, "ii", r->user.id,
	    r->q.after) != DB_OK) {
		send_db_down(r);
		return HANDLER_DONE;
	}
	if (res.rows > 0) {
		events = json_array();
		for (i = 0; i < res.rows; i++)
			json_array_append_new(events, feed_event_json(&res, i));
		last = dbres_int(&res, res.rows - 1, 0);
		dbres_free(&res);
		send_json(r, 200, json_pack("{s:o, s:I}", "events", events,
		    "last_seq", (json_int_t)last));
		return HANDLER_DONE;
	}
	dbres_free(&res);
	/* Nothing after a cursor that was checked on the first run: the feed
	 * still ends there. (On the first run, feed_seq > after and nothing
	 * found: the events are gone; the cursor jumps to the end.) */
	last = first ? r->user.feed_seq : r->q.after;
wait:
	if (hub_can_park(r) &&
	    hub_park(r, HUB_FEED, r->user.id, last, HUB_NONE, 0, 0) == 0)
		return HANDLER_PARKED;
	send_json(r, 200, json_pack("{s:[], s:I}", "events", "last_seq",
	    (json_int_t)last));
	return HANDLER_DONE;
}

static void
chat_list(struct buf *b, const char *name, const struct dbres *res)
{
	int i;

	buf_printf(b, "\"%s\":[", name);
	for (i = 0; i < res->rows; i++) {
		if (i > 0)
			buf_putc(b, ',');
		chat_json_buf(b, res, i);
	}
	buf_putc(b, ']');
}

/* GET /chats: my ongoing chats, those ended in the last 8 h, the queue. */
int
api_agent_chats(struct req *r)
{
	struct dbres	 act, rec, q;
	struct buf	 b;
	long long	 waiting = 0;
	int		 i;

	if (db_exec(r->db, STMT_CHATS_ACTIVE, &act, "i", r->user.id) != DB_OK)
		goto down;
	if (db_exec(r->db, STMT_CHATS_RECENT, &rec, "i", r->user.id) != DB_OK) {
		dbres_free(&act);
		goto down;
	}
	if (db_exec(r->db, STMT_QUEUE_COUNTS, &q, "i", r->user.id) != DB_OK) {
		dbres_free(&act);
		dbres_free(&rec);
		goto down;
	}
	/* Written as text: a thousand chats as jansson objects took 5 ms. */
	buf_init(&b, 0);
	buf_putc(&b, '{');
	chat_list(&b, "active", &act);
	buf_putc(&b, ',');
	chat_list(&b, "recent", &rec);
	buf_puts(&b, ",\"queue\":{\"by_channel\":{");
	for (i = 0; i < q.rows; i++) {
		if (i > 0)
			buf_putc(&b, ',');
		html_json_string(&b, dbres_str(&q, i, 0));
		buf_printf(&b, ":%lld", dbres_int(&q, i, 1));
		waiting += dbres_int(&q, i, 1);
	}
	buf_printf(&b, "},\"waiting\":%lld}}", waiting);
	send_json_buf(r, 200, &b);
	buf_free(&b);
	dbres_free(&act);
	dbres_free(&rec);
	dbres_free(&q);
	return HANDLER_DONE;
down:
	send_db_down(r);
	return HANDLER_DONE;
}

/* The chat as the agent may see it; 0, or -1 after sending 404/503. */
static int
load_chat(struct req *r, long long id, struct dbres *res)
{
	if (db_exec(r->db, STMT_CHAT_FOR_AGENT, res, "iisii", id, r->user.id,
	    r->user.role, r->user.id, r->user.id) != DB_OK) {
		send_db_down(r);
		return -1;
	}
	if (res->rows != 1) {
		dbres_free(res);
		send_error(r, 404, "not_found", "There is no such chat.");
		return -1;
	}
	return 0;
}

enum next_rc { NEXT_OK, NEXT_EMPTY, NEXT_FULL, NEXT_DB };

/* One try at taking the oldest queued chat; *rc says why not. */
static enum next_rc
take_next(struct req *r, const char *channel, long long *id,
    long long *channel_id, struct notes *notes, enum db_rc *rc)
{
	struct dbres		 u, res;
	struct chat_lock	 c;
	struct chat_event	 ev;
	json_t			*d;
	long long		 active;

	if ((*rc = db_begin(r->db)) != DB_OK)
		return NEXT_DB;
	/* The agent row first: it serialises this agent's capacity check. */
	if ((*rc = db_exec(r->db, STMT_USER_LOCK, &u, "i", r->user.id)) != DB_OK)
		goto fail;
	if ((*rc = db_exec(r->db, STMT_AGENT_ACTIVE_COUNT, &res, "i",
	    r->user.id)) != DB_OK) {
		dbres_free(&u);
		goto fail;
	}
	active = dbres_int(&res, 0, 0);
	dbres_free(&res);
	if (active >= dbres_int(&u, 0, 1)) {
		dbres_free(&u);
		db_rollback(r->db);
		return NEXT_FULL;
	}
	*rc = channel ? db_exec(r->db, STMT_QUEUE_NEXT_IN, &res, "is",
	    r->user.id, channel) : db_exec(r->db, STMT_QUEUE_NEXT, &res, "i",
	    r->user.id);
	if (*rc != DB_OK) {
		dbres_free(&u);
		goto fail;
	}
	if (res.rows == 0) {
		dbres_free(&u);
		dbres_free(&res);
		db_rollback(r->db);
		return NEXT_EMPTY;
	}
	*id = dbres_int(&res, 0, 0);
	dbres_free(&res);
	d = json_pack("{s:I}", "chat_id", (json_int_t)*id);
	if ((*rc = chat_lock(r->db, *id, &c)) == DB_OK &&
	    (*rc = db_exec(r->db, STMT_CHAT_ASSIGN, NULL, "ii", r->user.id,
	    *id)) == DB_OK &&
	    (*rc = db_exec(r->db, STMT_PARTICIPANT_JOIN, NULL, "ii", *id,
	    r->user.id)) == DB_OK)
		*rc = feed_append(r->db, r->user.id, dbres_int(&u, 0, 0),
		    "chat.assigned", *id, d, notes, NULL);
	json_decref(d);
	dbres_free(&u);
	if (*rc != DB_OK)
		goto fail;
	*channel_id = c.channel_id;
	/* The customer sees the agent join and the chat become active. */
	memset(&ev, 0, sizeof(ev));
	ev.type = "agent_joined";
	ev.author_kind = "agent";
	ev.author_id = r->user.id;
	ev.author_name = r->user.name;
	if ((*rc = chat_append(r->db, &c, &ev, notes, NULL)) != DB_OK)
		goto fail;
	ev.type = "status";
	ev.data = json_pack("{s:s}", "status", "active");
	*rc = chat_append(r->db, &c, &ev, notes, NULL);
	json_decref(ev.data);
	if (*rc != DB_OK || (*rc = db_commit(r->db)) != DB_OK)
		goto fail;
	return NEXT_OK;
fail:
	db_rollback(r->db);
	return NEXT_DB;
}

/*
 * POST /queue/next {channel?}: 200 {chat} now mine; 404 when the queue is
 * empty; 409 when I have as many chats as my profile allows.
 */
int
api_agent_next(struct req *r)
{
	const char	*channel;
	struct notes	 notes;
	struct dbres	 res;
	long long	 id = 0, channel_id = 0;
	enum next_rc	 n = NEXT_DB;
	enum db_rc	 rc = DB_OK;
	int		 i, c;

	if ((c = request_body_str(r, "channel", &channel)) == -1) {
		send_error_fields(r, 422, "invalid", "channel must be a slug.",
		    json_pack("{s:s}", "channel", "invalid"));
		return HANDLER_DONE;
	}
	for (i = 0; i < 5; i++) {
		notes.n = 0;
		n = take_next(r, c == 1 ? channel : NULL, &id, &channel_id,
		    &notes, &rc);
		if (!(n == NEXT_DB && rc == DB_RETRY))
			break;
	}
	switch (n) {
	case NEXT_EMPTY:
		send_error(r, 404, "queue_empty", "No one is waiting in the queue.");
		return HANDLER_DONE;
	case NEXT_FULL:
		send_error(r, 409, "at_capacity",
		    "You have as many chats as your profile allows.");
		return HANDLER_DONE;
	case NEXT_DB:
		if (rc == DB_DOWN)
			send_db_down(r);
		else
			send_error(r, 500, "internal", "The chat could not be taken.");
		return HANDLER_DONE;
	case NEXT_OK:
		break;
	}
	notes_send(r->db, &notes);
	notes.n = 0;
	if (feed_queue_changed(r->db, channel_id, "queue.changed", 0,
	    1, &notes) == DB_OK)
		notes_send(r->db, &notes);
	if (load_chat(r, id, &res) == -1)
		return HANDLER_DONE;
	send_json(r, 200, json_pack("{s:o}", "chat", chat_json(&res, 0)));
	dbres_free(&res);
	return HANDLER_DONE;
}

/* GET /chats/{id}: {chat, events (private too), participants}; 404. */
int
api_agent_chat(struct req *r)
{
	struct dbres	 c, ev, p;
	json_t		*events, *parts;
	int		 i;

	if (load_chat(r, r->id[0], &c) == -1)
		return HANDLER_DONE;
	if (db_exec(r->db, STMT_EVENTS_ALL, &ev, "iii", r->id[0], 0LL,
	    dbres_int(&c, 0, 9)) != DB_OK) {
		dbres_free(&c);
		send_db_down(r);
		return HANDLER_DONE;
	}
	if (db_exec(r->db, STMT_PARTICIPANTS, &p, "i", r->id[0]) != DB_OK) {
		dbres_free(&c);
		dbres_free(&ev);
		send_db_down(r);
		return HANDLER_DONE;
	}
	events = json_array();
	for (i = 0; i < ev.rows; i++)
		json_array_append_new(events, event_json(&ev, i, 1));
	parts = json_array();
	json_array_append_new(parts, json_pack("{s:s, s:s}", "kind", "customer",
	    "name", dbres_str(&c, 0, 2)));
	for (i = 0; i < p.rows; i++)
		json_array_append_new(parts, json_pack("{s:s, s:I, s:s, s:s}",
		    "kind", "agent", "user_id", (json_int_t)dbres_int(&p, i, 0),
		    "name", dbres_str(&p, i, 1), "role", dbres_str(&p, i, 2)));
	/* Opening the chat reads it: the unread badge goes. */
	db_exec(r->db, STMT_CHAT_AGENT_READ, NULL, "ii", r->id[0], r->user.id);
	send_json(r, 200, json_pack("{s:o, s:o, s:o}", "chat", chat_json(&c, 0),
	    "events", events, "participants", parts));
	dbres_free(&c);
	dbres_free(&ev);
	dbres_free(&p);
	return HANDLER_DONE;
}

/*
 * The chat must be visible (else 404) and mine to write in (else 403:
 * someone who may only look on).
 */
static int
check_mine(struct req *r)
{
	struct dbres	 c;
	int		 mine;

	/* The common case in one light query: it is my chat. */
	if (db_exec(r->db, STMT_CHAT_AGENT, &c, "i", r->id[0]) != DB_OK) {
		send_db_down(r);
		return -1;
	}
	mine = c.rows == 1 && dbres_int(&c, 0, 0) == r->user.id;
	dbres_free(&c);
	if (mine)
		return 0;
	/* Not mine: someone who may look on gets 403, anyone else 404. */
	if (load_chat(r, r->id[0], &c) == -1)
		return -1;
	dbres_free(&c);
	send_error(r, 403, "forbidden", "Only the chat's agent can do this.");
	return -1;
}

/* POST /chats/{id}/messages {text, client_id, private?}: 201 {seq}; 409. */
int
api_agent_message(struct req *r)
{
	struct chat_event	 ev;
	long long		 seq = 0;
	enum act		 a;

	struct dbres		 c;

	if (api_read_message(r, &ev, 1) == -1)
		return HANDLER_DONE;
	ev.author_kind = "agent";
	ev.author_id = r->user.id;
	ev.author_name = r->user.name;
	/* Answering means having read: chat_append moves agent_read_seq. */
	a = chat_post(r->db, r->id[0], &ev, &seq);
	/* Not mine: one who may look on gets 403, anyone else 404. */
	if (a == ACT_NOT_MINE || a == ACT_NOT_FOUND) {
		if (load_chat(r, r->id[0], &c) == -1)
			return HANDLER_DONE;
		dbres_free(&c);
	}
	api_send_act(r, a, seq, 201);
	return HANDLER_DONE;
}

/* POST /chats/{id}/end: 200 {status: "ended"}. */
int
api_agent_end(struct req *r)
{
	if (check_mine(r) == -1)
		return HANDLER_DONE;
	api_send_ended(r, chat_end(r->db, r->id[0], "agent", r->user.id,
	    r->user.name));
	return HANDLER_DONE;
}
