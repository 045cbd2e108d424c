/* Control groups on cgroup v1, v2 and hybrid hosts, with one syntax.
 *
 * The layout (which hierarchy holds which controller, where it is
 * mounted) is read once from /proc/self/mountinfo.  A cx cgroup NAME is
 * the directory BASE/NAME in every hierarchy that has a controller, and
 * in the cgroup2 one: on a hybrid host the same path exists in several
 * file systems, and a process joins all of them.  Each limit goes to the
 * hierarchy that holds its controller, and is written there in that
 * backend's words (a table: the knob, its v2 file, its v1 file, the
 * translation).
 *
 * This header is what cx-cgroup uses.  Behind it, one concern a file:
 *   cg-layout.c  the hierarchies, the base, names
 *   cg-knob.c    the knob table and the parsers (pure)
 *   cg-make.c    making and taking back, limits
 *   cg-proc.c    processes: join, fork into, list, kill, remove
 *   cgroup-stat.c    reading back: get, stat, the OOM report
 *   cgroup-device.c  device rules: v1's files, v2's BPF program
 *   cg-v1.c, cg-v2.c  each version's rules (cg-impl.h)
 *   cg-file.c    the interface files' I/O, the leaf
 * The operations print nothing: they record the failure with cx_fail()
 * and return -1; the tool decides.  Their messages name files and
 * cgroups, never the tool's options: the tool adds those. */
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
	char *opts;		/* its super options to mount it again with */
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
/* Why LIST is not a --controllers list (comma-separated controller
 * names: letters, digits and '_', none empty, at most 16), or NULL.
 * Pure. */
const char *cx_cg_check_controllers(const char *list);
/* "v1", "v2" or "hybrid". */
const char *cx_cg_mode(const struct cx_cg_layout *l);
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

/* Pure parsers, 0 or -1 with EINVAL (form) or ERANGE (range).  A
 * memory limit (not swap) that the kernel, which counts whole pages,
 * would round down to 0 is EDOM: it would leave no memory at all. */
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

/* "104857600" -> "100M"; a number that K, M, G or T does not divide
 * stays in bytes. */
void cx_cg_human(uint64_t bytes, char *out, size_t len);
/* Rounded to a tenth of the largest unit it reaches: "49.8M", "50M";
 * below 1K in bytes. */
void cx_cg_human_round(uint64_t bytes, char *out, size_t len);

/* --- Device rules -------------------------------------------------- */

/* Which device nodes a cgroup's processes may make and open, in v1's
 * words: "a" (every device: the rule then says what the later ones
 * are exceptions to, and the earlier ones are forgotten), or
 * "TYPE MAJOR:MINOR [ACCESS]", TYPE c or b, MAJOR and MINOR a number
 * or *, ACCESS some of r, w, m (rwm when left out).  The last rule that
 * matches decides: an allow matches a request whose every access it
 * names, a deny one that asks for any access it names; with none,
 * what the last "a" said, or allow (as a new cgroup inherits). */
enum {
	CX_CG_DEV_MKNOD = 1, CX_CG_DEV_READ = 2, CX_CG_DEV_WRITE = 4,
	CX_CG_DEV_RWM = 7,	/* BPF_DEVCG_ACC_*'s values */
	CX_CG_MAX_DEVICES = 256,
};

struct cx_cg_device {
	bool allow;
	char type;		/* 'a', 'c', 'b' */
	int64_t major, minor;	/* -1: any */
	unsigned access;	/* CX_CG_DEV_ bits */
};

/* Parse TEXT as above: 0, or -1 with EINVAL (form) or ERANGE (a major
 * of 4096 or more, a minor of 2^20 or more).  Pure. */
int cx_cg_parse_device(const char *text, bool allow,
		       struct cx_cg_device *out);
/* The rule in v1's words ("c 1:3 rwm", "a"). */
void cx_cg_device_text(const struct cx_cg_device *d, char *out, size_t len);
struct bpf_insn;
/* The instructions the program of N rules may take at most: 8, and 8
 * for a rule (its type, access, major and minor tested, its answer). */
#define CX_CG_DEV_INSNS(n) (8 + 8 * (n))
/* The v2 program of the N rules into P (MAX instructions, as many as
 * CX_CG_DEV_INSNS(N)): how many, or -1 with E2BIG.  Pure. */
int cx_cg_device_prog(const struct cx_cg_device *r, int n,
		      struct bpf_insn *p, int max);
/* The v1 hierarchy of the devices controller, or -1. */
int cx_cg_devices_v1(const struct cx_cg_layout *l);
/* Apply the N rules to NAME: written in order to devices.allow and
 * devices.deny in the v1 devices hierarchy, and as a BPF program
 * attached to NAME in the cgroup2 one (beside the programs above it,
 * each of which must allow too), wherever NAME is; -1 (recorded) when
 * neither holds it. */
int cx_cg_devices(const struct cx_cg_layout *l, const char *name,
		  const struct cx_cg_device *r, int n);

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

/* The full path of NAME in hierarchy I (malloc'd; out of memory it
 * dies, see die.h). */
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

/* Keep only the hierarchies a cgroup needs: those holding a controller
 * named in LIST (v1 or v2 names, "cpu,memory"), those LIM's N limits
 * go to, and the cgroup2 one (it holds every process, and its
 * cgroup.kill and cgroup.events serve every run).  The others are
 * dropped from L, so nothing is made, joined or looked at there.  -1
 * (recorded) when no hierarchy holds a controller of LIST; L is then
 * unchanged.  For a host of many v1 hierarchies, where a cgroup made
 * in each costs a mkdir, a join and an rmdir apiece. */
int cx_cg_narrow(struct cx_cg_layout *l, const char *list,
		 const struct cx_cg_limit *lim, int n);
/* The hierarchy a limit goes to: its knob's controller's, or for
 * --set that of FILE's prefix ("cgroup." files go to cgroup2); -1 when
 * none has it. */
int cx_cg_route(const struct cx_cg_layout *l, const struct cx_cg_limit *lim);
/* Check that every limit has a hierarchy and a file there, before
 * anything is made.  On failure *BAD is the limit's index, -1 when the
 * failure is no one limit's. */
int cx_cg_check_limits(const struct cx_cg_layout *l,
		       const struct cx_cg_limit *lim, int n, int *bad);
/* Write the limits to NAME (on v2 after enabling their controllers in
 * the parents cx may change); *BAD as above. */
int cx_cg_apply(const struct cx_cg_layout *l, const char *name,
		const struct cx_cg_limit *lim, int n, int *bad);

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

/* Run FN(ARG) in a child made in NAME; FN must end in an exec or
 * _exit() and never return.  On v2 the child is made there with
 * clone3(CLONE_INTO_CGROUP), so that not one instruction of it runs
 * outside, and on x86_64 (CX_HAVE_VFORK3) in vfork's form as well
 * (CLONE_VM | CLONE_VFORK): no page table copied, our memory shared
 * and we held until its exec.  On v1, and before 5.7, it is forked.
 * Either way it joins the v1 hierarchies before FN; a child that
 * cannot join exits 125 after saying why.  With OWN_MEMORY the child
 * is never made vfork's way: FN may wait for us.  Returns the child's
 * PID, or -1 (recorded). */
pid_t cx_cg_spawn_into(const struct cx_cg_layout *l, const char *name,
		       void (*fn)(void *), void *arg, bool own_memory);

/* For a process that leaves the tree while it waits and comes back to
 * the cgroups at the end (cx_ns_leave_for_waiting): the mount points
 * of L's hierarchies, NULL-ended (free the array alone), or NULL
 * recorded when one cannot be mounted again as it is: a mount that
 * shows a cgroup below the root of our cgroup namespace, such as one
 * made outside it. */
const char **cx_cg_mount_points(const struct cx_cg_layout *l);
/* Mount every hierarchy of L again at its mount point, with the super
 * options it has, in the mount namespace of our own that
 * cx_ns_leave_for_waiting made.  0, or -1 recorded. */
int cx_cg_mount_again(const struct cx_cg_layout *l);

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
/* Freeze NAME and below (and wait until every task has stopped), or
 * thaw it: cgroup2's cgroup.freeze where NAME is there and the kernel
 * has it, else v1's freezer controller. */
int cx_cg_freeze(const struct cx_cg_layout *l, const char *name, bool freeze);
/* 1 frozen, 0 not, -1 no freezer serves NAME. */
int cx_cg_frozen(const struct cx_cg_layout *l, const char *name);
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
/* MADE (or NULL): the cgroups this run made, whose counters are all 0
 * and are not read. */
int cx_cg_oom_watch(const struct cx_cg_layout *l, const char *name,
		    const struct cx_cg_made *made, struct cx_cg_oom_watch *w);
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

#endif
