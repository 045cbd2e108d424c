#!/bin/sh
# The container of bench/floor.c the way the walkthrough makes one:
# mkdir and echo into the cgroup v1 files, unshare, mount, hostname,
# capsh and chroot, with a shell to hold it together (and to be PID 1,
# the init that waits).  make bench times it against the floor.  The
# container layer is a tmpfs under the overlay, mounted over ROOTFS in
# the new mount namespace, as the cx chain and the floor make it.
#
# Usage: util-linux.sh ROOTFS HOSTDIR CGMEM CGPIDS [COMMAND...]
#   CGMEM, CGPIDS: the directories the cgroups go below.
set -eu
rootfs=$1 host=$2 cgmem=$3 cgpids=$4
shift 4
[ $# -gt 0 ] || set -- /bin/true

# The cgroups: limits first, then the shell that becomes the container
# joins (0 is the writer itself).
cm=$cgmem/cx-bench-ul-$$ cp=$cgpids/cx-bench-ul-$$
mkdir "$cm" "$cp"
echo 104857600 > "$cm/memory.limit_in_bytes"
[ ! -e "$cm/memory.memsw.limit_in_bytes" ] ||
	echo 104857600 > "$cm/memory.memsw.limit_in_bytes"
echo 64 > "$cp/pids.max"

# Everything capsh does not name is dropped from the bounding set; root
# gets exactly the bounding set at the next exec.
drop=cap_dac_read_search,cap_linux_immutable,cap_net_broadcast
drop=$drop,cap_net_admin,cap_ipc_lock,cap_ipc_owner,cap_sys_module
drop=$drop,cap_sys_rawio,cap_sys_ptrace,cap_sys_pacct,cap_sys_admin
drop=$drop,cap_sys_boot,cap_sys_nice,cap_sys_resource,cap_sys_time
drop=$drop,cap_sys_tty_config,cap_lease,cap_audit_control
drop=$drop,cap_mac_override,cap_mac_admin,cap_syslog,cap_wake_alarm
drop=$drop,cap_block_suspend,cap_audit_read,cap_perfmon,cap_bpf
drop=$drop,cap_checkpoint_restore

status=0
(
	echo 0 > "$cm/tasks"
	echo 0 > "$cp/tasks"
	exec unshare --pid --mount --uts --ipc --net --cgroup --fork \
		--propagation private sh -c '
	set -e
	rootfs=$1 host=$2 drop=$3 cm=$4
	shift 4
	m=$rootfs
	# The tmpfs hides ROOTFS: the lower goes as the descriptor 3.
	exec 3<"$rootfs"
	mount -t tmpfs -o mode=0755 cx-layer "$m"
	mkdir "$m/upper" "$m/work"
	mount -t overlay overlay \
		-o "lowerdir=/proc/self/fd/3,upperdir=$m/upper,workdir=$m/work" "$m"
	exec 3<&-
	mkdir -p "$m/mnt/share" "$m/sys/fs/cgroup" "$m/dev/pts"
	mount --bind -o ro,nosuid,nodev "$host" "$m/mnt/share"
	mount --bind -o ro,nosuid,nodev "$cm" "$m/sys/fs/cgroup"
	for dev in null zero full random urandom tty; do
		: > "$m/dev/$dev"
		mount --bind "/dev/$dev" "$m/dev/$dev"
	done
	mount -t proc -o nosuid,nodev,noexec proc "$m/proc"
	mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,nosuid,noexec \
		devpts "$m/dev/pts"
	hostname cx
	capsh --drop="$drop" --inh= --noamb --no-new-privs \
		--shell=/usr/sbin/chroot -- "$m" "$@"
	' sh "$rootfs" "$host" "$drop" "$cm" "$@"
) || status=$?
rmdir "$cm" "$cp"
exit "$status"
