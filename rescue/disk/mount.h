/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mount.h - NTFS volumes mounted through ntfs-3g, in private folders.
 *
 * Mount points live under the run folder ($RESCUE_RUNDIR, else /run/rescue,
 * else $TMPDIR/rescue-run), one folder per mount named "<pid>.<n>", so a
 * later run can tell its own from a dead run's (mount_clean_stale).  ntfs-3g
 * runs in the foreground as our child (no_detach), in its own process group
 * (a Ctrl-C reaches rescue, which unmounts in order), and gets SIGTERM from
 * the kernel if rescue dies without unmounting.  Always noexec, nosuid,
 * nodev: nothing on the Windows disk is ever run. */
#ifndef RESCUE_MOUNT_H
#define RESCUE_MOUNT_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "rescue/base/error.h"

enum mount_flags {
	MOUNT_RW               = 1 << 0,  /* read-write (default read-only) */
	MOUNT_REMOVE_HIBERFILE = 1 << 1,  /* the user agreed: ntfs-3g deletes hiberfil.sys */
};

struct ntfs_mount {
	char dir[PATH_MAX];     /* the mount point */
	char dev[PATH_MAX];     /* what was mounted */
	pid_t pid;              /* ntfs-3g */
	int slot;               /* teardown registration */
	bool rw;
};

/* Mount the NTFS volume DEV.  With MOUNT_RW the mount must really be
 * read-write (ntfs-3g falls back to read-only on a hibernated or unsafe
 * volume: that is an error here, with ntfs-3g's reason).  RS_ETARGET with
 * one line on failure.  Free with mount_release. */
int mount_ntfs(const char *dev, unsigned flags, struct ntfs_mount **out, struct rs_error *err);

/* Unmount (waiting for ntfs-3g to write everything back), remove the
 * folder, free M.  RS_EPARTIAL when the volume could not be unmounted
 * cleanly (it is then detached lazily).  NULL is fine. */
int mount_release(struct ntfs_mount *m, struct rs_error *err);

/* Whether DIR is a mount point now: its device differs from PARENT's. */
bool mount_is_active(const char *dir, const char *parent);

/* The run folder, created (mode 0700) when missing. */
int mount_rundir(char *out, size_t outlen, struct rs_error *err);

/* Remove what dead runs left in the run folder: mounts (lazily unmounted)
 * and folders whose owner process is gone. */
void mount_clean_stale(void);

#endif
