/* Image layer tarballs, with libarchive: unpacking one into an overlay
 * layer directory, and writing an overlay upper directory as one.
 *
 * In a layer tarball (OCI image-spec layer.md) a deletion is an empty
 * file ".wh.NAME", and ".wh..wh..opq" makes its directory opaque.  In
 * an overlay layer the same things are a 0/0 character device NAME and
 * the xattr overlay.opaque = "y" (see overlay.h). */
#ifndef CX_OVERLAY_TAR_H
#define CX_OVERLAY_TAR_H

#include "overlay-stage.h"

#include <archive.h>
#include <stdbool.h>

struct cx_unpack_opts {
	bool allow_devices;	/* create character and block devices */
	bool userxattr;		/* opaque as user.overlay.opaque */
	bool allow_suid;	/* keep set-user-ID and set-group-ID bits and
				 * security.capability */
};

/* A reader for a plain, gzip or zstd tar stream.  NULL on ENOMEM. */
struct archive *cx_layer_reader(void);

/* Unpack the layer A (opened) into the directory ROOT, which the
 * caller made and nobody else writes to.  Nothing is written outside
 * ROOT: a member with "..", an absolute name, a path through a
 * symlink, a hard link to a name outside, or a device node without
 * allow_devices is refused, with the member named; files are made with
 * *at() calls on descriptors, never by path.  Overlay xattrs in the
 * archive are dropped: only whiteout names make whiteouts.  Without
 * allow_suid, the set-user-ID and set-group-ID bits of what is not a
 * directory and the security.capability xattr are dropped too (a
 * directory keeps its set-group-ID bit, which only passes its group
 * on): unpacked as root, a layer's set-user-ID root program would
 * raise anyone who can reach the layer directory, on the host as in a
 * container.  SHOWN
 * names the layer in messages.  -1 recorded with cx_fail. */
int cx_layer_unpack(struct archive *a, int root,
		    const struct cx_unpack_opts *o, const char *shown);

/* Write the upper directory UPPER into the opened writer A as a layer
 * (pax tar): whiteouts become ".wh.NAME", opaque directories get a
 * ".wh..wh..opq", overlay xattrs are left out.  Metacopy files and
 * redirected directories are refused: their data or their contents
 * are in a lower layer.  -1 recorded with cx_fail. */
int cx_layer_commit(struct archive *a, int upper, const char *shown);

#endif
