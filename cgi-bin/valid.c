/* valid.c: input validators, each a plain function a unit test can call. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "valid.h"

int
valid_int(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || strlen(s) > 20)
		return 0;
	if (!(*s == '-' || (*s >= '0' && *s <= '9')))
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

static int
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * Deliberately plain (the shape every mail provider accepts, not all of RFC
 * 5322): a dot-atom local part of printable ASCII, and a domain of at least
 * two labels, each 1-63 of letters, digits and inner hyphens, the last one
 * not all digits. Whether the domain exists is a separate DNS check.
 */
int
valid_email(const char *s)
{
	const char	*at, *p, *label;
	size_t		 n;
	int		 labels = 0, alldigits;

	if (s == NULL || (n = strlen(s)) < 3 || n > 254)
		return 0;
	if ((at = strrchr(s, '@')) == NULL || at == s || at - s > 64)
		return 0;
	for (p = s; p < at; p++) {
		if (is_alnum(*p) || strchr("!#$%&'*+/=?^_`{|}~-", *p))
			continue;
		if (*p == '.' && p != s && p + 1 != at && p[1] != '.')
			continue;
		return 0;
	}
	for (label = p = at + 1; ; p++) {
		if (*p == '.' || *p == '\0') {
			n = (size_t)(p - label);
			if (n == 0 || n > 63 || label[0] == '-' || p[-1] == '-')
				return 0;
			labels++;
			if (*p == '\0')
				break;
			label = p + 1;
			continue;
		}
		if (!is_alnum(*p) && *p != '-')
			return 0;
	}
	for (alldigits = 1, p = label; *p != '\0'; p++)
		if (!(*p >= '0' && *p <= '9'))
			alldigits = 0;
	return labels >= 2 && !alldigits;
}

int
valid_slug(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0' || *s == '-')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= 64 || !((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int
valid_username(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= 64 || !(is_alnum(s[i]) || strchr("._@-", s[i])))
			return 0;
	return 1;
}

size_t
valid_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}
