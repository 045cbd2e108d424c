/* floor: the container of examples/container.sh made by one program,
 * with the same system calls and no exec chain.  make bench measures
 * every way of making that container against this one: it is the floor,
 * what the kernel work itself costs.
 *
 *   floor [-C] [-I] [-P] ROOTFS HOSTDIR [COMMAND [ARG]...]
 *
 * The container: new pid, mount, uts, ipc, net and cgroup namespaces,
 * with an init (PID 1) that forks the rest and reaps; a cgroup v1
 * memory (100M, no swap) and pids (64) cgroup, created below our own
 * cgroup of each hierarchy and removed at the end; ROOTFS as the
 * read-only lower of an overlay mounted over ROOTFS itself, with a
 * fresh upper and work on a tmpfs under it (the container layer, gone
 * with the mount namespace, as cx-overlay --tmpfs makes it); HOSTDIR bound read-only (nosuid, nodev) on
 * /mnt/share, and the memory cgroup on /sys/fs/cgroup; null, zero,
 * full, random, urandom and tty bound from the host's /dev; proc and a
 * devpts of its own; pivot_root; Docker's default capabilities, the
 * inheritable and ambient sets empty; no_new_privs; then COMMAND
 * (/bin/true).
 *
 *   -C  no cgroup at all: the floor without it, to see what it costs
 *   -I  no init: COMMAND is PID 1
 *   -P  join through cgroup.procs instead of tasks
 *
 * A benchmark helper, not a tool: messages say "floor: STEP PATH: why",
 * the exit status is the command's, or 125 when a step failed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum { FAIL = 125 };

/* Docker's default set (moby's oci/caps/defaults.go). */
static const int docker_caps[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD,
	CAP_NET_RAW, CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP,
	CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE,
};

static const char *const devices[] = {
	"null", "zero", "full", "random", "urandom", "tty",
};

/* The cgroups: one directory per v1 hierarchy, with its limits. */
struct limit {
	const char *file, *value;
	int optional;		/* memsw: absent without swap accounting */
};
static const struct cgroup_kind {
	const char *controller;
	struct limit limits[3];
} kinds[] = {
	{ "memory", { { "memory.limit_in_bytes", "104857600", 0 },
		      { "memory.memsw.limit_in_bytes", "104857600", 1 } } },
	{ "pids", { { "pids.max", "64", 0 } } },
};
enum { NKINDS = sizeof(kinds) / sizeof(kinds[0]) };

struct floor {
	const char *rootfs, *hostdir;
	char **cmd;
	int cgroup, procs, init;
	char upper[PATH_MAX], work[PATH_MAX];
	const char *merged;
	char cg[NKINDS][PATH_MAX];
	int made_cg[NKINDS];
};

static void vwarn(const char *fmt, va_list ap)
{
	int err = errno;

	fputs("floor: ", stderr);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s\n", strerror(err));
	errno = err;
}

static void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

static void path(char *buf, const char *a, const char *b)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", a, b) >= PATH_MAX) {
		fprintf(stderr, "floor: path too long: %s/%s\n", a, b);
		exit(FAIL);
	}
}

static int write_file(const char *dir, const char *file, const char *value)
{
	char p[PATH_MAX];
	size_t len = strlen(value);
	int fd, rc = 0;

	path(p, dir, file);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, value, len) != (ssize_t)len)
		rc = -1;
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

/* Our own cgroup in the v1 hierarchy of CONTROLLER, from
 * /proc/self/cgroup ("4:memory:/a/b"): the new cgroup goes below it,
 * so that it stays inside whatever limits we already live under. */
static int own_cgroup(const char *controller, char *out)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[PATH_MAX + 64];
	int found = -1;

	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f)) {
		char *ctls = strchr(line, ':'), *p, *tok, *save;

		if (!ctls || !(p = strchr(++ctls, ':')))
			continue;
		*p++ = '\0';
		p[strcspn(p, "\n")] = '\0';
		for (tok = strtok_r(ctls, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			if (strcmp(tok, controller) == 0) {
				snprintf(out, PATH_MAX, "%s", p);
				found = 0;
			}
	}
	fclose(f);
	if (found < 0)
		errno = ENOENT;
	return found;
}

static int make_cgroups(struct floor *fl)
{
	for (int k = 0; k < NKINDS; k++) {
		const struct cgroup_kind *kind = &kinds[k];
		char own[PATH_MAX];

		if (own_cgroup(kind->controller, own) < 0) {
			warn("find our %s cgroup in /proc/self/cgroup",
			     kind->controller);
			return -1;
		}
		if (snprintf(fl->cg[k], PATH_MAX,
			     "/sys/fs/cgroup/%s%s/cx-bench-floor-%d",
			     kind->controller, strcmp(own, "/") ? own : "",
			     (int)getpid()) >= PATH_MAX) {
			errno = ENAMETOOLONG;
			warn("cgroup path for %s", kind->controller);
			return -1;
		}
		if (mkdir(fl->cg[k], 0755) < 0) {
			warn("mkdir %s", fl->cg[k]);
			return -1;
		}
		fl->made_cg[k] = 1;
		for (const struct limit *l = kind->limits; l->file; l++)
			if (write_file(fl->cg[k], l->file, l->value) < 0 &&
			    !(l->optional && errno == ENOENT)) {
				warn("write %s to %s/%s", l->value, fl->cg[k],
				     l->file);
				return -1;
			}
	}
	return 0;
}

/* Remove what we made: the cgroups (the layer went with the child's
 * mount namespace). */
static void cleanup(struct floor *fl)
{
	for (int k = 0; k < NKINDS; k++)
		if (fl->made_cg[k] && rmdir(fl->cg[k]) < 0)
			warn("rmdir %s", fl->cg[k]);
}

/* ---- the child: everything from here on runs as PID 1 of the new pid
 * namespace, and exits 125 at the first failed step. */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	_exit(FAIL);
}

static void join_cgroups(struct floor *fl)
{
	/* "0" is the writer itself.  A v1 tasks write moves this thread
	 * only (we have one); cgroup.procs moves the thread group, which
	 * takes the threadgroup lock and can wait for an RCU grace period
	 * (-P shows the difference). */
	const char *file = fl->procs ? "cgroup.procs" : "tasks";

	for (int k = 0; k < NKINDS; k++)
		if (write_file(fl->cg[k], file, "0") < 0)
			die("write 0 to %s/%s", fl->cg[k], file);
}

static void mount_overlay(struct floor *fl)
{
	char opts[3 * PATH_MAX + 64];
	int lower = open(fl->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

	/* The tmpfs hides ROOTFS: the lower goes by its descriptor. */
	if (lower < 0)
		die("open %s", fl->rootfs);
	if (mount("cx-layer", fl->merged, "tmpfs", 0, "mode=0755") < 0)
		die("mount tmpfs on %s", fl->merged);
	path(fl->upper, fl->merged, "upper");
	path(fl->work, fl->merged, "work");
	if (mkdir(fl->upper, 0755) < 0 || mkdir(fl->work, 0755) < 0)
		die("mkdir in %s", fl->merged);
	if (snprintf(opts, sizeof(opts),
		     "lowerdir=/proc/self/fd/%d,upperdir=%s,workdir=%s", lower,
		     fl->upper, fl->work) >= (int)sizeof(opts)) {
		errno = ENAMETOOLONG;
		die("overlay options");
	}
	if (mount("overlay", fl->merged, "overlay", 0, opts) < 0)
		die("mount overlay on %s", fl->merged);
	close(lower);
}

static void bind_ro(const char *src, const char *dst)
{
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("bind %s on %s", src, dst);
	/* A bind takes no flags: read-only is a remount of the bind. */
	if (mount(NULL, dst, NULL,
		  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
		  NULL) < 0)
		die("remount %s read-only", dst);
}

static void mount_dev(struct floor *fl)
{
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		char src[64], dst[PATH_MAX], dir[PATH_MAX];
		int fd;

		snprintf(src, sizeof(src), "/dev/%s", devices[i]);
		path(dir, fl->merged, "dev");
		path(dst, dir, devices[i]);
		/* The mount point: an empty file, in the container layer. */
		fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			die("create %s", dst);
		close(fd);
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			die("bind %s on %s", src, dst);
	}
}

static void pivot(struct floor *fl)
{
	/* pivot_root(".", "."): the old root ends up on top of the new
	 * one, and the detach removes it; no directory for it needed. */
	if (chdir(fl->merged) < 0)
		die("chdir %s", fl->merged);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root %s", fl->merged);
	if (umount2(".", MNT_DETACH) < 0)
		die("detach the old root");
	if (chdir("/") < 0)
		die("chdir /");
}

static void drop_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	unsigned long long keep = 0;

	for (size_t i = 0; i < sizeof(docker_caps) / sizeof(docker_caps[0]); i++)
		keep |= 1ULL << docker_caps[i];
	/* The bounding set first: dropping from it needs CAP_SETPCAP in
	 * the effective set, which capset may be about to take away.
	 * EINVAL marks the first capability the kernel does not know. */
	for (int c = 0; c < 64; c++) {
		if (keep & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break;
			die("drop capability %d from the bounding set", c);
		}
	}
	d[0].effective = d[0].permitted = (unsigned)keep;
	d[1].effective = d[1].permitted = (unsigned)(keep >> 32);
	if (syscall(SYS_capset, &h, d) < 0)
		die("capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		die("clear the ambient set");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("set no_new_privs");
}

/* mkdir DIR/NAME (a mount point, made in the container layer). */
static void mountpoint(char *out, const char *dir, const char *name)
{
	path(out, dir, name);
	if (mkdir(out, 0755) < 0 && errno != EEXIST)
		die("mkdir %s", out);
}

/* The container's own steps, from the overlay to the exec. */
static void container(struct floor *fl)
{
	char p[PATH_MAX], q[PATH_MAX];

	if (sethostname("cx", 2) < 0)
		die("sethostname cx");
	mount_overlay(fl);
	path(p, fl->merged, "mnt");
	mountpoint(q, p, "share");
	bind_ro(fl->hostdir, q);
	if (fl->cgroup) {
		/* The container sees its memory cgroup, read-only. */
		path(p, fl->merged, "sys");
		mountpoint(q, p, "fs");
		mountpoint(p, q, "cgroup");
		bind_ro(fl->cg[0], p);
	}
	mount_dev(fl);
	path(p, fl->merged, "proc");
	if (mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		die("mount proc on %s", p);
	path(q, fl->merged, "dev");
	mountpoint(p, q, "pts");
	if (mount("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620") < 0)
		die("mount devpts on %s", p);
	pivot(fl);
	drop_caps();
	execv(fl->cmd[0], fl->cmd);
	die("exec %s", fl->cmd[0]);
}

/* PID 1 of the new pid namespace: it runs the container as its child,
 * reaps whatever dies, and exits as the container did. */
static void init(struct floor *fl)
{
	int status = 0;
	pid_t pid = fork(), dead;

	if (pid < 0)
		die("fork the container");
	if (pid == 0)
		container(fl);
	while ((dead = wait(&status)) != pid)
		if (dead < 0 && errno != EINTR)
			die("wait");
	_exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status)
				  : WEXITSTATUS(status));
}

static void child(struct floor *fl)
{
	if (fl->cgroup)
		join_cgroups(fl);
	/* The mount namespace is the child's alone: pivot_root moves the
	 * root of every process of the namespace that shares the old one,
	 * and the parent must keep the host's to clean up.  The cgroup
	 * namespace comes after the join, so that its root is the new
	 * cgroup. */
	if (unshare(CLONE_NEWNS | CLONE_NEWCGROUP) < 0)
		die("unshare mount, cgroup");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private");
	if (fl->init)
		init(fl);
	container(fl);
}

static void usage(void)
{
	fputs("usage: floor [-C] [-I] [-P] ROOTFS HOSTDIR "
	      "[COMMAND [ARG]...]\n", stderr);
	exit(FAIL);
}

int main(int argc, char **argv)
{
	static char *true_cmd[] = { "/bin/true", NULL };
	static struct floor fl = { .cgroup = 1, .init = 1 };
	int opt, status;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+CIP")) != -1) {
		switch (opt) {
		case 'C':
			fl.cgroup = 0;
			break;
		case 'I':
			fl.init = 0;
			break;
		case 'P':
			fl.procs = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2)
		usage();
	fl.rootfs = argv[optind];
	fl.merged = fl.rootfs;
	fl.hostdir = argv[optind + 1];
	fl.cmd = argc - optind > 2 ? argv + optind + 2 : true_cmd;

	if (fl.cgroup && make_cgroups(&fl) < 0)
		goto fail;
	/* PID first of all: it only applies to children. */
	if (unshare(CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
		    CLONE_NEWNET) < 0) {
		warn("unshare pid, uts, ipc, net");
		goto fail;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		warn("fork");
		goto fail;
	}
	if (pid == 0)
		child(&fl);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			warn("waitpid");
			goto fail;
		}
	cleanup(&fl);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
fail:
	cleanup(&fl);
	return FAIL;
}
