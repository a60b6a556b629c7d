/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-fileutil.c - text_next_line, which every line-based reader shares
 * (journal, C2 host list, rescue.conf, autoruns --detected lists), and
 * file_each_entry, the list files' reader (the C2 host and address lists):
 * comments and blank lines skipped, line numbers counted, the walk ended
 * by the callback, a missing file -1 with errno. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* file_each_entry's callback: "LINENO:ENTRY" joined with '|'; "stop" ends
 * the walk with 7. */
static int collect(void *user, char *entry, size_t lineno)
{
	char *out = user;
	size_t n = strlen(out);
	snprintf(out + n, 256 - n, "%s%zu:%s", n ? "|" : "", lineno, entry);
	return strcmp(entry, "stop") == 0 ? 7 : 0;
}

static void test_each_entry(void)
{
	char path[] = "/tmp/test-fileutil.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	static const char text[] = "# a comment\n  alpha  \n\nbeta # why\r\nstop\ngamma\n";
	CHECK_INT(write(fd, text, sizeof(text) - 1), (int)(sizeof(text) - 1));
	close(fd);
	char out[256] = "";
	CHECK_INT(file_each_entry(path, 1024, collect, out), 7);
	CHECK_STR(out, "2:alpha|4:beta|5:stop");
	out[0] = '\0';
	CHECK_INT(file_each_entry(path, 8, collect, out), -1);     /* over MAX */
	CHECK_INT(errno, EFBIG);
	unlink(path);
	CHECK_INT(file_each_entry(path, 1024, collect, out), -1);
	CHECK_INT(errno, ENOENT);
	CHECK_STR(out, "");
}

int main(void)
{
	test_each_entry();
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
