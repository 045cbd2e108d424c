/* The passwd and group readers on any file: a container's root holds
 * whatever /etc/passwd and /etc/group its image brought, and cx-chroot
 * --userspec and cx-caps --user read them.  The input is the file,
 * read both as passwd and as group, with fixed queries. */
#include "fuzz.h"
#include "parse.h"

#include <errno.h>

static int fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"root", "daemon:users", "1000", "alice:0", "bob:wheel", "",
	};
	char file[64], *name = malloc(8);
	gid_t *groups = malloc(3 * sizeof(*groups)), gid = 0;
	uid_t uid = 0;
	int has_gid, n;

	if (!name || !groups)
		abort();
	fz_file(&fd, data, size, file, sizeof(file));
	for (uid_t u = 0; u < 3; u++)
		if (cx_lookup_uid(file, u, name, 8, &gid) == 0)
			FZ_CHECK(memchr(name, '\0', 8) != NULL);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		has_gid = 0;
		if (cx_parse_userspec(names[i], file, file, &uid, &gid,
				      &has_gid) == 0)
			FZ_CHECK(uid != (uid_t)-1);
		cx_parse_group(names[i], file, &gid);
		n = cx_user_groups(file, names[i], 5, groups, 3);
		FZ_CHECK(n <= 3);
		FZ_CHECK(n < 0 || (n >= 1 && groups[0] == 5));
		n = cx_parse_groups(names[i][0] ? names[i] : "x", file, groups, 3);
		FZ_CHECK(n <= 3);
	}
	free(groups);
	free(name);
	return 0;
}
