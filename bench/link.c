/* link: one link of a chain and nothing else.  It execs the rest of its
 * argv, as every cx tool does once its step is done, so that
 * "link link link true" against "true" is the price of the chain
 * itself: an exec of a small static program. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: link COMMAND [ARG]...\n", stderr);
		return 125;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
