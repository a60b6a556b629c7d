/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli-contain.c - `rescue status`, `rescue contain`, `rescue undo`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hive/contain.h"
#include "hive/hive.h"
#include "hive/patches.h"
#include "hive/recover.h"
#include "hive/undo.h"
#include "rescue/cli/cli.h"
#include "rescue/base/json.h"
#include "rescue/base/textesc.h"

static void print_windows(const struct cli *cli, const struct win_info *w)
{
	if (cli->json) {
		json_put_member(stdout, "\"windows\":{", "product", w->product);
		json_put_member(stdout, ",", "version", w->version);
		json_put_member(stdout, ",", "build", w->build);
		json_put_member(stdout, ",", "computer", w->computer);
		printf(",\"xp\":%s,\"64bit\":%s}", w->xp_family ? "true" : "false", w->is_64bit ? "true" : "false");
		return;
	}
	textesc_printf("%s%s%s%s%s, computer %s, %s\n", w->product[0] ? w->product : "Windows (product unknown)",
	       w->build[0] ? " build " : "", w->build, w->display[0] ? ", " : "", w->display,
	       w->computer[0] ? w->computer : "(unnamed)", w->is_64bit ? "64-bit" : "32-bit");
}

static void print_check_json(const struct contain_check *c)
{
	json_put_member(stdout, "{", "hive", c->hive);
	json_put_member(stdout, ",", "key", c->key);
	json_put_member(stdout, ",", "value", c->value);
	json_put_member(stdout, ",", "before", c->before);
	json_put_member(stdout, ",", "current", c->current);
	json_put_member(stdout, ",", "wanted", c->wanted);
	printf(",\"ok\":%s,\"changed\":%s}", c->ok ? "true" : "false", c->changed ? "true" : "false");
}

/* The patch audit of `status` (report only). */
static void print_patches(const struct cli *cli, const struct patch_audit *pa)
{
	char summary[1024];
	patch_audit_summary(pa, summary, sizeof(summary));
	if (cli->json) {
		json_put_member(stdout, ",\"patches\":{", "summary", summary);
		printf(",\"holes\":[");
		for (size_t i = 0; i < pa->n; i++) {
			json_put_member(stdout, i ? ",{" : "{", "bulletin", pa->v[i].bulletin);
			json_put_member(stdout, ",", "hole", pa->v[i].hole);
			json_put_member(stdout, ",", "state", patch_state_name(pa->v[i].state));
			json_put_member(stdout, ",", "detail", pa->v[i].detail);
			printf("}");
		}
		printf("]}");
		return;
	}
	textesc_printf("\npatches  %s\n", summary);
	for (size_t i = 0; i < pa->n; i++)
		textesc_printf("    %-9s %-13s %s%s%s\n", pa->v[i].bulletin, patch_state_name(pa->v[i].state),
			       pa->v[i].hole, pa->v[i].detail[0] ? ": " : "", pa->v[i].detail);
	if (patch_audit_missing(pa))
		printf("    note: install the missing updates before the machine rejoins the network\n");
}

/* One report, as text or JSON.  MODE: "status", "contain", "dry-run". */
static void print_report(const struct cli *cli, const struct contain_report *r, const char *mode,
			 const struct hive_probe *hv, size_t nh, const struct patch_audit *pa)
{
	bool status = strcmp(mode, "status") == 0;
	if (cli->json) {
		printf("{\"command\":\"%s\",", status ? "status" : "contain");
		if (!status)
			printf("\"dry_run\":%s,", strcmp(mode, "dry-run") == 0 ? "true" : "false");
		print_windows(cli, &r->info);
		printf(",\"items\":[");
		bool first_item = true;
		for (int k = 0; k < CONTAIN_N; k++) {
			if (!r->applicable[k])
				continue;
			printf("%s{\"id\":\"%s\",\"title\":", first_item ? "" : ",", contain_items[k].id);
			first_item = false;
			json_put_str(stdout, contain_items[k].title);
			printf(",\"state\":\"%s\",\"note\":", r->contained[k] ? "contained" : "open");
			json_put_str(stdout, r->note[k][0] ? r->note[k] : NULL);
			printf(",\"checks\":[");
			bool first = true;
			for (size_t i = 0; i < r->n; i++) {
				if (r->checks[i].item != (enum contain_id)k)
					continue;
				printf("%s", first ? "" : ",");
				first = false;
				print_check_json(&r->checks[i]);
			}
			printf("]}");
		}
		printf("]");
		if (pa)
			print_patches(cli, pa);
		if (hv) {
			printf(",");
			cli_print_hives(cli, "hives", hv, nh);
		}
		printf("}\n");
		return;
	}
	print_windows(cli, &r->info);
	for (int k = 0; k < CONTAIN_N; k++) {
		if (!r->applicable[k])
			continue;
		textesc_printf("\n%-8s %-9s %s\n", contain_items[k].id, r->contained[k] ? "contained" : "OPEN",
		       contain_items[k].title);
		for (size_t i = 0; i < r->n; i++) {
			const struct contain_check *c = &r->checks[i];
			if (c->item != (enum contain_id)k)
				continue;
			/* hive, key, value name: the three things reglookup asks for */
			char where[1200];
			snprintf(where, sizeof(where), "%s  %s%s%s", hive_short_name(c->hive), c->key,
				 c->key[0] ? " : " : "", c->value);
			if (status && c->ok)
				textesc_printf("    ok    %s = %s\n", where, c->current);
			else if (status)
				textesc_printf("    open  %s = %s (wanted %s)\n", where, c->current, c->wanted);
			else if (c->changed)
				textesc_printf("    %s  %s = %s -> %s\n", strcmp(mode, "dry-run") == 0 ? "would set" : "set",
				       where, c->before, c->wanted);
			else if (cli->verbose)
				textesc_printf("    already  %s = %s\n", where, c->current);
		}
		if (r->note[k][0])
			textesc_printf("    note: %s\n", r->note[k]);
	}
	if (pa)
		print_patches(cli, pa);
	if (hv)
		cli_print_hives(cli, "hives", hv, nh);
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	unsigned mask;
	struct rs_error err = { 0 };
	int rc = contain_parse_items(argc - 1, argv + 1, &mask, &err);
	if (argc <= 1)
		mask = CONTAIN_EVERY;   /* status shows firewall-policy too, when there is a policy */
	struct contain_report r;
	if (rc == RS_OK)
		rc = contain_status(cli->ctx, mask, &r, &err);
	/* Partial (a hosts file rescue may not read): the report, then why.
	 * A partial run that kept no report (out of memory) is only its error. */
	if (rc && (rc != RS_EPARTIAL || !r.n)) {
		cli_print_error(cli, &err);
		return rc;
	}
	/* Which hives are dirty, and whether they were (or can be) recovered
	 * from their transaction logs. */
	struct hive_probe *hv = NULL;
	size_t nh = 0;
	struct rs_error herr = { 0 };
	if (hive_recovery_list(cli->ctx, &hv, &nh, &herr) != RS_OK)
		nh = 0;
	struct patch_audit pa;
	struct rs_error perr = { 0 };
	bool audited = patch_audit_run(cli->ctx, &r.info, &pa, &perr) == RS_OK;
	print_report(cli, &r, "status", hv, nh, audited ? &pa : NULL);
	free(hv);
	contain_report_free(&r);
	if (rc)
		cli_print_error(cli, &err);
	return rc;
}

int cmd_contain(struct cli *cli, int argc, char **argv)
{
	char *names[CONTAIN_N + 2];
	int nnames = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "-n") == 0) {
			cli->ctx->flags |= RS_CTX_DRY_RUN;
		} else if (argv[i][0] == '-') {
			textesc_fprintf(stderr, "rescue: contain: unknown option %s\n", argv[i]);
			return RS_EUSAGE;
		} else if (nnames < CONTAIN_N + 1) {
			names[nnames++] = argv[i];
		} else {
			fprintf(stderr, "rescue: contain: too many items\n");
			return RS_EUSAGE;
		}
	}
	unsigned mask;
	struct rs_error err = { 0 };
	int rc = contain_parse_items(nnames, names, &mask, &err);
	if (rc) {
		cli_print_error(cli, &err);
		return rc;
	}
	bool dry = cli->ctx->flags & RS_CTX_DRY_RUN;
	if (!dry && !cli_confirm(cli, "Apply containment to this Windows installation?")) {
		fprintf(stderr, "rescue: nothing changed\n");
		return RS_EUSAGE;
	}
	struct contain_report r;
	rc = contain_apply(cli->ctx, mask, &r, &err);
	if (rc && (rc != RS_EPARTIAL || !r.n)) {
		cli_print_error(cli, &err);
		return rc;
	}
	print_report(cli, &r, dry ? "dry-run" : "contain", NULL, 0, NULL);
	contain_report_free(&r);
	if (rc)
		cli_print_error(cli, &err);
	return rc;
}

int cmd_undo(struct cli *cli, int argc, char **argv)
{
	unsigned flags = 0;
	int nitems = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--trust-unsigned") == 0) {
			flags |= UNDO_TRUST_UNSIGNED;
		} else if (argv[i][0] == '-') {
			textesc_fprintf(stderr, "rescue: undo: unknown option %s\n", argv[i]);
			return RS_EUSAGE;
		} else {
			argv[1 + nitems++] = argv[i];   /* the items, in place of the options */
		}
	}
	if (!cli_confirm(cli, "Undo rescue's changes to this Windows installation?")) {
		fprintf(stderr, "rescue: nothing changed\n");
		return RS_EUSAGE;
	}
	struct undo_report r;
	struct rs_error err = { 0 };
	int rc = undo_run(cli->ctx, argv + 1, (size_t)nitems, flags, &r, &err);
	if (rc && rc != RS_EPARTIAL) {
		cli_print_error(cli, &err);
		return rc;
	}
	if (cli->json)
		printf("{\"command\":\"undo\",\"steps\":[");
	for (size_t i = 0; i < r.n; i++) {
		const struct undo_step *s = &r.steps[i];
		if (cli->json) {
			printf("%s{\"seq\":%ld,\"item\":", i ? "," : "", s->seq);
			json_put_str(stdout, s->item);
			json_put_member(stdout, ",", "what", s->what);
			json_put_member(stdout, ",", "restored", s->restored);
			printf(",\"ok\":%s,\"trusted\":%s,\"line\":%zu,\"error\":", s->ok ? "true" : "false",
			       s->untrusted ? "false" : "true", s->line);
			json_put_str(stdout, s->ok ? NULL : s->error);
			printf("}");
		} else if (s->ok) {
			textesc_printf("undone  %-8s %s -> %s\n", s->item, s->what, s->restored);
		} else if (s->untrusted) {
			textesc_printf("SKIPPED %-8s %s: journal line %zu %s\n", s->item, s->what, s->line, s->error);
		} else {
			textesc_printf("FAILED  %-8s %s: %s\n", s->item, s->what, s->error);
		}
	}
	if (cli->json)
		printf("]}\n");
	else if (r.n == 0)
		printf("nothing to undo\n");
	undo_report_free(&r);
	if (rc)
		cli_print_error(cli, &err);
	return rc;
}
