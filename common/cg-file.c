/* cx-cgroup's file I/O, the leaf of the cgroup module.  See
 * cg-file.h. */
#include "cg-file.h"

#include "die.h"
#include "parse.h"
#include "file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

char *cx_cg_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s%s", a, *b ? "/" : "", b);
	return s;
}

int cx_cg_write(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	size_t len = strlen(text);
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	cx_say("write %s to %s", text, path);
	/* O_TRUNC as a shell's ">": cgroupfs ignores it, a plain file (the
	 * unit tests' fake hierarchy) needs it. */
	fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cx_fail(errno, "open %s", path);
	n = write(fd, text, len);
	err = n < 0 ? errno : (size_t)n != len ? EIO : 0;
	close(fd);
	if (err)
		return cx_fail(err, "write %s to %s", text, path);
	return 0;
}

int cx_cg_read(const char *dir, const char *file, char *out, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cx_fail(errno, "open %s", path);
	n = read(fd, out, len - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return cx_fail(err, "read %s", path);
	out[n] = '\0';
	if (n && out[n - 1] == '\n')
		out[n - 1] = '\0';
	return 0;
}

int cx_cg_read_u64(const char *dir, const char *file, uint64_t *v)
{
	char buf[64];

	if (cx_cg_read(dir, file, buf, sizeof(buf)) < 0)
		return -1;
	/* v1 prints -1 for "no limit" in a few files. */
	if (strcmp(buf, "-1") == 0 || strcmp(buf, "max") == 0) {
		*v = UINT64_MAX;
		return 0;
	}
	if (cx_parse_u64(buf, v) < 0)
		return cx_fail(EINVAL, "read %s/%s: not a number: %s", dir,
			       file, buf);
	return 0;
}

int cx_cg_read_key(const char *dir, const char *file, const char *key,
		   uint64_t *v)
{
	char path[PATH_MAX], small[4096], *text = small, *line, *save = NULL;
	size_t klen = strlen(key);
	int fit;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fit = cx_cg_read_small(path, small, sizeof(small))) < 0 ||
	    (!fit && !(text = cx_cg_slurp(path))))
		return cx_fail(errno, "read %s", path);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ' &&
		    cx_parse_u64(line + klen + 1, v) == 0)
			break;
	if (text != small)
		free(text);
	if (line)
		return 0;
	return cx_fail(ENOENT, "read %s: no %s line", path, key);
}

/* getdents64's record; <dirent.h> has no name for it. */
struct cx_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int cx_cg_each_subdir(const char *path,
		      int (*fn)(const char *name, void *arg), void *arg)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0, err;
	/* Aligned for the records' 64-bit fields. */
	uint64_t buf[512];
	long n = 0;

	if (fd < 0)
		return -1;
	while (rc == 0 &&
	       (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long at = 0; rc == 0 && at < n;) {
			struct cx_dirent64 *e =
				(struct cx_dirent64 *)((char *)buf + at);

			at += e->d_reclen;
			if (e->d_type == DT_DIR && strcmp(e->d_name, ".") != 0 &&
			    strcmp(e->d_name, "..") != 0)
				rc = fn(e->d_name, arg);
		}
	err = errno;
	close(fd);
	if (rc == 0 && n < 0) {
		errno = err;
		return -1;
	}
	return rc;
}

int cx_cg_read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	size_t used = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -1;
	while (used < len - 1 &&
	       (n = read(fd, buf + used, len - 1 - used)) > 0)
		used += (size_t)n;
	/* Full: it fits only when the file ends right there. */
	if (n >= 0 && used == len - 1) {
		char more;

		n = read(fd, &more, 1);
		if (n > 0) {
			close(fd);
			return 0;
		}
	}
	err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return -1;
	}
	buf[used] = '\0';
	return 1;
}

char *cx_cg_slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	char *buf = NULL;
	size_t len;

	if (fd < 0)
		return NULL;
	if (cx_read_all(fd, 1 << 24, &buf, &len, path) < 0) {
		err = cx_last_errno();
		close(fd);
		errno = err;
		return NULL;
	}
	close(fd);
	return buf;
}

bool cx_cg_list_has(const char *list, const char *ctl)
{
	size_t len = strlen(ctl);

	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ' ');

		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) == len && strncmp(p, ctl, len) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}


bool cx_cg_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool cx_cg_swap_on(void)
{
	char *text = cx_cg_slurp("/proc/swaps");
	bool on;

	if (!text)
		return true;	/* cannot tell: assume the worst */
	/* A header line, then one line per swap area. */
	on = strchr(text, '\n') && strchr(text, '\n')[1] != '\0';
	free(text);
	return on;
}
