# Sourced by ./check and ./demo: the Debian 12 packages surat needs, and a
# function that installs the missing ones (as root, or with sudo).

BUILD_PACKAGES="build-essential autoconf automake pkg-config libncurses-dev
libssl-dev libgmime-3.0-dev libconfig-dev libsqlite3-dev libxml2-dev"
TEST_PACKAGES="libcmocka-dev clang clang-tools libclang-rt-14-dev tmux python3 valgrind cppcheck dovecot-core dovecot-pop3d mpop fetchmail sqlite3 openssl util-linux procps coreutils postfix msmtp neomutt"

# deps_preseed PACKAGE...: answer the install-time questions of the packages
# that ask, before apt-get runs.  Postfix: "No configuration", so that the
# package writes no main.cf and starts no system Postfix on port 25 (the
# tests start private instances on 127.0.0.1 of their own).
deps_preseed() {
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	for p in "$@"; do
		case $p in
		postfix)
			echo "postfix postfix/main_mailer_type select No configuration" |
				$sudo debconf-set-selections || {
				echo "debconf-set-selections failed for postfix" >&2
				return 1
			}
			;;
		esac
	done
}

# deps_install PACKAGE...: apt-get install what is not installed yet.
deps_install() {
	missing=
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "installing:$missing" >&2
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	deps_preseed $missing || return 1
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $missing >/dev/null || {
		echo "apt-get could not install:$missing" >&2
		return 1
	}
}
