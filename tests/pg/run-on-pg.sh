#!/bin/sh
# run-on-pg.sh: runs one API test program against PostgreSQL. The
# automake test log compiler for the .pg tests (PG_LOG_COMPILER):
#     tests/pg/run-on-pg.sh tests/pg/test_orgs.pg
# where the .pg file's first line names the program (tests/api/test_orgs),
# relative to the build directory. It starts a throwaway cluster with
# tests/pg/cluster.sh in a new folder under $CQRS_PG_TMPDIR (/tmp: short
# enough for a socket path, and open to the postgres user when run as
# root), runs the program with CQRS_TEST_PG set to the cluster's conninfo
# base (the harness then makes one database per server it starts), stops
# the cluster and removes the folder. The program's TAP output and exit
# status pass through unchanged; postgres's own log is shown as TAP
# diagnostics when the program failed.
#
# Without PostgreSQL's server programs the test is skipped ("1..0 # SKIP").
# CQRS_TEST_PG_SKIP=reason skips it too (.ci/run's sanitizer pass).
set -u

if [ $# -lt 1 ] || [ ! -f "$1" ]; then
	echo "usage: $0 FILE.pg [ARGS...]" >&2
	exit 2
fi
prog=$(head -n 1 "$1")
shift
if [ -z "$prog" ] || [ ! -x "$prog" ]; then
	echo "Bail out! $0: no test program '$prog'"
	exit 1
fi
if [ -n "${CQRS_TEST_PG_SKIP:-}" ]; then
	echo "1..0 # SKIP PostgreSQL run: $CQRS_TEST_PG_SKIP"
	exit 0
fi

here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d "${CQRS_PG_TMPDIR:-/tmp}/cqrs-pg-XXXXXX") || {
	echo "Bail out! $0: cannot make a temporary folder"
	exit 1
}
# cluster.sh start wants the folder absent or empty and removes it when
# it stops (or fails).
cleanup() {
	"$here/cluster.sh" stop "$dir" >/dev/null 2>&1 || :
	rm -rf "$dir"
}
trap 'cleanup; exit 1' INT TERM HUP

t0=$(date +%s.%N)
conn=$("$here/cluster.sh" start "$dir" 2>"$dir.err")
rc=$?
if [ $rc -eq 77 ]; then
	echo "1..0 # SKIP PostgreSQL is not installed: $(tail -n 1 "$dir.err")"
	rm -f "$dir.err"
	cleanup
	exit 0
fi
if [ $rc -ne 0 ] || [ -z "$conn" ]; then
	echo "Bail out! no PostgreSQL cluster for $prog (cluster.sh start exited $rc)"
	sed 's/^/# /' "$dir.err"
	rm -f "$dir.err"
	cleanup
	exit 1
fi
rm -f "$dir.err"
t1=$(date +%s.%N)

CQRS_TEST_PG=$conn
export CQRS_TEST_PG
"$prog" "$@"
status=$?

if [ $status -ne 0 ] && [ -f "$dir/postgres.log" ]; then
	echo "# --- postgres log (last 40 lines) ---"
	tail -n 40 "$dir/postgres.log" | sed 's/^/# /'
fi
t2=$(date +%s.%N)
"$here/cluster.sh" stop "$dir" || echo "# cluster.sh stop $dir failed"
trap - INT TERM HUP
[ -d "$dir" ] && rm -rf "$dir"
t3=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN {
	printf "# PostgreSQL cluster: start %.2f s, test %.2f s, stop %.2f s\n", b - a, c - b, d - c }'
exit $status
