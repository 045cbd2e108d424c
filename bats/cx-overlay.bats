#!/usr/bin/env bats
# cx-overlay against the real kernel: the walkthrough's overlay steps and
# their diff, mount options and refusals, the mount(2) and no-openat2
# fallbacks, layer unpack and commit with whiteouts both ways, images
# (OCI layout and docker save) made in the test and by umoci, hostile
# and broken tarballs.  Every mount is made in a mount namespace of its
# own (cx-unshare --mount) below $TMP, and goes with it.

bats_require_minimum_version 1.5.0

load helpers

HELPER_NOSYS="$CX_BUILD/tests/helper-nosys"

# The fixture builder: tarballs from a small line language, OCI image
# layouts and docker save archives, written with Python's tarfile so
# that nothing here depends on cx-overlay to make its own input.
setup_file() {
	oci_roots_note
	cat >"$BATS_FILE_TMPDIR/mk.py" <<'EOF'
import gzip, hashlib, io, json, os, sys, tarfile

def entries(t, lines):
    for line in lines:
        w = line.rstrip("\n").split(" ", 2)
        if not w or not w[0]:
            continue
        op, name = w[0], w[1]
        arg = w[2] if len(w) > 2 else None
        ti = tarfile.TarInfo(name)
        ti.mtime = 1700000000
        data = None
        if op == "f":      # f PATH [TEXT]: a file holding TEXT and a newline
            data = (arg + "\n").encode() if arg is not None else b""
            ti.mode = 0o644
        elif op == "F":    # F PATH MODE: an empty file with that mode
            data = b""
            ti.mode = int(arg, 8)
        elif op == "d":
            ti.type, ti.mode = tarfile.DIRTYPE, int(arg or "755", 8)
        elif op == "l":
            ti.type, ti.linkname = tarfile.SYMTYPE, arg
        elif op == "h":
            ti.type, ti.linkname = tarfile.LNKTYPE, arg
        elif op in ("c", "b"):
            ti.type = tarfile.CHRTYPE if op == "c" else tarfile.BLKTYPE
            ti.devmajor, ti.devminor = map(int, arg.split())
        elif op == "p":
            ti.type = tarfile.FIFOTYPE
        elif op == "x":    # x PATH KEY=VALUE: an empty file with an xattr
            k, v = arg.split("=", 1)
            data = b""
            ti.pax_headers = {"SCHILY.xattr." + k: v}
        else:
            sys.exit("bad op " + op)
        if data is not None:
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        else:
            t.addfile(ti)

def tar(out, lines):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        entries(t, lines)
    data = raw.getvalue()
    if out.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    elif out.endswith(".zst"):
        import subprocess
        data = subprocess.run(["zstd", "-q", "-c"], input=data,
                              capture_output=True, check=True).stdout
    open(out, "wb").write(data)

def blob(d, data):
    h = hashlib.sha256(data).hexdigest()
    os.makedirs(d + "/blobs/sha256", exist_ok=True)
    open(d + "/blobs/sha256/" + h, "wb").write(data)
    return {"digest": "sha256:" + h, "size": len(data)}

def oci(d, layers, ref="latest"):
    os.makedirs(d, exist_ok=True)
    descs, diffs = [], []
    for f in layers:
        data = open(f, "rb").read()
        mt = "application/vnd.oci.image.layer.v1.tar"
        if data[:2] == b"\x1f\x8b":
            mt += "+gzip"
            diffs.append("sha256:" + hashlib.sha256(gzip.decompress(data)).hexdigest())
        else:
            diffs.append("sha256:" + hashlib.sha256(data).hexdigest())
        descs.append(dict(mediaType=mt, **blob(d, data)))
    config = {"architecture": "amd64", "os": "linux",
              "rootfs": {"type": "layers", "diff_ids": diffs}}
    cdesc = dict(mediaType="application/vnd.oci.image.config.v1+json",
                 **blob(d, json.dumps(config).encode()))
    manifest = {"schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": cdesc, "layers": descs}
    mdesc = dict(mediaType="application/vnd.oci.image.manifest.v1+json",
                 **blob(d, json.dumps(manifest).encode()))
    mdesc["annotations"] = {"org.opencontainers.image.ref.name": ref}
    index = {"schemaVersion": 2, "manifests": []}
    if os.path.exists(d + "/index.json"):
        index = json.load(open(d + "/index.json"))
    index["manifests"].append(mdesc)
    json.dump(index, open(d + "/index.json", "w"))
    json.dump({"imageLayoutVersion": "1.0.0"}, open(d + "/oci-layout", "w"))

def docker(out, layers, repeat_first=False):
    ids, members = [], []
    with tarfile.open(out, "w") as t:
        def add(name, data):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        for f in layers:
            data = open(f, "rb").read()
            i = hashlib.sha256(data).hexdigest()
            ids.append(i)
            add(i + "/layer.tar", data)
            add(i + "/VERSION", b"1.0")
            members.append(i + "/layer.tar")
        if repeat_first:
            # docker save writes a layer it already wrote as a link.
            i = "f" * 64
            ti = tarfile.TarInfo(i + "/layer.tar")
            ti.type, ti.linkname = tarfile.SYMTYPE, "../" + ids[0] + "/layer.tar"
            t.addfile(ti)
            members.append(i + "/layer.tar")
        add("cfg.json", b'{"os": "linux"}')
        add("manifest.json", json.dumps([{"Config": "cfg.json",
            "RepoTags": ["cx/test:1"], "Layers": members}]).encode())

cmd = sys.argv[1]
if cmd == "tar":
    tar(sys.argv[2], sys.stdin)
elif cmd == "oci":
    oci(sys.argv[2], sys.argv[4:], sys.argv[3])
elif cmd == "docker":
    docker(sys.argv[2], sys.argv[3:])
elif cmd == "docker-repeat":
    docker(sys.argv[2], sys.argv[3:], repeat_first=True)
elif cmd == "getxattr":
    try:
        print(os.getxattr(sys.argv[2], sys.argv[3], follow_symlinks=False).decode())
    except OSError as e:
        print("none" if e.errno == 61 else e)
elif cmd == "setxattr":
    os.setxattr(sys.argv[2], sys.argv[3], sys.argv[4].encode(), follow_symlinks=False)
EOF
}

teardown_file() {
	oci_roots_restore
}

mk() {
	python3 "$BATS_FILE_TMPDIR/mk.py" "$@"
}

# An xattr's value, or "none".
xattr() {
	mk getxattr "$1" "$2"
}

# The kind and device numbers of a file: "character special file 0 0".
kind_of() {
	stat -c '%F %t %T' "$1"
}

# A tree as type, mode, owner and path per line (and a symlink's
# target, a file's checksum), sorted: what two trees must share to be
# the same to a container.
tree_of() {
	(cd "$1" && find . -mindepth 1 -printf '%y %m %U:%G %p %l\n' | sort &&
		find . -type f -exec md5sum {} + | sort -k 2)
}

# The overlay mount at DIR, as the mount's type, its options and the
# superblock's: one line, for the tests to match.
overlay_line() {
	awk -v m="$1" '$5 == m { sub(/.* - /, ""); print }' /proc/self/mountinfo
}

export -f tree_of overlay_line kind_of

# A script in a private mount namespace of its own, run by bash so that
# the functions above are there; the mounts go when it ends.
in_ns() {
	cx-unshare --mount bash -c "set -eu; cd '$TMP'; $1"
}

# Names in DIR (hidden ones too), on one line: a failed command must
# leave no temporary directory next to what it was to make.
names_in() {
	ls -A "$1" | tr '\n' ' '
}

# The walkthrough's directories.
walkthrough_dirs() {
	mkdir -p "$TMP/lower/dir" "$TMP/upper" "$TMP/merged"
	echo "I'm from lower!" >"$TMP/lower/in_lower.txt"
	echo "I'm from upper!" >"$TMP/upper/in_upper.txt"
	echo "I'm from lower!" >"$TMP/lower/in_both.txt"
	echo "I'm from upper!" >"$TMP/upper/in_both.txt"
	echo a >"$TMP/lower/dir/a"
}

# The lower layers DIR... as mountinfo shows them, as a regular
# expression: one "lowerdir+=" each where cx-overlay can give them one
# by one (Linux 6.8), else one "lowerdir=" list, topmost first.
lowers_re() {
	if kernel_at_least 6 8; then
		local IFS=,
		set -- "${@/#/lowerdir\\+=}"
		echo "$*"
	else
		local IFS=:
		echo "lowerdir=$*"
	fi
}

# --- the walkthrough ----------------------------------------------------

@test "walkthrough: upper is read first, writes and deletes land in upper, diff lists them" {
	walkthrough_dirs
	run -0 in_ns '
		cx-overlay mount --lower lower --upper upper --work work merged
		overlay_line "$PWD/merged"
		find merged | sort
		cat merged/in_both.txt
		echo "new file" > merged/new_file
		rm merged/in_both.txt
		rm -r merged/dir && mkdir merged/dir && echo b > merged/dir/b
		echo ---
		find merged | sort'
	assert_line --index 0 --regexp "^overlay overlay rw,$(lowers_re "$TMP/lower"),upperdir=$TMP/upper,workdir=$TMP/work(,|\$)"
	assert_equal "${lines[*]:1:6}" "merged merged/dir merged/dir/a merged/in_both.txt merged/in_lower.txt merged/in_upper.txt"
	assert_line --index 7 "I'm from upper!"
	assert_equal "${lines[*]:9}" "merged merged/dir merged/dir/b merged/in_lower.txt merged/in_upper.txt merged/new_file"

	# The new file is in upper; the deleted one left a 0/0 device there
	# and lower as it was; the directory made again is opaque.
	assert_equal "$(cat "$TMP/upper/new_file")" "new file"
	assert_equal "$(kind_of "$TMP/upper/in_both.txt")" "character special file 0 0"
	assert_equal "$(cat "$TMP/lower/in_both.txt")" "I'm from lower!"
	assert_equal "$(cat "$TMP/lower/dir/a")" "a"
	assert_equal "$(xattr "$TMP/upper/dir" trusted.overlay.opaque)" "y"
	assert_equal "$(xattr "$TMP/lower/dir" trusted.overlay.opaque)" "none"
	# The mount went with the namespace.
	assert_equal "$(mounts_below_tmp)" 0

	run -0 cx-overlay diff --lower "$TMP/lower" "$TMP/upper"
	assert_output "C /dir
D /dir/a
A /dir/b
D /in_both.txt
A /in_upper.txt
A /new_file"
}

@test "mount chains to COMMAND: its output, its exit code, 127 and 126" {
	walkthrough_dirs
	run -0 cx-unshare --mount cx-overlay mount --lower "$TMP/lower" \
		--upper "$TMP/upper" --work "$TMP/work" "$TMP/merged" \
		cat "$TMP/merged/in_lower.txt" "$TMP/merged/in_both.txt"
	assert_output "I'm from lower!
I'm from upper!"
	run -7 cx-unshare --mount cx-overlay mount --lower "$TMP/lower:$TMP/upper" \
		"$TMP/merged" sh -c 'exit 7'
	run -127 cx-unshare --mount cx-overlay mount --lower "$TMP/lower:$TMP/upper" \
		"$TMP/merged" /no/such/command
	assert_output --partial "/no/such/command"
	run -126 cx-unshare --mount cx-overlay mount --lower "$TMP/lower:$TMP/upper" \
		"$TMP/merged" "$TMP/lower/in_lower.txt"
	# Options after MERGED belong to the command.
	run -2 cx-unshare --mount cx-overlay mount --lower "$TMP/lower:$TMP/upper" \
		"$TMP/merged" ls --upper "$TMP/merged"
	assert_output --partial "ls: unrecognized option '--upper'"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "without --upper the overlay is read-only; layers stack topmost first" {
	mkdir -p "$TMP/l1" "$TMP/l2" "$TMP/l3" "$TMP/m"
	echo 1 >"$TMP/l1/f"
	echo 2 >"$TMP/l2/f"
	echo 3 >"$TMP/l3/f"
	echo 3 >"$TMP/l3/only3"
	run -0 in_ns '
		cx-overlay mount --lower l1:l2:l3 m
		overlay_line "$PWD/m"
		cat m/f m/only3
		touch m/new 2>&1 || echo "touch=$?"'
	assert_line --index 0 --regexp "^overlay overlay ro,$(lowers_re "$TMP/l1" "$TMP/l2" "$TMP/l3")(,|\$)"
	assert_line --index 1 "1"
	assert_line --index 2 "3"
	assert_line --partial "Read-only file system"
	assert_line "touch=1"
	assert [ ! -e "$TMP/l1/new" ]
}

@test "--volatile, --userxattr, --redirect-dir and --metacopy pass through" {
	mkdir -p "$TMP/l" "$TMP/m"
	run -0 in_ns '
		cx-overlay mount --volatile --redirect-dir=nofollow --lower l --upper u --work w m
		overlay_line "$PWD/m"
		umount m
		cx-overlay mount --userxattr --lower l --upper u2 --work w2 m
		overlay_line "$PWD/m"
		umount m
		cx-overlay mount --metacopy --redirect-dir --lower l --upper u3 --work w3 m
		overlay_line "$PWD/m"'
	assert_line --index 0 --regexp "^overlay overlay rw,$(lowers_re "$TMP/l"),upperdir=$TMP/u,workdir=$TMP/w,redirect_dir=nofollow,.*(fsync=)?volatile"
	assert_line --index 1 --regexp "^overlay overlay rw,$(lowers_re "$TMP/l"),upperdir=$TMP/u2,workdir=$TMP/w2,.*userxattr"
	assert_line --index 2 --regexp "^overlay overlay rw,$(lowers_re "$TMP/l"),upperdir=$TMP/u3,workdir=$TMP/w3,redirect_dir=on,.*metacopy=on"
	run -125 cx-overlay mount --redirect-dir=sideways --lower "$TMP/l" "$TMP/m"
	assert_output "cx-overlay: invalid --redirect-dir 'sideways': on, follow, nofollow or off
Try 'cx-overlay --help' for more information."
	run -125 cx-overlay mount --volatile --lower "$TMP/l" "$TMP/m"
	assert_line --index 0 "cx-overlay: --volatile needs --upper or --tmpfs"
}

@test "names with ':', ',' and '\\' reach the kernel escaped, in every mount path" {
	require_helper "$HELPER_NOSYS"
	mkdir -p "$TMP/lo:w,er" "$TMP/b\\s" "$TMP/m"
	echo colon >"$TMP/lo:w,er/a"
	echo backslash >"$TMP/b\\s/b"
	# lowerdir+ (Linux 6.8) takes each name as it is; the upper's is
	# unescaped.  Before, one escaped lowerdir string.
	run -0 in_ns "cx-overlay mount --lower 'lo\\:w,er:b\\\\s' --upper 'u:p,1' --work w m
		cat m/a m/b; touch m/new1; overlay_line \"\$PWD/m\""
	assert_line --index 0 colon
	assert_line --index 1 backslash
	if kernel_at_least 6 8; then
		assert_line --index 2 --partial "lowerdir+=$TMP/lo:w\\054er,lowerdir+=$TMP/b\\134s,upperdir=$TMP/u"
	else
		assert_line --index 2 --partial "rw,lowerdir=$TMP/lo"
	fi
	assert [ -f "$TMP/u:p,1/new1" ]
	# mount(2), with every name in one escaped option string.
	run -0 in_ns "'$HELPER_NOSYS' cx-overlay mount --lower 'lo\\:w,er:b\\\\s' --upper 'u:p,2' --work w2 m
		cat m/a m/b; touch m/new2; overlay_line \"\$PWD/m\""
	assert_line --index 0 colon
	assert_line --index 1 backslash
	assert_line --index 2 --partial "rw,lowerdir=$TMP/lo"
	assert [ -f "$TMP/u:p,2/new2" ]
	assert [ ! -e "$TMP/lo:w,er/new1" ]
}

@test "mount(2) fallback without the new mount API: same overlay, same refusals" {
	require_helper "$HELPER_NOSYS"
	walkthrough_dirs
	run -0 in_ns "'$HELPER_NOSYS' cx-overlay mount --lower lower --upper upper --work work merged
		overlay_line \"\$PWD/merged\"
		cat merged/in_both.txt; rm merged/in_lower.txt"
	assert_line --index 0 --regexp "^overlay overlay rw,lowerdir=$TMP/lower,upperdir=$TMP/upper,workdir=$TMP/work(,|\$)"
	assert_line --index 1 "I'm from upper!"
	assert_equal "$(kind_of "$TMP/upper/in_lower.txt")" "character special file 0 0"
	# Forty layers with long names need more than fsconfig's 256 bytes
	# for one lowerdir string; mount(2) takes a page.
	local list= i
	for i in $(seq 40); do
		mkdir -p "$TMP/layer-with-a-long-name-$i"
		echo "$i" >"$TMP/layer-with-a-long-name-$i/f$i"
		list="$list${list:+:}layer-with-a-long-name-$i"
	done
	run -0 in_ns "'$HELPER_NOSYS' cx-overlay mount --lower '$list' merged
		ls merged | wc -l; cat merged/f1 merged/f40"
	assert_equal "${lines[*]}" "40 1 40"
}

@test "refusals before the kernel's: upper and work on different mounts, nested, the same" {
	mkdir -p "$TMP/lower" "$TMP/m" "$TMP/t"
	run -125 in_ns 'mount -t tmpfs none t
		cx-overlay mount --lower lower --upper t/up --work work m'
	assert_output "cx-overlay: upper dir t/up and work dir work are on different mounts; overlayfs needs both on one"
	# What cx-overlay made for the failed mount, it removed again.
	assert_equal "$(names_in "$TMP")" "lower m rootfs t "
	run -125 cx-overlay mount --lower "$TMP/lower" --upper "$TMP/up" --work "$TMP/up/w" "$TMP/m"
	assert_output "cx-overlay: work dir $TMP/up/w is inside upper dir $TMP/up; they must be separate"
	assert_equal "$(names_in "$TMP")" "lower m rootfs t "
	mkdir "$TMP/w"
	run -125 cx-overlay mount --lower "$TMP/lower" --upper "$TMP/w/up" --work "$TMP/w" "$TMP/m"
	assert_output "cx-overlay: upper dir $TMP/w/up is inside work dir $TMP/w; they must be separate"
	assert_equal "$(names_in "$TMP")" "lower m rootfs t w "
	run -125 cx-overlay mount --lower "$TMP/lower" --upper "$TMP/w" --work "$TMP/w" "$TMP/m"
	assert_output "cx-overlay: upper dir $TMP/w and work dir $TMP/w are the same directory"
	# An existing work dir is not removed.
	assert [ -d "$TMP/w" ]
	assert_equal "$(mounts_below_tmp)" 0
}

@test "the kernel's refusal: its reason shown, the made upper and work removed, no mount" {
	walkthrough_dirs
	# A lower inside another lower is the kernel's to refuse.
	run -125 cx-overlay mount --lower "$TMP/lower:$TMP/lower/dir" --upper "$TMP/upper" --work "$TMP/newwork" "$TMP/merged"
	assert_output --regexp "^cx-overlay: mount overlay on $TMP/merged \\(the layers overlap: one is given twice or lies inside another\\): $ELOOP_TEXT\$"
	assert [ ! -e "$TMP/newwork" ]
	assert_equal "$(mounts_below_tmp)" 0
	# A new upper and work, then the kernel's refusal (a lower on proc,
	# which overlayfs does not take): both go again.
	run -125 cx-overlay mount --lower "$TMP/lower:/proc" --upper "$TMP/newup" --work "$TMP/newwork" "$TMP/merged"
	assert_output "cx-overlay: mount overlay on $TMP/merged (dmesg may say why): Invalid argument"
	assert_equal "$(names_in "$TMP")" "lower merged rootfs upper "
	assert_equal "$(mounts_below_tmp)" 0
	run -125 cx-overlay mount --lower "$TMP/lower" "$TMP/merged"
	assert_line --index 0 "cx-overlay: without --upper or --tmpfs, overlayfs needs two lower layers or more"
}

@test "bad input: each a one-line error, exit 125, nothing made" {
	walkthrough_dirs
	run -125 cx-overlay mount --lower "$TMP/nolower" --upper "$TMP/u" --work "$TMP/w" "$TMP/merged"
	assert_output "cx-overlay: lower dir $TMP/nolower: No such file or directory"
	run -125 cx-overlay mount --lower "$TMP/lower:$TMP/lower/in_lower.txt" "$TMP/merged"
	assert_output "cx-overlay: lower dir $TMP/lower/in_lower.txt: Not a directory"
	run -125 cx-overlay mount --lower "$TMP/lower" --upper "$TMP/u" --work "$TMP/w" "$TMP/nomerged"
	assert_output "cx-overlay: mount point $TMP/nomerged: No such file or directory"
	run -125 cx-overlay mount --lower "$TMP/lower" --upper "$TMP/u" "$TMP/merged"
	assert_line --index 0 "cx-overlay: --upper needs --work"
	run -125 cx-overlay mount --lower "$TMP/lower" --work "$TMP/w" "$TMP/merged"
	assert_line --index 0 "cx-overlay: --work needs --upper"
	run -125 cx-overlay mount "$TMP/merged"
	assert_line --index 0 "cx-overlay: missing --lower"
	run -125 cx-overlay mount --lower "a::b" "$TMP/merged"
	assert_line --index 0 "cx-overlay: invalid --lower 'a::b': directories separated by ':', none empty (\\: for a colon in a name)"
	run -125 cx-overlay mount --lower "$TMP/lower"
	assert_line --index 0 "cx-overlay: missing operand: MERGED"
	run -125 cx-overlay mount --upper "$TMP/u" --work "$TMP/w" --lower "$TMP/lower" --upper "$TMP/u2" --bogus "$TMP/merged"
	assert_line --index 0 "cx-overlay: unrecognized option '--bogus'"
	run -125 cx-overlay remount "$TMP/merged"
	assert_output "cx-overlay: unknown command 'remount'
Try 'cx-overlay --help' for more information."
	run -125 cx-overlay
	assert_line --index 0 "cx-overlay: missing command (mount, umount, diff, unpack, commit, image, save)"
	run -125 cx-overlay diff "$TMP/upper"
	assert_line --index 0 "cx-overlay: missing --lower"
	run -125 cx-overlay diff --lower "$TMP/nolower" "$TMP/upper"
	assert_output "cx-overlay: lower dir $TMP/nolower: No such file or directory"
	run -125 cx-overlay unpack "$TMP/none.tar" "$TMP/out"
	assert_output "cx-overlay: unpack $TMP/none.tar: No such file or directory"
	run -125 cx-overlay commit "$TMP/upper" "$TMP/layer.zip"
	assert_line --index 0 "cx-overlay: $TMP/layer.zip: the name must end in .tar, .tar.gz or .tar.zst"
	run -125 cx-overlay commit "$TMP/noupper" "$TMP/layer.tar"
	assert_output "cx-overlay: commit $TMP/noupper: No such file or directory"
	run -125 cx-overlay image "$TMP/nosource" "$TMP/img"
	assert_output "cx-overlay: image $TMP/nosource: No such file or directory"
	run -125 cx-overlay unpack "$TMP/lower/in_lower.txt"
	assert_line --index 0 "cx-overlay: missing operand: LAYER DIR"
	# Nothing was made: no upper, work, output or staging directory.
	assert_equal "$(names_in "$TMP")" "lower merged rootfs upper "
	assert_equal "$(mounts_below_tmp)" 0
}

@test "umount: unmounts the overlay, refuses anything else" {
	walkthrough_dirs
	mkdir -p "$TMP/t"
	run -0 in_ns '
		cx-overlay mount --lower lower --upper upper --work work merged
		overlay_line "$PWD/merged" | cut -d" " -f1
		cx-overlay umount merged
		echo "after:[$(overlay_line "$PWD/merged")]"
		cx-overlay mount --lower lower:upper merged
		cx-overlay umount --lazy merged
		echo "lazy:[$(overlay_line "$PWD/merged")]"
		mount -t tmpfs none t
		cx-overlay umount t || echo "tmpfs=$?"
		grep -c " $PWD/t " /proc/self/mountinfo
		cx-overlay umount lower || echo "dir=$?"
		ln -s merged link
		cx-overlay mount --lower lower:upper merged
		cx-overlay umount link || echo "link=$?"
		overlay_line "$PWD/merged" | cut -d" " -f1'
	assert_equal "${lines[*]}" "overlay after:[] lazy:[] cx-overlay: umount t: not an overlay mount point tmpfs=125 1 cx-overlay: umount lower: not an overlay mount point dir=125 cx-overlay: umount link: a symlink, not followed link=125 overlay"
}

# --- fail closed: a command that cannot run costs nothing ---------------

# cx-overlay mount ARGS... in a mount namespace of its own, its stderr,
# its status, then the mounts on $TMP/merged there.
mount_then_count() {
	TMP=$TMP cx-unshare --mount bash -c 'cx-overlay mount "$@"; echo "status=$?"
		echo "mounts=$(awk -v m="$TMP/merged" '"'"'$5 == m'"'"' /proc/self/mountinfo | wc -l)"' \
		bash "$@" 2>&1
}

@test "fail closed: a command not found (127) or not runnable (126) is found out before anything is made or mounted" {
	walkthrough_dirs
	run -0 mount_then_count --lower "$TMP/lower" --upper "$TMP/newup" --work "$TMP/newwork" "$TMP/merged" /no/such/command
	assert_output "cx-overlay: exec /no/such/command: No such file or directory (nothing done)
status=127
mounts=0"
	run -0 mount_then_count --lower "$TMP/lower" --tmpfs "$TMP/merged" no-such-command-on-path
	assert_output "cx-overlay: exec no-such-command-on-path: No such file or directory (nothing done)
status=127
mounts=0"
	# A directory, and a file without the x bit.
	run -0 mount_then_count --lower "$TMP/lower:$TMP/upper" "$TMP/merged" "$TMP/lower"
	assert_output "cx-overlay: exec $TMP/lower: Permission denied (nothing done)
status=126
mounts=0"
	run -0 mount_then_count --lower "$TMP/lower" --upper "$TMP/newup" --work "$TMP/newwork" "$TMP/merged" "$TMP/lower/in_lower.txt"
	assert_output "cx-overlay: exec $TMP/lower/in_lower.txt: Permission denied (nothing done)
status=126
mounts=0"
	# No upper or work dir was made.
	assert_equal "$(names_in "$TMP")" "lower merged rootfs upper "
	assert_equal "$(mounts_below_tmp)" 0
}

@test "fail closed: an option after MERGED is the command; cx-overlay says so, mounts nothing" {
	walkthrough_dirs
	run -0 mount_then_count --lower "$TMP/lower:$TMP/upper" "$TMP/merged" --upper "$TMP/newup"
	assert_output "cx-overlay: '--upper' after MERGED is the command to run, not an option: options go before MERGED
cx-overlay: exec --upper: No such file or directory (nothing done)
status=127
mounts=0"
	assert_equal "$(names_in "$TMP")" "lower merged rootfs upper "
	# Further on, an option belongs to the command, without a word.
	run -0 cx-unshare --mount cx-overlay mount --lower "$TMP/lower:$TMP/upper" "$TMP/merged" echo --upper
	assert_output "--upper"
}

# --- layers that overlap -------------------------------------------------

# overlap SETUP OPTIONS [MERGED]: in a mount namespace of its own and
# in $TMP, SETUP, then cx-overlay mount OPTIONS MERGED (m): its message
# and status, then how many mounts sit on MERGED.
overlap() {
	TMP=$TMP cx-unshare --mount bash -c 'cd "$TMP"; '"$1"'
		cx-overlay mount '"$2 ${3:-m}"' 2>&1; echo "status=$?"
		echo "mounts=$(awk -v m="$TMP/'"${3:-m}"'" '"'"'$5 == m'"'"' /proc/self/mountinfo | wc -l)"'
}

# The output of overlap for a refusal with MESSAGE: nothing mounted.
assert_refused() {
	assert_output "cx-overlay: $1
status=125
mounts=0"
}

@test "overlapping layers are refused before anything is made: upper or work in a lower, a lower in upper, the mount point" {
	mkdir -p "$TMP/lower/dir" "$TMP/l2" "$TMP/m" "$TMP/up/l" "$TMP/w/sub"
	run -0 overlap : "--lower lower --upper lower/new --work work"
	assert_refused "upper dir lower/new is inside lower dir lower; they must be separate"
	run -0 overlap : "--lower l2:lower --upper newup --work lower/dir/work"
	assert_refused "work dir lower/dir/work is inside lower dir lower; they must be separate"
	run -0 overlap : "--lower lower --upper lower --work work"
	assert_refused "upper dir lower and lower dir lower are the same directory"
	run -0 overlap : "--lower up/l --upper up --work work"
	assert_refused "lower dir up/l is inside upper dir up; they must be separate"
	run -0 overlap : "--lower l2 --upper w/sub --work w"
	assert_refused "upper dir w/sub is inside work dir w; they must be separate"
	# The mount point as the upper or work dir, or inside one.
	run -0 overlap : "--lower lower --upper m --work work"
	assert_refused "mount point m and upper dir m are the same directory"
	run -0 overlap 'mkdir -p up/m' "--lower lower --upper up --work work" up/m
	assert_refused "mount point up/m is inside upper dir up; they must be separate"
	run -0 overlap : "--lower lower --upper newup --work m"
	assert_refused "mount point m and work dir m are the same directory"
	# Nothing was made: no upper, no work dir, in a lower or anywhere.
	assert_equal "$(names_in "$TMP")" "l2 lower m rootfs up w "
	assert_equal "$(names_in "$TMP/lower")" "dir "
	assert_equal "$(names_in "$TMP/lower/dir")" ""
	assert_equal "$(mounts_below_tmp)" 0
}

@test "overlapping layers are found by where they are: through a symlink, .., a bind mount of the layer or of a directory in it" {
	mkdir -p "$TMP/lower/dir" "$TMP/m" "$TMP/b" "$TMP/c"
	ln -s lower "$TMP/link"
	run -0 overlap : "--lower lower --upper link/up --work work"
	assert_refused "upper dir link/up is inside lower dir lower; they must be separate"
	run -0 overlap : "--lower lower --upper lower/dir/../up --work work"
	assert_refused "upper dir lower/dir/../up is inside lower dir lower; they must be separate"
	run -0 overlap 'mount --bind lower b' "--lower lower --upper up --work b/work"
	assert_refused "work dir b/work is inside lower dir lower; they must be separate"
	# A bind of a directory below the lower: the walk up the mounts
	# never meets the lower, its file system's tree does.
	run -0 overlap 'mount --bind lower/dir c' "--lower lower --upper c --work work"
	assert_refused "upper dir c is inside lower dir lower; they must be separate"
	run -0 overlap 'mount --bind lower/dir c' "--lower c --upper lower --work work"
	assert_refused "lower dir c is inside upper dir lower; they must be separate"
	assert_equal "$(names_in "$TMP/lower")" "dir "
	assert_equal "$(names_in "$TMP/lower/dir")" ""
	assert [ ! -e "$TMP/work" ]
	assert_equal "$(mounts_below_tmp)" 0
}

@test "layers that touch but do not overlap still mount: the mount point on the lower, upper and work side by side" {
	mkdir -p "$TMP/lower/dir" "$TMP/c/up" "$TMP/c/work"
	echo l >"$TMP/lower/f"
	# The mount point may be the lower itself, and hold the layer dirs.
	run -0 in_ns 'cx-overlay mount --lower lower --upper c/up --work c/work lower
		cat lower/f; echo n >lower/new
		cx-overlay mount --lower lower:c/up --upper c/up2 --work c/work2 c
		ls c | tr "\n" " "'
	assert_output "l
dir f new "
	assert_equal "$(cat "$TMP/c/up/new")" n
	assert [ ! -e "$TMP/lower/new" ]
}

# --- --tmpfs: the container layer in memory ----------------------------

@test "--tmpfs: the layer on a tmpfs under the overlay, even over the lower itself" {
	walkthrough_dirs
	run -0 in_ns '
		cx-overlay mount --lower lower --tmpfs=8M lower
		awk -v m="$PWD/lower" '"'"'$5 == m { print $1, $2, substr($0, index($0, " - ") + 3) }'"'"' /proc/self/mountinfo
		cat lower/in_lower.txt
		echo new >lower/new; rm lower/in_both.txt; ls lower | tr "\n" " "; echo
		df -k lower | tail -n 1 | awk "{ print \$2 }"'
	# A tmpfs named cx-layer of 8M, and the overlay mounted on it.
	# (Debian's kernels are built to show inode64.)
	assert_line --index 0 --regexp "^[0-9]+ [0-9]+ tmpfs cx-layer rw,size=8192k,mode=755(,inode64)?\$"
	tmpfs_id=$(cut -d' ' -f1 <<<"${lines[0]}")
	# The lower, hidden by the tmpfs, went to the kernel as a descriptor
	# (Linux 6.13), else by /proc/self/fd/N; the layer dirs by name.
	lower=$(lowers_re "$TMP/lower")
	kernel_at_least 6 13 || lower="lowerdir=/proc/self/fd/[0-9]+"
	assert_line --index 1 --regexp "^[0-9]+ $tmpfs_id overlay overlay rw,$lower,upperdir=$TMP/lower/upper,workdir=$TMP/lower/work"
	assert_line --index 2 "I'm from lower!"
	assert_line --index 3 "dir in_lower.txt new "
	# The lower is as it was, and nothing of the layer is on disk.
	assert_equal "$(names_in "$TMP/lower")" "dir in_both.txt in_lower.txt "
	assert_equal "$(names_in "$TMP")" "lower merged rootfs upper "
	assert_equal "$(mounts_below_tmp)" 0
}

@test "--tmpfs without the new mount API: the same layer, the layers by /proc/self/fd" {
	require_helper "$HELPER_NOSYS"
	walkthrough_dirs
	run -0 in_ns "'$HELPER_NOSYS' cx-overlay mount --lower lower:upper --tmpfs merged
		awk -v m=\"\$PWD/merged\" '\$5 == m { print substr(\$0, index(\$0, \" - \") + 3) }' /proc/self/mountinfo | cut -d' ' -f1,2
		cat merged/in_both.txt; echo x >merged/new; cat merged/new"
	assert_line --index 0 "tmpfs cx-layer"
	assert_line --index 1 "overlay overlay"
	# lower is the topmost layer.
	assert_line --index 2 "I'm from lower!"
	assert_line --index 3 "x"
	assert [ ! -e "$TMP/upper/new" ]
	assert_equal "$(mounts_below_tmp)" 0
}

@test "--tmpfs: umount takes the overlay and its tmpfs; a failed mount leaves neither" {
	walkthrough_dirs
	mkdir -p "$TMP/t" "$TMP/l1" "$TMP/l2" "$TMP/m1" "$TMP/m2"
	run -0 in_ns '
		cx-overlay mount --lower lower --tmpfs merged
		cx-overlay umount merged
		echo "after:$(grep -c " $PWD/merged " /proc/self/mountinfo)"
		# A tmpfs of its own at t, under an overlay: not ours, kept.
		mount -t tmpfs mine t
		cx-overlay mount --lower lower:upper t
		cx-overlay umount t
		echo "mine:$(grep -c " $PWD/t " /proc/self/mountinfo)"
		# Overlays two deep already: a third is refused by the kernel,
		# and the tmpfs made for it goes again.
		cx-overlay mount --lower lower:upper m1
		cx-overlay mount --lower m1:l1 m2
		cx-overlay mount --lower m2 --tmpfs merged 2>&1 || echo "deep=$?"
		echo "failed:$(grep -c " $PWD/merged " /proc/self/mountinfo)"'
	assert_line "after:0"
	assert_line "mine:1"
	assert_line --regexp "^cx-overlay: mount overlay on merged .*"
	assert_line "deep=125"
	assert_line "failed:0"
	assert_equal "$(mounts_below_tmp)" 0
}

@test "--tmpfs refusals: with --upper, a bad size; nothing mounted" {
	walkthrough_dirs
	run -125 cx-overlay mount --lower "$TMP/lower" --tmpfs --upper "$TMP/u" --work "$TMP/w" "$TMP/merged"
	assert_line --index 0 "cx-overlay: --tmpfs and --upper are two places for one layer: give one"
	run -125 cx-overlay mount --lower "$TMP/lower" --tmpfs=12Q "$TMP/merged"
	assert_line --index 0 "cx-overlay: invalid --tmpfs '12Q': a size such as 64M"
	run -125 cx-overlay mount --lower "$TMP/lower" --tmpfs=99999999999999999999G "$TMP/merged"
	assert_line --index 0 "cx-overlay: invalid --tmpfs '99999999999999999999G': out of range: a size such as 64M"
	# Before MERGED is looked at: the size is what is wrong.
	run -125 cx-overlay mount --lower "$TMP/lower" --tmpfs=abc "$TMP/nomerged"
	assert_line --index 0 "cx-overlay: invalid --tmpfs 'abc': a size such as 64M"
	# tmpfs would read 0 as no limit at all.
	run -125 cx-overlay mount --lower "$TMP/lower" --tmpfs=0 "$TMP/merged"
	assert_line --index 0 "cx-overlay: invalid --tmpfs '0': 0 would be no limit at all; a size such as 64M"
	run -125 cx-overlay mount --lower "$TMP/nolower" --tmpfs "$TMP/merged"
	assert_output "cx-overlay: lower dir $TMP/nolower: No such file or directory"
	assert_equal "$(names_in "$TMP")" "lower merged rootfs upper "
	assert_equal "$(mounts_below_tmp)" 0
}

# --- diff -------------------------------------------------------------

@test "diff reads every whiteout form, opaque directories, and a stack of lowers" {
	mkdir -p "$TMP/l1/etc" "$TMP/l2/etc" "$TMP/l2/opt/sub" "$TMP/up/etc" "$TMP/up/opt"
	echo a >"$TMP/l2/etc/a"
	echo b >"$TMP/l2/etc/b"
	echo c >"$TMP/l1/etc/c"
	echo d >"$TMP/l1/etc/d"
	echo o >"$TMP/l2/opt/old"
	echo s >"$TMP/l2/opt/sub/s"
	# The device form, the trusted. and user. xattr forms.
	mknod "$TMP/up/etc/a" c 0 0
	: >"$TMP/up/etc/b"
	mk setxattr "$TMP/up/etc/b" trusted.overlay.whiteout ""
	: >"$TMP/up/etc/c"
	mk setxattr "$TMP/up/etc/c" user.overlay.whiteout ""
	# A zero-size file without the xattr is a file.
	: >"$TMP/up/etc/d"
	mk setxattr "$TMP/up/opt" user.overlay.opaque y
	echo n >"$TMP/up/opt/new"
	run -0 cx-overlay diff --lower "$TMP/l1:$TMP/l2" "$TMP/up"
	assert_output "C /etc
D /etc/a
D /etc/b
D /etc/c
C /etc/d
C /opt
A /opt/new
D /opt/old
D /opt/sub"
	# A directory opaque with "x" (it holds xattr whiteouts) is not.
	mk setxattr "$TMP/up/opt" user.overlay.opaque x
	run -0 cx-overlay diff --lower "$TMP/l1:$TMP/l2" "$TMP/up"
	assert_line "A /opt/new"
	refute_line "D /opt/old"
}

@test "diff --json: the same changes; a name with a newline or a quote stays one name" {
	mkdir -p "$TMP/low/etc" "$TMP/up/etc"
	echo a >"$TMP/low/etc/a"
	mknod "$TMP/up/etc/a" c 0 0
	echo n >"$TMP/up/etc/two"$'\n'"lines"
	echo q >"$TMP/up/etc/say\"hi\""
	run -0 cx-overlay diff --json --lower "$TMP/low" "$TMP/up"
	run -0 jq -r '.[] | .kind + " " + (.path | @json)' <<<"$output"
	assert_output 'C "/etc"
D "/etc/a"
A "/etc/say\"hi\""
A "/etc/two\nlines"'
	# Each added path is a file of the upper dir, by its exact name.
	run -0 cx-overlay diff --json --lower "$TMP/low" "$TMP/up"
	local i
	for i in 2 3; do
		[ -f "$TMP/up$(jq -r ".[$i].path" <<<"$output")" ] ||
			fail "entry $i is no file of the upper dir"
	done
	mkdir "$TMP/empty"
	run -0 cx-overlay diff --json --lower "$TMP/low" "$TMP/empty"
	assert_output "[]"
}

# --- unpack -------------------------------------------------------------

@test "unpack: OCI whiteouts become overlay whiteouts; metadata, links and xattrs kept" {
	mk tar "$TMP/l.tar.gz" <<-'EOF'
	d ./
	d etc
	f etc/.wh.passwd
	f usr/.wh..wh..opq
	f usr/bin/tool hello
	F usr/bin/suid 4755
	l usr/bin/link /etc/shadow
	h usr/bin/hard usr/bin/tool
	f .wh.gone
	f d2/.wh..wh.plnk/aufs-meta
	p fifo
	x usr/cap user.cx=kept
	x usr/ovl trusted.overlay.redirect=/etc
	d same 700
	f .wh.same
	EOF
	run -0 cx-overlay unpack "$TMP/l.tar.gz" "$TMP/layer"
	assert_output ""
	assert_equal "$(kind_of "$TMP/layer/etc/passwd")" "character special file 0 0"
	assert_equal "$(kind_of "$TMP/layer/gone")" "character special file 0 0"
	assert_equal "$(stat -c %a "$TMP/layer/gone")" "0"
	assert_equal "$(xattr "$TMP/layer/usr" trusted.overlay.opaque)" "y"
	assert_equal "$(cat "$TMP/layer/usr/bin/tool")" "hello"
	# The mode and time kept, but the set-user-ID bit (--allow-suid).
	assert_equal "$(stat -c '%a %Y' "$TMP/layer/usr/bin/suid")" "755 1700000000"
	assert_equal "$(readlink "$TMP/layer/usr/bin/link")" "/etc/shadow"
	assert_equal "$(stat -c %i "$TMP/layer/usr/bin/hard")" "$(stat -c %i "$TMP/layer/usr/bin/tool")"
	assert_equal "$(stat -c %F "$TMP/layer/fifo")" "fifo"
	assert_equal "$(xattr "$TMP/layer/usr/cap" user.cx)" "kept"
	# A layer cannot forge overlayfs's metadata.
	assert_equal "$(xattr "$TMP/layer/usr/ovl" trusted.overlay.redirect)" "none"
	# aufs's bookkeeping is skipped; a whiteout of a directory the layer
	# has itself makes that directory opaque.
	assert [ ! -e "$TMP/layer/d2" ]
	assert_equal "$(stat -c '%F %a' "$TMP/layer/same")" "directory 700"
	assert_equal "$(xattr "$TMP/layer/same" trusted.overlay.opaque)" "y"
	# Directory times are those of the archive, set last.
	assert_equal "$(stat -c %Y "$TMP/layer/etc")" "1700000000"
	assert_equal "$(stat -c '%a %Y' "$TMP/layer")" "755 1700000000"
	# The staging directory is gone.
	assert_equal "$(names_in "$TMP")" "l.tar.gz layer rootfs "
}

@test "unpack: plain, gzip and zstd, from a file or standard input; --userxattr" {
	local c
	for c in tar tar.gz tar.zst; do
		printf 'f a/file %s\nf a/.wh.x\nf b/.wh..wh..opq\n' "$c" | mk tar "$TMP/l.$c"
		run -0 cx-overlay unpack "$TMP/l.$c" "$TMP/out-$c"
		assert_equal "$(cat "$TMP/out-$c/a/file")" "$c"
		assert_equal "$(kind_of "$TMP/out-$c/a/x")" "character special file 0 0"
	done
	run -0 bash -c "cat '$TMP/l.tar.zst' | cx-overlay unpack --userxattr - '$TMP/stdin'"
	assert_equal "$(cat "$TMP/stdin/a/file")" "tar.zst"
	assert_equal "$(xattr "$TMP/stdin/b" user.overlay.opaque)" "y"
	assert_equal "$(xattr "$TMP/stdin/b" trusted.overlay.opaque)" "none"
}

@test "unpack into an empty directory; a non-empty one is refused and kept" {
	printf 'f file new\n' | mk tar "$TMP/l.tar"
	mkdir "$TMP/empty" "$TMP/full"
	echo keep >"$TMP/full/old"
	run -0 cx-overlay unpack "$TMP/l.tar" "$TMP/empty"
	assert_equal "$(cat "$TMP/empty/file")" "new"
	run -125 cx-overlay unpack "$TMP/l.tar" "$TMP/full"
	assert_output "cx-overlay: $TMP/full exists and is not an empty directory"
	assert_equal "$(names_in "$TMP/full")" "old "
	run -125 cx-overlay unpack "$TMP/l.tar" "$TMP/l.tar"
	assert_output "cx-overlay: $TMP/l.tar exists and is not an empty directory"
	assert_equal "$(names_in "$TMP")" "empty full l.tar rootfs "
}

# Each hostile archive is refused with its member named, leaves no
# output and no staging directory, and writes nothing outside.
hostile() {
	local name=$1 msg=$2
	mk tar "$TMP/in/$name.tar"
	run -125 cx-overlay unpack "$TMP/in/$name.tar" "$TMP/a/b/out"
	assert_output "cx-overlay: unpack $TMP/in/$name.tar: refusing $msg"
	assert_equal "$(names_in "$TMP/a/b")" ""
}

@test "hostile tarballs: .., absolute, through a symlink, hard links out, devices" {
	local probe="cx-overlay-bats-$$-$BATS_TEST_NUMBER"
	mkdir -p "$TMP/in" "$TMP/a/b" "$TMP/etc"
	local before
	before=$(stat -c %h /etc/passwd)

	hostile dotdot '../../etc/x: a ".." component' <<-EOF
	f ok
	f ../../etc/x pwn
	EOF
	hostile inner 'a/../../../x: a ".." component' <<-EOF
	f a/../../../x pwn
	EOF
	hostile absolute "/etc/$probe: an absolute path" <<-EOF
	f /etc/$probe pwn
	EOF
	hostile symlink "a/$probe: its path goes through a symlink" <<-EOF
	l a /etc
	f a/$probe pwn
	EOF
	hostile relsymlink "up/etc/x: its path goes through a symlink" <<-EOF
	l up ../../..
	f up/etc/x pwn
	EOF
	hostile symlinkdir "a/x/: its path goes through a symlink" <<-EOF
	l a /etc
	d a/x
	EOF
	hostile notdir "f/x: its path goes through a non-directory" <<-EOF
	f f data
	f f/x pwn
	EOF
	hostile hardabs "passwd: a hard link to a name outside the layer" <<-EOF
	h passwd /etc/passwd
	EOF
	hostile hardup "passwd: a hard link to a name outside the layer" <<-EOF
	h passwd ../../../../../../etc/passwd
	EOF
	hostile hardvia "passwd: its path goes through a symlink" <<-EOF
	l e /etc
	h passwd e/passwd
	EOF
	hostile hardmissing "x: a hard link to a name not in the layer" <<-EOF
	h x nothing
	EOF
	hostile device "dev/sda: a device node (devices are not allowed)" <<-EOF
	b dev/sda 8 0
	EOF
	hostile chardev "dev/null2: a device node (devices are not allowed)" <<-EOF
	c dev/null2 1 3
	EOF
	hostile rootlink ".: the layer's root is not a directory" <<-EOF
	l . /etc
	EOF
	hostile badwh ".wh.: a whiteout without a name" <<-EOF
	f .wh.
	EOF
	hostile whdir ".wh.x/y: a whiteout name used as a directory" <<-EOF
	f .wh.x/y
	EOF

	# Nothing anywhere outside: not in /etc, not next to the output,
	# and /etc/passwd has no new link.
	assert [ ! -e "/etc/$probe" ]
	assert [ ! -e "$TMP/etc/x" ]
	assert [ ! -e "$TMP/a/etc" ]
	assert [ ! -e "$TMP/x" ]
	assert_equal "$(stat -c %h /etc/passwd)" "$before"
	assert_equal "$(names_in "$TMP")" "a etc in rootfs "
}

@test "--allow-devices makes the device nodes a layer holds" {
	printf 'c dev/null 1 3\nb dev/sda 8 0\n' | mk tar "$TMP/dev.tar"
	run -0 cx-overlay unpack --allow-devices "$TMP/dev.tar" "$TMP/out"
	assert_equal "$(kind_of "$TMP/out/dev/null")" "character special file 1 3"
	assert_equal "$(kind_of "$TMP/out/dev/sda")" "block special file 8 0"
}

# --- set-user-ID files, file capabilities, device nodes ----------------

# A layer tarball of a tree with a set-user-ID root program (id), a
# set-group-ID one, a program with a file capability (grep, with
# cap_net_raw+ep: it shows the capability in its own CapEff) and a
# set-group-ID directory, written by GNU tar, not by cx-overlay.
suid_layer() {
	command -v setcap >/dev/null || skip "setcap (libcap2-bin) is needed for a file capability"
	mkdir -p "$TMP/src/bin" "$TMP/src/shared"
	cp "$(command -v id)" "$TMP/src/bin/id"
	cp "$(command -v id)" "$TMP/src/bin/sgid"
	cp "$(command -v grep)" "$TMP/src/bin/grep"
	chown 0:0 "$TMP/src/bin/id" "$TMP/src/bin/sgid"
	chmod 4755 "$TMP/src/bin/id"
	chmod 2755 "$TMP/src/bin/sgid" "$TMP/src/shared"
	setcap cap_net_raw+ep "$TMP/src/bin/grep"
	tar --xattrs --xattrs-include='*' --numeric-owner -C "$TMP/src" -cf "$TMP/suid.tar" .
	# Others must reach the layers to run them as nobody.
	chmod 755 "$TMP"
}

# The set-id bits and the capability of the unpacked tree DIR.
suid_state() {
	stat -c '%a %n' "$1/bin/id" "$1/bin/sgid" "$1/bin/grep" "$1/shared" | sed "s,$1/,,"
	echo "cap=$(getcap "$1/bin/grep" | sed 's/^.* //')"
}

@test "unpack and image drop set-user-ID and set-group-ID bits and file capabilities; --allow-suid keeps them" {
	suid_layer
	run -0 cx-overlay unpack "$TMP/suid.tar" "$TMP/out"
	run -0 suid_state "$TMP/out"
	assert_output "755 bin/id
755 bin/sgid
755 bin/grep
2755 shared
cap="
	run -0 cx-overlay unpack --allow-suid "$TMP/suid.tar" "$TMP/kept"
	run -0 suid_state "$TMP/kept"
	assert_output "4755 bin/id
2755 bin/sgid
755 bin/grep
2755 shared
cap=cap_net_raw=ep"
	# The file as unpacked by default raises no one, even straight from
	# the host's directory.
	run -0 setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/out/bin/id" -u
	assert_output 65534
	# image unpacks its layers the same way.
	mk oci "$TMP/oci" latest "$TMP/suid.tar"
	run -0 cx-overlay image "$TMP/oci" "$TMP/img"
	assert_equal "$(suid_state "$TMP/img/0")" "$(suid_state "$TMP/out")"
	run -0 cx-overlay image --allow-suid "$TMP/oci" "$TMP/img2"
	assert_equal "$(stat -c %a "$TMP/img2/0/bin/id")" 4755
}

# In a mount namespace: cx-overlay mount ARGS... m, then m's mount
# options (field 6 of mountinfo), and what nobody gets from the
# set-user-ID id and the capable grep on it.
suid_run() {
	TMP=$TMP cx-unshare --mount bash -c 'set -e; cd "$TMP"; mkdir -p m; cx-overlay mount "$@" m
		awk -v m="$TMP/m" '"'"'$5 == m { o = $6 } END { print o }'"'"' /proc/self/mountinfo
		setpriv --reuid=65534 --regid=65534 --clear-groups m/bin/id -u
		setpriv --reuid=65534 --regid=65534 --clear-groups m/bin/grep CapEff /proc/self/status' bash "$@"
}

@test "mount is nosuid and nodev: a set-user-ID root file or a file capability in a layer raises no one; --suid, --dev opt out" {
	suid_layer
	run -0 cx-overlay unpack --allow-suid "$TMP/suid.tar" "$TMP/layer"
	# Straight from the layer, the bit and the capability work.
	run -0 setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/layer/bin/id" -u
	assert_output 0
	run -0 suid_run --lower layer --tmpfs
	assert_line --index 0 --regexp '^rw,nosuid,nodev(,|$)'
	assert_line --index 1 65534
	assert_line --index 2 $'CapEff:\t0000000000000000'
	run -0 suid_run --lower layer --upper up --work work
	assert_line --index 0 --regexp '^rw,nosuid,nodev(,|$)'
	assert_line --index 1 65534
	run -0 suid_run --lower layer:up
	assert_line --index 0 --regexp '^ro,nosuid,nodev(,|$)'
	assert_line --index 1 65534
	run -0 suid_run --suid --lower layer --tmpfs
	assert_line --index 0 --regexp '^rw,nodev(,|$)'
	assert_line --index 1 0
	assert_line --index 2 $'CapEff:\t0000000000002000'
	run -0 suid_run --suid --dev --lower layer --tmpfs
	assert_line --index 0 --regexp '^rw(,relatime)?$'
	assert_equal "$(mounts_below_tmp)" 0
}

@test "mount is nodev: a device node root makes in the container layer opens nothing; --dev allows it" {
	mkdir -p "$TMP/lower" "$TMP/m"
	run -0 in_ns 'cx-overlay mount --lower lower --tmpfs m
		mknod m/null c 1 3
		(echo x >m/null) 2>&1 | sed "s/^.*: //"'
	assert_output "Permission denied"
	run -0 in_ns 'cx-overlay mount --dev --lower lower --tmpfs m
		mknod m/null c 1 3
		echo x >m/null && echo written'
	assert_output written
}

@test "mount(2) fallback: nosuid and nodev too" {
	require_helper "$HELPER_NOSYS"
	mkdir -p "$TMP/lower" "$TMP/m"
	run -0 in_ns "'$HELPER_NOSYS' cx-overlay mount --lower lower --upper up --work work m
		awk -v m=\"\$PWD/m\" '\$5 == m { print \$6 }' /proc/self/mountinfo
		umount m
		'$HELPER_NOSYS' cx-overlay mount --suid --dev --lower lower --upper up --work work m
		awk -v m=\"\$PWD/m\" '\$5 == m { print \$6 }' /proc/self/mountinfo"
	assert_line --index 0 --regexp '^rw,nosuid,nodev(,|$)'
	assert_line --index 1 --regexp '^rw(,relatime)?$'
}

@test "a corrupt or truncated tarball: error, no output, no staging directory" {
	local i
	for i in $(seq 400); do echo "f dir/file$i $i$i$i$i$i$i$i$i"; done | mk tar "$TMP/big.tar.gz"
	head -c 2000 "$TMP/big.tar.gz" >"$TMP/cut.tar.gz"
	run -125 cx-overlay unpack "$TMP/cut.tar.gz" "$TMP/out"
	assert_output --regexp "^cx-overlay: unpack $TMP/cut.tar.gz: (read dir/file[0-9]+: )?.*(truncated|Truncated|EOF).*"
	assert [ ! -e "$TMP/out" ]
	head -c 3000 /dev/urandom >"$TMP/noise.tar"
	run -125 cx-overlay unpack "$TMP/noise.tar" "$TMP/out"
	assert_output --regexp "^cx-overlay: unpack $TMP/noise.tar: .+"
	assert [ ! -e "$TMP/out" ]
	# A tar cut inside a member's data is corrupt; cut right after the
	# data of its last file, it is whole (umoci 0.4.7 "insert" layers).
	printf 'f a first\nf b second\n' | mk tar "$TMP/t.tar"
	head -c $((512 * 3 + 7)) "$TMP/t.tar" >"$TMP/tail.tar"
	run -0 cx-overlay unpack "$TMP/tail.tar" "$TMP/out"
	assert_equal "$(cat "$TMP/out/b")" "second"
	head -c $((512 * 3 + 3)) "$TMP/t.tar" >"$TMP/mid.tar"
	run -125 cx-overlay unpack "$TMP/mid.tar" "$TMP/out2"
	assert_output --regexp "^cx-overlay: unpack $TMP/mid.tar: read b: .*"
	assert [ ! -e "$TMP/out2" ]
	assert_equal "$(names_in "$TMP")" "big.tar.gz cut.tar.gz mid.tar noise.tar out rootfs t.tar tail.tar "
}

@test "unpack without openat2: the same layer, the same refusals" {
	require_helper "$HELPER_NOSYS"
	printf 'f a/b/c deep\nl s /etc\nh a/hard a/b/c\n' | mk tar "$TMP/ok.tar"
	printf 'l s /etc\nf s/x pwn\n' | mk tar "$TMP/bad.tar"
	run -0 "$HELPER_NOSYS" cx-overlay unpack "$TMP/ok.tar" "$TMP/out"
	assert_equal "$(cat "$TMP/out/a/hard")" "deep"
	run -125 "$HELPER_NOSYS" cx-overlay unpack "$TMP/bad.tar" "$TMP/out2"
	assert_output "cx-overlay: unpack $TMP/bad.tar: refusing s/x: its path goes through a symlink"
	assert [ ! -e "$TMP/out2" ]
}

# --- commit -------------------------------------------------------------

@test "commit then unpack: the same merged view; whiteouts and opaque dirs as OCI names" {
	walkthrough_dirs
	ln -s in_lower.txt "$TMP/lower/link"
	run -0 in_ns '
		cx-overlay mount --lower lower --upper upper --work work merged
		echo changed > merged/in_lower.txt
		ln merged/in_lower.txt merged/hardlink
		rm merged/in_both.txt
		rm -r merged/dir && mkdir merged/dir && echo b > merged/dir/b
		mkdir -p merged/new/sub && echo n > merged/new/sub/n
		tree_of merged'
	local want=$output
	run -0 cx-overlay commit "$TMP/upper" "$TMP/layer.tar.gz"
	assert_output ""
	run -0 tar -tvzf "$TMP/layer.tar.gz"
	assert_line --regexp '^---------- 0/0 +0 .* \.wh\.in_both\.txt$'
	assert_line --regexp '^drwxr-xr-x 0/0 +0 .* dir/$'
	assert_line --regexp '^---------- 0/0 +0 .* dir/\.wh\.\.wh\.\.opq$'
	assert_line --regexp '^hrw-r--r-- 0/0 +0 .* (hardlink link to in_lower.txt|in_lower.txt link to hardlink)$'
	refute_output --partial "work"
	# Into a fresh layer, mounted on the same lower: the same view.
	run -0 cx-overlay unpack "$TMP/layer.tar.gz" "$TMP/fresh"
	run -0 in_ns 'mkdir m2; cx-overlay mount --lower fresh:lower m2; tree_of m2'
	assert_equal "$output" "$want"
	# And the same changes.
	run -0 cx-overlay diff --lower "$TMP/lower" "$TMP/fresh"
	assert_output "$(cx-overlay diff --lower "$TMP/lower" "$TMP/upper")"
	# The same upper, the same bytes.
	run -0 cx-overlay commit "$TMP/upper" "$TMP/again.tar.gz"
	assert_equal "$(md5sum <"$TMP/again.tar.gz")" "$(md5sum <"$TMP/layer.tar.gz")"
}

@test "commit and unpack keep any name: UTF-8 as pax wants it, other bytes as they are" {
	mkdir -p "$TMP/up/日本"
	echo e >"$TMP/up/é.txt"
	echo j >"$TMP/up/日本/語"
	echo b >"$TMP/up/$(printf 'bad\377')"
	run -0 cx-overlay commit "$TMP/up" "$TMP/l.tar"
	# Only the name that is no UTF-8 needs pax's hdrcharset=BINARY.
	assert_equal "$(grep -c -a 'hdrcharset=BINARY' "$TMP/l.tar")" 1
	run -0 cx-overlay unpack "$TMP/l.tar" "$TMP/out"
	assert_equal "$(cat "$TMP/out/é.txt" "$TMP/out/日本/語" "$TMP/out/$(printf 'bad\377')")" "e
j
b"
	assert_equal "$(ls "$TMP/out" | od -An -c | tr -s ' ')" "$(ls "$TMP/up" | od -An -c | tr -s ' ')"
}

@test "commit refuses what a layer cannot hold; a failed commit leaves no file" {
	mkdir -p "$TMP/lower" "$TMP/up" "$TMP/m"
	echo data >"$TMP/lower/f"
	: >"$TMP/up/.wh.trap"
	run -125 cx-overlay commit "$TMP/up" "$TMP/out.tar"
	assert_output "cx-overlay: commit $TMP/up: .wh.trap has a whiteout's name, which a layer cannot hold"
	assert_equal "$(names_in "$TMP")" "lower m rootfs up "
	rm "$TMP/up/.wh.trap"
	# With metacopy, a chmod copies up the metadata only.
	run -0 in_ns 'cx-overlay mount --metacopy --lower lower --upper up --work w m
		chmod 600 m/f'
	run -125 cx-overlay commit "$TMP/up" "$TMP/out.tar.zst"
	assert_output "cx-overlay: commit $TMP/up: f is a metacopy file: its data is in a lower layer"
	assert_equal "$(names_in "$TMP")" "lower m rootfs up w "
	# An existing layer file is replaced only by a whole new one.
	echo old >"$TMP/out.tar"
	rm "$TMP/up/f"
	echo new >"$TMP/up/g"
	run -0 cx-overlay commit "$TMP/up" "$TMP/out.tar"
	run -0 tar -tf "$TMP/out.tar"
	assert_output "g"
}

# --- images -------------------------------------------------------------

# Two layers: the base, and one that deletes a file and replaces a
# directory.
two_layers() {
	mk tar "$TMP/base.tar.gz" <<-'EOF'
	d etc
	f etc/passwd root:x:0:0
	f etc/motd hello
	d usr/share/doc
	f usr/share/doc/old old
	f usr/bin/tool v1
	EOF
	mk tar "$TMP/top.tar" <<-'EOF'
	f etc/.wh.motd
	f usr/share/doc/.wh..wh..opq
	f usr/share/doc/new new
	f usr/bin/tool v2
	EOF
}

merged_two_layers="etc
etc/passwd
usr
usr/bin
usr/bin/tool
usr/share
usr/share/doc
usr/share/doc/new"

@test "image: an OCI layout of two layers, unpacked and mounted" {
	two_layers
	mk oci "$TMP/oci" latest "$TMP/base.tar.gz" "$TMP/top.tar"
	run -0 cx-overlay image "$TMP/oci" "$TMP/img"
	assert_output "$TMP/img/1:$TMP/img/0"
	assert_equal "$(names_in "$TMP/img")" "0 1 "
	assert_equal "$(kind_of "$TMP/img/1/etc/motd")" "character special file 0 0"
	assert_equal "$(xattr "$TMP/img/1/usr/share/doc" trusted.overlay.opaque)" "y"
	run -0 in_ns "mkdir m; cx-overlay mount --lower '$output' m
		(cd m && find . -mindepth 1 | sed s,^./,, | sort)
		cat m/usr/bin/tool m/etc/passwd"
	assert_output "$merged_two_layers
v2
root:x:0:0"
	# Then a container on it, whose changes are one layer more.
	run -0 in_ns "cx-overlay mount --lower img/1:img/0 --upper up --work w m
		rm m/etc/passwd; echo c > m/etc/new"
	run -0 cx-overlay diff --lower "$TMP/img/1:$TMP/img/0" "$TMP/up"
	assert_output "C /etc
A /etc/new
D /etc/passwd"
}

@test "image: a docker save archive, with a layer repeated through a link" {
	two_layers
	gzip -dc "$TMP/base.tar.gz" >"$TMP/base.tar"
	mk docker-repeat "$TMP/saved.tar" "$TMP/base.tar" "$TMP/top.tar"
	run -0 cx-overlay image "$TMP/saved.tar" "$TMP/img"
	assert_output "$TMP/img/2:$TMP/img/1:$TMP/img/0"
	# The repeated base on top brings back motd and doc/old.
	run -0 in_ns "mkdir m; cx-overlay mount --lower '$output' m
		cat m/etc/motd m/usr/share/doc/old m/usr/bin/tool"
	assert_output "hello
old
v1"
	run -0 cx-overlay image --ref cx/test:1 "$TMP/saved.tar" "$TMP/img2"
	run -125 cx-overlay image --ref cx/other:1 "$TMP/saved.tar" "$TMP/img3"
	assert_output "cx-overlay: image $TMP/saved.tar: no image is tagged 'cx/other:1'"
	assert [ ! -e "$TMP/img3" ]
}

@test "image refusals: a blob not matching its digest, a bad digest, several images, no manifest" {
	two_layers
	mk oci "$TMP/oci" latest "$TMP/base.tar.gz" "$TMP/top.tar"
	cp -a "$TMP/oci" "$TMP/oci2"
	# A changed layer.
	local top
	top=$(ls -S "$TMP/oci2/blobs/sha256" | head -n 1)
	printf 'f etc/evil x\n' | mk tar "$TMP/evil.tar"
	cp "$TMP/evil.tar" "$TMP/oci2/blobs/sha256/$top"
	run -125 cx-overlay image "$TMP/oci2" "$TMP/img"
	assert_output --regexp "^cx-overlay: image $TMP/oci2: (layer sha256:[0-9a-f]{64}|sha256:[0-9a-f]{64}) does not match its digest or size$"
	assert [ ! -e "$TMP/img" ]
	# A digest that would name another file.
	sed -i 's,"sha256:[0-9a-f]*","sha256:../../../../etc/passwd",' "$TMP/oci2/index.json"
	run -125 cx-overlay image "$TMP/oci2" "$TMP/img"
	assert_output "cx-overlay: image $TMP/oci2: invalid digest 'sha256:../../../../etc/passwd'"
	# Two images: --ref chooses.
	mk oci "$TMP/oci" other "$TMP/top.tar"
	run -125 cx-overlay image "$TMP/oci" "$TMP/img"
	assert_output "cx-overlay: image $TMP/oci: it holds 2 images; choose one with --ref"
	run -0 cx-overlay image --ref other "$TMP/oci" "$TMP/img"
	assert_output "$TMP/img/0"
	# A tarball that is no image.
	printf 'f hello x\n' | mk tar "$TMP/plain.tar"
	run -125 cx-overlay image "$TMP/plain.tar" "$TMP/img4"
	assert_output "cx-overlay: image $TMP/plain.tar: neither an OCI image layout nor a docker save archive (no manifest.json)"
	assert_equal "$(names_in "$TMP")" "base.tar.gz evil.tar img oci oci2 plain.tar rootfs top.tar "
}

@test "image: an index.json or manifest that is not JSON, repeats a key, holds a NUL or nests deep is refused by name" {
	two_layers
	mk oci "$TMP/oci" latest "$TMP/base.tar.gz" "$TMP/top.tar"
	local good
	good=$(cat "$TMP/oci/index.json")
	# A repeated key could make two readers see two images.
	python3 -c 'import json,sys; i=json.loads(sys.argv[1]); m=json.dumps(i["manifests"]); print("{\"schemaVersion\":2,\"manifests\":[],\"manifests\":%s}" % m)' "$good" >"$TMP/oci/index.json"
	run -125 cx-overlay image "$TMP/oci" "$TMP/img"
	assert_output --regexp "^cx-overlay: image $TMP/oci: index.json is not valid JSON \(duplicate object key.*\)$"
	printf '{"schemaVersion":2,"manifests":"\\u0000"}' >"$TMP/oci/index.json"
	run -125 cx-overlay image "$TMP/oci" "$TMP/img"
	assert_output --regexp "^cx-overlay: image $TMP/oci: index.json is not valid JSON \(.*NUL.*\)$"
	printf '%s x' "$good" >"$TMP/oci/index.json"
	run -125 cx-overlay image "$TMP/oci" "$TMP/img"
	assert_output --regexp "^cx-overlay: image $TMP/oci: index.json is not valid JSON \(.+\)$"
	# Deep nesting is an error, not a stack overflow.
	python3 -c 'print("[" * 100000 + "]" * 100000)' >"$TMP/oci/index.json"
	run -125 cx-overlay image "$TMP/oci" "$TMP/img"
	assert_output --regexp "^cx-overlay: image $TMP/oci: index.json is not valid JSON \(.*depth.*\)$"
	# A manifest blob with a repeated key, its digest and size made right.
	printf '%s' "$good" >"$TMP/oci/index.json"
	python3 - "$TMP/oci" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
i = json.load(open(d + "/index.json"))
desc = i["manifests"][0]
m = open(d + "/blobs/sha256/" + desc["digest"][7:], "rb").read().decode()
m = m[:-1] + ',"layers":[]}'
h = hashlib.sha256(m.encode()).hexdigest()
open(d + "/blobs/sha256/" + h, "w").write(m)
desc["digest"], desc["size"] = "sha256:" + h, len(m)
json.dump(i, open(d + "/index.json", "w"))
PY
	run -125 cx-overlay image "$TMP/oci" "$TMP/img"
	assert_output --regexp "^cx-overlay: image $TMP/oci: sha256:[0-9a-f]{64} is not valid JSON \(duplicate object key.*\)$"
	assert [ ! -e "$TMP/img" ]
}

@test "image: a hostile layout's FIFO or device in place of a blob or index.json is refused at once" {
	two_layers
	mk oci "$TMP/oci" latest "$TMP/base.tar.gz" "$TMP/top.tar"
	local blob
	blob=$(ls -S "$TMP/oci/blobs/sha256" | head -n 1)
	rm "$TMP/oci/blobs/sha256/$blob"
	mkfifo "$TMP/oci/blobs/sha256/$blob"
	run -125 timeout 10 cx-overlay image "$TMP/oci" "$TMP/img"
	assert_output --partial "not a regular file"
	assert [ ! -e "$TMP/img" ]
	rm "$TMP/oci/index.json"
	mkfifo "$TMP/oci/index.json"
	run -125 timeout 10 cx-overlay image "$TMP/oci" "$TMP/img"
	assert_output "cx-overlay: image $TMP/oci: no index.json"
	assert [ ! -e "$TMP/img" ]
	# A link to the host's /dev/zero is looked up inside the layout.
	rm "$TMP/oci/index.json"
	ln -s /dev/zero "$TMP/oci/index.json"
	run -125 timeout 10 cx-overlay image "$TMP/oci" "$TMP/img"
	assert_output "cx-overlay: image $TMP/oci: no index.json: No such file or directory"
	assert [ ! -e "$TMP/img" ]
}

@test "interop: an image made offline by umoci, with a deletion, gives umoci's tree" {
	command -v umoci >/dev/null || skip "umoci is not installed"
	cd "$TMP"
	umoci init --layout oci
	umoci new --image oci:t
	umoci unpack --image oci:t bundle >/dev/null
	mkdir -p bundle/rootfs/etc bundle/rootfs/usr/share/doc bundle/rootfs/var
	echo hello >bundle/rootfs/etc/hello
	echo keep >bundle/rootfs/etc/keep
	echo doc >bundle/rootfs/usr/share/doc/readme
	ln -s ../etc/keep bundle/rootfs/var/link
	chmod 4755 bundle/rootfs/etc/keep
	umoci repack --refresh-bundle --image oci:t bundle >/dev/null
	# The second layer deletes a file and replaces a directory.
	rm bundle/rootfs/etc/hello
	rm -r bundle/rootfs/usr/share/doc
	mkdir bundle/rootfs/usr/share/doc
	echo new >bundle/rootfs/usr/share/doc/new
	umoci repack --refresh-bundle --image oci:t bundle >/dev/null
	# A third, from umoci insert: a new file and a whiteout.
	echo inserted >ins
	umoci insert --image oci:t ins /opt/ins >/dev/null
	umoci insert --image oci:t --whiteout /etc/keep >/dev/null
	umoci unpack --image oci:t peer >/dev/null
	run -0 tree_of peer/rootfs
	local want=$output
	assert_line --regexp '^f 644 0:0 ./opt/ins $'
	refute_line --partial ' ./etc/hello '
	refute_line --partial ' ./etc/keep '
	assert_line --partial './usr/share/doc/new'

	run -0 cx-overlay image --ref t oci layers
	assert_output "layers/3:layers/2:layers/1:layers/0"
	run -0 in_ns "mkdir m; cx-overlay mount --lower '$output' m; tree_of m"
	assert_equal "$output" "$want"
}

# --- save: images out ----------------------------------------------------

# Every blob of the layout DIR is named by its own sha256, and no
# temporary file is left: one line per problem, none when all is well.
blob_problems() {
	local f
	for f in "$1"/blobs/sha256/* "$1"/blobs/sha256/.[!.]*; do
		[ -e "$f" ] || continue
		[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$(basename "$f")" ] ||
			echo "bad blob $f"
	done
	ls -A "$1" | grep -v -x -e blobs -e index.json -e oci-layout || true
}

# The merged tree of the image REF in the layout or archive SRC, as
# cx-overlay image unpacks and overlayfs stacks it.
merged_tree_of() {
	rm -rf "$TMP/mt"
	cx-overlay image --ref "$2" "$1" "$TMP/mt" >"$TMP/mt.lower"
	in_ns "mkdir -p mm; cx-overlay mount --lower \$(cat mt.lower) mm; tree_of mm"
}

@test "save: a rootfs and a container's upper as an OCI layout that skopeo and umoci take, with the tree cx unpacks" {
	command -v skopeo >/dev/null || skip "skopeo is not installed (apt-get install skopeo)"
	command -v umoci >/dev/null || skip "umoci is not installed"
	cd "$TMP"
	# A container's changes: a deletion, an opaque directory, a file.
	mkdir -p up/etc up/usr/share up/home
	mknod up/etc/passwd c 0 0
	mk setxattr up/usr/share trusted.overlay.opaque y
	echo note >up/usr/share/note
	echo hi >up/home/hi
	run -0 cx-overlay save --entrypoint /bin/sh --cmd -c --cmd 'echo hi' \
		-e PATH=/bin:/usr/bin -e 'GREETING=a b' -w /home -u 1000:1000 \
		out:v1 "$ROOTFS" up
	assert_output ""
	run -0 blob_problems out
	assert_output ""
	# What skopeo reads: the config as given, one diff_id per source,
	# each the digest of its (uncompressed) layer blob.
	run -0 skopeo inspect --config oci:out:v1
	local cfg=$output
	run -0 python3 -c '
import json, sys
c = json.loads(sys.argv[1])
print(c["config"]["Entrypoint"], c["config"]["Cmd"], c["config"]["Env"])
print(c["config"]["WorkingDir"], c["config"]["User"], c["os"], len(c["history"]))
print(" ".join(d[7:] for d in c["rootfs"]["diff_ids"]))' "$cfg"
	assert_line --index 0 "['/bin/sh'] ['-c', 'echo hi'] ['PATH=/bin:/usr/bin', 'GREETING=a b']"
	assert_line --index 1 "/home 1000:1000 linux 2"
	local id
	for id in ${lines[2]}; do
		assert [ -f "out/blobs/sha256/$id" ]
	done
	assert_equal "$(wc -w <<<"${lines[2]}")" 2
	# umoci applies the whiteouts as overlayfs does over cx's unpack.
	umoci unpack --image out:v1 peer >/dev/null
	assert [ ! -e peer/rootfs/etc/passwd ]
	assert_equal "$(ls peer/rootfs/usr/share)" note
	run -0 python3 -c 'import json,sys; p=json.load(open("peer/config.json"))["process"]; print(p["args"], p["cwd"], p["user"]["uid"])'
	assert_output "['/bin/sh', '-c', 'echo hi'] /home 1000"
	run -0 tree_of peer/rootfs
	local want=$output
	run -0 merged_tree_of out v1
	assert_equal "$output" "$want"
	# skopeo copies it on as a docker archive, which cx reads back.
	run -0 skopeo copy oci:out:v1 docker-archive:"$TMP/d.tar":cx/saved:v1
	run -0 merged_tree_of "$TMP/d.tar" cx/saved:v1
	assert_equal "$output" "$want"
}

@test "save: podman pulls the layout and runs the image with its entrypoint, command, env and user" {
	command -v podman >/dev/null || skip "podman is not installed (apt-get install podman)"
	command -v runc >/dev/null || skip "runc is not installed"
	cd "$TMP"
	local id cg="cx-podman-$BATS_TEST_NUMBER-$$"
	mkdir -p up/etc && echo "from the upper" >up/etc/saved
	run -0 cx-overlay save --entrypoint /bin/sh --cmd -c \
		--cmd 'echo "$GREETING from $(pwd) as $(id -u):$(id -g)"; cat /etc/saved' \
		-e GREETING=hello -e PATH=/bin:/usr/bin -w /etc -u 7:8 out:v1 "$ROOTFS" up
	# Relative: podman names the image after the path, which must be
	# lower case (mktemp's is not).
	run -0 podman_here pull -q oci:out:v1
	id=${lines[-1]}
	run podman_here --runtime runc run --rm --network none --cgroup-parent "/$cg" "$id"
	podman_settle "$cg"
	assert_success
	assert_output "hello from /etc as 7:8
from the upper"
	run -0 podman_here rmi -f "$id"
}

@test "save: a layer tarball as it is, an image added to a layout, a name given again moves" {
	two_layers
	cd "$TMP"
	run -0 cx-overlay save out:two base.tar.gz top.tar
	# The gzip layer is stored uncompressed: its blob is the tar.
	assert [ -f "out/blobs/sha256/$(gzip -dc base.tar.gz | sha256sum | cut -d' ' -f1)" ]
	assert [ -f "out/blobs/sha256/$(sha256sum <top.tar | cut -d' ' -f1)" ]
	rm -rf img && cx-overlay image --ref two out img >/dev/null
	run -0 in_ns "mkdir m; cx-overlay mount --lower img/1:img/0 m; (cd m && find . -mindepth 1 | sed s,^./,, | sort)"
	assert_output "$merged_two_layers"
	# A second image: added, the first kept.
	run -0 cx-overlay save out:one base.tar.gz
	run -0 python3 -c 'import json; print(" ".join(m["annotations"]["org.opencontainers.image.ref.name"] for m in json.load(open("out/index.json"))["manifests"]))'
	assert_output "two one"
	# The name "two" again: the index names the new image, once.
	local before
	before=$(python3 -c 'import json; print([m["digest"] for m in json.load(open("out/index.json"))["manifests"]][0])')
	run -0 cx-overlay save --cmd /bin/true out:two top.tar
	run -0 python3 -c 'import json; print("\n".join(m["annotations"]["org.opencontainers.image.ref.name"] + "=" + m["digest"] for m in json.load(open("out/index.json"))["manifests"]))'
	assert_line --index 0 --regexp "^one=sha256:"
	assert_line --index 1 --regexp "^two=sha256:"
	refute_output --partial "$before"
	run -0 blob_problems out
	assert_output ""
	# A name with a path: the name follows the last ':' after the last '/'.
	mkdir sub:dir
	run -0 cx-overlay save sub:dir/lay:1.0 top.tar
	assert_equal "$(python3 -c 'import json; print(json.load(open("sub:dir/lay/index.json"))["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"])')" 1.0
	run -0 cx-overlay save sub:dir/plain top.tar
	assert_equal "$(python3 -c 'import json; print(json.load(open("sub:dir/plain/index.json"))["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"])')" latest
}

@test "save: an index's other members and other images are kept as they were; an index that is not JSON or repeats a key is refused and left alone" {
	two_layers
	cd "$TMP"
	run -0 cx-overlay save out:one top.tar
	python3 - <<'PY'
import json
i = json.load(open("out/index.json"))
i["annotations"] = {"org.example.note": "caf\u00e9 \u2603", "n": 12, "f": 1.5, "t": True, "z": None}
i["manifests"].append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": "sha256:" + "ab" * 32, "size": 7,
                       "platform": {"architecture": "arm64", "os": "linux", "os.features": ["x"]},
                       "annotations": {"org.opencontainers.image.ref.name": "foreign"}})
json.dump(i, open("out/index.json", "w"))
PY
	run -0 cx-overlay save out:two base.tar.gz
	run -0 python3 - <<'PY'
import json
i = json.load(open("out/index.json"))
print(json.dumps(i["annotations"], sort_keys=True))
print(" ".join(m["annotations"]["org.opencontainers.image.ref.name"] for m in i["manifests"]))
print(json.dumps(i["manifests"][1], sort_keys=True))
PY
	assert_line --index 0 '{"f": 1.5, "n": 12, "org.example.note": "caf\u00e9 \u2603", "t": true, "z": null}'
	assert_line --index 1 "one foreign two"
	assert_line --index 2 '{"annotations": {"org.opencontainers.image.ref.name": "foreign"}, "digest": "sha256:abababababababababababababababababababababababababababababababab", "mediaType": "application/vnd.oci.image.manifest.v1+json", "platform": {"architecture": "arm64", "os": "linux", "os.features": ["x"]}, "size": 7}'
	# A broken index is refused, and nothing in the layout changes.
	local blobs
	blobs=$(ls -A out/blobs/sha256 | tr '\n' ' ')
	for bad in '{"manifests":[],"manifests":[]}' '{"manifests":[]' '[]' '{"manifests":{}}'; do
		printf '%s' "$bad" >out/index.json
		run -125 cx-overlay save out:three top.tar
		assert_output "cx-overlay: save out: index.json is no image index"
		assert_equal "$(cat out/index.json)" "$bad"
		assert_equal "$(ls -A out/blobs/sha256 | tr '\n' ' ')" "$blobs"
	done
}

@test "save refusals: a missing, FIFO, non-tar or empty source, a bad name, a directory that is no layout; nothing is left" {
	two_layers
	cd "$TMP"
	echo junk >junk.tar
	: >empty.tar
	mkfifo fifo
	mkdir full && echo x >full/x
	bzip2 -k top.tar
	run -0 cx-overlay save out:keep top.tar
	cp out/index.json index.before
	local blobs
	blobs=$(ls -A out/blobs/sha256 | tr '\n' ' ')
	for dest in out:new fresh:new; do
		run -125 cx-overlay save "$dest" base.tar.gz nowhere
		assert_output "cx-overlay: save nowhere: No such file or directory"
		run -125 timeout 10 cx-overlay save "$dest" base.tar.gz fifo
		assert_output "cx-overlay: save fifo: neither a directory nor a layer tarball"
		run -125 cx-overlay save "$dest" base.tar.gz junk.tar
		assert_output --regexp "^cx-overlay: save junk.tar: not a tar archive \(a layer is a tar, plain, gzip or zstd\): "
		run -125 cx-overlay save "$dest" empty.tar
		assert_output --regexp "^cx-overlay: save empty.tar: not a tar archive "
		# A layer is plain, gzip or zstd: no other decompressor.
		run -125 cx-overlay save "$dest" top.tar.bz2
		assert_output --regexp "^cx-overlay: save top.tar.bz2: not a tar archive "
		run -125 cx-overlay save "${dest%%:*}:bad name" top.tar
		assert_output "cx-overlay: save ${dest%%:*}: 'bad name' is no image name (letters, digits and -._:@/+ only)"
	done
	assert [ ! -e fresh ]
	assert_equal "$(ls -A out/blobs/sha256 | tr '\n' ' ')" "$blobs"
	cmp out/index.json index.before
	run -125 cx-overlay save full:x top.tar
	assert_output "cx-overlay: save full: a directory that holds files, and no OCI image layout (no oci-layout)"
	assert_equal "$(ls -A full)" x
	run -125 cx-overlay save junk.tar:x top.tar
	assert_output "cx-overlay: save junk.tar: Not a directory"
	run -125 cx-overlay save out:x
	assert_output --partial "save needs LAYOUT[:NAME] and at least one SOURCE"
	run -125 cx-overlay save -e NOVALUE out:x top.tar
	assert_output --partial "--env NOVALUE: NAME=VALUE expected"
	assert_equal "$(names_in .)" "base.tar.gz empty.tar fifo full index.before junk.tar out rootfs top.tar top.tar.bz2 "
}

# --- help and man page --------------------------------------------------

@test "every command's --help, and every option it lists is in the man page" {
	local verb opt page
	page=$(mandoc -Tascii "$BATS_TEST_DIRNAME/../man/cx-overlay.1" | col -b)
	for verb in mount umount diff unpack commit image save; do
		run -0 cx-overlay "$verb" --help
		assert_line --index 0 --regexp "^Usage: cx-overlay $verb "
		for opt in $(printf '%s\n' "$output" |
			sed -n 's/^ *\(-[A-Za-z0-9], \)\{0,1\}\(--[A-Za-z0-9][A-Za-z0-9-]*\).*/\2/p'); do
			grep -Eq -e "(^|[^A-Za-z0-9-])$opt([^A-Za-z0-9-]|\$)" <<<"$page" ||
				fail "cx-overlay $verb $opt is not in cx-overlay(1)"
		done
	done
	run -0 cx-overlay --help
	assert_line "  image   SOURCE DIR"
	run -0 cx-overlay --version
	assert_output --regexp '^cx-overlay [0-9]'
}
