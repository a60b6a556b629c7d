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
 *                                     into Rescue/quarantine/ (rescue/scan/quarantine.h)
 *   {"seq":16,...,"kind":"undone","of":12}                        entry 12 was reverted
 *   {"seq":17,...,"item":"permissions","kind":"acl","path":"Program Files/Windows Defender",
 *    "old":"0100...","new":"0100..."}   a security descriptor (system.ntfs_acl) rewritten:
 *                                     the old one byte for byte (rescue/volume/permissions.h)
 *
 * old/new are hex of the raw value data; null means the value was absent
 * (so undo removes it again).  Items are the containment ids, "passwd",
 * "autoruns"...; an undo's own edits carry item "undo" and are never undone.
 * Ownership: journal_load allocates a struct journal, journal_free frees it.
 *
 * Trust (issue 19, finding 9).  The journal lives on the Windows volume, so
 * the worm can write it, and undo writes what it says: a crafted line must
 * not make undo write anything.  A digest chain alone would not do (the worm
 * can read this source and recompute it), so each line is authenticated
 * with a key kept OFF the volume (rescue/base/journalkey.h: the RESCUE partition on
 * the boot image, /var/lib/rescue on a workstation, $RESCUE_STATE_DIR):
 *
 *   {...the entry's members...,"kid":"<16 hex>","mac":"<64 hex>"}
 *
 * mac = HMAC-SHA256(key, label || mac of the previous entry of the same run
 * ("" for its first) || the line's bytes up to ',"mac":').  An edited
 * member fails its line; a line deleted from the middle of a run, or one
 * added into it, fails the line after it; two lines swapped fail, and so
 * does the line after them; lines added by hand cannot be signed.  (The
 * chain runs through the MACs as written, so one bad line does not fail
 * every line after it.)  kid names the key (a one-way digest of it), so a
 * line signed with another fleet's key says so.  journal_load
 * checks every line (struct journal_entry.trust and .why); undo (hive/undo.h)
 * reverts only entries that verify, and lists the others with their line
 * number and the reason; independently, rescue/base/undopolicy.h lets an entry
 * touch only places rescue itself changes.
 *
 * Without a key store (a CD boot: no writable RESCUE partition) entries are
 * written without kid/mac, as rescue did before signing: such a line is
 * JOURNAL_UNSIGNED, and undo reverts it only when the technician says so
 * (`rescue undo --trust-unsigned`), after reading what `rescue undo` lists.
 * The same flag undoes journals written before this change.
 *
 * Limits: whoever holds the key can sign (on a stick that went into an
 * infected running Windows the worm may have read it); removing whole runs
 * or a run's last entries is not detected (it only makes undo do less, as
 * deleting the journal does); a run copied from another disk cleaned with
 * the same key verifies.  "undone" marks are honoured whatever their trust:
 * one can only make undo do less. */
#ifndef HIVE_JOURNAL_H
#define HIVE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rescue/base/ctx.h"

enum journal_kind { JOURNAL_VALUE, JOURNAL_KEY, JOURNAL_FILE, JOURNAL_UNDONE, JOURNAL_QUARANTINE, JOURNAL_ACL };

enum journal_trust {
	JOURNAL_SIGNED,             /* its MAC verified with this key store's key */
	JOURNAL_UNSIGNED,           /* no MAC: written without a key store, or before signing */
	JOURNAL_UNVERIFIED,             /* a MAC that does not verify: edited, moved, forged, or another key */
};

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
	char path[1024];            /* FILE, QUARANTINE, ACL: volume-relative file */
	char id[80];                /* QUARANTINE: the quarantine id */
	char stream[256];           /* QUARANTINE: the alternate data stream, "" for the file itself */
	char backup[1024];          /* FILE: volume-relative copy of the old content, "" when there was none */
	char old_sha256[65], new_sha256[65];   /* QUARANTINE: old_sha256 = the quarantined bytes' */
	long of;                    /* UNDONE: the seq reverted */
	bool undone;                /* set by journal_load when an UNDONE entry names this one */
	size_t line;                /* journal_load: the line number in the file */
	enum journal_trust trust;   /* journal_load: whether the line's MAC verified */
	char why[200];              /* journal_load: when not JOURNAL_SIGNED, why */
};

struct journal {
	struct journal_entry *v;
	size_t n;
};

/* Append E (its seq is set to the next number) to the target's journal,
 * signed when a key store is reachable (the key is made at its first use).
 * RS_ETARGET when the key store holds a damaged key. */
int journal_append(const struct rs_ctx *ctx, struct journal_entry *e, struct rs_error *err);

/* Load the whole journal (empty when there is none), each entry with its
 * line number and its trust (checked against the key store's key, which it
 * never creates).  A damaged line is an RS_ETARGET error naming its line
 * number: undo never guesses. */
int journal_load(struct rs_ctx *ctx, struct journal *out, struct rs_error *err);
void journal_free(struct journal *j);

/* Free the data an entry owns (not the entry). */
void journal_entry_clear(struct journal_entry *e);

#endif
