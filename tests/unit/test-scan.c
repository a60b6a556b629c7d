/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-scan.c - the scan core as the UI and the unattended driver call it:
 * detections through the callback, cancel from a callback, links and loops
 * not followed, a broken extra rule reported, not fatal.  Uses the compiled
 * rules of the build (build/rules, or RESCUE_RULES / RESCUE_HASHES). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rescue/scan/rules.h"
#include "rescue/scan/scan.h"
#include "tests/unit/check.h"

static const char eicar[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

static void put(const char *dir, const char *name, const char *text)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* COUNT files DIR/NAME (NAME from FMT and its number) holding TEXT; with
 * LINKDIR each has a second name LINKDIR/NAME + LINKSUFFIX (a hard link). */
static void put_many(const char *dir, const char *fmt, int count, const char *text, const char *linkdir,
		     const char *linksuffix)
{
	for (int i = 0; i < count; i++) {
		char n[64], a[4300], b[4400];
		snprintf(n, sizeof(n), fmt, i);
		put(dir, n, text);
		if (!linkdir)
			continue;
		snprintf(a, sizeof(a), "%s/%s", dir, n);
		snprintf(b, sizeof(b), "%s/%s%s", linkdir, n, linksuffix);
		CHECK(link(a, b) == 0);
	}
}

struct seen { int hits, progress; int cancel_after; char last_rules[256]; long long last_files; };

static int on_progress(const struct rs_scan_progress *p, void *user)
{
	struct seen *s = user;
	s->progress++;
	s->last_files = (long long)p->files;
	return 0;
}

static int on_hit(struct rs_scan_hit *h, void *user)
{
	struct seen *s = user;
	s->hits++;
	snprintf(s->last_rules, sizeof(s->last_rules), "%s", h->rules);
	snprintf(h->action, sizeof(h->action), "seen %d", s->hits);
	return s->cancel_after && s->hits >= s->cancel_after;
}

int main(void)
{
	char top[] = "/tmp/test-scan.XXXXXX";
	if (!mkdtemp(top))
		return 1;
	char vol[4100], d[4200];
	snprintf(vol, sizeof(vol), "%s/vol", top);
	mkdir(vol, 0755);
	snprintf(d, sizeof(d), "%s/a", vol);
	mkdir(d, 0755);
	put_many(d, "eicar%d.com", 5, eicar, NULL, NULL);
	put(vol, "clean.txt", "nothing to see\n");
	char l[4200];
	snprintf(l, sizeof(l), "%s/a/up", vol);
	CHECK(symlink("..", l) == 0);
	char extra[4200];
	snprintf(extra, sizeof(extra), "%s/extra", top);
	mkdir(extra, 0755);
	put(extra, "bad.yar", "rule x { condition: nope }\n");
	put(extra, "good.yar", "rule Clean_Marker { strings: $a = \"nothing to see\" condition: $a }\n");

	/* The build's rules, as the binary finds them beside itself. */
	if (!getenv("RESCUE_RULES"))
		setenv("RESCUE_RULES", access("build/rules/compiled.yarc", R_OK) == 0 ? "build/rules/compiled.yarc"
				       : "../rules/compiled.yarc", 1);
	if (!getenv("RESCUE_HASHES"))
		setenv("RESCUE_HASHES", access("build/rules/hashes.sha256", R_OK) == 0 ? "build/rules/hashes.sha256"
					: "../rules/hashes.sha256", 1);
	struct rs_rules *rules = NULL;
	struct rs_error err = { 0 };
	CHECK_INT(rs_rules_load(NULL, extra, &rules, &err), RS_OK);
	if (!rules) {
		printf("# %s\n", err.msg);
		return check_done("test-scan");
	}
	CHECK_INT(rs_rules_nwarnings(rules), 1);
	CHECK(strstr(rs_rules_warning(rules, 0), "bad.yar") != NULL);
	CHECK(rs_rules_nhashes(rules) >= 1);
	CHECK(rs_rules_hash_wanted(rules, 68));

	struct seen s = { 0 };
	struct rs_scan_opts o = { .threads = 2, .detect = on_hit, .user = &s };
	struct rs_scan_result r;
	CHECK_INT(rs_scan_run(vol, NULL, 0, rules, &o, &r, &err), RS_DETECTED);
	CHECK_INT(s.hits, 6);
	CHECK_INT(r.ndet, 6);
	CHECK_INT(r.files, 6);      /* 5 EICAR, clean.txt */
	CHECK_INT(r.nwhy[RS_SKIP_LINK], 1);
	CHECK(!r.cancelled);
	if (r.ndet == 6) {
		CHECK_STR(r.det[0].path, "a/eicar0.com");
		CHECK_STR(r.det[0].rules, "EICAR_Test_File,hash:EICAR-Test-File");
		CHECK_STR(r.det[0].sha256, "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f");
		CHECK(strncmp(r.det[0].action, "seen ", 5) == 0);
		CHECK_STR(r.det[5].path, "clean.txt");
		CHECK_STR(r.det[5].rules, "Clean_Marker");
	}
	rs_scan_result_free(&r);

	/* Cancel from the callback: one thread, stop at the second detection. */
	struct seen c = { .cancel_after = 2 };
	o.threads = 1;
	o.user = &c;
	CHECK_INT(rs_scan_run(vol, NULL, 0, rules, &o, &r, &err), RS_DETECTED);
	CHECK(r.cancelled);
	CHECK_INT(c.hits, 2);
	rs_scan_result_free(&r);

	/* One PATH inside the volume, and one outside it. */
	s.hits = 0;
	o.user = &s;
	const char *paths[] = { "A" };  /* any case, as Windows */
	CHECK_INT(rs_scan_run(vol, paths, 1, rules, &o, &r, &err), RS_DETECTED);
	CHECK_INT(r.ndet, 5);
	rs_scan_result_free(&r);
	const char *outside[] = { "/etc" };
	CHECK_INT(rs_scan_run(vol, outside, 1, rules, &o, &r, &err), RS_EUSAGE);
	rs_scan_result_free(&r);

	/* Hard links: 50 files with a second name each, and EICAR with two
	 * names: each file read once (the progress counts 51), every name
	 * counted, the detection naming both. */
	char hv[4100], one[4200], two[4200];
	snprintf(hv, sizeof(hv), "%s/links", top);
	mkdir(hv, 0755);
	snprintf(one, sizeof(one), "%s/one", hv);
	mkdir(one, 0755);
	snprintf(two, sizeof(two), "%s/two", hv);
	mkdir(two, 0755);
	put_many(one, "f%d.txt", 50, "clean\n", two, "");
	put_many(one, "eicar.com%.0d", 1, eicar, two, "");       /* %.0d of 0 prints nothing */
	struct seen hs = { 0 };
	o = (struct rs_scan_opts){ .threads = 2, .detect = on_hit, .progress = on_progress, .user = &hs };
	CHECK_INT(rs_scan_run(hv, NULL, 0, rules, &o, &r, &err), RS_DETECTED);
	CHECK_INT(r.files, 51);
	CHECK_INT(r.names, 102);
	CHECK_INT(hs.last_files, 51);
	CHECK_INT(r.ndet, 1);
	if (r.ndet == 1) {
		CHECK_INT(r.det[0].nnames, 2);
		if (r.det[0].nnames == 2) {
			CHECK_STR(r.det[0].names[0], r.det[0].path);
			CHECK_STR(r.det[0].names[1], strcmp(r.det[0].path, "one/eicar.com") == 0 ? "two/eicar.com"
											     : "one/eicar.com");
		}
	}
	rs_scan_result_free(&r);

	/* Through the mount the names are looked for by a walk each: 32 walks
	 * at most, the files past them named as not looked for. */
	char mv[4100];
	snprintf(mv, sizeof(mv), "%s/many", top);
	mkdir(mv, 0755);
	put_many(mv, "e%d.com", 34, eicar, mv, ".lnk");
	o = (struct rs_scan_opts){ .threads = 2 };
	CHECK_INT(rs_scan_run(mv, NULL, 0, rules, &o, &r, &err), RS_DETECTED);
	CHECK_INT(r.ndet, 34);
	size_t both = 0;
	for (size_t i = 0; i < r.ndet; i++)
		both += r.det[i].nnames == 2;
	CHECK_INT(both, 32);
	CHECK_INT(r.nwhy[RS_SKIP_UNREADABLE], 2);
	rs_scan_result_free(&r);

	/* The skip list is bounded: past RS_SCAN_SKIP_MAX, counted only. */
	char bv[4100];
	snprintf(bv, sizeof(bv), "%s/big", top);
	mkdir(bv, 0755);
	put_many(bv, "b%d", RS_SCAN_SKIP_MAX + 5, "two bytes", NULL, NULL);
	o = (struct rs_scan_opts){ .threads = 1, .max_size = 1 };
	CHECK_INT(rs_scan_run(bv, NULL, 0, rules, &o, &r, &err), RS_OK);
	CHECK_INT(r.nskip, RS_SCAN_SKIP_MAX);
	CHECK_INT(r.nskip_unlisted, 5);
	CHECK_INT(r.nwhy[RS_SKIP_TOO_BIG], RS_SCAN_SKIP_MAX + 5);
	rs_scan_result_free(&r);

	/* Files over 4 MiB (scan.c's BIG_FILE) are read within a byte budget
	 * (BIG_BUDGET): with more workers than files each is still read whole
	 * and once, the marker at its end found, and a cancel while they are
	 * read ends the scan. */
	char bigv[4100];
	snprintf(bigv, sizeof(bigv), "%s/huge", top);
	mkdir(bigv, 0755);
	size_t hlen = (5u << 20) + 100;
	char *huge = malloc(hlen + 1);
	CHECK(huge != NULL);
	if (huge) {
		memset(huge, 'x', hlen);
		memcpy(huge + hlen - 20, "nothing to see\n", 15);
		huge[hlen - 5] = '\0';
		put_many(bigv, "h%d.bin", 6, huge, NULL, NULL);
		free(huge);
	}
	struct seen hh = { 0 };
	o = (struct rs_scan_opts){ .threads = 4, .detect = on_hit, .user = &hh };
	CHECK_INT(rs_scan_run(bigv, NULL, 0, rules, &o, &r, &err), RS_DETECTED);
	CHECK_INT(r.ndet, 6);
	CHECK_INT(r.files, 6);
	CHECK_INT(r.bytes, 6 * (uint64_t)(hlen - 5));
	CHECK_INT(r.nskip, 0);
	if (r.ndet)
		CHECK_STR(r.det[0].rules, "Clean_Marker");
	rs_scan_result_free(&r);
	struct seen hc = { .cancel_after = 1 };
	o.user = &hc;
	CHECK_INT(rs_scan_run(bigv, NULL, 0, rules, &o, &r, &err), RS_DETECTED);
	CHECK(r.cancelled);
	CHECK(r.ndet >= 1 && r.ndet < 6);
	rs_scan_result_free(&r);

	rs_rules_free(rules);
	char cmd[4300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	CHECK(system(cmd) == 0);
	return check_done("test-scan");
}
