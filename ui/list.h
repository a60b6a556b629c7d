/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list.h - the one list widget every screen uses (tmux's mode-tree idea):
 * the widget keeps the cursor and the scroll position, the screen draws
 * each row through a callback and decides what Enter or Space mean.
 *
 * Rows are drawn only when visible, so a list of thousands of detections
 * costs no more than a screenful. */
#ifndef UI_LIST_H
#define UI_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct ui_list {
	size_t n;                   /* rows */
	size_t cur;                 /* the cursor row */
	size_t top;                 /* first row shown */
	int h;                      /* rows shown by the last draw (for paging) */
	bool no_cursor;             /* a text view: arrows scroll, no highlight */
	void *data;                 /* the screen's, handed to draw_row */
	/* draw row I into (y, x) W columns wide; SEL when it has the cursor */
	void (*draw_row)(void *data, size_t i, int y, int x, int w, bool sel);
};

/* Draw the visible rows into the area (and a scroll hint in the last
 * column when there are more rows than fit). */
void ui_list_draw(struct ui_list *l, int y, int x, int h, int w);

/* Arrows, PgUp/PgDn, Home/End (and j/k): true when the key moved the
 * cursor or the view. */
bool ui_list_key(struct ui_list *l, int ch);

/* Set the number of rows, keeping the cursor inside. */
void ui_list_set_n(struct ui_list *l, size_t n);

#endif
