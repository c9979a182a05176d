#!/bin/sh
# surat check-config, run as a person would: the summary, the errors with
# FILE:LINE, where the file is looked for, and that nothing is written.
set -u
: "${SURAT:?run from make check, or set SURAT to the built binary}"
: "${SURAT_SRCDIR:?run from make check, or set SURAT_SRCDIR to the source tree}"
export TZ=UTC LC_ALL=C.UTF-8
# As a person runs it: only the theme cases below name a themes folder.
unset SURAT_CONFIG XDG_CONFIG_HOME NO_COLOR SURAT_THEMES_DIR
themes="$SURAT_SRCDIR/themes"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/surat-check-config.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
export HOME="$tmp/home"
scratch="$tmp/scratch" # this script's own files; the rest must not change
mkdir -p "$HOME" "$tmp/cwd" "$scratch" || exit 1
cd "$tmp/cwd" || exit 1

n=0
echo "1..23"

# ok STATUS WHAT: report one test, with the output when it failed.
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		sed 's/^/# out: /' "$scratch/out"
		sed 's/^/# err: /' "$scratch/err"
	fi
}

# run ARGS...: run surat, keeping stdout, stderr and the exit status.
run() {
	"$SURAT" "$@" >"$scratch/out" 2>"$scratch/err"
	status=$?
}

# expect FILE TEXT: FILE holds exactly the line TEXT.
expect() {
	printf '%s\n' "$2" | cmp -s - "$1"
}

# write_config FILE STORE NAME...: a valid file with one account per NAME.
write_config() {
	file=$1 store=$2
	shift 2
	mkdir -p "$(dirname "$file")"
	{
		printf 'store = "%s";\naccounts = (\n' "$store"
		sep=
		for name; do
			printf '%s\t{ name = "%s"; host = "pop.example.org"; user = "alice"; }' \
				"$sep" "$name"
			sep=",
"
		done
		printf '\n);\n'
	} >"$file"
}

write_config "$tmp/good.conf" "$tmp/store" work home
write_config "$tmp/env.conf" "$tmp/env-store" env
write_config "$tmp/xdg/surat/config" "$tmp/xdg-store" xdg
write_config "$HOME/.config/surat/config" "~/home-store" dot
write_config "$tmp/names.conf" "$tmp/store" -work fetch.log index.db-wal Index.DB-shm
cat >"$tmp/bad.conf" <<END
store = "$tmp/store";
index_lines = 0;
accounts = (
	{
		name = "work";
		host = "pop.example.org";
		port = 70000;
		tls = "ssl";
		user = "alice";
		colour = "red";
	},
	{ name = "work"; user = "bob"; }
);
END
printf 'store = "/x";\naccounts = (\n\t{ name = "a" host = ; }\n);\n' >"$tmp/syntax.conf"
printf 'store = "/x";\ntheme = "nosuch";\n' >"$tmp/theme.conf"
printf 'store = "/x";\ntheme = "mono";\n' >"$tmp/mono.conf"
printf 'status = { fg = "pink"; };\n' >"$tmp/bad.theme"
printf 'store = "/x";\ntheme = "%s";\n' "$tmp/bad.theme" >"$tmp/badtheme.conf"
printf 'store = "%s";\naccounts = ( { name = "a"; host = "h"; user = "u"; password = "hunter2"; } );\n' \
	"$tmp/store" >"$tmp/secret.conf"
cp "$tmp/secret.conf" "$tmp/secret600.conf"
chmod 644 "$tmp/secret.conf"
chmod 600 "$tmp/secret600.conf"
# The password in an @include'd file others can read; files others can write.
printf 'store = "%s";\n@include "inc-secret.inc"\n' "$tmp/store" >"$tmp/inc.conf"
printf 'accounts = ( { name = "a"; host = "h"; user = "u"; password = "hunter2"; } );\n' \
	>"$tmp/inc-secret.inc"
chmod 600 "$tmp/inc.conf"
chmod 644 "$tmp/inc-secret.inc"
printf 'store = "%s";\n@include "empty.inc"\n' "$tmp/store" >"$tmp/writable.conf"
: >"$tmp/empty.inc"
chmod 620 "$tmp/writable.conf"
chmod 602 "$tmp/empty.inc"
# @include naming a folder, the configuration's own folder (""), a FIFO, and
# one nested in an included file; a commented-out one is not read.
mkdir "$tmp/conf.d" && mkfifo "$tmp/pipe.inc" || exit 1
printf 'mouse = true;\n@include "conf.d"\n' >"$tmp/nested.inc"
cat >"$tmp/include-folder.conf" <<END
store = "$tmp/store";
# @include "conf.d"
/*
@include "pipe.inc"
*/
@include "conf.d"
@include ""
@include "pipe.inc"
@include "nested.inc"
END

# Sending (issue 12): an smtp group, a sendmail_command, and their mistakes.
cat >"$tmp/send.conf" <<END
store = "$tmp/store";
accounts = (
	{ name = "work"; host = "pop.example.org"; user = "alice@example.org";
	  smtp = { host = "smtp.example.org"; password_command = "pass smtp"; }; },
	{ name = "home"; host = "pop.example.net"; user = "bob"; from = "Bob <bob@example.net>";
	  sendmail_command = "/usr/bin/msmtp -a home"; }
);
END
cat >"$tmp/bad-send.conf" <<END
store = "$tmp/store";
record = "a/b";
accounts = (
	{
		name = "work";
		host = "pop.example.org";
		user = "alice";
		from = "Alice alice@example.org";
		smtp = { host = "smtp.example.org"; tls = "ssl"; };
		sendmail_command = "msmtp";
		signature_file = "~/no-such-signature";
	}
);
END

# Every run below must leave all of $tmp but $scratch exactly as it is.
snapshot() {
	find "$tmp" -path "$scratch" -prune -o -printf '%p %s %m %T@\n' | sort
}
snapshot >"$scratch/before"

run -c "$tmp/good.conf" check-config
[ $status -eq 0 ] && [ ! -s "$scratch/err" ] && expect "$scratch/out" \
	"$tmp/good.conf: OK: 2 accounts (work, home), store $tmp/store, theme default"
ok $? "a valid file: one summary line on stdout, exit 0"

run "-c$tmp/good.conf" check-config
[ $status -eq 0 ] && grep -q "^$tmp/good.conf: OK: 2 accounts" "$scratch/out"
ok $? "-cFILE works as -c FILE"

SURAT_CONFIG="$tmp/env.conf" XDG_CONFIG_HOME="$tmp/xdg" run -c "$tmp/good.conf" check-config
[ $status -eq 0 ] && grep -q "^$tmp/good.conf: OK: 2 accounts (work, home)" "$scratch/out"
ok $? "-c comes before \$SURAT_CONFIG and \$XDG_CONFIG_HOME"

SURAT_CONFIG="$tmp/env.conf" XDG_CONFIG_HOME="$tmp/xdg" run check-config
[ $status -eq 0 ] && expect "$scratch/out" \
	"$tmp/env.conf: OK: 1 account (env), store $tmp/env-store, theme default"
ok $? "\$SURAT_CONFIG comes before \$XDG_CONFIG_HOME"

XDG_CONFIG_HOME="$tmp/xdg" run check-config
[ $status -eq 0 ] && grep -q "^$tmp/xdg/surat/config: OK: 1 account (xdg)," "$scratch/out"
ok $? "\$XDG_CONFIG_HOME/surat/config comes before ~/.config"

run check-config
[ $status -eq 0 ] && expect "$scratch/out" \
	"$HOME/.config/surat/config: OK: 1 account (dot), store $HOME/home-store, theme default"
ok $? "~/.config/surat/config last, with ~ expanded in store"

run -c "$tmp/none.conf" check-config
[ $status -eq 2 ] && [ ! -s "$scratch/out" ] && expect "$scratch/err" \
	"surat: no configuration at $tmp/none.conf; create it (see surat.conf(5))"
ok $? "a missing file says where it looked and how to fix it, exit 2"

XDG_CONFIG_HOME="$tmp/nowhere" run check-config
[ $status -eq 2 ] && expect "$scratch/err" \
	"surat: no configuration at $tmp/nowhere/surat/config; create it (see surat.conf(5))"
ok $? "a missing file under \$XDG_CONFIG_HOME names that path"

run -c "$tmp/bad.conf" check-config
cat >"$scratch/want" <<END
surat: $tmp/bad.conf:2: index_lines: 0 is out of range 1..200
surat: $tmp/bad.conf:7: accounts.work.port: 70000 is out of range 1..65535
surat: $tmp/bad.conf:8: accounts.work.tls: "ssl" is not one of implicit, starttls, none
surat: $tmp/bad.conf:10: accounts.work.colour: unknown key
surat: $tmp/bad.conf:12: accounts.work.name: duplicate account name "work"; first used on line 5
surat: $tmp/bad.conf:12: accounts.work.host: missing; every account needs one
END
[ $status -eq 2 ] && [ ! -s "$scratch/out" ] && cmp -s "$scratch/want" "$scratch/err"
ok $? "every error, one line each with FILE:LINE: key, exit 2"

# Account names a command would take for an option, or that would collide
# with the files beside the Maildirs in the store.
run -c "$tmp/names.conf" check-config
cat >"$scratch/want" <<END
surat: $tmp/names.conf:3: accounts[0].name: "-work" starts with '-', which commands would take for an option; choose another name
surat: $tmp/names.conf:4: accounts[1].name: "fetch.log" is reserved for the fetch log in the store; choose another name
surat: $tmp/names.conf:5: accounts[2].name: "index.db-wal" is reserved for the index in the store; choose another name
surat: $tmp/names.conf:6: accounts[3].name: "Index.DB-shm" is reserved for the index in the store; choose another name
END
[ $status -eq 2 ] && [ ! -s "$scratch/out" ] && cmp -s "$scratch/want" "$scratch/err"
ok $? "account names starting with - or naming a file of the store: errors with their line, exit 2"

run -c "$tmp/syntax.conf" check-config
[ $status -eq 2 ] && expect "$scratch/err" "surat: $tmp/syntax.conf:3: syntax: syntax error"
ok $? "a syntax error names its line, exit 2"

export SURAT_THEMES_DIR="$themes"
run -c "$tmp/theme.conf" check-config
[ $status -eq 2 ] && [ "$(wc -l <"$scratch/err")" -eq 1 ] && grep -q \
	"^surat: $tmp/theme.conf:2: theme: no theme named nosuch (looked in $themes, /.*/themes)\$" \
	"$scratch/err"
ok $? "an unknown theme is an error naming the folders searched, exit 2"

run -c "$tmp/mono.conf" check-config
[ $status -eq 0 ] && expect "$scratch/out" "$tmp/mono.conf: OK: 0 accounts, store /x, theme mono"
ok $? "a shipped theme by name, and no accounts"
unset SURAT_THEMES_DIR

run -c "$tmp/badtheme.conf" check-config
[ $status -eq 2 ] &&
	grep -q "^surat: $tmp/bad.theme:1: status: unknown colour \"pink\" for fg; " "$scratch/err"
ok $? "check-config loads the theme file and reports its error, exit 2"

run -c "$tmp/secret.conf" check-config
[ $status -eq 0 ] && expect "$scratch/err" "surat: warning: $tmp/secret.conf: holds a password but is readable by group or others; chmod 600 $tmp/secret.conf" &&
	! grep -q hunter2 "$scratch/out" "$scratch/err"
ok $? "a readable file with a password gets a warning, never the password"

run -c "$tmp/secret600.conf" check-config
[ $status -eq 0 ] && [ ! -s "$scratch/err" ] && grep -q ": OK: 1 account (a)" "$scratch/out"
ok $? "no warning once it is chmod 600"

run -c "$tmp/inc.conf" check-config
[ $status -eq 0 ] && expect "$scratch/err" "surat: warning: $tmp/inc-secret.inc: holds a password but is readable by group or others; chmod 600 $tmp/inc-secret.inc" &&
	! grep -q hunter2 "$scratch/out" "$scratch/err"
ok $? "a password in an @include'd file others can read gets a warning naming that file"

run -c "$tmp/writable.conf" check-config
cat >"$scratch/want" <<END
surat: warning: $tmp/writable.conf: writable by group or others, who could make surat run their commands (password_command, html_command...); chmod go-w $tmp/writable.conf
surat: warning: $tmp/empty.inc: writable by group or others, who could make surat run their commands (password_command, html_command...); chmod go-w $tmp/empty.inc
END
[ $status -eq 0 ] && cmp -s "$scratch/want" "$scratch/err"
ok $? "a configuration file or an @include'd one others can write gets a warning, even empty"

run -c "$tmp/include-folder.conf" check-config
cat >"$scratch/want" <<END
surat: $tmp/include-folder.conf:6: @include "conf.d": not a regular file; name a file (looked for $tmp/conf.d)
surat: $tmp/include-folder.conf:7: @include "": not a regular file; name a file (looked for $tmp/)
surat: $tmp/include-folder.conf:8: @include "pipe.inc": not a regular file; name a file (looked for $tmp/pipe.inc)
surat: $tmp/nested.inc:2: @include "conf.d": not a regular file; name a file (looked for $tmp/conf.d)
END
[ $status -eq 2 ] && cmp -s "$scratch/want" "$scratch/err"
ok $? "@include of a folder, \"\" or a FIFO is an error naming file and line (libconfig would exit or block)"

run -c "$tmp/send.conf" check-config
[ $status -eq 0 ] && [ ! -s "$scratch/err" ] && expect "$scratch/out" \
	"$tmp/send.conf: OK: 2 accounts (work, home), store $tmp/store, theme default"
ok $? "an smtp group and a sendmail_command: valid, the same summary line"

run -c "$tmp/bad-send.conf" check-config
cat >"$scratch/want" <<END
surat: warning: $tmp/bad-send.conf:11: accounts.work.signature_file: $HOME/no-such-signature: No such file or directory; it is read each time you write a message
surat: $tmp/bad-send.conf:2: record: "a/b" is not a folder name: no / or .., no dot first or last (a dot separates subfolders); "" keeps no copy of sent mail
surat: $tmp/bad-send.conf:8: accounts.work.from: "Alice alice@example.org": a space in the address; write Name <local@domain> or local@domain
surat: $tmp/bad-send.conf:9: accounts.work.smtp.tls: "ssl" is not one of starttls, implicit, none
surat: $tmp/bad-send.conf:10: accounts.work.sendmail_command: set either smtp or sendmail_command, not both
END
[ $status -eq 2 ] && [ ! -s "$scratch/out" ] && cmp -s "$scratch/want" "$scratch/err"
ok $? "the keys for sending: each mistake with FILE:LINE: key, a missing signature only a warning"

run -c "$tmp/good.conf" check-config extra
[ $status -eq 2 ] && grep -q "check-config takes no arguments" "$scratch/err"
ok $? "check-config refuses arguments, exit 2"

# Nothing written: not the store, not the files read, not the cwd.
snapshot >"$scratch/after"
cmp -s "$scratch/before" "$scratch/after" && [ ! -e "$tmp/store" ] && [ ! -e "$HOME/home-store" ]
status=$?
diff "$scratch/before" "$scratch/after" >"$scratch/err"
: >"$scratch/out"
ok $status "check-config writes nothing: no store, no cache, every file untouched"
exit 0
