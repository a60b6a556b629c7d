/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctx.h - one Windows installation being worked on: the root of its volume
 * (a mount point or a plain directory laid out like one), the time of this
 * run, and the run's options.  Every front end (CLI, UI, unattended driver)
 * opens one rs_ctx per installation and hands it to the core.
 *
 * Ownership: rs_ctx_open allocates, rs_ctx_close frees (NULL is fine). */
#ifndef RESCUE_CTX_H
#define RESCUE_CTX_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "rescue/base/error.h"

/* Paths inside the Windows volume, resolved case-insensitively. */
#define RS_PATH_CONFIG   "Windows/System32/config"
#define RS_PATH_HOSTS    "Windows/System32/drivers/etc/hosts"
#define RS_PATH_RESCUE   "Rescue"               /* everything we write lives here */
#define RS_PATH_JOURNAL  "Rescue/journal.jsonl"

enum rs_ctx_flags {
	RS_CTX_READONLY = 1 << 0,   /* nothing may be written (report-only, hibernated, read-only media) */
	RS_CTX_FORCE    = 1 << 1,   /* --force: write a dirty hive without its logs */
	RS_CTX_DRY_RUN  = 1 << 2,   /* say what would change, write nothing */
	/* The command needs only the volume and Rescue/, no hive (undo, the
	 * quarantine): it must work when SYSTEM was quarantined by an older
	 * rescue, deleted or lost, to put it back. */
	RS_CTX_VOLUME_ONLY = 1 << 3,
};

struct rs_ctx {
	char root[PATH_MAX];        /* the volume root, no trailing '/' */
	char stamp[32];             /* this run, UTC "20261123T115500Z": names backup/<stamp>/ and reports */
	unsigned flags;             /* rs_ctx_flags */
	char readonly_why[256];     /* when RS_CTX_READONLY: the reason, for error messages */
};

/* Open the installation at ROOT.  Fails with RS_ETARGET when ROOT is not a
 * directory or holds no Windows/System32/config/SYSTEM (any case); with
 * RS_CTX_VOLUME_ONLY a Rescue/ folder instead of SYSTEM will do. */
int rs_ctx_open(const char *root, unsigned flags, struct rs_ctx **out, struct rs_error *err);
void rs_ctx_close(struct rs_ctx *ctx);

/* Resolve REL (an existing path inside the volume) into OUT.  RS_ETARGET with
 * a message naming REL when it does not exist. */
int rs_ctx_path(const struct rs_ctx *ctx, const char *rel, char *out, size_t outlen,
		struct rs_error *err);

/* The folder Rescue/SUB (SUB may be "" or nested, "backup/<stamp>"), created
 * when missing, into OUT.  RS_ETARGET when the context is read-only. */
int rs_ctx_rescue_dir(const struct rs_ctx *ctx, const char *sub, char *out, size_t outlen,
		      struct rs_error *err);

/* RS_ETARGET with the read-only reason when the context may not be written. */
int rs_ctx_check_writable(const struct rs_ctx *ctx, struct rs_error *err);

#endif
