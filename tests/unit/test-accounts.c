/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-accounts.c - accounts_find: USER as a name in any case (including the
 * localized built-in names with non-ASCII letters) or a RID in decimal or
 * 0x-hex; and accounts_filetime. */
#include <string.h>

#include "rescue/accounts.h"
#include "tests/unit/check.h"

static struct acct_user users[] = {
	{ .rid = 500, .name = "J\xc3\xa4rjestelm\xc3\xa4nvalvoja" },   /* Finnish Administrator */
	{ .rid = 501, .name = "\xd0\x93\xd0\xbe\xd1\x81\xd1\x82\xd1\x8c" },   /* Russian Guest */
	{ .rid = 1000, .name = "2024" },
	{ .rid = 1001, .name = "Pat" },
	{ .rid = 2024, .name = "\xc5\x81ukasz" },
};

static long find(const char *user)
{
	struct accounts a = { .users = users, .n = sizeof(users) / sizeof(users[0]) };
	struct rs_error err = { 0 };
	const struct acct_user *u = accounts_find(&a, user, &err);
	return u ? (long)u->rid : -err.code;
}

int main(void)
{
	CHECK_INT(find("pat"), 1001);
	CHECK_INT(find("PAT"), 1001);
	CHECK_INT(find("J\xc3\x84RJESTELM\xc3\x84NVALVOJA"), 500);
	CHECK_INT(find("\xd0\xb3\xd0\x9e\xd0\xa1\xd0\xa2\xd0\xac"), 501);
	CHECK_INT(find("\xc5\x82ukasz"), 2024);         /* ł matches Ł */
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
