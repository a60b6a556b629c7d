/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rescue/run/clean.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rescue/base/confine.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/grow.h"
#include "rescue/scan/quarantine.h"
#include "rescue/volume/ntfsread.h"

void rs_clean_init(struct rs_clean *c, struct rs_ctx *ctx, const struct rs_clean_policy *policy)
{
	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->policy = *policy;
}

void rs_clean_free(struct rs_clean *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->rec[i].path);
		free(c->rec[i].stream);
		for (size_t k = 0; k < c->rec[i].nothers; k++)
			free(c->rec[i].others[k]);
		free(c->rec[i].others);
	}
	free(c->rec);
	c->rec = NULL;
	c->n = c->cap = 0;
}

/* A new record for PATH/STREAM, or NULL when memory runs out (then nothing
 * may be moved: a quarantined file without its record would keep its
 * autostart entries). */
static struct rs_clean_record *record_new(struct rs_clean *c, const char *path, const char *stream)
{
	struct rs_clean_record *v = grow_room(c->rec, &c->cap, c->n, sizeof(*v), 16);
	if (!v)
		return NULL;
	c->rec = v;
	struct rs_clean_record *r = &c->rec[c->n];
	memset(r, 0, sizeof(*r));
	r->path = strdup(path);
	r->stream = stream ? strdup(stream) : NULL;
	if (!r->path || (stream && !r->stream)) {
		free(r->path);
		free(r->stream);
		return NULL;
	}
	c->n++;
	return r;
}

/* rs_quarantine_add's code as an outcome. */
static enum rs_clean_outcome outcome_of(int rc)
{
	return rc == RS_OK ? RS_CLEAN_QUARANTINED : rc == RS_DETECTED ? RS_CLEAN_KEPT : RS_CLEAN_FAILED;
}

/* The hit's outcome into R (and the counts). */
static enum rs_clean_outcome record_set(struct rs_clean *c, struct rs_clean_record *r, enum rs_clean_outcome o,
					const struct rs_scan_hit *hit, const char *id)
{
	r->outcome = o;
	r->inspect = hit->inspect;
	snprintf(r->action, sizeof(r->action), "%s", hit->action);
	if (o == RS_CLEAN_QUARANTINED)
		snprintf(r->id, sizeof(r->id), "%s", id);
	c->count[o]++;
	return o;
}

/* The other names of HIT's file into R: an autostart entry may start it by
 * any of them.  False when memory runs out. */
static bool record_others(struct rs_clean_record *r, const struct rs_scan_hit *hit)
{
	if (hit->nnames < 2)
		return true;
	r->others = calloc(hit->nnames - 1, sizeof(*r->others));
	if (!r->others)
		return false;
	for (size_t k = 1; k < hit->nnames; k++)
		if (!(r->others[r->nothers++] = strdup(hit->names[k])))
			return false;
	return true;
}

enum rs_clean_outcome rs_clean_hit(struct rs_clean *c, struct rs_scan_hit *hit)
{
	struct rs_clean_record *r = record_new(c, hit->path, hit->stream);
	if (r && !record_others(r, hit))
		r = NULL;   /* freed with the others by rs_clean_free */
	if (!r) {
		rs_quarantine_failed(hit, "out of memory");
		c->count[RS_CLEAN_FAILED]++;
		return RS_CLEAN_FAILED;
	}
	char id[80] = "";
	if (!c->policy.quarantine) {
		rs_quarantine_report_only(hit);
		return record_set(c, r, RS_CLEAN_REPORTED, hit, id);
	}
	return record_set(c, r, outcome_of(rs_quarantine_hit(c->ctx, hit, id, sizeof(id))), hit, id);
}

/* ---- one listed detection, read again ---- */

/* The bytes of STREAM (NULL: the content) of FULL (whose stat is ST) as
 * the mount shows them, at most MAX.  0 or an errno. */
static int read_mount(const char *full, const char *stream, const struct stat *st, uint64_t max, uint8_t **buf,
		      size_t *len)
{
	if (!stream) {
		if (!S_ISREG(st->st_mode))
			return EINVAL;
		return file_read_all(full, max, buf, len) == 0 ? 0 : errno;
	}
	/* ntfs-3g: a stream is the path FILE:NAME (streams_interface=windows)
	 * or the extended attribute user.NAME (rescue/scan/scan.h). */
	char sp[PATH_MAX + 256];
	if (confine_getxattr(full, RS_NTFS_STREAMS_LIST, NULL, 0) >= 0) {
		snprintf(sp, sizeof(sp), "%s:%s", full, stream);
		return file_read_all(sp, max, buf, len) == 0 ? 0 : errno;
	}
	snprintf(sp, sizeof(sp), "user.%s", stream);
	if (!(*buf = malloc(max + 1)))
		return ENOMEM;
	ssize_t n = confine_getxattr(full, sp, *buf, max + 1);
	int e = errno;
	if (n < 0 || (uint64_t)n > max) {
		free(*buf);
		*buf = NULL;
		return n < 0 ? (e == ERANGE ? EFBIG : e) : EFBIG;
	}
	*len = (size_t)n;
	return 0;
}

/* The file the mount shows as something else (a WOF-compressed file is a
 * link there): read it as the scan's direct read did, through libntfs-3g;
 * ST becomes that read's stat, as the scan handed it to the quarantine.
 * ENODEV when ROOT cannot be read directly (not an ntfs-3g mount): the
 * mount's own refusal is then the one to say. */
static int read_direct(const char *root, const char *rel, const char *stream, struct stat *st, uint64_t max,
		       uint8_t **buf, size_t *len, char *why, size_t whylen)
{
	struct ntfsread *v;
	struct rs_error oerr = { 0 };
	if (ntfsread_open(root, &v, &oerr) != RS_OK)
		return ENODEV;
	size_t cap = 0;
	struct stat nst;
	uint64_t ref = (uint64_t)st->st_ino;
	/* REL the mount cannot reach (inside a OneDrive folder): found on the
	 * volume itself, as the scan's direct read found it */
	int e = rel && ntfsread_ref(v, rel, &ref) != 0 ? ENOENT : 0;
	if (!e)
		e = ntfsread_read(v, ref, stream, max, buf, &cap, len, &nst);
	if (e && *ntfsread_why(v))
		snprintf(why, whylen, "%s", ntfsread_why(v));
	else if (!e)
		*st = nst;
	ntfsread_close(v);
	return e;
}

enum rs_clean_outcome rs_clean_path(struct rs_clean *c, const struct rs_clean_target *t, size_t *rec)
{
	struct rs_scan_hit hit = { .path = t->path, .stream = t->stream, .rules = t->rules, .size = t->size };
	*rec = SIZE_MAX;
	if (!record_new(c, t->path, t->stream))
		return RS_CLEAN_FAILED;
	*rec = c->n - 1;
	char full[PATH_MAX + 256];
	snprintf(full, sizeof(full), "%s/%s", c->ctx->root, t->path);
	hit.fullpath = full;
	snprintf(hit.sha256, sizeof(hit.sha256), "%s", t->sha256);

	/* Read again what was scanned: the same bytes, or it is not the file
	 * the person chose from the list. */
	struct stat st = { 0 };
	uint8_t *data = NULL;
	size_t len = 0;
	char why[256] = "";
	int e = confine_lstat(full, &st) == 0 ? 0 : errno;
	uint64_t max = t->size + 1;     /* one byte more than scanned: a file that grew is read, and differs */
	if (!e) {
		e = read_mount(full, t->stream, &st, max, &data, &len);
		if (e == EINVAL && (e = read_direct(c->ctx->root, NULL, t->stream, &st, max, &data, &len, why,
						    sizeof(why))) == ENODEV) {
			e = EINVAL;
			snprintf(why, sizeof(why), "%s", S_ISLNK(st.st_mode) ? "a link: not followed" : "not a regular file");
		}
	} else {
		/* not through the mount: a folder ntfs-3g shows as a link
		 * (OneDrive) is refused there; read directly by its path, as
		 * the scan did (the quarantine still moves it only through
		 * its own checks) */
		int d = read_direct(c->ctx->root, t->path, t->stream, &st, max, &data, &len, why, sizeof(why));
		if (d != ENODEV)
			e = d;
	}
	char got[65] = "";
	if (!e)
		sha256_hex(data, len, got);
	/* A hive that changed since is still a hive: rs_quarantine_hit refuses
	 * it in its own words, whatever its bytes are now. */
	bool refused = rs_quarantine_refusal(t->path, t->stream, e ? NULL : data, len) != NULL;
	if (refused) {
		hit.size = e ? 0 : len;
	} else if (e == EFBIG || (!e && (len != t->size || strcmp(got, t->sha256) != 0))) {
		rs_quarantine_failed(&hit, RS_QUARANTINE_CHANGED);
	} else if (e) {
		rs_quarantine_failed(&hit, "cannot be read again: %s", why[0] ? why : confine_strerror(e));
	}
	if (hit.action[0]) {
		free(data);
		return record_set(c, &c->rec[*rec], RS_CLEAN_FAILED, &hit, NULL);
	}
	hit.data = data;
	hit.st = &st;
	char id[80] = "";
	enum rs_clean_outcome o = outcome_of(rs_quarantine_hit(c->ctx, &hit, id, sizeof(id)));
	free(data);
	return record_set(c, &c->rec[*rec], o, &hit, id);
}

/* ---- the autostart entries tied to the records ---- */

void rs_clean_autoruns_free(struct rs_clean_autoruns *a)
{
	autoruns_free(&a->list);
	autoruns_report_free(&a->done);
	free(a->chosen);
	memset(a, 0, sizeof(*a));
}

/* Which records tie entries, under each policy. */
static bool ties(enum rs_clean_tie tie, const struct rs_clean_record *r)
{
	if (r->tied || r->stream)       /* a stream is no program Windows starts */
		return false;
	return tie == RS_CLEAN_TIE_DETECTED || (tie == RS_CLEAN_TIE_QUARANTINED && r->outcome == RS_CLEAN_QUARANTINED);
}

/* The entry flags each policy disables. */
static const unsigned tie_flags[] = {
	[RS_CLEAN_TIE_NONE] = 0,
	[RS_CLEAN_TIE_QUARANTINED] = AR_F_DETECTED,
	[RS_CLEAN_TIE_DETECTED] = AR_F_DETECTED | AR_F_QUARANTINED,
};

int rs_clean_finish(struct rs_clean *c, struct rs_clean_autoruns *out, struct rs_error *err)
{
	memset(out, 0, sizeof(*out));
	const struct rs_clean_policy *p = &c->policy;
	size_t cap = 1;
	for (size_t i = 0; i < c->n; i++)
		cap += 1 + c->rec[i].nothers;
	const char **paths = calloc(cap, sizeof(*paths));
	if (!paths)
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	size_t np = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (!ties(p->tie, &c->rec[i]))
			continue;
		paths[np++] = c->rec[i].path;   /* every name of a hard-linked file */
		for (size_t k = 0; k < c->rec[i].nothers; k++)
			paths[np++] = c->rec[i].others[k];
	}
	unsigned want = tie_flags[p->tie] | (p->random_names ? AR_F_RANDOM_NAME : 0);
	/* Only the files just quarantined count, and there are none. */
	if (!want || (np == 0 && want == AR_F_DETECTED)) {
		free(paths);
		return RS_OK;
	}
	/* Quarantined files are gone from the volume: both lists name them. */
	struct autoruns_opts opts = { paths, np, p->tie == RS_CLEAN_TIE_DETECTED ? paths : NULL,
				      p->tie == RS_CLEAN_TIE_DETECTED ? np : 0 };
	int rc = autoruns_list(c->ctx, &opts, &out->list, err);
	if (rc) {
		free(paths);
		return rc;
	}
	out->listed = true;
	for (size_t i = 0; i < c->n; i++)
		c->rec[i].tied |= ties(p->tie, &c->rec[i]);
	free(paths);
	out->chosen = calloc(out->list.n + 1, sizeof(*out->chosen));
	char **ids = calloc(out->list.n + 1, sizeof(*ids));
	if (!out->chosen || !ids) {
		free(ids);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	for (size_t i = 0; i < out->list.n; i++) {
		const struct autorun *e = &out->list.v[i];
		if ((e->flags & want) && !(p->skip_off && (e->flags & AR_F_DISABLED))) {
			ids[out->nchosen] = out->list.v[i].id;
			out->chosen[out->nchosen++] = i;
		}
	}
	if (!p->list_only && out->nchosen)
		rc = autoruns_disable(c->ctx, &out->list, ids, out->nchosen, &out->done, err);
	free(ids);
	return rc;
}
