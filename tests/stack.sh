#!/bin/sh
# The local stack: a private MariaDB, NODES snak FastCGI processes and a
# private nginx, all inside one folder DIR.  Used by make run / test / bench.
#
#   sh tests/stack.sh start DIR PORT [NODES]   start everything (NODES default 1)
#   sh tests/stack.sh stop DIR                 stop everything (idempotent)
#   sh tests/stack.sh run DIR PORT [NODES]     make run: start, bootstrap, print URLs,
#                                              stay in the foreground until Ctrl-C
#   sh tests/stack.sh db-stop DIR | db-start DIR          MariaDB only
#   sh tests/stack.sh node-stop DIR I | node-kill DIR I | node-start DIR I
#   sh tests/stack.sh status DIR
#
# Layout of DIR:
#   db/data db/mysqld.sock db/mysqld.pid db/err.log db/password (of DB user snak)
#   snak.env (export SNAK_DB_...: source it to run cgi-bin/snak against this DB)
#   snak-I.sock snak-I.log snak-I.pid   node I (1..NODES), SNAK_NODE=node-I
#   nginx/  (prefix: conf/nginx.conf, logs/error.log, logs/access.log, logs/nginx.pid)
#   stack.conf (PORT and NODES of the last start), admin-password (make run, 0600)
# Every server is started in its own session (setsid), so a Ctrl-C on the
# terminal reaches only this script, which then stops them in order.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SNAK=${SNAK_BIN:-$ROOT/cgi-bin/snak}   # SNAK_BIN: another binary (debugging)
ME="stack.sh"

die() { echo "$ME: $*" >&2; exit 1; }
say() { echo "$ME: $*"; }

usage() {
	sed -n '4,11p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# MariaDB for the local stack. Measured with make bench (throughput): the
# thread pool costs less CPU per statement than a thread per connection,
# and with its stall limit at 20 ms (not 500) a statement that waits holds
# back the others of its group less long; a buffer pool and redo log of
# 128 MB keep a sustained load from stalling on page flushes.
DB_OPTS="--innodb-buffer-pool-size=128M --innodb-log-file-size=128M --performance-schema=OFF
--skip-log-bin --innodb-flush-log-at-trx-commit=2 --max-connections=400
--thread-handling=pool-of-threads --thread-pool-stall-limit=20
--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --skip-networking"

# ---------------------------------------------------------------- processes

# alive PID: the process exists and is not a zombie (this machine's init
# reaps orphans slowly, so kill -0 would still succeed on a dead process).
alive() {
	[ -n "$1" ] && [ -r "/proc/$1/status" ] || return 1
	! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# pid_of FILE NAME: the pid in FILE if that process is alive and its command
# line mentions NAME (guards against a recycled pid); else nothing.
pid_of() {
	[ -s "$1" ] || return 0
	_p=$(tr -dc 0-9 < "$1" 2>/dev/null) || return 0
	if alive "$_p" && tr '\0' ' ' < "/proc/$_p/cmdline" 2>/dev/null | grep -q -- "$2"; then
		echo "$_p"
	fi
}

# wait_gone PID SECONDS: 0 when gone in time
wait_gone() {
	_n=$(($2 * 20))
	while alive "$1"; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		sleep 0.05
	done
	return 0
}

# stop_pid PID NAME SIGNAL SECONDS: signal, wait, then SIGKILL if needed
stop_pid() {
	kill -s "$3" "$1" 2>/dev/null || true
	if ! wait_gone "$1" "$4"; then
		say "$2 (pid $1) did not stop within $4 s after SIG$3; sending SIGKILL"
		kill -s KILL "$1" 2>/dev/null || true
		wait_gone "$1" 5 || say "$2 (pid $1) still there"
	fi
}

tail_log() {
	for _f in "$@"; do
		[ -s "$_f" ] || continue
		echo "----- last lines of $_f"
		tail -n 30 "$_f"
	done
}

# ---------------------------------------------------------------- MariaDB

db_client() { mariadb --no-defaults --socket="$DIR/db/mysqld.sock" -uroot "$@"; }

db_ping() {
	mariadb-admin --no-defaults --socket="$DIR/db/mysqld.sock" -uroot ping >/dev/null 2>&1
}

db_start() {
	mkdir -p "$DIR/db"
	p=$(pid_of "$DIR/db/mysqld.pid" mariadbd)
	if [ -n "$p" ] && db_ping; then
		say "MariaDB already running (pid $p)"
	else
		[ -z "$p" ] || die "mariadbd pid $p runs but does not answer; stop it first"
		if [ ! -d "$DIR/db/data" ]; then
			say "MariaDB: creating $DIR/db/data"
			# into data.new, renamed when complete: an interrupted install
			# leaves no half-made data folder behind
			rm -rf "$DIR/db/data.new" "$DIR/db/tz-loaded"
			# shellcheck disable=SC2086
			if ! mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$DIR/db/data.new" \
				--auth-root-authentication-method=normal --skip-test-db $DB_OPTS \
				> "$DIR/db/install.log" 2>&1; then
				tail_log "$DIR/db/install.log"
				die "mariadb-install-db failed"
			fi
			mv "$DIR/db/data.new" "$DIR/db/data"
		fi
		rm -f "$DIR/db/mysqld.sock" "$DIR/db/mysqld.pid"
		# The pid file is written before exec too (mariadbd writes the same
		# pid later): a Ctrl-C during the start still finds the server.
		# shellcheck disable=SC2086,SC2016
		setsid sh -c 'echo $$ > "$0"; exec "$@"' "$DIR/db/mysqld.pid" \
			mariadbd --no-defaults --user="$(id -un)" --datadir="$DIR/db/data" \
			--socket="$DIR/db/mysqld.sock" --pid-file="$DIR/db/mysqld.pid" \
			--log-error="$DIR/db/err.log" $DB_OPTS \
			< /dev/null > "$DIR/db/mariadbd.out" 2>&1 &
		n=0
		until db_ping; do
			n=$((n + 1))
			if [ $n -gt 600 ] || ! alive $!; then
				tail_log "$DIR/db/err.log" "$DIR/db/mariadbd.out"
				die "MariaDB did not start"
			fi
			sleep 0.05
		done
		say "MariaDB up (pid $(cat "$DIR/db/mysqld.pid"))"
	fi

	# Database and user snak: the password is made once and kept in db/password.
	if [ ! -s "$DIR/db/password" ]; then
		(umask 077; LC_ALL=C tr -dc 'A-Za-z0-9' < /dev/urandom | head -c 24 > "$DIR/db/password")
	fi
	pw=$(cat "$DIR/db/password")
	db_client -e "
		CREATE DATABASE IF NOT EXISTS snak CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
		CREATE USER IF NOT EXISTS 'snak'@'localhost' IDENTIFIED BY '$pw';
		ALTER USER 'snak'@'localhost' IDENTIFIED BY '$pw';
		GRANT ALL ON snak.* TO 'snak'@'localhost';" || die "cannot create database/user snak"

	# Time zone tables (CONVERT_TZ with named zones), loaded once; the SQL
	# empties the tables first, so an interrupted load is simply redone.
	if [ ! -e "$DIR/db/tz-loaded" ]; then
		say "MariaDB: loading time zone tables"
		if mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null | db_client mysql 2>/dev/null; then
			touch "$DIR/db/tz-loaded"
		else
			say "warning: loading the time zone tables reported errors"
		fi
		tz=$(db_client -N -B -e "SELECT COUNT(*) FROM mysql.time_zone_name") || tz=0
		[ "${tz:-0}" -gt 0 ] || say "warning: no time zones in mysql.time_zone_name"
	fi

	cat > "$DIR/snak.env" <<EOF
export SNAK_DB_SOCKET='$DIR/db/mysqld.sock' SNAK_DB_USER=snak SNAK_DB_PASSWORD='$pw' SNAK_DB_NAME=snak
EOF
	chmod 600 "$DIR/snak.env"
}

db_stop() {
	p=$(pid_of "$DIR/db/mysqld.pid" mariadbd)
	if [ -n "$p" ]; then
		stop_pid "$p" mariadbd TERM 60
		say "MariaDB stopped"
	fi
	rm -f "$DIR/db/mysqld.pid"
}

# ---------------------------------------------------------------- snak nodes

load_env() {
	[ -f "$DIR/snak.env" ] || die "$DIR/snak.env missing: start the stack first"
	# shellcheck disable=SC1091
	. "$DIR/snak.env"
}

node_start() {
	i=$1
	[ -x "$SNAK" ] || die "$SNAK is missing: run make first"
	p=$(pid_of "$DIR/snak-$i.pid" snak)
	if [ -n "$p" ]; then
		say "node $i already running (pid $p)"
		return 0
	fi
	load_env
	rm -f "$DIR/snak-$i.sock"
	# as many fds as allowed: each parked long-poll holds one
	# shellcheck disable=SC3045
	ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
	# shellcheck disable=SC2016
	# The pid file is written by the process itself, right before exec, so it
	# is right whether or not setsid had to fork.
	SNAK_LISTEN="$DIR/snak-$i.sock" SNAK_NODE="node-$i" \
		setsid sh -c 'echo $$ > "$0"; exec "$@"' "$DIR/snak-$i.pid" "$SNAK" serve \
		< /dev/null >> "$DIR/snak-$i.log" 2>&1 &
	n=0
	until [ -S "$DIR/snak-$i.sock" ]; do
		n=$((n + 1))
		if [ $n -gt 400 ] || ! alive $!; then
			tail_log "$DIR/snak-$i.log"
			die "snak node $i did not create $DIR/snak-$i.sock"
		fi
		sleep 0.05
	done
	say "node $i up (pid $(cat "$DIR/snak-$i.pid"), $DIR/snak-$i.sock)"
}

# node_stop I SIGNAL
node_stop() {
	p=$(pid_of "$DIR/snak-$1.pid" snak)
	if [ -n "$p" ]; then
		# SIGTERM: snak answers its parked polls and exits; give it time.
		stop_pid "$p" "snak node $1" "$2" 15
		say "node $1 stopped (SIG$2)"
	fi
	rm -f "$DIR/snak-$1.pid"
}

nodes_of() {
	for f in "$DIR"/snak-*.pid; do
		[ -e "$f" ] || continue
		f=${f##*/snak-}
		echo "${f%.pid}"
	done
}

# ---------------------------------------------------------------- nginx

NGINX_CONF=conf/nginx.conf

nginx_render() {
	port=$1 nodes=$2
	mkdir -p "$DIR/nginx/conf" "$DIR/nginx/logs" "$DIR/nginx/tmp"
	ups="    upstream snak {"
	i=1
	while [ $i -le "$nodes" ]; do
		ups="$ups
        server unix:$DIR/snak-$i.sock max_fails=0;"
		i=$((i + 1))
	done
	ups="$ups
    }"
	listen="" map=""
	if [ "$nodes" -gt 1 ]; then
		i=1
		while [ $i -le "$nodes" ]; do
			ups="$ups
    upstream snak_$i {
        server unix:$DIR/snak-$i.sock;
    }"
			listen="$listen
        listen 127.0.0.1:$((port + i)) backlog=4096 reuseport;"
			map="$map
        $((port + i)) snak_$i;"
			i=$((i + 1))
		done
	fi
	# nginx workers run as nobody: they must read static/ and reach the sockets.
	user=""
	# shellcheck disable=SC2016
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
		! setpriv --reuid=nobody --regid=nogroup --clear-groups \
			sh -c 'test -x "$1" && test -x "$2"' sh "$ROOT" "$DIR" 2>/dev/null; then
		user="user root;  # user nobody cannot reach $ROOT or $DIR"
	fi
	# awk, not sed: the values contain newlines and slashes.
	awk -v root="$ROOT" -v dir="$DIR" -v port="$port" -v user="$user" \
		-v ups="$ups" -v listen="$listen" -v map="$map" '
		function rep(s, key, val,   i, out) {
			out = ""
			while ((i = index(s, key)) > 0) {
				out = out substr(s, 1, i - 1) val
				s = substr(s, i + length(key))
			}
			return out s
		}
		# the template'"'"'s leading comment (it explains the placeholders) is left out
		NR == 1 { head = 1; print "# Made by tests/stack.sh from nginx/local.conf.in: edit that file, not this one." }
		head && /^#/ { next }
		{ head = 0 }
		{
			if ($0 == "@UPSTREAMS@") { print ups; next }
			if ($0 == "@NODE_LISTEN@") { if (listen != "") print substr(listen, 2); next }
			if ($0 == "@NODE_MAP@") { if (map != "") print substr(map, 2); next }
			if ($0 == "@USER@") { print user; next }
			s = rep($0, "@ROOT@", root); s = rep(s, "@DIR@", dir); s = rep(s, "@PORT@", port)
			print s
		}' "$ROOT/nginx/local.conf.in" > "$DIR/nginx/$NGINX_CONF.new"
	mv "$DIR/nginx/$NGINX_CONF.new" "$DIR/nginx/$NGINX_CONF"
}

# port_free PORT: nothing accepts connections on 127.0.0.1:PORT.  Checked
# before nginx starts because `listen ... reuseport` lets a second nginx bind
# a port that another one uses, and the two would share its requests.
port_free() {
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" && return 1
	[ $? = 7 ]	# 7: could not connect
}

# ports_free PORT NODES: PORT, and PORT+1..PORT+NODES when NODES > 1
ports_free() {
	i=0
	while [ $i -le "$2" ]; do
		[ $i = 0 ] || [ "$2" -gt 1 ] || break
		port_free $(($1 + i)) ||
			die "port $(($1 + i)) is in use (another stack? sh tests/stack.sh status DIR tells)"
		i=$((i + 1))
	done
}

nginx_start() {
	p=$(pid_of "$DIR/nginx/logs/nginx.pid" nginx)
	[ -z "$p" ] || nginx_stop
	if ! nginx -q -p "$DIR/nginx/" -c "$NGINX_CONF" -t < /dev/null; then
		die "nginx config $DIR/nginx/$NGINX_CONF is invalid"
	fi
	# nginx daemonizes (setsid) itself; the master's pid is in logs/nginx.pid.
	if ! nginx -p "$DIR/nginx/" -c "$NGINX_CONF" < /dev/null > /dev/null 2> "$DIR/nginx/logs/start.err"; then
		tail_log "$DIR/nginx/logs/start.err" "$DIR/nginx/logs/error.log"
		die "nginx did not start"
	fi
}

nginx_stop() {
	p=$(pid_of "$DIR/nginx/logs/nginx.pid" nginx)
	if [ -n "$p" ]; then
		stop_pid "$p" nginx QUIT 10
		say "nginx stopped"
	fi
	rm -f "$DIR/nginx/logs/nginx.pid"
}

# ---------------------------------------------------------------- whole stack

set_dir() {
	[ -n "${1:-}" ] || usage
	if [ "${2:-}" = create ]; then mkdir -p "$1"; fi
	[ -d "$1" ] || die "no such stack folder: $1"
	DIR=$(cd "$1" && pwd)
	# unix socket paths are limited to 107 bytes
	[ ${#DIR} -le 80 ] || die "stack folder path too long for unix sockets: $DIR"
}

stack_start() {
	port=$1 nodes=$2
	case $port in '' | *[!0-9]*) die "bad PORT: $port" ;; esac
	case $nodes in '' | *[!0-9]* | 0) die "bad NODES: $nodes" ;; esac
	[ -x "$SNAK" ] || die "$SNAK is missing: run make first"
	# nodes of an earlier start with more nodes, and an earlier nginx
	for i in $(nodes_of); do node_stop "$i" TERM; done
	nginx_stop
	ports_free "$port" "$nodes"
	printf 'PORT=%s\nNODES=%s\n' "$port" "$nodes" > "$DIR/stack.conf"

	db_start

	load_env
	if ! "$SNAK" migrate > "$DIR/migrate.log" 2>&1; then
		tail_log "$DIR/migrate.log"
		die "cgi-bin/snak migrate failed"
	fi
	[ ! -s "$DIR/migrate.log" ] || sed 's/^/migrate: /' "$DIR/migrate.log"

	i=1
	while [ $i -le "$nodes" ]; do
		node_start $i
		i=$((i + 1))
	done

	nginx_render "$port" "$nodes"
	nginx_start
	n=0
	until curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz"; do
		n=$((n + 1))
		if [ $n -gt 100 ]; then
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/healthz" || true)
			tail_log "$DIR"/snak-*.log "$DIR/nginx/logs/error.log" "$DIR/db/err.log"
			die "http://127.0.0.1:$port/healthz did not answer 200 within 20 s (last: $code)"
		fi
		sleep 0.2
	done
	say "stack up: http://127.0.0.1:$port/ ($nodes node(s), folder $DIR)"
}

stack_stop() {
	# snak first (it answers its parked polls), then nginx, then the database
	for i in $(nodes_of); do node_stop "$i" TERM; done
	nginx_stop
	db_stop
}

stack_status() {
	p=$(pid_of "$DIR/db/mysqld.pid" mariadbd)
	echo "mariadb: ${p:-stopped}"
	for i in $(nodes_of); do
		p=$(pid_of "$DIR/snak-$i.pid" snak)
		echo "node $i: ${p:-stopped}"
	done
	p=$(pid_of "$DIR/nginx/logs/nginx.pid" nginx)
	echo "nginx: ${p:-stopped}"
}

# make run: start, bootstrap, print the URLs, wait for Ctrl-C.
stack_run() {
	port=$1 nodes=$2
	stopping=0
	on_signal() {
		trap '' INT TERM HUP
		[ "$stopping" = 0 ] || return 0
		stopping=1
		echo
		say "stopping"
		stack_stop
		exit 0
	}
	trap on_signal INT TERM HUP
	# in a subshell: a failure (die) comes back here and everything stops
	if ! (stack_start "$port" "$nodes"); then
		stack_stop
		exit 1
	fi

	load_env
	if ! out=$("$SNAK" bootstrap 2>&1); then
		printf '%s\n' "$out"
		stack_stop
		die "cgi-bin/snak bootstrap failed"
	fi
	[ -z "$out" ] || printf '%s\n' "$out"
	pw=$(printf '%s\n' "$out" | sed -n 's/^admin password: *//p' | head -n 1)
	if [ -n "$pw" ]; then
		(umask 077; printf '%s\n' "$pw" > "$DIR/admin-password")
	elif [ -s "$DIR/admin-password" ]; then
		pw=$(cat "$DIR/admin-password")
	fi

	echo
	echo "snak is running (Ctrl-C stops it; data is kept in $DIR):"
	echo "  demo page with the widget   http://127.0.0.1:$port/"
	echo "  agents                      http://127.0.0.1:$port/agent"
	echo "  administration              http://127.0.0.1:$port/admin"
	if [ -n "$pw" ]; then
		echo "  user admin, password        $pw"
		[ -z "${SNAK_ADMIN_PASSWORD:-}" ] || [ "$SNAK_ADMIN_PASSWORD" = "$pw" ] ||
			echo "  (the admin already existed: SNAK_ADMIN_PASSWORD applies only when it is created)"
	else
		echo "  user admin: the password was printed when it was created; set a new one with"
		echo "    . $DIR/snak.env && $SNAK passwd admin"
	fi
	if [ "$nodes" -gt 1 ]; then
		i=1
		while [ $i -le "$nodes" ]; do
			echo "  node $i only                 http://127.0.0.1:$((port + i))/"
			i=$((i + 1))
		done
	fi
	echo "  logs: $DIR/snak-*.log, $DIR/nginx/logs/, $DIR/db/err.log"
	echo

	dead=""
	while :; do
		# sleep in the background: the trap runs as soon as a signal arrives
		sleep 1 &
		wait $! || true
		for i in $(nodes_of); do
			if [ -n "$(pid_of "$DIR/snak-$i.pid" snak)" ]; then
				# alive (again): forget that it died
				new=""
				for d in $dead; do [ "$d" = "$i" ] || new="$new $d"; done
				dead=$new
				continue
			fi
			case " $dead " in *" $i "*) continue ;; esac
			say "snak node $i died"
			tail_log "$DIR/snak-$i.log"
			dead="$dead $i"
		done
		case " $dead " in *" db "*) ;; *)
			if [ -z "$(pid_of "$DIR/db/mysqld.pid" mariadbd)" ]; then
				say "MariaDB is not running"
				tail_log "$DIR/db/err.log"
				dead="$dead db"
			fi ;;
		esac
		case " $dead " in *" nginx "*) ;; *)
			if [ -z "$(pid_of "$DIR/nginx/logs/nginx.pid" nginx)" ]; then
				say "nginx is not running"
				tail_log "$DIR/nginx/logs/error.log"
				dead="$dead nginx"
			fi ;;
		esac
	done
}

# ---------------------------------------------------------------- main

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
start)
	[ $# -ge 2 ] || usage
	set_dir "$1" create
	stack_start "$2" "${3:-1}"
	;;
run)
	[ $# -ge 2 ] || usage
	set_dir "$1" create
	stack_run "$2" "${3:-1}"
	;;
stop)
	[ $# -ge 1 ] || usage
	[ -d "$1" ] || exit 0
	set_dir "$1"
	stack_stop
	;;
db-start) set_dir "${1:-}"; db_start ;;
db-stop) set_dir "${1:-}"; db_stop ;;
node-start) [ $# -ge 2 ] || usage; set_dir "$1"; node_start "$2" ;;
node-stop) [ $# -ge 2 ] || usage; set_dir "$1"; node_stop "$2" TERM ;;
node-kill) [ $# -ge 2 ] || usage; set_dir "$1"; node_stop "$2" KILL ;;
status) set_dir "${1:-}"; stack_status ;;
*) usage ;;
esac
