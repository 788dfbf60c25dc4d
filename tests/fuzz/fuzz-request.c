/* fuzz-request.c: libFuzzer driver for request_parse(), then routes_match() on what it parsed.
 *
 * The input is split at newlines into the request's environment, in this
 * order (a missing line means the variable is absent), and the rest is the
 * body, handed out through r->io in small reads:
 *   1 QUERY_STRING  2 HTTP_COOKIE  3 CONTENT_TYPE  4 DOCUMENT_URI
 *   5 HTTP_AUTHORIZATION  6 CONTENT_LENGTH  7 REQUEST_METHOD
 * Besides the sanitizers, every run checks the parser's promises: an error
 * is answered with its status and a JSON body, and a success leaves only
 * typed, in-range values for the handlers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth.h"
#include "request.h"
#include "routes.h"
#include "valid.h"

#define check(c) do { if (!(c)) { fprintf(stderr, "fuzz-request: %s:%d: %s\n", \
	__FILE__, __LINE__, #c); abort(); } } while (0)

struct mem {
	const uint8_t	*data;
	size_t		 len, pos;
};

static int
mem_read(void *ctx, char *dst, int n)
{
	struct mem	*m = ctx;
	size_t		 k = m->len - m->pos;

	/* Uneven small reads, as a socket gives them. */
	if (k > 7 + m->pos % 13)
		k = 7 + m->pos % 13;
	if ((size_t)n < k)
		k = (size_t)n;
	memcpy(dst, m->data + m->pos, k);
	m->pos += k;
	return (int)k;
}

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return auth_init();
}

static void
check_str(const char *s, size_t size)
{
	check(memchr(s, '\0', size) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"QUERY_STRING=", "HTTP_COOKIE=", "CONTENT_TYPE=", "DOCUMENT_URI=",
		"HTTP_AUTHORIZATION=", "CONTENT_LENGTH=", "REQUEST_METHOD=",
	};
	char			*env[sizeof(names) / sizeof(names[0]) + 1];
	size_t			 nenv = 0, i, pos = 0;
	struct req		*r;
	struct mem		 m;
	const struct route	*rt;
	unsigned		 allowed;
	const char		*s;
	int			 rc;

	for (i = 0; i < sizeof(names) / sizeof(names[0]) && pos < size; i++) {
		const uint8_t	*nl = memchr(data + pos, '\n', size - pos);
		size_t		 n = nl ? (size_t)(nl - (data + pos)) : size - pos;
		size_t		 k = strlen(names[i]);

		env[nenv] = malloc(k + n + 1);
		check(env[nenv] != NULL);
		memcpy(env[nenv], names[i], k);
		memcpy(env[nenv] + k, data + pos, n);
		env[nenv][k + n] = '\0';	/* a NUL inside cuts it, as in a real env */
		nenv++;
		pos += n + (nl != NULL);
	}
	env[nenv] = NULL;

	r = calloc(1, sizeof(*r));
	check(r != NULL);
	m.data = data + pos;
	m.len = size - pos;
	m.pos = 0;
	r->io.ctx = &m;
	r->io.read = mem_read;
	r->io.fd = -1;
	strcpy(r->rid, "fuzz");		/* skips the random id */

	rc = request_parse(r, env);
	check(rc == 0 || rc == 400 || rc == 413 || rc == 414 || rc == 415);
	if (rc != 0) {
		json_t *o;

		check(r->answered == 1);
		check(r->status == rc);
		o = json_loadb(r->out.p, r->out.len, 0, NULL);
		check(json_is_object(o));
		check(json_is_string(json_object_get(o, "error")));
		check(json_is_string(json_object_get(o, "message")));
		json_decref(o);
	} else {
		check(r->answered == 0);
		check(r->q.after >= -1 && r->q.after <= 9007199254740992LL);
		check(r->q.wait >= -1 && r->q.wait <= 30);
		check(r->q.channel[0] == '\0' || valid_slug(r->q.channel));
		check(r->body == NULL || json_is_object(r->body));
		check(r->raw_len <= REQ_MAX_BODY);
		check(r->raw_len == 0 || r->raw_body[r->raw_len] == '\0');
		check(r->raw_len == m.len);	/* read to the end */
		check(r->method == METHOD_GET || r->method == METHOD_POST ||
		    r->method == METHOD_PUT || r->method == METHOD_DELETE ||
		    r->method == METHOD_HEAD || r->method == METHOD_OTHER);
		check_str(r->path, sizeof(r->path));
		check(r->path[0] != '\0' || nenv >= 4);
		check_str(r->session, sizeof(r->session));
		check_str(r->bearer, sizeof(r->bearer));
		check_str(r->csrf, sizeof(r->csrf));
		check(r->bearer[0] == '\0' || r->has_bearer);
		check(strchr(r->session, ';') == NULL);

		rc = request_body_str(r, "text", &s);
		check(rc == -1 || rc == 0 || rc == 1);
		check((rc == 1) == (s != NULL));

		rt = routes_match(r, &allowed);
		if (rt != NULL) {
			check(rt->methods & r->method);
			check(allowed == 0);
			if (strstr(rt->pattern, "{id}") != NULL)
				check(r->id[0] >= 1);
			if (strstr(rt->pattern, "{slug}") != NULL)
				check(valid_slug(r->slug));
		} else
			check((allowed & r->method) == 0);
	}
	request_free(r);
	free(r);
	for (i = 0; i < nenv; i++)
		free(env[i]);
	return 0;
}
