#include "overlay-save.h"

#include "die.h"
#include "file.h"
#include "json-out.h"
#include "overlay-layer.h"
#include "overlay-stage.h"
#include "overlay-tar.h"
#include "parse.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LAYOUT_FILE "oci-layout"
#define INDEX_FILE "index.json"
#define REF_KEY "org.opencontainers.image.ref.name"
#define INDEX_TYPE "application/vnd.oci.image.index.v1+json"
#define MANIFEST_TYPE "application/vnd.oci.image.manifest.v1+json"
#define CONFIG_TYPE "application/vnd.oci.image.config.v1+json"
#define LAYER_TYPE "application/vnd.oci.image.layer.v1.tar"
enum { MAX_INDEX = 4 << 20 };

struct blob {
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	int64_t size;
};

struct saver {
	const char *layout;
	int root;		/* the layout directory */
	int blobs;		/* its blobs/sha256 */
	bool made_blobs[2];	/* blobs, blobs/sha256 made by this run */
	char **added;		/* blob files this run made */
	size_t nadded;
	unsigned serial;
};

/* --- blobs ---------------------------------------------------------- */

/* A blob being written under a temporary name, and hashed on the way. */
struct blob_out {
	struct saver *s;
	int fd;
	char tmp[64];
	struct sha256_ctx h;
	int64_t size;
};

static int blob_begin(struct saver *s, struct blob_out *b)
{
	b->s = s;
	b->size = 0;
	sha256_init(&b->h);
	snprintf(b->tmp, sizeof(b->tmp), ".cx-save-%d-%u", (int)getpid(),
		 s->serial++);
	b->fd = openat(s->blobs, b->tmp, O_WRONLY | O_CREAT | O_EXCL |
					      O_NOFOLLOW | O_CLOEXEC, 0644);
	if (b->fd < 0)
		return cx_fail(errno, "save %s: create a blob in blobs/sha256",
			       s->layout);
	return 0;
}

static int blob_write(struct blob_out *b, const void *buf, size_t n)
{
	const char *p = buf;

	sha256_update(&b->h, n, buf);
	b->size += (int64_t)n;
	while (n > 0) {
		ssize_t w = write(b->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return cx_fail(errno, "save %s: write blobs/sha256/%s",
				       b->s->layout, b->tmp);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void blob_abort(struct blob_out *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	unlinkat(b->s->blobs, b->tmp, 0);
}

/* Into place under its digest; a blob already there is the same bytes. */
static int blob_end(struct blob_out *b, struct blob *out)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	struct saver *s = b->s;
	struct stat st;
	char **added;

	sha256_digest(&b->h, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(out->hex + 2 * i, 3, "%02x", d[i]);
	out->size = b->size;
	if (fsync(b->fd) < 0 || close(b->fd) < 0) {
		b->fd = -1;
		cx_fail(errno, "save %s: write blobs/sha256/%s", s->layout,
			b->tmp);
		blob_abort(b);
		return -1;
	}
	b->fd = -1;
	if (fstatat(s->blobs, out->hex, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && st.st_size == b->size) {
		blob_abort(b);
		return 0;
	}
	added = realloc(s->added, (s->nadded + 1) * sizeof(*added));
	if (!added || !(added[s->nadded] = strdup(out->hex))) {
		if (added)
			s->added = added;
		blob_abort(b);
		return cx_fail(ENOMEM, "save %s", s->layout);
	}
	s->added = added;
	if (renameat(s->blobs, b->tmp, s->blobs, out->hex) < 0) {
		free(added[s->nadded]);
		cx_fail(errno, "save %s: rename a blob to blobs/sha256/%s",
			s->layout, out->hex);
		blob_abort(b);
		return -1;
	}
	s->nadded++;
	return 0;
}

static int blob_of(struct saver *s, const char *text, size_t len,
		   struct blob *out)
{
	struct blob_out b;

	if (blob_begin(s, &b) < 0)
		return -1;
	if (blob_write(&b, text, len) < 0) {
		blob_abort(&b);
		return -1;
	}
	return blob_end(&b, out);
}

/* --- layers --------------------------------------------------------- */

static la_ssize_t to_blob(struct archive *a, void *ctx, const void *buf,
			  size_t n)
{
	(void)a;
	return blob_write(ctx, buf, n) < 0 ? -1 : (la_ssize_t)n;
}

/* A directory, written as cx-overlay commit writes an upper. */
static int layer_of_dir(struct saver *s, int dir, const char *source,
			struct blob *out)
{
	struct archive *a = archive_write_new();
	struct blob_out b;
	int rc = -1;

	if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK) {
		rc = cx_fail(ENOMEM, "save %s", source);
		goto out;
	}
	if (blob_begin(s, &b) < 0)
		goto out;
	if (archive_write_open2(a, &b, NULL, to_blob, NULL, NULL) != ARCHIVE_OK) {
		cx_fail(0, "save %s: %s", source, archive_error_string(a));
	} else if (cx_layer_commit(a, dir, source) == 0) {
		if (archive_write_close(a) != ARCHIVE_OK)
			cx_fail(0, "save %s: %s", source, archive_error_string(a));
		else
			rc = 0;
	}
	if (rc == 0)
		rc = blob_end(&b, out);
	else
		blob_abort(&b);
out:
	if (a)
		archive_write_free(a);
	return rc;
}

/* Read every member header of the tar blob NAME: it must be a layer. */
static int check_tar(struct saver *s, const char *tmp, const char *source)
{
	struct archive *a = cx_layer_reader();
	struct archive_entry *e;
	int fd = openat(s->blobs, tmp, O_RDONLY | O_CLOEXEC), r = ARCHIVE_OK;
	const char *why;

	if (fd < 0 || !a) {
		int err = fd < 0 ? errno : ENOMEM;

		if (fd >= 0)
			close(fd);
		if (a)
			archive_read_free(a);
		return cx_fail(err, "save %s: read it back", source);
	}
	if (archive_read_open_fd(a, fd, 65536) == ARCHIVE_OK)
		while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
		       r == ARCHIVE_WARN)
			;
	why = archive_error_string(a);
	if (r != ARCHIVE_EOF ||
	    (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_TAR)
		r = cx_fail(0, "save %s: not a tar archive (a layer is a tar, plain, gzip or zstd)%s%s",
			    source, why ? ": " : "", why ? why : "");
	else
		r = 0;
	archive_read_free(a);
	close(fd);
	return r;
}

/* A layer tarball: stored uncompressed, so that its digest is its
 * diff_id. */
static int layer_of_tar(struct saver *s, int fd, const char *source,
			struct blob *out)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct blob_out b;
	char buf[65536];
	la_ssize_t n = 0;
	int rc = -1;

	/* The filters a layer may have (as cx_layer_reader): no other
	 * decompressor is linked in or reachable. */
	if (!a || archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
	    archive_read_support_format_raw(a) != ARCHIVE_OK) {
		close(fd);
		if (a)
			archive_read_free(a);
		return cx_fail(ENOMEM, "save %s", source);
	}
	if (blob_begin(s, &b) < 0)
		goto out;
	if (archive_read_open_fd(a, fd, sizeof(buf)) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		cx_fail(0, "save %s: not a tar archive (a layer is a tar, plain, gzip or zstd): %s",
			source, archive_error_string(a) ?
			archive_error_string(a) : "empty");
	} else {
		while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
			if (blob_write(&b, buf, (size_t)n) < 0)
				break;
		if (n < 0)
			cx_fail(0, "save %s: %s", source, archive_error_string(a));
		else if (n == 0)
			rc = check_tar(s, b.tmp, source);
	}
	if (rc == 0)
		rc = blob_end(&b, out);
	else
		blob_abort(&b);
out:
	archive_read_free(a);
	close(fd);
	return rc;
}

static int layer(struct saver *s, const char *source, struct blob *out)
{
	int fd = open(source, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;

	if (fd < 0)
		return cx_fail(errno, "save %s", source);
	if (fstat(fd, &st) < 0) {
		int err = errno;

		close(fd);
		return cx_fail(err, "save %s", source);
	}
	if (S_ISDIR(st.st_mode)) {
		int rc = layer_of_dir(s, fd, source, out);

		close(fd);
		return rc;
	}
	if (S_ISREG(st.st_mode)) {
		fcntl(fd, F_SETFL, 0);
		return layer_of_tar(s, fd, source, out);
	}
	close(fd);
	return cx_fail(0, "save %s: neither a directory nor a layer tarball",
		       source);
}

/* --- JSON ----------------------------------------------------------- */

/* "KEY": in an object, after a comma unless it is the first member. */
static void member(FILE *f, bool *first, const char *key)
{
	fprintf(f, "%s\"%s\":", *first ? "" : ",", key);
	*first = false;
}

static void json_list(FILE *f, bool *first, const char *key,
		      const char **items)
{
	if (!items)
		return;
	member(f, first, key);
	fputc('[', f);
	for (size_t i = 0; items[i]; i++) {
		if (i)
			fputc(',', f);
		cx_json_string(f, items[i]);
	}
	fputc(']', f);
}

/* The time the image was made: SOURCE_DATE_EPOCH when set, for
 * reproducible builds, else now. */
static void created(char buf[32])
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;
	time_t t = e && cx_parse_u64(e, &v) == 0 ? (time_t)v : time(NULL);
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, 32, "1970-01-01T00:00:00Z");
}

static char *config_json(const struct cx_save_config *cfg,
			 char *const *sources, const struct blob *layers,
			 size_t n, size_t *len)
{
	char *text = NULL, when[32];
	FILE *f = open_memstream(&text, len);
	bool first = true;

	if (!f)
		return NULL;
	created(when);
	fprintf(f, "{\"created\":\"%s\",\"architecture\":\"%s\",\"os\":\"linux\",\"config\":{",
		when, CX_GOARCH);
	json_list(f, &first, "Entrypoint", cfg->entrypoint);
	json_list(f, &first, "Cmd", cfg->cmd);
	json_list(f, &first, "Env", cfg->env);
	if (cfg->workdir) {
		member(f, &first, "WorkingDir");
		cx_json_string(f, cfg->workdir);
	}
	if (cfg->user) {
		member(f, &first, "User");
		cx_json_string(f, cfg->user);
	}
	fputs("},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\"sha256:%s\"", i ? "," : "", layers[i].hex);
	fputs("]},\"history\":[", f);
	for (size_t i = 0; i < n; i++) {
		char by[PATH_MAX + 32];

		snprintf(by, sizeof(by), "cx-overlay save %s", sources[i]);
		fprintf(f, "%s{\"created\":\"%s\",\"created_by\":", i ? "," : "",
			when);
		cx_json_string(f, by);
		fputc('}', f);
	}
	fputs("]}", f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static char *manifest_json(const struct blob *config,
			   const struct blob *layers, size_t n, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	fprintf(f, "{\"schemaVersion\":2,\"mediaType\":\"" MANIFEST_TYPE
		   "\",\"config\":{\"mediaType\":\"" CONFIG_TYPE
		   "\",\"digest\":\"sha256:%s\",\"size\":%" PRId64 "},\"layers\":[",
		config->hex, config->size);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s{\"mediaType\":\"" LAYER_TYPE
			   "\",\"digest\":\"sha256:%s\",\"size\":%" PRId64 "}",
			i ? "," : "", layers[i].hex, layers[i].size);
	fputs("]}", f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static bool named(const json_t *desc, const char *ref)
{
	const json_t *ann = json_object_get(desc, "annotations");
	const char *name = json_string_value(json_object_get(ann, REF_KEY));

	return name && strcmp(name, ref) == 0;
}

/* index.json: the descriptors of OLD (NULL: none) but one named REF,
 * the other members of OLD as they were, and the new manifest. */
static char *index_json(json_t *old, const struct blob *m,
			const char *ref, size_t *len)
{
	const json_t *list = json_object_get(old, "manifests");
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	const char *k;
	json_t *v;

	if (!f)
		return NULL;
	fputs("{\"schemaVersion\":2,\"mediaType\":\"" INDEX_TYPE "\"", f);
	json_object_foreach(old, k, v) {
		if (!strcmp(k, "schemaVersion") || !strcmp(k, "mediaType") ||
		    !strcmp(k, "manifests"))
			continue;
		fputc(',', f);
		cx_json_string(f, k);
		fputc(':', f);
		json_dumpf(v, f, JSON_COMPACT | JSON_ENCODE_ANY);
	}
	fputs(",\"manifests\":[", f);
	for (size_t i = 0; i < json_array_size(list); i++) {
		if (named(json_array_get(list, i), ref))
			continue;
		json_dumpf(json_array_get(list, i), f, JSON_COMPACT);
		fputc(',', f);
	}
	fprintf(f, "{\"mediaType\":\"" MANIFEST_TYPE
		   "\",\"digest\":\"sha256:%s\",\"size\":%" PRId64
		   ",\"platform\":{\"architecture\":\"%s\",\"os\":\"linux\"},\"annotations\":{\"" REF_KEY "\":",
		m->hex, m->size, CX_GOARCH);
	cx_json_string(f, ref);
	fputs("}}]}\n", f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* --- the layout ----------------------------------------------------- */

/* NAME in the layout, replaced whole (a temporary file renamed). */
static int put_file(struct saver *s, const char *name, const char *text,
		    size_t len)
{
	char tmp[64];
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), ".cx-save-%d-%s", (int)getpid(), name);
	fd = openat(s->root, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
					  O_CLOEXEC, 0644);
	if (fd < 0)
		return cx_fail(errno, "save %s: write %s", s->layout, name);
	if (cx_write_all(fd, text, len) < 0)
		err = errno;
	if (!err && fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && renameat(s->root, tmp, s->root, name) < 0)
		err = errno;
	if (err) {
		unlinkat(s->root, tmp, 0);
		return cx_fail(err, "save %s: write %s", s->layout, name);
	}
	return 0;
}

static char *read_small(int dir, const char *name, size_t *len)
{
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	char *buf = NULL;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_INDEX) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	n = buf ? read(fd, buf, (size_t)st.st_size + 1) : -1;
	close(fd);
	if (n < 0 || n > st.st_size) {
		free(buf);
		errno = n < 0 ? errno : EINVAL;
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

/* An existing layout: its oci-layout must say version 1; its index is
 * returned in *OLD (NULL when it has none yet). */
static int open_existing(struct saver *s, json_t **old)
{
	size_t len;
	json_error_t err;
	char *text = read_small(s->root, LAYOUT_FILE, &len);
	json_t *j = text ? json_loadb(text, len, JSON_REJECT_DUPLICATES, &err) : NULL;
	const char *v = json_string_value(json_object_get(j, "imageLayoutVersion"));
	int ok = v && strncmp(v, "1.", 2) == 0, read = text != NULL;

	free(text);
	json_decref(j);
	*old = NULL;
	if (!ok)
		return cx_fail(read ? 0 : errno, "save %s: %s%s", s->layout,
			       LAYOUT_FILE, read ? " says no imageLayoutVersion 1.x" : "");
	text = read_small(s->root, INDEX_FILE, &len);
	if (!text && errno == ENOENT)
		return 0;
	if (text)
		*old = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	free(text);
	if (!json_is_object(*old) ||
	    (json_object_get(*old, "manifests") &&
	     !json_is_array(json_object_get(*old, "manifests"))))
		return cx_fail(0, "save %s: %s is no image index", s->layout,
			       INDEX_FILE);
	return 0;
}

static int open_dir_in(struct saver *s, int at, const char *name, bool *made)
{
	int fd;

	*made = false;
	if (mkdirat(at, name, 0755) == 0)
		*made = true;
	else if (errno != EEXIST)
		return cx_fail(errno, "save %s: mkdir %s", s->layout, name);
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cx_fail(errno, "save %s: open %s", s->layout, name);
	return fd;
}

static int save_in(struct saver *s, const char *ref, char *const *sources,
		   size_t n, const struct cx_save_config *cfg, json_t *old)
{
	struct blob *layers = calloc(n ? n : 1, sizeof(*layers)), config, m;
	char *text = NULL;
	size_t len;
	int blobs, rc = -1;

	if (!layers)
		return cx_fail(ENOMEM, "save %s", s->layout);
	blobs = open_dir_in(s, s->root, "blobs", &s->made_blobs[0]);
	if (blobs < 0)
		goto out;
	s->blobs = open_dir_in(s, blobs, "sha256", &s->made_blobs[1]);
	close(blobs);
	if (s->blobs < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (layer(s, sources[i], &layers[i]) < 0)
			goto out;
	if (!(text = config_json(cfg, sources, layers, n, &len)))
		goto nomem;
	if (blob_of(s, text, len, &config) < 0)
		goto out;
	free(text);
	if (!(text = manifest_json(&config, layers, n, &len)))
		goto nomem;
	if (blob_of(s, text, len, &m) < 0)
		goto out;
	free(text);
	if (!(text = index_json(old, &m, ref, &len)))
		goto nomem;
	rc = put_file(s, INDEX_FILE, text, len);
	goto out;
nomem:
	cx_fail(ENOMEM, "save %s", s->layout);
out:
	free(text);
	free(layers);
	return rc;
}

/* Take back what a failed run added to an existing layout. */
static void undo(struct saver *s)
{
	for (size_t i = 0; i < s->nadded; i++)
		unlinkat(s->blobs, s->added[i], 0);
	if (s->made_blobs[1])
		unlinkat(s->root, "blobs/sha256", AT_REMOVEDIR);
	if (s->made_blobs[0])
		unlinkat(s->root, "blobs", AT_REMOVEDIR);
}

static bool ref_ok(const char *ref)
{
	if (!*ref || strlen(ref) > 255)
		return false;
	for (const char *p = ref; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789-._:@/+", *p))
			return false;
	return true;
}

int cx_image_save(const char *layout, const char *ref,
		  char *const *sources, size_t n,
		  const struct cx_save_config *cfg)
{
	static const char oci_layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}\n";
	struct saver s = { .layout = layout, .root = -1, .blobs = -1 };
	json_t *old = NULL;
	struct cx_stage st;
	int rc;

	if (!ref_ok(ref))
		return cx_fail(0, "save %s: '%s' is no image name (letters, digits and -._:@/+ only)",
			       layout, ref);
	if (n == 0)
		return cx_fail(0, "save %s: no layer to save", layout);
	/* A layout already: the image is added to it. */
	s.root = open(layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.root < 0 && errno != ENOENT)
		return cx_fail(errno, "save %s", layout);
	if (s.root >= 0 &&
	    faccessat(s.root, LAYOUT_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		rc = open_existing(&s, &old);
		if (rc == 0)
			rc = save_in(&s, ref, sources, n, cfg, old);
		if (rc < 0)
			undo(&s);
		json_decref(old);
		goto out;
	}
	if (s.root >= 0) {
		size_t k;
		char **names = cx_dir_names(s.root, &k);

		close(s.root);
		s.root = -1;
		if (names)
			cx_names_free(names, k);
		if (names && k > 0)
			return cx_fail(0, "save %s: a directory that holds files, and no OCI image layout (no %s)",
				       layout, LAYOUT_FILE);
	}
	if (cx_stage_dir(&st, layout) < 0)
		return -1;
	s.root = st.fd;
	rc = put_file(&s, LAYOUT_FILE, oci_layout, sizeof(oci_layout) - 1);
	if (rc == 0)
		rc = save_in(&s, ref, sources, n, cfg, NULL);
	if (rc == 0)
		rc = cx_stage_commit(&st);
	if (rc < 0)
		cx_stage_abort(&st);
	s.root = -1;
out:
	for (size_t i = 0; i < s.nadded; i++)
		free(s.added[i]);
	free(s.added);
	if (s.blobs >= 0)
		close(s.blobs);
	if (s.root >= 0)
		close(s.root);
	return rc;
}
