#!/bin/sh
# cppcheck over every source file: one TAP line per file, failing on any
# finding.  GLib's macros are given simple stand-ins so cppcheck need not
# read GLib's headers.
set -u
: "${SURAT_SRCDIR:?}"
if ! command -v cppcheck >/dev/null 2>&1; then
	echo "1..0 # SKIP cppcheck is not installed"
	exit 0
fi
n=0
failed=0
for f in $(cd "$SURAT_SRCDIR" && find src -name '*.c' | sort); do
	n=$((n + 1))
	out=$(cppcheck -q --enable=warning,performance,portability --std=c11 --inline-suppr \
		--error-exitcode=1 -D_GNU_SOURCE -D'G_GNUC_PRINTF(a,b)=' \
		-D'G_DEFINE_QUARK(a,b)=' -D'g_new0(t,n)=((t *)calloc((n),sizeof(t)))' \
		-D'g_new(t,n)=((t *)malloc((n)*sizeof(t)))' \
		-I"$SURAT_SRCDIR/include" "$SURAT_SRCDIR/$f" 2>&1)
	if [ $? -eq 0 ] && [ -z "$out" ]; then
		echo "ok $n - cppcheck $f"
	else
		echo "not ok $n - cppcheck $f"
		echo "$out" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
