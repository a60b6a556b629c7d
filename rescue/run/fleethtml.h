/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fleethtml.h - the log sheet: one self-contained HTML page of a fleet's
 * reports (rescue/run/fleet.h), to open in any browser, offline.
 *
 * One row per machine, RED and YELLOW first: a sticker of the latest
 * verdict, the computer name, the time, detections, quarantined files,
 * whether a password was reset, notes, and every earlier run of that
 * machine as its history.  Counts per verdict (machines, latest run) at the
 * top; unreadable reports named at the end; then, when a learned/ folder
 * was read, the learned hashes and the machines that saw each again.  No script, no file from
 * anywhere else: inline CSS only.  Every text from a report is escaped
 * twice over: control characters and bidi overrides as the text output
 * shows them (textesc.h), then for HTML. */
#ifndef RESCUE_FLEETHTML_H
#define RESCUE_FLEETHTML_H

#include <stdio.h>

#include "rescue/base/error.h"
#include "rescue/run/fleet.h"

struct fleet_html_opts {
	const char *source;   /* what the page is of (the folder), shown in its header */
	int refresh_secs;     /* > 0: the page asks the browser to reload itself (--watch) */
};

/* Write the page to F.  0, or -1 when F failed. */
int fleet_html_write(FILE *f, const struct fleet *fl, const struct fleet_html_opts *o);

/* Write the page to PATH, replacing it whole (a reader never sees half a
 * page); through confine.h when PATH is below a confined root. */
int fleet_html_save(const char *path, const struct fleet *fl, const struct fleet_html_opts *o,
		    struct rs_error *err);

#endif
