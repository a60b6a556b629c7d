/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli-upload.c - `rescue upload URL FILE...`: hand reports in to the
 * technician's laptop (rescue/run/upload.h); the network boot's /init calls
 * it after the run. */
#include <stdio.h>
#include <string.h>

#include "rescue/base/textesc.h"
#include "rescue/cli/cli.h"
#include "rescue/run/upload.h"

int cmd_upload(struct cli *cli, int argc, char **argv)
{
	if (argc < 3 || argv[1][0] == '-') {
		fprintf(stderr, "rescue: usage: rescue upload http://HOST[:PORT]/FOLDER/ FILE...\n");
		return RS_EUSAGE;
	}
	int rc = RS_OK;
	for (int i = 2; i < argc; i++) {
		const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
		struct rs_error err = { 0 };
		int r = upload_put(argv[1], argv[i], name, &err);
		if (r == RS_OK) {
			textesc_printf("sent %s\n", argv[i]);
			continue;
		}
		cli_print_error(cli, &err);
		if (r == RS_EUSAGE || r == RS_ETARGET)
			return r;   /* the same for every file: say it once */
		rc = RS_EPARTIAL;
	}
	return rc;
}
