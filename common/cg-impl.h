/* Inside cx-cgroup's cgroup module: what its files share, and the
 * contract of the two backends.  Not for the tool (cg.h is), but
 * for the unit tests, which test the translations directly.
 *
 * The dependencies go one way, from the leaves up:
 *   cg-file.c, cg-knob.c   the files' I/O; the table (pure)
 *   cg-v1.c, cg-v2.c       the backends, which use only those
 *   cg-layout.c                the hierarchies
 *   cg-make.c                  making, limits
 *   cg-proc.c, cgroup-stat.c   processes; reading back
 *   cgroup-device.c            device rules (cx-cgroup's alone)
 * The operations pick the hierarchy and call the backend of its
 * version; every rule of one version lives in that version's file. */
#ifndef CX_CGROUP_IMPL_H
#define CX_CGROUP_IMPL_H

#include "cg.h"
#include "cg-file.h"

/* --- The layout (cg-layout.c) ------------------------------------ */

/* The hierarchy for a controller: the cgroup2 one when it has V2NAME,
 * else the v1 one that has V1NAME; -1 when none has it. */
int cx_cg_find(const struct cx_cg_layout *l, const char *v2name,
	       const char *v1name);
/* NAME in the hierarchy of a controller, when it is there (malloc'd),
 * else NULL; with VERSION only in a hierarchy of that version. */
char *cx_cg_dir_of(const struct cx_cg_layout *l, const char *name,
		   const char *v2name, const char *v1name, int version);
/* A process's cgroup in hierarchy H, from TEXT (/proc/PID/cgroup, which
 * this changes), as a full path (malloc'd), or NULL. */
char *cx_cg_in(const struct cx_cg_hier *h, char *text);
/* The caller's cgroup in hierarchy H (malloc'd), or NULL. */
char *cx_cg_own(const struct cx_cg_hier *h);
/* DIR of hierarchy H as a path from the hierarchy's root (malloc'd). */
char *cx_cg_from_root(const struct cx_cg_hier *h, const char *dir);

/* --- Making (cg-make.c) ------------------------------------------ */

/* rmdir DIR, again for a moment while the kernel still counts a
 * process that has just exited; a cgroup that holds another stays. */
int cx_cg_rmdir(const char *dir);

/* --- Processes (cg-proc.c) --------------------------------------- */

/* The processes in NAME and below it, over every hierarchy, each once
 * (malloc'd). */
int cx_cg_pids(const struct cx_cg_layout *l, const char *name, pid_t **v,
	       int *n);

/* --- The backends ---------------------------------------------------- */

/* A file and what to write to it. */
struct cx_cg_write {
	const char *file;
	char value[64];
};

/* How a version freezes a cgroup: what to write to FILE to freeze and
 * thaw it, and how to see that it is frozen. */
struct cx_cg_freezer {
	const char *file, *freeze, *thaw;
	bool (*frozen)(const char *dir);
	/* The v1 controller whose hierarchy has FILE; NULL: cgroup2's
	 * core has it. */
	const char *v1ctl;
};

/* The directories stat reads, each NULL when this backend's hierarchy
 * does not hold that controller (or NAME). */
enum { CX_CG_SD_MEMORY, CX_CG_SD_PIDS, CX_CG_SD_CPUACCT, CX_CG_SD_CPU,
       CX_CG_SD_COUNT };

struct cx_cg_backend {
	int version;
	/* A cgroup DIR was just made below PARENT. */
	int (*made)(const char *parent, const char *dir);
	/* Write "0" (this process) to the file that moves it cheaply. */
	int (*join_self)(const char *dir);

	/* Can knob limit LIM be set in the hierarchy mounted at MOUNT?
	 * Before anything is made; a message for the tool to put the
	 * option's name before. */
	int (*check)(const char *mount, const struct cx_cg_limit *lim);
	/* The writes for knob limit LIM, in order, into w[2]: how many,
	 * or -1 with EOPNOTSUPP when the knob has no file here.  Pure. */
	int (*plan)(const struct cx_cg_limit *lim, struct cx_cg_write w[2]);
	/* Write the knob limits LIM[0..N) to DIR; on failure *BAD is the
	 * index of the one that failed. */
	int (*apply)(const char *dir, const struct cx_cg_limit *const *lim,
		     int n, int *bad);
	/* Read knob K back from DIR in its option's words. */
	int (*get)(const char *dir, const struct cx_cg_knob *k, char *out,
		   size_t len);

	/* Kill everything in DIR and below at once (v2's cgroup.kill), or
	 * NULL; -1 with ENOENT where the kernel lacks it. */
	int (*kill)(const char *dir);
	const struct cx_cg_freezer *freezer;
	int (*oom_kills)(const char *dir, uint64_t *kills);
	/* The counters of DIR's memory limit, as far as it has them. */
	void (*oom_counts)(const char *dir, struct cx_cg_oom_counts *c);
	/* Read the stat values this backend can tell from DIR[]. */
	void (*stat)(char *const dir[CX_CG_SD_COUNT], uint64_t *v, bool *has);
};
extern const struct cx_cg_backend cx_cg_v1, cx_cg_v2;

static inline const struct cx_cg_backend *cx_cg_backend(int version)
{
	return version == 2 ? &cx_cg_v2 : &cx_cg_v1;
}

/* v2: make sure CTLS (a space-terminated list) are enabled for the
 * children of every cgroup from BASE down to NAME's parent; cx writes
 * into BASE only when BASE_OURS (this run made it), and into the
 * cgroups below it, which are cx's names. */
int cx_cg_v2_enable(const char *base, bool base_ours, const char *name,
		    const char *ctls);
/* v2: enable, for its children, every controller DIR has. */
int cx_cg_v2_enable_all(const char *dir);

/* v1: write memory and swap as memory.limit_in_bytes and
 * memory.memsw.limit_in_bytes, in the order the kernel accepts; either
 * may be NULL.  On failure *BAD is 0 (memory) or 1 (swap). */
int cx_cg_v1_memory(const char *dir, const struct cx_cg_limit *mem,
		    const struct cx_cg_limit *swap, int *bad);
/* v1 memsw: memory + swap, "-1" for max; EINVAL when the memory is
 * unlimited and the swap is not (v1 can only say memory+swap); ERANGE
 * on overflow. */
int cx_cg_v1_memsw(bool mem_max, uint64_t mem, bool swap_max, uint64_t swap,
		   char *out, size_t len);
/* A v1 memory limit of this size or more means none. */
#define CX_CG_V1_UNLIMITED (1ULL << 62)
/* cpu.weight <-> cpu.shares, io.weight -> blkio.weight, as systemd
 * converts them: the defaults (100, 1024, 500, 100) meet. */
uint64_t cx_cg_weight_to_shares(uint64_t weight);
uint64_t cx_cg_shares_to_weight(uint64_t shares);
uint64_t cx_cg_weight_to_blkio(uint64_t weight);
/* BFQ's blkio.bfq.weight (1..1000, 100 the default). */
uint64_t cx_cg_weight_to_bfq(uint64_t weight);
/* The v1 value of a weight for FILE (cpu.shares, blkio.bfq.weight,
 * blkio.weight), and back. */
uint64_t cx_cg_v1_weight(const char *file, uint64_t weight);
uint64_t cx_cg_v1_unweight(const char *file, uint64_t v);

/* --- Shared by the backends' get (cg-knob.c) ---------------------- */

/* Quota over period as a decimal: "0.2", "1.5", "2". */
void cx_cg_cpus_text(uint64_t quota, uint64_t period, char *out, size_t len);

#endif
