#include "die.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23	/* Linux 5.14 */
#endif

const char *cx_prog = "cx";

static char last_msg[1024];
static char last_why[512];	/* after the errno's text, when there is one */
static int last_err;

/* The pages every tool writes in its short life, made present with one
 * call each instead of a page fault each: the stack a tool uses (up to
 * 36 KiB: path buffers, messages) and its zero-initialised data, where
 * alloc.c's arena is.  On the machines measured here a first touch
 * costs 10 to 20 us, a page made present in bulk about 1 (see "Speed"
 * in README.md).  A kernel before 5.14 says EINVAL, and the pages come
 * one fault at a time as before. */
enum { STACK_AHEAD = 36 << 10, BSS_MAX = 64 << 10 };

extern char __bss_start[], _end[];

static void prefault(void)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0) & ~(page - 1);
	uintptr_t lo = (uintptr_t)__bss_start & ~(page - 1);
	uintptr_t hi = ((uintptr_t)_end + page - 1) & ~(page - 1);

	madvise((void *)(sp - STACK_AHEAD), STACK_AHEAD, MADV_POPULATE_WRITE);
	if (hi - lo <= BSS_MAX)
		madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
}

void cx_init(const char *prog)
{
	const char *v = getenv(CX_VERBOSE_ENV);

	prefault();
	cx_prog = prog;
	cx_verbose = v && strcmp(v, "1") == 0;
	/* Run from a descriptor (execveat), a tool's command name would be
	 * the descriptor's number: ps and pkill find it by its own. */
	prctl(PR_SET_NAME, prog, 0, 0, 0);
	/* Not dumpable until the final exec: nothing inside a container's
	 * root may open our /proc/PID/exe or ptrace us while we run a host
	 * binary there.  execve() of the command resets this. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

#ifdef __SANITIZE_ADDRESS__
/* LeakSanitizer stops the world with ptrace, which a process that is
 * not dumpable refuses: every tool makes itself so (above), and an exec
 * with a real id other than the effective one is so from the start,
 * when ASAN_OPTIONS cannot even be read (/proc/self/environ is
 * root's).  Its check at exit would end such a tool with a fatal error
 * of its own; the unit tests, dumpable, keep it. */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
	return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1;
}
#endif

static void __attribute__((format(printf, 1, 2))) set_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	va_end(ap);
}

int cx_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	va_end(ap);
	last_why[0] = '\0';
	last_err = err;
	errno = err;
	return -1;
}

int cx_fail_why(int err, const char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	va_end(ap);
	snprintf(last_why, sizeof(last_why), "%s", why);
	last_err = err;
	errno = err;
	return -1;
}

const char *cx_last_msg(void)
{
	return last_msg;
}

int cx_last_errno(void)
{
	return last_err;
}

void cx_fail_save(struct cx_failure *f)
{
	f->err = last_err;
	snprintf(f->msg, sizeof(f->msg), "%s", last_msg);
	snprintf(f->why, sizeof(f->why), "%s", last_why);
}

int cx_fail_restore(const struct cx_failure *f)
{
	snprintf(last_msg, sizeof(last_msg), "%s", f->msg);
	snprintf(last_why, sizeof(last_why), "%s", f->why);
	last_err = f->err;
	errno = f->err;
	return -1;
}

static void vwarn(int err, const char *fmt, va_list ap)
{
	char buf[1280];
	int n;

	n = snprintf(buf, sizeof(buf), "%s: ", cx_prog);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = 0;
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (err)
		fprintf(stderr, "%s: %s\n", buf, strerror(err));
	else
		fprintf(stderr, "%s\n", buf);
}

int cx_verbose;

void cx_say(const char *fmt, ...)
{
	va_list ap;

	if (!cx_verbose)
		return;
	va_start(ap, fmt);
	vwarn(0, fmt, ap);
	va_end(ap);
}

void cx_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(0, fmt, ap);
	va_end(ap);
}

void cx_warn_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vwarn(err, fmt, ap);
	va_end(ap);
	errno = err;
}

void cx_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(0, fmt, ap);
	va_end(ap);
	exit(CX_EXIT_FAIL);
}

void cx_die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vwarn(err, fmt, ap);
	va_end(ap);
	exit(CX_EXIT_FAIL);
}

int cx_fail_context(const char *fmt, ...)
{
	char context[512], inner[sizeof(last_msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	snprintf(inner, sizeof(inner), "%s", last_msg);
	/* What was found to be the cause stays with the message. */
	set_msg("%s: %s", context, inner);
	errno = last_err;
	return -1;
}

void cx_warn_last(void)
{
	if (last_err && last_why[0])
		fprintf(stderr, "%s: %s: %s: %s\n", cx_prog, last_msg,
			strerror(last_err), last_why);
	else if (last_err)
		fprintf(stderr, "%s: %s: %s\n", cx_prog, last_msg,
			strerror(last_err));
	else
		fprintf(stderr, "%s: %s\n", cx_prog, last_msg);
}

void cx_die_last(void)
{
	cx_warn_last();
	exit(CX_EXIT_FAIL);
}
