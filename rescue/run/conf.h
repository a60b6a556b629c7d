/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf.h - rescue.conf, the settings of the unattended run (`rescue auto`).
 *
 * Format (the same rules as the boot image's initramfs/initlib.sh, which
 * merges the RESCUE partition's file and the kernel command line into
 * /run/rescue/rescue.conf): one `key = value` a line; `#` starts a comment
 * line; blank lines are ignored; spaces around key and value are trimmed; a
 * value may be wrapped in double quotes; CR line ends and a UTF-8 byte-order
 * mark are accepted; `-` in a key is the same as `_`; a later line wins.
 *
 * Unlike /init, which only merges, this parser refuses what it does not
 * understand (an unknown key, a bad value, a line that is not a setting): a
 * typo must not silently change what an unattended run does to a machine.
 * Keys that belong to the boot image (after, console...) are accepted and
 * left to it.  Every key, its default and its meaning is in conf_keys[]: the
 * README's table, `rescue auto --keys` and the parser all read it. */
#ifndef RESCUE_CONF_H
#define RESCUE_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rescue/base/error.h"

enum conf_mode { CONF_MODE_FIX, CONF_MODE_REPORT };
enum conf_scan { CONF_SCAN_QUARANTINE, CONF_SCAN_REPORT, CONF_SCAN_OFF };
enum conf_hib { CONF_HIB_REPORT, CONF_HIB_SKIP, CONF_HIB_REMOVE };
enum conf_autoruns { CONF_AUTORUNS_FLAGGED, CONF_AUTORUNS_DETECTED, CONF_AUTORUNS_OFF };

#define CONF_MAX_ACCOUNTS 16

struct rs_conf {
	enum conf_mode mode;
	unsigned contain;               /* contain_items bit mask, 0 = containment off */
	size_t naccounts;               /* 0 = no password step */
	char accounts[CONF_MAX_ACCOUNTS][128];  /* names, RIDs, or "admins" */
	bool password_set;              /* a password was given (else: blank) */
	char password[256];
	bool unlock, enable;
	enum conf_scan scan;
	enum conf_autoruns autoruns;
	int threads;                    /* 0 = every CPU */
	uint64_t max_size;              /* 0 = the scanner's default */
	long ioc_alert_score;           /* filename IOCs: the sum of scores that is a detection */
	enum conf_hib hibernated;
	bool force;                     /* as --force: write a dirty volume or a dirty hive without usable logs */
	bool repair_permissions;        /* the permissions step (rescue/volume/permissions.h) */
	char reports_dir[PATH_MAX];     /* "" = no copy outside the Windows volume */
	char rules_compiled[PATH_MAX];  /* "" = the usual search (rescue/base/datapath.h) */
	char rules_extra[PATH_MAX];     /* "" = none */
	char bitlocker_keys[PATH_MAX];  /* a key file or folder (rescue/disk/blkeys.h), "" = none */
	char rescue_partition[PATH_MAX]; /* boot image: the RESCUE stick: cache/ (rule cache), learned/ (learn.h); "" = none */
	char source[PATH_MAX];          /* the file read, "" = defaults only */
};

struct conf_key {
	const char *key;
	const char *def;                /* default as written in rescue.conf, NULL = boot image key */
	const char *help;
};
extern const struct conf_key conf_keys[];
extern const size_t conf_nkeys;

/* The defaults (every key's `def`). */
void conf_defaults(struct rs_conf *c);

/* Set KEY (already normalised: `-` as `_`) to VALUE.  RS_EUSAGE with a
 * message naming the key for an unknown key or a bad value. */
int conf_set(struct rs_conf *c, const char *key, const char *value, struct rs_error *err);

/* Defaults, then every setting of PATH.  RS_EUSAGE naming PATH:LINE for the
 * first problem; RS_ETARGET when PATH cannot be read. */
int conf_load(const char *path, struct rs_conf *c, struct rs_error *err);

/* The boot image's merged settings (initramfs/init writes them: where the
 * RESCUE partition is mounted, its rules/), or the file RESCUE_BOOT_CONF
 * names when set. */
#define CONF_BOOT_PATH "/run/rescue/rescue.conf"
const char *conf_boot_path(void);

/* Defaults, then the boot image's settings when there are some (a missing
 * file is not an error: not booted from the image).  RS_OK, or conf_load's
 * error (C then holds the defaults). */
int conf_load_boot(struct rs_conf *c, struct rs_error *err);

/* Words for the enums, as written in rescue.conf. */
const char *conf_mode_name(enum conf_mode m);
const char *conf_scan_name(enum conf_scan s);
const char *conf_hib_name(enum conf_hib h);

/* "64M", "1G", "2k", "500000" (an optional B after the suffix): bytes.
 * 0, or -1 when malformed or too large.  Shared with `rescue scan --max-size`. */
int conf_parse_size(const char *v, uint64_t *out);

/* A filename IOC alert score: a whole number from 1 to RS_IOC_ALERT_SCORE_MAX
 * (rescue/scan/ioc.h).  0, or -1 when V is not one.  Shared with
 * `rescue scan --ioc-alert-score`. */
int conf_parse_score(const char *v, long *out);

#endif
