/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rescue/scan/rules.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yara.h>

#include "rescue/base/confine.h"
#include "rescue/base/datapath.h"
#include "rescue/base/json.h"
#include "rescue/scan/yarc.h"

struct hash_entry {
	uint8_t sha[32];
	uint64_t size;              /* the optional third column; UINT64_MAX when absent */
	char *name;
};

struct rs_rules {
	YR_RULES *builtin, *extra;
	char source[PATH_MAX];
	size_t nrules;
	struct hash_entry *hashes;
	size_t nhashes, hashcap;
	uint64_t *sizes;            /* sorted sizes of the list, when every entry has one */
	size_t nsizes;
	bool unsized;               /* some entry has no size: every file must be hashed */
	char **warnings;
	size_t nwarnings;
	bool yr_init;
};

static void warn(struct rs_rules *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct rs_rules *r, const char *fmt, ...)
{
	char **nw = realloc(r->warnings, (r->nwarnings + 1) * sizeof(*nw));
	if (!nw)
		return;
	r->warnings = nw;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&r->warnings[r->nwarnings], fmt, ap) >= 0)
		r->nwarnings++;
	va_end(ap);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_hash(const void *a, const void *b)
{
	return memcmp(((const struct hash_entry *)a)->sha, ((const struct hash_entry *)b)->sha, 32);
}

/* PATH, a rule or hash file from the RESCUE stick or the technician, open
 * for reading: a regular file only (a FIFO there must not hang the run),
 * no link followed below a confined root (rescue/base/confine.h). */
static FILE *open_rules_file(const char *path)
{
	int fd = confine_open(path, O_RDONLY, 0);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f && fd >= 0) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

/* Add the "sha256 name" lines of PATH.  A bad line is a warning naming it;
 * the rest of the file still counts. */
static int load_hashes(struct rs_rules *r, const char *path)
{
	FILE *f = open_rules_file(path);
	if (!f)
		return -1;
	char line[1024];
	int lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char *p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
			continue;
		char hex[65] = "", name[256] = "";
		unsigned long long size = UINT64_MAX;
		uint8_t *sha = NULL;
		size_t shalen = 0;
		int nf = sscanf(p, "%64s %255s %llu", hex, name, &size);
		bool good = nf >= 2 && strlen(hex) == 64 && json_hex_decode(hex, &sha, &shalen) == 0 && shalen == 32;
		if (!good) {
			free(sha);
			warn(r, "%s:%d: not \"sha256 name\", line ignored", path, lineno);
			continue;
		}
		if (r->nhashes == r->hashcap) {
			size_t cap = r->hashcap ? r->hashcap * 2 : 64;
			struct hash_entry *nh = realloc(r->hashes, cap * sizeof(*nh));
			if (!nh) {
				free(sha);
				break;
			}
			r->hashes = nh;
			r->hashcap = cap;
		}
		memcpy(r->hashes[r->nhashes].sha, sha, 32);
		r->hashes[r->nhashes].size = nf == 3 ? size : UINT64_MAX;
		if (nf != 3)
			r->unsized = true;
		free(sha);
		r->hashes[r->nhashes].name = strdup(name);
		if (r->hashes[r->nhashes].name)
			r->nhashes++;
	}
	fclose(f);
	return 0;
}

static int define_externals(YR_COMPILER *c)
{
	if (yr_compiler_define_string_variable(c, RS_RULES_EXT_FILEPATH, "") != ERROR_SUCCESS ||
	    yr_compiler_define_string_variable(c, RS_RULES_EXT_FILENAME, "") != ERROR_SUCCESS)
		return -1;
	return 0;
}

struct compile_msgs {
	char text[512];
};

static void compiler_cb(int level, const char *file, int line, const YR_RULE *rule, const char *msg,
			void *user)
{
	(void)rule;
	struct compile_msgs *m = user;
	if (level == YARA_ERROR_LEVEL_ERROR && !m->text[0])
		snprintf(m->text, sizeof(m->text), "%s:%d: %s", file ? file : "?", line, msg);
}

/* Compile FILE alone first: a file with an error is reported and left out,
 * so that it cannot spoil the set the good ones make together. */
static bool extra_compiles(struct rs_rules *r, const char *path)
{
	YR_COMPILER *c;
	if (yr_compiler_create(&c) != ERROR_SUCCESS)
		return false;
	struct compile_msgs m = { "" };
	yr_compiler_set_callback(c, compiler_cb, &m);
	bool ok = false;
	FILE *f = open_rules_file(path);
	if (!f)
		warn(r, "%s: %s: rule file skipped", path, confine_strerror(errno));
	else if (define_externals(c) != 0)
		warn(r, "%s: cannot define externals: rule file skipped", path);
	else if (yr_compiler_add_file(c, f, NULL, path) != 0)
		warn(r, "%s: rule file skipped", m.text[0] ? m.text : path);
	else
		ok = true;
	if (f)
		fclose(f);
	yr_compiler_destroy(c);
	return ok;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && strcasecmp(s + n - k, suf) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The extra rule files: EXTRA itself, or the *.yar / *.yara / *.sha256 files
 * directly inside it, sorted so that namespaces and warnings are stable. */
static int list_extra(const char *extra, char ***out, size_t *n, struct rs_error *err)
{
	struct stat st;
	*out = NULL;
	*n = 0;
	if (stat(extra, &st) != 0)
		return rs_fail_errno(err, RS_EUSAGE, errno, "--rules %s", extra);
	if (!S_ISDIR(st.st_mode)) {
		*out = malloc(sizeof(char *));
		if (!*out || !((*out)[0] = strdup(extra)))
			return rs_fail(err, RS_EPARTIAL, "out of memory");
		*n = 1;
		return RS_OK;
	}
	DIR *d = confine_opendir(extra);
	if (!d)
		return rs_fail_errno(err, RS_EUSAGE, errno, "--rules %s", extra);
	struct dirent *e;
	size_t cap = 0;
	while ((e = readdir(d)) != NULL) {
		if (!has_suffix(e->d_name, ".yar") && !has_suffix(e->d_name, ".yara") &&
		    !has_suffix(e->d_name, ".sha256"))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nv = realloc(*out, cap * sizeof(char *));
			if (!nv)
				break;
			*out = nv;
		}
		if (asprintf(&(*out)[*n], "%s/%s", extra, e->d_name) >= 0)
			(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(*out, *n, sizeof(char *), cmp_str);
	return RS_OK;
}

static int load_extra(struct rs_rules *r, const char *extra, struct rs_error *err)
{
	char **files;
	size_t n;
	int rc = list_extra(extra, &files, &n, err);
	if (rc)
		return rc;
	YR_COMPILER *c = NULL;
	size_t added = 0;
	for (size_t i = 0; i < n; i++) {
		if (has_suffix(files[i], ".sha256")) {
			if (load_hashes(r, files[i]) != 0)
				warn(r, "%s: %s: hash list skipped", files[i], confine_strerror(errno));
			continue;
		}
		if (!extra_compiles(r, files[i]))
			continue;
		if (!c && (yr_compiler_create(&c) != ERROR_SUCCESS || define_externals(c) != 0)) {
			warn(r, "%s: cannot create a YARA compiler: extra rules skipped", extra);
			break;
		}
		FILE *f = open_rules_file(files[i]);
		if (!f)
			continue;
		/* Each file in its own namespace: two files may use one rule name. */
		const char *base = strrchr(files[i], '/');
		int errors = yr_compiler_add_file(c, f, base ? base + 1 : files[i], files[i]);
		fclose(f);
		if (errors) {
			/* It compiled alone, so it clashes with an earlier file;
			 * a compiler is unusable after an error: stop here. */
			warn(r, "%s: does not compile together with the files before it: it and the remaining extra rule files are skipped",
			     files[i]);
			break;
		}
		added++;
	}
	if (c && added && yr_compiler_get_rules(c, &r->extra) != ERROR_SUCCESS)
		warn(r, "%s: extra rules could not be finished: skipped", extra);
	if (c)
		yr_compiler_destroy(c);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return RS_OK;
}

static size_t count_rules(YR_RULES *rules)
{
	size_t n = 0;
	YR_RULE *rule;
	if (rules)
		yr_rules_foreach(rules, rule)
			n++;
	return n;
}

int rs_rules_load(const char *compiled, const char *extra, struct rs_rules **out,
		  struct rs_error *err)
{
	struct rs_rules *r = calloc(1, sizeof(*r));
	if (!r)
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	int rc = RS_OK;
	if (yr_initialize() != ERROR_SUCCESS) {
		free(r);
		return rs_fail(err, RS_ETARGET, "cannot initialise libyara");
	}
	r->yr_init = true;

	if (compiled)
		snprintf(r->source, sizeof(r->source), "%s", compiled);
	else if (rs_data_path(RS_DATA_RULES, r->source, sizeof(r->source)) != 0) {
		rc = rs_fail(err, RS_ETARGET,
			     "no compiled rules: set RESCUE_RULES, or install rules/compiled.yarc beside the binary or /usr/share/rescue/rules/compiled.yarc");
		goto fail;
	}
	/* in a child first: a damaged file is an error, not an abort (rescue/scan/yarc.h) */
	rc = yarc_load(r->source, &r->builtin, err);
	if (rc)
		goto fail;
	r->nrules = count_rules(r->builtin);

	char hashes[PATH_MAX];
	if (rs_data_path(RS_DATA_HASHES, hashes, sizeof(hashes)) == 0 && load_hashes(r, hashes) != 0)
		warn(r, "%s: %s: hash list not loaded", hashes, confine_strerror(errno));

	if (extra) {
		rc = load_extra(r, extra, err);
		if (rc)
			goto fail;
		r->nrules += count_rules(r->extra);
	}
	if (r->nhashes > 1)
		qsort(r->hashes, r->nhashes, sizeof(*r->hashes), cmp_hash);
	if (!r->unsized && r->nhashes && (r->sizes = malloc(r->nhashes * sizeof(*r->sizes)))) {
		for (size_t i = 0; i < r->nhashes; i++)
			r->sizes[i] = r->hashes[i].size;
		r->nsizes = r->nhashes;
		qsort(r->sizes, r->nsizes, sizeof(*r->sizes), cmp_u64);
	} else if (r->nhashes) {
		r->unsized = true;
	}
	*out = r;
	return RS_OK;
fail:
	rs_rules_free(r);
	return rc;
}

void rs_rules_free(struct rs_rules *r)
{
	if (!r)
		return;
	if (r->builtin)
		yr_rules_destroy(r->builtin);
	if (r->extra)
		yr_rules_destroy(r->extra);
	for (size_t i = 0; i < r->nhashes; i++)
		free(r->hashes[i].name);
	free(r->hashes);
	free(r->sizes);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	if (r->yr_init)
		yr_finalize();
	free(r);
}

size_t rs_rules_nwarnings(const struct rs_rules *r) { return r->nwarnings; }
const char *rs_rules_warning(const struct rs_rules *r, size_t i) { return i < r->nwarnings ? r->warnings[i] : NULL; }
const char *rs_rules_source(const struct rs_rules *r) { return r->source; }
size_t rs_rules_count(const struct rs_rules *r) { return r->nrules; }
size_t rs_rules_nhashes(const struct rs_rules *r) { return r->nhashes; }
struct YR_RULES *rs_rules_builtin(const struct rs_rules *r) { return r->builtin; }
struct YR_RULES *rs_rules_extra(const struct rs_rules *r) { return r->extra; }

bool rs_rules_hash_wanted(const struct rs_rules *r, uint64_t size)
{
	if (r->unsized)
		return true;
	return r->nsizes && bsearch(&size, r->sizes, r->nsizes, sizeof(*r->sizes), cmp_u64) != NULL;
}

const char *rs_rules_hash_lookup(const struct rs_rules *r, const uint8_t sha256[32])
{
	if (r->nhashes == 0)
		return NULL;
	struct hash_entry key;
	memcpy(key.sha, sha256, 32);
	const struct hash_entry *h = bsearch(&key, r->hashes, r->nhashes, sizeof(*r->hashes), cmp_hash);
	return h ? h->name : NULL;
}
