#!/bin/sh
# make check: every suite, then one closing line over all of them.
# Usage: check.sh MAKE [MAKE-ARGS...]
# The suites: C unit tests, the man page lint, the module lint (which
# tools each common/ module ends up in), the bats scenarios on this
# host, again with the tools built against glibc (LIBC=glibc), a short
# run of every fuzz target, and the unit tests and scenarios again under
# ASan and UBSan; meanwhile, the same scenarios in
# guests that run Debian 12's kernel with cgroup v2 only (the longest
# suite, and one that touches nothing of the host's: it runs beside the
# others, and its log follows theirs).  Each ends with "NAME: N passed,
# N failed".
set -u
suites="unit lint-man lint-modules bats glibc-bats fuzz-short sanitize-unit sanitize-bats"
state=$(mktemp -d)
log=$state/log
lanes=
# A lane is make, then the lane's script, then timeout and qemu (in a
# process group of timeout's own): killing make alone would leave the
# guest running.  The whole tree is stopped first, from the top, so
# that nothing in it starts a process the kill would miss; then all of
# it gets TERM, and goes on to take it.
stop_tree() {
	kill -STOP "$1" 2>/dev/null || return
	echo "$1"
	for child in $(pgrep -P "$1"); do stop_tree "$child"; done
}
cleanup() {
	tree=
	for lane in $lanes; do tree="$tree $(stop_tree "$lane")"; done
	for pid in $tree; do kill -TERM "$pid" 2>/dev/null; done
	for pid in $tree; do kill -CONT "$pid" 2>/dev/null; done
	# The lanes write into $state until they end.
	[ -n "$lanes" ] && wait $lanes 2>/dev/null
	rm -rf "$state"
}
trap cleanup EXIT
# Signalled, the shell exits (once the suite in the foreground ends)
# through the EXIT trap, which the signal alone would skip.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
summary='^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed'

# What the host has before: mounts (a kept namespace file is an nsfs
# mount), cgroups of ours, the directories in /tmp, and the OCI
# runtimes' default state directories (podman runs them without --root).
mounts() { cut -d' ' -f4- /proc/self/mountinfo | sort; }
cgroups() {
	find /sys/fs/cgroup -mindepth 1 -type d -name 'cx*' 2>/dev/null | sort
}
tmpdirs() {
	find /tmp -mindepth 1 -maxdepth 1 -type d ! -path "$state" 2>/dev/null | sort
}
ociroots() {
	for d in /run/runc /run/crun /run/cx-oci; do
		if [ -e "$d" ]; then echo "$d"; fi
	done
}
for what in mounts cgroups tmpdirs ociroots; do
	$what >"$state/$what.before"
done

# What the guests run is built first, so that no two makes build the
# same files at once.
"$@" --no-print-directory -s all rootfs helpers

# The cgroup v2 lane as two guests, each with about half of the bats
# files (by size, the largest first to the lighter half).  bats runs one
# test at a time, so one guest keeps about one core busy: two keep both,
# once the host's suites are done.
half_a= half_b= size_a=0 size_b=0
for entry in $(wc -c bats/*.bats | sort -rn | awk '$2 != "total" { print $1 ":" $2 }'); do
	size=${entry%%:*} f=${entry#*:}
	if [ "$size_a" -le "$size_b" ]; then
		half_a="$half_a $f" size_a=$((size_a + size))
	else
		half_b="$half_b $f" size_b=$((size_b + size))
	fi
done
for half in a b; do
	if [ "$half" = a ]; then files=$half_a; else files=$half_b; fi
	CGROUP_V2_TAG=cgroup-v2-$half \
		"$@" --no-print-directory -s check-cgroup-v2 \
		CGROUP_V2_BATS="$(printf '%s\n' $files | sort | tr '\n' ' ')" \
		>"$state/lane-$half" 2>&1 &
	lanes="$lanes $!"
done

expected=0
for suite in $suites; do
	expected=$((expected + 1))
	# POSIX sh has no pipefail: each suite's summary line decides.
	"$@" --no-print-directory -s "$suite" 2>&1 | tee -a "$log"
done

echo "check: waiting for the cgroup v2 lanes (Debian 12's kernel under qemu)"
expected=$((expected + 2))
wait $lanes
lanes=
cat "$state/lane-a" "$state/lane-b" | tee -a "$log"

# After every suite: nothing more than before, or the run fails.
expected=$((expected + 1))
for what in mounts cgroups tmpdirs ociroots; do
	$what >"$state/$what.after"
	if diff -u "$state/$what.before" "$state/$what.after" >"$state/diff"; then
		echo "ok - no $what left behind by make check"
	else
		cat "$state/diff"
		echo "not ok - make check left $what behind (diff above)"
	fi
done | tee -a "$log"
left=$(grep -c '^not ok - make check left' "$log")
echo "leftovers: $((4 - left)) passed, $left failed" | tee -a "$log"
pass=0 fail=0 skip=0
for line in $(grep -E "$summary" "$log" |
	      sed -E 's/^[a-z0-9-]+: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1:\2:\4/'); do
	p=${line%%:*} rest=${line#*:}
	f=${rest%%:*} s=${rest#*:}
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + ${s:-0}))
done
reported=$(grep -cE "$summary" "$log")
if [ "$reported" -ne "$expected" ]; then
	echo "check: only $reported of $expected suites reported"
	fail=$((fail + expected - reported))
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
