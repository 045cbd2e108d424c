/* cx-cgroup's device rules: which device nodes a cgroup's processes
 * may make (mknod) and open.  Rules in v1's words ("c 1:3 rwm", "a"),
 * applied in order, the last that matches deciding; on v1 they are
 * written to the devices controller's files, on v2 (which has no such
 * files) they become a BPF program of type CGROUP_DEVICE attached to
 * the cgroup, as runc and systemd do.  See cg.h. */
#include "cg-impl.h"

#include "die.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The largest major and minor numbers (MINORBITS 20, 12 left of 32). */
#define MAJOR_LIMIT 4096
#define MINOR_LIMIT (1 << 20)

static int parse_number(const char **s, int64_t *out, int64_t limit)
{
	int64_t v = 0;
	int n = 0;

	if (**s == '*') {
		(*s)++;
		*out = -1;
		return 0;
	}
	for (; isdigit((unsigned char)**s); (*s)++, n++)
		if ((v = v * 10 + (**s - '0')) >= limit)
			return cx_cg_errno(ERANGE);
	if (!n)
		return cx_cg_errno(EINVAL);
	*out = v;
	return 0;
}

int cx_cg_parse_device(const char *text, bool allow, struct cx_cg_device *out)
{
	const char *s = text;

	*out = (struct cx_cg_device){ .allow = allow, .major = -1,
				      .minor = -1, .access = CX_CG_DEV_RWM };
	if (strcmp(s, "a") == 0 || strcmp(s, "a *:* rwm") == 0) {
		out->type = 'a';
		return 0;
	}
	if ((*s != 'c' && *s != 'b') || s[1] != ' ')
		return cx_cg_errno(EINVAL);
	out->type = *s;
	s += 2;
	if (parse_number(&s, &out->major, MAJOR_LIMIT) < 0)
		return -1;
	if (*s++ != ':')
		return cx_cg_errno(EINVAL);
	if (parse_number(&s, &out->minor, MINOR_LIMIT) < 0)
		return -1;
	if (!*s)
		return 0;
	if (*s++ != ' ' || !*s)
		return cx_cg_errno(EINVAL);
	out->access = 0;
	for (; *s; s++) {
		unsigned bit = *s == 'r' ? CX_CG_DEV_READ :
			       *s == 'w' ? CX_CG_DEV_WRITE :
			       *s == 'm' ? CX_CG_DEV_MKNOD : 0;

		if (!bit || (out->access & bit))
			return cx_cg_errno(EINVAL);
		out->access |= bit;
	}
	return 0;
}

void cx_cg_device_text(const struct cx_cg_device *d, char *out, size_t len)
{
	char major[24] = "*", minor[24] = "*";

	if (d->type == 'a') {
		snprintf(out, len, "a");
		return;
	}
	if (d->major >= 0)
		snprintf(major, sizeof(major), "%lld", (long long)d->major);
	if (d->minor >= 0)
		snprintf(minor, sizeof(minor), "%lld", (long long)d->minor);
	snprintf(out, len, "%c %s:%s %s%s%s", d->type, major, minor,
		 d->access & CX_CG_DEV_READ ? "r" : "",
		 d->access & CX_CG_DEV_WRITE ? "w" : "",
		 d->access & CX_CG_DEV_MKNOD ? "m" : "");
}

/* --- The v2 program ------------------------------------------------ */

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src,
			    int16_t off, int32_t imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst & 0xf,
				  .src_reg = src & 0xf, .off = off,
				  .imm = imm };
}

/* Registers: r1 the context (struct bpf_cgroup_dev_ctx), r2 the type,
 * r3 the access asked, r4 the major, r5 the minor, r0 scratch and the
 * answer (1 allows). */
int cx_cg_device_prog(const struct cx_cg_device *r, int n,
		      struct bpf_insn *p, int max)
{
	int k = 0, first = 0, deflt = 1;

	/* A rule for every device ("a") sets what the others are
	 * exceptions to, and forgets those before it, as on v1. */
	for (int i = 0; i < n; i++)
		if (r[i].type == 'a') {
			first = i + 1;
			deflt = r[i].allow;
		}
	if (max < CX_CG_DEV_INSNS(n - first))
		return cx_cg_errno(E2BIG);
	p[k++] = insn(BPF_LDX | BPF_W | BPF_MEM, 2, 1, 0, 0);
	p[k++] = insn(BPF_ALU | BPF_MOV | BPF_X, 3, 2, 0, 0);
	p[k++] = insn(BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16);
	p[k++] = insn(BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
	p[k++] = insn(BPF_LDX | BPF_W | BPF_MEM, 4, 1, 4, 0);
	p[k++] = insn(BPF_LDX | BPF_W | BPF_MEM, 5, 1, 8, 0);
	/* The last rule first: the first that matches decides. */
	for (int i = n - 1; i >= first; i--) {
		int jumps[4], nj = 0;

		jumps[nj++] = k;
		p[k++] = insn(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0,
			      r[i].type == 'c' ? BPF_DEVCG_DEV_CHAR :
						 BPF_DEVCG_DEV_BLOCK);
		/* An allow covers a request whose every access it names;
		 * a deny, one that asks for any access it names. */
		if (r[i].access != CX_CG_DEV_RWM) {
			p[k++] = insn(BPF_ALU | BPF_MOV | BPF_X, 0, 3, 0, 0);
			p[k++] = insn(BPF_ALU | BPF_AND | BPF_K, 0, 0, 0,
				      r[i].allow ? (int32_t)(~r[i].access & CX_CG_DEV_RWM) :
						   (int32_t)r[i].access);
			jumps[nj++] = k;
			p[k++] = insn(BPF_JMP | (r[i].allow ? BPF_JNE : BPF_JEQ) | BPF_K,
				      0, 0, 0, 0);
		}
		if (r[i].major >= 0) {
			jumps[nj++] = k;
			p[k++] = insn(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0,
				      (int32_t)r[i].major);
		}
		if (r[i].minor >= 0) {
			jumps[nj++] = k;
			p[k++] = insn(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0,
				      (int32_t)r[i].minor);
		}
		p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r[i].allow);
		p[k++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		/* A test that fails goes on to the next rule. */
		for (int j = 0; j < nj; j++)
			p[jumps[j]].off = (int16_t)(k - jumps[j] - 1);
	}
	p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, deflt);
	p[k++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return k;
}

static long bpf(int cmd, union bpf_attr *a)
{
	return syscall(SYS_bpf, cmd, a, sizeof(*a));
}

/* Load the program of the N rules and attach it to the cgroup DIR,
 * beside those above it (BPF_F_ALLOW_MULTI: each must allow). */
static int attach_v2(const char *dir, const struct cx_cg_device *r, int n)
{
	static const char license[] = "GPL";
	struct bpf_insn *prog;
	union bpf_attr a;
	int len, fd, cg, rc = 0;

	prog = calloc((size_t)CX_CG_DEV_INSNS(n), sizeof(*prog));
	if (!prog)
		return cx_fail(ENOMEM, "device rules");
	len = cx_cg_device_prog(r, n, prog, CX_CG_DEV_INSNS(n));
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)prog;
	a.insn_cnt = (uint32_t)len;
	a.license = (uint64_t)(uintptr_t)license;
	cx_say("load a BPF program of %d device rules for %s", n, dir);
	fd = (int)bpf(BPF_PROG_LOAD, &a);
	if (fd < 0 && errno == EINVAL) {
		/* The verifier's reason: the first line of its log. */
		char log[4096] = "";

		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		fd = (int)bpf(BPF_PROG_LOAD, &a);
		if (fd < 0 && *log) {
			log[strcspn(log, "\n")] = '\0';
			free(prog);
			return cx_fail(0, "%s: the kernel's verifier refused the device rules' BPF program: %s",
				       dir, log);
		}
	}
	free(prog);
	if (fd < 0)
		return cx_fail(errno, "%s: load the device rules' BPF program", dir);
	cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0) {
		rc = cx_fail(errno, "open %s", dir);
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cg;
	a.attach_bpf_fd = (uint32_t)fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	cx_say("attach it to %s", dir);
	if (bpf(BPF_PROG_ATTACH, &a) < 0)
		rc = cx_fail(errno, "%s: attach the device rules' BPF program", dir);
	close(cg);
out:
	close(fd);
	return rc;
}

int cx_cg_devices_v1(const struct cx_cg_layout *l)
{
	return cx_cg_find(l, NULL, "devices");
}

int cx_cg_devices(const struct cx_cg_layout *l, const char *name,
		  const struct cx_cg_device *r, int n)
{
	int v1 = cx_cg_devices_v1(l), done = 0;

	if (!n)
		return 0;
	if (v1 >= 0 && cx_cg_exists(l, v1, name)) {
		char *dir = cx_cg_path(l, v1, name), text[48];

		for (int i = 0; i < n; i++) {
			cx_cg_device_text(&r[i], text, sizeof(text));
			if (cx_cg_write(dir, r[i].allow ? "devices.allow" :
							  "devices.deny", text) < 0) {
				free(dir);
				return -1;
			}
		}
		free(dir);
		done++;
	}
	if (l->v2 >= 0 && cx_cg_exists(l, l->v2, name)) {
		char *dir = cx_cg_path(l, l->v2, name);
		int rc = attach_v2(dir, r, n);

		free(dir);
		if (rc < 0)
			return -1;
		done++;
	}
	if (!done)
		return cx_fail(0, "%s: no devices controller and no cgroup2 hierarchy to hold device rules",
			       name);
	return 0;
}
