/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli-users.c - `rescue users` and `rescue passwd`: local accounts.
 *
 *   rescue users
 *   rescue passwd USER [--blank | --password-stdin | --password-file F]
 *                      [--unlock] [--enable] [--promote]
 *
 * A new password is never taken from the command line (it would sit in the
 * shell history and in ps): one line from stdin or from a file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hive/accounts.h"
#include "rescue/cli/cli.h"
#include "rescue/base/json.h"
#include "rescue/base/textesc.h"

static void flags_text(const struct acct_user *u, char *out, size_t outlen)
{
	static const char *const names[] = { "disabled", "locked", "admin", "blank", "password", "microsoft" };
	const bool on[] = { u->disabled, u->locked, u->admin, u->blank, u->has_password, u->microsoft };
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (on[i] && o < outlen)
			o += (size_t)snprintf(out + o, outlen - o, "%s%s", o ? "," : "", names[i]);
	if (!out[0])
		snprintf(out, outlen, "-");
}

/* S cut to at most N characters (not bytes) for a text column, "-" when
 * empty; a static buffer, valid until the next call. */
static const char *column(const char *s, size_t n)
{
	static char buf[128];
	size_t o = 0, chars = 0;
	if (!*s)
		return "-";
	for (; s[o]; o++) {
		/* stop only where a character starts, with room for a whole one */
		if (((unsigned char)s[o] & 0xC0) != 0x80 && (chars++ == n || o + 4 >= sizeof(buf)))
			break;
		buf[o] = s[o];
	}
	buf[o] = '\0';
	return buf;
}

static void user_json(const struct acct_user *u)
{
	char when[32];
	accounts_filetime(u->last_logon, when, sizeof(when));
	printf("{\"rid\":%u", u->rid);
	json_put_member(stdout, ",", "name", u->name);
	json_put_member(stdout, ",", "full_name", u->fullname);
	printf(",\"disabled\":%s,\"locked\":%s,\"admin\":%s,\"blank\":%s,\"has_password\":%s,"
	       "\"microsoft_account\":%s",
	       u->disabled ? "true" : "false", u->locked ? "true" : "false", u->admin ? "true" : "false",
	       u->blank ? "true" : "false", u->has_password ? "true" : "false",
	       u->microsoft ? "true" : "false");
	json_put_member(stdout, ",", "internet_user_name", u->microsoft ? u->internet_name : NULL);
	printf(",\"acb\":%u,\"failed_logons\":%u,\"logons\":%u", u->acb, u->failed, u->logons);
	json_put_member(stdout, ",", "last_logon", u->last_logon ? when : NULL);
	printf(",\"hash\":\"%s\"}", sam_hash_fmt_name(u->nt_fmt));
}

int cmd_users(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	struct rs_error err = { 0 };
	if (argc > 1) {
		rs_fail(&err, RS_EUSAGE, "users takes no arguments");
		cli_print_error(cli, &err);
		return RS_EUSAGE;
	}
	struct accounts *a;
	int rc = accounts_open(cli->ctx, false, &a, &err);
	if (rc) {
		cli_print_error(cli, &err);
		return rc;
	}
	const char *fmt = a->rev == SAM_KEY_RC4 ? "rc4" : "aes";
	if (cli->json) {
		printf("{\"sam_hash_format\":\"%s\",\"boot_key_opens_sam\":%s", fmt, a->key_ok ? "true" : "false");
		json_put_member(stdout, ",", "boot_key_problem", a->key_ok ? NULL : a->key_why);
		printf(",\"users\":[");
		for (size_t i = 0; i < a->n; i++) {
			if (i)
				putchar(',');
			user_json(&a->users[i]);
		}
		printf("]}\n");
	} else {
		printf("%-6s %-22s %-24s %-32s %-20s %s\n", "RID", "NAME", "FULL NAME", "FLAGS", "LAST LOGON",
		       "FAILED");
		for (size_t i = 0; i < a->n; i++) {
			const struct acct_user *u = &a->users[i];
			char flags[128], when[32];
			flags_text(u, flags, sizeof(flags));
			accounts_filetime(u->last_logon, when, sizeof(when));
			textesc_printf("%-6u %-22s %-24s %-32s %-20s %u\n", u->rid, u->name, column(u->fullname, 24),
			       flags, when, u->failed);
			if (u->microsoft)
				textesc_printf("       Microsoft account %s: its password lives online\n", u->internet_name);
		}
		textesc_printf("SAM hashes: %s; %s\n", a->rev == SAM_KEY_RC4 ? "RC4" : "AES",
		       a->key_ok ? "the boot key from SYSTEM opens them (blank is exact)"
				 : "the boot key does not open them: 'blank' means no hash stored");
		if (!a->key_ok && cli->verbose)
			textesc_printf("  (%s)\n", a->key_why);
	}
	accounts_close(a);
	return RS_OK;
}

/* One line of F (or stdin with "-"): the newline (and a CR before it) is not
 * part of the password.  RS_EUSAGE when there is none, when it is too long or
 * holds a NUL byte. */
static int read_password(const char *file, char *out, size_t outlen, struct rs_error *err)
{
	FILE *f = file ? fopen(file, "rb") : stdin;
	if (!f)
		return rs_fail_errno(err, RS_EUSAGE, errno, "--password-file %s", file);
	const char *src = file ? file : "stdin";
	size_t n = 0;
	int c = EOF;
	bool got = false;
	while ((c = getc(f)) != EOF) {
		got = true;
		if (c == '\n')
			break;
		if (c == '\0') {
			if (file)
				fclose(f);
			return rs_fail(err, RS_EUSAGE, "password from %s holds a NUL byte", src);
		}
		if (n + 1 >= outlen) {
			if (file)
				fclose(f);
			return rs_fail(err, RS_EUSAGE, "the password from %s is longer than %d characters "
				       "(Windows' limit); nothing written", src, SAM_PW_MAX);
		}
		out[n++] = (char)c;
	}
	if (file)
		fclose(f);
	if (!got)
		return rs_fail(err, RS_EUSAGE, "no password on %s (an empty password is an empty line)", src);
	if (n && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	return RS_OK;
}

int cmd_passwd(struct cli *cli, int argc, char **argv)
{
	struct rs_error err = { 0 };
	struct passwd_req req = { 0 };
	const char *user = NULL, *pwfile = NULL;
	bool pwstdin = false;
	char pw[4 * SAM_PW_MAX + 8];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--blank") == 0)
			req.blank = true;
		else if (strcmp(a, "--unlock") == 0)
			req.unlock = true;
		else if (strcmp(a, "--enable") == 0)
			req.enable = true;
		else if (strcmp(a, "--promote") == 0)
			req.promote = true;
		else if (strcmp(a, "--password-stdin") == 0)
			pwstdin = true;
		else if (strcmp(a, "--password-file") == 0 && i + 1 < argc)
			pwfile = argv[++i];
		else if (strncmp(a, "--password-file=", 16) == 0)
			pwfile = a + 16;
		else if (strcmp(a, "--password") == 0 || strncmp(a, "--password=", 11) == 0)
			rs_fail(&err, RS_EUSAGE, "a password is never taken from the command line: "
				"use --password-stdin or --password-file F");
		else if (a[0] == '-' && a[1] && !(a[1] >= '0' && a[1] <= '9'))
			rs_fail(&err, RS_EUSAGE, "passwd: unknown option %s", a);
		else if (!user)
			user = a;
		else
			rs_fail(&err, RS_EUSAGE, "passwd takes one USER (got '%s' and '%s')", user, a);
		if (err.code)
			break;
	}
	if (!err.code && !user)
		rs_fail(&err, RS_EUSAGE, "usage: rescue passwd USER [--blank | --password-stdin | --password-file F] "
			"[--unlock] [--enable] [--promote]");
	if (!err.code && (pwstdin + (pwfile != NULL) + req.blank) > 1)
		rs_fail(&err, RS_EUSAGE, "choose one of --blank, --password-stdin, --password-file");
	if (!err.code && !(pwstdin || pwfile || req.blank || req.unlock || req.enable || req.promote))
		rs_fail(&err, RS_EUSAGE, "passwd %s: nothing to do (--blank, --password-stdin, --password-file, "
			"--unlock, --enable, --promote)", user);
	if (!err.code && (pwstdin || pwfile) && read_password(pwfile, pw, sizeof(pw), &err) == RS_OK) {
		uint8_t probe[16];
		if (sam_nt_hash(pw, probe, &err) == RS_OK)
			req.password = pw;
		else
			snprintf(err.msg + strlen(err.msg), sizeof(err.msg) - strlen(err.msg), "; nothing written");
	}
	if (err.code) {
		cli_print_error(cli, &err);
		return err.code;
	}

	struct accounts *a;
	int rc = accounts_open(cli->ctx, true, &a, &err);
	if (rc) {
		cli_print_error(cli, &err);
		return rc;
	}
	const struct acct_user *u = accounts_find(a, user, &err);
	struct passwd_done done = { 0 };
	rc = u ? accounts_passwd(a, u->rid, &req, &done, &err) : err.code;
	memset(pw, 0, sizeof(pw));
	if (rc) {
		cli_print_error(cli, &err);
	} else if (cli->json) {
		json_put_member(stdout, "{", "user", u->name);
		printf(",\"rid\":%u,\"changes\":[", u->rid);
		for (size_t i = 0; i < done.n; i++) {
			if (i)
				putchar(',');
			json_put_str(stdout, done.what[i]);
		}
		printf("],\"values_written\":%zu}\n", done.changed);
	} else {
		textesc_printf("%s (RID %u):\n", u->name, u->rid);
		for (size_t i = 0; i < done.n; i++)
			textesc_printf("  %s\n", done.what[i]);
		if (done.changed)
			textesc_printf("SAM written (%zu change%s, journalled: `rescue undo passwd` puts them back)\n",
			       done.changed, done.changed == 1 ? "" : "s");
		else
			printf("nothing to change\n");
	}
	accounts_close(a);
	return rc;
}
