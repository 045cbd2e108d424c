/* cx-cgroup's file I/O: the interface files of a cgroup, read and
 * written the way the kernel wants them.  The leaf of the cgroup
 * module: every other cgroup*.c uses it, and it uses none of them.
 * Each call records its failure with cx_fail() and returns -1. */
#ifndef CX_CGROUP_FILE_H
#define CX_CGROUP_FILE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* -1 with errno ERR, nothing recorded: the pure parsers' and the
 * lookups' way to fail, which the caller words. */
static inline int cx_cg_errno(int err)
{
	errno = err;
	return -1;
}

/* Write TEXT to DIR/FILE in one write(2). */
int cx_cg_write(const char *dir, const char *file, const char *text);
/* Read DIR/FILE (at most len - 1 bytes), without its last newline. */
int cx_cg_read(const char *dir, const char *file, char *out, size_t len);
/* The number in DIR/FILE; "max" and v1's "-1" are UINT64_MAX. */
int cx_cg_read_u64(const char *dir, const char *file, uint64_t *v);
/* The number after KEY in a "key value" per line file. */
int cx_cg_read_key(const char *dir, const char *file, const char *key,
		   uint64_t *v);
/* The whole of a small file such as /proc/PID/cgroup, NUL-terminated
 * (malloc'd), or NULL with errno set (a failure to open it is not
 * recorded). */
char *cx_cg_slurp(const char *path);
/* The whole of PATH into BUF of LEN bytes, NUL-terminated, with no
 * malloc: 1, or 0 when it did not fit (then cx_cg_slurp), or -1 with
 * errno set (not recorded).  The interface files a run reads are a few
 * lines; musl's malloc maps and unmaps a buffer of a page or more each
 * time, and on a virtual machine each first touch and each unmap
 * traps. */
int cx_cg_read_small(const char *path, char *buf, size_t len);
/* FN(NAME, ARG) for each sub-directory of PATH but . and .., read with
 * getdents64 into a buffer on the stack (no malloc, as above).  Returns
 * 0, FN's first non-zero return, or -1 with errno set (not recorded)
 * when PATH cannot be read. */
int cx_cg_each_subdir(const char *path,
		      int (*fn)(const char *name, void *arg), void *arg);

/* Is CTL in a space-terminated list ("cpu memory ")? */
bool cx_cg_list_has(const char *list, const char *ctl);
/* "A/B", or A when B is empty (malloc'd), or NULL. */
char *cx_cg_join(const char *a, const char *b);
bool cx_cg_is_dir(const char *path);
/* Is any swap on?  A swap limit of 0 needs no accounting without. */
bool cx_cg_swap_on(void);

#endif
