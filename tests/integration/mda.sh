#!/bin/sh
# mda.sh MAILDIR: deliver standard input into MAILDIR as one new message
# (tmp/, then a rename into new/): the MDA fetchmail runs once per message in
# tests/integration/harness.sh and bench/fetch.  The name joins the pid with
# the uptime in 1/100 s (no extra process): pids wrap around within a big
# fetch, but never within 10 ms.
umask 077
read -r up _ </proc/uptime
name="fm.$$.$up.mda"
cat >"$1/tmp/$name" && mv "$1/tmp/$name" "$1/new/$name"
