/* Mounts made through file descriptors, and propagation by name. */
#ifndef CX_MOUNT_H
#define CX_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

struct cx_propagation {
	const char *name;	/* "private" */
	unsigned long flag;	/* MS_PRIVATE; 0 for "unchanged" */
};

/* A propagation name ("private", "shared", "slave", "unbindable",
 * "unchanged"); NULL if unknown. */
const struct cx_propagation *cx_propagation_by_name(const char *name);

/* Make the parts of a proc through which a process writes to the
 * host's kernel (sysctls in sys/, the sysrq-trigger, irq/, bus/, fs/,
 * scsi/, acpi/: see mount.c) below PROCFD, the root of a proc mount,
 * each a read-only bind of itself (nosuid, nodev, noexec): open_tree
 * and mount_setattr (5.12), else mount(2) through fchdir.  A name the
 * kernel lacks is left out. */
int cx_mount_protect_proc(int procfd, const char *shown);

/* Mount a new instance of the file system TYPE on the directory DIRFD,
 * with DATA ("key=value,flag,...", or NULL) and the MS_NOSUID, MS_NODEV
 * and MS_NOEXEC of FLAGS: fsopen/fsconfig/fsmount/move_mount, else
 * mount(2) on the directory (through fchdir). */
int cx_mount_fresh(int dirfd, const char *type, const char *data,
		   unsigned long flags, const char *shown);
/* A new instance of TYPE as cx_mount_fresh makes it, attached nowhere
 * (fsopen/fsmount, 5.2; MS_RDONLY too among FLAGS): its descriptor, or
 * -1 recorded with cx_fail (ENOSYS before 5.2). */
int cx_mount_detached(const char *type, const char *source,
		      const char *data, unsigned long flags, const char *shown);
/* The same, with SOURCE as the mount's source (mountinfo shows it;
 * NULL: none for fsconfig, TYPE for mount(2)), and, when ROOT is not
 * NULL, *ROOT an O_PATH descriptor of the new mount's root, or -1 after
 * mount(2), which gives none (the caller finds the mount by name). */
int cx_mount_fresh_source(int dirfd, const char *type, const char *source,
			  const char *data, unsigned long flags,
			  const char *shown, int *root);

/* Bind the tree at FD (recursively) onto itself, so that it becomes a
 * mount point.  Returns an O_PATH descriptor of the new mount's root.
 * open_tree/move_mount, else mount(2) through fchdir and a new open
 * of PATH_AGAIN, which must lead to the same directory, now a mount
 * root (else the bind stays: for a caller whose mount namespace is its
 * own, as cx-chroot's). */
int cx_mount_self(int fd, const char *path_again, const char *shown);

/* The id of the mount that holds FD, as /proc/self/mountinfo shows it:
 * statx(STATX_MNT_ID), else /proc/self/fdinfo (before 5.8). */
int cx_mount_id(int fd, unsigned long *id);
/* The source of the read-only proc that cx-chroot --pivot leaves on
 * NEWROOT/proc in a user namespace, for cx-unshare --mount-proc to
 * replace (see cx-chroot(1)). */
#define CX_PROC_KEEPER "cx-keeper"

/* After mount(2) on FD (the topmost mount there), which gives no
 * descriptor of the new mount: its root, found again by FD's path (FD
 * itself stays on the mount below, and so does a lookup of "." or "/"
 * from it).  What the path leads to must be a mount on FD's own mount,
 * with that same path as its mount point, so that a link swapped into
 * the path meanwhile leads nowhere else.  An O_PATH descriptor, or -1
 * recorded with cx_fail naming SHOWN (the new mount then left where it
 * is: nothing else names it). */
int cx_mount_found_again(int fd, const char *shown);

/* Do the descriptors A and B hold the same file (device and inode)
 * and, with SAME_MOUNT, through the same mount?  False on any error. */
bool cx_same_file(int a, int b, bool same_mount);

/* 1 if the directory FD is the root of a mount, 0 if not, -1 on error. */
int cx_is_mountpoint(int fd);

/* Leave the tree for good: this process goes on in a mount namespace
 * of its own whose one mount is a tmpfs, read-only, empty but for the
 * directories DIRS names (absolute paths, NULL-ended, or NULL), to
 * mount on later in that namespace.  For a process that only waits in
 * sight of a container: its /proc/PID/root, /proc/PID/cwd and
 * /proc/PID/ns/mnt then lead nowhere else.  pivot_root(2) detaches the
 * tree from the namespace.  Under a plain chroot, whose root is no
 * mount point, it cannot: with no DIRS the tmpfs is made attached
 * nowhere (fsmount, 5.2) and chrooted into, and the namespace keeps
 * the tree; with DIRS it fails (nothing could be mounted there).
 * SOURCE is the tmpfs's source in mountinfo, WHO names the process in
 * messages.  0, or -1 recorded with cx_fail. */
int cx_mount_leave_tree(const char *const *dirs, const char *source,
			const char *who);

/* Make root and working directory an empty, read-only tmpfs of one
 * inode attached nowhere (fsmount, 5.2), shown with SOURCE, by
 * chroot(2): the mount namespace keeps its tree.  WHO names the process
 * in messages.  0, or -1 recorded with cx_fail (ENOSYS: no fsmount,
 * nothing changed). */
int cx_mount_chroot_empty(const char *source, const char *who);

/* 1 if the mount that holds FD has shared propagation, 0 if not, -1 on
 * error (read from /proc/self/mountinfo). */
int cx_mount_is_shared(int fd);

/* The filesystem type of the mount that holds FD ("ext4", "rootfs"). */
int cx_mount_fstype(int fd, char *buf, size_t len);
/* The source of the mount that holds FD, as mountinfo shows it (octal
 * escapes undone). */
int cx_mount_source(int fd, char *buf, size_t len);

#endif
