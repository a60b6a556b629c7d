/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/disk/disk.h"

#include <blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "rescue/disk/ntfsprobe.h"

/* libblkid counts in 512-byte sectors whatever the disk's sector size. */
#define BLKID_SECTOR 512u
/* A volume's first sector: where its file system names itself. */
#define BOOT_SECTOR  512u

/* MBR partition type ids of partitions that only contain other partitions
 * (their logical partitions are listed on their own). */
static const struct {
	int id;
	const char *what;
} mbr_containers[] = {
	{ 0x05, "extended (CHS)" },
	{ 0x0f, "extended (LBA)" },
	{ 0x85, "Linux extended" },
};

static bool is_container(int mbr_type)
{
	for (size_t i = 0; i < sizeof(mbr_containers) / sizeof(mbr_containers[0]); i++)
		if (mbr_containers[i].id == mbr_type)
			return true;
	return false;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The file system at [off, off+size) of FD: blkid's TYPE and LABEL, or
 * BitLocker by its signature (blkid needs BitLocker's metadata too, and a
 * volume whose metadata is damaged is still one we must never write). */
static void probe_fs(int fd, uint64_t off, uint64_t size, struct disk_part *p)
{
	unsigned char sec[BOOT_SECTOR];
	bool have = pread(fd, sec, sizeof(sec), (off_t)off) == (ssize_t)sizeof(sec);
	if (have && ntfs_is_bitlocker(sec, sizeof(sec))) {
		snprintf(p->fstype, sizeof(p->fstype), "BitLocker");
		return;
	}
	blkid_probe pr = blkid_new_probe();
	if (!pr)
		return;
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)off, (blkid_loff_t)size) == 0) {
		blkid_probe_enable_partitions(pr, 0);
		blkid_probe_enable_superblocks(pr, 1);
		blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL);
		if (blkid_do_safeprobe(pr) == 0) {
			const char *v;
			if (blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0)
				snprintf(p->fstype, sizeof(p->fstype), "%s", v);
			if (blkid_probe_lookup_value(pr, "LABEL", &v, NULL) == 0)
				snprintf(p->label, sizeof(p->label), "%s", v);
		}
	}
	blkid_free_probe(pr);
	/* blkid also reads the $MFT for the label and gives up when it is
	 * damaged; an NTFS boot sector still makes it NTFS, one to report as
	 * damaged rather than as unknown. */
	if (!p->fstype[0] && have && ntfs_is_ntfs_boot(sec, sizeof(sec)))
		snprintf(p->fstype, sizeof(p->fstype), "ntfs");
}

/* The kernel's node for partition NUMBER of block device DEVNAME ("sda"),
 * from /sys/class/block/DEVNAME/<child>/partition. */
static bool kernel_part_node(const char *devname, int number, char *node, size_t len, char *name,
			     size_t namelen)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "/sys/class/block/%s", devname);
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	struct dirent *de;
	while (!found && (de = readdir(d))) {
		if (strncmp(de->d_name, devname, strlen(devname)) != 0)
			continue;
		char f[PATH_MAX], buf[32];
		snprintf(f, sizeof(f), "%s/%s/partition", dir, de->d_name);
		FILE *fp = fopen(f, "r");
		if (!fp)
			continue;
		if (fgets(buf, sizeof(buf), fp) && atoi(buf) == number) {
			snprintf(node, len, "/dev/%s", de->d_name);
			snprintf(name, namelen, "%s", de->d_name);
			found = access(node, F_OK) == 0;
		}
		fclose(fp);
	}
	closedir(d);
	return found;
}

static int add_part(struct disk *d, struct disk_part **out)
{
	struct disk_part *np = realloc(d->parts, (d->nparts + 1) * sizeof(*np));
	if (!np)
		return -1;
	d->parts = np;
	struct disk_part *p = &d->parts[d->nparts++];
	memset(p, 0, sizeof(*p));
	p->loop.fd = -1;
	p->loop.slot = -1;
	*out = p;
	return 0;
}

/* Partitions from the table blkid found; 0 or -1 (out of memory). */
static int read_table(struct disk *d, int fd, blkid_probe pr, const char *kname)
{
	blkid_partlist ls = blkid_probe_get_partitions(pr);
	if (!ls)
		return 0;
	blkid_parttable tab = blkid_partlist_get_table(ls);
	if (tab)
		snprintf(d->table, sizeof(d->table), "%s", blkid_parttable_get_type(tab));
	int n = blkid_partlist_numof_partitions(ls);
	for (int i = 0; i < n; i++) {
		blkid_partition par = blkid_partlist_get_partition(ls, i);
		if (!par || blkid_partition_is_extended(par) || is_container(blkid_partition_get_type(par)))
			continue;
		struct disk_part *p;
		if (add_part(d, &p))
			return -1;
		p->number = blkid_partition_get_partno(par);
		p->offset = (uint64_t)blkid_partition_get_start(par) * BLKID_SECTOR;
		p->size = (uint64_t)blkid_partition_get_size(par) * BLKID_SECTOR;
		const char *ts = blkid_partition_get_type_string(par);
		if (ts && *ts)
			snprintf(p->parttype, sizeof(p->parttype), "%s", ts);
		else
			snprintf(p->parttype, sizeof(p->parttype), "0x%02x", blkid_partition_get_type(par));
		if (!kname || !kernel_part_node(kname, p->number, p->node, sizeof(p->node), p->name,
						sizeof(p->name)))
			snprintf(p->name, sizeof(p->name), "%s p%d", d->name, p->number);
		if (p->offset + p->size > d->size || p->size == 0) {
			p->beyond_end = true;
			if (p->offset < d->size)
				probe_fs(fd, p->offset, d->size - p->offset, p);
		} else {
			probe_fs(fd, p->offset, p->size, p);
		}
	}
	return 0;
}

/* D's size, whether it may be written, and for a block device its kernel
 * name into KNAME ("" for an image file); ST is FD's fstat. */
static void read_geometry(struct disk *d, int fd, const struct stat *st, char *kname, size_t klen)
{
	if (S_ISREG(st->st_mode)) {
		d->is_file = true;
		d->size = (uint64_t)st->st_size;
		struct statvfs sv;
		d->readonly = access(d->path, W_OK) != 0 ||
			      (statvfs(d->path, &sv) == 0 && (sv.f_flag & ST_RDONLY));
		return;
	}
	int ro = 0;
	if (ioctl(fd, BLKGETSIZE64, &d->size) != 0)
		d->size = 0;
	d->readonly = ioctl(fd, BLKROGET, &ro) == 0 && ro;
	char real[PATH_MAX];
	if (realpath(d->path, real))
		snprintf(kname, klen, "%s", base_name(real));
}

/* A bare volume (an NTFS image, a partition given directly) as D's one
 * partition: its boot sector can look like an MBR to a table prober, so it
 * is tried first.  *FOUND: FD holds one. */
static int read_bare_volume(struct disk *d, int fd, bool *found, struct rs_error *err)
{
	struct disk_part whole;
	memset(&whole, 0, sizeof(whole));
	probe_fs(fd, 0, d->size, &whole);
	*found = whole.fstype[0] != '\0';
	if (!*found)
		return RS_OK;
	struct disk_part *p;
	if (add_part(d, &p))
		return rs_fail_errno(err, RS_EPARTIAL, ENOMEM, "%s", d->path);
	snprintf(p->fstype, sizeof(p->fstype), "%s", whole.fstype);
	snprintf(p->label, sizeof(p->label), "%s", whole.label);
	snprintf(p->name, sizeof(p->name), "%s", d->name);
	p->size = d->size;
	if (!d->is_file)
		snprintf(p->node, sizeof(p->node), "%s", d->path);
	return RS_OK;
}

/* D's partitions from the table on FD (KNAME: the kernel's name of the
 * device, NULL for an image file). */
static int read_partitions(struct disk *d, int fd, const char *kname, struct rs_error *err)
{
	blkid_probe pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, 0) != 0) {
		if (pr)
			blkid_free_probe(pr);
		return rs_fail(err, RS_ETARGET, "%s: cannot be probed", d->path);
	}
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	int rc = RS_OK;
	if (read_table(d, fd, pr, kname) != 0)
		rc = rs_fail_errno(err, RS_EPARTIAL, ENOMEM, "%s", d->path);
	blkid_free_probe(pr);
	if (rc == RS_OK && !d->table[0])
		rc = rs_fail(err, RS_ETARGET, "%s: no partition table and no file system found", d->path);
	return rc;
}

int disk_read(const char *path, struct disk **out, struct rs_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", path);
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return rs_fail_errno(err, RS_ETARGET, e, "%s", path);
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		close(fd);
		return rs_fail(err, RS_ETARGET, "%s: not a disk, partition or image file", path);
	}
	struct disk *d = calloc(1, sizeof(*d));
	if (!d) {
		close(fd);
		return rs_fail_errno(err, RS_EPARTIAL, errno, "out of memory");
	}
	snprintf(d->path, sizeof(d->path), "%s", path);
	snprintf(d->name, sizeof(d->name), "%s", base_name(path));
	char kname[64] = "";
	read_geometry(d, fd, &st, kname, sizeof(kname));
	int rc;
	bool bare = false;
	if (d->size < BOOT_SECTOR)
		rc = rs_fail(err, RS_ETARGET, "%s: empty (%llu bytes)", path, (unsigned long long)d->size);
	else if ((rc = read_bare_volume(d, fd, &bare, err)) == RS_OK && !bare)
		rc = read_partitions(d, fd, kname[0] ? kname : NULL, err);
	close(fd);
	if (rc) {
		disk_free(d);
		return rc;
	}
	*out = d;
	return RS_OK;
}

int disk_attach(struct disk *d, struct disk_part *p, bool ro, struct rs_error *err)
{
	ro = ro || d->readonly;
	if (p->loop.fd >= 0) {
		if (p->loop_ro == ro)
			return RS_OK;
		loop_detach(&p->loop);      /* wanted the other way round */
		p->node[0] = '\0';
	}
	if (p->node[0])
		return RS_OK;
	if (p->beyond_end)
		return rs_fail(err, RS_ETARGET, "%s: the partition table says it ends past the end of %s "
			       "(a truncated image?)", p->name, d->path);
	int rc = loop_attach(d->path, p->offset, p->number ? p->size : 0, ro, &p->loop, err);
	if (rc)
		return rc;
	p->loop_ro = ro;
	snprintf(p->node, sizeof(p->node), "%s", p->loop.dev);
	return RS_OK;
}

void disk_free(struct disk *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nparts; i++)
		loop_detach(&d->parts[i].loop);
	free(d->parts);
	free(d);
}

/* Block devices that are never a PC's own disk, or that are ours. */
static bool skip_block(const char *name)
{
	static const char *const prefixes[] = { "loop", "ram", "zram", "fd", "dm-", "md", "nbd" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return name[0] == '.';
}

int disk_list_local(struct disk ***out, size_t *n, struct rs_error *err)
{
	*out = NULL;
	*n = 0;
	DIR *dir = opendir("/sys/block");
	if (!dir)
		return rs_fail_errno(err, RS_ETARGET, errno, "/sys/block");
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (skip_block(de->d_name))
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		struct disk *d;
		if (disk_read(path, &d, NULL) != RS_OK)
			continue;       /* no medium, no table, unreadable: not a candidate */
		struct disk **nd = realloc(*out, (*n + 1) * sizeof(*nd));
		if (!nd) {
			disk_free(d);
			break;
		}
		*out = nd;
		(*out)[(*n)++] = d;
	}
	closedir(dir);
	return RS_OK;
}

void disk_format_size(uint64_t size, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	double v = (double)size;
	int u = -1;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%lluB", (unsigned long long)size);
	else if (v < 10 && v != (double)(uint64_t)v)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
}
