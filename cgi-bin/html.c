/* html.c: escaping for every output context, and the template renderer.
 *
 * Templates and catalogs are read once at start and kept read-only, so the
 * accept threads share them without locks. A placeholder can only ever be
 * filled through html_escape(): there is no raw form to forget about.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "html.h"

#define MAX_TEMPLATES	32
#define MAX_LANGS	8

static struct tmpl {
	char	 name[64];
	char	*text;
} tmpls[MAX_TEMPLATES];
static size_t ntmpls;

static struct lang {
	char	 code[8];
	json_t	*cat;		/* flat object of strings */
	char	*json;		/* cat serialised, for @@i18n@@ */
} langs[MAX_LANGS];
static size_t nlangs;

void
html_escape(struct buf *b, const char *s)
{
	const char	*run = s;

	for (; *s != '\0'; s++) {
		const char *rep;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_append(b, run, (size_t)(s - run));
		buf_puts(b, rep);
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
}

void
html_json_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char	*run;

	if (s == NULL) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '"');
	for (run = s; *s != '\0'; s++) {
		unsigned char	 c = (unsigned char)*s;
		char		 u[7] = "\\u00";

		/* Quotes and controls as JSON needs; < > & as \u too, so the
		 * text stays inert inside HTML; U+2028/9 for old JavaScript. */
		if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' &&
		    c != '&' && !(c == 0xe2 && (unsigned char)s[1] == 0x80 &&
		    ((unsigned char)s[2] == 0xa8 || (unsigned char)s[2] == 0xa9)))
			continue;
		buf_append(b, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"': buf_puts(b, "\\\""); continue;
		case '\\': buf_puts(b, "\\\\"); continue;
		case '\n': buf_puts(b, "\\n"); continue;
		case '\r': buf_puts(b, "\\r"); continue;
		case '\t': buf_puts(b, "\\t"); continue;
		case 0xe2:
			buf_puts(b, s[2] == (char)0xa8 ? "\\u2028" : "\\u2029");
			s += 2;
			run = s + 1;
			continue;
		}
		u[4] = hex[c >> 4];
		u[5] = hex[c & 15];
		buf_append(b, u, 6);
	}
	buf_append(b, run, (size_t)(s - run));
	buf_putc(b, '"');
}

void
html_url_arg(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			buf_putc(b, (char)c);
			continue;
		}
		buf_putc(b, '%');
		buf_putc(b, hex[c >> 4]);
		buf_putc(b, hex[c & 15]);
	}
}

int
html_header_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return 0;
	return 1;
}

static char *
read_file(const char *path)
{
	FILE	*f;
	struct buf b;
	char	 chunk[4096];
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	buf_init(&b, 1 << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	if (b.err) {
		buf_free(&b);
		return NULL;
	}
	if (b.p == NULL)
		return strdup("");
	return b.p;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls > lx && strcmp(s + ls - lx, suffix) == 0;
}

static int
load_langs(const char *dir)
{
	char		 path[512];
	DIR		*d;
	struct dirent	*e;
	json_error_t	 jerr;

	snprintf(path, sizeof(path), "%s/i18n", dir);
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "snak: %s: cannot open\n", path);
		return -1;
	}
	while ((e = readdir(d)) != NULL && nlangs < MAX_LANGS) {
		struct lang *l = &langs[nlangs];
		size_t n = strlen(e->d_name);

		if (!ends_with(e->d_name, ".json") || n - 5 >= sizeof(l->code))
			continue;
		snprintf(path, sizeof(path), "%s/i18n/%s", dir, e->d_name);
		l->cat = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
		if (l->cat == NULL || !json_is_object(l->cat)) {
			fprintf(stderr, "snak: %s:%d: %s\n", path, jerr.line,
			    jerr.text);
			json_decref(l->cat);
			closedir(d);
			return -1;
		}
		memcpy(l->code, e->d_name, n - 5);
		l->code[n - 5] = '\0';
		l->json = json_dumps(l->cat, JSON_COMPACT);
		nlangs++;
	}
	closedir(d);
	return 0;
}

int
html_load(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[512];

	html_unload();
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "snak: %s: cannot open templates\n", dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL && ntmpls < MAX_TEMPLATES) {
		struct tmpl *t = &tmpls[ntmpls];

		if (!ends_with(e->d_name, ".html") ||
		    strlen(e->d_name) - 5 >= sizeof(t->name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((t->text = read_file(path)) == NULL) {
			fprintf(stderr, "snak: %s: cannot read\n", path);
			closedir(d);
			return -1;
		}
		snprintf(t->name, sizeof(t->name), "%.*s",
		    (int)(strlen(e->d_name) - 5), e->d_name);
		ntmpls++;
	}
	closedir(d);
	return load_langs(dir);
}

void
html_unload(void)
{
	size_t i;

	for (i = 0; i < ntmpls; i++)
		free(tmpls[i].text);
	for (i = 0; i < nlangs; i++) {
		json_decref(langs[i].cat);
		free(langs[i].json);
	}
	ntmpls = nlangs = 0;
}

static const struct lang *
find_lang(const char *code, size_t n)
{
	size_t i;

	for (i = 0; i < nlangs; i++)
		if (strlen(langs[i].code) == n &&
		    strncasecmp(langs[i].code, code, n) == 0)
			return &langs[i];
	return NULL;
}

const char *
html_lang(const char *want, const char *accept)
{
	const struct lang	*l;
	const char		*p;
	size_t			 n;

	/* Accept-Language: "da-DK,da;q=0.9,en;q=0.8": take the first we have,
	 * in the order given (browsers list them by preference). */
	for (p = accept; p != NULL && *p != '\0'; ) {
		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, "-;, ");
		if (n > 0 && (l = find_lang(p, n)) != NULL)
			return l->code;
		p += strcspn(p, ",");
	}
	if (want != NULL && (l = find_lang(want, strlen(want))) != NULL)
		return l->code;
	return "en";
}

const char *
html_t(const char *lang, const char *key)
{
	const struct lang	*l;
	json_t			*v = NULL;

	if ((l = find_lang(lang, strlen(lang))) != NULL)
		v = json_object_get(l->cat, key);
	if (!json_is_string(v) && (l = find_lang("en", 2)) != NULL)
		v = json_object_get(l->cat, key);
	return json_is_string(v) ? json_string_value(v) : key;
}

static const char *
var_value(const char *const *vars, const char *name, size_t n)
{
	for (; vars != NULL && vars[0] != NULL; vars += 2)
		if (strlen(vars[0]) == n && strncmp(vars[0], name, n) == 0)
			return vars[1] ? vars[1] : "";
	return NULL;
}

int
html_render(struct buf *out, const char *name, const char *lang,
    const char *const *vars)
{
	const struct tmpl	*t = NULL;
	const struct lang	*l;
	const char		*p, *open, *close, *v;
	char			 key[128];
	size_t			 i, n;

	for (i = 0; i < ntmpls; i++)
		if (strcmp(tmpls[i].name, name) == 0)
			t = &tmpls[i];
	if (t == NULL)
		return -1;
	l = find_lang(lang, strlen(lang));
	for (p = t->text; (open = strstr(p, "@@")) != NULL; p = close + 2) {
		buf_append(out, p, (size_t)(open - p));
		if ((close = strstr(open + 2, "@@")) == NULL) {
			p = open;
			break;
		}
		n = (size_t)(close - open - 2);
		v = NULL;
		if (n > 2 && strncmp(open + 2, "t:", 2) == 0 &&
		    n - 2 < sizeof(key)) {
			memcpy(key, open + 4, n - 2);
			key[n - 2] = '\0';
			v = html_t(lang, key);
		} else if (n == 4 && strncmp(open + 2, "lang", 4) == 0)
			v = lang;
		else if (n == 4 && strncmp(open + 2, "i18n", 4) == 0)
			v = l ? l->json : "{}";
		else
			v = var_value(vars, open + 2, n);
		if (v == NULL) {
			/* Not a placeholder: keep the text as it was. */
			buf_append(out, open, 2);
			close = open;
			continue;
		}
		html_escape(out, v);
	}
	buf_puts(out, p);
	return 0;
}
