/* Unit tests for common/file.c: a file read and written whole, and a
 * regular file opened through an O_PATH descriptor without opening
 * what stands in its place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "die.h"
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_read_all(void **state)
{
	char path[] = "/tmp/cx-test-file.XXXXXX", *buf;
	int fd = mkstemp(path);
	size_t len;
	char big[10000];

	(void)state;
	assert_true(fd >= 0);
	memset(big, 'x', sizeof(big));
	assert_int_equal(write(fd, big, sizeof(big)), sizeof(big));
	/* Past the first buffer of 4096 bytes. */
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(cx_read_all(fd, 1 << 20, &buf, &len, path), 0);
	assert_int_equal(len, sizeof(big));
	assert_int_equal(buf[len], '\0');
	assert_memory_equal(buf, big, sizeof(big));
	free(buf);
	/* Longer than MAX: EFBIG, nothing returned. */
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(cx_read_all(fd, 5000, &buf, &len, path), -1);
	assert_int_equal(cx_last_errno(), EFBIG);
	/* Exactly MAX is fine. */
	assert_int_equal(ftruncate(fd, 5000), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(cx_read_all(fd, 5000, &buf, &len, path), 0);
	assert_int_equal(len, 5000);
	free(buf);
	close(fd);
	unlink(path);
}

static void test_write_all(void **state)
{
	static char big[200000];
	char *buf;
	size_t len;
	int p[2], fd;
	pid_t pid;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	/* Through a pipe far smaller than the text, to a reader that
	 * checks every byte. */
	assert_int_equal(pipe(p), 0);
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		_exit(cx_read_all(p[0], sizeof(big) * 2, &buf, &len, "pipe") ||
		      len != sizeof(big) || memcmp(buf, big, len));
	}
	close(p[0]);
	assert_int_equal(cx_write_all(p[1], big, sizeof(big)), 0);
	close(p[1]);
	{
		int st;

		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	/* A write that fails part way is -1 with the kernel's errno: a
	 * full pipe that does not block takes some, then EAGAIN. */
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	errno = 0;
	assert_int_equal(cx_write_all(p[1], big, sizeof(big)), -1);
	assert_int_equal(errno, EAGAIN);
	close(p[0]);
	close(p[1]);
	/* A full device. */
	fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(cx_write_all(fd, "x", 1), -1);
	assert_int_equal(errno, ENOSPC);
	close(fd);
	/* Nothing to write is done at once. */
	assert_int_equal(cx_write_all(-1, "", 0), 0);
}

/* DIR/NAME, a new file holding TEXT; its path in PATH (256 bytes). */
static void put_file(const char *dir, const char *name, const char *text,
		     char *path)
{
	int fd;

	snprintf(path, 256, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* What cx_open_regular makes of an O_PATH descriptor of NAME in DIR. */
static int open_regular_at(const char *dir, const char *name, int flags)
{
	char path[256];
	int pfd, fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	pfd = open(path, O_PATH | O_CLOEXEC | flags);
	assert_true(pfd >= 0);
	fd = cx_open_regular(pfd, path);
	close(pfd);
	return fd;
}

static void test_open_regular(void **state)
{
	char dir[] = "/tmp/cx-test-file.XXXXXX", path[256], buf[8];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	put_file(dir, "file", "ok", path);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink("file", path), 0);

	/* A regular file: opened for reading. */
	fd = open_regular_at(dir, "file", 0);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 2);
	close(fd);
	/* A FIFO is refused at once (opening it would block), errno 0,
	 * and the message says what it is. */
	assert_int_equal(open_regular_at(dir, "fifo", 0), -1);
	assert_int_equal(cx_last_errno(), 0);
	assert_non_null(strstr(cx_last_msg(), "FIFO"));
	/* So are a directory, and a symbolic link not followed. */
	assert_int_equal(open_regular_at(dir, "", 0), -1);
	assert_int_equal(cx_last_errno(), 0);
	assert_int_equal(open_regular_at(dir, "link", O_NOFOLLOW), -1);
	assert_int_equal(cx_last_errno(), 0);
	/* Followed, the link leads to the file. */
	fd = open_regular_at(dir, "link", 0);
	assert_true(fd >= 0);
	close(fd);

	unlink(path);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/file", dir);
	unlink(path);
	rmdir(dir);
}

/* The file at PATH holds TEXT and nothing more. */
static void assert_file_is(const char *path, const char *text)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), (int)strlen(text));
	assert_memory_equal(buf, text, strlen(text));
	close(fd);
}

/* cx_open_regular_as: the flags asked for, on a regular file only. */
static void test_open_regular_as(void **state)
{
	char dir[] = "/tmp/cx-test-file.XXXXXX", path[256];
	int pfd, fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	put_file(dir, "file", "old text", path);

	/* Opened for writing, and truncated: what is written is all. */
	pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	assert_true(pfd >= 0);
	fd = cx_open_regular_as(pfd, O_WRONLY | O_TRUNC, path);
	close(pfd);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY);
	assert_int_equal(write(fd, "new", 3), 3);
	close(fd);
	assert_file_is(path, "new");
	unlink(path);

	/* A FIFO is never opened, for writing no more than for reading. */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	pfd = open(path, O_PATH | O_CLOEXEC);
	assert_true(pfd >= 0);
	assert_int_equal(cx_open_regular_as(pfd, O_WRONLY | O_TRUNC, path), -1);
	close(pfd);
	assert_int_equal(cx_last_errno(), 0);
	assert_non_null(strstr(cx_last_msg(), "not a regular file (a FIFO)"));
	unlink(path);
	rmdir(dir);
}

/* The next descriptor open(2) would give: one that leaks moves it. */
static int next_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

static void test_open_regular_at(void **state)
{
	char dir[] = "/tmp/cx-test-file.XXXXXX", path[256], link[256];
	char buf[8];
	int fd, dfd, first;

	(void)state;
	assert_non_null(mkdtemp(dir));
	put_file(dir, "file", "text", path);
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	first = next_fd();

	/* A regular file: opened, and only the one descriptor is left. */
	fd = cx_open_regular_at(AT_FDCWD, path, O_NOFOLLOW, O_RDONLY,
				"the file");
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "text", 4);
	close(fd);
	assert_int_equal(next_fd(), first);

	/* A link is followed unless PATHFLAGS says O_NOFOLLOW. */
	fd = cx_open_regular_at(AT_FDCWD, link, 0, O_RDONLY, "the link");
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(cx_open_regular_at(AT_FDCWD, link, O_NOFOLLOW,
					    O_RDONLY, "the link"), -1);
	assert_int_equal(cx_last_errno(), 0);
	assert_string_equal(cx_last_msg(),
			    "the link: not a regular file (a symbolic link)");
	assert_int_equal(next_fd(), first);

	/* Relative to a directory's descriptor, not the working
	 * directory: the name "file" is found in DIR only. */
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	fd = cx_open_regular_at(dfd, "file", O_NOFOLLOW, O_WRONLY | O_TRUNC,
				"in dir");
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "new", 3), 3);
	close(fd);
	assert_file_is(path, "new");
	assert_int_equal(cx_open_regular_at(dfd, "link", O_NOFOLLOW, O_RDONLY,
					    "in dir"), -1);
	assert_string_equal(cx_last_msg(),
			    "in dir: not a regular file (a symbolic link)");
	close(dfd);
	assert_int_equal(next_fd(), first);

	/* A name that is not there: "open" and the label, with errno. */
	unlink(path);
	assert_int_equal(cx_open_regular_at(AT_FDCWD, path, 0, O_RDONLY,
					    "gone"), -1);
	assert_int_equal(cx_last_errno(), ENOENT);
	assert_non_null(strstr(cx_last_msg(), "open gone"));

	/* A FIFO, even for writing, and a directory: never opened. */
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(cx_open_regular_at(AT_FDCWD, path, 0,
					    O_WRONLY | O_TRUNC, "fifo"), -1);
	assert_string_equal(cx_last_msg(), "fifo: not a regular file (a FIFO)");
	assert_int_equal(cx_open_regular_at(AT_FDCWD, dir, 0, O_RDONLY,
					    "dir"), -1);
	assert_string_equal(cx_last_msg(),
			    "dir: not a regular file (a directory)");
	assert_int_equal(next_fd(), first);
	unlink(path);
	unlink(link);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_all),
		cmocka_unit_test(test_write_all),
		cmocka_unit_test(test_open_regular),
		cmocka_unit_test(test_open_regular_as),
		cmocka_unit_test(test_open_regular_at),
	};

	cx_init("test-file");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
