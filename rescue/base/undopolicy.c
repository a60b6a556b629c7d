/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/undopolicy.h"

#include <stdio.h>
#include <string.h>

#include "rescue/base/secfolders.h"
#include "rescue/base/winpath.h"


/* Whether S matches the first components of P (as many as S has): a key
 * above one rescue writes, created on the way to it. */
static bool glob_head(const char *p, const char *s, char sep)
{
	char head[512];
	for (const char *cut = p; cut; cut = strchr(cut + 1, sep)) {
		snprintf(head, sizeof(head), "%.*s", (int)(cut == p ? strlen(p) : (size_t)(cut - p)), p);
		if (winpath_glob(head, s, sep))
			return true;
	}
	return false;
}

#define HIVE_SYS  "*/System32/config/SYSTEM"
#define HIVE_SW   "*/System32/config/SOFTWARE"
#define HIVE_SAM_ "*/System32/config/SAM"
#define HIVE_USER "**/NTUSER.DAT"
#define HIVE_DEF  "*/System32/config/DEFAULT"

#define CV   "Microsoft\\Windows\\CurrentVersion"
#define NTCV "Microsoft\\Windows NT\\CurrentVersion"
#define WOW  "Wow6432Node\\"
#define USR  "Software\\"

struct place { const char *hive, *key, *value; };

/* Where rescue writes registry values (hive/contain.c's settings, the
 * autostart entries hive/autoruns-disable.c disables, hive/accounts.c's SAM
 * records).  A user row holds for NTUSER.DAT and DEFAULT alike. */
static const struct place places[] = {
	{ HIVE_SYS, "ControlSet*\\Services\\*", "Start" },
	{ HIVE_SYS, "ControlSet*\\Services\\Cdrom", "AutoRun" },
	{ HIVE_SYS, "ControlSet*\\Services\\LanmanServer\\Parameters", "AutoShare*" },
	{ HIVE_SW, CV "\\Policies\\Explorer", "No*AutoRun" },
	{ HIVE_SW, CV "\\Policies\\Explorer", "HonorAutorunSetting" },
	{ HIVE_SW, WOW CV "\\Policies\\Explorer", "No*AutoRun" },
	{ HIVE_SW, NTCV "\\IniFileMapping\\Autorun.inf", "" },
	{ HIVE_SW, "Policies\\Microsoft\\Windows NT\\SystemRestore", "Disable*" },
	{ HIVE_SW, NTCV "\\SystemRestore", "DisableSR" },
	{ HIVE_SW, CV "\\Run*", "*" },
	{ HIVE_SW, WOW CV "\\Run*", "*" },
	{ HIVE_SW, CV "\\Policies\\Explorer\\Run", "*" },
	{ HIVE_SW, WOW CV "\\Policies\\Explorer\\Run", "*" },
	{ HIVE_SW, NTCV "\\Winlogon", "Shell" },
	{ HIVE_SW, NTCV "\\Winlogon", "Userinit" },
	{ HIVE_SW, NTCV "\\Windows", "AppInit_DLLs" },
	{ HIVE_SW, WOW NTCV "\\Windows", "AppInit_DLLs" },
	{ HIVE_SW, NTCV "\\Image File Execution Options\\*", "Debugger" },
	{ HIVE_SW, WOW NTCV "\\Image File Execution Options\\*", "Debugger" },
	{ HIVE_SW, NTCV "\\Schedule\\TaskCache\\Tree\\**", "*" },
	{ HIVE_SW, NTCV "\\Schedule\\TaskCache\\Tasks\\*", "*" },
	{ HIVE_USER, USR CV "\\Policies\\Explorer", "No*AutoRun" },
	{ HIVE_USER, USR CV "\\Run*", "*" },
	{ HIVE_USER, USR WOW CV "\\Run*", "*" },
	{ HIVE_USER, USR CV "\\Policies\\Explorer\\Run", "*" },
	{ HIVE_USER, USR NTCV "\\Windows", "Load" },
	{ HIVE_USER, USR NTCV "\\Windows", "Run" },
	{ HIVE_USER, USR NTCV "\\Winlogon", "Shell" },
	{ HIVE_SAM_, "SAM\\Domains\\Account\\Users\\*", "F" },
	{ HIVE_SAM_, "SAM\\Domains\\Account\\Users\\*", "V" },
	{ HIVE_SAM_, "SAM\\Domains\\Builtin\\Aliases\\00000220", "C" },
	{ HIVE_SAM_, "SAM\\Domains\\Builtin\\Aliases\\Members\\*", "" },
	{ HIVE_SAM_, "SAM\\Domains\\Builtin\\Aliases\\Members\\*\\*", "" },
};

/* The files rescue rewrites or sets aside (hive/contain.c's hosts file,
 * hive/autoruns-disable.c's task files and Startup entries, hive/recover.c's hives
 * and logs). */
static const char *const files[] = {
	"*/System32/drivers/etc/hosts",
	"*/System32/Tasks/**",
	"*/Tasks/*.job",
	"**/Start Menu/Programs/Startup/*",
	"*/System32/config/*",
	"**/NTUSER.DAT*",
	"**/UsrClass.dat*",
};

static bool hive_matches(const char *pattern, const char *hive)
{
	if (strcmp(pattern, HIVE_USER) == 0)
		return winpath_glob(HIVE_USER, hive, '/') || winpath_glob(HIVE_DEF, hive, '/');
	return winpath_glob(pattern, hive, '/');
}

/* A volume-relative path undo may hand on: no empty, "." or ".." component
 * (the resolver refuses them too; this says so in the step). */
static bool plain_path(const char *p, char sep)
{
	if (!*p)
		return false;
	for (const char *c = p; c;) {
		const char *end = strchr(c, sep);
		size_t n = end ? (size_t)(end - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c = end ? end + 1 : NULL;
	}
	return true;
}

static bool registry_allowed(const struct journal_entry *e)
{
	if (!plain_path(e->hive, '/') || !plain_path(e->key, '\\'))
		return false;
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		const struct place *p = &places[i];
		if (!hive_matches(p->hive, e->hive))
			continue;
		if (e->kind == JOURNAL_KEY ? glob_head(p->key, e->key, '\\')
					   : winpath_glob(p->key, e->key, '\\') && winpath_glob(p->value, e->value, '\0'))
			return true;
	}
	return false;
}

static bool file_allowed(const struct journal_entry *e)
{
	if (!plain_path(e->path, '/'))
		return false;
	if (e->old_present && !(plain_path(e->backup, '/') && winpath_glob(RS_PATH_RESCUE "/backup/**", e->backup, '/')))
		return false;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (winpath_glob(files[i], e->path, '/'))
			return true;
	return false;
}

/* "<64 hex digits>" or "<64 hex digits>.N": what rs_quarantine names. */
static bool quarantine_id(const char *id)
{
	size_t n = strspn(id, "0123456789abcdef");
	if (n != 64)
		return false;
	return !id[n] || (id[n] == '.' && id[n + 1] && strspn(id + n + 1, "0123456789") == strlen(id + n + 1));
}

bool undo_policy_allows(const struct journal_entry *e, char *why, size_t whylen)
{
	switch (e->kind) {
	case JOURNAL_VALUE:
	case JOURNAL_KEY:
		if (registry_allowed(e))
			return true;
		snprintf(why, whylen, "not a place rescue changes: %s %s%s%s", e->hive, e->key,
			 e->kind == JOURNAL_VALUE ? " value " : " (key)", e->kind == JOURNAL_VALUE ? e->value : "");
		return false;
	case JOURNAL_FILE:
		if (file_allowed(e))
			return true;
		snprintf(why, whylen, "not a file rescue changes, or its backup is not under %s/backup/: %s",
			 RS_PATH_RESCUE, e->path);
		return false;
	case JOURNAL_QUARANTINE:
		if (quarantine_id(e->id) && plain_path(e->path, '/'))
			return true;
		snprintf(why, whylen, "not a quarantine entry rescue writes (id %.80s)", e->id);
		return false;
	case JOURNAL_ACL:
		if (plain_path(e->path, '/') && secfolder_of(e->path))
			return true;
		snprintf(why, whylen, "not in a security product's folder rescue repairs: %s", e->path);
		return false;
	case JOURNAL_UNDONE:
		return true;
	}
	return false;
}
