/* test-html.c: cgi-bin/html.c: escapers, header values, templates, catalogs, languages.
 *
 * The templates and catalogs are written by the test into a fresh folder
 * under /tmp, so the tests do not change when templates/ does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "buf.h"
#include "html.h"

static char dir[64];

static const struct file {
	const char *name;
	const char *text;
} files[] = {
	{ "vars.html", "<p>@@name@@</p><a title='@@name@@'>@@other@@</a>" },
	{ "t.html", "@@t:hello@@|@@t:only_en@@|@@t:missing.key@@|@@t:num@@" },
	{ "lang.html", "<html lang=\"@@lang@@\"><body data-i18n=\"@@i18n@@\">" },
	{ "unknown.html", "a @@x@@ b @@name@@ c" },
	{ "unterminated.html", "abc @@name" },
	{ "unterminated2.html", "@@name@@ and @@t:hello" },
	{ "empty.html", "" },
	{ "plain.html", "no placeholders here, just a@b.co" },
	{ "notes.txt", "not a template" },
	{ "i18n/en.json", "{\"hello\": \"Hello\", \"only_en\": \"English only\","
	    " \"num\": 5, \"tag\": \"<b>\\\"x\\\" & 'y'</b>\"}" },
	{ "i18n/da.json", "{\"hello\": \"Hej\"}" },
	{ "i18n/de.json", "{\"hello\": \"Hallo\"}" },
};

static void
write_file(const char *base, const char *name, const char *text)
{
	char	 path[256];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", base, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void
remove_tree(const char *base, const char *const *names, size_t n)
{
	char	 path[256];
	size_t	 i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", base, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/i18n", base);
	rmdir(path);
	rmdir(base);
}

static int
group_setup(void **state)
{
	char	 path[256];
	size_t	 i;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/snak-test-html-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/i18n", dir);
	if (mkdir(path, 0700) == -1)
		return -1;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		write_file(dir, files[i].name, files[i].text);
	return 0;
}

static int
group_teardown(void **state)
{
	const char	*names[sizeof(files) / sizeof(files[0])];
	size_t		 i;

	(void)state;
	html_unload();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		names[i] = files[i].name;
	remove_tree(dir, names, sizeof(files) / sizeof(files[0]));
	return 0;
}

static int
load(void **state)
{
	(void)state;
	return html_load(dir);
}

static int
unload(void **state)
{
	(void)state;
	html_unload();
	return 0;
}

/* Renders `name` and compares the whole output. */
static void
assert_render(const char *name, const char *lang, const char *const *vars,
    const char *expect)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(html_render(&b, name, lang, vars), 0);
	assert_int_equal(b.err, 0);
	assert_string_equal(buf_str(&b), expect);
	buf_free(&b);
}

static char *
escaped(const char *s)
{
	struct buf b;

	buf_init(&b, 0);
	html_escape(&b, s);
	/* The caller frees; "" has no allocation. */
	return b.p ? b.p : calloc(1, 1);
}

static char *
url_arg(const char *s)
{
	struct buf b;

	buf_init(&b, 0);
	html_url_arg(&b, s);
	return b.p ? b.p : calloc(1, 1);
}

/* ---- escapers ---- */

static void
test_escape(void **state)
{
	char *s;

	(void)state;
	s = escaped("&<>\"'");
	assert_string_equal(s, "&amp;&lt;&gt;&quot;&#39;");
	free(s);
	s = escaped("plain text, \xc3\xa6\xc3\xb8\xc3\xa5 / = ; @@");
	assert_string_equal(s, "plain text, \xc3\xa6\xc3\xb8\xc3\xa5 / = ; @@");
	free(s);
	s = escaped("");
	assert_string_equal(s, "");
	free(s);
	s = escaped("a&&b<c>d");
	assert_string_equal(s, "a&amp;&amp;b&lt;c&gt;d");
	free(s);
	s = escaped("&amp;");	/* escaped again, not taken as an entity */
	assert_string_equal(s, "&amp;amp;");
	free(s);
}

static void
test_escape_appends(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	buf_puts(&b, "x=");
	html_escape(&b, "<1>");
	html_escape(&b, "2");
	assert_string_equal(buf_str(&b), "x=&lt;1&gt;2");
	buf_free(&b);
}

static void
test_url_arg(void **state)
{
	char *s;

	(void)state;
	s = url_arg("AZaz09-_.~");
	assert_string_equal(s, "AZaz09-_.~");
	free(s);
	s = url_arg("a b&c=d/e?f#g+h%");
	assert_string_equal(s, "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25");
	free(s);
	s = url_arg("\xc3\xa6\"'<>\x01\x7f\xff");
	assert_string_equal(s, "%C3%A6%22%27%3C%3E%01%7F%FF");
	free(s);
	s = url_arg("");
	assert_string_equal(s, "");
	free(s);
}

static char *
json_string_of(const char *s)
{
	struct buf b;

	buf_init(&b, 0);
	html_json_string(&b, s);
	return b.p;
}

static void
test_json_string(void **state)
{
	static const char *const tricky[] = {
		"", "plain", "quote \" backslash \\ slash /",
		"\n\r\t\b\f\x01\x1f\x7f", "</script><!-- & -->",
		"\xc3\xa6\xc3\xb8\xc3\xa5 \xf0\x9f\x98\x80",
		"line\xe2\x80\xa8sep\xe2\x80\xa9para\xe2\x80\xa6",
		"\xe2", "\xe2\x80",
	};
	char	*s;
	size_t	 i;

	(void)state;
	s = json_string_of("a\"b\\c\nd<e>&\x01");
	assert_string_equal(s, "\"a\\\"b\\\\c\\nd\\u003ce\\u003e\\u0026\\u0001\"");
	free(s);
	s = json_string_of(NULL);
	assert_string_equal(s, "null");
	free(s);
	s = json_string_of("x\xe2\x80\xa8y");
	assert_string_equal(s, "\"x\\u2028y\"");
	free(s);
	/* Whatever the text, a JSON parser gives it back unchanged. */
	for (i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
		json_error_t	 err;
		json_t		*a;
		struct buf	 b;

		buf_init(&b, 0);
		buf_putc(&b, '[');
		html_json_string(&b, tricky[i]);
		buf_putc(&b, ']');
		a = json_loads(buf_str(&b), JSON_ALLOW_NUL, &err);
		if (strncmp(tricky[i], "\xe2", 1) == 0 && strlen(tricky[i]) < 3) {
			/* a cut UTF-8 sequence: snak never stores one */
			json_decref(a);
			buf_free(&b);
			continue;
		}
		assert_non_null(a);
		assert_string_equal(json_string_value(json_array_get(a, 0)), tricky[i]);
		json_decref(a);
		buf_free(&b);
	}
}

static void
test_header_ok(void **state)
{
	(void)state;
	assert_int_equal(html_header_ok("text/html; charset=utf-8"), 1);
	assert_int_equal(html_header_ok(""), 1);
	assert_int_equal(html_header_ok("a\tb"), 1);
	assert_int_equal(html_header_ok("/agent?x=\xc3\xa6"), 1);
	assert_int_equal(html_header_ok("a\r\nSet-Cookie: x=1"), 0);
	assert_int_equal(html_header_ok("a\nb"), 0);
	assert_int_equal(html_header_ok("a\rb"), 0);
	assert_int_equal(html_header_ok("\r"), 0);
	assert_int_equal(html_header_ok("end\n"), 0);
	assert_int_equal(html_header_ok("a\x01" "b"), 0);
	assert_int_equal(html_header_ok("a\x1f"), 0);
}

static void
test_header_ok_del(void **state)
{
	(void)state;
	/* DEL is a control character too (RFC 9110 field values are VCHAR,
	 * SP, HTAB and obs-text); found by this test, fixed in 1fe2e65. */
	assert_int_equal(html_header_ok("a\x7f" "b"), 0);
	assert_int_equal(html_header_ok("\x7f"), 0);
	assert_int_equal(html_header_ok("~\x80\xff"), 1);	/* obs-text */
}

/* ---- loading ---- */

static void
test_load_errors(void **state)
{
	char		 bad[64], path[256];
	const char	*names[] = { "i18n/en.json", "x.html" };

	(void)state;
	/* No folder. */
	assert_int_equal(html_load("/nonexistent/snak-templates"), -1);

	/* A folder with a template but no i18n/. */
	snprintf(bad, sizeof(bad), "/tmp/snak-test-html-bad-XXXXXX");
	assert_non_null(mkdtemp(bad));
	write_file(bad, "x.html", "x");
	assert_int_equal(html_load(bad), -1);

	/* A catalog that is not JSON, then one that is not an object. */
	snprintf(path, sizeof(path), "%s/i18n", bad);
	assert_int_equal(mkdir(path, 0700), 0);
	write_file(bad, "i18n/en.json", "{\"a\": ");
	assert_int_equal(html_load(bad), -1);
	write_file(bad, "i18n/en.json", "[\"a\"]");
	assert_int_equal(html_load(bad), -1);
	/* Duplicate keys are refused too. */
	write_file(bad, "i18n/en.json", "{\"a\": \"1\", \"a\": \"2\"}");
	assert_int_equal(html_load(bad), -1);
	/* And a good one loads. */
	write_file(bad, "i18n/en.json", "{\"a\": \"1\"}");
	assert_int_equal(html_load(bad), 0);
	assert_render("x", "en", NULL, "x");
	remove_tree(bad, names, 2);

	/* The test folder loads again, with nothing left of the other. */
	assert_int_equal(html_load(dir), 0);
	assert_string_equal(html_t("en", "a"), "a");
	assert_string_equal(html_t("en", "hello"), "Hello");
}

static void
test_unknown_template(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(html_render(&b, "nope", "en", NULL), -1);
	/* Only .html files are templates. */
	assert_int_equal(html_render(&b, "notes", "en", NULL), -1);
	assert_int_equal(html_render(&b, "notes.txt", "en", NULL), -1);
	assert_int_equal(html_render(&b, "vars.html", "en", NULL), -1);
	assert_int_equal(html_render(&b, "", "en", NULL), -1);
	buf_free(&b);
}

static void
test_reload_twice(void **state)
{
	(void)state;
	assert_int_equal(html_load(dir), 0);
	assert_int_equal(html_load(dir), 0);
	assert_render("plain", "en", NULL, "no placeholders here, just a@b.co");
	assert_string_equal(html_t("da", "hello"), "Hej");
}

/* ---- rendering ---- */

static void
test_render_plain_and_empty(void **state)
{
	(void)state;
	assert_render("plain", "en", NULL, "no placeholders here, just a@b.co");
	assert_render("empty", "en", NULL, "");
}

static void
test_render_vars_escaped(void **state)
{
	const char *const vars[] = {
		"name", "<script>alert('x')</script>",
		"other", "Tom & \"Jerry\"",
		NULL,
	};

	(void)state;
	assert_render("vars", "en", vars,
	    "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>"
	    "<a title='&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;'>"
	    "Tom &amp; &quot;Jerry&quot;</a>");
}

static void
test_render_var_edge(void **state)
{
	const char *const null_value[] = { "name", NULL, "other", "o", NULL };
	const char *const prefix[] = { "nam", "no", "names", "no", "other", "o", NULL };

	(void)state;
	/* A NULL value is empty. */
	assert_render("vars", "en", null_value, "<p></p><a title=''>o</a>");
	/* Names match whole: "nam" and "names" are not "name". */
	assert_render("vars", "en", prefix,
	    "<p>@@name@@</p><a title='@@name@@'>o</a>");
	/* No vars at all: placeholders stay as they are. */
	assert_render("vars", "en", NULL,
	    "<p>@@name@@</p><a title='@@name@@'>@@other@@</a>");
}

static void
test_render_translations(void **state)
{
	(void)state;
	assert_render("t", "da", NULL, "Hej|English only|missing.key|num");
	assert_render("t", "de", NULL, "Hallo|English only|missing.key|num");
	assert_render("t", "en", NULL, "Hello|English only|missing.key|num");
	/* An unknown language falls back to English. */
	assert_render("t", "xx", NULL, "Hello|English only|missing.key|num");
}

static void
test_t(void **state)
{
	(void)state;
	assert_string_equal(html_t("da", "hello"), "Hej");
	assert_string_equal(html_t("DA", "hello"), "Hej");
	assert_string_equal(html_t("da", "only_en"), "English only");
	assert_string_equal(html_t("da", "missing"), "missing");
	assert_string_equal(html_t("xx", "hello"), "Hello");
	assert_string_equal(html_t("en", "num"), "num");	/* not a string */
	assert_string_equal(html_t("", "hello"), "Hello");
}

static void
test_render_lang_and_i18n(void **state)
{
	static const char pre[] = "<html lang=\"en\"><body data-i18n=\"";
	struct buf	 b;
	const char	*p;

	(void)state;
	assert_render("lang", "da", NULL,
	    "<html lang=\"da\"><body data-i18n=\"{&quot;hello&quot;:&quot;Hej&quot;}\">");
	assert_render("lang", "de", NULL,
	    "<html lang=\"de\"><body data-i18n=\"{&quot;hello&quot;:&quot;Hallo&quot;}\">");

	/* The English catalog holds markup and quotes: all of it escaped. */
	buf_init(&b, 0);
	assert_int_equal(html_render(&b, "lang", "en", NULL), 0);
	p = buf_str(&b);
	assert_memory_equal(p, pre, sizeof(pre) - 1);
	assert_int_equal(p[sizeof(pre) - 1], '{');
	assert_non_null(strstr(p, "&quot;hello&quot;:&quot;Hello&quot;"));
	assert_non_null(strstr(p,
	    "&quot;tag&quot;:&quot;&lt;b&gt;\\&quot;x\\&quot; &amp; &#39;y&#39;&lt;/b&gt;&quot;"));
	/* The only raw < > " are the template's own. */
	assert_null(strchr(p + sizeof(pre) - 1, '<'));
	assert_string_equal(p + b.len - 2, "\">");
	assert_null(memchr(p + sizeof(pre) - 1, '"', b.len - (sizeof(pre) - 1) - 2));
	assert_null(memchr(p + sizeof(pre) - 1, '>', b.len - (sizeof(pre) - 1) - 1));
	buf_free(&b);
}

static void
test_render_lang_escaped(void **state)
{
	(void)state;
	/* @@lang@@ is what the caller passed, escaped like any value; an
	 * unknown language has an empty catalog. */
	assert_render("lang", "x\"><script>", NULL,
	    "<html lang=\"x&quot;&gt;&lt;script&gt;\"><body data-i18n=\"{}\">");
}

static void
test_render_unknown_placeholder(void **state)
{
	const char *const vars[] = { "name", "Bob", NULL };

	(void)state;
	assert_render("unknown", "en", vars, "a @@x@@ b Bob c");
}

static void
test_render_unterminated(void **state)
{
	const char *const vars[] = { "name", "<Bob>", NULL };

	(void)state;
	assert_render("unterminated", "en", vars, "abc @@name");
	assert_render("unterminated2", "en", vars, "&lt;Bob&gt; and @@t:hello");
}

static void
test_render_long_key(void **state)
{
	char		 tmpl[400], expect[400], name[200];

	(void)state;
	/* A catalog key longer than the renderer's key buffer stays as text. */
	memset(name, 'k', 150);
	name[150] = '\0';
	snprintf(tmpl, sizeof(tmpl), "[@@t:%s@@]", name);
	snprintf(expect, sizeof(expect), "[@@t:%s@@]", name);
	write_file(dir, "long.html", tmpl);
	assert_int_equal(html_load(dir), 0);
	assert_render("long", "en", NULL, expect);
	snprintf(tmpl, sizeof(tmpl), "%s/long.html", dir);
	unlink(tmpl);
}

static void
test_render_appends(void **state)
{
	struct buf	 b;
	const char	*const vars[] = { "name", "n", "other", "o", NULL };

	(void)state;
	buf_init(&b, 0);
	buf_puts(&b, "before|");
	assert_int_equal(html_render(&b, "vars", "en", vars), 0);
	assert_string_equal(buf_str(&b), "before|<p>n</p><a title='n'>o</a>");
	buf_free(&b);
}

/* ---- html_lang ---- */

static void
test_lang(void **state)
{
	(void)state;
	assert_string_equal(html_lang(NULL, "da-DK,da;q=0.9"), "da");
	assert_string_equal(html_lang(NULL, "da-DK,da;q=0.9,en;q=0.8"), "da");
	assert_string_equal(html_lang("de", "fr"), "de");
	assert_string_equal(html_lang(NULL, NULL), "en");
	assert_string_equal(html_lang(NULL, ""), "en");
	assert_string_equal(html_lang("", ""), "en");
	assert_string_equal(html_lang("de", NULL), "de");
	assert_string_equal(html_lang("xx", "fr"), "en");
	/* The person's choice beats the channel's language. */
	assert_string_equal(html_lang("de", "da"), "da");
	/* In the order given, skipping unknown ones. */
	assert_string_equal(html_lang(NULL, "fr-FR, fr;q=0.9, de;q=0.8, da;q=0.7"), "de");
	/* Case does not matter; the answer is our code. */
	assert_string_equal(html_lang(NULL, "DA-dk"), "da");
	assert_string_equal(html_lang("DE", NULL), "de");
	/* Whole tags only: "dan" is not "da", "d" is not "da". */
	assert_string_equal(html_lang(NULL, "dan,d"), "en");
	assert_string_equal(html_lang("d", NULL), "en");
	/* Junk. */
	assert_string_equal(html_lang(NULL, ",,; ;q=1,*"), "en");
	assert_string_equal(html_lang("de", ";da"), "de");
	assert_string_equal(html_lang(NULL, "*, en"), "en");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_appends),
		cmocka_unit_test(test_url_arg),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_header_ok),
		cmocka_unit_test(test_header_ok_del),
		cmocka_unit_test_teardown(test_load_errors, unload),
		cmocka_unit_test_setup_teardown(test_unknown_template, load, unload),
		cmocka_unit_test_teardown(test_reload_twice, unload),
		cmocka_unit_test_setup_teardown(test_render_plain_and_empty, load, unload),
		cmocka_unit_test_setup_teardown(test_render_vars_escaped, load, unload),
		cmocka_unit_test_setup_teardown(test_render_var_edge, load, unload),
		cmocka_unit_test_setup_teardown(test_render_translations, load, unload),
		cmocka_unit_test_setup_teardown(test_t, load, unload),
		cmocka_unit_test_setup_teardown(test_render_lang_and_i18n, load, unload),
		cmocka_unit_test_setup_teardown(test_render_lang_escaped, load, unload),
		cmocka_unit_test_setup_teardown(test_render_unknown_placeholder, load, unload),
		cmocka_unit_test_setup_teardown(test_render_unterminated, load, unload),
		cmocka_unit_test_teardown(test_render_long_key, unload),
		cmocka_unit_test_setup_teardown(test_render_appends, load, unload),
		cmocka_unit_test_setup_teardown(test_lang, load, unload),
	};

	return cmocka_run_group_tests_name("html", tests, group_setup,
	    group_teardown);
}
