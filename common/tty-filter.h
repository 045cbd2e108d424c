/* The one system call filter cx installs on its own. */
#ifndef CX_TTY_FILTER_H
#define CX_TTY_FILTER_H

/* Refuse, with EPERM, the two ioctls through which a process writes to
 * a terminal's input or console as if typed there: TIOCSTI (pushes
 * characters that the shell reading the terminal runs after the
 * container has exited: CVE-2017-5226 in bubblewrap, CVE-2016-9016 in
 * firejail) and TIOCLINUX (the same through the console's selection,
 * CVE-2023-28100 in flatpak).  No capability lifts a seccomp filter,
 * and every child and exec inherits it.  Needs CAP_SYS_ADMIN in our
 * user namespace or no_new_privs.  0, or -1 recorded with cx_fail. */
int cx_block_tty_injection(void);

#endif
