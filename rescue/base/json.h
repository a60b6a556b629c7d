/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.h - the little JSON rescue needs: writing strings and hex safely, and
 * reading back the flat objects it wrote itself (journal lines, manifests,
 * reports).  Flat means: one object whose values are strings, numbers,
 * booleans, null, or arrays of strings.  Anything else is an error, which
 * is what a damaged journal line must be. */
#ifndef RESCUE_JSON_H
#define RESCUE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Write S as a JSON string (quotes included); NULL writes null.  Bytes that
 * are not valid UTF-8 are written as \udcXX (XX the byte value, the
 * "surrogateescape" convention described in json.c), so a file name from a
 * damaged volume still gives valid JSON and reads back as the same bytes. */
void json_put_str(FILE *f, const char *s);

/* Write LIST ("a,b,c", SEP-separated; "" is the empty array) as a JSON array
 * of strings. */
void json_put_list(FILE *f, const char *list, char sep);

/* Write SEP (",", "{" or ""), then "KEY": and VALUE as by json_put_str: one
 * string member of an object, so callers do not pair printf and json_put_str. */
void json_put_member(FILE *f, const char *sep, const char *key, const char *value);

/* Write DATA as a JSON string of lowercase hex; NULL writes null. */
void json_put_hex(FILE *f, const uint8_t *data, size_t len);

enum json_type { JSON_NULL, JSON_STRING, JSON_NUMBER, JSON_BOOL, JSON_ARRAY };

struct json_field {
	char *key;
	enum json_type type;
	char *str;          /* JSON_STRING */
	double num;         /* JSON_NUMBER */
	bool boolean;       /* JSON_BOOL */
	char **items;       /* JSON_ARRAY of strings */
	size_t nitems;
};

struct json_object {
	struct json_field *fields;
	size_t n;
};

/* Parse one flat object from TEXT.  0 on success (free with
 * json_object_free), -1 on malformed input. */
int json_parse_flat(const char *text, struct json_object *out);
void json_object_free(struct json_object *o);

/* The flat fields of one object of any shape (a report): nested objects and
 * arrays of non-strings are checked for syntax and left out.  0 or -1. */
int json_parse_top(const char *text, struct json_object *out);

/* The field named KEY, NULL when absent. */
const struct json_field *json_get(const struct json_object *o, const char *key);
/* Typed getters: the string (borrowed), or DEF when absent / another type. */
const char *json_get_str(const struct json_object *o, const char *key, const char *def);
long json_get_long(const struct json_object *o, const char *key, long def);
bool json_get_bool(const struct json_object *o, const char *key, bool def);

/* Decode lowercase/uppercase hex into a malloc'd buffer; -1 when malformed. */
int json_hex_decode(const char *hex, uint8_t **out, size_t *outlen);

#endif
