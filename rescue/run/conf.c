/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/run/conf.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "hive/contain.h"
#include "rescue/base/fileutil.h"
#include "rescue/scan/ioc.h"

/* The one list of keys.  def NULL: read by the boot image's /init, accepted
 * here and not used. */
const struct conf_key conf_keys[] = {
	{ "mode", "auto",
	  "auto: contain, reset passwords, scan and quarantine; report: change nothing at all (volumes read-only), "
	  "scan and write the report to the RESCUE partition only" },
	{ "report_only", "no", "yes is the same as mode = report (set by the boot image's report-only entry)" },
	{ "contain", "all",
	  "containment items to apply: all, none, or a list of autorun tasks restore shares hosts firewall firewall-policy" },
	{ "accounts", "admins",
	  "accounts whose password is reset: none, admins (every enabled local administrator; the built-in "
	  "Administrator when there is none), or a list of names and RIDs; a Microsoft account is replaced by "
	  "the built-in Administrator" },
	{ "password", "",
	  "the new password; empty blanks it (Server 2019/2022 need a real password). Stored in clear on the stick" },
	{ "unlock", "yes", "clear the locked-out flag and the failed-logon count of those accounts" },
	{ "enable", "yes", "enable those accounts when disabled" },
	{ "scan", "quarantine", "quarantine: scan and quarantine detections; report: scan only; off: no scan" },
	{ "autoruns", "flagged",
	  "after the scan, disable autostart entries (Run keys, services, tasks, Startup...) that start a detected "
	  "file, or (flagged) a random-named file in a user-writable folder; detected: only the former; off" },
	{ "repair_permissions", "yes",
	  "before the scan, reset the owner and remove Deny entries the worm put on the security products' folders "
	  "(Windows Defender, common antivirus): Windows' default descriptor, the old one kept in the journal "
	  "(`rescue undo permissions`); needs an ntfs-3g mount" },
	{ "threads", "0", "scanner threads, 0 = one per CPU" },
	{ "max_size", "64M", "files larger than this are listed in the report, not scanned (K, M, G suffixes)" },
	{ "ioc_alert_score", "100",
	  "filename IOCs (signature-base's iocs/filename-iocs.txt): a file whose matching lines' scores add up to "
	  "this or more is a detection, less only a warning in the report (LOKI's alert level: 100); 1 to 10000" },
	{ "hibernated", "report",
	  "a hibernated Windows: report (read-only scan and report, nothing written, YELLOW), skip (identified "
	  "only: no scan, nothing written, YELLOW), remove (delete the hibernation file: Windows loses its hibernated session, then a full run)" },
	{ "force", "no",
	  "yes writes, as --force does, to a volume Windows did not shut down cleanly (NTFS dirty flag: chkdsk "
	  "has not run) and to a dirty hive whose logs cannot be used; no leaves them and makes the run YELLOW" },
	{ "reports_dir", "",
	  "a folder for a copy of every report, named after the computer (the boot image sets the RESCUE "
	  "partition's reports/)" },
	{ "rules_compiled", "", "compiled YARA rules to use instead of the built-in ones" },
	{ "rules_extra", "", "a .yar file or a folder of them (and *.sha256 hash lists) added to the rules" },
	{ "bitlocker_keys", "",
	  "BitLocker recovery keys: a key file or a folder of them (Windows' BitLocker Recovery Key *.TXT, "
	  "Active Directory or Entra ID/Intune CSV exports, ID,KEY lines), matched by key ID (the boot image "
	  "sets the RESCUE partition's keys/)" },
	{ "after", NULL, "boot image: wait | poweroff | reboot after the run" },
	{ "console", NULL, "boot image: the console the run uses (tty1, ttyS0)" },
	{ "serial_term", NULL, "boot image: TERM on a serial console" },
	{ "disk_wait", NULL, "boot image: seconds to wait for disks" },
	{ "rescue_partition", NULL, "boot image: where the RESCUE partition is mounted (auto keeps the hashes it "
				   "learned in its learned/ and uses those of earlier machines)" },
	{ "config", NULL, "boot image: the rescue.conf file on the RESCUE partition" },
	{ "server", NULL, "boot image: the technician's laptop on a network boot (settings from SERVER/conf/, "
			  "reports to SERVER/reports/)" },
	{ "mac", NULL, "boot image: the network card a network boot uses (its MAC address)" },
};
const size_t conf_nkeys = sizeof(conf_keys) / sizeof(conf_keys[0]);

static const char *const mode_names[] = { [CONF_MODE_FIX] = "auto", [CONF_MODE_REPORT] = "report" };
static const char *const scan_names[] = {
	[CONF_SCAN_QUARANTINE] = "quarantine", [CONF_SCAN_REPORT] = "report", [CONF_SCAN_OFF] = "off" };
static const char *const autoruns_names[] = {
	[CONF_AUTORUNS_FLAGGED] = "flagged", [CONF_AUTORUNS_DETECTED] = "detected", [CONF_AUTORUNS_OFF] = "off" };
static const char *const hib_names[] = {
	[CONF_HIB_REPORT] = "report", [CONF_HIB_SKIP] = "skip", [CONF_HIB_REMOVE] = "remove" };

const char *conf_mode_name(enum conf_mode m) { return mode_names[m]; }
const char *conf_scan_name(enum conf_scan s) { return scan_names[s]; }
const char *conf_hib_name(enum conf_hib h) { return hib_names[h]; }

static int pick(const char *const *names, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(names[i], v) == 0)
			return (int)i;
	return -1;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };
	if (pick(yes, 4, v) >= 0)
		*out = true;
	else if (pick(no, 4, v) >= 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* Split V at spaces and commas into WORDS (copies into BUF). */
static size_t split_words(const char *v, char *buf, size_t buflen, char **words, size_t max)
{
	snprintf(buf, buflen, "%s", v);
	size_t n = 0;
	for (char *save = NULL, *w = strtok_r(buf, " ,\t", &save); w && n < max; w = strtok_r(NULL, " ,\t", &save))
		words[n++] = w;
	return n;
}

const char *conf_boot_path(void)
{
	const char *env = getenv("RESCUE_BOOT_CONF");
	return env && env[0] ? env : CONF_BOOT_PATH;
}

int conf_load_boot(struct rs_conf *c, struct rs_error *err)
{
	struct stat st;
	const char *path = conf_boot_path();
	if (lstat(path, &st) != 0 && errno == ENOENT) {
		conf_defaults(c);
		return RS_OK;
	}
	int rc = conf_load(path, c, err);
	if (rc != RS_OK)
		conf_defaults(c);
	return rc;
}

int conf_parse_score(const char *v, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (end == v || *end || errno || n < 1 || n > RS_IOC_ALERT_SCORE_MAX)
		return -1;
	*out = n;
	return 0;
}

int conf_parse_size(const char *v, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (end == v || errno || v[0] == '-')
		return -1;
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || n > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)n << shift;
	return 0;
}

void conf_defaults(struct rs_conf *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < conf_nkeys; i++)
		if (conf_keys[i].def)
			conf_set(c, conf_keys[i].key, conf_keys[i].def, NULL);
}

/* The keys that are a plain yes or no: the field of C each sets, or NULL. */
static bool *bool_key(struct rs_conf *c, const char *key)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "unlock", offsetof(struct rs_conf, unlock) },
		{ "enable", offsetof(struct rs_conf, enable) },
		{ "force", offsetof(struct rs_conf, force) },
		{ "repair_permissions", offsetof(struct rs_conf, repair_permissions) },
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i].key) == 0)
			return (bool *)((char *)c + keys[i].off);
	return NULL;
}

int conf_set(struct rs_conf *c, const char *key, const char *v, struct rs_error *err)
{
	char buf[1024];
	char *words[CONF_MAX_ACCOUNTS + 1];
	bool b, *flag;
	int k;
	if (strcmp(key, "mode") == 0) {
		/* /init writes its own modes here too; ui and shell do not start us */
		if (strcasecmp(v, "report") == 0)
			c->mode = CONF_MODE_REPORT;
		else if (strcasecmp(v, "auto") == 0 || strcasecmp(v, "ui") == 0 || strcasecmp(v, "shell") == 0)
			c->mode = CONF_MODE_FIX;
		else
			return rs_fail(err, RS_EUSAGE, "mode = %s: want auto or report", v);
	} else if (strcmp(key, "report_only") == 0) {
		if (parse_bool(v, &b))
			return rs_fail(err, RS_EUSAGE, "report_only = %s: want yes or no", v);
		if (b)
			c->mode = CONF_MODE_REPORT;
	} else if (strcmp(key, "contain") == 0) {
		size_t n = split_words(v, buf, sizeof(buf), words, CONF_MAX_ACCOUNTS);
		if (n == 1 && strcasecmp(words[0], "none") == 0) {
			c->contain = 0;
		} else if (n == 0) {
			return rs_fail(err, RS_EUSAGE, "contain is empty: want all, none or items");
		} else {
			struct rs_error e = { 0 };
			if (contain_parse_items((int)n, words, &c->contain, &e))
				return rs_fail(err, RS_EUSAGE, "contain = %s: %s", v, e.msg);
		}
	} else if (strcmp(key, "accounts") == 0) {
		size_t n = split_words(v, buf, sizeof(buf), words, CONF_MAX_ACCOUNTS + 1);
		if (n > CONF_MAX_ACCOUNTS)
			return rs_fail(err, RS_EUSAGE, "accounts: at most %d accounts", CONF_MAX_ACCOUNTS);
		if (n == 0)
			return rs_fail(err, RS_EUSAGE, "accounts is empty: want none, admins or names");
		c->naccounts = 0;
		if (n == 1 && strcasecmp(words[0], "none") == 0)
			return RS_OK;
		for (size_t i = 0; i < n; i++)
			snprintf(c->accounts[c->naccounts++], sizeof(c->accounts[0]), "%s", words[i]);
	} else if (strcmp(key, "password") == 0) {
		if (strlen(v) >= sizeof(c->password))
			return rs_fail(err, RS_EUSAGE, "password: longer than %zu bytes", sizeof(c->password) - 1);
		snprintf(c->password, sizeof(c->password), "%s", v);
		c->password_set = v[0] != '\0';
	} else if ((flag = bool_key(c, key))) {
		if (parse_bool(v, flag))
			return rs_fail(err, RS_EUSAGE, "%s = %s: want yes or no", key, v);
	} else if (strcmp(key, "scan") == 0) {
		if ((k = pick(scan_names, 3, v)) < 0)
			return rs_fail(err, RS_EUSAGE, "scan = %s: want quarantine, report or off", v);
		c->scan = (enum conf_scan)k;
	} else if (strcmp(key, "autoruns") == 0) {
		if ((k = pick(autoruns_names, 3, v)) < 0)
			return rs_fail(err, RS_EUSAGE, "autoruns = %s: want flagged, detected or off", v);
		c->autoruns = (enum conf_autoruns)k;
	} else if (strcmp(key, "hibernated") == 0) {
		if ((k = pick(hib_names, 3, v)) < 0)
			return rs_fail(err, RS_EUSAGE, "hibernated = %s: want report, skip or remove", v);
		c->hibernated = (enum conf_hib)k;
	} else if (strcmp(key, "threads") == 0) {
		char *end;
		long n = strtol(v, &end, 10);
		if (end == v || *end || n < 0 || n > 32)
			return rs_fail(err, RS_EUSAGE, "threads = %s: want 0 (every CPU) to 32", v);
		c->threads = (int)n;
	} else if (strcmp(key, "ioc_alert_score") == 0) {
		if (conf_parse_score(v, &c->ioc_alert_score) != 0)
			return rs_fail(err, RS_EUSAGE, "ioc_alert_score = %s: want a score from 1 to %d", v,
				       RS_IOC_ALERT_SCORE_MAX);
	} else if (strcmp(key, "max_size") == 0) {
		if (conf_parse_size(v, &c->max_size) || c->max_size == 0)
			return rs_fail(err, RS_EUSAGE, "max_size = %s: want a size such as 64M", v);
	} else if (strcmp(key, "reports_dir") == 0 || strcmp(key, "rules_compiled") == 0 ||
		   strcmp(key, "rules_extra") == 0 || strcmp(key, "bitlocker_keys") == 0) {
		char *dst = key[0] == 'b' ? c->bitlocker_keys : key[1] == 'e' ? c->reports_dir
			  : key[6] == 'c' ? c->rules_compiled : c->rules_extra;
		if (strlen(v) >= PATH_MAX)
			return rs_fail(err, RS_EUSAGE, "%s: path too long", key);
		snprintf(dst, PATH_MAX, "%s", v);
	} else if (strcmp(key, "rescue_partition") == 0) {
		/* /init's key; `auto` keeps its compiled rule set (cache/) and what
		 * it learned (learned/) there */
		if (strlen(v) >= sizeof(c->rescue_partition))
			return rs_fail(err, RS_EUSAGE, "%s: path too long", key);
		snprintf(c->rescue_partition, sizeof(c->rescue_partition), "%s", v);
	} else {
		for (size_t i = 0; i < conf_nkeys; i++)
			if (!conf_keys[i].def && strcmp(conf_keys[i].key, key) == 0)
				return RS_OK;
		return rs_fail(err, RS_EUSAGE, "unknown key '%s' (see `rescue auto --keys`)", key);
	}
	return RS_OK;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

int conf_load(const char *path, struct rs_conf *c, struct rs_error *err)
{
	conf_defaults(c);
	uint8_t *text;
	size_t len;
	if (file_read_all(path, 1 << 20, &text, &len) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", path);
	snprintf(c->source, sizeof(c->source), "%s", path);
	char *p = (char *)text;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;     /* Notepad's byte-order mark */
	int rc = RS_OK;
	unsigned lineno = 0;
	for (char *line; (line = text_next_line(&p));) {
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = rs_fail(err, RS_EUSAGE, "%s: line %u: not a `key = value` line", path, lineno);
			break;
		}
		*eq = '\0';
		char *key = trim(s), *val = trim(eq + 1);
		size_t vl = strlen(val);
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			val[vl - 1] = '\0';
			val++;
		}
		for (char *k = key; *k; k++)
			if (*k == '-')
				*k = '_';
		struct rs_error e = { 0 };
		if (conf_set(c, key, val, &e)) {
			rc = rs_fail(err, RS_EUSAGE, "%s: line %u: %s", path, lineno, e.msg);
			break;
		}
	}
	free(text);
	return rc;
}
