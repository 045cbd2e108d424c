/* Building a directory or a file under a temporary name next to where
 * it belongs, removing a tree without following symlinks, and reading
 * a directory's names in a stable order. */
#ifndef CX_OVERLAY_STAGE_H
#define CX_OVERLAY_STAGE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* Remove NAME below DIRFD and everything in it, without following a
 * symlink and with at most two descriptors open at any depth. */
int cx_remove_tree(int dirfd, const char *name);

/* The names in the directory FD but "." and "..", sorted by strcmp and
 * NULL-terminated, with their count in *N; NULL with errno on failure.
 * Free with cx_names_free. */
char **cx_dir_names(int fd, size_t *n);
void cx_names_free(char **names, size_t n);

/* A directory (or file) built under a temporary name next to its
 * destination and renamed into place at the end, so that a failure
 * leaves nothing half-written where the user looks. */
struct cx_stage {
	int parent;		/* O_PATH descriptor of the destination's parent */
	int fd;			/* the temporary directory, O_RDONLY; or the file */
	bool replace;		/* the destination is an empty directory */
	bool is_dir;
	char tmp[NAME_MAX + 1];	/* the temporary name in parent */
	char base[NAME_MAX + 1]; /* the destination's name in parent */
	const char *shown;
};

/* Start a directory for DEST, which must not exist or be an empty
 * directory; the temporary one is mode 0755. */
int cx_stage_dir(struct cx_stage *s, const char *dest);
/* Start a file for DEST (open for writing, mode 0644 less the umask);
 * an existing DEST is replaced at the end. */
int cx_stage_file(struct cx_stage *s, const char *dest);
/* Rename into place; -1 recorded with cx_fail (then call abort). */
int cx_stage_commit(struct cx_stage *s);
/* Remove the temporary directory or file. */
void cx_stage_abort(struct cx_stage *s);

#endif
