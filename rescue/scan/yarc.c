/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE     /* pipe2 */
#include "rescue/scan/yarc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yara.h>

#include "rescue/base/fileutil.h"

/* The child's exit codes; anything else (a signal, the sanitizer's exit
 * code) is a crash. */
#define TRIAL_OK 0
#define TRIAL_PROBE_FAILED 63       /* loaded, but a probe scan failed */
#define TRIAL_LOAD_FAILED 64        /* + libyara's error code (below 64) */

/* What libyara's load errors mean to someone holding the file. */
static const struct {
	int code;
	const char *what;
} load_errors[] = {
	{ ERROR_INSUFFICIENT_MEMORY, "out of memory loading it (damaged sizes?)" },
	{ ERROR_INVALID_FILE, "not a compiled YARA rule file" },
	{ ERROR_CORRUPT_FILE, "damaged" },
	{ ERROR_UNSUPPORTED_FILE_VERSION, "compiled by a different YARA version (recompile it with this yarac)" },
};

static const char *load_error_text(int code)
{
	for (size_t i = 0; i < sizeof(load_errors) / sizeof(load_errors[0]); i++)
		if (load_errors[i].code == code)
			return load_errors[i].what;
	return "libyara cannot load it";
}

/* The file's bytes, handed to libyara as a stream: the child and this
 * process load exactly the same data. */
struct mem_stream {
	const uint8_t *p;
	size_t len, off;
};

static size_t mem_read(void *ptr, size_t size, size_t count, void *user)
{
	struct mem_stream *m = user;
	if (size == 0)
		return 0;
	size_t items = (m->len - m->off) / size;
	if (items > count)
		items = count;
	memcpy(ptr, m->p + m->off, items * size);
	m->off += items * size;
	return items;
}

static int load_mem(const uint8_t *data, size_t len, YR_RULES **out)
{
	struct mem_stream m = { data, len, 0 };
	YR_STREAM s = { .user_data = &m, .read = mem_read };
	return yr_rules_load_stream(&s, out);
}

static int probe_cb(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
	(void)ctx, (void)message, (void)data, (void)user;
	return CALLBACK_CONTINUE;
}

/* Run every rule over a few kinds of content: nothing, zeros, noise, the
 * start of a PE file, text.  Damaged rule code usually shows on any of them. */
static int probe(YR_RULES *rules)
{
	enum { PROBE_LEN = 64 << 10 };
	uint8_t *buf = calloc(1, PROBE_LEN);
	if (!buf)
		return ERROR_INSUFFICIENT_MEMORY;
	int rc = yr_rules_scan_mem(rules, buf, 0, 0, probe_cb, NULL, YARC_TRIAL_SECS);
	if (rc == ERROR_SUCCESS)
		rc = yr_rules_scan_mem(rules, buf, PROBE_LEN, 0, probe_cb, NULL, YARC_TRIAL_SECS);
	uint32_t x = 19;
	for (size_t i = 0; i < PROBE_LEN; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	if (rc == ERROR_SUCCESS)
		rc = yr_rules_scan_mem(rules, buf, PROBE_LEN, 0, probe_cb, NULL, YARC_TRIAL_SECS);
	memset(buf, 0, PROBE_LEN);
	memcpy(buf, "MZ", 2);
	buf[0x3c] = 0x80;               /* e_lfanew: the PE header follows */
	memcpy(buf + 0x80, "PE\0\0", 4);
	if (rc == ERROR_SUCCESS)
		rc = yr_rules_scan_mem(rules, buf, 4096, 0, probe_cb, NULL, YARC_TRIAL_SECS);
	static const char text[] = "powershell -enc http://example.invalid/a.exe cmd.exe /c \\Run\\ autorun.inf ";
	for (size_t i = 0; i < PROBE_LEN; i++)
		buf[i] = (uint8_t)text[i % (sizeof(text) - 1)];
	if (rc == ERROR_SUCCESS)
		rc = yr_rules_scan_mem(rules, buf, PROBE_LEN, 0, probe_cb, NULL, YARC_TRIAL_SECS);
	free(buf);
	return rc;
}

/* In the child: its output goes to OUT (the parent keeps the first line:
 * libyara's assert message names what broke). */
static int trial_child(const uint8_t *data, size_t len, int out)
{
	dup2(out, STDOUT_FILENO);
	dup2(out, STDERR_FILENO);
	signal(SIGALRM, SIG_DFL);
	alarm(YARC_TRIAL_SECS);
	YR_RULES *rules = NULL;
	int yrc = load_mem(data, len, &rules);
	if (yrc != ERROR_SUCCESS)
		return TRIAL_LOAD_FAILED + (yrc > 0 && yrc < 64 ? yrc : 63);
	return probe(rules) == ERROR_SUCCESS ? TRIAL_OK : TRIAL_PROBE_FAILED;
}

/* The first line of the child's output that says something (a sanitizer's
 * report starts with a line of '='), control characters as '?'. */
static void first_line(const char *text, char *out, size_t len)
{
	out[0] = '\0';
	for (const char *line = text; *line; line += strcspn(line, "\n"), line += *line == '\n') {
		size_t n = strcspn(line, "\n");
		if (strcspn(line, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") >= n)
			continue;
		/* the assert's "rescue: " prefix is the program's name, not news */
		size_t me = strlen(program_invocation_short_name);
		if (n > me + 2 && strncmp(line, program_invocation_short_name, me) == 0 && line[me] == ':') {
			line += me + 2;
			n -= me + 2;
		}
		if (n > 200)
			n = 200;
		snprintf(out, len, "%.*s", (int)n, line);
		for (char *p = out; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		return;
	}
}

/* Load DATA in a child; RS_OK when it loaded and ran cleanly. */
static int trial(const char *path, const uint8_t *data, size_t len, struct rs_error *err)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "%s: cannot check the compiled rules", path);
	/* SIGCHLD ignored (inherited so) would reap the child before waitpid */
	struct sigaction dfl = { .sa_handler = SIG_DFL }, was;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &was);
	/* the child ends with _exit: it never flushes this process's stdio buffers */
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		sigaction(SIGCHLD, &was, NULL);
		close(fds[0]);
		close(fds[1]);
		return rs_fail_errno(err, RS_ETARGET, e, "%s: cannot check the compiled rules", path);
	}
	if (pid == 0) {
		close(fds[0]);
		_exit(trial_child(data, len, fds[1]));
	}
	close(fds[1]);
	char text[2048];
	size_t got = 0;
	for (;;) {
		char chunk[512];
		ssize_t n = read(fds[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		size_t keep = (size_t)n < sizeof(text) - 1 - got ? (size_t)n : sizeof(text) - 1 - got;
		memcpy(text + got, chunk, keep);
		got += keep;
	}
	text[got] = '\0';
	close(fds[0]);
	int status, w;
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	int werr = errno;
	sigaction(SIGCHLD, &was, NULL);
	if (w < 0)
		return rs_fail_errno(err, RS_ETARGET, werr, "%s: cannot check the compiled rules", path);
	char said[256];
	first_line(text, said, sizeof(said));
	if (WIFEXITED(status)) {
		int code = WEXITSTATUS(status);
		if (code == TRIAL_OK)
			return RS_OK;
		if (code == TRIAL_PROBE_FAILED)
			return rs_fail(err, RS_ETARGET, "%s: damaged compiled rules: they load but fail on a test scan",
				       path);
		if (code >= TRIAL_LOAD_FAILED && code < TRIAL_LOAD_FAILED + 64)
			return rs_fail(err, RS_ETARGET, "%s: cannot load compiled rules: %s (libyara error %d)", path,
				       load_error_text(code - TRIAL_LOAD_FAILED), code - TRIAL_LOAD_FAILED);
		return rs_fail(err, RS_ETARGET, "%s: damaged compiled rules: loading them failed (exit %d%s%s)", path,
			       code, said[0] ? ": " : "", said);
	}
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	if (sig == SIGALRM)
		return rs_fail(err, RS_ETARGET, "%s: damaged compiled rules: loading them did not finish in %d s", path,
			       YARC_TRIAL_SECS);
	return rs_fail(err, RS_ETARGET, "%s: damaged compiled rules: libyara crashed loading them (%s%s%s)", path,
		       strsignal(sig), said[0] ? ": " : "", said);
}

/* RS_OK when PATH.sum is absent or holds DATA's SHA-256 (its first 64
 * characters); a damaged file that libyara still loads would otherwise
 * scan with rules that quietly miss what they were written to find. */
static int check_sum(const char *path, const uint8_t *data, size_t len, struct rs_error *err)
{
	char sum_path[PATH_MAX];
	if (snprintf(sum_path, sizeof(sum_path), "%s%s", path, YARC_SUM_SUFFIX) >= (int)sizeof(sum_path))
		return RS_OK;
	uint8_t *want;
	size_t wlen;
	if (file_read_all(sum_path, 4096, &want, &wlen) != 0) {
		if (errno == ENOENT)
			return RS_OK;   /* rules compiled elsewhere: the child's trial alone */
		return rs_fail_errno(err, RS_ETARGET, errno, "%s: cannot read the digest of the compiled rules",
				     sum_path);
	}
	char have[65];
	sha256_hex(data, len, have);
	bool same = wlen >= 64 && strncasecmp((const char *)want, have, 64) == 0;
	free(want);
	if (!same)
		return rs_fail(err, RS_ETARGET, "%s: damaged compiled rules: their SHA-256 is not the one %s recorded "
			       "when they were compiled", path, sum_path);
	return RS_OK;
}

int yarc_load(const char *path, YR_RULES **out, struct rs_error *err)
{
	*out = NULL;
	uint8_t *data;
	size_t len;
	if (file_read_all(path, YARC_MAX_BYTES, &data, &len) != 0) {
		int e = errno;
		if (e == EINVAL)
			return rs_fail(err, RS_ETARGET, "%s: cannot read compiled rules: not a regular file", path);
		return rs_fail_errno(err, RS_ETARGET, e, "%s: cannot read compiled rules", path);
	}
	int rc = check_sum(path, data, len, err);
	if (rc == RS_OK)
		rc = trial(path, data, len, err);
	if (rc == RS_OK) {
		int yrc = load_mem(data, len, out);
		if (yrc != ERROR_SUCCESS)
			rc = rs_fail(err, RS_ETARGET, "%s: cannot load compiled rules: %s (libyara error %d)", path,
				     load_error_text(yrc), yrc);
	}
	free(data);
	return rc;
}
