/* SPDX-License-Identifier: GPL-2.0-or-later */
/* profiles.h - the user profiles of an installation and their NTUSER.DAT:
 * Users/<name>/ (Vista and later) and Documents and Settings/<name>/ (XP),
 * found on disk, any case.  Containment edits every user hive; persistence
 * reads every user's Run keys and Startup folder. */
#ifndef HIVE_PROFILES_H
#define HIVE_PROFILES_H

#include <stddef.h>

#include "rescue/base/ctx.h"

struct profile {
	char name[256];             /* folder name: "Pat", "Default" */
	char dir[PATH_MAX];         /* volume-relative profile folder */
	char hive[PATH_MAX];        /* volume-relative NTUSER.DAT, real spelling */
};

/* Every profile folder holding an NTUSER.DAT, sorted by path.  *out is
 * malloc'd (free it), *n may be 0. */
int profiles_list(struct rs_ctx *ctx, struct profile **out, size_t *n, struct rs_error *err);

#endif
