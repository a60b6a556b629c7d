/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hive/taskfile.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/utf16.h"

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* ---- .job ([MS-TSCH] 2.4) ----
 * Fixed-length section, 0x44 bytes: 0x00 product version, 0x02 file version
 * (always 1), 0x04 job UUID (16), 0x14 offset of the application name's
 * length field, 0x16 trigger offset, then retry, idle, priority, run time,
 * exit code, status, flags and the last run time up to 0x44.  The
 * variable-length section starts with the running instance count (2 bytes)
 * and goes on with Unicode strings: a 2-byte count of UTF-16 characters
 * including the terminating NUL (0 = empty), then the characters.  The
 * first three are the application name, the parameters, the working
 * directory. */
#define JOB_FIXED_LEN     0x44
#define JOB_OFF_FILE_VER  0x02
#define JOB_OFF_APPNAME   0x14

/* Read the Unicode string at *OFF; advance *OFF past it. */
static char *job_string(const uint8_t *buf, size_t len, size_t *off)
{
	if (*off + 2 > len)
		return NULL;
	size_t chars = le16(buf + *off);
	*off += 2;
	if (chars > (len - *off) / 2)
		return NULL;
	char *s = utf16le_to_utf8(buf + *off, chars * 2);
	*off += chars * 2;
	return s;
}

int taskjob_parse(const uint8_t *buf, size_t len, char **app, char **params)
{
	if (len < JOB_FIXED_LEN + 2 || le16(buf + JOB_OFF_FILE_VER) != 1)
		return -1;
	size_t off = le16(buf + JOB_OFF_APPNAME);
	if (off < JOB_FIXED_LEN + 2 || off >= len)
		return -1;
	char *a = job_string(buf, len, &off);
	char *p = a ? job_string(buf, len, &off) : NULL;
	if (!a || !p) {
		free(a);
		free(p);
		return -1;
	}
	*app = a;
	*params = p;
	return 0;
}

/* ---- task XML ---- */

/* BUF as a NUL-terminated UTF-8 string (malloc'd). */
static char *xml_text(const uint8_t *buf, size_t len)
{
	if (len >= 2 && buf[0] == 0xff && buf[1] == 0xfe)
		return utf16le_to_utf8(buf + 2, len - 2);
	/* UTF-16LE without a byte order mark: "<\0" */
	if (len >= 2 && buf[0] == '<' && buf[1] == 0)
		return utf16le_to_utf8(buf, len);
	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf) {
		buf += 3;
		len -= 3;
	}
	char *s = malloc(len + 1);
	if (!s)
		return NULL;
	memcpy(s, buf, len);
	s[len] = '\0';
	return s;
}

/* Decode the five XML entities and numeric ASCII references in place. */
static void xml_unescape(char *s)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' },
	};
	char *o = s;
	for (char *p = s; *p;) {
		bool done = false;
		if (*p == '&') {
			for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]) && !done; i++) {
				size_t n = strlen(ents[i].ent);
				if (strncmp(p, ents[i].ent, n) == 0) {
					*o++ = ents[i].c;
					p += n;
					done = true;
				}
			}
			if (!done && p[1] == '#') {
				char *end;
				long v = p[2] == 'x' || p[2] == 'X' ? strtol(p + 3, &end, 16) : strtol(p + 2, &end, 10);
				if (*end == ';' && v > 0 && v < 0x80) {
					*o++ = (char)v;
					p = end + 1;
					done = true;
				}
			}
		}
		if (!done)
			*o++ = *p++;
	}
	*o = '\0';
}

/* The text of the first element NAME between FROM and TO, malloc'd ("" when
 * absent). */
static char *xml_element(const char *from, const char *to, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = from; p && p < to; p++) {
		p = strchr(p, '<');
		if (!p || p >= to)
			break;
		if (strncmp(p + 1, name, n) != 0 || (p[1 + n] != '>' && p[1 + n] != ' ' && p[1 + n] != '\t' &&
						       p[1 + n] != '\r' && p[1 + n] != '\n'))
			continue;
		const char *start = strchr(p, '>');
		if (!start || start >= to || start[-1] == '/')
			break;
		start++;
		const char *end = strstr(start, "</");
		if (!end || end > to)
			break;
		while (start < end && (*start == ' ' || *start == '\t' || *start == '\r' || *start == '\n'))
			start++;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
			end--;
		char *s = strndup(start, (size_t)(end - start));
		if (s)
			xml_unescape(s);
		return s;
	}
	return strdup("");
}

void task_exec_free(struct task_exec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].command);
		free(v[i].arguments);
	}
	free(v);
}

int taskxml_parse(const uint8_t *buf, size_t len, struct task_exec **out, size_t *n)
{
	char *text = xml_text(buf, len);
	if (!text)
		return -1;
	if (!strstr(text, "<Task")) {
		free(text);
		return -1;
	}
	struct task_exec *v = NULL;
	size_t count = 0;
	int rc = 0;
	for (const char *p = text; (p = strstr(p, "<Exec")) != NULL;) {
		p += 5;
		if (*p != '>' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			continue;
		const char *end = strstr(p, "</Exec>");
		if (!end)
			break;
		struct task_exec *nv = realloc(v, (count + 1) * sizeof(*nv));
		if (!nv) {
			rc = -1;
			break;
		}
		v = nv;
		v[count].command = xml_element(p, end, "Command");
		v[count].arguments = xml_element(p, end, "Arguments");
		count++;
		if (!v[count - 1].command || !v[count - 1].arguments) {
			rc = -1;
			break;
		}
		p = end;
	}
	free(text);
	if (rc) {
		task_exec_free(v, count);
		return -1;
	}
	*out = v;
	*n = count;
	return 0;
}

/* ---- .lnk ([MS-SHLLINK]) ----
 * Header 0x4C bytes: 0x00 header size (0x4C), 0x04 class id, 0x14 link flags.
 * Then, by flags: the target ID list (2-byte size + data), LinkInfo (4-byte
 * size; at +0x08 its flags, +0x10 offset of the local base path, +0x18
 * offset of the common path suffix, both NUL-terminated ANSI), then the
 * strings (2-byte count of characters, UTF-16 when IsUnicode): name,
 * relative path, working directory, arguments, icon location. */
#define LNK_HEADER_LEN        0x4c
#define LNK_HAS_IDLIST        0x0001
#define LNK_HAS_LINKINFO      0x0002
#define LNK_HAS_NAME          0x0004
#define LNK_HAS_RELPATH       0x0008
#define LNK_HAS_WORKDIR       0x0010
#define LNK_HAS_ARGS          0x0020
#define LNK_IS_UNICODE        0x0080
#define LNKINFO_LOCAL_PATH    0x0001

/* An ANSI string at OFF inside [BASE, BASE+SIZE), malloc'd. */
static char *lnk_ansi(const uint8_t *base, size_t size, size_t off)
{
	if (off >= size)
		return NULL;
	const uint8_t *nul = memchr(base + off, 0, size - off);
	if (!nul)
		return NULL;
	return strndup((const char *)base + off, (size_t)(nul - base - off));
}

static char *lnk_string(const uint8_t *buf, size_t len, size_t *off, bool unicode)
{
	if (*off + 2 > len)
		return NULL;
	size_t chars = le16(buf + *off);
	*off += 2;
	size_t bytes = unicode ? chars * 2 : chars;
	if (bytes > len - *off)
		return NULL;
	char *s = unicode ? utf16le_to_utf8(buf + *off, bytes) : strndup((const char *)buf + *off, bytes);
	*off += bytes;
	return s;
}

int lnk_parse(const uint8_t *buf, size_t len, char **target, char **args)
{
	if (len < LNK_HEADER_LEN || le32(buf) != LNK_HEADER_LEN)
		return -1;
	uint32_t flags = le32(buf + 0x14);
	size_t off = LNK_HEADER_LEN;
	if (flags & LNK_HAS_IDLIST) {
		if (off + 2 > len)
			return -1;
		off += 2 + le16(buf + off);
	}
	char *path = NULL;
	if (flags & LNK_HAS_LINKINFO) {
		if (off + 0x1c > len)
			return -1;
		size_t size = le32(buf + off);
		if (size < 0x1c || size > len - off)
			return -1;
		const uint8_t *li = buf + off;
		if (le32(li + 0x08) & LNKINFO_LOCAL_PATH) {
			char *base = lnk_ansi(li, size, le32(li + 0x10));
			char *suffix = lnk_ansi(li, size, le32(li + 0x18));
			if (base && base[0]) {
				size_t bl = strlen(base), sl = suffix ? strlen(suffix) : 0;
				path = malloc(bl + sl + 2);
				if (path) {
					memcpy(path, base, bl);
					size_t o = bl;
					if (sl && bl && base[bl - 1] != '\\')
						path[o++] = '\\';
					memcpy(path + o, suffix ? suffix : "", sl);
					path[o + sl] = '\0';
				}
			}
			free(base);
			free(suffix);
		}
		off += size;
	}
	bool unicode = flags & LNK_IS_UNICODE;
	char *relpath = NULL, *arguments = NULL;
	static const uint32_t strings[] = { LNK_HAS_NAME, LNK_HAS_RELPATH, LNK_HAS_WORKDIR, LNK_HAS_ARGS };
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		if (!(flags & strings[i]))
			continue;
		char *s = lnk_string(buf, len, &off, unicode);
		if (!s)
			break;
		if (strings[i] == LNK_HAS_RELPATH)
			relpath = s;
		else if (strings[i] == LNK_HAS_ARGS)
			arguments = s;
		else
			free(s);
	}
	if (!path && relpath && relpath[0]) {
		path = relpath;
		relpath = NULL;
	}
	free(relpath);
	if (!path) {
		free(arguments);
		return -1;
	}
	*target = path;
	*args = arguments ? arguments : strdup("");
	if (!*args) {
		free(path);
		return -1;
	}
	return 0;
}
