/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mkbitlocker - TEST ONLY: turn a plain NTFS partition image into a BitLocker
 * volume of the same size, the way Windows 7 and later lay one out, so the
 * tests have BitLocker volumes without Windows.  Written from the published
 * descriptions of the format (libbde's format document, dislocker's and
 * cryptsetup's BITLK notes); trusted only because readers we did not write
 * (dislocker, libbde, cryptsetup) open what it makes (tests/e2e/t2070).
 *
 *   mkbitlocker [--cipher xts-128|cbc-128|cbc-128-diffuser] [--clear-key] [--tpm-only]
 *               [--seed TEXT] [--password 48-DIGITS] [--txt DIR] IN.img OUT.img
 *
 * Prints "KEY-ID,RECOVERY-PASSWORD": the recovery password protector's key
 * ID, whose first 8 digits Windows shows on its recovery screen.  With
 * --tpm-only, "KEY-ID," (the TPM protector's ID, no password): the volume
 * has a TPM protector and no recovery password, so only that machine's TPM
 * opens it.  Everything random (keys, salt, GUIDs, the password when
 * none is given) comes from SHA-256 of the seed, so a build is reproducible.
 * --txt DIR also writes "BitLocker Recovery Key KEY-ID.TXT" there, UTF-16LE
 * as Windows saves it.
 *
 * Ciphers: xts-128 is AES-XTS-128 (method 0x8004, Windows 10/11); cbc-128 is
 * AES-CBC-128 without a diffuser (0x8002); cbc-128-diffuser is AES-CBC-128
 * with the Elephant diffuser (0x8000, Windows 7's default).
 * --clear-key adds a VMK protected by a key stored in the clear beside it, as
 * Windows does when protection is suspended: the volume opens with no secret.
 * --tpm-only writes a TPM protector instead of the recovery password one: a
 * VMK entry of protection type TPM whose key is a TPM-sealed blob (a
 * property of value type "TPM encoded key"), here opaque random bytes: no
 * TPM and no reader can open it, which is the point (the volume a
 * technician meets without its recovery key).
 *
 * Layout (offsets relative to the volume start, 512-byte sectors):
 *   sector 0          the BitLocker volume header ("-FVE-FS-", the BitLocker
 *                     GUID at 160, the three metadata block offsets at 176)
 *   3 x 64 KiB        FVE metadata blocks, identical, in plain text
 *   8 KiB             the first 16 NTFS sectors, encrypted here ("volume
 *                     header block"); readers show them at sector 0
 *   everything else   the NTFS sector at the same place, encrypted with the
 *                     FVEK (XTS tweak: the sector number; CBC IV: AES-ECB of
 *                     the byte offset, after the diffuser when there is one)
 * Readers show the metadata blocks and the relocated sectors as zeros, so the
 * builder puts them where the input holds only zeros (free clusters) and
 * refuses an input without enough of them: the decrypted volume is then
 * byte-identical to the input. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/ccm.h>
#include <nettle/sha2.h>
#include <nettle/xts.h>
#include <zlib.h>          /* crc32 */

#define SECTOR        512u
#define META_REGION   65536u        /* what readers blank for each metadata block */
#define HEADER_SECTORS 16u          /* NTFS sectors relocated, 8 KiB */
#define STRETCH_ROUNDS 0x100000u

/* Encryption methods (metadata header, key entries). */
enum {
	M_STRETCH = 0x1000, M_CCM_256 = 0x2000,
	M_CBC_128_DIFFUSER = 0x8000, M_CBC_128 = 0x8002, M_XTS_128 = 0x8004,
};
/* Entry types and value types of FVE metadata entries. */
enum { E_PROPERTY = 0x0000, E_VMK = 0x0002, E_FVEK = 0x0003, E_DESCRIPTION = 0x0007, E_VOLUME_HEADER = 0x000f };
enum { V_KEY = 1, V_STRING = 2, V_STRETCH = 3, V_CCM = 5, V_TPM_KEY = 6, V_VMK = 8, V_OFFSET_SIZE = 0x000f };
/* VMK protection types. */
enum { P_CLEAR = 0x0000, P_TPM = 0x0100, P_RECOVERY = 0x0800 };
#define TPM_BLOB 0x130u             /* the sealed key's size: about what a TPM 2.0 blob takes */

/* The GUID at offset 160 of a BitLocker (not To Go) volume header,
 * 4967d63b-2e29-4ad8-8399-f6a339e3d001, in its on-disk byte order. */
static const uint8_t bitlocker_guid[16] = {
	0x3b, 0xd6, 0x67, 0x49, 0x29, 0x2e, 0xd8, 0x4a, 0x83, 0x99, 0xf6, 0xa3, 0x39, 0xe3, 0xd0, 0x01 };

/* A fixed FILETIME (2026-11-02 09:30 UTC) for every timestamp: reproducible. */
#define FIXED_FILETIME 134380854000000000ull

static void die(const char *what)
{
	fprintf(stderr, "mkbitlocker: %s\n", what);
	exit(1);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v); put32(p + 4, v >> 32); }

/* Deterministic bytes: SHA-256(seed || counter), block after block. */
static const char *seed = "rescue";
static uint32_t seed_counter;
static void random_bytes(uint8_t *out, size_t n)
{
	while (n) {
		struct sha256_ctx h;
		uint8_t c[4], d[SHA256_DIGEST_SIZE];
		put32(c, seed_counter++);
		sha256_init(&h);
		sha256_update(&h, strlen(seed), (const uint8_t *)seed);
		sha256_update(&h, 4, c);
		sha256_digest(&h, sizeof d, d);
		size_t k = n < sizeof d ? n : sizeof d;
		memcpy(out, d, k);
		out += k; n -= k;
	}
}

/* A random GUID (version 4), on-disk order; its text as Windows prints it. */
static void new_guid(uint8_t g[16])
{
	random_bytes(g, 16);
	g[7] = (g[7] & 0x0f) | 0x40;
	g[8] = (g[8] & 0x3f) | 0x80;
}
static void guid_text(const uint8_t g[16], char out[37])
{
	snprintf(out, 37, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6],
		 g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* The recovery password: 8 groups of 6 digits, each group 11 times a 16-bit
 * word; the 8 words, little-endian, are the 128-bit recovery key. */
static int password_key(const char *pw, uint8_t key[16])
{
	if (strlen(pw) != 55)
		return -1;
	for (int i = 0; i < 8; i++) {
		const char *g = pw + i * 7;
		unsigned long v = 0;
		for (int j = 0; j < 6; j++) {
			if (g[j] < '0' || g[j] > '9')
				return -1;
			v = v * 10 + (unsigned long)(g[j] - '0');
		}
		if (i < 7 && g[6] != '-')
			return -1;
		if (v % 11 || v / 11 > 0xffff)
			return -1;
		put16(key + 2 * i, (uint16_t)(v / 11));
	}
	return 0;
}
static void new_password(char out[56])
{
	uint8_t w[16];
	random_bytes(w, sizeof w);
	for (int i = 0; i < 8; i++)
		snprintf(out + i * 7, 8, "%06u%s", (unsigned)(w[2 * i] | w[2 * i + 1] << 8) * 11, i < 7 ? "-" : "");
}

/* The key that unlocks a recovery-password VMK: SHA-256 chained over
 * { last hash[32], SHA-256(recovery key)[32], salt[16], count (u64 LE) },
 * 0x100000 times, the count going up by one each time. */
static void stretch(const uint8_t rkey[16], const uint8_t salt[16], uint8_t out[32])
{
	uint8_t s[88] = { 0 };
	struct sha256_ctx h;
	sha256_init(&h);
	sha256_update(&h, 16, rkey);
	sha256_digest(&h, 32, s + 32);
	memcpy(s + 64, salt, 16);
	for (uint64_t i = 0; i < STRETCH_ROUNDS; i++) {
		put64(s + 80, i);
		sha256_update(&h, sizeof s, s);
		sha256_digest(&h, 32, s);
	}
	memcpy(out, s, 32);
}

/* The metadata: a growing byte buffer of entries (size, type, value type,
 * version 1, data).  An entry is opened, filled, then closed to set its size,
 * so a VMK can hold nested property entries. */
static uint8_t meta[8192];
static size_t meta_len;
static uint32_t nonce_counter;

static size_t entry_open(uint16_t type, uint16_t value)
{
	size_t at = meta_len;
	if (meta_len + 8 > sizeof meta)
		die("metadata too large");
	put16(meta + at + 2, type);
	put16(meta + at + 4, value);
	put16(meta + at + 6, 1);
	meta_len += 8;
	return at;
}
static void entry_add(const void *data, size_t n)
{
	if (meta_len + n > sizeof meta)
		die("metadata too large");
	memcpy(meta + meta_len, data, n);
	meta_len += n;
}
static void entry_close(size_t at) { put16(meta + at, (uint16_t)(meta_len - at)); }

/* A key entry (value type 1): method, key bytes; into BUF (for wrapping). */
static size_t key_entry(uint8_t *buf, uint32_t method, const uint8_t *key, size_t n)
{
	put16(buf, (uint16_t)(12 + n));
	put16(buf + 2, E_PROPERTY);
	put16(buf + 4, V_KEY);
	put16(buf + 6, 1);
	put32(buf + 8, method);
	memcpy(buf + 12, key, n);
	return 12 + n;
}

/* An AES-CCM encrypted key entry (value type 5) of type TYPE: the key entry
 * for KEY sealed with the 256-bit WRAP key.  Nonce: a FILETIME and a counter
 * (12 bytes); stored as nonce, the 16-byte MAC, then the ciphertext. */
static void ccm_entry(uint16_t type, const uint8_t wrap[32], uint32_t method, const uint8_t *key, size_t n)
{
	uint8_t plain[64 + 12], sealed[sizeof plain + 16], nonce[12];
	size_t len = key_entry(plain, method, key, n);
	struct ccm_aes256_ctx ctx;

	put64(nonce, FIXED_FILETIME);
	put32(nonce + 8, nonce_counter++);
	ccm_aes256_set_key(&ctx, wrap);
	ccm_aes256_encrypt_message(&ctx, sizeof nonce, nonce, 0, NULL, 16, len + 16, sealed, plain);
	size_t at = entry_open(type, V_CCM);
	entry_add(nonce, sizeof nonce);
	entry_add(sealed + len, 16);    /* nettle puts the tag last, BitLocker first */
	entry_add(sealed, len);
	entry_close(at);
}

/* A VMK entry (value type 8): key ID, time, protection; properties follow. */
static size_t vmk_open(const uint8_t id[16], uint16_t protection)
{
	uint8_t v[28] = { 0 };
	memcpy(v, id, 16);
	put64(v + 16, FIXED_FILETIME);
	put16(v + 26, protection);
	size_t at = entry_open(E_VMK, V_VMK);
	entry_add(v, sizeof v);
	return at;
}

static void utf16_entry(uint16_t type, const char *ascii)
{
	size_t at = entry_open(type, V_STRING);
	for (const char *c = ascii;; c++) {
		uint8_t u[2] = { (uint8_t)*c, 0 };
		entry_add(u, 2);
		if (!*c)
			break;
	}
	entry_close(at);
}


/* The ciphers: name, method, the FVEK's key data (the diffuser's holds the
 * AES key at 0 and the sector-key ("tweak") key at 32, 16 bytes each). */
static const struct cipher { const char *name; uint32_t method; size_t key_len; } ciphers[] = {
	{ "xts-128", M_XTS_128, 32 },
	{ "cbc-128", M_CBC_128, 16 },
	{ "cbc-128-diffuser", M_CBC_128_DIFFUSER, 64 },
};

struct fvek {
	uint32_t method;
	struct xts_aes128_key x;
	struct aes128_ctx a, tweak;
};

/* The Elephant diffuser (Ferguson, "AES-CBC + Elephant diffuser", 2006) on
 * the 128 little-endian words of a sector, in the encrypting direction: the
 * inverse of decryption's d[i] += d[i-2] ^ rotl(d[i-5], R[i % 4]) (A, 5
 * cycles) and d[i] += d[i+2] ^ rotl(d[i+5], R[i % 4]) (B, 3 cycles),
 * indices modulo 128: the same steps undone in reverse order. */
static uint32_t rotl(uint32_t v, unsigned r) { return r ? v << r | v >> (32 - r) : v; }
static void diffuse(uint32_t *d, int b)
{
	static const unsigned ra[4] = { 9, 0, 13, 0 }, rb[4] = { 0, 10, 0, 25 };
	const int n = SECTOR / 4, step = b ? 2 : n - 2, far = b ? 5 : n - 5;
	for (int c = 0; c < (b ? 3 : 5); c++)
		for (int i = n - 1; i >= 0; i--)
			d[i] -= d[(i + step) % n] ^ rotl(d[(i + far) % n], (b ? rb : ra)[i % 4]);
}

/* Sector encryption with the FVEK at byte offset OFF of the volume. */
static void encrypt_sector(const struct fvek *k, uint64_t off, uint8_t *dst, const uint8_t *src)
{
	uint8_t iv[16] = { 0 };
	if (k->method == M_XTS_128) {
		put64(iv, off / SECTOR);
		xts_aes128_encrypt_message((struct xts_aes128_key *)&k->x, iv, SECTOR, dst, src);
		return;
	}
	memcpy(dst, src, SECTOR);
	if (k->method == M_CBC_128_DIFFUSER) {
		/* XOR with the sector key: the offset, then the offset with its
		 * top byte 0x80, each AES-encrypted with the tweak key. */
		uint8_t sk[32] = { 0 };
		uint32_t d[SECTOR / 4];
		put64(sk, off);
		put64(sk + 16, off);
		sk[31] = 0x80;
		aes128_encrypt(&k->tweak, 32, sk, sk);
		for (unsigned i = 0; i < SECTOR; i++)
			dst[i] ^= sk[i % 32];
		for (unsigned i = 0; i < SECTOR / 4; i++)
			d[i] = (uint32_t)dst[4 * i] | (uint32_t)dst[4 * i + 1] << 8 |
			       (uint32_t)dst[4 * i + 2] << 16 | (uint32_t)dst[4 * i + 3] << 24;
		diffuse(d, 0);
		diffuse(d, 1);
		for (unsigned i = 0; i < SECTOR / 4; i++)
			put32(dst + 4 * i, d[i]);
	}
	put64(iv, off);
	aes128_encrypt(&k->a, 16, iv, iv);
	cbc_encrypt(&k->a, (nettle_cipher_func *)aes128_encrypt, 16, iv, SECTOR, dst, dst);
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* An all-zero, 64 KiB-aligned region of the input at or after FROM that is
 * not one of the TAKEN ones (wrapping around once); 0 if there is none. */
static uint64_t zero_region(const uint8_t *in, uint64_t size, uint64_t from, const uint64_t *taken, int ntaken)
{
	uint64_t n = size / META_REGION;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t r = ((from / META_REGION + i) % n) * META_REGION;
		int used = r == 0;
		for (int t = 0; t < ntaken; t++)
			used |= taken[t] == r;
		if (!used && all_zero(in + r, META_REGION))
			return r;
	}
	return 0;
}

static void write_txt(const char *dir, const char *id, const char *pw)
{
	char path[4096], text[2048];
	snprintf(path, sizeof path, "%s/BitLocker Recovery Key %s.TXT", dir, id);
	snprintf(text, sizeof text,
		 "BitLocker Drive Encryption recovery key\r\n\r\n"
		 "Compare the identifier below with the one your PC shows to be sure this is the right key.\r\n\r\n"
		 "Identifier:\r\n\r\n\t%s\r\n\r\n"
		 "If they match, unlock the drive with this key.\r\n\r\n"
		 "Recovery Key:\r\n\r\n\t%s\r\n\r\n"
		 "If they do not match, this key is not the one for this drive.\r\n", id, pw);
	FILE *f = fopen(path, "wb");
	if (!f)
		die("cannot write the recovery key file");
	fputc(0xff, f);                 /* byte order mark, as Notepad writes */
	fputc(0xfe, f);
	for (const char *c = text; *c; c++) {
		fputc(*c, f);
		fputc(0, f);
	}
	if (fclose(f))
		die("cannot write the recovery key file");
}

/* Read (or write) SIZE bytes at offset 0 of FD, all of them: 0, or -1. */
static int whole_io(int fd, uint8_t *buf, uint64_t size, int write)
{
	for (uint64_t done = 0; done < size;) {
		ssize_t n = write ? pwrite(fd, buf + done, size - done, (off_t)done)
				  : pread(fd, buf + done, size - done, (off_t)done);
		if (n <= 0)
			return -1;
		done += (uint64_t)n;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: mkbitlocker [--cipher xts-128|cbc-128|cbc-128-diffuser] [--clear-key] [--tpm-only] "
			"[--seed TEXT] [--password 48-DIGITS] [--txt DIR] IN.img OUT.img\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cipher = "xts-128", *txt = NULL, *in_path, *out_path;
	char pw[56] = "";
	int clear_key = 0, tpm_only = 0;

	int a = 1;
	for (; a < argc && !strncmp(argv[a], "--", 2); a++) {
		if (!strcmp(argv[a], "--clear-key"))
			clear_key = 1;
		else if (!strcmp(argv[a], "--tpm-only"))
			tpm_only = 1;
		else if (a + 1 < argc && !strcmp(argv[a], "--cipher"))
			cipher = argv[++a];
		else if (a + 1 < argc && !strcmp(argv[a], "--seed"))
			seed = argv[++a];
		else if (a + 1 < argc && !strcmp(argv[a], "--txt"))
			txt = argv[++a];
		else if (a + 1 < argc && !strcmp(argv[a], "--password"))
			snprintf(pw, sizeof pw, "%s", argv[++a]);
		else
			usage();
	}
	if (argc - a != 2)
		usage();
	in_path = argv[a];
	out_path = argv[a + 1];
	const struct cipher *cp = NULL;
	for (size_t i = 0; i < sizeof ciphers / sizeof ciphers[0]; i++)
		if (!strcmp(cipher, ciphers[i].name))
			cp = &ciphers[i];
	if (!cp || (tpm_only && (txt || *pw)))
		usage();           /* a TPM-only volume has no recovery password to give or save */

	/* The secrets, all from the seed. */
	uint8_t rkey[16], salt[16], vmk[32], fvek_bytes[64] = { 0 }, clear[32], stretched[32];
	uint8_t key_id[16], clear_id[16], volume_id[16];
	if (!*pw)
		new_password(pw);
	if (password_key(pw, rkey))
		die("the recovery password is not 8 groups of 6 digits, each divisible by 11 and below 720896");
	random_bytes(salt, 16);
	random_bytes(vmk, 32);
	random_bytes(fvek_bytes, 32);
	if (cp->method == M_CBC_128_DIFFUSER) {         /* AES key, 16 empty, tweak key, 16 empty */
		memcpy(fvek_bytes + 32, fvek_bytes + 16, 16);
		memset(fvek_bytes + 16, 0, 16);
	}
	random_bytes(clear, 32);
	new_guid(key_id);
	new_guid(clear_id);
	new_guid(volume_id);
	random_bytes((uint8_t *)&nonce_counter, 2);     /* any start; counts up */
	stretch(rkey, salt, stretched);

	/* The input, whole: a test partition of a few hundred MiB at most. */
	int fd = open(in_path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st))
		die("cannot open the input image");
	uint64_t size = (uint64_t)st.st_size;
	if (size % SECTOR || size < 16 * META_REGION)
		die("the input is not a whole number of sectors of at least 1 MiB");
	uint8_t *in = malloc(size);
	if (!in)
		die("out of memory");
	if (whole_io(fd, in, size, 0))
		die("cannot read the input image");
	close(fd);
	if (memcmp(in + 3, "NTFS    ", 8))
		die("the input is not an NTFS volume");

	/* Where the blocks go.  NTFS does not know of them (readers blank them
	 * and drop writes to them), so on a disk-sized volume, which rescue
	 * writes into in the tests, they are the last zero regions, where
	 * ntfs-3g does not allocate (its data zone starts mid-volume: a hive
	 * rewritten there lost clusters); on a small one (the unit tests' damage
	 * rounds, which copy a block of up to 1 MiB over the next) zero regions
	 * near 1/4, 2/4, 3/4, the relocated NTFS sectors near 1/8. */
	uint64_t at[4];
	uint64_t want[4] = { size / 4, size / 2, size / 4 * 3, size / 8 };
	if (size >= 64u << 20) {
		for (int i = 0; i < 4; i++)
			want[i] = size - (uint64_t)(8 - 2 * i) * META_REGION;
	}
	for (int i = 0; i < 4; i++)
		if (!(at[i] = zero_region(in, size, want[i], at, i)))
			die("the input has too few free (all-zero) 64 KiB regions for the metadata");
	uint64_t header_at = at[3];

	/* The metadata entries, in the order Windows writes them. */
	size_t e;
	if (tpm_only) {
		/* The VMK sealed by a TPM: opaque to everyone but that TPM. */
		e = vmk_open(key_id, P_TPM);
		uint8_t blob[4 + TPM_BLOB] = { 0 };
		random_bytes(blob + 4, TPM_BLOB);
		size_t s = entry_open(E_PROPERTY, V_TPM_KEY);
		entry_add(blob, sizeof blob);
		entry_close(s);
	} else {
		e = vmk_open(key_id, P_RECOVERY);
		uint8_t sk[20];
		put32(sk, M_STRETCH);
		memcpy(sk + 4, salt, 16);
		size_t s = entry_open(E_PROPERTY, V_STRETCH);
		entry_add(sk, sizeof sk);
		entry_close(s);
		ccm_entry(E_PROPERTY, stretched, M_CCM_256, vmk, 32);
	}
	entry_close(e);
	if (clear_key) {
		e = vmk_open(clear_id, P_CLEAR);
		uint8_t kb[44];
		size_t n = key_entry(kb, M_CCM_256, clear, 32);
		entry_add(kb, n);
		ccm_entry(E_PROPERTY, clear, M_CCM_256, vmk, 32);
		entry_close(e);
	}
	uint32_t method = cp->method;
	ccm_entry(E_FVEK, vmk, method, fvek_bytes, cp->key_len);
	{
		uint8_t hb[16];
		put64(hb, header_at);
		put64(hb + 8, HEADER_SECTORS * SECTOR);
		size_t s = entry_open(E_VOLUME_HEADER, V_OFFSET_SIZE);
		entry_add(hb, sizeof hb);
		entry_close(s);
	}
	utf16_entry(E_DESCRIPTION, "RESCUE-TEST C: 11/2/2026");

	/* One metadata block: block header (64), metadata header (48), the
	 * entries, padded to 16 bytes; then the validation (size 8, version 2,
	 * CRC-32 of the block).  Windows follows the validation with a
	 * VMK-sealed SHA-256 of the block; readers check only the CRC. */
	static uint8_t block[META_REGION];
	size_t body = (64 + 48 + meta_len + 15) / 16 * 16;
	if (body + 8 > sizeof block)
		die("metadata too large");
	memcpy(block, "-FVE-FS-", 8);
	put16(block + 8, (uint16_t)(body / 16));
	put16(block + 10, 2);                   /* version: Windows 7 and later */
	put16(block + 12, 4);                   /* state: encrypted */
	put16(block + 14, 4);                   /* next state: encrypted */
	put64(block + 16, size);                /* bytes encrypted: all */
	put32(block + 28, HEADER_SECTORS);
	for (int i = 0; i < 3; i++)
		put64(block + 32 + 8 * i, at[i]);
	put64(block + 56, header_at);
	put32(block + 64, (uint32_t)(48 + meta_len));
	put32(block + 68, 1);
	put32(block + 72, 48);
	put32(block + 76, (uint32_t)(48 + meta_len));
	memcpy(block + 80, volume_id, 16);
	put32(block + 96, nonce_counter);
	put32(block + 100, method);
	put64(block + 104, FIXED_FILETIME);
	memcpy(block + 112, meta, meta_len);
	put16(block + body, 8);
	put16(block + body + 2, 2);
	put32(block + body + 4, (uint32_t)crc32(0, block, (uInt)body));

	/* The BitLocker volume header, in place of the NTFS boot sector. */
	uint8_t vh[SECTOR] = { 0 };
	memcpy(vh, "\xeb\x58\x90-FVE-FS-", 11);
	put16(vh + 11, SECTOR);
	vh[13] = in[13];                        /* sectors per cluster, as NTFS */
	vh[21] = 0xf8;                          /* media: fixed disk */
	put16(vh + 24, 63);
	put16(vh + 26, 255);
	memcpy(vh + 28, in + 28, 4);            /* hidden sectors: the partition start */
	vh[64] = 0x80;
	vh[66] = 0x29;
	memcpy(vh + 67, in + 72, 4);            /* serial number: the NTFS one's low half */
	memcpy(vh + 71, "NO NAME    FAT32   ", 19);
	memcpy(vh + 160, bitlocker_guid, 16);
	for (int i = 0; i < 3; i++)
		put64(vh + 176 + 8 * i, at[i]);
	vh[510] = 0x55;
	vh[511] = 0xaa;

	/* The FVEK: XTS-128 takes 32 bytes (data key, tweak key), CBC the first 16. */
	struct fvek k = { .method = method };
	xts_aes128_set_encrypt_key(&k.x, fvek_bytes);
	aes128_set_encrypt_key(&k.a, fvek_bytes);
	aes128_set_encrypt_key(&k.tweak, fvek_bytes + 32);

	/* The output, sector by sector, into the same buffer. */
	uint8_t *out = in;
	uint8_t moved[HEADER_SECTORS * SECTOR];
	memcpy(moved, in, sizeof moved);
	for (uint64_t off = 0; off < size; off += SECTOR)
		encrypt_sector(&k, off, out + off, in + off);
	for (unsigned i = 0; i < HEADER_SECTORS; i++)
		encrypt_sector(&k, header_at + i * SECTOR, out + header_at + i * SECTOR, moved + i * SECTOR);
	memset(out, 0, HEADER_SECTORS * SECTOR);
	memcpy(out, vh, sizeof vh);
	for (int i = 0; i < 3; i++)
		memcpy(out + at[i], block, META_REGION);

	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("cannot create the output image");
	if (whole_io(fd, out, size, 1) | close(fd))
		die("cannot write the output image");
	free(in);

	char id[37];
	guid_text(key_id, id);
	if (txt)
		write_txt(txt, id, pw);
	printf("%s,%s\n", id, tpm_only ? "" : pw);
	return 0;
}
