/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recover.h - dirty hives on the Windows volume: find their transaction logs
 * (<hive>.LOG1, .LOG2, .LOG, any case), replay them (hive/regflog.h), and
 * either read the result from a private copy or write it back safely.
 *
 * Writing (hive_open with HIVE_WRITE): libhivex edits a recovered copy; with
 * the hive's first write (hive_commit, or hive_write_recovery for `rescue
 * recover`) the recovered primary replaces the file through safefile_replace
 * (copy under Rescue/backup/<stamp>/files/, FILE entry in the journal with
 * item "recover", temporary file + rename, read back), then libhivex's own
 * write follows.  The recovered primary's two sequence numbers are set one
 * beyond every number its logs hold, and each non-empty log is then emptied
 * the same way (backed up, journaled): Windows treats a hive with equal
 * sequence numbers as clean and never replays a log over it, and an empty log
 * is what Windows itself leaves.  Nothing is written for a hive that is only
 * opened, so a refusal of another hive leaves every hive as it was.
 * `rescue undo recover` puts the dirty primary and its logs back once every
 * later edit of the hive by rescue is undone (hive/undo.h).
 * A damaged log (the replay would stop early) or a dirty hive without any
 * usable log is refused for writing unless the context has RS_CTX_FORCE.
 *
 * Reading: the recovered content is written to a temporary file outside the
 * Windows volume ($TMPDIR) for libhivex (which takes a file name only); the
 * volume is not touched. */
#ifndef HIVE_RECOVER_H
#define HIVE_RECOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hive/regflog.h"
#include "rescue/base/ctx.h"

/* The journal item of recovery writes (`rescue undo recover` reverts them;
 * a plain `rescue undo` leaves the hive recovered). */
#define RECOVER_ITEM "recover"

/* What happened to one hive's dirty state. */
struct hive_recovery {
	bool dirty;                   /* the primary was dirty when examined */
	enum regflog_state state;     /* CLEAN when not dirty */
	bool written;                 /* the recovered primary replaced the file, its logs emptied */
	bool by_rescue;               /* clean now because an earlier rescue run recovered it (journal) */
	char run[32];                 /* that run's stamp */
	uint32_t seq1, seq2;          /* the primary's sequence numbers as found */
	unsigned applied;             /* log entries (or old-format pages) replayed */
	uint32_t first_seq, last_seq;
	char logs[160];               /* the logs replayed, file names */
	char note[512];               /* damage, foreign logs, what may be lost */
};

/* One line for a technician: "dirty (1622/1621), recovered from SYSTEM.LOG1,
 * SYSTEM.LOG2 (24 log entries, 2107..2130) and written", "clean", ... */
void hive_recovery_describe(const struct hive_recovery *r, char *buf, size_t len);
/* "clean", "recovered", "recovered-in-memory", "partly-recovered", "not-recovered" */
const char *hive_recovery_state(const struct hive_recovery *r);

/* A recovery to be written with the hive's first write; owned by the hive. */
struct recover_plan;
void recover_plan_free(struct recover_plan *p);

/* For hive_open: FILE (volume-relative REL) is dirty.  Replay its logs.  On
 * RS_OK, SRC is the file libhivex must open: FILE itself (no usable log,
 * forced), or a temporary copy of the recovered hive (then *TEMP is true and
 * the caller unlinks SRC once it is open).  With WRITE (and no dry run) *PLAN
 * is what hive_recover_write must put on the volume before any other write. */
int hive_recover_open(struct rs_ctx *ctx, const char *rel, const char *file, bool write,
		      struct hive_recovery *rec, char *src, size_t srclen, bool *temp,
		      struct recover_plan **plan, struct rs_error *err);

/* Write PLAN: the recovered primary, then its emptied logs (see above). */
int hive_recover_write(struct rs_ctx *ctx, struct recover_plan *plan, struct rs_error *err);

/* Examine the hive REL without opening it in libhivex and without writing:
 * dirty or not, what its logs would give, and whether an earlier run of
 * rescue recovered it (from the journal). */
int hive_recovery_probe(struct rs_ctx *ctx, const char *rel, struct hive_recovery *out,
			struct rs_error *err);

/* Every hive file of the installation (config\SYSTEM, SOFTWARE, SAM,
 * SECURITY, DEFAULT and each profile's NTUSER.DAT that exist), probed.
 * *out is malloc'd (free it); rel[] holds each volume-relative path. */
struct hive_probe {
	char rel[512];
	struct hive_recovery rec;
};
int hive_recovery_list(struct rs_ctx *ctx, struct hive_probe **out, size_t *n, struct rs_error *err);

/* Whether the hive's logs can give what the primary lacks (all or part). */
bool hive_recovery_logs_usable(const struct hive_recovery *r);

/* One word for a whole installation's hives, gravest first: "unrecoverable"
 * (a dirty hive without usable or with damaged logs), "dirty" (dirty, the
 * logs can recover it), "recovered" (an earlier rescue run recovered one),
 * "clean". */
const char *hive_recovery_summary(const struct hive_probe *v, size_t n);

#endif
