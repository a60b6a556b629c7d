/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-hive.c - the hive layer on a real tree: read, set, commit (backup,
 * journal, verify), delete, dirty and damaged hives refused.  Needs
 * TEST_TREE (a tree made by tests/fixtures/mktree.sh win7) and TEST_DIRTY
 * (a dirty hive file); tests/e2e/t1000-hive-unit.sh provides them. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "hive/hive.h"
#include "rescue/base/journal.h"
#include "rescue/base/ctx.h"
#include "rescue/base/json.h"
#include "rescue/base/utf16.h"
#include "rescue/base/winpath.h"

static void test_json(void)
{
	struct json_object o;
	/* \u00e9 is the character (UTF-8), \udce9 the byte 0xe9 json_put_str
	 * escapes when a name is not UTF-8 (rescue/base/json.c); UTF-8 text is raw. */
	CHECK_INT(json_parse_flat("{\"a\":\"x\\u00e9\\udce9\\n\xc3\xa9\\u20ac\",\"n\":-12,\"b\":true,\"z\":null,"
				  "\"l\":[\"p\",\"q\"]}", &o), 0);
	CHECK_STR(json_get_str(&o, "a", NULL), "x\xc3\xa9\xe9\n\xc3\xa9\xe2\x82\xac");
	CHECK_INT(json_get_long(&o, "n", 0), -12);
	CHECK(json_get_bool(&o, "b", false));
	CHECK(json_get(&o, "z")->type == JSON_NULL);
	CHECK_INT(json_get(&o, "l")->nitems, 2);
	json_object_free(&o);
	CHECK_INT(json_parse_flat("{\"a\":\"x\"", &o), -1);
	CHECK_INT(json_parse_flat("{\"a\":{}}", &o), -1);
	CHECK_INT(json_parse_flat("{\"a\":\"\\u0000\"}", &o), -1);
}

static void test_utf16(void)
{
	uint8_t *w;
	size_t n;
	CHECK_INT(utf8_to_utf16le("A\xc3\xa9\xf0\x9f\x98\x80", &w, &n), 0);
	CHECK_INT(n, 8);
	char *back = utf16le_to_utf8(w, n);
	CHECK_STR(back, "A\xc3\xa9\xf0\x9f\x98\x80");
	free(back);
	free(w);
	CHECK_INT(utf8_to_utf16le("\xc0\xaf", &w, &n), -1);
}

static void test_winpath(const char *root)
{
	char out[4096];
	CHECK_INT(winpath_resolve(root, "windows\\SYSTEM32/CONFIG/software", out, sizeof(out)), 0);
	CHECK(strstr(out, "Windows/System32/config/SOFTWARE") != NULL);
	CHECK_INT(winpath_resolve(root, "Windows/../..", out, sizeof(out)), -1);
	CHECK_INT(winpath_resolve_new(root, "windows/NewDir/x", out, sizeof(out)), 0);
	CHECK(strstr(out, "Windows/NewDir/x") != NULL);
}

static void test_edit(const char *root)
{
	struct rs_ctx *ctx;
	struct rs_error err = { 0 };
	CHECK_INT(rs_ctx_open(root, 0, &ctx, &err), RS_OK);
	struct hive *h;
	CHECK_INT(hive_open(ctx, HIVE_SOFTWARE, HIVE_WRITE, &h, &err), RS_OK);
	char *pn = hive_get_string(h, "Microsoft\\Windows NT\\CurrentVersion", "ProductName");
	CHECK_STR(pn, "Windows 7 Professional");
	free(pn);
	CHECK_INT(hive_set_dword(h, "test", "A\\B\\C", "V", 0x1234, &err), RS_OK);
	CHECK_INT(hive_pending(h), 4); /* keys A, A\B, A\B\C and the value */
	CHECK_INT(hive_set_dword(h, "test", "a\\b\\c", "v", 0x1234, &err), RS_OK);
	CHECK_INT(hive_pending(h), 4); /* same data: nothing new */
	CHECK_INT(hive_commit(h, &err), RS_OK);
	CHECK_INT(hive_pending(h), 0);
	hive_close(h);

	CHECK_INT(hive_open(ctx, HIVE_SOFTWARE, 0, &h, &err), RS_OK);
	uint32_t v = 0;
	CHECK_INT(hive_get_dword(h, "A\\B\\C", "V", &v), 0);
	CHECK_INT(v, 0x1234);
	hive_close(h);

	struct journal j;
	CHECK_INT(journal_load(ctx, &j, &err), RS_OK);
	CHECK_INT(j.n, 4);
	if (j.n == 4) {
		CHECK(j.v[3].kind == JOURNAL_VALUE);
		CHECK(!j.v[3].old_present);
		CHECK_INT(j.v[3].new_len, 4);
		CHECK(j.v[0].kind == JOURNAL_KEY);
		CHECK_STR(j.v[0].key, "A");
	}
	journal_free(&j);

	/* delete the value, then the emptied keys */
	CHECK_INT(hive_open(ctx, HIVE_SOFTWARE, HIVE_WRITE, &h, &err), RS_OK);
	CHECK_INT(hive_delete_value(h, "undo", "A\\B\\C", "V", &err), RS_OK);
	CHECK_INT(hive_delete_empty_key(h, "undo", "A\\B\\C", &err), RS_OK);
	CHECK_INT(hive_delete_empty_key(h, "undo", "A\\B", &err), RS_OK);
	CHECK_INT(hive_delete_empty_key(h, "undo", "A", &err), RS_OK);
	CHECK_INT(hive_commit(h, &err), RS_OK);
	CHECK(hive_lookup(h, "A") == 0);
	hive_close(h);

	char backup[4096];
	snprintf(backup, sizeof(backup), "%s/Rescue/backup/%s/Windows_System32_config_SOFTWARE", ctx->root, ctx->stamp);
	struct stat st;
	CHECK_INT(stat(backup, &st), 0);

	/* the SYSTEM hive: CCS resolves through Select\Current */
	CHECK_INT(hive_open(ctx, HIVE_SYSTEM, 0, &h, &err), RS_OK);
	char path[256];
	CHECK_INT(hive_expand_path(h, "CCS\\Services\\Schedule", path, sizeof(path), &err), RS_OK);
	CHECK_STR(path, "ControlSet001\\Services\\Schedule");
	CHECK(hive_lookup(h, "CCS\\Services\\Schedule") != 0);
	hive_close(h);
	rs_ctx_close(ctx);
}

/* Many edits of one key in one rewrite (hive_edit_values): applied in
 * order, each change recorded, the other values kept; a removal from a
 * missing key makes nothing.  t1000-hive-unit.sh reads the key back with
 * hivexget. */
static void test_edit_values(const char *root)
{
	struct rs_ctx *ctx;
	struct rs_error err = { 0 };
	CHECK_INT(rs_ctx_open(root, 0, &ctx, &err), RS_OK);
	struct hive *h;
	CHECK_INT(hive_open(ctx, HIVE_SOFTWARE, HIVE_WRITE, &h, &err), RS_OK);
	CHECK_INT(hive_set_dword(h, "test", "Batch", "Keep", 7, &err), RS_OK);
	CHECK_INT(hive_set_dword(h, "test", "Batch", "Gone", 8, &err), RS_OK);
	CHECK_INT(hive_pending(h), 3); /* the key and two values */
	const uint8_t one[4] = { 1 }, two[4] = { 2 }, seven[4] = { 7 };
	const struct hive_value_edit e[] = {
		{ .name = "New", .type = REGT_DWORD, .data = one, .len = 4 },
		{ .name = "gone", .remove = true },
		{ .name = "NEW", .type = REGT_DWORD, .data = two, .len = 4 },
		{ .name = "Keep", .type = REGT_DWORD, .data = seven, .len = 4 },   /* as it is: nothing */
		{ .name = "Absent", .remove = true },                              /* not there: nothing */
	};
	CHECK_INT(hive_edit_values(h, "test", "Batch", e, sizeof(e) / sizeof(e[0]), &err), RS_OK);
	CHECK_INT(hive_pending(h), 6);
	const struct hive_value_edit rm = { .name = "x", .remove = true };
	CHECK_INT(hive_edit_values(h, "test", "NoSuchKey", &rm, 1, &err), RS_OK);
	CHECK_INT(hive_pending(h), 6);
	CHECK(hive_lookup(h, "NoSuchKey") == 0);
	CHECK_INT(hive_commit(h, &err), RS_OK);
	hive_close(h);
	rs_ctx_close(ctx);
}

/* A quarantine's journal entry: written and read back whole. */
static void test_journal_quarantine(const char *root)
{
	struct rs_ctx *ctx;
	struct rs_error err = { 0 };
	CHECK_INT(rs_ctx_open(root, 0, &ctx, &err), RS_OK);
	struct journal_entry e = { .kind = JOURNAL_QUARANTINE };
	snprintf(e.item, sizeof(e.item), "quarantine");
	snprintf(e.id, sizeof(e.id), "%064d.1", 7);
	snprintf(e.path, sizeof(e.path), "Users/P\xc3\xa4t/Downloads/x \"y\".exe");
	snprintf(e.stream, sizeof(e.stream), "Zone.Identifier");
	snprintf(e.old_sha256, sizeof(e.old_sha256), "%064d", 7);
	CHECK_INT(journal_append(ctx, &e, &err), RS_OK);
	struct journal j;
	CHECK_INT(journal_load(ctx, &j, &err), RS_OK);
	CHECK(j.n > 0);
	if (j.n > 0) {
		const struct journal_entry *g = &j.v[j.n - 1];
		CHECK(g->kind == JOURNAL_QUARANTINE);
		CHECK_INT(g->seq, e.seq);
		CHECK_STR(g->item, "quarantine");
		CHECK_STR(g->id, e.id);
		CHECK_STR(g->path, e.path);
		CHECK_STR(g->stream, "Zone.Identifier");
		CHECK_STR(g->old_sha256, e.old_sha256);
		CHECK(!g->undone);
	}
	journal_free(&j);
	rs_ctx_close(ctx);
}

static void test_refusals(const char *root, const char *dirty)
{
	struct rs_ctx *ctx;
	struct rs_error err = { 0 };
	CHECK_INT(rs_ctx_open(root, 0, &ctx, &err), RS_OK);
	struct hive *h = NULL;
	char rel[4096];
	snprintf(rel, sizeof(rel), "%s", winpath_relative(ctx->root, dirty));
	CHECK_INT(hive_open(ctx, rel, HIVE_WRITE, &h, &err), RS_ETARGET);
	CHECK(strstr(err.msg, "dirty") != NULL);
	CHECK_INT(hive_open(ctx, rel, 0, &h, &err), RS_OK);
	hive_close(h);
	CHECK_INT(hive_open(ctx, "Windows/System32/config/NOSUCH", 0, &h, &err), RS_ETARGET);
	CHECK(strstr(err.msg, "missing") != NULL);
	CHECK_INT(hive_open(ctx, "Windows/System32/drivers/etc/hosts", 0, &h, &err), RS_ETARGET);
	rs_ctx_close(ctx);
	CHECK_INT(rs_ctx_open("/nonexistent-dir", 0, &ctx, &err), RS_ETARGET);
}

int main(void)
{
	const char *root = getenv("TEST_TREE"), *dirty = getenv("TEST_DIRTY");
	test_json();
	test_utf16();
	if (root && dirty) {
		test_winpath(root);
		test_edit(root);
		test_edit_values(root);
		test_journal_quarantine(root);
		test_refusals(root, dirty);
	} else {
		printf("# TEST_TREE/TEST_DIRTY not set: run through tests/e2e/t1000-hive-unit.sh\n");
	}
	return check_done("test-hive");
}
