#!/usr/bin/env bats
# Attacks on the containment, from root inside a container that keeps
# CAP_SYS_PTRACE (and most often every capability), in the two shapes
# that broke runc out of its containers:
#
#   exe  CVE-2019-5736: a cx tool visible in the container runs the
#        host's file; the container opens /proc/PID/exe with O_PATH and,
#        once the tool has moved on, reopens it for writing
#        (tests/helper-grab.c, which takes every executable that lies
#        on no mount of the container's).  cx-nsenter's child, the
#        container's init, the "#!/proc/self/exe" script.
#   root the same init: /proc/1/root and /proc/1/cwd.
#   wait a process that only waits for its command (cx-cgroup run
#        --rm, a nested cx-unshare --fork), in the container's PID
#        namespace: /proc/1/root, /proc/1/fd, its namespaces.
#   wd   CVE-2024-21626: a working directory given as /proc/self/fd/N
#        lands on a descriptor a cx tool holds of the host (its tool
#        directory), and "../../.." is the host's tree.
#
# Each attack runs against a copy of the build's tools in $TMP/bin (a
# successful one must not corrupt the build), with the tools on a
# writable directory, on a read-only bind mount, and under helper-nosys
# (no open_tree, mount_setattr, openat2: the fallback paths).

bats_require_minimum_version 1.5.0

load helpers

HELPER_GRAB="$CX_BUILD/tests/helper-grab"
HELPER_NOSYS="$CX_BUILD/tests/helper-nosys"

# How many times a race is run: 50 on a host; the cgroup v2 lane, where
# each of those runs costs about 30 times as much under emulation, runs
# fewer (CX_ROUNDS), for what 6.1 does differently, not for the race.
ROUNDS=${CX_ROUNDS:-50}

# The sha256 of every cx tool: the copies the attack runs, and the build.
tool_sums() {
	sha256sum "$TMP"/bin/cx-* "$CX_BUILD"/cx-*
}

# The attack's tools: a copy of the build's, first on PATH, in MODE:
#   writable  a plain directory
#   ro        a read-only bind mount of it
#   nosys     the plain directory, and every cx tool run under
#             helper-nosys (the prefix in NOSYS, an array)
# SUMS holds tool_sums from before the attack.
use_tools() {
	require_static_tools
	mkdir "$TMP/bin"
	cp "$CX_BUILD"/cx-* "$TMP/bin/"
	SUMS=$(tool_sums)
	NOSYS=()
	case $1 in
	writable)
		PATH="$TMP/bin:$PATH" ;;
	ro)
		mkdir "$TMP/ro"
		mount --bind "$TMP/bin" "$TMP/ro"
		mount -o remount,bind,ro "$TMP/ro"
		# The kernel's word that it is read-only.
		[ "$(findmnt -n -o OPTIONS --target "$TMP/ro/cx-nsenter" | cut -d, -f1)" = ro ] ||
			fail "the bind mount of $TMP/bin is not read-only"
		PATH="$TMP/ro:$PATH" ;;
	nosys)
		require_helper "$HELPER_NOSYS"
		NOSYS=("$HELPER_NOSYS")
		PATH="$TMP/bin:$PATH" ;;
	*)
		fail "use_tools: unknown mode $1" ;;
	esac
	export PATH
}

# --- exe: the grabber ---------------------------------------------------

# Run CHAIN..., a container whose last link is helper-grab with
# --ready /ready, in the background: its output in $TMP/NAME.out, its
# PID in BG_NAME.  Ready once ROOT/ready is written.
start_bg() {
	local name=$1 root=$2
	shift 2
	timeout 120 "$@" >"$TMP/$name.out" 2>&1 &
	declare -g "BG_$name=$!"
	BG_PIDS="$BG_PIDS $!"
	wait_for_file "$root/ready" ||
		fail "the $name did not start: $(cat "$TMP/$name.out")"
}

# Tell NAME to finish (ROOT/FILE; it tries the writes once more), wait
# for its container to end with status 0, and put its summary line, the
# one that starts KEY=, in SUMMARY.
finish_bg() {
	local name=$1 root=$2 file=$3 key=$4 pid st=0
	pid=BG_$name
	pid=${!pid}
	touch "$root/$file"
	wait "$pid" || st=$?
	BG_PIDS=${BG_PIDS/ $pid/}
	echo "# $name: $(cat "$TMP/$name.out")"
	assert_equal "$name status $st" "$name status 0"
	SUMMARY=$(grep "^$key=" "$TMP/$name.out") ||
		fail "no summary from the $name: $(cat "$TMP/$name.out")"
}

# A container whose PID 1 is the grabber: CHAIN... up to it.  PID holds
# the host PID from the chain's --pidfile.
start_grabber() {
	require_helper "$HELPER_GRAB"
	cp "$HELPER_GRAB" "$ROOTFS/grab"
	start_bg grabber "$ROOTFS" "$@"
	# cx-unshare fills the pidfile before the command runs.
	PID=$(cat "$TMP/pid")
	[[ $PID =~ ^[0-9]+$ ]] || fail "no PID in $TMP/pid: '$PID'"
}

# The common chain up to the grabber, which is PID 1 of the container,
# with every capability root has.
grab_chain() {
	GRAB_CHAIN=(cx-unshare --mount --pid --fork --pidfile "$TMP/pid"
		cx-chroot --pivot "$ROOTFS" cx-unshare --mount-proc)
}

# Run cx-nsenter -t PID ARGS... COUNT times on the host, each under
# `timeout`; STATUSES holds the exit statuses, space-separated, of the
# runs that were not denied an exec by the attack itself (BUSY counts
# those).  The kernel takes a file's write access before it checks the
# mount is read-only: each of the grabber's tries to open a tool for
# writing (which fails, EROFS) holds that access for an instant, and an
# exec of the same file then fails with ETXTBSY.  That is the container
# refusing itself a run, not a write: such a run is told by "Text file
# busy" and left out of STATUSES.
nsenter_loop() {
	local count=$1 i st out
	shift
	STATUSES=""
	BUSY=0
	for i in $(seq "$count"); do
		st=0
		# Generous: the cgroup v2 lane runs under TCG emulation.
		out=$(timeout 60 "${NOSYS[@]}" cx-nsenter -t "$PID" "$@" 2>&1) ||
			st=$?
		printf '%s\n' "$out" >>"$TMP/nsenter.out"
		if [ "$st" -ne 0 ] && [[ $out == *"Text file busy"* ]]; then
			BUSY=$((BUSY + 1))
			continue
		fi
		STATUSES+="$st "
	done
	echo "# runs denied an exec by the grabber (ETXTBSY): $BUSY of $count"
	# Most runs must get through, or the attack tested nothing.
	[ $((BUSY * 5)) -le "$count" ] ||
		fail "$BUSY of $count runs were denied an exec (ETXTBSY)"
}

# N copies of WORD, space-separated with a trailing space.
repeat_word() {
	local i out=""
	for i in $(seq "$1"); do
		out+="$2 "
	done
	echo "$out"
}

# The grabber's last tries (nothing runs the tools now) and its summary
# in GRAB.
stop_grabber() {
	echo "# cx-nsenter statuses: $STATUSES"
	echo "# cx-nsenter output (end): $(tail -n 3 "$TMP/nsenter.out" 2>/dev/null)"
	finish_bg grabber "$ROOTFS" stop grabbed
	GRAB=$SUMMARY
}

# The number after NAME= in the summary line SUMMARY.
field() {
	sed -n "s/^\(.* \)\{0,1\}$1=\([0-9]*\).*/\2/p" <<<"$2"
}

# The grabber saw a cx tool and held it (so the test can fail), tried to
# write it after the process had gone, and never could: no writable
# opening of a file that is not write-sealed, no byte written.  And the
# tools are what they were.
assert_grabbed_not_written() {
	[ "$(field grabbed "$GRAB")" -gt 0 ] ||
		fail "the grabber never saw a cx tool in the container: $GRAB"
	[ "$(field tried_after_exit "$GRAB")" -gt 0 ] ||
		fail "no write was tried after a grabbed tool had exited: $GRAB"
	assert_equal "opened_for_write=$(field opened_for_write "$GRAB")" opened_for_write=0
	assert_equal "wrote=$(field wrote "$GRAB")" wrote=0
	assert_equal "$(tool_sums)" "$SUMS"
}

# The exe attack on cx-nsenter's child: a container whose PID 1 is the
# grabber (with every capability, or with PREFIX... before it, as
# cx-caps --drop sys_admin), and ROUNDS cx-nsenter -a --root /bin/true.
exe_attack_nsenter() {
	grab_chain
	start_grabber "${NOSYS[@]}" "${GRAB_CHAIN[@]}" "$@" /grab --ready /ready \
		--stop /stop --seconds 100 --remount
	CAPEFF=$(sed -n 's/^CapEff:\t//p' "/proc/$PID/status")
	nsenter_loop "$ROUNDS" -a --root /bin/true
	stop_grabber
	assert_grabbed_not_written
	assert_equal "$STATUSES" "$(repeat_word $((ROUNDS - BUSY)) 0)"
}

@test "exe: cx-nsenter's child cannot be rewritten by a container with every capability" {
	use_tools writable
	exe_attack_nsenter
	# CAP_SYS_PTRACE (19) opens /proc/PID/exe of any process;
	# CAP_SYS_ADMIN (21) would let it make a mount writable.
	assert_equal "$(((0x$CAPEFF >> 19) & 1)) $(((0x$CAPEFF >> 21) & 1))" "1 1"
}

@test "exe: cx-nsenter's child cannot be rewritten by a container without CAP_SYS_ADMIN" {
	use_tools writable
	exe_attack_nsenter cx-caps --drop sys_admin
	# The grabber had CAP_SYS_PTRACE (19), and not CAP_SYS_ADMIN (21).
	assert_equal "$(((0x$CAPEFF >> 19) & 1)) $(((0x$CAPEFF >> 21) & 1))" "1 0"
}

@test "exe: the tool directory a joined chain holds cannot be made writable, with every capability" {
	use_tools writable
	grab_chain
	start_grabber "${GRAB_CHAIN[@]}" /grab --ready /ready --stop /stop \
		--seconds 100 --remount
	# Two cx tools after the join: the first holds the tool directory
	# for the second, in sight of the grabber.
	nsenter_loop "$ROUNDS" -a --root cx-unshare --uts cx-caps --drop chown /bin/true
	stop_grabber
	assert_grabbed_not_written
	[ "$(field dirs "$GRAB")" -gt 0 ] ||
		fail "the grabber never saw a tool directory: $GRAB"
	assert_equal "remounted=$(field remounted "$GRAB")" remounted=0
	assert_equal "$STATUSES" "$(repeat_word $((ROUNDS - BUSY)) 0)"
}

@test "exe: cx-nsenter's child cannot be rewritten, tools on a read-only bind mount" {
	use_tools ro
	exe_attack_nsenter
}

@test "exe: cx-nsenter's child cannot be rewritten, under helper-nosys (the fallback paths)" {
	use_tools nosys
	exe_attack_nsenter
}

@test "exe: '#!/proc/self/exe' run by cx-nsenter --root hands no host cx-nsenter to the container" {
	use_tools writable
	# The kernel runs a script's interpreter by path, in the process
	# that execs it: /proc/self/exe is then cx-nsenter's own file,
	# executed again inside the container.  It refuses "/evil" as a
	# usage error.
	printf '#!/proc/self/exe\n' >"$ROOTFS/evil"
	chmod 755 "$ROOTFS/evil"
	grab_chain
	start_grabber "${GRAB_CHAIN[@]}" /grab --ready /ready --stop /stop \
		--seconds 100 --remount
	nsenter_loop "$ROUNDS" -a --root /evil
	stop_grabber
	assert_grabbed_not_written
	assert_equal "$STATUSES" "$(repeat_word $((ROUNDS - BUSY)) 125)"
	assert_equal "$(grep -c '^cx-nsenter: no namespace to join' "$TMP/nsenter.out")" $((ROUNDS - BUSY))
}

# --- exe: the container's init ------------------------------------------

# The init lives as long as the container: while it runs, its file is
# busy (ETXTBSY).  So the grabber hands what it grabbed, by an abstract
# socket, to a second container that outlives the first (a sibling
# sharing the host's network namespace), which tries the writes once
# the first container has gone.  The second container runs the build's
# tools, not the attacked copies.
start_receiver() {
	ROOTFS2="$TMP/rootfs2"
	cp -a "$CX_ROOTFS" "$ROOTFS2"
	cp "$HELPER_GRAB" "$ROOTFS2/grab"
	SOCK="@cx-grab.${TMP##*/}"
	PATH="$CX_BUILD:$PATH" start_bg receiver "$ROOTFS2" \
		cx-unshare --mount --pid --fork \
		cx-chroot --pivot "$ROOTFS2" cx-unshare --mount-proc \
		/grab --receive "$SOCK" --ready /ready --stop /go --seconds 100 \
		--remount
}

# CHAIN... runs a container whose init is a cx tool and whose command is
# the grabber; it grabs the init for 2 s and sends it on.
init_attack() {
	require_helper "$HELPER_GRAB"
	cp "$HELPER_GRAB" "$ROOTFS/grab"
	start_receiver
	run -0 timeout 120 "$@" /grab --count 1 --seconds 2 --send "$SOCK"
	finish_bg receiver "$ROOTFS2" go received
	RECV=$SUMMARY
	# The grabber found the init, PID 1 (a cx-unshare), run from
	# outside the container; while the container lived it could not
	# write it.
	assert_line --regexp '^grab pid=1 '
	assert_line sent=1
	GRAB=$(grep '^grabbed=' <<<"$output")
	assert_equal "$(field grabbed "$GRAB") $(field held "$GRAB")" "1 1"
	assert_equal "opened_for_write=$(field opened_for_write "$GRAB")" opened_for_write=0
	assert_equal "wrote=$(field wrote "$GRAB")" wrote=0
	# Nor could the sibling, after the container had gone.
	assert_equal "received=$(field received "$RECV")" received=1
	assert_equal "opened_for_write=$(field opened_for_write "$RECV")" opened_for_write=0
	assert_equal "wrote=$(field wrote "$RECV")" wrote=0
	assert_equal "$(tool_sums)" "$SUMS"
}

@test "exe: the init cx-unshare --init before the root change cannot be rewritten, during the container nor after" {
	use_tools writable
	init_attack cx-unshare --mount --pid --init cx-chroot --pivot "$ROOTFS" \
		cx-unshare --mount-proc
}

@test "exe: the init cx-unshare --pid --init after the root change cannot be rewritten, during the container nor after" {
	use_tools writable
	init_attack cx-unshare --mount --fork cx-chroot --pivot "$ROOTFS" \
		cx-unshare --pid --init --mount-proc
}

@test "exe: the init after the root change, under helper-nosys (a sealed copy)" {
	use_tools nosys
	init_attack "${NOSYS[@]}" cx-unshare --mount --fork cx-chroot \
		--pivot "$ROOTFS" cx-unshare --pid --init --mount-proc
}

@test "root: the init cx-unshare --init before the root change shows the container no host directory" {
	use_tools writable
	local inside host_dev
	inside=$(stat -c %d:%i "$ROOTFS")
	host_dev=$(stat -c %d /)
	# From /proc/1/root/ and /proc/1/cwd/, ".." climbs to the top of
	# the tree the init's root and working directory belong to.
	local up=/../../../../../../../../../../../../../../../..
	run -0 cx-unshare --mount --pid --init cx-chroot --pivot "$ROOTFS" \
		cx-unshare --mount-proc /bin/sh -c "
			for l in root cwd; do
				echo \"\$l=\$(stat -c %d:%i /proc/1/\$l$up 2>/dev/null || echo denied)\"
			done
			ls /proc/1/root/ 2>&1 | tr '\n' ' '"
	echo "# $output"
	local l v
	for l in root cwd; do
		v=$(sed -n "s/^$l=//p" <<<"$output")
		# Denied, the container's root, or a directory on another
		# file system than the host's root (an empty one, say).
		[ "$v" = denied ] || [ "$v" = "$inside" ] || [ "${v%%:*}" != "$host_dev" ] ||
			fail "/proc/1/$l leads to $v on the host's root file system (the host's / is $(stat -c %d:%i /)): $output"
	done
}

# A plain chroot into a mount point (--root of a bind mount): the root
# is a mount point, but not the top of the mount namespace.  Where the
# init leaves for a namespace of its own (no clone3 here), pivot_root
# from there would put its tmpfs where the bind was, with the host's
# tree above it: ".." from /proc/1/root would climb into it.  It starts
# from the namespace's top.
@test "root: the init under a plain chroot into a mount point shows the container nothing above its empty root" {
	use_tools writable
	require_helper "$CX_BUILD/tests/helper-noclone3"
	mkdir "$TMP/mp"
	mount --bind "$ROOTFS" "$TMP/mp"
	run "$CX_BUILD/tests/helper-noclone3" cx-unshare --mount --pid --init \
		--root "$TMP/mp" --mount-proc /bin/sh -c '
			echo "up=$(ls -A /proc/1/root/.. | tr "\n" " ")"
			echo "top=$(stat -c %d:%i /proc/1/root/../../../..)"'
	umount "$TMP/mp"
	echo "# $output"
	assert_equal "$status" 0
	assert_line "up="
	assert_line --regexp '^top=[0-9]+:[0-9]+$'
	refute_line "top=$(stat -c %d:%i /)"
}

# The init (a cx-unshare made before the root change) makes the command
# sharing its descriptor table, and holds its own root and working
# directory, the host's, until the command has them.  If it held them
# after the command's exec, /proc/1/fd/N would be the host's tree for
# every process of the container until the init got the CPU again.
# strace holds the init for 5 s on its way back from the clone3 that
# made the command (300 ms was too short for the chain to reach the
# probe in the guest that emulates its CPU): /proc/1/stat says "t"
# (traced) while the container looks.  Under helper-noclone3 (no
# clone3: the init takes its root back and forks a command that waits)
# nothing may be there either; that round covers the way taken, not
# the window, which strace cannot hold open there.
@test "fd: the init holds no descriptor of the host's tree while the container runs, even when it is slow to close them (strace holds it)" {
	use_tools writable
	require_helper "$CX_BUILD/tests/helper-noclone3"
	command -v strace >/dev/null || fail "strace is needed"
	local probe='
		state=$(cut -d" " -f3 /proc/1/stat)
		n=0
		for f in /proc/1/fd/*; do
			if [ -d "$f" ] || [ -d "$f/" ]; then n=$((n + 1)); ls "$f/" | head -3; fi
		done
		echo "init $state dirs $n"'
	run -0 strace -f -o /dev/null -e trace=clone3 -e inject=clone3:delay_exit=5000000 \
		cx-unshare --mount --pid --init cx-chroot --pivot "$ROOTFS" \
		cx-unshare --mount-proc /bin/sh -c "$probe"
	assert_output "init t dirs 0"
	run -0 "$CX_BUILD/tests/helper-noclone3" \
		cx-unshare --mount --pid --init cx-chroot --pivot "$ROOTFS" \
		cx-unshare --mount-proc /bin/sh -c "$probe"
	assert_output --regexp '^init [SR] dirs 0$'
}

# With --pidfile the parent keeps what it needs to write and remove the
# pidfile (its directory, and the host's proc to name the init's child):
# the init, PID 1 of the container, must hold neither.  A root process
# in the container with every capability would open them through
# /proc/1/fd, and from the host's proc reach /proc/PID/root of any host
# process.
@test "fd: the init of cx-unshare --init --pidfile holds neither the pidfile's directory nor the host's proc" {
	use_tools writable
	require_helper "$CX_BUILD/tests/helper-noclone3"
	local probe='
		n=0
		for f in /proc/1/fd/*; do
			if [ -d "$f" ] || [ -d "$f/" ]; then n=$((n + 1)); ls "$f/" | head -3; fi
		done
		echo "dirs $n"'
	local pre
	for pre in "" "$CX_BUILD/tests/helper-noclone3"; do
		# shellcheck disable=SC2086
		run -0 $pre cx-unshare --mount --pid --init --pidfile "$TMP/pid" \
			cx-chroot --pivot "$ROOTFS" cx-unshare --mount-proc \
			/bin/sh -c "$probe"
		assert_output "dirs 0"
		assert [ ! -e "$TMP/pid" ]
	done
}

# An init after the root change is handed the tool directory (the
# read-only view of the host's directory of the cx tools) to run the
# next link.  Its command, made vfork's way, shares its memory until the
# exec and unset there the variable that named the descriptor: the init
# no longer found it to let go of, and a root process in the container
# read the host's tool directory through /proc/1/fd as long as the
# container lived.  The init lets go before it makes a command that is
# no cx tool, and after it made one that is; both ways of making it.
@test "fd: an init after the root change holds no descriptor of the tool directory" {
	use_tools writable
	require_helper "$CX_BUILD/tests/helper-noclone3"
	# All the init's descriptors are counted too: a /proc/1/fd that
	# could not be read would count no directory either.
	local probe='
		a=0 n=0
		for f in /proc/1/fd/*; do
			[ -e "$f" ] && a=$((a + 1))
			if [ -d "$f/" ]; then n=$((n + 1)); ls "$f/" | head -3; fi
		done
		echo "fds $a dirs $n"'
	local pre tail
	for pre in "" "$CX_BUILD/tests/helper-noclone3"; do
		# The init's command: a shell (the init mounts proc), or a
		# cx tool that mounts it and runs the shell.
		for tail in "--mount-proc" "cx-unshare --mount-proc"; do
			# shellcheck disable=SC2086
			run -0 $pre cx-unshare --mount --fork \
				cx-chroot --pivot "$ROOTFS" \
				cx-unshare --pid --init $tail /bin/sh -c "$probe"
			[[ $output =~ ^fds\ [3-9][0-9]*\ dirs\ 0$ ]] ||
				fail "${pre:-vfork} $tail: $output"
		done
	done
}

# --- wait: a process that only waits, in the container's sight ---------

# cx-cgroup run --rm waits for its command to remove the cgroup, and so
# does a cx-unshare --fork that makes no PID namespace.  Placed after
# cx-unshare --pid --fork they are processes of the container (PID 1
# here), and a process there with every capability reaches what they
# hold through /proc/PID: their root and working directory (the host's
# tree, before cx-chroot), their descriptors, and with nsenter their
# namespaces (the host's mounts, network, hostname, IPC).  Each leaves
# all of that before its command may run.
#
# The probe, root in the container: what PID 1 is; what its root and
# working directory hold and the device ".." climbs to from them; the
# directories among its descriptors; its network, UTS and IPC
# namespaces; and the root a setns into its mount namespace gives
# (nsenter runs a shell from there, which the host's tree has).
WAIT_PROBE='
up=/../../../../../../../../../../../../../../../..
echo "comm=$(cat /proc/1/comm)"
for l in root cwd; do
	echo "$l=$(ls -A /proc/1/$l/ | tr "\n" " ")"
	echo "${l}dev=$(stat -c %d /proc/1/$l$up)"
done
n=0
for f in /proc/1/fd/*; do [ -d "$f/" ] && n=$((n + 1)); done
echo "dirs=$n"
for ns in net uts ipc; do echo "$ns=$(stat -L -c %i /proc/1/ns/$ns)"; done
echo "mnt=$(nsenter -t 1 -m /bin/sh -c "stat -c %d:%i /" 2>/dev/null)"
exit 3'

# After `run` of a chain that ends in WAIT_PROBE: PID 1 is COMM, and it
# holds nothing of the host's.
judge_waiter() {
	local comm=$1 l
	echo "# $output"
	assert_equal "$status" 3
	assert_line "comm=$comm"
	for l in root cwd; do
		# An empty tmpfs, with at most the skeleton of the cgroup
		# mount points it mounts on at the end.
		assert_line --regexp "^$l=(sys )?\$"
		# The probe could look (a number), and it is not the host's.
		assert_line --regexp "^${l}dev=[0-9]+\$"
		refute_line "${l}dev=$(stat -c %d /)"
	done
	assert_line "dirs=0"
	for l in net uts ipc; do
		assert_line --regexp "^$l=[0-9]+\$"
		refute_line "$l=$(stat -L -c %i /proc/self/ns/$l)"
	done
	assert_line "mnt="
}

# NAME is in no hierarchy.
waiter_cgroup_gone() {
	local left
	left=$(find /sys/fs/cgroup -maxdepth 4 -type d -path "*/cx/$1")
	assert_equal "$left" ""
}

@test "wait: cx-cgroup run --rm inside the container's PID namespace holds nothing of the host's, and still removes its cgroup" {
	use_tools writable
	require_helper "$CX_BUILD/tests/helper-noclone3"
	command -v strace >/dev/null || fail "strace is needed"
	local name="bats-wait-$BATS_ROOT_PID" pre
	# strace holds the waiter 5 s on its way back from the clone3 that
	# made the command: the command must wait until it has left.  The
	# other rounds: no clone3 (a forked child that joins), and no new
	# mount API (mount(2) for its tmpfs).
	for pre in "strace -f -o /dev/null -e trace=clone3 -e inject=clone3:delay_exit=5000000" \
		"" "$CX_BUILD/tests/helper-noclone3" "$HELPER_NOSYS"; do
		run $pre cx-unshare --pid --mount --fork \
			cx-cgroup run --rm --pids 50 "$name" \
			cx-chroot --pivot "$ROOTFS" \
			cx-unshare --mount-proc --net --uts --ipc /bin/sh -c "$WAIT_PROBE"
		judge_waiter cx-cgroup
		waiter_cgroup_gone "$name"
	done
	# Where it could not come back to the cgroups, it refuses before
	# it makes anything: in a user namespace (no cgroup mount there),
	# and in a cgroup namespace whose root is not the hierarchy's (a
	# new mount would show another cgroup).  The cx bases stay as
	# they were (where none was, none is made).
	local bases
	bases=$(find /sys/fs/cgroup -maxdepth 2 -type d -name cx | sort)
	run -125 cx-unshare --map-root-user --pid --mount --fork \
		cx-cgroup run --rm --pids 50 "$name" /bin/true
	assert_output --regexp "^cx-cgroup: run --rm: .* which a user namespace does not allow"
	waiter_cgroup_gone "$name"
	# Under a plain chroot into a directory that is no mount point.
	# It has /proc and the cgroups in sight, bound from the host.
	mountpoint -q "$ROOTFS" && fail "$ROOTFS is a mount point"
	# shellcheck disable=SC2016
	run -125 cx-unshare --pid --mount --fork /bin/sh -c \
		'mount --rbind /sys "$1/sys" && mount -t proc proc "$1/proc" &&
		exec cx-chroot "$1" cx-cgroup run --rm --pids 50 "$2" /bin/true' \
		sh "$ROOTFS" "$name"
	assert_output --regexp "^cx-cgroup: run --rm: .* which a root that is no mount point \(a plain chroot\) does not allow"
	waiter_cgroup_gone "$name"
	local sub=/sys/fs/cgroup/pids/$name-sub
	[ -d /sys/fs/cgroup/pids ] || sub=/sys/fs/cgroup/$name-sub
	mkdir "$sub"
	run -125 sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$sub" \
		cx-unshare --pid --cgroup --mount --fork \
		cx-cgroup run --rm --controllers pids --pids 50 "$name" /bin/true
	rmdir "$sub"
	assert_output --regexp "^cx-cgroup: run --rm: .* shows the cgroup /\.\., not the root of our cgroup namespace"
	waiter_cgroup_gone "$name"
	assert_equal "$(find /sys/fs/cgroup -maxdepth 2 -type d -name cx | sort)" "$bases"
}

@test "wait: run --rm as the container's PID 1 ends it before it mounts the cgroups again" {
	use_tools writable
	command -v strace >/dev/null || fail "strace is needed"
	local name="bats-wait-end-$BATS_ROOT_PID"
	# The command leaves a process behind that looks for a cgroup file
	# under PID 1's root, where the waiter mounts the hierarchies again
	# once the command has ended; strace holds every mount(2) 0.3 s on
	# its way back, so that such a process has all the time it needs.
	# It must have been killed before: it never sees one (it could
	# look there all along: what it first saw is checked).
	# shellcheck disable=SC2016
	local cmd='(ls -A /proc/1/root/ >"$1/root"; echo alive >"$1/alive"
		while :; do
			if find /proc/1/root/sys/fs/cgroup -name cgroup.procs 2>/dev/null | grep -q .; then
				echo seen >"$1/seen"; exit 0
			fi
		done) &
	until [ -s "$1/alive" ]; do :; done
	exit 3'
	run -3 strace -f -o /dev/null -e trace=mount -e inject=mount:delay_exit=300000 \
		cx-unshare --pid --mount --fork \
		cx-cgroup run --rm --pids 50 "$name" \
		cx-unshare --mount-proc /bin/sh -c "$cmd" sh "$TMP"
	assert_equal "$(cat "$TMP/alive")" alive
	# It could look under PID 1's root: the skeleton of mount points.
	assert_equal "$(cat "$TMP/root")" sys
	[ ! -e "$TMP/seen" ] || fail "a process the command left saw the cgroups: $(cat "$TMP/seen")"
	waiter_cgroup_gone "$name"
}

@test "wait: a cx-unshare --fork without --pid inside the container's PID namespace holds nothing of the host's" {
	use_tools writable
	local pre
	for pre in "" "$HELPER_NOSYS"; do
		run $pre cx-unshare --pid --mount --fork \
			cx-unshare --cgroup --fork \
			cx-chroot --pivot "$ROOTFS" \
			cx-unshare --mount-proc --net --uts --ipc /bin/sh -c "$WAIT_PROBE"
		judge_waiter cx-unshare
	done
	# Its pidfile's directory it would hold: refused, nothing made.
	run -125 cx-unshare --pid --mount --fork \
		cx-unshare --uts --fork --pidfile "$TMP/wait.pid" /bin/true
	assert_line --index 0 --partial "--pidfile with --fork and no --pid, in a container's PID namespace"
	[ ! -e "$TMP/wait.pid" ]
}

# --- wd: /proc/self/fd/N as the working directory ------------------------

# A shell that tells where it is: its root, three levels up, and the top
# of the tree it can climb to; and what it sees three levels up.
UP=../../../../../../../../../../../../../../../../../../../..
PROBE='echo "root=$(stat -c %d:%i /)"; echo "up=$(stat -c %d:%i ../../..)"; echo "top=$(stat -c %d:%i '"$UP"')"; ls ../../.. | tr "\n" " "; echo'

# Run COMMAND... with none of our descriptors above 2: the only
# /proc/self/fd/N that exist are the cx tools' own.
bare() (
	for fd in $(seq 3 30); do
		eval "exec $fd>&-"
	done
	exec "$@"
)

# After `run` of a chain that ends in PROBE with -w /proc/self/fd/$1:
# the run is refused (125, a one-line message from a cx tool) or its
# shell is inside the container (it climbs no higher than the
# container's root).  Anything else is added to BAD.
judge() {
	if [ "$status" -eq 125 ] && [ "${#lines[@]}" -eq 1 ] &&
		[[ "${lines[0]}" =~ ^cx-[a-z]+:\  ]]; then
		return 0
	fi
	if [ "$status" -eq 0 ] && grep -qx "root=$INSIDE" <<<"$output" &&
		grep -qx "top=$INSIDE" <<<"$output"; then
		return 0
	fi
	BAD+="fd $1: status $status: $(tr '\n' '|' <<<"$output")"$'\n'
}

wd_setup() {
	use_tools "$1"
	INSIDE=$(stat -c %d:%i "$ROOTFS")
	HOST_ROOT=$(stat -c %d:%i /)
	BAD=""
	echo "# container root $INSIDE, host root $HOST_ROOT"
}

# A container to join, PID its PID 1 (sleep, once the chain is done).
start_target() {
	timeout 120 "${NOSYS[@]}" cx-unshare --mount --pid --fork --pidfile "$TMP/pid" \
		cx-chroot --pivot "$ROOTFS" cx-unshare --mount-proc /bin/sleep 1000 \
		>/dev/null 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	wait_for_file "$TMP/pid" || fail "the target container did not start"
	PID=$(cat "$TMP/pid")
	local i busybox
	busybox=$(stat -c %d:%i "$ROOTFS/bin/busybox")
	for i in $(seq 100); do
		[ "$(stat -L -c %d:%i "/proc/$PID/exe")" = "$busybox" ] && return 0
		sleep 0.1
	done
	fail "the target container's PID 1 never ran the rootfs's sleep"
}

# cx-unshare -w after cx-chroot --pivot: the link after the root change
# holds the tool directory (CX_TOOLDIR_FD).
wd_after_pivot() {
	wd_setup "$1"
	local n
	for n in $(seq 3 20); do
		run bare timeout 20 "${NOSYS[@]}" cx-unshare --mount --pid --fork \
			cx-chroot --pivot "$ROOTFS" \
			cx-unshare --mount-proc -w "/proc/self/fd/$n" /bin/sh -c "$PROBE"
		judge "$n"
	done
	assert_equal "$BAD" ""
	assert_equal "$(tool_sums)" "$SUMS"
}

@test "wd: cx-unshare -w /proc/self/fd/N after --pivot, tools on a writable directory" {
	wd_after_pivot writable
}

@test "wd: cx-unshare -w /proc/self/fd/N after --pivot, tools on a read-only bind mount" {
	wd_after_pivot ro
}

@test "wd: cx-unshare -w /proc/self/fd/N after --pivot, under helper-nosys" {
	wd_after_pivot nosys
}

# cx-unshare --root R -w: the next link is a cx tool, so the tool
# directory is open while cx-unshare changes directory in R.
wd_with_root() {
	wd_setup "$1"
	local n
	for n in $(seq 3 20); do
		run bare timeout 20 "${NOSYS[@]}" cx-unshare --mount --pid --fork \
			--root "$ROOTFS" --mount-proc -w "/proc/self/fd/$n" \
			cx-caps --drop cap_mknod /bin/sh -c "$PROBE"
		judge "$n"
	done
	assert_equal "$BAD" ""
}

@test "wd: cx-unshare --root R -w /proc/self/fd/N before a cx tool, tools on a writable directory" {
	wd_with_root writable
}

@test "wd: cx-unshare --root R -w /proc/self/fd/N before a cx tool, tools on a read-only bind mount" {
	wd_with_root ro
}

@test "wd: cx-unshare --root R -w /proc/self/fd/N before a cx tool, under helper-nosys" {
	wd_with_root nosys
}

# cx-nsenter into a running container: --wd=DIR, with and without
# --root, and a cx-unshare -w after it (which inherits the tool
# directory).  (cx-nsenter's -w takes DIR only attached, as --wd=DIR:
# "-w /proc/self/fd/N" is -w alone and the command /proc/self/fd/N.)
wd_nsenter() {
	wd_setup "$1"
	start_target
	local n
	for n in $(seq 3 20); do
		run bare timeout 20 "${NOSYS[@]}" cx-nsenter -t "$PID" -a \
			--wd="/proc/self/fd/$n" /bin/sh -c "$PROBE"
		judge "$n (cx-nsenter -a --wd=)"
		run bare timeout 20 "${NOSYS[@]}" cx-nsenter -t "$PID" -a --root \
			--wd="/proc/self/fd/$n" /bin/sh -c "$PROBE"
		judge "$n (cx-nsenter -a --root --wd=)"
		run bare timeout 20 "${NOSYS[@]}" cx-nsenter -t "$PID" -a --root \
			cx-unshare -w "/proc/self/fd/$n" /bin/sh -c "$PROBE"
		judge "$n (cx-nsenter -a --root cx-unshare -w)"
	done
	assert_equal "$BAD" ""
}

@test "wd: cx-nsenter --wd=/proc/self/fd/N and cx-unshare -w after it, tools on a writable directory" {
	wd_nsenter writable
}

@test "wd: cx-nsenter --wd=/proc/self/fd/N and cx-unshare -w after it, tools on a read-only bind mount" {
	wd_nsenter ro
}

@test "wd: cx-nsenter --wd=/proc/self/fd/N and cx-unshare -w after it, under helper-nosys" {
	wd_nsenter nosys
}
