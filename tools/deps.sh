# Sourced by ./check and ./demo: the Debian 12 packages surat needs, and a
# function that installs the missing ones (as root, or with sudo).

BUILD_PACKAGES="build-essential autoconf automake pkg-config libncurses-dev
libssl-dev libgmime-3.0-dev libconfig-dev libsqlite3-dev libxml2-dev"
TEST_PACKAGES="libcmocka-dev clang clang-tools libclang-rt-14-dev tmux python3 valgrind cppcheck dovecot-core dovecot-pop3d mpop fetchmail sqlite3 openssl util-linux procps coreutils"

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
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $missing >/dev/null || {
		echo "apt-get could not install:$missing" >&2
		return 1
	}
}
