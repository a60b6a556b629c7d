/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/duration.h"

#include <stdbool.h>
#include <stdio.h>

char *duration_fmt(double secs, char *out, size_t len)
{
	const double most = DURATION_MAX_H * 3600.0 + 3599;
	if (!(secs >= 0)) {             /* negative or NaN: not known */
		snprintf(out, len, "--:--");
		return out;
	}
	/* Compared as a double before any conversion: no integer holds
	 * whatever a hostile estimate may be. */
	bool over = secs + 0.5 >= most + 1;
	long t = over ? (long)most : (long)(secs + 0.5);
	if (t >= 3600)
		snprintf(out, len, "%ld:%02ld:%02ld%s", t / 3600, t / 60 % 60, t % 60, over ? "+" : "");
	else
		snprintf(out, len, "%ld:%02ld", t / 60, t % 60);
	return out;
}
