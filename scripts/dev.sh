#!/bin/sh
# dev.sh: the one entry point for a fresh Debian 12 machine (run as root,
# or with sudo available): installs the Debian packages the project needs
# when they are missing, builds out of tree in ./build, then either opens
# the demo or runs the whole test suite.
#
#   scripts/dev.sh demo    install, build, start the demo server and client
#   scripts/dev.sh test    install, build, run every test; the last line is
#                          "N passed, N failed"
#   scripts/dev.sh build   install and build only
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
what=${1:-build}

# Everything the build, the tests and the benchmarks use, by Debian name.
PACKAGES="build-essential autoconf automake pkg-config
 libncurses-dev libcurl4-openssl-dev libjansson-dev libsecret-1-dev
 libpcre2-dev libmicrohttpd-dev libsqlite3-dev libsodium-dev zlib1g-dev
 libcmocka-dev libvterm-dev
 curl wrk nginx dbus dbus-daemon gnome-keyring sqlite3 procps time openssl
 clang libclang-rt-14-dev
 postgresql postgresql-client libpq-dev haproxy"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "dev.sh: installing:$missing" >&2
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi
fi
mkdir -p build
cd build
if [ ! -f Makefile ] || [ ../configure -nt Makefile ]; then
	../configure --enable-werror
fi
jobs=$(nproc 2>/dev/null || echo 2)
make -j"$jobs"

case $what in
demo)
	if [ -x ./cqrs ]; then
		exec ./cqrs --demo
	fi
	state=${XDG_STATE_HOME:-$HOME/.local/state}/cqrs
	mkdir -p "$state"
	echo "dev.sh: starting the demo server (Ctrl-C stops it)" >&2
	exec ./cqrsd --demo --db "$state/demo.db" --listen 127.0.0.1:8080
	;;
test)
	status=0
	# Results of tests that no longer exist must not count.
	find tests -name '*.trs' -exec rm -f {} + 2>/dev/null || :
	# The full output is kept in build/check-output.log.
	make -j"$jobs" check >check-output.log 2>&1 || status=$?
	sh ../tests/summary.sh . || status=1
	exit $status
	;;
build)
	;;
*)
	echo "usage: scripts/dev.sh demo|test|build" >&2
	exit 2
	;;
esac
