/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rescue/scan/ioc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "rescue/base/confine.h"
#include "rescue/base/grow.h"

#define LINE_MAX_IOC 4096           /* longer lines are malformed (signature-base's longest: ~300) */

struct hash_entry {
	uint8_t d[32];
	const char *ns;
	char *desc;
};

struct name_entry {
	regex_t re, fp;
	bool has_fp;
	long score;
	char *text;                     /* the regex as written */
	char need[64];                  /* a literal every match holds ("" none): checked before regexec */
	bool icase;
	const char *desc;               /* the comment above it (in descs), or the regex */
	const char *ns;
};

struct strv {
	char **v;
	size_t n, cap;
};

struct rs_ioc {
	struct hash_entry *h[RS_IOC_NHASH];
	size_t nh[RS_IOC_NHASH], caph[RS_IOC_NHASH];
	bool sorted[RS_IOC_NHASH];
	struct name_entry *names;
	size_t nnames, capnames;
	struct strv c2names, c2ips;
	struct strv owned;              /* list names and filename comments the entries point into */
};

static const size_t hash_len[RS_IOC_NHASH] = { [RS_IOC_MD5] = 16, [RS_IOC_SHA1] = 20, [RS_IOC_SHA256] = 32 };
static const char *const hash_name[RS_IOC_NHASH] = { [RS_IOC_MD5] = "md5", [RS_IOC_SHA1] = "sha1",
						      [RS_IOC_SHA256] = "sha256" };

enum rs_ioc_kind rs_ioc_kind_of(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n < 4 || strcasecmp(base + n - 4, ".txt") != 0)
		return RS_IOC_NONE;
	if (strcasestr(base, "hash"))
		return RS_IOC_HASH;
	if (strcasestr(base, "filename"))
		return RS_IOC_FILENAME;
	if (strcasestr(base, "c2"))
		return RS_IOC_C2;
	return RS_IOC_NONE;
}

struct rs_ioc *rs_ioc_new(void)
{
	return calloc(1, sizeof(struct rs_ioc));
}

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* Keep a copy of S in V; the copy, or NULL. */
static char *strv_add(struct strv *v, const char *s)
{
	char **nv = grow_room(v->v, &v->cap, v->n, sizeof(*nv), 16);
	if (!nv)
		return NULL;
	v->v = nv;
	char *c = strdup(s);
	if (c)
		v->v[v->n++] = c;
	return c;
}

void rs_ioc_free(struct rs_ioc *s)
{
	if (!s)
		return;
	for (int k = 0; k < RS_IOC_NHASH; k++) {
		for (size_t i = 0; i < s->nh[k]; i++)
			free(s->h[k][i].desc);
		free(s->h[k]);
	}
	for (size_t i = 0; i < s->nnames; i++) {
		regfree(&s->names[i].re);
		if (s->names[i].has_fp)
			regfree(&s->names[i].fp);
		free(s->names[i].text);
	}
	free(s->names);
	strv_free(&s->c2names);
	strv_free(&s->c2ips);
	strv_free(&s->owned);
	free(s);
}

struct loader {
	struct rs_ioc *s;
	const char *path, *ns;
	long lineno;
	rs_ioc_warn_fn warn;
	void *user;
	const char *comment;            /* the last "# comment" (filename lists) */
};

static void bad_line(struct loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad_line(struct loader *l, const char *fmt, ...)
{
	char why[512], msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "%s:%ld: %s: line skipped", l->path, l->lineno, why);
	if (l->warn)
		l->warn(l->user, msg);
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int add_hash(struct loader *l, char *line)
{
	char *semi = strchr(line, ';');
	if (semi)
		*semi++ = '\0';
	size_t hl = strlen(line);
	int k = hl == 32 ? RS_IOC_MD5 : hl == 40 ? RS_IOC_SHA1 : hl == 64 ? RS_IOC_SHA256 : -1;
	struct hash_entry e = { .ns = l->ns };
	for (size_t i = 0; k >= 0 && i < hl; i += 2) {
		int a = hexval(line[i]), b = hexval(line[i + 1]);
		if (a < 0 || b < 0)
			k = -1;
		else
			e.d[i / 2] = (uint8_t)(a << 4 | b);
	}
	if (k < 0) {
		bad_line(l, "not \"MD5|SHA1|SHA256;description\"");
		return 0;
	}
	struct rs_ioc *s = l->s;
	struct hash_entry *nv = grow_room(s->h[k], &s->caph[k], s->nh[k], sizeof(*nv), 64);
	if (!nv)
		return -1;
	s->h[k] = nv;
	e.desc = strdup(semi ? semi : "");
	if (!e.desc)
		return -1;
	s->h[k][s->nh[k]++] = e;
	s->sorted[k] = false;
	return 1;
}

/* Append C to OUT (room for OUTLEN) at *N; false when full. */
static bool put(char *out, size_t outlen, size_t *n, const char *add)
{
	size_t k = strlen(add);
	if (*n + k + 1 > outlen)
		return false;
	memcpy(out + *n, add, k + 1);
	*n += k;
	return true;
}

/* A Python character class [...] from *PP (at its '[') as a POSIX bracket
 * expression appended to OUT; *PP left on its ']'.  POSIX takes a backslash
 * inside [...] as itself, so Python's escapes there are rewritten: \d \w \s
 * as classes, \] \^ \- as those characters in the places POSIX gives them
 * (']' first, '^' not first, '-' last). */
static int translate_class(const char **pp, char *out, size_t outlen, size_t *n, const char **why)
{
	const char *p = *pp + 1;
	bool neg = *p == '^';
	if (neg)
		p++;
	char members[LINE_MAX_IOC * 2] = "";
	size_t m = 0;
	bool rb = false, caret = false, dash = false;
	for (bool first = true; *p && (*p != ']' || first); p++, first = false) {
		char one[2] = { *p, '\0' };
		const char *add = one;
		if (*p == ']') {
			rb = true;
			continue;
		}
		if (*p == '\\') {
			char c = *++p;
			if (!c)
				break;
			add = c == 'd' ? "0-9" : c == 'w' ? "[:alnum:]_" : c == 's' ? "[:space:]" : NULL;
			if (c == ']' || c == '^' || c == '-') {
				rb |= c == ']';
				caret |= c == '^';
				dash |= c == '-';
				continue;
			}
			if (!add && (isalnum((unsigned char)c))) {
				*why = "an escape inside [...] with no POSIX form (\\D \\W \\S \\b...)";
				return -1;
			}
			if (!add) {
				one[0] = c;
				add = one;
			}
		}
		if (!put(members, sizeof(members), &m, add))
			return -1;
	}
	if (*p != ']') {
		*why = "an unclosed [";
		return -1;
	}
	if (!m && !rb && caret) {
		*why = "a class of only ^";
		return -1;
	}
	*pp = p;
	return put(out, outlen, n, neg ? "[^" : "[") && put(out, outlen, n, rb ? "]" : "") &&
	       put(out, outlen, n, members) && put(out, outlen, n, caret ? "^" : "") &&
	       put(out, outlen, n, dash ? "-]" : "]") ? 0 : -1;
}

int rs_ioc_regex_translate(const char *text, char *out, size_t outlen, bool *icase, const char **why)
{
	size_t n = 0;
	*icase = false;
	*why = "too long";
	out[0] = '\0';
	if (strncmp(text, "(?i)", 4) == 0) {
		*icase = true;
		text += 4;
	}
	for (const char *p = text; *p; p++) {
		char one[2] = { *p, '\0' }, two[3] = { '\\', p[0] ? p[1] : '\0', '\0' };
		const char *add = one;
		if (*p == '[') {
			if (translate_class(&p, out, outlen, &n, why) != 0)
				return -1;
			continue;
		}
		if (*p == '\\') {
			char c = p[1];
			if (!c) {
				*why = "ends in a lone backslash";
				return -1;
			}
			if (c == 'A' || c == 'Z' || c == 'z' || c == 'G' || (c >= '1' && c <= '9')) {
				*why = "Python-only escape (\\A, \\Z, back-reference)";
				return -1;
			}
			add = c == 'd' ? "[0-9]" : c == 'D' ? "[^0-9]" : two;
			p++;
		} else if (*p == '(' && p[1] == '?') {
			if (p[2] != ':') {
				*why = "Python-only group (look-around, inline flag or named group)";
				return -1;
			}
			add = "(";
			p += 2;
		} else if ((*p == '*' || *p == '+' || *p == '?' || *p == '}') && p[1] == '?') {
			p++;            /* lazy: the same yes/no answer as greedy */
		}
		if (!put(out, outlen, &n, add))
			return -1;
	}
	return 0;
}

/* End of the group or class at P ('(' or '['): the character after its
 * closing one, or NULL when it does not close. */
static const char *skip_group(const char *p)
{
	int depth = 0;
	bool in_class = false;
	const char *cls = NULL;
	for (; *p; p++) {
		if (*p == '\\') {
			if (!*++p)
				return NULL;
		} else if (in_class) {
			if (*p == ']' && p != cls + 1 && !(p == cls + 2 && cls[1] == '^'))
				in_class = false;
		} else if (*p == '[') {
			in_class = true;
			cls = p;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && --depth <= 0) {
			return p + 1;
		}
		if (!in_class && depth == 0)
			return p + 1;   /* a class at the top: its ']' */
	}
	return NULL;
}

/* Keep RUN (N bytes) in OUT when it is the longest so far, of 3 or more. */
static void keep_run(char *run, size_t n, char *out, size_t outlen)
{
	run[n] = '\0';
	if (n >= 3 && n > strlen(out) && n < outlen)
		memcpy(out, run, n + 1);
}

bool rs_ioc_regex_literal(const char *text, char *out, size_t outlen)
{
	bool icase = strncmp(text, "(?i)", 4) == 0;
	const char *p = icase ? text + 4 : text;
	out[0] = '\0';
	/* an alternation at the top: no literal is required */
	for (const char *q = p; q && *q;) {
		if (*q == '|')
			return icase;
		q = *q == '\\' ? q + (q[1] ? 2 : 1) : *q == '(' || *q == '[' ? skip_group(q) : q + 1;
	}
	/* the longest run of plain characters at the top level, outside groups
	 * and classes, none made optional by a quantifier after it */
	char run[256];
	size_t n = 0;
	while (p) {
		char c = *p;
		const char *after = p + 1;
		bool literal = c && !strchr(".^$|()[]{}*+?\\", c);
		if (c == '\\' && p[1] && !isalnum((unsigned char)p[1])) {
			c = p[1];
			after = p + 2;
			literal = true;
		}
		if (literal) {
			bool optional = *after == '*' || *after == '?' || *after == '{';
			if (!optional && n + 1 < sizeof(run))
				run[n++] = c;
			if (optional || *after == '+' || n + 1 >= sizeof(run)) {
				keep_run(run, n, out, outlen);
				n = 0;
			}
			p = after;
			continue;
		}
		keep_run(run, n, out, outlen);
		n = 0;
		if (!c)
			break;
		if (c == '(' || c == '[')
			p = skip_group(p);
		else if (c == '{')
			p = strchr(p, '}') ? strchr(p, '}') + 1 : NULL;
		else
			p += c == '\\' && p[1] ? 2 : 1;
	}
	return icase;
}

static bool compile(struct loader *l, const char *text, regex_t *re, const char *what)
{
	char ere[LINE_MAX_IOC * 3];
	bool icase;
	const char *why;
	if (rs_ioc_regex_translate(text, ere, sizeof(ere), &icase, &why) != 0) {
		bad_line(l, "%s: %s", what, why);
		return false;
	}
	int e = regcomp(re, ere, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
	if (e) {
		char msg[200];
		regerror(e, re, msg, sizeof(msg));
		bad_line(l, "%s: %s", what, msg);
		return false;
	}
	return true;
}

static int add_filename(struct loader *l, char *line)
{
	char *f2 = strchr(line, ';');
	if (!f2) {
		bad_line(l, "not \"REGEX;SCORE[;FALSE-POSITIVE REGEX]\"");
		return 0;
	}
	*f2++ = '\0';
	char *f3 = strchr(f2, ';');
	if (f3)
		*f3++ = '\0';
	char *end;
	errno = 0;
	long score = strtol(f2, &end, 10);
	if (!*line || end == f2 || *end || errno || score < 0 || score > 1000000) {
		bad_line(l, "score \"%s\" is not a number", f2);
		return 0;
	}
	struct name_entry e = { .score = score, .ns = l->ns };
	if (!compile(l, line, &e.re, "regex"))
		return 0;
	if (f3 && *f3) {
		if (!compile(l, f3, &e.fp, "false-positive regex")) {
			regfree(&e.re);
			return 0;
		}
		e.has_fp = true;
	}
	e.text = strdup(line);
	e.icase = rs_ioc_regex_literal(line, e.need, sizeof(e.need));
	e.desc = l->comment ? l->comment : e.text;
	struct rs_ioc *s = l->s;
	struct name_entry *nv = e.text ? grow_room(s->names, &s->capnames, s->nnames, sizeof(*nv), 64) : NULL;
	if (nv)
		s->names = nv;
	if (!e.text || s->nnames == s->capnames) {
		regfree(&e.re);
		if (e.has_fp)
			regfree(&e.fp);
		free(e.text);
		return -1;
	}
	s->names[s->nnames++] = e;
	return 1;
}

static bool host_name(const char *s)
{
	if (!*s || strlen(s) > 253 || !strchr(s, '.'))
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return false;
	return true;
}

static int add_c2(struct loader *l, char *line)
{
	char *semi = strchr(line, ';');
	if (semi)
		*semi = '\0';
	unsigned char addr[16];
	if (inet_pton(AF_INET, line, addr) == 1 || inet_pton(AF_INET6, line, addr) == 1)
		return strv_add(&l->s->c2ips, line) ? 1 : -1;
	for (char *p = line; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!host_name(line)) {
		bad_line(l, "\"%.80s\" is neither a host name nor an IP address", line);
		return 0;
	}
	return strv_add(&l->s->c2names, line) ? 1 : -1;
}

long rs_ioc_load(struct rs_ioc *s, enum rs_ioc_kind kind, const char *path, const char *ns, rs_ioc_warn_fn warn,
		 void *user)
{
	int fd = confine_open(path, O_RDONLY, 0);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	struct loader l = { .s = s, .path = path, .warn = warn, .user = user };
	l.ns = strv_add(&s->owned, ns);
	long added = 0;
	char line[LINE_MAX_IOC + 2];
	while (l.ns && fgets(line, sizeof(line), f)) {
		l.lineno++;
		size_t n = strlen(line);
		if (n && line[n - 1] != '\n' && !feof(f)) {
			int c;
			while ((c = getc(f)) != EOF && c != '\n')
				;
			bad_line(&l, "longer than %d bytes", LINE_MAX_IOC);
			continue;
		}
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		char *p = line + strspn(line, " \t");
		if (*p == '#') {
			/* LOKI names the filename entries below a comment by it */
			p += strspn(p, "# \t");
			if (kind == RS_IOC_FILENAME && *p)
				l.comment = strv_add(&s->owned, p);
			continue;
		}
		if (!*p)
			continue;
		int r = kind == RS_IOC_HASH ? add_hash(&l, p) : kind == RS_IOC_FILENAME ? add_filename(&l, p)
											: add_c2(&l, p);
		if (r < 0) {
			bad_line(&l, "out of memory");
			break;
		}
		added += r;
	}
	fclose(f);
	return added;
}

static int cmp_entry(const void *a, const void *b, void *len)
{
	return memcmp(((const struct hash_entry *)a)->d, ((const struct hash_entry *)b)->d, *(size_t *)len);
}

bool rs_ioc_wants(const struct rs_ioc *s, enum rs_ioc_hash k)
{
	return s && k < RS_IOC_NHASH && s->nh[k] > 0;
}

size_t rs_ioc_nhashes(const struct rs_ioc *s)
{
	return s ? s->nh[RS_IOC_MD5] + s->nh[RS_IOC_SHA1] + s->nh[RS_IOC_SHA256] : 0;
}

size_t rs_ioc_nfilenames(const struct rs_ioc *s)
{
	return s ? s->nnames : 0;
}

/* Sort each hash list once, before the first lookup (the scan's threads
 * only read it: rs_ioc_seal is called when the set is complete). */
void rs_ioc_seal(struct rs_ioc *s)
{
	for (int k = 0; s && k < RS_IOC_NHASH; k++)
		if (!s->sorted[k]) {
			size_t len = hash_len[k];
			if (s->nh[k] > 1)
				qsort_r(s->h[k], s->nh[k], sizeof(*s->h[k]), cmp_entry, &len);
			s->sorted[k] = true;
		}
}

bool rs_ioc_hash_lookup(const struct rs_ioc *s, enum rs_ioc_hash k, const uint8_t *digest,
			struct rs_ioc_hit *out)
{
	if (!rs_ioc_wants(s, k) || !s->sorted[k])
		return false;
	size_t lo = 0, hi = s->nh[k];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(s->h[k][mid].d, digest, hash_len[k]);
		if (c == 0) {
			*out = (struct rs_ioc_hit){ s->h[k][mid].ns, hash_name[k], s->h[k][mid].desc, -1 };
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

size_t rs_ioc_filename_match(const struct rs_ioc *s, const char *winpath, struct rs_ioc_hit *out, size_t max,
			     long *score)
{
	size_t n = 0;
	*score = 0;
	for (size_t i = 0; s && i < s->nnames; i++) {
		const struct name_entry *e = &s->names[i];
		/* a strstr costs a fraction of a regexec, and most paths lack the literal */
		if (e->need[0] && !(e->icase ? strcasestr(winpath, e->need) : strstr(winpath, e->need)))
			continue;
		if (regexec(&e->re, winpath, 0, NULL, 0) != 0)
			continue;
		if (e->has_fp && regexec(&e->fp, winpath, 0, NULL, 0) == 0)
			continue;
		*score += e->score;
		if (n < max)
			out[n] = (struct rs_ioc_hit){ e->ns, e->text, e->desc, e->score };
		n++;
	}
	return n < max ? n : max;
}

size_t rs_ioc_c2_nnames(const struct rs_ioc *s) { return s ? s->c2names.n : 0; }
const char *rs_ioc_c2_name(const struct rs_ioc *s, size_t i) { return s && i < s->c2names.n ? s->c2names.v[i] : NULL; }
size_t rs_ioc_c2_nips(const struct rs_ioc *s) { return s ? s->c2ips.n : 0; }
const char *rs_ioc_c2_ip(const struct rs_ioc *s, size_t i) { return s && i < s->c2ips.n ? s->c2ips.v[i] : NULL; }
