/* SPDX-License-Identifier: GPL-2.0-or-later */
/* home.c - Home: the Windows installations found, one row each (computer
 * name, version, size, state with a one-line explanation); Enter opens one.
 *
 * The rows come from --root DIR (one folder, read through rs_ctx_open), or
 * from rescue/disk/target.h: --disk PATH or, with neither, every local disk (the
 * boot case), each NTFS volume probed by the core (BitLocker, hibernated,
 * dirty, read-only) and mounted only when chosen.  The states are the
 * core's, shown in colour with what they mean for the technician. */
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "hive/wininfo.h"
#include "rescue/disk/disk.h"
#include "rescue/disk/target.h"
#include "rescue/disk/teardown.h"
#include "ui/dialog.h"
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
	[HS_BITLOCKER]  = { "BitLocker", UA_BAD, "Encrypted with BitLocker: Enter asks for its 48-digit recovery key." },
	[HS_UNUSABLE]   = { "unusable", UA_BAD, "Not a usable Windows installation (see the Log)." },
};

struct home_row {
	int install;                /* rescue/disk/target.h installation number, 0 for --root */
	char root[4096];
	char label[128];            /* where: the folder or device */
	struct win_info info;
	char size[16];
	enum home_state state;
	char error[256];            /* when unusable: the core's message */
	bool key_helps;             /* BitLocker whose metadata was read: a recovery key may open it */
};

static struct home_row rows[32];
static struct rs_target *target;    /* --disk or the local disks: owns the mounts */
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

/* One row per NTFS or BitLocker volume the core found (Windows or not, so
 * a technician sees why a disk offers nothing). */
static void add_volumes(struct ui *ui)
{
	for (size_t i = 0; i < rs_target_count(target) && list.n < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct rs_volume *v = rs_target_volume(target, i);
		if (!v->windows && !(v->state & (VOL_BITLOCKER | VOL_UNREADABLE)))
			continue;
		struct home_row *r = &rows[list.n++];
		memset(r, 0, sizeof(*r));
		r->install = v->install;
		snprintf(r->label, sizeof(r->label), "%s", v->part->name);
		disk_format_size(v->part->size, r->size, sizeof(r->size));
		if (v->windows)
			r->info = v->info;
		r->key_helps = v->bl && bl_recovery_id(v->bl, 0);    /* not TPM only */
		/* the gravest state decides the colour and the explanation */
		r->state = v->state & VOL_BITLOCKER    ? HS_BITLOCKER
			   : v->state & VOL_UNREADABLE ? HS_UNUSABLE
			   : !v->windows                ? HS_UNUSABLE
			   : v->state & VOL_HIBERNATED ? HS_HIBERNATED
			   : v->state & VOL_DIRTY      ? HS_DIRTY
			   : v->state & VOL_READONLY   ? HS_READONLY
						       : HS_OK;
		if (v->state & VOL_UNREADABLE)
			snprintf(r->error, sizeof(r->error), "%s", v->why);
		else if (v->state & VOL_BITLOCKER)
			snprintf(r->error, sizeof(r->error), "%s", v->bl_why);
		else if (!v->windows && !(v->state & VOL_BITLOCKER))
			snprintf(r->error, sizeof(r->error), "no Windows on this volume");
		char st[64];
		rs_volume_state_str(v->state, st, sizeof(st));
		ui_logf(ui, "home: %s: %s, state %s, hives %s%s%s", r->label, v->windows ? v->info.computer : "no Windows",
			st, v->windows ? v->hives_word : "-", r->error[0] ? ": " : "", r->error);
	}
}

/* The recovery keys typed on Home, kept for the rest of the run (the
 * target is scanned again with them), wiped at the end; once
 * one is typed they are tried instead of the command line's. */
static struct blk_ring typed_keys;

static void find_installations(struct ui *ui)
{
	list.n = 0;
	empty_msg[0] = '\0';
	if (ui->opts.root) {
		add_root(ui, ui->opts.root, ui->opts.root);
	} else if (!target) {
		/* mounts and loop devices end with the run, whatever ends it
		 * (a serial line hanging up sends SIGHUP) */
		teardown_install();
		struct rs_error err = { 0 };
		if (rs_target_scan(ui->opts.disk, typed_keys.n ? &typed_keys : ui->opts.keys, &target, &err) != RS_OK) {
			target = NULL;
			snprintf(empty_msg, sizeof(empty_msg), "%s", err.msg);
		}
	}
	if (target)
		add_volumes(ui);
	if (!list.n && !empty_msg[0])
		snprintf(empty_msg, sizeof(empty_msg), "No Windows installation found on %s.",
			 ui->opts.disk ? ui->opts.disk : "the local disks");
	if (empty_msg[0])
		ui_logf(ui, "home: %s", empty_msg);
	scanned = true;
}

/* Open row R: --root through rs_ctx_open; a disk installation through
 * rs_target_open, read-write when the core allows it, else read-only with
 * its reason (hibernated, dirty, read-only medium). */
static int open_row(struct ui *ui, const struct home_row *r, struct rs_error *err)
{
	unsigned flags = ui->opts.force ? RS_CTX_FORCE : 0;
	struct rs_ctx *ctx = NULL;
	int rc;
	if (!r->install) {
		rc = rs_ctx_open(r->root, flags, &ctx, err);
	} else {
		rc = rs_target_open(target, r->install, flags,
				    ui->opts.remove_hiberfile ? TARGET_REMOVE_HIBERFILE : 0, &ctx, err);
		if (rc && rc != RS_EUSAGE) {
			struct rs_error why = *err, e2 = { 0 };
			rc = rs_target_open(target, r->install, flags | RS_CTX_READONLY, 0, &ctx, &e2);
			if (rc == RS_OK) {
				ui_logf(ui, "home: %s opened read-only: %s", r->label, why.msg);
				ui_status(ui, true, "Read-only: %s", why.msg);
			} else {
				*err = e2;
			}
		}
	}
	if (rc)
		return rc;
	ui_set_target(ui, ctx, r->label);
	return RS_OK;
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
	int wv = w >= 120 ? 44 : w >= 100 ? 30 : 28;
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
	int wv = w >= 120 ? 44 : w >= 100 ? 30 : 28;
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

/* Ask for R's recovery password and look again with it: the core opens
 * the volume (or says why not, on the row). */
static void unlock_row(struct ui *ui, const struct home_row *r)
{
	char pw[64], label[sizeof(r->label)];
	snprintf(label, sizeof(label), "%s", r->label);
	if (!dlg_recovery_key(ui, "BitLocker recovery key", "The 48-digit recovery key of this volume:", pw, sizeof(pw)))
		return;
	struct rs_error err = { 0 };
	int rc = blk_add_typed(&typed_keys, pw, &err);
	memset(pw, 0, sizeof(pw));
	if (rc) {
		ui_status(ui, true, "%s", err.msg);
		return;
	}
	rs_target_close(target, &err);
	target = NULL;
	find_installations(ui);
	for (size_t i = 0; i < list.n; i++)
		if (strcmp(rows[i].label, label) == 0) {
			list.cur = i;
			if (rows[i].state == HS_BITLOCKER)
				ui_status(ui, true, "%s: %s", label, rows[i].error);
			else
				ui_status(ui, false, "%s unlocked: Enter opens it", label);
		}
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
		if (r->state == HS_BITLOCKER && r->key_helps && !ui->ctx && target) {
			unlock_row(ui, r);
			return true;
		}
		if (r->state == HS_UNUSABLE || r->state == HS_BITLOCKER) {
			ui_status(ui, true, "%s cannot be opened: %s", r->label, r->error[0] ? r->error : state_table[r->state].why);
			return true;
		}
		struct rs_error err = { 0 };
		if (open_row(ui, r, &err) != RS_OK) {
			ui_logf(ui, "home: cannot open %s: %s", r->label, err.msg);
			ui_status(ui, true, "%s", err.msg);
			return true;
		}
		bool ro_msg = ui->status[0] != '\0';
		ui_go(ui, UI_CONTAIN);
		if (!ro_msg)
			ui->status[0] = '\0';
		return true;
	}
	case 'r': case KEY_F(5):
		if (target && !ui->ctx) {
			/* look again from scratch: disks may have been plugged in */
			struct rs_error err = { 0 };
			rs_target_close(target, &err);
			target = NULL;
		}
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

static void home_fini(struct ui *ui)
{
	/* The open installation holds its volume root open (confine.h): let
	 * it go first, or the unmount is busy, ntfs-3g is only detached, and
	 * an unlocked volume's dislocker waits for its 10 s SIGTERM. */
	rs_ctx_close(ui->ctx);
	ui->ctx = NULL;
	struct rs_error err = { 0 };
	if (rs_target_close(target, &err) != RS_OK)
		snprintf(ui->close_error, sizeof(ui->close_error), "%s", err.msg);
	target = NULL;
	blk_free(&typed_keys);
}

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
	.fini = home_fini,
};
