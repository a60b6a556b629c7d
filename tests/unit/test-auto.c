/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-auto.c - rescue.conf parsing, the report's verdict and its summary
 * as `rescue fleet` reads it back. */
#include <stdlib.h>
#include <unistd.h>

#include "hive/contain.h"
#include "rescue/run/conf.h"
#include "rescue/base/json.h"
#include "rescue/run/report.h"
#include "tests/unit/check.h"

static char dir[] = "/tmp/test-auto.XXXXXX";

static int load(const char *text, struct rs_conf *c, struct rs_error *err)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/rescue.conf", dir);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	rs_error_clear(err);
	return conf_load(path, c, err);
}

static void test_conf(void)
{
	struct rs_conf c;
	struct rs_error err = { 0 };
	conf_defaults(&c);
	CHECK_INT(c.mode, CONF_MODE_FIX);
	CHECK_INT(c.contain, CONTAIN_ALL);
	CHECK_INT(c.naccounts, 1);
	CHECK_STR(c.accounts[0], "admins");
	CHECK(!c.password_set && c.unlock && c.enable);
	CHECK_INT(c.scan, CONF_SCAN_QUARANTINE);
	CHECK_INT(c.max_size, 64ull << 20);
	CHECK_INT(c.hibernated, CONF_HIB_REPORT);

	/* Notepad: BOM, CRLF; quotes; `-` for `_`; boot keys accepted */
	CHECK_INT(load("\xEF\xBB\xBF# comment\r\n\r\nmode = report\r\ncontain = autorun, hosts\r\n"
		       "accounts = Administrator 1001\r\npassword = \"  spaced  \"\r\nmax-size = 2g\r\n"
		       "after = poweroff\r\nconsole = ttyS0\r\nscan=report\r\nhibernated = skip\r\n", &c, &err), 0);
	CHECK_INT(c.mode, CONF_MODE_REPORT);
	CHECK_INT(c.contain, (1u << CONTAIN_AUTORUN) | (1u << CONTAIN_HOSTS));
	CHECK_INT(c.naccounts, 2);
	CHECK_STR(c.accounts[1], "1001");
	CHECK_STR(c.password, "  spaced  ");
	CHECK(c.password_set);
	CHECK_INT(c.max_size, 2ull << 30);
	CHECK_INT(c.scan, CONF_SCAN_REPORT);
	CHECK_INT(c.hibernated, CONF_HIB_SKIP);

	CHECK_INT(load("contain = none\naccounts = none\nreport_only = yes\n", &c, &err), 0);
	CHECK_INT(c.contain, 0);
	CHECK_INT(c.naccounts, 0);
	CHECK_INT(c.mode, CONF_MODE_REPORT);

	/* refusals name the line */
	CHECK_INT(load("# x\n\nthreads = 2\nscan = maybe\n", &c, &err), RS_EUSAGE);
	CHECK(strstr(err.msg, "line 4: scan = maybe") != NULL);
	CHECK_INT(load("colour = red\n", &c, &err), RS_EUSAGE);
	CHECK(strstr(err.msg, "unknown key 'colour'") != NULL);
	CHECK_INT(load("just words\n", &c, &err), RS_EUSAGE);
	CHECK_INT(load("contain = autorun bogus\n", &c, &err), RS_EUSAGE);
	CHECK_INT(load("threads = 99\n", &c, &err), RS_EUSAGE);
	CHECK_INT(load("max_size = -1\n", &c, &err), RS_EUSAGE);
	CHECK_INT(load("max_size = 10X\n", &c, &err), RS_EUSAGE);
	CHECK_INT(load("accounts =\n", &c, &err), RS_EUSAGE);
	CHECK_INT(conf_load("/nonexistent/rescue.conf", &c, &err), RS_ETARGET);
}

static void test_report(void)
{
	struct report r;
	report_init(&r, "20261123T120000Z", "/mnt/c", "auto");
	snprintf(r.machine, sizeof(r.machine), "PC-7");
	report_step(&r, "detect", STEP_OK, 0.1, "Windows 7");
	/* no scan step yet: not scanned, never GREEN */
	CHECK_INT(report_finish(&r), VERDICT_YELLOW);
	CHECK(strncmp(report_meaning(&r), "not scanned", 11) == 0);
	report_step(&r, "scan", STEP_OK, 1.0, "6 files");
	CHECK_INT(report_finish(&r), VERDICT_GREEN);
	CHECK(strstr(report_meaning(&r), "scanned, nothing found") != NULL);
	report_add_detection(&r, "Users/a/x.exe", "R1,hash:H", "ab", 10, "quarantined", NULL);
	/* the file's other names: at most OTHERNAMES_SHOWN kept, the rest counted */
	const char *names[OTHERNAMES_SHOWN + 3];
	char namebuf[OTHERNAMES_SHOWN + 3][16];
	for (size_t i = 0; i < OTHERNAMES_SHOWN + 3; i++) {
		snprintf(namebuf[i], sizeof(namebuf[i]), "n%zu", i);
		names[i] = namebuf[i];
	}
	CHECK_INT(report_detection_names(&r, names, OTHERNAMES_SHOWN + 3), 0);
	CHECK_INT(r.det[0].others.n, OTHERNAMES_SHOWN);
	CHECK_INT(r.det[0].others.unlisted, 2);
	CHECK_STR(r.det[0].others.v[0], "n1");
	r.quarantined = 1;
	CHECK_INT(report_finish(&r), VERDICT_RED);
	report_step(&r, "passwd", STEP_SKIPPED, 0, "accounts = none");
	CHECK_INT(report_finish(&r), VERDICT_RED);
	report_step(&r, "scan", STEP_REFUSED, 0, "a \"quoted\"\nline");
	CHECK_INT(report_finish(&r), VERDICT_YELLOW);
	/* a scan that finished once still counts; the refusal makes it incomplete */
	CHECK(strncmp(report_meaning(&r), "incomplete", 10) == 0);
	struct report_change ch = { .seq = 7, .item = "autorun", .what = "SOFTWARE X : Y", .before = "(absent)",
				    .after = "0x1 (1)" };
	report_add_change(&r, &ch);
	r.password_reset = true;
	report_note(&r, "note %d", 1);

	struct rs_error err = { 0 };
	CHECK_INT(report_save(&r, dir, "PC-7-x", 1, &err), 0);
	char path[128];
	snprintf(path, sizeof(path), "%s/PC-7-x.json", dir);
	CHECK_STR(r.written[1], path);
	struct report_summary s;
	CHECK_INT(report_summary_read(path, &s, &err), 0);
	CHECK_STR(s.machine, "PC-7");
	CHECK_STR(s.verdict, "YELLOW");
	CHECK_INT(s.detections, 1);
	CHECK_INT(s.quarantined, 1);
	CHECK_INT(s.changes, 1);
	CHECK(s.password_reset);
	/* a second report of the same name does not overwrite the first */
	r.written[1][0] = '\0';
	CHECK_INT(report_save(&r, dir, "PC-7-x", 1, &err), 0);
	CHECK(strstr(r.written[1], "PC-7-x-2.json") != NULL);
	report_free(&r);

	/* scan = off, or a scan that failed: YELLOW "not scanned", detections or not */
	static const enum report_status unfinished[] = { STEP_SKIPPED, STEP_FAILED, STEP_REFUSED };
	for (size_t i = 0; i < sizeof(unfinished) / sizeof(unfinished[0]); i++) {
		report_init(&r, "20261123T120001Z", "/mnt/c", "auto");
		report_step(&r, "detect", STEP_OK, 0, "Windows 10");
		report_step(&r, "passwd", STEP_CHANGED, 0, "Pat: password set");
		report_step(&r, "scan", unfinished[i], 0, "scan = off");
		CHECK_INT(report_finish(&r), VERDICT_YELLOW);
		CHECK(!r.scanned);
		CHECK(strncmp(report_meaning(&r), "not scanned", 11) == 0);
		report_add_detection(&r, "autorun", "autorun:run:random-name", "", 0, "reported", NULL);
		CHECK_INT(report_finish(&r), VERDICT_YELLOW);
		report_free(&r);
	}

	/* json_parse_top keeps the flat fields, checks and drops the rest */
	struct json_object o;
	CHECK_INT(json_parse_top("{\"a\":1,\"l\":[{\"x\":[1,{\"y\":null}]}],\"s\":[\"p\"],\"b\":\"z\"}", &o), 0);
	CHECK_INT(json_get_long(&o, "a", 0), 1);
	CHECK_STR(json_get_str(&o, "b", ""), "z");
	CHECK(json_get(&o, "l") == NULL);
	CHECK(json_get(&o, "s") != NULL);
	json_object_free(&o);
	CHECK_INT(json_parse_top("{\"a\":[{\"x\":1}", &o), -1);
	CHECK_INT(json_parse_flat("{\"a\":[{\"x\":1}]}", &o), -1);
	/* a file that is not JSON at all is an unreadable report (fleet names it) */
	snprintf(path, sizeof(path), "%s/rescue.conf", dir);
	CHECK_INT(report_summary_read(path, &s, &err), RS_EPARTIAL);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_conf();
	test_report();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return check_done("test-auto");
}
