/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli-autoruns.c - `rescue autoruns [--all] [--disable ID...|--disable-flagged]
 * [--detected FILE] [--dry-run]`: list the autostart entries, disable some. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hive/autoruns.h"
#include "rescue/cli/cli.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/json.h"
#include "rescue/base/textesc.h"

/* Lines of FILE ("PATH" or "PATH<TAB>rules", as a scan manifest) into a
 * malloc'd array of malloc'd paths. */
static int read_paths(const char *file, char ***out, size_t *n, struct rs_error *err)
{
	uint8_t *buf;
	size_t len;
	if (file_read_all(file, (size_t)64 << 20, &buf, &len) != 0)
		return rs_fail_errno(err, RS_EUSAGE, errno, "--detected %s", file);
	char **v = NULL;
	size_t count = 0;
	char *cursor = (char *)buf;
	for (char *line; (line = text_next_line(&cursor));) {
		line[strcspn(line, "\t\r")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		char **nv = realloc(v, (count + 1) * sizeof(*nv));
		if (!nv || !(nv[count] = strdup(line))) {
			free(nv ? nv : v);
			free(buf);
			return rs_fail(err, RS_EPARTIAL, "out of memory");
		}
		v = nv;
		count++;
	}
	free(buf);
	*out = v;
	*n = count;
	return RS_OK;
}

static bool shown(const struct autorun *a, bool all)
{
	/* Windows' own services and drivers are hundreds: shown with --all. */
	return all || (a->flags & AR_FLAGGED) ||
	       !((a->kind == AR_SERVICE || a->kind == AR_DRIVER) && (a->flags & AR_F_WINDOWS));
}

static void flags_text(unsigned flags, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t b = 0; b < sizeof(autorun_flag_names) / sizeof(autorun_flag_names[0]); b++) {
		if (!(flags & (1u << b)) || (1u << b) == AR_F_WINDOWS)
			continue;
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%s%s", n ? ", " : "", autorun_flag_names[b]);
	}
}

static void print_entry_json(const struct autorun *a, bool first)
{
	printf("%s{\"id\":\"%s\",\"kind\":\"%s\"", first ? "" : ",", a->id, autorun_kind_names[a->kind]);
	json_put_member(stdout, ",", "user", a->user[0] ? a->user : NULL);
	json_put_member(stdout, ",", "location", a->location);
	json_put_member(stdout, ",", "name", a->name);
	if (a->item[0] && a->kind != AR_TASK_XML)
		json_put_member(stdout, ",", "item", a->item);
	json_put_member(stdout, ",", "command", a->command);
	json_put_member(stdout, ",", "target", a->target[0] ? a->target : NULL);
	printf(",\"exists\":%s", a->exists ? "true" : "false");
	if (a->file[0])
		json_put_member(stdout, ",", "file", a->file);
	if (a->start >= 0)
		printf(",\"start\":%ld", a->start);
	if (a->taskcache[0])
		json_put_member(stdout, ",", "taskcache", a->taskcache);
	if (a->flags & AR_F_UNREAD)
		json_put_member(stdout, ",", "not_read", a->unread);
	printf(",\"flagged\":%s,\"flags\":[", (a->flags & AR_FLAGGED) ? "true" : "false");
	bool f1 = true;
	for (size_t b = 0; b < sizeof(autorun_flag_names) / sizeof(autorun_flag_names[0]); b++)
		if (a->flags & (1u << b)) {
			printf("%s\"%s\"", f1 ? "" : ",", autorun_flag_names[b]);
			f1 = false;
		}
	printf("]}");
}

static void print_entry_text(const struct autorun *a)
{
	char flags[128];
	flags_text(a->flags, flags, sizeof(flags));
	bool item = a->item[0] && a->kind != AR_TASK_XML;
	textesc_printf("%s %s %-8s %s : %s%s%s%s\n", a->id, (a->flags & AR_FLAGGED) ? "!" : " ", autorun_kind_names[a->kind],
	       a->location, a->name, item ? " [" : "", item ? a->item : "", item ? "]" : "");
	textesc_printf("           %s\n", a->command);
	if (a->start >= 0)
		textesc_printf("           start %ld%s\n", a->start, a->start == 4 ? " (disabled)" : "");
	if (a->target[0])
		textesc_printf("           -> %s%s\n", a->target, a->exists ? "" : " (not found)");
	if (flags[0])
		textesc_printf("           flags: %s\n", flags);
}

static void print_steps(const struct cli *cli, const struct autoruns_report *r, bool dry)
{
	if (cli->json) {
		printf("{\"command\":\"autoruns\",\"dry_run\":%s,\"disabled\":[", dry ? "true" : "false");
		for (size_t i = 0; i < r->n; i++) {
			const struct autoruns_step *s = &r->steps[i];
			printf("%s{\"id\":\"%s\",\"kind\":\"%s\"", i ? "," : "", s->id, autorun_kind_names[s->kind]);
			json_put_member(stdout, ",", "what", s->what);
			json_put_member(stdout, ",", "action", s->action);
			printf(",\"ok\":%s", s->ok ? "true" : "false");
			json_put_member(stdout, ",", "error", s->ok ? NULL : s->error);
			printf("}");
		}
		printf("]}\n");
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct autoruns_step *s = &r->steps[i];
		if (s->ok)
			textesc_printf("%s %s %s: %s\n", dry ? "would disable" : "disabled", s->id, s->what, s->action);
		else
			textesc_printf("FAILED   %s %s: %s\n", s->id, s->what, s->error);
	}
	if (!dry && r->n)
		printf("(`rescue undo autoruns` puts them back)\n");
}

int cmd_autoruns(struct cli *cli, int argc, char **argv)
{
	bool all = false, disable = false, flagged = false;
	const char *detected = NULL;
	char **ids = calloc((size_t)argc + 1, sizeof(*ids));
	size_t nids = 0;
	if (!ids)
		return RS_EPARTIAL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0) {
			all = true;
		} else if (strcmp(argv[i], "--disable") == 0) {
			disable = true;
		} else if (strcmp(argv[i], "--disable-flagged") == 0) {
			disable = flagged = true;
		} else if (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "-n") == 0) {
			cli->ctx->flags |= RS_CTX_DRY_RUN;
		} else if (strcmp(argv[i], "--detected") == 0 && i + 1 < argc) {
			detected = argv[++i];
		} else if (argv[i][0] == '-' || !disable) {
			textesc_fprintf(stderr, "rescue: autoruns: unexpected %s (usage: autoruns [--all] "
					"[--disable ID...|--disable-flagged] [--detected FILE] [--dry-run])\n", argv[i]);
			free(ids);
			return RS_EUSAGE;
		} else {
			ids[nids++] = argv[i];
		}
	}
	if (disable && !flagged && nids == 0) {
		fprintf(stderr, "rescue: autoruns: --disable needs entry ids (see `rescue autoruns`)\n");
		free(ids);
		return RS_EUSAGE;
	}

	struct rs_error err = { 0 };
	char **paths = NULL;
	size_t npaths = 0;
	int rc = detected ? read_paths(detected, &paths, &npaths, &err) : RS_OK;
	struct autoruns_opts opts = { .detected = (const char *const *)paths, .ndetected = npaths };
	struct autoruns list = { 0 };
	if (rc == RS_OK)
		rc = autoruns_list(cli->ctx, &opts, &list, &err);
	if (rc == RS_OK && flagged) {
		char **more = realloc(ids, (nids + list.n + 1) * sizeof(*ids));
		if (!more)
			rc = rs_fail(&err, RS_EPARTIAL, "out of memory");
		else
			ids = more;
	}
	if (rc == RS_OK && flagged)
		for (size_t i = 0; i < list.n; i++)
			if ((list.v[i].flags & AR_FLAGGED) && !(list.v[i].flags & AR_F_DISABLED))
				ids[nids++] = list.v[i].id;
	if (rc) {
		cli_print_error(cli, &err);
	} else if (disable) {
		bool dry = cli->ctx->flags & RS_CTX_DRY_RUN;
		struct autoruns_report r = { 0 };
		if (!dry && nids && !cli_confirm(cli, "Disable these autostart entries?")) {
			fprintf(stderr, "rescue: nothing changed\n");
			rc = RS_EUSAGE;
		} else {
			rc = autoruns_disable(cli->ctx, &list, ids, nids, &r, &err);
			if (rc == RS_OK || rc == RS_EPARTIAL)
				print_steps(cli, &r, dry);
			if (!cli->json && r.n == 0 && rc == RS_OK)
				printf("nothing to disable\n");
			if (rc)
				cli_print_error(cli, &err);
		}
		autoruns_report_free(&r);
	} else {
		size_t hidden = 0, nflagged = 0, nunread = 0;
		if (cli->json)
			printf("{\"command\":\"autoruns\",\"entries\":[");
		bool first = true;
		for (size_t i = 0; i < list.n; i++) {
			const struct autorun *a = &list.v[i];
			/* a flagged entry already off (service Start=4) is dealt with */
			nflagged += (a->flags & AR_FLAGGED) && !(a->flags & AR_F_DISABLED);
			nunread += (a->flags & AR_F_UNREAD) != 0;
			if (!shown(a, all)) {
				hidden++;
				continue;
			}
			if (cli->json)
				print_entry_json(a, first);
			else
				print_entry_text(a);
			first = false;
		}
		if (cli->json) {
			printf("],\"hidden\":%zu,\"flagged\":%zu,\"not_read\":%zu,\"notes\":[", hidden, nflagged, nunread);
			for (size_t i = 0; i < list.nnotes; i++) {
				printf("%s", i ? "," : "");
				json_put_str(stdout, list.notes[i]);
			}
			printf("]}\n");
		} else {
			printf("%zu entries, %zu flagged", list.n, nflagged);
			if (nunread)
				printf(", %zu task files or folders not read (flag not-read)", nunread);
			if (hidden)
				printf(", %zu Windows services and drivers not shown (--all)", hidden);
			printf("\n");
			for (size_t i = 0; i < list.nnotes; i++)
				textesc_printf("note: %s\n", list.notes[i]);
		}
		rc = nflagged ? RS_DETECTED : RS_OK;
	}
	autoruns_free(&list);
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	free(ids);
	return rc;
}
