/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-accounts.c - accounts_find: USER as a name in any case (including the
 * localized built-in names with non-ASCII letters) or a RID in decimal or
 * 0x-hex; accounts_filetime; and accounts_passwd called several times on one
 * handle (as `rescue auto` does): a failed change leaves nothing behind for
 * the next commit, a successful one refreshes the account.  The tree is the
 * real XP pair from tests/fixtures/mktree.sh, read back with libhivex. */
#include <hivex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hive/accounts.h"
#include "tests/unit/check.h"

static struct acct_user users[] = {
	{ .rid = 500, .name = "J\xc3\xa4rjestelm\xc3\xa4nvalvoja" },   /* Finnish Administrator */
	{ .rid = 501, .name = "\xd0\x93\xd0\xbe\xd1\x81\xd1\x82\xd1\x8c" },   /* Russian Guest */
	{ .rid = 1000, .name = "2024" },
	{ .rid = 1001, .name = "Pat" },
	{ .rid = 2024, .name = "\xc5\x81ukasz" },
	{ .rid = 1002, .name = "\xce\x96\xce\xa9\xce\x97" },   /* Greek capitals Zeta Omega Eta */
	{ .rid = 1003, .name = "\xd0\x81\xd0\xbb\xd0\xba\xd0\xb0" },   /* Cyrillic Yo (U+0401) ... */
	{ .rid = 1004, .name = "\xc4\xbd" "ubo\xc5\xa1" },   /* L-caron (odd upper case) ... s-caron */
};

static long find(const char *user)
{
	struct accounts a = { .users = users, .n = sizeof(users) / sizeof(users[0]) };
	struct rs_error err = { 0 };
	const struct acct_user *u = accounts_find(&a, user, &err);
	return u ? (long)u->rid : -err.code;
}

static hive_value_h value_at(hive_h *h, const char *const path[], const char *name)
{
	hive_node_h n = hivex_root(h);
	for (int i = 0; path[i] && n; i++)
		n = hivex_node_get_child(h, n, path[i]);
	return n ? hivex_node_get_value(h, n, name) : 0;
}

static const char *const admins_path[] = { "SAM", "Domains", "Builtin", "Aliases", "00000220", NULL };
static const char *const guest_path[] = { "SAM", "Domains", "Account", "Users", "000001F5", NULL };
static const char *const admin_path[] = { "SAM", "Domains", "Account", "Users", "000001F4", NULL };

/* F of an account as the file holds it (malloc'd). */
static char *file_f(const char *sam, const char *const path[], size_t *len)
{
	hive_h *h = hivex_open(sam, 0);
	hive_type t;
	char *f = h ? hivex_value_value(h, value_at(h, path, "F"), &t, len) : NULL;
	if (h)
		hivex_close(h);
	return f;
}

static void test_passwd_twice(void)
{
	char dir[] = "/tmp/test-accounts.XXXXXX", cmd[256], sam[300];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(cmd, sizeof(cmd), "sh tests/fixtures/mktree.sh xp %s/t >/dev/null 2>&1", dir);
	CHECK(system(cmd) == 0);
	snprintf(sam, sizeof(sam), "%s/t/WINDOWS/system32/config/SAM", dir);

	/* Administrators' C with bytes after its member list: promote refuses */
	hive_h *h = hivex_open(sam, HIVEX_OPEN_WRITE);
	CHECK(h != NULL);
	if (!h)
		return;
	hive_type t;
	size_t cl;
	char *c = hivex_value_value(h, value_at(h, admins_path, "C"), &t, &cl);
	c = realloc(c, cl + 8);
	memset(c + cl, 0, 8);
	hive_node_h n = hivex_root(h);
	for (int i = 0; admins_path[i]; i++)
		n = hivex_node_get_child(h, n, admins_path[i]);
	hive_set_value sv = { .key = (char *)"C", .t = t, .len = cl + 8, .value = c };
	CHECK(hivex_node_set_value(h, n, &sv, 0) == 0);
	CHECK(hivex_commit(h, NULL, 0) == 0);
	hivex_close(h);
	free(c);

	size_t gl0, gl1, al;
	char *guest0 = file_f(sam, guest_path, &gl0);
	struct rs_ctx *ctx;
	struct accounts *a;
	struct rs_error err = { 0 };
	char root[300];
	snprintf(root, sizeof(root), "%s/t", dir);
	CHECK(rs_ctx_open(root, 0, &ctx, &err) == RS_OK);
	CHECK(accounts_open(ctx, true, &a, &err) == RS_OK);
	struct passwd_req enable_promote = { .enable = true, .promote = true }, unlock = { .unlock = true };
	struct passwd_done done;
	CHECK(accounts_passwd(a, 501, &enable_promote, &done, &err) == RS_ETARGET);
	CHECK(strstr(err.msg, "layout not known") != NULL);
	CHECK_INT(accounts_find(a, "Administrator", &err)->failed, 1);
	CHECK(accounts_passwd(a, 500, &unlock, &done, &err) == RS_OK);
	CHECK_INT(done.changed, 1);                                     /* Administrator's F only */
	CHECK_INT(accounts_find(a, "Administrator", &err)->failed, 0);  /* refreshed */
	accounts_close(a);
	rs_ctx_close(ctx);

	char *guest1 = file_f(sam, guest_path, &gl1), *adm = file_f(sam, admin_path, &al);
	CHECK(guest0 && guest1 && gl0 == gl1 && memcmp(guest0, guest1, gl0) == 0);  /* Guest not enabled */
	CHECK(adm && al >= SAM_F_MIN_LEN && adm[SAM_F_FAILED] == 0);
	free(guest0);
	free(guest1);
	free(adm);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

int main(void)
{
	test_passwd_twice();
	CHECK_INT(find("pat"), 1001);
	CHECK_INT(find("PAT"), 1001);
	CHECK_INT(find("J\xc3\x84RJESTELM\xc3\x84NVALVOJA"), 500);
	CHECK_INT(find("\xd0\xb3\xd0\x9e\xd0\xa1\xd0\xa2\xd0\xac"), 501);
	CHECK_INT(find("\xc5\x82ukasz"), 2024);         /* ł matches Ł */
	CHECK_INT(find("\xce\xb6\xcf\x89\xce\xb7"), 1002);   /* more ranges of the case-fold table */
	CHECK_INT(find("\xd1\x91\xd0\x9b\xd0\x9a\xd0\x90"), 1003);
	CHECK_INT(find("\xc4\xbe" "UBO\xc5\xa0"), 1004);
	CHECK_INT(find("\xc4\xbc" "ubo\xc5\xa1"), -RS_EUSAGE);   /* l-cedilla is another letter */
	CHECK_INT(find("500"), 500);
	CHECK_INT(find("0500"), 500);                   /* not octal */
	CHECK_INT(find("0x1f4"), 500);
	CHECK_INT(find("0X3E9"), 1001);
	CHECK_INT(find("2024"), 2024);                  /* a RID first */
	CHECK_INT(find("1000"), 1000);
	CHECK_INT(find("0x"), -RS_EUSAGE);
	CHECK_INT(find("0x1g"), -RS_EUSAGE);
	CHECK_INT(find("99999999999999999999999"), -RS_EUSAGE);
	CHECK_INT(find("Pa"), -RS_EUSAGE);
	CHECK_INT(find(""), -RS_EUSAGE);
	CHECK_INT(find("\xff"), -RS_EUSAGE);

	char s[32];
	accounts_filetime(0, s, sizeof(s));
	CHECK_STR(s, "never");
	accounts_filetime(116444736000000000ULL + 10000000ULL * 86400, s, sizeof(s));
	CHECK_STR(s, "1970-01-02T00:00:00Z");
	return check_done("test-accounts");
}
