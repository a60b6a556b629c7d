/* SPDX-License-Identifier: GPL-2.0-or-later */
/* containment.c - Containment: each item of hive/contain.h's table with its
 * current state (contained / open) and the settings behind it; Space marks
 * items, Enter (or a) applies the marked ones, u undoes them.  What changed
 * is shown after each action, from the core's own report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hive/contain.h"
#include "hive/hive.h"
#include "hive/undo.h"
#include "rescue/volume/permissions.h"
#include "ui/dialog.h"
#include "ui/draw.h"
#include "ui/list.h"
#include "ui/ui.h"

static struct contain_report report;
static bool have_report;
static char report_error[512];
static enum contain_id row_item[CONTAIN_N];    /* list row -> item (applicable ones only) */
static bool marked[CONTAIN_N];
static struct ui_list list;
static const struct rs_ctx *marked_for;         /* marks are per installation */

static void reload(struct ui *ui)
{
	if (have_report)
		contain_report_free(&report);
	have_report = false;
	report_error[0] = '\0';
	list.n = 0;
	struct rs_error err = { 0 };
	if (contain_status(ui->ctx, CONTAIN_ALL, &report, &err) != RS_OK) {
		snprintf(report_error, sizeof(report_error), "%s", err.msg);
		ui_logf(ui, "containment status: %s", err.msg);
		return;
	}
	have_report = true;
	for (int k = 0; k < CONTAIN_N; k++)
		if (report.applicable[k])
			row_item[list.n++] = (enum contain_id)k;
	ui_list_set_n(&list, list.n);
	if (marked_for != ui->ctx) {
		/* by default every open item is marked: one Enter contains all */
		for (int k = 0; k < CONTAIN_N; k++)
			marked[k] = report.applicable[k] && !report.contained[k];
		marked_for = ui->ctx;
	}
}

static void row_draw(void *data, size_t i, int y, int x, int w, bool sel)
{
	(void)data;
	enum contain_id k = row_item[i];
	enum ui_attr base = sel ? UA_SELECTED : UA_NORMAL;
	char box[8];
	snprintf(box, sizeof(box), "[%c] ", marked[k] ? 'x' : ' ');
	draw_field(y, x, 4, base, box);
	draw_field(y, x + 4, 9, base, contain_items[k].id);
	draw_field(y, x + 13, 11, sel ? UA_SELECTED : report.contained[k] ? UA_OK : UA_BAD,
		   report.contained[k] ? "contained" : "OPEN");
	draw_field(y, x + 24, w - 24, base, contain_items[k].title);
}

/* The checks of item K as text lines (for the detail area and the dialog);
 * returns the count, lines owned by the caller (free each, then the array). */
static size_t check_lines(enum contain_id k, char ***out)
{
	char **lines = calloc(report.n + 2, sizeof(*lines));
	size_t n = 0;
	if (!lines) {
		*out = NULL;
		return 0;
	}
	for (size_t i = 0; i < report.n; i++) {
		const struct contain_check *c = &report.checks[i];
		if (c->item != k)
			continue;
		/* the value first: on 80 columns the key path is what gets cut */
		char line[1600];
		if (c->ok)
			snprintf(line, sizeof(line), "ok    %s = %s   in %s %s", c->value, c->current,
				 hive_short_name(c->hive), c->key);
		else
			snprintf(line, sizeof(line), "open  %s = %s, wanted %s   in %s %s", c->value, c->current,
				 c->wanted, hive_short_name(c->hive), c->key);
		lines[n++] = strdup(line);
	}
	if (report.note[k][0]) {
		char line[300];
		snprintf(line, sizeof(line), "note: %s", report.note[k]);
		lines[n++] = strdup(line);
	}
	*out = lines;
	return n;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void contain_init(struct ui *ui)
{
	list.draw_row = row_draw;
	reload(ui);
}

static void contain_draw(struct ui *ui, int y, int x, int h, int w)
{
	(void)ui;
	draw_field(y, x, w, UA_HEADING, "Containment: shut the worm's doors in the registry");
	if (!have_report) {
		draw_field(y + 2, x + 2, w - 4, UA_BAD, "Cannot read the containment state:");
		draw_text(y + 3, x + 2, w - 4, report_error);
		return;
	}
	draw_field(y + 2, x, w, UA_DIM, "    ITEM     STATE      WHAT IT DOES");
	ui_list_draw(&list, y + 3, x, (int)list.n, w);
	if (list.n == 0)
		return;
	enum contain_id k = row_item[list.cur];
	int dy = y + 4 + (int)list.n;
	draw_text(dy, x, w, contain_items[k].help);
	char **lines;
	size_t n = check_lines(k, &lines);
	int room = h - (dy + 2 - y);
	for (size_t i = 0; i < n && (int)i < room; i++) {
		bool last_room = (int)i == room - 1 && n > (size_t)room;
		if (last_room) {
			char more[64];
			snprintf(more, sizeof(more), "... %zu more: press v to see them all", n - i);
			draw_field(dy + 1 + (int)i, x + 2, w - 2, UA_DIM, more);
			break;
		}
		bool ok = strncmp(lines[i], "ok", 2) == 0, note = strncmp(lines[i], "note", 4) == 0;
		draw_field(dy + 1 + (int)i, x + 2, w - 2, note ? UA_WARN : ok ? UA_NORMAL : UA_BAD, lines[i]);
	}
	free_lines(lines, n);
}

static unsigned marked_mask(void)
{
	unsigned m = 0;
	for (int k = 0; k < CONTAIN_N; k++)
		if (marked[k] && report.applicable[k])
			m |= 1u << k;
	return m;
}

static void names_of(unsigned mask, char *out, size_t outlen)
{
	size_t o = 0;
	out[0] = '\0';
	for (int k = 0; k < CONTAIN_N && o < outlen; k++)
		if (mask & (1u << k))
			o += (size_t)snprintf(out + o, outlen - o, "%s%s", o ? " " : "", contain_items[k].id);
}

static void apply(struct ui *ui)
{
	unsigned mask = marked_mask();
	if (!mask) {
		ui_status(ui, true, "Nothing marked: Space marks an item");
		return;
	}
	char names[128], q[512];
	names_of(mask, names, sizeof(names));
	snprintf(q, sizeof(q), "Apply containment to %s?\n\nItems: %s\n\nEvery hive is backed up first; u undoes it.",
		 ui->target.info.computer[0] ? ui->target.info.computer : ui->target.root, names);
	if (!dlg_confirm(ui, "Contain", q)) {
		ui_status(ui, false, "Nothing changed");
		return;
	}
	struct contain_report r;
	struct rs_error err = { 0 };
	int rc = contain_apply(ui->ctx, mask, &r, &err);
	if (rc && rc != RS_EPARTIAL) {
		ui_step(ui, "contain", rc == RS_ETARGET ? STEP_REFUSED : STEP_FAILED, "%s: %s", names, err.msg);
		dlg_message(ui, "Containment failed", err.msg);
		reload(ui);
		return;
	}
	/* the result: every setting changed, as the core reports it */
	char **lines = calloc(r.n + 2, sizeof(*lines));
	size_t n = 0, changed = 0;
	for (size_t i = 0; lines && i < r.n; i++) {
		const struct contain_check *c = &r.checks[i];
		if (!c->changed)
			continue;
		char line[1600];
		snprintf(line, sizeof(line), "set  %s: %s -> %s   in %s %s", c->value, c->before, c->wanted,
			 hive_short_name(c->hive), c->key);
		ui_logf(ui, "contain: %s", line);
		lines[n++] = strdup(line);
		changed++;
	}
	if (lines && n == 0)
		lines[n++] = strdup("Nothing needed changing: every setting was already contained.");
	if (lines && rc == RS_EPARTIAL)
		lines[n++] = strdup(err.msg);
	if (rc == RS_EPARTIAL)
		ui_step(ui, "contain", STEP_FAILED, "%s: %zu setting%s changed, then: %s", names, changed,
			changed == 1 ? "" : "s", err.msg);
	else
		ui_step(ui, "contain", changed ? STEP_CHANGED : STEP_OK, "%s: %zu setting%s changed", names, changed,
			changed == 1 ? "" : "s");
	contain_report_free(&r);
	if (lines)
		dlg_lines(ui, rc ? "Containment partly failed" : "Containment applied", lines, n);
	free_lines(lines, n);
	reload(ui);
	ui_status(ui, rc != RS_OK, "Containment: %zu setting%s changed", changed, changed == 1 ? "" : "s");
}

static void undo(struct ui *ui)
{
	unsigned mask = marked_mask();
	if (!mask) {
		ui_status(ui, true, "Nothing marked: Space marks an item to undo");
		return;
	}
	char names[128], q[512];
	names_of(mask, names, sizeof(names));
	snprintf(q, sizeof(q), "Put back what rescue changed for:\n%s\n\n(from the journal, newest first)", names);
	if (!dlg_confirm(ui, "Undo", q)) {
		ui_status(ui, false, "Nothing changed");
		return;
	}
	char *items[CONTAIN_N];
	size_t ni = 0;
	for (int k = 0; k < CONTAIN_N; k++)
		if (mask & (1u << k))
			items[ni++] = (char *)contain_items[k].id;
	struct undo_report r;
	struct rs_error err = { 0 };
	int rc = undo_run(ui->ctx, items, ni, 0, &r, &err);
	if (rc && rc != RS_EPARTIAL) {
		ui_step(ui, "undo", STEP_FAILED, "%s: %s", names, err.msg);
		dlg_message(ui, "Undo failed", err.msg);
		reload(ui);
		return;
	}
	char **lines = calloc(r.n + 1, sizeof(*lines));
	size_t n = 0, ok = 0;
	for (size_t i = 0; lines && i < r.n; i++) {
		const struct undo_step *s = &r.steps[i];
		char line[1400];
		if (s->ok)
			snprintf(line, sizeof(line), "undone  %s %s -> %s", s->item, s->what, s->restored);
		else
			snprintf(line, sizeof(line), "%s  %s %s: %s", s->untrusted ? "SKIPPED" : "FAILED", s->item,
				 s->what, s->error);
		ok += s->ok;
		ui_logf(ui, "undo: %s", line);
		lines[n++] = strdup(line);
	}
	if (lines && n == 0)
		lines[n++] = strdup("Nothing to undo for these items.");
	ui_step(ui, "undo", rc ? STEP_FAILED : ok ? STEP_CHANGED : STEP_OK, "%s: %zu change%s put back", names, ok,
		ok == 1 ? "" : "s");
	undo_report_free(&r);
	if (lines)
		dlg_lines(ui, rc ? "Undo partly failed" : "Undone", lines, n);
	free_lines(lines, n);
	reload(ui);
	ui_status(ui, rc != RS_OK, "Undo: %zu change%s put back", ok, ok == 1 ? "" : "s");
}

/* p: the security products' folders' permissions (rescue/volume/permissions.h),
 * the same call as `rescue repair permissions`. */
static void repair_perms(struct ui *ui)
{
	if (!dlg_confirm(ui, "Permissions", "Reset hostile owners and Deny entries on the security products' folders "
			 "(Windows Defender, common antivirus) to Windows' defaults?\n\nThe old descriptors are kept in the "
			 "journal; `rescue undo permissions` puts them back.")) {
		ui_status(ui, false, "Nothing changed");
		return;
	}
	struct perm_report r;
	struct rs_error err = { 0 };
	int rc = perm_repair(ui->ctx, &r, &err);
	if (rc == RS_ETARGET) {
		ui_step(ui, "permissions", STEP_SKIPPED, "%s", err.msg);
		dlg_message(ui, "Permissions not checked", err.msg);
		return;
	}
	char **lines = calloc(r.n + 2, sizeof(*lines));
	size_t n = 0;
	for (size_t i = 0; lines && i < r.n; i++) {
		const struct perm_finding *f = &r.v[i];
		char line[1600];
		snprintf(line, sizeof(line), "%s %s: %s%s%s%s", f->skipped ? "skipped" : f->error[0] ? "FAILED" :
			 f->changed ? "reset" : "found", f->path, f->skipped ? f->error : f->malformed ? f->why : f->owner,
			 f->ndeny ? "; " : "", f->deny, f->error[0] && !f->skipped ? f->error : "");
		ui_logf(ui, "permissions: %s", line);
		lines[n++] = strdup(line);
	}
	if (lines && n == 0)
		lines[n++] = strdup("Nothing hostile: every descriptor in the security products' folders is as Windows sets it.");
	if (lines && rc)
		lines[n++] = strdup(err.msg);
	ui_step(ui, "permissions", rc ? STEP_FAILED : r.nchanged ? STEP_CHANGED : STEP_OK,
		"%zu folder(s), %zu file(s) checked; %zu descriptor(s) reset", r.nfolders, r.nobjects, r.nchanged);
	if (lines)
		dlg_lines(ui, rc ? "Permissions partly repaired" : "Permissions", lines, n);
	free_lines(lines, n);
	ui_status(ui, rc != RS_OK, "Permissions: %zu descriptor(s) reset", r.nchanged);
	perm_report_free(&r);
}

static bool contain_key(struct ui *ui, int ch)
{
	if (!have_report) {
		if (ch == 'r' || ch == KEY_F(5)) {
			reload(ui);
			return true;
		}
		return false;
	}
	if (ui_list_key(&list, ch))
		return true;
	switch (ch) {
	case ' ':
		if (list.n) {
			marked[row_item[list.cur]] = !marked[row_item[list.cur]];
			if (list.cur + 1 < list.n)
				list.cur++;
		}
		return true;
	case '*':
		for (size_t i = 0; i < list.n; i++)
			marked[row_item[i]] = true;
		return true;
	case '\n': case '\r': case KEY_ENTER: case 'a': case KEY_F(2):
		apply(ui);
		return true;
	case 'u': case KEY_F(8):
		undo(ui);
		return true;
	case 'v': {
		if (!list.n)
			return true;
		char **lines;
		size_t n = check_lines(row_item[list.cur], &lines);
		if (lines)
			dlg_lines(ui, contain_items[row_item[list.cur]].id, lines, n);
		free_lines(lines, n);
		return true;
	}
	case 'p':
		repair_perms(ui);
		return true;
	case 'r': case KEY_F(5):
		reload(ui);
		return true;
	default:
		return false;
	}
}

static void contain_fini(struct ui *ui)
{
	(void)ui;
	if (have_report)
		contain_report_free(&report);
	have_report = false;
}

static const struct ui_key contain_keys[] = {
	{ "F1", "Help" }, { "Space", "Mark" }, { "Enter", "Apply" }, { "u", "Undo" }, { "v", "View" },
	{ "p", "Perms" }, { "Esc", "Back" }, { "F10", "Quit" }, { NULL, NULL },
};

const struct ui_screen ui_contain_screen = {
	.title = "Contain",
	.keys = contain_keys,
	.help = "Each line is one containment item: what it changes, and whether this\n"
		"installation is already contained. Below: every setting behind the item.\n"
		"  Space   mark or unmark an item (open items start marked); * marks all\n"
		"  Enter   apply the marked items (asks first; hives are backed up)\n"
		"  u       undo the marked items: put back what rescue changed\n"
		"  v       view every setting of the item; r reads the state again\n"
		"  p       reset hostile permissions on the security products' folders",
	.needs_target = true,
	.init = contain_init,
	.draw = contain_draw,
	.key = contain_key,
	.fini = contain_fini,
};
