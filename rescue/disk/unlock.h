/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unlock.h - a BitLocker volume opened through dislocker, as a block device
 * ntfs-3g mounts like any other.
 *
 * dislocker (FUSE) runs in the foreground as our child and shows the
 * decrypted volume as one file, <dir>/dislocker-file; a loop device over
 * that file is what the rest of rescue reads, mounts and writes (the direct
 * NTFS reader included: it reads the mount's source device).  The recovery
 * password never appears on a command line (where /proc/PID/cmdline shows
 * it to every user): dislocker reads it from its terminal, so it gets a
 * pseudo-terminal of its own and the password is typed into it; what it
 * echoes is read back and wiped, never shown.  Registered with the
 * teardown so that on exit or a signal ntfs-3g is unmounted first, then the
 * loop device let go, then dislocker ended. */
#ifndef RESCUE_UNLOCK_H
#define RESCUE_UNLOCK_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "rescue/base/error.h"
#include "rescue/disk/loopdev.h"

struct bl_unlock {
	char dir[PATH_MAX];         /* dislocker's mount point */
	pid_t pid;                  /* dislocker */
	int tty;                    /* the pseudo-terminal's master side, kept open while dislocker runs */
	int slot;                   /* teardown registration */
	bool ro;
	struct loopdev loop;        /* over dir/dislocker-file: the decrypted volume */
};

/* Open the BitLocker volume DEV with the recovery password PASSWORD (the
 * checked 48 digits), or with its clear key when PASSWORD is NULL (a
 * suspended volume); read-only when RO.  ID is the key ID, for messages.
 * RS_ETARGET: "this key does not open <ID>", or why dislocker failed (its
 * own words are never shown: they echo the key). */
int bl_unlock_open(const char *dev, const char *password, const char *id, bool ro,
		   struct bl_unlock **out, struct rs_error *err);

/* Let the loop device go, unmount dislocker, wait for it, free U.  The
 * NTFS mount on the loop device must be released first.  NULL is fine. */
void bl_unlock_close(struct bl_unlock *u);

#endif
