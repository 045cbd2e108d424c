/* helper-escape: the classic escape from a chroot, for the scenario
 * tests.  A root process makes a directory, chroots into it while its
 * working directory stays outside the new root, climbs ".." until it
 * stops moving, and makes that its root.  After a plain chroot(2) that
 * is the host's root; after pivot_root with the old root detached,
 * there is nothing above the container's root to climb to.
 *
 * Usage: helper-escape [COMMAND [ARG]...]
 * Runs COMMAND in the root it reached, or prints that root's listing,
 * one name a line, sorted. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { CLIMB = 256 };

static void die(const char *what)
{
	fprintf(stderr, "helper-escape: %s: %s\n", what, strerror(errno));
	exit(125);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_root(void)
{
	DIR *d = opendir("/");
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	if (!d)
		die("opendir /");
	while ((e = readdir(d))) {
		char **more;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		more = realloc(names, (n + 1) * sizeof(*names));
		if (!more || !(more[n] = strdup(e->d_name)))
			die("memory");
		names = more;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++)
		puts(names[i]);
	return 0;
}

int main(int argc, char **argv)
{
	char dir[] = "/.helper-escape.XXXXXX";

	if (chdir("/") < 0)
		die("chdir /");
	if (!mkdtemp(dir))
		die("mkdtemp");
	/* The root moves down into dir; the working directory stays at
	 * the old root, which is now outside it. */
	if (chroot(dir) < 0)
		die("chroot");
	/* The directory is no longer needed by name. */
	if (rmdir(dir + 1) < 0)
		die("rmdir");
	for (int i = 0; i < CLIMB; i++)
		if (chdir("..") < 0)
			die("chdir ..");
	if (chroot(".") < 0)
		die("chroot .");
	if (chdir("/") < 0)
		die("chdir /");
	if (argc < 2)
		return list_root();
	execvp(argv[1], argv + 1);
	fprintf(stderr, "helper-escape: exec %s: %s\n", argv[1],
		strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
