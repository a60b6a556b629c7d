/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-confine.c - the confined file layer on a hostile tree: links at every
 * place of a path, "..", FIFOs, a planted temporary name.  Every refusal must
 * leave the canary outside the root unchanged, and nothing may block (an
 * alarm turns a hang into a failure). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "rescue/base/confine.h"
#include "rescue/base/error.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/winpath.h"
#include "tests/unit/check.h"

static char top[PATH_MAX], root[PATH_MAX], outside[PATH_MAX];

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* The canary outside the root still holds "canary" with mode 0600. */
static int canary_intact(void)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/canary", outside);
	uint8_t *data;
	size_t len;
	struct stat st;
	if (stat(p, &st) != 0 || (st.st_mode & 07777) != 0600)
		return 0;
	if (file_read_all(p, 1024, &data, &len) != 0)
		return 0;
	int ok = len == 6 && memcmp(data, "canary", 6) == 0;
	free(data);
	return ok;
}

static void in_root(char *out, const char *rel)
{
	snprintf(out, PATH_MAX, "%s/%s", root, rel);
}

int main(void)
{
	alarm(20);
	snprintf(top, sizeof(top), "%s/rescue-confine.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(top))
		return 1;
	snprintf(root, sizeof(root), "%s/vol", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	mkdir(root, 0755);
	mkdir(outside, 0755);
	char p[PATH_MAX], q[PATH_MAX];
	snprintf(p, sizeof(p), "%s/canary", outside);
	put(p, "canary");
	chmod(p, 0600);

	/* The hostile tree: Rescue is a link out, hosts is a link to the
	 * canary, a relative link climbs out, a FIFO where a file should be. */
	in_root(p, "Rescue");
	CHECK(symlink(outside, p) == 0);
	in_root(p, "etc");
	mkdir(p, 0755);
	in_root(p, "etc/hosts");
	snprintf(q, sizeof(q), "%s/canary", outside);
	CHECK(symlink(q, p) == 0);
	in_root(p, "etc/rel");
	CHECK(symlink("../../outside/canary", p) == 0);
	in_root(p, "etc/fifo");
	CHECK(mkfifo(p, 0644) == 0);
	in_root(p, "etc/plain");
	put(p, "plain");

	CHECK_INT(confine_root_add(root), 0);

	uint8_t *data = NULL;
	size_t len;
	/* Reads never follow a link, never block on a FIFO. */
	in_root(p, "etc/hosts");
	CHECK_INT(file_read_all(p, 1024, &data, &len), -1);
	CHECK_INT(errno, ELOOP);
	CHECK_STR(confine_refusal(ELOOP), "etc/hosts is a link on the volume: not followed");
	in_root(p, "etc/fifo");
	CHECK_INT(file_read_all(p, 1024, &data, &len), -1);
	CHECK_INT(errno, EINVAL);
	CHECK(confine_refusal(EINVAL) && strstr(confine_refusal(EINVAL), "FIFO"));
	in_root(p, "etc/plain");
	CHECK_INT(file_read_all(p, 1024, &data, &len), 0);
	free(data);
	/* Appending to a FIFO (a journal) is refused by name, not ENXIO. */
	in_root(p, "etc/fifo");
	CHECK_INT(confine_open(p, O_WRONLY | O_APPEND | O_CREAT, 0644), -1);
	CHECK_INT(errno, EINVAL);
	CHECK_STR(confine_refusal(EINVAL), "etc/fifo is not a regular file: refused");

	/* The refusal reaches the one-line error. */
	struct rs_error err = {0};
	in_root(p, "Rescue/backup/x");
	CHECK_INT(file_read_all(p, 1024, &data, &len), -1);
	rs_fail_errno(&err, RS_EPARTIAL, errno, "cannot back up hosts");
	CHECK_STR(err.msg, "cannot back up hosts: Rescue is a link on the volume: not followed");
	rs_fail_errno(&err, RS_EPARTIAL, ELOOP, "%s", "Rescue");      /* the name is not said twice */
	CHECK_STR(err.msg, "Rescue is a link on the volume: not followed");
	rs_fail_errno(&err, RS_EPARTIAL, ELOOP, "undo: %s", "Rescue");
	CHECK_STR(err.msg, "undo: Rescue is a link on the volume: not followed");
	rs_fail_errno(&err, RS_EPARTIAL, ELOOP, "cannot open %s", "Rescue");
	CHECK_STR(err.msg, "cannot open Rescue: Rescue is a link on the volume: not followed");

	/* Writes: through a link folder, over a link, beside it, upward. */
	in_root(p, "Rescue/journal.jsonl");
	CHECK_INT(file_write_atomic(p, "x", 1), -1);
	CHECK_INT(winpath_mkdirs(p, 0755), -1);
	in_root(p, "etc/hosts");
	CHECK_INT(file_write_atomic(p, "x", 1), 0);          /* replaces the link itself */
	struct stat st;
	CHECK(lstat(p, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644);
	in_root(p, "etc/../../outside/canary");
	CHECK_INT(file_write_atomic(p, "x", 1), -1);
	CHECK_INT(confine_unlink(p), -1);
	in_root(p, "etc/rel");
	CHECK_INT(confine_chmod(p, 0777), -1);
	in_root(q, "Rescue/new");
	CHECK_INT(file_copy_new(p, q), -1);
	in_root(p, "etc/plain");
	CHECK_INT(file_copy_new(p, q), -1);
	in_root(q, "etc/rel");
	CHECK_INT(file_copy_new(p, q), -1);                  /* an existing name, a link: EEXIST */
	in_root(p, "Rescue/x");
	in_root(q, "etc/moved");
	CHECK_INT(confine_rename(p, q, 0), -1);

	/* Folders: a link on the way is refused, new ones are made. */
	in_root(p, "etc/new/deeper");
	CHECK_INT(confine_mkdirs(p, 0755), 0);
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	DIR *d = confine_opendir(p);
	CHECK(d != NULL);
	if (d)
		closedir(d);
	in_root(p, "Rescue");
	CHECK(confine_opendir(p) == NULL);
	CHECK(lstat(p, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK_INT(confine_lstat_nolink(p, &st), -1);

	/* Temporary files: new names only, never an existing one. */
	char tmp[PATH_MAX];
	in_root(p, "etc/plain");
	int fd = confine_tmpfile(p, tmp, sizeof(tmp));
	CHECK(fd >= 0);
	CHECK(strstr(tmp, "/etc/plain.rescue-tmp.") != NULL);
	if (fd >= 0)
		close(fd);
	CHECK_INT(confine_unlink(tmp), 0);

	/* winpath: a link is no way on, case-insensitively either. */
	char out[PATH_MAX];
	CHECK_INT(winpath_resolve(root, "RESCUE/backup", out, sizeof(out)), -1);
	CHECK_INT(winpath_resolve(root, "ETC/Rel", out, sizeof(out)), -1);
	CHECK_INT(winpath_resolve(root, "etc/PLAIN", out, sizeof(out)), 0);

	/* Extended attributes: on the entry itself, never through a link. */
	char xv[16];
	in_root(p, "etc/plain");
	CHECK_INT(confine_setxattr(p, "user.rescue", "v1", 2, 0), 0);
	CHECK(confine_getxattr(p, "user.rescue", xv, sizeof(xv)) == 2 && memcmp(xv, "v1", 2) == 0);
	CHECK(confine_listxattr(p, xv, sizeof(xv)) > 0);
	CHECK_INT(confine_removexattr(p, "user.rescue"), 0);
	CHECK(confine_getxattr(p, "user.rescue", xv, sizeof(xv)) == -1 && errno == ENODATA);
	in_root(p, "etc/rel");                           /* a link to the canary */
	CHECK_INT(confine_setxattr(p, "user.rescue", "v1", 2, 0), -1);
	in_root(p, "Rescue/canary");                     /* through a link folder */
	CHECK_INT(confine_setxattr(p, "user.rescue", "v1", 2, 0), -1);
	CHECK_INT(errno, ELOOP);
	CHECK(confine_getxattr(p, "user.rescue", xv, sizeof(xv)) == -1 && errno == ELOOP);
	CHECK_INT(confine_removexattr(p, "user.rescue"), -1);
	snprintf(q, sizeof(q), "%s/canary", outside);
	CHECK(lgetxattr(q, "user.rescue", xv, sizeof(xv)) == -1 && errno == ENODATA);
	CHECK(confine_getxattr(root, "user.none", xv, sizeof(xv)) == -1 && errno == ENODATA);
	in_root(p, "etc/fifo");
	CHECK_INT(confine_open(p, O_RDONLY, 0), -1);
	CHECK(strstr(confine_strerror(EINVAL), "etc/fifo is a FIFO") != NULL);
	CHECK_STR(confine_strerror(ENOENT), strerror(ENOENT));

	CHECK(canary_intact());
	confine_root_remove(root);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		return 1;
	return check_done("confine");
}
