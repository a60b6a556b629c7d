/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fleet.h - the reports of many machines, read from a folder (the RESCUE
 * stick's reports/, or where a building's reports were collected): every
 * run, grouped per machine, for `rescue fleet` and the HTML log sheet.
 *
 * The folder comes from sticks the worm may have written: it is walked
 * through confine.h (no link followed, no FIFO opened), a report rescue
 * cannot read or whose verdict it does not know is listed as unreadable,
 * never counted.  A machine is its computer name and, for a report handed in
 * over the network, its network card: two PCs with the same name are two.
 *
 * The learned hashes (rescue/run/learn.h) are read from the stick's
 * learned/ folder, beside reports/ (fleet_learned_beside), or another one:
 * each with the machine and time it was learned on and the runs whose
 * detections hold it again.  That folder is the worm's to write as well:
 * read through confine.h, each list at most FLEET_LEARNED_FILE_MAX bytes, at
 * most FLEET_LEARNED_MAX hashes in all, a line not in learn_save's format
 * named (file:line) and skipped. */
#ifndef RESCUE_FLEET_H
#define RESCUE_FLEET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "rescue/base/error.h"
#include "rescue/run/learn.h"
#include "rescue/run/report.h"

struct fleet_learned {
	struct learn_line l;            /* the hash, the file, the entry, where and when it was learned */
	size_t *seen;                   /* indexes into fleet.runs: the other runs that detected it (owned) */
	size_t nseen, seen_cap;
};

enum {
	FLEET_LEARNED_FILE_MAX = 16 << 20,  /* a larger learned list is named, not read */
	FLEET_LEARNED_MAX = 100000,         /* hashes listed in all; more are counted */
	FLEET_LEARNED_BAD_MAX = 100,        /* bad lines named; more are counted */
};

struct fleet_machine {
	const char *name;               /* the computer name ("" when unknown) */
	const char *nic;                /* the network card of a network boot ("" when none) */
	struct report_summary *runs;    /* into fleet.runs, oldest first */
	size_t nruns;
	int verdict;                    /* of the latest run: enum report_verdict */
};

struct fleet {
	struct report_summary *runs;    /* every report, by machine then time */
	size_t nruns, runs_cap;
	struct fleet_machine *machines; /* RED first, then YELLOW, then GREEN; by name within */
	size_t nmachines;
	struct rs_error *bad;           /* unreadable reports: each message starts with the path */
	size_t nbad, bad_cap;
	size_t other;                   /* .json files that are not reports */
	bool bad_lost;                  /* out of memory while listing the unreadable: more exist */

	bool have_learned;              /* fleet_read_learned read a folder */
	char learned_dir[PATH_MAX];     /* which */
	struct fleet_learned *learned;  /* by the time it was learned, then hash */
	size_t nlearned, learned_cap;
	size_t learned_more;            /* hashes beyond FLEET_LEARNED_MAX, not listed */
	size_t learned_seen;            /* of the listed, how many were seen again */
	struct rs_error *learned_bad;   /* bad lines and unreadable lists: each message starts with the path */
	size_t nlearned_bad, learned_bad_cap;
	size_t learned_bad_more;        /* more of those, not named */
};

/* Read every report below DIR (four folders deep).  With CONFINED the
 * caller has already registered DIR as a confined root (confine.h).  Free
 * with fleet_free, also after an error.  RS_OK, or RS_ETARGET when DIR is
 * not a folder that can be read, RS_EPARTIAL out of memory. */
int fleet_read(const char *dir, bool confined, struct fleet *fl, struct rs_error *err);
void fleet_free(struct fleet *fl);

/* The learned/ folder of the RESCUE partition whose reports folder is
 * REPORTS ("/media/RESCUE/reports" -> "/media/RESCUE/learned"). */
void fleet_learned_beside(const char *reports, char *out, size_t len);

/* After fleet_read: the learned hashes in DIR, and which of FL's runs saw
 * each again.  RS_OK (bad lines are in learned_bad; with OPTIONAL also when
 * DIR does not exist: nothing learned yet, have_learned stays false);
 * RS_ETARGET when DIR is not a folder that can be read (a link is not
 * followed), RS_EPARTIAL out of memory. */
int fleet_read_learned(struct fleet *fl, const char *dir, bool optional, struct rs_error *err);

/* Counts per verdict (GREEN, RED, YELLOW): of every report (BY_MACHINE
 * false) or of each machine's latest run. */
void fleet_count(const struct fleet *fl, bool by_machine, size_t count[3]);

/* "20261123T115500Z" -> "2026-11-23 11:55:00Z"; other text as it is. */
void fleet_stamp_human(const char *stamp, char *out, size_t len);

#endif
