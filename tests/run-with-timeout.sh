#!/bin/sh
# run-with-timeout.sh: runs a test program with an outer time limit, as a
# second line of defence behind each test's own alarm(). Usage:
#     tests/run-with-timeout.sh SECONDS PROGRAM [ARGS...]
# On expiry the program gets SIGTERM (SIGKILL 5 s later) and a TAP
# "Bail out!" line is printed, so the TAP driver records an error rather
# than hanging the suite. Exits with the program's status (124 on timeout).
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 SECONDS PROGRAM [ARGS...]" >&2
	exit 2
fi
secs=$1
shift
case $secs in
''|*[!0-9]*) echo "$0: SECONDS must be a whole number, got '$secs'" >&2; exit 2 ;;
esac

timeout --kill-after=5 "$secs" "$@"
rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "Bail out! $1 did not finish within $secs s"
fi
exit $rc
