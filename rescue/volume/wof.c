/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/volume/wof.h"

#include <string.h>

#include "rescue/volume/lzx.h"
#include "rescue/volume/reparse.h"
#include "rescue/volume/xpress.h"

#define RP_HEADER 8                 /* tag, data length, reserved */
#define WOF_VERSION 1
#define FILE_PROVIDER_VERSION 1

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The algorithms: name and chunk size (0 would mean: not decoded here). */
static const struct {
	const char *name;
	uint32_t chunk;
} algos[] = {
	[WOF_XPRESS4K] = { "XPRESS4K", 4096 },
	[WOF_LZX] = { "LZX", 32768 },
	[WOF_XPRESS8K] = { "XPRESS8K", 8192 },
	[WOF_XPRESS16K] = { "XPRESS16K", 16384 },
};
#define NALGOS (sizeof(algos) / sizeof(algos[0]))

const char *wof_algo_name(uint32_t algo)
{
	return algo < NALGOS ? algos[algo].name : NULL;
}

int wof_parse(const void *rp, size_t len, struct wof_info *wi, struct rs_error *err)
{
	const uint8_t *p = rp;
	if (len < RP_HEADER || le32(p) != REPARSE_TAG_WOF)
		return rs_fail(err, RS_ETARGET, "not WOF reparse data");
	size_t dlen = (size_t)p[4] | (size_t)p[5] << 8;
	if (dlen > len - RP_HEADER || dlen < 8)
		return rs_fail(err, RS_ETARGET, "damaged WOF reparse data (%zu bytes)", dlen);
	p += RP_HEADER;
	if (le32(p) != WOF_VERSION)
		return rs_fail(err, RS_ETARGET, "WOF reparse data of version %u: not readable here", le32(p));
	wi->provider = le32(p + 4);
	wi->algo = UINT32_MAX;
	if (wi->provider != WOF_PROVIDER_FILE)
		return RS_OK;
	if (dlen < 16)
		return rs_fail(err, RS_ETARGET, "damaged WOF reparse data (%zu bytes)", dlen);
	if (le32(p + 8) != FILE_PROVIDER_VERSION)
		return rs_fail(err, RS_ETARGET, "WOF file provider of version %u: not readable here", le32(p + 8));
	wi->algo = le32(p + 12);
	return RS_OK;
}

int wof_check(const struct wof_info *wi, struct rs_error *err)
{
	if (wi->provider == WOF_PROVIDER_WIM)
		return rs_fail(err, RS_ETARGET, "WIMBoot file (its data is in a WIM image elsewhere): not readable here");
	if (wi->provider != WOF_PROVIDER_FILE)
		return rs_fail(err, RS_ETARGET, "WOF provider %u: not readable here", wi->provider);
	if (wi->algo >= NALGOS)
		return rs_fail(err, RS_ETARGET, "WOF-compressed with unknown algorithm %u: not readable here", wi->algo);
	if (!algos[wi->algo].chunk)
		return rs_fail(err, RS_ETARGET, "WOF-compressed with %s: not readable here", algos[wi->algo].name);
	return RS_OK;
}

static int decode_chunk(uint32_t algo, const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen,
			const char **why)
{
	if (algo == WOF_LZX)
		return lzx_decode(in, inlen, out, outlen, why);
	return xpress_decode(in, inlen, out, outlen, why);
}

int wof_decode(uint32_t algo, const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen,
	       struct rs_error *err)
{
	struct wof_info wi = { WOF_PROVIDER_FILE, algo };
	int rc = wof_check(&wi, err);
	if (rc)
		return rc;
	if (outlen == 0)
		return RS_OK;
	uint64_t chunk = algos[algo].chunk;
	uint64_t nchunks = ((uint64_t)outlen + chunk - 1) / chunk;
	size_t esize = (uint64_t)outlen <= UINT32_MAX ? 4 : 8;
	/* The table: (nchunks - 1) entries, checked against INLEN before
	 * anything is multiplied out of range. */
	if (nchunks - 1 > inlen / esize)
		return rs_fail(err, RS_ETARGET, "WOF data damaged: its chunk table (%llu entries) is cut short at %zu bytes",
			       (unsigned long long)(nchunks - 1), inlen);
	size_t tsize = (size_t)(nchunks - 1) * esize;
	const uint8_t *data = in + tsize;
	size_t dlen = inlen - tsize;
	uint64_t start = 0;
	for (uint64_t i = 0; i < nchunks; i++) {
		uint64_t end = i + 1 < nchunks ? (esize == 4 ? le32(in + i * 4) : le64(in + i * 8)) : dlen;
		size_t usize = (size_t)(i + 1 < nchunks ? chunk : outlen - i * chunk);
		if (end < start || end > dlen)
			return rs_fail(err, RS_ETARGET, "WOF data damaged: chunk %llu of %llu lies outside the stream",
				       (unsigned long long)i + 1, (unsigned long long)nchunks);
		size_t csize = (size_t)(end - start);
		uint8_t *o = out + i * chunk;
		const char *why = NULL;
		if (csize == 0 || csize > usize)
			return rs_fail(err, RS_ETARGET, "WOF data damaged: chunk %llu of %llu is %zu bytes for %zu",
				       (unsigned long long)i + 1, (unsigned long long)nchunks, csize, usize);
		if (csize == usize)
			memcpy(o, data + start, usize);     /* did not compress: stored as is */
		else if (decode_chunk(algo, data + start, csize, o, usize, &why) != 0)
			return rs_fail(err, RS_ETARGET, "WOF data damaged: chunk %llu of %llu: %s",
				       (unsigned long long)i + 1, (unsigned long long)nchunks, why);
		start = end;
	}
	return RS_OK;
}
