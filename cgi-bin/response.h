/* response.h: the one way answers are made: status, headers, body. */
#ifndef SNAK_RESPONSE_H
#define SNAK_RESPONSE_H

#include <jansson.h>

struct req;

/* Sends `obj` (reference stolen) as the JSON body with `status`. */
void	send_json(struct req *, int status, json_t *obj);
/* An answer written as JSON text already (500 if the buffer failed). */
void	send_json_buf(struct req *, int status, const struct buf *);
/*
 * An error as API.md "Conventions" says: {error, message[, fields]}. Logs
 * one line with the request id (warn for 4xx, error for 5xx). `fields` is
 * stolen and may be NULL.
 */
void	send_error(struct req *, int status, const char *code, const char *message);
void	send_error_fields(struct req *, int status, const char *code,
	    const char *message, json_t *fields);
/* 503 when the database cannot be reached. */
void	send_db_down(struct req *);
/* An HTML page from templates/ (see html_render); 500 if it is missing. */
void	send_page(struct req *, int status, const char *name, const char *lang,
	    const char *const *vars);
void	send_text(struct req *, int status, const char *ctype, const char *body);
void	send_redirect(struct req *, const char *location);
void	send_empty(struct req *, int status);
/* Adds a header line; only before a send_* call. Rejects CR/LF in values. */
void	response_header(struct req *, const char *name, const char *value);
/*
 * Writes status line, fixed security headers, extra headers and body
 * through r->io. Called once per request by whoever finishes it.
 */
void	response_flush(struct req *);

#endif
