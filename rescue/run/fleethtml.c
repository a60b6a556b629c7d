/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fleethtml.c - the log sheet as one HTML page. */
#include "rescue/run/fleethtml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rescue/base/fileutil.h"
#include "rescue/base/textesc.h"

/* The sticker colours a technician knows from the paper log sheet. */
static const char page_style[] =
	"body{font-family:sans-serif;margin:1.5em;color:#111;background:#fff}"
	"h1{margin:0 0 .2em 0;font-size:1.6em}"
	"p.source{margin:0 0 1em 0;color:#555}"
	"ul.counts{list-style:none;padding:0;margin:0 0 1em 0;display:flex;gap:1em}"
	"ul.counts li{padding:.4em .9em;border-radius:.4em;font-weight:bold;color:#fff}"
	"table{border-collapse:collapse;width:100%}"
	"th,td{border:1px solid #bbb;padding:.35em .5em;text-align:left;vertical-align:top}"
	"th{background:#eee}"
	"td.num{text-align:right}"
	".sticker{display:inline-block;min-width:4.5em;text-align:center;padding:.3em .5em;"
	"border-radius:1em;font-weight:bold;color:#fff}"
	".GREEN{background:#1a7f37}.RED{background:#c62828}.YELLOW{background:#f9a825}"
	".sticker.YELLOW,ul.counts li.YELLOW{color:#111}"
	"ol.history{margin:0;padding-left:1.2em;font-size:.9em;color:#333}"
	"ul.unreadable{color:#c62828}"
	"td.sha256{font-family:monospace;font-size:.85em;word-break:break-all}"
	"ul.seen{margin:0;padding-left:1.2em}";

/* S escaped for the text output first (control characters, bidi
 * overrides, invalid UTF-8 made visible), then for HTML. */
static void put_text(FILE *f, const char *s)
{
	char *esc = textesc_dup(s ? s : "");
	for (const char *p = esc ? esc : "?"; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*p, f); break;
		}
	}
	free(esc);
}

/* A verdict name as a class: only the three rescue writes (fleet.c never
 * keeps another), anything else as "unknown". */
static const char *verdict_class(const char *v)
{
	int n = report_verdict_parse(v);
	return n >= 0 ? report_verdict_name((enum report_verdict)n) : "unknown";
}

static void put_when(FILE *f, const char *stamp)
{
	char when[64];
	fleet_stamp_human(stamp, when, sizeof(when));
	put_text(f, when);
}

static void put_counts(FILE *f, const struct fleet *fl)
{
	static const enum report_verdict order[] = { VERDICT_RED, VERDICT_YELLOW, VERDICT_GREEN };
	size_t count[3];
	fleet_count(fl, true, count);
	fputs("<ul class=\"counts\">", f);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *name = report_verdict_name(order[i]);
		fprintf(f, "<li class=\"%s\" id=\"count-%s\">%s <span class=\"n\">%zu</span></li>", name, name, name,
			count[order[i]]);
	}
	fprintf(f, "<li style=\"color:#111\">machines <span class=\"n\" id=\"count-machines\">%zu</span>,"
		" reports %zu</li></ul>\n", fl->nmachines, fl->nruns);
}

/* The notes of a run: the verdict in words, and why the volume was not
 * written when it was not. */
static void put_notes(FILE *f, const struct report_summary *s)
{
	put_text(f, s->meaning);
	if (s->readonly_why[0]) {
		fputs(s->meaning[0] ? "; " : "", f);
		fputs("read-only: ", f);
		put_text(f, s->readonly_why);
	}
}

static void put_machine(FILE *f, const struct fleet_machine *m)
{
	const struct report_summary *last = &m->runs[m->nruns - 1];
	const char *cls = verdict_class(last->verdict);
	fprintf(f, "<tr class=\"machine\" data-verdict=\"%s\">", cls);
	fprintf(f, "<td><span class=\"sticker %s verdict\">%s</span></td>", cls, cls);
	fputs("<td class=\"computer\"><b class=\"name\">", f);
	put_text(f, m->name[0] ? m->name : "(unknown)");
	fputs("</b>", f);
	if (m->nic[0]) {
		/* the only thing telling apart two PCs that share the name */
		fputs(" <small class=\"nic\">network card ", f);
		put_text(f, m->nic);
		fputs("</small>", f);
	}
	fputs("<br><small>", f);
	put_text(f, last->product);
	fputs("</small></td><td class=\"time\">", f);
	put_when(f, last->stamp);
	fprintf(f, "</td><td class=\"num detections\">%ld</td><td class=\"num quarantined\">%ld</td>", last->detections,
		last->quarantined);
	fprintf(f, "<td class=\"password\">%s</td><td class=\"notes\">", last->password_reset ? "reset" : "-");
	put_notes(f, last);
	fprintf(f, "</td><td class=\"runs\" data-runs=\"%zu\">", m->nruns);
	if (m->nruns > 1) {
		/* the latest first, as a technician reads the sheet down */
		fputs("<ol class=\"history\" reversed>", f);
		for (size_t i = m->nruns; i-- > 0;) {
			const struct report_summary *r = &m->runs[i];
			fputs("<li>", f);
			put_when(f, r->stamp);
			fprintf(f, " <b>%s</b>, %ld detection(s), %ld quarantined</li>", verdict_class(r->verdict),
				r->detections, r->quarantined);
		}
		fputs("</ol>", f);
	} else {
		fputs("1", f);
	}
	fputs("</td></tr>\n", f);
}

/* HEADING and a list of the N messages of V, then MORE ("" none); nothing
 * when there is none of either. */
static void put_problems(FILE *f, const char *heading, const struct rs_error *v, size_t n, const char *more)
{
	if (!n && !more[0])
		return;
	fprintf(f, "%s\n<ul class=\"unreadable\">", heading);
	for (size_t i = 0; i < n; i++) {
		fputs("<li>", f);
		put_text(f, v[i].msg);
		fputs("</li>", f);
	}
	if (more[0])
		fprintf(f, "<li>%s</li>", more);
	fputs("</ul>\n", f);
}

/* Each learned hash: what it was, where and when it was learned, and the
 * machines that detected it again. */
static void put_learned(FILE *f, const struct fleet *fl)
{
	fprintf(f, "<h2>Learned</h2>\n<p class=\"source\">");
	put_text(f, fl->learned_dir);
	fprintf(f, ": <span id=\"learned-count\">%zu</span> hash(es), <span id=\"learned-seen\">%zu</span> seen again"
		" on other machines</p>\n", fl->nlearned + fl->learned_more, fl->learned_seen);
	fputs("<table id=\"learned\"><thead><tr><th>SHA-256</th><th>File</th><th>Autostart entry</th>"
	      "<th>Learned from</th><th>Learned at</th><th>Seen again</th></tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < fl->nlearned; i++) {
		const struct fleet_learned *l = &fl->learned[i];
		fprintf(f, "<tr class=\"learned\" data-seen=\"%zu\"><td class=\"sha256\">", l->nseen);
		put_text(f, l->l.sha256);
		fputs("</td><td class=\"file\">", f);
		put_text(f, l->l.name);
		fputs("</td><td class=\"entry\">", f);
		put_text(f, l->l.entry[0] ? l->l.entry : "-");
		fputs("</td><td class=\"from\">", f);
		put_text(f, l->l.machine);
		fputs("</td><td class=\"time\">", f);
		put_when(f, l->l.stamp);
		fputs("</td><td class=\"seen\">", f);
		if (!l->nseen)
			fputs("-", f);
		else
			fputs("<ul class=\"seen\">", f);
		for (size_t k = 0; k < l->nseen; k++) {
			const struct report_summary *s = &fl->runs[l->seen[k]];
			fputs("<li><b class=\"name\">", f);
			put_text(f, s->machine[0] ? s->machine : "(unknown)");
			fputs("</b> ", f);
			put_when(f, s->stamp);
			fputs("</li>", f);
		}
		fputs(l->nseen ? "</ul></td></tr>\n" : "</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
	if (fl->learned_more)
		fprintf(f, "<p>%zu more learned hash(es) not listed.</p>\n", fl->learned_more);
	char more[64] = "";
	if (fl->learned_bad_more)
		snprintf(more, sizeof(more), "%zu more not named", fl->learned_bad_more);
	put_problems(f, "<h3>Learned lines skipped</h3>", fl->learned_bad, fl->nlearned_bad, more);
}

int fleet_html_write(FILE *f, const struct fleet *fl, const struct fleet_html_opts *o)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n", f);
	if (o->refresh_secs > 0)
		fprintf(f, "<meta http-equiv=\"refresh\" content=\"%d\">\n", o->refresh_secs);
	fprintf(f, "<title>rescue log sheet</title>\n<style>%s</style></head>\n<body>\n", page_style);
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	strftime(now, sizeof(now), "%Y-%m-%d %H:%M:%SZ", gmtime_r(&t, &tm));
	fputs("<h1>Log sheet</h1>\n<p class=\"source\">", f);
	put_text(f, o->source ? o->source : "");
	fprintf(f, ", written %s</p>\n", now);
	put_counts(f, fl);
	fputs("<table id=\"machines\"><thead><tr><th>Sticker</th><th>Computer</th><th>Time</th><th>Detections</th>"
	      "<th>Quarantined</th><th>Password</th><th>Notes</th><th>Runs</th></tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < fl->nmachines; i++)
		put_machine(f, &fl->machines[i]);
	fputs("</tbody></table>\n", f);
	put_problems(f, "<h2>Unreadable reports (never counted)</h2>", fl->bad, fl->nbad,
		     fl->bad_lost ? "more: out of memory while listing them" : "");
	if (fl->have_learned)
		put_learned(f, fl);
	fputs("</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}

int fleet_html_save(const char *path, const struct fleet *fl, const struct fleet_html_opts *o,
		    struct rs_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "%s", path);
	int bad = fleet_html_write(f, fl, o);
	if (fclose(f) != 0 || bad) {
		free(buf);
		return rs_fail(err, RS_EPARTIAL, "%s: out of memory writing the page", path);
	}
	int rc = file_write_atomic(path, buf, len) == 0 ? RS_OK : rs_fail_errno(err, RS_EPARTIAL, errno, "%s", path);
	free(buf);
	return rc;
}
