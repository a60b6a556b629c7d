/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.c - Log: every line of this run's log (what was opened, asked, changed
 * and what failed), scrollable; the newest line is shown first when the
 * screen opens, at the bottom as in a terminal. */
#include <stdio.h>
#include <string.h>

#include "ui/draw.h"
#include "ui/list.h"
#include "ui/ui.h"

static struct ui_list list = { .no_cursor = true };

static void log_row(void *data, size_t i, int y, int x, int w, bool sel)
{
	struct ui *ui = data;
	(void)sel;
	bool bad = strstr(ui->log[i], "FAIL") || strstr(ui->log[i], "cannot");
	draw_field(y, x, w, bad ? UA_BAD : UA_NORMAL, ui->log[i]);
}

static void log_init(struct ui *ui)
{
	list.data = ui;
	list.draw_row = log_row;
	list.n = ui->nlog;
	list.top = ui->nlog;    /* clamped to the last page when drawn */
}

static void log_draw(struct ui *ui, int y, int x, int h, int w)
{
	char head[96];
	snprintf(head, sizeof(head), "Log of this run: %zu line%s", ui->nlog, ui->nlog == 1 ? "" : "s");
	draw_field(y, x, w, UA_HEADING, head);
	bool at_end = list.top + (size_t)(list.h > 0 ? list.h : 0) >= list.n;
	list.n = ui->nlog;
	if (at_end)
		list.top = list.n;      /* follow new lines while at the end */
	ui_list_draw(&list, y + 1, x, h - 1, w);
}

static bool log_key(struct ui *ui, int ch)
{
	(void)ui;
	return ui_list_key(&list, ch);
}

static const struct ui_key log_keys[] = {
	{ "F1", "Help" }, { "Up/Dn", "Scroll" }, { "PgUp/PgDn", "Page" }, { "Esc", "Back" }, { "F10", "Quit" },
	{ NULL, NULL },
};

const struct ui_screen ui_log_screen = {
	.title = "Log",
	.keys = log_keys,
	.help = "The log of this run: every installation opened, every action asked\n"
		"for, every change made and every failure, with the time (UTC).\n"
		"Arrows and PgUp/PgDn scroll; Home and End go to the first and last line.",
	.init = log_init,
	.draw = log_draw,
	.key = log_key,
};
