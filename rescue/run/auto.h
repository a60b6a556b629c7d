/* SPDX-License-Identifier: GPL-2.0-or-later */
/* auto.h - the unattended run (`rescue auto`): on every Windows installation
 * found, detect -> contain -> passwd -> permissions -> scan -> report, as rescue.conf says
 * (rescue/run/conf.h), then one verdict for the machine: GREEN, RED or YELLOW
 * (rescue/run/report.h).
 *
 * The driver calls the same core functions as the CLI commands and the UI;
 * it decides nothing they do not.  It never prints: the front end follows it
 * through the callbacks and shows the verdict.
 *
 * Safety: in report-only mode (mode = report) every installation is opened
 * read-only and nothing is written to it, not even the report (which then
 * goes to reports_dir only).  A hibernated Windows is, by default, opened
 * read-only the same way and the run is YELLOW (hibernated = report).
 * The scan rules are loaded (and a damaged .yarc refused, rescue/scan/yarc.h)
 * before any installation is opened: when they cannot load, contain, passwd,
 * permissions and autoruns are refused, no hibernation file is removed, only the report
 * is written, the run is YELLOW "not scanned" and OUT->problem says why.
 *
 * Ownership: auto_result_free frees what auto_run filled. */
#ifndef RESCUE_AUTO_H
#define RESCUE_AUTO_H

#include <stdbool.h>
#include <stddef.h>

#include "rescue/run/conf.h"
#include "rescue/run/report.h"
#include "rescue/scan/scan.h"

/* The log sheet of every report in reports_dir (rescue/run/fleethtml.h),
 * rewritten there after each run. */
#define AUTO_LOG_SHEET "log-sheet.html"

struct auto_events {
	/* A step of installation R begins (S NULL) or ends (S its record). */
	void (*step)(const struct report *r, const char *name, const struct report_step *s, void *user);
	/* A file was detected; ACTION says what was done with it. */
	void (*detection)(const struct report *r, const char *path, const char *rules, const char *action,
			  void *user);
	/* Scan progress, about once a second. */
	void (*progress)(const struct report *r, const struct rs_scan_progress *p, void *user);
	void *user;
};

struct auto_result {
	struct report *reports;     /* one per installation */
	size_t n;
	enum report_verdict verdict;    /* the worst of them; YELLOW when none was found */
	char problem[512];          /* why the run could not start or found nothing, "" otherwise */
};

/* Run on the installation at ROOT (a mounted volume or a tree laid out like
 * one) when given, else on every Windows installation of DISK (a disk,
 * partition or image file), else of every local disk (the boot case:
 * volumes are mounted through rescue/disk/target.h, read-only where nothing may
 * be written).  CTX_FLAGS (RS_CTX_FORCE: --force) are added to every
 * installation's context.  Returns the exit code of the run: 0 GREEN, 1 RED, 4 YELLOW,
 * 3 when no installation could be worked on (OUT->problem says why).  OUT is
 * always filled (free it with auto_result_free). */
int auto_run(const struct rs_conf *conf, const char *root, const char *disk, unsigned ctx_flags,
	     const struct auto_events *ev, struct auto_result *out);
void auto_result_free(struct auto_result *res);

#endif
