/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "error.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rescue/base/confine.h"

static void set_msg(struct rs_error *err, int code, const char *fmt, va_list ap)
{
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	/* One line: a message carrying a file name with a newline must not
	 * break a log sheet or a JSON report line. */
	for (char *p = err->msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

int rs_fail(struct rs_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		set_msg(err, code, fmt, ap);
		va_end(ap);
	}
	return code;
}

int rs_fail_errno(struct rs_error *err, int code, int errnum, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		set_msg(err, code, fmt, ap);
		va_end(ap);
		size_t n = strlen(err->msg);
		/* A refusal of the confined file layer says which name was a
		 * link or a FIFO; strerror's "Too many levels of symbolic
		 * links" would not. */
		const char *name = confine_refusal_name(errnum);
		size_t namelen = name ? strlen(name) : 0;
		/* "hosts: hosts is a link ..." says the name twice; "cannot open
		 * hosts is a link ..." would misread: only a message that is the
		 * name, or ends with ": name", takes the reason straight on. */
		bool ends_with_name = name && n >= namelen && strcmp(err->msg + n - namelen, name) == 0 &&
				      (n == namelen || (n >= namelen + 2 && memcmp(err->msg + n - namelen - 2, ": ", 2) == 0));
		if (ends_with_name)
			snprintf(err->msg + n, sizeof(err->msg) - n, "%s", confine_refusal_why(errnum));
		else
			snprintf(err->msg + n, sizeof(err->msg) - n, ": %s",
				 name ? confine_refusal(errnum) : strerror(errnum));
	}
	return code;
}

void rs_error_clear(struct rs_error *err)
{
	if (err) {
		err->code = RS_OK;
		err->msg[0] = '\0';
	}
}
