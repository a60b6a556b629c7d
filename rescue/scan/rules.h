/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rules.h - what the scanner looks for: the YARA rules compiled at build time,
 * extra .yar files compiled at run time, and the known-bad SHA-256 list.
 *
 * The built-in rules (compiled.yarc) and the hash list (hashes.sha256, "sha256
 * name [size]" lines; see rs_rules_hash_wanted) are found as every data file
 * (rescue/base/datapath.h): $RESCUE_RULES / $RESCUE_HASHES naming the file,
 * else $RESCUE_DATA/, <directory of the rescue binary>/rules/ (the build
 * tree), /usr/share/rescue/rules/ (the boot image).  Extra rules (--rules FILE|DIR): each .yar
 * or .yara file is compiled in its own namespace; one that does not compile is
 * reported (rs_rules_warning) and left out, never fatal.  *.sha256 files there
 * are added to the hash list the same way.
 *
 * Every rule is compiled with the string externals the scanner defines per
 * file: `filepath` (volume-relative, '/'-separated, "PATH:STREAM" for an
 * alternate data stream) and `filename` (its last component).
 *
 * Ownership: rs_rules_load allocates, rs_rules_free frees (NULL is fine).
 * libyara is initialised by rs_rules_load and finalised by rs_rules_free. */
#ifndef RESCUE_RULES_H
#define RESCUE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rescue/base/error.h"

struct YR_RULES;
struct rs_rules;

/* Load the built-in rules (COMPILED, or the search above when NULL), the hash
 * list, and EXTRA (NULL or a .yar file or a directory).  RS_ETARGET when the
 * built-in rules cannot be found or loaded (a damaged file too: rescue/scan/yarc.h
 * loads it in a child first, so it is an error, not an abort), RS_EUSAGE when EXTRA does not
 * exist. */
int rs_rules_load(const char *compiled, const char *extra, struct rs_rules **out,
		  struct rs_error *err);
void rs_rules_free(struct rs_rules *r);

/* Non-fatal problems met while loading (a broken extra rule file...): one
 * line each, borrowed. */
size_t rs_rules_nwarnings(const struct rs_rules *r);
const char *rs_rules_warning(const struct rs_rules *r, size_t i);

/* Where the built-in rules came from, how many rules and hashes were loaded. */
const char *rs_rules_source(const struct rs_rules *r);
size_t rs_rules_count(const struct rs_rules *r);
size_t rs_rules_nhashes(const struct rs_rules *r);

/* The rule sets to scan with: the built-in set, then the extra set (NULL when
 * there is none).  Borrowed. */
struct YR_RULES *rs_rules_builtin(const struct rs_rules *r);
struct YR_RULES *rs_rules_extra(const struct rs_rules *r);

/* Whether a file of SIZE bytes can be on the hash list: true when every list
 * line gives a size (third column) and one equals SIZE, or when some line has
 * no size.  SHA-256 costs about 1 GB per CPU-second here, a quarter of a
 * small rule set's scanning time: files of other sizes are not hashed. */
bool rs_rules_hash_wanted(const struct rs_rules *r, uint64_t size);

/* The name of a known-bad SHA-256 (32 raw bytes), NULL when not listed. */
const char *rs_rules_hash_lookup(const struct rs_rules *r, const uint8_t sha256[32]);

/* The externals every rule is compiled and scanned with. */
#define RS_RULES_EXT_FILEPATH "filepath"
#define RS_RULES_EXT_FILENAME "filename"

#endif
