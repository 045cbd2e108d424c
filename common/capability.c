#include "capability.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The names of <linux/capability.h>, by number.  Our own table, not
 * libcap's: the parsers and their unit tests need no library, and a
 * name is the same text whatever libcap a system has.
 * tests/test-capability.c checks each number against the kernel header's
 * CAP_ constant. */
static const char *const cap_names[] = {
	"cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner",
	"cap_fsetid", "cap_kill", "cap_setgid", "cap_setuid", "cap_setpcap",
	"cap_linux_immutable", "cap_net_bind_service", "cap_net_broadcast",
	"cap_net_admin", "cap_net_raw", "cap_ipc_lock", "cap_ipc_owner",
	"cap_sys_module", "cap_sys_rawio", "cap_sys_chroot",
	"cap_sys_ptrace", "cap_sys_pacct", "cap_sys_admin", "cap_sys_boot",
	"cap_sys_nice", "cap_sys_resource", "cap_sys_time",
	"cap_sys_tty_config", "cap_mknod", "cap_lease", "cap_audit_write",
	"cap_audit_control", "cap_setfcap", "cap_mac_override",
	"cap_mac_admin", "cap_syslog", "cap_wake_alarm", "cap_block_suspend",
	"cap_audit_read", "cap_perfmon", "cap_bpf", "cap_checkpoint_restore",
};
enum { NCAPS = sizeof(cap_names) / sizeof(*cap_names) };

/* linux/securebits.h, by bit; 8 to 11 came with Linux 6.14. */
static const char *const secbit_names[] = {
	"noroot", "noroot_locked", "no_setuid_fixup",
	"no_setuid_fixup_locked", "keep_caps", "keep_caps_locked",
	"no_cap_ambient_raise", "no_cap_ambient_raise_locked",
	"exec_restrict_file", "exec_restrict_file_locked",
	"exec_deny_interactive", "exec_deny_interactive_locked",
};
enum { NSECBITS = sizeof(secbit_names) / sizeof(*secbit_names) };

const char *cx_cap_name(unsigned cap)
{
	return cap < NCAPS ? cap_names[cap] : NULL;
}

unsigned cx_cap_last_named(void)
{
	return NCAPS - 1;
}

uint64_t cx_caps_upto(unsigned last)
{
	return last >= 63 ? ~(uint64_t)0 : (((uint64_t)1 << (last + 1)) - 1);
}

/* S in the table's form: lower case, '-' as '_', without PREFIX (any
 * case) when it starts with it.  0, or -1 when it does not fit. */
static int normalize(const char *s, const char *prefix, char *out,
		     size_t len)
{
	size_t n = 0, plen = strlen(prefix);

	if (strncasecmp(s, prefix, plen) == 0)
		s += plen;
	for (; *s; s++) {
		if (n + 1 >= len)
			return -1;
		out[n++] = *s == '-' ? '_' : (char)tolower((unsigned char)*s);
	}
	out[n] = '\0';
	return 0;
}

/* A decimal number without sign or spaces; ERANGE above MAX. */
static int small_number(const char *s, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (!*s)
		return errno = EINVAL, -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return errno = EINVAL, -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return errno = ERANGE, -1;
	}
	*out = (unsigned)v;
	return 0;
}

int cx_cap_parse(const char *s, unsigned *cap)
{
	char name[64];

	if (isdigit((unsigned char)*s))
		return small_number(s, CX_CAP_BITS - 1, cap);
	if (normalize(s, "cap_", name, sizeof(name)) < 0 || !name[0])
		return errno = EINVAL, -1;
	for (unsigned i = 0; i < NCAPS; i++)
		if (strcmp(name, cap_names[i] + 4) == 0) {
			*cap = i;
			return 0;
		}
	return errno = EINVAL, -1;
}

/* The optimal string alignment distance: insertions, deletions,
 * substitutions and swaps of two neighbours, each counting one. */
static unsigned distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned d[64][64];

	if (la >= 64 || lb >= 64)
		return 64;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/* The index of the name in NAMES nearest to S (already normalized,
 * compared with each name after its first SKIP characters), or -1.  Near means a few edits, more for a longer word; failing that, S
 * being part of exactly one name ("bind" in "net_bind_service"). */
static int nearest(const char *s, const char *const *names, unsigned n,
		   size_t skip)
{
	size_t len = strlen(s);
	unsigned limit = len <= 3 ? 1 : len <= 6 ? 2 : 3, best = limit + 1;
	int found = -1, parts = 0, part = -1;

	if (!len)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		unsigned d = distance(s, names[i] + skip);

		if (d < best) {
			best = d;
			found = (int)i;
		}
		if (len >= 3 && strstr(names[i] + skip, s)) {
			parts++;
			part = (int)i;
		}
	}
	if (found < 0 && parts == 1)
		found = part;
	return found;
}

const char *cx_cap_suggest(const char *s)
{
	char name[64];
	int i;

	if (normalize(s, "cap_", name, sizeof(name)) < 0)
		return NULL;
	i = nearest(name, cap_names, NCAPS, 4);
	return i < 0 ? NULL : cap_names[i];
}

static void set_bad(struct cx_caps_bad *bad, enum cx_caps_why why,
		    const char *item, size_t len, const char *suggest)
{
	if (!bad)
		return;
	bad->why = why;
	if (len >= sizeof(bad->item))
		len = sizeof(bad->item) - 1;
	memcpy(bad->item, item, len);
	bad->item[len] = '\0';
	bad->suggest = suggest;
}

int cx_caps_parse_list(const char *list, uint64_t all, uint64_t *mask,
		       struct cx_caps_bad *bad)
{
	uint64_t m = 0;
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ",");
		char item[64];
		unsigned cap;

		if (len == 0) {
			set_bad(bad, CX_CAPS_EMPTY, p, 0, NULL);
			return errno = EINVAL, -1;
		}
		if (len >= sizeof(item)) {
			set_bad(bad, CX_CAPS_UNKNOWN, p, len, NULL);
			return errno = EINVAL, -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (strcasecmp(item, "all") == 0) {
			m |= all;
		} else if (cx_cap_parse(item, &cap) == 0) {
			m |= (uint64_t)1 << cap;
		} else if (errno == ERANGE) {
			set_bad(bad, CX_CAPS_RANGE, item, len, NULL);
			return -1;
		} else if (strcasecmp(item, "cap_") == 0) {
			set_bad(bad, CX_CAPS_PREFIX, item, len, NULL);
			return errno = EINVAL, -1;
		} else {
			set_bad(bad, CX_CAPS_UNKNOWN, item, len,
				cx_cap_suggest(item));
			return errno = EINVAL, -1;
		}
		p += len;
		if (!*p)
			break;
		p++;
	}
	*mask = m;
	return 0;
}

void cx_caps_bad_describe(const struct cx_caps_bad *bad, char *buf,
			  size_t len)
{
	switch (bad->why) {
	case CX_CAPS_PREFIX:
		snprintf(buf, len,
			 "no capability named (a name follows the prefix, as in cap_chown)");
		break;
	case CX_CAPS_EMPTY:
		snprintf(buf, len, "an empty name in the list");
		break;
	case CX_CAPS_NO_OP:
		snprintf(buf, len,
			 "no operator (=, + or - and flags, as in cap_net_bind_service=ep)");
		break;
	case CX_CAPS_RANGE:
		snprintf(buf, len, "out of range (0 to %d)", CX_CAP_BITS - 1);
		break;
	default:
		if (bad->suggest)
			snprintf(buf, len, "no such capability (did you mean %s?)",
				 bad->suggest);
		else
			snprintf(buf, len, "no such capability");
		break;
	}
}

/* Append TEXT to BUF (at *n), with a comma before all but the first. */
static void append(char *buf, size_t len, size_t *n, const char *text)
{
	int w;

	if (*n >= len)
		return;
	w = snprintf(buf + *n, len - *n, "%s%s", *n ? "," : "", text);
	if (w > 0)
		*n += (size_t)w;
}

char *cx_caps_format(uint64_t mask, char *buf, size_t len)
{
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < CX_CAP_BITS; i++) {
		char num[4];

		if (!(mask & ((uint64_t)1 << i)))
			continue;
		if (cx_cap_name(i)) {
			append(buf, len, &n, cx_cap_name(i));
		} else {
			snprintf(num, sizeof(num), "%u", i);
			append(buf, len, &n, num);
		}
	}
	return buf;
}

/* Append N bytes of S to OUT (at *n); -1 when they do not fit. */
static int put(char *out, size_t len, size_t *n, const char *s, size_t slen)
{
	if (*n + slen >= len)
		return -1;
	memcpy(out + *n, s, slen);
	*n += slen;
	out[*n] = '\0';
	return 0;
}

int cx_caps_canon_text(const char *text, uint64_t all, char *out, size_t len,
		       uint64_t *named, struct cx_caps_bad *bad)
{
	static const char space[] = " \t\n";
	uint64_t m = 0;
	size_t n = 0;
	const char *p = text;

	if (!len)
		return errno = ENAMETOOLONG, -1;
	out[0] = '\0';
	for (;;) {
		size_t clen, llen;
		const char *ops;

		p += strspn(p, space);
		if (!*p)
			break;
		clen = strcspn(p, space);
		llen = strcspn(p, "=+-");
		if (llen >= clen) {
			set_bad(bad, CX_CAPS_NO_OP, p, clen, NULL);
			return errno = EINVAL, -1;
		}
		ops = p + llen;
		if (n && put(out, len, &n, " ", 1) < 0)
			goto too_long;
		/* Each name of the list, as libcap spells it. */
		for (const char *q = p; q < ops;) {
			size_t ilen = strcspn(q, ",=+-");
			char item[64], word[64];
			uint64_t one;

			if (ilen == 0 || ilen >= sizeof(item)) {
				set_bad(bad, ilen ? CX_CAPS_UNKNOWN : CX_CAPS_EMPTY,
					q, ilen, NULL);
				return errno = EINVAL, -1;
			}
			memcpy(item, q, ilen);
			item[ilen] = '\0';
			/* One item: "all", or a single capability. */
			if (cx_caps_parse_list(item, all, &one, bad) < 0)
				return -1;
			m |= one;
			if (strcasecmp(item, "all") == 0)
				snprintf(word, sizeof(word), "all");
			else if (cx_cap_name((unsigned)__builtin_ctzll(one)))
				snprintf(word, sizeof(word), "%s",
					 cx_cap_name((unsigned)__builtin_ctzll(one)));
			else
				snprintf(word, sizeof(word), "%d",
					 __builtin_ctzll(one));
			if (put(out, len, &n, word, strlen(word)) < 0)
				goto too_long;
			q += ilen;
			if (q < ops) {
				q++;	/* the comma */
				if (q == ops) {
					set_bad(bad, CX_CAPS_EMPTY, q, 0, NULL);
					return errno = EINVAL, -1;
				}
				if (put(out, len, &n, ",", 1) < 0)
					goto too_long;
			}
		}
		if (llen == 0)
			m |= all;	/* "=ep": every capability */
		if (put(out, len, &n, ops, clen - llen) < 0)
			goto too_long;
		p += clen;
	}
	*named = m;
	return 0;
too_long:
	set_bad(bad, CX_CAPS_UNKNOWN, text, strlen(text), NULL);
	return errno = ENAMETOOLONG, -1;
}

int cx_caps_parse_hex(const char *s, uint64_t *mask)
{
	uint64_t v = 0;
	size_t n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++, n++) {
		int c = tolower((unsigned char)*s);

		if (n == 16 || !isxdigit(c))
			return errno = EINVAL, -1;
		v = v << 4 | (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	if (n == 0)
		return errno = EINVAL, -1;
	*mask = v;
	return 0;
}

const char *cx_secbit_name(unsigned bit)
{
	return bit < NSECBITS ? secbit_names[bit] : NULL;
}

/* A securebits value as a number: "0x2f" or "47". */
static int secbits_number(const char *s, unsigned *out)
{
	unsigned long v = 0;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		int c = tolower((unsigned char)*s);
		unsigned d;

		if (isdigit(c))
			d = (unsigned)(c - '0');
		else if (base == 16 && isxdigit(c))
			d = (unsigned)(c - 'a' + 10);
		else
			return -1;
		v = v * (unsigned)base + d;
		if (v > 0xffffffffUL)
			return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int cx_secbits_parse(const char *list, unsigned *bits,
		     struct cx_caps_bad *bad)
{
	unsigned b = 0;
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ",");
		char item[64], name[64];
		unsigned v;
		int i;

		if (len == 0 || len >= sizeof(item)) {
			set_bad(bad, len ? CX_CAPS_UNKNOWN : CX_CAPS_EMPTY, p,
				len, NULL);
			return errno = EINVAL, -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (isdigit((unsigned char)item[0])) {
			if (secbits_number(item, &v) < 0) {
				set_bad(bad, CX_CAPS_UNKNOWN, item, len, NULL);
				return errno = EINVAL, -1;
			}
			b |= v;
		} else {
			const char *prefix =
				strncasecmp(item, "secure", 6) == 0 ?
					"secure_" : "secbit_";

			i = -1;
			if (normalize(item, prefix, name, sizeof(name)) == 0)
				for (unsigned k = 0; k < NSECBITS && i < 0; k++)
					if (strcmp(name, secbit_names[k]) == 0)
						i = (int)k;
			if (i < 0) {
				int near = nearest(name, secbit_names,
						   NSECBITS, 0);

				set_bad(bad, CX_CAPS_UNKNOWN, item, len,
					near < 0 ? NULL : secbit_names[near]);
				return errno = EINVAL, -1;
			}
			b |= 1u << i;
		}
		p += len;
		if (!*p)
			break;
		p++;
	}
	*bits = b;
	return 0;
}

char *cx_secbits_format(unsigned bits, char *buf, size_t len)
{
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < 32; i++) {
		char num[16];

		if (!(bits & (1u << i)))
			continue;
		if (cx_secbit_name(i)) {
			append(buf, len, &n, cx_secbit_name(i));
		} else {
			snprintf(num, sizeof(num), "bit%u", i);
			append(buf, len, &n, num);
		}
	}
	return buf;
}

/* --- /proc/PID/status ------------------------------------------------ */

/* The value of field KEY in TEXT: the rest of the line after "KEY:" and
 * white space, up to (not including) the newline; NULL when absent. */
static const char *field(const char *text, const char *key, size_t *len)
{
	size_t klen = strlen(key);

	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');

		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			const char *v = p + klen + 1;

			while (*v == '\t' || *v == ' ')
				v++;
			*len = eol ? (size_t)(eol - v) : strlen(v);
			return v;
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

static int hex_field(const char *text, const char *key, uint64_t *out,
		     bool required)
{
	size_t len;
	const char *v = field(text, key, &len);
	char buf[24];

	if (!v) {
		*out = 0;
		return required ? -1 : 0;
	}
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return cx_caps_parse_hex(buf, out);
}

/* Up to MAX unsigned decimal numbers separated by white space.  Returns
 * how many, -1 on a malformed one, -2 for more than MAX. */
static int numbers(const char *v, size_t len, uint32_t *out, int max)
{
	int n = 0;
	size_t i = 0;

	for (;;) {
		uint64_t x = 0;
		size_t start;

		while (i < len && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (i == len)
			return n;
		start = i;
		while (i < len && isdigit((unsigned char)v[i])) {
			x = x * 10 + (uint64_t)(v[i] - '0');
			if (x > UINT32_MAX)
				return -1;
			i++;
		}
		if (i == start || (i < len && v[i] != ' ' && v[i] != '\t'))
			return -1;
		if (n == max)
			return -2;
		out[n++] = (uint32_t)x;
	}
}

int cx_capstate_parse_status(const char *text, struct cx_capstate *st)
{
	size_t len;
	const char *v;
	int n;

	memset(st, 0, sizeof(*st));
	st->securebits = -1;
	if (hex_field(text, "CapInh", &st->inh, true) < 0 ||
	    hex_field(text, "CapPrm", &st->prm, true) < 0 ||
	    hex_field(text, "CapEff", &st->eff, true) < 0 ||
	    hex_field(text, "CapBnd", &st->bnd, true) < 0 ||
	    hex_field(text, "CapAmb", &st->amb, false) < 0)
		return errno = EINVAL, -1;
	v = field(text, "NoNewPrivs", &len);
	if (!v)
		st->nnp = -1;
	else if (len == 1 && (*v == '0' || *v == '1'))
		st->nnp = *v - '0';
	else
		return errno = EINVAL, -1;
	v = field(text, "Uid", &len);
	if (!v || numbers(v, len, st->uid, 4) != 4)
		return errno = EINVAL, -1;
	v = field(text, "Gid", &len);
	if (!v || numbers(v, len, st->gid, 4) != 4)
		return errno = EINVAL, -1;
	v = field(text, "Groups", &len);
	if (!v)
		return errno = EINVAL, -1;
	n = numbers(v, len, st->groups, CX_CAPSTATE_GROUPS);
	if (n < 0)
		return errno = n == -2 ? ERANGE : EINVAL, -1;
	st->ngroups = n;
	return 0;
}

/* --- comparing states ------------------------------------------------ */

static int diff_set(const char *what, uint64_t want, uint64_t got,
		    char *buf, size_t len)
{
	char has[CX_CAPS_TEXT], lacks[CX_CAPS_TEXT];
	uint64_t extra = got & ~want, missing = want & ~got;

	if (!extra && !missing)
		return 0;
	cx_caps_format(extra, has, sizeof(has));
	cx_caps_format(missing, lacks, sizeof(lacks));
	if (extra && missing)
		snprintf(buf, len,
			 "the %s set has %s, which was not asked for, and lacks %s",
			 what, has, lacks);
	else if (extra)
		snprintf(buf, len, "the %s set has %s, which was not asked for",
			 what, has);
	else
		snprintf(buf, len, "the %s set lacks %s, which was asked for",
			 what, lacks);
	return 1;
}

static int diff_ids(const char *what, const uint32_t *want,
		    const uint32_t *got, char *buf, size_t len)
{
	if (memcmp(want, got, 4 * sizeof(*want)) == 0)
		return 0;
	snprintf(buf, len,
		 "the %s IDs (real/effective/saved/fs) are %u/%u/%u/%u, not %u/%u/%u/%u as asked",
		 what, got[0], got[1], got[2], got[3], want[0], want[1],
		 want[2], want[3]);
	return 1;
}

static int has_group(const struct cx_capstate *st, uint32_t g)
{
	for (int i = 0; i < st->ngroups; i++)
		if (st->groups[i] == g)
			return 1;
	return 0;
}

/* "0 4 27" into BUF ("none" for no group), cut short when it does not
 * fit. */
static void format_groups(const struct cx_capstate *st, char *buf,
			  size_t len)
{
	size_t n = 0;

	snprintf(buf, len, "none");
	for (int i = 0; i < st->ngroups && n + 1 < len; i++) {
		int w = snprintf(buf + n, len - n, "%s%u", i ? " " : "",
				 st->groups[i]);

		if (w < 0)
			break;
		n += (size_t)w;
	}
}

static int diff_groups(const struct cx_capstate *want,
		       const struct cx_capstate *got, char *buf, size_t len)
{
	char w[256], g[256];
	int same = 1;

	for (int i = 0; i < want->ngroups && same; i++)
		same = has_group(got, want->groups[i]);
	for (int i = 0; i < got->ngroups && same; i++)
		same = has_group(want, got->groups[i]);
	if (same)
		return 0;
	format_groups(want, w, sizeof(w));
	format_groups(got, g, sizeof(g));
	snprintf(buf, len, "the supplementary groups are %s, not %s as asked",
		 g, w);
	return 1;
}

int cx_capstate_diff(const struct cx_capstate *want,
		     const struct cx_capstate *got, char *buf, size_t len)
{
	if (diff_ids("user", want->uid, got->uid, buf, len) ||
	    diff_ids("group", want->gid, got->gid, buf, len) ||
	    diff_groups(want, got, buf, len) ||
	    diff_set("bounding", want->bnd, got->bnd, buf, len) ||
	    diff_set("permitted", want->prm, got->prm, buf, len) ||
	    diff_set("effective", want->eff, got->eff, buf, len) ||
	    diff_set("inheritable", want->inh, got->inh, buf, len) ||
	    diff_set("ambient", want->amb, got->amb, buf, len))
		return 1;
	if (want->securebits >= 0 && got->securebits >= 0 &&
	    want->securebits != got->securebits) {
		char w[256], g[256];

		cx_secbits_format((unsigned)want->securebits, w, sizeof(w));
		cx_secbits_format((unsigned)got->securebits, g, sizeof(g));
		snprintf(buf, len,
			 "the securebits are 0x%x (%s), not 0x%x (%s) as asked",
			 (unsigned)got->securebits, *g ? g : "none",
			 (unsigned)want->securebits, *w ? w : "none");
		return 1;
	}
	if (want->nnp >= 0 && got->nnp >= 0 && want->nnp != got->nnp) {
		snprintf(buf, len, "no_new_privs is %d, not %d as asked",
			 got->nnp, want->nnp);
		return 1;
	}
	return 0;
}

int cx_caps_after_exec(const struct cx_capstate *before,
		       const struct cx_exec_file *f, struct cx_capstate *after,
		       uint64_t *missing)
{
	const struct cx_capstate *old = before;
	struct cx_capstate *n = after;
	uint32_t ruid = old->uid[0], euid = old->uid[1];
	uint32_t rgid = old->gid[0], egid = old->gid[1];
	bool effective = false, setid, noroot;

	*n = *old;
	*missing = 0;
	/* The set-ID bits change the effective ids (fs/exec.c). */
	if (f->setuid)
		euid = f->uid;
	if (f->setgid)
		egid = f->gid;

	/* pP' = (X & fP) | (pI & fI): the file's part. */
	n->prm = 0;
	if (f->fcaps) {
		n->prm = (old->bnd & f->fprm) | (old->inh & f->finh);
		effective = f->feff;
		*missing = f->fprm & ~n->prm;
		/* A file that says "effective" cannot run without all it
		 * permits: the kernel refuses it. */
		if (effective && *missing) {
			errno = EPERM;
			return -1;
		}
	}
	/* Root: the file's sets count as full, unless SECBIT_NOROOT; not
	 * for a set-user-ID-root file with capabilities run by another
	 * user. */
	noroot = old->securebits >= 0 &&
		 ((unsigned)old->securebits & CX_SECBIT_NOROOT);
	if (!noroot && !(f->fcaps && ruid != 0 && euid == 0)) {
		if (euid == 0 || ruid == 0)
			n->prm = old->bnd | old->inh;
		if (euid == 0)
			effective = true;
	}
	/* A set-ID exec, as the kernel counts it.  Under no_new_privs
	 * nothing is gained. */
	if (f->ids_by_effective) {
		bool in_groups = egid == old->gid[3];

		for (int i = 0; i < old->ngroups && !in_groups; i++)
			in_groups = old->groups[i] == egid;
		setid = euid != old->uid[1] || !in_groups;
	} else {
		setid = euid != ruid || egid != rgid;
	}
	if ((setid || (n->prm & ~old->prm)) && old->nnp == 1) {
		euid = ruid;
		egid = rgid;
		n->prm &= old->prm;
	}
	n->uid[1] = n->uid[2] = n->uid[3] = euid;
	n->gid[1] = n->gid[2] = n->gid[3] = egid;
	/* File capabilities or a set-ID change clear the ambient set. */
	if (f->fcaps || setid)
		n->amb = 0;
	n->prm |= n->amb;
	n->eff = effective ? n->prm : n->amb;
	/* The inheritable and bounding sets pass unchanged; keep_caps is
	 * always cleared. */
	if (n->securebits >= 0)
		n->securebits &= ~(int)CX_SECBIT_KEEP_CAPS;
	return 0;
}
