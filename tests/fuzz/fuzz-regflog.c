/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-regflog.c - libFuzzer target for the base block and transaction log
 * parser (hive/regf.c, hive/regflog.c).  Built and run by `make fuzz`.
 *
 * Input: an 8-byte header (primary length, LOG1 length, little-endian, each
 * clamped to what is left), then the primary, LOG1, and LOG2 = the rest.
 * When the top bit of the primary length is set, the base-block checksums
 * are fixed up first, so mutations reach past the checksum test.
 * Seeds (tests/fuzz/run.sh) are real hives with their logs, cut short. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hive/regf.h"
#include "hive/regflog.h"

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	uint32_t h0 = rd32(data);
	bool fixup = h0 & 0x80000000u;
	size_t plen = h0 & 0x7FFFFFFFu, l1len = rd32(data + 4);
	data += 8;
	size -= 8;
	if (plen > size)
		plen = size;
	if (l1len > size - plen)
		l1len = size - plen;
	/* Copies, so the sanitizer sees each buffer's exact end. */
	uint8_t *p = malloc(plen ? plen : 1), *l1 = malloc(l1len ? l1len : 1);
	size_t l2len = size - plen - l1len;
	uint8_t *l2 = malloc(l2len ? l2len : 1);
	if (!p || !l1 || !l2)
		abort();
	memcpy(p, data, plen);
	memcpy(l1, data + plen, l1len);
	memcpy(l2, data + plen + l1len, l2len);
	if (fixup) {
		uint8_t *bufs[3] = { p, l1, l2 };
		size_t lens[3] = { plen, l1len, l2len };
		for (int i = 0; i < 3; i++)
			if (lens[i] >= 512)
				put32(bufs[i] + 0x1FC, regf_checksum(bufs[i]));
	}

	struct regf_base b;
	struct rs_error err;
	if (regf_parse_base(p, plen, &b, &err) == RS_OK)
		(void)regf_is_dirty(&b);
	struct regflog_file logs[2] = { { "LOG1", l1, l1len }, { "LOG2", l2, l2len } };
	struct regflog_scan sc;
	regflog_scan(&logs[0], &sc);
	regflog_scan(&logs[1], &sc);
	struct regflog_result r;
	if (regflog_recover(p, plen, logs, 2, &r, &err) == RS_OK && r.image) {
		/* The result must be a consistent hive header. */
		if (regf_parse_base(r.image, r.len, &b, &err) != RS_OK || !b.checksum_ok ||
		    b.seq1 != b.seq2 || (size_t)b.bins_size + REGF_BASE_SIZE != r.len)
			abort();
		regflog_seal(r.image, r.len, b.seq1 + 1);
	}
	regflog_result_free(&r);
	free(p);
	free(l1);
	free(l2);
	return 0;
}
