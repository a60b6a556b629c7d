/* SPDX-License-Identifier: GPL-2.0-or-later */
/* autoruns-list.c - listing autostart entries: the outline over the registry
 * (autoruns-reg.c), file (autoruns-files.c) and resolving (autoruns-resolve.c)
 * steps, flags and ids, and the helpers the steps share. */
#include "hive/autoruns-priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hive/cmdline.h"
#include "hive/hive.h"
#include "hive/profiles.h"
#include "rescue/base/winpath.h"
#include "rescue/scan/quarantine.h"

/* Folders a user (or a worm running as one) can write without elevation,
 * volume-relative; the Windows folder's Temp is added at run time. */
static const char *const user_writable[] = {
	"Users/", "Documents and Settings/", "ProgramData/", "$Recycle.Bin/", "RECYCLER/",
};


/* A note for the report; past NOTES_MAX the last one says how many more. */
void ar_note(struct collect *c, const char *fmt, const char *arg)
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

struct autorun *ar_add(struct collect *c, enum autorun_kind kind)
{
	/* An entry is kilobytes and a machine has hundreds of services:
	 * one realloc per entry copied the list over and over. */
	if (c->out->n >= c->cap) {
		size_t cap = c->out->n + c->out->n / 2 + 16;
		struct autorun *v = realloc(c->out->v, cap * sizeof(*v));
		if (!v) {
			c->rc = RS_EPARTIAL;
			return NULL;
		}
		c->out->v = v;
		c->cap = cap;
	}
	struct autorun *a = &c->out->v[c->out->n++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->start = -1;
	return a;
}

void ar_slashes(char *s, char from, char to)
{
	for (; *s; s++)
		if (*s == from)
			*s = to;
}

/* ---- reading the registry ---- */

/* Call FN for every string value of KEYPATH. */
void ar_each_value(struct collect *c, struct hive *h, const char *keypath, ar_value_fn fn, void *ud)
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

/* Names of the ar_subkeys (VALUES false) or values (true) of KEYPATH: a
 * malloc'd NULL-ended array of malloc'd strings (ar_free_names); NULL when the
 * key is missing or unreadable. */
char **ar_names_of(struct hive *h, const char *keypath, bool values)
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

char **ar_subkeys(struct hive *h, const char *keypath)
{
	return ar_names_of(h, keypath, false);
}

void ar_free_names(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

/* Split a list value (Userinit "a.exe,b.exe", AppInit_DLLs "a.dll b.dll")
 * into its items; calls FN for each non-empty, trimmed item. */
void ar_split_list(const char *s, const char *seps, void (*fn)(const char *item, void *ud), void *ud)
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
		ar_note(c, "%s", sub.msg);
		nt = NULL;
	}
	struct winenv env;
	ar_user_env(c, nt, p, &env);
	if (nt) {
		ar_collect_run(c, nt, NULL, p->name, "Software\\", &env);
		const char *win = "Software\\" KEY_NTCV "\\Windows";
		char *load = hive_get_string(nt, win, "Load"), *run = hive_get_string(nt, win, "Run");
		if (load && load[0])
			ar_add_value_entry(c, nt, NULL, p->name, win, "Load", load, &env);
		if (run && run[0])
			ar_add_value_entry(c, nt, NULL, p->name, win, "Run", run, &env);
		free(load);
		free(run);
		ar_collect_list(c, nt, AR_WINLOGON, NULL, p->name, "Software\\" KEY_WINLOGON, "Shell", &env);
		hive_close(nt);
	}
	char dir[PATH_MAX + 64];
	snprintf(dir, sizeof(dir), "%s/%s", p->dir, STARTUP_VISTA);
	ar_collect_startup_dir(c, dir, p->name, &env, seen, nseen);
	snprintf(dir, sizeof(dir), "%s/%s", p->dir, STARTUP_XP);
	ar_collect_startup_dir(c, dir, p->name, &env, seen, nseen);
}

/* The volume-relative Windows folder in its real spelling ("Windows",
 * "WINDOWS"), from the SystemRoot of the machine's environment. */
static void find_sysroot(struct collect *c)
{
	char rel[PATH_MAX];
	if (ar_to_volume(c, winenv_get(&c->machine, "SystemRoot"), rel, sizeof(rel)) != 0)
		snprintf(rel, sizeof(rel), "Windows");
	char real[PATH_MAX];
	if (winpath_resolve(c->ctx->root, rel, real, sizeof(real)) == 0)
		snprintf(rel, sizeof(rel), "%s", winpath_relative(c->ctx->root, real));
	snprintf(c->sysroot, sizeof(c->sysroot), "%s", rel);
}

/* The machine's entries: SOFTWARE's (SW; NULL when it did not open) and
 * SYSTEM's services and drivers. */
static void collect_machine(struct collect *c, struct hive *sys, struct hive *sw)
{
	if (sw) {
		ar_collect_run(c, sw, "SOFTWARE", NULL, "", &c->machine);
		ar_collect_list(c, sw, AR_WINLOGON, "SOFTWARE", NULL, KEY_WINLOGON, "Shell", &c->machine);
		ar_collect_list(c, sw, AR_WINLOGON, "SOFTWARE", NULL, KEY_WINLOGON, "Userinit", &c->machine);
		ar_collect_list(c, sw, AR_APPINIT, "SOFTWARE", NULL, KEY_NTCV "\\Windows", "AppInit_DLLs", &c->machine);
		ar_collect_list(c, sw, AR_APPINIT, "SOFTWARE", NULL, "Wow6432Node\\" KEY_NTCV "\\Windows", "AppInit_DLLs",
				&c->machine);
		ar_collect_ifeo(c, sw, "");
		ar_collect_ifeo(c, sw, "Wow6432Node\\");
	}
	ar_collect_services(c, sys);
}

/* Every user's entries, then the all-users Startup folders.  False when
 * out of memory before any was read. */
static bool collect_users(struct collect *c)
{
	char (*seen)[PATH_MAX] = calloc(64, PATH_MAX);
	size_t nseen = 0;
	if (!seen)
		return false;
	struct profile *profiles = NULL;
	size_t np = 0;
	struct rs_error sub = { 0 };
	if (profiles_list(c->ctx, &profiles, &np, &sub) != RS_OK)
		ar_note(c, "%s", sub.msg);
	for (size_t i = 0; i < np && c->rc == RS_OK; i++)
		collect_user(c, &profiles[i], seen, &nseen);
	free(profiles);
	ar_collect_startup_dir(c, "ProgramData/Microsoft/Windows/Start Menu/Programs/Startup", NULL, &c->machine,
			       seen, &nseen);
	ar_collect_startup_dir(c, "Documents and Settings/All Users/" STARTUP_XP, NULL, &c->machine, seen, &nseen);
	free(seen);
	return true;
}

/* Scheduled tasks: XP .job files, the Vista+ task folder, and the tasks
 * only SOFTWARE's TaskCache (SW, may be NULL) names. */
static void collect_tasks(struct collect *c, struct hive *sw)
{
	char rel[PATH_MAX], tasks[PATH_MAX];
	ar_collect_jobs(c);
	snprintf(rel, sizeof(rel), "%s/%s", c->sysroot, DIR_TASKS);
	if (winpath_resolve(c->ctx->root, rel, tasks, sizeof(tasks)) == 0)
		ar_collect_xml_dir(c, sw, tasks, "", 0);
	else
		ar_note_unread_dir(c, rel);
	if (sw)
		ar_collect_taskcache(c, sw, KEY_TREE, "", 0);
}

/* Flags and id of every entry listed. */
static void mark_entries(struct collect *c)
{
	/* What an earlier `scan --quarantine` took away: the manifest keeps each
	 * file's original path and its other names (hard links: an entry may
	 * start the file by any of them); a stream's file is still there: not
	 * counted. */
	struct rs_quarantine_entry *q = NULL;
	size_t nq = 0, cap = 1;
	struct rs_error sub = { 0 };
	if (rs_quarantine_list(c->ctx, &q, &nq, &sub) != RS_OK)
		ar_note(c, "quarantine: %s", sub.msg);
	for (size_t i = 0; i < nq; i++)
		cap += 1 + q[i].nnames;
	c->qpaths = calloc(cap, sizeof(*c->qpaths));
	for (size_t i = 0; c->qpaths && i < nq; i++) {
		if (q[i].stream)
			continue;
		c->qpaths[c->nq++] = q[i].path;
		for (size_t k = 0; k < q[i].nnames; k++)
			c->qpaths[c->nq++] = q[i].names[k];
	}
	if (!c->qpaths)
		ar_note(c, "quarantine: %s", "out of memory: the quarantined targets are not marked");
	for (size_t i = 0; i < c->out->n; i++) {
		set_flags(c, &c->out->v[i]);
		set_id(&c->out->v[i]);
	}
	free(c->qpaths);
	c->qpaths = NULL;
	rs_quarantine_list_free(q, nq);
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
		ar_note(&c, "%s", sub.msg);
		sw = NULL;
	}
	char *ver = sw ? hive_get_string(sw, KEY_NTCV, "CurrentVersion") : NULL;
	c.xp = ver && ver[0] == '5';
	free(ver);
	ar_machine_env(&c, sys, sw);
	find_sysroot(&c);

	collect_machine(&c, sys, sw);
	bool fits = collect_users(&c);
	if (fits)
		collect_tasks(&c, sw);
	hive_close(sw);
	hive_close(sys);
	if (!fits) {
		autoruns_free(out);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	if (c.rc) {
		autoruns_free(out);
		return rs_fail(err, RS_EPARTIAL, "out of memory listing autostart entries");
	}
	mark_entries(&c);
	return RS_OK;
}
