/* helper-noclone3: run a command as on a kernel before 5.3, which has no
 * clone3, so that the scenario tests reach cx-cgroup's fallback (fork,
 * then the child joins the cgroup before it runs the command).  A
 * seccomp filter, inherited across fork and exec, makes clone3 fail
 * with ENOSYS; every other call is allowed.  glibc falls back to clone
 * by itself.
 *
 * Usage: helper-noclone3 COMMAND [ARG]... */
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

#ifndef SYS_clone3
#define SYS_clone3 435	/* the same on every architecture but alpha */
#endif

#if defined(__x86_64__) && !defined(__ILP32__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define ARCH AUDIT_ARCH_I386
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARCH AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define ARCH AUDIT_ARCH_S390X
#elif defined(__riscv) && __riscv_xlen == 64
#define ARCH AUDIT_ARCH_RISCV64
#else
#error "unknown architecture: add its AUDIT_ARCH_ value"
#endif

static struct sock_filter filter[] = {
	/* Another ABI's numbers mean something else: let it through. */
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

int main(int argc, char **argv)
{
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(*filter),
		.filter = filter,
	};

	if (argc < 2) {
		fprintf(stderr, "usage: helper-noclone3 COMMAND [ARG]...\n");
		return 125;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
		perror("helper-noclone3: prctl");
		return 125;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "helper-noclone3: exec %s: %s\n", argv[1],
		strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
