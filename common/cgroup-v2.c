/* cgroup v2: what differs from v1.  One hierarchy; a controller works
 * in a cgroup only when its parent enabled it in cgroup.subtree_control,
 * and a cgroup that does that may hold no process itself (the "no
 * internal processes" rule, which spares the root). */
#include "cgroup.h"

#include "die.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int v2_made(const char *parent, const char *dir)
{
	(void)parent;
	(void)dir;
	return 0;
}

/* A process can only move whole on v2 (cgroup.threads is for threaded
 * subtrees), and the write takes the threadgroup lock: after an idle
 * moment that waits for an RCU grace period.  cx_cg_fork_into avoids
 * it with CLONE_INTO_CGROUP. */
static int v2_join_self(const char *dir)
{
	return cx_cg_write(dir, "cgroup.procs", "0");
}

static bool v2_frozen(const char *dir)
{
	uint64_t v;

	return cx_cg_read_key(dir, "cgroup.events", "frozen", &v) == 0 && v;
}

static int v2_kill(const struct cx_cg_layout *l, const char *name)
{
	static const struct cx_cg_freezer fz = {
		"cgroup.freeze", "1", "0", v2_frozen,
	};
	char *dir = cx_cg_path(l, l->v2, name);
	int rc = cx_cg_write(dir, "cgroup.kill", "1");

	/* cgroup.kill came in 5.14, cgroup.freeze in 5.2. */
	if (rc < 0 && cx_last_errno() == ENOENT)
		rc = cx_cg_kill_loop(l, name, dir, &fz);
	free(dir);
	return rc;
}

static int v2_oom_kills(const char *dir, uint64_t *kills)
{
	return cx_cg_read_key(dir, "memory.events", "oom_kill", kills);
}

/* An OOM event is counted in the cgroup whose memory.max the charge hit,
 * and in every cgroup above it; memory.events.local (5.2) counts the
 * cgroup's own alone. */
static void v2_oom_counts(const char *dir, struct cx_cg_oom_counts *c)
{
	memset(c, 0, sizeof(*c));
	c->limit = c->sw_limit = UINT64_MAX;
	if (cx_cg_read_key(dir, "memory.events.local", "oom", &c->hits) < 0)
		cx_cg_read_key(dir, "memory.events", "oom", &c->hits);
	cx_cg_read_u64(dir, "memory.max", &c->limit);
	/* memory.peak came in 5.19. */
	c->has_peak = cx_cg_read_u64(dir, "memory.peak", &c->peak) == 0;
}

static char *v2_dir(const struct cx_cg_layout *l, const char *name,
		    const char *ctl, const char *v1ctl)
{
	int i = cx_cg_find(l, ctl, v1ctl);

	if (i < 0 || i != l->v2 || !cx_cg_exists(l, i, name))
		return NULL;
	return cx_cg_path(l, i, name);
}

static void v2_stat(const struct cx_cg_layout *l, const char *name,
		    uint64_t *v, bool *has)
{
	char *dir;

	if ((dir = v2_dir(l, name, "memory", "memory"))) {
		has[CX_CG_ST_MEM_CURRENT] = cx_cg_read_u64(dir,
			"memory.current", &v[CX_CG_ST_MEM_CURRENT]) == 0;
		/* memory.peak came in 5.19. */
		has[CX_CG_ST_MEM_PEAK] = cx_cg_read_u64(dir, "memory.peak",
			&v[CX_CG_ST_MEM_PEAK]) == 0;
		has[CX_CG_ST_OOM] = cx_cg_read_key(dir, "memory.events", "oom",
			&v[CX_CG_ST_OOM]) == 0;
		has[CX_CG_ST_OOM_KILL] =
			v2_oom_kills(dir, &v[CX_CG_ST_OOM_KILL]) == 0;
		free(dir);
	}
	if ((dir = v2_dir(l, name, "pids", "pids"))) {
		has[CX_CG_ST_PIDS_CURRENT] = cx_cg_read_u64(dir, "pids.current",
			&v[CX_CG_ST_PIDS_CURRENT]) == 0;
		has[CX_CG_ST_PIDS_MAX] = cx_cg_read_key(dir, "pids.events",
			"max", &v[CX_CG_ST_PIDS_MAX]) == 0;
		free(dir);
	}
	/* usage_usec is in every v2 cpu.stat; the throttling lines only
	 * with the cpu controller. */
	if ((dir = v2_dir(l, name, "cpu", "cpuacct"))) {
		has[CX_CG_ST_CPU_USAGE] = cx_cg_read_key(dir, "cpu.stat",
			"usage_usec", &v[CX_CG_ST_CPU_USAGE]) == 0;
		free(dir);
	}
	if ((dir = v2_dir(l, name, "cpu", "cpu"))) {
		has[CX_CG_ST_CPU_PERIODS] = cx_cg_read_key(dir, "cpu.stat",
			"nr_periods", &v[CX_CG_ST_CPU_PERIODS]) == 0;
		has[CX_CG_ST_CPU_THROTTLED] = cx_cg_read_key(dir, "cpu.stat",
			"nr_throttled", &v[CX_CG_ST_CPU_THROTTLED]) == 0;
		has[CX_CG_ST_CPU_THROTTLED_USEC] = cx_cg_read_key(dir,
			"cpu.stat", "throttled_usec",
			&v[CX_CG_ST_CPU_THROTTLED_USEC]) == 0;
		free(dir);
	}
}

const struct cx_cg_backend cx_cg_v2 = {
	v2_made, v2_join_self, v2_kill, v2_oom_kills, v2_oom_counts, v2_stat,
};

int cx_cg_v2_enable_all(const char *dir)
{
	char have[1024], text[1100] = "";

	if (cx_cg_read(dir, "cgroup.controllers", have, sizeof(have)) < 0)
		return -1;
	for (char *c, *save = NULL, *s = have; (c = strtok_r(s, " ", &save));
	     s = NULL)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "%s+%s", *text ? " " : "", c);
	if (!*text)
		return 0;
	return cx_cg_write(dir, "cgroup.subtree_control", text);
}

/* Enable CTL for the children of DIR, or say what to do. */
static int enable(const char *dir, const char *ctl, bool ours)
{
	char have[1024], plus[80];

	if (cx_cg_read(dir, "cgroup.controllers", have, sizeof(have)) < 0)
		return -1;
	if (!cx_cg_list_has(strcat(have, " "), ctl))
		return cx_fail(0, "the %s controller is not available in %s (not in its cgroup.controllers): enable it in the cgroup.subtree_control of the cgroups above",
			       ctl, dir);
	if (!ours)
		return cx_fail(0, "the %s controller is not enabled for the children of %s, which cx-cgroup did not create: enable it there (echo +%s > %s/cgroup.subtree_control), or choose another --parent",
			       ctl, dir, ctl, dir);
	snprintf(plus, sizeof(plus), "+%s", ctl);
	if (cx_cg_write(dir, "cgroup.subtree_control", plus) == 0)
		return 0;
	if (cx_last_errno() == EBUSY)
		return cx_fail(0, "enable %s in %s/cgroup.subtree_control: %s has processes of its own, and cgroup v2 gives controllers only to the children of a cgroup without any (the no internal processes rule): move them into a child cgroup first",
			       ctl, dir, dir);
	return -1;
}

int cx_cg_v2_enable(const struct cx_cg_layout *l, const char *name,
		    const char *ctls)
{
	const struct cx_cg_hier *h = &l->h[l->v2];
	char dir[PATH_MAX];
	const char *p = name;
	bool ours = h->base_made;

	snprintf(dir, sizeof(dir), "%s", h->base);
	/* Each parent from the base down to NAME's own: cx changes the
	 * base only when it made it now, and the cgroups below it,
	 * which are cx's names. */
	for (;;) {
		char have[1024], want[256];
		size_t len;

		if (cx_cg_read(dir, "cgroup.subtree_control", have,
			       sizeof(have)) < 0)
			return -1;
		strcat(have, " ");
		snprintf(want, sizeof(want), "%s", ctls);
		for (char *c, *save = NULL, *s = want;
		     (c = strtok_r(s, " ", &save)); s = NULL)
			if (!cx_cg_list_has(have, c) && enable(dir, c, ours) < 0)
				return -1;
		len = strcspn(p, "/");
		if (!p[len])
			return 0;	/* NAME itself holds the processes */
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%.*s",
			 (int)len, p);
		p += len + 1;
		ours = true;
	}
}
