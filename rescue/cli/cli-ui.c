/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli-ui.c - `rescue ui`: hand the global target options to the ncurses
 * front end (ui/ui.h), which lists and opens installations itself. */
#include <stdio.h>

#include "rescue/cli/cli.h"
#include "ui/ui.h"

int cmd_ui(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "rescue: ui takes no arguments (the target is --root DIR or --disk PATH)\n");
		return RS_EUSAGE;
	}
	if (cli->root && cli->disk) {
		fprintf(stderr, "rescue: --root and --disk exclude each other\n");
		return RS_EUSAGE;
	}
	struct ui_opts opts = { .root = cli->root, .disk = cli->disk, .force = cli->force,
				.remove_hiberfile = cli->remove_hiberfile, .keys = cli->keys };
	return ui_run(&opts);
}
