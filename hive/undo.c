/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hive/undo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hive/hive.h"
#include "rescue/base/journal.h"
#include "hive/recover.h"
#include "rescue/base/undopolicy.h"
#include "rescue/base/fileutil.h"
#include "rescue/scan/quarantine.h"
#include "rescue/volume/permissions.h"
#include "rescue/base/safefile.h"
#include "rescue/base/winpath.h"

#define UNDO_ITEM "undo"
#define UNDO_ALL "all"

static bool is_registry(const struct journal_entry *e)
{
	return e->kind == JOURNAL_VALUE || e->kind == JOURNAL_KEY;
}

static bool is_recovery(const struct journal_entry *e)
{
	return e->kind == JOURNAL_FILE && strcmp(e->item, RECOVER_ITEM) == 0;
}

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
	/* A plain undo reverts the containment changes only.  Recovering a
	 * dirty hive from its logs is not one: the hive stays recovered
	 * (`undo recover` reverts it).  Nor is a quarantine: a technician who
	 * undoes containment must not get the worm back on the disk with it
	 * (`undo quarantine` or `quarantine restore ID` asks for that), nor
	 * its Deny entries on the security products' folders (`undo
	 * permissions`). */
	if (nitems == 0)
		return strcmp(e->item, RECOVER_ITEM) != 0 && strcmp(e->item, RS_QUARANTINE_ITEM) != 0 &&
		       strcmp(e->item, PERM_ITEM) != 0;
	/* "all": every change, the recoveries too: the machine as it was
	 * before rescue's first write. */
	for (size_t i = 0; i < nitems; i++)
		if (strcasecmp(items[i], e->item) == 0 || strcasecmp(items[i], UNDO_ALL) == 0)
			return true;
	return false;
}

/* What this undo reverts: the entries of the chosen items (selected) that
 * are trusted (untrusted[i] false for entry i of j). */
struct pick {
	char *const *items;
	size_t nitems;
	const struct journal *j;
	const bool *untrusted;
};

static bool picked(const struct pick *p, const struct journal_entry *e)
{
	return selected(e, p->items, p->nitems) && !p->untrusted[e - p->j->v];
}

/* Whether undo may act on E: its MAC verified (or it is unsigned and FLAGS
 * trust unsigned entries) and it asks for nothing outside what rescue
 * changes.  WHY says why not. */
static bool trusted(const struct journal_entry *e, unsigned flags, char *why, size_t whylen)
{
	if (e->trust == JOURNAL_UNVERIFIED) {
		snprintf(why, whylen, "untrusted: %s", e->why);
		return false;
	}
	if (e->trust == JOURNAL_UNSIGNED && !(flags & UNDO_TRUST_UNSIGNED)) {
		snprintf(why, whylen, "untrusted: %s; `rescue undo --trust-unsigned` reverts it once you checked it",
			 e->why);
		return false;
	}
	char what[200];
	if (!undo_policy_allows(e, what, sizeof(what))) {
		snprintf(why, whylen, "untrusted: %s", what);
		return false;
	}
	return true;
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
	s->line = e->line;
	snprintf(s->item, sizeof(s->item), "%s", e->item);
	if (e->kind == JOURNAL_FILE)
		snprintf(s->what, sizeof(s->what), "%s", e->path);
	else if (e->kind == JOURNAL_ACL)
		snprintf(s->what, sizeof(s->what), "security descriptor of %s", e->path);
	else if (e->kind == JOURNAL_QUARANTINE)
		snprintf(s->what, sizeof(s->what), "%s%s%s", e->path, e->stream[0] ? ":" : "", e->stream);
	else
		snprintf(s->what, sizeof(s->what), "%s: %s%s%s", e->hive, e->key,
			 e->kind == JOURNAL_VALUE ? " " : " (key)",
			 e->kind == JOURNAL_VALUE ? (e->value[0] ? e->value : "(default)") : "");
	return s;
}

/* The SHA-256 of the file at FILE (a resolved path) into SHA; false when it
 * cannot be read (missing, a link, not a regular file). */
static bool file_sha(const char *file, char sha[65])
{
	uint8_t *buf;
	size_t len;
	if (file_read_all(file, (size_t)1 << 30, &buf, &len) != 0)
		return false;
	sha256_hex(buf, len, sha);
	free(buf);
	return true;
}

/* Whether FILE (the resolved path of FILE entry E) still holds what rescue
 * wrote there. */
static bool file_left_as(const char *file, const struct journal_entry *e)
{
	char sha[65];
	bool exists = file_sha(file, sha);
	return e->new_present ? (exists && strcmp(sha, e->new_sha256) == 0) : !exists;
}

/* The same for E's path, resolved here. */
static bool file_as_left(struct rs_ctx *ctx, const struct journal_entry *e)
{
	char file[PATH_MAX];
	return winpath_resolve_new(ctx->root, e->path, file, sizeof(file)) == 0 && file_left_as(file, e);
}

/* A recovery (item "recover") writes the recovered primary, then empties
 * its logs, all in one run: the primary's entry is the one whose path,
 * followed by '.', begins each log's path.  The primary of E, or E. */
static const struct journal_entry *recovery_primary(const struct journal *j, const struct journal_entry *e)
{
	for (size_t i = 0; i < j->n; i++) {
		const struct journal_entry *p = &j->v[i];
		size_t n = strlen(p->path);
		if (p != e && is_recovery(p) && strcmp(p->run, e->run) == 0 && strncasecmp(p->path, e->path, n) == 0 && e->path[n] == '.')
			return p;
	}
	return e;
}

/* Whether entry SEQ was reverted by this run (its step ok). */
static bool undone_now(const struct undo_report *r, long seq)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->steps[i].seq == seq && !r->steps[i].untrusted)
			return r->steps[i].ok;
	return false;
}

/* Whether the recovery whose primary entry is P may be reverted, decided
 * once for the primary and its logs before any of them is put back; WHY
 * says why not.  The primary need not hold the recovered bytes any more
 * when every later change rescue made to that hive is undone (before, or
 * in this run: the hive is written again by those undos, so its bytes
 * differ, but what it holds is rescue's own doing, all reverted) and its
 * logs are still as the recovery left them (empty: Windows writes its logs
 * as soon as it runs, so a log changed since means Windows ran and the
 * dirty original is out of date). */
static bool recovery_revertible(struct rs_ctx *ctx, const struct journal *j, const struct undo_report *r,
				const struct journal_entry *p, char *why, size_t whylen)
{
	int dirlen = (int)(strrchr(p->backup, '/') ? strrchr(p->backup, '/') - p->backup : 0);
	if (file_as_left(ctx, p))
		return true;
	char items[256] = "";
	bool later = false;
	for (size_t i = 0; i < j->n; i++) {
		const struct journal_entry *e = &j->v[i];
		if (e->seq <= p->seq || strcmp(e->item, UNDO_ITEM) == 0 || strcmp(e->item, RECOVER_ITEM) == 0)
			continue;
		if (!(is_registry(e) && strcasecmp(e->hive, p->path) == 0) &&
		    !(e->kind == JOURNAL_FILE && strcasecmp(e->path, p->path) == 0))
			continue;
		later = true;
		if (e->undone || undone_now(r, e->seq))
			continue;
		size_t n = strlen(items);
		char word[40];
		snprintf(word, sizeof(word), " %s ", e->item);
		char padded[260];
		snprintf(padded, sizeof(padded), " %s ", items);
		if (!strstr(padded, word))
			snprintf(items + n, sizeof(items) - n, "%s%s", n ? " " : "", e->item);
	}
	if (items[0]) {
		snprintf(why, whylen, "left as it is: rescue changed the hive %s after recovering it and those "
			 "changes stand; undo them first (`rescue undo %s`), or everything at once with "
			 "`rescue undo all`", p->path, items);
		return false;
	}
	for (size_t i = 0; later && i < j->n; i++) {
		const struct journal_entry *l = &j->v[i];
		if (l != p && is_recovery(l) && !l->undone && recovery_primary(j, l) == p && !file_as_left(ctx, l)) {
			snprintf(why, whylen, "left as it is: %s changed since rescue emptied it (Windows ran since?); "
				 "the dirty hive and its logs are kept in %.*s", l->path, dirlen, p->backup);
			return false;
		}
	}
	if (!later) {
		snprintf(why, whylen, "left as it is: its hive %s changed since rescue recovered it, not by rescue "
			 "(the dirty hive and its logs are kept in %.*s)", p->path, dirlen, p->backup);
		return false;
	}
	return true;
}

/* Revert one FILE entry: the old content back, or the file removed when
 * rescue created it.  A file changed since is left alone and reported,
 * unless ANYWAY (a recovered primary recovery_revertible allowed). */
static int undo_file(struct rs_ctx *ctx, const struct journal_entry *e, bool anyway, struct undo_step *s,
		     struct rs_error *err)
{
	/* A path through a link is refused by name: nothing is followed. */
	char file[PATH_MAX];
	if (winpath_resolve_new(ctx->root, e->path, file, sizeof(file)) != 0)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "%s", e->path);
	if (!anyway && !file_left_as(file, e))
		return rs_fail(err, RS_EPARTIAL, "%s changed since rescue wrote it; left as it is", e->path);
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

/* Whether the plain file REL holds bytes whose SHA-256 is SHA. */
static bool file_holds(struct rs_ctx *ctx, const char *rel, const char *sha)
{
	char file[PATH_MAX], got[65];
	return winpath_resolve(ctx->root, rel, file, sizeof(file)) == 0 && file_sha(file, got) &&
	       strcmp(got, sha) == 0;
}

/* Revert one QUARANTINE entry: rs_quarantine_restore puts the original bytes
 * back.  One restored already (`rescue quarantine restore`) is noted, not
 * restored twice. */
static int undo_quarantine(struct rs_ctx *ctx, const struct journal_entry *e, struct undo_step *s,
			   struct rs_error *err)
{
	struct rs_quarantine_entry *q = NULL;
	size_t nq = 0;
	struct rs_error lerr = { 0 };
	int rc = rs_quarantine_list(ctx, &q, &nq, &lerr);
	bool held = false;
	for (size_t i = 0; i < nq && !held; i++)
		held = strcmp(q[i].id, e->id) == 0 && strcmp(q[i].path, e->path) == 0 &&
		       strcmp(q[i].stream ? q[i].stream : "", e->stream) == 0;
	rs_quarantine_list_free(q, nq);
	if (held) {
		char restored[PATH_MAX];
		snprintf(s->restored, sizeof(s->restored), "original bytes from %s/%s/%.16s...", RS_PATH_RESCUE,
			 RS_QUARANTINE_DIR, e->id);
		return rs_quarantine_restore(ctx, e->id, restored, sizeof(restored), err);
	}
	if (rc != RS_OK && nq == 0)
		return rs_fail(err, RS_EPARTIAL, "quarantine unreadable: %s", lerr.msg);
	if (!e->stream[0] && !file_holds(ctx, e->path, e->old_sha256))
		return rs_fail(err, RS_EPARTIAL, "no longer in the quarantine (purged?) and not at its place: "
			       "cannot be put back");
	snprintf(s->restored, sizeof(s->restored), "(already back: not in the quarantine any more, restored "
		 "with `rescue quarantine restore`)");
	return RS_OK;
}

/* Revert one KEY entry in the open hive H (not yet committed). */
static int undo_key(struct hive *h, const struct journal_entry *e, struct undo_step *s, struct rs_error *err)
{
	snprintf(s->restored, sizeof(s->restored), "(removed when empty)");
	/* A key rescue deleted (itself an undo) is never undone. */
	return e->new_present ? hive_delete_empty_key(h, UNDO_ITEM, e->key, err) : RS_OK;
}

/* The edit that reverts VALUE entry E: its old data back, or the value
 * removed when it was absent; S says which. */
static struct hive_value_edit value_edit(const struct journal_entry *e, struct undo_step *s)
{
	if (!e->old_present) {
		snprintf(s->restored, sizeof(s->restored), "(removed)");
		return (struct hive_value_edit){ .name = e->value, .remove = true };
	}
	struct reg_value old = { .present = true, .type = e->old_type, .len = e->old_len, .data = e->old_data };
	reg_value_format(&old, s->restored, sizeof(s->restored));
	return (struct hive_value_edit){ .name = e->value, .type = e->old_type,
					 .data = e->old_data ? e->old_data : (uint8_t *)"", .len = e->old_len };
}

/* A step's outcome: SRC and, when it failed, SERR's message. */
static void step_result(struct undo_step *s, int src, const struct rs_error *serr, int *partial)
{
	s->ok = src == RS_OK;
	if (!s->ok) {
		snprintf(s->error, sizeof(s->error), "%s", serr->msg);
		*partial = RS_EPARTIAL;
	}
}

/* Whether this run has a step for the entry of journal line LINE already
 * (by line: a forged line may repeat a genuine seq). */
static bool has_step(const struct undo_report *r, size_t line)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->steps[i].line == line)
			return true;
	return false;
}

/* Whether a picked registry entry edits the hive REL. */
static bool hive_needed(const struct pick *pk, const char *rel)
{
	for (size_t i = 0; i < pk->j->n; i++)
		if (picked(pk, &pk->j->v[i]) && is_registry(&pk->j->v[i]) && strcasecmp(pk->j->v[i].hive, rel) == 0)
			return true;
	return false;
}

static int mark_undone(struct rs_ctx *ctx, long seq, struct rs_error *err);

/* Whether the newest-first walk of undo_run takes entry E at all. */
static bool to_revert(const struct pick *pk, const struct undo_report *out, const struct journal_entry *e)
{
	return picked(pk, e) && !is_recovery(e) && !has_step(out, e->line);
}

/* Revert the VALUE entry at index I and, with it, the entries the walk
 * takes next (older) while they are VALUE entries of the same key: one
 * rewrite of the key in H for all of them (libhivex rewrites every value
 * of a key per edit: the 174 firewall rules of a key, one by one, took
 * minutes under ASan), each still its own step, in the same order.  The
 * index of the oldest entry of the run, where the walk goes on. */
static size_t undo_value_run(const struct pick *pk, struct hive *h, size_t i, struct undo_report *out,
			     int *partial, int *rc, struct rs_error *err)
{
	const struct journal *j = pk->j;
	const struct journal_entry *first = &j->v[i];
	size_t *steps = calloc(i + 1, sizeof(*steps));
	struct hive_value_edit *edits = calloc(i + 1, sizeof(*edits));
	size_t m = 0, oldest = i;
	bool oom = !steps || !edits;
	for (size_t k = i + 1; !oom && k-- > 0;) {
		const struct journal_entry *e = &j->v[k];
		if (k != i && !to_revert(pk, out, e))
			continue;
		if (e->kind != JOURNAL_VALUE || strcmp(e->hive, first->hive) != 0 || strcasecmp(e->key, first->key) != 0)
			break;
		struct undo_step *s = add_step(out, e);
		if (!(oom = !s)) {
			steps[m] = (size_t)(s - out->steps);
			edits[m++] = value_edit(e, s);
			oldest = k;
		}
	}
	if (m) {
		struct rs_error serr = { 0 };
		int src = hive_edit_values(h, UNDO_ITEM, first->key, edits, m, &serr);
		for (size_t k = 0; k < m; k++)
			step_result(&out->steps[steps[k]], src, &serr, partial);
	}
	if (oom)
		*rc = rs_fail(err, RS_EPARTIAL, "out of memory");
	free(steps);
	free(edits);
	return oldest;
}

/* Revert quarantine entry E (a step of OUT, marked undone when it went back). */
static void undo_quarantine_step(struct rs_ctx *ctx, const struct journal_entry *e, struct undo_report *out,
				 int *partial, int *rc, struct rs_error *err)
{
	struct undo_step *s = add_step(out, e);
	if (!s) {
		*rc = rs_fail(err, RS_EPARTIAL, "out of memory");
		return;
	}
	struct rs_error serr = { 0 };
	int src = undo_quarantine(ctx, e, s, &serr);
	if (src == RS_OK)
		src = mark_undone(ctx, e->seq, &serr);
	step_result(s, src, &serr, partial);
}

static int mark_undone(struct rs_ctx *ctx, long seq, struct rs_error *err)
{
	struct journal_entry u = { .kind = JOURNAL_UNDONE, .of = seq };
	snprintf(u.item, sizeof(u.item), UNDO_ITEM);
	return journal_append(ctx, &u, err);
}

int undo_run(struct rs_ctx *ctx, char *const *items, size_t nitems, unsigned flags, struct undo_report *out,
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

	/* The selected entries undo cannot tie to a rescue run are listed
	 * first, each as an untrusted step, and take no further part. */
	bool *untrusted = calloc(j.n + 1, sizeof(*untrusted));
	if (!untrusted) {
		journal_free(&j);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	struct pick pk = { .items = items, .nitems = nitems, .j = &j, .untrusted = untrusted };
	for (size_t i = 0; rc == RS_OK && i < j.n; i++) {
		const struct journal_entry *e = &j.v[i];
		char why[sizeof(out->steps->error)];
		if (!selected(e, items, nitems) || trusted(e, flags, why, sizeof(why)))
			continue;
		untrusted[i] = true;
		struct undo_step *s = add_step(out, e);
		if (!s) {
			rc = rs_fail(err, RS_EPARTIAL, "out of memory");
			break;
		}
		s->untrusted = true;
		snprintf(s->error, sizeof(s->error), "%s", why);
		out->nuntrusted++;
	}

	int partial = RS_OK;
	/* A hive those entries edit that sits in the quarantine (older rescues
	 * quarantined hives a rule matched) comes back first, so that it can
	 * be opened below. */
	for (size_t i = j.n; rc == RS_OK && i-- > 0;) {
		const struct journal_entry *e = &j.v[i];
		if (picked(&pk, e) && e->kind == JOURNAL_QUARANTINE && !e->stream[0] && hive_needed(&pk, e->path))
			undo_quarantine_step(ctx, e, out, &partial, &rc, err);
	}

	/* Open every hive the selected entries touch before changing any, so
	 * a hive that cannot be written leaves all of them as they are.  One
	 * that cannot be opened (missing, damaged) holds back every registry
	 * entry, each failing with its reason; files and the quarantine still
	 * go back: they do not depend on the hives. */
	struct hive **hives = calloc(j.n + 1, sizeof(*hives));
	size_t nh = 0;
	struct rs_error herr = { 0 };
	bool held = false;
	if (!hives) {
		free(untrusted);
		journal_free(&j);
		undo_report_free(out);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	for (size_t i = 0; rc == RS_OK && !held && i < j.n; i++) {
		const struct journal_entry *e = &j.v[i];
		if (!picked(&pk, e) || !is_registry(e))
			continue;
		bool have = false;
		for (size_t k = 0; k < nh && !have; k++)
			have = strcmp(hive_rel(hives[k]), e->hive) == 0;
		if (!have && hive_open(ctx, e->hive, HIVE_WRITE, &hives[nh], &herr) == RS_OK)
			nh++;
		else if (!have)
			held = true;
	}
	if (held) {
		for (size_t k = 0; k < nh; k++)
			hive_close(hives[k]);
		nh = 0;
	}

	/* Newest first, so a value set twice ends at its oldest data and keys
	 * are removed after the values in them.  Recoveries are the oldest
	 * change to their hive: they wait until the hives are written. */
	for (size_t i = j.n; rc == RS_OK && i-- > 0;) {
		const struct journal_entry *e = &j.v[i];
		if (!to_revert(&pk, out, e))
			continue;
		if (e->kind == JOURNAL_QUARANTINE) {
			undo_quarantine_step(ctx, e, out, &partial, &rc, err);
			continue;
		}
		struct hive *h = NULL;
		for (size_t k = 0; k < nh && is_registry(e) && !h; k++)
			if (strcmp(hive_rel(hives[k]), e->hive) == 0)
				h = hives[k];
		if (e->kind == JOURNAL_VALUE && !held) {
			i = undo_value_run(&pk, h, i, out, &partial, &rc, err);
			continue;
		}
		struct undo_step *s = add_step(out, e);
		if (!s && (rc = rs_fail(err, RS_EPARTIAL, "out of memory")))
			break;
		struct rs_error serr = { 0 };
		int src;
		if (e->kind == JOURNAL_FILE || e->kind == JOURNAL_ACL) {
			src = e->kind == JOURNAL_FILE ? undo_file(ctx, e, false, s, &serr)
			      : perm_restore(ctx, UNDO_ITEM, e->path, e->old_data, e->old_len, e->new_data, e->new_len, &serr);
			if (e->kind == JOURNAL_ACL)
				snprintf(s->restored, sizeof(s->restored), "the old descriptor (%zu bytes)", e->old_len);
			if (src == RS_OK)
				src = mark_undone(ctx, e->seq, &serr);
		} else if (held) {
			src = rs_fail(&serr, RS_EPARTIAL, "not undone: %s (no registry change goes back while a hive "
				      "it needs cannot be opened)", herr.msg);
		} else {
			src = undo_key(h, e, s, &serr);
		}
		step_result(s, src, &serr, &partial);
	}

	/* Write each hive, then mark its entries undone. */
	for (size_t k = 0; rc == RS_OK && k < nh; k++) {
		struct rs_error cerr = { 0 };
		int crc = hive_commit(hives[k], &cerr);
		for (size_t i = 0; i < out->n; i++) {
			struct undo_step *s = &out->steps[i];
			const struct journal_entry *e = NULL;
			for (size_t m = 0; m < j.n && !e; m++)
				if (j.v[m].line == s->line)
					e = &j.v[m];
			if (!e || !is_registry(e) || strcmp(e->hive, hive_rel(hives[k])) != 0 || !s->ok)
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

	/* The recoveries, newest first (logs before their primary): whether a
	 * recovery may go back is decided for all of its files before any is
	 * put back. */
	struct verdict { bool decided, ok; char why[512]; } *v = rc ? NULL : calloc(j.n + 1, sizeof(*v));
	if (!rc && !v)
		rc = rs_fail(err, RS_EPARTIAL, "out of memory");
	for (size_t i = j.n; v && i-- > 0;) {
		const struct journal_entry *e = &j.v[i];
		if (!picked(&pk, e) || !is_recovery(e))
			continue;
		struct verdict *d = &v[recovery_primary(&j, e) - j.v];
		if (!d->decided) {
			d->ok = recovery_revertible(ctx, &j, out, recovery_primary(&j, e), d->why, sizeof(d->why));
			d->decided = true;
		}
	}
	for (size_t i = j.n; v && i-- > 0;) {
		const struct journal_entry *e = &j.v[i];
		if (!picked(&pk, e) || !is_recovery(e))
			continue;
		const struct journal_entry *p = recovery_primary(&j, e);
		const struct verdict *d = &v[p - j.v];
		struct undo_step *s = add_step(out, e);
		if (!s && (rc = rs_fail(err, RS_EPARTIAL, "out of memory")))
			break;
		struct rs_error serr = { 0 };
		int src;
		if (!d->ok && p != e)
			src = rs_fail(&serr, RS_EPARTIAL, "left as it is: goes back only together with its hive %s",
				      p->path);
		else if (!d->ok)
			src = rs_fail(&serr, RS_EPARTIAL, "%s", d->why);
		else
			src = undo_file(ctx, e, p == e, s, &serr);
		if (src == RS_OK)
			src = mark_undone(ctx, e->seq, &serr);
		step_result(s, src, &serr, &partial);
	}
	free(v);
	free(untrusted);
	journal_free(&j);
	if (rc) {
		undo_report_free(out);
		return rc;
	}
	if (out->nuntrusted)
		return rs_fail(err, RS_EPARTIAL, "%zu untrusted journal entr%s skipped%s (see each step)",
			       out->nuntrusted, out->nuntrusted == 1 ? "y" : "ies",
			       partial ? "; some changes could not be undone" : "");
	if (partial)
		return rs_fail(err, RS_EPARTIAL, "some changes could not be undone (see each step)");
	return RS_OK;
}
