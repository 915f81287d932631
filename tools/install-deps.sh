#!/bin/sh
# Install the Debian packages Surge builds and tests with; a no-op when all
# are present. Needs root (or sudo) only when something is missing.
set -e
PKGS="build-essential pkg-config libuv1-dev libjemalloc-dev libhiredis-dev libcjson-dev
libssl-dev redis-server redis-tools redis-sentinel nutcracker python3 python3-redis
procps libxxhash0"
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
# The Debian packages start a system redis-server on 6379 and redis-sentinel
# on 26379, and nutcracker once /etc/nutcracker/nutcracker.yml exists. Tests
# use their own ports, but stop them so `make run` can bind 6379.
if command -v systemctl >/dev/null 2>&1; then
    for s in redis-server redis-sentinel nutcracker; do
        $SUDO systemctl stop "$s" >/dev/null 2>&1 || true
    done
fi
