/* api-widget.c: the customer's side, /api/v1/widget (API.md "Customers").
 *
 * Chat calls are opened by the chat token (checked in serve.c, which sets
 * r->chat_id); no cookies, so no CSRF. A customer never sees a private
 * event.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "auth.h"
#include "db.h"
#include "events.h"
#include "html.h"
#include "hub.h"
#include "queue.h"
#include "request.h"
#include "response.h"
#include "routes.h"
#include "serve.h"
#include "valid.h"

#define MAX_NAME_CHARS 200

/* The pre-chat fields of the first version; required ones first. */
static json_t *
prechat_fields(const char *lang)
{
	return json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s, s:b}]",
	    "name", "name", "label", html_t(lang, "prechat.name"), "required", 1,
	    "name", "email", "label", html_t(lang, "prechat.email"), "required", 1,
	    "name", "question", "label", html_t(lang, "prechat.question"),
	    "required", 1);
}

/* GET /channels/{slug}: what the widget shows before a chat. 404. */
int
api_widget_channel(struct req *r)
{
	struct dbres	 res;
	const char	*lang;

	if (api_load_channel(r, r->slug, &res) == -1)
		return HANDLER_DONE;
	lang = dbres_str(&res, 0, 3);
	/* Opening hours come with the channel settings; until then a channel
	 * is open at all hours, as API.md says of one without hours. */
	send_json(r, 200, json_pack("{s:s, s:s, s:s, s:b, s:s, s:n, s:s, s:s, "
	    "s:s, s:{s:o}, s:b, s:b, s:{s:b, s:b, s:b}}",
	    "slug", dbres_str(&res, 0, 1), "name", dbres_str(&res, 0, 2),
	    "language", lang, "open", 1,
	    "closed_message", dbres_str(&res, 0, 6), "next_open",
	    "welcome_message", dbres_str(&res, 0, 4),
	    "queue_message", dbres_str(&res, 0, 5),
	    "color", dbres_str(&res, 0, 7),
	    "prechat", "fields", prechat_fields(lang),
	    "faq_suggestions", 0, "offline_requests", 0,
	    "postchat", "enabled", 0, "transcript", 0, "rating", 0));
	dbres_free(&res);
	return HANDLER_DONE;
}

/* The chat's state as the widget polls it. */
struct wstate {
	char		 status[8];
	long long	 last_seq;
	long long	 channel_id;
	long long	 queue_version;
	long long	 position;	/* 0 unless queued */
};

static int
read_state(struct req *r, struct wstate *s)
{
	struct dbres res;

	if (db_exec(r->db, STMT_CHAT_WIDGET_STATE, &res, "i", r->chat_id) != DB_OK)
		return -1;
	if (res.rows != 1) {
		dbres_free(&res);
		return -1;
	}
	snprintf(s->status, sizeof(s->status), "%s", dbres_str(&res, 0, 0));
	s->last_seq = dbres_int(&res, 0, 1);
	s->channel_id = dbres_int(&res, 0, 2);
	s->queue_version = dbres_int(&res, 0, 3);
	dbres_free(&res);
	hub_chat_learn(r->chat_id, s->last_seq,
	    strcmp(s->status, "active") == 0);
	s->position = 0;
	if (strcmp(s->status, "queued") == 0 &&
	    (s->position = queue_position(r->db, s->channel_id,
	    s->queue_version, r->chat_id)) < 0)
		return -1;
	return 0;
}

/* Checks the pre-chat form; the 422 `fields` as API.md names them. */
static json_t *
check_prechat(struct req *r, const char **name, const char **email,
    const char **question)
{
	json_t	*f = json_object();
	int	 n, e, q;

	n = request_body_str(r, "name", name);
	e = request_body_str(r, "email", email);
	q = request_body_str(r, "question", question);
	if (n != 1 || **name == '\0')
		json_object_set_new(f, "name", json_string(n == -1 ? "invalid" : "required"));
	else if (valid_chars(*name) > MAX_NAME_CHARS)
		json_object_set_new(f, "name", json_string("too_long"));
	if (e != 1 || **email == '\0')
		json_object_set_new(f, "email", json_string(e == -1 ? "invalid" : "required"));
	else if (!valid_email(*email))
		json_object_set_new(f, "email", json_string("invalid"));
	if (q != 1 || **question == '\0')
		json_object_set_new(f, "question", json_string(q == -1 ? "invalid" : "required"));
	else if (valid_chars(*question) > MAX_MESSAGE_CHARS)
		json_object_set_new(f, "question", json_string("too_long"));
	return f;
}

/*
 * POST /channels/{slug}/chats {name, email, question, language?}: 201 with
 * the chat and its token (shown once, stored hashed); 422; 404.
 */
int
api_widget_chat_new(struct req *r)
{
	const char		*name, *email, *question, *lang;
	char			 token[AUTH_TOKEN_LEN + 1];
	unsigned char		 h[AUTH_HASH_LEN];
	struct dbres		 ch;
	struct chat_lock	 c;
	struct chat_event	 ev;
	struct notes		 notes = { 0 };
	struct wstate		 s;
	json_t			*fields;
	long long		 channel_id, id;
	enum db_rc		 rc;

	fields = check_prechat(r, &name, &email, &question);
	if (json_object_size(fields) > 0) {
		send_error_fields(r, 422, "invalid",
		    "Please check the form: see fields.", fields);
		return HANDLER_DONE;
	}
	json_decref(fields);
	if (api_load_channel(r, r->slug, &ch) == -1)
		return HANDLER_DONE;
	channel_id = dbres_int(&ch, 0, 0);
	if (request_body_str(r, "language", &lang) != 1)
		lang = NULL;
	lang = html_lang(lang, dbres_str(&ch, 0, 3));
	dbres_free(&ch);

	auth_token(token);
	auth_token_hash(token, h);
	if ((rc = db_begin(r->db)) != DB_OK)
		goto fail;
	if ((rc = db_exec(r->db, STMT_CHAT_INSERT, NULL, "ibssss", channel_id,
	    h, sizeof(h), name, email, question, lang)) != DB_OK)
		goto fail;
	id = (long long)db_insert_id(r->db);
	if ((rc = chat_lock(r->db, id, &c)) != DB_OK)
		goto fail;
	/* The question is the chat's first message, seq 1. */
	memset(&ev, 0, sizeof(ev));
	ev.type = "message";
	ev.author_kind = "customer";
	ev.author_name = name;
	ev.text = question;
	if ((rc = chat_append(r->db, &c, &ev, &notes, NULL)) != DB_OK ||
	    (rc = db_commit(r->db)) != DB_OK)
		goto fail;
	notes_send(r->db, &notes);
	notes.n = 0;
	if (feed_queue_changed(r->db, channel_id, "chat.queued", id,
	    0, &notes) == DB_OK)
		notes_send(r->db, &notes);
	r->chat_id = id;
	if (read_state(r, &s) == -1) {
		send_db_down(r);
		return HANDLER_DONE;
	}
	send_json(r, 201, json_pack("{s:{s:I, s:s, s:I}, s:s}",
	    "chat", "id", (json_int_t)id, "status", s.status, "queue_position",
	    (json_int_t)s.position, "token", token));
	return HANDLER_DONE;
fail:
	db_rollback(r->db);
	if (rc == DB_DOWN)
		send_db_down(r);
	else
		send_error(r, 500, "internal", "The chat could not be started.");
	return HANDLER_DONE;
}

/* GET /chats/{id}: {id, status, queue_position, agents, last_seq}. */
int
api_widget_chat(struct req *r)
{
	struct wstate	 s;
	struct dbres	 res;
	json_t		*agents;
	int		 i;

	if (read_state(r, &s) == -1 ||
	    db_exec(r->db, STMT_CHAT_AGENTS, &res, "i", r->chat_id) != DB_OK) {
		send_db_down(r);
		return HANDLER_DONE;
	}
	agents = json_array();
	for (i = 0; i < res.rows; i++)
		json_array_append_new(agents, json_pack("{s:s}", "name",
		    dbres_str(&res, i, 0)));
	dbres_free(&res);
	send_json(r, 200, json_pack("{s:I, s:s, s:I, s:o, s:I}",
	    "id", (json_int_t)r->chat_id, "status", s.status,
	    "queue_position", (json_int_t)s.position, "agents", agents,
	    "last_seq", (json_int_t)s.last_seq));
	return HANDLER_DONE;
}

/*
 * GET /chats/{id}/events?after=N&wait=S: every public event after N, at
 * once if there are any, else when one comes, the queue position moves,
 * or the deadline passes (events []). 400 for a bad cursor.
 */
int
api_widget_events(struct req *r)
{
	struct wstate	 s;
	struct dbres	 res;
	json_t		*events;
	long long	 last, known;
	int		 i, first = !r->polling, active;

	hub_begin_poll(r);
	/* Woken by this process's commit of the one event it lacks, in an
	 * active chat: that event is the answer, no query (events.c
	 * post_notes). */
	if (!first && r->wake != NULL && r->wake->key == HUB_CHAT &&
	    r->wake->id == r->chat_id && r->wake->row != NULL &&
	    r->wake->seq == r->seen + 1 && r->seen_pos == 0) {
		send_json(r, 200, json_pack("{s:[o], s:I, s:s, s:I}", "events",
		    event_json(r->wake->row, 0, 0), "last_seq",
		    (json_int_t)r->wake->seq, "status", "active",
		    "queue_position", (json_int_t)0));
		return HANDLER_DONE;
	}
	/* The usual re-poll, right after an answer: the cursor is where this
	 * process knows the active chat to be. Wait, without a query. */
	if (first && r->q.after > 0 &&
	    hub_chat_known(r->chat_id, &known, &active) && active &&
	    known == r->q.after && hub_can_park(r)) {
		r->seen = known;
		r->seen_pos = 0;
		if (hub_park(r, HUB_CHAT, r->chat_id, known, HUB_NONE, 0, 0) == 0)
			return HANDLER_PARKED;
	}
	if (read_state(r, &s) == -1) {
		send_db_down(r);
		return HANDLER_DONE;
	}
	if (first) {
		if (r->q.after < 0)
			r->q.after = 0;
		if (api_check_after(r, s.last_seq) == -1)
			return HANDLER_DONE;
		r->seen = r->q.after;
		r->seen_pos = s.position;
	}
	events = json_array();
	last = s.last_seq;
	if (s.last_seq > r->seen) {
		if (db_exec(r->db, STMT_EVENTS_PUBLIC, &res, "iii", r->chat_id,
		    r->q.after, s.last_seq) != DB_OK) {
			json_decref(events);
			send_db_down(r);
			return HANDLER_DONE;
		}
		for (i = 0; i < res.rows; i++)
			json_array_append_new(events, event_json(&res, i, 0));
		if (res.rows == 500)	/* the rest in the next poll */
			last = dbres_int(&res, res.rows - 1, 0);
		dbres_free(&res);
	}
	/* Nothing the customer can see yet (private notes move last_seq
	 * without events): wait for more, remembering what was looked at. */
	if (json_array_size(events) == 0 && s.position == r->seen_pos &&
	    hub_can_park(r)) {
		r->seen = s.last_seq;
		if (hub_park(r, HUB_CHAT, r->chat_id, s.last_seq,
		    s.position > 0 ? HUB_QUEUE : HUB_NONE, s.channel_id,
		    s.queue_version) == 0) {
			json_decref(events);
			return HANDLER_PARKED;
		}
	}
	send_json(r, 200, json_pack("{s:o, s:I, s:s, s:I}", "events", events,
	    "last_seq", (json_int_t)last, "status", s.status,
	    "queue_position", (json_int_t)s.position));
	return HANDLER_DONE;
}

/* POST /chats/{id}/messages {text, client_id}: 201 {seq}; 200 again; 409. */
int
api_widget_message(struct req *r)
{
	struct chat_event	 ev;
	long long		 seq = 0;
	enum act		 a;

	if (api_read_message(r, &ev, 0) == -1)
		return HANDLER_DONE;
	ev.author_kind = "customer";	/* named by chat_post */
	/* Not in one expression: argument order is unspecified in C. */
	a = chat_post(r->db, r->chat_id, &ev, &seq);
	api_send_act(r, a, seq, 201);
	return HANDLER_DONE;
}

/* POST /chats/{id}/end: 200 {status: "ended"}, the same when repeated. */
int
api_widget_end(struct req *r)
{
	api_send_ended(r, chat_end(r->db, r->chat_id, "customer", 0, NULL));
	return HANDLER_DONE;
}
