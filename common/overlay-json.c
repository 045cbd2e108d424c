#include "overlay-json.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 64 };

struct parser {
	const char *s;
	size_t len, pos;
	int nomem;
};

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) &&
	       p->s[p->pos])
		p->pos++;
}

static int peek(struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static struct cx_json *node(struct parser *p, enum cx_json_type type)
{
	struct cx_json *j = calloc(1, sizeof(*j));

	if (!j)
		p->nomem = 1;
	else
		j->type = type;
	return j;
}

static int push(struct parser *p, struct cx_json *parent, struct cx_json *child)
{
	struct cx_json **items;

	items = realloc(parent->items, (parent->n + 1) * sizeof(*items));
	if (!items) {
		p->nomem = 1;
		return -1;
	}
	parent->items = items;
	items[parent->n++] = child;
	return 0;
}

static int hex4(struct parser *p, unsigned *out)
{
	unsigned v = 0;

	if (p->pos + 4 > p->len)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = p->s[p->pos++];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* A string, at its opening quote.  Escapes never make it longer than
 * the source, so the source length bounds the buffer. */
static char *string(struct parser *p)
{
	size_t start = ++p->pos, o = 0;
	char *out;

	while (p->pos < p->len && p->s[p->pos] != '"') {
		if (p->s[p->pos] == '\\')
			p->pos++;
		p->pos++;
	}
	if (p->pos >= p->len)
		return NULL;
	out = malloc(p->pos - start + 1);
	if (!out) {
		p->nomem = 1;
		return NULL;
	}
	p->pos = start;
	while (p->s[p->pos] != '"') {
		unsigned char c = (unsigned char)p->s[p->pos++];
		unsigned u, lo;

		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			out[o++] = (char)c;
			continue;
		}
		c = (unsigned char)p->s[p->pos++];
		switch (c) {
		case '"': case '\\': case '/':
			out[o++] = (char)c;
			break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u':
			if (hex4(p, &u) < 0 || u == 0)
				goto bad;
			if (u >= 0xdc00 && u <= 0xdfff)
				goto bad;
			if (u >= 0xd800 && u <= 0xdbff) {
				if (p->pos + 2 > p->len || p->s[p->pos] != '\\' ||
				    p->s[p->pos + 1] != 'u')
					goto bad;
				p->pos += 2;
				if (hex4(p, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			}
			o += put_utf8(out + o, u);
			break;
		default:
			goto bad;
		}
	}
	p->pos++;
	out[o] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static int number(struct parser *p, struct cx_json *j)
{
	size_t start = p->pos;
	const char *s = p->s;

#define DIGITS() do { if (p->pos >= p->len || s[p->pos] < '0' || \
			  s[p->pos] > '9') return -1; \
		while (p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9') \
			p->pos++; } while (0)
	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0')
		p->pos++;
	else
		DIGITS();
	if (peek(p) == '.') {
		p->pos++;
		DIGITS();
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		DIGITS();
	}
#undef DIGITS
	j->str = strndup(s + start, p->pos - start);
	if (!j->str) {
		p->nomem = 1;
		return -1;
	}
	return 0;
}

static int literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->pos + n > p->len || memcmp(p->s + p->pos, word, n) != 0)
		return -1;
	p->pos += n;
	return 0;
}

static struct cx_json *value(struct parser *p, int depth);

static struct cx_json *container(struct parser *p, int depth, int object)
{
	struct cx_json *j = node(p, object ? CX_JSON_OBJECT : CX_JSON_ARRAY);
	int close = object ? '}' : ']';

	if (!j)
		return NULL;
	p->pos++;
	skip_ws(p);
	if (peek(p) == close) {
		p->pos++;
		return j;
	}
	for (;;) {
		char *key = NULL;
		struct cx_json *child;

		skip_ws(p);
		if (object) {
			if (peek(p) != '"' || !(key = string(p)))
				goto bad;
			skip_ws(p);
			if (peek(p) != ':') {
				free(key);
				goto bad;
			}
			p->pos++;
		}
		child = value(p, depth + 1);
		if (!child) {
			free(key);
			goto bad;
		}
		child->key = key;
		if (push(p, j, child) < 0) {
			cx_json_free(child);
			goto bad;
		}
		skip_ws(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == close) {
			p->pos++;
			return j;
		}
		goto bad;
	}
bad:
	cx_json_free(j);
	return NULL;
}

static struct cx_json *value(struct parser *p, int depth)
{
	struct cx_json *j;
	int c;

	if (depth > MAX_DEPTH)
		return NULL;
	skip_ws(p);
	c = peek(p);
	if (c == '{' || c == '[')
		return container(p, depth, c == '{');
	if (c == '"') {
		char *s = string(p);

		if (!s)
			return NULL;
		j = node(p, CX_JSON_STRING);
		if (!j) {
			free(s);
			return NULL;
		}
		j->str = s;
		return j;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		j = node(p, CX_JSON_NUMBER);
		if (j && number(p, j) < 0) {
			cx_json_free(j);
			return NULL;
		}
		return j;
	}
	if (literal(p, "true") == 0 || literal(p, "false") == 0) {
		j = node(p, CX_JSON_BOOL);
		if (j)
			j->boolean = c == 't';
		return j;
	}
	if (literal(p, "null") == 0)
		return node(p, CX_JSON_NULL);
	return NULL;
}

struct cx_json *cx_json_parse(const char *text, size_t len, size_t *errpos)
{
	struct parser p = { text, len, 0, 0 };
	struct cx_json *j = value(&p, 0);

	if (j) {
		skip_ws(&p);
		if (p.pos != len) {
			cx_json_free(j);
			j = NULL;
		}
	}
	if (!j) {
		if (errpos)
			*errpos = p.pos;
		errno = p.nomem ? ENOMEM : EINVAL;
	}
	return j;
}

void cx_json_free(struct cx_json *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++)
		cx_json_free(j->items[i]);
	free(j->items);
	free(j->key);
	free(j->str);
	free(j);
}

const struct cx_json *cx_json_get(const struct cx_json *j, const char *key)
{
	const struct cx_json *found = NULL;

	if (!j || j->type != CX_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < j->n; i++)
		if (strcmp(j->items[i]->key, key) == 0)
			found = j->items[i];
	return found;
}

const struct cx_json *cx_json_at(const struct cx_json *j, size_t i)
{
	if (!j || j->type != CX_JSON_ARRAY || i >= j->n)
		return NULL;
	return j->items[i];
}

size_t cx_json_len(const struct cx_json *j)
{
	return j && j->type == CX_JSON_ARRAY ? j->n : 0;
}

const char *cx_json_str(const struct cx_json *j)
{
	return j && j->type == CX_JSON_STRING ? j->str : NULL;
}
