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
	cgi-bin/queue.o \
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

# (tests/unit/test-* would also match the test sources: only the binaries go.)
clean:
	rm -f cgi-bin/*.o cgi-bin/snak tests/unit/*.o $(UNIT_BINS) tests/bench/snakbench
	rm -rf $(ASAN_DIR) $(FUZZ_DIR)

.PHONY: all deps run test bench clean unit asan fuzz

# ---------------------------------------------------------------- unit, asan, fuzz
#   make unit   cmocka tests tests/unit/test-*.c, each linked with the real
#               objects (all but main.o); ends with "N passed, N failed"
#   make asan   the same tests with the program and tests rebuilt under
#               AddressSanitizer + UBSan in var/asan/ (cgi-bin/ is untouched)
#   make fuzz   libFuzzer targets tests/fuzz/fuzz-*.c built with clang in
#               var/fuzz/, each run FUZZ_SECONDS; seeds in tests/fuzz/corpus/
FUZZ_SECONDS ?= 10
FUZZ_CC     ?= clang
TEST_CFLAGS = $(ALL_CFLAGS) $$(pkg-config --cflags cmocka) -Icgi-bin
TEST_LIBS   = $(LIBS) $$(pkg-config --libs cmocka)
UNIT_SRCS   = $(wildcard tests/unit/test-*.c)
UNIT_BINS   = $(UNIT_SRCS:.c=)
# -fno-sanitize-recover: a UBSan report fails the test instead of scrolling by.
SAN_FLAGS   = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
ASAN_DIR    = var/asan
ASAN_OBJS   = $(OBJS:cgi-bin/%.o=$(ASAN_DIR)/%.o)
ASAN_BINS   = $(UNIT_SRCS:tests/unit/%.c=$(ASAN_DIR)/%)
FUZZ_DIR    = var/fuzz
# clang's -Wformat=2 also flags log.c's static vlog(), which passes its
# caller's checked format on without a format attribute; gcc does not.
FUZZ_WARN   = -Wno-format-nonliteral
FUZZ_OBJS   = $(OBJS:cgi-bin/%.o=$(FUZZ_DIR)/%.o)
FUZZ_SRCS   = $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BINS   = $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_DIR)/%)

# Reached only through the pattern rules below: keep them between runs.
.SECONDARY: $(ASAN_OBJS) $(FUZZ_OBJS)

unit: $(UNIT_BINS)
	@sh tests/unit/run.sh $(UNIT_BINS)

tests/unit/test-%: tests/unit/test-%.c $(OBJS) $(HDRS)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(OBJS) $(TEST_LIBS)

asan: $(ASAN_BINS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1 sh tests/unit/run.sh $(ASAN_BINS)

$(ASAN_DIR)/%.o: cgi-bin/%.c $(HDRS)
	@mkdir -p $(ASAN_DIR)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(ASAN_DIR)/test-%: tests/unit/test-%.c $(ASAN_OBJS) $(HDRS)
	$(CC) $(TEST_CFLAGS) $(SAN_FLAGS) -o $@ $< $(ASAN_OBJS) $(TEST_LIBS)

# Each target writes what it finds to var/fuzz/corpus/<name> and only reads
# the seeds, so a run never changes the repository; a crash leaves
# var/fuzz/<name>-crash-* and the last lines of the log. -close_fd_mask=2
# silences the program's own log lines (one per refused request); sanitizer
# reports still get through. To see a check() message, run the target on
# the crash file: var/fuzz/fuzz-request var/fuzz/fuzz-request-crash-...
fuzz: $(FUZZ_BINS)
	@for t in $(FUZZ_BINS); do \
		n=$${t##*/}; mkdir -p $(FUZZ_DIR)/corpus/$$n; \
		echo "=== $$n: $(FUZZ_SECONDS) s"; \
		if ! $$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -close_fd_mask=2 \
		    -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/$$n- \
		    $(FUZZ_DIR)/corpus/$$n tests/fuzz/corpus/$$n \
		    > $(FUZZ_DIR)/$$n.log 2>&1; then \
			tail -n 60 $(FUZZ_DIR)/$$n.log; echo "$$n: FAILED"; exit 1; \
		fi; \
		grep -E '^(#[0-9]+.*DONE|Done [0-9]+ runs|stat::number_of_executed_units)' \
		    $(FUZZ_DIR)/$$n.log; echo "$$n: ok"; \
	done

$(FUZZ_DIR)/%.o: cgi-bin/%.c $(HDRS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_WARN) $(SAN_FLAGS) -fsanitize=fuzzer-no-link \
	    -c -o $@ $<

$(FUZZ_DIR)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_OBJS) $(HDRS)
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_WARN) -Icgi-bin $(SAN_FLAGS) -fsanitize=fuzzer \
	    -o $@ $< $(FUZZ_OBJS) $(LIBS)
