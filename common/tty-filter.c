#include "tty-filter.h"

#include "die.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
			     offsetof(struct seccomp_data, field))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))

/* The second argument's low 32 bits: ioctl's request is an int. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define REQUEST_LOW offsetof(struct seccomp_data, args[1])
#else
#define REQUEST_LOW (offsetof(struct seccomp_data, args[1]) + 4)
#endif

/* Every ABI a process of this architecture may call ioctl through:
 * on x86_64, the i386 and x32 ones too, or the filter would be
 * stepped around by a 32-bit program. */
#if defined(__x86_64__)
#define X32_IOCTL (0x40000000 | 514)
static const struct sock_filter filter[] = {
	/* 0 */ LOAD(arch),
	/* 1 */ JEQ(AUDIT_ARCH_X86_64, 0, 3),
	/* 2 */ LOAD(nr),
	/* 3 */ JEQ(SYS_ioctl, 4, 0),
	/* 4 */ JEQ(X32_IOCTL, 3, 6),
	/* 5 */ JEQ(AUDIT_ARCH_I386, 0, 5),
	/* 6 */ LOAD(nr),
	/* 7 */ JEQ(54, 0, 3),		/* ioctl on i386 */
	/* 8 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, REQUEST_LOW),
	/* 9 */ JEQ(TIOCSTI, 2, 0),
	/* 10 */ JEQ(TIOCLINUX, 1, 0),
	/* 11 */ RET(SECCOMP_RET_ALLOW),
	/* 12 */ RET(SECCOMP_RET_ERRNO | EPERM),
};
#elif defined(__aarch64__)
static const struct sock_filter filter[] = {
	/* 0 */ LOAD(arch),
	/* 1 */ JEQ(AUDIT_ARCH_AARCH64, 0, 2),
	/* 2 */ LOAD(nr),
	/* 3 */ JEQ(SYS_ioctl, 4, 3),
	/* 4 */ JEQ(AUDIT_ARCH_ARM, 0, 2),	/* 32-bit programs */
	/* 5 */ LOAD(nr),
	/* 6 */ JEQ(54, 1, 0),		/* ioctl on arm */
	/* 7 */ RET(SECCOMP_RET_ALLOW),
	/* 8 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, REQUEST_LOW),
	/* 9 */ JEQ(TIOCSTI, 2, 0),
	/* 10 */ JEQ(TIOCLINUX, 1, 0),
	/* 11 */ RET(SECCOMP_RET_ALLOW),
	/* 12 */ RET(SECCOMP_RET_ERRNO | EPERM),
};
#else
#error "cx_block_tty_injection: no filter for this architecture yet"
#endif

/* Already refused by a filter (ours, from an earlier link): the filter
 * answers before the kernel looks at the descriptor, which would say
 * EBADF.  Every filter stacked runs on every system call: one will do. */
static int refused(unsigned long request)
{
	return ioctl(-1, request, NULL) < 0 && errno == EPERM;
}

int cx_block_tty_injection(void)
{
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(*filter),
		.filter = (struct sock_filter *)filter,
	};

	if (refused(TIOCSTI) && refused(TIOCLINUX))
		return 0;

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return cx_fail(errno, "install the filter against TIOCSTI and TIOCLINUX");
	return 0;
}
