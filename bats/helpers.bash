# Shared set-up for the scenario tests.  Each test gets its own
# temporary folder with a fresh copy of the busybox rootfs; teardown
# unmounts whatever is still mounted below it, then removes it.

bats_require_minimum_version 1.5.0

# bats sources this file again for every test.  The load.bash of
# bats-support and bats-assert runs dirname in a command substitution
# for each of their files: 15 processes a test, which in the guest of
# make check-cgroup-v2 (TCG) cost seconds.  Their files hold function
# definitions only, so each library's src/*.bash is sourced directly;
# a library laid out otherwise is loaded the usual way.
cx_load_library() {
	local dirs dir f
	IFS=: read -ra dirs <<<"${BATS_LIB_PATH:-/usr/lib/bats}"
	for dir in "${dirs[@]}"; do
		[ -f "$dir/$1/load.bash" ] || continue
		for f in "$dir/$1"/src/*.bash; do
			[ -f "$f" ] || break
			source "$f" || return 1
		done
		[ -f "$f" ] && return 0
		break
	done
	bats_load_library "$1"
}
cx_load_library bats-support
cx_load_library bats-assert

: "${CX_BUILD:?run through make check}"
: "${CX_ROOTFS:?run through make check}"
export PATH="$CX_BUILD:$PATH"

# An errno's text as the tools print it (strerror), a regular
# expression: glibc's words, or musl's.
EBUSY_TEXT='(Device or resource|Resource) busy'
ELOOP_TEXT='(Too many levels of symbolic links|Symbolic link loop)'
ERANGE_TEXT='(Numerical result out of range|Result not representable)'

setup() {
	TMP=$(mktemp -d /tmp/cx-bats.XXXXXX)
	ROOTFS="$TMP/rootfs"
	cp -a "$CX_ROOTFS" "$ROOTFS"
}

# The OCI runtimes' default state directories: podman and the bench run
# runc, crun and cx-oci without --root, and they make these.  A file's
# setup_file notes which are missing (oci_roots_note), its teardown_file
# takes back those its tests made, when empty (oci_roots_restore).
OCI_ROOTS="/run/runc /run/crun /run/cx-oci"
oci_roots_note() {
	local d
	for d in $OCI_ROOTS; do
		[ -e "$d" ] || touch "$BATS_FILE_TMPDIR/made-${d##*/}"
	done
}
oci_roots_restore() {
	local d
	for d in $OCI_ROOTS; do
		if [ -e "$BATS_FILE_TMPDIR/made-${d##*/}" ]; then
			rmdir "$d" 2>/dev/null || :
		fi
	done
}

# Unmount everything below $TMP, the last mounted first, then remove
# it.  Shell builtins only, but for umount and rm: this runs after
# every test.
cleanup_tmp() {
	[ -n "${TMP:-}" ] && [ -d "$TMP" ] || return 0
	local id parent dev root point rest below=() i
	while read -r id parent dev root point rest; do
		case $point in
		"$TMP" | "$TMP"/*) below=("$point" "${below[@]}") ;;
		esac
	done </proc/self/mountinfo
	for point in "${below[@]}"; do
		umount -l "$point" 2>/dev/null
	done
	# A container killed by teardown may still be tearing down its
	# mount namespace, where a directory of $TMP is a mount point (the
	# rootfs bound on itself by a pivot): rmdir says EBUSY until then.
	for ((i = 0; i < 50; i++)); do
		rm -rf "$TMP" 2>/dev/null
		[ -e "$TMP" ] || return 0
		sleep 0.1
	done
	rm -rf "$TMP"
}

# Whether the running kernel is MAJOR.MINOR or later.
kernel_at_least() {
	local r maj min
	r=$(uname -r)
	maj=${r%%.*}
	r=${r#*.}
	min=${r%%[!0-9]*}
	((maj > $1 || (maj == $1 && min >= $2)))
}

# Whether the program $1 is built with AddressSanitizer (SANITIZE=1).
is_asan() {
	readelf -d "$1" 2>/dev/null | grep -q 'libasan'
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

# Wait (up to 30 s: the guest lanes run under emulation, beside another)
# until FILE exists and is not empty.
wait_for_file() {
	local i
	for i in $(seq 300); do
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

# --- processes, for the --kill-child scenarios ---------------------------

# A child of process $1 (that runs $2, when given), after up to 10 s.
child_of() {
	local i c
	for i in $(seq 100); do
		for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
			if [ -z "${2:-}" ] || [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$2" ]; then
				echo "$c"
				return 0
			fi
		done
		sleep 0.1
	done
	return 1
}

# Wait (up to 15 s) until process $1 runs $2 (its comm) as user $3.
wait_for_run_as() {
	local i
	for i in $(seq 150); do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] &&
			grep -q "^Uid:	$3	" "/proc/$1/status" && return 0
		sleep 0.1
	done
	fail "process $1 does not run $2 as $3: $(grep -E '^(Name|Uid|State)' "/proc/$1/status" 2>&1)"
}

# Process $1 leaves /proc within 15 s (killed, and reaped by whoever
# inherited it).  With never-sleep: without running its command first.
assert_gone() {
	local i
	for i in $(seq 150); do
		[ -e "/proc/$1" ] || return 0
		if [ "${2:-}" = never-sleep ] &&
			[ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ]; then
			fail "process $1 ran its command after its parent died"
		fi
		sleep 0.1
	done
	fail "process $1 outlived its parent: $(grep -E '^(Name|Uid|State)' "/proc/$1/status" 2>&1)"
}

# A test helper program built by the Makefile (tests/helper-*.c): a
# scenario that needs one fails, never skips, when it is missing.
require_helper() {
	[ -x "$1" ] || fail "$1 is missing: make BUILD=$CX_BUILD $1"
}

# cx-unshare --pid --kill-child TOOL ARGS... (a cx tool that becomes
# uid 1000, then runs sleep) under strace, which holds setresuid back
# 8 s after the uid has changed, which cleared the parent-death signal:
# cx-unshare is killed inside that window, and the child must die
# without ever running its command.  3 s was too short a window for the
# polling below to see under emulation with a loaded host.
kill_parent_in_id_change() {
	local tool=$1
	strace -f -qq -o /dev/null -e trace=setresuid \
		-e inject=setresuid:delay_exit=8000000 \
		cx-unshare --pid --kill-child "$@" </dev/null >/dev/null 2>&1 3>&- &
	BG_PIDS="$BG_PIDS $!"
	# strace forks a few children of its own to probe ptrace first.
	PARENT=$(child_of "$!" cx-unshare) || fail "strace did not start cx-unshare"
	CHILD=$(child_of "$PARENT") || fail "cx-unshare made no child"
	BG_PIDS="$BG_PIDS $PARENT $CHILD"
	wait_for_run_as "$CHILD" "$tool" 1000
	kill -KILL "$PARENT"
	assert_gone "$CHILD" never-sleep
}

# --- an ordinary user, for the rootless scenarios -------------------------

# A user with a range of subordinate ids in /etc/subuid and /etc/subgid,
# for setup_file; rootless_user_drop removes both, in teardown_file.
RL_USER=cxrootless
RL_FIRST=420000
RL_COUNT=65536

rootless_user_add() {
	command -v newuidmap >/dev/null || {
		echo "newuidmap is missing: apt-get install uidmap" >&2
		return 1
	}
	rootless_user_drop
	useradd --no-create-home --home-dir / --shell /bin/sh \
		-K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$RL_USER"
	usermod --add-subuids "$RL_FIRST-$((RL_FIRST + RL_COUNT - 1))" \
		--add-subgids "$RL_FIRST-$((RL_FIRST + RL_COUNT - 1))" "$RL_USER"
}

rootless_user_drop() {
	if id "$RL_USER" >/dev/null 2>&1; then
		usermod --del-subuids "$RL_FIRST-$((RL_FIRST + RL_COUNT - 1))" \
			--del-subgids "$RL_FIRST-$((RL_FIRST + RL_COUNT - 1))" \
			"$RL_USER" 2>/dev/null || true
		userdel "$RL_USER"
	fi
	# A group of that name an interrupted run left behind.
	if getent group "$RL_USER" >/dev/null; then
		groupdel "$RL_USER"
	fi
}

# Its ids, once it exists.
rootless_ids() {
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
}

# Run the rest as the user, with no capability and no group of root's.
as_user() {
	setpriv --reuid "$RL_USER" --regid "$RL_USER" --init-groups \
		--inh-caps=-all env HOME=/ "$@"
}

# podman with every state of its own below $TMP (storage, run root, temp
# and network dirs; the vfs driver mounts nothing), the runtime given
# with --runtime, and a cgroup parent named for the test, taken back after.
podman_here() {
	cat >"$TMP/containers.conf" <<-EOF
	[containers]
	default_ulimits = []
	[engine]
	tmp_dir = "$TMP/podman-tmp"
	[network]
	network_config_dir = "$TMP/podman-net"
	EOF
	CONTAINERS_CONF="$TMP/containers.conf" podman --root "$TMP/podman-root" \
		--runroot "$TMP/podman-run" --storage-driver vfs \
		--cgroup-manager cgroupfs --events-backend none "$@"
}

# Remove every cgroup (in every hierarchy) whose path has a component
# that starts with $1, the deepest first; those still in use stay.
rmdir_cgroups() {
	local d
	for d in $(find /sys/fs/cgroup -depth -type d -path "*/$1*" 2>/dev/null); do
		rmdir "$d" 2>/dev/null
	done
	return 0
}

# After podman_here: wait until no process of it is left, then remove the
# cgroups below /CG and fail, naming what holds one, if any stays.  conmon
# waits for its exit command (podman container cleanup), which runs in
# conmon's cgroup, so that cgroup empties only when both are gone; on a
# loaded machine that takes many seconds.  Up to 120 s, most of it only
# when something is wrong.
podman_settle() {
	local cg=$1 d i left procs
	for ((i = 0; i < 1200; i++)); do
		pgrep -f -- "$TMP/podman-root" >/dev/null || break
		sleep 0.1
	done
	for ((i = 0; i < 50; i++)); do
		rmdir_cgroups "$cg"
		left=$(find /sys/fs/cgroup -type d -path "*/$cg*" 2>/dev/null)
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	for d in $left; do
		procs=$(paste -sd, "$d/cgroup.procs" 2>/dev/null)
		echo "# $d holds: ${procs:+$(ps -o pid=,args= -p "$procs" | tr '\n' ';')}" >&2
	done
	echo "# podman's own processes: $(pgrep -af -- "$TMP/podman-root" | tr '\n' ';')" >&2
	return 1
}
