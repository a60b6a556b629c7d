/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hive/taskfile.h"

#include <expat.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/base/utf16.h"

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

/* ---- task XML ----
 * Parsed by expat (a real XML parser: prefixes, whitespace inside tags,
 * CDATA, character references, UTF-16 and UTF-8 are its business).  Task
 * files never carry a DOCTYPE, so one is refused before any of it is read:
 * no entity is ever declared, so none is expanded, and no external DTD or
 * entity is ever fetched (expat does not fetch without a handler anyway).
 * Elements are matched by namespace and local name; a file without the
 * namespace is read as well (listing too much is safe, hiding is not). */
#define TASK_NS          "http://schemas.microsoft.com/windows/2004/02/mit/task"
#define NS_SEP           '|'              /* expat's "URI|local": '|' is no name character */
#define XML_DEPTH_MAX    128              /* real tasks nest 4 deep */
#define XML_EXEC_MAX     64               /* Windows allows 32 actions per task */
#define XML_FIELD_MAX    ((size_t)64 << 10)

struct field {
	char *s;
	size_t len, cap;
};

struct xml_state {
	XML_Parser p;
	struct rs_error *err;
	int rc;                     /* RS_OK until a handler stops the parse */
	unsigned depth;
	bool root_seen;
	unsigned exec_depth;        /* depth of the open <Exec>, 0 when none */
	struct field *field;        /* the <Command>/<Arguments> being read, or NULL */
	unsigned field_depth;
	struct field cmd, args;     /* of the open <Exec> */
	bool have_cmd, have_args;   /* a second <Command> does not replace the first */
	struct task_exec *v;
	size_t n;
};

/* NAME (expat's "URI|local" or "local") as the task schema's LOCAL? */
static bool is_task_element(const XML_Char *name, const char *local)
{
	const char *sep = strrchr(name, NS_SEP);
	if (!sep)
		return strcmp(name, local) == 0;
	return strcmp(sep + 1, local) == 0 && (size_t)(sep - name) == strlen(TASK_NS) &&
	       strncmp(name, TASK_NS, strlen(TASK_NS)) == 0;
}

/* Stop the parse with a reason (the first one wins). */
__attribute__((format(printf, 3, 4)))
static void xml_stop(struct xml_state *st, int code, const char *fmt, ...)
{
	if (st->rc == RS_OK) {
		char why[256];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		st->rc = rs_fail(st->err, code, "%s", why);
	}
	XML_StopParser(st->p, XML_FALSE);
}

static void field_reset(struct field *f)
{
	free(f->s);
	memset(f, 0, sizeof(*f));
}

/* XML's white space (the only kind the schema trims). */
static bool xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* F's text with surrounding white space trimmed, malloc'd ("" when none). */
static char *field_text(const struct field *f)
{
	size_t b = 0, e = f->len;
	while (b < e && xml_space(f->s[b]))
		b++;
	while (e > b && xml_space(f->s[e - 1]))
		e--;
	return strndup(f->s ? f->s + b : "", e - b);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	(void)attrs;
	struct xml_state *st = ud;
	if (++st->depth > XML_DEPTH_MAX) {
		xml_stop(st, RS_ETARGET, "elements nested more than %d deep", XML_DEPTH_MAX);
		return;
	}
	if (!st->root_seen) {
		st->root_seen = true;
		const char *sep = strrchr(name, NS_SEP);
		if (is_task_element(name, "Task"))
			return;
		if (sep) {
			/* a URI may hold any character (&#10;, C1...): only
			 * printable ASCII goes into the one-line reason */
			char ns[97];
			size_t k = 0;
			for (const char *q = name; q < sep && k < sizeof(ns) - 1; q++)
				ns[k++] = *q >= 0x20 && *q < 0x7f ? *q : '?';
			ns[k] = '\0';
			xml_stop(st, RS_ETARGET, "not a task: the root element is <%.64s> in namespace %s", sep + 1, ns);
		} else
			xml_stop(st, RS_ETARGET, "not a task: the root element is <%.64s>", name);
		return;
	}
	if (st->field)
		return;
	if (!st->exec_depth && is_task_element(name, "Exec")) {
		if (st->n == XML_EXEC_MAX) {
			xml_stop(st, RS_ETARGET, "more than %d actions (Windows allows 32)", XML_EXEC_MAX);
			return;
		}
		st->exec_depth = st->depth;
		st->have_cmd = st->have_args = false;
	} else if (st->exec_depth && st->depth == st->exec_depth + 1) {
		if (!st->have_cmd && is_task_element(name, "Command")) {
			st->field = &st->cmd;
			st->have_cmd = true;
		} else if (!st->have_args && is_task_element(name, "Arguments")) {
			st->field = &st->args;
			st->have_args = true;
		}
		if (st->field)
			st->field_depth = st->depth;
	}
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	(void)name;
	struct xml_state *st = ud;
	if (st->field && st->depth == st->field_depth)
		st->field = NULL;
	if (st->exec_depth && st->depth == st->exec_depth) {
		struct task_exec *nv = realloc(st->v, (st->n + 1) * sizeof(*nv));
		char *c = field_text(&st->cmd), *a = field_text(&st->args);
		if (nv)
			st->v = nv;
		if (!nv || !c || !a) {
			free(c);
			free(a);
			xml_stop(st, RS_EPARTIAL, "out of memory");
		} else {
			st->v[st->n].command = c;
			st->v[st->n].arguments = a;
			st->n++;
		}
		field_reset(&st->cmd);
		field_reset(&st->args);
		st->exec_depth = 0;
	}
	st->depth--;
}

/* Text, CDATA sections and decoded references alike. */
static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct xml_state *st = ud;
	struct field *f = st->field;
	if (!f || len <= 0 || f->len >= XML_FIELD_MAX)
		return;
	size_t add = (size_t)len < XML_FIELD_MAX - f->len ? (size_t)len : XML_FIELD_MAX - f->len;
	if (f->len + add + 1 > f->cap) {
		size_t cap = f->cap ? f->cap : 256;
		while (cap < f->len + add + 1)
			cap *= 2;
		char *ns = realloc(f->s, cap);
		if (!ns) {
			xml_stop(st, RS_EPARTIAL, "out of memory");
			return;
		}
		f->s = ns;
		f->cap = cap;
	}
	memcpy(f->s + f->len, s, add);
	f->len += add;
	f->s[f->len] = '\0';
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
			       int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	xml_stop(ud, RS_ETARGET, "has a DOCTYPE (refused: task files have none, and it could declare entities)");
}

void task_exec_free(struct task_exec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].command);
		free(v[i].arguments);
	}
	free(v);
}

int taskxml_parse(const uint8_t *buf, size_t len, struct task_exec **out, size_t *n, struct rs_error *err)
{
	if (len > INT_MAX)
		return rs_fail(err, RS_ETARGET, "too large");
	struct xml_state st = { .err = err };
	st.p = XML_ParserCreateNS(NULL, NS_SEP);
	if (!st.p)
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	XML_SetUserData(st.p, &st);
	XML_SetElementHandler(st.p, on_start, on_end);
	XML_SetCharacterDataHandler(st.p, on_text);
	XML_SetStartDoctypeDeclHandler(st.p, on_doctype);
	XML_SetParamEntityParsing(st.p, XML_PARAM_ENTITY_PARSING_NEVER);
	if (XML_Parse(st.p, (const char *)buf, (int)len, XML_TRUE) != XML_STATUS_OK && st.rc == RS_OK) {
		enum XML_Error e = XML_GetErrorCode(st.p);
		unsigned long line = (unsigned long)XML_GetCurrentLineNumber(st.p);
		if (e == XML_ERROR_NO_ELEMENTS && !st.root_seen)
			st.rc = rs_fail(err, RS_ETARGET, "not XML (no element)");
		else if (e == XML_ERROR_NO_ELEMENTS)
			st.rc = rs_fail(err, RS_ETARGET, "parse error at line %lu: the file ends inside <Task> (cut short)", line);
		else
			st.rc = rs_fail(err, e == XML_ERROR_NO_MEMORY ? RS_EPARTIAL : RS_ETARGET,
					"parse error at line %lu: %s", line, XML_ErrorString(e));
	}
	XML_ParserFree(st.p);
	field_reset(&st.cmd);
	field_reset(&st.args);
	if (st.rc != RS_OK) {
		task_exec_free(st.v, st.n);
		return st.rc;
	}
	*out = st.v;
	*n = st.n;
	return RS_OK;
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
