#!/bin/sh
# make bench: the wall time of one container job (the one bench/floor.c
# makes: namespaces, a cgroup, an overlay, binds, proc, /dev, pivot_root,
# Docker's capabilities, /bin/true) done several ways, each timed against
# the floor in one interleaved run, in two regimes: back to back, and
# after 100 ms of idle before each start.  Then the price of one link of
# a chain linked four ways, each tool's own start-up as built, without
# PIE and against glibc, and each binary's size and peak RSS.
# A benchmark, not a test: it fails only when it cannot measure.
#
# Usage: run.sh BUILD
#   BUILD holds the tools, rootfs/ and bench/ (timeit, link, link-nopie,
#   link-glibc, floor, oci-run, and bare where it builds): make bench
#   builds them first.
# Environment:
#   BENCH_PAIRS  pairs per variant and regime (30)
#   BENCH_LINKS  links in the chain of links (5)
#   BENCH_CHAIN  the script to time as the cx chain, called as
#                examples/container.sh is (the default)
#   BENCH_NOPIE  the tools built with PIE=0, BENCH_GLIBC with LIBC=glibc
#                (folders; a column is left out where one is not given)
# The figures go to the terminal and to BUILD/bench-results.txt.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
build=$(cd "${1:?usage: run.sh BUILD}" && pwd)
bin=$build/bench
rootfs=$build/rootfs
pairs=${BENCH_PAIRS:-30}
links=${BENCH_LINKS:-5}
out=$build/bench-results.txt
SH=/bin/sh

nopie=${BENCH_NOPIE:-}
glibc=${BENCH_GLIBC:-}
for f in timeit link link-nopie link-glibc floor oci-run; do
	[ -x "$bin/$f" ] || { echo "bench: $bin/$f missing (make bench builds it)" >&2; exit 1; }
done
[ -x "$rootfs/bin/busybox" ] || { echo "bench: no rootfs in $rootfs (make rootfs)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }

# Our own cgroup in a v1 hierarchy: every variant's cgroup goes below it.
own_cgroup() {
	p=$(sed -n "s/^[0-9]*:\([^:]*,\)\{0,1\}$1\(,[^:]*\)\{0,1\}:\(.*\)/\3/p" /proc/self/cgroup)
	[ -n "$p" ] || return 1
	[ "$p" = / ] && p=
	echo "/sys/fs/cgroup/$1$p"
}
cgmem=$(own_cgroup memory) && [ -e "$cgmem/tasks" ] &&
cgpids=$(own_cgroup pids) && [ -e "$cgpids/tasks" ] || {
	echo "bench: needs the cgroup v1 memory and pids hierarchies (a v1 or hybrid host)" >&2
	exit 1
}

# The cx bases (the tools' default parent cgroup) there before the run:
# those the run makes, the cleanup takes back when they are empty.
cx_bases() { find /sys/fs/cgroup -maxdepth 2 -type d -name cx 2>/dev/null; }
bases_before=$(cx_bases)
# The peers' default state directories (runc, crun, cx-oci run without
# --root make them): those the run makes go again, when empty.
oci_roots="/run/runc /run/crun /run/cx-oci"
roots_before=""
for d in $oci_roots; do [ -e "$d" ] && roots_before="$roots_before $d"; done
tmp=$(mktemp -d /tmp/cx-bench.XXXXXX)
cleanup() {
	for d in $oci_roots; do
		case " $roots_before " in *" $d "*) ;; *) rmdir "$d" 2>/dev/null || : ;; esac
	done
	rm -f "$rootfs/bench-link"
	# The cgroup of a run without --rm (what each process costs), when
	# a failure came between its run and its rm.
	"$build/cx-cgroup" rm "cx-bench-$$" >/dev/null 2>&1 || :
	# shellcheck disable=SC2046,SC2086 # one word per line, and back
	for d in $(cx_bases); do
		case " $(echo $bases_before) " in *" $d "*) ;; *) rmdir "$d" 2>/dev/null || : ;; esac
	done
	# Every variant mounts in namespaces of its own: nothing of ours is
	# mounted here, so a plain rm is safe.
	if grep -q " $tmp[/ ]" /proc/self/mountinfo; then
		echo "bench: something is mounted below $tmp; left in place" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
host=$tmp/host
mkdir "$host"
echo "a host file, bound read-only" > "$host/file"
data=$tmp/data
: > "$data"

# ---- the variants ------------------------------------------------------

# The cx chain: examples/container.sh, or the script in BENCH_CHAIN
# (which takes the same arguments).
chain=${BENCH_CHAIN:-$top/examples/container.sh}
chain_label="cx chain ($(basename "$chain"))"
chain_why=""
[ -f "$chain" ] || chain_why="$chain does not exist"
run_chain() {
	"$bin/timeit" $idle $SH "$chain" --build "$build" --rootfs "$rootfs" \
		--share "$host" /bin/true
}

# The headline: the chain of examples/container.sh (keep the two alike)
# as one command line, exec'd by the timer as crun is, with no shell
# around it.  Printed once, so that anyone can run it again.
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
	cgdir=/sys/fs/cgroup/cx/cx-bench-$$
else
	cgdir=/sys/fs/cgroup/memory/cx/cx-bench-$$
fi
caps_list=chown,dac_override,fsetid,fowner,mknod,net_raw,setgid,setuid
caps_list=$caps_list,setfcap,setpcap,net_bind_service,sys_chroot,kill,audit_write
# The seven links, one per variable (split into words when run).
L1="$build/cx-cgroup run --rm --controllers memory,pids --memory 100M --memory-swap 0 --pids 64 cx-bench-$$"
L2="$build/cx-unshare --pid --mount --uts --ipc --net --cgroup --init --hostname cx-container"
L3="$build/cx-overlay mount --lower $rootfs --tmpfs $rootfs"
L4="$build/cx-bind --mkdir --root $rootfs -b $host:/mnt/share:ro -b $cgdir:/sys/fs/cgroup:ro
  -b /dev/null:/dev/null:dev -b /dev/zero:/dev/zero:dev -b /dev/full:/dev/full:dev
  -b /dev/random:/dev/random:dev -b /dev/urandom:/dev/urandom:dev -b /dev/tty:/dev/tty:dev"
L5="$build/cx-chroot --pivot $rootfs"
L6="$build/cx-unshare --mount-proc --mount-devpts"
L7="$build/cx-caps --keep $caps_list --no-new-privs"
direct_cmd="$L1
 $L2
 $L3
 $L4
 $L5
 $L6
 $L7 /bin/true"
# shellcheck disable=SC2086 # the command line is split on purpose
run_direct() { "$bin/timeit" $idle $direct_cmd; }

run_floor() { "$bin/timeit" $idle "$bin/floor" "$rootfs" "$host" /bin/true; }
run_floor_noinit() { "$bin/timeit" $idle "$bin/floor" -I "$rootfs" "$host" /bin/true; }
run_floor_nocg() { "$bin/timeit" $idle "$bin/floor" -C "$rootfs" "$host" /bin/true; }
run_floor_procs() { "$bin/timeit" $idle "$bin/floor" -P "$rootfs" "$host" /bin/true; }
# The floor's work behind seven links that only exec (bench/link, as the
# tools are linked): what any chain of seven programs costs at the least,
# the tools' own start-up and every step beyond the floor's left out.
seven="$bin/link $bin/link $bin/link $bin/link $bin/link $bin/link $bin/link"
# shellcheck disable=SC2086
run_floor_links() { "$bin/timeit" $idle $seven "$bin/floor" "$rootfs" "$host" /bin/true; }
run_ul() {
	"$bin/timeit" $idle $SH "$here/util-linux.sh" "$rootfs" "$host" \
		"$cgmem" "$cgpids" /bin/true
}
run_crun() { "$bin/timeit" $idle "$bin/oci-run" "$rootfs" "$tmp/oci" crun run --bundle "$tmp/oci" "cx-bench-$$"; }
run_runc() { "$bin/timeit" $idle "$bin/oci-run" "$rootfs" "$tmp/oci" runc run --bundle "$tmp/oci" "cx-bench-$$"; }
# cx-oci on the same bundle, the same way (issue 16: faster than crun).
run_cxoci() { "$bin/timeit" $idle "$bin/oci-run" "$rootfs" "$tmp/oci" "$build/cx-oci" --root "$tmp/cx-oci" run --bundle "$tmp/oci" "cx-bench-$$"; }

ul_why=""
for t in unshare mount capsh chroot hostname; do
	command -v "$t" >/dev/null 2>&1 || ul_why="$t is not installed"
done
crun_why="" runc_why=""
command -v crun >/dev/null 2>&1 || crun_why="crun is not installed"
command -v runc >/dev/null 2>&1 || runc_why="runc is not installed"

# The OCI bundle: the same namespaces, limits, mounts and capabilities,
# written as Docker writes them: /dev is a tmpfs in which the runtime
# makes the same six devices itself, Docker's device rules (deny all,
# allow mknod and the usual devices), and the cgroup is a "cgroup" mount
# (the runtime binds the container's cgroups there, read-only).  No
# init: a runtime runs the one process it is given.  bench/oci-run
# mounts the overlay on rootfs/ around each run.
mkdir "$tmp/oci" "$tmp/oci/rootfs"
caps='"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"'
cat > "$tmp/oci/config.json" <<EOF
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": [ "/bin/true" ],
		"env": [ "PATH=/usr/sbin:/usr/bin:/sbin:/bin" ],
		"cwd": "/",
		"capabilities": {
			"bounding": [ $caps ],
			"effective": [ $caps ],
			"permitted": [ $caps ],
			"inheritable": [],
			"ambient": []
		},
		"noNewPrivileges": true
	},
	"root": { "path": "rootfs" },
	"hostname": "cx",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc",
		  "options": [ "nosuid", "noexec", "nodev" ] },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		  "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
		{ "destination": "/dev/pts", "type": "devpts", "source": "devpts",
		  "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620" ] },
		{ "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
		  "options": [ "ro", "nosuid", "noexec", "nodev" ] },
		{ "destination": "/mnt/share", "type": "bind", "source": "$host",
		  "options": [ "rbind", "ro", "nosuid", "nodev" ] }
	],
	"linux": {
		"namespaces": [
			{ "type": "pid" }, { "type": "mount" }, { "type": "uts" },
			{ "type": "ipc" }, { "type": "network" }, { "type": "cgroup" }
		],
		"resources": {
			"memory": { "limit": 104857600, "swap": 104857600 },
			"pids": { "limit": 64 },
			"devices": [
				{ "allow": false, "access": "rwm" },
				{ "allow": true, "type": "c", "access": "m" },
				{ "allow": true, "type": "b", "access": "m" },
				{ "allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm" },
				{ "allow": true, "type": "c", "major": 1, "minor": 5, "access": "rwm" },
				{ "allow": true, "type": "c", "major": 1, "minor": 7, "access": "rwm" },
				{ "allow": true, "type": "c", "major": 1, "minor": 8, "access": "rwm" },
				{ "allow": true, "type": "c", "major": 1, "minor": 9, "access": "rwm" },
				{ "allow": true, "type": "c", "major": 5, "minor": 0, "access": "rwm" },
				{ "allow": true, "type": "c", "major": 5, "minor": 1, "access": "rwm" },
				{ "allow": true, "type": "c", "major": 5, "minor": 2, "access": "rwm" },
				{ "allow": true, "type": "c", "major": 136, "access": "rwm" },
				{ "allow": true, "type": "c", "major": 10, "minor": 200, "access": "rwm" }
			]
		},
		"cgroupsPath": "cx-bench-oci-$$"
	}
}
EOF

# ---- helpers -----------------------------------------------------------

# Which C library a static program holds, from its strings.
libc_of() {
	if grep -q 'GLIBC' "$1" 2>/dev/null; then echo glibc; else echo musl; fi
}

ms() { awk -v ns="$1" 'BEGIN { printf "%.2f", ns / 1e6 }'; }

# A variant is timed only after one run that works.
VARIANTS=""
LABELS=""
add_variant() { # NAME LABEL WHY
	if [ -n "$3" ]; then
		echo "  skipped: $2: $3"
		return
	fi
	idle=""
	if ! err=$("run_$1" 2>&1 >/dev/null); then
		echo "  skipped: $2: its first run failed: $(echo "$err" | tail -n 3 | tr '\n' ' ')"
		return
	fi
	VARIANTS="$VARIANTS $1"
	LABELS="$LABELS$1=$2
"
}
label() { echo "$LABELS" | sed -n "s/^$1=//p"; }

# One interleaved run: for each round, each variant against the floor,
# the floor first in odd rounds and second in even ones, so that neither
# always follows the other.
measure() { # REGIME IDLE-FLAG
	regime=$1 idle=$2
	i=1
	while [ "$i" -le "$pairs" ]; do
		for v in $VARIANTS; do
			if [ $((i % 2)) = 1 ]; then
				f=$(run_floor) && x=$("run_$v")
			else
				x=$("run_$v") && f=$(run_floor)
			fi || { echo "bench: a run of $v failed in round $i" >&2; exit 1; }
			# REGIME ROUND VARIANT, then NS RSS FAULTS CPU of the
			# variant ($4-$7) and of its floor ($8-$11).
			echo "$regime $i $v $x $f" >> "$data"
		done
		i=$((i + 1))
	done
}

# The median of the numbers in the string S (-1 for none), for awk.
MEDIAN='
function median(s,    a, n, i, j, t) {
	n = split(s, a, " ")
	if (n == 0) return -1
	for (i = 2; i <= n; i++) {
		t = a[i] + 0
		for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
'

# Medians and median ratios of one regime, as a table.
report() { # REGIME TITLE
	echo
	echo "== $2: $pairs pairs per variant, medians in ms"
	printf '%-44s %8s %9s %7s %7s %7s %7s %7s\n' variant "median" "its floor" "/floor" "crun/it" "cpu ms" "rss KB" faults
	awk -v regime="$1" -v labels="$LABELS" -v order="floor $VARIANTS" "$MEDIAN"'
	BEGIN {
		n = split(labels, l, "\n")
		for (i = 1; i <= n; i++) {
			k = index(l[i], "=")
			if (k) label[substr(l[i], 1, k - 1)] = substr(l[i], k + 1)
		}
		label["floor"] = "floor (bench/floor.c)"
	}
	$1 == regime {
		r = $2; v = $3
		x[v, r] = $4
		xs[v] = xs[v] " " $4; fs[v] = fs[v] " " $8
		rs[v] = rs[v] " " $5; pf[v] = pf[v] " " $6; cpu[v] = cpu[v] " " $7
		ratio[v] = ratio[v] " " $4 / $8
		allf = allf " " $8; allfr = allfr " " $9; allfp = allfp " " $10
		allfc = allfc " " $11
		if (r > rounds) rounds = r
	}
	END {
		nv = split(order, vs, " ")
		for (i = 1; i <= nv; i++) {
			v = vs[i]
			if (v == "floor") {
				med = median(allf); mf = "-"; rf = "1.00"
				cr = ("crun", 1) in x ? median(ratio["crun"]) : -1
				rss = median(allfr); flt = median(allfp)
				c = sprintf("%.2f", median(allfc) / 1e6)
			} else {
				med = median(xs[v]); mf = sprintf("%.2f", median(fs[v]) / 1e6)
				rf = sprintf("%.2f", median(ratio[v]))
				s = ""
				for (r = 1; r <= rounds; r++)
					if ((v, r) in x && ("crun", r) in x)
						s = s " " x["crun", r] / x[v, r]
				cr = s == "" ? -1 : median(s)
				rss = median(rs[v]); flt = median(pf[v])
				c = sprintf("%.2f", median(cpu[v]) / 1e6)
			}
			printf "%-44s %8.2f %9s %7s %7s %7s %7s %7s\n", label[v], med / 1e6, mf, rf,
				cr < 0 ? "-" : sprintf("%.2f", cr), c, rss, flt
		}
	}' "$data"
}

# The goals of issue 12, as ratios from the same run, for the headline:
# the chain as one command line, exec'd by the timer as crun is.  The
# chain through examples/container.sh follows, with no goal.
goals() { # REGIME
	awk -v regime="$1" "$MEDIAN"'
	function against(v, c,    s, r) {
		s = ""
		for (r = 1; r <= rounds; r++)
			if ((v, r) in x && (c, r) in x)
				s = s " " x[v, r] / x[c, r]
		return s == "" ? -1 : median(s)
	}
	function line(what, val, goal, atmost) {
		if (val < 0) { printf "  %-34s %6s\n", what, "-"; return }
		if (goal < 0) { printf "  %-34s %6.2f\n", what, val; return }
		ok = atmost ? val <= goal : val >= goal
		printf "  %-34s %6.2f  goal %s %.1f  %s\n", what, val,
			atmost ? "<=" : ">=", goal, ok ? "met" : "MISSED"
	}
	$1 == regime {
		x[$3, $2] = $4
		if ($3 == "chain") cr = cr " " $4 / $8
		if ($3 == "direct") dr = dr " " $4 / $8
		if ($3 == "floor_links") lr = lr " " $4 / $8
		if ($2 > rounds) rounds = $2
	}
	END {
		if (!(("direct", 1) in x)) { print "  (no cx chain in this run: no goals to check)"; exit }
		line("cx chain / floor", median(dr), 1.5, 1)
		line("crun / cx chain", against("crun", "direct"), 2, 0)
		line("runc / cx chain", against("runc", "direct"), 4.5, 0)
		line("util-linux way / cx chain", against("ul", "direct"), 6, 0)
		line("crun / cx-oci run", against("crun", "cxoci"), 1, 0)
		# The first goal against its bound: seven links that only
		# exec, on top of the floor, and the chain against them.
		if (lr != "") {
			line("floor behind 7 links / floor", median(lr), -1, 1)
			line("cx chain / floor behind 7 links", against("direct", "floor_links"), -1, 1)
		}
		if (!(("chain", 1) in x)) exit
		line("through container.sh / floor", median(cr), -1, 1)
		line("crun / through container.sh", against("crun", "chain"), -1, 0)
	}' "$data"
}

# A against B, interleaved: prints the medians of A, of B and of A-B in
# ms, then the median minor faults of A and of B.
versus() { # N -- A... -- B...
	n=$1
	shift 2
	a="" b=""
	while [ "$1" != -- ]; do a="$a '$1'"; shift; done
	shift
	for w in "$@"; do b="$b '$w'"; done
	: > "$tmp/vs"
	i=1
	while [ "$i" -le "$n" ]; do
		ta=$(eval "\"$bin/timeit\" $a") && tb=$(eval "\"$bin/timeit\" $b") ||
			return 1
		set -- $ta $tb
		echo "$1 $5 $3 $7" >> "$tmp/vs"
		i=$((i + 1))
	done
	awk "$MEDIAN"'
	{ a = a " " $1; b = b " " $2; d = d " " ($1 - $2); fa = fa " " $3; fb = fb " " $4 }
	END { printf "%.3f %.3f %.3f %d %d\n", median(a) / 1e6, median(b) / 1e6, median(d) / 1e6, median(fa), median(fb) }' "$tmp/vs"
}

# ---- the run -----------------------------------------------------------

main() {
	echo "make bench: $(date -u '+%Y-%m-%d %H:%M UTC'), cx $(git -C "$top" describe --always --dirty 2>/dev/null || echo '?')"
	echo "machine: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), $(nproc) CPUs, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "peers: $(crun --version 2>/dev/null | head -n 1), $(runc --version 2>/dev/null | head -n 1), $(unshare --version), capsh $(dpkg-query -W -f '${Version}' libcap2-bin 2>/dev/null)"
	echo "cgroups below: $cgmem, $cgpids"
	echo "the cx chain, as timed (the sh -c of examples/container.sh takes it as its line):"
	echo "$direct_cmd" | sed 's/^/  /; $!s/$/ \\/'
	echo
	echo "variants:"
	add_variant floor_noinit "floor without the init (-I)" ""
	add_variant floor_nocg "floor without the cgroup (-C)" ""
	add_variant floor_procs "floor joining by cgroup.procs (-P)" ""
	add_variant floor_links "floor behind 7 links (bench/link)" ""
	add_variant direct "cx chain (one command line, no shell)" ""
	add_variant chain "$chain_label" "$chain_why"
	add_variant ul "util-linux way (bench/util-linux.sh)" "$ul_why"
	add_variant crun "crun run (bench/oci-run + config.json)" "$crun_why"
	add_variant runc "runc run (bench/oci-run + config.json)" "$runc_why"
	add_variant cxoci "cx-oci run (bench/oci-run + config.json)" ""

	measure b2b ""
	measure idle "-i 100"
	report b2b "back to back"
	goals b2b
	report idle "after 100 ms idle before each start"
	goals idle

	echo
	echo "== where the time goes: the chain cut after each link, then true ($pairs rounds, back to back, ms)"
	echo "   +link splits in two: a link that only execs (bench/link) in that place instead of the"
	echo "   tool, and what the tool adds to it (its start-up and its work)"
	# The rootfs's true (busybox, static) before the pivot as after it,
	# so that each step adds one link and nothing else.  The stand-in
	# link goes into the rootfs for the links after the pivot (a name no
	# cx tool takes for one of its own), and out again at the end.
	cp "$bin/link" "$rootfs/bench-link"
	: > "$tmp/cuts"
	i=1
	while [ "$i" -le "$pairs" ]; do
		for k in 0 1 2 3 4 5 6 7; do
			cmd="" j=1
			while [ "$j" -le "$k" ]; do
				eval "cmd=\"\$cmd \$L$j\""
				[ "$j" = $((k - 1)) ] && prev="$cmd"
				j=$((j + 1))
			done
			[ "$k" = 1 ] && prev=""
			[ "$k" -ge 5 ] && t=/bin/true || t=$rootfs/bin/true
			# The stand-in replaces link K: past the pivot only
			# from link 6 on.
			if [ "$k" -ge 6 ]; then
				l=/bench-link lt=/bin/true
			else
				l=$bin/link lt=$rootfs/bin/true
			fi
			# shellcheck disable=SC2086
			r=$("$bin/timeit" $cmd "$t") || { echo "bench: the chain cut after link $k failed" >&2; return 1; }
			echo "$i $k $r" >> "$tmp/cuts"
			[ "$k" = 0 ] && continue
			# shellcheck disable=SC2086
			r=$("$bin/timeit" $prev "$l" "$lt") || { echo "bench: the chain cut after link $k, a link in its place, failed" >&2; return 1; }
			echo "$i L$k $r" >> "$tmp/cuts"
		done
		i=$((i + 1))
	done
	rm -f "$rootfs/bench-link"
	# The splits are medians of each round's own differences: the runs of
	# one round follow one another, so they share the machine's mood.
	awk "$MEDIAN"'
	{ t[$2] = t[$2] " " $3; f[$2] = f[$2] " " $5; x[$2, $1] = $3; if ($1 > rounds) rounds = $1 }
	function diff(a, b,    r, s) {
		s = ""
		for (r = 1; r <= rounds; r++)
			if ((a, r) in x && (b, r) in x) s = s " " (x[a, r] - x[b, r])
		return median(s) / 1e6
	}
	END {
		split("rootfs true,cx-cgroup run --rm,cx-unshare (namespaces; init),cx-overlay mount,cx-bind,cx-chroot --pivot,cx-unshare (proc; devpts),cx-caps", name, ",")
		printf "  %-34s %8s %8s %8s %8s %7s\n", "after", "total", "+link", "an exec", "the tool", "faults"
		for (k = 0; k <= 7; k++) {
			m = median(t[k]) / 1e6
			if (k)
				printf "  %-34s %8.2f %+8.2f %8.2f %8.2f %7d\n", name[k + 1], m, diff(k, k - 1), diff("L" k, k - 1), diff(k, "L" k), median(f[k])
			else
				printf "  %-34s %8.2f %8s %8s %8s %7d\n", name[k + 1], m, "-", "-", "-", median(f[k])
		}
	}' "$tmp/cuts"
	echo
	echo "== what each process of the chain costs: the link with it against the link without it,"
	echo "   in the chain's first two places, then true ($pairs pairs, back to back, ms)"
	# cx-cgroup run --rm: a child made vfork's way runs the rest and a
	# parent waits to remove the cgroup; without --rm the tool joins and
	# execs in its own process (the cgroup removed after, off the clock).
	# cx-unshare --fork: a copy of the process (fork), whose parent waits;
	# --init: an init of ours as PID 1 that makes the command vfork's way.
	t=$rootfs/bin/true
	C="$build/cx-cgroup run --controllers memory,pids --memory 100M --memory-swap 0 --pids 64 cx-bench-$$"
	CR="$build/cx-cgroup run --rm --controllers memory,pids --memory 100M --memory-swap 0 --pids 64 cx-bench-$$"
	U="$build/cx-unshare --pid --mount --uts --ipc --net --cgroup --hostname cx-container"
	C1="$build/cx-cgroup run --rm --controllers pids cx-bench-$$"
	: > "$tmp/forks"
	i=1
	while [ "$i" -le "$pairs" ]; do
		# shellcheck disable=SC2086
		{
			a=$("$bin/timeit" $CR "$t") &&
			b=$("$bin/timeit" $C "$t") &&
			"$build/cx-cgroup" rm "cx-bench-$$" &&
			c=$("$bin/timeit" $C1 $U --fork "$t") &&
			d=$("$bin/timeit" $C1 $U "$t" 2>/dev/null) &&
			e=$("$bin/timeit" $C1 $U --init "$t")
		} || { echo "bench: a fork measurement failed in round $i" >&2; return 1; }
		echo "${a%% *} ${b%% *} ${c%% *} ${d%% *} ${e%% *}" >> "$tmp/forks"
		i=$((i + 1))
	done
	awk "$MEDIAN"'
	{ rm = rm " " ($1 - $2); fk = fk " " ($3 - $4); ini = ini " " ($5 - $3) }
	END {
		printf "  %-62s %+6.2f\n", "cx-cgroup run --rm (vfork, a parent that waits, rmdir) over run", median(rm) / 1e6
		printf "  %-62s %+6.2f\n", "cx-unshare --fork (fork, a parent that waits) over no fork", median(fk) / 1e6
		printf "  %-62s %+6.2f\n", "cx-unshare --init (an init that vforks the command) over --fork", median(ini) / 1e6
	}' "$tmp/forks"
	# Not the process alone: run moves itself, which on cgroup2 (a
	# hybrid host's too) waits for the lock of cgroup.procs.
	echo "   (run moves itself into the cgroup, by cgroup.procs on cgroup2, whose lock waits for an RCU"
	echo "   grace period, see cx-cgroup(1); run --rm makes its child inside it with clone3: where that"
	echo "   wait is long, the first row is below zero)"
	echo
	echo "== one link of a chain, linked four ways: $links links then true, against true ($pairs pairs)"
	printf '  %-58s %9s %7s %8s\n' "link" "ms/link" faults "/bare"
	# bare: no C library, what is left is the kernel's exec.
	: > "$tmp/links"
	for l in bare link link-nopie link-glibc; do
		case $l in
		bare) what="bench/bare: no C library, its own _start" ;;
		link) what="bench/link: static-pie, $(libc_of "$bin/link")" ;;
		link-nopie) what="bench/link-nopie: static, no PIE, $(libc_of "$bin/link-nopie")" ;;
		link-glibc) what="bench/link-glibc: static-pie, glibc" ;;
		esac
		[ -x "$bin/$l" ] || { printf '  %-58s %s\n' "$what" "skipped: not built here"; continue; }
		set --
		k=0
		while [ "$k" -lt "$links" ]; do set -- "$@" "$bin/$l"; k=$((k + 1)); done
		r=$(versus "$pairs" -- "$@" /bin/true -- /bin/true)
		echo "$r" | awk -v n="$links" -v l="$l" -v w="$what" '{
			printf "%s %.4f %d %s\n", l, $3 / n, ($4 - $5) / n, w }' >> "$tmp/links"
	done
	awk '$1 == "bare" { b = $2 } { m[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++) {
			split(m[i], f, " ")
			w = m[i]; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", w)
			printf "  %-58s %9.3f %7d %8s\n", w, f[2], f[3], (b > 0 ? sprintf("%.2f", f[2] / b) : "-")
		}
	}' "$tmp/links"

	echo
	echo "== each tool's own start-up: the tool, then true, against bench/link, then true ($pairs pairs;"
	echo "   what the tool costs over a link that only execs, in ms); as built here, with PIE=0, with LIBC=glibc;"
	echo "   cx-unshare with --allow-tiocsti beside it: the rest is its seccomp filter against TIOCSTI, which the"
	echo "   kernel compiles at install (once per chain: a second link finds it there); cx-nsenter runs itself"
	echo "   again from a read-only mount before it joins (an exec more), so that the container cannot write it"
	printf '  %-54s %9s %9s %9s %7s\n' command "as built" "no PIE" "glibc" faults
	for spec in "cx-unshare /bin/true" "cx-unshare --allow-tiocsti /bin/true" "cx-chroot / /bin/true" \
		    "cx-caps --keep all /bin/true" "cx-nsenter --all -t $$ /bin/true" \
		    "cx-bind --try -b /nonexistent:/nonexistent /bin/true"; do
		tool=${spec%% *}
		if [ ! -x "$build/$tool" ]; then
			printf '  %-54s %s\n' "$spec" "skipped: $tool is not built"
			continue
		fi
		row="" f=-
		for dir in "$build" "$nopie" "$glibc"; do
			c="-"
			# shellcheck disable=SC2086
			if [ -n "$dir" ] && [ -x "$dir/$tool" ] &&
			   r=$(versus "$pairs" -- "$dir/"$spec -- "$bin/link" /bin/true 2>/dev/null); then
				c=$(echo "$r" | awk '{ printf "%.3f", $3 }')
				[ "$dir" = "$build" ] && f=$(echo "$r" | awk '{ print $4 - $5 }')
			fi
			row="$row $c"
		done
		# shellcheck disable=SC2086
		printf '  %-54s %9s %9s %9s %7s\n' "$spec" $row "$f"
	done

	echo
	echo "== binaries: size, stripped, and peak RSS and minor faults of '--version' (of one run for the bench helpers)"
	printf '  %-24s %10s %10s %8s %7s\n' binary bytes stripped "rss KB" faults
	for b in "$build"/cx-* "$bin/floor" "$bin/link" "$bin/timeit" "$bin/oci-run"; do
		[ -x "$b" ] || continue
		case $b in
		*/floor) r=$("$bin/timeit" "$b" "$rootfs" "$host") ;;
		*/link | */timeit) r=$("$bin/timeit" "$b" /bin/true) ;;
		*/oci-run) r="- - -" ;;
		*) r=$("$bin/timeit" "$b" --version) ;;
		esac
		set -- $r
		strip -o "$tmp/stripped" "$b" 2>/dev/null || cp "$b" "$tmp/stripped"
		printf '  %-24s %10s %10s %8s %7s\n' "$(basename "$b")" "$(stat -c %s "$b")" \
			"$(stat -c %s "$tmp/stripped")" "$2" "$3"
	done
	for b in ${glibc:+"$glibc"/cx-*}; do
		[ -x "$b" ] || continue
		strip -o "$tmp/stripped" "$b"
		printf '  %-24s %10s %10s\n' "$(basename "$b") (glibc)" "$(stat -c %s "$b")" "$(stat -c %s "$tmp/stripped")"
	done
	for spec in "crun --version" "runc --version" "unshare --version" \
		    "capsh --license" "/bin/true --version"; do
		b=$(command -v "${spec%% *}" 2>/dev/null) || continue
		r=$("$bin/timeit" "$b" ${spec#* } 2>/dev/null) || r="- - -"
		set -- $r
		printf '  %-24s %10s %10s %8s %7s\n' "${spec%% *}" "$(stat -L -c %s "$b")" - "$2" "$3"
	done
}

# POSIX sh has no pipefail: main leaves a mark when it got to the end.
{ main && : > "$tmp/done"; } 2>&1 | tee "$out.tmp"
mv "$out.tmp" "$out"
echo
echo "bench: results in $out"
[ -e "$tmp/done" ]
