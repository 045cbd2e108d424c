/* timeit: the wall time of one run of a command, for make bench.
 *
 *   timeit [-i MS] [-o] COMMAND [ARG]...
 *
 * Prints one line, "NANOSECONDS MAXRSS_KB MINFLT CPU_NS", on stdout: the
 * time from just before fork() to the return of wait4(), on
 * CLOCK_MONOTONIC; the peak resident set of the command and everything
 * it waited for (ru_maxrss, which follows the process across exec);
 * their minor page faults, which is where a fork and an exec spend
 * their time on a virtual machine; and their user and system CPU time,
 * which other load on the machine disturbs less than the wall time.  -i sleeps MS
 * milliseconds first, off the clock: the "after idle" regime.  The
 * command's stdin and stdout are /dev/null (opened before the clock
 * starts) unless -o keeps stdout; its stderr is ours, so a failing
 * variant says why.  Exits 0 when the command exited 0, else 1 after a
 * line on stderr: a benchmark must not time a failure as a fast run. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: timeit [-i MS] [-o] COMMAND [ARG]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long idle_ms = 0;
	int keep_stdout = 0, opt, null, status;
	struct rusage ru;
	uint64_t t0, t1;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+i:o")) != -1) {
		switch (opt) {
		case 'i':
			idle_ms = strtol(optarg, NULL, 10);
			if (idle_ms < 0)
				usage();
			break;
		case 'o':
			keep_stdout = 1;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0) {
		perror("timeit: open /dev/null");
		return 1;
	}
	if (idle_ms) {
		struct timespec ts = { idle_ms / 1000, idle_ms % 1000 * 1000000 };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	fflush(stdout);
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 1;
	}
	if (pid == 0) {
		dup2(null, 0);
		if (!keep_stdout)
			dup2(null, 1);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "timeit: exec %s: %s\n", argv[optind],
			strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("timeit: wait4");
			return 1;
		}
	t1 = now_ns();
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (WIFSIGNALED(status))
			fprintf(stderr, "timeit: %s: killed by signal %d\n",
				argv[optind], WTERMSIG(status));
		else
			fprintf(stderr, "timeit: %s: exit status %d\n",
				argv[optind], WEXITSTATUS(status));
		return 1;
	}
	printf("%llu %ld %ld %lld\n", (unsigned long long)(t1 - t0),
	       ru.ru_maxrss, ru.ru_minflt,
	       (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
		       (long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000);
	return 0;
}
