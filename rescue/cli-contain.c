/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli-contain.c - status, contain, undo (being written: hive layer lands next). */
#include "rescue/cli.h"

static int not_yet(struct cli *cli)
{
	struct rs_error err;
	rs_fail(&err, RS_EUSAGE, "this command is being written");
	cli_print_error(cli, &err);
	return RS_EUSAGE;
}

int cmd_status(struct cli *cli, int argc, char **argv) { (void)argc; (void)argv; return not_yet(cli); }
int cmd_contain(struct cli *cli, int argc, char **argv) { (void)argc; (void)argv; return not_yet(cli); }
int cmd_undo(struct cli *cli, int argc, char **argv) { (void)argc; (void)argv; return not_yet(cli); }
