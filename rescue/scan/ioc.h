/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ioc.h - indicator lists in the formats LOKI reads (signature-base's
 * iocs/ folder), found among the rule files (rescue/scan/rules.h) by name as
 * LOKI finds them: a *.txt file whose name holds "hash", "filename" or "c2".
 *
 *   hash IOCs      "HASH;DESCRIPTION": MD5, SHA1 or SHA256 by its length
 *   filename IOCs  "REGEX;SCORE[;FALSE-POSITIVE REGEX]", matched against the
 *                  file's Windows path ("C:\Users\bob\x.exe", the volume as
 *                  C:, rescue/scan/externals.h); a "# comment" line names the
 *                  entries under it.  The scores of every matching entry add
 *                  up, as in LOKI: the alert score (RS_IOC_ALERT_SCORE unless
 *                  the scan asks for another) or more is a detection, less a
 *                  warning.
 *   C2 IOCs        "HOST-OR-IP[;DESCRIPTION]": names go to the `hosts`
 *                  containment item; IP addresses are kept (rs_ioc_c2_ips) for
 *                  the report and a firewall item.
 * '#' lines and blank lines are skipped; a malformed line is a warning
 * naming file:line, and the rest of the file still counts.
 *
 * The regexes are Python's (re.search); they are compiled as POSIX extended
 * regexes after a translation of what differs: a leading "(?i)" makes the
 * line case-insensitive (LOKI's lines are case-sensitive otherwise),
 * "(?:" becomes "(", \d \D become [0-9] [^0-9], lazy quantifiers (*? +? ??
 * {m,n}?) become greedy (the same yes/no answer for a search).  A line with
 * anything else Python-only (look-around, other inline flags, named groups,
 * \A \Z) is reported and skipped, never guessed at.
 *
 * Ownership: rs_ioc_new allocates, rs_ioc_free frees; every string handed
 * out is borrowed from the set. */
#ifndef RESCUE_IOC_H
#define RESCUE_IOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RS_IOC_ALERT_SCORE 100      /* LOKI's alert level: at or above it a filename IOC is a detection */
#define RS_IOC_ALERT_SCORE_MAX 10000 /* the highest alert level a setting may ask for */

enum rs_ioc_kind { RS_IOC_NONE, RS_IOC_HASH, RS_IOC_FILENAME, RS_IOC_C2 };
enum rs_ioc_hash { RS_IOC_MD5, RS_IOC_SHA1, RS_IOC_SHA256, RS_IOC_NHASH };

struct rs_ioc;

/* Which list PATH is, by its file name. */
enum rs_ioc_kind rs_ioc_kind_of(const char *path);

struct rs_ioc *rs_ioc_new(void);
void rs_ioc_free(struct rs_ioc *s);

/* Add the lines of PATH (kind KIND) to S, under the name NS (the file below
 * the rule folder, kept for the detections).  Malformed lines are handed to
 * WARN ("PATH:LINE: why").  The number of entries added, or -1 with errno
 * when PATH cannot be read. */
typedef void (*rs_ioc_warn_fn)(void *user, const char *msg);
long rs_ioc_load(struct rs_ioc *s, enum rs_ioc_kind kind, const char *path, const char *ns, rs_ioc_warn_fn warn,
		 void *user);

/* Sort the hash lists: call once the set is complete, before lookups. */
void rs_ioc_seal(struct rs_ioc *s);

/* Whether some list holds a hash of kind K (only those digests are computed). */
bool rs_ioc_wants(const struct rs_ioc *s, enum rs_ioc_hash k);
size_t rs_ioc_nhashes(const struct rs_ioc *s);
size_t rs_ioc_nfilenames(const struct rs_ioc *s);

/* A listed hash: its entry, NULL when not listed. */
struct rs_ioc_hit {
	const char *ns;             /* the list it came from */
	const char *what;           /* "md5:HEX", "filename:LINE" */
	const char *description;
	long score;                 /* filename IOCs; -1 for hashes */
};
bool rs_ioc_hash_lookup(const struct rs_ioc *s, enum rs_ioc_hash k, const uint8_t *digest,
			struct rs_ioc_hit *out);

/* The filename IOCs WINPATH matches (not excluded by their false-positive
 * regex), at most MAX into OUT; their number, and the sum of their scores in
 * *SCORE. */
size_t rs_ioc_filename_match(const struct rs_ioc *s, const char *winpath, struct rs_ioc_hit *out, size_t max,
			     long *score);

/* The C2 host names (lower case, checked as host names) and IP addresses. */
size_t rs_ioc_c2_nnames(const struct rs_ioc *s);
const char *rs_ioc_c2_name(const struct rs_ioc *s, size_t i);
size_t rs_ioc_c2_nips(const struct rs_ioc *s);
const char *rs_ioc_c2_ip(const struct rs_ioc *s, size_t i);

/* Python regex TEXT as a POSIX extended regex into OUT (OUTLEN bytes), and
 * whether it began with (?i).  -1 with a reason in WHY for what cannot be
 * translated. */
int rs_ioc_regex_translate(const char *text, char *out, size_t outlen, bool *icase, const char **why);

/* A literal every match of the Python regex TEXT holds, into OUT ("" when
 * none of 3 or more characters is found): the scan checks it with strstr
 * before the regex.  Returns whether the line is case-insensitive. */
bool rs_ioc_regex_literal(const char *text, char *out, size_t outlen);

#endif
