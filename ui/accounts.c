/* SPDX-License-Identifier: GPL-2.0-or-later */
/* accounts.c - Accounts: the local users of the installation's SAM. */
#include "ui/draw.h"
#include "ui/ui.h"

static void accounts_draw(struct ui *ui, int y, int x, int h, int w)
{
	(void)ui;
	(void)h;
	draw_field(y, x, w, UA_HEADING, "Accounts: local users of this installation");
	draw_text(y + 2, x + 2, w - 4, "This build has no account module yet: users cannot be listed or reset here.");
}

static const struct ui_key accounts_keys[] = {
	{ "F1", "Help" }, { "Esc", "Back" }, { "F10", "Quit" }, { NULL, NULL },
};

const struct ui_screen ui_accounts_screen = {
	.title = "Accounts",
	.keys = accounts_keys,
	.help = "The local accounts of this installation (its SAM).",
	.needs_target = true,
	.draw = accounts_draw,
};
