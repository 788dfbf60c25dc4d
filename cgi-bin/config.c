/* config.c: configuration from a file and SNAK_* environment variables.
 *
 * The environment wins over the file, so a hosting provider can keep one file
 * for many instances and change only the socket or the database per process.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "config.h"

#ifndef SNAK_TEMPLATES
#define SNAK_TEMPLATES "/usr/share/snak/templates"
#endif
#ifndef SNAK_SCHEMA
#define SNAK_SCHEMA "/usr/share/snak/schema"
#endif

struct config cfg;

enum kind { STR, INT };

static const struct key {
	const char	*name;	/* file key; the env name is SNAK_ + upper case */
	enum kind	 kind;
	size_t		 off;
	size_t		 size;	/* STR: buffer size */
	int		 min, max;	/* INT: range */
} keys[] = {
#define S(n) { #n, STR, offsetof(struct config, n), sizeof(cfg.n), 0, 0 }
#define I(n, lo, hi) { #n, INT, offsetof(struct config, n), 0, lo, hi }
	S(db_socket), S(db_host), I(db_port, 1, 65535), S(db_user),
	S(db_password), S(db_name), S(listen), I(threads, 1, 256),
	S(templates), S(schema), I(max_parked, 0, 1000000),
	I(hub_interval_ms, 5, 5000), S(node),
#undef S
#undef I
};

int
config_set(const char *key, const char *value)
{
	size_t		 i;
	char		*end;
	long		 v;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].name, key) != 0)
			continue;
		if (keys[i].kind == STR) {
			if (strlen(value) >= keys[i].size)
				return -1;
			strcpy((char *)&cfg + keys[i].off, value);
			return 0;
		}
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end != '\0' ||
		    v < keys[i].min || v > keys[i].max)
			return -1;
		*(int *)((char *)&cfg + keys[i].off) = (int)v;
		return 0;
	}
	return -1;
}

static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
load_file(const char *path)
{
	FILE	*f;
	char	 line[1024], *eq, *k, *v;
	int	 n = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "snak: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		n++;
		/* A line longer than the buffer is an error as a whole, never
		 * read on as if its tail were a line of its own. */
		if (strchr(line, '\n') == NULL && !feof(f)) {
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			fprintf(stderr, "snak: %s:%d: line too long\n", path, n);
			rc = -1;
			continue;
		}
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			fprintf(stderr, "snak: %s:%d: expected key = value\n",
			    path, n);
			rc = -1;
			continue;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if (config_set(k, v) == -1) {
			fprintf(stderr, "snak: %s:%d: bad setting %s\n",
			    path, n, k);
			rc = -1;
		}
	}
	fclose(f);
	return rc;
}

int
config_load(void)
{
	struct rlimit	 rl;
	size_t		 i, j;
	char		 env[64];
	const char	*v;
	int		 rc = 0;

	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.db_host, "localhost");
	cfg.db_port = 3306;
	strcpy(cfg.db_user, "snak");
	strcpy(cfg.db_name, "snak");
	cfg.threads = 8;
	snprintf(cfg.templates, sizeof(cfg.templates), "%s", SNAK_TEMPLATES);
	snprintf(cfg.schema, sizeof(cfg.schema), "%s", SNAK_SCHEMA);
	cfg.hub_interval_ms = 50;
	strcpy(cfg.node, "snak");
	/* Parked polls each hold an fd; keep a reserve for DB and accepts. */
	cfg.max_parked = 1000;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 200)
		cfg.max_parked = rl.rlim_cur > 1000100 ? 1000000 :
		    (int)rl.rlim_cur - 100;

	if ((v = getenv("SNAK_CONFIG")) != NULL && *v != '\0' &&
	    load_file(v) == -1)
		rc = -1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(env, sizeof(env), "SNAK_%s", keys[i].name);
		for (j = 5; env[j] != '\0'; j++)
			env[j] = (char)toupper((unsigned char)env[j]);
		if ((v = getenv(env)) == NULL)
			continue;
		if (config_set(keys[i].name, v) == -1) {
			fprintf(stderr, "snak: bad value in %s\n", env);
			rc = -1;
		}
	}
	return rc;
}
