#include "overlay-stage.h"

#include "die.h"
#include "syscalls.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- removing a tree ------------------------------------------------ */

static int is_dir_at(int dirfd, const struct dirent *d)
{
	struct stat st;

	if (d->d_type != DT_UNKNOWN)
		return d->d_type == DT_DIR;
	return fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

/* Unlink every non-directory in CUR; return the name of one
 * subdirectory in sub (or "" when there is none). */
static int clear_files(int cur, char *sub)
{
	int fd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *d;
	DIR *dir;

	sub[0] = '\0';
	if (fd < 0)
		return -1;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -1;
	}
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (is_dir_at(cur, d)) {
			if (!sub[0])
				snprintf(sub, NAME_MAX + 1, "%s", d->d_name);
		} else if (unlinkat(cur, d->d_name, 0) < 0 && errno != ENOENT) {
			int err = errno;

			closedir(dir);
			errno = err;
			return -1;
		}
	}
	closedir(dir);
	return 0;
}

int cx_remove_tree(int dirfd, const char *name)
{
	char sub[NAME_MAX + 1];
	char **stack = NULL;
	size_t depth = 0;
	int cur, rc = -1;

	if (unlinkat(dirfd, name, 0) == 0)
		return 0;
	if (errno != EISDIR)
		return errno == ENOENT ? 0 : -1;
	cur = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					  O_CLOEXEC);
	if (cur < 0)
		return -1;
	/* Depth first with a stack of names instead of descriptors: each
	 * directory is left through "..", which, in a tree only we write,
	 * is the one we came from. */
	for (;;) {
		int next;

		if (clear_files(cur, sub) < 0)
			break;
		if (sub[0]) {
			char **s = realloc(stack, (depth + 1) * sizeof(*stack));

			if (!s)
				break;
			stack = s;
			stack[depth] = strdup(sub);
			if (!stack[depth])
				break;
			next = openat(cur, sub, O_RDONLY | O_DIRECTORY |
							O_NOFOLLOW | O_CLOEXEC);
			if (next < 0) {
				free(stack[depth]);
				break;
			}
			depth++;
			close(cur);
			cur = next;
			continue;
		}
		if (depth == 0) {
			close(cur);
			cur = -1;
			rc = unlinkat(dirfd, name, AT_REMOVEDIR);
			break;
		}
		next = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (next < 0)
			break;
		close(cur);
		cur = next;
		depth--;
		if (unlinkat(cur, stack[depth], AT_REMOVEDIR) < 0) {
			free(stack[depth]);
			break;
		}
		free(stack[depth]);
	}
	{
		int err = errno;

		if (cur >= 0)
			close(cur);
		while (depth > 0 && rc < 0)
			free(stack[--depth]);
		free(stack);
		errno = err;
	}
	return rc;
}

/* --- staging -------------------------------------------------------- */

static int stage_open_parent(struct cx_stage *s, const char *dest)
{
	char *copy = strdup(dest), *slash;
	const char *dir = ".", *base;

	if (!copy)
		return cx_fail(errno, "%s", dest);
	while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
		copy[strlen(copy) - 1] = '\0';
	slash = strrchr(copy, '/');
	base = copy;
	if (slash) {
		*slash = '\0';
		dir = slash == copy ? "/" : copy;
		base = slash + 1;
	}
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..") ||
	    strlen(base) + 16 > NAME_MAX) {
		free(copy);
		return cx_fail(EINVAL, "%s", dest);
	}
	snprintf(s->base, sizeof(s->base), "%s", base);
	s->parent = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (s->parent < 0)
		return cx_fail(errno, "open the directory of %s", dest);
	return 0;
}

static int stage_name(struct cx_stage *s)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[8];

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return -1;
	for (size_t i = 0; i < sizeof(r); i++)
		r[i] = (unsigned char)set[r[i] % (sizeof(set) - 1)];
	if (snprintf(s->tmp, sizeof(s->tmp), ".%s.cx-%.8s", s->base, r) >=
	    (int)sizeof(s->tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int dir_is_empty(int parent, const char *name)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
	struct dirent *d;
	int empty = 1;
	DIR *dir;

	if (fd < 0)
		return -1;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -1;
	}
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			empty = 0;
	closedir(dir);
	return empty;
}

int cx_stage_dir(struct cx_stage *s, const char *dest)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->is_dir = true;
	s->shown = dest;
	if (stage_open_parent(s, dest) < 0)
		return -1;
	if (fstatat(s->parent, s->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISDIR(st.st_mode) || dir_is_empty(s->parent, s->base) != 1) {
			close(s->parent);
			return cx_fail(0, "%s exists and is not an empty directory",
				       dest);
		}
		s->replace = true;
	} else if (errno != ENOENT) {
		close(s->parent);
		return cx_fail(errno, "%s", dest);
	}
	for (int tries = 0;; tries++) {
		if (stage_name(s) < 0 || tries == 100) {
			close(s->parent);
			return cx_fail(errno ? errno : EEXIST,
				       "make a temporary directory for %s", dest);
		}
		if (mkdirat(s->parent, s->tmp, 0700) == 0)
			break;
		if (errno != EEXIST) {
			int err = errno;

			close(s->parent);
			return cx_fail(err, "make a temporary directory for %s",
				       dest);
		}
	}
	s->fd = openat(s->parent, s->tmp, O_RDONLY | O_DIRECTORY |
						  O_NOFOLLOW | O_CLOEXEC);
	if (s->fd < 0 || fchmod(s->fd, 0755) < 0) {
		int err = errno;

		cx_stage_abort(s);
		return cx_fail(err, "make a temporary directory for %s", dest);
	}
	return 0;
}

int cx_stage_file(struct cx_stage *s, const char *dest)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->shown = dest;
	if (stage_open_parent(s, dest) < 0)
		return -1;
	if (fstatat(s->parent, s->base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode)) {
		close(s->parent);
		return cx_fail(EISDIR, "%s", dest);
	}
	for (int tries = 0;; tries++) {
		if (stage_name(s) < 0 || tries == 100) {
			close(s->parent);
			return cx_fail(errno ? errno : EEXIST,
				       "make a temporary file for %s", dest);
		}
		s->fd = openat(s->parent, s->tmp, O_WRONLY | O_CREAT | O_EXCL |
					O_NOFOLLOW | O_CLOEXEC, 0644);
		if (s->fd >= 0)
			break;
		if (errno != EEXIST) {
			int err = errno;

			close(s->parent);
			return cx_fail(err, "create a temporary file for %s",
				       dest);
		}
	}
	return 0;
}

int cx_stage_commit(struct cx_stage *s)
{
	int rc;

	if (s->is_dir && !s->replace)
		rc = renameat2(s->parent, s->tmp, s->parent, s->base,
			       RENAME_NOREPLACE);
	else
		rc = renameat(s->parent, s->tmp, s->parent, s->base);
	if (rc < 0)
		return cx_fail(errno, "rename into %s", s->shown);
	close(s->fd);
	close(s->parent);
	s->fd = s->parent = -1;
	return 0;
}

void cx_stage_abort(struct cx_stage *s)
{
	int err = errno;

	if (s->parent < 0)
		return;
	if (s->fd >= 0)
		close(s->fd);
	if (s->is_dir)
		cx_remove_tree(s->parent, s->tmp);
	else
		unlinkat(s->parent, s->tmp, 0);
	close(s->parent);
	s->fd = s->parent = -1;
	errno = err;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **cx_dir_names(int fd, size_t *n)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), err;
	char **names = calloc(16, sizeof(*names));
	size_t cap = 16;
	struct dirent *d;
	DIR *dir = NULL;

	*n = 0;
	if (dfd < 0 || !names || !(dir = fdopendir(dfd)))
		goto fail;
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (*n + 1 >= cap) {
			char **more = realloc(names, 2 * cap * sizeof(*names));

			if (!more)
				goto fail;
			names = more;
			cap *= 2;
		}
		if (!(names[*n] = strdup(d->d_name)))
			goto fail;
		names[++*n] = NULL;
	}
	closedir(dir);
	qsort(names, *n, sizeof(*names), cmp_names);
	return names;
fail:
	err = errno;
	if (dir)
		closedir(dir);
	else if (dfd >= 0)
		close(dfd);
	if (names)
		cx_names_free(names, *n);
	errno = err;
	return NULL;
}

void cx_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
