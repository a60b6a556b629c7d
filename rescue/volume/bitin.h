/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bitin.h - the bit stream of MS-XCA's LZ77+Huffman and of LZX: 16-bit
 * little-endian words, read from their top bit, with whole bytes read from
 * the input between them (a long XPRESS match length, an LZX uncompressed
 * block) at POS, just after the words loaded so far.  How many words are
 * loaded when bytes are read is therefore part of the format: each format
 * says when it tops up (bitin_ensure).
 *
 * Past the end of the input the decoders may look ahead a word or two that
 * the encoder never wrote: those read as zeros; more than two is a stream
 * cut short (an error).  Nothing is read outside IN[0..LEN). */
#ifndef RESCUE_BITIN_H
#define RESCUE_BITIN_H

#include <stddef.h>
#include <stdint.h>

struct bitin {
	const uint8_t *in;
	size_t len, pos;            /* POS: the next word or byte to read */
	uint32_t bits;              /* N unread bits, at the top */
	int n;
	int pad;                    /* words read past the end, as zeros */
};

static inline void bitin_init(struct bitin *b, const uint8_t *in, size_t len)
{
	b->in = in;
	b->len = len;
	b->pos = 0;
	b->bits = 0;
	b->n = 0;
	b->pad = 0;
}

/* Load words until at least K (<= 16) bits are unread.  -1: cut short. */
static inline int bitin_ensure(struct bitin *b, int k)
{
	while (b->n < k) {
		uint32_t w = 0;
		if (b->len - b->pos >= 2) {
			w = (uint32_t)b->in[b->pos] | (uint32_t)b->in[b->pos + 1] << 8;
			b->pos += 2;
		} else {
			if (b->pos < b->len)
				w = b->in[b->pos];
			b->pos = b->len;
			if (++b->pad > 2)
				return -1;
		}
		b->bits |= w << (16 - b->n);
		b->n += 16;
	}
	return 0;
}

/* The next K (<= 16, <= n) bits, not consumed. */
static inline uint32_t bitin_peek(const struct bitin *b, unsigned k)
{
	return k ? b->bits >> (32 - k) : 0;
}

static inline void bitin_drop(struct bitin *b, unsigned k)
{
	b->bits = k < 32 ? b->bits << k : 0;
	b->n -= (int)k;
}

/* Read K (<= 16) bits into *V.  -1: cut short. */
static inline int bitin_read(struct bitin *b, unsigned k, uint32_t *v)
{
	if (bitin_ensure(b, (int)k) != 0)
		return -1;
	*v = bitin_peek(b, k);
	bitin_drop(b, k);
	return 0;
}

/* A little-endian number of K (<= 4) bytes from the input at POS. */
static inline int bitin_bytes(struct bitin *b, unsigned k, uint32_t *v)
{
	if (b->pad || b->len - b->pos < k)
		return -1;
	*v = 0;
	for (unsigned i = 0; i < k; i++)
		*v |= (uint32_t)b->in[b->pos + i] << (8 * i);
	b->pos += k;
	return 0;
}

/* Skip to the next word boundary of what was consumed, 1 to 16 bits (a
 * whole word when already on one), and drop what was loaded ahead: bytes
 * follow at POS.  -1: past the end. */
static inline int bitin_align(struct bitin *b)
{
	size_t back = 2 * (size_t)(b->n / 16);      /* whole words loaded ahead */
	size_t skip = b->n % 16 == 0 ? 2 : 0;       /* on a boundary: a whole word */
	if (b->pad || back > b->pos || b->pos - back + skip > b->len)
		return -1;
	b->pos = b->pos - back + skip;
	b->bits = 0;
	b->n = 0;
	return 0;
}

#endif
