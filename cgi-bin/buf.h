/* buf.h: a growable, always NUL-terminated byte buffer with a hard maximum. */
#ifndef SNAK_BUF_H
#define SNAK_BUF_H

#include <stddef.h>

/*
 * Callers append freely and check `err` once at the end (SQLite StrAccum):
 * an allocation failure or passing `max` makes the buffer sticky-failed and
 * further appends do nothing.
 */
struct buf {
	char	*p;	/* data, NUL-terminated when len > 0 or after buf_init */
	size_t	 len;	/* bytes used, without the NUL */
	size_t	 cap;	/* bytes allocated */
	size_t	 max;	/* hard limit on len; 0 means 16 MiB */
	int	 err;	/* sticky: 1 after overflow or out of memory */
};

void	buf_init(struct buf *, size_t max);
void	buf_free(struct buf *);
void	buf_reset(struct buf *);
int	buf_append(struct buf *, const void *, size_t);
int	buf_puts(struct buf *, const char *);
int	buf_putc(struct buf *, char);
int	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* The contents as a string; "" for an empty buffer. */
const char *buf_str(const struct buf *);

#endif
