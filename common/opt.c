#include "opt.h"

#include "die.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CX_VERSION
#define CX_VERSION "0"
#endif

enum { OPT_HELP = -1000, OPT_VERSION = -1001, OPT_VERBOSE = -1002 };

static const struct poptOption common_options[] = {
	{ "verbose", 'v', POPT_ARG_NONE, NULL, OPT_VERBOSE,
	  "say each change to the kernel's state before it is made, one line each on stderr",
	  NULL },
	{ "help", 'h', POPT_ARG_NONE, NULL, OPT_HELP,
	  "display this help and exit", NULL },
	{ "version", 'V', POPT_ARG_NONE, NULL, OPT_VERSION,
	  "display version and exit", NULL },
	POPT_TABLEEND
};

void cx_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cx_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", cx_prog);
	exit(CX_EXIT_FAIL);
}

int cx_opt_invalid(const char *opt, const char *value, const char *why, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, why);
	vsnprintf(text, sizeof(text), why, ap);
	va_end(ap);
	return cx_fail(0, "invalid %s '%s': %s", opt, value, text);
}

static int count(const struct poptOption *o)
{
	int n = 0;

	while (o[n].longName || o[n].shortName)
		n++;
	return n;
}

static const struct poptOption *find_long(const struct poptOption *o,
					  const char *name, size_t len)
{
	for (; o->longName || o->shortName; o++)
		if (o->longName && strlen(o->longName) == len &&
		    strncmp(o->longName, name, len) == 0)
			return o;
	return NULL;
}

static const struct poptOption *find_short(const struct poptOption *o, char c)
{
	for (; o->longName || o->shortName; o++)
		if (o->shortName == c)
			return o;
	return NULL;
}

static const struct poptOption *find_val(const struct poptOption *o, int val)
{
	for (; o->longName || o->shortName; o++)
		if (o->val == val)
			return o;
	return NULL;
}

static int takes_arg(const struct poptOption *o)
{
	return (o->argInfo & POPT_ARG_MASK) != POPT_ARG_NONE;
}

static int optional_arg(const struct poptOption *o)
{
	return takes_arg(o) && (o->argInfo & POPT_ARGFLAG_OPTIONAL);
}

static void print_help(const struct cx_tool *tool,
		       const struct poptOption *all)
{
	const struct poptOption *o;

	printf("Usage: %s %s\n\n%s\n\nOptions:\n", tool->name, tool->usage,
	       tool->summary);
	for (o = all; o->longName || o->shortName; o++) {
		char left[96];
		int n = 0;
		const char *a = o->argDescrip ? o->argDescrip : "ARG";

		if (o->shortName)
			n = snprintf(left, sizeof(left), "-%c%s", o->shortName,
				     o->longName ? ", " : "");
		else
			n = snprintf(left, sizeof(left), "    ");
		if (o->longName)
			n += snprintf(left + n, sizeof(left) - n, "--%s",
				      o->longName);
		if (optional_arg(o))
			snprintf(left + n, sizeof(left) - n, "[=%s]", a);
		else if (takes_arg(o))
			snprintf(left + n, sizeof(left) - n, " %s", a);
		if (strlen(left) > 26)
			printf("  %s\n  %-26s %s\n", left, "",
			       o->descrip ? o->descrip : "");
		else
			printf("  %-26s %s\n", left,
			       o->descrip ? o->descrip : "");
	}
	printf("\nFor more details see %s(1).\n", tool->name);
}

/* What popt cannot do, each done in one place below:
 *
 * - An optional argument only as --name=ARG, as util-linux does: popt
 *   takes the next word for one when it does not start with '-' ("--pid
 *   /bin/sh" would write the pid to /bin/sh) and the rest of a short
 *   cluster ("-pf" would be -p with "f").  So popt sees these options as
 *   flags, and their "--name=ARG" comes back from it as
 *   POPT_ERROR_UNWANTEDARG, whose word holds the argument.
 * - getopt's arguments: popt drops the '=' of "-w=x" (getopt's argument
 *   is "=x"), and replaces "!#:+" in any argument by the next word not
 *   starting with '-', taking that word away (its alias syntax, on even
 *   with no aliases).  Each argument is therefore read from argv itself,
 *   and popt gets a copy of any word holding "!#:+" with it defused.
 * - An empty argument ("--mount=", "--root ''") is refused; popt takes it.
 * - getopt's messages, which the tests expect: popt's error names the
 *   word ("-fz: unknown option"), getopt's the letter ("invalid option
 *   -- 'z'").
 * - Syntax before handlers: every word is parsed before the first
 *   handler call, so a misspelt option is reported, not a value the
 *   handler refuses before it; --help ends the calls where it stands.
 *
 * popt has no call that says where it stands in argv; poptBadOption()
 * returns the word it read last (argv[next - 1]), error or not, which is
 * how each option's word is found below. */

struct parse {
	const struct poptOption *all;	/* the tool's options and ours */
	char **argv;
	int at;		/* the word popt read last */
};

/* The word popt read last: words[] holds distinct strings (argv's, or a
 * copy), so its address names the word. */
static void locate(struct parse *p, poptContext pc, const char **words,
		   int argc)
{
	const char *w = poptBadOption(pc, POPT_BADOPTION_NOALIAS);

	for (int k = p->at; k < argc; k++)
		if (words[k] == w) {
			p->at = k;
			return;
		}
}

/* The letter of a short cluster that popt found no option for: the
 * first unknown one (a letter taking an argument takes the rest). */
static char bad_letter(const struct poptOption *all, const char *w)
{
	for (int j = 1; w[j]; j++) {
		const struct poptOption *o = find_short(all, w[j]);

		if (!o)
			return w[j];
		if (takes_arg(o) && !optional_arg(o))
			break;
	}
	return '?';
}

/* popt's error rc at word p->at, in getopt's words. */
static noreturn void refuse(const struct parse *p, int rc, poptContext pc)
{
	const char *w = p->argv[p->at];
	int is_long = w[0] == '-' && w[1] == '-';
	size_t len = is_long ? strcspn(w + 2, "=") : 0;

	if (rc == POPT_ERROR_BADOPT && is_long)
		cx_usage_error("unrecognized option '--%.*s'", (int)len, w + 2);
	if (rc == POPT_ERROR_BADOPT)
		cx_usage_error("invalid option -- '%c'", bad_letter(p->all, w));
	/* a flag with "=ARG": "--fork=yes", or "-f=x", where getopt reads
	 * '=' as the next letter */
	if (rc == POPT_ERROR_UNWANTEDARG && is_long)
		cx_usage_error("option '--%.*s' doesn't allow an argument",
			       (int)len, w + 2);
	if (rc == POPT_ERROR_UNWANTEDARG)
		cx_usage_error("invalid option -- '='");
	/* the option that wants one ends its word */
	if (rc == POPT_ERROR_NOARG && is_long)
		cx_usage_error("option '%s' requires an argument", w);
	if (rc == POPT_ERROR_NOARG)
		cx_usage_error("option requires an argument -- '%c'",
			       w[strlen(w) - 1]);
	cx_usage_error("%s: %s", poptBadOption(pc, POPT_BADOPTION_NOALIAS),
		       poptStrerror(rc));
}

/* The argument of o, which popt found as got, read from argv as getopt
 * reads it. */
static const char *argument(const struct parse *p,
			    const struct poptOption *o, const char *got)
{
	const char *w = p->argv[p->at];
	size_t n = strlen(got), len = strlen(w);
	const char *a = w + len - n;

	/* the whole next word: "--root DIR", "-R DIR" */
	if (n == len) {
		if (*w)
			return w;
		if (strncmp(p->argv[p->at - 1], "--", 2) == 0)
			cx_usage_error("option '--%s' requires a non-empty argument",
				       o->longName);
		cx_usage_error("option requires a non-empty argument -- '%c'",
			       o->shortName);
	}
	/* "--root=DIR"; "--mount=" names no file: an empty value is
	 * refused, optional or not, rather than read as the option
	 * without one. */
	if (w[1] == '-') {
		if (!*a)
			cx_usage_error("option '--%s' requires a non-empty argument after '='",
				       o->longName);
		return a;
	}
	/* "-RDIR", "-R=DIR": popt dropped the '=' */
	return a[-1] == '=' ? a - 1 : a;
}

/* "--name=ARG" for an option with an optional argument, which popt
 * refused as an argument to a flag: its option, or NULL. */
static const struct poptOption *optional_given(const struct parse *p,
					       const char **arg)
{
	const char *w = p->argv[p->at], *eq = strchr(w, '=');
	const struct poptOption *o;

	if (strncmp(w, "--", 2) != 0 || !eq)
		return NULL;
	o = find_long(p->all, w + 2, (size_t)(eq - w - 2));
	if (!o || !optional_arg(o))
		return NULL;
	if (!eq[1])
		cx_usage_error("option '--%s' requires a non-empty argument after '='",
			       o->longName);
	*arg = eq + 1;
	return o;
}

/* popt's copy of argv: each "!#:+" defused (see above). */
static const char **popt_words(int argc, char **argv)
{
	const char **words = calloc(argc + 1, sizeof(*words));

	if (!words)
		cx_die_errno("calloc");
	for (int i = 0; i < argc; i++) {
		char *w = argv[i], *bang;

		if (strstr(w, "!#:+")) {
			if (!(w = strdup(w)))
				cx_die_errno("strdup");
			while ((bang = strstr(w, "!#:+")))
				*bang = '?';
		}
		words[i] = w;
	}
	return words;
}

struct call {
	int val;
	const char *arg;
};

static bool given(const struct call *calls, int n, int val)
{
	for (int i = 0; i < n; i++)
		if (calls[i].val == val)
			return true;
	return false;
}

/* "--name", or "-c" for an option with a short name only. */
static const char *shown(const struct poptOption *o, char *buf, size_t len)
{
	if (o->longName)
		snprintf(buf, len, "--%s", o->longName);
	else
		snprintf(buf, len, "-%c", o->shortName);
	return buf;
}

/* The first of the tool's conflicts that the calls hold. */
static void check_conflicts(const struct cx_tool *tool,
			    const struct poptOption *all,
			    const struct call *calls, int n)
{
	char a[64], b[64];

	for (const struct cx_opt_conflict *r = tool->conflicts; r && r->a; r++)
		if (given(calls, n, r->a) && given(calls, n, r->b))
			cx_usage_error("%s conflicts with %s%s%s%s",
				       shown(find_val(all, r->a), a, sizeof(a)),
				       shown(find_val(all, r->b), b, sizeof(b)),
				       r->why ? " (" : "", r->why ? r->why : "",
				       r->why ? ")" : "");
}

char **cx_opt_parse_stop(const struct cx_tool *tool, int argc, char **argv,
			 cx_opt_fn fn, void *ctx, bool *dashdash)
{
	int nt = count(tool->options), nc = count(common_options);
	struct poptOption *all = calloc(nt + nc + 1, sizeof(*all));
	struct poptOption *flags = calloc(nt + nc + 1, sizeof(*flags));
	const char **words = popt_words(argc, argv), **ops;
	struct parse p = { all, argv, 0 };
	struct call *calls = NULL;
	int ncalls = 0, end = 0, first, rc;
	poptContext pc;

	if (!all || !flags)
		cx_die_errno("calloc");
	memcpy(all, tool->options, nt * sizeof(*all));
	memcpy(all + nt, common_options, nc * sizeof(*all));
	/* popt's table: an optional argument is no argument to popt */
	memcpy(flags, all, (nt + nc) * sizeof(*flags));
	for (int i = 0; i < nt + nc; i++)
		if (optional_arg(&flags[i]))
			flags[i].argInfo = POPT_ARG_NONE;

	pc = poptGetContext(tool->name, argc, words, flags,
			    POPT_CONTEXT_POSIXMEHARDER | POPT_CONTEXT_NO_EXEC);
	if (!pc)
		cx_die("unable to set up option parsing");
	while ((rc = poptGetNextOpt(pc)) != -1) {
		const struct poptOption *o = NULL;
		const char *arg = NULL;
		struct call *c;

		locate(&p, pc, words, argc);
		if (rc == POPT_ERROR_UNWANTEDARG)
			o = optional_given(&p, &arg);
		else if (rc > 0 || rc == OPT_HELP || rc == OPT_VERSION ||
			 rc == OPT_VERBOSE)
			o = find_val(all, rc);
		if (!o)
			refuse(&p, rc, pc);
		if (rc != POPT_ERROR_UNWANTEDARG) {
			char *got = poptGetOptArg(pc);

			if (got && takes_arg(o))
				arg = argument(&p, o, got);
			free(got);
		}
		if (!(ncalls & (ncalls - 1))) {
			c = realloc(calls, (ncalls ? 2 * ncalls : 1) *
					   sizeof(*calls));
			if (!c)
				cx_die_errno("realloc");
			calls = c;
		}
		calls[ncalls++] = (struct call){ o->val, arg };
	}
	/* popt copies the operands, a tail of argv after POSIXMEHARDER;
	 * only their number is needed here. */
	ops = poptGetArgs(pc);
	first = argc;
	while (ops && ops[argc - first])
		first--;
	/* The word before the operands is "--" when no option read it. */
	if (dashdash)
		*dashdash = first - 1 > p.at && strcmp(argv[first - 1], "--") == 0;
	poptFreeContext(pc);
	for (int i = 0; i < argc; i++)
		if (words[i] != argv[i])
			free((char *)words[i]);
	free(words);
	free(flags);

	/* Conflicts are syntax, checked before the first handler; --help
	 * and --version answer whatever else is given. */
	for (int i = 0; i < ncalls && !end; i++)
		if (calls[i].val == OPT_HELP || calls[i].val == OPT_VERSION)
			end = calls[i].val;
	if (!end)
		check_conflicts(tool, all, calls, ncalls);
	end = 0;
	for (int i = 0; i < ncalls && !end; i++) {
		if (calls[i].val == OPT_HELP || calls[i].val == OPT_VERSION)
			end = calls[i].val;
		else if (calls[i].val == OPT_VERBOSE)
			cx_verbose = 1;
		else if (fn(ctx, calls[i].val, calls[i].arg) < 0)
			cx_usage_error("%s", cx_last_msg());
	}
	free(calls);
	/* --help and --version end the parse where they stand; everything
	 * is freed first, so that a sanitized build exits 0 too. */
	if (end == OPT_HELP)
		print_help(tool, all);
	else if (end == OPT_VERSION)
		printf("%s %s\n", tool->name, CX_VERSION);
	free(all);
	if (end)
		exit(fflush(stdout) == 0 ? 0 : CX_EXIT_FAIL);
	return argv + first;
}

char **cx_opt_parse(const struct cx_tool *tool, int argc, char **argv,
		    cx_opt_fn fn, void *ctx)
{
	return cx_opt_parse_stop(tool, argc, argv, fn, ctx, NULL);
}
