/* overlayfs: its mount, and the marks it leaves in a layer directory
 * (Documentation/filesystems/overlayfs.rst).
 *
 * A whiteout is a character device 0/0, or (since Linux 6.7) a
 * zero-size regular file with the xattr overlay.whiteout; a directory
 * with overlay.opaque = "y" hides what the layers below have there
 * ("x" only says that it holds xattr whiteouts).  The xattrs live in
 * the trusted. namespace, or in user. for a mount with userxattr. */
#ifndef CX_OVERLAY_H
#define CX_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define CX_OVL_TRUSTED "trusted.overlay."
#define CX_OVL_USER "user.overlay."

/* 1 if the xattr NAME belongs to overlayfs (either namespace). */
int cx_ovl_xattr_is_overlay(const char *name);

/* 1 if the entry NAME of DIRFD, whose lstat is ST, is a whiteout in
 * either form, 0 if not, -1 on error. */
int cx_ovl_is_whiteout(int dirfd, const char *name, const struct stat *st);

/* 1 if the directory NAME of DIRFD ("" for DIRFD itself) is opaque. */
int cx_ovl_is_opaque(int dirfd, const char *name);

/* 1 if the entry carries overlay.KEY ("metacopy", "redirect") in
 * either namespace: things only a mounted overlay can make sense of. */
int cx_ovl_has(int dirfd, const char *name, const struct stat *st,
	       const char *key);

/* The lower layers of an overlay, topmost first, as O_PATH descriptors. */
struct cx_lowers {
	int *fds;
	size_t n;
};

/* What the lower layers show at the clean relative PATH ("" is the
 * top): 1 with *st when something is there, 0 when nothing is (absent
 * in every layer, whited out, or hidden by an opaque directory or a
 * non-directory above), -1 on error. */
int cx_lowers_lookup(const struct cx_lowers *l, const char *path,
		     struct stat *st);

/* The names the lower layers show in the directory PATH, sorted and
 * NULL-terminated (free each and the array); NULL on error. */
char **cx_lowers_list(const struct cx_lowers *l, const char *path,
		      size_t *n);

/* The changes an upper directory makes over its lower layers, as
 * "docker diff" shows them: FN gets 'A' (added), 'C' (changed) or 'D'
 * (deleted) and the path below the top, in the order of a walk with
 * each directory's names sorted.  A changed directory is one whose
 * mode, owner or mtime differ, that became opaque, or that gained or
 * lost a name; of a deleted or added directory only the top is
 * deleted, every name in it is added.  Returns 0, FN's non-zero
 * result, or -1 recorded with cx_fail. */
typedef int (*cx_diff_fn)(void *ctx, char kind, const char *path);
int cx_ovl_diff(int upper, const struct cx_lowers *l, cx_diff_fn fn,
		void *ctx, const char *shown);

/* 1 if the directory INNER is OUTER or lies below it, 0 if not, -1
 * with errno.  By device and inode, walking up the parents of INNER:
 * through the mount tree as this process sees it, so that neither a
 * symlink nor a bind mount of OUTER hides it, and, when both are on one
 * file system that gives file handles, through that file system's own
 * tree, where a bind mount of a directory below OUTER no longer hides
 * it either. */
int cx_ovl_within(int inner, int outer);

/* One directory of an overlay mount, for cx_ovl_check_apart. */
struct cx_ovl_dir {
	const char *what;	/* "lower dir", "upper dir", "work dir",
				 * "mount point" */
	const char *shown;	/* as the user named it */
	int fd;			/* O_PATH; its parent's when unmade */
	bool unmade;		/* not there yet: to be made in FD */
};

/* Refuse directories of one overlay that overlap, which overlayfs
 * takes in part and then writes where it should not: the upper or
 * work dir the same as a lower layer, inside one, or holding one; the
 * upper and work dirs the same or one inside the other; the mount
 * point the same as the upper or work dir, or inside one.  The mount
 * point may be a lower layer, lie in one or hold one (nothing is
 * written there), and may hold the upper and work dirs (--tmpfs puts
 * them there).  UPPER, WORK and MERGED may be NULL.  0, or -1 recorded
 * with cx_fail naming both directories. */
int cx_ovl_check_apart(const struct cx_ovl_dir *lower, size_t nlower,
		       const struct cx_ovl_dir *upper,
		       const struct cx_ovl_dir *work,
		       const struct cx_ovl_dir *merged);

struct cx_ovl_mount {
	char **lower;		/* absolute paths, topmost first */
	size_t nlower;
	const char *upper, *work; /* absolute paths, both or neither */
	bool is_volatile, userxattr, metacopy;
	/* Leave out nosuid, nodev: by default the mount has both, so that
	 * a set-user-ID file or a file capability in a layer raises no
	 * one, and a device node that root in the container makes in the
	 * upper layer (CAP_MKNOD) opens nothing. */
	bool suid, dev;
	const char *redirect_dir; /* on, follow, nofollow, off; NULL */
	/* The same layers as O_PATH descriptors, when the paths may no
	 * longer lead to them (a layer hidden under a mount made since):
	 * given to the kernel as they are (Linux 6.13), else by name where
	 * the name still leads to the same directory, else as
	 * /proc/self/fd/N.  lower_fd NULL: the paths only. */
	const int *lower_fd;
	int upper_fd, work_fd;
};

/* Mount the overlay on the directory TARGET; SHOWN names it in
 * messages.  fsopen/fsconfig/fsmount/move_mount with one "lowerdir+"
 * per layer (descriptors: Linux 6.13; names: 6.8), else one escaped "lowerdir" string, else
 * mount(2).  Without an upper layer the mount is read-only; it is
 * nosuid and nodev unless M asks otherwise.  The
 * kernel's own reason, when it gives one, ends the message. */
int cx_ovl_mount(const struct cx_ovl_mount *m, int target, const char *shown);

#endif
