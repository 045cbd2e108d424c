#!/bin/sh
# Install, from Debian's packages, whatever the build, the tests and the
# demo need and the machine lacks.  Idempotent; needs root.
set -eu
pkgs="gcc make libc6-dev libpopt-dev libcap-dev libcap-ng-dev libcmocka-dev
bats bats-support bats-assert mandoc busybox-static util-linux file
libcap2-bin procps"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
