/* SPDX-License-Identifier: GPL-2.0-or-later */
/* autoruns-files.c - autostart entries in files: Startup folders, XP .job
 * tasks, Vista+ task XML and the tasks only the TaskCache names. */
#include "hive/autoruns-priv.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "hive/hive.h"
#include "hive/taskfile.h"
#include "rescue/base/confine.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/winpath.h"

#define JOB_MAX       ((size_t)1 << 20)          /* .job and link files are small */
/* Task XML is a few KiB; a larger one is read up to this (expat reads 8 MiB
 * in milliseconds), beyond it is named as not read. */
#define TASK_XML_MAX  ((size_t)8 << 20)
/* Windows' own task folders nest 3 deep; a deeper folder is named, not walked. */
#define TREE_DEPTH    64

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
	struct autorun *a = ar_add(c, kind);
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
	ar_slashes(out, '/', '\\');
}

void ar_collect_startup_dir(struct collect *c, const char *dirrel, const char *user, const struct winenv *env,
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
		struct autorun *a = ar_add(c, AR_STARTUP);
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
				ar_analyse(c, a, env);
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
void ar_note_unread_dir(struct collect *c, const char *rel)
{
	if (errno == ENOENT)
		return;
	struct rs_error sub;
	rs_fail_errno(&sub, RS_EPARTIAL, errno, "%s not read", rel);
	ar_note(c, "%s", sub.msg);
}

void ar_collect_jobs(struct collect *c)
{
	char rel[PATH_MAX], dir[PATH_MAX];
	snprintf(rel, sizeof(rel), "%s/%s", c->sysroot, DIR_TASKS_XP);
	if (winpath_resolve(c->ctx->root, rel, dir, sizeof(dir)) != 0) {
		ar_note_unread_dir(c, rel);
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
		struct autorun *a = ar_add(c, AR_TASK_JOB);
		if (a) {
			snprintf(a->location, sizeof(a->location), "%s", drel);
			snprintf(a->name, sizeof(a->name), "%s", name);
			snprintf(a->file, sizeof(a->file), "%s", frel);
			snprintf(a->command, sizeof(a->command), "%s%s%s%s%s", strchr(app, ' ') ? "\"" : "", app,
				 strchr(app, ' ') ? "\"" : "", params[0] ? " " : "", params);
			ar_analyse(c, a, &c->machine);
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

/* The task file at PATH (ST: its lstat), the task TPATH of the folder
 * DREL: listed once per <Exec> action, or named as not read with the
 * reason. */
static void collect_xml_file(struct collect *c, struct hive *sw, const char *drel, const char *path,
			     const struct stat *st, const char *tpath)
{
	char why[200] = "";
	const char *rel = winpath_relative(c->ctx->root, path);
	uint8_t *buf = NULL;
	size_t len = 0;
	bool regular;
	if (read_task_file(path, st, TASK_XML_MAX, &buf, &len, why, sizeof(why), &regular) != 0) {
		struct autorun *a = add_unread(c, AR_TASK_XML, drel, tpath, regular ? rel : "", why);
		if (a && regular)
			taskcache_of(sw, tpath, a);
		return;
	}
	struct task_exec *ex = NULL;
	size_t n = 0;
	struct rs_error perr = { 0 };
	int prc = taskxml_parse(buf, len, &ex, &n, &perr);
	free(buf);
	if (prc == RS_EPARTIAL) {
		c->rc = RS_EPARTIAL;
		return;
	}
	if (prc != RS_OK) {
		struct autorun *a = add_unread(c, AR_TASK_XML, drel, tpath, rel, perr.msg);
		if (a)
			taskcache_of(sw, tpath, a);
		return;
	}
	for (size_t i = 0; i < (n ? n : 1) && c->rc == RS_OK; i++) {
		struct autorun *a = ar_add(c, AR_TASK_XML);
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
		ar_analyse(c, a, &c->machine);
	}
	task_exec_free(ex, n);
}

/* Walk System32/Tasks: every file is a task named by its path, listed once
 * per <Exec> action or named as not read with the reason. */
void ar_collect_xml_dir(struct collect *c, struct hive *sw, const char *dir, const char *taskpath, int depth)
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
				ar_collect_xml_dir(c, sw, path, tpath, depth + 1);
			else
				add_unread(c, AR_TASK_XML, drel, tpath, "", "folder nested too deep (over 64 levels): not walked");
			continue;
		}
		collect_xml_file(c, sw, drel, path, &st, tpath);
	}
	closedir(d);
}

/* Tasks the TaskCache names whose XML file is gone: hidden or left over. */
void ar_collect_taskcache(struct collect *c, struct hive *sw, const char *key, const char *taskpath, int depth)
{
	if (depth >= TREE_DEPTH) {
		ar_note(c, "TaskCache key nested too deep (over 64 levels), not read: %s", key);
		return;
	}
	char **names = ar_subkeys(sw, key);
	for (size_t i = 0; names && names[i] && c->rc == RS_OK; i++) {
		char sub[1200], tpath[1024], frel[PATH_MAX], real[PATH_MAX];
		snprintf(sub, sizeof(sub), "%s\\%s", key, names[i]);
		snprintf(tpath, sizeof(tpath), "%s\\%s", taskpath, names[i]);
		char *id = hive_get_string(sw, sub, "Id");
		if (id) {
			snprintf(frel, sizeof(frel), "%s/%s%s", c->sysroot, DIR_TASKS, tpath);
			ar_slashes(frel, '\\', '/');
			/* Only a file that is not there makes a registry-only task:
			 * one that is a link was named as not read by the folder walk. */
			if (winpath_resolve(c->ctx->root, frel, real, sizeof(real)) != 0 && errno == ENOENT) {
				struct autorun *a = ar_add(c, AR_TASK_REG);
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
		ar_collect_taskcache(c, sw, sub, tpath, depth + 1);
	}
	ar_free_names(names);
}
