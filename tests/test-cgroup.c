/* Unit tests for cx-cgroup's cgroup module (common/cg.h, and the
 * backends' translations of cg-impl.h): names, the limit parsers and their
 * translation for each backend, the knob table, mountinfo parsing from
 * sample text, and the v1 memory pairing and reading back over a fake
 * hierarchy of plain files in a temporary directory (no root needed). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "expect.h"

#include "cg-impl.h"
#include "die.h"

#include <errno.h>
#include <ftw.h>
#include <linux/bpf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static const char *ename(int e)
{
	return e ? strerrorname_np(e) : "0";
}

/* --- names ----------------------------------------------------------- */

struct name_case {
	const char *in;
	size_t len;		/* 0: strlen(in) */
	const char *base;
	const char *rel;	/* NULL: refused */
	const char *why;	/* a part of the reason */
};

static void test_names(void **state)
{
	static const struct name_case cases[] = {
		{ "demo", 0, "/cx", "demo", NULL },
		{ "a/b/c", 0, "/cx", "a/b/c", NULL },
		{ "with space", 0, "/cx", "with space", NULL },
		{ "a-z.1", 0, "/cx", "a-z.1", NULL },
		{ "/cx/demo", 0, "/cx", "demo", NULL },
		{ "/cx/a/b", 0, "/cx", "a/b", NULL },
		{ "/demo", 0, "/", "demo", NULL },
		{ "/x", 0, "/cx", NULL, "outside the base" },
		{ "/cxy/demo", 0, "/cx", NULL, "outside the base" },
		{ "/cx", 0, "/cx", NULL, "outside the base" },
		{ "/cx/", 0, "/cx", NULL, "the base itself" },
		{ "/cx/demo", 0, NULL, NULL, "differs between hierarchies" },
		{ "..", 0, "/cx", NULL, "'..'" },
		{ "../../x", 0, "/cx", NULL, "'..'" },
		{ "a/../b", 0, "/cx", NULL, "'..'" },
		{ "a/..", 0, "/cx", NULL, "'..'" },
		{ "/cx/../x", 0, "/cx", NULL, "'..'" },
		{ ".", 0, "/cx", NULL, "'.'" },
		{ "a/./b", 0, "/cx", NULL, "'.'" },
		{ "", 0, "/cx", NULL, "empty" },
		{ "a//b", 0, "/cx", NULL, "empty component" },
		{ "a/", 0, "/cx", NULL, "empty component" },
		{ "a\0b", 3, "/cx", NULL, "NUL" },
		{ "a\nb", 0, "/cx", NULL, "control character" },
		{ "a\tb", 0, "/cx", NULL, "control character" },
		{ "memory.max", 0, "/cx", NULL, "interface file" },
		{ "a/cgroup.procs", 0, "/cx", NULL, "interface file" },
		{ "tasks", 0, "/cx", NULL, "interface file" },
		{ "pids.x", 0, "/cx", NULL, "interface file" },
		{ "notcontroller.max", 0, "/cx", "notcontroller.max", NULL },
	};
	char longname[CX_CG_NAME_MAX + 10], longpart[300];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct name_case *c = &cases[i];
		const char *rel = NULL, *why = NULL;
		size_t len = c->len ? c->len : strlen(c->in);
		int rc = cx_cg_check_name(c->in, len, c->base, &rel, &why);

		if (c->rel) {
			EXPECT(rc == 0 && strcmp(rel, c->rel) == 0,
			       "name \"%s\": rc %d rel %s why %s, want %s", c->in,
			       rc, rel ? rel : "-", why ? why : "-", c->rel);
		} else {
			EXPECT(rc == -1 && why && strstr(why, c->why),
			       "name \"%s\": rc %d why %s, want refused for %s",
			       c->in, rc, why ? why : "-", c->why);
		}
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	{
		const char *rel, *why = NULL;

		EXPECT(cx_cg_check_name(longname, strlen(longname), "/cx", &rel,
					&why) == -1 && errno == ENAMETOOLONG,
		       "a name of %zu bytes is refused", strlen(longname));
	}
	memset(longpart, 'b', sizeof(longpart) - 1);
	longpart[sizeof(longpart) - 1] = '\0';
	{
		const char *rel, *why = NULL;

		EXPECT(cx_cg_check_name(longpart, strlen(longpart), "/cx", &rel,
					&why) == -1 && strstr(why, "255"),
		       "a component of 299 bytes is refused");
	}
	done();
}

static void test_parent(void **state)
{
	static const struct {
		const char *in, *rel;
	} cases[] = {
		{ "/", "" }, { "", "" }, { "system.slice", "system.slice" },
		{ "/user.slice/u", "user.slice/u" }, { "//a/b", "a/b" },
		{ "a/../b", NULL }, { "..", NULL }, { "a//b", NULL },
		{ "a/", NULL }, { "x\ny", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const char *rel = NULL, *why = NULL;
		int rc = cx_cg_check_parent(cases[i].in, &rel, &why);

		if (cases[i].rel)
			EXPECT(rc == 0 && strcmp(rel, cases[i].rel) == 0,
			       "parent \"%s\": rc %d rel %s, want %s", cases[i].in,
			       rc, rel ? rel : "-", cases[i].rel);
		else
			EXPECT(rc == -1 && why, "parent \"%s\": rc %d, want refused",
			       cases[i].in, rc);
	}
	done();
}

/* --- limits ---------------------------------------------------------- */

static void test_cpus(void **state)
{
	static const struct {
		const char *in;
		int err;
		uint64_t quota;
	} cases[] = {
		{ "0.2", 0, 20000 }, { "1", 0, 100000 }, { "1.5", 0, 150000 },
		{ "2.25", 0, 225000 }, { "0.01", 0, 1000 },
		{ "0.00001", ERANGE, 0 }, { "0.009", ERANGE, 0 },
		{ "0.12345", 0, 12345 }, { "0.123456", EINVAL, 0 },
		{ "1000000", 0, 100000000000ULL }, { "1000000.5", ERANGE, 0 },
		{ "1000001", ERANGE, 0 }, { "99999999999999999999", ERANGE, 0 },
		{ "0", ERANGE, 0 }, { "0.0", ERANGE, 0 }, { "", EINVAL, 0 },
		{ ".5", EINVAL, 0 }, { "1.", EINVAL, 0 }, { "-1", EINVAL, 0 },
		{ "1e3", EINVAL, 0 }, { "1.5x", EINVAL, 0 }, { " 1", EINVAL, 0 },
		{ "max", EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		uint64_t q = 0;
		int rc;

		errno = 0;
		rc = cx_cg_parse_cpus(cases[i].in, &q);
		if (cases[i].err)
			EXPECT(rc == -1 && errno == cases[i].err,
			       "cpus \"%s\": rc %d errno %s, want %s", cases[i].in,
			       rc, ename(errno), ename(cases[i].err));
		else
			EXPECT(rc == 0 && q == cases[i].quota,
			       "cpus \"%s\": rc %d quota %" PRIu64 ", want %" PRIu64,
			       cases[i].in, rc, q, cases[i].quota);
	}
	done();
}

static void test_cpulist(void **state)
{
	static const struct {
		const char *in;
		int err;
	} cases[] = {
		{ "0", 0 }, { "0-3", 0 }, { "0-3,6", 0 }, { "1,3,5-7", 0 },
		{ "2-2", 0 }, { "65535", 0 }, { "65536", ERANGE },
		{ "3-1", EINVAL }, { "", EINVAL }, { ",", EINVAL }, { "1,", EINVAL },
		{ "-1", EINVAL }, { "1-", EINVAL }, { "a", EINVAL }, { "1 2", EINVAL },
		{ "0-65536", ERANGE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int rc;

		errno = 0;
		rc = cx_cg_parse_cpulist(cases[i].in);
		EXPECT(cases[i].err ? rc == -1 && errno == cases[i].err : rc == 0,
		       "cpulist \"%s\": rc %d errno %s, want %s", cases[i].in, rc,
		       ename(errno), ename(cases[i].err));
	}
	done();
}

/* --- Device rules ---------------------------------------------------- */

static void test_parse_device(void **state)
{
	static const struct {
		const char *in;
		int err;
		const char *text;	/* as cx_cg_device_text gives it back */
	} cases[] = {
		{ "a", 0, "a" }, { "a *:* rwm", 0, "a" },
		{ "c 1:3 rwm", 0, "c 1:3 rwm" }, { "c 1:3", 0, "c 1:3 rwm" },
		{ "b 8:* r", 0, "b 8:* r" }, { "c *:* m", 0, "c *:* m" },
		{ "c 136:* wr", 0, "c 136:* rw" }, { "b 4095:1048575 w", 0, "b 4095:1048575 w" },
		{ "c 4096:0", ERANGE, NULL }, { "c 1:1048576", ERANGE, NULL },
		{ "", EINVAL, NULL }, { "x 1:3", EINVAL, NULL }, { "c", EINVAL, NULL },
		{ "c 1", EINVAL, NULL }, { "c 1:", EINVAL, NULL }, { "c :3", EINVAL, NULL },
		{ "c 1:3 ", EINVAL, NULL }, { "c 1:3 rr", EINVAL, NULL },
		{ "c 1:3 x", EINVAL, NULL }, { "a 1:3 r", EINVAL, NULL },
		{ "c  1:3", EINVAL, NULL }, { "c -1:3", EINVAL, NULL },
		{ "c 1:3 rwm x", EINVAL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct cx_cg_device d;
		char text[48] = "";
		int rc;

		errno = 0;
		rc = cx_cg_parse_device(cases[i].in, true, &d);
		if (rc == 0)
			cx_cg_device_text(&d, text, sizeof(text));
		EXPECT(cases[i].err ? rc == -1 && errno == cases[i].err :
				      rc == 0 && strcmp(text, cases[i].text) == 0,
		       "device \"%s\": rc %d errno %s text \"%s\", want %s \"%s\"",
		       cases[i].in, rc, ename(errno), text, ename(cases[i].err),
		       cases[i].text ? cases[i].text : "");
	}
	done();
}

/* Run program P (the few instructions cx_cg_device_prog uses) on a
 * request, as the kernel would: 1 allows. */
static int run_prog(const struct bpf_insn *p, int n, uint32_t ctx[3])
{
	uint64_t r[11] = { 0 };

	for (int pc = 0; pc >= 0 && pc < n; pc++) {
		const struct bpf_insn *i = &p[pc];
		uint64_t *d = &r[i->dst_reg];

		switch (i->code) {
		case BPF_LDX | BPF_W | BPF_MEM:
			assert_int_equal(i->src_reg, 1);
			assert_true(i->off >= 0 && i->off <= 8 && i->off % 4 == 0);
			*d = ctx[i->off / 4];
			break;
		case BPF_ALU | BPF_MOV | BPF_X: *d = (uint32_t)r[i->src_reg]; break;
		case BPF_ALU | BPF_RSH | BPF_K: *d = (uint32_t)*d >> i->imm; break;
		case BPF_ALU | BPF_AND | BPF_K: *d = (uint32_t)(*d & (uint32_t)i->imm); break;
		case BPF_ALU64 | BPF_MOV | BPF_K: *d = (uint64_t)(int64_t)i->imm; break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (*d != (uint64_t)(int64_t)i->imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			if (*d == (uint64_t)(int64_t)i->imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			fail_msg("instruction %d: code 0x%x", pc, i->code);
		}
	}
	fail_msg("the program ran off its end");
	return -1;
}

/* What the rules say of a request, by their definition in cg.h. */
static int model(const struct cx_cg_device *r, int n, char type,
		 unsigned acc, int64_t major, int64_t minor)
{
	for (int i = n - 1; i >= 0; i--) {
		if (r[i].type == 'a')
			return r[i].allow;
		if (r[i].type != type || (r[i].major >= 0 && r[i].major != major) ||
		    (r[i].minor >= 0 && r[i].minor != minor))
			continue;
		if (r[i].allow ? (acc & ~r[i].access) == 0 : (acc & r[i].access) != 0)
			return r[i].allow;
	}
	return 1;
}

static void test_device_prog(void **state)
{
	static const char *const sets[][6] = {
		{ "-a", "+c 1:3 rwm", "+c 1:5 r", "+c 4:* m", NULL },
		{ "+a", "-c 4:1 w", "+c 4:1 rw", "-b *:* rwm", NULL },
		{ "-c 1:3 rwm", NULL },
		{ "-a", "+c *:* m", "+b 8:0 rw", "-b 8:0 w", "+a", NULL },
		{ "+c 1:3 rwm", "-a", "+c 136:* rwm", "-c 136:2 m", NULL },
		/* Each rule at its longest: type, access, major, minor. */
		{ "+c 1:5 r", "-c 1:3 w", "+b 8:0 rw", "-c 5:0 m", "+c 136:2 wm", NULL },
		{ NULL },
	};
	static const char types[] = { 'c', 'b' };
	static const int64_t nums[] = { 0, 1, 2, 3, 5, 8, 136 };

	(void)state;
	for (size_t s = 0; s < sizeof(sets) / sizeof(*sets); s++) {
		struct cx_cg_device r[6];
		struct bpf_insn *p;
		int n = 0, len;

		for (; sets[s][n]; n++)
			assert_int_equal(cx_cg_parse_device(sets[s][n] + 1,
							    sets[s][n][0] == '+',
							    &r[n]), 0);
		/* Exactly the room it asks for: ASan sees a write past it. */
		p = calloc((size_t)CX_CG_DEV_INSNS(n), sizeof(*p));
		assert_non_null(p);
		len = cx_cg_device_prog(r, n, p, CX_CG_DEV_INSNS(n));
		/* Never more than it asks room for. */
		assert_true(len <= CX_CG_DEV_INSNS(n));
		assert_true(len > 0);
		assert_int_equal(cx_cg_device_prog(r, n, p, 7), -1);
		assert_int_equal(errno, E2BIG);
		for (size_t t = 0; t < 2; t++)
			for (unsigned acc = 1; acc <= 7; acc++)
				for (size_t a = 0; a < 7; a++)
					for (size_t b = 0; b < 7; b++) {
						uint32_t ctx[3] = {
							acc << 16 | (types[t] == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK),
							(uint32_t)nums[a], (uint32_t)nums[b],
						};
						int want = model(r, n, types[t], acc, nums[a], nums[b]);

						EXPECT(run_prog(p, len, ctx) == want,
						       "set %zu: %c %" PRId64 ":%" PRId64 " access %u: want %d",
						       s, types[t], nums[a], nums[b], acc, want);
					}
		free(p);
	}
	done();
}

struct limit_case {
	const char *knob, *in;
	int err;
	bool max;
	uint64_t value;
};

static void test_parse_limit(void **state)
{
	static const struct limit_case cases[] = {
		{ "memory", "100M", 0, false, 104857600 },
		{ "memory", "100MiB", 0, false, 104857600 },
		{ "memory", "4096", 0, false, 4096 },
		{ "memory", "4K", 0, false, 4096 },
		{ "memory", "100MB", 0, false, 100000000 },
		{ "memory", "512", EDOM, false, 0 },
		{ "memory", "4095", EDOM, false, 0 },
		{ "memory", "0", EDOM, false, 0 },
		{ "memory", "0G", EDOM, false, 0 },
		{ "memory-high", "0", EDOM, false, 0 },
		{ "memory", "2T", 0, false, 2ULL << 40 },
		{ "memory", "max", 0, true, 0 },
		{ "memory", "100Q", EINVAL, false, 0 },
		{ "memory", "-1", EINVAL, false, 0 },
		{ "memory", "1.5G", 0, false, 1536ULL << 20 },
		{ "memory", "1.5", EINVAL, false, 0 },
		{ "memory", "", EINVAL, false, 0 },
		{ "memory", "MAX", EINVAL, false, 0 },
		{ "memory", "99999999999999999999G", ERANGE, false, 0 },
		{ "memory", "8388608T", ERANGE, false, 0 },
		{ "memory", "9223372036854775807", 0, false, INT64_MAX },
		{ "memory", "9223372036854775808", ERANGE, false, 0 },
		{ "memory-swap", "0", 0, false, 0 },
		{ "memory-swap", "max", 0, true, 0 },
		{ "memory-high", "80M", 0, false, 83886080 },
		{ "cpus", "0.2", 0, false, 20000 },
		{ "cpus", "max", 0, true, 0 },
		{ "cpus", "0", ERANGE, false, 0 },
		{ "cpu-weight", "1", 0, false, 1 },
		{ "cpu-weight", "10000", 0, false, 10000 },
		{ "cpu-weight", "0", ERANGE, false, 0 },
		{ "cpu-weight", "10001", ERANGE, false, 0 },
		{ "cpu-weight", "max", EINVAL, false, 0 },
		{ "io-weight", "100", 0, false, 100 },
		{ "cpuset", "0-1", 0, false, 0 },
		{ "cpuset", "max", EINVAL, false, 0 },
		{ "pids", "20", 0, false, 20 },
		{ "pids", "0", 0, false, 0 },
		{ "pids", "max", 0, true, 0 },
		{ "pids", "4194304", 0, false, 4194304 },
		{ "pids", "4194305", ERANGE, false, 0 },
		{ "pids", "20k", EINVAL, false, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct limit_case *c = &cases[i];
		const struct cx_cg_knob *k = cx_cg_knob(c->knob);
		struct cx_cg_limit l;
		int rc;

		assert_non_null(k);
		errno = 0;
		rc = cx_cg_parse_limit(k, c->in, &l);
		if (c->err)
			EXPECT(rc == -1 && errno == c->err,
			       "--%s \"%s\": rc %d errno %s, want %s", c->knob,
			       c->in, rc, ename(errno), ename(c->err));
		else
			EXPECT(rc == 0 && l.knob == k && l.max == c->max &&
				       (c->max || l.value == c->value),
			       "--%s \"%s\": rc %d max %d value %" PRIu64, c->knob,
			       c->in, rc, l.max, l.value);
	}
	done();
}

static void test_parse_set(void **state)
{
	static const struct {
		const char *in, *file, *value;
	} cases[] = {
		{ "memory.oom.group=1", "memory.oom.group", "1" },
		{ "io.max=8:0 rbps=1048576", "io.max", "8:0 rbps=1048576" },
		{ "cpu.idle=1=2", "cpu.idle", "1=2" },
		{ "memory.max", NULL, NULL }, { "memory.max=", NULL, NULL },
		{ "=1", NULL, NULL }, { "tasks=1", NULL, NULL },
		{ "../memory.max=1", NULL, NULL }, { "a/b.c=1", NULL, NULL },
		{ ".max=1", NULL, NULL }, { "memory..max=1", NULL, NULL },
		{ "a b.c=1", NULL, NULL },
		{ "memory.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1", NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct cx_cg_limit l;
		int rc = cx_cg_parse_set(cases[i].in, &l);

		if (cases[i].file)
			EXPECT(rc == 0 && !l.knob && strcmp(l.file, cases[i].file) == 0 &&
				       strcmp(l.text, cases[i].value) == 0,
			       "--set \"%s\": rc %d file %s value %s", cases[i].in,
			       rc, rc ? "-" : l.file, rc ? "-" : l.text);
		else
			EXPECT(rc == -1 && errno == EINVAL,
			       "--set \"%s\": rc %d, want EINVAL", cases[i].in, rc);
	}
	done();
}

/* What each option becomes on each backend: the translation table. */
struct plan_case {
	const char *knob, *in;
	int version;
	int n;			/* -1: no file on this backend */
	const char *f0, *v0, *f1, *v1;
};

static void test_plan(void **state)
{
	static const struct plan_case cases[] = {
		{ "memory", "100M", 2, 1, "memory.max", "104857600", NULL, NULL },
		{ "memory", "100M", 1, 1, "memory.limit_in_bytes", "104857600", NULL, NULL },
		{ "memory", "max", 2, 1, "memory.max", "max", NULL, NULL },
		{ "memory", "max", 1, 1, "memory.limit_in_bytes", "-1", NULL, NULL },
		{ "memory-swap", "0", 2, 1, "memory.swap.max", "0", NULL, NULL },
		{ "memory-swap", "0", 1, 0, NULL, NULL, NULL, NULL },
		{ "memory-high", "80M", 2, 1, "memory.high", "83886080", NULL, NULL },
		{ "memory-high", "80M", 1, -1, NULL, NULL, NULL, NULL },
		{ "cpus", "0.2", 2, 1, "cpu.max", "20000 100000", NULL, NULL },
		{ "cpus", "0.2", 1, 2, "cpu.cfs_period_us", "100000",
		  "cpu.cfs_quota_us", "20000" },
		{ "cpus", "max", 2, 1, "cpu.max", "max 100000", NULL, NULL },
		{ "cpus", "max", 1, 2, "cpu.cfs_period_us", "100000",
		  "cpu.cfs_quota_us", "-1" },
		{ "cpus", "2.5", 2, 1, "cpu.max", "250000 100000", NULL, NULL },
		{ "cpu-weight", "100", 2, 1, "cpu.weight", "100", NULL, NULL },
		{ "cpu-weight", "100", 1, 1, "cpu.shares", "1024", NULL, NULL },
		{ "cpu-weight", "1", 1, 1, "cpu.shares", "10", NULL, NULL },
		{ "cpu-weight", "10000", 1, 1, "cpu.shares", "102400", NULL, NULL },
		{ "cpuset", "0-3,6", 2, 1, "cpuset.cpus", "0-3,6", NULL, NULL },
		{ "cpuset", "0-3,6", 1, 1, "cpuset.cpus", "0-3,6", NULL, NULL },
		{ "pids", "20", 2, 1, "pids.max", "20", NULL, NULL },
		{ "pids", "max", 1, 1, "pids.max", "max", NULL, NULL },
		{ "io-weight", "200", 2, 1, "io.weight", "default 200", NULL, NULL },
		{ "io-weight", "200", 1, 1, "blkio.bfq.weight", "109", NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct plan_case *c = &cases[i];
		struct cx_cg_limit l;
		struct cx_cg_write w[2];
		int n;

		assert_int_equal(cx_cg_parse_limit(cx_cg_knob(c->knob), c->in, &l), 0);
		n = cx_cg_backend(c->version)->plan(&l, w);
		if (c->n < 0) {
			EXPECT(n == -1 && errno == EOPNOTSUPP,
			       "--%s %s on v%d: %d, want EOPNOTSUPP", c->knob,
			       c->in, c->version, n);
			continue;
		}
		EXPECT(n == c->n, "--%s %s on v%d: %d writes, want %d", c->knob,
		       c->in, c->version, n, c->n);
		if (n >= 1 && c->n >= 1)
			EXPECT(strcmp(w[0].file, c->f0) == 0 &&
				       strcmp(w[0].value, c->v0) == 0,
			       "--%s %s on v%d: %s=\"%s\", want %s=\"%s\"",
			       c->knob, c->in, c->version, w[0].file, w[0].value,
			       c->f0, c->v0);
		if (n >= 2 && c->n >= 2)
			EXPECT(strcmp(w[1].file, c->f1) == 0 &&
				       strcmp(w[1].value, c->v1) == 0,
			       "--%s %s on v%d: %s=\"%s\", want %s=\"%s\"",
			       c->knob, c->in, c->version, w[1].file, w[1].value,
			       c->f1, c->v1);
	}
	done();
}

static void test_memsw(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(cx_cg_v1_memsw(false, 104857600, false, 0, out,
					sizeof(out)), 0);
	assert_string_equal(out, "104857600");
	assert_int_equal(cx_cg_v1_memsw(false, 104857600, false, 52428800, out,
					sizeof(out)), 0);
	assert_string_equal(out, "157286400");
	assert_int_equal(cx_cg_v1_memsw(false, 1, true, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "-1");
	assert_int_equal(cx_cg_v1_memsw(true, 0, true, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "-1");
	/* Swap on top of no memory limit: v1 cannot say it. */
	assert_int_equal(cx_cg_v1_memsw(true, 0, false, 0, out, sizeof(out)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(cx_cg_v1_memsw(false, INT64_MAX, false, 1, out,
					sizeof(out)), -1);
	assert_int_equal(errno, ERANGE);
}

static void test_weights(void **state)
{
	(void)state;
	/* The defaults meet: 100 is 1024 shares, BFQ's 100, CFQ's 500. */
	assert_int_equal(cx_cg_weight_to_shares(100), 1024);
	assert_int_equal(cx_cg_weight_to_shares(1), 10);
	assert_int_equal(cx_cg_weight_to_shares(10000), 102400);
	assert_int_equal(cx_cg_shares_to_weight(1024), 100);
	assert_int_equal(cx_cg_shares_to_weight(2), 1);
	assert_int_equal(cx_cg_shares_to_weight(262144), 10000);
	assert_int_equal(cx_cg_weight_to_bfq(100), 100);
	assert_int_equal(cx_cg_weight_to_bfq(1), 1);
	assert_int_equal(cx_cg_weight_to_bfq(50), 50);
	assert_int_equal(cx_cg_weight_to_bfq(10000), 1000);
	assert_int_equal(cx_cg_weight_to_blkio(100), 500);
	assert_int_equal(cx_cg_weight_to_blkio(1), 10);
	assert_int_equal(cx_cg_weight_to_blkio(10000), 1000);
	/* cpu.weight survives the trip through cpu.shares. */
	for (uint64_t w = 1; w <= 10000; w++)
		EXPECT(cx_cg_shares_to_weight(cx_cg_weight_to_shares(w)) == w,
		       "weight %" PRIu64 " -> shares %" PRIu64 " -> %" PRIu64, w,
		       cx_cg_weight_to_shares(w),
		       cx_cg_shares_to_weight(cx_cg_weight_to_shares(w)));
	/* BFQ's scale is coarser above 100; what comes back is near. */
	for (uint64_t w = 1; w <= 10000; w++) {
		uint64_t back = cx_cg_v1_unweight("blkio.bfq.weight",
						  cx_cg_weight_to_bfq(w));

		EXPECT(back <= w && w - back <= 11,
		       "weight %" PRIu64 " -> bfq -> %" PRIu64, w, back);
	}
	done();
}

static void test_human(void **state)
{
	static const struct {
		uint64_t in;
		const char *out;
	} cases[] = {
		{ 104857600, "100M" }, { 1073741824, "1G" }, { 1536ULL << 20, "1536M" },
		{ 4096, "4K" }, { 1000, "1000" }, { 0, "0" }, { 1ULL << 40, "1T" },
		{ 104857601, "104857601" },
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		cx_cg_human(cases[i].in, out, sizeof(out));
		EXPECT(strcmp(out, cases[i].out) == 0, "human %" PRIu64 ": %s, want %s",
		       cases[i].in, out, cases[i].out);
	}
	done();
}

/* One table drives the options, --help and the man page: each knob has
 * a unique option, a v2 file, and a v1 file or a reason it has none. */
/* --set: what a cgroup file may be written with, by name alone. */
static void test_set_refusal(void **state)
{
	static const struct {
		const char *file;
		bool refused;
	} cases[] = {
		{ "memory.max", false },
		{ "memory.limit_in_bytes", false },
		{ "pids.max", false },
		{ "cpu.weight", false },
		{ "cgroup.max.depth", false },
		{ "cgroup.max.descendants", false },
		/* moving, killing, freezing processes */
		{ "cgroup.procs", true },
		{ "cgroup.threads", true },
		{ "tasks", true },
		{ "cgroup.kill", true },
		{ "cgroup.freeze", true },
		{ "freezer.state", true },
		/* the cgroups below, the v1 escapes */
		{ "cgroup.subtree_control", true },
		{ "cgroup.type", true },
		{ "cgroup.clone_children", true },
		{ "release_agent", true },
		{ "notify_on_release", true },
		/* any other core file is no limit */
		{ "cgroup.pressure", true },
		/* out of the cgroup's own directory */
		{ "../memory.max", true },
		{ "child/memory.max", true },
		{ "..", true },
		{ "memory..max", true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const char *why = cx_cg_set_refusal(cases[i].file,
						    strlen(cases[i].file));

		if ((why != NULL) != cases[i].refused)
			fail_msg("%s: %s", cases[i].file,
				 why ? why : "accepted");
	}
	/* The name is LEN bytes of a longer text (--set FILE=VALUE). */
	assert_null(cx_cg_set_refusal("memory.max=1M", 10));
	assert_non_null(cx_cg_set_refusal("tasks=1", 5));
}

static void test_knob_table(void **state)
{
	(void)state;
	assert_true(cx_cg_nknobs >= 8);
	for (size_t i = 0; i < cx_cg_nknobs; i++) {
		const struct cx_cg_knob *k = &cx_cg_knobs[i];

		EXPECT(k->option && k->arg && k->help && k->ctl && k->v2file &&
			       k->v1ctl, "knob %zu is incomplete", i);
		EXPECT(!k->v1file == !!k->why,
		       "--%s: a v1 file, or a reason for none", k->option);
		EXPECT(strncmp(k->v2file, k->ctl, strlen(k->ctl)) == 0,
		       "--%s: %s is not a %s file", k->option, k->v2file, k->ctl);
		EXPECT(cx_cg_knob(k->option) == k, "--%s: lookup", k->option);
		for (size_t j = 0; j < i; j++)
			EXPECT(strcmp(cx_cg_knobs[j].option, k->option) != 0,
			       "--%s twice", k->option);
	}
	assert_null(cx_cg_knob("frob"));
	assert_null(cx_cg_knob(""));
	done();
}

/* --- mountinfo --------------------------------------------------------- */

/* This host: v1 controllers, systemd's named hierarchy, cgroup2 at
 * /sys/fs/cgroup/unified. */
static const char hybrid[] =
	"22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	"30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	"34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
	"40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* A v2 host; the same hierarchy bound again elsewhere, and a container's
 * view of a cgroup below the root. */
static const char v2only[] =
	"25 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
	"99 25 0:23 /system.slice /mnt/sys rw,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n";

/* Older distributions: cpu and cpuacct mounted together, a mount point
 * with a space (escaped as \040), and optional fields. */
static const char v1comount[] =
	"26 25 0:22 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:8 master:1 - cgroup cgroup rw,cpu,cpuacct\n"
	"27 25 0:23 / /sys/fs/cgroup/my\\040mem rw - cgroup cgroup rw,memory\n"
	"28 25 0:24 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
	"29 25 0:25 / /sys/fs/cgroup/other rw - cgroup cgroup rw,none,name=x\n"
	"garbage line\n"
	"30 25 0:26 / /weird rw - cgroupfs cgroup rw,memory\n";

static void test_mountinfo(void **state)
{
	struct cx_cg_layout l;

	(void)state;
	assert_int_equal(cx_cg_parse_mountinfo(hybrid, &l), 0);
	assert_int_equal(l.n, 6);
	assert_int_equal(l.v1, 5);
	assert_int_equal(l.v2, 5);
	assert_string_equal(l.h[0].mount, "/sys/fs/cgroup/cpu");
	assert_string_equal(l.h[0].ctls, "cpu ");
	assert_string_equal(l.h[3].mount, "/sys/fs/cgroup/memory");
	assert_string_equal(l.h[4].mount, "/sys/fs/cgroup/pids");
	assert_string_equal(l.h[5].mount, "/sys/fs/cgroup/unified");
	assert_int_equal(l.h[5].version, 2);
	assert_string_equal(cx_cg_mode(&l), "hybrid");
	/* What cgroup.controllers would say on this host. */
	free(l.h[5].ctls);
	l.h[5].ctls = strdup("hugetlb ");
	assert_int_equal(cx_cg_find(&l, "memory", "memory"), 3);
	assert_int_equal(cx_cg_find(&l, "cpu", "cpuacct"), 1);
	assert_int_equal(cx_cg_find(&l, "hugetlb", "hugetlb"), 5);
	assert_int_equal(cx_cg_find(&l, "pids", "pids"), 4);
	assert_int_equal(cx_cg_find(&l, "io", "blkio"), -1);
	cx_cg_layout_free(&l);

	assert_int_equal(cx_cg_parse_mountinfo(v2only, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v1, 0);
	assert_int_equal(l.v2, 0);
	assert_string_equal(l.h[0].mount, "/sys/fs/cgroup");
	assert_string_equal(l.h[0].root, "/");
	assert_string_equal(cx_cg_mode(&l), "v2");
	free(l.h[0].ctls);
	l.h[0].ctls = strdup("cpuset cpu io memory hugetlb pids rdma misc ");
	assert_int_equal(cx_cg_find(&l, "memory", "memory"), 0);
	assert_int_equal(cx_cg_find(&l, "io", "blkio"), 0);
	assert_int_equal(cx_cg_find(&l, "freezer", "freezer"), -1);
	cx_cg_layout_free(&l);

	assert_int_equal(cx_cg_parse_mountinfo(v1comount, &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v2, -1);
	assert_string_equal(cx_cg_mode(&l), "v1");
	assert_string_equal(l.h[0].mount, "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(l.h[0].ctls, "cpu cpuacct ");
	assert_string_equal(l.h[1].mount, "/sys/fs/cgroup/my mem");
	assert_string_equal(l.h[2].ctls, "net_cls net_prio ");
	assert_int_equal(cx_cg_find(&l, "cpu", "cpuacct"), 0);
	assert_int_equal(cx_cg_find(&l, "cpu", "cpu"), 0);
	assert_int_equal(cx_cg_find(&l, "memory", "memory"), 1);
	cx_cg_layout_free(&l);

	assert_int_equal(cx_cg_parse_mountinfo("", &l), 0);
	assert_int_equal(l.n, 0);
	cx_cg_layout_free(&l);
}

/* The options a hierarchy is mounted again with (run --rm in a
 * container's PID namespace): all of its super options but rw, ro and
 * the release agent, so that a cgroup2 mount in the first cgroup
 * namespace changes none of the host's; and no hierarchy whose mount
 * shows a cgroup below the root, which a new mount would not. */
static void test_mountinfo_opts(void **state)
{
	static const char mixed[] =
		"31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup ro,cpu,cpuacct,release_agent=/sbin/x,rwx\\054y\n"
		"40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
		"41 30 0:38 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";
	static const char below[] =
		"25 22 0:23 /system.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
	struct cx_cg_layout l;
	const char **points;

	(void)state;
	assert_int_equal(cx_cg_parse_mountinfo(mixed, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.h[0].opts, "cpu,cpuacct,rwx\\054y");
	assert_string_equal(l.h[1].opts, "nsdelegate,memory_recursiveprot");
	assert_string_equal(l.h[2].opts, "pids");
	points = cx_cg_mount_points(&l);
	assert_non_null(points);
	assert_string_equal(points[0], "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(points[1], "/sys/fs/cgroup/unified");
	assert_string_equal(points[2], "/sys/fs/cgroup/pids");
	assert_null(points[3]);
	free(points);
	cx_cg_layout_free(&l);

	assert_int_equal(cx_cg_parse_mountinfo(below, &l), 0);
	assert_null(cx_cg_mount_points(&l));
	assert_int_equal(cx_last_errno(), EXDEV);
	assert_string_equal(cx_last_msg(), "/sys/fs/cgroup shows the cgroup /system.slice, not the root of our cgroup namespace: a new mount of it would lead elsewhere");
	cx_cg_layout_free(&l);
}

/* A mount listed later on the same point, or on a directory above,
 * hides a cgroup mount: its path leads to the newer one. */
static void test_mountinfo_covered(void **state)
{
	static const char covered[] =
		"30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
		"31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
		"34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
		"40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
		"50 40 0:60 / /sys/fs/cgroup/unified rw - tmpfs tmpfs rw\n"
		"51 34 0:31 /a/b /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
		"52 31 0:28 / /sys/fs/cgroup/cpu/sub rw - cgroup cgroup rw,cpu\n";
	static const char all_covered[] =
		"31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
		"60 1 0:70 / /sys rw - tmpfs tmpfs rw\n";
	struct cx_cg_layout l;

	(void)state;
	assert_int_equal(cx_cg_parse_mountinfo(covered, &l), 0);
	/* unified is a tmpfs now: no cgroup2; memory is the bind over it;
	 * a mount below cpu's mount point hides nothing. */
	assert_int_equal(l.v2, -1);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.h[0].mount, "/sys/fs/cgroup/cpu");
	assert_string_equal(l.h[1].mount, "/sys/fs/cgroup/memory");
	assert_string_equal(l.h[1].root, "/a/b");
	assert_string_equal(cx_cg_mode(&l), "v1");
	cx_cg_layout_free(&l);
	assert_int_equal(cx_cg_parse_mountinfo(all_covered, &l), 0);
	assert_int_equal(l.n, 0);
	cx_cg_layout_free(&l);
}

/* --controllers: the hierarchies of the list and of the limits stay,
 * and cgroup2; the indexes and counts follow. */
static void test_narrow(void **state)
{
	struct cx_cg_layout l;
	struct cx_cg_limit lim;

	(void)state;
	assert_null(cx_cg_check_controllers("memory,pids"));
	assert_null(cx_cg_check_controllers("net_cls"));
	assert_non_null(cx_cg_check_controllers(""));
	assert_non_null(cx_cg_check_controllers("memory,"));
	assert_non_null(cx_cg_check_controllers(",memory"));
	assert_non_null(cx_cg_check_controllers("memory,,pids"));
	assert_non_null(cx_cg_check_controllers("../memory"));
	assert_non_null(cx_cg_check_controllers("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q"));
	assert_null(cx_cg_check_controllers("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p"));

	assert_int_equal(cx_cg_parse_mountinfo(hybrid, &l), 0);
	assert_int_equal(cx_cg_parse_limit(cx_cg_knob("pids"), "64", &lim), 0);
	assert_int_equal(cx_cg_narrow(&l, "memory", &lim, 1), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v1, 2);
	assert_int_equal(l.v2, 2);
	assert_string_equal(l.h[0].mount, "/sys/fs/cgroup/memory");
	assert_string_equal(l.h[1].mount, "/sys/fs/cgroup/pids");
	assert_string_equal(l.h[2].mount, "/sys/fs/cgroup/unified");
	assert_int_equal(cx_cg_find(&l, "pids", "pids"), 1);
	assert_int_equal(cx_cg_find(&l, "cpu", "cpu"), -1);
	assert_string_equal(cx_cg_mode(&l), "hybrid");
	cx_cg_layout_free(&l);

	/* A name no hierarchy holds: refused, the layout untouched. */
	assert_int_equal(cx_cg_parse_mountinfo(hybrid, &l), 0);
	assert_int_equal(cx_cg_narrow(&l, "memory,nosuch", NULL, 0), -1);
	assert_int_equal(l.n, 6);
	cx_cg_layout_free(&l);

	/* v1 alone: no cgroup2 to keep; a co-mounted pair stays once. */
	assert_int_equal(cx_cg_parse_mountinfo(v1comount, &l), 0);
	assert_int_equal(cx_cg_narrow(&l, "cpuacct,cpu", NULL, 0), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v1, 1);
	assert_int_equal(l.v2, -1);
	assert_string_equal(l.h[0].mount, "/sys/fs/cgroup/cpu,cpuacct");
	cx_cg_layout_free(&l);
}

static void test_list_has(void **state)
{
	(void)state;
	assert_true(cx_cg_list_has("cpu cpuacct ", "cpu"));
	assert_true(cx_cg_list_has("cpu cpuacct ", "cpuacct"));
	assert_false(cx_cg_list_has("cpuacct ", "cpu"));
	assert_false(cx_cg_list_has("cpuset ", "cpu"));
	assert_false(cx_cg_list_has("", "cpu"));
	assert_true(cx_cg_list_has("io", "io"));
}

/* --- over a fake v1 hierarchy of plain files ----------------------------- */

static char top[64];

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void put(const char *dir, const char *file, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *got(const char *dir, const char *file)
{
	static char buf[256];

	assert_int_equal(cx_cg_read(dir, file, buf, sizeof(buf)), 0);
	return buf;
}

static int setup_fake(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/test-cgroup.XXXXXX");
	if (!mkdtemp(top))
		return -1;
	return 0;
}

static int teardown_fake(void **state)
{
	(void)state;
	return nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* cg-file.c, the leaf: what the kernel's files look like, over
 * plain files. */
static void test_file_io(void **state)
{
	uint64_t v;
	char buf[64], *text;

	(void)state;
	/* One write, into a file the kernel made (none is created); the
	 * read drops the last newline only. */
	assert_int_equal(cx_cg_write(top, "memory.max", "1"), -1);
	assert_int_equal(cx_last_errno(), ENOENT);
	put(top, "memory.max", "max\n");
	assert_int_equal(cx_cg_write(top, "memory.max", "104857600"), 0);
	assert_string_equal(got(top, "memory.max"), "104857600");
	put(top, "two", "a\nb\n");
	assert_string_equal(got(top, "two"), "a\nb");
	/* A short buffer cuts, and says nothing. */
	assert_int_equal(cx_cg_read(top, "memory.max", buf, 4), 0);
	assert_string_equal(buf, "104");
	/* "max", and v1's "-1", are no limit. */
	put(top, "a", "max\n");
	assert_int_equal(cx_cg_read_u64(top, "a", &v), 0);
	assert_true(v == UINT64_MAX);
	put(top, "a", "-1\n");
	assert_int_equal(cx_cg_read_u64(top, "a", &v), 0);
	assert_true(v == UINT64_MAX);
	put(top, "a", "42\n");
	assert_int_equal(cx_cg_read_u64(top, "a", &v), 0);
	assert_int_equal(v, 42);
	put(top, "a", "4x2\n");
	assert_int_equal(cx_cg_read_u64(top, "a", &v), -1);
	assert_int_equal(cx_last_errno(), EINVAL);
	/* A key is a whole word at the start of a line. */
	put(top, "memory.events", "low 0\nhigh 3\noom 1\noom_kill 2\n");
	assert_int_equal(cx_cg_read_key(top, "memory.events", "oom", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(cx_cg_read_key(top, "memory.events", "oom_kill", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(cx_cg_read_key(top, "memory.events", "max", &v), -1);
	assert_int_equal(cx_last_errno(), ENOENT);
	/* Missing files: the errno, and the path in the message. */
	assert_int_equal(cx_cg_write(top, "nope/x", "1"), -1);
	assert_int_equal(cx_last_errno(), ENOENT);
	assert_non_null(strstr(cx_last_msg(), "nope/x"));
	errno = 0;
	assert_null(cx_cg_slurp("/nonexistent/cgroup.procs"));
	assert_int_equal(errno, ENOENT);
	assert_non_null(text = cx_cg_slurp("/proc/self/cgroup"));
	assert_non_null(strstr(text, ":/"));
	free(text);
	/* Paths. */
	assert_true(cx_cg_is_dir(top));
	assert_false(cx_cg_is_dir("/nonexistent"));
	text = cx_cg_join("/sys/fs/cgroup", "cx/a");
	assert_string_equal(text, "/sys/fs/cgroup/cx/a");
	free(text);
	text = cx_cg_join("/sys/fs/cgroup", "");
	assert_string_equal(text, "/sys/fs/cgroup");
	free(text);
}

/* A layout with one v1 memory hierarchy at TOP and NAME in it. */
static void fake_layout(struct cx_cg_layout *l, const char *ctls,
			const char *name)
{
	char dir[512];

	memset(l, 0, sizeof(*l));
	l->v2 = -1;
	l->n = 1;
	l->v1 = 1;
	l->h[0].version = 1;
	l->h[0].mount = strdup(top);
	l->h[0].root = strdup("/");
	l->h[0].ctls = strdup(ctls);
	snprintf(dir, sizeof(dir), "%s/cx", top);
	l->h[0].base = strdup(dir);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/cx/%s", top, name);
	mkdir(dir, 0755);
}

static void test_v1_memory(void **state)
{
	struct cx_cg_layout l;
	struct cx_cg_limit mem, swap;
	char dir[512], out[64];
	int bad;

	(void)state;
	fake_layout(&l, "memory ", "m");
	snprintf(dir, sizeof(dir), "%s/cx/m", top);
	put(dir, "memory.limit_in_bytes", "9223372036854771712\n");
	put(dir, "memory.memsw.limit_in_bytes", "9223372036854771712\n");

	/* The walkthrough: 100M, no swap: memsw is memory + 0. */
	assert_int_equal(cx_cg_parse_limit(cx_cg_knob("memory"), "100M", &mem), 0);
	assert_int_equal(cx_cg_parse_limit(cx_cg_knob("memory-swap"), "0", &swap), 0);
	assert_int_equal(cx_cg_v1_memory(dir, &mem, &swap, &bad), 0);
	assert_string_equal(got(dir, "memory.limit_in_bytes"), "104857600");
	assert_string_equal(got(dir, "memory.memsw.limit_in_bytes"), "104857600");
	assert_int_equal(cx_cg_get(&l, "m", cx_cg_knob("memory-swap"), out,
				   sizeof(out)), 0);
	assert_string_equal(out, "0");

	/* A new memory limit keeps the swap on top of it. */
	put(dir, "memory.memsw.limit_in_bytes", "157286400\n");	/* 50M swap */
	assert_int_equal(cx_cg_parse_limit(cx_cg_knob("memory"), "200M", &mem), 0);
	assert_int_equal(cx_cg_v1_memory(dir, &mem, NULL, &bad), 0);
	assert_string_equal(got(dir, "memory.limit_in_bytes"), "209715200");
	assert_string_equal(got(dir, "memory.memsw.limit_in_bytes"), "262144000");

	/* Swap alone, on top of the memory limit there. */
	assert_int_equal(cx_cg_parse_limit(cx_cg_knob("memory-swap"), "1G", &swap), 0);
	assert_int_equal(cx_cg_v1_memory(dir, NULL, &swap, &bad), 0);
	assert_string_equal(got(dir, "memory.memsw.limit_in_bytes"), "1283457024");

	/* No memory limit: none on memory + swap either. */
	assert_int_equal(cx_cg_parse_limit(cx_cg_knob("memory"), "max", &mem), 0);
	assert_int_equal(cx_cg_v1_memory(dir, &mem, NULL, &bad), 0);
	assert_string_equal(got(dir, "memory.limit_in_bytes"), "-1");
	assert_string_equal(got(dir, "memory.memsw.limit_in_bytes"), "-1");

	/* Swap on top of unlimited memory cannot be said on v1. */
	put(dir, "memory.limit_in_bytes", "9223372036854771712\n");
	put(dir, "memory.memsw.limit_in_bytes", "9223372036854771712\n");
	assert_int_equal(cx_cg_parse_limit(cx_cg_knob("memory-swap"), "0", &swap), 0);
	assert_int_equal(cx_cg_v1_memory(dir, NULL, &swap, &bad), -1);
	assert_non_null(strstr(cx_last_msg(), "give the memory limit as well"));
	cx_cg_layout_free(&l);
}

static void test_get_back(void **state)
{
	struct cx_cg_layout l;
	char dir[512], out[64];
	static const struct {
		const char *knob, *file, *content, *want;
	} cases[] = {
		{ "memory", "memory.limit_in_bytes", "104857600\n", "104857600" },
		{ "memory", "memory.limit_in_bytes", "9223372036854771712\n", "max" },
		{ "cpu-weight", "cpu.shares", "2048\n", "200" },
		{ "cpu-weight", "cpu.shares", "1024\n", "100" },
		{ "pids", "pids.max", "max\n", "max" },
		{ "cpuset", "cpuset.cpus", "0-1\n", "0-1" },
		{ "io-weight", "blkio.bfq.weight", "100\n", "100" },
	};

	(void)state;
	fake_layout(&l, "memory cpu pids cpuset blkio ", "g");
	snprintf(dir, sizeof(dir), "%s/cx/g", top);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		put(dir, cases[i].file, cases[i].content);
		out[0] = '\0';
		EXPECT(cx_cg_get(&l, "g", cx_cg_knob(cases[i].knob), out,
				 sizeof(out)) == 0 &&
			       strcmp(out, cases[i].want) == 0,
		       "get %s from %s=%s: \"%s\", want %s", cases[i].knob,
		       cases[i].file, cases[i].content, out, cases[i].want);
	}
	/* --cpus from quota and period. */
	put(dir, "cpu.cfs_period_us", "100000\n");
	put(dir, "cpu.cfs_quota_us", "20000\n");
	assert_int_equal(cx_cg_get(&l, "g", cx_cg_knob("cpus"), out, sizeof(out)), 0);
	assert_string_equal(out, "0.2");
	put(dir, "cpu.cfs_quota_us", "150000\n");
	assert_int_equal(cx_cg_get(&l, "g", cx_cg_knob("cpus"), out, sizeof(out)), 0);
	assert_string_equal(out, "1.5");
	put(dir, "cpu.cfs_quota_us", "-1\n");
	assert_int_equal(cx_cg_get(&l, "g", cx_cg_knob("cpus"), out, sizeof(out)), 0);
	assert_string_equal(out, "max");
	/* memory.high has no v1 file. */
	assert_int_equal(cx_cg_get(&l, "g", cx_cg_knob("memory-high"), out,
				   sizeof(out)), -1);
	assert_int_equal(cx_last_errno(), ENOENT);
	/* The OOM kill count of memory.oom_control. */
	put(dir, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
	{
		uint64_t kills = 0;

		assert_int_equal(cx_cg_oom_kills(&l, "g", &kills), 0);
		assert_int_equal(kills, 3);
	}
	done();
	cx_cg_layout_free(&l);
}

static void test_check_limits(void **state)
{
	struct cx_cg_layout l;
	struct cx_cg_limit lim[2];
	int bad;

	(void)state;
	/* v1 memory: --memory-high has no counterpart, and says why. */
	fake_layout(&l, "memory ", "c");
	assert_int_equal(cx_cg_parse_limit(cx_cg_knob("memory-high"), "1M", &lim[0]), 0);
	assert_int_equal(cx_cg_check_limits(&l, lim, 1, &bad), -1);
	assert_non_null(strstr(cx_last_msg(), "no cgroup v1 counterpart: cgroup v1 has no throttle point"));
	assert_int_equal(bad, 0);
	/* No pids hierarchy: the limit is the one that failed (the tool
	 * names its option). */
	assert_int_equal(cx_cg_parse_limit(cx_cg_knob("pids"), "5", &lim[0]), 0);
	assert_int_equal(cx_cg_check_limits(&l, lim, 1, &bad), -1);
	assert_string_equal(cx_last_msg(), "this host has no pids controller (not in a cgroup v1 hierarchy, nor in cgroup2's cgroup.controllers)");
	assert_int_equal(bad, 0);
	/* cgroup.* files need cgroup2. */
	assert_int_equal(cx_cg_parse_set("cgroup.freeze=1", &lim[0]), 0);
	assert_int_equal(cx_cg_check_limits(&l, lim, 1, &bad), -1);
	assert_non_null(strstr(cx_last_msg(), "cgroup2"));
	/* The memsw file at the root decides for --memory-swap. */
	assert_int_equal(cx_cg_parse_limit(cx_cg_knob("memory-swap"), "1M", &lim[0]), 0);
	assert_int_equal(cx_cg_check_limits(&l, lim, 1, &bad), -1);
	assert_non_null(strstr(cx_last_msg(), "swap is not accounted"));
	/* --memory-swap 0 there: nothing to limit when no swap is on. */
	assert_int_equal(cx_cg_parse_limit(cx_cg_knob("memory-swap"), "0", &lim[0]), 0);
	assert_int_equal(cx_cg_check_limits(&l, lim, 1, &bad), cx_cg_swap_on() ? -1 : 0);
	assert_int_equal(cx_cg_parse_limit(cx_cg_knob("memory-swap"), "max", &lim[0]), 0);
	assert_int_equal(cx_cg_check_limits(&l, lim, 1, &bad), -1);
	assert_int_equal(cx_cg_parse_limit(cx_cg_knob("memory-swap"), "1M", &lim[0]), 0);
	put(top, "memory.memsw.limit_in_bytes", "9223372036854771712\n");
	assert_int_equal(cx_cg_check_limits(&l, lim, 1, &bad), 0);
	assert_int_equal(cx_cg_parse_limit(cx_cg_knob("memory"), "1M", &lim[1]), 0);
	assert_int_equal(cx_cg_check_limits(&l, lim, 2, &bad), 0);
	assert_int_equal(bad, -1);
	cx_cg_layout_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_parent),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_parse_limit),
		cmocka_unit_test(test_parse_set),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_memsw),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_human),
		cmocka_unit_test(test_set_refusal),
		cmocka_unit_test(test_knob_table),
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_mountinfo_opts),
		cmocka_unit_test(test_mountinfo_covered),
		cmocka_unit_test(test_narrow),
		cmocka_unit_test(test_list_has),
		cmocka_unit_test(test_parse_device),
		cmocka_unit_test(test_device_prog),
		cmocka_unit_test_setup_teardown(test_file_io, setup_fake, teardown_fake),
		cmocka_unit_test_setup_teardown(test_v1_memory, setup_fake, teardown_fake),
		cmocka_unit_test_setup_teardown(test_get_back, setup_fake, teardown_fake),
		cmocka_unit_test_setup_teardown(test_check_limits, setup_fake, teardown_fake),
	};

	cx_prog = "test-cgroup";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
