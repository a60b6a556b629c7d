/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/utf16.h"

#include <stdlib.h>
#include <string.h>

int utf8_to_utf16le(const char *s, uint8_t **out, size_t *outlen)
{
	size_t n = strlen(s);
	uint8_t *b = malloc(4 * n + 2), *o = b;
	if (!b)
		return -1;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned cp, extra;
		if (p[0] < 0x80) {
			cp = p[0];
			extra = 0;
		} else if ((p[0] & 0xE0) == 0xC0 && p[0] >= 0xC2) {
			cp = p[0] & 0x1F;
			extra = 1;
		} else if ((p[0] & 0xF0) == 0xE0) {
			cp = p[0] & 0x0F;
			extra = 2;
		} else if ((p[0] & 0xF8) == 0xF0 && p[0] <= 0xF4) {
			cp = p[0] & 0x07;
			extra = 3;
		} else {
			goto bad;
		}
		for (unsigned i = 1; i <= extra; i++) {
			if ((p[i] & 0xC0) != 0x80)
				goto bad;
			cp = cp << 6 | (p[i] & 0x3F);
		}
		/* Overlong forms and surrogate code points are not UTF-8. */
		if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp < 0xE000))
			goto bad;
		p += extra + 1;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			unsigned hi = 0xD800 | cp >> 10, lo = 0xDC00 | (cp & 0x3FF);
			*o++ = (uint8_t)hi, *o++ = (uint8_t)(hi >> 8);
			*o++ = (uint8_t)lo, *o++ = (uint8_t)(lo >> 8);
		} else {
			*o++ = (uint8_t)cp, *o++ = (uint8_t)(cp >> 8);
		}
	}
	*out = b;
	*outlen = (size_t)(o - b);
	return 0;
bad:
	free(b);
	return -1;
}

char *utf16le_to_utf8(const uint8_t *p, size_t len)
{
	char *out = malloc(len / 2 * 3 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i + 1 < len; i += 2) {
		unsigned cp = p[i] | (unsigned)p[i + 1] << 8;
		if (cp == 0)
			break;
		if (cp >= 0xD800 && cp < 0xDC00 && i + 3 < len) {
			unsigned lo = p[i + 2] | (unsigned)p[i + 3] << 8;
			if (lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			} else {
				cp = 0xFFFD;
			}
		} else if (cp >= 0xD800 && cp < 0xE000) {
			cp = 0xFFFD;
		}
		if (cp < 0x80) {
			*o++ = (char)cp;
		} else if (cp < 0x800) {
			*o++ = (char)(0xC0 | cp >> 6);
			*o++ = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			*o++ = (char)(0xE0 | cp >> 12);
			*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
			*o++ = (char)(0x80 | (cp & 0x3F));
		} else {
			*o++ = (char)(0xF0 | cp >> 18);
			*o++ = (char)(0x80 | (cp >> 12 & 0x3F));
			*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
			*o++ = (char)(0x80 | (cp & 0x3F));
		}
	}
	*o = '\0';
	return out;
}
