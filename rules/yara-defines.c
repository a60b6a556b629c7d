/* SPDX-License-Identifier: GPL-2.0-or-later */
/* yara-defines.c - print the yarac/yara options that define rescue's
 * external variables, each empty ("-d filename= -d filepath= ..."), on one
 * line.  The Makefile compiles the built-in rules with them and the benches
 * give them to the yara CLI: both read rs_ext_name(), the names the scanner
 * defines for every file (rescue/scan/externals.h), so no list can drift. */
#include <stdio.h>

#include "rescue/scan/externals.h"

int main(void)
{
	for (int k = 0; k < RS_EXT_N; k++)
		printf("%s-d %s=", k ? " " : "", rs_ext_name(k));
	putchar('\n');
	return ferror(stdout) ? 1 : 0;
}
