/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The BitLocker metadata reader (rescue/disk/bitlocker.c) on volumes built by
 * tests/tools/mkbitlocker (which dislocker, libbde and cryptsetup read the
 * same way, t2070): the protector types, the key ID the builder printed, the
 * cipher, "suspended"; then the same volumes damaged (truncated, offsets
 * past the end, bad sizes, a broken block, random bytes with a good
 * checksum): a clear one-line error or a good read, never a crash (ASan).
 * And the recovery password check, with the group at fault. */
#define _GNU_SOURCE
#include "rescue/disk/bitlocker.h"
#include "tests/unit/check.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>          /* crc32: the block checksum, computed by code we did not write */

#define MKBL "build/tools/mkbitlocker"
#define PW   "682924-358930-378565-118635-547613-363407-460097-590931"

static char dir[] = "/tmp/rescue-test-bitlocker.XXXXXX";

/* Build a BitLocker volume from DIR/ntfs.img into DIR/NAME with OPTS; its
 * key ID into ID.  0 when done. */
static int build(const char *name, const char *opts, char id[BL_GUID_TEXT])
{
	char cmd[1024], line[256];
	snprintf(cmd, sizeof(cmd), MKBL " %s --seed %s %s/ntfs.img %s/%s", opts, name, dir, dir, name);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	int ok = fgets(line, sizeof(line), p) != NULL;
	if (pclose(p) != 0 || !ok || strlen(line) < 36)
		return -1;
	snprintf(id, BL_GUID_TEXT, "%.36s", line);
	return 0;
}

/* The whole file DIR/NAME in a malloc'd buffer, its length in *LEN. */
static uint8_t *load(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	uint8_t *b = malloc((size_t)st.st_size);
	if (b && pread(fd, b, (size_t)st.st_size, 0) != st.st_size) {
		free(b);
		b = NULL;
	}
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static uint64_t le64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = v << 8 | p[i]; return v; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }

/* Read VOL (LEN bytes) through a memory file at offset 0, claiming SIZE. */
static int read_vol(const uint8_t *vol, size_t len, uint64_t size, struct bl_info *info, struct rs_error *err)
{
	int fd = memfd_create("bitlocker", 0);
	if (fd < 0 || pwrite(fd, vol, len, 0) != (ssize_t)len)
		return -1;
	rs_error_clear(err);
	int rc = bl_read(fd, 0, size, info, err);
	close(fd);
	return rc;
}

/* The three block offsets of a volume we built, and a block's length. */
static uint64_t block_at(const uint8_t *vol, int i) { return le64(vol + 176 + 8 * i); }
static size_t block_len(const uint8_t *vol) { uint64_t b = block_at(vol, 0); return (size_t)(vol[b + 8] | vol[b + 9] << 8) * 16; }

/* Give every block the bytes of block 1 with a fresh checksum: damage that
 * the checksum does not catch, so the entry checks are what is tested. */
static void reseal(uint8_t *vol)
{
	size_t n = block_len(vol);
	uint8_t *b1 = vol + block_at(vol, 0);
	put32(b1 + n + 4, (uint32_t)crc32(0, b1, (uInt)n));
	for (int i = 1; i < 3; i++)
		memcpy(vol + block_at(vol, i), b1, n + 8);
}

/* Expect a refusal whose message holds WHAT. */
#define CHECK_REFUSED(vol, len, size, what) do { \
	struct bl_info i_; struct rs_error e_; \
	CHECK_INT(read_vol(vol, len, size, &i_, &e_), RS_ETARGET); \
	if (!strstr(e_.msg, what)) printf("#   want \"%s\", got: %s\n", what, e_.msg); \
	CHECK(strstr(e_.msg, what) != NULL); \
	CHECK_INT(i_.nprotectors, 0); \
} while (0)

/* What cryptsetup (a reader we did not write) says of the volume at PATH:
 * its key protectors in order, each "ID TYPE" with the ID in upper case and
 * TYPE the BL_PROT_ value its words stand for; -1 without cryptsetup. */
static int cryptsetup_protectors(const char *path, struct bl_protector *out, int max)
{
	static const struct { const char *words; uint16_t type; } kinds[] = {
		{ "recovery passphrase", BL_PROT_RECOVERY_PASSWORD }, { "clear key", BL_PROT_CLEAR_KEY },
		{ "TPM and PIN", BL_PROT_TPM_PIN }, { "TPM", BL_PROT_TPM }, { "startup key", BL_PROT_STARTUP_KEY },
		{ "passphrase", BL_PROT_PASSWORD },
	};
	char cmd[600], line[256];
	snprintf(cmd, sizeof(cmd), "cryptsetup bitlkDump '%s' 2>/dev/null", path);
	if (system("command -v cryptsetup >/dev/null 2>&1") != 0)
		return -1;
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	int n = 0, in_slots = 0;
	while (fgets(line, sizeof(line), p)) {
		char *v;
		if (!strncmp(line, "Keyslots:", 9))
			in_slots = 1;
		else if (in_slots && (v = strstr(line, "GUID:")) && n < max) {
			v += 5;
			v += strspn(v, " \t");
			for (int i = 0; i < 36 && v[i]; i++)
				out[n].id[i] = (char)(v[i] >= 'a' && v[i] <= 'f' ? v[i] - 32 : v[i]);
			out[n].id[36] = 0;
			out[n].type = 0xffff;
		} else if (in_slots && (v = strstr(line, "Protection:")) && n < max) {
			for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
				if (strstr(v, kinds[k].words)) {
					out[n].type = kinds[k].type;
					break;
				}
			n++;
		}
	}
	pclose(p);
	return n;
}

static void good_volumes(void)
{
	static const struct { const char *name, *opts; uint16_t method; bool suspended; uint16_t first; } cases[] = {
		{ "xts", "--cipher xts-128 --password " PW, 0x8004, false, BL_PROT_RECOVERY_PASSWORD },
		{ "cbc", "--cipher cbc-128", 0x8002, false, BL_PROT_RECOVERY_PASSWORD },
		{ "diffuser", "--cipher cbc-128-diffuser", 0x8000, false, BL_PROT_RECOVERY_PASSWORD },
		{ "clear", "--clear-key", 0x8004, true, BL_PROT_RECOVERY_PASSWORD },
		{ "tpm", "--tpm-only", 0x8004, false, BL_PROT_TPM },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char id[BL_GUID_TEXT], path[512];
		if (build(cases[c].name, cases[c].opts, id)) {
			CHECK(!"mkbitlocker builds the volume");
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, cases[c].name);
		int fd = open(path, O_RDONLY);
		struct stat st;
		CHECK(fd >= 0 && fstat(fd, &st) == 0);
		struct bl_info info;
		struct rs_error err = { 0 };
		CHECK_INT(bl_read(fd, 0, (uint64_t)st.st_size, &info, &err), RS_OK);
		close(fd);
		CHECK_INT(info.method, cases[c].method);
		CHECK_INT(info.state, 4);
		CHECK_INT(info.encrypted_size, st.st_size);
		CHECK_INT(info.block, 1);
		CHECK_INT(info.suspended, cases[c].suspended);
		CHECK_INT(info.nprotectors, cases[c].suspended ? 2 : 1);
		CHECK_INT(info.protectors[0].type, cases[c].first);
		CHECK_STR(info.protectors[0].id, id);
		if (cases[c].first == BL_PROT_TPM)
			CHECK(bl_recovery_id(&info, 0) == NULL);    /* no recovery key opens it */
		else
			CHECK_STR(bl_recovery_id(&info, 0), id);
		/* BitLocker's own areas: where the volume header puts the blocks,
		 * and the 16 moved NTFS sectors (blguard.h checks them). */
		size_t vlen;
		uint8_t *raw = load(cases[c].name, &vlen);
		CHECK(raw != NULL);
		for (int i = 0; raw && i < 3; i++)
			CHECK_INT(info.block_offset[i], block_at(raw, i));
		CHECK_INT(info.header_size, 8192);
		CHECK(info.header_offset > 0 && info.header_offset < (uint64_t)st.st_size);
		free(raw);
		if (cases[c].suspended)
			CHECK_INT(info.protectors[1].type, BL_PROT_CLEAR_KEY);
		CHECK_STR(info.description, "RESCUE-TEST C: 11/2/2026");

		/* cryptsetup reads the same protectors, in the same order. */
		struct bl_protector cs[BL_MAX_PROTECTORS];
		int ncs = cryptsetup_protectors(path, cs, BL_MAX_PROTECTORS);
		if (ncs < 0) {
			CHECK_SKIP("cryptsetup is not installed: the reader is not compared with it");
			continue;
		}
		CHECK_INT(ncs, info.nprotectors);
		for (int i = 0; i < ncs && i < info.nprotectors; i++) {
			CHECK_STR(cs[i].id, info.protectors[i].id);
			CHECK_INT(cs[i].type, info.protectors[i].type);
		}
	}

	/* The same volume 1 MiB into a disk: read through the offset. */
	size_t len;
	uint8_t *vol = load("xts", &len);
	CHECK(vol != NULL);
	if (!vol)
		return;
	int fd = memfd_create("disk", 0);
	CHECK(fd >= 0 && pwrite(fd, vol, len, 1 << 20) == (ssize_t)len);
	struct bl_info info;
	struct rs_error err = { 0 };
	CHECK_INT(bl_read(fd, 1 << 20, len, &info, &err), RS_OK);
	CHECK_INT(info.protectors[0].type, BL_PROT_RECOVERY_PASSWORD);
	CHECK_INT(bl_read(fd, 0, len, &info, &err), RS_ETARGET);   /* the disk's start is not the volume */
	CHECK(strstr(err.msg, "not a BitLocker volume") != NULL);
	close(fd);
	free(vol);
}

static void damaged_volumes(void)
{
	size_t len;
	uint8_t *good = load("xts", &len);
	CHECK(good != NULL);
	if (!good)
		return;
	uint8_t *vol = malloc(len);
	struct bl_info info;
	struct rs_error err;
	uint64_t b1 = block_at(good, 0);
	size_t n = block_len(good);

	/* Truncated: no header; the metadata cut off; a partition table that
	 * claims more than the device holds. */
	CHECK_REFUSED(good, 100, 100, "too short");
	CHECK_REFUSED(good, b1, b1, "outside the volume");
	CHECK_REFUSED(good, b1 + 100, len, "cannot be read");

	/* Every block offset past the end, or zero. */
	memcpy(vol, good, len);
	memset(vol + 176, 0xff, 16);
	memset(vol + 192, 0, 8);
	CHECK_REFUSED(vol, len, len, "outside the volume");

	/* The same header the BitLocker To Go way: "MSWIN4.1", GUID and offsets at 424. */
	memcpy(vol, good, len);
	memcpy(vol + 3, "MSWIN4.1", 8);
	memcpy(vol + 424, good + 160, 40);
	memset(vol + 160, 0, 40);
	CHECK_INT(read_vol(vol, len, len, &info, &err), RS_OK);
	CHECK_INT(info.protectors[0].type, BL_PROT_RECOVERY_PASSWORD);

	/* Only the signature, as tests/images/build.sh bitlocker makes it (no
	 * metadata: "no key"); and Vista's entry point. */
	memset(vol, 0, 512);
	memcpy(vol, "\xeb\x58\x90-FVE-FS-", 11);
	CHECK_REFUSED(vol, 512, 512, "damaged BitLocker volume header (unknown GUID)");
	memcpy(vol, "\xeb\x52\x90", 3);
	CHECK_REFUSED(vol, 512, 512, "Windows Vista");

	/* Block 1 broken: block 2 is read instead. */
	memcpy(vol, good, len);
	vol[b1 + 200] ^= 1;
	CHECK_INT(read_vol(vol, len, len, &info, &err), RS_OK);
	CHECK_INT(info.block, 2);
	CHECK_INT(info.protectors[0].type, BL_PROT_RECOVERY_PASSWORD);

	/* Every block: bad checksum, block size, metadata size, version. */
	static const struct { size_t at; uint8_t bytes[4]; int nbytes; bool reseal; const char *what; } cases[] = {
		{ 200, { 0x55 }, 1, false, "checksum does not match" },
		{ 8, { 0xff, 0xff }, 2, false, "block size" },
		{ 8, { 0x01, 0x00 }, 2, false, "block size" },
		{ 64, { 0xff, 0xff, 0xff, 0x7f }, 4, true, "metadata size" },
		{ 64, { 0x20, 0x00 }, 2, true, "metadata size" },
		{ 72, { 0x40 }, 1, true, "metadata size" },
		{ 10, { 0x01 }, 1, true, "Vista" },
		{ 0, { 'X' }, 1, true, "signature" },
		/* the first entry (the VMK): its size too big, too small */
		{ 112, { 0xf0, 0x0f }, 2, true, "running past the end" },
		{ 112, { 0x04, 0x00 }, 2, true, "shorter than its header" },
		{ 112, { 0x0a, 0x00 }, 2, true, "key protector entry too short" },
		/* the VMK's first nested entry (the stretch key) */
		{ 112 + 36, { 0xff, 0x00 }, 2, true, "key protector: nested entry" },
		/* the VMK turned into something else: no protector left */
		{ 114, { 0x09 }, 1, true, "no key protector" },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		memcpy(vol, good, len);
		memcpy(vol + b1 + cases[c].at, cases[c].bytes, (size_t)cases[c].nbytes);
		if (cases[c].reseal)
			reseal(vol);
		else
			for (int i = 1; i < 3; i++)
				memcpy(vol + block_at(vol, i), vol + b1, n + 8);
		CHECK_REFUSED(vol, len, len, cases[c].what);
	}

	/* Random damage with a good checksum: a good read or a clear refusal. */
	uint32_t x = 12345;
	int refused = 0;
	for (int round = 0; round < 3000; round++) {
		memcpy(vol, good, len);
		for (int k = 0; k < 1 + round % 4; k++) {
			x = x * 1103515245u + 12345u;
			size_t at = 8 + (x >> 8) % (n - 8);
			vol[b1 + at] = (uint8_t)(x >> 24);
		}
		reseal(vol);
		int rc = read_vol(vol, len, len, &info, &err);
		if (rc != RS_OK && rc != RS_ETARGET)
			CHECK_INT(rc, RS_ETARGET);
		if (rc == RS_ETARGET) {
			refused++;
			if (!err.msg[0] || strchr(err.msg, '\n'))
				CHECK(!"a refusal is one line");
		}
		if (info.nprotectors > BL_MAX_PROTECTORS)
			CHECK(info.nprotectors <= BL_MAX_PROTECTORS);
	}
	CHECK(refused > 0);
	free(vol);
	free(good);
}

static void passwords(void)
{
	uint8_t key[16];
	int bad = -1;
	struct rs_error err = { 0 };
	CHECK_INT(bl_check_password(PW, key, &bad, &err), RS_OK);
	CHECK_INT(bad, 0);
	CHECK_INT(key[0] | key[1] << 8, 682924 / 11);
	CHECK_INT(key[14] | key[15] << 8, 590931 / 11);
	CHECK_INT(bl_check_password("682924358930378565118635547613363407460097590931", NULL, &bad, &err), RS_OK);
	CHECK_INT(bl_check_password("682924 358930 378565 118635 547613 363407 460097 590931", NULL, NULL, &err), RS_OK);

	CHECK_INT(bl_check_password("682924-358930-378566-118635-547613-363407-460097-590931", key, &bad, &err),
		  RS_EUSAGE);
	CHECK_INT(bad, 3);
	CHECK(strstr(err.msg, "group 3") && strstr(err.msg, "378566") && strstr(err.msg, "divides by 11"));
	CHECK_INT(key[0] | key[1] << 8, 682924 / 11);  /* untouched */
	CHECK_INT(bl_check_password("682924-358930-378565-118635-547613-363407-460097-720907", NULL, &bad, &err),
		  RS_EUSAGE);                           /* 11 x 65537 */
	CHECK_INT(bad, 8);
	CHECK(strstr(err.msg, "below 720896") != NULL);
	static const char *malformed[] = {
		"", "682924-358930", "682924-358930-378565-118635-547613-363407-460097-59093",
		"682924-358930-378565-118635-547613-363407-460097-590931-0",
		"682924--358930-378565-118635-547613-363407-460097-590931",
		"68292a-358930-378565-118635-547613-363407-460097-590931",
	};
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		bad = -1;
		CHECK_INT(bl_check_password(malformed[i], NULL, &bad, &err), RS_EUSAGE);
		CHECK_INT(bad, 0);
		CHECK(strstr(err.msg, "48 digits") != NULL);
	}
}

static void names(void)
{
	char b[32];
	CHECK_STR(bl_protector_name(BL_PROT_RECOVERY_PASSWORD, b, sizeof(b)), "recovery password");
	CHECK_STR(bl_protector_name(BL_PROT_CLEAR_KEY, b, sizeof(b)), "clear key (protection suspended)");
	CHECK_STR(bl_protector_name(0x4000, b, sizeof(b)), "unknown (0x4000)");
	CHECK_STR(bl_method_name(0x8004), "AES-XTS 128-bit");
	CHECK(bl_method_name(0x1234) == NULL);
}

int main(void)
{
	passwords();
	names();
	char cmd[256];
	if (access(MKBL, X_OK) != 0) {
		CHECK_SKIP("BitLocker volumes: %s is not built (make %s)", MKBL, MKBL);
	} else if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
	} else {
		snprintf(cmd, sizeof(cmd), "truncate -s 8M %s/ntfs.img && mkntfs -Q -F -q %s/ntfs.img >/dev/null 2>&1",
			 dir, dir);
		if (system(cmd) != 0) {
			CHECK_SKIP("BitLocker volumes: mkntfs (ntfs-3g) cannot make the NTFS input");
		} else {
			good_volumes();
			damaged_volumes();
		}
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			CHECK(!"rm -rf the test folder");
	}
	return check_done("test-bitlocker");
}
