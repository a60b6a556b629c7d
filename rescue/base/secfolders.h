/* SPDX-License-Identifier: GPL-2.0-or-later */
/* secfolders.h - the folders of security products whose permissions rescue
 * checks and repairs (`rescue repair permissions`, rescue/volume/permissions.h).
 *
 * Some variants of the worm change the security descriptors of these folders
 * (a Deny entry for Everyone, an owner of their own) so that the security
 * product can no longer update or even start.  One table names them, with
 * the defaults Windows gives a folder created there: what rescue writes back,
 * and the only places an undo of a descriptor may touch (undopolicy.h). */
#ifndef RESCUE_SECFOLDERS_H
#define RESCUE_SECFOLDERS_H

#include <stdbool.h>
#include <stddef.h>

/* Which parent's inheritable entries a folder of the table gets. */
enum secfolder_parent {
	SECFOLDER_PROGRAM_FILES,    /* "Program Files", "Program Files (x86)" */
	SECFOLDER_PROGRAM_DATA,     /* "ProgramData" */
};

struct secfolder {
	const char *path;           /* volume-relative, '/' separated, any case */
	const char *product;        /* for the report */
	enum secfolder_parent parent;
	const char *owner;          /* the SID Windows makes owner of a folder of this product */
};

extern const struct secfolder secfolders[];
extern const size_t secfolders_n;

/* The row whose folder is REL or holds it (REL volume-relative, '/'
 * separated, any case), or NULL. */
const struct secfolder *secfolder_of(const char *rel);

#endif
