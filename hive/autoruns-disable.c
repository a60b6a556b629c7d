/* SPDX-License-Identifier: GPL-2.0-or-later */
/* autoruns-disable.c - disabling autostart entries reversibly: every change
 * through the hive layer or safefile with item "autoruns" (undo records). */
#include "hive/autoruns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hive/autoruns-priv.h"
#include "hive/cmdline.h"
#include "hive/hive.h"
#include "rescue/base/safefile.h"
#include "rescue/base/utf16.h"

#define MAX_WRITE_HIVES 32

struct writer {
	struct rs_ctx *ctx;
	struct hive *h[MAX_WRITE_HIVES];
	size_t n;
};

static struct hive *writer_hive(struct writer *w, const char *rel, struct rs_error *err)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(hive_rel(w->h[i]), rel) == 0)
			return w->h[i];
	if (w->n == MAX_WRITE_HIVES) {
		rs_fail(err, RS_EPARTIAL, "too many hives in one run");
		return NULL;
	}
	struct hive *h;
	if (hive_open(w->ctx, rel, HIVE_WRITE, &h, err) != RS_OK)
		return NULL;
	w->h[w->n++] = h;
	return h;
}

struct rebuild {
	const char *drop;
	char out[4096];
	char sep;
	bool dropped;
};

static void keep_item(const char *item, void *ud)
{
	struct rebuild *r = ud;
	if (!r->dropped && strcasecmp(item, r->drop) == 0) {
		r->dropped = true;
		return;
	}
	size_t n = strlen(r->out);
	snprintf(r->out + n, sizeof(r->out) - n, "%s%s", n ? (char[]){ r->sep, 0 } : "", item);
}

/* Take A's item out of its list value; Windows' default when none is left. */
static int disable_list_item(struct hive *h, const struct autorun *a, const char *sysroot_win, char *action,
			     size_t alen, struct rs_error *err)
{
	const char *base = cmdline_basename(a->target);
	if (a->kind == AR_WINLOGON && (strcasecmp(base, "userinit.exe") == 0 || strcasecmp(base, "explorer.exe") == 0))
		return rs_fail(err, RS_EUSAGE, "%s is Windows' own logon program; not disabled", a->item);
	struct reg_value v;
	int rc = hive_get(h, a->key, a->value, &v, err);
	if (rc)
		return rc;
	if (!v.present || (v.type != REGT_SZ && v.type != REGT_EXPAND_SZ)) {
		reg_value_free(&v);
		snprintf(action, alen, "already gone");
		return RS_OK;
	}
	char *cur = utf16le_to_utf8(v.data, v.len);
	uint32_t type = v.type;
	reg_value_free(&v);
	if (!cur)
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	const char *seps = a->kind == AR_APPINIT ? SEP_APPINIT : SEP_WINLOGON;
	struct rebuild r = { .drop = a->item, .sep = a->kind == AR_APPINIT ? ' ' : ',' };
	if (a->kind == AR_APPINIT && !strchr(cur, ' ') && strchr(cur, ','))
		r.sep = ',';
	ar_split_list(cur, seps, keep_item, &r);
	free(cur);
	if (!r.dropped) {
		snprintf(action, alen, "already gone");
		return RS_OK;
	}
	if (!r.out[0] && a->kind == AR_WINLOGON) {
		if (a->user[0]) {
			/* a user's Shell overrides the machine's: without it, Windows' own */
			snprintf(action, alen, "deleted value (the machine's shell applies)");
			return hive_delete_value(h, AUTORUNS_ITEM, a->key, a->value, err);
		}
		if (strcasecmp(a->value, "Userinit") == 0)
			snprintf(r.out, sizeof(r.out), "%s\\system32\\userinit.exe,", sysroot_win);
		else
			snprintf(r.out, sizeof(r.out), "explorer.exe");
	} else if (a->kind == AR_WINLOGON && strcasecmp(a->value, "Userinit") == 0) {
		size_t n = strlen(r.out);
		snprintf(r.out + n, sizeof(r.out) - n, ",");   /* Windows writes it with a trailing comma */
	}
	snprintf(action, alen, "set to \"%s\"", r.out);
	return hive_set_sz(h, AUTORUNS_ITEM, a->key, a->value, type, r.out, err);
}

/* Delete every value of KEY (the TaskCache entry of a task).  The key
 * itself stays: undo restores values, not deleted keys, and an empty key is
 * a task the scheduler cannot load, which is what disabling means. */
static int clear_key_values(struct hive *h, const char *key, size_t *count, struct rs_error *err)
{
	if (!hive_lookup(h, key))
		return RS_OK;
	char **names = ar_names_of(h, key, true);
	if (!names)
		return rs_fail_errno(err, RS_ETARGET, errno, "hive %s: reading %s", hive_rel(h), key);
	int rc = RS_OK;
	for (size_t i = 0; names[i] && rc == RS_OK; i++) {
		rc = hive_delete_value(h, AUTORUNS_ITEM, key, names[i], err);
		if (rc == RS_OK)
			(*count)++;
	}
	ar_free_names(names);
	return rc;
}

static int disable_taskcache(struct writer *w, const struct autorun *a, struct hive **used, char *action,
			     size_t alen, struct rs_error *err)
{
	if (!a->taskcache[0])
		return RS_OK;
	struct hive *h = writer_hive(w, HIVE_SOFTWARE, err);
	if (!h)
		return err->code ? err->code : RS_EPARTIAL;
	*used = h;
	size_t count = 0;
	int rc = clear_key_values(h, a->taskcache, &count, err);
	if (rc == RS_OK && a->task_id[0]) {
		char key[1200];
		snprintf(key, sizeof(key), "%s\\%s", KEY_TASKS, a->task_id);
		rc = clear_key_values(h, key, &count, err);
	}
	size_t n = strlen(action);
	snprintf(action + n, alen - n, "%sdeleted %zu TaskCache value%s", n ? "; " : "", count, count == 1 ? "" : "s");
	return rc;
}

static int disable_one(struct writer *w, const struct autorun *a, const char *sysroot_win, struct hive **used,
		       char *action, size_t alen, struct rs_error *err)
{
	struct hive *h = NULL;
	int rc;
	switch (a->kind) {
	case AR_RUN:
	case AR_IFEO:
	case AR_SERVICE:
	case AR_DRIVER:
	case AR_WINLOGON:
	case AR_APPINIT:
		if (!(h = writer_hive(w, a->hive, err)))
			return err->code ? err->code : RS_EPARTIAL;
		*used = h;
		if (a->kind == AR_SERVICE || a->kind == AR_DRIVER) {
			if (a->start == 4) {
				snprintf(action, alen, "already disabled (Start 4)");
				return RS_OK;
			}
			if (a->start >= 0)
				snprintf(action, alen, "Start %ld -> 4", a->start);
			else
				snprintf(action, alen, "Start (absent) -> 4");
			return hive_set_dword(h, AUTORUNS_ITEM, a->key, "Start", 4, err);
		}
		if (a->kind == AR_WINLOGON || a->kind == AR_APPINIT)
			return disable_list_item(h, a, sysroot_win, action, alen, err);
		snprintf(action, alen, "deleted value");
		return hive_delete_value(h, AUTORUNS_ITEM, a->key, a->value, err);
	case AR_STARTUP:
	case AR_TASK_JOB:
	case AR_TASK_XML:
		if (!a->file[0])
			return rs_fail(err, RS_EUSAGE, "not read (%s): nothing rescue may set aside; look at it by hand",
				       a->unread);
		rc = safefile_remove(w->ctx, AUTORUNS_ITEM, a->file, err);
		if (rc)
			return rc;
		snprintf(action, alen, "set aside %s", a->file);
		/* Windows 10 runs tasks from the TaskCache copy as well as the
		 * file: both go, or the task still runs. */
		return a->kind == AR_TASK_XML ? disable_taskcache(w, a, used, action, alen, err) : RS_OK;
	case AR_TASK_REG:
		return disable_taskcache(w, a, used, action, alen, err);
	case AR_KIND_N:
		break;
	}
	return rs_fail(err, RS_EUSAGE, "unknown entry kind");
}

/* The Windows folder as a Windows path (SOFTWARE's SystemRoot), for
 * Userinit's default, into OUT. */
static void sysroot_windows(struct rs_ctx *ctx, char *out, size_t len)
{
	snprintf(out, len, "C:\\Windows");
	struct hive *sw;
	struct rs_error sub = { 0 };
	if (hive_open(ctx, HIVE_SOFTWARE, 0, &sw, &sub) != RS_OK)
		return;
	char *s = hive_get_string(sw, KEY_NTCV, "SystemRoot");
	if (s && s[0])
		snprintf(out, len, "%s", s);
	free(s);
	hive_close(sw);
}

/* One step of REPORT per id of IDS[0..nids), the entry disabled through W
 * (USED[i]: the hive step i changed).  RS_EPARTIAL when one failed. */
static int disable_steps(struct writer *w, const struct autoruns *a, char *const *ids, size_t nids,
			 const char *sysroot_win, struct hive **used, struct autoruns_report *report)
{
	int partial = RS_OK;
	for (size_t i = 0; i < nids; i++) {
		const struct autorun *e = autoruns_find(a, ids[i]);
		struct autoruns_step *s = &report->steps[report->n++];
		snprintf(s->id, sizeof(s->id), "%s", e->id);
		s->kind = e->kind;
		snprintf(s->what, sizeof(s->what), "%s: %s%s%s", e->location, e->name, e->item[0] ? " " : "", e->item);
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup |= strcmp(report->steps[k].id, e->id) == 0;
		if (dup) {
			snprintf(s->action, sizeof(s->action), "(named twice)");
			s->ok = true;
			continue;
		}
		struct rs_error serr = { 0 };
		s->ok = disable_one(w, e, sysroot_win, &used[i], s->action, sizeof(s->action), &serr) == RS_OK;
		if (!s->ok) {
			snprintf(s->error, sizeof(s->error), "%s", serr.msg);
			partial = RS_EPARTIAL;
		}
	}
	return partial;
}

/* One write per hive W opened; a failed write fails every step of REPORT
 * that used it (USED).  RS_EPARTIAL when one failed. */
static int commit_hives(struct writer *w, struct hive **used, struct autoruns_report *report)
{
	int partial = RS_OK;
	for (size_t k = 0; k < w->n; k++) {
		struct rs_error cerr = { 0 };
		if (hive_commit(w->h[k], &cerr) == RS_OK)
			continue;
		partial = RS_EPARTIAL;
		for (size_t i = 0; i < report->n; i++)
			if (used[i] == w->h[k] && report->steps[i].ok) {
				report->steps[i].ok = false;
				snprintf(report->steps[i].error, sizeof(report->steps[i].error), "%s", cerr.msg);
			}
	}
	for (size_t k = 0; k < w->n; k++)
		hive_close(w->h[k]);
	return partial;
}

int autoruns_disable(struct rs_ctx *ctx, const struct autoruns *a, char *const *ids, size_t nids,
		     struct autoruns_report *report, struct rs_error *err)
{
	memset(report, 0, sizeof(*report));
	for (size_t i = 0; i < nids; i++)
		if (!autoruns_find(a, ids[i]))
			return rs_fail(err, RS_EUSAGE, "no autostart entry with id %s (see `rescue autoruns --all`)", ids[i]);
	int rc = rs_ctx_check_writable(ctx, err);
	if (rc && !(ctx->flags & RS_CTX_DRY_RUN))
		return rc;
	if (nids == 0)
		return RS_OK;
	report->steps = calloc(nids, sizeof(*report->steps));
	struct hive **used = calloc(nids, sizeof(*used));
	if (!report->steps || !used) {
		free(used);
		autoruns_report_free(report);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	char sysroot_win[300];
	sysroot_windows(ctx, sysroot_win, sizeof(sysroot_win));
	struct writer w = { .ctx = ctx };
	int partial = disable_steps(&w, a, ids, nids, sysroot_win, used, report);
	if (commit_hives(&w, used, report) != RS_OK)
		partial = RS_EPARTIAL;
	free(used);
	if (partial)
		return rs_fail(err, RS_EPARTIAL, "some autostart entries could not be disabled (see each step)");
	return RS_OK;
}
