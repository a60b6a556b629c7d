/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/volume/huff.h"

#include <string.h>

int huff_build(struct huff *h, const uint8_t *lens, unsigned nsyms, unsigned maxlen)
{
	if (maxlen < HUFF_FAST || maxlen > HUFF_MAXLEN || nsyms > HUFF_MAXSYMS)
		return -1;
	memset(h, 0, sizeof(*h));
	h->maxlen = maxlen;
	for (unsigned s = 0; s < nsyms; s++) {
		if (lens[s] > maxlen)
			return -1;
		h->count[lens[s]]++;
	}
	h->count[0] = 0;
	/* Kraft: at each length, the codes left over from the shorter ones. */
	int32_t left = 1;
	for (unsigned l = 1; l <= maxlen; l++) {
		left = left * 2 - h->count[l];
		if (left < 0)
			return -1;      /* over-subscribed: not a prefix code */
	}
	uint32_t code = 0;
	for (unsigned l = 1; l <= maxlen; l++) {
		h->first[l] = code;
		code = (code + h->count[l]) << 1;
		if (l < maxlen)
			h->start[l + 1] = (uint16_t)(h->start[l] + h->count[l]);
	}
	uint16_t next[HUFF_MAXLEN + 1];
	memcpy(next, h->start, sizeof(next));
	for (unsigned s = 0; s < nsyms; s++)
		if (lens[s])
			h->sorted[next[lens[s]]++] = (uint16_t)s;
	/* The look-up table: every entry a short code begins. */
	for (unsigned l = 1; l <= HUFF_FAST; l++) {
		for (unsigned i = 0; i < h->count[l]; i++) {
			uint32_t c = (uint32_t)h->first[l] + i, span = 1u << (HUFF_FAST - l);
			uint16_t e = (uint16_t)((l << 9) | h->sorted[h->start[l] + i]);
			for (uint32_t k = 0; k < span; k++)
				h->fast[(c << (HUFF_FAST - l)) + k] = e;
		}
	}
	return 0;
}
