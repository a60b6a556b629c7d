/* SPDX-License-Identifier: GPL-2.0-or-later */
/* autoruns-reg.c - autostart entries in the registry: Run-type keys,
 * Winlogon and AppInit lists, IFEO debuggers, services and drivers. */
#include "hive/autoruns-priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hive/hive.h"

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

static void where(char *out, size_t len, const char *hivename, const char *user, const char *key)
{
	if (user)
		snprintf(out, len, "HKU\\%s\\%s", user, key);
	else
		snprintf(out, len, "HKLM\\%s\\%s", hivename, key);
}

/* One Run-type value. */
void ar_add_value_entry(struct collect *c, struct hive *h, const char *hivename, const char *user,
			    const char *key, const char *name, const char *cmd, const struct winenv *env)
{
	struct autorun *a = ar_add(c, AR_RUN);
	if (!a)
		return;
	snprintf(a->user, sizeof(a->user), "%s", user ? user : "");
	where(a->location, sizeof(a->location), hivename, user, key);
	snprintf(a->name, sizeof(a->name), "%s", name[0] ? name : "(default)");
	snprintf(a->command, sizeof(a->command), "%s", cmd);
	snprintf(a->hive, sizeof(a->hive), "%s", hive_rel(h));
	snprintf(a->key, sizeof(a->key), "%s", key);
	snprintf(a->value, sizeof(a->value), "%s", name);
	ar_analyse(c, a, env);
}

struct run_ctx {
	const char *hivename, *user;
	const struct winenv *env;
};

static void on_run_value(struct collect *c, struct hive *h, const char *key, const char *name,
			 const char *data, void *ud)
{
	const struct run_ctx *r = ud;
	ar_add_value_entry(c, h, r->hivename, r->user, key, name, data, r->env);
}

/* The Run-type keys of a hive: PREFIX "" (SOFTWARE) or "Software\\" (user). */
void ar_collect_run(struct collect *c, struct hive *h, const char *hivename, const char *user,
			const char *prefix, const struct winenv *env)
{
	struct run_ctx r = { hivename, user, env };
	for (size_t i = 0; i < sizeof(run_keys) / sizeof(run_keys[0]); i++) {
		char key[512];
		snprintf(key, sizeof(key), "%s%s", prefix, run_keys[i]);
		ar_each_value(c, h, key, on_run_value, &r);
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
	struct autorun *a = ar_add(l->c, l->kind);
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
	ar_analyse(l->c, a, l->env);
}

void ar_collect_list(struct collect *c, struct hive *h, enum autorun_kind kind, const char *hivename,
			 const char *user, const char *key, const char *value, const struct winenv *env)
{
	char *s = hive_get_string(h, key, value);
	if (!s)
		return;
	struct list_ctx l = { c, h, kind, hivename, user, key, value, s, env };
	ar_split_list(s, kind == AR_APPINIT ? SEP_APPINIT : SEP_WINLOGON, on_list_item, &l);
	free(s);
}

void ar_collect_ifeo(struct collect *c, struct hive *sw, const char *prefix)
{
	char base[256];
	snprintf(base, sizeof(base), "%s%s", prefix, KEY_IFEO);
	char **names = ar_subkeys(sw, base);
	for (size_t i = 0; names && names[i]; i++) {
		char key[1024];
		snprintf(key, sizeof(key), "%s\\%s", base, names[i]);
		char *dbg = hive_get_string(sw, key, "Debugger");
		if (dbg && dbg[0]) {
			struct autorun *a = ar_add(c, AR_IFEO);
			if (a) {
				snprintf(a->location, sizeof(a->location), "HKLM\\SOFTWARE\\%s", key);
				snprintf(a->name, sizeof(a->name), "%s", names[i]);
				snprintf(a->command, sizeof(a->command), "%s", dbg);
				snprintf(a->hive, sizeof(a->hive), "%s", hive_rel(sw));
				snprintf(a->key, sizeof(a->key), "%s", key);
				snprintf(a->value, sizeof(a->value), "Debugger");
				ar_analyse(c, a, &c->machine);
			}
		}
		free(dbg);
	}
	ar_free_names(names);
}

/* Service types (winnt.h): 0x1 kernel driver, 0x2 file system driver, 0x4
 * adapter, 0x8 recognizer driver; 0x10 own process, 0x20 shared process. */
#define SERVICE_DRIVER_MASK 0x0f
#define SERVICE_WIN32_MASK  0x30

void ar_collect_services(struct collect *c, struct hive *sys)
{
	char **names = ar_subkeys(sys, KEY_SERVICES);
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
		struct autorun *a = ar_add(c, driver ? AR_DRIVER : AR_SERVICE);
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
				ar_set_target(c, a, exp);
			} else {
				ar_analyse(c, a, &c->machine);
			}
		}
		free(image);
		free(dll);
	}
	ar_free_names(names);
}
