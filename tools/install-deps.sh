#!/bin/sh
# Install the Debian packages Surge builds and tests with; a no-op when all
# are present. Needs root (or sudo) only when something is missing.
set -e
PKGS="build-essential pkg-config libuv1-dev libjemalloc-dev libhiredis-dev libcjson-dev
libssl-dev redis-server redis-tools python3 python3-redis procps"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The Debian package starts a system redis-server on 6379; tests use their
# own ports, but stop it so `make run` can bind 6379.
if command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl stop redis-server >/dev/null 2>&1 || true
fi
