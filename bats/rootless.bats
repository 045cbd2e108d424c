#!/usr/bin/env bats
# The container as an ordinary user: a user made for these tests, with
# a range of subordinate ids in /etc/subuid and /etc/subgid (shadow's
# newuidmap and newgidmap, Debian's uidmap package, write the maps that
# need them).  Each scenario runs the tools as that user and asserts
# what the kernel holds: uid_map and gid_map, /proc/PID/status,
# mountinfo, the owner of a file on the host.

bats_require_minimum_version 1.5.0

load helpers
eval "helpers_$(declare -f teardown)"

# The user, made once for the file and removed after, with nothing of
# an earlier run's left behind (helpers.bash).
setup_file() {
	rootless_user_add
}

teardown_file() {
	rootless_user_drop
}

teardown() {
	undelegate || echo "cx-rootless: $DELEG was left" >&2
	helpers_teardown
}

setup() {
	TMP=$(mktemp -d /tmp/cx-bats.XXXXXX)
	chmod 755 "$TMP"
	ROOTFS="$TMP/rootfs"
	# The user's own image: overlayfs copies a file up with its owner,
	# and an owner outside the user namespace cannot be set there.
	cp -a "$CX_ROOTFS" "$ROOTFS"
	chown -R "$RL_USER:$RL_USER" "$ROOTFS"
	# Where the user may make files: the pidfile, namespace files.
	RUN="$TMP/run"
	mkdir "$RUN"
	chown "$RL_USER:$RL_USER" "$RUN"
	rootless_ids
}

# A map file's lines with their spaces squeezed: "0 1000 1".
map_lines() {
	tr -s ' ' <"$1" | sed 's/^ //'
}

@test "rootless: --map-root-user alone needs no helper program" {
	run -0 as_user cx-unshare -r /bin/sh -c 'id -u; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups'
	assert_line --index 0 0
	assert_equal "$(echo "${lines[1]}" | tr -s ' ' | sed 's/^ //')" "0 $RL_UID 1"
	assert_equal "$(echo "${lines[2]}" | tr -s ' ' | sed 's/^ //')" "0 $RL_GID 1"
	assert_line --index 3 deny
}

@test "rootless: --map-auto maps the user's first subordinate ranges from 0" {
	as_user cx-unshare --map-auto --pidfile "$RUN/pid" /bin/sleep 100 &
	BG_PIDS=$!
	wait_for_file "$RUN/pid"
	local pid
	pid=$(cat "$RUN/pid")
	run -0 map_lines "/proc/$pid/uid_map"
	assert_output "0 $RL_FIRST $RL_COUNT"
	run -0 map_lines "/proc/$pid/gid_map"
	assert_output "0 $RL_FIRST $RL_COUNT"
	# The user's own id is not in the map: seen from inside, the
	# process is the overflow id, and as no root it lost at exec the
	# capabilities unshare(2) gave it (util-linux's meaning; -r beside
	# it makes the user root inside).
	run -0 as_user cx-unshare --map-auto /bin/sh -c 'id -u; grep CapEff /proc/self/status'
	assert_line --index 0 65534
	assert_line --index 1 'CapEff:	0000000000000000'
}

@test "rootless: -r --map-auto, the user as root and the range around it; files land in the range" {
	mkdir "$TMP/own"
	chown "$RL_USER:$RL_USER" "$TMP/own"
	as_user cx-unshare -r --map-auto --pidfile "$RUN/pid" /bin/sh -c \
		"chown 5:7 $TMP/own && touch $TMP/own/f && chown 1000:1000 $TMP/own/f && exec sleep 100" &
	BG_PIDS=$!
	wait_for_file "$RUN/pid"
	local pid
	pid=$(cat "$RUN/pid")
	run -0 map_lines "/proc/$pid/uid_map"
	assert_line --index 0 "0 $RL_UID 1"
	assert_line --index 1 "1 $((RL_FIRST + 1)) $((RL_COUNT - 1))"
	run -0 map_lines "/proc/$pid/gid_map"
	assert_line --index 0 "0 $RL_GID 1"
	assert_line --index 1 "1 $((RL_FIRST + 1)) $((RL_COUNT - 1))"
	# newgidmap wrote the groups: setgroups stays allowed.
	assert_equal "$(cat "/proc/$pid/setgroups")" allow
	for i in $(seq 50); do [ -e "$TMP/own/f" ] && break; sleep 0.1; done
	sleep 0.2
	# Seen from the host: ids from the subordinate range.
	assert_equal "$(stat -c '%u:%g' "$TMP/own")" "$((RL_FIRST + 5)):$((RL_FIRST + 7))"
	assert_equal "$(stat -c '%u:%g' "$TMP/own/f")" "$((RL_FIRST + 1000)):$((RL_FIRST + 1000))"
}

@test "rootless: a range that is not the user's is refused by newuidmap, and nothing is left" {
	run -125 as_user cx-unshare --uts="$RUN/uts" --map-users=0:100:10 true
	assert_output --regexp "cx-unshare: newuidmap [0-9]+ refused the map \(the ranges must be ours in /etc/subuid\)"
	assert [ ! -e "$RUN/uts" ]
	run -125 as_user cx-unshare --map-users=0:$RL_FIRST:10 --map-groups=0:$((RL_FIRST - 10)):20 true
	assert_output --regexp "cx-unshare: newgidmap [0-9]+ refused the map \(the ranges must be ours in /etc/subgid\)"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "rootless: the documented order: cx-chroot --pivot leaves a read-only proc that cx-unshare --mount-proc replaces" {
	require_static_tools
	# The pivot alone: the keeper, read-only, of the new PID namespace.
	run -0 as_user cx-unshare -r --pid --mount --fork \
		cx-chroot --pivot "$ROOTFS" /bin/sh -c 'cat /proc/self/mountinfo; set -- /proc/[0-9]*; echo "$*"'
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 --regexp '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ / '
	assert_line --index 1 --regexp '^[0-9]+ [0-9]+ [0-9:]+ / /proc ro,nosuid,nodev,noexec[^ ]* - proc cx-keeper '
	# The PID namespace's own processes: the shell alone, as PID 1 (a
	# glob, so that no child of its own races the listing).
	assert_line --index 2 /proc/1
	# And the next link's proc takes its place: one proc, read-write,
	# its windows onto the host's kernel read-only, no keeper left.
	run -0 as_user cx-unshare -r --pid --mount --fork \
		cx-chroot --pivot "$ROOTFS" cx-unshare --mount-proc /bin/sh -c 'cat /proc/self/mountinfo'
	refute_output --partial cx-keeper
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ / /proc rw,nosuid,nodev,noexec[^ ]* - proc '
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ /sys /proc/sys ro,'
	assert_equal "$(grep -c ' - proc ' <<<"$output")" "$(grep -c ' /proc/' <<<"$output" | awk '{ print $1 + 1 }')"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "rootless: with no proc directory to keep one on, the refusal says what the kernel requires" {
	require_static_tools
	rm -r "$ROOTFS/proc"
	mkdir "$ROOTFS/mnt/p"
	chown "$RL_USER:" "$ROOTFS/mnt/p"
	if [ -n "${CX_CGROUP_V2_LANE:-}" ]; then
		# The cgroup v2 lane's guest runs the tests chrooted into an
		# overlay: the mount namespace keeps, outside that root, the
		# initramfs's proc, which satisfies the kernel's rule.
		run -0 as_user cx-unshare -r --pid --mount --fork \
			cx-chroot --pivot "$ROOTFS" cx-unshare --mount-proc=/mnt/p /bin/true
		return
	fi
	run -125 as_user cx-unshare -r --pid --mount --fork \
		cx-chroot --pivot "$ROOTFS" cx-unshare --mount-proc=/mnt/p /bin/true
	assert_line --index 0 "cx-unshare: fsmount proc for /mnt/p: Operation not permitted: in a user namespace the kernel mounts a new proc only while another one is mounted, whole, in the same mount namespace, and none is (a pivot detached the last; cx-chroot --pivot leaves one where NEWROOT has an empty proc directory): mount it before the pivot, as in cx-unshare --mount-proc=ROOTFS/proc ... cx-chroot --pivot ROOTFS"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "rootless: a proc in the new root that is a symlink gets no keeper, here or anywhere" {
	require_static_tools
	local before
	before=$(wc -l </proc/self/mountinfo)
	rm -r "$ROOTFS/proc"
	ln -s / "$ROOTFS/proc"
	chown -h "$RL_USER:" "$ROOTFS/proc"
	# Seen from the host: only the root is mounted.
	as_user cx-unshare -r --pid --mount --fork --pidfile "$RUN/pid" \
		cx-chroot --pivot "$ROOTFS" /bin/sleep 100 &
	BG_PIDS=$!
	wait_for_file "$RUN/pid"
	local pid i
	pid=$(cat "$RUN/pid")
	for i in $(seq 50); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] && break
		sleep 0.1
	done
	run -0 cat "/proc/$pid/mountinfo"
	assert_equal "${#lines[@]}" 1
	refute_output --partial cx-keeper
	assert_equal "$(wc -l </proc/self/mountinfo)" "$before"
}

# The whole container as the user, in the documented order.
rootless_chain() {
	as_user cx-unshare -r --map-auto --pid --mount --uts --ipc --net --init \
		--hostname rootless --pidfile "$RUN/pid" \
		cx-overlay mount --lower "$ROOTFS" --tmpfs "$ROOTFS" \
		cx-bind --mkdir --root "$ROOTFS" -b "$TMP/share:/mnt/share:ro" \
		-b /dev/null:/dev/null:dev -b /dev/zero:/dev/zero:dev \
		cx-chroot --pivot "$ROOTFS" \
		cx-unshare --mount-proc --mount-devpts \
		cx-caps --keep chown,dac_override,fowner,setuid,setgid,sys_chroot --no-new-privs \
		"$@"
}

@test "rootless: the whole chain as an ordinary user; the kernel's view of it" {
	require_static_tools
	mkdir "$TMP/share"
	echo host > "$TMP/share/file"
	rootless_chain /bin/sh -c 'echo $$ > /tmp/inner; exec sleep 100' &
	BG_PIDS=$!
	# The process that runs the command execs link after link, down to
	# sleep.
	local i pid=""
	wait_for_file "$RUN/pid"
	pid=$(cat "$RUN/pid")
	for i in $(seq 100); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] && break
		sleep 0.1
	done
	assert_equal "$(cat "/proc/$pid/comm")" sleep
	# The user's ids: root inside is the user outside.
	run -0 map_lines "/proc/$pid/uid_map"
	assert_line --index 0 "0 $RL_UID 1"
	run -0 grep '^Uid:' "/proc/$pid/status"
	assert_output "Uid:	$RL_UID	$RL_UID	$RL_UID	$RL_UID"
	# The capabilities kept, and no_new_privs.
	run -0 grep -E '^(CapEff|CapBnd|NoNewPrivs):' "/proc/$pid/status"
	assert_line --index 0 "CapEff:	00000000000400cb"
	assert_line --index 1 "CapBnd:	00000000000400cb"
	assert_line --index 2 "NoNewPrivs:	1"
	# Its root is the overlay, its proc its own pid namespace's, and the
	# share read-only.
	run -0 cat "/proc/$pid/mountinfo"
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ / / .* - overlay '
	assert_line --regexp ' / /proc [^ ]*nosuid,nodev,noexec.* - proc '
	assert_line --regexp ' /mnt/share ro,.* - '
	assert_line --regexp ' /dev/pts .* - devpts '
	# Nothing of the host's tree is mounted in sight (the mount points).
	refute_output --regexp "^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ $TMP"
	# PID 2: the init is 1.
	assert_equal "$(cat "/proc/$pid/root/tmp/inner")" 2
	assert_equal "$(nsenter -t "$pid" -u hostname)" rootless
	kill "$pid"
	wait
	assert_equal "$(mounts_below_tmp)" 0
}

@test "rootless: root inside holds every capability of the namespace and still cannot reach the host" {
	require_static_tools
	mkdir "$TMP/share"
	echo host > "$TMP/share/file"
	run rootless_chain /bin/sh -c '
		echo 1 > /mnt/share/file 2>/dev/null && echo wrote-share
		mount -o remount,rw,bind /mnt/share 2>/dev/null && echo remounted
		umount /mnt/share 2>/dev/null && echo unmounted
		mount -t tmpfs none /mnt 2>/dev/null && echo "tmpfs-ok"
		echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo wrote-sysctl
		hostname other 2>/dev/null && echo renamed'
	# mount(2) of a fresh tmpfs is the namespace's own right; the host's
	# mounts are locked, its sysctls read-only.
	refute_line wrote-share
	refute_line remounted
	refute_line unmounted
	refute_line wrote-sysctl
	assert_equal "$(cat "$TMP/share/file")" host
	# The hostname changes in the container's own UTS namespace only.
	assert_not_equal "$(hostname)" other
	assert_equal "$(mounts_below_tmp)" 0
}

# --- overlays and layers -------------------------------------------------

# A layer with a whiteout (etc/.wh.a), an opaque directory
# (d/.wh..wh..opq) and files owned by 1001, written by tar itself.
make_layer() {
	mkdir -p "$TMP/src/etc" "$TMP/src/d"
	: >"$TMP/src/etc/.wh.a"
	: >"$TMP/src/d/.wh..wh..opq"
	echo n >"$TMP/src/d/n"
	tar -C "$TMP/src" -cf "$RUN/layer.tar" --owner=1001 --group=1001 etc d
	chown "$RL_USER:" "$RUN/layer.tar"
}

@test "rootless: the overlay in a user namespace uses user.overlay.* xattrs (userxattr), and a replaced directory is opaque there" {
	local low=$RUN/low up=$RUN/up
	as_user mkdir -p "$low/d" "$up" "$RUN/work" "$RUN/merged"
	as_user sh -c "echo b >$low/d/b"
	run -0 as_user cx-unshare -r --map-auto --mount \
		cx-overlay mount --lower "$low" --upper "$up" --work "$RUN/work" "$RUN/merged" \
		/bin/sh -c "rm -r $RUN/merged/d && mkdir $RUN/merged/d && echo n >$RUN/merged/d/n && grep ' $RUN/merged ' /proc/self/mountinfo"
	assert_output --regexp " - overlay overlay [^ ]*,userxattr"
	# The kernel's marks in the upper layer, read from the host.
	run -0 getfattr --absolute-names -n user.overlay.opaque --only-values "$up/d"
	assert_output y
	run -0 as_user cx-overlay diff --lower "$low" "$up"
	assert_output "C /d
D /d/b
A /d/n"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "rootless: unpack and commit as the user, without a user namespace: whiteouts as 0:0 devices, opaque in user.overlay.opaque, the files the user's" {
	make_layer
	run -0 as_user cx-overlay unpack "$RUN/layer.tar" "$RUN/un"
	# The whiteout form the kernel takes from an ordinary user (5.8).
	assert_equal "$(stat -c '%F %t:%T %U' "$RUN/un/etc/a")" "character special file 0:0 $RL_USER"
	run -0 getfattr --absolute-names -n user.overlay.opaque --only-values "$RUN/un/d"
	assert_output y
	assert_equal "$(stat -c %u "$RUN/un/d/n")" "$RL_UID"
	# And back into a layer: the same whiteouts.
	run -0 as_user cx-overlay commit "$RUN/un" "$RUN/again.tar"
	run -0 tar -tf "$RUN/again.tar"
	assert_line etc/.wh.a
	assert_line d/.wh..wh..opq
	assert_line d/n
}

@test "rootless: unpack in a user namespace with --map-auto gives the layer's owners from the subordinate range" {
	make_layer
	run -0 as_user cx-unshare -r --map-auto cx-overlay unpack "$RUN/layer.tar" "$RUN/un"
	# 1001 inside is RL_FIRST + 1001 outside.
	assert_equal "$(stat -c %u:%g "$RUN/un/d/n")" "$((RL_FIRST + 1001)):$((RL_FIRST + 1001))"
	assert_equal "$(stat -c '%F %t:%T' "$RUN/un/etc/a")" "character special file 0:0"
	run -0 getfattr --absolute-names -n user.overlay.opaque --only-values "$RUN/un/d"
	assert_output y
	# The unpacked layer is a lower layer for a rootless overlay: the
	# whiteout hides, the opaque directory hides what is below it.
	as_user mkdir -p "$RUN/base/etc" "$RUN/base/d" "$RUN/m"
	as_user sh -c "echo a >$RUN/base/etc/a; echo b >$RUN/base/d/b"
	run -0 as_user cx-unshare -r --map-auto --mount \
		cx-overlay mount --lower "$RUN/un:$RUN/base" --tmpfs "$RUN/m" \
		/bin/sh -c "ls $RUN/m/etc $RUN/m/d"
	refute_line a
	refute_line b
	assert_line n
}

# --- cgroups -------------------------------------------------------------

@test "rootless: where nothing is delegated, cx-cgroup says so in one line and makes nothing" {
	local before
	before=$(find /sys/fs/cgroup -maxdepth 2 -type d | sort | md5sum)
	run -125 as_user cx-cgroup run --rm --memory 50M demo /bin/true
	# On a v1 or hybrid host, v1 delegates nothing; on a v2 host the
	# user's own cgroup (this test's) is not the user's.
	assert_equal "${#lines[@]}" 1
	assert_line --index 0 --regexp '^cx-cgroup: no cgroup was delegated to this user(: its own, /sys/fs/cgroup[^ ]*, is not its to change \(systemd.s Delegate=yes .*\)| in /sys/fs/cgroup/[a-z_,]+: cgroup v1 gives ordinary users none .*)$'
	assert_equal "$(find /sys/fs/cgroup -maxdepth 2 -type d | sort | md5sum)" "$before"
}

# A cgroup v2 subtree delegated as cgroup-v2.rst describes: the directory
# and its cgroup.procs, cgroup.subtree_control and cgroup.threads given
# to the user, the memory and pids controllers enabled for its children,
# and the user's login in a child of it (systemd's user@UID.service has
# that shape).
delegate() {
	DELEG=/sys/fs/cgroup/cx-rootless-$BATS_ROOT_PID
	mkdir "$DELEG" "$DELEG/login"
	echo "+memory +pids" >"$DELEG/cgroup.subtree_control"
	local d
	for d in "$DELEG" "$DELEG/login"; do
		chown "$RL_USER" "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads"
	done
}

# The rest, as the user, from the login cgroup.
in_login() {
	sh -c 'echo $$ >"$0/login/cgroup.procs" && exec "$@"' "$DELEG" \
		setpriv --reuid "$RL_USER" --regid "$RL_USER" --init-groups \
		--inh-caps=-all env HOME=/ "$@"
}

undelegate() {
	[ -n "${DELEG:-}" ] && [ -d "$DELEG" ] || return 0
	find "$DELEG" -depth -type d -exec rmdir {} + 2>/dev/null
	[ ! -d "$DELEG" ]
}

@test "rootless: cx-cgroup makes, limits, reports and removes below a delegated cgroup v2 subtree" {
	[ -e /sys/fs/cgroup/cgroup.controllers ] ||
		skip "needs a cgroup v2 host with the memory controller: the cgroup v2 lane runs it"
	delegate
	local rel=${DELEG#/sys/fs/cgroup}
	# A NAME refused once the base is found: the base made on the way
	# goes again.
	run -125 in_login cx-cgroup create ../x
	assert_output "cx-cgroup: invalid NAME '../x': it has a '.' or '..' component"
	assert [ ! -e "$DELEG/cx" ]
	run -125 in_login cx-cgroup run --rm a/./b /bin/true
	assert_output "cx-cgroup: invalid NAME 'a/./b': it has a '.' or '..' component"
	assert [ ! -e "$DELEG/cx" ]
	run -0 --separate-stderr in_login cx-cgroup run --rm --memory 50M --pids 20 demo \
		/bin/sh -c "cat /proc/self/cgroup $DELEG/cx/demo/memory.max $DELEG/cx/demo/pids.max"
	assert_line --index 0 "0::$rel/cx/demo"
	assert_line --index 1 52428800
	assert_line --index 2 20
	assert [ ! -e "$DELEG/cx/demo" ]
	# The OOM report, from the delegated cgroup's own counters.
	run -137 --separate-stderr in_login cx-cgroup run --rm --memory 30M --memory-swap 0 \
		hog "$CX_BUILD/tests/helper-hog"
	assert_equal "$stderr" "cx-cgroup: hog: killed by the OOM killer at the memory limit of 30M"
	assert [ ! -e "$DELEG/cx/hog" ]
	# create, then remove: the directory is the user's.
	run -0 in_login cx-cgroup create kept --pids 5
	assert_equal "$(stat -c %u "$DELEG/cx/kept")" "$RL_UID"
	assert_equal "$(cat "$DELEG/cx/kept/pids.max")" 5
	run -0 in_login cx-cgroup rm kept
	assert [ ! -e "$DELEG/cx/kept" ]
	undelegate
}

@test "rootless: a login outside the delegated subtree is told how to get in" {
	[ -e /sys/fs/cgroup/cgroup.controllers ] ||
		skip "needs a cgroup v2 host: the cgroup v2 lane runs it"
	delegate
	# The user's process stays in this test's cgroup, which is root's.
	run -125 as_user cx-cgroup create x
	assert_line --index 0 --partial "no cgroup was delegated to this user: its own, /sys/fs/cgroup"
	assert_line --index 0 --partial "systemd-run --user --scope"
	assert [ ! -e "$DELEG/cx" ]
	undelegate
}

# --- examples/container.sh -------------------------------------------------

CONTAINER="$BATS_TEST_DIRNAME/../examples/container.sh"

made_rootfses() { find /tmp -maxdepth 1 -name 'cx-rootfs.*' | sort; }

# The look-around's facts, from inside, as the kernel gives them.
LOOK='cat /proc/self/uid_map /proc/self/gid_map
	grep -E "^(CapEff|NoNewPrivs)" /proc/self/status
	cat /sys/fs/cgroup/memory.max 2>/dev/null || echo "no cgroup"
	cut -d" " -f2,3 /proc/self/mounts | grep -E "^/(|proc|dev/pts) "
	touch /layer && stat -c "layer %u" /layer'

@test "rootless: examples/container.sh as an ordinary user, and nothing left behind" {
	require_static_tools
	mkdir "$TMP/share"
	local before
	before=$(made_rootfses)
	run -0 --separate-stderr as_user "$CONTAINER" --build "$CX_BUILD" \
		--share "$TMP/share" /bin/sh -c "$LOOK"
	assert_line --index 0 --regexp "^ *0 +$RL_UID +1\$"
	assert_line --index 1 --regexp "^ *1 +$((RL_FIRST + 1)) +$((RL_COUNT - 1))\$"
	assert_line --index 2 --regexp "^ *0 +$RL_GID +1\$"
	assert_line "CapEff:	00000000a80425fb"
	assert_line "NoNewPrivs:	1"
	assert_line "/ overlay"
	assert_line "/proc proc"
	assert_line "/dev/pts devpts"
	assert_line "layer 0"
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then :; else
		assert_line "no cgroup"
		assert_equal "$stderr" "container.sh: no cgroup: none was delegated to this user (see cx-cgroup(1))"
	fi
	# The image it made for the user, gone; no mount left.
	assert_equal "$(made_rootfses)" "$before"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "rootless: examples/container.sh in a delegated cgroup v2 subtree has its limits" {
	require_static_tools
	[ -e /sys/fs/cgroup/cgroup.controllers ] ||
		skip "needs a cgroup v2 host: the cgroup v2 lane runs it"
	mkdir "$TMP/share"
	delegate
	run -0 --separate-stderr in_login "$CONTAINER" --build "$CX_BUILD" \
		--share "$TMP/share" /bin/sh -c "$LOOK; cat /sys/fs/cgroup/pids.max; cat /proc/self/cgroup"
	assert_line 104857600
	assert_line 64
	assert_line "0::/"
	assert_equal "$stderr" ""
	# The cgroup went with the container.
	assert [ -z "$(find "$DELEG" -mindepth 1 -type d -name 'cx-demo-*')" ]
	undelegate
}

# --- what root of a user namespace may not do, and the line that says why --

@test "rootless: cx-bind in a user namespace: locked mounts are bound with what is on them, never unmounted, and the line says why" {
	as_user mkdir "$RUN/t1" "$RUN/t2"
	# /dev has /dev/pts and /dev/shm on it, here and in the guest.
	run -125 as_user cx-unshare -r --mount cx-bind -b "/dev:$RUN/t1" true
	assert_output "cx-bind: mount /dev on $RUN/t1: Invalid argument: in a user namespace, a mount with mounts on it that came from a more privileged namespace is bound only together with them, which it would otherwise uncover (add rec)"
	# With rec the mounts on it come along, as root of the namespace
	# may bind them.
	run -0 as_user cx-unshare -r --mount cx-bind -b "/dev:$RUN/t2:rec" \
		/bin/sh -c "grep ' $RUN/t2' /proc/self/mountinfo"
	assert_line --regexp " $RUN/t2 .* - devtmpfs "
	assert_line --regexp " $RUN/t2/pts .* - devpts "
	run -125 as_user cx-unshare -r --mount cx-bind -u /proc true
	assert_output "cx-bind: unmount /proc: Invalid argument: it came into this user namespace's mount namespace from a more privileged one, and the kernel keeps it there, locked over what it covers"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "rootless: cx-caps in a user namespace: keeps, drops and sets file capabilities of its own, and says why an id change is refused" {
	cp "$CX_BUILD/tests/helper-bind80" "$RUN/srv"
	chown "$RL_USER:" "$RUN/srv"
	run -0 as_user cx-unshare -r cx-caps --keep chown,setuid --no-new-privs \
		/bin/sh -c 'grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status'
	assert_line "CapEff:	0000000000000081"
	assert_line "CapBnd:	0000000000000081"
	assert_line "NoNewPrivs:	1"
	# A file capability set in the namespace is a v3 one, which holds
	# the namespace's root: the host's kernel honours it for that
	# namespace only.
	run -0 as_user cx-unshare -r cx-caps file set cap_net_bind_service+ep "$RUN/srv"
	assert_equal "$(getcap -n "$RUN/srv")" "$RUN/srv cap_net_bind_service=ep [rootid=$RL_UID]"
	# -r denies setgroups.
	run -125 as_user cx-unshare -r cx-caps --user 0:0 true
	assert_output "cx-caps: setgroups: Operation not permitted: this user namespace denies it (its setgroups file says deny, as cx-unshare --map-root-user leaves it; a group map written by newgidmap, such as --map-auto's, allows it)"
	# With --map-auto, ids in the range work and the others are named.
	run -0 as_user cx-unshare -r --map-auto cx-caps --user 1000:1000 /bin/sh -c 'id -u; id -g'
	assert_output "1000
1000"
	run -125 as_user cx-unshare -r --map-auto cx-caps --user 70000:70000 true
	assert_output "cx-caps: setgroups: Invalid argument: a group of the list is not mapped in this user namespace (/proc/self/gid_map): the kernel takes only the ids it maps"
	run -125 as_user cx-unshare -r --map-auto cx-caps --groups 0 --user 70000:0 true
	assert_output "cx-caps: setresuid 70000: Invalid argument: uid 70000 is not mapped in this user namespace (/proc/self/uid_map): the kernel takes only the ids it maps"
}

@test "rootless: a namespace refused to an ordinary user says what is missing" {
	# No user namespace asked for: the kernel wants CAP_SYS_ADMIN.
	run -125 as_user cx-unshare --mount --uts true
	assert_output "cx-unshare: unshare: Operation not permitted: without root, namespaces are made inside a user namespace of one's own: add --map-root-user (-r) or --user"
	# User namespaces turned off, in a user namespace of this test's
	# own (the sysctl counts per namespace): ENOSPC, and the sysctl named.
	run -125 unshare --user --map-root-user /bin/sh -c \
		"echo 0 >/proc/sys/user/max_user_namespaces && exec $CX_BUILD/cx-unshare --user true"
	assert_output --regexp "^cx-unshare: unshare: No space left on device: user namespaces are turned off here \(sysctl user.max_user_namespaces=0\)\$"
	# A limit of 1 in a namespace above: the second one below it is one
	# too many, though its own namespace's sysctl says nothing.
	run -125 unshare --user --map-root-user /bin/sh -c \
		"echo 1 >/proc/sys/user/max_user_namespaces && exec $CX_BUILD/cx-unshare --user $CX_BUILD/cx-unshare --user true"
	assert_output "cx-unshare: unshare: No space left on device: a limit of namespaces is reached: sysctl user.max_user_namespaces (or the max_*_namespaces of another kind asked for), here or in a user namespace above this one (each counts those made below it), or 32 nested in one another"
}
