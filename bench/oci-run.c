/* oci-run: what containerd does around an OCI runtime, for make bench:
 * mount the container's root (ROOTFS as the read-only lower of an
 * overlay with a fresh upper and work on a tmpfs, as the cx chain and
 * the floor make it) on BUNDLE/rootfs, then become the runtime.  The
 * layer goes with the mount namespace when the runtime exits.  The same
 * job as the cx chain and the floor, with the runtime in the middle.
 *
 *   oci-run ROOTFS BUNDLE RUNTIME [ARG]...
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
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

enum { FAIL = 125 };

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "oci-run: %s %s: %s\n", what, arg, strerror(errno));
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
	const char *rootfs, *bundle;
	char upper[PATH_MAX + 8], work[PATH_MAX + 8], merged[PATH_MAX];
	char opts[3 * PATH_MAX + 64], own[PATH_MAX] = "";

	if (argc < 4) {
		fputs("usage: oci-run ROOTFS BUNDLE RUNTIME [ARG]...\n", stderr);
		return FAIL;
	}
	rootfs = argv[1];
	bundle = argv[2];
	snprintf(merged, sizeof(merged), "%s/rootfs", bundle);
	snprintf(upper, sizeof(upper), "%s/upper", merged);
	snprintf(work, sizeof(work), "%s/work", merged);
	own_cgroup("memory", own, sizeof(own));
	if (unshare(CLONE_NEWNS | CLONE_NEWCGROUP) < 0)
		die("unshare", "mount, cgroup");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make private", "/");
	hide_unified();
	memory_below_ours(own);
	if (mount("cx-layer", merged, "tmpfs", 0, "mode=0755") < 0)
		die("mount tmpfs on", merged);
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0755) < 0)
		die("mkdir in", merged);
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s",
		 rootfs, upper, work);
	if (mount("overlay", merged, "overlay", 0, opts) < 0)
		die("mount overlay on", merged);
	execvp(argv[3], argv + 3);
	die("exec", argv[3]);
}
