/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h - the `rescue` command line: global options and the command table.
 *
 * One file per command family (rescue/cli/cli-*.c) exports its handlers;
 * main.c holds the one table that names them, common.c what they share.  CLI code is the only code that
 * prints: it turns core results and struct rs_error into text or JSON. */
#ifndef RESCUE_CLI_H
#define RESCUE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "rescue/base/ctx.h"
#include "rescue/disk/blkeys.h"

struct cli {
	const char *root;         /* --root DIR */
	const char *disk;         /* --disk PATH */
	bool json;                /* --json */
	bool yes;                 /* --yes: no confirmation questions */
	int verbose;              /* -v, repeatable */
	bool force;               /* --force: write a dirty hive anyway */
	int install;              /* --install N (1-based), 0 = not given */
	bool remove_hiberfile;    /* --remove-hiberfile */
	const char *progname;
	struct rs_ctx *ctx;       /* the opened target, for commands with CLI_TARGET */
	struct rs_target *target; /* the disks behind ctx, with --disk or no target option */
	const struct blk_ring *keys; /* --bitlocker-key(s): BitLocker recovery keys, NULL when none */
};

enum cli_flags {
	CLI_TARGET = 1 << 0,      /* needs a Windows installation (ctx) */
	CLI_WRITES = 1 << 1,      /* may write to it (mount read-write, refuse hibernated) */
	CLI_VOLUME = 1 << 2,      /* works from Rescue/ alone, without the hives (RS_CTX_VOLUME_ONLY) */
};

struct cli_command {
	const char *name;
	const char *args;         /* usage after the name */
	const char *help;         /* one line */
	unsigned flags;
	int (*run)(struct cli *cli, int argc, char **argv);  /* argv[0] is the command name */
};

struct rs_target;

/* Open the installation a command works on from --disk PATH, or from every
 * local disk when neither --disk nor --root is given; says on
 * stderr which installation it is.  cli_close_target unmounts everything. */
int cli_open_disk(struct cli *cli, const struct cli_command *cmd, unsigned ctx_flags, struct rs_error *err);
int cli_close_target(struct cli *cli);

/* Print a core error as the one line a technician reads, to stderr. */
void cli_print_error(const struct cli *cli, const struct rs_error *err);

/* Ask QUESTION on the terminal; true without asking under --yes, --json or
 * without a terminal (scripts and the unattended run). */
bool cli_confirm(const struct cli *cli, const char *question);

/* A progress line on stderr is rewritten in place ("\r...") and ends without
 * a newline: every other line clears it first, or the two run together on
 * the console (and a reader of the serial log misses the second).  Clears
 * the line when *SHOWN, and sets *SHOWN false. */
void cli_progress_clear(bool *shown);

/* The helpers above live in common.c.  Handlers, one family per file. */
int cmd_detect(struct cli *cli, int argc, char **argv);   /* cli-disk.c */
int cmd_status(struct cli *cli, int argc, char **argv);   /* cli-contain.c */
int cmd_contain(struct cli *cli, int argc, char **argv);  /* cli-contain.c */
int cmd_undo(struct cli *cli, int argc, char **argv);     /* cli-contain.c */
int cmd_users(struct cli *cli, int argc, char **argv);    /* cli-users.c */
int cmd_passwd(struct cli *cli, int argc, char **argv);   /* cli-users.c */
int cmd_auto(struct cli *cli, int argc, char **argv);     /* cli-auto.c */
int cmd_fleet(struct cli *cli, int argc, char **argv);    /* cli-auto.c */
int cmd_upload(struct cli *cli, int argc, char **argv);   /* cli-upload.c */
int cmd_recover(struct cli *cli, int argc, char **argv);  /* cli-recover.c */
int cmd_repair(struct cli *cli, int argc, char **argv);   /* cli-repair.c */
int cmd_ui(struct cli *cli, int argc, char **argv);       /* cli-ui.c: ui/ui.h */
int cmd_autoruns(struct cli *cli, int argc, char **argv); /* cli-autoruns.c */

/* The "hives" rows of `status` and `detect` (text under the line TITLE, or a
 * JSON "hives":[...] member): which hives are dirty, whether their logs can
 * recover them and whether rescue recovered them. */
struct hive_probe;
void cli_print_hives(const struct cli *cli, const char *title, const struct hive_probe *v, size_t n);

/* One hive's recovery state as a JSON object on stdout; ERROR when set. */
struct hive_recovery;
void cli_put_hive_json(const char *rel, const struct hive_recovery *r, const char *error);

/* "Windows 10 Pro 22H2 (build 19045)", or why a volume has no Windows. */
struct rs_volume;
void cli_windows_words(const struct rs_volume *v, char *buf, size_t len);

int cmd_scan(struct cli *cli, int argc, char **argv);        /* cli-scan.c */
int cmd_quarantine(struct cli *cli, int argc, char **argv);  /* cli-scan.c */
int cmd_rules(struct cli *cli, int argc, char **argv);       /* cli-rules.c */

#endif
