/* The text parsers of cx-bind (common/bind.h): a "SOURCE:TARGET" pair
 * with its escapes, and the OPTIONS that may follow it. */
#include "fuzz.h"
#include "bind.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);
	char *src = NULL, *tgt = NULL, *opts = NULL;
	struct cx_bind_opts o;

	if (cx_bind_pair_parse(s, &src, &tgt, &opts) == 0) {
		FZ_CHECK(*src && *tgt && (!opts || *opts));
		if (opts && cx_bind_opts_parse(opts, &o) == 0)
			FZ_CHECK(!(o.set & o.clear) && o.rec >= -1 && o.rec <= 1);
		free(src);
	} else {
		FZ_CHECK(errno == EINVAL || errno == ENOMEM);
	}
	free(s);
	return 0;
}
