/* request.c: parse one request's environment, query, cookies and body.
 *
 * Every accepted query field is listed in `fields` with its validator;
 * handlers read typed values from r->q and never see other keys. Sizes are
 * checked before the bytes are read.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "request.h"
#include "response.h"
#include "valid.h"

static const char *
env_get(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* Copies at most size-1 bytes; returns -1 if `src` did not fit. */
static int
copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s in place ('+' is a space); -1 for a bad escape or NUL. */
static int
url_decode(char *s)
{
	char	*o = s;
	int	 hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*o++ = ' ';
		else if (*s == '%') {
			if ((hi = hexval(s[1])) < 0 || (lo = hexval(s[2])) < 0 ||
			    (hi == 0 && lo == 0))
				return -1;
			*o++ = (char)(hi << 4 | lo);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return 0;
}

enum field { F_AFTER, F_WAIT, F_CHANNEL, F__MAX };

/* The query fields a handler can see, with their checks. */
static int
set_field(struct req *r, enum field f, const char *v)
{
	switch (f) {
	case F_AFTER: /* a sequence number; 2^53 keeps it exact in JavaScript */
		return valid_int(v, 0, 9007199254740992LL, &r->q.after) ? 0 : -1;
	case F_WAIT: /* long-poll seconds, API.md: at most 30 */
		return valid_int(v, 0, 30, &r->q.wait) ? 0 : -1;
	case F_CHANNEL:
		return valid_slug(v) ? copy(r->q.channel, sizeof(r->q.channel), v) : -1;
	case F__MAX:
		break;
	}
	abort();
}

static const char *const field_names[F__MAX] = {
	"after",	/* F_AFTER */
	"wait",		/* F_WAIT */
	"channel",	/* F_CHANNEL */
};

static int
parse_query(struct req *r, const char *qs)
{
	char	 tmp[REQ_MAX_QUERY + 1], *p, *next, *eq;
	size_t	 f;

	r->q.after = r->q.wait = -1;
	if (qs == NULL || *qs == '\0')
		return 0;
	if (copy(tmp, sizeof(tmp), qs) == -1) {
		send_error(r, 414, "query_too_long", "The query string is too long.");
		return 414;
	}
	for (p = tmp; p != NULL; p = next) {
		if ((next = strchr(p, '&')) != NULL)
			*next++ = '\0';
		if (*p == '\0')
			continue;
		if ((eq = strchr(p, '=')) != NULL)
			*eq++ = '\0';
		if (url_decode(p) == -1 || (eq != NULL && url_decode(eq) == -1)) {
			send_error(r, 400, "bad_query", "The query string is malformed.");
			return 400;
		}
		for (f = 0; f < F__MAX; f++) {
			if (strcmp(p, field_names[f]) != 0)
				continue;
			if (eq == NULL || set_field(r, (enum field)f, eq) == -1) {
				char msg[128];

				snprintf(msg, sizeof(msg),
				    "The value of '%s' is not valid.", field_names[f]);
				send_error(r, 400, "bad_query", msg);
				return 400;
			}
		}
	}
	return 0;
}

/* Finds cookie `name` in a Cookie header; copies its value. */
static void
parse_cookie(const char *hdr, const char *name, char *out, size_t size)
{
	size_t		 n = strlen(name), len;
	const char	*p = hdr;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		len = strcspn(p, ";");
		if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			if (len - n - 1 < size) {
				memcpy(out, p + n + 1, len - n - 1);
				out[len - n - 1] = '\0';
			}
			return;
		}
		p += len;
	}
}

static int
read_body(struct req *r, const char *clen)
{
	long long	 want = 0;
	char		 chunk[4096];
	int		 n;
	struct buf	 b;

	if (clen != NULL && *clen != '\0' &&
	    !valid_int(clen, 0, 1LL << 40, &want)) {
		send_error(r, 400, "bad_length", "Content-Length is not a number.");
		return 400;
	}
	if (want > REQ_MAX_BODY) {
		send_error(r, 413, "too_large", "The request body is too large.");
		return 413;
	}
	buf_init(&b, REQ_MAX_BODY);
	/* Read to the end even without a body: a parked request's connection
	 * must have nothing left to read, so readable means hung up. */
	while (r->io.read != NULL && (n = r->io.read(r->io.ctx, chunk,
	    sizeof(chunk))) > 0) {
		if (buf_append(&b, chunk, (size_t)n) == -1) {
			buf_free(&b);
			send_error(r, 413, "too_large", "The request body is too large.");
			return 413;
		}
	}
	r->raw_body = b.p;
	r->raw_len = b.len;
	return 0;
}

static int
parse_json_body(struct req *r, const char *ctype)
{
	json_error_t err;

	if (r->raw_len == 0)
		return 0;
	if (ctype == NULL || strncasecmp(ctype, "application/json", 16) != 0) {
		send_error(r, 415, "unsupported_type",
		    "Send the body as application/json.");
		return 415;
	}
	r->body = json_loadb(r->raw_body, r->raw_len, JSON_REJECT_DUPLICATES, &err);
	if (r->body == NULL) {
		char msg[256];

		snprintf(msg, sizeof(msg), "The body is not valid JSON: %s "
		    "(line %d, column %d).", err.text, err.line, err.column);
		send_error(r, 400, "bad_json", msg);
		return 400;
	}
	if (!json_is_object(r->body)) {
		send_error(r, 400, "bad_json", "The body must be a JSON object.");
		return 400;
	}
	return 0;
}

int
request_body_str(struct req *r, const char *key, const char **out)
{
	json_t *v = r->body ? json_object_get(r->body, key) : NULL;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 1;
}

static uint32_t		 rid_prefix;
static uint64_t		 rid_count;
static pthread_once_t	 rid_once = PTHREAD_ONCE_INIT;

static void
rid_init(void)
{
	randombytes_buf(&rid_prefix, sizeof(rid_prefix));
}

/* Unique, not secret: a random prefix per process and a counter, so a
 * request costs no system call for it. */
void
request_new_id(struct req *r)
{
	pthread_once(&rid_once, rid_init);
	snprintf(r->rid, sizeof(r->rid), "%08" PRIx32 "%08" PRIx64, rid_prefix,
	    __atomic_add_fetch(&rid_count, 1, __ATOMIC_RELAXED) & 0xffffffffu);
}

const char *
request_method_name(enum method m)
{
	switch (m) {
	case METHOD_GET: return "GET";
	case METHOD_POST: return "POST";
	case METHOD_PUT: return "PUT";
	case METHOD_DELETE: return "DELETE";
	case METHOD_HEAD: return "HEAD";
	default: return "OTHER";
	}
}

int
request_parse(struct req *r, char **envp)
{
	const char	*v, *uri;
	size_t		 n;
	int		 rc;

	buf_init(&r->head, 8192);
	buf_init(&r->out, 0);
	r->q.after = r->q.wait = -1;
	if (r->rid[0] == '\0')
		request_new_id(r);

	v = env_get(envp, "REQUEST_METHOD");
	r->method = v == NULL ? METHOD_OTHER :
	    strcmp(v, "GET") == 0 ? METHOD_GET :
	    strcmp(v, "POST") == 0 ? METHOD_POST :
	    strcmp(v, "PUT") == 0 ? METHOD_PUT :
	    strcmp(v, "DELETE") == 0 ? METHOD_DELETE :
	    strcmp(v, "HEAD") == 0 ? METHOD_HEAD : METHOD_OTHER;

	/* nginx gives the normalised, decoded path in DOCUMENT_URI. */
	if ((uri = env_get(envp, "DOCUMENT_URI")) == NULL &&
	    (uri = env_get(envp, "REQUEST_URI")) == NULL)
		uri = "/";
	n = strcspn(uri, "?");
	if (n >= sizeof(r->path)) {
		send_error(r, 414, "path_too_long", "The path is too long.");
		return 414;
	}
	memcpy(r->path, uri, n);
	r->path[n] = '\0';

	if ((v = env_get(envp, "REMOTE_ADDR")) != NULL)
		copy(r->remote_addr, sizeof(r->remote_addr), v);
	if ((v = env_get(envp, "HTTPS")) != NULL && *v != '\0' &&
	    strcasecmp(v, "off") != 0)
		r->https = 1;
	if ((v = env_get(envp, "HTTP_ACCEPT_LANGUAGE")) != NULL)
		snprintf(r->accept_language, sizeof(r->accept_language), "%s", v);
	if ((v = env_get(envp, "HTTP_COOKIE")) != NULL)
		parse_cookie(v, "snak_session", r->session, sizeof(r->session));
	if ((v = env_get(envp, "HTTP_X_CSRF_TOKEN")) != NULL)
		copy(r->csrf, sizeof(r->csrf), v);
	if ((v = env_get(envp, "HTTP_AUTHORIZATION")) != NULL) {
		r->has_bearer = 1;
		if (strncasecmp(v, "Bearer ", 7) == 0)
			copy(r->bearer, sizeof(r->bearer), v + 7);
	}
	if ((rc = parse_query(r, env_get(envp, "QUERY_STRING"))) != 0)
		return rc;
	if ((rc = read_body(r, env_get(envp, "CONTENT_LENGTH"))) != 0)
		return rc;
	return parse_json_body(r, env_get(envp, "CONTENT_TYPE"));
}

void
request_free(struct req *r)
{
	json_decref(r->body);
	r->body = NULL;
	free(r->raw_body);
	r->raw_body = NULL;
	buf_free(&r->head);
	buf_free(&r->out);
}
