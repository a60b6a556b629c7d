/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-textesc.c - libFuzzer target for what turns hostile bytes into text
 * and back (rescue/base/textesc.c, rescue/base/json.c, rescue/base/utf16.c).  Built and run
 * by `make fuzz`.  For any input:
 *   - the text form holds nothing a terminal acts on: valid UTF-8 without
 *     C0, DEL, C1 or textesc_is_special characters;
 *   - json_put_str then json_parse_flat gives the exact bytes back;
 *   - json_parse_flat / json_parse_top on the raw input do not crash;
 *   - UTF-16LE -> UTF-8 -> UTF-16LE gives the same code units (lone
 *     surrogates included) up to the first NUL unit. */
#define _GNU_SOURCE     /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/base/json.h"
#include "rescue/base/textesc.h"
#include "rescue/base/utf16.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s)
{
	char *t = textesc_dup(s);
	if (!t)
		return;
	for (const char *p = t; *p;) {
		unsigned cp;
		size_t n = utf8_decode(p, &cp);
		if (n == 0 || cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || textesc_is_special(cp))
			abort();
		p += n;
	}
	if (textesc_put(NULL, s, (size_t)-1) != strlen(t))
		abort();
	free(t);
}

static void check_json(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return;
	json_put_member(f, "{", "k", s);
	fputc('}', f);
	fclose(f);
	struct json_object o;
	if (json_parse_flat(buf, &o) != 0 || strcmp(json_get_str(&o, "k", ""), s) != 0)
		abort();
	json_object_free(&o);
	free(buf);
}

static void check_utf16(const uint8_t *data, size_t size)
{
	size_t n = 0;
	while (n + 1 < size && (data[n] | data[n + 1]))
		n += 2;
	char *s = utf16le_to_utf8(data, n);
	if (!s)
		return;
	uint8_t *w;
	size_t wlen;
	if (utf8_to_utf16le(s, &w, &wlen) != 0 || wlen != n || memcmp(w, data, n) != 0)
		abort();
	free(w);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_text(s);
	check_json(s);
	struct json_object o;
	if (json_parse_flat(s, &o) == 0)
		json_object_free(&o);
	if (json_parse_top(s, &o) == 0)
		json_object_free(&o);
	free(s);
	check_utf16(data, size);
	return 0;
}
