/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-secdesc.c - NTFS security descriptors (rescue/volume/secdesc.h): a
 * hostile one read right, Windows' defaults built and read back, and
 * malformed ones (truncated, offsets and counts out of range, random damage)
 * refused with a reason and never read out of bounds (run under ASan by
 * `make tests-asan`).  The e2e test t2070 checks the written result with
 * ntfssecaudit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rescue/volume/secdesc.h"

/* What a worm sets through ntfs-3g: owner S-1-5-21-1-2-3-1001 (a local user),
 * group SYSTEM, a DACL whose first entry denies Everyone full control
 * (object and container inherit), then allows it.  Laid out by hand from the
 * documented format: header, owner, group, DACL. */
static const char hostile_hex[] =
	"01000480" "14000000" "30000000" "00000000" "3c000000"
	"010500000000000515000000010000000200000003000000e9030000"
	"010100000000000512000000"
	"0200300002000000"
	"01031400ff011f00010100000000000100000000"
	"00031400ff011f00010100000000000100000000";

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return n;
}

static int parse(const uint8_t *b, size_t n, struct secdesc *sd, char *why)
{
	return secdesc_parse(b, n, sd, why, 256);
}

static void test_hostile(void)
{
	uint8_t b[256];
	size_t n = unhex(hostile_hex, b);
	struct secdesc sd;
	char why[256] = "", sid[128];
	CHECK_INT(parse(b, n, &sd, why), 0);
	CHECK(sd.has_owner && sd.has_group);
	sd_sid_format(&sd.owner, sid, sizeof(sid));
	CHECK_STR(sid, "S-1-5-21-1-2-3-1001");
	CHECK(!sd_owner_usual(&sd.owner));
	CHECK_STR(sd_sid_name(&sd.group), "SYSTEM");
	CHECK_INT(sd.nace, 2);
	CHECK(sd_ace_is_deny(&sd.ace[0]) && !sd_ace_is_deny(&sd.ace[1]));
	CHECK_STR(sd_sid_name(&sd.ace[0].sid), "Everyone");
	CHECK_INT(sd.ace[0].mask, 0x1f01ff);
	secdesc_free(&sd);
}

static void test_defaults(void)
{
	static const struct { enum secfolder_parent p; bool folder; size_t nace; } cases[] = {
		{ SECFOLDER_PROGRAM_FILES, true, 13 }, { SECFOLDER_PROGRAM_FILES, false, 5 },
		{ SECFOLDER_PROGRAM_DATA, true, 5 }, { SECFOLDER_PROGRAM_DATA, false, 3 },
	};
	struct sd_sid ti;
	CHECK_INT(sd_sid_parse("S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464", &ti), 0);
	CHECK_STR(sd_sid_name(&ti), "TrustedInstaller");
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint8_t *b;
		size_t n;
		CHECK_INT(secdesc_build_default(cases[c].p, cases[c].folder, &ti, NULL, 0, &b, &n), 0);
		struct secdesc sd;
		char why[256] = "";
		CHECK_INT(parse(b, n, &sd, why), 0);
		CHECK(sd.has_owner && sd_sid_equal(&sd.owner, &ti));
		CHECK_STR(sd_sid_name(&sd.group), "SYSTEM");
		CHECK_INT(sd.nace, cases[c].nace);
		CHECK(sd.control & SD_DACL_AUTO_INHERITED);
		size_t deny = 0, inherited = 0;
		for (size_t i = 0; i < sd.nace; i++) {
			deny += sd_ace_is_deny(&sd.ace[i]);
			inherited += (sd.ace[i].flags & SD_ACE_INHERITED) != 0;
		}
		CHECK_INT(deny, 0);
		CHECK_INT(inherited, sd.nace);
		secdesc_free(&sd);
		free(b);
	}
}

/* The same descriptor with its parts in another order (as ntfs-3g stores
 * them: DACL first) says the same. */
static void test_same(void)
{
	static const char reordered_hex[] =
		"01000480" "44000000" "60000000" "00000000" "14000000"
		"0200300002000000"
		"01031400ff011f00010100000000000100000000"
		"00031400ff011f00010100000000000100000000"
		"010500000000000515000000010000000200000003000000e9030000"
		"010100000000000512000000";
	uint8_t a[256], b[256];
	size_t na = unhex(hostile_hex, a), nb = unhex(reordered_hex, b);
	struct secdesc x, y;
	char why[256];
	CHECK_INT(parse(a, na, &x, why), 0);
	CHECK_INT(parse(b, nb, &y, why), 0);
	CHECK(secdesc_same(&x, &y));
	y.ace[0].type = 0;
	CHECK(!secdesc_same(&x, &y));
	secdesc_free(&x);
	secdesc_free(&y);
}

/* Patch the hostile descriptor at OFF with HEX; it must be refused and the
 * reason must name WHAT. */
static void refused(size_t off, const char *hex, const char *what)
{
	uint8_t b[256];
	size_t n = unhex(hostile_hex, b);
	unhex(hex, b + off);
	struct secdesc sd;
	char why[256] = "";
	int rc = parse(b, n, &sd, why);
	if (rc == 0)
		printf("# patch at %zu accepted\n", off);
	CHECK_INT(rc, -1);
	if (rc == 0)
		secdesc_free(&sd);
	else if (!strstr(why, what))
		printf("# reason \"%s\" does not name \"%s\"\n", why, what);
	CHECK(rc != 0 && strstr(why, what) != NULL);
}

static void test_malformed(void)
{
	refused(0, "02", "revision");
	refused(2, "0400", "self-relative");
	refused(21, "0f", "overlaps");              /* 15 sub-authorities: over the group and DACL */
	refused(21, "1f", "owner");                 /* 31 sub-authorities: more than a SID has */
	refused(4, "f0ff0000", "owner");            /* owner far outside */
	refused(4, "04000000", "owner");            /* owner inside the header */
	refused(8, "6a000000", "group");            /* group runs past the end */
	refused(8, "20000000", "overlaps");         /* group inside the owner */
	refused(16, "ffffff7f", "DACL");            /* DACL outside */
	refused(60, "03", "DACL revision");
	refused(62, "ff00", "DACL");                /* ACL size past the end */
	refused(64, "0300", "entry 3");             /* 3 entries, 2 there */
	refused(64, "ffff", "entries");             /* a count no ACL can hold */
	refused(70, "0000", "bad size");            /* entry size 0: no endless loop */
	refused(70, "0600", "bad size");            /* not a multiple of 4 */
	refused(70, "0800", "SID");                 /* too small for its SID */
	refused(77, "0f", "SID");                   /* the entry's SID runs past the entry */

	/* Every truncation: refused or read, never out of bounds. */
	uint8_t b[256];
	size_t n = unhex(hostile_hex, b);
	size_t ok = 0;
	for (size_t len = 0; len < n; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, b, len);
		struct secdesc sd;
		char why[256];
		if (parse(copy, len, &sd, why) == 0) {
			ok++;
			secdesc_free(&sd);
		}
		free(copy);
	}
	CHECK_INT(ok, 0);

	/* Random damage (a fixed seed: the same bytes every run). */
	uint32_t seed = 12345;
	for (int round = 0; round < 20000; round++) {
		uint8_t *copy = malloc(n);
		memcpy(copy, b, n);
		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % n] = (uint8_t)(seed >> 20);
		}
		struct secdesc sd;
		char why[256];
		if (parse(copy, n, &sd, why) == 0) {
			CHECK(sd.nace <= SD_MAX_ACES);
			secdesc_free(&sd);
		}
		free(copy);
	}
	CHECK(1);
}

static void test_sid_strings(void)
{
	struct sd_sid s;
	char buf[200];
	CHECK_INT(sd_sid_parse("S-1-5-32-544", &s), 0);
	sd_sid_format(&s, buf, sizeof(buf));
	CHECK_STR(buf, "S-1-5-32-544");
	CHECK_STR(sd_sid_name(&s), "Administrators");
	CHECK(sd_owner_usual(&s));
	CHECK_INT(sd_sid_parse("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16", &s), -1);
	CHECK_INT(sd_sid_parse("S-1-", &s), -1);
	CHECK_INT(sd_sid_parse("S-1-5-x", &s), -1);
	CHECK_INT(sd_sid_parse("S-1-5-4294967296", &s), -1);
}

int main(void)
{
	test_hostile();
	test_defaults();
	test_same();
	test_malformed();
	test_sid_strings();
	return check_done("secdesc");
}
