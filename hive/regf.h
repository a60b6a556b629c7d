/* SPDX-License-Identifier: GPL-2.0-or-later */
/* regf.h - the registry file's base block, read directly from the bytes.
 *
 * libhivex has no API for the header fields that decide whether a hive may be
 * written: the two sequence numbers (equal = clean, different = "dirty": the
 * latest changes live only in .LOG1/.LOG2) and the header checksum.  This
 * module reads them, and is where the transaction-log replay lives.
 *
 * Base block facts (public descriptions of the regf format):
 *   0x000 "regf"            0x004 primary sequence   0x008 secondary sequence
 *   0x014 major version     0x018 minor version      0x01C file type (0 primary, 1/2/6 log)
 *   0x028 hive bins size    0x1FC XOR-32 checksum of the first 0x1FC bytes */
#ifndef HIVE_REGF_H
#define HIVE_REGF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rescue/base/error.h"

#define REGF_BASE_SIZE 4096

struct regf_base {
	uint32_t seq1, seq2;        /* primary, secondary sequence numbers */
	uint32_t major, minor;      /* format version, 1.3 / 1.5 */
	uint32_t file_type;         /* 0 = primary hive file */
	uint32_t bins_size;         /* hive bins data size */
	uint32_t checksum;          /* as stored */
	bool checksum_ok;           /* stored == computed */
};

/* XOR-32 of the first 0x1FC bytes (127 dwords), with Windows' two special
 * cases (0 -> 1, 0xFFFFFFFF -> 0xFFFFFFFE).  BLOCK holds >= 512 bytes. */
uint32_t regf_checksum(const uint8_t *block);

/* Parse a base block from BUF (LEN bytes); RS_ETARGET when it is not one. */
int regf_parse_base(const uint8_t *buf, size_t len, struct regf_base *out, struct rs_error *err);

/* Read and parse the base block of the file at PATH. */
int regf_read_base(const char *path, struct regf_base *out, struct rs_error *err);

static inline bool regf_is_dirty(const struct regf_base *b)
{
	return b->seq1 != b->seq2;
}

#endif
