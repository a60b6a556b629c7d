/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reparse.h - what an NTFS reparse point is, for the technician.
 *
 * ntfs-3g follows junctions and symbolic links itself and shows every other
 * reparse point (a tag it has no plugin for) as a symbolic link to
 * "unsupported reparse tag 0x...": WOF-compressed system files (CompactOS),
 * OneDrive folders and files, deduplicated files...  The scan must not call
 * those "links": their content is on the disk (or should be), and a whole
 * OneDrive folder (often Desktop and Documents) would go unscanned without
 * a word.  This table names each tag (MS-FSCC 2.1.2.1 lists the values) and
 * says how a scan treats it. */
#ifndef RESCUE_REPARSE_H
#define RESCUE_REPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "rescue/base/ctx.h"
#include "rescue/base/error.h"

#define REPARSE_TAG_MOUNT_POINT  0xA0000003u    /* junction, volume mount point */
#define REPARSE_TAG_SYMLINK      0xA000000Cu
#define REPARSE_TAG_WOF          0x80000017u    /* WOF: CompactOS compression, WIMBoot */
#define REPARSE_TAG_CLOUD        0x9000001Au    /* cloud files (OneDrive); CLOUD_1..F add 0x1000..0xF000 */
#define REPARSE_TAG_CLOUD_MASK   0xFFFF0FFFu
/* MS-FSCC: the tag's N bit - the entry stands for another named entity (a
 * link of some kind); such an entry is never entered or read through. */
#define REPARSE_TAG_NAME_SURROGATE 0x20000000u

enum reparse_class {
	REPARSE_LINK,           /* points elsewhere: not followed */
	REPARSE_CONTENT,        /* a file or folder whose content Windows keeps its own way */
	REPARSE_SPECIAL,        /* a WSL socket, FIFO or device: not a file to read */
};

struct reparse_kind {
	enum reparse_class cls;
	const char *what;       /* "junction", "OneDrive (cloud) file or folder"... */
};

/* What TAG is.  Tags not in the table are described by their N bit:
 * "reparse point (another name)" or "reparse point (unknown kind)". */
struct reparse_kind reparse_kind_of(uint32_t tag);

/* One line for a skipped reparse point: "junction: not followed",
 * "compressed by Windows (WOF: CompactOS or WIMBoot) (tag 0x80000017): ...".  TAG 0:
 * unknown (not a reparse point, or its data could not be read). */
const char *reparse_describe(uint32_t tag, char *buf, size_t len);

/* The tag of PATH on an ntfs-3g mount, from its system.ntfs_reparse_data
 * attribute (without following PATH).  0 or an errno (ENODATA: not a
 * reparse point, ENOTSUP: not ntfs-3g). */
int reparse_tag_of_path(const char *path, uint32_t *tag);

/* Opening a path the mount shows as a broken link.
 *
 * A file the direct read found inside a OneDrive folder cannot be reached
 * through the mount: ntfs-3g shows the folder (and a OneDrive file) as a
 * link to "unsupported reparse tag".  To quarantine or restore such a file,
 * reparse_lift sets the reparse point of each such folder on the way (and
 * of the file itself) aside, so the path opens as plain folders and a plain
 * file; reparse_lift_end puts every one back, byte for byte, and checks it
 * by reading it back.  Each is first copied to Rescue/backup/<run>/reparse/
 * (the copy is named in any error), so nothing is lost if the put-back
 * fails.  Links (junctions, symbolic links) are never lifted: a path
 * through one is refused, as it always is. */
struct reparse_lift;

/* Lift what is in the way of REL (volume-relative) under CTX's root.  *OUT
 * is NULL when nothing was (the usual case).  RS_ETARGET on a read-only
 * context, RS_EPARTIAL when a reparse point could not be lifted (the ones
 * lifted before it are put back). */
int reparse_lift(const struct rs_ctx *ctx, const char *rel, struct reparse_lift **out, struct rs_error *err);

/* Put back what L lifted (L may be NULL) and free it; an entry whose path is
 * gone (the file was quarantined) needs nothing.  RS_EPARTIAL naming the
 * folder and its backup when one cannot be put back; the rest still are. */
int reparse_lift_end(struct reparse_lift *l, struct rs_error *err);

#endif
