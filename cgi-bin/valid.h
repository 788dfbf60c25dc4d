/* valid.h: validators for values that come from outside. */
#ifndef SNAK_VALID_H
#define SNAK_VALID_H

#include <stddef.h>

/* 1 if `s` is a whole decimal integer in [min, max]; the value in *out. */
int	valid_int(const char *s, long long min, long long max, long long *out);
/* 1 for an address of the form local@domain.tld that mail systems accept. */
int	valid_email(const char *);
/* 1 for a channel slug: 1-64 of [a-z0-9-], not starting with '-'. */
int	valid_slug(const char *);
/* 1 for a user name: 1-64 of [A-Za-z0-9._@-]. */
int	valid_username(const char *);
/* Code points in a UTF-8 string (jansson has already checked it is valid). */
size_t	valid_chars(const char *);

#endif
