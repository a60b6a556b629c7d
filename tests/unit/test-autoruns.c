/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-autoruns.c - the pure parts of autoruns: environment expansion,
 * command-line splitting, host programs, the random-name heuristic, and the
 * .job, task XML and .lnk parsers on files built here byte by byte from the
 * public format descriptions (including truncated and hostile ones). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "hive/cmdline.h"
#include "hive/taskfile.h"

static void test_env(void)
{
	struct winenv e = { 0 };
	winenv_set(&e, "SystemDrive", "C:");
	winenv_set(&e, "SystemRoot", "%SystemDrive%\\Windows");
	winenv_set(&e, "TEMP", "%SystemRoot%\\TEMP");
	winenv_set(&e, "USERPROFILE", "C:\\Users\\Pat");
	winenv_set(&e, "APPDATA", "%USERPROFILE%\\AppData\\Roaming");
	winenv_default(&e, "APPDATA", "ignored");
	char out[256];
	CHECK_STR(winenv_get(&e, "systemroot"), "C:\\Windows");
	CHECK_STR(winenv_get(&e, "TEMP"), "C:\\Windows\\TEMP");
	CHECK_INT(winenv_expand(&e, "%appdata%\\Microsoft\\x.dll", out, sizeof(out)), 0);
	CHECK_STR(out, "C:\\Users\\Pat\\AppData\\Roaming\\Microsoft\\x.dll");
	/* unknown names stay; a lone % stays; the closing % may open the next */
	CHECK_INT(winenv_expand(&e, "%NOPE%%windir%x 100%", out, sizeof(out)), 0);
	CHECK_STR(out, "%NOPE%%windir%x 100%");
	winenv_set(&e, "windir", "%SystemRoot%");
	CHECK_INT(winenv_expand(&e, "%NOPE%%windir%\\a", out, sizeof(out)), 0);
	CHECK_STR(out, "%NOPE%C:\\Windows\\a");
	CHECK_INT(winenv_expand(&e, "%SystemRoot%\\system32", out, 8), -1);
	CHECK_STR(out, "C:\\Wind");
	winenv_set(&e, "TEMP", "D:\\t");
	CHECK_STR(winenv_get(&e, "temp"), "D:\\t");
}

/* A pretend volume for cmdline_split: these programs exist. */
static bool fake_exists(const char *prog, void *ud)
{
	(void)ud;
	static const char *const have[] = { "C:\\Program Files\\Windows Sidebar\\Sidebar.exe",
					    "C:\\Program Files\\A B\\tool" };
	for (size_t i = 0; i < sizeof(have) / sizeof(have[0]); i++)
		if (strcasecmp(prog, have[i]) == 0)
			return true;
	return false;
}

static void test_split(void)
{
	char prog[256], file[256];
	const char *args;
	CHECK_INT(cmdline_split("\"C:\\Program Files\\x y\\a.exe\" /q -z", NULL, NULL, prog, sizeof(prog), &args), 0);
	CHECK_STR(prog, "C:\\Program Files\\x y\\a.exe");
	CHECK_STR(args, "/q -z");
	CHECK_INT(cmdline_split("  C:\\Program Files\\Windows Sidebar\\Sidebar.exe /autoRun", fake_exists, NULL, prog,
				sizeof(prog), &args), 0);
	CHECK_STR(prog, "C:\\Program Files\\Windows Sidebar\\Sidebar.exe");
	CHECK_STR(args, "/autoRun");
	/* found without an extension, as CreateProcess tries "tool" */
	CHECK_INT(cmdline_split("C:\\Program Files\\A B\\tool -x", fake_exists, NULL, prog, sizeof(prog), &args), 0);
	CHECK_STR(prog, "C:\\Program Files\\A B\\tool");
	/* missing: the shortest prefix with an executable extension */
	CHECK_INT(cmdline_split("C:\\Program Files\\Gone Co\\gone.exe -a b", fake_exists, NULL, prog, sizeof(prog),
				&args), 0);
	CHECK_STR(prog, "C:\\Program Files\\Gone Co\\gone.exe");
	CHECK_STR(args, "-a b");
	/* nothing to go by: the first word */
	CHECK_INT(cmdline_split("C:\\Gone\\tool arg", NULL, NULL, prog, sizeof(prog), &args), 0);
	CHECK_STR(prog, "C:\\Gone\\tool");
	CHECK_INT(cmdline_split("explorer.exe", NULL, NULL, prog, sizeof(prog), &args), 0);
	CHECK_STR(prog, "explorer.exe");
	CHECK_STR(args, "");
	CHECK_INT(cmdline_split("   ", NULL, NULL, prog, sizeof(prog), &args), -1);
	CHECK_INT(cmdline_split("\"\"", NULL, NULL, prog, sizeof(prog), &args), -1);
	CHECK_INT(cmdline_split("\"unterminated x", NULL, NULL, prog, sizeof(prog), &args), 0);
	CHECK_STR(prog, "unterminated x");
	CHECK_INT(cmdline_split("abcdefghij", NULL, NULL, prog, 4, &args), -1);

	/* host programs */
	CHECK(cmdline_hosted_file("C:\\Windows\\system32\\rundll32.exe", "\"C:\\p q\\x.dll\",DllRegisterServer",
				  file, sizeof(file)));
	CHECK_STR(file, "C:\\p q\\x.dll");
	CHECK(cmdline_hosted_file("RUNDLL32", "shell32.dll,Control_RunDLL", file, sizeof(file)));
	CHECK_STR(file, "shell32.dll");
	CHECK(cmdline_hosted_file("regsvr32.exe", "/s /i:arg -n \"C:\\a\\b.dll\"", file, sizeof(file)));
	CHECK_STR(file, "C:\\a\\b.dll");
	CHECK(cmdline_hosted_file("wscript.exe", "//B //E:vbscript C:\\x.vbs", file, sizeof(file)));
	CHECK_STR(file, "C:\\x.vbs");
	CHECK(!cmdline_hosted_file("regsvr32.exe", "/s", file, sizeof(file)));
	CHECK(!cmdline_hosted_file("rundll32.exe", ",Entry", file, sizeof(file)));
	CHECK(!cmdline_hosted_file("C:\\x\\rundll32x.exe", "a.dll,E", file, sizeof(file)));
	CHECK(!cmdline_hosted_file("notepad.exe", "a.txt", file, sizeof(file)));
	CHECK_STR(cmdline_basename("C:\\a\\b/c.exe"), "c.exe");
}

static void test_random(void)
{
	static const char *const yes[] = { "qwhdkzvy.dll", "xkcdwq.exe", "a8f3k2x9.exe", "Bcdfghjk.dll",
					   "tzqrmnpw", "zxqvbnm.tmp", "Jkzqwpxr", "k7x2m9q4" };
	static const char *const no[] = { "OneDrive.exe", "Teams.exe", "Update.exe", "GoogleUpdate.exe",
					  "Spotify.exe", "Discord.exe", "Dropbox.exe", "iTunesHelper.exe",
					  "steamwebhelper.exe", "googledrivesync.exe", "msteams.exe", "Skype.exe",
					  "AnyDesk.exe", "win32dd1.sys", "explorer.exe", "setup.exe", "a.exe",
					  "qwxz.exe", "Sidebar.exe", "OfficeClickToRun.exe", "WindowsTerminal.exe",
					  "eicar.com", "report-2024.exe" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!cmdline_name_looks_random(yes[i]))
			printf("# not random: %s\n", yes[i]);
		CHECK(cmdline_name_looks_random(yes[i]));
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (cmdline_name_looks_random(no[i]))
			printf("# random: %s\n", no[i]);
		CHECK(!cmdline_name_looks_random(no[i]));
	}
	/* measured rate on random 8-letter names: documented as about 9 in 10 */
	unsigned seed = 12345, hits = 0;
	for (int n = 0; n < 2000; n++) {
		char name[9];
		for (int i = 0; i < 8; i++) {
			seed = seed * 1103515245u + 12345u;
			name[i] = (char)('a' + (seed >> 16) % 26);
		}
		name[8] = '\0';
		hits += cmdline_name_looks_random(name);
	}
	CHECK(hits > 1700);
}

/* ---- file builders ---- */

struct buf {
	uint8_t d[4096];
	size_t n;
};

static void put16(struct buf *b, unsigned v)
{
	b->d[b->n++] = (uint8_t)v;
	b->d[b->n++] = (uint8_t)(v >> 8);
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}

/* A [MS-TSCH] Unicode string: count with the NUL, then UTF-16LE (ASCII here). */
static void put_ustr(struct buf *b, const char *s)
{
	if (!*s) {
		put16(b, 0);
		return;
	}
	put16(b, (unsigned)strlen(s) + 1);
	for (; *s; s++)
		put16(b, (uint8_t)*s);
	put16(b, 0);
}

static void make_job(struct buf *b, const char *app, const char *params)
{
	memset(b, 0, sizeof(*b));
	put16(b, 0x0501);               /* product version: XP */
	put16(b, 1);                    /* file version */
	for (int i = 0; i < 16; i++)
		b->d[b->n++] = (uint8_t)(0xa0 + i);   /* job UUID */
	put16(b, 0x46);                 /* application name length offset */
	put16(b, 0);                    /* trigger offset, patched below */
	b->n = 0x44;                    /* rest of the fixed section: zeros */
	put16(b, 0);                    /* running instance count */
	put_ustr(b, app);
	put_ustr(b, params);
	put_ustr(b, "C:\\");            /* working directory */
	put_ustr(b, "PAT\\Pat");        /* author */
	put_ustr(b, "");                /* comment */
	put16(b, 0);                    /* user data size */
	put16(b, 0);                    /* reserved data size */
	b->d[0x16] = (uint8_t)b->n;
	b->d[0x17] = (uint8_t)(b->n >> 8);
	put16(b, 0);                    /* trigger count */
}

static void test_job(void)
{
	struct buf b;
	char *app, *params;
	make_job(&b, "C:\\Documents and Settings\\Pat\\Application Data\\x.exe", "/q \"a b\"");
	CHECK_INT(taskjob_parse(b.d, b.n, &app, &params), 0);
	CHECK_STR(app, "C:\\Documents and Settings\\Pat\\Application Data\\x.exe");
	CHECK_STR(params, "/q \"a b\"");
	free(app);
	free(params);
	make_job(&b, "notepad.exe", "");
	CHECK_INT(taskjob_parse(b.d, b.n, &app, &params), 0);
	CHECK_STR(app, "notepad.exe");
	CHECK_STR(params, "");
	free(app);
	free(params);
	/* every truncation fails cleanly, never reads past the end */
	make_job(&b, "C:\\x.exe", "p");
	size_t full = b.n;
	int ok_at = -1;
	for (size_t cut = 0; cut < full; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, b.d, cut);
		if (taskjob_parse(copy, cut, &app, &params) == 0) {
			if (ok_at < 0)
				ok_at = (int)cut;
			free(app);
			free(params);
		}
		free(copy);
	}
	CHECK(ok_at >= 0x46 + 2 + 18 + 4);   /* needs both strings whole */
	/* hostile: file version, an offset inside the fixed section, a huge count */
	make_job(&b, "C:\\x.exe", "");
	b.d[2] = 2;
	CHECK_INT(taskjob_parse(b.d, b.n, &app, &params), -1);
	make_job(&b, "C:\\x.exe", "");
	b.d[0x14] = 0x10;
	CHECK_INT(taskjob_parse(b.d, b.n, &app, &params), -1);
	make_job(&b, "C:\\x.exe", "");
	b.d[0x46] = 0xff;
	b.d[0x47] = 0xff;
	CHECK_INT(taskjob_parse(b.d, b.n, &app, &params), -1);
}

#define NS "http://schemas.microsoft.com/windows/2004/02/mit/task"

/* S as UTF-16LE, with a byte order mark when BOM (malloc'd, *LEN set). */
static uint8_t *utf16le(const char *s, bool bom, size_t *len)
{
	size_t n = strlen(s), o = bom ? 2 : 0;
	uint8_t *w = malloc(o + 2 * n + 1);
	w[0] = 0xff;
	w[1] = 0xfe;
	for (size_t i = 0; i < n; i++) {
		w[o + 2 * i] = (uint8_t)s[i];
		w[o + 2 * i + 1] = 0;
	}
	*len = o + 2 * n;
	return w;
}

/* Parse the UTF-8 text XML: the status, the actions in *EX / *COUNT (freed
 * by the caller on RS_OK), the reason in ERR. */
static int parse_text(const char *xml, struct task_exec **ex, size_t *count, struct rs_error *err)
{
	memset(err, 0, sizeof(*err));
	*ex = NULL;
	*count = 0;
	/* a copy of the exact length, so the sanitizer sees every overread */
	size_t n = strlen(xml);
	uint8_t *b = malloc(n ? n : 1);
	memcpy(b, xml, n);
	int rc = taskxml_parse(b, n, ex, count, err);
	free(b);
	return rc;
}

/* XML must fail with a reason that starts with WHY, and list nothing. */
static void check_refused(const char *xml, const char *why)
{
	struct task_exec *ex;
	size_t count;
	struct rs_error err;
	int rc = parse_text(xml, &ex, &count, &err);
	CHECK_INT(rc, RS_ETARGET);
	if (strncmp(err.msg, why, strlen(why)) != 0)
		printf("# reason: %s (want %s...)\n", err.msg, why);
	CHECK(strncmp(err.msg, why, strlen(why)) == 0);
	if (rc == RS_OK)
		task_exec_free(ex, count);
}

/* XML must give exactly one action: COMMAND with ARGS. */
static void check_one(const char *xml, const char *command, const char *args)
{
	struct task_exec *ex;
	size_t count;
	struct rs_error err;
	CHECK_INT(parse_text(xml, &ex, &count, &err), RS_OK);
	CHECK_INT(count, 1);
	if (count == 1) {
		CHECK_STR(ex[0].command, command);
		CHECK_STR(ex[0].arguments, args);
	}
	if (err.msg[0])
		printf("# unexpected: %s\n", err.msg);
	task_exec_free(ex, count);
}

static void test_xml(void)
{
	const char *xml =
		"<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n"
		"<Task version=\"1.2\" xmlns=\"" NS "\">\r\n"
		"  <Actions Context=\"Author\">\r\n"
		"    <ComHandler><ClassId>{0000}</ClassId></ComHandler>\r\n"
		"    <Exec>\r\n      <Command>regsvr32.exe</Command>\r\n"
		"      <Arguments>-s &quot;%APPDATA%\\Microsoft\\x &amp; y\\a.dll&quot;</Arguments>\r\n    </Exec>\r\n"
		"    <Exec><Command> C:\\t&#x41;sk.exe </Command></Exec>\r\n"
		"    <Executable>not an action</Executable>\r\n"
		"  </Actions>\r\n</Task>\r\n";
	/* UTF-16LE with a byte order mark, as Windows writes them */
	size_t wlen;
	uint8_t *w = utf16le(xml, true, &wlen);
	struct task_exec *ex;
	size_t count;
	struct rs_error err = { 0 };
	CHECK_INT(taskxml_parse(w, wlen, &ex, &count, &err), RS_OK);
	CHECK_INT(count, 2);
	if (count == 2) {
		CHECK_STR(ex[0].command, "regsvr32.exe");
		CHECK_STR(ex[0].arguments, "-s \"%APPDATA%\\Microsoft\\x & y\\a.dll\"");
		CHECK_STR(ex[1].command, "C:\\tAsk.exe");
		CHECK_STR(ex[1].arguments, "");
	}
	task_exec_free(ex, count);
	free(w);
	/* UTF-16LE without a byte order mark: the declaration says so */
	w = utf16le(xml, false, &wlen);
	CHECK_INT(taskxml_parse(w, wlen, &ex, &count, &err), RS_OK);
	CHECK_INT(count, 2);
	task_exec_free(ex, count);
	free(w);
	/* UTF-8 (the declaration's UTF-16 taken out: expat holds a file to it) */
	const char *u8 = strchr(xml, '\n') + 1;
	CHECK_INT(parse_text(u8, &ex, &count, &err), RS_OK);
	CHECK_INT(count, 2);
	task_exec_free(ex, count);
	/* UTF-8 with its byte order mark, a non-ASCII command */
	check_one("\xef\xbb\xbf<Task xmlns='" NS "'><Actions><Exec><Command>C:\\Caf\xc3\xa9\\x.exe</Command>"
		  "</Exec></Actions></Task>", "C:\\Caf\xc3\xa9\\x.exe", "");

	/* what the string matcher missed: a namespace prefix, whitespace in
	 * tags, CDATA, entities; a task without the namespace is read too */
	check_one("<t:Task xmlns:t='" NS "'><t:Actions><t:Exec><t:Command>C:\\p\\a.exe</t:Command>"
		  "<t:Arguments>-x</t:Arguments></t:Exec></t:Actions></t:Task>", "C:\\p\\a.exe", "-x");
	check_one("<Task\r\n xmlns=\"" NS "\"\r\n><Actions\t><Exec >\r\n<Command\n>b.exe</Command\t>"
		  "<Arguments  >1</Arguments\n></Exec  ></Actions></Task >", "b.exe", "1");
	check_one("<Task xmlns='" NS "'><Actions><Exec><Command><![CDATA[C:\\x\\<a>&b.exe]]></Command>"
		  "<Arguments>a <![CDATA[<b>]]> &lt;c&gt; &#x263A; &#65;</Arguments></Exec></Actions></Task>",
		  "C:\\x\\<a>&b.exe", "a <b> <c> \xe2\x98\xba A");
	check_one("<Task><Actions><Exec><Command>nons.exe</Command></Exec></Actions></Task>", "nons.exe", "");
	/* an Exec of another namespace is not the scheduler's */
	CHECK_INT(parse_text("<Task xmlns='" NS "' xmlns:o='urn:other'><Actions><o:Exec><o:Command>x</o:Command>"
			     "</o:Exec><Exec><Command>real.exe</Command></Exec></Actions></Task>", &ex, &count, &err),
		  RS_OK);
	CHECK_INT(count, 1);
	if (count == 1)
		CHECK_STR(ex[0].command, "real.exe");
	task_exec_free(ex, count);
	/* a second Command does not replace the first */
	check_one("<Task xmlns='" NS "'><Actions><Exec><Command>first.exe</Command><Command>second.exe</Command>"
		  "</Exec></Actions></Task>", "first.exe", "");
	/* COM handler actions only: read, no program */
	CHECK_INT(parse_text("<Task xmlns='" NS "'><Actions><ComHandler><ClassId>{1}</ClassId></ComHandler>"
			     "</Actions></Task>", &ex, &count, &err), RS_OK);
	CHECK_INT(count, 0);
	task_exec_free(ex, count);

	/* refused, each with its reason */
	check_refused("<html/>", "not a task: the root element is <html>");
	check_refused("<Task xmlns='urn:evil'/>", "not a task: the root element is <Task> in namespace urn:evil");
	check_refused("<Task xmlns='urn:a&#10;rescue: VERDICT GREENÂ'/>",
		      "not a task: the root element is <Task> in namespace urn:a?rescue: VERDICT GREEN??");
	check_refused("", "not XML (no element)");
	check_refused("MZ\x90\x00garbage", "parse error at line 1: ");
	check_refused("<Task xmlns='" NS "'>\n<Actions>\n<Exec>\n</Actions>\n</Task>", "parse error at line 4: mismatched tag");
	size_t cut = (size_t)(strstr(u8, "<Arguments>") - u8) + 5;
	char *part = strndup(u8, cut);
	check_refused(part, "parse error at line 6: ");
	free(part);
	check_refused("<Task xmlns='" NS "'><Actions>", "parse error at line 1: the file ends inside <Task>");
	check_refused("<Task xmlns='" NS "'><Actions><Exec><Command>&x;</Command></Exec></Actions></Task>",
		      "parse error at line 1: undefined entity");
	/* entities are never declared, so never expanded, nothing is fetched */
	check_refused("<?xml version='1.0'?>\n<!DOCTYPE Task [\n<!ENTITY a 'aaaaaaaaaa'>\n"
		      "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>\n<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>\n"
		      "<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>\n<!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'>\n"
		      "<!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'>\n<!ENTITY g '&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'>\n"
		      "<!ENTITY h '&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;'>\n<!ENTITY i '&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;'>\n]>\n"
		      "<Task xmlns='" NS "'><Actions><Exec><Command>&i;</Command></Exec></Actions></Task>",
		      "has a DOCTYPE");
	check_refused("<!DOCTYPE Task [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><Task xmlns='" NS "'><Actions>"
		      "<Exec><Command>&x;</Command></Exec></Actions></Task>", "has a DOCTYPE");
	check_refused("<!DOCTYPE Task SYSTEM 'http://192.0.2.1/task.dtd'><Task xmlns='" NS "'/>", "has a DOCTYPE");

	/* limits: nesting, actions; a large file is still read */
	size_t big = 300 * 7 + 64;
	char *deep = malloc(big * 2);
	strcpy(deep, "<Task xmlns='" NS "'>");
	for (int i = 0; i < 300; i++)
		strcat(deep, "<a>");
	check_refused(deep, "elements nested more than 128 deep");
	free(deep);
	char *many = malloc(100 * 48 + 128);
	strcpy(many, "<Task xmlns='" NS "'><Actions>");
	for (int i = 0; i < 100; i++)
		strcat(many, "<Exec><Command>x.exe</Command></Exec>");
	strcat(many, "</Actions></Task>");
	check_refused(many, "more than 64 actions");
	free(many);
	size_t pad = (size_t)2 << 20;
	char *large = malloc(pad + 256);
	strcpy(large, "<Task xmlns='" NS "'><!--");
	size_t o = strlen(large);
	memset(large + o, 'x', pad);
	strcpy(large + o + pad, "--><Actions><Exec><Command>big.exe</Command></Exec></Actions></Task>");
	check_one(large, "big.exe", "");
	free(large);
}

/* A shell link with a LinkInfo local base path and arguments. */
static void make_lnk(struct buf *b, const char *base, const char *suffix, const char *args)
{
	memset(b, 0, sizeof(*b));
	put32(b, 0x4c);
	b->n = 0x14;
	put32(b, 0x0002 | 0x0020 | 0x0080);   /* HasLinkInfo, HasArguments, IsUnicode */
	b->n = 0x4c;
	size_t li = b->n;
	size_t bl = strlen(base) + 1, sl = strlen(suffix) + 1;
	put32(b, (uint32_t)(0x1c + bl + sl));  /* LinkInfo size */
	put32(b, 0x1c);                       /* header size */
	put32(b, 1);                          /* VolumeIDAndLocalBasePath */
	put32(b, 0);                          /* volume id offset (not used here) */
	put32(b, 0x1c);                       /* local base path offset */
	put32(b, 0);                          /* network link offset */
	put32(b, (uint32_t)(0x1c + bl));      /* common path suffix offset */
	memcpy(b->d + b->n, base, bl);
	b->n += bl;
	memcpy(b->d + b->n, suffix, sl);
	b->n += sl;
	CHECK_INT(b->n - li, 0x1c + bl + sl);
	put16(b, (unsigned)strlen(args));
	for (const char *p = args; *p; p++)
		put16(b, (uint8_t)*p);
}

static void test_lnk(void)
{
	struct buf b;
	char *target, *args;
	make_lnk(&b, "C:\\Users\\Pat\\AppData\\Roaming\\qz.exe", "", "-k 1");
	CHECK_INT(lnk_parse(b.d, b.n, &target, &args), 0);
	CHECK_STR(target, "C:\\Users\\Pat\\AppData\\Roaming\\qz.exe");
	CHECK_STR(args, "-k 1");
	free(target);
	free(args);
	make_lnk(&b, "C:\\", "Tools\\a.exe", "");
	CHECK_INT(lnk_parse(b.d, b.n, &target, &args), 0);
	CHECK_STR(target, "C:\\Tools\\a.exe");
	free(target);
	free(args);
	make_lnk(&b, "C:\\x.exe", "", "abc");
	size_t full = b.n;
	for (size_t cut = 0; cut < full; cut++)
		if (lnk_parse(b.d, cut, &target, &args) == 0) {
			free(target);
			free(args);
		}
	b.d[0x4c] = 0xff;                     /* LinkInfo larger than the file */
	b.d[0x4d] = 0xff;
	CHECK_INT(lnk_parse(b.d, full, &target, &args), -1);
	CHECK_INT(lnk_parse((const uint8_t *)"MZ", 2, &target, &args), -1);
}

/* Random bytes and random mutations of good files: the parsers must only
 * ever fail cleanly (the sanitizer build catches any read out of bounds). */
static void test_garbage(void)
{
	unsigned seed = 99;
	struct buf job, lnk;
	make_job(&job, "C:\\x\\y.exe", "-a");
	make_lnk(&lnk, "C:\\x.exe", "", "-q");
	for (int round = 0; round < 3000; round++) {
		uint8_t b[512];
		size_t n = 0;
		const struct buf *base = round % 3 == 0 ? &job : round % 3 == 1 ? &lnk : NULL;
		if (base) {
			n = base->n;
			memcpy(b, base->d, n);
			for (int k = 0; k < 4; k++) {
				seed = seed * 1103515245u + 12345u;
				b[(seed >> 8) % n] = (uint8_t)(seed >> 20);
			}
		} else {
			seed = seed * 1103515245u + 12345u;
			n = (seed >> 8) % sizeof(b);
			for (size_t i = 0; i < n; i++) {
				seed = seed * 1103515245u + 12345u;
				b[i] = (uint8_t)(seed >> 16);
			}
			if (n > 10 && round % 2)
				memcpy(b, "<Task><Exec><Command>", 21 < n ? 21 : n);
		}
		char *x, *y;
		if (taskjob_parse(b, n, &x, &y) == 0) {
			free(x);
			free(y);
		}
		if (lnk_parse(b, n, &x, &y) == 0) {
			free(x);
			free(y);
		}
		struct task_exec *ex;
		size_t count;
		struct rs_error err = { 0 };
		if (taskxml_parse(b, n, &ex, &count, &err) == RS_OK)
			task_exec_free(ex, count);
	}
	CHECK(1);
}

int main(void)
{
	test_env();
	test_split();
	test_random();
	test_job();
	test_xml();
	test_lnk();
	test_garbage();
	return check_done("test-autoruns");
}
