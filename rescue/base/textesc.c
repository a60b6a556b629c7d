/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE     /* strchrnul */
#include "rescue/base/textesc.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/base/utf16.h"

/* The code points textesc_is_special names, as closed ranges. */
static const struct { unsigned first, last; } special_ranges[] = {
	{ 0x061C, 0x061C },     /* Arabic letter mark */
	{ 0x200E, 0x200F },     /* left-to-right and right-to-left marks */
	{ 0x2028, 0x202E },     /* line and paragraph separators, bidi embeddings and overrides */
	{ 0x2066, 0x2069 },     /* bidi isolates */
};

/* The C0 controls with a short escape of their own, as in C and `ls -b`. */
static const struct { unsigned char byte; char letter; } named_controls[] = {
	{ 0x1B, 'e' }, { '\n', 'n' }, { '\r', 'r' }, { '\t', 't' },
};

bool textesc_is_special(unsigned cp)
{
	for (size_t i = 0; i < sizeof(special_ranges) / sizeof(special_ranges[0]); i++)
		if (cp >= special_ranges[i].first && cp <= special_ranges[i].last)
			return true;
	return false;
}

static size_t hex_byte(char *out, unsigned char b)
{
	static const char digits[] = "0123456789abcdef";
	out[0] = '\\', out[1] = 'x', out[2] = digits[b >> 4], out[3] = digits[b & 15];
	return 4;
}

/* Render the character at S into OUT (room for 16 bytes): the output
 * length; *USED is how many bytes of S it stands for.  A backslash is
 * doubled only with QUOTE_BACKSLASH (see render). */
static size_t render_one(const char *s, char *out, size_t *used, bool quote_backslash)
{
	unsigned cp;
	size_t n = utf8_decode(s, &cp);
	if (n == 0) {
		*used = 1;
		return hex_byte(out, (unsigned char)*s);
	}
	*used = n;
	if (cp == '\\' && quote_backslash) {
		out[0] = out[1] = '\\';
		return 2;
	}
	for (size_t i = 0; i < sizeof(named_controls) / sizeof(named_controls[0]); i++)
		if (cp == named_controls[i].byte) {
			out[0] = '\\', out[1] = named_controls[i].letter;
			return 2;
		}
	if (cp < 0x20 || cp == 0x7F)
		return hex_byte(out, (unsigned char)cp);
	if (cp >= 0x80 && cp < 0xA0)    /* C1: both bytes, as `ls -b` shows them */
		return hex_byte(out, (unsigned char)s[0]) + hex_byte(out + 4, (unsigned char)s[1]);
	if (textesc_is_special(cp))
		return (size_t)snprintf(out, 16, "\\u%04x", cp);
	memcpy(out, s, n);
	return n;
}

/* True when S shows as it is: nothing in it needs an escape. */
static bool shows_plain(const char *s)
{
	while (*s) {
		char one[16];
		size_t used, len = render_one(s, one, &used, false);
		if (len != used || memcmp(one, s, len) != 0)
			return false;
		s += used;
	}
	return true;
}

/* Render S, at most MAX bytes, into F or BUF (either may be NULL).
 * Backslashes are doubled only in a string that holds an escape: Windows
 * and registry paths stay readable (HKLM\SOFTWARE\...), and wherever an
 * escape appears a reader can still tell it from the same characters in a
 * name. */
static size_t render(const char *s, size_t max, FILE *f, char *buf)
{
	bool quote_backslash = !shows_plain(s);
	size_t total = 0;
	while (*s) {
		char one[16];
		size_t used, len = render_one(s, one, &used, quote_backslash);
		if (len > max - total)
			break;
		if (f)
			fwrite(one, 1, len, f);
		if (buf)
			memcpy(buf + total, one, len);
		total += len;
		s += used;
	}
	return total;
}

size_t textesc_put(FILE *f, const char *s, size_t max)
{
	return render(s, max, f, NULL);
}

char *textesc_dup(const char *s)
{
	size_t n = render(s, SIZE_MAX, NULL, NULL);
	char *out = malloc(n + 1);
	if (out) {
		render(s, n, NULL, out);
		out[n] = '\0';
	}
	return out;
}

/* One %s (or %c) conversion: escaped, cut to PREC, padded to WIDTH. */
static int put_field(FILE *f, const char *s, int width, int prec, bool left)
{
	size_t max = prec >= 0 ? (size_t)prec : SIZE_MAX;
	size_t len = render(s, max, NULL, NULL);
	size_t pad = width > 0 && (size_t)width > len ? (size_t)width - len : 0;
	if (!left)
		fprintf(f, "%*s", (int)pad, "");
	render(s, len, f, NULL);
	if (left)
		fprintf(f, "%*s", (int)pad, "");
	return (int)(len + pad);
}

int textesc_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	va_list args;
	va_copy(args, ap);
	long total = 0;
	const char *p = fmt;
	while (*p) {
		if (*p != '%') {
			const char *q = strchrnul(p, '%');
			fwrite(p, 1, (size_t)(q - p), f);
			total += q - p;
			p = q;
			continue;
		}
		/* Take the conversion apart: flags, width, precision, length,
		 * and rebuild it with the '*' values filled in. */
		/* Room for 8 flags, '-', an int width, '.' and an int
		 * precision, two length letters, the conversion and NUL. */
		char spec[48] = "%", length[3] = "";
		size_t sl = 1;
		bool left = false;
		int width = -1, prec = -1;
		for (p++; *p && strchr("-+ #0'", *p); p++) {
			left |= *p == '-';
			if (sl < 8)
				spec[sl++] = *p;
		}
		if (*p == '*') {
			width = va_arg(args, int), p++;
			if (width < 0)
				left = true, width = -width;
		} else if (isdigit((unsigned char)*p)) {
			for (width = 0; isdigit((unsigned char)*p); p++)
				width = width * 10 + (*p - '0');
		}
		if (*p == '.') {
			p++;
			if (*p == '*') {
				prec = va_arg(args, int), p++;
			} else {
				for (prec = 0; isdigit((unsigned char)*p); p++)
					prec = prec * 10 + (*p - '0');
			}
		}
		for (size_t l = 0; l < 2 && *p && strchr("hlLjzt", *p); l++)
			length[l] = *p++;
		char conv = *p ? *p++ : '\0';
		if (left && !memchr(spec, '-', sl))
			spec[sl++] = '-';
		if (width >= 0)
			sl += (size_t)snprintf(spec + sl, sizeof(spec) - sl, "%d", width);
		if (prec >= 0)
			sl += (size_t)snprintf(spec + sl, sizeof(spec) - sl, ".%d", prec);
		snprintf(spec + sl, sizeof(spec) - sl, "%s%c", length, conv);

		int n;
		bool l1 = length[0] == 'l' && !length[1], ll = length[0] == 'l' && length[1] == 'l';
		switch (conv) {
		case '%':
			fputc('%', f);
			n = 1;
			break;
		case 's': {
			const char *s = va_arg(args, const char *);
			n = length[0] ? -1 : put_field(f, s ? s : "(null)", width, prec, left);
			break;
		}
		case 'c': {
			char one[2] = { (char)va_arg(args, int), '\0' };
			n = length[0] ? -1 : put_field(f, one, width, -1, left);
			break;
		}
		case 'd': case 'i':
			if (ll || length[0] == 'j')
				n = fprintf(f, spec, va_arg(args, long long));
			else if (l1 || length[0] == 'z' || length[0] == 't')
				n = fprintf(f, spec, va_arg(args, long));
			else
				n = fprintf(f, spec, va_arg(args, int));
			break;
		case 'u': case 'x': case 'X': case 'o':
			if (ll || length[0] == 'j')
				n = fprintf(f, spec, va_arg(args, unsigned long long));
			else if (l1 || length[0] == 'z' || length[0] == 't')
				n = fprintf(f, spec, va_arg(args, unsigned long));
			else
				n = fprintf(f, spec, va_arg(args, unsigned));
			break;
		case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
			if (length[0] == 'L')
				n = fprintf(f, spec, va_arg(args, long double));
			else
				n = fprintf(f, spec, va_arg(args, double));
			break;
		case 'p':
			n = fprintf(f, spec, va_arg(args, void *));
			break;
		default:        /* %n, wide strings: no caller uses them */
			n = -1;
			break;
		}
		if (n < 0) {
			va_end(args);
			return -1;
		}
		total += n;
	}
	va_end(args);
	return total > INT32_MAX ? INT32_MAX : (int)total;
}

int textesc_fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = textesc_vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int textesc_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = textesc_vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}
