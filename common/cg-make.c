/* cx-cgroup's making and taking back: the base, NAME and the cgroups
 * above it, safe beside other runs; and the limits, each written by
 * the backend of its hierarchy.  See cg.h. */
#include "cg-impl.h"

#include "die.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

static int made_add(struct cx_cg_made *m, const char *dir);

/* Only a v1 cpuset hierarchy wants anything of a new cgroup (its CPUs
 * and memory nodes): the others are spared the look. */
static bool needs_made(const struct cx_cg_hier *h)
{
	return h->version != 1 || cx_cg_list_has(h->ctls, "cpuset");
}

/* What hierarchy H gives a new cgroup DIR from PARENT (a v1 cpuset:
 * the CPUs and memory nodes, where still empty).  Also for one found
 * there that a run beside this one may have made a moment ago and not
 * yet given its cpuset: what it would give, it gets now. */
static int give_made(const struct cx_cg_hier *h, const char *parent,
		     const char *dir)
{
	return needs_made(h) ? cx_cg_backend(h->version)->made(parent, dir) : 0;
}

/* Make DIR, a child of PARENT, in hierarchy H, recording it in M; NAME
 * itself is the LEAF.  1 made, 0 there already, -1 failed: ENOENT or
 * ENODEV when PARENT or DIR has gone, taken back by a run of cx-cgroup
 * beside this one. */
static int make_one(struct cx_cg_hier *h, const char *parent,
		    const char *dir, bool leaf, struct cx_cg_made *m)
{
	cx_say("mkdir %s", dir);
	if (mkdir(dir, 0755) < 0) {
		if (errno != EEXIST || !cx_cg_is_dir(dir))
			return cx_fail(errno, "create %s", dir);
		/* Perhaps made by a run beside this one; NAME itself is
		 * used as it is. */
		if (!leaf && give_made(h, parent, dir) < 0)
			return -1;
		return 0;
	}
	if (made_add(m, dir) < 0 || give_made(h, parent, dir) < 0)
		return -1;
	/* A cgroup we made above NAME is a parent: it gives its
	 * children what it has. */
	if (!leaf && h->version == 2)
		cx_cg_v2_enable_all(dir);
	return 1;
}

/* Whether we may make cgroups in DIR and move processes into it. */
static bool writable_cgroup(const char *dir)
{
	char procs[PATH_MAX];

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	return access(dir, W_OK) == 0 && access(procs, W_OK) == 0;
}

#define DELEGATE_HOW "systemd's Delegate=yes gives user@UID.service, in which a login's processes run once started with systemd-run --user --scope; by hand, root chowns a cgroup's directory and its cgroup.procs, cgroup.subtree_control and cgroup.threads to the user (cgroup-v2.rst, Delegation)"

/* Without write access to the hierarchy's root (an ordinary user, or
 * root of a user namespace): cx below the highest cgroup above our own
 * that is still ours, the one delegated to us.  Moving a process needs
 * write access to the cgroup.procs of the common ancestor of where it
 * is and where it goes: that cgroup, for a process that runs in it. */
static char *delegated_base(const struct cx_cg_hier *h)
{
	char *own, *top, *slash;
	size_t mlen = strlen(h->mount);

	if (h->version == 1) {
		cx_fail(0, "no cgroup was delegated to this user in %s: cgroup v1 gives ordinary users none (on a v1 or hybrid host, run the rest of the chain without cx-cgroup)",
			h->mount);
		return NULL;
	}
	if (!(own = cx_cg_own(h))) {
		cx_fail(errno ? errno : ENOENT, "find the caller's cgroup in %s",
			h->mount);
		return NULL;
	}
	if (!writable_cgroup(own)) {
		cx_fail(0, "no cgroup was delegated to this user: its own, %s, is not its to change (%s)",
			own, DELEGATE_HOW);
		free(own);
		return NULL;
	}
	top = strdup(own);
	while (top && (slash = strrchr(top, '/')) && (size_t)(slash - top) > mlen) {
		*slash = '\0';
		if (!writable_cgroup(top)) {
			*slash = '/';
			break;
		}
	}
	free(own);
	if (!top) {
		cx_fail(ENOMEM, "malloc");
		return NULL;
	}
	own = cx_cg_join(top, "cx");
	free(top);
	return own;
}

int cx_cg_set_base(struct cx_cg_layout *l, const char *parent,
		   struct cx_cg_made *m)
{
	for (int i = 0; i < l->n; i++) {
		struct cx_cg_hier *h = &l->h[i];
		int r;

		free(h->base);
		h->base_auto = !parent;
		if (!parent && access(h->mount, W_OK) < 0) {
			if (!(h->base = delegated_base(h)))
				return -1;
		} else if (!parent)
			h->base = cx_cg_join(h->mount, "cx");
		else if (strcmp(parent, CX_CG_PARENT_SELF) == 0)
			h->base = cx_cg_own(h);
		else
			h->base = cx_cg_join(h->mount, parent);
		if (!h->base)
			return cx_fail(errno ? errno : ENOENT,
				       "find the caller's cgroup in %s",
				       h->mount);
		if (cx_cg_is_dir(h->base))
			continue;
		if (parent)
			return cx_fail(ENOENT, "--parent %s: no cgroup %s",
				       parent, h->base);
		if (!m)
			continue;
		if ((r = make_one(h, h->mount, h->base, false, m)) < 0)
			return -1;
		h->base_made |= r;
	}
	return 0;
}


static int made_add(struct cx_cg_made *m, const char *dir)
{
	/* Made again after a retry: recorded once. */
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->dir[i], dir) == 0)
			return 0;
	if (m->n == (int)(sizeof(m->dir) / sizeof(*m->dir)))
		return cx_fail(E2BIG, "too many cgroups to make");
	m->dir[m->n] = strdup(dir);
	if (!m->dir[m->n])
		return cx_fail(ENOMEM, "malloc");
	m->n++;
	return 0;
}

/* Does DIR hold a cgroup? */
static int found(const char *name, void *arg)
{
	(void)name;
	(void)arg;
	return 1;
}

static bool has_children(const char *dir)
{
	return cx_cg_each_subdir(dir, found, NULL) > 0;
}

/* A cgroup that holds another is in use by a run beside this one (a
 * parent both share), and stays. */
int cx_cg_rmdir(const char *dir)
{
	struct timespec ms = { 0, 1000000 };

	cx_say("rmdir %s", dir);
	for (int i = 0; i < 2000; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || has_children(dir))
			break;
		nanosleep(&ms, NULL);
	}
	return cx_fail(errno, "remove %s", dir);
}

void cx_cg_undo(struct cx_cg_made *m)
{
	/* Taking back comes after a failure: that one stays the one
	 * recorded, whatever the rmdirs say. */
	struct cx_failure f;

	cx_fail_save(&f);
	for (int i = m->n - 1; i >= 0; i--)
		cx_cg_rmdir(m->dir[i]);
	cx_cg_made_free(m);
	cx_fail_restore(&f);
}

void cx_cg_made_free(struct cx_cg_made *m)
{
	for (int i = 0; i < m->n; i++)
		free(m->dir[i]);
	m->n = 0;
}

/* Make NAME and what is above it in hierarchy H, from the base down. */
static int make_path(struct cx_cg_hier *h, const char *name,
		     struct cx_cg_made *m)
{
	char path[PATH_MAX], parent[PATH_MAX];
	const char *p = name;
	int r;

	if (!cx_cg_is_dir(h->base)) {
		/* cx's own base, taken back by a run beside this one. */
		if (!h->base_auto)
			return cx_fail(ENOENT, "open the base %s", h->base);
		if ((r = make_one(h, h->mount, h->base, false, m)) < 0)
			return -1;
		h->base_made |= r;
	} else if (h->base_auto && h->version == 1 &&
		   give_made(h, h->mount, h->base) < 0)
		/* Perhaps made by a run beside this one, as a parent
		 * below. */
		return -1;
	snprintf(path, sizeof(path), "%s", h->base);
	while (*p) {
		size_t len = strcspn(p, "/");
		bool leaf = p[len] == '\0';

		snprintf(parent, sizeof(parent), "%s", path);
		if (strlen(path) + len + 2 > sizeof(path))
			return cx_fail(ENAMETOOLONG, "create %s/%s", path, name);
		snprintf(path + strlen(path), sizeof(path) - strlen(path),
			 "/%.*s", (int)len, p);
		p += len + !leaf;
		if (make_one(h, parent, path, leaf, m) < 0)
			return -1;
	}
	return 0;
}

int cx_cg_create(struct cx_cg_layout *l, const char *name, bool excl,
		 struct cx_cg_made *m)
{
	if (excl) {
		int first = -1, more = 0;

		for (int i = 0; i < l->n; i++)
			if (cx_cg_exists(l, i, name)) {
				more += first >= 0;
				if (first < 0)
					first = i;
			}
		if (first >= 0) {
			char *p = cx_cg_path(l, first, name);

			cx_fail(0, "create %s: it exists already, at %s%s: cx-cgroup set changes its limits, run uses it as it is, rm removes it",
				name, p, more ? " and in other hierarchies" : "");
			free(p);
			return -1;
		}
	}
	for (int i = 0; i < l->n; i++) {
		/* A parent that goes while we make what is below it was
		 * taken back by a run beside this one, which made it:
		 * again from the base, which makes it ours.  Its gone
		 * path is ENOENT; a file of it read or written while the
		 * kernel takes it down is ENODEV.  A --parent that is gone
		 * is not ours to make: no retry. */
		for (int tries = 0; make_path(&l->h[i], name, m) < 0; tries++)
			if ((cx_last_errno() != ENOENT &&
			     cx_last_errno() != ENODEV) || tries == 100 ||
			    (!l->h[i].base_auto && !cx_cg_is_dir(l->h[i].base)))
				return -1;
	}
	return 0;
}


/* --- Limits ---------------------------------------------------------- */

int cx_cg_route(const struct cx_cg_layout *l, const struct cx_cg_limit *lim)
{
	char ctl[64];
	size_t len;

	if (lim->knob)
		return cx_cg_find(l, lim->knob->ctl, lim->knob->v1ctl);
	len = strcspn(lim->file, ".");
	snprintf(ctl, sizeof(ctl), "%.*s", (int)len, lim->file);
	if (strcmp(ctl, "cgroup") == 0)
		return l->v2;
	return cx_cg_find(l, ctl, ctl);
}

/* The controller a limit needs enabled on v2 ("" for cgroup.*). */
static void limit_ctl(const struct cx_cg_limit *lim, char *out, size_t len)
{
	if (lim->knob) {
		snprintf(out, len, "%s", lim->knob->ctl);
		return;
	}
	snprintf(out, len, "%.*s", (int)strcspn(lim->file, "."), lim->file);
	if (strcmp(out, "cgroup") == 0)
		*out = '\0';
}

int cx_cg_check_limits(const struct cx_cg_layout *l,
		       const struct cx_cg_limit *lim, int n, int *bad)
{
	for (int j = 0; j < n; j++) {
		const struct cx_cg_knob *k = lim[j].knob;
		int i = cx_cg_route(l, &lim[j]);
		char ctl[64];

		*bad = j;
		limit_ctl(&lim[j], ctl, sizeof(ctl));
		if (i < 0 && !k && !*ctl)
			return cx_fail(0, "cgroup.* files are cgroup v2's, and this host has no cgroup2 mount");
		if (i < 0 && !k)
			return cx_fail(0, "no cgroup hierarchy here has the %s controller", ctl);
		if (i < 0)
			return cx_fail(0, "this host has no %s controller (not in a cgroup v1 hierarchy, nor in cgroup2's cgroup.controllers)",
				       strcmp(k->ctl, k->v1ctl) ? k->v1ctl : k->ctl);
		if (k && cx_cg_backend(l->h[i].version)->check(l->h[i].mount,
								&lim[j]) < 0)
			return -1;
	}
	*bad = -1;
	return 0;
}

/* --set writes only a file the kernel made in NAME: a regular file of a
 * cgroup file system, right in NAME's directory, that takes writes. */
static int check_set_file(const char *dir, const char *file)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
	struct statfs fs;
	struct stat st;

	if (dfd < 0)
		return cx_fail(errno, "open %s", dir);
	if (fstatfs(dfd, &fs) < 0)
		rc = cx_fail(errno, "statfs %s", dir);
	else if (fs.f_type != CGROUP_SUPER_MAGIC &&
		 fs.f_type != CGROUP2_SUPER_MAGIC)
		rc = cx_fail(0, "%s is not in a cgroup file system", dir);
	else if (fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) < 0)
		rc = errno == ENOENT ?
		     cx_fail(0, "no %s in %s: the kernel has no such interface file here",
			     file, dir) :
		     cx_fail(errno, "stat %s/%s", dir, file);
	else if (!S_ISREG(st.st_mode))
		rc = cx_fail(0, "%s/%s is %s, not an interface file of the cgroup",
			     dir, file, S_ISDIR(st.st_mode) ?
			     "a cgroup below it" : "something else");
	else if (!(st.st_mode & 0222))
		rc = cx_fail(0, "%s/%s is read-only: the kernel reports through it, and takes nothing",
			     dir, file);
	close(dfd);
	return rc;
}

/* Every --set: no refused file (before anything is enabled on v2), and
 * with CHECK_FILES a file of the kernel's in NAME, before the first
 * limit is written. */
static int check_sets(const struct cx_cg_layout *l, const char *name,
		      const struct cx_cg_limit *lim, int n, bool check_files,
		      int *bad)
{
	for (int j = 0; j < n; j++) {
		const char *why;
		char *dir;
		int i, rc;

		if (lim[j].knob)
			continue;
		*bad = j;
		if ((why = cx_cg_set_refusal(lim[j].file, strlen(lim[j].file))))
			return cx_fail(0, "refused: %s", why);
		if (!check_files || (i = cx_cg_route(l, &lim[j])) < 0)
			continue;
		dir = cx_cg_path(l, i, name);
		rc = check_set_file(dir, lim[j].file);
		free(dir);
		if (rc < 0)
			return -1;
	}
	*bad = -1;
	return 0;
}

/* v2: the controllers the limits need, enabled from the base down. */
static int enable_for(const struct cx_cg_layout *l, const char *name,
		      const struct cx_cg_limit *lim, int n)
{
	char ctls[256] = "";

	for (int j = 0; j < n; j++) {
		char ctl[64];

		if (l->v2 < 0 || cx_cg_route(l, &lim[j]) != l->v2)
			continue;
		limit_ctl(&lim[j], ctl, sizeof(ctl));
		if (*ctl && !cx_cg_list_has(ctls, ctl) &&
		    strlen(ctls) + strlen(ctl) + 2 < sizeof(ctls))
			snprintf(ctls + strlen(ctls), sizeof(ctls) - strlen(ctls),
				 "%s ", ctl);
	}
	if (!*ctls)
		return 0;
	return cx_cg_v2_enable(l->h[l->v2].base, l->h[l->v2].base_made, name,
			       ctls);
}

int cx_cg_apply(const struct cx_cg_layout *l, const char *name,
		const struct cx_cg_limit *lim, int n, int *bad)
{
	*bad = -1;
	if (n > CX_CG_MAX_LIMITS)
		return cx_fail(E2BIG, "more than %d limits", CX_CG_MAX_LIMITS);
	if (check_sets(l, name, lim, n, false, bad) < 0 ||
	    enable_for(l, name, lim, n) < 0 ||
	    check_sets(l, name, lim, n, true, bad) < 0)
		return -1;
	/* The knobs, a hierarchy at a time: its backend writes them in
	 * the order its kernel takes them. */
	for (int i = 0; i < l->n; i++) {
		const struct cx_cg_limit *mine[CX_CG_MAX_LIMITS];
		int at[CX_CG_MAX_LIMITS], m = 0, b = -1, rc;
		char *dir;

		for (int j = 0; j < n; j++)
			if (lim[j].knob && cx_cg_route(l, &lim[j]) == i) {
				at[m] = j;
				mine[m++] = &lim[j];
			}
		if (!m)
			continue;
		dir = cx_cg_path(l, i, name);
		rc = cx_cg_backend(l->h[i].version)->apply(dir, mine, m, &b);
		free(dir);
		if (rc < 0) {
			*bad = b >= 0 ? at[b] : -1;
			return -1;
		}
	}
	/* --set: the value goes out as it is. */
	for (int j = 0; j < n; j++) {
		int i = cx_cg_route(l, &lim[j]), rc;
		char *dir;

		if (lim[j].knob)
			continue;
		*bad = j;
		if (i < 0)
			return cx_fail(EINVAL, "no hierarchy for %s", lim[j].file);
		dir = cx_cg_path(l, i, name);
		rc = cx_cg_write(dir, lim[j].file, lim[j].text);
		if (rc < 0 && cx_last_errno() == ENOENT)
			cx_fail(0, "no %s in %s: the kernel has no such interface file here",
				lim[j].file, dir);
		free(dir);
		if (rc < 0)
			return -1;
	}
	*bad = -1;
	return 0;
}
