/* helper-console: the listener on an OCI runtime's --console-socket, as
 * conmon and containerd's shim are.  It listens on SOCKET, takes one
 * connection, receives the terminal's master (SCM_RIGHTS) and prints
 * what the kernel says it is:
 *
 *   name /dev/pts/N      the message sent with it
 *   ptn N                TIOCGPTN of the master received
 *   size ROWSxCOLS       TIOCGWINSZ
 *
 * then writes INPUT (a "\n" added) to the master and copies what the
 * terminal shows to standard output until its last slave closes.
 *
 * Usage: helper-console SOCKET [INPUT] */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "helper-console: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char name[256] = { 0 }, ctl[CMSG_SPACE(sizeof(int))], buf[4096];
	struct iovec iov = { name, sizeof(name) - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	struct winsize ws;
	int s, c, master, n;
	ssize_t got;

	if (argc < 2 || strlen(argv[1]) + 4 >= sizeof(a.sun_path)) {
		fprintf(stderr, "usage: helper-console SOCKET [INPUT]\n");
		return 2;
	}
	/* Bound under another name and renamed once it listens: whoever
	 * waits for SOCKET to appear never connects between bind(2) and
	 * listen(2), which is refused (ECONNREFUSED). */
	snprintf(a.sun_path, sizeof(a.sun_path), "%s.new", argv[1]);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(s, 1) < 0 || rename(a.sun_path, argv[1]) < 0)
		die(argv[1]);
	c = accept(s, NULL, NULL);
	if (c < 0)
		die("accept");
	if (recvmsg(c, &m, 0) < 0)
		die("recvmsg");
	cm = CMSG_FIRSTHDR(&m);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "helper-console: no descriptor came\n");
		return 1;
	}
	memcpy(&master, CMSG_DATA(cm), sizeof(int));
	printf("name %s\n", name);
	if (ioctl(master, TIOCGPTN, &n) < 0)
		die("TIOCGPTN");
	printf("ptn %d\n", n);
	if (ioctl(master, TIOCGWINSZ, &ws) < 0)
		die("TIOCGWINSZ");
	printf("size %ux%u\n", ws.ws_row, ws.ws_col);
	fflush(stdout);
	if (argc > 2) {
		if (write(master, argv[2], strlen(argv[2])) < 0 ||
		    write(master, "\n", 1) < 0)
			die("write the master");
	}
	/* EIO: the last slave is closed. */
	while ((got = read(master, buf, sizeof(buf))) > 0)
		if (write(1, buf, (size_t)got) < 0)
			die("write");
	return 0;
}
