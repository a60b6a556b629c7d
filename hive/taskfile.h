/* SPDX-License-Identifier: GPL-2.0-or-later */
/* taskfile.h - the program a start-up file starts, read from its bytes:
 * XP scheduled tasks (Windows/Tasks/NAME.job, binary), Vista+ scheduled tasks
 * (Windows/System32/Tasks/..., XML) and shell links (.lnk in Startup
 * folders).  Parsers take (buf, len) from a hostile disk: every offset and
 * length is checked against LEN, nothing is trusted.  Formats from the
 * public specifications ([MS-TSCH] 2.4 for .job, the Task Scheduler schema
 * for the XML, [MS-SHLLINK] for .lnk).  Strings come back as malloc'd UTF-8
 * (caller frees). */
#ifndef HIVE_TASKFILE_H
#define HIVE_TASKFILE_H

#include <stddef.h>
#include <stdint.h>

#include "rescue/base/error.h"

/* .job: the Application Name and Parameters of the variable-length data
 * section.  0, or -1 when the file is not a well-formed .job. */
int taskjob_parse(const uint8_t *buf, size_t len, char **app, char **params);

/* One <Exec> action of a task: <Command> and <Arguments> ("" when absent). */
struct task_exec {
	char *command;
	char *arguments;
};

/* Every <Exec> action of a task XML (UTF-16 with or without a byte order
 * mark, or UTF-8; any namespace prefix; CDATA and references decoded), read
 * with a real XML parser that never expands a declared entity nor fetches
 * anything (a DOCTYPE is refused).  *OUT is malloc'd (free with
 * task_exec_free), *N may be 0 (a task with only COM handler actions).
 * RS_OK; RS_ETARGET with the reason in ERR when the file is not a task this
 * can read ("parse error at line 3: mismatched tag", "not a task: the root
 * element is <html>", "has a DOCTYPE ..."); RS_EPARTIAL when out of memory. */
int taskxml_parse(const uint8_t *buf, size_t len, struct task_exec **out, size_t *n, struct rs_error *err);
void task_exec_free(struct task_exec *v, size_t n);

/* .lnk: the target path (LinkInfo local base path + common path suffix, else
 * the relative path string) and the arguments ("" when none).  0, or -1
 * when the file is not a shell link or names no path. */
int lnk_parse(const uint8_t *buf, size_t len, char **target, char **args);

#endif
