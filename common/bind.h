/* Bind mounts made from descriptors, and proved against mountinfo.
 *
 * The one hard operation of cx-bind, after bubblewrap's bind-mount.c:
 * the mount is made from an fd of the source onto an fd of the target
 * (open_tree + mount_setattr + move_mount, else mount(2) through
 * /proc/self/fd), then /proc/self/mountinfo is read again to check that
 * every flag asked for is really set on the mount and, recursively, on
 * every mount below it.  A mount that fails the check is detached.
 * cx-bind's unmount is here too: it walks the same mounts below. */
#ifndef CX_BIND_H
#define CX_BIND_H

#include <stdbool.h>

/* "SOURCE:TARGET[:OPTIONS]", split at the colons that are not escaped:
 * "\:" is a colon inside a path and "\\" a backslash; any other
 * backslash is itself.  Every part must be non-empty.  On success
 * *source is a malloc'd string to free, and *target and *opts (NULL
 * when there are no OPTIONS) point into the same block.  OPTS NULL:
 * OPTIONS are refused.  -1 with errno EINVAL when the parts are not
 * two or three or one is empty, ENOMEM when out of memory. */
int cx_bind_pair_parse(const char *s, char **source, char **target,
		       char **opts);

/* The OPTIONS of one pair: a comma list of ro, rw, nosuid, suid, nodev,
 * dev, noexec, exec, rec and norec, each setting or clearing one flag
 * over the tool's own options. */
struct cx_bind_opts {
	unsigned set, clear;	/* MOUNT_ATTR_* to add, to leave out */
	int rec;		/* 1 rec, 0 norec, -1 as the tool says */
};
/* -1 with errno EINVAL for an unknown or empty name, or two names that
 * contradict each other (ro,rw). */
int cx_bind_opts_parse(const char *s, struct cx_bind_opts *o);

/* How to bind. */
struct cx_bind {
	unsigned attr;		/* MOUNT_ATTR_RDONLY, _NOSUID, _NODEV,
				 * _NOEXEC, _IDMAP: flags to add; none is
				 * cleared */
	int userns;		/* with MOUNT_ATTR_IDMAP: the user namespace
				 * whose maps the mount's ids go through */
	bool rec;		/* the submounts too, and attr on each */
	unsigned long propagation; /* MS_PRIVATE, ...; 0 leaves it */
};

/* Bind the file or directory SRCFD onto TGTFD (both O_PATH, of the
 * same kind), with B's flags, and check them against mountinfo.
 * Returns an O_PATH descriptor of the new mount's root, or -1 recorded
 * with cx_fail naming SRC and TGT (how the user wrote them); then
 * nothing stays mounted. */
int cx_bind_fds(int srcfd, int tgtfd, const struct cx_bind *b,
		const char *src, const char *tgt);

/* Check that the mount whose root is MNTFD, and with REC every mount
 * below it, has every flag in ATTR.  0, or -1 recorded with cx_fail. */
int cx_bind_verify(int mntfd, unsigned attr, bool rec, const char *tgt);

/* Change the per-mount flags of the mount whose root is FD, that mount
 * only: SET added, CLEAR taken away (MOUNT_ATTR_RDONLY, _NOSUID,
 * _NODEV, _NOEXEC), every other flag as it is.  mount_setattr(2), else
 * a bind remount; then checked against mountinfo, and put back as it
 * was if the kernel did not do it.  *OLD gets the flags the mount had,
 * for the caller to restore them with SET = *OLD and CLEAR = ~*OLD over
 * the same flags.  0, or -1 recorded with cx_fail naming TGT. */
int cx_bind_remount(int fd, unsigned set, unsigned clear, unsigned *old,
		    const char *tgt);

/* Detach (MNT_DETACH) the mount whose root is FD; closes FD. */
int cx_bind_detach(int fd, const char *tgt);

/* Unmount the mount whose root is FD, which this call closes: with REC
 * every mount below it first, deepest first.  FLAGS for umount2(2)
 * (MNT_DETACH).  The unmount goes by the mount point's name in its
 * parent directory, held by a descriptor, after checking that the name
 * still leads to the same mount: an fd held on the mount itself would
 * keep it busy.  0, or -1 recorded with cx_fail. */
int cx_bind_unmount(int fd, bool rec, int flags, const char *tgt);

#endif
