/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memscan.c - the CPU-bound limit for `make bench`: libyara's own rate on
 * files already held in memory.  Reads the files named on stdin (one path
 * per line, relative to ROOT) into memory, then scans each with one
 * YR_SCANNER (fast mode, the scanner's externals defined as rescue does) and
 * prints "files bytes seconds MB/s matches CPU-seconds MB/CPU-s" for the
 * scanning alone (CPU time: steady on a shared machine). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yara.h>

#include "rescue/base/fileutil.h"

struct blob { char *rel; uint8_t *data; size_t len; };

static int on_match(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *user)
{
	(void)ctx; (void)data;
	if (msg == CALLBACK_MSG_RULE_MATCHING)
		(*(long *)user)++;
	return CALLBACK_CONTINUE;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: memscan COMPILED.yarc ROOT MAXBYTES <paths\n");
		return 2;
	}
	size_t max = strtoull(argv[3], NULL, 10);
	struct blob *v = NULL;
	size_t n = 0, cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t l;
	while ((l = getline(&line, &lcap, stdin)) > 0) {
		line[l - 1] = line[l - 1] == '\n' ? '\0' : line[l - 1];
		char path[8192];
		snprintf(path, sizeof(path), "%s/%s", argv[2], line);
		struct blob b = { strdup(line), NULL, 0 };
		if (file_read_all(path, max, &b.data, &b.len) != 0) {
			free(b.rel);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = realloc(v, cap * sizeof(*v));
		}
		v[n++] = b;
	}
	free(line);
	YR_RULES *rules;
	YR_SCANNER *s;
	if (yr_initialize() || yr_rules_load(argv[1], &rules) || yr_scanner_create(rules, &s)) {
		fprintf(stderr, "memscan: cannot load %s\n", argv[1]);
		return 1;
	}
	long matches = 0;
	yr_scanner_set_callback(s, on_match, &matches);
	yr_scanner_set_flags(s, SCAN_FLAGS_FAST_MODE);
	struct timespec t0, t1, c0, c1;
	size_t bytes = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	for (size_t i = 0; i < n; i++) {
		const char *slash = strrchr(v[i].rel, '/');
		/* the built-in rules use relpath (rescue/scan/externals.h); the
		 * others keep their defaults, as cheap as the scanner's values */
		yr_scanner_define_string_variable(s, "relpath", v[i].rel);
		yr_scanner_define_string_variable(s, "filename", slash ? slash + 1 : v[i].rel);
		yr_scanner_scan_mem(s, v[i].data, v[i].len);
		bytes += v[i].len;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	printf("%zu %zu %.3f %.1f %ld %.3f %.1f\n", n, bytes, secs, (double)bytes / 1e6 / secs, matches, cpu,
	       (double)bytes / 1e6 / cpu);
	yr_scanner_destroy(s);
	yr_rules_destroy(rules);
	yr_finalize();
	for (size_t i = 0; i < n; i++)
		free(v[i].rel), free(v[i].data);
	free(v);
	return 0;
}
