/* Unit tests for the pure parts of common/bind.c: the SOURCE:TARGET pair
 * parser, the mountinfo line parser, the option lookup and the depth of
 * a mount below another.  No root needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bind.h"

#include "die.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

static void mountinfo_plain(void **state)
{
	char line[] = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n";
	struct cx_mountinfo m;

	(void)state;
	assert_int_equal(cx_mountinfo_parse(line, &m), 0);
	assert_int_equal(m.id, 36);
	assert_int_equal(m.parent, 35);
	assert_string_equal(m.root, "/mnt1");
	assert_string_equal(m.mountpoint, "/mnt2");
	assert_string_equal(m.options, "rw,noatime");
	assert_string_equal(m.optional, "master:1");
	assert_string_equal(m.fstype, "ext3");
	assert_string_equal(m.source, "/dev/root");
	assert_string_equal(m.superopts, "rw,errors=continue");
}

static void mountinfo_no_optional(void **state)
{
	char line[] = "105 42 254:0 /tmp/src /tmp/tgt ro,nosuid,nodev,relatime - ext4 /dev/vda rw";
	struct cx_mountinfo m;

	(void)state;
	assert_int_equal(cx_mountinfo_parse(line, &m), 0);
	assert_int_equal(m.id, 105);
	assert_string_equal(m.optional, "");
	assert_string_equal(m.fstype, "ext4");
	assert_string_equal(m.superopts, "rw");
}

static void mountinfo_several_optional(void **state)
{
	char line[] = "1 2 0:5 / /a rw shared:4 master:1 propagate_from:2 unbindable - tmpfs t rw\n";
	struct cx_mountinfo m;

	(void)state;
	assert_int_equal(cx_mountinfo_parse(line, &m), 0);
	assert_string_equal(m.optional,
			    "shared:4 master:1 propagate_from:2 unbindable");
	assert_string_equal(m.fstype, "tmpfs");
	assert_string_equal(m.source, "t");
}

static void mountinfo_escapes(void **state)
{
	/* The kernel escapes space, tab, newline and backslash in paths;
	 * a " - " inside a path is therefore "\040-\040". */
	char line[] = "7 1 0:5 /a\\040b /x\\011y\\012z\\134w\\040-\\040v rw - tmpfs my\\040src rw\n";
	struct cx_mountinfo m;

	(void)state;
	assert_int_equal(cx_mountinfo_parse(line, &m), 0);
	assert_string_equal(m.root, "/a b");
	assert_string_equal(m.mountpoint, "/x\ty\nz\\w - v");
	assert_string_equal(m.optional, "");
	assert_string_equal(m.source, "my src");
	/* Not an escape: left as it is. */
	char line2[] = "7 1 0:5 / /p\\9q\\04 rw - tmpfs t rw";

	assert_int_equal(cx_mountinfo_parse(line2, &m), 0);
	assert_string_equal(m.mountpoint, "/p\\9q\\04");
}

static void mountinfo_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"36 35 98:0 /mnt1 /mnt2 rw",
		"36 35 98:0 /mnt1 /mnt2 rw master:1 ext3 /dev/root rw",
		"x 35 98:0 / /a rw - ext3 /dev/root rw",
		"36 -1 98:0 / /a rw - ext3 /dev/root rw",
		"36 35 98:0 / /a rw - ext3 /dev/root",
		"36 35 98:0 / /a rw -",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *line = strdup(bad[i]);
		struct cx_mountinfo m;

		errno = 0;
		assert_int_equal(cx_mountinfo_parse(line, &m), -1);
		assert_int_equal(errno, EINVAL);
		free(line);
	}
}

static void options_lookup(void **state)
{
	(void)state;
	assert_true(cx_mountinfo_has("ro,nosuid,nodev,relatime", "ro"));
	assert_true(cx_mountinfo_has("ro,nosuid,nodev,relatime", "nodev"));
	assert_true(cx_mountinfo_has("ro,nosuid,nodev,relatime", "relatime"));
	assert_false(cx_mountinfo_has("rw,nosuid", "ro"));
	assert_false(cx_mountinfo_has("rw,nosuidx", "nosuid"));
	assert_false(cx_mountinfo_has("rw,xnosuid", "nosuid"));
	assert_false(cx_mountinfo_has("", "ro"));
	assert_false(cx_mountinfo_has("rw,nodev", "dev"));
}

static void depth_below(void **state)
{
	/* 1 is the root (its own parent); 2 and 5 below it; 3 below 2; 4
	 * below 3; 9's parent is outside our view. */
	struct cx_mountinfo m[] = {
		{ .id = 1, .parent = 1 }, { .id = 2, .parent = 1 },
		{ .id = 3, .parent = 2 }, { .id = 4, .parent = 3 },
		{ .id = 5, .parent = 1 }, { .id = 9, .parent = 8 },
	};
	struct cx_mounts t = { m, sizeof(m) / sizeof(*m), NULL };

	(void)state;
	assert_int_equal(cx_mounts_depth_below(&t, 2, 2), 0);
	assert_int_equal(cx_mounts_depth_below(&t, 3, 2), 1);
	assert_int_equal(cx_mounts_depth_below(&t, 4, 2), 2);
	assert_int_equal(cx_mounts_depth_below(&t, 5, 2), -1);
	assert_int_equal(cx_mounts_depth_below(&t, 1, 2), -1);
	assert_int_equal(cx_mounts_depth_below(&t, 9, 2), -1);
	assert_int_equal(cx_mounts_depth_below(&t, 4, 1), 3);
	assert_int_equal(cx_mounts_depth_below(&t, 7, 1), -1);
	assert_ptr_equal(cx_mounts_find(&t, 3), &m[2]);
	assert_null(cx_mounts_find(&t, 7));
}

static void depth_loop(void **state)
{
	/* A parent loop (never in a real table) must end. */
	struct cx_mountinfo m[] = {
		{ .id = 1, .parent = 2 }, { .id = 2, .parent = 1 },
	};
	struct cx_mounts t = { m, 2, NULL };

	(void)state;
	assert_int_equal(cx_mounts_depth_below(&t, 1, 3), -1);
}

static void mounts_read_self(void **state)
{
	/* Our own table: every mount but the root has its parent in it,
	 * and "/" is there. */
	struct cx_mounts t;
	int slash = 0;

	(void)state;
	assert_int_equal(cx_mounts_read(&t), 0);
	assert_true(t.n > 0);
	for (size_t i = 0; i < t.n; i++)
		slash |= strcmp(t.m[i].mountpoint, "/") == 0;
	assert_true(slash);
	cx_mounts_free(&t);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pair_good),
		cmocka_unit_test(pair_bad),
		cmocka_unit_test(pair_options),
		cmocka_unit_test(bind_options),
		cmocka_unit_test(mountinfo_plain),
		cmocka_unit_test(mountinfo_no_optional),
		cmocka_unit_test(mountinfo_several_optional),
		cmocka_unit_test(mountinfo_escapes),
		cmocka_unit_test(mountinfo_bad),
		cmocka_unit_test(options_lookup),
		cmocka_unit_test(depth_below),
		cmocka_unit_test(depth_loop),
		cmocka_unit_test(mounts_read_self),
		cmocka_unit_test(verify_against_mountinfo),
	};

	return cmocka_run_group_tests_name("bind", tests, NULL, NULL);
}
