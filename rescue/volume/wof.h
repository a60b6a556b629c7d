/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wof.h - files Windows compressed with WOF ("CompactOS", `compact /exe`):
 * decode them from the bytes on the disk.
 *
 * Such a file (facts from Microsoft's ntifs.h documentation of
 * WOF_EXTERNAL_INFO / FILE_PROVIDER_EXTERNAL_INFO_V1 and from the
 * descriptions in wimlib and ntfs-3g-system-compression):
 *   - is a reparse point with tag IO_REPARSE_TAG_WOF (0x80000017) whose data
 *     (after the 8-byte header tag, data length, reserved) is
 *     WOF_EXTERNAL_INFO {le32 version = 1, le32 provider} then, for the file
 *     provider (2; 1 is WIMBoot, data kept in a WIM elsewhere),
 *     FILE_PROVIDER_EXTERNAL_INFO_V1 {le32 version = 1, le32 algorithm}
 *     (0 XPRESS 4 KiB chunks, 1 LZX 32 KiB, 2 XPRESS 8 KiB, 3 XPRESS 16 KiB);
 *   - keeps its size in the unnamed data stream, which is sparse (zeros);
 *   - holds the bytes in the named stream "WofCompressedData": a table of
 *     (chunks - 1) little-endian offsets, 4 bytes each when the file is at
 *     most 0xffffffff bytes, else 8, each the start of chunk i + 1 counted
 *     from the end of the table (chunk 0 starts there; the last ends at the
 *     stream's end); then the chunks, each decoding to the chunk size (the
 *     last to what remains), stored as is when its stored size equals that.
 * XPRESS is MS-XCA's "LZ77+Huffman" (rescue/volume/xpress.h), LZX the WIM flavour
 * with a 32 KiB window, one chunk (rescue/volume/lzx.h); all four are decoded.
 *
 * Everything read from the disk is checked: a damaged stream gives
 * RS_ETARGET and one line saying what and where, never a read or write
 * outside the buffers. */
#ifndef RESCUE_WOF_H
#define RESCUE_WOF_H

#include <stddef.h>
#include <stdint.h>

#include "rescue/base/error.h"

#define WOF_STREAM "WofCompressedData"      /* the named stream holding the bytes */

enum wof_provider { WOF_PROVIDER_WIM = 1, WOF_PROVIDER_FILE = 2 };
enum wof_algo { WOF_XPRESS4K = 0, WOF_LZX = 1, WOF_XPRESS8K = 2, WOF_XPRESS16K = 3 };

struct wof_info {
	uint32_t provider;          /* enum wof_provider, or another value seen on the disk */
	uint32_t algo;              /* enum wof_algo (file provider only), or another value */
};

/* Parse the reparse data RP (LEN bytes, from its 8-byte header on, as
 * ntfs-3g's system.ntfs_reparse_data gives it) of a WOF reparse point.
 * RS_OK with *WI filled (provider and algorithm as found, maybe ones this
 * cannot read: see wof_check); RS_ETARGET when it is not WOF reparse data
 * or is damaged. */
int wof_parse(const void *rp, size_t len, struct wof_info *wi, struct rs_error *err);

/* RS_OK when WI's data can be decoded here, else RS_ETARGET saying why
 * ("WOF-compressed with unknown algorithm 7: not readable here", a WIMBoot
 * pointer file...). */
int wof_check(const struct wof_info *wi, struct rs_error *err);

/* "XPRESS4K", "LZX"...; NULL for an unknown algorithm. */
const char *wof_algo_name(uint32_t algo);

/* Decode the WofCompressedData stream IN (INLEN bytes) of a file of OUTLEN
 * bytes compressed with ALGO into OUT (OUTLEN bytes).  RS_OK, or RS_ETARGET
 * with what is wrong (unsupported algorithm, damaged table or chunk). */
int wof_decode(uint32_t algo, const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen,
	       struct rs_error *err);

#endif
