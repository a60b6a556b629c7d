/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-blkeys.c - BitLocker recovery key files (rescue/disk/blkeys.h): the
 * forms technicians get, matched by key ID; malformed and hostile input
 * skipped without harm; keys never in a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rescue/base/utf16.h"
#include "rescue/disk/blkeys.h"

#define ID1 "9A2EC3BC-2C24-43B1-BB70-8A6F677D64A1"
#define ID2 "11111111-2222-3333-4444-555555555555"
#define KEY1 "297770-225016-486332-360613-711832-145068-029238-226589"
#define KEY2 "000011-000022-000033-000044-000055-000066-000077-000088"

static void parse_str(struct blk_ring *r, const char *name, const char *text)
{
	blk_parse(r, name, (const unsigned char *)text, strlen(text));
}

static void test_windows_txt(void)
{
	const char *txt = "BitLocker Drive Encryption recovery key\r\n\r\nIdentifier:\r\n\r\n\t" ID1 "\r\n\r\n"
			  "If the above identifier matches...\r\n\r\nRecovery Key:\r\n\r\n\t" KEY1 "\r\n";
	uint8_t *u16;
	size_t n;
	CHECK(utf8_to_utf16le(txt, &u16, &n) == 0);
	unsigned char *bom = malloc(n + 2);
	bom[0] = 0xff;
	bom[1] = 0xfe;
	memcpy(bom + 2, u16, n);
	struct blk_ring r = { 0 };
	blk_parse(&r, "keys/x.TXT", bom, n + 2);
	const struct blk_key *k = blk_find(&r, ID1);
	CHECK(k != NULL);
	if (k) {
		CHECK_STR(k->password, KEY1);
		CHECK_STR(k->source, "keys/x.TXT");
	}
	CHECK(blk_find(&r, ID2) == NULL);
	CHECK(blk_typed(&r, 0) == NULL);
	free(u16);
	free(bom);
	blk_free(&r);
	CHECK(r.n == 0 && r.keys == NULL);
}

static void test_csv_forms(void)
{
	struct blk_ring r = { 0 };
	/* Active Directory: the key ID is in the object's name, braces round it. */
	parse_str(&r, "ad.csv", "\"DistinguishedName\",\"msFVE-RecoveryPassword\"\r\n"
		  "\"CN=2026-01-05T10:11:12-08:00{" ID1 "},CN=PC1,DC=example,DC=org\",\"" KEY1 "\"\r\n");
	CHECK(blk_find(&r, ID1) != NULL);
	/* Intune: lower case, another device's key first. */
	parse_str(&r, "intune.csv", "Device,BitLocker Key Id,Recovery Key\nPC2,{11111111-2222-3333-4444-555555555555},"
		  KEY2 "\n");
	const struct blk_key *k = blk_find(&r, "11111111-2222-3333-4444-555555555555");
	CHECK(k != NULL && strcmp(k->password, KEY2) == 0);
	/* Plain ID,KEY, a UTF-8 BOM. */
	struct blk_ring p = { 0 };
	parse_str(&p, "plain", "\xef\xbb\xbf" ID2 "," KEY2 "\n");
	CHECK(blk_find(&p, ID2) != NULL);
	CHECK(blk_find(&p, "9a2ec3bc-2c24-43b1-bb70-8a6f677d64a1") == NULL);
	blk_free(&p);
	blk_free(&r);
}

static void test_bad_input(void)
{
	struct blk_ring r = { 0 };
	/* A typo (last digit): skipped and named by file:line, never with its digits. */
	parse_str(&r, "keys/typo.csv", "header\n" ID1 ",297770-225016-486332-360613-711832-145068-029238-226580\n");
	CHECK(r.n == 0 && r.bad == 1);
	CHECK_STR(r.first_bad, "keys/typo.csv:2: a recovery password whose checksum fails");
	/* Digits run on, too few groups, a GUID with a digit too many, a key with no ID. */
	parse_str(&r, "junk", ID1 "," KEY1 "1\n" ID1 ",297770-225016-486332\n" ID1 "0," KEY1 "\n" KEY1 "\n");
	CHECK(r.n == 0);
	/* A megabyte of digits and dashes without a newline: bounded, no key. */
	size_t big = 1 << 20;
	unsigned char *b = malloc(big);
	for (size_t i = 0; i < big; i++)
		b[i] = (unsigned char)(i % 7 == 6 ? '-' : '1' + i % 3);
	blk_parse(&r, "big", b, big);
	free(b);
	/* Odd UTF-16, empty files. */
	blk_parse(&r, "odd", (const unsigned char *)"\xff\xfe\x41", 3);
	blk_parse(&r, "empty", (const unsigned char *)"", 0);
	CHECK(r.n == 0);
	blk_free(&r);
}

static void test_typed(void)
{
	struct blk_ring r = { 0 };
	struct rs_error e = { 0 };
	CHECK(blk_add_typed(&r, "297770225016486332360613711832145068029238226589", &e) == RS_OK);
	const struct blk_key *k = blk_typed(&r, 0);
	CHECK(k != NULL && strcmp(k->password, KEY1) == 0 && k->nids == 0);
	CHECK(blk_find(&r, ID1) == NULL);
	CHECK(blk_add_typed(&r, "297770-225016-486332-360613-711832-145068-029238-226580", &e) == RS_EUSAGE);
	CHECK(strstr(e.msg, "group 8") != NULL);
	blk_free(&r);
}

int main(void)
{
	test_windows_txt();
	test_csv_forms();
	test_bad_input();
	test_typed();
	return check_done("blkeys");
}
