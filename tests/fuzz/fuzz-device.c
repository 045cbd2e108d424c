/* cx_cg_parse_device: "a", "c 1:3 rwm", "b 8:* r"...  A rule that
 * parses is written back in v1's words by cx_cg_device_text, and those
 * words parse to the same rule (the text is its one spelling); one that
 * does not is EINVAL or ERANGE, and a rule's numbers stay below the
 * kernel's limits. */
#include "fuzz.h"
#include "cg.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size), text[48], again[48];
	struct cx_cg_device d, e;
	bool allow = size && (data[0] & 1);

	errno = 0;
	if (cx_cg_parse_device(s, allow, &d) == 0) {
		FZ_CHECK(d.allow == allow);
		FZ_CHECK(d.type == 'a' || d.type == 'c' || d.type == 'b');
		FZ_CHECK(d.major >= -1 && d.major < 4096);
		FZ_CHECK(d.minor >= -1 && d.minor < (1 << 20));
		FZ_CHECK(d.access >= 1 && d.access <= CX_CG_DEV_RWM);
		cx_cg_device_text(&d, text, sizeof(text));
		FZ_CHECK(cx_cg_parse_device(text, allow, &e) == 0);
		FZ_CHECK(e.type == d.type && e.major == d.major &&
			 e.minor == d.minor && e.access == d.access);
		cx_cg_device_text(&e, again, sizeof(again));
		FZ_CHECK(strcmp(text, again) == 0);
	} else {
		FZ_CHECK(errno == EINVAL || errno == ERANGE);
	}
	free(s);
	return 0;
}
