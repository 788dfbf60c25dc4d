#!/bin/sh
# make test: unit tests, then the API and browser tests (node --test) against a
# fresh local stack in var/test (2 nodes).  Run from the repository root with
# cgi-bin/snak built.  Ends with one line "N passed, N failed" and exits
# non-zero when anything failed.
#   TEST_PORT   main port of the test stack (default 8090; the nodes get +1, +2)
#   TEST_TIMEOUT  seconds for the whole node test run (default 1800)
#   TEST_DIR    the stack folder (default var/test)
#   SNAK_BIN    another binary than cgi-bin/snak (debugging; tests/stack.sh too)
set -u

cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
DIR=${TEST_DIR:-var/test}
PORT=${TEST_PORT:-8090}
NODES=2
OUT=${TEST_DIR:-var/test}-results
SNAK=${SNAK_BIN:-cgi-bin/snak}
ADMIN_PW=test-admin-pw

passed=0 failed=0 skipped=0
stack_up=0 stack_ok=0

mkdir -p "$OUT"
rm -f "$OUT"/*

stop_stack() {
	if [ "$stack_up" = 1 ]; then
		stack_up=0 stack_ok=0
		sh tests/stack.sh stop "$DIR" > "$OUT/stack-stop.log" 2>&1 || cat "$OUT/stack-stop.log"
	fi
}
trap stop_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# sum_matches FILE REGEX: the sum of the first number on every line matching REGEX
sum_matches() {
	grep -E "$2" "$1" 2>/dev/null | sed -E 's/[^0-9]*([0-9]+).*/\1/' |
		awk '{ s += $1 } END { print s + 0 }'
}

# last_num FILE REGEX: the first number on the last line matching REGEX (0 if none)
last_num() {
	grep -E "$2" "$1" 2>/dev/null | tail -n 1 | sed -E 's/[^0-9]*([0-9]+).*/\1/' |
		awk '{ s += $1 } END { print s + 0 }'
}

# ------------------------------------------------------------ 1. unit tests
echo "=== unit tests"
if make -n unit > /dev/null 2>&1; then
	{ make --no-print-directory unit; echo $? > "$OUT/unit.rc"; } 2>&1 | tee "$OUT/unit.log"
	rc=$(cat "$OUT/unit.rc")
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$OUT/unit.log" | tail -n 1)
	if [ -n "$line" ]; then
		# the unit runner's own total (it also counts crashed programs)
		up=${line%% passed*}
		uf=${line#*passed, } uf=${uf%% failed*}
	else
		# cmocka's lines, added up over all test programs
		up=$(sum_matches "$OUT/unit.log" '^\[  PASSED  \] [0-9]+ test')
		uf=$(sum_matches "$OUT/unit.log" '^\[  FAILED  \] [0-9]+ test')
	fi
	us=$(sum_matches "$OUT/unit.log" '^\[  SKIPPED \] [0-9]+ test')
	if [ "$rc" != 0 ] && [ "$uf" = 0 ]; then
		echo "run-tests: make unit failed (exit $rc) without a failed test count; counted as 1 failure"
		uf=1
	fi
	echo "unit: $up passed, $uf failed, $us skipped"
	passed=$((passed + up)) failed=$((failed + uf)) skipped=$((skipped + us))
else
	echo "run-tests: no 'unit' target in the Makefile yet: unit tests skipped"
fi

# ------------------------------------------------------------ 2. the stack
echo "=== local stack: $DIR on 127.0.0.1:$PORT, $NODES nodes"
sh tests/stack.sh stop "$DIR" > /dev/null 2>&1
rm -rf "$DIR"
stack_up=1
if ! sh tests/stack.sh start "$DIR" "$PORT" "$NODES"; then
	echo "run-tests: the stack did not start"
	failed=$((failed + 1))
else
	# shellcheck disable=SC1091
	. "$DIR/snak.env"
	if SNAK_ADMIN_PASSWORD=$ADMIN_PW "$SNAK" bootstrap; then
		stack_ok=1
	else
		echo "run-tests: cgi-bin/snak bootstrap failed"
		failed=$((failed + 1))
	fi
fi

# ------------------------------------------------------------ 3. API and browser tests
files=""
for f in tests/api/*.test.mjs tests/browser/*.test.mjs; do
	[ -f "$f" ] && files="$files $f"
done
if [ -z "$files" ]; then
	echo "run-tests: no tests/api/*.test.mjs or tests/browser/*.test.mjs yet"
elif [ "$stack_ok" != 1 ]; then
	echo "run-tests: API and browser tests not run: no working stack"
else
	echo "=== API and browser tests:$files"
	SNAK_URL="http://127.0.0.1:$PORT"
	SNAK_NODE_URLS="http://127.0.0.1:$((PORT + 1)),http://127.0.0.1:$((PORT + 2))"
	SNAK_STACK_DIR="$ROOT/$DIR"
	SNAK_ROOT=$ROOT
	SNAK_ADMIN_PASSWORD=$ADMIN_PW
	export SNAK_URL SNAK_NODE_URLS SNAK_STACK_DIR SNAK_ROOT SNAK_ADMIN_PASSWORD
	# spec for people (its closing counts are read below), TAP into a file
	# as a second source.  --test-force-exit: a handle left open by a test
	# must not keep the run alive (it cuts the end of the TAP file, hence spec).
	# shellcheck disable=SC2086
	{
		timeout -k 10 "${TEST_TIMEOUT:-1800}" node --test --test-concurrency=1 --test-force-exit \
			--test-timeout=180000 \
			--test-reporter=spec --test-reporter-destination=stdout \
			--test-reporter=tap --test-reporter-destination="$OUT/node.tap" \
			$files < /dev/null
		echo $? > "$OUT/node.rc"
	} 2>&1 | tee "$OUT/node.out"
	rc=$(cat "$OUT/node.rc")
	src="$OUT/node.out" pre='ℹ '
	if ! grep -q '^ℹ pass [0-9]' "$src"; then src="$OUT/node.tap" pre='# '; fi
	np=$(last_num "$src" "^${pre}pass [0-9]+")
	nf=$(( $(last_num "$src" "^${pre}fail [0-9]+") + $(last_num "$src" "^${pre}cancelled [0-9]+") ))
	ns=$(last_num "$src" "^${pre}skipped [0-9]+")
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "run-tests: the node tests took longer than ${TEST_TIMEOUT:-1800} s and were stopped"
		nf=$((nf + 1))
	elif [ "$rc" != 0 ] && [ "$nf" = 0 ]; then
		echo "run-tests: node --test exited $rc without a failed test count; counted as 1 failure"
		nf=1
	fi
	echo "node tests: $np passed, $nf failed, $ns skipped"
	passed=$((passed + np)) failed=$((failed + nf)) skipped=$((skipped + ns))
fi

# ------------------------------------------------------------ 4. the end
stop_stack
if [ "$failed" != 0 ]; then
	for f in "$DIR"/snak-*.log "$DIR/nginx/logs/error.log" "$DIR/db/err.log"; do
		[ -s "$f" ] || continue
		echo "----- last lines of $f"
		tail -n 40 "$f"
	done
fi
if [ "$skipped" != 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
