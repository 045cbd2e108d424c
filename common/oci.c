/* config.json to a cx chain.  jansson reads the document (Debian's
 * libjansson: a small, maintained C library with strict RFC 8259
 * parsing and clear error positions); the rest is the translation,
 * one config.json section at a time, in the order the chain runs. */
#include "oci.h"
#include "capability.h"
#include "die.h"
#include "ns.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* --- words ---------------------------------------------------------- */

static int words_take(struct cx_words *w, char *s)
{
	if (!s)
		return cx_fail(ENOMEM, "malloc");
	if (w->n + 2 > w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		char **v = realloc(w->v, cap * sizeof(*v));

		if (!v) {
			free(s);
			return cx_fail(ENOMEM, "malloc");
		}
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n++] = s;
	w->v[w->n] = NULL;
	return 0;
}

int cx_words_add(struct cx_words *w, const char *s)
{
	return words_take(w, strdup(s));
}

int cx_words_addf(struct cx_words *w, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return words_take(w, n < 0 ? NULL : s);
}

void cx_words_free(struct cx_words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	*w = (struct cx_words){ 0 };
}

/* --- reading --------------------------------------------------------- */

/* The file the messages name. */
static const char *config_shown;

static int bad(const char *where, const char *what)
{
	return cx_fail(0, "%s: %s must be %s", config_shown, where, what);
}

/* OBJ[KEY] if it is a string (NULL when absent); -1 for another kind. */
static int get_str(json_t *obj, const char *key, const char *where,
		   const char **out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bad(where, "a string");
	*out = json_string_value(v);
	return 0;
}

static int get_obj(json_t *obj, const char *key, const char *where,
		   json_t **out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return bad(where, "an object");
	*out = v;
	return 0;
}

static int get_arr(json_t *obj, const char *key, const char *where,
		   json_t **out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return bad(where, "an array");
	*out = v;
	return 0;
}

/* An integer, *present false when absent. */
static int get_int(json_t *obj, const char *key, const char *where,
		   long long *out, bool *present)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	bool ignored;

	if (!present)
		present = &ignored;
	*present = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return bad(where, "an integer");
	*out = json_integer_value(v);
	*present = true;
	return 0;
}

/* An array of strings into W. */
static int get_strings(json_t *obj, const char *key, const char *where,
		       struct cx_words *w)
{
	json_t *arr, *v;
	size_t i;

	if (get_arr(obj, key, where, &arr) < 0)
		return -1;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return bad(where, "an array of strings");
		if (cx_words_add(w, json_string_value(v)) < 0)
			return -1;
	}
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE }, { "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS }, { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

static int load_rlimits(json_t *proc, struct cx_oci_spec *s)
{
	json_t *arr, *v;
	size_t i;

	if (get_arr(proc, "rlimits", "process.rlimits", &arr) < 0)
		return -1;
	json_array_foreach(arr, i, v) {
		const char *type;
		long long soft = 0, hard = 0;
		bool has_soft, has_hard;
		size_t k;

		if (get_str(v, "type", "process.rlimits[].type", &type) < 0 ||
		    get_int(v, "soft", "process.rlimits[].soft", &soft, &has_soft) < 0 ||
		    get_int(v, "hard", "process.rlimits[].hard", &hard, &has_hard) < 0)
			return -1;
		for (k = 0; type && k < sizeof(rlimit_names) / sizeof(*rlimit_names); k++)
			if (strcmp(type, rlimit_names[k].name) == 0)
				break;
		if (!type || k == sizeof(rlimit_names) / sizeof(*rlimit_names))
			return cx_fail(0, "%s: process.rlimits: unknown type '%s'",
				       config_shown, type ? type : "");
		if (s->nrlimits == sizeof(s->rlimits) / sizeof(*s->rlimits))
			return cx_fail(0, "%s: process.rlimits: too many", config_shown);
		s->rlimits[s->nrlimits++] = (struct cx_oci_rlimit){
			rlimit_names[k].resource, rlimit_names[k].name,
			{ (rlim_t)soft, (rlim_t)hard }
		};
	}
	return 0;
}

static int load_process(json_t *proc, struct cx_oci_spec *s)
{
	json_t *user, *size;
	long long mask, rows = 0, cols = 0;
	bool has;

	if (!proc)
		return cx_fail(0, "%s: no process", config_shown);
	if (!json_is_object(proc))
		return bad("process", "an object");
	s->terminal = json_is_true(json_object_get(proc, "terminal"));
	if (get_strings(proc, "args", "process.args", &s->args) < 0 ||
	    get_strings(proc, "env", "process.env", &s->env) < 0 ||
	    load_rlimits(proc, s) < 0 ||
	    get_obj(proc, "user", "process.user", &user) < 0 ||
	    get_int(user, "umask", "process.user.umask", &mask, &has) < 0 ||
	    get_obj(proc, "consoleSize", "process.consoleSize", &size) < 0 ||
	    get_int(size, "height", "process.consoleSize.height", &rows, NULL) < 0 ||
	    get_int(size, "width", "process.consoleSize.width", &cols, NULL) < 0)
		return -1;
	if (rows < 0 || rows > 65535 || cols < 0 || cols > 65535)
		return bad("process.consoleSize", "0 to 65535 rows and columns");
	s->rows = (unsigned)rows;
	s->cols = (unsigned)cols;
	if (!s->args.n)
		return cx_fail(0, "%s: process.args is empty: no command to run",
			       config_shown);
	s->umask = has ? (int)(mask & 0777) : -1;
	return 0;
}

static char *absolute(const char *base, const char *path)
{
	char *s;

	if (path[0] == '/')
		return strdup(path);
	if (asprintf(&s, "%s/%s", base, path) < 0)
		return NULL;
	return s;
}

/* cgroupsPath "/a/b/c": c below /a/b.  A relative one is below the cx
 * base, as cx-cgroup's NAME; systemd's "slice:prefix:name" is not
 * cgroupfs's, and refused. */
static int load_cgroup(json_t *lnx, const char *id, struct cx_oci_spec *s)
{
	const char *path;

	if (get_str(lnx, "cgroupsPath", "linux.cgroupsPath", &path) < 0)
		return -1;
	if (!path || !*path) {
		s->cgroup_name = strdup(id);
		return s->cgroup_name ? 0 : cx_fail(ENOMEM, "malloc");
	}
	if (strchr(path, ':'))
		return cx_fail(0, "%s: linux.cgroupsPath '%s' is systemd's form (slice:prefix:name): cx-oci makes cgroups itself (podman: --cgroup-manager cgroupfs)",
			       config_shown, path);
	if (path[0] != '/') {
		s->cgroup_name = strdup(path);
		return s->cgroup_name ? 0 : cx_fail(ENOMEM, "malloc");
	}
	/* From the hierarchies' root; cx-cgroup makes what is missing
	 * above the container's cgroup. */
	while (*path == '/')
		path++;
	s->cgroup_parent = strdup("/");
	s->cgroup_name = strdup(path);
	if (!s->cgroup_parent || !s->cgroup_name)
		return cx_fail(ENOMEM, "malloc");
	if (!*s->cgroup_name)
		return cx_fail(0, "%s: linux.cgroupsPath names no cgroup", config_shown);
	return 0;
}

static const struct {
	const char *oci;
	int index;
} ns_names[] = {
	{ "pid", CX_NS_PID }, { "network", CX_NS_NET }, { "mount", CX_NS_MNT },
	{ "ipc", CX_NS_IPC }, { "uts", CX_NS_UTS }, { "user", CX_NS_USER },
	{ "cgroup", CX_NS_CGROUP }, { "time", CX_NS_TIME },
};

static int load_namespaces(json_t *lnx, struct cx_oci_spec *s,
			   bool *wanted)
{
	json_t *arr, *v;
	size_t i;

	if (get_arr(lnx, "namespaces", "linux.namespaces", &arr) < 0)
		return -1;
	json_array_foreach(arr, i, v) {
		const char *type, *path;
		size_t k;

		if (get_str(v, "type", "linux.namespaces[].type", &type) < 0 ||
		    get_str(v, "path", "linux.namespaces[].path", &path) < 0)
			return -1;
		for (k = 0; type && k < sizeof(ns_names) / sizeof(*ns_names); k++)
			if (strcmp(type, ns_names[k].oci) == 0)
				break;
		if (!type || k == sizeof(ns_names) / sizeof(*ns_names))
			return cx_fail(0, "%s: linux.namespaces: unknown type '%s'",
				       config_shown, type ? type : "");
		if (path && *path) {
			s->ns_path[ns_names[k].index] = strdup(path);
			if (!s->ns_path[ns_names[k].index])
				return cx_fail(ENOMEM, "malloc");
		} else {
			wanted[ns_names[k].index] = true;
		}
	}
	s->pid_ns = wanted[CX_NS_PID];
	s->user_ns = wanted[CX_NS_USER];
	return 0;
}

int cx_oci_load(const char *bundle, const char *id, struct cx_oci_spec *s)
{
	char file[PATH_MAX];
	json_error_t err;
	json_t *doc, *root, *lnx, *sysctl, *v;
	const char *path, *key;
	bool wanted[CX_NS_COUNT] = { false };

	*s = (struct cx_oci_spec){ .umask = -1 };
	s->bundle = realpath(bundle, NULL);
	if (!s->bundle)
		return cx_fail(errno, "open bundle %s", bundle);
	snprintf(file, sizeof(file), "%s/config.json", s->bundle);
	config_shown = "config.json";
	doc = json_load_file(file, JSON_REJECT_DUPLICATES, &err);
	if (!doc)
		return cx_fail(0, "read %s: line %d column %d: %s", file,
			       err.line, err.column, err.text);
	s->doc = doc;
	if (!json_is_object(doc))
		return bad("the document", "an object");
	if (load_process(json_object_get(doc, "process"), s) < 0 ||
	    get_obj(doc, "root", "root", &root) < 0 ||
	    get_str(root, "path", "root.path", &path) < 0 ||
	    get_obj(doc, "linux", "linux", &lnx) < 0)
		return -1;
	if (!path)
		return cx_fail(0, "%s: no root.path", config_shown);
	s->rootfs = absolute(s->bundle, path);
	if (!s->rootfs)
		return cx_fail(ENOMEM, "malloc");
	if (load_cgroup(lnx, id, s) < 0 || load_namespaces(lnx, s, wanted) < 0 ||
	    get_obj(lnx, "sysctl", "linux.sysctl", &sysctl) < 0)
		return -1;
	json_object_foreach(sysctl, key, v) {
		if (!json_is_string(v))
			return bad("linux.sysctl", "an object of strings");
		if (cx_words_addf(&s->sysctl, "%s=%s", key, json_string_value(v)) < 0)
			return -1;
	}
	/* A mount namespace joined by path would get the container's
	 * mounts and its pivot, as runc makes them there: shared with who
	 * else is in it, and left there by a create that fails half way. */
	if (s->ns_path[CX_NS_MNT])
		return cx_fail(0, "%s: linux.namespaces: a mount namespace joined by path (%s) is refused: the container's mounts and pivot would be made in a namespace others share, and a failed create would leave them there; cx-oci builds every container in a new one",
			       config_shown, s->ns_path[CX_NS_MNT]);
	if (!wanted[CX_NS_MNT])
		return cx_fail(0, "%s: linux.namespaces has no new mount namespace: cx-oci builds every container in one",
			       config_shown);
	return 0;
}

void cx_oci_free(struct cx_oci_spec *s)
{
	if (s->doc)
		json_decref(s->doc);
	free(s->bundle);
	free(s->rootfs);
	free(s->cgroup_parent);
	free(s->cgroup_name);
	for (size_t i = 0; i < sizeof(s->ns_path) / sizeof(*s->ns_path); i++)
		free(s->ns_path[i]);
	cx_words_free(&s->env);
	cx_words_free(&s->args);
	cx_words_free(&s->sysctl);
	*s = (struct cx_oci_spec){ .umask = -1 };
}

int cx_oci_load_process(void *proc, const char *where, struct cx_oci_spec *p)
{
	*p = (struct cx_oci_spec){ .umask = -1 };
	config_shown = where;
	p->doc = json_incref(proc);
	return load_process(proc, p);
}

/* --- the chain ---------------------------------------------------------- */

/* ':' and '\' escaped, for cx-bind's SOURCE:TARGET:OPTIONS. */
static char *esc(const char *p)
{
	char *s = malloc(strlen(p) * 2 + 1), *o = s;

	if (!s)
		return NULL;
	for (; *p; p++) {
		if (*p == ':' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o = '\0';
	return s;
}

/* cx-cgroup run's limits from linux.resources. */
static int chain_cgroup(json_t *res, struct cx_words *c, struct cx_words *notes)
{
	json_t *mem, *cpu, *pids;
	long long v, limit = 0, period = 0;
	bool has, has_limit, has_period;
	const char *cpus;

	if (get_obj(res, "memory", "linux.resources.memory", &mem) < 0 ||
	    get_obj(res, "cpu", "linux.resources.cpu", &cpu) < 0 ||
	    get_obj(res, "pids", "linux.resources.pids", &pids) < 0)
		return -1;
	if (get_int(mem, "limit", "linux.resources.memory.limit", &limit, &has_limit) < 0)
		return -1;
	if (has_limit && limit > 0 && cx_words_addf(c, "--memory=%lld", limit) < 0)
		return -1;
	/* OCI's swap is memory and swap together; cx-cgroup's is on top. */
	if (get_int(mem, "swap", "linux.resources.memory.swap", &v, &has) < 0)
		return -1;
	if (has && v < 0 && cx_words_add(c, "--memory-swap=max") < 0)
		return -1;
	if (has && v > 0 && has_limit && limit > 0 &&
	    cx_words_addf(c, "--memory-swap=%lld", v > limit ? v - limit : 0) < 0)
		return -1;
	if (get_int(pids, "limit", "linux.resources.pids.limit", &v, &has) < 0)
		return -1;
	if (has && cx_words_addf(c, v > 0 ? "--pids=%lld" : "--pids=max", v) < 0)
		return -1;
	/* cpu.shares 2..262144 to a weight 1..10000, as runc and crun. */
	if (get_int(cpu, "shares", "linux.resources.cpu.shares", &v, &has) < 0)
		return -1;
	if (has && v > 0 &&
	    cx_words_addf(c, "--cpu-weight=%lld",
			  1 + ((v < 2 ? 2 : v > 262144 ? 262144 : v) - 2) * 9999 / 262142) < 0)
		return -1;
	if (get_int(cpu, "quota", "linux.resources.cpu.quota", &limit, &has_limit) < 0 ||
	    get_int(cpu, "period", "linux.resources.cpu.period", &period, &has_period) < 0)
		return -1;
	if (has_limit && limit > 0) {
		long long p = has_period && period > 0 ? period : 100000;

		/* Five decimals: cx-cgroup's (microseconds of its period). */
		if (cx_words_addf(c, "--cpus=%lld.%05lld", limit / p,
				  (limit % p) * 100000 / p) < 0)
			return -1;
		if (p != 100000 &&
		    cx_words_addf(notes, "cpu.period %lld: cx-cgroup keeps the kernel's period (100 ms), with the same share of it", p) < 0)
			return -1;
	}
	if (get_str(cpu, "cpus", "linux.resources.cpu.cpus", &cpus) < 0)
		return -1;
	if (cpus && *cpus && cx_words_addf(c, "--cpuset=%s", cpus) < 0)
		return -1;
	return 0;
}

static const char *const default_devices[] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
	"/dev/tty", NULL,
};

int cx_oci_resources(void *res, struct cx_words *c, struct cx_words *notes)
{
	config_shown = "resources";
	if (!json_is_object((json_t *)res))
		return bad("resources", "an object (linux.resources)");
	return chain_cgroup(res, c, notes);
}

/* A number of a device rule: "*" when absent. */
static int dev_number(json_t *r, const char *key, const char *where,
		      char *out, size_t len)
{
	long long v;
	bool has;

	if (get_int(r, key, where, &v, &has) < 0)
		return -1;
	if (has && v < 0)
		return bad(where, "a number of 0 or more");
	if (has)
		snprintf(out, len, "%lld", v);
	else
		snprintf(out, len, "*");
	return 0;
}

/* linux.resources.devices, which the runtime spec calls an allowlist:
 * as runc applies it, on top of "deny every device" (so that rules
 * without a deny-all first, or none at all, still leave the container
 * only what they allow), as cx-cgroup's --device-deny and
 * --device-allow, in order; then, as runc appends them, the devices the
 * container is given (the default ones, linux.devices, its own
 * devpts's ptmx and terminals), which a "deny all" must not take away
 * from it. */
static int chain_devices(json_t *lnx, json_t *res, bool exists,
			 struct cx_words *c, struct cx_words *notes)
{
	json_t *rules, *devs, *r;
	size_t i;

	if (get_arr(res, "devices", "linux.resources.devices", &rules) < 0 ||
	    get_arr(lnx, "devices", "linux.devices", &devs) < 0)
		return -1;
	if (exists)
		return cx_words_add(notes, "linux.resources.devices: the cgroup exists (another container's): the device rules it was made with stand");
	if (cx_words_add(c, "--device-deny=a") < 0)
		return -1;
	json_array_foreach(rules, i, r) {
		const char *where = "linux.resources.devices[]", *type, *access;
		const char *opt = json_is_true(json_object_get(r, "allow")) ?
				  "--device-allow" : "--device-deny";
		char major[24], minor[24];

		if (!json_is_boolean(json_object_get(r, "allow")))
			return bad("linux.resources.devices[].allow", "true or false");
		if (get_str(r, "type", where, &type) < 0 ||
		    get_str(r, "access", where, &access) < 0 ||
		    dev_number(r, "major", where, major, sizeof(major)) < 0 ||
		    dev_number(r, "minor", where, minor, sizeof(minor)) < 0)
			return -1;
		if (!access)
			access = "rwm";
		if (!*access || strspn(access, "rwm") != strlen(access))
			return bad("linux.resources.devices[].access", "some of r, w and m");
		if (type && strcmp(type, "a") && strcmp(type, "c") && strcmp(type, "b"))
			return bad("linux.resources.devices[].type", "a, c or b");
		/* Every device, every access: "a"; every device with less
		 * (or some numbers): as one rule for each type. */
		if ((!type || !strcmp(type, "a")) && !strcmp(major, "*") &&
		    !strcmp(minor, "*") && strlen(access) == 3 &&
		    strchr(access, 'r') && strchr(access, 'w') && strchr(access, 'm')) {
			/* The deny-all that podman and containerd begin
			 * with is the one above. */
			if ((i || json_is_true(json_object_get(r, "allow"))) &&
			    cx_words_addf(c, "%s=a", opt) < 0)
				return -1;
			continue;
		}
		for (const char *t = !type || !strcmp(type, "a") ? "cb" : type; *t; t++)
			if (cx_words_addf(c, "%s=%c %s:%s %s", opt, *t, major, minor, access) < 0)
				return -1;
	}
	for (const char *const *d = default_devices; *d; d++) {
		struct stat st;

		if (stat(*d, &st) == 0 && S_ISCHR(st.st_mode) &&
		    cx_words_addf(c, "--device-allow=c %u:%u rwm", major(st.st_rdev),
				  minor(st.st_rdev)) < 0)
			return -1;
	}
	json_array_foreach(devs, i, r) {
		const char *where = "linux.devices[]", *type;
		char major[24], minor[24];

		if (get_str(r, "type", where, &type) < 0 ||
		    dev_number(r, "major", where, major, sizeof(major)) < 0 ||
		    dev_number(r, "minor", where, minor, sizeof(minor)) < 0)
			return -1;
		if (type && (!strcmp(type, "c") || !strcmp(type, "u") || !strcmp(type, "b")) &&
		    strcmp(major, "*") && strcmp(minor, "*") &&
		    cx_words_addf(c, "--device-allow=%c %s:%s rwm", *type == 'b' ? 'b' : 'c',
				  major, minor) < 0)
			return -1;
	}
	/* The devpts the container mounts: its ptmx, and its terminals
	 * (UNIX98's first major, as runc allows: a new instance numbers
	 * from 0, 256 to a major). */
	if (cx_words_add(c, "--device-allow=c 5:2 rwm") < 0 ||
	    cx_words_add(c, "--device-allow=c 136:* rwm") < 0)
		return -1;
	return 0;
}

/* The kind of the mask's target, from the host (/proc and /sys are the
 * same kernel's) or the rootfs: 'd', 'f', or 0 when it is not there. */
static char kind_of(const struct cx_oci_spec *s, const char *path)
{
	char full[PATH_MAX];
	struct stat st;

	if (strncmp(path, "/proc/", 6) == 0 || strncmp(path, "/sys/", 5) == 0)
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s%s", s->rootfs, path);
	if (lstat(full, &st) < 0)
		return 0;
	return S_ISDIR(st.st_mode) ? 'd' : 'f';
}

/* One mount of config.json, as a cx-bind -b or -t word. */
static int chain_mount(const struct cx_oci_spec *s, json_t *m, bool cgroup2,
		       struct cx_words *c, struct cx_words *notes)
{
	const char *dst, *type, *src;
	json_t *opts, *o;
	bool bind = false, rec = false, ro = false, nosuid = false,
	     nodev = false, noexec = false;
	char data[1024] = "", *esrc = NULL, *edst = NULL, *full = NULL;
	size_t i, used = 0;
	int rc;

	if (get_str(m, "destination", "mounts[].destination", &dst) < 0 ||
	    get_str(m, "type", "mounts[].type", &type) < 0 ||
	    get_str(m, "source", "mounts[].source", &src) < 0 ||
	    get_arr(m, "options", "mounts[].options", &opts) < 0)
		return -1;
	if (!dst || dst[0] != '/')
		return bad("mounts[].destination", "an absolute path");
	json_array_foreach(opts, i, o) {
		const char *w;

		if (!json_is_string(o))
			return bad("mounts[].options", "an array of strings");
		w = json_string_value(o);
		if (!strcmp(w, "bind") || !strcmp(w, "rbind")) {
			bind = true;
			rec |= w[0] == 'r';
		} else if (!strcmp(w, "ro")) {
			ro = true;
		} else if (!strcmp(w, "rw")) {
			ro = false;
		} else if (!strcmp(w, "nosuid")) {
			nosuid = true;
		} else if (!strcmp(w, "nodev")) {
			nodev = true;
		} else if (!strcmp(w, "noexec")) {
			noexec = true;
		} else if (!strcmp(w, "suid") || !strcmp(w, "dev") ||
			   !strcmp(w, "exec") || strstr(w, "private") ||
			   strstr(w, "shared") || strstr(w, "slave") ||
			   strstr(w, "bindable") || strstr(w, "atime") ||
			   !strcmp(w, "tmpcopyup") || !strcmp(w, "sync") ||
			   !strcmp(w, "dirsync") || !strcmp(w, "async")) {
			/* The default, propagation (a new mount namespace
			 * is private), or times: nothing to say. */
		} else if (!bind) {
			used += (size_t)snprintf(data + used, sizeof(data) - used,
						 "%s%s", used ? "," : "", w);
			if (used >= sizeof(data))
				return cx_fail(0, "%s: the options of the mount on %s are too long",
					       config_shown, dst);
		}
	}
	if (type && !strcmp(type, "bind"))
		bind = true;
	if (!bind && !type)
		return cx_fail(0, "%s: the mount on %s has no type", config_shown, dst);
	if (!bind && !strcmp(type, "cgroup") && !cgroup2) {
		/* A v1 hierarchy each; a hybrid host's mix is not a
		 * container's view. */
		return cx_words_addf(notes, "mount of cgroup on %s: left out, the host is not cgroup v2 alone", dst);
	}
	edst = esc(dst);
	if (bind) {
		if (!src)
			return cx_fail(0, "%s: the bind on %s has no source", config_shown, dst);
		full = absolute(s->bundle, src);
		esrc = full ? esc(full) : NULL;
	} else {
		esrc = strdup(!strcmp(type, "cgroup") ? "cgroup2" : type);
	}
	if (!edst || !esrc) {
		free(edst);
		free(esrc);
		free(full);
		return cx_fail(ENOMEM, "malloc");
	}
	/* OCI's defaults are the kernel's: suid, dev, exec unless said. */
	rc = cx_words_addf(c, "%s=%s:%s:%s%s,%s,%s%s%s%s", bind ? "--bind" : "--fs",
			   esrc, edst, bind ? (rec ? "rec," : "norec,") : "",
			   nosuid ? "nosuid" : "suid", nodev ? "nodev" : "dev",
			   noexec ? "noexec" : "exec", ro ? ",ro" : "",
			   *data ? "," : "", data);
	free(edst);
	free(esrc);
	free(full);
	return rc;
}

/* runc's too: the standard streams, and ptmx for the devpts mounted
 * with newinstance. */
static const char *const dev_links[] = {
	"/proc/self/fd:/dev/fd", "/proc/self/fd/0:/dev/stdin",
	"/proc/self/fd/1:/dev/stdout", "/proc/self/fd/2:/dev/stderr",
	"pts/ptmx:/dev/ptmx", NULL,
};

/* PATH is a mount's destination or one of linux.devices: config.json
 * says what is there, and no default takes its place. */
static bool given(json_t *mounts, json_t *devs, const char *path)
{
	json_t *m;
	size_t i;

	json_array_foreach(mounts, i, m) {
		const char *d = json_string_value(json_object_get(m, "destination"));

		if (d && !strcmp(d, path))
			return true;
	}
	json_array_foreach(devs, i, m) {
		const char *d = json_string_value(json_object_get(m, "path"));

		if (d && !strcmp(d, path))
			return true;
	}
	return false;
}

static int chain_mounts(const struct cx_oci_spec *s, json_t *doc,
			bool cgroup2, struct cx_words *c, struct cx_words *notes)
{
	json_t *mounts, *root, *m, *lnx, *devs;
	size_t i;
	bool readonly;

	if (get_arr(doc, "mounts", "mounts", &mounts) < 0 ||
	    get_obj(doc, "root", "root", &root) < 0 ||
	    get_obj(doc, "linux", "linux", &lnx) < 0 ||
	    get_arr(lnx, "devices", "linux.devices", &devs) < 0)
		return -1;
	if (cx_words_add(c, "cx-bind") < 0 ||
	    cx_words_addf(c, "--root=%s", s->rootfs) < 0 ||
	    cx_words_add(c, "--mkdir") < 0)
		return -1;
	/* root.readonly: the root bound on itself under all, with the
	 * flags it has (as runc: no nosuid or nodev added), and made
	 * read-only after the last mount, so that the mount points can
	 * still be made in it and the mounts on it keep their own flags. */
	readonly = json_is_true(json_object_get(root, "readonly"));
	if (readonly) {
		char *e = esc(s->rootfs);

		if (!e || cx_words_addf(c, "--bind=%s:/:norec,suid,dev", e) < 0) {
			free(e);
			return -1;
		}
		free(e);
	}
	json_array_foreach(mounts, i, m)
		if (chain_mount(s, m, cgroup2, c, notes) < 0)
			return -1;
	/* The devices every container has, and linux.devices: bound from
	 * the host's, as runc does without CAP_MKNOD. */
	for (const char *const *d = default_devices; *d; d++)
		if (!given(mounts, devs, *d) &&
		    cx_words_addf(c, "--bind=%s:%s:nosuid,dev,noexec", *d, *d) < 0)
			return -1;
	json_array_foreach(devs, i, m) {
		const char *path;

		if (get_str(m, "path", "linux.devices[].path", &path) < 0)
			return -1;
		if (path && cx_words_addf(c, "--bind=%s:%s:nosuid,dev,noexec", path, path) < 0)
			return -1;
	}
	/* The links the runtime spec asks for in /dev, when /dev is a
	 * mount of the container's own (not the image's directory). */
	json_array_foreach(mounts, i, m) {
		const char *dst = json_string_value(json_object_get(m, "destination"));

		if (!dst || strcmp(dst, "/dev"))
			continue;
		for (const char *const *l = dev_links; *l; l++)
			if (!given(mounts, devs, strchr(*l, ':') + 1) &&
			    cx_words_addf(c, "--symlink=%s", *l) < 0)
				return -1;
		break;
	}
	if (readonly && cx_words_add(c, "--remount=/:ro") < 0)
		return -1;
	return 0;
}

/* After the root change: maskedPaths and readonlyPaths, each on the
 * container's own path. */
static int chain_protect(const struct cx_oci_spec *s, json_t *lnx,
			 struct cx_words *c)
{
	json_t *masked, *ro, *v;
	size_t i, start = c->n;

	if (get_arr(lnx, "maskedPaths", "linux.maskedPaths", &masked) < 0 ||
	    get_arr(lnx, "readonlyPaths", "linux.readonlyPaths", &ro) < 0)
		return -1;
	if (cx_words_add(c, "cx-bind") < 0)
		return -1;
	json_array_foreach(ro, i, v) {
		char *e;
		int rc;

		if (!json_is_string(v))
			return bad("linux.readonlyPaths", "an array of strings");
		if (!kind_of(s, json_string_value(v)))
			continue;
		e = esc(json_string_value(v));
		rc = e ? cx_words_addf(c, "--bind=%s:%s:rec,ro,nosuid,nodev,noexec", e, e) : -1;
		free(e);
		if (rc < 0)
			return -1;
	}
	json_array_foreach(masked, i, v) {
		char kind, *e;
		int rc;

		if (!json_is_string(v))
			return bad("linux.maskedPaths", "an array of strings");
		kind = kind_of(s, json_string_value(v));
		if (!kind)
			continue;
		e = esc(json_string_value(v));
		if (!e)
			return cx_fail(ENOMEM, "malloc");
		/* A file masked by the null device, which the mounts above
		 * bound from the host's: dev, or it cannot be opened. */
		rc = kind == 'd' ? cx_words_addf(c, "--fs=tmpfs:%s:ro,nosuid,nodev,noexec,size=0", e) :
				   cx_words_addf(c, "--bind=/dev/null:%s:ro,nosuid,dev,noexec", e);
		free(e);
		if (rc < 0)
			return -1;
	}
	/* Nothing to protect: no link. */
	if (c->n == start + 1) {
		free(c->v[--c->n]);
		c->v[c->n] = NULL;
	}
	return 0;
}

/* A capability set of config.json as a mask. */
static int cap_mask(json_t *caps, const char *set, struct cx_words *notes,
		    uint64_t *mask)
{
	json_t *arr, *v;
	size_t i;
	char where[64];

	snprintf(where, sizeof(where), "process.capabilities.%s", set);
	*mask = 0;
	if (get_arr(caps, set, where, &arr) < 0)
		return -1;
	json_array_foreach(arr, i, v) {
		unsigned cap;

		if (!json_is_string(v))
			return bad(where, "an array of strings");
		/* A name this build does not know is left out, as runc
		 * leaves out what the kernel lacks. */
		if (cx_cap_parse(json_string_value(v), &cap) < 0) {
			if (cx_words_addf(notes, "%s: %s is unknown here, left out",
					  where, json_string_value(v)) < 0)
				return -1;
			continue;
		}
		*mask |= 1ULL << cap;
	}
	return 0;
}

/* "--OPT=chown,kill" for the capabilities of MASK, "--drop=all" when
 * --keep would be empty. */
static int cap_word(struct cx_words *c, const char *opt, uint64_t mask)
{
	char buf[1024];
	size_t used = 0;

	if (!mask)
		return strcmp(opt, "keep") ? 0 : cx_words_add(c, "--drop=all");
	for (unsigned cap = 0; cap <= cx_cap_last_named(); cap++)
		if (mask & (1ULL << cap))
			used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s",
						 used ? "," : "", cx_cap_name(cap) + 4);
	return cx_words_addf(c, "--%s=%s", opt, buf);
}

/* cx-caps: the bounding set, the process sets, the user, no_new_privs,
 * the ambient set. */
static int chain_caps(json_t *proc, struct cx_words *c, struct cx_words *notes)
{
	json_t *caps, *user, *gids, *v;
	uint64_t bounding, permitted, ambient;
	char groups[1024] = "";
	long long uid = 0, gid = 0;
	bool has_uid, has_gid;
	size_t i, used = 0;

	if (get_obj(proc, "capabilities", "process.capabilities", &caps) < 0 ||
	    get_obj(proc, "user", "process.user", &user) < 0 ||
	    get_int(user, "uid", "process.user.uid", &uid, &has_uid) < 0 ||
	    get_int(user, "gid", "process.user.gid", &gid, &has_gid) < 0 ||
	    get_arr(user, "additionalGids", "process.user.additionalGids", &gids) < 0 ||
	    cap_mask(caps, "bounding", notes, &bounding) < 0 ||
	    cap_mask(caps, "permitted", notes, &permitted) < 0 ||
	    cap_mask(caps, "ambient", notes, &ambient) < 0)
		return -1;
	if (uid < 0 || gid < 0 || uid > UINT32_MAX || gid > UINT32_MAX)
		return bad("process.user.uid and gid", "user and group IDs");
	json_array_foreach(gids, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return bad("process.user.additionalGids", "an array of group IDs");
		used += (size_t)snprintf(groups + used, sizeof(groups) - used, "%s%lld",
					 used ? "," : "", json_integer_value(v));
		if (used >= sizeof(groups))
			return cx_fail(0, "%s: too many additionalGids", config_shown);
	}
	if (cx_words_add(c, "cx-caps") < 0)
		return -1;
	/* The bounding set as given; the process sets as permitted says,
	 * where cx-caps can say it: --keep keeps a set as bounding and
	 * permitted (and across --user); --drop leaves a user other than
	 * root with no capability after the change of user. */
	if (permitted == bounding) {
		if (cap_word(c, "keep", bounding) < 0)
			return -1;
	} else if (!permitted) {
		if (cap_word(c, "drop", cx_caps_upto(cx_cap_last_named()) & ~bounding) < 0 ||
		    (uid == 0 && cx_words_add(notes, "process.capabilities: root keeps the bounding set as its permitted one") < 0))
			return -1;
	} else if (cap_word(c, "keep", permitted) < 0 ||
		   cx_words_add(notes, "process.capabilities: the bounding set is narrowed to the permitted one (cx-caps --keep)") < 0) {
		return -1;
	}
	if ((uid != 0 || gid != 0 || *groups) &&
	    cx_words_addf(c, "--user=%lld:%lld", uid, gid) < 0)
		return -1;
	if (*groups && cx_words_addf(c, "--groups=%s", groups) < 0)
		return -1;
	if (json_is_true(json_object_get(proc, "noNewPrivileges")) &&
	    cx_words_add(c, "--no-new-privs") < 0)
		return -1;
	if (ambient && cap_word(c, "add-ambient", ambient) < 0)
		return -1;
	return 0;
}

static int chain_tail(const struct cx_oci_spec *s, json_t *proc,
		      const char *last, struct cx_words *c,
		      struct cx_words *notes);

/* linux.uidMappings and gidMappings as cx-unshare's --map-users and
 * --map-groups, INNER:OUTER:COUNT each. */
static int chain_idmaps(json_t *lnx, bool new_user, struct cx_words *c)
{
	static const struct { const char *key, *opt; } kinds[] = {
		{ "uidMappings", "map-users" }, { "gidMappings", "map-groups" },
	};

	for (size_t k = 0; k < 2; k++) {
		char where[64];
		json_t *arr, *m;
		size_t i;

		snprintf(where, sizeof(where), "linux.%s", kinds[k].key);
		if (get_arr(lnx, kinds[k].key, where, &arr) < 0)
			return -1;
		if (!new_user) {
			if (json_array_size(arr))
				return cx_fail(0, "%s: %s without a new user namespace (linux.namespaces)",
					       config_shown, where);
			continue;
		}
		if (!json_array_size(arr))
			return cx_fail(0, "%s: a new user namespace needs %s: no id inside is mapped",
				       config_shown, where);
		json_array_foreach(arr, i, m) {
			long long in = -1, out = -1, size = -1;

			if (get_int(m, "containerID", where, &in, NULL) < 0 ||
			    get_int(m, "hostID", where, &out, NULL) < 0 ||
			    get_int(m, "size", where, &size, NULL) < 0)
				return -1;
			if (in < 0 || out < 0 || size <= 0 || in > UINT32_MAX ||
			    out > UINT32_MAX || size > UINT32_MAX)
				return bad(where, "a list of {containerID, hostID, size}, ids of 32 bits, sizes above 0");
			if (cx_words_addf(c, "--%s=%lld:%lld:%lld", kinds[k].opt, in, out, size) < 0)
				return -1;
		}
	}
	return 0;
}

int cx_oci_chain(const struct cx_oci_spec *s, const struct cx_oci_how *how,
		 struct cx_words *c, struct cx_words *notes)
{
	json_t *doc = s->doc, *lnx, *res, *proc = json_object_get(doc, "process");
	const char *hostname, *cwd, *prop;
	bool wanted[CX_NS_COUNT] = { false };

	config_shown = "config.json";
	if (get_obj(doc, "linux", "linux", &lnx) < 0 ||
	    get_obj(lnx, "resources", "linux.resources", &res) < 0 ||
	    get_str(doc, "hostname", "hostname", &hostname) < 0 ||
	    get_str(proc, "cwd", "process.cwd", &cwd) < 0 ||
	    get_str(lnx, "rootfsPropagation", "linux.rootfsPropagation", &prop) < 0)
		return -1;
	{
		json_t *arr, *v;
		size_t i;

		get_arr(lnx, "namespaces", "linux.namespaces", &arr);
		json_array_foreach(arr, i, v) {
			const char *type = json_string_value(json_object_get(v, "type"));
			const char *path = json_string_value(json_object_get(v, "path"));

			for (size_t k = 0; type && k < sizeof(ns_names) / sizeof(*ns_names); k++)
				if (!strcmp(type, ns_names[k].oci) && !(path && *path))
					wanted[ns_names[k].index] = true;
		}
	}
	/* 1. The cgroup, with its limits; the process joins it, with the
	 * host's privileges, before any user namespace is joined. */
	if (cx_words_add(c, "cx-cgroup") < 0 ||
	    (s->cgroup_parent && cx_words_addf(c, "--parent=%s", s->cgroup_parent) < 0) ||
	    cx_words_add(c, "run") < 0 || (!how->detach && cx_words_add(c, "--rm") < 0) ||
	    chain_cgroup(res, c, notes) < 0 || chain_devices(lnx, res, how->cgroup_exists, c, notes) < 0 ||
	    cx_words_add(c, s->cgroup_name) < 0)
		return -1;
	/* 2. Namespaces given by path: cx-nsenter joins a user namespace
	 * first, as its root, then the others.  A PID namespace holds only
	 * the children of who joins it: cx-nsenter does not fork for it
	 * (--no-fork), cx-unshare's fork below makes the container's
	 * process in it.  So the process that fork leaves behind stays in
	 * ours, and the container's process, orphaned, goes up to cx-oci
	 * run (a subreaper in our namespace) and not to the joined
	 * namespace's init. */
	for (int i = 0, first = 1; i < CX_NS_COUNT; i++) {
		if (!s->ns_path[i])
			continue;
		if (first && (cx_words_add(c, "cx-nsenter") < 0 ||
			      (s->ns_path[CX_NS_PID] && cx_words_add(c, "--no-fork") < 0)))
			return -1;
		first = 0;
		if (cx_words_addf(c, "--%s=%s", cx_ns_table[i].name, s->ns_path[i]) < 0)
			return -1;
	}
	/* 3. The new namespaces, the hostname, the process that is the
	 * container. */
	if (cx_words_add(c, "cx-unshare") < 0)
		return -1;
	for (int i = 0; i < CX_NS_COUNT; i++)
		if (wanted[i] && cx_words_addf(c, "--%s", cx_ns_table[i].name) < 0)
			return -1;
	if (s->ns_path[CX_NS_USER] ?
	    (json_array_size(json_object_get(lnx, "uidMappings")) ||
	     json_array_size(json_object_get(lnx, "gidMappings"))) &&
	    cx_words_add(notes, "linux.uidMappings, gidMappings: the joined user namespace has its own") < 0 :
	    chain_idmaps(lnx, wanted[CX_NS_USER], c) < 0)
		return -1;
	/* Root of the new user namespace, whose maps need not hold ours:
	 * the links that follow keep their capabilities across each exec. */
	if (wanted[CX_NS_USER] &&
	    (cx_words_add(c, "--setuid=0") < 0 || cx_words_add(c, "--setgid=0") < 0))
		return -1;
	if (prop && *prop) {
		const char *p = prop[0] == 'r' ? prop + 1 : prop;

		if (cx_words_addf(c, "--propagation=%s", p) < 0)
			return -1;
	}
	if (hostname && *hostname) {
		if (!wanted[CX_NS_UTS])
			return cx_fail(0, "%s: a hostname without a new uts namespace would rename the host",
				       config_shown);
		if (cx_words_addf(c, "--hostname=%s", hostname) < 0)
			return -1;
	}
	if (cx_words_add(c, how->detach ? "--detach" : "--fork") < 0)
		return -1;
	/* 4. The mounts, inside the root. */
	if (chain_mounts(s, doc, how->cgroup2_only, c, notes) < 0)
		return -1;
	/* 5. The root change. */
	if (cx_words_add(c, "cx-chroot") < 0 || cx_words_add(c, "--pivot") < 0 ||
	    cx_words_add(c, s->rootfs) < 0)
		return -1;
	/* 6. Masked and read-only paths, the working directory. */
	if (chain_protect(s, lnx, c) < 0)
		return -1;
	if (cwd && strcmp(cwd, "/") &&
	    (cx_words_add(c, "cx-unshare") < 0 || cx_words_addf(c, "--wd=%s", cwd) < 0))
		return -1;
	/* 7. Capabilities, the user, no_new_privs; cx-oci's wait for
	 * start, then the environment and the command. */
	if (chain_tail(s, proc, how->hold ? "hold" : NULL, c, notes) < 0)
		return -1;
	if (json_object_get(lnx, "seccomp") && !how->hold &&
	    cx_words_add(notes, "linux.seccomp: compiled and loaded by cx-oci create (libseccomp); this chain runs without it") < 0)
		return -1;
	for (size_t i = 0; i < s->sysctl.n; i++)
		if (cx_words_addf(notes, "sysctl %s: written by cx-oci in the container's namespaces after create", s->sysctl.v[i]) < 0)
			return -1;
	return 0;
}

int cx_oci_exec_chain(const char *cg_parent, const char *cg_name, pid_t pid,
		      const struct cx_oci_spec *p, bool ready,
		      struct cx_words *c, struct cx_words *notes)
{
	json_t *proc = p->doc;
	const char *cwd;

	if (get_str(proc, "cwd", "process.cwd", &cwd) < 0)
		return -1;
	if (cwd && cwd[0] != '/')
		return bad("process.cwd", "an absolute path");
	/* 1. The container's cgroup, joined from the host's view. */
	if (cx_words_add(c, "cx-cgroup") < 0 ||
	    (cg_parent && cx_words_addf(c, "--parent=%s", cg_parent) < 0) ||
	    cx_words_add(c, "run") < 0 || cx_words_add(c, cg_name) < 0)
		return -1;
	/* 2. Its namespaces and root, all at once: cx-nsenter forks for
	 * the PID namespace and waits, as the command's parent. */
	if (cx_words_add(c, "cx-nsenter") < 0 ||
	    cx_words_addf(c, "--target=%d", (int)pid) < 0 ||
	    cx_words_add(c, "--all") < 0 || cx_words_add(c, "--root") < 0 ||
	    cx_words_addf(c, "--wdns=%s", cwd && *cwd ? cwd : "/") < 0)
		return -1;
	/* 3. Capabilities and user, the environment, the command. */
	return chain_tail(p, proc, ready ? "ready" : NULL, c, notes);
}

/* The tail both chains end with: capabilities and user, then cx-oci's
 * last link (or env -i when printed), the environment and the command. */
static int chain_tail(const struct cx_oci_spec *s, json_t *proc,
		      const char *last, struct cx_words *c,
		      struct cx_words *notes)
{
	bool nnp = json_is_true(json_object_get(proc, "noNewPrivileges"));

	/* The seccomp filter as runc loads it: with no_new_privs, by the
	 * last link, just before the command; without, by a link before
	 * cx-caps, which still holds CAP_SYS_ADMIN (and whose system calls
	 * then pass the filter). */
	if (s->seccomp && last && !nnp &&
	    (cx_words_add(c, "cx-oci") < 0 || cx_words_add(c, "seccomp") < 0 ||
	     cx_words_addf(c, "%u", s->seccomp_flags) < 0))
		return -1;
	if (chain_caps(proc, c, notes) < 0)
		return -1;
	if (last ? cx_words_add(c, "cx-oci") < 0 || cx_words_add(c, last) < 0 :
		   cx_words_add(c, "env") < 0 || cx_words_add(c, "-i") < 0)
		return -1;
	if (s->seccomp && last && nnp &&
	    cx_words_addf(c, "--seccomp=%u", s->seccomp_flags) < 0)
		return -1;
	/* The terminal: made by the last link, in the container's devpts,
	 * and sent to the console socket; printed, the shell's own. */
	if (s->terminal && !last &&
	    cx_words_add(notes, "process.terminal: the command gets the shell's terminal (cx-oci makes one in the container's /dev/pts and sends it to --console-socket)") < 0)
		return -1;
	if (s->terminal && last &&
	    (s->rows || s->cols ? cx_words_addf(c, "--tty=%ux%u", s->rows, s->cols) :
				  cx_words_add(c, "--tty")) < 0)
		return -1;
	for (size_t i = 0; i < s->env.n; i++)
		if (cx_words_add(c, s->env.v[i]) < 0)
			return -1;
	if (last && cx_words_add(c, "--") < 0)
		return -1;
	for (size_t i = 0; i < s->args.n; i++)
		if (cx_words_add(c, s->args.v[i]) < 0)
			return -1;
	return 0;
}
