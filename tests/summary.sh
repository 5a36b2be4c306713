#!/bin/sh
# summary.sh: the last word of a test run. Run after `make check` (even when
# it failed) from the build directory, or give the build directory:
#     make check; sh tests/summary.sh [BUILDDIR]
# It reads the automake TAP driver's .trs files (one ":test-result:" line
# per TAP test case), lists the failed cases from the .log files, and
# ends with exactly one line "N passed, N failed" (", N skipped" added
# when some were skipped). Exits 1 when any case failed or none ran.
set -u

dir=${1:-.}
if [ ! -d "$dir" ]; then
	echo "summary.sh: no such directory: $dir" >&2
	echo "0 passed, 0 failed"
	exit 1
fi

trs_list=$(find "$dir" -name '*.trs' -type f 2>/dev/null | sort)
if [ -z "$trs_list" ]; then
	echo "summary.sh: no test results (*.trs) under $dir; did make check run?" >&2
	echo "0 passed, 0 failed"
	exit 1
fi

# Name every case that did not pass, from the drivers' logs.
for trs in $trs_list; do
	log=${trs%.trs}.log
	[ -f "$log" ] || continue
	grep -E '^(FAIL|XPASS|ERROR): ' "$log" 2>/dev/null
done

# shellcheck disable=SC2086
counts=$(awk '
	/^:test-result:/ {
		r = $2
		if (r == "PASS" || r == "XFAIL") pass++
		else if (r == "SKIP") skip++
		else fail++          # FAIL, XPASS, ERROR and anything unknown
	}
	END { printf "%d %d %d\n", pass, fail, skip }
' $trs_list)

set -- $counts
passed=$1 failed=$2 skipped=$3

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi

if [ "$failed" -gt 0 ] || [ $((passed + skipped)) -eq 0 ]; then
	exit 1
fi
exit 0
