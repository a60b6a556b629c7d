/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runrules.h - the rules for this run: the one flow `rescue auto`,
 * `rescue scan` and the UI call to get them, so that all three scan with the
 * same set the same way.
 *
 * The set: the built-in rules (CONF's rules_compiled, else the usual search),
 * the extra rule folder (the caller's, else CONF's rules_extra), and on a
 * RESCUE stick (CONF's rescue_partition) the hashes earlier machines
 * learned there (rescue/run/learn.h).
 *
 * The extra set is compiled once per stick (rescue/scan/rulecache.h) when
 * it is the stick's own folder (CONF's rules_extra, with a rescue_partition:
 * the cache is its cache/), or into a cache folder the caller names; any
 * other folder is compiled in memory, as before.  A damaged cache or one of
 * another rule set is recompiled; one that cannot be written (a read-only
 * stick) leaves the set compiled in memory, and rs_rules_cache_note says
 * which happened: the caller shows it.
 *
 * The stick may have been written by the worm: the partition (or the named
 * cache folder) is a confined root while the cache is read or written, and
 * learned/ is read through confine.h (a link is not followed: a warning). */
#ifndef RESCUE_RUNRULES_H
#define RESCUE_RUNRULES_H

#include "rescue/base/error.h"
#include "rescue/run/conf.h"
#include "rescue/scan/rules.h"

/* Load the rules for a run with CONF into *OUT (rs_rules_free).  EXTRA:
 * the extra rule file or folder, NULL for CONF's rules_extra; CACHE_DIR: a
 * cache folder to use (created when missing), NULL for the stick's when
 * EXTRA is its folder.  As rs_rules_load: RS_OK, RS_ETARGET without
 * built-in rules, RS_EUSAGE when EXTRA does not exist. */
int runrules_load(const struct rs_conf *conf, const char *extra, const char *cache_dir, struct rs_rules **out,
		  struct rs_error *err);

#endif
