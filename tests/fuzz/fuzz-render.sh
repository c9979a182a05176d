#!/bin/sh
# fuzz-render.sh: build tests/fuzz/fuzz-render.c with clang and libFuzzer
# (the whole display path: GMime -> render -> sanitize, and the part list)
# and run it for FUZZ_SECONDS (default 20) from the seed corpus, whose
# oracle aborts on any ESC, C0 but tab and newline, C1 or invalid UTF-8 in
# the output.  The sources are compiled here, with clang's own sanitizers,
# because the normal build may use gcc's.  Skipped only when clang cannot
# build a libFuzzer program at all.
set -u
: "${SURAT_SRCDIR:=.}"
: "${SURAT_BUILDDIR:=.}"
: "${FUZZ_SECONDS:=20}"
src=$(cd "$SURAT_SRCDIR" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/surat-fuzz-render.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

CLANG=${CLANG:-clang}
if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "1..0 # SKIP no clang"
	exit 0
fi
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' \
	>"$tmp/probe.c"
if ! "$CLANG" -fsanitize=fuzzer "$tmp/probe.c" -o "$tmp/probe" >"$tmp/probe.log" 2>&1; then
	echo "1..0 # SKIP clang cannot build libFuzzer programs (install libclang-rt-14-dev)"
	exit 0
fi

echo "1..2"
pkgs="gmime-3.0 libxml-2.0 libconfig openssl"
# config.c, theme.c, keymap.c and suggest.c come along because mailcap.c expands ~ with config.c.
sources="tests/fuzz/fuzz-render.c src/render.c src/render-text.c src/mime.c src/attach.c
	src/mailcap.c src/command.c src/html.c src/sanitize.c src/width.c src/config.c src/theme.c
	src/keymap.c src/suggest.c"
set --
for f in $sources; do
	set -- "$@" "$src/$f"
done
# shellcheck disable=SC2046
if "$CLANG" -g -O1 -std=c11 -D_GNU_SOURCE -DSURAT_THEMES_DIR='"/nonexistent"' \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$src/include" -I"$SURAT_BUILDDIR" $(pkg-config --cflags $pkgs) "$@" \
	$(pkg-config --libs $pkgs) -o "$tmp/fuzz-render" >"$tmp/build.log" 2>&1; then
	echo "ok 1 - clang builds the fuzz-render target"
else
	echo "not ok 1 - clang builds the fuzz-render target"
	sed 's/^/# /' "$tmp/build.log" | head -40
	echo "not ok 2 - fuzz-render runs # no binary"
	exit 1
fi

# Run from a copy of the seeds, so the source tree is not written to.
mkdir "$tmp/corpus"
cp "$src/tests/fuzz/corpus/render/"* "$tmp/corpus/"
cd "$tmp" || exit 1
if ASAN_OPTIONS=detect_leaks=1 ./fuzz-render -max_total_time="$FUZZ_SECONDS" -max_len=65536 \
	-timeout=10 -rss_limit_mb=2048 -dict="$src/tests/fuzz/fuzz-render.dict" \
	-print_final_stats=1 corpus >fuzz.log 2>&1; then
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' fuzz.log)
	echo "ok 2 - fuzz-render ran ${FUZZ_SECONDS}s (${runs:-?} inputs), the oracle held"
else
	echo "not ok 2 - fuzz-render found a failure"
	grep -v '^#' fuzz.log | tail -40 | sed 's/^/# /'
	for crash in crash-* timeout-* oom-* leak-*; do
		[ -f "$crash" ] || continue
		echo "# input: $crash (base64)"
		base64 "$crash" | head -20 | sed 's/^/# /'
	done
	exit 1
fi
