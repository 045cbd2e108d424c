#!/usr/bin/env bats
# cx-bind against the real kernel: the walkthrough's read-only bind and
# its unmount, --ro --rec over submounts, a hostile --root, --mkdir and
# its cleanup, --try, -b pairs, the chain, the default nosuid,nodev,
# propagation, -u and its refusals, and the mount(2) fallback.
#
# Every mount is made either below $TMP (teardown unmounts it) or in a
# mount namespace of its own (cx-unshare --mount), which is private: no
# mount made there reaches the host.

bats_require_minimum_version 1.5.0

load helpers

HELPER_NOSYS="$CX_BUILD/tests/helper-nosys"

# Which of rw, ro, nosuid, nodev, noexec the topmost mount on PATH has
# ("none" when nothing is mounted there), read from mountinfo.
flags_of() {
	awk -v p="$1" '$5 == p { o = $6 } END {
		if (o == "") { print "none"; exit }
		n = split(o, f, ","); s = ""
		split("rw ro nosuid nodev noexec", want, " ")
		for (w = 1; w <= 5; w++)
			for (i = 1; i <= n; i++)
				if (f[i] == want[w]) s = s (s == "" ? "" : " ") want[w]
		print s
	}' /proc/self/mountinfo
}

# The optional fields (shared:N, master:N, unbindable) of the topmost
# mount on PATH.
propagation_of() {
	awk -v p="$1" '$5 == p {
		o = ""
		for (i = 7; $i != "-"; i++) o = o (o == "" ? "" : " ") $i
		r = o
	} END { print r }' /proc/self/mountinfo
}

# How many mounts sit on PATH.
mounts_on() {
	awk -v p="$1" '$5 == p' /proc/self/mountinfo | wc -l
}

# Mounts on PATH or below it.
mounts_under() {
	awk -v p="$1" '$5 == p || index($5, p "/") == 1' /proc/self/mountinfo | wc -l
}

# Mounts of this test's files that sit outside $TMP: the root of the
# mount (field 4, relative to its file system) is below $TMP, its mount
# point (field 5) is not.  Other tests that run at the same time mount
# elsewhere, but never this test's files.
strays() {
	local fs rel
	fs=$(stat -c %m "$TMP")
	rel=${TMP#"$fs"}
	rel=/${rel#/}
	awk -v t="$TMP" -v r="$rel" \
		'index($5, t) != 1 && (index($4, r "/") == 1 || $4 == r)' \
		/proc/self/mountinfo | wc -l
}

export -f flags_of propagation_of mounts_on mounts_under

# A script in a private mount namespace of its own, run by bash so
# that the functions above are there.
in_ns() {
	cx-unshare --mount bash -c "set -u; $1"
}

# A source tree with a file in it.
make_src() {
	mkdir -p "$TMP/src/sub" "$TMP/tgt"
	echo 'from src' >"$TMP/src/file"
}

setup() {
	TMP=$(mktemp -d /tmp/cx-bats.XXXXXX)
	ROOTFS="$TMP/rootfs"
	cp -a "$CX_ROOTFS" "$ROOTFS"
	export TMP ROOTFS
}

teardown() {
	# Whatever a test did, none of its files may be mounted outside $TMP.
	local n
	n=$(strays)
	cleanup_tmp
	[ "$n" = 0 ] || fail "$n mounts of the test's files outside $TMP"
}

# --- the walkthrough's mounts step ------------------------------------

@test "walkthrough: a host directory bound read-only is readable in the chroot, not writable" {
	mkdir "$TMP/readonlyfiles" "$ROOTFS/var/readonlyfiles"
	echo 'Bonjour !' >"$TMP/readonlyfiles/hello.txt"

	run -0 cx-bind --ro "$TMP/readonlyfiles" "$ROOTFS/var/readonlyfiles"
	assert_output ""
	assert_equal "$(mounts_on "$ROOTFS/var/readonlyfiles")" 1
	assert_equal "$(flags_of "$ROOTFS/var/readonlyfiles")" "ro nosuid nodev"

	run -0 cx-chroot "$ROOTFS" /bin/cat /var/readonlyfiles/hello.txt
	assert_output "Bonjour !"
	run -1 cx-chroot "$ROOTFS" /bin/sh -c 'echo hello >/var/readonlyfiles/hello.txt'
	assert_output "/bin/sh: can't create /var/readonlyfiles/hello.txt: Read-only file system"
	assert_equal "$(cat "$TMP/readonlyfiles/hello.txt")" "Bonjour !"

	# rm cannot take the mount away: the kernel says the point is busy
	# (rmdir(2) is the call; rm -d stops earlier, at "not empty").
	run -1 rmdir "$ROOTFS/var/readonlyfiles"
	assert_output "rmdir: failed to remove '$ROOTFS/var/readonlyfiles': Device or resource busy"
	run -1 rm -rf "$ROOTFS/var/readonlyfiles"
	assert_output "rm: cannot remove '$ROOTFS/var/readonlyfiles/hello.txt': Read-only file system"
	assert_equal "$(mounts_on "$ROOTFS/var/readonlyfiles")" 1

	# cx-bind -u does, as umount in the walkthrough.
	run -0 cx-bind -u "$ROOTFS/var/readonlyfiles"
	assert_output ""
	assert_equal "$(mounts_on "$ROOTFS/var/readonlyfiles")" 0
	run -1 cx-chroot "$ROOTFS" /bin/cat /var/readonlyfiles/hello.txt
	assert_output "cat: can't open '/var/readonlyfiles/hello.txt': No such file or directory"
	run -0 rmdir "$ROOTFS/var/readonlyfiles"
	assert_equal "$(cat "$TMP/readonlyfiles/hello.txt")" "Bonjour !"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "walkthrough: a host file bound read-only, its mount point made by --mkdir" {
	echo 'Bonjour !' >"$TMP/hello.txt"
	[ ! -e "$ROOTFS/var/hello.txt" ]

	run -0 cx-bind --ro --mkdir "$TMP/hello.txt" "$ROOTFS/var/hello.txt"
	assert_output ""
	assert_equal "$(flags_of "$ROOTFS/var/hello.txt")" "ro nosuid nodev"
	run -0 cx-chroot "$ROOTFS" /bin/cat /var/hello.txt
	assert_output "Bonjour !"
	run -1 cx-chroot "$ROOTFS" /bin/sh -c 'echo hello >/var/hello.txt'
	assert_output "/bin/sh: can't create /var/hello.txt: Read-only file system"
	run -1 rm "$ROOTFS/var/hello.txt"
	assert_output "rm: cannot remove '$ROOTFS/var/hello.txt': Device or resource busy"

	run -0 cx-bind -u "$ROOTFS/var/hello.txt"
	assert_equal "$(mounts_on "$ROOTFS/var/hello.txt")" 0
	# What --mkdir made stays after a success: an empty file.
	run -0 stat -c '%F %s' "$ROOTFS/var/hello.txt"
	assert_output "regular empty file 0"
	assert_equal "$(cat "$TMP/hello.txt")" "Bonjour !"
}

# --- --ro and --rec ------------------------------------------------------

@test "--ro --rec: the submount is bound and read-only too" {
	make_src
	run -0 in_ns '
		mount -t tmpfs cxsub "$TMP/src/sub" || exit 99
		cx-bind --ro --rec "$TMP/src" "$TMP/tgt" || exit 98
		echo "top: $(flags_of "$TMP/tgt")"
		echo "sub: $(flags_of "$TMP/tgt/sub")"
		touch "$TMP/tgt/file" "$TMP/tgt/sub/new" 2>&1
		touch "$TMP/src/sub/new" && echo "the source stays writable"'
	assert_line --index 0 "top: ro nosuid nodev"
	assert_line --index 1 "sub: ro nosuid nodev"
	assert_line --index 2 "touch: cannot touch '$TMP/tgt/file': Read-only file system"
	assert_line --index 3 "touch: cannot touch '$TMP/tgt/sub/new': Read-only file system"
	assert_line --index 4 "the source stays writable"
	assert_equal "${#lines[@]}" 5
	assert_equal "$(mounts_below_tmp)" 0
}

@test "--ro without --rec: the submount is not carried over and stays writable where it is" {
	make_src
	run -0 in_ns '
		mount -t tmpfs cxsub "$TMP/src/sub" || exit 99
		cx-bind --ro "$TMP/src" "$TMP/tgt" || exit 98
		echo "top: $(flags_of "$TMP/tgt")"
		echo "sub: $(flags_of "$TMP/tgt/sub")"
		echo "source sub: $(flags_of "$TMP/src/sub")"
		touch "$TMP/tgt/sub/new" 2>&1
		touch "$TMP/src/sub/new" && echo "the submount is writable"'
	assert_line --index 0 "top: ro nosuid nodev"
	assert_line --index 1 "sub: none"
	assert_line --index 2 "source sub: rw"
	assert_line --index 3 "touch: cannot touch '$TMP/tgt/sub/new': Read-only file system"
	assert_line --index 4 "the submount is writable"
	assert_equal "$(mounts_below_tmp)" 0
}

# --- --root: a hostile rootfs -----------------------------------------------

@test "--root: a TARGET symlink to /etc lands on the rootfs's /etc, never the host's" {
	make_src
	ln -s /etc "$ROOTFS/var/x"
	local etc_before
	etc_before=$(mounts_under /etc)

	run -0 cx-bind --root "$ROOTFS" --ro "$TMP/src" /var/x
	assert_output ""
	assert_equal "$(mounts_on "$ROOTFS/etc")" 1
	assert_equal "$(flags_of "$ROOTFS/etc")" "ro nosuid nodev"
	assert_equal "$(mounts_under /etc)" "$etc_before"
	assert_equal "$(strays)" 0
	[ ! -e /etc/file ]
	assert_equal "$(cat "$ROOTFS/etc/file")" "from src"

	# -u resolves the same way inside the root.
	run -0 cx-bind --root "$ROOTFS" -u /var/x
	assert_output ""
	assert_equal "$(mounts_below_tmp)" 0
	[ -f "$ROOTFS/etc/passwd" ]
}

@test "--root: .. chains and a relative symlink out of the root stay inside" {
	make_src
	ln -s ../../../../../../../../../etc "$ROOTFS/var/y"
	local target
	for target in /../../../../etc ../../etc var/y var/y/../../../etc/../etc; do
		run -0 cx-bind --root "$ROOTFS" "$TMP/src" "$target"
		assert_equal "$(mounts_on "$ROOTFS/etc")" 1
		assert_equal "$(strays)" 0
		run -0 cx-bind --root "$ROOTFS" -u "$target"
		assert_equal "$(mounts_below_tmp)" 0
	done
}

@test "--root --mkdir: a parent that links out of the root is followed inside it" {
	make_src
	# /tmp exists on the host and in the rootfs: the link leads to the
	# rootfs's.
	ln -s /tmp "$ROOTFS/var/t"
	local name=cx-bind-new.${TMP##*.}
	run -0 cx-bind --root "$ROOTFS" --mkdir "$TMP/src" "/var/t/$name/dir"
	assert_output ""
	[ -d "$ROOTFS/tmp/$name/dir" ]
	[ ! -e "/tmp/$name" ]
	assert_equal "$(mounts_on "$ROOTFS/tmp/$name/dir")" 1
	assert_equal "$(strays)" 0
	run -0 cx-bind --root "$ROOTFS" -u "/var/t/$name/dir"
	assert_equal "$(mounts_below_tmp)" 0

	# A link to a folder that only the host has: refused, as mkdir -p
	# refuses a dangling link, and nothing is made on either side.
	mkdir "$TMP/outside"
	ln -s "$TMP/outside" "$ROOTFS/var/z"
	run -125 cx-bind --root "$ROOTFS" --mkdir "$TMP/src" /var/z/new
	assert_output "cx-bind: mkdir $ROOTFS/var/z: a symlink to a missing path: File exists"
	[ ! -e "$TMP/outside/new" ]
	[ ! -e "$ROOTFS/tmp/cx-bats.${TMP##*.}" ]
	[ -L "$ROOTFS/var/z" ]

	# The same for a file's mount point.
	ln -s /nonexistent "$ROOTFS/var/dangling"
	run -125 cx-bind --root "$ROOTFS" --mkdir "$TMP/src/file" /var/dangling
	assert_output "cx-bind: create $ROOTFS/var/dangling: a symlink to a missing path: File exists"
	[ ! -e /nonexistent ]
	[ ! -e "$ROOTFS/nonexistent" ]
	assert_equal "$(mounts_below_tmp)" 0
}

# --- --mkdir and its cleanup -----------------------------------------------

@test "--mkdir: a directory onto a file fails and removes what it made" {
	make_src
	run -125 cx-bind --root "$ROOTFS" --mkdir "$TMP/src" /new/../etc/passwd
	assert_output "cx-bind: mount $TMP/src on $ROOTFS/new/../etc/passwd: Not a directory"
	[ ! -e "$ROOTFS/new" ]

	# A file onto a directory, the other way round.
	run -125 cx-bind --root "$ROOTFS" --mkdir "$TMP/src/file" /new/a/../../etc
	assert_output "cx-bind: mount $TMP/src/file on $ROOTFS/new/a/../../etc: Is a directory"
	[ ! -e "$ROOTFS/new" ]
	assert_equal "$(mounts_below_tmp)" 0
}

@test "--mkdir: a bind the kernel refuses removes what cx-bind made, and only that" {
	make_src
	mkdir "$ROOTFS/existing"
	# A source on an unbindable mount: open_tree(2) refuses to copy it.
	run -125 in_ns '
		mount --bind "$TMP/src" "$TMP/src" &&
		mount --make-unbindable "$TMP/src" || exit 99
		cx-bind --mkdir "$TMP/src" "$ROOTFS/existing/a/b/c"'
	assert_output "cx-bind: mount $TMP/src on $ROOTFS/existing/a/b/c: the source is on an unbindable mount: Invalid argument"
	[ -d "$ROOTFS/existing" ]
	[ ! -e "$ROOTFS/existing/a" ]
	assert_equal "$(mounts_below_tmp)" 0
}

@test "--mkdir: what someone else put in a made directory stays, and so does the directory" {
	make_src
	# A failing second pair makes cx-bind undo the first, whose
	# directory now holds a file that cx-bind did not make.
	run -125 cx-bind --mkdir -b "$TMP/src:$TMP/made/dir" \
		-b "$TMP/src:$TMP/src/file"
	assert_output "cx-bind: mount $TMP/src on $TMP/src/file: Not a directory"
	[ ! -e "$TMP/made" ]

	run -125 in_ns '
		cx-bind --mkdir "$TMP/src" "$TMP/made/dir" || exit 99
		umount "$TMP/made/dir"; touch "$TMP/made/dir/theirs"
		cx-bind --mkdir "$TMP/src" "$TMP/made/dir/x/../../../src/file"'
	assert_output "cx-bind: mount $TMP/src on $TMP/made/dir/x/../../../src/file: Not a directory"
	[ ! -e "$TMP/made/dir/x" ]
	[ -f "$TMP/made/dir/theirs" ]
}

@test "--mkdir without need: an existing TARGET is used as it is" {
	make_src
	run -0 cx-bind --mkdir "$TMP/src" "$TMP/tgt"
	assert_equal "$(mounts_on "$TMP/tgt")" 1
	run -0 cx-bind -u "$TMP/tgt"
	[ -d "$TMP/tgt" ]
}

# --- --try -----------------------------------------------------------------

@test "--try: a missing SOURCE is skipped quietly, nothing is made, the command runs" {
	run -0 cx-bind --try --mkdir "$TMP/nonexistent" "$ROOTFS/var/new" \
		/bin/echo ran
	assert_output "ran"
	[ ! -e "$ROOTFS/var/new" ]

	# Without --try: exit 125, nothing made, the command does not run.
	run -125 cx-bind --mkdir "$TMP/nonexistent" "$ROOTFS/var/new" \
		/bin/echo ran
	assert_output "cx-bind: open $TMP/nonexistent: No such file or directory"
	[ ! -e "$ROOTFS/var/new" ]
	assert_equal "$(mounts_below_tmp)" 0
}

@test "--try skips only the missing SOURCE: the other pairs are bound, other errors stay errors" {
	make_src
	mkdir "$TMP/tgt2"
	run -0 cx-bind --try -b "$TMP/nonexistent:$TMP/tgt" -b "$TMP/src:$TMP/tgt2"
	assert_output ""
	assert_equal "$(mounts_on "$TMP/tgt")" 0
	assert_equal "$(mounts_on "$TMP/tgt2")" 1
	run -0 cx-bind -u "$TMP/tgt2"

	# A missing TARGET is no missing SOURCE.
	run -125 cx-bind --try "$TMP/src" "$TMP/nonexistent"
	assert_output "cx-bind: open $TMP/nonexistent: No such file or directory"
	assert_equal "$(mounts_below_tmp)" 0
}

# --- -b pairs -----------------------------------------------------------------

@test "-b: several pairs in one call, in order, then the command" {
	mkdir -p "$TMP/a" "$TMP/b" "$TMP/ta" "$TMP/ta2"
	echo A >"$TMP/a/f"
	echo B >"$TMP/b/f"
	run -0 cx-unshare --mount cx-bind --ro -b "$TMP/a:$TMP/ta" \
		-b "$TMP/b:$TMP/ta/../ta2" bash -c '
		cat "$TMP/ta/f" "$TMP/ta2/f"
		echo "$(flags_of "$TMP/ta") / $(flags_of "$TMP/ta2")"'
	assert_line --index 0 A
	assert_line --index 1 B
	assert_line --index 2 "ro nosuid nodev / ro nosuid nodev"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "-b: a failing pair undoes the pairs before it" {
	make_src
	mkdir "$TMP/tgt2"
	run -125 cx-bind -b "$TMP/src:$TMP/tgt" -b "$TMP/src:$TMP/tgt2" \
		-b "$TMP/src:$TMP/missing" /bin/echo ran
	assert_output "cx-bind: open $TMP/missing: No such file or directory"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "-b: a colon in a path is written \\:, an unescaped third part is read as OPTIONS" {
	mkdir "$TMP/a:b" "$TMP/tgt"
	echo colon >"$TMP/a:b/f"
	run -0 cx-bind -b "$TMP/a\\:b:$TMP/tgt"
	assert_equal "$(cat "$TMP/tgt/f")" colon
	run -0 cx-bind -u "$TMP/tgt"

	run -125 cx-bind -b "$TMP/a:b:$TMP/tgt" /bin/echo ran
	assert_line --index 0 "cx-bind: invalid --bind '$TMP/a:b:$TMP/tgt': OPTIONS '$TMP/tgt' are not among ro, rw, rec, norec, dev, nodev, suid, nosuid, exec, noexec, or contradict each other"
	assert_line --index 1 "Try 'cx-bind --help' for more information."
	run -125 cx-bind -b "$TMP/src" /bin/echo ran
	assert_line --index 0 "cx-bind: invalid --bind '$TMP/src': SOURCE:TARGET[:OPTIONS], with \\: for a colon in a path"
	run -125 cx-bind -b "$TMP/a:$TMP/tgt:ro:dev" /bin/echo ran
	assert_line --index 0 "cx-bind: invalid --bind '$TMP/a:$TMP/tgt:ro:dev': SOURCE:TARGET[:OPTIONS], with \\: for a colon in a path"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "-b SOURCE:TARGET:OPTIONS: each bind its own flags over the tool's" {
	mkdir -p "$TMP/src" "$TMP/t1" "$TMP/t2" "$TMP/t3" "$TMP/src/sub"
	run -0 cx-unshare --mount sh -c '
		mount -t tmpfs sub "$1/src/sub"
		cx-bind --noexec -b "$1/src:$1/t1:ro" -b "$1/src:$1/t2:dev,suid,exec" \
			-b "$1/src:$1/t3:rec,rw" sh -c "
			awk -v p=\"$1\" '"'"'\$5 == p \"/t1\" || \$5 == p \"/t2\" || \$5 == p \"/t3\" || \$5 == p \"/t3/sub\" { print \$5, \$6 }'"'"' /proc/self/mountinfo"' sh "$TMP"
	assert_line --regexp "^$TMP/t1 ro,nosuid,nodev,noexec,"
	assert_line --regexp "^$TMP/t2 rw,relatime"
	assert_line --regexp "^$TMP/t3 rw,nosuid,nodev,noexec,"
	# rec: the tmpfs below comes along, with the same flags.
	assert_line --regexp "^$TMP/t3/sub rw,nosuid,nodev,noexec,"
	assert_equal "${#lines[@]}" 4
	assert_equal "$(mounts_below_tmp)" 0
}

@test "-b with OPTIONS: an unknown or contradicting option is refused before any mount" {
	mkdir -p "$TMP/src" "$TMP/t1" "$TMP/t2"
	for opts in readonly ro,rw dev,nodev "ro," rec,norec; do
		run -125 cx-bind -b "$TMP/src:$TMP/t1" -b "$TMP/src:$TMP/t2:$opts" /bin/echo ran
		assert_line --index 0 "cx-bind: invalid --bind '$TMP/src:$TMP/t2:$opts': OPTIONS '$opts' are not among ro, rw, rec, norec, dev, nodev, suid, nosuid, exec, noexec, or contradict each other"
		refute_line ran
	done
	assert_equal "$(mounts_below_tmp)" 0
}

# --- the chain ----------------------------------------------------------------

@test "chain: cx-unshare --mount cx-bind --ro S T cat T/file; the host sees no mount" {
	make_src
	run -0 cx-unshare --mount cx-bind --ro "$TMP/src" "$TMP/tgt" \
		cat "$TMP/tgt/file"
	assert_output "from src"
	assert_equal "$(mounts_below_tmp)" 0
	[ ! -e "$TMP/tgt/file" ]
}

@test "chain: the command replaces cx-bind (same PID); its status passes through" {
	make_src
	run -0 cx-unshare --mount /bin/sh -c "echo \$\$; exec cx-bind '$TMP/src' '$TMP/tgt' /bin/sh -c 'echo \$\$'"
	assert_equal "${#lines[@]}" 2
	assert_equal "${lines[0]}" "${lines[1]}"

	run -7 cx-unshare --mount cx-bind "$TMP/src" "$TMP/tgt" /bin/sh -c 'exit 7'
	assert_output ""
	# Options after SOURCE TARGET belong to the command.
	run -0 cx-unshare --mount cx-bind "$TMP/src" "$TMP/tgt" echo --ro
	assert_output "--ro"
	assert_equal "$(mounts_below_tmp)" 0
}

# --- fail closed: a command that cannot run costs no mount -------------------

# cx-bind ARGS... in a mount namespace of its own, then the mounts on
# $TMP/tgt there, after cx-bind's line(s) on stderr and its status.
bind_then_count() {
	cx-unshare --mount bash -c 'cx-bind "$@"; echo "status=$?"
		echo "mounts=$(awk -v t="$TMP/tgt" '"'"'$5 == t || index($5, t "/") == 1'"'"' /proc/self/mountinfo | wc -l)"' \
		bash "$@" 2>&1
}

@test "fail closed: a command not found (127) or not runnable (126) is found out before the mount" {
	make_src
	run -0 bind_then_count "$TMP/src" "$TMP/tgt" /no/such/command
	assert_output "cx-bind: exec /no/such/command: No such file or directory (nothing done)
status=127
mounts=0"
	run -0 bind_then_count --ro "$TMP/src" "$TMP/tgt" no-such-command-on-path
	assert_output "cx-bind: exec no-such-command-on-path: No such file or directory (nothing done)
status=127
mounts=0"
	# A directory, and a file without the x bit.
	run -0 bind_then_count "$TMP/src" "$TMP/tgt" "$TMP/src"
	assert_output "cx-bind: exec $TMP/src: Permission denied (nothing done)
status=126
mounts=0"
	run -0 bind_then_count "$TMP/src" "$TMP/tgt" "$TMP/src/file"
	assert_output "cx-bind: exec $TMP/src/file: Permission denied (nothing done)
status=126
mounts=0"
	# -b pairs and --mkdir: no bind, and no mount point made.
	run -0 bind_then_count --mkdir -b "$TMP/src:$TMP/tgt/new" /no/such/command
	assert_line "status=127"
	assert_line "mounts=0"
	assert [ ! -e "$TMP/tgt/new" ]
	# -u: the mount stays.
	run -0 cx-unshare --mount bash -c 'cx-bind "$TMP/src" "$TMP/tgt"
		cx-bind -u "$TMP/tgt" /no/such/command; echo "status=$?"
		awk -v t="$TMP/tgt" '"'"'$5 == t'"'"' /proc/self/mountinfo | wc -l' 2>&1
	assert_output "cx-bind: exec /no/such/command: No such file or directory (nothing done)
status=127
1"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "fail closed: mount(8)'s -o after the operands is the command; cx-bind says so, binds nothing" {
	make_src
	run -0 bind_then_count "$TMP/src" "$TMP/tgt" -o ro
	assert_output "cx-bind: '-o' after the operands is the command to run, not an option: options go first (read-only is --ro, or -b SOURCE:TARGET:ro; cx-bind takes no -o)
cx-bind: exec -o: No such file or directory (nothing done)
status=127
mounts=0"
	run -0 bind_then_count "$TMP/src" "$TMP/tgt" --ro
	assert_output "cx-bind: '--ro' after the operands is the command to run, not an option: options go first
cx-bind: exec --ro: No such file or directory (nothing done)
status=127
mounts=0"
	# A program named -o is still run: the word is only a command.
	mkdir "$TMP/bin"
	printf '#!/bin/sh\necho "ran $0 $*"\n' >"$TMP/bin/-o"
	chmod 755 "$TMP/bin/-o"
	run -0 cx-unshare --mount env PATH="$TMP/bin:$PATH" cx-bind "$TMP/src" "$TMP/tgt" -o ro
	assert_line --index 0 --partial "cx-bind: '-o' after the operands is the command to run"
	assert_line --index 1 "ran $TMP/bin/-o ro"
	# And -o further on belongs to the command, without a word from cx-bind.
	run -0 cx-unshare --mount cx-bind "$TMP/src" "$TMP/tgt" echo -o ro
	assert_output "-o ro"
}

@test "fail closed: a program the bind itself brings is found before it, so env runs it after" {
	make_src
	printf '#!/bin/sh\necho ran\n' >"$TMP/src/prog"
	chmod 755 "$TMP/src/prog"
	run -127 cx-unshare --mount cx-bind "$TMP/src" "$TMP/tgt" "$TMP/tgt/prog"
	assert_output "cx-bind: exec $TMP/tgt/prog: No such file or directory (nothing done)"
	run -0 cx-unshare --mount cx-bind "$TMP/src" "$TMP/tgt" env "$TMP/tgt/prog"
	assert_output ran
}

# --- flags: nosuid and nodev by default --------------------------------------

@test "nosuid and nodev by default; --suid and --dev leave them out; --noexec adds noexec" {
	make_src
	# The source's own mount has none of them: they come from cx-bind.
	[ "$(flags_of "$(stat -c %m "$TMP/src")")" = rw ] ||
		skip "the file system of $TMP is mounted with nosuid, nodev or noexec already"
	run -0 in_ns '
		for opts in "" "--nosuid --nodev" "--suid" "--dev" "--suid --dev" "--noexec" "--ro --noexec"; do
			cx-bind $opts "$TMP/src" "$TMP/tgt" || exit 99
			echo "[$opts] $(flags_of "$TMP/tgt")"
			cx-bind -u "$TMP/tgt" || exit 98
		done'
	assert_line --index 0 "[] rw nosuid nodev"
	assert_line --index 1 "[--nosuid --nodev] rw nosuid nodev"
	assert_line --index 2 "[--suid] rw nodev"
	assert_line --index 3 "[--dev] rw nosuid"
	assert_line --index 4 "[--suid --dev] rw"
	assert_line --index 5 "[--noexec] rw nosuid nodev noexec"
	assert_line --index 6 "[--ro --noexec] ro nosuid nodev noexec"
	assert_equal "${#lines[@]}" 7
}

@test "nosuid by default: a set-user-ID program on the bind does not raise its user" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is needed to run as nobody"
	make_src
	cp "$(command -v id)" "$TMP/src/id"
	chmod 4755 "$TMP/src/id"
	chmod 755 "$TMP"
	# Straight from the source, the bit works.
	run -0 setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/src/id" -u
	assert_output 0
	run -0 cx-unshare --mount cx-bind "$TMP/src" "$TMP/tgt" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/tgt/id" -u
	assert_output 65534
	run -0 cx-unshare --mount cx-bind --suid "$TMP/src" "$TMP/tgt" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/tgt/id" -u
	assert_output 0
}

@test "--noexec: a program on the bind cannot run (126)" {
	make_src
	printf '#!/bin/sh\necho ran\n' >"$TMP/src/prog"
	chmod 755 "$TMP/src/prog"
	# The command is looked up before the mount: env finds the program
	# after it.
	run -0 cx-unshare --mount cx-bind "$TMP/src" "$TMP/tgt" env "$TMP/tgt/prog"
	assert_output ran
	run -126 cx-unshare --mount cx-bind --noexec "$TMP/src" "$TMP/tgt" env "$TMP/tgt/prog"
	assert_output --regexp "^env: .$TMP/tgt/prog.: Permission denied\$"
}

@test "--nodev by default: a device node on the bind cannot be opened" {
	make_src
	mknod "$TMP/src/null" c 1 3
	run -0 cx-unshare --mount cx-bind --dev "$TMP/src" "$TMP/tgt" \
		bash -c 'echo x >"$TMP/tgt/null" && echo written'
	assert_output written
	run -1 cx-unshare --mount cx-bind "$TMP/src" "$TMP/tgt" \
		bash -c 'echo x >"$TMP/tgt/null"'
	assert_output --partial "$TMP/tgt/null: Permission denied"
}

# --- --propagation ---------------------------------------------------------------

@test "--propagation: private, shared, slave and unbindable, in mountinfo" {
	make_src
	run -0 in_ns '
		for mode in private shared unbindable unchanged; do
			cx-bind --propagation $mode "$TMP/src" "$TMP/tgt" || exit 99
			echo "$mode: [$(propagation_of "$TMP/tgt")]"
			cx-bind -u "$TMP/tgt" || exit 98
		done
		# A slave needs a master: a shared source.
		mount --bind "$TMP/src" "$TMP/src" && mount --make-shared "$TMP/src"
		cx-bind --propagation slave "$TMP/src" "$TMP/tgt" || exit 97
		echo "slave: [$(propagation_of "$TMP/tgt")]"
		echo "its master: [$(propagation_of "$TMP/src")]"'
	assert_line --index 0 "private: []"
	assert_line --index 1 --regexp '^shared: \[shared:[0-9]+\]$'
	assert_line --index 2 "unbindable: [unbindable]"
	assert_line --index 3 "unchanged: []"
	assert_line --index 4 --regexp '^slave: \[master:[0-9]+\]$'
	local master=${lines[4]#*master:} peer=${lines[5]#*shared:}
	assert_equal "${master%]}" "${peer%]}"
}

@test "--propagation with --rec reaches the submounts" {
	make_src
	run -0 in_ns '
		mount -t tmpfs cxsub "$TMP/src/sub" || exit 99
		cx-bind --rec --propagation unbindable "$TMP/src" "$TMP/tgt" || exit 98
		echo "[$(propagation_of "$TMP/tgt")] [$(propagation_of "$TMP/tgt/sub")]"'
	assert_output "[unbindable] [unbindable]"
}

# --- -u ----------------------------------------------------------------------------

@test "-u: not a mount point is refused, and nothing changes" {
	run -125 cx-bind -u "$ROOTFS/var"
	assert_output "cx-bind: unmount $ROOTFS/var: not a mount point"
	run -125 cx-bind -u "$TMP/nonexistent"
	assert_output "cx-bind: open $TMP/nonexistent: No such file or directory"
	run -125 cx-bind --root "$ROOTFS" -u /etc/passwd
	assert_output "cx-bind: unmount $ROOTFS/etc/passwd: not a mount point"
	[ -f "$ROOTFS/etc/passwd" ]
}

@test "-u: a busy mount stays (EBUSY) until --lazy detaches it" {
	make_src
	run -0 in_ns '
		cx-bind "$TMP/src" "$TMP/tgt" || exit 99
		cd "$TMP/tgt"
		cx-bind -u "$TMP/tgt"; echo "rc $? mounts $(mounts_on "$TMP/tgt")"
		cx-bind --lazy -u "$TMP/tgt"; echo "rc $? mounts $(mounts_on "$TMP/tgt")"
		cat file'
	assert_line --index 0 --regexp "^cx-bind: unmount $TMP/tgt: $EBUSY_TEXT\$"
	assert_line --index 1 "rc 125 mounts 1"
	assert_line --index 2 "rc 0 mounts 0"
	# The detached tree lives on for whoever is still in it.
	assert_line --index 3 "from src"
}

@test "-u --rec: the mounts below first, deepest first" {
	make_src
	run -0 in_ns '
		mkdir -p "$TMP/src/sub/deeper"
		mount -t tmpfs cxsub "$TMP/src/sub" && mkdir "$TMP/src/sub/deeper" &&
		mount -t tmpfs cxdeep "$TMP/src/sub/deeper" || exit 99
		cx-bind --rec "$TMP/src" "$TMP/tgt" || exit 98
		echo "bound: $(mounts_under "$TMP/tgt")"
		cx-bind -u "$TMP/tgt"; echo "rc $? left $(mounts_under "$TMP/tgt")"
		cx-bind --rec -u "$TMP/tgt"; echo "rc $? left $(mounts_under "$TMP/tgt")"
		echo "source: $(mounts_under "$TMP/src")"'
	assert_line --index 0 "bound: 3"
	assert_line --index 1 --regexp "^cx-bind: unmount $TMP/tgt: $EBUSY_TEXT\$"
	assert_line --index 2 "rc 125 left 3"
	assert_line --index 3 "rc 0 left 0"
	assert_line --index 4 "source: 2"
}

@test "-u on a stack unmounts the topmost only" {
	make_src
	mkdir "$TMP/other"
	echo other >"$TMP/other/file"
	run -0 in_ns '
		cx-bind "$TMP/src" "$TMP/tgt" && cx-bind "$TMP/other" "$TMP/tgt" || exit 99
		cat "$TMP/tgt/file"
		cx-bind -u "$TMP/tgt" || exit 98
		echo "$(mounts_on "$TMP/tgt"): $(cat "$TMP/tgt/file")"'
	assert_line --index 0 other
	assert_line --index 1 "1: from src"
}

# --- usage ----------------------------------------------------------------------

@test "usage errors: exit 125, one line and a pointer to --help, nothing mounted" {
	make_src
	run -125 cx-bind
	assert_line --index 0 "cx-bind: missing operand SOURCE"
	assert_line --index 1 "Try 'cx-bind --help' for more information."
	assert_equal "${#lines[@]}" 2
	run -125 cx-bind "$TMP/src"
	assert_line --index 0 "cx-bind: missing operand TARGET after '$TMP/src'"
	run -125 cx-bind --lazy "$TMP/src" "$TMP/tgt"
	assert_line --index 0 "cx-bind: --lazy needs --unmount"
	run -125 cx-bind --ro -u "$TMP/tgt"
	assert_line --index 0 "cx-bind: --unmount conflicts with --ro"
	run -125 cx-bind -u "$TMP/tgt" --mkdir
	assert_line --index 0 "cx-bind: --unmount conflicts with --mkdir"
	run -125 cx-bind --suid --nosuid "$TMP/src" "$TMP/tgt"
	assert_line --index 0 "cx-bind: --suid conflicts with --nosuid"
	run -125 cx-bind --nodev --dev "$TMP/src" "$TMP/tgt"
	assert_line --index 0 "cx-bind: --dev conflicts with --nodev"
	run -125 cx-bind --propagation sideways "$TMP/src" "$TMP/tgt"
	assert_line --index 0 "cx-bind: invalid --propagation 'sideways': private, slave, shared, unbindable or unchanged"
	run -125 cx-bind --bogus "$TMP/src" "$TMP/tgt"
	assert_line --index 0 "cx-bind: unrecognized option '--bogus'"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "--help and --version exit 0 and mount nothing" {
	make_src
	run -0 cx-bind --help "$TMP/src" "$TMP/tgt"
	assert_line --index 0 "Usage: cx-bind [options] SOURCE TARGET [COMMAND [ARG]...]"
	assert_output --partial -- "--unmount"
	assert_output --partial -- "--propagation"
	run -0 cx-bind --version
	assert_output --regexp '^cx-bind [0-9]+\.[0-9]+\.[0-9]+$'
	assert_equal "$(mounts_below_tmp)" 0
}

@test "without /proc cx-bind cannot prove its flags: it refuses, nothing mounted" {
	require_static_tools
	mkdir "$ROOTFS/src"
	run -125 cx-chroot "$ROOTFS" cx-bind --ro /src /mnt /bin/echo ran
	assert_output "cx-bind: mount /src on /mnt: /proc is needed to check the mount: No such file or directory"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "inside a chroot with its own proc, paths are the chroot's" {
	require_static_tools
	mkdir "$ROOTFS/src"
	echo inside >"$ROOTFS/src/f"
	run -0 cx-unshare --mount --mount-proc="$ROOTFS/proc" cx-chroot "$ROOTFS" \
		cx-bind --ro /src /mnt /bin/sh -c 'cat /mnt/f; touch /mnt/f 2>&1; grep " /mnt " /proc/self/mountinfo | cut -d" " -f5,6'
	assert_line --index 0 inside
	assert_line --index 1 "touch: /mnt/f: Read-only file system"
	assert_line --index 2 --regexp '^/mnt ro,nosuid,nodev'
	assert_equal "$(mounts_below_tmp)" 0
}

# --- the mount(2) fallback (no open_tree, move_mount, mount_setattr) ---------

@test "fallback: --ro --rec through mount(2): every mount read-only, then -u --rec" {
	require_helper "$HELPER_NOSYS"
	make_src
	run -0 in_ns '
		mount -t tmpfs cxsub "$TMP/src/sub" || exit 99
		mount -o remount,noexec "$TMP/src/sub" || exit 99
		"$CX_BUILD/tests/helper-nosys" cx-bind --ro --rec "$TMP/src" "$TMP/tgt" || exit 98
		echo "top: $(flags_of "$TMP/tgt")"
		echo "sub: $(flags_of "$TMP/tgt/sub")"
		touch "$TMP/tgt/sub/new" 2>&1
		"$CX_BUILD/tests/helper-nosys" cx-bind --rec -u "$TMP/tgt"
		echo "rc $? left $(mounts_under "$TMP/tgt")"'
	assert_line --index 0 "top: ro nosuid nodev"
	# The flag the submount had (noexec) is kept by the remount.
	assert_line --index 1 "sub: ro nosuid nodev noexec"
	assert_line --index 2 "touch: cannot touch '$TMP/tgt/sub/new': Read-only file system"
	assert_line --index 3 "rc 0 left 0"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "fallback: --root with a hostile symlink, a file bind made by --mkdir" {
	require_helper "$HELPER_NOSYS"
	make_src
	ln -s /etc "$ROOTFS/var/x"
	run -0 "$HELPER_NOSYS" cx-bind --root "$ROOTFS" --ro --mkdir "$TMP/src/file" /var/x/new/file
	assert_output ""
	assert_equal "$(flags_of "$ROOTFS/etc/new/file")" "ro nosuid nodev"
	assert_equal "$(cat "$ROOTFS/etc/new/file")" "from src"
	[ ! -e /etc/new ]
	assert_equal "$(strays)" 0
	run -0 "$HELPER_NOSYS" cx-bind --root "$ROOTFS" -u /var/x/new/file
	assert_equal "$(mounts_below_tmp)" 0
}

@test "fallback: a bind the kernel refuses after --mkdir removes what was made" {
	require_helper "$HELPER_NOSYS"
	make_src
	run -125 in_ns '
		mount --bind "$TMP/src" "$TMP/src" &&
		mount --make-unbindable "$TMP/src" || exit 99
		"$CX_BUILD/tests/helper-nosys" cx-bind --mkdir "$TMP/src" "$ROOTFS/a/b/c"'
	assert_output "cx-bind: mount $TMP/src on $ROOTFS/a/b/c: the source is on an unbindable mount: Invalid argument"
	[ ! -e "$ROOTFS/a" ]
	assert_equal "$(mounts_below_tmp)" 0
}

@test "fallback: --propagation and --noexec through mount(2)" {
	require_helper "$HELPER_NOSYS"
	make_src
	run -0 in_ns '
		"$CX_BUILD/tests/helper-nosys" cx-bind --noexec --propagation shared "$TMP/src" "$TMP/tgt" || exit 99
		echo "$(flags_of "$TMP/tgt") [$(propagation_of "$TMP/tgt")]"'
	assert_output --regexp '^rw nosuid nodev noexec \[shared:[0-9]+\]$'
}

# --- idmapped binds ------------------------------------------------------

# A source with a folder and a file of uid and gid 1000, and one of root.
idmap_source() {
	chmod 711 "$TMP"	# uid 2000 writes through the bind below it
	mkdir "$TMP/src" "$TMP/dst"
	touch "$TMP/src/mine" "$TMP/src/roots"
	chown 1000:1000 "$TMP/src" "$TMP/src/mine"
}

@test "idmapped: --map-users/--map-groups: the owners show mapped, writes land as the file's ids, the host's files stay" {
	idmap_source
	run -0 cx-unshare --mount cx-bind --map-users 1000:2000:1 \
		--map-groups 1000:3000:1 "$TMP/src" "$TMP/dst" /bin/sh -c '
		stat -c "%n %u:%g" "$0/mine" "$0/roots" "$0"
		grep " $0 " /proc/self/mountinfo
		setpriv --reuid 2000 --regid 3000 --clear-groups touch "$0/new"' "$TMP/dst"
	assert_line --index 0 "$TMP/dst/mine 2000:3000"
	# An id the map leaves out shows as the overflow id.
	assert_line --index 1 "$TMP/dst/roots 65534:65534"
	assert_line --index 2 "$TMP/dst 2000:3000"
	assert_line --index 3 --regexp " $TMP/dst [^ ]*,idmapped "
	# On disk: what uid 2000 made belongs to 1000; nothing else moved.
	assert_equal "$(stat -c %u:%g "$TMP/src/new" "$TMP/src/mine" "$TMP/src/roots" "$TMP/src")" \
		"1000:1000
1000:1000
0:0
1000:1000"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "idmapped: --map-userns takes a container's user namespace: its root owns the host's root files" {
	idmap_source
	cx-unshare --user --map-users 0:100000:65536 --map-groups 0:100000:65536 \
		--pidfile "$TMP/pid" /bin/sleep 100 </dev/null >/dev/null 2>&1 3>&- &
	BG_PIDS="$BG_PIDS $!"
	wait_for_file "$TMP/pid" || fail "the container did not start"
	local pid
	pid=$(cat "$TMP/pid")
	BG_PIDS="$BG_PIDS $pid"
	run -0 cx-unshare --mount cx-bind --map-userns "/proc/$pid/ns/user" \
		"$TMP/src" "$TMP/dst" stat -c %u:%g "$TMP/dst/roots" "$TMP/dst/mine"
	assert_output "100000:100000
101000:101000"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "idmapped: refusals in one line, with the cause; nothing mounted" {
	idmap_source
	run -125 cx-bind --map-users 1000:2000 "$TMP/src" "$TMP/dst"
	assert_line --index 0 "cx-bind: invalid --map-users '1000:2000': FILE-ID:SHOWN-ID:COUNT, COUNT at least 1"
	run -125 cx-bind --map-userns /proc/self/ns/mnt "$TMP/src" "$TMP/dst"
	assert_output "cx-bind: --map-userns: /proc/self/ns/mnt is not a user namespace (such as /proc/PID/ns/user)"
	# A FIFO is never opened: with no writer, that would block.
	mkfifo "$TMP/fifo"
	run -125 timeout 20 cx-bind --map-userns "$TMP/fifo" "$TMP/src" "$TMP/dst"
	assert_output "cx-bind: --map-userns: $TMP/fifo is not a user namespace (such as /proc/PID/ns/user)"
	run -125 cx-bind --map-userns /proc/self/ns/user --map-users 0:1:1 "$TMP/src" "$TMP/dst"
	assert_line --index 0 --partial "a user namespace brings its own maps"
	# proc cannot be idmapped, on any kernel.
	run -125 cx-unshare --mount cx-bind --map-users 0:1000:1 /proc "$TMP/dst"
	assert_output "cx-bind: mount /proc on $TMP/dst: idmap: Invalid argument: this kernel cannot idmap a mount of proc (ext4, xfs and btrfs can from 5.12, tmpfs from 6.3; proc, sysfs and cgroup never), or one of the mounts below it with --rec"
	assert_equal "$(mounts_below_tmp)" 0
	assert_equal "$(stat -c %u:%g "$TMP/src/mine")" 1000:1000
}

@test "--fs: new tmpfs, proc, sysfs, mqueue and devpts inside --root, in order with -b, each flag and option in mountinfo" {
	make_src
	run -0 cx-unshare --mount --pid --fork --net cx-bind --root "$ROOTFS" --mkdir \
		-t tmpfs:/dev:noexec,mode=750,size=1m -b "$TMP/src:/dev/src:ro" \
		-t devpts:/dev/pts:newinstance,ptmxmode=0666 -t mqueue:/dev/mqueue \
		-t proc:/proc -t sysfs:/sys:ro \
		sh -c "cat /proc/self/mountinfo; stat -c %a '$ROOTFS/dev'; cat '$ROOTFS/dev/src/file'; ls '$ROOTFS/proc/1/' >/dev/null && readlink '$ROOTFS/proc/self/ns/pid'"
	local mi=$output
	# The kernel's own words for each mount, in the order asked.
	mi=$(printf '%s\n' "$mi" | awk -v r="$ROOTFS" 'index($5, r "/") == 1 {
		for (i = 7; $i != "-"; i++) ;
		sub(r, "", $5); print $5, $6, $(i + 1), $(i + 3) }')
	assert_equal "$(printf '%s\n' "$mi" | awk '{print $1}' | tr '\n' ' ')" "/dev /dev/src /dev/pts /dev/mqueue /proc /sys "
	assert_line --partial "from src"
	assert_line 750
	# 6.1 adds inode64 where the kernel's config asks for it.
	printf '%s\n' "$mi" | grep -qxE '/dev rw,nosuid,nodev,noexec,relatime tmpfs rw,size=1024k,mode=750(,inode64)?'
	printf '%s\n' "$mi" | grep -q '^/dev/pts rw,nosuid,nodev,relatime devpts .*ptmxmode=666'
	printf '%s\n' "$mi" | grep -q '^/dev/mqueue rw,nosuid,nodev,relatime mqueue'
	printf '%s\n' "$mi" | grep -q '^/proc rw,nosuid,nodev,relatime proc'
	printf '%s\n' "$mi" | grep -q '^/sys ro,nosuid,nodev,relatime sysfs'
	# The proc is the new PID namespace's: its namespace is not ours.
	assert_line --regexp "^pid:\[[0-9]+\]$"
	refute_line "$(readlink /proc/self/ns/pid)"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "--fs: dev and suid leave nodev and nosuid out; an option the file system refuses undoes the mounts before it and the directories made" {
	run -0 cx-unshare --mount cx-bind --root "$ROOTFS" --mkdir -t tmpfs:/a/b:dev,suid \
		awk -v p="$ROOTFS/a/b" '$5 == p { print $6 }' /proc/self/mountinfo
	assert_output "rw,relatime"
	rm -rf "$ROOTFS/a"
	run -125 cx-unshare --mount cx-bind --root "$ROOTFS" --mkdir -t tmpfs:/x/y \
		-t tmpfs:/z/w:bogus=1 -- cat /proc/self/mountinfo
	assert_output --partial "cx-bind: create tmpfs for $ROOTFS/z/w: Invalid argument"
	[ ! -e "$ROOTFS/x" ] && [ ! -e "$ROOTFS/z" ]
	run -125 cx-bind -t tmpfs:/x:rec true
	assert_output --partial "invalid --fs 'tmpfs:/x:rec'"
	run -125 cx-bind -t tmpfs:/x:ro,rw true
	assert_output --partial "invalid --fs"
}

@test "--symlink: links in a new /dev, in order; the directory inside --root; an existing link kept, another file refused; undone on failure" {
	ln -s ../../../../../../.. "$ROOTFS/up"
	run -0 cx-unshare --mount cx-bind --root "$ROOTFS" --mkdir -t tmpfs:/dev \
		--symlink /proc/self/fd:/dev/fd --symlink pts/ptmx:/dev/ptmx \
		--symlink "here:/up$TMP/made/l" \
		sh -c "readlink '$ROOTFS/dev/fd' '$ROOTFS/dev/ptmx'; stat -c %F '$ROOTFS/dev/fd'"
	assert_output "/proc/self/fd
pts/ptmx
symbolic link"
	# Through a climbing link the directory is the root's own.
	[ "$(readlink "$ROOTFS$TMP/made/l")" = here ]
	[ ! -e "$TMP/made" ]
	run -0 cx-bind --root "$ROOTFS" --symlink "here:$TMP/made/l" true
	run -125 cx-bind --root "$ROOTFS" --symlink "there:$TMP/made/l" true
	assert_output "cx-bind: symlink $ROOTFS$TMP/made/l: already a link to here: File exists"
	run -125 cx-bind --root "$ROOTFS" --symlink x:/etc/passwd true
	assert_output "cx-bind: symlink $ROOTFS/etc/passwd: File exists"
	[ -f "$ROOTFS/etc/passwd" ]
	# A later failure takes back the link and the directories made.
	run -125 cx-unshare --mount cx-bind --root "$ROOTFS" --mkdir --symlink x:/q/r/s -t nosuchfs:/z true
	[ ! -e "$ROOTFS/q" ] && [ ! -e "$ROOTFS/z" ]
	run -125 cx-bind --symlink :/x true
	assert_output --partial "invalid --symlink"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "a bind on the --root itself covers it: the pairs after it are mounted on the new mount, seen after a pivot; a later failure takes all back" {
	make_src
	# The root bound read-only on itself first (cx-oci binds it writable
	# and makes it read-only last, with --remount).
	run -0 cx-unshare --mount --pid --fork cx-bind --root "$ROOTFS" --mkdir \
		-b "$ROOTFS:/:ro" -t proc:/proc -b "$TMP/src:/mnt" \
		cx-chroot --pivot "$ROOTFS" sh -c 'cat /proc/self/mountinfo; cat /mnt/file; touch /new 2>&1; echo "touch: $?"'
	# In the new root: / is the read-only bind, and proc and the bind
	# are on it, not hidden under it.
	local root
	root=$(awk '$5 == "/" { print $1 }' <<<"$output")
	[ -n "$root" ]
	assert_equal "$(awk '$5 == "/" { print $6 }' <<<"$output" | cut -d, -f1)" ro
	assert_equal "$(awk -v r="$root" '$5 == "/proc" && $2 == r' <<<"$output" | wc -l)" 1
	assert_equal "$(awk -v r="$root" '$5 == "/mnt" && $2 == r' <<<"$output" | wc -l)" 1
	assert_line "from src"
	assert_line --partial "Read-only file system"
	assert_line "touch: 1"
	[ ! -e "$ROOTFS/new" ]
	# A later pair that fails takes back the pairs before, the root's
	# own bind included.
	run -0 in_ns '
		cx-bind --root "$ROOTFS" -b "$ROOTFS:/:ro" -t proc:/proc \
			-t tmpfs:/tmp:bogus=1 true
		echo "status $? mounts $(mounts_under "$ROOTFS")"'
	assert_line --index 0 --partial "cx-bind: create tmpfs for $ROOTFS/tmp: Invalid argument"
	assert_line --index 1 "status 125 mounts 0"
	# A mount point the root lacks cannot be made in it once it is
	# read-only: the line says so, and all is taken back.
	run -0 in_ns '
		cx-bind --root "$ROOTFS" --mkdir -b "$ROOTFS:/:ro" -b "$TMP/src:/mnt/new" true
		echo "status $? mounts $(mounts_under "$ROOTFS")"'
	assert_output "cx-bind: mkdir $ROOTFS/mnt/new: Read-only file system
status 125 mounts 0"
}

@test "a new file system (--fs) or a bind on the --root itself covers it, through mount(2) too: what follows is on the new mount, nothing made under it; a later failure takes all back" {
	make_src
	require_helper "$HELPER_NOSYS"
	local pre first
	for pre in "" "$HELPER_NOSYS"; do
		for first in "-t tmpfs:/" "-t tmpfs:/:suid,dev" "-b $TMP/src:/"; do
			PRE=$pre FIRST=$first run -0 in_ns '
				# shellcheck disable=SC2086 # FIRST is two words
				$PRE cx-bind --root "$ROOTFS" --mkdir $FIRST -t tmpfs:/x -b /dev/null:/y/null true
				echo "status $?"
				# The topmost mount on the root, and what the two
				# later mounts are on.
				awk -v r="$ROOTFS" "\$5 == r { top = \$1 } \$5 == r \"/x\" { x = \$2 } \$5 == r \"/y/null\" { y = \$2 } END { print (x == top && y == top) ? \"on the new root\" : \"elsewhere\" }" /proc/self/mountinfo
				echo "root $(flags_of "$ROOTFS"), x $(flags_of "$ROOTFS/x"), mounts $(mounts_under "$ROOTFS")"
				$PRE cx-bind --root "$ROOTFS" --mkdir $FIRST -t tmpfs:/z -t tmpfs:/w:bogus=1 true 2>/dev/null
				echo "status $? mounts $(mounts_under "$ROOTFS")"'
			case $first in
			*suid,dev) root="rw" ;;
			*) root="rw nosuid nodev" ;;
			esac
			assert_output "status 0
on the new root
root $root, x rw nosuid nodev, mounts 3
status 125 mounts 3"
			# Nothing was made in the root below the new mount.
			[ ! -e "$ROOTFS/x" ] && [ ! -e "$ROOTFS/y" ] && [ ! -e "$ROOTFS/z" ]
		done
	done
	# The bind's mount points were made in its source, as asked.
	[ -d "$TMP/src/x" ] && [ -e "$TMP/src/y/null" ]
}

@test "--root: a TARGET that leads to the root itself by another path than / (data -> /, data -> .., var/..) is refused: no volume over the root, nothing made in the volume" {
	make_src
	ln -s / "$ROOTFS/data"
	ln -s .. "$ROOTFS/data2"
	local t
	for t in /data /data2 /data/. /var/../data /var/..; do
		run -0 in_ns '
			cx-bind --root "$ROOTFS" --mkdir -b "$TMP/src:'"$t"'" -b /dev/null:/mnt/x/null true
			echo "status $? mounts $(mounts_under "$ROOTFS")"'
		assert_output "cx-bind: mount on $ROOTFS$t: it leads to the root itself by a path other than /; refused (name the root as /)
status 125 mounts 0"
	done
	# Nothing of the pairs after it was made in the volume, nor in the
	# root.
	[ ! -e "$TMP/src/mnt" ] && [ ! -e "$ROOTFS/mnt/x" ]
	# The root named as such is taken ("/./"), and what follows is on it.
	run -0 in_ns '
		cx-bind --root "$ROOTFS" -b "$ROOTFS:/./:ro" -t proc:/proc true &&
		echo "status $? mounts $(mounts_under "$ROOTFS")"'
	assert_output "status 0 mounts 2"
}

@test "--remount: only the flags named change, on that mount alone (not the mounts on it); a later failure puts them back; through mount(2) too" {
	make_src
	require_helper "$HELPER_NOSYS"
	local pre
	for pre in "" "$HELPER_NOSYS"; do
		PRE=$pre run -0 in_ns '
			mount -t tmpfs -o noexec,nodev t "$TMP/tgt"
			mkdir "$TMP/tgt/sub"
			mount -t tmpfs t2 "$TMP/tgt/sub"
			$PRE cx-bind --remount "$TMP/tgt:ro,nosuid" true
			echo "top $(flags_of "$TMP/tgt"), sub $(flags_of "$TMP/tgt/sub")"
			touch "$TMP/tgt/sub/x" && echo "sub writable"
			touch "$TMP/tgt/x" 2>/dev/null || echo "top read-only"
			$PRE cx-bind --remount "$TMP/tgt:rw,exec" true
			echo "top $(flags_of "$TMP/tgt")"
			# A pair after it that fails: the flags as they were.
			$PRE cx-bind --remount "$TMP/tgt:ro,dev,noexec" -b /nonexistent:"$TMP/tgt/sub" true
			echo "status $? top $(flags_of "$TMP/tgt"), mounts $(mounts_under "$TMP/tgt")"'
		assert_output "top ro nosuid nodev noexec, sub rw
sub writable
top read-only
top rw nosuid nodev
cx-bind: open /nonexistent: No such file or directory
status 125 top rw nosuid nodev, mounts 2"
	done
}

@test "--remount refusals: not a mount point, no OPTIONS, rec, a missing TARGET; inside --root, a link to the host's /proc or to the root is not followed out" {
	make_src
	run -125 cx-bind --remount "$TMP/src:ro" true
	assert_output "cx-bind: remount $TMP/src: not a mount point"
	run -125 cx-bind --remount "$TMP/src" true
	assert_line --index 0 "cx-bind: invalid --remount '$TMP/src': TARGET:OPTIONS, with \\: for a colon in a path"
	run -125 cx-bind --remount "$TMP/src:rec,ro" true
	assert_line --index 0 --partial "a remount changes one mount: no rec"
	run -125 cx-bind --remount "$TMP/src:ro,bogus" true
	assert_line --index 0 --partial "OPTIONS 'ro,bogus' are not among"
	run -125 cx-bind --remount "$TMP/none:ro" true
	assert_output "cx-bind: open $TMP/none: No such file or directory"
	run -125 cx-bind --remount "$TMP/src:ro" -u "$TMP/src" true
	assert_line --index 0 --partial "--unmount"
	# A hostile rootfs: its link to /proc resolves inside the root,
	# where nothing is mounted, and the host's /proc keeps its flags.
	ln -s /proc "$ROOTFS/hostproc"
	ln -s / "$ROOTFS/data"
	local before
	before=$(flags_of /proc)
	run -0 in_ns '
		cx-bind --root "$ROOTFS" --remount /hostproc:ro true
		echo "status $? proc $(flags_of /proc)"
		mount --bind "$ROOTFS" "$ROOTFS"
		cx-bind --root "$ROOTFS" --remount /data:ro true
		echo "status $? root $(flags_of "$ROOTFS")"
		cx-bind --root "$ROOTFS" --remount /:ro true
		echo "status $? root $(flags_of "$ROOTFS")"'
	assert_output "cx-bind: remount $ROOTFS/hostproc: not a mount point
status 125 proc $before
cx-bind: remount $ROOTFS/data: it leads to the root itself by a path other than /; refused (name the root as /)
status 125 root rw
status 0 root ro"
	assert_equal "$(flags_of /proc)" "$before"
}

@test "--fs: a TARGET symlink out of --root is followed inside it; a file TARGET is refused" {
	ln -s ../../../../../../etc "$ROOTFS/var/out"
	run -0 cx-unshare --mount cx-bind --root "$ROOTFS" -t tmpfs:/var/out \
		sh -c "awk '\$(NF - 2) == \"tmpfs\" { print \$5 }' /proc/self/mountinfo | grep -c '^$ROOTFS/etc\$'; awk '\$5 == \"/etc\"' /proc/self/mountinfo | wc -l"
	assert_equal "${lines[0]}" 1
	assert_equal "${lines[1]}" "$(awk '$5 == "/etc"' /proc/self/mountinfo | wc -l)"
	run -125 cx-unshare --mount cx-bind --root "$ROOTFS" -t tmpfs:/etc/passwd true
	assert_output --partial "Not a directory"
}
