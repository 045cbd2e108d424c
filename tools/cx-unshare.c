/* cx-unshare: new namespaces, then the rest of argv. */
#include "die.h"
#include "exec.h"
#include "file.h"
#include "mount.h"
#include "mountinfo.h"
#include "ns.h"
#include "opt.h"
#include "parse.h"
#include "proc.h"
#include "path.h"
#include "tty-filter.h"
#include "syscalls.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
	/* 1 .. CX_NS_COUNT: the namespace options, table index + 1. */
	OPT_FORK = 100, OPT_DETACH, OPT_INIT, OPT_KILL_CHILD, OPT_MOUNT_PROC,
	OPT_WRITABLE_PROC, OPT_ALLOW_TIOCSTI,
	OPT_PROPAGATION, OPT_MAP_ROOT, OPT_MAP_USER, OPT_MAP_GROUP,
	OPT_MAP_USERS, OPT_MAP_GROUPS, OPT_SETGROUPS, OPT_HOSTNAME,
	OPT_ROOT, OPT_WD, OPT_PIDFILE, OPT_MONOTONIC, OPT_BOOTTIME,
	OPT_MOUNT_DEVPTS, OPT_MAP_AUTO, OPT_SETUID, OPT_SETGID,
};

enum { MAX_MAPS = 32, CX_HOSTNAME_MAX = 64 };

struct nsfile {
	const char *path;
	bool created;	/* we made the file, so we remove it on failure */
	bool bound;	/* the helper bound the namespace on it */
};

struct ctx {
	int flags;
	struct nsfile file[CX_NS_COUNT];
	bool fork, detach, init, mount_proc, writable_proc, allow_tiocsti, map_root;
	/* --fork with no --pid in a container's PID namespace: we wait in
	 * its sight, and leave the tree first (cx_ns_leave_for_waiting). */
	bool hide;
	int kill_sig;
	const char *proc_dir, *devpts_dir, *hostname, *root, *wd, *pidfile;
	const struct cx_propagation *propagation;
	struct cx_idmap uid[MAX_MAPS], gid[MAX_MAPS];
	int nuid, ngid;
	bool auto_uid, auto_gid;	/* our first subordinate range at 0 */
	bool map_auto;			/* both, by --map-auto */
	int64_t own_uid, own_gid;	/* the inner id we map to, or -1 */
	int setgroups;	/* -1 untouched, 0 deny, 1 allow */
	int64_t set_uid, set_gid;	/* --setuid, --setgid, or -1 */
	int64_t monotonic, boottime;
	bool has_monotonic, has_boottime;
};

static const struct poptOption options[] = {
	{ "mount", 'm', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_MNT + 1,
	  "new mount namespace (kept in FILE if given)", "FILE" },
	{ "uts", 'u', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_UTS + 1,
	  "new UTS namespace (hostname)", "FILE" },
	{ "ipc", 'i', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_IPC + 1,
	  "new IPC namespace", "FILE" },
	{ "net", 'n', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_NET + 1,
	  "new network namespace", "FILE" },
	{ "pid", 'p', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_PID + 1,
	  "new PID namespace (for the children: see --fork)", "FILE" },
	{ "user", 'U', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_USER + 1,
	  "new user namespace", "FILE" },
	{ "cgroup", 'C', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_CGROUP + 1,
	  "new cgroup namespace", "FILE" },
	{ "time", 'T', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_TIME + 1,
	  "new time namespace (for the children and the command)", "FILE" },
	{ "fork", 'f', POPT_ARG_NONE, NULL, OPT_FORK,
	  "run the command as a child, and wait for it", NULL },
	{ "detach", 0, POPT_ARG_NONE, NULL, OPT_DETACH,
	  "run the command as a child and exit at once, leaving it to our parent's reaper", NULL },
	{ "init", 0, POPT_ARG_NONE, NULL, OPT_INIT,
	  "with --pid: stay as PID 1, reap orphans, pass signals on", NULL },
	{ "kill-child", 0, POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL,
	  OPT_KILL_CHILD, "when cx-unshare dies, send SIGNAL (KILL) to the child",
	  "SIGNAL" },
	{ "mount-proc", 0, POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL,
	  OPT_MOUNT_PROC, "mount a new proc on DIR (/proc), inside --root",
	  "DIR" },
	{ "writable-proc", 0, POPT_ARG_NONE, NULL, OPT_WRITABLE_PROC,
	  "with --mount-proc: leave its sys/, sysrq-trigger, irq/, bus/, fs/, scsi/, acpi/ writable",
	  NULL },
	{ "allow-tiocsti", 0, POPT_ARG_NONE, NULL, OPT_ALLOW_TIOCSTI,
	  "let the command push input into its terminal (TIOCSTI, TIOCLINUX)",
	  NULL },
	{ "mount-devpts", 0, POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL,
	  OPT_MOUNT_DEVPTS, "mount a new devpts on DIR (/dev/pts), inside --root",
	  "DIR" },
	{ "propagation", 0, POPT_ARG_STRING, NULL, OPT_PROPAGATION,
	  "private|shared|slave|unchanged (private)", "MODE" },
	{ "map-root-user", 'r', POPT_ARG_NONE, NULL, OPT_MAP_ROOT,
	  "map our user and group to root inside (implies --user)", NULL },
	{ "map-user", 0, POPT_ARG_STRING, NULL, OPT_MAP_USER,
	  "map our user to USER inside (implies --user)", "USER" },
	{ "map-group", 0, POPT_ARG_STRING, NULL, OPT_MAP_GROUP,
	  "map our group to GROUP inside (implies --user)", "GROUP" },
	{ "map-users", 0, POPT_ARG_STRING, NULL, OPT_MAP_USERS,
	  "map a range of users, INNER:OUTER:COUNT, or auto", "MAP" },
	{ "map-groups", 0, POPT_ARG_STRING, NULL, OPT_MAP_GROUPS,
	  "map a range of groups, INNER:OUTER:COUNT, or auto", "MAP" },
	{ "map-auto", 0, POPT_ARG_NONE, NULL, OPT_MAP_AUTO,
	  "map our first /etc/subuid and /etc/subgid ranges from 0 (newuidmap)", NULL },
	{ "setuid", 'S', POPT_ARG_STRING, NULL, OPT_SETUID,
	  "run the command as UID in the new namespaces (0: root of a new user namespace)", "UID" },
	{ "setgid", 'G', POPT_ARG_STRING, NULL, OPT_SETGID,
	  "run the command as GID, with no supplementary groups", "GID" },
	{ "setgroups", 0, POPT_ARG_STRING, NULL, OPT_SETGROUPS,
	  "allow|deny setgroups(2) in the user namespace", "MODE" },
	{ "hostname", 0, POPT_ARG_STRING, NULL, OPT_HOSTNAME,
	  "set the hostname (needs --uts)", "NAME" },
	{ "root", 'R', POPT_ARG_STRING, NULL, OPT_ROOT,
	  "chroot to DIR before running the command", "DIR" },
	{ "wd", 'w', POPT_ARG_STRING, NULL, OPT_WD,
	  "change to DIR (inside --root) before running the command", "DIR" },
	{ "pidfile", 0, POPT_ARG_STRING, NULL, OPT_PIDFILE,
	  "write the host PID of the process that runs the command", "FILE" },
	{ "monotonic", 0, POPT_ARG_STRING, NULL, OPT_MONOTONIC,
	  "offset of CLOCK_MONOTONIC in the time namespace", "SECONDS" },
	{ "boottime", 0, POPT_ARG_STRING, NULL, OPT_BOOTTIME,
	  "offset of CLOCK_BOOTTIME in the time namespace", "SECONDS" },
	POPT_TABLEEND
};

/* --map-root-user is a map of its own: one id each, to root. */
static const struct cx_opt_conflict conflicts[] = {
	{ OPT_MAP_ROOT, OPT_MAP_USER, NULL },
	{ OPT_MAP_ROOT, OPT_MAP_GROUP, NULL },
	{ 0, 0, NULL }
};

static const struct cx_tool tool = {
	"cx-unshare", "[options] [COMMAND [ARG]...]",
	"Run COMMAND in new namespaces.", options, conflicts,
};

static int push_map(struct cx_idmap *maps, int *n, struct cx_idmap m,
		    const char *opt)
{
	if (*n == MAX_MAPS)
		return cx_fail(0, "too many %s ranges", opt);
	maps[(*n)++] = m;
	return 0;
}

static int add_map(struct cx_idmap *maps, int *n, const char *arg,
		   const char *opt)
{
	struct cx_idmap m;

	if (cx_parse_idmap(arg, &m) < 0)
		return cx_opt_invalid(opt, arg, "INNER:OUTER:COUNT");
	return push_map(maps, n, m, opt);
}

static int on_option(void *p, int val, const char *arg)
{
	struct ctx *c = p;
	uid_t uid;
	gid_t gid;
	int has_gid;

	if (val >= 1 && val <= CX_NS_COUNT) {
		c->flags |= cx_ns_table[val - 1].flag;
		c->file[val - 1].path = arg;
		return 0;
	}
	switch (val) {
	case OPT_FORK:
		c->fork = true;
		return 0;
	case OPT_DETACH:
		c->detach = c->fork = true;
		return 0;
	case OPT_INIT:
		c->init = c->fork = true;
		return 0;
	case OPT_KILL_CHILD:
		c->fork = true;
		c->kill_sig = SIGKILL;
		if (arg && cx_parse_signal(arg, &c->kill_sig) < 0)
			return cx_opt_invalid("--kill-child", arg,
					      "a signal name or number");
		return 0;
	case OPT_MOUNT_PROC:
		c->mount_proc = true;
		c->flags |= CLONE_NEWNS;
		c->proc_dir = arg ? arg : "/proc";
		return 0;
	case OPT_ALLOW_TIOCSTI:
		c->allow_tiocsti = true;
		return 0;
	case OPT_WRITABLE_PROC:
		c->writable_proc = true;
		return 0;
	case OPT_MOUNT_DEVPTS:
		c->flags |= CLONE_NEWNS;
		c->devpts_dir = arg ? arg : "/dev/pts";
		return 0;
	case OPT_PROPAGATION:
		c->propagation = cx_propagation_by_name(arg);
		if (!c->propagation || c->propagation->flag == MS_UNBINDABLE)
			return cx_opt_invalid("--propagation", arg,
					      "private, shared, slave or unchanged");
		return 0;
	case OPT_MAP_ROOT:
		c->map_root = true;
		c->flags |= CLONE_NEWUSER;
		return 0;
	case OPT_MAP_USER:
		if (cx_parse_user(arg, "/etc/passwd", &uid, &gid, &has_gid) < 0)
			return cx_opt_invalid("--map-user", arg,
					      "no such user in /etc/passwd");
		c->flags |= CLONE_NEWUSER;
		c->own_uid = uid;
		return push_map(c->uid, &c->nuid,
				(struct cx_idmap){ uid, geteuid(), 1 },
				"--map-user");
	case OPT_MAP_GROUP:
		if (cx_parse_group(arg, "/etc/group", &gid) < 0)
			return cx_opt_invalid("--map-group", arg,
					      "no such group in /etc/group");
		c->flags |= CLONE_NEWUSER;
		c->own_gid = gid;
		return push_map(c->gid, &c->ngid,
				(struct cx_idmap){ gid, getegid(), 1 },
				"--map-group");
	case OPT_MAP_USERS:
		c->flags |= CLONE_NEWUSER;
		if (strcmp(arg, "auto") == 0)
			return c->auto_uid = true, 0;
		return add_map(c->uid, &c->nuid, arg, "--map-users");
	case OPT_MAP_GROUPS:
		c->flags |= CLONE_NEWUSER;
		if (strcmp(arg, "auto") == 0)
			return c->auto_gid = true, 0;
		return add_map(c->gid, &c->ngid, arg, "--map-groups");
	case OPT_MAP_AUTO:
		c->flags |= CLONE_NEWUSER;
		c->auto_uid = c->auto_gid = c->map_auto = true;
		return 0;
	case OPT_SETUID:
	case OPT_SETGID: {
		uint32_t id;

		if (cx_parse_u32(arg, &id) < 0 || id == UINT32_MAX)
			return cx_opt_invalid(val == OPT_SETUID ? "--setuid" : "--setgid",
					      arg, "a number");
		*(val == OPT_SETUID ? &c->set_uid : &c->set_gid) = id;
		return 0;
	}
	case OPT_SETGROUPS:
		if (strcmp(arg, "allow") && strcmp(arg, "deny"))
			return cx_opt_invalid("--setgroups", arg, "allow or deny");
		c->setgroups = strcmp(arg, "allow") == 0;
		return 0;
	case OPT_HOSTNAME:
		c->hostname = arg;
		return 0;
	case OPT_ROOT:
		c->root = arg;
		return 0;
	case OPT_WD:
		c->wd = arg;
		return 0;
	case OPT_PIDFILE:
		c->pidfile = arg;
		return 0;
	case OPT_MONOTONIC:
	case OPT_BOOTTIME:
		if (cx_parse_i64(arg, val == OPT_MONOTONIC ? &c->monotonic :
							   &c->boottime) < 0)
			return cx_opt_invalid(val == OPT_MONOTONIC ? "--monotonic" :
					      "--boottime", arg, "whole seconds");
		*(val == OPT_MONOTONIC ? &c->has_monotonic : &c->has_boottime) = true;
		return 0;
	}
	return cx_fail(0, "unhandled option");
}

/* Our first subordinate range (subuid(5)), from inner id 0, around
 * the id that a map of our own takes (HOLE, or -1). */
static void add_subordinate(struct cx_idmap *maps, int *n, int64_t hole,
			    const char *db, const char *opt)
{
	char name[256];
	gid_t gid;
	uid_t uid = geteuid();
	struct cx_idmap range = { 0, 0, 0 }, part[2];
	int k;

	if (cx_lookup_uid("/etc/passwd", uid, name, sizeof(name), &gid) < 0)
		snprintf(name, sizeof(name), "%u", (unsigned)uid);
	if (cx_subid_first(db, name, uid, &range.outer, &range.count) < 0)
		cx_die("%s: %s has no range for %s (uid %u)%s", opt, db,
		       name, (unsigned)uid,
		       errno == ENOENT ? "; root gives one: usermod --add-subuids FIRST-LAST --add-subgids FIRST-LAST USER" :
					 "");
	k = hole >= 0 ? cx_idmap_around(range, (uint32_t)hole, part) :
			(part[0] = range, 1);
	for (int i = 0; i < k; i++)
		if (push_map(maps, n, part[i], opt) < 0)
			cx_usage_error("%s", cx_last_msg());
}

/* The kernel refuses a map whose ranges overlap, inside or outside,
 * with a bare EINVAL: say which two. */
static void check_overlap(const struct cx_idmap *m, int n, const char *opt)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			bool in = m[i].inner < m[j].inner + (uint64_t)m[j].count &&
				  m[j].inner < m[i].inner + (uint64_t)m[i].count;
			bool out = m[i].outer < m[j].outer + (uint64_t)m[j].count &&
				   m[j].outer < m[i].outer + (uint64_t)m[i].count;

			if (in || out)
				cx_usage_error("%s: the ranges %u:%u:%u and %u:%u:%u overlap %s",
					       opt, m[i].inner, m[i].outer,
					       m[i].count, m[j].inner,
					       m[j].outer, m[j].count,
					       in ? "inside" : "outside");
		}
}

/* Refuse what cannot work together, naming both options. */
static void check(struct ctx *c)
{
	if (c->writable_proc && !c->mount_proc)
		cx_usage_error("--writable-proc needs --mount-proc");
	if (c->detach && c->init)
		cx_usage_error("--detach and --init cannot be used together: the init's child would outlive it");
	if (c->detach && c->kill_sig)
		cx_usage_error("--detach and --kill-child cannot be used together: nothing stays to die");
	if (c->init && !(c->flags & CLONE_NEWPID))
		cx_usage_error("--init needs --pid");
	if (c->init && (c->set_uid > 0 || c->set_gid > 0))
		cx_usage_error("--init with --setuid or --setgid other than 0: the init needs its capabilities; change the command's ids later in the chain (cx-caps --user)");
	if (c->file[CX_NS_PID].path && !c->fork)
		cx_usage_error("--pid=FILE needs --fork: the namespace lives from its first process on");
	if (c->hostname && !(c->flags & CLONE_NEWUTS))
		cx_usage_error("--hostname needs --uts (it would rename the host)");
	/* The kernel's limit (__NEW_UTS_LEN), not the C library's
	 * HOST_NAME_MAX: musl's is 255. */
	if (c->hostname && strlen(c->hostname) > CX_HOSTNAME_MAX) {
		cx_opt_invalid("--hostname", c->hostname,
			       "longer than %d bytes", CX_HOSTNAME_MAX);
		cx_usage_error("%s", cx_last_msg());
	}
	if ((c->has_monotonic || c->has_boottime) && !(c->flags & CLONE_NEWTIME))
		cx_usage_error("--monotonic and --boottime need --time");
	if (c->propagation && !(c->flags & CLONE_NEWNS))
		cx_usage_error("--propagation needs --mount");
	if (c->setgroups >= 0 && !(c->flags & CLONE_NEWUSER))
		cx_usage_error("--setgroups needs --user");
	if (c->map_root) {
		if (push_map(c->uid, &c->nuid,
			     (struct cx_idmap){ 0, geteuid(), 1 },
			     "--map-users") < 0 ||
		    push_map(c->gid, &c->ngid,
			     (struct cx_idmap){ 0, getegid(), 1 },
			     "--map-groups") < 0)
			cx_usage_error("%s", cx_last_msg());
		c->own_uid = c->own_gid = 0;
	}
	if (c->auto_uid)
		add_subordinate(c->uid, &c->nuid, c->own_uid, "/etc/subuid",
				c->map_auto ? "--map-auto" : "--map-users auto");
	if (c->auto_gid)
		add_subordinate(c->gid, &c->ngid, c->own_gid, "/etc/subgid",
				c->map_auto ? "--map-auto" : "--map-groups auto");
	check_overlap(c->uid, c->nuid, "--map-users");
	check_overlap(c->gid, c->ngid, "--map-groups");
	/* util-linux's meaning: us as root, and setgroups denied so that
	 * an unprivileged caller may write gid_map.  With ranges besides,
	 * newgidmap writes it, and setgroups stays for the groups there. */
	if (c->map_root && c->ngid == 1) {
		if (c->setgroups == 1)
			cx_usage_error("--map-root-user denies setgroups; it conflicts with --setgroups allow");
		c->setgroups = 0;
	}
	if (!c->propagation)
		c->propagation = cx_propagation_by_name("private");
}

static int channel(int fds[2])
{
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
}

static int tell(int fd, const void *buf, size_t len)
{
	return send(fd, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* What we made and must take back if we fail before the command runs.
 * Namespace files belong to the helper once it exists (only it, in the
 * original mount namespace, can unmount them); until then, to us. */
static struct undo {
	struct ctx *c;
	bool helper_owns;	/* the helper removes the namespace files */
	int commit;		/* to the helper: 'f' if we fail, EOF at exec */
	int piddir;		/* the pidfile's directory */
	int pidfd;		/* the pidfile, open for writing */
	char *pidbase;
	bool pidtmp;		/* the pidfile has no name yet (O_TMPFILE) */
	bool pidmade;		/* its name is ours to remove */
} undo = { .commit = -1, .piddir = -1, .pidfd = -1 };

static void remove_ns_files(struct ctx *c)
{
	for (int i = 0; i < CX_NS_COUNT; i++)
		if (c->file[i].created)
			unlink(c->file[i].path);
}

/* atexit: runs on every exit() before the command, never after exec;
 * and once more, to no effect, after a call of its own. */
static void undo_at_exit(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	if (undo.commit >= 0 && tell(undo.commit, "f", 1) < 0 &&
	    errno != EPIPE)
		cx_warn_errno("tell the helper to undo");
	if (undo.c && !undo.helper_owns)
		remove_ns_files(undo.c);
	/* After --user, a directory that only our capabilities opened
	 * before the unshare is shut to us: say that the file stays. */
	if (undo.piddir >= 0 && undo.pidmade &&
	    unlinkat(undo.piddir, undo.pidbase, 0) < 0 && errno != ENOENT)
		cx_warn_errno("remove pidfile %s", undo.c ? undo.c->pidfile :
			      undo.pidbase);
}

/* A namespace file must exist to be a mount point: make it, and
 * remember that we did, so a failure removes it again. */
static void make_ns_files(struct ctx *c)
{
	for (int i = 0; i < CX_NS_COUNT; i++) {
		int fd;

		if (!c->file[i].path)
			continue;
		fd = open(c->file[i].path,
			  O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			  0444);
		if (fd >= 0) {
			c->file[i].created = true;
			close(fd);
			continue;
		}
		if (errno == EEXIST)
			fd = open(c->file[i].path,
				  O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			cx_die_errno("create namespace file %s", c->file[i].path);
		close(fd);
	}
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (cx_verbose) {
		char shown[512];
		size_t i;

		/* A map's lines on one line. */
		for (i = 0; text[i] && i + 1 < sizeof(shown); i++)
			shown[i] = text[i] == '\n' && text[i + 1] ? ',' :
				   text[i] == '\n' ? '\0' : text[i];
		shown[i] = '\0';
		cx_say("write %s: %s", path, shown);
	}

	if (fd < 0)
		return cx_fail(errno, "open %s", path);
	n = write(fd, text, strlen(text));
	if (n < 0 || (size_t)n != strlen(text)) {
		int err = n < 0 ? errno : EIO;

		close(fd);
		return cx_fail(err, "write %s", path);
	}
	close(fd);
	return 0;
}

static int write_map(pid_t pid, const char *file, const struct cx_idmap *m,
		     int n)
{
	char path[64], text[MAX_MAPS * 40] = "";
	size_t len = 0;

	if (!n)
		return 0;
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%u %u %u\n", m[i].inner, m[i].outer,
					m[i].count);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return write_file(path, text);
}

/* Without CAP_SETUID (CAP_SETGID) where we are, the kernel takes one
 * map line only, of our own id: any other map is written by shadow's
 * setuid newuidmap (newgidmap), which checks it against /etc/subuid
 * (/etc/subgid). */
static bool needs_setuid_tool(const struct cx_idmap *m, int n, unsigned own)
{
	return n && geteuid() != 0 &&
	       !(n == 1 && m[0].outer == own && m[0].count == 1);
}

static int run_map_tool(const char *tool, pid_t pid, const char *db,
			const struct cx_idmap *m, int n)
{
	char num[1 + 3 * MAX_MAPS][12];
	char *argv[3 + 3 * MAX_MAPS];
	int k = 0, status;
	pid_t child;

	argv[k++] = (char *)tool;
	snprintf(num[0], sizeof(num[0]), "%d", (int)pid);
	argv[k++] = num[0];
	for (int i = 0; i < n; i++) {
		uint32_t v[3] = { m[i].inner, m[i].outer, m[i].count };

		for (int j = 0; j < 3; j++) {
			snprintf(num[1 + 3 * i + j], sizeof(num[0]), "%u", v[j]);
			argv[k++] = num[1 + 3 * i + j];
		}
	}
	argv[k] = NULL;
	child = fork();
	if (child < 0)
		return cx_fail(errno, "fork for %s", tool);
	if (child == 0) {
		execvp(tool, argv);
		cx_warn("%s: %s%s", tool, strerror(errno),
			errno == ENOENT ? " (Debian's uidmap package has it; without root, a map of more than our own id needs it)" : "");
		_exit(127);
	}
	if (waitpid(child, &status, 0) < 0)
		return cx_fail(errno, "wait for %s", tool);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return cx_fail(0, "%s could not be run", tool);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return cx_fail(0, "%s %d refused the map (the ranges must be ours in %s)",
			       tool, (int)pid, db);
	return 0;
}

static int set_map(pid_t pid, bool uid, const struct cx_idmap *m, int n)
{
	if (needs_setuid_tool(m, n, uid ? (unsigned)geteuid() : (unsigned)getegid()))
		return run_map_tool(uid ? "newuidmap" : "newgidmap", pid,
				    uid ? "/etc/subuid" : "/etc/subgid", m, n);
	return write_map(pid, uid ? "uid_map" : "gid_map", m, n);
}

static int bind_ns(struct ctx *c, int i, pid_t pid, const char *file)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, file);
	if (mount(path, c->file[i].path, NULL, MS_BIND, NULL) < 0) {
		if (errno == EINVAL && i == CX_NS_MNT)
			return cx_fail(errno, "bind mount namespace to %s (put the file on a private mount: mount --bind DIR DIR; mount --make-private DIR)",
				       c->file[i].path);
		return cx_fail(errno, "bind %s namespace to %s",
			       cx_ns_table[i].name, c->file[i].path);
	}
	c->file[i].bound = true;
	return 0;
}

/* The helper's first stage, from the parent's namespaces, once the
 * target has unshared: id maps (setgroups first: the kernel wants
 * "deny" written before gid_map when the writer lacks CAP_SETGID), then
 * the bind mounts that keep namespaces alive.  Only a process outside
 * the new user namespace may write a map of several ranges, and only
 * one outside the new mount namespace makes a bind that the host sees. */
static int helper_work(struct ctx *c, pid_t target)
{
	char path[64];

	if (c->setgroups >= 0) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)target);
		if (write_file(path, c->setgroups ? "allow" : "deny") < 0)
			return -1;
	}
	if (set_map(target, true, c->uid, c->nuid) < 0 ||
	    set_map(target, false, c->gid, c->ngid) < 0)
		return -1;
	for (int i = 0; i < CX_NS_COUNT; i++) {
		const struct cx_ns *ns = &cx_ns_table[i];

		/* The pid namespace's file can be bound only once the
		 * namespace has its init: until then pid_for_children is
		 * ENOENT.  The second stage does it. */
		if (!c->file[i].path || i == CX_NS_PID)
			continue;
		if (bind_ns(c, i, target,
			    ns->child_file ? ns->child_file : ns->file) < 0)
			return -1;
	}
	return 0;
}

static bool need_helper(struct ctx *c)
{
	for (int i = 0; i < CX_NS_COUNT; i++)
		if (c->file[i].path)
			return true;
	return c->nuid || c->ngid || c->setgroups >= 0;
}

/* Unmount what the helper bound, remove the files we made, and go. */
static noreturn void helper_undo(struct ctx *c)
{
	for (int i = 0; i < CX_NS_COUNT; i++)
		if (c->file[i].bound)
			umount2(c->file[i].path, MNT_DETACH);
	remove_ns_files(c);
	_exit(CX_EXIT_FAIL);
}

/* The helper, in the original namespaces.  Stage 1 after the unshare,
 * stage 2 (the pid namespace's file) once the child exists; each
 * acknowledged with a byte.  Then it waits: an 'f' means the tool failed
 * before the command ran, so it undoes stage 1 and 2; EOF means the
 * command was executed (the pipe is close-on-exec), so it just goes. */
static noreturn void helper_main(struct ctx *c, pid_t target, int go, int ack,
				 int commit)
{
	pid_t child = 0;
	char byte = 0;

	if (read(go, &byte, 1) != 1)
		helper_undo(c);	/* the tool failed to unshare */
	if (helper_work(c, target) < 0) {
		cx_warn_last();
		helper_undo(c);
	}
	if (write(ack, &byte, 1) != 1)
		helper_undo(c);
	if (c->file[CX_NS_PID].path) {
		if (read(go, &child, sizeof(child)) != sizeof(child))
			helper_undo(c);
		if (bind_ns(c, CX_NS_PID, child, "pid") < 0) {
			cx_warn_last();
			helper_undo(c);
		}
		if (write(ack, &byte, 1) != 1)
			helper_undo(c);
	}
	close(go);
	close(ack);
	if (read(commit, &byte, 1) == 1)
		helper_undo(c);
	_exit(0);
}

struct helper {
	int go;		/* to the helper: a byte once unshared, then the child */
	int ack;	/* from the helper: a byte for each stage done */
};

/* Fork the helper before the unshare, as a grandchild, so that nobody
 * has to reap it once the command runs. */
static void start_helper(struct ctx *c, struct helper *h)
{
	int go[2], ack[2], commit[2], status;
	pid_t self = getpid(), mid;

	/* Sockets, not pipes: send(MSG_NOSIGNAL) to a helper that has
	 * gone fails with EPIPE instead of killing us with SIGPIPE. */
	if (channel(go) < 0 || channel(ack) < 0 || channel(commit) < 0)
		cx_die_errno("socketpair");
	mid = fork();
	if (mid < 0)
		cx_die_errno("fork");
	if (mid == 0) {
		undo.c = NULL;	/* atexit is ours no more */
		/* Nor is the pidfile: the helper has no use for it. */
		if (undo.piddir >= 0)
			close(undo.piddir);
		if (undo.pidfd >= 0)
			close(undo.pidfd);
		undo.piddir = undo.pidfd = -1;
		close(go[1]);
		close(ack[0]);
		close(commit[1]);
		if (fork() == 0)
			helper_main(c, self, go[0], ack[1], commit[0]);
		_exit(0);
	}
	close(go[0]);
	close(ack[1]);
	close(commit[0]);
	if (waitpid(mid, &status, 0) < 0)
		cx_die_errno("wait for the helper");
	h->go = go[1];
	h->ack = ack[0];
	undo.commit = commit[1];
	undo.helper_owns = true;
}

/* Wait for the helper's next stage; exit if it failed (it has said why
 * and undone its work). */
static void helper_stage(struct helper *h)
{
	char byte;

	if (read(h->ack, &byte, 1) != 1)
		exit(CX_EXIT_FAIL);
}

/* A sysctl's first number, or -1. */
static long sysctl_number(const char *path)
{
	char text[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return n > 0 ? strtol(text, NULL, 10) : -1;
}

/* unshare(2) refused: the causes that fit an EPERM, checked. */
static noreturn void unshare_failed(int flags)
{
	int err = errno;

	if (err == EPERM && !(flags & CLONE_NEWUSER) && geteuid() != 0)
		cx_die("unshare: %s: without root, namespaces are made inside a user namespace of one's own: add --map-root-user (-r) or --user",
		       strerror(err));
	if ((err == EPERM || err == ENOSPC) && (flags & CLONE_NEWUSER)) {
		if (sysctl_number("/proc/sys/kernel/unprivileged_userns_clone") == 0 &&
		    geteuid() != 0)
			cx_die("unshare: %s: this kernel lets only root make user namespaces (sysctl kernel.unprivileged_userns_clone=0)",
			       strerror(err));
		if (sysctl_number("/proc/sys/user/max_user_namespaces") == 0)
			cx_die("unshare: %s: user namespaces are turned off here (sysctl user.max_user_namespaces=0)",
			       strerror(err));
		if (err == EPERM && geteuid() != 0 &&
		    sysctl_number("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
			cx_die("unshare: %s: AppArmor keeps user namespaces from unprivileged programs here (sysctl kernel.apparmor_restrict_unprivileged_userns=1): a profile must allow the program 'userns'",
			       strerror(err));
		if (err == ENOSPC)
			cx_die("unshare: %s: a limit of namespaces is reached: sysctl user.max_user_namespaces (or the max_*_namespaces of another kind asked for), here or in a user namespace above this one (each counts those made below it), or 32 nested in one another",
			       strerror(err));
	}
	errno = err;
	cx_die_errno("unshare");
}

static void do_unshare(struct ctx *c, struct helper *h)
{
	/* A non-dumpable process's /proc/PID files belong to root, so an
	 * unprivileged helper could not write our maps: dumpable for as
	 * long as it takes.  (What runs here after a root change is a
	 * sealed copy, not the host's file; see cx.7.) */
	bool open_up = h && need_helper(c) && geteuid() != 0;

	h->go = h->ack = -1;
	if (need_helper(c))
		start_helper(c, h);
	if (open_up)
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (cx_verbose) {
		char kinds[128] = "";

		for (int i = 0; i < CX_NS_COUNT; i++)
			if (c->flags & cx_ns_table[i].flag)
				snprintf(kinds + strlen(kinds),
					 sizeof(kinds) - strlen(kinds), "%s%s",
					 *kinds ? "," : "", cx_ns_table[i].name);
		cx_say("unshare %s", kinds);
	}
	if (unshare(c->flags) < 0)
		unshare_failed(c->flags);
	if (h->go >= 0) {
		if (tell(h->go, "", 1) < 0)
			exit(CX_EXIT_FAIL);	/* it said why */
		helper_stage(h);
	}
	if (open_up)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* Offsets go in before any process enters the time namespace. */
static void set_time_offsets(struct ctx *c)
{
	char text[96];
	size_t n = 0;

	if (c->has_monotonic)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "monotonic %lld 0\n",
				      (long long)c->monotonic);
	if (c->has_boottime)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "boottime %lld 0\n", (long long)c->boottime);
	if (n && write_file("/proc/self/timens_offsets", text) < 0)
		cx_die_last();
}

/* Without --fork the command's own process goes into the new time
 * namespace too.  Kernels before 6.2 move a process there at fork only,
 * not at execve: the command would keep the old clocks, and vfork(2),
 * which the kernel refuses across time namespaces, would fail in it
 * (dash's "Cannot fork").  A process alone in its thread group may go
 * in by setns(2), once the offsets are in.  With no /proc there is no
 * name for it: the kernel's own switch at execve is left to do it. */
static void enter_time_ns(void)
{
	int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return;
	if (fd < 0)
		cx_die_errno("open /proc/self/ns/time_for_children");
	if (setns(fd, CLONE_NEWTIME) < 0)
		cx_die_errno("setns into the new time namespace");
	close(fd);
}

/* The pidfile made under its name, empty: ours to remove. */
static int name_pidfile(const char *path)
{
	int fd = openat(undo.piddir, undo.pidbase, O_WRONLY | O_CREAT |
				   O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		cx_die_errno("open pidfile %s", path);
	undo.pidmade = true;
	return fd;
}

#if !defined(SYS_faccessat2) && defined(__NR_faccessat2)
#define SYS_faccessat2 __NR_faccessat2
#endif

/* Whether DIRFD takes a new name from us with no capability in effect.
 * Once unshare(CLONE_NEWUSER) has run, our capabilities count only in
 * the new namespace, over no host file whose owner it does not map: a
 * directory that only CAP_DAC_OVERRIDE opened to us (another user's,
 * mode 0700) is shut then.  Asked by a child of ours that empties its
 * effective set first: our own credentials are never touched.  False
 * when that cannot be told. */
static bool dir_open_without_caps(int dirfd)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct caps[2];
	int status;
	pid_t pid;

	if (syscall(SYS_capget, &hdr, caps) < 0)
		return false;
	/* None in effect: what we could open, we still can. */
	if (!caps[0].effective && !caps[1].effective)
		return true;
#ifdef SYS_faccessat2
	pid = fork();
	if (pid == 0) {
		caps[0].effective = caps[1].effective = 0;
		if (syscall(SYS_capset, &hdr, caps) < 0)
			_exit(2);
		if (syscall(SYS_faccessat2, dirfd, "", W_OK | X_OK,
			    AT_EACCESS | AT_EMPTY_PATH) == 0)
			_exit(0);
		_exit(errno == EACCES ? 1 : 2);
	}
	if (pid < 0)
		return false;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
#else
	(void)dirfd;
	(void)pid;
	(void)status;
	return false;
#endif
}

static void open_pidfile(struct ctx *c, int *fd)
{
	char shown[PATH_MAX + 16], *copy;
	struct stat st;
	size_t len;

	*fd = -1;
	if (!c->pidfile)
		return;
	snprintf(shown, sizeof(shown), "pidfile %s", c->pidfile);
	/* "dir/pid/" names a directory, not a file "pid" in dir. */
	len = strlen(c->pidfile);
	if (len && c->pidfile[len - 1] == '/') {
		errno = EISDIR;
		cx_die_errno("open pidfile %s", c->pidfile);
	}
	/* Remembered by directory and name: the path may mean something
	 * else once our root or mounts change. */
	copy = strdup(c->pidfile);
	if (!copy || !(undo.pidbase = strdup(basename(copy))))
		cx_die_errno("strdup");
	strcpy(copy, c->pidfile);
	undo.piddir = open(dirname(copy), O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (undo.piddir < 0)
		cx_die_errno("open pidfile %s", c->pidfile);
	/* There already: truncated if it is a regular file, never opened
	 * otherwise (a FIFO would block us, a device take the PID).  It
	 * is not ours to remove. */
	*fd = cx_open_regular_at(undo.piddir, undo.pidbase, O_NOFOLLOW,
				 O_WRONLY | O_TRUNC, shown);
	if ((undo.pidfd = *fd) >= 0)
		return;
	/* ENOENT from the reopen through /proc (none mounted) is no
	 * missing name: only a name that is not there is made. */
	if (cx_last_errno() != ENOENT ||
	    fstatat(undo.piddir, undo.pidbase, &st, AT_SYMLINK_NOFOLLOW) == 0)
		cx_die_last();
	/* A new file, without a name until it holds the PID (write_pid
	 * links it in): whoever waits for the name never reads it
	 * empty.  Where the file system has no O_TMPFILE (overlayfs
	 * before 6.6, 9p), it is made with its name, empty, as before;
	 * so too with --user, where the name would be linked in after
	 * the unshare, in a directory that only our capabilities open. */
	*fd = openat(undo.piddir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (*fd >= 0 && (c->flags & CLONE_NEWUSER) &&
	    !dir_open_without_caps(undo.piddir)) {
		close(*fd);
		*fd = -1;
	}
	if (*fd >= 0)
		undo.pidtmp = true;
	else
		*fd = name_pidfile(c->pidfile);
	undo.pidfd = *fd;
}

/* The unnamed pidfile FD, now that it holds the PID, under its name:
 * by the descriptor itself (AT_EMPTY_PATH, which asks for
 * CAP_DAC_READ_SEARCH before 6.10, and the opener's credentials
 * after), else through /proc.  Never over a name someone made
 * meanwhile.  0, or -1 with errno when neither way can link. */
static int link_pidfile(int fd)
{
	char proc[64];

	if (linkat(fd, "", undo.piddir, undo.pidbase, AT_EMPTY_PATH) < 0) {
		if (errno == EEXIST)
			return -1;
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (linkat(AT_FDCWD, proc, undo.piddir, undo.pidbase,
			   AT_SYMLINK_FOLLOW) < 0)
			return -1;
	}
	undo.pidmade = true;
	return 0;
}

/* Before the command runs: if this fails, we exit 125 and it never
 * runs (the child and the init's command wait for our word). */
static void write_pid(int fd, pid_t pid, const char *path)
{
	char text[16];
	int len;

	if (fd < 0)
		return;
	len = snprintf(text, sizeof(text), "%d\n", (int)pid);
	if (cx_write_all(fd, text, (size_t)len) < 0)
		cx_die_errno("write pidfile %s", path);
	if (!undo.pidtmp)
		return;
	undo.pidtmp = false;
	if (link_pidfile(fd) == 0)
		return;
	if (errno == EEXIST)
		cx_die_errno("pidfile %s: link the written file into place", path);
	/* Neither way links it (no /proc, say): under its name, as where
	 * there is no O_TMPFILE. */
	fd = name_pidfile(path);
	if (cx_write_all(fd, text, (size_t)len) < 0)
		cx_die_errno("write pidfile %s", path);
	close(fd);
}

/* Inside: proc (resolved inside the new root, so that a symlink there
 * cannot send the mount to the host), then the root and the working
 * directory.  ROOTFD was opened again after the unshare: a descriptor
 * from before holds the old namespace's mount, and move_mount(2) onto
 * it fails with EINVAL. */
/* A fresh proc or devpts on DIR. */
struct fresh {
	const char *type, *data;
	unsigned long flags;
};

static const struct fresh fresh_proc = {
	"proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC,
};
/* A devpts of our own: the host's terminals stay out of sight. */
static const struct fresh fresh_devpts = {
	"devpts", "newinstance,ptmxmode=0666,mode=0620", MS_NOSUID | MS_NOEXEC,
};

/* --root as given, for the errors about paths inside it. */
static const char *root_given;

static int open_mount_dir(const char *dir, int rootfd)
{
	int dirfd;

	if (rootfd >= 0) {
		char shown[PATH_MAX + 64];
		size_t n = strlen(root_given);

		snprintf(shown, sizeof(shown), "%s inside --root %s", dir,
			 root_given);
		dirfd = cx_open_in_root(rootfd, dir, O_PATH | O_DIRECTORY, 0,
					shown);
		/* "--root rootfs --mount-proc=rootfs/proc" */
		while (n > 1 && root_given[n - 1] == '/')
			n--;
		if (dirfd < 0 && strncmp(dir, root_given, n) == 0 &&
		    dir[n] == '/') {
			char why[PATH_MAX + 64];

			snprintf(why, sizeof(why),
				 "the path is read inside the new root: did you mean %s?",
				 dir + n);
			cx_fail_why(cx_last_errno(), why, "open %s", shown);
		}
	} else {
		/* The last component may not be a symlink: in
		 * "--mount-proc=rootfs/proc" the rootfs owns it. */
		dirfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dirfd < 0)
			cx_fail(errno, "open %s%s", dir,
				errno == ENOTDIR ? " (a symlink or not a directory)" : "");
	}
	if (dirfd < 0)
		cx_die_last();
	return dirfd;
}

/* A new proc lets root in the container write the host's sysctls
 * (kernel.core_pattern names a program the host runs as root) and
 * its sysrq-trigger: those parts are made read-only, as runc does. */
static void protect_proc(const char *dir, int rootfd)
{
	int procfd = open_mount_dir(dir, rootfd);
	struct statfs sf;

	if (fstatfs(procfd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
		cx_die("%s: not the proc just mounted there", dir);
	if (cx_mount_protect_proc(procfd, dir) < 0)
		cx_die_last();
	close(procfd);
}

/* Whether a proc is mounted where one would look: with none there, the
 * kernel's rule for user namespaces (mnt_already_visible) is the likely
 * cause of an EPERM. */
static bool proc_in_sight(void)
{
	struct statfs sf;

	return statfs("/proc", &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* Whether DIR (DIRFD) is the root of the read-only proc that cx-chroot
 * --pivot leaves in a user namespace (CX_PROC_KEEPER). */
static bool is_keeper(int dirfd)
{
	struct cx_mountinfo_table t;
	const struct cx_mountinfo *m;
	unsigned long id;
	bool yes;

	if (cx_is_mountpoint(dirfd) != 1 || cx_mount_id(dirfd, &id) < 0 ||
	    cx_mountinfo_read(&t) < 0)
		return false;
	m = cx_mountinfo_find(&t, id);
	yes = m && strcmp(m->fstype, "proc") == 0 &&
	      strcmp(m->source, CX_PROC_KEEPER) == 0 && strcmp(m->root, "/") == 0;
	cx_mountinfo_free(&t);
	return yes;
}

/* Our proc is made while the keeper is still in sight, as the kernel
 * wants in a user namespace; then the keeper goes, and ours takes its
 * place.  DIRFD (the keeper's root) is closed. */
static void replace_keeper(int dirfd, const char *dir, int rootfd)
{
	char path[64];
	int mnt = cx_mount_detached(fresh_proc.type, NULL, fresh_proc.data,
				    fresh_proc.flags, dir);

	if (mnt < 0)
		cx_die_last();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", dirfd);
	if (umount2(path, MNT_DETACH) < 0)
		cx_die_errno("take down the proc that cx-chroot left on %s", dir);
	close(dirfd);
	dirfd = open_mount_dir(dir, rootfd);
	if (cx_move_mount(mnt, "", dirfd, "", MOVE_MOUNT_F_EMPTY_PATH |
						      MOVE_MOUNT_T_EMPTY_PATH) < 0)
		cx_die_errno("mount proc on %s", dir);
	close(mnt);
	close(dirfd);
}

static void mount_fresh(const struct fresh *f, const char *dir, int rootfd)
{
	int dirfd = open_mount_dir(dir, rootfd);

	cx_say("mount a new %s on %s", f->type, dir);
	/* On a shared mount the new one would show up in the peers too,
	 * the host's among them. */
	if (cx_mount_is_shared(dirfd) == 1)
		cx_die("mount %s on %s: it is on a mount with shared propagation, which would carry it out of the namespace (use --propagation private or slave)",
		       f->type, dir);
	if (f == &fresh_proc && is_keeper(dirfd)) {
		replace_keeper(dirfd, dir, rootfd);
		return;
	}
	if (cx_mount_fresh(dirfd, f->type, f->data, f->flags, dir) < 0) {
		if (f == &fresh_proc && cx_last_errno() == EPERM && !proc_in_sight())
			cx_die("%s: %s: in a user namespace the kernel mounts a new proc only while another one is mounted, whole, in the same mount namespace, and none is (a pivot detached the last; cx-chroot --pivot leaves one where NEWROOT has an empty proc directory): mount it before the pivot, as in cx-unshare --mount-proc=ROOTFS/proc ... cx-chroot --pivot ROOTFS",
			       cx_last_msg(), strerror(EPERM));
		cx_die_last();
	}
	close(dirfd);
}

/* --wd, in the root we are in now: never through a magic link, which
 * would lead into a descriptor of ours (once the tool directory, a way
 * out of the new root: CVE-2024-21626); and proved inside the root
 * after the chdir, for kernels without openat2 (5.6). */
static void change_dir(const char *dir)
{
	int fd = cx_open_user_dir(dir);

	cx_say("chdir %s", dir);
	if (fd < 0 && !cx_last_errno())
		cx_die_last();
	if (fd < 0 || fchdir(fd) < 0)
		cx_die_errno("chdir %s", dir);
	close(fd);
	if (cx_check_cwd(dir) < 0)
		cx_die_last();
}

static void enter_root(struct ctx *c, int rootfd)
{
	if (c->mount_proc)
		mount_fresh(&fresh_proc, c->proc_dir, rootfd);
	if (c->mount_proc && !c->writable_proc)
		protect_proc(c->proc_dir, rootfd);
	if (c->devpts_dir)
		mount_fresh(&fresh_devpts, c->devpts_dir, rootfd);
	if (rootfd >= 0)
		cx_say("chroot %s", c->root);
	if (rootfd >= 0 && (fchdir(rootfd) < 0 || chroot(".") < 0))
		cx_die_errno("chroot %s", c->root);
	if (rootfd >= 0 && !c->wd && chdir("/") < 0)
		cx_die_errno("chdir /");
	if (c->wd)
		change_dir(c->wd);
	/* The command may share the caller's terminal: it must not type
	 * into the shell that reads it once the container is gone. */
	if (!c->allow_tiocsti && cx_block_tty_injection() < 0)
		cx_die("%s (--allow-tiocsti goes without)", cx_last_msg());
}

/* The init needs no file once the command runs: it waits, reaps and
 * passes signals on.  But it is PID 1 of the container, and a process
 * there with CAP_SYS_PTRACE reaches the init's root and working
 * directory through /proc/1/root and /proc/1/cwd, its mount namespace
 * through /proc/1/ns/mnt: until now the host's whole tree.  So the
 * init leaves it for an empty, read-only tmpfs in a mount namespace of
 * its own (cx_mount_leave_tree); the command, forked before, keeps the
 * one it was given.  spawn_isolated below does it the cheaper way, in
 * the command's mount namespace. */
static void isolate_init(void)
{
	if (cx_mount_leave_tree(NULL, "cx-init", "init") < 0)
		cx_die_last();
}

/* --init with --pidfile: the command has a PID; say so to the parent
 * on READY and wait for its byte on GO, which comes once the pidfile
 * holds that PID.  False when the parent has gone without it. */
static bool pidfile_turn(int ready, int go)
{
	char byte = 1;

	if (write(ready, &byte, 1) != 1)
		return false;
	return read(go, &byte, 1) == 1;
}

#if CX_HAVE_VFORK3
/* The command's half of spawn_isolated: back to the root and working
 * directory the init had, then the command.  It runs in the init's
 * memory until its exec: it ends in _exit(), never exit().  It shares
 * the init's descriptor table too (CLONE_FILES): the two descriptors of
 * the host's tree it closes there, before its exec, so that the init
 * never holds them while a process of the container runs; /proc/1/fd
 * would lead there.  Then a table of its own, for whatever the exec
 * opens. */
struct back {
	int root, cwd, toolfd;
	char **argv;
	int ready, go;	/* --pidfile: pidfile_turn's */
};

static noreturn void command_back(struct back *b)
{
	cx_exec_vforked(true);
	if (fchdir(b->root) < 0 || chroot(".") < 0 || fchdir(b->cwd) < 0) {
		cx_warn("init: give the command its root and directory back: %s",
			strerror(errno));
		_exit(CX_EXIT_FAIL);
	}
	close(b->root);
	close(b->cwd);
	b->root = b->cwd = -1;
	if (unshare(CLONE_FILES) < 0) {
		cx_warn("init: a descriptor table of its own for the command: %s",
			strerror(errno));
		_exit(CX_EXIT_FAIL);
	}
	/* Both close on the exec (O_CLOEXEC). */
	if (b->go >= 0 && !pidfile_turn(b->ready, b->go))
		_exit(CX_EXIT_FAIL);
	cx_signals_release();
	cx_exec(b->toolfd, b->argv);
}
#endif

/* The init leaves the host's tree first, and then makes the command:
 * its root and working directory become an empty tmpfs attached
 * nowhere (cx_mount_chroot_empty), in the mount namespace
 * the command keeps (which holds nothing the command cannot reach
 * itself), and the command, made vfork's way (no page table copied, the
 * init held until the exec) in the init's descriptor table, takes back
 * the root and directory the init had (command_back).  Returns the
 * command's PID, or -2 when this way is not there (no fsmount, no
 * clone3, or a build that forks: run_init's other way). */
static pid_t spawn_isolated(int toolfd, char **argv, int ready, int go)
{
#if CX_HAVE_VFORK3
	struct back b = { -1, -1, toolfd, argv, ready, go };
	struct cx_clone_args args = {
		.flags = CLONE_VM | CLONE_VFORK | CLONE_FILES,
		.exit_signal = SIGCHLD,
	};
	pid_t pid;

	/* A working directory that cannot be opened again (removed, say)
	 * is kept by the other way, which forks before it moves. */
	b.root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	b.cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (b.root < 0 || b.cwd < 0) {
		if (b.root >= 0)
			close(b.root);
		if (b.cwd >= 0)
			close(b.cwd);
		return -2;
	}
	if (cx_mount_chroot_empty("cx-init", "init") < 0) {
		if (cx_last_errno() != ENOSYS)
			cx_die_last();
		close(b.root);
		close(b.cwd);
		return -2;
	}
	cx_signals_hold();
	/* clone3 (5.3) in vfork's form.  vfork() itself, where clone3 is
	 * missing or a filter refuses it, would leave the two descriptors
	 * in the init's own table until after the command's exec: the
	 * init takes its root back and goes the other way. */
	pid = (pid_t)cx_vfork3(&args, sizeof(args));
	if (pid == 0)
		command_back(&b);
	cx_exec_vforked(false);
	if (pid < 0) {
		cx_signals_release();
		if (fchdir(b.root) < 0 || chroot(".") < 0 || fchdir(b.cwd) < 0)
			cx_die_errno("init: take back its root and directory");
		close(b.root);
		close(b.cwd);
		return -2;
	}
	/* Still open when the command failed before its exec. */
	if (b.root >= 0)
		close(b.root);
	if (b.cwd >= 0)
		close(b.cwd);
	return pid;
#else
	(void)toolfd;
	(void)argv;
	(void)ready;
	(void)go;
	return -2;
#endif
}

/* As PID 1: run the command as our child and reap every orphan.  The
 * parent hears on READY that the command is made; with GO (--pidfile),
 * the command waits for the parent's byte there before its exec. */
static void run_init(char **argv, int toolfd, int ready, int go)
{
	pid_t pid;
	int gate[2];

	/* The tool directory a chain passed down goes on to the command
	 * only when it is a cx tool: otherwise the init lets go of it
	 * before the command exists, and no process of the container ever
	 * finds it in /proc/1/fd. */
	cx_forget_tooldir(argv);
	pid = spawn_isolated(toolfd, argv, ready, go);
	if (pid == -2) {
		/* The other way: the command waits until the init has left
		 * the host's tree for a mount namespace of its own; it must
		 * never see the init there. */
		if (pipe2(gate, O_CLOEXEC) < 0)
			cx_die_errno("pipe");
		pid = cx_spawn_gated(toolfd, argv, gate);
		if (pid < 0)
			cx_die_last();
		/* The command has its own copy, if it needs one. */
		cx_forget_tooldir(NULL);
		isolate_init();
		/* A gate closed without its byte: the command exits 125. */
		if ((go < 0 || pidfile_turn(ready, go)) &&
		    write(gate[1], "", 1) != 1)
			cx_die_errno("init: let the command run");
		close(gate[1]);
	}
	/* With GO, pidfile_turn has told the parent already. */
	if (go >= 0) {
		close(go);
	} else if (ready >= 0) {
		char byte = 1;

		if (write(ready, &byte, 1) < 0)
			cx_warn_errno("write to parent");
	}
	/* The command holds the helper's pipe now, until its exec.  The
	 * init keeps nothing open for the container's lifetime. */
	if (undo.commit >= 0)
		close(undo.commit);
	undo.commit = -1;
	if (toolfd >= 0)
		close(toolfd);
	if (ready >= 0)
		close(ready);
	cx_exit_like(cx_wait_forward(pid, true));
}

/* --kill-child: the signal comes when the parent dies; if it died
 * before we asked (its pidfd is readable then), it comes now.  getppid()
 * cannot tell: in a new pid namespace it is 0. */
static void die_with_parent(int sig, int parentfd)
{
	struct pollfd p = { .fd = parentfd, .events = POLLIN };

	if (prctl(PR_SET_PDEATHSIG, sig) < 0)
		cx_die_errno("prctl PR_SET_PDEATHSIG");
	if (poll(&p, 1, 0) > 0)
		cx_raise(sig);
	close(parentfd);
}

/* The host PID of the init's only child, the command.  PROC is the
 * host's proc, opened before the child could mount its own on /proc. */
static pid_t command_pid(int proc, pid_t init)
{
	char path[64];
	FILE *f;
	int fd, pid = init;

	snprintf(path, sizeof(path), "%d/task/%d/children", (int)init,
		 (int)init);
	fd = openat(proc, path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && (f = fdopen(fd, "r"))) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = init;
		fclose(f);
	} else if (fd >= 0) {
		close(fd);
	}
	return pid;
}

/* The descriptors main hands to both halves of the fork. */
struct fds {
	int root;	/* --root, or -1 */
	int tool;	/* the command, opened before the root change, or -1 */
	int pidfile;	/* --pidfile, or -1 */
	const char *pidpath;	/* its name, for errors */
};

/* What the two halves of the fork share, made before it. */
struct forked {
	int ready[2];	/* --init: the init says the command has started */
	int go[2];	/* --init with --pidfile: the parent says the pidfile
			 * holds the command's PID (pidfile_turn) */
	int start[2];	/* --pid=FILE: the parent says the file is bound;
			 * hiding: the parent has left the tree */
	bool hide;
	bool bind_pid;	/* --pid=FILE: the helper binds the child's */
	int parent;	/* --kill-child: a PID file descriptor of ours */
	int proc;	/* --init with --pidfile: /proc, to name the command */
};

static void prepare_fork(const struct ctx *c, const struct fds *fd,
			 struct forked *f)
{
	*f = (struct forked){ { -1, -1 }, { -1, -1 }, { -1, -1 }, c->hide,
			      c->file[CX_NS_PID].path != NULL, -1, -1 };
	if (c->init && pipe2(f->ready, O_CLOEXEC) < 0)
		cx_die_errno("pipe");
	/* Sockets, as the helper's: the parent's send(MSG_NOSIGNAL) to a
	 * child or command that has gone fails, and does not kill it. */
	if (c->init && fd->pidfile >= 0 && channel(f->go) < 0)
		cx_die_errno("socketpair");
	if (c->init && fd->pidfile >= 0 &&
	    (f->proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		cx_die_errno("open /proc");
	/* With --pid=FILE the child waits until the file is bound; with
	 * --pidfile (no init), until the file holds its PID, so that the
	 * command never finds it empty. */
	if ((c->file[CX_NS_PID].path || c->hide ||
	     (fd->pidfile >= 0 && !c->init)) && channel(f->start) < 0)
		cx_die_errno("socketpair");
	if (c->kill_sig && (f->parent = cx_pidfd_open(getpid(), 0)) < 0)
		cx_die_errno("pidfd_open");
}

/* --setuid, --setgid: the last step before the command (or its init),
 * as util-linux's.  In a new user namespace made as host root, 0 is
 * how the command becomes its root, with its capabilities kept across
 * the exec: our own ids are not mapped there. */
static void become(const struct ctx *c)
{
	struct cx_ids ids = {
		.ngroups = c->set_gid >= 0 ? 0 : -1, .groups = NULL,
		.set_uid = c->set_uid >= 0, .set_gid = c->set_gid >= 0,
		.uid = (uid_t)c->set_uid, .gid = (gid_t)c->set_gid,
	};

	if (c->set_uid < 0 && c->set_gid < 0)
		return;
	if (cx_pdeath_hold() < 0 || cx_set_ids(&ids) < 0 ||
	    cx_pdeath_release() < 0)
		cx_die_last();
}

/* The child: in the new PID namespace, if there is one; it runs the
 * command, or the init that runs it. */
static noreturn void child_half(struct ctx *c, struct forked *f,
				struct helper *h, struct fds fd, char **cmd,
				struct undo *u)
{
	/* The parent's alone: the init, PID 1 of the container, must not
	 * hold the pidfile's directory, the host's proc nor the helper's
	 * sockets. */
	if (u->piddir >= 0)
		close(u->piddir);
	u->piddir = -1;	/* the parent's to remove */
	if (f->proc >= 0)
		close(f->proc);
	if (h->go >= 0) {
		close(h->go);
		close(h->ack);
	}
	if (c->kill_sig)
		die_with_parent(c->kill_sig, f->parent);
	close(f->ready[0]);
	if (f->go[1] >= 0)
		close(f->go[1]);
	if (f->start[0] >= 0) {
		char go;

		close(f->start[1]);
		if (read(f->start[0], &go, 1) != 1)
			_exit(CX_EXIT_FAIL);
		close(f->start[0]);
	}
	cx_signals_release();
	enter_root(c, fd.root);
	if (fd.root >= 0)
		close(fd.root);
	if (fd.pidfile >= 0)
		close(fd.pidfile);
	become(c);
	if (c->init)
		run_init(cmd, fd.tool, f->ready[1], f->go[0]);
	cx_exec(fd.tool, cmd);
}

/* The parent: lets the helper bind --pid=FILE, writes the pidfile, and
 * waits for the child to exit as it did. */
static noreturn void parent_half(struct forked *f, struct helper *h,
				 pid_t child, struct fds fd, struct undo *u,
				 bool detach)
{
	int status;

	if (f->parent >= 0)
		close(f->parent);
	if (fd.tool >= 0)
		close(fd.tool);
	if (fd.root >= 0)
		close(fd.root);
	if (f->start[0] >= 0) {
		close(f->start[0]);
		if (f->hide) {
			cx_ns_leave_for_waiting(NULL, "the waiting cx-unshare",
						f->start[1], child);
		} else if (f->bind_pid) {
			if (tell(h->go, &child, sizeof(child)) < 0)
				cx_warn_errno("write to the helper");
			helper_stage(h);
		}
		if (f->ready[0] < 0)
			write_pid(fd.pidfile, child, fd.pidpath);
		if (tell(f->start[1], "", 1) < 0)
			cx_die_errno("write to the child");
		close(f->start[1]);
	}
	if (h->go >= 0) {
		close(h->go);
		close(h->ack);
	}
	if (f->ready[0] >= 0) {
		char byte;

		close(f->ready[1]);
		if (f->go[0] >= 0)
			close(f->go[0]);
		if (read(f->ready[0], &byte, 1) == 1) {
			write_pid(fd.pidfile, command_pid(f->proc, child),
				  fd.pidpath);
			/* The command may run now (pidfile_turn); if it
			 * has gone meanwhile, EPIPE, not SIGPIPE. */
			if (f->go[1] >= 0 && tell(f->go[1], "", 1) < 0)
				cx_warn_errno("write to the init");
		}
		if (f->go[1] >= 0)
			close(f->go[1]);
		close(f->ready[0]);
		if (f->proc >= 0)
			close(f->proc);
	}
	/* Without --init the PID went in before the start byte. */
	if (fd.pidfile >= 0)
		close(fd.pidfile);
	/* The child holds the helper's socket now, until its exec: our
	 * exit() before this line told the helper to undo its work (a
	 * pidfile we could not write, say). */
	if (u->commit >= 0)
		close(u->commit);
	u->commit = -1;
	/* --detach: the child owns all we made, the pidfile too; it goes
	 * on below whoever reaps our orphans (PR_SET_CHILD_SUBREAPER). */
	if (detach)
		_exit(0);
	status = cx_wait_forward(child, false);
	/* exit() removes the pidfile we made (undo_at_exit); a death by
	 * the child's signal, as cx_exit_like dies, runs no atexit
	 * handler, so the undo comes first. */
	if (WIFSIGNALED(status))
		undo_at_exit();
	cx_exit_like(status);
}

/* --fork: the command runs in a child, and we wait for it. */
static noreturn void run_forked(struct ctx *c, struct helper *h,
				struct undo *u, struct fds fd, char **cmd)
{
	struct forked f;
	pid_t child;

	prepare_fork(c, &fd, &f);
	cx_signals_hold();
	cx_say("fork: the command runs in a child%s", c->init ? ", below an init of ours" : "");
	child = fork();
	if (child < 0)
		cx_die_errno("fork");
	if (child == 0)
		child_half(c, &f, h, fd, cmd, u);
	parent_half(&f, h, child, fd, u, c->detach);
}

int main(int argc, char **argv)
{
	struct ctx c = { .setgroups = -1, .own_uid = -1, .own_gid = -1,
			 .set_uid = -1, .set_gid = -1 };
	char **cmd, *shell[] = { getenv("SHELL"), NULL };
	int rootfd = -1, toolfd = -1, pidfd;
	struct helper h;

	cx_init("cx-unshare");
	cmd = cx_opt_parse(&tool, argc, argv, on_option, &c);
	check(&c);
	c.hide = c.fork && !c.detach && !(c.flags & CLONE_NEWPID) &&
		 cx_ns_in_sight();
	if (c.hide && c.pidfile)
		cx_usage_error("--pidfile with --fork and no --pid, in a container's PID namespace: the waiting process would hold the pidfile's directory in the container's sight; give --pidfile to a cx-unshare outside it");
	/* The init stays PID 1 of the container for its whole life, in
	 * sight of every process there. */
	if (c.init && cx_exec_seal_self(argv) < 0)
		cx_die_last();
	if (!*cmd) {
		if (!shell[0] || !*shell[0])
			shell[0] = "/bin/sh";
		cmd = shell;
	}
	/* In the same root and directory, a command that cannot run is
	 * found out before any namespace, file or mount is made. */
	if (!c.root && !c.wd)
		cx_exec_find(cmd);
	if (c.root) {
		rootfd = open(c.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		root_given = c.root;
		if (rootfd < 0)
			cx_die_errno("open %s", c.root);
		toolfd = cx_exec_preopen(cmd);
		if (toolfd == -2)
			cx_die_last();
	}
	undo.c = &c;
	if (atexit(undo_at_exit) != 0)
		cx_die("atexit failed");
	make_ns_files(&c);
	open_pidfile(&c, &pidfd);

	do_unshare(&c, &h);
	if (rootfd >= 0 && (c.flags & CLONE_NEWNS) &&
	    (rootfd = cx_reopen_dir(rootfd, c.root)) < 0)
		cx_die_last();
	set_time_offsets(&c);
	if ((c.flags & CLONE_NEWTIME) && !c.fork)
		enter_time_ns();
	if ((c.flags & CLONE_NEWNS) && c.propagation->flag)
		cx_say("make every mount %s", c.propagation->name);
	if ((c.flags & CLONE_NEWNS) && c.propagation->flag &&
	    mount("none", "/", NULL, MS_REC | c.propagation->flag, NULL) < 0)
		cx_die_errno("set propagation %s on /", c.propagation->name);
	if (c.hostname)
		cx_say("sethostname %s", c.hostname);
	if (c.hostname && sethostname(c.hostname, strlen(c.hostname)) < 0)
		cx_die_errno("sethostname %s", c.hostname);

	if (!c.fork) {
		const char *base = strrchr(cmd[0], '/');

		/* unshare(CLONE_NEWPID) moves only the children; a cx tool
		 * next in the chain may be the one that forks. */
		base = base ? base + 1 : cmd[0];
		if ((c.flags & CLONE_NEWPID) && strncmp(base, "cx-", 3) != 0)
			cx_warn("--pid without --fork: %s stays in this PID namespace, only its children enter the new one (add --fork)",
				cmd[0]);
		write_pid(pidfd, getpid(), c.pidfile);
		enter_root(&c, rootfd);
		become(&c);
		/* Once the command runs, it owns the pidfile: the undo is an
		 * atexit handler, and a successful exec runs none. */
		cx_exec(toolfd, cmd);
	}

	run_forked(&c, &h, &undo, (struct fds){ rootfd, toolfd, pidfd, c.pidfile },
		   cmd);
}
