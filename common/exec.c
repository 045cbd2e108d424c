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
		goto fail;
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

/* A file or directory seen through a read-only bind mount of it that
 * is attached nowhere: /proc/PID/exe of a tool run from it leads to a
 * file that cannot be opened for writing (EROFS), and nothing is
 * copied.  Making that mount writable again takes CAP_SYS_ADMIN, with
 * which nothing is contained anyway.  -1 when the kernel (before 5.12)
 * or our privileges do not allow it: then a sealed copy. */
static int read_only_view(int src)
{
	struct mount_attr a = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			    MOUNT_ATTR_NODEV,
	};
	int view = cx_open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
						 AT_EMPTY_PATH);

	if (view < 0)
		return -1;
	if (cx_mount_setattr(view, "", AT_EMPTY_PATH, &a) < 0) {
		close(view);
		return -1;
	}
	return view;
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

/* On a read-only mount already (the tool directory's read-only view,
 * or a read-only /usr): nothing can be written through it. */
static bool read_only_mount(int fd)
{
	struct statvfs sv;

	return fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

static int open_tool(int dirfd, const char *path, const char *name)
{
	int fd = open_in(dirfd, path), view;

	if (fd < 0)
		return -1;
	if (faccessat(fd, "", X_OK, AT_EMPTY_PATH) < 0) {
		close(fd);
		return -1;
	}
	if (read_only_mount(fd))
		return fd;
	view = read_only_view(fd);
	if (view >= 0) {
		close(fd);
		return view;
	}
	return sealed_copy(fd, path, name);
}

/* The directory the tool at PATH really lives in (symlinks resolved,
 * while "/" is still the host's), as a read-only view when one can be
 * made: the cx tools of the chain are opened through it, and their
 * /proc/PID/exe leads to a file no one can write.  REAL holds the
 * resolved path, and *NAME points at the real file's name in it. */
static int open_tooldir(const char *path, char real[PATH_MAX],
			const char **name)
{
	char *slash;
	int dir, view;

	if (!realpath(path, real) || !(slash = strrchr(real, '/')))
		return -1;
	*name = slash + 1;
	*slash = '\0';
	dir = open(slash == real ? "/" : real, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0 || read_only_mount(dir))
		return dir;
	view = read_only_view(dir);
	if (view < 0)
		return dir;
	close(dir);
	return view;
}

/* The host directory the next cx tool came from.  It goes down the
 * chain as CX_TOOLDIR_FD, so that every cx tool after a root change is
 * found on the host and never in the new root, where a hostile rootfs
 * could plant its own "cx-caps" in PATH to run before the capabilities
 * are dropped.  The final command gets neither the descriptor nor the
 * variable. */
static int tooldir = -1;

/* The first cx tool of a chain that goes past a root change, found at
 * PATH: the tool directory is made from it, and the tool is opened
 * through that directory, as the later ones will be. */
static int open_found(const char *path, const char *base)
{
	char real[PATH_MAX];
	const char *name;
	int fd;

	tooldir = open_tooldir(path, real, &name);
	if (tooldir >= 0 && (fd = open_tool(tooldir, name, base)) != -1)
		return fd;
	return open_tool(AT_FDCWD, path, base);
}

static const char *base_name(const char *arg)
{
	const char *base = strrchr(arg, '/');

	return base ? base + 1 : arg;
}

static int inherited_tooldir(void)
{
	const char *s = getenv(CX_TOOLDIR_ENV);
	struct stat st;
	uint32_t fd;

	if (!s || cx_parse_u32(s, &fd) < 0 || fd < 3 || fd > INT_MAX ||
	    fstat((int)fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return -1;
	return (int)fd;
}

int cx_exec_preopen(char *const argv[])
{
	const char *path = getenv("PATH"), *base;
	char buf[PATH_MAX];
	int fd;

	if (!argv[0] || !is_tool_name(argv[0]))
		return -1;
	base = base_name(argv[0]);
	if ((tooldir = inherited_tooldir()) >= 0) {
		fd = open_tool(tooldir, base, base);
		if (fd == -1) {
			cx_fail(errno, "%s: not among the host's cx tools", base);
			return -2;
		}
		return fd;
	}
	if (strchr(argv[0], '/'))
		return access(argv[0], X_OK) == 0 ? open_found(argv[0], base) : -1;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		if (len && len < sizeof(buf) - strlen(argv[0]) - 2) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path,
				 argv[0]);
			if (access(buf, X_OK) == 0)
				return open_found(buf, base);
		}
		path += len;
		if (*path == ':')
			path++;
	}
	return -1;
}

void cx_exec(int toolfd, char *const argv[])
{
	bool tool = is_tool_name(argv[0]);
	int dir = tooldir >= 0 ? tooldir : inherited_tooldir(), err;
	char num[16];

	if (tool && toolfd < 0 && dir >= 0) {
		toolfd = open_tool(dir, base_name(argv[0]), base_name(argv[0]));
		if (toolfd == -1) {
			fprintf(stderr, "%s: exec %s: not among the host's cx tools\n",
				cx_prog, argv[0]);
			exit(CX_EXIT_NOT_FOUND);
		}
		if (toolfd < 0) {
			fprintf(stderr, "%s: %s: %s\n", cx_prog, cx_last_msg(),
				strerror(cx_last_errno()));
			exit(CX_EXIT_CANNOT_RUN);
		}
	}
	/* Everything above 2 closes at exec, whoever opened it... */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 1024; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* ...but the tool directory, when the next link is a cx tool. */
	if (tool && toolfd >= 0 && dir >= 0) {
		snprintf(num, sizeof(num), "%d", dir);
		fcntl(dir, F_SETFD, 0);
		setenv(CX_TOOLDIR_ENV, num, 1);
	} else {
		unsetenv(CX_TOOLDIR_ENV);
	}
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
		exit(CX_EXIT_CANNOT_RUN);
	}
	fprintf(stderr, "%s: exec %s: %s\n", cx_prog, argv[0], strerror(err));
	exit(err == ENOENT ? CX_EXIT_NOT_FOUND : CX_EXIT_CANNOT_RUN);
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

static noreturn void not_runnable(const char *name, int err)
{
	fprintf(stderr, "%s: exec %s: %s (nothing done)\n", cx_prog, name,
		strerror(err));
	exit(err == ENOENT || err == ENOTDIR ? CX_EXIT_NOT_FOUND
					     : CX_EXIT_CANNOT_RUN);
}

void cx_exec_find(char *const argv[])
{
	const char *path = getenv("PATH");
	int dir = tooldir >= 0 ? tooldir : inherited_tooldir();
	int err, best = ENOENT;
	char buf[PATH_MAX];

	if (!argv[0] || !*argv[0])
		not_runnable("''", ENOENT);
	if (is_tool_name(argv[0]) && dir >= 0) {
		if ((err = runnable(dir, base_name(argv[0]))) != 0)
			not_runnable(argv[0], err);
		return;
	}
	if (strchr(argv[0], '/')) {
		if ((err = runnable(AT_FDCWD, argv[0])) != 0)
			not_runnable(argv[0], err);
		return;
	}
	/* As execvp: an empty PATH element is the current directory, and
	 * a file found but not executable is reported only when nothing
	 * later on PATH can be run. */
	if (!path)
		path = "/bin:/usr/bin";
	for (;;) {
		size_t len = strcspn(path, ":");

		if (snprintf(buf, sizeof(buf), "%.*s%s%s", (int)len, path,
			     len ? "/" : "", argv[0]) < (int)sizeof(buf)) {
			err = runnable(AT_FDCWD, buf);
			if (!err)
				return;
			if (err == EACCES)
				best = EACCES;
		}
		if (!path[len])
			break;
		path += len + 1;
	}
	not_runnable(argv[0], best);
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

int cx_wait_forward(pid_t pid, bool reap_all)
{
	sigset_t set;
	siginfo_t si;

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

pid_t cx_spawn(int toolfd, char *const argv[])
{
	pid_t pid;

	cx_signals_hold();
	pid = fork();
	if (pid < 0)
		return cx_fail(errno, "fork");
	if (pid == 0) {
		cx_signals_release();
		cx_exec(toolfd, argv);
	}
	return pid;
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
		raise(sig);
		exit(128 + sig);
	}
	exit(WIFEXITED(status) ? WEXITSTATUS(status) : CX_EXIT_FAIL);
}
