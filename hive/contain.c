/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hive/contain.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hive/firewall.h"
#include "hive/hive.h"
#include "hive/profiles.h"
#include "rescue/base/fileutil.h"
#include "hive/hosts.h"
#include "rescue/base/safefile.h"
#include "rescue/base/winpath.h"

const struct contain_item contain_items[CONTAIN_N] = {
	[CONTAIN_AUTORUN] = { "autorun", "Autorun and AutoPlay off on every drive",
		"Explorer policies NoDriveTypeAutoRun=0xFF and NoAutorun=1 (machine, 32-bit view, every user), "
		"autorun.inf ignored (IniFileMapping), CD-ROM AutoRun=0; installers' CDs no longer start by themselves" },
	[CONTAIN_TASKS] = { "tasks", "Task Scheduler disabled",
		"Schedule service Start=4: the worm's scheduled tasks no longer run" },
	[CONTAIN_RESTORE] = { "restore", "System Restore disabled",
		"policy DisableSR=1 and DisableConfig=1 (XP: SystemRestore DisableSR=1 and srservice off): "
		"restore points, where copies of the worm hide, are not used and are removed by Windows" },
	[CONTAIN_SHARES] = { "shares", "Administrative shares (C$, ADMIN$) off",
		"LanmanServer AutoShareWks=0 and AutoShareServer=0: the worm cannot copy itself over admin shares" },
	[CONTAIN_HOSTS] = { "hosts", "Known C2 host names blocked",
		"names from rules/c2-hosts.txt mapped to 0.0.0.0 in the hosts file, between marker lines" },
	[CONTAIN_FIREWALL] = { "firewall", "Firewall on, C2 addresses and worm ports blocked",
		"Windows Firewall on in every profile with its service; block rules (RescueContain-*) for the "
		"addresses of rules/c2-ips.txt outbound and for SMB, NetBIOS and RPC (TCP 135, 139, 445, UDP 137, "
		"138) inbound; XP: firewall on with no exceptions (it has no outbound rules)" },
	[CONTAIN_FWPOLICY] = { "firewall-policy", "The same in the firewall's group policy",
		"only when named: the firewall group policy (SOFTWARE\\Policies\\Microsoft\\WindowsFirewall), which "
		"wins on the running machine, gets its profiles on and the same block rules; the domain's next "
		"policy refresh may overwrite it" },
};

enum hive_which { HW_SOFTWARE, HW_SYSTEM, HW_USERS };
enum applies { ON_ALL, ON_XP, ON_64BIT, ON_NT6 };

struct setting {
	enum contain_id item;
	enum hive_which hive;
	const char *key;
	const char *value;          /* "" = the key's default value */
	uint32_t type;              /* REGT_DWORD or REGT_SZ */
	uint32_t dword;
	const char *sz;
	enum applies when;
};

#define EXPLORER_POLICY "Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer"

/* DESIGN.md, "Containment items": each row one value to set. */
static const struct setting settings[] = {
	{ CONTAIN_AUTORUN, HW_SOFTWARE, EXPLORER_POLICY, "NoDriveTypeAutoRun", REGT_DWORD, 0xFF, NULL, ON_ALL },
	{ CONTAIN_AUTORUN, HW_SOFTWARE, EXPLORER_POLICY, "NoAutorun", REGT_DWORD, 1, NULL, ON_ALL },
	/* Needs the KB967715 shell update on XP/2003 to be honoured. */
	{ CONTAIN_AUTORUN, HW_SOFTWARE, EXPLORER_POLICY, "HonorAutorunSetting", REGT_DWORD, 1, NULL, ON_XP },
	{ CONTAIN_AUTORUN, HW_SOFTWARE, "Wow6432Node\\" EXPLORER_POLICY, "NoDriveTypeAutoRun", REGT_DWORD, 0xFF, NULL, ON_64BIT },
	{ CONTAIN_AUTORUN, HW_SOFTWARE, "Wow6432Node\\" EXPLORER_POLICY, "NoAutorun", REGT_DWORD, 1, NULL, ON_64BIT },
	/* Windows then reads autorun.inf settings from a key that does not exist. */
	{ CONTAIN_AUTORUN, HW_SOFTWARE, "Microsoft\\Windows NT\\CurrentVersion\\IniFileMapping\\Autorun.inf", "",
	  REGT_SZ, 0, "@SYS:DoesNotExist", ON_ALL },
	{ CONTAIN_AUTORUN, HW_SYSTEM, "CCS\\Services\\Cdrom", "AutoRun", REGT_DWORD, 0, NULL, ON_ALL },
	{ CONTAIN_AUTORUN, HW_USERS, "Software\\" EXPLORER_POLICY, "NoDriveTypeAutoRun", REGT_DWORD, 0xFF, NULL, ON_ALL },
	{ CONTAIN_TASKS, HW_SYSTEM, "CCS\\Services\\Schedule", "Start", REGT_DWORD, 4, NULL, ON_ALL },
	{ CONTAIN_RESTORE, HW_SOFTWARE, "Policies\\Microsoft\\Windows NT\\SystemRestore", "DisableSR", REGT_DWORD, 1, NULL, ON_ALL },
	{ CONTAIN_RESTORE, HW_SOFTWARE, "Policies\\Microsoft\\Windows NT\\SystemRestore", "DisableConfig", REGT_DWORD, 1, NULL, ON_ALL },
	{ CONTAIN_RESTORE, HW_SOFTWARE, "Microsoft\\Windows NT\\CurrentVersion\\SystemRestore", "DisableSR", REGT_DWORD, 1, NULL, ON_XP },
	{ CONTAIN_RESTORE, HW_SYSTEM, "CCS\\Services\\srservice", "Start", REGT_DWORD, 4, NULL, ON_XP },
	{ CONTAIN_SHARES, HW_SYSTEM, "CCS\\Services\\LanmanServer\\Parameters", "AutoShareWks", REGT_DWORD, 0, NULL, ON_ALL },
	{ CONTAIN_SHARES, HW_SYSTEM, "CCS\\Services\\LanmanServer\\Parameters", "AutoShareServer", REGT_DWORD, 0, NULL, ON_ALL },
	/* [MS-GPFAS] 2.2.3.1; Vista and later name the private profile
	 * StandardProfile in the local store, XP has no public profile. */
	{ CONTAIN_FIREWALL, HW_SYSTEM, FW_LOCAL_POLICY "\\DomainProfile", "EnableFirewall", REGT_DWORD, 1, NULL, ON_ALL },
	{ CONTAIN_FIREWALL, HW_SYSTEM, FW_LOCAL_POLICY "\\StandardProfile", "EnableFirewall", REGT_DWORD, 1, NULL, ON_ALL },
	{ CONTAIN_FIREWALL, HW_SYSTEM, FW_LOCAL_POLICY "\\PublicProfile", "EnableFirewall", REGT_DWORD, 1, NULL, ON_NT6 },
	/* XP's firewall blocks nothing outbound: no exceptions closes it inbound. */
	{ CONTAIN_FIREWALL, HW_SYSTEM, FW_LOCAL_POLICY "\\DomainProfile", "DoNotAllowExceptions", REGT_DWORD, 1, NULL, ON_XP },
	{ CONTAIN_FIREWALL, HW_SYSTEM, FW_LOCAL_POLICY "\\StandardProfile", "DoNotAllowExceptions", REGT_DWORD, 1, NULL, ON_XP },
	/* The firewall is only as on as its service (and Vista+'s filtering engine). */
	{ CONTAIN_FIREWALL, HW_SYSTEM, "CCS\\Services\\MpsSvc", "Start", REGT_DWORD, 2, NULL, ON_NT6 },
	{ CONTAIN_FIREWALL, HW_SYSTEM, "CCS\\Services\\BFE", "Start", REGT_DWORD, 2, NULL, ON_NT6 },
	{ CONTAIN_FIREWALL, HW_SYSTEM, "CCS\\Services\\SharedAccess", "Start", REGT_DWORD, 2, NULL, ON_XP },
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

int contain_parse_items(int argc, char *const *argv, unsigned *mask, struct rs_error *err)
{
	unsigned m = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "all") == 0) {
			m |= CONTAIN_ALL;
			continue;
		}
		int k;
		for (k = 0; k < CONTAIN_N; k++)
			if (strcasecmp(argv[i], contain_items[k].id) == 0)
				break;
		if (k == CONTAIN_N) {
			char names[256] = "";
			for (int j = 0; j < CONTAIN_N; j++)
				snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", j ? " " : "",
					 contain_items[j].id);
			return rs_fail(err, RS_EUSAGE, "unknown item '%s' (items: %s)", argv[i], names);
		}
		m |= 1u << k;
	}
	*mask = m ? m : CONTAIN_ALL;
	return RS_OK;
}

void contain_report_free(struct contain_report *r)
{
	free(r->checks);
	r->checks = NULL;
	r->n = 0;
}

static bool applies(const struct setting *s, const struct win_info *info)
{
	switch (s->when) {
	case ON_XP: return info->xp_family;
	case ON_64BIT: return info->is_64bit;
	case ON_NT6: return !info->xp_family;
	default: return true;
	}
}

/* The hives a run touches, opened before anything is written. */
struct open_hives {
	struct hive *software, *system;
	struct hive **users;
	size_t nusers;
};

static void close_hives(struct open_hives *oh)
{
	hive_close(oh->software);
	hive_close(oh->system);
	for (size_t i = 0; i < oh->nusers; i++)
		hive_close(oh->users[i]);
	free(oh->users);
	memset(oh, 0, sizeof(*oh));
}

static int open_hives(struct rs_ctx *ctx, unsigned mask, const struct win_info *info, unsigned flags,
		      struct open_hives *oh, struct rs_error *err)
{
	bool need[3] = { false, false, false };
	for (size_t i = 0; i < NSETTINGS; i++)
		if ((mask & (1u << settings[i].item)) && applies(&settings[i], info))
			need[settings[i].hive] = true;
	int rc = RS_OK;
	memset(oh, 0, sizeof(*oh));
	/* the firewall items read the group policy there */
	if (mask & ((1u << CONTAIN_FIREWALL) | (1u << CONTAIN_FWPOLICY)))
		need[HW_SOFTWARE] = true;
	if (need[HW_SOFTWARE])
		rc = hive_open(ctx, HIVE_SOFTWARE, flags, &oh->software, err);
	if (rc == RS_OK && need[HW_SYSTEM])
		rc = hive_open(ctx, HIVE_SYSTEM, flags, &oh->system, err);
	if (rc == RS_OK && need[HW_USERS]) {
		struct profile *p = NULL;
		size_t np = 0;
		rc = profiles_list(ctx, &p, &np, err);
		if (rc == RS_OK) {
			char def[PATH_MAX];
			/* DEFAULT as a link is opened all the same, to be
			 * refused by name rather than silently left open. */
			bool have_default = winpath_resolve(ctx->root, HIVE_DEFAULT, def, sizeof(def)) == 0 ||
					    errno != ENOENT;
			oh->users = calloc(np + 1, sizeof(*oh->users));
			if (!oh->users)
				rc = rs_fail(err, RS_EPARTIAL, "out of memory");
			for (size_t i = 0; rc == RS_OK && i < np; i++)
				rc = hive_open(ctx, p[i].hive, flags, &oh->users[oh->nusers++], err);
			if (rc == RS_OK && have_default)
				rc = hive_open(ctx, HIVE_DEFAULT, flags, &oh->users[oh->nusers++], err);
			/* a failed open left a NULL slot: hive_close(NULL) is fine */
		}
		free(p);
	}
	if (rc)
		close_hives(oh);
	return rc;
}

static void format_wanted(const struct setting *s, char *buf, size_t len)
{
	if (s->type == REGT_DWORD)
		snprintf(buf, len, "0x%x (%u)", s->dword, s->dword);
	else
		snprintf(buf, len, "\"%s\"", s->sz);
}

static struct contain_check *add_check(struct contain_report *r)
{
	struct contain_check *v = realloc(r->checks, (r->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	r->checks = v;
	struct contain_check *c = &r->checks[r->n++];
	memset(c, 0, sizeof(*c));
	return c;
}

/* Check (and with APPLY, set) one setting in one hive. */
static int do_setting(struct hive *h, const struct setting *s, bool apply, struct contain_report *r,
		      struct rs_error *err)
{
	struct contain_check *c = add_check(r);
	if (!c)
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	c->item = s->item;
	snprintf(c->hive, sizeof(c->hive), "%s", hive_rel(h));
	int rc = hive_expand_path(h, s->key, c->key, sizeof(c->key), err);
	if (rc)
		return rc;
	snprintf(c->value, sizeof(c->value), "%s", s->value[0] ? s->value : "(default)");
	format_wanted(s, c->wanted, sizeof(c->wanted));
	struct reg_value cur;
	rc = hive_get(h, s->key, s->value, &cur, err);
	if (rc)
		return rc;
	reg_value_format(&cur, c->before, sizeof(c->before));
	reg_value_free(&cur);
	bool ok = strcmp(c->before, c->wanted) == 0;
	if (apply && !ok) {
		const char *item = contain_items[s->item].id;
		rc = s->type == REGT_DWORD ? hive_set_dword(h, item, s->key, s->value, s->dword, err)
					   : hive_set_string(h, item, s->key, s->value, s->sz, err);
		if (rc)
			return rc;
		c->changed = true;
	}
	snprintf(c->current, sizeof(c->current), "%s", c->before);
	c->ok = ok;
	return RS_OK;
}

static int do_hosts(struct rs_ctx *ctx, bool apply, struct contain_report *r, struct rs_error *err)
{
	struct contain_check *c = add_check(r);
	if (!c)
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	c->item = CONTAIN_HOSTS;
	struct hosts_names names;
	int rc = hosts_names_load(getenv("RESCUE_EXTRA_HOSTS"), &names, err);
	if (rc)
		return rc;
	char file[PATH_MAX];
	uint8_t *content = NULL;
	size_t len = 0;
	if (winpath_resolve_new(ctx->root, RS_PATH_HOSTS, file, sizeof(file)) != 0) {
		hosts_names_free(&names);
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", RS_PATH_HOSTS);
	}
	snprintf(c->hive, sizeof(c->hive), "%s", winpath_relative(ctx->root, file));
	snprintf(c->value, sizeof(c->value), "C2 block");
	snprintf(c->wanted, sizeof(c->wanted), "%zu names -> 0.0.0.0", names.n);
	if (file_read_all(file, 16u << 20, &content, &len) != 0) {
		if (errno != ENOENT) {
			hosts_names_free(&names);
			snprintf(c->before, sizeof(c->before), "not read");
			snprintf(c->current, sizeof(c->current), "not read");
			return rs_fail_errno(err, RS_ETARGET, errno, "cannot read %s", c->hive);
		}
		content = (uint8_t *)strdup("");
		len = 0;
	}
	enum hosts_state st = hosts_check((const char *)content, len, &names);
	snprintf(c->before, sizeof(c->before), "%s",
		 st == HOSTS_BLOCK_OK ? c->wanted : st == HOSTS_BLOCK_OUTDATED ? "an older block" : "no block");
	snprintf(c->current, sizeof(c->current), "%s", c->before);
	c->ok = st == HOSTS_BLOCK_OK;
	if (apply && !c->ok) {
		char *out;
		size_t outlen;
		if (hosts_render((const char *)content, len, &names, &out, &outlen) != 0) {
			rc = rs_fail(err, RS_EPARTIAL, "out of memory");
		} else {
			rc = safefile_replace(ctx, "hosts", c->hive, out, outlen, err);
			free(out);
			c->changed = rc == RS_OK;
		}
	}
	free(content);
	hosts_names_free(&names);
	return rc;
}

/* What the firewall items write, worked out once for status and apply. */
struct fw_plan {
	bool listed;                /* the address list was read: C2 rules are written and old ones removed */
	struct fw_addrs addrs;
	struct fw_rules rules;
	bool policy;                /* SOFTWARE carries the firewall group policy */
	char problem[256];          /* why the list was not read */
};

#define FW_RULES_KEY "\\FirewallRules"

static const char *const policy_profiles[] = { "DomainProfile", "StandardProfile", "PrivateProfile", "PublicProfile" };

static int fw_plan_make(const struct win_info *info, struct hive *software, struct fw_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->policy = software && hive_lookup(software, FW_GROUP_POLICY) != 0;
	if (info->xp_family)
		return RS_OK;       /* no rules on XP */
	struct rs_error lerr = { 0 };
	if (fw_addrs_load(getenv("RESCUE_EXTRA_IPS"), &p->addrs, &lerr) == RS_OK)
		p->listed = true;
	else
		snprintf(p->problem, sizeof(p->problem), "%s", lerr.msg);
	/* Rules of [MS-GPFAS] version 2.10 (Windows 7 on); Vista reads 2.0,
	 * and every token written here exists in 2.0. */
	const char *version = strcmp(info->version, "6.0") == 0 ? "2.0" : "2.10";
	if (fw_rules_build(&p->addrs, version, &p->rules) != 0)
		return RS_EPARTIAL;
	return RS_OK;
}

static void fw_plan_free(struct fw_plan *p)
{
	fw_addrs_free(&p->addrs);
	fw_rules_free(&p->rules);
}

static bool fw_planned(const struct fw_plan *p, const char *id)
{
	for (size_t i = 0; i < p->rules.n; i++)
		if (strcasecmp(p->rules.v[i].id, id) == 0)
			return true;
	return false;
}

/* C2 rules of an earlier run that this list no longer needs (it shrank):
 * malloc'd names, *N of them. */
static char **fw_stale(struct hive *h, const char *key, const struct fw_plan *p, size_t *n)
{
	*n = 0;
	hive_node_h node = hive_lookup(h, key);
	if (!node || !p->listed)
		return NULL;
	hive_h *hx = hive_handle(h);
	hive_value_h *vals = hivex_node_values(hx, node);
	char **names = NULL;
	for (size_t i = 0; vals && vals[i]; i++) {
		char *name = hivex_value_key(hx, vals[i]);
		char **nv;
		if (name && strncasecmp(name, FW_OUT_PREFIX, strlen(FW_OUT_PREFIX)) == 0 && !fw_planned(p, name) &&
		    (nv = realloc(names, (*n + 1) * sizeof(*nv)))) {
			names = nv;
			names[(*n)++] = name;
		} else {
			free(name);
		}
	}
	free(vals);
	return names;
}

/* Check (and with APPLY, write) our rules under KEY\FirewallRules of H:
 * each rule of the plan as built, no stale C2 rule; every other value of
 * the key is left as it is.  The writes go in one rewrite of the key
 * (hive_edit_values): the key holds every rule Windows has, and a long C2
 * list is split over dozens of rules of ours. */
static int do_fw_rules(struct hive *h, enum contain_id item, const char *key, const struct fw_plan *p, bool apply,
		       struct contain_report *r, struct rs_error *err)
{
	char rkey[512];
	snprintf(rkey, sizeof(rkey), "%s" FW_RULES_KEY, key);
	const char *iid = contain_items[item].id;
	int rc = RS_OK;
	if (!p->listed) {
		struct contain_check *c = add_check(r);
		if (!c)
			return rs_fail(err, RS_EPARTIAL, "out of memory");
		c->item = item;
		snprintf(c->hive, sizeof(c->hive), "%s", hive_rel(h));
		snprintf(c->value, sizeof(c->value), "C2 address list");
		snprintf(c->wanted, sizeof(c->wanted), "read");
		snprintf(c->before, sizeof(c->before), "not read");
		snprintf(c->current, sizeof(c->current), "not read");
	}
	size_t nstale;
	char **stale = fw_stale(h, rkey, p, &nstale);
	/* The edits, the check (by index: add_check moves them) each one
	 * changes, and the UTF-16 data of the rules set. */
	size_t max = nstale + p->rules.n, ne = 0;
	struct hive_value_edit *edits = calloc(max + 1, sizeof(*edits));
	size_t *check_of = calloc(max + 1, sizeof(*check_of));
	uint8_t **data = calloc(max + 1, sizeof(*data));
	if (!edits || !check_of || !data)
		rc = rs_fail(err, RS_EPARTIAL, "out of memory");
	for (size_t i = 0; i < nstale; i++) {
		struct contain_check *c = rc ? NULL : add_check(r);
		if (!rc && !c)
			rc = rs_fail(err, RS_EPARTIAL, "out of memory");
		if (!rc && (rc = hive_expand_path(h, rkey, c->key, sizeof(c->key), err)) == RS_OK) {
			c->item = item;
			snprintf(c->hive, sizeof(c->hive), "%s", hive_rel(h));
			snprintf(c->value, sizeof(c->value), "%s", stale[i]);
			snprintf(c->wanted, sizeof(c->wanted), "(absent)");
			snprintf(c->before, sizeof(c->before), "an older C2 rule");
			snprintf(c->current, sizeof(c->current), "%s", c->before);
			if (apply) {
				check_of[ne] = (size_t)(c - r->checks);
				edits[ne++] = (struct hive_value_edit){ .name = stale[i], .remove = true };
			}
		}
	}
	for (size_t i = 0; rc == RS_OK && i < p->rules.n; i++) {
		const struct fw_rule *fr = &p->rules.v[i];
		if (!p->listed && strncmp(fr->id, FW_OUT_PREFIX, strlen(FW_OUT_PREFIX)) == 0)
			continue;
		struct contain_check *c = add_check(r);
		if (!c) {
			rc = rs_fail(err, RS_EPARTIAL, "out of memory");
			break;
		}
		c->item = item;
		snprintf(c->hive, sizeof(c->hive), "%s", hive_rel(h));
		rc = hive_expand_path(h, rkey, c->key, sizeof(c->key), err);
		if (rc)
			break;
		snprintf(c->value, sizeof(c->value), "%s", fr->id);
		snprintf(c->wanted, sizeof(c->wanted), "%s", fr->summary);
		struct reg_value cur;
		rc = hive_get(h, rkey, fr->id, &cur, err);
		if (rc)
			break;
		bool present = cur.present;
		reg_value_free(&cur);
		char *have = present ? hive_get_string(h, rkey, fr->id) : NULL;
		c->ok = have && strcmp(have, fr->text) == 0;
		free(have);
		snprintf(c->before, sizeof(c->before), "%s", c->ok ? c->wanted : present ? "another rule" : "(absent)");
		snprintf(c->current, sizeof(c->current), "%s", c->before);
		if (apply && !c->ok) {
			size_t len;
			if (hive_sz_data(fr->text, &data[ne], &len) != 0) {
				rc = rs_fail(err, RS_EUSAGE, "not UTF-8: %s", fr->text);
				break;
			}
			check_of[ne] = (size_t)(c - r->checks);
			edits[ne] = (struct hive_value_edit){ .name = fr->id, .type = REGT_SZ, .data = data[ne], .len = len };
			ne++;
		}
	}
	if (rc == RS_OK && ne && (rc = hive_edit_values(h, iid, rkey, edits, ne, err)) == RS_OK)
		for (size_t i = 0; i < ne; i++)
			r->checks[check_of[i]].changed = true;
	for (size_t i = 0; data && i < ne; i++)
		free(data[i]);
	for (size_t i = 0; i < nstale; i++)
		free(stale[i]);
	free(stale);
	free(edits);
	free(check_of);
	free(data);
	return rc;
}

/* The firewall group policy: the profiles it sets turned on (a profile key
 * it does not have leaves the local setting in force), and the same rules. */
static int do_fw_policy(struct hive *software, const struct win_info *info, const struct fw_plan *p, bool apply,
			struct contain_report *r, struct rs_error *err)
{
	int rc = RS_OK;
	for (size_t i = 0; rc == RS_OK && i < sizeof(policy_profiles) / sizeof(policy_profiles[0]); i++) {
		char key[256];
		snprintf(key, sizeof(key), FW_GROUP_POLICY "\\%s", policy_profiles[i]);
		if (!hive_lookup(software, key))
			continue;
		struct setting s = { CONTAIN_FWPOLICY, HW_SOFTWARE, key, "EnableFirewall", REGT_DWORD, 1, NULL, ON_ALL };
		rc = do_setting(software, &s, apply, r, err);
		if (rc == RS_OK && info->xp_family) {
			s.value = "DoNotAllowExceptions";
			rc = do_setting(software, &s, apply, r, err);
		}
	}
	if (rc == RS_OK && !info->xp_family)
		rc = do_fw_rules(software, CONTAIN_FWPOLICY, FW_GROUP_POLICY, p, apply, r, err);
	return rc;
}

static void fw_notes(struct contain_report *r, const struct fw_plan *p)
{
	char *n = r->note[CONTAIN_FIREWALL];
	size_t len = sizeof(r->note[0]);
	if (r->info.xp_family)
		snprintf(n, len, "Windows XP's firewall has no outbound rules: the C2 addresses cannot be blocked "
			 "there; it is turned on with no exceptions (nothing comes in)");
	else if (!p->listed)
		snprintf(n, len, "C2 addresses not blocked: %s", p->problem);
	else if (p->addrs.skipped)
		snprintf(n, len, "%zu line(s) of the C2 address list skipped, first %s", p->addrs.skipped,
			 p->addrs.first_bad);
	if (p->policy)
		snprintf(n + strlen(n), len - strlen(n), "%sgroup policy sets firewall settings (SOFTWARE\\%s): they win "
			 "on the running machine; `rescue contain firewall-policy` writes the same there", *n ? "; " : "",
			 FW_GROUP_POLICY);
}

static void set_notes(struct contain_report *r)
{
	const struct win_info *info = &r->info;
	if (info->win8_or_later)
		snprintf(r->note[CONTAIN_TASKS], sizeof(r->note[0]),
			 "Windows 8 and later: a disabled Task Scheduler also stops legitimate start-up tasks "
			 "(the input method, ctfmon, among them); `rescue undo tasks` turns it back on");
	if (info->xp_family)
		snprintf(r->note[CONTAIN_AUTORUN], sizeof(r->note[0]),
			 "XP/2003 honour HonorAutorunSetting only with the KB967715 shell update");
	snprintf(r->note[CONTAIN_RESTORE], sizeof(r->note[0]),
		 "Windows deletes the existing restore points when it next starts with System Restore disabled");
}

/* Work through the items of MASK: the shared body of status and apply. */
static int contain_run(struct rs_ctx *ctx, unsigned mask, bool apply, struct contain_report *out,
		       struct rs_error *err)
{
	memset(out, 0, sizeof(*out));
	int rc = win_info_read(ctx, &out->info, err);
	if (rc)
		return rc;
	struct open_hives oh;
	rc = open_hives(ctx, mask, &out->info, apply ? HIVE_WRITE : 0, &oh, err);
	if (rc)
		return rc;
	for (int k = 0; k < CONTAIN_N; k++)
		out->applicable[k] = (mask >> k) & 1;

	for (size_t i = 0; rc == RS_OK && i < NSETTINGS; i++) {
		const struct setting *s = &settings[i];
		if (!(mask & (1u << s->item)) || !applies(s, &out->info))
			continue;
		if (s->hive == HW_USERS) {
			for (size_t u = 0; rc == RS_OK && u < oh.nusers; u++)
				rc = do_setting(oh.users[u], s, apply, out, err);
		} else {
			rc = do_setting(s->hive == HW_SOFTWARE ? oh.software : oh.system, s, apply, out, err);
		}
	}
	struct fw_plan plan;
	memset(&plan, 0, sizeof(plan));
	if (rc == RS_OK && (mask & ((1u << CONTAIN_FIREWALL) | (1u << CONTAIN_FWPOLICY)))) {
		if (fw_plan_make(&out->info, oh.software, &plan) != RS_OK)
			rc = rs_fail(err, RS_EPARTIAL, "out of memory");
		out->applicable[CONTAIN_FWPOLICY] &= plan.policy;
		if (rc == RS_OK && (mask & (1u << CONTAIN_FIREWALL)) && !out->info.xp_family)
			rc = do_fw_rules(oh.system, CONTAIN_FIREWALL, FW_LOCAL_POLICY, &plan, apply, out, err);
		if (rc == RS_OK && plan.policy && (mask & (1u << CONTAIN_FWPOLICY)))
			rc = do_fw_policy(oh.software, &out->info, &plan, apply, out, err);
	}
	/* An address list rescue cannot read fails its own item, as the hosts
	 * file does: the rest is done and reported. */
	int frc = RS_OK;
	struct rs_error ferr = { 0 };
	if (rc == RS_OK && (mask & (1u << CONTAIN_FIREWALL)) && !out->info.xp_family && !plan.listed)
		frc = rs_fail(&ferr, RS_EPARTIAL, "firewall: %s", plan.problem);

	/* Every setting is recorded: now write each hive.  A failure here
	 * is reported, and the other hives are still written (exit 4). */
	int wrc = RS_OK;
	struct rs_error werr = { 0 };
	if (rc == RS_OK && apply) {
		struct hive *all[2] = { oh.software, oh.system };
		for (size_t i = 0; i < 2 + oh.nusers; i++) {
			struct hive *h = i < 2 ? all[i] : oh.users[i - 2];
			if (h && hive_commit(h, &werr) != RS_OK)
				wrc = RS_EPARTIAL;
		}
	}
	close_hives(&oh);
	/* A hosts file rescue must not touch (a link, a FIFO) fails its own
	 * item: a partial run with its report (hosts shown OPEN, "not read"),
	 * not a refusal of the whole, for status as for apply. */
	int hrc = RS_OK;
	struct rs_error herr = { 0 };
	if (rc == RS_OK && (mask & (1u << CONTAIN_HOSTS))) {
		hrc = do_hosts(ctx, apply, out, &herr);
		bool hosts_reported = out->n && out->checks[out->n - 1].item == CONTAIN_HOSTS;
		if (hrc && !hosts_reported) {
			rc = hrc;
			*err = herr;
		}
	}
	if (rc) {
		fw_plan_free(&plan);
		contain_report_free(out);
		return rc;
	}

	bool dry = ctx->flags & RS_CTX_DRY_RUN;
	for (int k = 0; k < CONTAIN_N; k++)
		out->contained[k] = out->applicable[k];
	for (size_t i = 0; i < out->n; i++) {
		struct contain_check *c = &out->checks[i];
		if (c->changed && !dry && wrc == RS_OK) {
			snprintf(c->current, sizeof(c->current), "%s", c->wanted);
			c->ok = true;
		}
		if (!c->ok)
			out->contained[c->item] = false;
	}
	set_notes(out);
	if (out->applicable[CONTAIN_FIREWALL] || out->applicable[CONTAIN_FWPOLICY])
		fw_notes(out, &plan);
	fw_plan_free(&plan);
	if (wrc || hrc || frc) {
		*err = wrc ? werr : hrc ? herr : ferr;
		return RS_EPARTIAL;
	}
	return RS_OK;
}

int contain_status(struct rs_ctx *ctx, unsigned mask, struct contain_report *out, struct rs_error *err)
{
	return contain_run(ctx, mask, false, out, err);
}

int contain_apply(struct rs_ctx *ctx, unsigned mask, struct contain_report *out, struct rs_error *err)
{
	if (!(ctx->flags & RS_CTX_DRY_RUN)) {
		int rc = rs_ctx_check_writable(ctx, err);
		if (rc)
			return rc;
	}
	return contain_run(ctx, mask, true, out, err);
}
