/* fuzz-html.c: libFuzzer driver for html.c: the escapers, html_lang, html_t and the placeholder scanner.
 *
 * Writing each input out as a template and loading it again would be slow,
 * so LLVMFuzzerInitialize writes a fixed set of templates with every
 * placeholder shape (and the awkward ones: @@@, unterminated, adjacent)
 * into a temporary folder, loads it and removes the files. The input,
 * split at newlines, gives
 *   1 a value (escaped, URL-encoded, header-checked, and filled into pages)
 *   2 an Accept-Language header  3 a wanted language / the page language
 *   4 a placeholder name for a variable
 * Checks: escaping round-trips and leaves no markup characters, URL
 * encoding round-trips and is all unreserved or %XX, a JSON string literal
 * has no control or markup character and decodes back, html_lang answers a
 * loaded language, and a rendered page has exactly the template's own
 * < > " characters: no value can add markup.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "html.h"

#define check(c) do { if (!(c)) { fprintf(stderr, "fuzz-html: %s:%d: %s\n", \
	__FILE__, __LINE__, #c); abort(); } } while (0)

static const struct file {
	const char *name;
	const char *text;
} files[] = {
	{ "page.html",
	  "<!doctype html><html lang=\"@@lang@@\"><title>@@t:title@@</title>"
	  "<p class=\"x\">@@name@@</p><a href=\"/w?c=@@name@@\">@@t:missing@@</a>"
	  "<script type=\"application/json\">@@i18n@@</script>@@x@@ @@ @@@ @@@@"
	  "@@name@@@@name@@ @@t:@@ @@t:title @@lang@@@@i18n@@ end @@name" },
	{ "empty.html", "" },
	{ "only.html", "@@" },
	{ "odd.html", "@@@name@@@ @@@@@@ @@t:t:title@@ @@\n@@ @@name" },
	{ "i18n/en.json", "{\"title\": \"Chat <now> & \\\"then\\\"\", \"t:title\": \"tt\"}" },
	{ "i18n/da.json", "{\"title\": \"Snak 'nu'\"}" },
	{ "i18n/de.json", "{}" },
};

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	 dir[64], path[256];
	FILE	*f;
	size_t	 i;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/snak-fuzz-html-XXXXXX");
	check(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/i18n", dir);
	check(mkdir(path, 0700) == 0);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		check((f = fopen(path, "w")) != NULL);
		fputs(files[i].text, f);
		check(fclose(f) == 0);
	}
	check(html_load(dir) == 0);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/i18n", dir);
	rmdir(path);
	rmdir(dir);
	return 0;
}

static size_t
count(const char *s, size_t n, char c)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;	/* html_url_arg writes upper case only */
}

static void
check_escape(const char *v)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&#39;", '\'' },
	};
	struct buf	 b;
	const char	*p;
	size_t		 i, o = 0;
	char		*back;

	buf_init(&b, 0);
	html_escape(&b, v);
	check(!b.err);
	p = buf_str(&b);
	check(strpbrk(p, "<>\"'") == NULL);
	/* Decode: every & starts one of the five entities, and we get v back. */
	back = malloc(b.len + 1);
	check(back != NULL);
	while (*p != '\0') {
		if (*p != '&') {
			back[o++] = *p++;
			continue;
		}
		for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
			if (strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0)
				break;
		check(i < sizeof(ents) / sizeof(ents[0]));
		back[o++] = ents[i].c;
		p += strlen(ents[i].ent);
	}
	back[o] = '\0';
	check(strcmp(back, v) == 0);
	free(back);
	buf_free(&b);
}

static void
check_url_arg(const char *v)
{
	struct buf	 b;
	const char	*p;
	size_t		 o = 0;
	char		*back;

	buf_init(&b, 0);
	html_url_arg(&b, v);
	check(!b.err);
	back = malloc(b.len + 1);
	check(back != NULL);
	for (p = buf_str(&b); *p != '\0'; ) {
		if (*p == '%') {
			check(hexval(p[1]) >= 0 && hexval(p[2]) >= 0);
			back[o++] = (char)(hexval(p[1]) << 4 | hexval(p[2]));
			p += 3;
			continue;
		}
		check(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-_.~", *p) != NULL);
		back[o++] = *p++;
	}
	back[o] = '\0';
	check(strcmp(back, v) == 0);
	free(back);
	buf_free(&b);
}

static int
hexlow(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;	/* html_json_string writes lower case only */
}

/* Decodes what html_json_string writes: its quotes, \" \\ \n \r \t and
 * \uXXXX (\u00XX for a byte, \u2028/9 for those characters). */
static void
check_json_string(const char *v)
{
	struct buf	 b;
	const char	*p;
	size_t		 o = 0;
	char		*back;

	buf_init(&b, 0);
	html_json_string(&b, v);
	check(!b.err);
	p = buf_str(&b);
	check(b.len >= 2 && p[0] == '"' && p[b.len - 1] == '"');
	back = malloc(b.len + 1);
	check(back != NULL);
	for (p++; p < buf_str(&b) + b.len - 1; ) {
		unsigned char c = (unsigned char)*p;

		check(c >= 0x20 && c != '"' && !strchr("<>&", c));
		if (c != '\\') {
			back[o++] = *p++;
			continue;
		}
		switch (p[1]) {
		case '"': case '\\': back[o++] = p[1]; p += 2; continue;
		case 'n': back[o++] = '\n'; p += 2; continue;
		case 'r': back[o++] = '\r'; p += 2; continue;
		case 't': back[o++] = '\t'; p += 2; continue;
		}
		check(p[1] == 'u');
		if (strncmp(p + 2, "202", 3) == 0) {
			check(p[5] == '8' || p[5] == '9');
			memcpy(back + o, p[5] == '8' ? "\xe2\x80\xa8" : "\xe2\x80\xa9", 3);
			o += 3;
		} else {
			check(p[2] == '0' && p[3] == '0' &&
			    hexlow(p[4]) >= 0 && hexlow(p[5]) >= 0);
			back[o++] = (char)(hexlow(p[4]) << 4 | hexlow(p[5]));
		}
		p += 6;
	}
	back[o] = '\0';
	check(strcmp(back, v) == 0);
	free(back);
	buf_free(&b);
}

static void
check_render(const char *name, const char *lang, const char *const *vars)
{
	struct buf	 out;
	size_t		 i;
	const char	*tmpl = NULL;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strncmp(files[i].name, name, strlen(name)) == 0 &&
		    strcmp(files[i].name + strlen(name), ".html") == 0)
			tmpl = files[i].text;
	check(tmpl != NULL);
	buf_init(&out, 0);
	check(html_render(&out, name, lang, vars) == 0);
	check(!out.err);
	check(count(out.p ? out.p : "", out.len, '<') == count(tmpl, strlen(tmpl), '<'));
	check(count(out.p ? out.p : "", out.len, '>') == count(tmpl, strlen(tmpl), '>'));
	check(count(out.p ? out.p : "", out.len, '"') == count(tmpl, strlen(tmpl), '"'));
	check(out.len == 0 || out.p[out.len] == '\0');
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*in, *part[4] = { "", "", "", "" }, *p;
	const char	*l, *t;
	size_t		 i;
	int		 ok;

	in = malloc(size + 1);
	check(in != NULL);
	memcpy(in, data, size);
	in[size] = '\0';
	for (i = 0, p = in; i < 4 && p != NULL; i++) {
		part[i] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}

	check_escape(part[0]);
	check_url_arg(part[0]);
	check_json_string(part[0]);

	ok = 1;
	for (p = part[0]; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			ok = 0;
	check(html_header_ok(part[0]) == ok);

	l = html_lang(part[2], part[1]);
	check(strcmp(l, "en") == 0 || strcmp(l, "da") == 0 || strcmp(l, "de") == 0);
	l = html_lang(NULL, part[1]);
	check(strcmp(l, "en") == 0 || strcmp(l, "da") == 0 || strcmp(l, "de") == 0);

	t = html_t(part[2], part[0]);
	check(t != NULL);
	check(strcmp(t, part[0]) == 0 || strcmp(part[0], "title") == 0 ||
	    strcmp(part[0], "t:title") == 0);

	{
		const char *const vars[] = {
			part[3], part[0],
			"name", part[0],
			NULL,
		};
		const char *const none[] = { NULL };

		check_render("page", part[2], vars);
		check_render("odd", part[2], vars);
		check_render("only", part[2], vars);
		check_render("empty", part[2], vars);
		check_render("page", html_lang(part[2], part[1]), none);
	}
	free(in);
	return 0;
}
