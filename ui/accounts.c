/* SPDX-License-Identifier: GPL-2.0-or-later */
/* accounts.c - Accounts: the local users of the installation's SAM
 * (hive/accounts.h) with their flags; on the selected user: blank the
 * password, set one (typed twice, never shown), unlock, enable, add to
 * Administrators.  Each edit asks once, then shows what the core did. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hive/accounts.h"
#include "ui/dialog.h"
#include "ui/draw.h"
#include "ui/list.h"
#include "ui/ui.h"

static struct accounts *acc;        /* read-only listing, reopened after each edit */
static char acc_error[512];
static struct ui_list list;

static void reload(struct ui *ui)
{
	accounts_close(acc);
	acc = NULL;
	acc_error[0] = '\0';
	struct rs_error err = { 0 };
	if (accounts_open(ui->ctx, false, &acc, &err) != RS_OK) {
		acc = NULL;
		snprintf(acc_error, sizeof(acc_error), "%s", err.msg);
		ui_logf(ui, "accounts: %s", err.msg);
	}
	ui_list_set_n(&list, acc ? acc->n : 0);
}

/* The flags of U as coloured words from X on row Y, at most W columns. */
static void draw_flags(const struct acct_user *u, int y, int x, int w, bool sel)
{
	static const struct {
		const char *word;
		enum ui_attr attr;
	} words[] = {
		{ "disabled", UA_WARN }, { "locked", UA_BAD }, { "admin", UA_OK },
		{ "blank", UA_WARN }, { "password", UA_NORMAL }, { "microsoft", UA_WARN },
	};
	const bool on[] = { u->disabled, u->locked, u->admin, u->blank, u->has_password, u->microsoft };
	int used = 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!on[i])
			continue;
		int ww = (int)strlen(words[i].word) + 1;
		if (used + ww > w)
			break;
		draw_field(y, x + used, ww, sel ? UA_SELECTED : words[i].attr, words[i].word);
		used += ww;
	}
	if (used < w)
		draw_field(y, x + used, w - used, sel ? UA_SELECTED : UA_NORMAL, used ? "" : "-");
}

static void row_draw(void *data, size_t i, int y, int x, int w, bool sel)
{
	(void)data;
	const struct acct_user *u = &acc->users[i];
	enum ui_attr base = sel ? UA_SELECTED : UA_NORMAL;
	char rid[16];
	snprintf(rid, sizeof(rid), "%u", u->rid);
	int nw = w >= 120 ? 30 : 22, fw = w >= 120 ? 30 : 0;
	draw_field(y, x, 7, base, rid);
	draw_field(y, x + 7, nw, base, u->name);
	if (fw)
		draw_field(y, x + 7 + nw, fw, base, u->fullname[0] ? u->fullname : "-");
	draw_flags(u, y, x + 7 + nw + fw, w - (7 + nw + fw), sel);
}

static void accounts_init(struct ui *ui)
{
	list.draw_row = row_draw;
	reload(ui);
}

static void accounts_draw(struct ui *ui, int y, int x, int h, int w)
{
	(void)ui;
	draw_field(y, x, w, UA_HEADING, "Accounts: local users of this installation");
	if (!acc) {
		draw_field(y + 2, x + 2, w - 4, UA_BAD, "Cannot read the accounts:");
		draw_text(y + 3, x + 2, w - 4, acc_error);
		return;
	}
	char head[160];
	int nw = w >= 120 ? 30 : 22;
	if (w >= 120)
		snprintf(head, sizeof(head), "%-7s%-*s%-30s%s", "RID", nw, "NAME", "FULL NAME", "FLAGS");
	else
		snprintf(head, sizeof(head), "%-7s%-*s%s", "RID", nw, "NAME", "FLAGS");
	draw_field(y + 1, x, w, UA_DIM, head);
	int lh = h - 8;
	if (lh > (int)acc->n)
		lh = (int)acc->n;
	if (lh < 1)
		lh = 1;
	ui_list_draw(&list, y + 2, x, lh, w);
	int dy = y + 3 + lh;
	if (acc->n) {
		const struct acct_user *u = &acc->users[list.cur];
		char line[1200], when[32];
		accounts_filetime(u->last_logon, when, sizeof(when));
		snprintf(line, sizeof(line), "%s%s%s: last logon %s, %u logons, %u failed", u->name,
			 u->fullname[0] ? " - " : "", u->fullname, when, u->logons, u->failed);
		draw_text(dy++, x, w, line);
		if (u->microsoft) {
			snprintf(line, sizeof(line), "Microsoft account %s: its password lives online.", u->internet_name);
			draw_field(dy++, x, w, UA_WARN, line);
			draw_field(dy++, x, w, UA_WARN,
				   "Advice: enable the built-in Administrator (RID 500) and set its password instead.");
		}
	}
	/* whether setting a password can work at all on this SAM */
	char key[700];
	snprintf(key, sizeof(key), "SAM hashes: %s; %s", acc->rev == SAM_KEY_RC4 ? "RC4" : "AES",
		 acc->key_ok ? "the boot key opens them: passwords can be set"
			     : "the boot key does not open them: setting a password is refused");
	draw_field(dy, x, w, acc->key_ok ? UA_DIM : UA_WARN, key);
}

struct action {
	int key;
	const char *verb;           /* for the question: "Blank the password of" */
	struct passwd_req req;
};

static const struct action actions[] = {
	{ 'b', "Blank the password of", { .blank = true } },
	{ 'p', "Set a new password for", { 0 } },
	{ 'l', "Unlock", { .unlock = true } },
	{ 'e', "Enable", { .enable = true } },
	{ 'a', "Add to Administrators:", { .promote = true } },
};

/* Ask twice without echo; false (and a status line) when cancelled or the
 * two differ. */
static bool ask_password(struct ui *ui, const char *name, char *pw, size_t pwlen)
{
	char again[4 * SAM_PW_MAX + 8];
	char prompt[600];
	snprintf(prompt, sizeof(prompt), "New password for %s:", name);
	if (!dlg_secret(ui, "Password", prompt, pw, pwlen)) {
		ui_status(ui, false, "Nothing changed");
		return false;
	}
	bool same = dlg_secret(ui, "Password", "The same password again:", again, sizeof(again)) &&
		    strcmp(pw, again) == 0;
	memset(again, 0, sizeof(again));
	if (!same) {
		memset(pw, 0, pwlen);
		dlg_message(ui, "Password", "The two passwords differ (or one was cancelled): nothing changed.");
		return false;
	}
	return true;
}

static void run_action(struct ui *ui, const struct action *act)
{
	if (!acc || acc->n == 0)
		return;
	const struct acct_user *u = &acc->users[list.cur];
	uint32_t rid = u->rid;
	char name[512];
	snprintf(name, sizeof(name), "%s", u->name);
	struct passwd_req req = act->req;
	char pw[4 * SAM_PW_MAX + 8] = "";
	if (act->key == 'p') {
		if (!ask_password(ui, name, pw, sizeof(pw)))
			return;
		req.password = pw;
	}
	char q[1200];
	snprintf(q, sizeof(q), "%s %s (RID %u)\non %s?%s", act->verb, name, rid,
		 ui->target.info.computer[0] ? ui->target.info.computer : ui->target.root,
		 u->microsoft && (req.blank || req.password)
			 ? "\n\nThis is a Microsoft account: its password lives online.\n"
			   "Enabling the built-in Administrator is the way in."
			 : "");
	if (!dlg_confirm(ui, "Account", q)) {
		memset(pw, 0, sizeof(pw));
		ui_status(ui, false, "Nothing changed");
		return;
	}
	struct accounts *w;
	struct passwd_done done = { 0 };
	struct rs_error err = { 0 };
	int rc = accounts_open(ui->ctx, true, &w, &err);
	if (rc == RS_OK) {
		rc = accounts_passwd(w, rid, &req, &done, &err);
		accounts_close(w);
	}
	memset(pw, 0, sizeof(pw));
	struct report_account ra = { .rid = rid, .ok = rc == RS_OK };
	snprintf(ra.name, sizeof(ra.name), "%s", name);
	if (rc) {
		snprintf(ra.done, sizeof(ra.done), "%s", err.msg);
		ui_step(ui, "passwd", rc == RS_EUSAGE || rc == RS_ETARGET ? STEP_REFUSED : STEP_FAILED, "%s (%u): %s",
			name, rid, err.msg);
		if (ui->have_report)
			report_add_account(&ui->report, &ra);
		dlg_message(ui, "Nothing changed", err.msg);
		reload(ui);
		return;
	}
	char *lines[PASSWD_MAX_DONE];
	size_t o = 0;
	for (size_t i = 0; i < done.n; i++) {
		lines[i] = done.what[i];
		o += (size_t)snprintf(ra.done + o, o < sizeof(ra.done) ? sizeof(ra.done) - o : 0, "%s%s",
				      i ? "; " : "", done.what[i]);
	}
	ui_step(ui, "passwd", done.changed ? STEP_CHANGED : STEP_OK, "%s (%u): %s", name, rid, ra.done);
	if (ui->have_report) {
		report_add_account(&ui->report, &ra);
		if (done.changed && (req.blank || req.password))
			ui->report.password_reset = true;
	}
	dlg_lines(ui, name, lines, done.n);
	reload(ui);
	ui_status(ui, false, "%s: %zu value%s written", name, done.changed, done.changed == 1 ? "" : "s");
}

static bool accounts_key(struct ui *ui, int ch)
{
	if (ch == 'r' || ch == KEY_F(5)) {
		reload(ui);
		return true;
	}
	if (!acc)
		return false;
	if (ui_list_key(&list, ch))
		return true;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (ch == actions[i].key) {
			run_action(ui, &actions[i]);
			return true;
		}
	return false;
}

static void accounts_fini(struct ui *ui)
{
	(void)ui;
	accounts_close(acc);
	acc = NULL;
}

static const struct ui_key accounts_keys[] = {
	{ "F1", "Help" }, { "b", "Blank" }, { "p", "Password" }, { "l", "Unlock" }, { "e", "Enable" },
	{ "a", "Admin" }, { "Esc", "Back" }, { "F10", "Quit" }, { NULL, NULL },
};

const struct ui_screen ui_accounts_screen = {
	.title = "Accounts",
	.keys = accounts_keys,
	.help = "The local accounts of this installation (its SAM) and their flags:\n"
		"disabled, locked, admin, blank (no password), password, microsoft.\n"
		"On the selected account:\n"
		"  b  blank its password        p  set a new one (typed twice, not shown)\n"
		"  l  unlock it (clear the lockout and the failed count)\n"
		"  e  enable it                 a  add it to Administrators\n"
		"Each asks once; `rescue undo passwd` puts the old values back.\n"
		"A Microsoft account's password lives online: enable the built-in\n"
		"Administrator instead.",
	.needs_target = true,
	.init = accounts_init,
	.draw = accounts_draw,
	.key = accounts_key,
	.fini = accounts_fini,
};
