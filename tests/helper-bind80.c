/* helper-bind80: the walkthrough's small server, cut to what matters.
 * It binds TCP 127.0.0.1:80, which takes cap_net_bind_service, says in
 * one line whether that worked, and exits:
 *   0  bound
 *   1  refused for lack of privilege (EACCES or EPERM)
 *   2  any other failure (the port is busy, no socket...)
 * It never listens: the port is free again as soon as it exits.
 *
 * Usage: helper-bind80 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(80),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int err;

	if (fd < 0) {
		printf("socket: %s\n", strerror(errno));
		return 2;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		printf("bound 127.0.0.1:80\n");
		close(fd);
		return 0;
	}
	err = errno;
	printf("bind 127.0.0.1:80: %s\n", strerror(err));
	close(fd);
	return err == EACCES || err == EPERM ? 1 : 2;
}
