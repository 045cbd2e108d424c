#!/bin/sh
# A whole container, made of cx tools, one step per link of the chain.
# Read it top to bottom: it is the walkthrough, in one shell line.
#
# Usage: container.sh [--keep] [--build DIR] [--rootfs DIR] [--share DIR]
#                     [--parent CGROUP] [COMMAND [ARG]...]
#   --keep     keep the container layer afterwards and show its changes
#   --parent   make the container's cgroup below CGROUP, a path from the
#              root of each hierarchy ("." the caller's own), not below cx
#   --build    where the cx tools are (default: build/ beside this file)
#   --rootfs   the image: a root filesystem (default: BUILD/rootfs)
#   --share    a host directory to show read-only in /mnt/share
#              (default: the examples folder)
# The exit status is the command's.
#
# Run by an ordinary user it makes the rootless container, with what
# the kernel gives a user without root:
# - a user namespace in which the user is root (and, when /etc/subuid
#   and /etc/subgid give the user ranges, the ids 1 and up from them,
#   through newuidmap: cx-unshare -r --map-auto);
# - the image must belong to the user (overlayfs copies a file up with
#   its owner, which must be mapped): one made on the spot from busybox
#   when --rootfs is not the user's, and removed after;
# - the same order of links: in a user namespace the kernel mounts a new
#   proc only while another one is in sight, and cx-chroot --pivot leaves
#   a read-only one on the new root's /proc for cx-unshare --mount-proc
#   to replace;
# - no cgroup, unless one was delegated to the user (cgroup v2; see
#   cx-cgroup(1)): then the same limits, below it.
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
parent=
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=yes ;;
	--parent) parent=$2; shift ;;
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
			cat /sys/fs/cgroup/memory.limit_in_bytes 2>/dev/null ||
			echo "none (no cgroup)"
echo "== mounts";       cat /proc/self/mounts'
fi

name=cx-demo-$$

# Root, or an ordinary user (test's -O, a builtin: do we own /?).
rootless=no
[ -O / ] || rootless=yes
made_rootfs=
if [ "$rootless" = yes ] && [ ! -O "$rootfs" ]; then
	made_rootfs=$(mktemp -d /tmp/cx-rootfs.XXXXXX)
	sh "$here/../bats/fixtures/mkrootfs.sh" "$made_rootfs/rootfs" ||
		{ rm -rf "$made_rootfs"; exit 125; }
	rootfs=$made_rootfs/rootfs
fi
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
cgroup="cx-cgroup run --rm --controllers memory,pids --memory 100M --memory-swap 0 --pids 64 $name"
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
	top=/sys/fs/cgroup v1=
else
	top=/sys/fs/cgroup/memory v1=memory
fi
cgdir=$top/cx/$name
if [ -n "$parent" ]; then
	cgroup="cx-cgroup --parent $parent run ${cgroup#cx-cgroup run }"
	case $parent in
	.)	# Our own cgroup in the hierarchy the bind shows: the v2 line
		# of /proc/self/cgroup, or v1 memory's.
		while IFS=: read -r _ ctls path; do
			case ,$ctls, in
			,"$v1",) cgdir=$top$path/$name ;;
			*,"$v1",*) [ -n "$v1" ] && cgdir=$top$path/$name ;;
			esac
		done </proc/self/cgroup
		cgdir=${cgdir%/"$name"}
		cgdir=${cgdir%/}/$name ;;
	/*) cgdir=$top$parent/$name ;;
	*) cgdir=$top/$parent/$name ;;
	esac
fi
cgbind="-b $cgdir:/sys/fs/cgroup:ro"
users=""
if [ "$rootless" = yes ]; then
	users="--map-root-user"
	cx-unshare --map-auto true 2>/dev/null && users="$users --map-auto"
	if [ -e /sys/fs/cgroup/cgroup.controllers ] &&
	   cx-cgroup ls >/dev/null 2>&1; then
		# cx below the delegated cgroup, found as cx-cgroup finds
		# it: the highest one above ours that we may still write.
		own=$(cut -d: -f3 /proc/self/cgroup)
		d=/sys/fs/cgroup$own
		while [ -z "$parent" ] && [ "$d" != /sys/fs/cgroup ] &&
		      [ -w "$d" ] && [ -w "$d/cgroup.procs" ]; do
			cgdir=$d/cx/$name
			d=${d%/*}
		done
		cgbind="-b $cgdir:/sys/fs/cgroup:ro"
	else
		echo "container.sh: no cgroup: none was delegated to this user (see cx-cgroup(1))" >&2
		cgroup="" cgbind=""
	fi
fi

# Docker's default capabilities; every other one is dropped.
caps=chown,dac_override,fsetid,fowner,mknod,net_raw,setgid,setuid
caps=$caps,setfcap,setpcap,net_bind_service,sys_chroot,kill,audit_write

# The chain; without --keep the shell is done, and gives its place to it.
run="" status=0
[ "$keep" = yes ] || [ -n "$made_rootfs" ] || run="exec"
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
# shellcheck disable=SC2086 # $layer is two options or one, and the
# rootless parts are options or nothing
$run $cgroup \
cx-unshare $users --pid --mount --uts --ipc --net --cgroup --init \
	--hostname cx-container \
cx-overlay mount --lower "$rootfs" $layer "$merged" \
cx-bind --mkdir --root "$merged" \
	-b "$share:/mnt/share:ro" $cgbind \
	-b /dev/null:/dev/null:dev -b /dev/zero:/dev/zero:dev \
	-b /dev/full:/dev/full:dev -b /dev/random:/dev/random:dev \
	-b /dev/urandom:/dev/urandom:dev -b /dev/tty:/dev/tty:dev \
cx-chroot --pivot "$merged" \
cx-unshare --mount-proc --mount-devpts \
cx-caps --keep "$caps" --no-new-privs \
	"$@" || status=$?

if [ "$keep" = yes ]; then
	echo "== the container layer, $dir/upper:" >&2
	cx-overlay diff --lower "$rootfs" "$dir/upper" >&2
fi
[ -z "$made_rootfs" ] || rm -rf "$made_rootfs"
exit "$status"
