#!/usr/bin/env bats
# Bash completion (completion/cx.bash), sourced as bash-completion would
# and called as bash calls it: options from each tool's --help, verbs,
# the arguments options name (capabilities, securebits, cgroups,
# processes), and the next command of a chain.  make install puts it
# where bash-completion looks, under each tool's name.

bats_require_minimum_version 1.5.0

load helpers

# The cx bases there were before: a cgroup made and removed here leaves
# the base it made, which teardown_file takes back.
cx_bases() {
	local d
	for d in /sys/fs/cgroup/cx /sys/fs/cgroup/*/cx; do
		[ -d "$d" ] && echo "$d"
	done
	return 0
}

setup_file() {
	export R="bats-comp-$BATS_ROOT_PID"
	cx_bases >"$BATS_FILE_TMPDIR/bases-before"
}

teardown_file() {
	local base
	cx-cgroup rm --recursive "$R" >/dev/null 2>&1
	for base in $(cx_bases); do
		grep -qxF "$base" "$BATS_FILE_TMPDIR/bases-before" || rmdir "$base" 2>/dev/null
	done
	return 0
}

# complete WORD...: what the completion offers for the last WORD (the one
# being typed), sorted, one line, each offer once.
complete_words() {
	(
		# shellcheck source=/dev/null
		source "$BATS_TEST_DIRNAME/../completion/cx.bash"
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMPREPLY=()
		_cx
		printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' '
	)
}

@test "completion: each tool's options, from its --help" {
	local tool opt
	for tool in cx-unshare cx-chroot cx-nsenter cx-cgroup cx-caps cx-overlay cx-bind; do
		run -0 complete_words "$tool" --
		# Every long option of --help is offered, and nothing else.
		assert_equal "$output" "$("$tool" --help | sed -n -E 's/^ +(-[A-Za-z], )?(--[a-z0-9-]+).*/\2/p' | sort -u | tr '\n' ' ')"
		[[ "$output" == *"--help "* && "$output" == *"--verbose "* ]]
	done
	run -0 complete_words cx-unshare --mount-p
	assert_output "--mount-proc "
	# A verb's own options.
	run -0 complete_words cx-overlay diff --
	assert_output "--help --json --lower --verbose --version "
	run -0 complete_words cx-caps show --j
	assert_output "--json "
}

@test "completion: verbs, and the arguments options name" {
	run -0 complete_words cx-cgroup ""
	assert_output "attach create get ls rm run set stat "
	run -0 complete_words cx-overlay u
	assert_output "umount unpack "
	# cx-caps's first word: a verb, or a command.
	run -0 complete_words cx-caps predi
	[[ " $output" == *" predict "* ]]
	run -0 complete_words cx-caps file ""
	assert_output "get rm set "
	# Capabilities the kernel knows, and the rest of a list.
	run -0 complete_words cx-caps --drop cap_net_b
	assert_output "cap_net_bind_service cap_net_broadcast "
	run -0 complete_words cx-caps --keep cap_kill,cap_sys_ch
	assert_output "cap_kill,cap_sys_chroot "
	run -0 complete_words cx-caps --secbits noroot,keep_caps_l
	assert_output "noroot,keep_caps_locked "
	run -0 complete_words cx-unshare --propagation s
	assert_output "shared slave "
	# A process by its PID.
	sleep 100 &
	BG_PIDS="$BG_PIDS $!"
	run -0 complete_words cx-nsenter --target "$!"
	[[ " $output" == *" $! "* ]]
	# Cgroups below the base, by their whole names.
	run -0 cx-cgroup create "$R/one"
	run -0 complete_words cx-cgroup rm "$R"
	assert_output "$R $R/one "
	run -0 complete_words cx-cgroup get "$R/one" mem
	assert_output "memory memory-high memory-swap "
	# A name with a space and a comma is one offer.
	run -0 cx-cgroup create "$R/a b,c"
	run -0 complete_words cx-cgroup stat "$R/a"
	assert_output "$R/a b,c "
	run -0 cx-cgroup rm -r "$R"
	# bash splits "--opt=value" at the '=': the word is read whole, and
	# the offer is what replaces bash's last piece.
	run -0 complete_words cx-unshare --propagation = s
	assert_output "shared slave "
	run -0 complete_words cx-unshare --propagation =
	assert_output "=private =shared =slave =unbindable =unchanged "
	run -0 complete_words cx-chroot --pivot = strict "$ROOTFS" cx-ca
	assert_output "cx-caps "
}

@test "completion: after a tool's own words, the next command of the chain" {
	# cx-unshare takes no operand: the first word is a command.
	run -0 complete_words cx-unshare --fork --hostname box hostnam
	[[ " $output" == *" hostname "* ]]
	# cx-chroot's NEWROOT is a directory, then the command.
	run -0 complete_words cx-chroot --pivot "$TMP/roo"
	assert_output "$TMP/rootfs "
	run -0 complete_words cx-chroot "$ROOTFS" cx-ca
	[[ " $output" == *" cx-caps "* ]]
	# cx-bind: SOURCE TARGET, or none after -b.
	run -0 complete_words cx-bind --ro /a /b cx-unsh
	[[ " $output" == *" cx-unshare "* ]]
	run -0 complete_words cx-bind -b /a:/b cx-unsh
	[[ " $output" == *" cx-unshare "* ]]
	# cx-cgroup run NAME COMMAND; cx-overlay mount MERGED COMMAND.
	run -0 complete_words cx-cgroup run --pids 10 name cx-chr
	assert_output "cx-chroot "
	run -0 complete_words cx-overlay mount --lower /a /m cx-chr
	assert_output "cx-chroot "
	# Deeper in the command: its own words, files by default.
	run -0 complete_words cx-unshare --fork ls "$TMP/roo"
	assert_output "$TMP/rootfs "
}

@test "completion: make install puts it under each tool's name" {
	run -0 make -s -C "$BATS_TEST_DIRNAME/.." install -o all \
		DESTDIR="$TMP/inst" PREFIX=/usr BUILD="$CX_BUILD" INSTALL_STRIP=
	local dir="$TMP/inst/usr/share/bash-completion/completions" tool
	for tool in cx-unshare cx-chroot cx-nsenter cx-cgroup cx-caps cx-overlay cx-bind; do
		[ -e "$dir/$tool" ] || fail "no completion for $tool"
		cmp "$dir/$tool" "$BATS_TEST_DIRNAME/../completion/cx.bash"
	done
	# Loaded as bash-completion loads it: by the command's name.
	run -0 bash -c "source '$dir/cx-caps' && complete -p cx-caps"
	assert_output "complete -o bashdefault -o default -F _cx cx-caps"
}
