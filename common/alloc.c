/* alloc: the memory allocator of the musl builds.
 *
 * Why: musl's allocator (mallocng) gives memory back to the kernel as
 * soon as a group of blocks is free.  A tool that reads its options
 * with popt and a file or two maps a fresh page three or four times,
 * touches it (a page fault) and unmaps it (a TLB flush).  On the
 * machines cx is measured on (a VM whose guest page tables go through
 * the hypervisor) a first touch costs 10 to 20 us and a munmap more
 * than ten system calls; per link of a chain that was most of what a
 * tool costs above an exec.
 *
 * What: blocks of 2^k bytes (32 to 128 KiB, a 16-byte header in
 * front), carved in order from a static arena and then from 256 KiB
 * chunks, and kept on a free list per size when freed: memory is
 * reused, never given back, and the pages touched are the first few of
 * one region.  Larger blocks are a mapping of their own, unmapped when
 * freed.  A lock guards it all: proc.c starts a thread.
 *
 * The core (cx_alloc_*) is built everywhere, so that the unit tests
 * test it under glibc; the C library's names (malloc, free...) are
 * given to it only where CX_OWN_MALLOC is defined: the musl builds. */
#include "alloc.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum {
	HDR = 16,		/* the header; also the blocks' alignment */
	MIN_SHIFT = 5,		/* 32-byte blocks */
	MAX_SHIFT = 17,		/* 128 KiB */
	NCLASS = MAX_SHIFT - MIN_SHIFT + 1,
	ARENA = 32 << 10,	/* in .bss: die.c makes it present */
	CHUNK = 256 << 10,
	BIG = 0xff,		/* the class of a mapping of its own */
};

/* In front of every block.  A block on a free list keeps its header;
 * the link is in the first bytes after it. */
struct hdr {
	uint32_t magic;
	uint16_t class;		/* 0..NCLASS-1, or BIG */
	uint16_t off;		/* BIG: the block is this far into the mapping */
	size_t len;		/* BIG: the mapping's length */
};

#define MAGIC 0x63786d61u	/* "cxma" */

static _Alignas(HDR) unsigned char arena[ARENA];
static unsigned char *next = arena, *end = arena + ARENA;
static void *free_list[NCLASS];
static volatile char lock;

static void take(void)
{
	while (__atomic_test_and_set(&lock, __ATOMIC_ACQUIRE))
		;
}

static void give(void)
{
	__atomic_clear(&lock, __ATOMIC_RELEASE);
}

static struct hdr *hdr_of(void *p)
{
	return (struct hdr *)((unsigned char *)p - HDR);
}

/* The class whose blocks hold N bytes after the header, or -1. */
static int class_for(size_t n)
{
	int c = 0;

	if (n > ((size_t)1 << MAX_SHIFT) - HDR)
		return -1;
	while (((size_t)1 << (c + MIN_SHIFT)) - HDR < n)
		c++;
	return c;
}

/* A mapping of its own for N bytes at ALIGN (a power of two, at most a
 * page), its header just before the block. */
static void *big_alloc(size_t n, size_t align)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), off, len;
	unsigned char *m;
	struct hdr *h;

	off = align > HDR ? align : HDR;
	if (n > SIZE_MAX - off - page) {
		errno = ENOMEM;
		return NULL;
	}
	len = (n + off + page - 1) & ~(page - 1);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	h = (struct hdr *)(m + off - HDR);
	h->magic = MAGIC;
	h->class = BIG;
	h->off = (uint16_t)off;
	h->len = len;
	return m + off;
}

static void *carve(int c)
{
	size_t size = (size_t)1 << (c + MIN_SHIFT);
	unsigned char *p;
	struct hdr *h;

	if (free_list[c]) {
		p = free_list[c];
		memcpy(&free_list[c], p, sizeof(void *));
		return p;
	}
	if ((size_t)(end - next) < size) {
		/* The rest of the region is left unused: at most 128 KiB
		 * of 256, and only address space until touched. */
		unsigned char *m = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		next = m;
		end = m + CHUNK;
	}
	h = (struct hdr *)next;
	next += size;
	h->magic = MAGIC;
	h->class = (uint16_t)c;
	h->off = 0;
	h->len = 0;
	return (unsigned char *)h + HDR;
}

void *cx_alloc(size_t n)
{
	int c = class_for(n ? n : 1);
	void *p;

	if (c < 0)
		return big_alloc(n, HDR);
	take();
	p = carve(c);
	give();
	return p;
}

void cx_alloc_free(void *p)
{
	struct hdr *h;

	if (!p)
		return;
	h = hdr_of(p);
	if (h->magic != MAGIC)
		__builtin_trap();	/* not ours: a double free or worse */
	if (h->class == BIG) {
		unsigned char *m = (unsigned char *)p - h->off;

		h->magic = 0;
		munmap(m, h->len);
		return;
	}
	if (h->class >= NCLASS)
		__builtin_trap();
	take();
	memcpy(p, &free_list[h->class], sizeof(void *));
	free_list[h->class] = p;
	give();
}

size_t cx_alloc_usable(void *p)
{
	struct hdr *h;

	if (!p)
		return 0;
	h = hdr_of(p);
	if (h->class == BIG)
		return h->len - h->off;
	return ((size_t)1 << (h->class + MIN_SHIFT)) - HDR;
}

void *cx_alloc_zeroed(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	p = cx_alloc(n * size);
	/* A fresh mapping is zero; a reused block is not. */
	if (p && hdr_of(p)->class != BIG)
		memset(p, 0, n * size);
	return p;
}

void *cx_alloc_resize(void *p, size_t n)
{
	size_t have;
	void *q;

	if (!p)
		return cx_alloc(n);
	have = cx_alloc_usable(p);
	/* Kept when it fits and would not waste more than half. */
	if (n <= have && (n > have / 2 || have <= 64))
		return p;
	q = cx_alloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, n < have ? n : have);
	cx_alloc_free(p);
	return q;
}

void *cx_alloc_aligned(size_t align, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	if (align <= HDR)
		return cx_alloc(n);
	if (align > page) {
		errno = EINVAL;
		return NULL;
	}
	return big_alloc(n, align);
}

#ifdef CX_OWN_MALLOC
void *malloc(size_t n)
{
	return cx_alloc(n);
}

void free(void *p)
{
	cx_alloc_free(p);
}

void *calloc(size_t n, size_t size)
{
	return cx_alloc_zeroed(n, size);
}

void *realloc(void *p, size_t n)
{
	return cx_alloc_resize(p, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	return cx_alloc_aligned(align, n);
}

void *memalign(size_t align, size_t n)
{
	return cx_alloc_aligned(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *))
		return EINVAL;
	p = cx_alloc_aligned(align, n);
	if (!p)
		return errno;
	*out = p;
	return 0;
}

size_t malloc_usable_size(void *p)
{
	return cx_alloc_usable(p);
}
#endif
