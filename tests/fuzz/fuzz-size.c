/* cx_parse_size: "512", "100K", "1.5MiB", "100mb"... against a
 * reference that follows parse.h's words by another road: the digits
 * with the fraction's, as one decimal number, times the unit, with the
 * fraction's digits dropped from the product.  Digits, an optional
 * ".digits", then an optional "B", or one of KMGTPE (any case) alone or
 * with "iB" (powers of 1024) or "B" (powers of 1000); a fraction needs
 * a unit; ERANGE past 64 bits, and for whole digits past 64 bits
 * whatever follows them. */
#include "fuzz.h"
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <strings.h>

/* N decimal digits D (most significant first) times M, into P (N + 20
 * digits, most significant first). */
static void times(const char *d, size_t n, uint64_t m, unsigned char *p)
{
	unsigned __int128 carry = 0;
	size_t k = n + 20;

	while (k--) {
		unsigned __int128 x = carry;

		if (k >= 20)
			x += (unsigned __int128)(unsigned)(d[k - 20] - '0') * m;
		p[k] = (unsigned char)(x % 10);
		carry = x / 10;
	}
}

/* 1 with the value, 0 when the form is wrong, -1 when out of range. */
static int reference(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	const char *p = s, *u = NULL, *int_end, *frac = NULL;
	size_t nint, nfrac = 0, n, i;
	char *all;
	unsigned char *prod;
	uint64_t mult = 1, base = 1024;
	unsigned __int128 v = 0;
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
	if (big)
		return -1;
	int_end = p;
	if (*p == '.') {
		frac = ++p;
		while (isdigit((unsigned char)*p))
			p++;
		nfrac = (size_t)(p - frac);
		if (!nfrac)
			return 0;
	}
	if (!strcmp(p, "B") || !strcmp(p, "b")) {
		p++;
	} else if (*p) {
		u = strchr(units, toupper((unsigned char)*p));
		if (!u)
			return 0;
		p++;
		if (!strcasecmp(p, "iB"))
			p += 2;
		else if (!strcasecmp(p, "B"))
			base = 1000, p++;
	}
	if (*p || (frac && !u))
		return 0;
	if (u)
		for (i = 0; i <= (size_t)(u - units); i++)
			mult *= base;	/* 1024^6 and 1000^6 fit */

	nint = (size_t)(int_end - s);
	n = nint + nfrac;
	all = malloc(n + 1);
	prod = malloc(n + 20);
	if (!all || !prod)
		abort();
	memcpy(all, s, nint);
	if (nfrac)
		memcpy(all + nint, frac, nfrac);
	times(all, n, mult, prod);
	/* The product's last NFRAC digits are the fraction's, dropped. */
	v = 0;
	for (i = 0; i < n + 20 - nfrac && !big; i++) {
		v = v * 10 + prod[i];
		big = v > UINT64_MAX;
	}
	free(all);
	free(prod);
	if (big)
		return -1;
	*out = (uint64_t)v;
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
