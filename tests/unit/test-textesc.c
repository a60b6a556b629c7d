/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-textesc.c - untrusted text on a terminal and in JSON: every class of
 * byte escaped as textesc.h promises, the %s-only escaping of
 * textesc_printf, JSON's exact round trip (surrogateescape for invalid
 * UTF-8) and the WTF-8 form of lone UTF-16 surrogates from a hive. */
#define _GNU_SOURCE     /* open_memstream */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rescue/base/json.h"
#include "rescue/base/textesc.h"
#include "rescue/base/utf16.h"

/* Each class of byte textesc.h names, and what the terminal must see. */
static const struct { const char *in, *shown; } text_cases[] = {
	{ "plain name.exe", "plain name.exe" },
	{ "HKLM\\Software\\Run", "HKLM\\Software\\Run" },       /* nothing else escaped: as it is */
	{ "back\\slash\n", "back\\\\slash\\n" },               /* with an escape: doubled */
	{ "new\nrescue: VERDICT GREEN", "new\\nrescue: VERDICT GREEN" },
	{ "cr\rover", "cr\\rover" },
	{ "tab\there", "tab\\there" },
	{ "\x1b[2J\x1b]0;title\x07", "\\e[2J\\e]0;title\\x07" },
	{ "nul-less \x01\x1f\x7f", "nul-less \\x01\\x1f\\x7f" },
	{ "csi8 \xc2\x9b" "31m", "csi8 \\xc2\\x9b31m" },          /* U+009B as UTF-8 */
	{ "nel \xc2\x85 end", "nel \\xc2\\x85 end" },              /* U+0085 */
	{ "raw \x9b" "31m", "raw \\x9b31m" },                      /* lone C1 byte */
	{ "latin1 caf\xe9", "latin1 caf\\xe9" },
	{ "cut \xe2\x82", "cut \\xe2\\x82" },                      /* truncated sequence */
	{ "overlong \xc0\xaf", "overlong \\xc0\\xaf" },
	{ "surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80" }, /* WTF-8 */
	{ "beyond \xf4\x90\x80\x80", "beyond \\xf4\\x90\\x80\\x80" },
	{ "evil\xe2\x80\xaegnp.exe", "evil\\u202egnp.exe" },       /* RLO */
	{ "iso\xe2\x81\xa6x\xe2\x81\xa9", "iso\\u2066x\\u2069" },
	{ "mark\xe2\x80\x8f\xd8\x9c", "mark\\u200f\\u061c" },
	{ "line\xe2\x80\xa8sep", "line\\u2028sep" },
	{ "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80" },
};

static void test_escape_table(void)
{
	for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		char *got = textesc_dup(text_cases[i].in);
		CHECK_STR(got, text_cases[i].shown);
		CHECK_INT(textesc_put(NULL, text_cases[i].in, (size_t)-1), strlen(text_cases[i].shown));
		free(got);
	}
}

static char *printed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *printed(const char *fmt, ...)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	va_list ap;
	va_start(ap, fmt);
	int n = textesc_vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	CHECK_INT(n, len);
	return buf;
}

static void test_printf(void)
{
	/* The format is rescue's own (newlines and colours kept); only %s is escaped. */
	char *s = printed("\033[1m%s\033[0m\n", "a\nrescue: VERDICT GREEN");
	CHECK_STR(s, "\033[1ma\\nrescue: VERDICT GREEN\033[0m\n");
	free(s);
	s = printed("[%-6s|%6s|%.3s|%*s|%-*s|%.*s]", "a\tb", "x", "\x1b" "bc", 4, "y", 3, "z", 2, "\x1b");
	CHECK_STR(s, "[a\\tb  |     x|\\eb|   y|z  |\\e]");
	free(s);
	/* A precision never cuts an escape or a character in two. */
	s = printed("%.5s|%.3s", "\xc3\xa9\xc3\xa9\xc3\xa9", "ab\x1b");
	CHECK_STR(s, "\xc3\xa9\xc3\xa9|ab");
	free(s);
	s = printed("%d %ld %lld %zu %u %x %02x %5.1f %c %c %%", -1, -2L, -3LL, (size_t)4, 5u, 255u, 7u, 2.25, 'q', '\n');
	CHECK_STR(s, "-1 -2 -3 4 5 ff 07   2.2 q \\n %");
	free(s);
}

/* JSON: the exact bytes back through json_put_str and json_parse_flat. */
static void test_json_round_trip(void)
{
	for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		json_put_member(f, "{", "s", text_cases[i].in);
		fputc('}', f);
		fclose(f);
		/* Nothing a terminal acts on is left raw in the JSON text. */
		for (size_t k = 0; k < len; k++)
			CHECK((unsigned char)buf[k] >= 0x20 && (unsigned char)buf[k] != 0x7f);
		CHECK(strstr(buf, "\xc2\x9b") == NULL && strstr(buf, "\xe2\x80\xae") == NULL);
		struct json_object o;
		CHECK_INT(json_parse_flat(buf, &o), 0);
		CHECK_STR(json_get_str(&o, "s", NULL), text_cases[i].in);
		json_object_free(&o);
		free(buf);
	}
	/* The spelling of an invalid byte is a lone low surrogate, never the
	 * Latin-1 character of the same number. */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_put_str(f, "caf\xe9 caf\xc3\xa9 \x1b\xc2\x9b");
	fclose(f);
	CHECK_STR(buf, "\"caf\\udce9 caf\xc3\xa9 \\u001b\\u009b\"");
	free(buf);
	struct json_object o;
	CHECK_INT(json_parse_flat("{\"a\":\"\\u00e9\\udce9\\ud83d\\ude00\"}", &o), 0);
	CHECK_STR(json_get_str(&o, "a", NULL), "\xc3\xa9\xe9\xf0\x9f\x98\x80");
	json_object_free(&o);
}

/* A hive name with a lone surrogate stays distinguishable and goes back
 * into the same UTF-16. */
static void test_utf16_lone_surrogate(void)
{
	static const uint8_t name[] = { 'a', 0, 0x00, 0xD8, 'b', 0, 0x01, 0xDC, 0x3D, 0xD8, 0x00, 0xDE };
	char *s = utf16le_to_utf8(name, sizeof(name));
	CHECK_STR(s, "a\xed\xa0\x80" "b\xed\xb0\x81\xf0\x9f\x98\x80");
	char *shown = textesc_dup(s);
	CHECK_STR(shown, "a\\xed\\xa0\\x80b\\xed\\xb0\\x81\xf0\x9f\x98\x80");
	free(shown);
	uint8_t *w;
	size_t n;
	CHECK_INT(utf8_to_utf16le(s, &w, &n), 0);
	CHECK_INT(n, sizeof(name));
	CHECK(n == sizeof(name) && memcmp(w, name, n) == 0);
	free(w);
	free(s);
	CHECK_INT(utf8_to_utf16le("\xc0\xaf", &w, &n), -1);
	CHECK_INT(utf8_to_utf16le("x\xed\xa0", &w, &n), -1);
	unsigned cp;
	CHECK_INT(utf8_decode("\xe0\x80\x80", &cp), 0);
	CHECK_INT(utf8_decode("\xf4\x8f\xbf\xbf", &cp), 4);
	CHECK_INT(cp, 0x10FFFF);
}

int main(void)
{
	test_escape_table();
	test_printf();
	test_json_round_trip();
	test_utf16_lone_surrogate();
	return check_done("test-textesc");
}
