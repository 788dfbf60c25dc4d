# snak: live chat for customer service. One plain Makefile (see README.md).
#   make          build cgi-bin/snak
#   make deps     install the Debian packages snak needs (a second run does nothing)
#   make run      the local stack on 127.0.0.1:$(PORT), in the foreground
#   make test     unit tests, API tests and browser tests against a real local stack
#   make bench    the load figures of README "Performance"

PORT    ?= 8080
NODES   ?= 1
CC      ?= cc
PKGS     = fcgi libmariadb libcurl jansson libsodium
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) \
	$$(pkg-config --cflags $(PKGS)) \
	-DSNAK_TEMPLATES='"$(CURDIR)/templates"' -DSNAK_SCHEMA='"$(CURDIR)/schema"'
LIBS     = -pthread $$(pkg-config --libs $(PKGS))

# The program's objects, one per line; main.o is listed last because the
# unit tests and fuzz targets link everything else.
OBJS = \
	cgi-bin/buf.o \
	cgi-bin/log.o \
	cgi-bin/config.o \
	cgi-bin/html.o \
	cgi-bin/valid.o \
	cgi-bin/request.o \
	cgi-bin/response.o \
	cgi-bin/db.o \
	cgi-bin/auth.o \
	cgi-bin/events.o \
	cgi-bin/hub.o \
	cgi-bin/routes.o \
	cgi-bin/serve.o \
	cgi-bin/api.o \
	cgi-bin/api-auth.o \
	cgi-bin/api-widget.o \
	cgi-bin/api-agent.o \
	cgi-bin/pages.o \
	cgi-bin/cli.o
MAIN = cgi-bin/main.o
HDRS = $(wildcard cgi-bin/*.h)

DEPS_STAMP = var/.deps-ok

all: cgi-bin/snak

cgi-bin/snak: $(OBJS) $(MAIN)
	$(CC) -o $@ $(OBJS) $(MAIN) $(LIBS)

cgi-bin/%.o: cgi-bin/%.c $(HDRS)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Installs only what is missing; a second run does nothing (tests/deps.sh).
deps:
	@sh tests/deps.sh

$(DEPS_STAMP):
	@sh tests/deps.sh

run: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory all
	@PORT=$(PORT) NODES=$(NODES) sh tests/stack.sh run var/run $(PORT) $(NODES)

test: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory all
	@sh tests/run-tests.sh

bench: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory all
	@sh tests/bench/run.sh

clean:
	rm -f cgi-bin/*.o cgi-bin/snak tests/unit/*.o tests/unit/test-* tests/fuzz/fuzz-* tests/bench/snakbench

.PHONY: all deps run test bench clean
