/* cgroup v1: what differs from v2.  One hierarchy per controller (or a
 * few mounted together); a process is in one cgroup of each. */
#include "cgroup.h"

#include "die.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A new cpuset cgroup starts with no CPU and no memory node, and no
 * task can join it (ENOSPC): give it its parent's, as
 * cgroup.clone_children would have. */
static int v1_made(const char *parent, const char *dir)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char buf[4096];

	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (access(path, F_OK) < 0)
			return 0;	/* no cpuset in this hierarchy */
		if (cx_cg_read(dir, files[i], buf, sizeof(buf)) < 0)
			return -1;
		if (*buf)
			continue;
		if (cx_cg_read(parent, files[i], buf, sizeof(buf)) < 0 ||
		    cx_cg_write(dir, files[i], buf) < 0)
			return -1;
	}
	return 0;
}

/* "0" in tasks moves the writing thread alone, without the global
 * threadgroup lock that a write to cgroup.procs (or of another pid)
 * takes, and whose first taking waits for an RCU grace period.  The
 * callers are single-threaded, so the thread is the process. */
static int v1_join_self(const char *dir)
{
	return cx_cg_write(dir, "tasks", "0");
}

static bool v1_frozen(const char *dir)
{
	char buf[32];

	return cx_cg_read(dir, "freezer.state", buf, sizeof(buf)) == 0 &&
	       strcmp(buf, "FROZEN") == 0;
}

static int v1_kill(const struct cx_cg_layout *l, const char *name)
{
	static const struct cx_cg_freezer fz = {
		"freezer.state", "FROZEN", "THAWED", v1_frozen,
	};
	int f = cx_cg_find(l, NULL, "freezer");
	char *dir = NULL;
	int rc;

	if (f >= 0 && l->h[f].version == 1 && cx_cg_exists(l, f, name))
		dir = cx_cg_path(l, f, name);
	rc = cx_cg_kill_loop(l, name, dir, &fz);
	free(dir);
	return rc;
}

/* memory.oom_control has counted the kills since 4.13. */
static int v1_oom_kills(const char *dir, uint64_t *kills)
{
	return cx_cg_read_key(dir, "memory.oom_control", "oom_kill", kills);
}

static int read_limit(const char *dir, const char *file, uint64_t *v);

/* Does PEAK come within one failed charge of LIMIT?  A charge is a batch
 * of 64 pages, or a huge page of 2M. */
static bool within_a_charge(uint64_t peak, uint64_t limit)
{
	uint64_t batch = 64 * (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t slack = batch > (2 << 20) ? batch : (2 << 20);

	return limit != UINT64_MAX && peak + slack >= limit;
}

/* failcnt counts the charges that failed at this cgroup's own limit, not
 * at one above it; the peak (max_usage_in_bytes) is its own as well. */
static void v1_oom_counts(const char *dir, struct cx_cg_oom_counts *c)
{
	memset(c, 0, sizeof(*c));
	c->limit = c->sw_limit = UINT64_MAX;
	cx_cg_read_u64(dir, "memory.failcnt", &c->hits);
	cx_cg_read_u64(dir, "memory.memsw.failcnt", &c->sw_hits);
	read_limit(dir, "memory.limit_in_bytes", &c->limit);
	read_limit(dir, "memory.memsw.limit_in_bytes", &c->sw_limit);
	c->has_peak = cx_cg_read_u64(dir, "memory.max_usage_in_bytes",
				     &c->peak) == 0;
	if (cx_cg_read_u64(dir, "memory.memsw.max_usage_in_bytes",
			   &c->sw_peak) < 0)
		c->sw_peak = c->peak;
	c->full = c->has_peak && within_a_charge(c->peak, c->limit);
	c->sw_full = c->has_peak && within_a_charge(c->sw_peak, c->sw_limit);
}

/* The v1 hierarchy of controller CTL where NAME is, as a path. */
static char *v1_dir(const struct cx_cg_layout *l, const char *name,
		    const char *v2ctl, const char *ctl)
{
	int i = cx_cg_find(l, v2ctl, ctl);

	if (i < 0 || l->h[i].version != 1 || !cx_cg_exists(l, i, name))
		return NULL;
	return cx_cg_path(l, i, name);
}

static void v1_stat(const struct cx_cg_layout *l, const char *name,
		    uint64_t *v, bool *has)
{
	char *dir;

	if ((dir = v1_dir(l, name, "memory", "memory"))) {
		has[CX_CG_ST_MEM_CURRENT] = cx_cg_read_u64(dir,
			"memory.usage_in_bytes", &v[CX_CG_ST_MEM_CURRENT]) == 0;
		has[CX_CG_ST_MEM_PEAK] = cx_cg_read_u64(dir,
			"memory.max_usage_in_bytes", &v[CX_CG_ST_MEM_PEAK]) == 0;
		/* v1 counts no OOM events but the kills. */
		has[CX_CG_ST_OOM_KILL] =
			v1_oom_kills(dir, &v[CX_CG_ST_OOM_KILL]) == 0;
		free(dir);
	}
	if ((dir = v1_dir(l, name, "pids", "pids"))) {
		has[CX_CG_ST_PIDS_CURRENT] = cx_cg_read_u64(dir, "pids.current",
			&v[CX_CG_ST_PIDS_CURRENT]) == 0;
		has[CX_CG_ST_PIDS_MAX] = cx_cg_read_key(dir, "pids.events",
			"max", &v[CX_CG_ST_PIDS_MAX]) == 0;
		free(dir);
	}
	if ((dir = v1_dir(l, name, "cpu", "cpuacct"))) {
		if (cx_cg_read_u64(dir, "cpuacct.usage",
				   &v[CX_CG_ST_CPU_USAGE]) == 0) {
			v[CX_CG_ST_CPU_USAGE] /= 1000;	/* ns */
			has[CX_CG_ST_CPU_USAGE] = true;
		}
		free(dir);
	}
	if ((dir = v1_dir(l, name, "cpu", "cpu"))) {
		has[CX_CG_ST_CPU_PERIODS] = cx_cg_read_key(dir, "cpu.stat",
			"nr_periods", &v[CX_CG_ST_CPU_PERIODS]) == 0;
		has[CX_CG_ST_CPU_THROTTLED] = cx_cg_read_key(dir, "cpu.stat",
			"nr_throttled", &v[CX_CG_ST_CPU_THROTTLED]) == 0;
		if (cx_cg_read_key(dir, "cpu.stat", "throttled_time",
				   &v[CX_CG_ST_CPU_THROTTLED_USEC]) == 0) {
			v[CX_CG_ST_CPU_THROTTLED_USEC] /= 1000;	/* ns */
			has[CX_CG_ST_CPU_THROTTLED_USEC] = true;
		}
		free(dir);
	}
}

const struct cx_cg_backend cx_cg_v1 = {
	v1_made, v1_join_self, v1_kill, v1_oom_kills, v1_oom_counts, v1_stat,
};

/* A limit of memory.limit_in_bytes or memsw, UINT64_MAX for none. */
static int read_limit(const char *dir, const char *file, uint64_t *v)
{
	if (cx_cg_read_u64(dir, file, v) < 0)
		return -1;
	if (*v >= CX_CG_V1_UNLIMITED)
		*v = UINT64_MAX;
	return 0;
}

/* v1 limits memory, and memory plus swap (memsw), and wants the first
 * never above the second at any moment.  cx's --memory-swap is the swap
 * on top of the memory, as v2's memory.swap.max, so a new --memory
 * alone keeps the swap that was allowed. */
int cx_cg_v1_memory(const char *dir, const struct cx_cg_limit *mem,
		    const struct cx_cg_limit *swap)
{
	char path[PATH_MAX], memtext[32], swtext[32];
	uint64_t cur_mem, cur_sw, new_mem, new_sw;
	bool has_memsw, swap_max = false;
	uint64_t swap_bytes = 0;

	snprintf(path, sizeof(path), "%s/memory.memsw.limit_in_bytes", dir);
	has_memsw = access(path, F_OK) == 0;
	if (read_limit(dir, "memory.limit_in_bytes", &cur_mem) < 0)
		return -1;
	new_mem = !mem ? cur_mem : mem->max ? UINT64_MAX : mem->value;
	if (new_mem == UINT64_MAX)
		snprintf(memtext, sizeof(memtext), "-1");
	else
		snprintf(memtext, sizeof(memtext), "%" PRIu64, new_mem);
	if (!has_memsw) {
		/* cx_cg_check_limits let a --memory-swap through only as 0
		 * on a host without swap: nothing to say then. */
		if (!mem)
			return 0;
		if (cx_cg_write(dir, "memory.limit_in_bytes", memtext) < 0)
			return cx_fail_context("--memory");
		return 0;
	}
	if (read_limit(dir, "memory.memsw.limit_in_bytes", &cur_sw) < 0)
		return -1;
	if (swap) {
		swap_max = swap->max;
		swap_bytes = swap->value;
	} else if (cur_sw == UINT64_MAX || new_mem == UINT64_MAX) {
		swap_max = true;	/* none on top of none */
	} else {
		swap_bytes = cur_sw - cur_mem;
	}
	if (cx_cg_v1_memsw(new_mem == UINT64_MAX, new_mem, swap_max,
			   swap_bytes, swtext, sizeof(swtext)) < 0)
		return cx_fail(0, errno == ERANGE ?
			       "--memory-swap: memory and swap together are too large" :
			       "--memory-swap: cgroup v1 limits swap only together with memory (memory.memsw.limit_in_bytes): give --memory as well");
	new_sw = swap_max ? UINT64_MAX : new_mem + swap_bytes;
	/* Raise memsw before memory, lower memory before memsw. */
	if (new_sw >= cur_mem) {
		if (cx_cg_write(dir, "memory.memsw.limit_in_bytes", swtext) < 0)
			return cx_fail_context("--memory-swap");
		if (mem && cx_cg_write(dir, "memory.limit_in_bytes", memtext) < 0)
			return cx_fail_context("--memory");
	} else {
		if (cx_cg_write(dir, "memory.limit_in_bytes", memtext) < 0)
			return cx_fail_context("--memory");
		if (cx_cg_write(dir, "memory.memsw.limit_in_bytes", swtext) < 0)
			return cx_fail_context("--memory-swap");
	}
	return 0;
}
