/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ntfsprobe.h - the state of an NTFS volume, read without mounting it:
 * label, dirty flag, hibernation (hiberfil.sys in use: Windows hibernated or
 * shut down with Fast Startup), read through libntfs-3g read-only. */
#ifndef RESCUE_NTFSPROBE_H
#define RESCUE_NTFSPROBE_H

#include <stdbool.h>

#include "rescue/base/error.h"

struct ntfs_state {
	char label[128];
	bool dirty;         /* $Volume says "dirty": not shut down cleanly, chkdsk pending */
	bool hibernated;    /* hiberfil.sys holds a hibernated session: ntfs-3g refuses read-write */
};

/* Probe DEV (a block device or image file holding one NTFS volume).
 * RS_ETARGET when it cannot be read as NTFS (the message says why, without
 * naming DEV: the caller knows the name a person reads). */
int ntfs_probe(const char *dev, struct ntfs_state *st, struct rs_error *err);

/* The BitLocker signature: "-FVE-FS-" at offset 3 of the volume's first
 * sector (BUF holds at least 11 bytes). */
bool ntfs_is_bitlocker(const unsigned char *buf, size_t len);

/* An NTFS boot sector: "NTFS    " at offset 3 (BUF as above). */
bool ntfs_is_ntfs_boot(const unsigned char *buf, size_t len);

#endif
