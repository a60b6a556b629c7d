/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/ctx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "rescue/base/confine.h"
#include "rescue/base/winpath.h"

int rs_ctx_open(const char *root, unsigned flags, struct rs_ctx **out, struct rs_error *err)
{
	struct stat st;
	if (stat(root, &st) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", root);
	if (!S_ISDIR(st.st_mode))
		return rs_fail(err, RS_ETARGET, "%s: not a directory", root);

	struct rs_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "out of memory");
	if (!realpath(root, ctx->root)) {
		int e = errno;
		free(ctx);
		return rs_fail_errno(err, RS_ETARGET, e, "%s", root);
	}
	ctx->flags = flags;
	/* From here on every file call below the root stays on the volume. */
	if (confine_root_add(ctx->root) != 0) {
		int e = errno;
		free(ctx);
		return rs_fail_errno(err, RS_ETARGET, e, "%s", root);
	}

	char sys[PATH_MAX];
	if (winpath_resolve(ctx->root, RS_PATH_CONFIG "/SYSTEM", sys, sizeof(sys)) != 0) {
		int e = errno;
		/* A link on the way is refused even where Rescue/ would do: say which. */
		bool rescue_only = e == ENOENT && (flags & RS_CTX_VOLUME_ONLY) &&
				   winpath_resolve(ctx->root, RS_PATH_RESCUE, sys, sizeof(sys)) == 0 &&
				   confine_lstat(sys, &st) == 0 && S_ISDIR(st.st_mode);
		if (!rescue_only) {
			if (e != ENOENT)
				rs_fail_errno(err, RS_ETARGET, e, "%s/SYSTEM", RS_PATH_CONFIG);
			else
				rs_fail(err, RS_ETARGET, "%s: not a Windows installation (no %s/SYSTEM%s)", root,
					RS_PATH_CONFIG,
					(flags & RS_CTX_VOLUME_ONLY) ? ", and no " RS_PATH_RESCUE " folder to work from" : "");
			rs_ctx_close(ctx);
			return RS_ETARGET;
		}
	}

	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ctx->stamp, sizeof(ctx->stamp), "%Y%m%dT%H%M%SZ", &tm);
	*out = ctx;
	return RS_OK;
}

void rs_ctx_close(struct rs_ctx *ctx)
{
	if (ctx)
		confine_root_remove(ctx->root);
	free(ctx);
}

int rs_ctx_path(const struct rs_ctx *ctx, const char *rel, char *out, size_t outlen,
		struct rs_error *err)
{
	if (winpath_resolve(ctx->root, rel, out, outlen) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", rel);
	return RS_OK;
}

int rs_ctx_check_writable(const struct rs_ctx *ctx, struct rs_error *err)
{
	if (ctx->flags & RS_CTX_READONLY)
		/* Not ctx->root: on a disk that is rescue's own mount folder,
		 * which means nothing to the technician. */
		return rs_fail(err, RS_ETARGET, "the Windows volume is read-only: %s",
			       ctx->readonly_why[0] ? ctx->readonly_why : "opened for reading only");
	return RS_OK;
}

int rs_ctx_rescue_dir(const struct rs_ctx *ctx, const char *sub, char *out, size_t outlen,
		      struct rs_error *err)
{
	int rc = rs_ctx_check_writable(ctx, err);
	if (rc)
		return rc;
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "%s/%s", RS_PATH_RESCUE, sub);
	if (winpath_resolve_new(ctx->root, rel, out, outlen) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", rel);
	if (winpath_mkdirs(out, 0755) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "cannot create %s", rel);
	return RS_OK;
}
