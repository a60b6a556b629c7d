/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hive/autoruns.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "hive/cmdline.h"
#include "hive/hive.h"
#include "hive/profiles.h"
#include "hive/taskfile.h"
#include "rescue/base/confine.h"
#include "rescue/base/fileutil.h"
#include "rescue/scan/quarantine.h"
#include "rescue/base/safefile.h"
#include "rescue/base/utf16.h"
#include "rescue/base/winpath.h"

const char *const autorun_kind_names[AR_KIND_N] = {
	[AR_RUN] = "run", [AR_WINLOGON] = "winlogon", [AR_APPINIT] = "appinit", [AR_IFEO] = "ifeo",
	[AR_SERVICE] = "service", [AR_DRIVER] = "driver", [AR_STARTUP] = "startup",
	[AR_TASK_JOB] = "task", [AR_TASK_XML] = "task", [AR_TASK_REG] = "task",
};

const char *const autorun_flag_names[7] = {
	"detected", "quarantined", "random-name", "missing", "windows", "disabled", "not-read",
};

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
#define JOB_MAX       ((size_t)1 << 20)          /* .job and link files are small */
/* Task XML is a few KiB; a larger one is read up to this (expat reads 8 MiB
 * in milliseconds), beyond it is named as not read. */
#define TASK_XML_MAX  ((size_t)8 << 20)
/* Windows' own task folders nest 3 deep; a deeper folder is named, not walked. */
#define TREE_DEPTH    64
#define NOTES_MAX     64

/* Run-type keys: every value is a command.  Relative to SOFTWARE for the
 * machine and to Software\ in a user hive. */
static const char *const run_keys[] = {
	KEY_CV "\\Run",
	KEY_CV "\\RunOnce",
	KEY_CV "\\RunServices",
	KEY_CV "\\RunServicesOnce",
	KEY_CV "\\Policies\\Explorer\\Run",
	"Wow6432Node\\" KEY_CV "\\Run",
	"Wow6432Node\\" KEY_CV "\\RunOnce",
	"Wow6432Node\\" KEY_CV "\\Policies\\Explorer\\Run",
};

/* Folders a user (or a worm running as one) can write without elevation,
 * volume-relative; the Windows folder's Temp is added at run time. */
static const char *const user_writable[] = {
	"Users/", "Documents and Settings/", "ProgramData/", "$Recycle.Bin/", "RECYCLER/",
};

struct collect {
	struct rs_ctx *ctx;
	const struct autoruns_opts *opts;
	struct autoruns *out;
	struct winenv machine;          /* machine entries: LocalSystem's profile */
	char sysroot[256];              /* volume-relative Windows folder ("Windows", "WINDOWS") */
	char drive;                     /* the system drive letter, upper case */
	bool xp;
	int rc;                         /* RS_EPARTIAL after out of memory */
	const char **qpaths;            /* files in Rescue/quarantine (their original paths) */
	size_t nq;
	size_t more_notes;              /* notes past NOTES_MAX */
};

void autoruns_free(struct autoruns *a)
{
	free(a->v);
	free(a->notes);
	memset(a, 0, sizeof(*a));
}

void autoruns_report_free(struct autoruns_report *r)
{
	free(r->steps);
	r->steps = NULL;
	r->n = 0;
}

/* A note for the report; past NOTES_MAX the last one says how many more. */
static void note(struct collect *c, const char *fmt, const char *arg)
{
	struct autoruns *o = c->out;
	if (!o->notes && !(o->notes = calloc(NOTES_MAX, sizeof(*o->notes)))) {
		c->rc = RS_EPARTIAL;
		return;
	}
	if (o->nnotes < NOTES_MAX - 1) {
		snprintf(o->notes[o->nnotes++], sizeof(o->notes[0]), fmt, arg);
	} else {
		c->more_notes++;
		snprintf(o->notes[NOTES_MAX - 1], sizeof(o->notes[0]), "%zu more notes not kept", c->more_notes);
		o->nnotes = NOTES_MAX;
	}
}

static struct autorun *add(struct collect *c, enum autorun_kind kind)
{
	struct autorun *v = realloc(c->out->v, (c->out->n + 1) * sizeof(*v));
	if (!v) {
		c->rc = RS_EPARTIAL;
		return NULL;
	}
	c->out->v = v;
	struct autorun *a = &v[c->out->n++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->start = -1;
	return a;
}

static void slashes(char *s, char from, char to)
{
	for (; *s; s++)
		if (*s == from)
			*s = to;
}

/* ---- Windows paths on the volume ---- */

/* The volume-relative form of the Windows path WIN into REL ('/'): 0, or -1
 * when WIN is on another drive or a network share, or is a bare name. */
static int to_volume(const struct collect *c, const char *win, char *rel, size_t len)
{
	char buf[2048];
	while (*win == ' ' || *win == '"')
		win++;
	snprintf(buf, sizeof(buf), "%s", win);
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '"'))
		buf[--n] = '\0';
	slashes(buf, '/', '\\');
	const char *p = buf;
	if (strncmp(p, "\\??\\", 4) == 0 || strncmp(p, "\\\\?\\", 4) == 0)
		p += 4;
	const char *rest;
	char prefix[260] = "";
	if (strncasecmp(p, "\\SystemRoot\\", 12) == 0) {
		snprintf(prefix, sizeof(prefix), "%s/", c->sysroot);
		rest = p + 12;
	} else if (((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':') {
		if ((p[0] & ~0x20) != c->drive)
			return -1;
		rest = p + 2;
	} else if (p[0] == '\\' && p[1] == '\\') {
		return -1;
	} else if (p[0] == '\\') {
		rest = p;
	} else if (strchr(p, '\\')) {
		/* "System32\drivers\x.sys": the service loader's relative form */
		snprintf(prefix, sizeof(prefix), "%s/", c->sysroot);
		rest = p;
	} else {
		return -1;
	}
	while (*rest == '\\')
		rest++;
	if (!*rest)
		return -1;
	if ((size_t)snprintf(rel, len, "%s%s", prefix, rest) >= len)
		return -1;
	/* "SystemCore\\\\mcshield.exe" (a real ImagePath): one separator */
	char *o = rel;
	for (const char *p2 = rel; *p2; p2++) {
		char ch = *p2 == '\\' ? '/' : *p2;
		if (ch == '/' && o > rel && o[-1] == '/')
			continue;
		*o++ = ch;
	}
	*o = '\0';
	return 0;
}

static bool has_ext(const char *name)
{
	const char *dot = strrchr(cmdline_basename(name), '.');
	return dot && dot[1];
}

/* Resolve REL on the volume, also as REL.exe when it has no extension (as
 * CreateProcess tries); the volume-relative real spelling into OUT. */
static bool resolve_rel(const struct collect *c, const char *rel, char *out, size_t len)
{
	char real[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	if (winpath_resolve(c->ctx->root, rel, real, sizeof(real)) == 0 && confine_lstat(real, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		snprintf(out, len, "%s", winpath_relative(c->ctx->root, real));
		return true;
	}
	if (has_ext(rel))
		return false;
	snprintf(tmp, sizeof(tmp), "%s.exe", rel);
	if (winpath_resolve(c->ctx->root, tmp, real, sizeof(real)) == 0 && confine_lstat(real, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		snprintf(out, len, "%s", winpath_relative(c->ctx->root, real));
		return true;
	}
	return false;
}

/* Find the file the Windows path WIN names.  True when it exists (OUT: real
 * spelling).  False: OUT holds the volume-relative guess, or WIN itself
 * when it is not on this volume (*ON_VOLUME false). */
static bool lookup(const struct collect *c, const char *win, char *out, size_t len, bool *on_volume)
{
	char rel[PATH_MAX];
	bool dummy;
	if (!on_volume)
		on_volume = &dummy;
	*on_volume = true;
	if (to_volume(c, win, rel, sizeof(rel)) == 0) {
		if (resolve_rel(c, rel, out, len))
			return true;
		snprintf(out, len, "%s", rel);
		return false;
	}
	/* A bare name: the search path of a program started at logon. */
	if (!strchr(win, '\\') && !strchr(win, '/') && !strchr(win, ':') && win[0]) {
		static const char *const dirs[] = { "%s/System32/%s", "%s/%s", "%s/SysWOW64/%s" };
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			snprintf(rel, sizeof(rel), dirs[i], c->sysroot, win);
			if (resolve_rel(c, rel, out, len))
				return true;
		}
		snprintf(out, len, "%s/System32/%s", c->sysroot, win);
		return false;
	}
	*on_volume = false;
	snprintf(out, len, "%s", win);
	return false;
}

static bool exists_cb(const char *prog, void *ud)
{
	char out[PATH_MAX];
	return lookup(ud, prog, out, sizeof(out), NULL);
}

/* Set A's target from the Windows path WIN (already expanded). */
static void set_target(struct collect *c, struct autorun *a, const char *win)
{
	bool on_volume;
	a->exists = lookup(c, win, a->target, sizeof(a->target), &on_volume);
	if (!a->exists && on_volume)
		a->flags |= AR_F_MISSING;
}

/* Work out what A's command starts, with the environment ENV. */
static void analyse(struct collect *c, struct autorun *a, const struct winenv *env)
{
	char exp[4096], prog[2048], hosted[2048];
	const char *args;
	winenv_expand(env, a->command, exp, sizeof(exp));
	if (cmdline_split(exp, exists_cb, c, prog, sizeof(prog), &args) != 0)
		return;
	if (cmdline_hosted_file(prog, args, hosted, sizeof(hosted)))
		set_target(c, a, hosted);
	else
		set_target(c, a, prog);
}

/* ---- environment ---- */

/* Call FN for every string value of KEYPATH. */
typedef void (*value_fn)(struct collect *c, struct hive *h, const char *key, const char *name,
			 const char *data, void *ud);
static void each_value(struct collect *c, struct hive *h, const char *keypath, value_fn fn, void *ud)
{
	hive_node_h node = hive_lookup(h, keypath);
	if (!node)
		return;
	hive_h *hx = hive_handle(h);
	hive_value_h *vals = hivex_node_values(hx, node);
	for (size_t i = 0; vals && vals[i] && c->rc == RS_OK; i++) {
		hive_type t;
		size_t len;
		if (hivex_value_type(hx, vals[i], &t, &len) != 0 || (t != hive_t_REG_SZ && t != hive_t_REG_EXPAND_SZ))
			continue;
		char *name = hivex_value_key(hx, vals[i]);
		char *data = hivex_value_string(hx, vals[i]);
		if (name && data && data[0])
			fn(c, h, keypath, name, data, ud);
		free(name);
		free(data);
	}
	free(vals);
}

static void on_env_value(struct collect *c, struct hive *h, const char *key, const char *name,
			 const char *data, void *ud)
{
	(void)c, (void)h, (void)key;
	if (name[0] && strcasecmp(name, "Path") != 0)
		winenv_set(ud, name, data);
}

/* Every string value of KEYPATH into ENV. */
static void env_from_key(struct collect *c, struct hive *h, const char *keypath, struct winenv *env)
{
	each_value(c, h, keypath, on_env_value, env);
}

static void env_from_value(struct hive *h, const char *key, const char *name, struct winenv *env,
			   const char *var, const char *def)
{
	char *s = h ? hive_get_string(h, key, name) : NULL;
	if (s && s[0])
		winenv_set(env, var, s);
	else if (def)
		winenv_default(env, var, def);
	free(s);
}

/* A profile's own variables, the profile folder given as a Windows path. */
static void env_profile(const struct collect *c, struct winenv *env, const char *profile)
{
	winenv_set(env, "USERPROFILE", profile);
	if (c->xp) {
		winenv_set(env, "APPDATA", "%USERPROFILE%\\Application Data");
		winenv_set(env, "LOCALAPPDATA", "%USERPROFILE%\\Local Settings\\Application Data");
		winenv_set(env, "TEMP", "%USERPROFILE%\\Local Settings\\Temp");
	} else {
		winenv_set(env, "APPDATA", "%USERPROFILE%\\AppData\\Roaming");
		winenv_set(env, "LOCALAPPDATA", "%USERPROFILE%\\AppData\\Local");
		winenv_set(env, "TEMP", "%LOCALAPPDATA%\\Temp");
	}
	winenv_set(env, "TMP", "%TEMP%");
}

static void machine_env(struct collect *c, struct hive *sys, struct hive *sw)
{
	struct winenv *e = &c->machine;
	char *root = sw ? hive_get_string(sw, KEY_NTCV, "SystemRoot") : NULL;
	char drive[3] = { 'C', ':', 0 };
	if (root && root[0] && root[1] == ':')
		drive[0] = (char)(root[0] & ~0x20);
	c->drive = drive[0];
	winenv_set(e, "SystemDrive", drive);
	winenv_set(e, "SystemRoot", root && root[0] ? root : (c->xp ? "%SystemDrive%\\WINDOWS" : "%SystemDrive%\\Windows"));
	free(root);
	winenv_set(e, "windir", "%SystemRoot%");
	/* Session Manager\Environment: TEMP, TMP, ComSpec, windir... */
	env_from_key(c, sys, "CCS\\Control\\Session Manager\\Environment", e);
	winenv_default(e, "TEMP", "%SystemRoot%\\TEMP");
	winenv_default(e, "TMP", "%SystemRoot%\\TEMP");
	winenv_default(e, "ComSpec", "%SystemRoot%\\system32\\cmd.exe");
	env_from_value(sw, KEY_CV, "ProgramFilesDir", e, "ProgramFiles", "%SystemDrive%\\Program Files");
	env_from_value(sw, KEY_CV, "CommonFilesDir", e, "CommonProgramFiles", "%ProgramFiles%\\Common Files");
	env_from_value(sw, "Wow6432Node\\" KEY_CV, "ProgramFilesDir", e, "ProgramFiles(x86)", NULL);
	env_from_value(sw, "Wow6432Node\\" KEY_CV, "CommonFilesDir", e, "CommonProgramFiles(x86)", NULL);
	const char *pl = KEY_NTCV "\\ProfileList";
	if (c->xp) {
		env_from_value(sw, pl, "ProfilesDirectory", e, "ProfilesDirectory", "%SystemDrive%\\Documents and Settings");
		env_from_value(sw, pl, "AllUsersProfile", e, "ALLUSERSPROFILE", "%ProfilesDirectory%\\All Users");
	} else {
		env_from_value(sw, pl, "ProfilesDirectory", e, "ProfilesDirectory", "%SystemDrive%\\Users");
		env_from_value(sw, pl, "ProgramData", e, "ProgramData", "%SystemDrive%\\ProgramData");
		env_from_value(sw, pl, "Public", e, "PUBLIC", "%ProfilesDirectory%\\Public");
		winenv_default(e, "ALLUSERSPROFILE", "%ProgramData%");
	}
	winenv_default(e, "ProgramData", "%ALLUSERSPROFILE%\\Application Data");
	/* Machine entries run as LocalSystem (services) or at every logon:
	 * the system profile stands in for "the user". */
	struct winenv user = *e;
	env_profile(c, &user, "%SystemRoot%\\System32\\config\\systemprofile");
	winenv_set(e, "USERPROFILE", winenv_get(&user, "USERPROFILE"));
	winenv_set(e, "APPDATA", winenv_get(&user, "APPDATA"));
	winenv_set(e, "LOCALAPPDATA", winenv_get(&user, "LOCALAPPDATA"));
}

/* The environment of the user whose profile folder is DIR (volume-relative). */
static void user_env(struct collect *c, struct hive *nt, const struct profile *p, struct winenv *env)
{
	*env = c->machine;
	char win[PATH_MAX + 4];
	snprintf(win, sizeof(win), "%c:\\%s", c->drive, p->dir);
	slashes(win, '/', '\\');
	env_profile(c, env, win);
	winenv_set(env, "USERNAME", p->name);
	winenv_set(env, "HOMEDRIVE", "%SystemDrive%");
	winenv_set(env, "HOMEPATH", win + 2);
	if (nt)
		env_from_key(c, nt, "Environment", env);
}

/* ---- registry entries ---- */

static void where(char *out, size_t len, const char *hivename, const char *user, const char *key)
{
	if (user)
		snprintf(out, len, "HKU\\%s\\%s", user, key);
	else
		snprintf(out, len, "HKLM\\%s\\%s", hivename, key);
}

/* One Run-type value. */
static void add_value_entry(struct collect *c, struct hive *h, const char *hivename, const char *user,
			    const char *key, const char *name, const char *cmd, const struct winenv *env)
{
	struct autorun *a = add(c, AR_RUN);
	if (!a)
		return;
	snprintf(a->user, sizeof(a->user), "%s", user ? user : "");
	where(a->location, sizeof(a->location), hivename, user, key);
	snprintf(a->name, sizeof(a->name), "%s", name[0] ? name : "(default)");
	snprintf(a->command, sizeof(a->command), "%s", cmd);
	snprintf(a->hive, sizeof(a->hive), "%s", hive_rel(h));
	snprintf(a->key, sizeof(a->key), "%s", key);
	snprintf(a->value, sizeof(a->value), "%s", name);
	analyse(c, a, env);
}

/* Names of the subkeys (VALUES false) or values (true) of KEYPATH: a
 * malloc'd NULL-ended array of malloc'd strings (free_names); NULL when the
 * key is missing or unreadable. */
static char **names_of(struct hive *h, const char *keypath, bool values)
{
	hive_node_h node = hive_lookup(h, keypath);
	if (!node)
		return NULL;
	hive_h *hx = hive_handle(h);
	/* node and value handles are both size_t offsets */
	size_t *items = values ? hivex_node_values(hx, node) : hivex_node_children(hx, node);
	if (!items)
		return NULL;
	size_t n = 0;
	while (items[n])
		n++;
	char **names = calloc(n + 1, sizeof(*names));
	for (size_t i = 0, k = 0; names && i < n; i++) {
		char *s = values ? hivex_value_key(hx, items[i]) : hivex_node_name(hx, items[i]);
		if (s)
			names[k++] = s;
	}
	free(items);
	return names;
}

static char **subkeys(struct hive *h, const char *keypath)
{
	return names_of(h, keypath, false);
}

static void free_names(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

struct run_ctx {
	const char *hivename, *user;
	const struct winenv *env;
};

static void on_run_value(struct collect *c, struct hive *h, const char *key, const char *name,
			 const char *data, void *ud)
{
	const struct run_ctx *r = ud;
	add_value_entry(c, h, r->hivename, r->user, key, name, data, r->env);
}

/* The Run-type keys of a hive: PREFIX "" (SOFTWARE) or "Software\\" (user). */
static void collect_run(struct collect *c, struct hive *h, const char *hivename, const char *user,
			const char *prefix, const struct winenv *env)
{
	struct run_ctx r = { hivename, user, env };
	for (size_t i = 0; i < sizeof(run_keys) / sizeof(run_keys[0]); i++) {
		char key[512];
		snprintf(key, sizeof(key), "%s%s", prefix, run_keys[i]);
		each_value(c, h, key, on_run_value, &r);
	}
}

/* Split a list value (Userinit "a.exe,b.exe", AppInit_DLLs "a.dll b.dll")
 * into its items; calls FN for each non-empty, trimmed item. */
static void split_list(const char *s, const char *seps, void (*fn)(const char *item, void *ud), void *ud)
{
	char item[1024];
	while (*s) {
		size_t n = strcspn(s, seps);
		const char *b = s, *e = s + n;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > b && (size_t)(e - b) < sizeof(item)) {
			memcpy(item, b, (size_t)(e - b));
			item[e - b] = '\0';
			fn(item, ud);
		}
		s += n;
		if (*s)
			s++;
	}
}

struct list_ctx {
	struct collect *c;
	struct hive *h;
	enum autorun_kind kind;
	const char *hivename, *user, *key, *value, *data;
	const struct winenv *env;
};

static void on_list_item(const char *item, void *ud)
{
	struct list_ctx *l = ud;
	struct autorun *a = add(l->c, l->kind);
	if (!a)
		return;
	snprintf(a->user, sizeof(a->user), "%s", l->user ? l->user : "");
	where(a->location, sizeof(a->location), l->hivename, l->user, l->key);
	snprintf(a->name, sizeof(a->name), "%s", l->value);
	snprintf(a->command, sizeof(a->command), "%s", item);
	snprintf(a->hive, sizeof(a->hive), "%s", hive_rel(l->h));
	snprintf(a->key, sizeof(a->key), "%s", l->key);
	snprintf(a->value, sizeof(a->value), "%s", l->value);
	snprintf(a->item, sizeof(a->item), "%s", item);
	analyse(l->c, a, l->env);
}

/* Separators: Winlogon lists use commas, AppInit_DLLs blanks or commas. */
#define SEP_WINLOGON ","
#define SEP_APPINIT  " ,"

static void collect_list(struct collect *c, struct hive *h, enum autorun_kind kind, const char *hivename,
			 const char *user, const char *key, const char *value, const struct winenv *env)
{
	char *s = hive_get_string(h, key, value);
	if (!s)
		return;
	struct list_ctx l = { c, h, kind, hivename, user, key, value, s, env };
	split_list(s, kind == AR_APPINIT ? SEP_APPINIT : SEP_WINLOGON, on_list_item, &l);
	free(s);
}

static void collect_ifeo(struct collect *c, struct hive *sw, const char *prefix)
{
	char base[256];
	snprintf(base, sizeof(base), "%s%s", prefix, KEY_IFEO);
	char **names = subkeys(sw, base);
	for (size_t i = 0; names && names[i]; i++) {
		char key[1024];
		snprintf(key, sizeof(key), "%s\\%s", base, names[i]);
		char *dbg = hive_get_string(sw, key, "Debugger");
		if (dbg && dbg[0]) {
			struct autorun *a = add(c, AR_IFEO);
			if (a) {
				snprintf(a->location, sizeof(a->location), "HKLM\\SOFTWARE\\%s", key);
				snprintf(a->name, sizeof(a->name), "%s", names[i]);
				snprintf(a->command, sizeof(a->command), "%s", dbg);
				snprintf(a->hive, sizeof(a->hive), "%s", hive_rel(sw));
				snprintf(a->key, sizeof(a->key), "%s", key);
				snprintf(a->value, sizeof(a->value), "Debugger");
				analyse(c, a, &c->machine);
			}
		}
		free(dbg);
	}
	free_names(names);
}

/* Service types (winnt.h): 0x1 kernel driver, 0x2 file system driver, 0x4
 * adapter, 0x8 recognizer driver; 0x10 own process, 0x20 shared process. */
#define SERVICE_DRIVER_MASK 0x0f
#define SERVICE_WIN32_MASK  0x30

static void collect_services(struct collect *c, struct hive *sys)
{
	char **names = subkeys(sys, KEY_SERVICES);
	for (size_t i = 0; names && names[i] && c->rc == RS_OK; i++) {
		char key[1024];
		snprintf(key, sizeof(key), KEY_SERVICES "\\%s", names[i]);
		uint32_t type, start;
		if (hive_get_dword(sys, key, "Type", &type) != 0 || !(type & (SERVICE_DRIVER_MASK | SERVICE_WIN32_MASK)))
			continue;
		bool driver = type & SERVICE_DRIVER_MASK;
		char *image = hive_get_string(sys, key, "ImagePath");
		char params[1100];
		snprintf(params, sizeof(params), "%s\\Parameters", key);
		char *dll = hive_get_string(sys, params, "ServiceDll");
		if (!dll)
			dll = hive_get_string(sys, key, "ServiceDll");
		if (!image && !driver) {
			free(dll);
			continue;
		}
		struct autorun *a = add(c, driver ? AR_DRIVER : AR_SERVICE);
		if (a) {
			char expanded[1100];
			hive_expand_path(sys, key, expanded, sizeof(expanded), NULL);
			snprintf(a->location, sizeof(a->location), "HKLM\\SYSTEM\\%s", expanded);
			snprintf(a->name, sizeof(a->name), "%s", names[i]);
			if (image)
				snprintf(a->command, sizeof(a->command), "%s", image);
			else /* a driver without ImagePath loads System32\drivers\<name>.sys */
				snprintf(a->command, sizeof(a->command), "System32\\drivers\\%s.sys", names[i]);
			snprintf(a->hive, sizeof(a->hive), "%s", hive_rel(sys));
			snprintf(a->key, sizeof(a->key), "%s", expanded);
			snprintf(a->value, sizeof(a->value), "Start");
			if (hive_get_dword(sys, key, "Start", &start) == 0) {
				a->start = start;
				if (start == 4)
					a->flags |= AR_F_DISABLED;
			}
			if (dll && dll[0]) {
				/* svchost.exe -k group: the DLL is what runs */
				char exp[2048];
				winenv_expand(&c->machine, dll, exp, sizeof(exp));
				set_target(c, a, exp);
			} else {
				analyse(c, a, &c->machine);
			}
		}
		free(image);
		free(dll);
	}
	free_names(names);
}

/* ---- files: Startup folders and tasks ---- */

/* Why a task folder entry is no file to read (lstat's ST), "" when it is
 * one: a link is never followed, a FIFO never opened. */
static const char *not_a_file(const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return "a link (not followed)";
	if (S_ISREG(st->st_mode))
		return "";
	if (S_ISFIFO(st->st_mode))
		return "not a regular file (a FIFO)";
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return "not a regular file (a device)";
	if (S_ISSOCK(st->st_mode))
		return "not a regular file (a socket)";
	return "not a regular file";
}

/* The words for file_read_all's failure ERRNUM (MAX: its size limit). */
static void read_failure(int errnum, size_t max, char *why, size_t len)
{
	if (errnum == EFBIG)
		snprintf(why, len, "too large (over %zu MiB)", max >> 20);
	else if (errnum == ELOOP)
		snprintf(why, len, "a link (not followed)");
	else if (errnum == EINVAL)
		snprintf(why, len, "not a regular file");
	else
		snprintf(why, len, "cannot read: %s", confine_strerror(errnum));
}

/* Read the task file at PATH (as listed, the real spelling; ST: its lstat)
 * into *BUF: 0, or -1 with the reason in WHY.  *REGULAR: a regular file,
 * one that may be set aside when the entry is disabled. */
static int read_task_file(const char *path, const struct stat *st, size_t max,
			  uint8_t **buf, size_t *len, char *why, size_t wlen, bool *regular)
{
	*regular = false;
	const char *not_file = not_a_file(st);
	if (not_file[0]) {
		snprintf(why, wlen, "%s", not_file);
		return -1;
	}
	*regular = true;
	if (file_read_all(path, max, buf, len) != 0) {
		read_failure(errno, max, why, wlen);
		return -1;
	}
	return 0;
}

/* A task file or folder listed as not read: KIND's entry named NAME under
 * volume-relative DIR; FILE is the file to set aside when disabled ("" for
 * a folder, a link or a FIFO: nothing rescue may touch). */
static struct autorun *add_unread(struct collect *c, enum autorun_kind kind, const char *dir, const char *name,
				  const char *file, const char *why)
{
	struct autorun *a = add(c, kind);
	if (!a)
		return NULL;
	snprintf(a->location, sizeof(a->location), "%s", dir);
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->file, sizeof(a->file), "%s", file);
	snprintf(a->command, sizeof(a->command), "(not read: %s)", why);
	snprintf(a->unread, sizeof(a->unread), "%s", why);
	a->flags |= AR_F_UNREAD;
	return a;
}

/* The Windows path of volume-relative REL ("C:\\Users\\x\\...") into OUT. */
static void windows_path(const struct collect *c, const char *rel, char *out, size_t len)
{
	snprintf(out, len, "%c:\\%s", c->drive, rel);
	slashes(out, '/', '\\');
}

static void collect_startup_dir(struct collect *c, const char *dirrel, const char *user, const struct winenv *env,
				char seen[][PATH_MAX], size_t *nseen)
{
	char dir[PATH_MAX];
	/* No link is followed on the way ("Documents and Settings", a junction
	 * to Users on Vista and later, is not a way in): DIR is the folder's
	 * one real path, and the same folder twice is one set of entries. */
	if (winpath_resolve(c->ctx->root, dirrel, dir, sizeof(dir)) != 0)
		return;
	for (size_t i = 0; i < *nseen; i++)
		if (strcmp(seen[i], dir) == 0)
			return;
	if (*nseen < 64)
		snprintf(seen[(*nseen)++], PATH_MAX, "%s", dir);
	DIR *d = confine_opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && c->rc == RS_OK) {
		char path[PATH_MAX];
		struct stat st;
		if (e->d_name[0] == '.' || strcasecmp(e->d_name, "desktop.ini") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path) ||
		    confine_lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		struct autorun *a = add(c, AR_STARTUP);
		if (!a)
			break;
		const char *rel = winpath_relative(c->ctx->root, path);
		snprintf(a->user, sizeof(a->user), "%s", user ? user : "");
		snprintf(a->location, sizeof(a->location), "%s", winpath_relative(c->ctx->root, dir));
		snprintf(a->name, sizeof(a->name), "%s", e->d_name);
		snprintf(a->file, sizeof(a->file), "%s", rel);
		size_t nl = strlen(e->d_name);
		uint8_t *buf;
		size_t len;
		char *target = NULL, *args = NULL;
		if (nl > 4 && strcasecmp(e->d_name + nl - 4, ".lnk") == 0 && file_read_all(path, JOB_MAX, &buf, &len) == 0) {
			if (lnk_parse(buf, len, &target, &args) == 0) {
				snprintf(a->command, sizeof(a->command), "\"%s\"%s%s", target, args[0] ? " " : "", args);
				analyse(c, a, env);
			}
			free(buf);
		}
		if (!target) {
			/* the file itself is what Explorer opens at logon */
			windows_path(c, rel, a->command, sizeof(a->command));
			snprintf(a->target, sizeof(a->target), "%s", rel);
			a->exists = true;
		}
		free(target);
		free(args);
	}
	closedir(d);
}

/* A task folder REL that did not resolve: noted unless it is just missing
 * (a link in its place hides every task in it). */
static void note_unread_dir(struct collect *c, const char *rel)
{
	if (errno == ENOENT)
		return;
	struct rs_error sub;
	rs_fail_errno(&sub, RS_EPARTIAL, errno, "%s not read", rel);
	note(c, "%s", sub.msg);
}

static void collect_jobs(struct collect *c)
{
	char rel[PATH_MAX], dir[PATH_MAX];
	snprintf(rel, sizeof(rel), "%s/%s", c->sysroot, DIR_TASKS_XP);
	if (winpath_resolve(c->ctx->root, rel, dir, sizeof(dir)) != 0) {
		note_unread_dir(c, rel);
		return;
	}
	DIR *d = confine_opendir(dir);
	if (!d)
		return;
	const char *drel = winpath_relative(c->ctx->root, dir);
	struct dirent *e;
	while ((e = readdir(d)) != NULL && c->rc == RS_OK) {
		size_t nl = strlen(e->d_name);
		if (nl <= 4 || strcasecmp(e->d_name + nl - 4, ".job") != 0)
			continue;
		char frel[PATH_MAX], path[PATH_MAX], name[256], why[200] = "";
		snprintf(name, sizeof(name), "%.*s", (int)(nl - 4), e->d_name);
		snprintf(frel, sizeof(frel), "%s/%s", drel, e->d_name);
		struct stat st;
		uint8_t *buf = NULL;
		size_t len = 0;
		bool regular = false;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
			snprintf(why, sizeof(why), "path too long");
		else if (confine_lstat(path, &st) != 0)
			snprintf(why, sizeof(why), "cannot read: %s", confine_strerror(errno));
		else
			read_task_file(path, &st, JOB_MAX, &buf, &len, why, sizeof(why), &regular);
		char *app = NULL, *params = NULL;
		if (buf && taskjob_parse(buf, len, &app, &params) != 0)
			snprintf(why, sizeof(why), "not a .job file this can read");
		free(buf);
		if (why[0]) {
			add_unread(c, AR_TASK_JOB, drel, name, regular ? frel : "", why);
			continue;
		}
		struct autorun *a = add(c, AR_TASK_JOB);
		if (a) {
			snprintf(a->location, sizeof(a->location), "%s", drel);
			snprintf(a->name, sizeof(a->name), "%s", name);
			snprintf(a->file, sizeof(a->file), "%s", frel);
			snprintf(a->command, sizeof(a->command), "%s%s%s%s%s", strchr(app, ' ') ? "\"" : "", app,
				 strchr(app, ' ') ? "\"" : "", params[0] ? " " : "", params);
			analyse(c, a, &c->machine);
		}
		free(app);
		free(params);
	}
	closedir(d);
}

/* TaskCache Tree key and Id of the task at PATH ("\\Folder\\Name"). */
static void taskcache_of(struct hive *sw, const char *path, struct autorun *a)
{
	if (!sw)
		return;
	char key[1200];
	snprintf(key, sizeof(key), "%s%s", KEY_TREE, path);
	if (!hive_lookup(sw, key))
		return;
	snprintf(a->taskcache, sizeof(a->taskcache), "%s", key);
	char *id = hive_get_string(sw, key, "Id");
	if (id)
		snprintf(a->task_id, sizeof(a->task_id), "%s", id);
	free(id);
}

/* Walk System32/Tasks: every file is a task named by its path, listed once
 * per <Exec> action or named as not read with the reason. */
static void collect_xml_dir(struct collect *c, struct hive *sw, const char *dir, const char *taskpath, int depth)
{
	const char *drel = winpath_relative(c->ctx->root, dir);
	DIR *d = confine_opendir(dir);
	if (!d) {
		char why[200];
		snprintf(why, sizeof(why), "folder cannot be read: %s", confine_strerror(errno));
		add_unread(c, AR_TASK_XML, drel, taskpath[0] ? taskpath : "\\", "", why);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL && c->rc == RS_OK) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char path[PATH_MAX], tpath[1024], why[200] = "";
		struct stat st;
		snprintf(tpath, sizeof(tpath), "%s\\%s", taskpath, e->d_name);
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path)) {
			add_unread(c, AR_TASK_XML, drel, tpath, "", "path too long");
			continue;
		}
		if (confine_lstat(path, &st) != 0) {
			snprintf(why, sizeof(why), "cannot read: %s", confine_strerror(errno));
			add_unread(c, AR_TASK_XML, drel, tpath, "", why);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth + 1 < TREE_DEPTH)
				collect_xml_dir(c, sw, path, tpath, depth + 1);
			else
				add_unread(c, AR_TASK_XML, drel, tpath, "", "folder nested too deep (over 64 levels): not walked");
			continue;
		}
		const char *rel = winpath_relative(c->ctx->root, path);
		uint8_t *buf = NULL;
		size_t len = 0;
		bool regular;
		if (read_task_file(path, &st, TASK_XML_MAX, &buf, &len, why, sizeof(why), &regular) != 0) {
			struct autorun *a = add_unread(c, AR_TASK_XML, drel, tpath, regular ? rel : "", why);
			if (a && regular)
				taskcache_of(sw, tpath, a);
			continue;
		}
		struct task_exec *ex = NULL;
		size_t n = 0;
		struct rs_error perr = { 0 };
		int prc = taskxml_parse(buf, len, &ex, &n, &perr);
		free(buf);
		if (prc == RS_EPARTIAL) {
			c->rc = RS_EPARTIAL;
			break;
		}
		if (prc != RS_OK) {
			struct autorun *a = add_unread(c, AR_TASK_XML, drel, tpath, rel, perr.msg);
			if (a)
				taskcache_of(sw, tpath, a);
			continue;
		}
		for (size_t i = 0; i < (n ? n : 1) && c->rc == RS_OK; i++) {
			struct autorun *a = add(c, AR_TASK_XML);
			if (!a)
				break;
			snprintf(a->location, sizeof(a->location), "%s", drel);
			snprintf(a->name, sizeof(a->name), "%s", tpath);
			snprintf(a->file, sizeof(a->file), "%s", rel);
			taskcache_of(sw, tpath, a);
			if (n == 0) {
				/* COM handler (or e-mail, message) actions only */
				snprintf(a->command, sizeof(a->command), "(no program: no Exec action)");
				continue;
			}
			if (n > 1)
				snprintf(a->item, sizeof(a->item), "exec %zu", i + 1);
			bool q = strchr(ex[i].command, ' ') && ex[i].command[0] != '"';
			snprintf(a->command, sizeof(a->command), "%s%s%s%s%s", q ? "\"" : "", ex[i].command, q ? "\"" : "",
				 ex[i].arguments[0] ? " " : "", ex[i].arguments);
			analyse(c, a, &c->machine);
		}
		task_exec_free(ex, n);
	}
	closedir(d);
}

/* Tasks the TaskCache names whose XML file is gone: hidden or left over. */
static void collect_taskcache(struct collect *c, struct hive *sw, const char *key, const char *taskpath, int depth)
{
	if (depth >= TREE_DEPTH) {
		note(c, "TaskCache key nested too deep (over 64 levels), not read: %s", key);
		return;
	}
	char **names = subkeys(sw, key);
	for (size_t i = 0; names && names[i] && c->rc == RS_OK; i++) {
		char sub[1200], tpath[1024], frel[PATH_MAX], real[PATH_MAX];
		snprintf(sub, sizeof(sub), "%s\\%s", key, names[i]);
		snprintf(tpath, sizeof(tpath), "%s\\%s", taskpath, names[i]);
		char *id = hive_get_string(sw, sub, "Id");
		if (id) {
			snprintf(frel, sizeof(frel), "%s/%s%s", c->sysroot, DIR_TASKS, tpath);
			slashes(frel, '\\', '/');
			/* Only a file that is not there makes a registry-only task:
			 * one that is a link was named as not read by the folder walk. */
			if (winpath_resolve(c->ctx->root, frel, real, sizeof(real)) != 0 && errno == ENOENT) {
				struct autorun *a = add(c, AR_TASK_REG);
				if (a) {
					snprintf(a->location, sizeof(a->location), "HKLM\\SOFTWARE\\%s", KEY_TREE);
					snprintf(a->name, sizeof(a->name), "%s", tpath);
					snprintf(a->command, sizeof(a->command), "(registry only: no task file)");
					snprintf(a->hive, sizeof(a->hive), "%s", hive_rel(sw));
					snprintf(a->taskcache, sizeof(a->taskcache), "%s", sub);
					snprintf(a->task_id, sizeof(a->task_id), "%s", id);
				}
			}
			free(id);
		}
		collect_taskcache(c, sw, sub, tpath, depth + 1);
	}
	free_names(names);
}

/* ---- flags and ids ---- */

static bool path_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '\\' ? '/' : *a, y = *b == '\\' ? '/' : *b;
		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y + 32);
		if (x != y)
			return false;
	}
	return *a == *b;
}

static bool in_list(const char *path, const char *const *list, size_t n)
{
	if (!path[0])
		return false;
	for (size_t i = 0; i < n; i++)
		if (path_eq(path, list[i]))
			return true;
	return false;
}

static bool user_writable_path(const struct collect *c, const char *rel)
{
	for (size_t i = 0; i < sizeof(user_writable) / sizeof(user_writable[0]); i++)
		if (strncasecmp(rel, user_writable[i], strlen(user_writable[i])) == 0)
			return true;
	size_t n = strlen(c->sysroot);
	if (strncasecmp(rel, c->sysroot, n) == 0 && strncasecmp(rel + n, "/Temp/", 6) == 0)
		return true;
	/* a file right at the volume root */
	return rel[0] && !strchr(rel, '/') && !strchr(rel, '\\') && !strchr(rel, ':');
}

static void set_flags(struct collect *c, struct autorun *a)
{
	const struct autoruns_opts *o = c->opts;
	if (o && (in_list(a->target, o->detected, o->ndetected) || in_list(a->file, o->detected, o->ndetected)))
		a->flags |= AR_F_DETECTED;
	if ((o && (in_list(a->target, o->quarantined, o->nquarantined) ||
		   in_list(a->file, o->quarantined, o->nquarantined))) ||
	    in_list(a->target, c->qpaths, c->nq) || in_list(a->file, c->qpaths, c->nq))
		a->flags |= AR_F_QUARANTINED;
	bool on_volume = a->target[0] && !strchr(a->target, ':') && a->target[0] != '\\';
	if (on_volume && user_writable_path(c, a->target) && cmdline_name_looks_random(cmdline_basename(a->target)))
		a->flags |= AR_F_RANDOM_NAME;
	size_t n = strlen(c->sysroot);
	if (on_volume && strncasecmp(a->target, c->sysroot, n) == 0 && a->target[n] == '/')
		a->flags |= AR_F_WINDOWS;
}

/* FNV-1a over where the entry lives: the same entry gets the same id on
 * every run, whatever its command says. */
static void set_id(struct autorun *a)
{
	uint32_t h = 2166136261u;
	const char *parts[] = { autorun_kind_names[a->kind], a->hive, a->key, a->value, a->item, a->file,
				a->kind == AR_TASK_REG ? a->taskcache : "" };
	/* a folder, link or FIFO not read has no file: its task path tells it apart */
	bool by_name = (a->flags & AR_F_UNREAD) && !a->file[0];
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) + by_name; i++) {
		const char *part = i < sizeof(parts) / sizeof(parts[0]) ? parts[i] : a->name;
		for (const char *p = part; *p; p++) {
			char ch = *p >= 'A' && *p <= 'Z' ? (char)(*p + 32) : *p;
			h = (h ^ (uint8_t)ch) * 16777619u;
		}
		h = (h ^ '|') * 16777619u;
	}
	snprintf(a->id, sizeof(a->id), "%08x", h);
}

/* ---- listing ---- */

static void collect_user(struct collect *c, const struct profile *p, char seen[][PATH_MAX], size_t *nseen)
{
	struct hive *nt = NULL;
	struct rs_error sub = { 0 };
	if (hive_open(c->ctx, p->hive, 0, &nt, &sub) != RS_OK) {
		note(c, "%s", sub.msg);
		nt = NULL;
	}
	struct winenv env;
	user_env(c, nt, p, &env);
	if (nt) {
		collect_run(c, nt, NULL, p->name, "Software\\", &env);
		const char *win = "Software\\" KEY_NTCV "\\Windows";
		char *load = hive_get_string(nt, win, "Load"), *run = hive_get_string(nt, win, "Run");
		if (load && load[0])
			add_value_entry(c, nt, NULL, p->name, win, "Load", load, &env);
		if (run && run[0])
			add_value_entry(c, nt, NULL, p->name, win, "Run", run, &env);
		free(load);
		free(run);
		collect_list(c, nt, AR_WINLOGON, NULL, p->name, "Software\\" KEY_WINLOGON, "Shell", &env);
		hive_close(nt);
	}
	char dir[PATH_MAX + 64];
	snprintf(dir, sizeof(dir), "%s/%s", p->dir, STARTUP_VISTA);
	collect_startup_dir(c, dir, p->name, &env, seen, nseen);
	snprintf(dir, sizeof(dir), "%s/%s", p->dir, STARTUP_XP);
	collect_startup_dir(c, dir, p->name, &env, seen, nseen);
}

int autoruns_list(struct rs_ctx *ctx, const struct autoruns_opts *opts, struct autoruns *out,
		  struct rs_error *err)
{
	memset(out, 0, sizeof(*out));
	struct collect c = { .ctx = ctx, .opts = opts, .out = out };
	struct hive *sys, *sw = NULL;
	int rc = hive_open(ctx, HIVE_SYSTEM, 0, &sys, err);
	if (rc)
		return rc;
	struct rs_error sub = { 0 };
	if (hive_open(ctx, HIVE_SOFTWARE, 0, &sw, &sub) != RS_OK) {
		note(&c, "%s", sub.msg);
		sw = NULL;
	}
	char *ver = sw ? hive_get_string(sw, KEY_NTCV, "CurrentVersion") : NULL;
	c.xp = ver && ver[0] == '5';
	free(ver);
	machine_env(&c, sys, sw);
	char rel[PATH_MAX];
	if (to_volume(&c, winenv_get(&c.machine, "SystemRoot"), rel, sizeof(rel)) != 0)
		snprintf(rel, sizeof(rel), "Windows");
	char real[PATH_MAX];
	if (winpath_resolve(ctx->root, rel, real, sizeof(real)) == 0)
		snprintf(rel, sizeof(rel), "%s", winpath_relative(ctx->root, real));
	snprintf(c.sysroot, sizeof(c.sysroot), "%s", rel);

	if (sw) {
		collect_run(&c, sw, "SOFTWARE", NULL, "", &c.machine);
		collect_list(&c, sw, AR_WINLOGON, "SOFTWARE", NULL, KEY_WINLOGON, "Shell", &c.machine);
		collect_list(&c, sw, AR_WINLOGON, "SOFTWARE", NULL, KEY_WINLOGON, "Userinit", &c.machine);
		collect_list(&c, sw, AR_APPINIT, "SOFTWARE", NULL, KEY_NTCV "\\Windows", "AppInit_DLLs", &c.machine);
		collect_list(&c, sw, AR_APPINIT, "SOFTWARE", NULL, "Wow6432Node\\" KEY_NTCV "\\Windows", "AppInit_DLLs",
			     &c.machine);
		collect_ifeo(&c, sw, "");
		collect_ifeo(&c, sw, "Wow6432Node\\");
	}
	collect_services(&c, sys);

	char (*seen)[PATH_MAX] = calloc(64, PATH_MAX);
	size_t nseen = 0;
	if (!seen) {
		hive_close(sw);
		hive_close(sys);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	struct profile *profiles = NULL;
	size_t np = 0;
	if (profiles_list(ctx, &profiles, &np, &sub) != RS_OK)
		note(&c, "%s", sub.msg);
	for (size_t i = 0; i < np && c.rc == RS_OK; i++)
		collect_user(&c, &profiles[i], seen, &nseen);
	free(profiles);
	collect_startup_dir(&c, "ProgramData/Microsoft/Windows/Start Menu/Programs/Startup", NULL, &c.machine,
			    seen, &nseen);
	collect_startup_dir(&c, "Documents and Settings/All Users/" STARTUP_XP, NULL, &c.machine, seen, &nseen);
	free(seen);

	collect_jobs(&c);
	char tasks[PATH_MAX];
	snprintf(rel, sizeof(rel), "%s/%s", c.sysroot, DIR_TASKS);
	if (winpath_resolve(ctx->root, rel, tasks, sizeof(tasks)) == 0)
		collect_xml_dir(&c, sw, tasks, "", 0);
	else
		note_unread_dir(&c, rel);
	if (sw)
		collect_taskcache(&c, sw, KEY_TREE, "", 0);

	hive_close(sw);
	hive_close(sys);
	if (c.rc) {
		autoruns_free(out);
		return rs_fail(err, RS_EPARTIAL, "out of memory listing autostart entries");
	}
	/* What an earlier `scan --quarantine` took away: the manifest keeps each
	 * file's original path (a stream's file is still there: not counted). */
	struct rs_quarantine_entry *q = NULL;
	size_t nq = 0;
	if (rs_quarantine_list(ctx, &q, &nq, &sub) != RS_OK)
		note(&c, "quarantine: %s", sub.msg);
	c.qpaths = calloc(nq + 1, sizeof(*c.qpaths));
	for (size_t i = 0; c.qpaths && i < nq; i++)
		if (!q[i].stream)
			c.qpaths[c.nq++] = q[i].path;
	for (size_t i = 0; i < out->n; i++) {
		set_flags(&c, &out->v[i]);
		set_id(&out->v[i]);
	}
	free(c.qpaths);
	rs_quarantine_list_free(q, nq);
	return RS_OK;
}

const struct autorun *autoruns_find(const struct autoruns *a, const char *id)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcasecmp(a->v[i].id, id) == 0)
			return &a->v[i];
	return NULL;
}

/* ---- disabling ---- */

#define MAX_WRITE_HIVES 32

struct writer {
	struct rs_ctx *ctx;
	struct hive *h[MAX_WRITE_HIVES];
	size_t n;
};

static struct hive *writer_hive(struct writer *w, const char *rel, struct rs_error *err)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(hive_rel(w->h[i]), rel) == 0)
			return w->h[i];
	if (w->n == MAX_WRITE_HIVES) {
		rs_fail(err, RS_EPARTIAL, "too many hives in one run");
		return NULL;
	}
	struct hive *h;
	if (hive_open(w->ctx, rel, HIVE_WRITE, &h, err) != RS_OK)
		return NULL;
	w->h[w->n++] = h;
	return h;
}

struct rebuild {
	const char *drop;
	char out[4096];
	char sep;
	bool dropped;
};

static void keep_item(const char *item, void *ud)
{
	struct rebuild *r = ud;
	if (!r->dropped && strcasecmp(item, r->drop) == 0) {
		r->dropped = true;
		return;
	}
	size_t n = strlen(r->out);
	snprintf(r->out + n, sizeof(r->out) - n, "%s%s", n ? (char[]){ r->sep, 0 } : "", item);
}

/* Take A's item out of its list value; Windows' default when none is left. */
static int disable_list_item(struct hive *h, const struct autorun *a, const char *sysroot_win, char *action,
			     size_t alen, struct rs_error *err)
{
	const char *base = cmdline_basename(a->target);
	if (a->kind == AR_WINLOGON && (strcasecmp(base, "userinit.exe") == 0 || strcasecmp(base, "explorer.exe") == 0))
		return rs_fail(err, RS_EUSAGE, "%s is Windows' own logon program; not disabled", a->item);
	struct reg_value v;
	int rc = hive_get(h, a->key, a->value, &v, err);
	if (rc)
		return rc;
	if (!v.present || (v.type != REGT_SZ && v.type != REGT_EXPAND_SZ)) {
		reg_value_free(&v);
		snprintf(action, alen, "already gone");
		return RS_OK;
	}
	char *cur = utf16le_to_utf8(v.data, v.len);
	uint32_t type = v.type;
	reg_value_free(&v);
	if (!cur)
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	const char *seps = a->kind == AR_APPINIT ? SEP_APPINIT : SEP_WINLOGON;
	struct rebuild r = { .drop = a->item, .sep = a->kind == AR_APPINIT ? ' ' : ',' };
	if (a->kind == AR_APPINIT && !strchr(cur, ' ') && strchr(cur, ','))
		r.sep = ',';
	split_list(cur, seps, keep_item, &r);
	free(cur);
	if (!r.dropped) {
		snprintf(action, alen, "already gone");
		return RS_OK;
	}
	if (!r.out[0] && a->kind == AR_WINLOGON) {
		if (a->user[0]) {
			/* a user's Shell overrides the machine's: without it, Windows' own */
			snprintf(action, alen, "deleted value (the machine's shell applies)");
			return hive_delete_value(h, AUTORUNS_ITEM, a->key, a->value, err);
		}
		if (strcasecmp(a->value, "Userinit") == 0)
			snprintf(r.out, sizeof(r.out), "%s\\system32\\userinit.exe,", sysroot_win);
		else
			snprintf(r.out, sizeof(r.out), "explorer.exe");
	} else if (a->kind == AR_WINLOGON && strcasecmp(a->value, "Userinit") == 0) {
		size_t n = strlen(r.out);
		snprintf(r.out + n, sizeof(r.out) - n, ",");   /* Windows writes it with a trailing comma */
	}
	snprintf(action, alen, "set to \"%s\"", r.out);
	return hive_set_sz(h, AUTORUNS_ITEM, a->key, a->value, type, r.out, err);
}

/* Delete every value of KEY (the TaskCache entry of a task).  The key
 * itself stays: undo restores values, not deleted keys, and an empty key is
 * a task the scheduler cannot load, which is what disabling means. */
static int clear_key_values(struct hive *h, const char *key, size_t *count, struct rs_error *err)
{
	if (!hive_lookup(h, key))
		return RS_OK;
	char **names = names_of(h, key, true);
	if (!names)
		return rs_fail_errno(err, RS_ETARGET, errno, "hive %s: reading %s", hive_rel(h), key);
	int rc = RS_OK;
	for (size_t i = 0; names[i] && rc == RS_OK; i++) {
		rc = hive_delete_value(h, AUTORUNS_ITEM, key, names[i], err);
		if (rc == RS_OK)
			(*count)++;
	}
	free_names(names);
	return rc;
}

static int disable_taskcache(struct writer *w, const struct autorun *a, struct hive **used, char *action,
			     size_t alen, struct rs_error *err)
{
	if (!a->taskcache[0])
		return RS_OK;
	struct hive *h = writer_hive(w, HIVE_SOFTWARE, err);
	if (!h)
		return err->code ? err->code : RS_EPARTIAL;
	*used = h;
	size_t count = 0;
	int rc = clear_key_values(h, a->taskcache, &count, err);
	if (rc == RS_OK && a->task_id[0]) {
		char key[1200];
		snprintf(key, sizeof(key), "%s\\%s", KEY_TASKS, a->task_id);
		rc = clear_key_values(h, key, &count, err);
	}
	size_t n = strlen(action);
	snprintf(action + n, alen - n, "%sdeleted %zu TaskCache value%s", n ? "; " : "", count, count == 1 ? "" : "s");
	return rc;
}

static int disable_one(struct writer *w, const struct autorun *a, const char *sysroot_win, struct hive **used,
		       char *action, size_t alen, struct rs_error *err)
{
	struct hive *h = NULL;
	int rc;
	switch (a->kind) {
	case AR_RUN:
	case AR_IFEO:
	case AR_SERVICE:
	case AR_DRIVER:
	case AR_WINLOGON:
	case AR_APPINIT:
		if (!(h = writer_hive(w, a->hive, err)))
			return err->code ? err->code : RS_EPARTIAL;
		*used = h;
		if (a->kind == AR_SERVICE || a->kind == AR_DRIVER) {
			if (a->start == 4) {
				snprintf(action, alen, "already disabled (Start 4)");
				return RS_OK;
			}
			if (a->start >= 0)
				snprintf(action, alen, "Start %ld -> 4", a->start);
			else
				snprintf(action, alen, "Start (absent) -> 4");
			return hive_set_dword(h, AUTORUNS_ITEM, a->key, "Start", 4, err);
		}
		if (a->kind == AR_WINLOGON || a->kind == AR_APPINIT)
			return disable_list_item(h, a, sysroot_win, action, alen, err);
		snprintf(action, alen, "deleted value");
		return hive_delete_value(h, AUTORUNS_ITEM, a->key, a->value, err);
	case AR_STARTUP:
	case AR_TASK_JOB:
	case AR_TASK_XML:
		if (!a->file[0])
			return rs_fail(err, RS_EUSAGE, "not read (%s): nothing rescue may set aside; look at it by hand",
				       a->unread);
		rc = safefile_remove(w->ctx, AUTORUNS_ITEM, a->file, err);
		if (rc)
			return rc;
		snprintf(action, alen, "set aside %s", a->file);
		/* Windows 10 runs tasks from the TaskCache copy as well as the
		 * file: both go, or the task still runs. */
		return a->kind == AR_TASK_XML ? disable_taskcache(w, a, used, action, alen, err) : RS_OK;
	case AR_TASK_REG:
		return disable_taskcache(w, a, used, action, alen, err);
	case AR_KIND_N:
		break;
	}
	return rs_fail(err, RS_EUSAGE, "unknown entry kind");
}

int autoruns_disable(struct rs_ctx *ctx, const struct autoruns *a, char *const *ids, size_t nids,
		     struct autoruns_report *report, struct rs_error *err)
{
	memset(report, 0, sizeof(*report));
	for (size_t i = 0; i < nids; i++)
		if (!autoruns_find(a, ids[i]))
			return rs_fail(err, RS_EUSAGE, "no autostart entry with id %s (see `rescue autoruns --all`)", ids[i]);
	int rc = rs_ctx_check_writable(ctx, err);
	if (rc && !(ctx->flags & RS_CTX_DRY_RUN))
		return rc;
	if (nids == 0)
		return RS_OK;
	report->steps = calloc(nids, sizeof(*report->steps));
	struct hive **used = calloc(nids, sizeof(*used));
	if (!report->steps || !used) {
		free(used);
		autoruns_report_free(report);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	/* The Windows folder as a Windows path, for Userinit's default. */
	char sysroot_win[300] = "C:\\Windows";
	struct hive *sw;
	struct rs_error sub = { 0 };
	if (hive_open(ctx, HIVE_SOFTWARE, 0, &sw, &sub) == RS_OK) {
		char *s = hive_get_string(sw, KEY_NTCV, "SystemRoot");
		if (s && s[0])
			snprintf(sysroot_win, sizeof(sysroot_win), "%s", s);
		free(s);
		hive_close(sw);
	}

	struct writer w = { .ctx = ctx };
	int partial = RS_OK;
	for (size_t i = 0; i < nids; i++) {
		const struct autorun *e = autoruns_find(a, ids[i]);
		struct autoruns_step *s = &report->steps[report->n++];
		snprintf(s->id, sizeof(s->id), "%s", e->id);
		s->kind = e->kind;
		snprintf(s->what, sizeof(s->what), "%s: %s%s%s", e->location, e->name, e->item[0] ? " " : "", e->item);
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup |= strcmp(report->steps[k].id, e->id) == 0;
		if (dup) {
			snprintf(s->action, sizeof(s->action), "(named twice)");
			s->ok = true;
			continue;
		}
		struct rs_error serr = { 0 };
		s->ok = disable_one(&w, e, sysroot_win, &used[i], s->action, sizeof(s->action), &serr) == RS_OK;
		if (!s->ok) {
			snprintf(s->error, sizeof(s->error), "%s", serr.msg);
			partial = RS_EPARTIAL;
		}
	}
	/* One write per hive; a failed write fails every step that used it. */
	for (size_t k = 0; k < w.n; k++) {
		struct rs_error cerr = { 0 };
		if (hive_commit(w.h[k], &cerr) == RS_OK)
			continue;
		partial = RS_EPARTIAL;
		for (size_t i = 0; i < report->n; i++)
			if (used[i] == w.h[k] && report->steps[i].ok) {
				report->steps[i].ok = false;
				snprintf(report->steps[i].error, sizeof(report->steps[i].error), "%s", cerr.msg);
			}
	}
	for (size_t k = 0; k < w.n; k++)
		hive_close(w.h[k]);
	free(used);
	if (partial)
		return rs_fail(err, RS_EPARTIAL, "some autostart entries could not be disabled (see each step)");
	return RS_OK;
}

int autoruns_disable_for_files(struct rs_ctx *ctx, const char *const *paths, size_t n,
			       struct autoruns_report *report, struct rs_error *err)
{
	memset(report, 0, sizeof(*report));
	if (n == 0)
		return RS_OK;
	struct autoruns_opts opts = { .detected = paths, .ndetected = n };
	struct autoruns list;
	int rc = autoruns_list(ctx, &opts, &list, err);
	if (rc)
		return rc;
	char **ids = calloc(list.n + 1, sizeof(*ids));
	size_t nids = 0;
	if (!ids) {
		autoruns_free(&list);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	for (size_t i = 0; i < list.n; i++)
		if (list.v[i].flags & AR_F_DETECTED)
			ids[nids++] = list.v[i].id;
	rc = autoruns_disable(ctx, &list, ids, nids, report, err);
	free(ids);
	autoruns_free(&list);
	return rc;
}
