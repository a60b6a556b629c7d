/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-sam.c - hive/sam.c on the real SAM and SYSTEM hives of tests/data,
 * read with libhivex directly (not through our hive layer), plus truncated
 * and damaged buffers.  Expected values come from outside: boot keys and
 * hashes that impacket-secretsdump prints (SOURCES.md), MD4/AES/DES results
 * computed with python3-pycryptodome and impacket's deriveKey:
 *   AES_DOMKEY_ENC = AES-128-CBC(key = boot key of dissect-regf/SYSTEM,
 *       iv = salt of win10 SAM's domain F, 00112233..eeff || 16 x 0x10)
 *   AES_ENTRY_DATA = AES-128-CBC(key = 00112233..eeff, iv = 00 01 .. 0f,
 *       DES-ECB(deriveKey(1001)) of NT("password") || 16 x 0x10) */
#include <hivex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hive/sam.h"
#include "tests/unit/check.h"


/* Unpack DATA/hives/REL (.xz or .gz) into a temporary file; NULL when missing. */
static char *unpack(const char *rel)
{
	static int n;
	char *out = malloc(256), cmd[1024];
	snprintf(out, 256, "/tmp/test-sam.%d.%d", (int)getpid(), n++);
	const char *tool = strstr(rel, ".gz") ? "gzip" : "xz";
	snprintf(cmd, sizeof(cmd), "%s -dc '%s/hives/%s' > %s 2>/dev/null", tool, check_data_dir(), rel, out);
	if (system(cmd) != 0) {
		unlink(out);
		free(out);
		return NULL;
	}
	return out;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	uint8_t *b = malloc((size_t)n);
	if (fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static hive_node_h node_at(hive_h *h, const char *path)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", path);
	hive_node_h n = hivex_root(h);
	for (char *save, *c = strtok_r(buf, "\\", &save); c && n; c = strtok_r(NULL, "\\", &save))
		n = hivex_node_get_child(h, n, c);
	return n;
}

static uint8_t *value_of(hive_h *h, const char *path, const char *name, size_t *len)
{
	hive_node_h n = node_at(h, path);
	hive_value_h v = n ? hivex_node_get_value(h, n, name) : 0;
	hive_type t;
	return v ? (uint8_t *)hivex_value_value(h, v, &t, len) : NULL;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void unhex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i]; i++)
		sscanf(s + 2 * i, "%2hhx", &out[i]);
}

/* Boot key of a SYSTEM hive file through regf_nk_class on its bytes. */
static int bootkey_of(const char *file, uint8_t key[16])
{
	size_t len;
	uint8_t *bytes = read_file(file, &len);
	hive_h *h = hivex_open(file, 0);
	int rc = -1;
	if (bytes && h) {
		char cls[4][64], path[128];
		const char *c[4];
		struct rs_error err;
		rc = 0;
		for (int i = 0; i < 4 && !rc; i++) {
			snprintf(path, sizeof(path), "ControlSet001\\Control\\Lsa\\%s", sam_bootkey_keys[i]);
			hive_node_h n = node_at(h, path);
			rc = n ? regf_nk_class(bytes, len, n, cls[i], sizeof(cls[i]), &err) : -1;
			c[i] = cls[i];
		}
		if (!rc)
			rc = sam_bootkey_from_classes(c, key, &err);
		/* damaged input: a node handle past the end, and one not an nk */
		hive_node_h n = node_at(h, "ControlSet001\\Control\\Lsa\\JD");
		CHECK(regf_nk_class(bytes, len, len - 8, cls[0], sizeof(cls[0]), &err) == RS_ETARGET);
		CHECK(regf_nk_class(bytes, len, 0, cls[0], sizeof(cls[0]), &err) == RS_ETARGET);
		CHECK(regf_nk_class(bytes, n + 0x40, n, cls[0], sizeof(cls[0]), &err) == RS_ETARGET);
	}
	if (h)
		hivex_close(h);
	free(bytes);
	return rc;
}

static void test_bootkeys(uint8_t m57[16], uint8_t dissect[16])
{
	char *f = unpack("m57-pat/SYSTEM.xz"), s[40];
	CHECK(f && bootkey_of(f, m57) == 0);
	hex(m57, 16, s);
	CHECK_STR(s, "9b01ef40d856a48795f6f3e627ef78b8");    /* secretsdump, SOURCES.md */
	if (f) { unlink(f); free(f); }
	f = unpack("dissect-regf/SYSTEM.gz");
	CHECK(f && bootkey_of(f, dissect) == 0);
	hex(dissect, 16, s);
	CHECK_STR(s, "b1b47dfef28582d5cde1eba294f32c1c");
	if (f) { unlink(f); free(f); }

	struct rs_error err;
	uint8_t k[16];
	const char *bad[4] = { "0123456", "89abcdef", "01234567", "89abcdef" };
	CHECK(sam_bootkey_from_classes(bad, k, &err) == RS_ETARGET);
	const char *bad2[4] = { "0123456z", "89abcdef", "01234567", "89abcdef" };
	CHECK(sam_bootkey_from_classes(bad2, k, &err) == RS_ETARGET);
}

static void test_nt_hash(void)
{
	struct rs_error err;
	uint8_t h[16];
	char s[40];
	static const struct { const char *pw, *nt; } v[] = {
		{ "", "31d6cfe0d16ae931b73c59d7e0c089c0" },
		{ "password", "8846f7eaee8fb117ad06bdd830b7586c" },
		{ "p\xc3\xa4sswo\xcc\x88rd", NULL },
		{ "p\xc3\xa4ssw\xc3\xb6rd\xe2\x82\xac", "7f20bf6e69d97371914a8807579cab5c" },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(sam_nt_hash(v[i].pw, h, &err) == RS_OK);
		hex(h, 16, s);
		if (v[i].nt)
			CHECK_STR(s, v[i].nt);
	}
	char pw[300];
	memset(pw, 'a', 127); pw[127] = 0;
	CHECK(sam_nt_hash(pw, h, &err) == RS_OK);
	memset(pw, 'a', 128); pw[128] = 0;
	CHECK(sam_nt_hash(pw, h, &err) == RS_EUSAGE);
	/* 63 four-byte characters are 126 UTF-16 units; one more is 128 */
	pw[0] = 0;
	for (int i = 0; i < 64; i++)
		strcat(pw, "\xf0\x9f\x98\x80");
	CHECK(sam_nt_hash(pw, h, &err) == RS_EUSAGE);
	CHECK(sam_nt_hash("\xc3", h, &err) == RS_EUSAGE);
	CHECK(sam_nt_hash("\xc0\xaf", h, &err) == RS_EUSAGE);     /* overlong */
	CHECK(sam_nt_hash("\xed\xa0\x80", h, &err) == RS_EUSAGE); /* surrogate */
}

/* Random damage to real values (fixed seed, so a failure repeats): every
 * parser and rebuilder must refuse or cope, never read outside (ASan). */
static void fuzz(const uint8_t *v, size_t vl, const uint8_t *c, size_t cl, const uint8_t *df, size_t dl,
		 const struct sam_key *k)
{
	struct rs_error err;
	uint8_t *b = malloc(vl > cl ? (vl > dl ? vl : dl) : (cl > dl ? cl : dl)), *nv, sid[SAM_USER_SID_LEN] = { 1, 5 };
	size_t nl;
	srand(1);
	for (int round = 0; round < 3000; round++) {
		const uint8_t *src = round % 3 == 0 ? v : round % 3 == 1 ? c : df;
		size_t len = round % 3 == 0 ? vl : round % 3 == 1 ? cl : dl;
		memcpy(b, src, len);
		for (int j = rand() % 4; j >= 0; j--) {
			/* mostly the headers, where offsets and lengths live */
			size_t at = (size_t)rand() % (rand() % 2 ? (len < 0xD0 ? len : 0xD0) : len);
			b[at] = rand() % 3 ? (uint8_t)rand() : 0xFF;
		}
		size_t cut = rand() % 4 ? len : (size_t)rand() % (len + 1);
		struct sam_user_v u;
		uint8_t out[16], ent[SAM_HASH_AES_LEN] = { 0 };
		struct sam_key k2;
		bool m;
		if (sam_v_parse(b, cut, &u, &err) == RS_OK) {
			sam_hash_decrypt(k, 500, true, b + u.nt_off, u.nt_len, out, &err);
			if (sam_v_set_entry(b, cut, SAM_V_NT, ent, SAM_HASH_AES_LEN, &nv, &nl, &err) == RS_OK)
				free(nv);
		}
		if (sam_c_has_member(b, cut, sid, sizeof(sid), &m, &err) == RS_OK &&
		    sam_c_add_member(b, cut, sid, sizeof(sid), &nv, &nl, &err) == RS_OK)
			free(nv);
		sam_domain_key(b, cut, out, &k2, &err);
	}
	free(b);
	CHECK(1);
}

static void test_m57(const uint8_t bk[16], const uint8_t wrong[16])
{
	char *f = unpack("m57-pat/SAM.xz"), s[40];
	hive_h *h = f ? hivex_open(f, 0) : NULL;
	CHECK(h != NULL);
	if (!h)
		return;
	struct rs_error err;
	size_t dl, vl, fl, cl, al;
	uint8_t *df = value_of(h, SAM_KEY_ACCOUNT, "F", &dl);
	struct sam_key k, k2;
	enum sam_key_rev rev;
	CHECK(sam_domain_rev(df, dl, &rev, &err) == RS_OK && rev == SAM_KEY_RC4);
	CHECK(sam_domain_key(df, dl, bk, &k, &err) == RS_OK);
	CHECK(sam_domain_key(df, dl, wrong, &k2, &err) == RS_ETARGET);
	CHECK(strstr(err.msg, "does not open") != NULL);

	/* Administrator: decrypt gives secretsdump's hash; re-encrypting gives
	 * the stored bytes back (RC4 is deterministic). */
	uint8_t *v = value_of(h, SAM_KEY_USERS "\\000001F4", "V", &vl);
	uint8_t *uf = value_of(h, SAM_KEY_USERS "\\000001F4", "F", &fl);
	struct sam_user_v u;
	struct sam_user_f fu;
	CHECK(sam_v_parse(v, vl, &u, &err) == RS_OK);
	CHECK_STR(u.name, "Administrator");
	CHECK(u.nt_fmt == SAM_HASH_RC4 && u.lm_fmt == SAM_HASH_RC4);
	CHECK(sam_f_parse(uf, fl, &fu, &err) == RS_OK);
	CHECK_INT(fu.rid, 500);
	CHECK_INT(fu.acb, 0x210);
	CHECK_INT(fu.failed, 1);
	uint8_t nt[16], ent[SAM_HASH_AES_LEN];
	CHECK(sam_hash_decrypt(&k, 500, true, v + u.nt_off, u.nt_len, nt, &err) == RS_OK);
	hex(nt, 16, s);
	CHECK_STR(s, "e76f3e0e6fa6cbb0cd98360225f6b955");
	CHECK(sam_hash_decrypt(&k, 500, false, v + u.lm_off, u.lm_len, nt, &err) == RS_OK);
	hex(nt, 8, s);
	CHECK_STR(s, "1377ca2999a3ce47");
	CHECK(sam_hash_decrypt(&k, 500, true, v + u.nt_off, u.nt_len, nt, &err) == RS_OK);
	CHECK_INT(sam_hash_encrypt(&k, 500, true, nt, 1, NULL, ent), SAM_HASH_RC4_LEN);
	CHECK(memcmp(ent, v + u.nt_off, SAM_HASH_RC4_LEN) == 0);

	/* blank (chntpw): lengths 0, offsets kept, V the same size */
	uint8_t *nv;
	size_t nl;
	CHECK(sam_v_set_entry(v, vl, SAM_V_NT, NULL, 0, &nv, &nl, &err) == RS_OK);
	struct sam_user_v u2;
	CHECK(nl == vl && sam_v_parse(nv, nl, &u2, &err) == RS_OK && u2.nt_fmt == SAM_HASH_NONE);
	free(nv);

	/* Pat has only a 4-byte header: setting a hash appends, V grows */
	free(v);
	v = value_of(h, SAM_KEY_USERS "\\000003EB", "V", &vl);
	CHECK(sam_v_parse(v, vl, &u, &err) == RS_OK);
	CHECK_STR(u.name, "Pat");
	CHECK(u.nt_fmt == SAM_HASH_EMPTY);
	CHECK(sam_nt_hash("password", nt, &err) == RS_OK);
	size_t el = sam_hash_encrypt(&k, 1003, true, nt, 1, NULL, ent);
	CHECK(sam_v_set_entry(v, vl, SAM_V_NT, ent, el, &nv, &nl, &err) == RS_OK);
	CHECK(nl == ((vl + 3) & ~(size_t)3) + SAM_HASH_RC4_LEN);
	CHECK(sam_v_parse(nv, nl, &u2, &err) == RS_OK);
	CHECK_STR(u2.name, "Pat");
	CHECK(u2.nt_fmt == SAM_HASH_RC4 && u2.nt_off == nl - SAM_HASH_RC4_LEN);
	uint8_t back[16];
	CHECK(sam_hash_decrypt(&k, 1003, true, nv + u2.nt_off, u2.nt_len, back, &err) == RS_OK);
	CHECK(memcmp(back, nt, 16) == 0);
	/* a second, same-size set rewrites in place */
	uint8_t *nv2;
	size_t nl2;
	CHECK(sam_v_set_entry(nv, nl, SAM_V_NT, ent, el, &nv2, &nl2, &err) == RS_OK && nl2 == nl);
	free(nv2);
	free(nv);

	/* the domain SID and Administrators' members (Administrator and Pat) */
	uint8_t *av = value_of(h, SAM_KEY_ACCOUNT, "V", &al);
	uint8_t dom[SAM_DOMAIN_SID_LEN], sid[SAM_USER_SID_LEN];
	char ss[128];
	CHECK(sam_domain_sid(av, al, dom, &err) == RS_OK);
	sam_sid_string(dom, sizeof(dom), ss, sizeof(ss));
	CHECK_STR(ss, "S-1-5-21-1292428093-1645522239-1547161642");
	uint8_t *c = value_of(h, SAM_KEY_ALIASES "\\00000220", "C", &cl);
	bool m;
	sam_user_sid(dom, 1003, sid);
	CHECK(sam_c_has_member(c, cl, sid, sizeof(sid), &m, &err) == RS_OK && m);
	sam_user_sid(dom, 501, sid);
	CHECK(sam_c_has_member(c, cl, sid, sizeof(sid), &m, &err) == RS_OK && !m);
	CHECK(sam_c_add_member(c, cl, sid, sizeof(sid), &nv, &nl, &err) == RS_OK);
	CHECK(nl == cl + SAM_USER_SID_LEN);
	CHECK(sam_c_has_member(nv, nl, sid, sizeof(sid), &m, &err) == RS_OK && m);
	sam_user_sid(dom, 1003, sid);
	CHECK(sam_c_has_member(nv, nl, sid, sizeof(sid), &m, &err) == RS_OK && m);
	free(nv);
	/* Power Users: empty list pointing past the end, 2 bytes short */
	free(c);
	c = value_of(h, SAM_KEY_ALIASES "\\00000223", "C", &cl);
	CHECK(sam_c_add_member(c, cl, sid, sizeof(sid), &nv, &nl, &err) == RS_OK);
	CHECK(sam_c_has_member(nv, nl, sid, sizeof(sid), &m, &err) == RS_OK && m);
	free(nv);
	/* an empty list pointing far past the end is refused, not grown to
	 * (the fuzz below once made a 2 GiB allocation of it) */
	uint8_t *far = malloc(cl);
	memcpy(far, c, cl);
	far[SAM_C_MEMBERS_OFF + 3] = 0x7F;
	CHECK(sam_c_add_member(far, cl, sid, sizeof(sid), &nv, &nl, &err) == RS_ETARGET);
	free(far);

	/* every prefix of every value is refused cleanly or parsed (ASan build) */
	for (size_t i = 0; i < vl; i++) {
		sam_v_parse(v, i, &u2, &err);
		if (sam_v_set_entry(v, i, SAM_V_NT, ent, el, &nv, &nl, &err) == RS_OK)
			free(nv);
	}
	for (size_t i = 0; i < cl; i++) {
		sam_c_has_member(c, i, sid, sizeof(sid), &m, &err);
		if (sam_c_add_member(c, i, sid, sizeof(sid), &nv, &nl, &err) == RS_OK)
			free(nv);
	}
	for (size_t i = 0; i < dl; i++)
		CHECK(sam_domain_key(df, i, bk, &k2, &err) == (i < SAM_DF_RC4_END ? RS_ETARGET : RS_OK));
	for (size_t i = 0; i < al; i++)
		sam_domain_sid(av, i, dom, &err);
	CHECK(sam_f_parse(uf, 0x4F, &fu, &err) == RS_ETARGET);
	/* a V whose name entry points past its end */
	uint8_t bad[SAM_V_HDR_LEN] = { 0 };
	bad[SAM_V_NAME] = 0x10;
	bad[SAM_V_NAME + 4] = 0x10;
	CHECK(sam_v_parse(bad, sizeof(bad), &u2, &err) == RS_ETARGET);
	memset(bad, 0xFF, sizeof(bad));
	CHECK(sam_v_parse(bad, sizeof(bad), &u2, &err) == RS_ETARGET);

	fuzz(v, vl, c, cl, df, dl, &k);

	free(v); free(uf); free(df); free(c); free(av);
	hivex_close(h);
	unlink(f);
	free(f);
}

/* AES: win10 SAM with its domain key re-encrypted under dissect's boot key. */
static void test_aes(const uint8_t bk[16])
{
	char *f = unpack("dfir-artifact-museum/win10/SAM.xz"), s[80];
	hive_h *h = f ? hivex_open(f, 0) : NULL;
	CHECK(h != NULL);
	if (!h)
		return;
	struct rs_error err;
	size_t dl, vl;
	uint8_t *df = value_of(h, SAM_KEY_ACCOUNT, "F", &dl);
	struct sam_key k;
	enum sam_key_rev rev;
	CHECK(sam_domain_rev(df, dl, &rev, &err) == RS_OK && rev == SAM_KEY_AES);
	/* no SYSTEM stored here opens it (SOURCES.md) */
	CHECK(sam_domain_key(df, dl, bk, &k, &err) == RS_ETARGET);
	unhex("3f66e7c6bb2b70115b9583c5459f17598bb4d44808e0a32196f73a103dfd68ed", df + SAM_DF_AES_DATA);
	CHECK(sam_domain_key(df, dl, bk, &k, &err) == RS_OK);
	hex(k.key, 16, s);
	CHECK_STR(s, "00112233445566778899aabbccddeeff");
	for (size_t i = 0; i < dl; i++) {
		struct sam_key k2;
		sam_domain_key(df, i, bk, &k2, &err);
	}

	uint8_t nt[16], ent[SAM_HASH_AES_LEN], salt[16], back[16];
	for (int i = 0; i < 16; i++)
		salt[i] = (uint8_t)i;
	CHECK(sam_nt_hash("password", nt, &err) == RS_OK);
	CHECK_INT(sam_hash_encrypt(&k, 1001, true, nt, 2, salt, ent), SAM_HASH_AES_LEN);
	hex(ent + SAM_HASH_AES_HDR, 32, s);
	CHECK_STR(s, "4cf4371b3a9aa957217e6a4f1c35a5f2a062a3e9685d347bce0c6822b6ce0d44");
	CHECK(sam_hash_decrypt(&k, 1001, true, ent, SAM_HASH_AES_LEN, back, &err) == RS_OK);
	CHECK(memcmp(back, nt, 16) == 0);
	/* an RC4 entry cannot be opened with an AES key */
	struct sam_key rk = k;
	rk.rev = SAM_KEY_RC4;
	uint8_t rent[SAM_HASH_AES_LEN];
	sam_hash_encrypt(&rk, 1001, true, nt, 1, NULL, rent);
	CHECK(sam_hash_decrypt(&k, 1001, true, rent, SAM_HASH_RC4_LEN, back, &err) == RS_ETARGET);

	/* AndrewRathbun (1001): a 24-byte header without a hash */
	uint8_t *v = value_of(h, SAM_KEY_USERS "\\000003E9", "V", &vl);
	struct sam_user_v u;
	CHECK(sam_v_parse(v, vl, &u, &err) == RS_OK);
	CHECK_STR(u.name, "AndrewRathbun");
	CHECK(u.nt_fmt == SAM_HASH_EMPTY && u.lm_fmt == SAM_HASH_EMPTY);
	free(v);
	v = value_of(h, SAM_KEY_USERS "\\000001F8", "V", &vl);
	CHECK(sam_v_parse(v, vl, &u, &err) == RS_OK);
	CHECK_STR(u.name, "WDAGUtilityAccount");
	CHECK(u.nt_fmt == SAM_HASH_AES);
	free(v);
	free(df);
	hivex_close(h);
	unlink(f);
	free(f);
}

int main(void)
{
	uint8_t m57[16] = { 0 }, dissect[16] = { 0 };
	test_nt_hash();
	test_bootkeys(m57, dissect);
	test_m57(m57, dissect);
	test_aes(dissect);
	return check_done("test-sam");
}
