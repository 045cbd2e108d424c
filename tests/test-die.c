/* Unit tests for the one way a cx tool fails (common/die.h): a helper
 * records the failure, a caller may put its own context in front, and
 * the tool prints it in one line, with strerror only when an errno was
 * recorded.  stderr goes to a temporary file that each test reads. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "die.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* What FN printed: stderr pointed at a temporary file for the call,
 * then read back into BUF. */
static void stderr_of(void (*fn)(void), char *buf, size_t len)
{
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n;

	assert_non_null(f);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(f), 2) == 2);
	fn();
	fflush(stderr);
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void warn_last_into(char *buf, size_t len)
{
	stderr_of(cx_warn_last, buf, len);
}

static void say_pivot(void)
{
	cx_say("pivot_root into %s", "rootfs");
}

/* cx_say prints only under --verbose, and records nothing. */
static void test_say_only_when_verbose(void **state)
{
	char out[256];

	(void)state;
	cx_fail(ENOENT, "open %s", "/x");
	cx_verbose = 0;
	stderr_of(say_pivot, out, sizeof(out));
	assert_string_equal(out, "");
	cx_verbose = 1;
	stderr_of(say_pivot, out, sizeof(out));
	cx_verbose = 0;
	assert_string_equal(out, "test-die: pivot_root into rootfs\n");
	assert_string_equal(cx_last_msg(), "open /x");
	assert_int_equal(cx_last_errno(), ENOENT);
}

/* A failure saved, others recorded (an undo), then restored whole. */
static void test_save_restore(void **state)
{
	struct cx_failure f;
	char out[512];

	(void)state;
	cx_fail_why(EEXIST, "it is there already", "create %s", "/cg");
	cx_fail_save(&f);
	cx_fail(EBUSY, "remove %s", "/cg/made");
	errno = 0;
	assert_int_equal(cx_fail_restore(&f), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(cx_last_errno(), EEXIST);
	warn_last_into(out, sizeof(out));
	assert_string_equal(out, "test-die: create /cg: File exists: it is there already\n");
}

static void test_fail_records(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(cx_fail(ENOENT, "open %s", "/x"), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(cx_last_msg(), "open /x");
	assert_int_equal(cx_last_errno(), ENOENT);
}

static void test_context_in_front(void **state)
{
	(void)state;
	cx_fail(EACCES, "write %s", "/sys/fs/cgroup/a/memory.max");
	errno = 0;
	assert_int_equal(cx_fail_context("set --memory %s", "100M"), -1);
	assert_int_equal(errno, EACCES);
	assert_int_equal(cx_last_errno(), EACCES);
	assert_string_equal(cx_last_msg(),
			    "set --memory 100M: write /sys/fs/cgroup/a/memory.max");
	/* Twice: the message it wraps is its own previous one. */
	cx_fail_context("run");
	assert_string_equal(cx_last_msg(),
			    "run: set --memory 100M: write /sys/fs/cgroup/a/memory.max");
}

static void test_context_long_message(void **state)
{
	char big[2000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cx_fail(EIO, "%s", big);
	cx_fail_context("ctx");
	/* Cut to the buffer, never past it; the front stays. */
	assert_true(strncmp(cx_last_msg(), "ctx: aaa", 8) == 0);
	assert_true(strlen(cx_last_msg()) < sizeof(big));
	assert_int_equal(cx_last_errno(), EIO);
}

static void test_warn_last_with_errno(void **state)
{
	char out[256];

	(void)state;
	cx_fail(ENOENT, "open %s", "/nowhere");
	warn_last_into(out, sizeof(out));
	assert_string_equal(out, "test-die: open /nowhere: No such file or directory\n");
}

/* A failure recorded with no errno prints no ": Success". */
static void test_warn_last_without_errno(void **state)
{
	char out[256];

	(void)state;
	cx_fail(0, "the layers overlap");
	warn_last_into(out, sizeof(out));
	assert_string_equal(out, "test-die: the layers overlap\n");
}

/* The cause found goes after the errno's text, stays through a context
 * put in front, and goes with the next plain failure. */
static void test_why_after_errno(void **state)
{
	char out[512];

	(void)state;
	errno = 0;
	assert_int_equal(cx_fail_why(EPERM, "the namespace denies it",
				     "setgroups"), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(cx_last_errno(), EPERM);
	assert_string_equal(cx_last_msg(), "setgroups");
	cx_fail_context("--user %d", 5);
	warn_last_into(out, sizeof(out));
	assert_true(strncmp(out, "test-die: --user 5: setgroups: ", 31) == 0);
	assert_non_null(strstr(out, ": the namespace denies it\n"));
	cx_fail(ENOENT, "open %s", "/x");
	warn_last_into(out, sizeof(out));
	assert_string_equal(out, "test-die: open /x: No such file or directory\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_records),
		cmocka_unit_test(test_context_in_front),
		cmocka_unit_test(test_context_long_message),
		cmocka_unit_test(test_warn_last_with_errno),
		cmocka_unit_test(test_warn_last_without_errno),
		cmocka_unit_test(test_why_after_errno),
		cmocka_unit_test(test_say_only_when_verbose),
		cmocka_unit_test(test_save_restore),
	};

	cx_prog = "test-die";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
