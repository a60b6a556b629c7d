/* SPDX-License-Identifier: GPL-2.0-or-later */
/* patches.h - the patch audit (report only): for each hole network worms of
 * this kind spread through, whether this installation has the fix, read
 * offline from SOFTWARE.  One table row per bulletin and Windows version
 * (the fixing KBs, or the Windows 10 build and UBR that carry the fix,
 * each with its source); how the fix shows offline:
 *   - XP and Server 2003: the hotfix records Windows Update writes
 *     (Microsoft\Updates\<product>\<level>\KBnnnnnn, and
 *     Microsoft\Windows NT\CurrentVersion\HotFix\KBnnnnnn);
 *   - Vista to 8.1: a Component Based Servicing package
 *     (...\Component Based Servicing\Packages\Package_*for_KBnnnnnn~...)
 *     whose CurrentState says installed (or superseded by a later one);
 *   - Windows 10: CurrentBuildNumber and UBR against the fixing build.
 * A version with no row for a bulletin shipped with the fix (or was never
 * affected).  Nothing is written. */
#ifndef HIVE_PATCHES_H
#define HIVE_PATCHES_H

#include <stddef.h>

#include "hive/wininfo.h"
#include "rescue/base/ctx.h"

enum patch_state {
	PATCH_NOT_AFFECTED,         /* this Windows shipped with the fix */
	PATCH_PATCHED,              /* a fixing update is recorded */
	PATCH_MISSING,              /* no record of any fixing update */
	PATCH_UNKNOWN,              /* the evidence could not be read (no UBR, no SOFTWARE) */
};

struct patch_finding {
	const char *bulletin;       /* "MS17-010" (static) */
	const char *hole;           /* "SMBv1 remote code execution (EternalBlue)" (static) */
	enum patch_state state;
	char detail[192];           /* "KB4012212 or KB4012215 not installed", "build 14393.953" */
};

#define PATCH_MAX_FINDINGS 8

struct patch_audit {
	struct patch_finding v[PATCH_MAX_FINDINGS];
	size_t n;
};

/* Audit the installation of CTX (INFO as win_info_read gave it).
 * RS_ETARGET when SOFTWARE cannot be opened. */
int patch_audit_run(struct rs_ctx *ctx, const struct win_info *info, struct patch_audit *out, struct rs_error *err);

/* One line for status, the report and the verdict screen: "patched",
 * "missing: MS17-010 (KB4012212 or KB4012215 not installed)", with
 * "; unknown: ..." when some could not be read. */
void patch_audit_summary(const struct patch_audit *a, char *buf, size_t len);

/* Whether any finding is PATCH_MISSING: the report then advises patching
 * before the machine rejoins the network. */
int patch_audit_missing(const struct patch_audit *a);

const char *patch_state_name(enum patch_state s);   /* "not affected", "patched", "missing", "unknown" */

#endif
