/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-regflog.c - base block, Marvin32, and transaction log replay, on the
 * real dirty hives under tests/data (SOURCES.md) and on old-format logs
 * built here from a real clean XP hive. */
#include <hivex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hive/regf.h"
#include "hive/regflog.h"
#include "tests/unit/check.h"


/* Unpack DATA/hives/REL.xz into memory. */
static uint8_t *unxz(const char *rel, size_t *len)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "xz -dc '%s/hives/%s.xz' 2>/dev/null", check_data_dir(), rel);
	FILE *p = popen(cmd, "r");
	if (!p)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	uint8_t *b = malloc(cap);
	for (size_t got; b && (got = fread(b + n, 1, cap - n, p)) > 0;) {
		n += got;
		if (n == cap) {
			uint8_t *nb = realloc(b, cap *= 2);
			if (!nb) {
				free(b);
				b = NULL;
			}
			b = nb;
		}
	}
	if (pclose(p) != 0 || n == 0) {
		free(b);
		return NULL;
	}
	*len = n;
	return b;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_checksum(uint8_t *b)
{
	wr32(b + 0x1FC, regf_checksum(b));
}

/* Open IMAGE with libhivex (through a temporary file, its only input). */
static hive_h *open_image(const uint8_t *image, size_t len, char *path, size_t pathlen)
{
	snprintf(path, pathlen, "/tmp/test-regflog.XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	ssize_t w = write(fd, image, len);
	close(fd);
	if (w != (ssize_t)len)
		return NULL;
	return hivex_open(path, 0);
}

/* The value KEY\NAME in H as a malloc'd UTF-8 string or NULL. */
static char *get_sz(hive_h *h, const char *key, const char *name)
{
	hive_node_h node = hivex_root(h);
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", key);
	for (char *save = NULL, *c = strtok_r(buf, "\\", &save); node && c; c = strtok_r(NULL, "\\", &save))
		node = hivex_node_get_child(h, node, c);
	if (!node)
		return NULL;
	hive_value_h v = hivex_node_get_value(h, node, name);
	return v ? hivex_value_string(h, v) : NULL;
}

static int64_t get_qword(hive_h *h, const char *key, const char *name)
{
	hive_node_h node = hivex_root(h);
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", key);
	for (char *save = NULL, *c = strtok_r(buf, "\\", &save); node && c; c = strtok_r(NULL, "\\", &save))
		node = hivex_node_get_child(h, node, c);
	hive_value_h v = node ? hivex_node_get_value(h, node, name) : 0;
	return v ? hivex_value_qword(h, v) : -1;
}

static void test_marvin32(void)
{
	/* Published Marvin32 test vectors (seed 0x004FB61A001BDBCC and others). */
	static const struct { uint64_t seed; const char *data; size_t len; uint64_t want; } v[] = {
		{ 0x004fb61a001bdbccull, "", 0, 0x30ed35c100cd3c7dull },
		{ 0x004fb61a001bdbccull, "\xaf", 1, 0x48e73fc77d75ddc1ull },
		{ 0x004fb61a001bdbccull, "\xe7\x0f", 2, 0xb5f6e1fc485dbff8ull },
		{ 0x004fb61a001bdbccull, "\x37\xf4\x95", 3, 0xf0b07c789b8cf7e8ull },
		{ 0x004fb61a001bdbccull, "\x86\x42\xdc\x59", 4, 0x7008f2e87e9cf556ull },
		{ 0x004fb61a001bdbccull, "\x15\x3f\xb7\x98\x26", 5, 0xe6c08c6da2afa997ull },
		{ 0x004fb61a001bdbccull, "\x09\x32\xe6\x24\x6c\x47", 6, 0x6f04bf1a5ea24060ull },
		{ 0x004fb61a001bdbccull, "\xab\x42\x7e\xa8\xd1\x0f\xc7", 7, 0xe11847e4f0678c41ull },
		{ 0xd53cd9cecd0893b7ull, "abc", 3, 0x22c74339492769bfull },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK(regflog_marvin32(v[i].seed, (const uint8_t *)v[i].data, v[i].len) == v[i].want);
}

static void test_base_block(void)
{
	uint8_t b[4096] = { 0 };
	struct regf_base base;
	struct rs_error err;
	CHECK_INT(regf_checksum(b), 1);                /* 0 is never stored */
	CHECK_INT(regf_parse_base(b, sizeof(b), &base, &err), RS_ETARGET);
	memcpy(b, "regf", 4);
	CHECK_INT(regf_parse_base(b, 100, &base, &err), RS_ETARGET);
	wr32(b + 4, 7);
	wr32(b + 8, 6);
	wr32(b + 0x14, 1);
	wr32(b + 0x18, 5);
	wr32(b + 0x28, 8192);
	fix_checksum(b);
	CHECK_INT(regf_parse_base(b, sizeof(b), &base, &err), RS_OK);
	CHECK(base.seq1 == 7 && base.seq2 == 6 && base.minor == 5 && base.bins_size == 8192);
	CHECK(base.checksum_ok && regf_is_dirty(&base));
	b[100] ^= 1;
	CHECK_INT(regf_parse_base(b, sizeof(b), &base, &err), RS_OK);
	CHECK(!base.checksum_ok);
	/* XOR of -1 is stored as -2. */
	memset(b, 0, sizeof(b));
	wr32(b + 8, 0xFFFFFFFFu);
	CHECK(regf_checksum(b) == 0xFFFFFFFEu);
	regflog_seal(b, sizeof(b), 42);
	CHECK_INT(rd32(b + 4), 42);
	CHECK_INT(rd32(b + 8), 42);
	CHECK(rd32(b + 0x1FC) == regf_checksum(b));
}

struct set {
	const char *primary, *log1, *log2;
	unsigned applied;
	uint32_t first, last;
};

static const struct set sets[] = {
	{ "regipy/SYSTEM_B", "regipy/SYSTEM_B.LOG1", "regipy/SYSTEM_B.LOG2", 24, 2107, 2130 },
	{ "dfir-artifact-museum/win10/NTUSER.DAT", "dfir-artifact-museum/win10/ntuser.dat.LOG1",
	  "dfir-artifact-museum/win10/ntuser.dat.LOG2", 4, 229, 232 },
	{ "dfir-artifact-museum/win10/DEFAULT", "dfir-artifact-museum/win10/DEFAULT.LOG1",
	  "dfir-artifact-museum/win10/DEFAULT.LOG2", 5, 106, 110 },
	/* Windows 11: LOG2 holds the earlier entries, so it is replayed first. */
	{ "dfir-artifact-museum/win11/NTUSER.DAT", "dfir-artifact-museum/win11/ntuser.dat.LOG1",
	  "dfir-artifact-museum/win11/ntuser.dat.LOG2", 5, 238, 242 },
	{ "dfir-artifact-museum/win11/DEFAULT", "dfir-artifact-museum/win11/DEFAULT.LOG1",
	  "dfir-artifact-museum/win11/DEFAULT.LOG2", 4, 104, 107 },
};

struct loaded {
	uint8_t *p, *l1, *l2;
	size_t plen;
	struct regflog_file logs[2];
};

static bool load(const struct set *s, struct loaded *L)
{
	memset(L, 0, sizeof(*L));
	L->p = unxz(s->primary, &L->plen);
	L->l1 = unxz(s->log1, &L->logs[0].len);
	L->l2 = unxz(s->log2, &L->logs[1].len);
	L->logs[0] = (struct regflog_file){ "LOG1", L->l1, L->logs[0].len };
	L->logs[1] = (struct regflog_file){ "LOG2", L->l2, L->logs[1].len };
	return L->p && L->l1 && L->l2;
}

static void unload(struct loaded *L)
{
	free(L->p);
	free(L->l1);
	free(L->l2);
}

static void test_real_set(const struct set *s)
{
	struct loaded L;
	if (!load(s, &L)) {
		CHECK_SKIP("%s: data not found under %s", s->primary, check_data_dir());
		unload(&L);
		return;
	}
	struct regflog_result r;
	struct rs_error err;
	CHECK_INT(regflog_recover(L.p, L.plen, L.logs, 2, &r, &err), RS_OK);
	CHECK_INT(r.state, REGFLOG_RECOVERED);
	CHECK(regf_is_dirty(&r.before));
	CHECK_INT(r.applied, s->applied);
	CHECK_INT(r.first_seq, s->first);
	CHECK_INT(r.last_seq, s->last);
	CHECK(r.note[0] == '\0');
	struct regf_base b;
	CHECK(r.image && regf_parse_base(r.image, r.len, &b, &err) == RS_OK);
	if (!r.image)
		goto out;
	CHECK(b.seq1 == s->last && b.seq2 == s->last && b.checksum_ok && b.file_type == 0);
	CHECK(b.bins_size + 4096u == r.len);

	char path[64];
	hive_h *h = open_image(r.image, r.len, path, sizeof(path));
	CHECK(h != NULL);
	/* Values only the logs held. */
	if (h && strstr(s->primary, "SYSTEM_B")) {
		char *v = get_sz(h, "ControlSet001\\Control\\Class\\{4d36e967-e325-11ce-bfc1-08002be10318}\\0003",
				 "DriverDesc");
		CHECK_STR(v, "Disk drive");
		free(v);
	}
	if (h && strstr(s->primary, "win11/NTUSER"))
		CHECK(get_qword(h, "Software\\Microsoft\\OneDrive\\Accounts", "LastUpdate") == 0x6202DA20);
	if (h && strstr(s->primary, "win11/DEFAULT")) {
		char *v = get_sz(h, "Software\\Microsoft\\Windows\\CurrentVersion\\Search",
				 "InstalledPackagedAppsRevision");
		CHECK_STR(v, "{0F064CCB-5F16-468F-8691-C123C6BCFCA8}");
		free(v);
	}
	if (h)
		hivex_close(h);
	unlink(path);
	/* The primary alone (what hivex reads) lacks them. */
	if (strstr(s->primary, "SYSTEM_B")) {
		h = open_image(L.p, L.plen, path, sizeof(path));
		char *v = h ? get_sz(h, "ControlSet001\\Control\\Class\\{4d36e967-e325-11ce-bfc1-08002be10318}\\0003",
				     "DriverDesc") : NULL;
		CHECK(h && v == NULL);
		free(v);
		if (h)
			hivex_close(h);
		unlink(path);
	}

	/* Idempotent: the result is clean, the same logs change nothing. */
	struct regflog_result again;
	CHECK_INT(regflog_recover(r.image, r.len, L.logs, 2, &again, &err), RS_OK);
	CHECK_INT(again.state, REGFLOG_CLEAN);
	CHECK(again.image == NULL && again.max_seq == s->last);
	regflog_result_free(&again);

	/* Sealed one beyond every number the logs hold (what rescue writes):
	 * even were the header to go dirty again, no entry would apply. */
	regflog_seal(r.image, r.len, r.max_seq + 1);
	wr32(r.image + 4, r.max_seq + 2);
	fix_checksum(r.image);
	CHECK_INT(regflog_recover(r.image, r.len, L.logs, 2, &again, &err), RS_OK);
	CHECK_INT(again.state, REGFLOG_UNRECOVERED);
	CHECK_INT(again.applied, 0);
	regflog_result_free(&again);
out:
	regflog_result_free(&r);
	unload(&L);
}

/* Damaged, cut and foreign logs, on SYSTEM_B. */
static void test_damaged(void)
{
	struct loaded L, W;
	if (!load(&sets[0], &L) || !load(&sets[3], &W)) {
		CHECK_SKIP("damaged-log tests: data not found under %s", check_data_dir());
		unload(&L);
		unload(&W);
		return;
	}
	struct regflog_result r;
	struct rs_error err;
	struct regflog_scan sc;

	/* A byte changed inside LOG2's fourth entry (sequence 2114). */
	size_t off = 512;
	for (int i = 0; i < 3; i++)
		off += rd32(L.l2 + off + 4);
	CHECK_INT(rd32(L.l2 + off + 12), 2114);
	L.l2[off + 700] ^= 0x55;
	regflog_scan(&L.logs[1], &sc);
	CHECK(sc.kind == REGFLOG_NEW && sc.entries == 3 && sc.damaged && sc.damaged_seq == 2114);
	CHECK(strstr(sc.why, "bad hash") != NULL);
	CHECK_INT(regflog_recover(L.p, L.plen, L.logs, 2, &r, &err), RS_OK);
	CHECK_INT(r.state, REGFLOG_PARTIAL);
	CHECK_INT(r.last_seq, 2113);
	CHECK(strstr(r.note, "LOG2") && strstr(r.note, "sequence 2114") && strstr(r.note, "bad hash"));
	regflog_result_free(&r);
	L.l2[off + 700] ^= 0x55;

	/* A bad hash in the very first entry needed: nothing can be replayed. */
	L.l1[512 + 100] ^= 1;
	CHECK_INT(regflog_recover(L.p, L.plen, L.logs, 2, &r, &err), RS_OK);
	CHECK_INT(r.state, REGFLOG_UNRECOVERED);
	CHECK(r.image == NULL && strstr(r.note, "sequence 2107") && strstr(r.note, "may be lost"));
	regflog_result_free(&r);
	L.l1[512 + 100] ^= 1;

	/* LOG2 cut short in its second entry. */
	struct regflog_file cut[2] = { L.logs[0], { "LOG2", L.l2, 100000 } };
	CHECK_INT(regflog_recover(L.p, L.plen, cut, 2, &r, &err), RS_OK);
	CHECK_INT(r.state, REGFLOG_PARTIAL);
	CHECK_INT(r.last_seq, 2111);
	CHECK(strstr(r.note, "cut off") != NULL);
	regflog_result_free(&r);

	/* Cut inside the base block: not usable at all. */
	struct regflog_file tiny[1] = { { "LOG1", L.l1, 300 } };
	CHECK_INT(regflog_recover(L.p, L.plen, tiny, 1, &r, &err), RS_OK);
	CHECK_INT(r.state, REGFLOG_UNRECOVERED);
	CHECK(strstr(r.note, "LOG1 is not usable") != NULL);
	regflog_result_free(&r);

	/* Logs of another hive (Windows 11 NTUSER.DAT) are refused. */
	CHECK_INT(regflog_recover(L.p, L.plen, W.logs, 2, &r, &err), RS_OK);
	CHECK_INT(r.state, REGFLOG_UNRECOVERED);
	CHECK(strstr(r.note, "another hive") != NULL);
	regflog_result_free(&r);

	/* No logs at all. */
	CHECK_INT(regflog_recover(L.p, L.plen, NULL, 0, &r, &err), RS_OK);
	CHECK_INT(r.state, REGFLOG_UNRECOVERED);
	CHECK(strstr(r.note, "no transaction logs") != NULL);
	regflog_result_free(&r);

	/* Empty log files (what Windows leaves for a clean hive). */
	struct regflog_file empty[2] = { { "LOG1", L.l1, 0 }, { "LOG2", NULL, 0 } };
	regflog_scan(&empty[0], &sc);
	CHECK_INT(sc.kind, REGFLOG_EMPTY);
	CHECK_INT(regflog_recover(L.p, L.plen, empty, 2, &r, &err), RS_OK);
	CHECK_INT(r.state, REGFLOG_UNRECOVERED);
	regflog_result_free(&r);

	/* A primary with a bad checksum takes its header from a log. */
	uint8_t *p2 = malloc(L.plen);
	memcpy(p2, L.p, L.plen);
	p2[0x30] ^= 1;
	CHECK_INT(regflog_recover(p2, L.plen, L.logs, 2, &r, &err), RS_OK);
	CHECK(r.state == REGFLOG_RECOVERED && r.last_seq == 2130 && r.image);
	struct regf_base b;
	CHECK(r.image && regf_parse_base(r.image, r.len, &b, &err) == RS_OK && b.checksum_ok &&
	      b.file_type == 0 && b.seq1 == 2130);
	regflog_result_free(&r);
	free(p2);

	/* Not a hive at all. */
	CHECK_INT(regflog_recover(L.l1 + 512, 4096, L.logs, 2, &r, &err), RS_ETARGET);

	unload(&L);
	unload(&W);
}

/* Old format: an XP-style .LOG built from the real clean M57 SAM.  The
 * "later" state M changes the first hive bin's header and grows the hive by
 * one hive bin (a free cell), so it still opens in hivex. */
static void test_old_format(void)
{
	size_t plen;
	uint8_t *p = unxz("m57-pat/SAM", &plen);
	if (!p) {
		CHECK_SKIP("old-format tests: data not found under %s", check_data_dir());
		return;
	}
	uint32_t bins = rd32(p + 0x28), nbins = bins + 4096;
	size_t mlen = 4096 + (size_t)nbins;
	uint8_t *m = calloc(1, mlen);
	memcpy(m, p, 4096 + (size_t)bins);
	m[4096 + 20] ^= 0x5A;                  /* first hive bin's timestamp */
	uint8_t *nb = m + 4096 + bins;         /* the new hive bin */
	memcpy(nb, "hbin", 4);
	wr32(nb + 4, bins);
	wr32(nb + 8, 4096);
	wr32(nb + 32, 4096 - 32);              /* one free cell */

	/* The primary as a crash left it: started a write, never finished. */
	uint32_t seq = rd32(p + 4);
	wr32(p + 4, seq + 1);
	fix_checksum(p);

	/* The log: base block sector, DIRT + bitmap, then the dirty pages. */
	size_t bitmap = nbins / 512 / 8, pages_off = (512 + 4 + bitmap + 511) / 512 * 512;
	unsigned dirty[16], nd = 0;
	dirty[nd++] = 0;                                /* the page holding the first hbin header */
	for (unsigned i = 0; i < 8; i++)
		dirty[nd++] = bins / 512 + i;           /* the new hive bin */
	size_t llen = pages_off + (size_t)nd * 512;
	uint8_t *log = calloc(1, llen);
	memcpy(log, p, 512);
	wr32(log + 4, seq + 1);
	wr32(log + 8, seq + 1);
	wr32(log + 0x1C, 1);
	wr32(log + 0x28, nbins);
	fix_checksum(log);
	memcpy(log + 512, "DIRT", 4);
	for (unsigned i = 0; i < nd; i++) {
		log[516 + dirty[i] / 8] |= (uint8_t)(1u << (dirty[i] % 8));
		memcpy(log + pages_off + (size_t)i * 512, m + 4096 + (size_t)dirty[i] * 512, 512);
	}
	struct regflog_file f = { "SAM.LOG", log, llen };
	struct regflog_scan sc;
	regflog_scan(&f, &sc);
	CHECK(sc.kind == REGFLOG_OLD && sc.entries == nd && !sc.damaged);

	struct regflog_result r;
	struct rs_error err;
	CHECK_INT(regflog_recover(p, plen, &f, 1, &r, &err), RS_OK);
	CHECK_INT(r.state, REGFLOG_RECOVERED);
	CHECK_INT(r.applied, nd);
	CHECK(r.image && r.len == mlen && memcmp(r.image + 4096, m + 4096, nbins) == 0);
	struct regf_base b;
	CHECK(r.image && regf_parse_base(r.image, r.len, &b, &err) == RS_OK && b.checksum_ok &&
	      b.seq1 == seq + 1 && b.seq2 == seq + 1 && b.bins_size == nbins && b.file_type == 0);
	if (r.image) {
		char path[64];
		hive_h *h = open_image(r.image, r.len, path, sizeof(path));
		CHECK(h != NULL);
		if (h)
			hivex_close(h);
		unlink(path);
	}
	regflog_result_free(&r);

	/* Written for another state of the hive (timestamp differs): ignored. */
	log[0x0C] ^= 1;
	fix_checksum(log);
	CHECK_INT(regflog_recover(p, plen, &f, 1, &r, &err), RS_OK);
	CHECK(r.state == REGFLOG_UNRECOVERED && strstr(r.note, "another state"));
	regflog_result_free(&r);
	log[0x0C] ^= 1;
	fix_checksum(log);

	/* Cut short: its pages are missing. */
	f.len = llen - 512;
	CHECK_INT(regflog_recover(p, plen, &f, 1, &r, &err), RS_OK);
	CHECK(r.state == REGFLOG_UNRECOVERED && strstr(r.note, "cut off"));
	regflog_result_free(&r);

	free(log);
	free(m);
	free(p);
}

/* Hostile bytes: mutate a real log and primary many times; the sanitizer
 * build turns any out-of-bounds access into a failure. */
static void test_mutations(void)
{
	struct loaded L;
	if (!load(&sets[1], &L)) {
		unload(&L);
		return;
	}
	uint32_t x = 2463534242u;
	size_t n = L.logs[1].len < 40000 ? L.logs[1].len : 40000;
	uint8_t *log = malloc(n);
	int runs = 0;
	for (int it = 0; it < 300; it++) {
		memcpy(log, L.l2, n);
		for (int k = 0; k < 4; k++) {
			x ^= x << 13; x ^= x >> 17; x ^= x << 5;
			/* Mostly in headers, where the lengths live. */
			size_t at = (k & 1) ? 512 + x % 64 : x % n;
			log[at] = (uint8_t)(x >> 8);
		}
		struct regflog_file f[2] = { L.logs[0], { "LOG2", log, n - (x % 3) * 1000 } };
		struct regflog_result r;
		struct rs_error err;
		if (regflog_recover(L.p, L.plen, f, 2, &r, &err) == RS_OK)
			runs++;
		regflog_result_free(&r);
	}
	CHECK_INT(runs, 300);
	free(log);
	unload(&L);
}

int main(void)
{
	test_marvin32();
	test_base_block();
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		test_real_set(&sets[i]);
	test_damaged();
	test_old_format();
	test_mutations();
	return check_done("test-regflog");
}
