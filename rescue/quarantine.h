/* SPDX-License-Identifier: GPL-2.0-or-later */
/* quarantine.h - Rescue/quarantine/ on the Windows volume: detected files
 * made harmless and kept, so that a false positive can be put back.
 *
 * For each quarantined file (or alternate data stream):
 *   Rescue/quarantine/<id>.bin   its bytes XOR-ed with RS_QUARANTINE_KEY
 *                                (repeated), so no rule matches it, no program
 *                                loader accepts it and a double click opens
 *                                nothing;
 *   Rescue/quarantine/<id>.json  the manifest, one flat JSON object:
 *     {"id","sha256","path" (volume-relative),"stream" (null or name),"size",
 *      "mode","uid","gid","atime","atime_ns","mtime","mtime_ns",
 *      "attributes" (NTFS attribute word as hex, null off ntfs-3g),
 *      "rules":[...],"run","quarantined" (UTC),"xor_key" (hex)}
 * <id> is the SHA-256 of the original bytes; the same bytes quarantined from
 * a second place get "<sha256>.1", ".2"...
 *
 * The original is removed only after both files are written and synced, and
 * only when it is still the file that was scanned (same inode, size, mtime;
 * a WOF-compressed file, which the mount shows as a link, read directly:
 * same inode and mtime, and decoded again to the same SHA-256);
 * just before, a QUARANTINE entry (id, path, stream, SHA-256) goes to
 * Rescue/journal.jsonl, like every change, so `rescue undo` hands it to
 * rs_quarantine_restore (the manifest keeps what the restore needs; the
 * journal says that a change was made and whether it was undone).
 * Restore writes the original bytes (checked against the SHA-256) at the
 * original path, with its mode and times, and refuses to overwrite a file;
 * a WOF-compressed original comes back as a plain (uncompressed) file. */
#ifndef RESCUE_QUARANTINE_H
#define RESCUE_QUARANTINE_H

#include <stddef.h>
#include <stdint.h>

#include "rescue/ctx.h"
#include "rescue/scan.h"

#define RS_QUARANTINE_DIR "quarantine"          /* under Rescue/ */
#define RS_QUARANTINE_ITEM "quarantine"       /* the journal item of a quarantine */
#define RS_QUARANTINE_KEY "rescue-quarantine\x5a\xa5\x3c\xc3"   /* 21 bytes; documented in the manifest */

struct rs_quarantine_entry {
	char id[80];
	char sha256[65];
	char *path;                 /* volume-relative original */
	char *stream;               /* NULL: the file's content */
	char *rules;                /* "Rule1,Rule2" */
	uint64_t size;
	long long mtime;            /* seconds since 1970 */
	char quarantined[32];       /* UTC "2026-11-23T12:00:00Z" */
};

/* Quarantine HIT (from a scan of CTX's volume).  ID (at least 80 bytes)
 * receives the id.  RS_ETARGET when the volume is read-only; RS_EPARTIAL
 * when the file changed since it was scanned or cannot be removed (nothing
 * is left half-done: the quarantine copy is removed again). */
int rs_quarantine_add(const struct rs_ctx *ctx, const struct rs_scan_hit *hit, char *id, size_t idlen,
		      struct rs_error *err);

/* rs_quarantine_add from a scan's detect callback: the outcome goes into
 * hit->action in the words every front end shows ("quarantined as ID",
 * "quarantine failed: why").  Returns rs_quarantine_add's code. */
int rs_quarantine_hit(const struct rs_ctx *ctx, struct rs_scan_hit *hit, char *id, size_t idlen);

/* Every manifest in Rescue/quarantine (sorted by path); an empty list when
 * there is no quarantine.  Free with rs_quarantine_list_free. */
int rs_quarantine_list(const struct rs_ctx *ctx, struct rs_quarantine_entry **out, size_t *n,
		       struct rs_error *err);
void rs_quarantine_list_free(struct rs_quarantine_entry *v, size_t n);

/* Put entry ID (or a unique prefix of it, at least 8 characters) back at its
 * original path and remove it from the quarantine.  The restored path, volume
 * relative, goes to RESTORED (may be NULL). */
int rs_quarantine_restore(const struct rs_ctx *ctx, const char *id, char *restored, size_t restlen,
			  struct rs_error *err);

/* Delete every quarantined file for good; *N receives how many. */
int rs_quarantine_purge(const struct rs_ctx *ctx, size_t *n, struct rs_error *err);

#endif
