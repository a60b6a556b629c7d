/* SPDX-License-Identifier: GPL-2.0-or-later */
/* textesc.h - bytes from the disk, the hives, the stick or a report made
 * safe to show on a terminal or to write into a text file.
 *
 * Every name and value rescue shows was chosen by the worm.  Raw, an ESC
 * sequence repaints or retitles the terminal, a CR or newline starts a line
 * that looks like rescue's own ("rescue: VERDICT GREEN"), a bidi override
 * shows a name reversed.  So text output escapes, as `ls -b` and git's
 * quoted paths do, in a form that is unambiguous (a reader can tell every
 * escape from the same characters in a name) and stays on one line:
 *
 *   \               ->  \\ in a string that holds any escape below; alone,
 *                       a backslash stays one (Windows and registry paths)
 *   ESC, LF, CR, TAB ->  \e  \n  \r  \t
 *   other C0, DEL   ->  \xNN
 *   a byte that does not start valid UTF-8 (a stray 0x9b, Latin-1, the WTF-8
 *                       of a lone UTF-16 surrogate: see utf16.h) -> \xNN
 *   C1 controls U+0080..U+009F, valid UTF-8 -> each byte: \xc2\x9b
 *   bidi and line-breaking format characters (textesc_is_special) -> \u202e
 *   any other valid UTF-8 (accents, CJK, emoji) -> unchanged
 *
 * The lines rescue writes itself keep their own newlines and colours: only
 * the %s arguments of textesc_printf are escaped, never the format. */
#ifndef RESCUE_TEXTESC_H
#define RESCUE_TEXTESC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* True for a code point that is printable in UTF-8 but changes how the
 * text around it is shown: the bidi embeddings, overrides, isolates and
 * marks, and the Unicode line and paragraph separators.  JSON writes them
 * as \uXXXX too, so a report viewed with `cat` is as safe as its .txt. */
bool textesc_is_special(unsigned cp);

/* Write S escaped to F (F NULL: only count); at most MAX bytes, never
 * cutting an escape or a character in two.  Returns the bytes (that would
 * be) written. */
size_t textesc_put(FILE *f, const char *s, size_t max);

/* S escaped, in a malloc'd string the caller frees; NULL on no memory. */
char *textesc_dup(const char *s);

/* printf whose %s (and %c) arguments are written escaped: width and
 * precision count the escaped bytes, and a %s argument must be a
 * NUL-terminated string even with a precision.  Every other conversion as
 * printf does it; %n and wide strings are not supported.  Returns the
 * bytes written or -1, like fprintf. */
int textesc_vfprintf(FILE *f, const char *fmt, va_list ap);
int textesc_fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int textesc_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
