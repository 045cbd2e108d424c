#!/usr/bin/env bats
# cx-caps against the real kernel: the walkthrough's port 80 (file
# capabilities, then ambient ones for an unmodified binary), show and
# decode against /proc and capsh, root without cap_chown and the exact
# masks its command gets, no_new_privs against a setuid-root id, the
# securebits, names and their refusals.  The unprivileged parts run as
# nobody, through cx-caps --user itself.

bats_require_minimum_version 1.5.0

load helpers

HELPER_BIND80="$CX_BUILD/tests/helper-bind80"

require_strace() {
	command -v strace >/dev/null ||
		skip "strace is not installed: it holds a system call back at will (apt-get install strace)"
}

# The value of FIELD in /proc/self/status of the test itself: what a
# command started without cx-caps would have.
host_field() {
	awk -v f="$1:" '$1 == f { print $2 }' /proc/self/status
}

# A 64-bit mask A & ~B, as /proc/PID/status prints it.
mask_without() {
	printf '%016x' $((0x$1 & ~0x$2))
}

# The names capsh gives a mask (its text after the '=').
capsh_names() {
	capsh --decode="$1" | sed 's/^[^=]*=//'
}

# Files below $TMP must be reachable for nobody.
open_tmp() {
	chmod 755 "$TMP"
}

# The walkthrough's server, copied where nobody can run it.
copy_server() {
	require_helper "$HELPER_BIND80"
	open_tmp
	cp "$HELPER_BIND80" "$TMP/server"
	chmod 755 "$TMP/server"
}

# The port-80 tests bind 127.0.0.1:80 for a moment; nothing else may be
# listening there, and binding it must take a capability at all.
require_port80() {
	local start
	start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	if [ "$start" -le 80 ]; then
		skip "net.ipv4.ip_unprivileged_port_start is $start: any user may bind port 80 here"
	fi
	if [ -n "$(ss -Htln 'sport = :80')" ]; then
		skip "port 80 is in use on this host: $(ss -Htlnp 'sport = :80' | head -n 1)"
	fi
}

# The masks and IDs of /proc/self/status in OUTPUT, as expected.
assert_status() {
	local tab=$'\t'
	assert_line "CapInh:${tab}$1"
	assert_line "CapPrm:${tab}$2"
	assert_line "CapEff:${tab}$3"
	assert_line "CapBnd:${tab}$4"
	assert_line "CapAmb:${tab}$5"
}

assert_ids() {
	local tab=$'\t'
	assert_line "Uid:${tab}$1${tab}$1${tab}$1${tab}$1"
	assert_line "Gid:${tab}$2${tab}$2${tab}$2${tab}$2"
	assert_line "Groups:${tab}$3"
}

# Start COMMAND... in the background and wait until it runs sleep.
start_sleeper() {
	"$@" </dev/null >/dev/null 2>&1 3>&- &
	SLEEPER=$!
	BG_PIDS="$BG_PIDS $SLEEPER"
	local i
	for i in $(seq 50); do
		[ "$(tr '\0' ' ' <"/proc/$SLEEPER/cmdline" 2>/dev/null)" = "sleep 1000 " ] &&
			return 0
		sleep 0.1
	done
	fail "the sleeper did not start"
}

# --- the walkthrough: port 80 -----------------------------------------

@test "port 80: nobody is refused; a file capability lets the copy bind; file rm takes it away" {
	require_port80
	copy_server

	run -1 cx-caps --user nobody "$TMP/server"
	assert_output "bind 127.0.0.1:80: Permission denied"

	run -0 cx-caps file set cap_net_bind_service=+ep "$TMP/server"
	assert_output ""
	# The kernel's copy, as libcap's own getcap reads it.
	run -0 getcap "$TMP/server"
	assert_output "$TMP/server cap_net_bind_service=ep"
	run -0 cx-caps file get "$TMP/server"
	assert_output "$TMP/server cap_net_bind_service=ep"

	run -0 cx-caps --user nobody "$TMP/server"
	assert_output "bound 127.0.0.1:80"

	run -0 cx-caps file rm "$TMP/server"
	assert_output ""
	run -0 getcap "$TMP/server"
	assert_output ""
	run -0 cx-caps file get "$TMP/server"
	assert_output "$TMP/server [none]"
	run -1 cx-caps --user nobody "$TMP/server"
	assert_output "bind 127.0.0.1:80: Permission denied"

	# Removing what is not there is no error.
	run -0 cx-caps file rm "$TMP/server"
}

@test "port 80: --user nobody --keep --add-ambient cap_net_bind_service binds with the unmodified binary" {
	require_port80
	copy_server

	run -0 cx-caps --user nobody --keep cap_net_bind_service \
		--add-ambient cap_net_bind_service "$TMP/server"
	assert_output "bound 127.0.0.1:80"
	# No file capability did it.
	run -0 getcap "$TMP/server"
	assert_output ""

	# What the command gets: that one capability in every set, as nobody
	# with nobody's group alone.
	run -0 cx-caps --user nobody --keep cap_net_bind_service \
		--add-ambient cap_net_bind_service cat /proc/self/status
	assert_status 0000000000000400 0000000000000400 0000000000000400 \
		0000000000000400 0000000000000400
	assert_ids 65534 65534 "65534 "
}

@test "port 80: --keep alone does not reach a non-root command, which needs the ambient set" {
	require_port80
	copy_server

	run -1 cx-caps --user nobody --keep cap_net_bind_service "$TMP/server"
	assert_output "bind 127.0.0.1:80: Permission denied"
	run -0 cx-caps --user nobody --keep cap_net_bind_service cat /proc/self/status
	assert_status 0000000000000000 0000000000000000 0000000000000000 \
		0000000000000400 0000000000000000
	assert_ids 65534 65534 "65534 "
}

# --- file capabilities --------------------------------------------------

@test "file set in a user namespace writes a namespaced (v3) capability; file get names its root uid" {
	require_helper "$HELPER_BIND80"
	open_tmp
	cp "$HELPER_BIND80" "$TMP/nsserver"
	chown 100000:100000 "$TMP/nsserver"
	# cx-unshare --map-root-user cannot map its own IDs when run by a
	# user (see the report); util-linux unshare can.
	cx-caps --user 100000:100000 unshare --map-root-user true ||
		skip "user 100000 cannot make a user namespace here (unprivileged user namespaces off?)"

	run -0 cx-caps --user 100000:100000 unshare --map-root-user \
		cx-caps file set cap_net_bind_service=ep "$TMP/nsserver"
	assert_output ""
	run -0 cx-caps file get "$TMP/nsserver"
	assert_output "$TMP/nsserver cap_net_bind_service=ep [rootid=100000]"
	run -0 getcap -n "$TMP/nsserver"
	assert_output "$TMP/nsserver cap_net_bind_service=ep [rootid=100000]"
	# Inside, the root of the namespace owns it: a plain capability.
	run -0 cx-caps --user 100000:100000 unshare --map-root-user \
		cx-caps file get "$TMP/nsserver"
	assert_output "$TMP/nsserver cap_net_bind_service=ep"
	# On the host it grants nothing.
	if [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -gt 80 ] &&
		[ -z "$(ss -Htln 'sport = :80')" ]; then
		run -1 cx-caps --user 100000:100000 "$TMP/nsserver"
		assert_output "bind 127.0.0.1:80: Permission denied"
	fi
}

@test "file get --json: what getcap reads, one object per file, in order" {
	open_tmp
	cp /bin/cat "$TMP/ep"
	cp /bin/cat "$TMP/plain"
	# One effective bit for the file: what it raises, all of it.
	setcap 'cap_kill,cap_net_bind_service=ep cap_chown+ei' "$TMP/ep"
	run -0 cx-caps file get --json "$TMP/ep" "$TMP/plain"
	run -0 jq -r '.[] | [.path, (.capabilities // "null"), (.permitted | join(",")),
		(.inheritable | join(",")), (.effective | tostring), (.rootid | tostring)] | join(" ")' <<<"$output"
	assert_output "$TMP/ep $(getcap -n "$TMP/ep" | sed 's/^[^ ]* //; s/ \[rootid=0\]//') cap_kill,cap_net_bind_service cap_chown true 0
$TMP/plain null   false null"
	run -125 cx-caps file set --json cap_kill=ep "$TMP/plain"
	assert_line --index 0 "cx-caps: file set: --json is for get"
	assert_equal "$(getcap "$TMP/plain")" ""
}

@test "file set takes our names and several files; file get reports each, and fails for a missing one" {
	printf '#!/bin/sh\n' >"$TMP/a"
	printf '#!/bin/sh\n' >"$TMP/b"
	run -0 cx-caps file set "CHOWN,kill+p  net_raw=i" "$TMP/a" "$TMP/b"
	run -0 getcap "$TMP/a" "$TMP/b"
	assert_line "$TMP/a cap_net_raw=i cap_chown,cap_kill+p"
	assert_line "$TMP/b cap_net_raw=i cap_chown,cap_kill+p"

	run -125 cx-caps file get "$TMP/a" "$TMP/nope" "$TMP/b"
	assert_line --index 0 "$TMP/a cap_net_raw=i cap_chown,cap_kill+p"
	assert_line --index 1 "cx-caps: file get $TMP/nope: No such file or directory"
	assert_line --index 2 "$TMP/b cap_net_raw=i cap_chown,cap_kill+p"
	assert_equal "${#lines[@]}" 3
}

@test "file set and rm refuse a symbolic link, a directory and a missing file, and leave them alone" {
	printf '#!/bin/sh\n' >"$TMP/target"
	ln -s target "$TMP/link"
	mkdir "$TMP/dir"

	run -125 cx-caps file set cap_kill=ep "$TMP/link"
	assert_output "cx-caps: file set $TMP/link: a symbolic link; name the file it points to"
	run -0 getcap "$TMP/target"
	assert_output ""

	run -125 cx-caps file set cap_kill=ep "$TMP/dir"
	assert_output "cx-caps: file set $TMP/dir: not a regular file (a directory)"

	run -125 cx-caps file set cap_kill=ep "$TMP/nope"
	assert_output "cx-caps: file set $TMP/nope: No such file or directory"
	[ ! -e "$TMP/nope" ]

	cx-caps file set cap_kill=ep "$TMP/target"
	run -125 cx-caps file rm "$TMP/link"
	assert_output "cx-caps: file rm $TMP/link: a symbolic link; name the file it points to"
	run -0 getcap "$TMP/target"
	assert_output "$TMP/target cap_kill=ep"
}

@test "file set refuses bad capability text in one line, and sets nothing" {
	printf '#!/bin/sh\n' >"$TMP/f"

	run -125 cx-caps file set cap_net_bind_servce=ep "$TMP/f"
	assert_output "cx-caps: file set: invalid CAPTEXT 'cap_net_bind_servce': no such capability (did you mean cap_net_bind_service?)"
	run -125 cx-caps file set cap_net_bind_service "$TMP/f"
	assert_output "cx-caps: file set: invalid CAPTEXT 'cap_net_bind_service': no operator (=, + or - and flags, as in cap_net_bind_service=ep)"
	run -125 cx-caps file set cap_kill=epx "$TMP/f"
	assert_output "cx-caps: file set: invalid CAPTEXT 'cap_kill=epx': capabilities and flags, as in cap_net_bind_service=ep"
	run -125 cx-caps file set "cap_kill+p cap_chown=ep" "$TMP/f"
	assert_output "cx-caps: file set: a file has one effective flag for all its capabilities: give e to every one that has p or i, or to none ('cap_kill+p cap_chown=ep')"
	run -125 cx-caps file set "" "$TMP/f"
	assert_output "cx-caps: file set: invalid CAPTEXT '': capabilities and flags, as in cap_net_bind_service=ep"
	run -0 getcap "$TMP/f"
	assert_output ""
}

# --root: a container's root, and a "host" that is a copy of busybox in
# $TMP/host (the real /bin is never touched).  $ROOTFS/d/b is the
# symbolic link a hostile image holds: absolute, to the host's folder.
make_host_and_link() {
	mkdir -p "$TMP/host/bin" "$ROOTFS/d" "$ROOTFS$TMP/host/bin"
	cp "$ROOTFS/bin/busybox" "$TMP/host/bin/busybox"
	cp "$ROOTFS/bin/busybox" "$ROOTFS$TMP/host/bin/busybox"
	ln -s "$TMP/host/bin" "$ROOTFS/d/b"
}

# The host copy carries no capability: libcap's getcap reads the
# kernel's security.capability and finds none.
assert_host_untouched() {
	run -0 getcap "$TMP/host/bin/busybox"
	assert_output ""
}

@test "file --root: a symlinked directory that leads to the host is resolved inside the root" {
	make_host_and_link

	run -0 cx-caps file --root "$ROOTFS" set cap_sys_admin+ep d/b/busybox
	assert_output ""
	assert_host_untouched
	# The root's own file of that name got it.
	run -0 getcap "$ROOTFS$TMP/host/bin/busybox"
	assert_output "$ROOTFS$TMP/host/bin/busybox cap_sys_admin=ep"

	# get and rm reach the same file, and only it.
	setcap cap_kill+ep "$TMP/host/bin/busybox"
	run -0 cx-caps file --root "$ROOTFS" get /d/b/busybox
	assert_output "/d/b/busybox cap_sys_admin=ep"
	run -0 cx-caps file rm --root "$ROOTFS" /d/b/busybox
	run -0 getcap "$ROOTFS$TMP/host/bin/busybox"
	assert_output ""
	run -0 getcap "$TMP/host/bin/busybox"
	assert_output "$TMP/host/bin/busybox cap_kill=ep"

	# Without --root the same link leads out, as the man page says.
	run -0 cx-caps file set cap_sys_admin+ep "$ROOTFS/d/b/busybox"
	run -0 getcap "$TMP/host/bin/busybox"
	assert_output "$TMP/host/bin/busybox cap_sys_admin=ep"
}

@test "file --root: .. and a climbing symbolic link stop at the root; an absolute link starts from it" {
	make_host_and_link
	ln -s ../../../../../../../.. "$ROOTFS/up"
	ln -s /bin "$ROOTFS/d/c"

	run -0 cx-caps file --root "$ROOTFS" set cap_kill+ep "../../../../../..$TMP/host/bin/busybox"
	run -0 cx-caps file --root "$ROOTFS" set cap_chown+ep "up$TMP/host/bin/busybox"
	assert_host_untouched
	run -0 getcap "$ROOTFS$TMP/host/bin/busybox"
	assert_output "$ROOTFS$TMP/host/bin/busybox cap_chown=ep"

	# /d/c -> /bin is the root's /bin; ".." at the top is the root.
	run -0 cx-caps file --root "$ROOTFS" set cap_net_raw+ep /d/c/busybox
	run -0 getcap "$ROOTFS/bin/busybox"
	assert_output "$ROOTFS/bin/busybox cap_net_raw=ep"
	run -0 cx-caps file --root "$ROOTFS" get ../bin/busybox
	assert_output "../bin/busybox cap_net_raw=ep"

	# get follows a last link inside the root (/bin/sh -> busybox);
	# set and rm refuse it.
	run -0 cx-caps file --root "$ROOTFS" get /bin/sh
	assert_output "/bin/sh cap_net_raw=ep"
	run -125 cx-caps file --root "$ROOTFS" rm /bin/sh
	assert_output "cx-caps: file rm /bin/sh: a symbolic link; name the file it points to"
	run -0 getcap "$ROOTFS/bin/busybox"
	assert_output "$ROOTFS/bin/busybox cap_net_raw=ep"
}

@test "file --root without openat2: the walk keeps the link inside the root too" {
	require_helper "$CX_BUILD/tests/helper-nosys"
	make_host_and_link

	run -0 "$CX_BUILD/tests/helper-nosys" cx-caps file --root "$ROOTFS" \
		set cap_sys_admin+ep /d/b/busybox
	assert_host_untouched
	run -0 getcap "$ROOTFS$TMP/host/bin/busybox"
	assert_output "$ROOTFS$TMP/host/bin/busybox cap_sys_admin=ep"
}

@test "file: a FIFO, a device or a missing --root is refused at once, without blocking" {
	mkfifo "$ROOTFS/fifo"
	mknod "$ROOTFS/dev/zero" c 1 5
	run -125 timeout 10 cx-caps file --root "$ROOTFS" get /fifo /dev/zero /dev/null
	assert_line --index 0 "cx-caps: file get /fifo: not a regular file (a FIFO)"
	assert_line --index 1 "cx-caps: file get /dev/zero: not a regular file (a character device)"
	assert_line --index 2 "cx-caps: file get /dev/null: No such file or directory"
	run -125 timeout 10 cx-caps file set cap_kill+ep "$ROOTFS/fifo" /dev/null
	assert_line --index 0 "cx-caps: file set $ROOTFS/fifo: not a regular file (a FIFO)"
	assert_line --index 1 "cx-caps: file set /dev/null: not a regular file (a character device)"
	run -125 cx-caps file --root "$TMP/none" get /bin/busybox
	assert_output "cx-caps: file --root $TMP/none: No such file or directory"
	run -125 cx-caps file --root "$ROOTFS" get --root "$ROOTFS" /bin/busybox
	assert_line --index 0 "cx-caps: --root given twice"
}

# --- cx-unshare --kill-child across the ID change -----------------------

# cx-unshare ARGS... in the background: PARENT, and CHILD, its child.
start_kill_child() {
	cx-unshare "$@" </dev/null >/dev/null 2>&1 3>&- &
	PARENT=$!
	BG_PIDS="$BG_PIDS $PARENT"
	CHILD=$(child_of "$PARENT") || fail "cx-unshare made no child"
	BG_PIDS="$BG_PIDS $CHILD"
}

@test "--kill-child survives --user: the command dies with cx-unshare" {
	start_kill_child --kill-child cx-caps --user 1000:1000 sleep 1000
	wait_for_run_as "$CHILD" sleep 1000
	kill -KILL "$PARENT"
	assert_gone "$CHILD"
}

@test "--kill-child survives --user as PID 1 of a namespace, whose parent getppid() cannot see" {
	start_kill_child --pid --kill-child cx-caps --user 1000:1000 --groups 1000,1001 sleep 1000
	wait_for_run_as "$CHILD" sleep 1000
	run -0 grep "^NSpid:" "/proc/$CHILD/status"
	assert_output "NSpid:	$CHILD	1"
	kill -KILL "$PARENT"
	assert_gone "$CHILD"
}

@test "--kill-child: a parent that dies during the ID change still kills the chain" {
	require_strace
	kill_parent_in_id_change cx-caps --user 1000:1000 sleep 1000
}

# --- show and decode ----------------------------------------------------

@test "show agrees with /proc/self/status and with capsh --decode" {
	local label field mask
	run -0 cx-caps show
	for pair in effective:CapEff permitted:CapPrm inheritable:CapInh \
		bounding:CapBnd ambient:CapAmb; do
		label=${pair%%:*} field=${pair#*:}
		mask=$(host_field "$field")
		names=$(capsh_names "$mask")
		assert_line --regexp "^$label: +$mask ${names:-\[none\]}\$"
	done
	assert_line --regexp "^no_new_privs: +$(host_field NoNewPrivs)\$"
	assert_line --regexp '^securebits: +0x0 \[none\]$'
	assert_line --regexp '^uid: +0\(root\)$'
	assert_line --regexp '^gid: +0\(root\)$'
}

@test "show where /etc/passwd and /etc/group are FIFOs: the ids without names, at once" {
	mkfifo "$TMP/passwd" "$TMP/group"
	# FIFOs bound over both, in a mount namespace of its own (as a
	# hostile root would have them).  Opened for reading, a FIFO with
	# no writer would block for ever.
	run -0 timeout 20 cx-unshare --mount cx-bind "$TMP/passwd" /etc/passwd \
		cx-bind "$TMP/group" /etc/group cx-caps show
	assert_line --regexp '^uid: +0$'
	assert_line --regexp '^gid: +0$'
	assert_equal "$(mounts_below_tmp)" 0
	run -0 cx-caps show
	assert_line --regexp '^uid: +0\(root\)$'
}

@test "show of itself with an ambient set: every set as its /proc/self/status has it" {
	# The same process (sh execs show) as nobody, with cap_kill
	# ambient: show asks the ambient bits of what is both permitted
	# and inheritable, and must find it.
	run -0 cx-caps --user nobody --keep cap_net_bind_service,cap_kill \
		--add-ambient cap_kill /bin/sh -c \
		'grep -E "^Cap(Eff|Prm|Inh|Bnd|Amb):" /proc/self/status; exec "$0" show' \
		"$(command -v cx-caps)"
	local label field mask
	for pair in effective:CapEff permitted:CapPrm inheritable:CapInh \
		bounding:CapBnd ambient:CapAmb; do
		label=${pair%%:*} field=${pair#*:}
		mask=$(sed -n "s/^$field:\t//p" <<<"$output")
		assert_line --regexp "^$label: +$mask "
	done
	assert_line $'CapAmb:\t0000000000000020'
	assert_line "ambient:      0000000000000020 cap_kill"
}

@test "show --pid: another process's state, from its /proc, as text and as JSON" {
	start_sleeper cx-caps --user nobody --keep cap_net_bind_service,cap_kill \
		--add-ambient cap_kill --no-new-privs sleep 1000
	local tab=$'\t'
	run -0 grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):' "/proc/$SLEEPER/status"
	assert_output "CapInh:${tab}0000000000000020
CapPrm:${tab}0000000000000020
CapEff:${tab}0000000000000020
CapBnd:${tab}0000000000000420
CapAmb:${tab}0000000000000020
NoNewPrivs:${tab}1"

	run -0 cx-caps show --pid "$SLEEPER"
	assert_output "effective:    0000000000000020 cap_kill
permitted:    0000000000000020 cap_kill
inheritable:  0000000000000020 cap_kill
bounding:     0000000000000420 $(capsh_names 0000000000000420)
ambient:      0000000000000020 $(capsh_names 0000000000000020)
securebits:   unknown (only the process itself can read them)
no_new_privs: 1
uid:          65534(nobody)
gid:          65534(nogroup)
groups:       65534(nogroup)"

	run -0 cx-caps show --pid "$SLEEPER" --json
	run -0 jq -c '[.pid, .bounding.mask, .bounding.names, .ambient.names,
		.securebits, .no_new_privs, .uid.real, .gid.fs, .groups]' <<<"$output"
	assert_output "[$SLEEPER,\"0000000000000420\",[\"cap_kill\",\"cap_net_bind_service\"],[\"cap_kill\"],null,true,65534,65534,[65534]]"
}

@test "show --json of cx-caps itself: securebits known, every set a mask and names" {
	run -0 cx-caps show --json
	run -0 jq -r '.effective.mask, .bounding.mask, .securebits.value, (.inheritable.names | length)' <<<"$output"
	assert_output "$(host_field CapEff)
$(host_field CapBnd)
0
0"
}

@test "decode: names as capsh gives them, one line per mask; bits past the kernel are reported" {
	local b
	b=$(host_field CapBnd)
	run -0 cx-caps decode "$b" 0 0x400
	# An empty mask is an empty line.
	assert_output "$(capsh_names "$b")

cap_net_bind_service"

	local last
	last=$(cat /proc/sys/kernel/cap_last_cap)
	[ "$last" -lt 62 ] || skip "the kernel knows capabilities up to $last"
	run -0 --separate-stderr cx-caps decode "$(printf '%x' $((1 << (last + 1))))"
	assert_output "$((last + 1))"
	assert_equal "$stderr" "cx-caps: decode $(printf '%x' $((1 << (last + 1)))): $((last + 1)): newer than the running kernel, whose last capability is $(capsh_names "$(printf '%x' $((1 << last)))") ($last)"
}

@test "decode refuses what is not a mask, before printing anything" {
	run -125 cx-caps decode 400 zz
	assert_output "cx-caps: decode: 'zz' is not a mask of up to 16 hexadecimal digits"
	run -125 cx-caps decode 10000000000000000
	assert_output "cx-caps: decode: '10000000000000000' is not a mask of up to 16 hexadecimal digits"
	run -125 cx-caps decode
	assert_line --index 0 "cx-caps: decode: missing HEX, a mask such as 000001ffffffffff"
}

# --- the walkthrough: root without cap_chown ----------------------------

@test "root with --drop cap_chown,cap_setpcap,cap_setfcap,cap_sys_admin cannot chown; its masks are exact" {
	touch "$TMP/mine" "$TMP/control"
	# Root can, without cx-caps.
	chown nobody "$TMP/control"
	assert_equal "$(stat -c %U "$TMP/control")" nobody

	run -1 cx-caps --drop cap_chown,cap_setpcap,cap_setfcap,cap_sys_admin \
		chown nobody "$TMP/mine"
	assert_output "chown: changing ownership of '$TMP/mine': Operation not permitted"
	assert_equal "$(stat -c %U "$TMP/mine")" root

	# Bits 0, 8, 21 and 31 leave the host's bounding set (which need not
	# be full: this host's root lacks cap_sys_resource).  Root's command
	# gets the rest as permitted and effective at exec; inheritable and
	# ambient are empty.
	local want
	want=$(mask_without "$(host_field CapBnd)" 0000000080200101)
	run -0 cx-caps --drop cap_chown,cap_setpcap,cap_setfcap,cap_sys_admin \
		cat /proc/self/status
	assert_status 0000000000000000 "$want" "$want" "$want" 0000000000000000
	assert_line "$(grep "^Groups:" /proc/self/status)"
}

@test "names: chown, CAP_KILL and 13 drop the same bits as their cap_ names; all and --keep" {
	local b want
	b=$(host_field CapBnd)
	want=$(mask_without "$b" 0000000000002021)
	run -0 cx-caps --drop chown,CAP_KILL,13 cat /proc/self/status
	assert_status 0000000000000000 "$want" "$want" "$want" 0000000000000000

	# --keep: root's command has exactly those.
	run -0 cx-caps --keep cap_net_bind_service,kill cat /proc/self/status
	assert_status 0000000000000000 0000000000000420 0000000000000420 \
		0000000000000420 0000000000000000

	# --keep all keeps what there is; --drop all leaves root nothing.
	run -0 cx-caps --keep all cat /proc/self/status
	assert_status 0000000000000000 "$(host_field CapPrm)" "$(host_field CapPrm)" "$b" 0000000000000000
	run -0 cx-caps --drop all cat /proc/self/status
	assert_status 0000000000000000 0000000000000000 0000000000000000 \
		0000000000000000 0000000000000000
}

@test "the inheritable set is cleared unless the ambient set needs it (CVE-2022-27650)" {
	# capsh --inh hands its shell an inheritable capability.
	run -0 capsh --inh=cap_kill -- -c 'grep CapInh /proc/self/status; cx-caps grep CapInh /proc/self/status'
	assert_line --index 0 $'CapInh:\t0000000000000020'
	assert_line --index 1 $'CapInh:\t0000000000000000'
}

# --- no_new_privs, securebits, IDs --------------------------------------

@test "--no-new-privs: a setuid-root copy of id run by nobody does not gain root" {
	open_tmp
	cp /usr/bin/id "$TMP/id"
	chmod 4755 "$TMP/id"
	if findmnt -no OPTIONS -T "$TMP" | grep -qw nosuid; then
		skip "$TMP is on a nosuid mount: a setuid file gains nothing there anyway"
	fi
	# Without it the copy does gain root: the test can fail.
	run -0 cx-caps --user nobody "$TMP/id" -u
	assert_output 0

	run -0 cx-caps --user nobody --no-new-privs "$TMP/id" -u
	assert_output 65534
	run -0 cx-caps --user nobody --no-new-privs "$TMP/id"
	assert_output "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)"
	run -0 cx-caps --user nobody --no-new-privs cat /proc/self/status
	assert_line $'NoNewPrivs:\t1'
}

@test "--lock: noroot and no_setuid_fixup set and locked; root's command gets no capability" {
	local b
	b=$(host_field CapBnd)
	run -0 cx-caps --lock cx-caps show
	assert_line "securebits:   0xf noroot,noroot_locked,no_setuid_fixup,no_setuid_fixup_locked"
	run -0 cx-caps --lock cat /proc/self/status
	assert_status 0000000000000000 0000000000000000 0000000000000000 "$b" 0000000000000000
	assert_line $'Uid:\t0\t0\t0\t0'
	# Locked: not even root can clear them again.
	run -125 cx-caps --lock --keep cap_setpcap --add-ambient cap_setpcap \
		cx-caps --secbits 0 true
	assert_output "cx-caps: set the securebits to 0x0: Operation not permitted"
}

@test "--secbits by name; a misspelt one is refused with a suggestion" {
	run -0 cx-caps --secbits no-cap-ambient-raise,NO_CAP_AMBIENT_RAISE_LOCKED cx-caps show
	assert_line "securebits:   0xc0 no_cap_ambient_raise,no_cap_ambient_raise_locked"
	run -125 cx-caps --secbits keepcaps true
	assert_output "cx-caps: invalid --secbits 'keepcaps': no such securebit (did you mean keep_caps?)"
	run -125 cx-caps --secbits no_cap_ambient_raise --add-ambient cap_kill true
	assert_output "cx-caps: --add-ambient conflicts with the securebit no_cap_ambient_raise"
}

@test "--user and --groups: IDs and groups in the kernel; root's groups do not come along" {
	run -0 cx-caps --user nobody cat /proc/self/status
	assert_ids 65534 65534 "65534 "
	assert_status 0000000000000000 0000000000000000 0000000000000000 \
		"$(host_field CapBnd)" 0000000000000000
	run -0 cx-caps --user nobody:daemon --groups 4,27 cat /proc/self/status
	assert_ids 65534 1 "4 27 "
	run -0 cx-caps --groups 7 cat /proc/self/status
	assert_ids 0 0 "7 "
	run -0 cx-caps --user 65534 cat /proc/self/status
	assert_ids 65534 65534 "65534 "

	run -125 cx-caps --user nosuchuser true
	assert_output "cx-caps: --user: no such user or group in 'nosuchuser'"
	run -125 cx-caps --user 4242 true
	assert_output "cx-caps: --user 4242: /etc/passwd has no user 4242 to take a group from; give USER:GROUP"
}

@test "a drop the kernel refuses stops the chain with 125, and the line says what it takes" {
	open_tmp
	mkdir -m 777 "$TMP/w"
	# As nobody, without cap_setpcap, nothing leaves the bounding set:
	# the kernel says EPERM, and the command never runs.  (libcap-ng's
	# capng_apply() used to say it worked; the state read back before
	# the exec, kept, caught it then.)
	run -125 cx-caps --user nobody cx-caps --drop cap_chown touch "$TMP/w/ran"
	assert_output "cx-caps: drop cap_chown from the bounding set: it takes cap_setpcap in the effective set"
	[ ! -e "$TMP/w/ran" ]
	# What nobody may do goes through.
	run -0 cx-caps --user nobody cx-caps --no-new-privs touch "$TMP/w/ran"
	[ -e "$TMP/w/ran" ]
}

# --- past the root change ---------------------------------------------

@test "in a chain past cx-chroot: the sets inside the rootfs, and names from the rootfs's /etc" {
	require_static_tools
	echo "box:x:4321:4322::/:/bin/false" >>"$ROOTFS/etc/passwd"
	echo "boxes:x:4322:" >>"$ROOTFS/etc/group"
	local want
	want=$(mask_without "$(host_field CapBnd)" 0000000000210000)
	run -0 cx-unshare --pid --mount --fork --mount-proc="$ROOTFS/proc" \
		cx-chroot "$ROOTFS" \
		cx-caps --drop cap_sys_admin,cap_sys_module --no-new-privs \
		/bin/cat /proc/self/status
	assert_status 0000000000000000 "$want" "$want" "$want" 0000000000000000
	assert_line $'NoNewPrivs:\t1'

	run -0 cx-unshare --pid --mount --fork --mount-proc="$ROOTFS/proc" \
		cx-chroot "$ROOTFS" cx-caps --user box /bin/id
	assert_output "uid=4321(box) gid=4322(boxes) groups=4322(boxes)"
	# The host has no such user.
	run -125 cx-caps --user box true
	assert_output "cx-caps: --user: no such user or group in 'box'"
	assert_equal "$(mounts_below_tmp)" 0
}

# --- subcommands or a command -------------------------------------------

@test "show, decode and file are subcommands only as the first argument; -- or an option makes a command" {
	mkdir "$TMP/bin"
	printf '#!/bin/sh\necho "the show command $*"\n' >"$TMP/bin/show"
	chmod 755 "$TMP/bin/show"

	PATH="$TMP/bin:$PATH" run -0 cx-caps -- show now
	assert_output "the show command now"
	PATH="$TMP/bin:$PATH" run -0 cx-caps --no-new-privs show now
	assert_output "the show command now"
	PATH="$TMP/bin:$PATH" run -0 cx-caps show
	assert_line --regexp '^effective: '

	run -127 cx-caps -- show
	assert_output "cx-caps: exec show: No such file or directory"
	run -125 cx-caps
	assert_line --index 0 "cx-caps: missing COMMAND (or show, decode, file)"
	assert_line --index 1 "Try 'cx-caps --help' for more information."
}

@test "capsh habits: --print shows the state after the changes; -- with no command runs a shell" {
	run -0 cx-caps --print
	assert_output "$(cx-caps show)"

	# --print after --drop, then the command: the printed bounding set
	# is the one the kernel gives the command.
	run -0 cx-caps --drop=cap_chown --print -- /bin/sh -c 'grep CapBnd /proc/self/status'
	local printed kernel
	printed=$(awk '$1 == "bounding:" { print $2 }' <<<"$output")
	kernel=$(awk '$1 == "CapBnd:" { print $2 }' <<<"$output")
	assert_equal "$printed" "$kernel"
	assert_equal "$kernel" "$(mask_without "$(host_field CapBnd)" 1)"
	refute_line --regexp '^bounding: .*cap_chown'

	# capsh --drop=cap_chown -- starts a shell: so does cx-caps.
	run -0 env SHELL=/bin/sh cx-caps --drop=cap_chown -- <<<'grep CapBnd /proc/self/status'
	assert_output "CapBnd:	$(mask_without "$(host_field CapBnd)" 1)"
	run -0 env -u SHELL cx-caps --drop=cap_chown <<<'grep CapBnd /proc/self/status'
	assert_output "CapBnd:	$(mask_without "$(host_field CapBnd)" 1)"
}

# --- predict --------------------------------------------------------------

# The five masks and the four uids, one line, from cx-caps predict's text
# (P) or from a /proc/PID/status (S).
predicted_line() {
	awk '$1 ~ /^(effective|permitted|inheritable|bounding|ambient):$/ { m = m $2 " " }
	     $1 == "uid:" { sub(/^uid: +/, "")
	                    if ($1 == "real") { gsub(/\([^)]*\),?/, ""); u = $2 " " $4 " " $6 " " $8 }
	                    else { sub(/\(.*/, ""); u = $0 " " $0 " " $0 " " $0 } }
	     END { print m u }' <<<"$1"
}
status_line() {
	awk '$1 == "CapEff:" { e = $2 } $1 == "CapPrm:" { p = $2 } $1 == "CapInh:" { i = $2 }
	     $1 == "CapBnd:" { b = $2 } $1 == "CapAmb:" { a = $2 }
	     $1 == "Uid:" { u = $2 " " $3 " " $4 " " $5 }
	     END { print e " " p " " i " " b " " a " " u }' <<<"$1"
}

# predict_case PREFIX... -- STEPS... FILE: what cx-caps predict says of
# FILE after STEPS, against what FILE (a copy of cat) gets when cx-caps
# runs it after the same STEPS; PREFIX runs both (a user namespace).
predict_case() {
	local prefix=() steps=() file
	while [ "$1" != -- ]; do prefix+=("$1"); shift; done
	shift
	steps=("${@:1:$#-1}")
	file=${!#}
	run -0 "${prefix[@]}" cx-caps predict "${steps[@]}" "$file"
	local predicted=$output
	if [[ "$predicted" == "exec:         refused with EPERM"* ]]; then
		run -126 "${prefix[@]}" cx-caps "${steps[@]}" -- "$file" /proc/self/status
		assert_output "cx-caps: exec $file: Operation not permitted"
		return
	fi
	[[ "$predicted" == "exec:         runs"* ]] || fail "predict: $predicted"
	run -0 "${prefix[@]}" cx-caps "${steps[@]}" -- "$file" /proc/self/status
	assert_equal "$(predicted_line "$predicted")" "$(status_line "$output")" ||
		fail "predict ${steps[*]} $file inside '${prefix[*]}'"
}

@test "predict: every prediction is what the program gets, over capabilities(7)'s cases" {
	chmod 711 "$TMP"
	cp /bin/cat "$TMP/plain"
	cp /bin/cat "$TMP/ep" && setcap cap_net_bind_service=ep "$TMP/ep"
	cp /bin/cat "$TMP/p" && setcap cap_net_bind_service=p "$TMP/p"
	cp /bin/cat "$TMP/raw" && setcap cap_net_raw=ep "$TMP/raw"
	cp /bin/cat "$TMP/suid" && chmod 4755 "$TMP/suid"
	cp /bin/cat "$TMP/suid-nobody" && chown nobody "$TMP/suid-nobody" &&
		chmod 4755 "$TMP/suid-nobody"
	local nobody=(--user nobody) keep=(--keep cap_net_bind_service --add-ambient cap_net_bind_service)

	predict_case -- "$TMP/plain"
	predict_case -- "${nobody[@]}" "$TMP/plain"
	predict_case -- --drop cap_chown,cap_kill "$TMP/plain"
	predict_case -- --secbits noroot "$TMP/plain"
	predict_case -- --no-new-privs "$TMP/plain"
	predict_case -- "${nobody[@]}" "$TMP/ep"
	predict_case -- "${nobody[@]}" "$TMP/p"
	predict_case -- "${nobody[@]}" --drop cap_net_bind_service "$TMP/ep"
	predict_case -- "${nobody[@]}" --drop cap_net_bind_service "$TMP/p"
	predict_case -- "${nobody[@]}" --no-new-privs "$TMP/ep"
	predict_case -- "${nobody[@]}" "${keep[@]}" "$TMP/plain"
	predict_case -- "${nobody[@]}" "${keep[@]}" "$TMP/raw"
	predict_case -- "${nobody[@]}" "$TMP/suid"
	predict_case -- "${nobody[@]}" "${keep[@]}" "$TMP/suid"
	predict_case -- "${nobody[@]}" --no-new-privs "$TMP/suid"
	predict_case -- "${nobody[@]}" --drop cap_sys_admin "$TMP/suid"
	predict_case -- "$TMP/suid-nobody"
	predict_case -- --secbits noroot "$TMP/suid-nobody"
	# Real and effective ids that differ already: the kernel counts the
	# exec as set-ID, and no_new_privs sends the effective id back.
	local split=(setpriv --ruid 1000 --euid 65534 --rgid 1000 --egid 65534 --clear-groups)
	predict_case "${split[@]}" -- "$TMP/plain"
	predict_case "${split[@]}" -- --no-new-privs "$TMP/plain"
	# A set-group-ID file whose group has no id here: neither bit counts.
	cp /bin/cat "$TMP/suid-g5000" && chown 0:5000 "$TMP/suid-g5000" &&
		chmod 6755 "$TMP/suid-g5000"

	# In a user namespace: its root has every capability of it; the
	# host's root is its root; a set-user-ID file whose owner has no id
	# there (shown as 65534, which the map leaves out) changes nothing.
	cp /bin/cat "$TMP/suid-5000" && chown 5000 "$TMP/suid-5000" &&
		chmod 4755 "$TMP/suid-5000"
	local userns=(cx-unshare -r --map-users 1:100001:1999 --map-groups 1:100001:1999)
	predict_case "${userns[@]}" -- "$TMP/plain"
	predict_case "${userns[@]}" -- --user 1000:1000 "$TMP/plain"
	predict_case "${userns[@]}" -- --user 1000:1000 "$TMP/suid"
	predict_case "${userns[@]}" -- --user 1000:1000 "$TMP/suid-5000"
	predict_case "${userns[@]}" -- --user 1000:1000 "$TMP/suid-g5000"
	predict_case "${userns[@]}" -- --user 1000:1000 "$TMP/ep"
}

@test "predict: says why, in words, and as JSON" {
	cp /bin/cat "$TMP/ep" && setcap cap_net_bind_service=ep "$TMP/ep"
	cp /bin/cat "$TMP/suid" && chmod 4755 "$TMP/suid"
	run -0 cx-caps predict --user nobody --drop cap_net_bind_service "$TMP/ep"
	assert_line --index 0 "exec:         refused with EPERM: the file's effective bit asks for cap_net_bind_service, which neither the bounding set nor the inheritable set gives"
	run -0 cx-caps predict --user nobody --no-new-privs "$TMP/suid"
	assert_line --partial "      set-user-ID 0: ignored under no_new_privs"
	assert_line --regexp '^uid: +65534\(nobody\)$'
	run -0 cx-caps predict --user nobody --add-ambient cap_kill --keep cap_kill,cap_net_bind_service "$TMP/ep"
	assert_line --partial "      the ambient set is cleared: the file is privileged (capabilities or set-ID)"

	run -0 cx-caps predict --json --user nobody "$TMP/suid"
	assert_line --index 1 "  \"file\": \"$TMP/suid\","
	assert_line --index 2 '  "exec": "runs",'
	assert_line --partial '"uid": { "real": 65534, "effective": 0, "saved": 0, "fs": 0 }'
	run -0 cx-caps predict --json --user nobody --drop cap_net_bind_service "$TMP/ep"
	assert_line '  "exec": "EPERM",'
	assert_line '  "missing": ["cap_net_bind_service"]'

	run -125 cx-caps predict
	assert_line --index 0 "cx-caps: predict: missing operand FILE"
	run -125 cx-caps predict "$TMP/none"
	assert_output "cx-caps: predict: open $TMP/none: No such file or directory"
	mkfifo "$TMP/fifo"
	run -125 timeout 10 cx-caps predict "$TMP/fifo"
	assert_line --index 0 --partial "$TMP/fifo"
}

# --- bad input: one line, exit 125, nothing changed -----------------------

@test "bad input: an unknown capability name, with the nearest known one" {
	run -125 cx-caps --drop cap_chwn true
	assert_output "cx-caps: invalid --drop 'cap_chwn': no such capability (did you mean cap_chown?)"
	run -125 cx-caps --keep sysadmin,kill true
	assert_output "cx-caps: invalid --keep 'sysadmin': no such capability (did you mean cap_sys_admin?)"
	run -125 cx-caps --drop xyzzy true
	assert_output "cx-caps: invalid --drop 'xyzzy': no such capability"
	run -125 cx-caps --drop 64 true
	assert_output "cx-caps: invalid --drop '64': out of range (0 to 63)"
	run -125 cx-caps --drop chown, true
	assert_output "cx-caps: invalid --drop 'chown,': an empty name in the list"
}

@test "bad input: cap_ alone" {
	run -125 cx-caps --drop cap_ true
	assert_output "cx-caps: invalid --drop 'cap_': no capability named (a name follows the prefix, as in cap_chown)"
}

@test "bad input: a file that does not exist" {
	run -125 cx-caps file get "$TMP/nope"
	assert_output "cx-caps: file get $TMP/nope: No such file or directory"
	run -125 cx-caps file rm "$TMP/nope"
	assert_output "cx-caps: file rm $TMP/nope: No such file or directory"
	[ ! -e "$TMP/nope" ]
}

@test "bad input: a pid that does not exist, or is no pid" {
	local max
	max=$(cat /proc/sys/kernel/pid_max)	# always above the last pid
	run -125 cx-caps show --pid "$max"
	assert_output "cx-caps: show --pid $max: No such process"
	run -125 cx-caps show --pid 12ab
	assert_output "cx-caps: show: invalid --pid '12ab': a process ID"
}

@test "bad input: --add-ambient of a capability not kept" {
	run -125 cx-caps --user nobody --keep cap_net_bind_service \
		--add-ambient cap_net_raw true
	assert_output "cx-caps: --add-ambient: cap_net_raw not kept (not in --keep)"
	run -125 cx-caps --drop cap_net_raw --add-ambient cap_net_raw true
	assert_output "cx-caps: --add-ambient: cap_net_raw dropped by --drop"
	run -125 cx-caps --user nobody --add-ambient cap_net_raw true
	assert_output "cx-caps: --add-ambient with --user needs --keep LIST: the uid change clears the permitted set"
	# What root's bounding set lacks cannot be raised (this host's root
	# lacks cap_sys_resource; skip the check where it does not).
	if [ $((0x$(host_field CapBnd) >> 24 & 1)) -eq 0 ]; then
		run -125 cx-caps --keep cap_sys_resource true
		assert_output "cx-caps: --keep: cap_sys_resource not in the permitted set, so cannot be kept"
	fi
}

@test "bad input: --drop with --keep is a usage error naming both" {
	run -125 cx-caps --drop cap_kill --keep cap_chown true
	assert_line --index 0 "cx-caps: --drop conflicts with --keep (--keep drops all the rest)"
	assert_line --index 1 "Try 'cx-caps --help' for more information."
}

# --- capabilities newer than the running kernel --------------------------

@test "a capability the kernel does not know is reported, by number and by name" {
	local last next
	last=$(cat /proc/sys/kernel/cap_last_cap)
	next=$((last + 1))
	[ "$next" -le 63 ] || skip "the kernel knows all 64 capabilities"
	run -125 cx-caps --keep "$next" true
	assert_output "cx-caps: --keep: $next: newer than the running kernel, whose last capability is $(capsh_names "$(printf '%x' $((1 << last)))") ($last)"
	run -125 cx-caps --add-ambient "$next" true
	assert_output "cx-caps: --add-ambient: $next: newer than the running kernel, whose last capability is $(capsh_names "$(printf '%x' $((1 << last)))") ($last)"
	# There is nothing to drop: said, and the chain goes on.
	run -0 --separate-stderr cx-caps --drop "cap_kill,$next" cat /proc/self/status
	assert_equal "$stderr" "cx-caps: --drop: $next: newer than the running kernel, whose last capability is $(capsh_names "$(printf '%x' $((1 << last)))") ($last): nothing to drop"
	assert_line $'CapBnd:\t'"$(mask_without "$(host_field CapBnd)" 0000000000000020)"

	# A named one, on a kernel that claims to stop one short (a bind
	# mount in a throwaway mount namespace).
	[ "$last" -ge 1 ] && [ -n "$(capsh_names "$(printf '%x' $((1 << last)))")" ] ||
		skip "the last capability has no name here"
	echo $((last - 1)) >"$TMP/last_cap"
	local name
	name=$(capsh_names "$(printf '%x' $((1 << last)))")
	run -125 cx-unshare --mount /bin/sh -c \
		'mount --bind "$1" /proc/sys/kernel/cap_last_cap && exec cx-caps --keep "$2" true' \
		sh "$TMP/last_cap" "$name"
	assert_output --regexp "^cx-caps: --keep: $name: newer than the running kernel, whose last capability is [a-z_]+ \\($((last - 1))\\)\$"
	assert_equal "$(cat /proc/sys/kernel/cap_last_cap)" "$last"
}

# --- help -----------------------------------------------------------------

@test "--help lists the chain options; show --help its own" {
	run -0 cx-caps --help
	assert_line --index 0 "Usage: cx-caps [options] [--] [COMMAND [ARG]...]"
	assert_line --partial "--add-ambient LIST"
	assert_line --partial "--lock"
	run -0 cx-caps show --help
	assert_line --index 0 "Usage: cx-caps show [--pid PID] [--json]"
	assert_line --partial "--pid PID"
	assert_line --partial "--json"
}

@test "an ambient capability held before --user is raised again after the uid change" {
	# A change of uid away from root clears the ambient set: what was
	# there before must be raised again, not taken as still there.
	run -0 cx-caps --keep net_bind_service,setuid,setgid,setpcap --add-ambient net_bind_service -- \
		cx-caps --user nobody --keep net_bind_service --add-ambient net_bind_service -- \
		cat /proc/self/status
	assert_line --regexp '^CapAmb:	0000000000000400$'
	assert_line --regexp '^Uid:	65534	65534	65534	65534$'
}
