/* Messages and exits shared by every cx tool.
 *
 * Helpers in common/ never exit: they record what failed with cx_fail()
 * and return -1.  Only tools/ decide to exit, with cx_die_last() or
 * cx_die().  Every message starts with the tool's fixed name, because
 * several tools of one chain share one stderr. */
#ifndef CX_DIE_H
#define CX_DIE_H

#include <stdarg.h>
#include <stdnoreturn.h>

/* Exit codes, as env(1) and chroot(1) use them. */
enum {
	CX_EXIT_FAIL = 125,	/* the cx tool itself failed */
	CX_EXIT_CANNOT_RUN = 126, /* the command was found but not run */
	CX_EXIT_NOT_FOUND = 127, /* the command was not found */
};

extern const char *cx_prog;

/* Name the tool and make it not dumpable (see cx.7: a host binary that
 * runs inside a container's root must not be writable through
 * /proc/PID/exe, CVE-2019-5736). */
void cx_init(const char *prog);

/* Record a failure: the operation and path as text, and the errno to
 * report.  Returns -1 with errno set to err, so helpers can write
 * "return cx_fail(errno, "open %s", path);". */
int cx_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The recorded message and errno. */
const char *cx_last_msg(void);
int cx_last_errno(void);
/* Put CONTEXT before the recorded message ("CONTEXT: MESSAGE"), the
 * errno kept; returns -1 with errno set, as cx_fail(). */
int cx_fail_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void cx_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROG: MSG: strerror(errno)" */
void cx_warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void cx_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void cx_die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the failure recorded by cx_fail(): "PROG: MESSAGE: strerror",
 * without the strerror when it recorded no errno. */
void cx_warn_last(void);
/* The same, then exit 125. */
noreturn void cx_die_last(void);

#endif
