/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dialog.c - modal dialogs: a question, a list of lines, a message, a secret. */
#include "ui/dialog.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "rescue/disk/bitlocker.h"
#include "ui/draw.h"
#include "ui/list.h"

/* What a dialog is drawn over, set once by the main loop (ui/ui.c), so this
 * file needs nothing from it. */
static void (*backdrop)(struct ui *ui);

void dlg_init(void (*redraw)(struct ui *ui))
{
	backdrop = redraw;
}

/* Split MSG at '\n' into at most MAX lines pointing into BUF. */
static size_t split_lines(const char *msg, char *buf, size_t buflen, char **lines, size_t max)
{
	snprintf(buf, buflen, "%s", msg);
	size_t n = 0;
	for (char *p = buf; p && n < max;) {
		lines[n++] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}
	return n;
}

/* The box for a dialog of NLINES text lines, centred and kept on screen. */
static void dialog_frame(int nlines, int want_w, int *y, int *x, int *h, int *w)
{
	*w = want_w + 4;
	if (*w > COLS - 2)
		*w = COLS - 2;
	if (*w < 20)
		*w = COLS < 20 ? COLS : 20;
	*h = nlines + 4;
	if (*h > LINES - 2)
		*h = LINES - 2;
	if (*h < 5)
		*h = LINES < 5 ? LINES : 5;
	*y = (LINES - *h) / 2;
	*x = (COLS - *w) / 2;
}

bool dlg_confirm(struct ui *ui, const char *title, const char *question)
{
	char buf[2048];
	char *lines[24];
	size_t n = split_lines(question, buf, sizeof(buf), lines, 24);
	bool yes = false;   /* the highlighted button */
	for (;;) {
		backdrop(ui);
		int tw = 24;
		for (size_t i = 0; i < n; i++)
			if (draw_width(lines[i]) > tw)
				tw = draw_width(lines[i]);
		int y, x, h, w;
		dialog_frame((int)n + 2, tw, &y, &x, &h, &w);
		draw_box(y, x, h, w, title);
		for (size_t i = 0; i < n && (int)i < h - 5; i++)
			draw_text(y + 2 + (int)i, x + 2, w - 4, lines[i]);
		int by = y + h - 2, bx = x + (w - 20) / 2;
		draw_field(by, bx, 7, yes ? UA_SELECTED : UA_NORMAL, " [Yes]");
		draw_field(by, bx + 11, 6, yes ? UA_NORMAL : UA_SELECTED, " [No]");
		move(by, yes ? bx + 2 : bx + 13);
		refresh();
		int ch = ui_getkey();
		switch (ch) {
		case 'y': case 'Y':
			return true;
		case 'n': case 'N': case KEY_ESC: case 'q': case KEY_F(10):
			return false;
		case '\n': case '\r': case KEY_ENTER:
			return yes;
		case KEY_LEFT: case KEY_RIGHT: case '\t': case KEY_BTAB:
			yes = !yes;
			break;
		default:
			break;
		}
	}
}

struct lines_data {
	char *const *lines;
};

static void lines_row(void *data, size_t i, int y, int x, int w, bool sel)
{
	struct lines_data *d = data;
	(void)sel;
	draw_field(y, x, w, UA_NORMAL, d->lines[i]);
}

void dlg_lines(struct ui *ui, const char *title, char *const *lines, size_t nlines)
{
	struct lines_data d = { lines };
	struct ui_list l = { .n = nlines, .data = &d, .draw_row = lines_row, .no_cursor = true };
	for (;;) {
		backdrop(ui);
		int tw = 30;
		for (size_t i = 0; i < nlines; i++)
			if (draw_width(lines[i]) > tw)
				tw = draw_width(lines[i]);
		int y, x, h, w;
		dialog_frame((int)nlines + 1, tw, &y, &x, &h, &w);
		draw_box(y, x, h, w, title);
		ui_list_draw(&l, y + 1, x + 2, h - 3, w - 4);
		draw_text(y + h - 2, x + (w - 18) / 2, w - 2, "Enter or Esc: close");
		refresh();
		int ch = ui_getkey();
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER || ch == KEY_ESC || ch == 'q' || ch == KEY_F(10))
			return;
		ui_list_key(&l, ch);
	}
}

void dlg_message(struct ui *ui, const char *title, const char *msg)
{
	char buf[4096];
	char *lines[64];
	size_t n = split_lines(msg, buf, sizeof(buf), lines, 64);
	dlg_lines(ui, title, lines, n);
}

bool dlg_secret(struct ui *ui, const char *title, const char *prompt, char *out, size_t outlen)
{
	wchar_t buf[256];
	size_t n = 0;
	bool ok = false;
	for (;;) {
		backdrop(ui);
		int y, x, h, w;
		dialog_frame(3, 50, &y, &x, &h, &w);
		draw_box(y, x, h, w, title);
		draw_text(y + 2, x + 2, w - 4, prompt);
		char count[64];
		/* the length only, so a mistyped key can be noticed */
		snprintf(count, sizeof(count), "(not shown: %zu typed)", n);
		attron(draw_attr(UA_DIM));
		draw_text(y + 3, x + 2, w - 4, count);
		attroff(draw_attr(UA_DIM));
		draw_text(y + h - 2, x + 2, w - 4, "Enter: done  Esc: cancel");
		move(y + 2, x + 2 + draw_width(prompt) + 1 < x + w - 1 ? x + 2 + draw_width(prompt) + 1 : x + w - 2);
		curs_set(1);
		refresh();
		wint_t wc;
		int r = get_wch(&wc);
		if (r == ERR)
			continue;
		if (r == KEY_CODE_YES) {
			if (wc == KEY_BACKSPACE && n > 0)
				n--;
			else if (wc == KEY_ENTER) {
				ok = true;
				break;
			}
			continue;
		}
		if (wc == KEY_ESC)
			break;
		if (wc == '\n' || wc == '\r') {
			ok = true;
			break;
		}
		if (wc == 0x7f || wc == 8) {
			if (n > 0)
				n--;
		} else if (wc == KEY_CTRL('u')) {
			n = 0;
		} else if (iswprint(wc) && n + 1 < sizeof(buf) / sizeof(buf[0])) {
			buf[n++] = (wchar_t)wc;
		}
	}
	curs_set(0);
	buf[n] = L'\0';
	if (ok) {
		const wchar_t *src = buf;
		mbstate_t st = { 0 };
		size_t k = wcsrtombs(out, &src, outlen, &st);
		if (k == (size_t)-1 || src != NULL) {
			out[0] = '\0';
			ok = false;
		}
	}
	/* leave no copy of the secret behind */
	memset(buf, 0, sizeof(buf));
	return ok;
}

/* The first mistyped group among the complete ones of DIGITS (N typed), or 0:
 * the core's check on what is typed, the groups not yet typed as 000000. */
static int bad_group(const char *digits, size_t n)
{
	char pw[56];
	size_t o = 0;
	for (size_t g = 0; g < 8; g++) {
		if (g)
			pw[o++] = '-';
		for (size_t d = 0; d < 6; d++, o++)
			pw[o] = g * 6 + d < n - n % 6 ? digits[g * 6 + d] : '0';
	}
	pw[o] = '\0';
	int bad = 0;
	bl_check_password(pw, NULL, &bad, NULL);
	memset(pw, 0, sizeof(pw));
	return bad;
}

bool dlg_recovery_key(struct ui *ui, const char *title, const char *prompt, char *out, size_t outlen)
{
	char digits[49];
	size_t n = 0;
	bool ok = false;
	for (;;) {
		int bad = bad_group(digits, n);
		backdrop(ui);
		int y, x, h, w;
		dialog_frame(4, 62, &y, &x, &h, &w);
		draw_box(y, x, h, w, title);
		draw_text(y + 2, x + 2, w - 4, prompt);
		char shown[64];
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			if (i && i % 6 == 0)
				shown[o++] = '-';
			shown[o++] = digits[i];
		}
		shown[o] = '\0';
		draw_text(y + 3, x + 2, w - 4, shown);
		char note[96];
		if (bad)
			snprintf(note, sizeof(note), "group %d is mistyped (each group divides by 11): Backspace", bad);
		else
			snprintf(note, sizeof(note), "%zu of 48 digits", n);
		attron(draw_attr(bad ? UA_BAD : UA_DIM));
		draw_text(y + 4, x + 2, w - 4, note);
		attroff(draw_attr(bad ? UA_BAD : UA_DIM));
		draw_text(y + h - 2, x + 2, w - 4, "Enter: open  Esc: cancel");
		refresh();
		wint_t wc;
		int r = get_wch(&wc);
		if (r == ERR)
			continue;
		bool back = (r == KEY_CODE_YES && wc == KEY_BACKSPACE) || (r != KEY_CODE_YES && (wc == 0x7f || wc == 8));
		if (back) {
			if (n > 0)
				n--;
		} else if (r != KEY_CODE_YES && wc == KEY_ESC) {
			break;
		} else if ((r == KEY_CODE_YES && wc == KEY_ENTER) || (r != KEY_CODE_YES && (wc == '\n' || wc == '\r'))) {
			if (n == 48 && !bad) {
				ok = true;
				break;
			}
		} else if (r != KEY_CODE_YES && wc >= '0' && wc <= '9' && n < 48 && !bad) {
			digits[n++] = (char)wc;
		}
	}
	if (ok) {
		size_t o = 0;
		for (size_t i = 0; i < n && o + 2 < outlen; i++) {
			if (i && i % 6 == 0)
				out[o++] = '-';
			out[o++] = digits[i];
		}
		out[o] = '\0';
	}
	memset(digits, 0, sizeof(digits));
	return ok;
}
