/* cx-oci: the OCI runtime command line (create, start, state, kill,
 * delete, run, exec), made of the cx chain.  A bundle's config.json becomes
 * one command line of cx tools (common/oci.c), which cx-oci runs in a
 * child; the last link before the container's command is cx-oci itself
 * ("hold"), which waits on a FIFO until start, as the spec asks. */
#include "capability.h"
#include "cg.h"
#include "cg-file.h"
#include "die.h"
#include "exec.h"
#include "file.h"
#include "oci.h"
#include "oci-seccomp.h"
#include "opt.h"
#include "parse.h"
#include "proc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define OCI_VERSION "1.0.2"
#define DEFAULT_ROOT "/run/cx-oci"
/* The descriptors cx-oci hands down after the sync socket, in order:
 * the exec FIFO, the console socket, the seccomp program. */
enum { N_EXTRA = 3 };

enum {
	OPT_ROOT = 1, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD,
	OPT_ROOTLESS, OPT_BUNDLE, OPT_PIDFILE, OPT_CONSOLE, OPT_PRESERVE,
	OPT_NO_PIVOT, OPT_NO_KEYRING, OPT_DETACH, OPT_ALL, OPT_FORCE,
	OPT_PRINT_CHAIN, OPT_PROCESS, OPT_CWD, OPT_ENV, OPT_USER, OPT_CAP,
	OPT_NNP, OPT_TTY, OPT_FORMAT, OPT_RESOURCES, OPT_SPEC_ROOTLESS,
};

struct ctx {
	const char *root, *log, *bundle, *pidfile, *console;
	const char *format, *resources;	/* ps, list; update */
	bool json_log, detach, all, force, print_chain, spec_rootless;
	int preserve;
	/* run in the foreground: a terminal without --console-socket comes
	 * back to cx-oci on this socket (-1: none), and is lent ours. */
	bool lend_tty;
	int lend_fd;
	/* exec */
	const char *process, *cwd, *user;
	bool nnp, tty;
	struct cx_words env, caps;
};

static const struct poptOption global_options[] = {
	{ "root", 0, POPT_ARG_STRING, NULL, OPT_ROOT,
	  "the containers' state directory (" DEFAULT_ROOT ")", "DIR" },
	{ "log", 0, POPT_ARG_STRING, NULL, OPT_LOG,
	  "cx-oci's own errors go to FILE as well", "FILE" },
	{ "log-format", 0, POPT_ARG_STRING, NULL, OPT_LOG_FORMAT,
	  "text or json", "FORMAT" },
	{ "debug", 0, POPT_ARG_NONE, NULL, OPT_DEBUG,
	  "accepted, as runc's: says nothing more", NULL },
	{ "systemd-cgroup", 0, POPT_ARG_NONE, NULL, OPT_SYSTEMD,
	  "refused: cx-oci makes its cgroups itself (cgroupfs)", NULL },
	{ "rootless", 0, POPT_ARG_STRING, NULL, OPT_ROOTLESS,
	  "accepted, as runc's (true, false, auto)", "MODE" },
	POPT_TABLEEND
};

static const struct cx_tool tool = {
	"cx-oci",
	"[global options] COMMAND [options] ID\n\n"
	"Commands:\n"
	"  create [--bundle DIR] [--pid-file FILE] [--preserve-fds N]\n"
	"         [--console-socket SOCKET] ID\n"
	"                            build the container, held before its command\n"
	"  start ID                  let its command run\n"
	"  run [--bundle DIR] [--pid-file FILE] [--detach] ID\n"
	"                            create and start; without --detach, wait and exit as it did\n"
	"  state ID                  its state, as JSON\n"
	"  kill [--all] ID [SIGNAL]  signal it (TERM), or every process of its cgroup\n"
	"  delete [--force] ID       take back its cgroup and state (--force: kill it first)\n"
	"  exec [--process FILE | -e K=V -u UID[:GID] --cwd DIR -c CAP --no-new-privs]\n"
	"       [--tty --console-socket SOCKET] [--pid-file FILE] [--detach]\n"
	"       ID [COMMAND [ARG]...]\n"
	"                            run another process in the running container\n"

	"  pause ID, resume ID       freeze and thaw every process of its cgroup\n"
	"  ps [--format table|json] ID\n"
	"                            the processes of its cgroup\n"
	"  list [--format table|json]\n"
	"                            the containers, their PIDs and states\n"
	"  update --resources FILE ID\n"
	"                            new limits from FILE (- standard input), as linux.resources\n"
	"  spec [--bundle DIR]       write a config.json to start from: a shell in DIR/rootfs\n"
	"  spec --print-chain [--bundle DIR]\n"
	"                            print the cx command line that builds the bundle's container",
	"Run OCI bundles as chains of cx tools.",
	global_options, NULL,
};

static const struct poptOption cmd_options[] = {
	{ "bundle", 'b', POPT_ARG_STRING, NULL, OPT_BUNDLE,
	  "the bundle (.)", "DIR" },
	{ "pid-file", 0, POPT_ARG_STRING, NULL, OPT_PIDFILE,
	  "write the container's PID to FILE", "FILE" },
	{ "console-socket", 0, POPT_ARG_STRING, NULL, OPT_CONSOLE,
	  "send the container's terminal (process.terminal) to SOCKET", "SOCKET" },
	{ "preserve-fds", 0, POPT_ARG_STRING, NULL, OPT_PRESERVE,
	  "hand descriptors 3 to N + 2 to the container", "N" },
	{ "no-pivot", 0, POPT_ARG_NONE, NULL, OPT_NO_PIVOT,
	  "accepted: cx-oci always pivots", NULL },
	{ "no-new-keyring", 0, POPT_ARG_NONE, NULL, OPT_NO_KEYRING,
	  "accepted: no session keyring is made", NULL },
	{ "detach", 'd', POPT_ARG_NONE, NULL, OPT_DETACH,
	  "run: return once the command runs", NULL },
	{ "all", 'a', POPT_ARG_NONE, NULL, OPT_ALL,
	  "kill: every process of the container's cgroup", NULL },
	{ "force", 'f', POPT_ARG_NONE, NULL, OPT_FORCE,
	  "delete: kill a running container first", NULL },
	{ "print-chain", 0, POPT_ARG_NONE, NULL, OPT_PRINT_CHAIN,
	  "spec, exec: print the chain", NULL },
	{ "rootless", 0, POPT_ARG_NONE, NULL, OPT_SPEC_ROOTLESS,
	  "spec: refused, cx-oci runs containers as root only", NULL },
	{ "process", 'p', POPT_ARG_STRING, NULL, OPT_PROCESS,
	  "exec: the process to run, as config.json's process object", "FILE" },
	{ "cwd", 0, POPT_ARG_STRING, NULL, OPT_CWD,
	  "exec: the working directory in the container", "DIR" },
	{ "env", 'e', POPT_ARG_STRING, NULL, OPT_ENV,
	  "exec: one more variable (repeatable)", "NAME=VALUE" },
	{ "user", 'u', POPT_ARG_STRING, NULL, OPT_USER,
	  "exec: run as UID and GID (numbers)", "UID[:GID]" },
	{ "cap", 'c', POPT_ARG_STRING, NULL, OPT_CAP,
	  "exec: one more capability, as CAP_NAME (repeatable)", "CAP" },
	{ "no-new-privs", 0, POPT_ARG_NONE, NULL, OPT_NNP,
	  "exec: set no_new_privs", NULL },
	{ "tty", 't', POPT_ARG_NONE, NULL, OPT_TTY,
	  "exec: a terminal for the process (with --console-socket)", NULL },
	{ "format", 0, POPT_ARG_STRING, NULL, OPT_FORMAT,
	  "ps, list: table or json", "FORMAT" },
	{ "resources", 0, POPT_ARG_STRING, NULL, OPT_RESOURCES,
	  "update: the limits, as linux.resources in JSON (- standard input)", "FILE" },

	POPT_TABLEEND
};

static struct cx_tool cmd_tool = {
	"cx-oci", "COMMAND [options] ID", "One OCI runtime command.",
	cmd_options, NULL,
};

/* --log: cx-oci's own failures, for podman and containerd to show. */
static const char *log_file;
static bool log_json;

static void log_failure(const char *msg)
{
	FILE *f;
	char when[64];
	time_t now = time(NULL);
	int fd;

	if (!log_file)
		return;
	/* O_NONBLOCK: a FIFO with no reader says ENXIO at once instead of
	 * holding the failure back for ever; one with a reader (a shim
	 * that collects the log) is written as a file is. */
	fd = open(log_file, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK |
				    O_NOCTTY | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (fcntl(fd, F_SETFL, O_APPEND) < 0 ||
	    !(f = fdopen(fd, "a"))) {
		close(fd);
		return;
	}
	/* A reader that leaves meanwhile: EPIPE, and we exit 125 as
	 * we were about to, not killed by SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (log_json) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "level", "error",
				      "msg", msg, "time", when);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (s)
			fprintf(f, "%s\n", s);
		free(s);
		json_decref(o);
	} else {
		fprintf(f, "%s cx-oci: %s\n", when, msg);
	}
	fclose(f);
}

static noreturn void fail(void)
{
	log_failure(cx_last_msg());
	cx_die_last();
}

static int on_option(void *p, int val, const char *arg)
{
	struct ctx *c = p;

	switch (val) {
	case OPT_ROOT:
		c->root = arg;
		return 0;
	case OPT_LOG:
		c->log = log_file = arg;
		return 0;
	case OPT_LOG_FORMAT:
		if (strcmp(arg, "json") && strcmp(arg, "text"))
			return cx_opt_invalid("--log-format", arg, "text or json");
		c->json_log = log_json = !strcmp(arg, "json");
		return 0;
	case OPT_SYSTEMD:
		return cx_fail(0, "--systemd-cgroup: cx-oci makes its cgroups itself (podman: --cgroup-manager cgroupfs)");
	case OPT_DEBUG:
	case OPT_ROOTLESS:
	case OPT_NO_PIVOT:
	case OPT_NO_KEYRING:
		return 0;
	case OPT_BUNDLE:
		c->bundle = arg;
		return 0;
	case OPT_PIDFILE:
		c->pidfile = arg;
		return 0;
	case OPT_CONSOLE:
		c->console = arg;
		return 0;
	case OPT_PRESERVE: {
		uint32_t n;

		if (cx_parse_u32(arg, &n) < 0 || n > 1000)
			return cx_opt_invalid("--preserve-fds", arg, "a number of descriptors, 0 to 1000");
		c->preserve = (int)n;
		return 0;
	}
	case OPT_DETACH:
		c->detach = true;
		return 0;
	case OPT_ALL:
		c->all = true;
		return 0;
	case OPT_FORCE:
		c->force = true;
		return 0;
	case OPT_PRINT_CHAIN:
		c->print_chain = true;
		return 0;
	case OPT_SPEC_ROOTLESS:
		c->spec_rootless = true;
		return 0;
	case OPT_PROCESS:
		c->process = arg;
		return 0;
	case OPT_CWD:
		if (arg[0] != '/')
			return cx_opt_invalid("--cwd", arg, "an absolute path in the container");
		c->cwd = arg;
		return 0;
	case OPT_ENV:
		if (!strchr(arg, '=') || arg[0] == '=')
			return cx_opt_invalid("--env", arg, "NAME=VALUE");
		return cx_words_add(&c->env, arg);
	case OPT_USER:
		c->user = arg;
		return 0;
	case OPT_CAP: {
		unsigned cap;

		if (cx_cap_parse(arg, &cap) < 0)
			return cx_opt_invalid("--cap", arg, "a capability's name, such as CAP_NET_RAW");
		return cx_words_add(&c->caps, cx_cap_name(cap));
	}
	case OPT_NNP:
		c->nnp = true;
		return 0;
	case OPT_TTY:
		c->tty = true;
		return 0;
	case OPT_FORMAT:
		if (strcmp(arg, "table") && strcmp(arg, "json"))
			return cx_opt_invalid("--format", arg, "table or json");
		c->format = arg;
		return 0;
	case OPT_RESOURCES:
		c->resources = arg;
		return 0;

	}
	return cx_fail(0, "unhandled option");
}

/* --- the state directory ------------------------------------------------ */

/* An ID is one path component of letters, digits and "_+-.", as runc's. */
static void check_id(const char *id)
{
	if (!id)
		cx_usage_error("no container ID given");
	if (!*id || !strcmp(id, ".") || !strcmp(id, "..") || strlen(id) > 1024 ||
	    id[strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.")])
		cx_usage_error("invalid container ID '%s': letters, digits and _+-. only", id);
}

static char *state_path(const struct ctx *c, const char *id, const char *file)
{
	char *s;

	if (asprintf(&s, "%s/%s%s%s", c->root, id, file ? "/" : "",
		     file ? file : "") < 0)
		cx_die_errno("malloc");
	return s;
}

struct state {
	json_t *doc;
	pid_t pid;
	unsigned long long start;	/* the process's start time */
	const char *bundle, *cg_parent, *cg_name;
	json_t *cg_made;	/* the cgroups above it that create made */
	const char *status;		/* created, running, paused, stopped */
};

static unsigned long long start_time(pid_t pid)
{
	struct cx_proc_stat st;

	if (pid <= 0 || cx_proc_stat(pid, &st) < 0)
		return 0;
	return st.start;
}

/* Alive: the same process (its start time), not a zombie. */
static bool alive(const struct state *s)
{
	struct cx_proc_stat st;

	return s->pid > 0 && cx_proc_stat(s->pid, &st) == 0 &&
	       st.start == s->start && st.state != 'Z' && st.state != 'X';
}

static bool frozen(const char *parent, const char *name);

static int read_state(const struct ctx *c, const char *id, struct state *s)
{
	char *file = state_path(c, id, "state.json"), *fifo;
	json_error_t err;
	json_int_t pid = 0;
	json_int_t start = 0;

	*s = (struct state){ 0 };
	s->doc = json_load_file(file, 0, &err);
	if (!s->doc) {
		int rc = access(file, F_OK) < 0 && errno == ENOENT ?
			 cx_fail(0, "container %s does not exist (in %s)", id, c->root) :
			 cx_fail(0, "read %s: %s", file, err.text);

		free(file);
		return rc;
	}
	free(file);
	if (json_unpack(s->doc, "{s:I, s:I, s:s, s?s, s:s, s?o}", "pid", &pid,
			"cx_starttime", &start, "bundle", &s->bundle,
			"cx_cgroup_parent", &s->cg_parent, "cx_cgroup",
			&s->cg_name, "cx_cgroup_made", &s->cg_made) < 0)
		return cx_fail(0, "the state of %s is damaged", id);
	s->pid = (pid_t)pid;
	s->start = (unsigned long long)start;
	fifo = state_path(c, id, "exec.fifo");
	if (!alive(s))
		s->status = "stopped";
	else if (access(fifo, F_OK) == 0)
		s->status = "created";
	else if (frozen(s->cg_parent, s->cg_name))
		s->status = "paused";
	else
		s->status = "running";
	free(fifo);
	return 0;
}

/* Write FILE whole, by a temporary name and rename. */
static int write_atomic(const char *file, const char *text)
{
	char *tmp;
	int fd, rc = 0;

	if (asprintf(&tmp, "%s.tmp-%d", file, (int)getpid()) < 0)
		return cx_fail(ENOMEM, "malloc");
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fsync(fd) < 0)
		rc = cx_fail(errno, "write %s", tmp);
	if (fd >= 0)
		close(fd);
	if (rc == 0 && rename(tmp, file) < 0)
		rc = cx_fail(errno, "rename %s to %s", tmp, file);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* --- the cgroup, through the same code as cx-cgroup ---------------------- */

static int open_cgroups(struct cx_cg_layout *l, const char *parent)
{
	const char *rel = parent, *why;

	if (parent && cx_cg_check_parent(parent, &rel, &why) < 0)
		return cx_fail(0, "cgroup parent %s: it %s", parent, why);
	if (cx_cg_detect(l) < 0)
		return -1;
	return cx_cg_set_base(l, rel, NULL);
}

/* Is the cgroup there already, in any hierarchy? */
static bool cgroup_exists(const char *parent, const char *name)
{
	struct cx_cg_layout l = { 0 };
	bool yes = open_cgroups(&l, parent) == 0 && cx_cg_count(&l, name) > 0;

	cx_cg_layout_free(&l);
	return yes;
}

/* Is the container's cgroup frozen (pause)? */
static bool frozen(const char *parent, const char *name)
{
	struct cx_cg_layout l = { 0 };
	bool yes = open_cgroups(&l, parent) == 0 && cx_cg_frozen(&l, name) == 1;

	cx_cg_layout_free(&l);
	return yes;
}

/* The directories above NAME that are missing, hierarchy by hierarchy,
 * each one's shallowest first: those create is about to make (cx-cgroup
 * makes what is missing), for delete to take back.  Not the base (cx,
 * for a relative cgroupsPath): every cx tool's cgroups share it, and
 * made and removed again for each container it cost cx-oci run a tenth
 * of its time (make bench).  NULL when the layout cannot be read. */
static json_t *missing_above(const char *parent, const char *name)
{
	struct cx_cg_layout l = { 0 };
	json_t *made = json_array();
	char *p = strdup(name);

	if (!made || !p)
		cx_die_errno("malloc");
	if (open_cgroups(&l, parent) < 0) {
		json_decref(made);
		made = NULL;
		goto out;
	}
	for (int i = 0; i < l.n; i++) {
		for (char *slash = strchr(p, '/'); slash; slash = strchr(slash + 1, '/')) {
			char *dir;
			json_t *js;

			*slash = '\0';
			dir = cx_cg_path(&l, i, p);
			*slash = '/';
			/* A path that is not UTF-8 (a delegated base's) is
			 * not recorded: it stays, as it did before. */
			if (!cx_cg_is_dir(dir) && (js = json_string(dir)) &&
			    json_array_append_new(made, js) < 0)
				cx_die_errno("malloc");
			free(dir);
		}
	}
out:
	cx_cg_layout_free(&l);
	free(p);
	return made;
}

/* Is DIR above NAME's cgroup, and below the root, in one of L's
 * hierarchies? */
static bool above_cgroup(const struct cx_cg_layout *l, const char *name,
			 const char *dir)
{
	size_t n = strlen(dir);
	bool yes = false;

	for (int i = 0; i < l->n && !yes; i++) {
		char *leaf = cx_cg_path(l, i, name);
		size_t m = strlen(l->h[i].mount);

		yes = strncmp(leaf, dir, n) == 0 && leaf[n] == '/' &&
		      n > m && strncmp(dir, l->h[i].mount, m) == 0 &&
		      dir[m] == '/';
		free(leaf);
	}
	return yes;
}

/* The container's cgroup, killed and removed in every hierarchy, then
 * the directories above it that its create made (MADE, a JSON array of
 * paths, or NULL), deepest first, where they are empty: one that holds
 * another container's cgroup stays (and outlives both: that container
 * did not make it). */
static int remove_cgroup(const char *parent, const char *name,
			 const json_t *made)
{
	struct cx_cg_layout l = { 0 };
	const char *rel, *why;
	int rc = 0;

	/* A name with ".." (a damaged state) takes nothing above it. */
	if (cx_cg_check_name(name, strlen(name), NULL, &rel, &why) < 0)
		made = NULL;

	if (open_cgroups(&l, parent) < 0) {
		/* No base: the cgroup was never made. */
		cx_cg_layout_free(&l);
		return 0;
	}
	if (cx_cg_count(&l, name) > 0 &&
	    (cx_cg_kill(&l, name) < 0 || cx_cg_remove(&l, name, true) < 0))
		rc = -1;
	for (size_t k = json_array_size(made); rc == 0 && k-- > 0;) {
		const char *dir = json_string_value(json_array_get(made, k));

		/* Only directories above the cgroup: a damaged state must
		 * not send rmdir anywhere else. */
		if (dir && above_cgroup(&l, name, dir) && rmdir(dir) < 0 &&
		    errno != ENOENT && errno != ENOTEMPTY && errno != EBUSY)
			cx_warn_errno("rmdir %s", dir);
	}
	cx_cg_layout_free(&l);
	return rc;
}

/* The processes of the container's cgroup, over every hierarchy,
 * each once, into *V (malloc'd) and *N. */
static int cgroup_pids(const struct state *s, pid_t **v, size_t *n)
{
	struct cx_cg_layout l = { 0 };
	size_t cap = 0;		/* room in *v */
	int rc = -1;

	*v = NULL;
	*n = 0;
	if (open_cgroups(&l, s->cg_parent) < 0)
		goto out;
	for (int i = 0; i < l.n; i++) {
		char *dir = cx_cg_path(&l, i, s->cg_name), *file;
		FILE *f;
		long pid;

		if (asprintf(&file, "%s/cgroup.procs", dir) < 0)
			cx_die_errno("malloc");
		f = fopen(file, "re");
		free(dir);
		free(file);
		if (!f)
			continue;
		while (fscanf(f, "%ld", &pid) == 1) {
			size_t k = 0;

			while (k < *n && (*v)[k] != (pid_t)pid)
				k++;
			if (k < *n)
				continue;
			if (*n == cap) {
				pid_t *more;

				cap = cap ? 2 * cap : 16;
				more = realloc(*v, cap * sizeof(**v));
				if (!more)
					cx_die_errno("malloc");
				*v = more;
			}
			(*v)[(*n)++] = (pid_t)pid;
		}
		fclose(f);
		rc = 0;
	}
	if (rc < 0)
		cx_fail(0, "the cgroup %s is gone", s->cg_name);
out:
	cx_cg_layout_free(&l);
	return rc;
}

/* kill --all: SIG to every process of the container's cgroup. */
static int signal_cgroup(const struct state *s, int sig)
{
	pid_t *v;
	size_t n;

	if (cgroup_pids(s, &v, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		kill(v[i], sig);
	free(v);
	return 0;
}

/* --- create --------------------------------------------------------------- */

static bool cgroup2_only(void)
{
	struct cx_cg_layout l = { 0 };
	bool v2 = cx_cg_detect(&l) == 0 && l.v2 >= 0 && l.v1 == 0;

	cx_cg_layout_free(&l);
	return v2;
}

/* The directory cx-oci runs from: its chain's tools are found there
 * first. */
static void tools_first_on_path(void)
{
	char self[PATH_MAX], *slash, *path;
	const char *old = getenv("PATH");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	if (asprintf(&path, "%s:%s", self, old && *old ? old : "/usr/sbin:/usr/bin:/sbin:/bin") < 0)
		cx_die_errno("malloc");
	setenv("PATH", path, 1);
	free(path);
}

/* fd moved to the lowest free descriptor at or above low; the old one
 * closed, so that no copy of the sync pipe's end stays behind. */
static int move_up(int fd, int low)
{
	int up;

	if (fd < 0 || fd >= low)
		return fd;
	up = fcntl(fd, F_DUPFD_CLOEXEC, low);
	close(fd);
	return up;
}

/* In the child: rlimits and umask (inherited by every link), the fds
 * the chain keeps (the caller's, then ours: the sync socket, then the
 * FIFO, the console socket and the seccomp program, each when there is
 * one), then the chain. */
static noreturn void run_chain(const struct cx_oci_spec *s, char **chain,
			       int preserve, int sync_w, const int *extra)
{
	char num[16];
	int ours = 1;

	for (size_t i = 0; i < s->nrlimits; i++)
		if (setrlimit(s->rlimits[i].resource, &s->rlimits[i].lim) < 0) {
			cx_warn_errno("setrlimit %s", s->rlimits[i].name);
			_exit(CX_EXIT_FAIL);
		}
	if (s->umask >= 0)
		umask((mode_t)s->umask);
	if (dup2(sync_w, 3 + preserve) < 0) {
		cx_warn_errno("dup2");
		_exit(CX_EXIT_FAIL);
	}
	for (int k = 0; k < N_EXTRA; k++)
		if (extra[k] >= 0 && dup2(extra[k], 3 + preserve + ours++) < 0) {
			cx_warn_errno("dup2");
			_exit(CX_EXIT_FAIL);
		}
	snprintf(num, sizeof(num), "%d", preserve + ours);
	setenv(CX_PRESERVE_ENV, num, 1);
	tools_first_on_path();
	cx_exec(-1, chain);
}

/* CHAIN run in a child, with the sync socket and EXTRA, the FIFO, the
 * console socket and the seccomp program (each -1 when there is none;
 * closed here), handed down in that order above
 * the caller's PRESERVE descriptors; then the wait for the last link's
 * byte.  The child's PID, with *READY true when the byte came (false:
 * the chain stopped before, and said why on stderr) and *SENDER the
 * PID of the link that sent it, as the kernel gives it in our PID
 * namespace (SO_PASSCRED): the container's, which no link after a user
 * namespace is joined could write to a file of ours.  -1 recorded when
 * it could not start. */
static pid_t start_chain(const struct cx_oci_spec *s, char **chain,
			 int preserve, int *extra, bool *ready, pid_t *sender)
{
	int sync[2], low = 3 + preserve + 1 + N_EXTRA, on = 1;
	pid_t child;
	ssize_t n;
	char byte, ctl[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };

	*sender = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync) < 0 ||
	    setsockopt(sync[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0) {
		int err = errno;

		for (int k = 0; k < N_EXTRA; k++)
			if (extra[k] >= 0)
				close(extra[k]);
		return cx_fail(err, "socketpair");
	}
	/* Above the descriptors the chain keeps, so dup2 moves them down. */
	sync[0] = move_up(sync[0], low);
	sync[1] = move_up(sync[1], low);
	child = sync[0] < 0 || sync[1] < 0 ? -1 : 0;
	for (int k = 0; k < N_EXTRA; k++) {
		bool given = extra[k] >= 0;

		if ((extra[k] = move_up(extra[k], low)) < 0 && given)
			child = -1;
	}
	if (child < 0) {
		cx_fail(errno, "fcntl F_DUPFD");
		goto out;
	}
	child = fork();
	if (child < 0)
		cx_fail(errno, "fork");
	if (child == 0)
		run_chain(s, chain, preserve, sync[1], extra);
	if (child > 0) {
		close(sync[1]);
		sync[1] = -1;
		do
			n = recvmsg(sync[0], &m, 0);
		while (n < 0 && errno == EINTR);
		*ready = n == 1;
		for (struct cmsghdr *cm = n == 1 ? CMSG_FIRSTHDR(&m) : NULL; cm;
		     cm = CMSG_NXTHDR(&m, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_CREDENTIALS) {
				struct ucred u;

				memcpy(&u, CMSG_DATA(cm), sizeof(u));
				*sender = u.pid;
			}
	}
out:
	for (int k = 0; k < 2; k++)
		if (sync[k] >= 0)
			close(sync[k]);
	for (int k = 0; k < N_EXTRA; k++)
		if (extra[k] >= 0)
			close(extra[k]);
	return child;
}

/* --console-socket PATH, connected: the container's terminal goes
 * there.  Only with a terminal, which ASK asks for, as runc has it. */
static int open_console(const struct ctx *c, bool terminal, const char *ask)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (!c->console) {
		if (terminal)
			return cx_fail(0, "%s: give --console-socket (cx-oci sends the terminal there)", ask);
		return -1;
	}
	if (!terminal)
		return cx_fail(0, "--console-socket %s: no terminal is asked for (%s)", c->console, ask);
	if (strlen(c->console) >= sizeof(a.sun_path))
		return cx_fail(ENAMETOOLONG, "--console-socket %s", c->console);
	strcpy(a.sun_path, c->console);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cx_fail(errno, "socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int err = errno;

		close(fd);
		return cx_fail(err, "connect to --console-socket %s", c->console);
	}
	return fd;
}

/* The container's sysctls, written from its own namespaces. */
static int write_sysctls(const struct cx_oci_spec *s, pid_t pid)
{
	pid_t child;
	int status;

	if (!s->sysctl.n)
		return 0;
	child = fork();
	if (child < 0)
		return cx_fail(errno, "fork");
	if (child == 0) {
		static const char *const ns[] = { "net", "ipc", "uts" };

		for (size_t i = 0; i < 3; i++) {
			char path[64];
			int fd;

			snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns[i]);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || setns(fd, 0) < 0) {
				cx_warn_errno("join %s", path);
				_exit(1);
			}
			close(fd);
		}
		for (size_t i = 0; i < s->sysctl.n; i++) {
			char path[PATH_MAX], *eq = strchr(s->sysctl.v[i], '=');
			int fd;

			snprintf(path, sizeof(path), "/proc/sys/%.*s",
				 (int)(eq - s->sysctl.v[i]), s->sysctl.v[i]);
			for (char *p = path + 10; *p; p++)
				if (*p == '.')
					*p = '/';
			if (strstr(path, "..")) {
				cx_warn("sysctl %s: not a sysctl name", s->sysctl.v[i]);
				_exit(1);
			}
			fd = open(path, O_WRONLY | O_CLOEXEC);
			if (fd < 0 || write(fd, eq + 1, strlen(eq + 1)) < 0) {
				cx_warn_errno("sysctl %s", s->sysctl.v[i]);
				_exit(1);
			}
			close(fd);
		}
		_exit(0);
	}
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return cx_fail(0, "the container's sysctls were not written");
	return 0;
}

/* Undo a create that failed: the process PID (or -1), the cgroup, the
 * state. */
static void undo_create(const struct ctx *c, const char *id,
			const struct cx_oci_spec *s, pid_t pid,
			const json_t *made)
{
	char *dir = state_path(c, id, NULL);

	if (pid > 0)
		kill(pid, SIGKILL);
	remove_cgroup(s->cgroup_parent, s->cgroup_name, made);
	for (const char *const *f = (const char *const[]){ "pid", "exec.fifo", "state.json", NULL }; *f; f++) {
		char *p = state_path(c, id, *f);

		unlink(p);
		free(p);
	}
	rmdir(dir);
	free(dir);
}

static void add_annotations(json_t *st, const struct cx_oci_spec *s)
{
	json_t *a = json_object_get(s->doc, "annotations");

	if (json_is_object(a))
		json_object_set(st, "annotations", a);
}

/* --root DIR and the directories above it that are missing, 0700, as
 * runc makes them (containerd's shim gives ROOT/NAMESPACE). */
static int make_root(const char *root)
{
	char *p = strdup(root);

	if (!p)
		return cx_fail(ENOMEM, "malloc");
	for (char *s = p + 1; ; s++) {
		bool end = !*s;

		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			int err = errno;

			free(p);
			return cx_fail(err, "mkdir %s", root);
		}
		if (end)
			break;
		*s = '/';
	}
	free(p);
	return 0;
}

static int do_create(struct ctx *c, const char *id, pid_t *out)
{
	struct cx_oci_spec s;
	struct cx_words chain = { 0 }, notes = { 0 };
	char *dir, *fifo_path, *text;
	int fifo, console, bpf = -1;
	pid_t child, pid = -1;
	bool ready = false;
	json_t *st, *made = NULL;

	check_id(id);
	if (cx_oci_load(c->bundle ? c->bundle : ".", id, &s) < 0)
		return -1;
	if (s.terminal && !c->console && c->lend_tty) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
			cx_oci_free(&s);
			return cx_fail(errno, "socketpair");
		}
		c->lend_fd = sv[0];
		console = sv[1];
	} else {
		console = open_console(c, s.terminal, "config.json's process.terminal");
	}
	if (console < 0 && (s.terminal || c->console)) {
		cx_oci_free(&s);
		return -1;
	}
	dir = state_path(c, id, NULL);
	fifo_path = state_path(c, id, "exec.fifo");
	if (make_root(c->root) < 0 || mkdir(dir, 0700) < 0) {
		if (access(dir, F_OK) == 0)
			cx_fail(0, "container %s exists", id);
		else if (access(c->root, F_OK) == 0)
			cx_fail(errno, "mkdir %s", dir);
		if (console >= 0)
			close(console);
		cx_oci_free(&s);
		free(dir);
		free(fifo_path);
		return -1;
	}
	bpf = cx_oci_seccomp(s.doc, &s.seccomp_flags);
	if (bpf == -2)
		goto fail;
	s.seccomp = bpf >= 0;
	if (cx_oci_chain(&s, &(struct cx_oci_how){ true, true, cgroup2_only(),
			 cgroup_exists(s.cgroup_parent, s.cgroup_name) }, &chain, &notes) < 0)
		goto fail;
	made = missing_above(s.cgroup_parent, s.cgroup_name);
	/* Writable by the container's root whoever it is on the host (a
	 * user namespace's), through the descriptor alone: the directory
	 * is 0700.  chmod, as the umask takes bits from mkfifo's mode. */
	if (mkfifo(fifo_path, 0622) < 0 || chmod(fifo_path, 0622) < 0) {
		cx_fail(errno, "mkfifo %s", fifo_path);
		goto fail;
	}
	fifo = open(fifo_path, O_PATH | O_CLOEXEC);
	if (fifo < 0) {
		cx_fail(errno, "open %s", fifo_path);
		goto fail;
	}
	/* The hold link's byte: the container is made. */
	child = start_chain(&s, chain.v, c->preserve,
			    (int[N_EXTRA]){ fifo, console, bpf }, &ready, &pid);
	console = bpf = -1;
	if (child < 0)
		goto fail;
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	if (!ready) {
		cx_fail(0, "create %s: the chain stopped before the container was made", id);
		goto fail;
	}
	if (pid <= 0) {
		cx_fail(0, "create %s: the container's process did not say who it is", id);
		goto fail;
	}
	if (write_sysctls(&s, pid) < 0)
		goto fail;
	st = json_pack("{s:s, s:s, s:i, s:s, s:s, s:I, s:s*, s:s, s:O*}",
		       "ociVersion", OCI_VERSION, "id", id, "pid", (int)pid,
		       "bundle", s.bundle, "rootfs", s.rootfs,
		       "cx_starttime", (json_int_t)start_time(pid),
		       "cx_cgroup_parent", s.cgroup_parent,
		       "cx_cgroup", s.cgroup_name, "cx_cgroup_made", made);
	if (!st) {
		cx_fail(ENOMEM, "json");
		goto fail;
	}
	add_annotations(st, &s);
	text = json_dumps(st, JSON_COMPACT);
	json_decref(st);
	if (!text) {
		cx_fail(ENOMEM, "json");
		goto fail;
	}
	{
		char *file = state_path(c, id, "state.json");
		int rc = write_atomic(file, text);

		free(file);
		free(text);
		if (rc < 0)
			goto fail;
	}
	if (c->pidfile) {
		char num[24];

		snprintf(num, sizeof(num), "%d", (int)pid);
		if (write_atomic(c->pidfile, num) < 0)
			goto fail;
	}
	*out = pid;
	json_decref(made);
	cx_words_free(&chain);
	cx_words_free(&notes);
	cx_oci_free(&s);
	free(dir);
	free(fifo_path);
	return 0;
fail:
	{
		struct cx_failure f;

		cx_fail_save(&f);
		undo_create(c, id, &s, pid, made);
		cx_fail_restore(&f);
	}
	json_decref(made);
	if (console >= 0)
		close(console);
	if (bpf >= 0)
		close(bpf);
	cx_words_free(&chain);
	cx_words_free(&notes);
	cx_oci_free(&s);
	free(dir);
	free(fifo_path);
	return -1;
}

/* --- start, state, kill, delete ------------------------------------------ */

static int do_start(const struct ctx *c, const char *id)
{
	struct state s;
	char *fifo = state_path(c, id, "exec.fifo"), byte;
	int fd, rc = -1;

	if (read_state(c, id, &s) < 0)
		goto out;
	if (strcmp(s.status, "created")) {
		cx_fail(0, "container %s is %s, not created", id, s.status);
		goto out;
	}
	/* Not blocking: the reader is there at once, and the hold's open
	 * for writing returns; its byte says it goes on. */
	fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		cx_fail(errno, "open %s", fifo);
		goto out;
	}
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int r = poll(&p, 1, 100);

		if (r > 0 && read(fd, &byte, 1) == 1) {
			rc = 0;
			break;
		}
		if (r < 0 && errno != EINTR) {
			cx_fail(errno, "poll %s", fifo);
			break;
		}
		if (!alive(&s)) {
			cx_fail(0, "container %s stopped before it started", id);
			break;
		}
	}
	close(fd);
	if (rc == 0)
		unlink(fifo);
out:
	json_decref(s.doc);
	free(fifo);
	return rc;
}

static int do_state(const struct ctx *c, const char *id)
{
	struct state s;
	json_t *out;
	char *text;

	if (read_state(c, id, &s) < 0)
		return -1;
	out = json_pack("{s:s, s:s, s:s, s:i, s:s}", "ociVersion", OCI_VERSION,
			"id", id, "status", s.status,
			"pid", strcmp(s.status, "stopped") ? (int)s.pid : 0,
			"bundle", s.bundle);
	if (out && json_object_get(s.doc, "annotations"))
		json_object_set(out, "annotations", json_object_get(s.doc, "annotations"));
	text = out ? json_dumps(out, JSON_INDENT(2)) : NULL;
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(out);
	json_decref(s.doc);
	return text ? 0 : cx_fail(ENOMEM, "json");
}

static int do_kill(const struct ctx *c, const char *id, const char *signame)
{
	struct state s;
	int sig = SIGTERM, rc = 0;

	if (signame && cx_parse_signal(signame, &sig) < 0)
		return cx_fail(0, "invalid signal '%s'", signame);
	if (read_state(c, id, &s) < 0)
		return -1;
	if (c->all)
		rc = signal_cgroup(&s, sig);
	else if (!strcmp(s.status, "stopped"))
		rc = cx_fail(0, "container %s is not running", id);
	else if (kill(s.pid, sig) < 0)
		rc = cx_fail(errno, "kill %d", (int)s.pid);
	json_decref(s.doc);
	return rc;
}

static int do_delete(const struct ctx *c, const char *id)
{
	struct state s;
	char *dir;
	int rc = 0;

	if (read_state(c, id, &s) < 0) {
		/* --force: a container that is not there is deleted. */
		return c->force && access(c->root, F_OK) == 0 &&
		       strstr(cx_last_msg(), "does not exist") ? 0 : -1;
	}
	if ((!strcmp(s.status, "running") || !strcmp(s.status, "paused")) && !c->force) {
		json_decref(s.doc);
		return cx_fail(0, "container %s is %s: stop it first, or delete --force", id, s.status);
	}
	if (alive(&s))
		kill(s.pid, SIGKILL);
	if (remove_cgroup(s.cg_parent, s.cg_name, s.cg_made) < 0)
		rc = -1;
	for (const char *const *f = (const char *const[]){ "pid", "exec.fifo", "state.json", NULL }; *f; f++) {
		char *p = state_path(c, id, *f);

		unlink(p);
		free(p);
	}
	dir = state_path(c, id, NULL);
	if (rmdir(dir) < 0 && rc == 0)
		rc = cx_fail(errno, "rmdir %s", dir);
	free(dir);
	json_decref(s.doc);
	return rc;
}

/* --- pause, resume, ps, list, update ---------------------------------------- */

/* pause and resume: the container's cgroup frozen and thawed, so
 * every process of it stops where it is, those exec put there too. */
static int do_pause(const struct ctx *c, const char *id, bool freeze)
{
	struct cx_cg_layout l = { 0 };
	struct state s;
	int rc;

	if (read_state(c, id, &s) < 0)
		return -1;
	if (strcmp(s.status, freeze ? "running" : "paused")) {
		rc = cx_fail(0, "container %s is %s, not %s", id, s.status,
			     freeze ? "running" : "paused");
	} else {
		rc = open_cgroups(&l, s.cg_parent);
		if (rc == 0)
			rc = cx_cg_freeze(&l, s.cg_name, freeze);
		cx_cg_layout_free(&l);
	}
	json_decref(s.doc);
	return rc;
}

static int compare_pids(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* ps: the PIDs of the container's cgroup, as the host sees them; JSON
 * as runc's ps --format json (what containerd's shim asks for), else a
 * table with each one's command name. */
static int do_ps(const struct ctx *c, const char *id)
{
	struct state s;
	pid_t *v;
	size_t n;

	if (read_state(c, id, &s) < 0)
		return -1;
	/* A stopped container's cgroup may be gone: no process. */
	if (cgroup_pids(&s, &v, &n) < 0 && strcmp(s.status, "stopped")) {
		json_decref(s.doc);
		return -1;
	}
	if (n)
		qsort(v, n, sizeof(*v), compare_pids);
	if (c->format && !strcmp(c->format, "json")) {
		putchar('[');
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)v[i]);
		puts("]");
	} else {
		puts("PID CMD");
		for (size_t i = 0; i < n; i++) {
			char path[64], comm[64] = "?";
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/comm", (int)v[i]);
			if ((f = fopen(path, "re"))) {
				if (fgets(comm, sizeof(comm), f))
					comm[strcspn(comm, "\n")] = '\0';
				fclose(f);
			}
			printf("%d %s\n", (int)v[i], comm);
		}
	}
	free(v);
	json_decref(s.doc);
	return 0;
}

/* list: every container of --root, its PID, state and bundle. */
static int do_list(const struct ctx *c)
{
	DIR *d = opendir(c->root);
	struct dirent *e;
	json_t *all = json_array();
	bool json = c->format && !strcmp(c->format, "json");

	if (!all)
		return cx_fail(ENOMEM, "json");
	if (!d && errno != ENOENT) {
		json_decref(all);
		return cx_fail(errno, "open %s", c->root);
	}
	if (!json)
		printf("%-24s %-8s %-8s %s\n", "ID", "PID", "STATUS", "BUNDLE");
	while (d && (e = readdir(d))) {
		struct state s;

		if (e->d_name[0] == '.' ||
		    e->d_name[strspn(e->d_name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.")] ||
		    read_state(c, e->d_name, &s) < 0)
			continue;
		if (json)
			json_array_append_new(all, json_pack("{s:s, s:i, s:s, s:s}",
				"id", e->d_name,
				"pid", strcmp(s.status, "stopped") ? (int)s.pid : 0,
				"status", s.status, "bundle", s.bundle));
		else
			printf("%-24s %-8d %-8s %s\n", e->d_name,
			       strcmp(s.status, "stopped") ? (int)s.pid : 0,
			       s.status, s.bundle);
		json_decref(s.doc);
	}
	if (d)
		closedir(d);
	if (json) {
		char *text = json_dumps(all, 0);

		if (!text) {
			json_decref(all);
			return cx_fail(ENOMEM, "json");
		}
		puts(text);
		free(text);
	}
	json_decref(all);
	return 0;
}

/* update --resources FILE: linux.resources' limits, translated as
 * create translates them, written by cx-cgroup's own code to the
 * container's cgroup. */
static int do_update(const struct ctx *c, const char *id)
{
	struct cx_words words = { 0 }, notes = { 0 };
	struct cx_cg_limit lim[CX_CG_MAX_LIMITS];
	struct cx_cg_layout l = { 0 };
	json_error_t err;
	json_t *res;
	struct state s;
	int n = 0, bad = -1, rc = -1;

	if (!c->resources)
		return cx_fail(0, "update: --resources FILE is needed (linux.resources as JSON; - for standard input)");
	res = strcmp(c->resources, "-") ? json_load_file(c->resources, JSON_REJECT_DUPLICATES, &err) :
					  json_loadf(stdin, JSON_REJECT_DUPLICATES, &err);
	if (!res)
		return cx_fail(0, "update: %s: %s", c->resources, err.text);
	if (read_state(c, id, &s) < 0) {
		json_decref(res);
		return -1;
	}
	if (!strcmp(s.status, "stopped")) {
		cx_fail(0, "container %s is stopped", id);
		goto out;
	}
	if (cx_oci_resources(res, &words, &notes) < 0)
		goto out;
	for (size_t i = 0; i < notes.n; i++)
		fprintf(stderr, "cx-oci: update: %s\n", notes.v[i]);
	for (size_t i = 0; i < words.n; i++) {
		/* "--knob=value", as the chain has it: a word of another
		 * shape, or one limit too many, is this code's mistake, and
		 * is said so rather than written. */
		char *w = words.v[i], *eq = strchr(w, '=');
		const struct cx_cg_knob *k;

		if (strncmp(w, "--", 2) != 0 || !eq || n >= CX_CG_MAX_LIMITS) {
			cx_fail(0, "update: %s: not a limit of the form --KNOB=VALUE (a cx-oci bug)", w);
			goto out;
		}
		w += 2;
		*eq = '\0';
		k = cx_cg_knob(w);
		if (!k || cx_cg_parse_limit(k, eq + 1, &lim[n]) < 0) {
			cx_fail(0, "update: --%s=%s: not a limit cx-cgroup takes", w, eq + 1);
			goto out;
		}
		n++;
	}
	if (open_cgroups(&l, s.cg_parent) < 0 ||
	    cx_cg_check_limits(&l, lim, n, &bad) < 0 ||
	    cx_cg_apply(&l, s.cg_name, lim, n, &bad) < 0) {
		if (bad >= 0)
			cx_fail_context("update: %s", lim[bad].knob->option);
		goto out;
	}
	rc = 0;
out:
	cx_cg_layout_free(&l);
	cx_words_free(&words);
	cx_words_free(&notes);
	json_decref(res);
	json_decref(s.doc);
	return rc;
}

/* --- run: create, start, and wait as the container's reaper ---------------- */

/* As a subreaper, PID is ours once its parent has gone: reap what
 * comes, until it; its wait status. */
static int reap_until(pid_t pid)
{
	int status;

	for (;;) {
		pid_t got = waitpid(-1, &status, 0);

		if (got == pid)
			return status;
		if (got < 0 && errno != EINTR)
			return CX_EXIT_FAIL << 8;
	}
}

/* The master the chain's last link sent on FD (closed here). */
static int recv_master(int fd)
{
	char name[64], ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { name, sizeof(name) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	int master, err;
	ssize_t n;

	do
		n = recvmsg(fd, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	err = errno;
	close(fd);
	cm = CMSG_FIRSTHDR(&m);
	if (n <= 0 || !cm || cm->cmsg_level != SOL_SOCKET ||
	    cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return cx_fail(n < 0 ? err : 0, "receive the container's terminal");
	memcpy(&master, CMSG_DATA(cm), sizeof(int));
	return master;
}

static volatile sig_atomic_t resized;

static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

/* Our terminal's size to the container's. */
static void copy_size(int master)
{
	struct winsize ws;

	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* run in the foreground with a terminal and no --console-socket, as
 * runc: our standard streams lent to the container's terminal (ours
 * raw, when they are one, its size following ours), until PID is
 * reaped; its wait status.  At the end of our input, the terminal's
 * end-of-file character. */
static int lend_terminal(int master, pid_t pid)
{
	struct termios old, raw;
	bool tty = tcgetattr(0, &old) == 0;
	struct pollfd p[2] = { { 0, POLLIN, 0 }, { master, POLLIN, 0 } };
	int status = -1, st;
	char buf[4096];
	ssize_t n;

	if (tty) {
		struct sigaction sa = { .sa_handler = on_winch };

		raw = old;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
		copy_size(master);
		sigaction(SIGWINCH, &sa, NULL);
	}
	while (status == -1) {
		int r = poll(p, 2, 100);
		pid_t got;

		if (resized) {
			resized = 0;
			copy_size(master);
		}
		if (r > 0 && p[0].revents) {
			n = read(0, buf, sizeof(buf));
			if (n > 0) {
				write_all(master, buf, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				struct termios t;

				if (tcgetattr(master, &t) == 0)
					write_all(master, (char *)&t.c_cc[VEOF], 1);
				p[0].fd = -1;
			}
		}
		if (r > 0 && p[1].revents) {
			n = read(master, buf, sizeof(buf));
			if (n > 0)
				write_all(1, buf, (size_t)n);
			else if (n == 0 || errno != EINTR)
				p[1].fd = -1;	/* EIO: no slave is open */
		}
		while ((got = waitpid(-1, &st, WNOHANG)) > 0)
			if (got == pid)
				status = st;
		if (got < 0 && errno == ECHILD && status == -1)
			status = CX_EXIT_FAIL << 8;
	}
	/* What it wrote last. */
	fcntl(master, F_SETFL, O_NONBLOCK);
	while ((n = read(master, buf, sizeof(buf))) > 0)
		write_all(1, buf, (size_t)n);
	if (tty)
		tcsetattr(0, TCSADRAIN, &old);
	close(master);
	return status;
}

static int do_run(struct ctx *c, const char *id)
{
	pid_t pid;
	int status, master = -1;
	struct state s;

	if (!c->detach && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return cx_fail(errno, "become a subreaper");
	c->lend_tty = !c->detach;
	if (do_create(c, id, &pid) < 0)
		return -1;
	if (c->lend_fd >= 0 && (master = recv_master(c->lend_fd)) < 0) {
		struct cx_failure f;

		cx_fail_save(&f);
		c->force = true;
		do_delete(c, id);
		cx_fail_restore(&f);
		return -1;
	}
	if (do_start(c, id) < 0) {
		struct cx_failure f;

		/* The held process, even if its state cannot be read. */
		cx_fail_save(&f);
		kill(pid, SIGKILL);
		c->force = true;
		do_delete(c, id);
		cx_fail_restore(&f);
		return -1;
	}
	if (c->detach)
		return 0;
	status = master >= 0 ? lend_terminal(master, pid) : reap_until(pid);
	if (read_state(c, id, &s) == 0) {
		json_decref(s.doc);
		c->force = true;
		do_delete(c, id);
	}
	cx_exit_like(status);
}

/* --- spec --print-chain ----------------------------------------------------- */

static void print_word(const char *w)
{
	if (*w && !w[strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-=./:,@%")]) {
		fputs(w, stdout);
		return;
	}
	putchar('\'');
	for (; *w; w++)
		if (*w == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*w);
	putchar('\'');
}

/* The chain as a shell script: notes as comments, umask and prlimit on
 * the shell, one link a line. */
static void print_chain(const struct cx_words *chain,
			const struct cx_words *notes,
			const struct cx_oci_spec *s)
{
	static const char *const links[] = {
		"cx-nsenter", "cx-cgroup", "cx-unshare", "cx-bind", "cx-chroot",
		"cx-caps", "env", NULL,
	};
	bool in_command = false;

	for (size_t i = 0; i < notes->n; i++)
		printf("# %s\n", notes->v[i]);
	if (s->umask >= 0)
		printf("umask %04o\n", s->umask);
	/* util-linux's prlimit on the shell: --nofile=SOFT:HARD. */
	for (size_t i = 0; i < s->nrlimits; i++) {
		const struct rlimit *l = &s->rlimits[i].lim;
		char soft[24], hard[24];

		fputs("prlimit --pid $$ --", stdout);
		for (const char *n = s->rlimits[i].name + strlen("RLIMIT_"); *n; n++)
			putchar(tolower((unsigned char)*n));
		snprintf(soft, sizeof(soft), "%llu", (unsigned long long)l->rlim_cur);
		snprintf(hard, sizeof(hard), "%llu", (unsigned long long)l->rlim_max);
		printf("=%s:%s\n", l->rlim_cur == RLIM_INFINITY ? "unlimited" : soft,
		       l->rlim_max == RLIM_INFINITY ? "unlimited" : hard);
	}
	for (size_t i = 0; i < chain->n; i++) {
		/* A link starts at a tool's name, but not at cx-cgroup's
		 * NAME (after run) nor in the command (after env). */
		bool tool = false;

		for (size_t k = 0; i && !in_command && links[k]; k++)
			tool |= !strcmp(chain->v[i], links[k]) &&
				strcmp(chain->v[i - 1], "run");
		in_command |= tool && !strcmp(chain->v[i], "env");
		if (i)
			fputs(tool ? " \\\n" : " ", stdout);
		print_word(chain->v[i]);
	}
	putchar('\n');
}

/* What spec writes: a shell, as root with three capabilities, in
 * ./rootfs read-only, behind every namespace but the user's and the
 * time's, with the mounts, masks and read-only paths an OCI container
 * is expected to have.  The runtime spec's config.md is the source of
 * each field. */
static const char default_config[] =
	"{\"ociVersion\": \"" OCI_VERSION "\","
	" \"process\": {\"terminal\": true, \"user\": {\"uid\": 0, \"gid\": 0},"
	"  \"args\": [\"sh\"],"
	"  \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", \"TERM=xterm\"],"
	"  \"cwd\": \"/\","
	"  \"capabilities\": {"
	"   \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
	"   \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
	"   \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]},"
	"  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],"
	"  \"noNewPrivileges\": true},"
	" \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
	" \"hostname\": \"cx\","
	" \"mounts\": ["
	"  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
	"  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
	"   \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
	"  {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\","
	"   \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\"]},"
	"  {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\","
	"   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},"
	"  {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\","
	"   \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},"
	"  {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\","
	"   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},"
	"  {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\","
	"   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}],"
	" \"linux\": {"
	"  \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},"
	"  \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},"
	"   {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"cgroup\"}],"
	"  \"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\","
	"   \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\","
	"   \"/proc/sched_debug\", \"/proc/scsi\", \"/sys/firmware\", \"/sys/devices/virtual/powercap\"],"
	"  \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\","
	"   \"/proc/sysrq-trigger\"]}}";

/* spec without --print-chain: a new config.json in the bundle, never
 * over one that is there; a file we could not finish goes. */
static int write_spec(const char *bundle)
{
	json_error_t jerr;
	json_t *doc = json_loads(default_config, 0, &jerr);
	int dir, fd, rc = -1;
	char *text = NULL;

	if (!doc)
		return cx_fail(0, "spec: the default config.json does not parse: %s (line %d)",
			       jerr.text, jerr.line);
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (!text)
		return cx_fail(ENOMEM, "spec: json_dumps");
	dir = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		free(text);
		return cx_fail(errno, "spec: open the bundle %s", bundle);
	}
	fd = openat(dir, "config.json",
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = errno == EEXIST ?
			cx_fail(0, "spec: %s/config.json exists: spec writes a new one only (remove it first)", bundle) :
			cx_fail(errno, "spec: create %s/config.json", bundle);
	} else if (cx_write_all(fd, text, strlen(text)) < 0 ||
		   cx_write_all(fd, "\n", 1) < 0 ||
		   fsync(fd) < 0) {
		/* The file goes if it is still the one made here. */
		int err = errno;
		struct stat ours, there;

		if (fstat(fd, &ours) == 0 &&
		    fstatat(dir, "config.json", &there, AT_SYMLINK_NOFOLLOW) == 0 &&
		    ours.st_dev == there.st_dev && ours.st_ino == there.st_ino)
			unlinkat(dir, "config.json", 0);
		close(fd);
		rc = cx_fail(err, "spec: write %s/config.json", bundle);
	} else {
		rc = close(fd) < 0 ? cx_fail(errno, "spec: close %s/config.json", bundle) : 0;
	}
	close(dir);
	free(text);
	return rc;
}

static int do_spec(const struct ctx *c, char **ops)
{
	struct cx_oci_spec s;
	struct cx_words chain = { 0 }, notes = { 0 };

	if (ops[0])
		cx_usage_error("spec: no operand is taken");
	if (c->spec_rootless)
		return cx_fail(0, "spec --rootless: cx-oci runs containers as root only");
	if (!c->print_chain)
		return write_spec(c->bundle ? c->bundle : ".");
	if (cx_oci_load(c->bundle ? c->bundle : ".", "oci-chain", &s) < 0 ||
	    cx_oci_chain(&s, &(struct cx_oci_how){ false, false, cgroup2_only(),
			 cgroup_exists(s.cgroup_parent, s.cgroup_name) }, &chain, &notes) < 0) {
		cx_oci_free(&s);
		return -1;
	}
	print_chain(&chain, &notes, &s);
	cx_words_free(&chain);
	cx_words_free(&notes);
	cx_oci_free(&s);
	return 0;
}

/* --- exec: one more process in a running container ------------------------ */

/* The process to run: --process FILE as it is, or config.json's with
 * the command line's changes, as runc exec makes it. */
static json_t *exec_process(const struct ctx *c, const struct state *st,
			    const char *id, char **args, const char **where)
{
	struct cx_oci_spec s;
	json_t *proc, *v;
	json_error_t err;

	if (c->process) {
		*where = c->process;
		if (args[0]) {
			cx_fail(0, "exec: --process %s and a COMMAND: one or the other", c->process);
			return NULL;
		}
		proc = json_load_file(c->process, JSON_REJECT_DUPLICATES, &err);
		if (!proc)
			cx_fail(0, "%s: line %d: %s", c->process, err.line, err.text);
		return proc;
	}
	*where = "config.json";
	if (!args[0]) {
		cx_fail(0, "exec: no COMMAND, and no --process");
		return NULL;
	}
	if (cx_oci_load(st->bundle, id, &s) < 0)
		return NULL;
	proc = json_deep_copy(json_object_get(s.doc, "process"));
	cx_oci_free(&s);
	if (!proc || !(v = json_array())) {
		json_decref(proc);
		cx_fail(ENOMEM, "json");
		return NULL;
	}
	for (char **a = args; *a; a++)
		json_array_append_new(v, json_string(*a));
	json_object_set_new(proc, "args", v);
	v = json_object_get(proc, "env");
	if (!json_is_array(v)) {
		v = json_array();
		json_object_set_new(proc, "env", v);
	}
	for (size_t i = 0; i < c->env.n; i++)
		json_array_append_new(v, json_string(c->env.v[i]));
	if (c->cwd)
		json_object_set_new(proc, "cwd", json_string(c->cwd));
	if (c->nnp)
		json_object_set_new(proc, "noNewPrivileges", json_true());
	/* As runc exec: a terminal with --tty only, whatever config.json's
	 * process asks. */
	json_object_set_new(proc, "terminal", json_boolean(c->tty));
	if (c->user) {
		uint32_t uid, gid = 0;
		char *colon = strchr(c->user, ':'), u[16];

		if (!colon || (size_t)(colon - c->user) >= sizeof(u)) {
			colon = NULL;
			snprintf(u, sizeof(u), "%s", c->user);
		} else {
			snprintf(u, sizeof(u), "%.*s", (int)(colon - c->user), c->user);
		}
		if (cx_parse_u32(u, &uid) < 0 || (colon && cx_parse_u32(colon + 1, &gid) < 0)) {
			json_decref(proc);
			cx_fail(0, "exec: invalid --user '%s': UID[:GID], numbers", c->user);
			return NULL;
		}
		v = json_object_get(proc, "user");
		if (!json_is_object(v)) {
			v = json_object();
			json_object_set_new(proc, "user", v);
		}
		json_object_set_new(v, "uid", json_integer(uid));
		json_object_set_new(v, "gid", json_integer(gid));
	}
	if (c->caps.n) {
		json_t *caps = json_object_get(proc, "capabilities");

		if (!json_is_object(caps)) {
			caps = json_object();
			json_object_set_new(proc, "capabilities", caps);
		}
		for (const char *const *set = (const char *const[]){ "bounding", "effective", "permitted", NULL }; *set; set++) {
			json_t *arr = json_object_get(caps, *set);

			if (!json_is_array(arr)) {
				arr = json_array();
				json_object_set_new(caps, *set, arr);
			}
			for (size_t i = 0; i < c->caps.n; i++)
				json_array_append_new(arr, json_string(c->caps.v[i]));
		}
	}
	return proc;
}

static int do_exec(struct ctx *c, const char *id, char **args)
{
	struct cx_words chain = { 0 }, notes = { 0 };
	struct cx_oci_spec p = { .umask = -1 };
	struct state st;
	const char *where;
	json_t *proc;
	int status, rc = -1;
	bool ready = false;
	pid_t child;
	int console = -1, lend = -1, master = -1, bpf = -1;
	pid_t sender;

	check_id(id);
	if (read_state(c, id, &st) < 0)
		return -1;
	if (!strcmp(st.status, "stopped")) {
		cx_fail(0, "container %s is not running", id);
		goto out;
	}
	proc = exec_process(c, &st, id, args, &where);
	if (!proc)
		goto out;
	rc = cx_oci_load_process(proc, where, &p);
	json_decref(proc);
	if (rc < 0)
		goto out;
	rc = -1;
	if (c->tty && c->process)
		p.terminal = true;
	/* The container's filter, as runc gives every process of it. */
	if (!c->print_chain) {
		struct cx_oci_spec cfg;

		if (cx_oci_load(st.bundle, id, &cfg) < 0)
			goto out;
		bpf = cx_oci_seccomp(cfg.doc, &p.seccomp_flags);
		cx_oci_free(&cfg);
		if (bpf == -2)
			goto out;
		p.seccomp = bpf >= 0;
	}
	if (cx_oci_exec_chain(st.cg_parent, st.cg_name, st.pid, &p, !c->print_chain,
			      &chain, &notes) < 0)
		goto out;
	if (c->print_chain) {
		print_chain(&chain, &notes, &p);
		rc = 0;
		goto out;
	}
	/* The ready link's byte: the command is about to run.  Without
	 * it the chain stopped before, and its status is ours. */
	if (p.terminal && !c->console && !c->detach) {
		int sv[2];

		/* In the foreground, as run: ours lent to it. */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
			cx_fail(errno, "socketpair");
			goto out;
		}
		lend = sv[0];
		console = sv[1];
	} else {
		console = open_console(c, p.terminal, c->process ? "--process's terminal, or --tty" : "exec --tty");
		if (console < 0 && (p.terminal || c->console))
			goto out;
	}
	child = start_chain(&p, chain.v, c->preserve,
			    (int[N_EXTRA]){ -1, console, bpf }, &ready, &sender);
	bpf = -1;
	if (child < 0)
		goto out;
	if (lend >= 0 && ready) {
		master = recv_master(lend);
		lend = -1;
		if (master < 0) {
			kill(child, SIGKILL);
			goto out;
		}
	}
	if (ready && c->pidfile) {
		char num[16];

		/* The chain's process: cx-nsenter, the command's parent,
		 * which exits as the command does. */
		snprintf(num, sizeof(num), "%d", (int)child);
		if (write_atomic(c->pidfile, num) < 0) {
			kill(child, SIGKILL);
			goto out;
		}
	}
	if (ready && c->detach) {
		rc = 0;
		goto out;
	}
	if (master >= 0) {
		status = lend_terminal(master, child);
		master = -1;
	} else {
		while (waitpid(child, &status, 0) < 0)
			if (errno != EINTR) {
				cx_fail(errno, "wait for %d", (int)child);
				goto out;
			}
	}
	cx_oci_free(&p);
	cx_words_free(&chain);
	cx_words_free(&notes);
	json_decref(st.doc);
	cx_exit_like(status);
out:
	cx_oci_free(&p);
	cx_words_free(&chain);
	cx_words_free(&notes);
	json_decref(st.doc);
	if (lend >= 0)
		close(lend);
	if (master >= 0)
		close(master);
	if (bpf >= 0)
		close(bpf);
	return rc;
}

/* --- hold: the chain's last link before the command ------------------------ */

/* The terminal, made in the container: a pty of its devpts (through
 * its /dev/ptmx), its master sent on CONSOLE to the --console-socket's
 * listener, its slave our controlling terminal and standard streams in
 * a session of our own.  ROWS x COLS when given. */
static void make_terminal(int console, unsigned rows, unsigned cols,
			  const char *what)
{
	char name[32];
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	int master, slave, n, unlock = 0;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		cx_die_errno("%s: open /dev/ptmx in the container", what);
	if (ioctl(master, TIOCGPTN, &n) < 0)
		cx_die_errno("%s: /dev/ptmx in the container is no pty master", what);
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		cx_die_errno("%s: unlock /dev/pts/%d", what, n);
	if (rows || cols) {
		struct winsize ws = { .ws_row = (unsigned short)rows,
				      .ws_col = (unsigned short)cols };

		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			cx_die_errno("%s: set the size of /dev/pts/%d", what, n);
	}
	/* The slave through the master, not by a name in a tree the
	 * container owns. */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		cx_die_errno("%s: open /dev/pts/%d", what, n);
	if (setsid() < 0)
		cx_die_errno("%s: setsid", what);
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		cx_die_errno("%s: make /dev/pts/%d the controlling terminal", what, n);
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			cx_die_errno("%s: dup2", what);
	close(slave);
	/* runc's message: the terminal's name, the master beside it. */
	snprintf(name, sizeof(name), "/dev/pts/%d", n);
	iov = (struct iovec){ name, strlen(name) };
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof(int));
	while (sendmsg(console, &m, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			cx_die_errno("%s: send the terminal to the console socket", what);
	close(master);
	close(console);
}

/* cx-oci hold [--seccomp=FLAGS] [--tty[=ROWSxCOLS]] [NAME=VALUE]... --
 * COMMAND...: makes the terminal with --tty, says on its descriptor
 * that the container is made, waits on the FIFO until start, loads the
 * seccomp program with --seccomp, then runs COMMAND with exactly that
 * environment.  "ready" (exec) is the same without the wait.  The
 * descriptors cx-oci handed down, after the caller's: the sync socket,
 * the FIFO (hold), the console socket (--tty), the program (--seccomp). */
static noreturn void do_hold(char **argv, bool wait)
{
	const char *v = getenv(CX_PRESERVE_ENV), *what = wait ? "hold" : "ready";
	int ours = wait ? 2 : 1, keep = v ? atoi(v) : 0, sync_fd, fifo, fd;
	char path[64], num[16], **env = argv, **cmd, x;
	bool tty = false, seccomp = false;
	unsigned rows = 0, cols = 0, flags = 0;

	for (; *env && !strncmp(*env, "--", 2) && (*env)[2]; env++) {
		if (!strncmp(*env, "--tty", 5) &&
		    (!(*env)[5] || sscanf(*env, "--tty=%ux%u%c", &rows, &cols, &x) == 2))
			tty = true;
		else if (sscanf(*env, "--seccomp=%u%c", &flags, &x) == 1)
			seccomp = true;
		else
			cx_die("%s: unknown option '%s'", what, *env);
	}
	ours += tty + seccomp;
	if (keep < ours)
		cx_die("%s: run by cx-oci %s only", what, wait ? "create" : "exec");
	sync_fd = 3 + keep - ours;
	fifo = sync_fd + 1;
	for (cmd = env; *cmd && strcmp(*cmd, "--"); cmd++)
		if (!strchr(*cmd, '='))
			cx_die("%s: '%s' is no NAME=VALUE", what, *cmd);
	if (!*cmd || !cmd[1])
		cx_die("%s: no command", what);
	*cmd++ = NULL;
	if (tty)
		make_terminal(3 + keep - 1 - seccomp, rows, cols, what);
	if (write(sync_fd, "", 1) != 1)
		cx_die_errno("%s: tell cx-oci", what);
	close(sync_fd);
	if (!wait)
		goto run;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fifo);
	do
		fd = open(path, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		cx_die_errno("hold: open the start FIFO (%s: the container needs a /proc)", path);
	if (write(fd, "0", 1) != 1)
		cx_die_errno("hold: write the start FIFO");
	close(fd);
	close(fifo);
run:
	clearenv();
	for (; *env; env++)
		putenv(*env);
	if (keep > ours) {
		snprintf(num, sizeof(num), "%d", keep - ours);
		setenv(CX_PRESERVE_ENV, num, 1);
	}
	/* Last: from here on only the exec. */
	if (seccomp && cx_oci_seccomp_load(3 + keep - 1, flags) < 0)
		cx_die("%s: %s", what, cx_last_msg());
	cx_exec(-1, cmd);
}

/* cx-oci seccomp FLAGS COMMAND...: the link before cx-caps that loads
 * the seccomp program, the last descriptor cx-oci handed down, while
 * CAP_SYS_ADMIN is still held (no no_new_privs asked); the descriptor
 * is not passed on. */
static noreturn void do_seccomp(char **argv)
{
	const char *v = getenv(CX_PRESERVE_ENV);
	int keep = v ? atoi(v) : 0;
	unsigned flags;
	char num[16], x;

	if (keep < 2)
		cx_die("seccomp: run by cx-oci create or exec only");
	if (!argv[0] || sscanf(argv[0], "%u%c", &flags, &x) != 1 || !argv[1])
		cx_die("seccomp: usage: cx-oci seccomp FLAGS COMMAND...");
	if (cx_oci_seccomp_load(3 + keep - 1, flags) < 0)
		cx_die("seccomp: %s", cx_last_msg());
	snprintf(num, sizeof(num), "%d", keep - 1);
	setenv(CX_PRESERVE_ENV, num, 1);
	cx_exec(-1, argv + 1);
}

int main(int argc, char **argv)
{
	struct ctx c = { .root = DEFAULT_ROOT, .lend_fd = -1 };
	char **rest, **ops;
	const char *cmd;
	pid_t pid;
	int rc;

	cx_init("cx-oci");
	rest = cx_opt_parse(&tool, argc, argv, on_option, &c);
	cmd = rest[0];
	if (!cmd)
		cx_usage_error("no command given (create, start, run, state, kill, delete, exec, pause, resume, ps, list, update, spec)");
	if (!strcmp(cmd, "hold") || !strcmp(cmd, "ready"))
		do_hold(rest + 1, !strcmp(cmd, "hold"));
	if (!strcmp(cmd, "seccomp"))
		do_seccomp(rest + 1);
	{
		int n = 0;

		while (rest[n])
			n++;
		cmd_tool.usage = cmd;
		ops = cx_opt_parse(&cmd_tool, n, rest, on_option, &c);
	}
	if (c.spec_rootless && strcmp(cmd, "spec"))
		cx_usage_error("%s: --rootless is spec's (the global --rootless MODE goes before the command)", cmd);
	if (!strcmp(cmd, "spec")) {
		rc = do_spec(&c, ops);
	} else if (!strcmp(cmd, "list")) {
		if (ops[0])
			cx_usage_error("list: no operand is taken");
		rc = do_list(&c);
	} else if (!strcmp(cmd, "pause") || !strcmp(cmd, "resume") ||
		   !strcmp(cmd, "ps") || !strcmp(cmd, "update")) {
		check_id(ops[0]);
		if (ops[1])
			cx_usage_error("%s: too many operands", cmd);
		rc = !strcmp(cmd, "ps") ? do_ps(&c, ops[0]) :
		     !strcmp(cmd, "update") ? do_update(&c, ops[0]) :
		     do_pause(&c, ops[0], !strcmp(cmd, "pause"));
	} else if (!strcmp(cmd, "exec")) {
		if (!ops[0])
			cx_usage_error("exec: no container ID");
		rc = do_exec(&c, ops[0], ops + 1);
	} else if (!strcmp(cmd, "create") || !strcmp(cmd, "run") ||
		   !strcmp(cmd, "start") || !strcmp(cmd, "state") ||
		   !strcmp(cmd, "delete") || !strcmp(cmd, "kill")) {
		check_id(ops[0]);
		if (ops[1] && (strcmp(cmd, "kill") || ops[2]))
			cx_usage_error("%s: too many operands", cmd);
		if (!strcmp(cmd, "create"))
			rc = do_create(&c, ops[0], &pid);
		else if (!strcmp(cmd, "run"))
			rc = do_run(&c, ops[0]);
		else if (!strcmp(cmd, "start"))
			rc = do_start(&c, ops[0]);
		else if (!strcmp(cmd, "state"))
			rc = do_state(&c, ops[0]);
		else if (!strcmp(cmd, "delete"))
			rc = do_delete(&c, ops[0]);
		else
			rc = do_kill(&c, ops[0], ops[1]);
	} else {
		cx_usage_error("unknown command '%s' (create, start, run, state, kill, delete, exec, pause, resume, ps, list, update, spec)", cmd);
	}
	if (rc < 0)
		fail();
	return 0;
}
