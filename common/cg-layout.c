/* cx-cgroup's layout: which hierarchy holds which controller, where
 * it is mounted, the base the cgroups go below, and the names of the
 * cgroups.  See cg.h. */
#include "cg-impl.h"

#include "die.h"
#include "mountinfo.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>

/* --- The layout -------------------------------------------------- */

/* The controllers cx knows by name, v1 and v2.  A v1 mount option not
 * in this list (rw, xattr, name=systemd, clone_children...) is none. */
static const char *const known_ctls[] = {
	"blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer",
	"hugetlb", "io", "memory", "misc", "net_cls", "net_prio",
	"perf_event", "pids", "rdma",
};

static bool known_ctl(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(known_ctls) / sizeof(*known_ctls); i++)
		if (strlen(known_ctls[i]) == len &&
		    strncmp(known_ctls[i], s, len) == 0)
			return true;
	return false;
}

/* The items of the comma-separated OPTS that KEEP takes, each followed
 * by SEP. */
static char *pick_opts(const char *opts, bool (*keep)(const char *, size_t),
		       char sep)
{
	char *out = calloc(strlen(opts) + 2, 1), *o = out;

	if (!out)
		return NULL;
	for (const char *p = opts; *p;) {
		size_t n = strcspn(p, ",");

		if (n && keep(p, n)) {
			memcpy(o, p, n);
			o += n;
			*o++ = sep;
		}
		p += n;
		if (*p)
			p++;
	}
	return out;
}

/* The v1 controllers in a super options field ("rw,cpu,cpuacct"), each
 * followed by a space. */
static char *v1_ctls(const char *opts)
{
	return pick_opts(opts, known_ctl, ' ');
}

/* A super option to mount a hierarchy again with: all but rw or ro,
 * and the release agent (a second mount gets no say in it).  For
 * cgroup2 all count: a mount in the first cgroup namespace sets them
 * for the whole host, and leaving one out would clear it.  They go to
 * mount(2) as mountinfo shows them, escapes and all: none of them can
 * hold a character the kernel escapes there (v1's name= takes letters,
 * digits, '.', '-' and '_' only; the one path, release_agent, is left
 * out). */
static bool mountable(const char *s, size_t len)
{
	return !(len == 2 && (!strncmp(s, "rw", 2) || !strncmp(s, "ro", 2))) &&
	       strncmp(s, "release_agent=", 14) != 0;
}

/* Those of OPTS, comma-separated. */
static char *mount_opts(const char *opts)
{
	char *out = pick_opts(opts, mountable, ',');
	size_t n = out ? strlen(out) : 0;

	if (n)
		out[n - 1] = '\0';
	return out;
}

static void hier_free(struct cx_cg_hier *h)
{
	free(h->mount);
	free(h->root);
	free(h->ctls);
	free(h->opts);
	free(h->base);
	memset(h, 0, sizeof(*h));
}

/* The hierarchy mounted by M, added to L when M is a cgroup or cgroup2
 * mount of a hierarchy not seen yet. */
static int add_hier(const struct cx_mountinfo *m, struct cx_cg_layout *l)
{
	struct cx_cg_hier h = { 0 };

	if (strcmp(m->fstype, "cgroup2") == 0)
		h.version = 2;
	else if (strcmp(m->fstype, "cgroup") == 0)
		h.version = 1;
	else
		return 0;
	h.dev = (unsigned long)makedev(m->major, m->minor);
	for (int i = 0; i < l->n; i++)
		if (l->h[i].dev == h.dev)
			return 0;	/* the same hierarchy again */
	h.ctls = h.version == 1 ? v1_ctls(m->superopts) : strdup("");
	if (!h.ctls)
		return cx_cg_errno(ENOMEM);
	if (h.version == 1 && !*h.ctls) {
		free(h.ctls);	/* a named hierarchy: no controller */
		return 0;
	}
	h.root = strdup(m->root);
	h.mount = strdup(m->mountpoint);
	h.opts = mount_opts(m->superopts);
	if (!h.root || !h.mount || !h.opts) {
		hier_free(&h);
		return cx_cg_errno(ENOMEM);
	}
	if (l->n == CX_CG_MAX_HIER) {
		hier_free(&h);
		return cx_cg_errno(E2BIG);
	}
	if (h.version == 2) {
		if (l->v2 >= 0) {
			hier_free(&h);
			return 0;
		}
		l->v2 = l->n;
	} else {
		l->v1++;
	}
	l->h[l->n++] = h;
	return 0;
}

/* Entry I of T is covered by a mount listed after it, on its mount
 * point or on a directory above (a tmpfs over /sys/fs/cgroup/unified):
 * its path leads elsewhere now. */
static bool covered(const struct cx_mountinfo_table *t, size_t i)
{
	const char *mine = t->m[i].mountpoint;

	for (size_t j = i + 1; j < t->n; j++) {
		const char *other = t->m[j].mountpoint;
		size_t len = strlen(other);

		if (!strcmp(other, mine) ||
		    (strncmp(other, mine, len) == 0 &&
		     (mine[len] == '/' || (len == 1 && other[0] == '/'))))
			return true;
	}
	return false;
}

/* Fill L, emptied first, from the cgroup mounts of T that are in
 * sight.  -1 with errno as add_hier sets it, L then empty again. */
static int layout_of(const struct cx_mountinfo_table *t,
		     struct cx_cg_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->v2 = -1;
	for (size_t i = 0; i < t->n; i++)
		if (!covered(t, i) && add_hier(&t->m[i], l) < 0) {
			int err = errno;

			cx_cg_layout_free(l);
			return cx_cg_errno(err);
		}
	return 0;
}

int cx_cg_parse_mountinfo(const char *text, struct cx_cg_layout *l)
{
	struct cx_mountinfo_table t;
	int rc;

	/* Out of memory, T is left empty: L is filled from it all the
	 * same, so that it is empty too. */
	if (cx_mountinfo_parse(text, &t) < 0) {
		layout_of(&t, l);
		return cx_cg_errno(ENOMEM);
	}
	rc = layout_of(&t, l);
	cx_mountinfo_free(&t);
	return rc;
}

void cx_cg_layout_free(struct cx_cg_layout *l)
{
	for (int i = 0; i < l->n; i++)
		hier_free(&l->h[i]);
	l->n = 0;
	l->v1 = 0;
	l->v2 = -1;
}

/* The whole of a small file, NUL-terminated (malloc'd). */
int cx_cg_detect(struct cx_cg_layout *l)
{
	struct cx_mountinfo_table t;
	int rc;

	if (cx_mountinfo_read(&t) < 0)
		return -1;
	rc = layout_of(&t, l);
	cx_mountinfo_free(&t);
	if (rc < 0)
		return cx_fail(errno, "parse /proc/self/mountinfo");
	if (l->n == 0)
		return cx_fail(0, "no cgroup file system is mounted (see /proc/self/mountinfo)");
	if (l->v2 >= 0) {
		struct cx_cg_hier *h = &l->h[l->v2];
		char buf[1024];

		if (cx_cg_read(h->mount, "cgroup.controllers", buf,
			       sizeof(buf)) < 0) {
			buf[0] = '\0';
		}
		free(h->ctls);
		h->ctls = malloc(strlen(buf) + 2);
		if (!h->ctls)
			return cx_fail(ENOMEM, "read cgroup.controllers");
		h->ctls[0] = '\0';
		if (*buf)
			sprintf(h->ctls, "%s ", buf);
	}
	return 0;
}

const char *cx_cg_check_controllers(const char *list)
{
	int n = 0;

	for (const char *p = list;; p++) {
		size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

		if (len == 0)
			return *p && *p != ',' ? "names controllers: letters, digits and _, split by commas" :
			       "has an empty name (a controller per comma)";
		if (++n > 16)
			return "names more than 16 controllers";
		p += len;
		if (!*p)
			return NULL;
		if (*p != ',')
			return "names controllers: letters, digits and _, split by commas";
	}
}

int cx_cg_narrow(struct cx_cg_layout *l, const char *list,
		 const struct cx_cg_limit *lim, int n)
{
	bool keep[CX_CG_MAX_HIER] = { false };
	int k = 0;

	if (l->v2 >= 0)
		keep[l->v2] = true;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		char ctl[64];
		int i;

		snprintf(ctl, sizeof(ctl), "%.*s", (int)len, p);
		p += len + (p[len] == ',');
		if ((i = cx_cg_find(l, ctl, ctl)) < 0)
			return cx_fail(0, "this host has no %s controller (not in a cgroup v1 hierarchy, nor in cgroup2's cgroup.controllers)",
				       ctl);
		keep[i] = true;
	}
	for (int j = 0; j < n; j++) {
		int i = cx_cg_route(l, &lim[j]);

		if (i >= 0)
			keep[i] = true;
	}
	l->v1 = 0;
	for (int i = 0; i < l->n; i++) {
		if (!keep[i]) {
			hier_free(&l->h[i]);
			continue;
		}
		if (i == l->v2)
			l->v2 = k;
		if (l->h[i].version == 1)
			l->v1++;
		if (k != i) {
			l->h[k] = l->h[i];
			memset(&l->h[i], 0, sizeof(l->h[i]));
		}
		k++;
	}
	l->n = k;
	return 0;
}

const char *cx_cg_mode(const struct cx_cg_layout *l)
{
	if (l->v1 == 0)
		return "v2";
	return l->v2 >= 0 ? "hybrid" : "v1";
}

int cx_cg_find(const struct cx_cg_layout *l, const char *v2name,
	       const char *v1name)
{
	if (l->v2 >= 0 && v2name && cx_cg_list_has(l->h[l->v2].ctls, v2name))
		return l->v2;
	for (int i = 0; i < l->n; i++)
		if (l->h[i].version == 1 && v1name &&
		    cx_cg_list_has(l->h[i].ctls, v1name))
			return i;
	return -1;
}


char *cx_cg_in(const struct cx_cg_hier *h, char *text)
{
	char *line, *save = NULL, *found = NULL;

	for (line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *ctls = strchr(line, ':'), *path;
		bool match = false;

		if (!ctls || !(path = strchr(ctls + 1, ':')))
			continue;
		*ctls++ = '\0';
		*path++ = '\0';
		if (h->version == 2) {
			match = strcmp(line, "0") == 0 && !*ctls;
		} else {
			for (char *c, *s2 = NULL, *list = ctls;
			     !match && (c = strtok_r(list, ",", &s2));
			     list = NULL)
				match = cx_cg_list_has(h->ctls, c);
		}
		if (!match)
			continue;
		/* The mount shows the cgroup h->root: strip it. */
		if (strcmp(h->root, "/") != 0) {
			size_t rlen = strlen(h->root);

			if (strncmp(path, h->root, rlen) != 0 ||
			    (path[rlen] != '/' && path[rlen] != '\0'))
				break;
			path += rlen;
		}
		while (*path == '/')
			path++;
		found = cx_cg_join(h->mount, path);
	}
	return found;
}

char *cx_cg_own(const struct cx_cg_hier *h)
{
	char *text = cx_cg_slurp("/proc/self/cgroup"), *found;

	if (!text)
		return NULL;
	found = cx_cg_in(h, text);
	free(text);
	return found;
}


char *cx_cg_dir_of(const struct cx_cg_layout *l, const char *name,
		   const char *v2name, const char *v1name, int version)
{
	int i = cx_cg_find(l, v2name, v1name);

	if (i < 0 || (version && l->h[i].version != version) ||
	    !cx_cg_exists(l, i, name))
		return NULL;
	return cx_cg_path(l, i, name);
}

char *cx_cg_from_root(const struct cx_cg_hier *h, const char *dir)
{
	const char *rel = dir + strlen(h->mount);

	return cx_cg_join(strcmp(h->root, "/") == 0 ? "" : h->root,
			  *rel == '/' ? rel + 1 : rel);
}

const char *cx_cg_base_rel(const struct cx_cg_layout *l)
{
	static char rel[PATH_MAX];

	for (int i = 0; i < l->n; i++) {
		const struct cx_cg_hier *h = &l->h[i];
		const char *r = h->base + strlen(h->mount);

		if (i == 0)
			snprintf(rel, sizeof(rel), "%s", *r ? r : "/");
		else if (strcmp(rel, *r ? r : "/") != 0)
			return NULL;
	}
	return rel;
}

char *cx_cg_path(const struct cx_cg_layout *l, int i, const char *name)
{
	char *p = cx_cg_join(l->h[i].base, name ? name : "");

	if (!p)
		cx_die_errno("malloc");
	return p;
}

bool cx_cg_exists(const struct cx_cg_layout *l, int i, const char *name)
{
	char *p = cx_cg_path(l, i, name);
	bool yes = cx_cg_is_dir(p);

	free(p);
	return yes;
}

int cx_cg_count(const struct cx_cg_layout *l, const char *name)
{
	int n = 0;

	for (int i = 0; i < l->n; i++)
		n += cx_cg_exists(l, i, name);
	return n;
}

/* --- Names -------------------------------------------------------- */

/* Names of v1 files that carry no controller prefix. */
static const char *const plain_files[] = {
	"tasks", "notify_on_release", "release_agent",
};

/* "memory.max", "cgroup.procs": a directory of that name would shadow,
 * or be shadowed by, an interface file. */
static bool looks_like_file(const char *c, size_t len)
{
	const char *dot = memchr(c, '.', len);

	for (size_t i = 0; i < sizeof(plain_files) / sizeof(*plain_files); i++)
		if (strlen(plain_files[i]) == len &&
		    strncmp(plain_files[i], c, len) == 0)
			return true;
	if (!dot)
		return false;
	if ((size_t)(dot - c) == 6 && strncmp(c, "cgroup", 6) == 0)
		return true;
	return known_ctl(c, (size_t)(dot - c));
}

/* The components of a relative path. */
static int check_components(const char *s, const char **why)
{
	const char *p = s;

	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if (len == 0) {
			*why = "has an empty component (a double slash, or a slash at the end)";
			return cx_cg_errno(EINVAL);
		}
		if ((len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.')) {
			*why = "has a '.' or '..' component";
			return cx_cg_errno(EINVAL);
		}
		if (len > 255) {
			*why = "has a component longer than 255 bytes";
			return cx_cg_errno(ENAMETOOLONG);
		}
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
				*why = "contains a control character";
				return cx_cg_errno(EINVAL);
			}
		if (looks_like_file(p, len)) {
			*why = "has a component that looks like an interface file (such as memory.max)";
			return cx_cg_errno(EINVAL);
		}
		if (!slash)
			return 0;
		p = slash + 1;
	}
}

int cx_cg_check_name(const char *name, size_t len, const char *base,
		     const char **rel, const char **why)
{
	const char *s = name;

	if (len == 0) {
		*why = "is empty";
		return cx_cg_errno(EINVAL);
	}
	if (memchr(name, '\0', len)) {
		*why = "contains a NUL byte";
		return cx_cg_errno(EINVAL);
	}
	if (len >= CX_CG_NAME_MAX) {
		*why = "is too long";
		return cx_cg_errno(ENAMETOOLONG);
	}
	if (s[0] == '/') {
		size_t blen;

		if (!base) {
			*why = "is an absolute path, but the base differs between hierarchies (give NAME relative to it)";
			return cx_cg_errno(EINVAL);
		}
		blen = strlen(base);
		while (blen && base[blen - 1] == '/')
			blen--;		/* "/" is the root: length 0 */
		if (strncmp(s, base, blen) != 0 || s[blen] != '/') {
			*why = "is an absolute path outside the base";
			return cx_cg_errno(EINVAL);
		}
		s += blen + 1;
		if (!*s) {
			*why = "names the base itself";
			return cx_cg_errno(EINVAL);
		}
	}
	if (check_components(s, why) < 0)
		return -1;
	*rel = s;
	return 0;
}

int cx_cg_check_parent(const char *path, const char **rel, const char **why)
{
	if (memchr(path, '\n', strlen(path))) {
		*why = "contains a control character";
		return cx_cg_errno(EINVAL);
	}
	while (*path == '/')
		path++;
	if (*path && check_components(path, why) < 0)
		return -1;
	*rel = path;
	return 0;
}


const char **cx_cg_mount_points(const struct cx_cg_layout *l)
{
	const char **v = calloc((size_t)l->n + 1, sizeof(*v));

	if (!v) {
		cx_cg_errno(ENOMEM);
		return NULL;
	}
	for (int i = 0; i < l->n; i++) {
		/* A new mount shows the root of our cgroup namespace. */
		if (strcmp(l->h[i].root, "/") != 0) {
			cx_fail(EXDEV, "%s shows the cgroup %s, not the root of our cgroup namespace: a new mount of it would lead elsewhere",
				l->h[i].mount, l->h[i].root);
			free(v);
			return NULL;
		}
		v[i] = l->h[i].mount;
	}
	return v;
}

int cx_cg_mount_again(const struct cx_cg_layout *l)
{
	for (int i = 0; i < l->n; i++) {
		const struct cx_cg_hier *h = &l->h[i];
		const char *type = h->version == 2 ? "cgroup2" : "cgroup";

		cx_say("mount %s again on %s (%s)", type, h->mount, h->opts);
		if (mount(type, h->mount, type, MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  *h->opts ? h->opts : NULL) < 0)
			return cx_fail(errno, "mount %s again on %s (%s)", type,
				       h->mount, h->opts);
	}
	return 0;
}
