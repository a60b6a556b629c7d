/* SPDX-License-Identifier: GPL-2.0-or-later */
/* autoruns-priv.h - what the pieces of the autostart listing share (private
 * to hive/): the registry places, the listing's state, and the steps
 * autoruns-list.c (outline, helpers), autoruns-resolve.c (command -> file),
 * autoruns-reg.c (registry entries), autoruns-files.c (Startup folders and
 * tasks) and autoruns-disable.c call across files. */
#ifndef HIVE_AUTORUNS_PRIV_H
#define HIVE_AUTORUNS_PRIV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "hive/autoruns.h"
#include "hive/cmdline.h"
#include "hive/hive.h"
#include "hive/profiles.h"

/* Where autostart entries live: registry keys, folders under the Windows
 * folder and under a profile. */
#define KEY_CV       "Microsoft\\Windows\\CurrentVersion"
#define KEY_NTCV     "Microsoft\\Windows NT\\CurrentVersion"
#define KEY_WINLOGON KEY_NTCV "\\Winlogon"
#define KEY_IFEO     KEY_NTCV "\\Image File Execution Options"
#define KEY_TREE     KEY_NTCV "\\Schedule\\TaskCache\\Tree"
#define KEY_TASKS    KEY_NTCV "\\Schedule\\TaskCache\\Tasks"
#define KEY_SERVICES "CCS\\Services"
#define DIR_TASKS_XP "Tasks"                    /* under the Windows folder */
#define DIR_TASKS    "System32/Tasks"
#define STARTUP_VISTA "AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup"
#define STARTUP_XP    "Start Menu/Programs/Startup"
#define NOTES_MAX     64                         /* notes kept for the report */

/* Separators: Winlogon lists use commas, AppInit_DLLs blanks or commas. */
#define SEP_WINLOGON ","
#define SEP_APPINIT  " ,"

/* One listing in progress (autoruns_list). */
struct collect {
	struct rs_ctx *ctx;
	const struct autoruns_opts *opts;
	struct autoruns *out;
	size_t cap;                     /* entries out->v has room for (ar_add grows it by half) */
	struct winenv machine;          /* machine entries: LocalSystem's profile */
	char sysroot[256];              /* volume-relative Windows folder ("Windows", "WINDOWS") */
	char drive;                     /* the system drive letter, upper case */
	bool xp;
	int rc;                         /* RS_EPARTIAL after out of memory */
	const char **qpaths;            /* files in Rescue/quarantine (their original paths) */
	size_t nq;
	size_t more_notes;              /* notes past NOTES_MAX */
};

/* autoruns-list.c: notes, new entries, registry reading shared by the steps. */
void ar_note(struct collect *c, const char *fmt, const char *arg);
struct autorun *ar_add(struct collect *c, enum autorun_kind kind);
void ar_slashes(char *s, char from, char to);
typedef void (*ar_value_fn)(struct collect *c, struct hive *h, const char *key, const char *name,
			    const char *data, void *ud);
void ar_each_value(struct collect *c, struct hive *h, const char *keypath, ar_value_fn fn, void *ud);
char **ar_names_of(struct hive *h, const char *keypath, bool values);
char **ar_subkeys(struct hive *h, const char *keypath);
void ar_free_names(char **names);
void ar_split_list(const char *s, const char *seps, void (*fn)(const char *item, void *ud), void *ud);

/* autoruns-resolve.c: the environment, and what a command starts. */
int ar_to_volume(const struct collect *c, const char *win, char *rel, size_t len);
void ar_set_target(struct collect *c, struct autorun *a, const char *win);
void ar_analyse(struct collect *c, struct autorun *a, const struct winenv *env);
void ar_machine_env(struct collect *c, struct hive *sys, struct hive *sw);
void ar_user_env(struct collect *c, struct hive *nt, const struct profile *p, struct winenv *env);

/* autoruns-reg.c: entries in the registry. */
void ar_add_value_entry(struct collect *c, struct hive *h, const char *hivename, const char *user,
			const char *key, const char *name, const char *cmd, const struct winenv *env);
void ar_collect_run(struct collect *c, struct hive *h, const char *hivename, const char *user,
		    const char *prefix, const struct winenv *env);
void ar_collect_list(struct collect *c, struct hive *h, enum autorun_kind kind, const char *hivename,
		     const char *user, const char *key, const char *value, const struct winenv *env);
void ar_collect_ifeo(struct collect *c, struct hive *sw, const char *prefix);
void ar_collect_services(struct collect *c, struct hive *sys);

/* autoruns-files.c: entries in files. */
void ar_collect_startup_dir(struct collect *c, const char *dirrel, const char *user, const struct winenv *env,
			    char seen[][PATH_MAX], size_t *nseen);
void ar_note_unread_dir(struct collect *c, const char *rel);
void ar_collect_jobs(struct collect *c);
void ar_collect_xml_dir(struct collect *c, struct hive *sw, const char *dir, const char *taskpath, int depth);
void ar_collect_taskcache(struct collect *c, struct hive *sw, const char *key, const char *taskpath, int depth);

#endif
