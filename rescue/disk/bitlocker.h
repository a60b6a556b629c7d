/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bitlocker.h - what a BitLocker volume says about itself without any key:
 * its key protectors (type and key ID: Windows' recovery screen shows the
 * first 8 digits of the recovery password protector's ID), its cipher, and whether protection is suspended (a clear-key
 * protector: the volume opens with no secret); and the check of a recovery
 * password typed by a person, before anything is tried with it.
 *
 * Everything here is hostile input: the volume header, the three FVE
 * metadata blocks and every entry in them are bounds-checked against the
 * block and the volume; the first block that is whole (its CRC-32 holds and
 * every entry fits) is the one read, as Windows does.  Windows 7 and later,
 * and BitLocker To Go; Vista's older layout is refused by name. */
#ifndef RESCUE_BITLOCKER_H
#define RESCUE_BITLOCKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rescue/base/error.h"

/* Key protection types, as stored in a VMK entry. */
enum {
	BL_PROT_CLEAR_KEY = 0x0000,     /* suspended: the key is stored in the clear */
	BL_PROT_TPM = 0x0100,
	BL_PROT_STARTUP_KEY = 0x0200,   /* a .BEK file on a USB stick */
	BL_PROT_TPM_PIN = 0x0500,
	BL_PROT_RECOVERY_PASSWORD = 0x0800,
	BL_PROT_PASSWORD = 0x2000,
};

#define BL_MAX_PROTECTORS 16
#define BL_GUID_TEXT 37             /* "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" and NUL */

struct bl_protector {
	uint16_t type;                  /* BL_PROT_* (or a type we do not know) */
	char id[BL_GUID_TEXT];          /* key ID, upper case, as Windows prints it */
};

struct bl_info {
	uint16_t method;                /* encryption method: 0x8000..0x8005 (bl_method_name) */
	uint16_t state;                 /* 1 decrypted, 2 converting, 4 encrypted, 5 conversion paused */
	uint64_t encrypted_size;        /* bytes of the volume that are encrypted */
	char volume_id[BL_GUID_TEXT];
	char description[128];          /* "PC-NAME C: date", UTF-8 (escape before showing) */
	int block;                      /* which metadata block was read: 1, 2 or 3 */
	int nprotectors;
	int protectors_not_listed;      /* beyond BL_MAX_PROTECTORS */
	struct bl_protector protectors[BL_MAX_PROTECTORS];
	bool suspended;                 /* a clear-key protector: opens with no secret */
	/* Where BitLocker keeps its own data inside the volume (offsets from
	 * its start, checked to lie inside it): the three metadata blocks, as
	 * the volume header names them, and the file system's first sectors
	 * moved away (header_size 0 when the metadata does not say). */
	uint64_t block_offset[3];
	uint64_t header_offset, header_size;
};

/* Read the BitLocker metadata of the volume at OFFSET of FD, SIZE bytes
 * long (the partition; every offset in the metadata must fall inside it).
 * RS_OK with INFO filled; RS_ETARGET when it is not a BitLocker volume or
 * its metadata is damaged (ERR says which and, for damage, in which block:
 * "damaged BitLocker metadata (block 1: entry at 0x98 runs past the end)"). */
int bl_read(int fd, uint64_t offset, uint64_t size, struct bl_info *info, struct rs_error *err);

/* The key ID of INFO's I-th recovery password protector (0 the first),
 * or NULL: a volume with none (TPM, startup key only) no recovery key opens. */
const char *bl_recovery_id(const struct bl_info *info, int i);

/* "recovery password", "TPM", "clear key (protection suspended)", ...;
 * "unknown (0xNNNN)" written into BUF for a type we do not know. */
const char *bl_protector_name(uint16_t type, char *buf, size_t len);

/* "AES-XTS 128-bit", "AES-CBC 128-bit with Elephant diffuser", ...; NULL
 * for a method we do not know. */
const char *bl_method_name(uint16_t method);

/* Check a recovery password as a person types it: 48 digits in 8 groups of
 * 6 (dashes or spaces between groups, or none); each group is 11 times a
 * number below 65536.  RS_OK with the 128-bit recovery key in KEY (may be
 * NULL); RS_EUSAGE with ERR naming the fault and *BAD_GROUP (may be NULL)
 * the group at fault, 1..8, or 0 when the form itself is wrong. */
int bl_check_password(const char *pw, uint8_t key[16], int *bad_group, struct rs_error *err);

#endif
