/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-duration.c - the one form of elapsed time and ETA (duration.h):
 * m:ss under an hour, h:mm:ss past it, rounded to the nearest second,
 * "--:--" when not known, and a bounded form for any estimate however large
 * (an infinity, a value no integer holds) rather than undefined behaviour. */
#include <math.h>

#include "check.h"
#include "rescue/base/duration.h"

static const struct { double secs; const char *shown; } cases[] = {
	{ 0, "0:00" },
	{ 0.49, "0:00" },
	{ 0.5, "0:01" },
	{ 7, "0:07" },
	{ 59.6, "1:00" },               /* rounded, not cut */
	{ 750, "12:30" },
	{ 3599.4, "59:59" },
	{ 3599.5, "1:00:00" },
	{ 3723, "1:02:03" },
	{ 86400 * 2 + 5, "48:00:05" },
	{ 999 * 3600.0 + 3599, "999:59:59" },
	{ 999 * 3600.0 + 3600, "999:59:59+" },
	{ 1e300, "999:59:59+" },
	{ -1, "--:--" },
	{ -1e-9, "--:--" },
};

int main(void)
{
	char out[DURATION_LEN];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(duration_fmt(cases[i].secs, out, sizeof(out)), cases[i].shown);
	CHECK_STR(duration_fmt(INFINITY, out, sizeof(out)), "999:59:59+");
	CHECK_STR(duration_fmt(NAN, out, sizeof(out)), "--:--");
	CHECK_STR(duration_fmt(-INFINITY, out, sizeof(out)), "--:--");
	/* A buffer too short is cut, never overrun. */
	char small[5];
	CHECK_STR(duration_fmt(3723, small, sizeof(small)), "1:02");
	return check_done("test-duration");
}
