#include "proc.h"

#include "die.h"
#include "file.h"
#include "parse.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int cx_parse_pid(const char *s, pid_t *pid)
{
	char digits[16];
	size_t n = strcspn(s, "\n");
	uint64_t v;

	/* One newline at the very end, nothing after it. */
	if (s[n] == '\n' && s[n + 1] != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (n == 0 || n >= sizeof(digits)) {
		errno = n ? ERANGE : EINVAL;
		return -1;
	}
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (cx_parse_u64(digits, &v) < 0)
		return -1;
	if (v == 0 || v > INT_MAX) {
		errno = v ? ERANGE : EINVAL;
		return -1;
	}
	*pid = (pid_t)v;
	return 0;
}

int cx_parse_proc_stat(const char *text, struct cx_proc_stat *st)
{
	const char *p = strrchr(text, ')');
	unsigned long long start;
	char state;
	int used = 0;

	/* After the name: " S ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime cutime cstime priority nice
	 * threads itrealvalue starttime", fields 3 to 22. */
	if (!p || strchr(text, '(') > p ||
	    sscanf(p + 1,
		   " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu%n",
		   &state, &start, &used) != 2 || used == 0) {
		errno = EINVAL;
		return -1;
	}
	st->state = state;
	st->start = start;
	return 0;
}

char **cx_parse_environ(char *buf, size_t len)
{
	size_t n = 0, count = 0;
	char **vec;

	/* A last entry the process left unterminated still counts. */
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			count++;
	vec = calloc(count + 2, sizeof(*vec));
	if (!vec)
		return NULL;
	for (char *s = buf; s < buf + len; s += strlen(s) + 1) {
		char *eq = strchr(s, '=');

		if (eq && eq != s)
			vec[n++] = s;
	}
	vec[n] = NULL;
	return vec;
}

int cx_proc_stat(pid_t pid, struct cx_proc_stat *st)
{
	char path[64], *text;
	size_t len;
	int fd, rc;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cx_fail(errno == ENOENT ? ESRCH : errno, "open %s", path);
	rc = cx_read_all(fd, 4096, &text, &len, path);
	close(fd);
	if (rc < 0)
		return -1;
	rc = cx_parse_proc_stat(text, st);
	free(text);
	if (rc < 0)
		return cx_fail(EINVAL, "parse %s", path);
	return 0;
}

int cx_read_pidfile(const char *path, pid_t *pid)
{
	char *text, shown[PATH_MAX + 16];
	size_t len;
	int rfd, rc;

	snprintf(shown, sizeof(shown), "pidfile %s", path);
	rfd = cx_open_regular_at(AT_FDCWD, path, 0, O_RDONLY, shown);
	if (rfd < 0)
		return -1;
	rc = cx_read_all(rfd, 64, &text, &len, path);
	close(rfd);
	if (rc < 0)
		return cx_fail(cx_last_errno(), "read pidfile %s", path);
	if (strlen(text) != len || cx_parse_pid(text, pid) < 0) {
		free(text);
		return cx_fail(0, "pidfile %s holds no process ID%s", path,
			       len ? "" : " (it is empty)");
	}
	free(text);
	return 0;
}

/* The hold: the signal found, and the thread that keeps it meanwhile. */
static struct {
	int sig;
	pthread_t thread;
	sem_t armed, stop;
	int err;	/* the watcher's PR_SET_PDEATHSIG */
} held;

static void *watch_parent(void *unused)
{
	(void)unused;
	if (prctl(PR_SET_PDEATHSIG, held.sig, 0, 0, 0) < 0)
		held.err = errno;
	sem_post(&held.armed);
	while (sem_wait(&held.stop) < 0 && errno == EINTR)
		;
	return NULL;
}

static void end_watch(void)
{
	sem_post(&held.stop);
	pthread_join(held.thread, NULL);
	sem_destroy(&held.armed);
	sem_destroy(&held.stop);
}

int cx_pdeath_hold(void)
{
	int sig = 0, err;

	memset(&held, 0, sizeof(held));
	if (prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) < 0)
		return cx_fail(errno, "read the parent-death signal");
	if (!sig)
		return 0;
	held.sig = sig;
	if (sem_init(&held.armed, 0, 0) < 0 || sem_init(&held.stop, 0, 0) < 0)
		return cx_fail(errno, "keep the parent-death signal: sem_init");
	err = pthread_create(&held.thread, NULL, watch_parent, NULL);
	if (err) {
		held.sig = 0;
		return cx_fail(err, "keep the parent-death signal across the ID change: start a thread");
	}
	while (sem_wait(&held.armed) < 0 && errno == EINTR)
		;
	if (held.err) {
		err = held.err;
		end_watch();
		held.sig = 0;
		return cx_fail(err, "keep the parent-death signal across the ID change: PR_SET_PDEATHSIG %d",
			       sig);
	}
	return 0;
}

int cx_pdeath_release(void)
{
	int sig = held.sig, now = 0;

	if (!sig)
		return 0;
	held.sig = 0;
	/* Ours first, then the watcher's may go: one of the two is set at
	 * every moment. */
	if (prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) < 0) {
		int err = errno;

		end_watch();
		return cx_fail(err, "set the parent-death signal %d again", sig);
	}
	end_watch();
	if (prctl(PR_GET_PDEATHSIG, &now, 0, 0, 0) < 0 || now != sig)
		return cx_fail(0, "the parent-death signal is %d after the ID change, not %d",
			       now, sig);
	return 0;
}

/* Whether this user namespace denies setgroups(2): its setgroups file
 * says "deny" (as a map written without CAP_SETGID must). */
static bool setgroups_denied(void)
{
	char text[16] = "";
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return n > 0 && strncmp(text, "deny", 4) == 0;
}

#define UNMAPPED "%s %u is not mapped in this user namespace (/proc/self/%s_map): the kernel takes only the ids it maps"

/* setresgid or setresuid (NR) to ID for all three, "gid" or "uid". */
static int set_id(long nr, unsigned id, const char *kind)
{
	char why[160];
	int err;

	cx_say("setres%s %u", kind, id);
	if (syscall(nr, id, id, id) == 0)
		return 0;
	err = errno;
	if (err != EINVAL)
		return cx_fail(err, "setres%s %u", kind, id);
	snprintf(why, sizeof(why), UNMAPPED, kind, id, kind);
	return cx_fail_why(err, why, "setres%s %u", kind, id);
}

int cx_set_ids(const struct cx_ids *ids)
{
	/* syscall(2): glibc's wrappers would change every thread. */
	if (ids->ngroups >= 0 && cx_verbose) {
		char list[256] = "";

		for (int i = 0; i < ids->ngroups && strlen(list) < 200; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s%u", i ? "," : "", (unsigned)ids->groups[i]);
		cx_say("setgroups %s", *list ? list : "(none)");
	}
	if (ids->ngroups >= 0 &&
	    syscall(SYS_setgroups, (size_t)ids->ngroups, ids->groups) < 0) {
		if (errno == EPERM && setgroups_denied())
			return cx_fail_why(EPERM, "this user namespace denies it (its setgroups file says deny, as cx-unshare --map-root-user leaves it; a group map written by newgidmap, such as --map-auto's, allows it)",
					   "setgroups");
		if (errno == EINVAL)
			return cx_fail_why(EINVAL, "a group of the list is not mapped in this user namespace (/proc/self/gid_map): the kernel takes only the ids it maps",
					   "setgroups");
		return cx_fail(errno, "setgroups");
	}
	if ((ids->set_gid && set_id(SYS_setresgid, ids->gid, "gid") < 0) ||
	    (ids->set_uid && set_id(SYS_setresuid, ids->uid, "uid") < 0))
		return -1;
	return 0;
}
