#include "overlay-image.h"

#include "die.h"
#include "overlay-layer.h"
#include "path.h"

#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Manifests, indexes and manifest.json are small; a bigger one is not
 * an image. */
enum { MAX_JSON = 4 << 20, MAX_HOPS = 8 };


static const char *const index_types[] = {
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	NULL,
};

static const char *const manifest_types[] = {
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.v2+json",
	NULL,
};

/* Layers cx can unpack: tar, plain or compressed with gzip or zstd
 * (libarchive finds out which from the bytes). */
static const char *const layer_types[] = {
	"application/vnd.oci.image.layer.v1.tar",
	"application/vnd.oci.image.layer.v1.tar+gzip",
	"application/vnd.oci.image.layer.v1.tar+zstd",
	"application/vnd.oci.image.layer.nondistributable.v1.tar",
	"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
	"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
	"application/vnd.docker.image.rootfs.diff.tar.gzip",
	"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
	NULL,
};

static int in_table(const char *const *table, const char *s)
{
	for (; s && *table; table++)
		if (strcmp(*table, s) == 0)
			return 1;
	return 0;
}

static int make_layer_dir(int root, size_t i, const char *source)
{
	char name[32];
	int fd;

	snprintf(name, sizeof(name), "%zu", i);
	if (mkdirat(root, name, 0755) < 0 || fchmodat(root, name, 0755, 0) < 0)
		return cx_fail(errno, "image %s: make the directory of layer %zu",
			       source, i);
	fd = openat(root, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cx_fail(errno, "image %s: open the directory of layer %zu",
			       source, i);
	return fd;
}

/* --- digests -------------------------------------------------------- */

struct hash {
	int alg;		/* 256 or 512 */
	struct sha256_ctx s256;
	struct sha512_ctx s512;
	char hex[129];		/* the expected value */
};

static int hash_start(struct hash *h, const char *digest)
{
	const char *colon = strchr(digest, ':');

	h->alg = strncmp(digest, "sha512:", 7) == 0 ? 512 : 256;
	snprintf(h->hex, sizeof(h->hex), "%s", colon ? colon + 1 : "");
	if (h->alg == 256)
		sha256_init(&h->s256);
	else
		sha512_init(&h->s512);
	return 0;
}

static void hash_update(struct hash *h, const void *buf, size_t n)
{
	if (h->alg == 256)
		sha256_update(&h->s256, n, buf);
	else
		sha512_update(&h->s512, n, buf);
}

static int hash_matches(struct hash *h)
{
	uint8_t d[SHA512_DIGEST_SIZE];
	char hex[2 * SHA512_DIGEST_SIZE + 1];
	size_t n = h->alg == 256 ? SHA256_DIGEST_SIZE : SHA512_DIGEST_SIZE;

	if (h->alg == 256)
		sha256_digest(&h->s256, n, d);
	else
		sha512_digest(&h->s512, n, d);
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return strcmp(hex, h->hex) == 0;
}

/* --- OCI image layout ----------------------------------------------- */

struct layout {
	const char *source;
	int fd;
	const struct cx_image_opts *o;
};

/* A file of the layout, inside it: a regular file only, opened without
 * waiting, since a FIFO planted in a hostile layout would hold the
 * unpack forever (O_NONBLOCK changes nothing for a regular file). */
static int open_in_layout(int root, const char *path, const char *shown)
{
	int fd = cx_open_in_root(root, path, O_RDONLY | O_NONBLOCK, 0, shown);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		int err = errno;

		close(fd);
		return cx_fail(err, "stat %s", shown);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return cx_fail(0, "%s: not a regular file", shown);
	}
	return fd;
}

/* A blob of the layout, opened by its digest; the digest is checked
 * for form first, so that it names nothing but a blob. */
static int open_blob(struct layout *l, const char *digest)
{
	char path[256];

	if (!digest || cx_digest_path(digest, path, sizeof(path)) < 0)
		return cx_fail(0, "image %s: invalid digest '%s'", l->source,
			       digest ? digest : "(none)");
	return open_in_layout(l->fd, path, digest);
}

static int64_t desc_size(const json_t *desc)
{
	const json_t *s = json_object_get(desc, "size");

	return json_is_integer(s) ? (int64_t)json_integer_value(s) : -1;
}

/* Read a whole small file (a blob when HASH is set, checked). */
static json_t *read_json(struct layout *l, int fd, const char *what,
			 struct hash *h, int64_t size)
{
	char *buf = malloc(MAX_JSON);
	size_t len = 0;
	json_t *j = NULL;
	json_error_t err;
	ssize_t n;

	if (!buf) {
		cx_fail(ENOMEM, "image %s: read %s", l->source, what);
		goto out;
	}
	while ((n = read(fd, buf + len, MAX_JSON - len)) > 0)
		len += (size_t)n;
	if (n < 0) {
		cx_fail(errno, "image %s: read %s", l->source, what);
		goto out;
	}
	if (len == MAX_JSON) {
		cx_fail(EFBIG, "image %s: read %s", l->source, what);
		goto out;
	}
	if (h) {
		hash_update(h, buf, len);
		if (!hash_matches(h) || (size >= 0 && (int64_t)len != size)) {
			cx_fail(0, "image %s: %s does not match its digest or size",
				l->source, what);
			goto out;
		}
	}
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
	if (!j)
		cx_fail(0, "image %s: %s is not valid JSON (%s)", l->source,
			what, err.text);
out:
	free(buf);
	close(fd);
	return j;
}

static json_t *read_blob_json(struct layout *l, const json_t *desc)
{
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	struct hash h;
	int fd = open_blob(l, digest);

	if (fd < 0)
		return NULL;
	hash_start(&h, digest);
	return read_json(l, fd, digest, &h, desc_size(desc));
}

static int ref_matches(const json_t *desc, const char *ref)
{
	const json_t *ann = json_object_get(desc, "annotations");
	const char *a = json_string_value(json_object_get(ann, "org.opencontainers.image.ref.name"));
	const char *b = json_string_value(json_object_get(ann, "io.containerd.image.name"));

	return (a && strcmp(a, ref) == 0) || (b && strcmp(b, ref) == 0);
}

static int platform_matches(const json_t *desc)
{
	const json_t *p = json_object_get(desc, "platform");
	const char *os = json_string_value(json_object_get(p, "os"));
	const char *arch = json_string_value(json_object_get(p, "architecture"));

	return os && arch && strcmp(os, "linux") == 0 &&
	       strcmp(arch, CX_GOARCH) == 0;
}

/* One entry of an index's "manifests": by ref at the top, else the
 * only one, else the one for this machine's platform. */
static const json_t *choose(struct layout *l, const json_t *index, int top)
{
	const json_t *m = json_object_get(index, "manifests");
	const json_t *pick = NULL;
	size_t n = json_array_size(m), hits = 0;

	if (n == 0) {
		cx_fail(0, "image %s: the index lists no manifest", l->source);
		return NULL;
	}
	if (top && l->o->ref) {
		for (size_t i = 0; i < n; i++)
			if (ref_matches(json_array_get(m, i), l->o->ref))
				pick = json_array_get(m, i), hits++;
		if (hits == 0)
			cx_fail(0, "image %s: no image is named '%s'", l->source,
				l->o->ref);
		return pick;
	}
	if (n == 1)
		return json_array_get(m, 0);
	for (size_t i = 0; i < n; i++)
		if (platform_matches(json_array_get(m, i)))
			pick = json_array_get(m, i), hits++;
	if (hits == 1)
		return pick;
	if (top)
		cx_fail(0, "image %s: it holds %zu images; choose one with --ref",
			l->source, n);
	else
		cx_fail(0, "image %s: no single manifest for linux/%s", l->source,
			CX_GOARCH);
	return NULL;
}

struct blobsrc {
	int fd;
	struct hash h;
	int64_t total;
	char buf[65536];
};

static la_ssize_t blob_read(struct archive *a, void *ctx, const void **buf)
{
	struct blobsrc *b = ctx;
	ssize_t n;

	(void)a;
	do
		n = read(b->fd, b->buf, sizeof(b->buf));
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		hash_update(&b->h, b->buf, (size_t)n);
		b->total += n;
	}
	*buf = b->buf;
	return n;
}

/* Stream the layer blob through the digest while it is unpacked; what
 * libarchive leaves unread (tar's end padding) is hashed after. */
static int unpack_blob(struct layout *l, const json_t *desc, int dir)
{
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	struct blobsrc *b = calloc(1, sizeof(*b));
	struct archive *a = NULL;
	int rc = -1;
	ssize_t n;

	if (!b)
		return cx_fail(ENOMEM, "image %s", l->source);
	b->fd = open_blob(l, digest);
	if (b->fd < 0)
		goto out;
	hash_start(&b->h, digest);
	a = cx_layer_reader();
	if (!a) {
		cx_fail(ENOMEM, "image %s", l->source);
		goto out;
	}
	if (archive_read_open(a, b, NULL, blob_read, NULL) != ARCHIVE_OK) {
		cx_fail(0, "image %s: layer %s: %s", l->source, digest,
			archive_error_string(a));
		goto out;
	}
	if (cx_layer_unpack(a, dir, &l->o->unpack, digest) < 0)
		goto out;
	while ((n = blob_read(NULL, b, &(const void *){ NULL })) > 0)
		;
	if (n < 0) {
		cx_fail(errno, "image %s: read %s", l->source, digest);
		goto out;
	}
	if (!hash_matches(&b->h) ||
	    (desc_size(desc) >= 0 && b->total != desc_size(desc))) {
		cx_fail(0, "image %s: layer %s does not match its digest or size",
			l->source, digest);
		goto out;
	}
	rc = 0;
out:
	if (a)
		archive_read_free(a);
	if (b->fd >= 0)
		close(b->fd);
	free(b);
	return rc;
}

static int unpack_layout(const char *source, int fd, int root,
			 const struct cx_image_opts *o)
{
	struct layout l = { source, fd, o };
	json_t *index = NULL, *cur = NULL, *lay;
	const json_t *desc, *layers;
	int lfd, rc = -1, hops = 0;

	lfd = open_in_layout(fd, "oci-layout", "oci-layout");
	if (lfd < 0)
		return cx_fail(cx_last_errno(), "image %s: no oci-layout file",
			       source);
	lay = read_json(&l, lfd, "oci-layout", NULL, -1);
	if (!lay)
		return -1;
	if (!json_string_value(json_object_get(lay, "imageLayoutVersion"))) {
		json_decref(lay);
		return cx_fail(0, "image %s: oci-layout has no imageLayoutVersion",
			       source);
	}
	json_decref(lay);
	lfd = open_in_layout(fd, "index.json", "index.json");
	if (lfd < 0)
		return cx_fail(cx_last_errno(), "image %s: no index.json", source);
	index = read_json(&l, lfd, "index.json", NULL, -1);
	if (!index)
		return -1;
	desc = choose(&l, index, 1);
	/* Down through nested indexes to one image manifest. */
	while (desc) {
		const char *mt = json_string_value(json_object_get(desc, "mediaType"));
		json_t *next;

		if (mt && !in_table(index_types, mt) &&
		    !in_table(manifest_types, mt)) {
			cx_fail(0, "image %s: unknown manifest type %s", source, mt);
			goto out;
		}
		next = read_blob_json(&l, desc);
		if (!next)
			goto out;
		json_decref(cur);
		cur = next;
		if (!json_object_get(cur, "manifests"))
			break;
		if (++hops > MAX_HOPS) {
			cx_fail(0, "image %s: indexes nested too deep", source);
			goto out;
		}
		desc = choose(&l, cur, 0);
	}
	if (!desc)
		goto out;
	layers = json_object_get(cur, "layers");
	if (!json_is_array(layers)) {
		cx_fail(0, "image %s: the manifest lists no layers", source);
		goto out;
	}
	for (size_t i = 0; i < json_array_size(layers); i++) {
		const json_t *ld = json_array_get(layers, i);
		const char *mt = json_string_value(json_object_get(ld, "mediaType"));
		int dir;

		if (!in_table(layer_types, mt)) {
			cx_fail(0, "image %s: layer %zu has a media type cx cannot unpack (%s)",
				source, i, mt ? mt : "none");
			goto out;
		}
		dir = make_layer_dir(root, i, source);
		if (dir < 0)
			goto out;
		rc = unpack_blob(&l, ld, dir);
		close(dir);
		if (rc < 0)
			goto out;
	}
	rc = (int)json_array_size(layers);
out:
	json_decref(cur);
	json_decref(index);
	return rc;
}

/* --- docker save ---------------------------------------------------- */

struct saved {
	const char *source;
	int fd;
	const struct cx_image_opts *o;
	json_t *manifest;
	char **links, **targets;	/* symlinks and hard links, resolved */
	size_t nlinks;
	char **layer;			/* each layer's member, links followed */
	int *done;
	size_t nlayers;
};

static struct archive *saved_open(struct saved *s)
{
	struct archive *a = cx_layer_reader();

	if (!a) {
		cx_fail(ENOMEM, "image %s", s->source);
		return NULL;
	}
	if (lseek(s->fd, 0, SEEK_SET) < 0 ||
	    archive_read_open_fd(a, s->fd, 65536) != ARCHIVE_OK) {
		cx_fail(errno, "image %s: %s", s->source,
			archive_error_string(a) ? archive_error_string(a) : "read");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static int read_failed(struct saved *s, struct archive *a)
{
	return cx_fail(archive_errno(a) > 0 ? archive_errno(a) : 0,
		       "image %s: %s", s->source,
		       archive_error_string(a) ? archive_error_string(a)
					       : "not a tar archive");
}

static int remember_link(struct saved *s, const char *from, const char *to)
{
	char **l = realloc(s->links, (s->nlinks + 1) * sizeof(*l));
	char **t = l ? realloc(s->targets, (s->nlinks + 1) * sizeof(*t)) : NULL;

	if (l)
		s->links = l;
	if (t)
		s->targets = t;
	if (!l || !t)
		return cx_fail(ENOMEM, "image %s", s->source);
	s->links[s->nlinks] = strdup(from);
	s->targets[s->nlinks] = strdup(to);
	s->nlinks++;
	if (!s->links[s->nlinks - 1] || !s->targets[s->nlinks - 1])
		return cx_fail(ENOMEM, "image %s", s->source);
	return 0;
}

/* First pass: manifest.json, and where the links among the members
 * lead (docker save links a layer it already wrote). */
static int saved_scan(struct saved *s)
{
	struct archive *a = saved_open(s);
	struct archive_entry *e;
	char path[PATH_MAX], to[PATH_MAX];
	int r, rc = 0;

	if (!a)
		return -1;
	while (rc == 0 && ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
			   r == ARCHIVE_WARN)) {
		const char *name = archive_entry_pathname(e);

		if (!name || cx_layer_clean_path(name, path, sizeof(path)) < 0)
			continue;
		if (archive_entry_hardlink(e)) {
			if (cx_layer_clean_path(archive_entry_hardlink(e), to,
						sizeof(to)) == 0)
				rc = remember_link(s, path, to);
		} else if (archive_entry_filetype(e) == AE_IFLNK &&
			   archive_entry_symlink(e)) {
			if (cx_layer_resolve_link(path, archive_entry_symlink(e),
						  to, sizeof(to)) == 0)
				rc = remember_link(s, path, to);
		} else if (strcmp(path, "manifest.json") == 0 && !s->manifest) {
			char *buf = malloc(MAX_JSON);
			json_error_t err;
			la_ssize_t n;
			size_t len = 0;

			if (!buf) {
				rc = cx_fail(ENOMEM, "image %s", s->source);
				break;
			}
			while ((n = archive_read_data(a, buf + len,
						      MAX_JSON - len)) > 0)
				len += (size_t)n;
			if (n < 0 || len == MAX_JSON)
				rc = n < 0 ? read_failed(s, a)
					   : cx_fail(EFBIG, "image %s: manifest.json",
						     s->source);
			else if (!(s->manifest = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err)))
				rc = cx_fail(0, "image %s: manifest.json is not valid JSON (%s)",
					     s->source, err.text);
			free(buf);
		}
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = read_failed(s, a);
	archive_read_free(a);
	if (rc == 0 && !s->manifest)
		rc = cx_fail(0, "image %s: neither an OCI image layout nor a docker save archive (no manifest.json)",
			     s->source);
	return rc;
}

/* A name as docker shortens it: "docker.io/library/" and "docker.io/"
 * left off (skopeo writes RepoTags in full, docker save shortened). */
static const char *familiar(const char *name)
{
	static const char *const prefixes[] = {
		"docker.io/library/", "docker.io/",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return name + strlen(prefixes[i]);
	return name;
}

static int has_tag(const json_t *img, const char *ref)
{
	const json_t *tags = json_object_get(img, "RepoTags");

	for (size_t i = 0; i < json_array_size(tags); i++) {
		const char *tag = json_string_value(json_array_get(tags, i));

		if (tag && (strcmp(tag, ref) == 0 ||
			    strcmp(familiar(tag), familiar(ref)) == 0))
			return 1;
	}
	return 0;
}

static int saved_layers(struct saved *s)
{
	const json_t *img = NULL, *layers;
	size_t n = json_array_size(s->manifest);
	char path[PATH_MAX];

	if (s->o->ref) {
		for (size_t i = 0; i < n; i++)
			if (has_tag(json_array_get(s->manifest, i), s->o->ref))
				img = json_array_get(s->manifest, i);
		if (!img)
			return cx_fail(0, "image %s: no image is tagged '%s'",
				       s->source, s->o->ref);
	} else if (n == 1) {
		img = json_array_get(s->manifest, 0);
	} else {
		return cx_fail(0, n ? "image %s: it holds %zu images; choose one with --ref"
				    : "image %s: manifest.json lists %zu images",
			       s->source, n);
	}
	layers = json_object_get(img, "Layers");
	s->nlayers = json_array_size(layers);
	s->layer = calloc(s->nlayers + 1, sizeof(*s->layer));
	s->done = calloc(s->nlayers + 1, sizeof(*s->done));
	if (!s->layer || !s->done)
		return cx_fail(ENOMEM, "image %s", s->source);
	for (size_t i = 0; i < s->nlayers; i++) {
		const char *name = json_string_value(json_array_get(layers, i));
		int hops = 0;

		if (!name || cx_layer_clean_path(name, path, sizeof(path)) < 0 ||
		    !*path)
			return cx_fail(0, "image %s: layer %zu has an invalid name",
				       s->source, i);
		for (size_t k = 0; k < s->nlinks; k++)
			if (strcmp(s->links[k], path) == 0) {
				if (++hops > MAX_HOPS)
					return cx_fail(ELOOP, "image %s: layer %s",
						       s->source, name);
				snprintf(path, sizeof(path), "%s", s->targets[k]);
				k = (size_t)-1;
			}
		s->layer[i] = strdup(path);
		if (!s->layer[i])
			return cx_fail(ENOMEM, "image %s", s->source);
	}
	return 0;
}

struct nested {
	struct archive *outer;
	char buf[65536];
};

static la_ssize_t nested_read(struct archive *a, void *ctx, const void **buf)
{
	struct nested *n = ctx;

	(void)a;
	*buf = n->buf;
	return archive_read_data(n->outer, n->buf, sizeof(n->buf));
}

/* The layer is read straight out of the outer archive. */
static int saved_unpack_member(struct saved *s, struct archive *outer,
			       size_t i, int root)
{
	struct nested *n = malloc(sizeof(*n));
	struct archive *a = cx_layer_reader();
	int dir, rc = -1;

	if (!n || !a) {
		rc = cx_fail(ENOMEM, "image %s", s->source);
		goto out;
	}
	n->outer = outer;
	if (archive_read_open(a, n, NULL, nested_read, NULL) != ARCHIVE_OK) {
		rc = cx_fail(0, "image %s: layer %s: %s", s->source, s->layer[i],
			     archive_error_string(a));
		goto out;
	}
	dir = make_layer_dir(root, i, s->source);
	if (dir < 0)
		goto out;
	rc = cx_layer_unpack(a, dir, &s->o->unpack, s->layer[i]);
	close(dir);
out:
	if (a)
		archive_read_free(a);
	free(n);
	return rc;
}

/* One pass over the archive: each member that is a pending layer is
 * unpacked (a layer listed twice takes a second pass).  Returns how
 * many layers it unpacked. */
static int saved_pass(struct saved *s, int root)
{
	struct archive *a = saved_open(s);
	struct archive_entry *e;
	char path[PATH_MAX];
	int r, count = 0;

	if (!a)
		return -1;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);

		if (!name || archive_entry_filetype(e) != AE_IFREG ||
		    archive_entry_hardlink(e) ||
		    cx_layer_clean_path(name, path, sizeof(path)) < 0)
			continue;
		for (size_t i = 0; i < s->nlayers; i++) {
			if (s->done[i] || strcmp(s->layer[i], path) != 0)
				continue;
			if (saved_unpack_member(s, a, i, root) < 0) {
				archive_read_free(a);
				return -1;
			}
			s->done[i] = 1;
			count++;
			break;
		}
	}
	if (r != ARCHIVE_EOF) {
		read_failed(s, a);
		archive_read_free(a);
		return -1;
	}
	archive_read_free(a);
	return count;
}

static int unpack_saved(const char *source, int fd, int root,
			const struct cx_image_opts *o)
{
	struct saved s = { .source = source, .fd = fd, .o = o };
	size_t left;
	int rc = saved_scan(&s);

	if (rc == 0)
		rc = saved_layers(&s);
	for (left = s.nlayers; rc == 0 && left > 0;) {
		int got = saved_pass(&s, root);

		if (got < 0) {
			rc = -1;
		} else if (got == 0) {
			for (size_t i = 0; i < s.nlayers; i++)
				if (!s.done[i]) {
					rc = cx_fail(0, "image %s: layer %s is not in the archive",
						     source, s.layer[i]);
					break;
				}
		} else {
			left -= (size_t)got;
		}
	}
	if (rc == 0)
		rc = (int)s.nlayers;
	json_decref(s.manifest);
	for (size_t i = 0; i < s.nlinks; i++) {
		free(s.links[i]);
		free(s.targets[i]);
	}
	free(s.links);
	free(s.targets);
	for (size_t i = 0; s.layer && i < s.nlayers; i++)
		free(s.layer[i]);
	free(s.layer);
	free(s.done);
	return rc;
}

int cx_image_unpack(const char *source, int root,
		    const struct cx_image_opts *o)
{
	struct stat st;
	int fd, rc;

	fd = open(source, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = cx_fail(errno, "image %s", source);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (S_ISDIR(st.st_mode))
		rc = unpack_layout(source, fd, root, o);
	else
		rc = unpack_saved(source, fd, root, o);
	close(fd);
	if (rc == 0)
		return cx_fail(0, "image %s: the image has no layers", source);
	return rc;
}
