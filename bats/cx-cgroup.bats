#!/usr/bin/env bats
# cx-cgroup against the real kernel, on whatever layout the host has: the
# same file runs on this hybrid host (v1 controllers, a cgroup2 without
# them) and in the cgroup v2 lane's guest (cgroup_no_v1=all).  Each
# assertion about a file is made per backend: the helpers below read the
# layout from /proc/self/mountinfo, as the tool does, and say where a
# controller's files are.
#
# Every cgroup a test makes is below cx/bats-PID (the base, then this
# run's own folder), so that two runs never meet.  teardown notes a test
# that left something there and cleans it up; the last test fails if
# any did.  The base itself goes at the end if this run made it.

bats_require_minimum_version 1.5.0

load helpers

# The helpers' teardown (background processes, $TMP), under a new name:
# ours runs it after the cgroup check.
eval "helpers_$(declare -f teardown)"

HOG="$CX_BUILD/tests/helper-hog"
NOCLONE3="$CX_BUILD/tests/helper-noclone3"

# --- the layout, as the tests see it -----------------------------------

# The layout is read once, in setup_file, into these variables: the
# tests fork a lot, and forks are slow in the lane's emulated guest.
#   CG_V2        the cgroup2 mount point, or empty
#   CG_MOUNTS    every hierarchy cx-cgroup uses: cgroup2, and each v1
#                one with a controller (a named one such as
#                name=systemd has none), one per line
#   CG_V1_<ctl>  the v1 mount point of a controller, or empty
read_layout() {
	eval "$(awk '{
		for (i = 7; $i != "-"; i++) ;
		if ($(i + 1) == "cgroup2" && !v2) { v2 = $5; all = all $5 "\n" }
		if ($(i + 1) != "cgroup") next;
		n = split($(i + 3), o, ",");
		named = 1;
		for (j = 1; j <= n; j++) {
			if (o[j] ~ /^(rw|ro|name=.*|xattr|noprefix|clone_children|release_agent=.*|cpuset_v2_mode|none)$/) continue;
			named = 0;
			print "export CG_V1_" o[j] "=\"" $5 "\"";
		}
		if (!named) all = all $5 "\n";
	} END {
		print "export CG_V2=\"" v2 "\"";
		printf "export CG_MOUNTS=\"%s\"\n", all;
	}' /proc/self/mountinfo)"
	CG_MOUNTS=$(printf '%b' "$CG_MOUNTS" | sort -u)
	export CG_MOUNTS
	export CG_LAYOUT_READ=1
}

cg_v2_mount() {
	echo "$CG_V2"
}

# The mount point of the v1 hierarchy that has controller $1.
cg_v1_mount() {
	local v="CG_V1_$1"
	echo "${!v:-}"
}

cg_mounts() {
	echo "$CG_MOUNTS"
}

# cg_backend CTL [V1CTL]: v2, v1 or none: where CTL's files are.
cg_backend() {
	local v2=$CG_V2
	if [ -n "$v2" ] && [[ " $(<"$v2/cgroup.controllers") " == *" $1 "* ]]; then
		echo v2
	elif [ -n "$(cg_v1_mount "${2:-$1}")" ]; then
		echo v1
	else
		echo none
	fi
}

# cg_dir CTL NAME [V1CTL]: NAME's directory in CTL's hierarchy.
cg_dir() {
	case $(cg_backend "$1" "${3:-$1}") in
	v2) echo "$(cg_v2_mount)/cx/$2" ;;
	v1) echo "$(cg_v1_mount "${3:-$1}")/cx/$2" ;;
	*) return 1 ;;
	esac
}

# NAME is in no hierarchy.
cg_gone() {
	local m
	for m in $(cg_mounts); do
		[ ! -e "$m/cx/$1" ] || fail "$m/cx/$1 is still there"
	done
}

# NAME is in every hierarchy.
cg_everywhere() {
	local m
	for m in $(cg_mounts); do
		[ -d "$m/cx/$1" ] || fail "$m/cx/$1 is missing"
	done
}

# The hierarchies that have the base, on one line.
base_state() {
	local m
	for m in $(cg_mounts); do
		[ -d "$m/cx" ] && printf '%s ' "$m"
	done
	echo
}

# Skip unless CTL can be used: a v1 hierarchy, or cgroup2 with CTL
# enabled for the root's children (systemd does that on a v2 host, the
# lane's guest as well).
require_ctl() {
	local v2
	case $(cg_backend "$@") in
	none) skip "this host has no $1 controller" ;;
	v2)
		v2=$(cg_v2_mount)
		grep -qw -- "$1" "$v2/cgroup.subtree_control" ||
			skip "$1 is not enabled in $v2/cgroup.subtree_control: echo +$1 there first"
		;;
	esac
}

# The value after KEY in cx-cgroup stat's text output.
stat_value() {
	awk -v k="$1" '$1 == k { print $2 }' <<<"$2"
}

# The PID of NAME's payload, once it is in NAME in every hierarchy (up
# to 20 s: a loaded machine, or the lane's emulated guest, is slow).
wait_payload() {
	local procs i pid
	procs="$(cg_mounts | head -n 1)/cx/$1/cgroup.procs"
	for i in $(seq 200); do
		# NAME may not be made yet: a missing file is "not yet", not
		# a failure of the test (bats runs it under set -e).
		pid=$(head -n 1 "$procs" 2>/dev/null || true)
		if [ -n "$pid" ] && [ "$(grep -c ":/cx/$1\$" "/proc/$pid/cgroup" 2>/dev/null)" = "$(cg_mounts | wc -l)" ]; then
			echo "$pid"
			return 0
		fi
		sleep 0.1
	done
	fail "no payload in every hierarchy's $1 after 20 s: $(cat "$procs" 2>&1)"
}

# PID is dead: gone from /proc within 10 s.  A zombie that its new
# parent has not reaped by then is dead as well, and says so.
wait_dead() {
	local i state
	for i in $(seq 100); do
		[ -e "/proc/$1" ] || return 0
		sleep 0.1
	done
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -z "$state" ] || [ "$state" = Z ] ||
		fail "process $1 is still alive (state $state): $(tr '\0' ' ' <"/proc/$1/cmdline")"
}

# Kill what is in DIR and below, then remove the cgroups, deepest first.
cg_clean_tree() {
	local i f
	for i in $(seq 100); do
		cat $(find "$1" -name cgroup.procs) 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		[ -z "$(cat $(find "$1" -name cgroup.procs) 2>/dev/null)" ] && break
		sleep 0.05
	done
	find "$1" -depth -type d -exec rmdir {} + 2>/dev/null
	return 0
}

setup_file() {
	export R="bats-$BATS_ROOT_PID"
	read_layout
	base_state >"$BATS_FILE_TMPDIR/base-before"
	: >"$BATS_FILE_TMPDIR/leftovers"
}

teardown() {
	local m left=
	# The cx base's cpuset as a test found it, when it changed it.
	if [ -n "${CPUSET_BASE:-}" ]; then
		echo "$CPUSET_CPUS" >"$CPUSET_BASE/cpuset.cpus" || true
		echo "$CPUSET_MEMS" >"$CPUSET_BASE/cpuset.mems" || true
	fi
	for m in $(cg_mounts); do
		[ -d "$m/cx/$R" ] || continue
		left="$left $m/cx/$R"
		cg_clean_tree "$m/cx/$R"
	done
	[ -z "$left" ] || echo "$BATS_TEST_DESCRIPTION:$left" >>"$BATS_FILE_TMPDIR/leftovers"
	helpers_teardown
}

teardown_file() {
	local m
	# The base goes only where this run made it, and only when empty.
	for m in $(cg_mounts); do
		case " $(cat "$BATS_FILE_TMPDIR/base-before") " in
		*" $m "*) ;;
		*) [ -d "$m/cx" ] && rmdir "$m/cx" 2>/dev/null ;;
		esac
	done
	return 0
}

# --- the walkthrough ---------------------------------------------------

@test "walkthrough: a hog under --memory 100M --memory-swap 0 dies near 100M, one line says so, the cgroup goes" {
	require_ctl memory
	require_helper "$HOG"
	run -137 --separate-stderr cx-cgroup run --rm --memory 100M \
		--memory-swap 0 "$R/demo" "$HOG"
	assert_equal "$stderr" "cx-cgroup: $R/demo: killed by the OOM killer at the memory limit of 100M"
	# Steps of 10 MB, and the last one short of 110 MB.
	assert_line --index 0 "10 MB"
	local last=${lines[${#lines[@]} - 1]% MB}
	[ "$last" -ge 50 ] && [ "$last" -lt 110 ] ||
		fail "the hog got to $last MB under a 100M limit"
	# --rm took away what the run made: demo, and bats-PID above it.
	cg_gone "$R/demo"
	cg_gone "$R"
}

@test "walkthrough: without a limit the hog runs to its end" {
	require_helper "$HOG"
	run -0 --separate-stderr cx-cgroup run --rm "$R/free" "$HOG" 200
	assert_line --index 19 "200 MB"
	assert_equal "$stderr" ""
	cg_gone "$R"
}

@test "OOM at a parent's limit: a 50M parent over a 100M NAME, the line names the parent, its 50M and its peak" {
	require_ctl memory
	require_helper "$HOG"
	run -0 cx-cgroup create "$R/p" --memory 50M --memory-swap 0
	run -137 --separate-stderr cx-cgroup run --rm --memory 100M \
		--memory-swap 0 "$R/p/c" "$HOG"
	local last=${lines[${#lines[@]} - 1]% MB}
	[ "$last" -lt 60 ] || fail "the hog got to $last MB under a 50M parent"
	assert_regex "$stderr" "^cx-cgroup: $R/p/c: killed by the OOM killer at the memory limit of 50M of /cx/$R/p \(peak [0-9.]+M\)\$"
	# The peak in the line is the parent's, as the kernel has it.
	local dir peak
	dir=$(cg_dir memory "$R/p")
	case $(cg_backend memory) in
	v2)
		assert_equal "$(cat "$dir/memory.max")" 52428800
		run -0 awk '$1 == "oom" { print $2 }' "$dir/memory.events.local"
		[ "$output" -ge 1 ] || fail "no OOM event in $dir: $(cat "$dir/memory.events.local")"
		peak=$(cat "$dir/memory.peak")
		;;
	v1)
		assert_equal "$(cat "$dir/memory.limit_in_bytes")" 52428800
		peak=$(cat "$dir/memory.max_usage_in_bytes")
		;;
	esac
	[ "$peak" -gt $((45 << 20)) ] && [ "$peak" -le $((50 << 20)) ] ||
		fail "the parent's peak is $peak"
	assert_regex "$stderr" "\(peak $(awk -v p="$peak" 'BEGIN {
		v = p / 1048576; r = int(v * 10 + 0.5) / 10;
		if (r == int(r)) printf "%dM", r; else printf "%.1fM", r }')\)\$"
	# The run took back NAME, and left the parent it found.
	cg_gone "$R/p/c"
	cg_everywhere "$R/p"

	# NAME's own limit, under a larger parent's: NAME's, as before.
	run -0 cx-cgroup set "$R/p" --memory 200M
	run -137 --separate-stderr cx-cgroup run --rm --memory 30M \
		--memory-swap 0 "$R/p/c" "$HOG"
	assert_equal "$stderr" "cx-cgroup: $R/p/c: killed by the OOM killer at the memory limit of 30M"
	run -0 cx-cgroup rm -r "$R"
}

# --- limits at work ----------------------------------------------------

@test "a cgroup mount covered by a later mount is not used: a tmpfs over cgroup2 leaves the v1 hierarchies, over all of them none" {
	require_ctl pids
	if [ -d /sys/fs/cgroup/unified ] && [ -d /sys/fs/cgroup/pids ]; then
		# Hybrid: cgroup2 hidden, the process joins pids v1 alone.
		run -0 cx-unshare --mount cx-bind -t tmpfs:/sys/fs/cgroup/unified \
			cx-cgroup run --rm --pids 10 "$R/cov" cat /proc/self/cgroup
		assert_line --regexp "^[0-9]+:pids:/cx/$R/cov\$"
		refute_line --regexp "^0::/cx/"
	fi
	# Everything hidden: refused, nothing made.
	run -125 cx-unshare --mount cx-bind -t tmpfs:/sys/fs/cgroup \
		cx-cgroup run --rm --pids 10 "$R/cov" true
	assert_output --partial "no cgroup file system is mounted"
	[ -z "$(find /sys/fs/cgroup -path "*/cx/$R/cov" 2>/dev/null)" ]
}

@test "--pids 20 stops a bounded fork loop: 19 forks, the rest refused, and stat counts them" {
	require_ctl pids
	run -0 cx-cgroup create "$R/fb" --pids 20
	assert_equal "$(cat "$(cg_dir pids "$R/fb")/pids.max")" 20

	# 40 forks of a sleeper, counted, never more: perl is the 20th task.
	run -0 cx-cgroup run "$R/fb" perl -e '
		my ($ok, $no, @kids) = (0, 0);
		for (1 .. 40) {
			my $p = fork;
			if (!defined $p) { $no++ }
			elsif ($p == 0) { sleep 60; exit 0 }
			else { $ok++; push @kids, $p }
		}
		kill 9, @kids;
		waitpid($_, 0) for @kids;
		print "forked=$ok refused=$no\n";'
	assert_output "forked=19 refused=21"

	run -0 cx-cgroup stat "$R/fb"
	assert_equal "$(stat_value pids_current "$output")" 0
	assert_equal "$(stat_value pids_max_events "$output")" 21
	# The kernel's own count says the same.
	run -0 grep '^max ' "$(cg_dir pids "$R/fb")/pids.events"
	assert_output "max 21"
	# Outside, forks go on as before.
	run -0 sh -c 'for i in $(seq 30); do true & done; wait; echo done'
	assert_output done
	run -0 cx-cgroup rm "$R/fb"
	cg_gone "$R/fb"
	run -0 cx-cgroup rm "$R"
}

@test "--cpus 0.2 throttles a busy loop: stat shows throttled periods" {
	require_ctl cpu
	run -0 cx-cgroup create "$R/spin" --cpus 0.2
	run -124 cx-cgroup run "$R/spin" timeout 1 sh -c 'while :; do :; done'
	run -0 cx-cgroup stat "$R/spin"
	local periods throttled
	periods=$(stat_value cpu_periods "$output")
	throttled=$(stat_value cpu_throttled_periods "$output")
	[ "$periods" -gt 0 ] || fail "no CFS period counted: $output"
	[ "$throttled" -gt 0 ] || fail "no throttled period: $output"
	# The same figure in JSON, and the kernel's file agrees.
	run -0 cx-cgroup stat --json "$R/spin"
	run -0 jq -r .cpu_throttled_periods <<<"$output"
	[ "$output" -ge "$throttled" ]
	run -0 awk '$1 == "nr_throttled" { print $2 }' "$(cg_dir cpu "$R/spin")/cpu.stat"
	[ "$output" -ge "$throttled" ]
	run -0 cx-cgroup rm -r "$R"
}

@test "stat --json: every figure, a number or null, and the backend" {
	run -0 cx-cgroup create "$R/js"
	run -0 cx-cgroup stat --json "$R/js"
	run -0 jq -r 'keys_unsorted | join(" ")' <<<"$output"
	assert_output "name backend memory_current memory_peak memory_oom memory_oom_kill pids_current pids_max_events cpu_usage_usec cpu_periods cpu_throttled_periods cpu_throttled_usec"
	run -0 cx-cgroup stat --json "$R/js"
	run -0 jq -r '[.name, .backend, (.pids_current | tostring)] | join(" ")' <<<"$output"
	local mode
	if [ -z "$CG_V2" ]; then mode=v1
	elif [ "$CG_MOUNTS" = "$CG_V2" ]; then mode=v2
	else mode=hybrid; fi
	assert_output "$R/js $mode $([ "$(cg_backend pids)" = none ] && echo null || echo 0)"
	# v1 counts OOM kills but no OOM events.
	run -0 cx-cgroup stat --json "$R/js"
	run -0 jq -r '.memory_oom' <<<"$output"
	case $(cg_backend memory) in
	v2) assert_output 0 ;;
	v1) assert_output null ;;
	esac
	run -0 cx-cgroup rm -r "$R"
}

# --- create, attach, rm ------------------------------------------------

@test "ls --json and get --json: names whole, numbers as numbers, what the files hold" {
	require_ctl memory
	require_ctl pids
	run -0 cx-cgroup create "$R/j/a" --memory 100M --pids 20
	run -0 cx-cgroup ls --json "$R"
	run -0 jq -r 'join(" ")' <<<"$output"
	assert_output "$R $R/j $R/j/a"
	# Each name listed is a cgroup directory in the memory hierarchy.
	local name
	for name in $output; do
		[ -d "$(cg_dir memory "$name")" ] || fail "$name listed, not there"
	done
	run -0 cx-cgroup get --json "$R/j/a" memory pids
	run -0 jq -c . <<<"$output"
	assert_output "{\"memory\":104857600,\"pids\":20}"
	# The number is the file's.
	run -0 cx-cgroup get --json "$R/j/a" pids.max
	assert_equal "$(jq '."pids.max"' <<<"$output")" "$(cat "$(cg_dir pids "$R/j/a")/pids.max")"
	run -0 cx-cgroup get --json "$R/j/a"
	assert_equal "$(jq -r '.memory' <<<"$output")" 104857600
	# "max" stays a string (memory-swap is left out where swap is not
	# accounted).
	assert_equal "$(jq -r '(."memory-swap" // "max") | type' <<<"$output")" string
	run -0 cx-cgroup rm -r "$R"
	run -0 cx-cgroup ls --json
	run -0 jq -r "map(select(startswith(\"$R\"))) | length" <<<"$output"
	assert_output 0
}

@test "create, attach a running process, rm refused while busy, rm --kill empties and removes" {
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	local pid=$!
	BG_PIDS="$BG_PIDS $pid"
	run -0 cx-cgroup create "$R/box"
	cg_everywhere "$R/box"
	run -0 cx-cgroup attach "$R/box" "$pid"
	assert_output ""
	# In every hierarchy's procs file, and the process says so too.
	local m
	for m in $(cg_mounts); do
		run -0 cat "$m/cx/$R/box/cgroup.procs"
		assert_output "$pid"
	done
	run -0 grep -c ":/cx/$R/box\$" "/proc/$pid/cgroup"
	assert_output "$(cg_mounts | wc -l)"

	run -125 cx-cgroup rm "$R/box"
	assert_output "cx-cgroup: rm $R/box: 1 process is still inside: use --kill to kill it first"
	cg_everywhere "$R/box"
	kill -0 "$pid"

	run -0 cx-cgroup rm --kill "$R/box"
	assert_output ""
	cg_gone "$R/box"
	local st=0
	wait "$pid" || st=$?
	assert_equal "$st" 137
	BG_PIDS=
	run -0 cx-cgroup rm "$R"
	cg_gone "$R"
}

@test "rm --kill gets a process that forks while it is killed, and what is below with --recursive" {
	run -0 cx-cgroup create "$R/tree/leaf"
	# A shell that keeps forking (two short sleeps at a time, no more),
	# in a cgroup below the one removed.
	cx-cgroup run "$R/tree/leaf" sh -c 'while :; do sleep 0.05 & sleep 0.05; done' \
		</dev/null >/dev/null 2>"$TMP/run.err" &
	BG_PIDS="$BG_PIDS $!"
	local i procs
	procs="$(cg_mounts | head -n 1)/cx/$R/tree/leaf/cgroup.procs"
	# Up to 60 s: a loaded machine is slow to start it (20 s were not
	# always enough for the sanitized build beside the guests of make
	# check).
	for ((i = 0; i < 600; i++)); do
		[ "$(wc -l <"$procs")" -ge 2 ] && break
		sleep 0.1
	done
	[ "$(wc -l <"$procs")" -ge 2 ] ||
		fail "the forking shell did not start: $(cat "$procs" "$TMP/run.err" 2>&1)"
	run -125 cx-cgroup rm --kill "$R/tree"
	assert_output "cx-cgroup: rm $R/tree: 1 cgroup is below it: remove it first, or use --recursive"
	run -0 cx-cgroup rm --kill --recursive "$R/tree"
	cg_gone "$R/tree"
	run -0 cx-cgroup rm "$R"
}

@test "rm: a cgroup with cx-cgroup itself inside is refused" {
	run -125 cx-cgroup run "$R/me" cx-cgroup rm --kill "$R/me"
	assert_output "cx-cgroup: rm $R/me: cx-cgroup itself is inside it"
	cg_everywhere "$R/me"
	run -0 cx-cgroup rm -r "$R"
}

@test "ls: the tree below the base, or below NAME" {
	run -0 cx-cgroup create "$R/a/b"
	run -0 cx-cgroup create "$R/a/c"
	run -0 cx-cgroup create "$R/a-z"
	run -0 cx-cgroup ls "$R"
	assert_output "$R
  a
    b
    c
  a-z"
	run -0 cx-cgroup ls
	assert_line "$R"
	assert_line "  a-z"
	run -125 cx-cgroup rm "$R/a"
	assert_output "cx-cgroup: rm $R/a: 2 cgroups are below it: remove them first, or use --recursive"
	run -0 cx-cgroup rm -r "$R"
	cg_gone "$R"
	run -125 cx-cgroup ls "$R"
	assert_output "cx-cgroup: $R: no such cgroup below /cx"
}

# --- every limit in its file --------------------------------------------

# expect NAME CTL V2FILE V2VALUE V1FILE V1VALUE [V1CTL]
expect() {
	local dir
	dir=$(cg_dir "$2" "$1" "${7:-$2}") || fail "no $2 controller"
	case $(cg_backend "$2" "${7:-$2}") in
	v2) assert_equal "$(cat "$dir/$3")" "$4" ;;
	v1) assert_equal "$(cat "$dir/$5")" "$6" ;;
	esac
}

@test "every limit lands as the right value in the right file, and get reads it back" {
	require_ctl memory
	require_ctl cpu
	require_ctl cpuset
	require_ctl pids
	local set=(--set memory.swappiness=10)
	[ "$(cg_backend memory)" = v2 ] &&
		set=(--memory-high 80M --set memory.oom.group=1)
	run -0 cx-cgroup create "$R/lim" --memory 100M --memory-swap 50M \
		--cpus 1.5 --cpu-weight 200 --cpuset 0 --pids 33 "${set[@]}"
	assert_output ""
	expect "$R/lim" memory memory.max 104857600 memory.limit_in_bytes 104857600
	# v1 says memory + swap.
	expect "$R/lim" memory memory.swap.max 52428800 memory.memsw.limit_in_bytes 157286400
	expect "$R/lim" cpu cpu.max "150000 100000" cpu.cfs_quota_us 150000
	expect "$R/lim" cpu cpu.max "150000 100000" cpu.cfs_period_us 100000
	# Weights as systemd converts them: 100 is cpu.shares' 1024.
	expect "$R/lim" cpu cpu.weight 200 cpu.shares 2048
	expect "$R/lim" cpuset cpuset.cpus 0 cpuset.cpus 0
	expect "$R/lim" pids pids.max 33 pids.max 33
	expect "$R/lim" memory memory.high 83886080 memory.swappiness 10
	expect "$R/lim" memory memory.oom.group 1 memory.swappiness 10
	# A new v1 cpuset gets its parent's memory nodes, or no task could join.
	[ "$(cg_backend cpuset)" = v1 ] &&
		assert_equal "$(cat "$(cg_dir cpuset "$R/lim")/cpuset.mems")" \
			"$(cat "$(cg_v1_mount cpuset)/cpuset.mems")"

	run -0 cx-cgroup get "$R/lim" memory memory-swap cpus cpu-weight cpuset pids
	assert_output "104857600
52428800
1.5
200
0
33"
	run -0 cx-cgroup get "$R/lim"
	assert_line "memory 104857600"
	assert_line "cpus 1.5"
	run -0 cx-cgroup get "$R/lim" pids.max
	assert_output 33

	# A new --memory keeps the swap allowed on top of it.
	run -0 cx-cgroup set "$R/lim" --memory 200M --cpus max --pids max
	expect "$R/lim" memory memory.max 209715200 memory.limit_in_bytes 209715200
	expect "$R/lim" memory memory.swap.max 52428800 memory.memsw.limit_in_bytes 262144000
	expect "$R/lim" cpu cpu.max "max 100000" cpu.cfs_quota_us -1
	expect "$R/lim" pids pids.max max pids.max max
	run -0 cx-cgroup get "$R/lim" memory-swap cpus pids
	assert_output "52428800
max
max"

	# Memory without a limit: v2 keeps the swap limit, v1 (memory +
	# swap) can only lift both.
	run -0 cx-cgroup set "$R/lim" --memory max
	expect "$R/lim" memory memory.max max memory.limit_in_bytes 9223372036854771712
	expect "$R/lim" memory memory.swap.max 52428800 memory.memsw.limit_in_bytes 9223372036854771712
	run -0 cx-cgroup rm -r "$R"
}

@test "--memory: sizes as util-linux reads them; a limit the kernel would round to nothing is refused, nothing made" {
	require_ctl memory
	# MB is 10^6, which the kernel rounds down to whole pages.
	run -0 cx-cgroup create "$R/sz" --memory 100MB
	expect "$R/sz" memory memory.max 99999744 memory.limit_in_bytes 99999744
	run -0 cx-cgroup set "$R/sz" --memory 1.5g
	expect "$R/sz" memory memory.max 1610612736 memory.limit_in_bytes 1610612736
	run -0 cx-cgroup set "$R/sz" --memory 100mib
	expect "$R/sz" memory memory.max 104857600 memory.limit_in_bytes 104857600

	run -125 cx-cgroup set "$R/sz" --memory 100
	assert_line --index 0 "cx-cgroup: invalid --memory '100': the kernel counts memory in whole pages of $(getconf PAGESIZE) bytes and would round this down to 0, no memory at all (give at least $(($(getconf PAGESIZE) / 1024))K, or max)"
	expect "$R/sz" memory memory.max 104857600 memory.limit_in_bytes 104857600
	run -125 cx-cgroup create "$R/zero" --memory 0
	assert_line --index 0 --partial "invalid --memory '0': the kernel counts memory in whole pages"
	[ ! -e "$(cg_dir memory "$R/zero")" ]
	run -125 cx-cgroup create "$R/zero" --memory 1.5
	assert_line --index 0 "cx-cgroup: invalid --memory '1.5': a size such as 512K, 100M, 2G, or max"
	[ ! -e "$(cg_dir memory "$R/zero")" ]
	run -0 cx-cgroup rm -r "$R"
}

@test "--io-weight: io.weight, or v1's blkio.bfq.weight or blkio.weight, or a clear no" {
	require_ctl io blkio
	run -0 cx-cgroup create "$R/io"
	local dir
	dir=$(cg_dir io "$R/io" blkio)
	if [ -e "$dir/io.weight" ]; then
		run -0 cx-cgroup set "$R/io" --io-weight 200
		assert_equal "$(cat "$dir/io.weight")" "default 200"
	elif [ -e "$dir/blkio.bfq.weight" ]; then
		# BFQ's scale: 1..100 stay, 100..10000 shrink to 100..1000.
		run -0 cx-cgroup set "$R/io" --io-weight 200
		assert_equal "$(cat "$dir/blkio.bfq.weight")" 109
		run -0 cx-cgroup set "$R/io" --io-weight 50
		assert_equal "$(cat "$dir/blkio.bfq.weight")" 50
		run -0 cx-cgroup get "$R/io" io-weight
		assert_output 50
	elif [ -e "$dir/blkio.weight" ]; then
		run -0 cx-cgroup set "$R/io" --io-weight 200
		assert_equal "$(cat "$dir/blkio.weight")" 1000
	else
		run -125 cx-cgroup set "$R/io" --io-weight 200
		assert_output --partial "cx-cgroup: --io-weight: "
		assert_output --partial ": the kernel has no such interface file here"
	fi
	run -0 cx-cgroup rm -r "$R"
}

@test "--memory-high: memory.high on v2; on v1 a clear no, and nothing made" {
	require_ctl memory
	local before
	before=$(base_state)
	case $(cg_backend memory) in
	v2)
		run -0 cx-cgroup create "$R/high" --memory-high 64M
		assert_equal "$(cat "$(cg_dir memory "$R/high")/memory.high")" 67108864
		run -0 cx-cgroup rm -r "$R"
		;;
	v1)
		run -125 cx-cgroup create "$R/high" --memory 100M --memory-high 64M
		assert_output "cx-cgroup: --memory-high: no cgroup v1 counterpart: cgroup v1 has no throttle point (memory.soft_limit_in_bytes only acts under global memory pressure); the memory controller is a v1 one on this host"
		cg_gone "$R"
		assert_equal "$(base_state)" "$before"
		;;
	esac
}

@test "--memory-swap where swap is not accounted: a clear no, unless 0 with no swap on" {
	require_ctl memory
	local dir
	case $(cg_backend memory) in
	v1) [ -e "$(cg_v1_mount memory)/memory.memsw.limit_in_bytes" ] &&
		skip "swap is accounted on this host (memory.memsw.limit_in_bytes): the refusal cannot be reached" ;;
	v2) run -0 cx-cgroup create "$R/probe"
	    dir=$(cg_dir memory "$R/probe")
	    local accounted=
	    [ -e "$dir/memory.swap.max" ] && accounted=1
	    run -0 cx-cgroup rm -r "$R"
	    [ -z "$accounted" ] ||
		    skip "a v2 cgroup here has memory.swap.max: swap is accounted" ;;
	esac
	if grep -q '^/' /proc/swaps; then
		run -125 cx-cgroup create "$R/sw" --memory-swap 0
	else
		run -0 cx-cgroup create "$R/sw" --memory-swap 0
		run -0 cx-cgroup rm -r "$R"
	fi
	run -125 cx-cgroup create "$R/sw" --memory 10M --memory-swap 10M
	assert_output --partial "swap is not accounted on this host"
	cg_gone "$R"
}

@test "v1 --memory-swap needs --memory; v2 takes it alone" {
	require_ctl memory
	run -0 cx-cgroup create "$R/sw"
	case $(cg_backend memory) in
	v2)
		run -0 cx-cgroup set "$R/sw" --memory-swap 0
		assert_equal "$(cat "$(cg_dir memory "$R/sw")/memory.swap.max")" 0
		;;
	v1)
		run -125 cx-cgroup set "$R/sw" --memory-swap 0
		assert_output "cx-cgroup: --memory-swap: cgroup v1 limits swap only together with memory (memory.memsw.limit_in_bytes): give the memory limit as well"
		assert_equal "$(cat "$(cg_dir memory "$R/sw")/memory.memsw.limit_in_bytes")" 9223372036854771712
		;;
	esac
	run -0 cx-cgroup rm -r "$R"
}

# --- v2's rules, and what cx-cgroup may change ------------------------------

@test "a --parent that cx-cgroup did not make: its subtree_control is left alone (v2), the limit works (v1)" {
	require_ctl memory
	run -0 cx-cgroup create "$R/p"
	case $(cg_backend memory) in
	v2)
		local p
		p=$(cg_dir memory "$R/p")
		run -125 cx-cgroup --parent "cx/$R/p" create kid --memory 10M
		assert_output "cx-cgroup: the memory controller is not enabled for the children of $p, which cx-cgroup did not create: enable it there (echo +memory > $p/cgroup.subtree_control), or choose another --parent"
		run -0 cat "$p/cgroup.subtree_control"
		assert_output ""
		cg_gone "$R/p/kid"
		;;
	v1)
		run -0 cx-cgroup --parent "cx/$R/p" create kid --memory 10M
		assert_equal "$(cat "$(cg_dir memory "$R/p/kid")/memory.limit_in_bytes")" 10485760
		run -0 cx-cgroup --parent "/cx/$R/p" rm kid
		cg_gone "$R/p/kid"
		;;
	esac
	run -125 cx-cgroup --parent "cx/$R/nothere" create kid
	assert_output --regexp "^cx-cgroup: --parent cx/$R/nothere: no cgroup /.*/cx/$R/nothere: No such file or directory\$"
	run -0 cx-cgroup rm -r "$R"
}

@test "v2's no internal processes rule: the error says what to do; v1 has no such rule" {
	require_ctl memory
	cx-cgroup run "$R/busy" sleep 1000 </dev/null >/dev/null 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	local i dir
	dir=$(cg_dir memory "$R/busy")
	for i in $(seq 50); do
		[ -n "$(cat "$dir/cgroup.procs" 2>/dev/null)" ] && break
		sleep 0.1
	done
	case $(cg_backend memory) in
	v2)
		run -125 cx-cgroup create "$R/busy/kid" --memory 10M
		assert_output "cx-cgroup: enable memory in $dir/cgroup.subtree_control: $dir has processes of its own, and cgroup v2 gives controllers only to the children of a cgroup without any (the no internal processes rule): move them into a child cgroup first"
		cg_gone "$R/busy/kid"
		;;
	v1)
		run -0 cx-cgroup create "$R/busy/kid" --memory 10M
		assert_equal "$(cat "$dir/kid/memory.limit_in_bytes")" 10485760
		;;
	esac
	run -0 cx-cgroup rm --kill -r "$R"
	cg_gone "$R"
}

# --- run ----------------------------------------------------------------------

@test "run: the command runs in NAME in every hierarchy; the status comes through" {
	run -0 cx-cgroup run "$R/self" cat /proc/self/cgroup
	local n
	n=$(grep -c ":/cx/$R/self\$" <<<"$output")
	assert_equal "$n" "$(cg_mounts | wc -l)"
	# Without --rm the cgroup stays, empty once the command is gone.
	cg_everywhere "$R/self"
	run -0 cx-cgroup rm "$R/self"
	run -0 cx-cgroup rm "$R"

	run -7 cx-cgroup run --rm "$R/st" sh -c 'exit 7'
	cg_gone "$R"
	run -143 cx-cgroup run --rm "$R/st" sh -c 'kill -TERM $$'
	cg_gone "$R"
}

@test "run --rm: on v2 the child is cloned into the cgroup (CLONE_INTO_CGROUP), on v1 it joins before exec" {
	command -v strace >/dev/null || skip "no strace"
	run -0 strace -f -e trace=clone,clone3,fork,vfork -o "$TMP/trace" \
		cx-cgroup run --rm "$R/cl" cat /proc/self/cgroup
	assert_equal "$(grep -c ":/cx/$R/cl\$" <<<"$output")" "$(cg_mounts | wc -l)"
	if [ -n "$(cg_v2_mount)" ]; then
		# On x86_64 the child shares our memory until its exec, as
		# vfork's does (no page table copied); a build with ASan,
		# which cannot follow that, forks.
		if [ "$(uname -m)" = x86_64 ] && ! is_asan "$CX_BUILD/cx-cgroup"; then
			run -0 grep -c 'clone3({flags=CLONE_VM|CLONE_VFORK|CLONE_INTO_CGROUP,' "$TMP/trace"
		else
			run -0 grep -c 'clone3({flags=CLONE_INTO_CGROUP,' "$TMP/trace"
		fi
		assert_output 1
	else
		run -1 grep -c 'CLONE_INTO_CGROUP' "$TMP/trace"
	fi
	cg_gone "$R"
}

# The hierarchies that hold a controller of $@ (v1, or cgroup2's), and
# cgroup2: where --controllers puts a cgroup.  One per line, sorted.
cg_mounts_for() {
	local c
	{
		[ -z "$CG_V2" ] || echo "$CG_V2"
		for c in "$@"; do
			[ "$(cg_backend "$c")" != v1 ] || cg_v1_mount "$c"
		done
	} | sort -u
}

@test "run --rm --controllers: NAME and the cgroups above it only in those hierarchies and cgroup2; the command is in each; all goes after" {
	require_ctl memory
	require_ctl pids
	local want has
	want=$(cg_mounts_for memory pids)
	# pids from the list, memory from its limit.
	run -0 cx-cgroup run --rm --controllers pids --memory 10M "$R/nw/a" \
		sh -c 'cat /proc/self/cgroup; echo; for m in $1; do [ -d "$m/cx/$2" ] && echo "has $m"; done; echo; cat "$3"' \
		sh "$(cg_mounts)" "$R/nw" "$(cg_dir memory "$R/nw/a")/$(
			[ "$(cg_backend memory)" = v2 ] && echo memory.max || echo memory.limit_in_bytes)"
	has=$(sed -n 's/^has //p' <<<"$output" | sort)
	assert_equal "$has" "$want"
	# The command is in NAME in exactly as many hierarchies.
	assert_equal "$(grep -c ":/cx/$R/nw/a\$" <<<"$output")" "$(wc -l <<<"$want")"
	assert_equal "${lines[${#lines[@]}-1]}" 10485760
	cg_gone "$R"
}

@test "create --controllers: set of a limit outside them names the missing cgroup; rm removes what is there" {
	require_ctl memory
	require_ctl pids
	local want m
	want=$(cg_mounts_for pids)
	run -0 cx-cgroup create --controllers pids "$R/cc"
	for m in $(cg_mounts); do
		if grep -qx -- "$m" <<<"$want"; then
			[ -d "$m/cx/$R/cc" ] || fail "$m/cx/$R/cc is missing"
		else
			[ ! -e "$m/cx/$R" ] || fail "$m/cx/$R was made"
		fi
	done
	if [ "$(cg_backend memory)" = v1 ]; then
		run -125 cx-cgroup set "$R/cc" --memory 10M
		assert_output "cx-cgroup: $R/cc: no cgroup $(cg_dir memory "$R/cc") for --memory"
	fi
	run -0 cx-cgroup set "$R/cc" --pids 5
	assert_equal "$(cat "$(cg_dir pids "$R/cc")/pids.max")" 5
	run -0 cx-cgroup rm "$R/cc"
	run -0 cx-cgroup rm "$R"
	cg_gone "$R"
}

@test "--controllers: a controller no hierarchy holds, a malformed list, a verb it does not apply to: one line, nothing made" {
	run -125 cx-cgroup run --rm --controllers nosuchctl "$R/bad" true
	assert_output "cx-cgroup: --controllers nosuchctl: this host has no nosuchctl controller (not in a cgroup v1 hierarchy, nor in cgroup2's cgroup.controllers)"
	cg_gone "$R"
	run -125 cx-cgroup run --controllers 'memory,,pids' "$R/bad" true
	assert_output "cx-cgroup: invalid --controllers 'memory,,pids': has an empty name (a controller per comma)"
	run -125 cx-cgroup create --controllers '../memory' "$R/bad"
	assert_output "cx-cgroup: invalid --controllers '../memory': names controllers: letters, digits and _, split by commas"
	run -125 cx-cgroup rm --controllers memory "$R/bad"
	assert_line --index 0 "cx-cgroup: rm: --controllers does not apply (rm [--kill] [--recursive] NAME)"
	cg_gone "$R"
}

@test "run --rm without clone3 (ENOSYS): fork, and the child joins every hierarchy before the command" {
	require_helper "$NOCLONE3"
	# The filter works: clone3 says ENOSYS (38).
	run -0 "$NOCLONE3" perl -e 'syscall(435, 0, 0); print $! + 0'
	assert_output 38
	run -0 "$NOCLONE3" cx-cgroup run --rm "$R/nc" cat /proc/self/cgroup
	assert_equal "$(grep -c ":/cx/$R/nc\$" <<<"$output")" "$(cg_mounts | wc -l)"
	cg_gone "$R"
}

@test "run --rm kills what the command left running in the cgroup, then removes it" {
	run -0 cx-cgroup run --rm "$R/bg" sh -c 'sleep 1000 >/dev/null 2>&1 & echo $!'
	local pid=$output
	[ ! -e "/proc/$pid" ] || [ "$(awk '{ print $3 }' "/proc/$pid/stat")" = Z ] ||
		fail "the sleep $pid survived"
	cg_gone "$R"
}

@test "run --rm killed by SIGKILL: its payload dies with it, and one rm removes NAME from every hierarchy" {
	cx-cgroup run --rm "$R/k" sleep 1000 </dev/null >/dev/null 2>&1 &
	local sup=$! payload st=0
	BG_PIDS="$BG_PIDS $sup"
	# A process outside NAME, which nothing may touch.
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	local other=$!
	BG_PIDS="$BG_PIDS $other"
	payload=$(wait_payload "$R/k")
	cg_everywhere "$R/k"
	kill -KILL "$sup"
	wait "$sup" || st=$?
	assert_equal "$st" 137
	# At once: the payload may still be on its way out.
	run -0 cx-cgroup rm "$R/k"
	assert_output ""
	cg_gone "$R/k"
	wait_dead "$payload"
	kill -0 "$other"
	run -0 cx-cgroup rm "$R"
	cg_gone "$R"
}

@test "run --rm killed before its child asked for the parent-death signal: the child sees it and dies" {
	command -v strace >/dev/null || skip "no strace: it holds the child's prctl back"
	local delay tracer sup payload st order=
	# Each traced process's first prctl waits DELAY seconds: the
	# child's is PR_SET_PDEATHSIG, and the supervisor is killed
	# meanwhile.  A slow machine (the lane's emulated guest beside two
	# busy suites) may reach the kill only after the wait: that run
	# proves nothing, so it is tried again with a longer wait.
	for delay in 3 10 30; do
		: >"$TMP/trace"
		strace -f -o "$TMP/trace" -e trace=prctl \
			-e inject=prctl:delay_enter=$((delay * 1000000)):when=1 \
			cx-cgroup run --rm "$R/race" sleep 1000 </dev/null >/dev/null 2>&1 &
		tracer=$! st=0
		BG_PIDS="$BG_PIDS $tracer"
		payload=$(wait_payload "$R/race")
		sup=$(awk '{ print $4 }' "/proc/$payload/stat")
		assert_equal "$(cat "/proc/$sup/comm")" cx-cgroup
		kill -KILL "$sup"
		# strace goes when the last process it traces does.
		wait_dead "$payload"
		wait "$tracer" || st=$?
		# The order in the trace: the supervisor died, then the
		# child's prctl returned, then the child died of the SIGKILL
		# it raised.  The prctl before the supervisor's death: the
		# kill came too late.
		run -0 awk -v s="$sup" -v p="$payload" '
			$1 == s && /killed by SIGKILL/ { if (!d) d = NR }
			$1 == p && /prctl.*= 0/ { if (!r) r = NR }
			$1 == p && /killed by SIGKILL/ { k = NR }
			END {
				if (d && r > d && k > r) print "in order"
				else if (d && r && r < d) print "late"
				else print "d=" d " r=" r " k=" k
			}' "$TMP/trace"
		order=$output
		run -0 cx-cgroup rm -r "$R"
		cg_gone "$R"
		[ "$order" = late ] || break
	done
	[ "$order" = "in order" ] ||
		fail "the trace is not in that order ($order, last wait ${delay} s): $(cat "$TMP/trace")"
}

@test "after a killed run, rm --kill takes what the payload left behind, and nothing outside NAME" {
	cx-cgroup run --rm "$R/o" sh -c 'sleep 1000 & echo $! >"$0"; wait' "$TMP/orphan" \
		</dev/null >/dev/null 2>&1 &
	local sup=$! shell orphan st=0
	BG_PIDS="$BG_PIDS $sup"
	# A sibling's process, in a cgroup of its own below the same parent.
	cx-cgroup run "$R/other" sleep 1000 </dev/null >/dev/null 2>&1 &
	local other=$!
	BG_PIDS="$BG_PIDS $other"
	shell=$(wait_payload "$R/o")
	wait_for_file "$TMP/orphan" || fail "the payload did not start its sleep"
	orphan=$(cat "$TMP/orphan")
	wait_payload "$R/other" >/dev/null
	kill -KILL "$sup"
	wait "$sup" || st=$?
	assert_equal "$st" 137
	# The payload died with the supervisor; what it forked is still in NAME.
	wait_dead "$shell"
	kill -0 "$orphan"
	run -125 cx-cgroup rm "$R/o"
	assert_output "cx-cgroup: rm $R/o: 1 process is still inside: use --kill to kill it first"
	cg_everywhere "$R/o"
	run -0 cx-cgroup rm --kill "$R/o"
	cg_gone "$R/o"
	wait_dead "$orphan"
	kill -0 "$other"
	assert_equal "$(cat "$(cg_mounts | head -n 1)/cx/$R/other/cgroup.procs")" "$other"
	run -0 cx-cgroup rm --kill -r "$R"
	cg_gone "$R"
}

@test "run: a command that is not found is 127, and what run made is taken back" {
	local before
	before=$(base_state)
	# Found out before any cgroup is made (fail closed).
	run -127 cx-cgroup run "$R/nf" /nonexistent/cmd
	assert_output "cx-cgroup: exec /nonexistent/cmd: No such file or directory (nothing done)"
	cg_gone "$R"
	assert_equal "$(base_state)" "$before"
	run -127 cx-cgroup run --rm "$R/nf" /nonexistent/cmd
	assert_output "cx-cgroup: exec /nonexistent/cmd: No such file or directory (nothing done)"
	cg_gone "$R"
	assert_equal "$(base_state)" "$before"
	run -126 cx-cgroup run --rm "$R/nf" /etc
	assert_output "cx-cgroup: exec /etc: Permission denied (nothing done)"
	cg_gone "$R"
	assert_equal "$(base_state)" "$before"
	# Found runnable, and the exec fails in the child (on x86_64 one
	# that shares our memory): its status, one line, nothing left, and
	# the supervisor's own undo still ran.
	printf '#!/nonexistent/interpreter\n' >"$TMP/noint"
	chmod +x "$TMP/noint"
	run -126 cx-cgroup run --rm "$R/ni" "$TMP/noint"
	assert_output "cx-cgroup: exec $TMP/noint: No such file or directory (its interpreter is missing)"
	cg_gone "$R"
	assert_equal "$(base_state)" "$before"
}

@test "--parent .: below the caller's own cgroup, in each hierarchy" {
	# On a host the caller's cgroup belongs to whoever started the
	# tests; in the lane's guest it is the root, and nobody else's.
	[ "${CX_CGROUP_V2_LANE:-}" = 1 ] ||
		skip "makes a cgroup below the caller's own: only in the cgroup v2 lane's guest"
	local own
	own=$(awk -F: '$1 == 0 { print $3 }' /proc/self/cgroup)
	run -0 cx-cgroup --parent . run --rm "$R-self" cat /proc/self/cgroup
	assert_output "0::${own%/}/$R-self"
	[ ! -e "$CG_V2$own/$R-self" ]
	# Its subtree_control is not ours to change: a limit that needs it
	# is refused when the controller is not enabled there already.
	if ! grep -qw memory "$CG_V2$own/cgroup.subtree_control"; then
		run -125 cx-cgroup --parent . create "$R-self" --memory 10M
		assert_output --partial "which cx-cgroup did not create"
	fi
	[ ! -e "$CG_V2$own/$R-self" ]
}

@test "run NAME that exists: used as it is, and --rm leaves it" {
	run -0 cx-cgroup create "$R/keep" --pids 50
	run -0 cx-cgroup run --rm --pids 40 "$R/keep" true
	cg_everywhere "$R/keep"
	[ "$(cg_backend pids)" = none ] ||
		assert_equal "$(cat "$(cg_dir pids "$R/keep")/pids.max")" 40
	run -0 cx-cgroup rm -r "$R"
}

@test "runs side by side making and taking back one parent: each runs in its own cgroup, and none is left" {
	# Four runs at once share a parent that none of them finds: one
	# makes it while another finds it half made (v1: a cpuset with no
	# CPU yet) or taken back under it.  ${CX_ROUNDS:-50} rounds.
	local round i st out
	for round in $(seq "${CX_ROUNDS:-50}"); do
		for i in 1 2 3 4; do
			cx-cgroup run --rm "$R/p$round/x$i" sh -c 'cat /proc/self/cgroup >"$0"' \
				"$TMP/cg$i" </dev/null >"$TMP/err$i" 2>&1 &
			eval "local pid$i=\$!"
		done
		for i in 1 2 3 4; do
			st=0
			eval "wait \$pid$i" || st=$?
			out=$(cat "$TMP/err$i")
			[ "$st" = 0 ] || fail "round $round, run $i: exit $st: $out"
			[ "$(grep -c ":/cx/$R/p$round/x$i\$" "$TMP/cg$i")" = "$(cg_mounts | wc -l)" ] ||
				fail "round $round, run $i ran outside its cgroup: $(cat "$TMP/cg$i")"
			cg_gone "$R/p$round/x$i"
		done
	done
	run -0 cx-cgroup rm -r "$R"
	cg_gone "$R"
}

@test "v1: a cx base found with no CPUs or memory nodes, as a run beside leaves it a moment after making it, gets its parent's, and the run goes on" {
	local m base cpus mems
	m=$(cg_v1_mount cpuset)
	[ -n "$m" ] ||
		skip "no v1 cpuset hierarchy: on cgroup v2 a new cgroup uses its parent's CPUs by itself"
	base=$m/cx
	run -0 cx-cgroup --controllers cpuset create "$R"
	run -0 cx-cgroup rm "$R"
	[ -z "$(find "$base" -mindepth 1 -type d)" ] ||
		skip "$base holds cgroups of another run: its CPUs cannot be taken away"
	# teardown gives the base back what it had, whatever happens here.
	CPUSET_BASE=$base
	CPUSET_CPUS=$(cat "$base/cpuset.cpus")
	CPUSET_MEMS=$(cat "$base/cpuset.mems")
	echo >"$base/cpuset.cpus"
	echo >"$base/cpuset.mems"
	[ -z "$(cat "$base/cpuset.cpus" "$base/cpuset.mems")" ]
	run cx-cgroup run --rm "$R/x" sh -c 'grep -c ":/cx/$0\$" /proc/self/cgroup' "$R/x"
	cpus=$(cat "$base/cpuset.cpus")
	mems=$(cat "$base/cpuset.mems")
	assert_success
	assert_output "$(cg_mounts | wc -l)"
	assert_equal "$cpus" "$(cat "$m/cpuset.cpus")"
	assert_equal "$mems" "$(cat "$m/cpuset.mems")"
	cg_gone "$R"
}

# --- bad input ------------------------------------------------------------

@test "bad input: one line, exit 125, no cgroup made" {
	local before
	before=$(base_state)
	run -125 cx-cgroup create "$R/bad" --memory 100Q
	assert_output "cx-cgroup: invalid --memory '100Q': a size such as 512K, 100M, 2G, or max"
	run -125 cx-cgroup create "$R/bad" --memory -1
	assert_output "cx-cgroup: invalid --memory '-1': a size such as 512K, 100M, 2G, or max"
	run -125 cx-cgroup create "$R/bad" --memory 99999999999999999999G
	assert_output "cx-cgroup: invalid --memory '99999999999999999999G': out of range: a size such as 512K, 100M, 2G, or max"
	run -125 cx-cgroup create "$R/bad" --cpus 0
	assert_output "cx-cgroup: invalid --cpus '0': out of range: 0.01 to 1000000 CPUs, at most 5 decimals, or max"
	run -125 cx-cgroup create "$R/bad" --cpu-weight 0
	assert_output "cx-cgroup: invalid --cpu-weight '0': out of range: 1 to 10000"
	run -125 cx-cgroup create "$R/bad" --cpuset 3-1
	assert_output "cx-cgroup: invalid --cpuset '3-1': CPU numbers and ranges such as 0-3,6"
	run -125 cx-cgroup create "$R/bad" --set memory.max
	assert_output "cx-cgroup: invalid --set 'memory.max': FILE=VALUE, FILE an interface file such as memory.oom.group"
	run -125 cx-cgroup create ../../x
	assert_output "cx-cgroup: invalid NAME '../../x': it has a '.' or '..' component"
	run -125 cx-cgroup create "$R/../x"
	assert_output "cx-cgroup: invalid NAME '$R/../x': it has a '.' or '..' component"
	run -125 cx-cgroup create /x
	assert_output "cx-cgroup: invalid NAME '/x': it is an absolute path outside the base /cx"
	run -125 cx-cgroup create "$R/memory.max"
	assert_output "cx-cgroup: invalid NAME '$R/memory.max': it has a component that looks like an interface file (such as memory.max)"
	run -125 cx-cgroup --parent ../x create "$R/bad"
	assert_output "cx-cgroup: invalid --parent '../x': it has a '.' or '..' component"
	cg_gone "$R"
	assert_equal "$(base_state)" "$before"
}

@test "--set refuses what moves, kills or freezes processes or changes another cgroup: one line, 125, nothing written" {
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	local pid=$! m f spec before
	BG_PIDS="$BG_PIDS $pid"
	run -0 cx-cgroup create "$R/s"
	run -0 cx-cgroup attach "$R/s" "$pid"
	# The process the moving files are asked to move: not PID 1, so
	# that a regression cannot move the host's init.
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	local victim=$!
	BG_PIDS="$BG_PIDS $victim"
	# What the refused writes would change, before.
	local pid1 victim_cg state_files=()
	pid1=$(cat /proc/1/cgroup)
	victim_cg=$(cat "/proc/$victim/cgroup")
	for m in $(cg_mounts); do
		for f in cgroup.subtree_control cgroup.type cgroup.freeze \
			notify_on_release cgroup.clone_children freezer.state \
			cpuset.cpu_exclusive cpuset.cpus.partition; do
			[ -f "$m/cx/$R/s/$f" ] && state_files+=("$m/cx/$R/s/$f")
		done
		[ -f "$m/cx/$R/cgroup.subtree_control" ] && state_files+=("$m/cx/$R/cgroup.subtree_control")
		[ -f "$m/release_agent" ] && state_files+=("$m/release_agent")
	done
	before=$(grep -H . "${state_files[@]}" /dev/null)

	run -125 cx-cgroup set "$R/s" --set "cgroup.procs=$victim"
	assert_output "cx-cgroup: --set cgroup.procs: refused: it moves processes into the cgroup: use cx-cgroup attach"
	run -125 cx-cgroup set "$R/s" --set "tasks=$victim"
	assert_output "cx-cgroup: --set tasks: refused: it moves processes into the cgroup: use cx-cgroup attach"
	run -125 cx-cgroup set "$R/s" --set cgroup.kill=1
	assert_output "cx-cgroup: --set cgroup.kill: refused: it kills every process in the cgroup: use cx-cgroup rm --kill"
	run -125 cx-cgroup set "$R/s" --set release_agent=/tmp/x
	assert_output "cx-cgroup: --set release_agent: refused: it names a program the kernel runs as root on the host"
	run -125 cx-cgroup set "$R/s" --set ../memory.max=1
	assert_output "cx-cgroup: --set ../memory.max: refused: FILE is a file of the cgroup itself: no '/', no '..'"
	for spec in "cgroup.threads=$victim" cgroup.subtree_control=+pids \
		cgroup.subtree_control=-pids notify_on_release=1 \
		cgroup.clone_children=1 cgroup.type=threaded cgroup.freeze=1 \
		cgroup.events=1 cgroup.pressure=0 freezer.state=FROZEN \
		cpuset.cpu_exclusive=1 cpuset.cpus.partition=root \
		memory.reclaim=1M memory.force_empty=0 \
		"pids.max/../cgroup.procs=$victim" "../../cgroup.procs=$victim" \
		memory..max=1 cgroup.procs; do
		run -125 cx-cgroup set "$R/s" --set "$spec"
		assert_regex "$output" "^cx-cgroup: --set ${spec%%=*}: refused: "
		assert_equal "${#lines[@]}" 1
		# And before anything is made, by create and run.
		run -125 cx-cgroup create "$R/n" --set "$spec"
		assert_regex "$output" "^cx-cgroup: --set ${spec%%=*}: refused: "
	done
	run -125 cx-cgroup run --rm --set "cgroup.procs=$victim" "$R/n" true
	assert_output "cx-cgroup: --set cgroup.procs: refused: it moves processes into the cgroup: use cx-cgroup attach"
	run -125 cx-cgroup run --set "tasks=$victim" "$R/n" true
	cg_gone "$R/n"

	# The kernel's state: PID 1 and the victim where they were, the
	# sleeper alone in NAME and alive, every file as it was.
	assert_equal "$(cat /proc/1/cgroup)" "$pid1"
	assert_equal "$(cat "/proc/$victim/cgroup")" "$victim_cg"
	for m in $(cg_mounts); do
		assert_equal "$(cat "$m/cx/$R/s/cgroup.procs")" "$pid"
	done
	kill -0 "$pid"
	assert_equal "$(grep -H . "${state_files[@]}" /dev/null)" "$before"
	run -0 cx-cgroup rm --kill -r "$R"
	cg_gone "$R"
}

@test "--set writes only a file the kernel made in NAME: not a cgroup below it, not a read-only file; a limit goes through" {
	require_ctl pids
	run -0 cx-cgroup create "$R/f"
	local dir
	dir=$(cg_dir pids "$R/f")
	# A cgroup below NAME whose name looks like a file.
	mkdir "$dir/pids.fake"
	run -125 cx-cgroup set "$R/f" --set pids.fake=1
	assert_output "cx-cgroup: --set pids.fake: $dir/pids.fake is a cgroup below it, not an interface file of the cgroup"
	[ -d "$dir/pids.fake" ]
	rmdir "$dir/pids.fake"
	run -125 cx-cgroup set "$R/f" --set pids.current=5
	assert_output "cx-cgroup: --set pids.current: $dir/pids.current is read-only: the kernel reports through it, and takes nothing"
	assert_equal "$(cat "$dir/pids.current")" 0
	# All are checked before the first is written.
	run -125 cx-cgroup set "$R/f" --set pids.max=7 --set pids.nothing=1
	assert_output "cx-cgroup: --set pids.nothing: no pids.nothing in $dir: the kernel has no such interface file here"
	assert_equal "$(cat "$dir/pids.max")" max
	# A limit of NAME's own goes through.
	run -0 cx-cgroup set "$R/f" --set pids.max=7
	assert_equal "$(cat "$dir/pids.max")" 7
	if [ -n "$CG_V2" ]; then
		run -0 cx-cgroup set "$R/f" --set cgroup.max.descendants=3
		assert_equal "$(cat "$CG_V2/cx/$R/f/cgroup.max.descendants")" 3
	fi
	run -0 cx-cgroup rm -r "$R"
}

# The script device_rules runs in the cgroup, as root with every
# capability: what it may make and open, one line each; $1 a directory
# of the host's file system, $2 the v1 devices.allow of its cgroup, or
# nothing.
DEVICE_PROBE='
cd "$1"
echo x >/dev/null && echo null-w
head -c 1 /dev/zero >/dev/null && echo zero-r
(: >/dev/zero) 2>/dev/null || echo zero-w-refused
mknod full c 1 7 && echo mknod-full
(: <full) 2>/dev/null || echo full-open-refused
mknod lc c 10 237 2>/dev/null || echo mknod-loop-control-refused
mknod b0 b 7 0 2>/dev/null || echo mknod-block-refused
if [ -n "$2" ]; then
	echo a >"$2" && echo v1-lifted
	(: <full) 2>/dev/null || echo full-open-refused-still
	(: >/dev/zero) 2>/dev/null || echo zero-w-refused-still
fi'

@test "--device-deny/--device-allow: root with every capability makes and opens only the devices the rules leave it: v1's devices.list, v2's program, and on a hybrid host the program holds when v1's rules are lifted" {
	local allow=
	mkdir "$TMP/nodes"
	# On a hybrid host, v1 made the rules and the cgroup2 program too:
	# the script lifts v1's, and the program must refuse alone.
	[ -n "$(cg_v1_mount devices)" ] && [ -n "$(cg_v2_mount)" ] &&
		allow="$(cg_v1_mount devices)/cx/$R/dev/devices.allow"
	run -0 cx-cgroup run --rm --device-deny a --device-allow 'c 1:3 rwm' \
		--device-allow 'c 1:5 r' --device-allow 'c 1:7 m' "$R/dev" \
		sh -c "$DEVICE_PROBE" sh "$TMP/nodes" "$allow"
	assert_line null-w
	assert_line zero-r
	assert_line zero-w-refused
	assert_line mknod-full
	assert_line full-open-refused
	assert_line mknod-loop-control-refused
	assert_line mknod-block-refused
	if [ -n "$allow" ]; then
		assert_line v1-lifted
		assert_line full-open-refused-still
		assert_line zero-w-refused-still
	fi
	# The node is a good one: the refusal was the cgroup's.
	[ -c "$TMP/nodes/full" ]
	: <"$TMP/nodes/full"
	cg_gone "$R"
	# v1 keeps the rules as given, in its words.
	if [ -n "$(cg_v1_mount devices)" ]; then
		run -0 cx-cgroup run --rm --device-deny a --device-allow 'c 1:3' \
			--device-allow 'b 8:* r' --device-allow 'c 136:* wm' "$R/dev" \
			cat "$(cg_v1_mount devices)/cx/$R/dev/devices.list"
		assert_output "$(printf 'c 1:3 rwm\nb 8:* r\nc 136:* wm')"
		# --controllers: the devices hierarchy comes with the rules.
		run -0 cx-cgroup run --rm --controllers pids --device-deny 'c 1:3 w' "$R/dev" \
			sh -c 'grep -c ":/cx/'"$R"'/dev\$" /proc/self/cgroup; cat '"$(cg_v1_mount devices)/cx/$R/dev/devices.list"
		assert_output "$(printf '%s\na *:* rwm' "$(( $([ -n "$(cg_v1_mount pids)" ] && echo 1 || echo 0) + 1 + $([ -n "$(cg_v2_mount)" ] && echo 1 || echo 0) ))")"
	fi
	# Rules that end in an allow of everything leave everything open.
	run -0 cx-cgroup run --rm --device-deny 'c 1:3 w' --device-allow a "$R/dev" \
		sh -c 'echo x >/dev/null && echo null-w'
	assert_output null-w
	# A deny of one access: the others stay.
	run -0 cx-cgroup run --rm --device-deny 'c 1:5 w' "$R/dev" \
		sh -c '(: >/dev/zero) 2>/dev/null || echo zero-w-refused; head -c 1 /dev/zero >/dev/null && echo zero-r'
	assert_output "$(printf 'zero-w-refused\nzero-r')"
	cg_gone "$R"
}

@test "device rules: a malformed or out-of-range rule, set, a cgroup that exists: one line, 125, nothing made or changed" {
	local before
	before=$(base_state)
	run -125 cx-cgroup create "$R/bad" --device-allow 'x 1:3'
	assert_output "cx-cgroup: invalid --device-allow 'x 1:3': a, or TYPE MAJOR:MINOR [ACCESS]: TYPE c or b, MAJOR and MINOR a number or *, ACCESS some of r, w and m"
	run -125 cx-cgroup create "$R/bad" --device-deny 'c 1:3 rx'
	assert_output --partial "cx-cgroup: invalid --device-deny 'c 1:3 rx': "
	run -125 cx-cgroup create "$R/bad" --device-deny 'c 4096:0'
	assert_output "cx-cgroup: invalid --device-deny 'c 4096:0': out of range: a major below 4096, a minor below 1048576"
	run -125 cx-cgroup run --rm --device-deny 'a 1:3 r' "$R/bad" true
	assert_output --partial "invalid --device-deny 'a 1:3 r'"
	cg_gone "$R"
	assert_equal "$(base_state)" "$before"
	run -0 cx-cgroup create "$R/keep" --pids 50
	run -125 cx-cgroup set "$R/keep" --device-deny a
	assert_line --index 0 "cx-cgroup: set: device rules (--device-allow, --device-deny) do not apply (set NAME limits)"
	# A cgroup that exists: refused before any limit is written.
	run -125 cx-cgroup run --rm --pids 40 --device-deny a "$R/keep" true
	assert_output "cx-cgroup: $R/keep: the cgroup exists: device rules (--device-allow, --device-deny) go only to a cgroup this run makes"
	[ "$(cg_backend pids)" = none ] ||
		assert_equal "$(cat "$(cg_dir pids "$R/keep")/pids.max")" 50
	[ -z "$(cg_v1_mount devices)" ] ||
		assert_equal "$(cat "$(cg_v1_mount devices)/cx/$R/keep/devices.list")" "a *:* rwm"
	run -125 cx-cgroup run --rm --device-deny a "$R/keep/sub/.." true
	run -0 cx-cgroup rm -r "$R"
	cg_gone "$R"
}

@test "bad input: attach of a process that does not exist, or a bad PID" {
	run -0 cx-cgroup create "$R/att"
	local gone
	gone=$(sh -c 'echo $$')
	run -125 cx-cgroup attach "$R/att" "$gone"
	assert_output "cx-cgroup: attach $R/att: no process $gone"
	run -125 cx-cgroup attach "$R/att" 12x
	assert_output "cx-cgroup: attach $R/att: invalid PID '12x'"
	run -125 cx-cgroup attach "$R/none" $$
	assert_output "cx-cgroup: $R/none: no such cgroup below /cx"
	cg_gone "$R/none"
	run -0 cx-cgroup rm -r "$R"
}

@test "a step that fails takes back all the call made: a CPU the host lacks, a file it lacks" {
	require_ctl cpuset
	require_ctl memory
	local before
	before=$(base_state)
	# The kernel says EINVAL or ERANGE, depending on its CPU masks.
	run -125 cx-cgroup create "$R/rb" --memory 10M --cpuset 4095
	assert_output --regexp "^cx-cgroup: --cpuset: write 4095 to $(cg_dir cpuset "$R/rb")/cpuset.cpus: (Invalid argument|$ERANGE_TEXT)\$"
	cg_gone "$R"
	assert_equal "$(base_state)" "$before"
	run -125 cx-cgroup create "$R/rb" --set memory.nonexistent=1
	assert_output "cx-cgroup: --set memory.nonexistent: no memory.nonexistent in $(cg_dir memory "$R/rb"): the kernel has no such interface file here"
	cg_gone "$R"
	assert_equal "$(base_state)" "$before"
	# What was there before a failed set stays.
	run -0 cx-cgroup create "$R/rb" --memory 10M
	run -125 cx-cgroup set "$R/rb" --cpuset 4095
	cg_everywhere "$R/rb"
	expect "$R/rb" memory memory.max 10485760 memory.limit_in_bytes 10485760
	run -0 cx-cgroup rm -r "$R"
}

@test "usage: a verb is needed, options belong to their verbs, create refuses what exists" {
	run -125 cx-cgroup
	assert_line --index 0 "cx-cgroup: no verb given (create, set, get, rm, ls, attach, stat, run)"
	assert_line --index 1 "Try 'cx-cgroup --help' for more information."
	run -125 cx-cgroup frob x
	assert_line --index 0 "cx-cgroup: unknown verb 'frob' (create, set, get, rm, ls, attach, stat, run)"
	run -125 cx-cgroup create --kill "$R/u"
	assert_line --index 0 "cx-cgroup: create: --kill does not apply (create [--controllers LIST] NAME [limits])"
	run -125 cx-cgroup rm --memory 1M "$R/u"
	assert_line --index 0 "cx-cgroup: rm: limits (--memory, --cpus, --set...) do not apply (rm [--kill] [--recursive] NAME)"
	run -125 cx-cgroup run "$R/u"
	assert_line --index 0 "cx-cgroup: run: missing operands (run [--rm] [--controllers LIST] [limits] NAME COMMAND [ARG]...)"
	run -125 cx-cgroup set "$R/u"
	assert_line --index 0 "cx-cgroup: set: no limit given (such as --memory 100M)"
	cg_gone "$R"
	run -0 cx-cgroup create "$R/u"
	run -125 cx-cgroup create "$R/u"
	assert_output --regexp "^cx-cgroup: create $R/u: it exists already, at /.*/cx/$R/u( and in other hierarchies)?: cx-cgroup set changes its limits, run uses it as it is, rm removes it\$"
	cg_everywhere "$R/u"
	run -125 cx-cgroup get "$R/u" frob
	assert_line --index 0 "cx-cgroup: get: unknown key 'frob' (a limit such as memory or cpus, or an interface file such as memory.max)"
	run -0 cx-cgroup rm -r "$R"
	# run stops at NAME: the command keeps its options.
	run -0 cx-cgroup run --rm "$R/u" echo --memory 1M
	assert_output "--memory 1M"
	cg_gone "$R"
}

@test "--help names every limit and verb; --version" {
	run -0 cx-cgroup --help
	local o
	for o in memory memory-swap memory-high cpus cpu-weight cpuset pids io-weight set parent rm kill recursive json; do
		assert_line --partial -- "--$o"
	done
	for o in create set get rm ls attach stat run; do
		assert_line --regexp "^  $o "
	done
	run -0 cx-cgroup --version
	assert_output --regexp '^cx-cgroup [0-9]'
}

# --- last ---------------------------------------------------------------------

@test "bad NAME: refused with nothing left, the base made on the way included" {
	local m n before
	# The base goes where this run made it (empty between tests), so
	# that each refusal below must take back the base it makes; a base
	# that was there before the run stays as it is.
	for m in $(cg_mounts); do
		case " $(cat "$BATS_FILE_TMPDIR/base-before") " in
		*" $m "*) ;;
		*) [ ! -d "$m/cx" ] || rmdir "$m/cx" ;;
		esac
	done
	before=$(base_state)
	for n in ../x "$R/./x" "$R/memory.max" "$R/" /x; do
		run -125 cx-cgroup create "$n"
		assert_output --partial "cx-cgroup: invalid NAME '$n': it "
		assert_equal "create $n: $(base_state)" "create $n: $before"
		run -125 cx-cgroup run "$n" /bin/true
		assert_output --partial "cx-cgroup: invalid NAME '$n': it "
		assert_equal "run $n: $(base_state)" "run $n: $before"
		run -125 cx-cgroup run --rm "$n" /bin/true
		assert_output --partial "cx-cgroup: invalid NAME '$n': it "
		assert_equal "run --rm $n: $(base_state)" "run --rm $n: $before"
	done
}

@test "after the run: no test left a cgroup below the base" {
	run -0 cat "$BATS_FILE_TMPDIR/leftovers"
	assert_output ""
	cg_gone "$R"
}
