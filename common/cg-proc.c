/* cx-cgroup's processes: moving them into a cgroup, forking into one,
 * listing the cgroups and their processes, killing them, and removing
 * the cgroups.  See cg.h. */
#include "cg-impl.h"

#include "die.h"
#include "parse.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cx_cg_join_self(const struct cx_cg_layout *l, const char *name,
		    bool v1_only)
{
	for (int i = 0; i < l->n; i++) {
		char *dir;
		int rc;

		if ((v1_only && l->h[i].version != 1) || !cx_cg_exists(l, i, name))
			continue;
		dir = cx_cg_path(l, i, name);
		rc = cx_cg_backend(l->h[i].version)->join_self(dir);
		free(dir);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int cx_cg_attach(const struct cx_cg_layout *l, const char *name, pid_t pid)
{
	char text[32];

	snprintf(text, sizeof(text), "%d", (int)pid);
	for (int i = 0; i < l->n; i++) {
		char *dir;
		int rc;

		if (!cx_cg_exists(l, i, name))
			continue;
		dir = cx_cg_path(l, i, name);
		rc = cx_cg_write(dir, "cgroup.procs", text);
		free(dir);
		if (rc < 0 && cx_last_errno() == ESRCH)
			return cx_fail(ESRCH, "attach %d", (int)pid);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int cx_cg_save_self(const struct cx_cg_layout *l, char **saved)
{
	for (int i = 0; i < l->n; i++) {
		saved[i] = cx_cg_own(&l->h[i]);
		if (!saved[i])
			return cx_fail(ENOENT, "find the caller's cgroup in %s",
				       l->h[i].mount);
	}
	return 0;
}

void cx_cg_restore_self(const struct cx_cg_layout *l, char **saved)
{
	for (int i = 0; i < l->n; i++) {
		if (saved[i])
			cx_cg_backend(l->h[i].version)->join_self(saved[i]);
		free(saved[i]);
		saved[i] = NULL;
	}
}

/* Walk DIR's sub-directories, depth first; FN gets each one's path
 * relative to TOP.  Returns -1 when FN does. */
struct walk {
	const char *top, *rel;
	int (*fn)(const char *rel, void *arg);
	void *arg;
};

static int walk(const char *top, const char *rel,
		int (*fn)(const char *rel, void *arg), void *arg);

static int walk_one(const char *name, void *p)
{
	const struct walk *w = p;
	char sub[PATH_MAX];
	int rc;

	snprintf(sub, sizeof(sub), "%s%s%s", w->rel, *w->rel ? "/" : "", name);
	if ((rc = w->fn(sub, w->arg)) == 0)
		rc = walk(w->top, sub, w->fn, w->arg);
	/* 1: a failure recorded below, told apart from the reader's. */
	return rc ? 1 : 0;
}

static int walk(const char *top, const char *rel,
		int (*fn)(const char *rel, void *arg), void *arg)
{
	struct walk w = { top, rel, fn, arg };
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s%s%s", top, *rel ? "/" : "", rel);
	rc = cx_cg_each_subdir(path, walk_one, &w);
	if (rc > 0)
		return -1;
	if (rc < 0 && errno != ENOENT)
		return cx_fail(errno, "open %s", path);
	return 0;
}

struct strs {
	char **v;
	int n, cap;
};

static int strs_add(struct strs *s, const char *str)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return 0;
	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		char **v = realloc(s->v, (size_t)cap * sizeof(*v));

		if (!v)
			return cx_fail(ENOMEM, "malloc");
		s->v = v;
		s->cap = cap;
	}
	if (!(s->v[s->n] = strdup(str)))
		return cx_fail(ENOMEM, "malloc");
	s->n++;
	return 0;
}

static int collect(const char *rel, void *arg)
{
	return strs_add(arg, rel);
}

/* As strcmp, but '/' sorts before every other byte, so that a cgroup's
 * children follow it at once ("a", "a/b", "a-c"). */
static int by_name(const void *a, const void *b)
{
	const unsigned char *x = *(unsigned char *const *)a;
	const unsigned char *y = *(unsigned char *const *)b;

	for (; *x && *x == *y; x++, y++)
		;
	if (*x == '/' && *y)
		return -1;
	if (*y == '/' && *x)
		return 1;
	return (int)*x - (int)*y;
}

int cx_cg_list(const struct cx_cg_layout *l, const char *name, char ***out,
	       int *n)
{
	struct strs s = { 0 };

	for (int i = 0; i < l->n; i++) {
		char *top = cx_cg_path(l, i, name);
		int rc = walk(top, "", collect, &s);

		free(top);
		if (rc < 0) {
			cx_cg_list_free(s.v, s.n);
			return -1;
		}
	}
	if (s.n)
		qsort(s.v, (size_t)s.n, sizeof(*s.v), by_name);
	*out = s.v;
	*n = s.n;
	return 0;
}

void cx_cg_list_free(char **list, int n)
{
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

int cx_cg_children(const struct cx_cg_layout *l, const char *name,
		   int *count)
{
	char **list;

	if (cx_cg_list(l, name, &list, count) < 0)
		return -1;
	cx_cg_list_free(list, *count);
	return 0;
}

struct pids {
	pid_t *v;
	int n, cap;
};

static int read_procs(const char *dir, struct pids *p)
{
	char path[PATH_MAX], small[1024], *text = small, *line, *save = NULL;
	int fit;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if ((fit = cx_cg_read_small(path, small, sizeof(small))) < 0 ||
	    (!fit && !(text = cx_cg_slurp(path))))
		return errno == ENOENT ? 0 : cx_fail(errno, "read %s", path);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		uint32_t v;
		bool seen = false;

		if (cx_parse_u32(line, &v) < 0)
			continue;
		for (int i = 0; i < p->n && !seen; i++)
			seen = p->v[i] == (pid_t)v;
		if (seen)
			continue;
		if (p->n == p->cap) {
			int cap = p->cap ? p->cap * 2 : 64;
			pid_t *nv = realloc(p->v, (size_t)cap * sizeof(*nv));

			if (!nv) {
				if (text != small)
					free(text);
				return cx_fail(ENOMEM, "malloc");
			}
			p->v = nv;
			p->cap = cap;
		}
		p->v[p->n++] = (pid_t)v;
	}
	if (text != small)
		free(text);
	return 0;
}

/* The processes of NAME and below in every hierarchy. */
static int all_procs(const struct cx_cg_layout *l, const char *name,
		     struct pids *p)
{
	char **list;
	int n;

	if (cx_cg_list(l, name, &list, &n) < 0)
		return -1;
	for (int i = 0; i < l->n; i++) {
		char *top = cx_cg_path(l, i, name);
		int rc = read_procs(top, p);

		for (int j = 0; j < n && rc == 0; j++) {
			char *sub = cx_cg_join(top, list[j]);

			rc = sub ? read_procs(sub, p) : cx_fail(ENOMEM, "malloc");
			free(sub);
		}
		free(top);
		if (rc < 0) {
			cx_cg_list_free(list, n);
			return -1;
		}
	}
	cx_cg_list_free(list, n);
	return 0;
}

int cx_cg_pids(const struct cx_cg_layout *l, const char *name, pid_t **v,
	       int *n)
{
	struct pids p = { 0 };

	if (all_procs(l, name, &p) < 0) {
		free(p.v);
		return -1;
	}
	*v = p.v;
	*n = p.n;
	return 0;
}

int cx_cg_procs(const struct cx_cg_layout *l, const char *name, int *count,
		bool *self)
{
	pid_t *v;
	int n;

	if (cx_cg_pids(l, name, &v, &n) < 0)
		return -1;
	*self = false;
	for (int i = 0; i < n; i++)
		if (v[i] == getpid())
			*self = true;
	*count = n;
	free(v);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&t, NULL);
}

/* Is PID in NAME or below, in one of the hierarchies? */
static bool in_cgroup(const struct cx_cg_layout *l, const char *name,
		      pid_t pid)
{
	char path[64], *text;
	bool in = false;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (!(text = cx_cg_slurp(path)))
		return false;
	for (int i = 0; i < l->n && !in; i++) {
		char *copy = strdup(text), *at = copy ? cx_cg_in(&l->h[i], copy) : NULL;
		char *top = cx_cg_path(l, i, name);
		size_t len = strlen(top);

		in = at && strncmp(at, top, len) == 0 &&
		     (at[len] == '/' || at[len] == '\0');
		free(top);
		free(at);
		free(copy);
	}
	free(text);
	return in;
}

/* SIGKILL PID if it is still in NAME or below.  The number was read from
 * a cgroup.procs file: since then the process may have exited and the
 * number gone to another one, outside.  A pidfd holds on to the process
 * that the check is about (5.3); without one, kill(2) right after the
 * check. */
static void kill_member(const struct cx_cg_layout *l, const char *name,
			pid_t pid)
{
	int fd = cx_pidfd_open(pid, 0);

	if (fd < 0 && errno == ESRCH)
		return;
	if (in_cgroup(l, name, pid)) {
		if (fd >= 0)
			cx_pidfd_send_signal(fd, SIGKILL);
		else
			kill(pid, SIGKILL);
	}
	if (fd >= 0)
		close(fd);
}

/* Is PID on its way out: SIGKILL pending, exiting (PF_EXITING, set first
 * thing in do_exit), a zombie, or gone? */
static bool dying(pid_t pid)
{
	char path[64], *text, *p, state = 0;
	unsigned long long flags = 0;
	bool yes = false;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(text = cx_cg_slurp(path)))
		return true;
	/* The command name may hold anything: the fields follow its
	 * last ')'.  flags is the ninth field. */
	if ((p = strrchr(text, ')')) &&
	    sscanf(p + 1, " %c %*d %*d %*d %*d %*d %llu", &state, &flags) == 2)
		yes = state == 'Z' || state == 'X' || (flags & 0x4);
	free(text);
	if (yes)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(text = cx_cg_slurp(path)))
		return true;
	for (char *line = text; line && *line && !yes;) {
		unsigned long long set;

		if ((strncmp(line, "SigPnd:", 7) == 0 ||
		     strncmp(line, "ShdPnd:", 7) == 0) &&
		    sscanf(line + 7, "%llx", &set) == 1)
			yes = set & (1ULL << (SIGKILL - 1));
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	free(text);
	return yes;
}

int cx_cg_procs_left(const struct cx_cg_layout *l, const char *name,
		     int *count, bool *self)
{
	/* A process between the dequeue of its SIGKILL and do_exit shows
	 * no sign of it: the first looks do not decide. */
	for (int round = 0; round < 2000; round++) {
		int n, alive = 0;
		pid_t *v;

		if (cx_cg_pids(l, name, &v, &n) < 0)
			return -1;
		*self = false;
		for (int i = 0; i < n; i++) {
			if (v[i] == getpid())
				*self = true;
			else if (!dying(v[i]))
				alive++;
		}
		free(v);
		*count = n;
		if (n == 0 || *self || (alive && round >= 2))
			return 0;
		sleep_ms(1);
	}
	return 0;
}

/* Kill what is in NAME and below until nothing is left: each round
 * freezes FREEZE_DIR (when not NULL) with FZ so that nothing forks
 * while the signals go out, kills, and thaws. */
static int kill_loop(const struct cx_cg_layout *l, const char *name,
		     const char *freeze_dir, const struct cx_cg_freezer *fz)
{
	/* A process that forks while we kill leaves a child behind; the
	 * freezer stops that, and without one we go round again. */
	for (int round = 0; round < 500; round++) {
		pid_t *v;
		int n;
		bool frozen = false;

		if (freeze_dir && cx_cg_write(freeze_dir, fz->file, fz->freeze) == 0) {
			frozen = true;
			for (int i = 0; i < 1000 && !fz->frozen(freeze_dir); i++)
				sleep_ms(1);
		}
		if (cx_cg_pids(l, name, &v, &n) < 0)
			return -1;
		for (int i = 0; i < n; i++)
			if (v[i] != getpid())
				kill_member(l, name, v[i]);
		free(v);
		/* A frozen process dies of SIGKILL once thawed. */
		if (frozen)
			cx_cg_write(freeze_dir, fz->file, fz->thaw);
		if (n == 0)
			return 0;
		sleep_ms(round < 10 ? 1 : 10);
	}
	return cx_fail(EBUSY, "kill the processes in %s", name);
}

/* Wait up to 5 s until NAME and below hold no process. */
static int wait_empty(const struct cx_cg_layout *l, const char *name)
{
	for (int i = 0; i < 5000; i++) {
		pid_t *v;
		int n;

		if (cx_cg_pids(l, name, &v, &n) < 0)
			return -1;
		free(v);
		if (n == 0)
			return 0;
		sleep_ms(1);
	}
	return cx_fail(EBUSY, "wait for %s to be empty", name);
}

/* The directory of NAME whose freezer serves it, and that freezer:
 * cgroup2's cgroup.freeze where NAME is there and the kernel has it
 * (5.2), else v1's freezer controller.  NULL when neither. */
static char *freezer_of(const struct cx_cg_layout *l, const char *name,
			const struct cx_cg_freezer **fz)
{
	char *dir;

	if (l->v2 >= 0 && cx_cg_exists(l, l->v2, name)) {
		char *file;
		bool has;

		dir = cx_cg_path(l, l->v2, name);
		file = cx_cg_join(dir, cx_cg_v2.freezer->file);
		has = file && access(file, F_OK) == 0;
		free(file);
		if (has) {
			*fz = cx_cg_v2.freezer;
			return dir;
		}
		free(dir);
	}
	*fz = cx_cg_v1.freezer;
	return cx_cg_dir_of(l, name, NULL, cx_cg_v1.freezer->v1ctl, 1);
}

int cx_cg_freeze(const struct cx_cg_layout *l, const char *name, bool freeze)
{
	const struct cx_cg_freezer *fz;
	char *dir = freezer_of(l, name, &fz);
	int rc = 0;

	if (!dir)
		return cx_fail(ENOENT, "%s: no freezer (cgroup.freeze, or v1's freezer controller)",
			       name);
	cx_say("write %s to %s/%s", freeze ? fz->freeze : fz->thaw, dir, fz->file);
	if (cx_cg_write(dir, fz->file, freeze ? fz->freeze : fz->thaw) < 0) {
		free(dir);
		return -1;
	}
	/* Frozen only once every task has stopped: wait (5 s at most). */
	for (int i = 0; freeze && !fz->frozen(dir); i++) {
		if (i == 5000) {
			rc = cx_fail(EBUSY, "%s: freeze", dir);
			cx_cg_write(dir, fz->file, fz->thaw);
			break;
		}
		sleep_ms(1);
	}
	free(dir);
	return rc;
}

int cx_cg_frozen(const struct cx_cg_layout *l, const char *name)
{
	const struct cx_cg_freezer *fz;
	char *dir = freezer_of(l, name, &fz);
	int rc;

	if (!dir)
		return -1;
	rc = fz->frozen(dir);
	free(dir);
	return rc;
}

/* Kill what is in NAME and below in the hierarchies of backend B: at
 * once where it can, else round by round under its freezer. */
static int kill_in(const struct cx_cg_layout *l, const char *name,
		   const struct cx_cg_backend *b)
{
	const struct cx_cg_freezer *fz = b->freezer;
	char *dir = NULL;
	int rc = -1;

	if (!fz->v1ctl && l->v2 >= 0 && cx_cg_exists(l, l->v2, name))
		dir = cx_cg_path(l, l->v2, name);
	else if (fz->v1ctl)
		dir = cx_cg_dir_of(l, name, NULL, fz->v1ctl, 1);
	if (dir && b->kill)
		rc = b->kill(dir);
	if (rc < 0 && (!dir || !b->kill || cx_last_errno() == ENOENT))
		rc = kill_loop(l, name, dir, fz);
	free(dir);
	return rc;
}

int cx_cg_kill(const struct cx_cg_layout *l, const char *name)
{
	/* cgroup.kill reaches every process in the subtree at once; v1
	 * then picks up what joined a v1 hierarchy only. */
	if (l->v2 >= 0 && cx_cg_exists(l, l->v2, name) &&
	    kill_in(l, name, &cx_cg_v2) < 0)
		return -1;
	if (l->v1 && kill_in(l, name, &cx_cg_v1) < 0)
		return -1;
	return wait_empty(l, name);
}

pid_t cx_cg_spawn_into(const struct cx_cg_layout *l, const char *name,
		       void (*fn)(void *), void *arg, bool own_memory)
{
	pid_t pid;

#if !CX_HAVE_VFORK3
	(void)own_memory;
#endif
	if (l->v2 >= 0 && cx_cg_exists(l, l->v2, name)) {
		char *dir = cx_cg_path(l, l->v2, name);
		int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct cx_clone_args args = {
			.flags = CX_CLONE_INTO_CGROUP,
			.exit_signal = SIGCHLD,
		};
		long r;

		if (fd < 0) {
			cx_fail(errno, "open %s", dir);
			free(dir);
			return -1;
		}
		args.cgroup = (uint64_t)fd;
		cx_say("clone the command's process into %s", dir);
		/* Not one instruction of the child runs outside. */
#if CX_HAVE_VFORK3
		if (!own_memory) {
			args.flags |= CLONE_VM | CLONE_VFORK;
			r = cx_vfork3(&args, sizeof(args));
		} else
#endif
		{
			r = cx_clone3(&args);
			if (r < 0)
				r = -errno;
		}
		if (r == 0) {
			/* The child, maybe on our stack, which it must not
			 * leave: the v1 hierarchies, then FN. */
			if (cx_cg_join_self(l, name, true) < 0) {
				cx_warn_last();
				_exit(CX_EXIT_FAIL);
			}
			fn(arg);
			_exit(CX_EXIT_FAIL);
		}
		close(fd);
		/* Before 5.3 (ENOSYS) or 5.7 (E2BIG: no cgroup field): the
		 * way below. */
		if (r < 0 && r != -ENOSYS && r != -E2BIG) {
			cx_fail((int)-r, "clone3 into %s", dir);
			free(dir);
			return -1;
		}
		free(dir);
		if (r > 0)
			return (pid_t)r;
	}
	/* v1, or a kernel before 5.7: fork, and the child joins before it
	 * goes on; writing "0" to a v1 tasks file moves only the writer,
	 * which spares the kernel the wait for the threadgroup lock. */
	pid = fork();
	if (pid < 0)
		return cx_fail(errno, "fork");
	if (pid == 0) {
		if (cx_cg_join_self(l, name, false) < 0) {
			cx_warn_last();
			_exit(CX_EXIT_FAIL);
		}
		fn(arg);
		_exit(CX_EXIT_FAIL);
	}
	return pid;
}

int cx_cg_remove(const struct cx_cg_layout *l, const char *name,
		 bool recursive)
{
	char **list = NULL;
	int n = 0;

	if (recursive && cx_cg_list(l, name, &list, &n) < 0)
		return -1;
	/* Deepest first: in reverse order a child comes before its
	 * parent. */
	for (int j = n - 1; j >= -1; j--) {
		for (int i = 0; i < l->n; i++) {
			char *top = cx_cg_path(l, i, name);
			char *dir = j >= 0 ? cx_cg_join(top, list[j]) : strdup(top);
			int rc = dir ? 0 : cx_fail(ENOMEM, "malloc");

			if (dir && cx_cg_is_dir(dir))
				rc = cx_cg_rmdir(dir);
			free(dir);
			free(top);
			if (rc < 0) {
				cx_cg_list_free(list, n);
				return -1;
			}
		}
	}
	cx_cg_list_free(list, n);
	return 0;
}

