/* The text parsers of cx-bind (common/bind.h): a "SOURCE:TARGET" pair
 * with its escapes, and one line of /proc/PID/mountinfo, which holds
 * paths that any user who can mount chose. */
#include "fuzz.h"
#include "bind.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size), *line = fz_str(data, size);
	char *src = NULL, *tgt = NULL, *opts = NULL;
	struct cx_bind_opts o;
	struct cx_mountinfo m;

	if (cx_bind_pair_parse(s, &src, &tgt, &opts) == 0) {
		FZ_CHECK(*src && *tgt && (!opts || *opts));
		if (opts && cx_bind_opts_parse(opts, &o) == 0)
			FZ_CHECK(!(o.set & o.clear) && o.rec >= -1 && o.rec <= 1);
		free(src);
	} else {
		FZ_CHECK(errno == EINVAL || errno == ENOMEM);
	}
	if (cx_mountinfo_parse(line, &m) == 0) {
		FZ_CHECK(m.root && m.mountpoint && m.options && m.optional);
		FZ_CHECK(m.fstype && m.source && m.superopts);
		cx_mountinfo_has(m.options, "ro");
		cx_mountinfo_has(m.superopts, "");
	}
	cx_mountinfo_has(s, "nosuid");
	free(line);
	free(s);
	return 0;
}
