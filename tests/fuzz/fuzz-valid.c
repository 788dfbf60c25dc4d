/* fuzz-valid.c: libFuzzer driver for valid.c: every validator on the input as one string.
 *
 * Each "yes" is checked against a plain restatement of the rule in valid.h,
 * so the fuzzer finds wrong answers as well as crashes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "valid.h"

#define check(c) do { if (!(c)) { fprintf(stderr, "fuzz-valid: %s:%d: %s\n", \
	__FILE__, __LINE__, #c); abort(); } } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
only(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

#define LOWER	"abcdefghijklmnopqrstuvwxyz"
#define UPPER	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGITS	"0123456789"

static void
check_int(const char *s)
{
	long long	 v = 12345, w;
	char		*end;

	if (valid_int(s, INT64_MIN, INT64_MAX, &v)) {
		check(*s != '\0');
		check(only(*s == '-' ? s + 1 : s, DIGITS));
		check(s[*s == '-'] != '\0');
		errno = 0;
		w = strtoll(s, &end, 10);
		check(errno == 0 && *end == '\0' && w == v);
	} else
		check(v == 12345);	/* untouched on "no" */
	if (valid_int(s, 0, 30, &v))
		check(v >= 0 && v <= 30);
	if (valid_int(s, 1, 1, &v))
		check(v == 1);
	check(!valid_int(s, 5, 4, &v));	/* an empty range holds nothing */
}

static void
check_email(const char *s)
{
	const char	*at, *dot, *p;
	size_t		 n = strlen(s);

	if (!valid_email(s))
		return;
	check(n >= 3 && n <= 254);
	at = strchr(s, '@');
	check(at != NULL && at == strrchr(s, '@'));
	check(at > s && at - s <= 64);
	for (p = s; *p != '\0'; p++)
		check((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f);
	check(s[0] != '.' && at[-1] != '.' && strstr(s, "..") == NULL);
	check(only(at + 1, LOWER UPPER DIGITS "-."));
	check((dot = strrchr(at, '.')) != NULL);
	check(!only(dot + 1, DIGITS));
	check(at[1] != '-' && at[1] != '.' && s[n - 1] != '-' && s[n - 1] != '.');
	check(strstr(at, "-.") == NULL && strstr(at, ".-") == NULL);
}

static void
check_slug(const char *s)
{
	size_t n = strlen(s);

	if (valid_slug(s)) {
		check(n >= 1 && n <= 64 && s[0] != '-');
		check(only(s, LOWER DIGITS "-"));
	} else
		check(n == 0 || n > 64 || s[0] == '-' || !only(s, LOWER DIGITS "-"));
}

static void
check_username(const char *s)
{
	size_t n = strlen(s);

	check(valid_username(s) ==
	    (n >= 1 && n <= 64 && only(s, LOWER UPPER DIGITS "._@-")));
}

static void
check_chars(const char *s)
{
	size_t n = 0;

	for (const char *p = s; *p != '\0'; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	check(valid_chars(s) == n);
	check(valid_chars(s) <= strlen(s));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	check(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	check_int(s);
	check_email(s);
	check_slug(s);
	check_username(s);
	check_chars(s);
	free(s);
	return 0;
}
