/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli-rules.c - `rules check [DIR]`: what a rule folder (a signature-base
 * checkout, the RESCUE stick's rules/) gives before a scan relies on it;
 * `rules forget HASH [DIR]`: a hash the fleet learned (rescue/run/learn.h)
 * dropped, when it was a mistake. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rescue/base/confine.h"
#include "rescue/base/json.h"
#include "rescue/base/textesc.h"
#include "rescue/cli/cli.h"
#include "rescue/scan/ioc.h"
#include "rescue/run/conf.h"
#include "rescue/run/learn.h"
#include "rescue/scan/rules.h"

/* `rules forget HASH [DIR]`: DIR is a learned/ folder or the RESCUE
 * partition holding one; none: the boot image's rescue_partition. */
static int rules_forget(struct cli *cli, const char *hash, const char *dir)
{
	struct rs_error err = { 0 };
	struct rs_conf conf;
	if (!dir) {
		if (conf_load(conf_boot_path(), &conf, &err) != RS_OK || !conf.rescue_partition[0]) {
			if (!err.code)
				rs_fail(&err, RS_EUSAGE, "%s names no rescue_partition", conf_boot_path());
			cli_print_error(cli, &err);
			fprintf(stderr, "usage: rescue rules forget HASH [DIR]\n");
			return RS_EUSAGE;
		}
		dir = conf.rescue_partition;
	}
	char sub[PATH_MAX], root[PATH_MAX];
	struct stat st;
	snprintf(sub, sizeof(sub), "%s/%s", dir, LEARN_DIR);
	const char *partition = stat(sub, &st) == 0 && S_ISDIR(st.st_mode) ? dir : NULL;
	int rc;
	if (partition) {
		rc = learn_dir_open(partition, root);
	} else {
		rc = confine_root_add_dir(dir, root);
	}
	if (rc != 0) {
		rs_fail_errno(&err, RS_EUSAGE, errno, "%s", partition ? sub : dir);
		cli_print_error(cli, &err);
		return RS_EUSAGE;
	}
	size_t removed = 0;
	rc = learn_forget(root, hash, &removed, &err);
	learn_dir_close(root);
	if (!rc && !removed)
		rc = rs_fail(&err, RS_EUSAGE, "%s: not among the learned hashes in %s", hash, root);
	if (rc) {
		cli_print_error(cli, &err);
		return rc;
	}
	if (cli->json) {
		json_put_member(stdout, "{", "type", "forget");
		json_put_member(stdout, ",", "sha256", hash);
		json_put_member(stdout, ",", "folder", root);
		printf(",\"removed\":%zu}\n", removed);
	} else {
		textesc_printf("%zu line(s) of %s removed from %s\n", removed, hash, root);
	}
	return RS_OK;
}

static const char *kind_name(enum rs_rules_kind k)
{
	static const char *const names[] = {
		[RS_RULES_NONE] = "?", [RS_RULES_YARA] = "yara", [RS_RULES_SHA256] = "sha256",
		[RS_RULES_IOC_HASH] = "hash-iocs", [RS_RULES_IOC_FILENAME] = "filename-iocs", [RS_RULES_IOC_C2] = "c2-iocs",
	};
	return k < sizeof(names) / sizeof(names[0]) && names[k] ? names[k] : "?";
}

static void print_file(const struct cli *cli, const struct rs_rules_file *f)
{
	if (cli->json) {
		json_put_member(stdout, "{", "type", "file");
		json_put_member(stdout, ",", "path", f->path);
		json_put_member(stdout, ",", "kind", kind_name(f->kind));
		printf(",\"ok\":%s,\"%s\":%zu,\"malformed\":%zu,\"seconds\":%.3f", f->why ? "false" : "true",
		       f->kind == RS_RULES_YARA ? "rules" : "entries", f->nrules, f->nbad, f->secs);
		json_put_member(stdout, ",", "skipped", f->why);
		fputs(",\"warnings\":[", stdout);
		for (size_t k = 0; k < f->nnotes; k++) {
			fputs(k ? "," : "", stdout);
			json_put_str(stdout, f->notes[k]);
		}
		fputs("]}\n", stdout);
		return;
	}
	if (f->why)
		textesc_printf("SKIPPED  %s: %s\n", f->path, f->why);
	else if (f->kind == RS_RULES_YARA)
		textesc_printf("ok       %s: %zu rules, %.3f s\n", f->path, f->nrules, f->secs);
	else
		textesc_printf("ok       %s: %s, %zu entries, %zu malformed lines skipped\n", f->path, kind_name(f->kind),
			       f->nrules, f->nbad);
	for (size_t k = 0; k < f->nnotes; k++)
		textesc_printf("         warning: %s\n", f->notes[k]);
}

int cmd_rules(struct cli *cli, int argc, char **argv)
{
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "forget") == 0)
		return rules_forget(cli, argv[2], argc == 4 ? argv[3] : NULL);
	if (argc < 2 || strcmp(argv[1], "check") != 0 || argc > 3) {
		fprintf(stderr, "usage: rescue rules check [DIR] | rules forget HASH [DIR]\n");
		return RS_EUSAGE;
	}
	const char *dir = argc == 3 ? argv[2] : NULL;
	struct rs_rules *r = NULL;
	struct rs_error err = { 0 };
	/* no DIR: the built-in set and hash list, as a scan loads them */
	int rc = dir ? rs_rules_check(dir, &r, &err) : rs_rules_load(NULL, NULL, &r, &err);
	if (rc) {
		cli_print_error(cli, &err);
		return rc;
	}
	size_t skipped = 0;
	for (size_t i = 0; i < rs_rules_nfiles(r); i++) {
		const struct rs_rules_file *f = rs_rules_file(r, i);
		skipped += f->why != NULL || f->nbad;
		print_file(cli, f);
	}
	/* what went wrong outside a file (a folder not read...) */
	for (size_t i = 0; i < rs_rules_nwarnings(r); i++) {
		if (cli->json) {
			json_put_member(stdout, "{", "type", "warning");
			json_put_member(stdout, ",", "message", rs_rules_warning(r, i));
			fputs("}\n", stdout);
		} else if (cli->verbose) {
			textesc_printf("warning: %s\n", rs_rules_warning(r, i));
		}
	}
	size_t bytes = rs_rules_bytes(r);
	const struct rs_ioc *ioc = rs_rules_ioc(r);
	if (cli->json) {
		json_put_member(stdout, "{", "type", "summary");
		json_put_member(stdout, ",", "source", rs_rules_source(r));
		printf(",\"files\":%zu,\"skipped\":%zu,\"rules\":%zu,\"hashes\":%zu,\"compile_seconds\":%.3f,\"bytes\":%zu",
		       rs_rules_nfiles(r), skipped, rs_rules_count(r), rs_rules_nhashes(r), rs_rules_compile_secs(r),
		       bytes);
		printf(",\"ioc_hashes\":%zu,\"ioc_filenames\":%zu,\"c2_names\":%zu,\"c2_ips\":%zu}\n",
		       rs_ioc_nhashes(ioc), rs_ioc_nfilenames(ioc), rs_ioc_c2_nnames(ioc), rs_ioc_c2_nips(ioc));
	} else {
		textesc_printf("%s: %zu files, %zu skipped; %zu rules, %zu hashes; compiled in %.2f s; %.2f MB compiled\n",
			       rs_rules_source(r), rs_rules_nfiles(r), skipped, rs_rules_count(r), rs_rules_nhashes(r),
			       rs_rules_compile_secs(r), (double)bytes / 1e6);
		if (ioc)
			printf("IOCs: %zu hashes, %zu filename patterns, %zu C2 names, %zu C2 IP addresses\n",
			       rs_ioc_nhashes(ioc), rs_ioc_nfilenames(ioc), rs_ioc_c2_nnames(ioc), rs_ioc_c2_nips(ioc));
	}
	rs_rules_free(r);
	/* a broken file: exit 1, so that a script preparing a stick stops */
	return skipped ? RS_DETECTED : RS_OK;
}
