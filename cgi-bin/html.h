/* html.h: every escaper, and HTML templates with translation catalogs. */
#ifndef SNAK_HTML_H
#define SNAK_HTML_H

#include "buf.h"

/* Element text and attribute values (double or single quoted): & < > " '. */
void	html_escape(struct buf *, const char *);
/* A URL query component: everything but unreserved bytes as %XX. */
void	html_url_arg(struct buf *, const char *);
/* `s` as a JSON string literal with its quotes (null for NULL); < > & are
 * escaped too. `s` is UTF-8, as everything snak stores. */
void	html_json_string(struct buf *, const char *s);
/* 1 if a string may go into a header value (no CR, LF or other controls). */
int	html_header_ok(const char *);

/*
 * Loads every templates/NAME.html and every translation catalog
 * templates/i18n/LANG.json (a flat JSON object of strings) into memory.
 * Returns 0, or -1 with a message on stderr.
 */
int	html_load(const char *dir);
void	html_unload(void);

/*
 * The best language we have a catalog for: the first known one in an
 * Accept-Language header (the person's own choice), else `want` (a
 * channel's language) when known, else "en".
 */
const char *html_lang(const char *want, const char *accept_language);

/* The text of catalog key `key` in `lang`, falling back to English, then to the key. */
const char *html_t(const char *lang, const char *key);

/*
 * Renders template `name` into `out`. Placeholders: @@var@@ from `vars`
 * (pairs of name, value, ended by NULL), @@t:key@@ from the catalog,
 * @@lang@@ and @@i18n@@ (the whole catalog as JSON). Every value is
 * HTML-escaped: templates have no way to write raw markup from data.
 * Returns 0, or -1 for an unknown template.
 */
int	html_render(struct buf *out, const char *name, const char *lang,
	    const char *const *vars);

#endif
