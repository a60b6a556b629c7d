/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/auto.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hive/contain.h"
#include "hive/hive.h"
#include "hive/journal.h"
#include "hive/wininfo.h"
#include "rescue/accounts.h"
#include "rescue/ctx.h"
#include "rescue/winpath.h"

static double now_secs(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One installation being worked on. */
struct run {
	const struct rs_conf *conf;
	const struct auto_events *ev;
	struct rs_ctx *ctx;
	struct report *r;
	double t0;                  /* start of the current step */
	const char *name;           /* the current step */
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
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	char sig[4] = { 0 };
	size_t n = fread(sig, 1, 4, f);
	fclose(f);
	static const char *const sigs[] = { "hibr", "wake", "rstr" };
	for (size_t i = 0; n == 4 && i < 3; i++)
		if (strncasecmp(sig, sigs[i], 4) == 0)
			return true;
	return false;
}

/* ---- steps ---- */

/* detect: what Windows this is, and whether it may be written.  Returns
 * false when the installation must not be worked on at all. */
static bool step_detect(struct run *run)
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
	char what[256];
	snprintf(what, sizeof(what), "%s%s%s, computer %s", info.product[0] ? info.product : "Windows (product unknown)",
		 info.build[0] ? " build " : "", info.build, info.computer[0] ? info.computer : "(unnamed)");

	if (hibernated(run->ctx)) {
		switch (run->conf->hibernated) {
		case CONF_HIB_SKIP:
			step_end(run, STEP_REFUSED, "%s: hibernated, left alone (hibernated = skip)", what);
			break;
		case CONF_HIB_REMOVE:
			/* Deleting the hibernation file is a decision about the volume
			 * that only the mount layer can carry out (ntfs-3g's
			 * remove_hiberfile); on a mounted tree it is refused. */
			step_end(run, STEP_REFUSED, "%s: hibernated; hibernated = remove needs the disk mounted by "
				 "rescue itself, not --root: nothing written", what);
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
 * enable them (rescue/accounts.h does the SAM work and journals it). */
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
			for (size_t k = 0; k < done.n; k++) {
				size_t l = strlen(ra.done);
				snprintf(ra.done + l, sizeof(ra.done) - l, "%s%s", k ? "; " : "", done.what[k]);
			}
			changed += done.changed;
			run->r->password_reset = true;
		}
		failed += !ra.ok;
		report_add_account(run->r, &ra);
	}
	accounts_close(a);
	if (failed || problem[0] || !any)
		step_end(run, STEP_FAILED, "%zu of %zu account(s) done (%s)%s%s", n - failed, n, any ? names : "none",
			 problem[0] ? "; " : "", problem);
	else
		step_end(run, changed ? STEP_CHANGED : STEP_OK, "%s: password %s%s%s", names,
			 conf->password_set ? "set" : "blanked", conf->unlock ? ", unlocked" : "",
			 conf->enable ? ", enabled" : "");
}

/* A step whose core module is not in this build yet: when the settings ask
 * for it the run is incomplete, and says so, rather than claim GREEN. */
static void step_missing(struct run *run, const char *name, bool wanted, const char *off)
{
	step_begin(run, name);
	if (wanted)
		step_end(run, STEP_FAILED, "not available in this build of rescue");
	else
		step_end(run, STEP_SKIPPED, "%s", off);
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

/* report: on the Windows volume (unless read-only) and in reports_dir. */
static void step_report(struct run *run, double start)
{
	struct report *r = run->r;
	const struct rs_conf *conf = run->conf;
	bool ro = run->ctx->flags & RS_CTX_READONLY;
	char windir[PATH_MAX] = "", where[1200] = "";
	struct rs_error err = { 0 };
	step_begin(run, "report");
	bool failed = false;
	if (!ro && rs_ctx_rescue_dir(run->ctx, "reports", windir, sizeof(windir), &err) != RS_OK) {
		failed = true;
		snprintf(where, sizeof(where), "Windows volume: %s; ", err.msg);
		windir[0] = '\0';
	}
	if (windir[0])
		snprintf(where, sizeof(where), "%s/%s/%s.json", RS_PATH_RESCUE, "reports", r->stamp);
	else if (ro)
		snprintf(where, sizeof(where), "not on the Windows volume (read-only: %s)", run->ctx->readonly_why);
	char base[128];
	partition_name(r, base, sizeof(base));
	size_t wl = strlen(where);
	if (conf->reports_dir[0])
		snprintf(where + wl, sizeof(where) - wl, "; %s/%s.json", conf->reports_dir, base);
	else
		snprintf(where + wl, sizeof(where) - wl, "; no reports_dir (no RESCUE partition): no copy");

	/* The step and the verdict go into the files, so they are recorded
	 * first and corrected if writing fails. */
	struct report_step *s = report_step(r, "report", STEP_OK, 0, "%s", where);
	r->secs = now_secs() - start;
	report_finish(r);
	int ok = 0, tried = 0;
	if (windir[0]) {
		tried++;
		if (report_save(r, windir, r->stamp, 0, &err) == RS_OK)
			ok++;
	}
	if (conf->reports_dir[0]) {
		tried++;
		struct rs_error e2 = { 0 };
		if (winpath_mkdirs(conf->reports_dir, 0755) != 0)
			rs_fail_errno(&e2, RS_EPARTIAL, errno, "cannot create %s", conf->reports_dir);
		else if (report_save(r, conf->reports_dir, base, 1, &e2) == RS_OK)
			ok++;
		if (e2.code)
			err = e2;
	}
	if (failed || ok < tried) {
		s = &r->steps[r->nsteps - 1];
		s->status = STEP_FAILED;
		snprintf(s->detail, sizeof(s->detail), "%s (%s)", where, err.msg[0] ? err.msg : "failed");
		report_finish(r);
		/* Best effort: the copies that were written say so too. */
		for (int slot = 0; slot < 2; slot++) {
			struct rs_error e3 = { 0 };
			if (r->written[slot][0])
				report_save(r, NULL, NULL, slot, &e3);
		}
	}
	s = &r->steps[r->nsteps - 1];
	s->secs = now_secs() - run->t0;
	if (run->ev && run->ev->step)
		run->ev->step(r, "report", s, run->ev->user);
}

static int run_install(const struct rs_conf *conf, const char *root, const struct auto_events *ev,
		       struct report *r)
{
	double start = now_secs();
	bool report_only = conf->mode == CONF_MODE_REPORT;
	struct rs_ctx *ctx = NULL;
	struct rs_error err = { 0 };
	int rc = rs_ctx_open(root, report_only ? RS_CTX_READONLY : 0, &ctx, &err);
	report_init(r, ctx ? ctx->stamp : "", root, conf_mode_name(conf->mode));
	struct run run = { .conf = conf, .ev = ev, .ctx = ctx, .r = r };
	if (rc) {
		step_begin(&run, "detect");
		step_end(&run, failure_status(rc), "%s", err.msg);
		report_finish(r);
		return rc;
	}
	if (report_only)
		snprintf(ctx->readonly_why, sizeof(ctx->readonly_why), "report-only mode");
	if (conf->source[0])
		report_note(r, "settings from %s", conf->source);
	if (step_detect(&run)) {
		step_contain(&run);
		step_passwd(&run);
		step_missing(&run, "scan", conf->scan != CONF_SCAN_OFF, "scan = off");
		if (!(ctx->flags & RS_CTX_READONLY))
			report_add_journal(run.r, run.ctx);
	}
	r->readonly = ctx->flags & RS_CTX_READONLY;
	snprintf(r->readonly_why, sizeof(r->readonly_why), "%s", ctx->readonly_why);
	if (report_only)
		report_note(r, "report-only: nothing was written to the Windows volume; this report is only in "
			    "the reports folder of the RESCUE partition");
	step_report(&run, start);
	rs_ctx_close(ctx);
	return RS_OK;
}

int auto_run(const struct rs_conf *conf, const char *root, const struct auto_events *ev,
	     struct auto_result *out)
{
	memset(out, 0, sizeof(*out));
	out->verdict = VERDICT_YELLOW;
	if (!root) {
		snprintf(out->problem, sizeof(out->problem),
			 "no target: give --root DIR (finding the disks of this machine is not in this build yet)");
		return RS_ETARGET;
	}
	out->reports = calloc(1, sizeof(*out->reports));
	if (!out->reports) {
		snprintf(out->problem, sizeof(out->problem), "out of memory");
		return RS_EPARTIAL;
	}
	out->n = 1;
	int rc = run_install(conf, root, ev, &out->reports[0]);
	if (rc) {
		snprintf(out->problem, sizeof(out->problem), "%s",
			 out->reports[0].nsteps ? out->reports[0].steps[0].detail : "no Windows installation");
		return rc;
	}
	out->verdict = VERDICT_GREEN;
	for (size_t i = 0; i < out->n; i++)
		if (out->reports[i].verdict == VERDICT_YELLOW ||
		    (out->reports[i].verdict == VERDICT_RED && out->verdict == VERDICT_GREEN))
			out->verdict = out->reports[i].verdict;
	return out->verdict == VERDICT_GREEN ? RS_OK : out->verdict == VERDICT_RED ? RS_DETECTED : RS_EPARTIAL;
}

void auto_result_free(struct auto_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		report_free(&res->reports[i]);
	free(res->reports);
	memset(res, 0, sizeof(*res));
}
