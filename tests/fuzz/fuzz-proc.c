/* What cx-nsenter reads about another process (common/proc.h): a PID
 * as typed or in a pidfile, /proc/PID/stat (whose command name, field
 * 2, the process chooses: spaces and parentheses included) and
 * /proc/PID/environ (whatever the process wrote there). */
#include "fuzz.h"
#include "proc.h"

#include <errno.h>
#include <limits.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size), *buf = malloc(size + 1), **env;
	struct cx_proc_stat st = { 0, 0 };
	pid_t pid = 0;

	if (!buf)
		abort();
	if (cx_parse_pid(s, &pid) == 0)
		FZ_CHECK(pid >= 1 && pid <= INT_MAX);
	if (cx_parse_proc_stat(s, &st) == 0)
		FZ_CHECK(st.state != '\0');

	/* environ: the raw bytes, NULs included, and room for one more. */
	memcpy(buf, data, size);
	env = cx_parse_environ(buf, size);
	FZ_CHECK(env != NULL);
	for (char **e = env; *e; e++) {
		const char *eq = strchr(*e, '=');

		FZ_CHECK(eq && eq != *e);
		FZ_CHECK(*e >= buf && *e < buf + size + 1);
	}
	free(env);
	free(buf);
	free(s);
	return 0;
}
