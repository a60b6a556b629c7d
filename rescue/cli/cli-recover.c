/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli-recover.c - `rescue recover`: replay the transaction logs of every
 * dirty hive of the installation and write the result back (hive/recover.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hive/hive.h"
#include "hive/recover.h"
#include "rescue/cli/cli.h"
#include "rescue/base/json.h"
#include "rescue/base/textesc.h"

int cmd_recover(struct cli *cli, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "-n") == 0) {
			cli->ctx->flags |= RS_CTX_DRY_RUN;
		} else {
			textesc_fprintf(stderr, "rescue: recover: unknown argument %s\n", argv[i]);
			return RS_EUSAGE;
		}
	}
	struct hive_probe *v;
	size_t n;
	struct rs_error err = { 0 };
	int rc = hive_recovery_list(cli->ctx, &v, &n, &err);
	if (rc) {
		cli_print_error(cli, &err);
		return rc;
	}
	/* Opening a dirty hive for writing recovers it (and refuses one whose
	 * logs are missing or damaged, unless --force). */
	int worst = RS_OK;
	if (cli->json)
		printf("{\"command\":\"recover\",\"dry_run\":%s,\"hives\":[",
		       cli->ctx->flags & RS_CTX_DRY_RUN ? "true" : "false");
	size_t shown = 0;
	for (size_t i = 0; i < n; i++) {
		if (!v[i].rec.dirty)
			continue;
		struct hive *h = NULL;
		struct rs_error herr = { 0 };
		int hrc = hive_open(cli->ctx, v[i].rel, HIVE_WRITE, &h, &herr);
		if (hrc == RS_OK)
			hrc = hive_write_recovery(h, &herr);
		struct hive_recovery r = h ? *hive_recovery_info(h) : v[i].rec;
		hive_close(h);
		if (hrc)
			worst = RS_EPARTIAL;
		char line[1024];
		hive_recovery_describe(&r, line, sizeof(line));
		if (cli->json) {
			printf("%s", shown ? "," : "");
			cli_put_hive_json(v[i].rel, &r, hrc ? herr.msg : NULL);
		} else if (hrc) {
			textesc_printf("NOT WRITTEN %s: %s\n", v[i].rel, herr.msg);
		} else {
			textesc_printf("%s %s: %s\n", cli->ctx->flags & RS_CTX_DRY_RUN ? "would recover" : "recovered",
			       v[i].rel, line);
		}
		shown++;
	}
	if (cli->json)
		printf("]}\n");
	else if (shown == 0)
		printf("no dirty hive: nothing to recover\n");
	free(v);
	if (worst)
		fprintf(stderr, "rescue: some dirty hives were not written (see above)\n");
	return worst;
}
