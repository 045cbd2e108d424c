/* cx-chroot: change the root (chroot, or pivot_root that cannot be
 * escaped), then the rest of argv. */
#include "die.h"
#include "exec.h"
#include "mount.h"
#include "ns.h"
#include "opt.h"
#include "parse.h"
#include "path.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	OPT_USERSPEC = 1, OPT_GROUPS, OPT_SKIP_CHDIR, OPT_PIVOT,
	OPT_UNSHARE_MOUNT,
};

enum { MAX_GROUPS = 256 };

struct ctx {
	const char *userspec, *groups;
	bool skip_chdir, pivot, unshare_mount;
};

static const struct poptOption options[] = {
	{ "userspec", 0, POPT_ARG_STRING, NULL, OPT_USERSPEC,
	  "run as USER and GROUP (names from NEWROOT's /etc)", "USER:GROUP" },
	{ "groups", 0, POPT_ARG_STRING, NULL, OPT_GROUPS,
	  "supplementary groups, g1,g2,...", "LIST" },
	{ "skip-chdir", 0, POPT_ARG_NONE, NULL, OPT_SKIP_CHDIR,
	  "do not change directory to / (NEWROOT must be /)", NULL },
	{ "pivot", 'P', POPT_ARG_NONE, NULL, OPT_PIVOT,
	  "pivot_root into NEWROOT and detach the old root", NULL },
	{ "unshare-mount", 0, POPT_ARG_NONE, NULL, OPT_UNSHARE_MOUNT,
	  "with --pivot: make a private mount namespace first", NULL },
	POPT_TABLEEND
};

static const struct cx_tool tool = {
	"cx-chroot", "[options] NEWROOT [COMMAND [ARG]...]",
	"Run COMMAND (default: /bin/sh -i) with NEWROOT as its root.", options,
};

static int on_option(void *p, int val, const char *arg)
{
	struct ctx *c = p;

	switch (val) {
	case OPT_USERSPEC:
		c->userspec = arg;
		break;
	case OPT_GROUPS:
		c->groups = arg;
		break;
	case OPT_SKIP_CHDIR:
		c->skip_chdir = true;
		break;
	case OPT_PIVOT:
		c->pivot = true;
		break;
	case OPT_UNSHARE_MOUNT:
		c->unshare_mount = true;
		break;
	}
	return 0;
}

static void check(struct ctx *c)
{
	if (c->skip_chdir && c->pivot)
		cx_usage_error("--skip-chdir conflicts with --pivot");
	if (c->unshare_mount && !c->pivot)
		cx_usage_error("--unshare-mount needs --pivot");
}

/* The parent of PID (0: ourselves) as the mounted proc sees it:
 * getppid() says 0 when the parent is outside our pid namespace, but a
 * host proc still names it.  -1 on error. */
static pid_t proc_ppid(pid_t pid)
{
	char path[64], line[128];
	FILE *f;
	int ppid = -1;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &ppid) == 1)
			break;
	fclose(f);
	return ppid;
}

/* pivot_root changes the root of every process in the mount namespace.
 * In the namespace we were started in, that is the host's.  So --pivot
 * goes ahead only when an ancestor of ours is in another mount
 * namespace (someone made ours for us), or when we are PID 1 of the pid
 * namespace the mounted proc shows (cx-unshare --mount-proc made it). */
static void require_own_mount_ns(void)
{
	pid_t pid = proc_ppid(0);
	ino_t ours, theirs;

	if (pid == 0)
		return;
	if (cx_ns_inode(0, "mnt", &ours) < 0)
		cx_die_last();
	for (int depth = 0; pid > 0 && depth < 256; depth++) {
		if (cx_ns_inode(pid, "mnt", &theirs) < 0)
			cx_die("--pivot: cannot tell whether this mount namespace is our own (%s: %s); use --unshare-mount",
			       cx_last_msg(), strerror(cx_last_errno()));
		if (theirs != ours)
			return;
		pid = proc_ppid(pid);
	}
	cx_die("--pivot would change the root of the mount namespace we were started in; use --unshare-mount or cx-unshare --mount");
}

/* Say why pivot_root refused, in the user's terms. */
static void explain_pivot(int err, int newroot, const char *root)
{
	int top = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char type[32] = "";

	if (err == EINVAL && top >= 0 &&
	    cx_mount_fstype(top, type, sizeof(type)) == 0 &&
	    strcmp(type, "rootfs") == 0)
		cx_die("pivot_root %s: the current root is the initial rootfs, which cannot be pivoted (use cx-chroot without --pivot)",
		       root);
	if (err == EINVAL && (cx_mount_is_shared(newroot) == 1 ||
			      (top >= 0 && cx_mount_is_shared(top) == 1)))
		cx_die("pivot_root %s: a mount has shared propagation (use cx-unshare --mount or --unshare-mount)",
		       root);
	errno = err;
	cx_die_errno("pivot_root %s", root);
}

/* pivot_root(".", ".") stacks the old root on the new one; detaching it
 * leaves nothing of the host's tree reachable, and needs no directory
 * for the old root inside NEWROOT. */
static void pivot(struct ctx *c, int rootfd, const char *root)
{
	int mp, newroot;

	if (c->unshare_mount) {
		if (unshare(CLONE_NEWNS) < 0)
			cx_die_errno("unshare mount namespace");
		if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			cx_die_errno("make / private");
		rootfd = cx_reopen_dir(rootfd, root);
		if (rootfd < 0)
			cx_die_last();
	} else {
		require_own_mount_ns();
	}
	newroot = rootfd;
	mp = cx_is_mountpoint(rootfd);
	if (mp < 0)
		cx_die_errno("stat %s", root);
	if (!mp) {
		newroot = cx_bind_self(rootfd, root, root);
		if (newroot < 0)
			cx_die_last();
	}
	if (fchdir(newroot) < 0)
		cx_die_errno("chdir %s", root);
	if (cx_pivot_root(".", ".") < 0) {
		int err = errno;

		if (newroot != rootfd)
			umount2(".", MNT_DETACH);
		explain_pivot(err, newroot, root);
	}
	/* The old root is now on top of ".": keep its unmount from
	 * propagating anywhere, then detach it. */
	if (mount("none", ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		cx_die_errno("make the old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		cx_die_errno("detach the old root");
	if (chdir("/") < 0)
		cx_die_errno("chdir /");
	if (newroot != rootfd)
		close(newroot);
	close(rootfd);
}

static void plain_chroot(struct ctx *c, int rootfd, const char *root)
{
	if (fchdir(rootfd) < 0 || chroot(".") < 0)
		cx_die_errno("chroot %s", root);
	if (!c->skip_chdir && chdir("/") < 0)
		cx_die_errno("chdir /");
	close(rootfd);
}

/* Names are looked up in the new root's /etc, after the change. */
static void set_credentials(struct ctx *c)
{
	gid_t groups[MAX_GROUPS];
	int ngroups = -1, has_gid = 0;
	uid_t uid;
	gid_t gid;

	if (c->groups) {
		ngroups = cx_parse_groups(c->groups, "/etc/group", groups,
					  MAX_GROUPS);
		if (ngroups < 0)
			cx_die("invalid group list '%s'", c->groups);
	}
	if (c->userspec &&
	    cx_parse_userspec(c->userspec, "/etc/passwd", "/etc/group", &uid,
			      &gid, &has_gid) < 0)
		cx_die("invalid user or group in '%s'", c->userspec);
	if (c->userspec && has_gid && ngroups < 0) {
		groups[0] = gid;
		ngroups = 1;
	}
	if (ngroups >= 0 && setgroups((size_t)ngroups, groups) < 0)
		cx_die_errno("setgroups");
	if (!c->userspec)
		return;
	if (has_gid && setgid(gid) < 0)
		cx_die_errno("setgid %u", (unsigned)gid);
	if (setuid(uid) < 0)
		cx_die_errno("setuid %u", (unsigned)uid);
}

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	char **rest, **cmd, *shell[] = { "/bin/sh", "-i", NULL };
	const char *root;
	int rootfd, toolfd;

	cx_init("cx-chroot");
	rest = cx_opt_parse(&tool, argc, argv, on_option, &c);
	check(&c);
	if (!rest[0])
		cx_usage_error("missing operand NEWROOT");
	root = rest[0];
	cmd = rest[1] ? rest + 1 : shell;

	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		cx_die_errno("chroot %s", root);
	if (c.skip_chdir) {
		struct stat a, b;

		if (fstat(rootfd, &a) < 0 || stat("/", &b) < 0 ||
		    a.st_dev != b.st_dev || a.st_ino != b.st_ino)
			cx_usage_error("--skip-chdir needs NEWROOT to be the current root");
	}
	toolfd = cx_exec_preopen(cmd);

	if (c.pivot)
		pivot(&c, rootfd, root);
	else
		plain_chroot(&c, rootfd, root);
	set_credentials(&c);
	cx_exec(toolfd, cmd);
}
