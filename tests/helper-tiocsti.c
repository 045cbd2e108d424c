/* helper-tiocsti: try to push one character into the input of the
 * terminal on standard input, as a hostile container would (TIOCSTI),
 * and the console selection ioctl (TIOCLINUX); print what the kernel
 * answered for each: "TIOCSTI ok" or "TIOCSTI <errno name>".
 *
 * Usage: helper-tiocsti [CHAR] */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

static const char *answer(int rc)
{
	if (rc == 0)
		return "ok";
	switch (errno) {
	case EPERM: return "EPERM";
	case EIO: return "EIO";
	case ENOTTY: return "ENOTTY";
	case EINVAL: return "EINVAL";
	default: return strerror(errno);
	}
}

int main(int argc, char **argv)
{
	char c = argc > 1 ? argv[1][0] : '#';
	char sel = 2;	/* TIOCL_SETSEL's neighbour: any subcode will do */

	printf("TIOCSTI %s\n", answer(ioctl(0, TIOCSTI, &c)));
	printf("TIOCLINUX %s\n", answer(ioctl(0, TIOCLINUX, &sel)));
	return 0;
}
