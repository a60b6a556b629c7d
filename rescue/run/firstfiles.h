/* SPDX-License-Identifier: GPL-2.0-or-later */
/* firstfiles.h - the files the scan reads before anything else: those the
 * installation's autostart entries start (hive/autoruns.h), so that what
 * runs at every boot or logon gives its verdict first (rs_scan_opts.first,
 * rescue/scan/scan.h). */
#ifndef RESCUE_FIRSTFILES_H
#define RESCUE_FIRSTFILES_H

#include <stddef.h>

#include "rescue/base/ctx.h"

/* The volume-relative targets of CTX's autostart entries that exist on the
 * volume, outside the Windows folder (those are Windows' own, hundreds of
 * them, and read in their turn), each once: a new array of new strings in
 * *OUT, *N of them (free with firstfiles_free).  None when the hives cannot
 * be read: the scan then starts with the worm's places. */
void firstfiles_autostart(struct rs_ctx *ctx, char ***out, size_t *n);
void firstfiles_free(char **v, size_t n);

#endif
