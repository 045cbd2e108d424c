/* Unit tests for common/proc.c: PIDs from text and pidfiles, the
 * fields of /proc/PID/stat, and the split of /proc/PID/environ. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "die.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_parse_pid(void **state)
{
	static const struct {
		const char *text;
		int rc, err;
		pid_t pid;
	} cases[] = {
		{ "1", 0, 0, 1 },
		{ "4242", 0, 0, 4242 },
		{ "4242\n", 0, 0, 4242 },	/* as a pidfile holds it */
		{ "2147483647", 0, 0, INT_MAX },
		{ "007", 0, 0, 7 },
		{ "2147483648", -1, ERANGE, 0 },
		{ "99999999999999999999", -1, ERANGE, 0 },
		{ "0", -1, EINVAL, 0 },
		{ "", -1, EINVAL, 0 },
		{ "\n", -1, EINVAL, 0 },
		{ "-1", -1, EINVAL, 0 },
		{ "+5", -1, EINVAL, 0 },
		{ " 5", -1, EINVAL, 0 },
		{ "5 ", -1, EINVAL, 0 },
		{ "5\n\n", -1, EINVAL, 0 },
		{ "5\n6\n", -1, EINVAL, 0 },
		{ "12abc", -1, EINVAL, 0 },
		{ "0x10", -1, EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		pid_t pid = -7;
		int rc;

		errno = 0;
		rc = cx_parse_pid(cases[i].text, &pid);
		if (rc != cases[i].rc)
			fail_msg("cx_parse_pid(\"%s\") = %d, want %d",
				 cases[i].text, rc, cases[i].rc);
		if (rc == 0 && pid != cases[i].pid)
			fail_msg("cx_parse_pid(\"%s\") gave %d, want %d",
				 cases[i].text, (int)pid, (int)cases[i].pid);
		if (rc < 0 && errno != cases[i].err)
			fail_msg("cx_parse_pid(\"%s\"): errno %d, want %d",
				 cases[i].text, errno, cases[i].err);
		if (rc < 0 && pid != -7)
			fail_msg("cx_parse_pid(\"%s\") wrote a PID on failure",
				 cases[i].text);
	}
}

/* Fields 4 to 21 of a real stat line, between the state and the start
 * time. */
#define MIDDLE "1 42 42 0 -1 4194560 100 0 0 0 3 1 0 0 20 0 1 0"

static void test_parse_proc_stat(void **state)
{
	static const struct {
		const char *text;
		int rc;
		char state;
		unsigned long long start;
	} cases[] = {
		{ "42 (sleep) S " MIDDLE " 12345 8192 100\n", 0, 'S', 12345 },
		{ "42 (sh) Z " MIDDLE " 7 0 0\n", 0, 'Z', 7 },
		/* A name with spaces and parentheses: counted from the
		 * last ')'. */
		{ "42 (a) b) (c) R " MIDDLE " 99 0\n", 0, 'R', 99 },
		{ "42 ( ) T " MIDDLE " 18446744073709551615\n", 0, 'T',
		  18446744073709551615ULL },
		/* The start time is the last field read: nothing after it
		 * is needed. */
		{ "42 (x) D " MIDDLE " 5", 0, 'D', 5 },
		{ "", -1, 0, 0 },
		{ "42 sleep S " MIDDLE " 1\n", -1, 0, 0 },
		{ "42 (sleep) S 1 42 42\n", -1, 0, 0 },
		{ "42 (sleep)", -1, 0, 0 },
		{ "42 )sleep( S " MIDDLE " 1\n", -1, 0, 0 },
		{ "42 (sleep) S " MIDDLE " x\n", -1, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct cx_proc_stat st = { 0, 0 };
		int rc;

		errno = 0;
		rc = cx_parse_proc_stat(cases[i].text, &st);
		if (rc != cases[i].rc)
			fail_msg("case %zu (\"%s\"): rc %d, want %d", i,
				 cases[i].text, rc, cases[i].rc);
		if (rc < 0 && errno != EINVAL)
			fail_msg("case %zu: errno %d, want EINVAL", i, errno);
		if (rc == 0 && (st.state != cases[i].state ||
				st.start != cases[i].start))
			fail_msg("case %zu: got %c %llu, want %c %llu", i,
				 st.state, st.start, cases[i].state,
				 cases[i].start);
	}
}

static void test_proc_stat_self(void **state)
{
	struct cx_proc_stat st;

	(void)state;
	assert_int_equal(cx_proc_stat(getpid(), &st), 0);
	assert_int_equal(st.state, 'R');
	assert_true(st.start > 0);
	/* No such process: ESRCH, whatever /proc says (ENOENT). */
	assert_int_equal(cx_proc_stat(INT_MAX, &st), -1);
	assert_int_equal(cx_last_errno(), ESRCH);
}

/* Split TEXT (LEN bytes, NULs inside) and compare with WANT. */
static void check_environ(const char *text, size_t len,
			  const char *const *want)
{
	char *buf = malloc(len + 1);
	char **vec;
	size_t n = 0;

	assert_non_null(buf);
	memcpy(buf, text, len);
	vec = cx_parse_environ(buf, len);
	assert_non_null(vec);
	for (; vec[n] && want[n]; n++)
		assert_string_equal(vec[n], want[n]);
	assert_null(vec[n]);
	assert_null(want[n]);
	/* The strings live in the caller's buffer. */
	for (n = 0; vec[n]; n++)
		assert_true(vec[n] >= buf && vec[n] < buf + len + 1);
	free(vec);
	free(buf);
}

static void test_parse_environ(void **state)
{
	static const char *const none[] = { NULL };
	static const char *const two[] = { "A=1", "PATH=/bin", NULL };
	static const char *const empty_value[] = { "A=", "B==x", NULL };
	static const char *const last[] = { "A=1", "B=2", NULL };

	(void)state;
	check_environ("", 0, none);
	check_environ("A=1\0PATH=/bin\0", 14, two);
	check_environ("A=\0B==x\0", 8, empty_value);
	/* No '=' or an empty name: left out. */
	check_environ("NOEQ\0=x\0A=1\0\0B=2\0", 18, last);
	/* A last entry without its NUL still counts. */
	check_environ("A=1\0B=2", 7, last);
}

static void write_text(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void test_read_pidfile(void **state)
{
	char dir[] = "/tmp/cx-test-proc.XXXXXX", path[64];
	pid_t pid = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pid", dir);

	write_text(path, "4242\n", 5);
	assert_int_equal(cx_read_pidfile(path, &pid), 0);
	assert_int_equal(pid, 4242);
	write_text(path, "17", 2);
	assert_int_equal(cx_read_pidfile(path, &pid), 0);
	assert_int_equal(pid, 17);

	write_text(path, "", 0);
	assert_int_equal(cx_read_pidfile(path, &pid), -1);
	assert_int_equal(cx_last_errno(), 0);
	assert_non_null(strstr(cx_last_msg(), "holds no process ID (it is empty)"));
	write_text(path, "42\0" "99\n", 6);
	assert_int_equal(cx_read_pidfile(path, &pid), -1);
	assert_non_null(strstr(cx_last_msg(), "holds no process ID"));
	write_text(path, "pid 42\n", 7);
	assert_int_equal(cx_read_pidfile(path, &pid), -1);
	/* Longer than any pidfile: refused, not truncated to a PID. */
	write_text(path, "4242\n                                                                   ", 72);
	assert_int_equal(cx_read_pidfile(path, &pid), -1);
	assert_int_equal(pid, 17);

	unlink(path);
	assert_int_equal(cx_read_pidfile(path, &pid), -1);
	assert_int_equal(cx_last_errno(), ENOENT);
	assert_non_null(strstr(cx_last_msg(), "open pidfile"));
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_pid),
		cmocka_unit_test(test_parse_proc_stat),
		cmocka_unit_test(test_proc_stat_self),
		cmocka_unit_test(test_parse_environ),
		cmocka_unit_test(test_read_pidfile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
