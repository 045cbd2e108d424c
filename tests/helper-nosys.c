/* helper-nosys: run a command as on a kernel without the new mount API
 * and openat2, so that the scenario tests reach the tools' fallback
 * paths.  A seccomp filter (inherited across fork and exec) makes
 * openat2, open_tree, move_mount, fsopen, fsconfig, fsmount and
 * mount_setattr fail with ENOSYS; every other call is allowed.
 *
 * Usage: helper-nosys COMMAND [ARG]... */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The numbers are the same on every architecture but alpha. */
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
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

#if defined(__x86_64__) && defined(__ILP32__)
#error "x32 is not supported"
#elif defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define ARCH AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#elif defined(__arm__)
#define ARCH AUDIT_ARCH_ARM
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARCH AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define ARCH AUDIT_ARCH_S390X
#elif defined(__riscv) && __riscv_xlen == 64
#define ARCH AUDIT_ARCH_RISCV64
#else
#error "unknown architecture: add its AUDIT_ARCH_ value"
#endif

#define NOSYS(nr)                                              \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),       \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS)

static struct sock_filter filter[] = {
	/* A call from another ABI goes through untouched: the numbers
	 * below mean something else there. */
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	NOSYS(SYS_openat2),
	NOSYS(SYS_open_tree),
	NOSYS(SYS_move_mount),
	NOSYS(SYS_fsopen),
	NOSYS(SYS_fsconfig),
	NOSYS(SYS_fsmount),
	NOSYS(SYS_mount_setattr),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

int main(int argc, char **argv)
{
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(*filter),
		.filter = filter,
	};

	if (argc < 2) {
		fprintf(stderr, "usage: helper-nosys COMMAND [ARG]...\n");
		return 125;
	}
	/* Required for an unprivileged filter; harmless for root. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		perror("helper-nosys: prctl PR_SET_NO_NEW_PRIVS");
		return 125;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
		perror("helper-nosys: prctl PR_SET_SECCOMP");
		return 125;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "helper-nosys: exec %s: %s\n", argv[1],
		strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
