/* Reading a file whole, and opening a file that must be a regular
 * one, whatever a hostile tree put there instead (a FIFO, a device):
 * shared by every tool that reads /proc, a pidfile or a root's /etc. */
#include "file.h"

#include "die.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int cx_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int cx_read_all(int fd, size_t max, char **buf, size_t *len,
		const char *shown)
{
	size_t size = 4096, used = 0;
	char *b = malloc(size + 1), *nb;

	if (!b)
		return cx_fail(errno, "read %s", shown);
	for (;;) {
		ssize_t r = 0;

		if (used == size) {
			char more;

			/* Full at MAX: fine if the file ends there. */
			if (size >= max &&
			    (r = read(fd, &more, 1)) == 0)
				break;
			if (size >= max) {
				int err = r < 0 ? errno : EFBIG;

				free(b);
				return cx_fail(err, "read %s", shown);
			}
			size = size * 2 > max ? max : size * 2;
			nb = realloc(b, size + 1);
			if (!nb) {
				free(b);
				return cx_fail(ENOMEM, "read %s", shown);
			}
			b = nb;
		}
		r = read(fd, b + used, size - used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			free(b);
			return cx_fail(err, "read %s", shown);
		}
		if (r == 0)
			break;
		used += (size_t)r;
	}
	b[used] = '\0';
	*buf = b;
	*len = used;
	return 0;
}

/* "a FIFO", "a directory", ...: what a file of MODE is, for a message
 * that refuses it. */
static const char *file_kind(mode_t mode)
{
	static const struct {
		mode_t type;
		const char *name;
	} kinds[] = {
		{ S_IFREG, "a regular file" }, { S_IFDIR, "a directory" },
		{ S_IFLNK, "a symbolic link" }, { S_IFIFO, "a FIFO" },
		{ S_IFSOCK, "a socket" }, { S_IFCHR, "a character device" },
		{ S_IFBLK, "a block device" },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if ((mode & S_IFMT) == kinds[i].type)
			return kinds[i].name;
	return "of an unknown type";
}

int cx_open_regular(int fd, const char *shown)
{
	return cx_open_regular_as(fd, O_RDONLY, shown);
}

int cx_open_regular_as(int fd, int flags, const char *shown)
{
	struct stat a, b;
	char path[64];
	int rfd;

	if (fstat(fd, &a) < 0)
		return cx_fail(errno, "%s", shown);
	if (!S_ISREG(a.st_mode))
		return cx_fail(0, "%s: not a regular file (%s)", shown,
			       file_kind(a.st_mode));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rfd = open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (rfd < 0)
		return cx_fail(errno, "%s: open again through %s", shown, path);
	/* A /proc that is not the kernel's could name anything. */
	if (fstat(rfd, &b) < 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino) {
		close(rfd);
		return cx_fail(0, "%s: %s is not the file opened (is /proc a proc file system?)",
			       shown, path);
	}
	return rfd;
}

int cx_open_regular_at(int dirfd, const char *path, int pathflags, int flags,
		       const char *shown)
{
	int fd, rfd;

	fd = openat(dirfd, path, O_PATH | O_CLOEXEC | pathflags);
	if (fd < 0)
		return cx_fail(errno, "open %s", shown);
	rfd = cx_open_regular_as(fd, flags, shown);
	close(fd);
	return rfd;
}

