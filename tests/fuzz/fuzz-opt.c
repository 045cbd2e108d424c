/* The option parser of every tool (cx_opt_parse, popt and its fix-ups):
 * the input is an argv, NUL-separated, parsed against a table with each
 * kind of option.  A usage error, --help and --version end in exit(),
 * which the build wraps (-Wl,--wrap=exit) to come back here.  The
 * handler checks what opt.h promises: a flag never gets an argument, a
 * required argument is never missing, and the operands returned are a
 * tail of argv. */
#include "fuzz.h"
#include "opt.h"
#include "die.h"

#include <setjmp.h>

enum { O_MOUNT = 1, O_FORK, O_ROOT, O_PROPAGATION, O_X, O_INIT };

static const struct poptOption options[] = {
	{ "mount", 'm', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, O_MOUNT,
	  "an optional argument", "FILE" },
	{ "fork", 'f', POPT_ARG_NONE, NULL, O_FORK, "a flag", NULL },
	{ "root", 'R', POPT_ARG_STRING, NULL, O_ROOT, "a required argument",
	  "DIR" },
	{ "propagation", 0, POPT_ARG_STRING, NULL, O_PROPAGATION,
	  "long only", "MODE" },
#ifndef FUZZ_NO_SHORT_ONLY
	/* Build with -DFUZZ_NO_SHORT_ONLY to leave this one out while a
	 * known bug in it stops every run at once. */
	{ NULL, 'x', POPT_ARG_STRING, NULL, O_X, "short only", "X" },
#endif
	{ "init", 0, POPT_ARG_NONE, NULL, O_INIT, "a long flag", NULL },
	POPT_TABLEEND
};

static const struct cx_opt_conflict conflicts[] = {
	{ O_FORK, O_PROPAGATION, "a reason" },
#ifndef FUZZ_NO_SHORT_ONLY
	{ O_INIT, O_X, NULL },
#endif
	{ 0, 0, NULL }
};

static const struct cx_tool tool = {
	"cx-fuzz", "[options] [COMMAND [ARG]...]", "Fuzz the options.",
	options, conflicts,
};

/* An exit caught here leaves cx_opt_parse's buffers behind, which a
 * tool's real exit would have ended: no leak checks for this target. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static jmp_buf back;
static int parsing;

void __real_exit(int status);
void __wrap_exit(int status);
void __wrap_exit(int status)
{
	if (parsing)
		longjmp(back, 1);
	__real_exit(status);
}

static int on_option(void *ctx, int val, const char *arg)
{
	(void)ctx;
	switch (val) {
	case O_FORK:
	case O_INIT:
		FZ_CHECK(arg == NULL);
		break;
	case O_ROOT:
	case O_PROPAGATION:
	case O_X:
		FZ_CHECK(arg != NULL && *arg);
		/* A handler's refusal is a usage error. */
		if (strcmp(arg, "bad") == 0)
			return cx_fail(0, "bad value");
		break;
	case O_MOUNT:
		FZ_CHECK(arg == NULL || *arg);
		break;
	default:
		FZ_CHECK(!"an option value the table does not have");
	}
	return 0;
}

enum { MAXARGS = 32 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAXARGS + 2], **rest;
	volatile int argc = 1;
	size_t i = 0;

	argv[0] = strdup("cx-fuzz");
	while (i < size && argc <= MAXARGS) {
		const uint8_t *nul = memchr(data + i, '\0', size - i);
		size_t len = nul ? (size_t)(nul - (data + i)) : size - i;

		argv[argc++] = fz_str(data + i, len);
		i += len + 1;
	}
	argv[argc] = NULL;
	parsing = 1;
	if (setjmp(back) == 0) {
		rest = cx_opt_parse(&tool, argc, argv, on_option, NULL);
		FZ_CHECK(rest >= argv + 1 && rest <= argv + argc);
		FZ_CHECK(rest[argc - (rest - argv)] == NULL);
	}
	parsing = 0;
	for (int k = 0; k < argc; k++)
		free(argv[k]);
	return 0;
}
