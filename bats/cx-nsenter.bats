#!/usr/bin/env bats
# cx-nsenter against the real kernel: the walkthrough's nsenter step,
# joins by namespace file, --all compared by inode, targets that are
# gone (never there, reaped, a zombie, dying in the middle of the join),
# files that are not namespaces, credentials, environment, root and
# working directory, and the fork that passes status and signals on.

load helpers

KINDS="mnt uts ipc net pid user cgroup time"

# "kind inode" for each kind, from the process running the script.
ns_list='for k in mnt uts ipc net pid user cgroup time; do echo "$k $(stat -L -c %i /proc/self/ns/$k)"; done'

# The same list for process $1, read from the host.
target_ns_list() {
	local k
	for k in $KINDS; do
		echo "$k $(ns_ino "$k" "$1")"
	done
}

require_strace() {
	command -v strace >/dev/null ||
		skip "strace is not installed: it delays setns(2) at will and counts the calls (apt-get install strace)"
}

# Start cx-unshare ARGS... in the background with --pidfile $TMP/pid;
# PID gets the process the pidfile names.  Teardown kills both: the
# child of cx-unshare --fork outlives a parent killed by SIGKILL.
start_target() {
	cx-unshare --pidfile "$TMP/pid" "$@" </dev/null >/dev/null 2>&1 3>&- &
	BG_PIDS="$BG_PIDS $!"
	wait_for_file "$TMP/pid" || fail "the target did not write its pidfile"
	PID=$(cat "$TMP/pid")
	BG_PIDS="$BG_PIDS $PID"
}

# Wait (up to 5 s) until process $1 runs command $2 (after its exec).
wait_for_comm() {
	local i
	for i in $(seq 50); do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	fail "process $1 does not run $2"
}

# Wait (up to 5 s) until process $1 has a child.
wait_for_child() {
	local i
	for i in $(seq 50); do
		# proc files have no size: read it.
		[ -n "$(cat "/proc/$1/task/$1/children" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	fail "process $1 has no child"
}

# The setns(2) calls in the strace output $1, one per line, without
# the PID and the descriptor: "setns(FD, CLONE_NEWUTS) = 0".
setns_calls() {
	grep 'setns(' "$1" | sed -E 's/^[0-9]+ +//; s/setns\([0-9]+, /setns(FD, /; s/ +/ /g'
}

# Field 3 of /proc/PID/stat.
proc_state() {
	awk '{ print $3 }' "/proc/$1/stat"
}

# A process that has exited and been reaped: its PID names nothing.
reaped_pid() {
	sh -c 'echo $$' >"$TMP/gone"
	cat "$TMP/gone"
}

# A zombie: the child of a process that never waits (perl, which
# Debian cannot be without; a shell may reap its jobs).  ZPID gets it.
start_zombie() {
	perl -e '$p = fork; exit 0 unless $p; open(F, ">", $ARGV[0]) or die;
		print F "$p\n"; close F; sleep 100' "$TMP/zpid" \
		</dev/null >/dev/null 2>&1 3>&- &
	BG_PIDS="$BG_PIDS $!"
	wait_for_file "$TMP/zpid" || fail "no zombie"
	ZPID=$(cat "$TMP/zpid")
	local i
	for i in $(seq 50); do
		[ "$(proc_state "$ZPID")" = Z ] && return 0
		sleep 0.1
	done
	fail "process $ZPID did not become a zombie"
}

# --- the walkthrough's nsenter step ----------------------------------

@test "walkthrough: ps in the container sees its PID 1 and itself, not the host" {
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	host=$!
	BG_PIDS="$BG_PIDS $host"
	start_target --pid --fork --mount-proc --root "$ROOTFS" /bin/sh -c 'sleep 100; true'
	wait_for_child "$PID"
	run -0 cx-nsenter --pidfile "$TMP/pid" --pid --mount --root /bin/ps -o pid,comm
	assert_line --index 0 --regexp '^ *PID +COMMAND$'
	assert_line --index 1 --regexp '^ +1 sh$'
	assert_line --index 2 --regexp '^ +2 sleep$'
	assert_line --index 3 --regexp '^ +[0-9]+ ps$'
	# Nothing else: not the host's sleep, not cx-nsenter, which waits
	# outside.
	assert_equal "${#lines[@]}" 4
	refute_output --partial cx-nsenter
	# The command ran in the target's namespaces and root.
	run -0 cx-nsenter --pidfile "$TMP/pid" --pid --mount --root /bin/sh -c \
		'stat -L -c %i /proc/self/ns/pid /proc/self/ns/mnt; ls /bin/busybox'
	assert_equal "${lines[0]}" "$(ns_ino pid "$PID")"
	assert_equal "${lines[1]}" "$(ns_ino mnt "$PID")"
	assert_equal "${lines[2]}" /bin/busybox
	# The host's sleep was never in reach.
	run -0 kill -0 "$host"
}

@test "walkthrough: joining by /proc/PID/ns/pid, then unshare and chroot" {
	start_target --pid --fork --mount-proc --root "$ROOTFS" /bin/sh -c 'sleep 100; true'
	wait_for_child "$PID"
	# sudo nsenter --pid=/proc/1896/ns/pid unshare -f --mount-proc=$PWD/rootfs/proc chroot rootfs /bin/sh
	run -0 cx-nsenter --pid="/proc/$PID/ns/pid" \
		cx-unshare --fork --mount-proc="$ROOTFS/proc" \
		cx-chroot "$ROOTFS" /bin/ps -o pid,comm
	assert_line --index 1 --regexp '^ +1 sh$'
	assert_line --index 2 --regexp '^ +2 sleep$'
	assert_line --index 3 --regexp '^ +[0-9]+ cx-unshare$'
	assert_line --index 4 --regexp '^ +[0-9]+ ps$'
	assert_equal "${#lines[@]}" 5
	# The proc mount stayed in cx-unshare's mount namespace.
	assert_equal "$(mounts_below_tmp)" 0
}

@test "namespace files without a target: /proc/PID/ns/* and --root=DIR" {
	start_target --pid --fork --mount-proc --root "$ROOTFS" /bin/sh -c 'sleep 100; true'
	wait_for_child "$PID"
	# The child is sh's fork until it has executed sleep.
	local child
	child=$(cat "/proc/$PID/task/$PID/children")
	wait_for_comm "${child%% *}" sleep
	run -0 cx-nsenter --pid="/proc/$PID/ns/pid" --mount="/proc/$PID/ns/mnt" \
		--root="/proc/$PID/root" /bin/ps -o pid,comm
	assert_line --index 1 --regexp '^ +1 sh$'
	assert_line --index 2 --regexp '^ +2 sleep$'
	assert_line --index 3 --regexp '^ +[0-9]+ ps$'
	assert_equal "${#lines[@]}" 4
}

@test "a UTS namespace kept by cx-unshare --uts=FILE" {
	before=$(hostname)
	run -0 cx-unshare --uts="$TMP/uts" --hostname kept true
	run -0 cx-nsenter --uts="$TMP/uts" /bin/sh -c 'hostname; stat -L -c %i /proc/self/ns/uts'
	assert_equal "${lines[0]}" kept
	assert_equal "${lines[1]}" "$(stat -c %i "$TMP/uts")"
	assert_not_equal "${lines[1]}" "$(ns_ino uts)"
	assert_equal "$(hostname)" "$before"
	run -0 umount "$TMP/uts"
}

# --- --all -----------------------------------------------------------

@test "--all: inside, every namespace is the target's" {
	start_target --mount --uts --ipc --net --pid --fork sleep 100
	wait_for_comm "$PID" sleep
	run -0 cx-nsenter --pidfile "$TMP/pid" --all /bin/sh -c "$ns_list"
	assert_equal "$output" "$(target_ns_list "$PID")"
	# With a user namespace as well: we enter it, as its root.
	rm "$TMP/pid"
	start_target --user --map-root-user --uts --fork sleep 100
	wait_for_comm "$PID" sleep
	run -0 cx-nsenter -a -t "$PID" /bin/sh -c "$ns_list; id -u"
	assert_equal "$(head -n 8 <<<"$output")" "$(target_ns_list "$PID")"
	assert_line --index 8 0
	assert_not_equal "$(ns_ino user "$PID")" "$(ns_ino user)"
}

@test "--all leaves alone the namespaces we share: our mount and user namespaces" {
	start_target --uts --hostname inner --fork sleep 100
	wait_for_comm "$PID" sleep
	cd "$TMP"
	# Joining our own mount namespace again would move us to its root;
	# entering our own user namespace is refused by the kernel.
	run -0 cx-nsenter -a -t "$PID" /bin/sh -c 'pwd; hostname'
	assert_line --index 0 "$TMP"
	assert_line --index 1 inner
}

@test "--all: exactly the kinds that differ, in one setns(2) on the pidfd" {
	require_strace
	start_target --mount --uts --ipc --net --pid --fork sleep 100
	wait_for_comm "$PID" sleep
	run -0 strace -f -qq -o "$TMP/trace" -e trace=setns \
		cx-nsenter --pidfile "$TMP/pid" --all true
	run -0 setns_calls "$TMP/trace"
	assert_output "setns(FD, CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET) = 0"
}

@test "without pidfd_open: every /proc/PID/ns file opened first, then user first" {
	require_strace
	start_target --user --map-root-user --uts --ipc --fork sleep 100
	wait_for_comm "$PID" sleep
	run -0 strace -f -qq -o "$TMP/trace" -e trace=pidfd_open,open,openat,setns \
		-e inject=pidfd_open:error=ENOSYS \
		cx-nsenter --pidfile "$TMP/pid" --all /bin/sh -c "$ns_list"
	assert_equal "$output" "$(target_ns_list "$PID")"
	# The opens of the namespace files, then the joins, in that order.
	run -0 grep -E "/ns/|setns\(" "$TMP/trace"
	assert_line --index 0 --partial "\"/proc/$PID/ns/user\""
	assert_line --index 1 --partial "\"/proc/$PID/ns/ipc\""
	assert_line --index 2 --partial "\"/proc/$PID/ns/uts\""
	assert_line --index 3 --regexp 'setns\([0-9]+, CLONE_NEWUSER\) += 0'
	assert_line --index 4 --regexp 'setns\([0-9]+, CLONE_NEWIPC\) += 0'
	assert_line --index 5 --regexp 'setns\([0-9]+, CLONE_NEWUTS\) += 0'
	assert_equal "${#lines[@]}" 6
}

# --- targets that are not there -------------------------------------

@test "a PID that does not exist, or was reaped: exit 125, nothing run" {
	run -125 cx-nsenter -t 2147483647 --uts echo ran
	assert_output "cx-nsenter: process 2147483647: No such process"
	gone=$(reaped_pid)
	echo "$gone" >"$TMP/pid"
	run -125 cx-nsenter --pidfile "$TMP/pid" --uts --net echo ran
	assert_output "cx-nsenter: process $gone (from $TMP/pid): No such process"
}

@test "a zombie: exit 125, it has no namespaces to join" {
	start_zombie
	run -125 cx-nsenter -t "$ZPID" --uts echo ran
	assert_output "cx-nsenter: process $ZPID is a zombie: it has no namespaces to join"
	run -125 cx-nsenter -t "$ZPID" --all echo ran
	assert_output "cx-nsenter: process $ZPID is a zombie: it has no namespaces to join"
}

@test "files that are no namespace, or the wrong kind: exit 125 before any join" {
	start_target --uts --fork sleep 100
	wait_for_comm "$PID" sleep
	run -125 cx-nsenter --uts=/etc/passwd echo ran
	assert_output "cx-nsenter: /etc/passwd: not a namespace file"
	run -125 cx-nsenter -t "$PID" --uts --net=/etc/passwd echo ran
	assert_output "cx-nsenter: /etc/passwd: not a namespace file"
	run -125 cx-nsenter --uts="/proc/$PID/ns/net" echo ran
	assert_output "cx-nsenter: /proc/$PID/ns/net: a net namespace, not a uts namespace"
	run -125 cx-nsenter --uts="$TMP/missing" echo ran
	assert_output "cx-nsenter: open $TMP/missing: No such file or directory"
}

@test "gone, zombie or no namespace: not one setns(2) call" {
	require_strace
	start_zombie
	gone=$(reaped_pid)
	start_target --uts --fork sleep 100
	wait_for_comm "$PID" sleep
	for args in "-t $gone --uts" "-t $ZPID --uts" "--uts=/etc/passwd" \
		"-t $PID --uts --net=/etc/passwd" "--pid=/proc/$PID/ns/pid --uts=/proc/$PID/ns/net"; do
		# shellcheck disable=SC2086
		run -125 strace -f -qq -o "$TMP/trace" -e trace=setns cx-nsenter $args echo ran
		refute_line ran
		run -1 grep -c 'setns(' "$TMP/trace"
		assert_output 0
	done
}

@test "a target that exits in the middle of the join: exit 125, nothing joined" {
	require_strace
	start_target --uts --hostname inner --fork sleep 100
	wait_for_comm "$PID" sleep
	# strace holds setns(2) back for 5 s, time enough to kill and reap
	# the target once cx-nsenter has looked it up.
	strace -o "$TMP/trace" -e trace=setns -e inject=setns:delay_enter=5s \
		cx-nsenter --pidfile "$TMP/pid" --uts hostname \
		>"$TMP/out" 2>"$TMP/err" 3>&- &
	tracer=$!
	for i in $(seq 50); do
		grep -q 'setns(' "$TMP/trace" && break
		sleep 0.1
	done
	run -0 grep -c 'setns(' "$TMP/trace"
	kill -KILL "$PID"
	for i in $(seq 50); do [ -e "/proc/$PID" ] || break; sleep 0.1; done
	assert [ ! -e "/proc/$PID" ]
	st=0
	wait "$tracer" || st=$?
	assert_equal "$st" 125
	assert_equal "$(cat "$TMP/err")" "cx-nsenter: process $PID (from $TMP/pid) exited before it could be joined: nothing joined"
	assert_equal "$(cat "$TMP/out")" ""
	# The one setns(2), on the pidfd, joined nothing.
	run -0 grep 'setns(' "$TMP/trace"
	assert_output --regexp '^setns\([0-9]+, CLONE_NEWUTS\) += -1 ESRCH'
}

@test "without pidfd_open, a target that exits in the middle: the command does not run" {
	require_strace
	start_target --uts --ipc --fork sleep 100
	wait_for_comm "$PID" sleep
	# strace injects only into calls it traces: pidfd_open too.
	strace -f -o "$TMP/trace" -e trace=pidfd_open,setns -e inject=pidfd_open:error=ENOSYS \
		-e inject=setns:delay_enter=5s:when=1 \
		cx-nsenter --pidfile "$TMP/pid" --uts --ipc hostname \
		>"$TMP/out" 2>"$TMP/err" 3>&- &
	tracer=$!
	for i in $(seq 50); do
		grep -q 'setns(' "$TMP/trace" && break
		sleep 0.1
	done
	kill -KILL "$PID"
	for i in $(seq 50); do [ -e "/proc/$PID" ] || break; sleep 0.1; done
	st=0
	wait "$tracer" || st=$?
	assert_equal "$st" 125
	assert_equal "$(cat "$TMP/err")" "cx-nsenter: process $PID (from $TMP/pid) exited while we joined its namespaces: the command does not run"
	assert_equal "$(cat "$TMP/out")" ""
	run -0 grep -c 'pidfd_open(.*ENOSYS.*INJECTED' "$TMP/trace"
	run -0 grep -c 'setns(.*(DELAYED)' "$TMP/trace"
}

# --- credentials, environment, directories ---------------------------

@test "--user makes us the namespace's root; --preserve-credentials keeps our IDs" {
	start_target --user --map-users=0:100000:65536 --map-groups=0:100000:65536 --fork sleep 100
	wait_for_comm "$PID" sleep
	run -0 cx-nsenter --pidfile "$TMP/pid" --user grep -E '^(Uid|Gid|Groups):' /proc/self/status
	assert_line --index 0 --regexp '^Uid:\s+0\s+0\s+0\s+0$'
	assert_line --index 1 --regexp '^Gid:\s+0\s+0\s+0\s+0$'
	assert_line --index 2 --regexp '^Groups:\s*$'
	# Seen from the host, that root is 100000.
	chmod 711 "$TMP"
	mkdir -m 1777 "$TMP/shared"
	run -0 cx-nsenter --pidfile "$TMP/pid" --user touch "$TMP/shared/made"
	assert_equal "$(stat -c %u:%g "$TMP/shared/made")" 100000:100000
	# Our host root has no ID in there: the overflow IDs.
	run -0 cx-nsenter --pidfile "$TMP/pid" --user --preserve-credentials \
		grep -E '^(Uid|Gid):' /proc/self/status
	assert_line --index 0 --regexp '^Uid:\s+65534\s+65534\s+65534\s+65534$'
	assert_line --index 1 --regexp '^Gid:\s+65534\s+65534\s+65534\s+65534$'
	run -125 cx-nsenter --pidfile "$TMP/pid" --user --setuid 70000 echo ran
	assert_output "cx-nsenter: setuid 70000 (not mapped in the user namespace): Invalid argument"
}

@test "--user when the target's user namespace is ours: refused before any join" {
	start_target --uts --fork sleep 100
	wait_for_comm "$PID" sleep
	run -125 cx-nsenter -t "$PID" --user --uts echo ran
	assert_output "cx-nsenter: --user: the user namespace of process $PID is our own, and the kernel does not let a process enter its own again (leave out --user)"
}

@test "--setuid and --setgid, in /proc/self/status" {
	start_target --uts --fork sleep 100
	wait_for_comm "$PID" sleep
	run -0 cx-nsenter -t "$PID" --uts --setuid 1000 --setgid 100 \
		grep -E '^(Uid|Gid|Groups):' /proc/self/status
	assert_line --index 0 --regexp '^Uid:\s+1000\s+1000\s+1000\s+1000$'
	assert_line --index 1 --regexp '^Gid:\s+100\s+100\s+100\s+100$'
	assert_line --index 2 --regexp '^Groups:\s*$'
	run -0 cx-nsenter -t "$PID" --uts -S 1000 id -g
	assert_output 0
	run -125 cx-nsenter -t "$PID" --uts --setuid root true
	assert_line --index 0 "cx-nsenter: invalid --setuid 'root': a user ID, as a number"
	run -125 cx-nsenter -t "$PID" --uts --setgid 4294967295 true
	assert_line --index 0 "cx-nsenter: invalid --setgid '4294967295': a group ID, as a number"
}

@test "--env: the command gets the target's environment, not ours" {
	env -i FOO=from-target PATH=/usr/bin:/bin "$CX_BUILD/cx-unshare" --pidfile "$TMP/pid" \
		--uts --fork sleep 100 </dev/null >/dev/null 2>&1 3>&- &
	BG_PIDS="$BG_PIDS $!"
	wait_for_file "$TMP/pid"
	PID=$(cat "$TMP/pid")
	BG_PIDS="$BG_PIDS $PID"
	wait_for_comm "$PID" sleep
	run -0 env BAR=ours cx-nsenter --pidfile "$TMP/pid" --uts --env env
	assert_equal "$(sort <<<"$output")" "$(printf 'FOO=from-target\nPATH=/usr/bin:/bin')"
	# Without --env, ours.
	run -0 env BAR=ours cx-nsenter --pidfile "$TMP/pid" --uts env
	assert_line BAR=ours
	refute_line FOO=from-target
}

@test "--root and --wd: the target's by default, or DIR; / without --wd" {
	start_target --mount --fork --root "$ROOTFS" --wd /etc /bin/sleep 100
	wait_for_comm "$PID" sleep
	run -0 cx-nsenter --pidfile "$TMP/pid" --mount --root --wd /bin/sh -c 'pwd; ls /bin/busybox'
	assert_line --index 0 /etc
	assert_line --index 1 /bin/busybox
	run -0 cx-nsenter --pidfile "$TMP/pid" --mount --root /bin/pwd
	assert_output /
	mkdir -p "$ROOTFS/srv/here"
	run -0 cx-nsenter --pidfile "$TMP/pid" --mount --root="$ROOTFS" --wd="$ROOTFS/srv/here" /bin/pwd
	assert_output /srv/here
	# Without --root the mount namespace's root is ours: the host's /,
	# as util-linux nsenter does.
	run -0 cx-nsenter --pidfile "$TMP/pid" --mount stat -c %d:%i /
	assert_output "$(stat -c %d:%i /)"
	run -125 cx-nsenter --pidfile "$TMP/pid" --mount --root="$TMP/none" true
	assert_output "cx-nsenter: open $TMP/none: No such file or directory"
}

@test "--wdns: DIR as the command sees it, after the joins and the root; a climbing link stays inside" {
	start_target --mount --fork --root "$ROOTFS" /bin/sleep 100
	wait_for_comm "$PID" sleep
	mkdir -p "$ROOTFS/srv/here" "$TMP/srv/here"
	echo container >"$ROOTFS/srv/here/mark"
	echo host >"$TMP/srv/here/mark"
	ln -s ../../../../../../../.. "$ROOTFS/up"
	run -0 cx-nsenter --pidfile "$TMP/pid" --mount --root --wdns /srv/here /bin/sh -c 'pwd; cat mark'
	assert_output "/srv/here
container"
	# .. and a link that climbs stop at the container's root; so does a
	# relative DIR, which starts there.
	run -0 cx-nsenter --pidfile "$TMP/pid" --mount --root --wdns /up/srv/../../srv/here /bin/cat mark
	assert_output container
	# The host's directory of that name is not reached.
	run -125 cx-nsenter --pidfile "$TMP/pid" --mount --root --wdns "/up$TMP/srv/here" /bin/cat mark
	assert_output "cx-nsenter: chdir /up$TMP/srv/here (--wdns, in the joined namespaces): No such file or directory"
	run -0 cx-nsenter --pidfile "$TMP/pid" --mount --root -W srv/here /bin/pwd
	assert_output /srv/here
	run -125 cx-nsenter --pidfile "$TMP/pid" --mount --root --wdns /no/such /bin/pwd
	assert_output "cx-nsenter: chdir /no/such (--wdns, in the joined namespaces): No such file or directory"
	run -125 cx-nsenter --pidfile "$TMP/pid" --mount --root --wd --wdns / /bin/pwd
	assert_output --partial "--wd and --wdns cannot be used together"
}

@test "a cx tool as the command after the root change is run from the host" {
	require_static_tools
	start_target --mount --fork --root "$ROOTFS" /bin/sleep 100
	wait_for_comm "$PID" sleep
	assert [ ! -e "$ROOTFS/bin/cx-chroot" ]
	run -0 cx-nsenter --pidfile "$TMP/pid" --mount --root cx-chroot / /bin/sh -c 'echo ok; ls /bin/busybox'
	assert_line --index 0 ok
	assert_line --index 1 /bin/busybox
}

@test "--time: the command reads the target's clocks" {
	start_target --time --boottime 864000 --fork sleep 100
	wait_for_comm "$PID" sleep
	# The host's uptime first: read later it could pass the container's.
	host_up=$(cut -d. -f1 /proc/uptime)
	run -0 cx-nsenter -t "$PID" --time /bin/sh -c 'cut -d. -f1 /proc/uptime; stat -L -c %i /proc/self/ns/time'
	assert [ "${lines[0]}" -ge $((host_up + 864000)) ]
	assert_equal "${lines[1]}" "$(ns_ino time "$PID")"
}

# --- the fork of --pid: status and signals ---------------------------

@test "--pid: the command is our child in the namespace; its status passes through" {
	start_target --pid --fork sleep 100
	wait_for_comm "$PID" sleep
	run -0 cx-nsenter -t "$PID" --pid /bin/sh -c 'stat -L -c %i /proc/self/ns/pid'
	assert_output "$(ns_ino pid "$PID")"
	run -7 cx-nsenter -t "$PID" --pid /bin/sh -c 'exit 7'
	run -143 cx-nsenter -t "$PID" --pid /bin/sh -c 'kill -TERM $$'
	run -137 cx-nsenter -t "$PID" --pid /bin/sh -c 'kill -KILL $$'
	# --no-fork: the command stays in our namespace, its children go.
	run -0 cx-nsenter -t "$PID" --pid --no-fork /bin/sh -c \
		'stat -L -c %i /proc/$$/ns/pid /proc/$$/ns/pid_for_children'
	assert_line --index 0 "$(ns_ino pid)"
	assert_line --index 1 "$(ns_ino pid "$PID")"
}

@test "--pid: SIGTERM to cx-nsenter reaches the command" {
	start_target --pid --fork sleep 100
	wait_for_comm "$PID" sleep
	cx-nsenter -t "$PID" --pid /bin/sh -c \
		"trap 'echo got > $TMP/got; exit 9' TERM; echo up > $TMP/ready; while :; do sleep 0.1; done" \
		</dev/null >/dev/null 2>&1 3>&- &
	nsenter_pid=$!
	BG_PIDS="$BG_PIDS $nsenter_pid"
	wait_for_file "$TMP/ready"
	kill -TERM "$nsenter_pid"
	st=0
	wait "$nsenter_pid" || st=$?
	BG_PIDS=${BG_PIDS/ $nsenter_pid/}
	assert_equal "$st" 9
	assert [ -e "$TMP/got" ]
}

# --- the command line -------------------------------------------------

@test "127 for a command not found, 126 for one that cannot run" {
	run -0 cx-unshare --uts="$TMP/uts" true
	run -127 cx-nsenter --uts="$TMP/uts" "$TMP/missing"
	assert_output "cx-nsenter: exec $TMP/missing: No such file or directory"
	touch "$TMP/plain"
	run -126 cx-nsenter --uts="$TMP/uts" "$TMP/plain"
	assert_output "cx-nsenter: exec $TMP/plain: Permission denied"
	run -0 umount "$TMP/uts"
}

@test "the default command is \$SHELL, else /bin/sh" {
	run -0 cx-unshare --uts="$TMP/uts" --hostname kept true
	printf '#!/bin/sh\necho "shell in $(hostname)"\n' >"$TMP/shell"
	chmod +x "$TMP/shell"
	run -0 env SHELL="$TMP/shell" cx-nsenter --uts="$TMP/uts"
	assert_output "shell in kept"
	run -0 env -u SHELL cx-nsenter --uts="$TMP/uts" <<<'hostname'
	assert_output kept
	run -0 umount "$TMP/uts"
}

@test "the default command with --root is the target root's /bin/sh, not our \$SHELL" {
	start_target --mount --fork --root "$ROOTFS" /bin/sleep 100
	wait_for_comm "$PID" sleep
	# Our $SHELL is a path of our root, which the target's lacks.
	run -0 --separate-stderr env SHELL=/bin/bash cx-nsenter --pidfile "$TMP/pid" \
		--mount --root <<<'stat -c %d:%i / >/ran-in; ls /bin/bash; exit 0'
	assert_equal "$(cat "$ROOTFS/ran-in")" "$(stat -c %d:%i "$ROOTFS")"
	[[ "$stderr" == *"/bin/bash"*"No such file or directory"* ]]
}

@test "--show: the target's namespaces by inode, ours or its own, its root and cwd; nothing joined" {
	start_target --mount --uts --pid --fork --root "$ROOTFS" --wd /etc /bin/sleep 100
	wait_for_comm "$PID" sleep
	run -0 cx-nsenter --pidfile "$TMP/pid" --show --json
	local json=$output kind
	for kind in user cgroup ipc uts net pid mnt time; do
		[ -e "/proc/$PID/ns/$kind" ] || continue
		assert_equal "$(jq -r ".namespaces.$kind.inode" <<<"$json")" \
			"$(stat -L -c %i "/proc/$PID/ns/$kind")"
		assert_equal "$(jq -r ".namespaces.$kind.ours" <<<"$json")" \
			"$([ "$(stat -L -c %i "/proc/$PID/ns/$kind")" = "$(stat -L -c %i "/proc/self/ns/$kind")" ] && echo true || echo false)"
	done
	assert_equal "$(jq -r '[.namespaces | to_entries[] | select(.value.ours == false) | .key] | join(" ")' <<<"$json")" "uts pid mnt"
	assert_equal "$(jq -r .root <<<"$json")" "$(readlink "/proc/$PID/root")"
	assert_equal "$(jq -r .cwd <<<"$json")" "$(readlink "/proc/$PID/cwd")"
	assert_equal "$(jq -r .pid <<<"$json")" "$PID"
	run -0 cx-nsenter --pidfile "$TMP/pid" --show
	assert_line --regexp "^uts +$(stat -L -c %i "/proc/$PID/ns/uts") +its own\$"
	assert_line --regexp "^net +[0-9]+ +ours\$"
	assert_line "cwd      $ROOTFS/etc"
	run -125 cx-nsenter --show
	assert_line --index 0 "cx-nsenter: --show needs a target (--target or --pidfile)"
	run -125 cx-nsenter --json -a -t "$PID" true
	assert_line --index 0 "cx-nsenter: --json goes with --show"
}

@test "bad input: one clear error, exit 125" {
	run -125 cx-nsenter true
	assert_line --index 0 "cx-nsenter: no namespace to join: give --all or a namespace option (--mount, --pid, ...)"
	assert_line --index 1 "Try 'cx-nsenter --help' for more information."
	run -125 cx-nsenter --uts true
	assert_line --index 0 "cx-nsenter: --uts needs a target (--target or --pidfile) or a file (--uts=FILE)"
	run -125 cx-nsenter --all true
	assert_line --index 0 "cx-nsenter: --all needs a target (--target or --pidfile)"
	run -125 cx-nsenter --uts=/proc/self/ns/uts --root true
	assert_line --index 0 "cx-nsenter: --root without DIR needs a target (--target or --pidfile)"
	run -125 cx-nsenter --uts=/proc/self/ns/uts --env true
	assert_line --index 0 "cx-nsenter: --env needs a target (--target or --pidfile)"
	run -125 cx-nsenter -t 1 --pidfile "$TMP/pid" --uts true
	assert_line --index 0 "cx-nsenter: --target conflicts with --pidfile"
	run -125 cx-nsenter -t abc --uts true
	assert_line --index 0 "cx-nsenter: invalid --target 'abc': a process ID"
	run -125 cx-nsenter -t 0 --uts true
	assert_line --index 0 "cx-nsenter: invalid --target '0': a process ID"
	run -125 cx-nsenter --pidfile "$TMP/none" --uts true
	assert_output "cx-nsenter: open pidfile $TMP/none: No such file or directory"
	: >"$TMP/empty"
	run -125 cx-nsenter --pidfile "$TMP/empty" --uts true
	assert_output "cx-nsenter: pidfile $TMP/empty holds no process ID (it is empty)"
	run -125 cx-nsenter --bogus
	assert_line --index 0 "cx-nsenter: unrecognized option '--bogus'"
}

@test "options stop at the first operand; an optional FILE is never the next word" {
	run -0 cx-unshare --uts="$TMP/uts" --hostname kept true
	run -0 cx-nsenter --uts="$TMP/uts" /bin/echo --pid -t 1
	assert_output "--pid -t 1"
	# "--root /" would be the target's root and the command "/".
	run -125 cx-nsenter --uts="$TMP/uts" --root /bin/echo hi
	assert_line --index 0 "cx-nsenter: --root without DIR needs a target (--target or --pidfile)"
	run -0 umount "$TMP/uts"
}

@test "--help and --version" {
	run -0 cx-nsenter --help
	assert_line --index 0 "Usage: cx-nsenter [options] [COMMAND [ARG]...]"
	assert_output --partial "--mount[=FILE]"
	assert_output --partial "--preserve-credentials"
	run -0 cx-nsenter --version
	assert_output --regexp '^cx-nsenter [0-9]+\.[0-9]+'
}

@test "--pidfile that is a FIFO, a directory or a device: refused at once, never opened" {
	mkfifo "$TMP/fifo"
	# timeout: a regression blocks in open(2) until a writer comes.
	run -125 timeout 10 cx-nsenter --pidfile "$TMP/fifo" --uts true
	assert_output "cx-nsenter: pidfile $TMP/fifo: not a regular file (a FIFO)"
	# A link to it is followed, and refused all the same.
	ln -s fifo "$TMP/link"
	run -125 timeout 10 cx-nsenter --pidfile "$TMP/link" --uts true
	assert_output "cx-nsenter: pidfile $TMP/link: not a regular file (a FIFO)"
	# Opened with O_PATH alone, which opens nothing (no reader, no
	# device's open routine), then refused.
	if command -v strace >/dev/null; then
		run -125 timeout 10 strace -qq -e trace=open,openat -o "$TMP/trace" \
			cx-nsenter --pidfile "$TMP/fifo" --uts true
		run -0 grep -F "\"$TMP/fifo\"" "$TMP/trace"
		assert_output --regexp '^(openat\(AT_FDCWD, |open\()"[^"]*", O_RDONLY(\|O_LARGEFILE)?\|O_CLOEXEC\|O_PATH\) = [0-9]+$'
	fi
	run -125 timeout 10 cx-nsenter --pidfile "$TMP" --uts true
	assert_output "cx-nsenter: pidfile $TMP: not a regular file (a directory)"
	run -125 timeout 10 cx-nsenter --pidfile /dev/zero --uts true
	assert_output "cx-nsenter: pidfile /dev/zero: not a regular file (a character device)"
	# A regular file through a link still works.
	start_target --uts --fork sleep 1000
	ln -s pid "$TMP/pidlink"
	run -0 cx-nsenter --pidfile "$TMP/pidlink" --uts true
}
