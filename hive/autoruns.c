/* SPDX-License-Identifier: GPL-2.0-or-later */
/* autoruns.c - autostart entries: names of kinds and flags, freeing, finding
 * by id, disabling what a scan detected.  Listing is in autoruns-list.c (with
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

int autoruns_disable_for_files(struct rs_ctx *ctx, const char *const *paths, size_t n,
			       struct autoruns_report *report, struct rs_error *err)
{
	memset(report, 0, sizeof(*report));
	if (n == 0)
		return RS_OK;
	struct autoruns_opts opts = { .detected = paths, .ndetected = n };
	struct autoruns list;
	int rc = autoruns_list(ctx, &opts, &list, err);
	if (rc)
		return rc;
	char **ids = calloc(list.n + 1, sizeof(*ids));
	size_t nids = 0;
	if (!ids) {
		autoruns_free(&list);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	for (size_t i = 0; i < list.n; i++)
		if (list.v[i].flags & AR_F_DETECTED)
			ids[nids++] = list.v[i].id;
	rc = autoruns_disable(ctx, &list, ids, nids, report, err);
	free(ids);
	autoruns_free(&list);
	return rc;
}
