/* cx_parse_idmap: "INNER:OUTER:COUNT" or "OUTER,INNER,COUNT".  What it
 * accepts keeps parse.h's promises (COUNT >= 1, no range past 32 bits)
 * and reads back the same when written out again in either order. */
#include "fuzz.h"
#include "parse.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size), again[64];
	struct cx_idmap m = { 0, 0, 0 }, back;

	errno = 0;
	if (cx_parse_idmap(s, &m) < 0) {
		FZ_CHECK(errno == EINVAL || errno == ERANGE);
		free(s);
		return 0;
	}
	FZ_CHECK(m.count >= 1);
	FZ_CHECK((uint64_t)m.inner + m.count <= UINT32_MAX);
	FZ_CHECK((uint64_t)m.outer + m.count <= UINT32_MAX);
	snprintf(again, sizeof(again), "%u:%u:%u", m.inner, m.outer, m.count);
	FZ_CHECK(cx_parse_idmap(again, &back) == 0);
	FZ_CHECK(back.inner == m.inner && back.outer == m.outer &&
		 back.count == m.count);
	snprintf(again, sizeof(again), "%u,%u,%u", m.outer, m.inner, m.count);
	FZ_CHECK(cx_parse_idmap(again, &back) == 0);
	FZ_CHECK(back.inner == m.inner && back.outer == m.outer &&
		 back.count == m.count);
	free(s);
	return 0;
}
