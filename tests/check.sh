#!/bin/sh
# make check: every suite, then one closing line over all of them.
# Usage: check.sh MAKE [MAKE-ARGS...]
set -u
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
for suite in unit lint-man bats; do
	# POSIX sh has no pipefail: each suite's summary line decides.
	"$@" --no-print-directory -s "$suite" 2>&1 | tee -a "$log"
done
pass=0 fail=0 skip=0
for line in $(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$log" |
	      sed -E 's/^[a-z-]+: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1:\2:\4/'); do
	p=${line%%:*} rest=${line#*:}
	f=${rest%%:*} s=${rest#*:}
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + ${s:-0}))
done
suites=$(grep -cE '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$log")
[ "$suites" -eq 3 ] || { echo "check: only $suites of 3 suites reported"; status=1; fail=$((fail + 3 - suites)); }
[ "$fail" -eq 0 ] || status=1
echo "$pass passed, $fail failed, $skip skipped"
exit "$status"
