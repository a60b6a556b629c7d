/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rescue/run/learn.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "rescue/base/confine.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/grow.h"
#include "rescue/scan/ioc.h"

#define LEARN_READ_MAX (256u << 20)     /* an autostart target larger than this is not hashed */
#define LEARN_LIST_MAX (64u << 20)      /* a learned list larger than this is not rewritten */

void learn_free(struct learn *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* S as it may stand in a list line: control characters and ';' (the field
 * separator) become '?'. */
static void clean_text(char *dst, size_t len, const char *s)
{
	snprintf(dst, len, "%s", s ? s : "");
	for (char *p = dst; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == ';')
			*p = '?';
}

int learn_add(struct learn *l, const char *sha256, const char *name, const char *entry)
{
	if (strlen(sha256) != 64)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i].sha256, sha256) == 0) {
			if (entry && entry[0] && !l->v[i].entry[0])
				clean_text(l->v[i].entry, sizeof(l->v[i].entry), entry);
			return 0;
		}
	struct learn_item *nv = grow_room(l->v, &l->cap, l->n, sizeof(*nv), 8);
	if (!nv)
		return -1;
	l->v = nv;
	struct learn_item *it = &l->v[l->n++];
	snprintf(it->sha256, sizeof(it->sha256), "%s", sha256);
	for (char *p = it->sha256; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	clean_text(it->name, sizeof(it->name), name);
	clean_text(it->entry, sizeof(it->entry), entry);
	return 0;
}

void learn_name_entry(struct learn *l, const char *name, const char *entry)
{
	char clean[sizeof(l->v[0].name)];
	clean_text(clean, sizeof(clean), name);
	for (size_t i = 0; i < l->n; i++)
		if (!l->v[i].entry[0] && strcasecmp(l->v[i].name, clean) == 0)
			clean_text(l->v[i].entry, sizeof(l->v[i].entry), entry);
}

int learn_add_file(struct learn *l, struct rs_ctx *ctx, const char *rel, const char *entry)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", ctx->root, rel) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	uint8_t *data = NULL;
	size_t len = 0;
	if (file_read_all(path, LEARN_READ_MAX, &data, &len) != 0)
		return -1;
	char hex[65];
	sha256_hex(data, len, hex);
	free(data);
	return learn_add(l, hex, rel, entry);
}

int learn_dir_open(const char *partition, char out[PATH_MAX])
{
	char dir[PATH_MAX];
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", partition, LEARN_DIR) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	struct stat st;
	/* the stick itself is the technician's; below learned/ nothing is followed */
	if (lstat(dir, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return confine_root_add_dir(dir, out);
}

void learn_dir_close(const char *dir)
{
	confine_root_remove(dir);
}

int learn_save(const struct learn *l, const char *partition, const char *base, const char *machine,
	       const char *stamp, char *written, size_t wlen, struct rs_error *err)
{
	if (written && wlen)
		written[0] = '\0';
	if (!l->n)
		return RS_OK;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/%s", partition, LEARN_DIR);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "cannot create %s", dir);
	char root[PATH_MAX];
	if (learn_dir_open(partition, root) != 0)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "%s", dir);
	char who[64];
	clean_text(who, sizeof(who), machine && machine[0] ? machine : "UNKNOWN");
	char *text = NULL;
	size_t tlen = 0;
	FILE *f = open_memstream(&text, &tlen);
	int rc = RS_OK;
	if (!f) {
		rc = rs_fail(err, RS_EPARTIAL, "out of memory");
		goto out;
	}
	fprintf(f, "# rescue: what the run on %s at %s removed (`rescue rules forget HASH` drops a line)\n", who,
		stamp);
	for (size_t i = 0; i < l->n; i++) {
		const struct learn_item *it = &l->v[i];
		fprintf(f, "%s;learned from %s at %s: %s", it->sha256, who, stamp, it->name);
		if (it->entry[0])
			fprintf(f, " [autostart %s]", it->entry);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		rc = rs_fail(err, RS_EPARTIAL, "out of memory");
		goto out;
	}
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s-hashes.txt", root, base);
	if (file_write_atomic(path, text, tlen) != 0)
		rc = rs_fail_errno(err, RS_EPARTIAL, errno, "cannot write %s", path);
	else if (written)
		snprintf(written, wlen, "%s", path);
out:
	free(text);
	learn_dir_close(root);
	return rc;
}

/* "20261123T115500Z": the stamp learn_save writes. */
static bool is_stamp(const char *s)
{
	for (int i = 0; i < 16; i++)
		if (i == 8 ? s[i] != 'T' : i == 15 ? s[i] != 'Z' : !isdigit((unsigned char)s[i]))
			return false;
	return true;
}

int learn_parse_line(const char *line, struct learn_line *out, const char **why)
{
	static const char from[] = ";learned from ", autostart[] = " [autostart ";
	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#')
		return 1;
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < 64; i++) {
		if (!isxdigit((unsigned char)line[i])) {
			*why = "not a SHA-256 (64 hex digits) at the start";
			return -1;
		}
		out->sha256[i] = (char)tolower((unsigned char)line[i]);
	}
	if (strncmp(line + 64, from, sizeof(from) - 1) != 0) {
		*why = "not \"SHA256;learned from PC at STAMP: NAME\"";
		return -1;
	}
	/* the machine name is the worm's to choose: the first " at STAMP: " ends it */
	const char *who = line + 64 + sizeof(from) - 1, *at = who;
	while ((at = strstr(at, " at ")) != NULL && !(strnlen(at + 4, 18) >= 18 && is_stamp(at + 4) &&
						     at[20] == ':' && at[21] == ' '))
		at++;
	if (!at || at == who) {
		*why = "no \"PC at STAMP: \" after \"learned from\"";
		return -1;
	}
	snprintf(out->machine, sizeof(out->machine), "%.*s", (int)(at - who), who);
	snprintf(out->stamp, sizeof(out->stamp), "%.16s", at + 4);
	const char *name = at + 22, *end = name + strlen(name);
	while (end > name && end[-1] == '\r')     /* a list edited on Windows */
		end--;
	const char *ent = NULL;
	for (const char *p = name; (p = strstr(p, autostart)) != NULL; p++)
		ent = p;
	if (ent && ent < end && end[-1] == ']') {
		snprintf(out->entry, sizeof(out->entry), "%.*s", (int)(end - 1 - (ent + sizeof(autostart) - 1)),
			 ent + sizeof(autostart) - 1);
		end = ent;
	}
	if (end == name) {
		*why = "no file name";
		return -1;
	}
	snprintf(out->name, sizeof(out->name), "%.*s", (int)(end - name), name);
	return 0;
}

/* TEXT without the lines whose hash is SHA256, into a new buffer; the
 * number of lines dropped in *N. */
static char *drop_lines(char *text, const char *sha256, size_t *n, size_t *outlen)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	char *cur = text, *line;
	while ((line = text_next_line(&cur)) != NULL) {
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, sha256, 64) == 0 && (p[64] == ';' || p[64] == '\0' || isspace((unsigned char)p[64]))) {
			(*n)++;
			continue;
		}
		fprintf(f, "%s\n", line);
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	*outlen = len;
	return out;
}

int learn_forget(const char *dir, const char *sha256, size_t *removed, struct rs_error *err)
{
	*removed = 0;
	size_t hl = strlen(sha256);
	for (size_t i = 0; i < hl; i++)
		if (!isxdigit((unsigned char)sha256[i]))
			hl = 0;
	if (hl != 64)
		return rs_fail(err, RS_EUSAGE, "%s: not a SHA-256 (64 hex digits)", sha256);
	DIR *d = confine_opendir(dir);
	if (!d)
		return rs_fail_errno(err, RS_EUSAGE, errno, "%s", dir);
	int rc = RS_OK;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || rs_ioc_kind_of(e->d_name) != RS_IOC_HASH)
			continue;
		char path[PATH_MAX];
		struct stat st;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path) ||
		    confine_lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		uint8_t *text = NULL;
		size_t len = 0, n = 0, outlen = 0;
		if (file_read_all(path, LEARN_LIST_MAX, &text, &len) != 0) {
			rc = rs_fail_errno(err, RS_EPARTIAL, errno, "%s", path);
			continue;
		}
		char *kept = drop_lines((char *)text, sha256, &n, &outlen);
		free(text);
		if (!kept) {
			rc = rs_fail(err, RS_EPARTIAL, "out of memory");
			continue;
		}
		if (n && file_write_atomic(path, kept, outlen) != 0)
			rc = rs_fail_errno(err, RS_EPARTIAL, errno, "cannot rewrite %s", path);
		else
			*removed += n;
		free(kept);
	}
	closedir(d);
	return rc;
}
