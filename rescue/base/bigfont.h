/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bigfont.h - a 5x5 block font for the verdict words (GREEN, RED, YELLOW),
 * shared by the unattended run's verdict screen and the UI's. */
#ifndef RESCUE_BIGFONT_H
#define RESCUE_BIGFONT_H

#define BIGFONT_ROWS 5
#define BIGFONT_COLS 5

/* Row ROW (0..4) of letter C: five characters, '#' a solid cell; blanks
 * for a letter the font does not have. */
const char *bigfont_row(char c, int row);

#endif
