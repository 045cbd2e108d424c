#!/bin/sh
# Run the bats scenarios (as root) and count them.  The host's mount
# table must be the same after the run as before: that is one more test.
# Needs CX_BUILD and CX_ROOTFS in the environment.
set -u
before=$(mktemp) after=$(mktemp) tap=$(mktemp)
trap 'rm -f "$before" "$after" "$tap"' EXIT
mounts() { cut -d' ' -f4- /proc/self/mountinfo | sort; }
mounts >"$before"
bats --tap bats/*.bats | tee "$tap"
mounts >"$after"
pass=$(grep -c '^ok ' "$tap")
skip=$(grep -c '^ok .* # skip' "$tap")
fail=$(grep -c '^not ok ' "$tap")
pass=$((pass - skip))
if diff -u "$before" "$after"; then
	echo "ok - the host's mount table is as before the run"
	pass=$((pass + 1))
else
	echo "not ok - the host's mount table changed during the run"
	fail=$((fail + 1))
fi
echo "bats: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
