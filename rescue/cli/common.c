/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common.c - what every command of the command line shares: errors and
 * questions on the terminal, the progress line, opening the installation a
 * command works on from a disk, and the rows that describe Windows and its
 * hives.  main.c and each cli-*.c call in here; nothing here calls them. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hive/recover.h"
#include "rescue/base/json.h"
#include "rescue/base/textesc.h"
#include "rescue/cli/cli.h"
#include "rescue/disk/target.h"
#include "rescue/disk/teardown.h"

void cli_progress_clear(bool *shown)
{
	if (*shown)
		fputs("\r\033[K", stderr);
	*shown = false;
}

bool cli_confirm(const struct cli *cli, const char *question)
{
	if (cli->yes || cli->json || !isatty(STDIN_FILENO))
		return true;
	textesc_fprintf(stderr, "%s [y/N] ", question);
	char line[16];
	return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}

void cli_print_error(const struct cli *cli, const struct rs_error *err)
{
	(void)cli;
	textesc_fprintf(stderr, "rescue: %s\n", err->msg[0] ? err->msg : "failed");
}

/* "Windows 10 Pro 22H2 (build 19045)" */
void cli_windows_words(const struct rs_volume *v, char *buf, size_t len)
{
	const struct win_info *w = &v->info;
	if (!v->windows) {
		snprintf(buf, len, "%s", v->hiveless ? "Windows without its SYSTEM hive (Rescue/ found: undo, quarantine)"
						     : "-");
		return;
	}
	snprintf(buf, len, "%s%s%s%s%s%s", w->product[0] ? w->product : "Windows (SOFTWARE unreadable)",
		 w->display[0] ? " " : "", w->display, w->build[0] ? " (build " : "", w->build,
		 w->build[0] ? ")" : "");
}

/* Scan, pick the installation, and say on stderr which one NAME works on. */
static int find_install(struct cli *cli, const char *name, const struct rs_volume **out, int *n,
			struct rs_error *err)
{
	teardown_install();
	int rc = rs_target_scan(cli->disk, cli->keys, &cli->target, err);
	if (rc)
		return rc;
	if ((rc = rs_target_pick(cli->target, cli->install, n, err)))
		return rc;
	const struct rs_volume *v = rs_target_install(cli->target, *n);
	char win[256];
	cli_windows_words(v, win, sizeof(win));
	textesc_fprintf(stderr, "rescue: %s: installation %d of %zu: %s, %s, computer %s\n", name, *n,
		rs_target_installs(cli->target), v->part->name, win,
		v->info.computer[0] ? v->info.computer : "(unnamed)");
	*out = v;
	return RS_OK;
}

int cli_open_disk(struct cli *cli, const struct cli_command *cmd, unsigned ctx_flags, struct rs_error *err)
{
	const struct rs_volume *v;
	int n, rc = find_install(cli, cmd->name, &v, &n, err);
	if (rc)
		return rc;
	return rs_target_open(cli->target, n, ctx_flags, cli->remove_hiberfile ? TARGET_REMOVE_HIBERFILE : 0,
			      &cli->ctx, err);
}

int cli_close_target(struct cli *cli)
{
	rs_ctx_close(cli->ctx);
	cli->ctx = NULL;
	struct rs_error err = { 0 };
	int rc = rs_target_close(cli->target, &err);
	cli->target = NULL;
	if (rc)
		cli_print_error(cli, &err);
	return rc;
}

void cli_put_hive_json(const char *rel, const struct hive_recovery *r, const char *error)
{
	char line[1024];
	hive_recovery_describe(r, line, sizeof(line));
	json_put_member(stdout, "{", "hive", rel);
	printf(",\"dirty\":%s,\"state\":\"%s\",\"recovered_by_rescue\":%s,\"seq\":[%u,%u]",
	       r->dirty ? "true" : "false", hive_recovery_state(r), r->by_rescue ? "true" : "false",
	       r->seq1, r->seq2);
	json_put_member(stdout, ",", "logs", r->logs[0] ? r->logs : NULL);
	printf(",\"logs_usable\":%s,\"applied\":%u", hive_recovery_logs_usable(r) ? "true" : "false", r->applied);
	json_put_member(stdout, ",", "note", r->note[0] ? r->note : NULL);
	json_put_member(stdout, ",", "text", line);
	if (error)
		json_put_member(stdout, ",", "error", error);
	printf("}");
}

void cli_print_hives(const struct cli *cli, const char *title, const struct hive_probe *v, size_t n)
{
	if (cli->json) {
		printf("\"hives\":[");
		for (size_t i = 0; i < n; i++) {
			printf("%s", i ? "," : "");
			cli_put_hive_json(v[i].rel, &v[i].rec, NULL);
		}
		printf("]");
		return;
	}
	textesc_printf("\n%s\n", title);
	for (size_t i = 0; i < n; i++) {
		char line[1024];
		hive_recovery_describe(&v[i].rec, line, sizeof(line));
		textesc_printf("    %-8s %s: %s\n", v[i].rec.dirty ? "DIRTY" : "ok", v[i].rel, line);
	}
}
