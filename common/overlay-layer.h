/* Pure pieces of the image layer formats: the OCI whiteout names, the
 * paths a layer tarball may hold, overlayfs lower lists and their
 * escaping, and blob digests.  They touch no file; the unit tests reach
 * them directly. */
#ifndef CX_OVERLAY_LAYER_H
#define CX_OVERLAY_LAYER_H

#include <stddef.h>

/* The OCI image spec's whiteout names (image-spec layer.md), which
 * Docker took from aufs: ".wh.NAME" deletes NAME of the layers below,
 * ".wh..wh..opq" hides everything the layers below have in its
 * directory.  Other ".wh..wh." names are aufs's own bookkeeping. */
#define CX_WH_PREFIX ".wh."
#define CX_WH_OPQ_NAME ".wh..wh..opq"
#define CX_WH_META_PREFIX ".wh..wh."

/* The platform an image is for, in the OCI (Go) spelling. */
#if defined(__x86_64__)
#define CX_GOARCH "amd64"
#elif defined(__aarch64__)
#define CX_GOARCH "arm64"
#elif defined(__i386__)
#define CX_GOARCH "386"
#elif defined(__arm__)
#define CX_GOARCH "arm"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CX_GOARCH "ppc64le"
#elif defined(__s390x__)
#define CX_GOARCH "s390x"
#elif defined(__riscv) && __riscv_xlen == 64
#define CX_GOARCH "riscv64"
#else
#define CX_GOARCH "unknown"
#endif

enum cx_wh {
	CX_WH_NONE,	/* an ordinary name */
	CX_WH_FILE,	/* ".wh.NAME": NAME is deleted */
	CX_WH_OPAQUE,	/* ".wh..wh..opq": the directory is opaque */
	CX_WH_AUFS,	/* another ".wh..wh." name: aufs metadata, skipped */
	CX_WH_BAD,	/* ".wh." with no usable NAME (".wh.", ".wh..") */
};

/* Classify one path component.  For CX_WH_FILE, *name (if not NULL)
 * points at NAME inside BASE. */
enum cx_wh cx_wh_classify(const char *base, const char **name);

/* ".wh.NAME" into buf; -1 with ENAMETOOLONG when it does not fit or
 * EINVAL when NAME is no single component. */
int cx_wh_name(const char *name, char *buf, size_t len);

/* A member name of a layer tarball, made relative and canonical: "./"
 * and repeated or trailing slashes go, "a/./b" becomes "a/b".  The
 * archive's root ("." or "./") becomes "".  -1 with EINVAL for an
 * absolute name (tar would strip the "/", a layer must not have one)
 * or one with a ".." component, ENAMETOOLONG when out is too small. */
int cx_layer_clean_path(const char *in, char *out, size_t len);

/* Split a clean path in place at its last "/": *dir gets "" for a name
 * at the top. */
void cx_layer_split(char *path, const char **dir, const char **base);

/* Where the symlink member FROM (a clean path) of an archive points,
 * as a clean path inside that archive: TARGET relative to FROM's
 * directory, or to the top when absolute; ".." is resolved by name.
 * -1 with EINVAL when it leads above the top, ENAMETOOLONG when out is
 * too small. */
int cx_layer_resolve_link(const char *from, const char *target, char *out,
			  size_t len);

/* A --lower list, topmost first: "a:b:c", where "\:" and "\\" stand for
 * a colon and a backslash inside a name (any other backslash is itself,
 * as in cx-bind's SOURCE:TARGET).  Returns a NULL-terminated array of
 * strings (free with cx_lower_free) and its length in *n; NULL with
 * EINVAL for an empty list or an empty entry, ENOMEM when out of
 * memory. */
char **cx_lower_split(const char *s, size_t *n);
void cx_lower_free(char **dirs);

/* The dirs joined with ':' and every character of SPECIAL (plus the
 * backslash itself) escaped with a backslash: ":" for a --lower string
 * or the kernel's lowerdir value, ":," for a mount(2) option string.
 * Returns a malloc'd string, NULL on ENOMEM. */
char *cx_lower_join(char *const *dirs, size_t n, const char *special);

/* A blob digest "ALG:HEX" of the OCI image spec, with ALG sha256 (64
 * lowercase hex digits) or sha512 (128).  Writes the blob's path in an
 * image layout, "blobs/ALG/HEX", into path.  -1 with EINVAL otherwise:
 * the digest comes from the image, so it never names another file. */
int cx_digest_path(const char *digest, char *path, size_t len);

#endif
