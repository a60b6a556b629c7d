/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/volume/xpress.h"

#include "rescue/volume/bitin.h"
#include "rescue/volume/huff.h"

#define NSYMS 512
#define MAXLEN 15

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
	/* MS-XCA's decoder keeps 16 to 32 bits loaded: topped up to 16 after
	 * every step, which decides where the bytes of a long length are. */
	struct bitin b;
	bitin_init(&b, in + NSYMS / 2, inlen - NSYMS / 2);
	size_t o = 0;
	if (bitin_ensure(&b, 16) != 0)
		goto cut;
	while (o < outlen) {
		unsigned l;
		int sym = huff_decode(&h, bitin_peek(&b, MAXLEN), &l);
		if (sym < 0) {
			*why = "XPRESS bit stream has a code its table lacks";
			return -1;
		}
		bitin_drop(&b, l);
		if (bitin_ensure(&b, 16) != 0)
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
			if (bitin_bytes(&b, 1, &v) != 0)
				goto cut;
			len += v;
			if (v == 255) {
				if (bitin_bytes(&b, 2, &v) != 0 || (v == 0 && bitin_bytes(&b, 4, &v) != 0))
					goto cut;
				if (v < 15) {
					*why = "XPRESS match length out of range";
					return -1;
				}
				len = v;
			}
		}
		len += 3;
		uint32_t off = (1u << obits) | bitin_peek(&b, obits);
		bitin_drop(&b, obits);
		if (bitin_ensure(&b, 16) != 0)
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
