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

here=$(cd "$(dirname "$0")" && pwd)
build=$here/../build
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
build=$(cd "$build" && pwd)
rootfs=$(cd "${rootfs:-$build/rootfs}" && pwd)
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
# The container layer: overlayfs's upper and work directories, and the
# merged view that becomes the container's root.
layer=$(mktemp -d /tmp/cx-layer.XXXXXX)
# Whatever ends the script (an error, Ctrl-C, a TERM), the layer goes,
# unless --keep asked for it.
trap '[ "$keep" = yes ] || rm -rf "$layer"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir "$layer/upper" "$layer/work" "$layer/merged"

# The cgroup's own directory, bound read-only into the container (as
# Docker does) so that the command can read its limits.
if grep -q ' /sys/fs/cgroup cgroup2 ' /proc/self/mounts; then
	cgdir=/sys/fs/cgroup/cx/$name
else
	cgdir=/sys/fs/cgroup/memory/cx/$name
fi

# Docker's default capabilities; every other one is dropped.
caps=chown,dac_override,fsetid,fowner,mknod,net_raw,setgid,setuid
caps=$caps,setfcap,setpcap,net_bind_service,sys_chroot,kill,audit_write

status=0
# 1. cx-cgroup: a cgroup with 100M of memory, no swap, at most 64 tasks;
#    the rest of the chain is forked into it, and it is removed after.
# 2. cx-unshare: new pid, mount, uts, ipc, net and cgroup namespaces; a
#    hostname; an init (PID 1) that reaps orphans and passes signals on.
# 3. cx-overlay: the image as the read-only lower layer, the container
#    layer on top, merged.
# 4. cx-bind: a host directory, read-only; then a minimal /dev from the
#    host's device nodes (nodev is the default, so --dev).
# 5. cx-chroot: pivot_root into the merged tree; the host's is detached.
# 6. cx-unshare: proc for the new pid namespace, a devpts of its own,
#    both resolved inside the new root.
# 7. cx-caps: Docker's default capabilities, inheritable and ambient
#    cleared, no_new_privs.
cx-cgroup run --rm --memory 100M --memory-swap 0 --pids 64 "$name" \
cx-unshare --pid --mount --uts --ipc --net --cgroup --init \
	--hostname cx-container \
cx-overlay mount --lower "$rootfs" --upper "$layer/upper" \
	--work "$layer/work" "$layer/merged" \
cx-bind --ro --mkdir --root "$layer/merged" "$share" /mnt/share \
cx-bind --ro --mkdir --root "$layer/merged" "$cgdir" /sys/fs/cgroup \
cx-bind --dev --mkdir --root "$layer/merged" \
	-b /dev/null:/dev/null -b /dev/zero:/dev/zero -b /dev/full:/dev/full \
	-b /dev/random:/dev/random -b /dev/urandom:/dev/urandom \
	-b /dev/tty:/dev/tty \
cx-chroot --pivot "$layer/merged" \
cx-unshare --mount-proc --mount-devpts \
cx-caps --keep "$caps" --no-new-privs \
	"$@" || status=$?

if [ "$keep" = yes ]; then
	echo "== the container layer, $layer/upper:" >&2
	cx-overlay diff --lower "$rootfs" "$layer/upper" >&2
fi
exit "$status"
