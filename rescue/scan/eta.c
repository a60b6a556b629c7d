/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/scan/eta.h"

/* The closest spacing kept between two samples: a progress report comes
 * every 250 ms; a shorter scan has no use for more. */
#define ETA_MIN_STEP 0.25

void eta_note(struct eta *e, double now, uint64_t bytes)
{
	/* Samples at least NOW/64 apart: those in [NOW/2, NOW] are at most 64
	 * (each is at least NOW/128 from the next), so a ring of 128 always
	 * holds one from before NOW/2. */
	double step = now / 64 > ETA_MIN_STEP ? now / 64 : ETA_MIN_STEP;
	if (e->n) {
		unsigned last = (e->next + ETA_SAMPLES - 1) % ETA_SAMPLES;
		if (now - e->t[last] < step)
			return;
	}
	e->t[e->next] = now;
	e->bytes[e->next] = bytes;
	e->next = (e->next + 1) % ETA_SAMPLES;
	if (e->n < ETA_SAMPLES)
		e->n++;
}

double eta_secs(const struct eta *e, double now, uint64_t bytes, uint64_t total)
{
	if (bytes >= total)
		return 0;
	/* From the start (0 s, 0 bytes) unless a sample lies in (0, NOW/2]:
	 * then the latest such one. */
	double t0 = 0;
	uint64_t b0 = 0;
	for (unsigned k = 0; k < e->n; k++) {
		unsigned i = (e->next + ETA_SAMPLES - 1 - k) % ETA_SAMPLES;   /* newest first */
		if (e->t[i] <= now / 2) {
			t0 = e->t[i];
			b0 = e->bytes[i];
			break;
		}
	}
	/* Nothing read in the last half (one file that long): the whole
	 * time's rate then, rather than none. */
	if (now <= t0 || bytes <= b0)
		t0 = 0, b0 = 0;
	if (now <= 0 || bytes == 0)
		return -1;
	double rate = (double)(bytes - b0) / (now - t0);
	return (double)(total - bytes) / rate;
}
