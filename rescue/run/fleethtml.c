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
	"ul.unreadable{color:#c62828}";

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
	if (fl->nbad || fl->bad_lost) {
		fputs("<h2>Unreadable reports (never counted)</h2>\n<ul class=\"unreadable\">", f);
		for (size_t i = 0; i < fl->nbad; i++) {
			fputs("<li>", f);
			put_text(f, fl->bad[i].msg);
			fputs("</li>", f);
		}
		if (fl->bad_lost)
			fputs("<li>more: out of memory while listing them</li>", f);
		fputs("</ul>\n", f);
	}
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
