/* SPDX-License-Identifier: GPL-2.0-or-later */
/* clean.h - the one clean-up flow every front end calls (the CLI's
 * `scan --quarantine`, the unattended run, the UI's Scan screen):
 *
 *   detection -> quarantine it, or only report it (the caller's policy)
 *             -> a record with a structured outcome (never text to parse)
 *   afterwards -> the autostart entries tied to those files are disabled
 *                 (hive/autoruns.h, journalled: `rescue undo autoruns`).
 *
 * rs_clean_hit is called from a scan's detect callback (rescue/scan/scan.h
 * serialises those, so no lock is needed); rs_clean_path quarantines one
 * detection listed earlier by its path and the SHA-256 the scan recorded,
 * without a new scan: the file is read again and must still have those
 * bytes, and rs_quarantine_add's own check (same inode, size, time) is the
 * rest of the safety.  rs_clean_finish lists the autostart entries, picks
 * those tied to the records (by the policy) and disables them.
 *
 * What is shown keeps the words it always had: each record's ACTION is the
 * hit's text ("quarantined as ID", "reported", ...), for people only.
 * Ownership: struct rs_clean owns its records (rs_clean_free);
 * struct rs_clean_autoruns owns its list and report (rs_clean_autoruns_free). */
#ifndef RESCUE_CLEAN_H
#define RESCUE_CLEAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hive/autoruns.h"
#include "rescue/base/ctx.h"
#include "rescue/base/error.h"
#include "rescue/scan/scan.h"

/* What happened to one detection. */
enum rs_clean_outcome {
	RS_CLEAN_REPORTED,      /* no quarantine asked for: left in place, reported */
	RS_CLEAN_QUARANTINED,   /* moved to Rescue/quarantine (id) */
	RS_CLEAN_KEPT,          /* never quarantined (a hive, rescue's own file): a person must inspect it */
	RS_CLEAN_FAILED,        /* the quarantine was tried and failed: left in place (action says why) */
	RS_CLEAN_NOUTCOME
};

/* Which autostart entries rs_clean_finish disables. */
enum rs_clean_tie {
	RS_CLEAN_TIE_NONE,          /* none: only list them */
	RS_CLEAN_TIE_QUARANTINED,   /* entries starting a file quarantined by these records */
	RS_CLEAN_TIE_DETECTED,      /* entries starting any detected file of these records, or any file in
				       Rescue/quarantine (the unattended run: a detection left in place is
				       still not to be started) */
};

struct rs_clean_policy {
	bool quarantine;            /* rs_clean_hit quarantines; false: report only */
	enum rs_clean_tie tie;
	bool random_names;          /* also entries whose target has a random-looking name in a
				       user-writable folder (rescue.conf autoruns = flagged) */
	bool list_only;             /* choose the entries but change nothing (a read-only volume) */
	bool skip_off;              /* an entry already off (a service at Start=4) is not chosen; else
				       its step says "already disabled" (what the CLI prints) */
};

struct rs_clean_record {
	char *path;                 /* volume-relative file */
	char *stream;               /* NULL: the file's content */
	enum rs_clean_outcome outcome;
	char id[80];                /* RS_CLEAN_QUARANTINED: the quarantine id */
	const char *inspect;        /* RS_CLEAN_KEPT (and a reported hive): rs_quarantine_refusal's kind, static */
	char action[256];           /* the words shown for it ("quarantined as ID"...): never parsed */
	bool tied;                  /* rs_clean_finish has looked for its autostart entries */
};

struct rs_clean {
	struct rs_ctx *ctx;
	struct rs_clean_policy policy;
	struct rs_clean_record *rec;
	size_t n, cap;
	size_t count[RS_CLEAN_NOUTCOME];    /* records by outcome */
};

void rs_clean_init(struct rs_clean *c, struct rs_ctx *ctx, const struct rs_clean_policy *policy);
void rs_clean_free(struct rs_clean *c);

/* One detection of a scan of C's volume, from the detect callback:
 * quarantined or reported by the policy, HIT->action and HIT->inspect
 * filled as every front end shows them, recorded.  Out of memory for the
 * record: nothing is moved (RS_CLEAN_FAILED). */
enum rs_clean_outcome rs_clean_hit(struct rs_clean *c, struct rs_scan_hit *hit);

/* A detection a scan listed earlier. */
struct rs_clean_target {
	const char *path;           /* volume-relative */
	const char *stream;         /* NULL: the file's content */
	const char *rules;          /* "Rule1,Rule2", for the manifest */
	const char *sha256;         /* what the scan read */
	uint64_t size;
};

/* Quarantine T (whatever the policy says: a person asked for it), when its
 * bytes are still those scanned.  The record's index goes to *REC. */
enum rs_clean_outcome rs_clean_path(struct rs_clean *c, const struct rs_clean_target *t, size_t *rec);

/* What rs_clean_finish found and did. */
struct rs_clean_autoruns {
	bool listed;                /* the entries could be listed (else the error says why) */
	struct autoruns list;       /* every entry, flagged against the records */
	size_t *chosen;             /* indexes into list.v of the entries the policy picks */
	size_t nchosen;
	struct autoruns_report done;    /* what disabling did: empty with list_only or nothing chosen */
};
void rs_clean_autoruns_free(struct rs_clean_autoruns *a);

/* After the scan (or a quarantine from a list): the autostart entries tied
 * to the records not yet looked at, by the policy, are disabled.  Nothing is
 * listed when the policy ties to quarantined files only and none was.
 * RS_OK (OUT may be empty), RS_EPARTIAL when a step failed (each says), or
 * autoruns_list's error (OUT->listed false). */
int rs_clean_finish(struct rs_clean *c, struct rs_clean_autoruns *out, struct rs_error *err);

#endif
