/* cx-bind: bind mounts made from descriptors (nosuid and nodev unless
 * asked otherwise, read-only checked), or unmounts; then the rest of
 * argv. */
#include "bind.h"
#include "die.h"
#include "exec.h"
#include "file.h"
#include "mount.h"
#include "ns.h"
#include "opt.h"
#include "parse.h"
#include "path.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	OPT_BIND = 1, OPT_RO, OPT_REC, OPT_NOSUID, OPT_SUID, OPT_NODEV,
	OPT_DEV, OPT_NOEXEC, OPT_PROPAGATION, OPT_ROOT, OPT_MKDIR, OPT_TRY,
	OPT_UNMOUNT, OPT_LAZY, OPT_MAP_USERS, OPT_MAP_GROUPS, OPT_MAP_USERNS,
	OPT_FS, OPT_SYMLINK, OPT_REMOUNT,
};

/* What cx-bind made for one SOURCE TARGET pair, to undo on failure. */
struct made {
	int dirfd;	/* the directory that holds it */
	char *name;
	dev_t dev;
	ino_t ino;
	bool dir;
};

struct pair {
	char *source, *target;	/* target points into source's block */
	char *shown;		/* TARGET as the user knows it */
	bool fs;		/* --fs: SOURCE is a file system type */
	bool symlink;		/* --symlink: SOURCE is the link's text */
	bool remount;		/* --remount: TARGET's flags, OPTIONS only */
	unsigned old;		/* --remount: the flags it had, to put back */
	char *data;		/* --fs: the options that are not flags */
	struct cx_bind_opts opts; /* its own :OPTIONS over the tool's */
	int mnt;		/* the new mount, -1 before or when skipped */
	bool on_root;		/* TARGET is the --root directory itself */
	struct made *made;
	size_t nmade;
};

/* As many lines as a uid_map takes (since 4.15). */
enum { CX_BIND_MAPS = 340 };

struct ctx {
	struct pair *pairs;
	size_t npairs;
	const char **unmounts;
	size_t nunmounts;
	bool rec, try, mkdir, lazy, bind_pairs;
	int suid, dev;		/* -1 not given, 0 --nosuid, 1 --suid */
	bool ro, noexec;
	const char *root;
	const struct cx_propagation *propagation;
	/* An idmapped bind: the maps, or a user namespace file. */
	struct cx_idmap uids[CX_BIND_MAPS], gids[CX_BIND_MAPS];
	size_t nuids, ngids;
	const char *userns_file;
	int userns;		/* -1: no idmap */
};

static const struct poptOption options[] = {
	{ "bind", 'b', POPT_ARG_STRING, NULL, OPT_BIND,
	  "bind SOURCE on TARGET, OPTIONS (ro,rw,rec,norec,dev,nodev,suid,nosuid,exec,noexec) over the others (repeatable; then no SOURCE TARGET operands)",
	  "SOURCE:TARGET[:OPTIONS]" },
	{ "fs", 't', POPT_ARG_STRING, NULL, OPT_FS,
	  "mount a new TYPE (tmpfs, proc, sysfs, mqueue, devpts...) on TARGET, OPTIONS the flags above and the file system's own (mode=755,size=64m) (repeatable, in order with -b)",
	  "TYPE:TARGET[:OPTIONS]" },
	{ "symlink", 0, POPT_ARG_STRING, NULL, OPT_SYMLINK,
	  "make LINK a symbolic link to TEXT (not resolved), as the container's /dev/fd or /dev/ptmx (repeatable, in order with -b)",
	  "TEXT:LINK" },
	{ "remount", 0, POPT_ARG_STRING, NULL, OPT_REMOUNT,
	  "change the flags of the mount on TARGET, that mount only: OPTIONS (ro,rw,dev,nodev,suid,nosuid,exec,noexec) and nothing else (repeatable, in order with -b)",
	  "TARGET:OPTIONS" },
	{ "ro", 0, POPT_ARG_NONE, NULL, OPT_RO,
	  "read-only (checked after the mount)", NULL },
	{ "rec", 0, POPT_ARG_NONE, NULL, OPT_REC,
	  "the mounts below SOURCE too, each with the same flags", NULL },
	{ "nosuid", 0, POPT_ARG_NONE, NULL, OPT_NOSUID,
	  "ignore set-user-ID and set-group-ID bits (the default)", NULL },
	{ "suid", 0, POPT_ARG_NONE, NULL, OPT_SUID,
	  "do not add nosuid", NULL },
	{ "nodev", 0, POPT_ARG_NONE, NULL, OPT_NODEV,
	  "no access to device files (the default)", NULL },
	{ "dev", 0, POPT_ARG_NONE, NULL, OPT_DEV,
	  "do not add nodev", NULL },
	{ "noexec", 0, POPT_ARG_NONE, NULL, OPT_NOEXEC,
	  "no program execution", NULL },
	{ "propagation", 0, POPT_ARG_STRING, NULL, OPT_PROPAGATION,
	  "private|slave|shared|unbindable (unchanged)", "MODE" },
	{ "root", 0, POPT_ARG_STRING, NULL, OPT_ROOT,
	  "resolve TARGET inside DIR, never leaving it", "DIR" },
	{ "mkdir", 0, POPT_ARG_NONE, NULL, OPT_MKDIR,
	  "create a missing TARGET (and its parents)", NULL },
	{ "try", 0, POPT_ARG_NONE, NULL, OPT_TRY,
	  "skip a SOURCE that does not exist, quietly", NULL },
	{ "unmount", 'u', POPT_ARG_STRING, NULL, OPT_UNMOUNT,
	  "unmount TARGET instead (repeatable)", "TARGET" },
	{ "lazy", 0, POPT_ARG_NONE, NULL, OPT_LAZY,
	  "with --unmount: detach now, clean up when no longer busy", NULL },
	{ "map-users", 0, POPT_ARG_STRING, NULL, OPT_MAP_USERS,
	  "idmapped: files owned by FILE-UID.. show as owned by SHOWN-UID.. (repeatable)",
	  "FILE-UID:SHOWN-UID:COUNT" },
	{ "map-groups", 0, POPT_ARG_STRING, NULL, OPT_MAP_GROUPS,
	  "the same for groups (repeatable)", "FILE-GID:SHOWN-GID:COUNT" },
	{ "map-userns", 0, POPT_ARG_STRING, NULL, OPT_MAP_USERNS,
	  "idmapped through the maps of a user namespace (/proc/PID/ns/user)",
	  "FILE" },
	POPT_TABLEEND
};

/* An unmount takes only --root, --rec and --lazy; a flag and its
 * opposite cannot both be given. */
static const struct cx_opt_conflict conflicts[] = {
	{ OPT_UNMOUNT, OPT_BIND, NULL }, { OPT_UNMOUNT, OPT_RO, NULL },
	{ OPT_UNMOUNT, OPT_FS, NULL }, { OPT_UNMOUNT, OPT_SYMLINK, NULL },
	{ OPT_UNMOUNT, OPT_REMOUNT, NULL },
	{ OPT_UNMOUNT, OPT_NOSUID, NULL }, { OPT_UNMOUNT, OPT_SUID, NULL },
	{ OPT_UNMOUNT, OPT_NODEV, NULL }, { OPT_UNMOUNT, OPT_DEV, NULL },
	{ OPT_UNMOUNT, OPT_NOEXEC, NULL },
	{ OPT_UNMOUNT, OPT_PROPAGATION, NULL },
	{ OPT_UNMOUNT, OPT_MKDIR, NULL }, { OPT_UNMOUNT, OPT_TRY, NULL },
	{ OPT_SUID, OPT_NOSUID, NULL }, { OPT_DEV, OPT_NODEV, NULL },
	{ OPT_UNMOUNT, OPT_MAP_USERS, NULL }, { OPT_UNMOUNT, OPT_MAP_GROUPS, NULL },
	{ OPT_UNMOUNT, OPT_MAP_USERNS, NULL },
	{ OPT_MAP_USERNS, OPT_MAP_USERS, "a user namespace brings its own maps" },
	{ OPT_MAP_USERNS, OPT_MAP_GROUPS, "a user namespace brings its own maps" },
	{ 0, 0, NULL }
};

static const struct cx_tool tool = {
	"cx-bind",
	"[options] SOURCE TARGET [COMMAND [ARG]...]\n"
	"       cx-bind [options] -b SOURCE:TARGET[:OPTIONS]... [COMMAND [ARG]...]\n"
	"       cx-bind [options] -t TYPE:TARGET[:OPTIONS]... [COMMAND [ARG]...]\n"
	"       cx-bind [--root DIR] --remount TARGET:OPTIONS... [COMMAND [ARG]...]\n"
	"       cx-bind [--root DIR] [--rec] [--lazy] -u TARGET... [COMMAND [ARG]...]",
	"Bind SOURCE on TARGET (nosuid,nodev), mount a new file system there, change a mount's flags, or unmount TARGET, then run COMMAND.",
	options, conflicts,
};

static void *grow(void *array, size_t n, size_t size)
{
	void *bigger = realloc(array, (n + 1) * size);

	if (!bigger)
		cx_die_errno("realloc");
	return bigger;
}

static struct pair *add_pair(struct ctx *c, char *source, char *target)
{
	c->pairs = grow(c->pairs, c->npairs, sizeof(*c->pairs));
	c->pairs[c->npairs] = (struct pair){ .source = source,
					     .target = target, .mnt = -1,
					     .opts = { 0, 0, -1 } };
	return &c->pairs[c->npairs++];
}

/* --fs OPTIONS: the flags cx_bind_opts_parse knows go to the mount,
 * every other item ("mode=755", "newinstance") to the file system, in
 * order.  -1 with errno EINVAL for rec or norec, or a contradiction. */
static int fs_opts_parse(const char *opts, struct pair *p)
{
	char *copy = strdup(opts), *rest = copy, *item;
	size_t used = 0;

	p->data = malloc(strlen(opts) + 1);
	if (!copy || !p->data)
		cx_die_errno("malloc");
	p->data[0] = '\0';
	while ((item = strsep(&rest, ","))) {
		struct cx_bind_opts one;

		if (!*item)
			continue;
		if (cx_bind_opts_parse(item, &one) < 0) {
			used += (size_t)sprintf(p->data + used, "%s%s",
						used ? "," : "", item);
			continue;
		}
		if (one.rec >= 0 || (one.set & p->opts.clear) ||
		    (one.clear & p->opts.set)) {
			free(copy);
			errno = EINVAL;
			return -1;
		}
		p->opts.set |= one.set;
		p->opts.clear |= one.clear;
	}
	free(copy);
	return 0;
}

static int on_option(void *p, int val, const char *arg)
{
	struct ctx *c = p;
	char *source, *target, *opts;
	struct pair *pair;

	switch (val) {
	case OPT_BIND:
		if (cx_bind_pair_parse(arg, &source, &target, &opts) < 0)
			return cx_opt_invalid("--bind", arg,
					      "SOURCE:TARGET[:OPTIONS], with \\: for a colon in a path");
		pair = add_pair(c, source, target);
		if (opts && cx_bind_opts_parse(opts, &pair->opts) < 0)
			return cx_opt_invalid("--bind", arg,
					      "OPTIONS '%s' are not among ro, rw, rec, norec, dev, nodev, suid, nosuid, exec, noexec, or contradict each other",
					      opts);
		c->bind_pairs = true;
		return 0;
	case OPT_FS:
		if (cx_bind_pair_parse(arg, &source, &target, &opts) < 0)
			return cx_opt_invalid("--fs", arg,
					      "TYPE:TARGET[:OPTIONS], with \\: for a colon in a path");
		pair = add_pair(c, source, target);
		pair->fs = true;
		if (opts && fs_opts_parse(opts, pair) < 0)
			return cx_opt_invalid("--fs", arg,
					      "OPTIONS '%s': rec and norec are for binds, and a flag and its opposite cannot both be given",
					      opts);
		c->bind_pairs = true;
		return 0;
	case OPT_SYMLINK:
		if (cx_bind_pair_parse(arg, &source, &target, &opts) < 0 || opts ||
		    !*source)
			return cx_opt_invalid("--symlink", arg,
					      "TEXT:LINK, with \\: for a colon");
		add_pair(c, source, target)->symlink = true;
		c->bind_pairs = true;
		return 0;
	case OPT_REMOUNT:
		if (cx_bind_pair_parse(arg, &source, &target, &opts) < 0 || opts)
			return cx_opt_invalid("--remount", arg,
					      "TARGET:OPTIONS, with \\: for a colon in a path");
		/* TARGET in the pair's target, OPTIONS parsed into its own. */
		pair = add_pair(c, source, source);
		pair->remount = true;
		if (cx_bind_opts_parse(target, &pair->opts) < 0 ||
		    pair->opts.rec >= 0)
			return cx_opt_invalid("--remount", arg,
					      "OPTIONS '%s' are not among ro, rw, dev, nodev, suid, nosuid, exec, noexec (a remount changes one mount: no rec), or contradict each other",
					      target);
		c->bind_pairs = true;
		return 0;
	case OPT_RO:
		c->ro = true;
		return 0;
	case OPT_REC:
		c->rec = true;
		return 0;
	case OPT_NOSUID:
	case OPT_SUID:
		c->suid = val == OPT_SUID;
		return 0;
	case OPT_NODEV:
	case OPT_DEV:
		c->dev = val == OPT_DEV;
		return 0;
	case OPT_NOEXEC:
		c->noexec = true;
		return 0;
	case OPT_PROPAGATION:
		c->propagation = cx_propagation_by_name(arg);
		if (!c->propagation)
			return cx_opt_invalid("--propagation", arg,
					      "private, slave, shared, unbindable or unchanged");
		return 0;
	case OPT_ROOT:
		c->root = arg;
		return 0;
	case OPT_MKDIR:
		c->mkdir = true;
		return 0;
	case OPT_TRY:
		c->try = true;
		return 0;
	case OPT_UNMOUNT:
		c->unmounts = grow(c->unmounts, c->nunmounts,
				   sizeof(*c->unmounts));
		c->unmounts[c->nunmounts++] = arg;
		return 0;
	case OPT_LAZY:
		c->lazy = true;
		return 0;
	case OPT_MAP_USERS:
	case OPT_MAP_GROUPS: {
		bool users = val == OPT_MAP_USERS;
		size_t *n = users ? &c->nuids : &c->ngids;
		struct cx_idmap *m = users ? c->uids : c->gids;

		if (*n == CX_BIND_MAPS)
			return cx_opt_invalid(users ? "--map-users" : "--map-groups",
					      arg, "at most %d ranges",
					      CX_BIND_MAPS);
		if (cx_parse_idmap(arg, &m[*n]) < 0 || !strchr(arg, ':'))
			return cx_opt_invalid(users ? "--map-users" : "--map-groups",
					      arg, "FILE-ID:SHOWN-ID:COUNT, COUNT at least 1");
		++*n;
		return 0;
	}
	case OPT_MAP_USERNS:
		c->userns_file = arg;
		return 0;
	}
	return cx_fail(0, "unhandled option");
}

/* Refuse what cannot work together (the conflicts table has the
 * rest); then take SOURCE and TARGET from the operands when no -b or -u
 * gave the work.  Returns the command (maybe empty). */
static char **check(struct ctx *c, char **rest)
{
	if (c->lazy && !c->nunmounts)
		cx_usage_error("--lazy needs --unmount");
	if (c->nunmounts || c->bind_pairs)
		return rest;
	if (!rest[0])
		cx_usage_error("missing operand SOURCE");
	if (!rest[1])
		cx_usage_error("missing operand TARGET after '%s'", rest[0]);
	add_pair(c, rest[0], rest[1]);
	return rest + 2;
}

/* The flags to add: nosuid and nodev unless allowed, as bubblewrap;
 * then the pair's own OPTIONS. */
static struct cx_bind bind_flags(const struct ctx *c, const struct pair *p)
{
	struct cx_bind b = { .rec = c->rec };

	b.attr = (c->ro ? MOUNT_ATTR_RDONLY : 0) |
		 (c->suid == 1 ? 0 : MOUNT_ATTR_NOSUID) |
		 (c->dev == 1 ? 0 : MOUNT_ATTR_NODEV) |
		 (c->noexec ? MOUNT_ATTR_NOEXEC : 0);
	b.attr = (b.attr | p->opts.set) & ~p->opts.clear;
	if (p->opts.rec >= 0)
		b.rec = p->opts.rec;
	b.propagation = c->propagation ? c->propagation->flag : 0;
	if (c->userns >= 0) {
		b.attr |= MOUNT_ATTR_IDMAP;
		b.userns = c->userns;
	}
	return b;
}

/* TARGET as the messages name it: inside --root, the root in front. */
static char *shown(const struct ctx *c, const char *target)
{
	char *s;

	if (!c->root)
		s = strdup(target);
	else if (asprintf(&s, "%s%s%s", c->root,
			  target[0] == '/' || !*c->root ||
				  c->root[strlen(c->root) - 1] == '/' ?
				  "" : "/", target) < 0)
		s = NULL;
	if (!s)
		cx_die_errno("malloc");
	return s;
}

/* Open PATH as a host path, or inside the root ROOTFD. */
static int resolve(int rootfd, const char *path, int flags, const char *show)
{
	int fd;

	if (rootfd >= 0)
		return cx_open_in_root(rootfd, path, flags, 0, show);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return cx_fail(errno, "open %s", show);
	return fd;
}

static void remove_made(struct pair *p)
{
	while (p->nmade--) {
		struct made *m = &p->made[p->nmade];
		struct stat st;

		/* Only what is still the file or directory we made. */
		if (fstatat(m->dirfd, m->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_dev == m->dev && st.st_ino == m->ino &&
		    unlinkat(m->dirfd, m->name, m->dir ? AT_REMOVEDIR : 0) < 0)
			cx_warn_errno("remove %s, which cx-bind created",
				      m->name);
		close(m->dirfd);
		free(m->name);
	}
	free(p->made);
	p->made = NULL;
	p->nmade = 0;
}

/* After success what was made stays; only the list goes. */
static void forget_made(struct pair *p)
{
	while (p->nmade--) {
		close(p->made[p->nmade].dirfd);
		free(p->made[p->nmade].name);
	}
	free(p->made);
	p->made = NULL;
	p->nmade = 0;
}

/* Make NAME in DIRFD: a directory, or an empty file for the last
 * component when the source is not a directory; remember it. */
static int make_one(struct pair *p, int dirfd, const char *name, bool dir,
		    const char *show)
{
	struct made *m;
	struct stat st;
	int fd;

	if (dir)
		fd = mkdirat(dirfd, name, 0755);
	else
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
						 O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		int err = errno;

		/* The name resolved to nothing, yet is there: a symlink
		 * whose target is missing (inside the root).  It is not
		 * followed, as mkdir -p does not follow it either. */
		if (err == EEXIST &&
		    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			return cx_fail(err, "%s %s: a symlink to a missing path",
				       dir ? "mkdir" : "create", show);
		return cx_fail(err, "%s %s", dir ? "mkdir" : "create", show);
	}
	if (!dir)
		close(fd);
	p->made = grow(p->made, p->nmade, sizeof(*p->made));
	m = &p->made[p->nmade];
	m->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	m->name = strdup(name);
	m->dir = dir;
	if (m->dirfd < 0 || !m->name ||
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		int err = errno;

		if (m->dirfd >= 0)
			close(m->dirfd);
		free(m->name);
		unlinkat(dirfd, name, dir ? AT_REMOVEDIR : 0);
		return cx_fail(err, "remember %s", show);
	}
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	p->nmade++;
	fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cx_fail(errno, "open %s", show);
	return fd;
}

/* --mkdir: walk TARGET one component at a time, each prefix resolved
 * as the whole path would be (inside the root), and make what is
 * missing in the directory that the prefix before it resolved to. */
static int make_target(const struct ctx *c, int rootfd, struct pair *p,
		       bool dir)
{
	char *prefix = strdup(p->target), *show;
	size_t i = 0, len = strlen(p->target);
	int cur, fd = -1;

	if (!prefix)
		cx_die_errno("malloc");
	if (rootfd >= 0)
		cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	else
		cur = open(prefix[0] == '/' ? "/" : ".",
			   O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0) {
		free(prefix);
		return cx_fail(errno, "open %s", p->shown);
	}
	for (;;) {
		size_t start, end;
		bool last;

		while (i < len && p->target[i] == '/')
			i++;
		if (i == len) {
			fd = cur;
			break;
		}
		start = i;
		end = start + strcspn(p->target + start, "/");
		i = end;
		while (i < len && p->target[i] == '/')
			i++;
		last = i == len;
		prefix[end] = '\0';
		show = shown(c, prefix);
		fd = resolve(rootfd, prefix, O_PATH, show);
		if (fd < 0 && cx_last_errno() == ENOENT)
			fd = make_one(p, cur, prefix + start, dir || !last,
				      show);
		free(show);
		if (fd < 0)
			break;
		close(cur);
		cur = fd;
		prefix[end] = p->target[end];
	}
	if (fd < 0)
		close(cur);
	free(prefix);
	return fd;
}

static int open_target(const struct ctx *c, int rootfd, struct pair *p,
		       bool dir)
{
	int fd = resolve(rootfd, p->target, O_PATH, p->shown);

	if (fd < 0 && cx_last_errno() == ENOENT && c->mkdir)
		fd = make_target(c, rootfd, p, dir);
	return fd;
}

/* Does PATH name the root by its words alone: "/", ".", "..", empty
 * components, nothing else (inside the root, .. stops there)? */
static bool names_root(const char *path)
{
	while (*path) {
		size_t n = strcspn(path, "/");

		if (n && !(n == 1 && path[0] == '.') &&
		    !(n == 2 && path[0] == '.' && path[1] == '.'))
			return false;
		path += n + (path[n] == '/');
	}
	return true;
}

/* A TARGET that leads to the root itself: a mount there covers the
 * root, and the pairs after it are made in it (p->on_root).  Only when
 * TARGET says so: a rootfs's symbolic link that leads there (/data ->
 * /) would put a volume over the whole root, and the mount points of
 * the pairs after it into the volume, which is the host's. */
static int check_root_target(int rootfd, int tgtfd, struct pair *p)
{
	p->on_root = cx_same_file(rootfd, tgtfd, true);
	if (p->on_root && !names_root(p->target))
		return cx_fail(0, "%s %s: it leads to the root itself by a path other than /; refused (name the root as /)",
			       p->remount ? "remount" : "mount on", p->shown);
	return 0;
}

/* The end of one pair: 1 when mounted, else -1 with what it made
 * removed again. */
static int finish(struct pair *p, int tgtfd)
{
	if (tgtfd >= 0)
		close(tgtfd);
	if (p->mnt < 0) {
		remove_made(p);
		return -1;
	}
	return 1;
}

/* --fs: a new instance of the file system, its flags checked as a
 * bind's are.  1, or -1 with whatever it made removed again. */
static int mount_fs(const struct ctx *c, int rootfd, struct pair *p)
{
	struct cx_bind b = bind_flags(c, p);
	unsigned long flags = (b.attr & MOUNT_ATTR_RDONLY ? MS_RDONLY : 0) |
			      (b.attr & MOUNT_ATTR_NOSUID ? MS_NOSUID : 0) |
			      (b.attr & MOUNT_ATTR_NODEV ? MS_NODEV : 0) |
			      (b.attr & MOUNT_ATTR_NOEXEC ? MS_NOEXEC : 0);
	int tgtfd, root = -1;
	struct stat st;

	tgtfd = open_target(c, rootfd, p, true);
	if (tgtfd >= 0 && check_root_target(rootfd, tgtfd, p) < 0) {
		/* Refused: recorded, nothing mounted. */
	} else if (tgtfd >= 0 && fstat(tgtfd, &st) == 0 && !S_ISDIR(st.st_mode)) {
		cx_fail(ENOTDIR, "mount %s on %s", p->source, p->shown);
	} else if (tgtfd >= 0 &&
		 cx_mount_fresh_source(tgtfd, p->source, p->source,
				       p->data && *p->data ? p->data : NULL,
				       flags, p->shown, &root) == 0) {
		/* mount(2) gives no descriptor, and a lookup of the
		 * root's "/" inside the root stays under the new mount:
		 * found again by its path from our own root. */
		if (root < 0)
			root = cx_mount_found_again(tgtfd, p->shown);
		if (root >= 0 && cx_bind_verify(root, b.attr & ~MOUNT_ATTR_IDMAP, false,
						p->shown) < 0) {
			cx_bind_detach(root, p->shown);
			root = -1;
		}
		p->mnt = root;
	}
	return finish(p, tgtfd);
}

/* --symlink: LINK made in the directory its path leads to (inside the
 * root; made with --mkdir), pointing at TEXT, which is not followed.  A
 * link already there with the same TEXT is left as it is.  1, or -1
 * with whatever it made removed again. */
static int make_link(const struct ctx *c, int rootfd, struct pair *p)
{
	char *slash = strrchr(p->target, '/'), *name, text[PATH_MAX];
	int dirfd;
	ssize_t n;

	if (slash && slash[1] == '\0')
		return cx_fail(EINVAL, "symlink %s: LINK ends in /", p->shown);
	name = slash ? slash + 1 : p->target;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return cx_fail(EINVAL, "symlink %s: LINK names no entry", p->shown);
	if (slash == p->target) {
		dirfd = resolve(rootfd, "/", O_PATH | O_DIRECTORY, p->shown);
	} else if (slash) {
		/* The directory, resolved as a TARGET is (or made). */
		*slash = '\0';
		dirfd = open_target(c, rootfd, p, true);
		*slash = '/';
	} else {
		dirfd = resolve(rootfd, ".", O_PATH | O_DIRECTORY, p->shown);
	}
	if (dirfd < 0)
		goto fail;
	if (symlinkat(p->source, dirfd, name) == 0) {
		struct made *m;
		struct stat st;

		p->made = grow(p->made, p->nmade, sizeof(*p->made));
		m = &p->made[p->nmade];
		*m = (struct made){ .dirfd = dirfd, .name = strdup(name) };
		if (!m->name || fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			cx_fail(errno, "symlink %s", p->shown);
			unlinkat(dirfd, name, 0);
			free(m->name);
			goto fail_dir;
		}
		m->dev = st.st_dev;
		m->ino = st.st_ino;
		p->nmade++;
		return 1;
	}
	if (errno == EEXIST &&
	    (n = readlinkat(dirfd, name, text, sizeof(text) - 1)) >= 0) {
		text[n] = '\0';
		if (!strcmp(text, p->source)) {
			close(dirfd);
			return 1;
		}
		cx_fail(EEXIST, "symlink %s: already a link to %s", p->shown, text);
	} else {
		cx_fail(errno == EINVAL ? EEXIST : errno, "symlink %s", p->shown);
	}
fail_dir:
	close(dirfd);
fail:
	remove_made(p);
	return -1;
}

/* --remount: the flags OPTIONS name, on the mount whose root TARGET
 * is; the tool's own flags (--ro, nosuid and nodev by default) are not
 * for it.  Nothing is made: TARGET must be there, a mount's root.  1,
 * or -1 with the mount as it was. */
static int remount_one(int rootfd, struct pair *p)
{
	int fd = resolve(rootfd, p->target, O_PATH, p->shown), mp;

	if (fd < 0)
		return -1;
	if (check_root_target(rootfd, fd, p) < 0) {
		close(fd);
		return -1;
	}
	mp = cx_is_mountpoint(fd);
	if (mp != 1) {
		cx_fail(mp < 0 ? errno : 0, "remount %s%s", p->shown,
			mp < 0 ? "" : ": not a mount point");
	} else if (cx_bind_remount(fd, p->opts.set, p->opts.clear, &p->old,
				   p->shown) == 0) {
		p->mnt = fd;
		return 1;
	}
	close(fd);
	return -1;
}

/* Take back what pair P did: its mount detached, or its flags as they
 * were; then what it made. */
static void undo(struct pair *p)
{
	unsigned changed = p->opts.set | p->opts.clear, ignored;

	if (p->mnt >= 0 && p->remount) {
		if (cx_bind_remount(p->mnt, p->old & changed, ~p->old & changed,
				    &ignored, p->shown) < 0)
			cx_warn_last();
		close(p->mnt);
	} else if (p->mnt >= 0) {
		cx_bind_detach(p->mnt, p->shown);
	}
	remove_made(p);
}

/* One pair: 1 when bound, 0 when skipped (--try), -1 on failure with
 * whatever it made removed again. */
static int bind_one(const struct ctx *c, int rootfd, struct pair *p)
{
	struct cx_bind b = bind_flags(c, p);
	struct stat src, tgt;
	int srcfd, tgtfd;

	p->shown = shown(c, p->target);
	if (p->fs)
		return mount_fs(c, rootfd, p);
	if (p->symlink)
		return make_link(c, rootfd, p);
	if (p->remount)
		return remount_one(rootfd, p);
	srcfd = open(p->source, O_PATH | O_CLOEXEC);
	if (srcfd < 0 && errno == ENOENT && c->try)
		return 0;
	if (srcfd < 0)
		return cx_fail(errno, "open %s", p->source);
	if (fstat(srcfd, &src) < 0) {
		close(srcfd);
		return cx_fail(errno, "stat %s", p->source);
	}
	tgtfd = open_target(c, rootfd, p, S_ISDIR(src.st_mode));
	if (tgtfd >= 0 && check_root_target(rootfd, tgtfd, p) < 0) {
		/* Refused: recorded, nothing mounted. */
	} else if (tgtfd < 0 || fstat(tgtfd, &tgt) < 0) {
		if (tgtfd >= 0)
			cx_fail(errno, "stat %s", p->shown);
	} else if (S_ISDIR(src.st_mode) != S_ISDIR(tgt.st_mode)) {
		/* mount(2) says ENOTDIR either way, move_mount(2) EINVAL. */
		cx_fail(S_ISDIR(src.st_mode) ? ENOTDIR : EISDIR,
			"mount %s on %s", p->source, p->shown);
	} else {
		p->mnt = cx_bind_fds(srcfd, tgtfd, &b, p->source, p->shown);
	}
	close(srcfd);
	return finish(p, tgtfd);
}

/* Every pair in order; on a failure, the ones before are undone too,
 * so that a failed cx-bind leaves the mount table as it found it (and
 * a remount's flags as they were).  A mount on the root itself (the
 * root bound on itself, as cx-oci does for root.readonly before its
 * --remount /:ro) covers it: the pairs after it are made inside the
 * new mount, or they would be hidden under it. */
static void bind_all(struct ctx *c, int rootfd)
{
	for (size_t i = 0; i < c->npairs; i++) {
		struct pair *p = &c->pairs[i];

		if (bind_one(c, rootfd, p) >= 0) {
			if (p->on_root && p->mnt >= 0)
				rootfd = p->mnt;
			continue;
		}
		cx_warn_last();
		while (i--)
			undo(&c->pairs[i]);
		exit(CX_EXIT_FAIL);
	}
	for (size_t i = 0; i < c->npairs; i++) {
		struct pair *p = &c->pairs[i];

		if (p->mnt >= 0)
			close(p->mnt);
		forget_made(p);
	}
}

/* -u: each TARGET in order.  The root is opened again for each: a
 * descriptor of it would keep busy a mount that holds it. */
static void unmount_all(struct ctx *c)
{
	for (size_t i = 0; i < c->nunmounts; i++) {
		char *show = shown(c, c->unmounts[i]);
		int rootfd = -1, fd, mp;

		if (c->root) {
			rootfd = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (rootfd < 0)
				cx_die_errno("open %s", c->root);
		}
		fd = resolve(rootfd, c->unmounts[i], O_PATH, show);
		if (fd < 0)
			cx_die_last();
		if (rootfd >= 0)
			close(rootfd);
		mp = cx_is_mountpoint(fd);
		if (mp < 0)
			cx_die_errno("unmount %s", show);
		if (!mp)
			cx_die("unmount %s: not a mount point", show);
		if (cx_bind_unmount(fd, c->rec, c->lazy ? MNT_DETACH : 0,
				    show) < 0)
			cx_die_last();
		free(show);
	}
}

/* The user namespace an idmapped bind goes through: the file given, if
 * it is one, else one made with the maps. */
static void open_userns(struct ctx *c)
{
	if (c->userns_file) {
		/* A namespace file is a regular file of nsfs: anything else
		 * is never opened (a FIFO would block us). */
		c->userns = cx_open_regular_at(AT_FDCWD, c->userns_file, 0,
					       O_RDONLY, c->userns_file);
		if (c->userns < 0 && cx_last_errno() != 0) {
			cx_fail_context("--map-userns");
			cx_die_last();
		}
		if (c->userns < 0 ||
		    ioctl(c->userns, NS_GET_NSTYPE) != CLONE_NEWUSER)
			cx_die("--map-userns: %s is not a user namespace (such as /proc/PID/ns/user)",
			       c->userns_file);
		return;
	}
	c->userns = cx_ns_user_mapped(c->uids, c->nuids, c->gids, c->ngids);
	if (c->userns < 0) {
		cx_fail_context("--map-users, --map-groups");
		cx_die_last();
	}
}

/* Fail closed: the command is looked up before any mount, so that a
 * typo costs nothing.  A first word starting with '-' is mount(8)'s
 * habit of options after the operands ("cx-bind SRC DST -o ro"): that
 * is said first, and the lookup still runs a program of that name. */
static void find_command(char **cmd)
{
	if (cmd[0][0] == '-')
		cx_warn("'%s' after the operands is the command to run, not an option: options go first%s",
			cmd[0], strncmp(cmd[0], "-o", 2) == 0 ?
				" (read-only is --ro, or -b SOURCE:TARGET:ro; cx-bind takes no -o)" : "");
	cx_exec_find(cmd);
}

int main(int argc, char **argv)
{
	struct ctx c = { .suid = -1, .dev = -1, .userns = -1 };
	char **cmd;
	int rootfd = -1;

	cx_init("cx-bind");
	cmd = check(&c, cx_opt_parse(&tool, argc, argv, on_option, &c));
	if (cmd[0])
		find_command(cmd);

	if (c.nunmounts) {
		unmount_all(&c);
	} else {
		if (c.root) {
			rootfd = open(c.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (rootfd < 0)
				cx_die_errno("open %s", c.root);
		}
		if (c.userns_file || c.nuids || c.ngids)
			open_userns(&c);
		bind_all(&c, rootfd);
		if (c.userns >= 0)
			close(c.userns);
		if (rootfd >= 0)
			close(rootfd);
	}
	if (!cmd[0])
		return 0;
	cx_exec(-1, cmd);
}
