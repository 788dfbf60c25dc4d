#!/bin/sh
# Installs what snak needs to build, run and test, and only what is missing:
# a second run changes nothing and prints one line.  Used by `make deps`,
# by the var/.deps-ok stamp rule of the Makefile and by .ci/run.
#   sh tests/deps.sh
# Installing needs root; when everything is present any user may run it.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

PKGS="nginx mariadb-server mariadb-client libfcgi-dev libfcgi-bin libmariadb-dev
libcurl4-openssl-dev libjansson-dev libsodium-dev libcmocka-dev libc-ares-dev
pkg-config gcc make chromium dnsmasq-base python3-aiosmtpd nodejs npm clang
libclang-rt-14-dev curl tzdata"

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing='' did=''
for p in $PKGS; do
	case $p in
	# Node.js may come from another source than Debian (NodeSource's nodejs
	# ships npm itself and conflicts with Debian's npm package): a working
	# command is enough.
	nodejs) command -v node >/dev/null 2>&1 && continue ;;
	npm) command -v npm >/dev/null 2>&1 && continue ;;
	esac
	installed "$p" || missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "tests/deps.sh: missing Debian packages:$missing" >&2
		echo "tests/deps.sh: run it as root to install them: sudo sh tests/deps.sh" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi

# playwright-core for the browser tests (no browser download: Debian's chromium is used).
if [ ! -d tests/node_modules/playwright-core ]; then
	if [ ! -f tests/package.json ]; then
		cat > tests/package.json <<'EOF'
{"name":"snak-tests","private":true,"type":"module","dependencies":{"playwright-core":"^1.50.0"}}
EOF
	fi
	did=1
	echo "deps: npm install in tests/"
	(cd tests && npm install --no-audit --no-fund)
fi

mkdir -p var
touch var/.deps-ok
[ -n "$missing$did" ] || echo "deps: everything is installed"
