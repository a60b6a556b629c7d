/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lzx.h - LZX decoding of one WOF chunk: the WIM flavour of LZX, a 32 KiB
 * window that is the chunk itself (facts from the LZX descriptions in
 * MS-PATCH and the cabinet format, and wimlib's notes on the WIM variant).
 *
 * The stream is 16-bit little-endian words read from their top bit, in
 * blocks: 3 bits of type (1 verbatim, 2 aligned offsets, 3 uncompressed),
 * then 1 bit set for a 32768-byte block or 16 bits of size.  A compressed
 * block gives its Huffman codes as code lengths, each list preceded by a
 * 20-symbol "pretree" (4 bits a length) whose symbols 0-16 change the
 * previous length (mod 17), 17 and 18 give runs of zeros, 19 a run of one
 * value; an aligned block first gives 8 lengths of 3 bits.  Main symbols are
 * literals (0-255) or a length header (0-7, 7: a length symbol follows) and
 * one of 30 offset slots (0-2: the three recent offsets).  An uncompressed
 * block pads the bits to a word boundary (1 to 16 bits), gives the three
 * recent offsets (32 bits each), its bytes, and a pad byte when odd.  The
 * whole chunk is then put through the inverse "E8" call translation with
 * the WIM's fixed file size of 12000000 (no header announces it). */
#ifndef RESCUE_LZX_H
#define RESCUE_LZX_H

#include <stddef.h>
#include <stdint.h>

#define LZX_WINDOW 32768            /* the largest chunk decoded */

/* Decode IN (INLEN bytes) into exactly OUTLEN (at most LZX_WINDOW) bytes at
 * OUT.  0, or -1 with *WHY (a static string) saying what is wrong. */
int lzx_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen, const char **why);

#endif
