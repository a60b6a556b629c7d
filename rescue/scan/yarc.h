/* SPDX-License-Identifier: GPL-2.0-or-later */
/* yarc.h - load a compiled YARA rule file (.yarc) without letting a damaged
 * one take the process down.
 *
 * libyara trusts the offsets inside a .yarc: a flipped bit or a cut-off file
 * (a worn RESCUE stick, a rules_compiled a worm rewrote) can make it fail an
 * assert or read out of bounds, and the run would die (exit 134) after it
 * had already changed the Windows volume, without a report.  So the file is
 * read once into memory, loaded by libyara in a child process that also
 * scans a few probe buffers with it, and only when the child ended cleanly
 * are the same bytes loaded here.  A child killed by a signal (or exiting
 * any other way than cleanly) means a damaged file: an error naming it,
 * never an abort.
 *
 * Before that, when PATH.sum exists (the build writes one beside the
 * compiled.yarc it makes: the file's SHA-256 in hex), the file must have that
 * digest: most damage leaves a file libyara loads without complaint, with
 * rules that no longer find what they should.  Rules compiled elsewhere
 * (rules_compiled without a .sum) have the child's trial alone.
 *
 * The probes catch damage that shows only when rules run; damage that shows
 * only on some particular file content cannot be excluded this way (nor can
 * a file crafted to pass: a .yarc is trusted code, like the binary).
 *
 * libyara must be initialised (yr_initialize) by the caller.  Ownership:
 * *OUT is the caller's (yr_rules_destroy). */
#ifndef RESCUE_YARC_H
#define RESCUE_YARC_H

#include "rescue/base/error.h"

struct YR_RULES;

/* The largest .yarc accepted (the built-in set is well under a megabyte). */
#define YARC_MAX_BYTES (512u << 20)

/* The digest beside a compiled rule file: PATH + this. */
#define YARC_SUM_SUFFIX ".sum"

/* The child's time limit: a loop on damaged data is a damaged file too. */
#define YARC_TRIAL_SECS 120

/* Load PATH as above.  RS_ETARGET (message naming PATH and what went
 * wrong) when it cannot be read, is not a regular file, is damaged or is
 * not a compiled rule file this libyara reads. */
int yarc_load(const char *path, struct YR_RULES **out, struct rs_error *err);

#endif
