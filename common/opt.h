/* popt glue: one --help, --version and usage-error behaviour for every
 * tool.  popt only collects strings; each option's value goes to the
 * tool's handler, which runs it through the parsers in parse.h. */
#ifndef CX_OPT_H
#define CX_OPT_H

#include <popt.h>
#include <stdbool.h>
#include <stdnoreturn.h>

/* Two options that cannot be given together, by their vals, as
 * util-linux's exclusive-option tables: "--A conflicts with --B (WHY)".
 * What depends on values or on what an option implies ("--init needs
 * --pid") stays in the tool's own check. */
struct cx_opt_conflict {
	int a, b;
	const char *why;	/* or NULL */
};

struct cx_tool {
	const char *name;	/* "cx-chroot" */
	const char *usage;	/* "[options] NEWROOT [COMMAND [ARG]...]" */
	const char *summary;	/* one line: what the tool does */
	/* Options, POPT_TABLEEND-terminated.  Each has arg == NULL and a
	 * non-zero val; argInfo is POPT_ARG_NONE or POPT_ARG_STRING,
	 * optionally with POPT_ARGFLAG_OPTIONAL (then the argument can
	 * only be given as --name=ARG, as util-linux does, so that
	 * "--pid /bin/sh" never takes /bin/sh for a file). */
	const struct poptOption *options;
	/* Checked once every word is parsed, before the first handler
	 * call; { 0 }-terminated, or NULL. */
	const struct cx_opt_conflict *conflicts;
};

/* Called for each option in order.  arg is NULL for an option without
 * an argument (or an optional one left out).  Return 0, or -1 after
 * cx_fail(0, "...") to report a usage error. */
typedef int (*cx_opt_fn)(void *ctx, int val, const char *arg);

/* Parse argv up to the first operand (or "--").  Exits 0 after --help
 * or --version, 125 after a usage error.  Returns the operands: a
 * NULL-terminated tail of argv, so a chain's COMMAND keeps its own
 * options untouched. */
char **cx_opt_parse(const struct cx_tool *tool, int argc, char **argv,
		    cx_opt_fn fn, void *ctx);

/* cx_opt_parse, and *dashdash says whether the options ended at "--"
 * (rather than at an operand or the end): a tool that takes options
 * between its operands parses again after each operand, until "--". */
char **cx_opt_parse_stop(const struct cx_tool *tool, int argc, char **argv,
			 cx_opt_fn fn, void *ctx, bool *dashdash);

/* A bad value, in the one shape every tool gives it: "invalid OPT
 * 'VALUE': WHY" (OPT as typed: "--memory", or an operand's name).
 * Recorded with cx_fail(0, ...); returns -1, for a handler to return
 * (cx_opt_parse then makes it a usage error), or for cx_die_last(). */
int cx_opt_invalid(const char *opt, const char *value, const char *why, ...)
	__attribute__((format(printf, 3, 4)));

/* "PROG: MSG" and "Try 'PROG --help' for more information.", exit 125. */
noreturn void cx_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
