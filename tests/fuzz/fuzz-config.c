/* fuzz-config.c: libFuzzer driver for config.c: config_set, and config_load's line reader.
 *
 * An input starting with '#' (or anything but 'S') is split at its first
 * '=' into key and value for config_set(). One starting with 'S' is a whole
 * settings file: it is written to a memfd named by SNAK_CONFIG and read by
 * config_load(). After either, every setting must still be well formed: a
 * NUL inside each string field and every number within its range.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

#define check(c) do { if (!(c)) { fprintf(stderr, "fuzz-config: %s:%d: %s\n", \
	__FILE__, __LINE__, #c); abort(); } } while (0)

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	 fd = -1;
static char	 fdpath[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	extern char **environ;
	size_t i;

	(void)argc;
	(void)argv;
	/* Only the fuzzer's input may set anything. */
	for (i = 0; environ[i] != NULL; )
		if (strncmp(environ[i], "SNAK_", 5) == 0) {
			char name[256];

			snprintf(name, sizeof(name), "%.*s",
			    (int)strcspn(environ[i], "="), environ[i]);
			unsetenv(name);
			i = 0;
		} else
			i++;
	check((fd = memfd_create("snak-fuzz-config", 0)) != -1);
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	check(config_load() == 0);
	return 0;
}

#define STR_OK(f) check(memchr(cfg.f, '\0', sizeof(cfg.f)) != NULL)

static void
check_cfg(void)
{
	STR_OK(db_socket);
	STR_OK(db_host);
	STR_OK(db_user);
	STR_OK(db_password);
	STR_OK(db_name);
	STR_OK(listen);
	STR_OK(templates);
	STR_OK(schema);
	STR_OK(node);
	check(cfg.db_port >= 1 && cfg.db_port <= 65535);
	check(cfg.threads >= 1 && cfg.threads <= 256);
	check(cfg.max_parked >= 0 && cfg.max_parked <= 1000000);
	check(cfg.hub_interval_ms >= 5 && cfg.hub_interval_ms <= 5000);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*in, *eq;
	int	 rc;

	if (size == 0)
		return 0;
	if (data[0] == 'S') {
		check(ftruncate(fd, 0) == 0);
		check(pwrite(fd, data + 1, size - 1, 0) == (ssize_t)(size - 1));
		setenv("SNAK_CONFIG", fdpath, 1);
		rc = config_load();
		unsetenv("SNAK_CONFIG");
		check(rc == 0 || rc == -1);
		check_cfg();
		return 0;
	}
	in = malloc(size);
	check(in != NULL);
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	if ((eq = strchr(in, '=')) != NULL)
		*eq++ = '\0';
	else
		eq = in + strlen(in);
	rc = config_set(in, eq);
	check(rc == 0 || rc == -1);
	check_cfg();
	free(in);
	return 0;
}
