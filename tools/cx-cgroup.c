/* cx-cgroup: create, limit, join, watch and remove control groups, with
 * one syntax on cgroup v1, v2 and hybrid hosts. */
#include "cg.h"
#include "die.h"
#include "exec.h"
#include "json-out.h"
#include "mount.h"
#include "ns.h"
#include "opt.h"
#include "parse.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
	/* 1 .. cx_cg_nknobs: the limits, table index + 1. */
	OPT_SET = 100, OPT_PARENT, OPT_RM, OPT_KILL, OPT_RECURSIVE, OPT_JSON,
	OPT_CONTROLLERS, OPT_DEVICE_ALLOW, OPT_DEVICE_DENY,
};

/* Which verbs take which options. */
enum { TAKES_LIMITS = 1, TAKES_RM = 2, TAKES_KILL = 4, TAKES_RECURSIVE = 8,
       TAKES_JSON = 16, TAKES_CONTROLLERS = 32, TAKES_DEVICES = 64 };

struct ctx {
	const char *parent;
	const char *controllers;	/* --controllers LIST, or NULL */
	bool rm, kill, recursive, json;
	unsigned given;		/* the TAKES_ bits of the options seen */
	struct cx_cg_limit lim[CX_CG_MAX_LIMITS];
	int nlim;
	const char *limit_arg[CX_CG_MAX_LIMITS];	/* as typed */
	struct cx_cg_device dev[CX_CG_MAX_DEVICES];	/* in order */
	int ndev;
	struct cx_cg_layout l;
	const char *name;	/* NAME below the base */
	const char *typed;	/* NAME as typed, for messages */
};

static const struct poptOption fixed_options[] = {
	{ "set", 0, POPT_ARG_STRING, NULL, OPT_SET,
	  "write VALUE to the interface file FILE", "FILE=VALUE" },
	{ "parent", 0, POPT_ARG_STRING, NULL, OPT_PARENT,
	  "the cgroups go below PATH (. is our own), not below cx", "PATH" },
	{ "rm", 0, POPT_ARG_NONE, NULL, OPT_RM,
	  "run: fork the command, wait, remove the cgroup", NULL },
	{ "kill", 0, POPT_ARG_NONE, NULL, OPT_KILL,
	  "rm: kill the processes inside first", NULL },
	{ "recursive", 'r', POPT_ARG_NONE, NULL, OPT_RECURSIVE,
	  "rm: remove the cgroups below NAME as well", NULL },
	{ "json", 0, POPT_ARG_NONE, NULL, OPT_JSON,
	  "stat: print JSON", NULL },
	{ "controllers", 0, POPT_ARG_STRING, NULL, OPT_CONTROLLERS,
	  "create, run: NAME only in the hierarchies of these controllers and of the limits (and cgroup2), not in every one",
	  "LIST" },
	{ "device-allow", 0, POPT_ARG_STRING, NULL, OPT_DEVICE_ALLOW,
	  "create, run: let the processes make and open the devices of RULE (c 1:3 rwm, b 8:* r, a); the last rule that matches decides",
	  "RULE" },
	{ "device-deny", 0, POPT_ARG_STRING, NULL, OPT_DEVICE_DENY,
	  "create, run: refuse them the devices of RULE (a: every device, then --device-allow the few)",
	  "RULE" },
};

static struct cx_tool tool = {
	"cx-cgroup", "[options] VERB [NAME] [ARG]...",
	"Create, limit, join and remove control groups on cgroup v1 and v2.\n"
	"\n"
	"Verbs:\n"
	"  create NAME [limits]      make NAME and set its limits\n"
	"  set NAME limits           change the limits of NAME\n"
	"  get NAME [KEY]...         print limits (memory, cpus...) or files\n"
	"  rm NAME                   remove NAME (--kill, --recursive)\n"
	"  ls [NAME]                 the cgroups below the base, as a tree\n"
	"  attach NAME PID...        move processes into NAME\n"
	"  stat NAME                 memory, OOM kills, pids, CPU (--json)\n"
	"  run [limits] NAME COMMAND [ARG]...\n"
	"                            run COMMAND in NAME (--rm)\n"
	"\n"
	"Sizes take K, M, G or T; max means no limit.",
	NULL, NULL,
};

/* The option table: one option per knob, then the fixed ones, sized
 * from the knob table. */
static const struct poptOption *build_options(void)
{
	size_t nfixed = sizeof(fixed_options) / sizeof(*fixed_options), n = 0;
	struct poptOption *options = calloc(cx_cg_nknobs + nfixed + 1,
					    sizeof(*options));

	if (!options)
		cx_die_errno("calloc");
	for (size_t i = 0; i < cx_cg_nknobs; i++)
		options[n++] = (struct poptOption){
			cx_cg_knobs[i].option, 0, POPT_ARG_STRING, NULL,
			(int)i + 1, cx_cg_knobs[i].help, cx_cg_knobs[i].arg,
		};
	for (size_t i = 0; i < nfixed; i++)
		options[n++] = fixed_options[i];
	options[n] = (struct poptOption)POPT_TABLEEND;
	return options;
}

static int add_limit(struct ctx *c, const struct cx_cg_limit *lim,
		     const char *arg)
{
	/* The last of the same knob (or --set file) wins. */
	for (int i = 0; i < c->nlim; i++)
		if (c->lim[i].knob == lim->knob &&
		    (lim->knob || strcmp(c->lim[i].file, lim->file) == 0)) {
			c->lim[i] = *lim;
			c->limit_arg[i] = arg;
			return 0;
		}
	if (c->nlim == CX_CG_MAX_LIMITS)
		return cx_fail(0, "too many limits");
	c->limit_arg[c->nlim] = arg;
	c->lim[c->nlim++] = *lim;
	return 0;
}

static const char *range_of(const struct cx_cg_knob *k)
{
	switch (k->kind) {
	case CX_CG_SIZE:
	case CX_CG_SWAP:
		return "a size such as 512K, 100M, 2G, or max";
	case CX_CG_CPUS:
		return "0.01 to 1000000 CPUs, at most 5 decimals, or max";
	case CX_CG_WEIGHT:
		return "1 to 10000";
	case CX_CG_CPULIST:
		return "CPU numbers and ranges such as 0-3,6";
	case CX_CG_COUNT:
		return "0 to 4194304, or max";
	default:
		return "";
	}
}

static int on_option(void *p, int val, const char *arg)
{
	struct ctx *c = p;
	struct cx_cg_limit lim;
	const char *why;

	if (val >= 1 && val <= (int)cx_cg_nknobs) {
		const struct cx_cg_knob *k = &cx_cg_knobs[val - 1];

		/* A bad value is one line, as util-linux says it. */
		if (cx_cg_parse_limit(k, arg, &lim) < 0) {
			char opt[64];

			snprintf(opt, sizeof(opt), "--%s", k->option);
			if (errno == EDOM)
				cx_opt_invalid(opt, arg,
					       "the kernel counts memory in whole pages of %ld bytes and would round this down to 0, no memory at all (give at least %ldK, or max)",
					       sysconf(_SC_PAGESIZE),
					       sysconf(_SC_PAGESIZE) / 1024);
			else
				cx_opt_invalid(opt, arg, "%s%s",
				       errno == ERANGE ? "out of range: " : "",
				       range_of(k));
			cx_die_last();
		}
		c->given |= TAKES_LIMITS;
		return add_limit(c, &lim, arg);
	}
	switch (val) {
	case OPT_SET:
		/* Moving goes through attach alone; nothing is written. */
		if ((why = cx_cg_set_refusal(arg, strcspn(arg, "="))))
			cx_die("--set %.*s: refused: %s",
			       (int)strcspn(arg, "="), arg, why);
		if (cx_cg_parse_set(arg, &lim) < 0) {
			cx_opt_invalid("--set", arg,
				       "FILE=VALUE, FILE an interface file such as memory.oom.group");
			cx_die_last();
		}
		c->given |= TAKES_LIMITS;
		return add_limit(c, &lim, arg);
	case OPT_PARENT:
		c->parent = arg;
		return 0;
	case OPT_RM:
		c->rm = true;
		c->given |= TAKES_RM;
		return 0;
	case OPT_KILL:
		c->kill = true;
		c->given |= TAKES_KILL;
		return 0;
	case OPT_RECURSIVE:
		c->recursive = true;
		c->given |= TAKES_RECURSIVE;
		return 0;
	case OPT_JSON:
		c->json = true;
		c->given |= TAKES_JSON;
		return 0;
	case OPT_DEVICE_ALLOW:
	case OPT_DEVICE_DENY:
		if (c->ndev == CX_CG_MAX_DEVICES)
			cx_die("too many device rules (at most %d)", CX_CG_MAX_DEVICES);
		if (cx_cg_parse_device(arg, val == OPT_DEVICE_ALLOW, &c->dev[c->ndev]) < 0) {
			cx_opt_invalid(val == OPT_DEVICE_ALLOW ? "--device-allow" : "--device-deny",
				       arg, "%s",
				       errno == ERANGE ? "out of range: a major below 4096, a minor below 1048576" :
				       "a, or TYPE MAJOR:MINOR [ACCESS]: TYPE c or b, MAJOR and MINOR a number or *, ACCESS some of r, w and m");
			cx_die_last();
		}
		c->ndev++;
		c->given |= TAKES_DEVICES;
		return 0;
	case OPT_CONTROLLERS:
		if ((why = cx_cg_check_controllers(arg))) {
			cx_opt_invalid("--controllers", arg, "%s", why);
			cx_die_last();
		}
		c->controllers = arg;
		c->given |= TAKES_CONTROLLERS;
		return 0;
	}
	return cx_fail(0, "unhandled option");
}

static int count_args(char **v)
{
	int n = 0;

	while (v[n])
		n++;
	return n;
}

/* --- Steps shared by the verbs ----------------------------------------- */

static void find_layout(struct ctx *c, struct cx_cg_made *m)
{
	const char *rel = NULL, *why;

	if (c->parent && strcmp(c->parent, CX_CG_PARENT_SELF) != 0) {
		if (cx_cg_check_parent(c->parent, &rel, &why) < 0) {
			cx_opt_invalid("--parent", c->parent, "it %s", why);
			cx_die_last();
		}
	} else {
		rel = c->parent;
	}
	if (cx_cg_detect(&c->l) < 0)
		cx_die_last();
	/* Before the base is made: it goes only where NAME goes, and
	 * device rules go to the devices controller too. */
	if (c->controllers) {
		char *list;

		if (asprintf(&list, "%s%s", c->controllers,
			     c->ndev && cx_cg_devices_v1(&c->l) >= 0 ?
			     ",devices" : "") < 0)
			cx_die_errno("asprintf");
		if (cx_cg_narrow(&c->l, list, c->lim, c->nlim) < 0) {
			cx_fail_context("--controllers %s", c->controllers);
			cx_die_last();
		}
		free(list);
	}
	if (cx_cg_set_base(&c->l, rel, m) < 0) {
		if (m)
			cx_cg_undo(m);
		cx_die_last();
	}
}

/* NAME, checked against the base, made relative to it.  A refusal
 * takes back the base find_layout made (M, or NULL where it makes
 * none). */
static void take_name(struct ctx *c, const char *typed, struct cx_cg_made *m)
{
	const char *base = cx_cg_base_rel(&c->l), *why;

	if (cx_cg_check_name(typed, strlen(typed), base, &c->name, &why) < 0) {
		if (m)
			cx_cg_undo(m);
		if (strstr(why, "outside the base"))
			cx_die("invalid NAME '%s': it %s %s", typed, why, base);
		cx_die("invalid NAME '%s': it %s", typed, why);
	}
	c->typed = typed;
}

static void need_existing(struct ctx *c)
{
	if (cx_cg_count(&c->l, c->name) == 0) {
		const char *base = cx_cg_base_rel(&c->l);

		cx_die("%s: no such cgroup below %s", c->typed,
		       base ? base : "the base");
	}
}

/* Each limit's hierarchy must hold NAME (set on an existing cgroup). */
static void need_limit_dirs(struct ctx *c)
{
	for (int j = 0; j < c->nlim; j++) {
		int i = cx_cg_route(&c->l, &c->lim[j]);

		if (i >= 0 && !cx_cg_exists(&c->l, i, c->name)) {
			char *p = cx_cg_path(&c->l, i, c->name);

			cx_die("%s: no cgroup %s for --%s", c->typed, p,
			       c->lim[j].knob ? c->lim[j].knob->option : "set");
		}
	}
}

/* The library names files and cgroups; the option of the limit that
 * failed (BAD, -1 for none) goes before its message. */
static noreturn void die_limit(struct ctx *c, int bad)
{
	const struct cx_cg_limit *lim = bad >= 0 ? &c->lim[bad] : NULL;

	if (lim && lim->knob)
		cx_fail_context("--%s", lim->knob->option);
	else if (lim)
		cx_fail_context("--set %s", lim->file);
	cx_die_last();
}

static bool made_name(struct ctx *c, const struct cx_cg_made *m);

/* Make NAME (where missing) and set the limits; on failure take back
 * whatever this call made, the base included. */
static void make_and_limit(struct ctx *c, struct cx_cg_made *m, bool excl)
{
	int bad = -1;

	if (cx_cg_check_limits(&c->l, c->lim, c->nlim, &bad) < 0) {
		cx_cg_undo(m);
		die_limit(c, bad);
	}
	if (cx_cg_create(&c->l, c->name, excl, m) < 0) {
		cx_cg_undo(m);
		die_limit(c, bad);
	}
	/* Device rules go to a cgroup as it is made (before any limit is
	 * written): v2 cannot read back the program of one made before. */
	if (c->ndev && !made_name(c, m)) {
		cx_cg_undo(m);
		cx_die("%s: the cgroup exists: device rules (--device-allow, --device-deny) go only to a cgroup this run makes",
		       c->typed);
	}
	if (cx_cg_apply(&c->l, c->name, c->lim, c->nlim, &bad) < 0) {
		cx_cg_undo(m);
		die_limit(c, bad);
	}
	if (cx_cg_devices(&c->l, c->name, c->dev, c->ndev) < 0) {
		cx_cg_undo(m);
		cx_fail_context("--device-allow, --device-deny");
		cx_die_last();
	}
}

/* --- The verbs ------------------------------------------------------- */

static int do_create(struct ctx *c, char **ops)
{
	struct cx_cg_made m = { 0 };

	find_layout(c, &m);
	take_name(c, ops[0], &m);
	make_and_limit(c, &m, true);
	cx_cg_made_free(&m);
	return 0;
}

static int do_set(struct ctx *c, char **ops)
{
	int bad = -1;

	if (!c->nlim)
		cx_usage_error("set: no limit given (such as --memory 100M)");
	find_layout(c, NULL);
	take_name(c, ops[0], NULL);
	need_existing(c);
	if (cx_cg_check_limits(&c->l, c->lim, c->nlim, &bad) < 0)
		die_limit(c, bad);
	need_limit_dirs(c);
	if (cx_cg_apply(&c->l, c->name, c->lim, c->nlim, &bad) < 0)
		die_limit(c, bad);
	return 0;
}

/* One value of get: "KEY VALUE" (KEY only when all are shown), or
 * with --json a member of the object, a number when it is one. */
static void put_value(const struct ctx *c, const char *key, const char *value,
		      bool with_key, int *n)
{
	const char *digits = value + (value[0] == '-');
	size_t len = strspn(digits, "0123456789");

	if (!c->json) {
		printf(with_key ? "%s %s\n" : "%.0s%s\n", key, value);
		return;
	}
	printf("%s\n  ", (*n)++ ? "," : "{");
	cx_json_string(stdout, key);
	printf(": ");
	/* JSON's numbers have no leading zeros ("007" stays a string). */
	if (len && !(digits[0] == '0' && len > 1) && (!digits[len] ||
		    (digits[len] == '.' && digits[len + 1] &&
		     !digits[len + 1 + strspn(digits + len + 1, "0123456789")])))
		printf("%s", value);
	else
		cx_json_string(stdout, value);
}

static int do_get(struct ctx *c, char **ops)
{
	char value[4096];
	int n = 0;

	find_layout(c, NULL);
	take_name(c, ops[0], NULL);
	need_existing(c);
	if (!ops[1]) {
		/* Every knob this host has a file for. */
		for (size_t i = 0; i < cx_cg_nknobs; i++) {
			const struct cx_cg_knob *k = &cx_cg_knobs[i];

			if (cx_cg_get(&c->l, c->name, k, value, sizeof(value)) == 0)
				put_value(c, k->option, value, true, &n);
			else if (cx_last_errno() != ENOENT)
				cx_die("%s: %s", k->option, cx_last_msg());
		}
		if (c->json)
			printf(n ? "\n}\n" : "{}\n");
		return 0;
	}
	for (char **key = ops + 1; *key; key++) {
		const struct cx_cg_knob *k = cx_cg_knob(*key);
		struct cx_cg_limit file;
		char probe[80];
		int rc;

		snprintf(probe, sizeof(probe), "%s=x", *key);
		if (k)
			rc = cx_cg_get(&c->l, c->name, k, value, sizeof(value));
		else if (strlen(*key) < 64 && cx_cg_parse_set(probe, &file) == 0)
			rc = cx_cg_get_file(&c->l, c->name, *key, value,
					    sizeof(value));
		else
			cx_usage_error("get: unknown key '%s' (a limit such as memory or cpus, or an interface file such as memory.max)",
				       *key);
		if (rc < 0 && k)
			cx_fail_context("%s", k->option);
		if (rc < 0)
			cx_die_last();
		put_value(c, *key, value, false, &n);
	}
	if (c->json)
		printf("\n}\n");
	return 0;
}

static int do_rm(struct ctx *c, char **ops)
{
	int procs, children;
	bool self;

	find_layout(c, NULL);
	take_name(c, ops[0], NULL);
	need_existing(c);
	if (cx_cg_children(&c->l, c->name, &children) < 0)
		cx_die_last();
	if (children && !c->recursive)
		cx_die("rm %s: %d cgroup%s below it: remove %s first, or use --recursive",
		       c->typed, children, children == 1 ? " is" : "s are",
		       children == 1 ? "it" : "them");
	if (cx_cg_procs_left(&c->l, c->name, &procs, &self) < 0)
		cx_die_last();
	if (self)
		cx_die("rm %s: cx-cgroup itself is inside it", c->typed);
	if (procs && !c->kill)
		cx_die("rm %s: %d process%s still inside: use --kill to kill %s first",
		       c->typed, procs, procs == 1 ? " is" : "es are",
		       procs == 1 ? "it" : "them");
	if (procs && cx_cg_kill(&c->l, c->name) < 0)
		cx_die_last();
	if (cx_cg_remove(&c->l, c->name, c->recursive) < 0)
		cx_die_last();
	return 0;
}

/* --json: the names, each whole below the base, in one array. */
static void ls_json(const struct ctx *c, char **list, int n)
{
	const char *sep = "", *name = c->name ? c->name : "";

	printf("[");
	if (*name) {
		cx_json_string(stdout, name);
		sep = ", ";
	}
	for (int i = 0; i < n; i++) {
		char whole[PATH_MAX];

		snprintf(whole, sizeof(whole), "%s%s%s", name, *name ? "/" : "",
			 list[i]);
		printf("%s", sep);
		cx_json_string(stdout, whole);
		sep = ", ";
	}
	printf("]\n");
}

static int do_ls(struct ctx *c, char **ops)
{
	char **list;
	int n, top = 0;

	find_layout(c, NULL);
	if (ops[0]) {
		take_name(c, ops[0], NULL);
		need_existing(c);
		if (!c->json)
			printf("%s\n", c->name);
		top = 1;
	} else if (cx_cg_count(&c->l, "") == 0) {
		if (c->json)
			printf("[]\n");
		return 0;	/* no base yet: nothing below it */
	}
	if (cx_cg_list(&c->l, c->name, &list, &n) < 0)
		cx_die_last();
	if (c->json) {
		ls_json(c, list, n);
		cx_cg_list_free(list, n);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const char *base = strrchr(list[i], '/');
		int depth = top;

		for (const char *p = list[i]; *p; p++)
			depth += *p == '/';
		printf("%*s%s\n", 2 * depth, "", base ? base + 1 : list[i]);
	}
	cx_cg_list_free(list, n);
	return 0;
}

static int do_attach(struct ctx *c, char **ops)
{
	pid_t pids[256];
	int n = 0;

	if (!ops[1])
		cx_usage_error("attach: no PID given");
	for (char **p = ops + 1; *p; p++) {
		uint32_t v;

		if (cx_parse_u32(*p, &v) < 0 || v == 0 || v > INT32_MAX)
			cx_die("attach %s: invalid PID '%s'", ops[0], *p);
		if (n == (int)(sizeof(pids) / sizeof(*pids)))
			cx_usage_error("attach: too many PIDs");
		/* Every process must be there before any moves. */
		if (kill((pid_t)v, 0) < 0 && errno == ESRCH)
			cx_die("attach %s: no process %s", ops[0], *p);
		pids[n++] = (pid_t)v;
	}
	find_layout(c, NULL);
	take_name(c, ops[0], NULL);
	need_existing(c);
	for (int i = 0; i < n; i++)
		if (cx_cg_attach(&c->l, c->name, pids[i]) < 0)
			cx_die_last();
	return 0;
}

static int do_stat(struct ctx *c, char **ops)
{
	uint64_t v[CX_CG_ST_COUNT];
	bool has[CX_CG_ST_COUNT];

	find_layout(c, NULL);
	take_name(c, ops[0], NULL);
	need_existing(c);
	cx_cg_stat(&c->l, c->name, v, has);
	if (!c->json) {
		for (int i = 0; i < CX_CG_ST_COUNT; i++)
			if (has[i])
				printf("%s %" PRIu64 "\n", cx_cg_stat_names[i], v[i]);
		return 0;
	}
	printf("{\"name\": ");
	cx_json_string(stdout, c->name);
	printf(", \"backend\": \"%s\"", cx_cg_mode(&c->l));
	for (int i = 0; i < CX_CG_ST_COUNT; i++) {
		printf(", \"%s\": ", cx_cg_stat_names[i]);
		if (has[i])
			printf("%" PRIu64, v[i]);
		else
			printf("null");
	}
	printf("}\n");
	return 0;
}

/* --- run ---------------------------------------------------------------- */

/* What run takes back when it exits before the command runs, exec
 * failures included (cx_exec exits through here). */
static struct {
	struct ctx *c;
	struct cx_cg_made *m;
	char *saved[CX_CG_MAX_HIER];
	bool joined;
	pid_t owner;	/* a forked child must not undo */
} undo;

static void undo_at_exit(void)
{
	if (!undo.c || getpid() != undo.owner)
		return;
	if (undo.joined)
		cx_cg_restore_self(&undo.c->l, undo.saved);
	cx_cg_undo(undo.m);
}

/* One line when the OOM killer struck during the run, naming the limit
 * that was hit: NAME's, or that of a cgroup above it (its path and
 * peak then, since NAME's own limit may be larger). */
static void report_oom(struct ctx *c, const struct cx_cg_oom_watch *w,
		       int status)
{
	struct cx_cg_oom o;
	char limit[PATH_MAX + 128] = "", size[32], peak[48] = "";

	if (cx_cg_oom_check(&c->l, c->name, w, &o) < 0 || !o.kills)
		return;
	if (o.where) {
		cx_cg_human(o.limit, size, sizeof(size));
		if (o.has_peak) {
			strcpy(peak, " (peak ");
			cx_cg_human_round(o.peak, peak + strlen(peak),
					  sizeof(peak) - strlen(peak) - 1);
			strcat(peak, ")");
		}
		snprintf(limit, sizeof(limit), " at the memory%s limit of %s%s%s%s",
			 o.swap ? "+swap" : "", size, o.self ? "" : " of ",
			 o.self ? "" : o.where, o.self ? "" : peak);
	} else {
		snprintf(limit, sizeof(limit), ", though no memory limit of it or above it was hit");
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		cx_warn("%s: killed by the OOM killer%s", c->typed, limit);
	else
		cx_warn("%s: the OOM killer killed %" PRIu64 " process%s%s",
			c->typed, o.kills, o.kills == 1 ? "" : "es", limit);
	cx_cg_oom_free(&o);
}

/* The child of run --rm, in NAME, maybe on our stack and in our memory
 * (cx_cg_spawn_into): nothing it does may end in exit().  The command
 * dies with us: killed (SIGKILL cannot be passed on), we could not wait
 * for it nor take the cgroup back.  The signal is lost when we died
 * before the child asked for it: its parent is no longer us then. */
struct run_child {
	pid_t parent;
	char **cmd;
	int gate[2];	/* in sight: the command waits until we left */
};

static void run_child(void *arg)
{
	struct run_child *rc = arg;
	char go;

	cx_exec_vforked(true);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		cx_warn("prctl PR_SET_PDEATHSIG: %s", strerror(errno));
		_exit(CX_EXIT_FAIL);
	}
	if (getppid() != rc->parent)
		cx_raise(SIGKILL);
	/* Only a byte lets it go on: EOF means we failed to leave. */
	if (rc->gate[0] >= 0) {
		close(rc->gate[1]);
		if (read(rc->gate[0], &go, 1) != 1)
			_exit(CX_EXIT_FAIL);
		close(rc->gate[0]);
	}
	cx_signals_release();
	cx_exec(-1, rc->cmd);
}

/* run --rm in a PID namespace that is not the host's (after cx-unshare
 * --pid --fork, say): we wait in sight of the container, and a process
 * of it that may trace us would reach the host's tree, and the
 * namespaces later links leave, through /proc/PID.  So we leave them
 * while the command waits at its gate, and mount the cgroups again in
 * our own mount namespace only once it has ended.  On failure the
 * command never runs. */
static void leave_for_waiting(const char **points, struct run_child *rc,
			      pid_t pid)
{
	close(rc->gate[0]);
	cx_ns_leave_for_waiting(points, "run --rm's waiting process",
				rc->gate[1], pid);
	/* A child that died at its gate (it could not join, or was
	 * killed) is reaped below, and the cgroup removed as always. */
	if (write(rc->gate[1], "", 1) != 1)
		cx_warn_errno("let the command run");
	close(rc->gate[1]);
}

/* run --rm in sight, once the command has ended: no process of the
 * container may be left to see the hierarchies we are about to mount
 * again (through /proc/PID/root).  As the namespace's PID 1 we end it
 * now, as our exit would a little later: every process there is killed
 * and reaped.  Elsewhere we cannot tell the container's processes from
 * others (cx-cgroup(1) says so). */
static void end_in_sight(void)
{
	if (getpid() != 1)
		return;
	if (kill(-1, SIGKILL) < 0 && errno != ESRCH)
		cx_warn_errno("kill what the command left in its PID namespace");
	for (;;)
		if (waitpid(-1, NULL, __WALL) < 0 && errno != EINTR)
			break;
}

/* Did this run make NAME, everywhere it is? */
static bool made_name(struct ctx *c, const struct cx_cg_made *m)
{
	int found = 0;

	for (int i = 0; i < c->l.n; i++) {
		char *p = cx_cg_path(&c->l, i, c->name);

		for (int j = 0; j < m->n; j++)
			if (strcmp(m->dir[j], p) == 0)
				found++;
		free(p);
	}
	return found && found == cx_cg_count(&c->l, c->name);
}

/* Nothing left running in NAME or below: the usual end of a run, when
 * the command leaves no process behind.  Then the freezer and the
 * kill are not needed. */
static bool is_empty(struct ctx *c)
{
	bool self;
	int n;

	return cx_cg_procs(&c->l, c->name, &n, &self) == 0 && n == 0;
}

/* run --rm in a container's PID namespace (leave_for_waiting): what
 * its waiting process needs to leave and come back, checked before
 * NAME is made (a refusal takes back the base find_layout made, M).
 * The mount points to keep in its empty root, or
 * NULL where it waits out of the container's sight. */
static const char **need_leaving(struct ctx *c, struct cx_cg_made *m)
{
	const char **points = NULL;
	char why[512] = "";
	int root, mp;

	if (!cx_ns_in_sight())
		return NULL;
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	mp = root < 0 ? -1 : cx_is_mountpoint(root);
	if (root >= 0)
		close(root);
	if (cx_ns_user_is_initial() != 1)
		snprintf(why, sizeof(why), ", which a user namespace does not allow: put run --rm before the PID namespace");
	else if (mp != 1)
		snprintf(why, sizeof(why), ", which a root that is no mount point (a plain chroot) does not allow: use cx-chroot --pivot, or put run --rm before the PID namespace");
	else if (!(points = cx_cg_mount_points(&c->l)))
		snprintf(why, sizeof(why), ": %s", cx_last_msg());
	if (!*why)
		return points;
	/* find_layout may have made the base: it goes again. */
	cx_cg_undo(m);
	cx_die("run --rm: in a container's PID namespace, the waiting process must leave the host's tree and mount the cgroups again at the end%s",
	       why);
}

static int do_run(struct ctx *c, char **ops)
{
	static struct cx_cg_made m;
	struct cx_cg_oom_watch oom;
	struct run_child child = { .gate = { -1, -1 } };
	char **cmd = ops + 1;
	const char **points = NULL;
	pid_t pid, self = getpid();
	int status;

	if (!cmd[0])
		cx_usage_error("run: no COMMAND given");
	/* Fail closed: a command that cannot run costs no cgroup. */
	cx_exec_find(cmd);
	find_layout(c, &m);
	take_name(c, ops[0], &m);
	if (c->rm)
		points = need_leaving(c, &m);
	make_and_limit(c, &m, false);
	undo.c = c;
	undo.m = &m;
	undo.owner = getpid();
	if (atexit(undo_at_exit) != 0) {
		cx_cg_undo(&m);
		cx_die("atexit failed");
	}
	if (!c->rm) {
		/* Chainloading: we join, then become the command. */
		if (cx_cg_save_self(&c->l, undo.saved) < 0)
			cx_die_last();
		undo.joined = true;
		if (cx_cg_join_self(&c->l, c->name, false) < 0)
			cx_die_last();
		cx_exec(-1, cmd);
	}

	cx_cg_oom_watch(&c->l, c->name, &m, &oom);
	cx_signals_hold();
	child.parent = self;
	child.cmd = cmd;
	if (points && pipe2(child.gate, O_CLOEXEC) < 0)
		cx_die_errno("pipe");
	pid = cx_cg_spawn_into(&c->l, c->name, run_child, &child, points);
	cx_exec_vforked(false);
	if (pid < 0)
		cx_die_last();
	if (points)
		leave_for_waiting(points, &child, pid);
	status = cx_wait_forward(pid, false);
	if (points)
		end_in_sight();
	if (points && cx_cg_mount_again(&c->l) < 0) {
		undo.c = NULL;
		cx_warn("run --rm: %s: %s stays", cx_last_msg(), c->typed);
		cx_exit_like(status);
	}
	free(points);
	report_oom(c, &oom, status);
	cx_cg_oom_watch_free(&oom);
	/* --rm: what this run made goes, and what is still running in it
	 * with it; a NAME that was there before stays. */
	undo.c = NULL;
	if (made_name(c, &m) && !is_empty(c) && cx_cg_kill(&c->l, c->name) < 0)
		cx_warn_last();
	cx_cg_undo(&m);
	cx_exit_like(status);
}

/* --- main --------------------------------------------------------------- */

static const struct verb {
	const char *name;
	int (*fn)(struct ctx *c, char **ops);
	int min, max;		/* operands; -1: no upper bound */
	unsigned takes;
	const char *usage;
} verbs[] = {
	{ "create", do_create, 1, 1, TAKES_LIMITS | TAKES_CONTROLLERS | TAKES_DEVICES, "create [--controllers LIST] NAME [limits]" },
	{ "set", do_set, 1, 1, TAKES_LIMITS, "set NAME limits" },
	{ "get", do_get, 1, -1, TAKES_JSON, "get [--json] NAME [KEY]..." },
	{ "rm", do_rm, 1, 1, TAKES_KILL | TAKES_RECURSIVE, "rm [--kill] [--recursive] NAME" },
	{ "ls", do_ls, 0, 1, TAKES_JSON, "ls [--json] [NAME]" },
	{ "attach", do_attach, 2, -1, 0, "attach NAME PID..." },
	{ "stat", do_stat, 1, 1, TAKES_JSON, "stat [--json] NAME" },
	{ "run", do_run, 2, -1, TAKES_LIMITS | TAKES_RM | TAKES_CONTROLLERS | TAKES_DEVICES, "run [--rm] [--controllers LIST] [limits] NAME COMMAND [ARG]..." },
};

static const char *const option_names[] = {
	"limits (--memory, --cpus, --set...)", "--rm", "--kill", "--recursive", "--json",
	"--controllers", "device rules (--device-allow, --device-deny)",
};

int main(int argc, char **argv)
{
	static struct ctx c;
	const struct verb *verb = NULL;
	char **rest, **ops, *opbuf[1024];
	int nops = 0;

	cx_init("cx-cgroup");
	tool.options = build_options();
	rest = cx_opt_parse(&tool, argc, argv, on_option, &c);
	if (!rest[0])
		cx_usage_error("no verb given (create, set, get, rm, ls, attach, stat, run)");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(*verbs); i++)
		if (strcmp(rest[0], verbs[i].name) == 0)
			verb = &verbs[i];
	if (!verb)
		cx_usage_error("unknown verb '%s' (create, set, get, rm, ls, attach, stat, run)",
			       rest[0]);

	/* run stops at NAME: the rest is the command's.  The other verbs
	 * take options between their operands too. */
	if (verb->fn == do_run) {
		ops = cx_opt_parse(&tool, count_args(rest), rest, on_option, &c);
		nops = count_args(ops);
	} else {
		char **cur = rest;

		for (;;) {
			bool dashdash;
			char **next = cx_opt_parse_stop(&tool, count_args(cur),
							cur, on_option, &c,
							&dashdash);

			if (!*next)
				break;
			if (dashdash) {
				while (*next && nops < 1023)
					opbuf[nops++] = *next++;
				break;
			}
			if (nops == 1023)
				cx_usage_error("too many operands");
			opbuf[nops++] = *next;
			cur = next;
		}
		opbuf[nops] = NULL;
		ops = opbuf;
	}
	for (int b = 0; b < (int)(sizeof(option_names) / sizeof(*option_names)); b++)
		if ((c.given & (1u << b)) && !(verb->takes & (1u << b)))
			cx_usage_error("%s: %s do%s not apply (%s)", verb->name,
				       option_names[b],
				       strchr(option_names[b], '(') ? "" : "es",
				       verb->usage);
	if (nops < verb->min || (verb->max >= 0 && nops > verb->max))
		cx_usage_error("%s: %s operands (%s)", verb->name,
			       nops < verb->min ? "missing" : "too many",
			       verb->usage);
	return verb->fn(&c, ops);
}
