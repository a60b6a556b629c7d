/* SPDX-License-Identifier: GPL-2.0-or-later */
/* draw.h - what every screen draws with: named attributes that fall back to
 * bold/reverse on a monochrome terminal, UTF-8 text cut to a width in
 * columns (wide and combining characters counted as the terminal shows
 * them), bars, boxes, and the modal dialogs (confirm, a list of result
 * lines, a hidden password entry).
 *
 * Every dialog redraws the screen under it on KEY_RESIZE, so a resize in
 * the middle of a question leaves no debris. */
#ifndef UI_DRAW_H
#define UI_DRAW_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "ui/key.h"

enum ui_attr {
	UA_NORMAL,
	UA_TITLE,       /* top bar */
	UA_KEY,         /* a key name in the help bar */
	UA_KEYLABEL,    /* its label */
	UA_SELECTED,    /* the list cursor */
	UA_OK,          /* contained, clean, done */
	UA_BAD,         /* open, failed, detections */
	UA_WARN,        /* hibernated, dirty, incomplete */
	UA_DIM,         /* secondary text */
	UA_HEADING,     /* column headings */
	UA_N
};

/* Set up colours (or the monochrome fallback) once after initscr. */
void draw_init(void);
int draw_attr(enum ui_attr a);

/* Put UTF-8 TEXT at (y, x), at most W columns; returns the columns used.
 * Bytes that are not valid UTF-8 and control characters show as '?'. */
int draw_text(int y, int x, int w, const char *text);
/* Same, padded with spaces to exactly W columns, in attribute A. */
void draw_field(int y, int x, int w, enum ui_attr a, const char *text);
/* Columns TEXT takes on screen (as draw_text counts them). */
int draw_width(const char *text);
/* TEXT cut so that its tail fits W columns, with "..." in front: for paths. */
void draw_text_tail(int y, int x, int w, const char *text);

/* Fill a row range with spaces in attribute A. */
void draw_fill(int y, int x, int h, int w, enum ui_attr a);
/* A box with a title centred in its top line. */
void draw_box(int y, int x, int h, int w, const char *title);
/* The help bar of KEYS (key==NULL ends) on row Y, as htop/mc draw it. */
void draw_keys(int y, int w, const struct ui_key *keys);
/* A progress bar of FRAC (0..1) W columns wide. */
void draw_progress(int y, int x, int w, double frac);

/* Large letters (5 rows high) for the verdict; returns the width used, or
 * 0 when W is too narrow (the caller then prints the word plainly). */
int draw_big(int y, int x, int w, enum ui_attr a, const char *word);
int draw_big_width(const char *word);

/* Read one key as an int: a character (as wint_t) or KEY_* code.  Esc alone
 * is 27 (ESCDELAY is short so Esc is quick on a serial line too). */
int ui_getkey(void);

#define KEY_ESC 27
#define KEY_CTRL(c) ((c) & 0x1f)

#endif
