/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/json.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/base/textesc.h"
#include "rescue/base/utf16.h"

/* How json_put_str writes a string that came from the disk (DESIGN: JSON
 * keeps the exact bytes).  Valid UTF-8 is written as is, except the
 * characters a terminal acts on, which JSON spells \u00XX / \uXXXX (C0,
 * DEL, C1, and textesc_is_special's bidi and line separators), so `cat` of
 * a report is safe and a decoder still gets exactly those characters.
 * A byte B (0x80..0xFF) that does not start valid UTF-8 is written as the
 * lone low surrogate \udcBB: Python's "surrogateescape" convention.  A lone
 * surrogate is never a real character, so it cannot be mistaken for
 * Latin-1 text (which the old \u00BB spelling could), and parse_string
 * turns it back into the byte.  The WTF-8 form of a lone UTF-16 surrogate
 * from a hive (utf16.h) is three such bytes. */
void json_put_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	while (*s) {
		unsigned cp;
		size_t n = utf8_decode(s, &cp);
		if (n == 0) {
			fprintf(f, "\\udc%02x", (unsigned char)*s);
			s++;
			continue;
		}
		if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", (int)cp);
		else if (cp == '\n')
			fputs("\\n", f);
		else if (cp == '\r')
			fputs("\\r", f);
		else if (cp == '\t')
			fputs("\\t", f);
		else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || textesc_is_special(cp))
			fprintf(f, "\\u%04x", cp);
		else
			fwrite(s, 1, n, f);
		s += n;
	}
	fputc('"', f);
}

void json_put_list(FILE *f, const char *list, char sep)
{
	fputc('[', f);
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, sep);
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char *one = malloc(n + 1);
		if (one) {
			memcpy(one, p, n);
			one[n] = '\0';
			fputs(p == list ? "" : ",", f);
			json_put_str(f, one);
			free(one);
		}
		p += n + (end != NULL);
	}
	fputc(']', f);
}

void json_put_member(FILE *f, const char *sep, const char *key, const char *value)
{
	fprintf(f, "%s\"%s\":", sep, key);
	json_put_str(f, value);
}

void json_put_hex(FILE *f, const uint8_t *data, size_t len)
{
	if (!data) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", data[i]);
	fputc('"', f);
}

/* ---- parsing ---- */

struct parser {
	const char *p;
};

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int read_u16(const char *s, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval((unsigned char)s[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return 0;
}

/* Parse a string at ps->p (on the opening quote) into a malloc'd buffer.
 * A lone \udc80..\udcff is the byte json_put_str escaped (0x80..0xff), so
 * a name round-trips exactly; any other lone surrogate comes back in its
 * WTF-8 form (utf16.h), which json_put_str writes back the same way. */
static char *parse_string(struct parser *ps)
{
	if (*ps->p != '"')
		return NULL;
	const char *s = ++ps->p;
	size_t cap = strlen(s) + 1;
	char *out = malloc(cap), *o = out;
	if (!out)
		return NULL;
	while (*s && *s != '"') {
		if ((unsigned char)*s < 0x20)
			goto bad;
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case '"': case '\\': case '/': *o++ = *s++; break;
		case 'b': *o++ = '\b'; s++; break;
		case 'f': *o++ = '\f'; s++; break;
		case 'n': *o++ = '\n'; s++; break;
		case 'r': *o++ = '\r'; s++; break;
		case 't': *o++ = '\t'; s++; break;
		case 'u': {
			unsigned cp;
			if (read_u16(s + 1, &cp) != 0)
				goto bad;
			s += 5;
			if (cp >= 0xD800 && cp < 0xDC00 && s[0] == '\\' && s[1] == 'u') {
				unsigned lo;
				if (read_u16(s + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					s += 6;
				}
			}
			if (cp == 0)
				goto bad;
			if (cp >= 0xDC80 && cp <= 0xDCFF)
				*o++ = (char)(cp - 0xDC00);
			else
				o += utf8_encode(o, cp);
			break;
		}
		default:
			goto bad;
		}
	}
	if (*s != '"')
		goto bad;
	*o = '\0';
	ps->p = s + 1;
	return out;
bad:
	free(out);
	return NULL;
}

static void field_free(struct json_field *f)
{
	free(f->key);
	free(f->str);
	for (size_t i = 0; i < f->nitems; i++)
		free(f->items[i]);
	free(f->items);
}

static int parse_value(struct parser *ps, struct json_field *f)
{
	skip_ws(ps);
	const char *p = ps->p;
	if (*p == '"') {
		f->type = JSON_STRING;
		f->str = parse_string(ps);
		return f->str ? 0 : -1;
	}
	if (strncmp(p, "null", 4) == 0) {
		f->type = JSON_NULL;
		ps->p += 4;
		return 0;
	}
	if (strncmp(p, "true", 4) == 0 || strncmp(p, "false", 5) == 0) {
		f->type = JSON_BOOL;
		f->boolean = p[0] == 't';
		ps->p += f->boolean ? 4 : 5;
		return 0;
	}
	if (*p == '[') {
		f->type = JSON_ARRAY;
		ps->p++;
		skip_ws(ps);
		if (*ps->p == ']') {
			ps->p++;
			return 0;
		}
		for (;;) {
			skip_ws(ps);
			char *item = parse_string(ps);
			if (!item)
				return -1;
			char **v = realloc(f->items, (f->nitems + 1) * sizeof(*v));
			if (!v) {
				free(item);
				return -1;
			}
			f->items = v;
			f->items[f->nitems++] = item;
			skip_ws(ps);
			if (*ps->p == ',') {
				ps->p++;
				continue;
			}
			if (*ps->p == ']') {
				ps->p++;
				return 0;
			}
			return -1;
		}
	}
	if (*p == '-' || isdigit((unsigned char)*p)) {
		char *end;
		f->type = JSON_NUMBER;
		f->num = strtod(p, &end);
		if (end == p)
			return -1;
		ps->p = end;
		return 0;
	}
	return -1;
}

/* Skip one JSON value of any shape (for json_parse_top), nested at most
 * DEPTH deep.  0 on success. */
static int skip_value(struct parser *ps, int depth)
{
	skip_ws(ps);
	char open = *ps->p;
	if (open != '{' && open != '[') {
		struct json_field f = { 0 };
		int rc = parse_value(ps, &f);
		field_free(&f);
		return rc;
	}
	if (depth <= 0)
		return -1;
	char close = open == '{' ? '}' : ']';
	ps->p++;
	skip_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		skip_ws(ps);
		if (open == '{') {
			char *key = parse_string(ps);
			if (!key)
				return -1;
			free(key);
			skip_ws(ps);
			if (*ps->p++ != ':')
				return -1;
		}
		if (skip_value(ps, depth - 1) != 0)
			return -1;
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			return 0;
		}
		return -1;
	}
}

/* Parse an object; with TOP, values that are not flat (nested objects,
 * arrays of anything but strings) are checked and left out. */
static int parse_object(const char *text, struct json_object *out, bool top)
{
	struct parser ps = { text };
	struct json_object o = { 0 };
	skip_ws(&ps);
	if (*ps.p++ != '{')
		return -1;
	skip_ws(&ps);
	if (*ps.p == '}') {
		ps.p++;
		goto done;
	}
	for (;;) {
		skip_ws(&ps);
		struct json_field f = { 0 };
		f.key = parse_string(&ps);
		if (!f.key)
			goto bad;
		skip_ws(&ps);
		if (*ps.p++ != ':') {
			field_free(&f);
			goto bad;
		}
		const char *at = ps.p;
		if (parse_value(&ps, &f) != 0) {
			field_free(&f);
			ps.p = at;
			if (!top || skip_value(&ps, 32) != 0)
				goto bad;
			goto next;
		}
		struct json_field *v = realloc(o.fields, (o.n + 1) * sizeof(*v));
		if (!v) {
			field_free(&f);
			goto bad;
		}
		o.fields = v;
		o.fields[o.n++] = f;
next:
		skip_ws(&ps);
		if (*ps.p == ',') {
			ps.p++;
			continue;
		}
		if (*ps.p == '}') {
			ps.p++;
			break;
		}
		goto bad;
	}
done:
	skip_ws(&ps);
	if (*ps.p != '\0')
		goto bad;
	*out = o;
	return 0;
bad:
	json_object_free(&o);
	return -1;
}

int json_parse_flat(const char *text, struct json_object *out)
{
	return parse_object(text, out, false);
}

int json_parse_top(const char *text, struct json_object *out)
{
	return parse_object(text, out, true);
}

void json_object_free(struct json_object *o)
{
	for (size_t i = 0; i < o->n; i++)
		field_free(&o->fields[i]);
	free(o->fields);
	o->fields = NULL;
	o->n = 0;
}

const struct json_field *json_get(const struct json_object *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->fields[i].key, key) == 0)
			return &o->fields[i];
	return NULL;
}

const char *json_get_str(const struct json_object *o, const char *key, const char *def)
{
	const struct json_field *f = json_get(o, key);
	return f && f->type == JSON_STRING ? f->str : def;
}

long json_get_long(const struct json_object *o, const char *key, long def)
{
	const struct json_field *f = json_get(o, key);
	return f && f->type == JSON_NUMBER ? (long)f->num : def;
}

bool json_get_bool(const struct json_object *o, const char *key, bool def)
{
	const struct json_field *f = json_get(o, key);
	return f && f->type == JSON_BOOL ? f->boolean : def;
}

int json_hex_decode(const char *hex, uint8_t **out, size_t *outlen)
{
	size_t n = strlen(hex);
	if (n % 2)
		return -1;
	uint8_t *b = malloc(n / 2 + 1);
	if (!b)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval((unsigned char)hex[2 * i]), lo = hexval((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(b);
			return -1;
		}
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = b;
	*outlen = n / 2;
	return 0;
}
