/* SPDX-License-Identifier: GPL-2.0-or-later */
/* undo.h - put back what rescue changed, from Rescue/journal.jsonl.
 *
 * Every change not yet undone whose item is selected is reverted, newest
 * first: a value gets its old data back (or is removed again when it was
 * absent), a key rescue created is removed again when it is empty, a file
 * gets its old content back (or is removed again when rescue created it), a
 * quarantined file goes back through rs_quarantine_restore (one restored by
 * hand already is noted, not restored twice; hive/ already builds on rescue/'s
 * file layer, so undo calls the quarantine directly: one library, no cycle).
 * Each reverted entry is then marked in the journal ("undone"), so contain,
 * undo, contain again works.  The undo's own edits go through the same
 * backup + journal + verify path, with item "undo".
 *
 * A security descriptor rescue rewrote (item "permissions") gets its old
 * bytes back through perm_restore (rescue/volume/permissions.h).
 *
 * No item selects every item but "recover", "quarantine" and "permissions" (a plain undo
 * must not put the worm back); the item "all" selects every one.  A recovery (hive/recover.h) is reverted after the hives are written:
 * its dirty primary goes back even though the hive's bytes changed since, as
 * long as every later change rescue made to that hive is undone (before, or
 * in this run) and its emptied logs are still empty; while such changes
 * stand the step fails naming the items to undo first.
 *
 * Only entries undo can tie to a rescue run are reverted (rescue/base/journal.h):
 * a selected entry whose MAC does not verify, one without a MAC (unless
 * UNDO_TRUST_UNSIGNED: `rescue undo --trust-unsigned`, for a CD run or a
 * journal from before signing), or one asking for a change outside what
 * rescue itself changes (rescue/base/undopolicy.h) is not reverted: it becomes a
 * step marked untrusted, with its line number and the reason, and the run
 * ends RS_EPARTIAL.  Nothing such an entry asks for is written. */
#ifndef HIVE_UNDO_H
#define HIVE_UNDO_H

#include <stdbool.h>
#include <stddef.h>

#include "rescue/base/ctx.h"

struct undo_step {
	long seq;                   /* the journal entry reverted */
	char item[32];
	char what[1024];            /* "SOFTWARE ...\\Explorer NoAutorun", "hosts file" */
	char restored[128];         /* formatted old data, "(removed)" */
	bool ok;
	bool untrusted;             /* skipped: the journal entry is not trusted (error says why) */
	size_t line;                /* the entry's line in the journal */
	char error[256];            /* when !ok */
};

enum undo_flags {
	UNDO_TRUST_UNSIGNED = 1 << 0,   /* revert unsigned entries too (the technician checked them) */
};

struct undo_report {
	struct undo_step *steps;
	size_t n;
	size_t nuntrusted;          /* steps skipped as untrusted */
};

/* Revert the entries whose item is in ITEMS (NITEMS names; 0 = every item).
 * FLAGS: undo_flags.  RS_OK when all went back, RS_EPARTIAL when some did
 * not or were skipped as untrusted (each step says). */
int undo_run(struct rs_ctx *ctx, char *const *items, size_t nitems, unsigned flags, struct undo_report *out,
	     struct rs_error *err);
void undo_report_free(struct undo_report *r);

#endif
