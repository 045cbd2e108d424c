/* cx_parse_signal: "TERM", "SIGTERM", "term", "15".  A signal it
 * accepts is a real one, and its name reads back as the same signal. */
#include "fuzz.h"
#include "parse.h"

#include <errno.h>
#include <signal.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size), again[32];
	const char *name;
	int sig = 0, back = 0;

	errno = 0;
	if (cx_parse_signal(s, &sig) < 0) {
		FZ_CHECK(errno == EINVAL || errno == ERANGE);
		free(s);
		return 0;
	}
	FZ_CHECK(sig >= 1 && sig < NSIG);
	name = sigabbrev_np(sig);
	if (name) {
		FZ_CHECK(cx_parse_signal(name, &back) == 0 && back == sig);
		snprintf(again, sizeof(again), "SIG%s", name);
		FZ_CHECK(cx_parse_signal(again, &back) == 0 && back == sig);
	}
	snprintf(again, sizeof(again), "%d", sig);
	FZ_CHECK(cx_parse_signal(again, &back) == 0 && back == sig);
	free(s);
	return 0;
}
