/* SPDX-License-Identifier: GPL-2.0-or-later */
/* duration.h - a time span as the front ends show it: elapsed and ETA.
 *
 * One form for the UI, `rescue scan`'s and `auto`'s progress lines, so that
 * a technician reads the same figure the same way on each:
 *
 *   under an hour        m:ss       0:07   12:30
 *   an hour or more      h:mm:ss    1:02:03
 *   not known (< 0, NaN) --:--
 *   past DURATION_MAX_H hours  the form of that many, with "+" (a crawl of a
 *                        rate over hostile sizes gives any number)
 *
 * Rounded to the nearest second: 59.6 s is "1:00", not "0:59". */
#ifndef RESCUE_DURATION_H
#define RESCUE_DURATION_H

#include <stddef.h>

#define DURATION_MAX_H 999
/* Room for the longest form: "999:59:59+" and its NUL. */
#define DURATION_LEN 11

/* SECS into OUT (LEN bytes, DURATION_LEN is enough); returns OUT. */
char *duration_fmt(double secs, char *out, size_t len);

#endif
