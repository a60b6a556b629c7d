/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hive/hosts.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/base/datapath.h"
#include "rescue/base/fileutil.h"
#include "rescue/scan/rules.h"

#define HOSTS_LIST "c2-hosts.txt"

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) > 253)
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return false;
	return true;
}

/* Add NAME (already checked) unless it is there. */
static int add_name(struct hosts_names *out, const char *name)
{
	for (size_t i = 0; i < out->n; i++)
		if (strcmp(out->v[i], name) == 0)
			return 0;
	char **v = realloc(out->v, (out->n + 1) * sizeof(*v));
	if (!v)
		return -1;
	out->v = v;
	if (!(v[out->n] = strdup(name)))
		return -1;
	out->n++;
	return 0;
}

/* Where the names of one list go. */
struct name_sink {
	struct hosts_names *out;
	const char *path;
	struct rs_error *err;
};

static int add_list_name(void *user, char *entry, size_t lineno)
{
	const struct name_sink *sink = user;
	for (char *p = entry; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!valid_name(entry))
		return rs_fail(sink->err, RS_ETARGET, "%s line %zu: not a host name: %s", sink->path, lineno, entry);
	return add_name(sink->out, entry) != 0 ? rs_fail(sink->err, RS_EPARTIAL, "out of memory") : RS_OK;
}

static int load_list(const char *path, struct hosts_names *out, struct rs_error *err)
{
	struct name_sink sink = { out, path, err };
	int rc = file_each_entry(path, 16u << 20, add_list_name, &sink);
	return rc < 0 ? rs_fail_errno(err, RS_ETARGET, errno, "C2 host list %s", path) : rc;
}

/* A host name of LOKI's C2 IOC lists (rs_rules_c2_each), checked by the
 * list's reader: IP addresses are left to the firewall, malformed lines
 * skipped (`rules check` names them). */
static int add_ioc_name(void *user, const char *name, struct rs_error *err)
{
	return add_name(user, name) != 0 ? rs_fail(err, RS_EPARTIAL, "out of memory") : RS_OK;
}

int hosts_names_load(const char *extra, struct hosts_names *out, struct rs_error *err)
{
	memset(out, 0, sizeof(*out));
	char path[4096];
	if (rs_data_path(HOSTS_LIST, path, sizeof(path)) != 0)
		return rs_fail(err, RS_ETARGET, "%s not found (set RESCUE_DATA or install rescue's rules)",
			       HOSTS_LIST);
	int rc = load_list(path, out, err);
	if (rc == RS_OK && extra)
		rc = rs_rules_is_c2(extra) ? rs_rules_c2_each(extra, add_ioc_name, NULL, out, err)
					   : load_list(extra, out, err);
	if (rc)
		hosts_names_free(out);
	return rc;
}

void hosts_names_free(struct hosts_names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
	names->v = NULL;
	names->n = 0;
}

/* Find our block: [*begin, *end) covers its lines with their line ends. */
static bool find_block(const char *c, size_t len, size_t *begin, size_t *end)
{
	size_t b = SIZE_MAX;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(c + pos, '\n', len - pos);
		size_t next = nl ? (size_t)(nl - c) + 1 : len;
		if (b == SIZE_MAX && strncmp(c + pos, HOSTS_BEGIN, strlen(HOSTS_BEGIN)) == 0 &&
		    len - pos >= strlen(HOSTS_BEGIN))
			b = pos;
		else if (b != SIZE_MAX && len - pos >= strlen(HOSTS_END) &&
			 strncmp(c + pos, HOSTS_END, strlen(HOSTS_END)) == 0) {
			*begin = b;
			*end = next;
			return true;
		}
		pos = next;
	}
	return false;
}

static const char *line_end(const char *c, size_t len)
{
	/* Windows writes CRLF; keep whatever the file already uses. */
	const char *nl = memchr(c, '\n', len);
	if (!nl)
		return "\r\n";
	return (nl > c && nl[-1] == '\r') ? "\r\n" : "\n";
}

static char *render_block(const struct hosts_names *names, const char *eol)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "%s%s", HOSTS_BEGIN, eol);
	for (size_t i = 0; i < names->n; i++)
		fprintf(f, "0.0.0.0 %s%s", names->v[i], eol);
	fprintf(f, "%s%s", HOSTS_END, eol);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

enum hosts_state hosts_check(const char *content, size_t len, const struct hosts_names *names)
{
	size_t b, e;
	if (!find_block(content, len, &b, &e))
		return HOSTS_NO_BLOCK;
	char *want = render_block(names, line_end(content, len));
	if (!want)
		return HOSTS_BLOCK_OUTDATED;
	bool same = strlen(want) == e - b && memcmp(want, content + b, e - b) == 0;
	free(want);
	return same ? HOSTS_BLOCK_OK : HOSTS_BLOCK_OUTDATED;
}

int hosts_render(const char *content, size_t len, const struct hosts_names *names,
		 char **out, size_t *outlen)
{
	const char *eol = line_end(content, len);
	char *block = render_block(names, eol);
	if (!block)
		return -1;
	size_t b = len, e = len;
	bool had = find_block(content, len, &b, &e);
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	if (!f) {
		free(block);
		return -1;
	}
	fwrite(content, 1, b, f);
	/* A last line without its line end gets one, so our block starts on a
	 * line of its own. */
	if (!had && b > 0 && content[b - 1] != '\n')
		fputs(eol, f);
	fputs(block, f);
	fwrite(content + e, 1, len - e, f);
	free(block);
	if (fclose(f) != 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = blen;
	return 0;
}
