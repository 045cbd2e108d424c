/* /proc/self/mountinfo, read and parsed in one place.
 *
 * Every check cx makes against the mount table goes through here: the
 * proof that a bind is read-only below, the cgroup layout, the type and
 * propagation of the mount that holds a descriptor.  Paths in the table
 * are chosen by whoever can mount, so this parser is fuzzed
 * (tests/fuzz/fuzz-mountinfo.c). */
#ifndef CX_MOUNTINFO_H
#define CX_MOUNTINFO_H

#include <stdbool.h>
#include <stddef.h>

/* One line (proc(5)):
 *   ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
 * The strings point into the parsed text.  root, mountpoint, fstype and
 * source have the kernel's octal escapes ("\040" for a space, "\134"
 * for a backslash) undone; the two option lists keep theirs, so that an
 * escaped comma inside a value never splits it.  optional holds the
 * optional fields as written ("shared:1 master:2", or ""). */
struct cx_mountinfo {
	unsigned long id, parent;
	unsigned major, minor;	/* of the file system's device */
	char *root, *mountpoint, *options, *optional;
	char *fstype, *source, *superopts;
};

/* Parse LINE in place (a trailing newline is dropped).  -1 with errno
 * EINVAL when it is not a mountinfo line: too few fields, no " - "
 * separator, an ID or device that is not numeric. */
int cx_mountinfo_parse_line(char *line, struct cx_mountinfo *m);

/* A whole table, in the order the kernel lists it. */
struct cx_mountinfo_table {
	struct cx_mountinfo *m;
	size_t n;
	size_t bad;		/* lines that did not parse, left out */
	char *text;		/* what m points into */
};

/* Parse TEXT (copied) line by line into T; empty lines are skipped,
 * lines that do not parse are left out and counted in T->bad.  -1 with
 * errno ENOMEM, T then empty.  Free T with cx_mountinfo_free. */
int cx_mountinfo_parse(const char *text, struct cx_mountinfo_table *t);

/* The whole of /proc/self/mountinfo.  Every line must parse: the
 * kernel writes no other kind, and a check that skipped a line could
 * miss the very mount it is about.  0, or -1 recorded with cx_fail. */
int cx_mountinfo_read(struct cx_mountinfo_table *t);

void cx_mountinfo_free(struct cx_mountinfo_table *t);

/* The mount whose id is ID, or NULL. */
const struct cx_mountinfo *cx_mountinfo_find(
	const struct cx_mountinfo_table *t, unsigned long id);

/* How many parents up from ID the mount TOP is: 1 for a child of TOP,
 * 0 for TOP itself, -1 when ID is not below TOP. */
int cx_mountinfo_depth(const struct cx_mountinfo_table *t, unsigned long id,
		       unsigned long top);

/* Whether the comma-separated list OPTS (options or superopts) holds
 * OPT as a whole item. */
bool cx_mountinfo_has(const char *opts, const char *opt);

/* Whether the optional fields of M hold TAG, alone ("unbindable") or
 * with a peer group ("shared" matches "shared:4"). */
bool cx_mountinfo_tagged(const struct cx_mountinfo *m, const char *tag);

#endif
