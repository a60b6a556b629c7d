/* SPDX-License-Identifier: GPL-2.0-or-later */
/* autoruns.h - autostart entries of an offline Windows, and disabling them
 * reversibly.
 *
 * Listed (autoruns_list): Run, RunOnce, RunServices, Policies\Explorer\Run
 * of SOFTWARE (and its Wow6432Node view) and of every user's NTUSER.DAT;
 * the user's Windows\Load and Run values; Winlogon Shell and Userinit;
 * AppInit_DLLs; Image File Execution Options Debugger values; services and
 * drivers (SYSTEM CCS\Services: ImagePath, or Parameters\ServiceDll for
 * shared-process services, Start, Type); Startup folders of every user and
 * of all users; scheduled tasks (XP Windows/Tasks/NAME.job, Vista+
 * Windows/System32/Tasks/ XML, and tasks only the registry TaskCache holds).
 * Every file under the task folders is accounted for: a task is listed once
 * per <Exec> action (a task with none is listed with "(no program ...)"),
 * and a file or folder that cannot be read (too large, not XML, a parse
 * error, a DOCTYPE, a link, not a regular file, too deep) is listed as an
 * entry flagged "not-read" with the reason in `unread`.
 *
 * Each entry's command is expanded with the installation's environment
 * (SYSTEM Session Manager\Environment, SOFTWARE ProfileList and
 * CurrentVersion, the user's profile and Environment key; Windows' defaults
 * for the version otherwise), split into program and arguments, followed
 * through host programs (rundll32 x.dll,E -> x.dll) to the target file,
 * which is looked up on the volume, any case.
 *
 * Flags: the target (or the entry's own file) is a detected or quarantined
 * file (lists given by the caller, and every file of Rescue/quarantine's
 * manifests, rescue/scan/quarantine.h); the target sits in a user-writable
 * folder and has a random-looking name (cmdline_name_looks_random); the
 * target is missing.  The first three make an entry "flagged"; a missing
 * target alone is only reported (test trees and damaged systems lack many
 * Windows files).
 *
 * Disabling (autoruns_disable): a Run-type value or IFEO Debugger is deleted,
 * a service or driver gets Start=4, a program is taken out of the Winlogon
 * or AppInit_DLLs list (Shell and Userinit fall back to Windows' default
 * when nothing is left), a task or Startup file is set aside into
 * Rescue/backup (safefile_remove), a Vista+ task's TaskCache values are
 * deleted with it.  Every change goes through the hive layer or safefile
 * with item "autoruns", so `rescue undo autoruns` puts all of it back.
 * Ownership: autoruns_list fills a struct autoruns, autoruns_free frees it. */
#ifndef HIVE_AUTORUNS_H
#define HIVE_AUTORUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rescue/base/ctx.h"

#define AUTORUNS_ITEM "autoruns"        /* journal item: `rescue undo autoruns` */

enum autorun_kind {
	AR_RUN,             /* a Run-type registry value */
	AR_WINLOGON,        /* one program of Winlogon Shell / Userinit */
	AR_APPINIT,         /* one DLL of AppInit_DLLs */
	AR_IFEO,            /* an Image File Execution Options Debugger */
	AR_SERVICE,
	AR_DRIVER,
	AR_STARTUP,         /* a file in a Startup folder */
	AR_TASK_JOB,        /* XP scheduled task file */
	AR_TASK_XML,        /* Vista+ scheduled task file (+ its TaskCache entry) */
	AR_TASK_REG,        /* a task only the registry TaskCache holds */
	AR_KIND_N
};
extern const char *const autorun_kind_names[AR_KIND_N];   /* "run", "service"... */

enum autorun_flag {
	AR_F_DETECTED    = 1 << 0,   /* target or entry file is a detected file */
	AR_F_QUARANTINED = 1 << 1,   /* ... a quarantined file */
	AR_F_RANDOM_NAME = 1 << 2,   /* target in a user-writable folder, random-looking name */
	AR_F_MISSING     = 1 << 3,   /* target not on the volume */
	AR_F_WINDOWS     = 1 << 4,   /* target inside the Windows folder (listing may hide those) */
	AR_F_DISABLED    = 1 << 5,   /* already off (service Start=4) */
	AR_F_UNREAD      = 1 << 6,   /* a task file or folder not read: see unread */
};
#define AR_FLAGGED (AR_F_DETECTED | AR_F_QUARANTINED | AR_F_RANDOM_NAME)
/* Names for the flags above, bit by bit ("detected", "quarantined",
 * "random-name", "missing", "windows", "disabled", "not-read"). */
extern const char *const autorun_flag_names[7];

struct autorun {
	char id[9];                 /* 8 hex digits: hash of where it lives, stable across runs */
	enum autorun_kind kind;
	char user[256];             /* profile name for user entries, "" for the machine */
	char location[1024];        /* for people: "HKLM\\SOFTWARE\\...\\Run", "Users/Pat/.../Startup" */
	char name[256];             /* value, service, task or file name */
	char command[2048];         /* as stored (not expanded) */
	char target[1024];          /* volume-relative file it starts (real spelling when it exists),
	                             * or the Windows path when it is not on this volume; "" unknown */
	bool exists;
	unsigned flags;             /* autorun_flag */
	long start;                 /* services and drivers: Start, -1 otherwise */
	/* where to disable it */
	char hive[512];             /* volume-relative hive file, "" for file entries */
	char key[1024];
	char value[256];
	char item[512];             /* AR_WINLOGON / AR_APPINIT: the list element as written */
	char file[1024];            /* AR_STARTUP, AR_TASK_*: volume-relative file */
	char taskcache[1024];       /* AR_TASK_XML/REG: the TaskCache Tree key, "" when none */
	char task_id[64];           /* its Id ("{GUID}") */
	char unread[256];           /* AR_F_UNREAD: why the task file or folder was not read */
};

struct autoruns {
	struct autorun *v;
	size_t n;
	char (*notes)[256];         /* parts that could not be read (a user hive...), for the report */
	size_t nnotes;
};

/* Files to flag: volume-relative paths ('/' or '\\', any case). */
struct autoruns_opts {
	const char *const *detected;
	size_t ndetected;
	const char *const *quarantined;
	size_t nquarantined;
};

/* List every entry.  OPTS may be NULL.  RS_ETARGET when SYSTEM cannot be
 * read; a missing SOFTWARE or unreadable user hive becomes a note. */
int autoruns_list(struct rs_ctx *ctx, const struct autoruns_opts *opts, struct autoruns *out,
		  struct rs_error *err);
void autoruns_free(struct autoruns *a);

/* The entry with ID (any case), NULL when none. */
const struct autorun *autoruns_find(const struct autoruns *a, const char *id);

/* What one disable did. */
struct autoruns_step {
	char id[9];
	enum autorun_kind kind;
	char what[1100];            /* location + name */
	char action[256];           /* "deleted value", "Start 2 -> 4", "set aside Windows/Tasks/x.job" */
	bool ok;
	char error[256];
};
struct autoruns_report {
	struct autoruns_step *steps;
	size_t n;
};
void autoruns_report_free(struct autoruns_report *r);

/* Disable the entries of A named by IDS.  An unknown ID is RS_EUSAGE before
 * anything changes.  RS_OK, or RS_EPARTIAL when some step failed (each step
 * says).  Honors RS_CTX_DRY_RUN (steps say what would be done). */
int autoruns_disable(struct rs_ctx *ctx, const struct autoruns *a, char *const *ids, size_t nids,
		     struct autoruns_report *report, struct rs_error *err);

#endif
