#!/bin/sh
# make fuzz: run each libFuzzer target for a bounded time.
# Usage: run.sh DIR SECONDS NAME...
#   DIR holds the built targets (DIR/fuzz-NAME); each run starts from
#   the seeds in tests/fuzz/corpus-NAME/ (never written to), grows its
#   own corpus in DIR/corpus-NAME/, logs to DIR/NAME.log and leaves any
#   crashing input in DIR/crashes/.  tests/fuzz/NAME.options holds extra
#   libFuzzer flags for one target, one a line; tests/fuzz/NAME.dict a
#   dictionary.
# The last line reads "fuzz: N passed, N failed", as the other suites'.
set -u
dir=$1 secs=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir/crashes"
pass=0 fail=0
for name in "$@"; do
	bin=$dir/$name
	corpus=$dir/corpus-$name
	mkdir -p "$corpus"
	set -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$dir/crashes/$name-"
	[ -f "$src/$name.dict" ] && set -- "$@" -dict="$src/$name.dict"
	if [ -f "$src/$name.options" ]; then
		# shellcheck disable=SC2046
		set -- "$@" $(grep -v '^#' "$src/$name.options")
	fi
	set -- "$@" "$corpus"
	[ -d "$src/corpus-$name" ] && set -- "$@" "$src/corpus-$name"
	before=$(ls "$dir/crashes" | grep -c "^$name-" || true)
	"$bin" "$@" > "$dir/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$name.log" | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+' "$dir/$name.log" | tail -n 1)
	after=$(ls "$dir/crashes" | grep -c "^$name-" || true)
	if [ "$rc" = 0 ] && [ "$after" = "$before" ]; then
		pass=$((pass + 1))
		echo "ok   $name: ${runs:-?} runs in ${secs}s, ${cov:-cov: ?} edges, $(ls "$corpus" | wc -l) inputs in its corpus"
	else
		fail=$((fail + 1))
		echo "FAIL $name: exit $rc, see $dir/$name.log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*contract broken)' "$dir/$name.log" | head -n 5 | sed 's/^/     /'
		for c in $(ls -t "$dir/crashes" | grep "^$name-" | head -n 1); do
			echo "     input: $dir/crashes/$c"
			od -c "$dir/crashes/$c" | head -n 8 | sed 's/^/       /'
		done
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
