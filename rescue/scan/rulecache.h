/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rulecache.h - extra rules compiled once per stick.
 *
 * Compiling a large rule folder (signature-base) takes much longer than
 * loading it compiled, and a technician boots one stick on many machines.
 * So the compiled extra set is kept on the RESCUE partition, in
 * DIR/rules-KEY.yarc with DIR/rules-KEY.yarc.sum beside it ("SHA256  NAME",
 * sha256sum's format), where KEY is the SHA-256 of the rule set's manifest
 * (every source's name below the rule folder and SHA-256, in order) plus
 * rescue's and libyara's versions: changed sources, another rescue or
 * another libyara give another file, never a stale one.
 *
 * The stick may have been written by the worm: the cache is loaded only
 * when its .sum names this very file and holds its digest, through
 * rescue/scan/yarc.h (a child process tries it first), and every rule in it
 * must come from one of the manifest's files.  Anything else is recompiled,
 * never trusted.  The caller registers the partition as a confined root
 * (rescue/base/confine.h), so no link there is followed.
 *
 * libyara must be initialised by the caller. */
#ifndef RESCUE_RULECACHE_H
#define RESCUE_RULECACHE_H

#include <stddef.h>

#include "rescue/base/error.h"

struct YR_RULES;

/* The folder of the RESCUE partition the cache lives in. */
#define RULECACHE_SUBDIR "cache"

/* KEY (64 hex digits) of MANIFEST: "NAME\tSHA256\n" lines, one per source. */
void rulecache_key(const char *manifest, char key[65]);

/* The cache file of KEY in DIR, into PATH. */
int rulecache_path(const char *dir, const char *key, char *path, size_t len);

enum rulecache_state {
	RULECACHE_HIT,          /* *OUT holds the cached set */
	RULECACHE_MISS,         /* no cache file for KEY */
	RULECACHE_BAD,          /* there is one, but not usable: ERR says why */
};

/* Load the cache of KEY from DIR.  NS: the namespaces (source names) a
 * rule may come from.  *OUT is the caller's (yr_rules_destroy). */
enum rulecache_state rulecache_load(const char *dir, const char *key, const char *const *ns, size_t nns,
				    struct YR_RULES **out, struct rs_error *err);

/* Write RULES as the cache of KEY in DIR (created when missing), each file
 * atomically, the .sum last.  RS_ETARGET with the reason (read-only, full)
 * when it cannot; nothing half-written is left under the final names. */
int rulecache_save(const char *dir, const char *key, struct YR_RULES *rules, struct rs_error *err);

#endif
