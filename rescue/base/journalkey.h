/* SPDX-License-Identifier: GPL-2.0-or-later */
/* journalkey.h - the key that signs Rescue/journal.jsonl (the design is in
 * rescue/base/journal.h) and the MAC it makes.
 *
 * The key lives OFF the Windows volume, in a key store folder:
 *   $RESCUE_STATE_DIR when set and not empty; set and empty means "no key
 *   store" (the boot image without a writable RESCUE partition: a CD);
 *   /var/lib/rescue otherwise (a technician's workstation).
 * The boot image's /init sets RESCUE_STATE_DIR to the RESCUE partition's
 * state/ folder, so every machine of a fleet cleaned with one stick shares
 * one key.  The file is journal.key: 64 hex digits and a newline, created
 * 0600 (O_EXCL, O_NOFOLLOW) from getrandom() at the first signed write.
 * Copying it to another workstation's key store lets that one undo too.
 * A store that holds no key and cannot be written (a write-protected stick,
 * no root) is no key store: the run goes on and its journal is unsigned. */
#ifndef HIVE_JOURNALKEY_H
#define HIVE_JOURNALKEY_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rescue/base/error.h"

#define JOURNAL_KEY_ENV     "RESCUE_STATE_DIR"
#define JOURNAL_KEY_DEFAULT "/var/lib/rescue"
#define JOURNAL_KEY_FILE    "journal.key"
#define JOURNAL_KEY_BYTES   32
#define JOURNAL_MAC_HEX     64      /* HMAC-SHA256 as lower-case hex */
#define JOURNAL_KID_HEX     16

struct journal_key {
	bool have;                      /* false: no key store reachable (where says why) */
	uint8_t key[JOURNAL_KEY_BYTES];
	char id[JOURNAL_KID_HEX + 1];   /* names the key in each entry: not secret, derived one way */
	char where[PATH_MAX + 64];      /* the key file, or why there is none */
};

/* Find the key.  CREATE: make it when the store has none yet (a write);
 * without CREATE a missing key is !have (a read).  RS_ETARGET naming the
 * file when a key file exists but is not a regular file of 64 hex digits:
 * a damaged key must not silently turn signing off. */
int journal_key_get(bool create, struct journal_key *k, struct rs_error *err);

/* The MAC of one journal line: HMAC-SHA256 over a version label, PREV (the
 * MAC of the entry before it in the same run, "" for the first) and BODY
 * (the line up to its "mac" member), as hex into OUT. */
void journal_mac(const struct journal_key *k, const char *prev, const char *body, size_t len,
		 char out[JOURNAL_MAC_HEX + 1]);

#endif
