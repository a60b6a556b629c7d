/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ui.c - the terminal, the main loop and the state machine between screens.
 *
 * Layout, whatever the size: row 0 the title with the screen tabs, row 1 the
 * installation being worked on, then the current screen, a status line, and
 * the help bar of keys at the bottom.  Everything is drawn again from the
 * state on every pass (curses sends only what changed), so KEY_RESIZE needs
 * nothing but another pass. */
#include "ui/ui.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rescue/base/grow.h"
#include "ui/dialog.h"
#include "ui/draw.h"

static const struct ui_screen *const screens[UI_NSCREENS] = {
	[UI_HOME] = &ui_home_screen,
	[UI_CONTAIN] = &ui_contain_screen,
	[UI_ACCOUNTS] = &ui_accounts_screen,
	[UI_SCAN] = &ui_scan_screen,
	[UI_VERDICT] = &ui_verdict_screen,
	[UI_LOG] = &ui_log_screen,
};

/* Smaller than this, the screens cannot be laid out: say so instead. */
#define MIN_ROWS 12
#define MIN_COLS 60

static const char global_help[] =
	"Keys on every screen:\n"
	"  1..6, Tab, Shift-Tab   go to a screen (tabs at the top)\n"
	"  Up Down PgUp PgDn      move in a list; Home End: first, last\n"
	"  Enter                  open or run the selected row\n"
	"  Space                  toggle the selected row\n"
	"  Esc                    back to the previous screen\n"
	"  F1 or ?                this help\n"
	"  F10 or q               quit\n"
	"Every action that writes to the Windows disk asks once, then\n"
	"shows what it did; the Log screen (6) keeps every line.";

void ui_logf(struct ui *ui, const char *fmt, ...)
{
	char line[1024];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	size_t n = strftime(line, sizeof(line), "%H:%M:%S ", &tm);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	char **p = grow_room(ui->log, &ui->caplog, ui->nlog, sizeof(*p), 64);
	if (!p)
		return;     /* the log is a help, not worth failing the run for */
	ui->log = p;
	char *copy = strdup(line);
	if (copy)
		ui->log[ui->nlog++] = copy;
}

void ui_status(struct ui *ui, bool bad, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ui->status, sizeof(ui->status), fmt, ap);
	va_end(ap);
	ui->status_bad = bad;
}

void ui_step(struct ui *ui, const char *name, enum report_status st, const char *fmt, ...)
{
	char detail[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	ui_logf(ui, "%s: %s: %s", name, report_status_name(st), detail);
	if (ui->have_report)
		report_step(&ui->report, name, st, 0, "%s", detail);
}

static void close_report(struct ui *ui)
{
	if (ui->have_report)
		report_free(&ui->report);
	ui->have_report = false;
	ui->report_written[0] = '\0';
}

void ui_set_target(struct ui *ui, struct rs_ctx *ctx, const char *label)
{
	rs_ctx_close(ui->ctx);
	close_report(ui);
	ui->ctx = ctx;
	memset(&ui->target, 0, sizeof(ui->target));
	snprintf(ui->target.root, sizeof(ui->target.root), "%s", ctx->root);
	snprintf(ui->target.label, sizeof(ui->target.label), "%s", label);
	struct rs_error e2 = { 0 };
	ui->target.info_ok = win_info_read(ctx, &ui->target.info, &e2) == RS_OK;
	if (!ui->target.info_ok)
		ui_logf(ui, "reading Windows version and name of %s: %s", label, e2.msg);
	struct report *r = &ui->report;
	report_init(r, ctx->stamp, label, "ui");
	ui->have_report = true;
	const struct win_info *wi = &ui->target.info;
	snprintf(r->machine, sizeof(r->machine), "%s", wi->computer);
	snprintf(r->product, sizeof(r->product), "%s", wi->product);
	snprintf(r->build, sizeof(r->build), "%s", wi->build);
	snprintf(r->display, sizeof(r->display), "%s", wi->display);
	report_step(r, "scan", STEP_REFUSED, 0, "no scan finished in this session");
	ui->scan_step = r->nsteps - 1;
	ui_logf(ui, "opened %s (%s): %s, computer %s%s%s", label, ctx->root,
		ui->target.info.product[0] ? ui->target.info.product : "Windows (product unknown)",
		ui->target.info.computer[0] ? ui->target.info.computer : "(unnamed)",
		ctx->flags & RS_CTX_READONLY ? ", read-only: " : "", ctx->flags & RS_CTX_READONLY ? ctx->readonly_why : "");
}

void ui_go(struct ui *ui, enum ui_screen_id id)
{
	if (id == ui->cur)
		return;
	if (screens[id]->needs_target && !ui->ctx) {
		ui_status(ui, true, "Choose a Windows installation on Home first (Enter)");
		return;
	}
	if (ui->nback == sizeof(ui->back) / sizeof(ui->back[0])) {
		memmove(ui->back, ui->back + 1, sizeof(ui->back) - sizeof(ui->back[0]));
		ui->nback--;
	}
	ui->back[ui->nback++] = ui->cur;
	ui->cur = id;
	if (screens[id]->init)
		screens[id]->init(ui);
}

void ui_back(struct ui *ui)
{
	if (ui->nback == 0)
		return;
	ui->cur = ui->back[--ui->nback];
	if (screens[ui->cur]->init)
		screens[ui->cur]->init(ui);
}

static void draw_title(struct ui *ui)
{
	draw_fill(0, 0, 1, COLS, UA_TITLE);
	attron(draw_attr(UA_TITLE));
	mvaddstr(0, 1, "rescue");
	attroff(draw_attr(UA_TITLE));
	int x = 9;
	for (int i = 0; i < UI_NSCREENS; i++) {
		char tab[32];
		snprintf(tab, sizeof(tab), " %d %s ", i + 1, screens[i]->title);
		int tw = (int)strlen(tab);
		if (x + tw > COLS)
			break;
		bool here = (int)ui->cur == i;
		bool off = screens[i]->needs_target && !ui->ctx;
		/* the current tab stands out as a raised tab: normal on the bar */
		draw_field(0, x, tw, here ? UA_NORMAL : UA_TITLE, tab);
		if (here)
			mvchgat(0, x, tw, A_BOLD, 0, NULL);
		else if (off)
			mvchgat(0, x, tw, draw_attr(UA_TITLE) | A_DIM, 0, NULL);
		x += tw;
	}
	/* the installation line */
	char line[512];
	const struct ui_target *t = &ui->target;
	if (!ui->ctx)
		snprintf(line, sizeof(line), " No installation open: choose one on Home");
	else
		snprintf(line, sizeof(line), " %s  %s%s%s  %s", t->info.computer[0] ? t->info.computer : "(unnamed)",
			 t->info.product[0] ? t->info.product : "Windows", t->info.build[0] ? " build " : "",
			 t->info.build, t->label);
	draw_field(1, 0, COLS, UA_HEADING, line);
	mvchgat(1, 0, COLS, A_BOLD, 0, NULL);
}

void ui_redraw(struct ui *ui)
{
	erase();
	if (LINES < MIN_ROWS || COLS < MIN_COLS) {
		char msg[96];
		snprintf(msg, sizeof(msg), "Terminal too small (%dx%d): rescue needs %dx%d", COLS, LINES, MIN_COLS,
			 MIN_ROWS);
		draw_text(0, 0, COLS, msg);
		refresh();
		return;
	}
	draw_title(ui);
	const struct ui_screen *s = screens[ui->cur];
	s->draw(ui, 2, 0, LINES - 4, COLS);
	if (ui->status[0])
		draw_field(LINES - 2, 0, COLS, ui->status_bad ? UA_BAD : UA_OK, ui->status);
	draw_keys(LINES - 1, COLS, s->keys);
	refresh();
}

static void show_help(struct ui *ui)
{
	const struct ui_screen *s = screens[ui->cur];
	char text[4096];
	snprintf(text, sizeof(text), "%s\n\n%s", s->help, global_help);
	char title[64];
	snprintf(title, sizeof(title), "Help: %s", s->title);
	dlg_message(ui, title, text);
}

/* Keys every screen shares, after the screen had its chance. */
static void global_key(struct ui *ui, int ch)
{
	switch (ch) {
	case KEY_F(1): case '?': case 'h':
		show_help(ui);
		break;
	case KEY_F(10): case 'q': case 'Q':
		ui->quit = true;
		break;
	case KEY_ESC: case KEY_BACKSPACE: case 0x7f:
		ui_back(ui);
		break;
	case '\t':
		ui_go(ui, (enum ui_screen_id)((ui->cur + 1) % UI_NSCREENS));
		break;
	case KEY_BTAB:
		ui_go(ui, (enum ui_screen_id)((ui->cur + UI_NSCREENS - 1) % UI_NSCREENS));
		break;
	default:
		if (ch >= '1' && ch < '1' + UI_NSCREENS)
			ui_go(ui, (enum ui_screen_id)(ch - '1'));
		break;
	}
}

static int verdict_code(struct ui *ui)
{
	if (!ui->have_report)
		return RS_OK;
	switch (report_finish(&ui->report)) {
	case VERDICT_GREEN:
		return RS_OK;
	case VERDICT_RED:
		return RS_DETECTED;
	default:
		return RS_EPARTIAL;
	}
}

int ui_run(const struct ui_opts *opts)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "rescue: ui needs a terminal (use the other commands, or `rescue auto`, in scripts)\n");
		return RS_EUSAGE;
	}
	setlocale(LC_ALL, "");
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "rescue: ui: cannot use terminal type '%s' (try TERM=linux or TERM=vt100)\n",
			getenv("TERM") ? getenv("TERM") : "");
		return RS_EUSAGE;
	}
	set_term(scr);
	set_escdelay(100);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	draw_init();
	dlg_init(ui_redraw);

	struct ui ui = { .opts = *opts, .cur = UI_HOME };
	ui_logf(&ui, "rescue ui started (terminal %s, %dx%d)", termname(), COLS, LINES);
	screens[UI_HOME]->init(&ui);
	while (!ui.quit) {
		/* every screen's tick, so a scan that ends while another screen
		 * is shown is still taken in */
		for (int i = 0; ui.busy && i < UI_NSCREENS; i++)
			if (screens[i]->tick)
				screens[i]->tick(&ui);
		ui_redraw(&ui);
		timeout(ui.busy ? 250 : -1);
		int ch = ui_getkey();
		if (ch == ERR || ch == KEY_RESIZE || ch == 0)
			continue;
		ui.status[0] = '\0';
		if (screens[ui.cur]->key && screens[ui.cur]->key(&ui, ch))
			continue;
		global_key(&ui, ch);
	}
	/* last screen first: Home unmounts the volumes the others read */
	for (int i = UI_NSCREENS - 1; i >= 0; i--)
		if (screens[i]->fini)
			screens[i]->fini(&ui);
	endwin();
	delscreen(scr);
	if (ui.close_error[0])
		fprintf(stderr, "rescue: %s\n", ui.close_error);
	rs_ctx_close(ui.ctx);
	ui.ctx = NULL;
	int rc = verdict_code(&ui);
	close_report(&ui);
	for (size_t i = 0; i < ui.nlog; i++)
		free(ui.log[i]);
	free(ui.log);
	return rc;
}
