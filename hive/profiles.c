/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hive/profiles.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rescue/base/confine.h"
#include "rescue/base/winpath.h"

static const char *const profile_roots[] = { "Users", "Documents and Settings" };

static int cmp_profile(const void *a, const void *b)
{
	return strcmp(((const struct profile *)a)->hive, ((const struct profile *)b)->hive);
}

int profiles_list(struct rs_ctx *ctx, struct profile **out, size_t *n, struct rs_error *err)
{
	struct profile *v = NULL;
	size_t count = 0;
	for (size_t r = 0; r < sizeof(profile_roots) / sizeof(profile_roots[0]); r++) {
		char dir[PATH_MAX];
		if (winpath_resolve(ctx->root, profile_roots[r], dir, sizeof(dir)) != 0)
			continue;
		struct stat st;
		/* On Vista and later "Documents and Settings" is a junction to
		 * Users: a link is not a second set of profiles. */
		if (confine_lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		DIR *d = confine_opendir(dir);
		if (!d)
			continue;
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			char pdir[PATH_MAX], hive[PATH_MAX];
			if ((size_t)snprintf(pdir, sizeof(pdir), "%s/%s", dir, e->d_name) >= sizeof(pdir))
				continue;
			/* A profile folder that is a link is not followed, and
			 * not named: Windows makes such links itself ("All
			 * Users", "Default User"). */
			if (confine_lstat(pdir, &st) != 0 || !S_ISDIR(st.st_mode))
				continue;
			/* An NTUSER.DAT that is a link or a FIFO is listed all
			 * the same: opening it as a hive refuses it by name,
			 * where leaving it out would hide the user. */
			if (winpath_resolve(pdir, "NTUSER.DAT", hive, sizeof(hive)) != 0) {
				if (errno != ELOOP ||
				    (size_t)snprintf(hive, sizeof(hive), "%s/NTUSER.DAT", pdir) >= sizeof(hive))
					continue;
			} else if (confine_lstat(hive, &st) != 0 || S_ISDIR(st.st_mode)) {
				continue;
			}
			struct profile *nv = realloc(v, (count + 1) * sizeof(*nv));
			if (!nv) {
				closedir(d);
				free(v);
				return rs_fail(err, RS_EPARTIAL, "out of memory");
			}
			v = nv;
			struct profile *p = &v[count++];
			snprintf(p->name, sizeof(p->name), "%s", e->d_name);
			snprintf(p->dir, sizeof(p->dir), "%s", winpath_relative(ctx->root, pdir));
			snprintf(p->hive, sizeof(p->hive), "%s", winpath_relative(ctx->root, hive));
		}
		closedir(d);
	}
	if (count)
		qsort(v, count, sizeof(*v), cmp_profile);
	*out = v;
	*n = count;
	return RS_OK;
}
