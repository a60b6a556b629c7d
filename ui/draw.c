/* SPDX-License-Identifier: GPL-2.0-or-later */
/* draw.c - attributes, width-aware text, bars, boxes, the big verdict word and keys. */
#include "ui/draw.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "rescue/base/bigfont.h"

/* Each attribute as a colour pair (foreground, background) and as what a
 * monochrome terminal can show instead.  -1 is the terminal's default. */
static const struct {
	short fg, bg;
	int color_extra;    /* added to the colour pair */
	int mono;           /* used without colours */
} attr_table[UA_N] = {
	[UA_NORMAL]   = { -1, -1, 0, A_NORMAL },
	[UA_TITLE]    = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	[UA_KEY]      = { -1, -1, A_BOLD, A_BOLD },
	[UA_KEYLABEL] = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	[UA_SELECTED] = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	[UA_OK]       = { COLOR_GREEN, -1, A_BOLD, A_NORMAL },
	[UA_BAD]      = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[UA_WARN]     = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[UA_DIM]      = { COLOR_BLUE, -1, A_BOLD, A_DIM },
	[UA_HEADING]  = { -1, -1, A_BOLD | A_UNDERLINE, A_BOLD | A_UNDERLINE },
};

static int attrs[UA_N];

void draw_init(void)
{
	/* NO_COLOR (no-color.org) forces the monochrome look, which is also how
	 * the tests check the fallback. */
	bool color = has_colors() && !getenv("NO_COLOR");
	if (color) {
		start_color();
		use_default_colors();
	}
	for (int a = 0; a < UA_N; a++) {
		if (!color) {
			attrs[a] = attr_table[a].mono;
			continue;
		}
		if (attr_table[a].fg == -1 && attr_table[a].bg == -1) {
			attrs[a] = attr_table[a].color_extra;
			continue;
		}
		init_pair((short)a, attr_table[a].fg, attr_table[a].bg);
		attrs[a] = COLOR_PAIR(a) | attr_table[a].color_extra;
	}
}

int draw_attr(enum ui_attr a)
{
	return attrs[a];
}

/* Decode one UTF-8 character of S (at most N bytes) into *WC; returns the
 * bytes used (>= 1).  Invalid bytes and control characters become '?'. */
static size_t next_char(const char *s, size_t n, wchar_t *wc, mbstate_t *st)
{
	size_t k = mbrtowc(wc, s, n, st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		memset(st, 0, sizeof(*st));
		*wc = L'?';
		return 1;
	}
	if (!iswprint((wint_t)*wc) && wcwidth(*wc) != 0)
		*wc = L'?';
	else if (*wc < 0x20 || *wc == 0x7f)
		*wc = L'?';
	return k;
}

static int char_width(wchar_t wc)
{
	int cw = wcwidth(wc);
	return cw < 0 ? 1 : cw;
}

int draw_width(const char *text)
{
	mbstate_t st = { 0 };
	size_t n = strlen(text);
	int cols = 0;
	for (size_t i = 0; i < n;) {
		wchar_t wc;
		i += next_char(text + i, n - i, &wc, &st);
		cols += char_width(wc);
	}
	return cols;
}

int draw_text(int y, int x, int w, const char *text)
{
	if (w <= 0 || !text)
		return 0;
	mbstate_t st = { 0 };
	size_t n = strlen(text);
	wchar_t buf[512];
	size_t nb = 0;
	int cols = 0;
	for (size_t i = 0; i < n && nb + 1 < sizeof(buf) / sizeof(buf[0]);) {
		wchar_t wc;
		size_t k = next_char(text + i, n - i, &wc, &st);
		int cw = char_width(wc);
		if (cols + cw > w)
			break;
		/* a combining mark at the start has nothing to sit on */
		if (cw == 0 && nb == 0)
			wc = L'?', cw = 1;
		buf[nb++] = wc;
		cols += cw;
		i += k;
	}
	buf[nb] = L'\0';
	mvaddnwstr(y, x, buf, (int)nb);
	return cols;
}

void draw_field(int y, int x, int w, enum ui_attr a, const char *text)
{
	if (w <= 0)
		return;
	attron(attrs[a]);
	int used = draw_text(y, x, w, text);
	if (used < w)
		mvhline(y, x + used, ' ', w - used);
	attroff(attrs[a]);
}

void draw_text_tail(int y, int x, int w, const char *text)
{
	if (w <= 0)
		return;
	if (draw_width(text) <= w) {
		draw_text(y, x, w, text);
		return;
	}
	if (w <= 3) {
		draw_text(y, x, w, "...");
		return;
	}
	/* drop whole characters from the front until the rest fits */
	mbstate_t st = { 0 };
	size_t n = strlen(text);
	const char *p = text;
	while (*p && draw_width(p) > w - 3) {
		wchar_t wc;
		p += next_char(p, n - (size_t)(p - text), &wc, &st);
	}
	mvaddstr(y, x, "...");
	draw_text(y, x + 3, w - 3, p);
}

void draw_fill(int y, int x, int h, int w, enum ui_attr a)
{
	if (w <= 0)
		return;
	attron(attrs[a]);
	for (int r = 0; r < h; r++)
		mvhline(y + r, x, ' ', w);
	attroff(attrs[a]);
}

void draw_box(int y, int x, int h, int w, const char *title)
{
	draw_fill(y, x, h, w, UA_NORMAL);
	mvaddch(y, x, ACS_ULCORNER);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvvline(y + 1, x, ACS_VLINE, h - 2);
	mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
	if (title && *title) {
		int tw = draw_width(title) + 2;
		if (tw > w - 4)
			tw = w - 4;
		attron(A_BOLD);
		mvaddch(y, x + (w - tw) / 2 - 1, ' ');
		draw_text(y, x + (w - tw) / 2, tw - 2, title);
		mvaddch(y, x + (w - tw) / 2 + tw - 2, ' ');
		attroff(A_BOLD);
	}
}

void draw_keys(int y, int w, const struct ui_key *keys)
{
	/* mc's look: the key plain, its label in the bar colour.  Keys that do
	 * not fit are dropped whole, never cut in half. */
	int x = 0;
	for (const struct ui_key *k = keys; k && k->key; k++) {
		int kw = draw_width(k->key), lw = draw_width(k->label);
		if (x + kw + lw + 1 > w)
			break;
		attron(attrs[UA_KEY]);
		draw_text(y, x, kw, k->key);
		attroff(attrs[UA_KEY]);
		draw_field(y, x + kw, lw + 1, UA_KEYLABEL, k->label);
		x += kw + lw + 1;
		if (x < w)
			mvaddch(y, x++, ' ');
	}
	if (x < w)
		draw_fill(y, x, 1, w - x, UA_KEYLABEL);
}

void draw_progress(int y, int x, int w, double frac)
{
	if (w < 3)
		return;
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	int inner = w - 2, done = (int)(frac * inner + 0.5);
	mvaddch(y, x, '[');
	attron(attrs[UA_SELECTED]);
	mvhline(y, x + 1, ' ', done);
	attroff(attrs[UA_SELECTED]);
	if (inner - done > 0)
		mvhline(y, x + 1 + done, ACS_BULLET, inner - done);
	mvaddch(y, x + w - 1, ']');
}

int draw_big_width(const char *word)
{
	/* each cell two columns wide so the letters look square */
	size_t n = strlen(word);
	return n ? (int)(n * 12 - 2) : 0;
}

int draw_big(int y, int x, int w, enum ui_attr a, const char *word)
{
	int bw = draw_big_width(word);
	if (bw > w)
		return 0;
	for (size_t i = 0; word[i]; i++)
		for (int r = 0; r < BIGFONT_ROWS; r++)
			for (int c = 0; c < BIGFONT_COLS; c++) {
				/* reverse video, so it shows on a monochrome screen too */
				int at = bigfont_row(word[i], r)[c] == '#' ? attrs[a] | A_REVERSE : A_NORMAL;
				attron(at);
				mvaddstr(y + r, x + (int)i * 12 + c * 2, "  ");
				attroff(at);
			}
	return bw;
}

int ui_getkey(void)
{
	wint_t wc;
	int r = get_wch(&wc);
	if (r == ERR)
		return ERR;
	if (r == KEY_CODE_YES)
		return (int)wc;
	if (wc == KEY_ESC) {
		/* A key the terminal description does not know (Home on a vt100
		 * line that is really an xterm) arrives as Esc plus its sequence
		 * at once: swallow the sequence rather than read it as Esc (back)
		 * followed by stray characters.  A lone Esc has nothing after it. */
		int delay = wgetdelay(stdscr);
		timeout(0);
		int c = getch();
		if (c == '[' || c == 'O') {
			while ((c = getch()) != ERR && !(c >= 0x40 && c <= 0x7e))
				;
			wc = 0;
		} else if (c != ERR) {
			ungetch(c);
		}
		timeout(delay);
	}
	/* characters above Latin-1 would collide with KEY_* codes; no screen
	 * uses them as commands (the password dialog reads its own) */
	return wc < 0x100 ? (int)wc : 0;
}
