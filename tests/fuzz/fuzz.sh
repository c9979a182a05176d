#!/bin/sh
# fuzz.sh: build every libFuzzer target of tests/fuzz with clang and run each
# for FUZZ_SECONDS (default 5) from its seed corpus, one TAP line per target.
#
# The targets are built by a second configure of the tree with CC=clang
# --enable-fuzzing --enable-sanitizers (libsurat instrumented for coverage,
# ASan and UBSan) in $SURAT_BUILDDIR/fuzz-build, kept between runs so only
# what changed is rebuilt.  Each target writes to
# ${FUZZ_OUT:-$SURAT_BUILDDIR/fuzz-out}/TARGET/: corpus/ (inputs it found),
# and crash-*, timeout-*, oom-*, leak-* files when the oracle fails.  With
# FUZZ_MERGE=1 (make fuzz-long) the inputs that add coverage beyond the seed
# corpus are then merged into TARGET/new/, ready to be copied into
# tests/fuzz/corpus/TARGET/.
#
#   FUZZ_SECONDS=N     seconds per target (make fuzz-long: 3600)
#   FUZZ_TARGETS="a b" only these targets (default: every fuzz-*.c)
#   FUZZ_JOBS=N        targets run at once (default 1)
#   FUZZ_SEED=N        libFuzzer's -seed (default 1, so ./check explores the
#                      same inputs each run and a red run can be replayed;
#                      make fuzz-long: 0, a new random seed each run)
#
# Skipped only when clang cannot build a libFuzzer program at all.
set -u
: "${SURAT_SRCDIR:=.}"
: "${SURAT_BUILDDIR:=.}"
: "${FUZZ_SECONDS:=5}"
: "${FUZZ_JOBS:=1}"
: "${FUZZ_MERGE:=0}"
: "${FUZZ_SEED:=1}"
src=$(cd "$SURAT_SRCDIR" && pwd)
builddir=$(cd "$SURAT_BUILDDIR" && pwd)
fb="$builddir/fuzz-build"
out=${FUZZ_OUT:-$builddir/fuzz-out}
CLANG=${CLANG:-clang}

if [ -z "${FUZZ_TARGETS:-}" ]; then
	FUZZ_TARGETS=$(cd "$src/tests/fuzz" && ls fuzz-*.c | sed 's/^fuzz-//; s/\.c$//')
fi
set -- $FUZZ_TARGETS

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "1..0 # SKIP no clang"
	exit 0
fi
mkdir -p "$fb" "$out" || exit 1
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' \
	>"$fb/probe.c"
if ! "$CLANG" -fsanitize=fuzzer "$fb/probe.c" -o "$fb/probe" >"$fb/probe.log" 2>&1; then
	echo "1..0 # SKIP clang cannot build libFuzzer programs (install libclang-rt-14-dev)"
	exit 0
fi

echo "1..$(($# + 1))"
progs=
for t in "$@"; do
	progs="$progs tests/fuzz/fuzz-$t"
done
(
	cd "$fb" &&
	{ [ -f Makefile ] && [ Makefile -nt "$src/configure" ] ||
		"$src/configure" -q CC="$CLANG" CFLAGS="-g -O1" --enable-fuzzing \
			--enable-sanitizers >configure.out 2>&1; } &&
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -j2 $progs >make.out 2>&1
)
if [ $? -eq 0 ]; then
	echo "ok 1 - clang builds the fuzz targets ($*)"
else
	echo "not ok 1 - clang builds the fuzz targets ($*)"
	tail -40 "$fb/configure.out" "$fb/make.out" 2>/dev/null | sed 's/^/# /'
	n=1
	for t in "$@"; do
		n=$((n + 1))
		echo "not ok $n - fuzz-$t # no binary"
	done
	exit 1
fi

# The value of KEY in TARGET's .options file (libFuzzer's [libfuzzer] section), or DEFAULT.
option() {
	v=$(sed -n "s/^$2 *= *//p" "$src/tests/fuzz/fuzz-$1.options" 2>/dev/null | head -1)
	echo "${v:-$3}"
}

# Run TARGET (the Nth test); its TAP line goes to $out/TARGET/result.
run() {
	t=$1
	o="$out/$t"
	rm -rf "$o"
	mkdir -p "$o/corpus"
	set -- -seed="$FUZZ_SEED" -max_total_time="$FUZZ_SECONDS" -max_len="$(option "$t" max_len 65536)" \
		-timeout="$(option "$t" timeout 10)" -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$o/"
	dict=$(option "$t" dict "")
	[ -n "$dict" ] && set -- "$@" -dict="$src/tests/fuzz/$dict"
	# New inputs go to the first folder only: the seeds in the source tree stay as they are.
	if G_DEBUG=fatal-criticals ASAN_OPTIONS=detect_leaks=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$fb/tests/fuzz/fuzz-$t" "$@" "$o/corpus" "$src/tests/fuzz/corpus/$t" \
		>"$o/fuzz.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$o/fuzz.log")
		echo "ok - fuzz-$t ran ${FUZZ_SECONDS}s (${runs:-?} inputs), the oracle held" >"$o/result"
	else
		{
			echo "not ok - fuzz-$t found a failure"
			grep -v '^#' "$o/fuzz.log" | tail -40 | sed 's/^/# /'
			for crash in "$o"/crash-* "$o"/timeout-* "$o"/oom-* "$o"/leak-*; do
				[ -f "$crash" ] || continue
				echo "# input: $crash (replay: $builddir/tests/fuzz/replay-$t DIR-WITH-IT;"
				echo "# once fixed, copy it into tests/fuzz/corpus/$t/); base64:"
				base64 "$crash" | head -20 | sed 's/^/# /'
			done
		} >"$o/result"
		return
	fi
	[ "$FUZZ_MERGE" = 1 ] || return
	# Keep what adds coverage beyond the seeds, under names libFuzzer gives (SHA-1).
	mkdir -p "$o/merged" "$o/new"
	cp "$src/tests/fuzz/corpus/$t/"* "$o/merged/"
	"$fb/tests/fuzz/fuzz-$t" -merge=1 -max_len="$(option "$t" max_len 65536)" \
		"$o/merged" "$o/corpus" >"$o/merge.log" 2>&1
	for f in "$o/merged/"*; do
		[ -e "$src/tests/fuzz/corpus/$t/$(basename "$f")" ] || mv "$f" "$o/new/"
	done
	rm -rf "$o/merged"
	echo "# fuzz-$t: $(ls "$o/new" | wc -l) new corpus entries in $o/new" >>"$o/result"
}

n=1
failed=0
while [ $# -gt 0 ]; do
	batch=
	i=0
	while [ $# -gt 0 ] && [ "$i" -lt "$FUZZ_JOBS" ]; do
		run "$1" &
		batch="$batch $1"
		shift
		i=$((i + 1))
	done
	wait
	for t in $batch; do
		n=$((n + 1))
		sed "1s/^\(not \)\{0,1\}ok /&$n /" "$out/$t/result"
		grep -q '^not ok' "$out/$t/result" && failed=$((failed + 1))
	done
done
[ "$failed" -eq 0 ]
