/* Container images as a stack of layers: an OCI image layout directory
 * (image-spec image-layout.md) or a "docker save" tarball.  Each layer
 * is unpacked with overlay-tar.h into a directory of its own. */
#ifndef CX_OVERLAY_IMAGE_H
#define CX_OVERLAY_IMAGE_H

#include "overlay-tar.h"

struct cx_image_opts {
	/* Which image: an OCI layout's ref name (annotation
	 * org.opencontainers.image.ref.name, or io.containerd.image.name),
	 * or one of docker save's RepoTags.  NULL: the only one there. */
	const char *ref;
	struct cx_unpack_opts unpack;
};

/* Unpack the image SOURCE into ROOT (an empty directory): its layers
 * go to "0", "1", ..., the base first.  Blobs of an OCI layout are
 * checked against their digests and sizes.  Returns the number of
 * layers; -1 recorded with cx_fail. */
int cx_image_unpack(const char *source, int root,
		    const struct cx_image_opts *o);

#endif
