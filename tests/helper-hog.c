/* helper-hog: the walkthrough's memory hog, in C.  It allocates 10 MB
 * at a time, writes to every page so that the memory is really used,
 * and prints the running total ("10 MB", "20 MB"...) after each step,
 * unbuffered, so that what it printed before a SIGKILL is all there.
 * It stops at LIMIT MB (1024 by default) and exits 0.
 *
 * Usage: helper-hog [LIMIT_MB] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { STEP = 10 << 20 };

int main(int argc, char **argv)
{
	long limit = argc > 1 ? strtol(argv[1], NULL, 10) : 1024;
	char line[32];

	for (long mb = 10; mb <= limit; mb += 10) {
		/* mmap, not malloc: nothing of it is reused or given back. */
		char *p = mmap(NULL, STEP, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int n;

		if (p == MAP_FAILED) {
			perror("helper-hog: mmap");
			return 1;
		}
		/* Not zeroes: a page of zeroes could be merged (KSM). */
		for (long i = 0; i < STEP; i += 4096)
			p[i] = (char)(i / 4096 + mb);
		n = snprintf(line, sizeof(line), "%ld MB\n", mb);
		if (write(STDOUT_FILENO, line, (size_t)n) != n)
			return 1;
	}
	return 0;
}
