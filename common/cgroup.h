/* Control groups on cgroup v1, v2 and hybrid hosts, with one syntax.
 *
 * The layout (which hierarchy holds which controller, where it is
 * mounted) is read once from /proc/self/mountinfo.  A cx cgroup NAME is
 * the directory BASE/NAME in every hierarchy that has a controller, and
 * in the cgroup2 one: on a hybrid host the same path exists in several
 * file systems, and a process joins all of them.  Each limit goes to the
 * hierarchy that holds its controller, and is written there in that
 * backend's words (a table: the knob, its v2 file, its v1 file, the
 * translation).  cgroup-v1.c and cgroup-v2.c hold what differs.
 *
 * The parsers and the knob table are pure, for the unit tests.  The
 * operations print nothing: they record the failure with cx_fail() and
 * return -1; the tool decides. */
#ifndef CX_CGROUP_H
#define CX_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
	CX_CG_MAX_HIER = 16,	/* hierarchies we keep */
	CX_CG_MAX_LIMITS = 64,	/* limits in one call */
	CX_CG_NAME_MAX = 1024,	/* the length of a NAME */
};

/* --- The layout -------------------------------------------------- */

struct cx_cg_hier {
	int version;		/* 1 or 2 */
	unsigned long dev;	/* the superblock, to see a mount twice */
	char *mount;		/* where it is mounted */
	char *root;		/* the cgroup the mount shows, "/" usually */
	/* Controllers, each followed by one space ("cpu cpuacct "): for
	 * v1 those of the mount options, for v2 those of the root's
	 * cgroup.controllers (on a hybrid host: what v1 left free). */
	char *ctls;
	char *base;		/* BASE in this hierarchy: a full path */
	bool base_made;		/* this run made BASE here */
	bool base_auto;		/* BASE is cx's own, made where missing */
};

struct cx_cg_layout {
	struct cx_cg_hier h[CX_CG_MAX_HIER];
	int n;
	int v2;			/* index of the cgroup2 hierarchy, or -1 */
	int v1;			/* how many v1 hierarchies */
};

/* Parse mountinfo TEXT (with cx_mountinfo_parse, which leaves out a
 * line that does not parse): every cgroup2 mount, and every cgroup (v1)
 * mount with at least one known controller (a named hierarchy such as
 * name=systemd holds none and is left out).  A hierarchy mounted twice
 * is kept once, by its first mount.  Returns 0, or -1 with ENOMEM or
 * E2BIG (too many hierarchies), L then empty. */
int cx_cg_parse_mountinfo(const char *text, struct cx_cg_layout *l);
/* Read /proc/self/mountinfo and, for cgroup2, its root's
 * cgroup.controllers.  -1 (recorded) when no cgroup is mounted. */
int cx_cg_detect(struct cx_cg_layout *l);
void cx_cg_layout_free(struct cx_cg_layout *l);
/* "v1", "v2" or "hybrid". */
const char *cx_cg_mode(const struct cx_cg_layout *l);
/* Is CTL in a space-terminated controller list? */
bool cx_cg_list_has(const char *list, const char *ctl);
/* The hierarchy for a controller: the cgroup2 one when it has V2NAME,
 * else the v1 one that has V1NAME; -1 when none has it. */
int cx_cg_find(const struct cx_cg_layout *l, const char *v2name,
	       const char *v1name);

/* --- Names -------------------------------------------------------- */

/* Check NAME (LEN bytes, which may hold a NUL) against BASE, the
 * base's path from the hierarchy root ("/cx"), or NULL when the base
 * differs between hierarchies.  A NAME is a relative path of
 * components without ".", ".." or empty ones, control characters or a
 * look of an interface file ("memory.max"); an absolute NAME must lie
 * below BASE and is made relative to it.  Returns 0 with *rel pointing
 * into NAME, or -1 with *why set to a reason. */
int cx_cg_check_name(const char *name, size_t len, const char *base,
		     const char **rel, const char **why);
/* The same rules for --parent, a path from the hierarchy root ("/" and
 * "" are the root).  Returns it without its leading slashes. */
int cx_cg_check_parent(const char *path, const char **rel, const char **why);

/* --- Knobs and limits --------------------------------------------- */

enum cx_cg_kind {
	CX_CG_SIZE,	/* bytes, or max */
	CX_CG_SWAP,	/* bytes on top of memory, or max */
	CX_CG_CPUS,	/* CPUs as a decimal, or max */
	CX_CG_WEIGHT,	/* 1..10000 */
	CX_CG_CPULIST,	/* "0-3,6" */
	CX_CG_COUNT,	/* a number of tasks, or max */
	CX_CG_FILE,	/* --set FILE=VALUE */
};

struct cx_cg_knob {
	const char *option;	/* "memory": the option --memory, the key */
	const char *arg;	/* "SIZE" */
	const char *help;
	enum cx_cg_kind kind;
	const char *ctl;	/* v2 controller: "memory", "io" */
	const char *v2file;	/* "memory.max" */
	const char *v1ctl;	/* v1 controller: "memory", "blkio" */
	const char *v1file;	/* "memory.limit_in_bytes"; NULL: none */
	const char *v1alt;	/* a second v1 file tried when the first is
				 * missing ("blkio.bfq.weight") */
	const char *why;	/* when v1file is NULL: why there is none */
};

extern const struct cx_cg_knob cx_cg_knobs[];
extern const size_t cx_cg_nknobs;
/* The knob whose option is NAME ("memory"), or NULL. */
const struct cx_cg_knob *cx_cg_knob(const char *name);

struct cx_cg_limit {
	const struct cx_cg_knob *knob;
	bool max;		/* "max": no limit */
	uint64_t value;		/* bytes, CPU quota in us, weight, count */
	const char *text;	/* a CPU list, or --set's VALUE */
	char file[64];		/* --set's FILE */
};

/* The CFS period cx uses for --cpus, as docker and systemd do. */
#define CX_CG_CPU_PERIOD 100000

/* Pure parsers, 0 or -1 with EINVAL (form) or ERANGE (range). */
int cx_cg_parse_limit(const struct cx_cg_knob *k, const char *arg,
		      struct cx_cg_limit *out);
/* "0.2" -> 20000 (us of quota per 100000 us); 0.01 .. 1000000 CPUs, at
 * most 5 decimals. */
int cx_cg_parse_cpus(const char *s, uint64_t *quota);
/* "0", "0-3,6": ranges ascending within themselves, CPUs below 65536. */
int cx_cg_parse_cpulist(const char *s);
/* "FILE=VALUE": FILE is "controller.name", no slash. */
int cx_cg_parse_set(const char *arg, struct cx_cg_limit *out);
/* Why --set may not write FILE (its first LEN bytes), or NULL.  --set
 * writes the limits of NAME itself: it refuses a name with a '/' or
 * "..", the files that move, kill or freeze processes (cgroup.procs,
 * tasks, cgroup.kill...), those that change another cgroup (a parent's
 * or the children's: cgroup.subtree_control, cgroup.type, exclusive
 * cpusets) and those that make the kernel run a program on the host
 * (release_agent, notify_on_release).  Pure. */
const char *cx_cg_set_refusal(const char *file, size_t len);

/* A file and what to write to it. */
struct cx_cg_write {
	const char *file;
	char value[64];
};
/* The writes for limit L on a VERSION backend, in order, into w[2]:
 * returns how many (0 for SWAP on v1: see cx_cg_v1_memsw), or -1 with
 * EOPNOTSUPP when the knob has no file there.  --set is not planned
 * here: its value goes out as it is. */
int cx_cg_plan(const struct cx_cg_limit *l, int version,
	       struct cx_cg_write w[2]);
/* v1 memsw: memory + swap, "-1" for max; EINVAL when the memory is
 * unlimited and the swap is not (v1 can only say memory+swap); ERANGE
 * on overflow. */
int cx_cg_v1_memsw(bool mem_max, uint64_t mem, bool swap_max, uint64_t swap,
		   char *out, size_t len);
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
/* "104857600" -> "100M"; a number that K, M, G or T does not divide
 * stays in bytes. */
void cx_cg_human(uint64_t bytes, char *out, size_t len);
/* Rounded to a tenth of the largest unit it reaches: "49.8M", "50M";
 * below 1K in bytes. */
void cx_cg_human_round(uint64_t bytes, char *out, size_t len);
/* A v1 memory limit of this size or more means none. */
#define CX_CG_V1_UNLIMITED (1ULL << 62)

/* --- Operations ---------------------------------------------------- */

/* What one call made, to take back if a later step fails. */
struct cx_cg_made {
	char *dir[CX_CG_MAX_HIER * 16];
	int n;
};

/* Where the cgroups go: BASE under each hierarchy's root ("cx"), or the
 * --parent PATH, or with PARENT_SELF the caller's own cgroup in each
 * hierarchy.  With M, the default BASE is made where missing (recorded
 * in base_made and in M); a --parent must exist. */
#define CX_CG_PARENT_SELF "."
int cx_cg_set_base(struct cx_cg_layout *l, const char *parent,
		   struct cx_cg_made *m);
/* The base's path from the hierarchy root when it is the same in all
 * hierarchies ("/cx"), else NULL: for cx_cg_check_name. */
const char *cx_cg_base_rel(const struct cx_cg_layout *l);

/* Remove what was made, deepest first; errors are ignored, and what is
 * not empty stays (a parent that a run beside this one uses too). */
void cx_cg_undo(struct cx_cg_made *m);
void cx_cg_made_free(struct cx_cg_made *m);

/* The full path of NAME in hierarchy I (malloc'd). */
char *cx_cg_path(const struct cx_cg_layout *l, int i, const char *name);
/* Does NAME exist in hierarchy I? */
bool cx_cg_exists(const struct cx_cg_layout *l, int i, const char *name);
/* In how many hierarchies does NAME exist? */
int cx_cg_count(const struct cx_cg_layout *l, const char *name);

/* Make NAME, and the components above it, in every hierarchy where it
 * is missing, recording in M what was made.  With EXCL, a NAME that
 * exists anywhere is EEXIST.  On v2 a cgroup made as a parent gets
 * every controller it has enabled for its children; on v1 a new cpuset
 * cgroup gets its parent's CPUs and memory nodes.  Safe beside other
 * runs making or taking back the same parents. */
int cx_cg_create(struct cx_cg_layout *l, const char *name, bool excl,
		 struct cx_cg_made *m);

/* The hierarchy a limit goes to: its knob's controller's, or for
 * --set that of FILE's prefix ("cgroup." files go to cgroup2); -1 when
 * none has it. */
int cx_cg_route(const struct cx_cg_layout *l, const struct cx_cg_limit *lim);
/* Check that every limit has a hierarchy and a file there, before
 * anything is made: the message names the option and says why. */
int cx_cg_check_limits(const struct cx_cg_layout *l,
		       const struct cx_cg_limit *lim, int n);
/* Write the limits to NAME (on v2 after enabling their controllers in
 * the parents cx may change). */
int cx_cg_apply(const struct cx_cg_layout *l, const char *name,
		const struct cx_cg_limit *lim, int n);

/* Move the calling process (single-threaded) into NAME everywhere:
 * the cheapest write that is correct on each backend. */
int cx_cg_join_self(const struct cx_cg_layout *l, const char *name,
		    bool v1_only);
/* Move process PID into NAME everywhere. */
int cx_cg_attach(const struct cx_cg_layout *l, const char *name, pid_t pid);
/* Move the caller back to the cgroups listed in /proc/self/cgroup when
 * it started (saved by cx_cg_save_self). */
int cx_cg_save_self(const struct cx_cg_layout *l, char **saved);
void cx_cg_restore_self(const struct cx_cg_layout *l, char **saved);

/* Fork into NAME: on v2 clone3(CLONE_INTO_CGROUP) so that the child
 * starts there, on v1 (and where clone3 is missing) fork, and the child
 * joins before it returns.  Returns the pid in the parent, 0 in the
 * child, -1 (recorded) on failure.  A child that cannot join exits 125
 * after saying why. */
pid_t cx_cg_fork_into(const struct cx_cg_layout *l, const char *name);

/* The processes in NAME and below it, over every hierarchy, counted
 * once; *self tells whether the caller is one of them. */
int cx_cg_procs(const struct cx_cg_layout *l, const char *name, int *count,
		bool *self);
/* The same, after a moment (up to 2 s) for the processes that are on
 * their way out (killed, exiting) to be gone: the payload of a run
 * whose supervisor was killed dies of its parent-death signal while
 * the caller looks. */
int cx_cg_procs_left(const struct cx_cg_layout *l, const char *name,
		     int *count, bool *self);
/* The cgroups below NAME (not NAME itself), over every hierarchy. */
int cx_cg_children(const struct cx_cg_layout *l, const char *name,
		   int *count);
/* Kill everything in NAME and below, and wait until it is empty. */
int cx_cg_kill(const struct cx_cg_layout *l, const char *name);
/* Remove NAME (and, with RECURSIVE, the cgroups below it) everywhere. */
int cx_cg_remove(const struct cx_cg_layout *l, const char *name,
		 bool recursive);

/* The relative paths of the cgroups below NAME (NULL: the base),
 * over every hierarchy, sorted, each once.  Free with cx_cg_list_free. */
int cx_cg_list(const struct cx_cg_layout *l, const char *name, char ***out,
	       int *n);
void cx_cg_list_free(char **list, int n);

/* The OOM kills counted in NAME (memory.events or memory.oom_control);
 * -1 when there is no memory controller. */
int cx_cg_oom_kills(const struct cx_cg_layout *l, const char *name,
		    uint64_t *kills);

/* What a cgroup of the memory hierarchy tells about its limit. */
struct cx_cg_oom_counts {
	uint64_t hits;		/* v2: OOM events (memory.events.local, else
				 * memory.events); v1: memory.failcnt */
	uint64_t sw_hits;	/* v1: memory.memsw.failcnt */
	uint64_t limit;		/* UINT64_MAX: none */
	uint64_t sw_limit;	/* v1: memory + swap; UINT64_MAX: none */
	uint64_t peak;		/* with has_peak */
	uint64_t sw_peak;	/* v1: memory + swap */
	bool has_peak;
	/* v1: the peak came within a charge of the limit, or of memory +
	 * swap's (sw_full).  The failcnt files do not always count: 6.18
	 * counts no failure of memsw. */
	bool full, sw_full;
};

/* Which memory limit made the OOM killer strike in NAME: the limit of
 * NAME, or of a cgroup above it (a 50M parent over a 100M NAME).  The
 * watch notes NAME's kills and the counters of NAME and of every
 * cgroup above it before the run; the check reads them again and
 * takes the deepest cgroup whose limit was hit since. */
struct cx_cg_oom_watch {
	int h;			/* the memory hierarchy, -1: none */
	uint64_t kills;
	int n;
	char **dir;		/* NAME first, then up to below the root */
	struct cx_cg_oom_counts *before;
};
struct cx_cg_oom {
	uint64_t kills;		/* since the watch began */
	char *where;		/* the cgroup whose limit was hit, its path
				 * from the hierarchy's root; NULL: none was
				 * (the host ran out, or a cgroup below) */
	bool self;		/* it is NAME */
	bool swap;		/* v1: the memory + swap limit */
	uint64_t limit, peak;
	bool has_peak;
};
int cx_cg_oom_watch(const struct cx_cg_layout *l, const char *name,
		    struct cx_cg_oom_watch *w);
int cx_cg_oom_check(const struct cx_cg_layout *l, const char *name,
		    const struct cx_cg_oom_watch *w, struct cx_cg_oom *o);
void cx_cg_oom_watch_free(struct cx_cg_oom_watch *w);
void cx_cg_oom_free(struct cx_cg_oom *o);

/* Read a knob back, in its option's words: "104857600", "max", "0.2";
 * -1 with ENOENT when the host has no file for it. */
int cx_cg_get(const struct cx_cg_layout *l, const char *name,
	      const struct cx_cg_knob *k, char *out, size_t len);
/* Read an interface file ("memory.max") from the hierarchy of its
 * controller. */
int cx_cg_get_file(const struct cx_cg_layout *l, const char *name,
		   const char *file, char *out, size_t len);

/* The statistics of stat, in this order; has[i] false when the host
 * cannot tell. */
enum {
	CX_CG_ST_MEM_CURRENT, CX_CG_ST_MEM_PEAK, CX_CG_ST_OOM,
	CX_CG_ST_OOM_KILL, CX_CG_ST_PIDS_CURRENT, CX_CG_ST_PIDS_MAX,
	CX_CG_ST_CPU_USAGE, CX_CG_ST_CPU_PERIODS, CX_CG_ST_CPU_THROTTLED,
	CX_CG_ST_CPU_THROTTLED_USEC, CX_CG_ST_COUNT
};
extern const char *const cx_cg_stat_names[CX_CG_ST_COUNT];
int cx_cg_stat(const struct cx_cg_layout *l, const char *name,
	       uint64_t v[CX_CG_ST_COUNT], bool has[CX_CG_ST_COUNT]);

/* --- Helpers shared by the backends -------------------------------- */

/* Write TEXT to DIR/FILE in one write(2). */
int cx_cg_write(const char *dir, const char *file, const char *text);
/* Read DIR/FILE (at most len - 1 bytes), without its last newline. */
int cx_cg_read(const char *dir, const char *file, char *out, size_t len);
/* The number after KEY in a "key value" per line file. */
int cx_cg_read_key(const char *dir, const char *file, const char *key,
		   uint64_t *v);
/* The number in DIR/FILE. */
int cx_cg_read_u64(const char *dir, const char *file, uint64_t *v);

/* What differs between the backends. */
struct cx_cg_backend {
	/* A cgroup DIR was just made below PARENT. */
	int (*made)(const char *parent, const char *dir);
	/* Write "0" (this process) to the file that moves it cheaply. */
	int (*join_self)(const char *dir);
	/* Kill everything in DIR and below, wait until it is empty. */
	int (*kill)(const struct cx_cg_layout *l, const char *name);
	int (*oom_kills)(const char *dir, uint64_t *kills);
	/* The counters of DIR's memory limit, as far as it has them. */
	void (*oom_counts)(const char *dir, struct cx_cg_oom_counts *c);
	/* Read the stat values this backend can tell. */
	void (*stat)(const struct cx_cg_layout *l, const char *name,
		     uint64_t *v, bool *has);
};
extern const struct cx_cg_backend cx_cg_v1, cx_cg_v2;

/* v2: make sure CTLS (a space-terminated list) are enabled for the
 * children of every cgroup between the base and NAME; cx writes only
 * into cgroups below the base, or the base if this run made it. */
int cx_cg_v2_enable(const struct cx_cg_layout *l, const char *name,
		    const char *ctls);
/* v2: enable, for its children, every controller DIR has. */
int cx_cg_v2_enable_all(const char *dir);
/* v1: write memory and swap as memory.limit_in_bytes and
 * memory.memsw.limit_in_bytes, in the order the kernel accepts. */
int cx_cg_v1_memory(const char *dir, const struct cx_cg_limit *mem,
		    const struct cx_cg_limit *swap);
/* Is any swap on? (for --memory-swap 0 where swap is not accounted) */
bool cx_cg_swap_on(void);
/* The processes in NAME and below it, over every hierarchy, each once
 * (malloc'd). */
int cx_cg_pids(const struct cx_cg_layout *l, const char *name, pid_t **v,
	       int *n);
/* Kill what is in NAME and below until nothing is left: each round
 * freezes FREEZE_DIR (when not NULL) so that nothing forks while the
 * signals go out, kills, and thaws.  The freezer is told by the
 * backend: what to write to FILE to freeze and thaw, and how to see
 * that it is frozen. */
struct cx_cg_freezer {
	const char *file, *freeze, *thaw;
	bool (*frozen)(const char *dir);
};
int cx_cg_kill_loop(const struct cx_cg_layout *l, const char *name,
		    const char *freeze_dir, const struct cx_cg_freezer *fz);

#endif
