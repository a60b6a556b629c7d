/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/safefile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/base/journal.h"
#include "rescue/base/confine.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/winpath.h"

/* Files we edit are small (hosts, task XML, hives up to a few hundred MB). */
#define SAFEFILE_MAX ((size_t)1 << 30)

/* Copy the current content of FILE (REL inside the volume) under
 * Rescue/backup/<stamp>/files/REL; the volume-relative backup path goes to
 * BACKUP_REL. */
static int backup_file(struct rs_ctx *ctx, const char *rel, const char *file, char *backup_rel,
		       size_t len, struct rs_error *err)
{
	char sub[PATH_MAX], dir[PATH_MAX], dest[PATH_MAX], uniq[PATH_MAX];
	const char *real_rel = winpath_relative(ctx->root, file);
	snprintf(sub, sizeof(sub), "backup/%s/files/%s", ctx->stamp, real_rel);
	char *slash = strrchr(sub, '/');
	*slash = '\0';
	int rc = rs_ctx_rescue_dir(ctx, sub, dir, sizeof(dir), err);
	if (rc)
		return rc;
	snprintf(dest, sizeof(dest), "%s/%s", dir, slash + 1);
	if (file_unique_name(dest, uniq, sizeof(uniq)) != 0 || file_copy_new(file, uniq) != 0)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "cannot back up %s", rel);
	snprintf(backup_rel, len, "%s", winpath_relative(ctx->root, uniq));
	return RS_OK;
}

/* The journal entry of a change to FILE (an absolute path under the root). */
static void file_entry(struct journal_entry *e, const struct rs_ctx *ctx, const char *item, const char *file)
{
	memset(e, 0, sizeof(*e));
	e->kind = JOURNAL_FILE;
	snprintf(e->item, sizeof(e->item), "%s", item);
	snprintf(e->path, sizeof(e->path), "%s", winpath_relative(ctx->root, file));
}

/* Whether a change goes ahead: not in a dry run (*RC is RS_OK, nothing is
 * written) nor on a context that may not be written (*RC and ERR say why). */
static bool may_change(const struct rs_ctx *ctx, int *rc, struct rs_error *err)
{
	bool dry = ctx->flags & RS_CTX_DRY_RUN;
	*rc = dry ? RS_OK : rs_ctx_check_writable(ctx, err);
	return !dry && *rc == RS_OK;
}

int safefile_replace(struct rs_ctx *ctx, const char *item, const char *rel,
		     const void *data, size_t len, struct rs_error *err)
{
	int rc;
	if (!may_change(ctx, &rc, err))
		return rc;
	char file[PATH_MAX];
	if (winpath_resolve_new(ctx->root, rel, file, sizeof(file)) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", rel);

	struct journal_entry e;
	file_entry(&e, ctx, item, file);
	sha256_hex(data, len, e.new_sha256);
	uint8_t *old;
	size_t oldlen;
	if (file_read_all(file, SAFEFILE_MAX, &old, &oldlen) == 0) {
		sha256_hex(old, oldlen, e.old_sha256);
		bool same = oldlen == len && memcmp(old, data, len) == 0;
		free(old);
		if (same)
			return RS_OK;
		rc = backup_file(ctx, rel, file, e.backup, sizeof(e.backup), err);
		if (rc)
			return rc;
	} else if (errno != ENOENT) {
		return rs_fail_errno(err, RS_ETARGET, errno, "cannot read %s", rel);
	} else {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", file);
		*strrchr(dir, '/') = '\0';
		if (winpath_mkdirs(dir, 0755) != 0)
			return rs_fail_errno(err, RS_EPARTIAL, errno, "cannot create %s",
					     winpath_relative(ctx->root, dir));
	}
	rc = journal_append(ctx, &e, err);
	if (rc)
		return rc;
	if (file_write_atomic(file, data, len) != 0)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "cannot write %s; it is unchanged", rel);
	uint8_t *back;
	size_t backlen;
	if (file_read_all(file, SAFEFILE_MAX, &back, &backlen) != 0)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "cannot read back %s", rel);
	bool ok = backlen == len && memcmp(back, data, len) == 0;
	free(back);
	if (!ok)
		return rs_fail(err, RS_EPARTIAL, "%s reads back differently (old content: %s)", rel,
			       e.backup[0] ? e.backup : "none");
	return RS_OK;
}

int safefile_remove(struct rs_ctx *ctx, const char *item, const char *rel, struct rs_error *err)
{
	int rc;
	if (!may_change(ctx, &rc, err))
		return rc;
	char file[PATH_MAX];
	if (winpath_resolve(ctx->root, rel, file, sizeof(file)) != 0)
		return errno == ENOENT ? RS_OK : rs_fail_errno(err, RS_ETARGET, errno, "%s", rel);
	uint8_t *old;
	size_t oldlen;
	if (file_read_all(file, SAFEFILE_MAX, &old, &oldlen) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "cannot read %s", rel);
	struct journal_entry e;
	file_entry(&e, ctx, item, file);
	sha256_hex(old, oldlen, e.old_sha256);
	free(old);
	rc = backup_file(ctx, rel, file, e.backup, sizeof(e.backup), err);
	if (rc == RS_OK)
		rc = journal_append(ctx, &e, err);
	if (rc)
		return rc;
	if (confine_unlink(file) != 0)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "cannot remove %s", rel);
	return RS_OK;
}
