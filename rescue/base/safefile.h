/* SPDX-License-Identifier: GPL-2.0-or-later */
/* safefile.h - journaled, undoable changes to plain files of the Windows
 * volume (the hosts file, task files set aside, a recovered hive).
 *
 * Each change: the old content is copied under Rescue/backup/<stamp>/files/,
 * a FILE entry goes to the journal (path, backup, old and new SHA-256), then
 * the file is written through a temporary file + rename and read back.
 * `rescue undo` (hive/undo.h) puts the old content back. */
#ifndef RESCUE_SAFEFILE_H
#define RESCUE_SAFEFILE_H

#include <stddef.h>

#include "rescue/base/ctx.h"

/* Replace (or create) the file REL with DATA.  ITEM names the containment
 * item or command for the journal.  Nothing happens when the file already
 * holds exactly DATA. */
int safefile_replace(struct rs_ctx *ctx, const char *item, const char *rel,
		     const void *data, size_t len, struct rs_error *err);

/* Set the file REL aside: its content is kept under Rescue/backup/ and the
 * file removed (so Windows no longer runs a scheduled task, say); undo puts
 * it back. */
int safefile_remove(struct rs_ctx *ctx, const char *item, const char *rel, struct rs_error *err);

#endif
