/* cgroup v2: every rule of cx-cgroup that is v2's.  One hierarchy; a
 * controller works in a cgroup only when its parent enabled it in
 * cgroup.subtree_control, and a cgroup that does that may hold no
 * process itself (the "no internal processes" rule, which spares the
 * root).  Uses only cg-file.c: see cg-impl.h. */
#include "cg-impl.h"

#include "die.h"
#include "parse.h"

#include <errno.h>
#include <inttypes.h>
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
 * moment that waits for an RCU grace period.  cx_cg_spawn_into avoids
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

/* cgroup.freeze came in 5.2. */
static const struct cx_cg_freezer v2_freezer = {
	"cgroup.freeze", "1", "0", v2_frozen, NULL,
};

/* cgroup.kill came in 5.14: ENOENT before. */
static int v2_kill(const char *dir)
{
	return cx_cg_write(dir, "cgroup.kill", "1");
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

static void v2_stat(char *const dirs[CX_CG_SD_COUNT], uint64_t *v, bool *has)
{
	const char *dir;

	if ((dir = dirs[CX_CG_SD_MEMORY])) {
		has[CX_CG_ST_MEM_CURRENT] = cx_cg_read_u64(dir,
			"memory.current", &v[CX_CG_ST_MEM_CURRENT]) == 0;
		/* memory.peak came in 5.19. */
		has[CX_CG_ST_MEM_PEAK] = cx_cg_read_u64(dir, "memory.peak",
			&v[CX_CG_ST_MEM_PEAK]) == 0;
		has[CX_CG_ST_OOM] = cx_cg_read_key(dir, "memory.events", "oom",
			&v[CX_CG_ST_OOM]) == 0;
		has[CX_CG_ST_OOM_KILL] =
			v2_oom_kills(dir, &v[CX_CG_ST_OOM_KILL]) == 0;
	}
	if ((dir = dirs[CX_CG_SD_PIDS])) {
		has[CX_CG_ST_PIDS_CURRENT] = cx_cg_read_u64(dir, "pids.current",
			&v[CX_CG_ST_PIDS_CURRENT]) == 0;
		has[CX_CG_ST_PIDS_MAX] = cx_cg_read_key(dir, "pids.events",
			"max", &v[CX_CG_ST_PIDS_MAX]) == 0;
	}
	/* usage_usec is in every v2 cpu.stat; the throttling lines only
	 * with the cpu controller. */
	if ((dir = dirs[CX_CG_SD_CPUACCT])) {
		has[CX_CG_ST_CPU_USAGE] = cx_cg_read_key(dir, "cpu.stat",
			"usage_usec", &v[CX_CG_ST_CPU_USAGE]) == 0;
	}
	if ((dir = dirs[CX_CG_SD_CPU])) {
		has[CX_CG_ST_CPU_PERIODS] = cx_cg_read_key(dir, "cpu.stat",
			"nr_periods", &v[CX_CG_ST_CPU_PERIODS]) == 0;
		has[CX_CG_ST_CPU_THROTTLED] = cx_cg_read_key(dir, "cpu.stat",
			"nr_throttled", &v[CX_CG_ST_CPU_THROTTLED]) == 0;
		has[CX_CG_ST_CPU_THROTTLED_USEC] = cx_cg_read_key(dir,
			"cpu.stat", "throttled_usec",
			&v[CX_CG_ST_CPU_THROTTLED_USEC]) == 0;
	}
}


/* --- Limits ------------------------------------------------------------ */

static int v2_plan(const struct cx_cg_limit *l, struct cx_cg_write w[2])
{
	const struct cx_cg_knob *k = l->knob;

	memset(w, 0, 2 * sizeof(*w));
	w[0].file = k->v2file;
	switch (k->kind) {
	case CX_CG_SIZE:
	case CX_CG_SWAP:
	case CX_CG_COUNT:
		if (l->max)
			snprintf(w[0].value, sizeof(w[0].value), "max");
		else
			snprintf(w[0].value, sizeof(w[0].value), "%" PRIu64,
				 l->value);
		return 1;
	case CX_CG_CPUS:
		if (l->max)
			snprintf(w[0].value, sizeof(w[0].value), "max %d",
				 CX_CG_CPU_PERIOD);
		else
			snprintf(w[0].value, sizeof(w[0].value), "%" PRIu64 " %d",
				 l->value, CX_CG_CPU_PERIOD);
		return 1;
	case CX_CG_WEIGHT:
		/* io.weight takes a default and per-device weights. */
		snprintf(w[0].value, sizeof(w[0].value),
			 strcmp(k->ctl, "io") == 0 ? "default %" PRIu64 :
			 "%" PRIu64, l->value);
		return 1;
	case CX_CG_CPULIST:
		snprintf(w[0].value, sizeof(w[0].value), "%s", l->text);
		return 1;
	case CX_CG_FILE:
		break;
	}
	return cx_cg_errno(EINVAL);
}

/* Every knob has a v2 file; whether the kernel made it is seen when it
 * is written. */
static int v2_check(const char *mount, const struct cx_cg_limit *lim)
{
	(void)mount;
	(void)lim;
	return 0;
}

static int v2_apply(const char *dir, const struct cx_cg_limit *const *lim,
		    int n, int *bad)
{
	for (int j = 0; j < n; j++) {
		const struct cx_cg_limit *L = lim[j];
		struct cx_cg_write w[2];
		int nw = v2_plan(L, w);

		*bad = j;
		if (nw < 0)
			return cx_fail(errno, "no cgroup v2 file for %s",
				       L->knob->option);
		for (int i = 0; i < nw; i++) {
			if (cx_cg_write(dir, w[i].file, w[i].value) == 0)
				continue;
			if (cx_last_errno() != ENOENT)
				return -1;
			/* memory.swap.max is there only where swap is
			 * accounted (CONFIG_MEMCG_SWAP, swapaccount). */
			if (L->knob->kind != CX_CG_SWAP)
				return cx_fail(0, "open %s/%s: the kernel has no such interface file here",
					       dir, w[i].file);
			if (L->max || L->value || cx_cg_swap_on())
				return cx_fail(0, "swap is not accounted on this host (no %s in %s): boot with swapaccount=1",
					       w[i].file, dir);
		}
	}
	*bad = -1;
	return 0;
}

/* --- Reading back ------------------------------------------------------ */

static int v2_get(const char *dir, const struct cx_cg_knob *k, char *out,
		  size_t len)
{
	char buf[256], q[32];
	uint64_t a, b;
	int rc = -1;

	switch (k->kind) {
	case CX_CG_SIZE:
	case CX_CG_SWAP:
		if ((rc = cx_cg_read_u64(dir, k->v2file, &a)) == 0) {
			if (a == UINT64_MAX)
				snprintf(out, len, "max");
			else
				snprintf(out, len, "%" PRIu64, a);
		}
		break;
	case CX_CG_CPUS:
		/* "QUOTA PERIOD", the quota "max" for none. */
		if ((rc = cx_cg_read(dir, k->v2file, buf, sizeof(buf))) < 0)
			break;
		if (sscanf(buf, "%31s %" SCNu64, q, &b) != 2 ||
		    (strcmp(q, "max") != 0 && cx_parse_u64(q, &a) < 0))
			rc = cx_fail(EINVAL, "read %s/%s: %s", dir, k->v2file,
				     buf);
		else if (strcmp(q, "max") == 0)
			snprintf(out, len, "max");
		else
			cx_cg_cpus_text(a, b ? b : 1, out, len);
		break;
	case CX_CG_WEIGHT:
		if (strcmp(k->ctl, "io") == 0)
			rc = cx_cg_read_key(dir, k->v2file, "default", &a);
		else
			rc = cx_cg_read_u64(dir, k->v2file, &a);
		if (rc == 0)
			snprintf(out, len, "%" PRIu64, a);
		break;
	case CX_CG_CPULIST:
	case CX_CG_COUNT:
		rc = cx_cg_read(dir, k->v2file, out, len);
		break;
	case CX_CG_FILE:
		break;
	}
	return rc;
}

const struct cx_cg_backend cx_cg_v2 = {
	.version = 2,
	.made = v2_made,
	.join_self = v2_join_self,
	.check = v2_check,
	.plan = v2_plan,
	.apply = v2_apply,
	.get = v2_get,
	.kill = v2_kill,
	.freezer = &v2_freezer,
	.oom_kills = v2_oom_kills,
	.oom_counts = v2_oom_counts,
	.stat = v2_stat,
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

int cx_cg_v2_enable(const char *base, bool base_ours, const char *name,
		    const char *ctls)
{
	char dir[PATH_MAX];
	const char *p = name;
	bool ours = base_ours;

	snprintf(dir, sizeof(dir), "%s", base);
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
