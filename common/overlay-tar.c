#include "overlay-tar.h"

#include "die.h"
#include "overlay.h"
#include "overlay-layer.h"
#include "overlay-stage.h"
#include "syscalls.h"

#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

struct archive *cx_layer_reader(void)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	/* Only what a layer can be: no other format's parser is reachable
	 * from an untrusted image. */
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(a) != ARCHIVE_OK) {
		archive_read_free(a);
		errno = ENOMEM;
		return NULL;
	}
	return a;
}

/* --- unpacking ------------------------------------------------------ */

struct dirmeta {
	char *path;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec times[2];
};

struct unpack {
	struct archive *a;
	struct archive_entry *e;
	int root;
	const struct cx_unpack_opts *o;
	const char *shown;
	const char *member;	/* the member's name as the archive has it */
	char path[PATH_MAX];	/* the same, clean */
	char cached[PATH_MAX];	/* the last parent directory resolved */
	int cachedfd;
	struct dirmeta *dirs;
	size_t ndirs, capdirs;
	bool chown;
	bool ended;		/* the archive ended inside the last member */
};

static int refuse(struct unpack *u, const char *why)
{
	return cx_fail(0, "unpack %s: refusing %s: %s", u->shown, u->member,
		       why);
}

static int failed(struct unpack *u, const char *what)
{
	return cx_fail(errno, "unpack %s: %s %s", u->shown, what, u->member);
}

static void forget_parent(struct unpack *u)
{
	if (u->cachedfd >= 0)
		close(u->cachedfd);
	u->cachedfd = -1;
	u->cached[0] = '\0';
}

static int set_opaque(struct unpack *u, int dirfd, const char *name)
{
	const char *key = u->o->userxattr ? CX_OVL_USER "opaque"
					  : CX_OVL_TRUSTED "opaque";
	int fd = *name ? openat(dirfd, name, O_RDONLY | O_DIRECTORY |
						O_NOFOLLOW | O_CLOEXEC)
		       : openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return failed(u, "open the directory of");
	rc = fsetxattr(fd, key, "y", 1, 0);
	if (rc < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return cx_fail(err, "unpack %s: set %s for %s", u->shown, key,
			       u->member);
	}
	close(fd);
	return 0;
}

static int is_char00(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

/* Open the directory DIR below the root, making what is missing (mode
 * 0755, as tar does) and never following a symlink.  A whiteout on the
 * way becomes an opaque directory: the layers below lose that name,
 * and this one brings its own.  Returns a descriptor the cache owns. */
static int parent_dir(struct unpack *u, const char *dir)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	char buf[PATH_MAX], *p = buf, *comp;
	int fd, cur;

	if (!*dir)
		return u->root;
	if (u->cachedfd >= 0 && strcmp(u->cached, dir) == 0)
		return u->cachedfd;
	forget_parent(u);
	fd = cx_openat2(u->root, dir, &how);
	if (fd < 0 && errno == ELOOP)
		return refuse(u, "its path goes through a symlink");
	if (fd < 0 && errno == EXDEV)
		return refuse(u, "its path crosses a mount");
	if (fd < 0 && errno != ENOENT && errno != ENOTDIR && errno != ENOSYS)
		return failed(u, "open the directory of");
	if (fd >= 0)
		goto done;
	snprintf(buf, sizeof(buf), "%s", dir);
	cur = openat(u->root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return failed(u, "open the directory of");
	while ((comp = strsep(&p, "/"))) {
		struct stat st;
		int next, made = 0;

		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				goto fail;
			made = 1;
		} else if (S_ISLNK(st.st_mode)) {
			close(cur);
			return refuse(u, "its path goes through a symlink");
		} else if (is_char00(&st)) {
			if (unlinkat(cur, comp, 0) < 0)
				goto fail;
			made = 2;
		} else if (!S_ISDIR(st.st_mode)) {
			close(cur);
			return refuse(u, "its path goes through a non-directory");
		}
		if (made && (mkdirat(cur, comp, 0755) < 0 ||
			     fchmodat(cur, comp, 0755, 0) < 0))
			goto fail;
		if (made == 2 && set_opaque(u, cur, comp) < 0) {
			close(cur);
			return -1;
		}
		next = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW |
						 O_CLOEXEC);
		if (next < 0)
			goto fail;
		close(cur);
		cur = next;
	}
	fd = cur;
done:
	snprintf(u->cached, sizeof(u->cached), "%s", dir);
	u->cachedfd = fd;
	return fd;
fail:
	{
		int err = errno;

		close(cur);
		errno = err;
	}
	return failed(u, "make the directory of");
}

/* Make room for a new BASE in PARENT.  A directory stays when the new
 * entry is one too (tar merges them); anything else goes.  *was_wh
 * tells whether a whiteout was there. */
static int make_room(struct unpack *u, int parent, const char *base,
		     bool new_is_dir, bool *was_wh, bool *keep_dir)
{
	struct stat st;

	*was_wh = *keep_dir = false;
	if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : failed(u, "stat");
	if (S_ISDIR(st.st_mode)) {
		if (new_is_dir) {
			*keep_dir = true;
			return 0;
		}
		/* The cached directory may be inside the one that goes. */
		if (u->cachedfd >= 0 &&
		    strncmp(u->cached, u->path, strlen(u->path)) == 0 &&
		    (u->cached[strlen(u->path)] == '\0' ||
		     u->cached[strlen(u->path)] == '/'))
			forget_parent(u);
		if (cx_remove_tree(parent, base) < 0)
			return failed(u, "remove the directory replaced by");
		return 0;
	}
	*was_wh = is_char00(&st);
	if (unlinkat(parent, base, 0) < 0)
		return failed(u, "remove the file replaced by");
	return 0;
}

/* Overlay xattrs are overlay's own metadata: a layer that carries them
 * could forge a redirect or a metacopy, so they are dropped.  File
 * capabilities go too, unless asked for (see overlay-tar.h). */
static int set_xattrs(struct unpack *u, int fd)
{
	const char *name;
	const void *value;
	size_t size;

	archive_entry_xattr_reset(u->e);
	while (archive_entry_xattr_next(u->e, &name, &value, &size) ==
	       ARCHIVE_OK) {
		if (cx_ovl_xattr_is_overlay(name) ||
		    (!u->o->allow_suid && strcmp(name, "security.capability") == 0))
			continue;
		if (fsetxattr(fd, name, value, size, 0) < 0)
			return cx_fail(errno, "unpack %s: set xattr %s on %s",
				       u->shown, name, u->member);
	}
	return 0;
}

static void entry_times(struct archive_entry *e, struct timespec t[2])
{
	t[1].tv_sec = archive_entry_mtime(e);
	t[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (archive_entry_atime_is_set(e)) {
		t[0].tv_sec = archive_entry_atime(e);
		t[0].tv_nsec = archive_entry_atime_nsec(e);
	} else {
		t[0] = t[1];
	}
}

/* The tar reader ran out of input (libarchive's words for it), not
 * the decompressor: the compressed stream itself ended well. */
static int short_tar(struct archive *a)
{
	const char *why = archive_error_string(a);

	return why && strncmp(why, "Truncated input file", 20) == 0;
}

static int write_data(struct unpack *u, int fd)
{
	const void *buf;
	size_t size;
	la_int64_t off, end = 0;
	int r;

	while ((r = archive_read_data_block(u->a, &buf, &size, &off)) ==
	       ARCHIVE_OK) {
		const char *p = buf;

		if (off + (la_int64_t)size > end)
			end = off + (la_int64_t)size;

		while (size > 0) {
			ssize_t n = pwrite(fd, p, size, off);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				return failed(u, "write");
			}
			if (n == 0) {
				errno = ENOSPC;
				return failed(u, "write");
			}
			p += n;
			off += n;
			size -= (size_t)n;
		}
	}
	/* Every byte of the last file is there, but not the padding after
	 * it nor the end-of-archive blocks: the archive ends here.  umoci
	 * before 0.4.8 wrote such layers with "insert" (umoci #436), and
	 * Go's archive/tar reads them. */
	if (r == ARCHIVE_FATAL && archive_entry_size_is_set(u->e) &&
	    end == archive_entry_size(u->e) && end > 0 && short_tar(u->a)) {
		u->ended = true;
		r = ARCHIVE_EOF;
	}
	if (r != ARCHIVE_EOF)
		return cx_fail(archive_errno(u->a) > 0 ? archive_errno(u->a) : 0,
			       "unpack %s: read %s: %s", u->shown, u->member,
			       archive_error_string(u->a) ?
				       archive_error_string(u->a) : "error");
	/* A sparse file may end in a hole. */
	if (archive_entry_size_is_set(u->e) &&
	    ftruncate(fd, archive_entry_size(u->e)) < 0)
		return failed(u, "write");
	return 0;
}

/* The mode a file that is not a directory gets: without set-user-ID
 * and set-group-ID bits unless asked for (see overlay-tar.h). */
static mode_t file_perm(struct unpack *u)
{
	mode_t perm = archive_entry_perm(u->e);

	return u->o->allow_suid ? perm : perm & ~(mode_t)(S_ISUID | S_ISGID);
}

/* Owner, then mode (chown clears set-id bits), then times. */
static int finish_fd(struct unpack *u, int fd)
{
	struct timespec t[2];

	if (u->chown && fchown(fd, archive_entry_uid(u->e),
			       archive_entry_gid(u->e)) < 0)
		return failed(u, "chown");
	if (fchmod(fd, file_perm(u)) < 0)
		return failed(u, "chmod");
	if (set_xattrs(u, fd) < 0)
		return -1;
	entry_times(u->e, t);
	if (futimens(fd, t) < 0)
		return failed(u, "set the times of");
	return 0;
}

static int finish_at(struct unpack *u, int parent, const char *base,
		     bool is_link)
{
	struct timespec t[2];

	if (u->chown && fchownat(parent, base, archive_entry_uid(u->e),
				 archive_entry_gid(u->e),
				 AT_SYMLINK_NOFOLLOW) < 0)
		return failed(u, "chown");
	if (!is_link && fchmodat(parent, base, file_perm(u), 0) < 0)
		return failed(u, "chmod");
	entry_times(u->e, t);
	if (utimensat(parent, base, t, AT_SYMLINK_NOFOLLOW) < 0)
		return failed(u, "set the times of");
	return 0;
}

static int defer_dir(struct unpack *u, const char *path)
{
	struct dirmeta *m;

	if (u->ndirs == u->capdirs) {
		size_t cap = u->capdirs ? u->capdirs * 2 : 64;

		m = realloc(u->dirs, cap * sizeof(*m));
		if (!m)
			return failed(u, "remember");
		u->dirs = m;
		u->capdirs = cap;
	}
	m = &u->dirs[u->ndirs];
	m->path = strdup(path);
	if (!m->path)
		return failed(u, "remember");
	m->mode = archive_entry_perm(u->e);
	m->uid = archive_entry_uid(u->e);
	m->gid = archive_entry_gid(u->e);
	entry_times(u->e, m->times);
	u->ndirs++;
	return 0;
}

static int make_dir(struct unpack *u, int parent, const char *base,
		    const char *path)
{
	bool was_wh, keep;
	int fd, rc;

	if (make_room(u, parent, base, true, &was_wh, &keep) < 0)
		return -1;
	if (!keep && mkdirat(parent, base, 0700) < 0)
		return failed(u, "mkdir");
	fd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					  O_CLOEXEC);
	if (fd < 0)
		return failed(u, "open");
	rc = set_xattrs(u, fd);
	close(fd);
	/* Its own directory replaces a deleted one: nothing of the
	 * layers below shows through. */
	if (rc == 0 && was_wh)
		rc = set_opaque(u, parent, base);
	if (rc == 0)
		rc = defer_dir(u, path);
	return rc;
}

static int make_file(struct unpack *u, int parent, const char *base)
{
	bool was_wh, keep;
	int fd, rc;

	if (make_room(u, parent, base, false, &was_wh, &keep) < 0)
		return -1;
	fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
					  O_CLOEXEC, 0600);
	if (fd < 0)
		return failed(u, "create");
	rc = write_data(u, fd);
	if (rc == 0)
		rc = finish_fd(u, fd);
	close(fd);
	return rc;
}

static int make_symlink(struct unpack *u, int parent, const char *base)
{
	const char *target = archive_entry_symlink(u->e);
	bool was_wh, keep;

	if (!target || !*target)
		return refuse(u, "a symlink without a target");
	if (make_room(u, parent, base, false, &was_wh, &keep) < 0)
		return -1;
	/* The target is only text: nothing here ever follows it. */
	if (symlinkat(target, parent, base) < 0)
		return failed(u, "create the symlink");
	return finish_at(u, parent, base, true);
}

static int make_node(struct unpack *u, int parent, const char *base,
		     mode_t type)
{
	bool was_wh, keep;

	if ((type == S_IFCHR || type == S_IFBLK) && !u->o->allow_devices)
		return refuse(u, "a device node (devices are not allowed)");
	if (make_room(u, parent, base, false, &was_wh, &keep) < 0)
		return -1;
	if (mknodat(parent, base, type | 0600,
		    type == S_IFIFO ? 0 : archive_entry_rdev(u->e)) < 0)
		return failed(u, "mknod");
	return finish_at(u, parent, base, false);
}

/* A hard link: its target must be a name of this layer, looked up
 * below the root without following anything. */
static int make_hardlink(struct unpack *u, const char *dir, const char *base,
			 const char *link)
{
	char target[PATH_MAX];
	const char *tdir, *tbase;
	bool was_wh, keep;
	struct stat st;
	int tfd, parent, rc = -1;

	if (cx_layer_clean_path(link, target, sizeof(target)) < 0 ||
	    !*target)
		return refuse(u, "a hard link to a name outside the layer");
	cx_layer_split(target, &tdir, &tbase);
	if (cx_wh_classify(tbase, NULL) != CX_WH_NONE)
		return refuse(u, "a hard link to a whiteout");
	tfd = parent_dir(u, tdir);
	if (tfd < 0)
		return -1;
	if (fstatat(tfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return refuse(u, "a hard link to a name not in the layer");
	if (S_ISDIR(st.st_mode))
		return refuse(u, "a hard link to a directory");
	/* Resolving the entry's own directory replaces the cached one. */
	tfd = dup(tfd);
	if (tfd < 0)
		return failed(u, "link");
	parent = parent_dir(u, dir);
	if (parent >= 0 &&
	    make_room(u, parent, base, false, &was_wh, &keep) == 0) {
		rc = linkat(tfd, tbase, parent, base, 0);
		if (rc < 0)
			rc = failed(u, "link");
	}
	close(tfd);
	return rc;
}

static int one_entry(struct unpack *u)
{
	char path[PATH_MAX];
	const char *dir, *base, *name, *link;
	char whole[PATH_MAX];
	mode_t type = archive_entry_filetype(u->e);
	int parent;

	u->member = archive_entry_pathname(u->e);
	if (!u->member)
		return cx_fail(0, "unpack %s: a member's name cannot be read",
			       u->shown);
	/* "/" alone is the root, as some tools write it (umoci does). */
	if (u->member[0] == '/' && u->member[strspn(u->member, "/")])
		return refuse(u, "an absolute path");
	if (cx_layer_clean_path(u->member + strspn(u->member, "/"), path,
				sizeof(path)) < 0)
		return refuse(u, errno == EINVAL ? "a \"..\" component"
						 : "a name too long");
	snprintf(whole, sizeof(whole), "%s", path);
	snprintf(u->path, sizeof(u->path), "%s", path);
	if (!*path) {
		if (type != AE_IFDIR || archive_entry_hardlink(u->e))
			return refuse(u, "the layer's root is not a directory");
		return defer_dir(u, "");
	}
	cx_layer_split(path, &dir, &base);
	/* The directories on the way are ordinary names; aufs's own
	 * ".wh..wh.plnk" and the like are skipped as Docker does. */
	for (const char *p = dir; *p;) {
		size_t n = strcspn(p, "/");
		char comp[NAME_MAX + 1];

		snprintf(comp, sizeof(comp), "%.*s", (int)n, p);
		switch (cx_wh_classify(comp, NULL)) {
		case CX_WH_NONE:
			break;
		case CX_WH_AUFS:
			return 0;
		default:
			return refuse(u, "a whiteout name used as a directory");
		}
		p += n;
		p += *p == '/';
	}
	switch (cx_wh_classify(base, &name)) {
	case CX_WH_AUFS:
		return 0;
	case CX_WH_BAD:
		return refuse(u, "a whiteout without a name");
	case CX_WH_OPAQUE:
		parent = parent_dir(u, dir);
		return parent < 0 ? -1 : set_opaque(u, parent, "");
	case CX_WH_FILE: {
		struct timespec t[2];
		struct stat st;

		parent = parent_dir(u, dir);
		if (parent < 0)
			return -1;
		if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			/* The name is in this layer too: a whiteout only
			 * acts on the layers below, so a directory of this
			 * layer becomes opaque and a file stays as it is. */
			return S_ISDIR(st.st_mode) ? set_opaque(u, parent, name)
						   : 0;
		}
		if (errno != ENOENT)
			return failed(u, "stat");
		if (mknodat(parent, name, S_IFCHR, makedev(0, 0)) < 0)
			return failed(u, "make the whiteout for");
		/* The archive's time, so that the same layer unpacks the
		 * same. */
		entry_times(u->e, t);
		if (utimensat(parent, name, t, AT_SYMLINK_NOFOLLOW) < 0)
			return failed(u, "set the times of");
		return 0;
	}
	case CX_WH_NONE:
		break;
	}
	link = archive_entry_hardlink(u->e);
	if (link)
		return make_hardlink(u, dir, base, link);
	parent = parent_dir(u, dir);
	if (parent < 0)
		return -1;
	switch (type) {
	case AE_IFDIR:
		return make_dir(u, parent, base, whole);
	case AE_IFREG:
		return make_file(u, parent, base);
	case AE_IFLNK:
		return make_symlink(u, parent, base);
	case AE_IFIFO:
	case AE_IFCHR:
	case AE_IFBLK:
		return make_node(u, parent, base, type);
	default:
		return refuse(u, "a member of a type a layer cannot hold");
	}
}

/* Open PATH below ROOT one component at a time, following nothing: the
 * walk for kernels without openat2 (before 5.6). */
static int open_beneath(int root, const char *path, int flags)
{
	char buf[PATH_MAX], *p = buf, *comp;
	int cur = openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	snprintf(buf, sizeof(buf), "%s", path);
	while (cur >= 0 && (comp = strsep(&p, "/"))) {
		int next = openat(cur, comp, (p ? O_PATH | O_DIRECTORY : flags) |
					     O_NOFOLLOW | O_CLOEXEC);
		int err = errno;

		close(cur);
		errno = err;
		cur = next;
	}
	return cur;
}

/* Directory modes, owners and times last: making their entries would
 * change the times, and a read-only mode would stop the unpack for a
 * user without CAP_DAC_OVERRIDE.  A later member of the same name
 * wins, as in tar. */
static int finish_dirs(struct unpack *u)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};

	for (size_t i = 0; i < u->ndirs; i++) {
		struct dirmeta *m = &u->dirs[i];
		int fd;

		u->member = m->path;
		fd = *m->path ? cx_openat2(u->root, m->path, &how)
			      : openat(u->root, ".", O_RDONLY | O_DIRECTORY |
							     O_CLOEXEC);
		if (fd < 0 && errno == ENOSYS)
			fd = open_beneath(u->root, m->path, (int)how.flags);
		/* A later member replaced it with something else. */
		if (fd < 0 && (errno == ENOENT || errno == ENOTDIR ||
			       errno == ELOOP))
			continue;
		if (fd < 0)
			return failed(u, "open");
		if ((u->chown && fchown(fd, m->uid, m->gid) < 0) ||
		    fchmod(fd, m->mode) < 0 || futimens(fd, m->times) < 0) {
			int err = errno;

			close(fd);
			errno = err;
			return failed(u, "set the owner, mode and times of");
		}
		close(fd);
	}
	return 0;
}

int cx_layer_unpack(struct archive *a, int root,
		    const struct cx_unpack_opts *o, const char *shown)
{
	struct unpack u = {
		.a = a, .root = root, .o = o, .shown = shown, .cachedfd = -1,
		.chown = geteuid() == 0,
	};
	int rc = 0, r;

	while ((r = archive_read_next_header(a, &u.e)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN) {
		rc = one_entry(&u);
		if (rc < 0 || u.ended)
			break;
	}
	if (rc == 0 && !u.ended && r != ARCHIVE_EOF)
		rc = cx_fail(archive_errno(a) > 0 ? archive_errno(a) : 0,
			     "unpack %s: %s", shown,
			     archive_error_string(a) ? archive_error_string(a)
						     : "not a tar archive");
	if (rc == 0)
		rc = finish_dirs(&u);
	forget_parent(&u);
	for (size_t i = 0; i < u.ndirs; i++)
		free(u.dirs[i].path);
	free(u.dirs);
	return rc;
}

/* --- committing ----------------------------------------------------- */

struct seen {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct commit {
	struct archive *a;
	const char *shown;
	struct seen *links;
	size_t nlinks, caplinks;
	char buf[65536];
};

static int put_header(struct commit *c, struct archive_entry *e,
		      const char *path)
{
	if (archive_write_header(c->a, e) < ARCHIVE_WARN)
		return cx_fail(archive_errno(c->a) > 0 ? archive_errno(c->a) : 0,
			       "commit %s: write %s: %s", c->shown, path,
			       archive_error_string(c->a));
	return 0;
}

/* An empty regular file: a whiteout or the opaque marker. */
static int put_marker(struct commit *c, const char *path,
		      const struct stat *like)
{
	struct archive_entry *e = archive_entry_new();
	int rc;

	if (!e)
		return cx_fail(ENOMEM, "commit %s", c->shown);
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0);
	archive_entry_set_size(e, 0);
	archive_entry_set_mtime(e, like->st_mtim.tv_sec, like->st_mtim.tv_nsec);
	rc = put_header(c, e, path);
	archive_entry_free(e);
	return rc;
}

static int add_xattrs(struct commit *c, struct archive_entry *e, int fd,
		      const char *path)
{
	char list[4096], val[65536];
	ssize_t n = flistxattr(fd, list, sizeof(list));

	if (n < 0)
		return errno == ENOTSUP ? 0
			: cx_fail(errno, "commit %s: list the xattrs of %s",
				  c->shown, path);
	for (char *name = list; name < list + n; name += strlen(name) + 1) {
		ssize_t v;

		if (cx_ovl_xattr_is_overlay(name))
			continue;
		v = fgetxattr(fd, name, val, sizeof(val));
		if (v < 0)
			return cx_fail(errno, "commit %s: read xattr %s of %s",
				       c->shown, name, path);
		archive_entry_xattr_add_entry(e, name, val, (size_t)v);
	}
	return 0;
}

static int put_data(struct commit *c, int fd, const char *path)
{
	ssize_t n;

	while ((n = read(fd, c->buf, sizeof(c->buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cx_fail(errno, "commit %s: read %s", c->shown,
				       path);
		}
		if (archive_write_data(c->a, c->buf, (size_t)n) != n)
			return cx_fail(archive_errno(c->a) > 0 ?
					       archive_errno(c->a) : EIO,
				       "commit %s: write %s: %s", c->shown, path,
				       archive_error_string(c->a));
	}
	return 0;
}

/* A second name of an inode already written becomes a hard link. */
static const char *link_target(struct commit *c, const struct stat *st,
			       const char *path, int *err)
{
	*err = 0;
	if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
		return NULL;
	for (size_t i = 0; i < c->nlinks; i++)
		if (c->links[i].dev == st->st_dev && c->links[i].ino == st->st_ino)
			return c->links[i].path;
	if (c->nlinks == c->caplinks) {
		size_t cap = c->caplinks ? c->caplinks * 2 : 16;
		struct seen *s = realloc(c->links, cap * sizeof(*s));

		if (!s) {
			*err = ENOMEM;
			return NULL;
		}
		c->links = s;
		c->caplinks = cap;
	}
	c->links[c->nlinks].path = strdup(path);
	if (!c->links[c->nlinks].path) {
		*err = ENOMEM;
		return NULL;
	}
	c->links[c->nlinks].dev = st->st_dev;
	c->links[c->nlinks].ino = st->st_ino;
	c->nlinks++;
	return NULL;
}

static int commit_dir(struct commit *c, int dirfd, const char *prefix);

static int commit_one(struct commit *c, int dirfd, const char *prefix,
		      const char *name)
{
	char path[PATH_MAX], wh[NAME_MAX + 1], target[PATH_MAX];
	struct archive_entry *e;
	const char *hard;
	struct stat st;
	int fd = -1, rc = -1, err, wo;

	if (snprintf(path, sizeof(path), "%s%s", prefix, name) >=
	    (int)sizeof(path) - 1)
		return cx_fail(ENAMETOOLONG, "commit %s: %s%s", c->shown,
			       prefix, name);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return cx_fail(errno, "commit %s: stat %s", c->shown, path);
	if (cx_wh_classify(name, NULL) != CX_WH_NONE)
		return cx_fail(0, "commit %s: %s has a whiteout's name, which a layer cannot hold",
			       c->shown, path);
	wo = cx_ovl_is_whiteout(dirfd, name, &st);
	if (wo < 0)
		return cx_fail(errno, "commit %s: read %s", c->shown, path);
	if (wo) {
		if (cx_wh_name(name, wh, sizeof(wh)) < 0 ||
		    snprintf(target, sizeof(target), "%s%s", prefix, wh) >=
			    (int)sizeof(target))
			return cx_fail(ENAMETOOLONG, "commit %s: %s", c->shown,
				       path);
		return put_marker(c, target, &st);
	}
	if (S_ISSOCK(st.st_mode))
		return 0;	/* tar cannot hold a socket; tar skips them */
	if (cx_ovl_has(dirfd, name, &st, "metacopy") == 1)
		return cx_fail(0, "commit %s: %s is a metacopy file: its data is in a lower layer",
			       c->shown, path);
	if (S_ISDIR(st.st_mode) && cx_ovl_has(dirfd, name, &st, "redirect") == 1)
		return cx_fail(0, "commit %s: %s is a renamed directory (redirect_dir): its contents are in a lower layer",
			       c->shown, path);
	e = archive_entry_new();
	if (!e)
		return cx_fail(ENOMEM, "commit %s", c->shown);
	archive_entry_copy_stat(e, &st);
	archive_entry_set_pathname(e, path);
	hard = link_target(c, &st, path, &err);
	if (err) {
		rc = cx_fail(err, "commit %s", c->shown);
		goto out;
	}
	if (hard) {
		archive_entry_set_hardlink(e, hard);
		archive_entry_set_size(e, 0);
		rc = put_header(c, e, path);
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);

		if (n < 0) {
			rc = cx_fail(errno, "commit %s: readlink %s", c->shown,
				     path);
			goto out;
		}
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
	}
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
				(S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
		if (fd < 0) {
			rc = cx_fail(errno, "commit %s: open %s", c->shown, path);
			goto out;
		}
		if (add_xattrs(c, e, fd, path) < 0)
			goto out;
	}
	if (put_header(c, e, path) < 0)
		goto out;
	if (S_ISREG(st.st_mode) && put_data(c, fd, path) < 0)
		goto out;
	rc = 0;
	if (S_ISDIR(st.st_mode)) {
		int opaque = cx_ovl_is_opaque(fd, "");

		if (snprintf(target, sizeof(target), "%s/%s", path,
			     CX_WH_OPQ_NAME) >= (int)sizeof(target))
			rc = cx_fail(ENAMETOOLONG, "commit %s: %s", c->shown, path);
		else if (opaque == 1)
			rc = put_marker(c, target, &st);
		if (rc == 0) {
			/* path is shorter than PATH_MAX - 1 (checked above). */
			strcpy(target, path);
			strcat(target, "/");
			rc = commit_dir(c, fd, target);
		}
	}
out:
	if (fd >= 0)
		close(fd);
	archive_entry_free(e);
	return rc;
}

static int commit_dir(struct commit *c, int dirfd, const char *prefix)
{
	size_t n;
	char **names = cx_dir_names(dirfd, &n);
	int rc = 0;

	if (!names)
		return cx_fail(errno, "commit %s: read the directory %s",
			       c->shown, *prefix ? prefix : ".");
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = commit_one(c, dirfd, prefix, names[i]);
	cx_names_free(names, n);
	return rc;
}

int cx_layer_commit(struct archive *a, int upper, const char *shown)
{
	struct commit *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return cx_fail(ENOMEM, "commit %s", shown);
	c->a = a;
	c->shown = shown;
	rc = cx_ovl_is_opaque(upper, "");
	if (rc == 1) {
		struct stat st;

		rc = fstat(upper, &st) < 0 ? -1 : put_marker(c, CX_WH_OPQ_NAME, &st);
	} else {
		rc = 0;
	}
	if (rc == 0)
		rc = commit_dir(c, upper, "");
	for (size_t i = 0; i < c->nlinks; i++)
		free(c->links[i].path);
	free(c->links);
	free(c);
	return rc;
}
