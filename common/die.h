/* Messages and exits shared by every cx tool.
 *
 * One convention: a helper in common/ records what failed with
 * cx_fail() (or puts context before what a callee recorded, with
 * cx_fail_context()) and returns -1; the tool decides, with
 * cx_die_last() or cx_warn_last().  Every message starts with the
 * tool's fixed name, because several tools of one chain share one
 * stderr.  The exceptions, each said in its header:
 * - the ends of a tool: cx_exec() and cx_exit_like() (exec.h), and
 *   cx_opt_parse()'s usage errors, --help and --version (opt.h);
 * - a child that a helper forked and that cannot go on (it says why
 *   and _exits 125: there is no caller to return to);
 * - an undo that fails while another failure is being reported (a
 *   warning, so that the first failure stays the one recorded);
 * - an allocation of a few bytes for a path (cx_cg_path) dies. */
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
/* The same, with WHY, the cause that was found, printed after the
 * errno's text: "PROG: MESSAGE: strerror: WHY". */
int cx_fail_why(int err, const char *why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The recorded message and errno. */
const char *cx_last_msg(void);
int cx_last_errno(void);
/* Put CONTEXT before the recorded message ("CONTEXT: MESSAGE"), the
 * errno kept; returns -1 with errno set, as cx_fail(). */
int cx_fail_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --verbose: when set, cx_say prints "PROG: MESSAGE", one line on
 * stderr, for each change a tool is about to make to the kernel's
 * state, so that a chain can be read as it runs. */
extern int cx_verbose;
/* The environment variable that carries --verbose down a chain of cx
 * tools (cx_init reads it; cx_exec sets it for a cx tool only). */
#define CX_VERBOSE_ENV "CX_VERBOSE"
void cx_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The recorded failure, kept whole (its cause too) across an undo whose
 * own steps may record others: cx_fail_save, the undo, then
 * cx_fail_restore, which returns -1 with errno set, as cx_fail(). */
struct cx_failure {
	int err;
	char msg[1024], why[512];
};
void cx_fail_save(struct cx_failure *f);
int cx_fail_restore(const struct cx_failure *f);

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
