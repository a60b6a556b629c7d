/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-clean.c - rescue/run/clean.c on win10 trees (tests/fixtures/mktree.sh)
 * with tests/samples/plant.sh's samples and a Run value of SOFTWARE starting
 * one of them: a report-only scan moves nothing and touches no autostart
 * entry; a quarantining scan moves every sample and its Run value goes
 * (hivexget, a tool we did not write, reads the hive); a listed detection
 * quarantined by path and SHA-256 without a new scan, and refused when the
 * file changed since, is gone, or is a hive; rs_clean_finish looks at each
 * record once; a listed path that became a symbolic link (to a copy of the
 * same bytes outside the volume) or a FIFO since is refused in one line and
 * nothing changes.  On an NTFS image (when root, FUSE and ntfs-3g are there) a
 * listed alternate data stream is quarantined by path and hash too, and a
 * listed file that became an Interix symbolic link or FIFO is refused, the
 * image unchanged as ntfscat and ntfsls see it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "rescue/base/ctx.h"
#include "rescue/run/clean.h"
#include "rescue/scan/rules.h"
#include "rescue/scan/scan.h"
#include "tests/unit/check.h"

static char dir[] = "/tmp/test-clean.XXXXXX";
static struct rs_rules *rules;

/* The planted Run value that starts the stager. */
#define STAGER_DIR "Users/AndrewRathbun/AppData/Roaming/Microsoft"
#define RUNKEY "\\Microsoft\\Windows\\CurrentVersion\\Run"

static int sh(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* A planted tree at DIR/NAME with a Run value "Stager" starting the first
 * .dll plant.sh put under STAGER_DIR; its volume-relative path into DLL. */
static int make_tree(const char *name, char *root, size_t rootlen, char *dll, size_t dlllen)
{
	snprintf(root, rootlen, "%s/%s", dir, name);
	char cmd[4096];
	snprintf(cmd, sizeof(cmd),
		 "sh tests/fixtures/mktree.sh win10 '%s' >/dev/null 2>&1 && sh tests/samples/plant.sh '%s' '%s.want' "
		 ">/dev/null 2>&1 && cd '%s' && ls " STAGER_DIR "/*/*.dll | head -n 1 >'%s.dll'",
		 root, root, root, root, root);
	if (sh(cmd) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s.dll", root);
	FILE *f = fopen(cmd, "r");
	if (!f || !fgets(dll, (int)dlllen, f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	dll[strcspn(dll, "\n")] = '\0';
	/* In a .reg string every backslash is doubled. */
	char reg[512];
	snprintf(reg, sizeof(reg), "%s.reg", root);
	f = fopen(reg, "w");
	if (!f)
		return -1;
	fputs("Windows Registry Editor Version 5.00\n\n[\\Microsoft\\Windows\\CurrentVersion\\Run]\n"
	      "\"Stager\"=\"rundll32.exe C:\\\\", f);
	for (const char *p = dll; *p; p++)
		fputs(*p == '/' ? "\\\\" : (char[]){ *p, 0 }, f);
	fputs(",Init\"\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "hivexregedit --merge '%s/Windows/System32/config/SOFTWARE' '%s'", root, reg);
	return sh(cmd);
}

/* hivexget's exit status for the Run value NAME of ROOT's SOFTWARE (0: there). */
static int run_value(const char *root, const char *name)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "hivexget '%s/Windows/System32/config/SOFTWARE' '" RUNKEY "' '%s' >/dev/null 2>&1",
		 root, name);
	return sh(cmd);
}

static size_t lines(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	int c;
	while (f && (c = fgetc(f)) != EOF)
		n += c == '\n';
	if (f)
		fclose(f);
	return n;
}

static int on_detect(struct rs_scan_hit *hit, void *user)
{
	rs_clean_hit(user, hit);
	return 0;
}

static int scan(struct rs_clean *c, struct rs_scan_result *res)
{
	struct rs_scan_opts o = { .threads = 2, .detect = on_detect, .user = c };
	struct rs_error err = { 0 };
	return rs_scan_run(c->ctx->root, NULL, 0, rules, &o, res, &err);
}

static bool exists(const char *root, const char *rel)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return lstat(p, &st) == 0;
}

/* A planted tree, its context, a clean-up flow and the scan's result. */
struct fixture {
	char root[256], dll[1024];
	size_t nwant;               /* plant.sh's detections */
	struct rs_ctx *ctx;
	struct rs_clean c;
	struct rs_scan_result res;
};

/* The tree NAME scanned under the policy QUARANTINE; false (a skip) when the
 * tree cannot be made. */
static bool setup(struct fixture *f, const char *name, bool quarantine)
{
	memset(f, 0, sizeof(*f));
	if (make_tree(name, f->root, sizeof(f->root), f->dll, sizeof(f->dll)) != 0) {
		CHECK_SKIP("%s: the tree could not be made (mktree, plant.sh, hivexregedit)", name);
		return false;
	}
	char want[300];
	snprintf(want, sizeof(want), "%s.want", f->root);
	f->nwant = lines(want);
	struct rs_error err = { 0 };
	CHECK_INT(rs_ctx_open(f->root, 0, &f->ctx, &err), RS_OK);
	struct rs_clean_policy p = { .quarantine = quarantine, .tie = RS_CLEAN_TIE_QUARANTINED };
	rs_clean_init(&f->c, f->ctx, &p);
	CHECK_INT(scan(&f->c, &f->res), RS_DETECTED);
	return true;
}

static void teardown(struct fixture *f)
{
	rs_scan_result_free(&f->res);
	rs_clean_free(&f->c);
	rs_ctx_close(f->ctx);
}

/* A report-only scan: every sample reported, nothing moved, no entry looked at. */
static void test_report_only(void)
{
	struct fixture f;
	if (!setup(&f, "report", false))
		return;
	struct rs_clean *c = &f.c;
	CHECK_INT(c->n, f.nwant);
	CHECK_INT(c->count[RS_CLEAN_REPORTED], f.nwant);
	for (size_t i = 0; i < c->n; i++) {
		CHECK_INT(c->rec[i].outcome, RS_CLEAN_REPORTED);
		CHECK_STR(c->rec[i].action, "reported");
	}
	CHECK(exists(f.root, f.dll));
	struct rs_clean_autoruns a;
	struct rs_error err = { 0 };
	CHECK_INT(rs_clean_finish(c, &a, &err), RS_OK);
	CHECK(!a.listed);
	CHECK_INT(a.done.n, 0);
	rs_clean_autoruns_free(&a);
	CHECK_INT(run_value(f.root, "Stager"), 0);
	teardown(&f);
}

/* A quarantining scan: every sample moved with an id, the Run value of the
 * stager deleted by rs_clean_finish, once. */
static void test_quarantine_scan(void)
{
	struct fixture f;
	if (!setup(&f, "quar", true))
		return;
	struct rs_clean *c = &f.c;
	CHECK_INT(c->count[RS_CLEAN_QUARANTINED], f.nwant);
	bool dll_seen = false;
	for (size_t i = 0; i < c->n; i++) {
		CHECK_INT(c->rec[i].outcome, RS_CLEAN_QUARANTINED);
		CHECK_INT(strlen(c->rec[i].id) >= 64, 1);
		CHECK(strncmp(c->rec[i].action, "quarantined as ", 15) == 0);
		CHECK(!exists(f.root, c->rec[i].path));
		dll_seen |= strcmp(c->rec[i].path, f.dll) == 0;
	}
	CHECK(dll_seen);
	struct rs_clean_autoruns a;
	struct rs_error err = { 0 };
	CHECK_INT(rs_clean_finish(c, &a, &err), RS_OK);
	CHECK(a.listed);
	CHECK_INT(a.nchosen, 1);
	CHECK_INT(a.done.n, 1);
	CHECK(a.done.n == 1 && a.done.steps[0].ok && strstr(a.done.steps[0].what, "Stager") != NULL);
	rs_clean_autoruns_free(&a);
	CHECK(run_value(f.root, "Stager") != 0);
	/* each record is looked at once */
	CHECK_INT(rs_clean_finish(c, &a, &err), RS_OK);
	CHECK(!a.listed);
	rs_clean_autoruns_free(&a);
	teardown(&f);
}

/* The detection of the scan for PATH, or NULL. */
static const struct rs_scan_detection *det_of(const struct rs_scan_result *res, const char *path)
{
	for (size_t i = 0; i < res->ndet; i++)
		if (strcmp(res->det[i].path, path) == 0)
			return &res->det[i];
	return NULL;
}

/* A listed detection quarantined by path and hash, without a new scan. */
static void test_path(void)
{
	struct fixture f;
	if (!setup(&f, "path", false))
		return;
	struct rs_clean *c = &f.c;
	const char *root = f.root;
	size_t nscan = c->n, ri;

	/* the stager: moved, and then its Run value */
	const struct rs_scan_detection *d = det_of(&f.res, f.dll);
	CHECK(d != NULL);
	if (d) {
		struct rs_clean_target t = { d->path, d->stream, d->rules, d->sha256, d->size };
		CHECK_INT(rs_clean_path(c, &t, &ri), RS_CLEAN_QUARANTINED);
		CHECK_INT(ri, nscan);
		CHECK_STR(c->rec[ri].id, d->sha256);
		CHECK(!exists(root, f.dll));
		/* gone now: a second try says it cannot be read */
		CHECK_INT(rs_clean_path(c, &t, &ri), RS_CLEAN_FAILED);
		CHECK(strstr(c->rec[ri].action, "cannot be read again") != NULL);
	}
	struct rs_clean_autoruns a;
	struct rs_error err = { 0 };
	CHECK_INT(rs_clean_finish(c, &a, &err), RS_OK);
	CHECK_INT(a.done.n, 1);
	rs_clean_autoruns_free(&a);
	CHECK(run_value(root, "Stager") != 0);

	/* eicar.com changed since the scan (one more line: still EICAR to a
	 * new scan): left in place */
	d = det_of(&f.res, "Users/AndrewRathbun/Downloads/eicar.com");
	CHECK(d != NULL);
	if (d) {
		char full[512];
		snprintf(full, sizeof(full), "%s/%s", root, d->path);
		FILE *fp = fopen(full, "a");
		fputs("more\r\n", fp);
		fclose(fp);
		struct rs_clean_target t = { d->path, d->stream, d->rules, d->sha256, d->size };
		CHECK_INT(rs_clean_path(c, &t, &ri), RS_CLEAN_FAILED);
		CHECK(strstr(c->rec[ri].action, "changed since it was scanned") != NULL);
		CHECK(exists(root, d->path));
		/* the size it has now, other bytes: the hash says it */
		char bad[65];
		memset(bad, '0', 64);
		bad[64] = '\0';
		struct rs_clean_target t2 = { d->path, NULL, d->rules, bad, d->size + 6 };
		CHECK_INT(rs_clean_path(c, &t2, &ri), RS_CLEAN_FAILED);
		CHECK(strstr(c->rec[ri].action, "changed since it was scanned") != NULL);
		CHECK(exists(root, d->path));
		/* a path longer than the action's room: the reason is whole,
		 * the path is the detection's own */
		char longp[400] = "Users";
		for (int k = 0; k < 6; k++)
			strcat(longp, "/a-folder-name-of-fifty-characters-in-all-xxxxxxxx");
		strcat(longp, "/gone.exe");
		struct rs_clean_target t3 = { longp, NULL, d->rules, d->sha256, d->size };
		CHECK_INT(rs_clean_path(c, &t3, &ri), RS_CLEAN_FAILED);
		CHECK(strncmp(c->rec[ri].action, "quarantine failed: cannot be read again: ", 41) == 0);
		CHECK(strstr(c->rec[ri].action, "a-folder-name") == NULL);
	}
	/* a hive is never moved, whatever the list says */
	struct rs_clean_target h = { "Windows/System32/config/SYSTEM", NULL, "X", "00", 1 };
	CHECK_INT(rs_clean_path(c, &h, &ri), RS_CLEAN_KEPT);
	CHECK_STR(c->rec[ri].inspect, "registry hive");
	CHECK(exists(root, "Windows/System32/config/SYSTEM"));
	/* a name that leaves the volume is not followed */
	struct rs_clean_target up = { "../../etc/passwd", NULL, "X", "00", 1 };
	CHECK_INT(rs_clean_path(c, &up, &ri), RS_CLEAN_FAILED);
	CHECK_INT(access("/etc/passwd", F_OK), 0);
	CHECK_INT(c->count[RS_CLEAN_QUARANTINED], 1);
	CHECK_INT(c->count[RS_CLEAN_KEPT], 1);
	teardown(&f);
}

/* The entries of ROOT/REL (0 when it is not there). */
static size_t count_entries(const char *root, const char *rel)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	DIR *d = opendir(p);
	size_t n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	if (d)
		closedir(d);
	return n;
}

/* rs_clean_path on T must refuse it in one line saying WANT, quarantine
 * nothing, and come back (alarm: a read that blocks on a FIFO ends the test
 * as a failure, never a hang). */
static void check_refused(struct rs_clean *c, const struct rs_clean_target *t, const char *root, const char *want)
{
	size_t ri, quarantined = c->count[RS_CLEAN_QUARANTINED];
	size_t in_quarantine = count_entries(root, "Rescue/quarantine");
	alarm(60);
	enum rs_clean_outcome o = rs_clean_path(c, t, &ri);
	alarm(0);
	CHECK_INT(o, RS_CLEAN_FAILED);
	if (ri == SIZE_MAX)
		return;
	const char *a = c->rec[ri].action;
	if (!strstr(a, want) || strchr(a, '\n'))
		fprintf(stderr, "# %s\n", a);
	CHECK(strstr(a, want) != NULL);
	CHECK(strchr(a, '\n') == NULL);
	CHECK_INT(c->count[RS_CLEAN_QUARANTINED], quarantined);
	CHECK_INT(count_entries(root, "Rescue/quarantine"), in_quarantine);
}

/* The listed detections of RES read from their content, with a path short
 * enough for the refusal's reason to fit in a record's action: at most MAX
 * into OUT. */
static size_t short_dets(const struct rs_scan_result *res, const struct rs_scan_detection **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < res->ndet && n < max; i++)
		if (!res->det[i].stream && strlen(res->det[i].path) < 100)
			out[n++] = &res->det[i];
	return n;
}

/* A listed file replaced since the scan by a symbolic link to a copy of its
 * bytes outside the volume (the hash would match through the link), or by
 * a FIFO (a read would block): refused, the link, its target and the FIFO
 * as they were, nothing quarantined. */
static void test_path_hostile(void)
{
	struct fixture f;
	if (!setup(&f, "hostile", false))
		return;
	const struct rs_scan_detection *d[2];
	size_t nd = short_dets(&f.res, d, 2);
	CHECK_INT(nd, 2);
	if (nd == 2) {
		char full[1024], canary[512], cmd[4096];
		snprintf(full, sizeof(full), "%s/%s", f.root, d[0]->path);
		snprintf(canary, sizeof(canary), "%s/canary-outside", dir);
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && rm '%s' && ln -s '%s' '%s'", full, canary, full, canary, full);
		CHECK_INT(sh(cmd), 0);
		struct rs_clean_target t = { d[0]->path, NULL, d[0]->rules, d[0]->sha256, d[0]->size };
		check_refused(&f.c, &t, f.root, "cannot be read again: a link: not followed");
		struct stat st;
		CHECK(lstat(full, &st) == 0 && S_ISLNK(st.st_mode));
		CHECK(stat(canary, &st) == 0 && (uint64_t)st.st_size == d[0]->size);
		snprintf(cmd, sizeof(cmd), "test \"$(sha256sum <'%s' | cut -d' ' -f1)\" = %s", canary, d[0]->sha256);
		CHECK_INT(sh(cmd), 0);

		snprintf(full, sizeof(full), "%s/%s", f.root, d[1]->path);
		CHECK_INT(unlink(full), 0);
		CHECK_INT(mkfifo(full, 0644), 0);
		struct rs_clean_target t2 = { d[1]->path, NULL, d[1]->rules, d[1]->sha256, d[1]->size };
		check_refused(&f.c, &t2, f.root, "cannot be read again: not a regular file");
		CHECK(lstat(full, &st) == 0 && S_ISFIFO(st.st_mode));
	}
	teardown(&f);
}

/* A 32 MiB NTFS image DIR/NAME.img mounted by ntfs-3g at DIR/NAME, with
 * the SYSTEM hive an installation needs and Users/Pat, its paths into IMG
 * and MNT (LEN bytes each); false (a skip naming NAME) when root, FUSE or
 * the ntfs-3g tools are missing or it cannot be made. */
static bool ntfs_image(const char *name, char *img, char *mnt, size_t len)
{
	if (geteuid() != 0 || access("/dev/fuse", F_OK) != 0 ||
	    sh("command -v mkntfs ntfs-3g ntfscat ntfsls >/dev/null") != 0) {
		CHECK_SKIP("%s: needs root, /dev/fuse, mkntfs, ntfs-3g, ntfscat and ntfsls", name);
		return false;
	}
	snprintf(img, len, "%s/%s.img", dir, name);
	snprintf(mnt, len, "%s/%s", dir, name);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "truncate -s 32M '%s' && mkntfs -q -F -f '%s' >/dev/null 2>&1 && mkdir -p '%s' && ntfs-3g '%s' '%s' && "
		 "mkdir -p '%s/Windows/System32/config' '%s/Users/Pat' && : >'%s/Windows/System32/config/SYSTEM'",
		 img, img, mnt, img, mnt, mnt, mnt, mnt);
	if (sh(cmd) != 0) {
		CHECK_SKIP("%s: the NTFS image could not be made or mounted", name);
		return false;
	}
	return true;
}

/* ROOT's context and a report-only clean-up flow over it, scanned into RES:
 * the number of detections. */
static size_t report_scan(const char *root, struct rs_ctx **ctx, struct rs_clean *c, struct rs_scan_result *res)
{
	struct rs_error err = { 0 };
	CHECK_INT(rs_ctx_open(root, 0, ctx, &err), RS_OK);
	struct rs_clean_policy p = { .quarantine = false, .tie = RS_CLEAN_TIE_QUARANTINED };
	rs_clean_init(c, *ctx, &p);
	CHECK_INT(scan(c, res), RS_DETECTED);
	return res->ndet;
}

/* The end of report_scan's work on an image: RES, C and CTX freed, MNT
 * unmounted, so that the ntfs-3g tools read the image as it was left. */
static void close_image(struct rs_scan_result *res, struct rs_clean *c, struct rs_ctx *ctx, const char *mnt)
{
	rs_scan_result_free(res);
	rs_clean_free(c);
	rs_ctx_close(ctx);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "umount '%s'", mnt);
	CHECK_INT(sh(cmd), 0);
}

/* On an ntfs-3g mount (its default streams_interface=xattr): a listed
 * alternate data stream is quarantined by path and hash, its file stays;
 * ntfscat, on the unmounted image, no longer finds the stream. */
static void test_stream(void)
{
	char img[128], mnt[128], cmd[1024];
	if (!ntfs_image("stream", img, mnt, sizeof(img)))
		return;
	static const char eicar[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
	char file[256];
	snprintf(file, sizeof(file), "%s/Users/Pat/report.txt", mnt);
	FILE *fp = fopen(file, "w");
	if (fp) {
		fputs("quarterly report\n", fp);
		fclose(fp);
	}
	CHECK_INT(setxattr(file, "user.Zone.Identifier", eicar, strlen(eicar), 0), 0);
	struct rs_ctx *ctx;
	struct rs_clean c;
	struct rs_scan_result res;
	CHECK_INT(report_scan(mnt, &ctx, &c, &res), 1);
	if (res.ndet == 1 && res.det[0].stream) {
		const struct rs_scan_detection *d = &res.det[0];
		CHECK_STR(d->stream, "Zone.Identifier");
		/* the stream changed since: left */
		struct rs_clean_target t = { d->path, d->stream, d->rules, d->sha256, d->size };
		CHECK_INT(setxattr(file, "user.Zone.Identifier", eicar, strlen(eicar) - 1, 0), 0);
		size_t ri;
		CHECK_INT(rs_clean_path(&c, &t, &ri), RS_CLEAN_FAILED);
		CHECK(strstr(c.rec[ri].action, "changed since it was scanned") != NULL);
		/* as scanned: quarantined, the file stays */
		CHECK_INT(setxattr(file, "user.Zone.Identifier", eicar, strlen(eicar), 0), 0);
		CHECK_INT(rs_clean_path(&c, &t, &ri), RS_CLEAN_QUARANTINED);
		CHECK_STR(c.rec[ri].id, d->sha256);
		CHECK(exists(mnt, "Users/Pat/report.txt"));
	}
	close_image(&res, &c, ctx, mnt);
	snprintf(cmd, sizeof(cmd), "ntfscat -n Zone.Identifier '%s' Users/Pat/report.txt >/dev/null 2>&1", img);
	CHECK(sh(cmd) != 0);
	snprintf(cmd, sizeof(cmd), "test \"$(ntfscat '%s' Users/Pat/report.txt)\" = 'quarterly report'", img);
	CHECK_INT(sh(cmd), 0);
}

/* On an NTFS image: two listed EICAR files that a program on Windows turned,
 * after the scan, into an Interix symbolic link (to a copy of the same
 * bytes outside the volume) and an Interix FIFO, as ntfs-3g shows them once
 * mounted again: both refused in one line; ntfscat and ntfsls, on the
 * unmounted image, find them as they were and no quarantine. */
static void test_interix(void)
{
	char img[128], mnt[128], canary[128], cmd[2048];
	if (sh("command -v python3 >/dev/null") != 0) {
		CHECK_SKIP("interix: needs python3");
		return;
	}
	if (!ntfs_image("interix", img, mnt, sizeof(img)))
		return;
	static const char eicar[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
	snprintf(canary, sizeof(canary), "%s/interix-canary", dir);
	FILE *fp = fopen(canary, "w");
	if (fp) {
		fputs(eicar, fp);
		fclose(fp);
	}
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/Users/Pat/link.com' && cp '%s' '%s/Users/Pat/fifo.com'", canary, mnt,
		 canary, mnt);
	CHECK_INT(sh(cmd), 0);
	struct rs_ctx *ctx;
	struct rs_clean c;
	struct rs_scan_result res;
	CHECK_INT(report_scan(mnt, &ctx, &c, &res), 2);
	rs_clean_free(&c);
	rs_ctx_close(ctx);
	/* The Interix way (tests/images/build.sh's interix): the content, then
	 * the SYSTEM attribute; ntfs-3g shows the new kind once mounted again. */
	snprintf(cmd, sizeof(cmd),
		 "python3 - '%s/Users/Pat' '%s' <<'PY' && umount '%s' && ntfs-3g '%s' '%s'\n"
		 "import os, struct, sys\n"
		 "for name, target in (('link.com', sys.argv[2]), ('fifo.com', '')):\n"
		 "    path = os.path.join(sys.argv[1], name)\n"
		 "    with open(path, 'wb') as f:\n"
		 "        f.write(b'IntxLNK\\x01' + target.encode('utf-16-le') if target else b'')\n"
		 "    os.setxattr(path, 'system.ntfs_attrib_be', struct.pack('>I', 0x4))\n"
		 "PY\n",
		 mnt, canary, mnt, img, mnt);
	CHECK_INT(sh(cmd), 0);
	struct stat st;
	char full[256];
	snprintf(full, sizeof(full), "%s/Users/Pat/link.com", mnt);
	CHECK(lstat(full, &st) == 0 && S_ISLNK(st.st_mode));
	snprintf(full, sizeof(full), "%s/Users/Pat/fifo.com", mnt);
	CHECK(lstat(full, &st) == 0 && S_ISFIFO(st.st_mode));
	struct rs_error err = { 0 };
	CHECK_INT(rs_ctx_open(mnt, 0, &ctx, &err), RS_OK);
	struct rs_clean_policy p = { .quarantine = false, .tie = RS_CLEAN_TIE_QUARANTINED };
	rs_clean_init(&c, ctx, &p);
	for (size_t i = 0; i < res.ndet; i++) {
		const struct rs_scan_detection *d = &res.det[i];
		struct rs_clean_target t = { d->path, d->stream, d->rules, d->sha256, d->size };
		check_refused(&c, &t, mnt, "changed since it was scanned: left in place");
	}
	close_image(&res, &c, ctx, mnt);
	snprintf(cmd, sizeof(cmd), "ntfscat '%s' Users/Pat/link.com | head -c 8 | grep -q IntxLNK", img);
	CHECK_INT(sh(cmd), 0);
	snprintf(cmd, sizeof(cmd), "test \"$(ntfscat '%s' Users/Pat/fifo.com | wc -c)\" -eq 0", img);
	CHECK_INT(sh(cmd), 0);
	snprintf(cmd, sizeof(cmd), "test -n \"$(ntfsls -p /Rescue/quarantine '%s' 2>/dev/null)\"", img);
	CHECK(sh(cmd) != 0);
	char back[sizeof(eicar)] = "";
	if ((fp = fopen(canary, "r"))) {
		back[fread(back, 1, sizeof(back) - 1, fp)] = '\0';
		fclose(fp);
	}
	CHECK_STR(back, eicar);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	struct rs_error err = { 0 };
	/* The build's rules, as the binary finds them beside itself. */
	if (!getenv("RESCUE_RULES"))
		setenv("RESCUE_RULES", "build/rules/compiled.yarc", 1);
	if (!getenv("RESCUE_HASHES"))
		setenv("RESCUE_HASHES", "build/rules/hashes.sha256", 1);
	if (sh("command -v hivexregedit >/dev/null && command -v hivexget >/dev/null") != 0) {
		CHECK_SKIP("hivexregedit or hivexget missing");
	} else if (rs_rules_load(NULL, NULL, &rules, &err) != RS_OK) {
		CHECK_SKIP("rules: %s", err.msg);
	} else {
		test_report_only();
		test_quarantine_scan();
		test_path();
		test_path_hostile();
		test_stream();
		test_interix();
		rs_rules_free(rules);
	}
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	sh(cmd);
	return check_done("test-clean");
}
