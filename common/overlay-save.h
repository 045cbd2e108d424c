/* Writing an OCI image layout (image-spec image-layout.md): the reverse
 * of overlay-image.h.  Each source becomes one layer, the base first. */
#ifndef CX_OVERLAY_SAVE_H
#define CX_OVERLAY_SAVE_H

#include <stddef.h>

/* The image's run settings (image-spec config.md, "config"); an array
 * is NULL-terminated, and a NULL array or string is left out. */
struct cx_save_config {
	const char **entrypoint;
	const char **cmd;
	const char **env;
	const char *workdir;
	const char *user;
};

/* Write the image made of SOURCES (N of them: a directory, written as
 * cx-overlay commit writes an upper, or a layer tarball, plain, gzip
 * or zstd, stored uncompressed) into the OCI layout LAYOUT under the
 * name REF (annotation org.opencontainers.image.ref.name).  LAYOUT is
 * made, or must be an OCI layout already: then the image is added, and
 * one of the same name before it loses the name.  Nothing is left of a
 * failed run: a new layout is built under a temporary name, and in an
 * existing one the blobs this run added are removed again.  -1
 * recorded with cx_fail. */
int cx_image_save(const char *layout, const char *ref,
		  char *const *sources, size_t n,
		  const struct cx_save_config *cfg);

#endif
