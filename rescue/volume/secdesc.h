/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secdesc.h - NTFS security descriptors, as ntfs-3g's system.ntfs_acl
 * attribute gives and takes them: the self-relative form Windows stores.
 *
 * Layout (little-endian; facts from the NTFS and Windows data-type
 * documentation):
 *   descriptor  0 revision (1), 1 padding, 2 control flags (u16),
 *               4 owner SID offset, 8 group SID offset, 12 SACL offset,
 *               16 DACL offset (u32 each, from the start; 0 = none)
 *   SID         0 revision (1), 1 sub-authority count (at most 15),
 *               2 identifier authority (6 bytes, big-endian),
 *               8 sub-authorities (u32 each)
 *   ACL         0 revision (2 or 4), 1 padding, 2 size (u16, header included),
 *               4 entry count (u16), 6 padding; then the entries
 *   entry       0 type, 1 flags, 2 size (u16); 4 access mask (u32);
 *               8 the SID, or for the object types (5-8, 11, 12, 15, 16)
 *               8 object flags (u32), then one GUID per flag bit 1 and 2,
 *               then the SID
 *
 * The bytes come from a volume the worm wrote: every offset and size is
 * checked against the buffer before it is read, and a descriptor that does
 * not hold together is refused with the reason (secdesc_parse).
 *
 * Ownership: secdesc_parse fills a struct secdesc that owns its entries
 * (secdesc_free); secdesc_build_default returns a malloc'ed buffer. */
#ifndef RESCUE_SECDESC_H
#define RESCUE_SECDESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rescue/base/secfolders.h"

#define SD_MAX_BYTES 65536          /* a descriptor larger than this is refused */
#define SD_MAX_SUBAUTH 15
#define SD_MAX_ACES 4096            /* more than a 64 KiB ACL can hold */

/* Control flags. */
enum {
	SD_DACL_PRESENT = 0x0004,
	SD_SACL_PRESENT = 0x0010,
	SD_DACL_AUTO_INHERITED = 0x0400,
	SD_SACL_AUTO_INHERITED = 0x0800,
	SD_DACL_PROTECTED = 0x1000,
	SD_SELF_RELATIVE = 0x8000,
};

/* Entry flags. */
enum {
	SD_ACE_OBJECT_INHERIT = 0x01,
	SD_ACE_CONTAINER_INHERIT = 0x02,
	SD_ACE_NO_PROPAGATE = 0x04,
	SD_ACE_INHERIT_ONLY = 0x08,
	SD_ACE_INHERITED = 0x10,
};

struct sd_sid {
	uint8_t nsub;
	uint64_t auth;              /* the 48-bit identifier authority */
	uint32_t sub[SD_MAX_SUBAUTH];
};

struct sd_ace {
	uint8_t type, flags;
	uint32_t mask;
	bool has_sid;               /* false for a type this parser does not know */
	struct sd_sid sid;
};

struct secdesc {
	uint16_t control;
	bool has_owner, has_group;
	struct sd_sid owner, group;
	bool dacl_null;             /* DACL present with no list: no restriction at all */
	size_t nace;                /* DACL entries */
	struct sd_ace *ace;         /* owned */
	size_t sacl_off, sacl_len;  /* the SACL's bytes in the parsed buffer, 0 = none */
};

/* Parse BUF (LEN bytes) into OUT.  0, or -1 with WHY saying what does not
 * hold together ("owner SID runs past the end (offset 20, 68 bytes, 80 in
 * all)"); OUT then owns nothing. */
int secdesc_parse(const uint8_t *buf, size_t len, struct secdesc *out, char *why, size_t whylen);
void secdesc_free(struct secdesc *sd);

/* Whether two parsed descriptors say the same (control, owner, group, every
 * entry), whatever the order of their parts in the bytes. */
bool secdesc_same(const struct secdesc *a, const struct secdesc *b);

/* An entry that denies access (plain, object or callback Deny). */
bool sd_ace_is_deny(const struct sd_ace *a);

/* "S-1-5-18" into BUF; sd_sid_parse is the inverse (0, or -1). */
void sd_sid_format(const struct sd_sid *s, char *buf, size_t len);
int sd_sid_parse(const char *str, struct sd_sid *out);
bool sd_sid_equal(const struct sd_sid *a, const struct sd_sid *b);

/* The well-known name of S ("SYSTEM", "Everyone"...), or NULL. */
const char *sd_sid_name(const struct sd_sid *s);

/* Whether S is an owner Windows gives the files of a program's folders:
 * SYSTEM, Administrators or TrustedInstaller. */
bool sd_owner_usual(const struct sd_sid *s);

/* The descriptor Windows gives a folder (FOLDER true) or a file created
 * below PARENT: owner OWNER, group SYSTEM, the entries inherited from PARENT
 * (all marked inherited), and SACL (SACLLEN bytes, a validated ACL or NULL)
 * kept as it was.  0 and *OUT (malloc'ed, *OUTLEN bytes), or -1 (memory). */
int secdesc_build_default(enum secfolder_parent parent, bool folder, const struct sd_sid *owner,
			  const uint8_t *sacl, size_t sacllen, uint8_t **out, size_t *outlen);

#endif
