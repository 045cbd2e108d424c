#include "overlay-layer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum cx_wh cx_wh_classify(const char *base, const char **name)
{
	const char *rest;

	if (strncmp(base, CX_WH_PREFIX, strlen(CX_WH_PREFIX)) != 0)
		return CX_WH_NONE;
	if (strcmp(base, CX_WH_OPQ_NAME) == 0)
		return CX_WH_OPAQUE;
	if (strncmp(base, CX_WH_META_PREFIX, strlen(CX_WH_META_PREFIX)) == 0)
		return CX_WH_AUFS;
	rest = base + strlen(CX_WH_PREFIX);
	if (!*rest || strcmp(rest, ".") == 0 || strcmp(rest, "..") == 0 ||
	    strchr(rest, '/'))
		return CX_WH_BAD;
	if (name)
		*name = rest;
	return CX_WH_FILE;
}

int cx_wh_name(const char *name, char *buf, size_t len)
{
	int n;

	if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(buf, len, "%s%s", CX_WH_PREFIX, name);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int cx_layer_clean_path(const char *in, char *out, size_t len)
{
	size_t n = 0;
	const char *p = in;

	if (*in == '/') {
		errno = EINVAL;
		return -1;
	}
	while (*p) {
		const char *end;
		size_t clen;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		clen = (size_t)(end - p);
		if (clen == 1 && p[0] == '.') {
			p = end;
			continue;
		}
		if (clen == 2 && p[0] == '.' && p[1] == '.') {
			errno = EINVAL;
			return -1;
		}
		if (n + (n ? 1 : 0) + clen + 1 > len) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (n)
			out[n++] = '/';
		memcpy(out + n, p, clen);
		n += clen;
		p = end;
	}
	if (len == 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	out[n] = '\0';
	return 0;
}

void cx_layer_split(char *path, const char **dir, const char **base)
{
	char *slash = strrchr(path, '/');

	if (!slash) {
		*dir = "";
		*base = path;
		return;
	}
	*slash = '\0';
	*dir = path;
	*base = slash + 1;
}

int cx_layer_resolve_link(const char *from, const char *target, char *out,
			  size_t len)
{
	size_t n = 0, need = strlen(from) + strlen(target) + 2;
	char *buf = malloc(need), *p, *comp;

	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	if (target[0] == '/') {
		snprintf(buf, need, "%s", target);
	} else {
		const char *slash = strrchr(from, '/');

		snprintf(buf, need, "%.*s/%s",
			 slash ? (int)(slash - from) : 0, from, target);
	}
	if (len == 0)
		goto toolong;
	out[0] = '\0';
	p = buf;
	while ((comp = strsep(&p, "/"))) {
		size_t clen = strlen(comp);

		if (clen == 0 || strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char *up;

			if (n == 0) {
				free(buf);
				errno = EINVAL;
				return -1;
			}
			up = strrchr(out, '/');
			n = up ? (size_t)(up - out) : 0;
			out[n] = '\0';
			continue;
		}
		if (n + (n ? 1 : 0) + clen + 1 > len)
			goto toolong;
		if (n)
			out[n++] = '/';
		memcpy(out + n, comp, clen + 1);
		n += clen;
	}
	free(buf);
	return 0;
toolong:
	free(buf);
	errno = ENAMETOOLONG;
	return -1;
}

void cx_lower_free(char **dirs)
{
	if (!dirs)
		return;
	for (char **d = dirs; *d; d++)
		free(*d);
	free(dirs);
}

char **cx_lower_split(const char *s, size_t *n)
{
	size_t count = 1, len = strlen(s), k = 0;
	char **dirs;
	char *cur;
	size_t cl = 0;

	for (const char *p = s; *p; p++) {
		if (*p == '\\' && (p[1] == ':' || p[1] == '\\'))
			p++;
		else if (*p == ':')
			count++;
	}
	dirs = calloc(count + 1, sizeof(*dirs));
	cur = malloc(len + 1);
	if (!dirs || !cur) {
		free(dirs);
		free(cur);
		errno = ENOMEM;
		return NULL;
	}
	for (const char *p = s;; p++) {
		if (*p == '\\' && (p[1] == ':' || p[1] == '\\')) {
			cur[cl++] = *++p;
			continue;
		}
		if (*p && *p != ':') {
			cur[cl++] = *p;
			continue;
		}
		if (cl == 0)
			goto bad;
		cur[cl] = '\0';
		dirs[k] = strdup(cur);
		if (!dirs[k]) {
			free(cur);
			cx_lower_free(dirs);
			errno = ENOMEM;
			return NULL;
		}
		k++;
		cl = 0;
		if (!*p)
			break;
	}
	free(cur);
	*n = k;
	return dirs;
bad:
	free(cur);
	cx_lower_free(dirs);
	errno = EINVAL;
	return NULL;
}

char *cx_lower_join(char *const *dirs, size_t n, const char *special)
{
	size_t len = 1;
	char *out, *o;

	for (size_t i = 0; i < n; i++)
		len += 2 * strlen(dirs[i]) + 1;
	out = malloc(len);
	if (!out) {
		errno = ENOMEM;
		return NULL;
	}
	o = out;
	for (size_t i = 0; i < n; i++) {
		if (i)
			*o++ = ':';
		for (const char *p = dirs[i]; *p; p++) {
			if (*p == '\\' || strchr(special, *p))
				*o++ = '\\';
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static const struct {
	const char *alg;
	size_t hexlen;
} digest_algs[] = {
	{ "sha256", 64 },
	{ "sha512", 128 },
};

int cx_digest_path(const char *digest, char *path, size_t len)
{
	const char *colon = strchr(digest, ':');
	int n;

	if (!colon)
		goto bad;
	for (size_t i = 0; i < sizeof(digest_algs) / sizeof(*digest_algs);
	     i++) {
		const char *hex = colon + 1;
		size_t alen = strlen(digest_algs[i].alg);

		if ((size_t)(colon - digest) != alen ||
		    strncmp(digest, digest_algs[i].alg, alen) != 0)
			continue;
		if (strlen(hex) != digest_algs[i].hexlen ||
		    strspn(hex, "0123456789abcdef") != digest_algs[i].hexlen)
			goto bad;
		n = snprintf(path, len, "blobs/%s/%s", digest_algs[i].alg, hex);
		if (n < 0 || (size_t)n >= len) {
			errno = ENAMETOOLONG;
			return -1;
		}
		return 0;
	}
bad:
	errno = EINVAL;
	return -1;
}
