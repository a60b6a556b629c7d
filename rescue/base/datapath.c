/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/datapath.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int try(const char *dir, const char *name, char *out, size_t outlen)
{
	if ((size_t)snprintf(out, outlen, "%s/%s", dir, name) >= outlen)
		return -1;
	return access(out, R_OK);
}

int rs_data_path(const char *name, char *out, size_t outlen)
{
	const char *env = getenv("RESCUE_DATA");
	if (env && *env && try(env, name, out, outlen) == 0)
		return 0;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			strcpy(slash, "/rules");
			if (try(exe, name, out, outlen) == 0)
				return 0;
		}
	}
	if (try("/usr/share/rescue/rules", name, out, outlen) == 0)
		return 0;
	errno = ENOENT;
	return -1;
}
