/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fleet.c - read a folder of reports and group them per machine. */
#include "rescue/run/fleet.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "rescue/base/confine.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/grow.h"
#include "rescue/scan/ioc.h"

/* How deep below the folder reports are looked for: reports/ itself, a
 * folder per building or per stick, and one more. */
enum { FLEET_MAX_DEPTH = 4 };

/* ERR appended to the list V of N (room for *CAP); false out of memory. */
static bool push_error(struct rs_error **v, size_t *n, size_t *cap, const struct rs_error *err)
{
	struct rs_error *b = grow_room(*v, cap, *n, sizeof(*b), 8);
	if (!b)
		return false;
	*v = b;
	b[(*n)++] = *err;
	return true;
}

static void add_unreadable(struct fleet *fl, const struct rs_error *err)
{
	if (!push_error(&fl->bad, &fl->nbad, &fl->bad_cap, err))
		fl->bad_lost = true;
}

static bool is_json_name(const char *name)
{
	size_t len = strlen(name);
	return len >= 5 && strcasecmp(name + len - 5, ".json") == 0;
}

/* The network card in NAME, the name /init gives a report it hands in
 * (COMPUTER-STAMP-525400770001.json: the MAC without colons, so two PCs with
 * the same computer name never overwrite each other), as 52:54:00:77:00:01;
 * "" for any other name (a stick's COMPUTER-STAMP.json ends in the stamp). */
static void nic_from_name(const char *name, char nic[18])
{
	enum { HEX = 12, EXT = 5 };     /* 12 hex digits, ".json" */
	size_t len = strlen(name);
	nic[0] = '\0';
	if (len < HEX + EXT + 1 || name[len - HEX - EXT - 1] != '-')
		return;
	const char *t = name + len - HEX - EXT;
	for (int i = 0; i < HEX; i++)
		if (!isxdigit((unsigned char)t[i]))
			return;
	for (int i = 0; i < HEX / 2; i++)
		snprintf(nic + 3 * i, 18 - 3 * (size_t)i, "%c%c%s", tolower((unsigned char)t[2 * i]),
			 tolower((unsigned char)t[2 * i + 1]), i < HEX / 2 - 1 ? ":" : "");
}

static int walk(struct fleet *fl, const char *dir, int depth)
{
	DIR *d = confine_opendir(dir);
	if (!d)
		return depth == 0 ? -1 : 0;
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[PATH_MAX];
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		struct stat st;
		if (confine_lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < FLEET_MAX_DEPTH)
				rc = walk(fl, path, depth + 1);
			continue;
		}
		if (!S_ISREG(st.st_mode) || !is_json_name(de->d_name))
			continue;
		struct report_summary s;
		struct rs_error err = { 0 };
		int r = report_summary_read(path, &s, &err);
		if (r == RS_ETARGET) {
			report_summary_free(&s);
			fl->other++;
		} else if (r != RS_OK) {
			report_summary_free(&s);
			add_unreadable(fl, &err);
		} else {
			nic_from_name(de->d_name, s.nic);
			struct report_summary *v = grow_room(fl->runs, &fl->runs_cap, fl->nruns, sizeof(*v), 64);
			if (!v) {
				rc = -2;
				report_summary_free(&s);
				break;
			}
			fl->runs = v;
			fl->runs[fl->nruns++] = s;
		}
	}
	closedir(d);
	return rc;
}

static int by_machine_then_time(const void *a, const void *b)
{
	const struct report_summary *x = a, *y = b;
	int c = strcasecmp(x->machine, y->machine);
	if (!c)
		c = strcmp(x->nic, y->nic);
	return c ? c : strcmp(x->stamp, y->stamp);
}

/* RED first, then YELLOW, then GREEN: what a technician must look at. */
static int attention(int verdict)
{
	static const int rank[] = { [VERDICT_GREEN] = 2, [VERDICT_RED] = 0, [VERDICT_YELLOW] = 1 };
	return verdict >= 0 && verdict < 3 ? rank[verdict] : 3;
}

static int machine_order(const void *a, const void *b)
{
	const struct fleet_machine *x = a, *y = b;
	int c = attention(x->verdict) - attention(y->verdict);
	if (!c)
		c = strcasecmp(x->name, y->name);
	return c ? c : strcmp(x->nic, y->nic);
}

static int group(struct fleet *fl)
{
	if (!fl->nruns)
		return 0;     /* an empty folder: qsort must not see the NULL list */
	qsort(fl->runs, fl->nruns, sizeof(*fl->runs), by_machine_then_time);
	/* at most one machine per run */
	if (!(fl->machines = calloc(fl->nruns, sizeof(*fl->machines))))
		return -1;
	for (size_t i = 0; i < fl->nruns;) {
		size_t j = i + 1;
		while (j < fl->nruns && strcasecmp(fl->runs[j].machine, fl->runs[i].machine) == 0 &&
		       strcmp(fl->runs[j].nic, fl->runs[i].nic) == 0)
			j++;
		struct fleet_machine *m = &fl->machines[fl->nmachines++];
		m->name = fl->runs[i].machine;
		m->nic = fl->runs[i].nic;
		m->runs = &fl->runs[i];
		m->nruns = j - i;
		m->verdict = report_verdict_parse(fl->runs[j - 1].verdict);
		i = j;
	}
	qsort(fl->machines, fl->nmachines, sizeof(*fl->machines), machine_order);
	return 0;
}

int fleet_read(const char *dir, bool confined, struct fleet *fl, struct rs_error *err)
{
	memset(fl, 0, sizeof(*fl));
	struct stat st;
	char real[PATH_MAX];
	errno = 0;
	if (!confined) {
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
			return rs_fail_errno(err, RS_ETARGET, errno ? errno : ENOTDIR, "%s", dir);
		if (confine_root_add_dir(dir, real) != 0)
			return rs_fail_errno(err, RS_ETARGET, errno, "%s", dir);
		dir = real;
	}
	int rc = walk(fl, dir, 0);
	int walk_errno = errno;
	if (!confined)
		confine_root_remove(dir);
	if (rc == -1)
		return rs_fail_errno(err, RS_ETARGET, walk_errno, "%s", dir);
	if (rc == -2 || group(fl) != 0)
		return rs_fail(err, RS_EPARTIAL, "%s: out of memory reading the reports", dir);
	return RS_OK;
}

void fleet_free(struct fleet *fl)
{
	for (size_t i = 0; i < fl->nruns; i++)
		report_summary_free(&fl->runs[i]);
	for (size_t i = 0; i < fl->nlearned; i++)
		free(fl->learned[i].seen);
	free(fl->learned);
	free(fl->learned_bad);
	free(fl->runs);
	free(fl->machines);
	free(fl->bad);
	memset(fl, 0, sizeof(*fl));
}

void fleet_count(const struct fleet *fl, bool by_machine, size_t count[3])
{
	count[0] = count[1] = count[2] = 0;
	size_t n = by_machine ? fl->nmachines : fl->nruns;
	for (size_t i = 0; i < n; i++) {
		int v = by_machine ? fl->machines[i].verdict : report_verdict_parse(fl->runs[i].verdict);
		if (v >= 0 && v < 3)
			count[v]++;
	}
}

void fleet_stamp_human(const char *s, char *out, size_t len)
{
	if (strlen(s) == 16 && s[8] == 'T')
		snprintf(out, len, "%.4s-%.2s-%.2s %.2s:%.2s:%.2sZ", s, s + 4, s + 6, s + 9, s + 11, s + 13);
	else
		snprintf(out, len, "%s", s);
}

/* ---- learned ---- */

/* A bad line or a list that cannot be read: named up to
 * FLEET_LEARNED_BAD_MAX, counted beyond. */
static void learned_problem(struct fleet *fl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void learned_problem(struct fleet *fl, const char *fmt, ...)
{
	struct rs_error e = { .code = RS_EPARTIAL };
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	if (fl->nlearned_bad >= FLEET_LEARNED_BAD_MAX || !push_error(&fl->learned_bad, &fl->nlearned_bad, &fl->learned_bad_cap, &e))
		fl->learned_bad_more++;
}

void fleet_learned_beside(const char *reports, char *out, size_t len)
{
	size_t n = strlen(reports);
	while (n > 1 && reports[n - 1] == '/')
		n--;
	while (n > 0 && reports[n - 1] != '/')
		n--;
	while (n > 1 && reports[n - 1] == '/')
		n--;
	if (n == 0)
		snprintf(out, len, "%s", LEARN_DIR);
	else
		snprintf(out, len, "%.*s/%s", (int)(n == 1 ? 0 : n), reports, LEARN_DIR);
}

/* The lines of the learned list PATH.  0, -1 out of memory. */
static int read_list(struct fleet *fl, const char *path)
{
	uint8_t *text = NULL;
	size_t len = 0;
	if (file_read_all(path, FLEET_LEARNED_FILE_MAX, &text, &len) != 0) {
		learned_problem(fl, "%s: %s: not read", path,
				errno == EFBIG ? "larger than 16 MiB" : confine_strerror(errno));
		return 0;
	}
	char *cur = (char *)text, *line;
	unsigned long lineno = 0;
	int rc = 0;
	while (rc == 0 && (line = text_next_line(&cur)) != NULL) {
		lineno++;
		struct learn_line l;
		const char *why = "";
		int r = learn_parse_line(line, &l, &why);
		if (r > 0)
			continue;
		if (r < 0) {
			learned_problem(fl, "%s:%lu: %s: line skipped", path, lineno, why);
			continue;
		}
		if (fl->nlearned >= FLEET_LEARNED_MAX) {
			fl->learned_more++;
			continue;
		}
		struct fleet_learned *v = grow_room(fl->learned, &fl->learned_cap, fl->nlearned, sizeof(*v), 64);
		if (!v) {
			rc = -1;
			break;
		}
		fl->learned = v;
		fl->learned[fl->nlearned++] = (struct fleet_learned){ .l = l };
	}
	free(text);
	return rc;
}

static int learned_order(const void *a, const void *b)
{
	const struct learn_line *x = &((const struct fleet_learned *)a)->l, *y = &((const struct fleet_learned *)b)->l;
	int c = strcmp(x->stamp, y->stamp);
	if (!c)
		c = strcasecmp(x->machine, y->machine);
	if (!c)
		c = strcmp(x->machine, y->machine);
	return c ? c : strcmp(x->sha256, y->sha256);
}

/* The runs after the one it was learned on (a run before it found it on
 * its own) whose detections hold L's hash, as indexes into fl->runs.  0,
 * -1 out of memory. */
static int find_seen(struct fleet *fl, struct fleet_learned *l)
{
	for (size_t i = 0; i < fl->nruns; i++) {
		const struct report_summary *s = &fl->runs[i];
		int when = strcmp(s->stamp, l->l.stamp);
		if (when < 0 || (when == 0 && strcasecmp(s->machine, l->l.machine) == 0) ||
		    !report_summary_detected(s, l->l.sha256))
			continue;
		size_t *v = grow_room(l->seen, &l->seen_cap, l->nseen, sizeof(*v), 4);
		if (!v)
			return -1;
		l->seen = v;
		l->seen[l->nseen++] = i;
	}
	return 0;
}

int fleet_read_learned(struct fleet *fl, const char *dir, bool optional, struct rs_error *err)
{
	struct stat st;
	char root[PATH_MAX];
	/* the folder itself may be the worm's link: not followed */
	errno = 0;
	if (optional && lstat(dir, &st) != 0 && errno == ENOENT)
		return RS_OK;
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || confine_root_add_dir(dir, root) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno ? errno : ENOTDIR, "%s: the learned hashes", dir);
	fl->have_learned = true;
	snprintf(fl->learned_dir, sizeof(fl->learned_dir), "%s", dir);
	int rc = RS_OK;
	DIR *d = confine_opendir(root);
	if (!d) {
		rc = rs_fail_errno(err, RS_ETARGET, errno, "%s: the learned hashes", dir);
		goto out;
	}
	struct dirent *de;
	while (rc == RS_OK && (de = readdir(d)) != NULL) {
		char path[PATH_MAX];
		if (de->d_name[0] == '.' || rs_ioc_kind_of(de->d_name) != RS_IOC_HASH ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", root, de->d_name) >= sizeof(path))
			continue;
		if (confine_lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			learned_problem(fl, "%s: not a regular file (a link?): not read", path);
			continue;
		}
		if (read_list(fl, path) != 0)
			rc = rs_fail(err, RS_EPARTIAL, "%s: out of memory reading the learned hashes", dir);
	}
	closedir(d);
	if (rc != RS_OK)
		goto out;
	if (fl->nlearned)
		qsort(fl->learned, fl->nlearned, sizeof(*fl->learned), learned_order);
	/* the same line twice (a list copied) is one */
	size_t kept = 0;
	for (size_t i = 0; i < fl->nlearned; i++)
		if (!kept || learned_order(&fl->learned[kept - 1], &fl->learned[i]) != 0)
			fl->learned[kept++] = fl->learned[i];
	fl->nlearned = kept;
	for (size_t i = 0; i < fl->nlearned && rc == RS_OK; i++) {
		if (find_seen(fl, &fl->learned[i]) != 0)
			rc = rs_fail(err, RS_EPARTIAL, "%s: out of memory reading the learned hashes", dir);
		else if (fl->learned[i].nseen)
			fl->learned_seen++;
	}
out:
	confine_root_remove(root);
	return rc;
}
