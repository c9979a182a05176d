#!/bin/sh
# What a mutt user carries over, at the : line and in the config: macros
# (from the file and from :macro) that really limit the view, their
# descriptions on the help screen, a macro that runs itself stopped with a
# clear error, :push and :exec, :source with a bad line named FILE:LINE,
# :unbind, set invX / unset / toggle / reset, and keys bound to nothing
# saying so (a single key, M-x, an unfinished sequence).
. "$(dirname "$0")/lib.sh"
ui_setup
cat >>"$UI_CONFIG" <<'CONF'
macro = (
	{ context = "index"; keys = ",a"; sequence = "<limit>~f maria<Enter>";
	  description = "mail from Maria"; },
	{ context = "index"; keys = "M-m"; sequence = "<limit>all\n"; },
	{ context = "index,pager"; keys = "L"; sequence = "jL"; description = "runs itself"; }
);
CONF
cat >"$UI_TMP/good.cmds" <<'CMDS'
# a comment, then commands as typed after :
set index_lines 3

macro index ,j "<limit>~f jens<Enter>" "mail from Jens"
CMDS
cat >"$UI_TMP/bad.cmds" <<'CMDS'
set index_lines 4
# the next line is wrong
set index_lines 500
set index_lines 5
CMDS
ui_start
wait_for "Your laptop is ready" || true
check "the index starts on message 3 of 12" wait_for "surat: demo -- 3/12"

ui_keys , a
check "a macro from the config (, a) limits the view: Maria's two messages" \
	wait_for "limit: ~f maria"
check "two of them" wait_for "/2 -- 1 new"
ui_keys Escape m
check "a Meta macro whose sequence ends in a newline (libconfig's escape) clears the limit" \
	wait_for "/12 --"
check "the status line has no limit left" wait_gone "limit:"

ui_keys : && ui_keys -l 'macro index ,b "<limit>~f alice<Enter>" "mail from Alice"' && ui_keys Enter
check ":macro says what it bound" wait_for "index: ,b is a macro"
ui_keys , b
check "the :macro macro limits the view too" wait_for "limit: ~f alice"
check "to Alice's one message" wait_for "-- 1/1 --"
ui_keys : && ui_keys -l 'push "<limit>all<Enter>"' && ui_keys Enter
check ":push types keys and runs <actions>: the limit is gone" wait_for "/12 --"
ui_keys : && ui_keys -l 'exec last-entry previous-entry' && ui_keys Enter
check ":exec runs actions one after another" wait_for "-- 11/12 --"

# help_find TEXT: page down the help until TEXT shows (the index's keys are long).
help_find() {
	for _ in 1 2 3 4 5 6; do
		wait_for "$1" 1 && return 0
		ui_keys PageDown
	done
	screen_has "$1"
}
ui_keys ?
wait_for "Keys in the index:" || true
check "the help lists a macro with its keys and description" \
	help_find "mail from Maria"
check "the config's macro: , a then its description" screen_match '^  , a +macro +mail from Maria'
check "one without a description shows its sequence, escaped" \
	screen_match '^  M-m +macro +<limit>all\\n'
check "the :macro one too" screen_match '^  , b +macro +mail from Alice'
ui_keys q
wait_gone "mail from Alice" || true

ui_keys L
check "a macro that types its own keys is stopped, and says why" \
	wait_for "macro L: stopped after 100 macros from one key"
check "surat still takes keys" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q EXIT="
ui_keys Home
wait_for "-- 1/12 --" || true

ui_keys : && ui_keys -l "source $UI_TMP/good.cmds" && ui_keys Enter
check ":source runs a file of commands and says how many" wait_for "good.cmds: 2 commands done"
ui_keys : && ui_keys -l 'set index_lines?' && ui_keys Enter
check "its set took effect" wait_for "index_lines = 3"
ui_keys , j
check "and its macro works" wait_for "limit: ~f jens"
ui_keys Escape m
wait_for "/12 --" || true
ui_keys : && ui_keys -l "source $UI_TMP/bad.cmds" && ui_keys Enter
check ":source stops at the first bad line and names it FILE:LINE" \
	wait_for "bad.cmds:3: index_lines: expected a number from 1 to 200"
ui_keys : && ui_keys -l 'set index_lines?' && ui_keys Enter
check "the lines before it ran, those after did not" wait_for "index_lines = 4"

ui_keys : && ui_keys -l 'unbind index ,a' && ui_keys Enter
check ":unbind says so" wait_for "index: ,a is not bound"
ui_keys , a
check "an unbound sequence whose first key leads on says it is not bound" \
	wait_for ", a is not bound. Press ? for help."
check "and the view is not limited" screen_lacks "limit:"
ui_keys : && ui_keys -l 'unbind compose2 x' && ui_keys Enter
check "a bad :unbind says why" wait_for 'unbind: unknown context "compose2"'
ui_keys : && ui_keys -l 'unbind * j' && ui_keys Enter
check ":unbind * KEY unbinds it everywhere" wait_for "every context: j is not bound"
ui_keys j
check "j now says it is not bound" wait_for "Key is not bound. Press ? for help."
ui_keys Escape x
check "M-x bound to nothing says so too" wait_for "M-x is not bound. Press ? for help."
ui_keys Y
check "a single key too" wait_for "Key is not bound. Press ? for help."
ui_keys Enter
wait_for "Subject:" || true
ui_keys Escape x
check "in the pager, M-x says so as well" wait_for "M-x is not bound. Press ? for help."
ui_keys q ?
wait_for "Keys in the index:" || true
ui_keys w
check "in the help, a key bound to nothing says so (the help is open: no \"Press ?\")" wait_for "Key is not bound."
ui_keys q
wait_gone "Keys in the index:" || true

ui_keys : && ui_keys -l 'set invtext_flowed' && ui_keys Enter
check "set invOPTION turns a yes/no option over" wait_for "text_flowed = yes"
ui_keys : && ui_keys -l 'toggle text_flowed' && ui_keys Enter
check "toggle OPTION too" wait_for "text_flowed = no"
ui_keys : && ui_keys -l 'set text_flowed' && ui_keys Enter
wait_for "text_flowed = yes" || true
ui_keys : && ui_keys -l 'unset text_flowed' && ui_keys Enter
check "unset OPTION turns it off" wait_for "text_flowed = no"
ui_keys : && ui_keys -l 'set index_lines 2' && ui_keys Enter
wait_for "index_lines = 2" || true
ui_keys : && ui_keys -l 'reset index_lines' && ui_keys Enter
check "reset OPTION gives the config file's value back" wait_for "index_lines = 6"
ui_keys : && ui_keys -l 'set forward_format attach' && ui_keys Enter
check "an option that was not settable before: forward_format" wait_for "forward_format = attach"
ui_keys : && ui_keys -l 'reset forward_format' && ui_keys Enter
check "reset of an option the file does not set: its default" wait_for "forward_format = inline"
ui_keys : && ui_keys -l 'set headers_shown From Subject' && ui_keys Enter
check "set a list option" wait_for "headers_shown = From Subject"
ui_keys Enter
wait_for "Subject:" || true
check "it takes effect: the pager shows only those headers" screen_lacks "Date:"
ui_keys : && ui_keys -l 'reset headers_shown' && ui_keys Enter
check "reset gives the file's (default) list back, the open message rendered again" \
	wait_for "Date:"
ui_keys q
wait_gone "Subject:" || true
ui_keys : && ui_keys -l 'set url_command' && ui_keys Enter
check "set OPTION of a string shows its value (none: \"\")" wait_for 'url_command = ""'
ui_keys : && ui_keys -l 'unset index_lines' && ui_keys Enter
check "unset of a number says what to do instead" \
	wait_for "unset index_lines: not a yes/no option"
ui_keys : && ui_keys -l 'set index_lines 201' && ui_keys Enter
check "index_lines has one range, the config's" wait_for "expected a number from 1 to 200"
ui_keys : && ui_keys -l 'macro index ,z "<frobnicate>"' && ui_keys Enter
check "a bad :macro says why" wait_for "macro: <frobnicate> is neither an action nor a key name"

ui_keys : && ui_keys -l 'quit' && ui_keys Enter
check ":quit leaves surat" wait_for "EXIT=0"
check "nothing on stderr" test ! -s "$UI_TMP/stderr"
tap_end
