/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-datapath.c - rs_data_path, the one lookup of rescue's data files:
 * $RESCUE_RULES / $RESCUE_HASHES name their file as it is (even a missing
 * one: the caller fails on it), $RESCUE_DATA is a folder searched first for
 * every data file, and a file found nowhere is ENOENT. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rescue/base/datapath.h"
#include "tests/unit/check.h"

static void touch(const char *dir, const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
}

int main(void)
{
	char dir[] = "/tmp/test-datapath.XXXXXX", want[PATH_MAX], out[PATH_MAX];
	CHECK(mkdtemp(dir) != NULL);
	touch(dir, "c2-hosts.txt");
	touch(dir, RS_DATA_RULES);
	unsetenv("RESCUE_RULES");
	unsetenv("RESCUE_HASHES");
	setenv("RESCUE_DATA", dir, 1);

	/* $RESCUE_DATA: every data file, the rules too */
	snprintf(want, sizeof(want), "%s/c2-hosts.txt", dir);
	CHECK_INT(rs_data_path("c2-hosts.txt", out, sizeof(out)), 0);
	CHECK_STR(out, want);
	snprintf(want, sizeof(want), "%s/%s", dir, RS_DATA_RULES);
	CHECK_INT(rs_data_path(RS_DATA_RULES, out, sizeof(out)), 0);
	CHECK_STR(out, want);

	/* a file's own variable comes first and is taken as named */
	setenv("RESCUE_RULES", "/nonexistent/rules.yarc", 1);
	CHECK_INT(rs_data_path(RS_DATA_RULES, out, sizeof(out)), 0);
	CHECK_STR(out, "/nonexistent/rules.yarc");
	setenv("RESCUE_HASHES", "/nonexistent/hashes", 1);
	CHECK_INT(rs_data_path(RS_DATA_HASHES, out, sizeof(out)), 0);
	CHECK_STR(out, "/nonexistent/hashes");
	/* ... and only for its own file */
	snprintf(want, sizeof(want), "%s/c2-hosts.txt", dir);
	CHECK_INT(rs_data_path("c2-hosts.txt", out, sizeof(out)), 0);
	CHECK_STR(out, want);
	char small[8];
	errno = 0;
	CHECK_INT(rs_data_path(RS_DATA_RULES, small, sizeof(small)), -1);
	CHECK_INT(errno, ENAMETOOLONG);

	/* found nowhere */
	errno = 0;
	CHECK_INT(rs_data_path("no-such-data-file.txt", out, sizeof(out)), -1);
	CHECK_INT(errno, ENOENT);
	unsetenv("RESCUE_DATA");
	unsetenv("RESCUE_RULES");
	errno = 0;
	CHECK_INT(rs_data_path("c2-hosts.txt.missing", out, sizeof(out)), -1);
	CHECK_INT(errno, ENOENT);

	snprintf(want, sizeof(want), "%s/c2-hosts.txt", dir);
	unlink(want);
	snprintf(want, sizeof(want), "%s/%s", dir, RS_DATA_RULES);
	unlink(want);
	rmdir(dir);
	return check_done("test-datapath");
}
