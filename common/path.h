/* Resolving a path inside a root without ever leaving it. */
#ifndef CX_PATH_H
#define CX_PATH_H

#include <sys/types.h>

/* Open PATH below the directory ROOTFD as if ROOTFD were "/": ".." stops
 * at it, absolute symlinks start again from it, magic links (/proc/N/fd)
 * are refused.  FLAGS are open(2) flags; O_CLOEXEC is always added.
 * Uses openat2(RESOLVE_IN_ROOT) and, where the kernel lacks it (before
 * 5.6), a walk one component at a time.  Returns an fd, or -1 recorded
 * with cx_fail naming SHOWN (how the caller's user wrote the path). */
int cx_open_in_root(int rootfd, const char *path, int flags, mode_t mode,
		    const char *shown);
/* The walk alone, so that tests reach it on any kernel. */
int cx_open_in_root_walk(int rootfd, const char *path, int flags,
			 mode_t mode);

/* After unshare(CLONE_NEWNS) a descriptor opened before still holds the
 * old namespace's mount: mounting on it or chroot to it would act
 * outside the new namespace.  Open PATH again, check that it is the
 * same directory as OLDFD (dev and inode), close OLDFD and return the
 * new descriptor; -1 recorded with cx_fail when it changed. */
int cx_reopen_dir(int oldfd, const char *path);

/* Open the directory DIR (O_PATH) as a user named it, never into one
 * of the tool's own descriptors (/proc/self/fd/N).  A path without a
 * magic link (openat2 RESOLVE_NO_MAGICLINKS, 5.6) is taken as it is;
 * one through a magic link (or any path before 5.6) is opened plainly
 * and refused when it is the same directory as a descriptor we hold,
 * so that /proc/PID/root of another process still names a place.  The
 * caller's cx_check_cwd is the backstop either way.  -1 recorded with
 * cx_fail (errno 0 for that refusal). */
int cx_open_user_dir(const char *dir);

/* After a chdir into a root: prove the working directory lies under
 * the current root.  The kernel's getcwd(2) names a directory outside
 * the root "(unreachable)..." (glibc turns that into ENOENT): a cwd
 * reached through a descriptor of the old root would let the command
 * walk out with "..", as in CVE-2024-21626.  0, or -1 recorded with
 * cx_fail naming SHOWN. */
int cx_check_cwd(const char *shown);

#endif
