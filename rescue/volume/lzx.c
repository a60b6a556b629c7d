/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/volume/lzx.h"

#include <string.h>

#include "rescue/volume/bitin.h"
#include "rescue/volume/huff.h"

#define NCHARS 256
#define NSLOTS 30                   /* offset slots of a 32 KiB window */
#define NHEADERS 8                  /* length headers: 0-6 direct, 7 a length symbol follows */
#define NMAIN (NCHARS + NSLOTS * NHEADERS)
#define NLENGTH 249                 /* length symbols: 7 + 249 + 2 = 257 at most */
#define NPRE 20
#define NALIGNED 8
#define MINMATCH 2
#define NRECENT 3
#define E8_FILE_SIZE 12000000       /* the WIM flavour's fixed translation size */

enum { VERBATIM = 1, ALIGNED = 2, UNCOMPRESSED = 3 };

struct lzx {
	struct bitin b;
	struct huff main, length, aligned, pre;
	uint8_t main_lens[NMAIN], length_lens[NLENGTH];     /* kept from block to block: deltas */
	uint32_t recent[NRECENT];
	uint32_t slot_base[NSLOTS];
	uint8_t slot_bits[NSLOTS];
	const char *why;
};

static int fail(struct lzx *z, const char *why)
{
	z->why = why;
	return -1;
}

/* The extra bits of each offset slot: 0 for the first four, then one
 * more every two slots (slot / 2 - 1); each slot starts where the one
 * before it ends. */
static void slots(struct lzx *z)
{
	uint32_t base = 0;
	for (unsigned s = 0; s < NSLOTS; s++) {
		z->slot_bits[s] = (uint8_t)(s < 4 ? 0 : s / 2 - 1);
		z->slot_base[s] = base;
		base += 1u << z->slot_bits[s];
	}
}

static int sym(struct lzx *z, const struct huff *h, int *out)
{
	unsigned l;
	if (bitin_ensure(&z->b, HUFF_MAXLEN) != 0)
		return fail(z, "LZX chunk cut short");
	int s = huff_decode(h, bitin_peek(&z->b, HUFF_MAXLEN), &l);
	if (s < 0)
		return fail(z, "LZX bit stream has a code its tables lack");
	bitin_drop(&z->b, l);
	*out = s;
	return 0;
}

static int bits(struct lzx *z, unsigned k, uint32_t *v)
{
	if (bitin_read(&z->b, k, v) != 0)
		return fail(z, "LZX chunk cut short");
	return 0;
}

/* A small code given as N lengths of K bits each (the pretree, the
 * aligned offset code) into H. */
static int read_small(struct lzx *z, struct huff *h, unsigned n, unsigned k, const char *bad)
{
	uint8_t lens[NPRE];         /* the larger of the two */
	uint32_t v;
	for (unsigned i = 0; i < n; i++) {
		if (bits(z, k, &v) != 0)
			return -1;
		lens[i] = (uint8_t)v;
	}
	if (huff_build(h, lens, n, HUFF_MAXLEN) != 0)
		return fail(z, bad);
	return 0;
}

/* N code lengths into LENS (holding the previous ones), through a pretree. */
static int read_lens(struct lzx *z, uint8_t *lens, unsigned n)
{
	uint32_t v;
	if (read_small(z, &z->pre, NPRE, 4, "LZX pretree is not a prefix code") != 0)
		return -1;
	for (unsigned i = 0; i < n;) {
		int p;
		if (sym(z, &z->pre, &p) != 0)
			return -1;
		unsigned run = 1, value;
		if (p <= 16) {
			value = (lens[i] + 17u - (unsigned)p) % 17;
		} else if (p == 17 || p == 18) {
			if (bits(z, p == 17 ? 4 : 5, &v) != 0)
				return -1;
			run = (p == 17 ? 4 : 20) + v;
			value = 0;
		} else {
			if (bits(z, 1, &v) != 0 || sym(z, &z->pre, &p) != 0)
				return -1;
			if (p > 16)
				return fail(z, "LZX pretree run of a bad value");
			run = 4 + v;
			value = (lens[i] + 17u - (unsigned)p) % 17;
		}
		/* A run past the end is not written past it. */
		for (; run && i < n; run--)
			lens[i++] = (uint8_t)value;
	}
	return 0;
}

static int header(struct lzx *z, int *type, uint32_t *size)
{
	uint32_t v, hi, lo;
	if (bits(z, 3, &v) != 0)
		return -1;
	*type = (int)v;
	if (bits(z, 1, &v) != 0)
		return -1;
	if (v) {
		*size = LZX_WINDOW;
	} else {
		if (bits(z, 8, &hi) != 0 || bits(z, 8, &lo) != 0)
			return -1;
		*size = hi << 8 | lo;
	}
	switch (*type) {
	case ALIGNED:
		if (read_small(z, &z->aligned, NALIGNED, 3, "LZX aligned offset code is not a prefix code") != 0)
			return -1;
		__attribute__((fallthrough));   /* the rest is a verbatim block's */
	case VERBATIM:
		if (read_lens(z, z->main_lens, NCHARS) != 0 ||
		    read_lens(z, z->main_lens + NCHARS, NMAIN - NCHARS) != 0 ||
		    read_lens(z, z->length_lens, NLENGTH) != 0)
			return -1;
		if (huff_build(&z->main, z->main_lens, NMAIN, HUFF_MAXLEN) != 0 ||
		    huff_build(&z->length, z->length_lens, NLENGTH, HUFF_MAXLEN) != 0)
			return fail(z, "LZX main or length code is not a prefix code");
		return 0;
	case UNCOMPRESSED:
		if (bitin_align(&z->b) != 0)
			return fail(z, "LZX chunk cut short");
		for (unsigned i = 0; i < NRECENT; i++)
			if (bitin_bytes(&z->b, 4, &z->recent[i]) != 0)
				return fail(z, "LZX chunk cut short");
			else if (z->recent[i] == 0)
				return fail(z, "LZX recent offset of 0");
		return 0;
	default:
		return fail(z, "LZX block of an unknown type");
	}
}

static int block(struct lzx *z, int type, uint8_t *out, size_t o, size_t end)
{
	while (o < end) {
		int s;
		if (sym(z, &z->main, &s) != 0)
			return -1;
		if (s < NCHARS) {
			out[o++] = (uint8_t)s;
			continue;
		}
		s -= NCHARS;
		uint32_t len = (uint32_t)(s % NHEADERS), slot = (uint32_t)(s / NHEADERS), off, v;
		if (len == NHEADERS - 1) {
			int l;
			if (sym(z, &z->length, &l) != 0)
				return -1;
			len += (uint32_t)l;
		}
		len += MINMATCH;
		if (slot < NRECENT) {
			/* A recent offset: swapped with the first (not a true
			 * most-recent-first list, as the format has it). */
			off = z->recent[slot];
			z->recent[slot] = z->recent[0];
			z->recent[0] = off;
		} else {
			unsigned extra = z->slot_bits[slot];
			off = z->slot_base[slot];
			if (type == ALIGNED && extra >= 3) {
				int a;
				if (bits(z, extra - 3, &v) != 0 || sym(z, &z->aligned, &a) != 0)
					return -1;
				off += (v << 3) + (uint32_t)a;
			} else {
				if (bits(z, extra, &v) != 0)
					return -1;
				off += v;
			}
			off -= NRECENT - 1;
			z->recent[2] = z->recent[1];
			z->recent[1] = z->recent[0];
			z->recent[0] = off;
		}
		if (off == 0 || off > o || len > end - o)
			return fail(z, "LZX match reaches outside the chunk");
		for (uint32_t i = 0; i < len; i++, o++)
			out[o] = out[o - off];
	}
	return 0;
}

/* Undo the encoder's translation of x86 CALL (E8) targets from relative
 * to absolute: every E8 byte with at least 10 bytes after it, its next 4
 * bytes (little-endian, signed) turned back when in range. */
static void e8_undo(uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 10 < n;) {
		if (p[i] != 0xe8) {
			i++;
			continue;
		}
		int32_t abs_ = (int32_t)((uint32_t)p[i + 1] | (uint32_t)p[i + 2] << 8 | (uint32_t)p[i + 3] << 16 |
					 (uint32_t)p[i + 4] << 24);
		int32_t pos = (int32_t)i, rel;
		if (abs_ >= -pos && abs_ < E8_FILE_SIZE) {
			rel = abs_ >= 0 ? abs_ - pos : abs_ + E8_FILE_SIZE;
			for (int k = 0; k < 4; k++)
				p[i + 1 + k] = (uint8_t)((uint32_t)rel >> (8 * k));
		}
		i += 5;
	}
}

int lzx_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen, const char **why)
{
	if (outlen > LZX_WINDOW) {
		*why = "LZX chunk over 32 KiB";
		return -1;
	}
	struct lzx z;
	memset(&z, 0, sizeof(z));      /* code lengths start at 0 in every chunk */
	bitin_init(&z.b, in, inlen);
	slots(&z);
	for (unsigned i = 0; i < NRECENT; i++)
		z.recent[i] = 1;
	size_t o = 0;
	while (o < outlen) {
		int type;
		uint32_t size;
		if (header(&z, &type, &size) != 0)
			goto bad;
		if (size == 0 || size > outlen - o) {
			z.why = "LZX block size out of range";
			goto bad;
		}
		if (type == UNCOMPRESSED) {
			if (z.b.len - z.b.pos < size) {
				z.why = "LZX chunk cut short";
				goto bad;
			}
			memcpy(out + o, z.b.in + z.b.pos, size);
			z.b.pos += size + (size & 1);   /* an odd block is padded to a word */
			if (z.b.pos > z.b.len)
				z.b.pos = z.b.len;
		} else if (block(&z, type, out, o, o + size) != 0) {
			goto bad;
		}
		o += size;
	}
	e8_undo(out, outlen);
	return 0;
bad:
	*why = z.why;
	return -1;
}
