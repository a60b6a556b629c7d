/* SPDX-License-Identifier: GPL-2.0-or-later */
/* utf16.h - UTF-8 <-> UTF-16LE, as Windows stores names, strings and the
 * passwords an NT hash is computed over; and the one strict UTF-8 decoder
 * everything that judges bytes from the disk uses (json.c, textesc.c).
 *
 * Windows names are UTF-16 code units, not checked text: a name may hold a
 * surrogate without its pair.  Such a unit becomes the three bytes its code
 * point would have in UTF-8 (ED A0 80..ED BF BF, the "WTF-8" form).  Those
 * bytes are not valid UTF-8, so every writer escapes them byte by byte
 * (JSON as \udcXX, text as \xNN): the name stays distinguishable from any
 * real character, and utf8_to_utf16le turns them back into the same unit. */
#ifndef RESCUE_UTF16_H
#define RESCUE_UTF16_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1-4) of the valid UTF-8 sequence at S, its code point in *CP;
 * 0 when S does not start one: a stray continuation byte, an overlong
 * form, a surrogate, beyond U+10FFFF, or cut short by the NUL. */
size_t utf8_decode(const char *s, unsigned *cp);

/* True when S is valid UTF-8 throughout (strictly: no WTF-8 surrogate). */
bool utf8_valid(const char *s);

/* Write CP (up to U+10FFFF; a surrogate gives its WTF-8 form) at O; the
 * number of bytes written (1-4). */
size_t utf8_encode(char *o, unsigned cp);

/* Convert UTF-8 S into a malloc'd UTF-16LE buffer; *outlen bytes, no
 * terminator counted (the caller adds one where Windows wants it).  The
 * WTF-8 form of a lone surrogate gives that surrogate back.  -1 on other
 * invalid UTF-8 or no memory. */
int utf8_to_utf16le(const char *s, uint8_t **out, size_t *outlen);

/* Convert LEN bytes of UTF-16LE into a malloc'd UTF-8 string, stopping at a
 * NUL character; an unpaired surrogate becomes its WTF-8 form (above).
 * NULL on no memory. */
char *utf16le_to_utf8(const uint8_t *p, size_t len);

#endif
