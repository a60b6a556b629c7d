/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loopdev.h - a byte range of a file or disk as a block device.
 *
 * Partitions of an image file (or of a disk without partition nodes) are
 * attached one by one with their offset and size: `losetup -P` makes no
 * partition nodes on the machines we run on.  Every device is attached with
 * autoclear and stays alive through the fd held here, so it vanishes when
 * loop_detach closes that fd, or when the process dies, as soon as no mount
 * uses it any more. */
#ifndef RESCUE_LOOPDEV_H
#define RESCUE_LOOPDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "rescue/base/error.h"

struct loopdev {
	int fd;             /* -1 when not attached */
	int slot;           /* teardown registration */
	char dev[32];       /* "/dev/loop5" */
};

#define LOOPDEV_INIT { .fd = -1, .slot = -1 }

/* Attach PATH from OFFSET for SIZE bytes (0: to the end), read-only when RO.
 * RS_ETARGET with the reason on failure. */
int loop_attach(const char *path, uint64_t offset, uint64_t size, bool ro, struct loopdev *out,
		struct rs_error *err);

/* Let the device go (it detaches once nothing uses it).  Idempotent. */
void loop_detach(struct loopdev *ld);

#endif
