/* SPDX-License-Identifier: GPL-2.0-or-later */
/* contain.h - the containment items of DESIGN.md: one const table of
 * registry settings (and the hosts file), read by `status`, `contain`,
 * `undo`, the UI, the unattended driver and the tests alike.
 *
 * Ownership: contain_report_free frees what contain_status/contain_apply
 * put in a report. */
#ifndef HIVE_CONTAIN_H
#define HIVE_CONTAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hive/wininfo.h"
#include "rescue/base/ctx.h"

enum contain_id {
	CONTAIN_AUTORUN, CONTAIN_TASKS, CONTAIN_RESTORE, CONTAIN_SHARES, CONTAIN_HOSTS, CONTAIN_FIREWALL,
	CONTAIN_FWPOLICY, CONTAIN_N
};

/* Every item.  "all" (and no item named) leaves out the ones applied only
 * when the technician names them: firewall-policy overrides what the
 * machine's administrators set by group policy. */
#define CONTAIN_EVERY ((1u << CONTAIN_N) - 1)
#define CONTAIN_ASKED_ONLY (1u << CONTAIN_FWPOLICY)
#define CONTAIN_ALL (CONTAIN_EVERY & ~CONTAIN_ASKED_ONLY)

struct contain_item {
	const char *id;             /* "autorun": the CLI, config and journal name */
	const char *title;          /* one line for a technician */
	const char *help;           /* what it changes and what it costs */
};
extern const struct contain_item contain_items[CONTAIN_N];

/* Parse item names (ARGV, ARGC of them) into a bit mask; none = all.
 * RS_EUSAGE naming an unknown item. */
int contain_parse_items(int argc, char *const *argv, unsigned *mask, struct rs_error *err);

/* One setting of one hive (or the hosts block), as checked. */
struct contain_check {
	enum contain_id item;
	char hive[512];             /* volume-relative hive file, or the hosts file */
	char key[512];              /* CCS expanded; "" for hosts */
	char value[128];            /* value name; "(default)"; for hosts a summary; a firewall rule's id */
	char wanted[128];           /* formatted */
	char before[128];           /* formatted, before this run's apply */
	char current[128];          /* formatted, now */
	bool ok;                    /* current == wanted */
	bool changed;               /* contain_apply changed it (or would, in a dry run) */
};

struct contain_report {
	struct win_info info;
	struct contain_check *checks;
	size_t n;
	bool applicable[CONTAIN_N];
	bool contained[CONTAIN_N];  /* every applicable check ok */
	char note[CONTAIN_N][768];  /* a warning for the technician, "" when none */
};

/* Read the current state of the items in MASK. */
int contain_status(struct rs_ctx *ctx, unsigned mask, struct contain_report *out, struct rs_error *err);

/* Apply the items in MASK and report before/after.  Every hive the items need
 * is opened (and checked: dirty, damaged, read-only) before anything is
 * written, so a refusal leaves every hive as it was.  With RS_CTX_DRY_RUN
 * the report says what would change and nothing is written. */
int contain_apply(struct rs_ctx *ctx, unsigned mask, struct contain_report *out, struct rs_error *err);

void contain_report_free(struct contain_report *r);

#endif
