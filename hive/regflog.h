/* SPDX-License-Identifier: GPL-2.0-or-later */
/* regflog.h - registry transaction logs: read them and replay them over a
 * dirty primary file, on bytes in memory (no file I/O here; see
 * hive/recover.h for the files on the Windows volume).
 *
 * A primary hive is dirty when its two base-block sequence numbers differ or
 * its checksum is wrong: Windows' latest changes then live only in its logs.
 * Two log formats exist (facts: M. Suhanov's public "Windows registry file
 * format specification", libregf's notes, and what the real logs under
 * tests/data show):
 *
 *  - old (<hive>.LOG, file type 1 or 2, Windows XP to 8): the first 512 bytes
 *    of the base block, then at 512 a dirty vector "DIRT" + a bitmap with one
 *    bit per 512-byte page of the hive bins data, then from the next 512-byte
 *    boundary one 512-byte page per set bit.  The log applies when its base
 *    block is valid, its two sequence numbers are equal and its last-written
 *    timestamp equals the primary's.
 *  - new (<hive>.LOG1 and .LOG2, file type 6, Windows 8.1 and later): the
 *    first 512 bytes of the base block, then from offset 512 log entries
 *    "HvLE", each at a 512-byte boundary:
 *      0 "HvLE"  4 size  8 flags  12 sequence  16 hive bins size
 *      20 dirty page count  24 hash-1  32 hash-2  40 page references
 *      (offset, size) x count, then the pages themselves, packed.
 *    hash-1 = Marvin32 of bytes 40..size, hash-2 = Marvin32 of bytes 0..32,
 *    seed 0x82EF4D887A4E55C5.
 *
 * Replay (new format), as Windows does it: entries with a sequence number
 * below the primary's secondary one are already in the primary; the others
 * are applied in sequence order, the log holding the earlier entries first
 * (LOG1 before LOG2 on a tie), each entry exactly one more than the previous.
 * On Windows 10 the first pending entry is often well above the primary's
 * secondary number (the primary's header lags): that is normal.  A damaged
 * entry (bad hash, truncated, impossible sizes) or a gap in the numbers stops
 * the replay after the last good entry.  Each entry may grow the hive bins
 * data; after the last one both sequence numbers take its number, the hive
 * bins size and flags take its values and the checksum is recomputed.
 *
 * Hostile input: every offset and length is checked against the buffer; a
 * hive never grows beyond what the inputs could describe. */
#ifndef HIVE_REGFLOG_H
#define HIVE_REGFLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hive/regf.h"

/* The seed of the registry's log-entry hashes: the 64-bit number written
 * 82 EF 4D 88 7A 4E 55 C5 (most significant byte first; checked against the
 * hashes in real Windows 10 logs). */
#define REGFLOG_MARVIN_SEED 0x82EF4D887A4E55C5ull

/* Marvin32 of DATA (LEN bytes) with SEED, as the 64-bit value whose
 * little-endian bytes are stored in a log entry. */
uint64_t regflog_marvin32(uint64_t seed, const uint8_t *data, size_t len);

/* One log file's bytes (borrowed) and the name used in messages. */
struct regflog_file {
	const char *name;             /* e.g. "SYSTEM.LOG1" */
	const uint8_t *buf;
	size_t len;
};

enum regflog_kind {
	REGFLOG_EMPTY,                /* 0 bytes or all zero: nothing to replay (normal) */
	REGFLOG_OLD,                  /* .LOG format with a dirty vector */
	REGFLOG_NEW,                  /* .LOG1/.LOG2 format with log entries */
	REGFLOG_BAD,                  /* not a usable log: `why` says so */
};

/* What one log holds. */
struct regflog_scan {
	enum regflog_kind kind;
	struct regf_base base;        /* OLD, NEW */
	unsigned entries;             /* NEW: good entries in a row from offset 512; OLD: dirty pages */
	uint32_t first_seq, last_seq; /* NEW, when entries > 0 */
	bool damaged;                 /* NEW: a damaged entry follows the good ones; OLD: truncated */
	size_t damaged_off;           /* its file offset */
	uint32_t damaged_seq;         /* the sequence number its header claims */
	char why[256];                /* BAD or damaged: one line, without the file name */
};

/* Classify and check the log F (never fails; hostile bytes give REGFLOG_BAD). */
void regflog_scan(const struct regflog_file *f, struct regflog_scan *out);

enum regflog_state {
	REGFLOG_CLEAN,                /* not dirty: nothing to do, image is NULL */
	REGFLOG_RECOVERED,            /* dirty, every pending change replayed */
	REGFLOG_PARTIAL,              /* dirty, replay stopped at a damaged entry or a gap: note says where */
	REGFLOG_UNRECOVERED,          /* dirty, no usable log: image is NULL, note says what may be lost */
};

struct regflog_result {
	enum regflog_state state;
	uint8_t *image;               /* RECOVERED, PARTIAL: the recovered primary (malloc'd) */
	size_t len;
	struct regf_base before;      /* the primary's base block as found */
	unsigned applied;             /* log entries (new format) or dirty pages (old) applied */
	uint32_t first_seq, last_seq; /* new format: the entries applied */
	uint32_t max_seq;             /* the highest sequence number any log names */
	char logs_used[128];          /* "SYSTEM.LOG1, SYSTEM.LOG2" */
	char note[512];               /* one line for the technician: what was done, stopped or lost */
};

/* Replay LOGS over PRIMARY into OUT.  RS_ETARGET only when PRIMARY is not a
 * hive (no regf base block); every log problem is reported through
 * out->state and out->note.  Free with regflog_result_free. */
int regflog_recover(const uint8_t *primary, size_t plen, const struct regflog_file *logs,
		    size_t nlogs, struct regflog_result *out, struct rs_error *err);
void regflog_result_free(struct regflog_result *r);

/* Set both sequence numbers of the base block in IMAGE to SEQ and recompute
 * its checksum (LEN >= 512).  Used to put a recovered primary beyond every
 * entry its logs hold, so Windows can never replay a stale one over it. */
void regflog_seal(uint8_t *image, size_t len, uint32_t seq);

const char *regflog_state_name(enum regflog_state s);

#endif
