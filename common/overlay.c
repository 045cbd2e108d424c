#include "overlay.h"

#include "die.h"
#include "overlay-layer.h"
#include "overlay-stage.h"
#include "syscalls.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

int cx_ovl_xattr_is_overlay(const char *name)
{
	return strncmp(name, CX_OVL_TRUSTED, strlen(CX_OVL_TRUSTED)) == 0 ||
	       strncmp(name, CX_OVL_USER, strlen(CX_OVL_USER)) == 0;
}

/* overlay.KEY on an open file, trusted. first: 1 when present (its
 * value in buf, its length in *vlen), 0 when absent in both namespaces,
 * -1 on error.  A present xattr may have an empty value. */
static int ovl_get(int fd, const char *key, char *buf, size_t len,
		   size_t *vlen)
{
	static const char *const ns[] = { CX_OVL_TRUSTED, CX_OVL_USER };
	char name[64];

	for (size_t i = 0; i < 2; i++) {
		ssize_t n;

		snprintf(name, sizeof(name), "%s%s", ns[i], key);
		n = fgetxattr(fd, name, buf, len);
		if (n >= 0) {
			*vlen = (size_t)n;
			return 1;
		}
		/* ERANGE: present, with a longer value than we read. */
		if (errno == ERANGE) {
			*vlen = len + 1;
			return 1;
		}
		if (errno != ENODATA && errno != ENOTSUP && errno != EPERM)
			return -1;
	}
	return 0;
}

/* Only regular files and directories carry overlay's xattrs; open them
 * without following a symlink, and without blocking on anything odd. */
static int open_entry(int dirfd, const char *name)
{
	if (!*name)
		return openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
					   O_NOCTTY | O_CLOEXEC);
}

static int ovl_entry_has(int dirfd, const char *name, const char *key,
			 const char *want)
{
	char val[8];
	size_t n = 0;
	int fd = open_entry(dirfd, name), err, rc;

	if (fd < 0)
		return -1;
	rc = ovl_get(fd, key, val, sizeof(val), &n);
	err = errno;
	close(fd);
	errno = err;
	if (rc <= 0 || !want)
		return rc;
	return n == strlen(want) && memcmp(val, want, n) == 0;
}

int cx_ovl_is_whiteout(int dirfd, const char *name, const struct stat *st)
{
	if (S_ISCHR(st->st_mode))
		return major(st->st_rdev) == 0 && minor(st->st_rdev) == 0;
	if (!S_ISREG(st->st_mode) || st->st_size != 0)
		return 0;
	return ovl_entry_has(dirfd, name, "whiteout", NULL);
}

int cx_ovl_is_opaque(int dirfd, const char *name)
{
	return ovl_entry_has(dirfd, name, "opaque", "y");
}

int cx_ovl_has(int dirfd, const char *name, const struct stat *st,
	       const char *key)
{
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
		return 0;
	return ovl_entry_has(dirfd, name, key, NULL);
}

/* Look PATH up in one layer.  Returns 1 found (with *st), 0 absent
 * here (the layers below may have it), 2 hidden (stop: nothing below
 * counts), -1 on error.  *opaque tells whether a directory on the way
 * was opaque, so that the layers below cannot supply PATH. */
static int layer_lookup(int root, const char *path, struct stat *st,
			int *opaque)
{
	char buf[PATH_MAX];
	char *p = buf, *comp;
	int cur, rc = 0;

	*opaque = cx_ovl_is_opaque(root, "") == 1;
	if (!*path)
		return fstat(root, st) < 0 ? -1 : 1;
	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	cur = openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return -1;
	while ((comp = strsep(&p, "/"))) {
		int next, wh;

		if (fstatat(cur, comp, st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = errno == ENOENT ? 0 : -1;
			break;
		}
		wh = cx_ovl_is_whiteout(cur, comp, st);
		if (wh != 0) {
			rc = wh < 0 ? -1 : 2;
			break;
		}
		if (!p) {
			rc = 1;
			break;
		}
		if (!S_ISDIR(st->st_mode)) {
			rc = 2;
			break;
		}
		if (cx_ovl_is_opaque(cur, comp) == 1)
			*opaque = 1;
		next = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW |
						 O_CLOEXEC);
		if (next < 0) {
			rc = -1;
			break;
		}
		close(cur);
		cur = next;
	}
	{
		int err = errno;

		close(cur);
		errno = err;
	}
	return rc;
}

int cx_lowers_lookup(const struct cx_lowers *l, const char *path,
		     struct stat *st)
{
	for (size_t i = 0; i < l->n; i++) {
		int opaque, rc = layer_lookup(l->fds[i], path, st, &opaque);

		if (rc < 0)
			return -1;
		if (rc == 1)
			return 1;
		if (rc == 2 || opaque)
			return 0;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_name(char ***names, size_t *n, size_t *cap, const char *name)
{
	if (*n + 1 >= *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		char **nn = realloc(*names, c * sizeof(**names));

		if (!nn)
			return -1;
		*names = nn;
		*cap = c;
	}
	(*names)[*n] = strdup(name);
	if (!(*names)[*n])
		return -1;
	(*names)[++*n] = NULL;
	return 0;
}

/* Every name in the directory PATH of any layer, then only those that
 * the stack as a whole shows. */
char **cx_lowers_list(const struct cx_lowers *l, const char *path, size_t *n)
{
	char **all = NULL, **out = NULL;
	size_t nall = 0, call = 0, nout = 0, cout = 0;
	char sub[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < l->n; i++) {
		int fd = *path ? openat(l->fds[i], path, O_RDONLY |
						O_DIRECTORY | O_CLOEXEC)
			       : openat(l->fds[i], ".", O_RDONLY | O_DIRECTORY |
							       O_CLOEXEC);
		struct dirent *d;
		DIR *dir;

		if (fd < 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			goto fail;
		}
		dir = fdopendir(fd);
		if (!dir) {
			close(fd);
			goto fail;
		}
		while ((d = readdir(dir)))
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
			    add_name(&all, &nall, &call, d->d_name) < 0) {
				closedir(dir);
				goto fail;
			}
		closedir(dir);
	}
	if (nall)
		qsort(all, nall, sizeof(*all), cmp_names);
	if (add_name(&out, &nout, &cout, "") < 0)
		goto fail;
	free(out[0]);
	nout = 0;
	out[0] = NULL;
	for (size_t i = 0; i < nall; i++) {
		int rc;

		if (i && strcmp(all[i], all[i - 1]) == 0)
			continue;
		if (snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "/" : "",
			     all[i]) >= (int)sizeof(sub)) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		rc = cx_lowers_lookup(l, sub, &st);
		if (rc < 0 || (rc == 1 && add_name(&out, &nout, &cout,
						   all[i]) < 0))
			goto fail;
	}
	cx_names_free(all, nall);
	*n = nout;
	return out;
fail:
	{
		int err = errno;

		cx_names_free(all, nall);
		cx_names_free(out, nout);
		errno = err;
	}
	return NULL;
}

/* --- diff ---------------------------------------------------------- */

struct change {
	char kind;	/* 'A', 'C', 'D'; 0 once withdrawn */
	char *path;
};

struct diff {
	const struct cx_lowers *l;
	const char *shown;
	struct change *v;
	size_t n, cap;
};

static long add_change(struct diff *d, char kind, const char *path)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct change *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return cx_fail(ENOMEM, "diff %s", d->shown);
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n].kind = kind;
	d->v[d->n].path = strdup(path);
	if (!d->v[d->n].path)
		return cx_fail(ENOMEM, "diff %s", d->shown);
	return (long)d->n++;
}

static int join(char *out, const char *dir, const char *name)
{
	if (snprintf(out, PATH_MAX, "%s%s%s", dir, *dir ? "/" : "", name) >=
	    PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int open_sub(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					   O_CLOEXEC);
}

/* Everything below a directory the lower layers do not have is new. */
static int diff_added(struct diff *d, int dirfd, const char *path)
{
	char sub[PATH_MAX];
	size_t n;
	char **names = cx_dir_names(dirfd, &n);
	int rc = 0;

	if (!names)
		return cx_fail(errno, "diff %s: read %s", d->shown, path);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct stat st;
		int fd, wh;

		if (join(sub, path, names[i]) < 0 ||
		    fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = cx_fail(errno, "diff %s: stat %s", d->shown, sub);
			break;
		}
		wh = cx_ovl_is_whiteout(dirfd, names[i], &st);
		if (wh < 0)
			rc = cx_fail(errno, "diff %s: read %s", d->shown, sub);
		if (wh)
			continue;
		if (add_change(d, 'A', sub) < 0) {
			rc = -1;
			break;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		fd = open_sub(dirfd, names[i]);
		if (fd < 0) {
			rc = cx_fail(errno, "diff %s: open %s", d->shown, sub);
			break;
		}
		rc = diff_added(d, fd, sub);
		close(fd);
	}
	cx_names_free(names, n);
	return rc;
}

static int same_dir_meta(const struct stat *a, const struct stat *b)
{
	return a->st_mode == b->st_mode && a->st_uid == b->st_uid &&
	       a->st_gid == b->st_gid && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* One directory of the upper layer, at PATH.  HIDDEN: an opaque
 * directory here or above hides what the lower layers have, so each of
 * their names that the upper does not have is deleted.  *direct counts
 * the names added or deleted right in this directory. */
static int diff_dir(struct diff *d, int dirfd, const char *path, int hidden,
		    int *direct)
{
	char sub[PATH_MAX];
	size_t nu = 0, nl = 0, iu = 0, il = 0;
	char **up = cx_dir_names(dirfd, &nu), **low = NULL;
	int rc = 0;

	if (!up)
		return cx_fail(errno, "diff %s: read %s", d->shown,
			       *path ? path : ".");
	if (hidden && !(low = cx_lowers_list(d->l, path, &nl))) {
		cx_names_free(up, nu);
		return cx_fail(errno, "diff %s: read the lower %s", d->shown,
			       *path ? path : ".");
	}
	/* The sorted union of the two lists. */
	while (rc == 0 && (iu < nu || il < nl)) {
		int c = iu == nu ? 1 : il == nl ? -1 : strcmp(up[iu], low[il]);
		const char *name = c <= 0 ? up[iu] : low[il];
		struct stat st, lst;
		int wh, in_lower, fd;

		if (c >= 0)
			il++;
		if (c > 0) {
			/* Only below: hidden by the opaque directory. */
			if (join(sub, path, name) < 0 || add_change(d, 'D', sub) < 0)
				rc = -1;
			(*direct)++;
			continue;
		}
		iu++;
		if (join(sub, path, name) < 0 ||
		    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = cx_fail(errno, "diff %s: stat %s", d->shown, sub);
			break;
		}
		wh = cx_ovl_is_whiteout(dirfd, name, &st);
		in_lower = cx_lowers_lookup(d->l, sub, &lst);
		if (wh < 0 || in_lower < 0) {
			rc = cx_fail(errno, "diff %s: read %s", d->shown, sub);
			break;
		}
		if (wh) {
			if (in_lower) {
				rc = add_change(d, 'D', sub) < 0 ? -1 : 0;
				(*direct)++;
			}
			continue;
		}
		if (!in_lower) {
			(*direct)++;
			if (add_change(d, 'A', sub) < 0) {
				rc = -1;
			} else if (S_ISDIR(st.st_mode)) {
				fd = open_sub(dirfd, name);
				rc = fd < 0 ? cx_fail(errno, "diff %s: open %s",
						      d->shown, sub)
					    : diff_added(d, fd, sub);
				if (fd >= 0)
					close(fd);
			}
			continue;
		}
		if (S_ISDIR(st.st_mode) && S_ISDIR(lst.st_mode)) {
			long slot = add_change(d, 'C', sub);
			int opaque = cx_ovl_is_opaque(dirfd, name) == 1;
			int changed = 0;

			fd = slot < 0 ? -1 : open_sub(dirfd, name);
			if (fd < 0) {
				rc = slot < 0 ? -1 : cx_fail(errno, "diff %s: open %s",
							     d->shown, sub);
				break;
			}
			rc = diff_dir(d, fd, sub, hidden || opaque, &changed);
			close(fd);
			if (rc == 0 && !changed && !opaque && !hidden &&
			    same_dir_meta(&st, &lst))
				d->v[slot].kind = 0;
			continue;
		}
		/* A file changed, or a directory took a file's place (or
		 * the other way round). */
		if (add_change(d, 'C', sub) < 0) {
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			fd = open_sub(dirfd, name);
			rc = fd < 0 ? cx_fail(errno, "diff %s: open %s", d->shown, sub)
				    : diff_added(d, fd, sub);
			if (fd >= 0)
				close(fd);
		}
	}
	cx_names_free(up, nu);
	cx_names_free(low, nl);
	return rc;
}

int cx_ovl_diff(int upper, const struct cx_lowers *l, cx_diff_fn fn,
		void *ctx, const char *shown)
{
	struct diff d = { .l = l, .shown = shown };
	int direct = 0, rc;

	rc = diff_dir(&d, upper, "", cx_ovl_is_opaque(upper, "") == 1, &direct);
	for (size_t i = 0; i < d.n; i++) {
		if (rc == 0 && d.v[i].kind)
			rc = fn(ctx, d.v[i].kind, d.v[i].path);
		free(d.v[i].path);
	}
	free(d.v);
	return rc;
}

/* --- the layers of a mount, apart ---------------------------------- */

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Walk up from the directory FD through ".." until AT is met (1) or
 * the root is (0), across mounts.  STRICT: an error is -1 with errno;
 * otherwise it ends the walk with 0 (a directory opened by its handle
 * outside its mount's tree gets ENOENT for ".."). */
static int walk_up(int fd, const struct stat *at, bool strict)
{
	int cur = openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int rc = -1, err;

	for (int depth = 0; cur >= 0; depth++) {
		struct stat here, up;
		int next;

		if (depth == PATH_MAX) {
			errno = ELOOP;
			break;
		}
		if (fstat(cur, &here) < 0)
			break;
		if (same_inode(&here, at)) {
			rc = 1;
			break;
		}
		next = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (next < 0)
			break;
		close(cur);
		cur = next;
		if (fstat(cur, &up) < 0)
			break;
		if (same_inode(&up, &here)) {
			rc = 0;
			break;
		}
	}
	err = errno;
	if (cur >= 0)
		close(cur);
	if (rc < 0 && !strict)
		return 0;
	errno = err;
	return rc;
}

/* The directory FD opened again by its file handle, in the mount of
 * OUTER: there it sits where its file system has it, and ".." leads
 * up that tree rather than the mounts that lead here.  -1 when the
 * file system gives no handles (proc) or we may not open them
 * (CAP_DAC_READ_SEARCH). */
static int reopen_in(int fd, int outer)
{
	union {
		struct file_handle h;
		char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} u;
	int mnt, mount_fd, again;

	u.h.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(fd, "", &u.h, &mnt, AT_EMPTY_PATH) < 0)
		return -1;
	/* open_by_handle_at takes no O_PATH descriptor for the mount. */
	mount_fd = openat(outer, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mount_fd < 0)
		return -1;
	again = open_by_handle_at(mount_fd, &u.h,
				  O_PATH | O_DIRECTORY | O_CLOEXEC);
	close(mount_fd);
	return again;
}

int cx_ovl_within(int inner, int outer)
{
	struct stat in, out;
	int rc, again;

	if (fstat(inner, &in) < 0 || fstat(outer, &out) < 0)
		return -1;
	rc = walk_up(inner, &out, true);
	if (rc != 0 || in.st_dev != out.st_dev)
		return rc;
	/* One file system: a bind mount of a directory below OUTER may
	 * have led here. */
	again = reopen_in(inner, outer);
	if (again < 0)
		return 0;
	rc = walk_up(again, &out, false);
	close(again);
	return rc;
}

/* 1 if A is B or lies inside it.  Nothing lies inside a directory not
 * made yet; one not made yet lies where its parent does. */
static int inside(const struct cx_ovl_dir *a, const struct cx_ovl_dir *b)
{
	if (b->unmade)
		return 0;
	return cx_ovl_within(a->fd, b->fd);
}

/* A not inside B, and with BOTH, B not inside A. */
static int apart(const struct cx_ovl_dir *a, const struct cx_ovl_dir *b,
		 bool both)
{
	struct stat sa, sb;
	int in = inside(a, b);

	if (in == 0 && both && (in = inside(b, a)) == 1) {
		const struct cx_ovl_dir *t = a;

		a = b;
		b = t;
	}
	if (in < 0)
		return cx_fail(errno, "compare %s %s with %s %s", a->what,
			       a->shown, b->what, b->shown);
	if (!in)
		return 0;
	if (!a->unmade && fstat(a->fd, &sa) == 0 && fstat(b->fd, &sb) == 0 &&
	    same_inode(&sa, &sb))
		return cx_fail(0, "%s %s and %s %s are the same directory",
			       a->what, a->shown, b->what, b->shown);
	return cx_fail(0, "%s %s is inside %s %s; they must be separate",
		       a->what, a->shown, b->what, b->shown);
}

int cx_ovl_check_apart(const struct cx_ovl_dir *lower, size_t nlower,
		       const struct cx_ovl_dir *upper,
		       const struct cx_ovl_dir *work,
		       const struct cx_ovl_dir *merged)
{
	const struct cx_ovl_dir *written[] = { upper, work };

	if (upper && work && apart(upper, work, true) < 0)
		return -1;
	for (size_t i = 0; i < 2; i++) {
		if (!written[i])
			continue;
		for (size_t j = 0; j < nlower; j++)
			if (apart(written[i], &lower[j], true) < 0)
				return -1;
		if (merged && apart(merged, written[i], false) < 0)
			return -1;
	}
	return 0;
}

/* --- mounting ------------------------------------------------------- */

/* The kernel's reason for a failed fsconfig, from the context's log:
 * "e overlayfs: ..." lines; the last error wins. */
static void read_log(int fs, char *why, size_t len)
{
	char buf[512];
	ssize_t n;

	while ((n = read(fs, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[0] == 'e' && buf[1] == ' ')
			snprintf(why, len, "%s", buf + 2);
	}
}

enum { VIA_FD, VIA_PLUS, VIA_JOINED };

static int set_string(int fs, const char *key, const char *value,
		      const char **step)
{
	*step = key;
	return cx_fsconfig(fs, FSCONFIG_SET_STRING, key, value, 0);
}

static int set_flag(int fs, const char *key, const char **step)
{
	*step = key;
	return cx_fsconfig(fs, FSCONFIG_SET_FLAG, key, NULL, 0);
}

static int set_fd(int fs, const char *key, int fd, const char **step)
{
	*step = key;
	return cx_fsconfig(fs, FSCONFIG_SET_FD, key, NULL, fd);
}

static int escaped(const char *path, char **out)
{
	char *one[] = { (char *)path };

	*out = cx_lower_join(one, 1, ":,");
	return *out ? 0 : -1;
}

/* Configure and create the superblock; -1 with *step naming the key
 * that failed ("create" for the creation itself). */
static int configure(int fs, const struct cx_ovl_mount *m, int via,
		     const char **step)
{
	char *s = NULL;
	int rc = -1;

	if (set_string(fs, "source", "overlay", step) < 0)
		return -1;
	if (via == VIA_FD) {
		/* Linux 6.13: the layers as the descriptors themselves. */
		for (size_t i = 0; i < m->nlower; i++)
			if (set_fd(fs, "lowerdir+", m->lower_fd[i], step) < 0)
				return -1;
		if (m->upper && (set_fd(fs, "upperdir", m->upper_fd, step) < 0 ||
				 set_fd(fs, "workdir", m->work_fd, step) < 0))
			return -1;
	} else if (via == VIA_PLUS) {
		/* Linux 6.8: one layer per call, the name taken as is. */
		for (size_t i = 0; i < m->nlower; i++)
			if (set_string(fs, "lowerdir+", m->lower[i], step) < 0)
				return -1;
	} else {
		s = cx_lower_join(m->lower, m->nlower, ":,");
		if (!s || set_string(fs, "lowerdir", s, step) < 0)
			goto out;
		free(s);
		s = NULL;
	}
	if (m->upper && via != VIA_FD) {
		if (escaped(m->upper, &s) < 0 ||
		    set_string(fs, "upperdir", s, step) < 0)
			goto out;
		free(s);
		if (escaped(m->work, &s) < 0 ||
		    set_string(fs, "workdir", s, step) < 0)
			goto out;
	}
	if (m->userxattr && set_flag(fs, "userxattr", step) < 0)
		goto out;
	if (m->is_volatile && set_flag(fs, "volatile", step) < 0)
		goto out;
	if (m->redirect_dir &&
	    set_string(fs, "redirect_dir", m->redirect_dir, step) < 0)
		goto out;
	if (m->metacopy && set_string(fs, "metacopy", "on", step) < 0)
		goto out;
	*step = "create";
	rc = cx_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
out:
	{
		int err = errno;

		free(s);
		errno = err;
	}
	return rc;
}

/* One try with the new mount API.  0 mounted, -1 failed (errno,
 * *step, and the kernel's reason in why). */
static int mount_new(const struct cx_ovl_mount *m, int target, int via,
		     const char **step, char *why, size_t whylen)
{
	int fs, mnt, err;

	*step = "fsopen";
	why[0] = '\0';
	fs = cx_fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -1;
	if (configure(fs, m, via, step) < 0) {
		err = errno;
		read_log(fs, why, whylen);
		close(fs);
		errno = err;
		return -1;
	}
	*step = "fsmount";
	mnt = cx_fsmount(fs, FSMOUNT_CLOEXEC,
			 (m->upper ? 0 : MOUNT_ATTR_RDONLY) |
				 (m->suid ? 0 : MOUNT_ATTR_NOSUID) |
				 (m->dev ? 0 : MOUNT_ATTR_NODEV));
	err = errno;
	close(fs);
	if (mnt < 0) {
		errno = err;
		return -1;
	}
	*step = "move_mount";
	if (cx_move_mount(mnt, "", target, "",
			  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		err = errno;
		close(mnt);
		errno = err;
		return -1;
	}
	close(mnt);
	return 0;
}

static int append(char *buf, size_t len, size_t *used, const char *a,
		  const char *b)
{
	int n = snprintf(buf + *used, len - *used, "%s%s%s", *used ? "," : "",
			 a, b ? b : "");

	if (n < 0 || (size_t)n >= len - *used) {
		errno = E2BIG;
		return -1;
	}
	*used += (size_t)n;
	return 0;
}

/* mount(2), for kernels before the new mount API (5.2) or a lower list
 * longer than fsconfig takes.  The options are one string of at most a
 * page, split at commas, so commas are escaped as well as colons. */
static int mount_old(const struct cx_ovl_mount *m, int target)
{
	char data[4096], *s = NULL, *u = NULL, *w = NULL;
	size_t used = 0;
	int cwd, rc = -1, err;

	s = cx_lower_join(m->lower, m->nlower, ":,");
	if (!s || (m->upper && (escaped(m->upper, &u) < 0 ||
				escaped(m->work, &w) < 0)))
		goto out;
	if (append(data, sizeof(data), &used, "lowerdir=", s) < 0 ||
	    (u && append(data, sizeof(data), &used, "upperdir=", u) < 0) ||
	    (w && append(data, sizeof(data), &used, "workdir=", w) < 0) ||
	    (m->userxattr && append(data, sizeof(data), &used, "userxattr",
				    NULL) < 0) ||
	    (m->is_volatile && append(data, sizeof(data), &used, "volatile",
				      NULL) < 0) ||
	    (m->redirect_dir && append(data, sizeof(data), &used,
				       "redirect_dir=", m->redirect_dir) < 0) ||
	    (m->metacopy && append(data, sizeof(data), &used, "metacopy=on",
				   NULL) < 0))
		goto out;
	data[used] = '\0';
	/* Mount on the directory itself, through the working directory:
	 * the layers are absolute paths, so the change does not matter. */
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		goto out;
	rc = fchdir(target);
	if (rc == 0)
		rc = mount("overlay", ".", "overlay",
			   (m->upper ? 0 : MS_RDONLY) |
				   (m->suid ? 0 : MS_NOSUID) |
				   (m->dev ? 0 : MS_NODEV),
			   data);
	err = errno;
	if (fchdir(cwd) < 0 && rc == 0) {
		err = errno;
		umount2(".", MNT_DETACH);
		rc = -1;
	}
	close(cwd);
	errno = err;
out:
	err = errno;
	free(s);
	free(u);
	free(w);
	errno = err;
	return rc;
}

/* The failure ERR as the message says it, with the kernel's reason WHY
 * or one of ours. */
static int refused(int err, char *why, size_t len, const char *shown)
{
	if (err == ELOOP && !why[0])
		snprintf(why, len,
			 "the layers overlap: one is given twice or lies inside another");
	/* overlayfs gives most of its reasons to the kernel log only. */
	if (err == EINVAL && !why[0])
		snprintf(why, len, "dmesg may say why");
	if (err == E2BIG)
		return cx_fail(E2BIG, "mount overlay on %s: the options are longer than mount(2) takes",
			       shown);
	if (why[0])
		return cx_fail(err, "mount overlay on %s (%s)", shown, why);
	return cx_fail(err, "mount overlay on %s", shown);
}

/* NAME when it still leads to the directory FD holds, else the magic
 * link /proc/self/fd/FD in BUF, which leads there wherever it is (a
 * lower layer may be covered by the tmpfs mounted on MERGED).  The
 * name, when it can be used, is what mountinfo shows afterwards. */
static char *layer_name(const char *name, int fd, char buf[32])
{
	struct stat a, b;

	if (name && stat(name, &a) == 0 && fstat(fd, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return (char *)name;
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* The layers as names, for kernels that take names only. */
static int fd_names(const struct cx_ovl_mount *m, struct cx_ovl_mount *out,
		    char names[][32])
{
	*out = *m;
	out->lower = calloc(m->nlower, sizeof(*out->lower));
	if (!out->lower)
		return -1;
	for (size_t i = 0; i < m->nlower; i++)
		out->lower[i] = layer_name(m->lower[i], m->lower_fd[i], names[i]);
	if (m->upper) {
		out->upper = layer_name(m->upper, m->upper_fd, names[m->nlower]);
		out->work = layer_name(m->work, m->work_fd, names[m->nlower + 1]);
	}
	return 0;
}

static int mount_names(const struct cx_ovl_mount *m, int target,
		       const char *shown);

int cx_ovl_mount(const struct cx_ovl_mount *m, int target, const char *shown)
{
	struct cx_ovl_mount byname;
	char (*names)[32];
	const char *step;
	char why[512];
	int rc, err;

	cx_say("mount an overlay on %s: %zu lower layer%s%s%s%s", shown,
	       m->nlower, m->nlower == 1 ? "" : "s",
	       m->upper ? ", upper " : ", read-only",
	       m->upper ? m->upper : "", m->userxattr ? ", userxattr" : "");
	if (!m->lower_fd)
		return mount_names(m, target, shown);
	rc = mount_new(m, target, VIA_FD, &step, why, sizeof(why));
	if (rc == 0)
		return 0;
	/* Before 6.13 a layer given by descriptor is refused: EINVAL from
	 * overlayfs's own parser (6.5 to 6.12); EOPNOTSUPP from fsconfig(2)
	 * itself before 6.5, when overlayfs still went through the legacy
	 * adapter, which takes strings only; before 5.2 there is no fsopen
	 * (ENOSYS).  6.13 and 6.14 before their stable fixes refuse an
	 * O_PATH descriptor, which ours are, with EBADF. */
	if (!(errno == ENOSYS ||
	      ((errno == EINVAL || errno == EOPNOTSUPP || errno == EBADF) &&
	       (strcmp(step, "lowerdir+") == 0 ||
		strcmp(step, "upperdir") == 0 || strcmp(step, "workdir") == 0))))
		return refused(errno, why, sizeof(why), shown);
	names = calloc(m->nlower + 2, sizeof(*names));
	if (!names || fd_names(m, &byname, names) < 0) {
		free(names);
		return cx_fail(errno, "malloc");
	}
	rc = mount_names(&byname, target, shown);
	err = errno;
	free(byname.lower);
	free(names);
	errno = err;
	return rc;
}

static int mount_names(const struct cx_ovl_mount *m, int target,
		       const char *shown)
{
	char why[512], first_why[512];
	const char *step, *first_step;
	int rc, first_err;

	rc = mount_new(m, target, VIA_PLUS, &step, why, sizeof(why));
	if (rc == 0)
		return 0;
	first_err = errno;
	first_step = step;
	snprintf(first_why, sizeof(first_why), "%s", why);
	/* Before 6.8 "lowerdir+" is unknown (EINVAL, or a failed create
	 * through the legacy adapter of kernels before 6.5): one string. */
	if (errno == EINVAL &&
	    (strcmp(step, "lowerdir+") == 0 || strcmp(step, "create") == 0))
		rc = mount_new(m, target, VIA_JOINED, &step, why, sizeof(why));
	/* No new mount API, or a lower list longer than the 256 bytes
	 * fsconfig takes for one value. */
	if (rc < 0 && (errno == ENOSYS ||
		       (errno == EINVAL && strcmp(step, "lowerdir") == 0))) {
		why[0] = '\0';
		rc = mount_old(m, target);
	}
	if (rc == 0)
		return 0;
	/* When the kernel took "lowerdir+" and gave its reason for the
	 * create that failed, that reason is the one to show. */
	if (strcmp(first_step, "create") == 0 && first_why[0] &&
	    (!why[0] || errno == first_err)) {
		errno = first_err;
		snprintf(why, sizeof(why), "%s", first_why);
	}
	return refused(errno, why, sizeof(why), shown);
}
