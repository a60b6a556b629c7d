/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/bigfont.h"

#include <stddef.h>

static const struct glyph {
	char c;
	const char *row[BIGFONT_ROWS];
} glyphs[] = {
	{ 'G', { " ### ", "#    ", "# ###", "#   #", " ### " } },
	{ 'R', { "#### ", "#   #", "#### ", "#  # ", "#   #" } },
	{ 'E', { "#####", "#    ", "#### ", "#    ", "#####" } },
	{ 'N', { "#   #", "##  #", "# # #", "#  ##", "#   #" } },
	{ 'D', { "#### ", "#   #", "#   #", "#   #", "#### " } },
	{ 'Y', { "#   #", " # # ", "  #  ", "  #  ", "  #  " } },
	{ 'L', { "#    ", "#    ", "#    ", "#    ", "#####" } },
	{ 'O', { " ### ", "#   #", "#   #", "#   #", " ### " } },
	{ 'W', { "#   #", "#   #", "# # #", "## ##", "#   #" } },
};

const char *bigfont_row(char c, int row)
{
	if (row < 0 || row >= BIGFONT_ROWS)
		return "     ";
	for (size_t i = 0; i < sizeof(glyphs) / sizeof(glyphs[0]); i++)
		if (glyphs[i].c == c)
			return glyphs[i].row[row];
	return "     ";
}
