/* SPDX-License-Identifier: GPL-2.0-or-later */
/* permissions.h - `rescue repair permissions`: the security descriptors of
 * the security products' folders (rescue/base/secfolders.h) checked and put
 * back to what Windows gives them.
 *
 * Every folder and file below each folder of the table that exists on the
 * volume is read through ntfs-3g (the system.ntfs_acl attribute: the raw
 * self-relative descriptor, rescue/volume/secdesc.h).  One is hostile when
 * it holds a Deny entry, has an owner Windows would not give it (not SYSTEM,
 * Administrators or TrustedInstaller), has an empty DACL (nobody may open
 * it), or does not parse.  A hostile one is replaced by the default: its
 * owner when usual (else the table's), group SYSTEM, the entries Windows
 * makes it inherit from Program Files or ProgramData, its SACL as it was.
 * Nothing else is written: descriptors that are fine stay byte for byte, and
 * nothing outside the table's folders is read or written.  Links are not
 * followed (rescue/base/confine.h) and are reported; a hostile file with
 * several names (hard links) is reported and left alone, as its descriptor
 * is also that of a name outside the folder.
 *
 * Each rewrite is journalled first (kind "acl", item "permissions", the old
 * descriptor byte for byte), then written, then read back and compared;
 * `rescue undo permissions` (hive/undo.c) puts the old one back through
 * perm_restore.  A plain `rescue undo` leaves them: it must not give the
 * worm its Deny entries back.
 *
 * On a tree that is not an ntfs-3g mount (a --root copy) the descriptors
 * cannot be read: RS_ETARGET saying so.
 *
 * Ownership: perm_repair fills OUT, perm_report_free frees it. */
#ifndef RESCUE_PERMISSIONS_H
#define RESCUE_PERMISSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rescue/base/ctx.h"

#define PERM_ITEM "permissions"
#define PERM_MAX_OBJECTS 200000     /* per run: a folder tree the worm blew up is not walked for ever */
#define PERM_MAX_DEPTH 64

struct perm_finding {
	char path[1024];            /* volume-relative, as spelled on the volume */
	const char *product;        /* borrowed from the table */
	bool folder;
	bool malformed;             /* the descriptor does not parse: WHY says why */
	char why[256];
	char owner[160];            /* "S-1-5-21-...-1001 (name)", "" when malformed */
	bool owner_unusual;
	size_t ndeny;
	char deny[512];             /* "Everyone 0x001f01ff explicit; ..." */
	bool empty_dacl;
	bool changed;               /* rewritten and read back (never in a dry run) */
	bool skipped;               /* not looked at (a link, unreadable): ERROR says why */
	char error[256];            /* the repair failed, or why it was skipped */
};

struct perm_report {
	struct perm_finding *v;
	size_t n;
	size_t nfolders;            /* table folders found on the volume */
	size_t nobjects;            /* folders and files read */
	size_t nchanged, nfailed;
	bool dry_run;               /* nothing written (dry run or read-only context) */
};

/* Check every table folder; rewrite the hostile descriptors unless the
 * context is a dry run or read-only.  RS_OK when none is hostile or each was
 * put right, RS_EPARTIAL when one could not be, RS_ETARGET when
 * descriptors cannot be read on this volume.  OUT is filled in every case
 * but RS_ETARGET. */
int perm_repair(struct rs_ctx *ctx, struct perm_report *out, struct rs_error *err);
void perm_report_free(struct perm_report *r);

/* Undo: put OLD (OLDLEN bytes) back as the descriptor of REL, if it still
 * holds WANT (what rescue wrote there; else RS_EPARTIAL: changed since),
 * journalled under ITEM and read back. */
int perm_restore(struct rs_ctx *ctx, const char *item, const char *rel, const uint8_t *old, size_t oldlen,
		 const uint8_t *want, size_t wantlen, struct rs_error *err);

#endif
