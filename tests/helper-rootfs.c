/* helper-rootfs: run a tool as on an initramfs, where the root of the
 * mount namespace is the initial rootfs, which pivot_root cannot move.
 * In a mount namespace of its own, with every mount private, it takes a
 * copy of DIR's tree (attached nowhere), detaches the whole tree on
 * "/", goes back to the top of the namespace (the rootfs itself), puts
 * the copy of DIR on the rootfs's /dev and runs TOOL there, from a
 * descriptor opened before: TOOL must be static.  Nothing outside its
 * own namespace changes.
 *
 * Usage: helper-rootfs DIR TOOL [ARG]... */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

extern char **environ;

static void die(const char *what)
{
	fprintf(stderr, "helper-rootfs: %s: %s\n", what, strerror(errno));
	exit(125);
}

int main(int argc, char **argv)
{
	int tree, tool, self;

	if (argc < 3) {
		fprintf(stderr, "usage: helper-rootfs DIR TOOL [ARG]...\n");
		return 125;
	}
	if (unshare(CLONE_NEWNS) < 0)
		die("unshare");
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private");
	tree = (int)syscall(SYS_open_tree, AT_FDCWD, argv[1],
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		die("open_tree");
	tool = open(argv[2], O_PATH | O_CLOEXEC);
	if (tool < 0)
		die("open the tool");
	/* setns into our own namespace puts the root at its top; each
	 * mount stacked on the rootfs's "/" is detached in turn, until the
	 * top is the rootfs, which cannot be unmounted. */
	self = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (self < 0)
		die("pidfd_open");
	do {
		if (setns(self, CLONE_NEWNS) < 0)
			die("setns to the top of our namespace");
	} while (umount2("/", MNT_DETACH) == 0);
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, "/dev",
		    MOVE_MOUNT_F_EMPTY_PATH) < 0)
		die("move the tree to /dev");
	syscall(SYS_execveat, tool, "", argv + 2, environ, AT_EMPTY_PATH);
	die("exec the tool");
}
