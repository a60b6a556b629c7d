/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/othernames.h"

#include <stdlib.h>
#include <string.h>

#include "rescue/base/json.h"
#include "rescue/base/textesc.h"

int othernames_copy(struct othernames *o, const char *const *names, size_t n, const char *self)
{
	memset(o, 0, sizeof(*o));
	size_t others = 0;
	for (size_t i = 0; i < n; i++)
		others += names[i] && !(self && strcmp(names[i], self) == 0);
	if (!others)
		return 0;
	size_t keep = others < OTHERNAMES_SHOWN ? others : OTHERNAMES_SHOWN;
	if (!(o->v = calloc(keep, sizeof(*o->v)))) {
		o->unlisted = others;
		return -1;
	}
	for (size_t i = 0; i < n && o->n < keep; i++) {
		if (!names[i] || (self && strcmp(names[i], self) == 0))
			continue;
		if (!(o->v[o->n] = strdup(names[i]))) {
			o->unlisted = others - o->n;
			return -1;
		}
		o->n++;
	}
	o->unlisted = others - o->n;
	return 0;
}

void othernames_free(struct othernames *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->v[i]);
	free(o->v);
	memset(o, 0, sizeof(*o));
}

void othernames_json(FILE *f, const struct othernames *o)
{
	fputs(",\"other_names\":[", f);
	for (size_t i = 0; i < o->n; i++) {
		if (i)
			fputc(',', f);
		json_put_str(f, o->v[i]);
	}
	fprintf(f, "],\"other_names_unlisted\":%zu", o->unlisted);
}

void othernames_text(FILE *f, const char *indent, const struct othernames *o)
{
	for (size_t i = 0; i < o->n; i++)
		textesc_fprintf(f, "%salso named %s\n", indent, o->v[i]);
	if (o->unlisted)
		textesc_fprintf(f, "%sand %zu more name%s\n", indent, o->unlisted, o->unlisted == 1 ? "" : "s");
}
