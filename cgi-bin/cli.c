/* cli.c: `snak migrate|bootstrap|useradd|passwd|channel-add|member-add`.
 *
 * The tasks a hosting provider scripts on a real server; `make run` uses
 * bootstrap. Passwords come from SNAK_PASSWORD or one line on stdin, never
 * from the command line (where `ps` would show them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "html.h"
#include "valid.h"

static void
usage(void)
{
	fputs("usage: snak serve\n"
	    "       snak migrate\n"
	    "       snak bootstrap\n"
	    "       snak useradd USERNAME \"Full Name\" agent|manager|admin\n"
	    "       snak passwd USERNAME\n"
	    "       snak channel-add SLUG \"Name\" [LANGUAGE]\n"
	    "       snak member-add SLUG USERNAME respond[,listen][,manager]\n"
	    "Passwords are read from SNAK_PASSWORD or from one line on stdin.\n",
	    stderr);
}

static int
read_password(char *out, size_t size)
{
	const char	*env = getenv("SNAK_PASSWORD");
	size_t		 n;

	if (env != NULL && *env != '\0') {
		snprintf(out, size, "%s", env);
	} else {
		if (fgets(out, (int)size, stdin) == NULL)
			return -1;
		n = strcspn(out, "\r\n");
		out[n] = '\0';
	}
	if (strlen(out) < 8) {
		fprintf(stderr, "snak: the password needs at least 8 characters\n");
		return -1;
	}
	return 0;
}

static int
add_user(struct db *db, const char *username, const char *name,
    const char *role, const char *password)
{
	char		 hash[256];
	enum db_rc	 rc;

	if (!valid_username(username)) {
		fprintf(stderr, "snak: user names are 1-64 of A-Z a-z 0-9 . _ @ -\n");
		return 1;
	}
	if (strcmp(role, "agent") != 0 && strcmp(role, "manager") != 0 &&
	    strcmp(role, "admin") != 0) {
		fprintf(stderr, "snak: the role is agent, manager or admin\n");
		return 2;
	}
	if (auth_hash_password(password, hash, sizeof(hash)) == -1) {
		fprintf(stderr, "snak: cannot hash the password (out of memory?)\n");
		return 1;
	}
	rc = db_exec(db, STMT_USER_INSERT, NULL, "sssss", username, name, "",
	    hash, role);
	if (rc == DB_DUP) {
		fprintf(stderr, "snak: user %s exists already\n", username);
		return 1;
	}
	return rc == DB_OK ? 0 : 1;
}

static int
add_channel(struct db *db, const char *slug, const char *name, const char *lang)
{
	enum db_rc rc;

	if (!valid_slug(slug)) {
		fprintf(stderr, "snak: a slug is 1-64 of a-z 0-9 -\n");
		return 2;
	}
	lang = html_lang(NULL, lang);
	rc = db_exec(db, STMT_CHANNEL_INSERT, NULL, "ssssss", slug, name, lang,
	    html_t(lang, "default.welcome"), html_t(lang, "default.queue"),
	    html_t(lang, "default.closed"));
	if (rc == DB_DUP) {
		fprintf(stderr, "snak: channel %s exists already\n", slug);
		return 1;
	}
	return rc == DB_OK ? 0 : 1;
}

static int
add_member(struct db *db, const char *slug, const char *username,
    const char *rights)
{
	struct dbres	 ch, u;
	int		 rc = 1;

	if (db_exec(db, STMT_CHANNEL_BY_SLUG, &ch, "s", slug) != DB_OK)
		return 1;
	if (db_exec(db, STMT_USER_BY_USERNAME, &u, "s", username) != DB_OK) {
		dbres_free(&ch);
		return 1;
	}
	if (ch.rows != 1)
		fprintf(stderr, "snak: no channel %s\n", slug);
	else if (u.rows != 1)
		fprintf(stderr, "snak: no user %s\n", username);
	else if (db_exec(db, STMT_MEMBER_UPSERT, NULL, "iis",
	    dbres_int(&ch, 0, 0), dbres_int(&u, 0, 0), rights) == DB_OK)
		rc = 0;
	else
		fprintf(stderr, "snak: rights are respond, listen, manager\n");
	dbres_free(&ch);
	dbres_free(&u);
	return rc;
}

/* The demo channel and the admin, each only if missing. */
static int
bootstrap(struct db *db)
{
	struct dbres	 res;
	const char	*pw = getenv("SNAK_ADMIN_PASSWORD");
	char		 made[AUTH_TOKEN_LEN + 1];
	int		 rc;

	if (db_exec(db, STMT_CHANNEL_BY_SLUG, &res, "s", "demo") != DB_OK)
		return 1;
	if (res.rows == 0 && add_channel(db, "demo", "Demo", "en") != 0) {
		dbres_free(&res);
		return 1;
	}
	dbres_free(&res);
	if (db_exec(db, STMT_USER_BY_USERNAME, &res, "s", "admin") != DB_OK)
		return 1;
	if (res.rows == 0) {
		if (pw == NULL || *pw == '\0') {
			auth_token(made);
			made[16] = '\0';
			pw = made;
		}
		if ((rc = add_user(db, "admin", "Admin", "admin", pw)) != 0) {
			dbres_free(&res);
			return rc;
		}
		printf("admin password: %s\n", pw);
	}
	dbres_free(&res);
	return add_member(db, "demo", "admin", "respond,listen,manager");
}

int
cli_main(int argc, char **argv)
{
	struct db	*db;
	char		 pw[1024];
	const char	*cmd = argv[1];
	int		 rc = 2;

	if (config_load() == -1 || auth_init() == -1 ||
	    html_load(cfg.templates) == -1 || db_library_init() == -1)
		return 1;
	if ((db = db_new()) == NULL)
		return 1;
	if (strcmp(cmd, "migrate") == 0 && argc == 2)
		rc = db_migrate(db, cfg.schema, stdout) == 0 ? 0 : 1;
	else if (strcmp(cmd, "bootstrap") == 0 && argc == 2)
		rc = db_migrate(db, cfg.schema, stdout) == 0 ? bootstrap(db) : 1;
	else if (strcmp(cmd, "useradd") == 0 && argc == 5)
		rc = read_password(pw, sizeof(pw)) == -1 ? 1 :
		    add_user(db, argv[2], argv[3], argv[4], pw);
	else if (strcmp(cmd, "passwd") == 0 && argc == 3) {
		char hash[256];

		rc = 1;
		if (read_password(pw, sizeof(pw)) == 0 &&
		    auth_hash_password(pw, hash, sizeof(hash)) == 0 &&
		    db_exec(db, STMT_USER_SET_PASSWORD, NULL, "ss", hash,
		    argv[2]) == DB_OK)
			rc = db_affected(db) == 1 ? 0 :
			    (fprintf(stderr, "snak: no user %s\n", argv[2]), 1);
	} else if (strcmp(cmd, "channel-add") == 0 && (argc == 4 || argc == 5))
		rc = add_channel(db, argv[2], argv[3], argc == 5 ? argv[4] : "en");
	else if (strcmp(cmd, "member-add") == 0 && argc == 5)
		rc = add_member(db, argv[2], argv[3], argv[4]);
	else
		usage();
	if (rc == 1 && db_exec(db, STMT_PING, NULL, "") != DB_OK)
		fprintf(stderr, "snak: the database is unavailable\n");
	sodium_memzero(pw, sizeof(pw));
	db_free(db);
	db_library_end();
	return rc;
}
