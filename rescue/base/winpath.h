/* SPDX-License-Identifier: GPL-2.0-or-later */
/* winpath.h - Windows paths on a Linux view of an NTFS volume.
 *
 * Windows names are case-insensitive; a mounted or copied volume is not.
 * "WINDOWS/system32/config/software" on XP is the same file as
 * "Windows/System32/config/SOFTWARE" on Windows 10.  These functions find the
 * real spelling of each component.  Relative paths use '/' or '\\'. */
#ifndef RESCUE_WINPATH_H
#define RESCUE_WINPATH_H

#include <stdbool.h>
#include <stddef.h>

/* Resolve REL under ROOT, matching each component case-insensitively, into
 * OUT (ROOT + '/' + the real spelling).  Returns 0 when the whole path exists,
 * -1 with errno set (ENOENT, ENAMETOOLONG...) otherwise. */
int winpath_resolve(const char *root, const char *rel, char *out, size_t outlen);

/* Like winpath_resolve, but a missing tail is appended as spelled in REL (for
 * files and folders about to be created).  Returns 0, or -1 with errno set
 * when OUT is too small or ROOT does not exist. */
int winpath_resolve_new(const char *root, const char *rel, char *out, size_t outlen);

/* The part of PATH relative to ROOT ("Windows/System32/config/SAM"), borrowed
 * from PATH; PATH itself when it is not under ROOT. */
const char *winpath_relative(const char *root, const char *path);

/* Whether path S (components separated by SEP) matches pattern P:
 * case-insensitive; `*` is any run of characters inside one component; a
 * whole component `**` is any number of components. */
bool winpath_glob(const char *p, const char *s, char sep);

/* mkdir -p for a real (already resolved) path; 0 or -1 with errno. */
int winpath_mkdirs(const char *path, unsigned mode);

#endif
