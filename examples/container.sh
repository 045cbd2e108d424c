#!/bin/sh
# A whole container, made of cx tools, one step per link of the chain.
# Read it top to bottom: it is the walkthrough, in one shell line.
#
# Usage: container.sh [--keep] [--build DIR] [--rootfs DIR] [--share DIR]
#                     [COMMAND [ARG]...]
#   --keep     keep the container layer afterwards and show its changes
#   --build    where the cx tools are (default: build/ beside this file)
#   --rootfs   the image: a root filesystem (default: BUILD/rootfs)
#   --share    a host directory to show read-only in /mnt/share
#              (default: the examples folder)
# The exit status is the command's.
set -eu

# Only the shell's own builtins before the chain: each program the
# script ran would cost as much as a link of the chain.
case $0 in
*/*/*) here=${0%/*} top=${here%/*}/ ;;
*/*) here=${0%/*} top= ;;
*) here=. top=../ ;;
esac
build=${top}build
rootfs=
share=$here
keep=no
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=yes ;;
	--build) build=$2; shift ;;
	--rootfs) rootfs=$2; shift ;;
	--share) share=$2; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
	shift
done
rootfs=${rootfs:-$build/rootfs}
# Absolute, since the chain changes directories and roots.
case $build in /*) ;; *) build=$PWD/$build ;; esac
case $rootfs in /*) ;; *) rootfs=$PWD/$rootfs ;; esac
case $share in /*) ;; *) share=$PWD/$share ;; esac
PATH="$build:$PATH"
export PATH

# What the container runs unless told otherwise: a look around.
if [ $# -eq 0 ]; then
	set -- /bin/sh -c '
echo "== processes";    ps
echo "== hostname";     hostname
echo "== identity";     id
echo "== capabilities"; grep ^Cap /proc/self/status
echo "== memory limit"; cat /sys/fs/cgroup/memory.max 2>/dev/null ||
			cat /sys/fs/cgroup/memory.limit_in_bytes
echo "== mounts";       cat /proc/self/mounts'
fi

name=cx-demo-$$
# The container layer: overlayfs's upper and work directories.  By
# default they are on a tmpfs that cx-overlay mounts under the merged
# view, in the container's own mount namespace: the layer goes with the
# container, and nothing is made or removed on the host.  --keep puts
# them in a directory on disk instead, and shows their changes after.
merged=$rootfs
layer="--tmpfs"
if [ "$keep" = yes ]; then
	dir=$(mktemp -d /tmp/cx-layer.XXXXXX)
	mkdir "$dir/upper" "$dir/work" "$dir/merged" || { rm -rf "$dir"; exit 125; }
	merged=$dir/merged
	layer="--upper $dir/upper --work $dir/work"
fi

# The cgroup's own directory, bound read-only into the container (as
# Docker does) so that the command can read its limits.
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
	cgdir=/sys/fs/cgroup/cx/$name
else
	cgdir=/sys/fs/cgroup/memory/cx/$name
fi

# Docker's default capabilities; every other one is dropped.
caps=chown,dac_override,fsetid,fowner,mknod,net_raw,setgid,setuid
caps=$caps,setfcap,setpcap,net_bind_service,sys_chroot,kill,audit_write

# The chain; without --keep the shell is done, and gives its place to it.
run="" status=0
[ "$keep" = yes ] || run="exec"
# 1. cx-cgroup: a cgroup with 100M of memory, no swap, at most 64 tasks,
#    made only in the hierarchies those need (on a v1 or hybrid host,
#    each other one would cost a mkdir, a join and an rmdir); the rest
#    of the chain is forked into it, and it is removed after.
# 2. cx-unshare: new pid, mount, uts, ipc, net and cgroup namespaces; a
#    hostname; an init (PID 1) that reaps orphans and passes signals on.
# 3. cx-overlay: the image as the read-only lower layer, the container
#    layer on top, merged (by default at the image's own path: in this
#    mount namespace only).
# 4. cx-bind: a host directory, read-only; the cgroup's directory,
#    read-only; and a minimal /dev from the host's device nodes (nodev
#    is the default, so :dev).
# 5. cx-chroot: pivot_root into the merged tree; the host's is detached.
# 6. cx-unshare: proc for the new pid namespace, a devpts of its own,
#    both resolved inside the new root.
# 7. cx-caps: Docker's default capabilities, inheritable and ambient
#    cleared, no_new_privs.
# shellcheck disable=SC2086 # $layer is two options or one
$run cx-cgroup run --rm --controllers memory,pids \
	--memory 100M --memory-swap 0 --pids 64 "$name" \
cx-unshare --pid --mount --uts --ipc --net --cgroup --init \
	--hostname cx-container \
cx-overlay mount --lower "$rootfs" $layer "$merged" \
cx-bind --mkdir --root "$merged" \
	-b "$share:/mnt/share:ro" -b "$cgdir:/sys/fs/cgroup:ro" \
	-b /dev/null:/dev/null:dev -b /dev/zero:/dev/zero:dev \
	-b /dev/full:/dev/full:dev -b /dev/random:/dev/random:dev \
	-b /dev/urandom:/dev/urandom:dev -b /dev/tty:/dev/tty:dev \
cx-chroot --pivot "$merged" \
cx-unshare --mount-proc --mount-devpts \
cx-caps --keep "$caps" --no-new-privs \
	"$@" || status=$?

echo "== the container layer, $dir/upper:" >&2
cx-overlay diff --lower "$rootfs" "$dir/upper" >&2
exit "$status"
