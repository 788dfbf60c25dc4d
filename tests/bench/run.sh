#!/bin/sh
# make bench: the load figures of README "Performance" (issue "Performance
# and scale"), measured on the real local stack over loopback.
#
#   sh tests/bench/run.sh          (make bench builds cgi-bin/snak first)
#
# Builds tests/bench/snakbench, starts its own stack in var/bench (2 snak
# nodes; nginx on a free port from 18099 up, node i alone on PORT+i), runs
# every measurement, prints one markdown table (machine, settings, every
# figure next to its budget) and writes it to var/bench/results.md.
# Progress and details: var/bench/bench.log. The stack is stopped on exit.
#
# Environment:
#   BENCH_PORT=N     nginx port (default: the first free of 18099, 18199, ...)
#   BENCH_QUICK=1    small numbers (a minute or two), to try the bench itself
#   BENCH_KEEP=1     leave the stack running afterwards (for a look around)
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
ME="bench"
DIR=var/bench
SDIR=var/bench-startup
BIN=tests/bench/snakbench
SNAK=cgi-bin/snak
T_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

say() { echo "$ME: $*" >&2; }
die() { echo "$ME: $*" >&2; exit 1; }

[ -x "$SNAK" ] || die "$SNAK is missing: run make first (make bench does)"
command -v curl >/dev/null || die "curl is missing"

# ---------------------------------------------------------------- build
say "building $BIN"
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -O2 -g -Wall -Wextra -o "$BIN" tests/bench/snakbench.c \
	$(pkg-config --cflags --libs jansson libmariadb) -lm ||
	die "could not build $BIN"

# ---------------------------------------------------------------- sizes
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	IDLE_NS="200 500 1000"; IDLE_CH=10; STORM_N=1000
	LAT_SMALL=20; LAT_BIG=100; LAT_SECS=8
	TP_CHATS=100; TP_RATES="200 500"
	LIST_ENDED=200; LIST_ONGOING=10; LIST_REQ=100
else
	IDLE_NS="1000 5000 10000"; IDLE_CH=100; STORM_N=10000
	LAT_SMALL=100; LAT_BIG=1000; LAT_SECS=20
	TP_CHATS=1000; TP_RATES="500 1000 1500 2000 2500 3000"
	LIST_ENDED=1000; LIST_ONGOING=50; LIST_REQ=500
fi
NAGENTS=20
IDLE_WINDOW=10

# ---------------------------------------------------------------- port
port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
ports_free() {
	for _q in $1 $(($1 + 1)) $(($1 + 2)) $(($1 + 3)); do
		port_free "$_q" || return 1
	done
}
if [ -n "${BENCH_PORT:-}" ]; then
	PORT=$BENCH_PORT
	ports_free "$PORT" || die "port $PORT..$((PORT + 3)) is not free"
else
	PORT=""
	for p in 18099 18199 18299 18399 18499 18599 18699 18799 18899 18999; do
		if ports_free "$p"; then PORT=$p; break; fi
	done
	[ -n "$PORT" ] || die "no free port range found (tried 18099..18999)"
fi
SPORT=$((PORT + 3))	# the start-up measurement's own stack

# ---------------------------------------------------------------- stack
sh tests/stack.sh stop "$DIR" > /dev/null 2>&1 || true
sh tests/stack.sh stop "$SDIR" > /dev/null 2>&1 || true
rm -rf "$DIR" "$SDIR"
mkdir -p "$DIR"
LOG=$DIR/bench.log
ROWS=$DIR/rows.md
: > "$ROWS"
: > "$LOG"

STARTUP_PID=""
cleanup() {
	rc=$?
	trap '' INT TERM HUP
	if [ -n "$STARTUP_PID" ]; then
		kill -TERM "$STARTUP_PID" 2>/dev/null || true
		wait "$STARTUP_PID" 2>/dev/null || true
	fi
	sh tests/stack.sh stop "$SDIR" >> "$LOG" 2>&1 || true
	rm -rf "$SDIR"
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "stack left running in $DIR (port $PORT): sh tests/stack.sh stop $DIR"
	else
		sh tests/stack.sh stop "$DIR" >> "$LOG" 2>&1 || true
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" >> "$ROWS"; }

# ---------------------------------------------------------------- start-up
# `make run` on a built tree is `make all` (nothing to do) and then
# `tests/stack.sh run var/run PORT 1`; the same here on a folder of its own.
# Cold: nothing there yet (the database is created); warm: a second start.
STARTUP_MS=-1
startup_ms() {	# sets STARTUP_MS (-1: no 200 within 30 s)
	STARTUP_MS=-1
	make -s --no-print-directory all > /dev/null	# built already: a no-op
	t0=$(date +%s%N)
	SNAK_ADMIN_PASSWORD=bench-startup-admin sh -c \
		'make -s --no-print-directory all > /dev/null && exec sh tests/stack.sh run "$0" "$1" 1' \
		"$SDIR" "$SPORT" >> "$DIR/startup.log" 2>&1 &
	STARTUP_PID=$!
	n=0
	until curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$SPORT/healthz"; do
		n=$((n + 1))
		if [ $n -gt 3000 ] || ! kill -0 "$STARTUP_PID" 2>/dev/null; then
			break
		fi
		sleep 0.01
	done
	t1=$(date +%s%N)
	[ $n -gt 3000 ] || ! kill -0 "$STARTUP_PID" 2>/dev/null ||
		STARTUP_MS=$(((t1 - t0) / 1000000))
	kill -TERM "$STARTUP_PID" 2>/dev/null || true
	wait "$STARTUP_PID" 2>/dev/null || true
	STARTUP_PID=""
}

say "measuring start-up (port $SPORT)"
startup_ms
cold=$STARTUP_MS
startup_ms
warm=$STARTUP_MS
sh tests/stack.sh stop "$SDIR" >> "$LOG" 2>&1 || true
echo "start-up: cold $cold ms, warm $warm ms" >> "$LOG"
if [ "$cold" -lt 0 ] || [ "$warm" -lt 0 ]; then
	row "start-up: make run to the first /healthz 200" "no 200 within 30 s (see $DIR/startup.log)" "≤ 3 s" "**MISS**"
else
	v=PASS
	[ "$cold" -le 3000 ] && [ "$warm" -le 3000 ] || v="**MISS**"
	row "start-up: make run to the first /healthz 200" \
		"$(awk -v c="$cold" -v w="$warm" 'BEGIN { printf "%.2f s from nothing (database created), %.2f s with the data already there", c / 1000, w / 1000 }')" \
		"≤ 3 s" "$v"
fi

say "starting the stack in $DIR (port $PORT, 2 nodes)"
sh tests/stack.sh start "$DIR" "$PORT" 2 >> "$LOG" 2>&1 || {
	tail -n 30 "$LOG" >&2
	die "the stack did not start"
}
# The binary the nodes run (cgi-bin/snak may be rebuilt meanwhile):
# /proc/PID/exe is the running file even when it was replaced.
p1=$(cat "$DIR/snak-1.pid")
BIN_INFO="binary built $(date -u -d "@$(stat -L -c %Y "/proc/$p1/exe")" +%H:%M:%SZ), sha256 $(sha256sum < "/proc/$p1/exe" | cut -c1-12)"
# shellcheck disable=SC1091
. "$DIR/snak.env"
export SNAK_DB_SOCKET SNAK_DB_USER SNAK_DB_PASSWORD SNAK_DB_NAME
sql() { mariadb --no-defaults --socket="$SNAK_DB_SOCKET" -uroot snak -N -B -e "$1"; }

# ---------------------------------------------------------------- users
say "creating agents and channels"
BENCH_PASSWORD=$(LC_ALL=C tr -dc 'A-Za-z0-9' < /dev/urandom | head -c 20)
export BENCH_PASSWORD
for ch in queue lat-small lat-big tput list; do
	"$SNAK" channel-add "$ch" "Bench $ch" >> "$LOG" 2>&1
done
# the idle widgets wait in many short queues (a queued widget's poll
# counts its place in the queue); the storm uses one long queue
i=1
while [ $i -le $IDLE_CH ]; do
	"$SNAK" channel-add "idle-$i" "Bench idle $i" >> "$LOG" 2>&1
	i=$((i + 1))
done
i=1
while [ $i -le $NAGENTS ]; do
	SNAK_PASSWORD=$BENCH_PASSWORD "$SNAK" useradd "agent$i" "Agent $i" agent >> "$LOG" 2>&1
	for ch in lat-small lat-big tput; do
		"$SNAK" member-add "$ch" "agent$i" respond >> "$LOG" 2>&1
	done
	i=$((i + 1))
done
SNAK_PASSWORD=$BENCH_PASSWORD "$SNAK" useradd list1 "List Agent" agent >> "$LOG" 2>&1
"$SNAK" member-add list list1 respond >> "$LOG" 2>&1
# more concurrent chats than the profile default of 5
sql "UPDATE users SET max_chats = 5000"

# ---------------------------------------------------------------- runs
bench() {	# NAME TIME_LIMIT ARGS...
	name=$1 limit=$2
	shift 2
	say "$name"
	echo "== $name: snakbench $*" >> "$LOG"
	if ! BENCH_TIME_LIMIT=$limit "$BIN" -d "$DIR" -p "$PORT" -n 2 "$@" \
		>> "$ROWS" 2>> "$LOG"; then
		row "$name" "the run failed: see $LOG" "—" "**FAIL**"
		tail -n 5 "$LOG" | sed "s/^/$ME: /" >&2
	fi
}

bench "chats for the idle runs" 300 mkchats idle "$(echo "$IDLE_NS" | awk '{ print $NF }')" "$DIR/idle.txt" $IDLE_CH
# shellcheck disable=SC2086
bench "idle capacity" 400 idle "$DIR/idle.txt" $IDLE_WINDOW $IDLE_NS
bench "chats for the storm" 300 mkchats queue $((STORM_N + 1)) "$DIR/queue.txt"
bench "wake-up storm" 120 storm "$DIR/queue.txt"
bench "delivery latency, $LAT_SMALL chats" 300 latency lat-small $LAT_SMALL $LAT_SECS agent $NAGENTS 1,2
bench "delivery latency, $LAT_BIG chats" 300 latency lat-big $LAT_BIG $LAT_SECS agent $NAGENTS 1,2
# shellcheck disable=SC2086
bench "throughput" 300 throughput tput $TP_CHATS agent $NAGENTS $TP_RATES
bench "agent list" 300 list list list1 $LIST_ENDED $LIST_ONGOING $LIST_REQ

# ---------------------------------------------------------------- logs
errs=""
for f in "$DIR"/snak-*.log; do
	n=$(grep -c -E ' (error|crit|fatal) ' "$f" || true)
	errs="$errs$(basename "$f"): $n error lines, "
done
nerr=$(grep -c -E '\[(error|crit|alert|emerg)\]' "$DIR/nginx/logs/error.log" 2>/dev/null || true)
alive=""
for i in 1 2; do
	p=$(cat "$DIR/snak-$i.pid" 2>/dev/null || echo 0)
	if [ -r "/proc/$p/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$p/status"; then
		alive="${alive}node $i running, "
	else
		alive="${alive}node $i NOT running, "
	fi
done
v=PASS
case $alive in *NOT*) v="**MISS**" ;; esac
row "server health after the run" "${alive}${errs}nginx error.log: ${nerr:-0} [error] lines" "nodes still up" "$v"

# ---------------------------------------------------------------- table
T_END=$(date +%s)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
threads=$(sed -n 's/.*with \([0-9]*\) threads.*/\1/p' "$DIR/snak-1.log" | head -n 1)
maxparked=$(sed -n 's/.*up to \([0-9]*\) parked.*/\1/p' "$DIR/snak-1.log" | head -n 1)
workers=$(sed -n 's/^worker_processes \([0-9a-z]*\);/\1/p' "$DIR/nginx/conf/nginx.conf")
wconns=$(sed -n 's/^ *worker_connections \([0-9]*\);/\1/p' "$DIR/nginx/conf/nginx.conf")
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- cgi-bin 2>/dev/null || rev="$rev + uncommitted changes in cgi-bin"
rev="$rev ($BIN_INFO)"
others=$(pgrep -c -f 'snak serve' || true)

# shellcheck disable=SC1091
{
	echo "## make bench — $(date -u +%Y-%m-%dT%H:%MZ)"
	echo
	echo "| what | measured | budget | verdict |"
	echo "|---|---|---|---|"
	echo "| machine | $(nproc) × $cpu, $mem, Linux $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME"); load average at the start $LOAD_START, at the end $load_end; $others snak processes on the machine at the end (other stacks share the CPU) | — | — |"
	echo "| settings | snak $rev, 2 nodes, ${threads:-?} accept threads each, hub interval ${SNAK_HUB_INTERVAL_MS:-50} ms, up to ${maxparked:-?} parked polls per node; nginx ${workers:-?} workers × ${wconns:-?} connections, fastcgi_buffering off; MariaDB $(mariadbd --version 2>/dev/null | sed -n 's/.*Ver \([^ ]*\).*/\1/p') with tests/stack.sh options; snakbench on the same machine, HTTP/1.1 keep-alive to 127.0.0.1:$PORT (node i alone: $PORT+i) | — | — |"
	cat "$ROWS"
	echo
	echo "Ran in $((T_END - T_START)) s. Details: $DIR/bench.log; server logs: $DIR/snak-*.log, $DIR/nginx/logs/error.log."
	echo "Idle figures are for node 1, which holds every poll (its own port); CPU is % of one core."
	echo "Latency is from the start of the send request to the arrival of the other side's poll answer carrying the message."
} > "$DIR/results.md"
cat "$DIR/results.md"
