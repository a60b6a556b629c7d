/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <sys/stat.h>   /* before the ntfs-3g headers (DESIGN.md) */
#include <sys/types.h>

#include "rescue/disk/ntfsprobe.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/layout.h>
#include <ntfs-3g/logging.h>
#include <ntfs-3g/volume.h>

/* A boot sector's OEM id (8 bytes at offset 3) names what formatted it. */
#define OEM_ID_OFF 3
#define OEM_ID_LEN 8
#define OEM_BITLOCKER "-FVE-FS-"
#define OEM_NTFS      "NTFS    "

static bool oem_id_is(const unsigned char *buf, size_t len, const char *oem)
{
	return len >= OEM_ID_OFF + OEM_ID_LEN && memcmp(buf + OEM_ID_OFF, oem, OEM_ID_LEN) == 0;
}

bool ntfs_is_bitlocker(const unsigned char *buf, size_t len)
{
	return oem_id_is(buf, len, OEM_BITLOCKER);
}

bool ntfs_is_ntfs_boot(const unsigned char *buf, size_t len)
{
	return oem_id_is(buf, len, OEM_NTFS);
}

int ntfs_probe(const char *dev, struct ntfs_state *st, struct rs_error *err)
{
	memset(st, 0, sizeof(*st));
	/* The core never prints: libntfs-3g would, on every damaged volume. */
	ntfs_log_set_handler(ntfs_log_handler_null);
	errno = 0;
	ntfs_volume *vol = ntfs_mount(dev, NTFS_MNT_RDONLY);
	if (!vol) {
		int e = errno ? errno : EIO;
		if (e == EINVAL)    /* libntfs-3g's word for "no NTFS boot sector" */
			return rs_fail(err, RS_ETARGET, "damaged NTFS volume (libntfs-3g cannot open it)");
		return rs_fail_errno(err, RS_ETARGET, e, "damaged NTFS volume");
	}
	if (vol->vol_name)
		snprintf(st->label, sizeof(st->label), "%s", vol->vol_name);
	st->dirty = (vol->flags & VOLUME_IS_DIRTY) != 0;
	/* Returns -1 with EPERM when hiberfil.sys holds a hibernated session
	 * (or Fast Startup's); other errors mean it could not be read, which
	 * ntfs-3g treats the same way: no read-write mount. */
	errno = 0;
	if (ntfs_volume_check_hiberfile(vol, 0) != 0)
		st->hibernated = true;
	ntfs_umount(vol, FALSE);
	return RS_OK;
}
