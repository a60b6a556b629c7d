/* SPDX-License-Identifier: GPL-2.0-or-later */
/* huff.h - canonical Huffman codes as MS-XCA and LZX store them: only the
 * code length of each symbol is given (0: unused); codes of one length are
 * consecutive, in symbol order, shorter lengths first.
 *
 * Codes read from a disk are untrusted: an over-subscribed set of lengths
 * is refused; an incomplete one is accepted (an empty code too: LZX sends
 * one for a tree its block does not use) and a bit pattern no symbol has is
 * a decoding error, never a read outside the tables. */
#ifndef RESCUE_HUFF_H
#define RESCUE_HUFF_H

#include <stdint.h>

#define HUFF_MAXLEN 16          /* LZX allows 16 bits, MS-XCA 15 */
#define HUFF_MAXSYMS 512
#define HUFF_FAST 10            /* codes up to this long are found with one table look-up */

struct huff {
	unsigned maxlen;
	uint16_t fast[1u << HUFF_FAST];     /* (length << 9) | symbol; 0: longer code or none */
	uint32_t first[HUFF_MAXLEN + 1];    /* the first code of each length */
	uint16_t count[HUFF_MAXLEN + 1];    /* how many codes of each length */
	uint16_t start[HUFF_MAXLEN + 1];    /* where they start in sorted[] */
	uint16_t sorted[HUFF_MAXSYMS];      /* the symbols by (length, symbol) */
};

/* Build H from LENS[NSYMS] (each 0..MAXLEN, MAXLEN <= HUFF_MAXLEN, NSYMS <=
 * HUFF_MAXSYMS).  0, or -1 when a length is out of range or the lengths
 * are over-subscribed. */
int huff_build(struct huff *h, const uint8_t *lens, unsigned nsyms, unsigned maxlen);

/* The symbol whose code starts PEEK (the next h->maxlen bits of the stream,
 * first bit highest), its length in *LEN; -1 when no symbol has that code. */
static inline int huff_decode(const struct huff *h, uint32_t peek, unsigned *len)
{
	uint16_t e = h->fast[peek >> (h->maxlen - HUFF_FAST)];
	if (e) {
		*len = e >> 9;
		return e & 511;
	}
	for (unsigned l = HUFF_FAST + 1; l <= h->maxlen; l++) {
		uint32_t i = (peek >> (h->maxlen - l)) - h->first[l];
		if (i < h->count[l]) {
			*len = l;
			return h->sorted[h->start[l] + i];
		}
	}
	return -1;
}

#endif
