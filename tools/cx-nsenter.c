/* cx-nsenter: join the namespaces of a running process, or ones kept
 * in files, then the rest of argv. */
#include "die.h"
#include "exec.h"
#include "json-out.h"
#include "ns.h"
#include "opt.h"
#include "parse.h"
#include "path.h"
#include "file.h"
#include "proc.h"
#include "tty-filter.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3)
#endif

enum {
	/* 1 .. CX_NS_COUNT: the namespace options, table index + 1. */
	OPT_TARGET = 100, OPT_PIDFILE, OPT_ALL, OPT_ROOT, OPT_WD, OPT_WDNS, OPT_SETUID,
	OPT_SETGID, OPT_PRESERVE_CREDENTIALS, OPT_ENV, OPT_NO_FORK,
	OPT_ALLOW_TIOCSTI, OPT_SHOW, OPT_JSON,
};

/* More than any environment execve(2) accepts (ARG_MAX is a quarter of
 * the stack limit). */
enum { ENVIRON_MAX = 64 << 20 };

struct ctx {
	bool join[CX_NS_COUNT];
	const char *file[CX_NS_COUNT];	/* =FILE, or NULL: the target's */
	bool all, env, preserve, no_fork, root, wd, has_uid, has_gid;
	bool allow_tiocsti, show, json;
	const char *root_dir, *wd_dir;	/* NULL: the target's */
	const char *wdns;		/* --wdns: a path after the joins */
	const char *pidfile;
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/* The process whose namespaces we join. */
struct target {
	pid_t pid;
	int pidfd;	/* -1 where pidfd_open(2) is missing (before 5.3) */
	struct cx_proc_stat stat;	/* at lookup: tells a recycled PID */
	char name[PATH_MAX + 64];	/* "process 42", for messages */
};

/* Everything opened before the first setns(2). */
struct plan {
	int fd[CX_NS_COUNT];		/* a namespace file, or -1 */
	const char *shown[CX_NS_COUNT];	/* its path, for messages */
	char procns[CX_NS_COUNT][64];	/* /proc/PID/ns/FILE, as fallback */
	int by_pidfd;			/* the target's kinds, joined at once */
	bool from_proc;			/* or from /proc/PID/ns, one by one */
	int rootfd, wdfd, toolfd;
	char rootpath[64], wdpath[64];
	const char *rootshown, *wdshown;
	char **env;
	bool groups_dropped;	/* setgroups(0) done before the user join */
};

static const struct poptOption options[] = {
	{ "target", 't', POPT_ARG_STRING, NULL, OPT_TARGET,
	  "the process whose namespaces to join", "PID" },
	{ "pidfile", 0, POPT_ARG_STRING, NULL, OPT_PIDFILE,
	  "the target's PID is in FILE (cx-unshare --pidfile)", "FILE" },
	{ "all", 'a', POPT_ARG_NONE, NULL, OPT_ALL,
	  "join every namespace of the target that is not ours", NULL },
	{ "mount", 'm', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_MNT + 1,
	  "join the mount namespace (the target's, or FILE)", "FILE" },
	{ "uts", 'u', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_UTS + 1,
	  "join the UTS namespace (hostname)", "FILE" },
	{ "ipc", 'i', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_IPC + 1,
	  "join the IPC namespace", "FILE" },
	{ "net", 'n', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_NET + 1,
	  "join the network namespace", "FILE" },
	{ "pid", 'p', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_PID + 1,
	  "join the PID namespace (the command runs as our child)", "FILE" },
	{ "user", 'U', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_USER + 1,
	  "join the user namespace (as its root: see --preserve-credentials)",
	  "FILE" },
	{ "cgroup", 'C', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_CGROUP + 1,
	  "join the cgroup namespace", "FILE" },
	{ "time", 'T', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, CX_NS_TIME + 1,
	  "join the time namespace", "FILE" },
	{ "root", 'r', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, OPT_ROOT,
	  "chroot to DIR (default: the target's root)", "DIR" },
	{ "wd", 'w', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, OPT_WD,
	  "change to DIR (default: the target's working directory)", "DIR" },
	{ "wdns", 'W', POPT_ARG_STRING, NULL, OPT_WDNS,
	  "change to DIR as the joined namespaces and root see it", "DIR" },
	{ "setuid", 'S', POPT_ARG_STRING, NULL, OPT_SETUID,
	  "run as user ID UID in the joined namespaces", "UID" },
	{ "setgid", 'G', POPT_ARG_STRING, NULL, OPT_SETGID,
	  "run as group ID GID, without supplementary groups", "GID" },
	{ "preserve-credentials", 0, POPT_ARG_NONE, NULL, OPT_PRESERVE_CREDENTIALS,
	  "with --user: keep our user, group and supplementary groups", NULL },
	{ "env", 'e', POPT_ARG_NONE, NULL, OPT_ENV,
	  "run the command with the target's environment", NULL },
	{ "no-fork", 'F', POPT_ARG_NONE, NULL, OPT_NO_FORK,
	  "with --pid: exec at once (only the command's children join)", NULL },
	{ "allow-tiocsti", 0, POPT_ARG_NONE, NULL, OPT_ALLOW_TIOCSTI,
	  "let the command push input into its terminal (TIOCSTI, TIOCLINUX)",
	  NULL },
	{ "show", 0, POPT_ARG_NONE, NULL, OPT_SHOW,
	  "join nothing: print the target's namespaces (same as ours or not), root and working directory",
	  NULL },
	{ "json", 0, POPT_ARG_NONE, NULL, OPT_JSON,
	  "with --show: one JSON object", NULL },
	POPT_TABLEEND
};

/* Both name the target process. */
static const struct cx_opt_conflict conflicts[] = {
	{ OPT_TARGET, OPT_PIDFILE, NULL },
	{ 0, 0, NULL }
};

static const struct cx_tool tool = {
	"cx-nsenter", "[options] [COMMAND [ARG]...]",
	"Run COMMAND (default: $SHELL or /bin/sh; with --root, /bin/sh -i there) in the namespaces of another process.",
	options, conflicts,
};

static int on_option(void *p, int val, const char *arg)
{
	struct ctx *c = p;
	uint32_t id;

	if (val >= 1 && val <= CX_NS_COUNT) {
		c->join[val - 1] = true;
		c->file[val - 1] = arg;
		return 0;
	}
	switch (val) {
	case OPT_TARGET:
		if (cx_parse_pid(arg, &c->pid) < 0)
			return cx_opt_invalid("--target", arg, "a process ID");
		return 0;
	case OPT_PIDFILE:
		c->pidfile = arg;
		return 0;
	case OPT_ALL:
		c->all = true;
		return 0;
	case OPT_ROOT:
		c->root = true;
		c->root_dir = arg;
		return 0;
	case OPT_WD:
		c->wd = true;
		c->wd_dir = arg;
		return 0;
	case OPT_WDNS:
		c->wdns = arg;
		return 0;
	case OPT_SETUID:
	case OPT_SETGID:
		/* Numbers only: a name would be looked up in our /etc, not
		 * in the namespaces we join. */
		if (cx_parse_u32(arg, &id) < 0 || id == (uint32_t)-1)
			return cx_opt_invalid(val == OPT_SETUID ? "--setuid" :
					      "--setgid", arg, "a %s ID, as a number",
					      val == OPT_SETUID ? "user" : "group");
		if (val == OPT_SETUID) {
			c->uid = id;
			c->has_uid = true;
		} else {
			c->gid = id;
			c->has_gid = true;
		}
		return 0;
	case OPT_PRESERVE_CREDENTIALS:
		c->preserve = true;
		return 0;
	case OPT_ENV:
		c->env = true;
		return 0;
	case OPT_NO_FORK:
		c->no_fork = true;
		return 0;
	case OPT_ALLOW_TIOCSTI:
		c->allow_tiocsti = true;
		return 0;
	case OPT_SHOW:
		c->show = true;
		return 0;
	case OPT_JSON:
		c->json = true;
		return 0;
	}
	return cx_fail(0, "unhandled option");
}

static bool has_target(const struct ctx *c)
{
	return c->pid || c->pidfile;
}

/* Refuse what cannot work together, naming both options. */
static void check(const struct ctx *c)
{
	bool any = c->all;

	if (c->json && !c->show)
		cx_usage_error("--json goes with --show");
	if (c->show && !has_target(c))
		cx_usage_error("--show needs a target (--target or --pidfile)");
	if (c->wd && c->wdns)
		cx_usage_error("--wd and --wdns cannot be used together: one working directory");
	if (c->show)
		return;
	for (int i = 0; i < CX_NS_COUNT; i++) {
		any |= c->join[i];
		if (c->join[i] && !c->file[i] && !has_target(c))
			cx_usage_error("--%s needs a target (--target or --pidfile) or a file (--%s=FILE)",
				       cx_ns_table[i].name, cx_ns_table[i].name);
	}
	if (!any)
		cx_usage_error("no namespace to join: give --all or a namespace option (--mount, --pid, ...)");
	if (has_target(c))
		return;
	if (c->all)
		cx_usage_error("--all needs a target (--target or --pidfile)");
	if (c->root && !c->root_dir)
		cx_usage_error("--root without DIR needs a target (--target or --pidfile)");
	if (c->wd && !c->wd_dir)
		cx_usage_error("--wd without DIR needs a target (--target or --pidfile)");
	if (c->env)
		cx_usage_error("--env needs a target (--target or --pidfile)");
}

static noreturn void die_exited(const struct target *t)
{
	cx_die("%s exited before it could be joined: nothing joined",
	       t->name);
}

/* What we read about the target was the target's only if it is still
 * alive now.  A pidfd is readable once its process has exited (zombie
 * or reaped), whatever process holds its PID since; without one, the
 * PID must still name a live process with the same start time. */
static bool alive(const struct target *t)
{
	struct cx_proc_stat now;

	if (t->pidfd >= 0) {
		struct pollfd p = { .fd = t->pidfd, .events = POLLIN };

		return poll(&p, 1, 0) == 0;
	}
	return cx_proc_stat(t->pid, &now) == 0 && now.start == t->stat.start &&
	       now.state != 'Z' && now.state != 'X';
}

/* The target: alive, and not a zombie (which has no namespaces left).
 * The pidfd is opened first, so that its process is the one we check. */
static void find_target(const struct ctx *c, struct target *t)
{
	t->pid = c->pid;
	if (c->pidfile && cx_read_pidfile(c->pidfile, &t->pid) < 0)
		cx_die_last();
	if (c->pidfile)
		snprintf(t->name, sizeof(t->name), "process %d (from %s)",
			 (int)t->pid, c->pidfile);
	else
		snprintf(t->name, sizeof(t->name), "process %d", (int)t->pid);
	t->pidfd = cx_pidfd_open(t->pid, 0);
	if (t->pidfd < 0 && errno != ENOSYS)
		cx_die_errno("%s", t->name);
	if (cx_proc_stat(t->pid, &t->stat) < 0) {
		if (cx_last_errno() == ESRCH)
			cx_die("%s: %s", t->name, strerror(ESRCH));
		cx_die_last();
	}
	if (t->stat.state == 'Z' || t->stat.state == 'X')
		cx_die("%s is a zombie: it has no namespaces to join", t->name);
	if (!alive(t))
		die_exited(t);
}

/* An open(2) of something below /proc/PID failed: say that the target
 * went, if it did. */
static noreturn void die_open(const struct target *t, const char *path)
{
	int err = errno;

	if (t && !alive(t))
		die_exited(t);
	errno = err;
	cx_die_errno("open %s", path);
}

/* --all: the kinds whose namespace is not ours (compared by inode).  A
 * kind our kernel lacks is left out; so is an explicit --KIND, which
 * keeps its own file.  Our own user namespace could not be entered
 * again anyway: setns(2) refuses it, so that a process that dropped
 * capabilities cannot regain them. */
static void add_differing(struct ctx *c, const struct target *t)
{
	for (int i = 0; i < CX_NS_COUNT; i++) {
		const struct cx_ns *ns = &cx_ns_table[i];
		ino_t ours, theirs;

		if (c->join[i])
			continue;
		if (cx_ns_inode(0, ns->file, &ours) < 0) {
			if (cx_last_errno() == ENOENT)
				continue;
			cx_die_last();
		}
		if (cx_ns_inode(t->pid, ns->file, &theirs) < 0) {
			if (!alive(t))
				die_exited(t);
			cx_die_last();
		}
		c->join[i] = ours != theirs;
	}
}

static const char *kind_name(int flag)
{
	for (int i = 0; i < CX_NS_COUNT; i++)
		if (cx_ns_table[i].flag == flag)
			return cx_ns_table[i].name;
	return "unknown";
}

/* Open PATH and make sure it is a namespace of kind I: bound files and
 * /proc/PID/ns/FILE both live on nsfs.  Checked now, so that a wrong
 * file stops us before the first setns(2). */
static void open_ns_file(struct plan *p, int i, const char *path,
			 const struct target *t)
{
	const struct cx_ns *ns = &cx_ns_table[i];
	struct statfs sf;
	int fd, type;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_open(t, path);
	if (fstatfs(fd, &sf) < 0)
		cx_die_errno("statfs %s", path);
	if (sf.f_type != NSFS_MAGIC)
		cx_die("%s: not a namespace file", path);
	/* Since 4.11; before, setns(2) checks the kind itself. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type >= 0 && type != ns->flag)
		cx_die("%s: a %s namespace, not a %s namespace", path,
		       kind_name(type), ns->name);
	p->fd[i] = fd;
	p->shown[i] = path;
}

/* setns(2) takes a pidfd since 5.8; before, the same call fails with
 * EINVAL, which cannot be told from a refusal. */
static bool setns_takes_pidfd(void)
{
	struct utsname u;
	int major, minor;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 5 || (major == 5 && minor >= 8);
}

/* The setns(2) that refuses our own user namespace says only EINVAL:
 * say why before anything is joined. */
static void refuse_own_user_ns(const struct plan *p, const struct target *t)
{
	ino_t ours, theirs;
	struct stat st;

	if (cx_ns_inode(0, "user", &ours) < 0)
		cx_die_last();
	if (p->fd[CX_NS_USER] >= 0) {
		if (fstat(p->fd[CX_NS_USER], &st) < 0)
			cx_die_errno("stat %s", p->shown[CX_NS_USER]);
		theirs = st.st_ino;
	} else if (cx_ns_inode(t->pid, "user", &theirs) < 0) {
		if (!alive(t))
			die_exited(t);
		cx_die_last();
	}
	if (ours == theirs)
		cx_die("--user: the user namespace of %s is our own, and the kernel does not let a process enter its own again (leave out --user)",
		       p->fd[CX_NS_USER] >= 0 ? p->shown[CX_NS_USER] : t->name);
}

/* Every namespace to join, open before the first setns(2): from the
 * files given, at once through the target's pidfd, or, on kernels
 * before 5.8, from /proc/PID/ns, all of them first, so that a target
 * that exits half-way leaves us nothing half-opened to join. */
static void plan_joins(const struct ctx *c, const struct target *t,
		       struct plan *p)
{
	bool by_pidfd = t && t->pidfd >= 0 && setns_takes_pidfd();

	for (int i = 0; i < CX_NS_COUNT; i++) {
		const struct cx_ns *ns = &cx_ns_table[i];

		if (!c->join[i])
			continue;
		if (c->file[i]) {
			open_ns_file(p, i, c->file[i], NULL);
		} else if (by_pidfd) {
			p->by_pidfd |= ns->flag;
		} else {
			snprintf(p->procns[i], sizeof(p->procns[i]),
				 "/proc/%d/ns/%s", (int)t->pid, ns->file);
			open_ns_file(p, i, p->procns[i], t);
			p->from_proc = true;
		}
	}
	if (c->join[CX_NS_USER])
		refuse_own_user_ns(p, t);
}

/* The root and working directory, opened before setns(2): after it a
 * path would be looked up in the joined mount namespace, and
 * /proc/PID/root and /proc/PID/cwd are the target's own view. */
static int open_dir(const char *dir, const struct target *t,
		    const char *link, char *buf, size_t size,
		    const char **shown)
{
	int fd;

	if (!dir) {
		snprintf(buf, size, "/proc/%d/%s", (int)t->pid, link);
		dir = buf;
	}
	*shown = dir;
	/* The target's own root and cwd are magic links by design. */
	fd = dir == buf ? open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)
			: cx_open_user_dir(dir);
	if (fd < 0 && dir != buf && !cx_last_errno())
		cx_die_last();
	if (fd < 0)
		die_open(dir == buf ? t : NULL, dir);
	return fd;
}

static void read_environ(const struct target *t, struct plan *p)
{
	char path[64], *buf;
	size_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)t->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_open(t, path);
	if (cx_read_all(fd, ENVIRON_MAX, &buf, &len, path) < 0)
		cx_die_last();
	close(fd);
	p->env = cx_parse_environ(buf, len);
	if (!p->env)
		cx_die_errno("read %s", path);
}

static void setns_file(const struct plan *p, int i)
{
	const struct cx_ns *ns = &cx_ns_table[i];

	cx_say("setns %s namespace %s", ns->name, p->shown[i]);
	if (setns(p->fd[i], ns->flag) == 0)
		return;
	if (errno == EINVAL)
		cx_die("join %s namespace %s: not a %s namespace file the kernel lets us enter",
		       ns->name, p->shown[i], ns->name);
	cx_die_errno("join %s namespace %s", ns->name, p->shown[i]);
}

/* The user namespace first: the other joins are then checked against
 * the capabilities we gain in it, which owns a container's other
 * namespaces.  Then the target's kinds in one setns(2) on its pidfd:
 * the kernel joins all of them or none (ESRCH once the target has
 * exited), so a target that dies mid-way cannot leave us half inside.
 * Then the other files, in the table's order.  From /proc/PID/ns the
 * joins are one by one: if the target exited meanwhile, the command
 * does not run in what is left of its namespaces (a PID namespace
 * whose init has gone takes no new process). */
static void join(const struct target *t, const struct plan *p)
{
	if (p->fd[CX_NS_USER] >= 0)
		setns_file(p, CX_NS_USER);
	if (p->by_pidfd && cx_verbose) {
		char kinds[128] = "";

		for (int i = 0; i < CX_NS_COUNT; i++)
			if (p->by_pidfd & cx_ns_table[i].flag)
				snprintf(kinds + strlen(kinds),
					 sizeof(kinds) - strlen(kinds), "%s%s",
					 *kinds ? "," : "", cx_ns_table[i].name);
		cx_say("setns %s of %s, at once (pidfd)", kinds, t->name);
	}
	if (p->by_pidfd && setns(t->pidfd, p->by_pidfd) < 0) {
		if (errno == ESRCH && p->fd[CX_NS_USER] < 0)
			die_exited(t);
		if (errno == ESRCH)
			cx_die("%s exited before it could be joined: the command does not run",
			       t->name);
		cx_die_errno("join the namespaces of %s", t->name);
	}
	for (int i = 0; i < CX_NS_COUNT; i++)
		if (i != CX_NS_USER && p->fd[i] >= 0)
			setns_file(p, i);
	for (int i = 0; i < CX_NS_COUNT; i++)
		if (p->fd[i] >= 0)
			close(p->fd[i]);
	if (p->from_proc && !alive(t))
		cx_die("%s exited while we joined its namespaces: the command does not run",
		       t->name);
}

/* As chroot(1): the new root, then the working directory asked for, or
 * else "/" (util-linux would keep a directory outside the new root).
 * --wdns last, looked up from the root entered, which ".." and a
 * symbolic link's target do not leave. */
static void enter_dirs(const struct plan *p, const char *wdns)
{
	if (p->rootfd >= 0) {
		cx_say("chroot %s", p->rootshown);
		if (fchdir(p->rootfd) < 0 || chroot(".") < 0)
			cx_die_errno("chroot %s", p->rootshown);
		if (p->wdfd < 0 && chdir("/") < 0)
			cx_die_errno("chdir /");
		close(p->rootfd);
	}
	if (p->wdfd >= 0) {
		cx_say("chdir %s", p->wdshown);
		if (fchdir(p->wdfd) < 0)
			cx_die_errno("chdir %s", p->wdshown);
		close(p->wdfd);
	}
	if (wdns) {
		cx_say("chdir %s, in the joined namespaces", wdns);
		if (chdir(wdns) < 0)
			cx_die_errno("chdir %s (--wdns, in the joined namespaces)", wdns);
	}
	/* A directory opened before the join may lie outside the root we
	 * entered: the command would walk out of it with "..". */
	if ((p->rootfd >= 0 || p->wdfd >= 0 || wdns) &&
	    cx_check_cwd(p->wdfd >= 0 ? p->wdshown : wdns ? wdns : "/") < 0)
		cx_die_last();
}

static void set_environment(char **env)
{
	if (clearenv() != 0)
		cx_die("clearenv failed");
	for (; *env; env++)
		if (putenv(*env) != 0)
			cx_die_errno("putenv");
}

/* In a joined user namespace we become its root, as with util-linux,
 * unless --preserve-credentials.  Supplementary groups go before the
 * user namespace's own rules can forbid it (setgroups "deny"), and are
 * tried again inside; then the group, then the user, while we still
 * may change the group. */
static void drop_groups_early(const struct ctx *c, struct plan *p)
{
	if (c->join[CX_NS_USER] && !c->preserve)
		p->groups_dropped = setgroups(0, NULL) == 0;
}

static void set_credentials(const struct ctx *c, const struct plan *p)
{
	bool user_ns = c->join[CX_NS_USER] && !c->preserve;
	bool set_gid = c->has_gid || user_ns, set_uid = c->has_uid || user_ns;
	uid_t uid = c->has_uid ? c->uid : 0;
	gid_t gid = c->has_gid ? c->gid : 0;

	if (set_gid && setgroups(0, NULL) < 0 && !p->groups_dropped)
		cx_die_errno("setgroups (drop the supplementary groups)");
	if (set_gid && setgid(gid) < 0)
		cx_die_errno("setgid %u%s", (unsigned)gid,
			     errno == EINVAL ? " (not mapped in the user namespace)" : "");
	if (set_uid && setuid(uid) < 0)
		cx_die_errno("setuid %u%s", (unsigned)uid,
			     errno == EINVAL ? " (not mapped in the user namespace)" : "");
}

/* The target's link /proc/PID/NAME (root, cwd), into BUF. */
static void read_target_link(const struct target *t, const char *name,
			     char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)t->pid, name);
	n = readlink(path, buf, len - 1);
	if (n < 0) {
		if (!alive(t))
			die_exited(t);
		cx_die_errno("readlink %s", path);
	}
	buf[n] = '\0';
}

/* --show: each kind of namespace of the target, by inode, and whether
 * it is ours; its root and working directory as we see them. */
static noreturn void show_target(const struct ctx *c, const struct target *t)
{
	char root[PATH_MAX], cwd[PATH_MAX];
	const char *sep = "";

	if (c->json)
		printf("{\n  \"pid\": %d,\n  \"namespaces\": {", (int)t->pid);
	for (int i = 0; i < CX_NS_COUNT; i++) {
		const struct cx_ns *ns = &cx_ns_table[i];
		ino_t ours, theirs;

		if (cx_ns_inode(t->pid, ns->file, &theirs) < 0) {
			if (!alive(t))
				die_exited(t);
			if (cx_last_errno() == ENOENT)
				continue;	/* a kind this kernel lacks */
			cx_die_last();
		}
		if (cx_ns_inode(0, ns->file, &ours) < 0)
			cx_die_last();
		if (c->json)
			printf("%s\n    \"%s\": { \"inode\": %llu, \"ours\": %s }",
			       sep, ns->file, (unsigned long long)theirs,
			       ours == theirs ? "true" : "false");
		else
			printf("%-8s %-12llu %s\n", ns->file,
			       (unsigned long long)theirs,
			       ours == theirs ? "ours" : "its own");
		sep = ",";
	}
	read_target_link(t, "root", root, sizeof(root));
	read_target_link(t, "cwd", cwd, sizeof(cwd));
	if (c->json) {
		printf("\n  },\n  \"root\": ");
		cx_json_string(stdout, root);
		printf(",\n  \"cwd\": ");
		cx_json_string(stdout, cwd);
		printf("\n}\n");
	} else {
		printf("%-8s %s\ncwd      %s\n", "root", root, cwd);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		cx_die_errno("write to standard output");
	exit(0);
}

/* setns(2) into a PID namespace moves only our future children: run
 * the command as one, wait, pass signals on and exit as it did. */
static noreturn void fork_and_wait(int toolfd, char **cmd)
{
	pid_t child = cx_spawn(toolfd, cmd);

	if (child < 0)
		cx_die_last();
	if (toolfd >= 0)
		close(toolfd);
	cx_exit_like(cx_wait_forward(child, false));
}

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	struct target target = { .pidfd = -1 }, *t = NULL;
	struct plan p = { .rootfd = -1, .wdfd = -1, .toolfd = -1 };
	char **cmd, *shell[] = { NULL, NULL, NULL };

	for (int i = 0; i < CX_NS_COUNT; i++)
		p.fd[i] = -1;
	cx_init("cx-nsenter");
	cmd = cx_opt_parse(&tool, argc, argv, on_option, &c);
	check(&c);
	/* The command's child is in the target's PID namespace, where
	 * every process sees it, running us until it execs. */
	if (cx_exec_seal_self(argv) < 0)
		cx_die_last();

	if (has_target(&c)) {
		t = &target;
		find_target(&c, t);
	}
	if (c.show)
		show_target(&c, t);
	if (c.all)
		add_differing(&c, t);
	plan_joins(&c, t, &p);
	if (c.root)
		p.rootfd = open_dir(c.root_dir, t, "root", p.rootpath,
				    sizeof(p.rootpath), &p.rootshown);
	if (c.wd)
		p.wdfd = open_dir(c.wd_dir, t, "cwd", p.wdpath,
				  sizeof(p.wdpath), &p.wdshown);
	if (c.env)
		read_environ(t, &p);
	/* Our tools are not in the root we are about to enter. */
	if (*cmd && (c.root || c.join[CX_NS_MNT]))
		p.toolfd = cx_exec_preopen(cmd);
	if (p.toolfd == -2)
		cx_die_last();
	if (t && !alive(t))
		die_exited(t);

	drop_groups_early(&c, &p);
	join(t, &p);
	enter_dirs(&p, c.wdns);
	if (p.env)
		set_environment(p.env);
	/* The command shares our terminal, inside the container.  Before
	 * the IDs change: the filter takes CAP_SYS_ADMIN, which they drop. */
	if (!c.allow_tiocsti && cx_block_tty_injection() < 0)
		cx_die("%s (--allow-tiocsti goes without)", cx_last_msg());
	set_credentials(&c, &p);

	/* Our $SHELL names a file of our root; inside another root the
	 * shell is that root's /bin/sh, as cx-chroot runs it. */
	if (!*cmd) {
		shell[0] = c.root ? NULL : getenv("SHELL");
		if (!shell[0] || !*shell[0]) {
			shell[0] = "/bin/sh";
			shell[1] = c.root ? "-i" : NULL;
		}
		cmd = shell;
	}
	if (c.join[CX_NS_PID] && !c.no_fork)
		fork_and_wait(p.toolfd, cmd);
	cx_exec(p.toolfd, cmd);
}
