#!/usr/bin/env bash
# install-deps.sh — make sure the Debian packages that pgsift needs to build
# and test are installed.
#
# This is the one place where the package list lives (.ci/run and `make deps`
# both call it).  With everything installed it prints nothing and exits 0.
# Otherwise, as root it runs apt-get update and installs what is missing,
# non-interactively (fit for CI=true and no stdin); as another user it prints
# the command to run and exits 1.

set -euo pipefail

packages=(
	gcc make pkg-config
	libpg-query-dev libprotobuf-c-dev libpq-dev libsqlite3-dev libpcre2-dev
	libcunit1-dev libjansson-dev libssl-dev zlib1g-dev libzstd-dev libbz2-dev
	postgresql-15 postgresql-15-hypopg pgbadger
	clang libclang-rt-14-dev valgrind
	time zstd bzip2 gzip jq libjson-xs-perl
	bsdutils groff-base man-db zsh
	chromium chromium-driver python3-selenium
)

# Print the packages of the list that dpkg does not report as installed.
missing_packages() {
	local pkg status
	for pkg in "${packages[@]}"; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
		[ "$status" = installed ] || echo "$pkg"
	done
}

mapfile -t missing < <(missing_packages)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: missing Debian packages: ${missing[*]}" >&2
	echo "HINT:  Run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q </dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null

mapfile -t missing < <(missing_packages)
if [ ${#missing[@]} -ne 0 ]; then
	echo "install-deps.sh: still missing after apt-get install: ${missing[*]}" >&2
	exit 1
fi
