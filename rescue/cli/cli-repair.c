/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli-repair.c - `rescue repair permissions [--dry-run]`: the security
 * descriptors of the security products' folders put back to Windows'
 * defaults (rescue/volume/permissions.h); `rescue undo permissions` reverts. */
#include <stdio.h>
#include <string.h>

#include "rescue/cli/cli.h"
#include "rescue/base/json.h"
#include "rescue/base/textesc.h"
#include "rescue/volume/permissions.h"

/* What is wrong with F, in words. */
static void finding_words(const struct perm_finding *f, char *buf, size_t len)
{
	if (f->skipped) {
		snprintf(buf, len, "%s", f->error);
		return;
	}
	if (f->malformed) {
		snprintf(buf, len, "malformed security descriptor: %s", f->why);
		return;
	}
	snprintf(buf, len, "owner %s%s%s%s%s", f->owner, f->owner_unusual ? " (not one Windows sets)" : "",
		 f->ndeny ? "; " : "", f->deny, f->empty_dacl ? "; empty DACL (nobody may open it)" : "");
}

static int repair_permissions(struct cli *cli)
{
	struct perm_report r;
	struct rs_error err = { 0 };
	int rc = perm_repair(cli->ctx, &r, &err);
	if (rc == RS_ETARGET) {
		cli_print_error(cli, &err);
		return rc;
	}
	if (cli->json)
		printf("{\"command\":\"repair permissions\",\"dry_run\":%s,\"folders\":%zu,\"checked\":%zu,\"findings\":[",
		       r.dry_run ? "true" : "false", r.nfolders, r.nobjects);
	for (size_t i = 0; i < r.n; i++) {
		const struct perm_finding *f = &r.v[i];
		char words[1024];
		finding_words(f, words, sizeof(words));
		const char *state = f->skipped ? "skipped" : f->error[0] ? "FAILED" : f->changed ? "repaired"
				    : r.dry_run ? "would repair" : "found";
		if (cli->json) {
			printf("%s{", i ? "," : "");
			json_put_member(stdout, "", "path", f->path);
			json_put_member(stdout, ",", "product", f->product);
			json_put_member(stdout, ",", "state", state);
			json_put_member(stdout, ",", "problem", words);
			printf(",\"deny\":%zu,\"owner_unusual\":%s,\"malformed\":%s,\"error\":", f->ndeny,
			       f->owner_unusual ? "true" : "false", f->malformed ? "true" : "false");
			json_put_str(stdout, f->error[0] && !f->skipped ? f->error : NULL);
			printf("}");
		} else if (f->error[0] && !f->skipped) {
			textesc_printf("FAILED %s (%s): %s: %s\n", f->path, f->product, words, f->error);
		} else {
			textesc_printf("%s %s (%s): %s\n", state, f->path, f->product, words);
		}
	}
	size_t hostile = 0;
	for (size_t i = 0; i < r.n; i++)
		hostile += !r.v[i].skipped;
	if (cli->json)
		printf("]}\n");
	else
		printf("%zu security product folder(s), %zu file(s) and folder(s) checked; %zu hostile descriptor(s) %s\n",
		       r.nfolders, r.nobjects, hostile,
		       r.dry_run ? "left as they are (dry run or read-only)" : "put back to Windows' defaults");
	perm_report_free(&r);
	if (rc)
		cli_print_error(cli, &err);
	return rc;
}

int cmd_repair(struct cli *cli, int argc, char **argv)
{
	const char *what = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "-n") == 0) {
			cli->ctx->flags |= RS_CTX_DRY_RUN;
		} else if (!what && argv[i][0] != '-') {
			what = argv[i];
		} else {
			textesc_fprintf(stderr, "rescue: repair: unknown argument %s\n", argv[i]);
			return RS_EUSAGE;
		}
	}
	if (!what || strcmp(what, "permissions") != 0) {
		textesc_fprintf(stderr, "rescue: repair: what? (want: repair permissions [--dry-run])\n");
		return RS_EUSAGE;
	}
	return repair_permissions(cli);
}
