/* SPDX-License-Identifier: GPL-2.0-or-later */
/* undopolicy.h - what an undo may touch, whatever the journal says.
 *
 * A signature (rescue/base/journal.h) says an entry was written by rescue; this
 * says the entry asks for something rescue could have done, so a key that
 * leaked, or an unsigned journal the technician chose to trust, still
 * cannot make undo write just anything.  A VALUE entry may only put back a
 * value in the places rescue changes (the containment settings, the
 * autostart locations, the SAM account records: one table, in
 * undopolicy.c); a KEY entry only a key of those places or one above them;
 * a FILE entry only the files rescue edits (the hosts file, scheduled task
 * files, Startup folder entries, hives and their logs), with its backup
 * under Rescue/backup/; a QUARANTINE entry only a quarantine id; an ACL
 * entry only a descriptor in a security product's folder (secfolders.h).  Paths are
 * compared case-insensitively, as Windows does. */
#ifndef HIVE_UNDOPOLICY_H
#define HIVE_UNDOPOLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "rescue/base/journal.h"

/* Whether undo may revert E; when not, WHY says what lies outside. */
bool undo_policy_allows(const struct journal_entry *e, char *why, size_t whylen);

#endif
