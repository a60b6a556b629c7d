/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wininfo.h - what Windows this is, read from its hives: product and build
 * (SOFTWARE), computer name and control set (SYSTEM), XP family, 64-bit.
 * Containment, detect, reports and the UI all need the same answers. */
#ifndef HIVE_WININFO_H
#define HIVE_WININFO_H

#include <stdbool.h>

#include "rescue/base/ctx.h"

struct win_info {
	char product[128];      /* "Windows 10 Pro", "" when SOFTWARE is unreadable */
	char version[16];       /* CurrentVersion: "5.1", "6.1", "6.3" (10 and 11 say 6.3) */
	char build[32];         /* CurrentBuildNumber (or CurrentBuild): "19045" */
	char display[32];       /* DisplayVersion / CSDVersion: "22H2", "Service Pack 3" */
	char computer[64];      /* SYSTEM CCS\Control\ComputerName\ComputerName */
	unsigned control_set;   /* Select\Current */
	bool xp_family;         /* NT 5.x: XP, Server 2003 (System Restore and autorun keys differ) */
	bool is_64bit;          /* SOFTWARE has Wow6432Node */
	bool win8_or_later;     /* Task Scheduler carries logon essentials (ctfmon...) */
	bool have_software;     /* SOFTWARE opened; the fields from it are valid */
};

/* Fill INFO.  RS_ETARGET when SYSTEM cannot be read; a missing or damaged
 * SOFTWARE leaves have_software false (the caller decides whether that is
 * fatal: containment needs SOFTWARE, detect does not). */
int win_info_read(struct rs_ctx *ctx, struct win_info *info, struct rs_error *err);

#endif
