/* cx-cgroup's knobs: the table of limits with each version's file,
 * the parsers of their values, the files --set refuses, and sizes in
 * words.  Pure: nothing here touches the system.  See cg.h. */
#include "cg-impl.h"

#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
		return cx_cg_errno(EINVAL);
	for (; isdigit((unsigned char)*s); s++) {
		whole = whole * 10 + (uint64_t)(*s - '0');
		if (whole > 1000000)
			return cx_cg_errno(ERANGE);
	}
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return cx_cg_errno(EINVAL);
		for (; isdigit((unsigned char)*s); s++) {
			if (++decimals > 5)
				return cx_cg_errno(EINVAL);
			frac = frac * 10 + (uint64_t)(*s - '0');
		}
	}
	if (*s)
		return cx_cg_errno(EINVAL);
	for (; decimals < 5; decimals++)
		frac *= 10;
	/* 5 decimals are microseconds of a 100000 us period. */
	*quota = whole * CX_CG_CPU_PERIOD + frac;
	/* The kernel's smallest quota is 1 ms. */
	if (*quota < 1000 || whole > 1000000 ||
	    (whole == 1000000 && frac))
		return cx_cg_errno(ERANGE);
	return 0;
}

int cx_cg_parse_cpulist(const char *s)
{
	if (!*s)
		return cx_cg_errno(EINVAL);
	for (;;) {
		uint64_t a = 0, b;
		int n = 0;

		for (; isdigit((unsigned char)*s); s++, n++)
			if ((a = a * 10 + (uint64_t)(*s - '0')) >= 65536)
				return cx_cg_errno(ERANGE);
		if (!n)
			return cx_cg_errno(EINVAL);
		b = a;
		if (*s == '-') {
			s++;
			b = 0;
			n = 0;
			for (; isdigit((unsigned char)*s); s++, n++)
				if ((b = b * 10 + (uint64_t)(*s - '0')) >= 65536)
					return cx_cg_errno(ERANGE);
			if (!n || b < a)
				return cx_cg_errno(EINVAL);
		}
		if (!*s)
			return 0;
		if (*s++ != ',')
			return cx_cg_errno(EINVAL);
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
			return cx_cg_errno(EINVAL);
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
			return cx_cg_errno(ERANGE);
		/* and rounds them down to whole pages: "--memory 100" read
		 * back 0.  No swap (0) is a choice; no memory is not. */
		if (k->kind == CX_CG_SIZE && v < (uint64_t)sysconf(_SC_PAGESIZE))
			return cx_cg_errno(EDOM);
		break;
	case CX_CG_CPUS:
		if (cx_cg_parse_cpus(arg, &v) < 0)
			return -1;
		break;
	case CX_CG_WEIGHT:
		if (cx_parse_u64(arg, &v) < 0)
			return -1;
		if (v < 1 || v > 10000)
			return cx_cg_errno(ERANGE);
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
			return cx_cg_errno(ERANGE);
		break;
	default:
		return cx_cg_errno(EINVAL);
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
		return cx_cg_errno(EINVAL);
	len = (size_t)(eq - arg);
	if (len == 0 || len >= sizeof(out->file) || arg[0] == '.' ||
	    !memchr(arg, '.', len))
		return cx_cg_errno(EINVAL);
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)arg[i]) && arg[i] != '.' &&
		    arg[i] != '_' && arg[i] != '-')
			return cx_cg_errno(EINVAL);
	memcpy(out->file, arg, len);
	out->file[len] = '\0';
	if (strstr(out->file, ".."))
		return cx_cg_errno(EINVAL);
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


void cx_cg_cpus_text(uint64_t quota, uint64_t period, char *out, size_t len)
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

