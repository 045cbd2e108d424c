#include "exec.h"

#include "die.h"
#include "parse.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

static const int forwarded[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

static sigset_t saved_mask;

static int is_tool_name(const char *arg)
{
	const char *base = strrchr(arg, '/');

	base = base ? base + 1 : arg;
	return strncmp(base, "cx-", 3) == 0;
}

/* A sealed copy of the tool in memory, where no read-only view can be
 * made: what runs inside the new root is not the host's file, so
 * nothing there can reach that file through /proc/PID/exe
 * (CVE-2019-5736), not even in the moment after exec before the tool
 * makes itself non-dumpable.  runc did the same.
 * Returns the memfd (SRC is closed), or -2 recorded with cx_fail: the
 * chain stops rather than run the host's file inside. */
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

static int sealed_copy(int src, const char *path, const char *name)
{
	struct stat st;
	off_t left;
	int mfd, err;

	if (fstat(src, &st) < 0) {
		err = errno;
		goto fail;
	}
	/* MFD_EXEC (6.3): executable even where vm.memfd_noexec says
	 * otherwise; older kernels refuse the flag with EINVAL. */
	mfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL)
		mfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0) {
		err = errno;
		close(src);
		cx_fail(err, "make a sealed copy of %s%s", path,
			err == EACCES ? " (memfd_create refused: vm.memfd_noexec?)" : "");
		return -2;
	}
	for (left = st.st_size; left > 0;) {
		ssize_t n = sendfile(mfd, src, NULL, (size_t)left);

		if (n <= 0)
			break;
		left -= n;
	}
	if (left > 0 || fchmod(mfd, 0555) < 0 ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW |
					    F_SEAL_WRITE) < 0) {
		err = left > 0 ? EIO : errno;
		close(mfd);
		goto fail;
	}
	close(src);
	return mfd;
fail:
	close(src);
	cx_fail(err, "make a sealed copy of %s", path);
	return -2;
}

/* On a read-only mount already (the tool directory's read-only view,
 * or a read-only /usr): nothing can be written through it. */
static bool read_only_mount(int fd)
{
	struct statvfs sv;

	return fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

/* A read-only view of the directory DIR: a bind mount of it attached
 * nowhere (open_tree(2), 5.2; mount_setattr(2), 5.12), reached through
 * a descriptor opened below it, after which the view's own descriptor
 * is closed.  The kernel then dissolves the view's anonymous mount
 * namespace, and from that moment nothing, CAP_SYS_ADMIN included, can
 * make the mount writable again (mount_setattr(2)) or clone it
 * (open_tree(2)): both refuse a mount in no namespace.  Its root is
 * its own parent, so ".." leads nowhere else.  A file run from it has
 * a /proc/PID/exe that no open for writing gets through (EROFS), and
 * nothing is copied.  -1 where the kernel or our privileges allow no
 * read-only view. */
static int dissolved_view(int dir)
{
	struct mount_attr a = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			    MOUNT_ATTR_NODEV,
	};
	int view = cx_open_tree(dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
						 AT_EMPTY_PATH), fd;

	if (view < 0)
		return -1;
	/* A clone keeps its flags: one already read-only needs none. */
	if (cx_mount_setattr(view, "", AT_EMPTY_PATH, &a) < 0 &&
	    !read_only_mount(view)) {
		close(view);
		return -1;
	}
	fd = openat(view, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	close(view);
	return fd;
}

/* Open the tool NAME in the host's tool directory DIRFD, or PATH when
 * DIRFD is AT_FDCWD (before any root change).  In DIRFD a symlink may
 * not lead out of it: after a root change "/" is the container's, and
 * an absolute link would find a file the rootfs planted. */
static int open_in(int dirfd, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (dirfd == AT_FDCWD)
		return open(path, O_RDONLY | O_CLOEXEC);
	fd = cx_openat2(dirfd, path, &how);
	if (fd < 0 && errno == ENOSYS)
		fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd;
}

/* The directory the file at PATH really lives in (symlinks resolved,
 * while "/" is still the host's), as a dissolved view; REAL holds the
 * resolved path, and *NAME points at the file's name in it.  -1 when
 * no view can be made. */
static int view_of_dir(const char *path, char real[PATH_MAX],
		       const char **name)
{
	char *slash;
	int dir, view;

	if (!realpath(path, real) || !(slash = strrchr(real, '/')))
		return -1;
	*name = slash + 1;
	*slash = '\0';
	dir = open(slash == real ? "/" : real, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -1;
	view = dissolved_view(dir);
	close(dir);
	return view;
}

/* The tool at PATH in DIRFD, opened so that running it exposes no host
 * file a container could write: in a tool directory (a dissolved
 * view) as it is; else through a dissolved view of its own directory
 * (left open in *KEEP when KEEP is given and the tool was found there,
 * else closed); else the file itself where it is on a read-only mount
 * (an attached one: only the mount namespace that holds it may remount
 * it), else a sealed copy. */
static int open_tool(int dirfd, const char *path, const char *name,
		     int *keep)
{
	char real[PATH_MAX];
	const char *base;
	int fd = -1, view;

	if (keep)
		*keep = -1;
	if (dirfd == AT_FDCWD && (view = view_of_dir(path, real, &base)) >= 0) {
		fd = open_in(view, base);
		if (keep && fd >= 0)
			*keep = view;
		else
			close(view);
	}
	if (fd < 0)
		fd = open_in(dirfd, path);
	if (fd < 0)
		return -1;
	if (faccessat(fd, "", X_OK, AT_EMPTY_PATH) < 0) {
		close(fd);
		fd = -1;
	} else if (read_only_mount(fd)) {
		return fd;
	} else {
		fd = sealed_copy(fd, path, name);
	}
	if (keep && *keep >= 0)
		close(*keep);
	if (keep)
		*keep = -1;
	return fd;
}

/* PATH (symlinks followed) is the very file NAME in DIR. */
static bool same_file(int dir, const char *path)
{
	const char *name = strrchr(path, '/');
	struct stat a, b;

	name = name ? name + 1 : path;
	return stat(path, &a) == 0 &&
	       fstatat(dir, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(b.st_mode) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The host directory the next cx tool came from.  It goes down the
 * chain as CX_TOOLDIR_FD, so that every cx tool after a root change is
 * found on the host and never in the new root, where a hostile rootfs
 * could plant its own "cx-caps" in PATH to run before the capabilities
 * are dropped.  Before any root change it goes down as well, marked
 * HOST_MARK ("/" is still the host's): a later tool then looks its
 * next one up as usual and opens it through the view when that is the
 * very file, instead of making a view of its own (an open_tree(2)
 * clone that the kernel tears down again: about 0.1 ms each).  The
 * final command gets neither the descriptor nor the variable. */
static int tooldir = -1;
#define HOST_MARK ",host"

/* Past a root change with no tool directory to pass down (no read-only
 * view could be made: the host's directory itself would be a way out
 * of the new root), the variable says so with this value, and a later
 * cx tool is refused by name. */
#define NO_TOOLDIR "none"
static bool no_tooldir;

static bool tooldir_withheld(void)
{
	const char *s = getenv(CX_TOOLDIR_ENV);

	return no_tooldir || (s && !strcmp(s, NO_TOOLDIR));
}

static int fail_withheld(const char *name)
{
	return cx_fail(0, "exec %s: no cx tool but the first one can follow this root change: no read-only view of the tool directory could be made (open_tree(2) and mount_setattr(2), Linux 5.12, with CAP_SYS_ADMIN): run %s before the root change",
		       name, name);
}

/* The first cx tool of a chain that goes past a root change, found at
 * PATH: the tool directory is made from it, and the tool is opened
 * through that directory, as the later ones will be. */
static int open_found(const char *path, const char *base)
{
	char real[PATH_MAX];
	const char *name;
	int fd;

	/* Without a read-only view there is none: the host's directory
	 * itself would be a way out of the new root (CVE-2024-21626). */
	tooldir = view_of_dir(path, real, &name);
	no_tooldir = tooldir < 0;
	if (tooldir >= 0 && (fd = open_tool(tooldir, name, base, NULL)) != -1)
		return fd;
	return open_tool(AT_FDCWD, path, base, NULL);
}

static const char *base_name(const char *arg)
{
	const char *base = strrchr(arg, '/');

	return base ? base + 1 : arg;
}

/* The descriptor CX_TOOLDIR_FD names, or -1; *HOST tells whether it
 * was passed down before any root change (HOST_MARK). */
static int inherited_dir(bool *host)
{
	const char *s = getenv(CX_TOOLDIR_ENV);
	char num[16];
	struct stat st;
	uint32_t fd;
	size_t len;

	*host = false;
	if (!s)
		return -1;
	len = strcspn(s, ",");
	*host = !strcmp(s + len, HOST_MARK);
	if ((s[len] && !*host) || len >= sizeof(num))
		return -1;
	memcpy(num, s, len);
	num[len] = '\0';
	if (cx_parse_u32(num, &fd) < 0 || fd < 3 || fd > INT_MAX ||
	    fstat((int)fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return -1;
	return (int)fd;
}

/* The tool directory passed down past a root change, or -1. */
static int inherited_tooldir(void)
{
	bool host;
	int fd = inherited_dir(&host);

	return host ? -1 : fd;
}

/* The tool directory passed down while "/" is still the host's, or -1. */
static int inherited_hostdir(void)
{
	bool host;
	int fd = inherited_dir(&host);

	return host ? fd : -1;
}

/* 0 when PATH names an executable regular file; else the errno. */
static int runnable(int dirfd, const char *path)
{
	struct stat st;

	if (fstatat(dirfd, path, &st, 0) < 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EACCES;
	return faccessat(dirfd, path, X_OK, AT_EACCESS) < 0 ? errno : 0;
}

/* NAME (no '/') on $PATH, as execvp(3) searches it: an empty element is
 * the current directory, and a file found but not executable counts
 * only when nothing later can be run.  0 with the path in BUF, or
 * ENOENT or EACCES. */
static int search_path(const char *name, char buf[PATH_MAX])
{
	const char *path = getenv("PATH");
	int err, best = ENOENT;

	if (!path)
		path = "/bin:/usr/bin";
	for (;;) {
		size_t len = strcspn(path, ":");

		if (snprintf(buf, PATH_MAX, "%.*s%s%s", (int)len, path,
			     len ? "/" : "", name) < PATH_MAX) {
			err = runnable(AT_FDCWD, buf);
			if (!err)
				return 0;
			if (err == EACCES)
				best = EACCES;
		}
		if (!path[len])
			return best;
		path += len + 1;
	}
}

/* Where argv[0] is to be run from: itself when it holds a '/', else
 * what $PATH finds (in BUF).  NULL with errno when nothing runnable. */
static const char *find_command(const char *arg, char buf[PATH_MAX])
{
	int err;

	if (strchr(arg, '/'))
		err = runnable(AT_FDCWD, arg);
	else
		err = search_path(arg, buf);
	errno = err;
	return err ? NULL : strchr(arg, '/') ? arg : buf;
}

int cx_exec_preopen(char *const argv[])
{
	const char *path, *base;
	char buf[PATH_MAX];
	int fd, hostdir;

	if (!argv[0] || !is_tool_name(argv[0]))
		return -1;
	base = base_name(argv[0]);
	if ((tooldir = inherited_tooldir()) >= 0) {
		fd = open_tool(tooldir, base, base, NULL);
		if (fd == -1) {
			cx_fail(errno, "%s: not among the host's cx tools", base);
			return -2;
		}
		return fd;
	}
	if (tooldir_withheld())
		return fail_withheld(base), -2;
	if (!(path = find_command(argv[0], buf)))
		return -1;
	/* The view an earlier link made, when it holds this very file:
	 * from now on it is the tool directory past the root change. */
	hostdir = inherited_hostdir();
	if (hostdir >= 0 && same_file(hostdir, path) &&
	    (fd = open_tool(hostdir, base_name(path), base, NULL)) >= 0) {
		tooldir = hostdir;
		return fd;
	}
	return open_found(path, base);
}

static noreturn void not_runnable(const char *name, int err)
{
	fprintf(stderr, "%s: exec %s: %s (nothing done)\n", cx_prog, name,
		strerror(err));
	exit(err == ENOENT || err == ENOTDIR ? CX_EXIT_NOT_FOUND
					     : CX_EXIT_CANNOT_RUN);
}

void cx_exec_find(char *const argv[])
{
	int dir = tooldir >= 0 ? tooldir : inherited_tooldir(), err;
	char buf[PATH_MAX];

	if (!argv[0] || !*argv[0])
		not_runnable("''", ENOENT);
	if (is_tool_name(argv[0]) && dir >= 0) {
		if ((err = runnable(dir, base_name(argv[0]))) == ENOENT) {
			fprintf(stderr, "%s: exec %s: not among the host's cx tools (nothing done)\n",
				cx_prog, argv[0]);
			exit(CX_EXIT_NOT_FOUND);
		}
		if (err)
			not_runnable(argv[0], err);
		return;
	}
	if (is_tool_name(argv[0]) && tooldir_withheld()) {
		fail_withheld(base_name(argv[0]));
		fprintf(stderr, "%s: %s (nothing done)\n", cx_prog, cx_last_msg());
		exit(CX_EXIT_NOT_FOUND);
	}
	if (!find_command(argv[0], buf))
		not_runnable(argv[0], errno);
}

/* A cx tool that no earlier link opened: from a view or sealed copy
 * too, so that no cx process of a chain (an init that stays PID 1 of
 * the container, a supervisor) runs a host file the container could
 * write.  Through the view passed down, when it holds the file PATH
 * finds; else through a view of its own directory, left in *VIEW to be
 * passed on (or -1).  -1 when not found (execvp then says so).
 * Nothing here is kept in a static: this may run in a child that
 * shares its parent's memory. */
static int open_next_tool(const char *arg, int *view)
{
	char buf[PATH_MAX];
	const char *path = find_command(arg, buf);
	int dir = inherited_hostdir(), fd;

	*view = -1;
	if (!path)
		return -1;
	if (dir >= 0 && same_file(dir, path) &&
	    (fd = open_tool(dir, base_name(path), base_name(arg), NULL)) >= 0) {
		*view = dir;
		return fd;
	}
	return open_tool(AT_FDCWD, path, base_name(arg), view);
}

/* A memfd whose writes are sealed: what sealed_copy makes. */
static bool sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & F_SEAL_WRITE);
}

/* Set by cx_exec to our PID when it runs a cx tool from a view or a
 * sealed copy: the PID survives the exec, and a value left in the
 * environment by anything else names another process.  It lets a tool
 * that cannot read /proc/self/exe (no /proc yet after a root change)
 * know where it runs from. */
#define CX_SEALED_ENV "CX_SEALED"

static bool marked_sealed(void)
{
	const char *s = getenv(CX_SEALED_ENV);
	uint32_t pid;

	return s && cx_parse_u32(s, &pid) == 0 && pid == (uint32_t)getpid();
}

static void mark_sealed(bool on)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (on)
		setenv(CX_SEALED_ENV, pid, 1);
	else
		unsetenv(CX_SEALED_ENV);
}

/* Our own file EXE seen through a dissolved view of its directory,
 * if that is still the same file; else -1. */
static int view_of_self(int exe)
{
	char path[PATH_MAX], real[PATH_MAX];
	const char *name;
	struct stat a, b;
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	int view, fd;

	if (n <= 0)
		return -1;
	path[n] = '\0';
	if ((view = view_of_dir(path, real, &name)) < 0)
		return -1;
	fd = open_in(view, name);
	close(view);
	if (fd >= 0 && (fstat(fd, &a) < 0 || fstat(exe, &b) < 0 ||
			a.st_dev != b.st_dev || a.st_ino != b.st_ino ||
			!read_only_mount(fd))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int cx_exec_seal_self(char *const argv[])
{
	int exe, fd;

	if (marked_sealed())
		return 0;
	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return cx_fail(errno, "open /proc/self/exe (to run from a sealed copy)");
	if (sealed(exe) || read_only_mount(exe)) {
		close(exe);
		return 0;
	}
	fd = view_of_self(exe);
	if (fd >= 0)
		close(exe);
	else if ((fd = sealed_copy(exe, "/proc/self/exe", cx_prog)) < 0)
		return -1;
	mark_sealed(true);
	execveat(fd, "", argv, environ, AT_EMPTY_PATH);
	mark_sealed(false);
	close(fd);
	return cx_fail(errno, "run %s again from a sealed copy", cx_prog);
}

/* Set in a child that shares its parent's memory (cx_vfork3): exit()
 * there would run the parent's atexit handlers and flush its stdio
 * buffers. */
static bool vforked;

/* What the parent knew of the tool directory when its child began.
 * The child's cx_exec sets or unsets CX_TOOLDIR_FD, and may change
 * tooldir, in the memory they share: the parent would then look for
 * the wrong descriptor, or none, when it lets go of its own
 * (cx_forget_tooldir). */
static struct {
	int tooldir;
	bool set;
	char env[32];
} before_child;

void cx_exec_vforked(bool on)
{
	const char *s = getenv(CX_TOOLDIR_ENV);

	if (on) {
		/* In the child, before it changes anything. */
		before_child.tooldir = tooldir;
		before_child.set = s && strlen(s) < sizeof(before_child.env);
		if (before_child.set)
			strcpy(before_child.env, s);
	} else if (vforked) {
		/* In the parent, once the child has gone or exec'd. */
		tooldir = before_child.tooldir;
		if (!before_child.set)
			unsetenv(CX_TOOLDIR_ENV);
		else if (!s || strcmp(s, before_child.env) != 0)
			setenv(CX_TOOLDIR_ENV, before_child.env, 1);
	}
	vforked = on;
}

static noreturn void leave(int code)
{
	if (vforked)
		_exit(code);
	exit(code);
}

/* CX_PRESERVE_FDS=N: descriptors 3 to N + 2 stay open across the
 * exec.  The variable goes on to the next cx tool only. */
static void keep_preserved(bool tool)
{
	const char *v = getenv(CX_PRESERVE_ENV);
	char *end;
	long n;

	if (!v)
		return;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno == 0 && end != v && !*end && n > 0 && n <= 1024)
		for (int fd = 3; fd < 3 + n; fd++)
			fcntl(fd, F_SETFD, 0);
	if (!tool)
		unsetenv(CX_PRESERVE_ENV);
}

void cx_exec(int toolfd, char *const argv[])
{
	bool tool = is_tool_name(argv[0]);
	int dir = tooldir >= 0 ? tooldir : inherited_tooldir(), err;
	int hostdir = -1;
	char num[24];

	if (tool && toolfd < 0 && dir >= 0) {
		toolfd = open_tool(dir, base_name(argv[0]), base_name(argv[0]),
				   NULL);
		if (toolfd == -1) {
			fprintf(stderr, "%s: exec %s: not among the host's cx tools\n",
				cx_prog, argv[0]);
			leave(CX_EXIT_NOT_FOUND);
		}
	} else if (tool && toolfd < 0 && tooldir_withheld()) {
		fail_withheld(base_name(argv[0]));
		cx_warn_last();
		leave(CX_EXIT_NOT_FOUND);
	} else if (tool && toolfd < 0) {
		toolfd = open_next_tool(argv[0], &hostdir);
	}
	if (toolfd == -2) {
		cx_warn_last();
		leave(CX_EXIT_CANNOT_RUN);
	}
	/* Everything above 2 closes at exec, whoever opened it... */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 1024; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* ...but those the caller asked to keep (cx-oci's --preserve-fds
	 * and its own), down the chain and for the command... */
	keep_preserved(tool);
	/* ...and the tool directory, when the next link is a cx tool. */
	if (tool && toolfd >= 0 && dir >= 0) {
		snprintf(num, sizeof(num), "%d", dir);
		fcntl(dir, F_SETFD, 0);
		setenv(CX_TOOLDIR_ENV, num, 1);
	} else if (tool && toolfd >= 0 && hostdir >= 0) {
		snprintf(num, sizeof(num), "%d" HOST_MARK, hostdir);
		fcntl(hostdir, F_SETFD, 0);
		setenv(CX_TOOLDIR_ENV, num, 1);
	} else if (tool && tooldir_withheld()) {
		setenv(CX_TOOLDIR_ENV, NO_TOOLDIR, 1);
	} else {
		unsetenv(CX_TOOLDIR_ENV);
	}
	/* --verbose goes down the chain, to the cx tools only. */
	if (tool && cx_verbose)
		setenv(CX_VERBOSE_ENV, "1", 1);
	else
		unsetenv(CX_VERBOSE_ENV);
	if (cx_verbose) {
		char line[512];
		size_t n = 0;

		for (int i = 0; argv[i] && n < sizeof(line); i++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s",
					      i ? " " : "", argv[i]);
		cx_say("exec %s", line);
	}
	mark_sealed(toolfd >= 0);
	if (toolfd >= 0)
		execveat(toolfd, "", argv, environ, AT_EMPTY_PATH);
	else
		execvp(argv[0], argv);
	err = errno;
	/* ENOENT for a file that is there: its ELF interpreter (or a
	 * script's) is missing, which is no "not found". */
	if (err == ENOENT && (toolfd >= 0 || (strchr(argv[0], '/') &&
					      access(argv[0], F_OK) == 0))) {
		fprintf(stderr, "%s: exec %s: %s (its interpreter is missing)\n",
			cx_prog, argv[0], strerror(err));
		leave(CX_EXIT_CANNOT_RUN);
	}
	fprintf(stderr, "%s: exec %s: %s\n", cx_prog, argv[0], strerror(err));
	leave(err == ENOENT ? CX_EXIT_NOT_FOUND : CX_EXIT_CANNOT_RUN);
}

static void nothing(int sig)
{
	(void)sig;
}

/* The actions before we held the signals: an ignored signal (nohup, a
 * background job) stays ignored and is not passed on. */
static struct sigaction saved_actions[sizeof(forwarded) / sizeof(*forwarded)];
static sigset_t passed_on;

void cx_signals_hold(void)
{
	struct sigaction sa = { .sa_handler = nothing };
	sigset_t set;

	sigemptyset(&set);
	sigemptyset(&passed_on);
	sigaddset(&set, SIGCHLD);
	/* A handler, not SIG_DFL: an init of a pid namespace never gets the
	 * signals it leaves at their default. */
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(*forwarded); i++) {
		sigaction(forwarded[i], NULL, &saved_actions[i]);
		if (saved_actions[i].sa_handler == SIG_IGN)
			continue;
		sigaddset(&set, forwarded[i]);
		sigaddset(&passed_on, forwarded[i]);
		sigaction(forwarded[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &set, &saved_mask);
}

void cx_signals_release(void)
{
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(*forwarded); i++)
		sigaction(forwarded[i], &saved_actions[i], NULL);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
}

void cx_forget_tooldir(char *const argv[])
{
	bool host;
	int inherited;

	if (argv && argv[0] && is_tool_name(argv[0]))
		return;
	inherited = inherited_dir(&host);

	if (tooldir >= 0 && tooldir != inherited)
		close(tooldir);
	if (inherited >= 0)
		close(inherited);
	tooldir = -1;
	unsetenv(CX_TOOLDIR_ENV);
}

int cx_wait_forward(pid_t pid, bool reap_all)
{
	sigset_t set;
	siginfo_t si;

	cx_forget_tooldir(NULL);

	set = passed_on;
	sigaddset(&set, SIGCHLD);
	for (;;) {
		int status;
		pid_t got;

		/* Reap first: the child may have gone before we waited. */
		while ((got = waitpid(reap_all ? -1 : pid, &status,
				      WNOHANG)) > 0)
			if (got == pid)
				return status;
		if (got < 0 && errno == ECHILD)
			return W_EXITCODE(CX_EXIT_FAIL, 0);
		if (sigwaitinfo(&set, &si) < 0)
			continue;
		/* A signal from the terminal went to the whole foreground
		 * process group, the child too: passing it on would make
		 * two. */
		if (si.si_signo != SIGCHLD && si.si_code != SI_KERNEL)
			kill(pid, si.si_signo);
	}
}

pid_t cx_spawn_gated(int toolfd, char *const argv[], const int gate[2])
{
	pid_t pid;

	cx_signals_hold();
	pid = fork();
	if (pid < 0)
		return cx_fail(errno, "fork");
	if (pid == 0) {
		char go;

		/* Only a byte lets us go on: EOF means the parent failed. */
		if (gate) {
			close(gate[1]);
			if (read(gate[0], &go, 1) != 1)
				_exit(CX_EXIT_FAIL);
			close(gate[0]);
		}
		cx_signals_release();
		cx_exec(toolfd, argv);
	}
	if (gate)
		close(gate[0]);
	return pid;
}

pid_t cx_spawn(int toolfd, char *const argv[])
{
	return cx_spawn_gated(toolfd, argv, NULL);
}

void cx_exit_like(int status)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		struct rlimit nocore = { 0, 0 };
		struct sigaction sa = { .sa_handler = SIG_DFL };
		sigset_t set;

		setrlimit(RLIMIT_CORE, &nocore);
		sigaction(sig, &sa, NULL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		cx_raise(sig);
		exit(128 + sig);
	}
	exit(WIFEXITED(status) ? WEXITSTATUS(status) : CX_EXIT_FAIL);
}
