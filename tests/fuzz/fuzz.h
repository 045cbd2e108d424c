/* What the libFuzzer targets share: the input as a C string, database
 * files that leave nothing on disk, and a check that aborts (so that
 * libFuzzer keeps the input) when a parser breaks its own contract. */
#ifndef CX_FUZZ_H
#define CX_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sanitizer/common_interface_defs.h>
#include <sys/mman.h>
#include <unistd.h>

/* The input as a string of exactly its size, so that ASan catches a
 * read one byte past its end.  Stops at an embedded NUL, as argv and
 * files do. */
static inline char *fz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A file holding SIZE bytes of TEXT, named "/proc/self/fd/N" in NAME:
 * a memfd, so nothing stays on disk however the run ends (a crash
 * included).  Reused across calls when FD >= 0. */
static inline void fz_file(int *fd, const void *text, size_t size,
			   char *name, size_t len)
{
	if (*fd < 0)
		*fd = memfd_create("cx-fuzz", MFD_CLOEXEC);
	if (*fd < 0 || ftruncate(*fd, 0) < 0 ||
	    pwrite(*fd, text, size, 0) != (ssize_t)size)
		abort();
	snprintf(name, len, "/proc/self/fd/%d", *fd);
}

/* A broken contract: say which and abort, so the input is kept.  The
 * line goes through the sanitizers' report, which libFuzzer keeps even
 * when -close_fd_mask has closed the target's stderr. */
#define FZ_CHECK(cond)                                                      \
	do {                                                                \
		if (!(cond)) {                                              \
			char fz_msg_[256];                                  \
			snprintf(fz_msg_, sizeof(fz_msg_),                  \
				 "%s:%d: contract broken: %s", __FILE__,    \
				 __LINE__, #cond);                          \
			__sanitizer_report_error_summary(fz_msg_);          \
			abort();                                            \
		}                                                           \
	} while (0)

#endif
