/* bare: one link of a chain with no C library at all: its own _start
 * makes the execve(2) of the rest of its argv and nothing else.  Against
 * bench/link (the same in a static glibc program), it splits the price
 * of a link into the kernel's exec and the C library's start-up.
 * x86-64 only; make bench skips it elsewhere. */
#if defined(__x86_64__)
#include <asm/unistd.h>

static long sys3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

/* SP points at argc, then argv[], NULL, envp[], NULL. */
__attribute__((noreturn, used)) static void bare_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1;

	if (argc > 1)
		sys3(__NR_execve, (long)argv[1], (long)(argv + 1), (long)envp);
	sys3(__NR_exit_group, 127, 0, 0);
	for (;;)
		;
}

__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call bare_main\n");
#else
#error "bench/bare.c is for x86-64"
#endif
