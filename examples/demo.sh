#!/bin/sh
# The demo container, from the tools built so far.  Read it as a story:
#   cx-unshare   new pid, mount, uts and ipc namespaces; fork, so the
#                command is PID 1 of the new pid namespace; a hostname
#   cx-chroot    pivot_root into the busybox rootfs; the old root is
#                detached, nothing of the host's tree stays reachable
#   cx-unshare   a proc for the new pid namespace, mounted inside
#   /bin/sh      ps, hostname and id, as the container sees them
# Every mount lives in the container's own mount namespace, so all of
# them are gone when it exits.
# Usage: demo.sh BUILD ROOTFS [COMMAND [ARG]...]
set -eu
build=$(cd "$1" && pwd)
rootfs=$2
shift 2
[ $# -gt 0 ] || set -- /bin/sh -c 'ps; hostname; id'
PATH="$build:$PATH"
export PATH
exec cx-unshare --pid --mount --uts --ipc --fork --hostname cx-demo \
	cx-chroot --pivot "$rootfs" \
	cx-unshare --mount-proc \
	"$@"
