/* Unit tests for linux.seccomp's compiler (common/oci-seccomp.h): a
 * profile becomes a program the kernel takes, which then does what the
 * profile says to a child that loads it; every malformed profile is
 * refused with a message naming its place, and no descriptor is left
 * open. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "expect.h"

#include "die.h"
#include "oci-seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static json_t *doc_of(const char *seccomp)
{
	char text[2048];
	json_error_t err;
	json_t *doc;

	snprintf(text, sizeof(text), "{\"linux\": {\"seccomp\": %s}}", seccomp);
	doc = json_loads(text, 0, &err);
	if (!doc)
		fail_msg("bad test JSON: %s: %s", text, err.text);
	return doc;
}

/* The descriptors open now: none may be left by a call. */
static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 256; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

#define PROFILE \
	"{\"defaultAction\": \"SCMP_ACT_ALLOW\"," \
	" \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]," \
	" \"syscalls\": [" \
	"  {\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}," \
	"  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\"," \
	"   \"args\": [{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]}," \
	"  {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}," \
	"  {\"names\": [\"no_such_call_in_any_kernel\"], \"action\": \"SCMP_ACT_KILL\"}]}"

static void test_compiled_and_loaded(void **state)
{
	json_t *doc = doc_of(PROFILE);
	unsigned flags = 99;
	int before = open_fds(), fd, status;
	struct stat st;
	pid_t child;

	(void)state;
	fd = cx_oci_seccomp(doc, &flags);
	assert_true(fd >= 0);
	assert_int_equal(flags, 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(st.st_size > 0 && st.st_size % 8 == 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char dir[64];
		FILE *f;
		char line[128];
		int seccomp = -1;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    cx_oci_seccomp_load(fd, 0) < 0)
			_exit(10);
		if (fcntl(fd, F_GETFD) >= 0)
			_exit(11);	/* load closes it */
		snprintf(dir, sizeof(dir), "/tmp/cx-test-oci.%d", (int)getpid());
		if (mkdir(dir, 0700) == 0 || errno != ENOSYS)
			_exit(12);
		if (personality(8) != -1 || errno != EPERM)
			_exit(13);
		f = fopen("/proc/self/status", "r");
		while (f && fgets(line, sizeof(line), f))
			sscanf(line, "Seccomp: %d", &seccomp);
		_exit(seccomp == 2 ? 0 : 14);
	}
	close(fd);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(open_fds(), before);
	json_decref(doc);
}

static void test_no_filter(void **state)
{
	json_t *doc = json_loads("{\"linux\": {}}", 0, NULL);
	unsigned flags;

	(void)state;
	assert_int_equal(cx_oci_seccomp(doc, &flags), -1);
	json_decref(doc);
	doc = json_loads("{\"linux\": {\"seccomp\": null}}", 0, NULL);
	assert_int_equal(cx_oci_seccomp(doc, &flags), -1);
	json_decref(doc);
}

static void test_flags(void **state)
{
	json_t *doc = doc_of("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": "
			     "[\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]}");
	unsigned flags;
	int fd;

	(void)state;
	fd = cx_oci_seccomp(doc, &flags);
	assert_true(fd >= 0);
	assert_int_equal(flags, 2 | 4);
	close(fd);
	json_decref(doc);
}

static const struct bad {
	const char *seccomp, *msg;
} bad[] = {
	{ "[]", "linux.seccomp: must be an object" },
	{ "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "SCMP_ACT_NOTIFY" },
	{ "{\"defaultAction\": \"SCMP_ACT_MAYBE\"}", "unknown action 'SCMP_ACT_MAYBE'" },
	{ "{}", "defaultAction: missing" },
	{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 5000}", "errnoRet 5000" },
	{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/x\"}", "listenerPath" },
	{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_PDP11\"]}", "SCMP_ARCH_PDP11 is not known" },
	{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"x86_64\"]}", "no SCMP_ARCH_ name" },
	{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}", "unknown flag" },
	{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": \"mkdir\", \"action\": \"SCMP_ACT_ERRNO\"}]}", "names: must be a list" },
	{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"]}]}", "syscalls[].action: missing" },
	{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\","
	  " \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}", "args[].index: 0 to 5" },
	{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\","
	  " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_ABOUT\"}]}]}", "unknown operator 'SCMP_CMP_ABOUT'" },
};

static void test_refused(void **state)
{
	int before = open_fds();

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		json_t *doc = doc_of(bad[i].seccomp);
		unsigned flags;
		int fd = cx_oci_seccomp(doc, &flags);

		EXPECT(fd == -2, "%s: %d, want -2", bad[i].seccomp, fd);
		EXPECT(strstr(cx_last_msg(), bad[i].msg),
		       "%s: said '%s', want '%s'", bad[i].seccomp, cx_last_msg(), bad[i].msg);
		if (fd >= 0)
			close(fd);
		json_decref(doc);
	}
	EXPECT(open_fds() == before, "a refusal left a descriptor open");
	done();
}

static void test_not_a_program(void **state)
{
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	close(p[1]);
	assert_int_equal(cx_oci_seccomp_load(p[0], 0), -1);
	assert_non_null(strstr(cx_last_msg(), "no program"));
	assert_int_equal(fcntl(p[0], F_GETFD), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compiled_and_loaded),
		cmocka_unit_test(test_no_filter),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_not_a_program),
	};

	cx_init("test-oci");
	return cmocka_run_group_tests_name("oci", tests, NULL, NULL);
}
