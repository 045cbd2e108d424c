#include "exec.h"

#include "die.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

int cx_exec_preopen(char *const argv[])
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (!argv[0] || !is_tool_name(argv[0]))
		return -1;
	if (strchr(argv[0], '/'))
		return open(argv[0], O_PATH | O_CLOEXEC);
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		int fd;

		if (len && len < sizeof(buf) - strlen(argv[0]) - 2) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path,
				 argv[0]);
			fd = open(buf, O_PATH | O_CLOEXEC);
			if (fd >= 0) {
				if (faccessat(fd, "", X_OK, AT_EMPTY_PATH) == 0)
					return fd;
				close(fd);
			}
		}
		path += len;
		if (*path == ':')
			path++;
	}
	return -1;
}

void cx_exec(int toolfd, char *const argv[])
{
	int err;

	/* Everything above 2 closes at exec, whoever opened it. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 1024; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (toolfd >= 0)
		execveat(toolfd, "", argv, environ, AT_EMPTY_PATH);
	else
		execvp(argv[0], argv);
	err = errno;
	fprintf(stderr, "%s: exec %s: %s\n", cx_prog, argv[0], strerror(err));
	exit(err == ENOENT ? CX_EXIT_NOT_FOUND : CX_EXIT_CANNOT_RUN);
}

static void nothing(int sig)
{
	(void)sig;
}

void cx_signals_hold(void)
{
	struct sigaction sa = { .sa_handler = nothing };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	/* A handler, not SIG_DFL: an init of a pid namespace never gets the
	 * signals it leaves at their default. */
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(*forwarded); i++) {
		sigaddset(&set, forwarded[i]);
		sigaction(forwarded[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &set, &saved_mask);
}

void cx_signals_release(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };

	for (size_t i = 0; i < sizeof(forwarded) / sizeof(*forwarded); i++)
		sigaction(forwarded[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
}

int cx_wait_forward(pid_t pid, bool reap_all)
{
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(*forwarded); i++)
		sigaddset(&set, forwarded[i]);
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
		if (si.si_signo != SIGCHLD)
			kill(pid, si.si_signo);
	}
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
