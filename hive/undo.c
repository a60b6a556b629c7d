/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hive/undo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hive/hive.h"
#include "hive/journal.h"
#include "hive/recover.h"
#include "rescue/fileutil.h"
#include "rescue/safefile.h"
#include "rescue/winpath.h"

#define UNDO_ITEM "undo"

void undo_report_free(struct undo_report *r)
{
	free(r->steps);
	r->steps = NULL;
	r->n = 0;
}

static bool selected(const struct journal_entry *e, char *const *items, size_t nitems)
{
	if (e->kind == JOURNAL_UNDONE || e->undone || strcmp(e->item, UNDO_ITEM) == 0)
		return false;
	/* Recovering a dirty hive from its logs is not a containment change:
	 * a plain undo leaves the hive recovered; `undo recover` reverts it. */
	if (nitems == 0)
		return strcmp(e->item, RECOVER_ITEM) != 0;
	for (size_t i = 0; i < nitems; i++)
		if (strcasecmp(items[i], e->item) == 0)
			return true;
	return false;
}

static struct undo_step *add_step(struct undo_report *r, const struct journal_entry *e)
{
	struct undo_step *v = realloc(r->steps, (r->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	r->steps = v;
	struct undo_step *s = &r->steps[r->n++];
	memset(s, 0, sizeof(*s));
	s->seq = e->seq;
	snprintf(s->item, sizeof(s->item), "%s", e->item);
	if (e->kind == JOURNAL_FILE)
		snprintf(s->what, sizeof(s->what), "%s", e->path);
	else
		snprintf(s->what, sizeof(s->what), "%s: %s%s%s", e->hive, e->key,
			 e->kind == JOURNAL_VALUE ? " " : " (key)",
			 e->kind == JOURNAL_VALUE ? (e->value[0] ? e->value : "(default)") : "");
	return s;
}

/* Revert one FILE entry: the old content back, or the file removed when
 * rescue created it.  A file changed since is left alone and reported. */
/* Whether the file of FILE entry E still holds what rescue wrote there. */
static bool file_as_left(struct rs_ctx *ctx, const struct journal_entry *e)
{
	char file[PATH_MAX];
	if (winpath_resolve_new(ctx->root, e->path, file, sizeof(file)) != 0)
		return false;
	uint8_t *cur = NULL;
	size_t curlen = 0;
	bool exists = file_read_all(file, (size_t)1 << 30, &cur, &curlen) == 0;
	char sha[65] = "";
	if (exists)
		sha256_hex(cur, curlen, sha);
	free(cur);
	return e->new_present ? (exists && strcmp(sha, e->new_sha256) == 0) : !exists;
}

/* A log emptied by a recovery goes back only with its dirty primary: the
 * primary's entry of the same run, when that one cannot go back, NULL when
 * it can (or E is no such log). */
static const struct journal_entry *recovered_primary_stuck(struct rs_ctx *ctx, const struct journal *j,
							   const struct journal_entry *e)
{
	if (strcmp(e->item, RECOVER_ITEM) != 0)
		return NULL;
	for (size_t i = 0; i < j->n; i++) {
		const struct journal_entry *p = &j->v[i];
		size_t n = strlen(p->path);
		if (p == e || p->kind != JOURNAL_FILE || p->undone || strcmp(p->item, RECOVER_ITEM) != 0 ||
		    strcmp(p->run, e->run) != 0 || strncasecmp(p->path, e->path, n) != 0 || e->path[n] != '.')
			continue;
		return file_as_left(ctx, p) ? NULL : p;
	}
	return NULL;
}

static int undo_file(struct rs_ctx *ctx, const struct journal *j, const struct journal_entry *e,
		     struct undo_step *s, struct rs_error *err)
{
	if (!file_as_left(ctx, e))
		return rs_fail(err, RS_EPARTIAL, "%s changed since rescue wrote it; left as it is", e->path);
	const struct journal_entry *p = recovered_primary_stuck(ctx, j, e);
	if (p)
		return rs_fail(err, RS_EPARTIAL, "left as it is: its hive %s changed since rescue recovered it "
			       "(the dirty hive and its logs are kept in %.*s)", p->path,
			       (int)(strrchr(p->backup, '/') ? strrchr(p->backup, '/') - p->backup : 0), p->backup);
	char sha[65];
	if (!e->old_present) {
		snprintf(s->restored, sizeof(s->restored), "(removed)");
		return safefile_remove(ctx, UNDO_ITEM, e->path, err);
	}
	char backup[PATH_MAX];
	uint8_t *old;
	size_t oldlen;
	if (winpath_resolve(ctx->root, e->backup, backup, sizeof(backup)) != 0 ||
	    file_read_all(backup, (size_t)1 << 30, &old, &oldlen) != 0)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "backup %s of %s", e->backup, e->path);
	sha256_hex(old, oldlen, sha);
	int rc;
	if (strcmp(sha, e->old_sha256) != 0)
		rc = rs_fail(err, RS_EPARTIAL, "backup %s does not hold the old %s", e->backup, e->path);
	else
		rc = safefile_replace(ctx, UNDO_ITEM, e->path, old, oldlen, err);
	free(old);
	snprintf(s->restored, sizeof(s->restored), "content of %s", e->backup);
	return rc;
}

/* Revert one VALUE or KEY entry in the open hive H (not yet committed). */
static int undo_registry(struct hive *h, const struct journal_entry *e, struct undo_step *s,
			 struct rs_error *err)
{
	if (e->kind == JOURNAL_KEY) {
		snprintf(s->restored, sizeof(s->restored), "(removed when empty)");
		/* A key rescue deleted (itself an undo) is never undone. */
		return e->new_present ? hive_delete_empty_key(h, UNDO_ITEM, e->key, err) : RS_OK;
	}
	if (!e->old_present) {
		snprintf(s->restored, sizeof(s->restored), "(removed)");
		return hive_delete_value(h, UNDO_ITEM, e->key, e->value, err);
	}
	struct reg_value old = { .present = true, .type = e->old_type, .len = e->old_len, .data = e->old_data };
	reg_value_format(&old, s->restored, sizeof(s->restored));
	return hive_set(h, UNDO_ITEM, e->key, e->value, e->old_type, e->old_data ? e->old_data : (uint8_t *)"",
			e->old_len, err);
}

static int mark_undone(struct rs_ctx *ctx, long seq, struct rs_error *err)
{
	struct journal_entry u = { .kind = JOURNAL_UNDONE, .of = seq };
	snprintf(u.item, sizeof(u.item), UNDO_ITEM);
	return journal_append(ctx, &u, err);
}

int undo_run(struct rs_ctx *ctx, char *const *items, size_t nitems, struct undo_report *out,
	     struct rs_error *err)
{
	memset(out, 0, sizeof(*out));
	int rc = rs_ctx_check_writable(ctx, err);
	if (rc)
		return rc;
	struct journal j;
	rc = journal_load(ctx, &j, err);
	if (rc)
		return rc;

	/* Open every hive the selected entries touch before changing any, so
	 * a hive that cannot be written leaves all of them as they are. */
	struct hive **hives = calloc(j.n + 1, sizeof(*hives));
	size_t nh = 0;
	if (!hives) {
		journal_free(&j);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	for (size_t i = 0; rc == RS_OK && i < j.n; i++) {
		const struct journal_entry *e = &j.v[i];
		if (!selected(e, items, nitems) || e->kind == JOURNAL_FILE)
			continue;
		bool have = false;
		for (size_t k = 0; k < nh && !have; k++)
			have = strcmp(hive_rel(hives[k]), e->hive) == 0;
		if (!have)
			rc = hive_open(ctx, e->hive, HIVE_WRITE, &hives[nh++], err);
	}

	int partial = RS_OK;
	/* Newest first, so a value set twice ends at its oldest data and keys
	 * are removed after the values in them. */
	for (size_t i = j.n; rc == RS_OK && i-- > 0;) {
		const struct journal_entry *e = &j.v[i];
		if (!selected(e, items, nitems))
			continue;
		struct undo_step *s = add_step(out, e);
		if (!s) {
			rc = rs_fail(err, RS_EPARTIAL, "out of memory");
			break;
		}
		struct rs_error serr = { 0 };
		int src;
		if (e->kind == JOURNAL_FILE) {
			src = undo_file(ctx, &j, e, s, &serr);
			if (src == RS_OK)
				src = mark_undone(ctx, e->seq, &serr);
		} else {
			struct hive *h = NULL;
			for (size_t k = 0; k < nh && !h; k++)
				if (strcmp(hive_rel(hives[k]), e->hive) == 0)
					h = hives[k];
			src = undo_registry(h, e, s, &serr);
		}
		s->ok = src == RS_OK;
		if (!s->ok) {
			snprintf(s->error, sizeof(s->error), "%s", serr.msg);
			partial = RS_EPARTIAL;
		}
	}

	/* Write each hive, then mark its entries undone. */
	for (size_t k = 0; rc == RS_OK && k < nh; k++) {
		struct rs_error cerr = { 0 };
		int crc = hive_commit(hives[k], &cerr);
		for (size_t i = 0; i < out->n; i++) {
			struct undo_step *s = &out->steps[i];
			const struct journal_entry *e = NULL;
			for (size_t m = 0; m < j.n && !e; m++)
				if (j.v[m].seq == s->seq)
					e = &j.v[m];
			if (!e || e->kind == JOURNAL_FILE || strcmp(e->hive, hive_rel(hives[k])) != 0 || !s->ok)
				continue;
			if (crc != RS_OK) {
				s->ok = false;
				snprintf(s->error, sizeof(s->error), "%s", cerr.msg);
				partial = RS_EPARTIAL;
			} else if (mark_undone(ctx, s->seq, &cerr) != RS_OK) {
				s->ok = false;
				snprintf(s->error, sizeof(s->error), "%s", cerr.msg);
				partial = RS_EPARTIAL;
			}
		}
	}
	for (size_t k = 0; k < nh; k++)
		hive_close(hives[k]);
	free(hives);
	journal_free(&j);
	if (rc) {
		undo_report_free(out);
		return rc;
	}
	if (partial)
		return rs_fail(err, RS_EPARTIAL, "some changes could not be undone (see each step)");
	return RS_OK;
}
