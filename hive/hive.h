/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hive.h - a registry hive of the target opened through libhivex, read and
 * edited safely.
 *
 * Reading: hive_open, hive_lookup, hive_get.  Editing: hive_set,
 * hive_delete_value, hive_delete_key record each change in memory (with the
 * old data); hive_commit then, in this order:
 *   1. copies the hive file to Rescue/backup/<stamp>/ (first write of the run),
 *   2. appends every change to Rescue/journal.jsonl with its old data,
 *   3. hivex_commit()s to a temporary file in the hive's folder, fsyncs it and
 *      renames it over the original,
 *   4. reopens the result and reads every changed value back.
 * A dirty hive (sequence numbers differ: Windows' latest changes are only in
 * its .LOG1/.LOG2/.LOG) is recovered from its logs on opening (hive/recover.h)
 * and read from a private copy; hive_commit first writes that recovery back
 * as its own journaled step (0.) before the edits.  A dirty hive whose logs are
 * missing or damaged is refused for writing unless the context has
 * RS_CTX_FORCE.  With RS_CTX_DRY_RUN nothing is written.
 *
 * Key paths use '\\' between components, matched case-insensitively; a first
 * component "CCS" means the control set named by SYSTEM\Select\Current.
 * Ownership: hive_open allocates, hive_close frees (pending edits are dropped). */
#ifndef HIVE_HIVE_H
#define HIVE_HIVE_H

#include <hivex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hive/regf.h"
#include "rescue/base/ctx.h"

/* Registry value types (winnt.h numbering). */
enum {
	REGT_NONE = 0, REGT_SZ = 1, REGT_EXPAND_SZ = 2, REGT_BINARY = 3,
	REGT_DWORD = 4, REGT_MULTI_SZ = 7, REGT_QWORD = 11,
};

/* Hive files, relative to the volume root. */
#define HIVE_SYSTEM   RS_PATH_CONFIG "/SYSTEM"
#define HIVE_SOFTWARE RS_PATH_CONFIG "/SOFTWARE"
#define HIVE_SAM      RS_PATH_CONFIG "/SAM"
#define HIVE_DEFAULT  RS_PATH_CONFIG "/DEFAULT"

enum hive_open_flags {
	HIVE_WRITE = 1 << 0,      /* will be edited: refuse a dirty hive, need a writable context */
};

struct hive;

/* A value's data as read: owned by the struct, free with reg_value_free. */
struct reg_value {
	bool present;
	uint32_t type;
	size_t len;
	uint8_t *data;
};
void reg_value_free(struct reg_value *v);

/* Open the hive file REL (e.g. HIVE_SOFTWARE, or "Users/Pat/NTUSER.DAT").
 * RS_ETARGET when missing, not a hive, corrupt (message names the file), or
 * dirty when opened with HIVE_WRITE. */
int hive_open(struct rs_ctx *ctx, const char *rel, unsigned flags, struct hive **out,
	      struct rs_error *err);
void hive_close(struct hive *h);

hive_h *hive_handle(struct hive *h);          /* borrowed libhivex handle */
const char *hive_rel(const struct hive *h);   /* volume-relative path as resolved */
const char *hive_file(const struct hive *h);  /* real path */
const struct regf_base *hive_base(const struct hive *h);
/* Whether the hive was dirty when opened and what its logs gave (borrowed;
 * recover.h has the struct and hive_recovery_describe for a message). */
struct hive_recovery;
const struct hive_recovery *hive_recovery_info(const struct hive *h);

/* The node at KEYPATH, 0 when any component is missing. */
hive_node_h hive_lookup(struct hive *h, const char *keypath);

/* Expand a leading "CCS" into "ControlSet00N" (from Select\Current) into OUT;
 * other paths are copied.  RS_ETARGET when Select\Current is missing. */
int hive_expand_path(struct hive *h, const char *keypath, char *out, size_t outlen,
		     struct rs_error *err);

/* Read KEYPATH\NAME ("" = the default value) into OUT; a missing key or value
 * gives RS_OK with out->present false. */
int hive_get(struct hive *h, const char *keypath, const char *name, struct reg_value *out,
	     struct rs_error *err);

/* Convenience readers: 0 when present and of the right type. */
int hive_get_dword(struct hive *h, const char *keypath, const char *name, uint32_t *out);
/* REG_SZ/EXPAND_SZ as UTF-8 in a malloc'd string (caller frees), NULL when absent. */
char *hive_get_string(struct hive *h, const char *keypath, const char *name);

/* Record a change: set KEYPATH\NAME to TYPE/DATA, creating missing keys.
 * ITEM names the containment item or command ("autorun", "passwd") for the
 * journal and undo.  Setting a value to what it already holds records nothing. */
int hive_set(struct hive *h, const char *item, const char *keypath, const char *name,
	     uint32_t type, const void *data, size_t len, struct rs_error *err);
int hive_set_dword(struct hive *h, const char *item, const char *keypath, const char *name,
		   uint32_t v, struct rs_error *err);
/* NAME as REG_SZ from UTF-8. */
int hive_set_string(struct hive *h, const char *item, const char *keypath, const char *name,
		    const char *utf8, struct rs_error *err);
/* NAME as TYPE (REGT_SZ or REGT_EXPAND_SZ: keep the type a value had) from UTF-8. */
int hive_set_sz(struct hive *h, const char *item, const char *keypath, const char *name, uint32_t type,
		const char *utf8, struct rs_error *err);
/* The REG_SZ data of UTF8 (UTF-16LE with its NUL) into *OUT (malloc'd, the
 * caller frees), *LEN bytes; -1 when UTF8 is not UTF-8 or out of memory. */
int hive_sz_data(const char *utf8, uint8_t **out, size_t *len);
int hive_delete_value(struct hive *h, const char *item, const char *keypath, const char *name,
		      struct rs_error *err);
/* One edit of a value for hive_edit_values: set NAME to TYPE/DATA/LEN, or
 * (REMOVE) delete it. */
struct hive_value_edit {
	const char *name;
	bool remove;
	uint32_t type;
	const void *data;
	size_t len;
};
/* Apply EDITS, in their order, to the values of KEYPATH in one rewrite of
 * the key, each recorded as hive_set or hive_delete_value records it (a set
 * to what the value holds, or the removal of an absent value, records
 * nothing; a set creates missing keys).  libhivex rewrites every value of a
 * key on each edit and never reuses the space: one rewrite for many edits of
 * a key with hundreds of values keeps the hive small and the time linear.
 * On an error no value edit is recorded. */
int hive_edit_values(struct hive *h, const char *item, const char *keypath, const struct hive_value_edit *edits,
		     size_t n, struct rs_error *err);
/* Delete KEYPATH when it holds no values and no subkeys (undo of a created
 * key); RS_OK and nothing recorded when it is missing or not empty. */
int hive_delete_empty_key(struct hive *h, const char *item, const char *keypath,
			  struct rs_error *err);

/* One recorded change, for listing ("what changed", dry runs).  A created
 * key has key_created set and no value; a deleted key has key_deleted. */
struct hive_change {
	char item[32];
	bool key_created, key_deleted;
	char key[1024];             /* CCS expanded */
	char value[256];
	struct reg_value old, new_;
};

/* Number of recorded, uncommitted changes, and the I-th (borrowed). */
size_t hive_pending(const struct hive *h);
const struct hive_change *hive_change_at(const struct hive *h, size_t i);

/* "SOFTWARE" for a machine hive (REL under Windows/System32/config), REL
 * itself for a user hive ("Users/Pat/NTUSER.DAT"): how people name hives. */
const char *hive_short_name(const char *rel);

/* Render V for a person: "0x000000ff (255)", "\"text\"", "(absent)", hex... */
void reg_value_format(const struct reg_value *v, char *buf, size_t len);

/* Whether the hive file may be written: mode bits (the read-only attribute
 * on NTFS) and a writable context.  RS_ETARGET with the reason otherwise. */
int hive_check_writable(const struct hive *h, struct rs_error *err);

/* Write the recorded changes (steps 1-4 above).  Nothing recorded: RS_OK and
 * nothing written.  A failure before the rename leaves the hive as it was;
 * a read-back mismatch after it is RS_EPARTIAL (the backup is named). */
int hive_commit(struct hive *h, struct rs_error *err);

/* Write a pending recovery from the logs (step 0 of hive_commit) without any
 * edit: `rescue recover`.  RS_OK and nothing written when there is none. */
int hive_write_recovery(struct hive *h, struct rs_error *err);

#endif
