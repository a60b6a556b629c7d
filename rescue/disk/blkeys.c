/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rescue/disk/blkeys.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rescue/base/confine.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/utf16.h"

static struct blk_key *new_key(struct blk_ring *r)
{
	if (r->n >= BLK_MAX_KEYS)
		return NULL;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct blk_key *k = calloc(cap, sizeof(*k));
		if (!k)
			return NULL;
		/* Not realloc: the old block would be freed with keys in it. */
		if (r->n)
			memcpy(k, r->keys, r->n * sizeof(*k));
		if (r->keys) {
			explicit_bzero(r->keys, r->cap * sizeof(*k));
			free(r->keys);
		}
		r->keys = k;
		r->cap = cap;
	}
	struct blk_key *k = &r->keys[r->n++];
	memset(k, 0, sizeof(*k));
	return k;
}

/* The checked password in its normal form "111111-222222-...". */
static void normalise(const uint8_t key[16], char out[BLK_PASSWORD])
{
	size_t n = 0;
	for (int g = 0; g < 8; g++)
		n += (size_t)snprintf(out + n, BLK_PASSWORD - n, "%s%06u", g ? "-" : "",
				      (unsigned)(key[2 * g] | key[2 * g + 1] << 8) * 11u);
}

int blk_add_typed(struct blk_ring *r, const char *pw, struct rs_error *err)
{
	uint8_t key[16];
	int rc = bl_check_password(pw, key, NULL, err);
	if (rc)
		return rc;
	struct blk_key *k = new_key(r);
	if (!k) {
		explicit_bzero(key, sizeof(key));
		return rs_fail(err, RS_EUSAGE, "too many recovery keys");
	}
	normalise(key, k->password);
	explicit_bzero(key, sizeof(key));
	return RS_OK;
}

/* A key ID at P: 8-4-4-4-12 hex digits, braces around or not.  Writes the
 * upper-case form into ID and returns the length consumed, or 0. */
static size_t guid_at(const char *p, char id[BL_GUID_TEXT])
{
	static const int groups[] = { 8, 4, 4, 4, 12 };
	size_t n = 0, o = 0;
	for (int g = 0; g < 5; g++) {
		if (g && p[n++] != '-')
			return 0;
		for (int d = 0; d < groups[g]; d++, n++) {
			if (!isxdigit((unsigned char)p[n]))
				return 0;
			id[o++] = (char)toupper((unsigned char)p[n]);
		}
		if (g < 4)
			id[o++] = '-';
	}
	id[o] = '\0';
	if (isxdigit((unsigned char)p[n]) || p[n] == '-')
		return 0;
	return n;
}

/* A recovery password at P: 8 groups of 6 digits joined by '-' (the form
 * every export writes), not part of a longer run of digits. */
static bool password_at(const char *p)
{
	for (int g = 0; g < 8; g++) {
		if (g && *p++ != '-')
			return false;
		for (int d = 0; d < 6; d++)
			if (!isdigit((unsigned char)*p++))
				return false;
	}
	return !isdigit((unsigned char)*p) && *p != '-';
}

/* One line: its key IDs, and its password (checked) when it has one. */
static void parse_line(struct blk_ring *r, const char *name, size_t lineno, const char *line,
		       struct blk_key *pending)
{
	struct blk_key k;
	memset(&k, 0, sizeof(k));
	bool has_pw = false, bad = false, digits = false;
	for (const char *p = line; *p; p++) {
		if (p > line && (isxdigit((unsigned char)p[-1]) || isdigit((unsigned char)p[-1]) || p[-1] == '-'))
			continue;   /* only at the start of a token */
		size_t n;
		char id[BL_GUID_TEXT];
		if ((n = guid_at(p, id))) {
			if (k.nids < BLK_IDS)
				memcpy(k.ids[k.nids++], id, sizeof(id));
			p += n - 1;
		} else if (!has_pw && !bad && password_at(p)) {
			uint8_t key[16];
			char pw[BLK_PASSWORD];
			memcpy(pw, p, 55);
			pw[55] = '\0';
			struct rs_error e;
			if (bl_check_password(pw, key, NULL, &e) == RS_OK) {
				normalise(key, k.password);
				has_pw = true;
			} else {
				bad = true;
				if (!r->bad++)
					snprintf(r->first_bad, sizeof(r->first_bad), "%s:%zu: a recovery password "
						 "whose checksum fails", name, lineno);
			}
			explicit_bzero(key, sizeof(key));
			explicit_bzero(pw, sizeof(pw));
			p += 54;
		} else if (isdigit((unsigned char)*p)) {
			size_t run = strspn(p, "0123456789");
			digits |= run >= 6;     /* a password that is not one: no ID waits for it */
			p += run - 1;
		}
	}
	if (has_pw && !k.nids && pending->nids) {
		memcpy(k.ids, pending->ids, sizeof(k.ids));
		k.nids = pending->nids;
	}
	if (has_pw && k.nids) {
		struct blk_key *slot = new_key(r);
		if (slot) {
			*slot = k;
			snprintf(slot->source, sizeof(slot->source), "%s", name);
		}
		pending->nids = 0;
	} else if (!has_pw && !bad && !digits && k.nids) {
		*pending = k;       /* the TXT: "Identifier:" then, lines below, the key */
	} else if (bad || digits) {
		pending->nids = 0;
	}
	explicit_bzero(&k, sizeof(k));
}

void blk_parse(struct blk_ring *r, const char *name, const unsigned char *text, size_t len)
{
	char *utf8;
	if (len >= 2 && text[0] == 0xff && text[1] == 0xfe)
		utf8 = utf16le_to_utf8(text + 2, (len - 2) & ~(size_t)1);
	else {
		size_t skip = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
		utf8 = malloc(len - skip + 1);
		if (utf8) {
			memcpy(utf8, text + skip, len - skip);
			utf8[len - skip] = '\0';
		}
	}
	if (!utf8)
		return;
	size_t ulen = strlen(utf8);
	struct blk_key pending;
	memset(&pending, 0, sizeof(pending));
	char *cur = utf8, *line;
	size_t lineno = 0;
	while ((line = text_next_line(&cur)))
		parse_line(r, name, ++lineno, line, &pending);
	explicit_bzero(utf8, ulen);
	free(utf8);
}

/* Read one file through confine (a regular file, no link) and parse it. */
static int load_file(struct blk_ring *r, const char *path, const char *name, struct rs_error *err)
{
	uint8_t *data;
	size_t len;
	if (file_read_all(path, BLK_MAX_FILE, &data, &len) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "key file %s", name);
	blk_parse(r, name, data, len);
	explicit_bzero(data, len);
	free(data);
	return RS_OK;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

int blk_load(struct blk_ring *r, const char *path, struct rs_error *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "recovery keys %s", path);
	if (!S_ISDIR(st.st_mode))
		return load_file(r, path, base_name(path), err);
	DIR *d = confine_opendir(path);
	if (!d)
		return rs_fail_errno(err, RS_ETARGET, errno, "recovery keys %s", path);
	struct dirent *de;
	int files = 0;
	while ((de = readdir(d)) && files < BLK_MAX_FILES) {
		if (de->d_name[0] == '.')
			continue;
		char sub[PATH_MAX];
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub))
			continue;
		struct stat fs;
		if (confine_lstat(sub, &fs) != 0 || !S_ISREG(fs.st_mode))
			continue;   /* folders, links, FIFOs: not key files */
		files++;
		/* Named as the technician sees it on the stick: "keys/<file>". */
		char name[sizeof(((struct blk_key *)0)->source)];
		snprintf(name, sizeof(name), "%s/%s", base_name(path), de->d_name);
		load_file(r, sub, name, NULL);     /* one unreadable file spoils no other */
	}
	closedir(d);
	return RS_OK;
}

const struct blk_key *blk_find(const struct blk_ring *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		for (int j = 0; j < r->keys[i].nids; j++)
			if (strcasecmp(r->keys[i].ids[j], id) == 0)
				return &r->keys[i];
	return NULL;
}

const struct blk_key *blk_typed(const struct blk_ring *r, size_t i)
{
	for (size_t k = 0; k < r->n; k++)
		if (!r->keys[k].nids && i-- == 0)
			return &r->keys[k];
	return NULL;
}

void blk_free(struct blk_ring *r)
{
	if (r->keys) {
		explicit_bzero(r->keys, r->cap * sizeof(*r->keys));
		free(r->keys);
	}
	memset(r, 0, sizeof(*r));
}
