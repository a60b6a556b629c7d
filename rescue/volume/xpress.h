/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xpress.h - MS-XCA "LZ77+Huffman" (XPRESS Huffman) decoding of one block,
 * as WOF (rescue/volume/wof.h) stores each chunk of a compressed file.
 *
 * The format (MS-XCA 2.1, 2.2): 256 bytes of Huffman code lengths for 512
 * symbols, 4 bits each (the low nibble the even symbol); then a bit stream
 * of little-endian 16-bit words read from their top bit, with whole bytes
 * of long match lengths taken from the input between them.  A symbol below
 * 256 is a literal; from 256 on, (symbol - 256) >> 4 is the bit length of
 * the match offset (whose leading 1 is implied) and its low 4 bits the
 * length - 3, 15 meaning "a byte follows; 255 there means a 16-bit length
 * (0 there: a 32-bit one) follows".  A new table starts every 64 KiB of
 * output: one block is all a WOF chunk (at most 32 KiB) has. */
#ifndef RESCUE_XPRESS_H
#define RESCUE_XPRESS_H

#include <stddef.h>
#include <stdint.h>

#define XPRESS_BLOCK 65536          /* output bytes one Huffman table covers */

/* Decode IN (INLEN bytes) into exactly OUTLEN (at most XPRESS_BLOCK) bytes
 * at OUT.  0, or -1 with *WHY (a static string) saying what is wrong. */
int xpress_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen, const char **why);

#endif
