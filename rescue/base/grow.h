/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grow.h - room in a growing array: doubled when full, so that a list of
 * many entries costs no realloc each.  The array stays its owner's; this
 * only reallocates it. */
#ifndef RESCUE_GROW_H
#define RESCUE_GROW_H

#include <stddef.h>

/* Room for one more entry of SIZE bytes in V, which holds N of *CAP
 * allocated: V itself when there is room, else V reallocated to twice
 * *CAP (FIRST entries the first time) with *CAP updated.  NULL when out of
 * memory, V and *CAP unchanged (V still the caller's to free). */
void *grow_room(void *v, size_t *cap, size_t n, size_t size, size_t first);

#endif
