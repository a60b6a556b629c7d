/* SPDX-License-Identifier: GPL-2.0-or-later */
/* disk.h - the disks of the machine (or one given disk, partition or image
 * file) and their partitions: table (MBR, GPT), offsets, sizes, file system
 * and label (libblkid), and the BitLocker signature.  Nothing is mounted
 * here; partitions without a device node of their own (image files, disks
 * without kernel partitions) are attached as loop devices by disk_attach. */
#ifndef RESCUE_DISK_H
#define RESCUE_DISK_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rescue/base/error.h"
#include "rescue/disk/loopdev.h"

struct disk_part {
	char name[96];          /* what a person reads: "sda2", "win10.img p3", "nvme0n1p3" */
	char node[PATH_MAX];    /* device node of its own ("/dev/sda2"), "" until attached */
	int number;             /* 1-based partition number; 0 = the disk is the volume */
	uint64_t offset, size;  /* bytes, within the disk */
	char fstype[32];        /* blkid TYPE: "ntfs", "vfat"...; "BitLocker"; "" unknown */
	char label[128];
	char parttype[40];      /* GPT type GUID or MBR "0x07", "" for a bare volume */
	bool beyond_end;        /* the table says it reaches past the end of the disk */
	struct loopdev loop;    /* when node is a loop device we attached */
	bool loop_ro;           /* ... read-only */
};

struct disk {
	char path[PATH_MAX];    /* as given, or "/dev/sda" */
	char name[64];          /* basename */
	char table[8];          /* "gpt", "dos", "" (bare volume or unknown) */
	uint64_t size;
	bool is_file;           /* a regular file (an image) */
	bool readonly;          /* read-only medium or file we may not write */
	struct disk_part *parts;
	size_t nparts;
};

/* Read DISK (a block device, partition or image file): its table and each
 * partition's file system, or the file system of the whole when it is a
 * bare volume.  RS_ETARGET when it cannot be read, is empty, or carries
 * neither a partition table nor a file system we know. */
int disk_read(const char *path, struct disk **out, struct rs_error *err);

/* Every local disk from /sys/block (SATA, NVMe, USB, virtio...; not loop,
 * RAM or optical drives without media).  Disks that cannot be read are left
 * out.  Fills OUT/N (free each with disk_free, then the array). */
int disk_list_local(struct disk ***out, size_t *n, struct rs_error *err);

/* Make sure P has a device node (P->node): its own kernel partition node
 * when it has one, else a loop device over its byte range (read-only when
 * the disk is, or RO).  Idempotent. */
int disk_attach(struct disk *d, struct disk_part *p, bool ro, struct rs_error *err);

/* Detach the loop devices and free D.  NULL is fine. */
void disk_free(struct disk *d);

/* "256M", "1.5G": SIZE for a table column. */
void disk_format_size(uint64_t size, char *buf, size_t len);

#endif
