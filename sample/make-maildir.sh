#!/bin/sh
# make-maildir.sh DIR: fill the Maildir DIR (created if missing) with the
# sample messages in sample/mail, as a POP3 fetcher would have left them:
# unread ones in new/, two already read in cur/ with the S flag.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: make-maildir.sh DIR}
mkdir -p "$dir/tmp" "$dir/new" "$dir/cur"
chmod 700 "$dir" "$dir/tmp" "$dir/new" "$dir/cur"
n=0
for f in "$here"/mail/*.eml; do
	n=$((n + 1))
	date=$(sed -n 's/^Date: //p' "$f" | head -1)
	secs=$(date -d "$date" +%s 2>/dev/null || echo 1764000000)
	base="$secs.M${n}P$$Q$n.sample"
	case $(basename "$f") in
	01-*|11-*) cp "$f" "$dir/cur/$base:2,S" ;;
	*) cp "$f" "$dir/new/$base" ;;
	esac
done
echo "$dir: $n sample messages"
