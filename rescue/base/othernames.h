/* SPDX-License-Identifier: GPL-2.0-or-later */
/* othernames.h - the other names of one file (its hard links), as a list
 * shows them: the quarantine list and the report.
 *
 * NTFS allows a file 1024 names, every one of them the worm's choice (up
 * to 255 UTF-16 characters each, in folders as deep as it likes).  A
 * report of thousands of detections must not grow by a megabyte each, so a
 * list keeps at most OTHERNAMES_SHOWN of them and counts the rest; the
 * text form escapes each (textesc.h), the JSON form is valid whatever the
 * bytes (json.h).  The quarantine's manifest keeps every name: the restore
 * links them all back (rescue/scan/quarantine.h).
 *
 * Ownership: othernames_copy fills a struct the caller frees with
 * othernames_free. */
#ifndef RESCUE_OTHERNAMES_H
#define RESCUE_OTHERNAMES_H

#include <stddef.h>
#include <stdio.h>

#define OTHERNAMES_SHOWN 16

struct othernames {
	char **v;                   /* at most OTHERNAMES_SHOWN names, volume-relative (owned) */
	size_t n;
	size_t unlisted;            /* further names, counted */
};

/* The N NAMES that are not SELF (the file's own listed name; NULL: none
 * is left out), in order, into O: the first OTHERNAMES_SHOWN copied, the
 * rest counted.  -1 when out of memory (O then holds what was copied). */
int othernames_copy(struct othernames *o, const char *const *names, size_t n, const char *self);
void othernames_free(struct othernames *o);

/* ,"other_names":[...],"other_names_unlisted":N into F: members of an
 * object being written (the array empty for a file with one name). */
void othernames_json(FILE *f, const struct othernames *o);

/* One line per name into F, "INDENTalso named NAME", then "INDENTand N
 * more names" when some are not listed; nothing for a file with one name. */
void othernames_text(FILE *f, const char *indent, const struct othernames *o);

#endif
