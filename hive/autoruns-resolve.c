/* SPDX-License-Identifier: GPL-2.0-or-later */
/* autoruns-resolve.c - from an entry's command to the file it starts on the
 * volume: the installation's environment, Windows paths, the search path. */
#include "hive/autoruns-priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "hive/cmdline.h"
#include "hive/hive.h"
#include "rescue/base/confine.h"
#include "rescue/base/winpath.h"

/* ---- Windows paths on the volume ---- */

/* The volume-relative form of the Windows path WIN into REL ('/'): 0, or -1
 * when WIN is on another drive or a network share, or is a bare name. */
int ar_to_volume(const struct collect *c, const char *win, char *rel, size_t len)
{
	char buf[2048];
	while (*win == ' ' || *win == '"')
		win++;
	snprintf(buf, sizeof(buf), "%s", win);
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '"'))
		buf[--n] = '\0';
	ar_slashes(buf, '/', '\\');
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
	if (ar_to_volume(c, win, rel, sizeof(rel)) == 0) {
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
void ar_set_target(struct collect *c, struct autorun *a, const char *win)
{
	bool on_volume;
	a->exists = lookup(c, win, a->target, sizeof(a->target), &on_volume);
	if (!a->exists && on_volume)
		a->flags |= AR_F_MISSING;
}

/* Work out what A's command starts, with the environment ENV. */
void ar_analyse(struct collect *c, struct autorun *a, const struct winenv *env)
{
	char exp[4096], prog[2048], hosted[2048];
	const char *args;
	winenv_expand(env, a->command, exp, sizeof(exp));
	if (cmdline_split(exp, exists_cb, c, prog, sizeof(prog), &args) != 0)
		return;
	if (cmdline_hosted_file(prog, args, hosted, sizeof(hosted)))
		ar_set_target(c, a, hosted);
	else
		ar_set_target(c, a, prog);
}

/* ---- environment ---- */

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
	ar_each_value(c, h, keypath, on_env_value, env);
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

void ar_machine_env(struct collect *c, struct hive *sys, struct hive *sw)
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
void ar_user_env(struct collect *c, struct hive *nt, const struct profile *p, struct winenv *env)
{
	*env = c->machine;
	char win[PATH_MAX + 4];
	snprintf(win, sizeof(win), "%c:\\%s", c->drive, p->dir);
	ar_slashes(win, '/', '\\');
	env_profile(c, env, win);
	winenv_set(env, "USERNAME", p->name);
	winenv_set(env, "HOMEDRIVE", "%SystemDrive%");
	winenv_set(env, "HOMEPATH", win + 2);
	if (nt)
		env_from_key(c, nt, "Environment", env);
}
