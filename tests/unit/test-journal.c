/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-journal.c - the journal's signatures (rescue/base/journal.h) and what undo
 * may touch (rescue/base/undopolicy.h): entries signed and verified, a tampered
 * field, lines reordered or deleted, another key, no key store, an old
 * unsigned line, a forged MAC, a damaged or hostile key file; then the
 * policy's table.  Works in a private temporary folder. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "rescue/base/journal.h"
#include "rescue/base/journalkey.h"
#include "rescue/base/undopolicy.h"
#include "rescue/base/fileutil.h"

static char dir[] = "/tmp/rescue-test-journal.XXXXXX";
static char jpath[4200];

static void use_store(const char *sub)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	setenv(JOURNAL_KEY_ENV, sub[0] ? p : "", 1);
}

static void set_ctx(struct rs_ctx *ctx, const char *stamp)
{
	memset(ctx, 0, sizeof(*ctx));
	snprintf(ctx->root, sizeof(ctx->root), "%s/vol", dir);
	snprintf(ctx->stamp, sizeof(ctx->stamp), "%s", stamp);
}

static void append_value(const struct rs_ctx *ctx, const char *value, const char *item)
{
	struct journal_entry e = { .kind = JOURNAL_VALUE, .new_present = true, .new_type = 4 };
	uint8_t one[4] = { 1, 0, 0, 0 };
	e.new_data = one;
	e.new_len = sizeof(one);
	snprintf(e.item, sizeof(e.item), "%s", item);
	snprintf(e.hive, sizeof(e.hive), "Windows/System32/config/SOFTWARE");
	snprintf(e.key, sizeof(e.key), "Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer");
	snprintf(e.value, sizeof(e.value), "%s", value);
	struct rs_error err = { 0 };
	CHECK_INT(journal_append(ctx, &e, &err), RS_OK);
}

/* The journal's lines, in a buffer LINES[] points into (free *BUF). */
static size_t read_lines(char **buf, char *lines[], size_t max)
{
	uint8_t *b;
	size_t len, n = 0;
	if (file_read_all(jpath, 1 << 20, &b, &len) != 0)
		return 0;
	*buf = (char *)b;
	char *cursor = *buf;
	for (char *l; n < max && (l = text_next_line(&cursor));)
		lines[n++] = l;
	return n;
}

static void write_lines(char *lines[], size_t n)
{
	FILE *f = fopen(jpath, "w");
	for (size_t i = 0; f && i < n; i++)
		fprintf(f, "%s\n", lines[i]);
	if (f)
		fclose(f);
}

/* The trust of each entry, as a string of S (signed), U (unsigned), X. */
static void trusts(struct rs_ctx *ctx, char *out, size_t outlen)
{
	struct journal j;
	struct rs_error err = { 0 };
	out[0] = '\0';
	if (journal_load(ctx, &j, &err) != RS_OK) {
		snprintf(out, outlen, "error: %s", err.msg);
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < j.n && k + 1 < outlen; i++)
		out[k++] = "SUX"[j.v[i].trust];
	out[k] = '\0';
	journal_free(&j);
}

/* A fresh journal of five entries of one run, signed with the key in
 * store "a"; its lines into LINES (pointing into *BUF). */
static size_t fresh(struct rs_ctx *ctx, char **buf, char *lines[])
{
	unlink(jpath);
	use_store("a");
	set_ctx(ctx, "20261203T080000Z");
	const char *names[] = { "NoAutorun", "NoDriveTypeAutoRun", "HonorAutorunSetting", "NoAutorun", "NoAutorun" };
	for (size_t i = 0; i < 5; i++)
		append_value(ctx, names[i], "autorun");
	return read_lines(buf, lines, 16);
}

/* Write LINES back as the journal (BUF, which they point into, is freed);
 * each entry's trust must then be WANT. */
static void rewritten(struct rs_ctx *ctx, char *buf, char *lines[], size_t n, const char *want)
{
	char t[64];
	write_lines(lines, n);
	free(buf);
	trusts(ctx, t, sizeof(t));
	CHECK_STR(t, want);
}

static void test_signatures(void)
{
	struct rs_ctx ctx;
	char t[64], *buf, *lines[16];
	size_t n = fresh(&ctx, &buf, lines);
	CHECK_INT(n, 5);
	CHECK(strstr(lines[0], "\"kid\":\"") != NULL);
	CHECK(strstr(lines[0], "\"mac\":\"") != NULL);
	rewritten(&ctx, buf, lines, n, "SSSSS");

	/* one member edited: that line alone */
	n = fresh(&ctx, &buf, lines);
	char *p = strstr(lines[1], "\"new\":\"01000000\"");
	CHECK(p != NULL);
	if (p)
		p[8] = '2';
	rewritten(&ctx, buf, lines, n, "SXSSS");

	/* a line deleted: the one after it no longer chains */
	n = fresh(&ctx, &buf, lines);
	memmove(&lines[2], &lines[3], 2 * sizeof(lines[0]));
	rewritten(&ctx, buf, lines, n - 1, "SSXS");

	/* two lines swapped: both, and the line after them (it chained to the second) */
	n = fresh(&ctx, &buf, lines);
	char *tmp = lines[1];
	lines[1] = lines[2];
	lines[2] = tmp;
	rewritten(&ctx, buf, lines, n, "SXXXS");

	/* a line added in the middle of the run, with a MAC made by someone
	 * who knows the format but not the key: it, and the line after it */
	n = fresh(&ctx, &buf, lines);
	struct journal_key fake = { .have = true };
	memset(fake.key, 0x5a, sizeof(fake.key));
	char forged[2048], mac[JOURNAL_MAC_HEX + 1], kid[JOURNAL_KID_HEX + 1];
	const char *k = strstr(lines[0], "\"kid\":\"");
	snprintf(kid, sizeof(kid), "%s", k ? k + 7 : "");
	int body = snprintf(forged, sizeof(forged), "{\"seq\":9,\"run\":\"20261203T080000Z\",\"item\":\"autorun\","
			    "\"kind\":\"value\",\"hive\":\"Windows/System32/config/SOFTWARE\",\"key\":\"Microsoft\\\\"
			    "Windows\\\\CurrentVersion\\\\Run\",\"value\":\"w\",\"old_type\":1,\"old\":\"4100\","
			    "\"new_type\":1,\"new\":null,\"kid\":\"%s\"", kid);
	journal_mac(&fake, "", forged, (size_t)body, mac);
	snprintf(forged + body, sizeof(forged) - (size_t)body, ",\"mac\":\"%s\"}", mac);
	char *with[16] = { lines[0], lines[1], forged, lines[2], lines[3], lines[4] };
	rewritten(&ctx, buf, with, n + 1, "SSXXSS");

	/* an old-format line (no kid, no mac) and a signature in the wrong place */
	n = fresh(&ctx, &buf, lines);
	char old[] = "{\"seq\":7,\"run\":\"20261120T100000Z\",\"item\":\"hosts\",\"kind\":\"undone\",\"of\":1}";
	char misplaced[] = "{\"seq\":8,\"mac\":\"00\",\"run\":\"r\",\"item\":\"x\",\"kind\":\"undone\",\"of\":1,\"kid\":\"x\"}";
	char *more[16] = { lines[0], lines[1], lines[2], lines[3], lines[4], old, misplaced };
	rewritten(&ctx, buf, more, n + 2, "SSSSSUX");

	/* runs interleaved chain separately */
	unlink(jpath);
	struct rs_ctx other;
	set_ctx(&other, "20261203T090000Z");
	append_value(&ctx, "NoAutorun", "autorun");
	append_value(&other, "NoAutorun", "autorun");
	append_value(&ctx, "NoAutorun", "autorun");
	append_value(&other, "NoAutorun", "autorun");
	trusts(&ctx, t, sizeof(t));
	CHECK_STR(t, "SSSS");

	/* another key, no key store at all, a store without a key yet */
	use_store("b");
	struct journal_key kb;
	struct rs_error err = { 0 };
	CHECK_INT(journal_key_get(true, &kb, &err), RS_OK);
	CHECK(kb.have);
	trusts(&ctx, t, sizeof(t));
	CHECK_STR(t, "XXXX");
	struct journal j;
	CHECK_INT(journal_load(&ctx, &j, &err), RS_OK);
	CHECK(j.n > 0 && strstr(j.v[0].why, "another key") != NULL);
	CHECK(j.n > 0 && j.v[0].line == 1);
	journal_free(&j);
	/* a damaged key: the journal still loads (nothing trusted, saying
	 * why), and nothing is appended unsigned behind the technician's back */
	char kp[4300];
	snprintf(kp, sizeof(kp), "%s/b/%s", dir, JOURNAL_KEY_FILE);
	FILE *kf = fopen(kp, "w");
	if (kf) {
		fputs("not a key\n", kf);
		fclose(kf);
	}
	CHECK_INT(journal_load(&ctx, &j, &err), RS_OK);
	CHECK(j.n > 0 && strstr(j.v[0].why, "damaged") != NULL);
	journal_free(&j);
	struct journal_entry e = { .kind = JOURNAL_UNDONE, .of = 1 };
	CHECK_INT(journal_append(&ctx, &e, &err), RS_ETARGET);
	CHECK(strstr(err.msg, "damaged") != NULL);
	use_store("");
	trusts(&ctx, t, sizeof(t));
	CHECK_STR(t, "XXXX");
	use_store("none");
	trusts(&ctx, t, sizeof(t));
	CHECK_STR(t, "XXXX");
	char p2[4200];
	snprintf(p2, sizeof(p2), "%s/none", dir);
	CHECK(access(p2, F_OK) != 0);     /* reading never creates a key store */

	/* without a key store, entries are written unsigned, as before */
	use_store("");
	unlink(jpath);
	append_value(&ctx, "NoAutorun", "autorun");
	trusts(&ctx, t, sizeof(t));
	CHECK_STR(t, "U");
}

static void test_key_file(void)
{
	struct journal_key k;
	struct rs_error err = { 0 };
	char p[4200], kp[4300];
	use_store("c");
	CHECK_INT(journal_key_get(false, &k, &err), RS_OK);
	CHECK(!k.have);
	CHECK_INT(journal_key_get(true, &k, &err), RS_OK);
	CHECK(k.have);
	snprintf(p, sizeof(p), "%s/c", dir);
	snprintf(kp, sizeof(kp), "%s/%s", p, JOURNAL_KEY_FILE);
	struct stat st;
	CHECK(stat(kp, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0700);
	struct journal_key again;
	CHECK_INT(journal_key_get(true, &again, &err), RS_OK);
	CHECK(memcmp(k.key, again.key, sizeof(k.key)) == 0);
	CHECK_STR(k.id, again.id);

	/* damaged: short, not hex, a link, a FIFO (must not block) */
	const char *bad[] = { "0123\n", "zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n" };
	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(kp, "w");
		fputs(bad[i], f);
		fclose(f);
		CHECK_INT(journal_key_get(true, &k, &err), RS_ETARGET);
		CHECK(strstr(err.msg, "damaged") != NULL);
	}
	unlink(kp);
	char target[4300];
	snprintf(target, sizeof(target), "%s/a/%s", dir, JOURNAL_KEY_FILE);
	CHECK_INT(symlink(target, kp), 0);
	CHECK_INT(journal_key_get(true, &k, &err), RS_ETARGET);
	CHECK_INT(journal_key_get(false, &k, &err), RS_ETARGET);
	unlink(kp);
	CHECK_INT(mkfifo(kp, 0600), 0);
	CHECK_INT(journal_key_get(false, &k, &err), RS_ETARGET);
	unlink(kp);
	/* the store itself a link: refused, not followed */
	char lp[4200];
	snprintf(lp, sizeof(lp), "%s/d", dir);
	snprintf(target, sizeof(target), "%s/a", dir);
	CHECK_INT(symlink(target, lp), 0);
	use_store("d");
	CHECK_INT(journal_key_get(false, &k, &err), RS_ETARGET);
}

static bool allows(enum journal_kind kind, const char *a, const char *b, const char *c, const char *backup)
{
	struct journal_entry e = { .kind = kind };
	if (kind == JOURNAL_ACL) {
		snprintf(e.path, sizeof(e.path), "%s", a);
	} else if (kind == JOURNAL_FILE) {
		snprintf(e.path, sizeof(e.path), "%s", a);
		snprintf(e.backup, sizeof(e.backup), "%s", backup);
		e.old_present = backup[0] != '\0';
	} else if (kind == JOURNAL_QUARANTINE) {
		snprintf(e.id, sizeof(e.id), "%s", a);
		snprintf(e.path, sizeof(e.path), "%s", b);
	} else {
		snprintf(e.hive, sizeof(e.hive), "%s", a);
		snprintf(e.key, sizeof(e.key), "%s", b);
		snprintf(e.value, sizeof(e.value), "%s", c);
	}
	char why[256] = "";
	bool ok = undo_policy_allows(&e, why, sizeof(why));
	if (!ok && !why[0])
		return true;   /* a refusal must say why: fail the check that expects a refusal */
	return ok;
}

#define SW  "Windows/System32/config/SOFTWARE"
#define SYS "WINDOWS/system32/config/system"
#define SAM "Windows/System32/config/SAM"
#define HOSTS "Windows/System32/drivers/etc/hosts"
#define BK "Rescue/backup/20261203T080000Z/files/x"

static void test_policy(void)
{
	CHECK(allows(JOURNAL_VALUE, SW, "Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer", "NoAutorun", ""));
	CHECK(allows(JOURNAL_VALUE, SW, "microsoft\\windows\\currentversion\\run", "anything", ""));
	CHECK(allows(JOURNAL_VALUE, SW, "Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tree\\A\\B",
		     "Id", ""));
	CHECK(allows(JOURNAL_VALUE, SYS, "ControlSet001\\Services\\Schedule", "Start", ""));
	CHECK(allows(JOURNAL_VALUE, SAM, "SAM\\Domains\\Account\\Users\\000001F4", "V", ""));
	CHECK(allows(JOURNAL_VALUE, "Users/Pat/NTUSER.DAT", "Software\\Microsoft\\Windows\\CurrentVersion\\Run",
		     "x", ""));
	CHECK(allows(JOURNAL_KEY, SW, "Policies\\Microsoft\\Windows NT", "", ""));
	CHECK(!allows(JOURNAL_VALUE, SW, "Microsoft\\Cryptography", "MachineGuid", ""));
	CHECK(!allows(JOURNAL_VALUE, SYS, "ControlSet001\\Services\\Schedule", "ImagePath", ""));
	CHECK(!allows(JOURNAL_VALUE, SYS, "ControlSet001\\Control\\Lsa", "LmCompatibilityLevel", ""));
	CHECK(!allows(JOURNAL_VALUE, SAM, "SAM\\Domains\\Account", "F", ""));
	CHECK(!allows(JOURNAL_VALUE, "Windows/System32/config/SECURITY", "Policy\\Secrets", "x", ""));
	CHECK(!allows(JOURNAL_VALUE, SW, "Microsoft\\Windows\\CurrentVersion\\Run\\..", "x", ""));
	CHECK(!allows(JOURNAL_KEY, SW, "Classes\\exefile", "", ""));
	CHECK(allows(JOURNAL_FILE, HOSTS, "", "", BK));
	CHECK(allows(JOURNAL_FILE, HOSTS, "", "", ""));
	CHECK(allows(JOURNAL_FILE, "Windows/System32/Tasks/Folder/Task", "", "", BK));
	CHECK(allows(JOURNAL_FILE, "Users/Pat/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/x.lnk",
		     "", "", BK));
	CHECK(allows(JOURNAL_FILE, "Windows/System32/config/SYSTEM.LOG1", "", "", BK));
	CHECK(!allows(JOURNAL_FILE, "Windows/System32/drivers/etc/../../../x", "", "", BK));
	CHECK(!allows(JOURNAL_FILE, "Windows/System32/cmd.exe", "", "", BK));
	CHECK(!allows(JOURNAL_FILE, HOSTS, "", "", "Users/Pat/evil"));
	CHECK(!allows(JOURNAL_FILE, HOSTS, "", "", "Rescue/backup/../../x"));
	CHECK(allows(JOURNAL_QUARANTINE, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.2",
		     "Users/x.dll", "", ""));
	CHECK(!allows(JOURNAL_QUARANTINE, "../../etc", "Users/x.dll", "", ""));
	/* a descriptor: only in the security products' folders (secfolders.h) */
	CHECK(allows(JOURNAL_ACL, "Program Files/Windows Defender", "", "", ""));
	CHECK(allows(JOURNAL_ACL, "program files/windows defender/Platform/x.dll", "", "", ""));
	CHECK(allows(JOURNAL_ACL, "ProgramData/Microsoft/Windows Defender/Scans", "", "", ""));
	CHECK(!allows(JOURNAL_ACL, "Program Files", "", "", ""));
	CHECK(!allows(JOURNAL_ACL, "Windows/System32/config/SAM", "", "", ""));
	CHECK(!allows(JOURNAL_ACL, "Program Files/Windows Defender/../../Windows", "", "", ""));
	CHECK(!allows(JOURNAL_ACL, "Program Files/Windows Defender2", "", "", ""));
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char vol[4200];
	snprintf(vol, sizeof(vol), "%s/vol", dir);
	mkdir(vol, 0755);
	snprintf(jpath, sizeof(jpath), "%s/%s", vol, RS_PATH_JOURNAL);
	test_signatures();
	test_key_file();
	test_policy();
	char cmd[4300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return check_done("test-journal");
}
