/* The table of namespace kinds: option name, /proc/PID/ns file, clone
 * flag.  One table drives cx-unshare's and cx-nsenter's options. */
#ifndef CX_NS_H
#define CX_NS_H

#include <stddef.h>
#include <stdbool.h>
#include <sys/types.h>

struct cx_idmap;

struct cx_ns {
	const char *name;	/* option name: "mount" */
	const char *file;	/* /proc/PID/ns/FILE: "mnt" */
	/* The file that names the namespace our children will get, for
	 * the kinds the caller does not enter itself (pid, time). */
	const char *child_file;
	int flag;		/* CLONE_NEWNS */
};

/* Table indexes, in the order of entry for cx-nsenter. */
enum cx_ns_index {
	CX_NS_USER, CX_NS_CGROUP, CX_NS_IPC, CX_NS_UTS, CX_NS_NET, CX_NS_PID,
	CX_NS_MNT, CX_NS_TIME, CX_NS_COUNT
};
extern const struct cx_ns cx_ns_table[CX_NS_COUNT];

/* The inode of /proc/PID/ns/FILE (pid 0: self); -1 on error
 * (recorded with cx_fail). */
int cx_ns_inode(pid_t pid, const char *file, ino_t *ino);

/* Whether we are in the first user namespace, the one that maps every
 * id to itself (/proc/self/uid_map): 1 yes, 0 no, -1 no proc to tell. */
int cx_ns_user_is_initial(void);

/* Whether we are in the first PID namespace, whose inode the kernel
 * fixes (PROC_PID_INIT_INO): 1 yes, 0 no, -1 no proc to tell. */
int cx_ns_pid_is_initial(void);

/* A process that only waits for its command (cx-cgroup run --rm, a
 * cx-unshare --fork that makes no PID namespace) and shares its PID
 * namespace, when that is not the host's: every process of the
 * container that may trace it would reach, through /proc/PID, whatever
 * it holds, the tree and the namespaces the container's later links
 * leave.  Do we stand there?  Outside a container's PID namespace (in
 * the first one) every process may trace the host's anyway. */
bool cx_ns_in_sight(void);

/* So it leaves them for namespaces of its own, empty: network, UTS and
 * IPC, and a mount namespace whose root is an empty tmpfs holding only
 * the directories DIRS names (cx_mount_leave_tree), while its command,
 * CHILD, waits at a gate whose writing end is GATE.  WHO names it in
 * messages.  When it cannot, the command never runs: it says why,
 * closes GATE, reaps CHILD and exits 125.  SIGPIPE is ignored from
 * then on: a command that died at its gate is reaped as an error. */
void cx_ns_leave_for_waiting(const char *const *dirs, const char *who,
			     int gate, pid_t child);

/* A new user namespace whose uid_map holds the NU lines of UIDS and
 * whose gid_map the NG lines of GIDS ("inner outer count"; none: every
 * id to itself), held by the returned descriptor of it: the process
 * made to carry it while the maps are written is gone on return.  -1
 * recorded with cx_fail: the kernel's refusal of a map is named with
 * the map's file. */
int cx_ns_user_mapped(const struct cx_idmap *uids, size_t nu,
		      const struct cx_idmap *gids, size_t ng);

#endif
