/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE     /* asprintf */
#include "rescue/scan/rulecache.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yara.h>

#include "rescue/base/confine.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/version.h"
#include "rescue/scan/yarc.h"

void rulecache_key(const char *manifest, char key[65])
{
	char *text = NULL;
	/* the versions too: a cache from another rescue or libyara is another file */
	if (asprintf(&text, "rescue %s\nlibyara %s\n%s", rescue_version, YR_VERSION, manifest) < 0) {
		sha256_hex(manifest, strlen(manifest), key);
		return;
	}
	sha256_hex(text, strlen(text), key);
	free(text);
}

int rulecache_path(const char *dir, const char *key, char *path, size_t len)
{
	int n = snprintf(path, len, "%s/rules-%s.yarc", dir, key);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The .sum line of the cache file NAME holding bytes of digest HEX. */
static int sum_line(char *out, size_t len, const char *hex, const char *path)
{
	const char *slash = strrchr(path, '/');
	int n = snprintf(out, len, "%s  %s\n", hex, slash ? slash + 1 : path);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Whether the .sum of PATH names PATH itself: a cache file renamed from
 * another rule set's (with its .sum) is not this set's. */
static int sum_names_file(const char *path, struct rs_error *err)
{
	char sum_path[PATH_MAX + 8];
	uint8_t *text;
	size_t len;
	snprintf(sum_path, sizeof(sum_path), "%s%s", path, YARC_SUM_SUFFIX);
	if (file_read_all(sum_path, 4096, &text, &len) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", sum_path);
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	const char *p = (const char *)text;
	int rc = RS_OK;
	if (len < 66 || strncmp(p + 64, "  ", 2) != 0 || strncmp(p + 66, name, strlen(name)) != 0 ||
	    (p[66 + strlen(name)] != '\n' && p[66 + strlen(name)] != '\0'))
		rc = rs_fail(err, RS_ETARGET, "%s: made for another rule set", sum_path);
	free(text);
	return rc;
}

static int ns_known(const char *name, const char *const *ns, size_t nns)
{
	for (size_t i = 0; i < nns; i++)
		if (strcmp(ns[i], name) == 0)
			return 1;
	return 0;
}

enum rulecache_state rulecache_load(const char *dir, const char *key, const char *const *ns, size_t nns,
				    YR_RULES **out, struct rs_error *err)
{
	char path[PATH_MAX];
	struct stat st;
	*out = NULL;
	if (rulecache_path(dir, key, path, sizeof(path)) != 0) {
		rs_fail(err, RS_ETARGET, "%s: path too long", dir);
		return RULECACHE_BAD;
	}
	if (confine_lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return RULECACHE_MISS;
		rs_fail_errno(err, RS_ETARGET, errno, "%s", path);
		return RULECACHE_BAD;
	}
	/* yarc_load checks the digest of the .sum and tries the file in a child */
	if (sum_names_file(path, err) != RS_OK || yarc_load(path, out, err) != RS_OK)
		return RULECACHE_BAD;
	YR_RULES *set = *out;
	YR_RULE *rule;
	yr_rules_foreach(set, rule) {
		if (!ns_known(rule->ns->name, ns, nns)) {
			rs_fail(err, RS_ETARGET, "%s: holds rules of another rule set (%s)", path, rule->ns->name);
			yr_rules_destroy(*out);
			*out = NULL;
			return RULECACHE_BAD;
		}
	}
	return RULECACHE_HIT;
}

struct mem_sink {
	uint8_t *p;
	size_t len, cap;
	int failed;
};

static size_t sink_write(const void *ptr, size_t size, size_t count, void *user)
{
	struct mem_sink *m = user;
	size_t n = size * count;
	if (m->len + n > m->cap) {
		size_t cap = m->cap ? m->cap : 1 << 16;
		while (cap < m->len + n)
			cap *= 2;
		uint8_t *np = realloc(m->p, cap);
		if (!np) {
			m->failed = 1;
			return 0;
		}
		m->p = np;
		m->cap = cap;
	}
	memcpy(m->p + m->len, ptr, n);
	m->len += n;
	return count;
}

int rulecache_save(const char *dir, const char *key, YR_RULES *rules, struct rs_error *err)
{
	char path[PATH_MAX], sum_path[PATH_MAX + 8], hex[65], line[PATH_MAX + 80];
	if (rulecache_path(dir, key, path, sizeof(path)) != 0)
		return rs_fail(err, RS_ETARGET, "%s: path too long", dir);
	snprintf(sum_path, sizeof(sum_path), "%s%s", path, YARC_SUM_SUFFIX);
	if (confine_mkdirs(dir, 0755) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", dir);
	struct mem_sink m = { 0 };
	YR_STREAM st = { .user_data = &m, .write = sink_write };
	if (yr_rules_save_stream(rules, &st) != ERROR_SUCCESS || m.failed) {
		free(m.p);
		return rs_fail(err, RS_ETARGET, "%s: cannot serialise the compiled rules", path);
	}
	sha256_hex(m.p, m.len, hex);
	int rc = RS_OK;
	/* the .sum last: a cache file without one is never loaded */
	if (file_write_atomic(path, m.p, m.len) != 0)
		rc = rs_fail_errno(err, RS_ETARGET, errno, "%s", path);
	else if (sum_line(line, sizeof(line), hex, path) != 0 || file_write_atomic(sum_path, line, strlen(line)) != 0) {
		rc = rs_fail_errno(err, RS_ETARGET, errno, "%s", sum_path);
		confine_unlink(path);
	}
	free(m.p);
	return rc;
}
