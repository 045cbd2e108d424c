#!/usr/bin/env bats
# cx-unshare against the real kernel: namespace inodes, id maps, kept
# namespace files, proc, signals and exit status.

load helpers

KINDS="mnt uts ipc net pid user cgroup time"

# "kind inode" for each namespace kind of the process running the script.
ns_list='for k in mnt uts ipc net pid user cgroup time; do echo "$k $(stat -L -c %i /proc/self/ns/$k)"; done'

# The kinds whose inode differs between the host and OUTPUT of $ns_list.
changed_kinds() {
	local k ino
	while read -r k ino; do
		[ "$ino" = "$(ns_ino "$k")" ] || printf '%s ' "$k"
	done <<<"$1"
}

check_only_kind() {
	local opt=$1 kind=$2
	run -0 cx-unshare --fork "--$opt" /bin/sh -c "$ns_list"
	assert_equal "$(changed_kinds "$output")" "$kind "
}

@test "--mount: only the mount namespace is new" { check_only_kind mount mnt; }
@test "--uts: only the UTS namespace is new" { check_only_kind uts uts; }
@test "--ipc: only the IPC namespace is new" { check_only_kind ipc ipc; }
@test "--net: only the network namespace is new" { check_only_kind net net; }
@test "--pid: only the PID namespace is new" { check_only_kind pid pid; }
@test "--user: only the user namespace is new" { check_only_kind user user; }
@test "--cgroup: only the cgroup namespace is new" { check_only_kind cgroup cgroup; }
@test "--time: only the time namespace is new" { check_only_kind time time; }

@test "short options and several kinds at once" {
	run -0 cx-unshare -fmuin /bin/sh -c "$ns_list"
	assert_equal "$(changed_kinds "$output")" "mnt uts ipc net "
}

@test "without --fork, --pid leaves the command in our pid namespace, and says so once" {
	run -0 --separate-stderr cx-unshare --pid stat -L -c %i /proc/self/ns/pid
	assert_equal "$output" "$(ns_ino pid)"
	assert_equal "$stderr" "cx-unshare: --pid without --fork: stat stays in this PID namespace, only its children enter the new one (add --fork)"
	# Its children are in the new one.
	run -0 --separate-stderr cx-unshare --pid /bin/sh -c 'stat -L -c %i /proc/self/ns/pid'
	assert_not_equal "$output" "$(ns_ino pid)"
	# A cx tool next may be the one that forks: no line then.
	run -0 --separate-stderr cx-unshare --pid cx-unshare --fork \
		stat -L -c %i /proc/self/ns/pid
	assert_not_equal "$output" "$(ns_ino pid)"
	assert_equal "$stderr" ""
}

@test "--uts=FILE keeps the namespace, nsenter joins it, umount frees it" {
	run -0 cx-unshare --uts="$TMP/uts" --hostname kept true
	# The file is a mount of a uts namespace, visible on the host.
	run -0 grep -c " $TMP/uts " /proc/self/mountinfo
	assert_output 1
	run -0 nsenter --uts="$TMP/uts" hostname
	assert_output kept
	assert_not_equal "$(stat -L -c %i "$TMP/uts")" "$(ns_ino uts)"
	run -0 umount "$TMP/uts"
	run -1 grep -c " $TMP/uts " /proc/self/mountinfo
}

@test "--net=FILE and --mount=FILE name the namespaces the command ran in" {
	cx-unshare --net="$TMP/net" --mount="$TMP/mnt" --pidfile "$TMP/pid" \
		sleep 100 &
	BG_PIDS=$!
	wait_for_file "$TMP/pid"
	pid=$(cat "$TMP/pid")
	assert_equal "$pid" "$BG_PIDS"
	assert_equal "$(stat -L -c %i "$TMP/net")" "$(ns_ino net "$pid")"
	assert_equal "$(stat -L -c %i "$TMP/mnt")" "$(ns_ino mnt "$pid")"
	# util-linux nsenter joins the kept network namespace: only lo is there.
	run -0 nsenter --net="$TMP/net" cat /proc/net/dev
	assert_line --partial "lo:"
	refute_output --regexp "eth|ens|enp"
}

@test "--pid=FILE keeps the pid namespace of the children" {
	cx-unshare --pid="$TMP/pid" --fork --pidfile "$TMP/pidfile" sleep 100 &
	BG_PIDS=$!
	wait_for_file "$TMP/pidfile"
	child=$(cat "$TMP/pidfile")
	assert_not_equal "$child" "$BG_PIDS"
	assert_equal "$(stat -L -c %i "$TMP/pid")" "$(ns_ino pid "$child")"
	assert_not_equal "$(ns_ino pid "$child")" "$(ns_ino pid)"
}

@test "a namespace file in a missing directory: error, nothing made" {
	run -125 cx-unshare --uts="$TMP/nodir/uts" true
	assert_output --partial "cx-unshare: create namespace file $TMP/nodir/uts: No such file or directory"
	assert [ ! -e "$TMP/nodir" ]
	assert_equal "$(mounts_below_tmp)" 0
}

@test "a failure after the namespace file was made removes it again" {
	# The helper has bound the namespace there; proc has nowhere to go.
	run -125 cx-unshare --uts="$TMP/uts" --mount-proc="$TMP/nodir" true
	assert_output --partial "$TMP/nodir"
	assert [ ! -e "$TMP/uts" ]
	assert_equal "$(mounts_below_tmp)" 0
}

@test "overlapping map ranges are refused, naming both, before anything is made" {
	run -125 cx-unshare --uts="$TMP/uts" --map-users=0:0:10 --map-users=5:100:10 true
	assert_line --index 0 "cx-unshare: --map-users: the ranges 0:0:10 and 5:100:10 overlap inside"
	run -125 cx-unshare --map-groups=0:100:10 --map-groups=20:105:1 true
	assert_line --index 0 "cx-unshare: --map-groups: the ranges 0:100:10 and 20:105:1 overlap outside"
	# --map-root-user takes inner 0 from a range given beside it
	run -125 cx-unshare -r --map-users=0:100000:10 true
	assert_line --index 0 "cx-unshare: --map-users: the ranges 0:100000:10 and 0:0:1 overlap inside"
	assert [ ! -e "$TMP/uts" ]
	assert_equal "$(mounts_below_tmp)" 0
}

@test "--map-root-user: uid_map, gid_map and setgroups" {
	run -0 cx-unshare --map-root-user /bin/sh -c 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u'
	assert_equal "$(echo "${lines[0]}" | tr -s ' ' | sed 's/^ //')" "0 0 1"
	assert_equal "$(echo "${lines[1]}" | tr -s ' ' | sed 's/^ //')" "0 0 1"
	assert_equal "${lines[2]}" "deny"
	assert_equal "${lines[3]}" "0"
	assert_not_equal "$(cx-unshare --map-root-user stat -L -c %i /proc/self/ns/user)" "$(ns_ino user)"
}

@test "--map-users and --map-groups ranges, --setgroups allow" {
	run -0 cx-unshare --user --map-users=0:100000:65536 --map-groups=0:200000:1000 \
		--setgroups allow /bin/sh -c 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups'
	assert_equal "$(echo "${lines[0]}" | tr -s ' ' | sed 's/^ //')" "0 100000 65536"
	assert_equal "$(echo "${lines[1]}" | tr -s ' ' | sed 's/^ //')" "0 200000 1000"
	assert_equal "${lines[2]}" "allow"
}

@test "--setuid and --setgid: root of a new user namespace keeps its capabilities across the exec; another id, unmapped ids, --init" {
	local all pid
	# Every capability the kernel has: a new user namespace's bounding
	# set is whole, whatever ours lacks.
	all=$(printf '%016x' $(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1)))
	# Host root's own id is not in the map: without -S 0, no id and no
	# capability after the exec; with it, the namespace's root.
	run -0 cx-unshare --user --map-users=0:100000:65536 --map-groups=0:100000:65536 \
		/bin/sh -c 'id -u; grep CapEff /proc/self/status'
	assert_line --index 0 65534
	assert_line --index 1 "CapEff:	0000000000000000"
	cx-unshare --user --map-users=0:100000:65536 --map-groups=0:100000:65536 -S 0 -G 0 \
		--pidfile "$TMP/pid" sleep 100 &
	BG_PIDS=$!
	wait_for_file "$TMP/pid"
	pid=$(cat "$TMP/pid")
	for _ in $(seq 50); do
		[ "$(cat "/proc/$pid/comm")" = sleep ] && break
		sleep 0.1
	done
	# The kernel's view from the host: ids of the range, every
	# capability of the namespace, no supplementary group.
	assert_equal "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" "100000 100000 100000 100000"
	assert_equal "$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" "100000 100000 100000 100000"
	assert_equal "$(awk '/^Groups:/ { print $2 }' "/proc/$pid/status")" ""
	assert_equal "$(awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")" "$all"
	kill "$pid"
	# Another id: its own, and no capability.
	run -0 cx-unshare --user --map-users=0:100000:65536 --map-groups=0:100000:65536 \
		--setuid 1000 --setgid 100 /bin/sh -c 'id -u; id -g; grep CapEff /proc/self/status'
	assert_output "1000
100
CapEff:	0000000000000000"
	# Without a user namespace: host ids, as util-linux's.
	run -0 cx-unshare --uts -S 1000 -G 1000 /bin/sh -c 'grep -E "^(Uid|Gid):" /proc/self/status'
	assert_line --regexp "^Uid:	1000	1000	1000	1000$"
	assert_line --regexp "^Gid:	1000	1000	1000	1000$"
	# An id the namespace does not map, and --init with another id.
	run -125 cx-unshare --user --map-users=0:100000:10 --map-groups=0:100000:10 -S 20 true
	assert_output --partial "setresuid 20"
	assert_output --partial "not mapped"
	run -125 cx-unshare --pid --fork --init -S 1000 true
	assert_output --partial "--init with --setuid or --setgid other than 0"
	run -125 cx-unshare --uts -S root true
	assert_output --partial "--setuid"
}

@test "--map-user and --map-group map us to a chosen id; old comma form" {
	run -0 cx-unshare --map-user=1000 --map-group=100 --setgroups deny \
		/bin/sh -c 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups'
	assert_equal "$(echo "${lines[0]}" | tr -s ' ' | sed 's/^ //')" "1000 0 1"
	assert_equal "$(echo "${lines[1]}" | tr -s ' ' | sed 's/^ //')" "100 0 1"
	assert_equal "${lines[2]}" "deny"
	# util-linux 2.38 wrote OUTER,INNER,COUNT.
	run -0 cx-unshare --map-users=5000,0,10 cat /proc/self/uid_map
	assert_equal "$(echo "$output" | tr -s ' ' | sed 's/^ //')" "0 5000 10"
}

@test "--mount-proc: the command is PID 1 and sees only its namespace" {
	sleep 100 &
	BG_PIDS=$!
	run -0 cx-unshare --pid --fork --mount-proc /bin/sh -c 'echo $$; ls -d /proc/[0-9]*; grep " /proc " /proc/self/mountinfo; kill '"$BG_PIDS"' 2>&1; echo kill=$?'
	assert_equal "${lines[0]}" 1
	refute_output --partial "/proc/$BG_PIDS"
	assert_output --regexp " /proc [^ ]*nosuid,nodev,noexec"
	assert_output --partial "kill=1"
	# The host process was out of reach.
	run -0 kill -0 "$BG_PIDS"
}

@test "--mount-proc=DIR with --root: DIR is inside the root" {
	run -0 cx-unshare --pid --fork --root "$ROOTFS" --mount-proc /bin/ps -o pid,comm
	assert_line --regexp '^ +1 ps$'
	# The host's path to it, given by habit, is named as read inside.
	run -125 cx-unshare --mount --pid --fork --root "$ROOTFS" \
		--mount-proc="$ROOTFS/proc" /bin/true
	assert_output "cx-unshare: open $ROOTFS/proc inside --root $ROOTFS: No such file or directory: the path is read inside the new root: did you mean /proc?"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "a rootfs whose proc is a symlink to the host: nothing mounted outside" {
	mkdir "$TMP/hostdir"
	touch "$TMP/hostdir/untouched"
	rmdir "$ROOTFS/proc"
	ln -s "$TMP/hostdir" "$ROOTFS/proc"
	# Given as a path: the symlink is refused.
	run -125 cx-unshare --pid --fork --mount-proc="$ROOTFS/proc" true
	assert_output --partial "cx-unshare: open $ROOTFS/proc"
	# Inside --root: the link resolves inside the rootfs, where its
	# target does not exist.
	run -125 cx-unshare --pid --fork --root "$ROOTFS" --mount-proc /bin/true
	assert_output --partial "No such file or directory"
	# Where it does exist inside, proc lands there and not on the host.
	mkdir -p "$ROOTFS$TMP/hostdir"
	cx-unshare --pid --fork --root "$ROOTFS" --mount-proc --pidfile "$TMP/pid" /bin/sleep 100 &
	BG_PIDS=$!
	wait_for_file "$TMP/pid"
	sleep 0.3
	pid=$(cat "$TMP/pid")
	run -0 nsenter --mount="/proc/$pid/ns/mnt" cat /proc/self/mountinfo
	assert_output --regexp " $ROOTFS$TMP/hostdir [^ ]* .*- proc "
	refute_output --regexp " $TMP/hostdir [^ ]* .*- proc "
	assert [ -e "$TMP/hostdir/untouched" ]
}

@test "--root and --wd" {
	run -0 cx-unshare --root "$ROOTFS" --wd /etc /bin/sh -c 'pwd; ls /'
	assert_line --index 0 /etc
	assert_line bin
	refute_line --partial vmlinuz
	run -125 cx-unshare --root "$TMP/none" true
	assert_output "cx-unshare: open $TMP/none: No such file or directory"
}

@test "--hostname sets the name in the new UTS namespace only" {
	before=$(hostname)
	run -0 cx-unshare --uts --hostname inner hostname
	assert_output inner
	assert_equal "$(hostname)" "$before"
	run -125 cx-unshare --hostname inner hostname
	assert_output --partial "--hostname needs --uts"
}

@test "--propagation: private by default, shared on request" {
	run -0 cx-unshare --mount grep " / / " /proc/self/mountinfo
	refute_output --partial "shared:"
	run -0 cx-unshare --mount --propagation shared grep " / / " /proc/self/mountinfo
	assert_output --partial "shared:"
	run -125 cx-unshare --mount --propagation sideways true
	assert_output --partial "invalid --propagation 'sideways': private, shared, slave or unchanged"
}

@test "--time with --boottime and --monotonic offsets" {
	# The host's uptime first: read later it could pass the container's.
	host_up=$(cut -d. -f1 /proc/uptime)
	run -0 cx-unshare --time --boottime 864000 --monotonic -5 /bin/sh -c 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
	assert_line --regexp '^monotonic +-5 +0$'
	assert_line --regexp '^boottime +864000 +0$'
	assert [ "${lines[2]}" -ge $((host_up + 864000)) ]
	# The command's own process is in it, not only its children (before
	# 6.2 the kernel moves a process at fork, not at exec), and so it can
	# vfork: the kernel refuses CLONE_VM across time namespaces.
	host_ns=$(readlink /proc/self/ns/time)
	run -0 cx-unshare --time --boottime 864000 /bin/sh -c 'readlink /proc/$$/ns/time; readlink /proc/self/ns/time; cut -d. -f1 /proc/uptime'
	assert_equal "${#lines[@]}" 3
	assert [ "${lines[0]}" != "$host_ns" ]
	assert_equal "${lines[1]}" "${lines[0]}"
	assert [ "${lines[2]}" -ge $((host_up + 864000)) ]
	run -125 cx-unshare --boottime 5 true
	assert_output --partial "need --time"
}

@test "exit status passes through, with and without --fork" {
	run -7 cx-unshare --uts /bin/sh -c 'exit 7'
	run -7 cx-unshare --uts --fork /bin/sh -c 'exit 7'
	run -9 cx-unshare --pid --fork --init /bin/sh -c 'exit 9'
}

@test "a child killed by a signal: cx-unshare dies of the same signal" {
	run -143 cx-unshare --uts --fork /bin/sh -c 'kill -TERM $$'
	run -137 cx-unshare --uts --fork /bin/sh -c 'kill -KILL $$'
}

@test "SIGTERM to cx-unshare --fork reaches the command" {
	cx-unshare --pid --fork --pidfile "$TMP/pid" /bin/sh -c \
		"trap 'echo got > $TMP/got; exit 9' TERM; while :; do sleep 0.1; done" &
	BG_PIDS=$!
	wait_for_file "$TMP/pid"
	sleep 0.3
	kill -TERM "$BG_PIDS"
	st=0
	wait "$BG_PIDS" || st=$?
	BG_PIDS=
	assert_equal "$st" 9
	assert [ -e "$TMP/got" ]
	# The pidfile it made is gone with it.
	assert [ ! -e "$TMP/pid" ]
}

@test "--init is PID 1, runs the command as PID 2 and reaps orphans" {
	run -0 cx-unshare --pid --fork --init --mount-proc /bin/sh -c \
		'echo $$; /bin/sh -c "sleep 0.2 & exit 0"; sleep 1; ps -eo pid=,stat=,comm='
	assert_line --index 0 2
	assert_line --regexp '^ +1 S+ +cx-unshare$'
	refute_output --regexp ' Z'
	refute_output --partial "sleep"
}

@test "--init passes SIGTERM on to the command" {
	cx-unshare --pid --fork --init --pidfile "$TMP/pid" /bin/sh -c \
		"trap 'echo got > $TMP/got; exit 4' TERM; while :; do sleep 0.1; done" &
	BG_PIDS=$!
	wait_for_file "$TMP/pid"
	sleep 0.3
	# The pidfile names the command, the init's child.
	run -0 cat "/proc/$(cat "$TMP/pid")/comm"
	assert_output sh
	kill -TERM "$BG_PIDS"
	st=0
	wait "$BG_PIDS" || st=$?
	BG_PIDS=
	assert_equal "$st" 4
	assert [ -e "$TMP/got" ]
}

@test "--kill-child: the child dies with cx-unshare" {
	cx-unshare --fork --kill-child --pidfile "$TMP/pid" sleep 100 &
	BG_PIDS=$!
	wait_for_file "$TMP/pid"
	child=$(cat "$TMP/pid")
	run -0 kill -0 "$child"
	kill -KILL "$BG_PIDS"
	wait "$BG_PIDS" || true
	BG_PIDS=
	for i in $(seq 50); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
	run -1 kill -0 "$child"
}

@test "no descriptor but 0, 1 and 2 reaches the command" {
	exec 7</dev/null
	run -0 cx-unshare --uts /bin/sh -c 'ls /proc/$$/fd'
	assert_output "$(printf '0\n1\n2')"
	run -0 cx-unshare --pid --fork --root "$ROOTFS" /bin/sh -c 'ls /proc/$$/fd 2>&1 || true'
	exec 7<&-
}

@test "127 for a command not found, 126 for one that cannot run" {
	run -127 cx-unshare --uts "$TMP/missing"
	assert_output "cx-unshare: exec $TMP/missing: No such file or directory (nothing done)"
	touch "$TMP/plain"
	run -126 cx-unshare --uts "$TMP/plain"
	assert_output "cx-unshare: exec $TMP/plain: Permission denied (nothing done)"
	# Found out before anything is made: no namespace file is left, and
	# none was ever bound (the run leaves no mount either).
	run -127 cx-unshare --uts="$TMP/uts" --pidfile "$TMP/pid" --pid --fork nosuch-cx-command
	assert_output "cx-unshare: exec nosuch-cx-command: No such file or directory (nothing done)"
	assert [ ! -e "$TMP/uts" ]
	assert [ ! -e "$TMP/pid" ]
	# After --root the command is looked up inside, once there.
	run -127 cx-unshare --mount --root "$ROOTFS" /no/such
	assert_output "cx-unshare: exec /no/such: No such file or directory"
}

@test "bad input: one clear error, exit 125" {
	run -125 cx-unshare --bogus true
	assert_line --index 0 "cx-unshare: unrecognized option '--bogus'"
	assert_line --index 1 "Try 'cx-unshare --help' for more information."
	run -125 cx-unshare --map-user=abc true
	assert_line --index 0 "cx-unshare: invalid --map-user 'abc': no such user in /etc/passwd"
	run -125 cx-unshare --kill-child=NOPE true
	assert_line --index 0 "cx-unshare: invalid --kill-child 'NOPE': a signal name or number"
	run -125 cx-unshare --setgroups maybe --user true
	assert_line --index 0 "cx-unshare: invalid --setgroups 'maybe': allow or deny"
	run -125 cx-unshare --init true
	assert_line --index 0 "cx-unshare: --init needs --pid"
	run -125 cx-unshare --map-users=0:0:0 true
	run -125 cx-unshare --hostname
	assert_line --index 0 "cx-unshare: option '--hostname' requires an argument"
}

@test "options stop at the first operand: the command keeps its own" {
	run -0 cx-unshare --uts /bin/echo --pid -x
	assert_output "--pid -x"
	# An optional argument is never taken from the next word.
	run -0 cx-unshare --uts /bin/echo hello
	assert_output hello
	run -0 cx-unshare -u -- /bin/echo -n ok
	assert_output ok
}

@test "--help and --version" {
	run -0 cx-unshare --help
	assert_line --index 0 "Usage: cx-unshare [options] [COMMAND [ARG]...]"
	assert_output --partial "--mount-proc[=DIR]"
	run -0 cx-unshare --version
	assert_output --regexp '^cx-unshare [0-9]+\.[0-9]+'
}

@test "a failure after the namespace files are bound undoes them" {
	run -125 cx-unshare --mount --uts="$TMP/uts" --net="$TMP/net" \
		--root "$ROOTFS" --mount-proc=/nonexistent /bin/true
	assert_output --partial "cx-unshare: open /nonexistent inside --root $ROOTFS: No such file or directory"
	# The helper unmounted and removed what was made for this run.
	sleep 0.2
	assert [ ! -e "$TMP/uts" ]
	assert [ ! -e "$TMP/net" ]
	assert_equal "$(mounts_below_tmp)" 0
	# A command that is not found counts as a failure too.
	touch "$TMP/mine"
	run -127 cx-unshare --uts="$TMP/mine" --pidfile "$TMP/pid" "$TMP/missing"
	sleep 0.2
	assert [ -e "$TMP/mine" ]	# not ours: kept
	assert [ ! -e "$TMP/pid" ]
	assert_equal "$(mounts_below_tmp)" 0
}

# What a process would write there reaches the host's kernel: its
# sysctls (kernel.core_pattern runs a program on the host as root), its
# sysrq-trigger.  Each name the kernel has must be a read-only mount.
assert_proc_protected() {
	local mi=$1 name
	for name in sys sysrq-trigger irq bus fs scsi acpi; do
		[ -e "/proc/$name" ] || continue
		grep -qE "^[0-9]+ [0-9]+ [0-9:]+ /$name /proc/$name ro,nosuid,nodev,noexec[, ]" <<<"$mi" ||
			fail "/proc/$name is not a read-only mount: $mi"
	done
}

@test "--mount-proc: the host's sysctls and sysrq-trigger are read-only inside" {
	local before
	before=$(cat /proc/sys/vm/overcommit_ratio)
	run -0 cx-unshare --mount --pid --fork --mount-proc /bin/sh -c \
		'cat /proc/self/mountinfo; echo 77 2>&1 >/proc/sys/vm/overcommit_ratio; echo status=$?'
	assert_proc_protected "$output"
	assert_line --partial "Read-only file system"
	refute_line "status=0"
	assert_equal "$(cat /proc/sys/vm/overcommit_ratio)" "$before"
	# Root keeps no way back to a writable view without CAP_SYS_ADMIN.
	run -0 cx-unshare --mount --pid --fork --mount-proc \
		cx-caps --drop sys_admin /bin/sh -c \
		'mount -o remount,rw /proc/sys 2>&1; umount /proc/sys 2>&1; echo 77 >/proc/sys/vm/overcommit_ratio 2>&1; true'
	assert_equal "$(cat /proc/sys/vm/overcommit_ratio)" "$before"
	# The same after a pivot, and without the new mount API.
	require_static_tools
	run -0 cx-unshare --mount --pid --fork cx-chroot --pivot "$ROOTFS" \
		cx-unshare --mount-proc /bin/cat /proc/self/mountinfo
	assert_proc_protected "$output"
	[ -x "$CX_BUILD/tests/helper-nosys" ] || fail "make $CX_BUILD/tests/helper-nosys"
	run -0 "$CX_BUILD/tests/helper-nosys" cx-unshare --mount --pid --fork \
		cx-chroot --pivot "$ROOTFS" cx-unshare --mount-proc /bin/cat /proc/self/mountinfo
	assert_proc_protected "$output"
	# --writable-proc leaves proc as the kernel made it.
	run -0 cx-unshare --mount --pid --fork --mount-proc --writable-proc \
		/bin/sh -c "grep -c ' /proc/sys ' /proc/self/mountinfo || true"
	assert_output 0
	run -125 cx-unshare --writable-proc true
	assert_output --partial "--writable-proc needs --mount-proc"
}

@test "--mount-proc on a shared mount is refused, nothing reaches the host" {
	before=$(grep -c . /proc/self/mountinfo)
	run -125 cx-unshare --mount --propagation shared --pid --fork --mount-proc true
	assert_output --partial "shared propagation"
	assert_equal "$(grep -c . /proc/self/mountinfo)" "$before"
}

@test "a cx tool after the root change runs from a read-only view, not the host's file" {
	require_static_tools
	cp "$CX_BUILD/cx-unshare" "$TMP/before"
	# The view is a read-only bind mount of the tool's directory, in
	# no mount namespace: /proc/1/exe names the tool at its root, and
	# refuses any write.
	run -0 cx-unshare --mount --pid --fork cx-chroot --pivot "$ROOTFS" \
		cx-unshare --pid --fork --init --mount-proc /bin/sh -c \
		'readlink /proc/1/exe; echo x 2>&1 >/proc/1/exe; echo status=$?'
	assert_line --index 0 "/cx-unshare"
	assert_line --index 1 --partial "Read-only file system"
	refute_line "status=0"
	cmp "$CX_BUILD/cx-unshare" "$TMP/before"
}

@test "without the new mount API, the tool after the root change runs from a sealed copy" {
	require_static_tools
	[ -x "$CX_BUILD/tests/helper-nosys" ] || fail "make $CX_BUILD/tests/helper-nosys"
	cp "$CX_BUILD/cx-unshare" "$TMP/before"
	run -0 "$CX_BUILD/tests/helper-nosys" cx-unshare --mount --pid --fork \
		cx-chroot --pivot "$ROOTFS" \
		cx-unshare --pid --fork --init --mount-proc /bin/sh -c \
		'readlink /proc/1/exe; (echo x >/proc/1/exe) 2>/dev/null || echo refused'
	assert_line --index 0 "/memfd:cx-unshare (deleted)"
	assert_line --index 1 refused
	cmp "$CX_BUILD/cx-unshare" "$TMP/before"
}

@test "an ignored signal stays ignored in the command and is not passed on" {
	run -0 /bin/sh -c "trap '' HUP; exec cx-unshare --uts --fork /bin/sh -c 'grep SigIgn /proc/self/status'"
	mask=$(awk '{ print $2 }' <<<"$output")
	assert [ $((0x$mask & 1)) -eq 1 ]
	# HUP at its default first: bats may itself run under nohup.
	run -0 env --default-signal=HUP cx-unshare --uts --fork /bin/sh -c 'grep SigIgn /proc/self/status'
	mask=$(awk '{ print $2 }' <<<"$output")
	assert [ $((0x$mask & 1)) -eq 0 ]
}

@test "--init --pidfile with --mount-proc names the command" {
	cx-unshare --pid --fork --init --mount-proc --pidfile "$TMP/pid" sleep 100 &
	BG_PIDS=$!
	wait_for_file "$TMP/pid"
	run -0 cat "/proc/$(cat "$TMP/pid")/comm"
	assert_output sleep
}

@test "--pidfile holds the command's PID before the command runs: --fork, --pid, --init, and the init's other way" {
	local args st
	# strace holds back every write(2) and writev(2) 0.3 s, cx-unshare's
	# to the pidfile too (musl's dprintf writes with writev): the
	# command must still find its PID there.  Without
	# --mount-proc, /proc is the host's and names cut's parent, the
	# command, by its host PID.
	# shellcheck disable=SC2016
	local check='read -r p <"$1" || exit 3; [ -n "$p" ] || exit 4
		[ -n "$2" ] || [ "$p" = "$(cut -d" " -f4 /proc/self/stat)" ] || exit 5'
	for args in "--fork" "--pid --fork" "--pid --fork --init" \
		"--pid --fork --init --mount-proc" "nosys --pid --fork --init"; do
		rm -f "$TMP/pid"
		local pre=() proc=""
		[[ $args == nosys* ]] && pre=("$CX_BUILD/tests/helper-nosys")
		[[ $args == *--mount-proc ]] && proc=1
		st=0
		# shellcheck disable=SC2086
		strace -f -qq -o /dev/null -e trace=write,writev \
			-e inject=write,writev:delay_enter=300000 "${pre[@]}" \
			cx-unshare ${args#nosys} --pidfile "$TMP/pid" /bin/sh -c "$check" \
			sh "$TMP/pid" "$proc" || st=$?
		assert_equal "$args: status $st" "$args: status 0"
		# It made the file; it removes it once the command is done.
		assert [ ! -e "$TMP/pid" ]
	done
}

@test "--pidfile: removed when the child dies by a signal, and when cx-unshare passes one on" {
	local sig st
	# cx-unshare dies by the child's signal as well: no atexit handler
	# runs then, and the file it made went on naming a dead process.
	# (Not INT: a runner started in the background ignores it, and so
	# does the child then.)
	for sig in TERM KILL USR1; do
		st=0
		cx-unshare --fork --pidfile "$TMP/pid" /bin/sh -c "kill -$sig \$\$" || st=$?
		assert_equal "$sig: status $st" "$sig: status $((128 + $(kill -l "$sig")))"
		assert [ ! -e "$TMP/pid" ]
	done
	# Once the file holds the PID, cx-unshare holds the signals it
	# passes on: TERM goes to the child, which dies by it.
	cx-unshare --fork --mount --pidfile "$TMP/pid" sleep 100 3>&- &
	local bg=$!
	BG_PIDS="${BG_PIDS:-} $bg"
	wait_for_file "$TMP/pid"
	kill -TERM "$bg"
	st=0
	wait "$bg" || st=$?
	assert_equal "$st" 143
	assert [ ! -e "$TMP/pid" ]
}

@test "--pidfile is never seen empty: its name comes with the PID; a name made meanwhile is not taken over" {
	local args st d="$TMP/pd"
	# A tmpfs of our own: O_TMPFILE there on every kernel (the guest's
	# overlayfs root has none before 6.6, and takes the older way).
	mkdir "$d"
	mount -t tmpfs tmpfs "$d"
	for args in "" "--fork" "--pid --fork --init"; do
		rm -f "$TMP/seen"
		# Whoever waits for the name reads it at once; strace holds
		# cx-unshare's writes back 0.3 s, so a file named before its
		# PID is in would be read empty.
		timeout 30 sh -c 'until [ -e "$1" ]; do sleep 0.01; done; cat "$1" > "$2"' \
			sh "$d/pid" "$TMP/seen" 3>&- &
		local poller=$!
		BG_PIDS="${BG_PIDS:-} $poller"
		st=0
		# shellcheck disable=SC2086
		strace -f -qq -o /dev/null -e trace=write,writev \
			-e inject=write,writev:delay_enter=300000 \
			cx-unshare $args --pidfile "$d/pid" sleep 2 || st=$?
		assert_equal "$args: status $st" "$args: status 0"
		wait "$poller"
		run -0 cat "$TMP/seen"
		assert_output --regexp '^[0-9]+$'
		# It made the name; it takes it back once the command is done.
		[ -n "$args" ] && assert [ ! -e "$d/pid" ]
		rm -f "$d/pid"
	done
	# A name made by someone else while the PID is being written: left
	# as it is, and the command never runs.  strace holds the link back
	# 10 s (a guest under load looks slowly); the unnamed file is open
	# in cx-unshare meanwhile, as "$d/#INODE (deleted)".
	strace -f -qq -o /dev/null -e trace=linkat \
		-e inject=linkat:delay_enter=10000000 \
		cx-unshare --fork --pidfile "$d/pid" touch "$TMP/ran" 2>"$TMP/err" 3>&- &
	local bg=$!
	BG_PIDS="${BG_PIDS:-} $bg"
	timeout 30 sh -c 'until p=$(pgrep -P "$2") &&
		find "/proc/$p/fd" -lname "$1/#*" -print -quit 2>/dev/null | grep -q .; do
		sleep 0.05; done' sh "$d" "$bg"
	echo other > "$d/pid"
	st=0
	wait "$bg" || st=$?
	assert_equal "$st" 125
	run -0 cat "$TMP/err"
	assert_output "cx-unshare: pidfile $d/pid: link the written file into place: File exists"
	run -0 cat "$d/pid"
	assert_output other
	assert [ ! -e "$TMP/ran" ]
	rm "$d/pid"
	# Neither link works (no /proc, credentials changed by --user):
	# the file is made under its name, holds the PID, and goes after.
	run -0 strace -f -qq -o /dev/null -e trace=linkat -e inject=linkat:error=ENOENT \
		cx-unshare --fork --pidfile "$d/pid" cat "$d/pid"
	assert_output --regexp '^[0-9]+$'
	assert [ ! -e "$d/pid" ]
	umount "$d"
	# overlayfs: O_TMPFILE from Linux 6.6 on; before, the file is made
	# under its name. Either way it holds the PID for the command, and
	# goes when the command is done.
	mkdir -p "$TMP/ov/l" "$TMP/ov/u" "$TMP/ov/w" "$TMP/ov/m"
	mount -t overlay overlay -o "lowerdir=$TMP/ov/l,upperdir=$TMP/ov/u,workdir=$TMP/ov/w" "$TMP/ov/m"
	for args in "--fork" "--pid --fork --init"; do
		# shellcheck disable=SC2086
		run -0 cx-unshare $args --pidfile "$TMP/ov/m/pid" cat "$TMP/ov/m/pid"
		assert_output --regexp '^[0-9]+$'
		assert [ ! -e "$TMP/ov/m/pid" ]
	done
	umount "$TMP/ov/m"
}

@test "--pidfile: the helper that binds namespace files holds neither the pidfile nor its directory" {
	local d="$TMP/pd" p helper="" st
	# A tmpfs of our own, for O_TMPFILE on every kernel: strace holds
	# back the link that names the written pidfile, 10 s, and until it
	# is named the helper lives (it binds --uts=FILE and waits to
	# learn whether the command ran).
	mkdir "$d"
	mount -t tmpfs tmpfs "$d"
	strace -f -qq -o /dev/null -e trace=linkat \
		-e inject=linkat:delay_enter=10000000 \
		cx-unshare --fork --uts="$TMP/uts" --pidfile "$d/pid" true 3>&- &
	local bg=$!
	BG_PIDS="${BG_PIDS:-} $bg"
	# The helper is the process strace follows whose parent is neither
	# strace nor cx-unshare's parent (the child's is): the helper's
	# own parent exits once it is forked.
	local i q pp
	for i in $(seq 300); do
		p=$(pgrep -P "$bg") || true
		for q in $(grep -l "^TracerPid:	$bg\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3); do
			pp=$(awk '$1 == "PPid:" { print $2 }' "/proc/$q/status" 2>/dev/null) || continue
			[ -n "$p" ] && [ -n "$pp" ] && [ "$pp" != "$bg" ] && [ "$pp" != "$p" ] && helper=$q
		done
		[ -n "$helper" ] && break
		sleep 0.1
	done
	assert [ -n "$helper" ]
	assert_equal "$(cat "/proc/$helper/comm")" cx-unshare
	# Neither the directory (a way back into the host's tree for
	# whoever reaches the helper) nor the file, named or not.
	run -0 find "/proc/$helper/fd" -lname "$d*"
	assert_output ""
	st=0
	wait "$bg" || st=$?
	assert_equal "$st" 0
	assert [ ! -e "$d/pid" ]
	# The helper's work stays: the namespace, bound to its file.
	assert_equal "$(grep -c " $TMP/uts " /proc/self/mountinfo)" 1
	umount "$TMP/uts"
	umount "$d"
}

@test "--pidfile with --user: in a directory only capabilities open, made before the unshare; where it cannot be removed, a warning" {
	local st d="$TMP/pd"
	# A tmpfs of our own, for O_TMPFILE on every kernel (without it the
	# name is made before the unshare anyway, and nothing is asked).
	mkdir "$d"
	mount -t tmpfs -o mode=0755 tmpfs "$d"
	# A directory of root's: the name is ours to make after the
	# unshare too (owner's rights, no capability needed).  The command
	# (uid 0 of the host, unmapped) reads the PID.
	run -0 cx-unshare --user --map-users=0:100000:65536 --fork \
		--pidfile "$d/pid" cat "$d/pid"
	assert_output --regexp '^[0-9]+$'
	assert [ ! -e "$d/pid" ]
	# Another user's directory, mode 0700: only CAP_DAC_OVERRIDE in the
	# host's namespace opens it, and --user gives that up.  The file is
	# made before the unshare and holds the PID of the command, which
	# writes its own where the host reads it.
	mkdir -m 0700 "$d/other" && chown 4321:4321 "$d/other"
	mkdir -m 1777 "$d/w"
	local args
	for args in "" "--fork"; do
		rm -f "$d/w/self"
		st=0
		# shellcheck disable=SC2086
		cx-unshare --user --map-users=0:100000:65536 $args \
			--pidfile "$d/other/pid" /bin/sh -c 'echo $$ > "$1"' \
			sh "$d/w/self" 2>"$TMP/err" || st=$?
		assert_equal "$args: status $st" "$args: status 0"
		assert_equal "$(cat "$d/other/pid")" "$(cat "$d/w/self")"
		run -0 cat "$TMP/err"
		if [ -n "$args" ]; then
			# The parent, which would remove it at the end, is
			# in the new namespace by then: it says so.
			assert_output "cx-unshare: remove pidfile $d/other/pid: Permission denied"
		else
			assert_output ""
		fi
		rm "$d/other/pid"
	done
	umount "$d"
}

@test "--pidfile that is a FIFO, a device or a link: refused, never opened; one that cannot be written: the command never runs" {
	mkfifo "$TMP/fifo"
	ln -s "$TMP/target" "$TMP/link"
	# A FIFO with no reader would block the open for ever.
	run -125 timeout 20 cx-unshare --fork --pidfile "$TMP/fifo" touch "$TMP/ran"
	assert_output "cx-unshare: pidfile $TMP/fifo: not a regular file (a FIFO)"
	run -125 cx-unshare --fork --pidfile /dev/full touch "$TMP/ran"
	assert_output "cx-unshare: pidfile /dev/full: not a regular file (a character device)"
	run -125 cx-unshare --fork --pidfile "$TMP/link" touch "$TMP/ran"
	assert_output "cx-unshare: pidfile $TMP/link: not a regular file (a symbolic link)"
	assert [ ! -e "$TMP/target" ]
	# A name with a slash at its end is a directory's: nothing is made.
	run -125 cx-unshare --fork --pidfile "$TMP/new/" touch "$TMP/ran"
	assert_output "cx-unshare: open pidfile $TMP/new/: Is a directory"
	assert [ ! -e "$TMP/new" ]
	# An existing file, where /proc cannot open it again: refused at
	# once, not taken for a name to make.
	echo kept >"$TMP/existing"
	run -125 unshare --mount /bin/sh -c 'mount -t tmpfs none /proc && exec "$@"' sh \
		cx-unshare --pidfile "$TMP/existing" touch "$TMP/ran"
	# (ASan's runtime, without /proc, says more on lines of its own.)
	assert_line --regexp "^cx-unshare: pidfile $TMP/existing: open again through /proc/self/fd/[0-9]+: No such file or directory\$"
	assert_equal "$(cat "$TMP/existing")" kept
	assert [ -p "$TMP/fifo" ]
	# A file system with no room left: the PID cannot be written, and
	# the command, which waits for it, never runs; the file made goes.
	mkdir "$TMP/full"
	mount -t tmpfs -o size=4k tmpfs "$TMP/full"
	dd if=/dev/zero of="$TMP/full/fill" bs=4k count=1 status=none
	local args
	for args in "" "--fork" "--pid --fork --init"; do
		# shellcheck disable=SC2086
		run -125 cx-unshare $args --pidfile "$TMP/full/pid" touch "$TMP/ran"
		assert_output "cx-unshare: write pidfile $TMP/full/pid: No space left on device"
		assert [ ! -e "$TMP/full/pid" ]
		# A namespace bound to a file is taken back as well.
		# shellcheck disable=SC2086
		run -125 cx-unshare $args --net="$TMP/net" --pidfile "$TMP/full/pid" \
			touch "$TMP/ran"
		assert_output "cx-unshare: write pidfile $TMP/full/pid: No space left on device"
		assert [ ! -e "$TMP/net" ]
		assert_equal "$(grep -c " $TMP/net " /proc/self/mountinfo)" 0
	done
	sleep 0.5
	assert [ ! -e "$TMP/ran" ]
	umount "$TMP/full"
}

@test "empty arguments and conflicting maps are usage errors" {
	run -125 cx-unshare --setgroups= --user true
	assert_line --index 0 "cx-unshare: option '--setgroups' requires a non-empty argument after '='"
	# An optional value left empty names no file: refused, not read as
	# the option alone, and the command never runs.
	run -125 cx-unshare --mount= /bin/sh -c 'echo ran'
	assert_line --index 0 "cx-unshare: option '--mount' requires a non-empty argument after '='"
	refute_line ran
	run -125 cx-unshare --kill-child= --pid true
	assert_line --index 0 "cx-unshare: option '--kill-child' requires a non-empty argument after '='"
	run -125 cx-unshare -R '' -f true
	assert_line --index 0 "cx-unshare: option requires a non-empty argument -- 'R'"
	run -125 cx-unshare --map-root-user --map-user=5 true
	assert_line --index 0 --partial "--map-root-user conflicts with"
	run -125 cx-unshare --uts --hostname "$(printf '%070d' 0)" true
	assert_line --index 0 --partial "': longer than 64 bytes"
}

@test "an unprivileged user maps itself to root (the helper may write our maps)" {
	run -0 setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$CX_BUILD/cx-unshare" --map-root-user /bin/sh -c 'id -u; cat /proc/self/uid_map /proc/self/setgroups'
	assert_line --index 0 0
	assert_equal "$(echo "${lines[1]}" | tr -s ' ' | sed 's/^ //')" "0 65534 1"
	assert_line --index 2 deny
	# Any other map needs privilege in the parent namespace: shadow's
	# newuidmap writes it, and nobody has no range in /etc/subuid.
	run -125 setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$CX_BUILD/cx-unshare" --user --map-users=0:100000:10 true
	assert_output --regexp "cx-unshare: newuidmap [0-9]+ refused the map \(the ranges must be ours in /etc/subuid\)"
	run -125 setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$CX_BUILD/cx-unshare" --map-auto true
	assert_line --index 0 "cx-unshare: --map-auto: /etc/subuid has no range for nobody (uid 65534); root gives one: usermod --add-subuids FIRST-LAST --add-subgids FIRST-LAST USER"
}

@test "--mount-devpts: a devpts of its own, not the host's terminals" {
	mkdir -p "$ROOTFS/dev/pts"
	# No proc inside this root: look from the host instead.
	cx-unshare --root "$ROOTFS" --mount-devpts --pidfile "$TMP/pid" /bin/sleep 100 &
	BG_PIDS=$!
	wait_for_file "$TMP/pid"
	sleep 0.2
	run -0 cat "/proc/$(cat "$TMP/pid")/mountinfo"
	assert_output --regexp " /dev/pts [^ ]*nosuid,noexec.* - devpts [^ ]+ [^ ]*ptmxmode=666"
	# A new instance: none of the host's ptys is in it.
	run -0 ls "/proc/$(cat "$TMP/pid")/root/dev/pts"
	assert_output ptmx
}

@test "the command cannot type into the caller's terminal (TIOCSTI, TIOCLINUX)" {
	local helper="$CX_BUILD/tests/helper-tiocsti"
	[ -x "$helper" ] || fail "make $helper"
	command -v script >/dev/null || fail "script(1) (bsdutils) is needed for a terminal"
	# Without the filter the kernel takes the character: the test can
	# tell the two apart.
	run -0 script -qec "cx-unshare --uts --allow-tiocsti $helper" /dev/null
	assert_line --partial "TIOCSTI ok"
	# With it, whatever the capabilities: root in the container with
	# every one, after the pivot too.
	run -0 script -qec "cx-unshare --uts $helper" /dev/null
	assert_line --partial "TIOCSTI EPERM"
	assert_line --partial "TIOCLINUX EPERM"
	require_static_tools
	cp "$helper" "$ROOTFS/tiocsti"
	run -0 script -qec "cx-unshare --mount --pid --fork cx-chroot --pivot $ROOTFS cx-unshare --mount-proc /tiocsti" /dev/null
	assert_line --partial "TIOCSTI EPERM"
	# The kernel holds one filter, however many links installed it.
	run -0 cx-unshare --uts cx-unshare --ipc /bin/grep -E '^Seccomp(_filters)?:' /proc/self/status
	assert_line --regexp $'^Seccomp:\t2$'
	assert_line --regexp $'^Seccomp_filters:\t1$'
}

@test "a command run by cx-nsenter cannot type into the caller's terminal either" {
	local helper="$CX_BUILD/tests/helper-tiocsti"
	[ -x "$helper" ] || fail "make $helper"
	cp "$helper" "$ROOTFS/tiocsti"
	cx-unshare --mount --pid --fork --pidfile "$TMP/pid" --root "$ROOTFS" \
		--mount-proc /bin/sleep 100 &
	BG_PIDS=$!
	wait_for_file "$TMP/pid"
	run -0 script -qec "cx-nsenter --pidfile $TMP/pid -a --root /tiocsti" /dev/null
	assert_line --partial "TIOCSTI EPERM"
	run -0 script -qec "cx-nsenter --pidfile $TMP/pid -a --root --allow-tiocsti /tiocsti" /dev/null
	assert_line --partial "TIOCSTI ok"
}

@test "--init: PID 1 leaves the host's tree before the command is made" {
	# A build with ASan cannot make the command vfork's way: it goes
	# the way of the next test, which it passes.
	if is_asan "$CX_BUILD/cx-unshare"; then
		init_own_namespace cx-unshare
		return
	fi
	# With CAP_SYS_PTRACE a process of the container reaches the init's
	# root and working directory through /proc/1: an empty tmpfs
	# attached nowhere, from which no mount of any tree is in sight.
	run -0 cx-unshare --mount --pid --init --mount-proc /bin/sh -c \
		'wc -l </proc/1/mountinfo; stat -f -c %T /proc/1/root/. /proc/1/cwd/.; ls -A /proc/1/root/ /proc/1/cwd/; echo ==; readlink /proc/1/ns/mnt /proc/self/ns/mnt; pwd'
	assert_line --index 0 0
	assert_line --index 1 tmpfs
	assert_line --index 2 tmpfs
	assert_line --index 3 "/proc/1/cwd/:"
	assert_line --index 4 "/proc/1/root/:"
	assert_line --index 5 "=="
	# Its mount namespace is the command's own, which gives a process
	# there nothing it does not have; the command got its root and
	# directory back.
	assert_equal "${lines[6]}" "${lines[7]}"
	assert_line --index 8 "$PWD"
	assert_equal "${#lines[@]}" 9
}

# The init's other way: a mount namespace of its own whose only mount is
# an empty tmpfs, and the command, forked before, let go after.
init_own_namespace() {
	run -0 "$@" --mount --pid --init --mount-proc /bin/sh -c \
		'cat /proc/1/mountinfo; echo ==; ls -A /proc/1/root/ /proc/1/cwd/; echo ==; readlink /proc/1/ns/mnt /proc/self/ns/mnt'
	assert_equal "${#lines[@]}" 7
	assert_line --index 0 --regexp '^[0-9]+ [0-9]+ [0-9:]+ / / ro,nosuid,nodev,noexec,[^ ]* - tmpfs cx-init '
	assert_line --index 1 "=="
	assert_line --index 2 "/proc/1/cwd/:"
	assert_line --index 3 "/proc/1/root/:"
	assert_line --index 4 "=="
	# The command keeps the mount namespace it was given.
	assert [ "${lines[5]}" != "${lines[6]}" ]
}

@test "--init from a working directory that is gone: the command keeps it" {
	# It cannot be opened again to be given back: the init takes the
	# other way, which forks the command before it moves.
	mkdir "$TMP/gone"
	cd "$TMP/gone"
	rmdir "$TMP/gone"
	run -0 --separate-stderr cx-unshare --mount --pid --init readlink /proc/self/cwd
	cd /
	assert_output "$TMP/gone (deleted)"
}

@test "--init without the new mount API (before 5.2): the init leaves for a mount namespace of its own before the command runs" {
	require_helper "$CX_BUILD/tests/helper-nosys"
	init_own_namespace "$CX_BUILD/tests/helper-nosys" cx-unshare
}

@test "without a read-only view of the tool directory, a second cx tool after the root change is refused by name, before its step" {
	require_static_tools
	require_helper "$CX_BUILD/tests/helper-nosys"
	# The first link after the pivot is opened before it (a sealed
	# copy); the host's directory itself is never passed down.
	run -0 "$CX_BUILD/tests/helper-nosys" cx-unshare --mount --pid --fork \
		cx-chroot --pivot "$ROOTFS" cx-unshare --mount-proc /bin/sh -c 'echo "${CX_TOOLDIR_FD:-none}"; ls /proc/self/fd | wc -l'
	assert_line --index 0 none
	assert_line --index 1 4
	run -127 "$CX_BUILD/tests/helper-nosys" cx-unshare --mount --pid --fork \
		cx-chroot --pivot "$ROOTFS" cx-unshare --mount-proc cx-caps --drop chown /bin/true
	assert_output --regexp "^cx-unshare: exec cx-caps: no cx tool but the first one can follow this root change: .* \(nothing done\)$"
}

@test "--init with a root that is no mount point: the init's root and cwd are an empty tmpfs" {
	# --root of a plain directory, or a plain cx-chroot before: no
	# pivot_root is possible there, so the init chroots into a tmpfs
	# attached nowhere.
	run -0 cx-unshare --mount --pid --init --root "$ROOTFS" --mount-proc /bin/sh -c \
		'ls -A /proc/1/root/ /proc/1/cwd/; wc -l </proc/1/mountinfo; stat -c %i /proc/1/root/.'
	assert_line --index 0 "/proc/1/cwd/:"
	assert_line --index 1 "/proc/1/root/:"
	assert_line --index 2 0
	assert_equal "${#lines[@]}" 4
	assert [ "${lines[3]}" != "$(stat -c %i "$ROOTFS")" ]
	# The fallback without fsmount(2) cannot do that: it refuses.
	require_helper "$CX_BUILD/tests/helper-nosys"
	run -125 "$CX_BUILD/tests/helper-nosys" cx-unshare --mount --pid --init --root "$ROOTFS" /bin/true
	assert_output --partial "init: its root is no mount point"
}

@test "--wd: the command is looked up from there, as the exec will" {
	mkdir "$TMP/wd"
	printf '#!/bin/sh\necho ran in $PWD\n' >"$TMP/wd/run.sh"
	chmod +x "$TMP/wd/run.sh"
	cd /
	run -0 cx-unshare --uts --wd "$TMP/wd" ./run.sh
	assert_output "ran in $TMP/wd"
}

@test "--verbose on the first link: each tool of the chain says each change, in order; the command gets no CX_VERBOSE" {
	require_static_tools
	local cg="bats-verbose-$$"
	mkdir "$TMP/src" "$ROOTFS/mnt/src"
	run -0 --separate-stderr cx-unshare -v --mount --uts --pid --fork --hostname box \
		cx-bind --ro "$TMP/src" "$ROOTFS/mnt/src" \
		cx-cgroup run --rm --controllers pids --pids 10 "$cg" \
		cx-chroot --pivot "$ROOTFS" cx-unshare --mount-proc \
		cx-caps --drop cap_chown /bin/sh -c 'echo "[${CX_VERBOSE-unset}] $(hostname)"; grep CapBnd /proc/self/status'
	# What the command got, from the kernel.
	assert_line --index 0 "[unset] box"
	assert_line --index 1 "CapBnd:	$(printf '%016x' $((0x$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status) & ~1)))"
	# One line per change, each tool in its turn.
	local said
	said=$(grep -n . <<<"$stderr")
	order() {
		local line
		line=$(grep -F -- "$1" <<<"$said" | head -1 | cut -d: -f1)
		[ -n "$line" ] || fail "not said: $1"
		echo "$line"
	}
	local a b c d w e f
	a=$(order "cx-unshare: unshare uts,pid,mount")
	b=$(order "cx-unshare: sethostname box")
	c=$(order "cx-bind: bind $TMP/src on $ROOTFS/mnt/src (norec,ro,nosuid,nodev)")
	d=$(order "cx-cgroup: write 10 to ")
	# In the container's PID namespace, run --rm's waiting process
	# leaves the host's tree before the command goes on.
	w=$(order "cx-cgroup: run --rm's waiting process leaves the tree")
	e=$(order "cx-chroot: pivot_root into $ROOTFS")
	f=$(order "cx-caps: drop cap_chown from the bounding set")
	order "cx-unshare: mount a new proc on /proc" >/dev/null
	order "cx-cgroup: mount cgroup" >/dev/null
	[ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] && [ "$c" -lt "$d" ] &&
		[ "$d" -lt "$w" ] && [ "$w" -lt "$e" ] && [ "$e" -lt "$f" ] ||
		fail "out of order: $said"
	assert_equal "$(grep -c "exec /bin/sh" <<<"$stderr")" 1
	# Without it, nothing is said.
	run -0 --separate-stderr cx-unshare --mount --fork cx-chroot --pivot "$ROOTFS" /bin/true
	assert_equal "$stderr" ""
	assert_equal "$(mounts_below_tmp)" 0
}

@test "util-linux habits: -fp --mount-proc, short options together" {
	run -0 cx-unshare -fp --mount-proc /bin/sh -c 'echo $$; readlink /proc/self/ns/pid; grep -c . /proc/self/mountinfo >/dev/null && cat /proc/1/comm'
	assert_line --index 0 1
	assert_not_equal "${lines[1]}" "$(readlink /proc/self/ns/pid)"
	assert_line --index 2 sh
	# -r with them: a user namespace too, as util-linux's -frp.
	run -0 cx-unshare -frp --mount-proc /bin/sh -c 'id -u; echo $$'
	assert_output "0
1"
}

@test "--detach: cx-unshare exits 0 at once; the child goes on as PID 1 of the new namespace, named by the pidfile" {
	local pid
	# Its stdio is not bats's pipe, which run would read to the end.
	timeout 10 cx-unshare --pid --mount --detach --pidfile "$TMP/pid" \
		sh -c 'echo $$ >"$0/inner"; exec sleep 60' "$TMP" </dev/null >"$TMP/out" 2>&1
	pid=$(cat "$TMP/pid")
	wait_for_file "$TMP/inner"
	# Still running after cx-unshare is gone: nothing waited for it.
	kill -0 "$pid"
	assert_equal "$(cat "$TMP/inner")" 1
	assert_equal "$(awk '/^NSpid:/ { print $NF }' "/proc/$pid/status")" 1
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
	# Its parent is no cx-unshare: the process that reaps orphans.
	run ps -o comm= -p "$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status")"
	refute_output cx-unshare
	kill -KILL "$pid"
	# The pidfile is the child's to keep, not removed at the exit.
	[ -f "$TMP/pid" ]
}

@test "--detach refuses --init and --kill-child, in one line" {
	run -125 cx-unshare --pid --detach --init true
	assert_output --partial "--detach and --init cannot be used together"
	run -125 cx-unshare --pid --detach --kill-child true
	assert_output --partial "--detach and --kill-child cannot be used together"
}
