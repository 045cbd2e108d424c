/* oci-run: what containerd does around an OCI runtime, for make bench:
 * mount the container's root (ROOTFS as the read-only lower of an
 * overlay with a fresh upper) on BUNDLE/rootfs, run the runtime, then
 * unmount it and remove the container layer.  The same job as the cx
 * chain and the floor, with the runtime in the middle.
 *
 *   oci-run [-t TMPDIR] ROOTFS BUNDLE RUNTIME [ARG]...
 *
 * It works in a mount and cgroup namespace of its own, so the host sees
 * none of this, and fixes two things of this hybrid host there:
 * - crun refuses a hybrid host whose cgroup2 has controllers ("cgroups
 *   in hybrid mode not supported"; here it has hugetlb): an empty tmpfs
 *   over /sys/fs/cgroup/unified makes it a v1 host, for both runtimes.
 * - crun puts a relative cgroupsPath below the root of each hierarchy,
 *   runc below its own cgroup: our own memory cgroup is bound over the
 *   memory hierarchy's mount point, and the new cgroup namespace makes
 *   /proc/self/cgroup agree, so both runtimes' cgroups stay below ours,
 *   as the floor's do.  (A second v1 mount of the hierarchy from the
 *   cgroup namespace would be cleaner; this kernel refuses it, EBUSY.)
 * Exits with the runtime's status, 125 when a step of its own failed. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

enum { FAIL = 125 };

static char tmp[PATH_MAX];

static int remove_one(const char *p, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(p) : unlink(p)) < 0)
		fprintf(stderr, "oci-run: remove %s: %s\n", p, strerror(errno));
	return 0;
}

static void cleanup(void)
{
	if (*tmp)
		nftw(tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "oci-run: %s %s: %s\n", what, arg, strerror(errno));
	cleanup();
	exit(FAIL);
}

static void hide_unified(void)
{
	const char *u = "/sys/fs/cgroup/unified";
	struct statfs fs;

	if (statfs(u, &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC)
		return;
	if (mount("none", u, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=4k,mode=755") < 0)
		die("mount tmpfs on", u);
}

/* Our own cgroup in the v1 hierarchy of CONTROLLER ("/a/b"), from
 * /proc/self/cgroup, read before the cgroup namespace hides it. */
static int own_cgroup(const char *controller, char *out, size_t len)
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
				snprintf(out, len, "%s", p);
				found = 0;
			}
	}
	fclose(f);
	return found;
}

/* OWN is our memory cgroup: bound over the hierarchy's mount point, it
 * is the root the runtimes see (and, in the new cgroup namespace,
 * /proc/self/cgroup says "/" to match). */
static void memory_below_ours(const char *own)
{
	const char *m = "/sys/fs/cgroup/memory";
	char dir[PATH_MAX + 32];

	if (!*own || strcmp(own, "/") == 0)
		return;
	snprintf(dir, sizeof(dir), "%s%s", m, own);
	if (mount(dir, m, NULL, MS_BIND, NULL) < 0)
		die("bind our memory cgroup on", m);
}

int main(int argc, char **argv)
{
	const char *base = getenv("TMPDIR"), *rootfs, *bundle;
	char upper[PATH_MAX + 8], work[PATH_MAX + 8], merged[PATH_MAX];
	char opts[3 * PATH_MAX + 64], own[PATH_MAX] = "";
	int opt, status;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+t:")) != -1) {
		if (opt != 't')
			goto usage;
		base = optarg;
	}
	if (argc - optind < 3)
		goto usage;
	rootfs = argv[optind];
	bundle = argv[optind + 1];
	snprintf(merged, sizeof(merged), "%s/rootfs", bundle);
	snprintf(tmp, sizeof(tmp), "%s/cx-oci.XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(tmp)) {
		*tmp = '\0';
		die("mkdtemp", "");
	}
	snprintf(upper, sizeof(upper), "%s/upper", tmp);
	snprintf(work, sizeof(work), "%s/work", tmp);
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0755) < 0)
		die("mkdir in", tmp);
	own_cgroup("memory", own, sizeof(own));
	if (unshare(CLONE_NEWNS | CLONE_NEWCGROUP) < 0)
		die("unshare", "mount, cgroup");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make private", "/");
	hide_unified();
	memory_below_ours(own);
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s",
		 rootfs, upper, work);
	if (mount("overlay", merged, "overlay", 0, opts) < 0)
		die("mount overlay on", merged);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork", "");
	if (pid == 0) {
		execvp(argv[optind + 2], argv + optind + 2);
		fprintf(stderr, "oci-run: exec %s: %s\n", argv[optind + 2],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid", "");
	if (umount2(merged, 0) < 0)
		die("umount", merged);
	cleanup();
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status)
				   : WEXITSTATUS(status);
usage:
	fputs("usage: oci-run [-t TMPDIR] ROOTFS BUNDLE RUNTIME [ARG]...\n",
	      stderr);
	return FAIL;
}
