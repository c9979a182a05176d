#!/bin/sh
# valgrind over a build without sanitizers ($VALGRIND_BUILDDIR, made by
# ./check): every unit test program, and the real binary rendering every
# message of the corpus.  One TAP line each; any memory error or definite
# leak fails it.
set -u
: "${SURAT_SRCDIR:?}"
if [ -z "${VALGRIND_BUILDDIR:-}" ] || [ ! -x "$VALGRIND_BUILDDIR/surat" ]; then
	echo "1..0 # SKIP no build without sanitizers (./check makes one in _build/valgrind)"
	exit 0
fi
if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind is not installed"
	exit 0
fi
vg() {
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite --child-silent-after-fork=yes \
		--suppressions="$SURAT_SRCDIR/tests/lint/valgrind.supp" "$@"
}
n=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
result() {
	n=$((n + 1))
	if [ "$1" -ne 99 ] && ! grep -q '^==[0-9]*== ' "$log"; then
		echo "ok $n - valgrind $2"
	else
		echo "not ok $n - valgrind $2"
		sed 's/^/# /' "$log" | head -60
		failed=$((failed + 1))
	fi
}
for t in "$VALGRIND_BUILDDIR"/tests/unit/test-*; do
	case $t in *.o | *.log | *.trs) continue ;; esac
	[ -x "$t" ] || continue
	SURAT_SLOW_TESTS=1 CMOCKA_MESSAGE_OUTPUT=TAP vg "$t" >/dev/null 2>"$log"
	result $? "$(basename "$t")"
done
for m in "$SURAT_SRCDIR"/tests/data/mail/*.eml; do
	TZ=UTC vg "$VALGRIND_BUILDDIR/surat" show "$m" >/dev/null 2>"$log"
	result $? "surat show $(basename "$m")"
done
echo "1..$n"
[ "$failed" -eq 0 ]
