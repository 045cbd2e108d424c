#include "opt.h"

#include "die.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CX_VERSION
#define CX_VERSION "0"
#endif

enum { OPT_HELP = -1000, OPT_VERSION = -1001 };

static const struct poptOption common_options[] = {
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

/* Option arguments live until exec: tools keep pointers to them. */
static char **kept;
static size_t nkept;

static void keep(char *arg)
{
	char **k;

	if (!arg)
		return;
	k = realloc(kept, (nkept + 1) * sizeof(*kept));
	if (!k)
		cx_die_errno("realloc");
	kept = k;
	kept[nkept++] = arg;
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

static int takes_arg(const struct poptOption *o)
{
	return (o->argInfo & POPT_ARG_MASK) != POPT_ARG_NONE;
}

static int optional_arg(const struct poptOption *o)
{
	return takes_arg(o) && (o->argInfo & POPT_ARGFLAG_OPTIONAL);
}

static char *join(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = malloc(n);

	if (!s)
		cx_die_errno("malloc");
	snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

/* "--name=ARG", or "-c=ARG" for an option with no long name: popt
 * takes one '=' after a short option away, so ARG comes through whole,
 * a leading '=' of its own included. */
static char *attach(const struct poptOption *o, const char *flag,
		    const char *arg)
{
	char *head, *all;

	if (!o->longName)
		return join(flag, "=", arg);
	head = join("--", o->longName, "=");
	all = join(head, arg, "");
	free(head);
	return all;
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

/* Rewrite the options part of argv into one unambiguous form for popt:
 * every argument attached ("--name=ARG", "-cARG"), every optional
 * argument explicit ("--name=" when left out), every short cluster
 * split.  Returns the index of the first operand in argv. */
static int normalize(const struct poptOption *all, int argc, char **argv,
		     char **out, int *nout)
{
	int i, n = 0;

	out[n++] = argv[0];
	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (strcmp(a, "--") == 0)
			return *nout = n, i + 1;
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (a[1] == '-') {
			char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const struct poptOption *o = find_long(all, name, len);

			if (!o)
				cx_usage_error("unrecognized option '--%.*s'",
					       (int)len, name);
			if (!takes_arg(o)) {
				if (eq)
					cx_usage_error("option '--%s' doesn't allow an argument",
						       o->longName);
				out[n++] = a;
			} else if (eq) {
				/* "--mount=" names no file: an empty value
				 * is refused, optional or not, rather than
				 * read as the option without one. */
				if (!eq[1])
					cx_usage_error("option '--%s' requires a non-empty argument after '='",
						       o->longName);
				out[n++] = a;
			} else if (optional_arg(o)) {
				out[n++] = join(a, "=", "");
			} else if (i + 1 < argc) {
				if (!argv[i + 1][0])
					cx_usage_error("option '--%s' requires a non-empty argument",
						       o->longName);
				out[n++] = join(a, "=", argv[++i]);
			} else {
				cx_usage_error("option '--%s' requires an argument",
					       o->longName);
			}
			continue;
		}
		for (int j = 1; a[j]; j++) {
			const struct poptOption *o = find_short(all, a[j]);
			char flag[3] = { '-', a[j], '\0' };

			if (!o)
				cx_usage_error("invalid option -- '%c'", a[j]);
			if (!takes_arg(o)) {
				out[n++] = join(flag, "", "");
				continue;
			}
			/* As util-linux: only the long form of an option
			 * takes an optional argument ("-fmu" is three). */
			if (optional_arg(o)) {
				out[n++] = join("--", o->longName, "=");
				continue;
			}
			/* Attached in one token, so that popt never takes
			 * the next word for it. */
			if (a[j + 1]) {
				out[n++] = attach(o, flag, a + j + 1);
			} else if (i + 1 < argc) {
				if (!argv[i + 1][0])
					cx_usage_error("option requires a non-empty argument -- '%c'",
						       a[j]);
				out[n++] = attach(o, flag, argv[++i]);
			} else {
				cx_usage_error("option requires an argument -- '%c'",
					       a[j]);
			}
			break;
		}
	}
	*nout = n;
	return i;
}

char **cx_opt_parse(const struct cx_tool *tool, int argc, char **argv,
		    cx_opt_fn fn, void *ctx)
{
	int nt = count(tool->options), nc = count(common_options);
	struct poptOption *all = calloc(nt + nc + 1, sizeof(*all));
	/* A short cluster expands to at most one token per letter. */
	size_t cap = 1;
	char **norm;
	int nnorm, first, rc;
	poptContext pc;

	for (int i = 0; i < argc; i++)
		cap += strlen(argv[i]) + 1;
	norm = calloc(cap, sizeof(*norm));
	if (!all || !norm)
		cx_die_errno("calloc");
	memcpy(all, tool->options, nt * sizeof(*all));
	memcpy(all + nt, common_options, nc * sizeof(*all));

	first = normalize(all, argc, argv, norm, &nnorm);
	pc = poptGetContext(tool->name, nnorm, (const char **)norm, all,
			    POPT_CONTEXT_POSIXMEHARDER | POPT_CONTEXT_NO_EXEC);
	if (!pc)
		cx_die("unable to set up option parsing");
	while ((rc = poptGetNextOpt(pc)) > 0) {
		char *arg = poptGetOptArg(pc);

		keep(arg);
		/* An empty argument only ever stands for a left-out
		 * optional one: the normalizer refused the others. */
		if (fn(ctx, rc, arg && *arg ? arg : NULL) < 0)
			cx_usage_error("%s", cx_last_msg());
	}
	if (rc != -1 && rc != OPT_HELP && rc != OPT_VERSION)
		cx_usage_error("%s: %s",
			       poptBadOption(pc, POPT_BADOPTION_NOALIAS),
			       poptStrerror(rc));
	poptFreeContext(pc);
	for (int k = 1; k < nnorm; k++) {
		int from_argv = 0;

		for (int i = 1; i < argc && !from_argv; i++)
			from_argv = norm[k] == argv[i];
		if (!from_argv)
			free(norm[k]);
	}
	free(norm);
	/* --help and --version end the parse where they stand; everything
	 * is freed first, so that a sanitized build exits 0 too. */
	if (rc == OPT_HELP)
		print_help(tool, all);
	else if (rc == OPT_VERSION)
		printf("%s %s\n", tool->name, CX_VERSION);
	free(all);
	if (rc != -1)
		exit(fflush(stdout) == 0 ? 0 : CX_EXIT_FAIL);
	return argv + first;
}
