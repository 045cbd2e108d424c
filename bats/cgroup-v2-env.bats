#!/usr/bin/env bats
# The cgroup v2 lane's guest is what it claims: cgroup2 only, with the
# memory controller, and no cgroup v1 hierarchy.  Run by
# tests/cgroup-v2-lane.sh, which sets CX_CGROUP_V2_LANE=1; elsewhere the
# host is whatever it is, and these tests skip.

load helpers

setup() {
	[ "${CX_CGROUP_V2_LANE:-}" = 1 ] || skip "not a cgroup v2 guest"
	CG=/sys/fs/cgroup/cx-lane-env.$$
}

teardown() {
	if [ -n "${CG:-}" ] && [ -d "$CG" ]; then rmdir "$CG"; fi
}

@test "cgroup2 is mounted at /sys/fs/cgroup" {
	run -0 awk '$5 == "/sys/fs/cgroup" { print $(NF - 2) }' /proc/self/mountinfo
	assert_output cgroup2
}

@test "no cgroup v1 hierarchy is mounted" {
	run -1 awk '$(NF - 2) == "cgroup" { print; found = 1 } END { exit !found }' /proc/self/mountinfo
	assert_output ''
}

@test "the kernel has no v1 controller to offer" {
	# cgroup_no_v1=all: every controller is bound to the v2 hierarchy,
	# and a v1 mount of one fails.
	run -0 awk 'NR > 1 && $2 != 0 { print $1 }' /proc/cgroups
	assert_output ''
	mkdir "$BATS_TEST_TMPDIR/v1"
	run -32 mount -t cgroup -o memory none "$BATS_TEST_TMPDIR/v1"
	run -0 awk -v m="$BATS_TEST_TMPDIR/v1" '$5 == m' /proc/self/mountinfo
	assert_output ''
}

@test "the root offers memory, cpu, io and pids, enabled for its children" {
	local c
	for c in memory cpu io pids; do
		run -0 grep -qw "$c" /sys/fs/cgroup/cgroup.controllers
		run -0 grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control
	done
}

@test "a child cgroup gets memory.max and memory.swap.max" {
	mkdir "$CG"
	run -0 cat "$CG/memory.max"
	assert_output max
	run -0 cat "$CG/memory.swap.max"
	assert_output max
	echo 100M >"$CG/memory.max"
	run -0 cat "$CG/memory.max"
	assert_output 104857600
	rmdir "$CG"
	run -1 test -d "$CG"
}

@test "the job runs at the root of its mount namespace, not chrooted: user namespaces work" {
	# The kernel refuses CLONE_NEWUSER to a chrooted process (EPERM); the
	# lane moves its root over / instead, as switch_root does.
	run -0 unshare --user --map-root-user id -u
	assert_output 0
	run -0 awk '$5 == "/" { print $(NF - 2) }' /proc/self/mountinfo
	assert_output overlay
}
