/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c - `rescue`: global options, the command table, the target.
 *
 *   rescue [--root DIR | --disk PATH] [--json] [--yes] [-v] COMMAND [ARGS]
 *
 * Global options may stand before or after the command name; everything
 * else belongs to the command.  Exit codes are the rs_status codes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rescue/cli/cli.h"
#include "rescue/base/textesc.h"
#include "rescue/base/version.h"
#include "rescue/disk/target.h"

static const struct cli_command commands[] = {
	{ "detect",  "",                        "list disks and partitions: file system, Windows version, computer, state",
	  0, cmd_detect },
	{ "status",  "",                        "show each containment item: current value, contained or open",
	  CLI_TARGET, cmd_status },
	{ "contain", "[ITEM...] [--dry-run]",   "apply containment items (default all: autorun tasks restore shares hosts firewall; firewall-policy only by name)",
	  CLI_TARGET | CLI_WRITES, cmd_contain },
	{ "undo",    "[--trust-unsigned] [ITEM...]","put back what contain/passwd changed, from the journal",
	  CLI_TARGET | CLI_WRITES | CLI_VOLUME, cmd_undo },
	{ "users",   "",                        "local accounts: RID, name, flags (disabled, locked, admin, blank...)",
	  CLI_TARGET, cmd_users },
	{ "passwd",  "USER [--blank|--password-stdin|--password-file F] [--unlock] [--enable] [--promote]",
	  "reset, unlock, enable an account or add it to Administrators",
	  CLI_TARGET | CLI_WRITES, cmd_passwd },
	/* scan opens the target read-only; --quarantine lifts that in cmd_scan. */
	{ "scan",    "[PATH...] [--rules FILE|DIR] [--threads N] [--max-size SIZE] [--quarantine] [--system-files]",
	  "scan the volume (or PATHs in it) with YARA and the hash list; exit 1 on detections",
	  CLI_TARGET, cmd_scan },
	{ "quarantine", "list | restore ID | purge", "manage files quarantined by scan --quarantine",
	  CLI_TARGET | CLI_WRITES | CLI_VOLUME, cmd_quarantine },
	{ "auto",    "[--config FILE [--check]] [--keys]", "the unattended run, driven by rescue.conf: GREEN, RED or YELLOW",
	  0, cmd_auto },
	{ "fleet",   "DIR [--html FILE [--watch]]", "one table of every report found in DIR; the HTML log sheet",
	  0, cmd_fleet },
	{ "upload",  "URL FILE...",             "send reports to a WebDAV folder (http://HOST/FOLDER/): the network boot",
	  0, cmd_upload },
	{ "recover", "[--dry-run]",             "replay the transaction logs of dirty hives and write them back (backup, journal)",
	  CLI_TARGET | CLI_WRITES, cmd_recover },
	{ "repair",  "permissions [--dry-run]", "reset hostile owners and Deny entries on security products' folders (undo permissions reverts)",
	  CLI_TARGET | CLI_WRITES, cmd_repair },
	{ "rules",   "check [DIR] | forget HASH [DIR]",
	  "compile a rule folder: per file rules, skips and why, warnings, time, memory; forget: drop a learned hash",
	  0, cmd_rules },
	{ "ui",      "",                        "the ncurses front end: installations, containment, accounts, scan, verdict",
	  0, cmd_ui },
	{ "autoruns", "[--all] [--disable ID...|--disable-flagged] [--detected FILE] [--dry-run]",
	  "list autostart entries (Run keys, services, tasks, Startup...); disable them reversibly",
	  CLI_TARGET, cmd_autoruns },
};

/* Commands that write only when given one of these options (a prefix:
 * "--disable" covers --disable-flagged): without it they open the target
 * read-only, so listing works on a hibernated or read-only volume. */
static const struct { const char *command, *option; } writes_with[] = {
	{ "autoruns", "--disable" },
	{ "scan",     "--quarantine" },
};

/* Runs of a writing command that write nothing (a dry run, a listing): they
 * open the target read-only like the reading commands.  A read-write ntfs-3g
 * mount changes the volume by itself (its journal, flags and times), and a
 * hibernated, dirty or read-only volume would be refused. */
static const struct { const char *command, *arg; } reads_with[] = {
	{ "contain", "--dry-run" }, { "contain", "-n" },
	{ "recover", "--dry-run" }, { "recover", "-n" },
	{ "repair", "--dry-run" }, { "repair", "-n" },
	{ "autoruns", "--dry-run" }, { "autoruns", "-n" },
	{ "quarantine", "list" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: rescue [--root DIR | --disk PATH] [--json] [--yes] [-v] COMMAND [ARGS]\n"
		   "       rescue --version\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		textesc_fprintf(f, "  %-8s %-40s %s\n", commands[i].name, commands[i].args, commands[i].help);
	fprintf(f, "\nglobal options:\n"
		   "  --root DIR         a mounted Windows volume (or a directory laid out like one)\n"
		   "  --disk PATH        a disk, partition or image file: rescue mounts its NTFS partitions\n"
		   "  --install N        with several Windows installations, act on the N-th\n"
		   "  --json             print JSON instead of text\n"
		   "  --yes              do not ask for confirmation\n"
		   "  --force            write a dirty hive without usable logs, or a volume marked dirty\n"
		   "  --remove-hiberfile allow writing a hibernated volume (Windows loses its hibernated session)\n"
		   "  --bitlocker-key KEY   open a BitLocker volume with its 48-digit recovery password\n"
		   "  --bitlocker-keys PATH recovery key files (Windows' .TXT, AD or Intune CSV, ID,KEY lines),\n"
		   "                     a file or a folder: each volume takes the key for its key ID\n"
		   "  -v                 more detail\n"
		   "exit codes: 0 clean, 1 detections, 2 usage, 3 target unusable, 4 partly failed\n");
}

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* The BitLocker recovery keys given (--bitlocker-key, --bitlocker-keys),
 * wiped when main returns. */
static struct blk_ring bitlocker_keys;

/* Take one BitLocker option's value: a typed key is checked (a typo is said
 * before anything is tried) and wiped from argv, so /proc/PID/cmdline no
 * longer shows it; a key file or folder is read now. */
static int bitlocker_option(bool typed, char *value)
{
	struct rs_error err = { 0 };
	int rc = typed ? blk_add_typed(&bitlocker_keys, value, &err) : blk_load(&bitlocker_keys, value, &err);
	if (typed)
		explicit_bzero(value, strlen(value));
	if (rc) {
		textesc_fprintf(stderr, "rescue: %s%s\n", typed ? "--bitlocker-key: " : "", err.msg);
		return rc;
	}
	if (bitlocker_keys.bad)
		textesc_fprintf(stderr, "rescue: skipped %zu recovery key%s whose checksum fails (%s)\n",
				bitlocker_keys.bad, bitlocker_keys.bad == 1 ? "" : "s", bitlocker_keys.first_bad);
	return RS_OK;
}

/* Take the global options out of argv, wherever they stand before "--";
 * what is left (the command and its own arguments) is compacted in place. */
static int parse_globals(struct cli *cli, int *argc, char **argv)
{
	int out = 1;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		const char **dest = NULL;
		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		} else if (strcmp(a, "--root") == 0) {
			dest = &cli->root;
		} else if (strcmp(a, "--disk") == 0) {
			dest = &cli->disk;
		} else if (strncmp(a, "--root=", 7) == 0) {
			cli->root = a + 7;
		} else if (strncmp(a, "--disk=", 7) == 0) {
			cli->disk = a + 7;
		} else if (strcmp(a, "--install") == 0 || strncmp(a, "--install=", 10) == 0) {
			const char *v = a[9] == '=' ? a + 10 : (i + 1 < *argc ? argv[++i] : NULL);
			char *end;
			long n = v ? strtol(v, &end, 10) : 0;
			if (!v || *end || n < 1 || n > 64) {
				fprintf(stderr, "rescue: --install takes a number from 1 (see `rescue detect`)\n");
				return RS_EUSAGE;
			}
			cli->install = (int)n;
		} else if (strcmp(a, "--json") == 0) {
			cli->json = true;
		} else if (strcmp(a, "--yes") == 0 || strcmp(a, "-y") == 0) {
			cli->yes = true;
		} else if (strcmp(a, "--force") == 0) {
			cli->force = true;
		} else if (strcmp(a, "--remove-hiberfile") == 0) {
			cli->remove_hiberfile = true;
		} else if (strcmp(a, "--bitlocker-key") == 0 || strcmp(a, "--bitlocker-keys") == 0) {
			if (i + 1 >= *argc) {
				textesc_fprintf(stderr, "rescue: %s needs an argument\n", a);
				return RS_EUSAGE;
			}
			int rc = bitlocker_option(a[15] == '\0', argv[++i]);
			if (rc)
				return rc;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			cli->verbose++;
		} else {
			argv[out++] = argv[i];
		}
		if (dest) {
			if (i + 1 >= *argc) {
				textesc_fprintf(stderr, "rescue: %s needs an argument\n", a);
				return RS_EUSAGE;
			}
			*dest = argv[++i];
		}
	}
	argv[out] = NULL;
	*argc = out;
	return RS_OK;
}

/* Whether ARG (a prefix when PREFIX) is among the arguments of CMD. */
static bool given(const char *arg, bool prefix, int argc, char **argv)
{
	for (int i = 2; i < argc; i++)
		if (prefix ? strncmp(argv[i], arg, strlen(arg)) == 0 : strcmp(argv[i], arg) == 0)
			return true;
	return false;
}

/* Whether this run of CMD writes: not with one of its reads_with arguments;
 * always with CLI_WRITES; else when one of its writes_with options is among
 * its arguments. */
static bool writes(const struct cli_command *cmd, int argc, char **argv)
{
	for (size_t k = 0; k < sizeof(reads_with) / sizeof(reads_with[0]); k++)
		if (strcmp(reads_with[k].command, cmd->name) == 0 && given(reads_with[k].arg, false, argc, argv))
			return false;
	if (cmd->flags & CLI_WRITES)
		return true;
	for (size_t k = 0; k < sizeof(writes_with) / sizeof(writes_with[0]); k++)
		if (strcmp(writes_with[k].command, cmd->name) == 0 && given(writes_with[k].option, true, argc, argv))
			return true;
	return false;
}

static int open_target(struct cli *cli, const struct cli_command *cmd, bool write, struct rs_error *err)
{
	unsigned flags = 0;
	if (cli->force)
		flags |= RS_CTX_FORCE;
	if (!write)
		flags |= RS_CTX_READONLY;
	if (cmd->flags & CLI_VOLUME)
		flags |= RS_CTX_VOLUME_ONLY;
	if (cli->root && cli->disk)
		return rs_fail(err, RS_EUSAGE, "--root and --disk exclude each other");
	if (!cli->root)     /* --disk PATH, or every local disk (the boot case) */
		return cli_open_disk(cli, cmd, flags, err);
	return rs_ctx_open(cli->root, flags, &cli->ctx, err);
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
	int rc = run(argc, argv);
	blk_free(&bitlocker_keys);
	return rc;
}

static int run(int argc, char **argv)
{
	struct cli cli = { .progname = "rescue", .keys = &bitlocker_keys };
	int rc = parse_globals(&cli, &argc, argv);
	if (rc)
		return rc;
	if (argc < 2) {
		usage(stderr);
		return RS_EUSAGE;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return RS_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("rescue %s\n", rescue_version);
		return RS_OK;
	}
	const struct cli_command *cmd = find_command(argv[1]);
	if (!cmd) {
		textesc_fprintf(stderr, "rescue: unknown command '%s' (try `rescue help`)\n", argv[1]);
		return RS_EUSAGE;
	}
	struct rs_error err = { 0 };
	if (cmd->flags & CLI_TARGET) {
		rc = open_target(&cli, cmd, writes(cmd, argc, argv), &err);
		if (rc) {
			cli_print_error(&cli, &err);
			cli_close_target(&cli);
			return rc;
		}
	}
	rc = cmd->run(&cli, argc - 1, argv + 1);
	/* Unmounting can fail too: the command's result stands, but a volume
	 * not written back cleanly makes the run partial. */
	if (cli_close_target(&cli) && rc == RS_OK)
		rc = RS_EPARTIAL;
	return rc;
}
