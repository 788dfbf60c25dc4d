/* db.c: the only file that includes mysql.h.
 *
 * All SQL text is in `stmts`, indexed by enum stmt (openradtool's shape).
 * Values only travel as bound parameters. Each thread owns one struct db;
 * statements are prepared on first use per connection. When the server
 * goes away, the connection is dropped and made again on the next call, so
 * callers see DB_DOWN (503) during an outage and service resumes by itself.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "config.h"
#include "db.h"
#include "log.h"

#define TS(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s.%fZ')"

/* The columns of a chat as the agent sees it (see events.c chat_json). The
 * lists leave out the question (the open chat shows it): a third of their
 * size, and an agent's list can hold a thousand chats. */
#define CHAT_COLS_OF(unread, question) \
	"c.id, ch.slug, c.customer_name, c.customer_email, c.status, " \
	unread ", c.last_from, " TS("c.created_at") ", " TS("c.ended_at") ", " \
	"c.last_seq, " question ", c.agent_id, c.channel_id "
#define UNREAD \
	"(SELECT COUNT(*) FROM chat_events e WHERE e.chat_id = c.id " \
	" AND e.seq > c.agent_read_seq AND e.author_kind = 'customer' " \
	" AND e.type = 'message')"
#define CHAT_COLS CHAT_COLS_OF(UNREAD, "c.question")

static const char *const stmts[STMT__MAX] = {
	/* STMT_PING */
	"SELECT 1",
	/* STMT_NOW_US */
	"SELECT DATE_FORMAT(NOW(6), '%Y-%m-%d %H:%i:%s.%f')",
	/* STMT_MIG_LOCK */
	"SELECT GET_LOCK('snak_migrate', 60)",
	/* STMT_MIG_UNLOCK */
	"SELECT RELEASE_LOCK('snak_migrate')",
	/* STMT_MIG_APPLIED */
	"SELECT version FROM schema_migrations",
	/* STMT_MIG_RECORD */
	"INSERT INTO schema_migrations (version) VALUES (?)",
	/* STMT_USER_BY_USERNAME */
	"SELECT id, username, name, role, password_hash, active "
	"FROM users WHERE username = ?",
	/* STMT_USER_INSERT */
	"INSERT INTO users (username, name, email, password_hash, role) "
	"VALUES (?, ?, ?, ?, ?)",
	/* STMT_USER_SET_PASSWORD */
	"UPDATE users SET password_hash = ? WHERE username = ?",
	/* STMT_USER_STATE */
	"SELECT status, feed_seq, max_chats FROM users WHERE id = ?",
	/* STMT_USER_SET_STATUS */
	"UPDATE users SET status = ?, status_at = NOW(6) WHERE id = ?",
	/* STMT_USER_LOCK: the agent row, also the lock of the agent's feed */
	"SELECT feed_seq, max_chats, status, name FROM users "
	"WHERE id = ? FOR UPDATE",
	/* STMT_SESSION_INSERT */
	"INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) "
	"VALUES (?, ?, ?, NOW(6) + INTERVAL 12 HOUR)",
	/* STMT_SESSION_LOOKUP: with where the user's feed ends, so that an
	 * agent's poll with nothing new costs this one query */
	"SELECT s.id, s.csrf_token, u.id, u.username, u.name, u.role, "
	"s.expires_at < NOW(6) + INTERVAL 11 HOUR, u.feed_seq "
	"FROM sessions s JOIN users u ON u.id = s.user_id "
	"WHERE s.token_hash = ? AND s.expires_at > NOW(6) AND u.active = 1",
	/* STMT_SESSION_TOUCH: sliding expiry, written at most hourly */
	"UPDATE sessions SET expires_at = NOW(6) + INTERVAL 12 HOUR WHERE id = ?",
	/* STMT_SESSION_DELETE */
	"DELETE FROM sessions WHERE id = ?",
	/* STMT_LOGIN_FAILURES */
	"SELECT failures, TIMESTAMPDIFF(SECOND, last_at, NOW(6)) "
	"FROM login_failures WHERE login_key = ?",
	/* STMT_LOGIN_FAILURE_ADD: a quiet quarter of an hour forgives */
	"INSERT INTO login_failures (login_key, failures, last_at) "
	"VALUES (?, 1, NOW(6)) ON DUPLICATE KEY UPDATE "
	"failures = IF(last_at < NOW(6) - INTERVAL 15 MINUTE, 1, failures + 1), "
	"last_at = NOW(6)",
	/* STMT_LOGIN_FAILURE_CLEAR */
	"DELETE FROM login_failures WHERE login_key = ?",
	/* STMT_CHANNEL_BY_SLUG */
	"SELECT id, slug, name, language, welcome_message, queue_message, "
	"closed_message, color, routing, queue_version FROM channels WHERE slug = ?",
	/* STMT_CHANNEL_INSERT */
	"INSERT INTO channels (slug, name, language, welcome_message, "
	"queue_message, closed_message) VALUES (?, ?, ?, ?, ?, ?)",
	/* STMT_CHANNEL_QUEUE_BUMP */
	"UPDATE channels SET queue_version = queue_version + 1, "
	"queue_changed_at = NOW(6) WHERE id = ?",
	/* STMT_CHANNEL_RESPONDERS: locked in id order (no deadlock cycles) */
	"SELECT u.id, u.feed_seq FROM users u JOIN channel_members m "
	"ON m.user_id = u.id WHERE m.channel_id = ? AND u.active = 1 "
	"AND FIND_IN_SET('respond', m.rights) ORDER BY u.id FOR UPDATE",
	/* STMT_MEMBER_UPSERT */
	"INSERT INTO channel_members (channel_id, user_id, rights) VALUES (?, ?, ?) "
	"ON DUPLICATE KEY UPDATE rights = VALUES(rights)",
	/* STMT_USER_CHANNELS */
	"SELECT ch.slug, ch.name, m.rights FROM channel_members m "
	"JOIN channels ch ON ch.id = m.channel_id WHERE m.user_id = ? "
	"ORDER BY ch.name",
	/* STMT_CHAT_INSERT */
	"INSERT INTO chats (channel_id, token_hash, customer_name, "
	"customer_email, question, language) VALUES (?, ?, ?, ?, ?, ?)",
	/* STMT_CHAT_LOCK */
	"SELECT status, last_seq, channel_id, agent_id, customer_name "
	"FROM chats WHERE id = ? FOR UPDATE",
	/* STMT_CHAT_BY_TOKEN */
	"SELECT id FROM chats WHERE id = ? AND token_hash = ?",
	/* STMT_CHAT_WIDGET_STATE: last_seq first, then events up to it; the
	 * queue version in the same statement, so status and place agree */
	"SELECT c.status, c.last_seq, c.channel_id, ch.queue_version "
	"FROM chats c JOIN channels ch ON ch.id = c.channel_id WHERE c.id = ?",
	/* STMT_CHAT_AGENTS */
	"SELECT u.name FROM chat_participants p JOIN users u ON u.id = p.user_id "
	"WHERE p.chat_id = ? AND p.left_at IS NULL AND p.role = 'agent' "
	"ORDER BY p.joined_at",
	/* STMT_CHAT_ASSIGN */
	"UPDATE chats SET status = 'active', agent_id = ?, answered_at = NOW(6), "
	"agent_read_seq = last_seq WHERE id = ? AND status = 'queued'",
	/* STMT_CHAT_END */
	"UPDATE chats SET status = 'ended', ended_at = NOW(6) WHERE id = ?",
	/* STMT_CHAT_AGENT_READ */
	"UPDATE chats SET agent_read_seq = last_seq "
	"WHERE id = ? AND agent_id = ? AND agent_read_seq < last_seq",
	/* STMT_QUEUE_IDS: the queue in order (queue.c snapshots), but for
	 * the last 2 seconds: a chat inserted just now may not have committed
	 * yet, and one missing ahead would put everyone behind it a place
	 * too low. Those are counted live at the tail (STMT_QUEUE_TAIL). */
	"SELECT id FROM chats WHERE channel_id = ? AND status = 'queued' "
	"AND created_at < NOW(6) - INTERVAL 2 SECOND ORDER BY id LIMIT 1000000",
	/* STMT_QUEUE_TAIL: queued chats with ? < id <= ? */
	"SELECT COUNT(*) FROM chats WHERE channel_id = ? AND status = 'queued' "
	"AND id > ? AND id <= ?",
	/* STMT_CHAT_AGENT: whose chat it is (the common case of a check) */
	"SELECT agent_id FROM chats WHERE id = ?",
	/* STMT_QUEUE_STATE: how many wait, and the version that says so */
	"SELECT (SELECT COUNT(*) FROM chats WHERE channel_id = ch.id "
	"AND status = 'queued'), ch.queue_version FROM channels ch WHERE ch.id = ?",
	/* STMT_QUEUE_NEXT: the oldest queued chat of my channels */
	"SELECT c.id FROM chats c WHERE c.status = 'queued' AND c.channel_id IN "
	"(SELECT channel_id FROM channel_members WHERE user_id = ? "
	"AND FIND_IN_SET('respond', rights)) "
	"ORDER BY c.id LIMIT 1 FOR UPDATE SKIP LOCKED",
	/* STMT_QUEUE_NEXT_IN: the same, one channel */
	"SELECT c.id FROM chats c WHERE c.status = 'queued' AND c.channel_id = "
	"(SELECT m.channel_id FROM channel_members m JOIN channels ch "
	"ON ch.id = m.channel_id WHERE m.user_id = ? AND ch.slug = ? "
	"AND FIND_IN_SET('respond', m.rights)) "
	"ORDER BY c.id LIMIT 1 FOR UPDATE SKIP LOCKED",
	/* STMT_QUEUE_COUNTS */
	"SELECT ch.slug, COUNT(c.id) FROM channel_members m "
	"JOIN channels ch ON ch.id = m.channel_id "
	"LEFT JOIN chats c ON c.channel_id = ch.id AND c.status = 'queued' "
	"WHERE m.user_id = ? GROUP BY ch.slug ORDER BY ch.slug",
	/* STMT_AGENT_ACTIVE_COUNT */
	"SELECT COUNT(*) FROM chats WHERE agent_id = ? AND status = 'active'",
	/* STMT_PARTICIPANT_JOIN */
	"INSERT INTO chat_participants (chat_id, user_id, role) "
	"VALUES (?, ?, 'agent') ON DUPLICATE KEY UPDATE left_at = NULL, "
	"role = 'agent'",
	/* STMT_PARTICIPANTS */
	"SELECT p.user_id, u.name, p.role, " TS("p.joined_at") ", "
	TS("p.left_at") " FROM chat_participants p "
	"JOIN users u ON u.id = p.user_id WHERE p.chat_id = ? "
	"ORDER BY p.joined_at",
	/* STMT_APPEND: events.c chat_append (schema/002_append.sql); the last
	 * two ? are OUT parameters, which come back as a one-row result */
	"CALL snak_append(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* STMT_POST: events.c chat_post, the whole transaction */
	"CALL snak_post(?, ?, ?, ?, ?, ?, ?, ?)",
	/* STMT_EVENT_BY_CLIENT_ID */
	"SELECT seq FROM chat_events WHERE chat_id = ? AND client_id = ?",
	/* STMT_EVENTS_PUBLIC: what the customer may see, after ? up to ? */
	"SELECT seq, type, " TS("at") ", author_kind, author_name, body, data, "
	"private, author_id FROM chat_events WHERE chat_id = ? AND seq > ? "
	"AND seq <= ? AND private = 0 ORDER BY seq LIMIT 500",
	/* STMT_EVENTS_ALL: the agent's view, private messages included */
	"SELECT seq, type, " TS("at") ", author_kind, author_name, body, data, "
	"private, author_id FROM chat_events WHERE chat_id = ? AND seq > ? "
	"AND seq <= ? ORDER BY seq LIMIT 5000",
	/* STMT_CHATS_ACTIVE: from the agent index, not from channels with a
	 * temporary table (the optimiser's pick, measured slower) */
	"SELECT STRAIGHT_JOIN " CHAT_COLS_OF(UNREAD, "NULL")
	"FROM chats c FORCE INDEX (agent) "
	"JOIN channels ch ON ch.id = c.channel_id "
	"WHERE c.agent_id = ? AND c.status = 'active' ORDER BY c.id",
	/* STMT_CHATS_RECENT: ended in the last 8 hours (index agent); an
	 * ended chat has nothing left to answer, so no unread count */
	"SELECT STRAIGHT_JOIN " CHAT_COLS_OF("0", "NULL")
	"FROM chats c FORCE INDEX (agent) "
	"JOIN channels ch ON ch.id = c.channel_id "
	"WHERE c.agent_id = ? AND c.status = 'ended' "
	"AND c.ended_at > NOW(6) - INTERVAL 8 HOUR ORDER BY c.ended_at DESC "
	"LIMIT 1000",
	/* STMT_CHAT_FOR_AGENT: the chat if user ? (role ?) may see it */
	"SELECT " CHAT_COLS "FROM chats c JOIN channels ch ON ch.id = c.channel_id "
	"WHERE c.id = ? AND (c.agent_id = ? OR ? = 'admin' OR EXISTS "
	"(SELECT 1 FROM chat_participants p WHERE p.chat_id = c.id "
	"AND p.user_id = ?) OR EXISTS (SELECT 1 FROM channel_members m "
	"WHERE m.channel_id = c.channel_id AND m.user_id = ? "
	"AND (FIND_IN_SET('listen', m.rights) OR FIND_IN_SET('manager', m.rights))))",
	/* STMT_FEED_INSERT */
	"INSERT INTO agent_events (user_id, seq, type, chat_id, data) "
	"VALUES (?, ?, ?, NULLIF(?, 0), ?)",
	/* STMT_FEED_SET */
	"UPDATE users SET feed_seq = ?, feed_changed_at = NOW(6) WHERE id = ?",
	/* STMT_FEED_AFTER: no upper bound needed, see api_agent_events */
	"SELECT seq, type, " TS("at") ", chat_id, data FROM agent_events "
	"WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT 500",
	/* STMT_HUB_CHANGES: what changed since ? (minus a second, for commits
	 * that were still open at the last look; hub.c KNOWN_FRESH_MS relies
	 * on that second), but for this process's own chats, whose notes the
	 * hub had at once; and the database's clock */
	"SELECT 1, id, last_seq, NULL FROM chats "
	"WHERE changed_at >= ? - INTERVAL 1 SECOND "
	"AND changed_by <> COALESCE(@snak_node, 0) UNION ALL "
	"SELECT 2, id, feed_seq, NULL FROM users "
	"WHERE feed_changed_at >= ? - INTERVAL 1 SECOND UNION ALL "
	"SELECT 3, id, queue_version, NULL FROM channels "
	"WHERE queue_changed_at >= ? - INTERVAL 1 SECOND UNION ALL "
	"SELECT 0, 0, 0, DATE_FORMAT(NOW(6), '%Y-%m-%d %H:%i:%s.%f')",
};

struct db {
	MYSQL		*conn;
	MYSQL_STMT	*st[STMT__MAX];
	int		 in_tx;
	unsigned long long affected;
	unsigned long long insert_id;
	int		 down_logged;
};

/* This process among those sharing the database: random, set as
 * @snak_node on each connection (chats.changed_by, STMT_HUB_CHANGES). */
static long long node_id;

int
db_library_init(void)
{
	if (getrandom(&node_id, sizeof(node_id), 0) != sizeof(node_id))
		return -1;
	node_id = (long long)((unsigned long long)node_id >> 2) | 1;
	return mysql_library_init(0, NULL, NULL) == 0 ? 0 : -1;
}

void
db_library_end(void)
{
	mysql_library_end();
}

struct db *
db_new(void)
{
	return calloc(1, sizeof(struct db));
}

static void
drop(struct db *d)
{
	size_t i;

	for (i = 0; i < STMT__MAX; i++)
		if (d->st[i] != NULL) {
			mysql_stmt_close(d->st[i]);
			d->st[i] = NULL;
		}
	if (d->conn != NULL)
		mysql_close(d->conn);
	d->conn = NULL;
	d->in_tx = 0;
}

void
db_free(struct db *d)
{
	if (d == NULL)
		return;
	drop(d);
	free(d);
	mysql_thread_end();
}

static int
connect_db(struct db *d)
{
	unsigned int	 timeout = 3;
	my_bool		 off = 0;
	char		 node[64];

	if (d->conn != NULL)
		return 0;
	if ((d->conn = mysql_init(NULL)) == NULL)
		return -1;
	mysql_options(d->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	timeout = 30;
	mysql_options(d->conn, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_options(d->conn, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	mysql_options(d->conn, MYSQL_OPT_RECONNECT, &off);
	mysql_options(d->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* Times are stored and compared in UTC. */
	mysql_options(d->conn, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	/* Readers must see every commit at once: a parked poll re-reads. */
	mysql_options(d->conn, MYSQL_INIT_COMMAND,
	    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
	/* Our own number, not a value from outside. */
	snprintf(node, sizeof(node), "SET @snak_node = %lld", node_id);
	mysql_options(d->conn, MYSQL_INIT_COMMAND, node);
	if (mysql_real_connect(d->conn,
	    cfg.db_socket[0] ? NULL : cfg.db_host, cfg.db_user,
	    cfg.db_password, cfg.db_name,
	    cfg.db_socket[0] ? 0 : (unsigned int)cfg.db_port,
	    cfg.db_socket[0] ? cfg.db_socket : NULL,
	    CLIENT_MULTI_STATEMENTS) == NULL) {
		if (!d->down_logged)
			log_warn(NULL, "database: %s", mysql_error(d->conn));
		d->down_logged = 1;
		mysql_close(d->conn);
		d->conn = NULL;
		return -1;
	}
	if (d->down_logged)
		log_info(NULL, "database: connected again");
	d->down_logged = 0;
	return 0;
}

static int
is_conn_error(unsigned int e)
{
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST ||
	    e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR ||
	    e == CR_SERVER_LOST_EXTENDED || e == CR_COMMANDS_OUT_OF_SYNC ||
	    e == ER_SERVER_SHUTDOWN || e == ER_CONNECTION_KILLED ||
	    e == 4031 /* ER_CLIENT_INTERACTION_TIMEOUT */;
}

/* Maps an error number to a result; drops the connection when it is lost. */
static enum db_rc
failed(struct db *d, enum stmt s, unsigned int e, const char *msg)
{
	if (e == ER_DUP_ENTRY)
		return DB_DUP;
	if (e == ER_LOCK_DEADLOCK || e == ER_LOCK_WAIT_TIMEOUT)
		return DB_RETRY;
	if (is_conn_error(e)) {
		if (!d->down_logged)
			log_warn(NULL, "database connection lost: %s", msg);
		d->down_logged = 1;
		drop(d);
		return DB_DOWN;
	}
	log_err(NULL, "database error %u in statement %d: %s", e, (int)s, msg);
	return DB_ERR;
}

struct param {
	char		 type;
	long long	 i;
	const void	*p;
	unsigned long	 len;
};

#define MAX_PARAMS 15

static enum db_rc
run(struct db *d, enum stmt s, struct dbres *res, const struct param *pv,
    int np)
{
	MYSQL_STMT	*st;
	MYSQL_BIND	 in[MAX_PARAMS], *out = NULL;
	MYSQL_RES	*meta = NULL;
	MYSQL_FIELD	*fields;
	my_bool		 isnull[MAX_PARAMS], yes = 1;
	unsigned long	*lens = NULL;
	my_bool		*nulls = NULL;
	int		 i, c, row, rc;
	enum db_rc	 ret = DB_OK;

	if (connect_db(d) == -1)
		return DB_DOWN;
	if ((st = d->st[s]) == NULL) {
		if ((st = mysql_stmt_init(d->conn)) == NULL)
			return failed(d, s, mysql_errno(d->conn), mysql_error(d->conn));
		if (mysql_stmt_prepare(st, stmts[s], strlen(stmts[s])) != 0) {
			ret = failed(d, s, mysql_stmt_errno(st), mysql_stmt_error(st));
			mysql_stmt_close(st);
			return ret;
		}
		mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &yes);
		d->st[s] = st;
	}
	memset(in, 0, sizeof(in));
	for (i = 0; i < np; i++) {
		isnull[i] = pv[i].type != 'i' && pv[i].p == NULL;
		in[i].is_null = &isnull[i];
		if (pv[i].type == 'i') {
			in[i].buffer_type = MYSQL_TYPE_LONGLONG;
			in[i].buffer = (void *)&pv[i].i;
		} else {
			in[i].buffer_type = pv[i].type == 'b' ?
			    MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
			in[i].buffer = (void *)pv[i].p;
			in[i].buffer_length = pv[i].len;
			in[i].length = (unsigned long *)&pv[i].len;
		}
	}
	if ((np > 0 && mysql_stmt_bind_param(st, in) != 0) ||
	    mysql_stmt_execute(st) != 0)
		return failed(d, s, mysql_stmt_errno(st), mysql_stmt_error(st));
	d->affected = mysql_stmt_affected_rows(st);
	d->insert_id = mysql_stmt_insert_id(st);
	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return DB_OK;
	if (mysql_stmt_store_result(st) != 0) {
		mysql_free_result(meta);
		return failed(d, s, mysql_stmt_errno(st), mysql_stmt_error(st));
	}
	if (res == NULL)
		goto out;

	/* Every column comes back as a string sized by its longest value. */
	res->cols = (int)mysql_num_fields(meta);
	res->rows = (int)mysql_stmt_num_rows(st);
	fields = mysql_fetch_fields(meta);
	res->cell = calloc((size_t)res->rows * res->cols + 1, sizeof(char *));
	out = calloc((size_t)res->cols, sizeof(MYSQL_BIND));
	lens = calloc((size_t)res->cols, sizeof(unsigned long));
	nulls = calloc((size_t)res->cols, sizeof(my_bool));
	if (res->cell == NULL || out == NULL || lens == NULL || nulls == NULL) {
		ret = DB_ERR;
		goto out;
	}
	for (row = 0; row < res->rows; row++) {
		for (c = 0; c < res->cols; c++) {
			char *cell = malloc(fields[c].max_length + 1);

			if (cell == NULL) {
				ret = DB_ERR;
				goto out;
			}
			res->cell[row * res->cols + c] = cell;
			out[c].buffer_type = MYSQL_TYPE_STRING;
			out[c].buffer = cell;
			out[c].buffer_length = fields[c].max_length + 1;
			out[c].length = &lens[c];
			out[c].is_null = &nulls[c];
		}
		if (mysql_stmt_bind_result(st, out) != 0) {
			ret = failed(d, s, mysql_stmt_errno(st), mysql_stmt_error(st));
			goto out;
		}
		rc = mysql_stmt_fetch(st);
		if (rc != 0 && rc != MYSQL_DATA_TRUNCATED) {
			ret = failed(d, s, mysql_stmt_errno(st), mysql_stmt_error(st));
			goto out;
		}
		for (c = 0; c < res->cols; c++) {
			char **cp = &res->cell[row * res->cols + c];

			if (nulls[c]) {
				free(*cp);
				*cp = NULL;
			} else
				(*cp)[lens[c] < fields[c].max_length + 1 ?
				    lens[c] : fields[c].max_length] = '\0';
		}
	}
out:
	free(out);
	free(lens);
	free(nulls);
	mysql_stmt_free_result(st);
	mysql_free_result(meta);
	/* A CALL ends with its status (and may have more results, unused):
	 * read them all, and an error that came after the first result. */
	while (d->conn != NULL && mysql_stmt_more_results(st) &&
	    (rc = mysql_stmt_next_result(st)) != -1) {
		if (rc > 0) {
			if (ret == DB_OK)
				ret = failed(d, s, mysql_stmt_errno(st),
				    mysql_stmt_error(st));
			break;
		}
		mysql_stmt_free_result(st);
	}
	if (ret != DB_OK && res != NULL)
		dbres_free(res);
	return ret;
}

enum db_rc
db_exec(struct db *d, enum stmt s, struct dbres *res, const char *types, ...)
{
	struct param	 pv[MAX_PARAMS];
	va_list		 ap;
	int		 np = 0;
	enum db_rc	 rc;

	if (res != NULL)
		memset(res, 0, sizeof(*res));
	va_start(ap, types);
	for (; *types != '\0' && np < MAX_PARAMS; types++, np++) {
		pv[np].type = *types;
		switch (*types) {
		case 'i':
			pv[np].i = va_arg(ap, long long);
			break;
		case 's':
			pv[np].p = va_arg(ap, const char *);
			pv[np].len = pv[np].p ? strlen(pv[np].p) : 0;
			break;
		case 'b':
			pv[np].p = va_arg(ap, const void *);
			pv[np].len = (unsigned long)va_arg(ap, size_t);
			break;
		default:
			abort();
		}
	}
	va_end(ap);
	rc = run(d, s, res, pv, np);
	/* A connection lost between statements: outside a transaction nothing
	 * was half done, so the statement can simply run again. */
	if (rc == DB_DOWN && !d->in_tx)
		rc = run(d, s, res, pv, np);
	return rc;
}

unsigned long long
db_affected(struct db *d)
{
	return d->affected;
}

unsigned long long
db_insert_id(struct db *d)
{
	return d->insert_id;
}

enum db_rc
db_begin(struct db *d)
{
	if (connect_db(d) == -1)
		return DB_DOWN;
	if (mysql_query(d->conn, "START TRANSACTION") != 0) {
		/* A connection that died while idle: make a new one, once. */
		if (failed(d, STMT__MAX, mysql_errno(d->conn),
		    mysql_error(d->conn)) != DB_DOWN || connect_db(d) == -1 ||
		    mysql_query(d->conn, "START TRANSACTION") != 0)
			return d->conn ? failed(d, STMT__MAX,
			    mysql_errno(d->conn), mysql_error(d->conn)) : DB_DOWN;
	}
	d->in_tx = 1;
	return DB_OK;
}

enum db_rc
db_commit(struct db *d)
{
	enum db_rc rc = DB_OK;

	if (d->conn == NULL)
		return DB_DOWN;
	if (mysql_commit(d->conn) != 0)
		rc = failed(d, STMT__MAX, mysql_errno(d->conn), mysql_error(d->conn));
	d->in_tx = 0;
	return rc;
}

void
db_rollback(struct db *d)
{
	if (d->conn != NULL && mysql_rollback(d->conn) != 0)
		failed(d, STMT__MAX, mysql_errno(d->conn), mysql_error(d->conn));
	d->in_tx = 0;
}

const char *
dbres_str(const struct dbres *r, int row, int col)
{
	if (r->cell == NULL || row >= r->rows || col >= r->cols)
		return NULL;
	return r->cell[row * r->cols + col];
}

long long
dbres_int(const struct dbres *r, int row, int col)
{
	const char *s = dbres_str(r, row, col);

	return s ? strtoll(s, NULL, 10) : 0;
}

int
dbres_make(struct dbres *r, int cols, const char *const *vals)
{
	int c;

	memset(r, 0, sizeof(*r));
	if ((r->cell = calloc((size_t)cols, sizeof(char *))) == NULL)
		return -1;
	r->rows = 1;
	r->cols = cols;
	for (c = 0; c < cols; c++)
		if (vals[c] != NULL && (r->cell[c] = strdup(vals[c])) == NULL) {
			dbres_free(r);
			return -1;
		}
	return 0;
}

void
dbres_free(struct dbres *r)
{
	int i;

	if (r->cell != NULL)
		for (i = 0; i < r->rows * r->cols; i++)
			free(r->cell[i]);
	free(r->cell);
	memset(r, 0, sizeof(*r));
}

/* ---------------------------------------------------------------- *
 * Migrations
 * ---------------------------------------------------------------- */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs a whole trusted file of SQL (our own migrations, never input). */
static int
run_script(struct db *d, const char *path)
{
	FILE	*f;
	char	*sql;
	long	 n;
	int	 rc = 0;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n < 0 || (sql = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return -1;
	}
	sql[fread(sql, 1, (size_t)n, f)] = '\0';
	fclose(f);
	if (mysql_real_query(d->conn, sql, strlen(sql)) != 0)
		rc = -1;
	/* Drain every statement's result; stop at the first error. */
	while (rc == 0) {
		MYSQL_RES *r = mysql_store_result(d->conn);

		if (r != NULL)
			mysql_free_result(r);
		if (mysql_errno(d->conn) != 0) {
			rc = -1;
			break;
		}
		if (mysql_next_result(d->conn) != 0)
			break;
	}
	if (rc == 0 && mysql_errno(d->conn) != 0)
		rc = -1;
	if (rc == -1)
		fprintf(stderr, "snak: %s: %s\n", path, mysql_error(d->conn));
	free(sql);
	return rc;
}

int
db_migrate(struct db *d, const char *dir, FILE *report)
{
	DIR		*dh;
	struct dirent	*e;
	char		*names[512], path[512];
	size_t		 n = 0, i;
	struct dbres	 done;
	int		 rc = -1, j, applied;

	if (connect_db(d) == -1) {
		fprintf(stderr, "snak: cannot connect to the database\n");
		return -1;
	}
	if (db_exec(d, STMT_MIG_LOCK, NULL, "") != DB_OK)
		return -1;
	if (mysql_query(d->conn, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version VARCHAR(128) NOT NULL PRIMARY KEY, "
	    "applied_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
	    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")) {
		fprintf(stderr, "snak: %s\n", mysql_error(d->conn));
		goto unlock;
	}
	if (db_exec(d, STMT_MIG_APPLIED, &done, "") != DB_OK)
		goto unlock;
	if ((dh = opendir(dir)) == NULL) {
		fprintf(stderr, "snak: %s: cannot open the schema folder\n", dir);
		dbres_free(&done);
		goto unlock;
	}
	while ((e = readdir(dh)) != NULL && n < 512) {
		size_t len = strlen(e->d_name);

		if (len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0 &&
		    e->d_name[0] >= '0' && e->d_name[0] <= '9')
			names[n++] = strdup(e->d_name);
	}
	closedir(dh);
	qsort(names, n, sizeof(names[0]), name_cmp);
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		for (applied = 0, j = 0; j < done.rows; j++)
			if (strcmp(dbres_str(&done, j, 0), names[i]) == 0)
				applied = 1;
		if (applied)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (run_script(d, path) == -1 ||
		    db_exec(d, STMT_MIG_RECORD, NULL, "s", names[i]) != DB_OK)
			rc = -1;
		else if (report != NULL)
			fprintf(report, "applied %s\n", names[i]);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	dbres_free(&done);
unlock:
	db_exec(d, STMT_MIG_UNLOCK, NULL, "");
	return rc;
}
