#!/bin/bash
# make check-cgroup-v2: run bats files on a kernel that has cgroup v2 only.
#
# The host may be hybrid (v1 controllers, a cgroup2 without memory), so the
# v2 backend needs a guest: Debian's kernel under qemu (TCG: KVM is not
# relied on), booted with cgroup_no_v1=all.  The guest sees the host's root
# read-only over 9p with a tmpfs overlay on top, so the same bats, bash,
# libraries and the host-built tools run there at the same paths; a second,
# writable 9p share brings the TAP log and the exit status back.
#
# Usage: cgroup-v2-lane.sh BUILD KERNEL-CACHE BATS-FILE...
#   BUILD         the build folder with the tools (CX_BUILD) and rootfs/
#   KERNEL-CACHE  where the Debian kernel is kept between runs (any BUILD)
# Environment: CGROUP_V2_TAG (the lane's name, cgroup-v2: its summary line
# and its folder in BUILD, so that two lanes can run side by side),
# CGROUP_V2_TIMEOUT (seconds, 5400), CGROUP_V2_MEM (MiB, 1024),
# CGROUP_V2_SMP (2), CGROUP_V2_CPU (qemu's -cpu, max), CGROUP_V2_BATS_FLAGS
# (more bats options: --timing, --filter REGEX), CX_ROUNDS (how many times
# the containment races run, 5).
set -u
tag=${CGROUP_V2_TAG:-cgroup-v2}
case $tag in
'' | *[!a-z0-9-]*) echo "cgroup-v2: CGROUP_V2_TAG must be [a-z0-9-]+: $tag" >&2; exit 2 ;;
esac
build=${1:?usage: cgroup-v2-lane.sh BUILD KERNEL-CACHE BATS-FILE...}
cache=${2:?usage: cgroup-v2-lane.sh BUILD KERNEL-CACHE BATS-FILE...}
shift 2
[ $# -gt 0 ] || { echo "$tag: no bats file given" >&2; exit 2; }
timeout=${CGROUP_V2_TIMEOUT:-5400}
# Every bats file takes the guest 30 to 50 minutes (each exec costs about
# 30 times as much under TCG, more while the host's suites run beside
# it): the timeout is for a hung guest, not a slow one.
mem=${CGROUP_V2_MEM:-1024}
smp=${CGROUP_V2_SMP:-2}
repo=$PWD
out=$build/$tag
share=$out/share
start=$(date +%s.%N)

# The modules the initramfs loads, in dependency order: the virtio PCI
# transport, 9p over it, overlayfs, and a virtio disk with ext4 for /tmp.
MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay virtio_blk crc16
mbcache jbd2 crc32c_generic ext4"

# Print the closing line and leave: failures counted by the caller.
finish() {
	echo "$tag: $1 passed, $2 failed, $3 skipped"
	[ "$2" -eq 0 ] && exit 0
	exit 1
}

# The lane could not run at all: say why, count it as one failure.
broken() {
	echo "$tag: $*" >&2
	finish 0 1 0
}

case $build in /*) ;; *) build=$repo/$build out=$build/$tag share=$out/share ;; esac
case $cache in /*) ;; *) cache=$repo/$cache ;; esac
for f in "$@"; do
	[ -f "$f" ] || broken "no bats file $f"
done
ls "$build"/cx-* >/dev/null 2>&1 || broken "no tools in $build (make BUILD=... all rootfs)"
[ -d "$build/rootfs" ] || broken "no rootfs in $build (make BUILD=... rootfs)"
command -v qemu-system-x86_64 >/dev/null || broken "qemu-system-x86_64 missing (make deps)"
[ -x /bin/busybox ] && file -L /bin/busybox | grep -q static ||
	broken "/bin/busybox is missing or not static (make deps)"

# Debian's kernel package, unpacked, not installed: the kernel image and the
# few modules the initramfs needs, decompressed (busybox insmod takes plain
# .ko files only).  Kept in the cache until the cache is removed.
# The cache has the kernel and every module of MODULES (or knows it is
# built in).
have_kernel() {
	local m
	[ -s "$cache/vmlinuz" ] && [ -s "$cache/package" ] || return 1
	for m in $MODULES; do
		[ -f "$cache/modules/$m.ko" ] ||
			grep -qx "$m" "$cache/builtin" 2>/dev/null || return 1
	done
}

fetch_kernel() {
	local pkg tmp m f ver
	have_kernel && return 0
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	      awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	if [ -z "$pkg" ]; then
		apt-get update -qq || return 1
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		      awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	fi
	[ -n "$pkg" ] || { echo "$tag: no linux-image-*-amd64 in the package lists" >&2; return 1; }
	echo "$tag: fetching $pkg into $cache"
	tmp=$cache/tmp.$$
	rm -rf "$tmp" && mkdir -p "$tmp/x" || return 1
	# Root downloading into a folder _apt cannot enter: no sandbox user.
	(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "$pkg") ||
		(apt-get update -qq && cd "$tmp" &&
		 apt-get download -qq -o APT::Sandbox::User=root "$pkg") || { rm -rf "$tmp"; return 1; }
	dpkg-deb -x "$tmp"/*.deb "$tmp/x" || { rm -rf "$tmp"; return 1; }
	ver=$(ls "$tmp/x/lib/modules" | head -n 1)
	rm -rf "$cache/modules" "$cache/builtin" && mkdir -p "$cache/modules" &&
		: >"$cache/builtin"
	for m in $MODULES; do
		f=$(find "$tmp/x/lib/modules/$ver/kernel" -name "$m.ko*" | head -n 1)
		case $f in
		*.ko) cp "$f" "$cache/modules/$m.ko" ;;
		*.ko.xz) xz -dc "$f" >"$cache/modules/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$cache/modules/$m.ko" ;;
		*.ko.gz) gzip -dc "$f" >"$cache/modules/$m.ko" ;;
		'') # Built into this kernel: nothing to load.
		    grep -q "/$m\.ko" "$tmp/x/lib/modules/$ver/modules.builtin" &&
			echo "$m" >>"$cache/builtin" ||
			{ echo "$tag: $pkg has no module $m" >&2; rm -rf "$tmp"; return 1; } ;;
		esac || { rm -rf "$tmp"; return 1; }
	done
	cp "$tmp/x/boot/vmlinuz-$ver" "$cache/vmlinuz" &&
		echo "$(dpkg-deb -f "$tmp"/*.deb Package) $(dpkg-deb -f "$tmp"/*.deb Version)" >"$cache/package" &&
		rm -rf "$tmp"
}

# The guest's first stage, in the initramfs: load the modules, build the
# root (host / read-only, tmpfs on top), move it over / and run the job in
# it.  Moving the root (as switch_root does) rather than chrooting into a
# subfolder matters: the kernel refuses new user namespaces to a chrooted
# process, and the job must look like an ordinary host.
write_init() {
	cat <<'INIT'
#!/bin/busybox sh
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
halt() {
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
}
die() { echo "cx-lane-init: $*"; halt; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# A few passes: a module whose dependency is not in yet fails and is
# retried once the rest are in.
todo=$(cat /modules.list)
for pass in 1 2 3; do
	left=
	for m in $todo; do
		[ -f "/lib/modules/$m.ko" ] || continue
		insmod "/lib/modules/$m.ko" 2>/dev/null || left="$left $m"
	done
	todo=$left
	[ -z "$todo" ] && break
done
[ -z "$todo" ] || { for m in $todo; do insmod "/lib/modules/$m.ko"; done; die "modules not loaded:$todo"; }
mkdir -p /host /rw /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose host /host ||
	die "mount the host's root over 9p"
mount -t tmpfs -o mode=755 rw /rw && mkdir /rw/upper /rw/work
mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
	die "mount the overlay on the host's root"
cd /newroot
mount -t proc proc proc
mount -t sysfs sysfs sys
mount -t devtmpfs devtmpfs dev
mkdir -p dev/pts dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts dev/pts
# What udev would add: bash's process substitution needs /dev/fd.
ln -sf /proc/self/fd dev/fd
ln -sf /proc/self/fd/0 dev/stdin
ln -sf /proc/self/fd/1 dev/stdout
ln -sf /proc/self/fd/2 dev/stderr
ln -sf pts/ptmx dev/ptmx
mount -t tmpfs -o mode=1777 tmpfs dev/shm
# /tmp on ext4, as on a Debian 12 host (its root file system): on the
# overlay it would be a place no overlay takes as its upper layer, and
# 6.1's tmpfs has no user.* xattrs.  The repository and the build (CI
# clones anywhere, /tmp too) stay where they are, as binds of the
# overlay's copies (/keep.list).
mkdir -p /rw/tmp
mount --bind tmp /rw/tmp || die "bind the overlay's /tmp"
mount -t ext4 /dev/vda tmp && chmod 1777 tmp || die "mount the ext4 disk on /tmp"
while read -r keep; do
	mkdir -p ".$keep" && mount --bind "/rw/tmp/${keep#/tmp/}" ".$keep" ||
		die "bind $keep back into /tmp"
done </keep.list
umount /rw/tmp
mount -t tmpfs -o mode=755 tmpfs run
mount -t cgroup2 -o nsdelegate cgroup2 sys/fs/cgroup || die "mount cgroup2"
mkdir -p run/cx-lane
mount -t 9p -o trans=virtio,version=9p2000.L out run/cx-lane || die "mount the result share"
mount --move . / || die "move the new root over /"
# The job's root is the new / itself, not a subfolder (see above).  This
# shell keeps its own root, the initramfs, for halt.
chroot . /bin/bash /run/cx-lane/job.sh
echo "cx-lane-init: job exited $?"
halt
INIT
}

# The guest's second stage, on the new root: set up what a host has, run
# bats, write the log and the status to the share.  Paths are the host's.
write_job() {
	local f q flags
	q=
	read -ra flags <<<"${CGROUP_V2_BATS_FLAGS:-}"
	for f in "${flags[@]}" "$@"; do
		q="$q $(printf '%q' "$f")"
	done
	cat <<JOB
#!/bin/bash
set -u
r=/run/cx-lane
# The guest's clock at each step, for the closing figures.
mark() { echo "\$1 \$(cut -d' ' -f1 /proc/uptime)" >>\$r/times; }
mark booted
# A set-up step failed: one failure in the log, and a status.
fail() {
	echo "not ok - the lane's guest could not \$*" >>\$r/tap
	echo 125 >\$r/status
	exit 125
}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
export CX_BUILD=$(printf '%q' "$build") CX_ROOTFS=$(printf '%q' "$build/rootfs")
export CX_CGROUP_V2_LANE=1
# Races are run fewer times than on a host (bats/containment.bats).
export CX_ROUNDS=$(printf '%q' "${CX_ROUNDS:-5}")
# As make bats: the sanitizers' settings for a SANITIZE=1 build.
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1
# Propagation stays the kernel's default (private), as on a host without
# systemd; the loopback is up, as on any host.
ip link set lo up 2>/dev/null
# Every controller the kernel has, enabled for the root's children.
for c in \$(cat /sys/fs/cgroup/cgroup.controllers); do
	echo "+\$c" >/sys/fs/cgroup/cgroup.subtree_control ||
		echo "cx-lane: cannot enable the \$c controller" >&2
done
# Each test copies the rootfs: copy it up into the overlay's tmpfs once,
# at the same path, rather than read it over 9p every time.
cp -a "\$CX_ROOTFS" "\$CX_ROOTFS.lane" && rm -rf "\$CX_ROOTFS" &&
	mv "\$CX_ROOTFS.lane" "\$CX_ROOTFS" || fail "copy \$CX_ROOTFS"
cd $(printf '%q' "$repo") || fail "enter $(printf '%q' "$repo")"
cgroups() { find /sys/fs/cgroup -mindepth 1 -type d | sort; }
mounts() { cut -d' ' -f4- /proc/self/mountinfo | sort; }
cgroups >/tmp/cgroups.before
mounts >/tmp/mounts.before
mark ready
bats --tap$q >>\$r/tap 2>&1
status=\$?
mark tested
cgroups >/tmp/cgroups.after
mounts >/tmp/mounts.after
{
	if diff -u /tmp/cgroups.before /tmp/cgroups.after; then
		echo "ok - the guest's cgroup tree is as before the run"
	else
		echo "not ok - the guest's cgroup tree changed during the run"
	fi
	if diff -u /tmp/mounts.before /tmp/mounts.after; then
		echo "ok - the guest's mount table is as before the run"
	else
		echo "not ok - the guest's mount table changed during the run"
	fi
} >>\$r/tap 2>&1
mark checked
echo \$status >\$r/status
sync
JOB
}

build_initramfs() {
	local dir=$out/initramfs m
	rm -rf "$dir" && mkdir -p "$dir/bin" "$dir/lib/modules" "$dir/dev" \
		"$dir/proc" "$dir/sys" || return 1
	cp /bin/busybox "$dir/bin/busybox" || return 1
	mknod "$dir/dev/console" c 5 1 || return 1
	: >"$dir/modules.list"
	for m in $MODULES; do
		[ -f "$cache/modules/$m.ko" ] || continue
		cp "$cache/modules/$m.ko" "$dir/lib/modules/" || return 1
		echo "$m" >>"$dir/modules.list"
	done
	write_init >"$dir/init" && chmod 755 "$dir/init" || return 1
	# What the job needs from the host's /tmp: the repository, and the
	# build when it is not inside it.
	: >"$dir/keep.list"
	case $repo/ in /tmp/?*) echo "$repo" >>"$dir/keep.list" ;; esac
	case $build/ in
	"$repo"/*) ;;
	/tmp/?*) echo "$build" >>"$dir/keep.list" ;;
	esac
	(cd "$dir" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$out/initramfs.gz"
}

mkdir -p "$cache" "$out" || broken "cannot make $cache or $out"
# One fetch at a time when two lanes share the cache.
(flock 9 && fetch_kernel) 9>"$cache/.lock" || broken "cannot fetch Debian's kernel"
build_initramfs || broken "cannot build the initramfs in $out"
rm -rf "$share" && mkdir -p "$share" || broken "cannot make $share"
# The guest's /tmp: a fresh, sparse ext4 image, removed after the run.
disk=$out/tmp.ext4
rm -f "$disk" && truncate -s 8G "$disk" && mkfs.ext4 -q -F "$disk" ||
	broken "cannot make the ext4 image $disk (e2fsprogs: make deps)"
write_job "$@" >"$share/job.sh"
: >"$share/tap"
echo "$tag: booting $(cat "$cache/package") with cgroup_no_v1=all (TCG, ${mem}M, $smp CPUs)"

# TCG, not KVM: KVM is not to be relied on here (it hangs on some hosts).
# -no-reboot with panic=-1: a guest that panics stops qemu at once.
timeout -k 10 "$timeout" qemu-system-x86_64 \
	-accel tcg -cpu "${CGROUP_V2_CPU:-max}" -smp "$smp" -m "$mem" \
	-nodefaults -no-user-config -display none -no-reboot \
	-serial "file:$out/console.log" \
	-kernel "$cache/vmlinuz" -initrd "$out/initramfs.gz" \
	-append "console=ttyS0 cgroup_no_v1=all panic=-1 quiet loglevel=4 mitigations=off clocksource=tsc tsc=reliable" \
	-virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$share,mount_tag=out,security_model=none" \
	-drive "file=$disk,if=virtio,format=raw,cache=unsafe" </dev/null &
qemu=$!
# The TAP log as the guest writes it.
tail -n +1 -f --pid=$qemu "$share/tap" &
tailer=$!
trap 'kill $qemu $tailer 2>/dev/null; rm -f "$disk"; exit 130' INT TERM
wait $qemu
qstatus=$?
wait $tailer
rm -f "$disk"
end=$(date +%s.%N)
lane=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
# The guest's figures: booted, set up, bats done, checks done.
at() { awk -v k="$1" '$1 == k { print $2 }' "$share/times" 2>/dev/null; }
figures() {
	awk -v b="$(at booted)" -v r="$(at ready)" -v t="$(at tested)" \
	    -v c="$(at checked)" -v l="$lane" 'BEGIN {
		s = "guest booted in " (b == "" ? "?" : sprintf("%.1fs", b))
		if (r != "") s = s sprintf(", set up in %.1fs", r - b)
		if (t != "") s = s sprintf(", bats %.0fs", t - r)
		if (c != "") s = s sprintf(", checks %.1fs", c - t)
		print s "; lane " l "s" }'
}

if [ ! -s "$share/status" ]; then
	[ $qstatus -eq 124 ] && echo "$tag: the guest did not finish in ${timeout}s" >&2
	echo "$tag: the guest never reported (qemu exited $qstatus); the end of its console ($out/console.log):" >&2
	tail -n 40 "$out/console.log" >&2
	echo "$tag: $(figures)"
	pass=$(grep -c '^ok ' "$share/tap")
	skip=$(grep -c '^ok .* # skip' "$share/tap")
	fail=$(grep -c '^not ok ' "$share/tap")
	finish $((pass - skip)) $((fail + 1)) "$skip"
fi
pass=$(grep -c '^ok ' "$share/tap")
skip=$(grep -c '^ok .* # skip' "$share/tap")
fail=$(grep -c '^not ok ' "$share/tap")
bstatus=$(cat "$share/status")
if [ "$bstatus" -ne 0 ] && [ "$fail" -eq 0 ]; then
	echo "not ok - bats exited $bstatus in the guest"
	fail=1
fi
echo "$tag: $(figures)"
finish $((pass - skip)) "$fail" "$skip"
