/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/json.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at S (1-4), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n;
	if ((s[0] & 0xE0) == 0xC0 && s[0] >= 0xC2)
		n = 2;
	else if ((s[0] & 0xF0) == 0xE0)
		n = 3;
	else if ((s[0] & 0xF8) == 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

void json_put_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', f);
	while (*p) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			p++;
		} else if (c == '\n') {
			fputs("\\n", f), p++;
		} else if (c == '\r') {
			fputs("\\r", f), p++;
		} else if (c == '\t') {
			fputs("\\t", f), p++;
		} else if (c < 0x20 || c == 0x7F) {
			fprintf(f, "\\u%04x", c), p++;
		} else {
			size_t n = utf8_seq(p);
			if (n == 0) {
				fprintf(f, "\\u%04x", c);
				p++;
			} else {
				fwrite(p, 1, n, f);
				p += n;
			}
		}
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

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Parse a string at ps->p (on the opening quote) into a malloc'd buffer.
 * \u00XX escapes of bytes 0x80-0xFF that json_put_str wrote for invalid
 * UTF-8 come back as those raw bytes, so a name round-trips exactly. */
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
			if (cp >= 0x80 && cp <= 0xFF)
				*o++ = (char)cp;
			else
				o += put_utf8(o, cp);
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
