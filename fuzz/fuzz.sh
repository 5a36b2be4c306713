#!/bin/sh
# fuzz.sh: builds the libFuzzer targets with clang and runs each for a set
# time on its seed corpus; speaks TAP (one case per target).
#
#   fuzz/fuzz.sh [TARGET...]     from the build directory; targets: json
#                                extract routes keymap conffile (default all)
#
# FUZZ_SECONDS (default 5: the test suite's run; `make fuzz` sets 60) is
# the time each target runs; FUZZ_CC (default clang) the compiler. The
# targets are built in ./fuzz/ with -fsanitize=fuzzer,address,undefined;
# the inputs libFuzzer finds go to ./fuzz/corpus/TARGET (the seeds in the
# source tree's fuzz/corpus/TARGET are read, never written), a crash to
# ./fuzz/crash-TARGET-* (the case fails and names the file: reproduce with
# ./fuzz/fuzz_TARGET FILE). When clang or its libFuzzer runtime is
# missing (Debian: clang libclang-rt-14-dev, installed by scripts/dev.sh)
# the whole test is skipped with a message saying so.
set -u

src=$(cd "$(dirname "$0")/.." && pwd)
build=$(pwd)
secs=${FUZZ_SECONDS:-5}
cc=${FUZZ_CC:-clang}
targets=${*:-json extract routes keymap conffile}

out=$build/fuzz
mkdir -p "$out"
probe=$out/.probe
if ! command -v "$cc" >/dev/null 2>&1 ||
   ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' |
	"$cc" -fsanitize=fuzzer -x c - -o "$probe" >/dev/null 2>&1; then
	echo "1..0 # SKIP $cc with libFuzzer is not installed (Debian: clang libclang-rt-14-dev; scripts/dev.sh installs them)"
	exit 0
fi
rm -f "$probe"
if [ ! -f "$build/config.h" ]; then
	echo "Bail out! run fuzz/fuzz.sh from the build directory (no config.h in $build)"
	exit 1
fi

CFLAGS="-g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
 -I$build -I$src -I$src/lib $(pkg-config --cflags jansson libpcre2-8 ncursesw 2>/dev/null)"

# The sources and libraries of each target.
sources()
{
	case $1 in
	json) echo "lib/jsonx.c lib/util.c" ;;
	conffile) echo "lib/conffile.c lib/util.c" ;;
	keymap) echo "keymaps/keymap.c lib/conffile.c lib/util.c" ;; # + the generated keys
	extract) echo "server/rules/extract.c lib/dates.c lib/money.c lib/validate.c lib/util.c" ;;
	routes) echo "" ;;
	esac
}
libs()
{
	case $1 in
	json) pkg-config --libs jansson ;;
	conffile) echo "" ;;
	keymap) pkg-config --libs ncursesw ;;
	extract) pkg-config --libs libpcre2-8 jansson ;;
	routes) echo "$build/server/libcqrsd.a $build/lib/libcqrscommon.a
		$(pkg-config --libs libmicrohttpd sqlite3 libpq libsodium zlib libcurl jansson libpcre2-8) -lpthread" ;;
	esac
}

n=0
failed=0
set -- $targets
echo "1..$#"
for t in "$@"; do
	n=$((n + 1))
	bin=$out/fuzz_$t
	srcs="$src/fuzz/fuzz_$t.c"
	for f in $(sources "$t"); do srcs="$srcs $src/$f"; done
	[ "$t" = keymap ] && srcs="$srcs $build/keymaps/builtin_keys.c"
	deps="$srcs"
	[ "$t" = routes ] && deps="$deps $src/server/http/routes.c $build/server/libcqrsd.a"
	stale=1
	if [ -x "$bin" ]; then
		stale=0
		for f in $deps; do [ "$f" -nt "$bin" ] && stale=1; done
	fi
	if [ $stale = 1 ]; then
		# shellcheck disable=SC2086
		if ! timeout 300 "$cc" $CFLAGS -o "$bin" $srcs $(libs "$t") >"$out/build-$t.log" 2>&1; then
			echo "not ok $n - fuzz_$t builds with $cc"
			sed 's/^/# /' "$out/build-$t.log" | head -40
			failed=$((failed + 1))
			continue
		fi
	fi
	mkdir -p "$out/corpus/$t"
	log=$out/run-$t.log
	# LeakSanitizer cannot run under ptrace (some sandboxes); leaks are
	# found by the unit tests' valgrind-free ASan builds instead.
	ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		timeout --kill-after=5 $((secs + 60)) "$bin" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$out/crash-$t-" \
		"$out/corpus/$t" "$src/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		echo "ok $n - fuzz_$t: ${secs} s, no crash (${stats:-no stats})"
	else
		echo "not ok $n - fuzz_$t crashed or failed (exit $rc); see $log"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written|artifact' "$log" | head -20 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
[ $failed -eq 0 ]
