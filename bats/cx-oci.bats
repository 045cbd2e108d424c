#!/usr/bin/env bats
# cx-oci against the real kernel: a bundle's config.json run as a chain
# of cx tools (namespaces, cgroup limit, mounts, masked and read-only
# paths, capabilities, user), the create/start/state/kill/delete
# lifecycle with its FIFO, spec --print-chain run by hand, refusals,
# terminals (--console-socket, and run and exec lending their own), and
# podman and containerd running an image through cx-oci.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	oci_roots_note
}

teardown_file() {
	oci_roots_restore
}

# A bundle in $TMP/bundle: the busybox rootfs (a test that runs the
# container asks for static tools, which run inside it), a config.json in OCI's
# form as podman writes it, the command given.
make_bundle() {
	mkdir -p "$TMP/bundle"
	CG="cx-oci-bats-$BATS_TEST_NUMBER-$$"
	python3 - "$TMP/bundle/config.json" "$ROOTFS" "$CG" "$@" <<'PY'
import json, sys
out, rootfs, cg, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_NET_BIND_SERVICE"]
json.dump({
  "ociVersion": "1.0.2",
  "process": {"user": {"uid": 0, "gid": 0, "umask": 18}, "args": args,
              "env": ["PATH=/bin", "GREETING=hello"], "cwd": "/etc",
              "capabilities": {k: caps for k in ("bounding", "effective", "permitted")},
              "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654}],
              "noNewPrivileges": True},
  "root": {"path": rootfs},
  "hostname": "oci-box",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/mnt/share", "type": "bind", "source": "share", "options": ["rbind", "ro"]}],
  "linux": {"cgroupsPath": "/" + cg + "/ctr", "resources": {"pids": {"limit": 99}},
            "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
            "maskedPaths": ["/proc/kcore", "/proc/timer_list", "/proc/irq"],
            "readonlyPaths": ["/proc/sys", "/proc/sysrq-trigger"]}
}, open(out, "w"))
PY
	mkdir -p "$TMP/bundle/share"
	echo shared >"$TMP/bundle/share/file"
}

# Change $TMP/bundle/config.json by Python statements on c, the
# document: edit_config 'c["process"]["terminal"] = True'.
edit_config() {
	python3 - "$TMP/bundle/config.json" "$1" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(c, open(sys.argv[1], "w"))
PY
}

oci() {
	cx-oci --root "$TMP/state" "$@"
}

# oci create c1 of the bundle fails (125) saying MSG, and leaves no
# state and no cgroup.
create_refused() {
	run -125 oci create --bundle "$TMP/bundle" c1
	assert_output --partial "$1"
	[ ! -e "$TMP/state/c1" ]
	[ -z "$(find /sys/fs/cgroup -path "*/$CG/ctr" 2>/dev/null)" ]
}

# cx-oci kill ID KILL, then wait (5 s at most) until its state says so.
kill_and_wait() {
	run -0 oci kill "$1" KILL
	for _ in $(seq 50); do
		oci state "$1" | grep -q stopped && return 0
		sleep 0.1
	done
}

teardown() {
	local d
	[ -n "${CONSOLE_PID:-}" ] && kill "$CONSOLE_PID" 2>/dev/null
	stop_containerd
	[ -d "${TMP:-}/state" ] && for d in "$TMP/state"/*/; do
		[ -d "$d" ] && cx-oci --root "$TMP/state" delete --force "$(basename "$d")" 2>/dev/null
	done
	if [ -n "${CG:-}" ]; then rmdir_cgroups "$CG"; fi
	# The cx base a test made (a relative cgroupsPath), when empty.
	if [ -n "${CX_BASES+x}" ]; then
		for d in $(cx_bases); do
			case " $CX_BASES " in *" $d "*) ;; *) rmdir "$d" 2>/dev/null ;; esac
		done
	fi
	cleanup_tmp
}

# The cx base directories there are, in every hierarchy.
cx_bases() {
	find /sys/fs/cgroup -maxdepth 2 -type d -name cx 2>/dev/null | tr '\n' ' '
}

@test "run: the container is made as config.json says, in the kernel's own words" {
	require_static_tools
	make_bundle sh -c 'echo "$GREETING in $(pwd) on $(hostname)"
		echo "pid $$"; grep -E "^(CapBnd|CapEff|NoNewPrivs):" /proc/self/status
		ulimit -n; ulimit -Hn; umask
		for n in net pid mnt; do readlink /proc/self/ns/$n; done
		grep -E "^[0-9]+:(pids)?:" /proc/self/cgroup
		cat /mnt/share/file; touch /mnt/share/x 2>/dev/null || echo "share read-only"
		echo 1 >/proc/sys/kernel/ns_last_pid 2>/dev/null || echo "sysctl read-only"
		echo "timer_list $(wc -c </proc/timer_list) irq $(ls /proc/irq | wc -l)"
		[ -e /proc/kcore ] && echo "kcore $(wc -c </proc/kcore)" || echo "kcore none"
		awk "\$5 == \"/dev\" || \$5 == \"/sys\" || \$5 == \"/dev/pts\" { print \$5, \$6 }" /proc/self/mountinfo
		ls /dev | tr "\n" " "'
	run -0 oci run --bundle "$TMP/bundle" c1
	assert_line "hello in /etc on oci-box"
	# Exactly the seven capabilities: bits 0 1 3 5 6 7 10.
	assert_line "CapBnd:	00000000000004eb"
	assert_line "CapEff:	00000000000004eb"
	assert_line "NoNewPrivs:	1"
	assert_line "pid 1"
	assert_line 321
	assert_line 654
	assert_line 0022
	refute_line "$(readlink /proc/self/ns/net)"
	refute_line "$(readlink /proc/self/ns/pid)"
	refute_line "$(readlink /proc/self/ns/mnt)"
	# v1's pids hierarchy, or v2's one.
	assert_line --regexp "^[0-9]+:(pids)?:/$CG/ctr\$"
	assert_line shared
	assert_line "share read-only"
	assert_line "sysctl read-only"
	# Masked: a file reads as /dev/null, a directory as an empty tmpfs;
	# a path this kernel does not have is left alone.
	assert_line "timer_list 0 irq 0"
	assert_line --regexp "^kcore (0|none)\$"
	assert_line "/dev rw,nosuid,relatime"
	assert_line "/sys ro,nosuid,nodev,noexec,relatime"
	assert_line --regexp "^/dev/pts rw,nosuid,noexec"
	assert_line "fd full null ptmx pts random stderr stdin stdout tty urandom zero "
	# Nothing left: the cgroup and the state are gone.
	[ ! -e "/sys/fs/cgroup/pids/$CG/ctr" ] && [ ! -e "/sys/fs/cgroup/$CG/ctr" ]
	[ -z "$(ls -A "$TMP/state")" ]
}

@test "run: the command's exit status is cx-oci's; a command not found is 127" {
	require_static_tools
	make_bundle sh -c 'exit 7'
	run -7 oci run --bundle "$TMP/bundle" c1
	make_bundle /bin/no-such-program
	run -127 oci run --bundle "$TMP/bundle" c2
	[ -z "$(ls -A "$TMP/state")" ]
}

@test "create holds the container before its command until start; state, kill, delete" {
	require_static_tools
	make_bundle sh -c 'echo started >/started; exec sleep 60'
	local pid
	# The container keeps create's stdio, as under runc: not bats's pipe.
	oci create --bundle "$TMP/bundle" --pid-file "$TMP/pid" c1 </dev/null >"$TMP/out" 2>&1
	pid=$(cat "$TMP/pid")
	run -0 oci state c1
	assert_output --partial '"status": "created"'
	assert_output --partial "\"pid\": $pid"
	# Held: the process is cx-oci's last link, the command has not run.
	assert_equal "$(cat "/proc/$pid/comm")" cx-oci
	[ ! -e "$ROOTFS/started" ]
	[ -p "$TMP/state/c1/exec.fifo" ]
	# Already in its cgroup, with its limit.
	grep -qE "^[0-9]+:(pids)?:/$CG/ctr$" "/proc/$pid/cgroup"
	[ "$(cat "/sys/fs/cgroup/pids/$CG/ctr/pids.max" 2>/dev/null || cat "/sys/fs/cgroup/$CG/ctr/pids.max")" = 99 ]
	run -0 oci start c1
	wait_for_file "$ROOTFS/started"
	run -0 oci state c1
	assert_output --partial '"status": "running"'
	# The file comes before the shell's exec of sleep.
	for _ in $(seq 100); do
		[ "$(cat "/proc/$pid/comm")" = sleep ] && break
		sleep 0.1
	done
	assert_equal "$(cat "/proc/$pid/comm")" sleep
	run -125 oci start c1
	assert_output --partial "container c1 is running, not created"
	run -125 oci delete c1
	assert_output --partial "is running"
	kill_and_wait c1
	run -0 oci state c1
	assert_output --partial '"status": "stopped"'
	run -0 oci delete c1
	[ ! -e "$TMP/state/c1" ]
	[ ! -e "/sys/fs/cgroup/pids/$CG/ctr" ]
}

# A running container c1 of make_bundle's config, sleeping.
start_sleeper() {
	make_bundle sh -c 'exec sleep 60'
	oci run --detach --bundle "$TMP/bundle" c1 </dev/null >"$TMP/out" 2>&1
	pid=$(oci state c1 | awk -F'[:,]' '/"pid"/ { print $2 + 0 }')
	[ "$pid" -gt 1 ]
}

@test "exec: a process beside the container's, in its namespaces, root, cgroup; with its user, capabilities, env and cwd" {
	require_static_tools
	local pid n
	start_sleeper
	run -0 oci exec c1 sh -c 'echo "pid1 $(cat /proc/1/comm) $GREETING $(pwd) $(hostname)"
		grep -E "^(CapBnd|CapEff|NoNewPrivs|Uid):" /proc/self/status
		grep -E "^[0-9]+:(pids)?:" /proc/self/cgroup; cat /mnt/share/file
		for n in net pid mnt uts ipc; do readlink /proc/self/ns/$n; done'
	assert_line "pid1 sleep hello /etc oci-box"
	assert_line "CapBnd:	00000000000004eb"
	assert_line "NoNewPrivs:	1"
	assert_line --regexp "^[0-9]+:(pids)?:/$CG/ctr\$"
	assert_line shared
	# The container's own namespaces, as its PID 1 has them.
	for n in net pid mnt uts ipc; do
		assert_line "$(readlink "/proc/$pid/ns/$n")"
	done
	# runc's options: more env, a cwd, a user, one more capability.
	run -0 oci exec -e EXTRA=1 --cwd /mnt -u 1000:1001 --cap CAP_NET_RAW c1 \
		sh -c 'echo "$EXTRA $GREETING $(pwd)"; id -u; id -g; grep -E "^Cap(Bnd|Prm):" /proc/self/status'
	assert_line "1 hello /mnt"
	assert_line 1000
	assert_line 1001
	# bit 13 (net_raw) added to the bounding set; none permitted to 1000.
	assert_line "CapBnd:	00000000000024eb"
	assert_line "CapPrm:	0000000000000000"
	# --process: a whole process object, as podman gives it.
	printf '%s' '{"args": ["sh", "-c", "echo $V; pwd; exit 6"], "env": ["V=from-process"], "cwd": "/bin", "user": {"uid": 0, "gid": 0}}' >"$TMP/p.json"
	run -6 oci exec --process "$TMP/p.json" c1
	assert_output "from-process
/bin"
	run -127 oci exec c1 /no/such/program
	# --detach: the pid-file names the process that exits as the command.
	oci exec --detach --pid-file "$TMP/xpid" c1 sleep 30 </dev/null >/dev/null 2>&1
	grep -qE "^[0-9]+:(pids)?:/$CG/ctr$" "/proc/$(cat "$TMP/xpid")/cgroup"
	kill -0 "$(cat "$TMP/xpid")"
	# --print-chain: the same process, by hand.
	run -0 oci exec --print-chain c1 sh -c 'cat /proc/1/comm; pwd'
	assert_line "cx-nsenter --target=$pid --all --root --wdns=/etc \\"
	echo "$output" >"$TMP/exec.sh"
	run -0 sh "$TMP/exec.sh"
	assert_output "sleep
/etc"
	run -0 oci delete --force c1
	[ -z "$(find /sys/fs/cgroup -path "*/$CG/ctr" 2>/dev/null)" ]
}

@test "exec: a cwd through a symbolic link that climbs out stays in the container; refusals" {
	require_static_tools
	local pid
	start_sleeper
	ln -s ../../../../../../.. "$ROOTFS/up"
	mkdir -p "$ROOTFS/here"
	echo container >"$ROOTFS/here/mark"
	run -0 oci exec --cwd /up/here c1 sh -c 'pwd; cat mark'
	assert_output "/here
container"
	run -125 oci exec --cwd /no/such c1 true
	assert_output --partial "chdir /no/such"
	run -125 oci exec --tty --detach c1 true
	assert_output --partial "exec --tty: give --console-socket"
	run -125 oci exec c1
	assert_output --partial "no COMMAND"
	run -125 oci exec -u nobody c1 true
	assert_output --partial "invalid --user 'nobody'"
	kill_and_wait c1
	run -125 oci exec c1 true
	assert_output --partial "container c1 is not running"
}

# helper-console listening on $TMP/console as conmon does, given INPUT
# for the terminal; what it receives and what the terminal shows go to
# $TMP/console.out.
listen_console() {
	require_helper "$CX_BUILD/tests/helper-console"
	rm -f "$TMP/console"
	"$CX_BUILD/tests/helper-console" "$TMP/console" "$@" >"$TMP/console.out" 2>&1 &
	CONSOLE_PID=$!
	for _ in $(seq 50); do
		[ -S "$TMP/console" ] && return 0
		sleep 0.1
	done
	fail "helper-console did not listen"
}

# PID's terminal as the kernel has it: the pty of the container's own
# devpts, its controlling terminal, PID leading its session.
assert_terminal_of() {
	local pid=$1 n stat
	n=$(awk '$1 == "ptn" { print $2 }' "$TMP/console.out")
	[ -n "$n" ] || fail "no pty came to the console socket: $(cat "$TMP/console.out")"
	grep -qx "name /dev/pts/$n" "$TMP/console.out"
	# Fields 6 and 7 of stat: session and tty_nr (major 136, minor N).
	stat=$(sed 's/.*) //' "/proc/$pid/stat")
	assert_equal "$(echo "$stat" | cut -d' ' -f4)" "$pid"
	assert_equal "$(echo "$stat" | cut -d' ' -f5)" $((136 << 8 | n))
	for fd in 0 1 2; do
		assert_equal "$(stat -L -c '%t:%T' "/proc/$pid/fd/$fd")" "88:$(printf %x "$n")"
	done
	# A pty of the container's devpts, not of the host's.
	[ "$(stat -L -c %d "/proc/$pid/fd/0")" != "$(stat -c %d /dev/pts/ptmx)" ]
}

@test "a terminal: process.terminal makes a pty in the container's devpts, its master goes to --console-socket" {
	require_static_tools
	local pid
	make_bundle sh -c 'read line; echo "got $line"; tty; stty size; exec sleep 60'
	edit_config 'c["process"]["terminal"] = True
c["process"]["consoleSize"] = {"height": 33, "width": 101}'
	listen_console hello
	oci create --bundle "$TMP/bundle" --console-socket "$TMP/console" --pid-file "$TMP/pid" c1 </dev/null >"$TMP/out" 2>&1
	pid=$(cat "$TMP/pid")
	# Made at create, before the command: the hold link has it.
	assert_equal "$(cat "/proc/$pid/comm")" cx-oci
	wait_for_file "$TMP/console.out"
	assert_terminal_of "$pid"
	grep -qx "size 33x101" "$TMP/console.out"
	run -0 oci start c1
	for _ in $(seq 50); do
		grep -q "^33 101" "$TMP/console.out" && break
		sleep 0.1
	done
	run cat "$TMP/console.out"
	assert_line --regexp "^got hello.?$"
	assert_line --regexp "^/dev/pts/[0-9]+.?$"
	assert_line --regexp "^33 101.?$"
	# stty prints the size before the shell execs sleep: under load
	# the exec can come a moment after the line.
	for _ in $(seq 100); do
		[ "$(cat "/proc/$pid/comm")" = sleep ] && break
		sleep 0.1
	done
	assert_equal "$(cat "/proc/$pid/comm")" sleep
	assert_terminal_of "$pid"
	# The master is not left in the container.
	for fd in /proc/"$pid"/fd/*; do
		[ "$(readlink "$fd")" != /dev/ptmx ] || fail "$fd: the master is in the container"
		[ "$(readlink "$fd")" != /dev/pts/ptmx ] || fail "$fd: the master is in the container"
	done
	run -0 oci delete --force c1
}

@test "a terminal: exec --tty gives the process its own pty; refusals leave nothing behind" {
	require_static_tools
	local pid xpid
	start_sleeper
	listen_console hello
	oci exec --tty --console-socket "$TMP/console" --detach --pid-file "$TMP/xpid" c1 \
		sh -c 'read line; echo "got $line"; exec sleep 60' </dev/null >/dev/null 2>&1
	# The pid-file names cx-nsenter, whose child is the command.
	xpid=$(cat "/proc/$(cat "$TMP/xpid")/task/"*/children | tr -d ' ')
	for _ in $(seq 50); do
		grep -q "^got hello" "$TMP/console.out" && break
		sleep 0.1
	done
	assert_terminal_of "$xpid"
	run cat "$TMP/console.out"
	assert_line --regexp "^got hello.?$"
	# The container's PID 1 keeps its own streams, no terminal.
	assert_equal "$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f5)" 0
	run -0 oci delete --force c1

	# Refusals: a terminal without the socket, the socket without a
	# terminal, a socket no one listens on; none leaves state or cgroup.
	make_bundle true
	run -125 oci create --bundle "$TMP/bundle" --console-socket "$TMP/console" c2
	assert_output --partial "--console-socket $TMP/console: no terminal is asked for"
	edit_config 'c["process"]["terminal"] = True'
	run -125 oci create --bundle "$TMP/bundle" c2
	assert_output --partial "process.terminal: give --console-socket"
	run -125 oci create --bundle "$TMP/bundle" --console-socket "$TMP/nobody" c2
	assert_output --partial "connect to --console-socket $TMP/nobody"
	[ ! -e "$TMP/state/c2" ]
	[ -z "$(find /sys/fs/cgroup -path "*/$CG/ctr" 2>/dev/null)" ]
}

@test "a terminal: run in the foreground without --console-socket lends the container its own terminal, as runc" {
	require_static_tools
	make_bundle sh -c 'read line; echo "got $line"; tty; stty size; cut -d" " -f6,7 /proc/self/stat; cat; echo "after cat"; exit 4'
	edit_config 'c["process"]["terminal"] = True'
	# cx-oci run on a terminal of 20 rows and 70 columns, given two
	# lines and the end-of-file character.
	cat >"$TMP/on-pty.py" <<'PY'
import os, pty, select, struct, sys, termios, fcntl, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 20, 70, 0, 0))
# The input once cx-oci has made the terminal raw (ICANON off): before,
# the line discipline would take the end-of-file character itself.
for _ in range(600):
    if not termios.tcgetattr(fd)[3] & termios.ICANON:
        break
    time.sleep(0.05)
else:
    sys.exit("the terminal was never made raw")
os.write(fd, b"hello\nmore\n\x04")
out = b""
while select.select([fd], [], [], 60)[0]:
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
sys.stdout.buffer.write(out.replace(b"\r", b""))
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
PY
	run -4 timeout 90 python3 "$TMP/on-pty.py" cx-oci --root "$TMP/state" run --bundle "$TMP/bundle" c1
	assert_line "got hello"
	assert_line --regexp "^/dev/pts/[0-9]+$"
	assert_line "20 70"
	# Its own session on the pty: the session is PID 1, tty_nr 136:N.
	assert_line --regexp "^1 3481[6-9]$"
	assert_line "more"
	assert_line "after cat"
	[ ! -e "$TMP/state/c1" ]
	# Detached, there is no terminal to lend.
	run -125 oci run --detach --bundle "$TMP/bundle" c2
	assert_output --partial "process.terminal: give --console-socket"
	# exec --tty in the foreground: the same, beside a running container.
	start_sleeper
	run -4 timeout 90 python3 "$TMP/on-pty.py" cx-oci --root "$TMP/state" exec --tty c1 \
		sh -c 'read line; echo "got $line"; stty size; cut -d" " -f7 /proc/self/stat; cat; exit 4'
	assert_line "got hello"
	assert_line "20 70"
	assert_line --regexp "^3481[6-9]$"
	assert_line "more"
}

@test "a terminal: a /dev/ptmx that is no pty master in the container fails create, and leaves nothing behind" {
	require_static_tools
	make_bundle true
	edit_config 'c["process"]["terminal"] = True
c["mounts"].append({"destination": "/dev/ptmx", "type": "bind", "source": "share/file", "options": ["bind"]})'
	listen_console
	run -125 oci create --bundle "$TMP/bundle" --console-socket "$TMP/console" c1
	assert_output --partial "/dev/ptmx in the container is no pty master"
	[ ! -e "$TMP/state/c1" ]
	[ -z "$(find /sys/fs/cgroup -path "*/$CG/ctr" 2>/dev/null)" ]
	assert_equal "$(cat "$TMP/bundle/share/file")" shared
}

# make_bundle's config in a new user namespace: ids 0 to 65535 inside
# are 100000 up on the host, and root inside holds every capability.
userns_bundle() {
	make_bundle "$@"
	python3 - "$TMP/bundle/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
lnx = c["linux"]
lnx["namespaces"].append({"type": "user"})
lnx["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
lnx["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
every = [l.split()[1] for l in open("/usr/include/linux/capability.h")
         if l.startswith("#define CAP_") and l.split()[2].isdigit()
         and int(l.split()[2]) <= int(open("/proc/sys/kernel/cap_last_cap").read())]
c["process"]["capabilities"] = {k: every for k in ("bounding", "effective", "permitted")}
json.dump(c, open(sys.argv[1], "w"))
PY
	# The container's root owns its root; the bundle is in its reach.
	chown -R 100000:100000 "$ROOTFS"
	chmod 755 "$TMP"
}

@test "a user namespace: uidMappings and gidMappings, root inside with every capability of its own, and none over the host's files" {
	require_static_tools
	local pid
	userns_bundle sh -c 'touch /made; echo "uid $(id -u)"; cat /mnt/share/file; cat /mnt/share/secret || echo "secret refused"
		chown 0:0 /mnt/share/file || echo "chown refused"; mknod /null2 c 1 3 || echo "mknod refused"; exec sleep 60'
	echo hidden >"$TMP/bundle/share/secret"
	chmod 600 "$TMP/bundle/share/secret"
	sed -i 's/"rbind", "ro"/"rbind"/' "$TMP/bundle/config.json"
	oci run --detach --bundle "$TMP/bundle" c1 </dev/null >"$TMP/out" 2>&1
	pid=$(oci state c1 | awk -F'[:,]' '/"pid"/ { print $2 + 0 }')
	for _ in $(seq 50); do
		grep -q "mknod" "$TMP/out" && break
		sleep 0.1
	done
	# The kernel's maps, and the ids the host sees.
	assert_equal "$(awk '{ print $1, $2, $3 }' "/proc/$pid/uid_map")" "0 100000 65536"
	assert_equal "$(awk '{ print $1, $2, $3 }' "/proc/$pid/gid_map")" "0 100000 65536"
	assert_equal "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" "100000 100000 100000 100000"
	assert_equal "$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")" 100000
	# A user namespace of its own, and every capability in it.
	[ "$(ns_ino user "$pid")" != "$(ns_ino user)" ]
	assert_equal "$(awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")" \
		"$(printf '%016x' $(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1)))"
	# What it makes is the range's on the host; the host's own files
	# are out of its reach, whatever its capabilities.
	assert_equal "$(stat -c %u:%g "$ROOTFS/made")" 100000:100000
	run cat "$TMP/out"
	assert_line "uid 0"
	assert_line shared
	assert_line "secret refused"
	assert_line "chown refused"
	assert_line "mknod refused"
	refute_line hidden
	assert_equal "$(stat -c %u:%g "$TMP/bundle/share/file")" 0:0
	[ ! -e "$ROOTFS/null2" ] || [ ! -c "$ROOTFS/null2" ]
	# exec joins the same user namespace, as its root.
	run -0 oci exec c1 sh -c 'id -u; cat /proc/self/uid_map'
	assert_line 0
	assert_line --regexp "^ +0 +100000 +65536$"
	run -0 oci delete --force c1
}

@test "a user namespace and a network namespace joined by path: a second container shares them, as root of the first's" {
	require_static_tools
	local a b
	userns_bundle sh -c 'exec sleep 60'
	oci run --detach --bundle "$TMP/bundle" c1 </dev/null >"$TMP/out" 2>&1
	a=$(oci state c1 | awk -F'[:,]' '/"pid"/ { print $2 + 0 }')
	python3 - "$TMP/bundle/config.json" "$a" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
ns = c["linux"]["namespaces"]
for n in ns:
    if n["type"] in ("user", "network"):
        n["path"] = "/proc/%s/ns/%s" % (sys.argv[2], "net" if n["type"] == "network" else "user")
c["process"]["args"] = ["sh", "-c", "id -u; exec sleep 60"]
json.dump(c, open(sys.argv[1], "w"))
PY
	oci run --detach --bundle "$TMP/bundle" c2 </dev/null >"$TMP/out2" 2>&1
	b=$(oci state c2 | awk -F'[:,]' '/"pid"/ { print $2 + 0 }')
	[ "$b" != "$a" ]
	# The same user and network namespaces, new PID and mount ones.
	assert_equal "$(ns_ino user "$b")" "$(ns_ino user "$a")"
	assert_equal "$(ns_ino net "$b")" "$(ns_ino net "$a")"
	[ "$(ns_ino pid "$b")" != "$(ns_ino pid "$a")" ]
	[ "$(ns_ino mnt "$b")" != "$(ns_ino mnt "$a")" ]
	# Root of the joined namespace: the range's first id on the host.
	assert_equal "$(awk '/^Uid:/ { print $2 }' "/proc/$b/status")" 100000
	run -0 oci spec --print-chain --bundle "$TMP/bundle"
	assert_line --regexp "^cx-nsenter --user=/proc/$a/ns/user --net=/proc/$a/ns/net"
	assert_line "# linux.uidMappings, gidMappings: the joined user namespace has its own"
	# The two share one cgroup: the first's device rules stand.
	assert_line "# linux.resources.devices: the cgroup exists (another container's): the device rules it was made with stand"
	run -0 oci delete --force c2
	run -0 oci delete --force c1
}

@test "linux.resources.devices: root holding CAP_MKNOD makes and opens only the devices the rules and its own /dev leave it" {
	require_static_tools
	make_bundle sh -c 'echo x >/dev/null && echo null-w; head -c 1 /dev/zero >/dev/null && echo zero-r
		(: >/dev/kmsg) && echo kmsg-open
		mknod /tmp/bc c 10 234 2>/dev/null || echo mknod-refused
		mknod /tmp/fuse c 10 229 && echo mknod-fuse; (: </tmp/fuse) 2>/dev/null || echo fuse-node-refused
		rm -f /tmp/fuse; mknod /tmp/t1 c 4 1 2>/dev/null || echo mknod-tty1-refused
		(: </dev/ptmx) && echo ptmx-open'
	# podman's rules, deny everything, and a node of fuse's numbers
	# that may be made; kmsg given in linux.devices.
	edit_config '
c["process"]["capabilities"] = {k: v + ["CAP_MKNOD"] for k, v in c["process"]["capabilities"].items()}
c["linux"]["resources"]["devices"] = [{"allow": False, "access": "rwm"}, {"allow": True, "type": "c", "major": 10, "minor": 229, "access": "m"}]
c["linux"]["devices"] = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 420, "uid": 0, "gid": 0}]'
	run -0 oci run --bundle "$TMP/bundle" c1 </dev/null
	assert_line null-w
	assert_line zero-r
	assert_line kmsg-open
	assert_line mknod-refused
	assert_line mknod-fuse
	assert_line fuse-node-refused
	assert_line mknod-tty1-refused
	assert_line ptmx-open
	[ ! -e "$ROOTFS/tmp/bc" ] && [ ! -e "$ROOTFS/tmp/t1" ]
	run -0 oci spec --print-chain --bundle "$TMP/bundle"
	assert_line --partial "cx-cgroup --parent=/ run --rm --pids=99 --device-deny=a '--device-allow=c 10:229 m' '--device-allow=c 1:3 rwm' "
	assert_line --partial "'--device-allow=c 1:11 rwm' '--device-allow=c 5:2 rwm' '--device-allow=c 136:* rwm' $CG/ctr"
	# The list is an allowlist (runtime spec): without a deny-all of
	# its own, or with no rules at all, the container still has only
	# what is allowed and what it is given.
	for rules in '[{"allow": True, "type": "c", "major": 10, "minor": 229, "access": "rwm"}]' '[]'; do
		edit_config "c['linux']['resources']['devices'] = $rules"
		run -0 oci run --bundle "$TMP/bundle" c1 </dev/null
		assert_line mknod-refused
		assert_line null-w
		assert_line mknod-tty1-refused
		run -0 oci spec --print-chain --bundle "$TMP/bundle"
		assert_line --partial "cx-cgroup --parent=/ run --rm --pids=99 --device-deny=a "
	done
	# Malformed rules: refused by name, nothing made.
	edit_config 'c["linux"]["resources"]["devices"] = [{"allow": False, "access": "rwx"}]'
	create_refused "linux.resources.devices[].access"
	edit_config 'c["linux"]["resources"]["devices"] = [{"allow": "no"}]'
	create_refused "linux.resources.devices[].allow"
	edit_config 'c["linux"]["resources"]["devices"] = [{"allow": True, "type": "x"}]'
	create_refused "linux.resources.devices[].type"
}

# The CPU time (user and system, in ticks) of process $1.
cputime() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

@test "pause and resume freeze and thaw the container's cgroup; ps and list show it; update changes its limits; cpu quota from create" {
	require_static_tools
	local pid ev procs t
	make_bundle sh -c 'sleep 60 & while :; do :; done'
	edit_config 'c["linux"]["resources"]["cpu"] = {"quota": 50000, "period": 100000}'
	oci run --detach --bundle "$TMP/bundle" c1 </dev/null >"$TMP/out" 2>&1
	pid=$(oci state c1 | awk -F'[:,]' '/"pid"/ { print $2 + 0 }')
	ev=$(find /sys/fs/cgroup -path "*/$CG/ctr/cgroup.events" | head -n 1)
	procs=$(find /sys/fs/cgroup -path "*/$CG/ctr/cgroup.procs" | head -n 1)
	# The quota, as the kernel has it (v1's cfs_quota_us, or cpu.max).
	if [ -e "/sys/fs/cgroup/cpu/$CG/ctr/cpu.cfs_quota_us" ]; then
		assert_equal "$(cat "/sys/fs/cgroup/cpu/$CG/ctr/cpu.cfs_quota_us")" 50000
	else
		assert_equal "$(cat "$(dirname "$ev")/cpu.max")" "50000 100000"
	fi
	# ps: the cgroup's processes, as containerd's shim asks for them.
	# Up to 30 s on a loaded machine: both there, and the child has
	# become sleep (until its exec it is a second sh).
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(wc -l <"$procs")" = 2 ] &&
			grep -qx sleep $(sed 's|.*|/proc/&/comm|' "$procs") 2>/dev/null && break
		sleep 0.1
	done
	run -0 oci ps --format json c1
	assert_output "[$(sort -n "$procs" | paste -sd,)]"
	run -0 oci ps c1
	assert_line --index 0 "PID CMD"
	assert_line "$pid sh"
	assert_line --regexp "^[0-9]+ sleep$"
	# pause: frozen in the kernel's words, and its CPU time stands still.
	run -0 oci pause c1
	assert_equal "$(grep '^frozen ' "$ev")" "frozen 1"
	run -0 oci state c1
	assert_output --partial '"status": "paused"'
	t=$(cputime "$pid")
	sleep 0.3
	assert_equal "$(cputime "$pid")" "$t"
	run -125 oci pause c1
	assert_output "cx-oci: container c1 is paused, not running"
	run -125 oci delete c1
	assert_output "cx-oci: container c1 is paused: stop it first, or delete --force"
	run -0 oci list
	assert_line --regexp "^c1 +$pid +paused +$TMP/bundle\$"
	# resume: thawed, and it runs again.
	run -0 oci resume c1
	assert_equal "$(grep '^frozen ' "$ev")" "frozen 0"
	run -0 oci state c1
	assert_output --partial '"status": "running"'
	for _ in $(seq 50); do
		[ "$(cputime "$pid")" != "$t" ] && break
		sleep 0.1
	done
	[ "$(cputime "$pid")" != "$t" ]
	run -125 oci resume c1
	assert_output "cx-oci: container c1 is running, not paused"
	# update: new limits from linux.resources, as the shim sends them.
	run -0 oci update --resources - c1 <<<'{"pids": {"limit": 42}, "cpu": {"quota": 20000, "period": 100000}}'
	assert_equal "$(cat "$(find /sys/fs/cgroup -path "*/$CG/ctr/pids.max" | head -n 1)")" 42
	if [ -e "/sys/fs/cgroup/cpu/$CG/ctr/cpu.cfs_quota_us" ]; then
		assert_equal "$(cat "/sys/fs/cgroup/cpu/$CG/ctr/cpu.cfs_quota_us")" 20000
	else
		assert_equal "$(cat "$(dirname "$ev")/cpu.max")" "20000 100000"
	fi
	run -125 oci update --resources - c1 <<<'{"pids": {"limit": "many"}}'
	assert_output "cx-oci: resources: linux.resources.pids.limit must be an integer"
	run -125 oci update c1
	assert_output --partial "update: --resources FILE is needed"
	run -0 oci list --format json
	assert_output --partial '"id": "c1", "pid": '"$pid"', "status": "running"'
	run -0 oci delete --force c1
	run -0 oci list
	assert_output "$(printf '%-24s %-8s %-8s %s' ID PID STATUS BUNDLE)"
}

@test "delete --force of a paused container kills every process in it, frozen as they are, and removes its cgroup" {
	require_static_tools
	local pid bg ev p
	make_bundle sh -c 'sleep 60 & exec sleep 61'
	oci run --detach --bundle "$TMP/bundle" c1 </dev/null >"$TMP/out" 2>&1
	pid=$(oci state c1 | awk -F'[:,]' '/"pid"/ { print $2 + 0 }')
	ev=$(find /sys/fs/cgroup -path "*/$CG/ctr/cgroup.events" | head -n 1)
	for _ in $(seq 50); do
		[ "$(wc -l <"$(dirname "$ev")/cgroup.procs")" = 2 ] && break
		sleep 0.1
	done
	assert_equal "$(wc -l <"$(dirname "$ev")/cgroup.procs")" 2
	bg=$(grep -v "^$pid\$" "$(dirname "$ev")/cgroup.procs")
	[ -n "$bg" ]
	run -0 oci pause c1
	assert_equal "$(grep '^frozen ' "$ev")" "frozen 1"
	run -0 oci delete --force c1
	# Both processes are gone (not left frozen), and so is every
	# directory of the container's cgroup, in every hierarchy.
	for p in "$pid" "$bg"; do
		for _ in $(seq 50); do
			[ -e "/proc/$p" ] || break
			sleep 0.1
		done
		[ ! -e "/proc/$p" ]
	done
	run find /sys/fs/cgroup -path "*/$CG/ctr"
	assert_output ""
	run -0 oci list
	assert_output "$(printf '%-24s %-8s %-8s %s' ID PID STATUS BUNDLE)"
}

@test "delete takes back the cgroups above the container's that its create made, once no other container is below them, and keeps those that were there before" {
	require_static_tools
	local kept hierarchies
	make_bundle sleep 60
	# v1's pids hierarchy where there is one, else cgroup2 alone.
	if [ -d /sys/fs/cgroup/pids ]; then
		kept="/sys/fs/cgroup/pids/$CG-kept"
	else
		kept="/sys/fs/cgroup/$CG-kept"
	fi
	edit_config "c['linux']['cgroupsPath'] = '/$CG/a/ctr'"
	oci run --detach --bundle "$TMP/bundle" c1 </dev/null >"$TMP/out" 2>&1
	edit_config "c['linux']['cgroupsPath'] = '/$CG/b/ctr'"
	oci run --detach --bundle "$TMP/bundle" c2 </dev/null >"$TMP/out2" 2>&1
	[ -n "$(find /sys/fs/cgroup -type d -path "*/$CG/a/ctr")" ]
	[ -n "$(find /sys/fs/cgroup -type d -path "*/$CG/b/ctr")" ]
	# c1 made $CG and $CG/a; $CG stays while c2 is below it.
	local parents
	parents=$(find /sys/fs/cgroup -maxdepth 2 -type d -name "$CG" | sort)
	[ -n "$parents" ]
	run -0 oci delete --force c1
	run find /sys/fs/cgroup -type d -path "*/$CG/a"
	assert_output ""
	assert_equal "$(find /sys/fs/cgroup -maxdepth 2 -type d -name "$CG" | sort)" "$parents"
	# c2 found $CG there and made $CG/b: b goes, and $CG, which c2 did
	# not make, stays (the teardown takes it).
	run -0 oci delete --force c2
	run find /sys/fs/cgroup -type d -path "*/$CG/b"
	assert_output ""
	assert_equal "$(find /sys/fs/cgroup -maxdepth 2 -type d -name "$CG" | sort)" "$parents"
	# One container alone: everything it made goes with it.
	edit_config "c['linux']['cgroupsPath'] = '/$CG-solo/x/ctr'"
	oci run --detach --bundle "$TMP/bundle" c3 </dev/null >"$TMP/out3" 2>&1
	[ -n "$(find /sys/fs/cgroup -type d -path "*/$CG-solo/x/ctr")" ]
	run -0 oci delete --force c3
	run find /sys/fs/cgroup -maxdepth 2 -type d -name "$CG-solo"
	assert_output ""
	# A parent that was there before create, in one hierarchy, stays
	# there, empty as it is; on a host of several hierarchies create
	# made it in the others, and delete takes those back.
	mkdir "$kept"
	edit_config "c['linux']['cgroupsPath'] = '/$CG-kept/ctr'"
	oci run --detach --bundle "$TMP/bundle" c4 </dev/null >"$TMP/out4" 2>&1
	[ -d "$kept/ctr" ]
	hierarchies=$(find /sys/fs/cgroup -maxdepth 2 -type d -name "$CG-kept" | wc -l)
	if [ -d /sys/fs/cgroup/pids ]; then
		[ "$hierarchies" -gt 1 ]
	fi
	run -0 oci delete --force c4
	[ ! -e "$kept/ctr" ]
	run find /sys/fs/cgroup -maxdepth 2 -type d -name "$CG-kept"
	assert_output "$kept"
	rmdir "$kept"
}

# The processes of the container's cgroup CTR (below $CG), from any
# hierarchy that has it.
procs_of() {
	cat "$(find /sys/fs/cgroup -path "*/$CG/$1/cgroup.procs" 2>/dev/null | head -n 1)"
}

@test "a PID namespace joined by path: the second container's process is in the first's, not its PID 1, and is reaped by run; delete kills what it leaves; a mount namespace by path is refused" {
	require_static_tools
	local a b bg
	make_bundle sh -c 'exec sleep 60'
	oci run --detach --bundle "$TMP/bundle" c1 </dev/null >"$TMP/out" 2>&1
	a=$(oci state c1 | awk -F'[:,]' '/"pid"/ { print $2 + 0 }')
	edit_config "
for n in c['linux']['namespaces']:
    if n['type'] == 'pid': n['path'] = '/proc/$a/ns/pid'
c['linux']['cgroupsPath'] += '2'
c['process']['args'] = ['sh', '-c', 'sleep 60 & echo \"init \$(cat /proc/1/comm) me \$\$\"; exec sleep 61']"
	run -0 oci spec --print-chain --bundle "$TMP/bundle"
	assert_line "cx-nsenter --no-fork --pid=/proc/$a/ns/pid \\"
	oci run --detach --bundle "$TMP/bundle" c2 </dev/null >"$TMP/out2" 2>&1
	b=$(oci state c2 | awk -F'[:,]' '/"pid"/ { print $2 + 0 }')
	for _ in $(seq 50); do
		grep -q init "$TMP/out2" && break
		sleep 0.1
	done
	# The first's PID namespace; inside it, not its PID 1.
	assert_equal "$(ns_ino pid "$b")" "$(ns_ino pid "$a")"
	[ "$(ns_ino mnt "$b")" != "$(ns_ino mnt "$a")" ]
	run -0 awk '/^NSpid:/ { print NF, $3 }' "/proc/$b/status"
	assert_output --regexp "^3 [0-9]+$"
	[ "${output#3 }" -gt 1 ]
	run cat "$TMP/out2"
	assert_output "init sleep me ${output##* me }"
	assert_equal "${output##* me }" "$(awk '/^NSpid:/ { print $3 }' "/proc/$b/status")"
	# Its cgroup holds it and the child it left in the background.
	run -0 procs_of ctr2
	assert_equal "${#lines[@]}" 2
	assert_line "$b"
	bg=$(procs_of ctr2 | grep -v -x "$b")
	# Killed: stopped, while the first runs on; its orphan lives on in
	# the shared namespace until delete empties the cgroup.
	kill_and_wait c2
	run -0 oci state c2
	assert_output --partial '"status": "stopped"'
	run -0 oci state c1
	assert_output --partial '"status": "running"'
	kill -0 "$bg"
	run -0 oci delete c2
	for _ in $(seq 50); do
		{ [ ! -e "/proc/$bg" ] || grep -q '^State:.*Z' "/proc/$bg/status"; } && break
		sleep 0.1
	done
	[ ! -e "/proc/$bg" ] || grep -q '^State:.*Z' "/proc/$bg/status"
	[ -z "$(find /sys/fs/cgroup -path "*/$CG/ctr2" 2>/dev/null)" ]
	# run in the foreground: the process is run's to reap, whose exit
	# status it gives.
	edit_config "
c['linux']['cgroupsPath'] += '3'
c['process']['args'] = ['sh', '-c', 'cat /proc/1/comm; exit 7']"
	run -7 oci run --bundle "$TMP/bundle" c3 </dev/null
	assert_output sleep
	[ ! -e "$TMP/state/c3" ]
	run -0 oci delete --force c1
	# A mount namespace by path: refused, nothing made.
	make_bundle true
	edit_config "
for n in c['linux']['namespaces']:
    if n['type'] == 'mount': n['path'] = '/proc/self/ns/mnt'"
	create_refused "a mount namespace joined by path (/proc/self/ns/mnt) is refused"
}

@test "a user namespace: no maps, maps without the namespace, root not mapped: refused, nothing left" {
	require_static_tools
	userns_bundle true
	edit_config 'del c["linux"]["uidMappings"]'
	run -125 oci create --bundle "$TMP/bundle" c1
	assert_output --partial "a new user namespace needs linux.uidMappings"
	make_bundle true
	edit_config 'c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 1}]'
	run -125 oci create --bundle "$TMP/bundle" c1
	assert_output --partial "linux.gidMappings without a new user namespace"
	userns_bundle true
	edit_config 'c["linux"]["uidMappings"] = [{"containerID": 1000, "hostID": 100000, "size": 10}]'
	create_refused "setresuid 0"
}

# A seccomp profile on make_bundle's config: mkdir fails with ENOSYS,
# unshare and setns with EPERM, personality(8) alone is refused, and a
# call no libseccomp knows is left out.  Root inside holds every
# capability we have, CAP_SYS_ADMIN too.
seccomp_bundle() {
	make_bundle "$@"
	edit_config '
bnd = int([l.split()[1] for l in open("/proc/self/status") if l.startswith("CapBnd:")][0], 16)
every = [l.split()[1] for l in open("/usr/include/linux/capability.h")
         if l.startswith("#define CAP_") and l.split()[2].isdigit()
         and bnd >> int(l.split()[2]) & 1]
c["process"]["capabilities"] = {k: every for k in ("bounding", "effective", "permitted")}
c["linux"]["seccomp"] = {
  "defaultAction": "SCMP_ACT_ALLOW",
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  "syscalls": [
    {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
    {"names": ["unshare", "setns"], "action": "SCMP_ACT_ERRNO"},
    {"names": ["personality"], "action": "SCMP_ACT_ERRNO",
     "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
    {"names": ["no_such_call_in_any_kernel"], "action": "SCMP_ACT_KILL"}]}'
}

# Seccomp_filters of a container without the profile: cx-unshare's own
# (TIOCSTI) filter.
filters_without_profile() {
	make_bundle sh -c 'exec sleep 60'
	oci run --detach --bundle "$TMP/bundle" c0 </dev/null >"$TMP/out0" 2>&1
	awk '/^Seccomp_filters:/ { print $2 }' "/proc/$(oci state c0 | awk -F'[:,]' '/"pid"/ { print $2 + 0 }')/status"
	oci delete --force c0 >/dev/null
}

@test "seccomp: linux.seccomp compiled by libseccomp and loaded, with and without no_new_privs; root with CAP_SYS_ADMIN cannot get past it; exec gets it too" {
	require_static_tools
	local pid base nnp
	base=$(filters_without_profile)
	for nnp in True False; do
		seccomp_bundle sh -c 'mkdir /made 2>&1; unshare -m true 2>&1; echo "unshare $?"; exec sleep 60'
		edit_config "c['process']['noNewPrivileges'] = $nnp"
		oci run --detach --bundle "$TMP/bundle" c1 </dev/null >"$TMP/out" 2>&1 ||
			fail "$(cat "$TMP/out")"
		pid=$(oci state c1 | awk -F'[:,]' '/"pid"/ { print $2 + 0 }')
		for _ in $(seq 50); do
			grep -q "^unshare" "$TMP/out" && break
			sleep 0.1
		done
		# The kernel's view: in filter mode, one filter more than
		# without the profile, no_new_privs as asked.
		assert_equal "$(awk '/^Seccomp:/ { print $2 }' "/proc/$pid/status")" 2
		assert_equal "$(awk '/^Seccomp_filters:/ { print $2 }' "/proc/$pid/status")" $((base + 1))
		assert_equal "$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$pid/status")" "$([ $nnp = True ] && echo 1 || echo 0)"
		assert_equal "$(awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")" \
			"$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)"
		run cat "$TMP/out"
		assert_line --partial "Function not implemented"
		assert_line --partial "Operation not permitted"
		refute_line "unshare 0"
		[ ! -e "$ROOTFS/made" ]
		# exec: the same filter; an argument check lets other values by.
		run oci exec c1 sh -c 'mkdir /made2 2>&1; echo "mkdir $?"; grep -E "^Seccomp(_filters)?:" /proc/self/status
			linux32 true; echo "linux32 $?"; linux64 true; echo "linux64 $?"'
		assert_line "mkdir 1"
		# personality(PER_LINUX32) is refused, personality(PER_LINUX) not.
		assert_line "linux32 1"
		assert_line "linux64 0"
		assert_line "Seccomp:	2"
		assert_line "Seccomp_filters:	$((base + 1))"
		run -0 oci delete --force c1
	done
}

@test "seccomp: refusals (an agent's action, an unknown action, architecture or flag) leave nothing behind" {
	require_static_tools
	seccomp_bundle true
	local bad
	for bad in \
		'c["linux"]["seccomp"]["defaultAction"] = "SCMP_ACT_NOTIFY"' \
		'c["linux"]["seccomp"]["syscalls"][0]["action"] = "SCMP_ACT_MAYBE"' \
		'c["linux"]["seccomp"]["architectures"] = ["SCMP_ARCH_PDP11"]' \
		'c["linux"]["seccomp"]["flags"] = ["SECCOMP_FILTER_FLAG_NEW_LISTENER"]' \
		'c["linux"]["seccomp"]["syscalls"][2]["args"][0]["op"] = "SCMP_CMP_ABOUT"'; do
		seccomp_bundle true
		edit_config "$bad"
		create_refused "config.json: linux.seccomp"
	done
	run -0 oci spec --print-chain --bundle "$TMP/bundle"
	assert_line --partial "# linux.seccomp: compiled and loaded by cx-oci create"
}

@test "the same bundle under crun (runc on a hybrid host, which crun refuses) and cx-oci: the same process view" {
	require_static_tools
	local peer=runc v2=false rt
	if [ ! -d /sys/fs/cgroup/pids ] && [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		peer=crun v2=true
	fi
	command -v "$peer" >/dev/null || skip "$peer is not installed"
	make_bundle sh -c 'grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Uid|Gid|Groups):" /proc/self/status
		for n in cgroup ipc mnt net pid user uts; do echo "ns $n $(readlink /proc/self/ns/$n)"; done
		awk "{ for (i = 7; \$i != \"-\"; i++) ; print \$5, \$6, \$(i + 1) }" /proc/self/mountinfo | sort
		cat /proc/self/cgroup; cat /sys/fs/cgroup/pids.max 2>/dev/null
		hostname; ulimit -n; umask; echo "pid $$"; pwd; ls /dev'
	# With cgroup v2 alone, its namespace and mount as podman asks.
	python3 - "$TMP/bundle/config.json" "$v2" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
if sys.argv[2] == "true":
    c["linux"]["namespaces"].append({"type": "cgroup"})
    c["mounts"].append({"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "ro"]})
json.dump(c, open(sys.argv[1], "w"))
PY
	cd "$TMP/bundle"
	for rt in "$peer" cx-oci; do
		run -0 "$rt" --root "$TMP/$rt-state" run "c-$rt"
		# The namespaces as new or the host's; atime modes left out
		# (cx-bind does not set them); the devices runc makes with
		# mknod cx-oci binds from the host's, and it masks with
		# nosuid,nodev,noexec and read-only where runc does not: for
		# those, only the path; for read-only paths, only ro (crun
		# drops the flags of proc, runc and cx-oci keep them).  runc
		# also joins v1's name=systemd.
		printf '%s\n' "$output" | while read -r a b c d; do
			case $a in
			ns) [ "$c" = "$(readlink "/proc/self/ns/$b")" ] && c=host || c=own
			    echo "ns $b $c" ;;
			/dev/full | /dev/null | /dev/random | /dev/tty | /dev/urandom | /dev/zero) ;;
			/proc/kcore | /proc/timer_list | /proc/irq) echo "masked $a" ;;
			/proc/sys | /proc/sysrq-trigger) echo "read-only $a ${b%%,*}" ;;
			# crun's own link to /proc/kcore, which the spec does not ask.
			core) ;;
			# cx-cgroup joins no named v1 hierarchy (cx-cgroup(1)).
			*:name=*) ;;
			/*) echo "$a $(echo "$b" | sed -E 's/,(relatime|strictatime|noatime)//') $c" ;;
			*) echo "$a${b:+ $b}${c:+ $c}${d:+ $d}" ;;
			esac
		done >"$TMP/$rt.view"
	done
	diff "$TMP/$peer.view" "$TMP/cx-oci.view"
	# What is compared: seven capabilities, own namespaces, the mounts.
	grep -qx "CapBnd: 00000000000004eb" "$TMP/cx-oci.view"
	grep -qx "ns pid own" "$TMP/cx-oci.view"
	grep -qx "ns user host" "$TMP/cx-oci.view"
	grep -q "^/mnt/share ro " "$TMP/cx-oci.view"
	grep -qx "masked /proc/timer_list" "$TMP/cx-oci.view"
	grep -qx "read-only /proc/sys ro" "$TMP/cx-oci.view"
	grep -qx "pid 1" "$TMP/cx-oci.view"
	if $v2; then
		grep -qx 99 "$TMP/cx-oci.view"
	fi
}

@test "a relative cgroupsPath goes below the cx base; run, state and delete find it" {
	require_static_tools
	local pid
	CX_BASES=$(cx_bases)
	make_bundle sh -c 'grep -E "^[0-9]+:(pids)?:" /proc/self/cgroup; exec sleep 60'
	python3 - "$TMP/bundle/config.json" "$CG" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["cgroupsPath"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"))
PY
	oci run --detach --bundle "$TMP/bundle" c1 </dev/null >"$TMP/out" 2>&1
	run -0 oci state c1
	assert_output --partial '"status": "running"'
	# run --detach returns once the command runs, maybe before its line.
	for _ in $(seq 50); do
		grep -qE "^[0-9]+:(pids)?:/cx/$CG\$" "$TMP/out" && break
		sleep 0.1
	done
	grep -qE "^[0-9]+:(pids)?:/cx/$CG\$" "$TMP/out"
	[ -n "$(find /sys/fs/cgroup -path "*/cx/$CG" 2>/dev/null)" ]
	local bases
	bases=$(cx_bases)
	run -0 oci delete --force c1
	[ -z "$(find /sys/fs/cgroup -path "*/cx/$CG" 2>/dev/null)" ]
	[ ! -e "$TMP/state/c1" ]
	# The cx base stays, in every hierarchy it was in: every cx tool's
	# cgroups share it (the teardown removes one this test made).
	[ -n "$bases" ]
	assert_equal "$(cx_bases)" "$bases"
}

@test "--preserve-fds hands descriptor 3 on; kill --all reaches every process of the cgroup; --log-format json records a failure" {
	require_static_tools
	local procs
	make_bundle sh -c 'cat <&3; sleep 60 & exec sleep 60'
	echo through-fd-3 >"$TMP/fd3"
	oci run --detach --preserve-fds 1 --bundle "$TMP/bundle" c1 3<"$TMP/fd3" </dev/null >"$TMP/out" 2>&1
	procs=$(find /sys/fs/cgroup -path "*/$CG/ctr/cgroup.procs" 2>/dev/null | head -n 1)
	# Up to 30 s on a loaded machine: both processes there, and what
	# cat read from descriptor 3 written.
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(wc -l <"$procs")" -ge 2 ] && [ -s "$TMP/out" ] && break
		sleep 0.1
	done
	assert_equal "$(cat "$TMP/out")" through-fd-3
	[ "$(wc -l <"$procs")" -eq 2 ]
	# One more in the cgroup, outside the container's PID namespace,
	# which the death of its PID 1 would not take.
	sleep 60 &
	cx-cgroup --parent=/ attach "$CG/ctr" $!
	[ "$(wc -l <"$procs")" -eq 3 ]
	run -0 oci kill --all c1 KILL
	for _ in $(seq 50); do
		[ -z "$(cat "$procs")" ] && break
		sleep 0.1
	done
	assert_equal "$(cat "$procs")" ""
	run wait $!
	assert_equal "$status" 137
	run -0 oci delete c1
	run -125 cx-oci --root "$TMP/state" --log "$TMP/log.json" --log-format json state nope
	run -0 python3 -c 'import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    print(o["level"], o["msg"])' "$TMP/log.json"
	assert_output --partial "error container nope does not exist"
}

@test "--log that is a FIFO: with no reader the failure is not held back; with one, the reader gets the line" {
	mkfifo "$TMP/fifo"
	run -125 timeout 10 cx-oci --root "$TMP/state" --log "$TMP/fifo" state nope
	assert_output "cx-oci: container nope does not exist (in $TMP/state)"
	# A reader (a shim collecting the log) holds the FIFO open.
	exec 7<>"$TMP/fifo"
	run -125 timeout 10 cx-oci --root "$TMP/state" --log "$TMP/fifo" state gone
	run -0 timeout 5 head -n 1 <&7
	exec 7<&-
	assert_output --regexp '^[0-9T:-]+Z cx-oci: container gone does not exist \(in .*/state\)$'
	# A reader that leaves between the open and the write: EPIPE, and
	# still exit 125, not SIGPIPE's 141.  The reader waits in open(2)
	# for a writer (wchan wait_for_partner), so cx-oci's open finds
	# it; woken, it closes at once, while strace holds cx-oci's writes
	# back 3 s.
	sh -c 'exec 7<"$1"; exec 7<&-; : >"$2"' sh "$TMP/fifo" "$TMP/woke" 3>&- &
	local reader=$!
	BG_PIDS="${BG_PIDS:-} $reader"
	timeout 30 sh -c 'until [ "$(cat "/proc/$1/wchan" 2>/dev/null)" = wait_for_partner ]; do
		sleep 0.02; done' sh "$reader"
	run -125 strace -f -qq -o /dev/null -e trace=write,writev \
		-e inject=write,writev:delay_enter=3000000 \
		cx-oci --root "$TMP/state" --log "$TMP/fifo" state left
	assert_output --partial "container left does not exist"
	# It was cx-oci's open that woke the reader.
	assert [ -e "$TMP/woke" ]
	# A regular file gets the line appended, as before.
	echo old > "$TMP/log"
	run -125 cx-oci --root "$TMP/state" --log "$TMP/log" state nope
	run -0 cat "$TMP/log"
	assert_line --index 0 old
	assert_line --index 1 --partial "cx-oci: container nope does not exist"
}

@test "root.readonly: the root is made read-only after its mounts, as runc: a mount point it lacks is made, the mounts on it keep their flags, the root keeps the host's" {
	require_static_tools
	make_bundle sh -c 'awk "\$5 == \"/\" { print \"root\", \$1, \$6 } \$5 == \"/newdir\" || \$5 == \"/proc\" { print \$5, \$2, \$6 }" /proc/self/mountinfo
		touch /t 2>/dev/null || echo "root read-only"
		touch /newdir/x && echo "newdir writable"
		touch /mnt/share/x 2>/dev/null || echo "share read-only"'
	edit_config 'c["root"]["readonly"] = True; c["mounts"].append({"destination": "/newdir", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=755"]})'
	[ ! -e "$ROOTFS/newdir" ]
	run -0 oci run --bundle "$TMP/bundle" c1
	assert_line "root read-only"
	assert_line "newdir writable"
	assert_line "share read-only"
	# The root: read-only, nosuid and nodev only if the host's mount
	# that holds the rootfs has them (cx-bind adds neither here).
	local host root id opt
	host=$(awk -v m="$(stat -c %m "$ROOTFS")" '$5 == m { o = $6 } END { print o }' /proc/self/mountinfo)
	root=$(awk '$1 == "root" && NF == 3 { print $3 }' <<<"$output")
	id=$(awk '$1 == "root" && NF == 3 { print $2 }' <<<"$output")
	[[ ",$root," == *,ro,* ]]
	for opt in nosuid nodev noexec; do
		assert_equal "$opt $([[ ",$root," == *",$opt,"* ]] && echo set)" \
			"$opt $([[ ",$host," == *",$opt,"* ]] && echo set)"
	done
	# The mounts are on the root mount (their parent), with their own
	# flags: the tmpfs writable.
	assert_line --regexp "^/newdir $id rw,nosuid,nodev"
	assert_line --regexp "^/proc $id rw,nosuid,nodev,noexec"
	# The mount point was made in the rootfs, as runc makes it.
	[ -d "$ROOTFS/newdir" ] && [ ! -e "$ROOTFS/t" ]
}

@test "create: a chain that fails leaves no process, cgroup or state" {
	make_bundle true
	edit_config 'c["mounts"].append({"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["bogus=1"]})'
	run -125 oci create --bundle "$TMP/bundle" c1
	assert_output --partial "create tmpfs for"
	assert_output --partial "cx-oci: create c1: the chain stopped before the container was made"
	[ ! -e "$TMP/state/c1" ]
	[ -z "$(find /sys/fs/cgroup -path "*/$CG/ctr" 2>/dev/null)" ]
	[ ! -e "$ROOTFS/x" ]
}

@test "refusals: a bad ID, a container that exists or does not, systemd's cgroups, bad JSON" {
	make_bundle true
	run -125 oci create --bundle "$TMP/bundle" ../x
	assert_output --partial "invalid container ID '../x'"
	run -125 oci state nope
	assert_output --partial "container nope does not exist"
	run -125 oci --systemd-cgroup state nope
	assert_output --partial "cgroupfs"
	echo '{"process": ' >"$TMP/bundle/config.json"
	run -125 oci create --bundle "$TMP/bundle" c1
	assert_output --partial "config.json: line"
	[ ! -e "$TMP/state/c1" ]
	echo '{"process": {"args": "sh"}, "root": {"path": "r"}}' >"$TMP/bundle/config.json"
	run -125 oci create --bundle "$TMP/bundle" c1
	assert_output --partial "process.args must be an array"
	[ ! -e "$TMP/state/c1" ]
}

@test "spec --print-chain: the chain printed runs the same container by hand" {
	require_static_tools
	make_bundle sh -c 'hostname; grep CapBnd /proc/self/status; cat /mnt/share/file; ulimit -n'
	run -0 oci spec --print-chain --bundle "$TMP/bundle"
	assert_line --regexp "^cx-cgroup --parent=/ run --rm --pids=99 --device-deny=a '--device-allow=c 1:3 rwm' .* $CG/ctr \\\\$"
	assert_line --regexp "^cx-chroot --pivot "
	echo "$output" >"$TMP/chain.sh"
	run -0 sh "$TMP/chain.sh"
	assert_output "oci-box
CapBnd:	00000000000004eb
shared
321"
	[ ! -e "/sys/fs/cgroup/pids/$CG/ctr" ]
}

@test "spec writes a config.json that runs: root with three capabilities behind a read-only root, its mounts on that root; never over a config.json that is there" {
	require_static_tools
	mkdir "$TMP/bundle"
	run -0 oci spec --bundle "$TMP/bundle"
	assert_output ""
	python3 - "$TMP/bundle/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["root"] == {"path": "rootfs", "readonly": True}, c["root"]
assert c["process"]["args"] == ["sh"] and c["process"]["terminal"] is True
assert [n["type"] for n in c["linux"]["namespaces"]] == ["pid", "network", "ipc", "uts", "mount", "cgroup"]
PY
	cp "$TMP/bundle/config.json" "$TMP/first.json"
	run -125 oci spec --bundle "$TMP/bundle"
	assert_output "cx-oci: spec: $TMP/bundle/config.json exists: spec writes a new one only (remove it first)"
	cmp "$TMP/bundle/config.json" "$TMP/first.json"
	run -125 oci spec --bundle "$TMP/none"
	assert_output "cx-oci: spec: open the bundle $TMP/none: No such file or directory"
	[ ! -e "$TMP/none" ]
	mkdir "$TMP/other"
	run -125 oci spec --rootless --bundle "$TMP/other"
	assert_output "cx-oci: spec --rootless: cx-oci runs containers as root only"
	# The command-level --rootless is spec's alone: after run or create
	# it is a usage error, and no container is begun.
	local cmd
	for cmd in run create; do
		run -125 oci "$cmd" --rootless --bundle "$TMP/bundle" c-rl
		assert_line --index 0 "cx-oci: $cmd: --rootless is spec's (the global --rootless MODE goes before the command)"
		[ ! -e "$TMP/state/c-rl" ]
	done
	run -125 oci spec --bundle "$TMP/other" c1
	assert_line --index 0 "cx-oci: spec: no operand is taken"
	[ -z "$(ls -A "$TMP/other")" ]
	# A link in its place, even one that leads nowhere, is not followed.
	ln -s "$TMP/elsewhere" "$TMP/other/config.json"
	run -125 oci spec --bundle "$TMP/other"
	assert_output "cx-oci: spec: $TMP/other/config.json exists: spec writes a new one only (remove it first)"
	[ ! -e "$TMP/elsewhere" ]
	# On a full disk: the line says so, and the file it began is gone.
	mkdir "$TMP/full"
	run -0 cx-unshare --mount sh -c 'mount -t tmpfs -o size=4k tmpfs "$1" &&
		dd if=/dev/zero of="$1/fill" bs=4k count=1 2>/dev/null
		cx-oci spec --bundle "$1"; echo "status $?"; ls "$1"' sh "$TMP/full"
	assert_output "cx-oci: spec: write $TMP/full/config.json: No space left on device
status 125
fill"
	# It runs as written, but for a command in place of the terminal's
	# shell; with no cgroupsPath, below the cx base (teardown removes
	# one the test made).
	CX_BASES=$(cx_bases)
	ln -s "$ROOTFS" "$TMP/bundle/rootfs"
	edit_config 'c["process"]["terminal"] = False; c["process"]["args"] = ["sh", "-c", """
		grep -E "^(CapBnd|CapEff|NoNewPrivs):" /proc/self/status; hostname; ulimit -n
		touch /new 2>/dev/null || echo "root read-only"
		echo x >/dev/shm/x && echo "shm written"
		readlink /proc/self/ns/cgroup; cat /proc/self/cgroup
		cat /proc/self/mountinfo"""]'
	run -0 oci run --bundle "$TMP/bundle" c1
	assert_line "CapBnd:	0000000020000420"
	assert_line "CapEff:	0000000020000420"
	assert_line "NoNewPrivs:	1"
	assert_line cx
	assert_line 1024
	assert_line "root read-only"
	assert_line "shm written"
	[ ! -e "$ROOTFS/new" ]
	refute_line "$(readlink /proc/self/ns/cgroup)"
	# In its own cgroup namespace, each of its cgroups is the root.
	refute_line --regexp '^[0-9]+:[^:]*:/.+$'
	# The mounts are on the read-only root, not hidden under it.
	local root
	root=$(awk '$5 == "/" { print $1 }' <<<"$output")
	[ -n "$root" ]
	assert_equal "$(awk '$5 == "/" { print $6 }' <<<"$output" | cut -d, -f1)" ro
	assert_equal "$(awk -v r="$root" '$2 == r && ($5 == "/proc" || $5 == "/dev" || $5 == "/sys")' <<<"$output" | wc -l)" 3
	[ -z "$(ls -A "$TMP/state")" ]
}

@test "podman runs an image cx-overlay saved through --runtime cx-oci, execs in it, stops and removes it" {
	command -v podman >/dev/null || skip "podman is not installed"
	require_static_tools
	cd "$TMP"
	local id c cg="cx-oci-podman-$BATS_TEST_NUMBER-$$"
	CG=$cg
	P() {
		podman_here --runtime "$CX_BUILD/cx-oci" "$@"
	}
	run -0 cx-overlay save --cmd /bin/sh -e PATH=/bin out:v1 "$ROOTFS"
	run -0 P pull -q oci:out:v1
	id=${lines[-1]}
	run P run --rm --network none --cgroup-parent "/$cg" "$id" \
		sh -c 'echo "pid $$"; grep -E "^(CapBnd|Seccomp_filters):" /proc/self/status; exit 3'
	assert_failure 3
	assert_line "pid 1"
	assert_line "CapBnd:	00000000a80425fb"
	# podman's default seccomp profile, beside cx-unshare's own filter.
	assert_line "Seccomp_filters:	2"
	run -0 P run --rm -t --network none --cgroup-parent "/$cg" "$id" \
		sh -c 'tty; cut -d" " -f6,7 /proc/self/stat' </dev/null
	assert_line --regexp $'^/dev/pts/0\r*$'
	assert_line --regexp $'^1 34816\r*$'
	c=$(P run -d --network none --cgroup-parent "/$cg" "$id" sleep 60)
	run -0 P ps -q --no-trunc
	assert_output "$c"
	# --pid container:: a second container in the first's PID namespace
	# (config.json's path); with CAP_MKNOD, its device rules still keep
	# it from a device it was not given.
	run P run --rm --network none --cgroup-parent "/$cg" --pid "container:$c" "$id" \
		sh -c 'cat /proc/1/comm; echo "me $$"; mknod /tmp/null c 1 3 && echo x >/tmp/null && echo null-node
			mknod /tmp/fuse c 10 229; (exec 3</tmp/fuse) && echo fuse-opened; exit 6'
	assert_failure 6
	assert_line sleep
	refute_line "me 1"
	assert_line null-node
	assert_line --regexp "^(mknod: /tmp/fuse|sh: can't open '/tmp/fuse'): Operation not permitted$"
	refute_line fuse-opened
	# podman exec: conmon runs cx-oci exec --process; the process is in
	# the container's PID namespace, beside its PID 1, with its status.
	run P exec -e X=42 -w /etc "$c" sh -c 'echo "$X $(pwd)"; cat /proc/1/comm; exit 4'
	assert_failure 4
	assert_line "42 /etc"
	assert_line sleep
	# -t: conmon listens on the console socket; the process leads its
	# session on the pty (stat's session and tty_nr: 136 << 8 | N).
	run -0 P exec -t "$c" sh -c 'tty; cut -d" " -f6,7 /proc/self/stat' </dev/null
	assert_line --regexp $'^/dev/pts/[0-9]+\r*$'
	assert_line --regexp $'^[0-9]+ 3481[6-9]\r*$'
	# podman pause and unpause: cx-oci pause and resume.
	run -0 P pause "$c"
	run -0 P inspect -f '{{.State.Status}}' "$c"
	assert_output paused
	run -0 P unpause "$c"
	run -0 P inspect -f '{{.State.Status}}' "$c"
	assert_output running
	run -0 P stop -t 1 "$c"
	run -0 P rm "$c"
	run -0 P ps -aq
	assert_output ""
	run -0 P rmi -f "$id"
	podman_settle "$cg"
}

# containerd with its state below $TMP, started for one test and stopped
# at its end (teardown); its shim's own directory under /run/containerd
# goes too when the test made it.
start_containerd() {
	command -v containerd >/dev/null && command -v ctr >/dev/null ||
		skip "containerd is not installed"
	[ -e /run/containerd ] || CTD_MADE_RUN=1
	mkdir -p "$TMP/ctd"
	cat >"$TMP/ctd/config.toml" <<-EOF
	version = 2
	root = "$TMP/ctd/root"
	state = "$TMP/ctd/state"
	[grpc]
	  address = "$TMP/ctd/sock"
	[ttrpc]
	  address = "$TMP/ctd/sock.ttrpc"
	[debug]
	  address = "$TMP/ctd/debug.sock"
	EOF
	containerd --config "$TMP/ctd/config.toml" </dev/null >"$TMP/ctd/log" 2>&1 &
	CTD_PID=$!
	for _ in $(seq 100); do
		[ -S "$TMP/ctd/sock" ] && ctr --address "$TMP/ctd/sock" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "containerd did not start: $(tail -3 "$TMP/ctd/log")"
}

ctd() {
	ctr --address "$TMP/ctd/sock" "$@"
}

stop_containerd() {
	[ -n "${CTD_PID:-}" ] || return 0
	kill "$CTD_PID" 2>/dev/null || true
	wait "$CTD_PID" 2>/dev/null || true
	# A shim outlives the daemon; its task is already gone.
	pkill -f "containerd-shim-runc-v2 .*-address $TMP/ctd/sock" 2>/dev/null || true
	if [ -n "${CTD_MADE_RUN:-}" ]; then
		rm -rf /run/containerd
	fi
	CTD_PID=
}

@test "containerd runs an image cx-overlay saved, through its runc shim with --runc-binary cx-oci: run, exec, kill, delete" {
	require_static_tools
	start_containerd
	cd "$TMP"
	local cg="/cx-oci-ctr-$BATS_TEST_NUMBER-$$" R
	CG=${cg#/}
	R=(--runc-binary "$CX_BUILD/cx-oci" --runc-root "$TMP/runc" --cgroup "$cg/c")
	run -0 cx-overlay save --cmd /bin/sh -e PATH=/bin out:v1 "$ROOTFS"
	tar -C out -cf img.tar .
	run -0 ctd images import --index-name cx/saved:v1 img.tar
	# ctr run --rm: the shim's create, start, wait, delete.
	run ctd run --rm "${R[@]}" cx/saved:v1 t1 sh -c 'echo "pid $$"; grep CapBnd /proc/self/status; grep -E "^[0-9]+:(pids)?:" /proc/self/cgroup
		mknod /tmp/fuse c 10 229; exit 5'
	assert_failure 5
	assert_line "pid 1"
	# CAP_MKNOD is in containerd's default set; its device rules keep
	# the container from making a node of a device it was not given.
	assert_line "CapBnd:	00000000a80425fb"
	assert_line "mknod: /tmp/fuse: Operation not permitted"
	assert_line --regexp "^[0-9]+:(pids)?:$cg/c\$"
	[ -z "$(find /sys/fs/cgroup -path "*$cg/c" 2>/dev/null)" ]
	# -t: the same through a terminal (ctr writes a NUL to it first,
	# echoed as ^@, as with runc).
	run -0 script -qec "ctr --address $TMP/ctd/sock run --rm -t ${R[*]} cx/saved:v1 t0 sh -c 'tty; cut -d\" \" -f6,7 /proc/self/stat'" /dev/null </dev/null
	assert_line --regexp $'^(\^@)?/dev/pts/0\r*$'
	assert_line --regexp $'^1 34816\r*$'
	# A task in the background, an exec into it, a kill, a delete.
	run -0 ctd run -d "${R[@]}" cx/saved:v1 t2 sleep 60
	run ctd task exec --exec-id e2 t2 sh -c 'cat /proc/1/comm; exit 3'
	assert_failure 3
	assert_output sleep
	# -t: the shim listens on the console socket; ctr wants a terminal
	# of its own, which script(1) lends it.
	run -0 script -qec "ctr --address $TMP/ctd/sock task exec -t --exec-id e3 t2 sh -c 'tty; cut -d\" \" -f6,7 /proc/self/stat'" /dev/null </dev/null
	assert_line --regexp $'^/dev/pts/[0-9]+\r*$'
	assert_line --regexp $'^[0-9]+ 3481[6-9]\r*$'
	# ctr task pause, resume and ps: the shim's cx-oci pause, resume
	# and ps --format json.
	run -0 ctd task pause t2
	run -0 ctd task ls
	assert_line --regexp "^t2 +[0-9]+ +PAUSED\$"
	run -0 ctd task resume t2
	run -0 ctd task ls
	assert_line --regexp "^t2 +[0-9]+ +RUNNING\$"
	run -0 ctd task ps t2
	assert_line --regexp "^[0-9]+ "
	run -0 ctd task kill -s KILL t2
	for _ in $(seq 50); do
		ctd task ls | grep -q "t2.*STOPPED" && break
		sleep 0.1
	done
	run -0 ctd task delete t2
	run -0 ctd container rm t2
	# Its state is gone; the namespace's directory stays, as under runc.
	[ -z "$(ls -A "$TMP/runc/default")" ]
	[ -z "$(find /sys/fs/cgroup -path "*$cg/c" 2>/dev/null)" ]
	stop_containerd
}
