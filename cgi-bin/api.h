/* api.h: what the customer and agent API handlers share. */
#ifndef SNAK_API_H
#define SNAK_API_H

#include "events.h"

struct req;

#define MAX_MESSAGE_CHARS	4000
#define MAX_CLIENT_ID		64

/*
 * Reads {text, client_id[, private]} from the body into `ev` (pointers into
 * the request's JSON). Returns 0, or -1 after sending 422 with `fields`.
 */
int	api_read_message(struct req *, struct chat_event *ev, int allow_private);

/* Answers a chat_post outcome: ok/dup with `seq` (201/200) or an error. */
void	api_send_act(struct req *, enum act, long long seq, int ok_status);
/* Answers a chat_end outcome: 200 {status: "ended"} or an error. */
void	api_send_ended(struct req *, enum act);

/*
 * The first-run check of a poll's `after` against the newest `last`:
 * 0, or -1 after sending 400 (a cursor from the future).
 */
int	api_check_after(struct req *, long long last);

/*
 * Reads channel `slug` (STMT_CHANNEL_BY_SLUG) into `res`: 0, or -1 after
 * sending 404 (no such channel) or 503.
 */
int	api_load_channel(struct req *, const char *slug, struct dbres *res);

#endif
