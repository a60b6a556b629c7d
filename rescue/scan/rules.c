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
#include <time.h>
#include <unistd.h>
#include <yara.h>

#include "rescue/base/confine.h"
#include "rescue/base/datapath.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/grow.h"
#include "rescue/base/json.h"
#include "rescue/scan/externals.h"
#include "rescue/scan/ioc.h"
#include "rescue/scan/rulecache.h"
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
	struct rs_ioc *ioc;             /* LOKI's IOC lists below --rules (rescue/scan/ioc.h) */
	struct rs_rules_file *files;    /* below --rules, sorted by path */
	size_t nfiles;
	double compile_secs;
	char key[65];                   /* the extra set's key (rescue/scan/rulecache.h), "" = none */
	const char *cache_dir;          /* NULL = no cache; borrowed during load() only */
	char *cache_note;               /* what the cache did, NULL = no cache */
	bool uncacheable;               /* a file includes another: the key does not cover it */
	char *builtin_text;             /* the built-in set's sources, when found beside it (builtin_source) */
	char builtin_hex[65];           /* their SHA-256 */
	bool merged;                    /* the extra set holds the built-in rules too: one scan per file */
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
		struct hash_entry *nh = grow_room(r->hashes, &r->hashcap, r->nhashes, sizeof(*nh), 64);
		if (!nh) {
			free(sha);
			break;
		}
		r->hashes = nh;
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
	for (int i = 0; i < RS_EXT_N; i++)
		if (yr_compiler_define_string_variable(c, rs_ext_name(i), "") != ERROR_SUCCESS)
			return -1;
	return 0;
}

/* A rule file's size limit: signature-base's largest is under 2 MB; a bigger
 * one on the stick is the worm's, or a mistake, and would only cost time. */
#define RULE_FILE_MAX (16u << 20)

/* The built-in rules' sources beside compiled.yarc (the Makefile), and
 * their namespace in a set joined with the extra one: libyara's own. */
#define BUILTIN_SRC "builtin.yar"
#define BUILTIN_NS "default"
/* Folders below --rules DIR followed, and files taken from it. */
#define RULE_DEPTH_MAX 8
#define RULE_FILES_MAX 10000

static double now_secs(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char *vstrdup(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *vstrdup(const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static void file_note(struct rs_rules_file *f, const char *text)
{
	char **nv = realloc(f->notes, (f->nnotes + 1) * sizeof(*nv));
	if (!nv)
		return;
	f->notes = nv;
	if ((nv[f->nnotes] = strdup(text)) != NULL)
		f->nnotes++;
}

/* What one compilation of one file says: its first error, its warnings
 * (libyara warns of rules that slow every scan down). */
struct compile_msgs {
	char text[512];
	struct rs_rules_file *file;   /* NULL: warnings are not kept */
};

static void compiler_cb(int level, const char *file, int line, const YR_RULE *rule, const char *msg,
			void *user)
{
	(void)rule;
	struct compile_msgs *m = user;
	char text[640];
	snprintf(text, sizeof(text), "%s:%d: %s", file ? file : "?", line, msg);
	if (level == YARA_ERROR_LEVEL_ERROR && !m->text[0])
		snprintf(m->text, sizeof(m->text), "%s", text);
	else if (level == YARA_ERROR_LEVEL_WARNING && m->file)
		file_note(m->file, text);
}

/* The contents of FILE (below the rule folder), NUL-terminated, or NULL with
 * errno set (EFBIG: over RULE_FILE_MAX). */
static char *read_rule_text(const char *path, size_t *len)
{
	int fd = confine_open(path, O_RDONLY, 0);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *buf = NULL;
	int e = 0;
	if (fstat(fd, &st) != 0)
		e = errno;
	else if ((uint64_t)st.st_size > RULE_FILE_MAX)
		e = EFBIG;
	else if (!(buf = malloc((size_t)st.st_size + 1)))
		e = ENOMEM;
	size_t n = 0;
	while (!e && n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			e = r < 0 ? errno : EIO;
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	if (e) {
		free(buf);
		errno = e;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* An include is read only from inside the rule folder: a relative name
 * with no ".." component, resolved against the including file's folder.
 * Anything else is refused (libyara then fails the file, which is skipped
 * with the reason): a worm's rule file must not read /etc/shadow into an
 * error message, nor a FIFO hang the run. */
struct include_ctx {
	const char *top;              /* the rule folder */
	char why[300];
};

static bool include_allowed(const char *name)
{
	if (!*name || name[0] == '/' || name[0] == '\\' || strchr(name, ':'))
		return false;
	const char *p = name;
	while (*p) {
		size_t n = strcspn(p, "/\\");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += n;
		p += strspn(p, "/\\");
	}
	return true;
}

static const char *include_cb(const char *name, const char *calling_file, const char *ns, void *user)
{
	(void)ns;
	struct include_ctx *ic = user;
	if (!include_allowed(name)) {
		snprintf(ic->why, sizeof(ic->why), "include \"%s\" refused: includes must stay inside the rule folder",
			 name);
		return NULL;
	}
	char *dir = strdup(calling_file ? calling_file : ic->top);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (slash && calling_file)
		*slash = '\0';
	char *path = dir ? vstrdup("%s/%s", dir, name) : NULL;
	free(dir);
	char *text = path ? read_rule_text(path, NULL) : NULL;
	if (!text)
		snprintf(ic->why, sizeof(ic->why), "include \"%s\": %s", name, confine_strerror(errno));
	free(path);
	return text;
}

static void include_free(const char *text, void *user)
{
	(void)user;
	free((void *)text);
}

/* Add TEXT, read from PATH, to C in namespace NS: through a FILE so that
 * messages and includes know which file they are in.  The number of errors. */
static int add_text(YR_COMPILER *c, char *text, const char *ns, const char *path)
{
	FILE *f = fmemopen(text, strlen(text), "r");
	if (!f)
		return 1;
	int errors = yr_compiler_add_file(c, f, ns, path);
	fclose(f);
	return errors;
}

/* A compiler with the externals and the include rule, reporting to M. */
static YR_COMPILER *new_compiler(struct compile_msgs *m, struct include_ctx *ic)
{
	YR_COMPILER *c;
	if (yr_compiler_create(&c) != ERROR_SUCCESS)
		return NULL;
	yr_compiler_set_callback(c, compiler_cb, m);
	yr_compiler_set_include_callback(c, include_cb, include_free, ic);
	if (define_externals(c) != 0) {
		yr_compiler_destroy(c);
		return NULL;
	}
	return c;
}

/* Compile F alone first: a file with an error is reported and left out, so
 * that it cannot spoil the set the good ones make together.  Its compile
 * time and libyara's warnings are kept for `rules check`. */
static bool extra_compiles(struct rs_rules *r, struct rs_rules_file *f, const char *top)
{
	struct compile_msgs m = { "", f };
	struct include_ctx ic = { top, "" };
	YR_COMPILER *c = new_compiler(&m, &ic);
	if (!c) {
		f->why = strdup("cannot create a YARA compiler");
		goto out;
	}
	double t0 = now_secs();
	char *text = read_rule_text(f->path, NULL);
	if (!text)
		f->why = vstrdup("%s", confine_strerror(errno == EFBIG ? EFBIG : errno));
	else if (add_text(c, text, NULL, f->path) != 0)
		f->why = vstrdup("%s%s%s", m.text[0] ? m.text : "does not compile", ic.why[0] ? ": " : "", ic.why);
	f->secs = now_secs() - t0;
	free(text);
	yr_compiler_destroy(c);
out:
	if (f->why)
		warn(r, "%s: %s: rule file skipped", f->path, f->why);
	return !f->why;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && strcasecmp(s + n - k, suf) == 0;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct rs_rules_file *)a)->path, ((const struct rs_rules_file *)b)->path);
}

static enum rs_rules_kind kind_of(const char *name)
{
	if (has_suffix(name, ".yar") || has_suffix(name, ".yara"))
		return RS_RULES_YARA;
	if (has_suffix(name, ".sha256"))
		return RS_RULES_SHA256;
	static const enum rs_rules_kind of_ioc[] = {
		[RS_IOC_NONE] = RS_RULES_NONE, [RS_IOC_HASH] = RS_RULES_IOC_HASH,
		[RS_IOC_FILENAME] = RS_RULES_IOC_FILENAME, [RS_IOC_C2] = RS_RULES_IOC_C2,
	};
	return of_ioc[rs_ioc_kind_of(name)];
}

static void add_file(struct rs_rules *r, const char *path, const char *top, enum rs_rules_kind kind)
{
	if (r->nfiles == RULE_FILES_MAX)
		return;
	struct rs_rules_file *nv = realloc(r->files, (r->nfiles + 1) * sizeof(*nv));
	if (!nv)
		return;
	r->files = nv;
	struct rs_rules_file *f = &nv[r->nfiles];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->path = strdup(path);
	size_t tl = strlen(top);
	/* The namespace: the path below the rule folder ("yara/apt_x.yar"). */
	f->ns = strdup(strncmp(path, top, tl) == 0 && path[tl] == '/' ? path + tl + 1 : path);
	if (f->path && f->ns)
		r->nfiles++;
	else {
		free(f->path);
		free(f->ns);
	}
}

/* The rule files below DIR, DEPTH folders down: links are not followed
 * (confine_opendir, lstat), hidden folders (".git") not entered. */
static void list_dir(struct rs_rules *r, const char *dir, const char *top, int depth)
{
	DIR *d = confine_opendir(dir);
	if (!d) {
		warn(r, "%s: %s: folder skipped", dir, confine_strerror(errno));
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *path = vstrdup("%s/%s", dir, e->d_name);
		struct stat st;
		if (!path)
			break;
		if (confine_lstat(path, &st) != 0) {
			warn(r, "%s: %s: not read", path, confine_strerror(errno));
		} else if (S_ISLNK(st.st_mode)) {
			if (kind_of(path) != RS_RULES_NONE)
				warn(r, "%s: a link: not followed, not read", path);
		} else if (S_ISDIR(st.st_mode)) {
			if (depth < RULE_DEPTH_MAX)
				list_dir(r, path, top, depth + 1);
			else
				warn(r, "%s: more than %d folders deep: not read", path, RULE_DEPTH_MAX);
		} else if (S_ISREG(st.st_mode)) {
			enum rs_rules_kind k = kind_of(path);
			if (k != RS_RULES_NONE)
				add_file(r, path, top, k);
		} else if (kind_of(path) != RS_RULES_NONE) {
			/* a FIFO would block the read: named, never opened */
			warn(r, "%s is %s, not a file: not read: rule file skipped", path,
			     S_ISFIFO(st.st_mode) ? "a FIFO" : "a special file");
		}
		free(path);
	}
	closedir(d);
}

/* The extra rule files: EXTRA itself, or the rule, hash and IOC files below
 * it, sorted so that namespaces and warnings are stable. */
static int list_extra(struct rs_rules *r, const char *extra, struct rs_error *err)
{
	struct stat st;
	if (stat(extra, &st) != 0)
		return rs_fail_errno(err, RS_EUSAGE, errno, "--rules %s", extra);
	if (!S_ISDIR(st.st_mode)) {
		enum rs_rules_kind k = kind_of(extra);
		const char *slash = strrchr(extra, '/');
		char *top = slash ? strndup(extra, (size_t)(slash - extra)) : strdup(".");
		if (top)
			add_file(r, extra, top, k == RS_RULES_NONE ? RS_RULES_YARA : k);
		free(top);
	} else {
		list_dir(r, extra, extra, 0);
	}
	if (r->nfiles > 1)
		qsort(r->files, r->nfiles, sizeof(*r->files), cmp_file);
	return RS_OK;
}

struct count_stream {
	size_t n;
};

static size_t count_write(const void *p, size_t size, size_t count, void *user)
{
	(void)p;
	((struct count_stream *)user)->n += size * count;
	return count;
}

/* The compiled set's size, as libyara writes it out: what it takes in memory,
 * near enough (the arena is saved as it is held). */
static size_t rules_bytes(YR_RULES *rules)
{
	struct count_stream cs = { 0 };
	YR_STREAM st = { .user_data = &cs, .write = count_write };
	return rules && yr_rules_save_stream(rules, &st) == ERROR_SUCCESS ? cs.n : 0;
}

static void ioc_warn(void *user, const char *msg)
{
	struct rs_rules_file *f = user;
	f->nbad++;
	file_note(f, msg);
}

/* An IOC list: its malformed lines are notes of the file (and warnings). */
static void load_ioc(struct rs_rules *r, struct rs_rules_file *f)
{
	static const enum rs_ioc_kind kinds[] = {
		[RS_RULES_IOC_HASH] = RS_IOC_HASH, [RS_RULES_IOC_FILENAME] = RS_IOC_FILENAME,
		[RS_RULES_IOC_C2] = RS_IOC_C2,
	};
	double t0 = now_secs();
	if (!r->ioc && !(r->ioc = rs_ioc_new())) {
		f->why = strdup("out of memory");
		return;
	}
	long n = rs_ioc_load(r->ioc, kinds[f->kind], f->path, f->ns, ioc_warn, f);
	f->secs = now_secs() - t0;
	if (n < 0) {
		f->why = vstrdup("%s", confine_strerror(errno));
		warn(r, "%s: %s: IOC list skipped", f->path, f->why);
		return;
	}
	f->nrules = (size_t)n;
	if (f->nbad)
		warn(r, "%s: %zu malformed lines skipped (`rules check` lists them; the first: %s)", f->path, f->nbad,
		     f->notes[0]);
}

/* Whether TEXT has an `include "..."` line: the included file is not part
 * of the key, so such a set is never cached. */
/* The compiler of the extra set.  The built-in rules' sources go in first,
 * in their own namespace, when they were found (builtin_source): libyara's
 * work per file (reading it, the modules, every rule's condition) is then
 * paid once, not once per set; with signature-base the built-in set alone
 * costs about 15% more.  Sources that do not compile leave the two sets
 * scanned one after the other, as without them. */
static YR_COMPILER *new_merging_compiler(struct rs_rules *r, struct compile_msgs *m, struct include_ctx *ic)
{
	YR_COMPILER *c = new_compiler(m, ic);
	if (!c || !r->builtin_text)
		return c;
	if (add_text(c, r->builtin_text, NULL, BUILTIN_SRC) == 0) {
		r->merged = true;
		return c;
	}
	warn(r, "%s: the built-in rules' sources do not compile (%s): the two rule sets are scanned one after the other",
	     BUILTIN_SRC, m->text);
	yr_compiler_destroy(c);
	free(r->builtin_text);
	r->builtin_text = NULL;
	m->text[0] = '\0';
	return new_compiler(m, ic);
}

static bool has_include(const char *text)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *q = p + strspn(p, " \t");
		if (strncmp(q, "include", 7) == 0 && (q[7] == ' ' || q[7] == '\t' || q[7] == '"'))
			return true;
	}
	return false;
}

/* The key of the YARA files listed (rescue/scan/rulecache.h): each one's
 * name and SHA-256, in the listing's order.  -1 when out of memory. */
static int set_key(struct rs_rules *r)
{
	char *manifest = NULL;
	size_t mlen = 0;
	FILE *mf = open_memstream(&manifest, &mlen);
	if (!mf)
		return -1;
	int rc = 0;
	if (r->builtin_text)
		fprintf(mf, "%s\t%s\n", BUILTIN_NS, r->builtin_hex);
	for (size_t i = 0; i < r->nfiles && rc == 0; i++) {
		if (r->files[i].kind != RS_RULES_YARA)
			continue;
		size_t len;
		char *text = read_rule_text(r->files[i].path, &len);
		char hex[65] = "-";     /* unreadable: skipped as such, in any set */
		if (text)
			sha256_hex(text, len, hex);
		if (text && has_include(text))
			r->uncacheable = true;
		free(text);
		fprintf(mf, "%s\t%s\n", r->files[i].ns, hex);
	}
	if (fclose(mf) != 0)
		rc = -1;
	if (rc == 0)
		rulecache_key(manifest, r->key);
	free(manifest);
	return rc;
}

/* The extra set from the cache of its key when there is a good one
 * (true), else false with a note saying why it will be compiled. */
static bool load_cached(struct rs_rules *r)
{
	const char **ns = calloc(r->nfiles + 1, sizeof(*ns));
	struct rs_error err = { 0 };
	char path[PATH_MAX] = "";
	if (!ns)
		return false;
	size_t nns = 0;
	for (size_t i = 0; i < r->nfiles; i++)
		ns[nns++] = r->files[i].ns;
	if (r->builtin_text)
		ns[nns++] = BUILTIN_NS;
	rulecache_path(r->cache_dir, r->key, path, sizeof(path));
	enum rulecache_state st = rulecache_load(r->cache_dir, r->key, ns, nns, &r->extra, &err);
	free(ns);
	/* the key covers the built-in sources: a hit holds them */
	r->merged = st == RULECACHE_HIT && r->builtin_text;
	if (st == RULECACHE_HIT)
		r->cache_note = vstrdup("rule set %s loaded from the cache %s", r->key, path);
	else if (st == RULECACHE_BAD)
		r->cache_note = vstrdup("rule cache not used (%s): recompiled", err.msg);
	return st == RULECACHE_HIT;
}

/* After compiling: keep the set for the next machine, or say why not. */
static void save_cached(struct rs_rules *r)
{
	struct rs_error err = { 0 };
	char path[PATH_MAX] = "";
	rulecache_path(r->cache_dir, r->key, path, sizeof(path));
	char *before = r->cache_note;
	if (rulecache_save(r->cache_dir, r->key, r->extra, &err) == RS_OK)
		r->cache_note = vstrdup("%s%srule set %s compiled and cached in %s", before ? before : "",
					before ? "; " : "", r->key, path);
	else
		r->cache_note = vstrdup("%s%srule set %s compiled in memory: the cache cannot be written (%s)",
					before ? before : "", before ? "; " : "", r->key, err.msg);
	free(before);
}

static int load_extra(struct rs_rules *r, const char *extra, bool iocs_only, struct rs_error *err)
{
	int rc = list_extra(r, extra, err);
	if (rc)
		return rc;
	bool cached = false;
	if (!iocs_only && set_key(r) != 0) {
		r->key[0] = '\0';
		warn(r, "%s: out of memory: the rule set has no key, not cached", extra);
	} else if (!iocs_only && r->cache_dir && r->uncacheable) {
		r->cache_note = vstrdup("rule set %s compiled in memory, not cached: a rule file includes another", r->key);
	} else if (!iocs_only && r->cache_dir) {
		cached = load_cached(r);
	}
	struct compile_msgs m = { "", NULL };
	struct include_ctx ic = { extra, "" };
	YR_COMPILER *c = NULL;
	size_t added = 0;
	double t0 = now_secs();
	for (size_t i = 0; i < r->nfiles; i++) {
		struct rs_rules_file *f = &r->files[i];
		bool ioc = f->kind == RS_RULES_IOC_HASH || f->kind == RS_RULES_IOC_FILENAME || f->kind == RS_RULES_IOC_C2;
		if (iocs_only && !ioc)
			continue;
		if (f->kind == RS_RULES_SHA256) {
			if (load_hashes(r, f->path) != 0) {
				f->why = vstrdup("%s", confine_strerror(errno));
				warn(r, "%s: %s: hash list skipped", f->path, f->why);
			}
			continue;
		}
		if (ioc) {
			load_ioc(r, f);
			continue;
		}
		if (cached || !extra_compiles(r, f, extra))
			continue;
		if (!c && !(c = new_merging_compiler(r, &m, &ic))) {
			warn(r, "%s: cannot create a YARA compiler: extra rules skipped", extra);
			break;
		}
		char *text = read_rule_text(f->path, NULL);
		if (!text)
			continue;
		/* Each file in its own namespace: two files may use one rule name. */
		int errors = add_text(c, text, f->ns, f->path);
		free(text);
		if (errors) {
			/* It compiled alone, so it clashes with an earlier file;
			 * a compiler is unusable after an error: stop here. */
			f->why = vstrdup("does not compile together with the files before it (%s)", m.text);
			warn(r, "%s: %s: it and the remaining extra rule files are skipped", f->path, f->why);
			break;
		}
		added++;
	}
	if (c && added && yr_compiler_get_rules(c, &r->extra) != ERROR_SUCCESS) {
		warn(r, "%s: extra rules could not be finished: skipped", extra);
		r->merged = false;
	}
	if (!r->extra)
		r->merged = false;
	if (c)
		yr_compiler_destroy(c);
	if (!cached && r->extra && r->key[0] && r->cache_dir && !r->uncacheable)
		save_cached(r);
	r->compile_secs = now_secs() - t0;
	rs_ioc_seal(r->ioc);
	YR_RULE *rule;
	if (r->extra)
		yr_rules_foreach(r->extra, rule) {
			for (size_t i = 0; i < r->nfiles; i++)
				if (strcmp(r->files[i].ns, rule->ns->name) == 0) {
					r->files[i].nrules++;
					break;
				}
		}
	return RS_OK;
}

void rs_rules_add_warning(struct rs_rules *r, const char *msg)
{
	warn(r, "%s", msg);
}

int rs_rules_add_iocs(struct rs_rules *r, const char *dir)
{
	size_t first = r->nfiles;
	list_dir(r, dir, dir, 0);
	for (size_t i = first; i < r->nfiles; i++)
		if (r->files[i].kind == RS_RULES_IOC_HASH)
			load_ioc(r, &r->files[i]);
		else if (!r->files[i].why)
			r->files[i].why = strdup("not a hash list: only hash IOC lists are read here");
	rs_ioc_seal(r->ioc);
	return (int)(r->nfiles - first);
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

/* What load() reads. */
enum { LOAD_BUILTIN = 1, LOAD_EXTRA = 2, LOAD_IOCS_ONLY = 4 };

static int load(const char *compiled, const char *extra, const char *cache_dir, unsigned what,
		struct rs_rules **out, struct rs_error *err);

int rs_rules_load(const char *compiled, const char *extra, struct rs_rules **out,
		  struct rs_error *err)
{
	return load(compiled, extra, NULL, LOAD_BUILTIN | LOAD_EXTRA, out, err);
}

int rs_rules_load_cached(const char *compiled, const char *extra, const char *cache_dir,
			 struct rs_rules **out, struct rs_error *err)
{
	return load(compiled, extra, cache_dir, LOAD_BUILTIN | LOAD_EXTRA, out, err);
}

int rs_rules_check(const char *dir, struct rs_rules **out, struct rs_error *err)
{
	return load(NULL, dir, NULL, LOAD_EXTRA, out, err);
}

bool rs_rules_is_c2(const char *extra)
{
	struct stat st;
	return (stat(extra, &st) == 0 && S_ISDIR(st.st_mode)) || rs_ioc_kind_of(extra) == RS_IOC_C2;
}

int rs_rules_c2_each(const char *extra, rs_c2_fn name, rs_c2_fn ip, void *user, struct rs_error *err)
{
	struct rs_rules *r;
	int rc = load(NULL, extra, NULL, LOAD_EXTRA | LOAD_IOCS_ONLY, &r, err);
	if (rc)
		return rc == RS_EUSAGE ? RS_ETARGET : rc;
	for (size_t i = 0; name && rc == RS_OK && i < rs_ioc_c2_nnames(r->ioc); i++)
		rc = name(user, rs_ioc_c2_name(r->ioc, i), err);
	for (size_t i = 0; ip && rc == RS_OK && i < rs_ioc_c2_nips(r->ioc); i++)
		rc = ip(user, rs_ioc_c2_ip(r->ioc, i), err);
	rs_rules_free(r);
	return rc;
}

/* Whether SUM, sha256sum's lines, has one for the digest HEX. */
static bool sum_lists(const char *sum, const char *hex)
{
	for (const char *p = sum; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, hex, 64) == 0 && p[64] == ' ')
			return true;
	return false;
}

/* The built-in set's sources: BUILTIN_SRC beside the compiled file R was
 * loaded from, kept when BUILTIN_SRC.sum (the build writes it with
 * sha256sum) lists the SHA-256 of that very compiled file and of the
 * sources, so that a set named by $RESCUE_RULES is never joined to sources
 * of another.  Without them the sets are scanned one after the other. */
static void builtin_source(struct rs_rules *r)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	snprintf(dir, sizeof(dir), "%s", r->source);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	size_t len;
	char *compiled = read_rule_text(r->source, &len);
	if (!compiled)
		return;
	char have[65];
	sha256_hex(compiled, len, have);
	free(compiled);
	snprintf(path, sizeof(path), "%s/%s%s", dir, BUILTIN_SRC, YARC_SUM_SUFFIX);
	char *sum = read_rule_text(path, NULL);
	if (sum && sum_lists(sum, have)) {
		snprintf(path, sizeof(path), "%s/%s", dir, BUILTIN_SRC);
		if ((r->builtin_text = read_rule_text(path, &len)))
			sha256_hex(r->builtin_text, len, r->builtin_hex);
		if (r->builtin_text && !sum_lists(sum, r->builtin_hex)) {
			free(r->builtin_text);
			r->builtin_text = NULL;
		}
	}
	free(sum);
}

static int load(const char *compiled, const char *extra, const char *cache_dir, unsigned what,
		struct rs_rules **out, struct rs_error *err)
{
	bool builtin = what & LOAD_BUILTIN;
	struct rs_rules *r = calloc(1, sizeof(*r));
	if (!r)
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	r->cache_dir = cache_dir;
	int rc = RS_OK;
	if (yr_initialize() != ERROR_SUCCESS) {
		free(r);
		return rs_fail(err, RS_ETARGET, "cannot initialise libyara");
	}
	r->yr_init = true;

	if (!builtin)
		snprintf(r->source, sizeof(r->source), "%s", extra);
	else if (compiled)
		snprintf(r->source, sizeof(r->source), "%s", compiled);
	else if (rs_data_path(RS_DATA_RULES, r->source, sizeof(r->source)) != 0) {
		rc = rs_fail(err, RS_ETARGET,
			     "no compiled rules: set RESCUE_RULES, or install rules/compiled.yarc beside the binary or /usr/share/rescue/rules/compiled.yarc");
		goto fail;
	}
	/* in a child first: a damaged file is an error, not an abort (rescue/scan/yarc.h) */
	rc = builtin ? yarc_load(r->source, &r->builtin, err) : RS_OK;
	if (rc)
		goto fail;
	r->nrules = count_rules(r->builtin);
	if (builtin && extra && !(what & LOAD_IOCS_ONLY))
		builtin_source(r);

	char hashes[PATH_MAX];
	if (builtin && rs_data_path(RS_DATA_HASHES, hashes, sizeof(hashes)) == 0 && load_hashes(r, hashes) != 0)
		warn(r, "%s: %s: hash list not loaded", hashes, confine_strerror(errno));

	if (extra) {
		rc = load_extra(r, extra, what & LOAD_IOCS_ONLY, err);
		if (rc)
			goto fail;
		r->nrules = r->merged ? count_rules(r->extra) : r->nrules + count_rules(r->extra);
	}
	free(r->builtin_text);          /* compiled in, or not to be */
	r->builtin_text = NULL;
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
	r->cache_dir = NULL;
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
	for (size_t i = 0; i < r->nfiles; i++) {
		free(r->files[i].path);
		free(r->files[i].ns);
		free(r->files[i].why);
		for (size_t k = 0; k < r->files[i].nnotes; k++)
			free(r->files[i].notes[k]);
		free(r->files[i].notes);
	}
	free(r->files);
	rs_ioc_free(r->ioc);
	free(r->warnings);
	free(r->cache_note);
	free(r->builtin_text);
	if (r->yr_init)
		yr_finalize();
	free(r);
}

size_t rs_rules_nwarnings(const struct rs_rules *r) { return r->nwarnings; }
const char *rs_rules_warning(const struct rs_rules *r, size_t i) { return i < r->nwarnings ? r->warnings[i] : NULL; }
const char *rs_rules_source(const struct rs_rules *r) { return r->source; }
size_t rs_rules_count(const struct rs_rules *r) { return r->nrules; }
size_t rs_rules_nhashes(const struct rs_rules *r) { return r->nhashes; }
size_t rs_rules_nfiles(const struct rs_rules *r) { return r->nfiles; }
const char *rs_rules_key(const struct rs_rules *r) { return r->key[0] ? r->key : NULL; }
const char *rs_rules_cache_note(const struct rs_rules *r) { return r->cache_note; }
const struct rs_ioc *rs_rules_ioc(const struct rs_rules *r) { return r->ioc; }
const struct rs_rules_file *rs_rules_file(const struct rs_rules *r, size_t i) { return i < r->nfiles ? &r->files[i] : NULL; }
double rs_rules_compile_secs(const struct rs_rules *r) { return r->compile_secs; }
size_t rs_rules_bytes(const struct rs_rules *r) { return rules_bytes(rs_rules_builtin(r)) + rules_bytes(r->extra); }
struct YR_RULES *rs_rules_builtin(const struct rs_rules *r) { return r->merged ? NULL : r->builtin; }
struct YR_RULES *rs_rules_extra(const struct rs_rules *r) { return r->extra; }
bool rs_rules_merged(const struct rs_rules *r) { return r->merged; }

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

void rs_rule_meta_of(const struct YR_RULE *rule, struct rs_rule_meta *out)
{
	memset(out, 0, sizeof(*out));
	out->score = -1;
	out->rule = rule->identifier;
	out->ns = rule->ns && rule->ns->name ? rule->ns->name : "default";
	const YR_META *meta;
	yr_rule_metas_foreach(rule, meta) {
		if (meta->type == META_TYPE_STRING && strcmp(meta->identifier, "description") == 0)
			out->description = meta->string;
		else if (meta->type == META_TYPE_STRING && strcmp(meta->identifier, "author") == 0)
			out->author = meta->string;
		else if (meta->type == META_TYPE_STRING && strcmp(meta->identifier, "reference") == 0)
			out->reference = meta->string;
		else if (strcmp(meta->identifier, "score") == 0)
			out->score = meta->type == META_TYPE_INTEGER ? meta->integer
				     : meta->type == META_TYPE_STRING ? strtoll(meta->string, NULL, 10) : -1;
	}
}

static int dup_field(const char **dst, const char *src)
{
	*dst = NULL;
	return src && !(*dst = strdup(src)) ? -1 : 0;
}

int rs_rule_meta_copy(struct rs_rule_meta *dst, const struct rs_rule_meta *src)
{
	dst->score = src->score;
	int bad = dup_field(&dst->ns, src->ns) | dup_field(&dst->rule, src->rule) |
		  dup_field(&dst->description, src->description) | dup_field(&dst->author, src->author) |
		  dup_field(&dst->reference, src->reference);
	if (bad)
		rs_rule_meta_free(dst);
	return bad ? -1 : 0;
}

void rs_rule_meta_free(struct rs_rule_meta *m)
{
	free((char *)m->ns);
	free((char *)m->rule);
	free((char *)m->description);
	free((char *)m->author);
	free((char *)m->reference);
	memset(m, 0, sizeof(*m));
}

void rs_rule_meta_line(const struct rs_rule_meta *m, char *out, size_t outlen)
{
	char score[32] = "";
	if (m->score >= 0)
		snprintf(score, sizeof(score), " score %lld", m->score);
	snprintf(out, outlen, "%s [%s]%s%s%.100s%s%s%s%s%s", m->rule, m->ns, score, m->description ? ": " : "",
		 m->description ? m->description : "", m->author ? " (" : "", m->author ? m->author : "",
		 m->author ? ")" : "", m->reference ? " " : "", m->reference ? m->reference : "");
}

void rs_rule_meta_json(FILE *f, const struct rs_rule_meta *v, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		json_put_member(f, i ? ",{" : "{", "rule", v[i].rule);
		json_put_member(f, ",", "namespace", v[i].ns);
		if (v[i].description)
			json_put_member(f, ",", "description", v[i].description);
		if (v[i].author)
			json_put_member(f, ",", "author", v[i].author);
		if (v[i].reference)
			json_put_member(f, ",", "reference", v[i].reference);
		if (v[i].score >= 0)
			fprintf(f, ",\"score\":%lld", v[i].score);
		fputc('}', f);
	}
	fputc(']', f);
}
