/* Wrappers for the system calls cx uses that older C libraries lack.
 * They go through syscall(2) so that the same code builds on any glibc,
 * and on musl; a caller that gets ENOSYS takes its one fallback path. */
#ifndef CX_SYSCALLS_H
#define CX_SYSCALLS_H

#include <linux/openat2.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __GLIBC__
/* musl (1.2.3, Debian 12's) declares none of the new mount API, statx,
 * execveat, close_range or renameat2, which glibc 2.36 does: the
 * kernel's headers give the constants and structures, syscall(2) the
 * calls, under glibc's names. */
#include <linux/close_range.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/stat.h>

static inline int statx(int dirfd, const char *path, int flags,
			unsigned int mask, struct statx *st)
{
	return (int)syscall(SYS_statx, dirfd, path, flags, mask, st);
}

static inline int execveat(int dirfd, const char *path, char *const argv[],
			   char *const envp[], int flags)
{
	return (int)syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}

static inline int close_range(unsigned int first, unsigned int last,
			      int flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

static inline int renameat2(int olddirfd, const char *oldpath, int newdirfd,
			    const char *newpath, unsigned int flags)
{
	return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd,
			    newpath, flags);
}

/* The wait status of a process that exited with RET or died of SIG. */
#define W_EXITCODE(ret, sig) ((ret) << 8 | (sig))
#endif

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig 431
#endif
#ifndef SYS_fsmount
#define SYS_fsmount 432
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* clone3's arguments up to the cgroup field (5.7), under our own name:
 * <linux/sched.h> clashes with <sched.h>. */
struct cx_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define CX_CLONE_INTO_CGROUP 0x200000000ULL

static inline int cx_openat2(int dirfd, const char *path, struct open_how *how)
{
	return (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

static inline int cx_open_tree(int dirfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dirfd, path, flags);
}

static inline int cx_move_mount(int from_dirfd, const char *from_path,
				int to_dirfd, const char *to_path,
				unsigned int flags)
{
	return (int)syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd,
			    to_path, flags);
}

static inline int cx_fsopen(const char *fsname, unsigned int flags)
{
	return (int)syscall(SYS_fsopen, fsname, flags);
}

static inline int cx_fsconfig(int fd, unsigned int cmd, const char *key,
			      const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

static inline int cx_fsmount(int fd, unsigned int flags, unsigned int attrs)
{
	return (int)syscall(SYS_fsmount, fd, flags, attrs);
}

static inline int cx_mount_setattr(int dirfd, const char *path,
				   unsigned int flags, struct mount_attr *attr)
{
	return (int)syscall(SYS_mount_setattr, dirfd, path, flags, attr,
			    sizeof(*attr));
}

static inline int cx_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static inline int cx_pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

/* A signal to the process PIDFD holds, never to a reused PID (5.1). */
static inline int cx_pidfd_send_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* Like fork() when ARGS has no CLONE_VM and no stack: returns twice.
 * ENOSYS before 5.3; E2BIG before 5.7, which lacks the cgroup field. */
static inline pid_t cx_clone3(struct cx_clone_args *args)
{
	return (pid_t)syscall(SYS_clone3, args, sizeof(*args));
}

/* clone3 for a child that shares our memory and stack until it execs
 * (ARGS->flags holds CLONE_VM | CLONE_VFORK, no stack): see vfork3.c.
 * Returns the child's PID, 0 in the child, or -errno.  The caller's
 * child must not return from the function that called it, and must end
 * in an exec or _exit(): its writes to memory are the parent's too. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CX_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CX_ASAN 1
#endif
#if defined(__x86_64__) && !defined(CX_ASAN)
#define CX_HAVE_VFORK3 1
long cx_vfork3(struct cx_clone_args *args, size_t size)
	__attribute__((returns_twice));
#else
#define CX_HAVE_VFORK3 0
#endif

/* raise(SIG), from the kernel's IDs: musl's raise() signals the thread
 * ID it noted at its own fork(), which in a child of cx_clone3 is the
 * parent's. */
static inline int cx_raise(int sig)
{
	return (int)syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), sig);
}

#endif
