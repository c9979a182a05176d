#!/bin/sh
# scan-build (the clang static analyzer) over the tree: the library and
# surat (with SCAN_BUILD_TESTS=1 every test program too), built in their own folder
# ($SURAT_BUILDDIR/scan-build) without sanitizers.  Any report fails, each
# listed as FILE:LINE: what [checker]; the HTML reports stay in
# scan-build/reports for scan-view.
#
# The folder is kept between runs, so only what changed is analyzed again
# (make's dependencies cover the headers).  The objects that depend on a file
# with a report are removed, so the next run analyzes them again; another
# clang or another version of this script starts a clean build.
#
# The unit tests are analyzed with scan-build-cmocka.h, which tells the
# analyzer that a failed cmocka assertion ends the test.  A report that is a
# real false positive is annotated where it is, with a one-line reason
# (doc/internals/tests.md says how).
set -u
: "${SURAT_SRCDIR:?}"
: "${SURAT_BUILDDIR:?}"
if ! command -v scan-build >/dev/null 2>&1; then
	echo "1..0 # SKIP scan-build is not installed (Debian package clang-tools)"
	exit 0
fi
src=$(cd "$SURAT_SRCDIR" && pwd)
sb="$(cd "$SURAT_BUILDDIR" && pwd)/scan-build"
mkdir -p "$sb"
cd "$sb" || exit 1

echo "1..2"
stamp="$(clang --version 2>&1 | head -1) $(cat "$src/tests/lint/scan-build.sh" \
	"$src/tests/lint/scan-build-cmocka.h" | md5sum)"
if [ ! -f settings.stamp ] || [ "$(cat settings.stamp)" != "$stamp" ]; then
	cd .. && rm -rf "$sb" && mkdir "$sb" && cd "$sb" || exit 1
	echo "$stamp" >settings.stamp
fi
# Every object built from a file that had a report last time is analyzed again.
if [ -f reported.files ]; then
	while read -r f; do
		grep -rlF --include='*.Po' "$f" . | while read -r po; do
			rm -f "$(sed -n '1s/:.*//p' "$po")"
		done
	done <reported.files
	rm -f reported.files
fi
rm -rf reports
# One analyzer run over the build of surat and its library (with its own
# jobs, not those of the `make check` that runs this script); with
# SCAN_BUILD_TESTS=1 (make scan-build-all) also of every test program, which
# ./check leaves out to stay within its time.
unset MAKEFLAGS MFLAGS MAKELEVEL
{ [ -f Makefile ] && [ Makefile -nt "$src/configure" ] ||
	scan-build -o "$sb/reports" "$src/configure" -q CFLAGS="-O0 -g" CMOCKA_LIBS=-lcmocka \
		CMOCKA_CFLAGS="-include $src/tests/lint/scan-build-cmocka.h" >configure.out 2>&1; } &&
	scan-build -o "$sb/reports" make -j2 all >make.out 2>&1 &&
	{ [ "${SCAN_BUILD_TESTS:-0}" != 1 ] ||
		scan-build -o "$sb/reports" make -j2 check TESTS= >>make.out 2>&1; }
built=$?

# The files with reports, also from a build that stopped half-way (their objects exist now).
reports=$(ls reports/*/report-*.html 2>/dev/null)
for r in $reports; do
	sed -n 's/^<!-- BUGFILE \(.*\) -->$/\1/p' "$r"
done | sort -u >reported.files
[ -s reported.files ] || rm -f reported.files
if [ "$built" -eq 0 ]; then
	echo "ok 1 - scan-build builds the tree"
else
	echo "not ok 1 - scan-build builds the tree"
	tail -30 configure.out make.out 2>/dev/null | sed 's/^/# /'
	echo "not ok 2 - scan-build found nothing # no build"
	exit 1
fi

# One line per report, from the comments at the top of each HTML report.
list=$(for r in $reports; do
	sed -n 's/^<!-- \(BUGFILE\|BUGLINE\|BUGDESC\|BUGTYPE\) \(.*\) -->$/\1 \2/p' "$r" |
		awk -v src="$src/" '
			{ key = $1; sub(/^[A-Z]* /, ""); v[key] = $0 }
			END { f = v["BUGFILE"]; sub(src, "", f)
				printf "%s:%s: %s [%s]\n", f, v["BUGLINE"], v["BUGDESC"], v["BUGTYPE"] }'
done | sort)
files=$(grep -c ' CC ' make.out)
if [ -z "$list" ]; then
	echo "ok 2 - scan-build found nothing (${files} files analyzed this run)"
else
	echo "not ok 2 - scan-build found $(echo "$list" | wc -l) report(s); HTML in $sb/reports"
	echo "$list" | sed 's/^/# /'
	exit 1
fi
