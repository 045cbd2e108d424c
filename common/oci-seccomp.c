/* linux.seccomp compiled with libseccomp, and the program loaded.
 *
 * libseccomp, not a compiler of our own: it knows every architecture's
 * system call numbers (a profile names about four hundred, by name,
 * for x86_64, x86 and x32 at once), the multiplexed calls (socketcall
 * on x86), and makes the architecture checks and the argument
 * comparisons of 64-bit values on 32-bit ABIs right, which is most of
 * what goes wrong in a hand-written filter. */
#include "oci-seccomp.h"
#include "die.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char where[] = "config.json: linux.seccomp";

/* An action's name (SCMP_ACT_ERRNO) and its errno (ERRNO_RET, or -1:
 * EPERM) as libseccomp's action; -1 recorded for one it cannot take. */
static int action(const char *name, long long errno_ret, const char *field,
		  uint32_t *out)
{
	int err = errno_ret >= 0 ? (int)errno_ret : EPERM;

	if (!name)
		return cx_fail(0, "%s.%s: missing", where, field);
	if (errno_ret > 4095)
		return cx_fail(0, "%s: errnoRet %lld: above 4095", where, errno_ret);
	if (!strcmp(name, "SCMP_ACT_KILL") || !strcmp(name, "SCMP_ACT_KILL_THREAD"))
		*out = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(name, "SCMP_ACT_TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (!strcmp(name, "SCMP_ACT_ERRNO"))
		*out = SCMP_ACT_ERRNO((uint16_t)err);
	else if (!strcmp(name, "SCMP_ACT_TRACE"))
		*out = SCMP_ACT_TRACE((uint16_t)err);
	else if (!strcmp(name, "SCMP_ACT_ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (!strcmp(name, "SCMP_ACT_LOG"))
		*out = SCMP_ACT_LOG;
	else if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		return cx_fail(0, "%s.%s: SCMP_ACT_NOTIFY: cx-oci has no seccomp agent to hand the listener to (listenerPath)",
			       where, field);
	else
		return cx_fail(0, "%s.%s: unknown action '%s'", where, field, name);
	return 0;
}

static long long int_of(json_t *obj, const char *key, long long dflt)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

static int flags_of(json_t *sc, unsigned *flags)
{
	static const struct { const char *name; unsigned flag; } known[] = {
		{ "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
		{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
		{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
	};
	json_t *arr = json_object_get(sc, "flags"), *v;
	size_t i;

	*flags = 0;
	json_array_foreach(arr, i, v) {
		const char *name = json_string_value(v);
		size_t k = 0;

		while (name && k < sizeof(known) / sizeof(*known) &&
		       strcmp(name, known[k].name))
			k++;
		if (!name || k == sizeof(known) / sizeof(*known))
			return cx_fail(0, "%s.flags: unknown flag '%s'", where,
				       name ? name : "");
		*flags |= known[k].flag;
	}
	return 0;
}

static int add_arches(scmp_filter_ctx ctx, json_t *sc)
{
	json_t *arr = json_object_get(sc, "architectures"), *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		const char *name = json_string_value(v);
		char lower[32];
		uint32_t arch;
		int rc;

		if (!name || strncmp(name, "SCMP_ARCH_", 10) ||
		    strlen(name + 10) >= sizeof(lower))
			return cx_fail(0, "%s.architectures: '%s' is no SCMP_ARCH_ name",
				       where, name ? name : "");
		for (size_t k = 0; k == 0 || name[10 + k - 1]; k++)
			lower[k] = (char)tolower((unsigned char)name[10 + k]);
		arch = seccomp_arch_resolve_name(lower);
		if (!arch)
			return cx_fail(0, "%s.architectures: %s is not known to libseccomp", where, name);
		rc = seccomp_arch_add(ctx, arch);
		if (rc < 0 && rc != -EEXIST)
			return cx_fail(-rc, "%s.architectures: add %s", where, name);
	}
	return 0;
}

static int op_of(const char *name, enum scmp_compare *op)
{
	static const struct { const char *name; enum scmp_compare op; } ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};

	for (size_t k = 0; name && k < sizeof(ops) / sizeof(*ops); k++)
		if (!strcmp(name, ops[k].name)) {
			*op = ops[k].op;
			return 0;
		}
	return cx_fail(0, "%s.syscalls[].args[].op: unknown operator '%s'", where,
		       name ? name : "");
}

/* One entry of syscalls: each name with the entry's action and
 * argument checks.  As runc: the checks all in one rule (and), unless
 * two check the same argument, when each is a rule of its own (or). */
static int add_syscalls(scmp_filter_ctx ctx, json_t *entry, uint32_t dflt)
{
	json_t *names = json_object_get(entry, "names"), *args, *v;
	struct scmp_arg_cmp cmp[6];
	unsigned n = 0, seen = 0;
	bool apart = false;
	uint32_t act;
	size_t i;

	if (!json_is_array(names))
		return cx_fail(0, "%s.syscalls[].names: must be a list of names", where);
	if (action(json_string_value(json_object_get(entry, "action")),
		   int_of(entry, "errnoRet", -1), "syscalls[].action", &act) < 0)
		return -1;
	args = json_object_get(entry, "args");
	json_array_foreach(args, i, v) {
		long long index = int_of(v, "index", -1);
		enum scmp_compare op = SCMP_CMP_EQ;

		if (index < 0 || index > 5 || n == 6)
			return cx_fail(0, "%s.syscalls[].args[].index: 0 to 5, one check each at most", where);
		if (op_of(json_string_value(json_object_get(v, "op")), &op) < 0)
			return -1;
		apart |= seen & (1u << index);
		seen |= 1u << index;
		cmp[n++] = (struct scmp_arg_cmp){
			(unsigned)index, op,
			(scmp_datum_t)json_integer_value(json_object_get(v, "value")),
			(scmp_datum_t)json_integer_value(json_object_get(v, "valueTwo")),
		};
	}
	/* A rule that does what the default does is no rule. */
	if (act == dflt)
		return 0;
	json_array_foreach(names, i, v) {
		const char *name = json_string_value(v);
		int nr, rc = 0;

		if (!name)
			return cx_fail(0, "%s.syscalls[].names: must be a list of names", where);
		nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR)
			continue;	/* not a call this libseccomp knows */
		if (!apart)
			rc = seccomp_rule_add_array(ctx, act, nr, n, cmp);
		for (unsigned k = 0; apart && k < n && rc == 0; k++)
			rc = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[k]);
		if (rc < 0)
			return cx_fail(-rc, "%s: the rule for %s", where, name);
	}
	return 0;
}

int cx_oci_seccomp(void *doc, unsigned *flags)
{
	json_t *sc = json_object_get(json_object_get(doc, "linux"), "seccomp");
	json_t *calls, *v;
	scmp_filter_ctx ctx;
	uint32_t dflt;
	size_t i;
	int fd = -1, rc;

	if (!sc || json_is_null(sc))
		return -1;
	if (!json_is_object(sc))
		return cx_fail(0, "%s: must be an object", where), -2;
	if (json_object_get(sc, "listenerPath"))
		return cx_fail(0, "%s.listenerPath: cx-oci has no seccomp agent to hand the listener to", where), -2;
	if (action(json_string_value(json_object_get(sc, "defaultAction")),
		   int_of(sc, "defaultErrnoRet", -1), "defaultAction", &dflt) < 0 ||
	    flags_of(sc, flags) < 0)
		return -2;
	ctx = seccomp_init(dflt);
	if (!ctx)
		return cx_fail(0, "%s: libseccomp cannot start a filter", where), -2;
	if (add_arches(ctx, sc) < 0)
		goto fail;
	calls = json_object_get(sc, "syscalls");
	json_array_foreach(calls, i, v)
		if (add_syscalls(ctx, v, dflt) < 0)
			goto fail;
	fd = memfd_create("cx-oci-seccomp", MFD_CLOEXEC);
	if (fd < 0) {
		cx_fail(errno, "memfd_create");
		goto fail;
	}
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		cx_fail(rc < 0 ? -rc : errno, "%s: export the program", where);
		goto fail;
	}
	seccomp_release(ctx);
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return -2;
}

int cx_oci_seccomp_load(int fd, unsigned flags)
{
	struct sock_fprog prog;
	struct stat st;
	ssize_t n = 0;
	char *buf;

	if (fstat(fd, &st) < 0 || st.st_size <= 0 ||
	    st.st_size % (off_t)sizeof(struct sock_filter) ||
	    st.st_size > BPF_MAXINSNS * (off_t)sizeof(struct sock_filter)) {
		close(fd);
		return cx_fail(0, "the seccomp program handed down is no program");
	}
	buf = malloc((size_t)st.st_size);
	for (ssize_t r = 1; buf && n < st.st_size && r > 0; n += r > 0 ? r : 0)
		r = pread(fd, buf + n, (size_t)(st.st_size - n), n);
	close(fd);
	if (!buf || n != st.st_size) {
		free(buf);
		return cx_fail(errno, "read the seccomp program");
	}
	prog.len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
	prog.filter = (struct sock_filter *)buf;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) < 0) {
		int err = errno;

		free(buf);
		return cx_fail(err, "load the seccomp filter (%u instructions)", prog.len);
	}
	free(buf);
	return 0;
}
