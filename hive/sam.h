/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sam.h - the SAM hive's binary values, read and rebuilt from bytes.
 *
 * Every parser takes (buf, len) and checks each offset + length against len:
 * the SAM of an infected machine is hostile input.  Nothing here opens a
 * file or prints; hive/accounts.c drives these through the hive layer.
 *
 * Facts come from public descriptions of the formats (chntpw's and
 * impacket's documentation and sources as summarised in DESIGN.md
 * "Accounts", Samba's ACB_* account-control bits, MS-DTYP for SIDs) and from
 * the real SAMs listed in tests/data/SOURCES.md; each constant names its
 * source.  Crypto is nettle's (MD4, MD5, RC4, DES, AES-128-CBC).
 *
 * Ownership: functions that build a new value return it malloc'd in *out
 * (caller frees); out-parameters are set only on success. */
#ifndef HIVE_SAM_H
#define HIVE_SAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rescue/base/error.h"

/* Key paths inside the SAM hive. */
#define SAM_KEY_ACCOUNT   "SAM\\Domains\\Account"            /* F: domain key; V: domain SID */
#define SAM_KEY_USERS     "SAM\\Domains\\Account\\Users"     /* <RID as 8 hex>\{F,V}, Names\<name> */
#define SAM_KEY_ALIASES   "SAM\\Domains\\Builtin\\Aliases"   /* <alias RID>\C, Members\<SID>\<RID> */
#define SAM_RID_ADMINS    0x220                              /* BUILTIN\Administrators (well-known) */
#define SAM_VALUE_MSA     "InternetUserName"                 /* present on a Microsoft account */

/* ---- user F value (fixed 0x50 bytes; DESIGN.md Accounts, chntpw) ---- */
#define SAM_F_MIN_LEN      0x50
#define SAM_F_LAST_LOGON   0x08   /* FILETIME of the last logon */
#define SAM_F_PW_LAST_SET  0x18   /* FILETIME the password was last set */
#define SAM_F_RID          0x30   /* uint32 */
#define SAM_F_ACB          0x38   /* uint16 account-control bits */
#define SAM_F_FAILED       0x40   /* uint16 failed logons since the last good one */
#define SAM_F_LOGONS       0x42   /* uint16 logon count */

/* Account-control bits (Samba's ACB_* names; chntpw uses the same values). */
#define SAM_ACB_DISABLED   0x0001
#define SAM_ACB_PWNOTREQ   0x0004
#define SAM_ACB_NORMAL     0x0010
#define SAM_ACB_PWNOEXP    0x0200
#define SAM_ACB_LOCKED     0x0400  /* ACB_AUTOLOCK: locked out by failed logons */

struct sam_user_f {
	uint64_t last_logon;        /* FILETIME, 0 = never */
	uint32_t rid;
	uint16_t acb, failed, logons;
};

int sam_f_parse(const uint8_t *f, size_t len, struct sam_user_f *out, struct rs_error *err);
/* Write ACB and the failed count into F (in place), and the time the
 * password was set when PW_SET (a FILETIME) is not 0. */
int sam_f_update(uint8_t *f, size_t len, uint16_t acb, uint16_t failed, uint64_t pw_set,
		 struct rs_error *err);

/* ---- user V value (DESIGN.md Accounts: 0xCC-byte header of 17 entries
 * (offset, length, unknown), offsets relative to 0xCC) ---- */
#define SAM_V_HDR_LEN      0xCC
#define SAM_V_ENTRY_SIZE   12
#define SAM_V_NAME         0x0C   /* entry: user name, UTF-16LE */
#define SAM_V_FULLNAME     0x18   /* entry: full name, UTF-16LE */
#define SAM_V_LM           0x9C   /* entry: LM hash */
#define SAM_V_NT           0xA8   /* entry: NT hash */

/* How a hash entry is stored (impacket secretsdump: SAM_HASH / SAM_HASH_AES;
 * lengths seen in the real SAMs of SOURCES.md). */
enum sam_hash_fmt {
	SAM_HASH_NONE,      /* length 0: no entry (chntpw's blank) */
	SAM_HASH_EMPTY,     /* a header without a hash: 4 bytes (rev 1) or 24 (rev 2) */
	SAM_HASH_RC4,       /* 20 bytes: PekID u16, revision u16 = 1, 16 bytes RC4(DES(hash)) */
	SAM_HASH_AES,       /* 24 + n: PekID u16, revision u16 = 2, data offset u32, salt[16], AES-CBC data */
	SAM_HASH_BARE,      /* 16 bytes without a header (some Windows 10 22H2 accounts) */
	SAM_HASH_UNKNOWN,   /* anything else: reported, never decrypted */
};
#define SAM_HASH_RC4_HDR   4
#define SAM_HASH_RC4_LEN   20
#define SAM_HASH_AES_HDR   24
#define SAM_HASH_AES_SALT  8      /* salt offset inside an AES entry */
#define SAM_HASH_AES_LEN   56     /* header + 32 bytes: 16-byte hash + a block of padding */

const char *sam_hash_fmt_name(enum sam_hash_fmt f);

struct sam_user_v {
	char name[512];             /* UTF-8 */
	char fullname[1024];        /* UTF-8 */
	uint32_t lm_off, lm_len;    /* absolute offsets in V, checked against its length */
	uint32_t nt_off, nt_len;
	enum sam_hash_fmt lm_fmt, nt_fmt;
};

int sam_v_parse(const uint8_t *v, size_t len, struct sam_user_v *out, struct rs_error *err);

/* A copy of V with header entry ENTRY (SAM_V_LM, SAM_V_NT...) holding DATA:
 * written in place when it fits the old space, else appended (4-byte
 * aligned) and the entry's offset moved, so V grows.  DLEN 0 keeps the
 * offset and sets the length to 0 (chntpw's blank). */
int sam_v_set_entry(const uint8_t *v, size_t len, unsigned entry, const uint8_t *data, size_t dlen,
		    uint8_t **out, size_t *outlen, struct rs_error *err);

/* ---- domain key (Account\F at 0x68; DESIGN.md, impacket SAM_KEY_DATA[_AES]) ---- */
#define SAM_DF_KEY         0x68   /* u32 revision: 1 = RC4, 2 = AES */
#define SAM_DF_RC4_SALT    0x70   /* 16 bytes */
#define SAM_DF_RC4_KEY     0x80   /* 16 bytes key + 16 bytes checksum, RC4-encrypted */
#define SAM_DF_RC4_END     0xA0
#define SAM_DF_AES_DATALEN 0x74   /* u32 length of the encrypted key data */
#define SAM_DF_AES_SALT    0x78   /* 16 bytes: the CBC IV */
#define SAM_DF_AES_DATA    0x88   /* encrypted key data (0x20: key + one block of padding) */

enum sam_key_rev { SAM_KEY_RC4 = 1, SAM_KEY_AES = 2 };

/* The hashed boot key: the key every password hash is encrypted under. */
struct sam_key {
	enum sam_key_rev rev;
	uint8_t key[16];
};

/* The revision of the domain F (no boot key needed). */
int sam_domain_rev(const uint8_t *domf, size_t len, enum sam_key_rev *out, struct rs_error *err);

/* Derive the hashed boot key from the domain F and the boot key, and check
 * it: RC4 by the MD5 checksum stored beside it, AES by the padding block of
 * the decrypted data (no checksum is known for AES).  RS_ETARGET when it does
 * not check out (wrong SYSTEM, or a syskey password). */
int sam_domain_key(const uint8_t *domf, size_t len, const uint8_t bootkey[16], struct sam_key *out,
		   struct rs_error *err);

/* ---- password hashes (DESIGN.md; MS-SAMR 2.2.11.1 for the DES step) ---- */

/* NT hash = MD4(UTF-16LE(password)).  RS_EUSAGE for invalid UTF-8 or more
 * than SAM_PW_MAX UTF-16 code units. */
#define SAM_PW_MAX 127
int sam_nt_hash(const char *utf8, uint8_t out[16], struct rs_error *err);

/* Decrypt the hash entry ENT (ENTLEN bytes, format RC4 or AES) of RID. */
int sam_hash_decrypt(const struct sam_key *k, uint32_t rid, bool nt, const uint8_t *ent, size_t entlen,
		     uint8_t out[16], struct rs_error *err);

/* Build the entry holding HASH for RID in K's format into OUT (room for
 * SAM_HASH_AES_LEN); SALT is the 16-byte AES IV (unused for RC4).  PEKID is
 * the header's first field (1 for RC4, 2 for AES in the SAMs seen). */
size_t sam_hash_encrypt(const struct sam_key *k, uint32_t rid, bool nt, const uint8_t hash[16],
			uint16_t pekid, const uint8_t salt[16], uint8_t out[SAM_HASH_AES_LEN]);

/* ---- SIDs, the domain SID, alias C values ---- */
#define SAM_SID_MAX 68              /* revision, count, authority[6], 15 sub-authorities */
size_t sam_sid_len(const uint8_t *sid, size_t avail);   /* 0 when not a SID */
/* "S-1-5-21-..." into OUT. */
void sam_sid_string(const uint8_t *sid, size_t len, char *out, size_t outlen);

/* The machine's domain SID (S-1-5-21-a-b-c, 24 bytes) at the end of the
 * Account domain's V value (public descriptions of the SAM; the real SAMs). */
#define SAM_DOMAIN_SID_LEN 24
int sam_domain_sid(const uint8_t *accv, size_t len, uint8_t sid[SAM_DOMAIN_SID_LEN], struct rs_error *err);
/* DOMAIN SID + RID into SID (28 bytes). */
#define SAM_USER_SID_LEN 28
void sam_user_sid(const uint8_t domsid[SAM_DOMAIN_SID_LEN], uint32_t rid, uint8_t sid[SAM_USER_SID_LEN]);

/* Alias C value: a 0x34-byte header, then data; the member list is the entry
 * at 0x28 (offset, length relative to 0x34) with its count at 0x30 (read from
 * the real SAMs: Administrators' C lists the SIDs of its members, last). */
#define SAM_C_HDR_LEN      0x34
#define SAM_C_MEMBERS_OFF  0x28
#define SAM_C_MEMBERS_LEN  0x2C
#define SAM_C_MEMBERS_N    0x30

int sam_c_has_member(const uint8_t *c, size_t len, const uint8_t *sid, size_t sidlen, bool *out,
		     struct rs_error *err);
/* A copy of C with SID appended to the member list (which must be last). */
int sam_c_add_member(const uint8_t *c, size_t len, const uint8_t *sid, size_t sidlen,
		     uint8_t **out, size_t *outlen, struct rs_error *err);

/* ---- boot key (SYSTEM CCS\Control\Lsa\{JD,Skew1,GBG,Data} class names) ---- */
extern const char *const sam_bootkey_keys[4];
/* Four class names of 8 hex digits each, concatenated and permuted. */
int sam_bootkey_from_classes(const char *const cls[4], uint8_t out[16], struct rs_error *err);

/* libhivex has no call for a key's class name, so it is read from the hive
 * bytes: NODE is a libhivex node handle (the file offset of the nk cell).
 * The class name (UTF-16LE) is converted to UTF-8 into OUT. */
int regf_nk_class(const uint8_t *hive, size_t len, uint64_t node, char *out, size_t outlen,
		  struct rs_error *err);

#endif
