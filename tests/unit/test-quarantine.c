/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-quarantine.c - rs_quarantine_refusal: which detections are never
 * quarantined (hives, their logs, Rescue/), by location and by the "regf"
 * signature, and which are (a worm's file beside a hive, a look-alike name
 * elsewhere).  The end-to-end proof is tests/e2e/t0560-quarantine-hives.sh. */
#include <stdint.h>
#include <string.h>

#include "rescue/scan/quarantine.h"
#include "tests/unit/check.h"

#define HIVE "registry hive"
#define LOG "registry hive log"
#define OWN "rescue's own file"

static const uint8_t regf[] = "regf\1\0\0\0";
static const uint8_t mz[] = "MZ\x90\0";

static const struct {
	const char *path, *stream;
	const uint8_t *data;
	const char *want;           /* the refusal's kind, NULL: may be quarantined */
} cases[] = {
	/* the hives where Windows keeps them, any case, whatever their content */
	{ "Windows/System32/config/SYSTEM", NULL, mz, HIVE },
	{ "WINDOWS/system32/CONFIG/software", NULL, mz, HIVE },
	{ "Windows/System32/config/SAM", NULL, regf, HIVE },
	{ "Windows/System32/config/SECURITY", NULL, regf, HIVE },
	{ "Windows/System32/config/DEFAULT", NULL, regf, HIVE },
	{ "Windows/System32/config/COMPONENTS", NULL, regf, HIVE },
	{ "Windows/System32/config/BCD-Template", NULL, regf, HIVE },
	{ "Windows/System32/config/RegBack/SYSTEM", NULL, regf, HIVE },
	{ "Windows/System32/config/systemprofile/NTUSER.DAT", NULL, regf, HIVE },
	{ "Windows/System32/config/systemprofile/AppData/Local/Microsoft/Windows/UsrClass.dat", NULL, regf, HIVE },
	{ "Windows/System32/SMI/Store/Machine/SCHEMA.DAT", NULL, regf, HIVE },
	{ "Windows/AppCompat/Programs/Amcache.hve", NULL, regf, HIVE },
	{ "Boot/BCD", NULL, regf, HIVE },
	{ "EFI/Microsoft/Boot/BCD", NULL, regf, HIVE },
	{ "Windows/Boot/DVD/EFI/BCD", NULL, regf, HIVE },
	{ "Users/bob/NTUSER.DAT", NULL, regf, HIVE },
	{ "Users/bob/ntuser.man", NULL, regf, HIVE },
	{ "Users/bob/AppData/Local/Microsoft/Windows/UsrClass.dat", NULL, regf, HIVE },
	{ "Windows/ServiceProfiles/LocalService/NTUSER.DAT", NULL, regf, HIVE },
	{ "Documents and Settings/pat/NTUSER.DAT", NULL, regf, HIVE },
	/* a stream of a hive: the hive stays untouched */
	{ "Windows/System32/config/SYSTEM", "evil", mz, HIVE },
	/* a renamed copy in a hive folder: its signature says what it is */
	{ "Windows/System32/config/SYSTEM.sav", NULL, regf, HIVE },
	{ "Windows/System32/config/copy", NULL, regf, HIVE },
	{ "Users/bob/backup.dat", NULL, regf, HIVE },
	/* elsewhere, a hive name holding a hive */
	{ "Windows.old/Windows/System32/config/SYSTEM", NULL, regf, HIVE },
	{ "D-profiles/bob/NTUSER.DAT", NULL, regf, HIVE },
	/* transaction logs */
	{ "Windows/System32/config/SYSTEM.LOG", NULL, NULL, LOG },
	{ "Windows/System32/config/SYSTEM.LOG1", NULL, NULL, LOG },
	{ "Windows/System32/config/software.log2", NULL, NULL, LOG },
	{ "Windows/System32/config/{016888bd-6c6f-11de-8d1d-001e0bcde3ec}.TM.blf", NULL, NULL, LOG },
	{ "Windows/System32/config/{016888bd-6c6f-11de-8d1d-001e0bcde3ec}.TMContainer00000000000000000001.regtrans-ms",
	  NULL, NULL, LOG },
	{ "Windows/System32/config/TxR/{016888cc-6c6f-11de-8d1d-001e0bcde3ec}.TxR.0.regtrans-ms", NULL, NULL, LOG },
	{ "Users/bob/NTUSER.DAT.LOG1", NULL, NULL, LOG },
	{ "Users/bob/ntuser.dat{53b39e88-18c4-11ea-a811-000d3aa4692b}.TM.blf", NULL, NULL, LOG },
	{ "Users/bob/AppData/Local/Microsoft/Windows/UsrClass.dat.LOG2", NULL, NULL, LOG },
	/* rescue's own folder (and a file that takes its name) */
	{ "Rescue", NULL, mz, OWN },
	{ "Rescue/journal.jsonl", NULL, NULL, OWN },
	{ "rescue/backup/20261123T115500Z/files/x.exe", NULL, mz, OWN },
	{ "/Rescue/quarantine/x.bin", NULL, NULL, OWN },
	/* what the worm drops is quarantined, even beside a hive */
	{ "Windows/System32/config/evil.exe", NULL, mz, NULL },
	{ "Windows/System32/config/SYSTEM.exe", NULL, mz, NULL },
	{ "Windows/System32/config/evil.log", NULL, NULL, NULL },
	{ "Users/bob/SAM.exe", NULL, mz, NULL },
	{ "Users/bob/notes.log", NULL, NULL, NULL },
	{ "Users/bob/AppData/Roaming/Microsoft/qbot/NTUSER.DAT", NULL, mz, NULL },
	{ "Users/bob/Downloads/SYSTEM", NULL, mz, NULL },
	{ "Users/bob/Downloads/hive.dat", NULL, regf, NULL },
	{ "RescueMe/x.exe", NULL, mz, NULL },
	{ "Users/bob/Rescue/x.exe", NULL, mz, NULL },
	{ "SYSTEM", NULL, mz, NULL },
	{ "Windows/System32/configx/SYSTEM", NULL, mz, NULL },
	{ "Users/bob/Downloads/hive.dat", "stream", regf, NULL },   /* a stream's bytes are not a hive */
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const uint8_t *d = cases[i].data;
		size_t len = d ? 8 : 0;
		const struct rs_quarantine_refusal *r = rs_quarantine_refusal(cases[i].path, cases[i].stream, d, len);
		if (cases[i].want)
			CHECK_STR(r ? r->kind : NULL, cases[i].want);
		else if (r)
			CHECK_STR(cases[i].path, "(quarantinable)");
		else
			CHECK(r == NULL);
		CHECK(!r || (r->why && *r->why));
	}
	/* a short file is no hive by content */
	CHECK(rs_quarantine_refusal("Users/bob/x", NULL, (const uint8_t *)"reg", 3) == NULL);
	return check_done("test-quarantine");
}
