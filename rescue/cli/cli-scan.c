/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli-scan.c - `rescue scan` and `rescue quarantine list|restore|purge`. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "hive/autoruns.h"
#include "rescue/cli/cli.h"
#include "rescue/run/clean.h"
#include "rescue/run/conf.h"
#include "rescue/run/firstfiles.h"
#include "rescue/run/runrules.h"
#include "rescue/base/duration.h"
#include "rescue/base/json.h"
#include "rescue/base/othernames.h"
#include "rescue/scan/quarantine.h"
#include "rescue/scan/rules.h"
#include "rescue/scan/scan.h"
#include "rescue/base/textesc.h"
#include "rescue/scan/ioc.h"

struct scan_cli {
	struct cli *cli;
	bool quarantine;
	bool progress;                  /* stderr is a terminal */
	bool progress_shown;
	struct rs_clean clean;          /* quarantine (or report) each hit, then their autostart entries */
};

static int on_progress(const struct rs_scan_progress *p, void *user)
{
	struct scan_cli *sc = user;
	char eta[DURATION_LEN];
	const char *cur = p->current ? p->current : "";
	size_t cl = strlen(cur);
	textesc_fprintf(stderr, "\r\033[K%llu/%llu%s files  %.0f/%.0f MB  %.1f MB/s  ETA %s  %llu detected  %s%s",
		(unsigned long long)p->files, (unsigned long long)p->files_total, p->walk_done ? "" : "+",
		(double)p->bytes / 1e6, (double)p->bytes_total / 1e6, p->mbps, duration_fmt(p->eta_secs, eta, sizeof(eta)),
		(unsigned long long)p->detections, cl > 40 ? "..." : "", cl > 40 ? cur + cl - 40 : cur);
	sc->progress_shown = true;
	return 0;
}

static int on_detect(struct rs_scan_hit *hit, void *user)
{
	struct scan_cli *sc = user;
	struct cli *cli = sc->cli;
	rs_clean_hit(&sc->clean, hit);
	cli_progress_clear(&sc->progress_shown);
	if (cli->json) {
		fputs("{\"type\":\"detection\"", stdout);
		json_put_member(stdout, ",", "path", hit->path);
		json_put_member(stdout, ",", "stream", hit->stream);
		fputs(",\"rules\":", stdout);
		json_put_list(stdout, hit->rules, ',');
		printf(",\"size\":%llu,\"sha256\":\"%s\"", (unsigned long long)hit->size, hit->sha256);
		json_put_member(stdout, ",", "action", hit->action);
		json_put_member(stdout, ",", "inspect", hit->inspect);
		for (size_t i = 0; hit->nnames > 1 && i < hit->nnames; i++) {
			fputs(i ? "," : ",\"names\":[", stdout);
			json_put_str(stdout, hit->names[i]);
		}
		fputs(hit->nnames > 1 ? "]" : "", stdout);
		fputs(",\"matches\":", stdout);
		rs_rule_meta_json(stdout, hit->meta, hit->nmeta);
		fputs("}\n", stdout);
	} else {
		textesc_printf("DETECTED %s%s%s  [%s]  %llu bytes  sha256 %s  %s\n", hit->path, hit->stream ? ":" : "",
		       hit->stream ? hit->stream : "", hit->rules, (unsigned long long)hit->size, hit->sha256,
		       hit->action);
		/* The same file under its other names (hard links). */
		for (size_t i = 1; i < hit->nnames; i++)
			textesc_printf("         also named %s\n", hit->names[i]);
		/* the rule's author stays with every message based on it */
		for (size_t i = 0; i < hit->nmeta; i++) {
			char line[1024];
			rs_rule_meta_line(&hit->meta[i], line, sizeof(line));
			textesc_printf("  rule %s\n", line);
		}
	}
	fflush(stdout);
	return 0;
}

/* Skips always listed (the technician must see them); links, loops, other
 * file systems and reparse points (a CompactOS Windows has thousands of
 * WOF-compressed system files) are counted, and listed with -v or in JSON. */
static bool skip_listed(const struct cli *cli, enum rs_scan_skip_why why)
{
	return cli->json || cli->verbose || why == RS_SKIP_TOO_BIG || why == RS_SKIP_SYSTEM_FILE ||
	       why == RS_SKIP_UNREADABLE || why == RS_SKIP_SPECIAL;
}

static void print_summary(const struct cli *cli, const struct rs_scan_result *r)
{
	double mbps = r->secs > 0 ? (double)r->bytes / 1e6 / r->secs : 0;
	for (size_t i = 0; i < r->nskip; i++) {
		const struct rs_scan_skip *k = &r->skip[i];
		if (!skip_listed(cli, k->why))
			continue;
		if (cli->json) {
			fputs("{\"type\":\"skipped\"", stdout);
			json_put_member(stdout, ",", "path", k->path);
			printf(",\"reason\":\"%s\"", rs_scan_skip_name(k->why));
			json_put_member(stdout, ",", "detail", k->detail);
			printf(",\"size\":%llu}\n", (unsigned long long)k->size);
		} else {
			textesc_printf("SKIPPED  %s  (%s: %s)\n", k->path, rs_scan_skip_name(k->why), k->detail ? k->detail : "");
		}
	}
	for (size_t i = 0; i < r->nwarn; i++) {
		if (cli->json) {
			json_put_member(stdout, "{", "type", "warning");
			json_put_member(stdout, ",", "path", r->warn[i].path);
			json_put_member(stdout, ",", "what", r->warn[i].what);
			fputs("}\n", stdout);
		} else {
			textesc_printf("WARNING  %s  (%s)\n", r->warn[i].path, r->warn[i].what);
		}
	}
	if (r->nwarn_unlisted && !cli->json)
		printf("WARNING  %zu more warning(s) not listed\n", r->nwarn_unlisted);
	size_t nskip = r->nskip + r->nskip_unlisted;
	if (cli->json) {
		printf("{\"type\":\"summary\",\"files\":%llu,\"names\":%llu,\"streams\":%llu,\"bytes\":%llu,\"seconds\":%.3f,"
		       "\"mb_per_s\":%.1f,\"threads\":%d,\"read\":\"%s\",\"detections\":%zu,\"skipped\":%zu,\"cancelled\":%s",
		       (unsigned long long)r->files, (unsigned long long)r->names, (unsigned long long)r->streams,
		       (unsigned long long)r->bytes, r->secs, mbps, r->threads, rs_scan_read_name(r->read),
		       r->ndet + r->ndet_unlisted, nskip, r->cancelled ? "true" : "false");
		for (int w = 0; w < RS_SKIP_NWHY; w++) {
			char key[32];
			snprintf(key, sizeof(key), "%s", rs_scan_skip_name(w));
			for (char *p = key; *p; p++)
				if (*p == ' ')
					*p = '_';
			printf(",\"%s\":%zu", key, r->nwhy[w]);
		}
		/* Why the mount was read when direct reading was possible in principle. */
		json_put_member(stdout, ",", "read_note", r->read_note[0] ? r->read_note : NULL);
		printf(",\"errors\":%zu,\"unlisted_detections\":%zu,\"unlisted_skips\":%zu,\"unlisted_warnings\":%zu}\n",
		       r->nwhy[RS_SKIP_UNREADABLE], r->ndet_unlisted, r->nskip_unlisted, r->nwarn_unlisted);
		return;
	}
	/* The result's lists are bounded (rescue/scan/scan.h): say what is left out. */
	if (r->ndet_unlisted || r->nskip_unlisted)
		printf("not listed above: %zu more detections (each was printed as found), %zu more skipped entries\n",
		       r->ndet_unlisted, r->nskip_unlisted);
	printf("scanned %llu files (%llu names) and %llu streams, %.1f MB in %.1f s (%.1f MB/s, read: %s, %d threads): "
	       "%zu detected\n", (unsigned long long)r->files, (unsigned long long)r->names,
	       (unsigned long long)r->streams, (double)r->bytes / 1e6, r->secs, mbps, rs_scan_read_name(r->read),
	       r->threads, r->ndet + r->ndet_unlisted);
	printf("not scanned: %zu too big, %zu system files, %zu unreadable, %zu special, %zu reparse points; "
	       "not followed: %zu links/junctions, %zu loops, %zu other file systems%s\n",
	       r->nwhy[RS_SKIP_TOO_BIG], r->nwhy[RS_SKIP_SYSTEM_FILE], r->nwhy[RS_SKIP_UNREADABLE],
	       r->nwhy[RS_SKIP_SPECIAL], r->nwhy[RS_SKIP_REPARSE], r->nwhy[RS_SKIP_LINK], r->nwhy[RS_SKIP_LOOP],
	       r->nwhy[RS_SKIP_OTHER_FS],
	       r->cancelled ? " (CANCELLED)" : "");
}

/* After quarantining: the autostart entries that start a file just
 * quarantined are disabled (rescue/run/clean.h), so Windows does not try to
 * start what is gone; `rescue undo autoruns` puts them back.  Printed as
 * the scan prints. */
static int disable_autoruns(struct scan_cli *sc)
{
	struct cli *cli = sc->cli;
	struct rs_clean_autoruns a;
	struct rs_error err = { 0 };
	int rc = rs_clean_finish(&sc->clean, &a, &err);
	const struct autoruns_report *r = &a.done;
	for (size_t i = 0; i < r->n; i++) {
		const struct autoruns_step *s = &r->steps[i];
		if (cli->json) {
			printf("{\"type\":\"autorun_disabled\",\"id\":\"%s\",\"kind\":\"%s\"", s->id,
			       autorun_kind_names[s->kind]);
			json_put_member(stdout, ",", "what", s->what);
			json_put_member(stdout, ",", "action", s->action);
			printf(",\"ok\":%s", s->ok ? "true" : "false");
			json_put_member(stdout, ",", "error", s->ok ? NULL : s->error);
			fputs("}\n", stdout);
		} else if (s->ok) {
			textesc_printf("DISABLED autostart %s %s: %s\n", s->id, s->what, s->action);
		} else {
			textesc_printf("FAILED   autostart %s %s: %s\n", s->id, s->what, s->error);
		}
	}
	if (!cli->json && r->n)
		printf("(`rescue undo autoruns` puts the autostart entries back)\n");
	if (rc)
		cli_print_error(cli, &err);
	rs_clean_autoruns_free(&a);
	return rc;
}

static void scan_usage(void)
{
	fprintf(stderr, "usage: rescue [--root DIR] scan [PATH...] [--rules FILE|DIR] [--threads N] "
			"[--rule-cache DIR] [--max-size SIZE] [--ioc-alert-score N] [--read auto|mount|direct] "
			"[--quarantine] [--system-files]\n");
}

int cmd_scan(struct cli *cli, int argc, char **argv)
{
	struct rs_scan_opts o = { 0 };
	const char *extra = NULL, *cache = NULL;
	/* On the boot image, the stick's settings: its rules/ (cached in its
	 * cache/), its learned/, its ioc_alert_score; the options win. */
	struct rs_conf conf;
	struct rs_error cerr = { 0 };
	if (conf_load_boot(&conf, &cerr) != RS_OK)
		textesc_fprintf(stderr, "rescue: warning: %s: the boot settings are not used\n", cerr.msg);
	o.ioc_alert_score = conf.ioc_alert_score;
	struct scan_cli sc = { .cli = cli };
	const char **paths = calloc((size_t)argc, sizeof(char *));
	size_t npaths = 0;
	if (!paths)
		return RS_EPARTIAL;
	int rc = RS_OK;
	for (int i = 1; i < argc && rc == RS_OK; i++) {
		const char *a = argv[i];
		const char *v = NULL;
		if (strcmp(a, "--rules") == 0 || strcmp(a, "--threads") == 0 || strcmp(a, "--max-size") == 0 ||
		    strcmp(a, "--read") == 0 || strcmp(a, "--ioc-alert-score") == 0 || strcmp(a, "--rule-cache") == 0) {
			if (i + 1 >= argc) {
				textesc_fprintf(stderr, "rescue: scan: %s needs an argument\n", a);
				rc = RS_EUSAGE;
				break;
			}
			v = argv[++i];
		}
		if (strcmp(a, "--rules") == 0) {
			extra = v;
		} else if (strcmp(a, "--rule-cache") == 0) {
			cache = v;
		} else if (strcmp(a, "--threads") == 0) {
			char *end;
			long n = strtol(v, &end, 10);
			if (*end || n < 1 || n > RS_SCAN_MAX_THREADS) {
				fprintf(stderr, "rescue: scan: --threads takes 1 to %d\n", RS_SCAN_MAX_THREADS);
				rc = RS_EUSAGE;
			}
			o.threads = (int)n;
		} else if (strcmp(a, "--ioc-alert-score") == 0) {
			if (conf_parse_score(v, &o.ioc_alert_score) != 0) {
				fprintf(stderr, "rescue: scan: --ioc-alert-score takes a score from 1 to %d\n",
					RS_IOC_ALERT_SCORE_MAX);
				rc = RS_EUSAGE;
			}
		} else if (strcmp(a, "--max-size") == 0) {
			if (conf_parse_size(v, &o.max_size) != 0 || o.max_size == 0) {
				fprintf(stderr, "rescue: scan: --max-size takes a size such as 64M or 1G\n");
				rc = RS_EUSAGE;
			}
		} else if (strcmp(a, "--read") == 0) {
			static const char *const how[] = { [RS_READ_AUTO] = "auto", [RS_READ_MOUNT] = "mount",
							   [RS_READ_DIRECT] = "direct" };
			rc = RS_EUSAGE;
			for (size_t k = 0; k < sizeof(how) / sizeof(how[0]); k++)
				if (strcmp(v, how[k]) == 0)
					o.read = (enum rs_scan_read)k, rc = RS_OK;
			if (rc)
				fprintf(stderr, "rescue: scan: --read takes auto, mount or direct\n");
		} else if (strcmp(a, "--quarantine") == 0) {
			sc.quarantine = true;
		} else if (strcmp(a, "--system-files") == 0) {
			o.system_files = true;
		} else if (a[0] == '-' && a[1]) {
			textesc_fprintf(stderr, "rescue: scan: unknown option %s\n", a);
			scan_usage();
			rc = RS_EUSAGE;
		} else {
			paths[npaths++] = a;
		}
	}
	if (rc == RS_OK && cache && !extra && !conf.rules_extra[0]) {
		fprintf(stderr, "rescue: scan: --rule-cache caches the rules of --rules DIR: give one\n");
		rc = RS_EUSAGE;
	}
	if (rc) {
		free(paths);
		return rc;
	}
	struct rs_error err = { 0 };
	/* With --quarantine main.c opened the target for writing (its
	 * writes_with table): quarantine writes Rescue/quarantine and removes
	 * the detected files. */
	struct rs_rules *rules = NULL;
	rc = runrules_load(&conf, extra, cache, &rules, &err);
	if (rc) {
		cli_print_error(cli, &err);
		free(paths);
		return rc;
	}
	for (size_t i = 0; i < rs_rules_nwarnings(rules); i++) {
		if (cli->json) {
			fputs("{\"type\":\"warning\"", stdout);
			json_put_member(stdout, ",", "message", rs_rules_warning(rules, i));
			fputs("}\n", stdout);
		}
		textesc_fprintf(stderr, "rescue: warning: %s\n", rs_rules_warning(rules, i));
	}
	if (rs_rules_cache_note(rules)) {
		if (cli->json) {
			fputs("{\"type\":\"rules\"", stdout);
			json_put_member(stdout, ",", "cache", rs_rules_cache_note(rules));
			fputs("}\n", stdout);
		}
		textesc_fprintf(stderr, "rescue: rules: %s\n", rs_rules_cache_note(rules));
	}
	if (cli->verbose)
		textesc_fprintf(stderr, "rescue: rules: %s (%zu rules, %zu hashes%s)\n", rs_rules_source(rules),
			rs_rules_count(rules), rs_rules_nhashes(rules),
			rs_rules_merged(rules) ? "; built-in and extra rules in one set"
			: rs_rules_extra(rules) ? "; built-in and extra rules as two sets" : "");

	struct rs_clean_policy policy = { .quarantine = sc.quarantine, .tie = RS_CLEAN_TIE_QUARANTINED };
	rs_clean_init(&sc.clean, cli->ctx, &policy);
	sc.progress = isatty(2);
	o.detect = on_detect;
	o.progress = sc.progress ? on_progress : NULL;
	o.user = &sc;
	struct rs_scan_result res;
	/* The whole volume: what autostart entries start is read first. */
	char **first = NULL;
	size_t nfirst = 0;
	if (!npaths)
		firstfiles_autostart(cli->ctx, &first, &nfirst);
	o.first = (const char *const *)first;
	o.nfirst = nfirst;
	rc = rs_scan_run(cli->ctx->root, paths, npaths, rules, &o, &res, &err);
	firstfiles_free(first, nfirst);
	cli_progress_clear(&sc.progress_shown);
	if (cli->verbose && res.read_note[0])
		textesc_fprintf(stderr, "rescue: read through the mount, not directly: %s\n", res.read_note);
	if (rc == RS_OK || rc == RS_DETECTED || rc == RS_EPARTIAL)
		print_summary(cli, &res);
	if (rc != RS_OK && rc != RS_DETECTED)
		cli_print_error(cli, &err);
	size_t qfailed = sc.clean.count[RS_CLEAN_FAILED];
	if (qfailed) {
		fprintf(stderr, "rescue: %zu detected files could not be quarantined (see above)\n", qfailed);
		if (rc == RS_DETECTED)
			rc = RS_EPARTIAL;       /* the quarantine step failed: partial, not done */
	}
	if (sc.quarantine && (rc == RS_OK || rc == RS_DETECTED || rc == RS_EPARTIAL) &&
	    disable_autoruns(&sc) != RS_OK && rc != RS_EPARTIAL)
		rc = RS_EPARTIAL;
	rs_clean_free(&sc.clean);
	rs_scan_result_free(&res);
	rs_rules_free(rules);
	free(paths);
	return rc;
}

int cmd_quarantine(struct cli *cli, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	struct rs_error err = { 0 };
	int rc;
	if (strcmp(sub, "list") == 0 && argc <= 2) {
		struct rs_quarantine_entry *v;
		size_t n;
		rc = rs_quarantine_list(cli->ctx, &v, &n, &err);
		for (size_t i = 0; i < n; i++) {
			/* a file's names: the first few listed, the rest counted */
			struct othernames others;
			othernames_copy(&others, (const char *const *)v[i].names, v[i].nnames, NULL);
			if (cli->json) {
				json_put_member(stdout, "{", "id", v[i].id);
				json_put_member(stdout, ",", "path", v[i].path);
				json_put_member(stdout, ",", "stream", v[i].stream);
				/* every value here is the manifest's, on the volume: escaped */
				printf(",\"size\":%llu", (unsigned long long)v[i].size);
				json_put_member(stdout, ",", "sha256", v[i].sha256);
				json_put_member(stdout, ",", "rules", v[i].rules);
				json_put_member(stdout, ",", "quarantined", v[i].quarantined);
				othernames_json(stdout, &others);
				fputs("}\n", stdout);
			} else {
				textesc_printf("%s  %s  %s%s%s  %llu bytes  [%s]\n", v[i].id, v[i].quarantined, v[i].path,
				       v[i].stream ? ":" : "", v[i].stream ? v[i].stream : "",
				       (unsigned long long)v[i].size, v[i].rules ? v[i].rules : "");
				othernames_text(stdout, "    ", &others);
			}
			othernames_free(&others);
		}
		if (!cli->json)
			printf("%zu files in quarantine\n", n);
		rs_quarantine_list_free(v, n);
	} else if (strcmp(sub, "restore") == 0 && argc == 3) {
		char restored[4096];
		rc = rs_quarantine_restore(cli->ctx, argv[2], restored, sizeof(restored), &err);
		if (rc == RS_OK) {
			if (cli->json) {
				json_put_member(stdout, "{", "restored", restored);
				fputs("}\n", stdout);
			} else {
				textesc_printf("restored %s\n", restored);
			}
		}
	} else if (strcmp(sub, "purge") == 0 && argc == 2) {
		if (!cli->yes && isatty(0)) {
			fprintf(stderr, "Delete every quarantined file for good? [y/N] ");
			int c = getchar();
			if (c != 'y' && c != 'Y') {
				fprintf(stderr, "nothing deleted\n");
				return RS_OK;
			}
		}
		size_t n = 0;
		rc = rs_quarantine_purge(cli->ctx, &n, &err);
		if (cli->json)
			printf("{\"purged\":%zu}\n", n);
		else
			printf("purged %zu files\n", n);
	} else {
		fprintf(stderr, "usage: rescue [--root DIR] quarantine list | restore ID | purge\n");
		return RS_EUSAGE;
	}
	if (rc)
		cli_print_error(cli, &err);
	return rc;
}
