/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-wof.c - rescue/volume/wof.h against wimlib's compressor (a tool we did not
 * write): WofCompressedData streams laid out as Windows lays them out, with
 * chunks compressed by wimlib_compress (stored as is when they do not
 * shrink), decode to the original bytes for XPRESS4K/8K/16K and LZX, at
 * sizes 0, 1, a chunk, a chunk + 1, several chunks, for text, random bytes,
 * zeros, x86 code with E8 calls and a real PE; an LZX uncompressed block
 * (wimlib does not write one) made here bit by bit; reparse data is parsed,
 * other providers and unknown algorithms refused with their reason; damaged
 * streams (table cut short, offsets out of order or
 * range, a chunk cut short, a garbage Huffman table, random bytes) and a few
 * thousand mutations of good ones (fixed seed) give an error or bytes of the
 * right size, never a crash or a read out of bounds (ASan build). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/volume/lzx.h"
#include "rescue/volume/wof.h"
#include "tests/fixtures/wofpack.h"
#include "tests/unit/check.h"

static uint32_t seed = 12345;

static uint32_t rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

static int nraw, ncomp;         /* chunks stored as is / compressed, over all packs */

static uint8_t *pack(uint32_t algo, const uint8_t *in, size_t n, size_t *len)
{
	return wofpack(algo, in, n, len, &nraw, &ncomp);
}

/* Decode STREAM into a buffer of exactly N bytes (ASan sees any overrun). */
static int unpack(uint32_t algo, const uint8_t *s, size_t slen, size_t n, uint8_t **out, struct rs_error *err)
{
	*out = malloc(n ? n : 1);
	return wof_decode(algo, s, slen, *out, n, err);
}

static int round_trip(uint32_t algo, const uint8_t *in, size_t n)
{
	size_t slen;
	uint8_t *s = pack(algo, in, n, &slen), *got = NULL;
	if (!s)
		return -1;
	struct rs_error err = { 0 };
	int rc = unpack(algo, s, slen, n, &got, &err);
	int same = rc == RS_OK && memcmp(got, in, n) == 0;
	if (!same)
		printf("# %s, %zu bytes: rc %d %s\n", wof_algo_name(algo), n, rc, err.msg);
	free(s);
	free(got);
	return same ? 0 : -1;
}

static void fill_text(uint8_t *p, size_t n)
{
	static const char *words[] = { "the ", "worm ", "spreads ", "over ", "SMB ", "shares ", "and ",
				       "writes ", "tasks; ", "rescue ", "scans ", "offline.\n", "HKLM\\", "Run " };
	size_t o = 0;
	while (o < n) {
		const char *w = words[rnd() % (sizeof(words) / sizeof(words[0]))];
		size_t l = strlen(w);
		if (l > n - o)
			l = n - o;
		memcpy(p + o, w, l);
		o += l;
	}
}

static uint8_t *read_pe(size_t *n)
{
	static const char *cands[] = {
		"/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed", "/usr/lib/shim/shimx64.efi.signed",
		"/usr/lib/shim/shimx64.efi", "/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed",
	};
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		FILE *f = fopen(cands[i], "rb");
		if (!f)
			continue;
		uint8_t *p = malloc(300000);
		*n = fread(p, 1, 300000, f);
		fclose(f);
		if (*n > 2 && p[0] == 'M' && p[1] == 'Z')
			return p;
		free(p);
	}
	return NULL;
}

static void test_reparse(void)
{
	uint8_t rp[24] = { 0x17, 0, 0, 0x80, 16, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 };
	struct wof_info wi;
	struct rs_error err = { 0 };
	CHECK_INT(wof_parse(rp, sizeof(rp), &wi, &err), RS_OK);
	CHECK_INT(wi.provider, WOF_PROVIDER_FILE);
	CHECK_INT(wi.algo, WOF_XPRESS4K);
	CHECK_INT(wof_check(&wi, &err), RS_OK);
	rp[20] = 1;     /* LZX */
	CHECK_INT(wof_parse(rp, sizeof(rp), &wi, &err), RS_OK);
	CHECK_INT(wi.algo, WOF_LZX);
	CHECK_INT(wof_check(&wi, &err), RS_OK);
	CHECK_STR(wof_algo_name(WOF_LZX), "LZX");
	rp[20] = 9;
	CHECK_INT(wof_parse(rp, sizeof(rp), &wi, &err), RS_OK);
	CHECK_INT(wof_check(&wi, &err), RS_ETARGET);
	CHECK(strstr(err.msg, "unknown algorithm 9") != NULL);
	rp[12] = 1;     /* WIM provider */
	CHECK_INT(wof_parse(rp, sizeof(rp), &wi, &err), RS_OK);
	CHECK_INT(wof_check(&wi, &err), RS_ETARGET);
	CHECK(strstr(err.msg, "WIMBoot") != NULL);
	rp[12] = 2;
	CHECK_INT(wof_parse(rp, 12, &wi, &err), RS_ETARGET);       /* cut short */
	CHECK_INT(wof_parse(rp, 3, &wi, &err), RS_ETARGET);
	rp[4] = 8;      /* data length too small for the file provider */
	CHECK_INT(wof_parse(rp, sizeof(rp), &wi, &err), RS_ETARGET);
	rp[4] = 16;
	rp[0] = 0x0c;   /* a symbolic link's tag */
	CHECK_INT(wof_parse(rp, sizeof(rp), &wi, &err), RS_ETARGET);
	rp[0] = 0x17;
	rp[8] = 2;      /* WOF version 2 */
	CHECK_INT(wof_parse(rp, sizeof(rp), &wi, &err), RS_ETARGET);
	CHECK_INT(wof_decode(7, rp, sizeof(rp), rp, 4, &err), RS_ETARGET);
	CHECK_STR(err.msg, "WOF-compressed with unknown algorithm 7: not readable here");
}

static const uint32_t xalgos[] = { WOF_XPRESS4K, WOF_XPRESS8K, WOF_XPRESS16K, WOF_LZX };
#define NX (sizeof(xalgos) / sizeof(xalgos[0]))

static void test_round_trips(void)
{
	size_t big = 3 * 32768 + 777;
	uint8_t *text = malloc(big), *rand_ = malloc(big), *zeros = calloc(1, big), *mixed = malloc(big);
	uint8_t *code = malloc(big);
	fill_text(text, big);
	for (size_t i = 0; i < big; i++)
		rand_[i] = (uint8_t)rnd();
	/* x86 calls (E8 and a 32-bit target) among text: what LZX translates. */
	memcpy(code, text, big);
	for (size_t i = 0; i + 5 < big; i += 7 + rnd() % 40) {
		uint32_t t = rnd() % 3 ? rnd() % 70000 : rnd();
		code[i] = 0xe8;
		memcpy(code + i + 1, &t, 4);
	}
	/* Text and random bytes in turns: some chunks shrink, some are stored. */
	for (size_t i = 0; i < big; i++)
		mixed[i] = (i / 4096) % 2 ? rand_[i] : text[i];
	for (size_t a = 0; a < NX; a++) {
		uint32_t algo = xalgos[a];
		size_t c = wofpack_chunk(algo);
		size_t sizes[] = { 0, 1, 2, 100, c - 1, c, c + 1, 3 * c, 3 * c + 5, big };
		int bad = 0;
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			size_t n = sizes[k];
			bad += round_trip(algo, text, n) != 0;
			bad += round_trip(algo, rand_, n) != 0;
			bad += round_trip(algo, zeros, n) != 0;
			bad += round_trip(algo, mixed, n) != 0;
			bad += round_trip(algo, code, n) != 0;
		}
		CHECK_INT(bad, 0);
	}
	size_t pen;
	uint8_t *pe = read_pe(&pen);
	if (pe) {
		for (size_t a = 0; a < NX; a++)
			CHECK_INT(round_trip(xalgos[a], pe, pen), 0);
		free(pe);
	} else {
		CHECK_SKIP("PE round trip: no PE file found under /usr/lib");
	}
	/* Both layouts of a chunk were met. */
	CHECK(nraw > 10);
	CHECK(ncomp > 10);
	free(text), free(rand_), free(zeros), free(mixed), free(code);
}

/* Bits written the LZX way: 16-bit little-endian words, top bit first. */
struct bitout {
	uint8_t *p;
	size_t n;
	uint32_t acc;
	int k;
};

static void put(struct bitout *o, uint32_t v, int bits)
{
	for (int i = bits - 1; i >= 0; i--) {
		o->acc = o->acc << 1 | ((v >> i) & 1);
		if (++o->k == 16) {
			o->p[o->n++] = (uint8_t)o->acc;
			o->p[o->n++] = (uint8_t)(o->acc >> 8);
			o->acc = 0;
			o->k = 0;
		}
	}
}

/* An LZX uncompressed block of N bytes (no E8 among them) at BUF, which
 * is on a word boundary: 3 bits of type, 0 and 16 bits of size (20 bits),
 * padding to the boundary (12 bits), the three recent offsets (1), the
 * bytes, a pad byte when N is odd.  EXTRA_WORD: a zero word too many after
 * the padding (the recent offsets then start in it).  Returns the bytes
 * written (even). */
static size_t lzx_stored(uint8_t *buf, const uint8_t *data, size_t n, int extra_word)
{
	struct bitout o = { buf, 0, 0, 0 };
	put(&o, 3, 3);
	put(&o, 0, 1);
	put(&o, (uint32_t)n, 16);
	put(&o, 0, 12);
	if (extra_word)
		put(&o, 0, 16);
	for (int r = 0; r < 3; r++) {
		uint32_t one = 1;
		memcpy(buf + o.n, &one, 4);
		o.n += 4;
	}
	memcpy(buf + o.n, data, n);
	o.n += n;
	if (n & 1)
		buf[o.n++] = 0;
	return o.n;
}

static void test_lzx_stored(void)
{
	uint8_t data[501], buf[1024], got[501];
	const char *why = NULL;
	fill_text(data, sizeof(data));
	/* One chunk of two uncompressed blocks, 301 bytes (odd: a pad byte)
	 * then 200: the second header starts on the word after the pad.  (A
	 * chunk this large is stored as is in a WOF stream: lzx_decode alone.) */
	size_t len = lzx_stored(buf, data, 301, 0);
	len += lzx_stored(buf + len, data + 301, 200, 0);
	CHECK_INT(lzx_decode(buf, len, got, sizeof(got), &why), 0);
	CHECK(memcmp(got, data, sizeof(data)) == 0);
	/* The bytes follow the padding to the word boundary at once: a word
	 * more there shifts them. */
	len = lzx_stored(buf, data, sizeof(data), 1);
	CHECK_INT(lzx_decode(buf, len, got, sizeof(got), &why), 0);
	CHECK(memcmp(got, data, sizeof(data)) != 0 && memcmp(got + 2, data, sizeof(data) - 2) == 0);
	/* Recent offsets of 0 are refused. */
	len = lzx_stored(buf, data, sizeof(data), 0);
	memset(buf + 4, 0, 4);
	CHECK_INT(lzx_decode(buf, len, got, sizeof(got), &why), -1);
	CHECK(why && strstr(why, "recent offset of 0") != NULL);
	/* Cut short inside the bytes. */
	len = lzx_stored(buf, data, sizeof(data), 0);
	CHECK_INT(lzx_decode(buf, len - 100, got, sizeof(got), &why), -1);
}

/* A damaged STREAM must give RS_ETARGET and a message. */
static int damaged(uint32_t algo, const uint8_t *s, size_t slen, size_t n)
{
	uint8_t *got;
	struct rs_error err = { 0 };
	int rc = unpack(algo, s, slen, n, &got, &err);
	free(got);
	if (rc != RS_ETARGET || !err.msg[0] || strncmp(err.msg, "WOF data damaged: ", 18) != 0) {
		printf("# not refused: rc %d \"%s\"\n", rc, err.msg);
		return 0;
	}
	return 1;
}

static void test_damaged(void)
{
	size_t n = 4 * 4096 + 100, slen;
	uint8_t *text = malloc(n);
	fill_text(text, n);
	uint8_t *s = pack(WOF_XPRESS4K, text, n, &slen), *d = malloc(slen);
	uint32_t off;
	/* The table (4 entries) cut short. */
	CHECK(damaged(WOF_XPRESS4K, s, 10, n));
	CHECK(damaged(WOF_XPRESS4K, s, 0, n));
	/* Offsets out of order, out of range, equal (an empty chunk). */
	memcpy(d, s, slen);
	off = 0xffffff00u;
	memcpy(d + 4, &off, 4);
	CHECK(damaged(WOF_XPRESS4K, d, slen, n));
	memcpy(d, s, slen);
	memcpy(&off, s + 8, 4);
	memcpy(d + 4, &off, 4);
	off -= 10;
	memcpy(d + 8, &off, 4);
	CHECK(damaged(WOF_XPRESS4K, d, slen, n));
	memcpy(d, s, slen);
	memcpy(d + 4, s, 4);
	CHECK(damaged(WOF_XPRESS4K, d, slen, n));
	/* The last chunk cut short, to below its Huffman table and by half
	 * (four whole chunks of text: the last is compressed too). */
	size_t n4 = 4 * 4096, slen4;
	uint8_t *s4 = pack(WOF_XPRESS4K, text, n4, &slen4);
	memcpy(&off, s4 + 8, 4);
	CHECK(slen4 - 12 - off > 300 && slen4 - 12 - off < 4096);
	CHECK(damaged(WOF_XPRESS4K, s4, 12 + off + 100, n4));
	CHECK(damaged(WOF_XPRESS4K, s4, 12 + off + (slen4 - 12 - off) / 2, n4));
	free(s4);
	/* The first chunk's Huffman table: all lengths 15 (over-subscribed),
	 * all 0 (no code at all), one symbol only (a code with holes). */
	memcpy(d, s, slen);
	memset(d + 16, 0xff, 256);
	CHECK(damaged(WOF_XPRESS4K, d, slen, n));
	memset(d + 16, 0, 256);
	CHECK(damaged(WOF_XPRESS4K, d, slen, n));
	d[16] = 0x01;
	CHECK(damaged(WOF_XPRESS4K, d, slen, n));
	/* Random bytes as a whole stream. */
	int refused = 0;
	for (int t = 0; t < 50; t++) {
		for (size_t i = 0; i < slen; i++)
			d[i] = (uint8_t)rnd();
		refused += damaged(WOF_XPRESS4K, d, slen, n);
	}
	CHECK_INT(refused, 50);
	free(s), free(d), free(text);
}

/* Mutations of good streams: one to eight changed bytes, flipped bits, a
 * cut, for each XPRESS algorithm.  Decoding never crashes; it errs or gives
 * N bytes (a change inside the bit stream can decode to other bytes). */
static void test_mutations(void)
{
	size_t n = 3 * 32768 + 1234, slen;
	uint8_t *text = malloc(n);
	fill_text(text, n);
	int runs = 0, refused = 0;
	for (size_t a = 0; a < NX; a++) {
		uint8_t *s = pack(xalgos[a], text, n, &slen), *d = malloc(slen);
		for (int t = 0; t < 1000; t++) {
			memcpy(d, s, slen);
			size_t dl = slen;
			switch (rnd() % 4) {
			case 0:
				for (int k = 1 + (int)(rnd() % 8); k > 0; k--)
					d[rnd() % slen] = (uint8_t)rnd();
				break;
			case 1:
				for (int k = 1 + (int)(rnd() % 4); k > 0; k--)
					d[rnd() % slen] ^= (uint8_t)(1u << (rnd() % 8));
				break;
			case 2:
				dl = rnd() % slen;
				break;
			default:    /* in the Huffman table of a chunk or the offsets */
				d[rnd() % (slen < 600 ? slen : 600)] = (uint8_t)rnd();
				break;
			}
			uint8_t *got;
			struct rs_error err = { 0 };
			int rc = unpack(xalgos[a], d, dl, n, &got, &err);
			refused += rc != RS_OK;
			runs++;
			free(got);
			if (rc != RS_OK && rc != RS_ETARGET)
				CHECK_INT(rc, RS_ETARGET);
		}
		free(s);
		free(d);
	}
	printf("# %d mutated streams, %d refused\n", runs, refused);
	CHECK(refused > 0);
	free(text);
}

int main(void)
{
	test_reparse();
	test_round_trips();
	test_lzx_stored();
	test_damaged();
	test_mutations();
	return check_done("wof");
}
