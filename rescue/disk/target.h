/* SPDX-License-Identifier: GPL-2.0-or-later */
/* target.h - the Windows installations on a machine's disks (or on one
 * disk, partition or image file), and an rs_ctx opened on one of them.
 *
 * rs_target_scan reads every partition, probes each NTFS volume's state
 * (BitLocker, hibernated, dirty, read-only medium, unreadable), opens a
 * BitLocker volume with a matching key of those it is given, mounts it
 * read-only for a moment to see whether Windows is there and which (product,
 * build, computer name), and unmounts it again.  rs_target_open then mounts
 * one installation for a command (read-write only when the command writes
 * and the volume may be written) and opens an rs_ctx on it.  Every mount and
 * loop device belongs to the target and ends with rs_target_close (or, on a
 * signal or exit, with teardown_all).  The CLI, the UI and the unattended
 * driver use the same calls; nothing here prints. */
#ifndef RESCUE_TARGET_H
#define RESCUE_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "hive/recover.h"
#include "hive/wininfo.h"
#include "rescue/base/ctx.h"
#include "rescue/disk/bitlocker.h"
#include "rescue/disk/blkeys.h"
#include "rescue/disk/disk.h"
#include "rescue/disk/unlock.h"
#include "rescue/base/error.h"

enum vol_state {
	VOL_BITLOCKER  = 1 << 0,   /* encrypted and locked: needs its recovery key; never written */
	VOL_HIBERNATED = 1 << 1,   /* hiberfil.sys in use (hibernation, Fast Startup) */
	VOL_DIRTY      = 1 << 2,   /* NTFS dirty flag: not shut down cleanly */
	VOL_READONLY   = 1 << 3,   /* read-only medium or image file */
	VOL_UNREADABLE = 1 << 4,   /* NTFS that cannot be read or mounted (see why) */
	VOL_UNLOCKED   = 1 << 5,   /* BitLocker, opened with a key (bl_key_from): an NTFS volume like any */
};

struct rs_volume {
	const struct disk *disk;
	struct disk_part *part;
	unsigned state;            /* vol_state bits */
	char why[300];             /* VOL_UNREADABLE: the reason */
	bool windows;              /* Windows/System32/config/SYSTEM is there */
	bool hiveless;             /* no SYSTEM, but a Rescue/ folder: rescue worked here and SYSTEM went
				      (quarantined by an older rescue, lost): an installation only for the
				      commands that need no hive (RS_CTX_VOLUME_ONLY: undo, quarantine) */
	struct win_info info;      /* when windows */
	struct hive_probe *hives;  /* when windows: each hive's dirty state (hive/recover.h), owned */
	size_t nhives;
	const char *hives_word;    /* when windows: hive_recovery_summary() of them, "clean"... */
	int install;               /* 1-based installation number, 0 when neither windows nor hiveless */
	struct ntfs_mount *mount;  /* while open */
	/* BitLocker (locked or unlocked): */
	struct bl_info *bl;        /* its metadata, owned; NULL when not BitLocker or unreadable */
	char bl_why[300];          /* locked: why ("needs recovery key <ID>", "this key does not open <ID>") */
	char bl_key_id[BL_GUID_TEXT];  /* unlocked: the protector's key ID ("" for a clear key) */
	char bl_key_from[100];     /* unlocked: "keys/<file>", "the recovery key given", "its clear key" */
	const struct blk_key *bl_key;  /* unlocked: the key (in the ring given to rs_target_scan) */
	struct bl_unlock *unlock;  /* unlocked: dislocker and the loop device over its view */
	bool bl_guarded;           /* unlocked: its metadata areas checked (rescue/disk/blguard.h) */
	char bl_write_why[300];    /* ... and found unsafe to write near: why it stays read-only */
};

struct rs_target;

/* Scan PATH (a disk, partition or image file), or every local disk when
 * PATH is NULL.  BitLocker volumes are opened with the recovery keys in KEYS
 * (a key ID from the volume's metadata matched in KEYS; a typed key, with no
 * ID, is tried as it is); KEYS, borrowed, must outlive the target; NULL: they
 * stay locked.  RS_ETARGET when PATH cannot be read or holds no partition
 * table or file system; finding no Windows is not an error here. */
int rs_target_scan(const char *path, const struct blk_ring *keys, struct rs_target **out, struct rs_error *err);

size_t rs_target_count(const struct rs_target *t);                  /* volumes (partitions) */
const struct rs_volume *rs_target_volume(const struct rs_target *t, size_t i);
size_t rs_target_installs(const struct rs_target *t);               /* Windows installations */
const struct rs_volume *rs_target_install(const struct rs_target *t, int n);   /* 1-based */

/* Which installation a command acts on: N when given (1-based), else the
 * only one.  RS_ETARGET when there is none (the message says what was found
 * instead: BitLocker, unreadable...), RS_EUSAGE when there are several and
 * N is 0, or N is out of range.  Fills *OUT with the 1-based number. */
int rs_target_pick(const struct rs_target *t, int n, int *out, struct rs_error *err);

enum rs_target_open_flags {
	TARGET_REMOVE_HIBERFILE = 1 << 0,  /* the user agreed to discard a hibernated session */
};

/* Mount installation N and open an rs_ctx on it with CTX_FLAGS (without
 * RS_CTX_READONLY the volume is mounted read-write, which is refused for
 * BitLocker, read-only media, hibernated volumes unless
 * TARGET_REMOVE_HIBERFILE, and dirty volumes unless RS_CTX_FORCE; a hiveless
 * one without RS_CTX_VOLUME_ONLY, before it is mounted).  The
 * ctx is the caller's (rs_ctx_close), the mount the target's. */
int rs_target_open(struct rs_target *t, int n, unsigned ctx_flags, unsigned open_flags,
		   struct rs_ctx **out, struct rs_error *err);

/* Unmount, detach, free.  RS_EPARTIAL when a volume could not be unmounted
 * cleanly (ERR says which).  NULL is fine. */
int rs_target_close(struct rs_target *t, struct rs_error *err);

/* "ok", or the state words joined by ',': "hibernated,dirty". */
void rs_volume_state_str(unsigned state, char *buf, size_t len);

#endif
