/* An OCI runtime bundle (config.json) made into a cx chain: the words
 * of one command line of cx tools that builds the same container.
 * cx-oci runs that command line; `cx-oci spec --print-chain` prints it.
 *
 * config.json is read with jansson.  What the chain cannot express is
 * done by cx-oci around it (rlimits, umask, sysctls, the environment)
 * or left out, and each such thing is listed in the chain's notes, so
 * that nothing is dropped without a word. */
#ifndef CX_OCI_H
#define CX_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

/* A growing NULL-terminated list of strings, each malloc'd. */
struct cx_words {
	char **v;
	size_t n, cap;
};
int cx_words_add(struct cx_words *w, const char *s);
int cx_words_addf(struct cx_words *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cx_words_free(struct cx_words *w);

struct cx_oci_rlimit {
	int resource;		/* RLIMIT_NOFILE */
	const char *name;	/* "RLIMIT_NOFILE" */
	struct rlimit lim;
};

/* What config.json asks of the container. */
struct cx_oci_spec {
	void *doc;		/* the parsed document (json_t) */
	char *bundle;		/* absolute */
	char *rootfs;		/* absolute */
	bool terminal;		/* process.terminal */
	unsigned rows, cols;	/* process.consoleSize, 0: not given */
	/* Set by the caller: linux.seccomp's program will be handed down
	 * (the last of the chain's descriptors), to load with these flags. */
	bool seccomp;
	unsigned seccomp_flags;
	int umask;		/* -1: not given */
	struct cx_oci_rlimit rlimits[16];
	size_t nrlimits;
	struct cx_words env;	/* process.env */
	struct cx_words args;	/* process.args */
	struct cx_words sysctl;	/* "key=value" */
	char *cgroup_parent;	/* from cgroupsPath, or NULL: the cx base */
	char *cgroup_name;	/* the last component, or the id */
	bool pid_ns, user_ns;	/* a new PID (user) namespace */
	char *ns_path[8];	/* a namespace to join, by cx_ns_table index */
};

/* Read BUNDLE/config.json.  0, or -1 recorded with cx_fail naming the
 * file and, for a value of the wrong kind, its place ("process.args").
 * ID names the default cgroup. */
int cx_oci_load(const char *bundle, const char *id, struct cx_oci_spec *s);
void cx_oci_free(struct cx_oci_spec *s);

struct cx_oci_how {
	bool detach;		/* cx-unshare --detach; false: --fork */
	bool hold;		/* "cx-oci hold" before the command */
	bool cgroup2_only;	/* the host is cgroup v2 alone */
	/* The cgroup is there already (another container's): device rules
	 * go only to a cgroup cx-cgroup makes, and its own stand. */
	bool cgroup_exists;
};

/* linux.resources' limits (memory, swap, pids, CPU) as cx-cgroup's
 * options ("--memory=N"), into C, and what they leave out into NOTES:
 * for update, which applies them to the running container's cgroup. */
int cx_oci_resources(void *res, struct cx_words *c, struct cx_words *notes);

/* The chain, into CHAIN (the words, the first a cx tool) and NOTES (one
 * line each for what the chain leaves to cx-oci or out).  0, or -1
 * recorded with cx_fail for what cannot be run at all. */
int cx_oci_chain(const struct cx_oci_spec *s, const struct cx_oci_how *how,
		 struct cx_words *chain, struct cx_words *notes);

/* A process object (process.json, or config.json's with the command
 * line's changes) read as cx_oci_load reads config.json's: args, env,
 * rlimits, umask, terminal; P holds a reference to PROC (a json_t).
 * WHERE names it in errors. */
int cx_oci_load_process(void *proc, const char *where, struct cx_oci_spec *p);

/* cx-oci exec's chain: P's command in the cgroup CG_PARENT/CG_NAME and
 * in the namespaces and root of the running container PID, with P's
 * capabilities, user and environment; READY ends with "cx-oci ready",
 * else with env -i (printed). */
int cx_oci_exec_chain(const char *cg_parent, const char *cg_name, pid_t pid,
		      const struct cx_oci_spec *p, bool ready,
		      struct cx_words *chain, struct cx_words *notes);

#endif
