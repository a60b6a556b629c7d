/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-learn.c - what a run learns for the next machines (rescue/run/learn.h):
 * names from the volume cannot break a list line, one line per hash, the
 * file is one LOKI's hash IOC reader takes (rescue/scan/ioc.h) with the
 * "learned from" description, `rules forget` drops only that hash, and a
 * stick whose learned/ or list is a link is not written through. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "rescue/base/fileutil.h"
#include "rescue/run/learn.h"
#include "rescue/scan/ioc.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static char *slurp(const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	return file_read_all(path, 1 << 20, &data, &len) == 0 ? (char *)data : NULL;
}

static void test_add_and_save(const char *tmp)
{
	struct learn l = { 0 };
	CHECK(learn_add(&l, H1, "Users/x/a;b\nc.exe", NULL) == 0);
	CHECK(learn_add(&l, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "Users/x/q.dll", NULL) == 0);
	CHECK(learn_add(&l, H1, "Users/x/other.exe", "Updater") == 0);   /* the same bytes: one line, the entry joins */
	CHECK(learn_add(&l, "short", "x", NULL) == 0 && l.n == 2);       /* not a SHA-256: nothing */
	learn_name_entry(&l, "Users/x/q.dll", "Svc\r\nX");
	CHECK_STR(l.v[0].name, "Users/x/a?b?c.exe");
	CHECK_STR(l.v[0].entry, "Updater");
	CHECK_STR(l.v[1].sha256, H2);
	CHECK_STR(l.v[1].entry, "Svc??X");

	char part[PATH_MAX], written[PATH_MAX];
	struct rs_error err = { 0 };
	snprintf(part, sizeof(part), "%s/stick", tmp);
	CHECK(mkdir(part, 0755) == 0);
	CHECK(learn_save(&l, part, "PC_1-20261203T120000Z", "PC;1\n", "20261203T120000Z", written, sizeof(written),
			 &err) == RS_OK);
	char want[PATH_MAX];
	snprintf(want, sizeof(want), "%s/learned/PC_1-20261203T120000Z-hashes.txt", part);
	CHECK_STR(written, want);
	char *text = slurp(written);
	CHECK(text && strstr(text, "\n" H1 ";learned from PC?1? at 20261203T120000Z: Users/x/a?b?c.exe [autostart Updater]\n"));
	CHECK(text && strstr(text, "\n" H2 ";learned from PC?1? at 20261203T120000Z: Users/x/q.dll [autostart Svc??X]\n"));
	free(text);

	/* LOKI's reader takes it: two SHA-256 entries, no malformed line */
	struct rs_ioc *s = rs_ioc_new();
	CHECK(rs_ioc_kind_of(written) == RS_IOC_HASH);
	CHECK(rs_ioc_load(s, RS_IOC_HASH, written, "learned", NULL, NULL) == 2);
	rs_ioc_seal(s);
	uint8_t d[32];
	memset(d, 0xaa, sizeof(d));
	struct rs_ioc_hit hit;
	CHECK(rs_ioc_hash_lookup(s, RS_IOC_SHA256, d, &hit) &&
	      strncmp(hit.description, "learned from PC?1? at ", 22) == 0);
	rs_ioc_free(s);

	/* nothing learned: nothing written */
	struct learn none = { 0 };
	CHECK(learn_save(&none, part, "PC_2-x", "PC2", "x", written, sizeof(written), &err) == RS_OK && !written[0]);
	learn_free(&l);
}

static void test_forget(const char *tmp)
{
	char dir[PATH_MAX], list[PATH_MAX], other[PATH_MAX], outside[PATH_MAX], link[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/stick/learned", tmp);
	snprintf(list, sizeof(list), "%s/PC_1-20261203T120000Z-hashes.txt", dir);
	snprintf(other, sizeof(other), "%s/PC_3-x-hashes.txt", dir);
	snprintf(outside, sizeof(outside), "%s/outside-hashes.txt", tmp);
	snprintf(link, sizeof(link), "%s/linked-hashes.txt", dir);
	const char *o = "# a comment\n  " H2 ";seen on PC 3\n" H1 ";kept\n";
	CHECK(file_write_atomic(other, o, strlen(o)) == 0);
	CHECK(file_write_atomic(outside, o, strlen(o)) == 0);
	CHECK(symlink(outside, link) == 0);

	size_t removed = 0;
	struct rs_error err = { 0 };
	CHECK(learn_forget(dir, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &removed, &err) == RS_OK);
	CHECK(removed == 2);
	char *a = slurp(list), *b = slurp(other), *c = slurp(outside);
	CHECK(a && !strstr(a, H2) && strstr(a, H1 ";learned from"));
	CHECK(b && strcmp(b, "# a comment\n" H1 ";kept\n") == 0);
	CHECK(c && strcmp(c, o) == 0);      /* the list behind a link: untouched */
	free(a);
	free(b);
	free(c);
	CHECK(learn_forget(dir, "xyz", &removed, &err) == RS_EUSAGE);
	CHECK(learn_forget(dir, H2 "00", &removed, &err) == RS_EUSAGE);
}

/* learn_save's lines read back by learn_parse_line, and what is not one */
static void test_parse(const char *tmp)
{
	char part[PATH_MAX], written[PATH_MAX];
	snprintf(part, sizeof(part), "%s/stick3", tmp);
	CHECK(mkdir(part, 0755) == 0);
	struct learn l = { 0 };
	CHECK(learn_add(&l, H1, "Users/x/ at 20261203T120000Z: odd.exe", "Run [x]") == 0);
	CHECK(learn_add(&l, H2, "Users/y/b.exe", NULL) == 0);
	struct rs_error err = { 0 };
	CHECK(learn_save(&l, part, "PC at-x", "PC at", "20261203T120000Z", written, sizeof(written), &err) == RS_OK);
	learn_free(&l);
	char *text = slurp(written), *cur = text, *line;
	struct learn_line got[2];
	int n = 0, comments = 0;
	const char *why = NULL;
	while (text && (line = text_next_line(&cur)) != NULL) {
		int r = learn_parse_line(line, n < 2 ? &got[n] : &got[1], &why);
		CHECK(r >= 0);
		if (r == 1)
			comments++;
		else
			n++;
	}
	free(text);
	CHECK(n == 2 && comments == 1);
	CHECK(strcmp(got[0].sha256, H1) == 0 && strcmp(got[0].machine, "PC at") == 0);
	CHECK(strcmp(got[0].stamp, "20261203T120000Z") == 0);
	CHECK(strcmp(got[0].name, "Users/x/ at 20261203T120000Z: odd.exe") == 0);
	CHECK(strcmp(got[0].entry, "Run [x]") == 0);
	CHECK(strcmp(got[1].name, "Users/y/b.exe") == 0 && got[1].entry[0] == '\0');

	struct learn_line x;
	CHECK(learn_parse_line(H2 ";learned from PC at 20261203T120000Z: a.exe\r", &x, &why) == 0 &&
	      strcmp(x.name, "a.exe") == 0);
	CHECK(learn_parse_line("   # note", &x, &why) == 1 && learn_parse_line("", &x, &why) == 1);
	static const char *const bad[] = {
		"xyz;learned from PC at 20261203T120000Z: a.exe",
		H2 ";a plain hash IOC",
		H2 ";learned from PC at 2026-12-03: a.exe",
		H2 ";learned from PC at 20261203T120000Z: ",
		H2 ";learned from  at 20261203T120000Z: a.exe",
		H2 ";learned from PC at 20261203T1200",
		H2,
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		CHECK(learn_parse_line(bad[i], &x, &why) == -1 && why && why[0]);
	}
}

static void test_hostile_stick(const char *tmp)
{
	char part[PATH_MAX], elsewhere[PATH_MAX], link[PATH_MAX], written[PATH_MAX] = "x";
	snprintf(part, sizeof(part), "%s/stick2", tmp);
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", tmp);
	snprintf(link, sizeof(link), "%s/learned", part);
	CHECK(mkdir(part, 0755) == 0 && mkdir(elsewhere, 0755) == 0 && symlink(elsewhere, link) == 0);
	struct learn l = { 0 };
	CHECK(learn_add(&l, H1, "x.exe", NULL) == 0);
	struct rs_error err = { 0 };
	CHECK(learn_save(&l, part, "PC-x", "PC", "x", written, sizeof(written), &err) != RS_OK && !written[0]);
	CHECK(err.msg[0] != '\0');
	char root[PATH_MAX];
	CHECK(learn_dir_open(part, root) != 0);
	char probe[PATH_MAX];
	snprintf(probe, sizeof(probe), "%s/PC-x-hashes.txt", elsewhere);
	CHECK(access(probe, F_OK) != 0);
	learn_free(&l);
}

int main(void)
{
	char tmp[] = "/tmp/test-learn.XXXXXX";
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	test_add_and_save(tmp);
	test_forget(tmp);
	test_parse(tmp);
	test_hostile_stick(tmp);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		perror("rm");
	return check_done("test-learn");
}
