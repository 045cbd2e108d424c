/* The capability parsers of common/capability.h on any text: one name, a
 * list, the setcap text form, a hexadecimal mask, securebits, and a
 * whole /proc/PID/status.  What they accept reads back the same when
 * written out again; what they refuse is described in a bounded line. */
#include "fuzz.h"
#include "capability.h"

#include <errno.h>
#include <inttypes.h>

static void refused(const struct cx_caps_bad *bad)
{
	char line[48];

	FZ_CHECK(bad->why >= CX_CAPS_UNKNOWN && bad->why <= CX_CAPS_NO_OP);
	FZ_CHECK(memchr(bad->item, '\0', sizeof(bad->item)) != NULL);
	/* A short buffer on purpose: the line must be cut, not overrun. */
	cx_caps_bad_describe(bad, line, sizeof(line));
	FZ_CHECK(memchr(line, '\0', sizeof(line)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size), *text = malloc(CX_CAPS_TEXT);
	char *out = malloc(256), *again = malloc(256);
	const uint64_t all = cx_caps_upto(cx_cap_last_named());
	struct cx_caps_bad bad = { 0, "", NULL };
	struct cx_capstate *st = malloc(sizeof(*st));
	uint64_t mask = 0, back = 0, named = 0, named2 = 0;
	unsigned cap = 0, cap2 = 0, bits = 0, bits2 = 0;
	const char *near;

	if (!text || !out || !again || !st)
		abort();

	if (cx_cap_parse(s, &cap) == 0) {
		FZ_CHECK(cap < CX_CAP_BITS);
		if (cx_cap_name(cap))
			FZ_CHECK(cx_cap_parse(cx_cap_name(cap), &cap2) == 0 &&
				 cap2 == cap);
	}
	near = cx_cap_suggest(s);
	FZ_CHECK(!near || cx_cap_parse(near, &cap2) == 0);

	memset(&bad, 0, sizeof(bad));
	if (cx_caps_parse_list(s, all, &mask, &bad) == 0) {
		cx_caps_format(mask, text, CX_CAPS_TEXT);
		if (mask) {
			FZ_CHECK(cx_caps_parse_list(text, all, &back, NULL) == 0);
			FZ_CHECK(back == mask);
		}
	} else {
		refused(&bad);
	}

	memset(&bad, 0, sizeof(bad));
	if (cx_caps_canon_text(s, all, out, 256, &named, &bad) == 0) {
		FZ_CHECK(memchr(out, '\0', 256) != NULL);
		/* Canonical text is its own canonical form. */
		FZ_CHECK(cx_caps_canon_text(out, all, again, 256, &named2,
					    NULL) == 0);
		FZ_CHECK(strcmp(out, again) == 0 && named == named2);
	} else if (errno != ENAMETOOLONG) {
		refused(&bad);
	}

	if (cx_caps_parse_hex(s, &mask) == 0) {
		snprintf(out, 256, "%" PRIx64, mask);
		FZ_CHECK(cx_caps_parse_hex(out, &back) == 0 && back == mask);
	}

	memset(&bad, 0, sizeof(bad));
	if (cx_secbits_parse(s, &bits, &bad) == 0) {
		unsigned namedbits = 0;

		for (unsigned i = 0; i < 32; i++)
			if (cx_secbit_name(i))
				namedbits |= 1u << i;
		bits &= namedbits;
		cx_secbits_format(bits, out, 256);
		if (bits) {
			FZ_CHECK(cx_secbits_parse(out, &bits2, NULL) == 0);
			FZ_CHECK(bits2 == bits);
		}
	} else {
		refused(&bad);
	}

	if (cx_capstate_parse_status(s, st) == 0)
		FZ_CHECK(st->ngroups >= 0 && st->ngroups <= CX_CAPSTATE_GROUPS);

	free(st);
	free(again);
	free(out);
	free(text);
	free(s);
	return 0;
}
