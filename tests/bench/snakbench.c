/*
 * snakbench: the load generator of `make bench` (tests/bench/run.sh).
 *
 * One process, one thread: raw non-blocking HTTP/1.1 sockets to nginx on
 * 127.0.0.1 and an epoll loop. Every load is bounded in count and in time
 * and stops by itself. Results are markdown table rows on stdout
 *   | what | measured | budget | verdict |
 * progress and details go to stderr.
 *
 *   snakbench [-d DIR] [-p PORT] [-n NODES] COMMAND ARGS
 *     -d DIR    the stack folder (tests/stack.sh): pid files, DB socket
 *     -p PORT   nginx's main port; with NODES > 1 node i is on PORT+i only
 *     -n NODES  snak processes in the stack
 *   env BENCH_PASSWORD: the agents' password
 *
 * Commands:
 *   mkchats SLUG N FILE                 N chats through the API, "id token" lines
 *   idle FILE SECONDS N...              N parked widget polls each; RSS, CPU, DB q/s
 *   storm FILE                          wake every poll of FILE at once; healthz p99
 *   latency SLUG CHATS SECONDS PREFIX NAGENTS MODES
 *                                       delivery latency; MODES "1", "2" or "1,2"
 *   throughput SLUG CHATS PREFIX NAGENTS RATE...
 *                                       delivered messages/s at stepped rates
 *   list SLUG AGENT ENDED ONGOING NREQ  GET /api/v1/agent/chats and /agent
 *   positions FILE                      a check, not in run.sh: one queue
 *                                       polled at once; every queue_position
 *                                       must be the chat's place
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <mysql.h>

/* ---------------------------------------------------------------- *
 * Small things: time, log, random numbers, statistics.
 * ---------------------------------------------------------------- */

static long long t_origin;

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
info(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "[%7.2f] ", (now_us() - t_origin) / 1e6);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "snakbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		die("out of memory");
	return p;
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
rnd01(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

struct stats {
	double	*v;
	size_t	 n, cap;
	int	 sorted;
};

static void
st_add(struct stats *s, double x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = x;
	s->sorted = 0;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile, p in 0..100; NAN when empty. */
static double
st_pct(struct stats *s, double p)
{
	size_t i;

	if (s->n == 0)
		return NAN;
	if (!s->sorted) {
		qsort(s->v, s->n, sizeof(*s->v), dcmp);
		s->sorted = 1;
	}
	i = (size_t)ceil(p / 100.0 * (double)s->n);
	if (i > 0)
		i--;
	if (i >= s->n)
		i = s->n - 1;
	return s->v[i];
}

static void
st_reset(struct stats *s)
{
	s->n = 0;
	s->sorted = 0;
}

/* ---------------------------------------------------------------- *
 * Options and the stack's processes.
 * ---------------------------------------------------------------- */

static const char	*opt_dir = "var/bench";
static int		 opt_port = 8099;
static int		 opt_nodes = 1;
static const char	*opt_password;

/* Direct port of node i (1-based); the main port with a single node. */
static int
node_port(int i)
{
	return opt_nodes > 1 ? opt_port + i : opt_port;
}

static int
read_pidfile(const char *rel)
{
	char	 path[512];
	FILE	*f;
	int	 pid = 0;

	snprintf(path, sizeof(path), "%s/%s", opt_dir, rel);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

static long
proc_rss_kb(int pid)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = atol(line + 6);
			break;
		}
	fclose(f);
	return kb;
}

/* utime + stime in clock ticks; fills *ppid when not NULL. */
static long long
proc_cpu(int pid, int *ppid)
{
	char		 path[64], buf[1024], *p;
	FILE		*f;
	size_t		 n;
	long long	 ut = 0, stt = 0;
	int		 pp = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* fields after the command name "(...)" */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime */
	if (sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld",
	    &pp, &ut, &stt) != 3)
		return -1;
	if (ppid != NULL)
		*ppid = pp;
	return ut + stt;
}

static int
proc_nfds(int pid)
{
	char		 path[64];
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* The nginx master and its workers. */
static int
nginx_pids(int *out, int max)
{
	DIR		*d;
	struct dirent	*e;
	int		 master = read_pidfile("nginx/logs/nginx.pid"), n = 0, pp;

	if (master <= 0)
		return 0;
	out[n++] = master;
	if ((d = opendir("/proc")) == NULL)
		return n;
	while ((e = readdir(d)) != NULL && n < max) {
		int pid = atoi(e->d_name);

		if (pid <= 0)
			continue;
		if (proc_cpu(pid, &pp) >= 0 && pp == master)
			out[n++] = pid;
	}
	closedir(d);
	return n;
}

/* One snapshot of the three servers (snak = node 1 unless given). */
struct snap {
	long		 rss_snak, rss_nginx, rss_db;
	long long	 cpu_snak, cpu_nginx, cpu_db;
	int		 fds_snak;
	long long	 t;
};

static int pid_snak, pid_db;

static void
snap_take(struct snap *s)
{
	int	 ng[64], n, i;

	memset(s, 0, sizeof(*s));
	s->t = now_us();
	s->rss_snak = proc_rss_kb(pid_snak);
	s->cpu_snak = proc_cpu(pid_snak, NULL);
	s->fds_snak = proc_nfds(pid_snak);
	s->rss_db = proc_rss_kb(pid_db);
	s->cpu_db = proc_cpu(pid_db, NULL);
	n = nginx_pids(ng, 64);
	for (i = 0; i < n; i++) {
		s->rss_nginx += proc_rss_kb(ng[i]);
		s->cpu_nginx += proc_cpu(ng[i], NULL);
	}
}

static void
pids_load(void)
{
	pid_snak = read_pidfile("snak-1.pid");
	pid_db = read_pidfile("db/mysqld.pid");
	if (pid_snak <= 0 || proc_rss_kb(pid_snak) < 0)
		die("snak node 1 is not running (%s/snak-1.pid)", opt_dir);
	if (pid_db <= 0 || proc_rss_kb(pid_db) < 0)
		die("mariadbd is not running (%s/db/mysqld.pid)", opt_dir);
}

/* CPU % of one core between two snapshots. */
static double
cpu_pct(long long a, long long b, long long us)
{
	return 100.0 * (double)(b - a) / (double)sysconf(_SC_CLK_TCK) /
	    ((double)us / 1e6);
}

/*
 * The rest of the machine: other sessions may run tests on the same two
 * cores. busy = every CPU tick not idle (/proc/stat); mine = the stack's
 * processes (every snak node, nginx, mariadbd) and snakbench itself.
 */
struct load {
	long long	 t, busy, mine;
};

static long long
machine_busy(void)
{
	FILE		*f = fopen("/proc/stat", "r");
	long long	 v[10] = { 0 };
	int		 n;

	if (f == NULL)
		return 0;
	n = fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1],
	    &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 8)
		return 0;
	/* user nice system [idle] [iowait] irq softirq steal */
	return v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
}

static void
load_take(struct load *l)
{
	int	ng[64], n, i, p;
	char	rel[32];

	l->t = now_us();
	l->busy = machine_busy();
	l->mine = proc_cpu(getpid(), NULL);
	for (i = 1; i <= 8; i++) {
		snprintf(rel, sizeof(rel), "snak-%d.pid", i);
		if ((p = read_pidfile(rel)) > 0 && proc_cpu(p, NULL) >= 0)
			l->mine += proc_cpu(p, NULL);
	}
	if ((p = read_pidfile("db/mysqld.pid")) > 0 && proc_cpu(p, NULL) >= 0)
		l->mine += proc_cpu(p, NULL);
	n = nginx_pids(ng, 64);
	for (i = 0; i < n; i++)
		l->mine += proc_cpu(ng[i], NULL);
}

/* CPU % (of one core) used by other processes between a and b. */
static double
others_pct(const struct load *a, const struct load *b)
{
	double v = cpu_pct(a->busy - a->mine, b->busy - b->mine, b->t - a->t);

	return v < 0 ? 0 : v;
}

/* ---------------------------------------------------------------- *
 * The database (root over the stack's socket): Questions only.
 * ---------------------------------------------------------------- */

static MYSQL *
db_open(void)
{
	MYSQL	*m = mysql_init(NULL);
	char	 sock[512];

	snprintf(sock, sizeof(sock), "%s/db/mysqld.sock", opt_dir);
	if (m == NULL || mysql_real_connect(m, NULL, "root", NULL, NULL, 0, sock,
	    0) == NULL)
		die("cannot connect to MariaDB at %s: %s", sock,
		    m ? mysql_error(m) : "no memory");
	return m;
}

static long long
db_questions(MYSQL *m)
{
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	long long	 q = -1;

	if (mysql_query(m, "SHOW GLOBAL STATUS LIKE 'Questions'") != 0)
		die("SHOW GLOBAL STATUS: %s", mysql_error(m));
	if ((res = mysql_store_result(m)) != NULL) {
		if ((row = mysql_fetch_row(res)) != NULL && row[1] != NULL)
			q = atoll(row[1]);
		mysql_free_result(res);
	}
	return q;
}

/* Statement counters, for statements per message. */
enum { ST_Q, ST_SEL, ST_INS, ST_UPD, ST_COMMIT, ST_N };
static const char *const st_names[ST_N] = { "Questions", "Com_select",
    "Com_insert", "Com_update", "Com_commit" };

static void
db_counters(MYSQL *m, long long out[ST_N])
{
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	int		 i;

	memset(out, 0, sizeof(long long) * ST_N);
	if (mysql_query(m, "SHOW GLOBAL STATUS WHERE Variable_name IN "
	    "('Questions','Com_select','Com_insert','Com_update','Com_commit')")
	    != 0)
		die("SHOW GLOBAL STATUS: %s", mysql_error(m));
	if ((res = mysql_store_result(m)) == NULL)
		return;
	while ((row = mysql_fetch_row(res)) != NULL)
		for (i = 0; i < ST_N; i++)
			if (row[0] && row[1] && strcasecmp(row[0], st_names[i]) == 0)
				out[i] = atoll(row[1]);
	mysql_free_result(res);
}

/* ---------------------------------------------------------------- *
 * Timers: a binary min-heap.
 * ---------------------------------------------------------------- */

typedef void (*timer_fn)(void *arg, long long now);

struct timer {
	long long	 t;
	timer_fn	 fn;
	void		*arg;
};

static struct timer	*theap;
static size_t		 ntheap, captheap;

static void
timer_add(long long t, timer_fn fn, void *arg)
{
	size_t i;

	if (ntheap == captheap) {
		captheap = captheap ? captheap * 2 : 1024;
		theap = xrealloc(theap, captheap * sizeof(*theap));
	}
	i = ntheap++;
	while (i > 0 && theap[(i - 1) / 2].t > t) {
		theap[i] = theap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	theap[i] = (struct timer){ t, fn, arg };
}

static struct timer
timer_pop(void)
{
	struct timer	top = theap[0], last = theap[--ntheap];
	size_t		i = 0;

	for (;;) {
		size_t l = 2 * i + 1, m;

		if (l >= ntheap)
			break;
		m = (l + 1 < ntheap && theap[l + 1].t < theap[l].t) ? l + 1 : l;
		if (theap[m].t >= last.t)
			break;
		theap[i] = theap[m];
		i = m;
	}
	if (ntheap > 0)
		theap[i] = last;
	return top;
}

/* ---------------------------------------------------------------- *
 * HTTP/1.1 client connections on one epoll set.
 * ---------------------------------------------------------------- */

enum { C_IDLE, C_CONNECTING, C_SENDING, C_READING };

struct conn;

struct resp {
	int		 status;	/* HTTP status; -1 error, -2 timeout */
	const char	*hdr;		/* the header block */
	size_t		 hlen;
	const char	*body;
	size_t		 blen;
	long long	 t_start, t_done;
};

typedef void (*resp_fn)(struct conn *c, const struct resp *rs);

struct conn {
	int		 fd, port, state, busy;
	char		*out;
	size_t		 olen, ooff, ocap;
	char		*in;
	size_t		 ilen, icap;
	size_t		 hdr_end;
	long long	 clen;
	int		 chunked, close_after, head, reused, retried;
	long long	 t_start, deadline;
	resp_fn		 cb;
	void		*arg;		/* owner's */
	int		 tag;		/* owner's */
	unsigned	 nreq;
};

static int		 epfd = -1;
static struct conn	**conns;
static size_t		 nconns, capconns;
static long long	 n_connects, n_conn_errors;

static struct conn *
conn_new(int port, void *arg, int tag)
{
	struct conn *c = xmalloc(sizeof(*c));

	c->fd = -1;
	c->port = port;
	c->arg = arg;
	c->tag = tag;
	if (nconns == capconns) {
		capconns = capconns ? capconns * 2 : 1024;
		conns = xrealloc(conns, capconns * sizeof(*conns));
	}
	conns[nconns++] = c;
	return c;
}

static void
conn_close(struct conn *c)
{
	if (c->fd >= 0) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		c->fd = -1;
	}
	c->state = C_IDLE;
}

static void
conn_events(struct conn *c, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = c };

	epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e);
}

static void conn_fail(struct conn *c, int status, const char *why);
static void conn_write(struct conn *c);

static int
conn_connect(struct conn *c)
{
	struct sockaddr_in	 sa;
	struct epoll_event	 e;
	int			 one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)c->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	n_connects++;
	c->reused = 0;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 &&
	    errno != EINPROGRESS) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	c->state = C_CONNECTING;
	e.events = EPOLLOUT;
	e.data.ptr = c;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &e) == -1) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

/*
 * Starts a request on c (which must not be busy). `headers` are extra
 * header lines, each ending in \r\n; body NULL for none. The callback gets
 * the answer, an error (-1) or a timeout (-2) after timeout_ms.
 */
static void
http_req(struct conn *c, const char *method, const char *path,
    const char *headers, const char *body, int timeout_ms, resp_fn cb)
{
	size_t	blen = body ? strlen(body) : 0, need;
	int	n;

	if (c->busy)
		die("internal: request on a busy connection");
	need = strlen(method) + strlen(path) + (headers ? strlen(headers) : 0) +
	    blen + 160;
	if (need > c->ocap) {
		c->ocap = need;
		c->out = xrealloc(c->out, c->ocap);
	}
	n = snprintf(c->out, c->ocap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	    "%s", method, path, c->port, headers ? headers : "");
	if (body != NULL)
		n += snprintf(c->out + n, c->ocap - (size_t)n,
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n",
		    blen);
	n += snprintf(c->out + n, c->ocap - (size_t)n, "\r\n");
	if (body != NULL) {
		memcpy(c->out + n, body, blen);
		n += (int)blen;
	}
	c->olen = (size_t)n;
	c->ooff = 0;
	c->ilen = 0;
	c->hdr_end = 0;
	c->clen = -1;
	c->chunked = c->close_after = 0;
	c->head = strcmp(method, "HEAD") == 0;
	c->retried = 0;
	c->busy = 1;
	c->cb = cb;
	c->t_start = now_us();
	c->deadline = c->t_start + (long long)timeout_ms * 1000;
	if (c->fd >= 0) {
		c->reused = 1;
		c->state = C_SENDING;
		conn_write(c);
		return;
	}
	if (conn_connect(c) == -1)
		conn_fail(c, -1, strerror(errno));
}

static void
conn_done(struct conn *c, int status, const char *body, size_t blen)
{
	struct resp rs;

	rs.status = status;
	rs.hdr = c->in;
	rs.hlen = c->hdr_end;
	rs.body = body;
	rs.blen = blen;
	rs.t_start = c->t_start;
	rs.t_done = now_us();
	c->busy = 0;
	c->nreq++;
	if (status < 0 || c->close_after)
		conn_close(c);
	else {
		c->state = C_IDLE;
		conn_events(c, EPOLLIN);	/* notices a server-side close */
	}
	c->cb(c, &rs);
}

static void
conn_fail(struct conn *c, int status, const char *why)
{
	/* A kept-alive connection the server closed just as the request went
	 * out: once more on a new one (every request here may be repeated:
	 * sends carry a client_id). */
	if (status == -1 && c->reused && c->ilen == 0 && !c->retried &&
	    c->busy) {
		conn_close(c);
		c->retried = 1;
		c->ooff = 0;
		if (conn_connect(c) == 0)
			return;
	}
	conn_close(c);
	n_conn_errors++;
	conn_done(c, status, why, why ? strlen(why) : 0);
}

static void
conn_write(struct conn *c)
{
	while (c->ooff < c->olen) {
		ssize_t n = write(c->fd, c->out + c->ooff, c->olen - c->ooff);

		if (n > 0) {
			c->ooff += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			conn_events(c, EPOLLOUT);
			return;
		}
		conn_fail(c, -1, strerror(errno));
		return;
	}
	c->state = C_READING;
	conn_events(c, EPOLLIN);
}

static int
hdr_has(const char *h, size_t n, const char *name, const char *val)
{
	const char *p = h, *e = h + n;

	while (p < e) {
		const char	*eol = memmem(p, (size_t)(e - p), "\r\n", 2);
		size_t		 ln = strlen(name);

		if (eol == NULL)
			eol = e;
		if ((size_t)(eol - p) > ln && strncasecmp(p, name, ln) == 0 &&
		    p[ln] == ':') {
			const char *v = p + ln + 1;

			while (v < eol && *v == ' ')
				v++;
			if (val == NULL || ((size_t)(eol - v) >= strlen(val) &&
			    strncasecmp(v, val, strlen(val)) == 0))
				return 1;
		}
		p = eol + 2;
	}
	return 0;
}

/* The value of header `name` (first one), copied into out. */
static int
hdr_get(const struct resp *rs, const char *name, char *out, size_t outsz)
{
	const char	*p = rs->hdr, *e = rs->hdr + rs->hlen;
	size_t		 ln = strlen(name);

	while (p < e) {
		const char *eol = memmem(p, (size_t)(e - p), "\r\n", 2);

		if (eol == NULL)
			eol = e;
		if ((size_t)(eol - p) > ln && strncasecmp(p, name, ln) == 0 &&
		    p[ln] == ':') {
			const char	*v = p + ln + 1;
			size_t		 n;

			while (v < eol && *v == ' ')
				v++;
			n = (size_t)(eol - v);
			if (n >= outsz)
				n = outsz - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return 1;
		}
		p = eol + 2;
	}
	return 0;
}

/*
 * A chunked body, once complete, is compacted in place and then read as
 * one with a length. 1 when complete (and compacted), 0 not yet.
 */
static int
unchunk(struct conn *c)
{
	size_t		 p = c->hdr_end, w = c->hdr_end;
	char		*eol;
	unsigned long	 sz;

	for (;;) {		/* complete? */
		if ((eol = memmem(c->in + p, c->ilen - p, "\r\n", 2)) == NULL)
			return 0;
		sz = strtoul(c->in + p, NULL, 16);
		p = (size_t)(eol - c->in) + 2;
		if (sz == 0) {
			if (c->ilen < p + 2)
				return 0;
			break;
		}
		if (c->ilen < p + sz + 2)
			return 0;
		p += sz + 2;
	}
	p = c->hdr_end;
	for (;;) {
		eol = memmem(c->in + p, c->ilen - p, "\r\n", 2);
		sz = strtoul(c->in + p, NULL, 16);
		p = (size_t)(eol - c->in) + 2;
		if (sz == 0)
			break;
		memmove(c->in + w, c->in + p, sz);
		w += sz;
		p += sz + 2;
	}
	c->chunked = 0;
	c->clen = (long long)(w - c->hdr_end);
	c->ilen = w;
	return 1;
}

/* Parses what came so far; 1 when the answer is complete (and handed
 * over), 0 not yet, -1 failed (handed over as an error). */
static int
conn_parse(struct conn *c, int eof)
{
	int status;

	if (c->hdr_end == 0) {
		char		*e = memmem(c->in, c->ilen, "\r\n\r\n", 4);
		char		 v[32];
		struct resp	 tmp;

		if (e == NULL)
			return 0;
		c->hdr_end = (size_t)(e - c->in) + 4;
		if (c->ilen < 12 || strncmp(c->in, "HTTP/1.", 7) != 0) {
			c->retried = 1;
			conn_fail(c, -1, "not HTTP");
			return -1;
		}
		tmp.hdr = c->in;
		tmp.hlen = c->hdr_end;
		if (hdr_get(&tmp, "Content-Length", v, sizeof(v)))
			c->clen = atoll(v);
		c->chunked = hdr_has(c->in, c->hdr_end, "Transfer-Encoding",
		    "chunked");
		c->close_after = hdr_has(c->in, c->hdr_end, "Connection", "close") ||
		    strncmp(c->in, "HTTP/1.0", 8) == 0;
	}
	status = atoi(c->in + 9);
	if (c->head || status == 204 || status == 304 ||
	    (status >= 100 && status < 200)) {
		conn_done(c, status, c->in + c->hdr_end, 0);
		return 1;
	}
	if (c->chunked && !unchunk(c)) {
		if (!eof)
			return 0;
		c->retried = 1;
		conn_fail(c, -1, "closed in a chunked body");
		return -1;
	}
	if (c->clen >= 0) {
		if (c->ilen >= c->hdr_end + (size_t)c->clen) {
			conn_done(c, status, c->in + c->hdr_end, (size_t)c->clen);
			return 1;
		}
		if (!eof)
			return 0;
		c->retried = 1;
		conn_fail(c, -1, "closed in the body");
		return -1;
	}
	if (!eof)
		return 0;
	c->close_after = 1;	/* delimited by the close */
	conn_done(c, status, c->in + c->hdr_end, c->ilen - c->hdr_end);
	return 1;
}

static void
conn_read(struct conn *c)
{
	for (;;) {
		ssize_t n;

		if (c->icap - c->ilen < 4096) {
			c->icap = c->icap ? c->icap * 2 : 16384;
			c->in = xrealloc(c->in, c->icap);
		}
		n = read(c->fd, c->in + c->ilen, c->icap - c->ilen - 1);
		if (n > 0) {
			c->ilen += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		/* EOF or error */
		if (!c->busy) {
			conn_close(c);	/* idle keep-alive closed by nginx */
			return;
		}
		if (c->hdr_end > 0 || c->ilen > 0) {
			if (c->hdr_end == 0 && memmem(c->in, c->ilen, "\r\n\r\n", 4)
			    == NULL) {
				c->retried = 1;
				conn_fail(c, -1, "closed in the header");
				return;
			}
			conn_parse(c, 1);
			return;
		}
		conn_fail(c, -1, n == 0 ? "connection closed" : strerror(errno));
		return;
	}
	if (!c->busy) {
		conn_close(c);	/* unexpected bytes on an idle connection */
		return;
	}
	conn_parse(c, 0);
}

static void
conn_event(struct conn *c, uint32_t ev)
{
	if (c->fd < 0)
		return;
	if (c->state == C_CONNECTING) {
		int		err = 0;
		socklen_t	len = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			conn_fail(c, -1, strerror(err));
			return;
		}
		c->state = C_SENDING;
		conn_write(c);
		return;
	}
	if (c->state == C_SENDING) {
		if (ev & (EPOLLERR | EPOLLHUP)) {
			conn_fail(c, -1, "connection reset");
			return;
		}
		conn_write(c);
		return;
	}
	conn_read(c);
}

/* Runs due timers and I/O once; waits at most max_ms. */
static void
loop_once(int max_ms)
{
	struct epoll_event	 evs[512];
	long long		 now = now_us();
	int			 n, i, wait = max_ms;
	static long long	 last_scan;

	if (ntheap > 0) {
		long long d = (theap[0].t - now + 999) / 1000;

		if (d < wait)
			wait = d < 0 ? 0 : (int)d;
	}
	n = epoll_wait(epfd, evs, 512, wait);
	for (i = 0; i < n; i++)
		conn_event(evs[i].data.ptr, evs[i].events);
	now = now_us();
	while (ntheap > 0 && theap[0].t <= now) {
		struct timer t = timer_pop();

		t.fn(t.arg, now);
	}
	/* timeouts, every 100 ms */
	if (now - last_scan > 100000) {
		size_t j;

		last_scan = now;
		for (j = 0; j < nconns; j++)
			if (conns[j]->busy && conns[j]->deadline < now) {
				conns[j]->retried = 1;
				conn_fail(conns[j], -2, "timeout");
			}
	}
}

/* Runs the loop until *flag becomes non-zero or `until` (µs) passes. */
static int
loop_until(const int *flag, long long until)
{
	while ((flag == NULL || !*flag) && now_us() < until)
		loop_once(10);
	return flag ? *flag : 0;
}

static void
loop_for(long long us)
{
	loop_until(NULL, now_us() + us);
}

/* Closes every connection (parked polls on the server see the hang-up). */
static void
conns_close_all(void)
{
	size_t i;

	for (i = 0; i < nconns; i++) {
		conn_close(conns[i]);
		conns[i]->busy = 0;
	}
}

/* ---------------------------------------------------------------- *
 * Synchronous requests and parallel job pools (set-up work).
 * ---------------------------------------------------------------- */

struct sync_res {
	int		 done, status;
	char		*body;
	char		 cookie[256];
	double		 ms;
};

static void
sync_cb(struct conn *c, const struct resp *rs)
{
	struct sync_res	*s = c->arg;
	char		 v[512];

	s->done = 1;
	s->status = rs->status;
	s->body = xmalloc(rs->blen + 1);
	memcpy(s->body, rs->body, rs->blen);
	s->ms = (rs->t_done - rs->t_start) / 1000.0;
	s->cookie[0] = '\0';
	if (rs->status > 0 && hdr_get(rs, "Set-Cookie", v, sizeof(v))) {
		size_t n = strcspn(v, ";");

		if (n >= sizeof(s->cookie))
			n = sizeof(s->cookie) - 1;
		memcpy(s->cookie, v, n);
		s->cookie[n] = '\0';
	}
}

/* One request, waited for (other traffic keeps running meanwhile). */
static int
http_sync(struct conn *c, const char *method, const char *path,
    const char *headers, const char *body, struct sync_res *out)
{
	void *saved = c->arg;

	memset(out, 0, sizeof(*out));
	c->arg = out;
	http_req(c, method, path, headers, body, 60000, sync_cb);
	loop_until(&out->done, now_us() + 70000000LL);
	c->arg = saved;
	if (!out->done)
		die("no answer to %s %s", method, path);
	return out->status;
}

struct pool;
typedef void (*pool_build)(struct pool *p, int i, struct conn *c);
typedef int (*pool_handle)(struct pool *p, int i, const struct resp *rs);

struct pool {
	int		 njobs, next, done, fails, conc;
	int		*tries;
	pool_build	 build;
	pool_handle	 handle;	/* 0 done, 1 try again, -1 failed */
	void		*ctx;
	struct conn	**c;
	struct stats	 ms;
};

static void pool_cb(struct conn *c, const struct resp *rs);

static void
pool_start(struct pool *p, struct conn *c)
{
	if (p->next >= p->njobs)
		return;
	c->tag = p->next++;
	p->build(p, c->tag, c);
}

static void
pool_cb(struct conn *c, const struct resp *rs)
{
	struct pool	*p = c->arg;
	int		 i = c->tag, r;

	st_add(&p->ms, (rs->t_done - rs->t_start) / 1000.0);
	r = p->handle(p, i, rs);
	if (r == 1 && ++p->tries[i] < 5) {
		p->build(p, i, c);
		return;
	}
	if (r != 0)
		p->fails++;
	p->done++;
	pool_start(p, c);
}

/* Runs njobs jobs on conc connections to port; the number that failed. */
static int
pool_run(struct pool *p, int njobs, int conc, int port, long long limit_us)
{
	int i;

	p->njobs = njobs;
	p->next = p->done = p->fails = 0;
	p->tries = xmalloc(sizeof(int) * (size_t)(njobs + 1));
	if (conc > njobs)
		conc = njobs;
	p->conc = conc;
	p->c = xmalloc(sizeof(*p->c) * (size_t)(conc + 1));
	for (i = 0; i < conc; i++) {
		p->c[i] = conn_new(port, p, 0);
		pool_start(p, p->c[i]);
	}
	while (p->done < p->njobs && now_us() < limit_us)
		loop_once(10);
	if (p->done < p->njobs)
		die("set-up: only %d of %d requests were answered in time",
		    p->done, p->njobs);
	for (i = 0; i < conc; i++)
		conn_close(p->c[i]);
	free(p->tries);
	return p->fails;
}

static json_t *
jparse(const struct resp *rs)
{
	return json_loadb(rs->body, rs->blen, JSON_DISABLE_EOF_CHECK, NULL);
}

static void
show_fail(const char *what, const struct resp *rs)
{
	static int shown;

	if (shown++ < 10)
		info("%s: status %d: %.*s", what, rs->status,
		    (int)(rs->blen > 300 ? 300 : rs->blen), rs->body);
}

/* ---------------------------------------------------------------- *
 * Chats and agents.
 * ---------------------------------------------------------------- */

struct chat {
	long long	 id;
	char		 token[96];
	char		 auth[160];	/* "Authorization: Bearer ...\r\n" */
	int		 agent;		/* index, -1 while queued */
	/* load state */
	struct conn	*poll, *send;	/* the customer's */
	struct conn	*asend;		/* the agent's connection for this chat */
	long long	 after;
	int		 pend_c, pend_a;	/* sends waiting for their connection */
	long long	 sent_c, sent_a;
};

struct agent {
	char		 user[64];
	char		 hdr[512];	/* Cookie + X-CSRF-Token lines */
	struct conn	*poll;
	long long	 after;
	int		 group;		/* 0 or 1: which node it polls on */
};

static struct chat	*chats;
static int		 nchats;
static struct agent	*agents;
static int		 nagents;

static void
chat_set_auth(struct chat *ch)
{
	snprintf(ch->auth, sizeof(ch->auth), "Authorization: Bearer %s\r\n",
	    ch->token);
}

struct mk_ctx {
	const char	*slug;
	struct chat	*out;
	int		 nch;		/* > 1: channels SLUG-1..SLUG-nch */
};

static void
mk_build(struct pool *p, int i, struct conn *c)
{
	struct mk_ctx	*x = p->ctx;
	char		 path[256], body[256];

	if (x->nch > 1)
		snprintf(path, sizeof(path), "/api/v1/widget/channels/%s-%d/chats",
		    x->slug, i % x->nch + 1);
	else
		snprintf(path, sizeof(path), "/api/v1/widget/channels/%s/chats",
		    x->slug);
	snprintf(body, sizeof(body), "{\"name\":\"Bench Customer %d\","
	    "\"email\":\"bench%d@example.com\",\"question\":\"Bench question %d\"}",
	    i, i, i);
	http_req(c, "POST", path, NULL, body, 60000, pool_cb);
}

static int
mk_handle(struct pool *p, int i, const struct resp *rs)
{
	struct mk_ctx	*x = p->ctx;
	json_t		*j;
	const char	*tok = NULL;
	json_int_t	 id = 0;

	if (rs->status != 201) {
		show_fail("create chat", rs);
		return rs->status == 503 || rs->status < 0 ? 1 : -1;
	}
	if ((j = jparse(rs)) == NULL ||
	    json_unpack(j, "{s:{s:I}, s:s}", "chat", "id", &id, "token", &tok) != 0) {
		show_fail("create chat (bad JSON)", rs);
		json_decref(j);
		return -1;
	}
	x->out[i].id = id;
	snprintf(x->out[i].token, sizeof(x->out[i].token), "%s", tok);
	chat_set_auth(&x->out[i]);
	x->out[i].agent = -1;
	json_decref(j);
	return 0;
}

static int
cmp_chat_id(const void *a, const void *b)
{
	const struct chat *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Creates n chats in slug through the API (conc parallel connections). */
static struct chat *
create_chats(const char *slug, int nch, int n, int conc, double *rate)
{
	struct pool	p = { 0 };
	struct mk_ctx	x = { slug, xmalloc(sizeof(struct chat) * (size_t)n), nch };
	long long	t0 = now_us();
	int		fails;

	p.build = mk_build;
	p.handle = mk_handle;
	p.ctx = &x;
	fails = pool_run(&p, n, conc, opt_port, now_us() + 300000000LL);
	if (fails > 0)
		die("%d of %d chats could not be created", fails, n);
	*rate = n / ((now_us() - t0) / 1e6);
	info("created %d chats in %s%s: %.0f chats/s (p50 %.1f ms, p99 %.1f ms)",
	    n, slug, nch > 1 ? "-*" : "", *rate, st_pct(&p.ms, 50),
	    st_pct(&p.ms, 99));
	qsort(x.out, (size_t)n, sizeof(*x.out), cmp_chat_id);
	free(p.ms.v);
	return x.out;
}

static struct chat *
load_chats(const char *file, int *n)
{
	FILE		*f = fopen(file, "r");
	struct chat	*a = NULL;
	int		 cap = 0;
	long long	 id;
	char		 tok[96];

	if (f == NULL)
		die("%s: %s", file, strerror(errno));
	*n = 0;
	while (fscanf(f, "%lld %95s", &id, tok) == 2) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			a = xrealloc(a, sizeof(*a) * (size_t)cap);
		}
		memset(&a[*n], 0, sizeof(*a));
		a[*n].id = id;
		snprintf(a[*n].token, sizeof(a[*n].token), "%s", tok);
		chat_set_auth(&a[*n]);
		a[*n].agent = -1;
		(*n)++;
	}
	fclose(f);
	return a;
}

static void
login_agents(const char *prefix, int n)
{
	struct conn	*c = conn_new(opt_port, NULL, 0);
	struct sync_res	 r;
	char		 body[256];
	int		 i;

	if (opt_password == NULL)
		die("BENCH_PASSWORD is not set");
	agents = xmalloc(sizeof(*agents) * (size_t)n);
	nagents = n;
	for (i = 0; i < n; i++) {
		json_t		*j;
		const char	*csrf;

		snprintf(agents[i].user, sizeof(agents[i].user), "%s%d", prefix,
		    i + 1);
		snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}",
		    agents[i].user, opt_password);
		if (http_sync(c, "POST", "/api/v1/auth/login", NULL, body, &r) != 200)
			die("login %s: status %d: %s", agents[i].user, r.status,
			    r.body);
		if ((j = json_loads(r.body, 0, NULL)) == NULL ||
		    json_unpack(j, "{s:s}", "csrf_token", &csrf) != 0 ||
		    r.cookie[0] == '\0')
			die("login %s: no csrf_token or cookie: %s", agents[i].user,
			    r.body);
		snprintf(agents[i].hdr, sizeof(agents[i].hdr),
		    "Cookie: %s\r\nX-CSRF-Token: %s\r\n", r.cookie, csrf);
		json_decref(j);
		free(r.body);
		agents[i].group = i % 2;
	}
	conn_close(c);
}

/* Looks a chat up by id (chats[] is sorted by id). */
static int
chat_index(long long id)
{
	int lo = 0, hi = nchats - 1;

	while (lo <= hi) {
		int m = (lo + hi) / 2;

		if (chats[m].id == id)
			return m;
		if (chats[m].id < id)
			lo = m + 1;
		else
			hi = m - 1;
	}
	return -1;
}

struct take_ctx {
	const char	*slug;
	int		 per_agent;
	int		 strangers;
};

static void
take_build(struct pool *p, int i, struct conn *c)
{
	struct take_ctx	*x = p->ctx;
	char		 body[128];

	snprintf(body, sizeof(body), "{\"channel\":\"%s\"}", x->slug);
	http_req(c, "POST", "/api/v1/agent/queue/next",
	    agents[i / x->per_agent].hdr, body, 60000, pool_cb);
}

static int
take_handle(struct pool *p, int i, const struct resp *rs)
{
	struct take_ctx	*x = p->ctx;
	json_t		*j;
	json_int_t	 id = 0;
	int		 k;

	if (rs->status != 200) {
		show_fail("queue/next", rs);
		return rs->status == 503 || rs->status < 0 ? 1 : -1;
	}
	if ((j = jparse(rs)) == NULL ||
	    json_unpack(j, "{s:{s:I}}", "chat", "id", &id) != 0) {
		show_fail("queue/next (bad JSON)", rs);
		json_decref(j);
		return -1;
	}
	json_decref(j);
	if ((k = chat_index(id)) < 0) {
		x->strangers++;
		return 1;	/* not one of ours: take another */
	}
	chats[k].agent = i / x->per_agent;
	return 0;
}

/* Each agent takes per_agent chats of slug; the chats are ours. */
static void
take_chats(const char *slug, int per_agent)
{
	struct pool	p = { 0 };
	struct take_ctx	x = { slug, per_agent, 0 };
	long long	t0 = now_us();
	int		fails, i;

	p.build = take_build;
	p.handle = take_handle;
	p.ctx = &x;
	fails = pool_run(&p, nagents * per_agent, nagents, opt_port,
	    now_us() + 300000000LL);
	if (fails > 0)
		die("%d chats could not be taken", fails);
	for (i = 0; i < nchats; i++)
		if (chats[i].agent < 0)
			die("chat %lld was not taken", chats[i].id);
	info("%d agents took %d chats: %.0f/s (p50 %.1f ms, p99 %.1f ms)%s",
	    nagents, nagents * per_agent,
	    nagents * per_agent / ((now_us() - t0) / 1e6), st_pct(&p.ms, 50),
	    st_pct(&p.ms, 99), x.strangers ? " (and some not ours)" : "");
	free(p.ms.v);
}

/* ---------------------------------------------------------------- *
 * Output rows.
 * ---------------------------------------------------------------- */

static void
row(const char *what, const char *budget, const char *verdict,
    const char *fmt, ...)
{
	va_list	ap;
	char	m[512];

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	printf("| %s | %s | %s | %s |\n", what, m, budget, verdict);
	fflush(stdout);
}

static const char *
pass(int ok)
{
	return ok ? "PASS" : "**MISS**";
}

static char *
fmt_n(long long v)	/* 10000 -> "10,000" (static ring of buffers) */
{
	static char	buf[8][32];
	static int	k;
	char		tmp[32], *o = buf[k++ % 8];
	int		n, i, j = 0;

	n = snprintf(tmp, sizeof(tmp), "%lld", v < 0 ? -v : v);
	if (v < 0)
		o[j++] = '-';
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			o[j++] = ',';
		o[j++] = tmp[i];
	}
	o[j] = '\0';
	return o;
}

/* ---------------------------------------------------------------- *
 * mkchats SLUG N FILE
 * ---------------------------------------------------------------- */

static int
cmd_mkchats(int argc, char **argv)
{
	struct chat	*a;
	FILE		*f;
	double		 rate;
	int		 n, i, nch;
	char		 what[160];

	if (argc != 3 && argc != 4)
		die("usage: mkchats SLUG N FILE [NCHANNELS]");
	n = atoi(argv[1]);
	nch = argc == 4 ? atoi(argv[3]) : 1;
	a = create_chats(argv[0], nch, n, 200, &rate);
	if ((f = fopen(argv[2], "w")) == NULL)
		die("%s: %s", argv[2], strerror(errno));
	for (i = 0; i < n; i++)
		fprintf(f, "%lld %s\n", a[i].id, a[i].token);
	fclose(f);
	if (nch > 1)
		snprintf(what, sizeof(what), "set-up: queued chats created through "
		    "the API (200 connections), %d channels", nch);
	else
		snprintf(what, sizeof(what), "set-up: queued chats created through "
		    "the API (200 connections), one channel");
	row(what, "—", "—", "%s chats, %.0f/s", fmt_n(n), rate);
	return 0;
}

/* ---------------------------------------------------------------- *
 * idle FILE SECONDS N...: parked widget polls on node 1.
 * ---------------------------------------------------------------- */

struct idle_run {
	int		 n, answered, ok, non200, errors, early;
	long long	 t_open, t_first, t_last;
	int		 quiet;		/* while 0 an answer counts as early */
};

static struct idle_run *idle_cur;

static void
idle_cb(struct conn *c, const struct resp *rs)
{
	struct idle_run *r = idle_cur;

	r->answered++;
	if (rs->status == 200)
		r->ok++;
	else if (rs->status > 0) {
		r->non200++;
		show_fail("idle poll", rs);
	} else {
		r->errors++;
		show_fail("idle poll", rs);
	}
	if (rs->t_done - rs->t_start < 20000000LL)
		r->early++;
	if (r->t_first == 0)
		r->t_first = rs->t_done;
	r->t_last = rs->t_done;
	conn_close(c);
}

static void
poll_path(char *out, size_t n, const struct chat *ch, long long after, int wait)
{
	snprintf(out, n, "/api/v1/widget/chats/%lld/events?after=%lld&wait=%d",
	    ch->id, after, wait);
}

/*
 * Opens polls for a[0..n) on port (node 1), 500 per 20 ms but never more
 * than OPEN_AHEAD that node 1 has not accepted yet (fds over `base`): the
 * node's listen backlog (4096) would overflow and nginx answer 502/503.
 */
#define OPEN_AHEAD 2000

static void
open_polls(struct chat *a, int n, int port, int wait, resp_fn cb,
    struct conn **out, int base)
{
	char		path[160];
	int		i, throttled = 0;
	long long	limit = now_us() + 20000000LL;

	for (i = 0; i < n; i++) {
		if (out[i] == NULL)
			out[i] = conn_new(port, &a[i], i);
		poll_path(path, sizeof(path), &a[i], 1, wait);
		http_req(out[i], "GET", path, a[i].auth, NULL,
		    (wait + 15) * 1000, cb);
		if (i % 500 == 499) {
			loop_for(20000);
			while (i + 1 - (proc_nfds(pid_snak) - base) > OPEN_AHEAD &&
			    now_us() < limit) {
				throttled = 1;
				loop_for(20000);
			}
		}
	}
	if (throttled)
		info("opening was held back: node 1 accepted more slowly than "
		    "500 per 20 ms");
}

/* Waits until node 1 holds `want` more fds than `base`; the time it took. */
static int
wait_parked(int base, int want, long long limit_us)
{
	while (now_us() < limit_us) {
		int n = proc_nfds(pid_snak);

		if (n - base >= want)
			return 1;
		loop_for(50000);
	}
	return 0;
}

static int
cmd_idle(int argc, char **argv)
{
	struct chat	*a;
	struct conn	**pc;
	MYSQL		*db;
	int		 n, window, k, maxn = 0;
	double		 qps[16];
	int		 ns[16], nn = 0;

	if (argc < 3)
		die("usage: idle FILE SECONDS N...");
	a = load_chats(argv[0], &n);
	window = atoi(argv[1]);
	for (k = 2; k < argc && nn < 16; k++) {
		ns[nn] = atoi(argv[k]);
		if (ns[nn] > n)
			die("idle: %d polls wanted, %s has %d chats", ns[nn],
			    argv[0], n);
		if (ns[nn] > maxn)
			maxn = ns[nn];
		nn++;
	}
	pids_load();
	db = db_open();
	pc = xmalloc(sizeof(*pc) * (size_t)maxn);
	for (k = 0; k < nn; k++) {
		struct idle_run	 r = { 0 };
		struct snap	 s0, s1, s2, s3;
		struct load	 l1, l2;
		long long	 q0, q1, tw0, tw1, t_parked;
		long		 rss_max_snak = 0, rss_max_ng = 0, rss_max_db = 0;
		int		 N = ns[k], parked, all200, i;
		double		 cs, cn, cd, q;
		char		 what[128];

		idle_cur = &r;
		r.n = N;
		loop_for(2000000);	/* quiet before the baseline */
		snap_take(&s0);
		info("idle %d: before: snak %ld kB, %d fds; nginx %ld kB; "
		    "mariadbd %ld kB", N, s0.rss_snak, s0.fds_snak, s0.rss_nginx,
		    s0.rss_db);
		r.t_open = now_us();
		open_polls(a, N, node_port(1), 30, idle_cb, pc, s0.fds_snak);
		parked = wait_parked(s0.fds_snak, N, r.t_open + 18000000LL);
		t_parked = now_us();
		info("idle %d: %s after %.2f s (snak fds %d); %d answered early",
		    N, parked ? "all accepted" : "NOT all accepted",
		    (t_parked - r.t_open) / 1e6, proc_nfds(pid_snak),
		    r.answered);
		loop_for(1000000);	/* let the last handlers park */
		snap_take(&s1);
		load_take(&l1);
		q0 = db_questions(db);
		tw0 = now_us();
		for (i = 0; i < window; i++) {
			struct snap sx;

			loop_for(1000000);
			snap_take(&sx);
			if (sx.rss_snak > rss_max_snak)
				rss_max_snak = sx.rss_snak;
			if (sx.rss_nginx > rss_max_ng)
				rss_max_ng = sx.rss_nginx;
			if (sx.rss_db > rss_max_db)
				rss_max_db = sx.rss_db;
		}
		q1 = db_questions(db);
		tw1 = now_us();
		snap_take(&s2);
		load_take(&l2);
		q = (double)(q1 - q0 - 1) / ((tw1 - tw0) / 1e6);
		cs = cpu_pct(s1.cpu_snak, s2.cpu_snak, s2.t - s1.t);
		cn = cpu_pct(s1.cpu_nginx, s2.cpu_nginx, s2.t - s1.t);
		cd = cpu_pct(s1.cpu_db, s2.cpu_db, s2.t - s1.t);
		info("idle %d: window %.1f s, ends %.1f s after the first poll; "
		    "%d answered during it", N, (tw1 - tw0) / 1e6,
		    (tw1 - r.t_open) / 1e6, r.answered);
		/* the answers at the deadline (wait=30) */
		while (r.answered < N && now_us() < r.t_open + 50000000LL)
			loop_once(10);
		loop_for(1500000);	/* the hub trims after its batches */
		snap_take(&s3);
		all200 = r.ok == N;
		info("idle %d: %d answered (%d 200, %d other, %d errors), first "
		    "%.2f s last %.2f s after the first poll; snak after: %ld kB, "
		    "%d fds", N, r.answered, r.ok, r.non200, r.errors,
		    r.t_first ? (r.t_first - r.t_open) / 1e6 : 0.0,
		    r.t_last ? (r.t_last - r.t_open) / 1e6 : 0.0, s3.rss_snak,
		    s3.fds_snak);
		for (i = 0; i < N; i++)
			conn_close(pc[i]);

		snprintf(what, sizeof(what), "idle %s: parked polls answered 200",
		    fmt_n(N));
		row(what, "all 200", pass(all200 && parked),
		    "%s of %s (other status %d, errors %d, no answer %d, early %d); "
		    "all accepted in %.1f s; answers at the deadline spread over %.2f s",
		    fmt_n(r.ok), fmt_n(N), r.non200, r.errors, N - r.answered,
		    r.early, (t_parked - r.t_open) / 1e6,
		    (r.t_last - r.t_first) / 1e6);
		snprintf(what, sizeof(what), "idle %s: RSS snak / nginx / mariadbd",
		    fmt_n(N));
		row(what, "snak ≤ 200 MB", pass(rss_max_snak <= 200 * 1024),
		    "%.1f / %.1f / %.1f MB (idle before: %.1f / %.1f / %.1f MB)",
		    rss_max_snak / 1024.0, rss_max_ng / 1024.0, rss_max_db / 1024.0,
		    s0.rss_snak / 1024.0, s0.rss_nginx / 1024.0, s0.rss_db / 1024.0);
		snprintf(what, sizeof(what), "idle %s: snak RSS after the answers",
		    fmt_n(N));
		row(what, "near idle (≤ idle + 10 MB)",
		    pass(s3.rss_snak <= s0.rss_snak + 10 * 1024),
		    "%.1f MB (idle before %.1f MB, parked %.1f MB)",
		    s3.rss_snak / 1024.0, s0.rss_snak / 1024.0,
		    rss_max_snak / 1024.0);
		snprintf(what, sizeof(what), "idle %s: CPU over %d s snak / nginx "
		    "/ mariadbd", fmt_n(N), window);
		row(what, "≤ 2 % (sum)", pass(cs + cn + cd <= 2.0),
		    "%.2f / %.2f / %.2f %% of one core (sum %.2f %%); other "
		    "processes on the machine meanwhile: %.0f %%", cs, cn, cd,
		    cs + cn + cd, others_pct(&l1, &l2));
		qps[k] = q;
		snprintf(what, sizeof(what), "idle %s: DB queries/s", fmt_n(N));
		row(what, "≤ 50 per snak process", pass(q <= 50.0),
		    "%.1f (all nodes; polls on node 1 only)", q);
		if (tw1 - r.t_open > 29000000LL)
			info("WARNING: the window reached the polls' deadline");
	}
	if (nn > 1) {
		int	grows = qps[nn - 1] > qps[0] * 1.25 + 2.0;
		char	list[256] = "";
		size_t	o = 0;

		for (k = 0; k < nn; k++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s: %.1f",
			    k ? ", " : "", fmt_n(ns[k]), qps[k]);
		row("idle: DB queries/s as N grows", "does not grow with N",
		    pass(!grows), "%s", list);
	}
	mysql_close(db);
	return 0;
}

/* ---------------------------------------------------------------- *
 * storm FILE: every poll of FILE woken at once (the first customer
 * leaves the queue), /healthz measured every 5 ms meanwhile.
 * ---------------------------------------------------------------- */

#define HZ_CONNS 64

/* /healthz probers: [0] on node 1 (the burst's process), [1] on node 2. */
static struct hzp {
	struct conn	*c[HZ_CONNS];
	struct stats	 base, burst;
	long long	*ts;		/* every probe: start (µs) */
	double		*ms;		/* and its time */
	size_t		 n, cap;
	int		 skipped, errors, nslow;
	double		 max_burst;
	long long	 slow_first, slow_last;	/* start of probes > 50 ms */
} hz[2];
static long long	hz_t0, hz_t1;	/* the burst: trigger .. last answer */
static int		hz_on, hz_n;

static void
hz_cb(struct conn *c, const struct resp *rs)
{
	struct hzp	*h = c->arg;
	double		 ms = (rs->t_done - rs->t_start) / 1000.0;

	if (rs->status != 200 && hz_t0 != 0 && rs->t_start >= hz_t0)
		h->errors++;
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 4096;
		h->ts = xrealloc(h->ts, h->cap * sizeof(*h->ts));
		h->ms = xrealloc(h->ms, h->cap * sizeof(*h->ms));
	}
	h->ts[h->n] = rs->t_start;
	h->ms[h->n++] = ms;
}

/* Sorts the probes into before the trigger and the burst [t0, t1]. */
static void
hz_classify(struct hzp *h, long long t0, long long t1)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		if (h->ts[i] < t0) {
			st_add(&h->base, h->ms[i]);
			continue;
		}
		if (h->ts[i] > t1)
			continue;
		st_add(&h->burst, h->ms[i]);
		if (h->ms[i] > h->max_burst)
			h->max_burst = h->ms[i];
		if (h->ms[i] > 50) {
			if (h->nslow++ == 0)
				h->slow_first = h->ts[i];
			h->slow_last = h->ts[i];
		}
	}
}

static void
hz_tick(void *arg, long long now)
{
	int i, k;

	(void)arg;
	if (!hz_on)
		return;
	for (k = 0; k < hz_n; k++) {
		for (i = 0; i < HZ_CONNS; i++)
			if (!hz[k].c[i]->busy) {
				http_req(hz[k].c[i], "GET", "/healthz", NULL, NULL,
				    30000, hz_cb);
				break;
			}
		if (i == HZ_CONNS)
			hz[k].skipped++;
	}
	timer_add(now + 5000, hz_tick, NULL);
}

/*
 * The probers run in a child process with its own epoll loop: the parent
 * is busy taking 10,000 answers during the burst and would delay them.
 * CLOCK_MONOTONIC is the same in both, so the child just reports every
 * probe (start, ms) when told to stop (a byte or EOF on ctl).
 */
static void
hz_child(int ctl, int out)
{
	struct pollfd	 p = { .fd = ctl, .events = POLLIN };
	int		 i, k;

	close(epfd);
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		_exit(1);
	nconns = 0;
	ntheap = 0;
	hz_n = opt_nodes > 1 ? 2 : 1;
	for (k = 0; k < hz_n; k++)
		for (i = 0; i < HZ_CONNS; i++)
			hz[k].c[i] = conn_new(node_port(1 + k), &hz[k], i);
	hz_on = 1;
	timer_add(now_us(), hz_tick, NULL);
	while (poll(&p, 1, 0) == 0)
		loop_once(2);
	for (k = 0; k < hz_n; k++) {
		FILE *f = fdopen(dup(out), "w");

		if (f == NULL)
			_exit(1);
		fwrite(&hz[k].n, sizeof(hz[k].n), 1, f);
		fwrite(hz[k].ts, sizeof(*hz[k].ts), hz[k].n, f);
		fwrite(hz[k].ms, sizeof(*hz[k].ms), hz[k].n, f);
		fclose(f);
	}
	_exit(0);
}

static void
hz_collect(int out)
{
	FILE	*f = fdopen(out, "r");
	int	 k;

	if (f == NULL)
		die("fdopen: %s", strerror(errno));
	for (k = 0; k < hz_n; k++) {
		if (fread(&hz[k].n, sizeof(hz[k].n), 1, f) != 1)
			die("the /healthz prober gave no results");
		hz[k].cap = hz[k].n + 1;
		hz[k].ts = xmalloc(hz[k].cap * sizeof(*hz[k].ts));
		hz[k].ms = xmalloc(hz[k].cap * sizeof(*hz[k].ms));
		if (fread(hz[k].ts, sizeof(*hz[k].ts), hz[k].n, f) != hz[k].n ||
		    fread(hz[k].ms, sizeof(*hz[k].ms), hz[k].n, f) != hz[k].n)
			die("the /healthz prober's results are short");
	}
	fclose(f);
}

struct storm_run {
	int		 n, answered, ok, non200, errors;
	long long	 t_trig, t_woken_last;
	struct stats	 ms;
	char		 late[1024];	/* chat ids answered > 10 s after */
	size_t		 nlate_txt;
};

static struct storm_run *storm_cur;

static void
storm_cb(struct conn *c, const struct resp *rs)
{
	struct storm_run *r = storm_cur;

	r->answered++;
	if (rs->status == 200)
		r->ok++;
	else if (rs->status > 0) {
		r->non200++;
		show_fail("storm poll", rs);
	} else {
		r->errors++;
		show_fail("storm poll", rs);
	}
	if (r->t_trig > 0) {
		struct chat *ch = c->arg;

		st_add(&r->ms, (rs->t_done - r->t_trig) / 1000.0);
		if (rs->t_done - r->t_trig <= 10000000LL)
			r->t_woken_last = rs->t_done;
		else if (r->nlate_txt < sizeof(r->late) - 64)
		{
			json_t		*j = jparse(rs);
			json_int_t	 p = -1;

			if (j != NULL)
				json_unpack(j, "{s:I}", "queue_position", &p);
			json_decref(j);
			r->nlate_txt += (size_t)snprintf(r->late + r->nlate_txt,
			    sizeof(r->late) - r->nlate_txt, " %lld (place %lld "
			    "after the trigger, %.1f s)", ch->id, (long long)p,
			    (rs->t_done - r->t_trig) / 1e6);
		}
	}
	conn_close(c);
}

static int
cmd_storm(int argc, char **argv)
{
	struct chat	*a;
	struct conn	**pc, *trig;
	struct storm_run r = { 0 };
	struct snap	 s0, s1, s2;
	struct load	 l0, l1;
	struct sync_res	 tr;
	char		 path[160], what[160];
	int		 n, N, base, parked, k, early, ctl[2], out[2];
	pid_t		 child;
	long long	 t0, t_all, t_open;
	size_t		 late = 0;

	if (argc != 1)
		die("usage: storm FILE");
	a = load_chats(argv[0], &n);
	if (n < 2)
		die("storm: too few chats");
	pids_load();
	N = n - 1;	/* chats[0] is the one that leaves the queue */
	storm_cur = &r;
	r.n = N;
	hz_n = opt_nodes > 1 ? 2 : 1;
	loop_for(1000000);
	snap_take(&s0);
	base = s0.fds_snak;
	pc = xmalloc(sizeof(*pc) * (size_t)N);
	t0 = now_us();
	open_polls(a + 1, N, node_port(1), 30, storm_cb, pc, base);
	parked = wait_parked(base, N, t0 + 25000000LL);
	t_open = now_us() - t0;
	info("storm: %d polls %s after %.2f s", N,
	    parked ? "accepted" : "NOT all accepted", t_open / 1e6);
	loop_for(1000000);
	early = r.answered;
	snap_take(&s1);
	if (pipe2(ctl, O_CLOEXEC) == -1 || pipe2(out, O_CLOEXEC) == -1)
		die("pipe: %s", strerror(errno));
	fflush(NULL);
	if ((child = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		close(ctl[1]);
		close(out[0]);
		hz_child(ctl[0], out[1]);
	}
	close(ctl[0]);
	close(out[1]);
	loop_for(2000000);	/* baseline healthz */

	/* The first customer in the queue leaves: every position moves. */
	trig = conn_new(node_port(1), NULL, 0);
	snprintf(path, sizeof(path), "/api/v1/widget/chats/%lld/end", a[0].id);
	load_take(&l0);
	r.t_trig = hz_t0 = now_us();
	http_sync(trig, "POST", path, a[0].auth, NULL, &tr);
	info("storm: trigger POST %s: %d in %.1f ms", path, tr.status, tr.ms);
	while (r.answered < N && now_us() < r.t_trig + 40000000LL)
		loop_once(5);
	t_all = now_us();
	load_take(&l1);
	loop_for(500000);
	if (write(ctl[1], "x", 1) != 1)
		die("write: %s", strerror(errno));
	hz_collect(out[0]);
	close(ctl[1]);
	waitpid(child, NULL, 0);
	/* the burst: up to the last answer woken by the trigger (≤ 10 s) */
	hz_t1 = r.t_woken_last ? r.t_woken_last : t_all;
	for (k = 0; k < hz_n; k++)
		hz_classify(&hz[k], hz_t0, hz_t1);
	if (r.nlate_txt > 0)
		info("storm: not woken (answered at their deadline):%s", r.late);
	loop_for(1500000);
	snap_take(&s2);
	info("storm: %d of %d answered (%d 200, %d other, %d errors, %d before "
	    "the trigger) in %.3f s; first %.0f ms, p50 %.0f ms; snak %ld -> "
	    "%ld -> %ld kB", r.answered, N, r.ok, r.non200, r.errors, early,
	    (t_all - r.t_trig) / 1e6, st_pct(&r.ms, 0), st_pct(&r.ms, 50),
	    s0.rss_snak, s1.rss_snak, s2.rss_snak);
	for (k = 0; k < hz_n; k++)
		info("storm: healthz on node %d during the burst: %zu samples, p50 "
		    "%.1f p99 %.1f max %.1f ms, %d errors, %d not sent (64 in "
		    "flight); %d over 50 ms, sent %.0f..%.0f ms after the trigger; "
		    "before: p99 %.1f ms", k + 1, hz[k].burst.n,
		    st_pct(&hz[k].burst, 50), st_pct(&hz[k].burst, 99),
		    hz[k].max_burst, hz[k].errors, hz[k].skipped, hz[k].nslow,
		    hz[k].nslow ? (hz[k].slow_first - r.t_trig) / 1000.0 : 0.0,
		    hz[k].nslow ? (hz[k].slow_last - r.t_trig) / 1000.0 : 0.0,
		    st_pct(&hz[k].base, 99));
	{
		static const double lim[] = { 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40 };
		char	h[512];
		size_t	o = 0, j, i2 = 0;

		for (j = 0; j < sizeof(lim) / sizeof(lim[0]); j++) {
			size_t cnt = 0;

			while (i2 + cnt < r.ms.n && r.ms.v[i2 + cnt] <= lim[j] * 1000)
				cnt++;
			i2 += cnt;
			o += (size_t)snprintf(h + o, sizeof(h) - o, " ≤%gs:%zu",
			    lim[j], cnt);
		}
		info("storm: answers after the trigger:%s", h);
		for (j = 0, late = 0; j < r.ms.n; j++)
			if (r.ms.v[j] > 10000)
				late++;
	}
	snprintf(what, sizeof(what), "storm: %s parked polls woken at once",
	    fmt_n(N));
	row(what, "all 200, woken (not at their deadline)",
	    pass(r.ok == N && early == 0 && late == 0),
	    "%s answered 200 (other %d, errors %d, early %d); first %.2f s, "
	    "p50 %.2f s, the last %.2f s after the trigger; %s answered more than "
	    "10 s after it (at their deadline, not woken); opening them (one "
	    "queue of %s) took %.1f s", fmt_n(r.ok), r.non200, r.errors, early,
	    st_pct(&r.ms, 0) / 1000.0, st_pct(&r.ms, 50) / 1000.0,
	    st_pct(&r.ms, 100) / 1000.0, fmt_n((long long)late), fmt_n(n),
	    t_open / 1e6);
	{
		char n2[200] = "";

		if (hz_n > 1)
			snprintf(n2, sizeof(n2), "; on node 2 (no polls) p99 %.1f ms, "
			    "max %.1f ms", st_pct(&hz[1].burst, 99), hz[1].max_burst);
		row("storm: GET /healthz every 5 ms on node 1, trigger to the "
		    "last woken answer",
		    "p99 < 50 ms", pass(st_pct(&hz[0].burst, 99) < 50.0 &&
		    hz[0].skipped == 0 && hz[0].errors == 0),
		    "p99 %.1f ms, max %.1f ms (%zu requests, %d errors%s; %d over "
		    "50 ms, sent %.2f..%.2f s after the trigger); before: p99 %.1f "
		    "ms%s; other processes on the machine meanwhile: %.0f %%",
		    st_pct(&hz[0].burst, 99), hz[0].max_burst, hz[0].burst.n,
		    hz[0].errors, hz[0].skipped ? ", some not sent: 64 in flight" :
		    "", hz[0].nslow,
		    hz[0].nslow ? (hz[0].slow_first - r.t_trig) / 1e6 : 0.0,
		    hz[0].nslow ? (hz[0].slow_last - r.t_trig) / 1e6 : 0.0,
		    st_pct(&hz[0].base, 99), n2, others_pct(&l0, &l1));
	}
	snprintf(what, sizeof(what), "storm: snak RSS idle / %s parked / after",
	    fmt_n(N));
	row(what, "back near idle",
	    pass(s2.rss_snak <= s0.rss_snak + 10 * 1024),
	    "%.1f / %.1f / %.1f MB", s0.rss_snak / 1024.0, s1.rss_snak / 1024.0,
	    s2.rss_snak / 1024.0);
	return 0;
}

/* ---------------------------------------------------------------- *
 * positions FILE: every chat of FILE (one queue, in id order) polled at
 * once with wait=0; its queue_position must be its place (a check).
 * ---------------------------------------------------------------- */

static int pos_done, pos_wrong, pos_err, pos_shown;

static void
pos_cb(struct conn *c, const struct resp *rs)
{
	json_t		*j;
	json_int_t	 p = -1;

	pos_done++;
	if (rs->status != 200 || (j = jparse(rs)) == NULL) {
		pos_err++;
		conn_close(c);
		return;
	}
	json_unpack(j, "{s:I}", "queue_position", &p);
	json_decref(j);
	if (p != c->tag + 1) {
		pos_wrong++;
		if (pos_shown++ < 20)
			info("positions: chat %lld (place %d) says %lld",
			    ((struct chat *)c->arg)->id, c->tag + 1, (long long)p);
	}
	conn_close(c);
}

static int
cmd_positions(int argc, char **argv)
{
	struct chat	*a;
	struct conn	**pc;
	char		 path[160];
	int		 n, i;

	if (argc != 1)
		die("usage: positions FILE");
	a = load_chats(argv[0], &n);
	pc = xmalloc(sizeof(*pc) * (size_t)n);
	for (i = 0; i < n; i++) {
		pc[i] = conn_new(node_port(1), &a[i], i);
		poll_path(path, sizeof(path), &a[i], 1, 0);
		http_req(pc[i], "GET", path, a[i].auth, NULL, 60000, pos_cb);
		if (i % 500 == 499)
			loop_for(20000);
		while (i + 1 - pos_done > OPEN_AHEAD)
			loop_for(5000);
	}
	while (pos_done < n)
		loop_once(10);
	info("positions: %d chats, %d with a wrong queue_position, %d errors", n,
	    pos_wrong, pos_err);
	row("queue positions of one queue polled at once", "all right",
	    pass(pos_wrong == 0 && pos_err == 0), "%s chats: %d wrong, %d errors",
	    fmt_n(n), pos_wrong, pos_err);
	return 0;
}

/* ---------------------------------------------------------------- *
 * Messages in both directions (latency and throughput).
 * ---------------------------------------------------------------- */

enum { C2A = 0, A2C = 1 };

struct msg {
	long long	 t_send, t_recv;
	int		 chat;
	signed char	 dir, state;	/* state: 0 queued, 1 sending, 2 sent, -1 failed */
	short		 step;
};

static struct msg	*msgs;
static int		 nmsgs, capmsgs;
static int		 cur_step;
static long long	 n_misrouted, n_dup, n_poll_err, n_send_err;
static int		 running;	/* polls go on while 1 */
static int		 poll_port_of[2], send_port_of[2];	/* by group */
static struct stats	 send_ms;

static int
msg_new(int chat, int dir)
{
	if (nmsgs == capmsgs) {
		capmsgs = capmsgs ? capmsgs * 2 : 65536;
		msgs = xrealloc(msgs, sizeof(*msgs) * (size_t)capmsgs);
	}
	memset(&msgs[nmsgs], 0, sizeof(*msgs));
	msgs[nmsgs].chat = chat;
	msgs[nmsgs].dir = (signed char)dir;
	msgs[nmsgs].step = (short)cur_step;
	return nmsgs++;
}

/* Every "~M<n>~" in a poll answer: a message arriving. */
static void
scan_markers(const char *b, size_t n, int side, int who, long long t)
{
	const char *p = b, *e = b + n;

	while (p < e && (p = memmem(p, (size_t)(e - p), "~M", 2)) != NULL) {
		long long	idx = 0;
		int		d = 0;

		p += 2;
		while (p < e && isdigit((unsigned char)*p) && d < 12) {
			idx = idx * 10 + (*p - '0');
			p++;
			d++;
		}
		if (d == 0 || p >= e || *p != '~' || idx >= nmsgs)
			continue;
		struct msg *m = &msgs[idx];

		/* its own side's copy: not a delivery */
		if ((side == 0 && m->dir == C2A) || (side == 1 && m->dir == A2C))
			continue;
		if ((side == 0 && m->chat != who) ||
		    (side == 1 && chats[m->chat].agent != who)) {
			n_misrouted++;
			continue;
		}
		if (m->t_recv != 0) {
			n_dup++;
			continue;
		}
		m->t_recv = t;
	}
}

static void cust_poll(struct chat *ch);
static void agent_poll(struct agent *ag);

/* The last_seq of a poll answer. */
static long long
answer_last_seq(const struct resp *rs, long long old)
{
	json_t		*j = jparse(rs);
	json_int_t	 v = old;

	if (j != NULL) {
		json_t *ls = json_object_get(j, "last_seq");

		if (json_is_integer(ls))
			v = json_integer_value(ls);
		json_decref(j);
	}
	return v;
}

static void
repoll_timer(void *arg, long long now)
{
	(void)now;
	if (!running)
		return;
	if ((struct chat *)arg >= chats && (struct chat *)arg < chats + nchats)
		cust_poll(arg);
	else
		agent_poll(arg);
}

static void
cust_poll_cb(struct conn *c, const struct resp *rs)
{
	struct chat *ch = c->arg;

	if (rs->status == 200) {
		scan_markers(rs->body, rs->blen, 0, (int)(ch - chats), rs->t_done);
		ch->after = answer_last_seq(rs, ch->after);
		if (running)
			cust_poll(ch);
		return;
	}
	n_poll_err++;
	show_fail("customer poll", rs);
	if (running)
		timer_add(now_us() + 200000, repoll_timer, ch);
}

static void
cust_poll(struct chat *ch)
{
	char path[160];

	poll_path(path, sizeof(path), ch, ch->after, 25);
	http_req(ch->poll, "GET", path, ch->auth, NULL, 40000, cust_poll_cb);
}

static void
agent_poll_cb(struct conn *c, const struct resp *rs)
{
	struct agent *ag = c->arg;

	if (rs->status == 200) {
		scan_markers(rs->body, rs->blen, 1, (int)(ag - agents), rs->t_done);
		ag->after = answer_last_seq(rs, ag->after);
		if (running)
			agent_poll(ag);
		return;
	}
	n_poll_err++;
	show_fail("agent poll", rs);
	if (running)
		timer_add(now_us() + 200000, repoll_timer, ag);
}

static void
agent_poll(struct agent *ag)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/agent/events?after=%lld&wait=25",
	    ag->after);
	http_req(ag->poll, "GET", path, ag->hdr, NULL, 40000, agent_poll_cb);
}

static void send_msg(struct chat *ch, int dir);

static void
send_cb(struct conn *c, const struct resp *rs)
{
	struct chat	*ch = c->arg;
	int		 idx = c->tag, dir = msgs[idx].dir;

	st_add(&send_ms, (rs->t_done - rs->t_start) / 1000.0);
	if (rs->status == 201 || rs->status == 200)
		msgs[idx].state = 2;
	else {
		msgs[idx].state = -1;
		n_send_err++;
		show_fail(dir == C2A ? "customer send" : "agent send", rs);
	}
	if (dir == C2A && ch->pend_c > 0) {
		ch->pend_c--;
		send_msg(ch, C2A);
	} else if (dir == A2C && ch->pend_a > 0) {
		ch->pend_a--;
		send_msg(ch, A2C);
	}
}

/* Sends one message now, or queues it behind the one in flight. */
static void
send_msg(struct chat *ch, int dir)
{
	struct conn	*c = dir == C2A ? ch->send : ch->asend;
	char		 path[160], body[192];
	int		 idx;

	if (c->busy) {
		if (dir == C2A)
			ch->pend_c++;
		else
			ch->pend_a++;
		return;
	}
	idx = msg_new((int)(ch - chats), dir);
	c->tag = idx;
	snprintf(body, sizeof(body), "{\"text\":\"bench ~M%d~ %s\","
	    "\"client_id\":\"b%d-%lld\"}", idx,
	    dir == C2A ? "from the customer" : "from the agent", idx,
	    (long long)getpid());
	msgs[idx].state = 1;
	if (dir == C2A) {
		snprintf(path, sizeof(path), "/api/v1/widget/chats/%lld/messages",
		    ch->id);
		http_req(c, "POST", path, ch->auth, body, 30000, send_cb);
		ch->sent_c++;
	} else {
		snprintf(path, sizeof(path), "/api/v1/agent/chats/%lld/messages",
		    ch->id);
		http_req(c, "POST", path, agents[ch->agent].hdr, body, 30000,
		    send_cb);
		ch->sent_a++;
	}
	msgs[idx].t_send = c->t_start;
}

/*
 * Connections and polls for every chat and agent. mode 1: everything on
 * node 1; mode 2: agents of group g (and their customers) poll on node
 * 2-g and send on node 1+g, so every message crosses processes.
 */
static void
start_traffic(int mode)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (mode == 1) {
			poll_port_of[i] = send_port_of[i] = node_port(1);
		} else {
			send_port_of[i] = node_port(1 + i);
			poll_port_of[i] = node_port(2 - i);
		}
	}
	running = 1;
	for (i = 0; i < nagents; i++) {
		struct agent *ag = &agents[i];

		ag->poll = conn_new(poll_port_of[ag->group], ag, 0);
		agent_poll(ag);
	}
	for (i = 0; i < nchats; i++) {
		struct chat	*ch = &chats[i];
		int		 g = agents[ch->agent].group;

		ch->poll = conn_new(poll_port_of[g], ch, 0);
		ch->send = conn_new(send_port_of[g], ch, 0);
		ch->asend = conn_new(send_port_of[g], ch, 0);
		ch->pend_a = ch->pend_c = 0;	/* the cursor carries on */
		cust_poll(ch);
		if (i % 200 == 199)
			loop_for(10000);
	}
}

/* Until every poll has been waiting for `ms` (it is parked): caught up. */
static int
wait_polls_parked(int ms, long long limit)
{
	while (now_us() < limit) {
		long long	now = now_us(), old = now - ms * 1000LL;
		int		i, ok = 1;

		for (i = 0; i < nagents && ok; i++)
			if (!agents[i].poll->busy || agents[i].poll->t_start > old)
				ok = 0;
		for (i = 0; i < nchats && ok; i++)
			if (!chats[i].poll->busy || chats[i].poll->t_start > old)
				ok = 0;
		if (ok)
			return 1;
		loop_for(50000);
	}
	return 0;
}

static void
stop_traffic(void)
{
	running = 0;
	conns_close_all();
}

struct sched {
	struct chat	*ch;
	int		 dir;
	long long	 end;
};

/* Latency: each side sends every 1-3 s (uniform, mean 2 s). */
static void
lat_tick(void *arg, long long now)
{
	struct sched *s = arg;

	if (now >= s->end)
		return;
	send_msg(s->ch, s->dir);
	timer_add(now + 1000000 + (long long)(rnd01() * 2000000), lat_tick, s);
}

/* Waits until the messages from `first` on are delivered or failed. */
static void
drain(int first, long long limit)
{
	for (;;) {
		int i, open = 0;

		for (i = first; i < nmsgs; i++)
			if (msgs[i].state >= 0 && (msgs[i].state < 2 ||
			    msgs[i].t_recv == 0)) {
				open = 1;
				break;
			}
		if (!open || now_us() >= limit)
			return;
		loop_for(20000);
	}
}

struct dirstats {
	struct stats	 ms;
	int		 sent, delivered, failed;
};

static void
collect(int first, int last, struct dirstats d[2])
{
	int i;

	memset(d, 0, sizeof(struct dirstats) * 2);
	for (i = first; i < last; i++) {
		struct msg		*m = &msgs[i];
		struct dirstats		*x = &d[(int)m->dir];

		if (m->state < 0) {
			x->failed++;
			continue;
		}
		x->sent++;
		if (m->t_recv != 0) {
			x->delivered++;
			st_add(&x->ms, (m->t_recv - m->t_send) / 1000.0);
		}
	}
}

static void
prepare_chats(const char *slug, int n, const char *prefix, int na)
{
	double rate;

	if (n % na != 0)
		die("CHATS must be a multiple of NAGENTS");
	login_agents(prefix, na);
	chats = create_chats(slug, 1, n, 200, &rate);
	nchats = n;
	take_chats(slug, n / na);
}

static int
cmd_latency(int argc, char **argv)
{
	const char	*slug, *prefix, *modes;
	struct sched	*sc;
	int		 n, secs, na, mi;

	if (argc != 6)
		die("usage: latency SLUG CHATS SECONDS PREFIX NAGENTS MODES");
	slug = argv[0];
	n = atoi(argv[1]);
	secs = atoi(argv[2]);
	prefix = argv[3];
	na = atoi(argv[4]);
	modes = argv[5];
	prepare_chats(slug, n, prefix, na);

	for (mi = 0; modes[mi] != '\0'; mi++) {
		struct dirstats	 d[2];
		struct load	 l0, l1;
		long long	 t0, end;
		int		 mode = modes[mi] - '0', first, i, dd;
		const char	*names[2] = { "customer→agent", "agent→customer" };
		char		 what[160];

		if (mode != 1 && mode != 2)
			continue;
		if (mode == 2 && opt_nodes < 2)
			die("latency mode 2 needs NODES ≥ 2");
		n_misrouted = n_dup = n_poll_err = n_send_err = 0;
		st_reset(&send_ms);
		/* new each time: the last run's timers still point at theirs */
		sc = xmalloc(sizeof(*sc) * (size_t)n * 2);
		start_traffic(mode);
		if (!wait_polls_parked(400, now_us() + 30000000LL))
			info("latency: WARNING: not every poll parked in 30 s");
		first = nmsgs;
		load_take(&l0);
		t0 = now_us();
		end = t0 + (long long)secs * 1000000;
		for (i = 0; i < n; i++) {
			sc[2 * i] = (struct sched){ &chats[i], C2A, end };
			sc[2 * i + 1] = (struct sched){ &chats[i], A2C, end };
			timer_add(t0 + (long long)(rnd01() * 2000000), lat_tick,
			    &sc[2 * i]);
			timer_add(t0 + (long long)(rnd01() * 2000000), lat_tick,
			    &sc[2 * i + 1]);
		}
		loop_until(NULL, end);
		load_take(&l1);
		drain(first, now_us() + 5000000);
		collect(first, nmsgs, d);
		stop_traffic();
		loop_for(500000);
		info("latency %d chats, %s: sends p50 %.1f p99 %.1f ms; %lld poll "
		    "errors, %lld misrouted, %lld duplicates", n,
		    mode == 1 ? "one process" : "two processes",
		    st_pct(&send_ms, 50), st_pct(&send_ms, 99), n_poll_err,
		    n_misrouted, n_dup);
		for (dd = 0; dd < 2; dd++) {
			int ok, lost = d[dd].sent - d[dd].delivered;

			snprintf(what, sizeof(what), "delivery %s, %s active chats, %s",
			    names[dd], fmt_n(n), mode == 1 ? "one process" :
			    "two processes (sender and receiver on different nodes)");
			if (mode == 1)
				ok = st_pct(&d[dd].ms, 50) <= 5.0 &&
				    st_pct(&d[dd].ms, 99) <= 50.0;
			else
				ok = st_pct(&d[dd].ms, 99) <= 150.0;
			ok = ok && lost == 0 && d[dd].failed == 0 &&
			    n_misrouted == 0;
			row(what, mode == 1 ? "p50 ≤ 5 ms, p99 ≤ 50 ms" : "p99 ≤ 150 ms",
			    pass(ok), "p50 %.1f / p99 %.1f / max %.1f ms (%s messages, "
			    "%d not delivered, %d sends failed); other processes "
			    "on the machine meanwhile: %.0f %%",
			    st_pct(&d[dd].ms, 50), st_pct(&d[dd].ms, 99),
			    st_pct(&d[dd].ms, 100), fmt_n(d[dd].sent), lost,
			    d[dd].failed, others_pct(&l0, &l1));
		}
		if (n_misrouted > 0)
			row("messages seen by the wrong chat or agent", "0", pass(0),
			    "%lld", n_misrouted);
	}
	return 0;
}

/* ---------------------------------------------------------------- *
 * throughput SLUG CHATS PREFIX NAGENTS RATE...: one process (node 1).
 * ---------------------------------------------------------------- */

static struct {
	double		 rate, acc;
	long long	 last, end;
	long long	 want, sent;	/* rate x step: every one is sent */
} tp;

static void
tp_send(void)
{
	send_msg(&chats[rnd() % (uint64_t)nchats], (int)(rnd() & 1));
	tp.sent++;
}

static void
tp_tick(void *arg, long long now)
{
	(void)arg;
	if (now >= tp.end) {
		/* the 1 ms ticks leave a message or two for the very end */
		while (tp.sent < tp.want)
			tp_send();
		return;
	}
	tp.acc += tp.rate * (double)(now - tp.last) / 1e6;
	tp.last = now;
	while (tp.acc >= 1.0 && tp.sent < tp.want) {
		tp.acc -= 1.0;
		tp_send();
	}
	timer_add(now + 1000, tp_tick, NULL);
}

static long long
self_cpu(void)
{
	return proc_cpu(getpid(), NULL);
}

static int
cmd_throughput(int argc, char **argv)
{
	const char	*slug, *prefix;
	MYSQL		*db;
	int		 n, na, k, best = 0, step_s = 10;
	double		 best_rate = 0;
	char		 title[160];

	if (argc < 5)
		die("usage: throughput SLUG CHATS PREFIX NAGENTS RATE...");
	slug = argv[0];
	n = atoi(argv[1]);
	prefix = argv[2];
	na = atoi(argv[3]);
	pids_load();
	db = db_open();
	prepare_chats(slug, n, prefix, na);
	start_traffic(1);
	if (!wait_polls_parked(400, now_us() + 30000000LL))
		info("throughput: WARNING: not every poll parked in 30 s");
	for (k = 4; k < argc; k++) {
		struct dirstats	 d[2];
		struct stats	 all = { 0 };
		struct snap	 s0, s1;
		struct load	 l0, l1;
		long long	 t0, me0, me1, k0[ST_N], k1[ST_N];
		int		 first, i, dd, delivered, sent, failed, ok, inwin;
		double		 rate = atof(argv[k]), got, p99;
		char		 what[160];

		cur_step = k;
		n_send_err = n_poll_err = 0;
		st_reset(&send_ms);
		first = nmsgs;
		snap_take(&s0);
		load_take(&l0);
		db_counters(db, k0);
		me0 = self_cpu();
		t0 = now_us();
		tp.rate = rate;
		tp.acc = 0;
		tp.last = t0;
		tp.end = t0 + (long long)step_s * 1000000;
		tp.want = (long long)(rate * step_s + 0.5);
		tp.sent = 0;
		timer_add(t0, tp_tick, NULL);
		loop_until(NULL, tp.end + 1000);
		snap_take(&s1);
		load_take(&l1);
		db_counters(db, k1);
		me1 = self_cpu();
		drain(first, now_us() + 8000000);
		collect(first, nmsgs, d);
		delivered = sent = failed = 0;
		for (dd = 0; dd < 2; dd++) {
			for (i = 0; i < (int)d[dd].ms.n; i++)
				st_add(&all, d[dd].ms.v[i]);
			delivered += d[dd].delivered;
			sent += d[dd].sent;
			failed += d[dd].failed;
		}
		/* sends that started within the step: the client kept up */
		for (i = first, inwin = 0; i < nmsgs; i++)
			if (msgs[i].state == 2 && msgs[i].t_send <= tp.end)
				inwin++;
		got = delivered / (double)step_s;
		p99 = st_pct(&all, 99);
		ok = p99 < 100.0 && got >= 0.95 * rate && failed == 0 &&
		    inwin >= 0.95 * rate * step_s;
		info("throughput %.0f msg/s: sent %d (%d within the step), "
		    "delivered %d (%.0f/s), failed %d; p50 %.1f p99 %.1f max %.1f ms; sends p50 %.1f p99 %.1f ms; "
		    "CPU snak %.0f%% nginx %.0f%% mariadbd %.0f%% snakbench %.0f%%",
		    rate, sent, inwin, delivered, got, failed, st_pct(&all, 50), p99,
		    st_pct(&all, 100), st_pct(&send_ms, 50), st_pct(&send_ms, 99),
		    cpu_pct(s0.cpu_snak, s1.cpu_snak, s1.t - s0.t),
		    cpu_pct(s0.cpu_nginx, s1.cpu_nginx, s1.t - s0.t),
		    cpu_pct(s0.cpu_db, s1.cpu_db, s1.t - s0.t),
		    cpu_pct(me0, me1, s1.t - s0.t));
		snprintf(what, sizeof(what), "throughput step: %s msg/s offered "
		    "for %d s", fmt_n((long long)rate), step_s);
		info("throughput %.0f msg/s: per message sent in the step: %.1f "
		    "statements (select %.1f, insert %.1f, update %.1f, commit %.1f)",
		    rate, (k1[ST_Q] - k0[ST_Q]) / (double)(inwin ? inwin : 1),
		    (k1[ST_SEL] - k0[ST_SEL]) / (double)(inwin ? inwin : 1),
		    (k1[ST_INS] - k0[ST_INS]) / (double)(inwin ? inwin : 1),
		    (k1[ST_UPD] - k0[ST_UPD]) / (double)(inwin ? inwin : 1),
		    (k1[ST_COMMIT] - k0[ST_COMMIT]) / (double)(inwin ? inwin : 1));
		row(what, "—", ok ? "p99 < 100 ms" : "over",
		    "%.0f delivered/s, p50 %.1f / p99 %.1f / max %.1f ms, %d failed; "
		    "CPU snak %.0f %%, nginx %.0f %%, mariadbd %.0f %%, snakbench %.0f %%, "
		    "other processes %.0f %%; %.1f DB statements per message",
		    got, st_pct(&all, 50), p99, st_pct(&all, 100), failed,
		    cpu_pct(s0.cpu_snak, s1.cpu_snak, s1.t - s0.t),
		    cpu_pct(s0.cpu_nginx, s1.cpu_nginx, s1.t - s0.t),
		    cpu_pct(s0.cpu_db, s1.cpu_db, s1.t - s0.t),
		    cpu_pct(me0, me1, s1.t - s0.t), others_pct(&l0, &l1),
		    (k1[ST_Q] - k0[ST_Q]) / (double)(inwin ? inwin : 1));
		free(all.v);
		if (ok && got > best_rate) {
			best_rate = got;
			best = (int)rate;
		}
		if (!ok && (p99 > 1000.0 || got < 0.8 * rate))
			break;	/* far past the limit: no use going higher */
		loop_for(1000000);
	}
	stop_traffic();
	snprintf(title, sizeof(title), "throughput: delivered messages/s with "
	    "p99 < 100 ms (one process, %s chats, %d agents)", fmt_n(n), na);
	row(title, "≥ 2,000 msg/s", pass(best_rate >= 2000.0),
	    "%.0f msg/s (step %s msg/s)", best_rate, fmt_n(best));
	return 0;
}

/* ---------------------------------------------------------------- *
 * list SLUG AGENT ENDED ONGOING NREQ: the agent's chat list.
 * ---------------------------------------------------------------- */

static struct agent	list_agent;
static int		 end_first;

static void
end_build(struct pool *p, int i, struct conn *c)
{
	char path[128];

	(void)p;
	snprintf(path, sizeof(path), "/api/v1/agent/chats/%lld/end",
	    chats[end_first + i].id);
	http_req(c, "POST", path, list_agent.hdr, NULL, 60000, pool_cb);
}

static int
end_handle(struct pool *p, int i, const struct resp *rs)
{
	(void)p;
	(void)i;
	if (rs->status != 200) {
		show_fail("end chat", rs);
		return rs->status == 503 || rs->status < 0 ? 1 : -1;
	}
	return 0;
}

static int
cmd_list(int argc, char **argv)
{
	const char	*slug;
	struct conn	*c;
	struct sync_res	 r;
	struct stats	 api = { 0 }, page = { 0 };
	struct pool	 p = { 0 };
	struct load	 l0, l1;
	int		 ended, ongoing, nreq, i, fails, na = 0, nr = 0;
	double		 rate;
	long long	 t0;
	json_t		*j;
	size_t		 bytes_api = 0, bytes_page = 0;
	char		 title[160];

	if (argc != 5)
		die("usage: list SLUG AGENT ENDED ONGOING NREQ");
	slug = argv[0];
	ended = atoi(argv[2]);
	ongoing = atoi(argv[3]);
	nreq = atoi(argv[4]);
	/* the agent is PREFIX1 of one */
	{
		char prefix[64];
		size_t l = strlen(argv[1]);

		if (l == 0 || argv[1][l - 1] != '1' || l >= sizeof(prefix))
			die("list: AGENT must end in 1 (PREFIX1)");
		memcpy(prefix, argv[1], l - 1);
		prefix[l - 1] = '\0';
		login_agents(prefix, 1);
	}
	list_agent = agents[0];
	chats = create_chats(slug, 1, ended + ongoing, 50, &rate);
	nchats = ended + ongoing;
	t0 = now_us();
	take_chats(slug, nchats);
	/* the oldest `ended` end; the newest `ongoing` stay */
	end_first = 0;
	t0 = now_us();
	p.build = end_build;
	p.handle = end_handle;
	fails = pool_run(&p, ended, 8, opt_port, now_us() + 300000000LL);
	if (fails > 0)
		die("list: %d chats could not be ended", fails);
	info("list: ended %d chats: %.0f/s", ended, ended / ((now_us() - t0) / 1e6));

	c = conn_new(node_port(1), NULL, 0);
	load_take(&l0);
	for (i = 0; i < nreq + 5; i++) {
		if (http_sync(c, "GET", "/api/v1/agent/chats", list_agent.hdr, NULL,
		    &r) != 200)
			die("GET /api/v1/agent/chats: %d %s", r.status, r.body);
		if (i == 0) {
			bytes_api = strlen(r.body);
			if ((j = json_loads(r.body, 0, NULL)) != NULL) {
				na = (int)json_array_size(json_object_get(j, "active"));
				nr = (int)json_array_size(json_object_get(j, "recent"));
				json_decref(j);
			}
		}
		if (i >= 5)	/* the first few warm up */
			st_add(&api, r.ms);
		free(r.body);
	}
	for (i = 0; i < nreq + 5; i++) {
		if (http_sync(c, "GET", "/agent", list_agent.hdr, NULL, &r) != 200)
			die("GET /agent: %d %.200s", r.status, r.body);
		if (i == 0)
			bytes_page = strlen(r.body);
		if (i >= 5)
			st_add(&page, r.ms);
		free(r.body);
	}
	load_take(&l1);
	info("list: /api/v1/agent/chats has %d active and %d recent (%zu bytes); "
	    "/agent %zu bytes", na, nr, bytes_api, bytes_page);
	snprintf(title, sizeof(title), "agent list: GET /api/v1/agent/chats (%s "
	    "ongoing, %s ended in the last 8 h)", fmt_n(ongoing), fmt_n(ended));
	row(title, "p50 ≤ 10 ms", pass(st_pct(&api, 50) <= 10.0 && na == ongoing &&
	    nr == ended),
	    "p50 %.1f / p99 %.1f ms over %d requests, one at a time (%d active, "
	    "%d recent in the answer, %s bytes); other processes on the machine "
	    "meanwhile: %.0f %%", st_pct(&api, 50), st_pct(&api, 99), nreq, na,
	    nr, fmt_n((long long)bytes_api), others_pct(&l0, &l1));
	row("agent list: GET /agent (the Chats page)", "p50 ≤ 10 ms",
	    pass(st_pct(&page, 50) <= 10.0),
	    "p50 %.1f / p99 %.1f ms over %d requests (%s bytes; the page itself "
	    "— it loads the list from the API above)",
	    st_pct(&page, 50), st_pct(&page, 99), nreq,
	    fmt_n((long long)bytes_page));
	return 0;
}

/* ---------------------------------------------------------------- */

static void
usage(void)
{
	fprintf(stderr,
	    "usage: snakbench [-d DIR] [-p PORT] [-n NODES] COMMAND ARGS\n"
	    "  mkchats SLUG N FILE\n"
	    "  idle FILE SECONDS N...\n"
	    "  storm FILE\n"
	    "  latency SLUG CHATS SECONDS PREFIX NAGENTS MODES\n"
	    "  throughput SLUG CHATS PREFIX NAGENTS RATE...\n"
	    "  list SLUG AGENT ENDED ONGOING NREQ\n"
	    "  positions FILE                (a check: queue positions)\n");
	exit(2);
}

static void
on_alarm(int sig)
{
	(void)sig;
	static const char m[] = "snakbench: time limit reached, stopping\n";

	if (write(2, m, sizeof(m) - 1) == -1)
		(void)0;
	_exit(3);
}

int
main(int argc, char **argv)
{
	struct rlimit	 rl;
	int		 ch, rc;
	const char	*cmd, *lim;

	t_origin = now_us();
	rng ^= (uint64_t)getpid() * 0x2545F4914F6CDD1DULL;
	while ((ch = getopt(argc, argv, "d:p:n:")) != -1) {
		switch (ch) {
		case 'd': opt_dir = optarg; break;
		case 'p': opt_port = atoi(optarg); break;
		case 'n': opt_nodes = atoi(optarg); break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	opt_password = getenv("BENCH_PASSWORD");
	signal(SIGPIPE, SIG_IGN);
	/* every command stops by itself; this is the backstop */
	lim = getenv("BENCH_TIME_LIMIT");
	signal(SIGALRM, on_alarm);
	alarm(lim ? (unsigned)atoi(lim) : 600);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));
	cmd = argv[0];
	argc--;
	argv++;
	if (strcmp(cmd, "mkchats") == 0)
		rc = cmd_mkchats(argc, argv);
	else if (strcmp(cmd, "idle") == 0)
		rc = cmd_idle(argc, argv);
	else if (strcmp(cmd, "storm") == 0)
		rc = cmd_storm(argc, argv);
	else if (strcmp(cmd, "latency") == 0)
		rc = cmd_latency(argc, argv);
	else if (strcmp(cmd, "throughput") == 0)
		rc = cmd_throughput(argc, argv);
	else if (strcmp(cmd, "list") == 0)
		rc = cmd_list(argc, argv);
	else if (strcmp(cmd, "positions") == 0)
		rc = cmd_positions(argc, argv);
	else
		usage();
	info("%lld connects, %lld connection errors", n_connects, n_conn_errors);
	return rc;
}
