#include "mount.h"
#include "mountinfo.h"

#include "die.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct cx_propagation propagations[] = {
	{ "private", MS_PRIVATE },
	{ "shared", MS_SHARED },
	{ "slave", MS_SLAVE },
	{ "unbindable", MS_UNBINDABLE },
	{ "unchanged", 0 },
	{ NULL, 0 },
};

const struct cx_propagation *cx_propagation_by_name(const char *name)
{
	for (const struct cx_propagation *p = propagations; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* The fallback for kernels without the new mount API: mount(2) by
 * path relative to the directory DIRFD, made our working directory for
 * the call, since /proc/self/fd/N needs a proc, which a new root may
 * not have yet. */
struct mount_args {
	const char *source, *target, *type, *data;
	unsigned long flags, remount;	/* remount: then again, on target */
};

static int mount_in(int dirfd, const struct mount_args *m)
{
	int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC), rc, err;

	if (cwd < 0)
		return -1;
	rc = fchdir(dirfd);
	if (rc == 0)
		rc = mount(m->source, m->target, m->type, m->flags, m->data);
	if (rc == 0 && m->remount)
		rc = mount(NULL, m->target, NULL, m->remount, NULL);
	err = errno;
	if (fchdir(cwd) < 0 && rc == 0) {
		err = errno;
		rc = -1;
	}
	close(cwd);
	errno = err;
	return rc;
}

/* mount(2) on the directory DIRFD itself.  With SOURCE ".", the source
 * is that same directory. */
static int mount_at(int dirfd, const char *source, const char *type,
		    unsigned long flags, const char *data)
{
	struct mount_args m = { source, ".", type, data, flags, 0 };

	return mount_in(dirfd, &m);
}

static int close_keep_errno(int fd)
{
	int err = errno;

	if (fd >= 0)
		close(fd);
	errno = err;
	return -1;
}

/* MS_ flags to MOUNT_ATTR_ ones, for the four we use. */
static unsigned int attrs_of(unsigned long flags)
{
	return (flags & MS_RDONLY ? MOUNT_ATTR_RDONLY : 0) |
	       (flags & MS_NOSUID ? MOUNT_ATTR_NOSUID : 0) |
	       (flags & MS_NODEV ? MOUNT_ATTR_NODEV : 0) |
	       (flags & MS_NOEXEC ? MOUNT_ATTR_NOEXEC : 0);
}

/* Each "key[=value]" of the comma-separated DATA, to the superblock. */
static int configure(int fs, const char *data)
{
	char buf[256], *p = buf, *item;

	if (snprintf(buf, sizeof(buf), "%s", data ? data : "") >=
	    (int)sizeof(buf)) {
		errno = E2BIG;
		return -1;
	}
	while ((item = strsep(&p, ","))) {
		char *eq = strchr(item, '=');

		if (!*item)
			continue;
		if (eq)
			*eq = '\0';
		if (cx_fsconfig(fs, eq ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG,
				item, eq ? eq + 1 : NULL, 0) < 0)
			return -1;
	}
	return cx_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
}

int cx_mount_fresh(int dirfd, const char *type, const char *data,
		   unsigned long flags, const char *shown)
{
	return cx_mount_fresh_source(dirfd, type, NULL, data, flags, shown,
				     NULL);
}

int cx_mount_detached(const char *type, const char *source,
		      const char *data, unsigned long flags, const char *shown)
{
	int fs, mnt;

	fs = cx_fsopen(type, FSOPEN_CLOEXEC);
	if (fs < 0)
		return cx_fail(errno, "fsopen %s", type);
	if ((source && cx_fsconfig(fs, FSCONFIG_SET_STRING, "source", source,
				   0) < 0) ||
	    configure(fs, data) < 0) {
		close_keep_errno(fs);
		return cx_fail(errno, "create %s for %s", type, shown);
	}
	mnt = cx_fsmount(fs, FSMOUNT_CLOEXEC, attrs_of(flags));
	close_keep_errno(fs);
	if (mnt < 0)
		return cx_fail(errno, "fsmount %s for %s", type, shown);
	return mnt;
}

int cx_mount_fresh_source(int dirfd, const char *type, const char *source,
			  const char *data, unsigned long flags,
			  const char *shown, int *root)
{
	int mnt;

	if (root)
		*root = -1;
	mnt = cx_mount_detached(type, source, data, flags, shown);
	if (mnt < 0 && cx_last_errno() == ENOSYS) {
		if (mount_at(dirfd, source ? source : type, type, flags, data) < 0)
			return cx_fail(errno, "mount %s on %s", type, shown);
		return 0;
	}
	if (mnt < 0)
		return -1;
	if (cx_move_mount(mnt, "", dirfd, "",
			  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		close_keep_errno(mnt);
		return cx_fail(errno, "mount %s on %s", type, shown);
	}
	/* Once attached, the descriptor is the new mount's root. */
	if (root)
		*root = mnt;
	else
		close(mnt);
	return 0;
}

/* The parts of a proc through which a process writes to the host's
 * kernel rather than to its own namespaces (sysctls in sys/, the
 * sysrq-trigger, irq/, bus/, fs/; scsi/scsi adds and removes the
 * host's disks, acpi/ drives its firmware): read-only, as runc and
 * Docker leave or mask them. */
static const char *const proc_readonly[] = {
	"sys", "sysrq-trigger", "irq", "bus", "fs", "scsi", "acpi", NULL,
};

/* mount(2), before 5.12: bind NAME below PROCFD on itself, then make
 * the new mount (which the name now reaches) read-only. */
static int protect_by_name(int procfd, const char *name)
{
	struct mount_args m = {
		name, name, NULL, NULL, MS_BIND | MS_REC,
		MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV |
			MS_NOEXEC,
	};

	return mount_in(procfd, &m);
}

int cx_mount_protect_proc(int procfd, const char *shown)
{
	struct mount_attr a = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
	};
	bool old_api = false;

	for (const char *const *n = proc_readonly; *n; n++) {
		int tree = -1;
		struct stat st;

		if (fstatat(procfd, *n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return cx_fail(errno, "stat %s/%s", shown, *n);
		}
		if (!old_api) {
			tree = cx_open_tree(procfd, *n, OPEN_TREE_CLONE |
					     OPEN_TREE_CLOEXEC | AT_RECURSIVE |
					     AT_SYMLINK_NOFOLLOW);
			if (tree >= 0 &&
			    cx_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE,
					     &a) < 0) {
				close_keep_errno(tree);
				tree = -1;
			}
			old_api = tree < 0 && errno == ENOSYS;
			if (tree < 0 && !old_api)
				return cx_fail(errno, "make %s/%s read-only", shown, *n);
		}
		if (old_api) {
			if (protect_by_name(procfd, *n) < 0)
				return cx_fail(errno, "make %s/%s read-only", shown, *n);
			continue;
		}
		if (cx_move_mount(tree, "", procfd, *n,
				  MOVE_MOUNT_F_EMPTY_PATH) < 0) {
			close_keep_errno(tree);
			return cx_fail(errno, "make %s/%s read-only", shown, *n);
		}
		close(tree);
	}
	return 0;
}

int cx_mount_self(int fd, const char *path_again, const char *shown)
{
	int tree = cx_open_tree(fd, "",
				OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					AT_RECURSIVE | AT_EMPTY_PATH);

	if (tree < 0 && errno == ENOSYS) {
		if (mount_at(fd, ".", NULL, MS_BIND | MS_REC, NULL) < 0)
			return cx_fail(errno, "bind %s on itself", shown);
		/* FD still names the directory under the new mount, so the
		 * mount is found by its path. */
		tree = open(path_again, O_PATH | O_DIRECTORY | O_NOFOLLOW |
					    O_CLOEXEC);
		/* The path must lead to the bind just made: the same
		 * directory, now the root of a mount. */
		if (tree < 0 || !cx_same_file(tree, fd, false) || cx_is_mountpoint(tree) != 1) {
			int err = tree < 0 ? errno : 0;

			/* Not unmounted by a path that leads elsewhere: the
			 * caller's mount namespace is its own (cx-chroot's),
			 * and goes with it. */
			if (tree >= 0)
				close(tree);
			if (err)
				return cx_fail(err, "open %s", shown);
			return cx_fail(0, "bind %s on itself: the bind cannot be found again by its path",
				       shown);
		}
		return tree;
	}
	if (tree < 0)
		return cx_fail(errno, "open_tree %s", shown);
	if (cx_move_mount(tree, "", fd, "",
			  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		close_keep_errno(tree);
		return cx_fail(errno, "bind %s on itself", shown);
	}
	/* Once attached, the tree's descriptor is the new mount's root. */
	return tree;
}

/* Where the tmpfs of cx_mount_leave_tree goes: a directory that every
 * host has, covered only in the namespace of our own. */
static const char *const leave_points[] = {
	"/proc", "/tmp", "/dev", "/mnt", "/", NULL,
};

/* Make the directories of PATH below ROOT, as mkdir -p does. */
static int make_dirs(int root, const char *path, const char *who)
{
	char buf[PATH_MAX], *p = buf, *name;
	int dir = dup(root), next;

	if (dir < 0)
		return cx_fail(errno, "%s: dup", who);
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		close(dir);
		return cx_fail(ENAMETOOLONG, "%s: a mount point for later: %s",
			       who, path);
	}
	while ((name = strsep(&p, "/"))) {
		if (!*name || !strcmp(name, "."))
			continue;
		if (!strcmp(name, "..") ||
		    (mkdirat(dir, name, 0500) < 0 && errno != EEXIST) ||
		    (next = openat(dir, name, O_PATH | O_DIRECTORY |
					      O_NOFOLLOW | O_CLOEXEC)) < 0) {
			int err = strcmp(name, "..") ? errno : EINVAL;

			close(dir);
			return cx_fail(err, "%s: make %s in its empty root", who,
				       path);
		}
		close(dir);
		dir = next;
	}
	close(dir);
	return 0;
}

/* The inodes the tmpfs needs: its root and one a component of DIRS. */
static unsigned count_dirs(const char *const *dirs)
{
	unsigned n = 1;

	for (; dirs && *dirs; dirs++)
		for (const char *c = *dirs; *c; c++)
			n += c[0] == '/' && c[1] && c[1] != '/';
	return n;
}

int cx_mount_chroot_empty(const char *source, const char *who)
{
	char shown[64];
	int mnt;

	snprintf(shown, sizeof(shown), "the root of the %s", who);
	mnt = cx_mount_detached("tmpfs", source, "size=4k,nr_inodes=1,mode=0500",
				MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				shown);
	if (mnt < 0)
		return -1;
	if (fchdir(mnt) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		close_keep_errno(mnt);
		return cx_fail(errno, "%s: chroot into an empty tmpfs", who);
	}
	close(mnt);
	return 0;
}

/* A plain chroot's root is no mount point: pivot_root(2) refuses it,
 * and no propagation can be set on it.  The tmpfs, attached nowhere,
 * becomes the root by chroot(2); the namespace keeps the tree, which
 * only a process with CAP_SYS_ADMIN could enter. */
static int leave_by_chroot(const char *source, const char *who)
{
	if (cx_mount_chroot_empty(source, who) == 0)
		return 0;
	if (cx_last_errno() == ENOSYS)
		return cx_fail(ENOSYS, "%s: its root is no mount point (a plain chroot) and the kernel lacks fsmount(2) (Linux 5.2): use cx-chroot --pivot",
			       who);
	return -1;
}

/* setns(2) into our own mount namespace: root and working directory
 * its top.  A PID descriptor (5.8), else /proc/self/ns/mnt. */
static int to_top(void)
{
	int fd = cx_pidfd_open(getpid(), 0), err;

	if (fd >= 0 && setns(fd, CLONE_NEWNS) == 0) {
		close(fd);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	err = setns(fd, CLONE_NEWNS) < 0 ? errno : 0;
	close(fd);
	errno = err;
	return err ? -1 : 0;
}

int cx_mount_leave_tree(const char *const *dirs, const char *source,
			const char *who)
{
	const char *const *p = leave_points;
	char data[64], shown[64];
	int dirfd = -1, root, mp;

	if (unshare(CLONE_NEWNS) < 0)
		return cx_fail(errno, "%s: unshare a mount namespace of its own",
			       who);
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	mp = root < 0 ? -1 : cx_is_mountpoint(root);
	if (root >= 0)
		close(root);
	if (mp < 0)
		return cx_fail(errno, "%s: stat its root", who);
	if (!mp && dirs && *dirs)
		return cx_fail(EINVAL, "%s: its root is no mount point (a plain chroot), and from a tmpfs attached nowhere it could not mount on %s later: use cx-chroot --pivot",
			       who, *dirs);
	if (!mp)
		return leave_by_chroot(source, who);
	/* A root that is a mount point may still not be the namespace's
	 * top (a plain chroot into a mount): pivot_root(2) would leave the
	 * tree above the tmpfs.  setns(2) into our own namespace starts
	 * from its top. */
	if (to_top() < 0)
		return cx_fail(errno, "%s: setns to the top of its mount namespace",
			       who);
	snprintf(shown, sizeof(shown), "the root of the %s", who);
	snprintf(data, sizeof(data), "size=%uk,nr_inodes=%u,mode=0500",
		 4 * count_dirs(dirs), count_dirs(dirs) + 8);
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return cx_fail(errno, "%s: make its mounts private", who);
	for (; *p; p++)
		if ((dirfd = open(*p, O_PATH | O_DIRECTORY | O_NOFOLLOW |
					    O_CLOEXEC)) >= 0)
			break;
	if (dirfd < 0)
		return cx_fail(errno, "%s: open a directory to mount on", who);
	if (cx_mount_fresh_source(dirfd, "tmpfs", source, data,
				  MS_NOSUID | MS_NODEV | MS_NOEXEC, shown,
				  &root) < 0) {
		close_keep_errno(dirfd);
		return -1;
	}
	/* After mount(2) the name leads to the new mount: in a namespace
	 * that is ours alone, where nothing else mounts, and on a mount
	 * point, which no one can rename (found again by name, not through
	 * /proc, which may be the very directory covered). */
	if (root < 0 && (root = open(*p, O_PATH | O_DIRECTORY | O_NOFOLLOW |
					       O_CLOEXEC)) < 0) {
		close_keep_errno(dirfd);
		return cx_fail(errno, "%s: open its new root %s", who, *p);
	}
	close(dirfd);
	for (; dirs && *dirs; dirs++)
		if (make_dirs(root, *dirs, who) < 0) {
			close_keep_errno(root);
			return -1;
		}
	if (fchdir(root) < 0) {
		close_keep_errno(root);
		return cx_fail(errno, "%s: enter its empty root", who);
	}
	close(root);
	if (cx_pivot_root(".", ".") < 0)
		return cx_fail(errno, "%s: pivot_root into an empty tmpfs", who);
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return cx_fail(errno, "%s: detach the tree it left", who);
	if (mount("none", "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY |
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return cx_fail(errno, "%s: make its root read-only", who);
	return 0;
}

int cx_is_mountpoint(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
		  STATX_BASIC_STATS, &stx) < 0)
		return -1;
	if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
		return !!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	/* Before 5.8: a mount root is where ".." is on another mount or is
	 * the same directory. */
	{
		struct stat here, up;

		if (fstat(fd, &here) < 0 ||
		    fstatat(fd, "..", &up, 0) < 0)
			return -1;
		return here.st_dev != up.st_dev || here.st_ino == up.st_ino;
	}
}

static int mount_id_fdinfo(int fd, unsigned long *id)
{
	char path[64], line[256];
	FILE *f;
	int rc = -1;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "mnt_id: %lu", id) == 1) {
			rc = 0;
			break;
		}
	fclose(f);
	if (rc < 0)
		errno = ENOENT;
	return rc;
}

int cx_mount_id(int fd, unsigned long *id)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID,
		  &stx) == 0 && (stx.stx_mask & STATX_MNT_ID)) {
		*id = (unsigned long)stx.stx_mnt_id;
		return 0;
	}
	/* Before 5.8. */
	return mount_id_fdinfo(fd, id);
}

bool cx_same_file(int a, int b, bool same_mount)
{
	struct stat sa, sb;
	unsigned long ma, mb;

	if (a < 0 || b < 0 || fstat(a, &sa) < 0 || fstat(b, &sb) < 0 ||
	    sa.st_dev != sb.st_dev || sa.st_ino != sb.st_ino)
		return false;
	return !same_mount || (cx_mount_id(a, &ma) == 0 &&
			       cx_mount_id(b, &mb) == 0 && ma == mb);
}

int cx_mount_found_again(int fd, const char *shown)
{
	char proc[64], where[PATH_MAX];
	struct cx_mountinfo_table t;
	const struct cx_mountinfo *m;
	unsigned long parent, id;
	bool ok = false;
	ssize_t n;
	int mnt;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (cx_mount_id(fd, &parent) < 0)
		return cx_fail(errno, "mount on %s: mount id of %s", shown, proc);
	n = readlink(proc, where, sizeof(where) - 1);
	if (n < 0)
		return cx_fail(errno, "mount on %s: readlink %s", shown, proc);
	where[n] = '\0';
	/* "(unreachable)/..." and the like: not a path from our root. */
	mnt = where[0] == '/' ? open(where, O_PATH | O_NOFOLLOW | O_CLOEXEC)
			       : -1;
	if (mnt >= 0 && cx_mount_id(mnt, &id) == 0 && cx_mountinfo_read(&t) == 0) {
		m = cx_mountinfo_find(&t, id);
		ok = m && m->parent == parent && strcmp(m->mountpoint, where) == 0;
		cx_mountinfo_free(&t);
	}
	if (!ok) {
		close_keep_errno(mnt);
		return cx_fail(0, "mount on %s: the new mount cannot be found again at %s; it may still be mounted there",
			       shown, where);
	}
	return mnt;
}

/* The mountinfo entry of the mount that holds FD, from T, which the
 * caller frees once it is done with the entry.  NULL with errno set. */
static const struct cx_mountinfo *mount_of(int fd,
					   struct cx_mountinfo_table *t)
{
	const struct cx_mountinfo *m;
	unsigned long id;

	if (cx_mount_id(fd, &id) < 0 || cx_mountinfo_read(t) < 0)
		return NULL;
	m = cx_mountinfo_find(t, id);
	if (!m) {
		cx_mountinfo_free(t);
		errno = ENOENT;
	}
	return m;
}

int cx_mount_is_shared(int fd)
{
	struct cx_mountinfo_table t;
	const struct cx_mountinfo *m = mount_of(fd, &t);
	int rc;

	if (!m)
		return -1;
	rc = cx_mountinfo_tagged(m, "shared");
	cx_mountinfo_free(&t);
	return rc;
}

int cx_mount_fstype(int fd, char *buf, size_t len)
{
	struct cx_mountinfo_table t;
	const struct cx_mountinfo *m = mount_of(fd, &t);

	if (!m)
		return -1;
	snprintf(buf, len, "%s", m->fstype);
	cx_mountinfo_free(&t);
	return 0;
}

int cx_mount_source(int fd, char *buf, size_t len)
{
	struct cx_mountinfo_table t;
	const struct cx_mountinfo *m = mount_of(fd, &t);

	if (!m)
		return -1;
	snprintf(buf, len, "%s", m->source);
	cx_mountinfo_free(&t);
	return 0;
}
