/* Unit tests for common/mountinfo.c: one line parsed (fields, the
 * optional ones, the octal escapes, what is refused), a whole text
 * parsed with bad lines left out, the lookup by id, the depth of a
 * mount below another, and the real table.  No root needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mountinfo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each of LINES must be refused with EINVAL. */
static void assert_refused(const char *const *lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *line = strdup(lines[i]);
		struct cx_mountinfo m;

		assert_non_null(line);
		errno = 0;
		assert_int_equal(cx_mountinfo_parse_line(line, &m), -1);
		assert_int_equal(errno, EINVAL);
		free(line);
	}
}

static void mountinfo_plain(void **state)
{
	char line[] = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n";
	struct cx_mountinfo m;

	(void)state;
	assert_int_equal(cx_mountinfo_parse_line(line, &m), 0);
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
	assert_int_equal(cx_mountinfo_parse_line(line, &m), 0);
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
	assert_int_equal(cx_mountinfo_parse_line(line, &m), 0);
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
	assert_int_equal(cx_mountinfo_parse_line(line, &m), 0);
	assert_string_equal(m.root, "/a b");
	assert_string_equal(m.mountpoint, "/x\ty\nz\\w - v");
	assert_string_equal(m.optional, "");
	assert_string_equal(m.source, "my src");
	/* Not an escape: left as it is. */
	char line2[] = "7 1 0:5 / /p\\9q\\04 rw - tmpfs t rw";

	assert_int_equal(cx_mountinfo_parse_line(line2, &m), 0);
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
	assert_refused(bad, sizeof(bad) / sizeof(*bad));
}

static void mountinfo_each_escape(void **state)
{
	/* Each escape the kernel writes, alone, in each unescaped field. */
	static const struct {
		const char *raw, *text;
	} cases[] = {
		{ "\\040", " " }, { "\\011", "\t" }, { "\\012", "\n" },
		{ "\\134", "\\" }, { "a\\134040", "a\\040" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const char *r = cases[i].raw;
		char line[256], want[64];
		struct cx_mountinfo m;

		snprintf(line, sizeof(line), "1 2 3:4 /r%s /m%s rw - t%s s%s rw",
			 r, r, r, r);
		assert_int_equal(cx_mountinfo_parse_line(line, &m), 0);
		snprintf(want, sizeof(want), "/r%s", cases[i].text);
		assert_string_equal(m.root, want);
		snprintf(want, sizeof(want), "/m%s", cases[i].text);
		assert_string_equal(m.mountpoint, want);
		snprintf(want, sizeof(want), "t%s", cases[i].text);
		assert_string_equal(m.fstype, want);
		snprintf(want, sizeof(want), "s%s", cases[i].text);
		assert_string_equal(m.source, want);
	}
}

static void mountinfo_options_keep_escapes(void **state)
{
	/* An escaped comma in an option's value must not split the list. */
	char line[] = "1 2 3:4 / /m rw\\054x - t s rw,lowerdir=/a\\054b";
	struct cx_mountinfo m;

	(void)state;
	assert_int_equal(cx_mountinfo_parse_line(line, &m), 0);
	assert_string_equal(m.options, "rw\\054x");
	assert_string_equal(m.superopts, "rw,lowerdir=/a\\054b");
	assert_false(cx_mountinfo_has(m.superopts, "b"));
}

static void mountinfo_device(void **state)
{
	static const char *const bad[] = {
		"1 2 98 / /m rw - t s rw",
		"1 2 98: / /m rw - t s rw",
		"1 2 :0 / /m rw - t s rw",
		"1 2 a:b / /m rw - t s rw",
		"1 2 -1:0 / /m rw - t s rw",
		"1 2 1:2x / /m rw - t s rw",
		"1 2 4294967296:0 / /m rw - t s rw",
	};
	char line[] = "36 35 98:4294967295 / /m rw - t s rw";
	struct cx_mountinfo m;

	(void)state;
	assert_int_equal(cx_mountinfo_parse_line(line, &m), 0);
	assert_int_equal(m.major, 98);
	assert_int_equal(m.minor, 4294967295u);
	assert_refused(bad, sizeof(bad) / sizeof(*bad));
}

static void mountinfo_too_few_fields(void **state)
{
	/* The good line cut short before each of its spaces. */
	static const char good[] =
		"36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw";

	(void)state;
	for (const char *sp = good; (sp = strchr(sp, ' ')) != NULL; sp++) {
		char *cut = strndup(good, (size_t)(sp - good));
		const char *one[] = { cut };

		assert_non_null(cut);
		assert_refused(one, 1);
		free(cut);
	}
}

static void mountinfo_no_separator(void **state)
{
	static const char *const bad[] = {
		"36 35 98:0 / /a rw shared:1 ext3 /dev/root rw",
		"36 35 98:0 / /a rw shared:1 -- ext3 /dev/root rw",
		"36 35 98:0 / /a rw shared:1 -ext3 /dev/root rw",
		"36 35 98:0 / /a\\040-\\040b rw ext3 /dev/root rw",
	};

	(void)state;
	assert_refused(bad, sizeof(bad) / sizeof(*bad));
}

static void mountinfo_long_line(void **state)
{
	/* A mount point of 64 KiB, every other byte an escaped space,
	 * inside a table, between two ordinary lines. */
	enum { PARTS = 16384 };
	size_t cap = PARTS * 5 + 256;
	char *text = malloc(cap), *p = text;
	struct cx_mountinfo_table t;

	(void)state;
	assert_non_null(text);
	p += sprintf(p, "1 1 0:1 / / rw - ext4 /dev/sda rw\n7 1 0:5 / /");
	for (int i = 0; i < PARTS; i++)
		p += sprintf(p, "x\\040");
	sprintf(p, " rw shared:3 - tmpfs tmpfs rw\n8 7 0:6 / /z rw - proc proc rw\n");
	assert_int_equal(cx_mountinfo_parse(text, &t), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.bad, 0);
	assert_int_equal(strlen(t.m[1].mountpoint), 1 + 2 * PARTS);
	assert_memory_equal(t.m[1].mountpoint, "/x x x ", 7);
	assert_true(cx_mountinfo_tagged(&t.m[1], "shared"));
	assert_string_equal(t.m[2].mountpoint, "/z");
	cx_mountinfo_free(&t);
	free(text);
}

static const char table[] =
	"21 1 0:20 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"\n"
	"30 21 0:25 / /srv\\040data rw shared:4 master:1 - tmpfs tmpfs rw\n"
	"not a mountinfo line\n"
	"31 30 0:26 / /srv\\040data ro - tmpfs top rw\n"
	"36 35 98:0 / /mnt2 rw - ext3 /dev/root rw";	/* no final newline */

static void parse_table(void **state)
{
	struct cx_mountinfo_table t;

	(void)state;
	assert_int_equal(cx_mountinfo_parse(table, &t), 0);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.bad, 1);
	assert_int_equal(t.m[0].id, 21);
	assert_int_equal(t.m[1].id, 30);
	assert_int_equal(t.m[2].id, 31);
	assert_int_equal(t.m[3].id, 36);
	assert_string_equal(t.m[3].superopts, "rw");
	cx_mountinfo_free(&t);
	assert_null(t.m);
	assert_int_equal(t.n, 0);

	assert_int_equal(cx_mountinfo_parse("", &t), 0);
	assert_int_equal(t.n, 0);
	assert_int_equal(t.bad, 0);
	cx_mountinfo_free(&t);
}

static void find_by_id(void **state)
{
	struct cx_mountinfo_table t;
	const struct cx_mountinfo *m;

	(void)state;
	assert_int_equal(cx_mountinfo_parse(table, &t), 0);
	m = cx_mountinfo_find(&t, 30);
	assert_non_null(m);
	assert_string_equal(m->source, "tmpfs");
	assert_null(cx_mountinfo_find(&t, 35));	/* a parent, not a mount */
	assert_null(cx_mountinfo_find(&t, 0));
	/* Two stacked on one escaped path: each found by its own id. */
	m = cx_mountinfo_find(&t, 31);
	assert_non_null(m);
	assert_string_equal(m->mountpoint, "/srv data");
	assert_string_equal(m->source, "top");
	cx_mountinfo_free(&t);
}

static void optional_tags(void **state)
{
	struct cx_mountinfo m = {
		.optional = (char *)"shared:4 master:1 propagate_from:2 unbindable",
	};
	struct cx_mountinfo none = { .optional = (char *)"" };

	(void)state;
	assert_true(cx_mountinfo_tagged(&m, "shared"));
	assert_true(cx_mountinfo_tagged(&m, "master"));
	assert_true(cx_mountinfo_tagged(&m, "propagate_from"));
	assert_true(cx_mountinfo_tagged(&m, "unbindable"));
	assert_false(cx_mountinfo_tagged(&m, "share"));
	assert_false(cx_mountinfo_tagged(&m, "bindable"));
	assert_false(cx_mountinfo_tagged(&m, "4"));
	assert_false(cx_mountinfo_tagged(&none, "shared"));
	m.optional = (char *)"sharedx:1 unbindable:2";
	assert_false(cx_mountinfo_tagged(&m, "shared"));
	assert_true(cx_mountinfo_tagged(&m, "unbindable"));
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
	struct cx_mountinfo_table t = { .m = m, .n = sizeof(m) / sizeof(*m) };

	(void)state;
	assert_int_equal(cx_mountinfo_depth(&t, 2, 2), 0);
	assert_int_equal(cx_mountinfo_depth(&t, 3, 2), 1);
	assert_int_equal(cx_mountinfo_depth(&t, 4, 2), 2);
	assert_int_equal(cx_mountinfo_depth(&t, 5, 2), -1);
	assert_int_equal(cx_mountinfo_depth(&t, 1, 2), -1);
	assert_int_equal(cx_mountinfo_depth(&t, 9, 2), -1);
	assert_int_equal(cx_mountinfo_depth(&t, 4, 1), 3);
	assert_int_equal(cx_mountinfo_depth(&t, 7, 1), -1);
	assert_ptr_equal(cx_mountinfo_find(&t, 3), &m[2]);
	assert_null(cx_mountinfo_find(&t, 7));
}

static void depth_loop(void **state)
{
	/* A parent loop (never in a real table) must end. */
	struct cx_mountinfo m[] = {
		{ .id = 1, .parent = 2 }, { .id = 2, .parent = 1 },
	};
	struct cx_mountinfo_table t = { .m = m, .n = 2 };

	(void)state;
	assert_int_equal(cx_mountinfo_depth(&t, 1, 3), -1);
}

static void read_self(void **state)
{
	/* Our own table: every mount but the root has its parent in it,
	 * and "/" is there. */
	struct cx_mountinfo_table t;
	int slash = 0;

	(void)state;
	assert_int_equal(cx_mountinfo_read(&t), 0);
	assert_true(t.n > 0);
	for (size_t i = 0; i < t.n; i++)
		slash |= strcmp(t.m[i].mountpoint, "/") == 0;
	assert_true(slash);
	cx_mountinfo_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mountinfo_plain),
		cmocka_unit_test(mountinfo_no_optional),
		cmocka_unit_test(mountinfo_several_optional),
		cmocka_unit_test(mountinfo_escapes),
		cmocka_unit_test(mountinfo_each_escape),
		cmocka_unit_test(mountinfo_options_keep_escapes),
		cmocka_unit_test(mountinfo_device),
		cmocka_unit_test(mountinfo_bad),
		cmocka_unit_test(mountinfo_too_few_fields),
		cmocka_unit_test(mountinfo_no_separator),
		cmocka_unit_test(mountinfo_long_line),
		cmocka_unit_test(options_lookup),
		cmocka_unit_test(optional_tags),
		cmocka_unit_test(parse_table),
		cmocka_unit_test(find_by_id),
		cmocka_unit_test(depth_below),
		cmocka_unit_test(depth_loop),
		cmocka_unit_test(read_self),
	};

	return cmocka_run_group_tests_name("mountinfo", tests, NULL, NULL);
}
