#!/bin/sh
# The pager reflows format=flowed text to the width of its pane, and again
# when the terminal is resized.
. "$(dirname "$0")/lib.sh"
mkdir -p "$UI_TMP/home" "$UI_STORE/demo/new" "$UI_STORE/demo/cur" "$UI_STORE/demo/tmp"
cp "$SURAT_SRCDIR/tests/data/mail/flowed.eml" "$UI_STORE/demo/new/1700000000.flowed.test"
cat >"$UI_CONFIG" <<CONF
store = "$UI_STORE";
theme = "default";
index_lines = 4;
accounts = ( { name = "demo"; host = "127.0.0.1"; user = "alice"; } );
CONF
ui_start

wait_for "format=flowed" || true
ui_keys Enter
check "the flowed message opens" wait_for "Ines Duarte"
# The sender broke the line after "so a"; reflowed to 100 columns it runs on.
check "a flowed paragraph is joined and filled to the pane's 100 columns" \
	wait_for "format=flowed, so a reader reflows it to the"
check "a line without a trailing space still ends the paragraph" \
	screen_has "A line without a trailing space ends where it ends."
check "quoted flowed text joins at its own depth" \
	screen_has "> Quoted flowed text also joins into one paragraph at its own quote depth,"
ui_tmux resize-window -t 0 -x 50 -y "$UI_HEIGHT"
# The first line is there as soon as tmux cuts the old screen to 50 columns,
# before surat has drawn again: wait for the lines only a new fill has.
check "after a resize to 50 columns the paragraph is filled again" \
	wait_for "This paragraph was written in one piece and sent"
check "and its next line starts where the 50 columns ended" \
	wait_for "as format=flowed, so a reader reflows it to the"
check "quote marks are kept on every wrapped line" wait_for "> marks on every line after wrapping."
ui_keys q q
check "q q quits" wait_for "EXIT=0"
tap_end
