/* The user and group parsers (cx_parse_user, cx_parse_group,
 * cx_parse_userspec, cx_parse_groups, cx_user_groups) on any text,
 * against a fixed passwd and group file.  What they accept is a real
 * entry or a number, never the invalid id -1. */
#include "fuzz.h"
#include "parse.h"

#include <errno.h>

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"daemon:x:1:1:daemon:/:/bin/false\n"
	"alice:x:1000:1000::/home/alice:/bin/sh\n"
	"bob:x:1001:100:Bob,,,:/home/bob:/bin/sh\n"
	"broken:x:notanumber:0::/:/bin/sh\n"
	"short:x\n"
	"nobody:x:65534:65534:nobody:/:/bin/false\n";
static const char group[] =
	"root:x:0:\n"
	"daemon:x:1:alice\n"
	"users:x:100:alice,bob,\n"
	"alice:x:1000:\n"
	"wheel:x:10:bob,alice,bob\n"
	"bad:x:-5:alice\n"
	"nogroup:x:65534:\n";

static char pw[64], gr[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int pfd = -1, gfd = -1;

	(void)argc;
	(void)argv;
	fz_file(&pfd, passwd, sizeof(passwd) - 1, pw, sizeof(pw));
	fz_file(&gfd, group, sizeof(group) - 1, gr, sizeof(gr));
	return 0;
}

enum { MAX = 4 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);
	gid_t *groups = malloc(MAX * sizeof(*groups)), gid = 0;
	uid_t uid = 0;
	int has_gid = 0, n;

	if (!groups)
		abort();
	if (cx_parse_user(s, pw, &uid, &gid, &has_gid) == 0) {
		FZ_CHECK(uid != (uid_t)-1);
		FZ_CHECK(!has_gid || gid != (gid_t)-1);
	}
	if (cx_parse_group(s, gr, &gid) == 0)
		FZ_CHECK(gid != (gid_t)-1);
	has_gid = 0;
	if (cx_parse_userspec(s, pw, gr, &uid, &gid, &has_gid) == 0) {
		FZ_CHECK(uid != (uid_t)-1);
		FZ_CHECK(!has_gid || gid != (gid_t)-1);
		/* "USER:GROUP" always names the group. */
		FZ_CHECK(!strchr(s, ':') || has_gid);
	}
	n = cx_parse_groups(s, gr, groups, MAX);
	FZ_CHECK(n <= MAX);
	for (int i = 0; i < n; i++)
		FZ_CHECK(groups[i] != (gid_t)-1);
	n = cx_user_groups(gr, s, 7, groups, MAX);
	FZ_CHECK(n <= MAX);
	FZ_CHECK(n < 0 || (n >= 1 && groups[0] == 7));
	free(groups);
	free(s);
	return 0;
}
