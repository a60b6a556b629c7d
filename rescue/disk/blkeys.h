/* SPDX-License-Identifier: GPL-2.0-or-later */
/* blkeys.h - BitLocker recovery passwords as technicians get them, matched
 * to a volume by its key ID.
 *
 * Forms read (any mix, one folder or one file): the "BitLocker Recovery Key
 * <ID>.TXT" Windows saves (UTF-16LE with a BOM: an "Identifier:" line, then
 * the key some lines below), a CSV exported from Active Directory (the
 * msFVE-RecoveryPassword column; the key ID is the {GUID} in the object's
 * name on the same line), a CSV from Entra ID or Intune (key ID and
 * recovery key columns), and plain "ID,KEY" lines.  Whatever the columns,
 * a line's key IDs and its recovery password are what counts: a line with
 * a password and no ID takes the ID of the line above that had only an ID
 * (the TXT's layout).
 *
 * Every key file may have been written by the worm: files are read through
 * confine.h (regular files only, no link), at most BLK_MAX_FILE bytes each
 * and BLK_MAX_FILES files; a line that is neither an ID nor a well-formed
 * password is skipped; a password whose checksum fails is skipped and
 * counted with its file:line.  Keys live in memory only, are wiped
 * (explicit_bzero) by blk_free, and are never part of a message. */
#ifndef RESCUE_BLKEYS_H
#define RESCUE_BLKEYS_H

#include <stddef.h>

#include "rescue/base/error.h"
#include "rescue/disk/bitlocker.h"

#define BLK_MAX_FILE (1u << 20)
#define BLK_MAX_FILES 256
#define BLK_MAX_KEYS 4096
#define BLK_IDS 4                   /* key IDs one line may name */
#define BLK_PASSWORD 56             /* 8 groups of 6 digits, 7 dashes, NUL */

struct blk_key {
	char ids[BLK_IDS][BL_GUID_TEXT];    /* upper case; none: fits any volume (typed by a person) */
	int nids;
	char password[BLK_PASSWORD];        /* normalised: 111111-222222-... */
	char source[80];                    /* file name it came from, "" when typed */
};

struct blk_ring {
	struct blk_key *keys;
	size_t n, cap;
	size_t bad;                         /* lines with a password whose checksum fails */
	char first_bad[160];                /* "keys/x.csv:4: group 3 ..." (never the digits) */
};

/* Add a password a person gave (--bitlocker-key, the UI): checked first
 * (RS_EUSAGE with the group at fault, said before anything is tried). */
int blk_add_typed(struct blk_ring *r, const char *pw, struct rs_error *err);

/* Read PATH, a key file or a folder of them (not recursive).  RS_ETARGET
 * when PATH cannot be read; a file holding no key is no error. */
int blk_load(struct blk_ring *r, const char *path, struct rs_error *err);

/* Parse one file's bytes (TEXT, LEN) named NAME: what blk_load does per file. */
void blk_parse(struct blk_ring *r, const char *name, const unsigned char *text, size_t len);

/* The key for key ID ID (case-insensitive), or NULL.  Typed keys (no ID)
 * are not returned here: see blk_typed. */
const struct blk_key *blk_find(const struct blk_ring *r, const char *id);

/* The I-th typed key (no ID), or NULL. */
const struct blk_key *blk_typed(const struct blk_ring *r, size_t i);

/* Wipe and free every key.  R stays usable (empty). */
void blk_free(struct blk_ring *r);

#endif
