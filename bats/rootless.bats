#!/usr/bin/env bats
# The container as an ordinary user: a user made for these tests, with
# a range of subordinate ids in /etc/subuid and /etc/subgid (shadow's
# newuidmap and newgidmap, Debian's uidmap package, write the maps that
# need them).  Each scenario runs the tools as that user and asserts
# what the kernel holds: uid_map and gid_map, /proc/PID/status,
# mountinfo, the owner of a file on the host.

bats_require_minimum_version 1.5.0

load helpers

RL_USER=cxrootless
RL_FIRST=420000
RL_COUNT=65536

# The user, made once for the file and removed after, with nothing of
# an earlier run's left behind.
setup_file() {
	command -v newuidmap >/dev/null || {
		echo "newuidmap is missing: apt-get install uidmap" >&2
		return 1
	}
	drop_user
	useradd --no-create-home --home-dir / --shell /bin/sh \
		-K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$RL_USER"
	usermod --add-subuids "$RL_FIRST-$((RL_FIRST + RL_COUNT - 1))" \
		--add-subgids "$RL_FIRST-$((RL_FIRST + RL_COUNT - 1))" "$RL_USER"
}

teardown_file() {
	drop_user
}

drop_user() {
	if id "$RL_USER" >/dev/null 2>&1; then
		usermod --del-subuids "$RL_FIRST-$((RL_FIRST + RL_COUNT - 1))" \
			--del-subgids "$RL_FIRST-$((RL_FIRST + RL_COUNT - 1))" \
			"$RL_USER" 2>/dev/null || true
		userdel "$RL_USER"
	fi
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
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
}

# Run the rest as the user, with no capability and no group of root's.
as_user() {
	setpriv --reuid "$RL_USER" --regid "$RL_USER" --init-groups \
		--inh-caps=-all env HOME=/ "$@"
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

@test "rootless: the documented order, proc after the pivot, says what the kernel requires" {
	run -125 as_user cx-unshare -r --pid --mount --fork \
		cx-chroot --pivot "$ROOTFS" cx-unshare --mount-proc /bin/true
	assert_line --index 0 "cx-unshare: fsmount proc for /proc: Operation not permitted: in a user namespace the kernel mounts a new proc only while another one is mounted, whole, in the same mount namespace, and none is (a pivot detached the last): mount it before the pivot, as in cx-unshare --mount-proc=ROOTFS/proc ... cx-chroot --pivot ROOTFS"
	assert_equal "$(mounts_below_tmp)" 0
}

# The whole container as the user, proc mounted before the pivot.
rootless_chain() {
	as_user cx-unshare -r --map-auto --pid --mount --uts --ipc --net --init \
		--hostname rootless \
		cx-overlay mount --lower "$ROOTFS" --tmpfs "$ROOTFS" \
		cx-bind --mkdir --root "$ROOTFS" -b "$TMP/share:/mnt/share:ro" \
		-b /dev/null:/dev/null:dev -b /dev/zero:/dev/zero:dev \
		cx-unshare --mount-proc="$ROOTFS/proc" \
		cx-chroot --pivot "$ROOTFS" \
		cx-unshare --mount-devpts \
		cx-caps --keep chown,dac_override,fowner,setuid,setgid,sys_chroot --no-new-privs \
		"$@"
}

@test "rootless: the whole chain as an ordinary user; the kernel's view of it" {
	mkdir "$TMP/share"
	echo host > "$TMP/share/file"
	rootless_chain /bin/sh -c 'echo $$ > /tmp/inner; exec sleep 100' &
	BG_PIDS=$!
	local i pid=""
	for i in $(seq 100); do
		pid=$(pgrep -u "$RL_UID" -x sleep 2>/dev/null || true)
		[ -n "$pid" ] && break
		sleep 0.1
	done
	[ -n "$pid" ]
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
