/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check.h - the assertion macros every unit test shares.  Output is TAP-ish:
 * a "not ok" line per failed CHECK with file:line, an "ok - # SKIP" line per
 * CHECK_SKIP, and check_done() prints "N passed, N failed, N skipped" and
 * returns the exit status.  tests/run.sh counts a skip apart from a pass. */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

#include <stdlib.h>

static int check_passed, check_failed, check_skipped;

/* A check that cannot run here (a tool or a data file is missing): WHY is a
 * printf format.  Never counted as passed. */
#define CHECK_SKIP(...) do { \
	check_skipped++; printf("ok - # SKIP %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); \
} while (0)

/* The real hives and images the tests use (tests/data, SOURCES.md there);
 * $DATA overrides.  Unit tests run from the top of the tree (tests/run.sh). */
static inline const char *check_data_dir(void)
{
	const char *d = getenv("DATA");
	return d && *d ? d : "tests/data";
}

#define CHECK(cond) do { \
	if (cond) { check_passed++; } \
	else { check_failed++; printf("not ok - %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) { check_passed++; } \
	else { check_failed++; printf("not ok - %s:%d: %s == %s (\"%s\" vs \"%s\")\n", __FILE__, __LINE__, \
		#a, #b, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); } \
} while (0)

#define CHECK_INT(a, b) do { \
	long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
	if (check_a_ == check_b_) { check_passed++; } \
	else { check_failed++; printf("not ok - %s:%d: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, \
		#a, #b, check_a_, check_b_); } \
} while (0)

static inline int check_done(const char *name)
{
	printf("%s: %d passed, %d failed, %d skipped\n", name, check_passed, check_failed, check_skipped);
	return check_failed ? 1 : 0;
}

#endif
