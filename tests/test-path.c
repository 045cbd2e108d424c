/* Unit tests for resolution inside a root (common/path.h), over a real
 * tree of symlinks in a temporary directory:
 *
 *   T/outside                  a file beside the root: never reachable
 *   T/root/etc/marker          what "/etc/marker" means inside the root
 *   T/root/proc -> /etc        absolute: must mean T/root/etc
 *   T/root/up -> ../../..      ".." stops at the root
 *   T/root/loop -> loop        ...and relative chains, dangling links,
 *                              40 and 41 links, magic link texts
 *
 * Every case runs through cx_open_in_root() (openat2 on this kernel)
 * and through cx_open_in_root_walk() (the fallback for kernels before
 * 5.6): each must give what the case wants, the same file (device and
 * inode) or the same errno, so the fallback is held to the kernel's
 * own answer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "die.h"
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top[64], rootpath[96];
static int rootfd = -1, outsidefd = -1;

struct path_case {
	const char *name;
	const char *path;
	int flags;
	/* Success: the file it must open, relative to the root ("" is the
	 * root itself; a symlink here means the link itself).  Failure:
	 * want is NULL and err the errno. */
	const char *want;
	int err;
	/* The case creates want: it must not exist before, is made with
	 * mode 0640 and removed after. */
	int creates;
};

#define OK(n, p, f, w) { n, p, f, w, 0, 0 }
#define FAILS(n, p, f, e) { n, p, f, NULL, e, 0 }
#define CREATES(n, p, f, w) { n, p, f, w, 0, 1 }

static const struct path_case cases[] = {
	OK("plain path", "etc/marker", O_RDONLY, "etc/marker"),
	OK("absolute path starts at the root", "/etc/marker", O_RDONLY,
	   "etc/marker"),
	OK("repeated slashes", "//etc///marker", O_RDONLY, "etc/marker"),
	OK("dot", ".", O_RDONLY | O_DIRECTORY, ""),
	OK("directory", "etc/sub", O_RDONLY | O_DIRECTORY, "etc/sub"),

	/* proc -> /etc: the root's etc, never the host's */
	OK("absolute symlink to a dir, then a file", "proc/marker", O_RDONLY,
	   "etc/marker"),
	OK("absolute symlink to a dir", "proc", O_RDONLY | O_DIRECTORY, "etc"),
	OK("absolute symlink with a trailing slash", "proc/", O_RDONLY, "etc"),
	OK("absolute symlink, then ..", "proc/../dir/file", O_RDONLY,
	   "dir/file"),
	OK("absolute symlink in a subdirectory", "dir/abs/marker", O_RDONLY,
	   "etc/marker"),
	OK("symlink to /", "slash/etc/marker", O_RDONLY, "etc/marker"),
	OK("symlink to /, then .. twice", "slash/../../etc/marker", O_RDONLY,
	   "etc/marker"),
	OK("O_PATH|O_NOFOLLOW opens the link itself", "proc",
	   O_PATH | O_NOFOLLOW, "proc"),
	OK("a trailing slash follows the link even with O_NOFOLLOW", "proc/",
	   O_PATH | O_NOFOLLOW, "etc"),
	FAILS("O_NOFOLLOW on a final symlink", "proc", O_RDONLY | O_NOFOLLOW,
	      ELOOP),

	/* ".." never leaves the root */
	OK("up -> ../../..", "up/etc/marker", O_RDONLY, "etc/marker"),
	OK("up -> ../../.. is the root", "up", O_RDONLY | O_DIRECTORY, ""),
	FAILS("up -> ../../.. does not reach the outside", "up/outside",
	      O_RDONLY, ENOENT),
	FAILS("dir/up1 -> ../.. does not reach the outside", "dir/up1/outside",
	      O_RDONLY, ENOENT),
	FAILS("esc -> ../outside", "esc", O_RDONLY, ENOENT),
	FAILS("escabs -> /../outside", "escabs", O_RDONLY, ENOENT),
	OK(".. at the top", "..", O_RDONLY | O_DIRECTORY, ""),
	OK("../.. at the top", "../../etc/marker", O_RDONLY, "etc/marker"),
	OK("/.. at the top", "/../etc/marker", O_RDONLY, "etc/marker"),
	OK("more .. than depth", "dir/../../../../etc/marker", O_RDONLY,
	   "etc/marker"),
	FAILS(".. at the top, then the root's own name", "../root/etc/marker",
	      O_RDONLY, ENOENT),
	FAILS(".. at the top, then a file beside the root", "../outside",
	      O_RDONLY, ENOENT),

	/* relative links */
	OK("relative link with ..", "dir/rel", O_RDONLY, "etc/marker"),
	OK("relative link with .. past the top", "dir/uprel", O_RDONLY,
	   "etc/marker"),
	OK("relative chain", "rel1", O_RDONLY, "etc/marker"),
	OK("40 links", "n00", O_RDONLY, "etc/marker"),
	FAILS("41 links", "m", O_RDONLY, ELOOP),
	FAILS("loop -> loop", "loop", O_RDONLY, ELOOP),
	FAILS("loop -> loop as a directory", "loop/x", O_RDONLY, ELOOP),
	FAILS("loopa -> loopb -> loopa", "loopa", O_RDONLY, ELOOP),
	OK("O_PATH|O_NOFOLLOW on loop", "loop", O_PATH | O_NOFOLLOW, "loop"),

	/* what is not there, or not a directory */
	FAILS("empty path", "", O_RDONLY, ENOENT),
	FAILS("missing file", "etc/nope", O_RDONLY, ENOENT),
	FAILS("missing directory", "nope/marker", O_RDONLY, ENOENT),
	FAILS("file as a directory", "etc/marker/x", O_RDONLY, ENOTDIR),
	FAILS("file with a trailing slash", "etc/marker/", O_RDONLY, ENOTDIR),
	FAILS("file, then ..", "etc/marker/..", O_RDONLY, ENOTDIR),
	FAILS("file with O_DIRECTORY", "etc/marker", O_RDONLY | O_DIRECTORY,
	      ENOTDIR),
	FAILS("relative link to a file, then ..", "dir/rel/..", O_RDONLY,
	      ENOTDIR),
	FAILS("directory for writing", "etc", O_WRONLY, EISDIR),

	/* magic link texts: resolved inside the root, where no proc is */
	FAILS("link to /proc/self/fd/N", "fdlink", O_RDONLY, ENOENT),
	FAILS("link to /proc/self/root", "selfroot/etc/marker", O_RDONLY,
	      ENOENT),

	/* O_CREAT */
	CREATES("create through an absolute symlink dir", "proc/cx-created",
		O_WRONLY | O_CREAT | O_EXCL, "etc/cx-created"),
	CREATES("create by an absolute path", "/dir/cx-created",
		O_WRONLY | O_CREAT, "dir/cx-created"),
	CREATES("create above the top", "../../cx-created",
		O_WRONLY | O_CREAT | O_EXCL, "cx-created"),
	CREATES("create through up -> ../../..", "up/cx-created",
		O_WRONLY | O_CREAT, "cx-created"),
	CREATES("create through a dangling absolute link", "dangling",
		O_WRONLY | O_CREAT, "etc/cx-dangling"),
	FAILS("O_EXCL on a dangling link", "dangling",
	      O_WRONLY | O_CREAT | O_EXCL, EEXIST),
	FAILS("O_EXCL on a file", "etc/marker", O_WRONLY | O_CREAT | O_EXCL,
	      EEXIST),
	OK("O_CREAT on a file opens it", "etc/marker", O_WRONLY | O_CREAT,
	   "etc/marker"),
	FAILS("O_CREAT on a directory", "etc", O_WRONLY | O_CREAT, EISDIR),
	FAILS("O_CREAT in a missing directory", "nope/new",
	      O_WRONLY | O_CREAT, ENOENT),
	FAILS("O_CREAT through a link into a missing directory", "dangling2",
	      O_WRONLY | O_CREAT, ENOENT),
	FAILS("O_CREAT with a trailing slash", "etc/cx-newdir/",
	      O_WRONLY | O_CREAT, EISDIR),
};

#define NCASES (sizeof(cases) / sizeof(*cases))

/* What one implementation gave. */
struct result {
	int fd, err;
	struct stat st;
};

static int make_tree(void)
{
	static const struct {
		const char *link, *target;
	} links[] = {
		{ "proc", "/etc" },
		{ "up", "../../.." },
		{ "loop", "loop" },
		{ "loopa", "loopb" },
		{ "loopb", "loopa" },
		{ "slash", "/" },
		{ "esc", "../outside" },
		{ "escabs", "/../outside" },
		{ "rel1", "rel2" },
		{ "rel2", "dir/rel3" },
		{ "dir/rel3", "../etc/marker" },
		{ "dir/rel", "../etc/marker" },
		{ "dir/uprel", "../../../etc/marker" },
		{ "dir/up1", "../.." },
		{ "dir/abs", "/etc" },
		{ "dangling", "/etc/cx-dangling" },
		{ "dangling2", "/nowhere/file" },
		{ "selfroot", "/proc/self/root" },
		{ "m", "n00" },
	};
	char path[256], target[256];
	int fd;

	snprintf(top, sizeof(top), "%s", "/tmp/cx-test-path.XXXXXX");
	if (!mkdtemp(top))
		return -1;
	snprintf(rootpath, sizeof(rootpath), "%s/root", top);
	snprintf(path, sizeof(path), "%s/outside", top);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || close(fd) < 0)
		return -1;
	outsidefd = open(path, O_RDONLY | O_CLOEXEC);
	if (outsidefd < 0 || mkdir(rootpath, 0755) < 0)
		return -1;
	rootfd = open(rootpath, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 || mkdirat(rootfd, "etc", 0755) < 0 ||
	    mkdirat(rootfd, "etc/sub", 0755) < 0 ||
	    mkdirat(rootfd, "dir", 0755) < 0)
		return -1;
	fd = openat(rootfd, "etc/marker", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || close(fd) < 0)
		return -1;
	fd = openat(rootfd, "dir/file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || close(fd) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(links) / sizeof(*links); i++)
		if (symlinkat(links[i].target, rootfd, links[i].link) < 0)
			return -1;
	/* n00 -> n01 -> ... -> n39 -> etc/marker: 40 links; m -> n00 is
	 * the 41st, one more than the kernel follows (MAXSYMLINKS). */
	for (int i = 0; i < 40; i++) {
		if (i < 39)
			snprintf(target, sizeof(target), "n%02d", i + 1);
		else
			snprintf(target, sizeof(target), "etc/marker");
		snprintf(path, sizeof(path), "n%02d", i);
		if (symlinkat(target, rootfd, path) < 0)
			return -1;
	}
	/* A magic link's text: the file beside the root, by its fd. */
	snprintf(target, sizeof(target), "/proc/self/fd/%d", outsidefd);
	return symlinkat(target, rootfd, "fdlink");
}

static int setup(void **state)
{
	(void)state;
	umask(022);
	if (make_tree() < 0) {
		print_error("# cannot build the tree in %s: %s\n", top,
			    strerror(errno));
		return -1;
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	(void)state;
	if (rootfd >= 0)
		close(rootfd);
	if (outsidefd >= 0)
		close(outsidefd);
	if (top[0])
		nftw(top, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void run(int walk, const struct path_case *c, struct result *r)
{
	/* a mode only with O_CREAT, as the tools pass it (see
	 * test_mode_ignored for the other way) */
	mode_t mode = (c->flags & O_CREAT) ? 0640 : 0;

	errno = 0;
	if (walk)
		r->fd = cx_open_in_root_walk(rootfd, c->path, c->flags, mode);
	else
		r->fd = cx_open_in_root(rootfd, c->path, c->flags, mode,
					c->path);
	r->err = r->fd < 0 ? errno : 0;
	if (r->fd >= 0)
		assert_int_equal(fstat(r->fd, &r->st), 0);
}

static const char *errname(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "0";
}

/* One implementation's result against the case. */
static void check(const char *impl, const struct path_case *c,
		  const struct result *r)
{
	struct stat want;

	if (!c->want) {
		if (r->fd >= 0)
			fail_msg("%s(\"%s\"): opened inode %lu, want %s", impl,
				 c->path, (unsigned long)r->st.st_ino,
				 errname(c->err));
		if (r->err != c->err)
			fail_msg("%s(\"%s\"): %s, want %s", impl, c->path,
				 errname(r->err), errname(c->err));
		return;
	}
	if (r->fd < 0)
		fail_msg("%s(\"%s\"): %s, want %s", impl, c->path,
			 errname(r->err), *c->want ? c->want : "the root");
	if (*c->want)
		assert_int_equal(fstatat(rootfd, c->want, &want,
					 AT_SYMLINK_NOFOLLOW), 0);
	else
		assert_int_equal(fstat(rootfd, &want), 0);
	if (r->st.st_dev != want.st_dev || r->st.st_ino != want.st_ino)
		fail_msg("%s(\"%s\"): opened inode %lu, want %s (inode %lu)",
			 impl, c->path, (unsigned long)r->st.st_ino,
			 *c->want ? c->want : "the root",
			 (unsigned long)want.st_ino);
	/* O_CLOEXEC is always added */
	assert_true(fcntl(r->fd, F_GETFD) & FD_CLOEXEC);
	if (c->creates) {
		assert_true(S_ISREG(r->st.st_mode));
		assert_int_equal(r->st.st_mode & 07777, 0640);
	}
}

/* A created file must be in the root, never on the host (the tests may
 * run as root): looked for, and removed, right after each run, before
 * anything can fail.  Where an escape would put it: the host's path
 * of the same name, or the file's name beside the root or above T. */
static void no_host_file(const struct path_case *c)
{
	const char *base;
	char host[3][160];
	struct stat st;

	if (!c->creates)
		return;
	base = strrchr(c->want, '/');
	base = base ? base + 1 : c->want;
	snprintf(host[0], sizeof(host[0]), "/%s", c->want);
	snprintf(host[1], sizeof(host[1]), "%s/%s", top, base);
	snprintf(host[2], sizeof(host[2]), "%.*s/%s",
		 (int)(strrchr(top, '/') - top), top, base);
	for (int i = 0; i < 3; i++)
		if (lstat(host[i], &st) == 0) {
			unlink(host[i]);
			fail_msg("\"%s\" created %s, outside the root",
				 c->path, host[i]);
		}
}

static void remove_created(const struct path_case *c)
{
	if (c->creates && unlinkat(rootfd, c->want, 0) < 0)
		assert_int_equal(errno, ENOENT);
}

static void test_case(void **state)
{
	const struct path_case *c = *state;
	struct result kernel, walk;

	remove_created(c);
	run(0, c, &kernel);
	no_host_file(c);
	if (kernel.fd < 0 && c->path[0])
		assert_non_null(strstr(cx_last_msg(), c->path));
	check("cx_open_in_root", c, &kernel);
	remove_created(c);

	run(1, c, &walk);
	no_host_file(c);
	check("cx_open_in_root_walk", c, &walk);
	remove_created(c);

	/* the same answer from both, checked apart from the case too */
	assert_int_equal(kernel.err, walk.err);
	if (kernel.fd >= 0) {
		assert_int_equal(kernel.st.st_dev, walk.st.st_dev);
		if (!c->creates)
			assert_int_equal(kernel.st.st_ino, walk.st.st_ino);
		close(kernel.fd);
		close(walk.fd);
	}
}

/* The tree is what the cases assume: the root's etc is not the host's,
 * and the file beside the root exists (so ENOENT above means the
 * resolution stayed inside). */
static void test_tree(void **state)
{
	struct stat host, mine, st;
	char path[128];

	(void)state;
	assert_int_equal(stat("/etc", &host), 0);
	assert_int_equal(fstatat(rootfd, "etc", &mine, 0), 0);
	assert_false(host.st_dev == mine.st_dev && host.st_ino == mine.st_ino);
	/* the kernel itself, outside any root, would leave it */
	snprintf(path, sizeof(path), "%s/proc", rootpath);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_ino, host.st_ino);
	snprintf(path, sizeof(path), "%s/dir/up1/outside", rootpath);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(fstat(outsidefd, &host), 0);
	assert_int_equal(st.st_ino, host.st_ino);
}

/* Magic links themselves: with /proc/self as the root, "root" and
 * "fd/N" are real magic links.  openat2 refuses them
 * (RESOLVE_NO_MAGICLINKS); the walk reads their text and resolves it
 * inside the root, where it does not exist.  Neither may hand back the
 * file the link stands for. */
static void test_magic_links(void **state)
{
	char fdpath[32];
	const char *paths[] = { "root/etc/passwd", fdpath, "root/tmp" };
	struct stat outside;
	int procfd;

	(void)state;
	snprintf(fdpath, sizeof(fdpath), "fd/%d", outsidefd);
	assert_int_equal(fstat(outsidefd, &outside), 0);
	procfd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(procfd >= 0);
	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		int fd;
		struct stat st;

		errno = 0;
		fd = cx_open_in_root(procfd, paths[i], O_RDONLY, 0, paths[i]);
		if (fd >= 0) {
			assert_int_equal(fstat(fd, &st), 0);
			close(fd);
			fail_msg("cx_open_in_root(/proc/self, \"%s\") opened "
				 "inode %lu (outside: %lu), want ELOOP",
				 paths[i], (unsigned long)st.st_ino,
				 (unsigned long)outside.st_ino);
		}
		if (errno != ELOOP)
			fail_msg("cx_open_in_root(/proc/self, \"%s\"): %s, "
				 "want ELOOP", paths[i], errname(errno));

		errno = 0;
		fd = cx_open_in_root_walk(procfd, paths[i], O_RDONLY, 0);
		if (fd >= 0) {
			assert_int_equal(fstat(fd, &st), 0);
			close(fd);
			fail_msg("cx_open_in_root_walk(/proc/self, \"%s\") "
				 "opened inode %lu (outside: %lu), want ENOENT",
				 paths[i], (unsigned long)st.st_ino,
				 (unsigned long)outside.st_ino);
		}
		if (errno != ENOENT)
			fail_msg("cx_open_in_root_walk(/proc/self, \"%s\"): "
				 "%s, want ENOENT", paths[i], errname(errno));
	}
	close(procfd);
}

/* open(2) ignores the mode without O_CREAT or O_TMPFILE; openat2
 * refuses one (EINVAL), so cx_open_in_root must pass it on only when it
 * means something.  O_TMPFILE holds the O_DIRECTORY bit: O_DIRECTORY
 * alone is no O_TMPFILE. */
static void test_mode_ignored(void **state)
{
	struct stat want, st;
	int fd;

	(void)state;
	assert_int_equal(fstatat(rootfd, "etc", &want, 0), 0);
	fd = cx_open_in_root(rootfd, "proc", O_RDONLY | O_DIRECTORY, 0755,
			     "proc");
	if (fd < 0)
		fail_msg("cx_open_in_root(\"proc\", O_DIRECTORY, 0755): %s "
			 "(%s), want the root's etc", errname(errno),
			 cx_last_msg());
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_ino, want.st_ino);
	close(fd);
	fd = cx_open_in_root_walk(rootfd, "proc", O_RDONLY | O_DIRECTORY,
				  0755);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_ino, want.st_ino);
	close(fd);
	fd = cx_open_in_root(rootfd, "etc/marker", O_RDONLY, 0644, "marker");
	if (fd < 0)
		fail_msg("cx_open_in_root(\"etc/marker\", O_RDONLY, 0644): %s",
			 errname(errno));
	close(fd);
}

/* O_TMPFILE through the absolute link: an unnamed file in the root's
 * etc, with the mode asked for. */
static void test_tmpfile(void **state)
{
	struct stat want, st;
	int fd;

	(void)state;
	assert_int_equal(fstatat(rootfd, "etc", &want, 0), 0);
	for (int walk = 0; walk < 2; walk++) {
		if (walk)
			fd = cx_open_in_root_walk(rootfd, "proc",
						  O_TMPFILE | O_WRONLY, 0600);
		else
			fd = cx_open_in_root(rootfd, "proc",
					     O_TMPFILE | O_WRONLY, 0600, "proc");
		if (fd < 0 && errno == EOPNOTSUPP) {
			/* the file system of /tmp has none */
			print_message("# no O_TMPFILE in %s\n", top);
			return;
		}
		if (fd < 0)
			fail_msg("%s(\"proc\", O_TMPFILE): %s",
				 walk ? "cx_open_in_root_walk" :
					"cx_open_in_root", errname(errno));
		assert_int_equal(fstat(fd, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0600);
		assert_int_equal(st.st_nlink, 0);
		assert_int_equal(st.st_dev, want.st_dev);
		assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		close(fd);
	}
}

int main(void)
{
	struct CMUnitTest tests[NCASES + 4];
	size_t n = 0;

	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_tree);
	for (size_t i = 0; i < NCASES; i++)
		tests[n++] = (struct CMUnitTest){
			.name = cases[i].name,
			.test_func = test_case,
			.initial_state = (void *)&cases[i],
		};
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_magic_links);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_mode_ignored);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_tmpfile);
	return _cmocka_run_group_tests("path", tests, n, setup, teardown);
}
