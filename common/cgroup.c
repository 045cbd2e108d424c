/* Control groups: the layout, names, the knob table, and the operations
 * that are the same on every backend.  See cgroup.h. */
#include "cgroup.h"

#include "die.h"
#include "mountinfo.h"
#include "parse.h"
#include "syscalls.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

static int fail_errno(int err)
{
	errno = err;
	return -1;
}

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

bool cx_cg_list_has(const char *list, const char *ctl)
{
	size_t len = strlen(ctl);

	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ' ');

		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) == len && strncmp(p, ctl, len) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

/* The v1 controllers in a super options field ("rw,cpu,cpuacct"), each
 * followed by a space. */
static char *v1_ctls(const char *opts)
{
	char *out = calloc(strlen(opts) + 2, 1), *o = out;

	if (!out)
		return NULL;
	for (const char *p = opts; *p;) {
		size_t n = strcspn(p, ",");

		if (known_ctl(p, n)) {
			memcpy(o, p, n);
			o += n;
			*o++ = ' ';
		}
		p += n;
		if (*p)
			p++;
	}
	return out;
}

static void hier_free(struct cx_cg_hier *h)
{
	free(h->mount);
	free(h->root);
	free(h->ctls);
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
		return fail_errno(ENOMEM);
	if (h.version == 1 && !*h.ctls) {
		free(h.ctls);	/* a named hierarchy: no controller */
		return 0;
	}
	h.root = strdup(m->root);
	h.mount = strdup(m->mountpoint);
	if (!h.root || !h.mount) {
		hier_free(&h);
		return fail_errno(ENOMEM);
	}
	if (l->n == CX_CG_MAX_HIER) {
		hier_free(&h);
		return fail_errno(E2BIG);
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

/* Fill L, emptied first, from the cgroup mounts of T.  -1 with errno
 * as add_hier sets it, L then empty again. */
static int layout_of(const struct cx_mountinfo_table *t,
		     struct cx_cg_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->v2 = -1;
	for (size_t i = 0; i < t->n; i++)
		if (add_hier(&t->m[i], l) < 0) {
			int err = errno;

			cx_cg_layout_free(l);
			return fail_errno(err);
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
		return fail_errno(ENOMEM);
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
static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, len = 0;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	for (;;) {
		ssize_t n;

		if (!buf)
			break;
		if (len + 1 == cap) {
			char *more = realloc(buf, cap * 2);

			if (!more) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = more;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			free(buf);
			close(fd);
			errno = err;
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	else
		errno = ENOMEM;
	return buf;
}

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
			return fail_errno(EINVAL);
		}
		if ((len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.')) {
			*why = "has a '.' or '..' component";
			return fail_errno(EINVAL);
		}
		if (len > 255) {
			*why = "has a component longer than 255 bytes";
			return fail_errno(ENAMETOOLONG);
		}
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
				*why = "contains a control character";
				return fail_errno(EINVAL);
			}
		if (looks_like_file(p, len)) {
			*why = "has a component that looks like an interface file (such as memory.max)";
			return fail_errno(EINVAL);
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
		return fail_errno(EINVAL);
	}
	if (memchr(name, '\0', len)) {
		*why = "contains a NUL byte";
		return fail_errno(EINVAL);
	}
	if (len >= CX_CG_NAME_MAX) {
		*why = "is too long";
		return fail_errno(ENAMETOOLONG);
	}
	if (s[0] == '/') {
		size_t blen;

		if (!base) {
			*why = "is an absolute path, but the base differs between hierarchies (give NAME relative to it)";
			return fail_errno(EINVAL);
		}
		blen = strlen(base);
		while (blen && base[blen - 1] == '/')
			blen--;		/* "/" is the root: length 0 */
		if (strncmp(s, base, blen) != 0 || s[blen] != '/') {
			*why = "is an absolute path outside the base";
			return fail_errno(EINVAL);
		}
		s += blen + 1;
		if (!*s) {
			*why = "names the base itself";
			return fail_errno(EINVAL);
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
		return fail_errno(EINVAL);
	}
	while (*path == '/')
		path++;
	if (*path && check_components(path, why) < 0)
		return -1;
	*rel = path;
	return 0;
}

/* --- Knobs and limits --------------------------------------------- */

const struct cx_cg_knob cx_cg_knobs[] = {
	{ "memory", "SIZE", "memory limit: bytes with K, M, G or T, or max",
	  CX_CG_SIZE, "memory", "memory.max",
	  "memory", "memory.limit_in_bytes", NULL, NULL },
	{ "memory-swap", "SIZE", "swap allowed on top of --memory, or max",
	  CX_CG_SWAP, "memory", "memory.swap.max",
	  "memory", "memory.memsw.limit_in_bytes", NULL, NULL },
	{ "memory-high", "SIZE", "throttle and reclaim above SIZE, or max",
	  CX_CG_SIZE, "memory", "memory.high", "memory", NULL, NULL,
	  "cgroup v1 has no throttle point (memory.soft_limit_in_bytes only acts under global memory pressure)" },
	{ "cpus", "N.N", "CPU time: N CPUs' worth per period, or max",
	  CX_CG_CPUS, "cpu", "cpu.max", "cpu", "cpu.cfs_quota_us", NULL, NULL },
	{ "cpu-weight", "N", "CPU share against the siblings, 1..10000 (100)",
	  CX_CG_WEIGHT, "cpu", "cpu.weight", "cpu", "cpu.shares", NULL, NULL },
	{ "cpuset", "CPUS", "the CPUs allowed, such as 0-3,6",
	  CX_CG_CPULIST, "cpuset", "cpuset.cpus", "cpuset", "cpuset.cpus",
	  NULL, NULL },
	{ "pids", "N", "the most tasks at once, or max",
	  CX_CG_COUNT, "pids", "pids.max", "pids", "pids.max", NULL, NULL },
	{ "io-weight", "N", "I/O share against the siblings, 1..10000 (100)",
	  CX_CG_WEIGHT, "io", "io.weight", "blkio", "blkio.bfq.weight",
	  "blkio.weight", NULL },
};
const size_t cx_cg_nknobs = sizeof(cx_cg_knobs) / sizeof(*cx_cg_knobs);

const struct cx_cg_knob *cx_cg_knob(const char *name)
{
	for (size_t i = 0; i < cx_cg_nknobs; i++)
		if (strcmp(cx_cg_knobs[i].option, name) == 0)
			return &cx_cg_knobs[i];
	return NULL;
}

/* The largest pids.max the kernel takes: PID_MAX_LIMIT on 64 bits. */
#define PIDS_LIMIT 4194304

int cx_cg_parse_cpus(const char *s, uint64_t *quota)
{
	uint64_t whole = 0, frac = 0;
	int decimals = 0;

	if (!isdigit((unsigned char)*s))
		return fail_errno(EINVAL);
	for (; isdigit((unsigned char)*s); s++) {
		whole = whole * 10 + (uint64_t)(*s - '0');
		if (whole > 1000000)
			return fail_errno(ERANGE);
	}
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return fail_errno(EINVAL);
		for (; isdigit((unsigned char)*s); s++) {
			if (++decimals > 5)
				return fail_errno(EINVAL);
			frac = frac * 10 + (uint64_t)(*s - '0');
		}
	}
	if (*s)
		return fail_errno(EINVAL);
	for (; decimals < 5; decimals++)
		frac *= 10;
	/* 5 decimals are microseconds of a 100000 us period. */
	*quota = whole * CX_CG_CPU_PERIOD + frac;
	/* The kernel's smallest quota is 1 ms. */
	if (*quota < 1000 || whole > 1000000 ||
	    (whole == 1000000 && frac))
		return fail_errno(ERANGE);
	return 0;
}

int cx_cg_parse_cpulist(const char *s)
{
	if (!*s)
		return fail_errno(EINVAL);
	for (;;) {
		uint64_t a = 0, b;
		int n = 0;

		for (; isdigit((unsigned char)*s); s++, n++)
			if ((a = a * 10 + (uint64_t)(*s - '0')) >= 65536)
				return fail_errno(ERANGE);
		if (!n)
			return fail_errno(EINVAL);
		b = a;
		if (*s == '-') {
			s++;
			b = 0;
			n = 0;
			for (; isdigit((unsigned char)*s); s++, n++)
				if ((b = b * 10 + (uint64_t)(*s - '0')) >= 65536)
					return fail_errno(ERANGE);
			if (!n || b < a)
				return fail_errno(EINVAL);
		}
		if (!*s)
			return 0;
		if (*s++ != ',')
			return fail_errno(EINVAL);
	}
}

int cx_cg_parse_limit(const struct cx_cg_knob *k, const char *arg,
		      struct cx_cg_limit *out)
{
	uint64_t v;

	memset(out, 0, sizeof(*out));
	out->knob = k;
	if (strcmp(arg, "max") == 0) {
		if (k->kind == CX_CG_WEIGHT || k->kind == CX_CG_CPULIST)
			return fail_errno(EINVAL);
		out->max = true;
		return 0;
	}
	switch (k->kind) {
	case CX_CG_SIZE:
	case CX_CG_SWAP:
		if (cx_parse_size(arg, &v) < 0)
			return -1;
		/* The kernel reads these as signed 64 bits. */
		if (v > INT64_MAX)
			return fail_errno(ERANGE);
		break;
	case CX_CG_CPUS:
		if (cx_cg_parse_cpus(arg, &v) < 0)
			return -1;
		break;
	case CX_CG_WEIGHT:
		if (cx_parse_u64(arg, &v) < 0)
			return -1;
		if (v < 1 || v > 10000)
			return fail_errno(ERANGE);
		break;
	case CX_CG_CPULIST:
		if (cx_cg_parse_cpulist(arg) < 0)
			return -1;
		out->text = arg;
		return 0;
	case CX_CG_COUNT:
		if (cx_parse_u64(arg, &v) < 0)
			return -1;
		if (v > PIDS_LIMIT)
			return fail_errno(ERANGE);
		break;
	default:
		return fail_errno(EINVAL);
	}
	out->value = v;
	return 0;
}

int cx_cg_parse_set(const char *arg, struct cx_cg_limit *out)
{
	const char *eq = strchr(arg, '=');
	size_t len;

	memset(out, 0, sizeof(*out));
	if (!eq || !eq[1])
		return fail_errno(EINVAL);
	len = (size_t)(eq - arg);
	if (len == 0 || len >= sizeof(out->file) || arg[0] == '.' ||
	    !memchr(arg, '.', len))
		return fail_errno(EINVAL);
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)arg[i]) && arg[i] != '.' &&
		    arg[i] != '_' && arg[i] != '-')
			return fail_errno(EINVAL);
	memcpy(out->file, arg, len);
	out->file[len] = '\0';
	if (strstr(out->file, ".."))
		return fail_errno(EINVAL);
	out->text = eq + 1;
	return 0;
}

/* The interface files --set never writes, and why.  Moving processes
 * is attach's, killing them rm --kill's; the rest are not limits of
 * NAME: they act on its processes, or change its parent, its siblings
 * or the cgroups below it, or the host. */
static const struct {
	const char *file, *why;
} refused_files[] = {
	{ "cgroup.procs", "it moves processes into the cgroup: use cx-cgroup attach" },
	{ "cgroup.threads", "it moves threads into the cgroup: use cx-cgroup attach" },
	{ "tasks", "it moves processes into the cgroup: use cx-cgroup attach" },
	{ "cgroup.kill", "it kills every process in the cgroup: use cx-cgroup rm --kill" },
	{ "cgroup.freeze", "it freezes the processes in the cgroup, which is no limit" },
	{ "freezer.state", "it freezes the processes in the cgroup, which is no limit" },
	{ "cgroup.subtree_control", "it hands controllers to the cgroups below, which is no limit of this one" },
	{ "cgroup.type", "it makes the cgroup threaded, and its parent with it" },
	{ "cgroup.clone_children", "it decides what the cgroups made below inherit" },
	{ "release_agent", "it names a program the kernel runs as root on the host" },
	{ "notify_on_release", "it makes the kernel run the release agent, a program on the host" },
	{ "cpuset.cpu_exclusive", "it takes CPUs away from the siblings" },
	{ "cpuset.mem_exclusive", "it takes memory nodes away from the siblings" },
	{ "cpuset.cpus.exclusive", "it takes CPUs away from the siblings" },
	{ "cpuset.cpus.partition", "it takes CPUs away from the parent and the siblings" },
	{ "cpuset.sched_load_balance", "it changes the host's scheduling domains" },
	{ "cpuset.sched_relax_domain_level", "it changes the host's scheduling domains" },
	{ "memory.force_empty", "it reclaims the cgroup's memory now, which is no limit" },
	{ "memory.reclaim", "it reclaims the cgroup's memory now, which is no limit" },
};

/* The files of the cgroup core that are limits of the cgroup itself. */
static const char *const core_limits[] = {
	"cgroup.max.depth", "cgroup.max.descendants",
};

static bool is_name(const char *file, size_t len, const char *name)
{
	return strlen(name) == len && strncmp(file, name, len) == 0;
}

const char *cx_cg_set_refusal(const char *file, size_t len)
{
	if (memchr(file, '/', len))
		return "FILE is a file of the cgroup itself: no '/', no '..'";
	for (size_t i = 0; i + 1 < len; i++)
		if (file[i] == '.' && file[i + 1] == '.')
			return "FILE is a file of the cgroup itself: no '/', no '..'";
	for (size_t i = 0; i < sizeof(refused_files) / sizeof(*refused_files); i++)
		if (is_name(file, len, refused_files[i].file))
			return refused_files[i].why;
	if (len < 7 || strncmp(file, "cgroup.", 7) != 0)
		return NULL;
	for (size_t i = 0; i < sizeof(core_limits) / sizeof(*core_limits); i++)
		if (is_name(file, len, core_limits[i]))
			return NULL;
	return "it is a file of the cgroup core, which is no limit (of those only cgroup.max.depth and cgroup.max.descendants are)";
}

uint64_t cx_cg_weight_to_shares(uint64_t weight)
{
	uint64_t s = weight * 1024 / 100;

	return s < 2 ? 2 : s > 262144 ? 262144 : s;
}

uint64_t cx_cg_shares_to_weight(uint64_t shares)
{
	uint64_t w = (shares * 100 + 512) / 1024;

	return w < 1 ? 1 : w > 10000 ? 10000 : w;
}

uint64_t cx_cg_weight_to_blkio(uint64_t weight)
{
	uint64_t b = weight * 500 / 100;

	return b < 10 ? 10 : b > 1000 ? 1000 : b;
}

uint64_t cx_cg_weight_to_bfq(uint64_t weight)
{
	/* 1..100 stay, 100..10000 shrink to 100..1000. */
	if (weight <= 100)
		return weight < 1 ? 1 : weight;
	weight = 100 + (weight - 100) * 900 / 9900;
	return weight > 1000 ? 1000 : weight;
}

uint64_t cx_cg_v1_weight(const char *file, uint64_t weight)
{
	if (strcmp(file, "blkio.bfq.weight") == 0)
		return cx_cg_weight_to_bfq(weight);
	if (strcmp(file, "blkio.weight") == 0)
		return cx_cg_weight_to_blkio(weight);
	return cx_cg_weight_to_shares(weight);
}

uint64_t cx_cg_v1_unweight(const char *file, uint64_t v)
{
	if (strcmp(file, "blkio.bfq.weight") == 0)
		return v <= 100 ? v : 100 + (v - 100) * 11;
	if (strcmp(file, "blkio.weight") == 0)
		return v * 100 / 500 < 1 ? 1 : v * 100 / 500;
	return cx_cg_shares_to_weight(v);
}

int cx_cg_plan(const struct cx_cg_limit *l, int version,
	       struct cx_cg_write w[2])
{
	const struct cx_cg_knob *k = l->knob;
	bool v1 = version == 1;
	const char *file = v1 ? k->v1file : k->v2file;

	memset(w, 0, 2 * sizeof(*w));
	if (!file)
		return fail_errno(EOPNOTSUPP);
	w[0].file = file;
	switch (k->kind) {
	case CX_CG_SWAP:
		if (v1)
			return 0;	/* with the memory: cx_cg_v1_memsw */
		/* fall through */
	case CX_CG_SIZE:
		if (l->max)
			snprintf(w[0].value, sizeof(w[0].value), "%s",
				 v1 ? "-1" : "max");
		else
			snprintf(w[0].value, sizeof(w[0].value), "%" PRIu64,
				 l->value);
		return 1;
	case CX_CG_CPUS:
		if (!v1) {
			if (l->max)
				snprintf(w[0].value, sizeof(w[0].value),
					 "max %d", CX_CG_CPU_PERIOD);
			else
				snprintf(w[0].value, sizeof(w[0].value),
					 "%" PRIu64 " %d", l->value,
					 CX_CG_CPU_PERIOD);
			return 1;
		}
		/* v1 keeps them apart: the period first, so that the quota
		 * is read against it. */
		w[0].file = "cpu.cfs_period_us";
		snprintf(w[0].value, sizeof(w[0].value), "%d", CX_CG_CPU_PERIOD);
		w[1].file = file;
		if (l->max)
			snprintf(w[1].value, sizeof(w[1].value), "-1");
		else
			snprintf(w[1].value, sizeof(w[1].value), "%" PRIu64,
				 l->value);
		return 2;
	case CX_CG_WEIGHT: {
		bool io = strcmp(k->ctl, "io") == 0;
		uint64_t v = l->value;

		if (v1)
			v = cx_cg_v1_weight(file, v);
		snprintf(w[0].value, sizeof(w[0].value),
			 io && !v1 ? "default %" PRIu64 : "%" PRIu64, v);
		return 1;
	}
	case CX_CG_CPULIST:
		snprintf(w[0].value, sizeof(w[0].value), "%s", l->text);
		return 1;
	case CX_CG_COUNT:
		if (l->max)
			snprintf(w[0].value, sizeof(w[0].value), "max");
		else
			snprintf(w[0].value, sizeof(w[0].value), "%" PRIu64,
				 l->value);
		return 1;
	case CX_CG_FILE:
		break;
	}
	return fail_errno(EINVAL);
}

int cx_cg_v1_memsw(bool mem_max, uint64_t mem, bool swap_max, uint64_t swap,
		   char *out, size_t len)
{
	if (swap_max) {
		snprintf(out, len, "-1");
		return 0;
	}
	if (mem_max)
		return fail_errno(EINVAL);
	if (mem > INT64_MAX - swap)
		return fail_errno(ERANGE);
	snprintf(out, len, "%" PRIu64, mem + swap);
	return 0;
}

void cx_cg_human(uint64_t bytes, char *out, size_t len)
{
	static const char units[] = "TGMK";

	for (int i = 0; i < 4; i++) {
		unsigned shift = 10 * (unsigned)(4 - i);
		uint64_t unit = 1ULL << shift;

		if (bytes && bytes % unit == 0) {
			snprintf(out, len, "%" PRIu64 "%c", bytes >> shift,
				 units[i]);
			return;
		}
	}
	snprintf(out, len, "%" PRIu64, bytes);
}

void cx_cg_human_round(uint64_t bytes, char *out, size_t len)
{
	static const char units[] = "KMGT";
	unsigned u = 0;
	uint64_t unit, whole, tenths;

	if (bytes < 1024) {
		snprintf(out, len, "%" PRIu64, bytes);
		return;
	}
	while (u + 1 < sizeof(units) - 1 && bytes >> (10 * (u + 2)))
		u++;
	unit = 1ULL << (10 * (u + 1));
	whole = bytes / unit;
	tenths = ((bytes % unit) * 10 + unit / 2) / unit;
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	if (tenths)
		snprintf(out, len, "%" PRIu64 ".%" PRIu64 "%c", whole, tenths,
			 units[u]);
	else
		snprintf(out, len, "%" PRIu64 "%c", whole, units[u]);
}

/* --- Files --------------------------------------------------------- */

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s%s", a, *b ? "/" : "", b);
	return s;
}

int cx_cg_write(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	size_t len = strlen(text);
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	/* O_TRUNC as a shell's ">": cgroupfs ignores it, a plain file (the
	 * unit tests' fake hierarchy) needs it. */
	fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cx_fail(errno, "open %s", path);
	n = write(fd, text, len);
	err = n < 0 ? errno : (size_t)n != len ? EIO : 0;
	close(fd);
	if (err)
		return cx_fail(err, "write %s to %s", text, path);
	return 0;
}

int cx_cg_read(const char *dir, const char *file, char *out, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cx_fail(errno, "open %s", path);
	n = read(fd, out, len - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return cx_fail(err, "read %s", path);
	out[n] = '\0';
	if (n && out[n - 1] == '\n')
		out[n - 1] = '\0';
	return 0;
}

int cx_cg_read_u64(const char *dir, const char *file, uint64_t *v)
{
	char buf[64];

	if (cx_cg_read(dir, file, buf, sizeof(buf)) < 0)
		return -1;
	/* v1 prints -1 for "no limit" in a few files. */
	if (strcmp(buf, "-1") == 0 || strcmp(buf, "max") == 0) {
		*v = UINT64_MAX;
		return 0;
	}
	if (cx_parse_u64(buf, v) < 0)
		return cx_fail(EINVAL, "read %s/%s: not a number: %s", dir,
			       file, buf);
	return 0;
}

int cx_cg_read_key(const char *dir, const char *file, const char *key,
		   uint64_t *v)
{
	char path[PATH_MAX], *text, *line, *save = NULL;
	size_t klen = strlen(key);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	text = slurp(path);
	if (!text)
		return cx_fail(errno, "read %s", path);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ' &&
		    cx_parse_u64(line + klen + 1, v) == 0) {
			free(text);
			return 0;
		}
	free(text);
	return cx_fail(ENOENT, "read %s: no %s line", path, key);
}

bool cx_cg_swap_on(void)
{
	char *text = slurp("/proc/swaps");
	bool on;

	if (!text)
		return true;	/* cannot tell: assume the worst */
	/* A header line, then one line per swap area. */
	on = strchr(text, '\n') && strchr(text, '\n')[1] != '\0';
	free(text);
	return on;
}

/* --- Where the cgroups are ------------------------------------------ */

static const struct cx_cg_backend *backend(const struct cx_cg_hier *h)
{
	return h->version == 2 ? &cx_cg_v2 : &cx_cg_v1;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A process's cgroup in hierarchy H, from TEXT (/proc/PID/cgroup, which
 * this changes), as a path below H's mount (malloc'd), or NULL. */
static char *cgroup_in(const struct cx_cg_hier *h, char *text)
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
		found = join(h->mount, path);
	}
	return found;
}

/* The caller's cgroup in hierarchy H (malloc'd), or NULL. */
static char *own_cgroup(const struct cx_cg_hier *h)
{
	char *text = slurp("/proc/self/cgroup"), *found;

	if (!text)
		return NULL;
	found = cgroup_in(h, text);
	free(text);
	return found;
}

static int made_add(struct cx_cg_made *m, const char *dir);

/* Make DIR, a child of PARENT, in hierarchy H, recording it in M; NAME
 * itself is the LEAF.  1 made, 0 there already, -1 failed: ENOENT when
 * PARENT has gone, taken back by a run of cx-cgroup beside this one. */
static int make_one(struct cx_cg_hier *h, const char *parent,
		    const char *dir, bool leaf, struct cx_cg_made *m)
{
	if (mkdir(dir, 0755) < 0) {
		if (errno != EEXIST || !is_dir(dir))
			return cx_fail(errno, "create %s", dir);
		/* A run beside this one may have made it a moment ago and
		 * not yet given it its cpuset: what it would give, it gets
		 * now (only what is still empty is written).  NAME itself
		 * is used as it is. */
		if (!leaf && backend(h)->made(parent, dir) < 0)
			return -1;
		return 0;
	}
	if (made_add(m, dir) < 0 || backend(h)->made(parent, dir) < 0)
		return -1;
	/* A cgroup we made above NAME is a parent: it gives its
	 * children what it has. */
	if (!leaf && h->version == 2)
		cx_cg_v2_enable_all(dir);
	return 1;
}

int cx_cg_set_base(struct cx_cg_layout *l, const char *parent,
		   struct cx_cg_made *m)
{
	for (int i = 0; i < l->n; i++) {
		struct cx_cg_hier *h = &l->h[i];
		int r;

		free(h->base);
		h->base_auto = !parent;
		if (!parent)
			h->base = join(h->mount, "cx");
		else if (strcmp(parent, CX_CG_PARENT_SELF) == 0)
			h->base = own_cgroup(h);
		else
			h->base = join(h->mount, parent);
		if (!h->base)
			return cx_fail(errno ? errno : ENOENT,
				       "find the caller's cgroup in %s",
				       h->mount);
		if (is_dir(h->base))
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
	char *p = join(l->h[i].base, name ? name : "");

	if (!p)
		cx_die_errno("malloc");
	return p;
}

bool cx_cg_exists(const struct cx_cg_layout *l, int i, const char *name)
{
	char *p = cx_cg_path(l, i, name);
	bool yes = is_dir(p);

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

/* --- Making and taking back ----------------------------------------- */

static int made_add(struct cx_cg_made *m, const char *dir)
{
	if (m->n == (int)(sizeof(m->dir) / sizeof(*m->dir)))
		return cx_fail(E2BIG, "too many cgroups to make");
	m->dir[m->n] = strdup(dir);
	if (!m->dir[m->n])
		return cx_fail(ENOMEM, "malloc");
	m->n++;
	return 0;
}

/* Does DIR hold a cgroup? */
static bool has_children(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool yes = false;

	if (!d)
		return false;
	while (!yes && (e = readdir(d)))
		yes = e->d_type == DT_DIR && strcmp(e->d_name, ".") != 0 &&
		      strcmp(e->d_name, "..") != 0;
	closedir(d);
	return yes;
}

/* rmdir, again for a moment while the kernel still counts a process
 * that has just exited.  A cgroup that holds another is in use by a
 * run beside this one (a parent both share), and stays. */
static int remove_dir(const char *dir)
{
	struct timespec ms = { 0, 1000000 };

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
	for (int i = m->n - 1; i >= 0; i--)
		remove_dir(m->dir[i]);
	cx_cg_made_free(m);
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

	if (!is_dir(h->base)) {
		/* cx's own base, taken back by a run beside this one. */
		if (!h->base_auto)
			return cx_fail(ENOENT, "open the base %s", h->base);
		if ((r = make_one(h, h->mount, h->base, false, m)) < 0)
			return -1;
		h->base_made |= r;
	}
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
	if (excl)
		for (int i = 0; i < l->n; i++)
			if (cx_cg_exists(l, i, name)) {
				char *p = cx_cg_path(l, i, name);

				cx_fail(EEXIST, "create %s", p);
				free(p);
				return -1;
			}
	for (int i = 0; i < l->n; i++) {
		/* A parent that goes while we make what is below it was
		 * taken back by a run beside this one, which made it:
		 * again from the base, which makes it ours. */
		for (int tries = 0; make_path(&l->h[i], name, m) < 0; tries++)
			if (cx_last_errno() != ENOENT || tries == 100)
				return -1;
	}
	return 0;
}

/* --- Limits --------------------------------------------------------- */

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

static const char *optname(const struct cx_cg_limit *lim, char *buf,
			   size_t len)
{
	if (lim->knob)
		snprintf(buf, len, "--%s", lim->knob->option);
	else
		snprintf(buf, len, "--set %s", lim->file);
	return buf;
}

int cx_cg_check_limits(const struct cx_cg_layout *l,
		       const struct cx_cg_limit *lim, int n)
{
	for (int j = 0; j < n; j++) {
		const struct cx_cg_knob *k = lim[j].knob;
		int i = cx_cg_route(l, &lim[j]);
		char opt[96], ctl[64];

		optname(&lim[j], opt, sizeof(opt));
		limit_ctl(&lim[j], ctl, sizeof(ctl));
		if (i < 0 && !k && !*ctl)
			return cx_fail(0, "%s: cgroup.* files are cgroup v2's, and this host has no cgroup2 mount", opt);
		if (i < 0 && !k)
			return cx_fail(0, "%s: no cgroup hierarchy here has the %s controller", opt, ctl);
		if (i < 0)
			return cx_fail(0, "%s: this host has no %s controller (not in a cgroup v1 hierarchy, nor in cgroup2's cgroup.controllers)",
				       opt, strcmp(k->ctl, k->v1ctl) ?
				       k->v1ctl : k->ctl);
		if (!k || l->h[i].version != 1)
			continue;
		if (!k->v1file)
			return cx_fail(0, "%s has no cgroup v1 counterpart: %s; the %s controller is a v1 one on this host",
				       opt, k->why, k->v1ctl);
		/* Files the kernel's configuration decides on are in the
		 * root of a v1 hierarchy as well: look there now, so that
		 * nothing is made for a limit that cannot be set. */
		if (k->kind == CX_CG_SWAP) {
			char p[PATH_MAX];

			snprintf(p, sizeof(p), "%s/%s", l->h[i].mount, k->v1file);
			if (access(p, F_OK) < 0 &&
			    (lim[j].max || lim[j].value || cx_cg_swap_on()))
				return cx_fail(0, "%s: swap is not accounted on this host (no %s): boot with swapaccount=1",
					       opt, p);
		}
	}
	return 0;
}

/* Say why a write went wrong, where errno alone would not. */
static int write_limit(const char *dir, const char *opt, const char *file,
		       const char *value)
{
	if (cx_cg_write(dir, file, value) == 0)
		return 0;
	if (cx_last_errno() == ENOENT)
		return cx_fail(0, "%s: no %s in %s: the kernel has no such interface file here",
			       opt, file, dir);
	return cx_fail_context("%s", opt);
}

/* --set writes only a file the kernel made in NAME: a regular file of a
 * cgroup file system, right in NAME's directory, that takes writes. */
static int check_set_file(const char *dir, const char *file, const char *opt)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
	struct statfs fs;
	struct stat st;

	if (dfd < 0)
		return cx_fail(errno, "%s: open %s", opt, dir);
	if (fstatfs(dfd, &fs) < 0)
		rc = cx_fail(errno, "%s: statfs %s", opt, dir);
	else if (fs.f_type != CGROUP_SUPER_MAGIC &&
		 fs.f_type != CGROUP2_SUPER_MAGIC)
		rc = cx_fail(0, "%s: %s is not in a cgroup file system", opt, dir);
	else if (fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) < 0)
		rc = errno == ENOENT ?
		     cx_fail(0, "%s: no %s in %s: the kernel has no such interface file here",
			     opt, file, dir) :
		     cx_fail(errno, "%s: stat %s/%s", opt, dir, file);
	else if (!S_ISREG(st.st_mode))
		rc = cx_fail(0, "%s: %s/%s is %s, not an interface file of the cgroup",
			     opt, dir, file, S_ISDIR(st.st_mode) ?
			     "a cgroup below it" : "something else");
	else if (!(st.st_mode & 0222))
		rc = cx_fail(0, "%s: %s/%s is read-only: the kernel reports through it, and takes nothing",
			     opt, dir, file);
	close(dfd);
	return rc;
}

/* Every --set: no refused file (before anything is enabled on v2), and
 * with CHECK_FILES a file of the kernel's in NAME, before the first
 * limit is written. */
static int check_sets(const struct cx_cg_layout *l, const char *name,
		      const struct cx_cg_limit *lim, int n, bool check_files)
{
	for (int j = 0; j < n; j++) {
		const char *why;
		char *dir, opt[96];
		int i, rc;

		if (lim[j].knob)
			continue;
		if ((why = cx_cg_set_refusal(lim[j].file, strlen(lim[j].file))))
			return cx_fail(0, "--set %s: refused: %s", lim[j].file,
				       why);
		if (!check_files || (i = cx_cg_route(l, &lim[j])) < 0)
			continue;
		dir = cx_cg_path(l, i, name);
		rc = check_set_file(dir, lim[j].file,
				    optname(&lim[j], opt, sizeof(opt)));
		free(dir);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int cx_cg_apply(const struct cx_cg_layout *l, const char *name,
		const struct cx_cg_limit *lim, int n)
{
	const struct cx_cg_limit *mem = NULL, *swap = NULL;
	char ctls[256] = "";

	if (check_sets(l, name, lim, n, false) < 0)
		return -1;
	for (int j = 0; j < n; j++) {
		char ctl[64];
		int i = cx_cg_route(l, &lim[j]);

		if (i != l->v2 || i < 0)
			continue;
		limit_ctl(&lim[j], ctl, sizeof(ctl));
		if (*ctl && !cx_cg_list_has(ctls, ctl) &&
		    strlen(ctls) + strlen(ctl) + 2 < sizeof(ctls))
			snprintf(ctls + strlen(ctls), sizeof(ctls) - strlen(ctls),
				 "%s ", ctl);
	}
	if (*ctls && cx_cg_v2_enable(l, name, ctls) < 0)
		return -1;
	if (check_sets(l, name, lim, n, true) < 0)
		return -1;

	for (int j = 0; j < n; j++) {
		const struct cx_cg_limit *L = &lim[j];
		int i = cx_cg_route(l, L);
		char *dir, opt[96];
		struct cx_cg_write w[2];
		int nw, rc = 0;

		if (i < 0)
			return cx_fail(EINVAL, "no hierarchy for a limit");
		optname(L, opt, sizeof(opt));
		dir = cx_cg_path(l, i, name);
		if (L->knob && l->h[i].version == 1 &&
		    L->knob->kind != CX_CG_CPUS &&
		    strcmp(L->knob->v1ctl, "memory") == 0 &&
		    L->knob->v1file) {
			/* memory and memory-swap go together on v1. */
			if (L->knob->kind == CX_CG_SWAP)
				swap = L;
			else
				mem = L;
			free(dir);
			continue;
		}
		if (!L->knob) {
			rc = write_limit(dir, opt, L->file, L->text);
			free(dir);
			if (rc < 0)
				return -1;
			continue;
		}
		nw = cx_cg_plan(L, l->h[i].version, w);
		for (int k = 0; k < nw && rc == 0; k++) {
			rc = cx_cg_write(dir, w[k].file, w[k].value);
			if (rc < 0 && cx_last_errno() == ENOENT &&
			    L->knob->v1alt && l->h[i].version == 1) {
				w[k].file = L->knob->v1alt;
				snprintf(w[k].value, sizeof(w[k].value),
					 "%" PRIu64, cx_cg_v1_weight(w[k].file,
								     L->value));
				rc = cx_cg_write(dir, w[k].file, w[k].value);
			}
			if (rc < 0 && cx_last_errno() == ENOENT &&
			    L->knob->kind == CX_CG_SWAP) {
				if (!L->max && L->value == 0 && !cx_cg_swap_on()) {
					rc = 0;	/* no swap, none accounted */
					continue;
				}
				rc = cx_fail(0, "%s: swap is not accounted on this host (no %s in %s): boot with swapaccount=1",
					     opt, w[k].file, dir);
			} else if (rc < 0 && cx_last_errno() == ENOENT) {
				rc = cx_fail(0, "%s: open %s/%s: the kernel has no such interface file here",
					     opt, dir, w[k].file);
			} else if (rc < 0) {
				rc = cx_fail_context("%s", opt);
			}
		}
		free(dir);
		if (rc < 0)
			return -1;
	}
	if (mem || swap) {
		int i = cx_cg_find(l, "memory", "memory");
		char *dir = cx_cg_path(l, i, name);
		int rc = cx_cg_v1_memory(dir, mem, swap);

		free(dir);
		return rc;
	}
	return 0;
}

/* --- Processes ------------------------------------------------------- */

int cx_cg_join_self(const struct cx_cg_layout *l, const char *name,
		    bool v1_only)
{
	for (int i = 0; i < l->n; i++) {
		char *dir;
		int rc;

		if ((v1_only && l->h[i].version != 1) || !cx_cg_exists(l, i, name))
			continue;
		dir = cx_cg_path(l, i, name);
		rc = backend(&l->h[i])->join_self(dir);
		free(dir);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int cx_cg_attach(const struct cx_cg_layout *l, const char *name, pid_t pid)
{
	char text[32];

	snprintf(text, sizeof(text), "%d", (int)pid);
	for (int i = 0; i < l->n; i++) {
		char *dir;
		int rc;

		if (!cx_cg_exists(l, i, name))
			continue;
		dir = cx_cg_path(l, i, name);
		rc = cx_cg_write(dir, "cgroup.procs", text);
		free(dir);
		if (rc < 0 && cx_last_errno() == ESRCH)
			return cx_fail(ESRCH, "attach %d", (int)pid);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int cx_cg_save_self(const struct cx_cg_layout *l, char **saved)
{
	for (int i = 0; i < l->n; i++) {
		saved[i] = own_cgroup(&l->h[i]);
		if (!saved[i])
			return cx_fail(ENOENT, "find the caller's cgroup in %s",
				       l->h[i].mount);
	}
	return 0;
}

void cx_cg_restore_self(const struct cx_cg_layout *l, char **saved)
{
	for (int i = 0; i < l->n; i++) {
		if (saved[i])
			backend(&l->h[i])->join_self(saved[i]);
		free(saved[i]);
		saved[i] = NULL;
	}
}

/* Walk DIR's sub-directories, depth first; FN gets each one's path
 * relative to TOP.  Returns -1 when FN does. */
static int walk(const char *top, const char *rel,
		int (*fn)(const char *rel, void *arg), void *arg)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *e;
	int rc = 0;

	snprintf(path, sizeof(path), "%s%s%s", top, *rel ? "/" : "", rel);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : cx_fail(errno, "open %s", path);
	while (rc == 0 && (e = readdir(d))) {
		char sub[PATH_MAX];

		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
			 e->d_name);
		rc = fn(sub, arg);
		if (rc == 0)
			rc = walk(top, sub, fn, arg);
	}
	closedir(d);
	return rc;
}

struct strs {
	char **v;
	int n, cap;
};

static int strs_add(struct strs *s, const char *str)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return 0;
	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		char **v = realloc(s->v, (size_t)cap * sizeof(*v));

		if (!v)
			return cx_fail(ENOMEM, "malloc");
		s->v = v;
		s->cap = cap;
	}
	if (!(s->v[s->n] = strdup(str)))
		return cx_fail(ENOMEM, "malloc");
	s->n++;
	return 0;
}

static int collect(const char *rel, void *arg)
{
	return strs_add(arg, rel);
}

/* As strcmp, but '/' sorts before every other byte, so that a cgroup's
 * children follow it at once ("a", "a/b", "a-c"). */
static int by_name(const void *a, const void *b)
{
	const unsigned char *x = *(unsigned char *const *)a;
	const unsigned char *y = *(unsigned char *const *)b;

	for (; *x && *x == *y; x++, y++)
		;
	if (*x == '/' && *y)
		return -1;
	if (*y == '/' && *x)
		return 1;
	return (int)*x - (int)*y;
}

int cx_cg_list(const struct cx_cg_layout *l, const char *name, char ***out,
	       int *n)
{
	struct strs s = { 0 };

	for (int i = 0; i < l->n; i++) {
		char *top = cx_cg_path(l, i, name);
		int rc = walk(top, "", collect, &s);

		free(top);
		if (rc < 0) {
			cx_cg_list_free(s.v, s.n);
			return -1;
		}
	}
	if (s.n)
		qsort(s.v, (size_t)s.n, sizeof(*s.v), by_name);
	*out = s.v;
	*n = s.n;
	return 0;
}

void cx_cg_list_free(char **list, int n)
{
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

int cx_cg_children(const struct cx_cg_layout *l, const char *name,
		   int *count)
{
	char **list;

	if (cx_cg_list(l, name, &list, count) < 0)
		return -1;
	cx_cg_list_free(list, *count);
	return 0;
}

struct pids {
	pid_t *v;
	int n, cap;
};

static int read_procs(const char *dir, struct pids *p)
{
	char path[PATH_MAX], *text, *line, *save = NULL;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	text = slurp(path);
	if (!text)
		return errno == ENOENT ? 0 : cx_fail(errno, "read %s", path);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		uint32_t v;
		bool seen = false;

		if (cx_parse_u32(line, &v) < 0)
			continue;
		for (int i = 0; i < p->n && !seen; i++)
			seen = p->v[i] == (pid_t)v;
		if (seen)
			continue;
		if (p->n == p->cap) {
			int cap = p->cap ? p->cap * 2 : 64;
			pid_t *nv = realloc(p->v, (size_t)cap * sizeof(*nv));

			if (!nv) {
				free(text);
				return cx_fail(ENOMEM, "malloc");
			}
			p->v = nv;
			p->cap = cap;
		}
		p->v[p->n++] = (pid_t)v;
	}
	free(text);
	return 0;
}

/* The processes of NAME and below in every hierarchy. */
static int all_procs(const struct cx_cg_layout *l, const char *name,
		     struct pids *p)
{
	char **list;
	int n;

	if (cx_cg_list(l, name, &list, &n) < 0)
		return -1;
	for (int i = 0; i < l->n; i++) {
		char *top = cx_cg_path(l, i, name);
		int rc = read_procs(top, p);

		for (int j = 0; j < n && rc == 0; j++) {
			char *sub = join(top, list[j]);

			rc = sub ? read_procs(sub, p) : cx_fail(ENOMEM, "malloc");
			free(sub);
		}
		free(top);
		if (rc < 0) {
			cx_cg_list_free(list, n);
			return -1;
		}
	}
	cx_cg_list_free(list, n);
	return 0;
}

int cx_cg_pids(const struct cx_cg_layout *l, const char *name, pid_t **v,
	       int *n)
{
	struct pids p = { 0 };

	if (all_procs(l, name, &p) < 0) {
		free(p.v);
		return -1;
	}
	*v = p.v;
	*n = p.n;
	return 0;
}

int cx_cg_procs(const struct cx_cg_layout *l, const char *name, int *count,
		bool *self)
{
	pid_t *v;
	int n;

	if (cx_cg_pids(l, name, &v, &n) < 0)
		return -1;
	*self = false;
	for (int i = 0; i < n; i++)
		if (v[i] == getpid())
			*self = true;
	*count = n;
	free(v);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&t, NULL);
}

/* Is PID in NAME or below, in one of the hierarchies? */
static bool in_cgroup(const struct cx_cg_layout *l, const char *name,
		      pid_t pid)
{
	char path[64], *text;
	bool in = false;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (!(text = slurp(path)))
		return false;
	for (int i = 0; i < l->n && !in; i++) {
		char *copy = strdup(text), *at = copy ? cgroup_in(&l->h[i], copy) : NULL;
		char *top = cx_cg_path(l, i, name);
		size_t len = strlen(top);

		in = at && strncmp(at, top, len) == 0 &&
		     (at[len] == '/' || at[len] == '\0');
		free(top);
		free(at);
		free(copy);
	}
	free(text);
	return in;
}

/* SIGKILL PID if it is still in NAME or below.  The number was read from
 * a cgroup.procs file: since then the process may have exited and the
 * number gone to another one, outside.  A pidfd holds on to the process
 * that the check is about (5.3); without one, kill(2) right after the
 * check. */
static void kill_member(const struct cx_cg_layout *l, const char *name,
			pid_t pid)
{
	int fd = cx_pidfd_open(pid, 0);

	if (fd < 0 && errno == ESRCH)
		return;
	if (in_cgroup(l, name, pid)) {
		if (fd >= 0)
			cx_pidfd_send_signal(fd, SIGKILL);
		else
			kill(pid, SIGKILL);
	}
	if (fd >= 0)
		close(fd);
}

/* Is PID on its way out: SIGKILL pending, exiting (PF_EXITING, set first
 * thing in do_exit), a zombie, or gone? */
static bool dying(pid_t pid)
{
	char path[64], *text, *p, state = 0;
	unsigned long long flags = 0;
	bool yes = false;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(text = slurp(path)))
		return true;
	/* The command name may hold anything: the fields follow its
	 * last ')'.  flags is the ninth field. */
	if ((p = strrchr(text, ')')) &&
	    sscanf(p + 1, " %c %*d %*d %*d %*d %*d %llu", &state, &flags) == 2)
		yes = state == 'Z' || state == 'X' || (flags & 0x4);
	free(text);
	if (yes)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(text = slurp(path)))
		return true;
	for (char *line = text; line && *line && !yes;) {
		unsigned long long set;

		if ((strncmp(line, "SigPnd:", 7) == 0 ||
		     strncmp(line, "ShdPnd:", 7) == 0) &&
		    sscanf(line + 7, "%llx", &set) == 1)
			yes = set & (1ULL << (SIGKILL - 1));
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	free(text);
	return yes;
}

int cx_cg_procs_left(const struct cx_cg_layout *l, const char *name,
		     int *count, bool *self)
{
	/* A process between the dequeue of its SIGKILL and do_exit shows
	 * no sign of it: the first looks do not decide. */
	for (int round = 0; round < 2000; round++) {
		int n, alive = 0;
		pid_t *v;

		if (cx_cg_pids(l, name, &v, &n) < 0)
			return -1;
		*self = false;
		for (int i = 0; i < n; i++) {
			if (v[i] == getpid())
				*self = true;
			else if (!dying(v[i]))
				alive++;
		}
		free(v);
		*count = n;
		if (n == 0 || *self || (alive && round >= 2))
			return 0;
		sleep_ms(1);
	}
	return 0;
}

int cx_cg_kill_loop(const struct cx_cg_layout *l, const char *name,
		    const char *freeze_dir, const struct cx_cg_freezer *fz)
{
	/* A process that forks while we kill leaves a child behind; the
	 * freezer stops that, and without one we go round again. */
	for (int round = 0; round < 500; round++) {
		pid_t *v;
		int n;
		bool frozen = false;

		if (freeze_dir && cx_cg_write(freeze_dir, fz->file, fz->freeze) == 0) {
			frozen = true;
			for (int i = 0; i < 1000 && !fz->frozen(freeze_dir); i++)
				sleep_ms(1);
		}
		if (cx_cg_pids(l, name, &v, &n) < 0)
			return -1;
		for (int i = 0; i < n; i++)
			if (v[i] != getpid())
				kill_member(l, name, v[i]);
		free(v);
		/* A frozen process dies of SIGKILL once thawed. */
		if (frozen)
			cx_cg_write(freeze_dir, fz->file, fz->thaw);
		if (n == 0)
			return 0;
		sleep_ms(round < 10 ? 1 : 10);
	}
	return cx_fail(EBUSY, "kill the processes in %s", name);
}

/* Wait up to 5 s until NAME and below hold no process. */
static int wait_empty(const struct cx_cg_layout *l, const char *name)
{
	for (int i = 0; i < 5000; i++) {
		pid_t *v;
		int n;

		if (cx_cg_pids(l, name, &v, &n) < 0)
			return -1;
		free(v);
		if (n == 0)
			return 0;
		sleep_ms(1);
	}
	return cx_fail(EBUSY, "wait for %s to be empty", name);
}

int cx_cg_kill(const struct cx_cg_layout *l, const char *name)
{
	/* cgroup.kill reaches every process in the subtree at once; v1
	 * then picks up what joined a v1 hierarchy only. */
	if (l->v2 >= 0 && cx_cg_exists(l, l->v2, name) &&
	    cx_cg_v2.kill(l, name) < 0)
		return -1;
	if (l->v1 && cx_cg_v1.kill(l, name) < 0)
		return -1;
	return wait_empty(l, name);
}

pid_t cx_cg_fork_into(const struct cx_cg_layout *l, const char *name)
{
	bool in_v2 = false;
	pid_t pid = -1;

	if (l->v2 >= 0 && cx_cg_exists(l, l->v2, name)) {
		char *dir = cx_cg_path(l, l->v2, name);
		int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err;
		struct cx_clone_args args = {
			.flags = CX_CLONE_INTO_CGROUP,
			.exit_signal = SIGCHLD,
		};

		if (fd < 0) {
			cx_fail(errno, "open %s", dir);
			free(dir);
			return -1;
		}
		args.cgroup = (uint64_t)fd;
		/* Not one instruction of the child runs outside. */
		pid = cx_clone3(&args);
		err = errno;
		if (pid != 0)
			close(fd);
		if (pid < 0 && err != ENOSYS && err != E2BIG) {
			cx_fail(err, "clone3 into %s", dir);
			free(dir);
			return -1;
		}
		free(dir);
		in_v2 = pid >= 0;
	}
	/* v1, or a kernel before 5.7: fork, and the child joins before it
	 * goes on; writing "0" to a v1 tasks file moves only the writer,
	 * which spares the kernel the wait for the threadgroup lock. */
	if (pid < 0)
		pid = fork();
	if (pid < 0)
		return cx_fail(errno, "fork");
	if (pid > 0)
		return pid;
	if (cx_cg_join_self(l, name, in_v2) < 0) {
		cx_warn("%s: %s", cx_last_msg(), strerror(cx_last_errno()));
		_exit(CX_EXIT_FAIL);
	}
	return 0;
}

int cx_cg_remove(const struct cx_cg_layout *l, const char *name,
		 bool recursive)
{
	char **list = NULL;
	int n = 0;

	if (recursive && cx_cg_list(l, name, &list, &n) < 0)
		return -1;
	/* Deepest first: in reverse order a child comes before its
	 * parent. */
	for (int j = n - 1; j >= -1; j--) {
		for (int i = 0; i < l->n; i++) {
			char *top = cx_cg_path(l, i, name);
			char *dir = j >= 0 ? join(top, list[j]) : strdup(top);
			int rc = dir ? 0 : cx_fail(ENOMEM, "malloc");

			if (dir && is_dir(dir))
				rc = remove_dir(dir);
			free(dir);
			free(top);
			if (rc < 0) {
				cx_cg_list_free(list, n);
				return -1;
			}
		}
	}
	cx_cg_list_free(list, n);
	return 0;
}

int cx_cg_oom_kills(const struct cx_cg_layout *l, const char *name,
		    uint64_t *kills)
{
	int i = cx_cg_find(l, "memory", "memory");
	char *dir;
	int rc;

	if (i < 0 || !cx_cg_exists(l, i, name))
		return fail_errno(ENOENT);
	dir = cx_cg_path(l, i, name);
	rc = backend(&l->h[i])->oom_kills(dir, kills);
	free(dir);
	return rc;
}

void cx_cg_oom_watch_free(struct cx_cg_oom_watch *w)
{
	for (int i = 0; i < w->n; i++)
		free(w->dir[i]);
	free(w->dir);
	free(w->before);
	memset(w, 0, sizeof(*w));
	w->h = -1;
}

void cx_cg_oom_free(struct cx_cg_oom *o)
{
	free(o->where);
	o->where = NULL;
}

static int watch_add(struct cx_cg_oom_watch *w, const struct cx_cg_hier *h,
		     const char *dir)
{
	char **d = realloc(w->dir, (size_t)(w->n + 1) * sizeof(*d));
	struct cx_cg_oom_counts *c;

	if (!d)
		return cx_fail(ENOMEM, "malloc");
	w->dir = d;
	c = realloc(w->before, (size_t)(w->n + 1) * sizeof(*c));
	if (!c)
		return cx_fail(ENOMEM, "malloc");
	w->before = c;
	if (!(w->dir[w->n] = strdup(dir)))
		return cx_fail(ENOMEM, "malloc");
	backend(h)->oom_counts(dir, &w->before[w->n]);
	w->n++;
	return 0;
}

int cx_cg_oom_watch(const struct cx_cg_layout *l, const char *name,
		    struct cx_cg_oom_watch *w)
{
	int i = cx_cg_find(l, "memory", "memory");
	size_t top;
	char *dir;
	int rc = 0;

	memset(w, 0, sizeof(*w));
	w->h = -1;
	if (i < 0 || cx_cg_oom_kills(l, name, &w->kills) < 0)
		return fail_errno(ENOENT);
	w->h = i;
	/* Up to the root of the mount, which has no limit. */
	top = strlen(l->h[i].mount);
	dir = cx_cg_path(l, i, name);
	while (rc == 0 && strlen(dir) > top) {
		rc = watch_add(w, &l->h[i], dir);
		*strrchr(dir, '/') = '\0';
	}
	free(dir);
	if (rc < 0)
		cx_cg_oom_watch_free(w);
	return rc;
}

/* DIR of hierarchy H as a path from the hierarchy's root (malloc'd). */
static char *from_root(const struct cx_cg_hier *h, const char *dir)
{
	const char *rel = dir + strlen(h->mount);

	return join(strcmp(h->root, "/") == 0 ? "" : h->root,
		    *rel == '/' ? rel + 1 : rel);
}

int cx_cg_oom_check(const struct cx_cg_layout *l, const char *name,
		    const struct cx_cg_oom_watch *w, struct cx_cg_oom *o)
{
	uint64_t after;

	memset(o, 0, sizeof(*o));
	if (w->h < 0 || cx_cg_oom_kills(l, name, &after) < 0 ||
	    after <= w->kills)
		return 0;
	o->kills = after - w->kills;
	/* The deepest whose limit was hit: a hit is counted where the
	 * charge failed (v1's failcnt, v2's memory.events.local), or there
	 * and above it (v2's memory.events before 5.2); on v1 a peak that
	 * reached the limit tells as well. */
	for (int j = 0; j < w->n; j++) {
		const struct cx_cg_hier *h = &l->h[w->h];
		const struct cx_cg_oom_counts *was = &w->before[j];
		struct cx_cg_oom_counts now;
		bool mem, sw;

		backend(h)->oom_counts(w->dir[j], &now);
		mem = (now.hits > was->hits || now.full) &&
		      now.limit != UINT64_MAX;
		sw = (now.sw_hits > was->sw_hits || now.sw_full) &&
		     now.sw_limit != UINT64_MAX;
		if (!mem && !sw)
			continue;
		/* v1 charges memory + swap first: when it is the memory
		 * limit itself (no swap allowed), the memory limit it is. */
		o->swap = sw && now.sw_limit != now.limit;
		o->limit = o->swap ? now.sw_limit : now.limit;
		o->peak = o->swap ? now.sw_peak : now.peak;
		o->has_peak = now.has_peak;
		o->self = j == 0;
		if (!(o->where = from_root(h, w->dir[j])))
			return cx_fail(ENOMEM, "malloc");
		return 0;
	}
	return 0;
}

/* --- Reading back ---------------------------------------------------- */

/* Quota over period as a decimal: "0.2", "1.5", "2". */
static void cpus_text(uint64_t quota, uint64_t period, char *out, size_t len)
{
	uint64_t whole = quota / period;
	uint64_t frac = (quota % period) * 100000 / period;
	char digits[8];
	int n;

	if (!frac) {
		snprintf(out, len, "%" PRIu64, whole);
		return;
	}
	n = snprintf(digits, sizeof(digits), "%05" PRIu64, frac);
	while (n > 1 && digits[n - 1] == '0')
		digits[--n] = '\0';
	snprintf(out, len, "%" PRIu64 ".%s", whole, digits);
}

static void max_or(uint64_t v, char *out, size_t len)
{
	if (v >= CX_CG_V1_UNLIMITED)
		snprintf(out, len, "max");
	else
		snprintf(out, len, "%" PRIu64, v);
}

int cx_cg_get(const struct cx_cg_layout *l, const char *name,
	      const struct cx_cg_knob *k, char *out, size_t len)
{
	int i = cx_cg_find(l, k->ctl, k->v1ctl);
	bool v1;
	char *dir, buf[256];
	uint64_t a, b;
	int rc = -1;

	if (i < 0)
		return cx_fail(ENOENT, "%s: this host has no %s controller",
			       k->option, k->ctl);
	v1 = l->h[i].version == 1;
	if (v1 && !k->v1file)
		return cx_fail(ENOENT, "%s has no cgroup v1 counterpart",
			       k->option);
	dir = cx_cg_path(l, i, name);
	switch (k->kind) {
	case CX_CG_SIZE:
		if ((rc = cx_cg_read_u64(dir, v1 ? k->v1file : k->v2file, &a)) == 0)
			max_or(a, out, len);
		break;
	case CX_CG_SWAP:
		if (!v1) {
			if ((rc = cx_cg_read_u64(dir, k->v2file, &a)) == 0)
				max_or(a, out, len);
			break;
		}
		if ((rc = cx_cg_read_u64(dir, k->v1file, &a)) == 0 &&
		    (rc = cx_cg_read_u64(dir, "memory.limit_in_bytes", &b)) == 0)
			max_or(a >= CX_CG_V1_UNLIMITED ? a : a - b, out, len);
		break;
	case CX_CG_CPUS:
		if (v1) {
			rc = cx_cg_read_u64(dir, "cpu.cfs_quota_us", &a);
			if (rc == 0)
				rc = cx_cg_read_u64(dir, "cpu.cfs_period_us", &b);
		} else if ((rc = cx_cg_read(dir, k->v2file, buf, sizeof(buf))) == 0) {
			char q[32];

			if (sscanf(buf, "%31s %" SCNu64, q, &b) != 2 ||
			    (strcmp(q, "max") != 0 && cx_parse_u64(q, &a) < 0))
				rc = cx_fail(EINVAL, "read %s/%s: %s", dir,
					     k->v2file, buf);
			else if (strcmp(q, "max") == 0)
				a = UINT64_MAX;
		}
		if (rc == 0 && a == UINT64_MAX)
			snprintf(out, len, "max");
		else if (rc == 0)
			cpus_text(a, b ? b : 1, out, len);
		break;
	case CX_CG_WEIGHT:
		if (!v1 && strcmp(k->ctl, "io") == 0) {
			rc = cx_cg_read_key(dir, k->v2file, "default", &a);
		} else {
			const char *f = v1 ? k->v1file : k->v2file;

			rc = cx_cg_read_u64(dir, f, &a);
			if (rc < 0 && cx_last_errno() == ENOENT && v1 && k->v1alt)
				rc = cx_cg_read_u64(dir, f = k->v1alt, &a);
			if (rc == 0 && v1)
				a = cx_cg_v1_unweight(f, a);
		}
		if (rc == 0)
			snprintf(out, len, "%" PRIu64, a);
		break;
	case CX_CG_CPULIST:
	case CX_CG_COUNT:
		rc = cx_cg_read(dir, v1 ? k->v1file : k->v2file, out, len);
		break;
	case CX_CG_FILE:
		break;
	}
	free(dir);
	return rc;
}

int cx_cg_get_file(const struct cx_cg_layout *l, const char *name,
		   const char *file, char *out, size_t len)
{
	struct cx_cg_limit lim = { 0 };
	int i, rc;
	char *dir;

	snprintf(lim.file, sizeof(lim.file), "%s", file);
	i = cx_cg_route(l, &lim);
	if (i < 0)
		return cx_fail(ENOENT, "%s: no hierarchy here has its controller",
			       file);
	dir = cx_cg_path(l, i, name);
	rc = cx_cg_read(dir, file, out, len);
	free(dir);
	return rc;
}

const char *const cx_cg_stat_names[CX_CG_ST_COUNT] = {
	"memory_current", "memory_peak", "memory_oom", "memory_oom_kill",
	"pids_current", "pids_max_events", "cpu_usage_usec",
	"cpu_periods", "cpu_throttled_periods", "cpu_throttled_usec",
};

int cx_cg_stat(const struct cx_cg_layout *l, const char *name,
	       uint64_t v[CX_CG_ST_COUNT], bool has[CX_CG_ST_COUNT])
{
	for (int i = 0; i < CX_CG_ST_COUNT; i++) {
		v[i] = 0;
		has[i] = false;
	}
	if (l->v2 >= 0)
		cx_cg_v2.stat(l, name, v, has);
	if (l->v1)
		cx_cg_v1.stat(l, name, v, has);
	return 0;
}
