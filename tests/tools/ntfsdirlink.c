/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ntfsdirlink - TEST ONLY: give a folder of an unmounted NTFS volume a second
 * name (an index entry in another folder), which Windows never makes and a
 * damaged or hostile volume can hold: a folder named inside itself is a loop
 * for any reader that follows names.  Through libntfs-3g (ntfs_link), which
 * keeps the index and the folder's link count consistent.
 *
 *   ntfsdirlink DEV FOLDER NAME TARGET
 *
 * makes FOLDER/NAME (volume paths, '/'-separated) a name of the folder
 * TARGET.  Exit 0, or 1 with one line on stderr. */
#define _GNU_SOURCE
#include <sys/stat.h>   /* before the ntfs-3g headers */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/volume.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/dir.h>     /* after the two it uses */
#include <ntfs-3g/unistr.h>

static int link_folder(ntfs_volume *vol, const char *folder, const char *name, const char *target)
{
	ntfs_inode *dir = ntfs_pathname_to_inode(vol, NULL, folder);
	ntfs_inode *ni = dir ? ntfs_pathname_to_inode(vol, NULL, target) : NULL;
	ntfschar *u = NULL;
	int ul = ni ? ntfs_mbstoucs(name, &u) : -1;
	int rc = -1;
	if (!dir || !ni)
		fprintf(stderr, "ntfsdirlink: %s: %s\n", dir ? target : folder, strerror(errno));
	else if (!(ni->mrec->flags & MFT_RECORD_IS_DIRECTORY))
		fprintf(stderr, "ntfsdirlink: %s: not a folder\n", target);
	else if (ul <= 0 || ul > 255)
		fprintf(stderr, "ntfsdirlink: %s: not a file name\n", name);
	else if ((rc = ntfs_link(ni, dir, u, (u8)ul)) != 0)
		fprintf(stderr, "ntfsdirlink: %s/%s: %s\n", folder, name, strerror(errno));
	free(u);
	if (ni)
		ntfs_inode_close(ni);
	if (dir)
		ntfs_inode_close(dir);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: ntfsdirlink DEV FOLDER NAME TARGET\n");
		return 2;
	}
	ntfs_volume *vol = ntfs_mount(argv[1], NTFS_MNT_NONE);
	if (!vol) {
		fprintf(stderr, "ntfsdirlink: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	int rc = link_folder(vol, argv[2], argv[3], argv[4]);
	if (ntfs_umount(vol, FALSE) != 0) {
		fprintf(stderr, "ntfsdirlink: %s: %s\n", argv[1], strerror(errno));
		rc = -1;
	}
	return rc ? 1 : 0;
}
