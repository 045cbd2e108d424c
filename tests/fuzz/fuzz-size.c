/* cx_parse_size: "512", "100K", "100MiB"... against a reference that
 * follows parse.h's words: digits, then an optional K, M, G or T (any
 * case) with an optional "B" or "iB", powers of 1024, and ERANGE past
 * 64 bits. */
#include "fuzz.h"
#include "parse.h"

#include <ctype.h>
#include <errno.h>

/* 1 with the value, 0 when the form is wrong, -1 when out of range. */
static int reference(const char *s, uint64_t *out)
{
	unsigned __int128 v = 0;
	const char *p = s, *units = "KMGT", *u;
	unsigned shift = 0;
	int big = 0;

	if (!isdigit((unsigned char)*p))
		return 0;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > UINT64_MAX) {
			big = 1;
			v = (unsigned __int128)UINT64_MAX + 1;
		}
	}
	if (*p) {
		u = strchr(units, toupper((unsigned char)*p));
		if (!u || !*u)
			return big ? -1 : 0;
		shift = 10 * (unsigned)(u - units + 1);
		p++;
		if (strcmp(p, "") && strcmp(p, "B") && strcmp(p, "iB"))
			return big ? -1 : 0;
	}
	if (big || (v << shift) > UINT64_MAX)
		return -1;
	*out = (uint64_t)(v << shift);
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);
	uint64_t got = 0, want = 0;
	int rc, ref;

	errno = 0;
	rc = cx_parse_size(s, &got);
	ref = reference(s, &want);
	if (rc == 0) {
		FZ_CHECK(ref == 1);
		FZ_CHECK(got == want);
	} else {
		FZ_CHECK(rc == -1);
		FZ_CHECK(ref != 1);
		FZ_CHECK(errno == (ref < 0 ? ERANGE : EINVAL));
	}
	free(s);
	return 0;
}
