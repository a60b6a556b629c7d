/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE     /* vasprintf, open_memstream */
#include "rescue/run/report.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hive/hive.h"
#include "rescue/base/journal.h"
#include "rescue/base/confine.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/json.h"
#include "rescue/base/textesc.h"
#include "rescue/base/version.h"

static const char *const verdict_names[] = { "GREEN", "RED", "YELLOW" };
static const char *const verdict_meanings[] = {
	[VERDICT_GREEN] = "clean: scanned, nothing found, every step done",
	[VERDICT_RED] = "detections found (see the report)",
	[VERDICT_YELLOW] = "incomplete: a step failed or was refused, this machine needs a person",
};
/* YELLOW because no scan finished: "nothing found" would be a lie. */
static const char not_scanned_meaning[] = "not scanned: no scan finished, this machine needs a person";
static const char *const status_names[] = {
	[STEP_OK] = "ok", [STEP_CHANGED] = "changed", [STEP_SKIPPED] = "skipped",
	[STEP_REFUSED] = "refused", [STEP_FAILED] = "failed",
};

const char *report_verdict_name(enum report_verdict v) { return verdict_names[v]; }
const char *report_verdict_meaning(enum report_verdict v) { return verdict_meanings[v]; }
const char *report_meaning(const struct report *r)
{
	return r->verdict == VERDICT_YELLOW && !r->scanned ? not_scanned_meaning : verdict_meanings[r->verdict];
}
const char *report_status_name(enum report_status s) { return status_names[s]; }

int report_verdict_parse(const char *name)
{
	for (size_t v = 0; v < sizeof(verdict_names) / sizeof(verdict_names[0]); v++)
		if (strcmp(name, verdict_names[v]) == 0)
			return (int)v;
	return -1;
}

void report_init(struct report *r, const char *stamp, const char *target, const char *mode)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->stamp, sizeof(r->stamp), "%s", stamp);
	snprintf(r->target, sizeof(r->target), "%s", target);
	snprintf(r->mode, sizeof(r->mode), "%s", mode);
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->ndet; i++) {
		free(r->det[i].path);
		free(r->det[i].rules);
		for (size_t k = 0; k < r->det[i].nmeta; k++)
			rs_rule_meta_free(&r->det[i].meta[k]);
		free(r->det[i].meta);
		free(r->det[i].action);
		othernames_free(&r->det[i].others);
	}
	for (size_t i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->det);
	free(r->notes);
	free(r->steps);
	free(r->changes);
	free(r->accounts);
	memset(r, 0, sizeof(*r));
}

/* Grow *V (of *N elements of SIZE) by one zeroed element; NULL when out of memory. */
static void *grow(void *vp, size_t *n, size_t size)
{
	void **v = vp;
	char *nv = realloc(*v, (*n + 1) * size);
	if (!nv)
		return NULL;
	*v = nv;
	memset(nv + *n * size, 0, size);
	return nv + (*n)++ * size;
}

struct report_step *report_step(struct report *r, const char *name, enum report_status st, double secs,
				const char *fmt, ...)
{
	struct report_step *s = grow(&r->steps, &r->nsteps, sizeof(*s));
	if (!s)
		return NULL;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->status = st;
	s->secs = secs;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
	return s;
}

void report_note(struct report *r, const char *fmt, ...)
{
	char *text;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	char **slot = grow(&r->notes, &r->nnotes, sizeof(*slot));
	if (slot)
		*slot = text;
	else
		free(text);
}

int report_add_change(struct report *r, const struct report_change *c)
{
	struct report_change *d = grow(&r->changes, &r->nchanges, sizeof(*d));
	if (!d)
		return -1;
	*d = *c;
	return 0;
}

int report_add_account(struct report *r, const struct report_account *a)
{
	struct report_account *d = grow(&r->accounts, &r->naccounts, sizeof(*d));
	if (!d)
		return -1;
	*d = *a;
	return 0;
}

int report_add_detection(struct report *r, const char *path, const char *rules, const char *sha256,
			 uint64_t size, const char *action, const char *inspect)
{
	struct report_detection *d = grow(&r->det, &r->ndet, sizeof(*d));
	if (!d)
		return -1;
	d->path = strdup(path ? path : "");
	d->rules = strdup(rules ? rules : "");
	d->action = strdup(action ? action : "");
	d->inspect = inspect;
	snprintf(d->sha256, sizeof(d->sha256), "%s", sha256 ? sha256 : "");
	d->size = size;
	return d->path && d->rules && d->action ? 0 : -1;
}

int report_detection_meta(struct report *r, const struct rs_rule_meta *v, size_t n)
{
	if (!r->ndet || !n)
		return 0;
	struct report_detection *d = &r->det[r->ndet - 1];
	if (!(d->meta = calloc(n, sizeof(*d->meta))))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (rs_rule_meta_copy(&d->meta[d->nmeta], &v[i]) == 0)
			d->nmeta++;
	return d->nmeta == n ? 0 : -1;
}

int report_detection_names(struct report *r, const char *const *names, size_t n)
{
	if (!r->ndet || n < 2)
		return 0;
	struct report_detection *d = &r->det[r->ndet - 1];
	othernames_free(&d->others);
	return othernames_copy(&d->others, names + 1, n - 1, NULL);
}

enum report_verdict report_finish(struct report *r)
{
	r->verdict = r->ndet ? VERDICT_RED : VERDICT_GREEN;
	r->scanned = false;
	for (size_t i = 0; i < r->nsteps; i++) {
		enum report_status st = r->steps[i].status;
		if (st == STEP_FAILED || st == STEP_REFUSED)
			r->verdict = VERDICT_YELLOW;
		/* a scan that went through the whole volume but could not read
		 * or quarantine some files was done: YELLOW "incomplete", not
		 * "not scanned" */
		if (strcmp(r->steps[i].name, "scan") == 0 &&
		    (st == STEP_OK || st == STEP_CHANGED || (st == STEP_FAILED && r->scan_walked)))
			r->scanned = true;
	}
	/* scan = off, a scan cut short or one that could not start: whatever
	 * else went well, nobody looked for the malware */
	if (!r->scanned)
		r->verdict = VERDICT_YELLOW;
	return r->verdict;
}

/* Every journal entry of this run becomes a change of the report, with the
 * seq `rescue undo` works from. */
void report_add_journal(struct report *r, struct rs_ctx *ctx)
{
	struct journal j;
	struct rs_error err = { 0 };
	if (journal_load(ctx, &j, &err) != RS_OK) {
		report_note(r, "journal unreadable, changes not listed: %s", err.msg);
		return;
	}
	for (size_t i = 0; i < j.n; i++) {
		const struct journal_entry *e = &j.v[i];
		if (strcmp(e->run, ctx->stamp) != 0 || e->kind == JOURNAL_UNDONE || e->undone)
			continue;
		struct report_change c = { .seq = e->seq };
		snprintf(c.item, sizeof(c.item), "%s", e->item);
		switch (e->kind) {
		case JOURNAL_VALUE: {
			struct reg_value o = { e->old_present, e->old_type, e->old_len, e->old_data };
			struct reg_value n = { e->new_present, e->new_type, e->new_len, e->new_data };
			snprintf(c.what, sizeof(c.what), "%s %s : %s", hive_short_name(e->hive), e->key,
				 e->value[0] ? e->value : "(default)");
			reg_value_format(&o, c.before, sizeof(c.before));
			reg_value_format(&n, c.after, sizeof(c.after));
			break;
		}
		case JOURNAL_KEY:
			snprintf(c.what, sizeof(c.what), "%s %s", hive_short_name(e->hive), e->key);
			snprintf(c.before, sizeof(c.before), "(absent)");
			snprintf(c.after, sizeof(c.after), "key created");
			break;
		case JOURNAL_FILE:
			snprintf(c.what, sizeof(c.what), "file %s (backup %s)", e->path,
				 e->backup[0] ? e->backup : "none");
			snprintf(c.before, sizeof(c.before), "%s", e->old_sha256[0] ? e->old_sha256 : "(absent)");
			snprintf(c.after, sizeof(c.after), "%s", e->new_sha256[0] ? e->new_sha256 : "(removed)");
			break;
		case JOURNAL_QUARANTINE:
			snprintf(c.what, sizeof(c.what), "file %s%s%s quarantined (id %s)", e->path,
				 e->stream[0] ? ":" : "", e->stream, e->id);
			snprintf(c.before, sizeof(c.before), "%s", e->old_sha256);
			snprintf(c.after, sizeof(c.after), "(in Rescue/quarantine)");
			break;
		case JOURNAL_ACL:
			snprintf(c.what, sizeof(c.what), "security descriptor of %s", e->path);
			snprintf(c.before, sizeof(c.before), "%zu bytes (in the journal)", e->old_len);
			snprintf(c.after, sizeof(c.after), "Windows' default (%zu bytes)", e->new_len);
			break;
		case JOURNAL_UNDONE:
			break;
		}
		report_add_change(r, &c);
	}
	journal_free(&j);
}

/* ---- writing ---- */

static void put_kv(FILE *f, const char *key, const char *val, bool comma)
{
	fprintf(f, "%s\"%s\":", comma ? "," : "", key);
	json_put_str(f, val);
}

void report_write_json(const struct report *r, FILE *f)
{
	fprintf(f, "{\"format\":\"%s\"", REPORT_FORMAT);
	put_kv(f, "rescue_version", rescue_version, true);
	put_kv(f, "machine", r->machine, true);
	put_kv(f, "stamp", r->stamp, true);
	put_kv(f, "verdict", verdict_names[r->verdict], true);
	put_kv(f, "meaning", report_meaning(r), true);
	put_kv(f, "mode", r->mode, true);
	put_kv(f, "product", r->product, true);
	put_kv(f, "build", r->build, true);
	put_kv(f, "display", r->display, true);
	put_kv(f, "target", r->target, true);
	fprintf(f, ",\"readonly\":%s", r->readonly ? "true" : "false");
	put_kv(f, "readonly_why", r->readonly ? r->readonly_why : NULL, true);
	fprintf(f, ",\"detections\":%zu,\"quarantined\":%zu,\"changes\":%zu,\"password_reset\":%s",
		r->ndet, r->quarantined, r->nchanges, r->password_reset ? "true" : "false");
	/* the detections' digests as a flat list too: `rescue fleet` finds a
	 * learned hash seen again on this machine without the nested list */
	fputs(",\"detection_sha256\":[", f);
	for (size_t i = 0, n = 0; i < r->ndet; i++)
		if (strlen(r->det[i].sha256) == 64) {
			fputs(n++ ? "," : "", f);
			json_put_str(f, r->det[i].sha256);
		}
	fputc(']', f);
	fprintf(f, ",\"files\":%llu,\"bytes\":%llu,\"skipped\":%llu,\"secs\":%.3f",
		(unsigned long long)r->files, (unsigned long long)r->bytes, (unsigned long long)r->skipped, r->secs);

	fputs(",\n\"steps\":[", f);
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct report_step *s = &r->steps[i];
		fprintf(f, "%s\n {\"step\":", i ? "," : "");
		json_put_str(f, s->name);
		put_kv(f, "status", status_names[s->status], true);
		fprintf(f, ",\"secs\":%.3f", s->secs);
		put_kv(f, "detail", s->detail, true);
		fputc('}', f);
	}
	fputs("],\n\"change_list\":[", f);
	for (size_t i = 0; i < r->nchanges; i++) {
		const struct report_change *c = &r->changes[i];
		fprintf(f, "%s\n {\"seq\":%ld", i ? "," : "", c->seq);
		put_kv(f, "item", c->item, true);
		put_kv(f, "what", c->what, true);
		put_kv(f, "before", c->before, true);
		put_kv(f, "after", c->after, true);
		fputc('}', f);
	}
	fputs("],\n\"accounts\":[", f);
	for (size_t i = 0; i < r->naccounts; i++) {
		const struct report_account *a = &r->accounts[i];
		fprintf(f, "%s\n {\"rid\":%u", i ? "," : "", a->rid);
		put_kv(f, "name", a->name, true);
		put_kv(f, "done", a->done, true);
		fprintf(f, ",\"ok\":%s}", a->ok ? "true" : "false");
	}
	fputs("],\n\"detection_list\":[", f);
	for (size_t i = 0; i < r->ndet; i++) {
		const struct report_detection *d = &r->det[i];
		fprintf(f, "%s\n {\"path\":", i ? "," : "");
		json_put_str(f, d->path);
		put_kv(f, "rules", d->rules, true);
		put_kv(f, "sha256", d->sha256, true);
		fprintf(f, ",\"size\":%llu", (unsigned long long)d->size);
		put_kv(f, "action", d->action, true);
		put_kv(f, "inspect", d->inspect, true);
		othernames_json(f, &d->others);
		fputs(",\"matches\":", f);
		rs_rule_meta_json(f, d->meta, d->nmeta);
		fputc('}', f);
	}
	fputs("],\n\"notes\":[", f);
	for (size_t i = 0; i < r->nnotes; i++) {
		fputs(i ? ",\n " : "\n ", f);
		json_put_str(f, r->notes[i]);
	}
	fputs("]}\n", f);
}

void report_write_text(const struct report *r, FILE *f)
{
	textesc_fprintf(f, "rescue report %s: %s\n", r->stamp, verdict_names[r->verdict]);
	textesc_fprintf(f, "  %s\n\n", report_meaning(r));
	textesc_fprintf(f, "computer:  %s\n", r->machine[0] ? r->machine : "(unknown)");
	textesc_fprintf(f, "windows:   %s%s%s%s%s\n", r->product[0] ? r->product : "(unknown)", r->build[0] ? " build " : "",
		r->build, r->display[0] ? ", " : "", r->display);
	textesc_fprintf(f, "target:    %s\n", r->target);
	textesc_fprintf(f, "mode:      %s%s%s\n", r->mode, r->readonly ? ", nothing written to Windows: " : "",
		r->readonly ? r->readonly_why : "");
	textesc_fprintf(f, "time:      %.1f s\n", r->secs);
	textesc_fprintf(f, "version:   rescue %s\n", rescue_version);
	textesc_fprintf(f, "summary:   %zu detection(s), %zu quarantined, %zu change(s), password reset: %s\n",
		r->ndet, r->quarantined, r->nchanges, r->password_reset ? "yes" : "no");

	textesc_fprintf(f, "\nsteps:\n");
	for (size_t i = 0; i < r->nsteps; i++)
		textesc_fprintf(f, "  %-9s %-8s %6.1fs  %s\n", r->steps[i].name, status_names[r->steps[i].status],
			r->steps[i].secs, r->steps[i].detail);
	if (r->nchanges) {
		textesc_fprintf(f, "\nchanges (undo with `rescue undo ITEM`; seq = journal entry):\n");
		for (size_t i = 0; i < r->nchanges; i++) {
			const struct report_change *c = &r->changes[i];
			textesc_fprintf(f, "  #%-4ld %-8s %s: %s -> %s\n", c->seq, c->item, c->what, c->before, c->after);
		}
	}
	if (r->naccounts) {
		textesc_fprintf(f, "\naccounts:\n");
		for (size_t i = 0; i < r->naccounts; i++)
			textesc_fprintf(f, "  %-20s RID %-5u %s%s\n", r->accounts[i].name, r->accounts[i].rid,
				r->accounts[i].ok ? "" : "FAILED: ", r->accounts[i].done);
	}
	if (r->ndet) {
		textesc_fprintf(f, "\ndetections (%zu):\n", r->ndet);
		for (size_t i = 0; i < r->ndet; i++) {
			const struct report_detection *d = &r->det[i];
			textesc_fprintf(f, "  %s\n      %s; %llu bytes; sha256 %s; %s\n", d->path, d->rules,
				(unsigned long long)d->size, d->sha256, d->action);
			othernames_text(f, "      ", &d->others);
			for (size_t k = 0; k < d->nmeta; k++) {
				char line[1024];
				rs_rule_meta_line(&d->meta[k], line, sizeof(line));
				textesc_fprintf(f, "      rule %s\n", line);
			}
		}
	}
	if (r->nnotes) {
		textesc_fprintf(f, "\nnotes:\n");
		for (size_t i = 0; i < r->nnotes; i++)
			textesc_fprintf(f, "  - %s\n", r->notes[i]);
	}
}

/* Render with WRITE into memory, then write PATH atomically. */
static int save_one(const struct report *r, void (*write)(const struct report *, FILE *), const char *path,
		    struct rs_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "report");
	write(r, m);
	if (fclose(m) != 0) {
		free(buf);
		return rs_fail_errno(err, RS_EPARTIAL, errno, "report");
	}
	int rc = file_write_atomic(path, buf, len);
	int e = errno;
	free(buf);
	if (rc != 0)
		return rs_fail_errno(err, RS_EPARTIAL, e, "cannot write %s", path);
	return RS_OK;
}

int report_save(struct report *r, const char *dir, const char *base, int slot, struct rs_error *err)
{
	char path[PATH_MAX], stem[PATH_MAX];
	struct stat st;
	if (slot >= 0 && slot < 2 && r->written[slot][0]) {
		/* saved before: rewrite the same files */
		snprintf(stem, sizeof(stem), "%.*s", (int)strlen(r->written[slot]) - 5, r->written[slot]);
	} else {
		/* two runs in one second must not overwrite each other's report */
		snprintf(stem, sizeof(stem), "%s/%s", dir, base);
		for (int i = 2; snprintf(path, sizeof(path), "%s.json", stem), confine_lstat(path, &st) == 0; i++) {
			if (i > 999)
				return rs_fail(err, RS_EPARTIAL, "%s/%s: too many reports of the same second", dir, base);
			snprintf(stem, sizeof(stem), "%s/%s-%d", dir, base, i);
		}
	}
	snprintf(path, sizeof(path), "%s.txt", stem);
	int rc = save_one(r, report_write_text, path, err);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s.json", stem);
	rc = save_one(r, report_write_json, path, err);
	if (rc == RS_OK && slot >= 0 && slot < 2)
		snprintf(r->written[slot], sizeof(r->written[slot]), "%s", path);
	return rc;
}

static int cmp_sha(const void *a, const void *b)
{
	return memcmp(a, b, 65);
}

/* The report's detection digests (a flat array of strings) into S, sorted,
 * each once: what is not 64 hex digits is left out, so is what lies beyond
 * REPORT_SUMMARY_HASHES_MAX.  0, -1 out of memory. */
static int summary_hashes(struct report_summary *s, const struct json_field *f)
{
	if (!f || f->type != JSON_ARRAY || !f->nitems)
		return 0;
	size_t n = f->nitems < REPORT_SUMMARY_HASHES_MAX ? f->nitems : REPORT_SUMMARY_HASHES_MAX;
	if (!(s->det_sha256 = calloc(n, sizeof(*s->det_sha256))))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *h = f->items[i];
		size_t k = 0;
		while (k < 64 && isxdigit((unsigned char)h[k]))
			k++;
		if (k != 64 || h[64])
			continue;
		for (k = 0; k < 64; k++)
			s->det_sha256[s->ndet_sha256][k] = (char)tolower((unsigned char)h[k]);
		s->ndet_sha256++;
	}
	qsort(s->det_sha256, s->ndet_sha256, sizeof(*s->det_sha256), cmp_sha);
	size_t kept = 0;
	for (size_t i = 0; i < s->ndet_sha256; i++)
		if (!kept || strcmp(s->det_sha256[kept - 1], s->det_sha256[i]) != 0)
			memmove(s->det_sha256[kept++], s->det_sha256[i], 65);
	s->ndet_sha256 = kept;
	return 0;
}

bool report_summary_detected(const struct report_summary *s, const char *sha256)
{
	return s->ndet_sha256 && bsearch(sha256, s->det_sha256, s->ndet_sha256, sizeof(*s->det_sha256), cmp_sha);
}

void report_summary_free(struct report_summary *s)
{
	free(s->det_sha256);
	s->det_sha256 = NULL;
	s->ndet_sha256 = 0;
}

int report_summary_read(const char *path, struct report_summary *s, struct rs_error *err)
{
	memset(s, 0, sizeof(*s));
	uint8_t *text;
	size_t len;
	if (file_read_all(path, 64 << 20, &text, &len) != 0)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "%s", path);
	struct json_object o;
	int bad = json_parse_top((const char *)text, &o);
	free(text);
	if (bad)
		return rs_fail(err, RS_EPARTIAL, "%s: not valid JSON", path);
	int rc = RS_OK;
	if (strcmp(json_get_str(&o, "format", ""), REPORT_FORMAT) != 0) {
		rc = rs_fail(err, RS_ETARGET, "%s: not a rescue report", path);
	} else if (report_verdict_parse(json_get_str(&o, "verdict", "")) < 0) {
		rc = rs_fail(err, RS_EPARTIAL, "%s: a verdict rescue does not write: %s", path,
			     json_get_str(&o, "verdict", "(none)"));
	} else {
		snprintf(s->machine, sizeof(s->machine), "%s", json_get_str(&o, "machine", ""));
		snprintf(s->stamp, sizeof(s->stamp), "%s", json_get_str(&o, "stamp", ""));
		snprintf(s->verdict, sizeof(s->verdict), "%s", json_get_str(&o, "verdict", "?"));
		snprintf(s->mode, sizeof(s->mode), "%s", json_get_str(&o, "mode", ""));
		snprintf(s->product, sizeof(s->product), "%s", json_get_str(&o, "product", ""));
		snprintf(s->meaning, sizeof(s->meaning), "%s", json_get_str(&o, "meaning", ""));
		snprintf(s->readonly_why, sizeof(s->readonly_why), "%s", json_get_str(&o, "readonly_why", ""));
		s->detections = json_get_long(&o, "detections", 0);
		s->quarantined = json_get_long(&o, "quarantined", 0);
		s->changes = json_get_long(&o, "changes", 0);
		s->password_reset = json_get_bool(&o, "password_reset", false);
		const struct json_field *secs = json_get(&o, "secs");
		s->secs = secs && secs->type == JSON_NUMBER ? secs->num : 0;
		if (summary_hashes(s, json_get(&o, "detection_sha256")) != 0)
			rc = rs_fail(err, RS_EPARTIAL, "%s: out of memory reading its detections", path);
	}
	json_object_free(&o);
	return rc;
}
