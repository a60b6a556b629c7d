/* SPDX-License-Identifier: GPL-2.0-or-later */
/* autoruns.c - autostart entries: names of kinds and flags, freeing, finding
 * by id.  Listing is in autoruns-list.c (with
 * autoruns-reg.c, autoruns-files.c, autoruns-resolve.c), disabling in
 * autoruns-disable.c. */
#include "hive/autoruns.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const autorun_kind_names[AR_KIND_N] = {
	[AR_RUN] = "run", [AR_WINLOGON] = "winlogon", [AR_APPINIT] = "appinit", [AR_IFEO] = "ifeo",
	[AR_SERVICE] = "service", [AR_DRIVER] = "driver", [AR_STARTUP] = "startup",
	[AR_TASK_JOB] = "task", [AR_TASK_XML] = "task", [AR_TASK_REG] = "task",
};

const char *const autorun_flag_names[7] = {
	"detected", "quarantined", "random-name", "missing", "windows", "disabled", "not-read",
};


void autoruns_free(struct autoruns *a)
{
	free(a->v);
	free(a->notes);
	memset(a, 0, sizeof(*a));
}

void autoruns_report_free(struct autoruns_report *r)
{
	free(r->steps);
	r->steps = NULL;
	r->n = 0;
}
const struct autorun *autoruns_find(const struct autoruns *a, const char *id)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcasecmp(a->v[i].id, id) == 0)
			return &a->v[i];
	return NULL;
}
