/* log.h: one line per event on stderr, with the node and the request id. */
#ifndef SNAK_LOG_H
#define SNAK_LOG_H

void	log_set_node(const char *);
/* rid may be NULL (start-up, background work). */
void	log_info(const char *rid, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_warn(const char *rid, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_err(const char *rid, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
