/* SPDX-License-Identifier: GPL-2.0-or-later */
/* accounts.h - local accounts of an installation (its SAM), listed and
 * edited offline: blank or set a password, unlock, enable, add to
 * Administrators.
 *
 * The SAM is read and written through the hive layer (hive/hive.h), so every
 * edit is backed up, journalled under the item "passwd" (which `rescue undo
 * passwd` reverts) and read back.  The binary values are hive/sam.c's.  The
 * boot key comes from SYSTEM of the same installation; when it does not open
 * the SAM (another machine's SYSTEM, a syskey password), listing and the flag
 * edits still work, setting a password is refused.
 *
 * Ownership: accounts_open allocates, accounts_close frees (NULL is fine). */
#ifndef RESCUE_ACCOUNTS_H
#define RESCUE_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hive/sam.h"
#include "rescue/base/ctx.h"

#define ACCOUNTS_ITEM "passwd"      /* journal item of every SAM edit */

struct acct_user {
	uint32_t rid;
	char name[512];             /* UTF-8, from V (Names\<name> when V has none) */
	char fullname[1024];
	char internet_name[512];    /* Microsoft account's e-mail, "" for a local account */
	uint16_t acb, failed, logons;
	uint64_t last_logon;        /* FILETIME, 0 = never */
	bool disabled, locked, admin, microsoft;
	/* blank: no NT hash, or the hash of the empty password (known only when
	 * the boot key opens the SAM); has_password: a hash that is not blank. */
	bool blank, has_password;
	enum sam_hash_fmt nt_fmt;
};

struct accounts {
	struct rs_ctx *ctx;
	struct hive *sam;
	enum sam_key_rev rev;           /* the SAM's hash format */
	bool key_ok;                    /* the boot key opened the SAM */
	struct sam_key key;
	char key_why[512];              /* when !key_ok: why */
	bool have_sid;
	uint8_t domsid[SAM_DOMAIN_SID_LEN];
	char lost_why[512];             /* sam is NULL: reopening after a failure failed */
	struct acct_user *users;        /* by RID; accounts_passwd rereads the one it changed */
	size_t n;
};

/* Open the installation's SAM (for writing with WRITE) and read every
 * account.  RS_ETARGET when the SAM is missing or damaged. */
int accounts_open(struct rs_ctx *ctx, bool write, struct accounts **out, struct rs_error *err);
void accounts_close(struct accounts *a);

/* USER: a name (any case) or a RID in decimal or 0x-hex.  NULL and
 * RS_EUSAGE when no account matches. */
const struct acct_user *accounts_find(const struct accounts *a, const char *user, struct rs_error *err);

struct passwd_req {
	bool blank, unlock, enable, promote;
	const char *password;           /* UTF-8 new password ("" allowed), NULL = keep */
};

#define PASSWD_MAX_DONE 8
struct passwd_done {
	size_t n;
	char what[PASSWD_MAX_DONE][160];    /* one line per change (or "already ...") */
	size_t changed;                     /* values written */
};

/* Apply REQ to account RID and commit.  On failure nothing is written and
 * nothing stays pending for a later call (the SAM is reopened); on success
 * the account's entry in a->users is read again. */
int accounts_passwd(struct accounts *a, uint32_t rid, const struct passwd_req *req,
		    struct passwd_done *done, struct rs_error *err);

/* FILETIME to "YYYY-MM-DDTHH:MM:SSZ", "never" for 0. */
void accounts_filetime(uint64_t ft, char *out, size_t outlen);

#endif
