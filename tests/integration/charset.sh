#!/bin/sh
# One MIME path: what `surat fetch` indexes (and `fetch --rest` indexes
# again) is read with the configuration's charset_fallbacks, as the pager
# reads it, so `surat list body:WORD` finds the words `surat show` prints.
. "$(dirname "$0")/lib.sh"
dc_require 6
it_require_fetch 6

dc_start alice
md=$(dc_maildir alice)
mkdir -p "$md/cur"
# KOI8-R without a charset label: "Привет" / "привет, мир".  The second one
# is larger than max_size, so fetch stores its headers and --rest the rest.
python3 - "$md/cur" <<'PY'
import sys
d = sys.argv[1]
head = ("From: Ivan <ivan@example.org>\nTo: alice@example.net\n"
        "Date: Wed, 07 Jan 2026 10:00:%02d +0000\nMessage-ID: <koi8-%d@example.org>\n")
small = (head % (0, 1) + "Subject: Привет\n\nпривет, мир\n").encode("koi8-r")
big = (head % (1, 2) + "Subject: Отчёт\n\nсамовар\n" + "данные\n" * 20000).encode("koi8-r")
open(d + "/1767780000.M1P1Q1.test:2,", "wb").write(small)
open(d + "/1767780001.M2P1Q2.test:2,", "wb").write(big)
PY
[ "$(id -u)" -ne 0 ] || chown -R dovecot:dovecot "$md"
it_config "$(dc_account main alice implicit 'max_size = 100000;')"
echo 'charset_fallbacks = ["koi8-r"];' >>"$IT_CFG"

it_fetch
check "fetch succeeds" rc_is 0
check "the unlabelled KOI8-R body is found by its word (body:мир)" \
	sh -c "'$SURAT' -c '$IT_CFG' list body:мир | grep -q ' Привет\$'"
check "its subject is read with the same fallback" \
	sh -c "'$SURAT' -c '$IT_CFG' list subject:привет | grep -q ' Привет\$'"
check "the large one is headers only so far: its subject is indexed, its body not" \
	sh -c "'$SURAT' -c '$IT_CFG' list subject:отчёт | grep -q ' Отчёт\$' &&
		[ -z \"\$('$SURAT' -c '$IT_CFG' list body:самовар)\" ]"
it_fetch --rest
check "fetch --rest succeeds" rc_is 0
check "the whole message, indexed again, is found by its body word (body:самовар)" \
	sh -c "'$SURAT' -c '$IT_CFG' list body:самовар | grep -q ' Отчёт\$'"
tap_end
