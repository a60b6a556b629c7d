/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list.c - the generic list: cursor, scrolling, paging. */
#include "ui/list.h"

#include "ui/draw.h"

void ui_list_set_n(struct ui_list *l, size_t n)
{
	l->n = n;
	if (l->cur >= n)
		l->cur = n ? n - 1 : 0;
	if (l->top > l->cur)
		l->top = l->cur;
}

/* Keep the cursor on screen (or, for a text view, the view inside the
 * text). */
static void clamp(struct ui_list *l)
{
	size_t h = l->h > 0 ? (size_t)l->h : 1;
	if (l->no_cursor) {
		size_t maxtop = l->n > h ? l->n - h : 0;
		if (l->top > maxtop)
			l->top = maxtop;
		return;
	}
	if (l->cur >= l->n)
		l->cur = l->n ? l->n - 1 : 0;
	if (l->cur < l->top)
		l->top = l->cur;
	if (l->cur >= l->top + h)
		l->top = l->cur - h + 1;
}

void ui_list_draw(struct ui_list *l, int y, int x, int h, int w)
{
	if (h <= 0 || w <= 0)
		return;
	l->h = h;
	clamp(l);
	bool more = l->n > (size_t)h;
	int rw = more ? w - 1 : w;
	for (int r = 0; r < h; r++) {
		size_t i = l->top + (size_t)r;
		if (i >= l->n) {
			draw_fill(y + r, x, 1, w, UA_NORMAL);
			continue;
		}
		l->draw_row(l->data, i, y + r, x, rw, !l->no_cursor && i == l->cur);
	}
	if (more) {
		/* a one-column scroll bar: where the view is in the whole */
		size_t pos = l->top * (size_t)(h - 1) / (l->n - (size_t)h);
		for (int r = 0; r < h; r++)
			mvaddch(y + r, x + w - 1, (size_t)r == pos ? ACS_BLOCK | draw_attr(UA_SELECTED) : ACS_VLINE);
	}
}

bool ui_list_key(struct ui_list *l, int ch)
{
	size_t page = l->h > 1 ? (size_t)l->h - 1 : 1;
	size_t *p = l->no_cursor ? &l->top : &l->cur;
	switch (ch) {
	case KEY_UP: case 'k':
		if (*p > 0)
			(*p)--;
		break;
	case KEY_DOWN: case 'j':
		if (*p + 1 < l->n)
			(*p)++;
		break;
	case KEY_PPAGE:
		*p = *p > page ? *p - page : 0;
		break;
	case KEY_NPAGE:
		*p = *p + page < l->n ? *p + page : (l->n ? l->n - 1 : 0);
		break;
	case KEY_HOME: case 'g':
		*p = 0;
		break;
	case KEY_END: case 'G':
		*p = l->n ? l->n - 1 : 0;
		break;
	default:
		return false;
	}
	clamp(l);
	return true;
}
