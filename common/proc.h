/* What a tool reads about another process: its PID from text or a
 * pidfile, its state and start time from /proc/PID/stat, its
 * environment from /proc/PID/environ; and what a link of a chain keeps
 * about its own: the parent-death signal across a change of its IDs.
 * The parsers are pure, so that the unit tests reach them directly; the
 * readers record failures with cx_fail. */
#ifndef CX_PROC_H
#define CX_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A process ID: decimal digits, 1 .. INT_MAX, and at most one newline
 * after them (a pidfile's form, "4242\n").  -1 with EINVAL or ERANGE. */
int cx_parse_pid(const char *s, pid_t *pid);

/* The fields of /proc/PID/stat that tell a process apart: its state
 * letter (field 3: R, S, D, T, Z...) and its start time in clock ticks
 * after boot (field 22), which tells a recycled PID from the process
 * we looked at. */
struct cx_proc_stat {
	char state;
	unsigned long long start;
};
/* TEXT is the whole file.  The command name (field 2) may hold spaces
 * and parentheses, so the fields after it are counted from its last
 * ')'.  -1 with EINVAL when the text has not that form. */
int cx_parse_proc_stat(const char *text, struct cx_proc_stat *st);

/* Split the text of /proc/PID/environ (LEN bytes in BUF, which must
 * have room for one more byte) into its "NAME=VALUE" strings, which
 * point into BUF.  Entries without '=' or with an empty name are left
 * out, as the kernel keeps whatever a process wrote there.  Returns a
 * NULL-terminated vector to free(), or NULL with errno ENOMEM. */
char **cx_parse_environ(char *buf, size_t len);

/* The state and start time of PID.  -1 recorded with cx_fail; errno
 * ESRCH when there is no such process. */
int cx_proc_stat(pid_t pid, struct cx_proc_stat *st);

/* The PID in the file PATH, as cx-unshare --pidfile writes it.  The
 * file must be a regular one, symbolic links followed: anything else is
 * refused at once, without opening it (a FIFO would block).  -1
 * recorded with cx_fail: the errno of open or read, or 0 (the message
 * says it all) when the file is not regular or holds no process ID. */
int cx_read_pidfile(const char *path, pid_t *pid);

/* The parent-death signal (PR_SET_PDEATHSIG, which cx-unshare
 * --kill-child sets) across a credential change.  The kernel clears it
 * whenever the effective or file system user or group ID changes, or
 * the permitted set grows (commit_creds), so a link that changes IDs
 * would let its command outlive the parent the signal was for.
 *
 * cx_pdeath_hold, before the change, reads the signal; when there is
 * one it starts a thread that sets the same signal and waits.  Each
 * thread has a parent-death signal of its own and the kernel sends
 * every one to the whole process, so from then on the parent's death
 * kills the process whichever thread's IDs change.  That holds when the
 * parent lies outside our PID namespace too, where getppid() is 0 and
 * no check made after the change could tell that it died.
 *
 * Between the two, change IDs with cx_set_ids only: glibc's setuid()
 * and its kind change every thread, the watcher's too, which would
 * clear its signal.
 *
 * cx_pdeath_release, after the change, sets the signal again on the
 * calling thread, then stops the watcher.  The parent, if it died in
 * between, has had its signal sent by the kernel, through the watcher;
 * and after the two, PR_GET_PDEATHSIG is checked.  One hold at a time;
 * without a signal both do nothing.  -1 recorded with cx_fail. */
int cx_pdeath_hold(void);
int cx_pdeath_release(void);

/* New IDs for the calling thread alone (the system calls themselves,
 * see cx_pdeath_hold): the supplementary groups when NGROUPS >= 0,
 * then the real, effective and saved group ID when SET_GID, and user
 * ID when SET_UID.  Groups first and the uid last: each step needs the
 * privilege the next one drops.  -1 recorded with cx_fail naming the
 * step. */
struct cx_ids {
	int ngroups;
	const gid_t *groups;
	bool set_uid, set_gid;
	uid_t uid;
	gid_t gid;
};
int cx_set_ids(const struct cx_ids *ids);

#endif
