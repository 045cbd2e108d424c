#!/bin/sh
# Run the bats scenarios (as root) and count them.  Afterwards the host
# must have no mount, cgroup, namespace file or temporary directory more
# than before the run: that is one more test each.
# Needs CX_BUILD and CX_ROOTFS in the environment; BATS_FILES may name
# the files to run (default: every bats/*.bats).
set -u
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
# Mount points and sources (nsfs binds of namespace files included).
mounts() { cut -d' ' -f4- /proc/self/mountinfo | sort; }
cgroups() {
	find /sys/fs/cgroup -mindepth 1 -type d -name 'cx*' 2>/dev/null | sort
}
tmpdirs() { find /tmp -maxdepth 1 -name 'cx-bats.*' 2>/dev/null | sort; }
mounts >"$state/mounts.before"
cgroups >"$state/cgroups.before"
tmpdirs >"$state/tmpdirs.before"
# shellcheck disable=SC2086
bats --tap ${BATS_FILES:-bats/*.bats} | tee "$state/tap"
pass=$(grep -c '^ok ' "$state/tap")
skip=$(grep -c '^ok .* # skip' "$state/tap")
fail=$(grep -c '^not ok ' "$state/tap")
pass=$((pass - skip))
check() {
	what=$1
	$what >"$state/$what.after"
	if diff -u "$state/$what.before" "$state/$what.after"; then
		echo "ok - no $what left behind by the run"
		pass=$((pass + 1))
	else
		echo "not ok - the run left $what behind (diff above)"
		fail=$((fail + 1))
	fi
}
check mounts
check cgroups
check tmpdirs
echo "${CX_SUITE:-bats}: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
