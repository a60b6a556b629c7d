/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-ioc.c - LOKI's formats as rescue reads them: Python regexes of the
 * filename IOCs translated to POSIX (each case's answer is the one Python's
 * re.search gives: checked with python3 when the table was written), the
 * lines that cannot be translated refused, LOKI's filetype names from magic
 * bytes, and the externals of a file. */
#define _GNU_SOURCE
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rescue/scan/externals.h"
#include "rescue/scan/ioc.h"

static const struct { const char *re, *subject; bool python; } regex_cases[] = {
	{ "(?i)\\\\mimikatz\\.exe$", "C:\\Users\\x\\MIMIKATZ.EXE", true },
	{ "\\\\mimikatz\\.exe$", "C:\\Users\\x\\MIMIKATZ.EXE", false },     /* case-sensitive without (?i) */
	{ "\\\\lsass[_0-9\\-\\.]{1,2}\\.(dmp|DMP)", "C:\\Temp\\lsass-1.dmp", true },
	{ "\\\\lsass[_0-9\\-\\.]{1,2}\\.(dmp|DMP)", "C:\\Temp\\lsassX1.dmp", false },
	{ "\\\\[\\w]{1,20}_[0-9]{4}\\.log", "C:\\a\\abc_d_1234.log", true },
	{ "\\\\[\\w]{1,20}_[0-9]{4}\\.log", "C:\\a\\ab-c_1234.log", false },
	{ "\\\\AppData\\\\[^\\\\/\\\"]{1,64}\\.exe([^._\\\"\\\\\\]]|$)", "C:\\Users\\b\\AppData\\evil.exe", true },
	{ "\\\\AppData\\\\[^\\\\/\\\"]{1,64}\\.exe([^._\\\"\\\\\\]]|$)", "C:\\Users\\b\\AppData\\x\\evil.exe", false },
	{ "\\\\Temp\\\\\\d{3,}\\.exe", "C:\\Windows\\Temp\\12345.exe", true },
	{ "\\\\Temp\\\\\\d{3,}\\.exe", "C:\\Windows\\Temp\\12a45.exe", false },
	{ "(?:svc|srv)host\\.exe", "C:\\x\\srvhost.exe", true },
	{ "\\\\a.*?b\\.exe", "C:\\x\\aZZb.exe", true },
	{ "[]x]y", "]y", true },
};

static void test_regex_translation(void)
{
	for (size_t i = 0; i < sizeof(regex_cases) / sizeof(regex_cases[0]); i++) {
		char ere[512];
		bool icase;
		const char *why;
		CHECK_INT(rs_ioc_regex_translate(regex_cases[i].re, ere, sizeof(ere), &icase, &why), 0);
		regex_t re;
		int e = regcomp(&re, ere, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
		CHECK_INT(e, 0);
		if (e)
			continue;
		bool got = regexec(&re, regex_cases[i].subject, 0, NULL, 0) == 0;
		if (got != regex_cases[i].python)
			fprintf(stderr, "# %s on %s: %d, python %d (ERE %s)\n", regex_cases[i].re, regex_cases[i].subject,
				got, regex_cases[i].python, ere);
		CHECK(got == regex_cases[i].python);
		regfree(&re);
	}
	/* Python-only syntax is refused, never guessed at. */
	static const char *const refused[] = { "(?<=Temp)x", "(?!a)b", "(?P<n>x)", "a(?i)b", "\\Aabc", "(a)\\1",
					       "[\\D]", "abc\\" };
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char ere[64];
		bool icase;
		const char *why = NULL;
		CHECK_INT(rs_ioc_regex_translate(refused[i], ere, sizeof(ere), &icase, &why), -1);
		CHECK(why != NULL);
	}
}

/* The literal the scan looks for before the regex: required by every
 * match, or none. */
static void test_regex_literal(void)
{
	static const struct { const char *re, *need; bool icase; } cases[] = {
		{ "(?i)\\\\mimikatz\\.exe$", "\\mimikatz.exe", true },
		{ "(?i)\\\\procdump(64)?\\.exe", "\\procdump", true },
		{ "\\\\lsass[_0-9\\-\\.]{1,2}\\.(dmp|DMP)", "\\lsass", false },
		{ "ab?cdef", "cdef", false },                     /* b optional: not joined */
		{ "abcd{0,2}efgh", "efgh", false },               /* d optional; nothing from inside {} */
		{ "xyz+w", "xyz", false },
		{ "svchost\\.exe|svhost", "", false },            /* alternation at the top */
		{ "(a|b)cde", "cde", false },                     /* inside a group: fine */
		{ "\\d{3}\\.tmp", ".tmp", false },
		{ "ab", "", false },                              /* too short */
		{ "[abc]def*", "", false },                       /* "de" is too short */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char need[64];
		bool icase = rs_ioc_regex_literal(cases[i].re, need, sizeof(need));
		const char *want = strlen(cases[i].need) >= 3 ? cases[i].need : "";
		if (strcmp(need, want) != 0)
			fprintf(stderr, "# literal of %s: [%s], want [%s]\n", cases[i].re, need, want);
		CHECK_STR(need, want);
		CHECK(icase == cases[i].icase);
	}
	/* every match Python finds holds the literal */
	for (size_t i = 0; i < sizeof(regex_cases) / sizeof(regex_cases[0]); i++) {
		char need[64];
		bool icase = rs_ioc_regex_literal(regex_cases[i].re, need, sizeof(need));
		if (regex_cases[i].python && need[0])
			CHECK((icase ? strcasestr : strstr)(regex_cases[i].subject, need) != NULL);
	}
}

static void test_filetype(void)
{
	static const struct { const char *bytes; size_t len; const char *type; } cases[] = {
		{ "MZ\x90\0", 4, "EXE" }, { "\x7f" "ELF\2", 5, "ELF" }, { "\xcf\xfa\xed\xfe", 4, "MACH-O" },
		{ "MDMP\x93\xa7", 6, "MDMP" }, { "{\\rtf1", 6, "RTF" }, { "<?PHP echo", 10, "PHP" },
		{ "<%@ page import", 15, "JSP" }, { "<%@ Page Language", 17, "ASP" }, { "@ECHO OFF\r\n", 11, "BATCH" },
		{ "PK\3\4", 4, "ZIP" }, { "M", 1, "" }, { "hello", 5, "" }, { "", 0, "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(rs_ext_filetype((const uint8_t *)cases[i].bytes, cases[i].len), cases[i].type);
}

static void test_externals(void)
{
	struct rs_ext_values x;
	CHECK_INT(rs_ext_values_fill(&x, "Users/bob/AppData/Evil.EXE", NULL, (const uint8_t *)"MZ", 2, "root"), 0);
	CHECK_STR(x.v[RS_EXT_FILENAME], "Evil.EXE");
	CHECK_STR(x.v[RS_EXT_FILEPATH], "C:\\Users\\bob\\AppData");
	CHECK_STR(x.v[RS_EXT_EXTENSION], ".exe");
	CHECK_STR(x.v[RS_EXT_FILETYPE], "EXE");
	CHECK_STR(x.v[RS_EXT_OWNER], "root");
	CHECK_STR(x.v[RS_EXT_RELPATH], "Users/bob/AppData/Evil.EXE");
	rs_ext_values_free(&x);
	/* at the root, a dot file, a stream */
	CHECK_INT(rs_ext_values_fill(&x, ".hidden", NULL, (const uint8_t *)"", 0, NULL), 0);
	CHECK_STR(x.v[RS_EXT_FILEPATH], "C:\\");
	CHECK_STR(x.v[RS_EXT_EXTENSION], "");
	CHECK_STR(x.v[RS_EXT_OWNER], "");
	rs_ext_values_free(&x);
	CHECK_INT(rs_ext_values_fill(&x, "Temp/a.txt", "z.ps1", (const uint8_t *)"x", 1, NULL), 0);
	CHECK_STR(x.v[RS_EXT_FILENAME], "a.txt:z.ps1");
	CHECK_STR(x.v[RS_EXT_EXTENSION], ".ps1");
	CHECK_STR(x.v[RS_EXT_RELPATH], "Temp/a.txt:z.ps1");
	rs_ext_values_free(&x);
}

int main(void)
{
	test_regex_translation();
	test_regex_literal();
	test_filetype();
	test_externals();
	return check_done("test-ioc");
}
