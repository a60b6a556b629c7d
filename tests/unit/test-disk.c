/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-disk.c - partition tables read from hand-made images (no root, no
 * external tool): MBR entries, an extended container skipped, a partition
 * past the end flagged, BitLocker by its signature, empty and unknown
 * files refused; and the small formatting helpers. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rescue/disk/disk.h"
#include "rescue/disk/ntfsprobe.h"
#include "rescue/disk/target.h"
#include "tests/unit/check.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/* MBR entry I: TYPE from sector START for SECTORS. */
static void mbr_entry(uint8_t *mbr, int i, uint8_t type, uint32_t start, uint32_t sectors)
{
	uint8_t *e = mbr + 446 + 16 * i;
	e[4] = type;
	put32(e + 8, start);
	put32(e + 12, sectors);
}

static char *make_image(const char *dir, const char *name, size_t size, const uint8_t *sec0,
			off_t at, const uint8_t *sec, size_t seclen)
{
	static char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)size) != 0)
		return NULL;
	if (sec0 && pwrite(fd, sec0, 512, 0) != 512)
		return NULL;
	if (sec && pwrite(fd, sec, seclen, at) != (ssize_t)seclen)
		return NULL;
	close(fd);
	return path;
}

static void test_mbr(const char *dir)
{
	uint8_t mbr[512] = { 0 };
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	put32(mbr + 440, 0x12345678);                  /* disk signature */
	mbr_entry(mbr, 0, 0x07, 2048, 4096);             /* NTFS id, BitLocker inside */
	mbr_entry(mbr, 1, 0x0c, 6144, 2048);             /* FAT32 LBA, empty */
	mbr_entry(mbr, 2, 0x07, 8192, 1 << 20);          /* past the end of 8 MiB */
	uint8_t fve[512] = { 0xeb, 0x58, 0x90 };
	memcpy(fve + 3, "-FVE-FS-", 8);
	fve[510] = 0x55;
	fve[511] = 0xaa;
	char *img = make_image(dir, "mbr.img", 8 << 20, mbr, 2048 * 512, fve, sizeof(fve));
	CHECK(img != NULL);
	struct disk *d = NULL;
	struct rs_error err = { 0 };
	CHECK_INT(disk_read(img, &d, &err), RS_OK);
	if (!d)
		return;
	CHECK_STR(d->table, "dos");
	CHECK(d->is_file);
	CHECK_INT(d->nparts, 3);
	if (d->nparts == 3) {
		CHECK_INT(d->parts[0].number, 1);
		CHECK_INT(d->parts[0].offset, 2048 * 512);
		CHECK_INT(d->parts[0].size, 4096 * 512);
		CHECK_STR(d->parts[0].fstype, "BitLocker");
		CHECK_STR(d->parts[0].parttype, "0x07");
		CHECK_STR(d->parts[0].name, "mbr.img p1");
		CHECK_STR(d->parts[1].parttype, "0x0c");
		CHECK_STR(d->parts[1].fstype, "");
		CHECK(!d->parts[1].beyond_end);
		CHECK(d->parts[2].beyond_end);
		/* never attached: the table is wrong about it */
		CHECK_INT(disk_attach(d, &d->parts[2], true, &err), RS_ETARGET);
		CHECK(strstr(err.msg, "truncated") != NULL);
	}
	disk_free(d);
}

static void test_refused(const char *dir)
{
	struct disk *d = NULL;
	struct rs_error err = { 0 };
	char *img = make_image(dir, "empty.img", 0, NULL, 0, NULL, 0);
	CHECK_INT(disk_read(img, &d, &err), RS_ETARGET);
	CHECK(strstr(err.msg, "empty") != NULL);
	img = make_image(dir, "zero.img", 1 << 20, NULL, 0, NULL, 0);
	CHECK_INT(disk_read(img, &d, &err), RS_ETARGET);
	CHECK(strstr(err.msg, "no partition table and no file system") != NULL);
	CHECK_INT(disk_read(dir, &d, &err), RS_ETARGET);
	CHECK(strstr(err.msg, "not a disk") != NULL);
	CHECK_INT(disk_read("/nonexistent/x.img", &d, &err), RS_ETARGET);
}

static void test_helpers(void)
{
	char buf[64];
	disk_format_size(256u << 20, buf, sizeof(buf));
	CHECK_STR(buf, "256M");
	disk_format_size(1536u << 20, buf, sizeof(buf));
	CHECK_STR(buf, "1.5G");
	disk_format_size(100, buf, sizeof(buf));
	CHECK_STR(buf, "100B");
	rs_volume_state_str(0, buf, sizeof(buf));
	CHECK_STR(buf, "ok");
	rs_volume_state_str(VOL_HIBERNATED | VOL_DIRTY, buf, sizeof(buf));
	CHECK_STR(buf, "hibernated,dirty");
	rs_volume_state_str(VOL_BITLOCKER | VOL_READONLY | VOL_UNREADABLE, buf, 12);
	CHECK_STR(buf, "bitlocker,r");           /* truncated, still terminated */
	const unsigned char ntfs[11] = { 0xeb, 0x52, 0x90, 'N', 'T', 'F', 'S', ' ', ' ', ' ', ' ' };
	const unsigned char fve[11] = { 0xeb, 0x58, 0x90, '-', 'F', 'V', 'E', '-', 'F', 'S', '-' };
	CHECK(!ntfs_is_bitlocker(ntfs, sizeof(ntfs)));
	CHECK(ntfs_is_bitlocker(fve, sizeof(fve)));
	CHECK(!ntfs_is_bitlocker(fve, 10));
	CHECK(ntfs_is_ntfs_boot(ntfs, sizeof(ntfs)));
	CHECK(!ntfs_is_ntfs_boot(fve, sizeof(fve)));
	CHECK(!ntfs_is_ntfs_boot(ntfs, 10));
}

int main(void)
{
	char dir[] = "/tmp/test-disk.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	test_helpers();
	test_mbr(dir);
	test_refused(dir);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return check_done("test-disk");
}
