/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/utf16.h"

#include <stdlib.h>
#include <string.h>

size_t utf8_decode(const char *s, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;
	unsigned c;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xE0) == 0xC0)
		n = 2, c = p[0] & 0x1F;
	else if ((p[0] & 0xF0) == 0xE0)
		n = 3, c = p[0] & 0x0F;
	else if ((p[0] & 0xF8) == 0xF0)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)  /* also stops at the NUL */
			return 0;
		c = c << 6 | (p[i] & 0x3F);
	}
	/* The shortest form only, and no surrogate: anything else has a second
	 * spelling, and two spellings of one name defeat every comparison. */
	static const unsigned least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (c < least[n] || c > 0x10FFFF || (c >= 0xD800 && c < 0xE000))
		return 0;
	*cp = c;
	return n;
}

bool utf8_valid(const char *s)
{
	unsigned cp;
	for (size_t n; *s; s += n)
		if ((n = utf8_decode(s, &cp)) == 0)
			return false;
	return true;
}

size_t utf8_encode(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
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

/* The code unit of a lone surrogate in its WTF-8 form at P (ED A0..BF xx),
 * 0 when P does not hold one. */
static unsigned wtf8_surrogate(const unsigned char *p)
{
	if (p[0] != 0xED || (p[1] & 0xE0) != 0xA0 || (p[2] & 0xC0) != 0x80)
		return 0;
	return 0xD000 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
}

static uint8_t *put_unit(uint8_t *o, unsigned unit)
{
	*o++ = (uint8_t)unit;
	*o++ = (uint8_t)(unit >> 8);
	return o;
}

int utf8_to_utf16le(const char *s, uint8_t **out, size_t *outlen)
{
	size_t n = strlen(s);
	uint8_t *b = malloc(4 * n + 2), *o = b;
	if (!b)
		return -1;
	while (*s) {
		unsigned cp;
		size_t len = utf8_decode(s, &cp);
		if (len == 0) {
			cp = wtf8_surrogate((const unsigned char *)s);
			len = 3;
		}
		if (cp == 0) {
			free(b);
			return -1;
		}
		s += len;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			o = put_unit(o, 0xD800 | cp >> 10);
			o = put_unit(o, 0xDC00 | (cp & 0x3FF));
		} else {
			o = put_unit(o, cp);
		}
	}
	*out = b;
	*outlen = (size_t)(o - b);
	return 0;
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
			}
		}
		o += utf8_encode(o, cp);
	}
	*o = '\0';
	return out;
}
