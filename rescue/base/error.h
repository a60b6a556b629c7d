/* SPDX-License-Identifier: GPL-2.0-or-later */
/* error.h - status codes and the one-line error message every core call fills.
 *
 * Contract: a core function returns RS_OK (0) or one of the rs_status codes,
 * and on failure writes one line into the caller's struct rs_error.  The
 * codes are the process exit codes of DESIGN.md, so front ends can exit with
 * them directly.  The core never prints and never exits. */
#ifndef RESCUE_ERROR_H
#define RESCUE_ERROR_H

#include <stddef.h>

enum rs_status {
	RS_OK = 0,          /* done and clean */
	RS_DETECTED = 1,    /* done, detections found */
	RS_EUSAGE = 2,      /* usage error */
	RS_ETARGET = 3,     /* target unusable: missing, unmountable, hibernated, BitLocker, no Windows, corrupt hive */
	RS_EPARTIAL = 4,    /* some steps failed, the rest was done */
};

struct rs_error {
	int code;           /* an rs_status, RS_OK when nothing failed */
	char msg[512];      /* one line, no trailing newline */
};

/* Record a failure (printf-style message) and return code, so callers can
 * write `return rs_fail(err, RS_ETARGET, "...", ...)`.  err may be NULL. */
int rs_fail(struct rs_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same, with ": strerror(errnum)" appended. */
int rs_fail_errno(struct rs_error *err, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

void rs_error_clear(struct rs_error *err);

#endif
