/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-fileutil.c - text_next_line, which every line-based reader shares
 * (journal, C2 host list, rescue.conf, autoruns --detected lists). */
#include <string.h>

#include "rescue/base/fileutil.h"
#include "tests/unit/check.h"

/* Split TEXT and join the lines with '|' into OUT. */
static void split(const char *text, char *out, size_t len)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", text);
	out[0] = '\0';
	char *cursor = buf;
	for (char *line; (line = text_next_line(&cursor));) {
		size_t n = strlen(out);
		snprintf(out + n, len - n, "%s%s", n ? "|" : "", line);
	}
}

int main(void)
{
	char out[256];
	split("a\nb\n", out, sizeof(out));
	CHECK_STR(out, "a|b");
	split("a\nb", out, sizeof(out));           /* no newline at the end */
	CHECK_STR(out, "a|b");
	split("a\n\nb\n", out, sizeof(out));       /* an empty line in the middle is a line */
	CHECK_STR(out, "a||b");
	split("a\r\nb\r\n", out, sizeof(out));     /* CR is the caller's to trim */
	CHECK_STR(out, "a\r|b\r");
	split("", out, sizeof(out));
	CHECK_STR(out, "");
	char *null_cursor = NULL;
	CHECK(text_next_line(&null_cursor) == NULL);
	return check_done("fileutil");
}
