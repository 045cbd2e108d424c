#include "ns.h"

#include "die.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
