#!/bin/sh
# The monkey (tests/ui/monkey.py): random keys weighted towards the bound
# ones, every prompt, Tab, Escape, Backspace, Home/End, resizes and mouse
# events, sent to the sanitizer build in tmux on the sample cache and on
# 3,000 generated messages.  A crash, a sanitizer report or a hang fails, and
# the keys that did it are printed and saved (MONKEY_OUT, default the
# current folder) to become a regression test.  In make check it runs
# MONKEY_SECONDS (60) with the fixed MONKEY_SEED (1); `make monkey` runs an
# hour with a random seed.
: "${SURAT:?run from make check, or set SURAT to the built binary}"
: "${SURAT_SRCDIR:?run from make check, or set SURAT_SRCDIR to the source tree}"
exec python3 "$SURAT_SRCDIR/tests/ui/monkey.py" --seconds "${MONKEY_SECONDS:-60}" \
	--seed "${MONKEY_SEED:-1}" --out "${MONKEY_OUT:-$PWD}"
