/* SPDX-License-Identifier: GPL-2.0-or-later */
/* blguard.h - may an unlocked BitLocker volume be written?  BitLocker keeps
 * its metadata blocks and the file system's moved first sectors inside the
 * volume; Windows covers them with files (System Volume Information\FVE2.*)
 * so NTFS never allocates them.  A volume where they lie in clusters NTFS
 * counts as free (damaged, or made so by the worm) would have them
 * overwritten by the first file ntfs-3g grows there, and the volume would
 * never open again.  Read $Bitmap of the decrypted NTFS (the direct reader)
 * before any write and refuse when one area is not covered. */
#ifndef RESCUE_BLGUARD_H
#define RESCUE_BLGUARD_H

#include "rescue/base/error.h"
#include "rescue/disk/bitlocker.h"

/* DEV is the decrypted volume (dislocker's view) of the volume BL was read
 * from.  RS_OK when every metadata area is in clusters NTFS marks in use,
 * or past the end of NTFS; RS_ETARGET with one line saying which area lies
 * in free clusters (or that $Bitmap cannot be read) otherwise. */
int bl_guard_check(const struct bl_info *bl, const char *dev, struct rs_error *err);

#endif
