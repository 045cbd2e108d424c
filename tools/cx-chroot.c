/* cx-chroot: change the root (chroot, or pivot_root that cannot be
 * escaped), then the rest of argv. */
#include "die.h"
#include "exec.h"
#include "mount.h"
#include "mountinfo.h"
#include "ns.h"
#include "opt.h"
#include "parse.h"
#include "path.h"
#include "proc.h"
#include "syscalls.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <limits.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

enum {
	OPT_USERSPEC = 1, OPT_GROUPS, OPT_SKIP_CHDIR, OPT_PIVOT,
};

/* --pivot: pivot_root, else (on the initial rootfs) a move over "/";
 * --pivot=strict: pivot_root or nothing. */
enum pivot_mode { PIVOT_NONE, PIVOT_AUTO, PIVOT_STRICT };

enum { MAX_GROUPS = 256 };

struct ctx {
	const char *userspec, *groups;
	bool skip_chdir;
	enum pivot_mode pivot;
};

static const struct poptOption options[] = {
	{ "userspec", 0, POPT_ARG_STRING, NULL, OPT_USERSPEC,
	  "run as USER and GROUP (names from NEWROOT's /etc)", "USER:GROUP" },
	{ "groups", 0, POPT_ARG_STRING, NULL, OPT_GROUPS,
	  "supplementary groups, g1,g2,...", "LIST" },
	{ "skip-chdir", 0, POPT_ARG_NONE, NULL, OPT_SKIP_CHDIR,
	  "do not change directory to / (NEWROOT must be /)", NULL },
	{ "pivot", 'P', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, OPT_PIVOT,
	  "pivot_root into NEWROOT, in a mount namespace of its own (=strict: refuse to move it over / where pivot_root cannot work)",
	  "strict" },
	POPT_TABLEEND
};

/* --skip-chdir keeps the old root's cwd, which a pivot detaches. */
static const struct cx_opt_conflict conflicts[] = {
	{ OPT_SKIP_CHDIR, OPT_PIVOT, NULL },
	{ 0, 0, NULL }
};

static const struct cx_tool tool = {
	"cx-chroot", "[options] NEWROOT [COMMAND [ARG]...]",
	"Run COMMAND (default: /bin/sh -i) with NEWROOT as its root.", options,
	conflicts,
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
		if (arg && strcmp(arg, "strict") != 0)
			return cx_opt_invalid("--pivot", arg, "nothing, or strict");
		c->pivot = arg ? PIVOT_STRICT : PIVOT_AUTO;
		break;
	}
	return 0;
}

/* Whether "/" is the initial rootfs: its type in mountinfo, or, on an
 * initramfs that has no /proc yet, the file system (ramfs, or tmpfs),
 * pivot_root having refused it already. */
static bool on_rootfs(void)
{
	int top = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char type[32] = "";
	struct statfs sf;
	bool yes;

	if (top < 0)
		return false;
	if (cx_mount_fstype(top, type, sizeof(type)) == 0)
		yes = strcmp(type, "rootfs") == 0;
	else
		yes = fstatfs(top, &sf) == 0 && (sf.f_type == RAMFS_MAGIC ||
						 sf.f_type == TMPFS_MAGIC);
	close(top);
	return yes;
}

/* Say why pivot_root refused, in the user's terms. */
static void explain_pivot(int err, int newroot, const char *root)
{
	int top = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (err == EINVAL && on_rootfs())
		cx_die("pivot_root %s: the root of this mount namespace is the initial rootfs (an initramfs), which pivot_root cannot move: --pivot without =strict moves NEWROOT over / instead",
		       root);
	if (err == EINVAL && (cx_mount_is_shared(newroot) == 1 ||
			      (top >= 0 && cx_mount_is_shared(top) == 1)))
		cx_die("pivot_root %s: a mount has shared propagation",
		       root);
	errno = err;
	cx_die_errno("pivot_root %s", root);
}

/* A chroot (the caller's, or one an earlier link made) leaves the root
 * below the top of the mount namespace.  pivot_root from there would
 * attach NEWROOT where the old root was, inside the old tree, and ".."
 * from NEWROOT's top would climb back into that tree: the classic
 * chroot escape, through the very pivot that should stop it.  setns()
 * into the namespace we are in puts the root and the working directory
 * back at its top (mntns_install), so the pivot below takes the whole
 * old tree away.  A pidfd names our own namespace without /proc (5.8);
 * /proc/self/ns/mnt before that. */
static void to_namespace_top(void)
{
	int fd, err;

	cx_say("setns to the top of the new mount namespace");
	fd = cx_pidfd_open(getpid(), 0);
	if (fd >= 0 && setns(fd, CLONE_NEWNS) == 0) {
		close(fd);
		return;
	}
	err = errno;
	if (fd >= 0)
		close(fd);
	if (err == ENOSYS || err == EINVAL) {
		fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && setns(fd, CLONE_NEWNS) == 0) {
			close(fd);
			return;
		}
		err = fd >= 0 ? errno : err;
		if (fd >= 0)
			close(fd);
	}
	if (err == EPERM)
		cx_die("setns to the top of the new mount namespace: %s: it takes CAP_SYS_CHROOT as well as CAP_SYS_ADMIN",
		       strerror(err));
	errno = err;
	cx_die_errno("setns to the top of the new mount namespace");
}

/* Before the move over "/": every other mount on the namespace's root
 * is detached, so nothing of the old tree stays in the namespace below
 * the new root.  A mount is detached only if its path still leads to it
 * (one stacked on another, or one that holds NEWROOT, is left), and
 * where the kernel refuses (a mount locked in a user namespace), or
 * without /proc to list them, the mounts stay, covered by the new root.
 * Only the covering matters to containment: below. */
static void detach_the_rest(int newroot)
{
	struct cx_mountinfo_table t;
	unsigned long top, keep, id;
	int topfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (topfd < 0)
		return;
	if (cx_mount_id(topfd, &top) < 0 || cx_mount_id(newroot, &keep) < 0 ||
	    cx_mountinfo_read(&t) < 0) {
		close(topfd);
		return;
	}
	close(topfd);
	for (size_t i = 0; i < t.n; i++) {
		const struct cx_mountinfo *m = &t.m[i];
		int fd;

		if (m->parent != top || m->id == top ||
		    cx_mountinfo_depth(&t, keep, m->id) >= 0)
			continue;
		fd = open(m->mountpoint, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (cx_mount_id(fd, &id) == 0 && id == m->id) {
			cx_say("detach %s", m->mountpoint);
			if (umount2(m->mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
				cx_say("detach %s: %s: it stays, covered",
				       m->mountpoint, strerror(errno));
		}
		close(fd);
	}
	cx_mountinfo_free(&t);
}

/* pivot_root cannot take the initial rootfs away: it is never
 * unmounted.  There, as switch_root(8) does, NEWROOT is moved over "/"
 * and chroot makes it the root.  ".." from its top leads to the rootfs's
 * "/", on which NEWROOT is mounted, so the walk comes back down into
 * NEWROOT: the chroot escape finds nothing above it. */
static void move_over_root(int newroot, const char *root)
{
	detach_the_rest(newroot);
	cx_say("move %s over / and chroot into it (pivot_root cannot move the initial rootfs)",
	       root);
	if (fchdir(newroot) < 0)
		cx_die_errno("chdir %s", root);
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		cx_die_errno("move %s over /", root);
	if (chroot(".") < 0)
		cx_die_errno("chroot %s", root);
	if (chdir("/") < 0)
		cx_die_errno("chdir /");
}

/* In a user namespace the kernel mounts a new proc only while another
 * one is mounted, whole, in the same mount namespace: after the pivot
 * none would be, and the next link's cx-unshare --mount-proc could not
 * mount one.  So where NEWROOT has an empty proc directory with
 * nothing on it, a keeper goes there first: a read-only proc of our own
 * PID namespace, its source "cx-keeper", which cx-unshare --mount-proc
 * takes down once its own proc is made.  Only a chance: where the
 * kernel refuses it (no proc in sight now either), the pivot goes on
 * without it. */
static void mount_keeper(int newroot)
{
	int fd;

	if (cx_ns_user_is_initial() != 0)
		return;
	fd = openat(newroot, "proc", O_PATH | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
	if (fd < 0)
		return;
	if (cx_is_mountpoint(fd) == 0)
		cx_mount_fresh_source(fd, "proc", CX_PROC_KEEPER, NULL,
				      MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				      "proc", NULL);
	close(fd);
}

/* pivot_root changes the root of every process in the mount namespace,
 * so --pivot first makes a private namespace of its own: whoever runs
 * it, from wherever (an nsenter into the host's namespace included),
 * only the tool and its command see the new root.
 *
 * pivot_root(".", ".") stacks the old root on the new one; detaching it
 * leaves nothing of the host's tree reachable, and needs no directory
 * for the old root inside NEWROOT. */
static void pivot(int rootfd, const char *root, enum pivot_mode mode)
{
	int mp, newroot;

	cx_say("unshare the mount namespace");
	if (unshare(CLONE_NEWNS) < 0)
		cx_die_errno("unshare mount namespace");
	/* The descriptor from before holds the old namespace's mount;
	 * the path is read from where we are, before the setns. */
	rootfd = cx_reopen_dir(rootfd, root);
	if (rootfd < 0)
		cx_die_last();
	to_namespace_top();
	cx_say("make every mount private");
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		cx_die_errno("make / private");
	newroot = rootfd;
	mp = cx_is_mountpoint(rootfd);
	if (mp < 0)
		cx_die_errno("stat %s", root);
	if (!mp) {
		char again[PATH_MAX], link[64];
		ssize_t n;

		/* Without open_tree the bind is found again by its path:
		 * ROOT as typed was read from where we were before the
		 * setns, so the path is the one the kernel gives now. */
		snprintf(link, sizeof(link), "/proc/self/fd/%d", rootfd);
		n = readlink(link, again, sizeof(again) - 1);
		if (n > 0 && again[0] == '/')
			again[n] = '\0';
		else
			again[0] = '\0';	/* found by no path: refused */
		cx_say("bind %s onto itself", root);
		newroot = cx_mount_self(rootfd, again, root);
		if (newroot < 0)
			cx_die_last();
	}
	mount_keeper(newroot);
	if (fchdir(newroot) < 0)
		cx_die_errno("chdir %s", root);
	cx_say("pivot_root into %s", root);
	if (cx_pivot_root(".", ".") < 0) {
		int err = errno;

		if (err == EINVAL && mode == PIVOT_AUTO && on_rootfs()) {
			move_over_root(newroot, root);
			goto done;
		}
		if (newroot != rootfd)
			umount2(".", MNT_DETACH);
		explain_pivot(err, newroot, root);
	}
	/* The old root is now on top of ".": keep its unmount from
	 * propagating anywhere, then detach it. */
	if (mount("none", ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		cx_die_errno("make the old root a slave");
	cx_say("detach the old root");
	if (umount2(".", MNT_DETACH) < 0)
		cx_die_errno("detach the old root");
	if (chdir("/") < 0)
		cx_die_errno("chdir /");
done:
	if (newroot != rootfd)
		close(newroot);
	close(rootfd);
}

static void plain_chroot(struct ctx *c, int rootfd, const char *root)
{
	int cwd = -1;

	/* --skip-chdir: NEWROOT is our root already, so the working
	 * directory we come back to is inside it. */
	if (c->skip_chdir && (cwd = open(".", O_PATH | O_DIRECTORY |
						   O_CLOEXEC)) < 0)
		cx_die_errno("open .");
	cx_say("chroot %s", root);
	if (fchdir(rootfd) < 0 || chroot(".") < 0)
		cx_die_errno("chroot %s", root);
	if (cwd >= 0 ? fchdir(cwd) < 0 : chdir("/") < 0)
		cx_die_errno("chdir back");
	if (cwd >= 0)
		close(cwd);
	close(rootfd);
}

/* The new IDs, with the parent-death signal of cx-unshare --kill-child
 * kept across the change, which clears it (see cx_pdeath_hold). */
static void change_ids(const struct cx_ids *ids)
{
	if (cx_pdeath_hold() < 0 || cx_set_ids(ids) < 0 ||
	    cx_pdeath_release() < 0)
		cx_die_last();
}

/* A name of --userspec or --groups that DB (in the new root) does not
 * hold: say where it was looked for. */
static noreturn void unknown_name(const char *opt, const char *kind,
				  const char *name, const char *db)
{
	struct stat st;

	if (stat(db, &st) < 0)
		cx_die("%s: %s '%s': the new root has no %s to look it up in: %s",
		       opt, kind, name, db, strerror(errno));
	if (!S_ISREG(st.st_mode))
		cx_die("%s: %s '%s': the new root's %s is not a regular file, and is not read (it could block, or never end)",
		       opt, kind, name, db);
	cx_die("%s: no %s '%s' in the new root's %s (names are looked up there, after the change of root)",
	       opt, kind, name, db);
}

/* The first item of LIST (separated by SEP; none with 0, ':' for the
 * user of USER:GROUP) that is a name DB lacks. */
static void find_unknown(const char *opt, const char *kind, const char *list,
			 int sep, const char *db)
{
	char buf[4096], *p = buf, *tok, seps[2] = { (char)sep, 0 };
	gid_t g;
	uid_t u;
	int has;

	snprintf(buf, sizeof(buf), "%s", list);
	while ((tok = strsep(&p, seps))) {
		if (*tok && !isdigit((unsigned char)*tok) &&
		    (strcmp(kind, "user") == 0 ?
			     cx_parse_user(tok, db, &u, &g, &has) < 0 :
			     cx_parse_group(tok, db, &g) < 0))
			unknown_name(opt, kind, tok, db);
		/* "USER:GROUP": the group is the next call's business. */
		if (sep == ':')
			break;
	}
}

/* Names are looked up in the new root's /etc, after the change, as
 * coreutils' chroot does.  A user gets the groups /etc/group gives it,
 * unless --groups says otherwise. */
static void set_credentials(struct ctx *c)
{
	gid_t groups[MAX_GROUPS], primary;
	struct cx_ids ids = { .ngroups = -1, .groups = groups };
	int has_gid = 0;
	char name[256] = "";

	if (c->groups) {
		ids.ngroups = cx_parse_groups(c->groups, "/etc/group", groups,
					      MAX_GROUPS);
		if (ids.ngroups < 0) {
			find_unknown("--groups", "group", c->groups, ',',
				     "/etc/group");
			cx_opt_invalid("--groups", c->groups,
				       "groups, known names or numbers, comma-separated");
			cx_die_last();
		}
	}
	if (!c->userspec) {
		if (ids.ngroups >= 0)
			change_ids(&ids);
		return;
	}
	if (cx_parse_userspec(c->userspec, "/etc/passwd", "/etc/group",
			      &ids.uid, &ids.gid, &has_gid) < 0) {
		const char *colon = strchr(c->userspec, ':');

		find_unknown("--userspec", "user", c->userspec, ':',
			     "/etc/passwd");
		if (colon)
			find_unknown("--userspec", "group", colon + 1, 0,
				     "/etc/group");
		cx_opt_invalid("--userspec", c->userspec,
			       "USER[:GROUP], each a known name or a number");
		cx_die_last();
	}
	if (cx_lookup_uid("/etc/passwd", ids.uid, name, sizeof(name),
			  &primary) == 0 && !has_gid) {
		ids.gid = primary;
		has_gid = 1;
	}
	if (!has_gid)
		cx_die("no group for uid %u in NEWROOT's /etc/passwd: use --userspec USER:GROUP",
		       (unsigned)ids.uid);
	if (ids.ngroups < 0) {
		groups[0] = ids.gid;
		ids.ngroups = name[0] ? cx_user_groups("/etc/group", name,
						       ids.gid, groups,
						       MAX_GROUPS) : 1;
		if (ids.ngroups < 0)
			cx_die_errno("groups of %s in NEWROOT's /etc/group", name);
	}
	ids.set_uid = ids.set_gid = true;
	change_ids(&ids);
}

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	char **rest, **cmd, *shell[] = { "/bin/sh", "-i", NULL };
	const char *root;
	int rootfd, toolfd;

	cx_init("cx-chroot");
	rest = cx_opt_parse(&tool, argc, argv, on_option, &c);
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
	if (toolfd == -2)
		cx_die_last();

	if (c.pivot)
		pivot(rootfd, root, c.pivot);
	else
		plain_chroot(&c, rootfd, root);
	/* As runc's verifyCwd: the command starts inside the new root. */
	if (cx_check_cwd(c.skip_chdir ? "." : "/") < 0)
		cx_die_last();
	set_credentials(&c);
	cx_exec(toolfd, cmd);
}
