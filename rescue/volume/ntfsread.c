/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <sys/stat.h>   /* before the ntfs-3g headers (DESIGN.md) */
#include <sys/sysmacros.h>
#include <sys/types.h>

#include "rescue/volume/ntfsread.h"
#include "rescue/volume/reparse.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/device.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/layout.h>
#include <ntfs-3g/logging.h>
#include <ntfs-3g/mst.h>
#include <ntfs-3g/ntfstime.h>
#include <ntfs-3g/unistr.h>
#include <ntfs-3g/volume.h>

#include "rescue/volume/wof.h"

struct ntfsread {
	ntfs_volume *vol;
	char *dev, *base, *root;
	dev_t rootdev;                  /* what the mount shows as st_dev, uid, gid, mode */
	uid_t uid;
	gid_t gid;
	mode_t perm;
	uint64_t base_ref;              /* ROOT's MFT reference */
	char why[256];                  /* why the last ntfsread_read failed, beyond its errno */
};

/* The device's handle (shared_open, below): a read-only descriptor. */
struct shared_dev {
	int fd;
	s64 pos;
};

#define SHARED(dev) ((struct shared_dev *)(dev)->d_private)

static uint64_t ref_of(const ntfs_inode *ni)
{
	return MK_MREF(ni->mft_no, le16_to_cpu(ni->mrec->sequence_number));
}

/* The inode REF names, or NULL with errno.  libntfs-3g does not check the
 * sequence number: a record freed and reused since the walk saw it is
 * another file (ENOENT), not to be read under the old name. */
static ntfs_inode *open_ref(struct ntfsread *v, uint64_t ref)
{
	errno = 0;
	ntfs_inode *ni = ntfs_inode_open(v->vol, MREF(ref));
	if (!ni) {
		if (!errno)
			errno = EIO;
		return NULL;
	}
	if (MSEQNO(ref) && MSEQNO(ref) != le16_to_cpu(ni->mrec->sequence_number)) {
		ntfs_inode_close(ni);
		errno = ENOENT;
		return NULL;
	}
	return ni;
}

/* Interix special files, as ntfs-3g shows them: a system file (and not
 * hidden) of 0 bytes is a FIFO, of 1 byte a socket; a system file holding
 * an Interix header is a symbolic link or a device. */
static mode_t interix_type(ntfs_inode *ni)
{
	ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);
	if (!na)
		return S_IFREG;
	mode_t t = S_IFREG;
	s64 size = na->data_size;
	if (!(ni->flags & FILE_ATTR_HIDDEN) && size <= 1) {
		t = size == 0 ? S_IFIFO : S_IFSOCK;
	} else if (size > (s64)sizeof(INTX_FILE_TYPES) &&
		   size <= (s64)(sizeof(INTX_FILE_TYPES) + sizeof(ntfschar) * 260 /* Windows' MAX_PATH */)) {
		INTX_FILE_TYPES magic;
		if (ntfs_attr_pread(na, 0, sizeof(magic), &magic) == (s64)sizeof(magic)) {
			bool dev = size == (s64)offsetof(INTX_FILE, device_end);
			if (magic == INTX_SYMBOLIC_LINK)
				t = S_IFLNK;
			else if (dev && (magic == INTX_BLOCK_DEVICE || magic == INTX_CHARACTER_DEVICE))
				t = S_IFCHR;
		}
	}
	ntfs_attr_close(na);
	return t;
}

/* The reparse tag of NI, 0 when it has none or it cannot be read. */
static uint32_t reparse_tag(ntfs_inode *ni)
{
	if (!(ni->flags & FILE_ATTR_REPARSE_POINT))
		return 0;
	ntfs_attr *na = ntfs_attr_open(ni, AT_REPARSE_POINT, AT_UNNAMED, 0);
	if (!na)
		return 0;
	le32 tag = 0;
	if (ntfs_attr_pread(na, 0, sizeof(tag), &tag) != (s64)sizeof(tag))
		tag = 0;
	ntfs_attr_close(na);
	return le32_to_cpu(tag);
}

/* A cloud file (OneDrive) whose content is not on the disk: its unnamed
 * stream has a size but not one cluster behind it ("online-only").  A file
 * kept on the device has its bytes in that stream like any other file. */
static bool online_only(ntfs_inode *ni)
{
	ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);
	if (!na)
		return true;
	bool r = NAttrNonResident(na) && na->data_size > 0 && NAttrSparse(na) && na->compressed_size == 0;
	ntfs_attr_close(na);
	return r;
}

/* NI's reparse data (a new buffer of *LEN bytes), or NULL. */
static uint8_t *reparse_data(ntfs_inode *ni, size_t *len)
{
	s64 n = 0;
	uint8_t *rp = ntfs_attr_readall(ni, AT_REPARSE_POINT, AT_UNNAMED, 0, &n);
	if (rp && n < 8) {
		free(rp);
		rp = NULL;
	}
	*len = rp ? (size_t)n : 0;
	return rp;
}

/* Of a WOF reparse point NI: a WIMBoot pointer file (the WIM provider),
 * whose bytes are in a WIM elsewhere?  One whose reparse data is damaged is
 * not: it is a WOF file, to be listed as unreadable with the reason. */
static bool is_wimboot(ntfs_inode *ni)
{
	size_t len;
	struct wof_info wi;
	uint8_t *rp = reparse_data(ni, &len);
	bool wimboot = rp && wof_parse(rp, len, &wi, NULL) == RS_OK && wi.provider == WOF_PROVIDER_WIM;
	free(rp);
	return wimboot;
}

/* Is NI a file Windows compressed with WOF (rescue/volume/wof.h), to be shown as
 * the regular file it is and read decoded? */
static bool is_wof_file(ntfs_inode *ni)
{
	return !(ni->mrec->flags & MFT_RECORD_IS_DIRECTORY) && reparse_tag(ni) == REPARSE_TAG_WOF && !is_wimboot(ni);
}

/* What a reparse point is to the walk (rescue/volume/reparse.h).  ntfs-3g shows
 * every one it has no plugin for as a symbolic link; here a folder whose tag
 * is not a name surrogate (a OneDrive folder: its files are on the disk) is
 * a folder, a cloud file kept on the device is a file, and so is a file
 * compressed by WOF (ntfsread_read decodes it), so the direct read scans
 * what the mount cannot open.  The rest stay links. */
static mode_t reparse_type(ntfs_inode *ni)
{
	uint32_t tag = reparse_tag(ni);
	if (!tag || (tag & REPARSE_TAG_NAME_SURROGATE))
		return S_IFLNK;
	if (ni->mrec->flags & MFT_RECORD_IS_DIRECTORY)
		return S_IFDIR;
	if ((tag & REPARSE_TAG_CLOUD_MASK) == REPARSE_TAG_CLOUD && !online_only(ni))
		return S_IFREG;
	if (tag == REPARSE_TAG_WOF && !is_wimboot(ni))
		return S_IFREG;
	return S_IFLNK;
}

/* The stat ntfs-3g's lstat shows of NI (see ntfsread.h). */
static void fill_stat(const struct ntfsread *v, ntfs_inode *ni, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = v->rootdev;
	st->st_ino = (ino_t)ni->mft_no;
	st->st_nlink = le16_to_cpu(ni->mrec->link_count);
	st->st_uid = v->uid;
	st->st_gid = v->gid;
	st->st_atim = ntfs2timespec(ni->last_access_time);
	st->st_mtim = ntfs2timespec(ni->last_data_change_time);
	st->st_ctim = ntfs2timespec(ni->last_mft_change_time);
	mode_t t = (ni->flags & FILE_ATTR_REPARSE_POINT) ? reparse_type(ni) : 0;
	if (t == S_IFLNK || t == S_IFDIR) {
		/* as it is */
	} else if (ni->mrec->flags & MFT_RECORD_IS_DIRECTORY) {
		t = S_IFDIR;
	} else {
		st->st_size = ni->data_size;
		st->st_blocks = (ni->allocated_size + 511) >> 9;
		if (!t)
			t = (ni->flags & FILE_ATTR_SYSTEM) ? interix_type(ni) : S_IFREG;
	}
	st->st_mode = t | v->perm;
	st->st_blksize = 4096;
}

/* ---- the walk ---- */

struct list_ctx {
	int (*add)(void *w, const char *name, uint64_t ref);
	void *w;
	int err;
};

static int list_entry(void *dirent, const ntfschar *name, const int name_len, const int name_type,
		      const s64 pos, const MFT_REF mref, const unsigned dt_type)
{
	(void)pos, (void)dt_type;
	struct list_ctx *c = dirent;
	/* A DOS 8.3 alias is a second name of a file listed under its long
	 * name; records below 16 are NTFS's own files ($MFT, $Extend...),
	 * which ntfs-3g does not show. */
	if (name_type == FILE_NAME_DOS || MREF(mref) < FILE_first_user)
		return 0;
	char *s = NULL;
	if (ntfs_ucstombs(name, name_len, &s, 0) < 0) {
		c->err = EILSEQ;        /* not representable: listed as an error of its folder */
		return 0;
	}
	int e = 0;
	if (strcmp(s, ".") != 0 && strcmp(s, "..") != 0)
		e = c->add(c->w, s, mref);
	free(s);
	if (e) {
		c->err = e;
		return -1;
	}
	return 0;
}

static int nr_list(void *src, const char *rel, const char *path, uint64_t ref,
		   int (*add)(void *w, const char *name, uint64_t ref), void *w)
{
	(void)rel, (void)path;
	struct ntfsread *v = src;
	ntfs_inode *ni = open_ref(v, ref);
	if (!ni)
		return errno;
	/* Entries are collected here and their inodes opened after
	 * ntfs_readdir returns: opening inodes inside its callback is unsafe. */
	struct list_ctx c = { add, w, 0 };
	s64 pos = 0;
	errno = 0;
	if (ntfs_readdir(ni, &pos, &c, list_entry) != 0 && !c.err)
		c.err = errno ? errno : EIO;
	ntfs_inode_close(ni);
	return c.err;
}

/* The inode of REL (relative to ROOT), by path: for the walk's start. */
static ntfs_inode *open_rel(struct ntfsread *v, const char *rel)
{
	if (!*rel)
		return ntfs_inode_open(v->vol, v->base_ref);
	char *p;
	if (asprintf(&p, "%s/%s", v->base, rel) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	ntfs_inode *ni = ntfs_pathname_to_inode(v->vol, NULL, p);
	free(p);
	return ni;
}

static int nr_lstat(void *src, const char *rel, const char *path, uint64_t ref, struct stat *st, uint64_t *ref_out)
{
	(void)path;
	struct ntfsread *v = src;
	errno = 0;
	ntfs_inode *ni = ref ? open_ref(v, ref) : open_rel(v, rel);
	if (!ni)
		return errno ? errno : EIO;
	*ref_out = ref_of(ni);
	fill_stat(v, ni, st);
	ntfs_inode_close(ni);
	return 0;
}

int ntfsread_lookup(struct ntfsread *v, const char *rel)
{
	return ntfsread_ref(v, rel, NULL);
}

int ntfsread_ref(struct ntfsread *v, const char *rel, uint64_t *ref)
{
	errno = 0;
	ntfs_inode *ni = open_rel(v, rel);
	if (!ni)
		return errno ? errno : ENOENT;
	if (ref)
		*ref = MREF(ni->mft_no);
	ntfs_inode_close(ni);
	return 0;
}

int ntfsread_reparse_tag(struct ntfsread *v, uint64_t ref, uint32_t *tag)
{
	ntfs_inode *ni = open_ref(v, ref);
	if (!ni)
		return errno;
	*tag = reparse_tag(ni);
	ntfs_inode_close(ni);
	return *tag ? 0 : ENODATA;
}

/* An index entry's MFT reference: the record number is the inode number
 * (fill_stat's st_ino). */
static ino_t nr_ino_of(void *src, uint64_t ref)
{
	(void)src;
	return (ino_t)MREF(ref);
}

int ntfsread_walk(struct ntfsread *v, const char *start, walk_fn fn, walk_known_fn known, void *user)
{
	struct walk_src src = { .list = nr_list, .lstat = nr_lstat, .ino_of = nr_ino_of, .src = v };
	return walk_tree_src(&src, v->root, start, fn, known, user);
}

/* ---- reading ---- */

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
	if (need <= *cap && *buf)
		return 0;
	size_t n = need < 65536 ? 65536 : need;
	uint8_t *nb = realloc(*buf, n);
	if (!nb)
		return ENOMEM;
	*buf = nb;
	*cap = n;
	return 0;
}

/* Give the kernel ADVICE (posix_fadvise) about the clusters of NA's first
 * MAX bytes on the device.  Best effort, errno kept: a resident or
 * encrypted stream has none to advise about, and runs past the volume's
 * end (a damaged run list) are not the device's: left to the read itself
 * to report. */
static void advise_runs(struct ntfsread *v, ntfs_attr *na, uint64_t max, int advice)
{
	int saved = errno;
	if (NAttrNonResident(na) && !NAttrEncrypted(na) && ntfs_attr_map_whole_runlist(na) == 0) {
		int fd = SHARED(v->vol->dev)->fd;
		uint64_t cs = v->vol->cluster_size, nclusters = (uint64_t)v->vol->nr_clusters, left = max;
		for (const runlist_element *rl = na->rl; rl && rl->length > 0 && left > 0; rl++) {
			if (rl->lcn < 0 || (uint64_t)rl->lcn >= nclusters || (uint64_t)rl->length > nclusters - (uint64_t)rl->lcn)
				continue;
			uint64_t len = (uint64_t)rl->length * cs;
			if (len > left)
				len = left;
			(void)posix_fadvise(fd, (off_t)((uint64_t)rl->lcn * cs), (off_t)len, advice);
			left -= len;
		}
	}
	errno = saved;
}

/* Read SIZE bytes of NA into BUF (ntfs_attr_pread may return less than
 * asked, at a compression block or a run boundary: looped until all is
 * in); *GOT says how many were read, also when it fails part way (a
 * damaged file: its size in the MFT larger than the data its run list
 * holds).  Then the clusters read leave the page cache: a scan reads each
 * file once, and 300,000 of them kept there made each later read cost more
 * system time (on the bench's virtual machine the rate fell by up to a
 * third over the scan of a large volume) and, in the boot image's little
 * memory, would push out what is read again: the MFT, the folders' indexes. */
static int read_attr(struct ntfsread *v, ntfs_attr *na, uint8_t *buf, size_t size, size_t *got)
{
	size_t n = 0;
	int e = 0;
	while (n < size && !e) {
		errno = 0;
		s64 r = ntfs_attr_pread(na, (s64)n, (s64)(size - n), buf + n);
		if (r <= 0)
			e = r < 0 && errno ? errno : EIO;
		else
			n += (size_t)r;
	}
	*got = n;
	advise_runs(v, na, UINT64_MAX, POSIX_FADV_DONTNEED);
	return e;
}

static ntfs_attr *open_stream(ntfs_inode *ni, const char *stream)
{
	ntfschar *uname = NULL;
	int ulen = 0;
	if (stream && (ulen = ntfs_mbstoucs(stream, &uname)) < 0) {
		if (!errno)
			errno = EILSEQ;
		return NULL;
	}
	ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, stream ? uname : AT_UNNAMED, ulen);
	int e = errno;
	free(uname);
	errno = e;
	return na;
}

/* The content of the WOF-compressed file NI, decoded into *BUF: as
 * ntfsread_read; v->why says why it cannot be read. */
static int read_wof(struct ntfsread *v, ntfs_inode *ni, uint64_t max, uint8_t **buf, size_t *cap, size_t *len)
{
	struct rs_error err = { 0 };
	struct wof_info wi;
	size_t rlen;
	uint8_t *rp = reparse_data(ni, &rlen);
	int rc = rp ? wof_parse(rp, rlen, &wi, &err) : rs_fail(&err, RS_ETARGET, "WOF reparse data unreadable");
	free(rp);
	if (rc == RS_OK && wof_check(&wi, &err) != RS_OK) {
		snprintf(v->why, sizeof(v->why), "%s", err.msg);
		return ENOTSUP;
	}
	if (rc != RS_OK) {
		snprintf(v->why, sizeof(v->why), "%s", err.msg);
		return EIO;
	}
	if (ni->data_size < 0)
		return EIO;
	if ((uint64_t)ni->data_size > max) {
		*len = (size_t)ni->data_size;
		return EFBIG;
	}
	size_t size = (size_t)ni->data_size;
	ntfs_attr *na = open_stream(ni, WOF_STREAM);
	if (!na) {
		snprintf(v->why, sizeof(v->why), "WOF-compressed, but its %s stream is missing", WOF_STREAM);
		return EIO;
	}
	/* The stream: at most every chunk stored whole plus an 8-byte table
	 * entry each; anything larger is damage, not read into memory. */
	int e = 0;
	uint8_t *in = NULL;
	size_t got;             /* a part is no use: the chunks are decoded whole */
	if (na->data_size < 0 || (uint64_t)na->data_size > (uint64_t)size + size / 512 + 64) {
		snprintf(v->why, sizeof(v->why), "WOF data damaged: a %lld-byte %s stream for %zu bytes",
			 (long long)na->data_size, WOF_STREAM, size);
		e = EIO;
	} else if (!(in = malloc((size_t)na->data_size + 1))) {
		e = ENOMEM;
	} else if ((e = read_attr(v, na, in, (size_t)na->data_size, &got)) == 0 && (e = grow(buf, cap, size)) == 0) {
		if (wof_decode(wi.algo, in, (size_t)na->data_size, *buf, size, &err) == RS_OK) {
			*len = size;
		} else {
			snprintf(v->why, sizeof(v->why), "%s", err.msg);
			e = EIO;
		}
	}
	free(in);
	ntfs_attr_close(na);
	return e;
}

int ntfsread_read(struct ntfsread *v, uint64_t ref, const char *stream, uint64_t max, uint8_t **buf,
		  size_t *cap, size_t *len, struct stat *st)
{
	*len = 0;
	v->why[0] = '\0';
	ntfs_inode *ni = open_ref(v, ref);
	if (!ni)
		return errno;
	if (st)
		fill_stat(v, ni, st);
	int e = 0;
	if (!stream && is_wof_file(ni)) {
		e = read_wof(v, ni, max, buf, cap, len);
		ntfs_inode_close(ni);
		return e;
	}
	errno = 0;
	ntfs_attr *na = open_stream(ni, stream);
	if (!na) {
		e = errno ? errno : ENOENT;
	} else if (NAttrEncrypted(na)) {
		e = EACCES;     /* EFS: ntfs-3g refuses to open it too */
	} else if (na->data_size < 0) {
		e = EIO;
	} else if ((uint64_t)na->data_size > max) {
		*len = (size_t)na->data_size;
		e = EFBIG;
	} else {
		size_t size = (size_t)na->data_size;
		if ((e = grow(buf, cap, size)) == 0 && (e = read_attr(v, na, *buf, size, len)) != 0 && *len)
			snprintf(v->why, sizeof(v->why), "only %zu of its %zu bytes could be read (%s): damaged", *len,
				 size, strerror(e));
	}
	if (na)
		ntfs_attr_close(na);
	ntfs_inode_close(ni);
	return e;
}

int ntfsread_in_use(struct ntfsread *v, uint64_t off, uint64_t len, uint64_t *first_free)
{
	*first_free = UINT64_MAX;
	uint64_t cs = v->vol->cluster_size, end = (uint64_t)v->vol->nr_clusters * cs;
	if (!len || off >= end)
		return 0;
	if (len > end - off)
		len = end - off;
	/* Bit N of $Bitmap is cluster N, lowest bit first; read a page of it at a time. */
	uint8_t page[4096];
	uint64_t have = 0, got = 0;     /* page holds bitmap bytes [have, have + got) */
	for (uint64_t c = off / cs; c <= (off + len - 1) / cs; c++) {
		uint64_t byte = c / 8;
		if (byte < have || byte >= have + got) {
			s64 n = ntfs_attr_pread(v->vol->lcnbmp_na, (s64)byte, sizeof(page), page);
			if (n <= 0)
				return n < 0 && errno ? errno : EIO;
			have = byte;
			got = (uint64_t)n;
		}
		if (!(page[byte - have] >> (c % 8) & 1)) {
			*first_free = c * cs;
			return 0;
		}
	}
	return 0;
}

const char *ntfsread_why(const struct ntfsread *v)
{
	return v->why;
}

int ntfsread_streams(struct ntfsread *v, uint64_t ref, char **names, size_t *len)
{
	*names = NULL;
	*len = 0;
	ntfs_inode *ni = open_ref(v, ref);
	if (!ni)
		return errno;
	ntfs_attr_search_ctx *ctx = ntfs_attr_get_search_ctx(ni, NULL);
	if (!ctx) {
		ntfs_inode_close(ni);
		return ENOMEM;
	}
	char *out = NULL;
	size_t n = 0;
	int e = 0;
	/* A WOF-compressed file's WofCompressedData is its content, compressed:
	 * read (decoded) as the file, not as a stream of its own. */
	bool wof = is_wof_file(ni);
	/* Every $DATA attribute, named or not (a NULL name matches all). */
	while (!e && ntfs_attr_lookup(AT_DATA, NULL, 0, CASE_SENSITIVE, 0, NULL, 0, ctx) == 0) {
		const ATTR_RECORD *a = ctx->attr;
		if (!a->name_length)
			continue;
		/* A large stream in several extents has one record per
		 * extent; the first (lowest VCN 0) stands for it. */
		if (a->non_resident && sle64_to_cpu(a->lowest_vcn) != 0)
			continue;
		char *s = NULL;
		const ntfschar *an = (const ntfschar *)((const u8 *)a + le16_to_cpu(a->name_offset));
		if (ntfs_ucstombs(an, a->name_length, &s, 0) < 0) {
			e = EILSEQ;
			break;
		}
		if (wof && strcmp(s, WOF_STREAM) == 0) {
			free(s);
			continue;
		}
		e = walk_list_append(&out, &n, s);
		free(s);
	}
	if (!e && errno && errno != ENOENT)
		e = errno;
	ntfs_attr_put_search_ctx(ctx);
	ntfs_inode_close(ni);
	if (e) {
		free(out);
		return e;
	}
	*names = out;
	*len = n;
	return 0;
}

/* ---- the bytes to read, from the MFT ---- */

/* MFT records read at a time by ntfsread_data_bytes. */
#define MFT_CHUNK 256

/* The $DATA attributes of one MFT record REC (fixed up) of SIZE bytes: the
 * sizes of those at most MAX bytes, added to *TOTAL. */
static void record_data_bytes(const MFT_RECORD *rec, u32 size, uint64_t max, uint64_t *total)
{
	u32 off = le16_to_cpu(rec->attrs_offset);
	u32 end = le32_to_cpu(rec->bytes_in_use);
	if (end > size)
		end = size;
	while (off + 16 <= end) {
		const ATTR_RECORD *a = (const ATTR_RECORD *)((const u8 *)rec + off);
		u32 len = le32_to_cpu(a->length);
		if (a->type == AT_END || len < 16 || off + len > end)
			break;
		uint64_t n = 0;
		if (a->type != AT_DATA)
			n = 0;
		else if (!a->non_resident && len >= 24)
			n = le32_to_cpu(a->value_length);
		else if (a->non_resident && len >= 64 && sle64_to_cpu(a->lowest_vcn) == 0)
			n = (uint64_t)sle64_to_cpu(a->data_size);
		if (n <= max)
			*total += n;
		off += len;
	}
}

int ntfsread_data_bytes(struct ntfsread *v, uint64_t max, const atomic_bool *stop, uint64_t *total)
{
	*total = 0;
	ntfs_volume *vol = v->vol;
	u32 rs = vol->mft_record_size;
	if (!vol->mft_na || rs < 512 || rs > 65536)
		return EIO;
	s64 nrec = vol->mft_na->initialized_size / rs;
	u8 *buf = malloc((size_t)rs * MFT_CHUNK);
	if (!buf)
		return ENOMEM;
	int e = 0;
	for (s64 first = 0; first < nrec && !e; first += MFT_CHUNK) {
		if (stop && atomic_load(stop)) {
			e = ECANCELED;
			break;
		}
		s64 n = nrec - first < MFT_CHUNK ? nrec - first : MFT_CHUNK;
		s64 got = ntfs_attr_pread(vol->mft_na, first * rs, n * rs, buf);
		if (got <= 0) {
			e = errno ? errno : EIO;
			break;
		}
		for (s64 i = 0; i < got / rs; i++) {
			MFT_RECORD *rec = (MFT_RECORD *)(buf + i * rs);
			/* Records of NTFS's own files, free ones, damaged ones: not
			 * files the scan reads. */
			if (first + i < FILE_first_user || rec->magic != magic_FILE ||
			    !(rec->flags & MFT_RECORD_IN_USE) ||
			    (rec->base_mft_record && MREF_LE(rec->base_mft_record) < FILE_first_user) ||
			    ntfs_mst_post_read_fixup((NTFS_RECORD *)rec, rs) != 0)
				continue;
			record_data_bytes(rec, rs, max, total);
		}
	}
	free(buf);
	return e;
}

/* ---- the names of a file ---- */

/* Folders a name may be under: deeper is a damaged (looping) volume. */
#define NAME_DEPTH_MAX 256

/* The Nth name of NI that is not a DOS 8.3 alias, and its parent folder's
 * MFT record number.  Returns 0, ENOENT when there is no Nth, or an errno. */
static int name_of(ntfs_inode *ni, unsigned nth, uint64_t *parent, char **name)
{
	ntfs_attr_search_ctx *ctx = ntfs_attr_get_search_ctx(ni, NULL);
	if (!ctx)
		return ENOMEM;
	int e = ENOENT;
	while (ntfs_attr_lookup(AT_FILE_NAME, NULL, 0, CASE_SENSITIVE, 0, NULL, 0, ctx) == 0) {
		const ATTR_RECORD *a = ctx->attr;
		if (a->non_resident || le32_to_cpu(a->value_length) < sizeof(FILE_NAME_ATTR))
			continue;
		const FILE_NAME_ATTR *fn = (const FILE_NAME_ATTR *)((const u8 *)a + le16_to_cpu(a->value_offset));
		if (fn->file_name_type == FILE_NAME_DOS || nth-- > 0)
			continue;
		/* The name, copied out of the packed record to be aligned. */
		ntfschar u[256];
		size_t ulen = fn->file_name_length;
		if (ulen > 255 || (size_t)le32_to_cpu(a->value_length) < sizeof(*fn) + ulen * sizeof(ntfschar)) {
			e = EIO;
			break;
		}
		memcpy(u, (const u8 *)fn + offsetof(FILE_NAME_ATTR, file_name), ulen * sizeof(ntfschar));
		*name = NULL;
		e = ntfs_ucstombs(u, (int)ulen, name, 0) < 0 ? EILSEQ : 0;
		*parent = MREF_LE(fn->parent_directory);
		break;
	}
	ntfs_attr_put_search_ctx(ctx);
	return e;
}

/* NAME in the folder PARENT as a path relative to ROOT, in a new *REL;
 * ENOENT when the folder is not below ROOT, ELOOP when its chain of parents
 * does not end. */
static int rel_of(struct ntfsread *v, uint64_t parent, const char *name, char **rel)
{
	char *path = strdup(name);
	int e = path ? 0 : ENOMEM;
	for (int depth = 0; !e; depth++) {
		if (parent == MREF(v->base_ref))
			break;
		if (parent == FILE_root || depth >= NAME_DEPTH_MAX) {
			e = parent == FILE_root ? ENOENT : ELOOP;
			break;
		}
		ntfs_inode *ni = ntfs_inode_open(v->vol, parent);
		if (!ni) {
			e = errno ? errno : EIO;
			break;
		}
		char *dir = NULL, *np = NULL;
		e = name_of(ni, 0, &parent, &dir);
		ntfs_inode_close(ni);
		if (!e && asprintf(&np, "%s/%s", dir, path) < 0)
			e = ENOMEM;
		free(dir);
		if (!e) {
			free(path);
			path = np;
		}
	}
	if (e) {
		free(path);
		return e;
	}
	*rel = path;
	return 0;
}

int ntfsread_names(struct ntfsread *v, uint64_t ref, char **names, size_t *len)
{
	*names = NULL;
	*len = 0;
	ntfs_inode *ni = open_ref(v, ref);
	if (!ni)
		return errno;
	char *out = NULL;
	size_t n = 0;
	int e = 0;
	for (unsigned i = 0; !e; i++) {
		uint64_t parent;
		char *name = NULL, *rel = NULL;
		e = name_of(ni, i, &parent, &name);
		if (e)
			break;
		/* A name outside ROOT, or whose folders cannot be told, is not
		 * one the walk can reach: left out. */
		int re = rel_of(v, parent, name, &rel);
		free(name);
		if (re == ENOMEM)
			e = ENOMEM;
		if (re)
			continue;
		e = walk_list_append(&out, &n, rel);
		free(rel);
	}
	ntfs_inode_close(ni);
	if (e && e != ENOENT) {
		free(out);
		return e;
	}
	*names = out;
	*len = n;
	return 0;
}

/* ---- opening ---- */

/* ---- the device, shared with the mount ----
 *
 * libntfs-3g's own device layer takes a POSIX lock on the device: a read
 * lock for a read-only open, which fails (EAGAIN) while the ntfs-3g that
 * rescue starts (no_detach: it stays our child and keeps its lock) has the
 * volume read-write.  This handle only reads, so it takes no lock: these
 * operations are plain pread()s on a read-only descriptor. */

static int shared_open(struct ntfs_device *dev, int flags)
{
	if ((flags & O_ACCMODE) != O_RDONLY) {
		errno = EROFS;
		return -1;
	}
	struct shared_dev *d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	d->fd = open(dev->d_name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (d->fd < 0 || fstat(d->fd, &st) != 0) {
		int e = errno;
		if (d->fd >= 0)
			close(d->fd);
		free(d);
		errno = e;
		return -1;
	}
	if (S_ISBLK(st.st_mode))
		NDevSetBlock(dev);
	/* No read-ahead: the scan says what it will read (ntfsread_prefetch,
	 * each file's own clusters), so the kernel's guess past each read only
	 * adds reads.  A volume's small files lie all over it: with the usual
	 * 128 KiB read-ahead the device read 1.5-2.4 times the bytes scanned
	 * and the rate fell as the page cache filled. */
	(void)posix_fadvise(d->fd, 0, 0, POSIX_FADV_RANDOM);
	dev->d_private = d;
	NDevSetReadOnly(dev);
	NDevSetOpen(dev);
	return 0;
}

static int shared_close(struct ntfs_device *dev)
{
	int r = close(SHARED(dev)->fd);
	free(dev->d_private);
	dev->d_private = NULL;
	NDevClearOpen(dev);
	return r;
}

static s64 shared_seek(struct ntfs_device *dev, s64 offset, int whence)
{
	off_t r = lseek(SHARED(dev)->fd, (off_t)offset, whence);
	if (r >= 0)
		SHARED(dev)->pos = r;
	return r;
}

static s64 shared_pread(struct ntfs_device *dev, void *buf, s64 count, s64 offset)
{
	return pread(SHARED(dev)->fd, buf, (size_t)count, (off_t)offset);
}

static s64 shared_read(struct ntfs_device *dev, void *buf, s64 count)
{
	s64 r = shared_pread(dev, buf, count, SHARED(dev)->pos);
	if (r > 0)
		SHARED(dev)->pos += r;
	return r;
}

static s64 shared_write(struct ntfs_device *dev, const void *buf, s64 count)
{
	(void)dev, (void)buf, (void)count;
	errno = EROFS;
	return -1;
}

static s64 shared_pwrite(struct ntfs_device *dev, const void *buf, s64 count, s64 offset)
{
	(void)offset;
	return shared_write(dev, buf, count);
}

static int shared_sync(struct ntfs_device *dev)
{
	(void)dev;
	return 0;
}

static int shared_stat(struct ntfs_device *dev, struct stat *buf)
{
	return fstat(SHARED(dev)->fd, buf);
}

static int shared_ioctl(struct ntfs_device *dev, unsigned long request, void *argp)
{
	return ioctl(SHARED(dev)->fd, request, argp);
}

static struct ntfs_device_operations shared_ops = {
	.open = shared_open, .close = shared_close, .seek = shared_seek, .read = shared_read,
	.write = shared_write, .pread = shared_pread, .pwrite = shared_pwrite, .sync = shared_sync,
	.stat = shared_stat, .ioctl = shared_ioctl,
};

/* DEV mounted read-only by libntfs-3g through shared_ops, or NULL with errno. */
static ntfs_volume *mount_shared(const char *dev)
{
	struct ntfs_device *d = ntfs_device_alloc(dev, 0, &shared_ops, NULL);
	if (!d)
		return NULL;
	ntfs_volume *vol = ntfs_device_mount(d, NTFS_MNT_RDONLY);
	if (!vol) {
		int e = errno;
		ntfs_device_free(d);
		errno = e;
	}
	return vol;
}

int ntfsread_open_dev(const char *dev, const char *base, const char *root, struct ntfsread **out,
		      struct rs_error *err)
{
	*out = NULL;
	struct stat rs;
	if (stat(root, &rs) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", root);
	struct ntfsread *v = calloc(1, sizeof(*v));
	if (!v || !(v->dev = strdup(dev)) || !(v->base = strdup(base)) || !(v->root = strdup(root))) {
		ntfsread_close(v);
		return rs_fail(err, RS_ETARGET, "out of memory");
	}
	v->rootdev = rs.st_dev;
	v->uid = rs.st_uid;
	v->gid = rs.st_gid;
	v->perm = rs.st_mode & 0777;
	/* The core never prints: libntfs-3g would, on every damaged volume. */
	ntfs_log_set_handler(ntfs_log_handler_null);
	errno = 0;
	v->vol = mount_shared(dev);
	if (!v->vol) {
		int e = errno ? errno : EIO;
		ntfsread_close(v);
		if (e == EINVAL)    /* libntfs-3g's word for "no NTFS boot sector" */
			return rs_fail(err, RS_ETARGET, "%s: libntfs-3g cannot open it as NTFS", dev);
		return rs_fail_errno(err, RS_ETARGET, e, "%s: libntfs-3g cannot open it", dev);
	}
	errno = 0;
	ntfs_inode *ni = *base ? ntfs_pathname_to_inode(v->vol, NULL, base) : ntfs_inode_open(v->vol, FILE_root);
	if (!ni) {
		int e = errno ? errno : ENOENT;
		ntfsread_close(v);
		return rs_fail_errno(err, RS_ETARGET, e, "%s: /%s not found in the volume", dev, base);
	}
	v->base_ref = ref_of(ni);
	ntfs_inode_close(ni);
	*out = v;
	return RS_OK;
}

int ntfsread_reopen(const struct ntfsread *v, struct ntfsread **out, struct rs_error *err)
{
	return ntfsread_open_dev(v->dev, v->base, v->root, out, err);
}

void ntfsread_close(struct ntfsread *v)
{
	if (!v)
		return;
	if (v->vol)
		ntfs_umount(v->vol, FALSE);
	free(v->dev);
	free(v->base);
	free(v->root);
	free(v);
}

const char *ntfsread_device(const struct ntfsread *v)
{
	return v->dev;
}

void ntfsread_prefetch(struct ntfsread *v, uint64_t ref, uint64_t max)
{
	int saved = errno;
	ntfs_inode *ni = open_ref(v, ref);
	if (!ni) {
		errno = saved;
		return;
	}
	ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);
	if (na) {
		advise_runs(v, na, max, POSIX_FADV_WILLNEED);
		ntfs_attr_close(na);
	}
	ntfs_inode_close(ni);
	errno = saved;
}

/* /proc/self/mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Is DIR equal to or under MNT? */
static bool under(const char *dir, const char *mnt)
{
	size_t n = strlen(mnt);
	if (n == 1)                     /* "/" */
		return true;
	return strncmp(dir, mnt, n) == 0 && (dir[n] == '/' || dir[n] == '\0');
}

int ntfsread_open(const char *root, struct ntfsread **out, struct rs_error *err)
{
	*out = NULL;
	char real[PATH_MAX];
	struct stat rs;
	if (!realpath(root, real) || stat(real, &rs) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", root);
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return rs_fail_errno(err, RS_ETARGET, errno, "/proc/self/mountinfo");
	/* The mount holding ROOT: the last (topmost) entry with the longest
	 * mount point above it.  Anything mounted below ROOT would hide part
	 * of the volume in the mount walk: not read directly then. */
	char *line = NULL, mnt[PATH_MAX] = "", fstype[64] = "", source[PATH_MAX] = "", mroot[PATH_MAX] = "";
	size_t cap = 0, best = 0;
	bool inner = false;
	unsigned maj = 0, min = 0;
	while (getline(&line, &cap, f) > 0) {
		char r[PATH_MAX], m[PATH_MAX], t[64], s[PATH_MAX];
		unsigned a, b;
		char *sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %u:%u %4095s %4095s", &a, &b, r, m) != 4 ||
		    sscanf(sep + 3, "%63s %4095s", t, s) != 2)
			continue;
		unescape(r);
		unescape(m);
		unescape(s);
		if (under(m, real) && strcmp(m, real) != 0) {
			inner = true;
		} else if (under(real, m) && strlen(m) >= best) {
			best = strlen(m);
			snprintf(mnt, sizeof(mnt), "%s", m);
			snprintf(mroot, sizeof(mroot), "%s", r);
			snprintf(fstype, sizeof(fstype), "%s", t);
			snprintf(source, sizeof(source), "%s", s);
			maj = a, min = b;
			inner = false;      /* only mounts above this one count as inside */
		}
	}
	free(line);
	fclose(f);
	if (!*mnt)
		return rs_fail(err, RS_ETARGET, "%s: no mount found for it", root);
	if (strcmp(fstype, "fuseblk") != 0 && strcmp(fstype, "fuse") != 0 && strncmp(fstype, "fuse.", 5) != 0)
		return rs_fail(err, RS_ETARGET, "%s is on %s, not an ntfs-3g mount", root, fstype);
	if (major(rs.st_dev) != maj || minor(rs.st_dev) != min)
		return rs_fail(err, RS_ETARGET, "%s: its mount could not be told apart", root);
	struct stat ss;
	if (source[0] != '/' || stat(source, &ss) != 0 || !(S_ISBLK(ss.st_mode) || S_ISREG(ss.st_mode)))
		return rs_fail(err, RS_ETARGET, "%s: the mount's source %s is not a device or an image file", root,
			       source);
	if (inner)
		return rs_fail(err, RS_ETARGET, "%s: something else is mounted inside it", root);
	/* ROOT's path inside the volume, without the leading '/'. */
	char base[PATH_MAX];
	const char *below = real + (strlen(mnt) == 1 ? 0 : strlen(mnt));
	snprintf(base, sizeof(base), "%s%s", strcmp(mroot, "/") == 0 ? "" : mroot, below);
	const char *b = base;
	while (*b == '/')
		b++;
	struct ntfsread *v;
	int rc = ntfsread_open_dev(source, b, root, &v, err);
	if (rc)
		return rc;
	/* ntfs-3g shows MFT record numbers as inode numbers: ROOT's must be
	 * the folder found, or this is not the volume mounted there. */
	if ((uint64_t)rs.st_ino != MREF(v->base_ref)) {
		ntfsread_close(v);
		return rs_fail(err, RS_ETARGET, "%s: %s is not the volume mounted there", root, source);
	}
	*out = v;
	return RS_OK;
}
