/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runrules.c - the rules for this run, with the stick's rule cache and its
 * learned hashes. */
#include "rescue/run/runrules.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

#include "rescue/base/confine.h"
#include "rescue/run/learn.h"
#include "rescue/scan/rulecache.h"

/* Whether EXTRA is the stick's own rule folder: CONF's rules_extra on a
 * RESCUE partition (the same file, however it was named). */
static bool is_stick_rules(const struct rs_conf *conf, const char *extra)
{
	struct stat a, b;
	return conf->rescue_partition[0] && conf->rules_extra[0] && stat(extra, &a) == 0 &&
	       stat(conf->rules_extra, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The hashes earlier machines learned (rescue/run/learn.h): IOCs of this
 * run, each detection saying where it was learned.  None yet is fine; a
 * folder or list that cannot be read is one of the rules' warnings (in the
 * report). */
static void load_learned(const char *partition, struct rs_rules *rules)
{
	char dir[PATH_MAX];
	if (learn_dir_open(partition, dir) != 0) {
		if (errno != ENOENT) {
			char msg[PATH_MAX + 128];
			snprintf(msg, sizeof(msg), "%s/%s: %s: the hashes learned on earlier machines are not used",
				 partition, LEARN_DIR, errno == ENOTDIR ? "not a folder (a link?)" : confine_strerror(errno));
			rs_rules_add_warning(rules, msg);
		}
		return;
	}
	rs_rules_add_iocs(rules, dir);
	learn_dir_close(dir);
}

int runrules_load(const struct rs_conf *conf, const char *extra, const char *cache_dir, struct rs_rules **out,
		  struct rs_error *err)
{
	if (!extra && conf->rules_extra[0])
		extra = conf->rules_extra;
	/* The cache folder, registered as a confined root (ROOT) while it is
	 * used: the stick's cache/ below its partition, or the one named. */
	char root[PATH_MAX] = "", cache[PATH_MAX + 16] = "";
	if (extra && cache_dir) {
		/* the person's folder, made when missing; below it nothing is followed */
		if ((mkdir(cache_dir, 0755) == 0 || errno == EEXIST) && confine_root_add_dir(cache_dir, root) == 0) {
			snprintf(cache, sizeof(cache), "%s", root);
		} else {
			/* not usable: the cache says why it cannot be written */
			root[0] = '\0';
			snprintf(cache, sizeof(cache), "%s", cache_dir);
		}
	} else if (extra && is_stick_rules(conf, extra) && confine_root_add_dir(conf->rescue_partition, root) == 0) {
		snprintf(cache, sizeof(cache), "%s/%s", root, RULECACHE_SUBDIR);
	}
	int rc = rs_rules_load_cached(conf->rules_compiled[0] ? conf->rules_compiled : NULL, extra,
				      cache[0] ? cache : NULL, out, err);
	if (root[0])
		confine_root_remove(root);
	if (rc != RS_OK) {
		*out = NULL;
		return rc;
	}
	if (conf->rescue_partition[0])
		load_learned(conf->rescue_partition, *out);
	return RS_OK;
}
