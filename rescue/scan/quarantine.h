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
 *     {"id","sha256","path" (volume-relative),"stream" (null or name),
 *      "names" (the file's other names, hard links: only when it had some),"size",
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
 * a WOF-compressed original comes back as a plain (uncompressed) file.
 *
 * Some detections are never quarantined, whoever asks (scan --quarantine,
 * the unattended run, the UI): the registry hives, their transaction logs
 * and rescue's own Rescue/ folder.  Removing a hive leaves Windows unable
 * to start, and leaves rescue itself unable to open the installation; a
 * rule that matches one (a worm's strings in a value, a careless stick rule)
 * is a finding for a person, not a file to move.  rs_quarantine_refusal says
 * which: rs_quarantine_add then refuses with RS_DETECTED, and
 * rs_quarantine_hit leaves the file, marks the hit (hit->inspect) and says
 * "registry hive matched a rule: inspect".  The detection stands (the run
 * is RED: a person must look). */
#ifndef RESCUE_QUARANTINE_H
#define RESCUE_QUARANTINE_H

#include <stddef.h>
#include <stdint.h>

#include "rescue/base/ctx.h"
#include "rescue/scan/scan.h"

#define RS_QUARANTINE_DIR "quarantine"          /* under Rescue/ */
#define RS_QUARANTINE_ITEM "quarantine"       /* the journal item of a quarantine */
#define RS_QUARANTINE_KEY "rescue-quarantine\x5a\xa5\x3c\xc3"   /* 21 bytes; documented in the manifest */

struct rs_quarantine_entry {
	char id[80];
	char sha256[65];
	char *path;                 /* volume-relative original */
	char *stream;               /* NULL: the file's content */
	char *rules;                /* "Rule1,Rule2" */
	char **names;               /* the manifest's other names (hard links), every one (owned; bounded
	                             * by the manifest's size): a list shows some (othernames.h), an
	                             * autostart entry's target is matched against all */
	size_t nnames;
	uint64_t size;
	long long mtime;            /* seconds since 1970 */
	char quarantined[32];       /* UTC "2026-11-23T12:00:00Z" */
};

/* Why a detection must stay where it is. */
struct rs_quarantine_refusal {
	const char *kind;           /* "registry hive", "registry hive log", "rescue's own file" */
	const char *why;            /* half a sentence: what removing it would do */
};

/* The refusal for a detection at REL (volume-relative, '/'-separated; any
 * case) in STREAM (NULL: the file's content), whose scanned bytes are
 * DATA (LEN of them), or NULL when it may be quarantined.  Refused:
 *   - Rescue (a file of that name too) and everything below it;
 *   - in a folder Windows keeps hives in (Windows/System32/config and
 *     below: RegBack, systemprofile, TxR; SMI/Store/Machine; AppCompat/
 *     Programs; Windows/Boot and below; Boot; EFI/Microsoft/Boot; a profile
 *     folder Users/NAME, Windows/ServiceProfiles/NAME, Documents and
 *     Settings/NAME, and its AppData/Local/Microsoft/Windows): a hive name
 *     (SYSTEM, SOFTWARE, SAM, SECURITY, DEFAULT, COMPONENTS, DRIVERS, BBI,
 *     ELAM, userdiff, BCD, BCD-Template, SCHEMA.DAT, Amcache.hve,
 *     NTUSER.DAT, NTUSER.MAN, UsrClass.dat), alone or followed by '.' or
 *     '{' (SYSTEM.sav, NTUSER.DAT{guid}.TM.blf); a transaction log (.LOG,
 *     .LOG1, .LOG2, .blf, .regtrans-ms); or a file whose content begins
 *     with "regf" (a hive under another name);
 *   - anywhere else: a hive name (as above) whose content begins with
 *     "regf" (Windows.old, a profile on another folder).
 * A stream of such a file is refused with it: the hive stays untouched. */
const struct rs_quarantine_refusal *rs_quarantine_refusal(const char *rel, const char *stream, const uint8_t *data,
							  size_t len);

/* Quarantine HIT (from a scan of CTX's volume).  ID (at least 80 bytes)
 * receives the id.  RS_DETECTED when rs_quarantine_refusal refuses it (left
 * in place on purpose, ERR says why); RS_ETARGET when the volume is read-only; RS_EPARTIAL
 * when the file changed since it was scanned or cannot be removed (nothing
 * is left half-done: the quarantine copy is removed again).  ERR gives the
 * reason alone, without the file's name: the caller has it (hit->path), and
 * a front end shows the reason beside it, where a long path must not cut it
 * off. */
int rs_quarantine_add(const struct rs_ctx *ctx, const struct rs_scan_hit *hit, char *id, size_t idlen,
		      struct rs_error *err);

/* rs_quarantine_add from a scan's detect callback: the outcome goes into
 * hit->action in the words every front end shows ("quarantined as ID",
 * "not quarantined: registry hive matched a rule: inspect (why)",
 * "quarantine failed: why"), a refusal's kind into hit->inspect.  Returns
 * rs_quarantine_add's code: RS_DETECTED for a refusal is no failure. */
int rs_quarantine_hit(const struct rs_ctx *ctx, struct rs_scan_hit *hit, char *id, size_t idlen);

/* hit->action for a quarantine that failed: "quarantine failed: " and the
 * reason (printf-style), for the callers that find the reason themselves
 * (rescue/run/clean.c checks a file again before it quarantines it). */
void rs_quarantine_failed(struct rs_scan_hit *hit, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The reason given when a file is not the one that was scanned. */
#define RS_QUARANTINE_CHANGED "changed since it was scanned: left in place"

/* A detection no one asked to quarantine (scan without --quarantine, scan =
 * report, a read-only volume): hit->action "reported", or for what
 * rs_quarantine_refusal names "reported: registry hive matched a rule:
 * inspect (why)" and hit->inspect its kind, so that the report says what
 * it is whether or not a quarantine was asked for. */
void rs_quarantine_report_only(struct rs_scan_hit *hit);

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
