#!/bin/sh
# The boundaries DESIGN.md draws between modules, checked on every #include:
# one TAP line per rule, failing with each include that crosses it.
#
# A rule is a line of RULES: a name, the files it covers (globs under the
# source tree, with !GLOB for files it leaves out), and the headers those
# files may not include ("curses" stands for curses.h and ncurses.h;
# "ui/*" for the interface's private headers).  Add a rule by adding a line
# (no single quote in it: the rules are one single-quoted string).
set -u
: "${SURAT_SRCDIR:?}"
cd "$SURAT_SRCDIR" || exit 1

RULES='
protocol knows no files, rows, config or screen | src/pop3.c src/pop3-*.c src/pop3-private.h src/net.c src/tls.c src/sasl.c include/surat/pop3.h include/surat/pop3-parse.h include/surat/net.h include/surat/tls.h include/surat/sasl.h | config.h keymap.h theme.h store.h deliver.h index.h reindex.h folder.h uidls.h summary.h fetch.h ui.h ui/* curses
the store knows no network, rows or screen | src/store.c include/surat/store.h | net.h tls.h pop3.h pop3-parse.h sasl.h fetch.h index.h ui.h ui/* curses
the index knows no files, network or screen | src/index.c src/index-*.c src/index-private.h include/surat/index.h | store.h deliver.h net.h tls.h pop3.h sasl.h fetch.h ui.h ui/* curses
only the interface draws | src/*.c include/surat/*.h !src/main.c | ui.h ui/* curses
modules never call the interface | src/main.c | ui/* curses
themes and mailcap need no config (no cycle with config.c) | src/theme.c include/surat/theme.h src/mailcap.c include/surat/mailcap.h src/path.c include/surat/path.h | config.h
the pop3 parsers need nothing of the session (no cycle with pop3.c) | src/pop3-parse.c include/surat/pop3-parse.h | pop3.h pop3-private.h net.h tls.h sasl.h
the index private header stays in the index | src/*.c src/ui/*.c !src/index*.c | index-private.h
the query parser knows no SQL or schema (index-search.c compiles its trees) | src/search*.c src/search-private.h include/surat/search.h | sqlite3.h index.h index-private.h
the search private header stays in search | src/*.c src/ui/*.c !src/search*.c | search-private.h
the render private header stays in render | src/*.c src/ui/*.c !src/render*.c | render-private.h
the keymap private header stays in the key map | src/*.c src/ui/*.c !src/keymap*.c | keymap-private.h
the config private header stays in config | src/*.c src/ui/*.c !src/config*.c | config-private.h
the pop3 private header stays in the pop3 session | src/*.c src/ui/*.c !src/pop3.c !src/pop3-*.c | pop3-private.h
the fetch private header stays in fetch | src/*.c src/ui/*.c !src/fetch*.c | fetch-private.h
the reindex private header stays in reindex | src/*.c src/ui/*.c !src/reindex*.c | reindex-private.h
compose knows no network, rows or screen (the interface runs the editor, outbox.c sends) | src/compose*.c include/surat/compose.h | net.h tls.h pop3.h pop3-parse.h sasl.h smtp.h index.h store.h folder.h ui.h ui/* curses
the compose private header stays in compose | src/*.c src/ui/*.c !src/compose*.c | compose-private.h
the index view state stays in the index view (opaque as the sidebar) | src/*.c src/ui/*.c !src/ui/index-view.c !src/ui/browse.c | index-view.h
'

# expand GLOBS...: the files GLOBS name, minus those a !GLOB names.
expand() {
	keep=
	drop=
	for g in "$@"; do
		case $g in
		!*) drop="$drop ${g#!}" ;;
		*) keep="$keep $g" ;;
		esac
	done
	for f in $keep; do
		[ -f "$f" ] || continue
		skip=0
		for d in $drop; do
			# shellcheck disable=SC2254
			case $f in $d) skip=1 ;; esac
		done
		[ "$skip" -eq 1 ] || echo "$f"
	done
}

# includes FILE: the headers FILE includes, as surat/NAME.h -> NAME.h,
# "private.h" in src/ui -> ui/private.h, <curses.h> -> curses.
includes() {
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p' "$1" |
		sed 's|^surat/||; s|^n*curses\.h$|curses|'
}

n=0
failed=0
rules=$(mktemp)
trap 'rm -f "$rules"' EXIT
printf '%s\n' "$RULES" | sed '/^$/d' >"$rules"
while IFS='|' read -r name files forbidden; do
	n=$((n + 1))
	bad=
	# shellcheck disable=SC2086
	for f in $(expand $files); do
		for h in $(includes "$f"); do
			case $f in
			src/ui/*) [ "$h" = private.h ] && h=ui/private.h ;;
			esac
			for x in $forbidden; do
				# shellcheck disable=SC2254
				case $h in $x) bad="$bad
$f includes $h" ;;
				esac
			done
		done
	done
	name=$(echo "$name" | sed 's/ *$//')
	if [ -z "$bad" ]; then
		echo "ok $n - layers: $name"
	else
		echo "not ok $n - layers: $name"
		echo "$bad" | sed '/^$/d; s/^/# /'
		failed=$((failed + 1))
	fi
done <"$rules"
echo "1..$n"
[ "$failed" -eq 0 ]
