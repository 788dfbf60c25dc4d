/* api.c: message input, action outcomes and poll cursors, for both sides. */
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "request.h"
#include "response.h"
#include "valid.h"

static int
valid_client_id(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= MAX_CLIENT_ID || !((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr("-_.:", s[i]) != NULL))
			return 0;
	return i > 0;
}

static int
blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (strchr(" \t\r\n", *s) == NULL)
			return 0;
	return 1;
}

int
api_read_message(struct req *r, struct chat_event *ev, int allow_private)
{
	const char	*text, *cid;
	json_t		*fields = json_object(), *priv;
	int		 t, c;

	memset(ev, 0, sizeof(*ev));
	t = request_body_str(r, "text", &text);
	c = request_body_str(r, "client_id", &cid);
	if (t != 1 || blank(text))
		json_object_set_new(fields, "text", json_string(
		    t == -1 ? "invalid" : "required"));
	else if (valid_chars(text) > MAX_MESSAGE_CHARS)
		json_object_set_new(fields, "text", json_string("too_long"));
	if (c != 1)
		json_object_set_new(fields, "client_id", json_string(
		    c == -1 ? "invalid" : "required"));
	else if (!valid_client_id(cid))
		json_object_set_new(fields, "client_id", json_string("invalid"));
	priv = r->body ? json_object_get(r->body, "private") : NULL;
	if (priv != NULL && !json_is_boolean(priv) && !json_is_null(priv))
		json_object_set_new(fields, "private", json_string("invalid"));
	if (json_object_size(fields) > 0) {
		send_error_fields(r, 422, "invalid",
		    "The message could not be sent: see fields.", fields);
		return -1;
	}
	json_decref(fields);
	ev->type = "message";
	ev->text = text;
	ev->client_id = cid;
	ev->private_msg = allow_private && json_is_true(priv);
	return 0;
}

void
api_send_act(struct req *r, enum act a, long long seq, int ok_status)
{
	switch (a) {
	case ACT_OK:
		send_json(r, ok_status, json_pack("{s:I}", "seq", (json_int_t)seq));
		break;
	case ACT_DUP:
		/* The same client_id again: the first result, not a copy. */
		send_json(r, 200, json_pack("{s:I}", "seq", (json_int_t)seq));
		break;
	case ACT_ENDED:
		send_error(r, 409, "chat_ended", "This chat has ended.");
		break;
	case ACT_NOT_FOUND:
		send_error(r, 404, "not_found", "There is no such chat.");
		break;
	case ACT_DOWN:
		send_db_down(r);
		break;
	case ACT_NOT_MINE:
		send_error(r, 403, "forbidden", "Only the chat's agent can do this.");
		break;
	case ACT_ERR:
		send_error(r, 500, "internal", "Something went wrong on our side.");
		break;
	}
}

void
api_send_ended(struct req *r, enum act a)
{
	if (a == ACT_OK)
		send_json(r, 200, json_pack("{s:s}", "status", "ended"));
	else
		api_send_act(r, a, 0, 200);
}

int
api_load_channel(struct req *r, const char *slug, struct dbres *res)
{
	if (db_exec(r->db, STMT_CHANNEL_BY_SLUG, res, "s", slug) != DB_OK) {
		send_db_down(r);
		return -1;
	}
	if (res->rows != 1) {
		dbres_free(res);
		send_error(r, 404, "not_found", "There is no such channel.");
		return -1;
	}
	return 0;
}

int
api_check_after(struct req *r, long long last)
{
	if (r->q.after > last) {
		send_error(r, 400, "bad_cursor",
		    "'after' is beyond the newest event; start again from 0.");
		return -1;
	}
	return 0;
}
