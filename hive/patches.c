/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hive/patches.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hive/hive.h"

struct hole {
	const char *bulletin, *what;
};

/* The holes network worms of this kind spread through.  Adding one: a row
 * here and its rows in fixes[]. */
static const struct hole holes[] = {
	{ "MS08-067", "Server service RPC (CVE-2008-4250, Conficker)" },
	{ "MS17-010", "SMBv1 server (CVE-2017-0143..0148, EternalBlue)" },
};

/* Where each Windows version gets the fix.  VERSION is CurrentVersion;
 * BUILD (when not 0) CurrentBuildNumber, for the Windows 10 releases that
 * all say 6.3; KBS the updates that fix it (any one will do); UBR (when not
 * 0) the update build revision of BUILD that carries it. */
struct fix {
	const char *bulletin;
	const char *version;
	unsigned build;
	const char *kbs;
	unsigned ubr;
	const char *source;
};

/* The sources, checked against Microsoft's pages: the bulletins' Affected
 * Software tables (KB and versions), the WannaCrypt guidance (the update for
 * the systems out of support), and the Windows 10 KB pages, whose titles
 * give the OS build each update brings. */
#define BULLETINS "https://learn.microsoft.com/en-us/security-updates/securitybulletins/"
#define MS08_067 "MS08-067 (2008-10-23): " BULLETINS "2008/ms08-067"
#define MS17_010 "MS17-010 (2017-03-14): " BULLETINS "2017/ms17-010"
#define WANNACRY "MSRC, Customer Guidance for WannaCrypt attacks (2017-05-12), KB4012598 for XP, 2003 and 8: " \
		 "https://msrc.microsoft.com/blog/2017/05/customer-guidance-for-wannacrypt-attacks/"
#define KB_URL "https://support.microsoft.com/help/"

static const struct fix fixes[] = {
	/* Windows 2000 SP4 */
	{ "MS08-067", "5.0", 0, "KB958644", 0, MS08_067 },
	/* XP SP2, SP3 */
	{ "MS08-067", "5.1", 0, "KB958644", 0, MS08_067 },
	/* Server 2003 SP1, SP2, XP x64 */
	{ "MS08-067", "5.2", 0, "KB958644", 0, MS08_067 },
	/* Vista, Vista SP1, Server 2008 (7 and 2008 R2 shipped with the fix) */
	{ "MS08-067", "6.0", 0, "KB958644", 0, MS08_067 },
	/* XP SP3, XP Embedded: out of support in 2017, patched in May */
	{ "MS17-010", "5.1", 0, "KB4012598", 0, WANNACRY },
	/* Server 2003 SP2, XP x64 */
	{ "MS17-010", "5.2", 0, "KB4012598", 0, WANNACRY },
	/* Vista SP2, Server 2008 SP2 */
	{ "MS17-010", "6.0", 0, "KB4012598", 0, MS17_010 },
	/* 7 SP1, Server 2008 R2 SP1: security only, monthly rollup */
	{ "MS17-010", "6.1", 0, "KB4012212 KB4012215", 0, MS17_010 },
	/* 8 (KB4012598, May), Server 2012: security only, monthly rollup */
	{ "MS17-010", "6.2", 0, "KB4012598 KB4012214 KB4012217", 0, MS17_010 "; " WANNACRY },
	/* 8.1, Server 2012 R2: security only, monthly rollup */
	{ "MS17-010", "6.3", 9600, "KB4012213 KB4012216", 0, MS17_010 },
	/* 10 1507: the March 2017 cumulative update is OS build 10240.17319 */
	{ "MS17-010", "6.3", 10240, "KB4012606", 17319, MS17_010 "; " KB_URL "4012606" },
	/* 10 1511: OS build 10586.839 */
	{ "MS17-010", "6.3", 10586, "KB4013198", 839, MS17_010 "; " KB_URL "4013198" },
	/* 10 1607, Server 2016: OS build 14393.953 (1703 shipped with the fix) */
	{ "MS17-010", "6.3", 14393, "KB4013429", 953, MS17_010 "; " KB_URL "4013429" },
};

#define CV "Microsoft\\Windows\\CurrentVersion"
#define CBS_PACKAGES CV "\\Component Based Servicing\\Packages"
#define HOTFIX "Microsoft\\Windows NT\\CurrentVersion\\HotFix"
#define UPDATES "Microsoft\\Updates"

/* CBS CurrentState values that mean the package's files are in place:
 * superseded (a later package carries them), installed, permanent. */
static const uint32_t cbs_present[] = { 0x50, 0x70, 0x80 };

const char *patch_state_name(enum patch_state s)
{
	static const char *const names[] = { "not affected", "patched", "missing", "unknown" };
	return names[s];
}

/* Whether a child of NODE is named KB (XP's hotfix records). */
static bool has_child(hive_h *hx, hive_node_h node, const char *kb)
{
	return node && hivex_node_get_child(hx, node, kb) != 0;
}

/* XP and 2003: Updates\<product>\<level>\KB, or HotFix\KB. */
static bool xp_recorded(struct hive *sw, const char *kb)
{
	hive_h *hx = hive_handle(sw);
	if (has_child(hx, hive_lookup(sw, HOTFIX), kb))
		return true;
	hive_node_h up = hive_lookup(sw, UPDATES);
	hive_node_h *products = up ? hivex_node_children(hx, up) : NULL;
	bool found = false;
	for (size_t i = 0; products && products[i] && !found; i++) {
		hive_node_h *levels = hivex_node_children(hx, products[i]);
		for (size_t j = 0; levels && levels[j] && !found; j++)
			found = has_child(hx, levels[j], kb);
		free(levels);
	}
	free(products);
	return found;
}

/* Whether NAME holds PART, ignoring case (package names vary in case). */
static bool contains_nocase(const char *name, const char *part)
{
	size_t n = strlen(part);
	for (const char *p = name; *p; p++)
		if (strncasecmp(p, part, n) == 0)
			return true;
	return false;
}

/* Vista and later: a package "Package_for_KB..~" or "Package_N_for_KB..~"
 * in a present state. */
static bool cbs_recorded(struct hive *sw, const char *kb)
{
	hive_h *hx = hive_handle(sw);
	hive_node_h pk = hive_lookup(sw, CBS_PACKAGES);
	hive_node_h *pkgs = pk ? hivex_node_children(hx, pk) : NULL;
	char want[64];
	snprintf(want, sizeof(want), "for_%s~", kb);
	bool found = false;
	for (size_t i = 0; pkgs && pkgs[i] && !found; i++) {
		char *name = hivex_node_name(hx, pkgs[i]);
		if (name && strncasecmp(name, "Package_", 8) == 0 && contains_nocase(name, want)) {
			hive_value_h v = hivex_node_get_value(hx, pkgs[i], "CurrentState");
			int32_t st = v ? hivex_value_dword(hx, v) : -1;
			for (size_t k = 0; k < sizeof(cbs_present) / sizeof(cbs_present[0]); k++)
				found |= st >= 0 && (uint32_t)st == cbs_present[k];
		}
		free(name);
	}
	free(pkgs);
	return found;
}

static void check_fix(struct hive *sw, const struct win_info *info, const struct fix *f, struct patch_finding *out)
{
	if (f->ubr) {
		uint32_t ubr;
		if (hive_get_dword(sw, "Microsoft\\Windows NT\\CurrentVersion", "UBR", &ubr) != 0) {
			out->state = PATCH_UNKNOWN;
			snprintf(out->detail, sizeof(out->detail), "build %s without UBR; fixed in %u.%u (%s)",
				 info->build, f->build, f->ubr, f->kbs);
			return;
		}
		out->state = ubr >= f->ubr ? PATCH_PATCHED : PATCH_MISSING;
		snprintf(out->detail, sizeof(out->detail), "build %s.%u, fixed in %u.%u (%s)", info->build, ubr, f->build,
			 f->ubr, f->kbs);
		return;
	}
	char kbs[128], *save = NULL;
	snprintf(kbs, sizeof(kbs), "%s", f->kbs);
	for (char *kb = strtok_r(kbs, " ", &save); kb; kb = strtok_r(NULL, " ", &save)) {
		if (info->xp_family ? xp_recorded(sw, kb) : cbs_recorded(sw, kb)) {
			out->state = PATCH_PATCHED;
			snprintf(out->detail, sizeof(out->detail), "%s installed", kb);
			return;
		}
	}
	out->state = PATCH_MISSING;
	char list[128];
	snprintf(list, sizeof(list), "%s", f->kbs);
	for (char *p = strchr(list, ' '); p; p = strchr(p, ' '))
		*p = '/';
	snprintf(out->detail, sizeof(out->detail), "no record of %s%s", list,
		 info->xp_family ? "" : "; a later rollup may carry it: check Windows Update's history");
}

int patch_audit_run(struct rs_ctx *ctx, const struct win_info *info, struct patch_audit *out, struct rs_error *err)
{
	memset(out, 0, sizeof(*out));
	struct hive *sw;
	int rc = hive_open(ctx, HIVE_SOFTWARE, 0, &sw, err);
	if (rc)
		return rc;
	for (size_t h = 0; h < sizeof(holes) / sizeof(holes[0]) && out->n < PATCH_MAX_FINDINGS; h++) {
		struct patch_finding *pf = &out->v[out->n++];
		pf->bulletin = holes[h].bulletin;
		pf->hole = holes[h].what;
		pf->state = PATCH_NOT_AFFECTED;
		for (size_t i = 0; i < sizeof(fixes) / sizeof(fixes[0]); i++) {
			const struct fix *f = &fixes[i];
			if (strcmp(f->bulletin, pf->bulletin) != 0 || strcmp(f->version, info->version) != 0 ||
			    (f->build && (unsigned)atoi(info->build) != f->build))
				continue;
			check_fix(sw, info, f, pf);
			break;
		}
	}
	hive_close(sw);
	return RS_OK;
}

int patch_audit_missing(const struct patch_audit *a)
{
	int n = 0;
	for (size_t i = 0; i < a->n; i++)
		n += a->v[i].state == PATCH_MISSING;
	return n;
}

void patch_audit_summary(const struct patch_audit *a, char *buf, size_t len)
{
	buf[0] = '\0';
	static const enum patch_state order[] = { PATCH_MISSING, PATCH_UNKNOWN };
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
		bool first = true;
		for (size_t i = 0; i < a->n; i++) {
			if (a->v[i].state != order[o])
				continue;
			size_t at = strlen(buf);
			snprintf(buf + at, len - at, "%s%s%s (%s)", first ? (at ? "; " : "") : ", ",
				 first ? (order[o] == PATCH_MISSING ? "missing: " : "unknown: ") : "", a->v[i].bulletin,
				 a->v[i].detail);
			first = false;
		}
	}
	if (!buf[0])
		snprintf(buf, len, "patched");
}
