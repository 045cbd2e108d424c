/* Capabilities as text: the table of names, lists of names, masks and
 * securebits, and a process's capability state as /proc/PID/status
 * shows it.  Pure functions: no libcap, no system calls, so that the
 * unit tests reach all of them.  cx-caps adds what the running kernel
 * says (its last capability, the state of a process). */
#ifndef CX_CAPS_H
#define CX_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Masks are 64 bits wide, as capget(2) and /proc/PID/status give them. */
enum { CX_CAP_BITS = 64 };

/* The name of capability CAP ("cap_chown"), or NULL when the table has
 * none: a number above the last one these headers knew. */
const char *cx_cap_name(unsigned cap);
/* The highest capability the table names (40, CAP_CHECKPOINT_RESTORE,
 * in Linux 5.9 to 6.18). */
unsigned cx_cap_last_named(void);
/* Bits 0 to LAST set (LAST < 64). */
uint64_t cx_caps_upto(unsigned last);

/* One capability: "cap_chown", "CAP_CHOWN", "chown", "Chown", or a
 * decimal number 0 to 63 (which need not have a name).  -1 with errno
 * EINVAL (no such name) or ERANGE (a number above 63). */
int cx_cap_parse(const char *s, unsigned *cap);

/* The known capability name nearest to S (a typo, a missing or extra
 * underscore, a left-out word), or NULL when none is near enough to be
 * worth suggesting. */
const char *cx_cap_suggest(const char *s);

/* Why a list was refused, for cx_caps_bad_describe(). */
enum cx_caps_why {
	CX_CAPS_UNKNOWN = 1,	/* no such name */
	CX_CAPS_PREFIX,		/* "cap_" with nothing after it */
	CX_CAPS_EMPTY,		/* an empty item: "a,,b", "a," */
	CX_CAPS_RANGE,		/* a number above 63 */
	CX_CAPS_NO_OP,		/* a text clause without =, + or - */
};
struct cx_caps_bad {
	enum cx_caps_why why;
	char item[64];		/* the item as given, cut to fit */
	const char *suggest;	/* the nearest known name, or NULL */
};

/* A comma-separated list of capabilities, each as cx_cap_parse() takes
 * it, or "all" (any case), which stands for ALL.  0 with *mask, or -1
 * with errno EINVAL or ERANGE and *bad filled in. */
int cx_caps_parse_list(const char *list, uint64_t all, uint64_t *mask,
		       struct cx_caps_bad *bad);

/* What is wrong with the item (bad->item, or the whole list when the
 * item is empty), for cx_opt_invalid: "no such capability (did you
 * mean cap_chown?)". */
void cx_caps_bad_describe(const struct cx_caps_bad *bad, char *buf,
			  size_t len);

/* Room for any mask as text. */
enum { CX_CAPS_TEXT = 1536 };
/* MASK as "cap_chown,cap_kill,41": names in numeric order, a number
 * for a bit the table does not name; "" for 0.  Returns BUF. */
char *cx_caps_format(uint64_t mask, char *buf, size_t len);

/* The text form of file capabilities, as cap_from_text(3) reads it:
 * clauses apart by white space, each a list of names and then
 * operators with flags ("cap_net_bind_service=+ep", "chown,kill+p",
 * "=ep" for all).  Writes TEXT to OUT with every name as libcap spells
 * it, so that the names cx_cap_parse() takes ("chown", "CHOWN", "7")
 * work here too, and sets *named to the capabilities the clauses name
 * (ALL for "all" or an empty list).  The operators and flags are left
 * for libcap to check.  0, or -1 with EINVAL (ERANGE for a number above
 * 63, ENAMETOOLONG when OUT is too small) and *bad filled in. */
int cx_caps_canon_text(const char *text, uint64_t all, char *out, size_t len,
		       uint64_t *named, struct cx_caps_bad *bad);

/* A mask as /proc/PID/status shows it: 1 to 16 hexadecimal digits,
 * optionally after "0x".  -1 with EINVAL. */
int cx_caps_parse_hex(const char *s, uint64_t *mask);

/* Securebits (linux/securebits.h): names for bits 0 to 11. */
enum {
	CX_SECBIT_NOROOT = 1u << 0,
	CX_SECBIT_NOROOT_LOCKED = 1u << 1,
	CX_SECBIT_NO_SETUID_FIXUP = 1u << 2,
	CX_SECBIT_NO_SETUID_FIXUP_LOCKED = 1u << 3,
	CX_SECBIT_KEEP_CAPS = 1u << 4,
	CX_SECBIT_KEEP_CAPS_LOCKED = 1u << 5,
	CX_SECBIT_NO_CAP_AMBIENT_RAISE = 1u << 6,
	CX_SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED = 1u << 7,
	/* What --lock sets: root is not special at exec, and uid changes
	 * do not touch the capability sets, for good. */
	CX_SECBITS_LOCK = CX_SECBIT_NOROOT | CX_SECBIT_NOROOT_LOCKED |
			  CX_SECBIT_NO_SETUID_FIXUP |
			  CX_SECBIT_NO_SETUID_FIXUP_LOCKED,
};
/* "noroot", "keep_caps_locked"...; NULL for a bit without a name. */
const char *cx_secbit_name(unsigned bit);
/* A comma-separated list of securebit names ("noroot", "NO-SETUID-FIXUP",
 * "secbit_keep_caps": any case, '-' for '_', an optional "secbit_"
 * or "secure_" prefix) or numbers ("0x2f", "15"), OR-ed together.
 * 0, or -1 with errno EINVAL and *bad filled in. */
int cx_secbits_parse(const char *list, unsigned *bits,
		     struct cx_caps_bad *bad);
/* BITS as "noroot,noroot_locked"; "" for 0.  Returns BUF. */
char *cx_secbits_format(unsigned bits, char *buf, size_t len);

/* The capability state of a process. */
enum { CX_CAPSTATE_GROUPS = 1024 };
struct cx_capstate {
	uint64_t eff, prm, inh, bnd, amb;
	int securebits;		/* -1: not known (another process's) */
	int nnp;		/* no_new_privs: 0, 1, or -1 not known */
	uint32_t uid[4];	/* real, effective, saved, file system */
	uint32_t gid[4];
	int ngroups;
	uint32_t groups[CX_CAPSTATE_GROUPS];
};

/* Fill ST from TEXT, the whole of /proc/PID/status: the Cap* masks
 * (CapAmb is 0 on a kernel before 4.3, which has none), NoNewPrivs, Uid,
 * Gid and Groups.  securebits is -1: status does not show them.  -1 with
 * EINVAL when a field is missing or malformed, ERANGE for too many
 * groups. */
int cx_capstate_parse_status(const char *text, struct cx_capstate *st);

/* Compare the state a change was to reach (WANT) with what the kernel
 * says (GOT).  0 when they agree; else 1, with the first difference
 * described in BUF: "the effective set has cap_kill, not asked for".
 * The groups are compared as sets; securebits and nnp only where both
 * are known. */
int cx_capstate_diff(const struct cx_capstate *want,
		     const struct cx_capstate *got, char *buf, size_t len);

/* What a file brings to execve(2), as the caller found it (cx-caps
 * predict): its capabilities where they apply, and the set-ID bits
 * where they take effect. */
struct cx_exec_file {
	bool fcaps;		/* file capabilities that apply here: not on
				 * a nosuid mount, and (v3) for our root */
	uint64_t fprm, finh;	/* their permitted and inheritable sets */
	bool feff;		/* their effective bit */
	bool setuid, setgid;	/* bits that take effect: a suid mount, no
				 * no_new_privs, an owner mapped here; the
				 * group's only with S_IXGRP */
	uint32_t uid, gid;	/* the owner, as we see it */
	/* Which test makes an exec a change of ids (for the ambient set
	 * and no_new_privs): since Linux 6.16, a new effective uid, or an
	 * effective gid not among the caller's; before, an effective id
	 * that is not the real one. */
	bool ids_by_effective;
};

/* The rules of capabilities(7), as the kernel applies them at exec
 * (security/commoncap.c: cap_bprm_creds_from_file): the state a process
 * in BEFORE (securebits and no_new_privs known) would have after
 * execve(2) of F, in AFTER, ids as this user namespace sees them.  0;
 * or -1 with errno EPERM when the kernel refuses the exec: F's
 * effective bit asks for permitted capabilities that neither the
 * bounding set nor the inheritable set gives, *MISSING those. */
int cx_caps_after_exec(const struct cx_capstate *before,
		       const struct cx_exec_file *f, struct cx_capstate *after,
		       uint64_t *missing);

#endif
