/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/run/firstfiles.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hive/autoruns.h"

void firstfiles_autostart(struct rs_ctx *ctx, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct autoruns a = { 0 };
	struct rs_error err = { 0 };
	if (autoruns_list(ctx, NULL, &a, &err) != RS_OK) {
		autoruns_free(&a);
		return;
	}
	char **v = calloc(a.n + 1, sizeof(*v));
	for (size_t i = 0; v && i < a.n; i++) {
		const struct autorun *e = &a.v[i];
		if (!e->exists || !e->target[0] || (e->flags & AR_F_WINDOWS))
			continue;
		bool seen = false;
		for (size_t k = 0; k < *n && !seen; k++)
			seen = strcmp(v[k], e->target) == 0;
		if (!seen && (v[*n] = strdup(e->target)) != NULL)
			(*n)++;
	}
	autoruns_free(&a);
	*out = v;
}

void firstfiles_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
