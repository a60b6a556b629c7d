/* SPDX-License-Identifier: GPL-2.0-or-later */
/* journal.h - Rescue/journal.jsonl: every change rescue makes, one JSON
 * object per line, appended (and fsynced) before the change is written.
 *
 *   {"seq":12,"run":"20261123T115500Z","item":"autorun","kind":"value",
 *    "hive":"Windows/System32/config/SOFTWARE","key":"Microsoft\\...\\Explorer",
 *    "value":"NoAutorun","old_type":4,"old":"01000000"|null,"new_type":4,"new":"01000000"|null}
 *   {"seq":13,...,"kind":"key","hive":...,"key":"..."}           a key we created
 *   {"seq":14,...,"kind":"file","path":"Windows/.../hosts","backup":"Rescue/backup/<run>/files/hosts",
 *    "old_sha256":"..."|null,"new_sha256":"..."}                 a file we rewrote or created
 *   {"seq":15,...,"item":"quarantine","kind":"quarantine","id":"<sha256>[.N]",
 *    "path":"Users/.../x.dll","stream":null|"name","sha256":"..."}  a file moved
 *                                     into Rescue/quarantine/ (rescue/quarantine.h)
 *   {"seq":16,...,"kind":"undone","of":12}                        entry 12 was reverted
 *
 * old/new are hex of the raw value data; null means the value was absent
 * (so undo removes it again).  Items are the containment ids, "passwd",
 * "autoruns"...; an undo's own edits carry item "undo" and are never undone.
 * Ownership: journal_load allocates a struct journal, journal_free frees it. */
#ifndef HIVE_JOURNAL_H
#define HIVE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rescue/ctx.h"

enum journal_kind { JOURNAL_VALUE, JOURNAL_KEY, JOURNAL_FILE, JOURNAL_UNDONE, JOURNAL_QUARANTINE };

struct journal_entry {
	long seq;                   /* assigned by journal_append */
	char run[32];
	char item[32];
	enum journal_kind kind;
	char hive[512];             /* VALUE, KEY: volume-relative hive file */
	char key[1024];             /* VALUE, KEY: key path as given (CCS expanded) */
	char value[256];            /* VALUE: value name, "" = default */
	bool old_present, new_present;
	uint32_t old_type, new_type;
	uint8_t *old_data, *new_data;   /* owned by the entry */
	size_t old_len, new_len;
	char path[1024];            /* FILE, QUARANTINE: volume-relative file */
	char id[80];                /* QUARANTINE: the quarantine id */
	char stream[256];           /* QUARANTINE: the alternate data stream, "" for the file itself */
	char backup[1024];          /* FILE: volume-relative copy of the old content, "" when there was none */
	char old_sha256[65], new_sha256[65];   /* QUARANTINE: old_sha256 = the quarantined bytes' */
	long of;                    /* UNDONE: the seq reverted */
	bool undone;                /* set by journal_load when an UNDONE entry names this one */
};

struct journal {
	struct journal_entry *v;
	size_t n;
};

/* Append E (its seq is set to the next number) to the target's journal. */
int journal_append(const struct rs_ctx *ctx, struct journal_entry *e, struct rs_error *err);

/* Load the whole journal (empty when there is none).  A damaged line is an
 * RS_ETARGET error naming its line number: undo never guesses. */
int journal_load(struct rs_ctx *ctx, struct journal *out, struct rs_error *err);
void journal_free(struct journal *j);

/* Free the data an entry owns (not the entry). */
void journal_entry_clear(struct journal_entry *e);

#endif
