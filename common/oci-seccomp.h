/* An OCI bundle's linux.seccomp, compiled by libseccomp into a BPF
 * program on the host, and loaded by a link of the chain. */
#ifndef CX_OCI_SECCOMP_H
#define CX_OCI_SECCOMP_H

/* linux.seccomp of DOC (a json_t, config.json) compiled: a descriptor
 * of a memfd holding the program as seccomp(2) takes it (struct
 * sock_filter, one after the other), with *FLAGS the flags to load it
 * with (linux.seccomp.flags).  -1 with no error recorded when DOC asks
 * for no filter; -2 recorded with cx_fail naming the value at fault.
 * Syscalls this libseccomp does not know are left out, as runc does. */
int cx_oci_seccomp(void *doc, unsigned *flags);

/* Load the program on FD with FLAGS (SECCOMP_SET_MODE_FILTER); FD is
 * closed.  Needs no_new_privs or CAP_SYS_ADMIN.  0, or -1 recorded. */
int cx_oci_seccomp_load(int fd, unsigned flags);

#endif
