/* cx-cgroup's reading back: a knob's value in its option's words, an
 * interface file, the statistics, and which limit the OOM killer
 * struck at.  See cg.h. */
#include "cg-impl.h"

#include "die.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cx_cg_oom_kills(const struct cx_cg_layout *l, const char *name,
		    uint64_t *kills)
{
	int i = cx_cg_find(l, "memory", "memory");
	char *dir;
	int rc;

	if (i < 0 || !cx_cg_exists(l, i, name))
		return cx_cg_errno(ENOENT);
	dir = cx_cg_path(l, i, name);
	rc = cx_cg_backend(l->h[i].version)->oom_kills(dir, kills);
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

static bool was_made(const struct cx_cg_made *m, const char *dir)
{
	for (int i = 0; m && i < m->n; i++)
		if (strcmp(m->dir[i], dir) == 0)
			return true;
	return false;
}

static int watch_add(struct cx_cg_oom_watch *w, const struct cx_cg_hier *h,
		     const char *dir, const struct cx_cg_made *made)
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
	/* A cgroup made a moment ago has counted nothing yet. */
	if (was_made(made, dir))
		memset(&w->before[w->n], 0, sizeof(w->before[w->n]));
	else
		cx_cg_backend(h->version)->oom_counts(dir, &w->before[w->n]);
	w->n++;
	return 0;
}

int cx_cg_oom_watch(const struct cx_cg_layout *l, const char *name,
		    const struct cx_cg_made *made, struct cx_cg_oom_watch *w)
{
	int i = cx_cg_find(l, "memory", "memory");
	size_t top;
	char *dir;
	int rc = 0;

	memset(w, 0, sizeof(*w));
	w->h = -1;
	if (i < 0)
		return cx_cg_errno(ENOENT);
	dir = cx_cg_path(l, i, name);
	if (!was_made(made, dir) && cx_cg_oom_kills(l, name, &w->kills) < 0) {
		free(dir);
		return cx_cg_errno(ENOENT);
	}
	w->h = i;
	/* Up to the root of the mount, which has no limit. */
	top = strlen(l->h[i].mount);
	while (rc == 0 && strlen(dir) > top) {
		rc = watch_add(w, &l->h[i], dir, made);
		*strrchr(dir, '/') = '\0';
	}
	free(dir);
	if (rc < 0)
		cx_cg_oom_watch_free(w);
	return rc;
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

		cx_cg_backend(h->version)->oom_counts(w->dir[j], &now);
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
		if (!(o->where = cx_cg_from_root(h, w->dir[j])))
			return cx_fail(ENOMEM, "malloc");
		return 0;
	}
	return 0;
}


/* --- Reading back ---------------------------------------------------- */

int cx_cg_get(const struct cx_cg_layout *l, const char *name,
	      const struct cx_cg_knob *k, char *out, size_t len)
{
	int i = cx_cg_find(l, k->ctl, k->v1ctl), rc;
	char *dir;

	if (i < 0)
		return cx_fail(ENOENT, "this host has no %s controller", k->ctl);
	dir = cx_cg_path(l, i, name);
	rc = cx_cg_backend(l->h[i].version)->get(dir, k, out, len);
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

/* The controllers stat reads, as each version names them: v2 reads its
 * CPU use in cpu.stat, which every cgroup has, v1 in cpuacct. */
static const char *const stat_ctls[CX_CG_SD_COUNT][2] = {
	[CX_CG_SD_MEMORY] = { "memory", "memory" },
	[CX_CG_SD_PIDS] = { "pids", "pids" },
	[CX_CG_SD_CPUACCT] = { "cpu", "cpuacct" },
	[CX_CG_SD_CPU] = { "cpu", "cpu" },
};

/* What backend B can tell of NAME, from the hierarchies of its
 * version. */
static void stat_in(const struct cx_cg_layout *l, const char *name,
		    const struct cx_cg_backend *b, uint64_t *v, bool *has)
{
	char *dir[CX_CG_SD_COUNT];

	for (int s = 0; s < CX_CG_SD_COUNT; s++)
		dir[s] = cx_cg_dir_of(l, name, stat_ctls[s][0], stat_ctls[s][1],
				      b->version);
	b->stat(dir, v, has);
	for (int s = 0; s < CX_CG_SD_COUNT; s++)
		free(dir[s]);
}

int cx_cg_stat(const struct cx_cg_layout *l, const char *name,
	       uint64_t v[CX_CG_ST_COUNT], bool has[CX_CG_ST_COUNT])
{
	for (int i = 0; i < CX_CG_ST_COUNT; i++) {
		v[i] = 0;
		has[i] = false;
	}
	if (l->v2 >= 0)
		stat_in(l, name, &cx_cg_v2, v, has);
	if (l->v1)
		stat_in(l, name, &cx_cg_v1, v, has);
	return 0;
}
