/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rescue/scan/places.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rescue/base/confine.h"
#include "rescue/base/grow.h"
#include "rescue/base/winpath.h"

/* In the order read: what runs at every logon first, then where droppers
 * write and start from, then the rest of the profiles' program data.  A
 * place inside one listed before it is not read twice (the scan skips what
 * it has read).  Windows Vista and later, then XP's names. */
static const char *const places[] = {
	"ProgramData/Microsoft/Windows/Start Menu/Programs/Startup",
	"Users/*/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup",
	"Documents and Settings/*/Start Menu/Programs/Startup",
	"Users/*/AppData/Local/Temp",
	"Documents and Settings/*/Local Settings/Temp",
	"Windows/Temp",
	"Users/*/Downloads",
	"Users/*/Desktop",
	"Documents and Settings/*/Desktop",
	"Users/*/AppData",
	"Documents and Settings/*/Application Data",
	"Documents and Settings/*/Local Settings/Application Data",
	"ProgramData",
};

struct list {
	char **v;
	size_t n, cap;
	int err;
};

/* REL (volume-relative, any case) added, spelled as on the disk, when it is
 * a folder, or with FILES_TOO a regular file, reached through no link. */
static void add(struct list *l, const char *root, const char *rel, bool files_too)
{
	char full[PATH_MAX];
	struct stat st;
	if (l->err || winpath_resolve(root, rel, full, sizeof(full)) != 0 || confine_lstat(full, &st) != 0 ||
	    !(S_ISDIR(st.st_mode) || (files_too && S_ISREG(st.st_mode))))
		return;
	size_t rl = strlen(root);
	const char *r = full[rl] == '/' ? full + rl + 1 : full + rl;
	if (!*r)
		return;         /* the volume itself: read last, as the rest */
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], r) == 0)
			return;
	char **nv = grow_room(l->v, &l->cap, l->n, sizeof(*nv), 32);
	if (!nv) {
		l->err = ENOMEM;
		return;
	}
	l->v = nv;
	if (!(l->v[l->n] = strdup(r)))
		l->err = ENOMEM;
	else
		l->n++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* PATTERN, "HEAD/ * /TAIL" (one '*': a user's folder), for each folder in
 * HEAD, in name order. */
static void add_each_user(struct list *l, const char *root, const char *pattern)
{
	const char *star = strstr(pattern, "/*/");
	char head[PATH_MAX], full[PATH_MAX];
	snprintf(head, sizeof(head), "%.*s", (int)(star - pattern), pattern);
	if (winpath_resolve(root, head, full, sizeof(full)) != 0)
		return;
	DIR *d = confine_opendir(full);
	if (!d)
		return;
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && n < 4096) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		char **nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			l->err = ENOMEM;
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char rel[PATH_MAX];
		snprintf(rel, sizeof(rel), "%s/%s/%s", head, names[i], star + 3);
		add(l, root, rel, false);
		free(names[i]);
	}
	free(names);
}

int places_list(const char *root, const char *const *first, size_t nfirst, char ***out, size_t *n)
{
	struct list l = { 0 };
	for (size_t i = 0; i < nfirst; i++)
		add(&l, root, first[i], true);
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		if (strstr(places[i], "/*/"))
			add_each_user(&l, root, places[i]);
		else
			add(&l, root, places[i], false);
	}
	if (l.err) {
		places_free(l.v, l.n);
		*out = NULL;
		*n = 0;
		return l.err;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

void places_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
