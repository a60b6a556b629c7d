/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli-auto.c - `rescue auto` (the unattended run and its verdict screen) and
 * `rescue fleet` (one table of the reports of many machines, and the HTML
 * log sheet: rescue/run/fleet.h, fleethtml.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "rescue/run/auto.h"
#include "rescue/run/fleet.h"
#include "rescue/run/fleethtml.h"
#include "rescue/base/bigfont.h"
#include "rescue/base/duration.h"
#include "rescue/base/fileutil.h"
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
	char eta[DURATION_LEN + 8] = "", d[DURATION_LEN];
	if (p->eta_secs >= 0)
		snprintf(eta, sizeof(eta), ", ETA %s", duration_fmt(p->eta_secs, d, sizeof(d)));
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
	bool check = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--check") == 0) {
			check = true;
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			config = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			config = argv[i] + 9;
		} else if (strcmp(argv[i], "--keys") == 0) {
			print_keys();
			return RS_OK;
		} else {
			textesc_fprintf(stderr,
					"rescue: auto: unknown argument %s (usage: rescue auto [--config FILE [--check]] [--keys])\n",
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
	if (check) {
		/* /init reads each settings file (the stick's, the network's, the
		 * command line's) alone before the run, so the console log it hands
		 * in names the file and line that will stop the run. */
		if (rc)
			cli_print_error(cli, &err);
		return rc;
	}
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

/* The learned hashes as members of the fleet object: "learned_dir",
 * "learned" (each with the runs that saw it again), "learned_unreadable". */
static void learned_print_json(const struct fleet *fl)
{
	json_put_member(stdout, ",", "learned_dir", fl->have_learned ? fl->learned_dir : NULL);
	printf(",\"learned\":[");
	for (size_t i = 0; i < fl->nlearned; i++) {
		const struct fleet_learned *l = &fl->learned[i];
		json_put_member(stdout, i ? ",{" : "{", "sha256", l->l.sha256);
		json_put_member(stdout, ",", "name", l->l.name);
		json_put_member(stdout, ",", "entry", l->l.entry[0] ? l->l.entry : NULL);
		json_put_member(stdout, ",", "machine", l->l.machine);
		json_put_member(stdout, ",", "stamp", l->l.stamp);
		printf(",\"seen\":[");
		for (size_t k = 0; k < l->nseen; k++) {
			const struct report_summary *s = &fl->runs[l->seen[k]];
			json_put_member(stdout, k ? ",{" : "{", "machine", s->machine);
			json_put_member(stdout, ",", "stamp", s->stamp);
			json_put_member(stdout, ",", "verdict", s->verdict);
			putchar('}');
		}
		printf("]}");
	}
	printf("],\"learned_unreadable\":[");
	for (size_t i = 0; i < fl->nlearned_bad; i++) {
		printf("%s", i ? "," : "");
		json_put_str(stdout, fl->learned_bad[i].msg);
	}
	printf("],\"learned_more\":%zu,\"learned_unreadable_more\":%zu", fl->learned_more, fl->learned_bad_more);
}

static void learned_print_text(const struct fleet *fl)
{
	if (!fl->have_learned)
		return;
	textesc_printf("\nLEARNED in %s: %zu hash(es), %zu seen again\n", fl->learned_dir, fl->nlearned + fl->learned_more,
		       fl->learned_seen);
	for (size_t i = 0; i < fl->nlearned; i++) {
		const struct fleet_learned *l = &fl->learned[i];
		char when[32];
		fleet_stamp_human(l->l.stamp, when, sizeof(when));
		textesc_printf("%s %s  learned from %s at %s", l->l.sha256, l->l.name, l->l.machine, when);
		if (l->l.entry[0])
			textesc_printf("  [autostart %s]", l->l.entry);
		putchar('\n');
		for (size_t k = 0; k < l->nseen; k++) {
			const struct report_summary *s = &fl->runs[l->seen[k]];
			fleet_stamp_human(s->stamp, when, sizeof(when));
			textesc_printf("    seen again on %s at %s (%s)\n", s->machine[0] ? s->machine : "(unknown)", when,
				       s->verdict);
		}
	}
	if (fl->learned_more)
		printf("%zu more learned hash(es) not listed\n", fl->learned_more);
	for (size_t i = 0; i < fl->nlearned_bad; i++)
		textesc_printf("learned list: %s\n", fl->learned_bad[i].msg);
	if (fl->learned_bad_more)
		printf("%zu more problem(s) in the learned lists not named\n", fl->learned_bad_more);
}

static void fleet_print_json(const struct fleet *fl)
{
	size_t count[3];
	fleet_count(fl, false, count);
	printf("{\"command\":\"fleet\",\"reports\":[");
	for (size_t i = 0; i < fl->nruns; i++) {
		const struct report_summary *s = &fl->runs[i];
		json_put_member(stdout, i ? ",{" : "{", "machine", s->machine);
		json_put_member(stdout, ",", "stamp", s->stamp);
		json_put_member(stdout, ",", "verdict", s->verdict);
		json_put_member(stdout, ",", "mode", s->mode);
		json_put_member(stdout, ",", "nic", s->nic);
		printf(",\"detections\":%ld,\"quarantined\":%ld,\"changes\":%ld,\"password_reset\":%s}",
		       s->detections, s->quarantined, s->changes, s->password_reset ? "true" : "false");
	}
	printf("],\"unreadable\":[");
	for (size_t i = 0; i < fl->nbad; i++) {
		printf("%s", i ? "," : "");
		json_put_str(stdout, fl->bad[i].msg);
	}
	printf("],\"green\":%zu,\"red\":%zu,\"yellow\":%zu,\"not_reports\":%zu", count[VERDICT_GREEN],
	       count[VERDICT_RED], count[VERDICT_YELLOW], fl->other);
	learned_print_json(fl);
	printf("}\n");
}

static void fleet_print_text(const struct fleet *fl)
{
	size_t count[3];
	fleet_count(fl, false, count);
	printf("%-16s %-20s %-7s %-6s %10s %11s %8s  %s\n", "MACHINE", "TIME", "VERDICT", "MODE", "DETECTIONS",
	       "QUARANTINED", "PASSWORD", "NETWORK CARD");
	for (size_t i = 0; i < fl->nruns; i++) {
		const struct report_summary *s = &fl->runs[i];
		char when[32];
		fleet_stamp_human(s->stamp, when, sizeof(when));
		textesc_printf("%-16s %-20s %-7s %-6s %10ld %11ld %8s  %s\n", s->machine[0] ? s->machine : "(unknown)",
			       when, s->verdict, s->mode, s->detections, s->quarantined,
			       s->password_reset ? "reset" : "-", s->nic[0] ? s->nic : "-");
	}
	for (size_t i = 0; i < fl->nbad; i++)
		textesc_printf("unreadable report: %s\n", fl->bad[i].msg);
	printf("%zu report(s): %zu GREEN, %zu RED, %zu YELLOW", fl->nruns, count[VERDICT_GREEN], count[VERDICT_RED],
	       count[VERDICT_YELLOW]);
	if (fl->nbad)
		printf("; %zu unreadable report(s)", fl->nbad);
	if (fl->other)
		printf("; %zu other .json file(s) ignored", fl->other);
	printf("\n");
	learned_print_text(fl);
}

/* What the page shows, as one digest: --watch rewrites the page only when
 * it changes (a new report, a verdict, an unreadable one). */
static void fleet_fingerprint(const struct fleet *fl, char out[65])
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		out[0] = '\0';
		return;
	}
	for (size_t i = 0; i < fl->nruns; i++) {
		const struct report_summary *s = &fl->runs[i];
		fprintf(f, "%s|%s|%s|%s|%ld|%ld|%d\n", s->machine, s->nic, s->stamp, s->verdict, s->detections,
			s->quarantined, s->password_reset);
	}
	for (size_t i = 0; i < fl->nbad; i++)
		fprintf(f, "bad|%s\n", fl->bad[i].msg);
	for (size_t i = 0; i < fl->nlearned; i++)
		fprintf(f, "learned|%s|%s|%s|%zu\n", fl->learned[i].l.sha256, fl->learned[i].l.machine,
			fl->learned[i].l.stamp, fl->learned[i].nseen);
	for (size_t i = 0; i < fl->nlearned_bad; i++)
		fprintf(f, "learned-bad|%s\n", fl->learned_bad[i].msg);
	fclose(f);
	sha256_hex(buf, len, out);
	free(buf);
}

/* The reports of DIR, then the learned hashes of LEARNED (NULL: the
 * learned/ folder beside DIR, when there is one).  RS_OK; an error of the
 * reports (FL empty), or RS_EPARTIAL with ERR when only the learned hashes
 * could not be read (FL holds the reports). */
static int fleet_load(const char *dir, const char *learned, struct fleet *fl, struct rs_error *err)
{
	int rc = fleet_read(dir, false, fl, err);
	if (rc != RS_OK)
		return rc;
	char beside[PATH_MAX];
	if (!learned)
		fleet_learned_beside(dir, beside, sizeof(beside));
	if (fleet_read_learned(fl, learned ? learned : beside, !learned, err) != RS_OK)
		return RS_EPARTIAL;
	return RS_OK;
}

static volatile sig_atomic_t fleet_stop;

static void fleet_on_signal(int sig)
{
	(void)sig;
	fleet_stop = 1;
}

/* --watch: read the folder every FLEET_WATCH_SECS and rewrite the page when
 * what it shows changed, until Ctrl-C or SIGTERM. */
enum { FLEET_WATCH_SECS = 2, FLEET_PAGE_REFRESH_SECS = 10 };

static int fleet_watch(const char *dir, const char *learned, const char *html)
{
	struct sigaction sa = { .sa_handler = fleet_on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct fleet_html_opts o = { .source = dir, .refresh_secs = FLEET_PAGE_REFRESH_SECS };
	char last[65] = "";
	while (!fleet_stop) {
		struct fleet fl;
		struct rs_error err = { 0 };
		int rc = fleet_load(dir, learned, &fl, &err);
		char now[65];
		fleet_fingerprint(&fl, now);
		if ((rc == RS_OK || fl.nruns) && strcmp(now, last) != 0) {
			if (fleet_html_save(html, &fl, &o, &err) == RS_OK) {
				size_t count[3];
				fleet_count(&fl, true, count);
				textesc_fprintf(stderr, "rescue: fleet: %s: %zu machine(s): %zu RED, %zu YELLOW, %zu GREEN\n",
						html, fl.nmachines, count[VERDICT_RED], count[VERDICT_YELLOW],
						count[VERDICT_GREEN]);
				snprintf(last, sizeof(last), "%s", now);
			}
		}
		if (rc != RS_OK)
			textesc_fprintf(stderr, "rescue: fleet: %s\n", err.msg);
		fleet_free(&fl);
		for (int i = 0; i < FLEET_WATCH_SECS * 10 && !fleet_stop; i++)
			usleep(100 * 1000);
	}
	return RS_OK;
}

int cmd_fleet(struct cli *cli, int argc, char **argv)
{
	const char *dir = NULL, *html = NULL, *learned = NULL;
	bool watch = false, bad = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--html") == 0 && i + 1 < argc)
			html = argv[++i];
		else if (strcmp(argv[i], "--learned") == 0 && i + 1 < argc)
			learned = argv[++i];
		else if (strcmp(argv[i], "--watch") == 0)
			watch = true;
		else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else
			bad = true;
	}
	if (bad || !dir || (watch && !html)) {
		fprintf(stderr, "rescue: usage: rescue fleet DIR [--learned DIR] [--html FILE [--watch]]  (DIR: the "
				"reports folder of the RESCUE partition; the learned/ folder beside it is read)\n");
		return RS_EUSAGE;
	}
	if (watch)
		return fleet_watch(dir, learned, html);
	struct fleet fl;
	struct rs_error err = { 0 };
	int rc = fleet_load(dir, learned, &fl, &err);
	if (rc != RS_OK)
		textesc_fprintf(stderr, "rescue: fleet: %s\n", err.msg);
	if (rc != RS_OK && rc != RS_EPARTIAL) {
		fleet_free(&fl);
		return rc;
	}
	if (html) {
		struct fleet_html_opts o = { .source = dir };
		int hrc = fleet_html_save(html, &fl, &o, &err);
		if (hrc != RS_OK) {
			textesc_fprintf(stderr, "rescue: fleet: %s\n", err.msg);
			rc = hrc;
		}
	}
	if (cli->json)
		fleet_print_json(&fl);
	else
		fleet_print_text(&fl);
	/* an unreadable report may be a machine that is not clean; a bad
	 * learned line, a hash the next machines do not look for */
	if (rc == RS_OK && (fl.nbad || fl.bad_lost || fl.nlearned_bad || fl.learned_bad_more))
		rc = RS_EPARTIAL;
	fleet_free(&fl);
	return rc;
}
