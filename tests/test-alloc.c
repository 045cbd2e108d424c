/* Unit tests for common/alloc.c, the allocator behind malloc in the
 * musl builds: its own names, tested here under glibc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int aligned(const void *p, size_t a)
{
	return ((uintptr_t)p & (a - 1)) == 0;
}

/* Every size up to past the largest class: aligned, usable, writable,
 * and no two live blocks overlap. */
static void test_sizes(void **state)
{
	enum { N = 300 };
	unsigned char *p[N];
	size_t n[N];

	(void)state;
	for (int i = 0; i < N; i++) {
		n[i] = (size_t)i * i * 7 + (size_t)i;	/* 0 .. 628 KiB */
		p[i] = cx_alloc(n[i]);
		assert_non_null(p[i]);
		assert_true(aligned(p[i], 16));
		assert_true(cx_alloc_usable(p[i]) >= n[i]);
		memset(p[i], i & 0xff, n[i]);
	}
	for (int i = 0; i < N; i++)
		for (size_t k = 0; k < n[i]; k++)
			if (p[i][k] != (unsigned char)(i & 0xff))
				fail_msg("block %d (%zu bytes) changed at %zu", i, n[i], k);
	for (int i = 0; i < N; i++)
		cx_alloc_free(p[i]);
	cx_alloc_free(NULL);
}

/* A freed block is reused for the next of its size, not a new one. */
static void test_reuse(void **state)
{
	void *a, *b;

	(void)state;
	a = cx_alloc(100);
	cx_alloc_free(a);
	b = cx_alloc(90);
	assert_ptr_equal(a, b);
	cx_alloc_free(b);
}

/* Zeroed even when the block is reused; overflow of n * size is ENOMEM. */
static void test_zeroed(void **state)
{
	unsigned char *a, *b;

	(void)state;
	a = cx_alloc(200);
	memset(a, 0xaa, 200);
	cx_alloc_free(a);
	b = cx_alloc_zeroed(10, 20);
	assert_ptr_equal(a, b);
	for (int i = 0; i < 200; i++)
		assert_int_equal(b[i], 0);
	cx_alloc_free(b);
	errno = 0;
	assert_null(cx_alloc_zeroed(SIZE_MAX / 2, 3));
	assert_int_equal(errno, ENOMEM);
	b = cx_alloc_zeroed(1, 300 << 10);	/* a mapping of its own */
	assert_non_null(b);
	assert_int_equal(b[(300 << 10) - 1], 0);
	cx_alloc_free(b);
}

/* Growth keeps the contents, from a class to another and to and from a
 * mapping of its own; a small shrink keeps the block. */
static void test_resize(void **state)
{
	unsigned char *p = NULL;
	size_t sizes[] = { 1, 17, 1000, 70000, 200000, 1 << 20, 5000, 3 };
	size_t have = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		size_t n = sizes[i], keep = have < n ? have : n;

		p = cx_alloc_resize(p, n);
		assert_non_null(p);
		for (size_t k = 0; k < keep; k++)
			if (p[k] != (unsigned char)k)
				fail_msg("resize to %zu lost byte %zu", n, k);
		for (size_t k = 0; k < n; k++)
			p[k] = (unsigned char)k;
		have = n;
	}
	assert_ptr_equal(cx_alloc_resize(p, 2), p);
	cx_alloc_free(p);
	p = cx_alloc_resize(NULL, 10);
	assert_non_null(p);
	cx_alloc_free(p);
}

/* Alignments up to a page; not a power of two or past a page: EINVAL. */
static void test_aligned(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	(void)state;
	for (size_t a = 1; a <= page; a <<= 1) {
		void *p = cx_alloc_aligned(a, 100);

		assert_non_null(p);
		assert_true(aligned(p, a));
		assert_true(cx_alloc_usable(p) >= 100);
		memset(p, 1, 100);
		cx_alloc_free(p);
	}
	errno = 0;
	assert_null(cx_alloc_aligned(24, 8));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(cx_alloc_aligned(page * 2, 8));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(cx_alloc(SIZE_MAX - 8));
	assert_int_equal(errno, ENOMEM);
}

/* Past the static arena, into chunks of its own: still sound. */
static void test_many(void **state)
{
	enum { N = 4000 };
	void **p = calloc(N, sizeof(*p));

	(void)state;
	assert_non_null(p);
	for (int i = 0; i < N; i++) {
		p[i] = cx_alloc(200);
		assert_non_null(p[i]);
		memset(p[i], 7, 200);
	}
	for (int i = 0; i < N; i += 2)
		cx_alloc_free(p[i]);
	for (int i = 0; i < N; i += 2)
		p[i] = cx_alloc(150);
	for (int i = 1; i < N; i += 2)
		assert_int_equal(((unsigned char *)p[i])[199], 7);
	for (int i = 0; i < N; i++)
		cx_alloc_free(p[i]);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_zeroed),
		cmocka_unit_test(test_resize),
		cmocka_unit_test(test_aligned),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
