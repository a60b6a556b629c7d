/* SPDX-License-Identifier: GPL-2.0-or-later */
/* datapath.h - where rescue finds its own data files (compiled rules, the
 * known-bad hash list, the C2 host list) on a workstation build and on the
 * boot image: one search order for all of them.
 *   1. the file's own variable, for the files that have one:
 *      $RESCUE_RULES (compiled.yarc), $RESCUE_HASHES (hashes.sha256);
 *      named explicitly, it is used as it is, even when it does not exist
 *      (the caller then fails on it rather than quietly taking another);
 *   2. $RESCUE_DATA/NAME (a folder of data files);
 *   3. <folder of the rescue binary>/rules/NAME (the build tree: build/rules/);
 *   4. /usr/share/rescue/rules/NAME (the boot image). */
#ifndef RESCUE_DATAPATH_H
#define RESCUE_DATAPATH_H

#include <stddef.h>

/* The data files rescue ships (names under the data folders). */
#define RS_DATA_RULES  "compiled.yarc"
#define RS_DATA_HASHES "hashes.sha256"

/* Find NAME; 0 and OUT filled, or -1 (errno ENOENT) when no candidate
 * exists (ENAMETOOLONG when the path does not fit OUTLEN bytes). */
int rs_data_path(const char *name, char *out, size_t outlen);

#endif
