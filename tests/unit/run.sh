#!/bin/sh
# tests/unit/run.sh: runs cmocka test programs one after the other, shows their
# normal output, and ends with one line "N passed, N failed" over all of them.
#   sh tests/unit/run.sh tests/unit/test-buf tests/unit/test-html ...
# A program that dies without cmocka's summary (a crash, a sanitizer report)
# counts as one failed test, so a crash can never look like a pass.
# Exits non-zero when anything failed.
set -u

passed=0 failed=0 skipped=0
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT

# first number on the last line of $log matching $1 (0 if none)
count() {
	grep -E "$1" "$log" | tail -n 1 | sed -E 's/[^0-9]*([0-9]+).*/\1/' |
		awk '{ s += $1 } END { print s + 0 }'
}

for t in "$@"; do
	echo "=== $t"
	"$t" > "$log" 2>&1
	rc=$?
	cat "$log"
	p=$(count '^\[  PASSED  \] [0-9]+ test')
	f=$(count '^\[  FAILED  \] [0-9]+ test')
	s=$(count '^\[  SKIPPED \] [0-9]+ test')
	if ! grep -qE '^\[==========\] [0-9]+ test\(s\) run' "$log"; then
		echo "$t: ended (exit $rc) without cmocka's summary: counted as 1 failure"
		f=$((f + 1))
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "$t: exit $rc without a failed test: counted as 1 failure"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done

if [ "$skipped" != 0 ]; then
	echo "$skipped skipped (known bugs: see the skip() comments in tests/unit)"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
