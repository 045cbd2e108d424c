#include "path.h"

#include "die.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int cx_open_in_root(int rootfd, const char *path, int flags, mode_t mode,
		    const char *shown)
{
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC),
		/* O_TMPFILE holds O_DIRECTORY's bit: test it whole. */
		.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ?
				mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd, tries = 0;

	/* EAGAIN: a rename somewhere raced the lookup; the kernel asks
	 * for another try. */
	do
		fd = cx_openat2(rootfd, path, &how);
	while (fd < 0 && errno == EAGAIN && ++tries < 16);
	if (fd < 0 && errno == ENOSYS)
		fd = cx_open_in_root_walk(rootfd, path, flags, mode);
	if (fd < 0)
		return cx_fail(errno, "open %s", shown);
	return fd;
}

static int same_file(int fd, const struct stat *st)
{
	struct stat cur;

	return fstat(fd, &cur) == 0 && cur.st_dev == st->st_dev &&
	       cur.st_ino == st->st_ino;
}

static int replace(int *cur, int fd)
{
	int err = errno;

	if (fd < 0)
		return -1;
	close(*cur);
	*cur = fd;
	errno = err;
	return 0;
}

/* The walk: one component at a time, never following a symlink by the
 * kernel (O_NOFOLLOW), reading each link ourselves and going on from the
 * root when it is absolute. */
int cx_open_in_root_walk(int rootfd, const char *path, int flags, mode_t mode)
{
	struct stat rootst, st;
	char *pending, *p;
	int cur, links = 0, fd = -1;

	if (!*path) {
		errno = ENOENT;
		return -1;
	}
	/* "dir/" names a directory, as in the kernel's own lookup: the
	 * last link is followed, and nothing is created. */
	if (path[strlen(path) - 1] == '/') {
		if (flags & O_CREAT) {
			errno = EISDIR;
			return -1;
		}
		flags = (flags & ~O_NOFOLLOW) | O_DIRECTORY;
	}
	if (fstat(rootfd, &rootst) < 0)
		return -1;
	cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return -1;
	pending = strdup(path);
	if (!pending) {
		close(cur);
		return -1;
	}
	p = pending;
	for (;;) {
		char *comp, *rest;
		int last;

		while (*p == '/')
			p++;
		if (!*p) {
			fd = openat(cur, ".", flags | O_CLOEXEC, mode);
			break;
		}
		comp = p;
		rest = strchrnul(p, '/');
		p = rest;
		if (*p)
			*p++ = '\0';
		while (*p == '/')
			p++;
		last = !*p;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (same_file(cur, &rootst))
				continue;
			if (replace(&cur, openat(cur, "..", O_PATH | O_DIRECTORY |
								    O_CLOEXEC)) < 0)
				break;
			continue;
		}
		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT && last && (flags & O_CREAT))
				fd = openat(cur, comp,
					    flags | O_NOFOLLOW | O_CLOEXEC, mode);
			break;
		}
		if (S_ISLNK(st.st_mode) && last &&
		    (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
			errno = EEXIST;	/* never create through a link */
			break;
		}
		if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(cur, comp, target,
					       sizeof(target) - 1);
			char *next;

			if (n < 0)
				break;
			if (++links > 40) {
				errno = ELOOP;
				break;
			}
			target[n] = '\0';
			next = malloc((size_t)n + strlen(p) + 2);
			if (!next)
				break;
			strcpy(next, target);
			strcat(next, "/");
			strcat(next, p);
			free(pending);
			pending = p = next;
			if (target[0] == '/' &&
			    replace(&cur, openat(rootfd, ".", O_PATH |
						 O_DIRECTORY | O_CLOEXEC)) < 0)
				break;
			continue;
		}
		if (last) {
			fd = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC,
				    mode);
			break;
		}
		if (replace(&cur, openat(cur, comp, O_PATH | O_DIRECTORY |
						    O_NOFOLLOW | O_CLOEXEC)) < 0)
			break;
	}
	{
		int err = errno;

		free(pending);
		close(cur);
		errno = err;
	}
	return fd;
}

int cx_reopen_dir(int oldfd, const char *path)
{
	struct stat a, b;
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return cx_fail(errno, "open %s", path);
	if (fstat(oldfd, &a) < 0 || fstat(fd, &b) < 0) {
		int err = errno;

		close(fd);
		return cx_fail(err, "stat %s", path);
	}
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		close(fd);
		return cx_fail(0, "%s changed while cx worked on it", path);
	}
	close(oldfd);
	return fd;
}

int cx_check_cwd(const char *shown)
{
	char buf[PATH_MAX];
	long n;

	/* The system call itself: the C library's wrapper may hide the
	 * "(unreachable)" prefix or fall back to walking "..". */
	n = syscall(SYS_getcwd, buf, sizeof(buf));
	if (n < 0 && errno == ENOENT)
		return cx_fail(0, "working directory %s: deleted, or outside the root", shown);
	if (n < 0)
		return cx_fail(errno, "working directory %s: getcwd", shown);
	if (buf[0] != '/')
		return cx_fail(0, "working directory %s: outside the root (refused: a descriptor of the host leads there)",
			       shown);
	return 0;
}

/* FD is the same directory as another of our descriptors. */
static bool one_of_ours(int fd)
{
	struct stat st, o;

	if (fstat(fd, &st) < 0)
		return true;
	for (int i = 3; i < 1024; i++)
		if (i != fd && fcntl(i, F_GETFD) >= 0 && fstat(i, &o) == 0 &&
		    o.st_dev == st.st_dev && o.st_ino == st.st_ino)
			return true;
	return false;
}

int cx_open_user_dir(const char *dir)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	int fd = cx_openat2(AT_FDCWD, dir, &how);

	/* A magic link to another process's root or cwd is a place the
	 * user can name (nsenter --root=/proc/PID/root); one into a
	 * descriptor of ours is not. */
	if (fd < 0 && (errno == ENOSYS || errno == ELOOP)) {
		fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && one_of_ours(fd)) {
			close(fd);
			return cx_fail(0, "open %s: refused: it leads into a descriptor of %s's own",
				       dir, cx_prog);
		}
	}
	if (fd < 0)
		return cx_fail(errno, "open %s", dir);
	return fd;
}
