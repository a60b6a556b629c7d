/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/xpress.h"

#include "rescue/huff.h"

#define NSYMS 512
#define MAXLEN 15

/* The bit stream: BITS holds N >= 16 unread bits at its top after every
 * step, loaded a 16-bit word at a time.  MS-XCA's decoder keeps 16 to 32
 * bits so; the bytes of a long match length are taken at POS, after the
 * words loaded, so the same number must be loaded when they are read. */
struct bits {
	const uint8_t *in;
	size_t len, pos;
	uint32_t bits;
	int n;
	int pad;                    /* words past the end, given as zeros */
};

/* Top up to at least 16 bits.  Past the end of the input the decoder may
 * look ahead a word or two that the encoder never wrote (zeros); more than
 * that means the stream is cut short. */
static int refill(struct bits *b)
{
	while (b->n < 16) {
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

static uint32_t take(struct bits *b, unsigned k)
{
	uint32_t v = k ? b->bits >> (32 - k) : 0;
	b->bits = k < 32 ? b->bits << k : 0;
	b->n -= (int)k;
	return v;
}

/* A little-endian number of K bytes from the input itself. */
static int bytes(struct bits *b, unsigned k, uint32_t *v)
{
	if (b->len - b->pos < k)
		return -1;
	*v = 0;
	for (unsigned i = 0; i < k; i++)
		*v |= (uint32_t)b->in[b->pos + i] << (8 * i);
	b->pos += k;
	return 0;
}

int xpress_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen, const char **why)
{
	if (outlen > XPRESS_BLOCK) {
		*why = "XPRESS chunk over 64 KiB";
		return -1;
	}
	if (inlen < NSYMS / 2) {
		*why = "XPRESS chunk shorter than its Huffman table";
		return -1;
	}
	uint8_t lens[NSYMS];
	for (unsigned i = 0; i < NSYMS / 2; i++) {
		lens[2 * i] = in[i] & 15;
		lens[2 * i + 1] = in[i] >> 4;
	}
	struct huff h;
	if (huff_build(&h, lens, NSYMS, MAXLEN) != 0) {
		*why = "XPRESS Huffman table is not a prefix code";
		return -1;
	}
	struct bits b = { in, inlen, NSYMS / 2, 0, 0, 0 };
	size_t o = 0;
	if (refill(&b) != 0)
		goto cut;
	while (o < outlen) {
		unsigned l;
		int sym = huff_decode(&h, b.bits >> (32 - MAXLEN), &l);
		if (sym < 0) {
			*why = "XPRESS bit stream has a code its table lacks";
			return -1;
		}
		take(&b, l);
		if (refill(&b) != 0)
			goto cut;
		if (sym < 256) {
			out[o++] = (uint8_t)sym;
			continue;
		}
		sym -= 256;
		unsigned obits = (unsigned)sym >> 4;
		uint32_t len = (uint32_t)sym & 15, v;
		/* The length's extra bytes come before the offset bits are
		 * taken (MS-XCA 2.2.4): the words loaded decide where they are. */
		if (len == 15) {
			if (bytes(&b, 1, &v) != 0)
				goto cut;
			len += v;
			if (v == 255) {
				if (bytes(&b, 2, &v) != 0 || (v == 0 && bytes(&b, 4, &v) != 0))
					goto cut;
				if (v < 15) {
					*why = "XPRESS match length out of range";
					return -1;
				}
				len = v;
			}
		}
		len += 3;
		uint32_t off = (1u << obits) | take(&b, obits);
		if (refill(&b) != 0)
			goto cut;
		if (off > o || len > outlen - o) {
			*why = "XPRESS match reaches outside the chunk";
			return -1;
		}
		for (uint32_t i = 0; i < len; i++, o++)
			out[o] = out[o - off];
	}
	return 0;
cut:
	*why = "XPRESS chunk cut short";
	return -1;
}
