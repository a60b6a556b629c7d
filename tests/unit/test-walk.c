/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-walk.c - the walk's set of (st_dev, st_ino): the same answers
 * whether a pair lands in the bitmap (the first device's dense numbers, as
 * NTFS's MFT record numbers are) or in the hashed rest, and a size that does
 * not follow the count of dense numbers (issue 14: memory flat from 20,000 to
 * 300,000 files); walk_idset_has agrees with what was added. */
#include <stdint.h>

#include "check.h"
#include "rescue/volume/walk.h"

/* The bytes the set holds (its bitmap and its hash table). */
static size_t footprint(const struct walk_idset *s)
{
	return s->nbits / 8 + s->cap * sizeof(*s->v);
}

static void test_answers(void)
{
	struct walk_idset s = { 0 };
	const dev_t d1 = 2049, d2 = 77;
	const ino_t big = WALK_IDSET_BITS_MAX + 5;
	CHECK(!walk_idset_has(&s, d1, 5));         /* empty: nothing, no bitmap to read */
	/* First additions new, second ones not: bitmap, large number, other device. */
	CHECK(walk_idset_add(&s, d1, 5) == 1);
	CHECK(walk_idset_add(&s, d1, 5) == 0);
	CHECK(walk_idset_add(&s, d1, 0) == 1);
	CHECK(walk_idset_add(&s, d1, 0) == 0);
	CHECK(walk_idset_add(&s, d1, big) == 1);
	CHECK(walk_idset_add(&s, d1, big) == 0);
	CHECK(walk_idset_add(&s, d2, 5) == 1);     /* same number, another device: another pair */
	CHECK(walk_idset_add(&s, d2, 5) == 0);
	CHECK(walk_idset_add(&s, d1, 6) == 1);
	/* A number past the first bitmap's room grows it, keeping what was set. */
	CHECK(walk_idset_add(&s, d1, 1000000) == 1);
	CHECK(walk_idset_add(&s, d1, 5) == 0);
	CHECK(walk_idset_add(&s, d1, 1000000) == 0);
	/* Many hashed pairs (rehashed on growth) stay found, and the bitmap's too. */
	int fresh = 0, again = 0;
	for (ino_t i = 0; i < 5000; i++)
		fresh += walk_idset_add(&s, d2, 1000 + i * 7) == 1;
	for (ino_t i = 0; i < 5000; i++)
		again += walk_idset_add(&s, d2, 1000 + i * 7) == 0;
	CHECK(fresh == 5000);
	CHECK(again == 5000);
	CHECK(walk_idset_add(&s, d1, big) == 0);
	CHECK(walk_idset_add(&s, d1, 6) == 0);
	CHECK(walk_idset_add(&s, d1, 7) == 1);
	/* Held: what was added, each way; not held: the rest, each way
	 * (past the bitmap's end, another device, a large number). */
	CHECK(walk_idset_has(&s, d1, 5) && walk_idset_has(&s, d1, 0) && walk_idset_has(&s, d1, 1000000));
	CHECK(walk_idset_has(&s, d1, big) && walk_idset_has(&s, d2, 5) && walk_idset_has(&s, d2, 1000 + 4999 * 7));
	CHECK(!walk_idset_has(&s, d1, 4) && !walk_idset_has(&s, d1, 999999) && !walk_idset_has(&s, d1, 9000000));
	CHECK(!walk_idset_has(&s, d1, big + 1) && !walk_idset_has(&s, d2, 6) && !walk_idset_has(&s, 5, 5));
	walk_idset_free(&s);
	CHECK(!walk_idset_has(&s, d1, 5));
	CHECK(s.bits == NULL && s.v == NULL && s.nbits == 0 && s.cap == 0);
}

/* 300,000 folders' MFT numbers fit in 64 KiB, as 20,000's nearly do. */
static void test_flat(void)
{
	struct walk_idset small = { 0 }, large = { 0 };
	for (ino_t i = 16; i < 20000; i++)
		walk_idset_add(&small, 2049, i);
	for (ino_t i = 16; i < 300000; i++)
		walk_idset_add(&large, 2049, i);
	size_t fs = footprint(&small), fl = footprint(&large);
	printf("# idset: %zu bytes for 20,000 numbers, %zu for 300,000\n", fs, fl);
	CHECK(fl <= 64 * 1024);
	CHECK(fl - fs <= 64 * 1024);
	walk_idset_free(&small);
	walk_idset_free(&large);
}

int main(void)
{
	test_answers();
	test_flat();
	return check_done("test-walk");
}
