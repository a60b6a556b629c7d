/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rescue/scan/quarantine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "rescue/base/journal.h"
#include "rescue/base/confine.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/json.h"
#include "rescue/volume/ntfsread.h"
#include "rescue/volume/reparse.h"
#include "rescue/base/winpath.h"

/* ntfs-3g: the NTFS attribute word (read-only, hidden, system...), big-endian. */
#define NTFS_ATTRIB_XATTR "system.ntfs_attrib_be"

static const uint8_t key[] = RS_QUARANTINE_KEY;
#define KEYLEN (sizeof(key) - 1)

static void xor_buf(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] ^= key[i % KEYLEN];
}

/* ---- what is never quarantined ---- */

/* Folders Windows keeps registry hives in, volume-relative, as
 * winpath_glob patterns: '*' is any one name, "**" any folders below. */
static const char *const hive_dirs[] = {
	"Windows/System32/config",              /* the hives */
	"Windows/System32/config/**",           /* RegBack, systemprofile, TxR, Journal */
	"Windows/System32/SMI/Store/Machine",   /* SCHEMA.DAT */
	"Windows/AppCompat/Programs",           /* Amcache.hve */
	"Windows/Boot",                         /* BCD templates */
	"Windows/Boot/**",
	"Boot",                                 /* BCD of a BIOS system on one partition */
	"EFI/Microsoft/Boot",                   /* BCD of a UEFI system partition */
	"Users/*",                              /* NTUSER.DAT */
	"Users/*/AppData/Local/Microsoft/Windows",      /* UsrClass.dat */
	"Windows/ServiceProfiles/*",
	"Windows/ServiceProfiles/*/AppData/Local/Microsoft/Windows",
	"Documents and Settings/*",
	"Documents and Settings/*/Local Settings/Application Data/Microsoft/Windows",
};

/* The names Windows gives its hive files (any case). */
static const char *const hive_names[] = {
	"SYSTEM", "SOFTWARE", "SAM", "SECURITY", "DEFAULT", "COMPONENTS", "DRIVERS", "BBI", "ELAM",
	"userdiff", "BCD", "BCD-Template", "SCHEMA.DAT", "Amcache.hve", "NTUSER.DAT", "NTUSER.MAN",
	"UsrClass.dat",
};

/* How the transaction logs of a hive end: SYSTEM.LOG1, NTUSER.DAT{guid}.TM.blf,
 * TxR/{guid}.TxR.0.regtrans-ms. */
static const char *const hive_log_suffixes[] = { ".LOG", ".LOG1", ".LOG2", ".blf", ".regtrans-ms" };

static const struct rs_quarantine_refusal refuse_hive = {
	"registry hive", "Windows cannot start, nor rescue open the installation, without its registry",
};
static const struct rs_quarantine_refusal refuse_log = {
	"registry hive log", "a hive needs its transaction logs to be read consistently",
};
static const struct rs_quarantine_refusal refuse_rescue = {
	"rescue's own file", "Rescue/ holds the quarantine, backups and journal that undo works from",
};

#define REGF_MAGIC "regf"

static bool is_hive_name(const char *name)
{
	for (size_t i = 0; i < sizeof(hive_names) / sizeof(hive_names[0]); i++)
		if (strcasecmp(name, hive_names[i]) == 0)
			return true;
	return false;
}

/* A hive's transaction log: a log ending, after a hive's name followed by
 * '.' or '{', or after a '{' (the TxR and TM files of the config folder). */
static bool is_hive_log_name(const char *name)
{
	size_t n = strlen(name);
	bool log = false;
	for (size_t i = 0; i < sizeof(hive_log_suffixes) / sizeof(hive_log_suffixes[0]) && !log; i++) {
		size_t k = strlen(hive_log_suffixes[i]);
		log = n > k && strcasecmp(name + n - k, hive_log_suffixes[i]) == 0;
	}
	if (!log)
		return false;
	if (name[0] == '{')
		return true;
	for (size_t i = 0; i < sizeof(hive_names) / sizeof(hive_names[0]); i++) {
		size_t k = strlen(hive_names[i]);
		if (strncasecmp(name, hive_names[i], k) == 0 && (name[k] == '.' || name[k] == '{'))
			return true;
	}
	return false;
}

const struct rs_quarantine_refusal *rs_quarantine_refusal(const char *rel, const char *stream, const uint8_t *data,
							  size_t len)
{
	while (*rel == '/')
		rel++;
	size_t rl = strlen(RS_PATH_RESCUE);
	if (strncasecmp(rel, RS_PATH_RESCUE, rl) == 0 && (rel[rl] == '\0' || rel[rl] == '/'))
		return &refuse_rescue;
	const char *slash = strrchr(rel, '/');
	const char *name = slash ? slash + 1 : rel;
	size_t dirlen = slash ? (size_t)(slash - rel) : 0;
	/* A stream's bytes say nothing about the file holding it. */
	bool regf = !stream && data && len >= 4 && memcmp(data, REGF_MAGIC, 4) == 0;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%.*s", (int)dirlen, rel);
	bool in_hive_dir = false;
	for (size_t i = 0; i < sizeof(hive_dirs) / sizeof(hive_dirs[0]) && !in_hive_dir && dirlen; i++)
		in_hive_dir = winpath_glob(hive_dirs[i], dir, '/');
	if (in_hive_dir && is_hive_log_name(name))
		return &refuse_log;
	if (in_hive_dir && (is_hive_name(name) || regf))
		return &refuse_hive;
	if (regf && is_hive_name(name))
		return &refuse_hive;
	return NULL;
}

/* Rescue/quarantine as an existing path: made when MAKE, else found (ENOENT
 * when there is none: an empty quarantine). */
static int qdir(const struct rs_ctx *ctx, bool make, char *out, size_t outlen, struct rs_error *err)
{
	if (make)
		return rs_ctx_rescue_dir(ctx, RS_QUARANTINE_DIR, out, outlen, err);
	if (winpath_resolve(ctx->root, RS_PATH_RESCUE "/" RS_QUARANTINE_DIR, out, outlen) != 0)
		return errno == ENOENT ? -1 : rs_fail_errno(err, RS_ETARGET, errno, "%s/%s", RS_PATH_RESCUE,
							   RS_QUARANTINE_DIR);
	return RS_OK;
}

/* How ntfs-3g shows the streams of FILE: as the paths "FILE:NAME"
 * (streams_interface=windows: OUT is that path, true) or as the extended
 * attributes "user.NAME" (xattr: OUT is that name, false).  Without
 * streams_interface=windows "FILE:NAME" is no stream: ntfs-3g would make a
 * file of that name. */
static bool stream_as_path(char *out, size_t outlen, const char *file, const char *stream)
{
	if (confine_getxattr(file, RS_NTFS_STREAMS_LIST, NULL, 0) >= 0) {
		snprintf(out, outlen, "%s:%s", file, stream);
		return true;
	}
	snprintf(out, outlen, "user.%s", stream);
	return false;
}

/* The other names of a quarantined file (hard links: hit->names past the
 * first) that are still that file, found on the mount: removed with it,
 * and linked back by the restore. */
struct link_names {
	const char **rel;               /* borrowed from the hit */
	size_t n;
};

static int other_names(const struct rs_ctx *ctx, const struct rs_scan_hit *hit, const struct stat *now,
		       struct link_names *ln, struct rs_error *err)
{
	ln->rel = NULL;
	ln->n = 0;
	if (hit->stream || hit->nnames < 2 || !S_ISREG(now->st_mode))
		return RS_OK;
	if (!(ln->rel = calloc(hit->nnames, sizeof(*ln->rel))))
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	for (size_t i = 1; i < hit->nnames; i++) {
		char full[PATH_MAX];
		struct stat st;
		snprintf(full, sizeof(full), "%s/%s", ctx->root, hit->names[i]);
		/* Another file there since the scan: not this one's name. */
		if (confine_lstat(full, &st) == 0 && S_ISREG(st.st_mode) && st.st_dev == now->st_dev &&
		    st.st_ino == now->st_ino)
			ln->rel[ln->n++] = hit->names[i];
	}
	return RS_OK;
}

static int write_manifest(const char *path, const char *id, const struct rs_scan_hit *hit,
			  const struct rs_ctx *ctx, const char *attrs, const struct link_names *ln)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return -1;
	const struct stat *st = hit->st;
	time_t now = time(NULL);
	struct tm tm;
	char when[32];
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs("{\"id\":", f);
	json_put_str(f, id);
	fprintf(f, ",\"sha256\":\"%s\",\"path\":", hit->sha256);
	json_put_str(f, hit->path);
	fputs(",\"stream\":", f);
	json_put_str(f, hit->stream);
	/* Its other names (hard links), put back with it. */
	for (size_t i = 0; ln->n > 0 && i < ln->n; i++) {
		fputs(i ? "," : ",\"names\":[", f);
		json_put_str(f, ln->rel[i]);
	}
	if (ln->n > 0)
		fputc(']', f);
	fprintf(f, ",\"size\":%llu,\"mode\":%u,\"uid\":%u,\"gid\":%u,\"atime\":%lld,\"atime_ns\":%ld,"
		   "\"mtime\":%lld,\"mtime_ns\":%ld,\"attributes\":",
		(unsigned long long)hit->size, (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid,
		(unsigned)st->st_gid, (long long)st->st_atim.tv_sec, st->st_atim.tv_nsec,
		(long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	json_put_str(f, attrs);
	fputs(",\"rules\":", f);
	json_put_list(f, hit->rules, ',');
	fputs(",\"run\":", f);
	json_put_str(f, ctx->stamp);
	fprintf(f, ",\"quarantined\":\"%s\",\"xor_key\":", when);
	json_put_hex(f, key, KEYLEN);
	fputs("}\n", f);
	if (fclose(f) != 0) {
		free(text);
		return -1;
	}
	int rc = file_write_atomic(path, text, len);
	free(text);
	return rc;
}

/* HIT was read through libntfs-3g from a WOF-compressed file (rescue/volume/wof.h),
 * which the mount shows as a link it cannot read (NOW, the same MFT record
 * with the same time of last change): it is still the file scanned when it
 * decodes to the same bytes (SHA-256) again.  Its removal through the mount
 * then takes the compressed stream with it. */
static int wof_unchanged(const struct rs_ctx *ctx, const struct rs_scan_hit *hit, const struct stat *now,
			 struct rs_error *err)
{
	struct ntfsread *v;
	struct rs_error oerr = { 0 };
	if (ntfsread_open(ctx->root, &v, &oerr) != RS_OK)
		return rs_fail(err, RS_EPARTIAL, "%s: WOF-compressed, and cannot be read again to check it: %s",
			       hit->path, oerr.msg);
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0;
	struct stat st;
	/* The MFT record number without its sequence number: the record
	 * checked is the one the mount shows now. */
	int e = ntfsread_read(v, (uint64_t)now->st_ino, NULL, hit->size, &buf, &cap, &len, &st);
	char got[65] = "";
	if (!e)
		sha256_hex(buf, len, got);
	int rc = RS_OK;
	if (e)
		rc = rs_fail(err, RS_EPARTIAL, "%s: WOF-compressed, and cannot be read again to check it: %s", hit->path,
			     *ntfsread_why(v) ? ntfsread_why(v) : strerror(e));
	else if (!S_ISREG(st.st_mode) || len != hit->size || strcmp(got, hit->sha256) != 0)
		rc = rs_fail(err, RS_EPARTIAL, "%s: changed since it was scanned: left in place", hit->path);
	free(buf);
	ntfsread_close(v);
	return rc;
}

static int move_out(const struct rs_ctx *ctx, const struct rs_scan_hit *hit, const struct link_names *ln,
		    const char *myid, const char *bin, const char *man, struct rs_error *err);

/* rs_quarantine_add once the path of HIT opens on the mount. */
static int quarantine_move(const struct rs_ctx *ctx, const struct rs_scan_hit *hit, char *id, size_t idlen,
			   struct rs_error *err)
{
	char dir[PATH_MAX];
	int rc = qdir(ctx, true, dir, sizeof(dir), err);
	if (rc)
		return rc;

	/* The id: the SHA-256, then .1, .2... when those bytes are already here
	 * from another place. */
	char bin[PATH_MAX], man[PATH_MAX], myid[80];
	for (int n = 0;; n++) {
		if (n == 0)
			snprintf(myid, sizeof(myid), "%s", hit->sha256);
		else
			snprintf(myid, sizeof(myid), "%s.%d", hit->sha256, n);
		snprintf(bin, sizeof(bin), "%s/%s.bin", dir, myid);
		snprintf(man, sizeof(man), "%s/%s.json", dir, myid);
		/* Any entry takes the name, a link or a FIFO planted there too. */
		struct stat st;
		if (confine_lstat(man, &st) != 0 && confine_lstat(bin, &st) != 0)
			break;
		if (n > 10000)
			return rs_fail(err, RS_EPARTIAL, "too many quarantined copies of these bytes");
	}

	/* Still the file that was scanned? */
	struct stat now;
	if (confine_lstat(hit->fullpath, &now) != 0)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "cannot be found again");
	/* Read directly, a file the mount shows as a link: WOF-compressed.  Its
	 * size on the mount is the link's: its content is checked instead. */
	uint32_t tag = 0;
	bool wof = !hit->stream && S_ISLNK(now.st_mode) && S_ISREG(hit->st->st_mode) &&
		   reparse_tag_of_path(hit->fullpath, &tag) == 0 && tag == REPARSE_TAG_WOF;
	if (!wof && !S_ISREG(now.st_mode) && !S_ISDIR(now.st_mode))
		return rs_fail(err, RS_EPARTIAL, "no longer a regular file: left in place");
	if (now.st_ino != hit->st->st_ino || (!hit->stream && ((!wof && now.st_size != hit->st->st_size) ||
	    now.st_mtim.tv_sec != hit->st->st_mtim.tv_sec || now.st_mtim.tv_nsec != hit->st->st_mtim.tv_nsec)))
		return rs_fail(err, RS_EPARTIAL, RS_QUARANTINE_CHANGED);
	if (wof && (rc = wof_unchanged(ctx, hit, &now, err)) != RS_OK)
		return rc;

	struct link_names ln;
	if ((rc = other_names(ctx, hit, &now, &ln, err)) != RS_OK)
		return rc;
	rc = move_out(ctx, hit, &ln, myid, bin, man, err);
	if (rc == RS_OK)
		snprintf(id, idlen, "%s", myid);
	free(ln.rel);
	return rc;
}

/* quarantine_move once the file is known to be the one scanned: the copy
 * and its manifest (BIN, MAN), the journal, then the file's removal (every
 * name of it, LN the others). */
static int move_out(const struct rs_ctx *ctx, const struct rs_scan_hit *hit, const struct link_names *ln,
		    const char *myid, const char *bin, const char *man, struct rs_error *err)
{
	int rc;
	char attrs[16] = "", *attrp = NULL;
	uint8_t ab[4];
	if (!hit->stream && confine_getxattr(hit->fullpath, NTFS_ATTRIB_XATTR, ab, sizeof(ab)) == 4) {
		snprintf(attrs, sizeof(attrs), "%02x%02x%02x%02x", ab[0], ab[1], ab[2], ab[3]);
		attrp = attrs;
	}

	uint8_t *x = malloc(hit->size ? hit->size : 1);
	if (!x)
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	memcpy(x, hit->data, hit->size);
	xor_buf(x, hit->size);
	int wr = file_write_atomic(bin, x, hit->size);
	int e = errno;
	free(x);
	if (wr != 0)
		return rs_fail_errno(err, RS_EPARTIAL, e, "cannot write %s", bin);
	if (write_manifest(man, myid, hit, ctx, attrp, ln) != 0) {
		e = errno;
		confine_unlink(bin);
		return rs_fail_errno(err, RS_EPARTIAL, e, "cannot write %s", man);
	}

	/* The journal entry before the move, as for every change. */
	struct journal_entry je = { .kind = JOURNAL_QUARANTINE };
	snprintf(je.item, sizeof(je.item), "%s", RS_QUARANTINE_ITEM);
	snprintf(je.id, sizeof(je.id), "%s", myid);
	snprintf(je.path, sizeof(je.path), "%s", hit->path);
	snprintf(je.stream, sizeof(je.stream), "%s", hit->stream ? hit->stream : "");
	snprintf(je.old_sha256, sizeof(je.old_sha256), "%s", hit->sha256);
	if ((rc = journal_append(ctx, &je, err)) != RS_OK) {
		confine_unlink(bin);
		confine_unlink(man);
		return rc;
	}

	int rm;
	if (hit->stream) {
		char sp[PATH_MAX + 256];
		rm = stream_as_path(sp, sizeof(sp), hit->fullpath, hit->stream) ? confine_unlink(sp)
										   : confine_removexattr(hit->fullpath, sp);
	} else {
		rm = confine_unlink(hit->fullpath);
	}
	if (rm != 0) {
		e = errno;
		confine_unlink(bin);
		confine_unlink(man);
		return rs_fail_errno(err, RS_EPARTIAL, e, "cannot remove it");
	}
	for (size_t i = 0; i < ln->n; i++) {
		char full[PATH_MAX];
		snprintf(full, sizeof(full), "%s/%s", ctx->root, ln->rel[i]);
		if (confine_unlink(full) != 0)
			return rs_fail_errno(err, RS_EPARTIAL, errno, "quarantined as %s, but its other name %s could not be removed",
					     myid, ln->rel[i]);
	}
	return RS_OK;
}

/* How a refused hit is worded, in the error and in the action alike. */
#define REFUSAL_WORDS "%s matched a rule: inspect (%s)"

int rs_quarantine_add(const struct rs_ctx *ctx, const struct rs_scan_hit *hit, char *id, size_t idlen,
		      struct rs_error *err)
{
	const struct rs_quarantine_refusal *no = rs_quarantine_refusal(hit->path, hit->stream, hit->data, hit->size);
	if (no)
		return rs_fail(err, RS_DETECTED, REFUSAL_WORDS, no->kind, no->why);
	/* A file the direct read found in a OneDrive folder: the mount shows
	 * the folder as a broken link until its reparse point is set aside. */
	struct reparse_lift *lift;
	int rc = reparse_lift(ctx, hit->path, &lift, err);
	if (rc)
		return rc;
	rc = quarantine_move(ctx, hit, id, idlen, err);
	struct rs_error lerr;
	if (reparse_lift_end(lift, &lerr) != RS_OK && rc == RS_OK)
		rc = rs_fail(err, RS_EPARTIAL, "quarantined as %s, but %s", id, lerr.msg);
	return rc;
}

/* Open Rescue/quarantine for reading; *D stays NULL (and RS_OK) when there
 * is no quarantine yet. */
static int open_qdir(const struct rs_ctx *ctx, DIR **d, char *dir, size_t dirlen, struct rs_error *err)
{
	*d = NULL;
	int rc = qdir(ctx, false, dir, dirlen, err);
	if (rc < 0)
		return RS_OK;
	if (rc)
		return rc;
	if (!(*d = confine_opendir(dir)))
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", dir);
	return RS_OK;
}

/* The manifest at PATH into O; CODE and a one-line reason when it cannot be
 * read (a link or a FIFO planted in the quarantine: never followed, never
 * waited on) or is not a manifest. */
static int load_manifest(const char *path, struct json_object *o, int code, struct rs_error *err)
{
	uint8_t *text;
	size_t len;
	if (file_read_all(path, 1 << 20, &text, &len) != 0)
		return rs_fail_errno(err, code, errno, "cannot read the manifest %s", path);
	int bad = json_parse_flat((const char *)text, o);
	free(text);
	return bad ? rs_fail(err, code, "%s: damaged manifest", path) : RS_OK;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n > k && strcmp(s + n - k, suf) == 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct rs_quarantine_entry *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : strcmp(x->id, y->id);
}

int rs_quarantine_hit(const struct rs_ctx *ctx, struct rs_scan_hit *hit, char *id, size_t idlen)
{
	const struct rs_quarantine_refusal *no = rs_quarantine_refusal(hit->path, hit->stream, hit->data, hit->size);
	if (no) {
		hit->inspect = no->kind;
		snprintf(hit->action, sizeof(hit->action), "not quarantined: " REFUSAL_WORDS, no->kind, no->why);
		return RS_DETECTED;
	}
	struct rs_error err = { 0 };
	int rc = rs_quarantine_add(ctx, hit, id, idlen, &err);
	if (rc == RS_OK) {
		snprintf(hit->action, sizeof(hit->action), "quarantined as %s", id);
	} else {
		rs_quarantine_failed(hit, "%s", err.msg);
	}
	return rc;
}

void rs_quarantine_failed(struct rs_scan_hit *hit, const char *fmt, ...)
{
	char why[sizeof(hit->action)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(hit->action, sizeof(hit->action), "quarantine failed: %s", why);
}

void rs_quarantine_report_only(struct rs_scan_hit *hit)
{
	const struct rs_quarantine_refusal *no = rs_quarantine_refusal(hit->path, hit->stream, hit->data, hit->size);
	hit->inspect = no ? no->kind : NULL;
	if (no)
		snprintf(hit->action, sizeof(hit->action), "reported: " REFUSAL_WORDS, no->kind, no->why);
	else
		snprintf(hit->action, sizeof(hit->action), "reported");
}

/* Every name of NF (the manifest's "names", past Q's path) into Q->names;
 * out of memory, the names copied so far. */
static void copy_names(struct rs_quarantine_entry *q, const struct json_field *nf)
{
	if (!(q->names = calloc(nf->nitems + 1, sizeof(*q->names))))
		return;
	for (size_t i = 0; i < nf->nitems; i++) {
		const char *name = nf->items[i];   /* NULL: not a string (a forged manifest) */
		if (!name || strcmp(name, q->path) == 0)
			continue;
		if (!(q->names[q->nnames] = strdup(name)))
			return;
		q->nnames++;
	}
}

int rs_quarantine_list(const struct rs_ctx *ctx, struct rs_quarantine_entry **out, size_t *n,
		       struct rs_error *err)
{
	*out = NULL;
	*n = 0;
	char dir[PATH_MAX];
	DIR *d;
	int rc = open_qdir(ctx, &d, dir, sizeof(dir), err);
	if (rc || !d)
		return rc;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!has_suffix(de->d_name, ".json"))
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		struct json_object o;
		if (load_manifest(path, &o, RS_EPARTIAL, err) != RS_OK) {
			rc = RS_EPARTIAL;
			continue;
		}
		struct rs_quarantine_entry *nv = realloc(*out, (*n + 1) * sizeof(*nv));
		if (!nv) {
			json_object_free(&o);
			break;
		}
		*out = nv;
		struct rs_quarantine_entry *q = &(*out)[(*n)++];
		memset(q, 0, sizeof(*q));
		snprintf(q->id, sizeof(q->id), "%s", json_get_str(&o, "id", ""));
		snprintf(q->sha256, sizeof(q->sha256), "%s", json_get_str(&o, "sha256", ""));
		q->path = strdup(json_get_str(&o, "path", ""));
		const char *s = json_get_str(&o, "stream", NULL);
		q->stream = s ? strdup(s) : NULL;
		q->size = (uint64_t)json_get_long(&o, "size", 0);
		q->mtime = json_get_long(&o, "mtime", 0);
		snprintf(q->quarantined, sizeof(q->quarantined), "%s", json_get_str(&o, "quarantined", ""));
		const struct json_field *rf = json_get(&o, "rules");
		size_t rl = 1;
		for (size_t i = 0; rf && rf->type == JSON_ARRAY && i < rf->nitems; i++)
			rl += strlen(rf->items[i]) + 1;
		q->rules = calloc(1, rl);
		for (size_t i = 0; q->rules && rf && rf->type == JSON_ARRAY && i < rf->nitems; i++) {
			if (i)
				strcat(q->rules, ",");
			strcat(q->rules, rf->items[i]);
		}
		const struct json_field *nf = json_get(&o, "names");
		if (nf && nf->type == JSON_ARRAY && q->path)
			copy_names(q, nf);
		json_object_free(&o);
	}
	closedir(d);
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), cmp_entry);
	return rc;
}

void rs_quarantine_list_free(struct rs_quarantine_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].stream);
		free(v[i].rules);
		for (size_t k = 0; k < v[i].nnames; k++)
			free(v[i].names[k]);
		free(v[i].names);
	}
	free(v);
}

/* The manifest of ID (exact, or a unique prefix of 8+ characters). */
static int find_id(const char *dir, const char *id, char *found, size_t foundlen, struct rs_error *err)
{
	DIR *d = confine_opendir(dir);
	if (!d)
		return rs_fail_errno(err, RS_EUSAGE, errno, "%s", dir);
	size_t idl = strlen(id), hits = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!has_suffix(de->d_name, ".json"))
			continue;
		size_t nl = strlen(de->d_name) - 5;
		if (nl == idl && strncmp(de->d_name, id, idl) == 0) {
			snprintf(found, foundlen, "%.*s", (int)nl, de->d_name);
			hits = 1;
			break;
		}
		if (idl >= 8 && idl < nl && strncmp(de->d_name, id, idl) == 0) {
			snprintf(found, foundlen, "%.*s", (int)nl, de->d_name);
			hits++;
		}
	}
	closedir(d);
	if (hits == 0)
		return rs_fail(err, RS_EUSAGE, "no quarantined file with id %s (see `rescue quarantine list`)", id);
	if (hits > 1)
		return rs_fail(err, RS_EUSAGE, "id %s is ambiguous: give more of it", id);
	return RS_OK;
}

/* Write DATA as the new file TARGET (REL on the volume) with the mode,
 * owner, NTFS attributes and times of manifest O.  All is done on a new
 * temporary file of random name, then renamed to TARGET only when nothing
 * is there: never through a link, never over a file.  The mode keeps its
 * permission bits only (a manifest is the worm's to write: no setuid). */
static int restore_file(const char *target, const char *rel, const uint8_t *data, size_t len,
			const struct json_object *o, struct rs_error *err)
{
	struct stat st;
	if (confine_lstat(target, &st) == 0)
		return rs_fail(err, RS_ETARGET, "%s exists: not overwritten (move it away first)", rel);
	if (errno != ENOENT)
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", rel);
	char tmp[PATH_MAX];
	int fd = confine_tmpfile(target, tmp, sizeof(tmp));
	FILE *f = fd < 0 ? NULL : fdopen(fd, "wb");
	if (!f) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			confine_unlink(tmp);
		}
		return rs_fail_errno(err, RS_ETARGET, e, "cannot write %s", rel);
	}
	int rc = RS_OK;
	if ((len && fwrite(data, len, 1, f) != 1) || fflush(f) != 0) {
		rc = rs_fail_errno(err, RS_ETARGET, errno, "cannot write %s", rel);
	} else {
		/* Best effort: ntfs-3g without a user mapping has no owners and
		 * fixed permissions, and refuses or ignores both. */
		if (fchmod(fd, (mode_t)json_get_long(o, "mode", 0644) & 0777) != 0 ||
		    fchown(fd, (uid_t)json_get_long(o, "uid", 0), (gid_t)json_get_long(o, "gid", 0)) != 0)
			errno = 0;
		if (fsync(fd) != 0 || confine_rename(tmp, target, 1) != 0)
			rc = rs_fail_errno(err, RS_ETARGET, errno, "cannot write %s", rel);
	}
	if (rc != RS_OK) {
		fclose(f);
		confine_unlink(tmp);
		return rc;
	}
	const char *attrs = json_get_str(o, "attributes", NULL);
	if (attrs && strlen(attrs) == 8) {
		uint8_t ab[4];
		for (int i = 0; i < 4; i++)
			sscanf(attrs + 2 * i, "%2hhx", &ab[i]);
		fsetxattr(fd, NTFS_ATTRIB_XATTR, ab, sizeof(ab), 0);   /* best effort */
	}
	struct timespec ts[2] = {
		{ json_get_long(o, "atime", 0), json_get_long(o, "atime_ns", 0) },
		{ json_get_long(o, "mtime", 0), json_get_long(o, "mtime_ns", 0) },
	};
	if (futimens(fd, ts) != 0)
		rc = rs_fail_errno(err, RS_EPARTIAL, errno, "%s restored, but its times could not be set", rel);
	fclose(f);
	return rc;
}

/* The other names (hard links) of the file just put back at TARGET, from
 * the manifest's "names" (NAMES, past REL itself): each linked to
 * it again.  One that cannot be (a file there now, a bad name) is named in
 * the error; the content is back at REL whatever happens. */
static int restore_names(const struct rs_ctx *ctx, const char *target, const struct json_field *names,
			 const char *rel, struct rs_error *err)
{
	if (!names || names->type != JSON_ARRAY)
		return RS_OK;
	int rc = RS_OK;
	for (size_t i = 0; i < names->nitems; i++) {
		const char *name = names->items[i];
		char to[PATH_MAX], parent[PATH_MAX];
		if (strcmp(name, rel) == 0)
			continue;
		if (!*name || strstr(name, "..")) {
			rc = rs_fail(err, RS_EPARTIAL, "%s restored, but its other name %s is not a path: not linked", rel,
				     name);
			continue;
		}
		if (winpath_resolve_new(ctx->root, name, to, sizeof(to)) != 0) {
			rc = rs_fail_errno(err, RS_EPARTIAL, errno, "%s restored, but not its other name %s", rel, name);
			continue;
		}
		snprintf(parent, sizeof(parent), "%s", to);
		char *slash = strrchr(parent, '/');
		if (slash && slash > parent)
			*slash = '\0';
		if ((slash && winpath_mkdirs(parent, 0755) != 0) || confine_link(target, to) != 0)
			rc = rs_fail_errno(err, RS_EPARTIAL, errno, "%s restored, but not its other name %s", rel, name);
	}
	return rc;
}

int rs_quarantine_restore(const struct rs_ctx *ctx, const char *id, char *restored, size_t restlen,
			  struct rs_error *err)
{
	char dir[PATH_MAX], qid[80];
	int rc = rs_ctx_check_writable(ctx, err);
	if (rc)
		return rc;
	rc = qdir(ctx, false, dir, sizeof(dir), err);
	if (rc < 0)
		return rs_fail(err, RS_EUSAGE, "the quarantine is empty");
	if (rc || (rc = find_id(dir, id, qid, sizeof(qid), err)) != RS_OK)
		return rc;
	char man[PATH_MAX], bin[PATH_MAX];
	snprintf(man, sizeof(man), "%s/%s.json", dir, qid);
	snprintf(bin, sizeof(bin), "%s/%s.bin", dir, qid);
	struct json_object o;
	if ((rc = load_manifest(man, &o, RS_ETARGET, err)) != RS_OK)
		return rc;
	const char *rel = json_get_str(&o, "path", "");
	const char *stream = json_get_str(&o, "stream", NULL);
	const char *sha = json_get_str(&o, "sha256", "");
	uint8_t *data = NULL;
	size_t len = 0;
	struct reparse_lift *lift = NULL;
	char target[PATH_MAX], parent[PATH_MAX];
	if (!*rel || strstr(rel, "..")) {
		rc = rs_fail(err, RS_ETARGET, "%s: bad original path", man);
		goto out;
	}
	if (file_read_all(bin, SIZE_MAX - 1, &data, &len) != 0) {
		rc = rs_fail_errno(err, RS_ETARGET, errno, "%s", bin);
		goto out;
	}
	xor_buf(data, len);
	char got[65];
	sha256_hex(data, len, got);
	if (strcmp(got, sha) != 0) {
		rc = rs_fail(err, RS_ETARGET, "%s: content does not match its SHA-256: not restored", bin);
		goto out;
	}
	if ((rc = reparse_lift(ctx, rel, &lift, err)) != RS_OK)
		goto out;
	if (winpath_resolve_new(ctx->root, rel, target, sizeof(target)) != 0) {
		rc = rs_fail_errno(err, RS_ETARGET, errno, "%s", rel);
		goto out;
	}
	snprintf(parent, sizeof(parent), "%s", target);
	char *slash = strrchr(parent, '/');
	if (slash && slash > parent) {
		*slash = '\0';
		if (winpath_mkdirs(parent, 0755) != 0) {
			rc = rs_fail_errno(err, RS_ETARGET, errno, "cannot create %s", parent);
			goto out;
		}
	}
	if (stream) {
		char sp[PATH_MAX + 256];
		bool good;
		if (stream_as_path(sp, sizeof(sp), target, stream)) {
			int fd = confine_open(sp, O_WRONLY | O_CREAT | O_EXCL, 0644);
			good = fd >= 0 && write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
			if (fd >= 0)
				close(fd);
		} else {
			good = confine_setxattr(target, sp, data, len, XATTR_CREATE) == 0;
		}
		if (!good) {
			rc = rs_fail_errno(err, RS_ETARGET, errno, "cannot write %s:%s", rel, stream);
			goto out;
		}
	} else {
		if ((rc = restore_file(target, rel, data, len, &o, err)) != RS_OK)
			goto out;
		/* The content is back either way: a name not linked is named
		 * in the error, and the quarantine entry goes. */
		rc = restore_names(ctx, target, json_get(&o, "names"), rel, err);
	}
	confine_unlink(bin);
	confine_unlink(man);
	if (restored)
		snprintf(restored, restlen, "%s%s%s", rel, stream ? ":" : "", stream ? stream : "");
out:;
	struct rs_error lerr;
	if (reparse_lift_end(lift, &lerr) != RS_OK && rc == RS_OK)
		rc = rs_fail(err, RS_EPARTIAL, "%s restored, but %s", rel, lerr.msg);
	free(data);
	json_object_free(&o);
	return rc;
}

int rs_quarantine_purge(const struct rs_ctx *ctx, size_t *n, struct rs_error *err)
{
	*n = 0;
	int rc = rs_ctx_check_writable(ctx, err);
	if (rc)
		return rc;
	char dir[PATH_MAX];
	DIR *d;
	rc = open_qdir(ctx, &d, dir, sizeof(dir), err);
	if (rc || !d)
		return rc;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		bool manifest = has_suffix(de->d_name, ".json");
		if (!manifest && !has_suffix(de->d_name, ".bin"))
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (confine_unlink(path) != 0)
			rc = rs_fail_errno(err, RS_EPARTIAL, errno, "cannot remove %s", path);
		else if (manifest)
			(*n)++;
	}
	closedir(d);
	return rc;
}
