/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/datapath.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Data files a variable of their own can name (rescue.8, ENVIRONMENT). */
static const struct {
	const char *name, *env;
} own_variable[] = {
	{ RS_DATA_RULES, "RESCUE_RULES" },
	{ RS_DATA_HASHES, "RESCUE_HASHES" },
};

/* The folders searched for every data file: the one the variable names,
 * then <bindir>/rules, then the boot image's. */
#define DATA_DIR_ENV    "RESCUE_DATA"
#define DATA_DIR_SYSTEM "/usr/share/rescue/rules"

static int try(const char *dir, const char *name, char *out, size_t outlen)
{
	if ((size_t)snprintf(out, outlen, "%s/%s", dir, name) >= outlen)
		return -1;
	return access(out, R_OK);
}

/* <folder of the running binary>/rules into DIR; false when unknown. */
static bool beside_binary(char *dir, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", dir, len - 1);
	if (n <= 0)
		return false;
	dir[n] = '\0';
	char *slash = strrchr(dir, '/');
	if (!slash || (size_t)(slash - dir) + sizeof("/rules") > len)
		return false;
	strcpy(slash, "/rules");
	return true;
}

int rs_data_path(const char *name, char *out, size_t outlen)
{
	for (size_t i = 0; i < sizeof(own_variable) / sizeof(own_variable[0]); i++) {
		const char *file = strcmp(name, own_variable[i].name) == 0 ? getenv(own_variable[i].env) : NULL;
		if (!file || !*file)
			continue;
		if ((size_t)snprintf(out, outlen, "%s", file) < outlen)
			return 0;       /* named explicitly: used or failed on */
		errno = ENAMETOOLONG;
		return -1;
	}
	const char *env = getenv(DATA_DIR_ENV);
	if (env && *env && try(env, name, out, outlen) == 0)
		return 0;
	char exe[PATH_MAX];
	if (beside_binary(exe, sizeof(exe)) && try(exe, name, out, outlen) == 0)
		return 0;
	if (try(DATA_DIR_SYSTEM, name, out, outlen) == 0)
		return 0;
	errno = ENOENT;
	return -1;
}
