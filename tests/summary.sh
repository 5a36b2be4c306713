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

# Count per file. The TAP driver adds an ERROR result when a test program
# exits non-zero; a program whose cases failed exits 1 for that reason
# alone, so that ERROR is not counted again when the file has FAIL results
# (an exit with no failed case, a signal or a bad plan still counts).
pass=0 fail=0 skip=0
for trs in $trs_list; do
	log=${trs%.trs}.log
	exit_errors=0
	if [ -f "$log" ]; then
		exit_errors=$(grep -c -E '^ERROR: .* - exited with status [0-9]+$' "$log" 2>/dev/null)
	fi
	# shellcheck disable=SC2046 # three numbers, split on purpose
	set -- $(awk -v exit_errors="${exit_errors:-0}" '
		/^:test-result:/ {
			r = $2
			if (r == "PASS" || r == "XFAIL") pass++
			else if (r == "SKIP") skip++
			else if (r == "ERROR") error++
			else fail++          # FAIL, XPASS and anything unknown
		}
		END {
			if (fail > 0 && error >= exit_errors) error -= exit_errors
			printf "%d %d %d\n", pass, fail + error, skip
		}
	' "$trs")
	pass=$((pass + $1)) fail=$((fail + $2)) skip=$((skip + $3))
done
passed=$pass failed=$fail skipped=$skip

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi

if [ "$failed" -gt 0 ] || [ $((passed + skipped)) -eq 0 ]; then
	exit 1
fi
exit 0
