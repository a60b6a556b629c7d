/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.h - the report of one unattended run on one Windows installation:
 * every step (with its time), every change (with the journal seq that
 * `rescue undo` reverts), every account touched, every detection and what
 * was done with it, and the verdict.
 *
 * Written as JSON (for machines and `rescue fleet`) and as text (for a
 * person), as Rescue/reports/<stamp>.{json,txt} on the Windows volume and as
 * <COMPUTER>-<stamp>.{json,txt} in the reports folder of the RESCUE
 * partition.  The JSON object's top-level scalar fields are the summary
 * `rescue fleet` reads (report_summary_read); the lists are nested arrays.
 *
 * Verdict: YELLOW when any step failed or was refused (the run is
 * incomplete: the machine needs a person) or when no "scan" step finished
 * (ok or changed: scan = off, a scan cut short, rules that did not load are
 * "not scanned"), else RED when anything was detected, else GREEN.
 *
 * Ownership: report_init / report_free; strings added are copied. */
#ifndef RESCUE_REPORT_H
#define RESCUE_REPORT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rescue/base/error.h"
#include "rescue/base/othernames.h"
#include "rescue/scan/rules.h"

#define REPORT_FORMAT "rescue-report/1"

enum report_verdict { VERDICT_GREEN, VERDICT_RED, VERDICT_YELLOW };

enum report_status {
	STEP_OK,        /* done, nothing needed changing */
	STEP_CHANGED,   /* done, changes made */
	STEP_SKIPPED,   /* not wanted (config, report-only): not a failure */
	STEP_REFUSED,   /* not done on purpose for safety (hibernated, dirty hive...): incomplete */
	STEP_FAILED,    /* tried and failed: incomplete */
};

struct report_step {
	char name[16];              /* detect, contain, passwd, autoruns, scan, report */
	enum report_status status;
	char detail[1024];
	double secs;
};

struct report_change {
	long seq;                   /* journal seq: `rescue undo` reverts it */
	char item[32];
	char what[1400];            /* "SOFTWARE Microsoft\\...\\Explorer : NoAutorun", a file */
	char before[128], after[128];
};

struct report_account {
	unsigned rid;
	char name[128];
	char done[1024];            /* what was done, "; "-separated */
	bool ok;
};

struct report_detection {
	char *path;                 /* volume-relative, "PATH:STREAM" for a stream */
	char *rules;
	char sha256[65];
	uint64_t size;
	char *action;               /* "quarantined as ...", "reported", "quarantine failed: ...",
				       "not quarantined: registry hive matched a rule: inspect (...)" */
	const char *inspect;        /* kept on purpose for a person to look at: "registry hive"... (static),
				       NULL normally (rescue/scan/quarantine.h, rs_quarantine_refusal) */
	struct rs_rule_meta *meta;  /* each matching rule's meta (owned): report_detection_meta */
	size_t nmeta;
	struct othernames others;   /* the file's other names (hard links), bounded: report_detection_names */
};

struct report {
	char stamp[32];             /* the run: "20261123T115500Z" */
	char machine[64];           /* computer name, "" when unknown */
	char product[128], build[32], display[32];
	char target[PATH_MAX];      /* the volume root or the device */
	char mode[16];              /* auto, report */
	bool readonly;              /* nothing was written to the Windows volume */
	char readonly_why[256];
	struct report_step *steps;
	size_t nsteps;
	struct report_change *changes;
	size_t nchanges;
	struct report_account *accounts;
	size_t naccounts;
	struct report_detection *det;
	size_t ndet;
	char **notes;
	size_t nnotes;
	uint64_t files, bytes, skipped;  /* scan counters */
	size_t quarantined;
	bool password_reset;        /* an account's password was blanked or set */
	double secs;
	enum report_verdict verdict;    /* report_finish */
	bool scan_walked;           /* the scan read the whole volume, even if some files could not be read */
	bool scanned;               /* report_finish: a "scan" step finished */
	char written[2][PATH_MAX];  /* where report_save put it (the .json), "" if not */
	char on_volume[PATH_MAX];   /* the copy on the Windows volume, volume-relative, "" if none */
};

void report_init(struct report *r, const char *stamp, const char *target, const char *mode);
void report_free(struct report *r);

/* Append a step; the returned pointer is valid until the next append. */
struct report_step *report_step(struct report *r, const char *name, enum report_status st, double secs,
				const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void report_note(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int report_add_change(struct report *r, const struct report_change *c);
int report_add_account(struct report *r, const struct report_account *a);
/* INSPECT: the hit's (rs_scan_hit.inspect, static), or NULL. */
int report_add_detection(struct report *r, const char *path, const char *rules, const char *sha256,
			 uint64_t size, const char *action, const char *inspect);
/* Copy the N rule metas of a hit to the detection added last (what each rule
 * says of itself, its author among it: the report keeps it). */
int report_detection_meta(struct report *r, const struct rs_rule_meta *v, size_t n);
/* The N NAMES of the file of the detection added last (every name of a
 * file with hard links, names[0] the detection's own, as rs_scan_hit has
 * them): the others are kept, at most OTHERNAMES_SHOWN, the rest counted
 * (rescue/base/othernames.h). */
int report_detection_names(struct report *r, const char *const *names, size_t n);

/* Add every journal entry of CTX's run (not undone since) as a change, with
 * the seq `rescue undo` works from; a note when the journal is unreadable. */
struct rs_ctx;
void report_add_journal(struct report *r, struct rs_ctx *ctx);

/* Compute the verdict (and return it). */
enum report_verdict report_finish(struct report *r);

const char *report_verdict_name(enum report_verdict v);   /* "GREEN", "RED", "YELLOW" */
const char *report_status_name(enum report_status s);     /* "ok", "changed"... */
/* The verdict named NAME exactly ("GREEN"...), -1 for any other string. */
int report_verdict_parse(const char *name);

/* What the verdict means, one line for the screen. */
const char *report_verdict_meaning(enum report_verdict v);
/* What R's verdict means (after report_finish): the above, or for a YELLOW
 * without a finished scan "not scanned: ...". */
const char *report_meaning(const struct report *r);

void report_write_json(const struct report *r, FILE *f);
void report_write_text(const struct report *r, FILE *f);

/* Write DIR/BASE.json and DIR/BASE.txt (each through a temporary file and a
 * rename); SLOT (0, 1) records the .json path in r->written. */
int report_save(struct report *r, const char *dir, const char *base, int slot, struct rs_error *err);

/* The summary of a report file, as `rescue fleet` lists it. */
struct report_summary {
	char machine[64], stamp[32], verdict[16], mode[16], product[128];
	char meaning[160];          /* the verdict in words ("" in reports before 0.2) */
	char readonly_why[160];     /* why the volume was not written, "" when it was */
	long detections, quarantined, changes;
	bool password_reset;
	double secs;
	char (*det_sha256)[65];     /* the detections' SHA-256s, lower case, sorted, each once (owned) */
	size_t ndet_sha256;
	char nic[18];               /* a network boot's card, "52:54:00:77:00:01": fleet.c takes it from the
				     * name /init gave the report it handed in; "" otherwise */
};

/* At most this many detection digests of one report are kept. */
#define REPORT_SUMMARY_HASHES_MAX 100000

/* Whether S's detections include SHA256 (64 lower-case hex digits and the NUL). */
bool report_summary_detected(const struct report_summary *s, const char *sha256);
void report_summary_free(struct report_summary *s);

/* Read PATH's summary (free with report_summary_free, also after an
 * error).  RS_ETARGET when it is not a rescue report (other
 * JSON); RS_EPARTIAL when it may be one but cannot be used: unreadable, not
 * valid JSON, or a verdict report_verdict_parse does not know (a forged or
 * damaged report is never counted as GREEN, RED or YELLOW). */
int report_summary_read(const char *path, struct report_summary *s, struct rs_error *err);

#endif
