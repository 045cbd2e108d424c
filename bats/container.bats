#!/usr/bin/env bats
# The whole container of examples/container.sh: every step checked from
# inside (what the kernel shows the command) and from outside (nothing
# left behind).

load helpers

CONTAINER="$BATS_TEST_DIRNAME/../examples/container.sh"

# The cx bases there were before a test: a test's cx-cgroup create makes
# one, which its rm leaves (run --rm takes back its own).
cx_bases() {
	local d
	for d in /sys/fs/cgroup/cx /sys/fs/cgroup/*/cx; do
		[ -d "$d" ] && echo "$d"
	done
	return 0
}

setup() {
	BASES_BEFORE=$(cx_bases)
	TMP=$(mktemp -d /tmp/cx-bats.XXXXXX)
	mkdir "$TMP/share"
	echo shared >"$TMP/share/file"
}

container() {
	"$CONTAINER" --build "$CX_BUILD" --rootfs "$CX_ROOTFS" --share "$TMP/share" "$@"
}

layers() { find /tmp -maxdepth 1 -name 'cx-layer.*' | sort; }
cx_cgroups() { find /sys/fs/cgroup -mindepth 1 -type d -name 'cx-demo-*' | sort; }

@test "the container: namespaces, init, cgroup, overlay, binds, /dev, pivot, capabilities" {
	require_static_tools
	before_layers=$(layers)
	run -0 container /bin/sh -c '
		echo "pid1=$(cat /proc/1/comm)"
		echo "me=$$"
		echo "host=$(hostname)"
		echo "net=$(ls /sys/class/net 2>/dev/null; cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " | tr "\n" " ")"
		grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)" /proc/self/status
		echo "limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory.limit_in_bytes)"
		echo "cgroup=$(cut -d: -f3 /proc/self/cgroup | sort -u | tr "\n" " ")"
		cat /mnt/share/file
		(echo x >/mnt/share/file) 2>&1 | sed "s/^.*: /share: /"
		echo data >/dev/null && echo "devnull=ok"
		head -c 4 /dev/zero | od -An -tx1 | tr -d " \n"; echo
		echo "pts=$(ls /dev/pts)"
		echo new >/newfile && echo "layer=rw"
		ls /proc/self/fd | tr "\n" " "; echo
		grep -c " / " /proc/self/mountinfo'
	assert_line "pid1=cx-unshare"
	assert_line "me=2"
	assert_line "host=cx-container"
	assert_line --regexp '^net=lo $'
	# Docker's default set, nothing inheritable or ambient, no_new_privs.
	assert_line --regexp $'^CapInh:\t0000000000000000$'
	assert_line --regexp $'^CapAmb:\t0000000000000000$'
	assert_line --regexp $'^CapEff:\t00000000a80425fb$'
	assert_line --regexp $'^CapBnd:\t00000000a80425fb$'
	assert_line --regexp $'^NoNewPrivs:\t1$'
	assert_line "limit=104857600"
	assert_line "cgroup=/ "
	assert_line shared
	assert_line "share: Read-only file system"
	assert_line "devnull=ok"
	assert_line 00000000
	assert_line "pts=ptmx"
	assert_line "layer=rw"
	# Only 0, 1, 2 and ls's own directory reach the command.
	assert_line "0 1 2 3 "
	# Afterwards: no layer, no cgroup, no mount, the share untouched.
	assert_equal "$(layers)" "$before_layers"
	assert_equal "$(cx_cgroups)" ""
	assert_equal "$(mounts_below_tmp)" 0
	assert_equal "$(cat "$TMP/share/file")" shared
	# The layer was a tmpfs of the container's: the image is as it was.
	assert [ ! -e "$CX_ROOTFS/newfile" ]
	assert [ ! -e "$CX_ROOTFS/mnt/share" ]
}

@test "the container's status is the command's; --keep shows the layer's changes" {
	require_static_tools
	run -7 container /bin/sh -c 'exit 7'
	run -0 container --keep /bin/sh -c 'echo hi >/root/new; rm /etc/hostname'
	assert_line "A /root/new"
	assert_line "D /etc/hostname"
	kept=$(sed -n 's/^== the container layer, \(.*\)\/upper:$/\1/p' <<<"$output")
	assert [ -d "$kept/upper" ]
	rm -rf "$kept"
	assert_equal "$(cx_cgroups)" ""
}

# The parent cgroup of the --parent test, removed whatever the test did.
PARENT_CG="bats-parent-$BATS_ROOT_PID"
eval "helpers_$(declare -f teardown)"
teardown() {
	local base
	cx-cgroup rm --kill --recursive "$PARENT_CG" >/dev/null 2>&1 || true
	for base in $(cx_bases); do
		grep -qxF "$base" <<<"$BASES_BEFORE" || rmdir "$base" 2>/dev/null
	done
	helpers_teardown
}

@test "--parent CGROUP: the container's cgroup is made below it, its limit read inside, and only it goes" {
	require_static_tools
	local p=$PARENT_CG top=/sys/fs/cgroup/memory found=
	[ -e /sys/fs/cgroup/cgroup.controllers ] && top=/sys/fs/cgroup
	run -0 cx-cgroup create --controllers memory,pids "$p"
	# cgroup v2 gives controllers to children only where the parent
	# says so, and cx-cgroup leaves alone a parent it is not making.
	[ "$top" = /sys/fs/cgroup ] &&
		echo "+memory +pids" >"$top/cx/$p/cgroup.subtree_control"
	container --parent "cx/$p" /bin/sh -c '
		cat /sys/fs/cgroup/memory.max 2>/dev/null ||
			cat /sys/fs/cgroup/memory.limit_in_bytes
		sleep 2' >"$TMP/out" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	local i
	for i in $(seq 50); do
		found=$(find "$top/cx/$p" -mindepth 1 -maxdepth 1 -name 'cx-demo-*' -type d)
		[ -n "$found" ] && break
		sleep 0.1
	done
	[ -n "$found" ] || fail "no cx-demo-* below $top/cx/$p: $(cat "$TMP/out")"
	assert_equal "$(cat "$found/memory.max" 2>/dev/null || cat "$found/memory.limit_in_bytes")" 104857600
	wait
	assert_equal "$(cat "$TMP/out")" 104857600
	# The container's cgroup went; the parent, not the container's, stays.
	assert_equal "$(find "$top/cx/$p" -mindepth 1 -type d)" ""
	run -0 cx-cgroup rm "$p"
	assert_equal "$(cx_cgroups)" ""
}
