/* The mountinfo parser (common/mountinfo.h) over a whole text: the
 * table holds paths that any user who can mount chose.  Every entry
 * must be whole and be found again by its id, and the walk up its
 * parents must end. */
#include "fuzz.h"
#include "mountinfo.h"

#include <errno.h>

static void check_entry(const struct cx_mountinfo_table *t,
			const struct cx_mountinfo *m)
{
	FZ_CHECK(m->root && m->mountpoint && m->options && m->optional);
	FZ_CHECK(m->fstype && m->source && m->superopts);
	FZ_CHECK(cx_mountinfo_find(t, m->id)->id == m->id);
	cx_mountinfo_has(m->options, "ro");
	cx_mountinfo_has(m->superopts, "");
	cx_mountinfo_tagged(m, "shared");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_str(data, size);
	struct cx_mountinfo_table t;
	int depth;

	if (cx_mountinfo_parse(text, &t) < 0) {
		FZ_CHECK(errno == ENOMEM);
		free(text);
		return 0;
	}
	for (size_t i = 0; i < t.n; i++)
		check_entry(&t, &t.m[i]);
	/* Once per input: each walk costs up to the table's size in finds. */
	if (t.n) {
		depth = cx_mountinfo_depth(&t, t.m[t.n - 1].id, t.m[0].id);
		FZ_CHECK(depth == -1 || (depth >= 0 && (size_t)depth <= t.n));
	}
	cx_mountinfo_free(&t);
	free(text);
	return 0;
}
