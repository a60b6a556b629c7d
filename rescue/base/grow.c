/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

void *grow_room(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
	if (n < *cap)
		return v;
	size_t nc = *cap ? *cap * 2 : first;
	if (nc < *cap || (size && nc > SIZE_MAX / size)) {
		errno = ENOMEM;
		return NULL;
	}
	void *nv = realloc(v, nc * size);
	if (nv)
		*cap = nc;
	return nv;
}
