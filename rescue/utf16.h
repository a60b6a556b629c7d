/* SPDX-License-Identifier: GPL-2.0-or-later */
/* utf16.h - UTF-8 <-> UTF-16LE, as Windows stores names, strings and the
 * passwords an NT hash is computed over. */
#ifndef RESCUE_UTF16_H
#define RESCUE_UTF16_H

#include <stddef.h>
#include <stdint.h>

/* Convert UTF-8 S into a malloc'd UTF-16LE buffer; *outlen bytes, no
 * terminator counted (the caller adds one where Windows wants it).  -1 on
 * invalid UTF-8 or no memory. */
int utf8_to_utf16le(const char *s, uint8_t **out, size_t *outlen);

/* Convert LEN bytes of UTF-16LE into a malloc'd UTF-8 string, stopping at a
 * NUL character; unpaired surrogates become U+FFFD.  NULL on no memory. */
char *utf16le_to_utf8(const uint8_t *p, size_t len);

#endif
