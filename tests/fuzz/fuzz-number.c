/* cx_parse_u64, cx_parse_u32 and cx_parse_i64 against strtoull and
 * strtoll, on the forms parse.h allows: digits only (and one sign for
 * i64), nothing else, ERANGE when out of range. */
#include "fuzz.h"
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);
	const char *digits = s + (*s == '-' || *s == '+');
	uint64_t u64 = 0;
	uint32_t u32 = 0;
	int64_t i64 = 0;
	int rc;

	errno = 0;
	rc = cx_parse_u64(s, &u64);
	if (!all_digits(s)) {
		/* ERANGE too: a digit prefix too long for 64 bits is
		 * reported before what follows it. */
		FZ_CHECK(rc == -1 && (errno == EINVAL || errno == ERANGE));
	} else {
		unsigned long long ref;

		errno = 0;
		ref = strtoull(s, NULL, 10);
		if (errno == ERANGE) {
			FZ_CHECK(rc == -1);
		} else {
			FZ_CHECK(rc == 0 && u64 == ref);
		}
	}

	errno = 0;
	rc = cx_parse_u32(s, &u32);
	if (cx_parse_u64(s, &u64) == 0 && u64 <= UINT32_MAX)
		FZ_CHECK(rc == 0 && u32 == u64);
	else
		FZ_CHECK(rc == -1 && (errno == EINVAL || errno == ERANGE));

	errno = 0;
	rc = cx_parse_i64(s, &i64);
	if (!all_digits(digits)) {
		FZ_CHECK(rc == -1 && (errno == EINVAL || errno == ERANGE));
	} else {
		long long ref;

		errno = 0;
		ref = strtoll(s, NULL, 10);
		if (errno == ERANGE)
			FZ_CHECK(rc == -1);
		else
			FZ_CHECK(rc == 0 && i64 == ref);
	}
	free(s);
	return 0;
}
