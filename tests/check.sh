#!/bin/sh
# make check: every suite, then one closing line over all of them.
# Usage: check.sh MAKE [MAKE-ARGS...]
# The suites: C unit tests, the man page lint, the bats scenarios on
# this host, the same cgroup scenarios in a cgroup v2 guest, and a short
# run of every fuzz target.  Each ends with "NAME: N passed, N failed".
set -u
suites="unit lint-man bats check-cgroup-v2 fuzz-short"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
summary='^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed'
expected=0
for suite in $suites; do
	expected=$((expected + 1))
	# POSIX sh has no pipefail: each suite's summary line decides.
	"$@" --no-print-directory -s "$suite" 2>&1 | tee -a "$log"
done
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
