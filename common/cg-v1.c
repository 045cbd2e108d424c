/* cgroup v1: every rule of cx-cgroup that is v1's.  One hierarchy per
 * controller (or a few mounted together); a process is in one cgroup
 * of each.  Memory and swap are one limit here (memsw), weights have
 * other scales, a cpuset starts empty, and the freezer is a
 * controller of its own.  Uses only cg-file.c: see cg-impl.h. */
#include "cg-impl.h"

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

static const struct cx_cg_freezer v1_freezer = {
	"freezer.state", "FROZEN", "THAWED", v1_frozen, "freezer",
};

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

static void v1_stat(char *const dirs[CX_CG_SD_COUNT], uint64_t *v, bool *has)
{
	const char *dir;

	if ((dir = dirs[CX_CG_SD_MEMORY])) {
		has[CX_CG_ST_MEM_CURRENT] = cx_cg_read_u64(dir,
			"memory.usage_in_bytes", &v[CX_CG_ST_MEM_CURRENT]) == 0;
		has[CX_CG_ST_MEM_PEAK] = cx_cg_read_u64(dir,
			"memory.max_usage_in_bytes", &v[CX_CG_ST_MEM_PEAK]) == 0;
		/* v1 counts no OOM events but the kills. */
		has[CX_CG_ST_OOM_KILL] =
			v1_oom_kills(dir, &v[CX_CG_ST_OOM_KILL]) == 0;
	}
	if ((dir = dirs[CX_CG_SD_PIDS])) {
		has[CX_CG_ST_PIDS_CURRENT] = cx_cg_read_u64(dir, "pids.current",
			&v[CX_CG_ST_PIDS_CURRENT]) == 0;
		has[CX_CG_ST_PIDS_MAX] = cx_cg_read_key(dir, "pids.events",
			"max", &v[CX_CG_ST_PIDS_MAX]) == 0;
	}
	if ((dir = dirs[CX_CG_SD_CPUACCT])) {
		if (cx_cg_read_u64(dir, "cpuacct.usage",
				   &v[CX_CG_ST_CPU_USAGE]) == 0) {
			v[CX_CG_ST_CPU_USAGE] /= 1000;	/* ns */
			has[CX_CG_ST_CPU_USAGE] = true;
		}
	}
	if ((dir = dirs[CX_CG_SD_CPU])) {
		has[CX_CG_ST_CPU_PERIODS] = cx_cg_read_key(dir, "cpu.stat",
			"nr_periods", &v[CX_CG_ST_CPU_PERIODS]) == 0;
		has[CX_CG_ST_CPU_THROTTLED] = cx_cg_read_key(dir, "cpu.stat",
			"nr_throttled", &v[CX_CG_ST_CPU_THROTTLED]) == 0;
		if (cx_cg_read_key(dir, "cpu.stat", "throttled_time",
				   &v[CX_CG_ST_CPU_THROTTLED_USEC]) == 0) {
			v[CX_CG_ST_CPU_THROTTLED_USEC] /= 1000;	/* ns */
			has[CX_CG_ST_CPU_THROTTLED_USEC] = true;
		}
	}
}


/* --- Limits ------------------------------------------------------------ */

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


static int v1_plan(const struct cx_cg_limit *l, struct cx_cg_write w[2])
{
	const struct cx_cg_knob *k = l->knob;
	const char *file = k->v1file;

	memset(w, 0, 2 * sizeof(*w));
	if (!file)
		return cx_cg_errno(EOPNOTSUPP);
	w[0].file = file;
	switch (k->kind) {
	case CX_CG_SWAP:
		return 0;	/* with the memory: cx_cg_v1_memory */
	case CX_CG_SIZE:
		if (l->max)
			snprintf(w[0].value, sizeof(w[0].value), "-1");
		else
			snprintf(w[0].value, sizeof(w[0].value), "%" PRIu64,
				 l->value);
		return 1;
	case CX_CG_CPUS:
		/* The period first, so that the quota is read against it. */
		w[0].file = "cpu.cfs_period_us";
		snprintf(w[0].value, sizeof(w[0].value), "%d", CX_CG_CPU_PERIOD);
		w[1].file = file;
		if (l->max)
			snprintf(w[1].value, sizeof(w[1].value), "-1");
		else
			snprintf(w[1].value, sizeof(w[1].value), "%" PRIu64,
				 l->value);
		return 2;
	case CX_CG_WEIGHT:
		snprintf(w[0].value, sizeof(w[0].value), "%" PRIu64,
			 cx_cg_v1_weight(file, l->value));
		return 1;
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
	return cx_cg_errno(EINVAL);
}

/* The files the kernel's configuration decides on are in the root of a
 * v1 hierarchy as well: look there now, so that nothing is made for a
 * limit that cannot be set. */
static int v1_check(const char *mount, const struct cx_cg_limit *lim)
{
	const struct cx_cg_knob *k = lim->knob;
	char p[PATH_MAX];

	if (!k->v1file)
		return cx_fail(0, "no cgroup v1 counterpart: %s; the %s controller is a v1 one on this host",
			       k->why, k->v1ctl);
	if (k->kind != CX_CG_SWAP)
		return 0;
	snprintf(p, sizeof(p), "%s/%s", mount, k->v1file);
	if (access(p, F_OK) < 0 && (lim->max || lim->value || cx_cg_swap_on()))
		return cx_fail(0, "swap is not accounted on this host (no %s): boot with swapaccount=1",
			       p);
	return 0;
}

/* Is this the memory limit or the swap limit, which v1 writes
 * together? */
static bool is_memory(const struct cx_cg_knob *k)
{
	return k->kind == CX_CG_SWAP ||
	       (k->v1file && strcmp(k->v1file, "memory.limit_in_bytes") == 0);
}

static int v1_apply(const char *dir, const struct cx_cg_limit *const *lim,
		    int n, int *bad)
{
	int at[2] = { -1, -1 }, b;

	for (int j = 0; j < n; j++) {
		const struct cx_cg_knob *k = lim[j]->knob;
		struct cx_cg_write w[2];
		int nw;

		*bad = j;
		if (is_memory(k)) {
			at[k->kind == CX_CG_SWAP] = j;
			continue;
		}
		if ((nw = v1_plan(lim[j], w)) < 0)
			return cx_fail(errno, "no cgroup v1 file for %s",
				       k->option);
		for (int i = 0; i < nw; i++) {
			int rc = cx_cg_write(dir, w[i].file, w[i].value);

			/* BFQ's weight file, else CFQ's. */
			if (rc < 0 && cx_last_errno() == ENOENT && k->v1alt) {
				w[i].file = k->v1alt;
				snprintf(w[i].value, sizeof(w[i].value), "%" PRIu64,
					 cx_cg_v1_weight(w[i].file,
							 lim[j]->value));
				rc = cx_cg_write(dir, w[i].file, w[i].value);
			}
			if (rc < 0 && cx_last_errno() == ENOENT)
				return cx_fail(0, "open %s/%s: the kernel has no such interface file here",
					       dir, w[i].file);
			if (rc < 0)
				return -1;
		}
	}
	*bad = -1;
	if (at[0] < 0 && at[1] < 0)
		return 0;
	if (cx_cg_v1_memory(dir, at[0] >= 0 ? lim[at[0]] : NULL,
			    at[1] >= 0 ? lim[at[1]] : NULL, &b) < 0) {
		*bad = b >= 0 ? at[b] : -1;
		return -1;
	}
	return 0;
}

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
		    const struct cx_cg_limit *swap, int *bad)
{
	char path[PATH_MAX], memtext[32], swtext[32];
	uint64_t cur_mem, cur_sw, new_mem, new_sw;
	bool has_memsw, swap_max = false;
	uint64_t swap_bytes = 0;

	*bad = -1;
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
		/* v1_check let a swap limit through only as 0 on a host
		 * without swap: nothing to say then. */
		if (mem && cx_cg_write(dir, "memory.limit_in_bytes", memtext) < 0) {
			*bad = 0;
			return -1;
		}
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
			   swap_bytes, swtext, sizeof(swtext)) < 0) {
		*bad = 1;
		return cx_fail(0, errno == ERANGE ?
			       "memory and swap together are too large" :
			       "cgroup v1 limits swap only together with memory (memory.memsw.limit_in_bytes): give the memory limit as well");
	}
	new_sw = swap_max ? UINT64_MAX : new_mem + swap_bytes;
	/* Raise memsw before memory, lower memory before memsw. */
	if (new_sw >= cur_mem) {
		*bad = 1;
		if (cx_cg_write(dir, "memory.memsw.limit_in_bytes", swtext) < 0)
			return -1;
		*bad = 0;
		if (mem && cx_cg_write(dir, "memory.limit_in_bytes", memtext) < 0)
			return -1;
	} else {
		*bad = 0;
		if (cx_cg_write(dir, "memory.limit_in_bytes", memtext) < 0)
			return -1;
		*bad = 1;
		if (cx_cg_write(dir, "memory.memsw.limit_in_bytes", swtext) < 0)
			return -1;
	}
	*bad = -1;
	return 0;
}

int cx_cg_v1_memsw(bool mem_max, uint64_t mem, bool swap_max, uint64_t swap,
		   char *out, size_t len)
{
	if (swap_max) {
		snprintf(out, len, "-1");
		return 0;
	}
	if (mem_max)
		return cx_cg_errno(EINVAL);
	if (mem > INT64_MAX - swap)
		return cx_cg_errno(ERANGE);
	snprintf(out, len, "%" PRIu64, mem + swap);
	return 0;
}


/* --- Reading back ------------------------------------------------------ */

static void max_or(uint64_t v, char *out, size_t len)
{
	if (v >= CX_CG_V1_UNLIMITED)
		snprintf(out, len, "max");
	else
		snprintf(out, len, "%" PRIu64, v);
}

static int v1_get(const char *dir, const struct cx_cg_knob *k, char *out,
		  size_t len)
{
	const char *f = k->v1file;
	uint64_t a, b;
	int rc = -1;

	if (!f)
		return cx_fail(ENOENT, "no cgroup v1 counterpart");
	switch (k->kind) {
	case CX_CG_SIZE:
		if ((rc = cx_cg_read_u64(dir, f, &a)) == 0)
			max_or(a, out, len);
		break;
	case CX_CG_SWAP:
		/* memsw is memory + swap: the swap is the difference. */
		if ((rc = cx_cg_read_u64(dir, f, &a)) == 0 &&
		    (rc = cx_cg_read_u64(dir, "memory.limit_in_bytes", &b)) == 0)
			max_or(a >= CX_CG_V1_UNLIMITED ? a : a - b, out, len);
		break;
	case CX_CG_CPUS:
		if ((rc = cx_cg_read_u64(dir, "cpu.cfs_quota_us", &a)) == 0 &&
		    (rc = cx_cg_read_u64(dir, "cpu.cfs_period_us", &b)) == 0) {
			if (a == UINT64_MAX)
				snprintf(out, len, "max");
			else
				cx_cg_cpus_text(a, b ? b : 1, out, len);
		}
		break;
	case CX_CG_WEIGHT:
		rc = cx_cg_read_u64(dir, f, &a);
		if (rc < 0 && cx_last_errno() == ENOENT && k->v1alt)
			rc = cx_cg_read_u64(dir, f = k->v1alt, &a);
		if (rc == 0)
			snprintf(out, len, "%" PRIu64, cx_cg_v1_unweight(f, a));
		break;
	case CX_CG_CPULIST:
	case CX_CG_COUNT:
		rc = cx_cg_read(dir, f, out, len);
		break;
	case CX_CG_FILE:
		break;
	}
	return rc;
}

const struct cx_cg_backend cx_cg_v1 = {
	.version = 1,
	.made = v1_made,
	.join_self = v1_join_self,
	.check = v1_check,
	.plan = v1_plan,
	.apply = v1_apply,
	.get = v1_get,
	.kill = NULL,
	.freezer = &v1_freezer,
	.oom_kills = v1_oom_kills,
	.oom_counts = v1_oom_counts,
	.stat = v1_stat,
};
