/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fleet.h - the reports of many machines, read from a folder (the RESCUE
 * stick's reports/, or where a building's reports were collected): every
 * run, grouped per machine, for `rescue fleet` and the HTML log sheet.
 *
 * The folder comes from sticks the worm may have written: it is walked
 * through confine.h (no link followed, no FIFO opened), a report rescue
 * cannot read or whose verdict it does not know is listed as unreadable,
 * never counted.  A machine is its computer name and, for a report handed in
 * over the network, its network card: two PCs with the same name are two. */
#ifndef RESCUE_FLEET_H
#define RESCUE_FLEET_H

#include <stdbool.h>
#include <stddef.h>

#include "rescue/base/error.h"
#include "rescue/run/report.h"

struct fleet_machine {
	const char *name;               /* the computer name ("" when unknown) */
	const char *nic;                /* the network card of a network boot ("" when none) */
	struct report_summary *runs;    /* into fleet.runs, oldest first */
	size_t nruns;
	int verdict;                    /* of the latest run: enum report_verdict */
};

struct fleet {
	struct report_summary *runs;    /* every report, by machine then time */
	size_t nruns;
	struct fleet_machine *machines; /* RED first, then YELLOW, then GREEN; by name within */
	size_t nmachines;
	struct rs_error *bad;           /* unreadable reports: each message starts with the path */
	size_t nbad;
	size_t other;                   /* .json files that are not reports */
	bool bad_lost;                  /* out of memory while listing the unreadable: more exist */
};

/* Read every report below DIR (four folders deep).  With CONFINED the
 * caller has already registered DIR as a confined root (confine.h).  Free
 * with fleet_free, also after an error.  RS_OK, or RS_ETARGET when DIR is
 * not a folder that can be read, RS_EPARTIAL out of memory. */
int fleet_read(const char *dir, bool confined, struct fleet *fl, struct rs_error *err);
void fleet_free(struct fleet *fl);

/* Counts per verdict (GREEN, RED, YELLOW): of every report (BY_MACHINE
 * false) or of each machine's latest run. */
void fleet_count(const struct fleet *fl, bool by_machine, size_t count[3]);

/* "20261123T115500Z" -> "2026-11-23 11:55:00Z"; other text as it is. */
void fleet_stamp_human(const char *stamp, char *out, size_t len);

#endif
