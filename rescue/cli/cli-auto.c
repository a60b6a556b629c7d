/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli-auto.c - `rescue auto` (the unattended run and its verdict screen) and
 * `rescue fleet` (one table of the reports of many machines). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rescue/run/auto.h"
#include "rescue/base/bigfont.h"
#include "rescue/base/confine.h"
#include "rescue/cli/cli.h"
#include "rescue/base/json.h"
#include "rescue/base/textesc.h"

/* ---- the verdict screen ---- */

/* Colours: black on green, white on red, black on yellow. */
static const char *const verdict_colour[] = { "\033[30;42m", "\033[1;97;41m", "\033[30;43m" };

/* One line of the coloured screen: text centred, the rest of the line
 * cleared in the background colour. */
static void screen_line(FILE *f, int cols, const char *text)
{
	char *shown = textesc_dup(text);       /* names escaped, once */
	if (!shown)
		return;
	int len = (int)strlen(shown);
	int pad = len < cols ? (cols - len) / 2 : 0;
	fprintf(f, "%*s%s\033[K\r\n", pad, "", shown);
	free(shown);
}

/* What the machine's verdict means: the words of the first installation
 * that has it ("not scanned: ..."), else the verdict's own (YELLOW for a
 * volume that could not be examined). */
static const char *result_meaning(const struct auto_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		if (res->reports[i].verdict == res->verdict)
			return report_meaning(&res->reports[i]);
	return report_verdict_meaning(res->verdict);
}

static void verdict_screen(FILE *f, const struct auto_result *res)
{
	struct winsize ws = { 0 };
	int rows = 24, cols = 80;
	if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_row >= 10 && ws.ws_col >= 40) {
		rows = ws.ws_row;
		cols = ws.ws_col;
	}
	const char *word = report_verdict_name(res->verdict);
	int wordw = (int)strlen(word) * 12 - 2;  /* 5 cells of 2 columns + 2 between letters */
	int lines = 0;
	fprintf(f, "%s\033[2J\033[H", verdict_colour[res->verdict]);
	screen_line(f, cols, ""), lines++;
	for (int row = 0; row < 5; row++, lines++) {
		fprintf(f, "%*s", wordw < cols ? (cols - wordw) / 2 : 0, "");
		for (const char *c = word; *c; c++) {
			for (const char *g = bigfont_row(*c, row); *g; g++)
				fputs(*g == '#' ? "\033[7m  \033[27m" : "  ", f);
			if (c[1])
				fputs("  ", f);
		}
		fputs("\033[K\r\n", f);
	}
	char line[1024];
	screen_line(f, cols, ""), lines++;
	screen_line(f, cols, result_meaning(res)), lines++;
	screen_line(f, cols, ""), lines++;
	if (res->problem[0])
		screen_line(f, cols, res->problem), lines++;
	for (size_t i = 0; i < res->n && lines < rows - 2; i++) {
		const struct report *r = &res->reports[i];
		snprintf(line, sizeof(line), "%s: %s - %zu detection(s), %zu quarantined, %zu change(s), password reset %s",
			 r->machine[0] ? r->machine : "(unknown computer)", report_verdict_name(r->verdict), r->ndet,
			 r->quarantined, r->nchanges, r->password_reset ? "yes" : "no");
		screen_line(f, cols, line), lines++;
		for (size_t k = 0; k < r->nsteps && lines < rows - 2; k++)
			if (r->steps[k].status == STEP_FAILED || r->steps[k].status == STEP_REFUSED) {
				snprintf(line, sizeof(line), "%s %s: %.180s", r->steps[k].name,
					 report_status_name(r->steps[k].status), r->steps[k].detail);
				screen_line(f, cols, line), lines++;
			}
	}
	while (lines < rows - 1)
		screen_line(f, cols, ""), lines++;
	fprintf(f, "\033[0m\r\n");
}

/* ---- progress ---- */

/* The scan's progress line (stderr, a terminal): cli_progress_clear before
 * every other line. */
static bool progress_shown;

static void on_step(const struct report *r, const char *name, const struct report_step *s, void *user)
{
	const struct cli *cli = user;
	if (cli->json)
		return;
	cli_progress_clear(&progress_shown);
	if (!s) {
		if (cli->verbose)
			textesc_printf("rescue: %s: %s ...\n", r->machine[0] ? r->machine : r->target, name);
	} else {
		textesc_printf("rescue: %s: %-8s %-8s %s (%.1fs)\n", r->machine[0] ? r->machine : r->target, name,
		       report_status_name(s->status), s->detail, s->secs);
	}
	fflush(stdout);
}

static void on_detection(const struct report *r, const char *path, const char *rules, const char *action,
			 void *user)
{
	const struct cli *cli = user;
	if (cli->json)
		return;
	cli_progress_clear(&progress_shown);
	textesc_printf("rescue: %s: DETECTED %s [%s] %s\n", r->machine[0] ? r->machine : r->target, path, rules, action);
	fflush(stdout);
}

static void on_progress(const struct report *r, const struct rs_scan_progress *p, void *user)
{
	const struct cli *cli = user;
	if (cli->json)
		return;
	char eta[32] = "";
	if (p->eta_secs >= 0)
		snprintf(eta, sizeof(eta), ", ETA %d:%02d", (int)p->eta_secs / 60, (int)p->eta_secs % 60);
	textesc_fprintf(stderr, "\r\033[Krescue: %s: scanning %llu/%llu%s files, %.0f MB, %.1f MB/s%s, %llu detected",
		r->machine[0] ? r->machine : r->target, (unsigned long long)p->files, (unsigned long long)p->files_total,
		p->walk_done ? "" : "+", (double)p->bytes / 1e6, p->mbps, eta, (unsigned long long)p->detections);
	progress_shown = true;
}

static void print_keys(void)
{
	printf("rescue.conf keys (`key = value`, `#` comments):\n");
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		if (k->def)
			textesc_printf("  %-15s default %-12s %s\n", k->key, k->def[0] ? k->def : "(empty)", k->help);
		else
			textesc_printf("  %-15s %-20s %s\n", k->key, "", k->help);
	}
}

int cmd_auto(struct cli *cli, int argc, char **argv)
{
	const char *config = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			config = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			config = argv[i] + 9;
		} else if (strcmp(argv[i], "--keys") == 0) {
			print_keys();
			return RS_OK;
		} else {
			textesc_fprintf(stderr, "rescue: auto: unknown argument %s (usage: rescue auto [--config FILE] [--keys])\n",
				argv[i]);
			return RS_EUSAGE;
		}
	}
	struct rs_conf conf;
	struct rs_error err = { 0 };
	int rc = RS_OK;
	if (config)
		rc = conf_load(config, &conf, &err);
	else
		conf_defaults(&conf);
	struct auto_result res = { .verdict = VERDICT_YELLOW };
	if (rc) {
		/* A settings file we do not understand stops the run before it
		 * touches anything: the screen says why. */
		snprintf(res.problem, sizeof(res.problem), "nothing done: %s", err.msg);
		cli_print_error(cli, &err);
	} else {
		if (!cli->json)
			textesc_printf("rescue: unattended run, mode %s%s\n", conf_mode_name(conf.mode),
			       conf.mode == CONF_MODE_REPORT ? " (changes nothing; the report goes to the RESCUE partition only)"
							     : "");
		struct auto_events ev = { on_step, on_detection, isatty(STDERR_FILENO) ? on_progress : NULL, cli };
		/* --force and --remove-hiberfile mean on a run what they mean on a command */
		if (cli->remove_hiberfile)
			conf.hibernated = CONF_HIB_REMOVE;
		rc = auto_run(&conf, cli->root, cli->disk, cli->force || conf.force ? RS_CTX_FORCE : 0, &ev, &res);
		cli_progress_clear(&progress_shown);
	}

	if (cli->json) {
		printf("{\"command\":\"auto\",\"verdict\":\"%s\",\"problem\":", report_verdict_name(res.verdict));
		json_put_str(stdout, res.problem[0] ? res.problem : NULL);
		printf(",\"reports\":[");
		for (size_t i = 0; i < res.n; i++) {
			if (i)
				putchar(',');
			report_write_json(&res.reports[i], stdout);
		}
		printf("]}\n");
	} else {
		if (isatty(STDOUT_FILENO) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0)
			verdict_screen(stdout, &res);
		/* The plain lines: what a serial console, a log or a script reads. */
		for (size_t i = 0; i < res.n; i++) {
			const struct report *r = &res.reports[i];
			textesc_printf("rescue: report %s: %s%s%s%s%s\n", r->machine[0] ? r->machine : r->target,
			       r->on_volume[0] ? r->target : "", r->on_volume[0] ? ":" : "", r->on_volume,
			       r->on_volume[0] && r->written[1][0] ? " and " : "", r->written[1][0] ? r->written[1] : "");
		}
		for (size_t i = 0; i < res.n; i++) {
			const struct report *r = &res.reports[i];
			textesc_printf("rescue: verdict %s (%s): %s - %zu detection(s), %zu quarantined, %zu change(s), password "
			       "reset %s\n", r->target, r->machine[0] ? r->machine : "unknown computer",
			       report_verdict_name(r->verdict), r->ndet, r->quarantined, r->nchanges,
			       r->password_reset ? "yes" : "no");
		}
		if (res.problem[0])
			textesc_printf("rescue: %s\n", res.problem);
		textesc_printf("rescue: VERDICT %s", report_verdict_name(res.verdict));
		for (size_t i = 0; i < res.n; i++)
			textesc_printf(" %s=%s", res.reports[i].machine[0] ? res.reports[i].machine : "(unknown)",
			       report_verdict_name(res.reports[i].verdict));
		textesc_printf(" (%s)\n", result_meaning(&res));
	}
	fflush(stdout);
	auto_result_free(&res);
	return rc;
}

/* ---- fleet ---- */

struct fleet {
	struct report_summary *v;
	size_t n;
	/* .json files that may be reports but cannot be counted (unreadable,
	 * damaged, a verdict rescue does not write): named, never dropped.
	 * Each message begins with the file's path. */
	struct rs_error *bad;
	size_t nbad;
	size_t other;               /* .json files that are not reports */
};

static void fleet_add_unreadable(struct fleet *fl, const struct rs_error *err)
{
	struct rs_error *b = realloc(fl->bad, (fl->nbad + 1) * sizeof(*b));
	if (!b)
		return;
	fl->bad = b;
	fl->bad[fl->nbad++] = *err;
}

static void fleet_walk(struct fleet *fl, const char *dir, int depth)
{
	DIR *d = confine_opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		struct stat st;
		if (confine_lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 4)
				fleet_walk(fl, path, depth + 1);
			continue;
		}
		size_t len = strlen(de->d_name);
		if (!S_ISREG(st.st_mode) || len < 5 || strcasecmp(de->d_name + len - 5, ".json") != 0)
			continue;
		struct report_summary s;
		struct rs_error err = { 0 };
		int rc = report_summary_read(path, &s, &err);
		if (rc == RS_ETARGET) {
			fl->other++;
			continue;
		}
		if (rc != RS_OK) {
			fleet_add_unreadable(fl, &err);
			continue;
		}
		struct report_summary *v = realloc(fl->v, (fl->n + 1) * sizeof(*v));
		if (!v)
			break;
		fl->v = v;
		fl->v[fl->n++] = s;
	}
	closedir(d);
}

static int summary_cmp(const void *a, const void *b)
{
	const struct report_summary *x = a, *y = b;
	int c = strcasecmp(x->machine, y->machine);
	return c ? c : strcmp(x->stamp, y->stamp);
}

/* "20261123T115500Z" -> "2026-11-23 11:55:00Z" */
static void stamp_human(const char *s, char *out, size_t len)
{
	if (strlen(s) == 16 && s[8] == 'T')
		snprintf(out, len, "%.4s-%.2s-%.2s %.2s:%.2s:%.2sZ", s, s + 4, s + 6, s + 9, s + 11, s + 13);
	else
		snprintf(out, len, "%s", s);
}

int cmd_fleet(struct cli *cli, int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "rescue: usage: rescue fleet DIR  (the reports folder of the RESCUE partition)\n");
		return RS_EUSAGE;
	}
	struct stat st;
	char dir[PATH_MAX];
	errno = 0;
	/* The reports come from sticks the worms may have written: below the
	 * folder named, no link is followed and no FIFO opened (never a walk
	 * without that). */
	if (stat(argv[1], &st) != 0 || !S_ISDIR(st.st_mode) || confine_root_add_dir(argv[1], dir) != 0) {
		textesc_fprintf(stderr, "rescue: fleet: %s: %s\n", argv[1], errno ? strerror(errno) : "not a directory");
		return RS_ETARGET;
	}
	struct fleet fl = { 0 };
	fleet_walk(&fl, dir, 0);
	confine_root_remove(dir);
	qsort(fl.v, fl.n, sizeof(*fl.v), summary_cmp);
	size_t count[3] = { 0 };
	for (size_t i = 0; i < fl.n; i++) {
		int v = report_verdict_parse(fl.v[i].verdict);  /* report_summary_read took known verdicts only */
		if (v >= 0 && v < 3)
			count[v]++;
	}
	if (cli->json) {
		printf("{\"command\":\"fleet\",\"reports\":[");
		for (size_t i = 0; i < fl.n; i++) {
			const struct report_summary *s = &fl.v[i];
			json_put_member(stdout, i ? ",{" : "{", "machine", s->machine);
			json_put_member(stdout, ",", "stamp", s->stamp);
			json_put_member(stdout, ",", "verdict", s->verdict);
			json_put_member(stdout, ",", "mode", s->mode);
			printf(",\"detections\":%ld,\"quarantined\":%ld,\"changes\":%ld,\"password_reset\":%s}",
			       s->detections, s->quarantined, s->changes, s->password_reset ? "true" : "false");
		}
		printf("],\"unreadable\":[");
		for (size_t i = 0; i < fl.nbad; i++) {
			printf("%s", i ? "," : "");
			json_put_str(stdout, fl.bad[i].msg);
		}
		printf("],\"green\":%zu,\"red\":%zu,\"yellow\":%zu,\"not_reports\":%zu}\n", count[0], count[1], count[2],
		       fl.other);
	} else {
		printf("%-16s %-20s %-7s %-6s %10s %11s %8s\n", "MACHINE", "TIME", "VERDICT", "MODE", "DETECTIONS",
		       "QUARANTINED", "PASSWORD");
		for (size_t i = 0; i < fl.n; i++) {
			const struct report_summary *s = &fl.v[i];
			char when[32];
			stamp_human(s->stamp, when, sizeof(when));
			textesc_printf("%-16s %-20s %-7s %-6s %10ld %11ld %8s\n", s->machine[0] ? s->machine : "(unknown)",
				       when, s->verdict, s->mode, s->detections, s->quarantined,
				       s->password_reset ? "reset" : "-");
		}
		for (size_t i = 0; i < fl.nbad; i++)
			textesc_printf("unreadable report: %s\n", fl.bad[i].msg);
		printf("%zu report(s): %zu GREEN, %zu RED, %zu YELLOW", fl.n, count[0], count[1], count[2]);
		if (fl.nbad)
			printf("; %zu unreadable report(s)", fl.nbad);
		if (fl.other)
			printf("; %zu other .json file(s) ignored", fl.other);
		printf("\n");
	}
	free(fl.v);
	free(fl.bad);
	/* an unreadable report may be a machine that is not clean */
	return fl.nbad ? RS_EPARTIAL : RS_OK;
}
