/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ui.h - `rescue ui`: the ncurses front end.
 *
 * The shape is ncdu's: each screen exports init/draw/key (struct ui_screen),
 * ui.c is a small state machine that owns the terminal, the main loop and the
 * run's log, and the screens keep their own state in file statics.  Screens
 * call the same core functions the CLI does (hive/contain.h, hive/undo.h,
 * ...) and only show what those return: nothing here decides what to change.
 *
 * Ownership: ui_run opens and closes everything it uses; the target paths in
 * struct ui_opts are borrowed from the caller for the whole run. */
#ifndef UI_UI_H
#define UI_UI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "hive/wininfo.h"
#include "rescue/base/ctx.h"
#include "rescue/disk/blkeys.h"
#include "rescue/run/report.h"
#include "ui/key.h"

struct ui_opts {
	const char *root;           /* --root DIR: the one installation, or NULL */
	const char *disk;           /* --disk PATH, or NULL */
	bool force;                 /* --force: passed to the context (dirty hives) */
	bool remove_hiberfile;      /* --remove-hiberfile: a hibernated volume may be opened read-write */
	const struct blk_ring *keys; /* --bitlocker-key(s), or NULL: BitLocker recovery keys */
};

/* Run the UI until the technician quits.  Returns an rs_status for the exit
 * code: RS_EUSAGE when there is no terminal to draw on; RS_OK when no
 * installation was opened; otherwise the verdict's, as `rescue auto` exits:
 * 0 GREEN, 1 RED, 4 YELLOW. */
int ui_run(const struct ui_opts *opts);

enum ui_screen_id { UI_HOME, UI_CONTAIN, UI_ACCOUNTS, UI_SCAN, UI_VERDICT, UI_LOG, UI_NSCREENS };

/* The installation being worked on (chosen on Home). */
struct ui_target {
	char root[PATH_MAX];
	char label[128];            /* what Home showed: device or folder */
	struct win_info info;
	bool info_ok;
};

struct ui {
	struct ui_opts opts;
	enum ui_screen_id cur;
	enum ui_screen_id back[8];  /* Esc goes back along this */
	size_t nback;
	bool quit;
	struct rs_ctx *ctx;         /* the open installation, NULL before Home's choice */
	struct ui_target target;
	/* The report of this session on the open installation (rescue/run/report.h,
	 * the same as `rescue auto` writes): every action adds a step, the
	 * verdict is report_finish's.  Until a scan finishes, its "scan" step
	 * (index scan_step) says "refused: no scan", so the verdict is not GREEN
	 * for a machine nobody scanned. */
	struct report report;
	bool have_report;
	size_t scan_step;
	char report_written[4096];  /* where the report was saved, "" before */
	char status[256];           /* one line above the help bar, cleared on the next key */
	bool status_bad;
	char **log;                 /* the run's log, one line each */
	size_t nlog, caplog;
	bool busy;                  /* a screen wants the loop to tick (scan progress) */
	char close_error[512];      /* the volumes could not be let go cleanly at exit: said after endwin */
};

/* One key of the help bar: "F1" "Help". */
struct ui_screen {
	const char *title;          /* tab name */
	const struct ui_key *keys;  /* help bar, NULL-terminated by key == NULL */
	const char *help;           /* F1 text: lines separated by '\n' */
	bool needs_target;          /* only reachable once an installation is open */
	void (*init)(struct ui *ui);                  /* the screen becomes current */
	void (*draw)(struct ui *ui, int y, int x, int h, int w);  /* into this area of stdscr */
	bool (*key)(struct ui *ui, int ch);           /* true when the key was used */
	void (*tick)(struct ui *ui);                  /* called each loop while ui->busy */
	void (*fini)(struct ui *ui);                  /* the run ends: free state */
};

extern const struct ui_screen ui_home_screen, ui_contain_screen, ui_accounts_screen, ui_scan_screen,
	ui_verdict_screen, ui_log_screen;

/* Switch screens; Esc comes back along the way.  A screen that needs an
 * installation is refused (with a status line) before Home opened one. */
void ui_go(struct ui *ui, enum ui_screen_id id);
void ui_back(struct ui *ui);

/* Record a step of this session in the report (when an installation is
 * open) and in the log: "contain: changed: 13 settings". */
void ui_step(struct ui *ui, const char *name, enum report_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Append a line to the run's log (printf-style; a timestamp is added). */
void ui_logf(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The one-line message above the help bar; BAD shows it as an error. */
void ui_status(struct ui *ui, bool bad, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Draw the whole screen again (modal dialogs call this before drawing
 * themselves, so a resize under a dialog repaints cleanly). */
void ui_redraw(struct ui *ui);

/* Make CTX (opened by Home: rs_ctx_open or rs_target_open) the installation
 * worked on, closing any other; LABEL is what Home called it.  A new report
 * begins.  Takes ownership of CTX. */
void ui_set_target(struct ui *ui, struct rs_ctx *ctx, const char *label);

#endif
