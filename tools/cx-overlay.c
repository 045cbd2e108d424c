/* cx-overlay: an overlay mount (then the rest of argv), the changes of
 * a container layer, and image layers with their whiteouts. */
#include "die.h"
#include "exec.h"
#include "json-out.h"
#include "mount.h"
#include "ns.h"
#include "opt.h"
#include "overlay.h"
#include "overlay-image.h"
#include "overlay-layer.h"
#include "overlay-save.h"
#include "overlay-tar.h"
#include "parse.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	OPT_LOWER = 1, OPT_UPPER, OPT_WORK, OPT_VOLATILE, OPT_USERXATTR,
	OPT_REDIRECT_DIR, OPT_METACOPY, OPT_LAZY, OPT_ALLOW_DEVICES, OPT_REF,
	OPT_TMPFS, OPT_SUID, OPT_DEV, OPT_ALLOW_SUID, OPT_JSON, OPT_ENTRYPOINT,
	OPT_CMD, OPT_ENV, OPT_WORKDIR, OPT_USER,
};

/* A repeated option's values, NULL-terminated. */
struct list {
	const char **v;
	size_t n;
};

struct ctx {
	const char *lower, *upper, *work, *redirect_dir, *ref, *tmpfs_size;
	bool is_volatile, userxattr, metacopy, lazy, allow_devices, tmpfs;
	bool suid, dev, allow_suid, json;
	struct list entrypoint, cmd, env;
	const char *workdir, *user;
};

static void append(struct list *l, const char *arg)
{
	const char **v = realloc(l->v, (l->n + 2) * sizeof(*v));

	if (!v)
		cx_die_errno("malloc");
	v[l->n++] = arg;
	v[l->n] = NULL;
	l->v = v;
}

static int on_option(void *p, int val, const char *arg)
{
	struct ctx *c = p;

	switch (val) {
	case OPT_LOWER: c->lower = arg; break;
	case OPT_UPPER: c->upper = arg; break;
	case OPT_WORK: c->work = arg; break;
	case OPT_VOLATILE: c->is_volatile = true; break;
	case OPT_USERXATTR: c->userxattr = true; break;
	case OPT_REDIRECT_DIR: c->redirect_dir = arg ? arg : "on"; break;
	case OPT_METACOPY: c->metacopy = true; break;
	case OPT_LAZY: c->lazy = true; break;
	case OPT_ALLOW_DEVICES: c->allow_devices = true; break;
	case OPT_REF: c->ref = arg; break;
	case OPT_TMPFS: c->tmpfs = true; c->tmpfs_size = arg; break;
	case OPT_SUID: c->suid = true; break;
	case OPT_DEV: c->dev = true; break;
	case OPT_ALLOW_SUID: c->allow_suid = true; break;
	case OPT_JSON: c->json = true; break;
	case OPT_ENTRYPOINT: append(&c->entrypoint, arg); break;
	case OPT_CMD: append(&c->cmd, arg); break;
	case OPT_ENV:
		if (!strchr(arg, '=') || arg[0] == '=')
			cx_usage_error("--env %s: NAME=VALUE expected", arg);
		append(&c->env, arg);
		break;
	case OPT_WORKDIR: c->workdir = arg; break;
	case OPT_USER: c->user = arg; break;
	}
	return 0;
}

#define LOWER_OPT(what) \
	{ "lower", 'l', POPT_ARG_STRING, NULL, OPT_LOWER, what, "DIR[:DIR...]" }
#define UNPACK_OPTS \
	{ "allow-devices", 0, POPT_ARG_NONE, NULL, OPT_ALLOW_DEVICES, \
	  "create the device nodes a layer holds (refused otherwise)", NULL }, \
	{ "allow-suid", 0, POPT_ARG_NONE, NULL, OPT_ALLOW_SUID, \
	  "keep set-user-ID and set-group-ID bits and file capabilities (dropped otherwise)", NULL }, \
	{ "userxattr", 0, POPT_ARG_NONE, NULL, OPT_USERXATTR, \
	  "mark opaque directories with user.overlay.opaque", NULL }

static const struct poptOption mount_options[] = {
	LOWER_OPT("the lower layers, topmost first"),
	{ "upper", 'u', POPT_ARG_STRING, NULL, OPT_UPPER,
	  "the writable layer (made if missing)", "DIR" },
	{ "work", 'w', POPT_ARG_STRING, NULL, OPT_WORK,
	  "overlayfs's work directory, on the upper's mount (made if missing)",
	  "DIR" },
	{ "tmpfs", 0, POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, OPT_TMPFS,
	  "the upper and work dirs on a new tmpfs of at most SIZE, mounted at MERGED under the overlay",
	  "SIZE" },
	{ "volatile", 0, POPT_ARG_NONE, NULL, OPT_VOLATILE,
	  "no syncs to the upper layer (lost on a crash)", NULL },
	{ "userxattr", 0, POPT_ARG_NONE, NULL, OPT_USERXATTR,
	  "user.overlay.* xattrs, for a user namespace", NULL },
	{ "redirect-dir", 0, POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL,
	  OPT_REDIRECT_DIR, "on|follow|nofollow|off (on)", "MODE" },
	{ "metacopy", 0, POPT_ARG_NONE, NULL, OPT_METACOPY,
	  "copy up only the metadata of a file until it is written", NULL },
	{ "suid", 0, POPT_ARG_NONE, NULL, OPT_SUID,
	  "honour set-user-ID bits and file capabilities (the mount is nosuid otherwise)", NULL },
	{ "dev", 0, POPT_ARG_NONE, NULL, OPT_DEV,
	  "allow access to device files (the mount is nodev otherwise)", NULL },
	POPT_TABLEEND
};

static const struct poptOption umount_options[] = {
	{ "lazy", 0, POPT_ARG_NONE, NULL, OPT_LAZY,
	  "detach now, clean up when no longer busy", NULL },
	POPT_TABLEEND
};

static const struct poptOption diff_options[] = {
	LOWER_OPT("the lower layers under UPPER, topmost first"),
	{ "json", 0, POPT_ARG_NONE, NULL, OPT_JSON,
	  "one JSON array of {\"kind\", \"path\"} (control characters escaped)",
	  NULL },
	POPT_TABLEEND
};

static const struct poptOption unpack_options[] = {
	UNPACK_OPTS,
	POPT_TABLEEND
};

static const struct poptOption image_options[] = {
	{ "ref", 0, POPT_ARG_STRING, NULL, OPT_REF,
	  "the image to take: a ref name, or a docker save tag", "NAME" },
	UNPACK_OPTS,
	POPT_TABLEEND
};

static const struct poptOption save_options[] = {
	{ "entrypoint", 0, POPT_ARG_STRING, NULL, OPT_ENTRYPOINT,
	  "one word of the image's Entrypoint (again for the next)", "WORD" },
	{ "cmd", 0, POPT_ARG_STRING, NULL, OPT_CMD,
	  "one word of the image's Cmd (again for the next)", "WORD" },
	{ "env", 'e', POPT_ARG_STRING, NULL, OPT_ENV,
	  "a variable of the image's Env (again for the next)", "NAME=VALUE" },
	{ "workdir", 'w', POPT_ARG_STRING, NULL, OPT_WORKDIR,
	  "the image's WorkingDir", "DIR" },
	{ "user", 'u', POPT_ARG_STRING, NULL, OPT_USER,
	  "the image's User", "USER[:GROUP]" },
	POPT_TABLEEND
};

static const struct poptOption no_options[] = { POPT_TABLEEND };

struct verb {
	const char *name;
	void (*run)(struct ctx *c, char **args);
	struct cx_tool tool;
};

static void run_mount(struct ctx *c, char **args);
static void run_umount(struct ctx *c, char **args);
static void run_diff(struct ctx *c, char **args);
static void run_unpack(struct ctx *c, char **args);
static void run_commit(struct ctx *c, char **args);
static void run_image(struct ctx *c, char **args);
static void run_save(struct ctx *c, char **args);

static const struct verb verbs[] = {
	{ "mount", run_mount, { "cx-overlay",
	  "mount [options] --lower DIR[:DIR...] [--upper DIR --work DIR | --tmpfs[=SIZE]] MERGED [COMMAND [ARG]...]",
	  "Mount an overlay on MERGED, then run COMMAND.", mount_options,
	  NULL } },
	{ "umount", run_umount, { "cx-overlay", "umount [--lazy] MERGED",
	  "Unmount the overlay on MERGED.", umount_options, NULL } },
	{ "diff", run_diff, { "cx-overlay", "diff [--json] --lower DIR[:DIR...] UPPER",
	  "List what UPPER changes over the lower layers, as docker diff does.",
	  diff_options, NULL } },
	{ "unpack", run_unpack, { "cx-overlay",
	  "unpack [options] LAYER.tar[.gz|.zst] DIR",
	  "Unpack an image layer into the overlay layer DIR (LAYER - reads standard input).",
	  unpack_options, NULL } },
	{ "commit", run_commit, { "cx-overlay", "commit UPPER LAYER.tar[.gz|.zst]",
	  "Write the upper layer UPPER as an image layer.", no_options,
	  NULL } },
	{ "image", run_image, { "cx-overlay", "image [options] SOURCE DIR",
	  "Unpack an image (OCI layout or docker save archive) into one directory per layer; print the --lower string.",
	  image_options, NULL } },
	{ "save", run_save, { "cx-overlay",
	  "save [options] LAYOUT[:NAME] SOURCE...",
	  "Write an OCI image layout from SOURCEs (directories or layer tarballs, the base first), the image named NAME (latest).",
	  save_options, NULL } },
};

static const struct cx_tool tool = {
	"cx-overlay", "COMMAND [options] ARG...",
	"Overlay mounts, container layers and image layers.\n\n"
	"Commands:\n"
	"  mount   --lower DIR[:DIR...] [--upper DIR --work DIR | --tmpfs] MERGED [COMMAND...]\n"
	"  umount  MERGED\n"
	"  diff    --lower DIR[:DIR...] UPPER\n"
	"  unpack  LAYER.tar[.gz|.zst] DIR\n"
	"  commit  UPPER LAYER.tar[.gz|.zst]\n"
	"  image   SOURCE DIR\n"
	"  save    LAYOUT[:NAME] SOURCE...\n\n"
	"'cx-overlay COMMAND --help' lists the options of COMMAND.",
	no_options, NULL,
};

static void operands(char **args, int min, int max, const char *names)
{
	int n = 0;

	while (args[n])
		n++;
	if (n < min)
		cx_usage_error("missing operand: %s", names);
	if (max >= 0 && n > max)
		cx_usage_error("unexpected operand '%s'", args[max]);
}

/* A path as the kernel and messages should see it: absolute, since the
 * mount(2) fallback works from inside the mount point. */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX], *out;

	if (path[0] == '/')
		out = strdup(path);
	else if (!getcwd(cwd, sizeof(cwd)))
		cx_die_errno("getcwd");
	else if (asprintf(&out, "%s/%s", strcmp(cwd, "/") ? cwd : "", path) < 0)
		out = NULL;
	if (!out)
		cx_die_errno("malloc");
	return out;
}

static char **lower_list(const char *arg, size_t *n)
{
	char **dirs = cx_lower_split(arg, n);

	if (!dirs && errno == ENOMEM)
		cx_die_errno("malloc");
	if (!dirs)
		cx_usage_error("invalid --lower '%s': directories separated by ':', none empty (\\: for a colon in a name)",
			       arg);
	return dirs;
}

/* --- mount ---------------------------------------------------------- */

static const char *const redirect_modes[] = {
	"on", "follow", "nofollow", "off", NULL,
};

struct made {
	const char *path;
	bool created;
};

static void undo(struct made *m, size_t n)
{
	while (n-- > 0)
		if (m[n].created)
			cx_remove_tree(AT_FDCWD, m[n].path);
}

static int open_layer_dir(struct made *m, const char *what)
{
	int fd;

	if (mkdir(m->path, 0755) == 0)
		m->created = true;
	else if (errno != EEXIST)
		return cx_fail(errno, "mkdir %s dir %s", what, m->path);
	fd = open(m->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cx_fail(errno, "%s dir %s", what, m->path);
	return fd;
}

static int mount_id(int fd, struct statx *stx)
{
	return statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID,
		     stx);
}

static bool same_mount(const struct statx *a, const struct statx *b)
{
	if ((a->stx_mask & STATX_MNT_ID) && (b->stx_mask & STATX_MNT_ID))
		return a->stx_mnt_id == b->stx_mnt_id;
	return a->stx_dev_major == b->stx_dev_major &&
	       a->stx_dev_minor == b->stx_dev_minor;
}

/* Where the layer dir PATH is, or, when it is not there yet, the
 * directory it will be made in; -1 when neither is there (its parent
 * may be the upper dir, made first). */
static int place(struct cx_ovl_dir *d, const char *what, const char *path)
{
	char *parent;

	*d = (struct cx_ovl_dir){ what, path, -1, false };
	d->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (d->fd >= 0 || errno != ENOENT)
		return d->fd;
	if (!(parent = strdup(path)))
		cx_die_errno("malloc");
	d->fd = open(dirname(parent), O_PATH | O_DIRECTORY | O_CLOEXEC);
	d->unmade = true;
	free(parent);
	return d->fd;
}

/* Before anything is made: an upper or work dir to be made inside a
 * lower layer would be a write there. */
static void check_places(const struct ctx *c, const struct cx_ovl_dir *lower,
			 size_t nlower, const struct cx_ovl_dir *merged)
{
	struct cx_ovl_dir u, w;
	int rc;

	place(&u, "upper dir", c->upper);
	place(&w, "work dir", c->work);
	rc = cx_ovl_check_apart(lower, nlower, u.fd >= 0 ? &u : NULL,
				w.fd >= 0 ? &w : NULL, merged);
	if (u.fd >= 0)
		close(u.fd);
	if (w.fd >= 0)
		close(w.fd);
	if (rc < 0)
		cx_die_last();
}

/* What overlayfs would refuse with "wrong fs type", said plainly first;
 * then the check of check_places again, on the dirs themselves. */
static int check_upper_work(int ufd, int wfd, const struct ctx *c,
			    const struct cx_ovl_dir *lower, size_t nlower,
			    const struct cx_ovl_dir *merged)
{
	struct cx_ovl_dir u = { "upper dir", c->upper, ufd, false };
	struct cx_ovl_dir w = { "work dir", c->work, wfd, false };
	struct statx su, sw;

	if (mount_id(ufd, &su) < 0 || mount_id(wfd, &sw) < 0)
		return cx_fail(errno, "stat %s", c->upper);
	if (!same_mount(&su, &sw))
		return cx_fail(0, "upper dir %s and work dir %s are on different mounts; overlayfs needs both on one",
			       c->upper, c->work);
	return cx_ovl_check_apart(lower, nlower, &u, &w, merged);
}

/* Undo a mount whose root FD holds: unmount it through the working
 * directory, since its path may name something else by now. */
static void unmount_root(int fd)
{
	int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fchdir(fd) == 0)
		umount2(".", MNT_DETACH);
	if (cwd >= 0) {
		if (fchdir(cwd) < 0)
			cx_warn_errno("fchdir back");
		close(cwd);
	}
}

static int layer_dirs(int top, const char *merged, int *ufd, int *wfd);

/* --tmpfs: a new tmpfs named "cx-layer" mounted on TARGET, of BYTES
 * (0: the kernel's default), with upper/ and work/ in it.  Returns the
 * tmpfs's root, with *UFD and *WFD; -1 recorded with cx_fail, nothing
 * left mounted. */
static int layer_tmpfs(int target, const char *merged, uint64_t bytes,
		       int *ufd, int *wfd)
{
	char data[80];
	int top;

	if (bytes)
		snprintf(data, sizeof(data), "mode=0755,size=%llu",
			 (unsigned long long)bytes);
	else
		snprintf(data, sizeof(data), "mode=0755");
	/* Nothing runs from the tmpfs itself, hidden under the overlay:
	 * nosuid and nodev whatever the overlay is. */
	cx_say("mount a tmpfs for the layer on %s (%s)", merged, data);
	if (cx_mount_fresh_source(target, "tmpfs", "cx-layer", data,
				  MS_NOSUID | MS_NODEV, merged, &top) < 0)
		return -1;
	if (top >= 0)
		return layer_dirs(top, merged, ufd, wfd);
	/* Mounted by mount(2) (before 5.2): found again on TARGET's path,
	 * as the mount on it. */
	top = cx_mount_found_again(target, merged);
	if (top < 0)
		return -1;
	return layer_dirs(top, merged, ufd, wfd);
}

static int layer_dirs(int top, const char *merged, int *ufd, int *wfd)
{
	*ufd = *wfd = -1;
	if (mkdirat(top, "upper", 0755) < 0 || mkdirat(top, "work", 0755) < 0 ||
	    (*ufd = openat(top, "upper", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (*wfd = openat(top, "work", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		int err = errno;

		if (*ufd >= 0)
			close(*ufd);
		unmount_root(top);
		close(top);
		return cx_fail(err, "make the layer dirs in the tmpfs on %s", merged);
	}
	return top;
}

/* Fail closed: the command is looked up before anything is made or
 * mounted, so that a typo costs nothing.  A first word starting with
 * '-' is an option given after MERGED: that is said first, and the
 * lookup still runs a program of that name. */
static void find_command(char **cmd)
{
	if (cmd[0][0] == '-')
		cx_warn("'%s' after MERGED is the command to run, not an option: options go before MERGED",
			cmd[0]);
	cx_exec_find(cmd);
}

static void run_mount(struct ctx *c, char **args)
{
	struct cx_ovl_mount m = { 0 };
	struct made made[2] = { { NULL, false }, { NULL, false } };
	struct cx_ovl_dir *lower, merged_dir;
	size_t nmade = 0;
	const char *merged;
	char **cmd;
	int target, ufd = -1, wfd = -1, top = -1, *lfd;
	uint64_t tmpfs_bytes = 0;

	if (!c->lower)
		cx_usage_error("missing --lower");
	if (!c->upper != !c->work)
		cx_usage_error(c->upper ? "--upper needs --work"
					: "--work needs --upper");
	if (c->tmpfs && c->upper)
		cx_usage_error("--tmpfs and --upper are two places for one layer: give one");
	if (c->is_volatile && !c->upper && !c->tmpfs)
		cx_usage_error("--volatile needs --upper or --tmpfs");
	if (c->tmpfs_size && cx_parse_size(c->tmpfs_size, &tmpfs_bytes) < 0)
		cx_usage_error("invalid --tmpfs '%s': %sa size such as 64M",
			       c->tmpfs_size,
			       errno == ERANGE ? "out of range: " : "");
	/* tmpfs reads size=0 as no limit at all: refused, not passed on. */
	if (c->tmpfs_size && tmpfs_bytes == 0)
		cx_usage_error("invalid --tmpfs '%s': 0 would be no limit at all; a size such as 64M",
			       c->tmpfs_size);
	if (c->redirect_dir) {
		const char *const *r = redirect_modes;

		while (*r && strcmp(*r, c->redirect_dir))
			r++;
		if (!*r)
			cx_usage_error("invalid --redirect-dir '%s': on, follow, nofollow or off",
				       c->redirect_dir);
	}
	operands(args, 1, -1, "MERGED");
	merged = args[0];
	cmd = args + 1;

	m.lower = lower_list(c->lower, &m.nlower);
	if (!c->upper && !c->tmpfs && m.nlower < 2)
		cx_usage_error("without --upper or --tmpfs, overlayfs needs two lower layers or more");
	if (cmd[0])
		find_command(cmd);
	/* The layers are opened first, to be compared with the upper and
	 * work dirs; with --tmpfs, which may hide a lower layer (MERGED
	 * may be the lower itself), they go to the kernel as these
	 * descriptors. */
	lfd = calloc(m.nlower, sizeof(*lfd));
	lower = calloc(m.nlower, sizeof(*lower));
	if (!lfd || !lower)
		cx_die_errno("malloc");
	for (size_t i = 0; i < m.nlower; i++) {
		int fd = open(m.lower[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		char *abs;

		if (fd < 0)
			cx_die_errno("lower dir %s", m.lower[i]);
		lfd[i] = fd;
		/* The name as given stays, for the messages. */
		lower[i] = (struct cx_ovl_dir){ "lower dir", m.lower[i], fd,
						false };
		abs = absolute(m.lower[i]);
		m.lower[i] = abs;
	}
	target = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (target < 0)
		cx_die_errno("mount point %s", merged);
	merged_dir = (struct cx_ovl_dir){ "mount point", merged, target, false };
	if (c->upper) {
		check_places(c, lower, m.nlower, &merged_dir);
		made[0].path = c->upper;
		ufd = open_layer_dir(&made[0], "upper");
		nmade = 1;
		if (ufd >= 0) {
			made[1].path = c->work;
			wfd = open_layer_dir(&made[1], "work");
			nmade = 2;
		}
		if (ufd < 0 || wfd < 0 ||
		    check_upper_work(ufd, wfd, c, lower, m.nlower,
				     &merged_dir) < 0) {
			undo(made, nmade);
			cx_die_last();
		}
		m.upper = absolute(c->upper);
		m.work = absolute(c->work);
	} else if (c->tmpfs) {
		char *abs = absolute(merged);

		/* The names first: after the tmpfs, a failure must undo it. */
		if (asprintf((char **)&m.upper, "%s/upper", abs) < 0 ||
		    asprintf((char **)&m.work, "%s/work", abs) < 0)
			cx_die_errno("malloc");
		free(abs);
		top = layer_tmpfs(target, merged, tmpfs_bytes, &ufd, &wfd);
		if (top < 0)
			cx_die_last();
		m.lower_fd = lfd;
		m.upper_fd = ufd;
		m.work_fd = wfd;
	}
	m.is_volatile = c->is_volatile;
	m.userxattr = c->userxattr;
	m.metacopy = c->metacopy;
	m.redirect_dir = c->redirect_dir;
	m.suid = c->suid;
	m.dev = c->dev;
	/* On the tmpfs's root, so that the overlay goes on top of it. */
	if (cx_ovl_mount(&m, top >= 0 ? top : target, merged) < 0) {
		undo(made, nmade);
		if (top >= 0)
			unmount_root(top);
		cx_die_last();
	}
	if (!cmd[0])
		exit(0);
	cx_exec(-1, cmd);
}

/* --- umount --------------------------------------------------------- */

static void run_umount(struct ctx *c, char **args)
{
	char type[32];
	struct stat st;
	bool layer;
	int fd;

	operands(args, 1, 1, "MERGED");
	fd = open(args[0], O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		cx_die_errno("umount %s", args[0]);
	if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode))
		cx_die("umount %s: a symlink, not followed", args[0]);
	if (cx_is_mountpoint(fd) != 1 ||
	    cx_mount_fstype(fd, type, sizeof(type)) < 0 ||
	    strcmp(type, "overlay") != 0)
		cx_die("umount %s: not an overlay mount point", args[0]);
	close(fd);
	cx_say("umount %s%s", args[0], c->lazy ? " (detach)" : "");
	if (umount2(args[0], UMOUNT_NOFOLLOW | (c->lazy ? MNT_DETACH : 0)) < 0)
		cx_die_errno("umount %s", args[0]);
	/* The tmpfs a "mount --tmpfs" put under the overlay goes too. */
	fd = open(args[0], O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		exit(0);
	layer = cx_is_mountpoint(fd) == 1 &&
		cx_mount_fstype(fd, type, sizeof(type)) == 0 &&
		strcmp(type, "tmpfs") == 0 &&
		cx_mount_source(fd, type, sizeof(type)) == 0 &&
		strcmp(type, "cx-layer") == 0;
	close(fd);
	if (layer)
		cx_say("umount the layer's tmpfs on %s", args[0]);
	if (layer &&
	    umount2(args[0], UMOUNT_NOFOLLOW | (c->lazy ? MNT_DETACH : 0)) < 0)
		cx_die_errno("umount the layer's tmpfs on %s", args[0]);
	exit(0);
}

/* --- diff ----------------------------------------------------------- */

static int print_change(void *ctx, char kind, const char *path)
{
	(void)ctx;
	return printf("%c /%s\n", kind, path) < 0 ? -1 : 0;
}

/* --json: a name may hold a newline, which the lines above cannot
 * show; JSON escapes it. */
static int json_change(void *ctx, char kind, const char *path)
{
	int *n = ctx;
	char whole[PATH_MAX + 2];

	snprintf(whole, sizeof(whole), "/%s", path);
	printf("%s\n  { \"kind\": \"%c\", \"path\": ", (*n)++ ? "," : "[", kind);
	cx_json_string(stdout, whole);
	return printf(" }") < 0 ? -1 : 0;
}

static void run_diff(struct ctx *c, char **args)
{
	struct cx_lowers l;
	char **dirs;
	int upper, rc, nchanges = 0;

	if (!c->lower)
		cx_usage_error("missing --lower");
	operands(args, 1, 1, "UPPER");
	dirs = lower_list(c->lower, &l.n);
	l.fds = calloc(l.n, sizeof(*l.fds));
	if (!l.fds)
		cx_die_errno("malloc");
	for (size_t i = 0; i < l.n; i++) {
		l.fds[i] = open(dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (l.fds[i] < 0)
			cx_die_errno("lower dir %s", dirs[i]);
	}
	upper = open(args[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (upper < 0)
		cx_die_errno("upper dir %s", args[0]);
	rc = cx_ovl_diff(upper, &l, c->json ? json_change : print_change,
			 &nchanges, args[0]);
	if (rc < 0)
		cx_die_last();
	if (c->json)
		printf(nchanges ? "\n]\n" : "[]\n");
	if (rc > 0 || fflush(stdout) == EOF || ferror(stdout))
		cx_die_errno("write");
	exit(0);
}

/* --- unpack, commit, image ------------------------------------------ */

static void run_unpack(struct ctx *c, char **args)
{
	struct cx_unpack_opts o = { c->allow_devices, c->userxattr,
				    c->allow_suid };
	const char *layer, *dir;
	struct cx_stage s;
	struct archive *a;
	int fd;

	operands(args, 2, 2, "LAYER DIR");
	layer = args[0];
	dir = args[1];
	fd = strcmp(layer, "-") == 0 ? dup(0) : open(layer, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		cx_die_errno("unpack %s", layer);
	a = cx_layer_reader();
	if (!a)
		cx_die_errno("unpack %s", layer);
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK)
		cx_die("unpack %s: %s", layer, archive_error_string(a));
	if (cx_stage_dir(&s, dir) < 0)
		cx_die_last();
	if (cx_layer_unpack(a, s.fd, &o, layer) < 0 || cx_stage_commit(&s) < 0) {
		cx_stage_abort(&s);
		cx_die_last();
	}
	archive_read_free(a);
	exit(0);
}

/* The compression follows the name, as tar -a does. */
static const struct {
	const char *suffix;
	int (*add)(struct archive *);
} compressions[] = {
	{ ".tar", archive_write_add_filter_none },
	{ ".tar.gz", archive_write_add_filter_gzip },
	{ ".tgz", archive_write_add_filter_gzip },
	{ ".tar.zst", archive_write_add_filter_zstd },
	{ ".tzst", archive_write_add_filter_zstd },
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

static void run_commit(struct ctx *c, char **args)
{
	const char *upper, *layer;
	struct archive *a;
	struct cx_stage s;
	size_t i, n = sizeof(compressions) / sizeof(*compressions);
	int ufd;

	(void)c;
	operands(args, 2, 2, "UPPER LAYER");
	upper = args[0];
	layer = args[1];
	for (i = 0; i < n && !ends_with(layer, compressions[i].suffix); i++)
		;
	if (i == n)
		cx_usage_error("%s: the name must end in .tar, .tar.gz or .tar.zst",
			       layer);
	ufd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ufd < 0)
		cx_die_errno("commit %s", upper);
	/* Names are bytes, nearly always UTF-8: in a UTF-8 locale libarchive
	 * writes them as pax wants them, in C it marks them BINARY. */
	setlocale(LC_CTYPE, "C.UTF-8");
	a = archive_write_new();
	if (!a || compressions[i].add(a) != ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(a) != ARCHIVE_OK)
		cx_die("commit %s: %s", upper,
		       a ? archive_error_string(a) : "out of memory");
	/* No time stamp in the gzip header: the same upper, the same bytes. */
	if (compressions[i].add == archive_write_add_filter_gzip)
		archive_write_set_filter_option(a, "gzip", "timestamp", NULL);
	if (cx_stage_file(&s, layer) < 0)
		cx_die_last();
	if (archive_write_open_fd(a, s.fd) != ARCHIVE_OK) {
		cx_stage_abort(&s);
		cx_die("commit %s: %s", layer, archive_error_string(a));
	}
	if (cx_layer_commit(a, ufd, upper) < 0) {
		cx_stage_abort(&s);
		cx_die_last();
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		cx_stage_abort(&s);
		cx_die("commit %s: %s", layer, archive_error_string(a));
	}
	if (fsync(s.fd) < 0 || cx_stage_commit(&s) < 0) {
		cx_fail(errno, "commit %s", layer);
		cx_stage_abort(&s);
		cx_die_last();
	}
	archive_write_free(a);
	exit(0);
}

static void run_image(struct ctx *c, char **args)
{
	struct cx_image_opts o = {
		c->ref, { c->allow_devices, c->userxattr, c->allow_suid },
	};
	const char *source, *dir;
	struct cx_stage s;
	char **names, *lower;
	size_t len;
	int n;

	operands(args, 2, 2, "SOURCE DIR");
	source = args[0];
	dir = args[1];
	if (cx_stage_dir(&s, dir) < 0)
		cx_die_last();
	n = cx_image_unpack(source, s.fd, &o);
	if (n < 0 || cx_stage_commit(&s) < 0) {
		cx_stage_abort(&s);
		cx_die_last();
	}
	/* The kernel wants the topmost layer first. */
	names = calloc((size_t)n, sizeof(*names));
	if (!names)
		cx_die_errno("malloc");
	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	for (int i = 0; i < n; i++)
		if (asprintf(&names[i], "%.*s/%d", (int)len, dir, n - 1 - i) < 0)
			cx_die_errno("malloc");
	lower = cx_lower_join(names, (size_t)n, ":");
	if (!lower)
		cx_die_errno("malloc");
	if (printf("%s\n", lower) < 0 || fflush(stdout) == EOF)
		cx_die_errno("write");
	exit(0);
}

static void run_save(struct ctx *c, char **args)
{
	struct cx_save_config cfg = {
		c->entrypoint.v, c->cmd.v, c->env.v, c->workdir, c->user,
	};
	const char *ref = "latest", *slash, *colon;
	char *layout;
	int n = 0;

	while (args[n])
		n++;
	if (n < 2)
		cx_usage_error("save needs LAYOUT[:NAME] and at least one SOURCE");
	/* LAYOUT:NAME as skopeo's oci: transport writes it: the name
	 * follows the last ':' after the last '/'. */
	layout = strdup(args[0]);
	if (!layout)
		cx_die_errno("malloc");
	slash = strrchr(layout, '/');
	colon = strrchr(slash ? slash : layout, ':');
	if (colon) {
		ref = colon + 1;
		layout[colon - layout] = '\0';
	}
	if (!*layout)
		cx_usage_error("save %s: no LAYOUT directory before the ':'", args[0]);
	/* Names are bytes, nearly always UTF-8 (as in commit). */
	setlocale(LC_CTYPE, "C.UTF-8");
	if (cx_image_save(layout, ref, args + 1, (size_t)(n - 1), &cfg) < 0)
		cx_die_last();
	exit(0);
}

/* The walks of diff, commit and unpack hold a descriptor per level of
 * a tree; PATH_MAX allows some 2000 levels. */
static void raise_nofile(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	const struct verb *v = NULL;
	char **rest, **args;
	int n = 0;

	cx_init("cx-overlay");
	rest = cx_opt_parse(&tool, argc, argv, on_option, &c);
	if (!rest[0])
		cx_usage_error("missing command (mount, umount, diff, unpack, commit, image, save)");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(*verbs); i++)
		if (strcmp(verbs[i].name, rest[0]) == 0)
			v = &verbs[i];
	if (!v)
		cx_usage_error("unknown command '%s'", rest[0]);
	while (rest[n])
		n++;
	args = cx_opt_parse(&v->tool, n, rest, on_option, &c);
	/* The trusted.* xattrs are for CAP_SYS_ADMIN in the first user
	 * namespace only: elsewhere, and for an ordinary user (whose
	 * overlays are mounted in a user namespace anyway), overlayfs
	 * marks opaque directories in user.overlay.* (userxattr, 5.11). */
	if (!c.userxattr && (geteuid() != 0 || cx_ns_user_is_initial() == 0))
		c.userxattr = true;
	if (v->run != run_mount)
		raise_nofile();
	v->run(&c, args);
	return 0;
}
