/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/disk/blguard.h"

#include <stdint.h>
#include <stdio.h>

#include "rescue/volume/ntfsread.h"

/* What readers set aside for one metadata block, whatever its own size says. */
#define BL_BLOCK_AREA 65536u

int bl_guard_check(const struct bl_info *bl, const char *dev, struct rs_error *err)
{
	struct {
		uint64_t off, len;
		char name[40];
	} areas[4];
	int n = 0;
	for (int i = 0; i < 3; i++) {
		areas[n].off = bl->block_offset[i];
		areas[n].len = BL_BLOCK_AREA;
		snprintf(areas[n++].name, sizeof(areas[0].name), "metadata block %d", i + 1);
	}
	if (bl->header_size) {
		areas[n].off = bl->header_offset;
		areas[n].len = bl->header_size;
		snprintf(areas[n++].name, sizeof(areas[0].name), "moved volume header");
	}

	struct ntfsread *v;
	int rc = ntfsread_open_dev(dev, "", "/", &v, err);
	if (rc)
		return rc;
	for (int i = 0; i < n && rc == RS_OK; i++) {
		uint64_t free_at;
		int e = ntfsread_in_use(v, areas[i].off, areas[i].len, &free_at);
		if (e)
			rc = rs_fail_errno(err, RS_ETARGET, e, "the NTFS cluster bitmap inside BitLocker cannot be "
					   "read to check its %s is safe from writes", areas[i].name);
		else if (free_at != UINT64_MAX)
			rc = rs_fail(err, RS_ETARGET, "BitLocker's %s (at byte 0x%llx) lies in clusters NTFS counts "
				     "as free: a write could overwrite it and lock the volume for good, so it "
				     "stays read-only for this run", areas[i].name, (unsigned long long)free_at);
	}
	ntfsread_close(v);
	return rc;
}
