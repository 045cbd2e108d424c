/* cx-caps: see, drop and grant capabilities.  In a chain it changes the
 * capability sets, the IDs and the securebits, reads back what the
 * kernel made of it, and only then runs the rest of argv.  It also
 * shows a process's state, decodes a mask, and gets, sets and removes
 * file capabilities. */
#include "capability.h"
#include "die.h"
#include "exec.h"
#include "json-out.h"
#include "opt.h"
#include "parse.h"
#include "path.h"
#include "file.h"
#include "proc.h"

#include <sys/capability.h>	/* libcap: file capabilities, text forms */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#endif

enum {
	OPT_DROP = 1, OPT_KEEP, OPT_ADD_AMBIENT, OPT_USER, OPT_GROUPS,
	OPT_NO_NEW_PRIVS, OPT_SECBITS, OPT_LOCK, OPT_PRINT,
	OPT_PID, OPT_JSON, OPT_ROOT,
};

enum { MAX_GROUPS = 256 };

struct ctx {
	char *drop, *keep, *ambient;	/* lists, joined when repeated */
	const char *user, *groups, *secbits;
	bool no_new_privs, lock, print;
	/* show */
	const char *pid;
	bool json;
	/* file */
	const char *root;
};

static const struct poptOption options[] = {
	{ "drop", 0, POPT_ARG_STRING, NULL, OPT_DROP,
	  "drop LIST from the bounding and process sets", "LIST" },
	{ "keep", 0, POPT_ARG_STRING, NULL, OPT_KEEP,
	  "drop all but LIST, and keep LIST across --user", "LIST" },
	{ "add-ambient", 0, POPT_ARG_STRING, NULL, OPT_ADD_AMBIENT,
	  "raise LIST in the ambient (and inheritable) set", "LIST" },
	{ "user", 0, POPT_ARG_STRING, NULL, OPT_USER,
	  "run as USER, in GROUP (USER's primary group)", "USER[:GROUP]" },
	{ "groups", 0, POPT_ARG_STRING, NULL, OPT_GROUPS,
	  "supplementary groups, g1,g2,...", "LIST" },
	{ "no-new-privs", 0, POPT_ARG_NONE, NULL, OPT_NO_NEW_PRIVS,
	  "set no_new_privs: no exec grants privileges again", NULL },
	{ "secbits", 0, POPT_ARG_STRING, NULL, OPT_SECBITS,
	  "set the securebits to NAMES (noroot,keep_caps,...)", "NAMES" },
	{ "lock", 0, POPT_ARG_NONE, NULL, OPT_LOCK,
	  "set and lock noroot and no_setuid_fixup", NULL },
	{ "print", 0, POPT_ARG_NONE, NULL, OPT_PRINT,
	  "print the sets, IDs and securebits after the changes, as show does (capsh's --print); without COMMAND, exit 0 then",
	  NULL },
	POPT_TABLEEND
};

/* --keep drops the rest: a --drop beside it says nothing more. */
static const struct cx_opt_conflict conflicts[] = {
	{ OPT_DROP, OPT_KEEP, "--keep drops all the rest" },
	{ 0, 0, NULL }
};

static const struct cx_tool tool = {
	"cx-caps",
	"[options] [--] [COMMAND [ARG]...]\n"
	"   or: cx-caps show [--pid PID] [--json]\n"
	"   or: cx-caps decode HEX...\n"
	"   or: cx-caps file [--root DIR] get PATH...\n"
	"   or: cx-caps file [--root DIR] set CAPTEXT PATH...\n"
	"   or: cx-caps file [--root DIR] rm PATH...\n"
	"   or: cx-caps predict [options] [--json] FILE",
	"Change the capabilities, IDs and securebits, check the result, and run\n"
	"COMMAND (default: $SHELL or /bin/sh).  show, decode, file and predict are subcommands only as the first\n"
	"argument: after an option or --, the first operand is COMMAND.",
	options, conflicts,
};

static const struct poptOption show_options[] = {
	{ "pid", 0, POPT_ARG_STRING, NULL, OPT_PID,
	  "show process PID (default: cx-caps itself)", "PID" },
	{ "json", 0, POPT_ARG_NONE, NULL, OPT_JSON,
	  "print one JSON object", NULL },
	POPT_TABLEEND
};

static const struct cx_tool show_tool = {
	"cx-caps", "show [--pid PID] [--json]",
	"Show the five capability sets, the securebits, no_new_privs and the IDs.",
	show_options, NULL,
};

static const struct poptOption no_options[] = { POPT_TABLEEND };

static const struct cx_tool decode_tool = {
	"cx-caps", "decode HEX...",
	"Name the capabilities of a mask, as /proc/PID/status shows it.",
	no_options, NULL,
};

static const struct poptOption file_options[] = {
	{ "root", 0, POPT_ARG_STRING, NULL, OPT_ROOT,
	  "resolve each PATH inside DIR, as if DIR were /", "DIR" },
	{ "json", 0, POPT_ARG_NONE, NULL, OPT_JSON,
	  "get: one JSON array, an object per PATH", NULL },
	POPT_TABLEEND
};

static const struct cx_tool file_tool = {
	"cx-caps",
	"file [--root DIR] get [--json] PATH...\n"
	"   or: cx-caps file [--root DIR] set CAPTEXT PATH...\n"
	"   or: cx-caps file [--root DIR] rm PATH...",
	"Get, set or remove the capabilities of files.  --root may also come\n"
	"right after get, set or rm.",
	file_options, NULL,
};

/* The last capability of the running kernel, read once in main. */
static unsigned kernel_last;

static char *join_list(char *old, const char *arg)
{
	char *s;

	if (!old)
		return strdup(arg);
	if (asprintf(&s, "%s,%s", old, arg) < 0)
		return NULL;
	free(old);
	return s;
}

static int on_option(void *p, int val, const char *arg)
{
	struct ctx *c = p;

	switch (val) {
	case OPT_DROP:
		c->drop = join_list(c->drop, arg);
		break;
	case OPT_KEEP:
		c->keep = join_list(c->keep, arg);
		break;
	case OPT_ADD_AMBIENT:
		c->ambient = join_list(c->ambient, arg);
		break;
	case OPT_USER:
		c->user = arg;
		break;
	case OPT_GROUPS:
		c->groups = arg;
		break;
	case OPT_NO_NEW_PRIVS:
		c->no_new_privs = true;
		break;
	case OPT_SECBITS:
		c->secbits = arg;
		break;
	case OPT_PRINT:
		c->print = true;
		break;
	case OPT_LOCK:
		c->lock = true;
		break;
	case OPT_PID:
		c->pid = arg;
		break;
	case OPT_JSON:
		c->json = true;
		break;
	case OPT_ROOT:
		if (c->root)
			return cx_fail(0, "--root given twice");
		c->root = arg;
		break;
	}
	if ((val == OPT_DROP && !c->drop) || (val == OPT_KEEP && !c->keep) ||
	    (val == OPT_ADD_AMBIENT && !c->ambient))
		cx_die_errno("malloc");
	return 0;
}

/* --- the kernel's view ---------------------------------------------- */

/* The last capability the running kernel knows: cap_last_cap, or else
 * the last one the bounding set can be asked about. */
static unsigned read_kernel_last(void)
{
	char buf[16] = "";
	uint32_t v;
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			if (cx_parse_u32(buf, &v) == 0 && v < CX_CAP_BITS)
				return v;
		}
	}
	for (v = 0; v + 1 < CX_CAP_BITS; v++)
		if (prctl(PR_CAPBSET_READ, v + 1, 0, 0, 0) < 0)
			break;
	return v;
}

static const char *kernel_last_name(void)
{
	static char buf[48];

	snprintf(buf, sizeof(buf), "%s (%u)",
		 cx_cap_name(kernel_last) ? cx_cap_name(kernel_last) : "number",
		 kernel_last);
	return buf;
}

/* Our own state, from the system calls: no /proc needed, which may be
 * missing or another PID namespace's in a container.  One prctl per
 * capability for the bounding set, unless BND is given: the set as
 * read before less what drop_bounding dropped, each drop's success
 * being the kernel's answer (only the thread itself can change it, and
 * only by dropping).  The ambient set is
 * asked only for capabilities both permitted and inheritable: the
 * kernel keeps it inside the two. */
static void read_self(struct cx_capstate *st, const uint64_t *bnd)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uid_t u[3];
	gid_t g[3], groups[CX_CAPSTATE_GROUPS];
	int n;

	memset(st, 0, sizeof(*st));
	if (capget(&hdr, d) < 0)
		cx_die_errno("capget");
	st->eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	st->prm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	st->inh = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
	for (unsigned i = 0; i <= kernel_last; i++) {
		uint64_t bit = (uint64_t)1 << i;
		int b = bnd ? !!(*bnd & bit) : prctl(PR_CAPBSET_READ, i, 0, 0, 0);

		if (b < 0)
			cx_die_errno("read the bounding set (capability %u)", i);
		if (b)
			st->bnd |= bit;
		if ((st->prm & st->inh & bit) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, i, 0, 0) > 0)
			st->amb |= bit;
	}
	st->securebits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	st->nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	if (st->securebits < 0 || st->nnp < 0)
		cx_die_errno("read the securebits and no_new_privs");
	if (getresuid(&u[0], &u[1], &u[2]) < 0 ||
	    getresgid(&g[0], &g[1], &g[2]) < 0)
		cx_die_errno("getresuid");
	for (int i = 0; i < 3; i++) {
		st->uid[i] = u[i];
		st->gid[i] = g[i];
	}
	/* An invalid ID changes nothing and returns the current one. */
	st->uid[3] = (uint32_t)setfsuid((uid_t)-1);
	st->gid[3] = (uint32_t)setfsgid((gid_t)-1);
	n = getgroups(CX_CAPSTATE_GROUPS, groups);
	if (n < 0)
		cx_die_errno("getgroups");
	st->ngroups = n;
	for (int i = 0; i < n; i++)
		st->groups[i] = groups[i];
}

/* Another process's state, from /proc/PID/status. */
static void read_pid(pid_t pid, struct cx_capstate *st)
{
	char path[64], *text;
	size_t len;
	int fd, rc;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			errno = ESRCH;
		cx_die_errno("show --pid %d", (int)pid);
	}
	if (cx_read_all(fd, 1 << 20, &text, &len, path) < 0)
		cx_die_last();
	close(fd);
	rc = cx_capstate_parse_status(text, st);
	free(text);
	if (rc < 0)
		cx_die_errno("parse %s", path);
	if (pid == getpid()) {
		st->securebits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
		if (st->securebits < 0)
			cx_die_errno("read the securebits");
	}
}

/* --- show and decode -------------------------------------------------- */

/* "0(root)", or "0" when the database has no such ID (or is not a
 * regular file: it may be a hostile root's). */
static const char *id_name(const char *db, uint32_t id, char *buf,
			   size_t len)
{
	char name[256];

	if (cx_lookup_id(db, id, name, sizeof(name)) == 0)
		snprintf(buf, len, "%u(%s)", id, name);
	else
		snprintf(buf, len, "%u", id);
	return buf;
}

static void print_ids(const char *label, const uint32_t *id, const char *db)
{
	char a[300], b[300], c[300], d[300];

	if (id[0] == id[1] && id[1] == id[2] && id[2] == id[3]) {
		printf("%-14s%s\n", label, id_name(db, id[0], a, sizeof(a)));
		return;
	}
	printf("%-14sreal %s, effective %s, saved %s, fs %s\n", label,
	       id_name(db, id[0], a, sizeof(a)), id_name(db, id[1], b, sizeof(b)),
	       id_name(db, id[2], c, sizeof(c)), id_name(db, id[3], d, sizeof(d)));
}

static const char *const set_label[5] = {
	"effective", "permitted", "inheritable", "bounding", "ambient",
};

static void sets_of(const struct cx_capstate *st, uint64_t *v)
{
	v[0] = st->eff;
	v[1] = st->prm;
	v[2] = st->inh;
	v[3] = st->bnd;
	v[4] = st->amb;
}

static void show_text(const struct cx_capstate *st)
{
	char text[CX_CAPS_TEXT], label[32], id[300];
	uint64_t v[5];

	sets_of(st, v);
	for (int i = 0; i < 5; i++) {
		snprintf(label, sizeof(label), "%s:", set_label[i]);
		cx_caps_format(v[i], text, sizeof(text));
		printf("%-14s%016llx %s\n", label, (unsigned long long)v[i],
		       *text ? text : "[none]");
	}
	if (st->securebits >= 0) {
		cx_secbits_format((unsigned)st->securebits, text, sizeof(text));
		printf("%-14s0x%x %s\n", "securebits:", (unsigned)st->securebits,
		       *text ? text : "[none]");
	} else {
		printf("%-14sunknown (only the process itself can read them)\n",
		       "securebits:");
	}
	if (st->nnp >= 0)
		printf("%-14s%d\n", "no_new_privs:", st->nnp);
	else
		printf("%-14sunknown (the kernel does not show it)\n",
		       "no_new_privs:");
	print_ids("uid:", st->uid, "/etc/passwd");
	print_ids("gid:", st->gid, "/etc/group");
	printf("%-14s", "groups:");
	for (int i = 0; i < st->ngroups; i++)
		printf("%s%s", i ? " " : "",
		       id_name("/etc/group", st->groups[i], id, sizeof(id)));
	printf("%s\n", st->ngroups ? "" : "[none]");
}

static void json_names(uint64_t mask)
{
	const char *sep = "";

	printf("[");
	for (unsigned i = 0; i < CX_CAP_BITS; i++) {
		if (!(mask & ((uint64_t)1 << i)))
			continue;
		if (cx_cap_name(i))
			printf("%s\"%s\"", sep, cx_cap_name(i));
		else
			printf("%s\"%u\"", sep, i);
		sep = ", ";
	}
	printf("]");
}

static void json_ids(const char *key, const uint32_t *id)
{
	printf("  \"%s\": { \"real\": %u, \"effective\": %u, \"saved\": %u, \"fs\": %u },\n",
	       key, id[0], id[1], id[2], id[3]);
}

/* The fields of ST, each line "  \"key\": value," but the last, which
 * ends the object.  Names and numbers only: nothing that would need
 * escaping. */
static void json_state(const struct cx_capstate *st)
{
	uint64_t v[5];

	sets_of(st, v);
	for (int i = 0; i < 5; i++) {
		printf("  \"%s\": { \"mask\": \"%016llx\", \"names\": ",
		       set_label[i], (unsigned long long)v[i]);
		json_names(v[i]);
		printf(" },\n");
	}
	if (st->securebits >= 0) {
		const char *sep = "";

		printf("  \"securebits\": { \"value\": %d, \"names\": [",
		       st->securebits);
		for (unsigned i = 0; i < 32; i++) {
			if (!((unsigned)st->securebits & (1u << i)))
				continue;
			if (cx_secbit_name(i))
				printf("%s\"%s\"", sep, cx_secbit_name(i));
			else
				printf("%s\"bit%u\"", sep, i);
			sep = ", ";
		}
		printf("] },\n");
	} else {
		printf("  \"securebits\": null,\n");
	}
	printf("  \"no_new_privs\": %s,\n",
	       st->nnp < 0 ? "null" : st->nnp ? "true" : "false");
	json_ids("uid", st->uid);
	json_ids("gid", st->gid);
	printf("  \"groups\": [");
	for (int i = 0; i < st->ngroups; i++)
		printf("%s%u", i ? ", " : "", st->groups[i]);
	printf("]\n}\n");
}

static void show_json(pid_t pid, const struct cx_capstate *st)
{
	printf("{\n  \"pid\": %d,\n", (int)pid);
	json_state(st);
}

/* Output is the whole point of these: a failed write is a failure. */
static int flush_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		cx_die_errno("write to standard output");
	return 0;
}

/* The length of a NULL-terminated argv, for a subcommand's parse. */
static int count_args(char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return argc;
}

static int cmd_show(char **argv)
{
	struct ctx c = { 0 };
	struct cx_capstate st;
	char **rest;
	pid_t pid = getpid();

	rest = cx_opt_parse(&show_tool, count_args(argv), argv, on_option, &c);
	if (rest[0])
		cx_usage_error("show: unexpected operand '%s'", rest[0]);
	if (c.pid) {
		if (cx_parse_pid(c.pid, &pid) < 0) {
			cx_opt_invalid("--pid", c.pid, "a process ID");
			cx_fail_context("show");
			cx_die_last();
		}
		read_pid(pid, &st);
	} else {
		read_self(&st, NULL);
	}
	if (c.json)
		show_json(pid, &st);
	else
		show_text(&st);
	return flush_stdout();
}

static int cmd_decode(char **argv)
{
	struct ctx c = { 0 };
	char **rest, text[CX_CAPS_TEXT];
	uint64_t mask, kern = cx_caps_upto(kernel_last);

	rest = cx_opt_parse(&decode_tool, count_args(argv), argv, on_option, &c);
	if (!rest[0])
		cx_usage_error("decode: missing HEX, a mask such as 000001ffffffffff");
	/* All or nothing: check every operand before printing. */
	for (char **h = rest; *h; h++)
		if (cx_caps_parse_hex(*h, &mask) < 0)
			cx_die("decode: '%s' is not a mask of up to 16 hexadecimal digits",
			       *h);
	for (char **h = rest; *h; h++) {
		cx_caps_parse_hex(*h, &mask);
		printf("%s\n", cx_caps_format(mask, text, sizeof(text)));
		if (mask & ~kern)
			cx_warn("decode %s: %s: newer than the running kernel, whose last capability is %s",
				*h, cx_caps_format(mask & ~kern, text, sizeof(text)),
				kernel_last_name());
	}
	return flush_stdout();
}

/* --- file capabilities ------------------------------------------------ */

/* The regular file PATH names, opened for its capabilities.  With
 * --root (ROOTFD >= 0) PATH is resolved inside the root as if it were
 * /: "..", absolute symbolic links and links that climb all stay in it.
 * Without, as any path is.  get follows a symbolic link at the end
 * (inside the root), set and rm refuse it.  Nothing but a regular file
 * is ever opened (cx_open_regular), and the capabilities are read and
 * written on that descriptor, never by the name again.  -1 after a
 * message. */
static int open_file(const char *op, int rootfd, const char *path)
{
	int flags = O_PATH | (strcmp(op, "get") ? O_NOFOLLOW : 0);
	char shown[PATH_MAX + 16];
	struct stat st;
	int fd, rfd;

	snprintf(shown, sizeof(shown), "file %s %s", op, path);
	fd = rootfd >= 0 ? cx_open_in_root(rootfd, path, flags, 0, shown) :
			   open(path, flags | O_CLOEXEC);
	if (fd < 0) {
		cx_warn_errno("%s", shown);
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
		cx_warn("%s: a symbolic link; name the file it points to", shown);
		close(fd);
		return -1;
	}
	rfd = cx_open_regular(fd, shown);
	close(fd);
	if (rfd < 0)
		cx_warn_last();
	return rfd;
}

/* get --json: one object of the array. */
static void file_json(const char *path, cap_t cap, const char *text,
		      uid_t owner, int *n)
{
	uint64_t set[2] = { 0, 0 };
	bool eff = false;

	for (unsigned i = 0; cap && i <= kernel_last; i++) {
		cap_flag_value_t v = CAP_CLEAR;

		if (cap_get_flag(cap, (cap_value_t)i, CAP_PERMITTED, &v) == 0 && v)
			set[0] |= (uint64_t)1 << i;
		if (cap_get_flag(cap, (cap_value_t)i, CAP_INHERITABLE, &v) == 0 && v)
			set[1] |= (uint64_t)1 << i;
		if (cap_get_flag(cap, (cap_value_t)i, CAP_EFFECTIVE, &v) == 0 && v)
			eff = true;
	}
	printf("%s\n  { \"path\": ", (*n)++ ? "," : "[");
	cx_json_string(stdout, path);
	printf(", \"capabilities\": ");
	if (text)
		cx_json_string(stdout, text);
	else
		printf("null");
	printf(", \"permitted\": ");
	json_names(set[0]);
	printf(", \"inheritable\": ");
	json_names(set[1]);
	printf(", \"effective\": %s, \"rootid\": ", eff ? "true" : "false");
	if (cap && owner != (uid_t)-1)
		printf("%u }", (unsigned)owner);
	else
		printf("null }");
}

static int file_get(int fd, const char *path, int *json)
{
	cap_t cap = cap_get_fd(fd);
	char *text;
	uid_t owner;

	if (!cap) {
		if (errno == ENODATA) {
			if (json)
				file_json(path, NULL, NULL, 0, json);
			else
				printf("%s [none]\n", path);
			return 0;
		}
		cx_warn_errno("file get %s", path);
		return -1;
	}
	text = cap_to_text(cap, NULL);
	if (!text) {
		cx_warn_errno("file get %s: cap_to_text", path);
		cap_free(cap);
		return -1;
	}
	/* A namespaced (v3) capability names the user ID that is root
	 * in the user namespace it works in. */
	owner = cap_get_nsowner(cap);
	if (json)
		file_json(path, cap, text, owner, json);
	else if (owner != 0 && owner != (uid_t)-1)
		printf("%s %s [rootid=%u]\n", path, text, (unsigned)owner);
	else
		printf("%s %s\n", path, text);
	cap_free(text);
	cap_free(cap);
	return 0;
}

static int file_set(int fd, cap_t cap, const char *path)
{
	if (cap_set_fd(fd, cap) < 0) {
		cx_warn_errno("file set %s", path);
		return -1;
	}
	return 0;
}

static int file_rm(int fd, const char *path)
{
	/* None there is what was asked for. */
	if (fremovexattr(fd, "security.capability") < 0 && errno != ENODATA) {
		cx_warn_errno("file rm %s", path);
		return -1;
	}
	return 0;
}

/* A file stores one effective bit, not a set: either every capability
 * it permits or inherits is raised at exec, or none is. */
static bool effective_all_or_none(cap_t cap)
{
	bool some = false, all = true;

	for (cap_value_t v = 0; v < (cap_value_t)cap_max_bits(); v++) {
		cap_flag_value_t e = CAP_CLEAR, p = CAP_CLEAR, i = CAP_CLEAR;

		cap_get_flag(cap, v, CAP_EFFECTIVE, &e);
		cap_get_flag(cap, v, CAP_PERMITTED, &p);
		cap_get_flag(cap, v, CAP_INHERITABLE, &i);
		if (e)
			some = true;
		if ((p || i) && !e)
			all = false;
	}
	return !some || all;
}

/* CAPTEXT with our names, checked, as libcap's cap_t. */
static cap_t parse_captext(const char *text)
{
	struct cx_caps_bad bad;
	char canon[4096], why[256], names[CX_CAPS_TEXT];
	uint64_t named, kern = cx_caps_upto(kernel_last);
	cap_t cap;

	if (cx_caps_canon_text(text, kern, canon, sizeof(canon), &named,
			       &bad) < 0) {
		if (errno == ENAMETOOLONG)
			cx_die("file set: the capability text is too long");
		cx_caps_bad_describe(&bad, why, sizeof(why));
		cx_opt_invalid("CAPTEXT", *bad.item ? bad.item : text, "%s", why);
		cx_fail_context("file set");
		cx_die_last();
	}
	if (!canon[0] || !(cap = cap_from_text(canon))) {
		cx_opt_invalid("CAPTEXT", text,
			       "capabilities and flags, as in cap_net_bind_service=ep");
		cx_fail_context("file set");
		cx_die_last();
	}
	if (!effective_all_or_none(cap))
		cx_die("file set: a file has one effective flag for all its capabilities: give e to every one that has p or i, or to none ('%s')",
		       text);
	if (named & ~kern)
		cx_warn("file set: %s: newer than the running kernel, whose last capability is %s",
			cx_caps_format(named & ~kern, names, sizeof(names)),
			kernel_last_name());
	return cap;
}

static int cmd_file(char **argv)
{
	struct ctx c = { 0 };
	char **rest, **paths;
	int failed = 0, rootfd = -1, njson = 0;
	cap_t cap = NULL;
	const char *verb;

	/* Options before the verb, and again right after it. */
	rest = cx_opt_parse(&file_tool, count_args(argv), argv, on_option, &c);
	verb = rest[0];
	if (!verb)
		cx_usage_error("file: missing get, set or rm");
	if (strcmp(verb, "get") && strcmp(verb, "set") && strcmp(verb, "rm"))
		cx_usage_error("file: unknown action '%s' (get, set or rm)", verb);
	rest = cx_opt_parse(&file_tool, count_args(rest), rest, on_option, &c);
	paths = rest;
	if (strcmp(verb, "set") == 0) {
		if (!rest[0])
			cx_usage_error("file set: missing CAPTEXT");
		cap = parse_captext(rest[0]);
		paths = rest + 1;
	}
	if (!paths[0])
		cx_usage_error("file %s: missing PATH", verb);
	if (c.json && verb[0] != 'g')
		cx_usage_error("file %s: --json is for get", verb);
	if (c.root &&
	    (rootfd = open(c.root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		cx_die_errno("file --root %s", c.root);
	for (; *paths; paths++) {
		int fd, rc;

		/* Each file's line in order with the messages about others. */
		flush_stdout();

		fd = open_file(verb, rootfd, *paths);
		if (fd < 0) {
			failed = 1;
			continue;
		}
		if (verb[0] == 'g')
			rc = file_get(fd, *paths, c.json ? &njson : NULL);
		else if (verb[0] == 's')
			rc = file_set(fd, cap, *paths);
		else
			rc = file_rm(fd, *paths);
		close(fd);
		failed |= rc < 0;
	}
	if (cap)
		cap_free(cap);
	if (rootfd >= 0)
		close(rootfd);
	if (c.json)
		printf(njson ? "\n]\n" : "[]\n");
	flush_stdout();
	return failed ? CX_EXIT_FAIL : 0;
}

/* --- the chain -------------------------------------------------------- */

struct plan {
	uint64_t drop, keep, ambient;
	bool has_keep;
	bool user;
	uid_t uid;
	gid_t gid;
	int ngroups;		/* -1: leave them */
	gid_t groups[MAX_GROUPS];
	bool set_secbits;	/* --secbits or --lock */
	unsigned secbits;
	/* keep_caps only for the uid change, cleared after it */
	bool keepcaps_for_change;
	bool no_new_privs;
};

/* A capability list of option OPT.  ALL is what "all" stands for.  A
 * capability the running kernel does not know cannot be dropped, so
 * --drop says so and goes on; it cannot be kept or raised either, and
 * the other options stop there. */
static uint64_t caps_option(const char *opt, const char *list, uint64_t all,
			    bool newer_is_fatal)
{
	struct cx_caps_bad bad;
	char why[256], names[CX_CAPS_TEXT];
	uint64_t mask, kern = cx_caps_upto(kernel_last);

	if (cx_caps_parse_list(list, all, &mask, &bad) < 0) {
		cx_caps_bad_describe(&bad, why, sizeof(why));
		cx_opt_invalid(opt, *bad.item ? bad.item : list, "%s", why);
		cx_die_last();
	}
	if (!(mask & ~kern))
		return mask;
	cx_caps_format(mask & ~kern, names, sizeof(names));
	if (newer_is_fatal)
		cx_die("%s: %s: newer than the running kernel, whose last capability is %s",
		       opt, names, kernel_last_name());
	cx_warn("%s: %s: newer than the running kernel, whose last capability is %s: nothing to drop",
		opt, names, kernel_last_name());
	return mask & kern;
}

static void plan_ids(const struct ctx *c, struct plan *p)
{
	int has_gid = 0;

	p->ngroups = -1;
	if (c->user) {
		if (cx_parse_userspec(c->user, "/etc/passwd", "/etc/group",
				      &p->uid, &p->gid, &has_gid) < 0)
			cx_die("--user: no such user or group in '%s'", c->user);
		if (!has_gid) {
			char name[256];

			if (cx_lookup_uid("/etc/passwd", p->uid, name,
					  sizeof(name), &p->gid) < 0)
				cx_die("--user %s: /etc/passwd has no user %u to take a group from; give USER:GROUP",
				       c->user, (unsigned)p->uid);
		}
		p->user = true;
		/* The primary group alone, unless --groups says more: the
		 * caller's (root's) groups must not come along. */
		p->groups[0] = p->gid;
		p->ngroups = 1;
	}
	if (c->groups) {
		p->ngroups = cx_parse_groups(c->groups, "/etc/group", p->groups,
					     MAX_GROUPS);
		if (p->ngroups < 0) {
			cx_opt_invalid("--groups", c->groups,
				       "groups, known names or numbers, comma-separated");
			cx_die_last();
		}
	}
}

/* The securebits to set, with what each asks of the others. */
static void plan_secbits(const struct ctx *c, const struct cx_capstate *now,
			 struct plan *p)
{
	struct cx_caps_bad bad;
	unsigned target = (unsigned)now->securebits;

	if (c->secbits) {
		if (cx_secbits_parse(c->secbits, &target, &bad) < 0) {
			if (bad.why == CX_CAPS_EMPTY)
				cx_opt_invalid("--secbits", c->secbits,
					       "an empty name in the list");
			else if (bad.suggest)
				cx_opt_invalid("--secbits", bad.item,
					       "no such securebit (did you mean %s?)",
					       bad.suggest);
			else
				cx_opt_invalid("--secbits", bad.item,
					       "no such securebit");
			cx_die_last();
		}
	}
	if (c->lock)
		target |= CX_SECBITS_LOCK;
	p->set_secbits = c->secbits || c->lock;
	p->secbits = target;
	/* --keep across --user needs keep_caps while the uid changes. */
	if (p->user && p->has_keep && !(target & CX_SECBIT_KEEP_CAPS)) {
		if (p->set_secbits && (target & CX_SECBIT_KEEP_CAPS_LOCKED))
			cx_die("--secbits: keep_caps_locked without keep_caps conflicts with --keep and --user, which need keep_caps for the uid change");
		p->keepcaps_for_change = true;
	}
	if (p->ambient && (target & CX_SECBIT_NO_CAP_AMBIENT_RAISE))
		cx_die("--add-ambient conflicts with the securebit no_cap_ambient_raise");
}

/* What the chain is to reach: WANT is NOW with the options applied. */
static void make_plan(const struct ctx *c, const struct cx_capstate *now,
		      struct plan *p, struct cx_capstate *want)
{
	uint64_t kern = cx_caps_upto(kernel_last), a, bad;
	char names[CX_CAPS_TEXT];
	bool to_nonroot;

	memset(p, 0, sizeof(*p));
	if (c->drop)
		p->drop = caps_option("--drop", c->drop, kern, false);
	if (c->keep) {
		/* "--keep all" keeps what there is. */
		p->keep = caps_option("--keep", c->keep, now->prm, true);
		p->has_keep = true;
		if (p->keep & ~now->prm)
			cx_die("--keep: %s not in the permitted set, so cannot be kept",
			       cx_caps_format(p->keep & ~now->prm, names,
					      sizeof(names)));
	}
	plan_ids(c, p);
	to_nonroot = p->user && p->uid != 0;

	*want = *now;
	want->bnd = p->has_keep ? now->bnd & p->keep : now->bnd & ~p->drop;
	/* A uid change away from root clears the permitted set, unless
	 * --keep holds on to it. */
	if (to_nonroot && !p->has_keep)
		want->prm = 0;
	else
		want->prm = p->has_keep ? now->prm & p->keep :
					  now->prm & ~p->drop;
	want->eff = want->prm;

	if (c->ambient) {
		p->ambient = caps_option("--add-ambient", c->ambient,
					 want->prm, true);
		a = p->ambient;
		if (to_nonroot && !p->has_keep)
			cx_die("--add-ambient with --user needs --keep LIST: the uid change clears the permitted set");
		bad = a & ~want->prm;
		if (bad)
			cx_die("--add-ambient: %s %s",
			       cx_caps_format(bad, names, sizeof(names)),
			       p->has_keep ? "not kept (not in --keep)" :
			       (bad & p->drop) ? "dropped by --drop" :
						 "not in the permitted set");
		/* The kernel raises into the inheritable set only what
		 * the bounding set holds. */
		bad = a & ~(want->bnd | now->inh);
		if (bad)
			cx_die("--add-ambient: %s not in the bounding set",
			       cx_caps_format(bad, names, sizeof(names)));
	}
	/* The inheritable set holds what the ambient set needs and
	 * nothing else: an inherited inheritable set let file
	 * capabilities grow in containers (CVE-2022-27650, crun). */
	want->inh = p->ambient;
	want->amb = p->ambient;

	plan_secbits(c, now, p);
	want->securebits = (int)p->secbits;
	p->no_new_privs = c->no_new_privs;
	if (c->no_new_privs)
		want->nnp = 1;
	if (p->user) {
		for (int i = 0; i < 4; i++) {
			want->uid[i] = p->uid;
			want->gid[i] = p->gid;
		}
	}
	if (p->ngroups >= 0) {
		want->ngroups = p->ngroups;
		for (int i = 0; i < p->ngroups; i++)
			want->groups[i] = p->groups[i];
	}
}

/* First, while we still hold cap_setpcap: nothing dropped from the
 * bounding set comes back, at any exec.  One prctl per capability
 * dropped, and nothing read back: each drop's success is the kernel's
 * answer, and only this thread can change its bounding set. */
static void drop_bounding(const struct cx_capstate *now,
			  const struct cx_capstate *want)
{
	char names[CX_CAPS_TEXT];
	uint64_t drop = now->bnd & ~want->bnd;

	if (!drop)
		return;
	cx_caps_format(drop, names, sizeof(names));
	cx_say("drop %s from the bounding set", names);
	for (unsigned i = 0; i <= kernel_last; i++) {
		if (!(drop & ((uint64_t)1 << i)))
			continue;
		if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) == 0)
			continue;
		if (errno == EPERM && !(now->eff & ((uint64_t)1 << CAP_SETPCAP)))
			cx_die("drop %s from the bounding set: it takes cap_setpcap in the effective set",
			       names);
		cx_die_errno("drop %s from the bounding set", names);
	}
}

/* The securebits go on before the uid change: they need cap_setpcap,
 * which --keep may not keep.  keep_caps is among them when --keep
 * must survive the change. */
static void secbits_before(const struct plan *p)
{
	char names[256];
	unsigned bits = p->secbits;

	if (p->keepcaps_for_change)
		bits |= CX_SECBIT_KEEP_CAPS;
	if (p->set_secbits) {
		cx_say("set the securebits to 0x%x", bits);
		if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0) {
			cx_secbits_format(bits, names, sizeof(names));
			cx_die_errno("set the securebits to 0x%x%s%s%s", bits,
				     *names ? " (" : "", names, *names ? ")" : "");
		}
	} else if (p->keepcaps_for_change) {
		cx_say("keep the capabilities across the uid change (PR_SET_KEEPCAPS)");
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
			cx_die_errno("keep the capabilities across the uid change (PR_SET_KEEPCAPS)");
	}
}

/* Groups first, then the group, then the user (cx_set_ids: this thread
 * alone, as the parent-death signal's watcher needs). */
static void change_ids(const struct plan *p)
{
	struct cx_ids ids = {
		.ngroups = p->ngroups, .groups = p->groups,
		.set_uid = p->user, .set_gid = p->user, .uid = p->uid, .gid = p->gid,
	};

	if (cx_set_ids(&ids) < 0)
		cx_die_last();
	if (p->keepcaps_for_change && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		cx_die_errno("clear keep_caps after the uid change");
}

/* The permitted and effective sets, the inheritable set (one capset),
 * then the ambient set, which needs the other two to hold its
 * capabilities.  The capset has already cleared from the ambient set
 * whatever is not both permitted and inheritable, and the inheritable
 * set is the ambient set wanted: only raising is left, every bit again
 * (a change of uid away from root has cleared the set since it was read). */
static void set_sets(const struct cx_capstate *want)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	char names[CX_CAPS_TEXT];

	if (cx_verbose) {
		char e[CX_CAPS_TEXT];

		cx_say("capset: permitted and effective %s, inheritable %s",
		       *cx_caps_format(want->prm, e, sizeof(e)) ? e : "[none]",
		       *cx_caps_format(want->inh, names, sizeof(names)) ? names : "[none]");
		if (want->amb)
			cx_say("raise %s in the ambient set",
			       cx_caps_format(want->amb, names, sizeof(names)));
	}
	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(want->eff >> (32 * i));
		d[i].permitted = (uint32_t)(want->prm >> (32 * i));
		d[i].inheritable = (uint32_t)(want->inh >> (32 * i));
	}
	if (capset(&hdr, d) < 0)
		cx_die_errno("set the permitted, effective and inheritable sets (capset)");
	for (unsigned i = 0; i <= kernel_last; i++) {
		uint64_t bit = (uint64_t)1 << i;

		if (!(want->amb & bit))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
			cx_die_errno("set the ambient set to %s",
				     cx_caps_format(want->amb, names, sizeof(names)));
	}
}

static noreturn void chain(const struct ctx *c, char **cmd)
{
	struct cx_capstate now, want, got;
	struct plan p;
	char why[2048];
	uint64_t bnd_after;

	read_self(&now, NULL);
	make_plan(c, &now, &p, &want);

	/* Every step changes our credentials, and a change of IDs clears
	 * the parent-death signal of cx-unshare --kill-child: it is kept
	 * throughout (see cx_pdeath_hold) and set again after. */
	if (cx_pdeath_hold() < 0)
		cx_die_last();
	drop_bounding(&now, &want);
	secbits_before(&p);
	change_ids(&p);
	set_sets(&want);
	if (p.no_new_privs)
		cx_say("set no_new_privs");
	if (p.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		cx_die_errno("set no_new_privs");
	if (cx_pdeath_release() < 0)
		cx_die_last();

	/* The kernel's state, read back: the bounding set as the drops
	 * left it, the rest from the kernel again. */
	bnd_after = now.bnd & want.bnd;
	read_self(&got, &bnd_after);
	if (cx_capstate_diff(&want, &got, why, sizeof(why)))
		cx_die("after the change, %s", why);
	if (c->print) {
		show_text(&got);
		flush_stdout();
		if (!cmd)
			exit(0);
	}
	cx_exec(-1, cmd);
}

/* --- predict ------------------------------------------------------------- */

enum { MAX_NOTES = 8 };

struct prediction {
	struct cx_exec_file f;
	const char *note[MAX_NOTES];
	char buf[MAX_NOTES][512];
	int nnotes;
};

static void __attribute__((format(printf, 2, 3)))
note(struct prediction *pr, const char *fmt, ...)
{
	va_list ap;

	if (pr->nnotes == MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(pr->buf[pr->nnotes], sizeof(pr->buf[0]), fmt, ap);
	va_end(ap);
	pr->note[pr->nnotes] = pr->buf[pr->nnotes];
	pr->nnotes++;
}

/* Whether ID has a mapping in this user namespace's MAP (uid_map or
 * gid_map): stat shows an unmapped owner as the overflow id, which is
 * also nobody's. */
static bool id_mapped(const char *map, uint32_t id)
{
	char path[32], line[128];
	unsigned long inner, outer, count;
	bool yes = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/%s", map);
	f = fopen(path, "re");
	if (!f)
		return true;	/* no proc: the kernel will say */
	while (!yes && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lu %lu %lu", &inner, &outer, &count) == 3 &&
		    id >= inner && id - inner < count)
			yes = true;
	fclose(f);
	return yes;
}

/* Whether the running kernel is MAJOR.MINOR or later (uname). */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return true;
	return a > major || (a == major && b >= minor);
}

/* What FILE brings to exec: its capabilities where they apply and its
 * set-ID bits where they take effect, for a process in WANT; each
 * rule that holds is noted. */
static void read_exec_file(const char *path, const struct cx_capstate *want,
			   struct prediction *pr)
{
	struct cx_exec_file *f = &pr->f;
	char names[CX_CAPS_TEXT];
	char inh[CX_CAPS_TEXT];
	struct statvfs sv;
	struct stat st;
	cap_t cap;
	uid_t owner;
	bool nosuid, mapped;
	int fd;

	fd = cx_open_regular_at(AT_FDCWD, path, 0, O_RDONLY, path);
	if (fd < 0) {
		cx_fail_context("predict");
		cx_die_last();
	}
	if (fstat(fd, &st) < 0 || fstatvfs(fd, &sv) < 0)
		cx_die_errno("predict: stat %s", path);
	nosuid = sv.f_flag & ST_NOSUID;
	memset(f, 0, sizeof(*f));
	f->uid = (uint32_t)st.st_uid;
	f->gid = (uint32_t)st.st_gid;
	f->ids_by_effective = kernel_at_least(6, 16);

	cap = cap_get_fd(fd);
	if (!cap && errno != ENODATA && errno != EOVERFLOW && errno != ENOTSUP)
		cx_die_errno("predict: read the capabilities of %s", path);
	if (!cap && errno == EOVERFLOW)
		note(pr, "its capabilities are for a user namespace this one does not descend from: ignored");
	owner = cap ? cap_get_nsowner(cap) : 0;
	if (cap && owner != 0 && owner != (uid_t)-1) {
		note(pr, "its capabilities are for the user namespace whose root is uid %u, not this one: ignored",
		     (unsigned)owner);
	} else if (cap && nosuid) {
		note(pr, "it is on a nosuid mount: its capabilities are ignored");
	} else if (cap) {
		f->fcaps = true;
		for (unsigned i = 0; i <= kernel_last; i++) {
			cap_flag_value_t v = CAP_CLEAR;

			if (cap_get_flag(cap, (cap_value_t)i, CAP_PERMITTED, &v) == 0 && v)
				f->fprm |= (uint64_t)1 << i;
			if (cap_get_flag(cap, (cap_value_t)i, CAP_INHERITABLE, &v) == 0 && v)
				f->finh |= (uint64_t)1 << i;
			if (cap_get_flag(cap, (cap_value_t)i, CAP_EFFECTIVE, &v) == 0 && v)
				f->feff = true;
		}
		note(pr, "file capabilities: permitted %s, inheritable %s, effective bit %s",
		     *cx_caps_format(f->fprm, names, sizeof(names)) ? names : "[none]",
		     *cx_caps_format(f->finh, inh, sizeof(inh)) ? inh : "[none]",
		     f->feff ? "set" : "clear");
	}
	if (cap)
		cap_free(cap);

	/* The kernel takes neither bit unless both owners are mapped. */
	mapped = id_mapped("uid_map", f->uid) && id_mapped("gid_map", f->gid);
	if (st.st_mode & S_ISUID) {
		if (nosuid)
			note(pr, "set-user-ID %u: ignored on a nosuid mount", f->uid);
		else if (want->nnp == 1)
			note(pr, "set-user-ID %u: ignored under no_new_privs", f->uid);
		else if (!mapped)
			note(pr, "set-user-ID: ignored, its owner or group has no id in this user namespace");
		else
			f->setuid = true;
		if (f->setuid && f->uid != want->uid[1])
			note(pr, "set-user-ID %u: the effective uid becomes %u",
			     f->uid, f->uid);
	}
	if ((st.st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
	    !nosuid && want->nnp != 1 && mapped) {
		f->setgid = true;
		if (f->gid != want->gid[1])
			note(pr, "set-group-ID %u: the effective gid becomes %u",
			     f->gid, f->gid);
	}
	close(fd);
}

/* The rules about root and the ambient set that held, in words. */
static void note_rules(const struct cx_capstate *b, const struct cx_capstate *a,
		       struct prediction *pr)
{
	const struct cx_exec_file *f = &pr->f;
	bool noroot = b->securebits >= 0 &&
		      ((unsigned)b->securebits & CX_SECBIT_NOROOT);
	uint32_t euid = f->setuid ? f->uid : b->uid[1];

	if ((euid == 0 || b->uid[0] == 0) && noroot)
		note(pr, "securebit noroot: being root grants nothing at exec");
	else if (f->fcaps && b->uid[0] != 0 && euid == 0)
		note(pr, "set-user-ID root with capabilities, run by uid %u: only the file's capabilities count",
		     b->uid[0]);
	else if (euid == 0)
		note(pr, "root: the file counts as permitting everything, effective");
	else if (b->uid[0] == 0)
		note(pr, "real uid 0: the file counts as permitting everything, but the effective uid %u gets no effective set",
		     euid);
	else if (!f->fcaps)
		note(pr, "uid %u and a file without capabilities: only the ambient set carries over",
		     euid);
	if (b->nnp == 1 && (a->prm & ~b->prm) == 0 && (b->uid[0] == 0 || f->fcaps))
		note(pr, "no_new_privs: nothing beyond the permitted set before the exec");
	if (b->amb && !a->amb)
		note(pr, "the ambient set is cleared: the file is privileged (capabilities or set-ID)");
}

static int cmd_predict(char **argv, struct ctx *c)
{
	static struct poptOption opts[sizeof(options) / sizeof(*options) + 1];
	static const struct cx_tool predict_tool = {
		"cx-caps", "predict [options] FILE",
		"Print the sets, IDs and securebits FILE would run with, if exec'd after\n"
		"the changes the options ask for (none: now), by the rules of\n"
		"capabilities(7); and why.",
		opts, conflicts,
	};
	struct cx_capstate now, want, after;
	struct prediction pr = { .nnotes = 0 };
	struct plan p;
	uint64_t missing;
	char names[CX_CAPS_TEXT];
	char **rest;
	size_t n = sizeof(options) / sizeof(*options) - 1;
	int rc;

	memcpy(opts, options, n * sizeof(*options));
	opts[n] = (struct poptOption){ "json", 0, POPT_ARG_NONE, NULL, OPT_JSON,
				       "print one JSON object", NULL };
	rest = cx_opt_parse(&predict_tool, count_args(argv), argv, on_option, c);
	if (!rest[0])
		cx_usage_error("predict: missing operand FILE");
	if (rest[1])
		cx_usage_error("predict: unexpected operand '%s'", rest[1]);

	read_self(&now, NULL);
	make_plan(c, &now, &p, &want);
	read_exec_file(rest[0], &want, &pr);
	rc = cx_caps_after_exec(&want, &pr.f, &after, &missing);
	if (rc == 0)
		note_rules(&want, &after, &pr);
	cx_caps_format(missing, names, sizeof(names));

	if (c->json) {
		printf("{\n  \"file\": ");
		cx_json_string(stdout, rest[0]);
		printf(",\n  \"exec\": \"%s\",\n", rc ? "EPERM" : "runs");
		printf("  \"because\": [");
		for (int i = 0; i < pr.nnotes; i++) {
			printf("%s", i ? ", " : "");
			cx_json_string(stdout, pr.note[i]);
		}
		printf("],\n");
		if (rc) {
			printf("  \"missing\": ");
			json_names(missing);
			printf("\n}\n");
		} else {
			json_state(&after);
		}
		return flush_stdout();
	}
	if (rc)
		printf("%-14srefused with EPERM: the file's effective bit asks for %s, which neither the bounding set nor the inheritable set gives\n",
		       "exec:", names);
	else
		printf("%-14sruns\n", "exec:");
	for (int i = 0; i < pr.nnotes; i++)
		printf("%-14s%s\n", i ? "" : "because:", pr.note[i]);
	if (!rc)
		show_text(&after);
	return flush_stdout();
}

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	char **rest;

	cx_init("cx-caps");
	rest = cx_opt_parse(&tool, argc, argv, on_option, &c);
	if (!rest[0] && rest == argv + 1)
		cx_usage_error("missing COMMAND (or show, decode, file)");
	kernel_last = read_kernel_last();
	/* With options but no COMMAND ("--drop=cap_chown --"): --print
	 * prints and exits, else a shell runs, as cx-unshare's does. */
	if (!rest[0] && c.print)
		chain(&c, NULL);
	if (!rest[0]) {
		static char *shell[] = { NULL, NULL };

		shell[0] = getenv("SHELL");
		if (!shell[0] || !*shell[0])
			shell[0] = "/bin/sh";
		rest = shell;
	}

	/* A subcommand only as the very first argument: after an option
	 * or "--", the first operand is always a command. */
	if (rest == argv + 1) {
		if (strcmp(rest[0], "show") == 0)
			return cmd_show(rest);
		if (strcmp(rest[0], "decode") == 0)
			return cmd_decode(rest);
		if (strcmp(rest[0], "file") == 0)
			return cmd_file(rest);
		if (strcmp(rest[0], "predict") == 0)
			return cmd_predict(rest, &c);
	}
	chain(&c, rest);
}
