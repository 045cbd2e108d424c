#include "bind.h"
#include "mount.h"
#include "mountinfo.h"
#include "ns.h"

#include "die.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

/* --- pure parsers ------------------------------------------------------ */

int cx_bind_pair_parse(const char *s, char **source, char **target,
		       char **opts)
{
	char *buf = malloc(strlen(s) + 2), *out = buf, *sep[2] = { NULL, NULL };
	int n = 0;

	if (!buf)
		return -1;
	for (; *s; s++) {
		if (*s == '\\' && (s[1] == ':' || s[1] == '\\')) {
			*out++ = *++s;
			continue;
		}
		if (*s == ':') {
			if (n == (opts ? 2 : 1))
				goto bad;
			sep[n++] = out;
		}
		*out++ = *s;
	}
	*out = '\0';
	if (!sep[0] || sep[0] == buf || sep[0] + 1 == (sep[1] ? sep[1] : out) ||
	    (sep[1] && !sep[1][1]))
		goto bad;
	*sep[0] = '\0';
	if (sep[1])
		*sep[1] = '\0';
	*source = buf;
	*target = sep[0] + 1;
	if (opts)
		*opts = sep[1] ? sep[1] + 1 : NULL;
	return 0;
bad:
	free(buf);
	errno = EINVAL;
	return -1;
}

int cx_bind_opts_parse(const char *s, struct cx_bind_opts *o)
{
	static const struct {
		const char *name;
		unsigned attr;	/* 0: rec */
		bool on;
	} names[] = {
		{ "ro", MOUNT_ATTR_RDONLY, true },
		{ "rw", MOUNT_ATTR_RDONLY, false },
		{ "nosuid", MOUNT_ATTR_NOSUID, true },
		{ "suid", MOUNT_ATTR_NOSUID, false },
		{ "nodev", MOUNT_ATTR_NODEV, true },
		{ "dev", MOUNT_ATTR_NODEV, false },
		{ "noexec", MOUNT_ATTR_NOEXEC, true },
		{ "exec", MOUNT_ATTR_NOEXEC, false },
		{ "rec", 0, true },
		{ "norec", 0, false },
	};
	struct cx_bind_opts r = { 0, 0, -1 };

	for (;;) {
		size_t len = strcspn(s, ","), i;

		for (i = 0; i < sizeof(names) / sizeof(*names); i++)
			if (strlen(names[i].name) == len &&
			    strncmp(s, names[i].name, len) == 0)
				break;
		if (i == sizeof(names) / sizeof(*names))
			goto bad;
		if (!names[i].attr) {
			if (r.rec >= 0 && r.rec != names[i].on)
				goto bad;
			r.rec = names[i].on;
		} else {
			unsigned *mine = names[i].on ? &r.set : &r.clear;
			unsigned *other = names[i].on ? &r.clear : &r.set;

			if (*other & names[i].attr)
				goto bad;
			*mine |= names[i].attr;
		}
		if (!s[len])
			break;
		s += len + 1;
	}
	*o = r;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* --- acting on descriptors ----------------------------------------------- */

static void close_keep_errno(int fd)
{
	int err = errno;

	if (fd >= 0)
		close(fd);
	errno = err;
}

/* 0 when /proc is a real proc: the checks read its mountinfo, and the
 * fallbacks name descriptors as /proc/self/fd/N.  In a root without
 * proc, or with a directory posing as one, cx-bind refuses to start. */
static int need_proc(void)
{
	struct statfs sf;

	if (statfs("/proc/self/fd", &sf) < 0)
		return -1;
	if (sf.f_type != PROC_SUPER_MAGIC) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

static void proc_fd_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

static const struct {
	unsigned attr;
	unsigned long ms;
	const char *name;
} flag_table[] = {
	{ MOUNT_ATTR_RDONLY, MS_RDONLY, "ro" },
	{ MOUNT_ATTR_NOSUID, MS_NOSUID, "nosuid" },
	{ MOUNT_ATTR_NODEV, MS_NODEV, "nodev" },
	{ MOUNT_ATTR_NOEXEC, MS_NOEXEC, "noexec" },
	/* Only mountinfo tells this one (since 5.12). */
	{ MOUNT_ATTR_IDMAP, 0, "idmapped" },
};

int cx_bind_detach(int fd, const char *tgt)
{
	char path[64];
	int rc;

	proc_fd_path(fd, path, sizeof(path));
	rc = umount2(path, MNT_DETACH);
	if (rc < 0)
		cx_warn_errno("undo the mount on %s", tgt);
	close_keep_errno(fd);
	return rc;
}

/* Remount the mount whose root is FD with the flags it has plus ATTR,
 * less CLEAR.  A bind remount sets every per-mount flag at once, so the
 * ones already there (noexec from the source, the atime mode) are
 * passed again: in a user namespace, dropping a locked one would fail
 * with EPERM. */
static int remount_flags(int fd, unsigned attr, unsigned clear,
			 const char *shown)
{
	struct statvfs sv;
	unsigned long flags = MS_REMOUNT | MS_BIND;
	char path[64];

	if (fstatvfs(fd, &sv) < 0)
		return cx_fail(errno, "statvfs %s", shown);
	for (size_t i = 0; i < sizeof(flag_table) / sizeof(*flag_table); i++)
		if (((attr & flag_table[i].attr) ||
		     (sv.f_flag & flag_table[i].ms)) &&	/* ST_* == MS_* */
		    !(clear & flag_table[i].attr))
			flags |= flag_table[i].ms;
	if (sv.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	else if (sv.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	else
		flags |= MS_STRICTATIME;
	if (sv.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (sv.f_flag & ST_NOSYMFOLLOW)
		flags |= MS_NOSYMFOLLOW;
	proc_fd_path(fd, path, sizeof(path));
	if (mount(NULL, path, NULL, flags, NULL) < 0)
		return cx_fail(errno, "remount %s", shown);
	return 0;
}

/* Open the mount point of M by its path and check that the path still
 * leads to M: a mount covered by another cannot be reached this way. */
static int open_mount(const struct cx_mountinfo *m)
{
	unsigned long id;
	int fd = open(m->mountpoint, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return cx_fail(errno, "open %s", m->mountpoint);
	if (cx_mount_id(fd, &id) < 0 || id != m->id) {
		close(fd);
		return cx_fail(0, "%s is covered by another mount", m->mountpoint);
	}
	return fd;
}

/* The fallback's flags: the new mount, then with REC each one below. */
static int remount_tree(int mnt, const struct cx_bind *b, const char *tgt)
{
	struct cx_mountinfo_table t;
	unsigned long top;
	int rc = 0;

	if (remount_flags(mnt, b->attr, 0, tgt) < 0)
		return -1;
	if (!b->rec)
		return 0;
	if (cx_mount_id(mnt, &top) < 0)
		return cx_fail(errno, "mount id of %s", tgt);
	if (cx_mountinfo_read(&t) < 0)
		return -1;
	for (size_t i = 0; i < t.n && rc == 0; i++) {
		int fd;

		if (cx_mountinfo_depth(&t, t.m[i].id, top) < 1)
			continue;
		fd = open_mount(&t.m[i]);
		if (fd < 0 || remount_flags(fd, b->attr, 0, t.m[i].mountpoint) < 0)
			rc = -1;
		if (fd >= 0)
			close(fd);
	}
	cx_mountinfo_free(&t);
	return rc;
}

static int set_propagation(int mnt, const struct cx_bind *b)
{
	struct mount_attr a = { .propagation = b->propagation };
	char path[64];

	if (cx_mount_setattr(mnt, "", AT_EMPTY_PATH |
			     (b->rec ? AT_RECURSIVE : 0), &a) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	proc_fd_path(mnt, path, sizeof(path));
	return mount(NULL, path, NULL,
		     b->propagation | (b->rec ? MS_REC : 0), NULL);
}

/* Say why a bind failed where the kernel's EINVAL says little. */
#define LOCKED_BELOW "in a user namespace, a mount with mounts on it that came from a more privileged namespace is bound only together with them, which it would otherwise uncover (add rec)"
#define LOCKED_MOUNT "it came into this user namespace's mount namespace from a more privileged one, and the kernel keeps it there, locked over what it covers"

static int fail_bind(int err, int srcfd, const char *src, const char *tgt,
		     bool rec)
{
	struct cx_mountinfo_table t;
	const struct cx_mountinfo *m;
	unsigned long id;
	int unbindable = 0;

	if (err == EINVAL && cx_mount_id(srcfd, &id) == 0 &&
	    cx_mountinfo_read(&t) == 0) {
		m = cx_mountinfo_find(&t, id);
		unbindable = m && cx_mountinfo_tagged(m, "unbindable");
		cx_mountinfo_free(&t);
	}
	if (unbindable)
		return cx_fail(err, "mount %s on %s: the source is on an unbindable mount",
			       src, tgt);
	if (err == EINVAL && !rec && cx_ns_user_is_initial() == 0)
		return cx_fail_why(err, LOCKED_BELOW, "mount %s on %s", src, tgt);
	return cx_fail(err, "mount %s on %s", src, tgt);
}

/* mount_setattr(MOUNT_ATTR_IDMAP) refused: the few causes, by errno. */
static int fail_idmap(int err, int srcfd, const char *src, const char *tgt)
{
	char type[32] = "?", why[256];

	cx_mount_fstype(srcfd, type, sizeof(type));
	if (err == EINVAL)
		snprintf(why, sizeof(why),
			 "this kernel cannot idmap a mount of %s (ext4, xfs and btrfs can from 5.12, tmpfs from 6.3; proc, sysfs and cgroup never), or one of the mounts below it with --rec",
			 type);
	else if (err == EPERM)
		snprintf(why, sizeof(why),
			 "an idmap takes CAP_SYS_ADMIN in the user namespace that mounted the %s file system (the host's, for a disk)",
			 type);
	else if (err == ENOSYS)
		snprintf(why, sizeof(why),
			 "idmapped mounts need mount_setattr (Linux 5.12)");
	else
		return cx_fail(err, "mount %s on %s: idmap", src, tgt);
	return cx_fail_why(err, why, "mount %s on %s: idmap", src, tgt);
}

/* After the mount: propagation, then the proof against mountinfo.
 * Either failing detaches the mount again. */
static int finish(int mnt, const struct cx_bind *b, const char *tgt)
{
	if (b->propagation && set_propagation(mnt, b) < 0) {
		cx_fail(errno, "set the propagation of %s", tgt);
		cx_bind_detach(mnt, tgt);
		return -1;
	}
	if (cx_bind_verify(mnt, b->attr, b->rec, tgt) < 0) {
		cx_bind_detach(mnt, tgt);
		return -1;
	}
	return mnt;
}

/* Before 5.2 (open_tree) or 5.12 (mount_setattr): mount(2) with both
 * ends named by /proc/self/fd, then a bind remount for the flags.  The
 * new mount is found again at the target's path and accepted only if it
 * is a child of the target's mount with the source's inode at its root. */
static int bind_fallback(int srcfd, int tgtfd, const struct cx_bind *b,
			 const char *src, const char *tgt)
{
	char sp[64], tp[64];
	int mnt;

	proc_fd_path(srcfd, sp, sizeof(sp));
	proc_fd_path(tgtfd, tp, sizeof(tp));
	if (mount(sp, tp, NULL, MS_BIND | (b->rec ? MS_REC : 0), NULL) < 0)
		return fail_bind(errno, srcfd, src, tgt, b->rec);
	mnt = cx_mount_found_again(tgtfd, tgt);
	if (mnt < 0)
		return -1;
	if (!cx_same_file(mnt, srcfd, false)) {
		close(mnt);
		return cx_fail(0, "mount %s on %s: the new mount is not %s; it may still be mounted there",
			       src, tgt, src);
	}
	if (remount_tree(mnt, b, tgt) < 0) {
		cx_bind_detach(mnt, tgt);
		return -1;
	}
	return finish(mnt, b, tgt);
}

int cx_bind_fds(int srcfd, int tgtfd, const struct cx_bind *b,
		const char *src, const char *tgt)
{
	unsigned rec = b->rec ? AT_RECURSIVE : 0;
	struct mount_attr a = { .attr_set = b->attr };
	int tree;

	if (b->attr & MOUNT_ATTR_IDMAP)
		a.userns_fd = (unsigned)b->userns;

	if (need_proc() < 0)
		return cx_fail(errno, "mount %s on %s: /proc is needed to check the mount",
			       src, tgt);
	if (cx_verbose) {
		char flags[128] = "";

		for (size_t f = 0; f < sizeof(flag_table) / sizeof(*flag_table); f++)
			if (b->attr & flag_table[f].attr)
				snprintf(flags + strlen(flags),
					 sizeof(flags) - strlen(flags), ",%s",
					 flag_table[f].name);
		cx_say("bind %s on %s (%s%s)", src, tgt, b->rec ? "rec" : "norec",
		       flags);
	}
	/* A detached copy of the source: its flags are set before anyone
	 * can see it, and with AT_RECURSIVE on every mount in it at once. */
	tree = cx_open_tree(srcfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					       AT_EMPTY_PATH | rec);
	if (tree < 0 && errno == ENOSYS && (b->attr & MOUNT_ATTR_IDMAP))
		return cx_fail_why(ENOSYS, "idmapped mounts need open_tree and mount_setattr (Linux 5.12)",
				   "mount %s on %s", src, tgt);
	if (tree < 0 && errno == ENOSYS)
		return bind_fallback(srcfd, tgtfd, b, src, tgt);
	if (tree < 0)
		return fail_bind(errno, srcfd, src, tgt, b->rec);
	if (b->attr && cx_mount_setattr(tree, "", AT_EMPTY_PATH | rec, &a) < 0) {
		close_keep_errno(tree);
		if (b->attr & MOUNT_ATTR_IDMAP)
			return fail_idmap(errno, srcfd, src, tgt);
		if (errno == ENOSYS)
			return bind_fallback(srcfd, tgtfd, b, src, tgt);
		return cx_fail(errno, "mount %s on %s: set flags", src, tgt);
	}
	if (cx_move_mount(tree, "", tgtfd, "", MOVE_MOUNT_F_EMPTY_PATH |
						       MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		close_keep_errno(tree);
		return fail_bind(errno, srcfd, src, tgt, b->rec);
	}
	/* Once attached, the tree's descriptor is the new mount's root. */
	return finish(tree, b, tgt);
}

int cx_bind_verify(int mntfd, unsigned attr, bool rec, const char *tgt)
{
	struct cx_mountinfo_table t;
	unsigned long top;
	int rc = 0, found = 0;

	/* One mount: statvfs(3) tells its flags (ST_RDONLY is MS_RDONLY,
	 * and so on), without a read of the whole mount table. */
	if (!rec && !(attr & MOUNT_ATTR_IDMAP)) {
		struct statvfs sv;

		if (fstatvfs(mntfd, &sv) == 0) {
			for (size_t f = 0; f < sizeof(flag_table) / sizeof(*flag_table); f++)
				if ((attr & flag_table[f].attr) &&
				    !(sv.f_flag & flag_table[f].ms))
					return cx_fail(0, "verify %s: the mount on %s is not %s",
						       tgt, tgt, flag_table[f].name);
			return 0;
		}
	}
	if (cx_mount_id(mntfd, &top) < 0)
		return cx_fail(errno, "verify %s: mount id", tgt);
	if (cx_mountinfo_read(&t) < 0)
		return cx_fail_context("verify %s", tgt);
	for (size_t i = 0; i < t.n && rc == 0; i++) {
		const struct cx_mountinfo *m = &t.m[i];
		int depth = cx_mountinfo_depth(&t, m->id, top);

		if (depth < 0 || (depth > 0 && !rec))
			continue;
		found += depth == 0;
		for (size_t f = 0; f < sizeof(flag_table) / sizeof(*flag_table); f++)
			if ((attr & flag_table[f].attr) &&
			    !cx_mountinfo_has(m->options, flag_table[f].name)) {
				rc = cx_fail(0, "verify %s: the mount on %s is not %s",
					     tgt, m->mountpoint,
					     flag_table[f].name);
				break;
			}
	}
	if (rc == 0 && !found)
		rc = cx_fail(0, "verify %s: the mount is not in /proc/self/mountinfo",
			     tgt);
	cx_mountinfo_free(&t);
	return rc;
}

/* --- unmounting ---------------------------------------------------------- */

/* Unmount the mount whose root is FD (closed here) by its name in its
 * parent directory.  The parent stays open as our working directory
 * during umount2(), so the name is looked up in that directory and
 * nowhere else; the check just before makes sure it still leads to the
 * same mount. */
static int unmount_one(int fd, int flags, const char *tgt)
{
	char tp[64], where[PATH_MAX], *name;
	unsigned long id, now;
	struct stat st;
	int parent, check, cwd, rc, err;
	ssize_t n;

	proc_fd_path(fd, tp, sizeof(tp));
	n = readlink(tp, where, sizeof(where) - 1);
	if (n < 0 || cx_mount_id(fd, &id) < 0 || fstat(fd, &st) < 0) {
		close_keep_errno(fd);
		return cx_fail(errno, "unmount %s", tgt);
	}
	where[n] = '\0';
	name = strrchr(where, '/');
	if (where[0] != '/' || !name || !name[1]) {
		close(fd);
		return cx_fail(EBUSY, "unmount %s: it is the root directory", tgt);
	}
	*name++ = '\0';
	/* From a directory mount's root, ".." crosses to the directory that
	 * holds the mount point.  A file has no "..": its directory is
	 * opened by path, and the check below proves it. */
	if (S_ISDIR(st.st_mode))
		parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	else
		parent = open(where[0] ? where : "/",
			      O_PATH | O_DIRECTORY | O_CLOEXEC);
	close(fd);
	if (parent < 0)
		return cx_fail(errno, "unmount %s: open its directory", tgt);
	check = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	rc = check >= 0 && cx_mount_id(check, &now) == 0 && now == id ? 0 : -1;
	if (check >= 0)
		close(check);
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rc < 0 || cwd < 0) {
		close(parent);
		close_keep_errno(cwd);
		return cx_fail(0, "unmount %s: it changed while cx-bind worked on it",
			       tgt);
	}
	rc = fchdir(parent);
	cx_say("unmount %s%s", tgt, (flags & MNT_DETACH) ? " (detach)" : "");
	if (rc == 0)
		rc = umount2(name, flags | UMOUNT_NOFOLLOW);
	err = errno;
	if (fchdir(cwd) < 0 && rc == 0)
		cx_warn_errno("return to the working directory");
	close(cwd);
	close(parent);
	if (rc < 0 && err == EINVAL && cx_ns_user_is_initial() == 0)
		return cx_fail_why(err, LOCKED_MOUNT, "unmount %s", tgt);
	if (rc < 0)
		return cx_fail(err, "unmount %s", tgt);
	return 0;
}

struct below {
	unsigned long id;
	int depth;
};

static int deepest_first(const void *a, const void *b)
{
	const struct below *x = a, *y = b;

	return y->depth - x->depth;
}

int cx_bind_unmount(int fd, bool rec, int flags, const char *tgt)
{
	struct cx_mountinfo_table t;
	struct below *list;
	unsigned long top;
	size_t n = 0;
	int rc = 0;

	if (need_proc() < 0) {
		close_keep_errno(fd);
		return cx_fail(errno, "unmount %s: /proc is needed", tgt);
	}
	/* A detach takes the whole tree below with it. */
	if (!rec || (flags & MNT_DETACH))
		return unmount_one(fd, flags, tgt);
	if (cx_mount_id(fd, &top) < 0 || cx_mountinfo_read(&t) < 0) {
		close_keep_errno(fd);
		return cx_fail(errno, "unmount %s: read the mounts below", tgt);
	}
	list = calloc(t.n + 1, sizeof(*list));
	if (!list) {
		cx_mountinfo_free(&t);
		close(fd);
		return cx_fail(ENOMEM, "unmount %s", tgt);
	}
	for (size_t i = 0; i < t.n; i++) {
		int depth = cx_mountinfo_depth(&t, t.m[i].id, top);

		if (depth > 0)
			list[n++] = (struct below){ t.m[i].id, depth };
	}
	qsort(list, n, sizeof(*list), deepest_first);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct cx_mountinfo *m = cx_mountinfo_find(&t, list[i].id);
		int sub = open_mount(m);

		rc = sub < 0 ? -1 : unmount_one(sub, flags, m->mountpoint);
		if (rc < 0)
			cx_fail_context("unmount %s", tgt);
	}
	free(list);
	cx_mountinfo_free(&t);
	if (rc < 0) {
		close(fd);
		return -1;
	}
	return unmount_one(fd, flags, tgt);
}

/* The per-mount flags (ro, nosuid, nodev, noexec) of the mount whose
 * root is FD, from its mountinfo line: statvfs(3) would also say ro
 * for a read-only file system under a writable mount. */
static int mount_flags(int fd, unsigned *attr, const char *tgt)
{
	struct cx_mountinfo_table t;
	const struct cx_mountinfo *m;
	unsigned long id;

	if (cx_mount_id(fd, &id) < 0)
		return cx_fail(errno, "remount %s: mount id", tgt);
	if (cx_mountinfo_read(&t) < 0)
		return cx_fail_context("remount %s", tgt);
	m = cx_mountinfo_find(&t, id);
	*attr = 0;
	for (size_t f = 0; m && f < sizeof(flag_table) / sizeof(*flag_table); f++)
		if (flag_table[f].ms && cx_mountinfo_has(m->options, flag_table[f].name))
			*attr |= flag_table[f].attr;
	cx_mountinfo_free(&t);
	if (!m)
		return cx_fail(0, "remount %s: the mount is not in /proc/self/mountinfo", tgt);
	return 0;
}

static int set_flags(int fd, unsigned set, unsigned clear, const char *tgt)
{
	struct mount_attr a = { .attr_set = set, .attr_clr = clear };

	if (cx_mount_setattr(fd, "", AT_EMPTY_PATH, &a) == 0)
		return 0;
	if (errno != ENOSYS)
		return cx_fail(errno, "remount %s", tgt);
	return remount_flags(fd, set, clear, tgt);
}

/* The names of the flags in ATTR, for a message. */
static const char *flag_names(unsigned attr, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t f = 0; f < sizeof(flag_table) / sizeof(*flag_table); f++)
		if ((attr & flag_table[f].attr) && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 used ? "," : "",
						 flag_table[f].name);
	return buf;
}

int cx_bind_remount(int fd, unsigned set, unsigned clear, unsigned *old,
		    const char *tgt)
{
	const unsigned known = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			       MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	unsigned now;
	char names[64];

	set &= known;
	clear &= known;
	if (mount_flags(fd, old, tgt) < 0)
		return -1;
	cx_say("remount %s (%s)", tgt, flag_names(((*old | set) & ~clear) & known,
						  names, sizeof(names)));
	if (set_flags(fd, set, clear, tgt) < 0)
		return -1;
	if (mount_flags(fd, &now, tgt) < 0) {
		/* Recorded; the mount is put back below. */
	} else if ((now & set) != set) {
		cx_fail(0, "verify %s: the mount is not %s", tgt,
			flag_names(set & ~now, names, sizeof(names)));
	} else if (now & clear) {
		cx_fail(0, "verify %s: the mount is still %s", tgt,
			flag_names(now & clear, names, sizeof(names)));
	} else {
		return 0;
	}
	/* Not what was asked, or not known: what it was, again; the first
	 * failure is the one to say. */
	{
		struct cx_failure f;

		cx_fail_save(&f);
		if (set_flags(fd, *old & (set | clear), ~*old & (set | clear),
			      tgt) < 0)
			cx_warn_last();
		return cx_fail_restore(&f);
	}
}
