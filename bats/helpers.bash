# Shared set-up for the scenario tests.  Each test gets its own
# temporary folder with a fresh copy of the busybox rootfs; teardown
# unmounts whatever is still mounted below it, then removes it.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

: "${CX_BUILD:?run through make check}"
: "${CX_ROOTFS:?run through make check}"
export PATH="$CX_BUILD:$PATH"

setup() {
	TMP=$(mktemp -d /tmp/cx-bats.XXXXXX)
	ROOTFS="$TMP/rootfs"
	cp -a "$CX_ROOTFS" "$ROOTFS"
}

# Unmount everything below $TMP, deepest first, then remove it.
cleanup_tmp() {
	[ -n "${TMP:-}" ] && [ -d "$TMP" ] || return 0
	awk -v t="$TMP" '$5 == t || index($5, t "/") == 1 { print $5 }' \
		/proc/self/mountinfo | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$TMP"
}

# PID and every process below it, deepest first.
process_tree() {
	local child
	for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		process_tree "$child"
	done
	echo "$1"
}

teardown() {
	# Processes a test left behind (a background container), with all
	# their descendants: a --fork child outlives a killed parent.
	local pid tree=""
	for pid in ${BG_PIDS:-}; do
		tree="$tree $(process_tree "$pid")"
	done
	if [ -n "${tree// /}" ]; then
		kill -STOP $tree 2>/dev/null
		kill -KILL $tree 2>/dev/null
		wait ${BG_PIDS:-} 2>/dev/null
	fi
	cleanup_tmp
}

# The inode of /proc/PID/ns/KIND (PID defaults to self).
ns_ino() {
	stat -L -c %i "/proc/${2:-self}/ns/$1"
}

# The number of lines in the host's mountinfo that name a path below $TMP.
mounts_below_tmp() {
	awk -v t="$TMP" 'index($5, t) == 1' /proc/self/mountinfo | wc -l
}

# Wait (up to 5 s) until FILE exists and is not empty.
wait_for_file() {
	local i
	for i in $(seq 50); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# Skip when the tools were built dynamically: they cannot run inside a
# busybox rootfs, which has no C library.
require_static_tools() {
	if ! file -L "$CX_BUILD/cx-unshare" | grep -q 'static'; then
		skip "the tools are dynamically linked (SHARED=1 or SANITIZE=1) and cannot run inside the rootfs"
	fi
}
