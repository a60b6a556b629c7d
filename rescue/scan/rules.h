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
#include <stdio.h>

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

/* The same, with the extra set compiled once per stick: loaded from, or
 * compiled into, CACHE_DIR (rescue/scan/rulecache.h).  A damaged cache or
 * one of another rule set is recompiled; one that cannot be written leaves
 * the set compiled in memory.  rs_rules_cache_note says which. */
int rs_rules_load_cached(const char *compiled, const char *extra, const char *cache_dir,
			 struct rs_rules **out, struct rs_error *err);

/* The extra set's key: SHA-256 of its sources' names and contents and of
 * rescue's and libyara's versions (64 hex digits); NULL without extra rules. */
const char *rs_rules_key(const struct rs_rules *r);
/* One line on what the cache did ("rule set KEY loaded from the cache
 * PATH", "... compiled in memory: ..."); NULL when no cache was asked for. */
const char *rs_rules_cache_note(const struct rs_rules *r);

/* `rules check`: load only DIR's files (no built-in set, no built-in hash
 * list), so that rs_rules_file tells what each one gave. */
int rs_rules_check(const char *dir, struct rs_rules **out, struct rs_error *err);
/* The containment items' C2 lists (hive/hosts.h, hive/firewall.h): whether
 * EXTRA names LOKI's C2 IOC lists (a rule folder, or one list whose name says
 * so: rescue/scan/ioc.h) rather than a plain list of one entry a line. */
bool rs_rules_is_c2(const char *extra);
/* The C2 entries of the IOC lists at EXTRA (a folder searched as `scan
 * --rules` does, or one list), no YARA: each host name to NAME and each IP
 * address to IP (either may be NULL), borrowed for the call.  The first
 * non-zero return of a callback ends the walk and is returned; RS_ETARGET
 * when EXTRA cannot be read. */
typedef int (*rs_c2_fn)(void *user, const char *entry, struct rs_error *err);
int rs_rules_c2_each(const char *extra, rs_c2_fn name, rs_c2_fn ip, void *user, struct rs_error *err);

/* Add the hash IOC lists below DIR (no link followed; other files are
 * listed as skipped) to R's IOC set, after R was loaded: the hashes a fleet
 * learned (rescue/run/learn.h).  The number of files found. */
int rs_rules_add_iocs(struct rs_rules *r, const char *dir);
/* One more line among the warnings: why such a folder was not read. */
void rs_rules_add_warning(struct rs_rules *r, const char *msg);

/* Non-fatal problems met while loading (a broken extra rule file...): one
 * line each, borrowed. */
size_t rs_rules_nwarnings(const struct rs_rules *r);
const char *rs_rules_warning(const struct rs_rules *r, size_t i);

/* Where the built-in rules came from, how many rules and hashes were loaded. */
const char *rs_rules_source(const struct rs_rules *r);
size_t rs_rules_count(const struct rs_rules *r);
size_t rs_rules_nhashes(const struct rs_rules *r);

/* The rule sets to scan with: the built-in set, then the extra set (NULL when
 * there is none).  Borrowed.  With extra rules, the built-in rules' sources
 * (builtin.yar, written by the build beside compiled.yarc, with
 * builtin.yar.sum naming the compiled file they match) are compiled into
 * the extra set, in namespace "default", so that libyara reads each file
 * once: rs_rules_builtin is then NULL and rs_rules_merged true.  Without
 * matching sources the two sets are scanned one after the other. */
struct YR_RULES *rs_rules_builtin(const struct rs_rules *r);
struct YR_RULES *rs_rules_extra(const struct rs_rules *r);
bool rs_rules_merged(const struct rs_rules *r);

/* Whether a file of SIZE bytes can be on the hash list: true when every list
 * line gives a size (third column) and one equals SIZE, or when some line has
 * no size.  SHA-256 costs about 1 GB per CPU-second here, a quarter of a
 * small rule set's scanning time: files of other sizes are not hashed. */
bool rs_rules_hash_wanted(const struct rs_rules *r, uint64_t size);

/* The name of a known-bad SHA-256 (32 raw bytes), NULL when not listed. */
const char *rs_rules_hash_lookup(const struct rs_rules *r, const uint8_t sha256[32]);

/* One file below --rules DIR, as `rules check` lists it. */
enum rs_rules_kind {
	RS_RULES_NONE,
	RS_RULES_YARA,
	RS_RULES_SHA256,
	RS_RULES_IOC_HASH,              /* LOKI's IOC lists (rescue/scan/ioc.h) */
	RS_RULES_IOC_FILENAME,
	RS_RULES_IOC_C2,
};

struct rs_rules_file {
	char *path;                     /* as found ("DIR/yara/x.yar") */
	char *ns;                       /* below DIR: the YARA namespace of its rules */
	enum rs_rules_kind kind;
	char *why;                      /* skipped: "x.yar:12: undefined identifier ..."; NULL when loaded */
	size_t nrules;                  /* rules it added to the set; for an IOC list, its entries */
	size_t nbad;                    /* an IOC list: malformed lines skipped (each a note) */
	double secs;                    /* compiling it alone */
	char **notes;                   /* libyara's warnings (slow rules...), an IOC list's bad lines */
	size_t nnotes;
};

/* What a matching rule says about itself, as LOKI and THOR show it (the
 * signature-base licence asks that a message based on a match keep the
 * rule's author).  In a scan hit the strings are borrowed from the rule
 * set; rs_rule_meta_copy makes an owned copy, freed by rs_rule_meta_free. */
struct rs_rule_meta {
	const char *ns;                 /* the rule file below --rules ("yara/apt_x.yar"), "default" for built-in */
	const char *rule;
	const char *description, *author, *reference;   /* NULL when the rule has none */
	long long score;                /* meta score, -1 when the rule has none */
};

struct YR_RULE;
/* The meta of RULE into OUT (borrowed from RULE). */
void rs_rule_meta_of(const struct YR_RULE *rule, struct rs_rule_meta *out);
int rs_rule_meta_copy(struct rs_rule_meta *dst, const struct rs_rule_meta *src);
void rs_rule_meta_free(struct rs_rule_meta *m);
/* One short line: "RULE [NS] score N: DESCRIPTION (AUTHOR) REFERENCE", the
 * description cut at 100 bytes, the author never left out. */
void rs_rule_meta_line(const struct rs_rule_meta *m, char *out, size_t outlen);
/* N metas as a JSON array of {"rule","namespace","description","author",
 * "reference","score"} (members a rule lacks left out). */
void rs_rule_meta_json(FILE *f, const struct rs_rule_meta *v, size_t n);

size_t rs_rules_nfiles(const struct rs_rules *r);
/* LOKI's IOC lists found below --rules DIR; NULL when there are none. */
struct rs_ioc;
const struct rs_ioc *rs_rules_ioc(const struct rs_rules *r);
const struct rs_rules_file *rs_rules_file(const struct rs_rules *r, size_t i);
/* Compiling the extra set (every file alone and then together), and the
 * memory the compiled sets take (their size as libyara saves them: the
 * arena is saved as it is held; computed on each call). */
double rs_rules_compile_secs(const struct rs_rules *r);
size_t rs_rules_bytes(const struct rs_rules *r);

#endif
