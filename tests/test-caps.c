/* Unit tests for common/capability.c: the table of capability names against
 * the kernel header, names and lists with their suggestions, masks as
 * text and hex, securebits, the text form of file capabilities, and a
 * process's state read from /proc/PID/status and compared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "expect.h"

#include "capability.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof(*(a)))
#define BIT(n) ((uint64_t)1 << (n))

/* What this host's root had in the bounding set: all of 0..40 but
 * cap_sys_resource (24), as capsh --decode names it. */
static const char host_mask_names[] =
	"cap_chown,cap_dac_override,cap_dac_read_search,cap_fowner,"
	"cap_fsetid,cap_kill,cap_setgid,cap_setuid,cap_setpcap,"
	"cap_linux_immutable,cap_net_bind_service,cap_net_broadcast,"
	"cap_net_admin,cap_net_raw,cap_ipc_lock,cap_ipc_owner,cap_sys_module,"
	"cap_sys_rawio,cap_sys_chroot,cap_sys_ptrace,cap_sys_pacct,"
	"cap_sys_admin,cap_sys_boot,cap_sys_nice,cap_sys_time,"
	"cap_sys_tty_config,cap_mknod,cap_lease,cap_audit_write,"
	"cap_audit_control,cap_setfcap,cap_mac_override,cap_mac_admin,"
	"cap_syslog,cap_wake_alarm,cap_block_suspend,cap_audit_read,"
	"cap_perfmon,cap_bpf,cap_checkpoint_restore";

static void test_table_matches_kernel_header(void **state)
{
	static const struct {
		int value;
		const char *name;
	} header[] = {
		{ CAP_CHOWN, "cap_chown" },
		{ CAP_DAC_OVERRIDE, "cap_dac_override" },
		{ CAP_DAC_READ_SEARCH, "cap_dac_read_search" },
		{ CAP_FOWNER, "cap_fowner" },
		{ CAP_FSETID, "cap_fsetid" },
		{ CAP_KILL, "cap_kill" },
		{ CAP_SETGID, "cap_setgid" },
		{ CAP_SETUID, "cap_setuid" },
		{ CAP_SETPCAP, "cap_setpcap" },
		{ CAP_LINUX_IMMUTABLE, "cap_linux_immutable" },
		{ CAP_NET_BIND_SERVICE, "cap_net_bind_service" },
		{ CAP_NET_BROADCAST, "cap_net_broadcast" },
		{ CAP_NET_ADMIN, "cap_net_admin" },
		{ CAP_NET_RAW, "cap_net_raw" },
		{ CAP_IPC_LOCK, "cap_ipc_lock" },
		{ CAP_IPC_OWNER, "cap_ipc_owner" },
		{ CAP_SYS_MODULE, "cap_sys_module" },
		{ CAP_SYS_RAWIO, "cap_sys_rawio" },
		{ CAP_SYS_CHROOT, "cap_sys_chroot" },
		{ CAP_SYS_PTRACE, "cap_sys_ptrace" },
		{ CAP_SYS_PACCT, "cap_sys_pacct" },
		{ CAP_SYS_ADMIN, "cap_sys_admin" },
		{ CAP_SYS_BOOT, "cap_sys_boot" },
		{ CAP_SYS_NICE, "cap_sys_nice" },
		{ CAP_SYS_RESOURCE, "cap_sys_resource" },
		{ CAP_SYS_TIME, "cap_sys_time" },
		{ CAP_SYS_TTY_CONFIG, "cap_sys_tty_config" },
		{ CAP_MKNOD, "cap_mknod" },
		{ CAP_LEASE, "cap_lease" },
		{ CAP_AUDIT_WRITE, "cap_audit_write" },
		{ CAP_AUDIT_CONTROL, "cap_audit_control" },
		{ CAP_SETFCAP, "cap_setfcap" },
		{ CAP_MAC_OVERRIDE, "cap_mac_override" },
		{ CAP_MAC_ADMIN, "cap_mac_admin" },
		{ CAP_SYSLOG, "cap_syslog" },
		{ CAP_WAKE_ALARM, "cap_wake_alarm" },
		{ CAP_BLOCK_SUSPEND, "cap_block_suspend" },
		{ CAP_AUDIT_READ, "cap_audit_read" },
		{ CAP_PERFMON, "cap_perfmon" },
		{ CAP_BPF, "cap_bpf" },
		{ CAP_CHECKPOINT_RESTORE, "cap_checkpoint_restore" },
	};

	(void)state;
	/* A newer header than the table fails here: add the names. */
	assert_int_equal(cx_cap_last_named(), CAP_LAST_CAP);
	assert_int_equal(N(header), CAP_LAST_CAP + 1);
	for (size_t i = 0; i < N(header); i++) {
		assert_non_null(cx_cap_name((unsigned)header[i].value));
		assert_string_equal(cx_cap_name((unsigned)header[i].value),
				    header[i].name);
	}
	assert_null(cx_cap_name(CAP_LAST_CAP + 1));
	assert_null(cx_cap_name(63));
	assert_null(cx_cap_name(64));
	assert_true(cx_caps_upto(0) == 1);
	assert_true(cx_caps_upto(40) == 0x1ffffffffffULL);
	assert_true(cx_caps_upto(63) == ~(uint64_t)0);
}

static void test_cap_parse(void **state)
{
	static const struct {
		const char *text;
		int rc, err;
		unsigned cap;
	} cases[] = {
		{ "cap_chown", 0, 0, 0 },
		{ "CAP_CHOWN", 0, 0, 0 },
		{ "chown", 0, 0, 0 },
		{ "CHOWN", 0, 0, 0 },
		{ "Cap_Chown", 0, 0, 0 },
		{ "cap_net_bind_service", 0, 0, 10 },
		{ "net-bind-service", 0, 0, 10 },
		{ "cap_checkpoint_restore", 0, 0, 40 },
		{ "sys_admin", 0, 0, 21 },
		{ "0", 0, 0, 0 },
		{ "10", 0, 0, 10 },
		{ "010", 0, 0, 10 },
		{ "41", 0, 0, 41 },	/* no name, but a capability number */
		{ "63", 0, 0, 63 },
		{ "64", -1, ERANGE, 0 },
		{ "99999999999999999999", -1, ERANGE, 0 },
		{ "cap_", -1, EINVAL, 0 },
		{ "CAP_", -1, EINVAL, 0 },
		{ "", -1, EINVAL, 0 },
		{ "cap_cap_chown", -1, EINVAL, 0 },
		{ " chown", -1, EINVAL, 0 },
		{ "chown ", -1, EINVAL, 0 },
		{ "cap_chwn", -1, EINVAL, 0 },
		{ "all", -1, EINVAL, 0 },	/* a list word, not a name */
		{ "-1", -1, EINVAL, 0 },
		{ "+1", -1, EINVAL, 0 },
		{ "0x1", -1, EINVAL, 0 },
		{ "1a", -1, EINVAL, 0 },
		{ "cap_10", -1, EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		unsigned cap = 999;
		int rc;

		errno = 0;
		rc = cx_cap_parse(cases[i].text, &cap);
		if (rc != cases[i].rc)
			fail_msg("cx_cap_parse(\"%s\") = %d, want %d",
				 cases[i].text, rc, cases[i].rc);
		if (rc == 0 && cap != cases[i].cap)
			fail_msg("cx_cap_parse(\"%s\") gave %u, want %u",
				 cases[i].text, cap, cases[i].cap);
		if (rc < 0 && errno != cases[i].err)
			fail_msg("cx_cap_parse(\"%s\") errno %d, want %d",
				 cases[i].text, errno, cases[i].err);
	}
}

static void test_cap_suggest(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "cap_chwn", "cap_chown" },		/* a letter left out */
		{ "cap_chwon", "cap_chown" },		/* two swapped */
		{ "CAP_CHOWNN", "cap_chown" },
		{ "sysadmin", "cap_sys_admin" },	/* no underscore */
		{ "cap_sys_admn", "cap_sys_admin" },
		{ "kil", "cap_kill" },
		{ "net_bind_servce", "cap_net_bind_service" },
		{ "netbindservice", "cap_net_bind_service" },
		{ "cap_net_bind", "cap_net_bind_service" },	/* part of one */
		{ "checkpoint", "cap_checkpoint_restore" },
		{ "setpcaps", "cap_setpcap" },
		{ "dac_read", "cap_dac_read_search" },
		{ "xyzzy", NULL },
		{ "cap_", NULL },
		{ "", NULL },
		{ "admin", NULL },	/* part of three names: no guess */
		{ "cap_frobnicate_everything", NULL },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		const char *got = cx_cap_suggest(cases[i].text);

		if (!cases[i].want && got)
			fail_msg("cx_cap_suggest(\"%s\") = %s, want none",
				 cases[i].text, got);
		if (cases[i].want && (!got || strcmp(got, cases[i].want)))
			fail_msg("cx_cap_suggest(\"%s\") = %s, want %s",
				 cases[i].text, got ? got : "none",
				 cases[i].want);
	}
}

static void test_parse_list(void **state)
{
	const uint64_t all = cx_caps_upto(40);
	static const struct {
		const char *text;
		int rc;
		uint64_t mask;
		enum cx_caps_why why;
		const char *item, *suggest;
	} cases[] = {
		{ "cap_chown", 0, BIT(0), 0, NULL, NULL },
		{ "cap_chown,kill", 0, BIT(0) | BIT(5), 0, NULL, NULL },
		{ "CHOWN,chown,0", 0, BIT(0), 0, NULL, NULL },
		{ "cap_chown,cap_setpcap,cap_setfcap,cap_sys_admin", 0,
		  BIT(0) | BIT(8) | BIT(31) | BIT(21), 0, NULL, NULL },
		{ "all", 0, 0x1ffffffffffULL, 0, NULL, NULL },
		{ "ALL,41", 0, 0x3ffffffffffULL, 0, NULL, NULL },
		{ "41,63", 0, BIT(41) | BIT(63), 0, NULL, NULL },
		{ "", -1, 0, CX_CAPS_EMPTY, "", NULL },
		{ ",", -1, 0, CX_CAPS_EMPTY, "", NULL },
		{ "chown,", -1, 0, CX_CAPS_EMPTY, "", NULL },
		{ "chown,,kill", -1, 0, CX_CAPS_EMPTY, "", NULL },
		{ "cap_", -1, 0, CX_CAPS_PREFIX, "cap_", NULL },
		{ "chown,CAP_", -1, 0, CX_CAPS_PREFIX, "CAP_", NULL },
		{ "cap_chwn", -1, 0, CX_CAPS_UNKNOWN, "cap_chwn", "cap_chown" },
		{ "kill,bogus", -1, 0, CX_CAPS_UNKNOWN, "bogus", NULL },
		{ "64", -1, 0, CX_CAPS_RANGE, "64", NULL },
		{ "chown, kill", -1, 0, CX_CAPS_UNKNOWN, " kill", "cap_kill" },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct cx_caps_bad bad = { 0 };
		uint64_t mask = 0xdead;
		int rc = cx_caps_parse_list(cases[i].text, all, &mask, &bad);

		if (rc != cases[i].rc)
			fail_msg("cx_caps_parse_list(\"%s\") = %d, want %d",
				 cases[i].text, rc, cases[i].rc);
		if (rc == 0 && mask != cases[i].mask)
			fail_msg("cx_caps_parse_list(\"%s\") gave %llx, want %llx",
				 cases[i].text, (unsigned long long)mask,
				 (unsigned long long)cases[i].mask);
		if (rc == 0)
			continue;
		assert_int_equal(errno, cases[i].why == CX_CAPS_RANGE ?
					 ERANGE : EINVAL);
		if (bad.why != cases[i].why ||
		    strcmp(bad.item, cases[i].item))
			fail_msg("cx_caps_parse_list(\"%s\"): why %d item '%s', want %d '%s'",
				 cases[i].text, bad.why, bad.item,
				 cases[i].why, cases[i].item);
		if (!cases[i].suggest != !bad.suggest ||
		    (bad.suggest && strcmp(bad.suggest, cases[i].suggest)))
			fail_msg("cx_caps_parse_list(\"%s\"): suggest %s",
				 cases[i].text,
				 bad.suggest ? bad.suggest : "none");
	}
}

static void test_bad_describe(void **state)
{
	/* The item that is wrong, and why (the tool puts both in one
	 * line, "invalid --drop 'ITEM': WHY"). */
	static const struct {
		const char *list, *item, *msg;
	} cases[] = {
		{ "cap_chwn", "cap_chwn", "no such capability (did you mean cap_chown?)" },
		{ "kill,bogus", "bogus", "no such capability" },
		{ "cap_", "cap_", "no capability named (a name follows the prefix, as in cap_chown)" },
		{ "kill,", "", "an empty name in the list" },
		{ "70", "70", "out of range (0 to 63)" },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct cx_caps_bad bad;
		uint64_t mask;
		char buf[256];

		assert_int_equal(cx_caps_parse_list(cases[i].list, 0, &mask,
						    &bad), -1);
		cx_caps_bad_describe(&bad, buf, sizeof(buf));
		assert_string_equal(bad.item, cases[i].item);
		assert_string_equal(buf, cases[i].msg);
	}
}

static void test_format(void **state)
{
	char buf[CX_CAPS_TEXT], small[12];
	uint64_t masks[] = {
		0, BIT(0), BIT(0) | BIT(5), 0x1fffeffffffULL, BIT(41) | BIT(63),
		~(uint64_t)0, 0x400,
	};

	(void)state;
	assert_string_equal(cx_caps_format(0, buf, sizeof(buf)), "");
	assert_string_equal(cx_caps_format(BIT(0) | BIT(5), buf, sizeof(buf)),
			    "cap_chown,cap_kill");
	assert_string_equal(cx_caps_format(0x400, buf, sizeof(buf)),
			    "cap_net_bind_service");
	assert_string_equal(cx_caps_format(BIT(40) | BIT(41) | BIT(63), buf,
					   sizeof(buf)),
			    "cap_checkpoint_restore,41,63");
	assert_string_equal(cx_caps_format(0x1fffeffffffULL, buf, sizeof(buf)),
			    host_mask_names);
	/* Every mask, even all 64 bits, fits in CX_CAPS_TEXT. */
	cx_caps_format(~(uint64_t)0, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf) - 1);
	/* A short buffer is cut, not overrun. */
	cx_caps_format(0x1fffeffffffULL, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	/* Names and lists go both ways. */
	for (size_t i = 0; i < N(masks); i++) {
		uint64_t back = 0xdead;

		cx_caps_format(masks[i], buf, sizeof(buf));
		if (!masks[i])
			continue;
		assert_int_equal(cx_caps_parse_list(buf, 0, &back, NULL), 0);
		assert_true(back == masks[i]);
	}
}

static void test_parse_hex(void **state)
{
	static const struct {
		const char *text;
		int rc;
		uint64_t mask;
	} cases[] = {
		{ "000001fffeffffff", 0, 0x1fffeffffffULL },
		{ "0000000000000400", 0, 0x400 },
		{ "0x400", 0, 0x400 },
		{ "0X1F", 0, 0x1f },
		{ "1fffeffffff", 0, 0x1fffeffffffULL },
		{ "ffffffffffffffff", 0, ~(uint64_t)0 },
		{ "0", 0, 0 },
		{ "", -1, 0 },
		{ "0x", -1, 0 },
		{ "10000000000000000", -1, 0 },	/* 17 digits */
		{ "fg", -1, 0 },
		{ " 1", -1, 0 },
		{ "1\n", -1, 0 },
		{ "-1", -1, 0 },
		{ "0x0x1", -1, 0 },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		uint64_t mask = 0xdead;
		int rc = cx_caps_parse_hex(cases[i].text, &mask);

		if (rc != cases[i].rc)
			fail_msg("cx_caps_parse_hex(\"%s\") = %d, want %d",
				 cases[i].text, rc, cases[i].rc);
		if (rc == 0 && mask != cases[i].mask)
			fail_msg("cx_caps_parse_hex(\"%s\") gave %llx",
				 cases[i].text, (unsigned long long)mask);
		if (rc < 0)
			assert_int_equal(errno, EINVAL);
	}
}

static void test_secbits(void **state)
{
	static const struct {
		const char *text;
		int rc;
		unsigned bits;
		const char *suggest;
	} cases[] = {
		{ "noroot", 0, 0x1, NULL },
		{ "NOROOT,noroot-locked", 0, 0x3, NULL },
		{ "secbit_keep_caps", 0, 0x10, NULL },
		{ "SECURE_NOROOT", 0, 0x1, NULL },
		{ "no_cap_ambient_raise_locked", 0, 0x80, NULL },
		{ "exec_deny_interactive", 0, 0x400, NULL },
		{ "0x2f", 0, 0x2f, NULL },
		{ "15", 0, 0xf, NULL },
		{ "15,keep_caps", 0, 0x1f, NULL },
		{ "keepcaps", -1, 0, "keep_caps" },
		{ "no_setuid_fixup_lock", -1, 0, "no_setuid_fixup_locked" },
		{ "bogus", -1, 0, NULL },
		{ "", -1, 0, NULL },
		{ "noroot,", -1, 0, NULL },
		{ "0xzz", -1, 0, NULL },
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct cx_caps_bad bad = { 0 };
		unsigned bits = 0xdead;
		int rc = cx_secbits_parse(cases[i].text, &bits, &bad);

		if (rc != cases[i].rc)
			fail_msg("cx_secbits_parse(\"%s\") = %d, want %d",
				 cases[i].text, rc, cases[i].rc);
		if (rc == 0 && bits != cases[i].bits)
			fail_msg("cx_secbits_parse(\"%s\") gave %#x",
				 cases[i].text, bits);
		if (rc < 0 && (!cases[i].suggest != !bad.suggest ||
			       (bad.suggest &&
				strcmp(bad.suggest, cases[i].suggest))))
			fail_msg("cx_secbits_parse(\"%s\") suggests %s",
				 cases[i].text,
				 bad.suggest ? bad.suggest : "none");
	}
	assert_int_equal(CX_SECBITS_LOCK, 0xf);
	assert_string_equal(cx_secbits_format(0, buf, sizeof(buf)), "");
	assert_string_equal(cx_secbits_format(CX_SECBITS_LOCK, buf, sizeof(buf)),
			    "noroot,noroot_locked,no_setuid_fixup,no_setuid_fixup_locked");
	assert_string_equal(cx_secbits_format(0x30 | 0x1000, buf, sizeof(buf)),
			    "keep_caps,keep_caps_locked,bit12");
	assert_string_equal(cx_secbit_name(6), "no_cap_ambient_raise");
	assert_null(cx_secbit_name(12));
}

static void test_canon_text(void **state)
{
	const uint64_t all = cx_caps_upto(40);
	static const struct {
		const char *text;
		int rc;
		const char *out;
		uint64_t named;
		enum cx_caps_why why;
	} cases[] = {
		{ "cap_net_bind_service=+ep", 0, "cap_net_bind_service=+ep",
		  BIT(10), 0 },
		{ "cap_net_bind_service+ep", 0, "cap_net_bind_service+ep",
		  BIT(10), 0 },
		{ "chown,KILL+p", 0, "cap_chown,cap_kill+p", BIT(0) | BIT(5), 0 },
		{ "  net_raw=e   7+ip-e ", 0, "cap_net_raw=e cap_setuid+ip-e",
		  BIT(13) | BIT(7), 0 },
		{ "=ep", 0, "=ep", 0x1ffffffffffULL, 0 },
		{ "all=ep cap_sys_admin-ep", 0, "all=ep cap_sys_admin-ep",
		  0x1ffffffffffULL, 0 },
		{ "41=p", 0, "41=p", BIT(41), 0 },
		{ "", 0, "", 0, 0 },
		{ "cap_chwn=ep", -1, NULL, 0, CX_CAPS_UNKNOWN },
		{ "cap_=ep", -1, NULL, 0, CX_CAPS_PREFIX },
		{ "cap_chown", -1, NULL, 0, CX_CAPS_NO_OP },
		{ "cap_chown=e cap_kill", -1, NULL, 0, CX_CAPS_NO_OP },
		{ "chown,=e", -1, NULL, 0, CX_CAPS_EMPTY },
		{ ",chown=e", -1, NULL, 0, CX_CAPS_EMPTY },
		{ "64=e", -1, NULL, 0, CX_CAPS_RANGE },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct cx_caps_bad bad = { 0 };
		char out[256];
		uint64_t named = 0xdead;
		int rc = cx_caps_canon_text(cases[i].text, all, out,
					    sizeof(out), &named, &bad);

		if (rc != cases[i].rc)
			fail_msg("cx_caps_canon_text(\"%s\") = %d, want %d",
				 cases[i].text, rc, cases[i].rc);
		if (rc == 0 && (strcmp(out, cases[i].out) ||
				named != cases[i].named))
			fail_msg("cx_caps_canon_text(\"%s\") gave \"%s\" %llx",
				 cases[i].text, out,
				 (unsigned long long)named);
		if (rc < 0 && bad.why != cases[i].why)
			fail_msg("cx_caps_canon_text(\"%s\") why %d, want %d",
				 cases[i].text, bad.why, cases[i].why);
	}
	{
		char tiny[8];
		uint64_t named;

		assert_int_equal(cx_caps_canon_text("cap_net_bind_service=ep",
						    all, tiny, sizeof(tiny),
						    &named, NULL),
				 -1);
		assert_int_equal(errno, ENAMETOOLONG);
	}
}

static const char status_text[] =
	"Name:\tcat\n"
	"Umask:\t0022\n"
	"State:\tR (running)\n"
	"Tgid:\t4242\n"
	"Uid:\t1000\t0\t0\t0\n"
	"Gid:\t100\t100\t100\t100\n"
	"FDSize:\t64\n"
	"Groups:\t4 27 100 \n"
	"NStgid:\t4242\n"
	"CapInh:\t0000000000000000\n"
	"CapPrm:\t000001fffeffffff\n"
	"CapEff:\t000001ff7edffefe\n"
	"CapBnd:\t000001ff7edffefe\n"
	"CapAmb:\t0000000000000400\n"
	"NoNewPrivs:\t1\n"
	"Seccomp:\t0\n";

static void test_parse_status(void **state)
{
	struct cx_capstate st;
	char text[sizeof(status_text) + 64];

	(void)state;
	assert_int_equal(cx_capstate_parse_status(status_text, &st), 0);
	assert_true(st.inh == 0);
	assert_true(st.prm == 0x1fffeffffffULL);
	assert_true(st.eff == 0x1ff7edffefeULL);
	assert_true(st.bnd == 0x1ff7edffefeULL);
	assert_true(st.amb == 0x400);
	assert_int_equal(st.nnp, 1);
	assert_int_equal(st.securebits, -1);
	assert_int_equal(st.uid[0], 1000);
	assert_int_equal(st.uid[1], 0);
	assert_int_equal(st.uid[3], 0);
	assert_int_equal(st.gid[2], 100);
	assert_int_equal(st.ngroups, 3);
	assert_int_equal(st.groups[0], 4);
	assert_int_equal(st.groups[2], 100);

	/* An old kernel: no CapAmb (before 4.3), no NoNewPrivs (4.10). */
	snprintf(text, sizeof(text),
		 "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n"
		 "CapInh:\t0000000000000000\nCapPrm:\t0000003fffffffff\n"
		 "CapEff:\t0000003fffffffff\nCapBnd:\t0000003fffffffff\n");
	assert_int_equal(cx_capstate_parse_status(text, &st), 0);
	assert_true(st.amb == 0);
	assert_int_equal(st.nnp, -1);
	assert_int_equal(st.ngroups, 0);

	/* Missing or malformed fields. */
	assert_int_equal(cx_capstate_parse_status("Uid:\t0\t0\t0\t0\n", &st),
			 -1);
	assert_int_equal(errno, EINVAL);
	snprintf(text, sizeof(text), "%s", status_text);
	memcpy(strstr(text, "CapEff:\t") + 8, "zz", 2);
	assert_int_equal(cx_capstate_parse_status(text, &st), -1);
	snprintf(text, sizeof(text), "%s", status_text);
	memcpy(strstr(text, "Uid:\t") + 5, "x0", 2);
	assert_int_equal(cx_capstate_parse_status(text, &st), -1);
	snprintf(text, sizeof(text), "%s", status_text);
	memcpy(strstr(text, "NoNewPrivs:\t") + 12, "7", 1);
	assert_int_equal(cx_capstate_parse_status(text, &st), -1);
}

static void test_parse_status_many_groups(void **state)
{
	size_t size = 64 * CX_CAPSTATE_GROUPS + 512, n = 0;
	char *text = malloc(size);
	struct cx_capstate st;

	(void)state;
	assert_non_null(text);
	n += (size_t)snprintf(text + n, size - n,
			      "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t");
	for (int i = 0; i <= CX_CAPSTATE_GROUPS; i++)
		n += (size_t)snprintf(text + n, size - n, "%d ", i);
	snprintf(text + n, size - n,
		 "\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\n");
	assert_int_equal(cx_capstate_parse_status(text, &st), -1);
	assert_int_equal(errno, ERANGE);
	free(text);
}

static void test_diff(void **state)
{
	struct cx_capstate want, got;
	char buf[512];

	(void)state;
	assert_int_equal(cx_capstate_parse_status(status_text, &want), 0);
	want.securebits = 0;
	got = want;
	assert_int_equal(cx_capstate_diff(&want, &got, buf, sizeof(buf)), 0);

	/* The groups are a set: the order does not matter. */
	got.groups[0] = 100;
	got.groups[2] = 4;
	assert_int_equal(cx_capstate_diff(&want, &got, buf, sizeof(buf)), 0);
	got.groups[2] = 5;
	assert_int_equal(cx_capstate_diff(&want, &got, buf, sizeof(buf)), 1);
	assert_string_equal(buf,
			    "the supplementary groups are 100 27 5, not 4 27 100 as asked");
	got = want;
	got.ngroups = 0;
	assert_int_equal(cx_capstate_diff(&want, &got, buf, sizeof(buf)), 1);
	assert_string_equal(buf,
			    "the supplementary groups are none, not 4 27 100 as asked");

	got = want;
	got.bnd |= BIT(0);
	assert_int_equal(cx_capstate_diff(&want, &got, buf, sizeof(buf)), 1);
	assert_string_equal(buf,
			    "the bounding set has cap_chown, which was not asked for");
	got = want;
	got.amb = 0;
	assert_int_equal(cx_capstate_diff(&want, &got, buf, sizeof(buf)), 1);
	assert_string_equal(buf,
			    "the ambient set lacks cap_net_bind_service, which was asked for");
	got = want;
	got.eff = (got.eff | BIT(0)) & ~BIT(5);
	assert_int_equal(cx_capstate_diff(&want, &got, buf, sizeof(buf)), 1);
	assert_string_equal(buf,
			    "the effective set has cap_chown, which was not asked for, and lacks cap_kill");
	got = want;
	got.uid[2] = 1000;
	assert_int_equal(cx_capstate_diff(&want, &got, buf, sizeof(buf)), 1);
	assert_string_equal(buf,
			    "the user IDs (real/effective/saved/fs) are 1000/0/1000/0, not 1000/0/0/0 as asked");
	got = want;
	got.securebits = 0x10;
	assert_int_equal(cx_capstate_diff(&want, &got, buf, sizeof(buf)), 1);
	assert_string_equal(buf,
			    "the securebits are 0x10 (keep_caps), not 0x0 (none) as asked");
	/* Not known on one side: not compared. */
	got.securebits = -1;
	assert_int_equal(cx_capstate_diff(&want, &got, buf, sizeof(buf)), 0);
	got = want;
	got.nnp = 0;
	assert_int_equal(cx_capstate_diff(&want, &got, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "no_new_privs is 0, not 1 as asked");
}

/* --- the rules of exec --------------------------------------------------- */

#define B(n) ((uint64_t)1 << (n))
#define ALL ((uint64_t)0x1ffffffffffULL)

struct exec_case {
	const char *what;
	/* before: uid (real = effective), masks, securebits, nnp */
	uint32_t ruid, euid;
	uint64_t prm, inh, bnd, amb;
	int secbits, nnp;
	struct cx_exec_file f;
	/* after */
	int rc;
	uint64_t eff2, prm2, amb2;
	uint32_t euid2;
};

static void test_after_exec(void **state)
{
	static const struct exec_case cases[] = {
		{ "root runs a plain file: everything the bounding set holds",
		  0, 0, ALL, 0, ALL, 0, 0, 0, { 0 }, 0, ALL, ALL, 0, 0 },
		{ "root, the bounding set without cap_chown",
		  0, 0, ALL, 0, ALL & ~B(0), 0, 0, 0, { 0 },
		  0, ALL & ~B(0), ALL & ~B(0), 0, 0 },
		{ "SECBIT_NOROOT: root gets nothing from a plain file",
		  0, 0, ALL, 0, ALL, 0, 1, 0, { 0 }, 0, 0, 0, 0, 0 },
		{ "nobody runs a plain file: nothing",
		  65534, 65534, 0, 0, ALL, 0, 0, 0, { 0 }, 0, 0, 0, 0, 65534 },
		{ "nobody, file caps cap_net_bind_service=ep",
		  65534, 65534, 0, 0, ALL, 0, 0, 0,
		  { .fcaps = true, .fprm = B(10), .feff = true },
		  0, B(10), B(10), 0, 65534 },
		{ "nobody, file caps =p without the effective bit",
		  65534, 65534, 0, 0, ALL, 0, 0, 0,
		  { .fcaps = true, .fprm = B(10) }, 0, 0, B(10), 0, 65534 },
		{ "file caps +ep beyond the bounding set: EPERM",
		  65534, 65534, 0, 0, ALL & ~B(10), 0, 0, 0,
		  { .fcaps = true, .fprm = B(10), .feff = true },
		  -1, 0, 0, 0, 0 },
		{ "file caps +p beyond the bounding set: runs without it",
		  65534, 65534, 0, 0, ALL & ~B(10), 0, 0, 0,
		  { .fcaps = true, .fprm = B(10) }, 0, 0, 0, 0, 65534 },
		{ "ambient cap_net_bind_service, plain file: kept",
		  65534, 65534, B(10), B(10), ALL, B(10), 0, 0, { 0 },
		  0, B(10), B(10), B(10), 65534 },
		{ "ambient, file with capabilities: cleared",
		  65534, 65534, B(10), B(10), ALL, B(10), 0, 0,
		  { .fcaps = true, .fprm = B(13), .feff = true },
		  0, B(13), B(13), 0, 65534 },
		{ "file inheritable meets process inheritable",
		  65534, 65534, B(10), B(10), ALL, 0, 0, 0,
		  { .fcaps = true, .finh = B(10), .feff = true },
		  0, B(10), B(10), 0, 65534 },
		{ "nobody runs setuid root: root's sets",
		  65534, 65534, 0, 0, ALL, 0, 0, 0,
		  { .setuid = true, .uid = 0 }, 0, ALL, ALL, 0, 0 },
		{ "setuid root clears the ambient set",
		  65534, 65534, B(10), B(10), ALL, B(10), 0, 0,
		  { .setuid = true, .uid = 0 }, 0, ALL, ALL, 0, 0 },
		{ "setuid root with file caps, run by nobody: the file's only",
		  65534, 65534, 0, 0, ALL, 0, 0, 0,
		  { .setuid = true, .uid = 0, .fcaps = true, .fprm = B(10),
		    .feff = true }, 0, B(10), B(10), 0, 0 },
		{ "root runs setuid nobody: permitted, not effective",
		  0, 0, ALL, 0, ALL, 0, 0, 0,
		  { .setuid = true, .uid = 65534 }, 0, 0, ALL, 0, 65534 },
		{ "no_new_privs: file caps gain nothing",
		  65534, 65534, 0, 0, ALL, 0, 0, 1,
		  { .fcaps = true, .fprm = B(10), .feff = true },
		  0, 0, 0, 0, 65534 },
		{ "no_new_privs: root keeps what it had",
		  0, 0, B(0), 0, ALL, 0, 0, 1, { 0 }, 0, B(0), B(0), 0, 0 },
		{ "real uid 0, effective nobody: permitted, not effective",
		  0, 65534, 0, 0, ALL, 0, 0, 0, { 0 }, 0, 0, ALL, 0, 65534 },
		{ "before 6.16, ids that differ: a set-ID exec, ambient cleared",
		  1000, 65534, B(10), B(10), ALL, B(10), 0, 0, { 0 },
		  0, 0, 0, 0, 65534 },
		{ "before 6.16, ids that differ, no_new_privs: back to real",
		  1000, 65534, 0, 0, ALL, 0, 0, 1, { 0 }, 0, 0, 0, 0, 1000 },
		{ "6.16, ids that differ but do not change: ambient kept",
		  1000, 65534, B(10), B(10), ALL, B(10), 0, 0,
		  { .ids_by_effective = true }, 0, B(10), B(10), B(10), 65534 },
		{ "6.16, ids that differ, no_new_privs: they stay",
		  1000, 65534, 0, 0, ALL, 0, 0, 1,
		  { .ids_by_effective = true }, 0, 0, 0, 0, 65534 },
		{ "6.16, setuid root: a change, ambient cleared",
		  65534, 65534, B(10), B(10), ALL, B(10), 0, 0,
		  { .setuid = true, .uid = 0, .ids_by_effective = true },
		  0, ALL, ALL, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct exec_case *c = &cases[i];
		struct cx_capstate before = { 0 }, after;
		uint64_t missing;
		int rc;

		before.uid[0] = c->ruid;
		before.uid[1] = before.uid[2] = before.uid[3] = c->euid;
		before.gid[0] = c->ruid;
		before.gid[1] = before.gid[2] = before.gid[3] = c->euid;
		before.prm = before.eff = c->prm;
		before.inh = c->inh;
		before.bnd = c->bnd;
		before.amb = c->amb;
		before.securebits = c->secbits | (int)CX_SECBIT_KEEP_CAPS;
		before.nnp = c->nnp;
		errno = 0;
		rc = cx_caps_after_exec(&before, &c->f, &after, &missing);
		if (c->rc < 0) {
			EXPECT(rc == -1 && errno == EPERM && missing == B(10),
			       "%s: rc %d errno %d missing %llx", c->what, rc,
			       errno, (unsigned long long)missing);
			continue;
		}
		EXPECT(rc == 0, "%s: rc %d", c->what, rc);
		EXPECT(after.eff == c->eff2 && after.prm == c->prm2 &&
		       after.amb == c->amb2 && after.uid[1] == c->euid2 &&
		       after.uid[2] == c->euid2 && after.uid[0] == c->ruid &&
		       after.inh == c->inh && after.bnd == c->bnd,
		       "%s: eff %llx prm %llx amb %llx euid %u", c->what,
		       (unsigned long long)after.eff,
		       (unsigned long long)after.prm,
		       (unsigned long long)after.amb, after.uid[1]);
		EXPECT(!(after.securebits & (int)CX_SECBIT_KEEP_CAPS),
		       "%s: keep_caps survived the exec", c->what);
	}
	done();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_matches_kernel_header),
		cmocka_unit_test(test_cap_parse),
		cmocka_unit_test(test_cap_suggest),
		cmocka_unit_test(test_parse_list),
		cmocka_unit_test(test_bad_describe),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse_hex),
		cmocka_unit_test(test_secbits),
		cmocka_unit_test(test_canon_text),
		cmocka_unit_test(test_parse_status),
		cmocka_unit_test(test_parse_status_many_groups),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_after_exec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
