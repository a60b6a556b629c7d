/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/volume/permissions.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rescue/base/confine.h"
#include "rescue/base/journal.h"
#include "rescue/base/secfolders.h"
#include "rescue/base/winpath.h"
#include "rescue/volume/secdesc.h"

/* ntfs-3g's name for the raw NTFS security descriptor of a file. */
#define ACL_XATTR "system.ntfs_acl"

void perm_report_free(struct perm_report *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

/* The descriptor of the entry at ABS into *BUF (malloc'ed, *LEN bytes); -1
 * with errno (EFBIG: larger than any descriptor rescue reads). */
static int read_acl(const char *abs, uint8_t **buf, size_t *len)
{
	ssize_t n = confine_getxattr(abs, ACL_XATTR, NULL, 0);
	if (n < 0)
		return -1;
	if (n > SD_MAX_BYTES) {
		errno = EFBIG;
		return -1;
	}
	uint8_t *b = malloc((size_t)n + 1);
	if (!b)
		return -1;
	ssize_t got = confine_getxattr(abs, ACL_XATTR, b, (size_t)n);
	if (got < 0) {
		free(b);
		return -1;
	}
	*buf = b;
	*len = (size_t)got;
	return 0;
}

/* Whether the descriptor at ABS now says what WANT does (by meaning, as
 * ntfs-3g may store the parts in another order; byte for byte when WANT does
 * not parse). */
static bool reads_back(const char *abs, const uint8_t *want, size_t wantlen)
{
	uint8_t *got;
	size_t gotlen;
	if (read_acl(abs, &got, &gotlen) != 0)
		return false;
	struct secdesc a, b;
	char why[8];
	bool same;
	if (secdesc_parse(want, wantlen, &a, why, sizeof(why)) != 0) {
		same = gotlen == wantlen && memcmp(got, want, wantlen) == 0;
	} else {
		same = secdesc_parse(got, gotlen, &b, why, sizeof(why)) == 0 && secdesc_same(&a, &b);
		secdesc_free(&b);
	}
	secdesc_free(&a);
	free(got);
	return same;
}

/* Journal, write and read back NEW as the descriptor of REL (at ABS), whose
 * descriptor is OLD. */
static int write_acl(struct rs_ctx *ctx, const char *item, const char *rel, const char *abs, const uint8_t *old,
		     size_t oldlen, const uint8_t *new, size_t newlen, struct rs_error *err)
{
	struct journal_entry e = { .kind = JOURNAL_ACL, .old_present = true, .new_present = true,
				   .old_data = (uint8_t *)old, .old_len = oldlen,
				   .new_data = (uint8_t *)new, .new_len = newlen };
	snprintf(e.item, sizeof(e.item), "%s", item);
	snprintf(e.path, sizeof(e.path), "%s", rel);
	int rc = journal_append(ctx, &e, err);
	if (rc)
		return rc;
	if (confine_setxattr(abs, ACL_XATTR, new, newlen, 0) != 0)
		return rs_fail(err, RS_EPARTIAL, "%s: cannot write its security descriptor: %s", rel,
			       confine_strerror(errno));
	if (!reads_back(abs, new, newlen))
		return rs_fail(err, RS_EPARTIAL, "%s: its security descriptor does not read back as written", rel);
	return RS_OK;
}

/* One descriptor's words for a finding: owner and Deny entries. */
static void describe(const struct secdesc *sd, struct perm_finding *f)
{
	char sid[128];
	if (sd->has_owner) {
		sd_sid_format(&sd->owner, sid, sizeof(sid));
		const char *name = sd_sid_name(&sd->owner);
		snprintf(f->owner, sizeof(f->owner), "%s%s%s%s", sid, name ? " (" : "", name ? name : "", name ? ")" : "");
	} else {
		snprintf(f->owner, sizeof(f->owner), "(none)");
	}
	f->owner_unusual = !sd->has_owner || !sd_owner_usual(&sd->owner);
	f->empty_dacl = !sd->dacl_null && (sd->control & SD_DACL_PRESENT) && sd->nace == 0;
	for (size_t i = 0; i < sd->nace; i++) {
		const struct sd_ace *a = &sd->ace[i];
		if (!sd_ace_is_deny(a))
			continue;
		f->ndeny++;
		size_t n = strlen(f->deny);
		const char *name = a->has_sid ? sd_sid_name(&a->sid) : NULL;
		if (a->has_sid)
			sd_sid_format(&a->sid, sid, sizeof(sid));
		snprintf(f->deny + n, sizeof(f->deny) - n, "%sDeny %s 0x%08x%s", n ? "; " : "",
			 name ? name : a->has_sid ? sid : "(no SID)", (unsigned)a->mask,
			 a->flags & SD_ACE_INHERITED ? " inherited" : "");
	}
}

/* Whether the descriptor BUF (LEN bytes) is one to reset: PROBE says what
 * is wrong with it; SD (parsed, *PARSED) is the caller's to free. */
static bool hostile(const uint8_t *buf, size_t len, struct secdesc *sd, bool *parsed, struct perm_finding *probe)
{
	*parsed = secdesc_parse(buf, len, sd, probe->why, sizeof(probe->why)) == 0;
	if (*parsed)
		describe(sd, probe);
	else
		probe->malformed = true;
	return probe->malformed || probe->owner_unusual || probe->ndeny || probe->empty_dacl;
}

struct walk {
	struct rs_ctx *ctx;
	struct perm_report *out;
	const struct secfolder *row;
	struct sd_sid owner;        /* the row's default owner */
	int rc;
};

static struct perm_finding *add_finding(struct walk *w, const char *rel, bool folder)
{
	struct perm_finding *v = realloc(w->out->v, (w->out->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	w->out->v = v;
	struct perm_finding *f = &v[w->out->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", rel);
	f->product = w->row->product;
	f->folder = folder;
	return f;
}

/* Check (and repair) the entry at ABS, REL on the volume. */
static void check_one(struct walk *w, const char *abs, const char *rel, bool folder)
{
	uint8_t *old;
	size_t oldlen;
	w->out->nobjects++;
	if (read_acl(abs, &old, &oldlen) != 0) {
		struct perm_finding *f = add_finding(w, rel, folder);
		if (f) {
			f->skipped = true;
			snprintf(f->error, sizeof(f->error), "security descriptor unreadable: %s", confine_strerror(errno));
		}
		w->out->nfailed++;
		w->rc = RS_EPARTIAL;
		return;
	}
	struct secdesc sd;
	struct perm_finding probe = { 0 };
	bool parsed;
	if (!hostile(old, oldlen, &sd, &parsed, &probe)) {
		secdesc_free(&sd);
		free(old);
		return;
	}
	struct perm_finding *f = add_finding(w, rel, folder);
	if (!f) {
		w->rc = RS_EPARTIAL;
		secdesc_free(&sd);
		free(old);
		return;
	}
	memcpy(f->why, probe.why, sizeof(f->why));
	memcpy(f->owner, probe.owner, sizeof(f->owner));
	memcpy(f->deny, probe.deny, sizeof(f->deny));
	f->malformed = probe.malformed;
	f->owner_unusual = probe.owner_unusual;
	f->ndeny = probe.ndeny;
	f->empty_dacl = probe.empty_dacl;
	if (!w->out->dry_run) {
		uint8_t *new = NULL;
		size_t newlen;
		const struct sd_sid *owner = parsed && !probe.owner_unusual ? &sd.owner : &w->owner;
		struct rs_error e = { 0 };
		int rc;
		if (secdesc_build_default(w->row->parent, folder, owner, parsed && sd.sacl_len ? old + sd.sacl_off : NULL,
					  parsed ? sd.sacl_len : 0, &new, &newlen) != 0)
			rc = rs_fail(&e, RS_EPARTIAL, "%s: out of memory", rel);
		else
			rc = write_acl(w->ctx, PERM_ITEM, rel, abs, old, oldlen, new, newlen, &e);
		free(new);
		if (rc) {
			snprintf(f->error, sizeof(f->error), "%s", e.msg);
			w->out->nfailed++;
			w->rc = RS_EPARTIAL;
		} else {
			f->changed = true;
			w->out->nchanged++;
		}
	}
	if (parsed)
		secdesc_free(&sd);
	free(old);
}

/* The entry at ABS (REL) and, for a folder, everything below it. */
static void visit(struct walk *w, const char *abs, const char *rel, int depth)
{
	struct stat st;
	if (w->out->nobjects >= PERM_MAX_OBJECTS)
		return;
	int e = confine_lstat_nolink(abs, &st) != 0 ? errno : 0;
	if (e || (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))) {
		struct perm_finding *f = add_finding(w, rel, false);
		if (f) {
			f->skipped = true;
			snprintf(f->error, sizeof(f->error), "left as it is: %s",
				 e == ELOOP ? "a link on the volume: not followed"
				 : e ? confine_strerror(e) : "neither a file nor a folder");
		}
		return;
	}
	bool folder = S_ISDIR(st.st_mode);
	if (!folder && st.st_nlink > 1) {
		/* One descriptor serves every name of a file: a name the worm
		 * linked here for a file elsewhere (a hive) must not get the
		 * folder's defaults.  Reported, left alone. */
		uint8_t *acl;
		size_t acllen;
		struct perm_finding probe = { 0 };
		struct secdesc sd;
		bool parsed, bad = read_acl(abs, &acl, &acllen) != 0;
		if (!bad) {
			bad = hostile(acl, acllen, &sd, &parsed, &probe);
			secdesc_free(&sd);
			free(acl);
		}
		w->out->nobjects++;
		struct perm_finding *f = bad ? add_finding(w, rel, false) : NULL;
		if (f) {
			f->skipped = true;
			snprintf(f->error, sizeof(f->error), "left as it is: hard-linked (%lu names), its descriptor serves "
				 "every name, some maybe outside this folder; check it by hand", (unsigned long)st.st_nlink);
		}
		return;
	}
	check_one(w, abs, rel, folder);
	if (!folder)
		return;
	if (depth >= PERM_MAX_DEPTH) {
		struct perm_finding *f = add_finding(w, rel, true);
		if (f) {
			f->skipped = true;
			snprintf(f->error, sizeof(f->error), "folders nested deeper than %d: not looked into", PERM_MAX_DEPTH);
		}
		return;
	}
	DIR *d = confine_opendir(abs);
	if (!d) {
		struct perm_finding *f = add_finding(w, rel, true);
		if (f) {
			f->skipped = true;
			snprintf(f->error, sizeof(f->error), "cannot list it: %s", confine_strerror(errno));
		}
		w->rc = RS_EPARTIAL;
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) && w->out->nobjects < PERM_MAX_OBJECTS) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char cabs[PATH_MAX], crel[1024];
		if ((size_t)snprintf(cabs, sizeof(cabs), "%s/%s", abs, de->d_name) >= sizeof(cabs) ||
		    (size_t)snprintf(crel, sizeof(crel), "%s/%s", rel, de->d_name) >= sizeof(crel))
			continue;
		visit(w, cabs, crel, depth + 1);
	}
	closedir(d);
}

/* RS_ETARGET unless the volume root has an NTFS descriptor to read. */
static int check_readable(const struct rs_ctx *ctx, struct rs_error *err)
{
	if (confine_getxattr(ctx->root, ACL_XATTR, NULL, 0) >= 0)
		return RS_OK;
	return rs_fail(err, RS_ETARGET, "permissions cannot be read on %s: not an ntfs-3g mount (no %s: %s); "
		       "use --disk, or mount the volume with ntfs-3g", ctx->root, ACL_XATTR, confine_strerror(errno));
}

int perm_repair(struct rs_ctx *ctx, struct perm_report *out, struct rs_error *err)
{
	memset(out, 0, sizeof(*out));
	int rc = check_readable(ctx, err);
	if (rc)
		return rc;
	out->dry_run = ctx->flags & (RS_CTX_DRY_RUN | RS_CTX_READONLY);
	struct walk w = { .ctx = ctx, .out = out };
	for (size_t i = 0; i < secfolders_n; i++) {
		char abs[PATH_MAX], rel[1024];
		if (winpath_resolve(ctx->root, secfolders[i].path, abs, sizeof(abs)) != 0)
			continue;
		w.row = &secfolders[i];
		sd_sid_parse(w.row->owner, &w.owner);
		snprintf(rel, sizeof(rel), "%s", winpath_relative(ctx->root, abs));
		out->nfolders++;
		visit(&w, abs, rel, 0);
	}
	if (out->nobjects >= PERM_MAX_OBJECTS) {
		w.rc = RS_EPARTIAL;
		return rs_fail(err, RS_EPARTIAL, "more than %d files in the security products' folders: the rest "
			       "was not checked", PERM_MAX_OBJECTS);
	}
	if (w.rc)
		return rs_fail(err, w.rc, "%zu of the security products' files could not be checked or repaired "
			       "(see each)", out->nfailed);
	return RS_OK;
}

int perm_restore(struct rs_ctx *ctx, const char *item, const char *rel, const uint8_t *old, size_t oldlen,
		 const uint8_t *want, size_t wantlen, struct rs_error *err)
{
	char abs[PATH_MAX];
	if (winpath_resolve(ctx->root, rel, abs, sizeof(abs)) != 0)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "%s", rel);
	int rc = check_readable(ctx, err);
	if (rc)
		return rc;
	struct stat st;
	if (confine_lstat_nolink(abs, &st) != 0)
		return rs_fail(err, RS_EPARTIAL, "%s: %s", rel, confine_strerror(errno));
	uint8_t *cur;
	size_t curlen;
	if (read_acl(abs, &cur, &curlen) != 0)
		return rs_fail(err, RS_EPARTIAL, "%s: security descriptor unreadable: %s", rel, confine_strerror(errno));
	if (!reads_back(abs, want, wantlen)) {
		free(cur);
		return rs_fail(err, RS_EPARTIAL, "%s: its security descriptor changed since rescue wrote it; left as it is",
			       rel);
	}
	rc = write_acl(ctx, item, rel, abs, cur, curlen, old, oldlen, err);
	free(cur);
	return rc;
}
