/* Unit tests for the option glue (common/opt.h), with a small tool of
 * our own:
 *
 *   -p, --pid[=FILE]     optional argument: only as --pid=FILE
 *   -f, --fork           no argument
 *       --hostname NAME  required argument, long name only
 *   -w, --wd DIR         required argument
 *
 * Each case is an argv, the handler calls it must make (in order) and
 * the operands it must leave.  Usage errors exit 125 and --help exits
 * 0: those run in a child, whose exit status and output are checked. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "die.h"
#include "opt.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#define LSAN_OFF() __lsan_disable()
#else
#define LSAN_OFF() ((void)0)
#endif

enum { OPT_PID = 'p', OPT_FORK = 'f', OPT_HOSTNAME = 1000, OPT_WD = 'w',
       OPT_QUIET = 1001 };

static const struct poptOption options[] = {
	{ "pid", 'p', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, OPT_PID,
	  "write the pid to FILE", "FILE" },
	{ "fork", 'f', POPT_ARG_NONE, NULL, OPT_FORK, "fork first", NULL },
	{ "hostname", 0, POPT_ARG_STRING, NULL, OPT_HOSTNAME,
	  "set the hostname", "NAME" },
	{ "wd", 'w', POPT_ARG_STRING, NULL, OPT_WD,
	  "working directory", "DIR" },
	{ "quiet", 0, POPT_ARG_NONE, NULL, OPT_QUIET, "say nothing", NULL },
	POPT_TABLEEND
};

static const struct cx_opt_conflict conflicts[] = {
	{ OPT_QUIET, OPT_HOSTNAME, "a name is said" },
	{ OPT_QUIET, OPT_PID, NULL },
	{ 0, 0, NULL }
};

static const struct cx_tool tool = {
	.name = "cx-test",
	.usage = "[options] COMMAND [ARG]...",
	.summary = "A tool that only parses its options.",
	.options = options,
	.conflicts = conflicts,
};

#define MAXARGS 12
#define MAXCALLS 8

struct call {
	int val;
	const char *arg;	/* NULL: no argument */
};

/* What the handler saw. */
struct seen {
	int n;
	int val[MAXCALLS];
	char *arg[MAXCALLS];
};

static int handler(void *ctx, int val, const char *arg)
{
	struct seen *s = ctx;

	if (arg && strcmp(arg, "refuse") == 0)
		return cx_fail(0, "the handler refuses '%s'", arg);
	if (s->n == MAXCALLS)
		return cx_fail(0, "too many calls");
	s->val[s->n] = val;
	s->arg[s->n] = arg ? strdup(arg) : NULL;
	s->n++;
	return 0;
}

struct opt_case {
	const char *name;
	const char *argv[MAXARGS];	/* after argv[0] */
	struct call calls[MAXCALLS];
	int ncalls;
	int first;	/* index in argv of the first operand */
	bool dashdash;	/* the options ended at "--" */
};

static const struct opt_case cases[] = {
	{ "--pid does not eat the command",
	  { "--pid", "/bin/sh", "-x" },
	  { { OPT_PID, NULL } }, 1, 2, false },
	{ "--pid=F",
	  { "--pid=F" },
	  { { OPT_PID, "F" } }, 1, 2, false },
	{ "--pid=F then a command",
	  { "--pid=/run/x.pid", "cmd", "arg" },
	  { { OPT_PID, "/run/x.pid" } }, 1, 2, false },
	{ "-p then an operand",
	  { "-p", "cmd" },
	  { { OPT_PID, NULL } }, 1, 2, false },
	{ "-fp cluster",
	  { "-fp", "cmd" },
	  { { OPT_FORK, NULL }, { OPT_PID, NULL } }, 2, 2, false },
	{ "-pf cluster",
	  { "-pf", "cmd" },
	  { { OPT_PID, NULL }, { OPT_FORK, NULL } }, 2, 2, false },
	{ "--hostname NAME cmd",
	  { "--hostname", "NAME", "cmd" },
	  { { OPT_HOSTNAME, "NAME" } }, 1, 3, false },
	{ "--hostname=NAME",
	  { "--hostname=NAME" },
	  { { OPT_HOSTNAME, "NAME" } }, 1, 2, false },
	{ "--hostname=a=b keeps the second =",
	  { "--hostname=a=b" },
	  { { OPT_HOSTNAME, "a=b" } }, 1, 2, false },
	{ "a required argument may start with -",
	  { "--hostname", "-f", "cmd" },
	  { { OPT_HOSTNAME, "-f" } }, 1, 3, false },
	{ "-wDIR",
	  { "-wDIR", "cmd" },
	  { { OPT_WD, "DIR" } }, 1, 2, false },
	{ "-w DIR",
	  { "-w", "DIR", "cmd" },
	  { { OPT_WD, "DIR" } }, 1, 3, false },
	{ "-w -f takes -f as the directory",
	  { "-w", "-f", "cmd" },
	  { { OPT_WD, "-f" } }, 1, 3, false },
	{ "-fwDIR",
	  { "-fwDIR", "cmd" },
	  { { OPT_FORK, NULL }, { OPT_WD, "DIR" } }, 2, 2, false },
	{ "-fw DIR",
	  { "-fw", "DIR", "cmd" },
	  { { OPT_FORK, NULL }, { OPT_WD, "DIR" } }, 2, 3, false },
	{ "--wd DIR",
	  { "--wd", "DIR" },
	  { { OPT_WD, "DIR" } }, 1, 3, false },
	{ "-- ends the options",
	  { "-f", "--", "-p", "x" },
	  { { OPT_FORK, NULL } }, 1, 3, true },
	{ "-- alone",
	  { "--" },
	  { { 0, NULL } }, 0, 2, true },
	{ "-- after --",
	  { "--", "--", "x" },
	  { { 0, NULL } }, 0, 2, true },
	{ "-- as an argument does not end the options",
	  { "-w", "--", "x" },
	  { { OPT_WD, "--" } }, 1, 3, false },
	{ "-- as an argument, then --",
	  { "--wd", "--", "--", "-f" },
	  { { OPT_WD, "--" } }, 1, 4, true },
	{ "-- after the first operand is an operand",
	  { "x", "--" },
	  { { 0, NULL } }, 0, 1, false },
	{ "--pid=F does not eat the next word either",
	  { "--pid=F", "cmd" },
	  { { OPT_PID, "F" } }, 1, 2, false },
	{ "-p in a cluster takes no argument",
	  { "-pfwD", "cmd" },
	  { { OPT_PID, NULL }, { OPT_FORK, NULL }, { OPT_WD, "D" } }, 3, 2, false },
	{ "-p at the end of a cluster takes no argument",
	  { "-fp", "-w", "D" },
	  { { OPT_FORK, NULL }, { OPT_PID, NULL }, { OPT_WD, "D" } }, 3, 4, false },
	{ "a cluster of one letter thrice",
	  { "-fff" },
	  { { OPT_FORK, NULL }, { OPT_FORK, NULL }, { OPT_FORK, NULL } }, 3, 2, false },
	{ "-w=DIR keeps the = as getopt does",
	  { "-w=DIR" },
	  { { OPT_WD, "=DIR" } }, 1, 2, false },
	{ "-fw= is the argument =",
	  { "-fw=" },
	  { { OPT_FORK, NULL }, { OPT_WD, "=" } }, 2, 2, false },
	{ "!#:+ in an argument stays as typed",
	  { "--hostname=a!#:+", "-f", "cmd" },
	  { { OPT_HOSTNAME, "a!#:+" }, { OPT_FORK, NULL } }, 2, 3, false },
	{ "!#:+ in a detached argument stays as typed",
	  { "-w", "!#:+", "cmd" },
	  { { OPT_WD, "!#:+" } }, 1, 3, false },
	{ "options after the first operand are operands",
	  { "cmd", "--pid" },
	  { { 0, NULL } }, 0, 1, false },
	{ "options after the operand stay, with --",
	  { "-f", "cmd", "-f", "--", "--help" },
	  { { OPT_FORK, NULL } }, 1, 2, false },
	{ "--help after the operand is the command's",
	  { "cmd", "--help" },
	  { { 0, NULL } }, 0, 1, false },
	{ "- is an operand",
	  { "-", "-f" },
	  { { 0, NULL } }, 0, 1, false },
	{ "no arguments at all",
	  { NULL },
	  { { 0, NULL } }, 0, 1, false },
	{ "the handler sees every option in order",
	  { "-f", "--hostname", "h1", "--pid=P", "-wD", "--fork",
	    "--hostname=h2", "-p", "cmd", "-f" },
	  { { OPT_FORK, NULL }, { OPT_HOSTNAME, "h1" }, { OPT_PID, "P" },
	    { OPT_WD, "D" }, { OPT_FORK, NULL }, { OPT_HOSTNAME, "h2" },
	    { OPT_PID, NULL } }, 7, 9, false },
};

#define NCASES (sizeof(cases) / sizeof(*cases))

/* A writable argv of the case's words, NULL-terminated. */
static int make_argv(const char *const words[], char *argv[])
{
	int argc = 0;

	argv[argc++] = strdup("cx-test");
	for (int i = 0; i < MAXARGS && words[i]; i++)
		argv[argc++] = strdup(words[i]);
	argv[argc] = NULL;
	return argc;
}

static void free_argv(char *argv[])
{
	for (int i = 0; argv[i]; i++)
		free(argv[i]);
}

static void test_case(void **state)
{
	const struct opt_case *c = *state;
	char *argv[MAXARGS + 2];
	struct seen seen = { 0 };
	int argc = make_argv(c->argv, argv);
	char **ops;

	bool dashdash = !c->dashdash;

	ops = cx_opt_parse_stop(&tool, argc, argv, handler, &seen, &dashdash);
	assert_int_equal(dashdash, c->dashdash);
	/* the operands are the tail of argv itself */
	assert_ptr_equal(ops, argv + c->first);
	assert_true(c->first <= argc);
	assert_null(argv[argc]);
	/* and argv is untouched */
	for (int i = 1; i < argc; i++)
		assert_string_equal(argv[i], c->argv[i - 1]);

	if (seen.n != c->ncalls)
		fail_msg("%d handler calls, want %d", seen.n, c->ncalls);
	for (int i = 0; i < c->ncalls; i++) {
		if (seen.val[i] != c->calls[i].val)
			fail_msg("call %d: val %d, want %d", i, seen.val[i],
				 c->calls[i].val);
		if (!c->calls[i].arg && seen.arg[i])
			fail_msg("call %d (val %d): arg \"%s\", want NULL", i,
				 seen.val[i], seen.arg[i]);
		if (c->calls[i].arg && !seen.arg[i])
			fail_msg("call %d (val %d): arg NULL, want \"%s\"", i,
				 seen.val[i], c->calls[i].arg);
		if (c->calls[i].arg)
			assert_string_equal(seen.arg[i], c->calls[i].arg);
	}
	for (int i = 0; i < seen.n; i++)
		free(seen.arg[i]);
	free_argv(argv);
}

/* A case that must end the process: its exit status and what it wrote
 * on stdout and stderr. */
struct exit_case {
	const char *name;
	const char *argv[MAXARGS];
	int status;
	const char *out;	/* a part of stdout, or NULL: empty */
	const char *err;	/* a part of stderr, or NULL: empty */
};

static const struct exit_case exits[] = {
	{ "unknown long option", { "--nope", "cmd" }, 125, NULL,
	  "unrecognized option '--nope'" },
	{ "unknown short option", { "-z", "cmd" }, 125, NULL,
	  "invalid option -- 'z'" },
	{ "unknown short option in a cluster", { "-fz", "cmd" }, 125, NULL,
	  "invalid option -- 'z'" },
	{ "abbreviated long option", { "--host", "h", "cmd" }, 125, NULL,
	  "unrecognized option '--host'" },
	{ "missing required argument, long", { "--hostname" }, 125, NULL,
	  "option '--hostname' requires an argument" },
	{ "missing required argument, short", { "-w" }, 125, NULL,
	  "option requires an argument -- 'w'" },
	{ "missing required argument at the end of a cluster", { "-fw" }, 125,
	  NULL, "option requires an argument -- 'w'" },
	{ "empty required argument, --name=", { "--hostname=", "cmd" }, 125,
	  NULL, "--hostname" },
	{ "empty optional argument, --pid= names no file", { "--pid=", "cmd" },
	  125, NULL, "option '--pid' requires a non-empty argument after '='" },
	{ "empty required argument, --name \"\"", { "--hostname", "", "cmd" },
	  125, NULL, "--hostname" },
	{ "empty required argument, -w \"\"", { "-w", "", "-f", "cmd" }, 125,
	  NULL, "'w'" },
	{ "argument to a no-argument option", { "--fork=yes", "cmd" }, 125,
	  NULL, "option '--fork' doesn't allow an argument" },
	{ "argument to --help", { "--help=x" }, 125, NULL,
	  "option '--help' doesn't allow an argument" },
	{ "the handler refuses", { "--hostname", "refuse", "cmd" }, 125, NULL,
	  "the handler refuses 'refuse'" },
	{ "a bad option after a refused value", { "--hostname", "refuse",
	  "--nope" }, 125, NULL, "unrecognized option '--nope'" },
	{ "a bad option after --help", { "--help", "-z" }, 125, NULL,
	  "invalid option -- 'z'" },
	{ "= after a flag in a cluster", { "-f=x" }, 125, NULL,
	  "invalid option -- '='" },
	{ "= after an optional one in a cluster", { "-p=F" }, 125, NULL,
	  "invalid option -- '='" },
	{ "the letter after the known ones", { "-fpq" }, 125, NULL,
	  "invalid option -- 'q'" },
	{ "two options of the conflicts table, either order", { "--hostname",
	  "h", "--quiet", "cmd" }, 125, NULL,
	  "--quiet conflicts with --hostname (a name is said)\n" },
	{ "a conflict without a reason", { "--quiet", "-p" }, 125, NULL,
	  "--quiet conflicts with --pid\n" },
	{ "a conflict is syntax: found before a handler refuses a value",
	  { "--hostname", "refuse", "--quiet" }, 125, NULL,
	  "--quiet conflicts with --hostname" },
	{ "--help answers whatever conflicts", { "--quiet", "-p", "--help" },
	  0, "Usage: cx-test", NULL },
	{ "--help", { "--help" }, 0, "Usage: cx-test [options] COMMAND", NULL },
	{ "-h", { "-h", "cmd" }, 0, "Usage: cx-test", NULL },
	{ "--help after options", { "-f", "--help", "cmd" }, 0,
	  "Usage: cx-test", NULL },
	{ "--version", { "--version" }, 0, "cx-test ", NULL },
	{ "-V", { "-V" }, 0, "cx-test ", NULL },
};

#define NEXITS (sizeof(exits) / sizeof(*exits))

/* Everything from fd until EOF, into buf (cut at len - 1 bytes). */
static void slurp(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	char sink[256];

	while ((n = got < len - 1 ? read(fd, buf + got, len - 1 - got) :
				     read(fd, sink, sizeof(sink))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n > 0);
		if (got < len - 1)
			got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
}

/* A child that parses argv and must exit: its stdout and stderr (NULL:
 * /dev/null) and its wait status. */
static int run_child(const char *const words[], int check_leaks, char *o,
		     size_t olen, char *e, size_t elen)
{
	int out[2], err[2], status;
	pid_t pid;

	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	/* nothing of ours buffered, or the child would write it again */
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[MAXARGS + 2];
		struct seen seen = { 0 };
		int argc;

		if (dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
			_exit(99);
		argc = make_argv(words, argv);
		/* The child ends inside cx_opt_parse, holding what it
		 * allocated: memory held at exit is no leak, and the
		 * heap the child inherited is the test's, not cx's.
		 * test_help_no_leak is the one exception. */
		if (!check_leaks)
			LSAN_OFF();
		cx_opt_parse(&tool, argc, argv, handler, &seen);
		/* it returned: no exit at all */
		_exit(98);
	}
	close(out[1]);
	close(err[1]);
	slurp(out[0], o, olen);
	slurp(err[0], e, elen);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_exit(void **state)
{
	const struct exit_case *c = *state;
	static char o[16384], e[16384];
	int status = run_child(c->argv, 0, o, sizeof(o), e, sizeof(e));

	if (!WIFEXITED(status))
		fail_msg("killed by signal %d; stderr: %s", WTERMSIG(status),
			 e);
	if (WEXITSTATUS(status) != c->status)
		fail_msg("exit %d, want %d; stderr: %s", WEXITSTATUS(status),
			 c->status, e);
	if (c->out) {
		if (!strstr(o, c->out))
			fail_msg("stdout \"%s\" lacks \"%s\"", o, c->out);
	} else if (*o) {
		fail_msg("stdout \"%s\", want nothing", o);
	}
	if (c->err) {
		if (!strstr(e, c->err))
			fail_msg("stderr \"%s\" lacks \"%s\"", e, c->err);
		/* every usage error ends with the pointer to --help */
		if (!strstr(e, "Try '") || !strstr(e, " --help' for more"))
			fail_msg("stderr \"%s\" lacks the --help hint", e);
	} else if (*e) {
		fail_msg("stderr \"%s\", want nothing", e);
	}
}

/* --help lists every option of the tool and the common ones, with the
 * argument forms: "[=FILE]" for an optional one. */
static void test_help_text(void **state)
{
	static const char *const want[] = {
		"Usage: cx-test [options] COMMAND [ARG]...",
		"A tool that only parses its options.",
		"-p, --pid[=FILE]", "write the pid to FILE",
		"-f, --fork", "fork first",
		"--hostname NAME", "set the hostname",
		"-w, --wd DIR", "working directory",
		"-h, --help", "-V, --version",
		"cx-test(1)",
	};
	static const char *const argv[] = { "--help", NULL };
	static char o[16384], e[16384];
	int status = run_child(argv, 0, o, sizeof(o), e, sizeof(e));

	(void)state;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++)
		if (!strstr(o, want[i]))
			fail_msg("--help lacks \"%s\":\n%s", want[i], o);
}

/* Built with the sanitizers, a tool's --help must still exit 0: the
 * exit after --help must leave nothing LeakSanitizer calls a leak (the
 * popt context and cx_opt_parse's tables freed, or still reachable).
 * Without the sanitizers this is test_help_text again. */
static void test_help_no_leak(void **state)
{
	static const char *const argv[] = { "-f", "--help", NULL };
	static char o[16384], e[16384];
	int status;

	(void)state;
	status = run_child(argv, 1, o, sizeof(o), e, sizeof(e));
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0) {
		/* the report's last line only: it is long */
		char *sum = strstr(e, "SUMMARY:");

		if (sum)
			sum[strcspn(sum, "\n")] = '\0';
		fail_msg("exit %d, want 0 (%s)", WEXITSTATUS(status),
			 sum ? sum : "no sanitizer report");
	}
}

int main(void)
{
	struct CMUnitTest tests[NCASES + NEXITS + 2];
	size_t n = 0;

	for (size_t i = 0; i < NCASES; i++)
		tests[n++] = (struct CMUnitTest){
			.name = cases[i].name,
			.test_func = test_case,
			.initial_state = (void *)&cases[i],
		};
	for (size_t i = 0; i < NEXITS; i++)
		tests[n++] = (struct CMUnitTest){
			.name = exits[i].name,
			.test_func = test_exit,
			.initial_state = (void *)&exits[i],
		};
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_help_text);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_help_no_leak);
	return _cmocka_run_group_tests("opt", tests, n, NULL, NULL);
}
