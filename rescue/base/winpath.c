/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/winpath.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "rescue/base/confine.h"

/* Find NAME in directory DIR ignoring ASCII case; copy the real spelling to
 * FOUND.  An exact match wins over a case-folded one, so a Linux directory
 * holding both "a" and "A" stays predictable. */
static bool find_entry(const char *dir, const char *name, size_t namelen,
		       char *found, size_t foundlen)
{
	DIR *d = confine_opendir(dir);
	if (!d)
		return false;
	bool ok = false;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strlen(e->d_name) != namelen || strncasecmp(e->d_name, name, namelen) != 0)
			continue;
		if (strlen(e->d_name) + 1 > foundlen)
			continue;
		strcpy(found, e->d_name);
		ok = true;
		if (strncmp(e->d_name, name, namelen) == 0)
			break;
	}
	closedir(d);
	return ok;
}

static int resolve(const char *root, const char *rel, char *out, size_t outlen, bool allow_new)
{
	size_t len = strlen(root);
	if (len + 1 > outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(out, root, len + 1);
	while (len > 1 && out[len - 1] == '/')
		out[--len] = '\0';
	bool missing = false;
	const char *p = rel;
	while (*p) {
		while (*p == '/' || *p == '\\')
			p++;
		if (!*p)
			break;
		const char *end = p;
		while (*end && *end != '/' && *end != '\\')
			end++;
		size_t n = (size_t)(end - p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			/* A path from a journal or a config must never climb out
			 * of the Windows volume. */
			errno = EINVAL;
			return -1;
		}
		char real[256];
		if (n >= sizeof(real)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (!missing && find_entry(out, p, n, real, sizeof(real))) {
			/* found: real holds the on-disk spelling */
		} else {
			if (!allow_new) {
				errno = ENOENT;
				return -1;
			}
			missing = true;
			memcpy(real, p, n);
			real[n] = '\0';
		}
		size_t rl = strlen(real);
		if (len + 1 + rl + 1 > outlen) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (len == 0 || out[len - 1] != '/')
			out[len++] = '/';
		memcpy(out + len, real, rl + 1);
		len += rl;
		p = end;
		/* A link on the worm's volume is never a way on: not to the
		 * next folder, and not as the file itself. */
		struct stat st;
		if (!missing && confine_lstat_nolink(out, &st) != 0)
			return -1;
	}
	return 0;
}

int winpath_resolve(const char *root, const char *rel, char *out, size_t outlen)
{
	return resolve(root, rel, out, outlen, false);
}

int winpath_resolve_new(const char *root, const char *rel, char *out, size_t outlen)
{
	struct stat st;
	if (stat(root, &st) != 0)
		return -1;
	return resolve(root, rel, out, outlen, true);
}

const char *winpath_relative(const char *root, const char *path)
{
	size_t n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (strncmp(root, path, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

int winpath_mkdirs(const char *path, unsigned mode)
{
	return confine_mkdirs(path, mode);
}

bool winpath_glob(const char *p, const char *s, char sep)
{
	for (; *p; p++, s++) {
		if (p[0] == '*' && p[1] == '*') {
			p += 2;
			if (!*p)
				return true;
			p += *p == sep;
			for (;;) {
				if (winpath_glob(p, s, sep))
					return true;
				if (!(s = strchr(s, sep)))
					return false;
				s++;
			}
		}
		if (*p == '*') {
			for (;; s++) {
				if (winpath_glob(p + 1, s, sep))
					return true;
				if (!*s || *s == sep)
					return false;
			}
		}
		if (!*s || tolower((unsigned char)*p) != tolower((unsigned char)*s))
			return false;
	}
	return !*s;
}
