/* SPDX-License-Identifier: GPL-2.0-or-later */
/* key.h - one entry of a screen's help bar ("F5 Scan"), shared by the main
 * loop's screen table (ui/ui.h) and the drawing of the bar (ui/draw.h). */
#ifndef UI_KEY_H
#define UI_KEY_H

struct ui_key {
	const char *key;
	const char *label;
};

#endif
