/* SPDX-License-Identifier: GPL-2.0-or-later */
/* accounts.c - local accounts through the hive layer; see accounts.h. */
#include "hive/accounts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "hive/hive.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/utf16.h"

#define KEY_ADMINS  SAM_KEY_ALIASES "\\00000220"
#define KEY_MEMBERS SAM_KEY_ALIASES "\\Members"
#define FILETIME_1970 116444736000000000ULL   /* 1970-01-01 in 100 ns ticks since 1601 */
#define SYSTEM_MAX  (512u << 20)     /* largest SYSTEM hive read whole for the boot key */

static void user_key(uint32_t rid, char *out, size_t outlen)
{
	snprintf(out, outlen, SAM_KEY_USERS "\\%08X", rid);
}

/* The boot key: class names of CCS\Control\Lsa\{JD,Skew1,GBG,Data}.  libhivex
 * cannot read class names, so regf_nk_class reads them from the file bytes
 * at the nodes libhivex found. */
static int read_bootkey(struct rs_ctx *ctx, uint8_t key[16], struct rs_error *err)
{
	struct hive *sys;
	int rc = hive_open(ctx, HIVE_SYSTEM, 0, &sys, err);
	if (rc)
		return rc;
	uint8_t *bytes = NULL;
	size_t len = 0;
	if (file_read_all(hive_file(sys), SYSTEM_MAX, &bytes, &len) != 0) {
		rc = rs_fail_errno(err, RS_ETARGET, errno, "%s", hive_rel(sys));
		hive_close(sys);
		return rc;
	}
	char cls[4][64];
	const char *c[4];
	for (int i = 0; i < 4 && rc == RS_OK; i++) {
		char path[64];
		snprintf(path, sizeof(path), "CCS\\Control\\Lsa\\%s", sam_bootkey_keys[i]);
		hive_node_h n = hive_lookup(sys, path);
		if (!n)
			rc = rs_fail(err, RS_ETARGET, "SYSTEM has no %s: no boot key", path);
		else
			rc = regf_nk_class(bytes, len, n, cls[i], sizeof(cls[i]), err);
		c[i] = cls[i];
	}
	if (rc == RS_OK)
		rc = sam_bootkey_from_classes(c, key, err);
	free(bytes);
	hive_close(sys);
	return rc;
}

/* Whole value KEY\NAME into OUT; RS_ETARGET naming it when absent. */
static int need_value(struct hive *h, const char *key, const char *name, struct reg_value *out,
		      struct rs_error *err)
{
	int rc = hive_get(h, key, name, out, err);
	if (rc)
		return rc;
	if (!out->present)
		return rs_fail(err, RS_ETARGET, "SAM: %s\\%s is missing", key, name);
	return RS_OK;
}

static int user_sid(const struct accounts *a, uint32_t rid, uint8_t sid[SAM_USER_SID_LEN])
{
	if (!a->have_sid)
		return -1;
	sam_user_sid(a->domsid, rid, sid);
	return 0;
}

static int read_user(struct accounts *a, uint32_t rid, const struct reg_value *admins,
		     struct acct_user *u, struct rs_error *err)
{
	char key[128];
	struct reg_value f = { 0 }, v = { 0 }, msa = { 0 };
	struct sam_user_f uf;
	struct sam_user_v uv;
	struct rs_error sub;
	user_key(rid, key, sizeof(key));
	memset(u, 0, sizeof(*u));
	u->rid = rid;
	int rc = need_value(a->sam, key, "F", &f, err);
	if (!rc)
		rc = need_value(a->sam, key, "V", &v, err);
	if (!rc && (rc = sam_f_parse(f.data, f.len, &uf, &sub)))
		rs_fail(err, rc, "SAM account %08X: %s", rid, sub.msg);
	if (!rc && (rc = sam_v_parse(v.data, v.len, &uv, &sub)))
		rs_fail(err, rc, "SAM account %08X: %s", rid, sub.msg);
	if (rc)
		goto out;
	snprintf(u->name, sizeof(u->name), "%s", uv.name);
	snprintf(u->fullname, sizeof(u->fullname), "%s", uv.fullname);
	u->acb = uf.acb;
	u->failed = uf.failed;
	u->logons = uf.logons;
	u->last_logon = uf.last_logon;
	u->disabled = uf.acb & SAM_ACB_DISABLED;
	u->locked = uf.acb & SAM_ACB_LOCKED;
	u->nt_fmt = uv.nt_fmt;
	if (hive_get(a->sam, key, SAM_VALUE_MSA, &msa, &sub) == RS_OK && msa.present) {
		char *s = utf16le_to_utf8(msa.data, msa.len);
		snprintf(u->internet_name, sizeof(u->internet_name), "%s", s && *s ? s : "(unnamed)");
		free(s);
		u->microsoft = true;
	}
	if (uv.nt_fmt == SAM_HASH_NONE || uv.nt_fmt == SAM_HASH_EMPTY) {
		u->blank = true;
	} else {
		uint8_t nt[16], empty[16];
		u->has_password = true;
		if (a->key_ok && sam_hash_decrypt(&a->key, rid, true, v.data + uv.nt_off, uv.nt_len, nt, &sub) == RS_OK &&
		    sam_nt_hash("", empty, &sub) == RS_OK && memcmp(nt, empty, 16) == 0) {
			u->blank = true;
			u->has_password = false;
		}
	}
	uint8_t sid[SAM_USER_SID_LEN];
	bool member = false;
	if (admins->present && user_sid(a, rid, sid) == 0 &&
	    sam_c_has_member(admins->data, admins->len, sid, sizeof(sid), &member, &sub) == RS_OK)
		u->admin = member;
out:
	reg_value_free(&f);
	reg_value_free(&v);
	reg_value_free(&msa);
	return rc;
}

/* RID from an 8-hex-digit key name; -1 for anything else (Names). */
static long rid_of(const char *name)
{
	if (strlen(name) != 8 || strspn(name, "0123456789abcdefABCDEF") != 8)
		return -1;
	return strtol(name, NULL, 16);
}

static int cmp_rid(const void *x, const void *y)
{
	const struct acct_user *a = x, *b = y;
	return a->rid < b->rid ? -1 : a->rid > b->rid;
}

static int load_users(struct accounts *a, struct rs_error *err)
{
	hive_h *hx = hive_handle(a->sam);
	hive_node_h users = hive_lookup(a->sam, SAM_KEY_USERS);
	if (!users)
		return rs_fail(err, RS_ETARGET, "SAM has no %s: not a SAM hive, or damaged", SAM_KEY_USERS);
	hive_node_h *kids = hivex_node_children(hx, users);
	if (!kids)
		return rs_fail_errno(err, RS_ETARGET, errno, "SAM: cannot list %s", SAM_KEY_USERS);
	size_t nk = 0;
	while (kids[nk])
		nk++;
	a->users = calloc(nk ? nk : 1, sizeof(*a->users));
	if (!a->users) {
		free(kids);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	struct reg_value admins = { 0 };
	struct rs_error sub;
	hive_get(a->sam, KEY_ADMINS, "C", &admins, &sub);
	int rc = RS_OK;
	for (size_t i = 0; i < nk && rc == RS_OK; i++) {
		char *name = hivex_node_name(hx, kids[i]);
		long rid = name ? rid_of(name) : -1;
		free(name);
		if (rid < 0)
			continue;
		rc = read_user(a, (uint32_t)rid, &admins, &a->users[a->n], err);
		if (rc == RS_OK)
			a->n++;
	}
	reg_value_free(&admins);
	free(kids);
	if (rc)
		return rc;
	qsort(a->users, a->n, sizeof(*a->users), cmp_rid);

	/* Names\<name>: the type of its default value is the RID.  A name there
	 * fills an account whose V holds none. */
	hive_node_h names = hive_lookup(a->sam, SAM_KEY_USERS "\\Names");
	hive_node_h *nn = names ? hivex_node_children(hx, names) : NULL;
	for (size_t i = 0; nn && nn[i]; i++) {
		hive_value_h dv = hivex_node_get_value(hx, nn[i], "");
		hive_type t;
		size_t len;
		if (!dv || hivex_value_type(hx, dv, &t, &len) != 0)
			continue;
		for (size_t j = 0; j < a->n; j++)
			if (a->users[j].rid == (uint32_t)t && !a->users[j].name[0]) {
				char *s = hivex_node_name(hx, nn[i]);
				snprintf(a->users[j].name, sizeof(a->users[j].name), "%s", s ? s : "");
				free(s);
			}
	}
	free(nn);
	return RS_OK;
}

int accounts_open(struct rs_ctx *ctx, bool write, struct accounts **out, struct rs_error *err)
{
	struct accounts *a = calloc(1, sizeof(*a));
	if (!a)
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	a->ctx = ctx;
	int rc = hive_open(ctx, HIVE_SAM, write ? HIVE_WRITE : 0, &a->sam, err);
	if (rc) {
		free(a);
		return rc;
	}
	struct reg_value df = { 0 }, av = { 0 };
	struct rs_error sub;
	rc = need_value(a->sam, SAM_KEY_ACCOUNT, "F", &df, err);
	if (!rc && (rc = sam_domain_rev(df.data, df.len, &a->rev, &sub)))
		rs_fail(err, rc, "SAM: %s", sub.msg);
	if (!rc) {
		uint8_t bootkey[16];
		if (read_bootkey(ctx, bootkey, &sub) == RS_OK &&
		    sam_domain_key(df.data, df.len, bootkey, &a->key, &sub) == RS_OK)
			a->key_ok = true;
		else
			snprintf(a->key_why, sizeof(a->key_why), "%s", sub.msg);
		if (hive_get(a->sam, SAM_KEY_ACCOUNT, "V", &av, &sub) == RS_OK && av.present &&
		    sam_domain_sid(av.data, av.len, a->domsid, &sub) == RS_OK)
			a->have_sid = true;
		rc = load_users(a, err);
	}
	reg_value_free(&df);
	reg_value_free(&av);
	if (rc) {
		accounts_close(a);
		return rc;
	}
	*out = a;
	return RS_OK;
}

void accounts_close(struct accounts *a)
{
	if (!a)
		return;
	hive_close(a->sam);
	free(a->users);
	free(a);
}

/* Upper-case letters local account names are written in (Latin-1, Latin
 * Extended-A, Greek, Cyrillic: "Järjestelmänvalvoja", "Администратор") and
 * their lower case, without depending on a locale the rescue system may not
 * have.  DELTA: lower = upper + DELTA; 0: the range alternates, an upper
 * case letter at FIRST, FIRST + 2, ... with its lower case right after it. */
static const struct fold_range {
	uint32_t first, last, delta;
} fold_ranges[] = {
	{ 'A', 'Z', 0x20 },             /* Basic Latin */
	{ 0xC0, 0xD6, 0x20 },           /* Latin-1 A-grave .. O-diaeresis */
	{ 0xD8, 0xDE, 0x20 },           /* Latin-1 O-stroke .. Thorn (0xD7 is the multiplication sign) */
	{ 0x100, 0x12F, 0 },            /* Latin Extended-A pairs, up to i-ogonek */
	{ 0x132, 0x137, 0 },            /* IJ .. k-cedilla (0x130/0x131: dotted and dotless I stay) */
	{ 0x139, 0x148, 0 },            /* L-acute .. n-caron (0x138 kra has no upper case) */
	{ 0x14A, 0x177, 0 },            /* Eng .. y-circumflex (0x149 has no upper case) */
	{ 0x179, 0x17E, 0 },            /* Z-acute .. z-caron (0x178 Y-diaeresis stays, 0x17F long s) */
	{ 0x391, 0x3A1, 0x20 },         /* Greek Alpha .. Rho */
	{ 0x3A3, 0x3AB, 0x20 },         /* Greek Sigma .. Upsilon-dialytika (0x3A2 unassigned) */
	{ 0x400, 0x40F, 0x50 },         /* Cyrillic Ie-grave .. Dzhe */
	{ 0x410, 0x42F, 0x20 },         /* Cyrillic A .. Ya */
};

static uint32_t fold(uint32_t c)
{
	for (size_t i = 0; i < sizeof(fold_ranges) / sizeof(fold_ranges[0]); i++) {
		const struct fold_range *r = &fold_ranges[i];
		if (c < r->first || c > r->last)
			continue;
		if (r->delta)
			return c + r->delta;
		return (c - r->first) % 2 == 0 ? c + 1 : c;
	}
	return c;
}

/* Case-insensitive equality of two UTF-8 names, through UTF-16. */
static bool name_equal(const char *x, const char *y)
{
	uint8_t *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	bool eq = false;
	if (utf8_to_utf16le(x, &a, &na) == 0 && utf8_to_utf16le(y, &b, &nb) == 0 && na == nb) {
		eq = true;
		for (size_t i = 0; eq && i + 1 < na; i += 2)
			eq = fold((uint32_t)(a[i] | a[i + 1] << 8)) == fold((uint32_t)(b[i] | b[i + 1] << 8));
	}
	free(a);
	free(b);
	return eq;
}

const struct acct_user *accounts_find(const struct accounts *a, const char *user, struct rs_error *err)
{
	errno = 0;
	/* decimal or 0x-hex (a leading 0 is not octal here); a name made of
	 * digits still matches when no RID does */
	bool hex = user[0] == '0' && (user[1] == 'x' || user[1] == 'X');
	const char *digits = hex ? user + 2 : user;
	bool numeric = *digits && strspn(digits, hex ? "0123456789abcdefABCDEF" : "0123456789") == strlen(digits);
	unsigned long rid = numeric ? strtoul(digits, NULL, hex ? 16 : 10) : 0;
	for (size_t i = 0; numeric && errno == 0 && i < a->n; i++)
		if (a->users[i].rid == rid)
			return &a->users[i];
	for (size_t i = 0; i < a->n; i++)
		if (name_equal(a->users[i].name, user))
			return &a->users[i];
	rs_fail(err, RS_EUSAGE, "no account '%s' in the SAM (see `rescue users`)", user);
	return NULL;
}

void accounts_filetime(uint64_t ft, char *out, size_t outlen)
{
	/* FILETIME: 100 ns ticks since 1601-01-01. */
	const uint64_t epoch = FILETIME_1970;
	if (ft == 0 || ft < epoch || ft == UINT64_MAX) {
		snprintf(out, outlen, "never");
		return;
	}
	time_t t = (time_t)((ft - epoch) / 10000000ULL);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, outlen, "unknown");
}

static void say(struct passwd_done *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct passwd_done *d, const char *fmt, ...)
{
	if (d->n >= PASSWD_MAX_DONE)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->what[d->n++], sizeof(d->what[0]), fmt, ap);
	va_end(ap);
}

/* The header's first field for a new entry: the account's own, when one of
 * its entries is already in this format, else what the real SAMs hold. */
static uint16_t pek_id(const uint8_t *v, const struct sam_user_v *uv, enum sam_key_rev rev)
{
	const uint32_t off[2] = { uv->nt_off, uv->lm_off }, len[2] = { uv->nt_len, uv->lm_len };
	for (int i = 0; i < 2; i++)
		if (len[i] >= 4 && (unsigned)(v[off[i] + 2] | v[off[i] + 3] << 8) == (unsigned)rev)
			return (uint16_t)(v[off[i]] | v[off[i] + 1] << 8);
	return rev == SAM_KEY_RC4 ? 1 : 2;
}

/* New V for REQ (blank or set); *nv is NULL when V stays as it is. */
static int new_v(struct accounts *a, uint32_t rid, const struct reg_value *v, const struct passwd_req *req,
		 uint8_t **nv, size_t *nvl, struct passwd_done *done, struct rs_error *err)
{
	struct sam_user_v uv;
	uint8_t *tmp = NULL;
	size_t tl;
	int rc = sam_v_parse(v->data, v->len, &uv, err);
	*nv = NULL;
	if (rc)
		return rc;
	bool lm_hash = uv.lm_fmt != SAM_HASH_NONE && uv.lm_fmt != SAM_HASH_EMPTY;
	if (req->blank) {
		if (uv.nt_fmt == SAM_HASH_NONE && uv.lm_fmt == SAM_HASH_NONE) {
			say(done, "password already blank (no hash entries)");
			return RS_OK;
		}
		rc = sam_v_set_entry(v->data, v->len, SAM_V_LM, NULL, 0, &tmp, &tl, err);
		if (!rc)
			rc = sam_v_set_entry(tmp, tl, SAM_V_NT, NULL, 0, nv, nvl, err);
		free(tmp);
		if (!rc)
			say(done, "password blanked (LM and NT hash entries emptied, as chntpw does)");
		return rc;
	}
	uint8_t nt[16], ent[SAM_HASH_AES_LEN], salt[16] = { 0 };
	if ((rc = sam_nt_hash(req->password, nt, err)))
		return rc;
	if (a->key.rev == SAM_KEY_AES && getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt))
		return rs_fail_errno(err, RS_EPARTIAL, errno, "no random salt");
	size_t el = sam_hash_encrypt(&a->key, rid, true, nt, pek_id(v->data, &uv, a->key.rev), salt, ent);
	rc = sam_v_set_entry(v->data, v->len, SAM_V_NT, ent, el, &tmp, &tl, err);
	if (!rc && lm_hash)     /* an LM hash of the old password must not survive it */
		rc = sam_v_set_entry(tmp, tl, SAM_V_LM, NULL, 0, nv, nvl, err);
	else if (!rc) {
		*nv = tmp;
		*nvl = tl;
		tmp = NULL;
	}
	free(tmp);
	if (!rc)
		say(done, "password set (%s NT hash%s%s)", a->key.rev == SAM_KEY_RC4 ? "RC4" : "AES",
		    uv.nt_fmt == SAM_HASH_NONE || uv.nt_fmt == SAM_HASH_EMPTY ? ", new hash entry" : "",
		    lm_hash ? "; old LM hash removed" : "");
	return rc;
}

/* Add RID to Administrators: its SID in the alias C value, and 0x220 in the
 * reverse map Members\<domain SID>\<RID> (whose default value's type counts
 * the alias RIDs in its data: read from the real SAMs; chntpw -l reads it). */
static int promote(struct accounts *a, const struct acct_user *u, struct passwd_done *done,
		   struct rs_error *err)
{
	uint8_t sid[SAM_USER_SID_LEN];
	char sidstr[128], key[256];
	struct reg_value c = { 0 }, m = { 0 };
	struct rs_error sub;
	bool member = false, changed = false;
	if (user_sid(a, u->rid, sid) != 0)
		return rs_fail(err, RS_ETARGET, "SAM: the machine SID is unreadable; cannot add to Administrators");
	int rc = need_value(a->sam, KEY_ADMINS, "C", &c, err);
	if (!rc && (rc = sam_c_has_member(c.data, c.len, sid, sizeof(sid), &member, &sub)))
		rs_fail(err, rc, "SAM Administrators: %s", sub.msg);
	if (!rc && !member) {
		uint8_t *nc;
		size_t ncl;
		if ((rc = sam_c_add_member(c.data, c.len, sid, sizeof(sid), &nc, &ncl, &sub)))
			rs_fail(err, rc, "SAM Administrators: %s", sub.msg);
		else {
			rc = hive_set(a->sam, ACCOUNTS_ITEM, KEY_ADMINS, "C", c.type, nc, ncl, err);
			free(nc);
			changed = true;
		}
	}
	sam_sid_string(a->domsid, sizeof(a->domsid), sidstr, sizeof(sidstr));
	snprintf(key, sizeof(key), KEY_MEMBERS "\\%s\\%08X", sidstr, u->rid);
	bool new_key = !hive_lookup(a->sam, key);
	if (!rc)
		rc = hive_get(a->sam, key, "", &m, err);
	if (!rc && new_key) {
		/* Members\<SID>'s default value type counts its RID subkeys (as
		 * in every real SAM here); a new subkey adds one. */
		char sidkey[192];
		struct reg_value sk = { 0 };
		snprintf(sidkey, sizeof(sidkey), KEY_MEMBERS "\\%s", sidstr);
		rc = hive_get(a->sam, sidkey, "", &sk, err);
		if (!rc)
			rc = hive_set(a->sam, ACCOUNTS_ITEM, sidkey, "", sk.present ? sk.type + 1 : 1,
				      sk.present ? sk.data : (const uint8_t *)"", sk.present ? sk.len : 0, err);
		reg_value_free(&sk);
	}
	if (!rc) {
		size_t n = m.present ? m.len / 4 : 0;
		bool listed = false;
		for (size_t i = 0; i < n; i++)
			if ((m.data[4 * i] | m.data[4 * i + 1] << 8 | m.data[4 * i + 2] << 16 |
			     (uint32_t)m.data[4 * i + 3] << 24) == SAM_RID_ADMINS)
				listed = true;
		if (!listed) {
			uint8_t *d = malloc(4 * n + 4);
			if (!d) {
				rc = rs_fail(err, RS_EPARTIAL, "out of memory");
			} else {
				if (n)
					memcpy(d, m.data, 4 * n);
				d[4 * n] = SAM_RID_ADMINS & 0xFF;
				d[4 * n + 1] = SAM_RID_ADMINS >> 8;
				d[4 * n + 2] = d[4 * n + 3] = 0;
				rc = hive_set(a->sam, ACCOUNTS_ITEM, key, "", (uint32_t)(n + 1), d, 4 * n + 4, err);
				free(d);
				changed = true;
			}
		}
	}
	if (!rc)
		say(done, changed ? "added to Administrators" : "already in Administrators");
	reg_value_free(&c);
	reg_value_free(&m);
	return rc;
}

/* After a failed change, edits recorded in libhivex's memory must not ride
 * along with the next account's commit: the hive layer has no discard, so
 * the SAM is reopened from the file (which the failure left as it was). */
static void drop_pending(struct accounts *a)
{
	if (hive_pending(a->sam) == 0)
		return;
	struct rs_error sub;
	hive_close(a->sam);
	a->sam = NULL;
	if (hive_open(a->ctx, HIVE_SAM, HIVE_WRITE, &a->sam, &sub) != RS_OK) {
		a->sam = NULL;
		snprintf(a->lost_why, sizeof(a->lost_why), "%s", sub.msg);
	}
}

/* Read account I again after a commit, so callers see what was written. */
static void refresh_user(struct accounts *a, size_t i)
{
	struct reg_value admins = { 0 };
	struct acct_user fresh;
	struct rs_error sub;
	hive_get(a->sam, KEY_ADMINS, "C", &admins, &sub);
	if (read_user(a, a->users[i].rid, &admins, &fresh, &sub) == RS_OK)
		a->users[i] = fresh;
	reg_value_free(&admins);
}

int accounts_passwd(struct accounts *a, uint32_t rid, const struct passwd_req *req,
		    struct passwd_done *done, struct rs_error *err)
{
	const struct acct_user *u = NULL;
	memset(done, 0, sizeof(*done));
	if (!a->sam)
		return rs_fail(err, RS_ETARGET, "the SAM could not be reopened after a failed change: %s", a->lost_why);
	for (size_t i = 0; i < a->n; i++)
		if (a->users[i].rid == rid)
			u = &a->users[i];
	if (!u)
		return rs_fail(err, RS_EUSAGE, "no account with RID %u", rid);
	if (req->blank && req->password)
		return rs_fail(err, RS_EUSAGE, "--blank and a new password exclude each other");
	if (u->microsoft && (req->blank || req->password))
		return rs_fail(err, RS_EUSAGE, "%s is a Microsoft account (%s): its password lives online and a "
			       "password set here is not the one Windows asks for; instead enable the built-in "
			       "Administrator and give it a password: rescue passwd Administrator --enable "
			       "--password-stdin", u->name, u->internet_name);
	if (req->password && !a->key_ok)
		return rs_fail(err, RS_ETARGET, "cannot set a password: %s; --blank, --unlock, --enable and "
			       "--promote still work", a->key_why);
	uint8_t probe[16];
	int rc;
	if (req->password && (rc = sam_nt_hash(req->password, probe, err)))
		return rc;

	char key[128];
	struct reg_value f = { 0 }, v = { 0 };
	uint8_t *nv = NULL;
	size_t nvl = 0;
	user_key(rid, key, sizeof(key));
	rc = need_value(a->sam, key, "F", &f, err);
	if (!rc)
		rc = need_value(a->sam, key, "V", &v, err);
	if (!rc && (req->blank || req->password))
		rc = new_v(a, rid, &v, req, &nv, &nvl, done, err);
	if (!rc && nv)
		rc = hive_set(a->sam, ACCOUNTS_ITEM, key, "V", v.type, nv, nvl, err);
	/* A new password is set now, as Windows records it: with the old date
	 * an expired maximum password age would demand a change at logon. */
	if (!rc && (req->unlock || req->enable || req->password)) {
		uint16_t acb = u->acb, failed = u->failed;
		if (req->unlock) {
			acb &= (uint16_t)~SAM_ACB_LOCKED;
			failed = 0;
			if (acb == u->acb && failed == u->failed)
				say(done, "already unlocked (no lock flag, no failed logons)");
			else
				say(done, "unlocked (lock flag %s, failed logons %u -> 0)",
				    u->locked ? "cleared" : "was not set", u->failed);
		}
		if (req->enable) {
			acb &= (uint16_t)~SAM_ACB_DISABLED;
			say(done, u->disabled ? "enabled" : "already enabled");
		}
		struct rs_error sub;
		uint64_t now = req->password ? (uint64_t)time(NULL) * 10000000ULL + FILETIME_1970 : 0;
		if ((rc = sam_f_update(f.data, f.len, acb, failed, now, &sub)))
			rs_fail(err, rc, "SAM account %08X: %s", rid, sub.msg);
		else
			rc = hive_set(a->sam, ACCOUNTS_ITEM, key, "F", f.type, f.data, f.len, err);
	}
	if (!rc && req->promote)
		rc = promote(a, u, done, err);
	done->changed = hive_pending(a->sam);
	if (!rc)
		rc = hive_commit(a->sam, err);
	free(nv);
	reg_value_free(&f);
	reg_value_free(&v);
	if (rc)
		drop_pending(a);
	else
		refresh_user(a, (size_t)(u - a->users));
	return rc;
}
