/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ntfsread.h - walk and read an NTFS volume through libntfs-3g directly,
 * read-only, for the scan: no FUSE round trip per file (the ntfs-3g daemon
 * costs about 250 us a file and competes with YARA for the CPUs; reading
 * through libntfs-3g costs about 4 us; DESIGN.md, Scanning).
 *
 * The volume is the one an ntfs-3g mount shows at ROOT, which stays mounted
 * for everything else (quarantine writes through it).  What the walk yields
 * is what the mount shows, so a scan gives the same result either way:
 * the names ntfs-3g shows (UTF-8, DOS 8.3 aliases left out), system files
 * (MFT records below 16: $MFT, $Extend...) hidden, reparse points (junctions,
 * symbolic links and every other tag) and Interix symbolic links shown as
 * links, except files Windows compressed with WOF (CompactOS, rescue/volume/wof.h):
 * ntfs-3g without its system-compression plugin shows them as links it
 * cannot read, this shows and reads them as the regular files they are
 * (their size the uncompressed one, their content decoded, their
 * WofCompressedData stream not listed as a stream of its own); Interix FIFOs, sockets and devices (system files of 0 or 1 byte,
 * or with an Interix device header) shown as special files; hard links
 * reached by each of their names.  A walk entry's stat carries what
 * ntfs-3g's lstat shows of the entry: st_ino is the MFT record number, the
 * size is the unnamed data stream's, the times are NTFS's (100 ns), st_dev
 * is ROOT's; walk_entry.ref is the MFT reference (with its sequence number)
 * to read the file by.
 *
 * Where the direct read sees more than the mount: a folder whose reparse
 * tag is not a link's (a OneDrive folder, shown by ntfs-3g as a broken
 * link) is entered, and a OneDrive file kept on the device is read as a
 * regular file (rescue/volume/reparse.h says why).
 *
 * Consistency with the mount: ntfs-3g writes through its own descriptor of
 * the device without O_DIRECT, so a second read-only descriptor of the same
 * device or image sees its writes through the page cache.  libntfs-3g keeps
 * the $MFT's run list as it was at ntfsread_open: records added since (only
 * under Rescue/, which the scan skips) may not be found.  A directory being
 * changed while it is read can come out as an error; it is then listed.
 *
 * libntfs-3g is not thread-safe on one volume: one struct ntfsread per
 * thread (ntfsread_reopen opens another on the same device). */
#ifndef RESCUE_NTFSREAD_H
#define RESCUE_NTFSREAD_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "rescue/base/error.h"
#include "rescue/volume/walk.h"

struct ntfsread;

/* ROOT is a folder of an ntfs-3g mount (fuseblk or fuse, with a block
 * device or an image file as its source, nothing else mounted inside it):
 * open that source read-only.  RS_ETARGET with one line saying why not
 * (not ntfs-3g, cannot be opened, not the same volume...). */
int ntfsread_open(const char *root, struct ntfsread **out, struct rs_error *err);

/* Open DEV (an NTFS block device or image) read-only; walks hand the
 * callback ROOT + '/' + rel as the path (ROOT must exist: st_dev comes from
 * it) and BASE is ROOT's path inside the volume ("" for its root folder). */
int ntfsread_open_dev(const char *dev, const char *base, const char *root, struct ntfsread **out,
		      struct rs_error *err);

/* Another handle on the same volume, for another thread. */
int ntfsread_reopen(const struct ntfsread *v, struct ntfsread **out, struct rs_error *err);

void ntfsread_close(struct ntfsread *v);

/* The device or image read. */
const char *ntfsread_device(const struct ntfsread *v);

/* walk_tree_src (rescue/volume/walk.h) over the volume, START relative to
 * ROOT; KNOWN (may be NULL) is asked with each entry's MFT record number
 * before the record is read. */
int ntfsread_walk(struct ntfsread *v, const char *start, walk_fn fn, walk_known_fn known, void *user);

/* Whether REL (relative to ROOT) is on the volume: 0 or an errno. */
int ntfsread_lookup(struct ntfsread *v, const char *rel);
/* The same, and REL's MFT record number into *REF (the st_ino the walk gives). */
int ntfsread_ref(struct ntfsread *v, const char *rel, uint64_t *ref);

/* The reparse tag of REF (rescue/volume/reparse.h).  0, ENODATA when it has none,
 * or an errno. */
int ntfsread_reparse_tag(struct ntfsread *v, uint64_t ref, uint32_t *tag);

/* Read the data stream STREAM (UTF-8 name; NULL: the unnamed one) of the
 * file REF (walk_entry.ref) whole into *BUF (*CAP bytes, grown with realloc;
 * both may start NULL/0; the caller frees).  Fills *LEN and, when ST is not
 * NULL, the file's stat as the walk gives it.  Returns 0 or an errno: EFBIG
 * over MAX bytes (*LEN then holds the size), EACCES for an encrypted (EFS)
 * stream, ENOENT when the file or stream is gone, EIO for a bad read (with
 * *LEN > 0 when that many bytes were read first: a damaged file whose size
 * in the MFT is larger than its data, ntfsread_why saying so); for a
 * WOF-compressed file also ENOTSUP (a provider or algorithm not decoded
 * here) and EIO for damaged compressed data, ntfsread_why saying which.
 * The clusters read are then dropped from the device's page cache
 * (POSIX_FADV_DONTNEED): a file is read once. */
int ntfsread_read(struct ntfsread *v, uint64_t ref, const char *stream, uint64_t max, uint8_t **buf,
		  size_t *cap, size_t *len, struct stat *st);

/* Ask the kernel to start reading, in the background, the clusters of
 * the first MAX bytes of REF's unnamed data stream, so that a read of it
 * soon after (through any handle on the same device) finds them in memory:
 * a worker scanning one file while the next one's clusters arrive does not
 * wait on the disk.  Best effort: nothing is reported, nothing is waited
 * for, and a resident, encrypted or damaged stream is left alone. */
void ntfsread_prefetch(struct ntfsread *v, uint64_t ref, uint64_t max);

/* Why the last ntfsread_read on V failed when its errno does not say it all
 * ("WOF data damaged: chunk 3 of 7: ..."); "" otherwise. */
const char *ntfsread_why(const struct ntfsread *v);

/* The names of the named data streams (alternate data streams) of REF, as
 * one NUL-separated list in a new *NAMES of *LEN bytes (0 when none; the
 * caller frees).  Returns 0 or an errno. */
int ntfsread_streams(struct ntfsread *v, uint64_t ref, char **names, size_t *len);

/* Every name of the file REF (its hard links; DOS 8.3 aliases left out)
 * that lies below ROOT, relative to ROOT, as one NUL-separated list in a
 * new *NAMES of *LEN bytes (the caller frees).  A name whose chain of
 * folders is damaged (longer than 256, a loop) is left out.  Returns 0 or
 * an errno. */
int ntfsread_names(struct ntfsread *v, uint64_t ref, char **names, size_t *len);

/* Whether the clusters holding bytes [OFF, OFF + LEN) of the volume are all
 * marked in use in $Bitmap (bytes past the last cluster NTFS has are not
 * its to allocate and count as in use).  0 with *FIRST_FREE the first free
 * cluster's byte offset, or UINT64_MAX when there is none; or an errno
 * when $Bitmap cannot be read (EIO when it is shorter than the volume). */
int ntfsread_in_use(struct ntfsread *v, uint64_t off, uint64_t len, uint64_t *first_free);

/* The bytes a scan of the whole volume reads, from the MFT alone (one
 * sequential read of it, no folder opened): every data stream, named or
 * not, of the files and folders, each MFT record once (a file with several
 * names once), those over MAX bytes left out.  An estimate: the root's
 * memory files under MAX, rescue's own folder and WOF-compressed files
 * (their size on the disk) are counted as they are.  Stops with ECANCELED
 * once *STOP is true.  Returns 0 or an errno. */
int ntfsread_data_bytes(struct ntfsread *v, uint64_t max, const atomic_bool *stop, uint64_t *total);

#endif
