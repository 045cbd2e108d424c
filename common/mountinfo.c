#include "mountinfo.h"

#include "die.h"
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The most of /proc/self/mountinfo read: fs.mount-max lets a namespace
 * hold 100000 mounts by default, some 30 MiB at typical line lengths. */
#define MOUNTINFO_MAX (64u << 20)

/* --- one line ---------------------------------------------------------- */

/* Undo the kernel's octal escapes in place.  It writes space, tab,
 * newline and backslash in paths as "\ooo" (mangle() in fs/proc_namespace.c);
 * a backslash not followed by three such digits is itself. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
					(s[3] - '0'));
			s += 3;
			continue;
		}
		*out++ = *s;
	}
	*out = '\0';
}

/* Decimal digits only: strtoul alone would take a sign and spaces. */
static int parse_ulong(const char *s, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return *end || errno ? -1 : 0;
}

/* "MAJOR:MINOR", split in place. */
static int parse_dev(char *s, unsigned *major, unsigned *minor)
{
	char *colon = strchr(s, ':');
	unsigned long a, b;

	if (!colon)
		return -1;
	*colon = '\0';
	if (parse_ulong(s, &a) < 0 || parse_ulong(colon + 1, &b) < 0 ||
	    a > UINT_MAX || b > UINT_MAX)
		return -1;
	*major = (unsigned)a;
	*minor = (unsigned)b;
	return 0;
}

/* The next space-separated field of *P, or NULL at the end. */
static char *field(char **p)
{
	char *f = *p;

	if (!f || !*f)
		return NULL;
	*p = strchr(f, ' ');
	if (*p)
		*(*p)++ = '\0';
	return f;
}

/* The optional fields, from P just after the options up to the lone
 * "-" that ends them.  A path cannot hold " - ": its spaces are
 * escaped.  Returns what follows the separator, or NULL. */
static char *optional_fields(char *p, char **optional)
{
	char *sep;

	if (strncmp(p, "- ", 2) == 0) {
		*optional = p + strlen(p);	/* "" */
		return p + 2;
	}
	sep = strstr(p, " - ");
	if (!sep)
		return NULL;
	*sep = '\0';
	*optional = p;
	return sep + 3;
}

int cx_mountinfo_parse_line(char *line, struct cx_mountinfo *m)
{
	char *p = line, *id, *parent, *dev;

	line[strcspn(line, "\n")] = '\0';
	id = field(&p);
	parent = field(&p);
	dev = field(&p);
	m->root = field(&p);
	m->mountpoint = field(&p);
	m->options = field(&p);
	if (!m->options || !p || parse_ulong(id, &m->id) < 0 ||
	    parse_ulong(parent, &m->parent) < 0 ||
	    parse_dev(dev, &m->major, &m->minor) < 0)
		goto bad;
	p = optional_fields(p, &m->optional);
	m->fstype = field(&p);
	m->source = field(&p);
	m->superopts = field(&p);
	if (!m->superopts)
		goto bad;
	unescape(m->root);
	unescape(m->mountpoint);
	unescape(m->fstype);
	unescape(m->source);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* --- the table --------------------------------------------------------- */

/* Parse TEXT, which the table takes over (freed with it, or here when
 * out of memory). */
static int parse_owned(char *text, struct cx_mountinfo_table *t)
{
	size_t lines = 1;
	char *p, *line;

	*t = (struct cx_mountinfo_table){ .text = text };
	for (p = text; *p; p++)
		lines += *p == '\n';
	t->m = calloc(lines, sizeof(*t->m));
	if (!t->m) {
		cx_mountinfo_free(t);
		errno = ENOMEM;
		return -1;
	}
	p = text;
	while ((line = strsep(&p, "\n")) != NULL) {
		if (!*line)
			continue;
		if (cx_mountinfo_parse_line(line, &t->m[t->n]) == 0)
			t->n++;
		else
			t->bad++;
	}
	return 0;
}

int cx_mountinfo_parse(const char *text, struct cx_mountinfo_table *t)
{
	char *copy = strdup(text);

	if (!copy) {
		*t = (struct cx_mountinfo_table){ 0 };
		errno = ENOMEM;
		return -1;
	}
	return parse_owned(copy, t);
}

int cx_mountinfo_read(struct cx_mountinfo_table *t)
{
	static const char path[] = "/proc/self/mountinfo";
	char *text;
	size_t len;
	int fd, rc;

	*t = (struct cx_mountinfo_table){ 0 };
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cx_fail(errno, "open %s", path);
	rc = cx_read_all(fd, MOUNTINFO_MAX, &text, &len, path);
	close(fd);
	if (rc < 0)
		return -1;
	if (parse_owned(text, t) < 0)
		return cx_fail(ENOMEM, "read %s", path);
	if (t->bad) {
		cx_mountinfo_free(t);
		return cx_fail(EINVAL, "parse %s", path);
	}
	return 0;
}

void cx_mountinfo_free(struct cx_mountinfo_table *t)
{
	free(t->m);
	free(t->text);
	*t = (struct cx_mountinfo_table){ 0 };
}

const struct cx_mountinfo *cx_mountinfo_find(
	const struct cx_mountinfo_table *t, unsigned long id)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->m[i].id == id)
			return &t->m[i];
	return NULL;
}

int cx_mountinfo_depth(const struct cx_mountinfo_table *t, unsigned long id,
		       unsigned long top)
{
	const struct cx_mountinfo *m;

	/* A chain longer than the table is a loop: the root mount is its
	 * own parent, or its parent is outside our view. */
	for (size_t depth = 0; depth <= t->n; depth++) {
		if (id == top)
			return (int)depth;
		m = cx_mountinfo_find(t, id);
		if (!m || m->parent == id)
			return -1;
		id = m->parent;
	}
	return -1;
}

/* --- lists of words ------------------------------------------------------ */

/* Whether LIST, items separated by SEP, holds one that is WORD or, with
 * VALUE_SEP, starts with WORD followed by VALUE_SEP. */
static bool list_has(const char *list, char sep, const char *word,
		     char value_sep)
{
	size_t len = strlen(word);
	const char seps[] = { sep, '\0' };

	while (*list) {
		size_t n = strcspn(list, seps);

		if (n >= len && strncmp(list, word, len) == 0 &&
		    (n == len || (value_sep && list[len] == value_sep)))
			return true;
		list += n;
		if (*list == sep)
			list++;
	}
	return false;
}

bool cx_mountinfo_has(const char *opts, const char *opt)
{
	return list_has(opts, ',', opt, '\0');
}

bool cx_mountinfo_tagged(const struct cx_mountinfo *m, const char *tag)
{
	return list_has(m->optional, ' ', tag, ':');
}
