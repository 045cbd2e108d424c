/* Files read whole, and regular files opened without being fooled by
 * what stands in their place.  Failures are recorded with cx_fail. */
#ifndef CX_FILE_H
#define CX_FILE_H

#include <stddef.h>

/* Read all of FD (up to MAX bytes) into a buffer to free(), with a NUL
 * after the LEN bytes read.  -1 recorded with cx_fail naming SHOWN;
 * EFBIG past MAX. */
int cx_read_all(int fd, size_t max, char **buf, size_t *len,
		const char *shown);

/* Write all LEN bytes of BUF to FD, again after a short write or EINTR.
 * 0, or -1 with errno set (not recorded: the caller names the file); a
 * write(2) that takes nothing, as a full FUSE file system may answer,
 * is ENOSPC rather than a loop. */
int cx_write_all(int fd, const void *buf, size_t len);

/* Open for reading the regular file that FD, an O_PATH descriptor,
 * names.  O_PATH opens nothing: no FIFO to block on, no device to wake;
 * only once fstat(2) says regular file is the file itself opened, again
 * through /proc/self/fd/FD, and checked to be the same inode.  Returns a
 * new descriptor, or -1 recorded with cx_fail naming SHOWN: errno 0
 * when it is not a regular file (a symbolic link included, for an FD
 * opened with O_NOFOLLOW). */
int cx_open_regular(int fd, const char *shown);

/* The same, opened with FLAGS (O_WRONLY | O_TRUNC, say) instead of
 * O_RDONLY; O_NONBLOCK, O_NOCTTY and O_CLOEXEC are added. */
int cx_open_regular_as(int fd, int flags, const char *shown);

/* PATH, relative to DIRFD (AT_FDCWD: the working directory), opened
 * with O_PATH (and PATHFLAGS: O_NOFOLLOW, say), then as
 * cx_open_regular_as does with FLAGS.  A PATH that cannot be opened is
 * recorded as "open SHOWN" with its errno (ENOENT there: no such name;
 * a reopen through a missing /proc gives ENOENT too). */
int cx_open_regular_at(int dirfd, const char *path, int pathflags, int flags,
		       const char *shown);

#endif
