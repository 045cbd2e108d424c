/* Running the rest of argv, and the fork-and-wait of forking tools. */
#ifndef CX_EXEC_H
#define CX_EXEC_H

#include <stdbool.h>
#include <stdnoreturn.h>
#include <sys/types.h>

/* When argv[0] names another cx tool (a name starting "cx-", searched
 * on PATH, or a path whose last component starts "cx-"), open it now,
 * before the root changes: the new root holds none of our tools.
 * The descriptor is a sealed in-memory copy of the tool (see cx.7).
 * Returns it, -1 when argv[0] is no cx tool or is not found here (then
 * it is looked up after the change, as usual), or -2 when the copy
 * failed (recorded with cx_fail). */
int cx_exec_preopen(char *const argv[]);

/* For a tool that joins a running container or stays visible in one
 * (cx-nsenter, the init of cx-unshare): when our own executable is a
 * host file that could be written (not on a read-only mount, not a
 * sealed copy), run ARGV again from a read-only view of it or a sealed
 * copy, so that no process in the container can reach the host's file
 * through /proc/PID/exe (CVE-2019-5736).  Returns 0 when already so;
 * otherwise it execs, or returns -1 recorded with cx_fail. */
int cx_exec_seal_self(char *const argv[]);

/* The variable that passes the host's tool directory down a chain. */
#define CX_TOOLDIR_ENV "CX_TOOLDIR_FD"
/* N: descriptors 3 to N + 2 stay open down a chain and reach its
 * command (cx-oci's --preserve-fds, and its own two). */
#define CX_PRESERVE_ENV "CX_PRESERVE_FDS"

/* Run argv: by TOOLFD when it is >= 0 (execveat); a cx tool after a
 * root change from the host's tool directory (CX_TOOLDIR_FD); anything
 * else with a PATH search.  No descriptor but 0, 1 and 2 (and those of
 * CX_PRESERVE_FDS) reaches the command.  Never
 * returns: on failure it prints why and exits 127 when the command was
 * not found, 126 when it could not be run. */
noreturn void cx_exec(int toolfd, char *const argv[]);
/* ON in a child that shares its parent's memory and stack (cx_vfork3,
 * see syscalls.h): cx_exec's failures then end in _exit(), which runs
 * none of the parent's atexit handlers.  The parent sets it off again
 * when the child has gone: the flag is in the memory they share.  That
 * also gives the parent back what it knew of the tool directory, which
 * the child's cx_exec changed there. */
void cx_exec_vforked(bool on);

/* Fail closed: make sure argv[0] can be run before the step that
 * precedes its exec, where both happen in the same root (cx-bind,
 * cx-overlay mount, cx-cgroup run): a typo then costs nothing.  Looked
 * up as cx_exec will (a cx tool among the host's tools when a chain
 * passed them down, else PATH as execvp(3) does).  Returns 0, or exits
 * 127 (not found) or 126 (found, not executable) saying nothing was
 * done. */
void cx_exec_find(char *const argv[]);

/* The signals a forking tool passes on to its child: SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH.  Call cx_signals_hold()
 * before fork(); the child calls cx_signals_release() before exec. */
void cx_signals_hold(void);
void cx_signals_release(void);

/* A process that runs no further cx tool itself (an init, a waiting
 * parent) lets go of the tool directory a chain passed down, which a
 * process of the container could otherwise reach through /proc/PID/fd;
 * unless ARGV, the command its child will run, names a cx tool, which
 * cx_exec passes the directory on to.  cx_wait_forward does it with
 * ARGV NULL; call it before the child is made, so that a command that
 * is no cx tool never runs while the directory is held. */
void cx_forget_tooldir(char *const argv[]);

/* Wait for PID, passing the held signals on to it.  With reap_all (an
 * init), every other child that exits is reaped as well.  Returns PID's
 * wait status. */
int cx_wait_forward(pid_t pid, bool reap_all);

/* Run argv as a child with the held signals passed on (see above):
 * cx_signals_hold(), fork, and in the child cx_signals_release() and
 * cx_exec().  Returns the child's PID; a failed fork is recorded with
 * cx_fail and gives -1. */
pid_t cx_spawn(int toolfd, char *const argv[]);
/* The same, the child waiting before its exec until one byte comes
 * through the pipe GATE (EOF makes it exit 125): the parent does first
 * what must come before the command runs, then writes to gate[1].
 * gate[0] is closed in the parent. */
pid_t cx_spawn_gated(int toolfd, char *const argv[], const int gate[2]);

/* Exit as the child did: its exit code, or the same signal (with core
 * dumps off) and, when that does not end us (PID 1 of a namespace
 * ignores it), 128 + the signal number. */
noreturn void cx_exit_like(int status);

#endif
