/* A small JSON reader (RFC 8259), enough for an image's index.json,
 * manifests and docker save's manifest.json.  It builds a tree; the
 * lookups return NULL for anything missing or of another type, so that
 * a caller can chain them and check once. */
#ifndef CX_OVERLAY_JSON_H
#define CX_OVERLAY_JSON_H

#include <stddef.h>

enum cx_json_type {
	CX_JSON_NULL, CX_JSON_BOOL, CX_JSON_NUMBER, CX_JSON_STRING,
	CX_JSON_ARRAY, CX_JSON_OBJECT,
};

struct cx_json {
	enum cx_json_type type;
	char *key;		/* the member's name, inside an object */
	char *str;		/* a string's value, a number's text */
	int boolean;
	struct cx_json **items;	/* an array's elements, an object's members */
	size_t n;
};

/* Parse LEN bytes of TEXT.  NULL on error, with errno EINVAL (and the
 * byte offset of the error in *errpos, if not NULL) or ENOMEM.  Strings
 * holding "\u0000" are refused, and nesting is limited to 64 levels. */
struct cx_json *cx_json_parse(const char *text, size_t len, size_t *errpos);
void cx_json_free(struct cx_json *j);

/* The member KEY of an object (the last one, if repeated). */
const struct cx_json *cx_json_get(const struct cx_json *j, const char *key);
/* Element I of an array. */
const struct cx_json *cx_json_at(const struct cx_json *j, size_t i);
/* The number of elements of an array, 0 for anything else. */
size_t cx_json_len(const struct cx_json *j);
/* A string's value. */
const char *cx_json_str(const struct cx_json *j);

#endif
