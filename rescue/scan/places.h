/* SPDX-License-Identifier: GPL-2.0-or-later */
/* places.h - the worm's places on a Windows volume, which the scan reads
 * before the rest (issue 14): autostart folders, the temporary folders and
 * the profile folders droppers write to, ProgramData.  A detection there
 * shows early, so the verdict RED is known long before the scan ends. */
#ifndef RESCUE_PLACES_H
#define RESCUE_PLACES_H

#include <stddef.h>

/* The places on the volume at ROOT, volume-relative, spelled as on the disk,
 * in the order to scan them: FIRST (NFIRST paths the caller knows, such as
 * the files autostart entries start; volume-relative) then the table's.
 * Only those that exist as a folder (or, from FIRST, a regular file) with no
 * link on the way; "*" in the table stands for each user's folder.  A new
 * array of new strings in *OUT, *N of them (free with places_free).
 * Returns 0 or ENOMEM. */
int places_list(const char *root, const char *const *first, size_t nfirst, char ***out, size_t *n);
void places_free(char **v, size_t n);

#endif
