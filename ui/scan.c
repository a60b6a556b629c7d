/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scan.c - Scan: files of the volume checked against the rules. */
#include "ui/draw.h"
#include "ui/ui.h"

static void scan_draw(struct ui *ui, int y, int x, int h, int w)
{
	(void)ui;
	(void)h;
	draw_field(y, x, w, UA_HEADING, "Scan: look for the worm's files");
	draw_text(y + 2, x + 2, w - 4, "This build has no scanner yet: nothing can be scanned here.");
}

static const struct ui_key scan_keys[] = {
	{ "F1", "Help" }, { "Esc", "Back" }, { "F10", "Quit" }, { NULL, NULL },
};

const struct ui_screen ui_scan_screen = {
	.title = "Scan",
	.keys = scan_keys,
	.help = "Scan the volume with the rules and quarantine what is found.",
	.needs_target = true,
	.draw = scan_draw,
};
