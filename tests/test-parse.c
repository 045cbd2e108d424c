/* Unit tests for the pure parsers (common/parse.h): one table per
 * parser, every row an input and what must come of it, the value or the
 * errno.  The user and group lookups read passwd and group files this
 * test writes into its own temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "expect.h"

#include "parse.h"

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* rc and errno against a row's err (0: must succeed).  True when the
 * call succeeded as it should, so the caller goes on to the value. */
static int check_rc(const char *what, const char *in, int rc, int err,
		    int want)
{
	if (want) {
		EXPECT(rc == -1 && err == want,
		       "%s(\"%s\"): rc %d errno %s, want -1 errno %s", what,
		       in, rc, strerrorname_np(err) ? strerrorname_np(err) : "0",
		       strerrorname_np(want));
		return 0;
	}
	EXPECT(rc == 0, "%s(\"%s\"): rc %d errno %s, want success", what, in,
	       rc, strerrorname_np(err) ? strerrorname_np(err) : "0");
	return rc == 0;
}

struct u64_case {
	const char *in;
	int err;
	uint64_t want;
};

static void test_u64(void **state)
{
	static const struct u64_case cases[] = {
		{ "0", 0, 0 },
		{ "1", 0, 1 },
		{ "007", 0, 7 },
		{ "4294967296", 0, 4294967296ULL },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", ERANGE, 0 },
		{ "18446744073709551620", ERANGE, 0 },
		{ "99999999999999999999", ERANGE, 0 },
		{ "184467440737095516150", ERANGE, 0 },
		{ "", EINVAL, 0 },
		{ "-1", EINVAL, 0 },
		{ "+1", EINVAL, 0 },
		{ " 1", EINVAL, 0 },
		{ "1 ", EINVAL, 0 },
		{ "1x", EINVAL, 0 },
		{ "0x10", EINVAL, 0 },
		{ "1K", EINVAL, 0 },
		{ "1.0", EINVAL, 0 },
		{ "x", EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct u64_case *c = &cases[i];
		uint64_t v = 12345;
		int rc;

		errno = 0;
		rc = cx_parse_u64(c->in, &v);
		if (check_rc("cx_parse_u64", c->in, rc, errno, c->err))
			EXPECT(v == c->want, "cx_parse_u64(\"%s\") = %" PRIu64
			       ", want %" PRIu64, c->in, v, c->want);
	}
	done();
}

static void test_u32(void **state)
{
	static const struct u64_case cases[] = {
		{ "0", 0, 0 },
		{ "65536", 0, 65536 },
		{ "4294967295", 0, UINT32_MAX },
		{ "4294967296", ERANGE, 0 },
		{ "18446744073709551615", ERANGE, 0 },
		{ "18446744073709551616", ERANGE, 0 },
		{ "", EINVAL, 0 },
		{ "-1", EINVAL, 0 },
		{ "+1", EINVAL, 0 },
		{ "12abc", EINVAL, 0 },
		{ "abc", EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct u64_case *c = &cases[i];
		uint32_t v = 12345;
		int rc;

		errno = 0;
		rc = cx_parse_u32(c->in, &v);
		if (check_rc("cx_parse_u32", c->in, rc, errno, c->err))
			EXPECT(v == c->want, "cx_parse_u32(\"%s\") = %" PRIu32
			       ", want %" PRIu64, c->in, v, c->want);
	}
	done();
}

struct i64_case {
	const char *in;
	int err;
	int64_t want;
};

static void test_i64(void **state)
{
	static const struct i64_case cases[] = {
		{ "0", 0, 0 },
		{ "-0", 0, 0 },
		{ "+0", 0, 0 },
		{ "42", 0, 42 },
		{ "+42", 0, 42 },
		{ "-42", 0, -42 },
		{ "-86400", 0, -86400 },
		{ "9223372036854775807", 0, INT64_MAX },
		{ "+9223372036854775807", 0, INT64_MAX },
		{ "9223372036854775808", ERANGE, 0 },
		{ "-9223372036854775807", 0, -INT64_MAX },
		{ "-9223372036854775808", 0, INT64_MIN },
		{ "-9223372036854775809", ERANGE, 0 },
		{ "18446744073709551615", ERANGE, 0 },
		{ "-18446744073709551616", ERANGE, 0 },
		{ "", EINVAL, 0 },
		{ "-", EINVAL, 0 },
		{ "+", EINVAL, 0 },
		{ "--1", EINVAL, 0 },
		{ "+-1", EINVAL, 0 },
		{ "- 1", EINVAL, 0 },
		{ " -1", EINVAL, 0 },
		{ "1-", EINVAL, 0 },
		{ "1s", EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct i64_case *c = &cases[i];
		int64_t v = 12345;
		int rc;

		errno = 0;
		rc = cx_parse_i64(c->in, &v);
		if (check_rc("cx_parse_i64", c->in, rc, errno, c->err))
			EXPECT(v == c->want, "cx_parse_i64(\"%s\") = %" PRId64
			       ", want %" PRId64, c->in, v, c->want);
	}
	done();
}

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define TiB (1024ULL * GiB)

static void test_size(void **state)
{
	static const struct u64_case cases[] = {
		{ "0", 0, 0 },
		{ "512", 0, 512 },
		{ "1K", 0, KiB },
		{ "100K", 0, 100 * KiB },
		{ "100M", 0, 100 * MiB },
		{ "1536M", 0, 1536 * MiB },
		{ "3G", 0, 3 * GiB },
		{ "2T", 0, 2 * TiB },
		{ "0G", 0, 0 },
		/* iB after the unit: powers of 1024; B: powers of 1000 */
		{ "100KB", 0, 100000 },
		{ "100KiB", 0, 100 * KiB },
		{ "100MB", 0, 100000000 },
		{ "100mb", 0, 100000000 },
		{ "100MiB", 0, 100 * MiB },
		{ "100mib", 0, 100 * MiB },
		{ "4GiB", 0, 4 * GiB },
		{ "1TB", 0, 1000000000000ULL },
		{ "1PiB", 0, 1024 * TiB },
		{ "1E", 0, 1024 * 1024 * TiB },
		{ "1EB", 0, 1000000000000000000ULL },
		{ "512B", 0, 512 },
		{ "512b", 0, 512 },
		/* a fraction, rounded down to whole bytes */
		{ "1.5G", 0, 1536 * MiB },
		{ "1.5GB", 0, 1500000000 },
		{ "0.5K", 0, 512 },
		{ "1.1K", 0, 1126 },
		{ "1.0000000000000000000000001K", 0, KiB },
		{ "15.999999999999999999E", 0, UINT64_MAX - 1 },
		{ "16E", ERANGE, 0 },
		/* exact past eighteen digits: 2^64 - 2^60 / 10^22, rounded down */
		{ "15.9999999999999999999999E", 0, UINT64_MAX },
		{ "0.999999999999999999999E", 0, (1ULL << 60) - 1 },
		{ "0.999999999999999999999EB", 0, 999999999999999999ULL },
		/* the unit letter in either case */
		{ "1k", 0, KiB },
		{ "1m", 0, MiB },
		{ "1g", 0, GiB },
		{ "1t", 0, TiB },
		{ "2mB", 0, 2000000 },
		{ "2miB", 0, 2 * MiB },
		/* the edge of 64 bits */
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", ERANGE, 0 },
		{ "18014398509481983K", 0, UINT64_MAX - 1023 },
		{ "18014398509481984K", ERANGE, 0 },
		{ "17592186044415M", 0, 17592186044415ULL * MiB },
		{ "17592186044416M", ERANGE, 0 },
		{ "17179869183G", 0, 17179869183ULL * GiB },
		{ "17179869184G", ERANGE, 0 },
		{ "16777215T", 0, 16777215ULL * TiB },
		{ "16777216T", ERANGE, 0 },
		{ "99999999999999999999T", ERANGE, 0 },
		/* not a size */
		{ "1.5", EINVAL, 0 },
		{ "1.K", EINVAL, 0 },
		{ ".5K", EINVAL, 0 },
		{ "1.5.1K", EINVAL, 0 },
		{ "1,5G", EINVAL, 0 },
		{ "1Bi", EINVAL, 0 },
		{ "1BB", EINVAL, 0 },
		{ "", EINVAL, 0 },
		{ "M", EINVAL, 0 },
		{ "MiB", EINVAL, 0 },
		{ "-1K", EINVAL, 0 },
		{ "+1K", EINVAL, 0 },
		{ " 1K", EINVAL, 0 },
		{ "1 K", EINVAL, 0 },
		{ "1K ", EINVAL, 0 },
		{ "1Z", EINVAL, 0 },
		{ "1Y", EINVAL, 0 },
		{ "1X", EINVAL, 0 },
		{ "1KK", EINVAL, 0 },
		{ "1KBB", EINVAL, 0 },
		{ "1KiBx", EINVAL, 0 },
		{ "1Ki", EINVAL, 0 },
		{ "1KBi", EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct u64_case *c = &cases[i];
		uint64_t v = 12345;
		int rc;

		errno = 0;
		rc = cx_parse_size(c->in, &v);
		if (check_rc("cx_parse_size", c->in, rc, errno, c->err))
			EXPECT(v == c->want, "cx_parse_size(\"%s\") = %" PRIu64
			       ", want %" PRIu64, c->in, v, c->want);
	}
	done();
}

/* The passwd and group files the lookups read. */
static char dir[64], passwd[96], group[96];

static const char passwd_text[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"alice:x:1000:1001:Alice:/home/alice:/bin/sh\n"
	/* a name that is a prefix of another, and the reverse */
	"al:x:1002:1003::/home/al:/bin/sh\n"
	"bobby:x:1004:1004::/:/bin/sh\n"
	/* broken entries: never taken */
	"broken:x:notanumber:100::/:/bin/sh\n"
	"nogid:x:1010\n"
	"neg:x:-5:100::/:/bin/sh\n"
	/* the first entry of a name wins */
	"dup:x:2000:2000::/:/bin/sh\n"
	"dup:x:2001:2001::/:/bin/sh\n"
	/* no name: an id alone is not an entry */
	":x:3000:3000::/:/bin/sh\n"
	"named:x:3000:3000::/:/bin/sh\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";

static const char group_text[] =
	"root:x:0:\n"
	"wheel:x:10:alice,al\n"
	"users:x:100:\n"
	"alice:x:1001:\n"
	"staff:x:50:bobby,alice\n"
	"badgid:x:oops:\n"
	"short:x:77\n"
	":x:88:\n"
	"eighty:x:88:\n"
	"nogroup:x:65534:\n";

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int files_setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s", "/tmp/cx-test-parse.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(passwd, sizeof(passwd), "%s/passwd", dir);
	snprintf(group, sizeof(group), "%s/group", dir);
	if (write_file(passwd, passwd_text) < 0 ||
	    write_file(group, group_text) < 0)
		return -1;
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int files_teardown(void **state)
{
	(void)state;
	if (dir[0])
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

struct user_case {
	const char *in;
	int err;
	uid_t uid;
	gid_t gid;
	int has_gid;
};

static void test_user(void **state)
{
	static const struct user_case cases[] = {
		{ "root", 0, 0, 0, 1 },
		{ "alice", 0, 1000, 1001, 1 },
		{ "al", 0, 1002, 1003, 1 },
		{ "bobby", 0, 1004, 1004, 1 },
		{ "dup", 0, 2000, 2000, 1 },
		{ "nobody", 0, 65534, 65534, 1 },
		/* numbers are taken as they are, no group */
		{ "0", 0, 0, 0, 0 },
		{ "1000", 0, 1000, 0, 0 },
		{ "4294967294", 0, 4294967294U, 0, 0 },
		/* -1 means "no change" to the kernel: never a user */
		{ "4294967295", EINVAL, 0, 0, 0 },
		{ "-1", EINVAL, 0, 0, 0 },
		{ "4294967296", EINVAL, 0, 0, 0 },
		/* prefixes and unknown names */
		{ "ali", EINVAL, 0, 0, 0 },
		{ "alicex", EINVAL, 0, 0, 0 },
		{ "bob", EINVAL, 0, 0, 0 },
		{ "unknown", EINVAL, 0, 0, 0 },
		{ "broken", EINVAL, 0, 0, 0 },
		{ "nogid", EINVAL, 0, 0, 0 },
		{ "neg", EINVAL, 0, 0, 0 },
		{ "", EINVAL, 0, 0, 0 },
		{ "1000x", EINVAL, 0, 0, 0 },
		{ "alice:wheel", EINVAL, 0, 0, 0 },
		{ "alice\n", EINVAL, 0, 0, 0 },
		{ "x:1000", EINVAL, 0, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct user_case *c = &cases[i];
		uid_t uid = 12345;
		gid_t gid = 0;
		int has = -1, rc;

		errno = 0;
		rc = cx_parse_user(c->in, passwd, &uid, &gid, &has);
		if (!check_rc("cx_parse_user", c->in, rc, errno, c->err))
			continue;
		EXPECT(uid == c->uid && has == c->has_gid &&
			       (!has || gid == c->gid),
		       "cx_parse_user(\"%s\") = uid %u gid %u has_gid %d, "
		       "want %u %u %d", c->in, uid, gid, has, c->uid, c->gid,
		       c->has_gid);
	}
	done();
}

/* Without a passwd file, or with one that is not there, only numbers. */
static void test_user_no_db(void **state)
{
	char missing[128];
	uid_t uid = 0;
	gid_t gid = 0;
	int has = -1;

	(void)state;
	snprintf(missing, sizeof(missing), "%s/nonexistent", dir);
	assert_int_equal(cx_parse_user("1000", NULL, &uid, &gid, &has), 0);
	assert_int_equal(uid, 1000);
	assert_int_equal(has, 0);
	errno = 0;
	assert_int_equal(cx_parse_user("alice", NULL, &uid, &gid, &has), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(cx_parse_user("alice", missing, &uid, &gid, &has), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(cx_parse_group("wheel", NULL, &gid), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(cx_parse_group("7", missing, &gid), 0);
	assert_int_equal(gid, 7);
}

struct group_case {
	const char *in;
	int err;
	gid_t gid;
};

static void test_group(void **state)
{
	static const struct group_case cases[] = {
		{ "root", 0, 0 },
		{ "wheel", 0, 10 },
		{ "users", 0, 100 },
		{ "alice", 0, 1001 },
		{ "staff", 0, 50 },
		{ "short", 0, 77 },
		{ "nogroup", 0, 65534 },
		{ "0", 0, 0 },
		{ "50", 0, 50 },
		{ "4294967294", 0, 4294967294U },
		{ "4294967295", EINVAL, 0 },
		{ "-1", EINVAL, 0 },
		{ "4294967296", EINVAL, 0 },
		{ "whee", EINVAL, 0 },
		{ "wheels", EINVAL, 0 },
		{ "badgid", EINVAL, 0 },
		{ "unknown", EINVAL, 0 },
		{ "", EINVAL, 0 },
		{ "10x", EINVAL, 0 },
		{ "wheel:x", EINVAL, 0 },
		{ "a:b", EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct group_case *c = &cases[i];
		gid_t gid = 12345;
		int rc;

		errno = 0;
		rc = cx_parse_group(c->in, group, &gid);
		if (check_rc("cx_parse_group", c->in, rc, errno, c->err))
			EXPECT(gid == c->gid, "cx_parse_group(\"%s\") = %u, "
			       "want %u", c->in, gid, c->gid);
	}
	done();
}

static void test_userspec(void **state)
{
	static const struct user_case cases[] = {
		/* a name alone: its primary group */
		{ "alice", 0, 1000, 1001, 1 },
		{ "root", 0, 0, 0, 1 },
		/* a number alone: no group */
		{ "1000", 0, 1000, 0, 0 },
		/* USER:GROUP, either part a name or a number */
		{ "alice:wheel", 0, 1000, 10, 1 },
		{ "alice:50", 0, 1000, 50, 1 },
		{ "1000:wheel", 0, 1000, 10, 1 },
		{ "1000:50", 0, 1000, 50, 1 },
		{ "0:0", 0, 0, 0, 1 },
		{ "al:staff", 0, 1002, 50, 1 },
		/* refused */
		{ "", EINVAL, 0, 0, 0 },
		{ ":", EINVAL, 0, 0, 0 },
		{ ":wheel", EINVAL, 0, 0, 0 },
		{ ":10", EINVAL, 0, 0, 0 },
		{ "alice:", EINVAL, 0, 0, 0 },
		{ "1000:", EINVAL, 0, 0, 0 },
		{ "alice:wheel:x", EINVAL, 0, 0, 0 },
		{ "1000:50:60", EINVAL, 0, 0, 0 },
		{ "unknown", EINVAL, 0, 0, 0 },
		{ "unknown:wheel", EINVAL, 0, 0, 0 },
		{ "alice:unknown", EINVAL, 0, 0, 0 },
		{ "-1", EINVAL, 0, 0, 0 },
		{ "-1:-1", EINVAL, 0, 0, 0 },
		{ "1000:-1", EINVAL, 0, 0, 0 },
		{ "-1:50", EINVAL, 0, 0, 0 },
		{ "4294967295:0", EINVAL, 0, 0, 0 },
		{ "0:4294967295", EINVAL, 0, 0, 0 },
		{ "a:b", EINVAL, 0, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct user_case *c = &cases[i];
		uid_t uid = 12345;
		gid_t gid = 0;
		int has = -1, rc;

		errno = 0;
		rc = cx_parse_userspec(c->in, passwd, group, &uid, &gid, &has);
		if (!check_rc("cx_parse_userspec", c->in, rc, errno, c->err))
			continue;
		EXPECT(uid == c->uid && has == c->has_gid &&
			       (!has || gid == c->gid),
		       "cx_parse_userspec(\"%s\") = uid %u gid %u has_gid %d, "
		       "want %u %u %d", c->in, uid, gid, has, c->uid, c->gid,
		       c->has_gid);
	}
	done();
}

/* A user name longer than the 255 bytes the parser copies is refused,
 * not cut short to a name that exists. */
static void test_userspec_long(void **state)
{
	char s[400];
	uid_t uid;
	gid_t gid;
	int has;

	(void)state;
	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	errno = 0;
	assert_int_equal(cx_parse_userspec(s, passwd, group, &uid, &gid, &has),
			 -1);
	assert_int_equal(errno, EINVAL);
}

struct groups_case {
	const char *in;
	int max;
	int err;
	int n;
	gid_t want[4];
};

static void test_groups(void **state)
{
	static const struct groups_case cases[] = {
		{ "wheel", 4, 0, 1, { 10 } },
		{ "50", 4, 0, 1, { 50 } },
		{ "wheel,50,staff", 4, 0, 3, { 10, 50, 50 } },
		{ "0,users,alice,65534", 4, 0, 4, { 0, 100, 1001, 65534 } },
		{ "wheel,users", 2, 0, 2, { 10, 100 } },
		/* more than max */
		{ "wheel,users,staff", 2, ERANGE, 0, { 0 } },
		{ "1", 0, ERANGE, 0, { 0 } },
		/* empty, or an empty member */
		{ "", 4, EINVAL, 0, { 0 } },
		{ ",", 4, EINVAL, 0, { 0 } },
		{ "wheel,", 4, EINVAL, 0, { 0 } },
		{ ",wheel", 4, EINVAL, 0, { 0 } },
		{ "wheel,,users", 4, EINVAL, 0, { 0 } },
		/* a bad member */
		{ "wheel,unknown", 4, EINVAL, 0, { 0 } },
		{ "wheel,-1", 4, EINVAL, 0, { 0 } },
		{ "4294967295", 4, EINVAL, 0, { 0 } },
		{ "wheel users", 4, EINVAL, 0, { 0 } },
		{ "wheel:users", 4, EINVAL, 0, { 0 } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct groups_case *c = &cases[i];
		gid_t out[4] = { 9, 9, 9, 9 };
		int rc;

		errno = 0;
		rc = cx_parse_groups(c->in, group, out, c->max);
		if (c->err) {
			check_rc("cx_parse_groups", c->in, rc, errno, c->err);
			continue;
		}
		EXPECT(rc == c->n, "cx_parse_groups(\"%s\") = %d, want %d",
		       c->in, rc, c->n);
		for (int k = 0; k < c->n && rc == c->n; k++)
			EXPECT(out[k] == c->want[k], "cx_parse_groups(\"%s\")[%d]"
			       " = %u, want %u", c->in, k, out[k], c->want[k]);
		/* nothing written past max */
		for (int k = c->max; k < 4; k++)
			EXPECT(out[k] == 9, "cx_parse_groups(\"%s\") wrote "
			       "out[%d] past max %d", c->in, k, c->max);
	}
	done();
}

/* The uid's own entry and the groups a user is a member of: what
 * --userspec UID and a user's supplementary groups come from. */
static void test_lookup_uid(void **state)
{
	char name[32];
	gid_t gid = 9, out[4];
	int n;

	(void)state;
	assert_int_equal(cx_lookup_uid(passwd, 1000, name, sizeof(name), &gid),
			 0);
	assert_string_equal(name, "alice");
	assert_int_equal(gid, 1001);
	assert_int_equal(cx_lookup_uid(passwd, 0, name, sizeof(name), &gid), 0);
	assert_string_equal(name, "root");
	assert_int_equal(gid, 0);
	/* the first entry wins */
	assert_int_equal(cx_lookup_uid(passwd, 2000, name, sizeof(name), &gid),
			 0);
	assert_string_equal(name, "dup");
	/* an entry with no name is passed over */
	assert_int_equal(cx_lookup_uid(passwd, 3000, name, sizeof(name), &gid),
			 0);
	assert_string_equal(name, "named");
	errno = 0;
	assert_int_equal(cx_lookup_uid(passwd, 4242, name, sizeof(name), &gid),
			 -1);
	assert_int_equal(errno, ENOENT);

	/* the primary group first, then the memberships in file order */
	n = cx_user_groups(group, "alice", 1001, out, 4);
	assert_int_equal(n, 3);
	assert_int_equal(out[0], 1001);
	assert_int_equal(out[1], 10);
	assert_int_equal(out[2], 50);
	/* "al" is not "alice", and is in wheel only */
	n = cx_user_groups(group, "al", 1003, out, 4);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 1003);
	assert_int_equal(out[1], 10);
	/* a member of nothing: the primary group alone */
	n = cx_user_groups(group, "nobody", 65534, out, 4);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 65534);
	/* more than max */
	errno = 0;
	assert_int_equal(cx_user_groups(group, "alice", 1001, out, 2), -1);
	assert_int_equal(errno, ERANGE);
}

/* The name of an id, in a passwd or a group file alike; only a regular
 * file is read. */
static void test_lookup_id(void **state)
{
	char name[32], fifo[128];

	(void)state;
	assert_int_equal(cx_lookup_id(passwd, 1000, name, sizeof(name)), 0);
	assert_string_equal(name, "alice");
	/* the first entry wins */
	assert_int_equal(cx_lookup_id(passwd, 2000, name, sizeof(name)), 0);
	assert_string_equal(name, "dup");
	/* a line that ends after its id */
	assert_int_equal(cx_lookup_id(passwd, 1010, name, sizeof(name)), 0);
	assert_string_equal(name, "nogid");
	assert_int_equal(cx_lookup_id(group, 50, name, sizeof(name)), 0);
	assert_string_equal(name, "staff");
	assert_int_equal(cx_lookup_id(group, 77, name, sizeof(name)), 0);
	assert_string_equal(name, "short");
	/* an entry with no name is passed over */
	assert_int_equal(cx_lookup_id(passwd, 3000, name, sizeof(name)), 0);
	assert_string_equal(name, "named");
	assert_int_equal(cx_lookup_id(group, 88, name, sizeof(name)), 0);
	assert_string_equal(name, "eighty");
	/* a long name is cut to the buffer, never past it */
	assert_int_equal(cx_lookup_id(passwd, 65534, name, 4), 0);
	assert_string_equal(name, "nob");
	errno = 0;
	assert_int_equal(cx_lookup_id(group, 4242, name, sizeof(name)), -1);
	assert_int_equal(errno, ENOENT);
	/* A FIFO is never read: it would block for ever. */
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(cx_lookup_id(fifo, 0, name, sizeof(name)), -1);
	unlink(fifo);
}

/* A line longer than the reader's buffer must not be read as two
 * entries: its tail, which anyone who may set their own GECOS field
 * (chfn) can write, would otherwise become a user of its own. */
static void test_user_long_line(void **state)
{
	char path[128], *text, name[32];
	size_t pad = 5000;
	uid_t uid = 12345;
	gid_t gid = 12345;
	int has = -1, rc;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/passwd-long", dir);
	text = malloc(pad + 1);
	assert_non_null(text);
	/* "mallory:x:1005:1005:" plus GECOS filler so that the forged
	 * entry starts exactly where a 4096-byte fgets() would cut. */
	memset(text, 'A', pad);
	text[pad] = '\0';
	f = fopen(path, "we");
	assert_non_null(f);
	fprintf(f, "mallory:x:1005:1005:%.*s", (int)(4095 - 20), text);
	fprintf(f, "evil:x:0:0:forged:/:/bin/sh\n");
	fprintf(f, "evil:x:1006:1006::/:/bin/sh\n");
	assert_int_equal(fclose(f), 0);
	free(text);

	rc = cx_parse_user("evil", path, &uid, &gid, &has);
	assert_int_equal(rc, 0);
	if (uid != 1006 || gid != 1006)
		fail_msg("\"evil\" is uid %u gid %u, want 1006 1006: the tail "
			 "of a line over 4095 bytes was read as an entry",
			 uid, gid);
	if (cx_lookup_uid(path, 0, name, sizeof(name), &gid) == 0)
		fail_msg("uid 0 is \"%s\" in a file with no uid 0 entry: the "
			 "tail of a long line was read as an entry", name);
	assert_int_equal(cx_lookup_uid(path, 1006, name, sizeof(name), &gid),
			 0);
	assert_string_equal(name, "evil");
}

struct idmap_case {
	const char *in;
	int err;
	uint32_t inner, outer, count;
};

static void test_idmap(void **state)
{
	static const struct idmap_case cases[] = {
		/* INNER:OUTER:COUNT */
		{ "0:1000:1", 0, 0, 1000, 1 },
		{ "0:100000:65536", 0, 0, 100000, 65536 },
		{ "1000:0:1", 0, 1000, 0, 1 },
		/* the older OUTER,INNER,COUNT */
		{ "1000,0,1", 0, 0, 1000, 1 },
		{ "100000,0,65536", 0, 0, 100000, 65536 },
		{ "0,1000,1", 0, 1000, 0, 1 },
		/* the largest ranges that do not wrap: the last id of a
		 * range may be 4294967294, never (uid_t)-1 */
		{ "0:0:4294967295", 0, 0, 0, 4294967295U },
		{ "4294967294:0:1", 0, 4294967294U, 0, 1 },
		{ "0:4294967294:1", 0, 0, 4294967294U, 1 },
		{ "4294967294,0,1", 0, 0, 4294967294U, 1 },
		/* count 0 */
		{ "0:1000:0", EINVAL, 0, 0, 0 },
		{ "1000,0,0", EINVAL, 0, 0, 0 },
		/* ranges past 2^32 */
		{ "4294967295:0:1", ERANGE, 0, 0, 0 },
		{ "0:4294967295:1", ERANGE, 0, 0, 0 },
		{ "1:0:4294967295", ERANGE, 0, 0, 0 },
		{ "0:1:4294967295", ERANGE, 0, 0, 0 },
		{ "4294967200:0:100", ERANGE, 0, 0, 0 },
		{ "0,4294967200,100", ERANGE, 0, 0, 0 },
		{ "4294967296:0:1", ERANGE, 0, 0, 0 },
		{ "0:4294967296:1", ERANGE, 0, 0, 0 },
		{ "0:0:4294967296", ERANGE, 0, 0, 0 },
		{ "0:0:18446744073709551616", ERANGE, 0, 0, 0 },
		/* not a map */
		{ "", EINVAL, 0, 0, 0 },
		{ "0", EINVAL, 0, 0, 0 },
		{ "0:1000", EINVAL, 0, 0, 0 },
		{ "0:1000:", EINVAL, 0, 0, 0 },
		{ "0:1000:1:", EINVAL, 0, 0, 0 },
		{ "0:1000:1:5", EINVAL, 0, 0, 0 },
		{ "0::1", EINVAL, 0, 0, 0 },
		{ "::", EINVAL, 0, 0, 0 },
		{ ":0:1000:1", EINVAL, 0, 0, 0 },
		{ "0:1000,1", EINVAL, 0, 0, 0 },
		{ "0,1000:1", EINVAL, 0, 0, 0 },
		{ "0 1000 1", EINVAL, 0, 0, 0 },
		{ "0:1000:1x", EINVAL, 0, 0, 0 },
		{ "0:1000:1 ", EINVAL, 0, 0, 0 },
		{ " 0:1000:1", EINVAL, 0, 0, 0 },
		{ "-1:1000:1", EINVAL, 0, 0, 0 },
		{ "0:-1000:1", EINVAL, 0, 0, 0 },
		{ "0:1000:-1", EINVAL, 0, 0, 0 },
		{ "+0:1000:1", EINVAL, 0, 0, 0 },
		{ "root:1000:1", EINVAL, 0, 0, 0 },
		{ "a:b:c", EINVAL, 0, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct idmap_case *c = &cases[i];
		struct cx_idmap m = { 7, 7, 7 };
		int rc;

		errno = 0;
		rc = cx_parse_idmap(c->in, &m);
		if (!check_rc("cx_parse_idmap", c->in, rc, errno, c->err))
			continue;
		EXPECT(m.inner == c->inner && m.outer == c->outer &&
			       m.count == c->count,
		       "cx_parse_idmap(\"%s\") = inner %u outer %u count %u, "
		       "want %u %u %u", c->in, m.inner, m.outer, m.count,
		       c->inner, c->outer, c->count);
	}
	done();
}

/* subuid(5): by name or by uid, the first line that is ours; malformed
 * or empty ranges are not ours. */
static void test_subid(void **state)
{
	char path[128];
	uint32_t start = 7, count = 7;

	(void)state;
	snprintf(path, sizeof(path), "%s/subuid", dir);
	assert_int_equal(write_file(path,
				    "alice:100000:65536\n"
				    "bob:x:65536\n"
				    "bob:200000:0\n"
				    "bob:4294967000:1000\n"
				    "1002:300000:1000\n"
				    "bob:400000:10\n"
				    "bob:500000:10\n"
				    "alice:600000:5\n"),
			 0);
	assert_int_equal(cx_subid_first(path, "alice", 1001, &start, &count), 0);
	assert_int_equal(start, 100000);
	assert_int_equal(count, 65536);
	/* bob's first three lines are broken, the fourth wraps */
	assert_int_equal(cx_subid_first(path, "bob", 1005, &start, &count), 0);
	assert_int_equal(start, 400000);
	assert_int_equal(count, 10);
	/* by uid, when the name is not there */
	assert_int_equal(cx_subid_first(path, "carol", 1002, &start, &count), 0);
	assert_int_equal(start, 300000);
	assert_int_equal(count, 1000);
	errno = 0;
	assert_int_equal(cx_subid_first(path, "dave", 1003, &start, &count), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(cx_subid_first(path, NULL, 1002, &start, &count), 0);
	assert_int_equal(start, 300000);
	snprintf(path, sizeof(path), "%s/no-such-subuid", dir);
	errno = 0;
	assert_int_equal(cx_subid_first(path, "alice", 1001, &start, &count), -1);
	assert_int_equal(errno, ENOENT);
	done();
}

/* A range with a hole where a map of its own goes. */
static void test_idmap_around(void **state)
{
	struct cx_idmap out[2];
	struct cx_idmap r = { 0, 100000, 65536 };

	(void)state;
	/* the hole at the start: one range after it */
	assert_int_equal(cx_idmap_around(r, 0, out), 1);
	assert_true(out[0].inner == 1 && out[0].outer == 100001 &&
		    out[0].count == 65535);
	/* in the middle: two, the outer id beside it unused */
	assert_int_equal(cx_idmap_around(r, 1000, out), 2);
	assert_true(out[0].inner == 0 && out[0].outer == 100000 &&
		    out[0].count == 1000);
	assert_true(out[1].inner == 1001 && out[1].outer == 101001 &&
		    out[1].count == 64535);
	/* the last id */
	assert_int_equal(cx_idmap_around(r, 65535, out), 1);
	assert_true(out[0].inner == 0 && out[0].count == 65535);
	/* outside: the range as it is */
	assert_int_equal(cx_idmap_around(r, 65536, out), 1);
	assert_true(out[0].inner == 0 && out[0].count == 65536);
	r = (struct cx_idmap){ 10, 5000, 5 };
	assert_int_equal(cx_idmap_around(r, 9, out), 1);
	assert_true(out[0].inner == 10 && out[0].count == 5);
	/* a range of one that is the hole: nothing left */
	r = (struct cx_idmap){ 0, 5000, 1 };
	assert_int_equal(cx_idmap_around(r, 0, out), 0);
	done();
}

struct signal_case {
	const char *in;
	int err;
	int sig;
};

static void test_signal(void **state)
{
	static const struct signal_case cases[] = {
		{ "TERM", 0, SIGTERM },
		{ "SIGTERM", 0, SIGTERM },
		{ "term", 0, SIGTERM },
		{ "sigterm", 0, SIGTERM },
		{ "SigTerm", 0, SIGTERM },
		{ "15", 0, SIGTERM },
		{ "KILL", 0, SIGKILL },
		{ "SIGKILL", 0, SIGKILL },
		{ "9", 0, SIGKILL },
		{ "HUP", 0, SIGHUP },
		{ "1", 0, SIGHUP },
		{ "INT", 0, SIGINT },
		{ "USR1", 0, SIGUSR1 },
		{ "sigusr2", 0, SIGUSR2 },
		{ "CHLD", 0, SIGCHLD },
		{ "WINCH", 0, SIGWINCH },
		{ "SYS", 0, SIGSYS },
		{ "64", 0, 64 },
		/* 0 is no signal; 65 is past the last (NSIG is 65) */
		{ "0", EINVAL, 0 },
		{ "00", EINVAL, 0 },
		{ "65", EINVAL, 0 },
		{ "4294967311", EINVAL, 0 },
		{ "-15", EINVAL, 0 },
		{ "+15", EINVAL, 0 },
		{ "15x", EINVAL, 0 },
		{ "FOO", EINVAL, 0 },
		{ "SIGFOO", EINVAL, 0 },
		{ "SIG", EINVAL, 0 },
		{ "sig", EINVAL, 0 },
		{ "SIGSIGTERM", EINVAL, 0 },
		{ "SIG15", EINVAL, 0 },
		{ "TER", EINVAL, 0 },
		{ "TERMX", EINVAL, 0 },
		{ "TERM ", EINVAL, 0 },
		{ " TERM", EINVAL, 0 },
		{ "", EINVAL, 0 },
	};

	(void)state;
	assert_int_equal(NSIG, 65);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct signal_case *c = &cases[i];
		int sig = -7, rc;

		errno = 0;
		rc = cx_parse_signal(c->in, &sig);
		if (check_rc("cx_parse_signal", c->in, rc, errno, c->err))
			EXPECT(sig == c->sig, "cx_parse_signal(\"%s\") = %d, "
			       "want %d", c->in, sig, c->sig);
	}
	done();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_u32),
		cmocka_unit_test(test_i64),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_user),
		cmocka_unit_test(test_user_no_db),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_userspec),
		cmocka_unit_test(test_userspec_long),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_lookup_uid),
		cmocka_unit_test(test_lookup_id),
		cmocka_unit_test(test_user_long_line),
		cmocka_unit_test(test_idmap),
		cmocka_unit_test(test_subid),
		cmocka_unit_test(test_idmap_around),
		cmocka_unit_test(test_signal),
	};

	return cmocka_run_group_tests_name("parse", tests, files_setup,
					   files_teardown);
}
