#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int einval(void)
{
	errno = EINVAL;
	return -1;
}

static int erange(void)
{
	errno = ERANGE;
	return -1;
}

/* Digits only, and the end of them in *end. */
static int digits(const char *s, uint64_t *out, const char **end)
{
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return einval();
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return erange();
		v = v * 10 + d;
	}
	*out = v;
	*end = s;
	return 0;
}

int cx_parse_u64(const char *s, uint64_t *out)
{
	const char *end;

	if (digits(s, out, &end) < 0)
		return -1;
	return *end ? einval() : 0;
}

int cx_parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;

	if (cx_parse_u64(s, &v) < 0)
		return -1;
	if (v > UINT32_MAX)
		return erange();
	*out = (uint32_t)v;
	return 0;
}

int cx_parse_i64(const char *s, int64_t *out)
{
	int neg = 0;
	uint64_t v;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (cx_parse_u64(s, &v) < 0)
		return -1;
	if (v > (uint64_t)INT64_MAX + neg)
		return erange();
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* V * 1000^N or 1024^N, with ERANGE past 64 bits. */
static int scale(uint64_t v, uint64_t base, unsigned n, uint64_t *out)
{
	for (; n; n--) {
		if (v > UINT64_MAX / base)
			return erange();
		v *= base;
	}
	*out = v;
	return 0;
}

/* The fraction 0.F of MULT, rounded down, exact for any number of
 * digits: from the last digit to the first, part = (d * mult + part) /
 * 10, since floor((n + x) / 10) == floor((n + floor(x)) / 10) for a
 * whole n.  part < mult <= 2^60, so d * mult + part fits in 64 bits. */
static uint64_t fraction_of(const char *f, const char *end, uint64_t mult)
{
	uint64_t part = 0;

	while (end > f)
		part = ((uint64_t)(*--end - '0') * mult + part) / 10;
	return part;
}

int cx_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	const char *end, *u = NULL, *frac = NULL, *frac_end = NULL;
	uint64_t v, mult = 1, whole, part;
	uint64_t base = 1024;

	if (digits(s, &v, &end) < 0)
		return -1;
	if (*end == '.') {
		if (!isdigit((unsigned char)*++end))
			return einval();
		for (frac = end; isdigit((unsigned char)*end); end++)
			;
		frac_end = end;
	}
	if (*end && *end != 'B' && *end != 'b') {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return einval();
		end++;
		if ((end[0] == 'i' || end[0] == 'I') &&
		    (end[1] == 'B' || end[1] == 'b') && !end[2])
			end += 2;
		else if ((end[0] == 'B' || end[0] == 'b') && !end[1])
			base = 1000, end++;
	} else if (*end) {
		end++;	/* bytes, said so: "512B" */
	}
	if (*end || (frac && !u))
		return einval();
	if (u && scale(1, base, (unsigned)(u - units + 1), &mult) < 0)
		return -1;
	if (scale(v, mult, 1, &whole) < 0)
		return -1;
	part = frac ? fraction_of(frac, frac_end, mult) : 0;
	if (whole > UINT64_MAX - part)
		return erange();
	*out = whole + part;
	return 0;
}

/* Each line of a colon-separated database, split into at most N fields
 * (the last holds the rest of the line); FN returns 1 to stop.  Lines
 * of any length: a long line must never turn into two entries. */
/* The database may come from a hostile root (cx-chroot --userspec
 * reads the new root's /etc): a FIFO would hold us forever and a
 * device such as /dev/zero would never end, so only a regular file of
 * at most DB_MAX bytes is read. */
enum { DB_MAX = 64 << 20 };

static FILE *open_db(const char *db)
{
	int fd = open(db, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > DB_MAX) {
		close(fd);
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		return NULL;
	}
	if (!(f = fdopen(fd, "r")))
		close(fd);
	return f;
}

static int each_line(const char *db, int n,
		     int (*fn)(char **field, int nfield, void *arg), void *arg)
{
	FILE *f = open_db(db);
	char *line = NULL;
	size_t cap = 0, total = 0;
	ssize_t len;
	int rc = 0;

	if (!f)
		return -1;
	/* A file that grows while we read stops at DB_MAX all the same. */
	while (!rc && (len = getline(&line, &cap, f)) >= 0 &&
	       (total += (size_t)len) <= DB_MAX) {
		char *field[8], *p = line;
		int k = 0;

		line[strcspn(line, "\n")] = '\0';
		while (k < n && k < 8 &&
		       (field[k] = strsep(&p, k + 1 < n ? ":" : "")))
			k++;
		rc = fn(field, k, arg);
	}
	free(line);
	fclose(f);
	return rc;
}

struct by_name {
	const char *name;
	uint32_t *id, *gid;
};

/* Field 2 (0-based) is the id, field 3 the primary group (passwd). */
static int match_name(char **field, int n, void *arg)
{
	struct by_name *q = arg;

	if (n < 3 || strcmp(field[0], q->name) ||
	    cx_parse_u32(field[2], q->id) < 0)
		return 0;
	if (q->gid && (n < 4 || cx_parse_u32(strsep(&field[3], ":"), q->gid) < 0))
		return 0;
	return 1;
}

static int lookup(const char *db, const char *name, uint32_t *id,
		  uint32_t *gid)
{
	struct by_name q = { name, id, gid };
	int rc = each_line(db, 4, match_name, &q);

	if (rc <= 0) {
		if (rc == 0)
			errno = ENOENT;
		return -1;
	}
	return 0;
}

int cx_parse_user(const char *s, const char *passwd, uid_t *uid, gid_t *gid,
		  int *has_gid)
{
	uint32_t u, g;

	*has_gid = 0;
	if (!*s || strchr(s, ':') || strchr(s, '\n'))
		return einval();
	if (isdigit((unsigned char)*s))
		return cx_parse_u32(s, uid) < 0 || *uid == (uid_t)-1 ?
			       einval() : 0;
	if (!passwd || lookup(passwd, s, &u, &g) < 0)
		return einval();
	*uid = u;
	*gid = g;
	*has_gid = 1;
	return 0;
}

int cx_parse_group(const char *s, const char *group, gid_t *gid)
{
	uint32_t g;

	if (!*s || strchr(s, ':') || strchr(s, '\n'))
		return einval();
	if (isdigit((unsigned char)*s))
		return cx_parse_u32(s, gid) < 0 || *gid == (gid_t)-1 ?
			       einval() : 0;
	if (!group || lookup(group, s, &g, NULL) < 0)
		return einval();
	*gid = g;
	return 0;
}

int cx_parse_userspec(const char *s, const char *passwd, const char *group,
		      uid_t *uid, gid_t *gid, int *has_gid)
{
	const char *colon = strchr(s, ':');
	char user[256];
	size_t len = colon ? (size_t)(colon - s) : strlen(s);

	if (len >= sizeof(user))
		return einval();
	memcpy(user, s, len);
	user[len] = '\0';
	if (cx_parse_user(user, passwd, uid, gid, has_gid) < 0)
		return -1;
	if (colon) {
		if (cx_parse_group(colon + 1, group, gid) < 0)
			return -1;
		*has_gid = 1;
	}
	return 0;
}

struct by_uid {
	uid_t uid;
	char *name;
	size_t len;
	gid_t gid;
};

static int match_uid(char **field, int n, void *arg)
{
	struct by_uid *q = arg;
	uint32_t uid, gid;

	if (n < 4 || !*field[0] || cx_parse_u32(field[2], &uid) < 0 ||
	    uid != q->uid ||
	    cx_parse_u32(strsep(&field[3], ":"), &gid) < 0)
		return 0;
	snprintf(q->name, q->len, "%s", field[0]);
	q->gid = gid;
	return 1;
}

int cx_lookup_uid(const char *passwd, uid_t uid, char *name, size_t len,
		  gid_t *gid)
{
	struct by_uid q = { uid, name, len, 0 };
	int rc = each_line(passwd, 4, match_uid, &q);

	if (rc <= 0) {
		errno = rc < 0 ? errno : ENOENT;
		return -1;
	}
	*gid = q.gid;
	return 0;
}

struct by_id {
	uint32_t id;
	char *name;
	size_t len;
};

static int match_id(char **field, int n, void *arg)
{
	struct by_id *q = arg;
	uint32_t id;

	/* A line with no name names nobody: the next one may. */
	if (n < 3 || !*field[0] || cx_parse_u32(field[2], &id) < 0 ||
	    id != q->id)
		return 0;
	snprintf(q->name, q->len, "%s", field[0]);
	return 1;
}

int cx_lookup_id(const char *db, uint32_t id, char *name, size_t len)
{
	struct by_id q = { id, name, len };
	int rc = each_line(db, 4, match_id, &q);

	if (rc <= 0) {
		errno = rc < 0 ? errno : ENOENT;
		return -1;
	}
	return 0;
}

struct subid {
	const char *name;
	uint32_t id, start, count;
};

/* subuid(5): "NAME_OR_ID:START:COUNT", the first line that is ours. */
static int match_subid(char **field, int n, void *arg)
{
	struct subid *q = arg;
	uint32_t id;

	if (n < 3 || (strcmp(field[0], q->name) &&
		      (cx_parse_u32(field[0], &id) < 0 || id != q->id)) ||
	    cx_parse_u32(field[1], &q->start) < 0 ||
	    cx_parse_u32(field[2], &q->count) < 0 || !q->count ||
	    (uint64_t)q->start + q->count > UINT32_MAX)
		return 0;
	return 1;
}

int cx_subid_first(const char *db, const char *name, uint32_t id,
		   uint32_t *start, uint32_t *count)
{
	struct subid q = { name ? name : "", id, 0, 0 };
	int rc = each_line(db, 3, match_subid, &q);

	if (rc <= 0) {
		errno = rc < 0 ? errno : ENOENT;
		return -1;
	}
	*start = q.start;
	*count = q.count;
	return 0;
}

int cx_idmap_around(struct cx_idmap range, uint32_t hole,
		    struct cx_idmap out[2])
{
	int n = 0;

	if (hole < range.inner || hole - range.inner >= range.count) {
		out[n++] = range;
		return n;
	}
	if (hole > range.inner)
		out[n++] = (struct cx_idmap){ range.inner, range.outer,
					      hole - range.inner };
	if (hole - range.inner + 1 < range.count)
		out[n++] = (struct cx_idmap){
			hole + 1, range.outer + (hole - range.inner) + 1,
			range.count - (hole - range.inner) - 1 };
	return n;
}

struct members {
	const char *name;
	gid_t *out;
	int n, max;
};

static int match_member(char **field, int n, void *arg)
{
	struct members *q = arg;
	char *list, *who;
	uint32_t gid;

	if (n < 4 || cx_parse_u32(field[2], &gid) < 0)
		return 0;
	for (list = field[3]; (who = strsep(&list, ","));) {
		if (strcmp(who, q->name))
			continue;
		for (int i = 0; i < q->n; i++)
			if (q->out[i] == gid)
				return 0;
		if (q->n == q->max) {
			q->n = -1;
			return 1;
		}
		q->out[q->n++] = gid;
		return 0;
	}
	return 0;
}

int cx_user_groups(const char *group, const char *name, gid_t primary,
		   gid_t *out, int max)
{
	struct members q = { name, out, 1, max };

	if (max < 1)
		return erange();
	out[0] = primary;
	if (each_line(group, 4, match_member, &q) < 0 && errno != ENOENT)
		return -1;
	if (q.n < 0)
		return erange();
	return q.n;
}

int cx_parse_groups(const char *s, const char *group, gid_t *out, int max)
{
	char buf[4096], *p = buf, *tok;
	int n = 0;

	if (strlen(s) >= sizeof(buf) || !*s)
		return einval();
	strcpy(buf, s);
	while ((tok = strsep(&p, ","))) {
		if (n == max)
			return erange();
		if (cx_parse_group(tok, group, &out[n++]) < 0)
			return -1;
	}
	return n;
}

int cx_parse_idmap(const char *s, struct cx_idmap *m)
{
	uint64_t v[3];
	const char *p = s;
	char sep = strchr(s, ':') ? ':' : ',';

	for (int i = 0; i < 3; i++) {
		const char *end;

		if (digits(p, &v[i], &end) < 0)
			return -1;
		if (v[i] > UINT32_MAX)
			return erange();
		if (i < 2 && *end != sep)
			return einval();
		if (i == 2 && *end)
			return einval();
		p = end + 1;
	}
	if (sep == ':') {
		m->inner = (uint32_t)v[0];
		m->outer = (uint32_t)v[1];
	} else {
		m->outer = (uint32_t)v[0];
		m->inner = (uint32_t)v[1];
	}
	m->count = (uint32_t)v[2];
	if (m->count == 0)
		return einval();
	if ((uint64_t)m->inner + m->count > (uint64_t)UINT32_MAX ||
	    (uint64_t)m->outer + m->count > (uint64_t)UINT32_MAX)
		return erange();
	return 0;
}

/* The signals by the names kill(1) and glibc's sigabbrev_np() give
 * them, without "SIG"; our own table, so that every C library reads
 * the same names. */
static const struct {
	int sig;
	const char *name;
} signals[] = {
	{ SIGHUP, "HUP" }, { SIGINT, "INT" }, { SIGQUIT, "QUIT" },
	{ SIGILL, "ILL" }, { SIGTRAP, "TRAP" }, { SIGABRT, "ABRT" },
	{ SIGBUS, "BUS" }, { SIGFPE, "FPE" }, { SIGKILL, "KILL" },
	{ SIGUSR1, "USR1" }, { SIGSEGV, "SEGV" }, { SIGUSR2, "USR2" },
	{ SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" }, { SIGTERM, "TERM" },
	{ SIGSTKFLT, "STKFLT" }, { SIGCHLD, "CHLD" }, { SIGCONT, "CONT" },
	{ SIGSTOP, "STOP" }, { SIGTSTP, "TSTP" }, { SIGTTIN, "TTIN" },
	{ SIGTTOU, "TTOU" }, { SIGURG, "URG" }, { SIGXCPU, "XCPU" },
	{ SIGXFSZ, "XFSZ" }, { SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" },
	{ SIGWINCH, "WINCH" }, { SIGPOLL, "POLL" }, { SIGPWR, "PWR" },
	{ SIGSYS, "SYS" },
};

int cx_parse_signal(const char *s, int *sig)
{
	uint32_t n;

	if (isdigit((unsigned char)*s)) {
		if (cx_parse_u32(s, &n) < 0 || n == 0 || n >= NSIG)
			return einval();
		*sig = (int)n;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(*signals); i++)
		if (strcasecmp(signals[i].name, s) == 0) {
			*sig = signals[i].sig;
			return 0;
		}
	return einval();
}
