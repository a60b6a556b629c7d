/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hosts.h - the `hosts` containment item: known C2 names mapped to 0.0.0.0
 * in Windows' hosts file, inside a block between two marker lines.  The rest
 * of the file stays byte for byte as it was; the block uses the file's own
 * line ends (CRLF on Windows). */
#ifndef RESCUE_HOSTS_H
#define RESCUE_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

#include "rescue/base/error.h"

#define HOSTS_BEGIN "# rescue: BEGIN blocked C2 names (remove with `rescue undo hosts`)"
#define HOSTS_END   "# rescue: END blocked C2 names"

struct hosts_names {
	char **v;
	size_t n;
};

/* Load c2-hosts.txt (rescue/base/datapath.h) plus, when EXTRA is not NULL, the
 * names in that file.  Names are checked (letters, digits, '-', '.');
 * RS_ETARGET when the shipped list is missing or holds a bad line.  EXTRA
 * may also be one of LOKI's C2 IOC lists (*c2*.txt, rescue/scan/ioc.h) or a
 * rule folder (a signature-base checkout): the host names of every C2 list
 * below it are added, its IP addresses and malformed lines left out. */
int hosts_names_load(const char *extra, struct hosts_names *out, struct rs_error *err);
void hosts_names_free(struct hosts_names *names);

enum hosts_state { HOSTS_NO_BLOCK, HOSTS_BLOCK_OUTDATED, HOSTS_BLOCK_OK };

/* Whether CONTENT carries our block with exactly NAMES. */
enum hosts_state hosts_check(const char *content, size_t len, const struct hosts_names *names);

/* CONTENT with our block for NAMES (an existing block replaced), as a
 * malloc'd buffer. */
int hosts_render(const char *content, size_t len, const struct hosts_names *names,
		 char **out, size_t *outlen);

#endif
