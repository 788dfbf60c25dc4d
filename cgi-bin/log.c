/* log.c: logging to stderr, one line per event: time level node rid message. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static char node[64] = "snak";

void
log_set_node(const char *name)
{
	snprintf(node, sizeof(node), "%s", name);
}

static void vlog(const char *, const char *, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
vlog(const char *level, const char *rid, const char *fmt, va_list ap)
{
	char		 msg[1024], ts[32];
	struct timespec	 now;
	struct tm	 tm;
	size_t		 i;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* One event, one line: a client's input never splits a log line. */
	for (i = 0; msg[i] != '\0'; i++)
		if (msg[i] == '\n' || msg[i] == '\r')
			msg[i] = ' ';
	/* A single fprintf is one locked write, so threads do not interleave. */
	fprintf(stderr, "%s.%03ldZ %s %s rid=%s %s\n", ts,
	    now.tv_nsec / 1000000, level, node, rid ? rid : "-", msg);
}

#define LOGFN(name, level)					\
void								\
name(const char *rid, const char *fmt, ...)			\
{								\
	va_list ap;						\
	va_start(ap, fmt);					\
	vlog(level, rid, fmt, ap);				\
	va_end(ap);						\
}
LOGFN(log_info, "info")
LOGFN(log_warn, "warn")
LOGFN(log_err, "error")
