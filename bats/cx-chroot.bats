#!/usr/bin/env bats
# cx-chroot against the real kernel: the walkthrough's chroot, what a
# plain chroot does not contain, --userspec and --groups, --pivot and
# its refusals, the chain past the root change, exit codes, and the
# fallback paths on a kernel without openat2 and the new mount API.

bats_require_minimum_version 1.5.0

load helpers

HELPER_ESCAPE="$CX_BUILD/tests/helper-escape"
HELPER_NOSYS="$CX_BUILD/tests/helper-nosys"
HELPER_ROOTFS="$CX_BUILD/tests/helper-rootfs"

# The host's mount table, without other test runs' temporary folders
# (another bats run may mount and unmount there at the same time).
host_mounts() {
	awk -v t="$TMP" 'index($5, "/tmp/cx-bats.") != 1 || index($5, t) == 1' \
		/proc/self/mountinfo
}

# The mount points in a mountinfo text, sorted, on one line.
mount_points() {
	awk '{ print $5 }' <<<"$1" | sort | tr '\n' ' '
}

# A background process on the host, for the containment tests.
start_host_sleep() {
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	HOST_PID=$!
	BG_PIDS="$BG_PIDS $HOST_PID"
	# Until the fork has run sleep, ps would show the test's shell.
	local i
	for i in $(seq 50); do
		[ "$(tr '\0' ' ' <"/proc/$HOST_PID/cmdline")" = "sleep 1000 " ] &&
			return 0
		sleep 0.1
	done
	fail "the host's sleep did not start"
}

# Field 3 of /proc/PID/stat: R, S, Z...
proc_state() {
	awk '{ print $3 }' "/proc/$1/stat"
}

# --- the walkthrough's chroot ---------------------------------------

@test "chroot: the command sees the rootfs and runs its busybox" {
	run -0 cx-chroot "$ROOTFS" /bin/ls /
	assert_output "$(LC_ALL=C ls "$ROOTFS")"
	assert_line bin
	assert_line proc

	# What runs is the rootfs's busybox, not the host's tools.
	run -0 cx-chroot "$ROOTFS" /bin/readlink /bin/sh
	assert_output busybox
	run -0 cx-chroot "$ROOTFS" /bin/sh -c 'ls --help 2>&1 | head -n 1'
	assert_output --partial BusyBox

	# The kernel's view: the command's root is the rootfs's inode.
	run -0 cx-chroot "$ROOTFS" /bin/stat -c %d:%i /
	assert_output "$(stat -c %d:%i "$ROOTFS")"

	# A host-only file is not there.
	[ -e /etc/debian_version ] || skip "the host has no /etc/debian_version to look for"
	run -1 cx-chroot "$ROOTFS" /bin/cat /etc/debian_version
	assert_output "cat: can't open '/etc/debian_version': No such file or directory"
}

# --- Is it contained? ------------------------------------------------

@test "contained? a plain chroot with proc mounted sees and kills a host process" {
	start_host_sleep
	# The proc mount stays in a throwaway mount namespace.
	run -0 cx-unshare --mount cx-chroot "$ROOTFS" /bin/sh -c \
		"mount -t proc proc /proc && ps -o pid,args && kill $HOST_PID"
	assert_line --regexp "^ *$HOST_PID sleep 1000\$"

	# The host process is gone: it died of the SIGTERM.
	local st=0
	wait "$HOST_PID" || st=$?
	assert_equal "$st" 143
	[ ! -e "/proc/$HOST_PID" ]
	BG_PIDS=
	assert_equal "$(mounts_below_tmp)" 0
}

@test "contained? with --pid --fork --mount-proc, ps shows only the namespace and kill fails" {
	start_host_sleep
	run -1 cx-unshare --pid --fork --mount-proc="$ROOTFS/proc" \
		cx-chroot "$ROOTFS" /bin/sh -c "ps -o pid,args; kill $HOST_PID"
	# The command is PID 1; ps is its child; nothing else is listed.
	assert_line --index 0 --regexp '^ *PID +COMMAND$'
	assert_line --index 1 --regexp "^ +1 /bin/sh -c ps -o pid,args; kill $HOST_PID\$"
	assert_line --index 2 --regexp '^ +2 '
	assert_line --index 3 "sh: can't kill pid $HOST_PID: No such process"
	assert_equal "${#lines[@]}" 4

	# The host process was not signalled.
	kill -0 "$HOST_PID"
	assert_equal "$(proc_state "$HOST_PID")" S
	assert_equal "$(mounts_below_tmp)" 0
}

# --- --userspec and --groups -----------------------------------------

# /proc/self/status of a command run by cx-chroot OPTIONS... in $ROOTFS,
# with proc mounted in a throwaway mount namespace.
status_inside() {
	cx-unshare --mount-proc="$ROOTFS/proc" cx-chroot "$@" "$ROOTFS" \
		/bin/cat /proc/self/status
}

assert_ids() {
	local tab=$'\t'
	assert_line "Uid:${tab}$1${tab}$1${tab}$1${tab}$1"
	assert_line "Gid:${tab}$2${tab}$2${tab}$2${tab}$2"
	assert_line "Groups:${tab}$3"
}

@test "--userspec nobody:nogroup: names from the rootfs, ids in the kernel" {
	run -0 status_inside --userspec nobody:nogroup
	assert_ids 65534 65534 "65534 "
}

@test "--userspec USER alone: the user's group from the rootfs's passwd" {
	run -0 status_inside --userspec nobody
	assert_ids 65534 65534 "65534 "
	run -0 status_inside --userspec daemon
	assert_ids 1 1 "1 "
}

@test "--userspec numeric 1000:1000 needs no passwd entry" {
	! grep -q ':1000:' "$ROOTFS/etc/passwd"
	run -0 status_inside --userspec 1000:1000
	assert_ids 1000 1000 "1000 "
}

@test "--userspec looks names up in NEWROOT's /etc, not the host's" {
	echo 'cxtest:x:4242:4243::/:/bin/sh' >>"$ROOTFS/etc/passwd"
	echo 'cxtest:x:4243:' >>"$ROOTFS/etc/group"
	! getent passwd cxtest
	run -0 status_inside --userspec cxtest:cxtest
	assert_ids 4242 4243 "4243 "

	# A host user that the rootfs does not know.
	getent passwd www-data >/dev/null || skip "the host has no www-data user"
	! grep -q '^www-data:' "$ROOTFS/etc/passwd"
	run -125 cx-chroot --userspec www-data "$ROOTFS" /bin/touch /ran
	assert_output "cx-chroot: --userspec: no user 'www-data' in the new root's /etc/passwd (names are looked up there, after the change of root)"
	[ ! -e "$ROOTFS/ran" ]
}

@test "--userspec UID alone: the group of that uid in the rootfs's passwd, or refused" {
	echo 'cxnum:x:4300:4301::/:/bin/sh' >>"$ROOTFS/etc/passwd"
	echo 'cxnum:x:4301:' >>"$ROOTFS/etc/group"
	echo 'extra:x:4302:daemon,cxnum' >>"$ROOTFS/etc/group"
	run -0 status_inside --userspec 4300
	assert_ids 4300 4301 "4301 4302 "
	# A uid the rootfs does not know, with no group: refused, not root's gid.
	run -125 cx-chroot --userspec 4444 "$ROOTFS" /bin/touch /ran
	assert_output "cx-chroot: no group for uid 4444 in NEWROOT's /etc/passwd: use --userspec USER:GROUP"
	[ ! -e "$ROOTFS/ran" ]
}

@test "--userspec USER: the memberships of /etc/group, not root's groups" {
	echo 'staff:x:50:nobody' >>"$ROOTFS/etc/group"
	run -0 status_inside --userspec nobody
	assert_ids 65534 65534 "50 65534 "
}

@test "--skip-chdir keeps the working directory; only with NEWROOT = /" {
	cd "$TMP"
	run -0 cx-chroot --skip-chdir / /bin/pwd
	assert_output "$TMP"
	run -0 cx-chroot / /bin/pwd
	assert_output /
	run -125 cx-chroot --skip-chdir "$ROOTFS" /bin/pwd
	assert_line --index 0 "cx-chroot: --skip-chdir needs NEWROOT to be the current root"
}

@test "--groups: names and numbers from the rootfs, sorted by the kernel" {
	run -0 status_inside --userspec 1000:1000 --groups users,7,daemon
	assert_ids 1000 1000 "1 7 100 "
}

@test "--groups without --userspec changes only the supplementary groups" {
	run -0 status_inside --groups users
	assert_ids 0 0 "100 "
}

@test "--userspec with an unknown user: exit 125, the command does not run" {
	run -125 cx-chroot --userspec nosuchuser:nogroup "$ROOTFS" /bin/touch /ran
	assert_output "cx-chroot: --userspec: no user 'nosuchuser' in the new root's /etc/passwd (names are looked up there, after the change of root)"
	[ ! -e "$ROOTFS/ran" ]

	run -125 cx-chroot --userspec nobody:nosuchgroup "$ROOTFS" /bin/touch /ran
	assert_output "cx-chroot: --userspec: no group 'nosuchgroup' in the new root's /etc/group (names are looked up there, after the change of root)"
	[ ! -e "$ROOTFS/ran" ]

	run -125 cx-chroot --groups nosuchgroup "$ROOTFS" /bin/touch /ran
	assert_output "cx-chroot: --groups: no group 'nosuchgroup' in the new root's /etc/group (names are looked up there, after the change of root)"
	[ ! -e "$ROOTFS/ran" ]

	run -125 cx-chroot --groups 0,root,nosuchgroup,1 "$ROOTFS" /bin/touch /ran
	assert_output "cx-chroot: --groups: no group 'nosuchgroup' in the new root's /etc/group (names are looked up there, after the change of root)"
	# A form that is no name and no number keeps the general line.
	run -125 cx-chroot --userspec root:0:x "$ROOTFS" /bin/touch /ran
	assert_output "cx-chroot: invalid --userspec 'root:0:x': USER[:GROUP], each a known name or a number"
	mv "$ROOTFS/etc/group" "$ROOTFS/etc/group.away"
	run -125 cx-chroot --groups staff "$ROOTFS" /bin/touch /ran
	assert_output "cx-chroot: --groups: group 'staff': the new root has no /etc/group to look it up in: No such file or directory"
	mv "$ROOTFS/etc/group.away" "$ROOTFS/etc/group"
	[ ! -e "$ROOTFS/ran" ]
}

# --- cx-unshare --kill-child across the ID change ------------------
# (child_of, wait_for_run_as and assert_gone: helpers.bash.)

# cx-unshare ARGS... in the background, its output in $TMP/out: PARENT,
# and CHILD, its child.
start_kill_child() {
	cx-unshare "$@" </dev/null >"$TMP/out" 2>&1 3>&- &
	PARENT=$!
	BG_PIDS="$BG_PIDS $PARENT"
	CHILD=$(child_of "$PARENT") || fail "cx-unshare made no child"
	BG_PIDS="$BG_PIDS $CHILD"
}

@test "--kill-child survives --userspec: the command dies with cx-unshare" {
	start_kill_child --kill-child cx-chroot --userspec 1000:1000 "$ROOTFS" /bin/sleep 1000
	wait_for_run_as "$CHILD" sleep 1000
	kill -KILL "$PARENT"
	assert_gone "$CHILD"
}

@test "--kill-child=USR1 survives --userspec as PID 1 of a namespace: the same signal comes" {
	start_kill_child --pid --kill-child=USR1 cx-chroot --userspec nobody \
		--groups users "$ROOTFS" /bin/sh -c \
		'trap "echo got USR1; exit 7" USR1; echo ready; while :; do sleep 0.1; done'
	wait_for_file "$TMP/out" || fail "the command did not start"
	wait_for_run_as "$CHILD" sh 65534
	run -0 grep "^NSpid:" "/proc/$CHILD/status"
	assert_output "NSpid:	$CHILD	1"
	kill -KILL "$PARENT"
	assert_gone "$CHILD"
	run -0 cat "$TMP/out"
	assert_output "ready
got USR1"
}

@test "--kill-child: a parent that dies during --userspec's ID change still kills the command" {
	command -v strace >/dev/null ||
		skip "strace is not installed: it holds a system call back at will (apt-get install strace)"
	kill_parent_in_id_change cx-chroot --userspec 1000:1000 "$ROOTFS" /bin/sleep 1000
}

# --- the classic escape ----------------------------------------------

@test "escape: a root process leaves a plain chroot" {
	require_helper "$HELPER_ESCAPE"
	cp "$HELPER_ESCAPE" "$ROOTFS/helper-escape"
	echo outside >"$TMP/marker"

	# Without the escape, the marker is out of reach.
	run -1 cx-chroot "$ROOTFS" /bin/cat "$TMP/marker"
	assert_output "cat: can't open '$TMP/marker': No such file or directory"

	run -0 cx-chroot "$ROOTFS" /helper-escape /bin/cat "$TMP/marker"
	assert_output outside
	# The root it reached is the host's.
	run -0 cx-chroot "$ROOTFS" /helper-escape stat -c %d:%i /
	assert_output "$(stat -c %d:%i /)"
}

@test "escape: after cx-chroot --pivot the same program stays inside" {
	require_helper "$HELPER_ESCAPE"
	cp "$HELPER_ESCAPE" "$ROOTFS/helper-escape"
	echo outside >"$TMP/marker"

	run -1 cx-unshare --mount --pid --fork cx-chroot --pivot "$ROOTFS" \
		/helper-escape /bin/cat "$TMP/marker"
	assert_output "cat: can't open '$TMP/marker': No such file or directory"
	# The root it reached is still the rootfs.
	run -0 cx-unshare --mount --pid --fork cx-chroot --pivot "$ROOTFS" \
		/helper-escape /bin/stat -c %d:%i /
	assert_output "$(stat -c %d:%i "$ROOTFS")"
	run -0 cx-unshare --mount --pid --fork cx-chroot --pivot "$ROOTFS" \
		/helper-escape
	assert_line helper-escape
	refute_line boot
	assert_equal "$(mounts_below_tmp)" 0
}

# --pivot run from inside a chroot: JAIL holds a copy of the rootfs,
# cx-chroot and helper-escape, and NEWROOT (/inner) inside it; MOUNT
# says whether JAIL is a mount point of its own.  The outer chroot is
# made by the host's chroot(8), in a mount namespace of the test's.
pivot_in_chroot() {
	local mount=$1 jail="$TMP/jail"
	shift
	mkdir "$jail"
	cat >"$TMP/in-chroot.sh" <<-EOF
		set -e
		[ "$mount" = mount ] && mount -t tmpfs jail "$jail"
		cp -a "$ROOTFS/." "$jail/"
		mkdir "$jail/inner"
		cp -a "$ROOTFS/." "$jail/inner/"
		cp "$HELPER_ESCAPE" "$jail/inner/helper-escape"
		cp "$CX_BUILD/cx-chroot" "$jail/cx-chroot"
		echo jail >"$jail/JAIL"
		exec chroot "$jail" /cx-chroot "\$@"
	EOF
	cx-unshare --mount --propagation private sh "$TMP/in-chroot.sh" "$@"
}

@test "escape: --pivot from inside a chroot on a mount: nothing above NEWROOT" {
	require_helper "$HELPER_ESCAPE"
	require_static_tools
	# pivot_root from a chroot would attach NEWROOT inside the old
	# tree, where ".." climbs out of it to the host's root.
	run -0 pivot_in_chroot mount --pivot /inner /helper-escape
	assert_output "$(cd "$ROOTFS" && printf '%s\n' * helper-escape | LC_ALL=C sort)"
	run -0 pivot_in_chroot mount --pivot /inner /helper-escape /bin/stat -c %i /
	refute_output "$(stat -c %i /)"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "escape: --pivot from inside a chroot on a plain folder" {
	require_helper "$HELPER_ESCAPE"
	require_static_tools
	# Here "/" is no mount, which "make / private" used to refuse.
	run -0 pivot_in_chroot folder --pivot /inner /helper-escape
	assert_output "$(cd "$ROOTFS" && printf '%s\n' * helper-escape | LC_ALL=C sort)"
	refute_line JAIL
	assert_equal "$(mounts_below_tmp)" 0
}

@test "--pivot on the initial rootfs: NEWROOT moved over /, nothing above it" {
	require_helper "$HELPER_ROOTFS"
	require_helper "$HELPER_ESCAPE"
	require_static_tools
	cp "$HELPER_ESCAPE" "$ROOTFS/helper-escape"
	# helper-rootfs: the namespace's root is the rootfs, as on an
	# initramfs; the rootfs folder is on its /dev.
	run -0 --separate-stderr "$HELPER_ROOTFS" "$ROOTFS" "$CX_BUILD/cx-chroot" \
		--pivot --verbose /dev /helper-escape
	assert_output "$(cd "$ROOTFS" && printf '%s\n' * | LC_ALL=C sort)"
	assert_equal "$(grep -c 'move /dev over /' <<<"$stderr")" 1
	# The kernel's view: the root is the rootfs folder, on top of the
	# namespace; of the old tree only the rootfs (unlisted) is left.
	run -0 "$HELPER_ROOTFS" "$ROOTFS" "$CX_BUILD/cx-chroot" --pivot /dev \
		/bin/sh -c 'mount -t proc proc /proc && cat /proc/self/mountinfo'
	assert_equal "$(mount_points "$output")" "/ /proc "
	[[ "$(awk '$5 == "/" { print $4 }' <<<"$output")" == */"${TMP##*/}/rootfs" ]]
	assert_equal "$(mounts_below_tmp)" 0
}

@test "--pivot=strict on the initial rootfs: refused, and said why" {
	require_helper "$HELPER_ROOTFS"
	require_static_tools
	run -125 "$HELPER_ROOTFS" "$ROOTFS" "$CX_BUILD/cx-chroot" \
		--pivot=strict /dev /bin/true
	assert_output "cx-chroot: pivot_root /dev: the root of this mount namespace is the initial rootfs (an initramfs), which pivot_root cannot move: --pivot without =strict moves NEWROOT over / instead"
	run -125 cx-chroot --pivot=loose "$ROOTFS" /bin/true
	assert_line --index 0 "cx-chroot: invalid --pivot 'loose': nothing, or strict"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "--verbose: each step of the pivot, one line each, before it is made" {
	run -0 --separate-stderr cx-chroot --verbose --pivot "$ROOTFS" /bin/true
	assert_equal "$stderr" "cx-chroot: unshare the mount namespace
cx-chroot: setns to the top of the new mount namespace
cx-chroot: make every mount private
cx-chroot: bind $ROOTFS onto itself
cx-chroot: pivot_root into $ROOTFS
cx-chroot: detach the old root
cx-chroot: exec /bin/true"
	run -0 --separate-stderr cx-chroot -v "$ROOTFS" /bin/true
	assert_equal "$stderr" "cx-chroot: chroot $ROOTFS
cx-chroot: exec /bin/true"
}

# --- --pivot ---------------------------------------------------------

@test "--pivot: the old root is gone, only / and /proc are mounted" {
	require_static_tools
	run -0 cx-unshare --mount --pid --fork cx-chroot --pivot "$ROOTFS" \
		cx-unshare --mount-proc /bin/cat /proc/self/mountinfo
	# Below /proc: the read-only binds of cx-unshare --mount-proc.
	assert_equal "$(mount_points "$(grep -v ' /proc/' <<<"$output")")" "/ /proc "
	# The root mount is the rootfs's folder, not the host's root.
	local root
	root=$(awk '$5 == "/" { print $4 }' <<<"$output")
	[[ "$root" == */"${TMP##*/}/rootfs" ]]
	assert_equal "$(mounts_below_tmp)" 0
}

@test "--pivot from the host's mount namespace: it pivots a namespace of its own" {
	local before
	before=$(host_mounts)
	run -0 cx-chroot --pivot "$ROOTFS" /bin/sh -c 'touch /ran; ls /'
	assert_line bin
	refute_line boot
	assert [ -e "$ROOTFS/ran" ]
	assert [ ! -e /ran ]
	assert_equal "$(host_mounts)" "$before"
}

@test "--pivot: the old root is gone, also without cx-unshare" {
	require_static_tools
	local before
	before=$(host_mounts)
	run -0 cx-chroot --pivot "$ROOTFS" \
		cx-unshare --mount-proc /bin/cat /proc/self/mountinfo
	# Below /proc: the read-only binds of cx-unshare --mount-proc.
	assert_equal "$(mount_points "$(grep -v ' /proc/' <<<"$output")")" "/ /proc "
	assert_equal "$(host_mounts)" "$before"
}

@test "NEWROOT a file: exit 125, Not a directory, nothing mounted" {
	touch "$TMP/file"
	run -125 cx-chroot "$TMP/file" /bin/true
	assert_output "cx-chroot: chroot $TMP/file: Not a directory"

	run -125 cx-unshare --mount /bin/sh -c \
		"cx-chroot --pivot '$TMP/file' /bin/true; rc=\$?; echo \"mounts below: \$(grep -c ' $TMP' /proc/self/mountinfo)\"; exit \$rc"
	assert_line --index 0 "cx-chroot: chroot $TMP/file: Not a directory"
	assert_line --index 1 "mounts below: 0"
	assert_equal "${#lines[@]}" 2
}

@test "missing NEWROOT: exit 125 and a pointer to --help" {
	local before
	before=$(host_mounts)
	run -125 cx-chroot
	assert_line --index 0 "cx-chroot: missing operand NEWROOT"
	assert_line --index 1 "Try 'cx-chroot --help' for more information."
	assert_equal "${#lines[@]}" 2

	run -125 cx-chroot --pivot
	assert_line --index 0 "cx-chroot: missing operand NEWROOT"
	assert_line --index 1 "Try 'cx-chroot --help' for more information."
	assert_equal "$(host_mounts)" "$before"
}

@test "unknown option: exit 125, the command does not run" {
	run -125 cx-chroot --bogus "$ROOTFS" /bin/touch /ran
	assert_line --index 0 "cx-chroot: unrecognized option '--bogus'"
	assert_line --index 1 "Try 'cx-chroot --help' for more information."
	assert_equal "${#lines[@]}" 2
	[ ! -e "$ROOTFS/ran" ]

	run -125 cx-chroot -x "$ROOTFS" /bin/touch /ran
	assert_line --index 0 "cx-chroot: invalid option -- 'x'"
	[ ! -e "$ROOTFS/ran" ]
}

@test "nonexistent NEWROOT: the exact message, nothing created" {
	run -125 cx-chroot "$TMP/nonexistent" /bin/true
	assert_output "cx-chroot: chroot $TMP/nonexistent: No such file or directory"
	[ ! -e "$TMP/nonexistent" ]

	run -125 cx-unshare --mount cx-chroot --pivot "$TMP/nonexistent" /bin/true
	assert_output "cx-chroot: chroot $TMP/nonexistent: No such file or directory"
	[ ! -e "$TMP/nonexistent" ]
}

@test "--pivot on a shared mount: the pivot stays in its own namespace" {
	# The bind and its shared peer group live in a throwaway mount
	# namespace; cx-chroot's own namespace makes its copy private, so
	# the pivot neither fails nor reaches the peers.
	run -0 cx-unshare --mount /bin/sh -c "
		mount --bind '$ROOTFS' '$ROOTFS' &&
		mount --make-shared '$ROOTFS' &&
		grep -q ' $ROOTFS .* shared:' /proc/self/mountinfo || exit 99
		root=\$(stat -c %d:%i /)
		cx-chroot --pivot '$ROOTFS' /bin/touch /ran || exit \$?
		echo \"mounts on rootfs: \$(awk -v r='$ROOTFS' '\$5 == r' /proc/self/mountinfo | wc -l)\"
		[ \"\$(stat -c %d:%i /)\" = \"\$root\" ] && echo 'root unchanged'"
	assert_line --index 0 "mounts on rootfs: 1"
	assert_line --index 1 "root unchanged"
	assert [ -e "$ROOTFS/ran" ]
	assert_equal "$(mounts_below_tmp)" 0
}

# --- the chain past the root change ------------------------------------

@test "chain: a cx tool runs after --pivot although the rootfs has none" {
	require_static_tools
	run -0 find "$ROOTFS" -name 'cx-*'
	assert_output ""
	local host_name
	host_name=$(hostname)
	run -0 cx-unshare --mount --pid --fork cx-chroot --pivot "$ROOTFS" \
		cx-unshare --uts --hostname inner /bin/hostname
	assert_output inner
	assert_equal "$(hostname)" "$host_name"
}

@test "--help and --version exit 0 and run nothing" {
	run -0 cx-chroot --help "$ROOTFS" /bin/touch /ran
	assert_line --index 0 "Usage: cx-chroot [options] NEWROOT [COMMAND [ARG]...]"
	assert_output --partial -- "--pivot"
	assert_output --partial -- "--userspec"
	[ ! -e "$ROOTFS/ran" ]

	run -0 cx-chroot --version
	assert_output --regexp '^cx-chroot [0-9]+\.[0-9]+\.[0-9]+$'
}

# --- exit codes ------------------------------------------------------------

@test "exit 127: the command is not found inside the root" {
	run -127 cx-chroot "$ROOTFS" /no/such/command
	assert_output "cx-chroot: exec /no/such/command: No such file or directory"

	# A command the host has but the rootfs lacks, by PATH search.
	command -v apt-get >/dev/null || skip "the host has no apt-get to look for"
	run -0 find "$ROOTFS" -name apt-get
	assert_output ""
	run -127 cx-chroot "$ROOTFS" apt-get --version
	assert_output "cx-chroot: exec apt-get: No such file or directory"
}

@test "exit 126: the command is not executable" {
	printf '#!/bin/sh\ntouch /ran\n' >"$ROOTFS/noexec"
	chmod 644 "$ROOTFS/noexec"
	run -126 cx-chroot "$ROOTFS" /noexec
	assert_output "cx-chroot: exec /noexec: Permission denied"
	[ ! -e "$ROOTFS/ran" ]
}

@test "the command's status passes through; cx-chroot is replaced by it" {
	run -7 cx-chroot "$ROOTFS" /bin/sh -c 'exit 7'
	assert_output ""

	# Chainloading: the command has cx-chroot's PID, no fork between.
	run -0 /bin/sh -c "echo \$\$; exec cx-chroot '$ROOTFS' /bin/sh -c 'echo \$\$'"
	assert_equal "${#lines[@]}" 2
	assert_equal "${lines[0]}" "${lines[1]}"

	# Killed by a signal: the shell sees 128+N.
	run -143 cx-chroot "$ROOTFS" /bin/sh -c 'kill -TERM $$'
}

# --- the fallback paths (no openat2, no new mount API) -------------------

@test "helper-nosys: the new calls fail with ENOSYS, others do not" {
	require_helper "$HELPER_NOSYS"
	command -v perl >/dev/null || skip "perl is needed to make raw system calls"
	# openat2 open_tree move_mount fsopen fsconfig fsmount mount_setattr
	# (the same numbers on every architecture but alpha).
	local calls='for my $nr (437, 428, 429, 430, 431, 432, 442) {
		syscall($nr, -1, 0, 0, 0, 0); print "$nr ", $! + 0, "\n" }'
	run -0 "$HELPER_NOSYS" perl -e "$calls"
	assert_output "$(printf '%s 38\n' 437 428 429 430 431 432 442)"
	run -0 perl -e "$calls"
	refute_output --regexp ' 38$'

	run -0 "$HELPER_NOSYS" grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status
	assert_line --regexp $'^NoNewPrivs:\t1$'
	assert_line --regexp $'^Seccomp:\t2$'
}

@test "fallback: cx-unshare --root --mount-proc without openat2 and fsopen" {
	require_helper "$HELPER_NOSYS"
	run -0 "$HELPER_NOSYS" cx-unshare --mount --pid --fork --root "$ROOTFS" \
		--mount-proc /bin/ps -o pid,args
	assert_line --index 0 --regexp '^ *PID +COMMAND$'
	assert_line --index 1 --regexp '^ +1 /bin/ps -o pid,args$'
	assert_equal "${#lines[@]}" 2
	assert_equal "$(mounts_below_tmp)" 0
}

@test "fallback: cx-chroot --pivot without open_tree and move_mount" {
	require_helper "$HELPER_NOSYS"
	require_helper "$HELPER_ESCAPE"
	run -0 "$HELPER_NOSYS" cx-unshare --mount --pid --fork \
		cx-chroot --pivot "$ROOTFS" /bin/ls /
	assert_output "$(LC_ALL=C ls "$ROOTFS")"

	# The bind made by mount(2) is as tight as the one by open_tree.
	cp "$HELPER_ESCAPE" "$ROOTFS/helper-escape"
	echo outside >"$TMP/marker"
	run -1 "$HELPER_NOSYS" cx-unshare --mount --pid --fork \
		cx-chroot --pivot "$ROOTFS" /helper-escape /bin/cat "$TMP/marker"
	assert_output "cat: can't open '$TMP/marker': No such file or directory"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "fallback: --mount-proc after --pivot without fsopen" {
	require_helper "$HELPER_NOSYS"
	require_static_tools
	run -0 "$HELPER_NOSYS" cx-unshare --mount --pid --fork \
		cx-chroot --pivot "$ROOTFS" \
		cx-unshare --mount-proc /bin/cat /proc/self/mountinfo
	# The proc, and its read-only parts (cx-unshare.bats checks those).
	assert_equal "$(mount_points "$(grep -v ' /proc/' <<<"$output")")" "/ /proc "
}

@test "fallback: cx-chroot --pivot without open_tree" {
	require_helper "$HELPER_NOSYS"
	local before
	before=$(host_mounts)
	run -0 "$HELPER_NOSYS" cx-chroot --pivot "$ROOTFS" /bin/ls /
	assert_output "$(LC_ALL=C ls "$ROOTFS")"
	assert_equal "$(host_mounts)" "$before"
	# A relative NEWROOT: the bind is found again after the setns has
	# moved the working directory to the top of the namespace.
	run -0 bash -c "cd '$TMP' && '$HELPER_NOSYS' cx-chroot --pivot rootfs /bin/ls /"
	assert_output "$(LC_ALL=C ls "$ROOTFS")"
	assert_equal "$(host_mounts)" "$before"
}

@test "every cx tool after the pivot comes from the host, never from the rootfs" {
	require_static_tools
	# A hostile rootfs plants its own cx-caps where PATH would find it.
	printf '#!/bin/sh\necho planted\n' >"$ROOTFS/bin/cx-caps"
	chmod +x "$ROOTFS/bin/cx-caps"
	run -0 cx-unshare --mount --pid --fork cx-chroot --pivot "$ROOTFS" \
		cx-unshare --mount-proc cx-caps --drop cap_chown \
		/bin/sh -c 'grep CapBnd /proc/self/status; env | grep -c ^CX_TOOLDIR || true; exec ls /proc/self/fd'
	refute_output --partial planted
	mask=$(awk '/CapBnd/ { print $2 }' <<<"$output")
	assert [ $((0x$mask & 1)) -eq 0 ]
	# The tool directory reached no further than the last cx tool:
	# the command has 0, 1, 2 and ls's own directory, 3.
	assert_line --index 1 0
	assert_equal "$(sed -n '3,$p' <<<"$output" | tr '\n' ' ')" "0 1 2 3 "
	run -127 cx-unshare --mount --pid --fork cx-chroot --pivot "$ROOTFS" \
		cx-unshare --uts cx-nosuch true
	assert_output "cx-unshare: exec cx-nosuch: not among the host's cx tools (nothing done)"
}

@test "a tool directory's symlink is not followed out of it after the pivot" {
	require_static_tools
	# The host's tool directory holds cx-caps as an absolute symlink,
	# and cx-unshare as a relative one.  After pivot_root "/" is the
	# rootfs, which plants a file where the absolute one points.
	mkdir "$TMP/tools"
	cp "$CX_BUILD/cx-chroot" "$TMP/tools/"
	cp "$CX_BUILD/cx-caps" "$TMP/tools/cx-caps.host"
	ln -s "$TMP/tools/cx-caps.host" "$TMP/tools/cx-caps"
	cp "$CX_BUILD/cx-unshare" "$TMP/tools/cx-unshare.real"
	ln -s cx-unshare.real "$TMP/tools/cx-unshare"
	mkdir -p "$ROOTFS$TMP/tools"
	printf '#!/bin/sh\necho planted\n' >"$ROOTFS$TMP/tools/cx-caps.host"
	chmod +x "$ROOTFS$TMP/tools/cx-caps.host"
	run -127 env PATH="$TMP/tools:$PATH" cx-unshare --mount --pid --fork \
		cx-chroot --pivot "$ROOTFS" cx-unshare --mount-proc cx-caps --drop cap_chown true
	refute_output --partial planted
	assert_output "cx-unshare: exec cx-caps: not among the host's cx tools"
	# The relative one stays in the directory: it runs.
	run -0 env PATH="$TMP/tools:$PATH" cx-unshare --mount --pid --fork \
		cx-chroot --pivot "$ROOTFS" cx-unshare --mount-proc --pid --fork \
		/bin/sh -c 'echo "pid=$$"'
	assert_output pid=1
}

@test "a chain makes one read-only view of the tool directory, and a cx tool named by another path runs from that path" {
	command -v strace >/dev/null || skip "strace is not installed (apt-get install strace)"
	# Each link used to make a view of its own (open_tree(2)); the
	# first one's now goes down the chain.
	run -0 strace -f -qq -e trace=open_tree -o "$TMP/trace" \
		cx-unshare --uts cx-unshare --ipc cx-unshare --net /bin/true
	assert_equal "$(grep -c 'OPEN_TREE_CLONE' "$TMP/trace")" 1
	# Another file of the same name is no tool of that directory: it
	# runs from where the command line or PATH finds it.
	mkdir "$TMP/other"
	cp /bin/echo "$TMP/other/cx-caps"
	run -0 cx-unshare --uts cx-unshare --ipc "$TMP/other/cx-caps" other
	assert_output other
	run -0 env PATH="$TMP/other:$PATH" cx-unshare --uts cx-unshare --ipc cx-caps other
	assert_output other
	# The final command holds neither the descriptor nor the variable.
	run -0 cx-unshare --uts cx-unshare --ipc /bin/sh -c 'env | grep -c ^CX_TOOLDIR || true; exec ls /proc/self/fd'
	assert_equal "$(tr '\n' ' ' <<<"$output")" "0 0 1 2 3 "
}

@test "the view a chain made before the root change is its tool directory after it" {
	require_static_tools
	command -v strace >/dev/null || skip "strace is not installed (apt-get install strace)"
	run -0 strace -f -qq -e trace=open_tree -o "$TMP/trace" \
		cx-unshare --uts cx-unshare --mount --pid --fork cx-chroot --pivot "$ROOTFS" \
		cx-unshare --mount-proc cx-caps --drop cap_chown \
		/bin/sh -c 'grep CapBnd /proc/self/status; env | grep -c ^CX_TOOLDIR || true; exec ls /proc/self/fd'
	# One view of a directory (the pivot's bind of NEWROOT and the
	# masks of /proc are recursive clones).
	assert_equal "$(grep -c 'OPEN_TREE_CLOEXEC|AT_EMPTY_PATH)' "$TMP/trace")" 1
	mask=$(awk '/CapBnd/ { print $2 }' <<<"$output")
	assert [ $((0x$mask & 1)) -eq 0 ]
	assert_line --index 1 0
	assert_equal "$(sed -n '3,$p' <<<"$output" | tr '\n' ' ')" "0 1 2 3 "
}

@test "the working directory is proved under the new root after the change" {
	# Only --skip-chdir keeps one from before; a directory removed
	# meanwhile cannot be placed under any root, and is refused.
	run -0 bash -c "cd '$TMP' && cx-chroot --skip-chdir / /bin/pwd"
	assert_output "$TMP"
	mkdir "$TMP/gone"
	run -125 bash -c "cd '$TMP/gone' && rmdir '$TMP/gone' && cx-chroot --skip-chdir / /bin/pwd"
	assert_output "cx-chroot: working directory .: deleted, or outside the root"
	# After a root change the command starts at the root's top.
	run -0 bash -c "cd '$TMP' && cx-unshare --mount cx-chroot --pivot '$ROOTFS' /bin/sh -c 'pwd; stat -c %i /; stat -c %i .'"
	assert_line --index 0 /
	assert_equal "${lines[1]}" "${lines[2]}"
}

@test "--userspec with a hostile NEWROOT: a FIFO or an endless device as /etc/passwd is refused at once" {
	rm -f "$ROOTFS/etc/passwd"
	mkfifo "$ROOTFS/etc/passwd"
	run -125 timeout 10 cx-chroot --userspec nobody "$ROOTFS" /bin/id -u
	assert_output "cx-chroot: --userspec: user 'nobody': the new root's /etc/passwd is not a regular file, and is not read (it could block, or never end)"
	rm "$ROOTFS/etc/passwd"
	ln -s /dev/zero "$ROOTFS/etc/passwd"
	[ -e "$ROOTFS/dev/zero" ] || mknod "$ROOTFS/dev/zero" c 1 5
	run -125 timeout 10 cx-chroot --userspec nobody "$ROOTFS" /bin/id -u
	assert_output "cx-chroot: --userspec: user 'nobody': the new root's /etc/passwd is not a regular file, and is not read (it could block, or never end)"
	# A number needs no database (id would read it: a file's owner
	# tells the uid instead).
	mkdir -m 1777 "$ROOTFS/owned"
	run -0 timeout 10 cx-chroot --userspec 65534:65534 "$ROOTFS" /bin/sh -c ': >/owned/f'
	assert_equal "$(stat -c %u:%g "$ROOTFS/owned/f")" 65534:65534
}

@test "CX_PRESERVE_FDS: the descriptors named go down the chain past the pivot to the command, no other does, nor the variable" {
	require_static_tools
	echo "kept" >"$TMP/kept"
	echo "not kept" >"$TMP/other"
	run -0 env CX_PRESERVE_FDS=1 cx-unshare --mount --pid --fork cx-chroot --pivot "$ROOTFS" \
		cx-unshare --mount-proc cx-caps --keep all \
		sh -c 'cat <&3; { cat <&4; } 2>/dev/null || echo "no 4"; ls /proc/self/fd | tr "\n" " "; echo; env | grep -c -e ^CX_PRESERVE -e ^CX_TOOLDIR || true' \
		3<"$TMP/kept" 4<"$TMP/other"
	assert_line -n 0 "kept"
	assert_line -n 1 "no 4"
	# 0, 1, 2, 3, and ls's own directory.
	assert_line -n 2 "0 1 2 3 4 "
	assert_line -n 3 "0"
	# Without the variable, 3 is closed like any other.
	run -0 cx-unshare --mount cx-caps --keep all sh -c '{ cat <&3; } 2>/dev/null || echo "no 3"' 3<"$TMP/kept"
	assert_output "no 3"
}
