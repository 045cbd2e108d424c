#!/usr/bin/env bats
# docs/walkthrough.md, run.  Each test is one section of the document:
# it takes the section's commands out of the document (the sh block
# after <!-- step: NAME -->), runs exactly those, and checks what the
# text says they show, and the kernel's own record of it (mountinfo,
# cgroup files, /proc/PID/status, a whiteout's device numbers).  So the
# document and this file cannot drift apart: a command changed there is
# the command run here, and the last test fails when a step of the
# document is run by no test.
#
# The working folder is $TMP, set up as the document's "Before you
# start" sets up /tmp/walk: a copy of the busybox rootfs as rootfs, the
# two helper programs as hog and server, the folder open to nobody, the
# tools first in PATH, and CX and BUILD for the last section.  A step
# runs under bash -e, with what the document says is typed into its
# shell on standard input.

bats_require_minimum_version 1.5.0

load helpers

DOC="$BATS_TEST_DIRNAME/../docs/walkthrough.md"
CX=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BUILD=$CX_BUILD
export CX BUILD

HOG="$CX_BUILD/tests/helper-hog"
SERVER="$CX_BUILD/tests/helper-bind80"

# helpers.bash's setup and teardown, under new names: ours wrap them.
eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

# The cgroup base folders (cx) of every hierarchy, one per line.
cg_bases() {
	find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name cx 2>/dev/null | sort
}

setup() {
	helpers_setup
	chmod 755 "$TMP"
	[ -x "$HOG" ] && cp "$HOG" "$TMP/hog"
	[ -x "$SERVER" ] && cp "$SERVER" "$TMP/server"
	CG_BASES_BEFORE=$(cg_bases)
	CG_DEMO_MADE=
	KEPT_LAYER=
	cd "$TMP" || return 1
}

teardown() {
	local d
	exec 8>&-
	helpers_teardown
	# The walkthrough's cgroup, if this test made it and it is still
	# there; then a base that the test's tools made, when empty.
	if [ -n "$CG_DEMO_MADE" ]; then
		for d in $(cg_demo_dirs); do
			xargs -r kill -KILL <"$d/cgroup.procs" 2>/dev/null
			rmdir "$d" 2>/dev/null
		done
	fi
	for d in $(cg_bases); do
		grep -qxF "$d" <<<"$CG_BASES_BEFORE" || rmdir "$d" 2>/dev/null
	done
	[ -z "$KEPT_LAYER" ] || rm -rf "$KEPT_LAYER"
	return 0
}

# --- the document's steps ------------------------------------------------

# step NAME: print the commands of the block marked NAME, and note that
# the step was run.  The marker must be there once, and the next line
# that is not empty must open an sh block.
step() {
	local out
	out=$(awk -v want="<!-- step: $1 -->" '
		$0 == want { n++; s = 1; next }
		s == 1 && /^```sh/ { s = 2; next }
		s == 1 && NF { bad = 1; s = 0 }
		s == 2 && /^```/ { s = 0; next }
		s == 2 { print }
		END { exit (n != 1 || bad) }' "$DOC") && [ -n "$out" ] || {
		echo "step $1: no single sh block marked <!-- step: $1 --> in $DOC" >&2
		return 1
	}
	echo "$1" >>"$BATS_FILE_TMPDIR/steps-run"
	printf '%s\n' "$out"
}

# run_step -N NAME [TYPED]: run step NAME with bats' run, expecting
# status N, stdout in output/lines and stderr in stderr; the commands of
# step TYPED, if given, are its standard input.
run_step() {
	local status=$1 cmds typed=
	cmds=$(step "$2") || return 1
	if [ -n "${3:-}" ]; then
		typed=$(step "$3") || return 1
	fi
	run "$status" --separate-stderr bash -ec "$cmds" <<<"$typed"
}

# Steps that a skipped test would have run: counted as seen.
skip_steps() {
	printf '%s\n' "$@" >>"$BATS_FILE_TMPDIR/steps-run"
}

# --- what the tests look at ----------------------------------------------

# The mountinfo line of the mount on PATH, if any.
mountinfo_at() {
	awk -v p="$1" '$5 == p' /proc/self/mountinfo
}

# The file type and device numbers of a file, as stat shows them.
file_kind() {
	stat -c '%F %t:%T' "$1"
}

# The value of the extended attribute NAME of FILE.
xattr_of() {
	if command -v getfattr >/dev/null; then
		getfattr --only-values -n "$2" "$1"
	else
		python3 -c 'import os, sys; sys.stdout.write(os.getxattr(sys.argv[1], sys.argv[2]).decode())' "$1" "$2"
	fi
}

# The value of FIELD in /proc/self/status: what a command run as root
# from this test starts with.
status_field() {
	awk -v f="$1:" '$1 == f { print $2 }' /proc/self/status
}

# The folders of the walkthrough's cgroup cx/demo, in every hierarchy.
cg_demo_dirs() {
	find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -path '*/cx/demo' 2>/dev/null
}

# "v2 DIR" or "v1 DIR": where cx-cgroup puts cx/demo's memory files.
cg_memory_demo() {
	local v2 v1
	v2=$(awk '{ for (i = 7; $i != "-"; i++) ; if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
	if [ -n "$v2" ] && grep -qw memory "$v2/cgroup.controllers"; then
		echo "v2 $v2/cx/demo"
		return
	fi
	v1=$(awk '{ for (i = 7; $i != "-"; i++) ;
		if ($(i + 1) == "cgroup" && ("," $(i + 3) ",") ~ /,memory,/) { print $5; exit } }' /proc/self/mountinfo)
	[ -z "$v1" ] || echo "v1 $v1/cx/demo"
}

# The hog's output: steps of 10 MB, killed at the 100M limit, so the
# last total is at least 50 MB and at most 100 MB.
assert_hog_killed() {
	local line last
	assert_equal "${lines[0]}" "10 MB"
	for line in "${lines[@]}"; do
		[[ $line =~ ^[0-9]+\ MB$ ]] || fail "the hog printed '$line'"
	done
	last=${lines[${#lines[@]} - 1]% MB}
	[ "$last" -ge 50 ] && [ "$last" -le 100 ] ||
		fail "the hog got to $last MB under a 100M limit"
}

# Wait up to 5 s for process PID to end; its status in WAIT_STATUS.
wait_for_exit() {
	for _ in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$1" 2>/dev/null && fail "process $1 did not end"
	WAIT_STATUS=0
	wait "$1" || WAIT_STATUS=$?
}

# --- the sections, in the document's order ------------------------------

@test "1. chroot: a shell in rootfs starts at its /, sees its files and its busybox" {
	# The host must differ, or the test could not fail.
	[ "$(cat /etc/hostname)" != cx ] && [ "$(readlink /bin/sh)" != busybox ]

	run_step -0 chroot chroot-typed
	assert_equal "$stderr" ""
	assert_equal "${lines[0]}" /
	assert_equal "${lines[*]:1:12}" "bin dev etc home mnt proc root sbin sys tmp usr var"
	assert_equal "${lines[13]}" cx
	assert_equal "${lines[14]}" busybox
	assert_equal "${#lines[@]}" 15
}

@test "2. is it contained? no: with a proc of the host's PID namespace, the chroot kills a host process" {
	local cmds sleeper
	cmds=$(step host-sleeper)
	bash -c "$cmds" </dev/null >/dev/null 2>&1 3>&- &
	sleeper=$!
	BG_PIDS="$BG_PIDS $sleeper"
	for _ in $(seq 50); do
		[ "$(cat /proc/$sleeper/comm 2>/dev/null)" = sleep ] && break
		sleep 0.1
	done

	run_step -0 contained contained-typed
	assert_equal "$stderr" ""
	# ps shows the host's sleep under the host's PID, and nothing else.
	assert_output --regexp "^ *$sleeper +root +sleep 3141$"
	assert_equal "${#lines[@]}" 1
	# kill ended it: SIGTERM, status 143.
	wait_for_exit "$sleeper"
	assert_equal "$WAIT_STATUS" 143
	# The proc was mounted in cx-unshare's own mount namespace: gone.
	assert_equal "$(mounts_below_tmp)" 0
	assert_equal "$(ls -A rootfs/proc)" ""
}

@test "3. namespaces: a new PID namespace has the shell as PID 1, ps as 2, and an inode of its own" {
	run_step -0 pidns pidns-typed
	assert_equal "$stderr" ""
	assert_line --index 0 --regexp '^ *PID +COMMAND$'
	assert_line --index 1 --regexp '^ +1 sh$'
	assert_line --index 2 --regexp '^ +2 ps$'
	assert_line --index 3 --regexp '^pid:\[[0-9]+\]$'
	assert_equal "${#lines[@]}" 4
	local inner=${lines[3]}

	run_step -0 pidns-host
	assert_output "pid:[$(ns_ino pid)]"
	[ "$inner" != "$output" ] || fail "the shell's PID namespace is the host's: $inner"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "4. nsenter: a running container, its PID from --pidfile, its namespaces, two ways in" {
	local cmds c1 pid kind
	mkfifo c1.in
	cmds=$(step c1)
	bash -c "$cmds" <c1.in >c1.out 2>c1.err 3>&- &
	c1=$!
	BG_PIDS="$BG_PIDS $c1"
	exec 8>c1.in
	step c1-typed >&8

	# The container's sysfs lists the host's interfaces: one net namespace.
	for _ in $(seq 50); do
		[ "$(cat c1.out)" = "$(ls /sys/class/net)" ] && break
		sleep 0.1
	done
	assert_equal "$(cat c1.out)" "$(ls /sys/class/net)"
	assert_equal "$(cat c1.err)" ""
	assert wait_for_file c1.pid

	# The PID file holds the host's PID of the container's PID 1, the shell.
	run_step -0 c1-pid
	assert_output --regexp '^[0-9]+$'
	pid=$output
	assert_equal "$(cat /proc/$pid/comm)" sh
	assert_equal "$(awk '$1 == "NSpid:" { print $2, $3 }' /proc/$pid/status)" "$pid 1"
	process_tree "$c1" | grep -qx "$pid" ||
		fail "$pid is not below the container's cx-unshare $c1"

	# Its namespaces against ours: pid and mnt its own, the rest shared.
	run_step -0 c1-ns
	assert_equal "$stderr" ""
	for kind in /proc/self/ns/*; do
		kind=${kind##*/}
		case $kind in
		pid | pid_for_children | mnt)
			[ "$(readlink /proc/$pid/ns/$kind)" != "$(readlink /proc/self/ns/$kind)" ] ||
				fail "$kind is shared"
			assert_equal "$(grep -cF " $kind -> $(readlink /proc/$pid/ns/$kind)" <<<"$output")" 1
			assert_equal "$(grep -cF " $kind -> $(readlink /proc/self/ns/$kind)" <<<"$output")" 1
			;;
		*)
			assert_equal "$(grep -cF " $kind -> $(readlink /proc/self/ns/$kind)" <<<"$output")" 2
			;;
		esac
	done

	# Joined by the PID file: the first shell as 1, this shell, ps.
	run_step -0 join join-typed
	assert_equal "$stderr" ""
	assert_line --index 0 --regexp '^ *PID +COMMAND$'
	assert_line --index 1 --regexp '^ +1 sh$'
	assert_line --index 2 --regexp '^ +[0-9]+ sh$'
	assert_line --index 3 --regexp '^ +[0-9]+ ps$'
	assert_line --index 4 "$(readlink /proc/$pid/ns/mnt)"
	assert_equal "${#lines[@]}" 5

	# The tutorial's way: cx-unshare waits inside as well.
	run_step -0 join-pid-only join-pid-only-typed
	assert_equal "$stderr" ""
	assert_line --index 1 --regexp '^ +1 sh$'
	assert_line --index 2 --regexp '^ +[0-9]+ cx-unshare$'
	assert_line --index 3 --regexp '^ +[0-9]+ sh$'
	assert_line --index 4 --regexp '^ +[0-9]+ ps$'
	assert_equal "${#lines[@]}" 5

	# exit: status 0, the PID file removed, nothing mounted.
	step c1-exit >&8
	exec 8>&-
	wait_for_exit "$c1"
	assert_equal "$WAIT_STATUS" 0
	assert [ ! -e c1.pid ]
	assert_equal "$(cat c1.err)" ""
	assert_equal "$(mounts_below_tmp)" 0
}

@test "5. mounts: a read-only bind into rootfs, read but not written, not removed by rm, unmounted by cx-bind -u" {
	run_step -0 bind
	assert_equal "$stderr" ""
	local line
	line=$(mountinfo_at "$TMP/rootfs/var/readonlyfiles")
	[ -n "$line" ] || fail "no mount on rootfs/var/readonlyfiles"
	[[ ",$(cut -d' ' -f6 <<<"$line")," =~ ^,ro,nosuid,nodev, ]] ||
		fail "the bind's options are not ro,nosuid,nodev: $line"

	run_step -1 bind-chroot bind-chroot-typed
	assert_output "Bonjour !"
	assert_equal "$stderr" "/bin/sh: can't create /var/readonlyfiles/hello.txt: Read-only file system"

	run_step -1 bind-rm
	assert_equal "$stderr" "rm: cannot remove 'rootfs/var/readonlyfiles/hello.txt': Read-only file system"
	assert_equal "$(cat readonlyfiles/hello.txt)" "Bonjour !"

	run_step -0 unbind
	assert_output ""
	assert_equal "$stderr" ""
	assert_equal "$(mountinfo_at "$TMP/rootfs/var/readonlyfiles")" ""
	assert [ -d rootfs/var/readonlyfiles ]
	assert_equal "$(cat readonlyfiles/hello.txt)" "Bonjour !"
}

@test "6. cgroups: 100M and no swap, the hog killed at the limit, counted, removed; run --rm says so in one line" {
	require_helper "$HOG"
	local where kind dir
	where=$(cg_memory_demo)
	[ -n "$where" ] || skip "this host has no memory controller"
	kind=${where%% *} dir=${where#* }
	[ -z "$(cg_demo_dirs)" ] ||
		fail "a cgroup cx/demo is already there, not made by this test: $(cg_demo_dirs)"
	# From here on, a cx/demo is this test's: teardown removes it.
	CG_DEMO_MADE=1

	run_step -0 cg-create
	assert_output ""
	assert_equal "$stderr" ""
	if [ "$kind" = v2 ]; then
		assert_equal "$(cat "$dir/memory.max")" 104857600
		[ ! -e "$dir/memory.swap.max" ] || assert_equal "$(cat "$dir/memory.swap.max")" 0
	else
		assert_equal "$(cat "$dir/memory.limit_in_bytes")" 104857600
		[ ! -e "$dir/memory.memsw.limit_in_bytes" ] ||
			assert_equal "$(cat "$dir/memory.memsw.limit_in_bytes")" 104857600
	fi

	run_step -0 cg-get
	assert_equal "${lines[*]}" "104857600 0"

	run_step -137 cg-hog
	assert_equal "$stderr" ""
	assert_hog_killed
	assert_equal "$(cat "$dir/cgroup.procs")" ""

	run_step -0 cg-stat
	assert_line "memory_oom_kill 1"
	local peak
	peak=$(awk '$1 == "memory_peak" { print $2 }' <<<"$output")
	[ "$peak" -gt 0 ] && [ "$peak" -le 104857600 ] || fail "memory_peak is '$peak'"
	if grep -qw '^pids' /proc/cgroups; then
		assert_line "pids_current 0"
	fi

	run_step -0 cg-rm
	assert_equal "$stderr" ""
	assert_equal "$(cg_demo_dirs)" ""

	run_step -137 cg-run-rm
	assert_equal "$stderr" "cx-cgroup: demo: killed by the OOM killer at the memory limit of 100M"
	assert_hog_killed
	assert_equal "$(cg_demo_dirs)" ""
}

@test "7. capabilities: port 80 for nobody by a file capability, and without it again" {
	require_helper "$SERVER"
	local start
	start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	if [ "$start" -le 80 ]; then
		skip_steps caps-refused caps-set caps-bound caps-rm
		skip "net.ipv4.ip_unprivileged_port_start is $start: any user may bind port 80 here"
	fi
	if [ -n "$(ss -Htln 'sport = :80')" ]; then
		skip_steps caps-refused caps-set caps-bound caps-rm
		skip "port 80 is in use on this host: $(ss -Htlnp 'sport = :80' | head -n 1)"
	fi

	run_step -1 caps-refused
	assert_output "bind 127.0.0.1:80: Permission denied"
	assert_equal "$stderr" ""

	run_step -0 caps-set
	assert_output "./server cap_net_bind_service=ep"
	# The file's attribute, as libcap's getcap reads it.
	run -0 getcap ./server
	assert_output "./server cap_net_bind_service=ep"

	run_step -0 caps-bound
	assert_output "bound 127.0.0.1:80"

	run_step -0 caps-rm
	assert_output "./server [none]"
	run -0 getcap ./server
	assert_output ""

	run_step -1 caps-refused
	assert_output "bind 127.0.0.1:80: Permission denied"
}

@test "7. capabilities: show is the kernel's state; root without cap_chown cannot chown" {
	local set field
	run_step -0 caps-show
	assert_equal "$stderr" ""
	for set in effective:CapEff permitted:CapPrm inheritable:CapInh bounding:CapBnd ambient:CapAmb; do
		field=$(status_field "${set#*:}")
		assert_line --regexp "^${set%%:*}: +$field "
	done
	assert_line --regexp '^inheritable: +0000000000000000 \[none\]$'
	assert_line --regexp '^ambient: +0000000000000000 \[none\]$'
	assert_line --regexp '^securebits: +0x0 \[none\]$'
	assert_line --regexp '^no_new_privs: +0$'
	assert_line --regexp '^uid: +0\(root\)$'
	assert_line --regexp '^gid: +0\(root\)$'

	run_step -1 caps-drop caps-drop-typed
	assert_equal "${lines[0]}" root
	# cap_chown 0, cap_setpcap 8, cap_sys_admin 21, cap_setfcap 31.
	local want
	want=$(printf '%016x' $((0x$(status_field CapBnd) & ~(1 << 0 | 1 << 8 | 1 << 21 | 1 << 31))))
	assert_equal "${lines[1]}" "CapBnd:	$want"
	assert_equal "${#lines[@]}" 2
	assert_equal "$stderr" "chown: changing ownership of 'mine': Operation not permitted"
	assert_equal "$(stat -c %U mine)" root
}

@test "8. overlayfs: the union, reads from upper, writes to upper, a 0/0 whiteout, an opaque directory, the diff" {
	run_step -0 ov-layers
	run_step -0 ov-mount
	assert_output ""
	assert_equal "$stderr" ""
	local line
	line=$(mountinfo_at "$TMP/merged")
	[[ $line == *" - overlay overlay "* ]] || fail "no overlay on merged: $line"
	[[ $line =~ [\ ,]lowerdir\+?=$TMP/lower(,|$) ]] || fail "lowerdir: $line"
	[[ $line == *",upperdir=$TMP/upper,"* ]] || fail "upperdir: $line"
	[[ $line == *",workdir=$TMP/work"* ]] || fail "workdir: $line"

	run_step -0 ov-find
	assert_output "lower
lower/dir
lower/dir/old.txt
lower/in_both.txt
lower/in_lower.txt
merged
merged/dir
merged/dir/old.txt
merged/in_both.txt
merged/in_lower.txt
merged/in_upper.txt
upper
upper/in_both.txt
upper/in_upper.txt"

	run_step -0 ov-read
	assert_output "I'm from upper!"

	run_step -0 ov-write
	assert_output "merged/new_file
upper/new_file"
	assert [ ! -e lower/new_file ]

	run_step -0 ov-delete
	assert_equal "${lines[*]:0:4}" "dir in_lower.txt in_upper.txt new_file"
	assert_line --index 4 --regexp '^c--------- +[0-9]+ root +root +0, +0 .* upper/in_both\.txt$'
	assert_line --index 5 "I'm from lower!"
	assert_equal "$(file_kind upper/in_both.txt)" "character special file 0:0"
	assert_equal "$(cat lower/in_both.txt)" "I'm from lower!"

	run_step -0 ov-opaque
	assert_output "new.txt"
	assert_equal "$(xattr_of upper/dir trusted.overlay.opaque)" y
	assert [ -e lower/dir/old.txt ]

	run_step -0 ov-umount
	assert_output ""
	assert_equal "$(mountinfo_at "$TMP/merged")" ""

	run_step -0 ov-diff
	assert_equal "$stderr" ""
	assert_output "C /dir
A /dir/new.txt
D /dir/old.txt
D /in_both.txt
A /in_upper.txt
A /new_file"
}

@test "9. image layers: a container layer committed, unpacked, stacked into an image, and run" {
	run_step -0 img-container
	assert_output ""
	assert_equal "$stderr" ""
	assert [ -e rootfs/etc/hostname ]
	assert [ ! -e rootfs/etc/motd ]
	assert_equal "$(cat c1/upper/etc/motd)" "Bonjour !"
	assert_equal "$(file_kind c1/upper/etc/hostname)" "character special file 0:0"
	assert_equal "$(mounts_below_tmp)" 0

	run_step -0 img-diff
	assert_output "C /etc
D /etc/hostname
A /etc/motd"

	run_step -0 img-commit
	assert_output "etc/
etc/.wh.hostname
etc/motd"
	# The whiteout is an empty regular file in the archive.
	assert_equal "$(tar -tzvf top.tar.gz etc/.wh.hostname | cut -c1)" -

	run_step -0 img-unpack
	assert_line --regexp '^c--------- +[0-9]+ root +root +0, +0 .* hostname$'
	assert_line --regexp '^-rw-r--r-- .* motd$'
	assert_equal "$(file_kind top/etc/hostname)" "character special file 0:0"
	assert_equal "$(cat top/etc/motd)" "Bonjour !"

	run_step -0 img-image
	assert_output "layers/1:layers/0"
	assert_equal "$stderr" ""
	assert [ -x layers/0/bin/busybox ]
	assert_equal "$(file_kind layers/1/etc/hostname)" "character special file 0:0"

	run_step -0 img-run
	assert_output "Bonjour !
group
motd
passwd"
	assert_equal "$(ls -A c2/upper)" ""
	assert_equal "$(mounts_below_tmp)" 0

	run_step -0 img-save
	assert_equal "$stderr" ""
	assert_equal "$(ls walk-oci)" "blobs
index.json
oci-layout"
	local f
	for f in walk-oci/blobs/sha256/*; do
		assert_equal "$(sha256sum <"$f" | cut -d' ' -f1)" "$(basename "$f")"
	done
	assert_equal "$(ls walk-oci/blobs/sha256 | wc -l)" 4
	run -0 cx-overlay image --ref 1 walk-oci back
	assert_output "back/1:back/0"
	assert_equal "$(cat back/1/etc/motd)" "Bonjour !"
	assert_equal "$(file_kind back/1/etc/hostname)" "character special file 0:0"
}

@test "10. the whole container: examples/container.sh, and --keep" {
	# The chain goes on past pivot_root: cx-unshare and cx-caps run
	# inside the busybox rootfs.
	skip_steps container container-keep
	require_static_tools
	local layers_before kept
	layers_before=$(find /tmp -maxdepth 1 -name 'cx-layer.*' | sort)

	run_step -0 container
	assert_equal "$stderr" ""
	assert_line --regexp '^ +1 root +cx-unshare --pid '
	assert_line --regexp '^ +2 root +/bin/sh -c '
	assert_line --regexp '^ +3 root +\{ps\} '
	assert_line cx-container
	assert_line "uid=0(root) gid=0(root)"
	assert_line "CapInh:	0000000000000000"
	assert_line "CapPrm:	00000000a80425fb"
	assert_line "CapEff:	00000000a80425fb"
	assert_line "CapBnd:	00000000a80425fb"
	assert_line "CapAmb:	0000000000000000"
	assert_line 104857600
	# The mounts: overlay on /, two read-only binds, six devices, proc
	# with its read-only parts (those this kernel has), devpts, and
	# nothing else.
	local mounts
	mounts=$(sed -n '/^== mounts$/,$p' <<<"$output" | tail -n +2)
	assert_equal "$(cut -d' ' -f2 <<<"$mounts" | grep -v '^/proc/' | tr '\n' ' ')" "/ /mnt/share /sys/fs/cgroup /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /proc /dev/pts "
	local part
	for part in sys sysrq-trigger irq bus fs scsi acpi; do
		[ -e "/proc/$part" ] || continue
		assert_line --regexp "^[^ ]+ /proc/$part proc ro,"
	done
	assert_equal "$(grep -c ' /proc/' <<<"$mounts")" "$(cd /proc && ls -d sys sysrq-trigger irq bus fs scsi acpi 2>/dev/null | wc -l)"
	assert_line --regexp '^overlay / overlay '
	assert_line --regexp '^[^ ]+ /proc proc '
	assert_line --regexp '^[^ ]+ /dev/pts devpts '
	assert_line --regexp '^[^ ]+ /mnt/share [^ ]+ ro,'
	assert_line --regexp '^[^ ]+ /sys/fs/cgroup [^ ]+ ro,'
	# Nothing left: no layer, no cgroup, no mount.
	assert_equal "$(find /tmp -maxdepth 1 -name 'cx-layer.*' | sort)" "$layers_before"
	assert_equal "$(find /sys/fs/cgroup -mindepth 1 -type d -name 'cx-demo-*')" ""
	assert_equal "$(mounts_below_tmp)" 0

	run_step -0 container-keep
	kept=$(sed -n 's/^== the container layer, \(\/tmp\/cx-layer\.[^/]*\)\/upper:$/\1/p' <<<"$stderr")
	[ -n "$kept" ] || fail "no kept layer named: $stderr"
	KEPT_LAYER=$kept
	[[ $stderr == *$'\nA /root/hello\n'* ]] || fail "no 'A /root/hello' in: $stderr"
	[[ $stderr == *$'\nD /etc/hostname\n'* ]] || fail "no 'D /etc/hostname' in: $stderr"
	[[ $stderr == *$'\nA /dev/null\n'* ]] || fail "no 'A /dev/null' in: $stderr"
	[[ $stderr == *$'\nA /mnt/share\n'* ]] || fail "no 'A /mnt/share' in: $stderr"
	assert_equal "$(cat "$kept/upper/root/hello")" hi
	assert_equal "$(file_kind "$kept/upper/etc/hostname")" "character special file 0:0"
	assert [ -e rootfs/etc/hostname ]
	assert [ ! -e rootfs/root/hello ]
	assert_equal "$(find /sys/fs/cgroup -mindepth 1 -type d -name 'cx-demo-*')" ""
	assert_equal "$(mounts_below_tmp)" 0
}

@test "11. without root: the chain as an ordinary user, and what the kernel shows of it" {
	skip_steps rootless
	require_static_tools
	rootless_user_add
	rootless_ids
	mkdir mine
	chown "$RL_USER:$RL_USER" mine
	local cmds
	cmds=$(step rootless)
	run -0 --separate-stderr bash -c 'cd mine && exec setpriv --reuid "$0" --regid "$0" --init-groups --inh-caps=-all env HOME=/ PATH="$PATH" CX="$CX" bash -ec "$1"' "$RL_USER" "$cmds"
	local status_ok=$status
	rootless_user_drop
	[ "$status_ok" = 0 ]
	assert_line "uid=0(root) gid=0(root) groups=0(root)"
	assert_line --regexp "^ +0 +$RL_UID +1\$"
	assert_line --regexp "^ +1 +$((RL_FIRST + 1)) +$((RL_COUNT - 1))\$"
	assert_line rootless
	assert_line --regexp '^ +1 root +cx-unshare$'
	assert_line --regexp '^ +2 root +sh$'
	assert_line --regexp '^-rw-r--r-- +1 1000 +1000 .* /f$'
	assert_equal "$stderr" ""
	# mkrootfs's image went with the step, and no mount is left.
	assert_equal "$(ls mine)" ""
	assert_equal "$(mounts_below_tmp)" 0
}

@test "every step of the document was run by a test here" {
	local doc ran
	doc=$(sed -n 's/^<!-- step: \([^ ]*\) -->$/\1/p' "$DOC" | sort)
	[ -n "$doc" ] || fail "no steps in $DOC"
	assert_equal "$(sed -n 's/^<!-- step: \([^ ]*\) -->$/\1/p' "$DOC" | sort | uniq -d)" ""
	ran=$(sort -u "$BATS_FILE_TMPDIR/steps-run" 2>/dev/null)
	assert_equal "$(comm -23 <(echo "$doc") <(echo "$ran"))" ""
}
