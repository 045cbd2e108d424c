/* Unit tests for common/bind.c: the SOURCE:TARGET pair parser, the
 * OPTIONS of a pair, the check of a mount's flags against the real
 * mountinfo (the parser itself: test-mountinfo.c), and the refusals of
 * cx_mount_found_again (common/mount.c) where no new mount is.  No
 * root needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bind.h"

#include "die.h"
#include "mount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

static const struct {
	const char *in, *source, *target;
} good_pairs[] = {
	{ "/srv:/mnt", "/srv", "/mnt" },
	{ "a:b", "a", "b" },
	{ "/host/data:rootfs/var/data", "/host/data", "rootfs/var/data" },
	{ "/a\\:b:/c", "/a:b", "/c" },
	{ "/a:/c\\:d\\:e", "/a", "/c:d:e" },
	{ "/a\\\\:/c", "/a\\", "/c" },		/* "\\" then the separator */
	{ "/a\\b:/c", "/a\\b", "/c" },		/* other backslashes stay */
	{ "/with space:/x y", "/with space", "/x y" },
	{ "/a:/c\\", "/a", "/c\\" },		/* a trailing backslash */
};

static void pair_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good_pairs) / sizeof(*good_pairs); i++) {
		char *source = NULL, *target = NULL;

		assert_int_equal(cx_bind_pair_parse(good_pairs[i].in, &source,
						    &target, NULL), 0);
		assert_string_equal(source, good_pairs[i].source);
		assert_string_equal(target, good_pairs[i].target);
		free(source);
	}
}

static const char *const bad_pairs[] = {
	"", ":", "/a", "/a:", ":/b", "/a:/b:/c", "/a\\:/b", "a::b",
	"\\:", "/a\\\\\\:/b",
};

static void pair_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_pairs) / sizeof(*bad_pairs); i++) {
		char *source = (char *)"untouched", *target = source;

		errno = 0;
		assert_int_equal(cx_bind_pair_parse(bad_pairs[i], &source,
						    &target, NULL), -1);
		assert_int_equal(errno, EINVAL);
		assert_string_equal(source, "untouched");
	}
}

static void pair_options(void **state)
{
	static const struct {
		const char *in, *source, *target, *opts;
	} cases[] = {
		{ "/a:/b", "/a", "/b", NULL },
		{ "/a:/b:ro", "/a", "/b", "ro" },
		{ "/a\\:x:/b:ro,dev", "/a:x", "/b", "ro,dev" },
		{ "/a:/b\\:c:rec", "/a", "/b:c", "rec" },
	};
	static const char *const bad[] = {
		"/a:/b:", "/a::ro", "/a:/b:ro:x", ":/b:ro", "/a",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *source, *target, *opts = (char *)"untouched";

		assert_int_equal(cx_bind_pair_parse(cases[i].in, &source,
						    &target, &opts), 0);
		assert_string_equal(source, cases[i].source);
		assert_string_equal(target, cases[i].target);
		if (cases[i].opts)
			assert_string_equal(opts, cases[i].opts);
		else
			assert_null(opts);
		free(source);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *source, *target, *opts;

		errno = 0;
		assert_int_equal(cx_bind_pair_parse(bad[i], &source, &target,
						    &opts), -1);
		assert_int_equal(errno, EINVAL);
	}
}

static void bind_options(void **state)
{
	struct cx_bind_opts o;
	static const char *const bad[] = {
		"", ",", "ro,", ",ro", "ro,rw", "rec,norec", "dev,nodev",
		"readonly", "RO", "ro,,dev", "suid,nosuid", "exec,noexec",
	};

	(void)state;
	assert_int_equal(cx_bind_opts_parse("ro", &o), 0);
	assert_int_equal(o.set, MOUNT_ATTR_RDONLY);
	assert_int_equal(o.clear, 0);
	assert_int_equal(o.rec, -1);
	assert_int_equal(cx_bind_opts_parse("dev,suid,exec,rw,norec", &o), 0);
	assert_int_equal(o.set, 0);
	assert_int_equal(o.clear, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID |
				  MOUNT_ATTR_NOEXEC | MOUNT_ATTR_RDONLY);
	assert_int_equal(o.rec, 0);
	assert_int_equal(cx_bind_opts_parse("ro,ro,rec,nodev,nosuid,noexec", &o), 0);
	assert_int_equal(o.set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV |
				MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	assert_int_equal(o.rec, 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		errno = 0;
		assert_int_equal(cx_bind_opts_parse(bad[i], &o), -1);
		assert_int_equal(errno, EINVAL);
	}
}

static void verify_against_mountinfo(void **state)
{
	/* The check reads the real table: "/" is not read-only here, so
	 * asking for ro must fail, naming the mount, and asking for
	 * nothing must pass. */
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct statvfs sv;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(fstatvfs(fd, &sv), 0);
	if (sv.f_flag & ST_RDONLY) {
		close(fd);
		skip();
	}
	assert_int_equal(cx_bind_verify(fd, 0, false, "/"), 0);
	assert_int_equal(cx_bind_verify(fd, MOUNT_ATTR_RDONLY, false, "/"), -1);
	assert_string_equal(cx_last_msg(), "verify /: the mount on / is not ro");
	assert_int_equal(cx_bind_verify(fd, MOUNT_ATTR_RDONLY, true, "/"), -1);
	close(fd);
}

/* After mount(2), the new mount is found again only when it is there:
 * a directory with nothing mounted on it, or one removed since, gives
 * a refusal that names the path, never the directory itself. */
static void found_again_needs_a_new_mount(void **state)
{
	char dir[] = "/tmp/cx-test-bind.XXXXXX", want[256];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(cx_mount_found_again(fd, "T"), -1);
	snprintf(want, sizeof(want),
		 "mount on T: the new mount cannot be found again at %s; it may still be mounted there",
		 dir);
	assert_string_equal(cx_last_msg(), want);
	assert_int_equal(rmdir(dir), 0);
	snprintf(want, sizeof(want),
		 "mount on T: the new mount cannot be found again at %s (deleted); it may still be mounted there",
		 dir);
	assert_int_equal(cx_mount_found_again(fd, "T"), -1);
	assert_string_equal(cx_last_msg(), want);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pair_good),
		cmocka_unit_test(pair_bad),
		cmocka_unit_test(pair_options),
		cmocka_unit_test(bind_options),
		cmocka_unit_test(verify_against_mountinfo),
		cmocka_unit_test(found_again_needs_a_new_mount),
	};

	return cmocka_run_group_tests_name("bind", tests, NULL, NULL);
}
