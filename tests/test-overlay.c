/* Unit tests for cx-overlay's pure parts and layer reading: the OCI
 * whiteout names, layer member paths, symlinks inside an archive,
 * --lower lists and their escaping, digests, the JSON reader, and the
 * lower-stack lookup, listing and diff over a real tree (with the
 * user.overlay.* forms, so that no root is needed), and the removal of
 * a tree deeper than the descriptor limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "die.h"
#include "overlay.h"
#include "overlay-layer.h"
#include "overlay-stage.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define N(a) (sizeof(a) / sizeof(*(a)))

/* --- whiteout names --------------------------------------------------- */

static const struct {
	const char *base;
	enum cx_wh kind;
	const char *name;
} wh_cases[] = {
	{ "passwd", CX_WH_NONE, NULL },
	{ ".wh", CX_WH_NONE, NULL },
	{ ".whx", CX_WH_NONE, NULL },
	{ "a.wh.b", CX_WH_NONE, NULL },
	{ ".wh.passwd", CX_WH_FILE, "passwd" },
	{ ".wh..hidden", CX_WH_FILE, ".hidden" },
	{ ".wh...x", CX_WH_FILE, "..x" },
	{ ".wh..wh..opq", CX_WH_OPAQUE, NULL },
	{ ".wh..wh.plnk", CX_WH_AUFS, NULL },
	{ ".wh..wh.aufs", CX_WH_AUFS, NULL },
	{ ".wh..wh..opqx", CX_WH_AUFS, NULL },
	{ ".wh.", CX_WH_BAD, NULL },
	{ ".wh..", CX_WH_BAD, NULL },
	{ ".wh...", CX_WH_BAD, NULL },
};

static void wh_classify(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(wh_cases); i++) {
		const char *name = NULL;

		assert_int_equal(cx_wh_classify(wh_cases[i].base, &name),
				 wh_cases[i].kind);
		if (wh_cases[i].name)
			assert_string_equal(name, wh_cases[i].name);
	}
}

static void wh_name(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(cx_wh_name("passwd", buf, sizeof(buf)), 0);
	assert_string_equal(buf, ".wh.passwd");
	assert_int_equal(cx_wh_classify(buf, NULL), CX_WH_FILE);
	errno = 0;
	assert_int_equal(cx_wh_name("a/b", buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(cx_wh_name("..", buf, sizeof(buf)), -1);
	assert_int_equal(cx_wh_name("", buf, sizeof(buf)), -1);
	assert_int_equal(cx_wh_name("a-name-too-long", buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENAMETOOLONG);
}

/* --- member paths ----------------------------------------------------- */

static const struct {
	const char *in, *out;
} clean_good[] = {
	{ "etc/passwd", "etc/passwd" },
	{ "./etc/passwd", "etc/passwd" },
	{ "etc//passwd", "etc/passwd" },
	{ "etc/./passwd", "etc/passwd" },
	{ "etc/", "etc" },
	{ "./", "" },
	{ ".", "" },
	{ "", "" },
	{ "././a/.//b/.", "a/b" },
	{ "...", "..." },
	{ "..a/b..", "..a/b.." },
	{ "a/.wh.b", "a/.wh.b" },
};

static const char *const clean_bad[] = {
	"/etc/passwd", "/", "../x", "a/../../x", "a/..", "..", "./..",
	"a/b/../c",
};

static void clean_path(void **state)
{
	char out[PATH_MAX];

	(void)state;
	for (size_t i = 0; i < N(clean_good); i++) {
		assert_int_equal(cx_layer_clean_path(clean_good[i].in, out,
						     sizeof(out)), 0);
		assert_string_equal(out, clean_good[i].out);
	}
	for (size_t i = 0; i < N(clean_bad); i++) {
		errno = 0;
		assert_int_equal(cx_layer_clean_path(clean_bad[i], out,
						     sizeof(out)), -1);
		assert_int_equal(errno, EINVAL);
	}
	errno = 0;
	assert_int_equal(cx_layer_clean_path("abc/def", out, 5), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_int_equal(cx_layer_clean_path("abc/d", out, 6), 0);
	assert_string_equal(out, "abc/d");
}

static void split_path(void **state)
{
	char a[] = "etc/ssl/certs", b[] = "top";
	const char *dir, *base;

	(void)state;
	cx_layer_split(a, &dir, &base);
	assert_string_equal(dir, "etc/ssl");
	assert_string_equal(base, "certs");
	cx_layer_split(b, &dir, &base);
	assert_string_equal(dir, "");
	assert_string_equal(base, "top");
}

static const struct {
	const char *from, *target, *out;
} links_good[] = {
	{ "abc/layer.tar", "../def/layer.tar", "def/layer.tar" },
	{ "a/b/c", "d", "a/b/d" },
	{ "a/b/c", "./d/../e", "a/b/e" },
	{ "top", "other", "other" },
	{ "a/b", "/x/y", "x/y" },
	{ "a/b", "..", "" },
};

static const struct {
	const char *from, *target;
} links_bad[] = {
	{ "a/b", "../../x" },
	{ "top", "../x" },
	{ "a/b", "/../x" },
};

static void resolve_link(void **state)
{
	char out[PATH_MAX];

	(void)state;
	for (size_t i = 0; i < N(links_good); i++) {
		assert_int_equal(cx_layer_resolve_link(links_good[i].from,
						       links_good[i].target, out,
						       sizeof(out)), 0);
		assert_string_equal(out, links_good[i].out);
	}
	for (size_t i = 0; i < N(links_bad); i++) {
		errno = 0;
		assert_int_equal(cx_layer_resolve_link(links_bad[i].from,
						       links_bad[i].target, out,
						       sizeof(out)), -1);
		assert_int_equal(errno, EINVAL);
	}
}

/* --- lower lists ------------------------------------------------------ */

static const struct {
	const char *in;
	size_t n;
	const char *dirs[4];
} lower_good[] = {
	{ "a", 1, { "a" } },
	{ "a:b:c", 3, { "a", "b", "c" } },
	{ "/x/y:/z", 2, { "/x/y", "/z" } },
	{ "a\\:b:c", 2, { "a:b", "c" } },
	{ "a\\\\:b", 2, { "a\\", "b" } },
	{ "a\\b:c", 2, { "a\\b", "c" } },	/* other backslashes stay */
	{ "a\\", 1, { "a\\" } },
	{ "with space,comma:x", 2, { "with space,comma", "x" } },
};

static const char *const lower_bad[] = { "", ":", "a:", ":a", "a::b" };

static void lower_split(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(lower_good); i++) {
		size_t n = 0;
		char **d = cx_lower_split(lower_good[i].in, &n);

		assert_non_null(d);
		assert_int_equal(n, lower_good[i].n);
		for (size_t k = 0; k < n; k++)
			assert_string_equal(d[k], lower_good[i].dirs[k]);
		assert_null(d[n]);
		cx_lower_free(d);
	}
	for (size_t i = 0; i < N(lower_bad); i++) {
		size_t n = 0;

		errno = 0;
		assert_null(cx_lower_split(lower_bad[i], &n));
		assert_int_equal(errno, EINVAL);
	}
}

static void lower_join(void **state)
{
	char *dirs[] = { "/a:b", "/c,d", "/e\\f", "/g" };
	char *s;

	(void)state;
	s = cx_lower_join(dirs, 4, ":");
	assert_string_equal(s, "/a\\:b:/c,d:/e\\\\f:/g");
	/* What join makes, split reads back. */
	{
		size_t n;
		char **back = cx_lower_split(s, &n);

		assert_int_equal(n, 4);
		for (size_t i = 0; i < n; i++)
			assert_string_equal(back[i], dirs[i]);
		cx_lower_free(back);
	}
	free(s);
	s = cx_lower_join(dirs, 4, ":,");
	assert_string_equal(s, "/a\\:b:/c\\,d:/e\\\\f:/g");
	free(s);
	s = cx_lower_join(dirs, 0, ":");
	assert_string_equal(s, "");
	free(s);
}

/* --- digests ---------------------------------------------------------- */

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void digest_path(void **state)
{
	static const char *const bad[] = {
		"", "sha256", "sha256:", "sha256:" HEX64 "0",
		"sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
		"sha256:../../../../etc/passwd",
		"sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde/",
		"md5:0123456789abcdef0123456789abcdef", "sha512:" HEX64,
		"SHA256:" HEX64, ":" HEX64,
	};
	char path[256];

	(void)state;
	assert_int_equal(cx_digest_path("sha256:" HEX64, path, sizeof(path)), 0);
	assert_string_equal(path, "blobs/sha256/" HEX64);
	assert_int_equal(cx_digest_path("sha512:" HEX64 HEX64, path,
					sizeof(path)), 0);
	assert_string_equal(path, "blobs/sha512/" HEX64 HEX64);
	for (size_t i = 0; i < N(bad); i++) {
		errno = 0;
		assert_int_equal(cx_digest_path(bad[i], path, sizeof(path)), -1);
		assert_int_equal(errno, EINVAL);
	}
}

/* --- the lower stack over a real tree --------------------------------- */

struct tree {
	char dir[64];
	int fd;
};

static void mkdirs(int at, const char *path)
{
	char buf[PATH_MAX], *p = buf;

	snprintf(buf, sizeof(buf), "%s", path);
	while ((p = strchr(p + 1, '/'))) {
		*p = '\0';
		mkdirat(at, buf, 0755);
		*p = '/';
	}
	assert_true(mkdirat(at, buf, 0755) == 0 || errno == EEXIST);
}

static void put(int at, const char *path, const char *text)
{
	char buf[PATH_MAX], *slash;
	int fd;

	snprintf(buf, sizeof(buf), "%s", path);
	slash = strrchr(buf, '/');
	if (slash) {
		*slash = '\0';
		mkdirs(at, buf);
	}
	fd = openat(at, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* The xattr forms, in the user. namespace: no privilege needed. */
static void xwhiteout(int at, const char *path)
{
	char p[PATH_MAX];

	put(at, path, "");
	snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", at, path);
	assert_int_equal(setxattr(p, "user.overlay.whiteout", "", 0, 0), 0);
}

static void opaque(int at, const char *path)
{
	char p[PATH_MAX];

	mkdirs(at, path);
	snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", at, path);
	assert_int_equal(setxattr(p, "user.overlay.opaque", "y", 1, 0), 0);
}

static int setup_tree(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	snprintf(t->dir, sizeof(t->dir), "/tmp/cx-test-overlay.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	t->fd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->fd >= 0);
	*state = t;
	return 0;
}

static int teardown_tree(void **state)
{
	struct tree *t = *state;
	char *slash = strrchr(t->dir, '/');
	int parent;

	*slash = '\0';
	parent = open(t->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(cx_remove_tree(parent, slash + 1), 0);
	close(parent);
	close(t->fd);
	free(t);
	return 0;
}

/* Three layers, topmost first:
 *   l0: etc/.wh form of etc/gone, etc/hosts (file), opt (opaque, new),
 *       var (a file where the layers below have a directory)
 *   l1: etc/gone, etc/only1, opt/old1, var/log/x
 *   l2: etc/passwd, etc/hosts, opt/old2, usr/bin/sh, var/lib/y */
static void build_lowers(struct tree *t, struct cx_lowers *l, int fds[3])
{
	static const char *const names[] = { "l0", "l1", "l2" };

	for (int i = 0; i < 3; i++)
		mkdirs(t->fd, names[i]);
	put(t->fd, "l2/etc/passwd", "root");
	put(t->fd, "l2/etc/hosts", "old");
	put(t->fd, "l2/opt/old2", "2");
	put(t->fd, "l2/usr/bin/sh", "sh");
	put(t->fd, "l2/var/lib/y", "y");
	put(t->fd, "l1/etc/gone", "g");
	put(t->fd, "l1/etc/only1", "1");
	put(t->fd, "l1/opt/old1", "1");
	put(t->fd, "l1/var/log/x", "x");
	put(t->fd, "l0/etc/hosts", "new");
	xwhiteout(t->fd, "l0/etc/gone");
	opaque(t->fd, "l0/opt");
	put(t->fd, "l0/opt/new", "n");
	put(t->fd, "l0/var", "file");
	for (int i = 0; i < 3; i++) {
		fds[i] = openat(t->fd, names[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		assert_true(fds[i] >= 0);
	}
	l->fds = fds;
	l->n = 3;
}

static void lowers_lookup(void **state)
{
	static const struct {
		const char *path;
		int found;
		off_t size;
	} cases[] = {
		{ "", 1, -1 },
		{ "etc", 1, -1 },
		{ "etc/passwd", 1, 4 },		/* only in the bottom layer */
		{ "etc/hosts", 1, 3 },		/* the top copy wins */
		{ "etc/gone", 0, 0 },		/* whited out in l0 */
		{ "etc/only1", 1, 1 },
		{ "etc/none", 0, 0 },
		{ "opt/new", 1, 1 },
		{ "opt/old1", 0, 0 },		/* below an opaque directory */
		{ "opt/old2", 0, 0 },
		{ "var", 1, 4 },		/* a file hides the directories */
		{ "var/log/x", 0, 0 },
		{ "var/lib/y", 0, 0 },
		{ "usr/bin/sh", 1, 2 },
		{ "usr/bin/sh/x", 0, 0 },
	};
	struct tree *t = *state;
	struct cx_lowers l;
	int fds[3];

	build_lowers(t, &l, fds);
	for (size_t i = 0; i < N(cases); i++) {
		struct stat st;
		int rc = cx_lowers_lookup(&l, cases[i].path, &st);

		if (rc != cases[i].found)
			fail_msg("lookup %s: %d, not %d", cases[i].path, rc,
				 cases[i].found);
		if (rc == 1 && cases[i].size >= 0)
			assert_int_equal(st.st_size, cases[i].size);
	}
	for (int i = 0; i < 3; i++)
		close(fds[i]);
}

static void lowers_list(void **state)
{
	static const struct {
		const char *dir;
		const char *names;
	} cases[] = {
		{ "", "etc opt usr var " },
		{ "etc", "hosts only1 passwd " },
		{ "opt", "new " },
		{ "usr/bin", "sh " },
		{ "nothing", "" },
	};
	struct tree *t = *state;
	struct cx_lowers l;
	int fds[3];

	build_lowers(t, &l, fds);
	for (size_t i = 0; i < N(cases); i++) {
		char got[256] = "";
		size_t n;
		char **names = cx_lowers_list(&l, cases[i].dir, &n);

		assert_non_null(names);
		for (size_t k = 0; k < n; k++) {
			strcat(got, names[k]);
			strcat(got, " ");
			free(names[k]);
		}
		assert_null(names[n]);
		free(names);
		assert_string_equal(got, cases[i].names);
	}
	for (int i = 0; i < 3; i++)
		close(fds[i]);
}

static int collect(void *ctx, char kind, const char *path)
{
	char *out = ctx;
	size_t n = strlen(out);

	snprintf(out + n, 1024 - n, "%c /%s\n", kind, path);
	return 0;
}

static void diff_tree(void **state)
{
	struct tree *t = *state;
	struct cx_lowers l;
	char out[1024] = "";
	struct stat st;
	int fds[3], upper;
	struct timespec keep[2];

	build_lowers(t, &l, fds);
	mkdirs(t->fd, "up");
	put(t->fd, "up/etc/hosts", "changed");	/* C */
	put(t->fd, "up/etc/added", "a");	/* A, and C for etc */
	xwhiteout(t->fd, "up/etc/passwd");	/* D */
	xwhiteout(t->fd, "up/etc/never");	/* hides nothing: not listed */
	put(t->fd, "up/newdir/sub/f", "f");	/* A for all three */
	opaque(t->fd, "up/opt");		/* C, D for opt/new */
	put(t->fd, "up/opt/mine", "m");		/* A */
	put(t->fd, "up/usr/bin/sh", "sh2");	/* C; usr/bin unchanged */
	/* usr and usr/bin copied up with the lower's mode and times: no C. */
	assert_int_equal(fstatat(t->fd, "l2/usr", &st, 0), 0);
	keep[0] = st.st_atim;
	keep[1] = st.st_mtim;
	assert_int_equal(utimensat(t->fd, "up/usr", keep, 0), 0);
	assert_int_equal(fstatat(t->fd, "l2/usr/bin", &st, 0), 0);
	keep[0] = st.st_atim;
	keep[1] = st.st_mtim;
	assert_int_equal(utimensat(t->fd, "up/usr/bin", keep, 0), 0);
	upper = openat(t->fd, "up", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(cx_ovl_diff(upper, &l, collect, out, "up"), 0);
	assert_string_equal(out,
			    "C /etc\n"
			    "A /etc/added\n"
			    "C /etc/hosts\n"
			    "D /etc/passwd\n"
			    "A /newdir\n"
			    "A /newdir/sub\n"
			    "A /newdir/sub/f\n"
			    "C /opt\n"
			    "A /opt/mine\n"
			    "D /opt/new\n"
			    "C /usr/bin/sh\n");
	close(upper);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
}

static void whiteout_forms(void **state)
{
	struct tree *t = *state;
	struct stat st;

	xwhiteout(t->fd, "xw");
	put(t->fd, "plain", "");
	put(t->fd, "data", "x");
	assert_int_equal(fstatat(t->fd, "xw", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(cx_ovl_is_whiteout(t->fd, "xw", &st), 1);
	assert_int_equal(fstatat(t->fd, "plain", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(cx_ovl_is_whiteout(t->fd, "plain", &st), 0);
	/* The xattr form is a zero-size file only. */
	{
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/data", t->dir);
		assert_int_equal(setxattr(p, "user.overlay.whiteout", "", 0, 0), 0);
	}
	assert_int_equal(fstatat(t->fd, "data", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(cx_ovl_is_whiteout(t->fd, "data", &st), 0);
	/* The device form needs CAP_MKNOD. */
	if (mknodat(t->fd, "cw", S_IFCHR, makedev(0, 0)) == 0) {
		assert_int_equal(fstatat(t->fd, "cw", &st, AT_SYMLINK_NOFOLLOW), 0);
		assert_int_equal(cx_ovl_is_whiteout(t->fd, "cw", &st), 1);
	}
	/* Opaque is "y" only; "x" marks a directory with xattr whiteouts. */
	opaque(t->fd, "o");
	mkdirs(t->fd, "x");
	{
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/x", t->dir);
		assert_int_equal(setxattr(p, "user.overlay.opaque", "x", 1, 0), 0);
	}
	assert_int_equal(cx_ovl_is_opaque(t->fd, "o"), 1);
	assert_int_equal(cx_ovl_is_opaque(t->fd, "x"), 0);
	assert_int_equal(cx_ovl_is_opaque(t->fd, "data"), 0);
	assert_int_equal(cx_ovl_xattr_is_overlay("trusted.overlay.redirect"), 1);
	assert_int_equal(cx_ovl_xattr_is_overlay("user.overlay.opaque"), 1);
	assert_int_equal(cx_ovl_xattr_is_overlay("user.overlayx"), 0);
	assert_int_equal(cx_ovl_xattr_is_overlay("security.capability"), 0);
}

/* A tree far deeper than the descriptors we may hold goes away whole,
 * and a symlink in it to outside is removed, not followed. */
static void remove_deep_tree(void **state)
{
	struct tree *t = *state;
	struct rlimit old, low;
	struct stat st;
	int cur;

	put(t->fd, "outside/keep", "k");
	mkdirs(t->fd, "deep");
	cur = openat(t->fd, "deep", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < 300; i++) {
		int next;

		assert_int_equal(mkdirat(cur, "d", 0755), 0);
		if (i % 50 == 0) {
			char target[PATH_MAX];

			snprintf(target, sizeof(target), "%s/outside", t->dir);
			assert_int_equal(symlinkat(target, cur, "link"), 0);
			close(openat(cur, "f", O_WRONLY | O_CREAT | O_CLOEXEC,
				     0644));
		}
		next = openat(cur, "d", O_PATH | O_DIRECTORY | O_CLOEXEC);
		close(cur);
		cur = next;
	}
	close(cur);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low.rlim_cur = 32;
	low.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(cx_remove_tree(t->fd, "deep"), 0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(fstatat(t->fd, "deep", &st, 0), -1);
	assert_int_equal(fstatat(t->fd, "outside/keep", &st, 0), 0);
	/* A file, and nothing at all. */
	assert_int_equal(cx_remove_tree(t->fd, "outside/keep"), 0);
	assert_int_equal(cx_remove_tree(t->fd, "absent"), 0);
}

/* A directory's names: sorted, without "." and "..", NULL at the end;
 * an empty directory gives an empty list, a file gives NULL. */
static void dir_names(void **state)
{
	struct tree *t = *state;
	static const char *const want[] = { "A", "b", "b.c", "dir", "z" };
	char **names;
	size_t n;
	int fd;

	put(t->fd, "names/z", "");
	put(t->fd, "names/b.c", "");
	put(t->fd, "names/A", "");
	put(t->fd, "names/b", "");
	mkdirs(t->fd, "names/dir/sub");
	fd = openat(t->fd, "names", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	names = cx_dir_names(fd, &n);
	assert_non_null(names);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(names[i], want[i]);
	assert_null(names[n]);
	cx_names_free(names, n);
	close(fd);

	fd = openat(t->fd, "names/dir/sub", O_PATH | O_DIRECTORY | O_CLOEXEC);
	names = cx_dir_names(fd, &n);
	assert_non_null(names);
	assert_int_equal(n, 0);
	assert_null(names[0]);
	cx_names_free(names, n);
	close(fd);

	fd = openat(t->fd, "names/z", O_PATH | O_CLOEXEC);
	errno = 0;
	assert_null(cx_dir_names(fd, &n));
	assert_int_equal(errno, ENOTDIR);
	close(fd);
}

/* --- layers apart ------------------------------------------------------ */

static int dir_at(struct tree *t, const char *path)
{
	int fd = openat(t->fd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static void within(void **state)
{
	struct tree *t = *state;
	int a, ab, abc, x;

	mkdirs(t->fd, "a/b/c");
	mkdirs(t->fd, "x");
	assert_int_equal(symlinkat("a/b", t->fd, "link"), 0);
	a = dir_at(t, "a");
	ab = dir_at(t, "link");
	abc = dir_at(t, "a/b/c");
	x = dir_at(t, "x");
	assert_int_equal(cx_ovl_within(abc, a), 1);
	assert_int_equal(cx_ovl_within(abc, ab), 1);
	assert_int_equal(cx_ovl_within(ab, ab), 1);
	assert_int_equal(cx_ovl_within(a, abc), 0);
	assert_int_equal(cx_ovl_within(x, a), 0);
	assert_int_equal(cx_ovl_within(a, x), 0);
	/* Everything is inside the root. */
	assert_int_equal(cx_ovl_within(x, t->fd), 1);
	close(a);
	close(ab);
	close(abc);
	close(x);
}

/* Directories of one overlay, as the tree has them, and the refusal
 * cx_ovl_check_apart records. */
static const struct {
	const char *lower, *upper, *work, *merged;
	bool upper_unmade, work_unmade;
	const char *msg;	/* NULL: apart */
} apart_cases[] = {
	{ "l", "u", "w", "m", false, false, NULL },
	{ "l", "l/u", "w", "m", false, false,
	  "upper dir l/u is inside lower dir l; they must be separate" },
	/* Not made yet: where it will be made counts. */
	{ "l", "l", "w", "m", true, false,
	  "upper dir l is inside lower dir l; they must be separate" },
	{ "l", "u", "l", "m", false, false,
	  "work dir l and lower dir l are the same directory" },
	{ "u/l", "u", "w", "m", false, false,
	  "lower dir u/l is inside upper dir u; they must be separate" },
	/* Nothing is inside a dir not made yet. */
	{ "u/l", "u", "w", "m", true, false, NULL },
	{ "l", "u", "u/w", "m", false, false,
	  "work dir u/w is inside upper dir u; they must be separate" },
	{ "l", "u", "u", "m", false, false,
	  "upper dir u and work dir u are the same directory" },
	{ "l", "u", "w", "u/m", false, false,
	  "mount point u/m is inside upper dir u; they must be separate" },
	{ "l", "u", "w", "w", false, false,
	  "mount point w and work dir w are the same directory" },
	/* The mount point may be the lower, and hold the layer dirs. */
	{ "m", "m/u", "m/w", "m", false, false,
	  "upper dir m/u is inside lower dir m; they must be separate" },
	{ "l", "m/u", "m/w", "m", false, false, NULL },
	{ "l", "u", "w", "l", false, false, NULL },
};

static void check_apart(void **state)
{
	struct tree *t = *state;

	mkdirs(t->fd, "l/u");
	mkdirs(t->fd, "u/l");
	mkdirs(t->fd, "u/w");
	mkdirs(t->fd, "u/m");
	mkdirs(t->fd, "m/u");
	mkdirs(t->fd, "m/w");
	mkdirs(t->fd, "w");
	for (size_t i = 0; i < N(apart_cases); i++) {
		struct cx_ovl_dir l = { "lower dir", apart_cases[i].lower,
					dir_at(t, apart_cases[i].lower), false };
		struct cx_ovl_dir u = { "upper dir", apart_cases[i].upper,
					dir_at(t, apart_cases[i].upper),
					apart_cases[i].upper_unmade };
		struct cx_ovl_dir w = { "work dir", apart_cases[i].work,
					dir_at(t, apart_cases[i].work),
					apart_cases[i].work_unmade };
		struct cx_ovl_dir m = { "mount point", apart_cases[i].merged,
					dir_at(t, apart_cases[i].merged), false };
		int rc = cx_ovl_check_apart(&l, 1, &u, &w, &m);

		if (apart_cases[i].msg) {
			assert_int_equal(rc, -1);
			assert_string_equal(cx_last_msg(), apart_cases[i].msg);
		} else {
			assert_int_equal(rc, 0);
		}
		close(l.fd);
		close(u.fd);
		close(w.fd);
		close(m.fd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wh_classify),
		cmocka_unit_test(wh_name),
		cmocka_unit_test(clean_path),
		cmocka_unit_test(split_path),
		cmocka_unit_test(resolve_link),
		cmocka_unit_test(lower_split),
		cmocka_unit_test(lower_join),
		cmocka_unit_test(digest_path),
		cmocka_unit_test_setup_teardown(lowers_lookup, setup_tree,
						teardown_tree),
		cmocka_unit_test_setup_teardown(lowers_list, setup_tree,
						teardown_tree),
		cmocka_unit_test_setup_teardown(diff_tree, setup_tree,
						teardown_tree),
		cmocka_unit_test_setup_teardown(whiteout_forms, setup_tree,
						teardown_tree),
		cmocka_unit_test_setup_teardown(remove_deep_tree, setup_tree,
						teardown_tree),
		cmocka_unit_test_setup_teardown(dir_names, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(within, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(check_apart, setup_tree,
						teardown_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
