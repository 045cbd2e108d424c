/* alloc: the allocator behind malloc in the musl builds (alloc.c says
 * why).  The names below are its own, for the unit tests; the musl
 * builds also give it malloc, free, calloc, realloc and the aligned
 * forms. */
#ifndef CX_ALLOC_H
#define CX_ALLOC_H

#include <stddef.h>

void *cx_alloc(size_t n);
void cx_alloc_free(void *p);
void *cx_alloc_zeroed(size_t n, size_t size);
void *cx_alloc_resize(void *p, size_t n);
/* ALIGN a power of two, at most a page; EINVAL otherwise. */
void *cx_alloc_aligned(size_t align, size_t n);
size_t cx_alloc_usable(void *p);

#endif
