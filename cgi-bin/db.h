/* db.h: MariaDB access: one connection per thread, prepared statements only. */
#ifndef SNAK_DB_H
#define SNAK_DB_H

#include <stdio.h>

/* Every SQL statement snak runs; the text is in db.c. */
enum stmt {
	STMT_PING,
	STMT_NOW_US,
	STMT_MIG_LOCK,
	STMT_MIG_UNLOCK,
	STMT_MIG_APPLIED,
	STMT_MIG_RECORD,
	STMT_USER_BY_USERNAME,
	STMT_USER_INSERT,
	STMT_USER_SET_PASSWORD,
	STMT_USER_STATE,
	STMT_USER_SET_STATUS,
	STMT_USER_LOCK,
	STMT_SESSION_INSERT,
	STMT_SESSION_LOOKUP,
	STMT_SESSION_TOUCH,
	STMT_SESSION_DELETE,
	STMT_LOGIN_FAILURES,
	STMT_LOGIN_FAILURE_ADD,
	STMT_LOGIN_FAILURE_CLEAR,
	STMT_CHANNEL_BY_SLUG,
	STMT_CHANNEL_INSERT,
	STMT_CHANNEL_QUEUE_BUMP,
	STMT_CHANNEL_RESPONDERS,
	STMT_MEMBER_UPSERT,
	STMT_USER_CHANNELS,
	STMT_CHAT_INSERT,
	STMT_CHAT_LOCK,
	STMT_CHAT_BY_TOKEN,
	STMT_CHAT_WIDGET_STATE,
	STMT_CHAT_AGENTS,
	STMT_CHAT_ASSIGN,
	STMT_CHAT_END,
	STMT_CHAT_AGENT_READ,
	STMT_QUEUE_IDS,
	STMT_QUEUE_TAIL,
	STMT_CHAT_AGENT,
	STMT_QUEUE_STATE,
	STMT_QUEUE_NEXT,
	STMT_QUEUE_NEXT_IN,
	STMT_QUEUE_COUNTS,
	STMT_AGENT_ACTIVE_COUNT,
	STMT_PARTICIPANT_JOIN,
	STMT_PARTICIPANTS,
	STMT_APPEND,
	STMT_POST,
	STMT_EVENT_BY_CLIENT_ID,
	STMT_EVENTS_PUBLIC,
	STMT_EVENTS_ALL,
	STMT_CHATS_ACTIVE,
	STMT_CHATS_RECENT,
	STMT_CHAT_FOR_AGENT,
	STMT_FEED_INSERT,
	STMT_FEED_SET,
	STMT_FEED_AFTER,
	STMT_HUB_CHANGES,
	STMT__MAX
};

enum db_rc {
	DB_OK = 0,
	DB_DUP,		/* a unique key was already taken */
	DB_RETRY,	/* deadlock or lock wait timeout: run the transaction again */
	DB_DOWN,	/* no connection to the database: answer 503 */
	DB_ERR,		/* anything else (logged): a bug or a broken schema */
};

/* A whole result, every value as a NUL-terminated string (NULL for SQL NULL). */
struct dbres {
	int		  rows;
	int		  cols;
	char		**cell;		/* rows * cols, row-major */
};

struct db;

/* Call once before threads start, and once at exit. */
int	db_library_init(void);
void	db_library_end(void);

/* A handle for one thread; it connects on first use and after a loss. */
struct db *db_new(void);
void	db_free(struct db *);

/*
 * Runs `stmt` with parameters described by `types`, one letter each:
 * 'i' long long, 's' const char * (NULL binds SQL NULL), 'b' const void *
 * plus size_t (binary). With `res`, the rows are stored there (free with
 * dbres_free). Outside a transaction a lost connection is reconnected
 * and the statement run once more.
 */
enum db_rc db_exec(struct db *, enum stmt, struct dbres *res,
	    const char *types, ...);
unsigned long long db_affected(struct db *);
unsigned long long db_insert_id(struct db *);

enum db_rc db_begin(struct db *);
enum db_rc db_commit(struct db *);
void	db_rollback(struct db *);

/* 1 if a value was returned and is not NULL. */
const char *dbres_str(const struct dbres *, int row, int col);
long long dbres_int(const struct dbres *, int row, int col);
/* A one-row result made in memory from `cols` strings (NULL for NULL), for
 * an answer built from what was just written. 0 or -1. */
int	dbres_make(struct dbres *, int cols, const char *const *vals);
void	dbres_free(struct dbres *);

/*
 * Applies every schema/NNN_*.sql not yet recorded in schema_migrations, in
 * name order, under a named lock so that concurrent starts apply each file
 * once. Prints applied file names to `report` (may be NULL). Returns 0, -1.
 */
int	db_migrate(struct db *, const char *dir, FILE *report);

#endif
