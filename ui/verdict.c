/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict.c - Verdict: GREEN, YELLOW or RED in large letters with the
 * computer name, what it means, what this session did (the steps of its
 * report), and where the report was written.  The verdict is
 * report_finish's (rescue/run/report.h), the same rule as `rescue auto`. */
#include <stdio.h>
#include <string.h>

#include "hive/patches.h"
#include "rescue/run/report.h"
#include "rescue/base/winpath.h"
#include "ui/dialog.h"
#include "ui/draw.h"
#include "ui/ui.h"

static const enum ui_attr verdict_attr[] = {
	[VERDICT_GREEN] = UA_OK, [VERDICT_YELLOW] = UA_WARN, [VERDICT_RED] = UA_BAD,
};

static const enum ui_attr status_attr[] = {
	[STEP_OK] = UA_OK, [STEP_CHANGED] = UA_OK, [STEP_SKIPPED] = UA_DIM,
	[STEP_REFUSED] = UA_WARN, [STEP_FAILED] = UA_BAD,
};

/* The patch audit of the open installation (report only: the verdict
 * stays as it is), read once per installation, not on every redraw. */
static char patches_line[768];
static bool patches_missing;
static const struct rs_ctx *patches_for;

static const char *patches(struct ui *ui)
{
	if (patches_for == ui->ctx)
		return patches_line;
	patches_for = ui->ctx;
	struct patch_audit pa;
	struct rs_error err = { 0 };
	char summary[640];
	if (patch_audit_run(ui->ctx, &ui->target.info, &pa, &err) != RS_OK) {
		snprintf(patches_line, sizeof(patches_line), "Patches: not audited: %s", err.msg);
		patches_missing = false;
		return patches_line;
	}
	patch_audit_summary(&pa, summary, sizeof(summary));
	patches_missing = patch_audit_missing(&pa) != 0;
	snprintf(patches_line, sizeof(patches_line), "Patches: %s%s", summary,
		 patches_missing ? "; install them before the machine rejoins the network" : "");
	return patches_line;
}

static void verdict_draw(struct ui *ui, int y, int x, int h, int w)
{
	if (!ui->have_report) {
		draw_field(y, x, w, UA_HEADING, "Verdict");
		draw_text(y + 2, x + 2, w - 4, "No installation open yet: choose one on Home (1).");
		return;
	}
	struct report *r = &ui->report;
	enum report_verdict v = report_finish(r);
	const char *word = report_verdict_name(v);
	enum ui_attr a = verdict_attr[v];

	int row = y + 1;
	int bw = draw_big_width(word);
	if (h >= 18 && draw_big(row, x + (w - bw) / 2, w, a, word)) {
		row += 6;
	} else {
		/* too small for the big letters: the word alone, reversed */
		int ww = (int)strlen(word) + 4;
		attron(draw_attr(a) | A_REVERSE);
		mvprintw(row, x + (w - ww) / 2, "  %s  ", word);
		attroff(draw_attr(a) | A_REVERSE);
		row += 2;
	}
	/* the word in plain text too: for a photo of a monochrome screen, a
	 * screen reader, and the tests */
	char line[512];
	snprintf(line, sizeof(line), "%s  %s", word, r->machine[0] ? r->machine : "(unnamed computer)");
	attron(A_BOLD);
	draw_text(row++, x + (w - draw_width(line)) / 2, w, line);
	attroff(A_BOLD);
	const char *meaning = report_meaning(r);
	int mw = draw_width(meaning);
	draw_text(row, mw < w ? x + (w - mw) / 2 : x, w, meaning);
	row += 2;

	int lx = x + (w > 76 ? (w - 76) / 2 : 1), lw = w - (lx - x);
	const char *pl = patches(ui);
	draw_field(row, lx, lw, patches_missing ? UA_WARN : UA_NORMAL, pl);
	row += 2;
	draw_field(row++, lx, lw, UA_HEADING, "What this session did");
	/* the last steps if they do not all fit; the report keeps every one */
	int room = y + h - row - 2;
	size_t first = r->nsteps > (size_t)(room > 0 ? room : 0) ? r->nsteps - (size_t)room : 0;
	for (size_t i = first; i < r->nsteps && row < y + h - 2; i++, row++) {
		const struct report_step *s = &r->steps[i];
		draw_text(row, lx, 11, s->name);
		draw_field(row, lx + 11, 9, status_attr[s->status], report_status_name(s->status));
		draw_text(row, lx + 20, lw - 20, s->detail);
	}
	row = y + h - 1;
	if (ui->report_written[0]) {
		snprintf(line, sizeof(line), "Report: %s", ui->report_written);
		draw_text_tail(row, lx, lw, line);
	} else {
		draw_field(row, lx, lw, UA_WARN, "Report: not written yet (Enter writes it to Rescue/reports/)");
	}
}

static void write_report(struct ui *ui)
{
	/* On a disk the volume is mounted in a folder of rescue's own, gone at
	 * exit: the volume is named as Home showed it, as `rescue auto` does. */
	bool disk = !ui->opts.root;
	char q[512];
	snprintf(q, sizeof(q), "Write the report of this session to\n%s%s%s/reports/ ?",
		 disk ? ui->target.label : ui->target.root, disk ? ":" : "/", RS_PATH_RESCUE);
	if (!dlg_confirm(ui, "Report", q)) {
		ui_status(ui, false, "Report not written");
		return;
	}
	struct report *r = &ui->report;
	/* the changes as the journal has them now (undone ones left out) */
	r->nchanges = 0;
	report_add_journal(r, ui->ctx);
	bool noted = false;
	for (size_t i = 0; i < r->nnotes && !noted; i++)
		noted = strncmp(r->notes[i], "Patches: ", 9) == 0;
	if (!noted)
		report_note(r, "%s", patches(ui));
	report_finish(r);
	char dir[4096];
	struct rs_error err = { 0 };
	int rc = rs_ctx_rescue_dir(ui->ctx, "reports", dir, sizeof(dir), &err);
	if (rc == RS_OK)
		rc = report_save(r, dir, r->stamp, 0, &err);
	if (rc) {
		ui_logf(ui, "report: FAILED: %s", err.msg);
		dlg_message(ui, "Report not written", err.msg);
		return;
	}
	if (disk)
		snprintf(ui->report_written, sizeof(ui->report_written), "%s:%s", ui->target.label,
			 winpath_relative(ui->target.root, r->written[0]));
	else
		snprintf(ui->report_written, sizeof(ui->report_written), "%s", r->written[0]);
	ui_logf(ui, "report: written to %s (and .txt)", ui->report_written);
	char msg[4200];
	snprintf(msg, sizeof(msg), "Verdict %s, %zu change%s listed.\nWritten to:\n%s\n(and the same as .txt)",
		 report_verdict_name(r->verdict), r->nchanges, r->nchanges == 1 ? "" : "s", ui->report_written);
	dlg_message(ui, "Report written", msg);
}

static bool verdict_key(struct ui *ui, int ch)
{
	if (!ui->have_report)
		return false;
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER || ch == 'w' || ch == KEY_F(2)) {
		write_report(ui);
		return true;
	}
	return false;
}

static const struct ui_key verdict_keys[] = {
	{ "F1", "Help" }, { "Enter", "Write report" }, { "6", "Log" }, { "Esc", "Back" }, { "F10", "Quit" },
	{ NULL, NULL },
};

const struct ui_screen ui_verdict_screen = {
	.title = "Verdict",
	.keys = verdict_keys,
	.help = "The verdict for this installation (the same rule as rescue auto):\n"
		"  GREEN   clean: scanned, nothing found, every step done\n"
		"  RED     something was detected: this machine was infected\n"
		"  YELLOW  incomplete: a step failed or was refused, or not\n"
		"          scanned (no scan finished): this machine needs a person\n"
		"Below it: the steps of this session. Enter writes the report (JSON and\n"
		"text) to Rescue/reports/ on the Windows volume.",
	.draw = verdict_draw,
	.key = verdict_key,
};
