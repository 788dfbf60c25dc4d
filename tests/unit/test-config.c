/* test-config.c: cgi-bin/config.c: config_set per key kind, config_load from a file and the environment.
 *
 * Every SNAK_* variable of the calling environment is removed first, so a
 * shell with the local stack's snak.env sourced gives the same results.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

extern char **environ;

static char path[64];

static void
clear_snak_env(void)
{
	char	 name[256];
	size_t	 i;

	for (i = 0; environ[i] != NULL; ) {
		if (strncmp(environ[i], "SNAK_", 5) == 0) {
			snprintf(name, sizeof(name), "%.*s",
			    (int)strcspn(environ[i], "="), environ[i]);
			unsetenv(name);
			i = 0;	/* environ moved */
			continue;
		}
		i++;
	}
}

static void
write_config(const char *text)
{
	FILE *f;

	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static int
group_setup(void **state)
{
	int fd;

	(void)state;
	clear_snak_env();
	snprintf(path, sizeof(path), "/tmp/snak-test-config-XXXXXX");
	if ((fd = mkstemp(path)) == -1)
		return -1;
	close(fd);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

/* Each test starts from the defaults and an environment without SNAK_*. */
static int
setup(void **state)
{
	(void)state;
	clear_snak_env();
	return config_load();
}

static int
teardown(void **state)
{
	(void)state;
	clear_snak_env();
	return 0;
}

/* ---- config_set ---- */

static void
test_set_strings(void **state)
{
	char long63[64], long64[65];

	(void)state;
	assert_int_equal(config_set("db_host", "db.example"), 0);
	assert_string_equal(cfg.db_host, "db.example");
	assert_int_equal(config_set("db_socket", "/run/mysqld/mysqld.sock"), 0);
	assert_string_equal(cfg.db_socket, "/run/mysqld/mysqld.sock");
	assert_int_equal(config_set("listen", "/run/snak.sock"), 0);
	assert_string_equal(cfg.listen, "/run/snak.sock");
	assert_int_equal(config_set("db_password", "p=ss word#1"), 0);
	assert_string_equal(cfg.db_password, "p=ss word#1");
	assert_int_equal(config_set("db_socket", ""), 0);	/* empty is allowed */
	assert_string_equal(cfg.db_socket, "");

	/* db_user is 64 bytes: 63 characters fit, 64 do not. */
	memset(long63, 'u', 63);
	long63[63] = '\0';
	memset(long64, 'v', 64);
	long64[64] = '\0';
	assert_int_equal(config_set("db_user", long63), 0);
	assert_string_equal(cfg.db_user, long63);
	assert_int_equal(config_set("db_user", long64), -1);
	assert_string_equal(cfg.db_user, long63);	/* unchanged */
	assert_int_equal(config_set("node", long64), -1);
	assert_string_equal(cfg.node, "snak");
}

static void
test_set_ints(void **state)
{
	(void)state;
	assert_int_equal(config_set("db_port", "3307"), 0);
	assert_int_equal(cfg.db_port, 3307);
	assert_int_equal(config_set("db_port", "1"), 0);
	assert_int_equal(cfg.db_port, 1);
	assert_int_equal(config_set("db_port", "65535"), 0);
	assert_int_equal(cfg.db_port, 65535);
	assert_int_equal(config_set("threads", "256"), 0);
	assert_int_equal(cfg.threads, 256);
	assert_int_equal(config_set("max_parked", "0"), 0);
	assert_int_equal(cfg.max_parked, 0);
	assert_int_equal(config_set("max_parked", "1000000"), 0);
	assert_int_equal(cfg.max_parked, 1000000);
	assert_int_equal(config_set("hub_interval_ms", "5"), 0);
	assert_int_equal(cfg.hub_interval_ms, 5);
	assert_int_equal(config_set("hub_interval_ms", "5000"), 0);
	assert_int_equal(cfg.hub_interval_ms, 5000);
}

static void
test_set_bad_ints(void **state)
{
	static const struct { const char *key, *value; } bad[] = {
		{ "db_port", "0" }, { "db_port", "65536" }, { "db_port", "-1" },
		{ "db_port", "" }, { "db_port", "abc" }, { "db_port", "12x" },
		{ "db_port", "3306 3307" }, { "db_port", "1.5" },
		{ "db_port", "99999999999999999999" },		/* overflows long */
		{ "db_port", "4294970602" },			/* 3306 + 2^32 */
		{ "threads", "0" }, { "threads", "257" },
		{ "max_parked", "-1" }, { "max_parked", "1000001" },
		{ "hub_interval_ms", "4" }, { "hub_interval_ms", "5001" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (config_set(bad[i].key, bad[i].value) != -1)
			fail_msg("config_set(%s, \"%s\") accepted", bad[i].key,
			    bad[i].value);
	/* Nothing changed. */
	assert_int_equal(cfg.db_port, 3306);
	assert_int_equal(cfg.threads, 8);
	assert_int_equal(cfg.hub_interval_ms, 50);
}

static void
test_set_unknown_keys(void **state)
{
	(void)state;
	assert_int_equal(config_set("nope", "1"), -1);
	assert_int_equal(config_set("", "1"), -1);
	assert_int_equal(config_set("DB_HOST", "x"), -1);	/* keys are lower case */
	assert_int_equal(config_set("db_host ", "x"), -1);
	assert_int_equal(config_set("db", "x"), -1);
	assert_int_equal(config_set("db_hostx", "x"), -1);
	assert_int_equal(config_set("SNAK_DB_HOST", "x"), -1);
	assert_string_equal(cfg.db_host, "localhost");
}

/* ---- config_load ---- */

static void
test_load_defaults(void **state)
{
	(void)state;
	assert_int_equal(config_load(), 0);
	assert_string_equal(cfg.db_socket, "");
	assert_string_equal(cfg.db_host, "localhost");
	assert_int_equal(cfg.db_port, 3306);
	assert_string_equal(cfg.db_user, "snak");
	assert_string_equal(cfg.db_password, "");
	assert_string_equal(cfg.db_name, "snak");
	assert_string_equal(cfg.listen, "");
	assert_int_equal(cfg.threads, 8);
	assert_string_equal(cfg.templates, SNAK_TEMPLATES);
	assert_string_equal(cfg.schema, SNAK_SCHEMA);
	assert_int_equal(cfg.hub_interval_ms, 50);
	assert_string_equal(cfg.node, "snak");
	assert_in_range(cfg.max_parked, 1, 1000000);
}

static void
test_load_file(void **state)
{
	(void)state;
	write_config(
	    "# snak settings\n"
	    "   # an indented comment\n"
	    "\n"
	    "   \t\n"
	    "db_host   =   db.internal  \n"
	    "db_port=3310\n"
	    "\tthreads = 4\t\n"
	    "node = node one\n"
	    "db_password = p=ss#word\n"
	    "db_name = crlf\r\n"
	    "listen =\n"
	    "hub_interval_ms = 20");		/* no newline at the end */
	assert_int_equal(setenv("SNAK_CONFIG", path, 1), 0);
	assert_int_equal(config_load(), 0);
	assert_string_equal(cfg.db_host, "db.internal");
	assert_int_equal(cfg.db_port, 3310);
	assert_int_equal(cfg.threads, 4);
	assert_string_equal(cfg.node, "node one");
	assert_string_equal(cfg.db_password, "p=ss#word");
	assert_string_equal(cfg.db_name, "crlf");
	assert_string_equal(cfg.listen, "");
	assert_int_equal(cfg.hub_interval_ms, 20);
	assert_string_equal(cfg.db_user, "snak");	/* not in the file: default */
}

static void
test_load_env_overrides_file(void **state)
{
	(void)state;
	write_config("db_host = from-file\ndb_port = 3310\nnode = file-node\n");
	assert_int_equal(setenv("SNAK_CONFIG", path, 1), 0);
	assert_int_equal(setenv("SNAK_DB_PORT", "4000", 1), 0);
	assert_int_equal(setenv("SNAK_NODE", "env-node", 1), 0);
	assert_int_equal(setenv("SNAK_DB_SOCKET", "/tmp/my.sock", 1), 0);
	assert_int_equal(setenv("SNAK_HUB_INTERVAL_MS", "100", 1), 0);
	assert_int_equal(config_load(), 0);
	assert_string_equal(cfg.db_host, "from-file");
	assert_int_equal(cfg.db_port, 4000);
	assert_string_equal(cfg.node, "env-node");
	assert_string_equal(cfg.db_socket, "/tmp/my.sock");
	assert_int_equal(cfg.hub_interval_ms, 100);
	/* Environment without a file. */
	assert_int_equal(unsetenv("SNAK_CONFIG"), 0);
	assert_int_equal(config_load(), 0);
	assert_string_equal(cfg.db_host, "localhost");
	assert_int_equal(cfg.db_port, 4000);
	/* An empty SNAK_CONFIG means no file. */
	assert_int_equal(setenv("SNAK_CONFIG", "", 1), 0);
	assert_int_equal(config_load(), 0);
}

static void
test_load_reloads_defaults(void **state)
{
	(void)state;
	/* A second load starts from the defaults, not the last values. */
	assert_int_equal(config_set("db_host", "changed"), 0);
	assert_int_equal(config_load(), 0);
	assert_string_equal(cfg.db_host, "localhost");
}

static void
test_load_bad_file(void **state)
{
	(void)state;
	assert_int_equal(setenv("SNAK_CONFIG", "/nonexistent/snak.conf", 1), 0);
	assert_int_equal(config_load(), -1);

	/* A bad line fails the load, and the good lines still apply. */
	assert_int_equal(setenv("SNAK_CONFIG", path, 1), 0);
	write_config("db_host = ok\nthis is not a setting\ndb_port = 3311\n");
	assert_int_equal(config_load(), -1);
	assert_string_equal(cfg.db_host, "ok");
	assert_int_equal(cfg.db_port, 3311);

	write_config("threads = 0\n");
	assert_int_equal(config_load(), -1);
	assert_int_equal(cfg.threads, 8);
	write_config("colour = blue\n");
	assert_int_equal(config_load(), -1);
	write_config("= 5\n");
	assert_int_equal(config_load(), -1);
	write_config("db_port = 33 06\n");
	assert_int_equal(config_load(), -1);
}

static void
test_load_bad_env(void **state)
{
	(void)state;
	assert_int_equal(setenv("SNAK_THREADS", "many", 1), 0);
	assert_int_equal(config_load(), -1);
	assert_int_equal(unsetenv("SNAK_THREADS"), 0);
	assert_int_equal(setenv("SNAK_DB_PORT", "70000", 1), 0);
	assert_int_equal(config_load(), -1);
	assert_int_equal(cfg.db_port, 3306);
	/* Only SNAK_ + the upper-case key counts. */
	assert_int_equal(unsetenv("SNAK_DB_PORT"), 0);
	assert_int_equal(setenv("SNAK_db_port", "4001", 1), 0);
	assert_int_equal(setenv("SNAK_COLOUR", "blue", 1), 0);
	assert_int_equal(config_load(), 0);
	assert_int_equal(cfg.db_port, 3306);
}

static void
test_load_long_line(void **state)
{
	char	 text[2200];

	(void)state;
	/*
	 * A line longer than config.c's 1024-byte line buffer used to be read
	 * as two lines, so the tail of a long comment could set db_host (found
	 * by this test, fixed in 1fe2e65). Now the long line is an error as a
	 * whole and the lines after it still count.
	 */
	text[0] = '#';
	memset(text + 1, 'x', 1022);
	snprintf(text + 1023, sizeof(text) - 1023, "db_host=evil\nnode = after\n");
	write_config(text);
	assert_int_equal(setenv("SNAK_CONFIG", path, 1), 0);
	assert_int_equal(config_load(), -1);
	assert_string_equal(cfg.db_host, "localhost");
	assert_string_equal(cfg.node, "after");

	/* A long value is refused the same way, never cut short. */
	snprintf(text, sizeof(text), "db_password = %01500d\ndb_port = 3312\n", 1);
	write_config(text);
	assert_int_equal(config_load(), -1);
	assert_string_equal(cfg.db_password, "");
	assert_int_equal(cfg.db_port, 3312);

	/* Long enough to need the buffer's last byte, but not longer. */
	memset(text, ' ', 1000);
	snprintf(text + 1000, sizeof(text) - 1000, "node=n\n");	/* 1007 bytes */
	write_config(text);
	assert_int_equal(config_load(), 0);
	assert_string_equal(cfg.node, "n");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_set_strings),
		T(test_set_ints),
		T(test_set_bad_ints),
		T(test_set_unknown_keys),
		T(test_load_defaults),
		T(test_load_file),
		T(test_load_env_overrides_file),
		T(test_load_reloads_defaults),
		T(test_load_bad_file),
		T(test_load_bad_env),
		T(test_load_long_line),
	};

	return cmocka_run_group_tests_name("config", tests, group_setup,
	    group_teardown);
}
