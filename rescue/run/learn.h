/* SPDX-License-Identifier: GPL-2.0-or-later */
/* learn.h - a fleet that learns: what one machine's run removed becomes an
 * indicator for the next machines on the same RESCUE stick.
 *
 * A run collects the SHA-256 of every file it quarantined and of the target
 * of every autostart entry it disabled because its name looked random (no
 * rule knew it), and writes them to
 *     <rescue_partition>/learned/<MACHINE>-<STAMP>-hashes.txt
 * in LOKI's hash IOC format (rescue/scan/ioc.h), one line each:
 *     SHA256;learned from PC-NAME at STAMP: NAME [autostart ENTRY]
 * Later runs load that folder as hash IOCs (rs_rules_add_iocs), so a dropper
 * only the random-name heuristic caught on one machine is found by its hash
 * on the next, and the detection says where it was learned.
 *
 * The stick may have been written by the worm too: the folder is a confined
 * root while it is read or written (rescue/base/confine.h), names from the
 * volume lose their control characters and ';' before they are written.
 * Ownership: struct learn owns its items (learn_free). */
#ifndef RESCUE_LEARN_H
#define RESCUE_LEARN_H

#include <limits.h>
#include <stddef.h>

#include "rescue/base/ctx.h"
#include "rescue/base/error.h"

#define LEARN_DIR "learned"

struct learn_item {
	char sha256[65];
	char name[512];             /* volume-relative file */
	char entry[256];            /* the autostart entry that started it, "" none */
};

struct learn {
	struct learn_item *v;
	size_t n, cap;
};

void learn_free(struct learn *l);

/* Remember the file NAME with SHA256 (64 hex digits), started by ENTRY (NULL
 * or "" when none); a hash already held only gains ENTRY.  0, -1 out of memory. */
int learn_add(struct learn *l, const char *sha256, const char *name, const char *entry);

/* The item learned from the file NAME gains the autostart entry ENTRY (when
 * it has none yet); nothing when NAME was not learned. */
void learn_name_entry(struct learn *l, const char *name, const char *entry);

/* The same for the file REL of CTX's volume (an autostart entry's target),
 * read and hashed here (up to 256 MiB).  0, or -1 with errno. */
int learn_add_file(struct learn *l, struct rs_ctx *ctx, const char *rel, const char *entry);

/* Write L (nothing when empty) to PARTITION/learned/BASE-hashes.txt (BASE:
 * the run's name on the stick, safe for FAT, as its report's) for MACHINE's
 * run STAMP; the file written goes to WRITTEN.  RS_OK or an error. */
int learn_save(const struct learn *l, const char *partition, const char *base, const char *machine,
	       const char *stamp, char *written, size_t wlen, struct rs_error *err);

/* The learned folder of PARTITION into OUT, registered as a confined root
 * (learn_dir_close(OUT) afterwards).  0, or -1 with errno (ENOENT: none yet). */
int learn_dir_open(const char *partition, char out[PATH_MAX]);
void learn_dir_close(const char *dir);

/* One line of a learned list, as learn_save writes it, taken apart. */
struct learn_line {
	char sha256[65];            /* lower case */
	char machine[64];           /* learned from */
	char stamp[32];             /* "20261123T115500Z" */
	char name[512];
	char entry[256];            /* "" when no autostart entry started it */
};

/* Parse LINE (no line end) into OUT.  1: a comment or blank line, nothing
 * in OUT; 0: parsed (a field longer than OUT's is cut); -1: not a learned
 * line, with the reason in *WHY (static). */
int learn_parse_line(const char *line, struct learn_line *out, const char **why);

/* `rules forget HASH`: the lines of SHA256 removed from every hash list in
 * DIR (a learned/ folder), each file rewritten atomically; the number of
 * lines removed in *REMOVED.  RS_OK or an error. */
int learn_forget(const char *dir, const char *sha256, size_t *removed, struct rs_error *err);

#endif
