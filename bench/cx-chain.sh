#!/bin/sh
# PROVISIONAL: a stand-in for examples/container.sh, so that make bench
# can time a cx chain before that script exists.  Once it lands, run.sh
# times it instead and this file can go.  It builds the same container
# as bench/floor.c from the tools there are; a step whose tool has not
# landed yet is done the util-linux way, in the same place of the chain:
#   cgroup   cx-cgroup run --rm, else echo into the v1 tasks files
#   overlay  cx-overlay mount,   else sh + mount(8) inside the namespaces
#   caps     cx-caps --keep,     else none (and the run says so)
# run.sh prints which steps were stand-ins.
#
# Usage: cx-chain.sh BUILD ROOTFS HOSTDIR TMPDIR CGMEM CGPIDS [COMMAND...]
#   CGMEM, CGPIDS: the directories the stand-in cgroups go below.
# With CX_CHAIN_EXPLAIN=1 it prints the steps and exits.
set -eu
build=$1 rootfs=$2 host=$3 tmp=$4 cgmem=$5 cgpids=$6
shift 6
[ $# -gt 0 ] || set -- /bin/true
PATH=$build:$PATH
export PATH

have() { [ -x "$build/$1" ]; }
docker_caps=chown,dac_override,fsetid,fowner,mknod,net_raw,setgid,setuid
docker_caps=$docker_caps,setfcap,setpcap,net_bind_service,sys_chroot,kill
docker_caps=$docker_caps,audit_write

if [ "${CX_CHAIN_EXPLAIN:-}" = 1 ]; then
	have cx-cgroup && echo "cgroup=cx-cgroup" || echo "cgroup=shell echo (stand-in)"
	have cx-overlay && echo "overlay=cx-overlay" || echo "overlay=sh+mount(8) (stand-in)"
	have cx-caps && echo "caps=cx-caps" || echo "caps=NOT DROPPED (cx-caps missing)"
	exit 0
fi

d=$tmp/chain.$$
m=$d/merged
mkdir -p "$d/upper" "$d/work" "$m"

# The links from the overlay on, in chain order, in "$@".
if have cx-caps; then
	set -- cx-caps --keep "$docker_caps" --no-new-privs "$@"
fi
set -- cx-bind --ro "$host" "$m/mnt" \
	cx-bind --dev --mkdir -b /dev/null:"$m/dev/null" \
		-b /dev/zero:"$m/dev/zero" -b /dev/full:"$m/dev/full" \
		-b /dev/random:"$m/dev/random" \
		-b /dev/urandom:"$m/dev/urandom" -b /dev/tty:"$m/dev/tty" \
	cx-unshare --mount-proc="$m/proc" \
	cx-chroot --pivot "$m" \
	"$@"
if have cx-overlay; then
	set -- cx-overlay mount --lower "$rootfs" --upper "$d/upper" \
		--work "$d/work" "$m" "$@"
else
	set -- sh -c 'mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/merged" && shift 2 && exec "$@"' \
		sh "$rootfs" "$d" "$@"
fi
set -- cx-unshare --pid --mount --uts --ipc --net --cgroup --fork \
	--hostname cx "$@"

status=0
if have cx-cgroup; then
	cx-cgroup run --rm --parent . --memory 100M --memory-swap 0 \
		--pids 64 "bench-chain-$$" "$@" || status=$?
else
	cm=$cgmem/cx-bench-chain-$$ cp=$cgpids/cx-bench-chain-$$
	mkdir "$cm" "$cp"
	echo 104857600 > "$cm/memory.limit_in_bytes"
	[ ! -e "$cm/memory.memsw.limit_in_bytes" ] ||
		echo 104857600 > "$cm/memory.memsw.limit_in_bytes"
	echo 64 > "$cp/pids.max"
	(echo 0 > "$cm/tasks" && echo 0 > "$cp/tasks" && exec "$@") ||
		status=$?
	rmdir "$cm" "$cp"
fi
rm -rf "$d"
exit "$status"
