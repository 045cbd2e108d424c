#!/bin/sh
# Run the cmocka unit tests in TAP form and count them.
# Usage: run-unit.sh TEST-BINARY...
pass=0 fail=0
for t in "$@"; do
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $t exited $rc"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f))
done
echo "${CX_SUITE:-unit}: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
