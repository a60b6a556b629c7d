/* SPDX-License-Identifier: GPL-2.0-or-later */
/* eta.h - the time a scan has left, from the bytes it still has to read.
 *
 * The rate is the one of the last half of the time so far, not of the whole
 * of it: a scan's start is slower than the rest (the rules load, the $MFT is
 * read for the total, the worm's places are small files in many folders),
 * and a disk's speed changes from one region to the next.  On a scan whose
 * rate does not change (CPU-bound, as with a large rule set) both are the
 * same.  The samples are a fixed ring: the memory does not grow with the
 * scan's length. */
#ifndef RESCUE_ETA_H
#define RESCUE_ETA_H

#include <stdint.h>

#define ETA_SAMPLES 128

struct eta {
	double t[ETA_SAMPLES];      /* seconds since the scan's start */
	uint64_t bytes[ETA_SAMPLES];/* bytes read by then */
	unsigned n, next;           /* samples held; where the next one goes */
};

/* A zeroed struct eta is an empty one. */

/* Record that BYTES were read after NOW seconds (NOW never decreases).
 * Called at each progress report; keeps a sample only every NOW/64 seconds
 * or so, so that the ring always reaches back to NOW/2. */
void eta_note(struct eta *e, double now, uint64_t bytes);

/* Seconds left to read TOTAL bytes, BYTES of them read after NOW seconds:
 * at the rate since the sample nearest before NOW/2 (since the start while
 * there is none, or when nothing was read since).  -1 when no rate is known
 * yet (nothing read); 0 when nothing is left. */
double eta_secs(const struct eta *e, double now, uint64_t bytes, uint64_t total);

#endif
