/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recover.c - dirty hives on the volume: logs found, replayed, written back
 * or read from a private copy (see recover.h). */
#include "hive/recover.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rescue/base/journal.h"
#include "hive/profiles.h"
#include "rescue/base/confine.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/safefile.h"
#include "rescue/base/winpath.h"

/* Hives and logs are read whole; Windows caps a hive near 2 GiB, real ones
 * are far smaller. */
#define HIVE_READ_MAX ((size_t)1 << 30)

/* The logs Windows keeps beside a primary: LOG1/LOG2 (8.1 and later, new
 * format), LOG (XP to 8, old format; an empty one stays on later versions). */
static const char *const log_suffix[] = { ".LOG1", ".LOG2", ".LOG" };
#define NLOGS (sizeof(log_suffix) / sizeof(log_suffix[0]))

struct logset {
	size_t n;
	char rel[NLOGS][PATH_MAX];    /* volume-relative, real spelling */
	char name[NLOGS][256];        /* file name, for messages */
	uint8_t *buf[NLOGS];
	struct regflog_file f[NLOGS];
};

/* A recovery waiting for the hive's first write (see hive_recover_write). */
struct recover_plan {
	char rel[PATH_MAX];
	uint8_t *image;               /* sealed */
	size_t len;
	size_t nlogs;
	char logrel[NLOGS][PATH_MAX]; /* the non-empty logs, to be emptied */
};

void recover_plan_free(struct recover_plan *p)
{
	if (p) {
		free(p->image);
		free(p);
	}
}

static void logs_free(struct logset *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		free(ls->buf[i]);
	ls->n = 0;
}

/* Add "NAME cannot be read: why" to NOTE. */
static void log_note(char *note, size_t notelen, const char *name, int errnum)
{
	size_t n = strlen(note);
	snprintf(note + n, notelen - n, "%s%s cannot be read: %s", n ? "; " : "", name, confine_strerror(errnum));
}

/* Read the logs that exist beside REL.  A log that cannot be read is
 * reported in NOTE and left out (as if it were missing). */
static void logs_load(struct rs_ctx *ctx, const char *rel, struct logset *ls, char *note, size_t notelen)
{
	memset(ls, 0, sizeof(*ls));
	for (size_t i = 0; i < NLOGS; i++) {
		char want[PATH_MAX], file[PATH_MAX];
		if ((size_t)snprintf(want, sizeof(want), "%s%s", rel, log_suffix[i]) >= sizeof(want))
			continue;
		size_t k = ls->n;
		const char *base = strrchr(want, '/');
		snprintf(ls->name[k], sizeof(ls->name[k]), "%s", base ? base + 1 : want);
		size_t len;
		/* A log that is a link or a FIFO is not read; the note says so
		 * (the confined layer's reason names it). */
		if (winpath_resolve(ctx->root, want, file, sizeof(file)) != 0) {
			if (errno != ENOENT)
				log_note(note, notelen, ls->name[k], errno);
			continue;
		}
		base = strrchr(file, '/');
		snprintf(ls->name[k], sizeof(ls->name[k]), "%s", base ? base + 1 : file);
		if (file_read_all(file, HIVE_READ_MAX, &ls->buf[k], &len) != 0) {
			log_note(note, notelen, ls->name[k], errno);
			continue;
		}
		snprintf(ls->rel[k], sizeof(ls->rel[k]), "%s", winpath_relative(ctx->root, file));
		ls->f[k] = (struct regflog_file){ ls->name[k], ls->buf[k], len };
		ls->n++;
	}
}

static void fill(struct hive_recovery *rec, const struct regflog_result *r, const char *extra)
{
	rec->dirty = r->state != REGFLOG_CLEAN;
	rec->state = r->state;
	rec->seq1 = r->before.seq1;
	rec->seq2 = r->before.seq2;
	rec->applied = r->applied;
	rec->first_seq = r->first_seq;
	rec->last_seq = r->last_seq;
	snprintf(rec->logs, sizeof(rec->logs), "%s", r->logs_used);
	snprintf(rec->note, sizeof(rec->note), "%s%s%s", extra, extra[0] && r->note[0] ? "; " : "", r->note);
}

/* Replay the logs of FILE (REL) into R.  RS_ETARGET when FILE is not a hive. */
static int replay(struct rs_ctx *ctx, const char *rel, const char *file, struct regflog_result *r,
		  struct logset *ls, struct hive_recovery *rec, struct rs_error *err)
{
	uint8_t *p;
	size_t plen;
	if (file_read_all(file, HIVE_READ_MAX, &p, &plen) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "hive %s", rel);
	char extra[256] = "";
	logs_load(ctx, rel, ls, extra, sizeof(extra));
	struct rs_error sub;
	int rc = regflog_recover(p, plen, ls->f, ls->n, r, &sub);
	free(p);
	if (rc) {
		logs_free(ls);
		return rs_fail(err, rc, "hive %s: %s", rel, sub.msg);
	}
	fill(rec, r, extra);
	return RS_OK;
}

/* IMAGE into a new temporary file outside the volume; its name into PATH. */
static int write_temp(const uint8_t *image, size_t len, char *path, size_t pathlen, struct rs_error *err)
{
	const char *tmpdir = getenv("TMPDIR");
	snprintf(path, pathlen, "%s/rescue-hive.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "cannot create a temporary file in %s",
				     tmpdir && *tmpdir ? tmpdir : "/tmp");
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, image + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : ENOSPC;
			close(fd);
			unlink(path);
			return rs_fail_errno(err, RS_ETARGET, e, "cannot write the recovered hive to %s", path);
		}
		done += (size_t)n;
	}
	close(fd);
	return RS_OK;
}

/* The recovered primary replaces the file, then every non-empty log is
 * emptied; each through safefile_replace (backup, journal, atomic write). */
int hive_recover_write(struct rs_ctx *ctx, struct recover_plan *p, struct rs_error *err)
{
	int rc = safefile_replace(ctx, RECOVER_ITEM, p->rel, p->image, p->len, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < p->nlogs; i++) {
		rc = safefile_replace(ctx, RECOVER_ITEM, p->logrel[i], "", 0, err);
		if (rc) {
			/* The primary is recovered and sealed beyond every entry:
			 * a log left as it was can no longer be replayed. */
			size_t n = strlen(err->msg);
			snprintf(err->msg + n, sizeof(err->msg) - n,
				 " (the hive itself was recovered; its logs no longer apply to it)");
			return RS_EPARTIAL;
		}
	}
	return RS_OK;
}

int hive_recover_open(struct rs_ctx *ctx, const char *rel, const char *file, bool write,
		      struct hive_recovery *rec, char *src, size_t srclen, bool *temp,
		      struct recover_plan **plan, struct rs_error *err)
{
	memset(rec, 0, sizeof(*rec));
	*temp = false;
	*plan = NULL;
	snprintf(src, srclen, "%s", file);
	struct regflog_result r;
	struct logset ls;
	int rc = replay(ctx, rel, file, &r, &ls, rec, err);
	if (rc)
		return rc;
	bool force = ctx->flags & RS_CTX_FORCE;
	bool really = write && !(ctx->flags & RS_CTX_DRY_RUN);

	switch (r.state) {
	case REGFLOG_CLEAN:
		goto out;
	case REGFLOG_UNRECOVERED:
		if (write && !force)
			rc = rs_fail(err, RS_ETARGET, "hive %s is dirty (sequence numbers %u/%u): %s; not written "
				     "(--force writes it as it is)", rel, rec->seq1, rec->seq2, rec->note);
		goto out;
	case REGFLOG_PARTIAL:
		if (write && !force) {
			rc = rs_fail(err, RS_ETARGET, "hive %s is dirty and its logs are damaged: %s; not written "
				     "(--force replays what can be, as Windows would, and writes that)", rel, rec->note);
			goto out;
		}
		break;
	case REGFLOG_RECOVERED:
		break;
	}

	if (really) {
		/* Beyond every number the logs hold: nothing in them can ever
		 * be replayed over the result. */
		uint32_t seq = r.max_seq;
		if (r.before.seq1 > seq)
			seq = r.before.seq1;
		if (r.before.seq2 > seq)
			seq = r.before.seq2;
		regflog_seal(r.image, r.len, seq < UINT32_MAX ? seq + 1 : seq);
	}
	char tmp[PATH_MAX];
	rc = write_temp(r.image, r.len, tmp, sizeof(tmp), err);
	if (rc)
		goto out;
	/* libhivex reads (and edits) the recovered copy; the volume is
	 * written only by hive_recover_write, with the hive's first write. */
	snprintf(src, srclen, "%s", tmp);
	*temp = true;
	if (!really)
		goto out;
	struct recover_plan *p = calloc(1, sizeof(*p));
	if (!p) {
		unlink(tmp);
		rc = rs_fail(err, RS_EPARTIAL, "out of memory");
		goto out;
	}
	snprintf(p->rel, sizeof(p->rel), "%s", rel);
	p->image = r.image;
	p->len = r.len;
	r.image = NULL;
	for (size_t i = 0; i < ls.n; i++)
		if (ls.f[i].len)
			snprintf(p->logrel[p->nlogs++], sizeof(p->logrel[0]), "%s", ls.rel[i]);
	*plan = p;
out:
	regflog_result_free(&r);
	logs_free(&ls);
	return rc;
}

/* Whether JOURNAL holds a recovery of REL not undone; its run into RUN. */
static bool recovered_by_rescue(const struct journal *j, const char *rel, char *run, size_t runlen)
{
	for (size_t i = j ? j->n : 0; i-- > 0;) {
		const struct journal_entry *e = &j->v[i];
		if (e->kind == JOURNAL_FILE && !e->undone && strcmp(e->item, RECOVER_ITEM) == 0 &&
		    strcasecmp(e->path, rel) == 0) {
			snprintf(run, runlen, "%s", e->run);
			return true;
		}
	}
	return false;
}

static int probe(struct rs_ctx *ctx, const char *rel, const struct journal *j, struct hive_recovery *out,
		 struct rs_error *err)
{
	memset(out, 0, sizeof(*out));
	char file[PATH_MAX];
	if (winpath_resolve(ctx->root, rel, file, sizeof(file)) != 0)
		return rs_fail(err, RS_ETARGET, "hive %s is missing under %s", rel, ctx->root);
	const char *real = winpath_relative(ctx->root, file);
	struct regf_base b;
	int rc = regf_read_base(file, &b, err);
	if (rc)
		return rc;
	out->seq1 = b.seq1;
	out->seq2 = b.seq2;
	if (!regf_is_dirty(&b) && b.checksum_ok) {
		out->by_rescue = recovered_by_rescue(j, real, out->run, sizeof(out->run));
		return RS_OK;
	}
	struct regflog_result r;
	struct logset ls;
	rc = replay(ctx, real, file, &r, &ls, out, err);
	if (rc)
		return rc;
	regflog_result_free(&r);
	logs_free(&ls);
	return RS_OK;
}

int hive_recovery_probe(struct rs_ctx *ctx, const char *rel, struct hive_recovery *out,
			struct rs_error *err)
{
	struct journal j = { 0 };
	struct rs_error sub;
	bool have = journal_load(ctx, &j, &sub) == RS_OK;
	int rc = probe(ctx, rel, have ? &j : NULL, out, err);
	if (have)
		journal_free(&j);
	return rc;
}

int hive_recovery_list(struct rs_ctx *ctx, struct hive_probe **out, size_t *n, struct rs_error *err)
{
	static const char *const machine[] = { "SYSTEM", "SOFTWARE", "SAM", "SECURITY", "DEFAULT" };
	struct profile *p = NULL;
	size_t np = 0;
	struct rs_error sub;
	if (profiles_list(ctx, &p, &np, &sub) != RS_OK)
		np = 0;
	size_t cap = sizeof(machine) / sizeof(machine[0]) + np;
	struct hive_probe *v = calloc(cap ? cap : 1, sizeof(*v));
	if (!v) {
		free(p);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	struct journal j = { 0 };
	bool have = journal_load(ctx, &j, &sub) == RS_OK;
	size_t k = 0;
	for (size_t i = 0; i < cap; i++) {
		char rel[512], file[PATH_MAX];
		if (i < sizeof(machine) / sizeof(machine[0]))
			snprintf(rel, sizeof(rel), "%s/%s", RS_PATH_CONFIG, machine[i]);
		else
			snprintf(rel, sizeof(rel), "%s", p[i - sizeof(machine) / sizeof(machine[0])].hive);
		if (winpath_resolve(ctx->root, rel, file, sizeof(file)) != 0)
			continue;
		snprintf(v[k].rel, sizeof(v[k].rel), "%s", winpath_relative(ctx->root, file));
		/* A file that is no hive (a placeholder) says so in its note. */
		if (probe(ctx, v[k].rel, have ? &j : NULL, &v[k].rec, &sub) != RS_OK)
			snprintf(v[k].rec.note, sizeof(v[k].rec.note), "%s", sub.msg);
		k++;
	}
	if (have)
		journal_free(&j);
	free(p);
	*out = v;
	*n = k;
	return RS_OK;
}

const char *hive_recovery_state(const struct hive_recovery *r)
{
	switch (r->state) {
	case REGFLOG_CLEAN: return "clean";
	case REGFLOG_RECOVERED: return r->written ? "recovered" : "recovered-in-memory";
	case REGFLOG_PARTIAL: return "partly-recovered";
	case REGFLOG_UNRECOVERED: return "not-recovered";
	}
	return "?";
}

bool hive_recovery_logs_usable(const struct hive_recovery *r)
{
	return r->state == REGFLOG_RECOVERED || r->state == REGFLOG_PARTIAL;
}

const char *hive_recovery_summary(const struct hive_probe *v, size_t n)
{
	bool dirty = false, recovered = false;
	for (size_t i = 0; i < n; i++) {
		const struct hive_recovery *r = &v[i].rec;
		if (r->dirty && r->state != REGFLOG_RECOVERED)
			return "unrecoverable";
		dirty |= r->dirty;
		recovered |= r->by_rescue;
	}
	return dirty ? "dirty" : recovered ? "recovered" : "clean";
}

void hive_recovery_describe(const struct hive_recovery *r, char *buf, size_t len)
{
	if (!r->dirty) {
		if (r->by_rescue)
			snprintf(buf, len, "clean (recovered from its transaction logs by rescue, run %s)", r->run);
		else
			snprintf(buf, len, "clean");
		return;
	}
	char what[256] = "";
	if (r->applied && (r->first_seq || r->last_seq))
		snprintf(what, sizeof(what), "%u log entr%s, sequence %u..%u, from %s", r->applied,
			 r->applied == 1 ? "y" : "ies", r->first_seq, r->last_seq, r->logs);
	else if (r->applied)
		snprintf(what, sizeof(what), "%u dirty pages from %s", r->applied, r->logs);
	const char *sep = r->note[0] ? "; " : "";
	switch (r->state) {
	case REGFLOG_RECOVERED:
	case REGFLOG_PARTIAL:
		snprintf(buf, len, "dirty (%u/%u): %s%s (%s)%s%s", r->seq1, r->seq2,
			 r->state == REGFLOG_PARTIAL ? "PARTLY " : "",
			 r->written ? "recovered and written back" : "recovered in memory, not written yet",
			 what, sep, r->note);
		return;
	case REGFLOG_UNRECOVERED:
	case REGFLOG_CLEAN:
		snprintf(buf, len, "dirty (%u/%u), NOT recovered: %s", r->seq1, r->seq2, r->note);
		return;
	}
}
