#!/bin/sh
# Install, from Debian's packages, whatever the build, the tests and the
# demo need and the machine lacks.  Idempotent; needs root.
set -eu
# build: compiler, musl-tools and what mk/musl-deps.sh needs to build
# the libraries from Debian's sources with it (dpkg-dev, m4, gperf for
# libseccomp); popt, libcap, libarchive (static, with the compression
# libraries it links), jansson, libseccomp, for LIBC=glibc and the tests; tests: cmocka, bats, mandoc, busybox
# for the rootfs, umoci, skopeo, podman and containerd as the image and runtime peers, qemu and e2fsprogs (its /tmp)
# for the cgroup v2 lane; uidmap (newuidmap) and attr (getfattr) for the rootless scenarios;
# bench: crun, runc, hyperfine; fuzz: clang.
pkgs="gcc make libc6-dev pkg-config musl-tools dpkg-dev m4 gperf libpopt-dev libcap-dev
libarchive-dev nettle-dev libjansson-dev libseccomp-dev libacl1-dev liblzma-dev libzstd-dev liblz4-dev
libbz2-dev zlib1g-dev libxml2-dev
libcmocka-dev bats bats-support bats-assert mandoc busybox-static util-linux
file libcap2-bin procps iproute2 strace umoci skopeo podman containerd zstd cpio qemu-system-x86
e2fsprogs uidmap attr
crun runc hyperfine clang"
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
