#!/bin/sh
# mda.sh MAILDIR: deliver standard input into MAILDIR as one new message
# (tmp/, then a rename into new/): the MDA fetchmail runs once per message in
# tests/integration/harness.sh and bench/fetch.
umask 077
f="$1/tmp/fm.$$.mda"
cat >"$f" && mv "$f" "$1/new/fm.$$.mda"
