/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fleet.c - read a folder of reports and group them per machine. */
#include "rescue/run/fleet.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "rescue/base/confine.h"

/* How deep below the folder reports are looked for: reports/ itself, a
 * folder per building or per stick, and one more. */
enum { FLEET_MAX_DEPTH = 4 };

static void add_unreadable(struct fleet *fl, const struct rs_error *err)
{
	struct rs_error *b = realloc(fl->bad, (fl->nbad + 1) * sizeof(*b));
	if (!b) {
		fl->bad_lost = true;
		return;
	}
	fl->bad = b;
	fl->bad[fl->nbad++] = *err;
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
			fl->other++;
		} else if (r != RS_OK) {
			add_unreadable(fl, &err);
		} else {
			nic_from_name(de->d_name, s.nic);
			struct report_summary *v = realloc(fl->runs, (fl->nruns + 1) * sizeof(*v));
			if (!v) {
				rc = -2;
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
	qsort(fl->runs, fl->nruns, sizeof(*fl->runs), by_machine_then_time);
	for (size_t i = 0; i < fl->nruns;) {
		size_t j = i + 1;
		while (j < fl->nruns && strcasecmp(fl->runs[j].machine, fl->runs[i].machine) == 0 &&
		       strcmp(fl->runs[j].nic, fl->runs[i].nic) == 0)
			j++;
		struct fleet_machine *m = realloc(fl->machines, (fl->nmachines + 1) * sizeof(*m));
		if (!m)
			return -1;
		fl->machines = m;
		m = &fl->machines[fl->nmachines++];
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
