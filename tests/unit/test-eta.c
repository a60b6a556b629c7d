/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-eta.c - the scan's time left (rescue/scan/eta.h) on made-up rates,
 * sampled as the scan samples them (every 250 ms), no clock involved: a
 * steady rate gives the exact time, a slow start is forgotten once it lies
 * in the first half, the ring reaches back to half the time after hours,
 * and a stall or the ends give a sane answer. */
#include "check.h"
#include "rescue/scan/eta.h"

/* Feed E the bytes read at RATE_OF(t) from FROM to TO seconds, every 250 ms,
 * starting at *BYTES (updated). */
static void feed(struct eta *e, double from, double to, double rate, double *bytes)
{
	for (double t = from; t <= to + 1e-9; t += 0.25) {
		eta_note(e, t, (uint64_t)*bytes);
		*bytes += rate * 0.25;
	}
	*bytes -= rate * 0.25;  /* the last step counted once */
}

/* A within PCT percent of B. */
static int near(double a, double b, double pct)
{
	double d = a > b ? a - b : b - a;
	return d <= (b < 0 ? -b : b) * pct / 100;
}

static void test_steady(void)
{
	struct eta e = { 0 };
	double b = 0;
	feed(&e, 0.25, 50, 100, &b);            /* 100 bytes/s for 50 s: 5,000 of 10,000 */
	CHECK(near(eta_secs(&e, 50, (uint64_t)b, 10000), 50, 1));
}

static void test_slow_start(void)
{
	/* 10 bytes/s for 20 s (the start), then 100 bytes/s: at 60 s, 4,200
	 * of 10,000 read, 58 s really left.  The whole time's rate (70/s)
	 * would say 83 s. */
	struct eta e = { 0 };
	double b = 0;
	feed(&e, 0.25, 20, 10, &b);
	feed(&e, 20.25, 60, 100, &b);
	double left = eta_secs(&e, 60, (uint64_t)b, 10000);
	CHECK(near(left, 58, 3));
	printf("# slow start: ETA %.1f s, 58 s really left\n", left);
}

static void test_long_scan(void)
{
	/* Three hours of samples: the ring stays 128, and still holds one
	 * from before half the time.  10 bytes/s, then 20 from 5,000 s on. */
	struct eta e = { 0 };
	double b = 0;
	feed(&e, 0.25, 5000, 10, &b);
	feed(&e, 5000.25, 10800, 20, &b);
	CHECK(e.n <= ETA_SAMPLES);
	uint64_t total = (uint64_t)b + 20 * 1000;       /* 1,000 s at 20/s left */
	double left = eta_secs(&e, 10800, (uint64_t)b, total);
	CHECK(near(left, 1000, 8));
	printf("# after 3 h: ETA %.0f s, 1000 s really left\n", left);
}

static void test_edges(void)
{
	struct eta e = { 0 };
	CHECK(eta_secs(&e, 0, 0, 100) == -1);           /* nothing read: not known */
	CHECK(eta_secs(&e, 5, 0, 100) == -1);
	CHECK(eta_secs(&e, 5, 100, 100) == 0);          /* all read */
	CHECK(eta_secs(&e, 5, 0, 0) == 0);              /* nothing to read */
	/* About 100 bytes/s for 10 s, then nothing for 30 s (one long file):
	 * the whole time's rate (about 25 bytes/s), not "unknown". */
	double b = 0;
	feed(&e, 0.25, 10, 100, &b);
	for (double t = 10.25; t <= 40; t += 0.25)
		eta_note(&e, t, (uint64_t)b);
	CHECK(near(eta_secs(&e, 40, (uint64_t)b, 2000), (2000 - b) / (b / 40), 1));
}

int main(void)
{
	test_steady();
	test_slow_start();
	test_long_scan();
	test_edges();
	return check_done("test-eta");
}
