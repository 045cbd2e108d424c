/* The table of namespace kinds: option name, /proc/PID/ns file, clone
 * flag.  One table drives cx-unshare's and cx-nsenter's options. */
#ifndef CX_NS_H
#define CX_NS_H

#include <sys/types.h>

struct cx_ns {
	const char *name;	/* option name: "mount" */
	const char *file;	/* /proc/PID/ns/FILE: "mnt" */
	/* The file that names the namespace our children will get, for
	 * the kinds the caller does not enter itself (pid, time). */
	const char *child_file;
	int flag;		/* CLONE_NEWNS */
};

extern const struct cx_ns cx_ns_table[];
enum { CX_NS_COUNT = 8 };

/* By option name or file name ("mount" or "mnt"); NULL if unknown. */
const struct cx_ns *cx_ns_by_name(const char *name);

/* The inode of /proc/PID/ns/FILE (pid 0: self); -1 on error
 * (recorded with cx_fail). */
int cx_ns_inode(pid_t pid, const char *file, ino_t *ino);

#endif
