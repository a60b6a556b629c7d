/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-taskxml.c - libFuzzer target for the scheduled task XML reader
 * (hive/taskfile.c, on expat).  Built and run by `make fuzz`.
 *
 * Input: the bytes of a task file, as read from the volume.  Checked: no
 * crash, no leak, no overread (the sanitizers); a success gives whole
 * strings for every action and no more actions than the limit; a failure
 * always says why.  Seeds: tests/fuzz/taskxml-seeds (+ a UTF-16 copy of each
 * made by tests/fuzz/run.sh). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hive/taskfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of the exact size, so the sanitizer sees its end */
	uint8_t *b = malloc(size ? size : 1);
	if (!b)
		abort();
	memcpy(b, data, size);
	struct task_exec *ex = NULL;
	size_t n = 0;
	struct rs_error err = { 0 };
	int rc = taskxml_parse(b, size, &ex, &n, &err);
	if (rc == RS_OK) {
		if (n > 64 || (n && !ex))
			abort();
		for (size_t i = 0; i < n; i++)
			if (!ex[i].command || !ex[i].arguments || strlen(ex[i].command) > ((size_t)64 << 10))
				abort();
		task_exec_free(ex, n);
	} else if (!err.msg[0] || (rc != RS_ETARGET && rc != RS_EPARTIAL)) {
		abort();
	}
	free(b);
	return 0;
}
