/* cx_vfork3: clone3 as vfork() is made, for a child that shares our
 * memory (CLONE_VM | CLONE_VFORK) and runs on our stack until its exec.
 *
 * Why: a fork copies the page tables and then takes a copy-on-write
 * fault for each page either side writes; on a virtual machine every
 * such fault and TLB flush traps to the hypervisor.  Measured on the
 * 2-CPU Firecracker guest this project is built on, a static musl
 * program that forks, execs a program that exits, and waits: 2.7 ms
 * with fork(), 1.1 ms with vfork() (median of 200).  glibc and musl
 * give vfork() but no clone3() with its cgroup field, and a C function
 * cannot make the call: a child that shares the stack and returns from
 * a wrapper would overwrite the frame the parent returns through.  So
 * the call is these few instructions, as the C libraries write vfork():
 * the return address is taken off the shared stack before the system
 * call and put back after it, in each process, so the child cannot
 * clobber it.  Returns the child's PID, 0 in the child, or -errno.
 *
 * Only on x86_64, and not under AddressSanitizer (whose stack shadow a
 * child on our stack would leave poisoned); elsewhere CX_HAVE_VFORK3
 * is 0 and callers fork. */
#include "syscalls.h"

#if CX_HAVE_VFORK3
__asm__(
	".text\n"
	".globl cx_vfork3\n"
	".hidden cx_vfork3\n"
	".type cx_vfork3, @function\n"
	"cx_vfork3:\n"
	"	pop %rdx\n"
	"	mov $435, %eax\n"
	"	syscall\n"
	"	push %rdx\n"
	"	ret\n"
	".size cx_vfork3, .-cx_vfork3\n");
#endif
