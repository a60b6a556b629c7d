/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/run/auto.h"
#include "rescue/run/fleet.h"
#include "rescue/run/fleethtml.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "hive/contain.h"
#include "hive/patches.h"
#include "rescue/volume/permissions.h"
#include "hive/hive.h"
#include "rescue/base/journal.h"
#include "hive/wininfo.h"
#include "hive/autoruns.h"
#include "hive/accounts.h"
#include "rescue/run/clean.h"
#include "rescue/scan/ioc.h"
#include "rescue/scan/rules.h"
#include "rescue/scan/scan.h"
#include "rescue/disk/target.h"
#include "rescue/base/confine.h"
#include "rescue/base/ctx.h"
#include "rescue/base/winpath.h"
#include "rescue/run/firstfiles.h"
#include "rescue/run/learn.h"
#include "rescue/run/runrules.h"

static double now_secs(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The scan rules, loaded once before any installation is opened: a run
 * that could not scan must not have contained, reset passwords or removed a
 * hibernation file first. */
struct run_rules {
	struct rs_rules *rules;     /* NULL when scan = off or they did not load */
	char why[sizeof(((struct rs_error *)0)->msg)];  /* why they did not load, "" when they did */
};

/* One installation being worked on. */
struct run {
	const struct rs_conf *conf;
	const struct auto_events *ev;
	const struct run_rules *rules;
	struct rs_ctx *ctx;
	struct report *r;
	double t0;                  /* start of the current step */
	const char *name;           /* the current step */
	struct learn *learn;        /* what this run removed, for the next machines (rescue/run/learn.h) */
};

static void step_begin(struct run *run, const char *name)
{
	run->name = name;
	run->t0 = now_secs();
	if (run->ev && run->ev->step)
		run->ev->step(run->r, name, NULL, run->ev->user);
}

static void step_end(struct run *run, enum report_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void step_end(struct run *run, enum report_status st, const char *fmt, ...)
{
	char detail[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	struct report_step *s = report_step(run->r, run->name, st, now_secs() - run->t0, "%s", detail);
	if (s && run->ev && run->ev->step)
		run->ev->step(run->r, run->name, s, run->ev->user);
}

/* A core failure as a step status: a refusal for safety (read-only, dirty
 * or damaged hive, hibernated: RS_ETARGET) or a failure. */
static enum report_status failure_status(int rc)
{
	return rc == RS_ETARGET ? STEP_REFUSED : STEP_FAILED;
}

/* hiberfil.sys of a hibernated Windows starts with one of these (any case);
 * ntfs-3g refuses to mount such a volume read-write for the same reason:
 * Windows would resume over whatever we changed. */
static bool hibernated(const struct rs_ctx *ctx)
{
	char path[PATH_MAX];
	if (winpath_resolve(ctx->root, "hiberfil.sys", path, sizeof(path)) != 0)
		return false;
	int fd = confine_open(path, O_RDONLY, 0);
	if (fd < 0)
		return false;
	char sig[4] = { 0 };
	ssize_t n = read(fd, sig, 4);
	close(fd);
	static const char *const sigs[] = { "hibr", "wake", "rstr" };
	for (size_t i = 0; n == 4 && i < 3; i++)
		if (strncasecmp(sig, sigs[i], 4) == 0)
			return true;
	return false;
}

/* ---- steps ---- */

/* How an installation was opened, for the detect step. */
struct opened {
	const char *target;         /* "/mnt/c", "sda2" */
	struct rs_ctx *ctx;         /* NULL when it could not be opened */
	int rc;                     /* when !ctx */
	char why[512];              /* when !ctx: why; else why it was opened read-only against the wish */
	bool hibernated;
	bool hiberfile_removed;     /* opened with the hibernation file removed (hibernated = remove) */
	char unlocked[200];         /* BitLocker: which key opened it (never the key), "" otherwise */
};

/* detect: what Windows this is, and whether it may be written.  Returns
 * false when the installation must not be worked on further. */
/* The patch audit, report only: the verdict stays as it is. */
static void note_patches(struct run *run, const struct win_info *info)
{
	struct patch_audit pa;
	struct rs_error err = { 0 };
	if (patch_audit_run(run->ctx, info, &pa, &err) != RS_OK) {
		report_note(run->r, "patches: not audited: %s", err.msg);
		return;
	}
	char line[1024];
	patch_audit_summary(&pa, line, sizeof(line));
	report_note(run->r, "patches: %s", line);
	if (patch_audit_missing(&pa))
		report_note(run->r, "install the missing updates before the machine rejoins the network: "
			    "network worms spread through these holes");
}

static bool step_detect(struct run *run, const struct opened *o)
{
	step_begin(run, "detect");
	struct win_info info;
	struct rs_error err = { 0 };
	int rc = win_info_read(run->ctx, &info, &err);
	if (rc) {
		step_end(run, failure_status(rc), "%s", err.msg);
		return false;
	}
	struct report *r = run->r;
	snprintf(r->machine, sizeof(r->machine), "%s", info.computer);
	snprintf(r->product, sizeof(r->product), "%s", info.product);
	snprintf(r->build, sizeof(r->build), "%s", info.build);
	snprintf(r->display, sizeof(r->display), "%s", info.display);
	note_patches(run, &info);
	char what[256];
	snprintf(what, sizeof(what), "%s%s%s, computer %s", info.product[0] ? info.product : "Windows (product unknown)",
		 info.build[0] ? " build " : "", info.build, info.computer[0] ? info.computer : "(unnamed)");

	if (o->hiberfile_removed) {
		step_end(run, STEP_CHANGED, "%s: was hibernated; the hibernation file was removed (hibernated = remove): "
			 "its hibernated session is lost", what);
		return true;
	}
	if (o->hibernated) {
		switch (run->conf->hibernated) {
		case CONF_HIB_SKIP:
			step_end(run, STEP_REFUSED, "%s: hibernated, left alone (hibernated = skip)", what);
			break;
		case CONF_HIB_REMOVE:
			step_end(run, STEP_REFUSED, "%s: hibernated; the hibernation file could not be removed%s%s: "
				 "read-only", what, o->why[0] ? ": " : "", o->why);
			break;
		case CONF_HIB_REPORT:
			step_end(run, STEP_REFUSED, "%s: hibernated (Windows would resume over any change): "
				 "read-only, scan and report only (hibernated = report)", what);
			break;
		}
		run->ctx->flags |= RS_CTX_READONLY;
		snprintf(run->ctx->readonly_why, sizeof(run->ctx->readonly_why), "Windows is hibernated");
		return run->conf->hibernated != CONF_HIB_SKIP;
	}
	if (o->why[0]) {
		/* wanted read-write, got read-only (dirty volume, read-only medium) */
		step_end(run, STEP_REFUSED, "%s: opened read-only: %s", what, o->why);
		return true;
	}
	step_end(run, STEP_OK, "%s", what);
	return true;
}

static void step_contain(struct run *run)
{
	step_begin(run, "contain");
	unsigned mask = run->conf->contain;
	if (!mask) {
		step_end(run, STEP_SKIPPED, "contain = none");
		return;
	}
	struct contain_report cr;
	struct rs_error err = { 0 };
	bool ro = run->ctx->flags & RS_CTX_READONLY;
	int rc = ro ? contain_status(run->ctx, mask, &cr, &err) : contain_apply(run->ctx, mask, &cr, &err);
	if (rc && rc != RS_EPARTIAL) {
		step_end(run, failure_status(rc), "%s", err.msg);
		return;
	}
	char open[256] = "", done[256] = "";
	size_t changed = 0;
	for (int k = 0; k < CONTAIN_N; k++) {
		if (!(mask & (1u << k)) || !cr.applicable[k])
			continue;
		char *list = cr.contained[k] ? done : open;
		snprintf(list + strlen(list), sizeof(open) - strlen(list), " %s", contain_items[k].id);
		if (cr.note[k][0])
			report_note(run->r, "%s: %s", contain_items[k].id, cr.note[k]);
	}
	for (size_t i = 0; i < cr.n; i++)
		changed += cr.checks[i].changed;
	contain_report_free(&cr);
	if (ro)
		step_end(run, STEP_SKIPPED, "read-only (%s): contained:%s; open:%s", run->ctx->readonly_why,
			 done[0] ? done : " none", open[0] ? open : " none");
	else if (rc)
		step_end(run, STEP_FAILED, "%s; contained:%s; open:%s", err.msg, done[0] ? done : " none",
			 open[0] ? open : " none");
	else
		step_end(run, changed ? STEP_CHANGED : STEP_OK, "%zu value(s) set; contained:%s", changed,
			 done[0] ? done : " none");
}

#define RID_ADMINISTRATOR 500u   /* the built-in Administrator */

/* Add RID to the N picked so far (once). */
static void pick_rid(uint32_t *rids, size_t *n, size_t max, uint32_t rid)
{
	for (size_t i = 0; i < *n; i++)
		if (rids[i] == rid)
			return;
	if (*n < max)
		rids[(*n)++] = rid;
}

/* The accounts of `accounts = ...`: names and RIDs as given, `admins` as
 * every enabled local administrator; a Microsoft account (its password lives
 * online) is replaced by the built-in Administrator, and so is an `admins`
 * that finds none.  Problems go to PROBLEM; false when nothing is left. */
static bool pick_accounts(struct run *run, const struct accounts *a, uint32_t *rids, size_t *n, size_t max,
			  char *problem, size_t plen)
{
	const struct rs_conf *conf = run->conf;
	*n = 0;
	problem[0] = '\0';
	for (size_t i = 0; i < conf->naccounts; i++) {
		const char *want = conf->accounts[i];
		if (strcasecmp(want, "admins") == 0) {
			size_t before = *n;
			for (size_t k = 0; k < a->n; k++) {
				const struct acct_user *u = &a->users[k];
				if (!u->admin || u->disabled)
					continue;
				if (u->microsoft) {
					report_note(run->r, "administrator %s is a Microsoft account (%s): its password lives "
						    "online, left alone", u->name, u->internet_name);
					continue;
				}
				pick_rid(rids, n, max, u->rid);
			}
			if (*n == before) {
				report_note(run->r, "no enabled local administrator: the built-in Administrator is used");
				pick_rid(rids, n, max, RID_ADMINISTRATOR);
			}
			continue;
		}
		struct rs_error err = { 0 };
		const struct acct_user *u = accounts_find(a, want, &err);
		if (!u) {
			size_t l = strlen(problem);
			snprintf(problem + l, plen - l, "%s%s", l ? "; " : "", err.msg);
			continue;
		}
		if (u->microsoft) {
			report_note(run->r, "%s is a Microsoft account (%s): its password lives online; the built-in "
				    "Administrator is enabled instead", u->name, u->internet_name);
			pick_rid(rids, n, max, RID_ADMINISTRATOR);
			continue;
		}
		pick_rid(rids, n, max, u->rid);
	}
	return *n > 0;
}

static const struct acct_user *user_by_rid(const struct accounts *a, uint32_t rid)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->users[i].rid == rid)
			return &a->users[i];
	return NULL;
}

/* passwd: blank or set the password of the configured accounts, unlock and
 * enable them (hive/accounts.h does the SAM work and journals it). */
static void step_passwd(struct run *run)
{
	const struct rs_conf *conf = run->conf;
	step_begin(run, "passwd");
	if (!conf->naccounts) {
		step_end(run, STEP_SKIPPED, "accounts = none");
		return;
	}
	bool ro = run->ctx->flags & RS_CTX_READONLY;
	struct accounts *a = NULL;
	struct rs_error err = { 0 };
	int rc = accounts_open(run->ctx, !ro, &a, &err);
	if (rc) {
		step_end(run, failure_status(rc), "%s", err.msg);
		return;
	}
	uint32_t rids[CONF_MAX_ACCOUNTS * 4];
	size_t n;
	char problem[512], names[512] = "";
	bool any = pick_accounts(run, a, rids, &n, sizeof(rids) / sizeof(rids[0]), problem, sizeof(problem));
	for (size_t i = 0; i < n; i++) {
		const struct acct_user *u = user_by_rid(a, rids[i]);
		size_t l = strlen(names);
		snprintf(names + l, sizeof(names) - l, "%s%s", l ? ", " : "", u ? u->name : "?");
	}
	if (ro) {
		step_end(run, STEP_SKIPPED, "read-only (%s): would reset %s%s%s", run->ctx->readonly_why,
			 any ? names : "no account", problem[0] ? "; " : "", problem);
		accounts_close(a);
		return;
	}
	size_t failed = 0, changed = 0;
	/* The step line names why the first account failed, so the verdict
	 * screen and the console say it, not only the report's account list;
	 * and, when all went well, what was done to each ("password blanked,
	 * already unlocked, enabled"): a second run must not claim a reset. */
	char why[300] = "", did[600] = "";
	for (size_t i = 0; i < n; i++) {
		const struct acct_user *u = user_by_rid(a, rids[i]);
		struct report_account ra = { .rid = rids[i], .ok = true };
		snprintf(ra.name, sizeof(ra.name), "%s", u ? u->name : "?");
		struct passwd_req req = {
			.blank = !conf->password_set,
			.password = conf->password_set ? conf->password : NULL,
			.unlock = conf->unlock,
			/* the built-in Administrator stands in for someone: it must be usable */
			.enable = conf->enable || rids[i] == RID_ADMINISTRATOR,
		};
		struct passwd_done done;
		struct rs_error e = { 0 };
		if (!u) {
			ra.ok = false;
			snprintf(ra.done, sizeof(ra.done), "no account with RID %u in this SAM", rids[i]);
		} else if (accounts_passwd(a, rids[i], &req, &done, &e) != RS_OK) {
			ra.ok = false;
			snprintf(ra.done, sizeof(ra.done), "%s", e.msg);
		} else {
			size_t l = strlen(did);
			snprintf(did + l, sizeof(did) - l, "%s%s: ", l ? "; " : "", ra.name);
			for (size_t k = 0; k < done.n; k++) {
				l = strlen(ra.done);
				snprintf(ra.done + l, sizeof(ra.done) - l, "%s%s", k ? "; " : "", done.what[k]);
				/* the step line keeps each change's words, not its details */
				l = strlen(did);
				int words = (int)strcspn(done.what[k], "(");
				while (words > 0 && done.what[k][words - 1] == ' ')
					words--;
				snprintf(did + l, sizeof(did) - l, "%s%.*s", k ? ", " : "", words, done.what[k]);
			}
			changed += done.changed;
			if (done.changed)
				run->r->password_reset = true;
		}
		if (!ra.ok && !why[0])
			snprintf(why, sizeof(why), "%s: %s", ra.name, ra.done);
		failed += !ra.ok;
		report_add_account(run->r, &ra);
	}
	accounts_close(a);
	if (failed || problem[0] || !any)
		step_end(run, STEP_FAILED, "%zu of %zu account(s) done (%s)%s%s%s%s", n - failed, n,
			 any ? names : "none", why[0] ? "; " : "", why, problem[0] ? "; " : "", problem);
	else
		step_end(run, changed ? STEP_CHANGED : STEP_OK, "%s%s", did, changed ? "" : " (nothing to change)");
}

/* ---- scan ---- */

struct scan_state {
	struct run *run;
	struct rs_clean *clean;
};

static int on_scan_detect(struct rs_scan_hit *hit, void *user)
{
	struct scan_state *ss = user;
	struct run *run = ss->run;
	if (rs_clean_hit(ss->clean, hit) == RS_CLEAN_QUARANTINED) {
		run->r->quarantined++;
		if (run->learn && learn_add(run->learn, hit->sha256, hit->path, NULL) != 0)
			report_note(run->r, "learned: %s not kept: out of memory", hit->path);
	}
	if (run->ev && run->ev->detection) {
		char path[PATH_MAX + 256];
		snprintf(path, sizeof(path), "%s%s%s", hit->path, hit->stream ? ":" : "", hit->stream ? hit->stream : "");
		run->ev->detection(run->r, path, hit->rules, hit->action, run->ev->user);
	}
	return 0;
}

/* The C2 IP addresses of the IOC lists, one note, so a person sees them:
 * the firewall containment item blocks them outbound (hive/firewall.h:
 * RESCUE_EXTRA_IPS is the rule folder), except on XP. */
static void report_c2_ips(struct report *r, const struct rs_ioc *ioc)
{
	enum { SHOWN = 200 };
	size_t n = rs_ioc_c2_nips(ioc);
	if (!n)
		return;
	char list[SHOWN * 48] = "";
	size_t len = 0;
	for (size_t i = 0; i < n && i < SHOWN; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", rs_ioc_c2_ip(ioc, i));
	report_note(r, "C2 IP addresses in the IOC lists (the firewall item blocks them outbound): %zu: %s%s", n, list,
		    n > SHOWN ? ", ..." : "");
}

static int on_scan_progress(const struct rs_scan_progress *p, void *user)
{
	struct scan_state *ss = user;
	if (ss->run->ev && ss->run->ev->progress)
		ss->run->ev->progress(ss->run->r, p, ss->run->ev->user);
	return 0;
}

/* scan: every file of the volume, each detection quarantined or reported
 * by CLEAN's policy (scan = report or read-only: reported), and recorded
 * there for the autoruns step. */
static void step_scan(struct run *run, struct rs_clean *clean, struct rs_scan_result *res)
{
	const struct rs_conf *conf = run->conf;
	memset(res, 0, sizeof(*res));
	step_begin(run, "scan");
	if (conf->scan == CONF_SCAN_OFF) {
		step_end(run, STEP_SKIPPED, "scan = off");
		return;
	}
	bool ro = run->ctx->flags & RS_CTX_READONLY;
	const struct rs_rules *rules = run->rules->rules;
	struct rs_error err = { 0 };
	for (size_t i = 0; i < rs_rules_nwarnings(rules); i++)
		report_note(run->r, "rules: %s", rs_rules_warning(rules, i));
	if (rs_rules_cache_note(rules))
		report_note(run->r, "rules: %s", rs_rules_cache_note(rules));
	else if (rs_rules_key(rules))
		report_note(run->r, "rules: rule set %s", rs_rules_key(rules));
	report_c2_ips(run->r, rs_rules_ioc(rules));
	struct scan_state ss = { .run = run, .clean = clean };
	struct rs_scan_opts o = {
		.threads = conf->threads, .max_size = conf->max_size, .ioc_alert_score = conf->ioc_alert_score,
		.progress_ms = 1000,
		.progress = on_scan_progress, .detect = on_scan_detect, .user = &ss,
	};
	/* What the autostart entries start is read first, then the worm's places. */
	char **first;
	size_t nfirst;
	firstfiles_autostart(run->ctx, &first, &nfirst);
	o.first = (const char *const *)first;
	o.nfirst = nfirst;
	int rc = rs_scan_run(run->ctx->root, NULL, 0, rules, &o, res, &err);
	firstfiles_free(first, nfirst);
	struct report *r = run->r;
	r->scan_walked = rc == RS_OK || rc == RS_DETECTED;
	r->files = res->files + res->streams;
	r->bytes = res->bytes;
	r->skipped = res->nskip + res->nskip_unlisted;
	if (res->ndet_unlisted)
		report_note(r, "%zu more detections than listed here (the scan keeps at most %d)", res->ndet_unlisted,
			    RS_SCAN_DET_MAX);
	for (size_t i = 0; i < res->ndet; i++) {
		const struct rs_scan_detection *d = &res->det[i];
		char path[PATH_MAX + 256];
		snprintf(path, sizeof(path), "%s%s%s", d->path, d->stream ? ":" : "", d->stream ? d->stream : "");
		if (report_add_detection(r, path, d->rules, d->sha256, d->size, d->action, d->inspect) == 0) {
			report_detection_meta(r, d->meta, d->nmeta);
			report_detection_names(r, (const char *const *)d->names, d->nnames);
		}
	}
	for (size_t i = 0; i < res->nwarn; i++)
		report_note(r, "scan warning: %s: %s", res->warn[i].path, res->warn[i].what);
	/* Read through the mount, the scan could not enter OneDrive folders. */
	if (res->read_note[0])
		report_note(r, "scan read through the ntfs-3g mount, not directly: %s", res->read_note);
	for (size_t i = 0; i < res->nskip; i++) {
		const struct rs_scan_skip *k = &res->skip[i];
		if (k->why == RS_SKIP_TOO_BIG || k->why == RS_SKIP_UNREADABLE || k->why == RS_SKIP_SPECIAL)
			report_note(r, "not scanned: %s (%s%s%s)", k->path, rs_scan_skip_name(k->why),
				    k->detail ? ": " : "", k->detail ? k->detail : "");
	}
	size_t qfailed = clean->count[RS_CLEAN_FAILED];
	char summary[512];
	snprintf(summary, sizeof(summary), "%llu files and streams, %.1f MB in %.1f s, %d threads: %zu detected%s; "
		 "not scanned: %zu too big, %zu unreadable, %zu reparse points",
		 (unsigned long long)r->files, (double)res->bytes / 1e6, res->secs, res->threads, res->ndet,
		 !res->ndet ? "" : !clean->policy.quarantine ? (ro ? " (read-only: nothing quarantined)" : " (scan = report: nothing quarantined)")
			       : qfailed ? ", some not quarantined"
			       : clean->count[RS_CLEAN_KEPT] ? ", registry hives or rescue's own files kept: inspect them"
			       : ", all quarantined",
		 res->nwhy[RS_SKIP_TOO_BIG], res->nwhy[RS_SKIP_UNREADABLE], res->nwhy[RS_SKIP_REPARSE]);
	if (rc != RS_OK && rc != RS_DETECTED)
		step_end(run, STEP_FAILED, "%s (%s)", summary, err.msg);
	else if (qfailed || res->nwhy[RS_SKIP_UNREADABLE])
		step_end(run, STEP_FAILED, "%s", summary);
	else
		step_end(run, r->quarantined ? STEP_CHANGED : STEP_OK, "%s", summary);
}

static void partition_name(const struct report *r, char *out, size_t len);

/* What the next machines learn from the disabled entry E: the entry's name
 * beside its quarantined target, or the hash of a target only its random
 * name flagged (it stays in place: disabled, not removed). */
static void learn_entry(struct run *run, const struct autorun *e, bool ro)
{
	if (!run->learn || ro || !e->target[0])
		return;
	if (e->flags & (AR_F_DETECTED | AR_F_QUARANTINED)) {
		learn_name_entry(run->learn, e->target, e->name);
	} else if (learn_add_file(run->learn, run->ctx, e->target, e->name) != 0) {
		report_note(run->r, "learned: %s (autostart %s) not hashed: %s", e->target, e->name,
			    confine_strerror(errno));
	}
}

/* learned: what this run removed goes to the RESCUE stick's learned/, for
 * the machines after this one; a note says where (or why not). */
static void save_learned(struct run *run)
{
	char written[PATH_MAX], base[128];
	struct rs_error err = { 0 };
	partition_name(run->r, base, sizeof(base));
	if (learn_save(run->learn, run->conf->rescue_partition, base, run->r->machine, run->r->stamp, written,
		       sizeof(written), &err) != RS_OK)
		report_note(run->r, "learned: not written: %s", err.msg);
	else if (written[0])
		report_note(run->r, "learned: %zu hash(es) for the next machines in %s", run->learn->n, written);
}

/* autoruns: autostart entries that start a detected file, or (autoruns =
 * flagged) a random-looking file in a user-writable folder, are disabled
 * through the journal (`rescue undo autoruns`) by CLEAN's policy.  An entry
 * flagged only by its name is itself a finding: it joins the detections. */
static void step_autoruns(struct run *run, struct rs_clean *clean)
{
	const struct rs_conf *conf = run->conf;
	step_begin(run, "autoruns");
	if (conf->autoruns == CONF_AUTORUNS_OFF) {
		step_end(run, STEP_SKIPPED, "autoruns = off");
		return;
	}
	bool ro = run->ctx->flags & RS_CTX_READONLY;
	struct rs_clean_autoruns ca;
	struct rs_error err = { 0 };
	int rc = rs_clean_finish(clean, &ca, &err);
	if (!ca.listed) {
		step_end(run, failure_status(rc), "%s", err.msg);
		rs_clean_autoruns_free(&ca);
		return;
	}
	const struct autoruns *a = &ca.list;
	char names[600] = "";
	for (size_t i = 0; i < ca.nchosen; i++) {
		const struct autorun *e = &a->v[ca.chosen[i]];
		size_t l = strlen(names);
		snprintf(names + l, sizeof(names) - l, "%s%s", l ? ", " : "", e->name);
		if (!(e->flags & (AR_F_DETECTED | AR_F_QUARANTINED))) {
			char rule[64];
			snprintf(rule, sizeof(rule), "autorun:%s:random-name", autorun_kind_names[e->kind]);
			report_add_detection(run->r, e->target[0] ? e->target : e->name, rule, "", 0,
					     ro ? "autostart entry reported" : "autostart entry disabled", NULL);
		}
		learn_entry(run, e, ro);
	}
	for (size_t i = 0; i < a->nnotes; i++)
		report_note(run->r, "autoruns: %s", a->notes[i]);
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].flags & AR_F_UNREAD)
			report_note(run->r, "autoruns: scheduled task %s (in %s) not read: %s", a->v[i].name,
				    a->v[i].location, a->v[i].unread);
	if (!ca.chosen) {
		step_end(run, STEP_FAILED, "out of memory");
	} else if (ca.nchosen == 0) {
		step_end(run, STEP_OK, "%zu autostart entries, none flagged", a->n);
	} else if (ro) {
		step_end(run, STEP_SKIPPED, "read-only (%s): %zu flagged entries left as they are: %s",
			 run->ctx->readonly_why, ca.nchosen, names);
	} else {
		size_t ok = 0;
		for (size_t i = 0; i < ca.done.n; i++) {
			ok += ca.done.steps[i].ok;
			if (!ca.done.steps[i].ok)
				report_note(run->r, "autoruns: %s: %s", ca.done.steps[i].what, ca.done.steps[i].error);
		}
		if (rc && rc != RS_EPARTIAL)
			step_end(run, failure_status(rc), "%s", err.msg);
		else
			step_end(run, rc ? STEP_FAILED : STEP_CHANGED, "%zu of %zu flagged entries disabled: %s", ok,
				 ca.nchosen, names);
	}
	rs_clean_autoruns_free(&ca);
}

/* The report file name on the RESCUE partition: the computer name (made
 * safe for FAT) and the run. */
static void partition_name(const struct report *r, char *out, size_t len)
{
	char m[64];
	snprintf(m, sizeof(m), "%s", r->machine[0] ? r->machine : "UNKNOWN");
	for (char *p = m; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_'))
			*p = '_';
	snprintf(out, len, "%s-%s", m, r->stamp);
}

/* Where the report goes, for its step: the names report_save gave once it
 * wrote (a report of the same second already there makes this one
 * NAME-2...), else the names it will try; WINERR why the Windows volume
 * has none. */
static void report_where(const struct run *run, const char *windir, const char *winerr, const char *base,
			 char *where, size_t len)
{
	const struct report *r = run->r;
	const char *dir = run->conf->reports_dir;
	if (winerr)
		snprintf(where, len, "Windows volume: %s", winerr);
	else if (r->written[0][0])
		snprintf(where, len, "%s", winpath_relative(run->ctx->root, r->written[0]));
	else if (windir[0])
		snprintf(where, len, "%s/%s/%s.json", RS_PATH_RESCUE, "reports", r->stamp);
	else
		snprintf(where, len, "not on the Windows volume (read-only: %s)", run->ctx->readonly_why);
	size_t wl = strlen(where);
	if (r->written[1][0])
		snprintf(where + wl, len - wl, "; %s", r->written[1]);
	else if (dir[0])
		snprintf(where + wl, len - wl, "; %s/%s.json", dir, base);
	else
		snprintf(where + wl, len - wl, "; no reports_dir (no RESCUE partition): no copy");
}

/* CONF_DIR, the reports folder, made and registered as a confined root
 * until confine_root_remove(DIR), DIR its absolute path: it is on the
 * RESCUE stick, which the worm may have written too, so below it, as on
 * the volume, no link is followed.  0, or -1 with errno. */
static int reports_root(const char *conf_dir, char dir[PATH_MAX])
{
	if (winpath_mkdirs(conf_dir, 0755) != 0)
		return -1;
	return confine_root_add_dir(conf_dir, dir);
}

/* The stick's log sheet (rescue/run/fleethtml.h), rewritten after each run
 * from every report in DIR (a confined root) and the stick's learned
 * hashes (PARTITION/learned, "" none): the page a technician opens to see
 * the building.  ERRBUF gets why it could not be written. */
static void write_log_sheet(const char *dir, const char *partition, char *errbuf, size_t errlen)
{
	struct fleet fl;
	struct rs_error err = { 0 };
	char path[PATH_MAX], learned[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, AUTO_LOG_SHEET);
	snprintf(learned, sizeof(learned), "%s/%s", partition, LEARN_DIR);
	struct fleet_html_opts o = { .source = "reports/ of the RESCUE stick" };
	int rc = fleet_read(dir, true, &fl, &err);
	/* a learned/ that cannot be read (the report says so: load_learned)
	 * leaves the page without its Learned section, not without the page */
	struct rs_error lerr = { 0 };
	if (rc == RS_OK && partition[0])
		fleet_read_learned(&fl, learned, true, &lerr);
	if (rc != RS_OK || fleet_html_save(path, &fl, &o, &err) != RS_OK)
		snprintf(errbuf, errlen, "%s", err.msg);
	fleet_free(&fl);
}

/* report: on the Windows volume (unless read-only) and in reports_dir. */
static void step_report(struct run *run, double start)
{
	struct report *r = run->r;
	const struct rs_conf *conf = run->conf;
	bool ro = run->ctx->flags & RS_CTX_READONLY;
	char windir[PATH_MAX] = "", where[1200] = "", winerr[sizeof(((struct rs_error *)0)->msg)] = "";
	struct rs_error err = { 0 };
	step_begin(run, "report");
	bool failed = false;
	if (!ro && rs_ctx_rescue_dir(run->ctx, "reports", windir, sizeof(windir), &err) != RS_OK) {
		failed = true;
		snprintf(winerr, sizeof(winerr), "%s", err.msg);
		windir[0] = '\0';
	}
	char base[128];
	partition_name(r, base, sizeof(base));
	report_where(run, windir, failed ? winerr : NULL, base, where, sizeof(where));

	/* The step and the verdict go into the files, so they are recorded
	 * first and corrected if writing fails. */
	struct report_step *s = report_step(r, "report", STEP_OK, 0, "%s", where);
	r->secs = now_secs() - start;
	report_finish(r);
	int ok = 0, tried = 0;
	char repdir[PATH_MAX] = "";
	if (windir[0]) {
		tried++;
		if (report_save(r, windir, r->stamp, 0, &err) == RS_OK)
			ok++;
	}
	if (conf->reports_dir[0]) {
		tried++;
		struct rs_error e2 = { 0 };
		if (reports_root(conf->reports_dir, repdir) != 0) {
			rs_fail_errno(&e2, RS_EPARTIAL, errno, "cannot create %s", conf->reports_dir);
			repdir[0] = '\0';
		} else if (report_save(r, repdir, base, 1, &e2) == RS_OK) {
			ok++;
		}
		if (e2.code)
			err = e2;
	}
	char sheet_err[sizeof(err.msg)] = "";
	if (repdir[0] && r->written[1][0])
		write_log_sheet(repdir, conf->rescue_partition, sheet_err, sizeof(sheet_err));
	const char *rel = r->written[0][0] ? winpath_relative(run->ctx->root, r->written[0]) : NULL;
	snprintf(r->on_volume, sizeof(r->on_volume), "%s", rel ? rel : "");
	/* The files are rewritten when their step changed: a file named
	 * NAME-2 (see report_where), or a failure (best effort: the copies that
	 * were written say so too). */
	char written[sizeof(where)];
	report_where(run, windir, failed ? winerr : NULL, base, written, sizeof(written));
	bool rewrite = strcmp(written, where) != 0 || sheet_err[0];
	s = &r->steps[r->nsteps - 1];
	snprintf(s->detail, sizeof(s->detail), "%s%s%s", written, sheet_err[0] ? "; log sheet: " : "", sheet_err);
	if (failed || ok < tried) {
		s->status = STEP_FAILED;
		snprintf(s->detail, sizeof(s->detail), "%s (%s)", written, err.msg[0] ? err.msg : "failed");
		report_finish(r);
		rewrite = true;
	}
	for (int slot = 0; rewrite && slot < 2; slot++) {
		struct rs_error e3 = { 0 };
		if (r->written[slot][0])
			report_save(r, NULL, NULL, slot, &e3);
	}
	if (repdir[0])
		confine_root_remove(repdir);
	s->secs = now_secs() - run->t0;
	if (run->ev && run->ev->step)
		run->ev->step(r, "report", s, run->ev->user);
}

/* The rules could not load: the run stops before its first write, every
 * step after detect says so, and the report is written (YELLOW). */
static void steps_stopped(struct run *run)
{
	static const struct {
		const char *step;
		enum report_status status;
	} stopped[] = {
		{ "contain", STEP_REFUSED }, { "passwd", STEP_REFUSED }, { "permissions", STEP_REFUSED },
		{ "scan", STEP_FAILED }, { "autoruns", STEP_REFUSED },
	};
	for (size_t i = 0; i < sizeof(stopped) / sizeof(stopped[0]); i++) {
		step_begin(run, stopped[i].step);
		if (stopped[i].status == STEP_FAILED)
			step_end(run, STEP_FAILED, "rules could not load: %s", run->rules->why);
		else
			step_end(run, stopped[i].status, "not done: the scan rules could not load (see the scan step)");
	}
}

/* The security products' folders' descriptors (rescue/volume/permissions.h),
 * before the scan: a product the worm locked out can update and run again
 * once Windows starts.  A tree that is not an ntfs-3g mount has none to read:
 * skipped, saying so. */
static void step_permissions(struct run *run)
{
	step_begin(run, "permissions");
	if (!run->conf->repair_permissions) {
		step_end(run, STEP_SKIPPED, "repair_permissions = no");
		return;
	}
	struct perm_report pr;
	struct rs_error err = { 0 };
	int rc = perm_repair(run->ctx, &pr, &err);
	if (rc == RS_ETARGET) {
		step_end(run, STEP_SKIPPED, "%s", err.msg);
		return;
	}
	size_t hostile = 0;
	for (size_t i = 0; i < pr.n; i++) {
		const struct perm_finding *f = &pr.v[i];
		hostile += !f->skipped;
		report_note(run->r, "permissions: %s (%s): %s%s%s%s%s%s", f->path, f->product,
			    f->skipped ? f->error : f->malformed ? "malformed descriptor: " : "owner ",
			    f->skipped ? "" : f->malformed ? f->why : f->owner, f->ndeny ? "; " : "", f->deny,
			    f->error[0] && !f->skipped ? "; not repaired: " : "", f->error[0] && !f->skipped ? f->error : "");
	}
	if (rc)
		step_end(run, STEP_FAILED, "%zu of %zu hostile descriptor(s) reset: %s", pr.nchanged, hostile, err.msg);
	else if (pr.dry_run && hostile)
		step_end(run, STEP_SKIPPED, "read-only (%s): %zu hostile descriptor(s) in the security products' folders left "
			 "as they are", run->ctx->readonly_why, hostile);
	else
		step_end(run, pr.nchanged ? STEP_CHANGED : STEP_OK, "%zu security product folder(s), %zu file(s) checked; "
			 "%zu hostile descriptor(s) reset to Windows' defaults", pr.nfolders, pr.nobjects, pr.nchanged);
	perm_report_free(&pr);
}

/* Every step on one opened installation, and its report. */
static void run_install(const struct rs_conf *conf, const struct auto_events *ev, const struct run_rules *rules,
			struct opened *o, struct report *r)
{
	double start = now_secs();
	bool report_only = conf->mode == CONF_MODE_REPORT;
	struct rs_ctx *ctx = o->ctx;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	report_init(r, ctx ? ctx->stamp : stamp, o->target, conf_mode_name(conf->mode));
	struct run run = { .conf = conf, .ev = ev, .rules = rules, .ctx = ctx, .r = r };
	if (conf->source[0])
		report_note(r, "settings from %s", conf->source);
	if (o->unlocked[0])
		report_note(r, "%s", o->unlocked);
	if (!ctx) {
		step_begin(&run, "detect");
		step_end(&run, failure_status(o->rc), "%s", o->why);
		r->readonly = true;
		snprintf(r->readonly_why, sizeof(r->readonly_why), "not opened");
		r->secs = now_secs() - start;
		report_finish(r);
		return;
	}
	if (report_only) {
		ctx->flags |= RS_CTX_READONLY;
		snprintf(ctx->readonly_why, sizeof(ctx->readonly_why), "report-only mode");
	}
	if (step_detect(&run, o)) {
		if (rules->why[0]) {
			steps_stopped(&run);
		} else {
			step_contain(&run);
			step_passwd(&run);
			step_permissions(&run);
			/* One clean-up flow (rescue/run/clean.h): what the scan
			 * finds is quarantined, then what starts it disabled. */
			bool ro = ctx->flags & RS_CTX_READONLY;
			struct rs_clean_policy policy = {
				.quarantine = conf->scan == CONF_SCAN_QUARANTINE && !ro,
				.tie = RS_CLEAN_TIE_DETECTED,
				.random_names = conf->autoruns == CONF_AUTORUNS_FLAGGED,
				.list_only = ro,
				.skip_off = true,
			};
			struct rs_clean clean;
			rs_clean_init(&clean, ctx, &policy);
			struct learn learned = { 0 };
			if (conf->rescue_partition[0] && !ro)
				run.learn = &learned;
			struct rs_scan_result res;
			step_scan(&run, &clean, &res);
			step_autoruns(&run, &clean);
			if (run.learn)
				save_learned(&run);
			run.learn = NULL;
			learn_free(&learned);
			rs_scan_result_free(&res);
			rs_clean_free(&clean);
		}
		if (!(ctx->flags & RS_CTX_READONLY))
			report_add_journal(run.r, run.ctx);
	}
	r->readonly = ctx->flags & RS_CTX_READONLY;
	snprintf(r->readonly_why, sizeof(r->readonly_why), "%s", ctx->readonly_why);
	if (report_only)
		report_note(r, "report-only: nothing was written to the Windows volume; this report is only in "
			    "the reports folder of the RESCUE partition");
	step_report(&run, start);
}

static struct report *add_report(struct auto_result *out)
{
	struct report *v = realloc(out->reports, (out->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	out->reports = v;
	memset(&v[out->n], 0, sizeof(v[0]));
	return &v[out->n++];
}

/* --root: a tree or a volume mounted by someone else. */
static int run_root(const struct rs_conf *conf, const char *root, unsigned extra, const struct auto_events *ev,
		    const struct run_rules *rules, struct auto_result *out)
{
	struct opened o = { .target = root };
	struct rs_error err = { 0 };
	unsigned flags = extra | (conf->mode == CONF_MODE_REPORT ? RS_CTX_READONLY : 0);
	o.rc = rs_ctx_open(root, flags, &o.ctx, &err);
	if (o.rc) {
		snprintf(out->problem, sizeof(out->problem), "%s", err.msg);
		return o.rc;
	}
	o.hibernated = hibernated(o.ctx);
	if (o.hibernated && conf->hibernated == CONF_HIB_REMOVE)
		/* only the mount layer can remove it (ntfs-3g remove_hiberfile) */
		snprintf(o.why, sizeof(o.why), "hibernated = remove needs the disk mounted by rescue (--disk or the "
			 "boot image), not --root");
	struct report *r = add_report(out);
	if (r)
		run_install(conf, ev, rules, &o, r);
	rs_ctx_close(o.ctx);
	return r ? RS_OK : RS_EPARTIAL;
}

/* The volumes a run could not look into (BitLocker, unreadable): the
 * machine is then not fully examined. */
static void note_other_volumes(const struct rs_target *t, struct auto_result *out)
{
	for (size_t i = 0; i < rs_target_count(t); i++) {
		const struct rs_volume *v = rs_target_volume(t, i);
		if (v->windows || !(v->state & (VOL_BITLOCKER | VOL_UNREADABLE)))
			continue;
		size_t l = strlen(out->problem);
		snprintf(out->problem + l, sizeof(out->problem) - l, "%s%s: %s%s", l ? "; " : "", v->part->name,
			 (v->state & VOL_BITLOCKER) ? "BitLocker, not examined: " : "",
			 (v->state & VOL_BITLOCKER) ? v->bl_why : v->why);
	}
}

/* The disks of this machine, or --disk PATH: every Windows installation. */
static int run_disks(const struct rs_conf *conf, const char *disk, unsigned extra, const struct auto_events *ev,
		     const struct run_rules *rules, struct auto_result *out)
{
	struct rs_target *t = NULL;
	struct rs_error err = { 0 };
	/* The stick's recovery keys, for BitLocker volumes (wiped at the end). */
	struct blk_ring keys = { 0 };
	if (conf->bitlocker_keys[0] && blk_load(&keys, conf->bitlocker_keys, &err) != RS_OK)
		snprintf(out->problem, sizeof(out->problem), "%s", err.msg);
	int rc = rs_target_scan(disk, &keys, &t, &err);
	if (rc) {
		snprintf(out->problem, sizeof(out->problem), "%s", err.msg);
		blk_free(&keys);
		return rc;
	}
	note_other_volumes(t, out);
	size_t n = rs_target_installs(t);
	if (n == 0) {
		int dummy;
		rs_error_clear(&err);
		rs_target_pick(t, 0, &dummy, &err);
		size_t l = strlen(out->problem);
		snprintf(out->problem + l, sizeof(out->problem) - l, "%sno Windows installation found%s%s", l ? "; " : "",
			 err.msg[0] ? ": " : "", err.msg);
		rs_target_close(t, &err);
		blk_free(&keys);
		return RS_ETARGET;
	}
	bool report_only = conf->mode == CONF_MODE_REPORT;
	for (size_t i = 1; i <= n; i++) {
		const struct rs_volume *v = rs_target_install(t, (int)i);
		struct opened o = { .target = v->part->name, .hibernated = v->state & VOL_HIBERNATED };
		if (v->state & VOL_UNLOCKED)
			snprintf(o.unlocked, sizeof(o.unlocked), "BitLocker: unlocked with %s%s%s%s",
				 v->bl_key_id[0] ? "the recovery key from " : "", v->bl_key_from,
				 v->bl_key_id[0] ? ", key ID " : "", v->bl_key_id);
		bool want_remove = o.hibernated && conf->hibernated == CONF_HIB_REMOVE && !report_only;
		/* removing the hibernation file is a write: not when the run must stop */
		bool remove = want_remove && !rules->why[0];
		if (want_remove && !remove)
			snprintf(o.why, sizeof(o.why), "not without scan rules (they could not load)");
		unsigned ctx_flags = extra | (report_only || (o.hibernated && !remove) ? RS_CTX_READONLY : 0);
		rs_error_clear(&err);
		o.rc = rs_target_open(t, (int)i, ctx_flags, remove ? TARGET_REMOVE_HIBERFILE : 0, &o.ctx, &err);
		if (o.rc && !(ctx_flags & RS_CTX_READONLY)) {
			/* refused read-write (dirty, read-only medium...): look read-only */
			snprintf(o.why, sizeof(o.why), "%s", err.msg);
			rs_error_clear(&err);
			o.rc = rs_target_open(t, (int)i, extra | RS_CTX_READONLY, 0, &o.ctx, &err);
		} else if (o.rc == RS_OK && remove) {
			o.hiberfile_removed = true;
			o.hibernated = false;
		}
		if (o.rc)
			snprintf(o.why, sizeof(o.why), "%s", err.msg);
		else if (o.why[0] && !(o.ctx->flags & RS_CTX_READONLY))
			o.ctx->flags |= RS_CTX_READONLY;
		if (o.ctx && o.why[0])
			snprintf(o.ctx->readonly_why, sizeof(o.ctx->readonly_why), "%s", o.why);
		struct report *r = add_report(out);
		if (r)
			run_install(conf, ev, rules, &o, r);
		rs_ctx_close(o.ctx);
	}
	rs_error_clear(&err);
	if (rs_target_close(t, &err) != RS_OK) {
		size_t l = strlen(out->problem);
		snprintf(out->problem + l, sizeof(out->problem) - l, "%s%s", l ? "; " : "", err.msg);
	}
	blk_free(&keys);
	return RS_OK;
}

int auto_run(const struct rs_conf *conf, const char *root, const char *disk, unsigned ctx_flags,
	     const struct auto_events *ev, struct auto_result *out)
{
	memset(out, 0, sizeof(*out));
	out->verdict = VERDICT_YELLOW;
	struct run_rules rules = { 0 };
	/* The C2 names and addresses of the IOC lists in the rule folder reach
	 * the hosts and firewall items through their documented channels
	 * (hive/hosts.h, hive/firewall.h); a person's own variables win. */
	struct stat st;
	if (conf->rules_extra[0] && stat(conf->rules_extra, &st) == 0 && S_ISDIR(st.st_mode)) {
		setenv("RESCUE_EXTRA_HOSTS", conf->rules_extra, 0);
		setenv("RESCUE_EXTRA_IPS", conf->rules_extra, 0);
	}
	if (conf->scan != CONF_SCAN_OFF) {
		struct rs_error err = { 0 };
		/* the stick's rules, cached on it, and what it learned */
		if (runrules_load(conf, NULL, NULL, &rules.rules, &err) != RS_OK)
			snprintf(rules.why, sizeof(rules.why), "%s", err.msg);
	}
	int rc = root ? run_root(conf, root, ctx_flags, ev, &rules, out)
		      : run_disks(conf, disk, ctx_flags, ev, &rules, out);
	rs_rules_free(rules.rules);
	if (rules.why[0]) {
		/* the one line that says why this run changed nothing */
		size_t l = strlen(out->problem);
		snprintf(out->problem + l, sizeof(out->problem) - l, "%snothing changed: the scan rules could not load: %s",
			 l ? "; " : "", rules.why);
	}
	if (rc)
		return rc;
	out->verdict = VERDICT_GREEN;
	for (size_t i = 0; i < out->n; i++)
		if (out->reports[i].verdict == VERDICT_YELLOW ||
		    (out->reports[i].verdict == VERDICT_RED && out->verdict == VERDICT_GREEN))
			out->verdict = out->reports[i].verdict;
	/* volumes that could not be examined, or a failed unmount */
	if (out->problem[0])
		out->verdict = VERDICT_YELLOW;
	return out->verdict == VERDICT_GREEN ? RS_OK : out->verdict == VERDICT_RED ? RS_DETECTED : RS_EPARTIAL;
}

void auto_result_free(struct auto_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		report_free(&res->reports[i]);
	free(res->reports);
	memset(res, 0, sizeof(*res));
}
