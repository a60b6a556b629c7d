/* SPDX-License-Identifier: GPL-2.0-or-later */
/* home.c - Home: the Windows installations found, one row each (computer
 * name, version, size, state with a one-line explanation); Enter opens one.
 *
 * The rows come from the target given on the command line (--root) or from
 * the disk module's listing; the states are the core's words, coloured. */
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "hive/wininfo.h"
#include "ui/draw.h"
#include "ui/list.h"
#include "ui/ui.h"

enum home_state { HS_OK, HS_MOUNTED, HS_READONLY, HS_HIBERNATED, HS_DIRTY, HS_BITLOCKER, HS_UNUSABLE };

static const struct {
	const char *word;
	enum ui_attr attr;
	const char *why;
} state_table[] = {
	[HS_OK]         = { "ok", UA_OK, "Ready: rescue can read and write this installation." },
	[HS_MOUNTED]    = { "folder", UA_NORMAL,
			    "A folder (--root): not checked for hibernation or disk errors." },
	[HS_READONLY]   = { "read-only", UA_WARN, "Can be read and scanned; nothing will be written." },
	[HS_HIBERNATED] = { "hibernated", UA_WARN,
			    "Windows is hibernated: writing would lose its session. Read-only unless allowed." },
	[HS_DIRTY]      = { "dirty", UA_WARN,
			    "Not shut down cleanly: the volume may need Windows' chkdsk; written with care." },
	[HS_BITLOCKER]  = { "BitLocker", UA_BAD, "Encrypted with BitLocker: it cannot be read without its key." },
	[HS_UNUSABLE]   = { "unusable", UA_BAD, "Not a usable Windows installation (see the Log)." },
};

struct home_row {
	char root[4096];
	char label[128];            /* where: the folder or device */
	struct win_info info;
	char size[16];
	enum home_state state;
	char error[256];            /* when unusable: the core's message */
};

static struct home_row rows[16];
static struct ui_list list;
static char empty_msg[256];
static bool scanned;

static void human_size(unsigned long long bytes, char *out, size_t outlen)
{
	static const char units[] = "BKMGTP";
	double v = (double)bytes;
	int u = 0;
	while (v >= 1000 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(out, outlen, u ? "%.1f %cB" : "%.0f B", v, units[u]);
}

/* One row for the installation at ROOT, read through a read-only context. */
static void add_root(struct ui *ui, const char *root, const char *label)
{
	if (list.n >= sizeof(rows) / sizeof(rows[0]))
		return;
	struct home_row *r = &rows[list.n];
	memset(r, 0, sizeof(*r));
	snprintf(r->root, sizeof(r->root), "%s", root);
	snprintf(r->label, sizeof(r->label), "%s", label);
	r->state = HS_MOUNTED;
	struct statvfs vfs;
	if (statvfs(root, &vfs) == 0)
		human_size((unsigned long long)vfs.f_blocks * vfs.f_frsize, r->size, sizeof(r->size));
	struct rs_ctx *ctx;
	struct rs_error err = { 0 };
	if (rs_ctx_open(root, RS_CTX_READONLY, &ctx, &err) == RS_OK) {
		if (win_info_read(ctx, &r->info, &err) != RS_OK) {
			r->state = HS_UNUSABLE;
			snprintf(r->error, sizeof(r->error), "%s", err.msg);
		}
		rs_ctx_close(ctx);
	} else {
		r->state = HS_UNUSABLE;
		snprintf(r->error, sizeof(r->error), "%s", err.msg);
	}
	if (r->state == HS_UNUSABLE)
		ui_logf(ui, "home: %s: %s", root, r->error);
	else
		ui_logf(ui, "home: found %s at %s", r->info.computer[0] ? r->info.computer : "(unnamed)", root);
	list.n++;
}

static void find_installations(struct ui *ui)
{
	list.n = 0;
	empty_msg[0] = '\0';
	if (ui->opts.root)
		add_root(ui, ui->opts.root, ui->opts.root);
	else if (ui->opts.disk)
		snprintf(empty_msg, sizeof(empty_msg),
			 "--disk: this build cannot open disks yet; mount the volume and start with --root DIR");
	else
		snprintf(empty_msg, sizeof(empty_msg),
			 "This build cannot list disks yet: mount the Windows volume and start rescue ui --root DIR");
	if (empty_msg[0])
		ui_logf(ui, "home: %s", empty_msg);
	scanned = true;
}

static void home_row_draw(void *data, size_t i, int y, int x, int w, bool sel)
{
	(void)data;
	const struct home_row *r = &rows[i];
	enum ui_attr base = sel ? UA_SELECTED : UA_NORMAL;
	char version[96];
	if (r->info.product[0])
		snprintf(version, sizeof(version), "%s%s%s", r->info.product, r->info.build[0] ? " " : "",
			 r->info.build);
	else
		snprintf(version, sizeof(version), "%s", r->state == HS_UNUSABLE ? "-" : "Windows (version unknown)");
	/* columns: computer 16, version 30 (wider screens more), size 9, state 11, where */
	int wv = w >= 120 ? 44 : 30;
	int cols[] = { 16, wv, 9, 11 };
	draw_field(y, x, 16, base, r->info.computer[0] ? r->info.computer : "-");
	draw_field(y, x + 16, cols[1], base, version);
	draw_field(y, x + 16 + cols[1], cols[2], base, r->size[0] ? r->size : "-");
	int sx = x + 16 + cols[1] + cols[2];
	draw_field(y, sx, cols[3], sel ? UA_SELECTED : state_table[r->state].attr, state_table[r->state].word);
	draw_field(y, sx + cols[3], w - (sx + cols[3] - x), base, "");
	move(y, sx + cols[3]);
	attron(draw_attr(base));
	draw_text_tail(y, sx + cols[3], w - (sx + cols[3] - x), r->label);
	attroff(draw_attr(base));
}

static void home_init(struct ui *ui)
{
	list.draw_row = home_row_draw;
	if (!scanned)
		find_installations(ui);
}

static void home_draw(struct ui *ui, int y, int x, int h, int w)
{
	(void)ui;
	draw_field(y, x, w, UA_HEADING, "Windows installations found");
	int wv = w >= 120 ? 44 : 30;
	char head[256];
	snprintf(head, sizeof(head), "%-16s%-*s%-9s%-11s%s", "COMPUTER", wv, "WINDOWS", "SIZE", "STATE", "WHERE");
	draw_field(y + 2, x, w, UA_DIM, head);
	if (list.n == 0) {
		draw_text(y + 4, x + 2, w - 4, empty_msg);
		return;
	}
	int lh = h - 7;
	if (lh > (int)list.n)
		lh = (int)list.n;
	ui_list_draw(&list, y + 3, x, lh, w);
	const struct home_row *r = &rows[list.cur];
	int ey = y + 4 + lh;
	draw_field(ey, x, 11, state_table[r->state].attr, state_table[r->state].word);
	draw_text(ey, x + 12, w - 12, state_table[r->state].why);
	if (r->error[0])
		draw_text(ey + 1, x + 12, w - 12, r->error);
	else
		draw_text(ey + 1, x + 12, w - 12, "Enter: work on this installation (containment, accounts, scan).");
}

static bool home_key(struct ui *ui, int ch)
{
	if (ui_list_key(&list, ch))
		return true;
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT: {
		if (list.n == 0)
			return true;
		const struct home_row *r = &rows[list.cur];
		if (r->state == HS_UNUSABLE || r->state == HS_BITLOCKER) {
			ui_status(ui, true, "%s cannot be opened: %s", r->label, state_table[r->state].why);
			return true;
		}
		struct rs_error err = { 0 };
		if (ui_open_target(ui, r->root, r->label, &err) != RS_OK) {
			ui_status(ui, true, "%s", err.msg);
			return true;
		}
		ui_go(ui, UI_CONTAIN);
		return true;
	}
	case 'r': case KEY_F(5):
		find_installations(ui);
		ui_status(ui, false, "Looked again: %zu installation%s", list.n, list.n == 1 ? "" : "s");
		return true;
	default:
		return false;
	}
}

static const struct ui_key home_keys[] = {
	{ "F1", "Help" }, { "Enter", "Open" }, { "r", "Refresh" }, { "1-6", "Screens" }, { "F10", "Quit" },
	{ NULL, NULL },
};

const struct ui_screen ui_home_screen = {
	.title = "Home",
	.keys = home_keys,
	.help = "Home lists the Windows installations rescue found, with their version,\n"
		"computer name, size and state. Choose one with the arrows and press Enter\n"
		"to work on it. States: hibernated and dirty volumes are opened with care,\n"
		"BitLocker volumes cannot be read without their key.",
	.init = home_init,
	.draw = home_draw,
	.key = home_key,
};
