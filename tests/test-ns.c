/* Unit tests for the namespace table (common/ns.h): every kind once,
 * with its own clone flag and file, no name given twice; and the inode
 * of a namespace file, checked against stat(2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "die.h"
#include "ns.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* What the table must hold, in cx-nsenter's order of entry (user
 * first). */
static const struct {
	enum cx_ns_index index;
	const char *name, *file, *child_file;
	int flag;
} want[] = {
	{ CX_NS_USER, "user", "user", NULL, CLONE_NEWUSER },
	{ CX_NS_CGROUP, "cgroup", "cgroup", NULL, CLONE_NEWCGROUP },
	{ CX_NS_IPC, "ipc", "ipc", NULL, CLONE_NEWIPC },
	{ CX_NS_UTS, "uts", "uts", NULL, CLONE_NEWUTS },
	{ CX_NS_NET, "net", "net", NULL, CLONE_NEWNET },
	{ CX_NS_PID, "pid", "pid", "pid_for_children", CLONE_NEWPID },
	{ CX_NS_MNT, "mount", "mnt", NULL, CLONE_NEWNS },
	{ CX_NS_TIME, "time", "time", "time_for_children", CLONE_NEWTIME },
};

static void test_table_entries(void **state)
{
	(void)state;
	assert_int_equal(CX_NS_COUNT, 8);
	assert_int_equal(sizeof(want) / sizeof(*want), CX_NS_COUNT);
	assert_int_equal(CX_NS_USER, 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		const struct cx_ns *ns = &cx_ns_table[want[i].index];

		assert_int_equal(want[i].index, i);
		assert_non_null(ns->name);
		assert_non_null(ns->file);
		assert_string_equal(ns->name, want[i].name);
		assert_string_equal(ns->file, want[i].file);
		if (want[i].child_file)
			assert_string_equal(ns->child_file,
					    want[i].child_file);
		else
			assert_null(ns->child_file);
		assert_int_equal(ns->flag, want[i].flag);
	}
}

/* 8 distinct kinds: no two entries share a name, a file or a flag, and
 * each flag is one bit. */
static void test_table_distinct(void **state)
{
	int all = 0;

	(void)state;
	for (int i = 0; i < CX_NS_COUNT; i++) {
		const struct cx_ns *a = &cx_ns_table[i];

		assert_int_not_equal(a->flag, 0);
		assert_int_equal(a->flag & (a->flag - 1), 0);
		assert_int_equal(all & a->flag, 0);
		all |= a->flag;
		for (int j = i + 1; j < CX_NS_COUNT; j++) {
			const struct cx_ns *b = &cx_ns_table[j];

			assert_string_not_equal(a->name, b->name);
			assert_string_not_equal(a->file, b->file);
			assert_string_not_equal(a->name, b->file);
			assert_string_not_equal(a->file, b->name);
		}
	}
	assert_int_equal(__builtin_popcount((unsigned)all), 8);
}

static void test_inode_self(void **state)
{
	char path[64];
	struct stat st;
	ino_t ino;

	(void)state;
	assert_int_equal(stat("/proc/self/ns/mnt", &st), 0);
	ino = 0;
	assert_int_equal(cx_ns_inode(0, "mnt", &ino), 0);
	assert_int_equal(ino, st.st_ino);
	/* pid 0 and our own pid name the same namespace */
	ino = 0;
	assert_int_equal(cx_ns_inode(getpid(), "mnt", &ino), 0);
	assert_int_equal(ino, st.st_ino);

	/* every kind this kernel has, by its table file */
	for (int i = 0; i < CX_NS_COUNT; i++) {
		snprintf(path, sizeof(path), "/proc/self/ns/%s",
			 cx_ns_table[i].file);
		if (stat(path, &st) < 0)
			continue;	/* e.g. no time namespaces before 5.6 */
		ino = 0;
		assert_int_equal(cx_ns_inode(0, cx_ns_table[i].file, &ino), 0);
		assert_int_equal(ino, st.st_ino);
		if (!cx_ns_table[i].child_file)
			continue;
		snprintf(path, sizeof(path), "/proc/self/ns/%s",
			 cx_ns_table[i].child_file);
		assert_int_equal(stat(path, &st), 0);
		ino = 0;
		assert_int_equal(cx_ns_inode(0, cx_ns_table[i].child_file,
					     &ino), 0);
		assert_int_equal(ino, st.st_ino);
	}
}

/* No process has pid INT_MAX (pid_max is at most 2^22). */
static void test_inode_bad_pid(void **state)
{
	char want_path[64];
	ino_t ino = 4242;

	(void)state;
	snprintf(want_path, sizeof(want_path), "/proc/%d/ns/mnt", INT_MAX);
	errno = 0;
	assert_int_equal(cx_ns_inode(INT_MAX, "mnt", &ino), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(cx_last_errno(), ENOENT);
	assert_non_null(strstr(cx_last_msg(), want_path));
	assert_int_equal(ino, 4242);

	/* a pid that existed: our reaped child */
	{
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0)
			_exit(0);
		assert_int_equal(waitpid(pid, NULL, 0), pid);
		snprintf(want_path, sizeof(want_path), "/proc/%d/ns/mnt",
			 (int)pid);
		/* unless the pid was reused at once */
		if (cx_ns_inode(pid, "mnt", &ino) < 0) {
			assert_int_equal(cx_last_errno(), ENOENT);
			assert_non_null(strstr(cx_last_msg(), want_path));
		}
	}
}

static void test_inode_bad_file(void **state)
{
	ino_t ino = 4242;

	(void)state;
	errno = 0;
	assert_int_equal(cx_ns_inode(0, "nosuch", &ino), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(cx_last_msg(), "/proc/self/ns/nosuch"));
	assert_int_equal(ino, 4242);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_entries),
		cmocka_unit_test(test_table_distinct),
		cmocka_unit_test(test_inode_self),
		cmocka_unit_test(test_inode_bad_pid),
		cmocka_unit_test(test_inode_bad_file),
	};

	return cmocka_run_group_tests_name("ns", tests, NULL, NULL);
}
