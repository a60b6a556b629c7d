/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sam.c - SAM values from bytes: see sam.h for the facts and their sources. */
#include "hive/sam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/arcfour.h>
#include <nettle/cbc.h>
#include <nettle/des.h>
#include <nettle/md4.h>
#include <nettle/md5.h>

#include "rescue/base/utf16.h"

/* ---- little-endian helpers; callers have checked the range ---- */
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }

/* OFF + N lies within LEN, without overflow. */
static bool in_range(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

/* UTF-16LE (LEN bytes) into the fixed buffer OUT, through rescue/utf16. */
static void u16_copy(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	char *s = utf16le_to_utf8(p, len);
	snprintf(out, outlen, "%s", s ? s : "");
	free(s);
}

/* ---- F ---- */

int sam_f_parse(const uint8_t *f, size_t len, struct sam_user_f *out, struct rs_error *err)
{
	if (!f || len < SAM_F_MIN_LEN)
		return rs_fail(err, RS_ETARGET, "user F value is %zu bytes, expected at least %u",
			       len, SAM_F_MIN_LEN);
	out->last_logon = le64(f + SAM_F_LAST_LOGON);
	out->rid = le32(f + SAM_F_RID);
	out->acb = le16(f + SAM_F_ACB);
	out->failed = le16(f + SAM_F_FAILED);
	out->logons = le16(f + SAM_F_LOGONS);
	return RS_OK;
}

int sam_f_update(uint8_t *f, size_t len, uint16_t acb, uint16_t failed, uint64_t pw_set,
		 struct rs_error *err)
{
	if (!f || len < SAM_F_MIN_LEN)
		return rs_fail(err, RS_ETARGET, "user F value is %zu bytes, expected at least %u",
			       len, SAM_F_MIN_LEN);
	put16(f + SAM_F_ACB, acb);
	put16(f + SAM_F_FAILED, failed);
	if (pw_set) {
		put32(f + SAM_F_PW_LAST_SET, (uint32_t)pw_set);
		put32(f + SAM_F_PW_LAST_SET + 4, (uint32_t)(pw_set >> 32));
	}
	return RS_OK;
}

/* ---- V ---- */

const char *sam_hash_fmt_name(enum sam_hash_fmt f)
{
	static const char *const names[] = {
		[SAM_HASH_NONE] = "none", [SAM_HASH_EMPTY] = "empty", [SAM_HASH_RC4] = "rc4",
		[SAM_HASH_AES] = "aes", [SAM_HASH_BARE] = "bare", [SAM_HASH_UNKNOWN] = "unknown",
	};
	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "unknown";
}

/* The revision field (offset 2) tells the two header formats apart. */
static enum sam_hash_fmt hash_fmt(const uint8_t *e, uint32_t len)
{
	if (len == 0)
		return SAM_HASH_NONE;
	if (len >= SAM_HASH_RC4_HDR && le16(e + 2) == SAM_KEY_RC4)
		return len == SAM_HASH_RC4_HDR ? SAM_HASH_EMPTY
		     : len == SAM_HASH_RC4_LEN ? SAM_HASH_RC4 : SAM_HASH_UNKNOWN;
	if (len >= SAM_HASH_AES_HDR && le16(e + 2) == SAM_KEY_AES) {
		uint32_t doff = le32(e + 4);
		if (len == SAM_HASH_AES_HDR)
			return SAM_HASH_EMPTY;
		/* The data must be whole AES blocks holding at least one hash. */
		return (len - SAM_HASH_AES_HDR) % 16 == 0 && len - SAM_HASH_AES_HDR >= 16 &&
		       (doff == 0 || doff == 16) ? SAM_HASH_AES : SAM_HASH_UNKNOWN;
	}
	if (len == 16)
		return SAM_HASH_BARE;
	return SAM_HASH_UNKNOWN;
}

/* Header entry ENTRY of V: absolute offset and length, range-checked. */
static int v_entry(const uint8_t *v, size_t len, unsigned entry, uint32_t *off, uint32_t *n,
		   struct rs_error *err)
{
	uint32_t rel = le32(v + entry), l = le32(v + entry + 4);
	if (!in_range(len, (uint64_t)SAM_V_HDR_LEN + rel, l))
		return rs_fail(err, RS_ETARGET, "user V value: entry at 0x%X (offset 0x%X, %u bytes) "
			       "lies outside its %zu bytes", entry, rel, l, len);
	*off = l ? SAM_V_HDR_LEN + rel : 0;
	*n = l;
	return RS_OK;
}

int sam_v_parse(const uint8_t *v, size_t len, struct sam_user_v *out, struct rs_error *err)
{
	struct sam_user_v u;
	uint32_t off, n;
	int rc;
	memset(&u, 0, sizeof(u));
	if (!v || len < SAM_V_HDR_LEN)
		return rs_fail(err, RS_ETARGET, "user V value is %zu bytes, shorter than its 0x%X-byte header",
			       len, SAM_V_HDR_LEN);
	if ((rc = v_entry(v, len, SAM_V_NAME, &off, &n, err)))
		return rc;
	u16_copy(v + off, n, u.name, sizeof(u.name));
	if ((rc = v_entry(v, len, SAM_V_FULLNAME, &off, &n, err)))
		return rc;
	u16_copy(v + off, n, u.fullname, sizeof(u.fullname));
	if ((rc = v_entry(v, len, SAM_V_LM, &u.lm_off, &u.lm_len, err)) ||
	    (rc = v_entry(v, len, SAM_V_NT, &u.nt_off, &u.nt_len, err)))
		return rc;
	u.lm_fmt = hash_fmt(v + u.lm_off, u.lm_len);
	u.nt_fmt = hash_fmt(v + u.nt_off, u.nt_len);
	*out = u;
	return RS_OK;
}

int sam_v_set_entry(const uint8_t *v, size_t len, unsigned entry, const uint8_t *data, size_t dlen,
		    uint8_t **out, size_t *outlen, struct rs_error *err)
{
	uint32_t off, n;
	int rc;
	if (!v || len < SAM_V_HDR_LEN || entry % SAM_V_ENTRY_SIZE || entry + SAM_V_ENTRY_SIZE > SAM_V_HDR_LEN)
		return rs_fail(err, RS_ETARGET, "user V value is %zu bytes, shorter than its header", len);
	if ((rc = v_entry(v, len, entry, &off, &n, err)))
		return rc;
	if (dlen > 0x10000)
		return rs_fail(err, RS_EUSAGE, "V entry of %zu bytes is too large", dlen);
	size_t newlen = len, at;
	if (dlen == 0 || dlen <= n) {
		at = off;                       /* fits: rewrite in place */
	} else {
		at = (len + 3) & ~(size_t)3;    /* append, keeping the 4-byte alignment seen in V */
		newlen = at + dlen;
	}
	uint8_t *nv = calloc(1, newlen);
	if (!nv)
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	memcpy(nv, v, len);
	if (dlen) {
		memcpy(nv + at, data, dlen);
		put32(nv + entry, (uint32_t)(at - SAM_V_HDR_LEN));
	}
	put32(nv + entry + 4, (uint32_t)dlen);
	*out = nv;
	*outlen = newlen;
	return RS_OK;
}

/* ---- domain key ---- */

/* The two constant strings of the RC4 key derivation (impacket getHBootKey,
 * chntpw), each with its terminating NUL, which is part of the hashed data. */
static const char sam_qwerty[] = "!@#$%^&*()qwertyUIOPAzxcvbnmQQQQQQQQQQQQ)(*@&%";
static const char sam_digits[] = "0123456789012345678901234567890123456789";

int sam_domain_rev(const uint8_t *domf, size_t len, enum sam_key_rev *out, struct rs_error *err)
{
	if (!domf || !in_range(len, SAM_DF_KEY, 4))
		return rs_fail(err, RS_ETARGET, "SAM domain F value is %zu bytes: no key block", len);
	uint32_t rev = le32(domf + SAM_DF_KEY);
	if (rev != SAM_KEY_RC4 && rev != SAM_KEY_AES)
		return rs_fail(err, RS_ETARGET, "SAM domain key revision %u is not known (1 = RC4, 2 = AES)", rev);
	*out = (enum sam_key_rev)rev;
	return RS_OK;
}

int sam_domain_key(const uint8_t *domf, size_t len, const uint8_t bootkey[16], struct sam_key *out,
		   struct rs_error *err)
{
	enum sam_key_rev rev;
	struct sam_key k = { 0 };
	int rc = sam_domain_rev(domf, len, &rev, err);
	if (rc)
		return rc;
	k.rev = rev;
	if (rev == SAM_KEY_RC4) {
		if (!in_range(len, 0, SAM_DF_RC4_END))
			return rs_fail(err, RS_ETARGET, "SAM domain F value is %zu bytes: RC4 key block cut short", len);
		uint8_t rc4key[MD5_DIGEST_SIZE], plain[32], sum[MD5_DIGEST_SIZE];
		struct md5_ctx md5;
		md5_init(&md5);
		md5_update(&md5, 16, domf + SAM_DF_RC4_SALT);
		md5_update(&md5, sizeof(sam_qwerty), (const uint8_t *)sam_qwerty);
		md5_update(&md5, 16, bootkey);
		md5_update(&md5, sizeof(sam_digits), (const uint8_t *)sam_digits);
		md5_digest(&md5, sizeof(rc4key), rc4key);
		struct arcfour_ctx rc4;
		arcfour_set_key(&rc4, sizeof(rc4key), rc4key);
		arcfour_crypt(&rc4, 32, plain, domf + SAM_DF_RC4_KEY);
		md5_init(&md5);
		md5_update(&md5, 16, plain);
		md5_update(&md5, sizeof(sam_digits), (const uint8_t *)sam_digits);
		md5_update(&md5, 16, plain);
		md5_update(&md5, sizeof(sam_qwerty), (const uint8_t *)sam_qwerty);
		md5_digest(&md5, sizeof(sum), sum);
		if (memcmp(sum, plain + 16, 16) != 0)
			return rs_fail(err, RS_ETARGET, "the boot key from SYSTEM does not open this SAM "
				       "(hashed boot key checksum fails: SYSTEM of another machine, or a syskey password)");
		memcpy(k.key, plain, 16);
	} else {
		if (!in_range(len, SAM_DF_AES_DATALEN, 4))
			return rs_fail(err, RS_ETARGET, "SAM domain F value is %zu bytes: AES key block cut short", len);
		uint32_t dlen = le32(domf + SAM_DF_AES_DATALEN);
		if (dlen < 32 || dlen % 16 || dlen > 256 || !in_range(len, SAM_DF_AES_DATA, dlen))
			return rs_fail(err, RS_ETARGET, "SAM domain F value: AES key data of %u bytes "
				       "does not fit its %zu bytes", dlen, len);
		uint8_t plain[256];
		struct CBC_CTX(struct aes128_ctx, AES_BLOCK_SIZE) cbc;
		aes128_set_decrypt_key(&cbc.ctx, bootkey);
		CBC_SET_IV(&cbc, domf + SAM_DF_AES_SALT);
		CBC_DECRYPT(&cbc, aes128_decrypt, dlen, plain, domf + SAM_DF_AES_DATA);
		/* The key is 16 bytes, so PKCS#7 padding fills the block after it
		 * with 0x10 (SOURCES.md: the check that told the real AES SAMs
		 * apart from every SYSTEM stored here). */
		for (unsigned i = 16; i < 32; i++)
			if (plain[i] != 0x10)
				return rs_fail(err, RS_ETARGET, "the boot key from SYSTEM does not open this SAM "
					       "(AES key padding is wrong: SYSTEM of another machine, or a syskey password)");
		memcpy(k.key, plain, 16);
	}
	*out = k;
	return RS_OK;
}

/* ---- hashes ---- */

int sam_nt_hash(const char *utf8, uint8_t out[16], struct rs_error *err)
{
	uint8_t *u16;
	size_t n;
	/* Strictly UTF-8: the WTF-8 surrogates names from a hive may carry are
	 * no way to type a password. */
	if (!utf8_valid(utf8) || utf8_to_utf16le(utf8, &u16, &n) != 0)
		return rs_fail(err, RS_EUSAGE, "the password is not valid UTF-8");
	if (n / 2 > SAM_PW_MAX) {
		free(u16);
		return rs_fail(err, RS_EUSAGE, "the password is longer than %d characters (Windows' limit)",
			       SAM_PW_MAX);
	}
	struct md4_ctx md4;
	md4_init(&md4);
	md4_update(&md4, n, u16);
	md4_digest(&md4, 16, out);
	free(u16);
	return RS_OK;
}

/* Two DES keys from the RID (MS-SAMR 2.2.11.1.3): 7 bytes each taken from
 * the RID's little-endian bytes in rotation, spread to 8 bytes of 7 bits. */
static void rid_des_keys(uint32_t rid, struct des_ctx *k1, struct des_ctx *k2)
{
	uint8_t r[4];
	put32(r, rid);
	for (int which = 0; which < 2; which++) {
		uint8_t s[7], k[8];
		for (int i = 0; i < 7; i++)
			s[i] = r[(i + (which ? 3 : 0)) % 4];
		k[0] = s[0] >> 1;
		for (int i = 1; i < 7; i++)
			k[i] = (uint8_t)(((s[i - 1] & ((1 << i) - 1)) << (7 - i)) | (s[i] >> (i + 1)));
		k[7] = s[6] & 0x7F;
		for (int i = 0; i < 8; i++)
			k[i] = (uint8_t)(k[i] << 1);
		/* nettle ignores parity; weak keys do not arise from these bytes
		 * in practice and are still set, so the result is not checked. */
		des_set_key(which ? k2 : k1, k);
	}
}

static void rc4_hash_key(const struct sam_key *k, uint32_t rid, bool nt, uint8_t key[MD5_DIGEST_SIZE])
{
	static const char ntpw[] = "NTPASSWORD", lmpw[] = "LMPASSWORD";   /* NUL included */
	uint8_t r[4];
	put32(r, rid);
	struct md5_ctx md5;
	md5_init(&md5);
	md5_update(&md5, 16, k->key);
	md5_update(&md5, 4, r);
	md5_update(&md5, sizeof(ntpw), (const uint8_t *)(nt ? ntpw : lmpw));
	md5_digest(&md5, MD5_DIGEST_SIZE, key);
}

int sam_hash_decrypt(const struct sam_key *k, uint32_t rid, bool nt, const uint8_t *ent, size_t entlen,
		     uint8_t out[16], struct rs_error *err)
{
	uint8_t obf[16];
	enum sam_hash_fmt f = hash_fmt(ent, (uint32_t)entlen);
	if (f == SAM_HASH_RC4 && k->rev == SAM_KEY_RC4) {
		uint8_t key[MD5_DIGEST_SIZE];
		struct arcfour_ctx rc4;
		rc4_hash_key(k, rid, nt, key);
		arcfour_set_key(&rc4, sizeof(key), key);
		arcfour_crypt(&rc4, 16, obf, ent + SAM_HASH_RC4_HDR);
	} else if (f == SAM_HASH_AES && k->rev == SAM_KEY_AES) {
		uint8_t plain[16];
		struct CBC_CTX(struct aes128_ctx, AES_BLOCK_SIZE) cbc;
		aes128_set_decrypt_key(&cbc.ctx, k->key);
		CBC_SET_IV(&cbc, ent + SAM_HASH_AES_SALT);
		CBC_DECRYPT(&cbc, aes128_decrypt, 16, plain, ent + SAM_HASH_AES_HDR);
		memcpy(obf, plain, 16);
	} else {
		return rs_fail(err, RS_ETARGET, "hash entry of %zu bytes (%s) cannot be decrypted with a %s key",
			       entlen, sam_hash_fmt_name(f), k->rev == SAM_KEY_RC4 ? "RC4" : "AES");
	}
	struct des_ctx d1, d2;
	rid_des_keys(rid, &d1, &d2);
	des_decrypt(&d1, 8, out, obf);
	des_decrypt(&d2, 8, out + 8, obf + 8);
	return RS_OK;
}

size_t sam_hash_encrypt(const struct sam_key *k, uint32_t rid, bool nt, const uint8_t hash[16],
			uint16_t pekid, const uint8_t salt[16], uint8_t out[SAM_HASH_AES_LEN])
{
	uint8_t obf[16];
	struct des_ctx d1, d2;
	rid_des_keys(rid, &d1, &d2);
	des_encrypt(&d1, 8, obf, hash);
	des_encrypt(&d2, 8, obf + 8, hash + 8);
	put16(out, pekid);
	put16(out + 2, (uint16_t)k->rev);
	if (k->rev == SAM_KEY_RC4) {
		uint8_t key[MD5_DIGEST_SIZE];
		struct arcfour_ctx rc4;
		rc4_hash_key(k, rid, nt, key);
		arcfour_set_key(&rc4, sizeof(key), key);
		arcfour_crypt(&rc4, 16, out + SAM_HASH_RC4_HDR, obf);
		return SAM_HASH_RC4_LEN;
	}
	uint8_t plain[32];
	memcpy(plain, obf, 16);
	memset(plain + 16, 0x10, 16);   /* PKCS#7: a whole block of padding after 16 bytes */
	put32(out + 4, 16);             /* data offset, as in every AES entry seen */
	memcpy(out + SAM_HASH_AES_SALT, salt, 16);
	struct CBC_CTX(struct aes128_ctx, AES_BLOCK_SIZE) cbc;
	aes128_set_encrypt_key(&cbc.ctx, k->key);
	CBC_SET_IV(&cbc, salt);
	CBC_ENCRYPT(&cbc, aes128_encrypt, 32, out + SAM_HASH_AES_HDR, plain);
	return SAM_HASH_AES_LEN;
}

/* ---- SIDs and alias C ---- */

/* MS-DTYP 2.4.2.2: revision 1, sub-authority count, 6-byte authority, then
 * count little-endian 32-bit sub-authorities. */
size_t sam_sid_len(const uint8_t *sid, size_t avail)
{
	if (avail < 8 || sid[0] != 1 || sid[1] > 15)
		return 0;
	size_t n = 8 + 4 * (size_t)sid[1];
	return n <= avail ? n : 0;
}

void sam_sid_string(const uint8_t *sid, size_t len, char *out, size_t outlen)
{
	size_t n = sam_sid_len(sid, len);
	if (!n) {
		snprintf(out, outlen, "(invalid SID)");
		return;
	}
	uint64_t auth = 0;
	for (int i = 2; i < 8; i++)
		auth = auth << 8 | sid[i];
	int o = snprintf(out, outlen, "S-1-%llu", (unsigned long long)auth);
	for (size_t i = 8; i < n && o > 0 && (size_t)o < outlen; i += 4)
		o += snprintf(out + o, outlen - (size_t)o, "-%u", le32(sid + i));
}

int sam_domain_sid(const uint8_t *accv, size_t len, uint8_t sid[SAM_DOMAIN_SID_LEN], struct rs_error *err)
{
	static const uint8_t prefix[12] = { 1, 4, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0 };  /* S-1-5-21 + 3 */
	if (!accv || len < SAM_DOMAIN_SID_LEN ||
	    memcmp(accv + len - SAM_DOMAIN_SID_LEN, prefix, sizeof(prefix)) != 0)
		return rs_fail(err, RS_ETARGET, "SAM Account V value (%zu bytes) does not end in the "
			       "machine SID S-1-5-21-...", len);
	memcpy(sid, accv + len - SAM_DOMAIN_SID_LEN, SAM_DOMAIN_SID_LEN);
	return RS_OK;
}

void sam_user_sid(const uint8_t domsid[SAM_DOMAIN_SID_LEN], uint32_t rid, uint8_t sid[SAM_USER_SID_LEN])
{
	memcpy(sid, domsid, SAM_DOMAIN_SID_LEN);
	sid[1] = 5;
	put32(sid + SAM_DOMAIN_SID_LEN, rid);
}

/* The member list of an alias C value: absolute start, length, count. */
static int c_members(const uint8_t *c, size_t len, size_t *start, uint32_t *mlen, uint32_t *count,
		     struct rs_error *err)
{
	if (!c || len < SAM_C_HDR_LEN)
		return rs_fail(err, RS_ETARGET, "alias C value is %zu bytes, shorter than its header", len);
	uint32_t off = le32(c + SAM_C_MEMBERS_OFF), l = le32(c + SAM_C_MEMBERS_LEN);
	*count = le32(c + SAM_C_MEMBERS_N);
	/* An empty list may point just past the end, by the padding that
	 * aligns it to 4 bytes (Power Users on XP), not further. */
	if (l ? !in_range(len, (uint64_t)SAM_C_HDR_LEN + off, l) : (uint64_t)SAM_C_HDR_LEN + off > len + 3)
		return rs_fail(err, RS_ETARGET, "alias C value: member list (0x%X, %u bytes) lies outside "
			       "its %zu bytes", off, l, len);
	*start = SAM_C_HDR_LEN + (size_t)off;
	*mlen = l;
	return RS_OK;
}

int sam_c_has_member(const uint8_t *c, size_t len, const uint8_t *sid, size_t sidlen, bool *out,
		     struct rs_error *err)
{
	size_t start;
	uint32_t mlen, count;
	int rc = c_members(c, len, &start, &mlen, &count, err);
	if (rc)
		return rc;
	bool found = false;
	size_t p = 0;
	for (uint32_t i = 0; i < count && p < mlen; i++) {
		size_t n = sam_sid_len(c + start + p, mlen - p);
		if (!n)
			return rs_fail(err, RS_ETARGET, "alias C value: member %u is not a SID", i);
		if (n == sidlen && memcmp(c + start + p, sid, n) == 0)
			found = true;
		p += n;
	}
	*out = found;
	return RS_OK;
}

int sam_c_add_member(const uint8_t *c, size_t len, const uint8_t *sid, size_t sidlen,
		     uint8_t **out, size_t *outlen, struct rs_error *err)
{
	size_t start;
	uint32_t mlen, count;
	int rc = c_members(c, len, &start, &mlen, &count, err);
	if (rc)
		return rc;
	if (sam_sid_len(sid, sidlen) != sidlen)
		return rs_fail(err, RS_EUSAGE, "not a SID");
	size_t end = start + mlen;
	/* Growing the list in place is only safe when nothing follows it;
	 * a C value laid out otherwise is refused rather than guessed at. */
	if (end + 3 < len)
		return rs_fail(err, RS_ETARGET, "alias C value: %zu bytes follow the member list; "
			       "layout not known, not changed", len - end);
	size_t newlen = end + sidlen;
	uint8_t *nc = calloc(1, newlen);
	if (!nc)
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	memcpy(nc, c, end < len ? end : len);
	memcpy(nc + end, sid, sidlen);
	put32(nc + SAM_C_MEMBERS_LEN, mlen + (uint32_t)sidlen);
	put32(nc + SAM_C_MEMBERS_N, count + 1);
	*out = nc;
	*outlen = newlen;
	return RS_OK;
}

/* ---- boot key ---- */

const char *const sam_bootkey_keys[4] = { "JD", "Skew1", "GBG", "Data" };

int sam_bootkey_from_classes(const char *const cls[4], uint8_t out[16], struct rs_error *err)
{
	/* The permutation of the 16 scrambled bytes (chntpw, impacket getBootKey). */
	static const uint8_t perm[16] = { 8, 5, 4, 2, 11, 9, 13, 3, 0, 6, 1, 12, 14, 10, 15, 7 };
	uint8_t raw[16];
	for (int i = 0; i < 4; i++) {
		if (!cls[i] || strlen(cls[i]) != 8)
			return rs_fail(err, RS_ETARGET, "SYSTEM Lsa\\%s: class name is not 8 hex digits",
				       sam_bootkey_keys[i]);
		for (int j = 0; j < 4; j++) {
			unsigned b;
			char hex[3] = { cls[i][2 * j], cls[i][2 * j + 1], 0 };
			char *end;
			b = (unsigned)strtoul(hex, &end, 16);
			if (*end || !hex[0] || !hex[1] || hex[0] == '-' || hex[0] == '+' || hex[0] == ' ')
				return rs_fail(err, RS_ETARGET, "SYSTEM Lsa\\%s: class name '%s' is not hex",
					       sam_bootkey_keys[i], cls[i]);
			raw[4 * i + j] = (uint8_t)b;
		}
	}
	for (int i = 0; i < 16; i++)
		out[i] = raw[perm[i]];
	return RS_OK;
}

/* nk record (regf format, public descriptions; offsets from the cell start,
 * which is what a libhivex node handle points at): cell size i32, then "nk". */
#define NK_SIG        0x04
#define NK_CLASS_OFF  0x34   /* u32 class-name cell, relative to the first hive bin; ~0 = none */
#define NK_CLASS_LEN  0x4E   /* u16 class-name length in bytes */
#define NK_MIN_LEN    0x50
#define REGF_BINS     0x1000 /* hive bins start after the 4 KiB base block */

int regf_nk_class(const uint8_t *hive, size_t len, uint64_t node, char *out, size_t outlen,
		  struct rs_error *err)
{
	if (!in_range(len, node, NK_MIN_LEN) || memcmp(hive + node + NK_SIG, "nk", 2) != 0)
		return rs_fail(err, RS_ETARGET, "key record at 0x%llx is not an nk record",
			       (unsigned long long)node);
	uint32_t coff = le32(hive + node + NK_CLASS_OFF);
	uint16_t clen = le16(hive + node + NK_CLASS_LEN);
	if (coff == 0xFFFFFFFFu || clen == 0)
		return rs_fail(err, RS_ETARGET, "key at 0x%llx has no class name", (unsigned long long)node);
	/* The class cell: i32 size, then the UTF-16LE name. */
	if (!in_range(len, (uint64_t)REGF_BINS + coff + 4, clen))
		return rs_fail(err, RS_ETARGET, "class name of key at 0x%llx lies outside the hive",
			       (unsigned long long)node);
	u16_copy(hive + REGF_BINS + coff + 4, clen, out, outlen);
	return RS_OK;
}
