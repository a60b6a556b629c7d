/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bitlocker.c - the FVE metadata reader (bitlocker.h).  Layout from the
 * published descriptions of the format (libbde's format document, dislocker's
 * and cryptsetup's BITLK notes; facts only):
 *
 *   volume header (sector 0): "-FVE-FS-" at 3; the BitLocker GUID at 160 and
 *     the three metadata block offsets at 176 (To Go: "MSWIN4.1", 424, 440)
 *   metadata block: a 64-byte block header ("-FVE-FS-", size / 16 at 8,
 *     version 2 at 10, state at 12, encrypted size at 16, ...), a 48-byte
 *     metadata header (metadata size at 0, version 1, header size 48, volume
 *     GUID at 16, method at 36), then entries; right after the block (at
 *     size x 16) an 8-byte validation whose CRC-32 at 4 covers the block
 *   entry: size (2, with this header), type (2), value type (2), version (2),
 *     data; a VMK entry (type 2, value 8): key ID GUID, time (8), 2 unknown
 *     bytes, protection type (2), then nested property entries */
#include "rescue/disk/bitlocker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rescue/base/utf16.h"

#define BL_SECTOR       512u
#define BL_BLOCK_MAX    65536u      /* a metadata block's area: it never holds more */
#define BL_BLOCK_HEADER 64u
#define BL_META_HEADER  48u
#define BL_ENTRY_HEADER 8u
#define BL_VALIDATION   8u

enum { ENTRY_VMK = 0x0002, ENTRY_FVEK = 0x0003, ENTRY_DESCRIPTION = 0x0007, ENTRY_VOLUME_HEADER = 0x000f };
enum { VALUE_STRING = 0x0002, VALUE_CCM = 0x0005, VALUE_VMK = 0x0008, VALUE_OFFSET_SIZE = 0x000f };

/* The GUID in the volume header: BitLocker, and BitLocker's "used space
 * only" (encrypt-on-write) variant; on-disk byte order. */
static const uint8_t guid_bitlocker[16] = {
	0x3b, 0xd6, 0x67, 0x49, 0x29, 0x2e, 0xd8, 0x4a, 0x83, 0x99, 0xf6, 0xa3, 0x39, 0xe3, 0xd0, 0x01 };
static const uint8_t guid_used_space[16] = {
	0x3b, 0x4d, 0xa8, 0x92, 0x80, 0xdd, 0x0e, 0x4d, 0x9e, 0x4e, 0xb1, 0xe3, 0x28, 0x4e, 0xae, 0xd8 };

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static void guid_text(const uint8_t *g, char out[BL_GUID_TEXT])
{
	snprintf(out, BL_GUID_TEXT, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6],
		 g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* CRC-32 (IEEE 802.3, reflected): the validation of a metadata block. */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

/* Exactly LEN bytes at OFF of FD, or -1 (a short read is an error: the
 * volume ends there). */
static int read_at(int fd, uint64_t off, uint8_t *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* Walk the entries in P[0..LEN): each must have a whole header and a size
 * that fits; a size of 0 ends the list (the padding after it).  Calls FN
 * for each; stops at the first error (a message in WHY, -1). */
typedef int (*entry_fn)(const uint8_t *e, uint16_t size, void *ctx, char *why, size_t wlen);
static int walk_entries(const uint8_t *p, size_t len, size_t base, entry_fn fn, void *ctx, char *why, size_t wlen)
{
	size_t at = 0;
	while (len - at >= 2) {
		uint16_t size = le16(p + at);
		if (size == 0)
			break;
		if (size < BL_ENTRY_HEADER || size > len - at) {
			snprintf(why, wlen, "entry at 0x%zx has size %u, %s", base + at, size,
				 size < BL_ENTRY_HEADER ? "shorter than its header" : "running past the end");
			return -1;
		}
		if (fn && fn(p + at, size, ctx, why, wlen))
			return -1;
		at += size;
	}
	return 0;
}

/* The nested entries of a VMK: only their sizes are checked here. */
static int vmk_entry(const uint8_t *e, uint16_t size, struct bl_info *info, char *why, size_t wlen)
{
	if (le16(e + 4) != VALUE_VMK || size < BL_ENTRY_HEADER + 28) {
		snprintf(why, wlen, "key protector entry too short or of the wrong kind");
		return -1;
	}
	const uint8_t *v = e + BL_ENTRY_HEADER;
	if (walk_entries(v + 28, size - BL_ENTRY_HEADER - 28, 0, NULL, NULL, why, wlen)) {
		char inner[128];
		snprintf(inner, sizeof(inner), "%s", why);
		snprintf(why, wlen, "key protector: nested %s", inner);
		return -1;
	}
	uint16_t type = le16(v + 26);
	if (type == BL_PROT_CLEAR_KEY)
		info->suspended = true;
	if (info->nprotectors == BL_MAX_PROTECTORS) {
		info->protectors_not_listed++;
		return 0;
	}
	struct bl_protector *p = &info->protectors[info->nprotectors++];
	p->type = type;
	guid_text(v, p->id);
	return 0;
}

struct parse {
	struct bl_info *info;
	uint64_t volume_size;
	bool fvek;
};

static int one_entry(const uint8_t *e, uint16_t size, void *ctx, char *why, size_t wlen)
{
	struct parse *ps = ctx;
	uint16_t type = le16(e + 2), value = le16(e + 4);
	const uint8_t *v = e + BL_ENTRY_HEADER;
	size_t vlen = size - BL_ENTRY_HEADER;

	switch (type) {
	case ENTRY_VMK:
		return vmk_entry(e, size, ps->info, why, wlen);
	case ENTRY_FVEK:
		/* The volume key, sealed: nonce (12), MAC (16), at least a key. */
		if (value != VALUE_CCM || vlen < 12 + 16 + 12) {
			snprintf(why, wlen, "volume key entry too short or of the wrong kind");
			return -1;
		}
		ps->fvek = true;
		return 0;
	case ENTRY_VOLUME_HEADER:
		/* Where the file system's own first sectors were moved to. */
		if (value != VALUE_OFFSET_SIZE || vlen < 16 || le64(v) > ps->volume_size ||
		    le64(v + 8) > ps->volume_size - le64(v)) {
			snprintf(why, wlen, "the moved volume header lies outside the volume");
			return -1;
		}
		ps->info->header_offset = le64(v);
		ps->info->header_size = le64(v + 8);
		return 0;
	case ENTRY_DESCRIPTION:
		if (value == VALUE_STRING && !ps->info->description[0]) {
			char *d = utf16le_to_utf8(v, vlen);
			if (d)
				snprintf(ps->info->description, sizeof(ps->info->description), "%s", d);
			free(d);
		}
		return 0;
	default:        /* validation, startup key copies, later additions */
		return 0;
	}
}

/* Read and check the metadata block at OFF (relative to the volume); fill
 * INFO from it.  -1 with WHY on any damage. */
static int read_block(int fd, uint64_t base, uint64_t size, uint64_t off, struct bl_info *info,
		      char *why, size_t wlen)
{
	uint8_t head[BL_BLOCK_HEADER + BL_META_HEADER];
	if (off == 0 || off > size || size - off < sizeof(head)) {
		snprintf(why, wlen, "its offset 0x%llx is outside the volume", (unsigned long long)off);
		return -1;
	}
	if (read_at(fd, base + off, head, sizeof(head))) {
		snprintf(why, wlen, "cannot be read");
		return -1;
	}
	if (memcmp(head, "-FVE-FS-", 8)) {
		snprintf(why, wlen, "no \"-FVE-FS-\" signature");
		return -1;
	}
	uint16_t version = le16(head + 10);
	if (version != 2) {
		snprintf(why, wlen, version == 1 ? "Windows Vista's BitLocker, not supported" :
			 "unknown metadata version %u", version);
		return -1;
	}
	uint32_t block_len = (uint32_t)le16(head + 8) * 16;
	uint32_t meta_len = le32(head + 64);
	if (block_len < sizeof(head) || block_len + BL_VALIDATION > BL_BLOCK_MAX ||
	    block_len + BL_VALIDATION > size - off) {
		snprintf(why, wlen, "block size %u is out of bounds", block_len);
		return -1;
	}
	if (le32(head + 72) != BL_META_HEADER || meta_len < BL_META_HEADER ||
	    meta_len > block_len - BL_BLOCK_HEADER) {
		snprintf(why, wlen, "metadata size %u does not fit its block", meta_len);
		return -1;
	}
	uint8_t *b = malloc(block_len + BL_VALIDATION);
	if (!b) {
		snprintf(why, wlen, "out of memory");
		return -1;
	}
	int rc = -1;
	if (read_at(fd, base + off, b, block_len + BL_VALIDATION)) {
		snprintf(why, wlen, "cannot be read");
		goto out;
	}
	if (crc32_ieee(b, block_len) != le32(b + block_len + 4)) {
		snprintf(why, wlen, "its checksum does not match");
		goto out;
	}
	memset(info, 0, sizeof(*info));
	info->state = le16(b + 12);
	info->encrypted_size = le64(b + 16);
	guid_text(b + 80, info->volume_id);
	info->method = le16(b + 100);
	struct parse ps = { .info = info, .volume_size = size };
	if (walk_entries(b + BL_BLOCK_HEADER + BL_META_HEADER, meta_len - BL_META_HEADER,
			 BL_BLOCK_HEADER + BL_META_HEADER, one_entry, &ps, why, wlen))
		goto out;
	if (info->nprotectors + info->protectors_not_listed == 0)
		snprintf(why, wlen, "no key protector");
	else if (!ps.fvek)
		snprintf(why, wlen, "no volume key");
	else
		rc = 0;
out:
	free(b);
	return rc;
}

int bl_read(int fd, uint64_t offset, uint64_t size, struct bl_info *info, struct rs_error *err)
{
	uint8_t vh[BL_SECTOR];
	memset(info, 0, sizeof(*info));
	if (size < BL_SECTOR || read_at(fd, offset, vh, sizeof(vh)))
		return rs_fail(err, RS_ETARGET, "not a BitLocker volume (too short to hold its header)");

	/* Windows 7 and later put the GUID and the offsets at 160; To Go, on a
	 * FAT-looking header, at 424.  Vista starts with EB 52 90 instead. */
	size_t at;
	if (!memcmp(vh + 3, "-FVE-FS-", 8) && !memcmp(vh, "\xeb\x52\x90", 3))
		return rs_fail(err, RS_ETARGET, "BitLocker of Windows Vista: not supported");
	if (!memcmp(vh + 3, "-FVE-FS-", 8))
		at = 160;
	else if (!memcmp(vh + 3, "MSWIN4.1", 8))
		at = 424;
	else
		return rs_fail(err, RS_ETARGET, "not a BitLocker volume (no \"-FVE-FS-\" signature)");
	if (memcmp(vh + at, guid_bitlocker, 16) && memcmp(vh + at, guid_used_space, 16))
		return rs_fail(err, RS_ETARGET, "%s", at == 160 ? "damaged BitLocker volume header (unknown GUID)"
				: "not a BitLocker volume (no BitLocker GUID)");

	/* The first whole block wins; the first block's fault is the one told
	 * when none is whole (the other two are copies of it). */
	char why[3][160];
	for (int i = 0; i < 3; i++) {
		if (read_block(fd, offset, size, le64(vh + at + 16 + 8 * i), info, why[i], sizeof(why[i])) == 0) {
			info->block = i + 1;
			for (int b = 0; b < 3; b++)
				info->block_offset[b] = le64(vh + at + 16 + 8 * b);
			return RS_OK;
		}
	}
	memset(info, 0, sizeof(*info));
	return rs_fail(err, RS_ETARGET, "damaged BitLocker metadata (block 1: %s; block 2: %s; block 3: %s)",
		       why[0], why[1], why[2]);
}

const char *bl_recovery_id(const struct bl_info *info, int i)
{
	for (int k = 0; k < info->nprotectors; k++)
		if (info->protectors[k].type == BL_PROT_RECOVERY_PASSWORD && i-- == 0)
			return info->protectors[k].id;
	return NULL;
}

static const struct { uint16_t type; const char *name; } protector_names[] = {
	{ BL_PROT_CLEAR_KEY, "clear key (protection suspended)" },
	{ BL_PROT_TPM, "TPM" },
	{ BL_PROT_STARTUP_KEY, "startup key (USB)" },
	{ BL_PROT_TPM_PIN, "TPM and PIN" },
	{ BL_PROT_RECOVERY_PASSWORD, "recovery password" },
	{ BL_PROT_PASSWORD, "password" },
};

const char *bl_protector_name(uint16_t type, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(protector_names) / sizeof(protector_names[0]); i++)
		if (protector_names[i].type == type)
			return protector_names[i].name;
	snprintf(buf, len, "unknown (0x%04x)", type);
	return buf;
}

static const struct { uint16_t method; const char *name; } method_names[] = {
	{ 0x8000, "AES-CBC 128-bit with Elephant diffuser" },
	{ 0x8001, "AES-CBC 256-bit with Elephant diffuser" },
	{ 0x8002, "AES-CBC 128-bit" },
	{ 0x8003, "AES-CBC 256-bit" },
	{ 0x8004, "AES-XTS 128-bit" },
	{ 0x8005, "AES-XTS 256-bit" },
};

const char *bl_method_name(uint16_t method)
{
	for (size_t i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++)
		if (method_names[i].method == method)
			return method_names[i].name;
	return NULL;
}

int bl_check_password(const char *pw, uint8_t key[16], int *bad_group, struct rs_error *err)
{
	int dummy;
	uint8_t k[16];
	if (!bad_group)
		bad_group = &dummy;
	*bad_group = 0;
	const char *p = pw;
	for (int g = 0; g < 8; g++) {
		/* One separator (a dash or a space) between groups, or none. */
		if (g > 0 && (*p == '-' || *p == ' '))
			p++;
		unsigned long v = 0;
		for (int d = 0; d < 6; d++, p++) {
			if (*p < '0' || *p > '9')
				return rs_fail(err, RS_EUSAGE, "a recovery password is 48 digits in 8 groups of 6 "
					       "(group %d is not 6 digits)", g + 1);
			v = v * 10 + (unsigned long)(*p - '0');
		}
		if (v % 11 || v / 11 > 0xffff) {
			*bad_group = g + 1;
			return rs_fail(err, RS_EUSAGE, "group %d of the recovery password (%06lu) is mistyped: %s",
				       g + 1, v, v % 11 ? "every group divides by 11" : "every group is below 720896");
		}
		k[2 * g] = (uint8_t)(v / 11);
		k[2 * g + 1] = (uint8_t)(v / 11 >> 8);
	}
	if (*p)
		return rs_fail(err, RS_EUSAGE, "a recovery password is 48 digits in 8 groups of 6 (more follows)");
	if (key)
		memcpy(key, k, sizeof(k));
	return RS_OK;
}
