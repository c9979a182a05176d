#!/bin/sh
# Sorting: o asks for the order with one key each, O the same reversed; the
# sort option at start; :set sort for every order; the cursor keeps its message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/triage-lib.sh"
tri_setup
tri_msg 1 03 "Carla Cruz" "banana" "" "" "short" S
tri_msg 2 01 "Ann Arbor" "cherry" "" "" "a much longer body than the others, to be the biggest of the three messages by far, really" S
tri_msg 3 02 "Bob Brown" "Re: apple" "" "" "mid size body here" S
# Arrival (the file name's time) runs against the date: 3, 1, 2.
mv "$UI_STORE/demo/cur/"*Q3.test:2,S "$UI_STORE/demo/cur/1700000001.M3P1Q3.test:2,S"
mv "$UI_STORE/demo/cur/"*Q1.test:2,S "$UI_STORE/demo/cur/1700000002.M1P1Q1.test:2,S"
mv "$UI_STORE/demo/cur/"*Q2.test:2,S "$UI_STORE/demo/cur/1700000003.M2P1Q2.test:2,S"
ui_start

check "the default order is date: the status line says so" wait_for "-- date --"
check "date order: Ann's (Jan 1) first" line_has 1 "Ann Arbor"
check "date order: Carla's (Jan 3) last" line_has 3 "Carla Cruz"
ui_keys o
check "o asks for the order, one key each" wait_for "Sort (d)ate (a)rrival (f)rom (s)ubject si(z)e (t)hread?"
ui_keys s
check "o s: by subject, Re: ignored (apple first)" wait_for "-- subject --"
check "apple, banana, cherry" sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | sed -n 1,3p | grep -n . | tr '\n' ' ' | grep -q '1:.*apple.*2:.*banana.*3:.*cherry'"
ui_keys O s
check "O s: reverse-subject" wait_for "-- reverse-subject --"
check "reverse-subject: cherry first" line_has 1 "cherry"
ui_keys o f
check "o f: by sender" wait_for "-- from --"
check "from order: Ann, Bob, Carla" sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | sed -n 1,3p | tr '\n' ' ' | grep -q 'Ann.*Bob.*Carla'"
ui_keys o z
check "o z: by size" wait_for "-- size --"
check "size order: the short one first, the long one last" sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | sed -n 1,3p | tr '\n' ' ' | grep -q 'banana.*apple.*cherry'"
ui_keys o a
check "o a: by arrival" wait_for "-- arrival --"
check "arrival order follows the file names: Bob, Carla, Ann" sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | sed -n 1,3p | tr '\n' ' ' | grep -q 'Bob.*Carla.*Ann'"
ui_keys o t
check "o t: by thread" wait_for "-- thread --"
ui_keys o x
check "a key that is no order says which are" wait_for "Sort: no order on that key; d a f s z or t."
ui_keys o Escape
check "Escape gives up the question: the order stays" wait_for "-- thread --"

# The cursor stays on its message through a new order.
ui_keys o d
wait_for "-- date --" || true
ui_keys =
wait_for "1/3" || true
ui_keys O d
check "O d: newest first, the cursor follows Ann's message to the end" wait_for "3/3 -- 0 new -- reverse-date"

# :set sort, every order.
for order in date arrival from subject size thread reverse-date reverse-arrival reverse-from \
    reverse-subject reverse-size reverse-thread; do
	ui_keys : "set sort $order" Enter
	check ":set sort $order" wait_for "-- $order --"
done
ui_keys : "set sort sideways" Enter
check ":set sort with an unknown order says which exist" wait_for 'sort: unknown order "sideways"'
ui_keys : "set sort" Enter
check ":set sort alone shows the order" wait_for "sort = reverse-thread"
ui_keys q
wait_for "EXIT=0" || true

# The sort option at start, reversed.
tri_setup 'sort = "reverse-subject";'
ui_start
check "sort = reverse-subject in the config applies at start" wait_for "-- reverse-subject --"
check "reverse-subject at start: cherry first" line_has 1 "cherry"
ui_keys q
check "quits cleanly" wait_for "EXIT=0"
tap_end
