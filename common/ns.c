#include "ns.h"

#include "die.h"
#include "mount.h"
#include "parse.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

/* The order is the order of entry for cx-nsenter: user first, so that
 * the other joins are checked against the capabilities we gain in it. */
const struct cx_ns cx_ns_table[CX_NS_COUNT] = {
	[CX_NS_USER] = { "user", "user", NULL, CLONE_NEWUSER },
	[CX_NS_CGROUP] = { "cgroup", "cgroup", NULL, CLONE_NEWCGROUP },
	[CX_NS_IPC] = { "ipc", "ipc", NULL, CLONE_NEWIPC },
	[CX_NS_UTS] = { "uts", "uts", NULL, CLONE_NEWUTS },
	[CX_NS_NET] = { "net", "net", NULL, CLONE_NEWNET },
	[CX_NS_PID] = { "pid", "pid", "pid_for_children", CLONE_NEWPID },
	[CX_NS_MNT] = { "mount", "mnt", NULL, CLONE_NEWNS },
	[CX_NS_TIME] = { "time", "time", "time_for_children", CLONE_NEWTIME },
};

int cx_ns_inode(pid_t pid, const char *file, ino_t *ino)
{
	char path[64];
	struct stat st;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, file);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", file);
	if (stat(path, &st) < 0)
		return cx_fail(errno, "stat %s", path);
	*ino = st.st_ino;
	return 0;
}

int cx_ns_pid_is_initial(void)
{
	struct statfs fs;
	struct stat st;
	int fd = open("/proc/self/ns/pid", O_PATH | O_CLOEXEC), ok;

	if (fd < 0)
		return -1;
	/* Only nsfs's own: a rootfs may hold a file of any name. */
	ok = fstatfs(fd, &fs) == 0 && fs.f_type == NSFS_MAGIC &&
	     fstat(fd, &st) == 0;
	close(fd);
	if (!ok)
		return -1;
	return st.st_ino == 0xEFFFFFFCU;
}

bool cx_ns_in_sight(void)
{
	return cx_ns_pid_is_initial() != 1;
}

void cx_ns_leave_for_waiting(const char *const *dirs, const char *who,
			     int gate, pid_t child)
{
	int status;

	signal(SIGPIPE, SIG_IGN);
	cx_say("%s leaves the tree and namespaces it was given: a container's process sees it",
	       who);
	if (unshare(CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC) < 0)
		cx_fail(errno, "%s: unshare network, UTS and IPC namespaces of its own",
			who);
	else if (cx_mount_leave_tree(dirs, "cx-wait", who) == 0)
		return;
	cx_warn_last();
	close(gate);
	waitpid(child, &status, 0);
	exit(CX_EXIT_FAIL);
}

int cx_ns_user_is_initial(void)
{
	char text[64];
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	/* The first namespace maps every id to itself, in one line; the
	 * kernel pads the columns with spaces. */
	{
		unsigned long a, b, c;
		int used = 0;

		if (sscanf(text, " %lu %lu %lu%n", &a, &b, &c, &used) != 3)
			return -1;
		return a == 0 && b == 0 && c == 4294967295UL &&
		       text[used] == '\n' && text[used + 1] == '\0';
	}
}

/* Write the map lines (or the identity) to /proc/PID/FILE, in one
 * write(2), as the kernel takes it. */
static int write_map(pid_t pid, const char *file, const struct cx_idmap *m,
		     size_t n)
{
	char path[64], text[4096];
	size_t len = 0;
	int fd, rc;

	/* No lines: every id this namespace has, to itself (the whole
	 * range only in the first one; a parent map is all a child may
	 * cover). */
	if (!n) {
		char own[32], line[128];
		unsigned long inner, outer, count;
		FILE *f;

		snprintf(own, sizeof(own), "/proc/self/%s", file);
		f = fopen(own, "re");
		if (!f)
			return cx_fail(errno, "open %s", own);
		while (fgets(line, sizeof(line), f) && len < sizeof(text))
			if (sscanf(line, "%lu %lu %lu", &inner, &outer, &count) == 3)
				len += (size_t)snprintf(text + len, sizeof(text) - len,
							"%lu %lu %lu\n", inner,
							inner, count);
		fclose(f);
	}
	for (size_t i = 0; i < n && len < sizeof(text); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%u %u %u\n", m[i].inner, m[i].outer,
					m[i].count);
	if (len >= sizeof(text))
		return cx_fail(E2BIG, "write /proc/%d/%s", (int)pid, file);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cx_fail(errno, "open %s", path);
	rc = (int)write(fd, text, len);
	if (rc < 0 || (size_t)rc != len) {
		int err = rc < 0 ? errno : EIO;

		close(fd);
		return cx_fail(err, "write %s", path);
	}
	close(fd);
	return 0;
}

int cx_ns_user_mapped(const struct cx_idmap *uids, size_t nu,
		      const struct cx_idmap *gids, size_t ng)
{
	char path[64];
	pid_t pid;
	int fd = -1;

	/* Born in the new namespace, the child only waits to be killed:
	 * a namespace with nobody in it cannot be given maps. */
	pid_t parent = getpid();

	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		return cx_fail(errno, "make a user namespace for the id map");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		/* A parent gone before the line above: no signal comes. */
		if (getppid() != parent)
			_exit(0);
		for (;;)
			pause();
	}
	if (write_map(pid, "uid_map", uids, nu) == 0 &&
	    write_map(pid, "gid_map", gids, ng) == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			cx_fail(errno, "open %s", path);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return fd;
}
