/* SPDX-License-Identifier: GPL-2.0-or-later */
/* datapath.h - where rescue finds its own data files (compiled rules, the C2
 * host list, hash lists) on a workstation build and on the boot image.
 * Search order: $RESCUE_DATA/NAME, <folder of the rescue binary>/rules/NAME
 * (the build tree: build/rules/), /usr/share/rescue/rules/NAME (the image). */
#ifndef RESCUE_DATAPATH_H
#define RESCUE_DATAPATH_H

#include <stddef.h>

/* Find NAME; 0 and OUT filled, or -1 (errno ENOENT) when no candidate exists. */
int rs_data_path(const char *name, char *out, size_t outlen);

#endif
