/* response.c: status, headers and body of every answer.
 *
 * Handlers only describe the answer (status, extra headers, body); the
 * bytes go out in response_flush(), which adds the security headers every
 * answer carries. A header asked for after the body is a bug and is logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "html.h"
#include "log.h"
#include "request.h"
#include "response.h"

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 302: return "Found";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return status < 500 ? "Client Error" : "Internal Server Error";
	}
}

void
response_header(struct req *r, const char *name, const char *value)
{
	if (r->answered) {
		log_err(r->rid, "header %s after the body (bug)", name);
		return;
	}
	if (!html_header_ok(value)) {
		log_err(r->rid, "header %s with a control character dropped", name);
		return;
	}
	buf_printf(&r->head, "%s: %s\r\n", name, value);
}

static void
set_body(struct req *r, int status, const char *ctype, const char *body,
    size_t len)
{
	if (r->answered) {
		log_err(r->rid, "second answer for one request (bug)");
		return;
	}
	r->status = status;
	if (ctype != NULL)
		buf_printf(&r->head, "Content-Type: %s\r\n", ctype);
	buf_reset(&r->out);
	buf_append(&r->out, body, len);
	r->answered = 1;
}

void
send_json(struct req *r, int status, json_t *obj)
{
	char *s;

	s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (s == NULL) {
		set_body(r, 500, "application/json",
		    "{\"error\":\"internal\",\"message\":\"Out of memory.\"}", 47);
		return;
	}
	set_body(r, status, "application/json", s, strlen(s));
	free(s);
}

void
send_json_buf(struct req *r, int status, const struct buf *b)
{
	if (b->err) {
		send_error(r, 500, "internal", "The answer could not be made.");
		return;
	}
	set_body(r, status, "application/json", buf_str(b), b->len);
}

void
send_error_fields(struct req *r, int status, const char *code,
    const char *message, json_t *fields)
{
	json_t *o;

	if (status >= 500)
		log_err(r->rid, "%d %s %s: %s", status,
		    request_method_name(r->method), r->path, message);
	else
		log_warn(r->rid, "%d %s %s: %s", status,
		    request_method_name(r->method), r->path, code);
	o = json_pack("{s:s, s:s}", "error", code, "message", message);
	if (fields != NULL)
		json_object_set_new(o, "fields", fields);
	send_json(r, status, o);
}

void
send_error(struct req *r, int status, const char *code, const char *message)
{
	send_error_fields(r, status, code, message, NULL);
}

void
send_db_down(struct req *r)
{
	response_header(r, "Retry-After", "2");
	send_error(r, 503, "db_unavailable",
	    "The service is briefly unavailable. Please try again in a moment.");
}

void
send_page(struct req *r, int status, const char *name, const char *lang,
    const char *const *vars)
{
	struct buf b;

	buf_init(&b, 0);
	if (html_render(&b, name, lang, vars) == -1 || b.err) {
		buf_free(&b);
		send_error(r, 500, "internal", "A page template is missing.");
		return;
	}
	set_body(r, status, "text/html; charset=utf-8", buf_str(&b), b.len);
	buf_free(&b);
}

void
send_text(struct req *r, int status, const char *ctype, const char *body)
{
	set_body(r, status, ctype, body, strlen(body));
}

void
send_redirect(struct req *r, const char *location)
{
	response_header(r, "Location", location);
	set_body(r, 302, NULL, "", 0);
}

void
send_empty(struct req *r, int status)
{
	set_body(r, status, NULL, "", 0);
}

void
response_flush(struct req *r)
{
	struct buf	 h;

	if (!r->answered)
		send_error(r, 500, "internal", "No answer was made (bug).");
	buf_init(&h, 16384);
	buf_printf(&h, "Status: %d %s\r\n", r->status, reason(r->status));
	buf_puts(&h, "X-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: same-origin\r\n");
	/* Pages set their own CSP (the widget must be framable); API answers
	 * are data, never to be rendered or cached. */
	if (strstr(buf_str(&r->head), "Content-Security-Policy:") == NULL)
		buf_puts(&h, "Content-Security-Policy: default-src 'none'; "
		    "frame-ancestors 'none'\r\nX-Frame-Options: DENY\r\n");
	if (strstr(buf_str(&r->head), "Cache-Control:") == NULL)
		buf_puts(&h, "Cache-Control: no-store\r\n");
	if (r->https)
		buf_puts(&h, "Strict-Transport-Security: max-age=31536000\r\n");
	/* Which process answered: for operators and the two-node tests. */
	buf_printf(&h, "X-Request-Id: %s\r\nX-Snak-Node: %s\r\n", r->rid, cfg.node);
	buf_append(&h, r->head.p ? r->head.p : "", r->head.len);
	if (r->status != 204 && r->status != 304)
		buf_printf(&h, "Content-Length: %lu\r\n", (unsigned long)r->out.len);
	buf_puts(&h, "\r\n");
	if (r->io.write != NULL) {
		r->io.write(r->io.ctx, buf_str(&h), (int)h.len);
		if (r->method != METHOD_HEAD && r->out.len > 0)
			r->io.write(r->io.ctx, r->out.p, (int)r->out.len);
	}
	buf_free(&h);
}
