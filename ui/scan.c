/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scan.c - Scan: the volume scanned with the rules (rescue/scan/scan.h) in a
 * worker thread, with a progress bar (files, MB/s, ETA, the current path)
 * and the detections appearing as they are found; c cancels and keeps what
 * was found.  Afterwards each detection can be quarantined, restored or
 * ignored.  The screen decides nothing: the scan reports through the core's
 * clean-up flow (rescue/run/clean.h), a quarantine hands it the listed path
 * and SHA-256 (no new scan), and the autostart entries that start what was
 * quarantined are disabled by it, as `scan --quarantine` does.
 *
 * Curses is only ever called from the main thread: the scanner's callbacks
 * (worker threads) copy what they are given into `shared` under its mutex,
 * and the main loop's tick copies it out again. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/base/duration.h"
#include "rescue/base/grow.h"
#include "rescue/run/clean.h"
#include "rescue/run/conf.h"
#include "rescue/run/runrules.h"
#include "rescue/scan/quarantine.h"
#include "rescue/scan/rules.h"
#include "rescue/scan/scan.h"
#include "ui/dialog.h"
#include "ui/draw.h"
#include "ui/list.h"
#include "ui/ui.h"

enum scan_state { SS_IDLE, SS_RUNNING, SS_DONE };

/* What the UI knows of one detection. */
struct det {
	char *path;                 /* volume-relative, UTF-8 */
	char *stream;               /* NULL: the file's content */
	char *rules;
	char sha256[65];
	uint64_t size;
	char action[256];           /* "reported", "quarantined as <id>", "restored", "ignored", "... failed: ..." */
	enum rs_clean_outcome outcome;      /* the core's last word on it (rescue/run/clean.h) */
	enum det_mark { DM_NONE, DM_IGNORED, DM_RESTORED } mark;    /* what the person did here */
	char qid[80];               /* quarantine id while quarantined */
	const char *inspect;        /* kept on purpose by the quarantine (a hive): rs_quarantine_refusal's kind */
	size_t report_i;            /* its index in ui->report.det, SIZE_MAX before it is there */
	struct rs_rule_meta *meta;  /* what each matching rule says of itself (owned); d shows it */
	size_t nmeta;
	char **names;               /* every name of the file (hard links), names[0] its path (owned); for the report */
	size_t nnames;
};

/* Written by the scanner's threads, read by the main loop. */
static struct {
	pthread_mutex_t lock;
	struct rs_scan_progress p;
	char current[4096];
	struct det *det;
	size_t ndet, cap;
	bool cancel;
	bool finished;
	int rc;
	char error[512];
} shared = { .lock = PTHREAD_MUTEX_INITIALIZER };

static enum scan_state state;
static pthread_t worker;
static struct rs_rules *rules;
static long alert_score;            /* the boot settings' ioc_alert_score */
static struct rs_scan_result result;
static bool have_result;
static char root[4096];
static struct ui_list list;
static struct rs_scan_progress shown;   /* the last progress copied out */
static char shown_current[4096];
static const struct rs_ctx *scanned_ctx;
/* The clean-up flow of the last scan: its records; written by the scanner's
 * thread only while it runs, by the main loop only after it ended. */
static struct rs_clean clean;

static void det_free_all(void)
{
	for (size_t i = 0; i < shared.ndet; i++) {
		free(shared.det[i].path);
		free(shared.det[i].stream);
		free(shared.det[i].rules);
		for (size_t k = 0; k < shared.det[i].nmeta; k++)
			rs_rule_meta_free(&shared.det[i].meta[k]);
		free(shared.det[i].meta);
		for (size_t k = 0; k < shared.det[i].nnames; k++)
			free(shared.det[i].names[k]);
		free(shared.det[i].names);
	}
	free(shared.det);
	shared.det = NULL;
	shared.ndet = shared.cap = 0;
}

static int on_progress(const struct rs_scan_progress *p, void *user)
{
	(void)user;
	pthread_mutex_lock(&shared.lock);
	shared.p = *p;
	snprintf(shared.current, sizeof(shared.current), "%s", p->current ? p->current : "");
	shared.p.current = NULL;
	int stop = shared.cancel;
	pthread_mutex_unlock(&shared.lock);
	return stop;
}

static int on_detect(struct rs_scan_hit *hit, void *user)
{
	(void)user;
	/* the policy: report only; a person chooses afterwards */
	enum rs_clean_outcome outcome = rs_clean_hit(&clean, hit);
	pthread_mutex_lock(&shared.lock);
	struct det *v = grow_room(shared.det, &shared.cap, shared.ndet, sizeof(*v), 32);
	if (v)
		shared.det = v;
	if (shared.ndet < shared.cap) {
		struct det *d = &shared.det[shared.ndet];
		memset(d, 0, sizeof(*d));
		d->path = strdup(hit->path);
		d->stream = hit->stream ? strdup(hit->stream) : NULL;
		d->rules = strdup(hit->rules);
		snprintf(d->sha256, sizeof(d->sha256), "%s", hit->sha256);
		d->size = hit->size;
		snprintf(d->action, sizeof(d->action), "%s", hit->action);
		d->outcome = outcome;
		d->inspect = hit->inspect;
		d->report_i = SIZE_MAX;
		d->meta = hit->nmeta ? calloc(hit->nmeta, sizeof(*d->meta)) : NULL;
		for (size_t i = 0; d->meta && i < hit->nmeta; i++)
			if (rs_rule_meta_copy(&d->meta[d->nmeta], &hit->meta[i]) == 0)
				d->nmeta++;
		d->names = hit->nnames > 1 ? calloc(hit->nnames, sizeof(*d->names)) : NULL;
		for (size_t i = 0; d->names && i < hit->nnames; i++)
			if ((d->names[d->nnames] = strdup(hit->names[i])) != NULL)
				d->nnames++;
		if (d->path && d->rules)
			shared.ndet++;
	}
	int stop = shared.cancel;
	pthread_mutex_unlock(&shared.lock);
	return stop;
}

static void *scan_thread(void *arg)
{
	(void)arg;
	struct rs_scan_opts o = { .progress = on_progress, .detect = on_detect, .progress_ms = 200,
				  .ioc_alert_score = alert_score };
	struct rs_error err = { 0 };
	int rc = rs_scan_run(root, NULL, 0, rules, &o, &result, &err);
	pthread_mutex_lock(&shared.lock);
	shared.rc = rc;
	snprintf(shared.error, sizeof(shared.error), "%s", err.msg);
	shared.finished = true;
	pthread_mutex_unlock(&shared.lock);
	return NULL;
}

static void row_draw(void *data, size_t i, int y, int x, int w, bool sel)
{
	(void)data;
	/* the list is only drawn from the main thread, and rows are only ever
	 * appended, so reading under the lock keeps the pointers stable */
	pthread_mutex_lock(&shared.lock);
	const struct det *d = &shared.det[i];
	char name[4400];
	snprintf(name, sizeof(name), "%s%s%s", d->path, d->stream ? ":" : "", d->stream ? d->stream : "");
	/* Still on the disk is red, quarantined green; what a person set
	 * aside (ignored, restored) or a hive kept for inspection yellow. */
	static const enum ui_attr outcome_attr[RS_CLEAN_NOUTCOME] = {
		[RS_CLEAN_REPORTED] = UA_BAD, [RS_CLEAN_QUARANTINED] = UA_OK,
		[RS_CLEAN_KEPT] = UA_WARN, [RS_CLEAN_FAILED] = UA_BAD,
	};
	enum ui_attr a = d->mark != DM_NONE ? UA_WARN : outcome_attr[d->outcome];
	int aw = w >= 120 ? 40 : 14, rw = w >= 120 ? 40 : 20;
	draw_fill(y, x, 1, w, sel ? UA_SELECTED : UA_NORMAL);
	attron(draw_attr(sel ? UA_SELECTED : UA_NORMAL));
	draw_text_tail(y, x, w - aw - rw - 2, name);
	attroff(draw_attr(sel ? UA_SELECTED : UA_NORMAL));
	draw_field(y, x + w - aw - rw - 1, rw, sel ? UA_SELECTED : UA_DIM, d->rules);
	draw_field(y, x + w - aw, aw, sel ? UA_SELECTED : a, d->action);
	pthread_mutex_unlock(&shared.lock);
}

static void scan_init(struct ui *ui)
{
	list.draw_row = row_draw;
	if (scanned_ctx != ui->ctx && state != SS_RUNNING) {
		/* another installation: its own scan */
		if (have_result)
			rs_scan_result_free(&result);
		have_result = false;
		det_free_all();
		rs_clean_free(&clean);
		list.n = list.cur = list.top = 0;
		state = SS_IDLE;
		scanned_ctx = ui->ctx;
	}
}

static void start(struct ui *ui)
{
	struct rs_error err = { 0 };
	if (!rules) {
		/* the rules `auto` would use: on the boot image the stick's rules/
		 * (compiled once into its cache/) and learned/ (rescue/run/runrules.h) */
		struct rs_conf conf;
		if (conf_load_boot(&conf, &err) != RS_OK)
			ui_logf(ui, "scan: %s: the boot settings are not used", err.msg);
		alert_score = conf.ioc_alert_score;
		if (runrules_load(&conf, NULL, NULL, &rules, &err) != RS_OK) {
			rules = NULL;
			ui_step(ui, "scan", STEP_FAILED, "rules: %s", err.msg);
			dlg_message(ui, "Cannot load the rules", err.msg);
			return;
		}
		for (size_t i = 0; i < rs_rules_nwarnings(rules); i++)
			ui_logf(ui, "scan: rules: %s", rs_rules_warning(rules, i));
		if (rs_rules_cache_note(rules))
			ui_logf(ui, "scan: rules: %s", rs_rules_cache_note(rules));
	}
	snprintf(root, sizeof(root), "%s", ui->ctx->root);
	if (have_result)
		rs_scan_result_free(&result);
	have_result = false;
	det_free_all();
	rs_clean_free(&clean);
	/* Quarantined from the list only (a person asks for each), then what
	 * starts it disabled, as `scan --quarantine` does. */
	struct rs_clean_policy policy = { .quarantine = false, .tie = RS_CLEAN_TIE_QUARANTINED };
	rs_clean_init(&clean, ui->ctx, &policy);
	memset(&result, 0, sizeof(result));
	memset(&shown, 0, sizeof(shown));
	shown.eta_secs = -1;
	shown_current[0] = '\0';
	shared.cancel = shared.finished = false;
	memset(&shared.p, 0, sizeof(shared.p));
	shared.p.eta_secs = -1;
	shared.current[0] = '\0';
	list.n = list.cur = list.top = 0;
	if (pthread_create(&worker, NULL, scan_thread, NULL) != 0) {
		ui_step(ui, "scan", STEP_FAILED, "cannot start the scanner thread");
		return;
	}
	state = SS_RUNNING;
	ui->busy = true;
	ui_logf(ui, "scan: started on %s (rules: %s)", root, rs_rules_source(rules));
}

/* The scan ended: record it in the report (the step that said "no scan"
 * becomes this scan's), detections included. */
static void finished(struct ui *ui)
{
	pthread_join(worker, NULL);
	have_result = true;
	state = SS_DONE;
	ui->busy = false;
	list.n = shared.ndet;
	const struct rs_scan_result *r = &result;
	/* the last progress report may predate the last files: show the result */
	shown.files = r->files + r->streams;
	if (!r->cancelled)
		shown.files_total = shown.files;
	shown.bytes = r->bytes;
	shown.detections = shared.ndet;
	shown.secs = r->secs;
	shown.mbps = r->secs > 0 ? r->bytes / 1e6 / r->secs : 0;
	shown.walk_done = true;
	char what[512];
	snprintf(what, sizeof(what), "%llu files, %llu streams, %.1f MB in %.0f s, %zu detection%s, %zu not scanned",
		 (unsigned long long)r->files, (unsigned long long)r->streams, r->bytes / 1e6, r->secs, shared.ndet,
		 shared.ndet == 1 ? "" : "s", r->nskip);
	enum report_status st = r->cancelled ? STEP_REFUSED : shared.rc == RS_EUSAGE || shared.rc == RS_ETARGET
									    ? STEP_FAILED
									    : STEP_OK;
	ui_logf(ui, "scan: %s%s%s", r->cancelled ? "cancelled: " : "", what,
		shared.error[0] ? "" : "");
	if (ui->have_report) {
		struct report *rep = &ui->report;
		struct report_step *s = &rep->steps[ui->scan_step];
		s->status = st;
		s->secs = r->secs;
		snprintf(s->detail, sizeof(s->detail), "%s%s", r->cancelled ? "cancelled (incomplete): " : "", what);
		rep->files += r->files + r->streams;
		rep->bytes += r->bytes;
		rep->skipped += r->nskip;
		for (size_t i = 0; i < shared.ndet; i++) {
			struct det *d = &shared.det[i];
			char path[4400];
			snprintf(path, sizeof(path), "%s%s%s", d->path, d->stream ? ":" : "", d->stream ? d->stream : "");
			if (report_add_detection(rep, path, d->rules, d->sha256, d->size, d->action, d->inspect) == 0) {
				d->report_i = rep->ndet - 1;
				report_detection_meta(rep, d->meta, d->nmeta);
				report_detection_names(rep, (const char *const *)d->names, d->nnames);
			}
		}
	}
	for (size_t i = 0; i < shared.ndet; i++)
		ui_logf(ui, "scan: DETECTED %s%s%s [%s] sha256 %s", shared.det[i].path, shared.det[i].stream ? ":" : "",
			shared.det[i].stream ? shared.det[i].stream : "", shared.det[i].rules, shared.det[i].sha256);
	ui_status(ui, shared.ndet > 0, "Scan %s: %zu detection%s", r->cancelled ? "cancelled" : "finished",
		  shared.ndet, shared.ndet == 1 ? "" : "s");
}

static void scan_tick(struct ui *ui)
{
	if (state != SS_RUNNING)
		return;
	pthread_mutex_lock(&shared.lock);
	shown = shared.p;
	snprintf(shown_current, sizeof(shown_current), "%s", shared.current);
	list.n = shared.ndet;
	bool done = shared.finished;
	pthread_mutex_unlock(&shared.lock);
	if (done)
		finished(ui);
}

static void draw_progress_area(int y, int x, int w)
{
	const struct rs_scan_progress *p = &shown;
	double frac = 0;
	if (state == SS_DONE)
		frac = 1;
	else if (p->bytes_total)
		frac = (double)p->bytes / (double)p->bytes_total;
	if (state == SS_DONE && result.cancelled)
		frac = p->bytes_total ? (double)p->bytes / (double)p->bytes_total : 0;
	draw_progress(y, x, w - 8, frac);
	char pct[16];
	snprintf(pct, sizeof(pct), "%3.0f%%", frac * 100);
	draw_text(y, x + w - 6, 6, pct);
	char line[256], eta[DURATION_LEN], el[DURATION_LEN];
	duration_fmt(state == SS_RUNNING ? p->eta_secs : -1, eta, sizeof(eta));   /* -1: not known, --:-- */
	duration_fmt(p->secs, el, sizeof(el));
	snprintf(line, sizeof(line), "Files %llu of %llu%s   %.1f MB/s   elapsed %s   ETA %s   detections %llu",
		 (unsigned long long)p->files, (unsigned long long)p->files_total, p->walk_done ? "" : "+", p->mbps,
		 el, eta, (unsigned long long)p->detections);
	draw_text(y + 1, x, w, line);
	if (state == SS_RUNNING) {
		draw_text(y + 2, x, 5, "Now: ");
		draw_text_tail(y + 2, x + 5, w - 5, shown_current);
	}
}

static void scan_draw(struct ui *ui, int y, int x, int h, int w)
{
	draw_field(y, x, w, UA_HEADING, "Scan: look for the worm's files (YARA rules and known hashes)");
	switch (state) {
	case SS_IDLE:
		draw_text(y + 2, x + 2, w - 4, "Press Enter to scan the whole volume:");
		draw_text_tail(y + 3, x + 4, w - 6, ui->ctx->root);
		draw_text(y + 5, x + 2, w - 4, "Nothing is changed by the scan itself; afterwards each detection");
		draw_text(y + 6, x + 2, w - 4, "can be quarantined (made harmless, kept), restored or ignored.");
		return;
	case SS_RUNNING:
		draw_progress_area(y + 2, x, w);
		break;
	case SS_DONE: {
		draw_progress_area(y + 2, x, w);
		char line[256];
		snprintf(line, sizeof(line), "%s: %llu files, %llu streams, %zu not scanned (the report lists them)",
			 result.cancelled ? "Cancelled, incomplete" : "Finished", (unsigned long long)result.files,
			 (unsigned long long)result.streams, result.nskip);
		draw_field(y + 4, x, w, result.cancelled ? UA_WARN : UA_OK, line);
		break;
	}
	}
	char head[96];
	snprintf(head, sizeof(head), "Detections: %zu", list.n);
	draw_field(y + 6, x, w, list.n ? UA_BAD : UA_DIM, head);
	ui_list_draw(&list, y + 7, x, h - 7, w);
}

static void set_action(struct ui *ui, struct det *d, const char *action)
{
	pthread_mutex_lock(&shared.lock);
	snprintf(d->action, sizeof(d->action), "%s", action);
	pthread_mutex_unlock(&shared.lock);
	if (ui->have_report && d->report_i < ui->report.ndet) {
		char *copy = strdup(action);
		if (copy) {
			free(ui->report.det[d->report_i].action);
			ui->report.det[d->report_i].action = copy;
		}
	}
}

/* Quarantine D by its path and the SHA-256 the scan read: the core reads
 * it again and moves it only when it still has those bytes. */
static bool quarantine_one(struct ui *ui, struct det *d)
{
	if (d->qid[0])
		return true;
	struct rs_clean_target t = { .path = d->path, .stream = d->stream, .rules = d->rules, .sha256 = d->sha256,
				     .size = d->size };
	size_t ri;
	enum rs_clean_outcome o = rs_clean_path(&clean, &t, &ri);
	const struct rs_clean_record *rec = ri < clean.n ? &clean.rec[ri] : NULL;
	const char *action = rec ? rec->action : "quarantine failed: out of memory";
	if (o == RS_CLEAN_QUARANTINED)
		snprintf(d->qid, sizeof(d->qid), "%s", rec->id);
	d->outcome = o;
	d->mark = DM_NONE;
	if (rec)
		d->inspect = rec->inspect;
	set_action(ui, d, action);
	if (d->inspect && ui->have_report && d->report_i < ui->report.ndet)
		ui->report.det[d->report_i].inspect = d->inspect;
	if (o == RS_CLEAN_QUARANTINED && ui->have_report)
		ui->report.quarantined++;
	ui_logf(ui, "quarantine: %s: %s", d->path, action);
	return o == RS_CLEAN_QUARANTINED;
}

/* After a quarantine: the autostart entries that start what was just
 * quarantined are disabled (`rescue undo autoruns` puts them back), each
 * step in the Log, the whole as the step "autoruns". */
static void disable_tied(struct ui *ui)
{
	struct rs_clean_autoruns a;
	struct rs_error err = { 0 };
	int rc = rs_clean_finish(&clean, &a, &err);
	size_t ok = 0;
	char names[600] = "";
	for (size_t i = 0; i < a.done.n; i++) {
		const struct autoruns_step *s = &a.done.steps[i];
		ok += s->ok;
		if (s->ok)
			ui_logf(ui, "autoruns: DISABLED autostart %s %s: %s", s->id, s->what, s->action);
		else
			ui_logf(ui, "autoruns: FAILED autostart %s %s: %s", s->id, s->what, s->error);
		size_t l = strlen(names);
		snprintf(names + l, sizeof(names) - l, "%s%s", l ? ", " : "", s->what);
	}
	if (rc)
		ui_step(ui, "autoruns", STEP_FAILED, "%zu of %zu autostart entries disabled%s%s", ok, a.done.n,
			err.msg[0] ? ": " : "", err.msg);
	else if (a.done.n)
		ui_step(ui, "autoruns", STEP_CHANGED, "%zu autostart entr%s of quarantined files disabled: %s", ok,
			ok == 1 ? "y" : "ies", names);
	rs_clean_autoruns_free(&a);
}

static void act(struct ui *ui, int ch)
{
	if (list.n == 0)
		return;
	struct det *d = &shared.det[list.cur];
	char q[4600];
	switch (ch) {
	case 'x': case '\n': case '\r': case KEY_ENTER:
		if (d->qid[0]) {
			ui_status(ui, false, "Already quarantined");
			return;
		}
		snprintf(q, sizeof(q), "Quarantine %s%s%s?\n\nIt is made harmless and moved to Rescue/quarantine/;\nr restores it.",
			 d->path, d->stream ? ":" : "", d->stream ? d->stream : "");
		if (!dlg_confirm(ui, "Quarantine", q))
			return;
		bool ok = quarantine_one(ui, d);
		/* A hive kept on purpose is a finding, not a failed step. */
		ui_step(ui, "quarantine", ok ? STEP_CHANGED : d->inspect ? STEP_OK : STEP_FAILED, "%s: %s", d->path,
			d->action);
		disable_tied(ui);
		dlg_message(ui, "Quarantine", d->action);
		return;
	case 'A': {
		size_t todo = 0;
		for (size_t i = 0; i < list.n; i++)
			todo += !shared.det[i].qid[0] && shared.det[i].mark != DM_IGNORED;
		if (!todo) {
			ui_status(ui, false, "Nothing left to quarantine");
			return;
		}
		snprintf(q, sizeof(q), "Quarantine all %zu detection%s not yet quarantined or ignored?", todo,
			 todo == 1 ? "" : "s");
		if (!dlg_confirm(ui, "Quarantine", q))
			return;
		size_t ok = 0, kept = 0;
		for (size_t i = 0; i < list.n; i++)
			if (!shared.det[i].qid[0] && shared.det[i].mark != DM_IGNORED) {
				bool done = quarantine_one(ui, &shared.det[i]);
				ok += done;
				kept += !done && shared.det[i].inspect;
			}
		/* Only kept hives: a finding, nothing changed (as for one file). */
		ui_step(ui, "quarantine", ok + kept < todo ? STEP_FAILED : ok ? STEP_CHANGED : STEP_OK,
			"%zu of %zu detections quarantined%s", ok, todo, kept ? " (hives kept: inspect them)" : "");
		disable_tied(ui);
		snprintf(q, sizeof(q), "%zu of %zu quarantined (see each line and the Log).", ok, todo);
		dlg_message(ui, "Quarantine", q);
		return;
	}
	case 'r': {
		if (!d->qid[0]) {
			ui_status(ui, true, "Not quarantined: nothing to restore");
			return;
		}
		snprintf(q, sizeof(q), "Put %s back where it was?\n\nThe detected file returns to the disk as it was found.",
			 d->path);
		if (!dlg_confirm(ui, "Restore", q))
			return;
		char restored[4200];
		struct rs_error err = { 0 };
		if (rs_quarantine_restore(ui->ctx, d->qid, restored, sizeof(restored), &err) == RS_OK) {
			d->qid[0] = '\0';
			set_action(ui, d, "restored");
			d->mark = DM_RESTORED;
			if (ui->have_report && ui->report.quarantined)
				ui->report.quarantined--;
			ui_step(ui, "restore", STEP_CHANGED, "%s put back", restored);
			dlg_message(ui, "Restored", restored);
		} else {
			ui_step(ui, "restore", STEP_FAILED, "%s: %s", d->path, err.msg);
			dlg_message(ui, "Restore failed", err.msg);
		}
		return;
	}
	case 'd': {
		/* the detail view: the file, then each rule with its author */
		int l = snprintf(q, sizeof(q), "%s%s%s\n%llu bytes, sha256 %s\n%s\n", d->path, d->stream ? ":" : "",
				 d->stream ? d->stream : "", (unsigned long long)d->size, d->sha256, d->action);
		for (size_t i = 0; i < d->nmeta && l > 0 && (size_t)l < sizeof(q); i++) {
			char line[1024];
			rs_rule_meta_line(&d->meta[i], line, sizeof(line));
			l += snprintf(q + l, sizeof(q) - (size_t)l, "\n%s", line);
		}
		dlg_message(ui, "Detection", q);
		return;
	}
	case 'i':
		if (d->qid[0]) {
			ui_status(ui, true, "Quarantined: restore it first (r)");
			return;
		}
		/* no write: only what the report says of it */
		d->mark = d->mark == DM_IGNORED ? DM_NONE : DM_IGNORED;
		set_action(ui, d, d->mark == DM_IGNORED ? "ignored" : "reported");
		ui_logf(ui, "scan: %s marked %s", d->path, d->action);
		return;
	default:
		return;
	}
}

static bool scan_key(struct ui *ui, int ch)
{
	switch (state) {
	case SS_IDLE:
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER || ch == 's') {
			start(ui);
			return true;
		}
		return false;
	case SS_RUNNING:
		if (ui_list_key(&list, ch))
			return true;
		if (ch == 'c' || ch == KEY_ESC || ch == KEY_F(8)) {
			pthread_mutex_lock(&shared.lock);
			shared.cancel = true;
			pthread_mutex_unlock(&shared.lock);
			ui_status(ui, false, "Cancelling: the files being read finish, what was found is kept");
			return true;
		}
		/* screens can change while the scan runs; quitting cancels it */
		return false;
	case SS_DONE:
		if (ui_list_key(&list, ch))
			return true;
		if (ch == 's') {
			if (dlg_confirm(ui, "Scan", "Scan the whole volume again?\n(the list below is replaced)"))
				start(ui);
			return true;
		}
		if (strchr("xArid\n\r", ch) || ch == KEY_ENTER) {
			act(ui, ch);
			return true;
		}
		return false;
	}
	return false;
}

static void scan_fini(struct ui *ui)
{
	if (state == SS_RUNNING) {
		pthread_mutex_lock(&shared.lock);
		shared.cancel = true;
		pthread_mutex_unlock(&shared.lock);
		pthread_join(worker, NULL);
		have_result = true;
		state = SS_DONE;
		ui->busy = false;
	}
	if (have_result)
		rs_scan_result_free(&result);
	have_result = false;
	det_free_all();
	rs_clean_free(&clean);
	rs_rules_free(rules);
	rules = NULL;
}

static const struct ui_key scan_keys[] = {
	{ "F1", "Help" }, { "Enter", "Scan/Quarantine" }, { "A", "All" }, { "r", "Restore" }, { "i", "Ignore" }, { "d", "Details" },
	{ "c", "Cancel" }, { "Esc", "Back" }, { "F10", "Quit" }, { NULL, NULL },
};

const struct ui_screen ui_scan_screen = {
	.title = "Scan",
	.keys = scan_keys,
	.help = "Scan the whole volume with the built-in YARA rules and the list of\n"
		"known-bad hashes (booted from the stick: also its rules/ and learned/).\n"
		"Enter starts it; the bar shows files, MB/s, the time\n"
		"left and the file being read; detections appear as they are found.\n"
		"  c (or Esc)  cancel: the scan stops, what was found is kept\n"
		"On the list of detections afterwards:\n"
		"  Enter (x)   quarantine it: made harmless, kept in Rescue/quarantine/\n"
		"  A           quarantine every detection not quarantined or ignored\n"
		"  r           restore a quarantined file to where it was\n"
		"  i           ignore it (the report says so; nothing is written)\n"
		"  d           details: each matching rule's file, description, author,\n"
		"              reference and score\n"
		"  s           scan again",
	.needs_target = true,
	.init = scan_init,
	.draw = scan_draw,
	.key = scan_key,
	.tick = scan_tick,
	.fini = scan_fini,
};
