/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hive/cmdline.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *winenv_get(const struct winenv *e, const char *name)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcasecmp(e->v[i].name, name) == 0)
			return e->v[i].value;
	return NULL;
}

void winenv_set(struct winenv *e, const char *name, const char *value)
{
	char expanded[sizeof(e->v[0].value)];
	winenv_expand(e, value, expanded, sizeof(expanded));
	for (size_t i = 0; i < e->n; i++)
		if (strcasecmp(e->v[i].name, name) == 0) {
			snprintf(e->v[i].value, sizeof(e->v[i].value), "%s", expanded);
			return;
		}
	if (e->n >= WINENV_MAX)
		return;
	snprintf(e->v[e->n].name, sizeof(e->v[e->n].name), "%s", name);
	snprintf(e->v[e->n].value, sizeof(e->v[e->n].value), "%s", expanded);
	e->n++;
}

void winenv_default(struct winenv *e, const char *name, const char *value)
{
	if (!winenv_get(e, name))
		winenv_set(e, name, value);
}

int winenv_expand(const struct winenv *e, const char *in, char *out, size_t outlen)
{
	if (outlen == 0)
		return -1;
	size_t o = 0;
	int rc = 0;
	const char *p = in;
	while (*p) {
		const char *piece = p;
		size_t plen = 1;
		if (*p == '%') {
			const char *end = strchr(p + 1, '%');
			if (end && end > p + 1 && (size_t)(end - p - 1) < sizeof(e->v[0].name)) {
				char name[sizeof(e->v[0].name)];
				memcpy(name, p + 1, (size_t)(end - p - 1));
				name[end - p - 1] = '\0';
				const char *val = winenv_get(e, name);
				if (val) {
					piece = val;
					plen = strlen(val);
					p = end + 1;
				} else {
					/* unknown: keep "%NAME" and go on at the closing
					 * '%', which may open the next variable */
					plen = (size_t)(end - p);
					p = end;
				}
			} else {
				p++;
			}
		} else {
			p++;
		}
		if (o + plen >= outlen) {
			plen = outlen - 1 - o;
			rc = -1;
		}
		memcpy(out + o, piece, plen);
		o += plen;
		if (rc)
			break;
	}
	out[o] = '\0';
	return rc;
}

const char *cmdline_basename(const char *path)
{
	const char *b = path;
	for (const char *p = path; *p; p++)
		if (*p == '\\' || *p == '/')
			b = p + 1;
	return b;
}

static const char *const exec_exts[] = { ".exe", ".com", ".bat", ".cmd", ".scr", ".pif", ".dll", ".vbs",
					 ".js", ".ps1", ".hta", ".cpl", ".sys", ".lnk" };

static bool has_exec_ext(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(exec_exts) / sizeof(exec_exts[0]); i++) {
		size_t el = strlen(exec_exts[i]);
		if (n >= el && strncasecmp(s + n - el, exec_exts[i], el) == 0)
			return true;
	}
	return false;
}

static int copy_n(char *out, size_t outlen, const char *s, size_t n)
{
	if (n >= outlen)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int cmdline_split(const char *cmd, cmdline_exists_fn exists, void *ud, char *prog, size_t proglen,
		  const char **args)
{
	while (*cmd == ' ' || *cmd == '\t')
		cmd++;
	if (!*cmd)
		return -1;
	if (*cmd == '"') {
		const char *end = strchr(cmd + 1, '"');
		size_t n = end ? (size_t)(end - cmd - 1) : strlen(cmd + 1);
		if (n == 0 || copy_n(prog, proglen, cmd + 1, n) != 0)
			return -1;
		const char *rest = end ? end + 1 : cmd + 1 + n;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		*args = rest;
		return 0;
	}
	/* Unquoted: every blank is a possible end of the program. */
	size_t total = strlen(cmd);
	while (total > 0 && (cmd[total - 1] == ' ' || cmd[total - 1] == '\t'))
		total--;
	size_t first = 0, by_ext = 0, chosen = 0;
	for (size_t i = 0; i <= total; i++) {
		if (i < total && cmd[i] != ' ' && cmd[i] != '\t')
			continue;
		if (i == 0 || cmd[i - 1] == ' ' || cmd[i - 1] == '\t')
			continue;
		if (!first)
			first = i;
		if (!by_ext && has_exec_ext(cmd, i))
			by_ext = i;
		if (exists && i < proglen) {
			char cand[4096];
			if (copy_n(cand, sizeof(cand), cmd, i) == 0 && exists(cand, ud)) {
				chosen = i;
				break;
			}
		}
	}
	if (!chosen)
		chosen = by_ext ? by_ext : first;
	if (!chosen || copy_n(prog, proglen, cmd, chosen) != 0)
		return -1;
	const char *rest = cmd + chosen;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	*args = rest;
	return 0;
}

/* The next argument of ARGS into OUT (quotes removed); returns the rest or
 * NULL at the end. */
static const char *next_arg(const char *args, char *out, size_t outlen)
{
	while (*args == ' ' || *args == '\t')
		args++;
	if (!*args)
		return NULL;
	size_t o = 0;
	bool quoted = false;
	for (; *args && (quoted || (*args != ' ' && *args != '\t')); args++) {
		if (*args == '"') {
			quoted = !quoted;
			continue;
		}
		if (o + 1 < outlen)
			out[o++] = *args;
	}
	out[o] = '\0';
	return args;
}

struct host {
	const char *name;       /* stem of the host program */
	char cut;               /* the file name ends at this character ("x.dll,Entry") */
};

/* Programs that load the file named by their first non-option argument. */
static const struct host hosts[] = {
	{ "rundll32", ',' }, { "regsvr32", 0 }, { "wscript", 0 }, { "cscript", 0 }, { "mshta", 0 },
};

bool cmdline_hosted_file(const char *prog, const char *args, char *out, size_t outlen)
{
	const char *base = cmdline_basename(prog);
	const struct host *host = NULL;
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]) && !host; i++) {
		size_t n = strlen(hosts[i].name);
		if (strncasecmp(base, hosts[i].name, n) == 0 &&
		    (base[n] == '\0' || strcasecmp(base + n, ".exe") == 0))
			host = &hosts[i];
	}
	if (!host)
		return false;
	char arg[4096];
	while ((args = next_arg(args, arg, sizeof(arg))) != NULL) {
		/* options: /s, -s, /i:x, //B, //E:vbscript */
		if (arg[0] == '/' || arg[0] == '-' || arg[0] == '\0')
			continue;
		if (host->cut) {
			char *c = strchr(arg, host->cut);
			if (c)
				*c = '\0';
		}
		if (!arg[0])
			return false;
		snprintf(out, outlen, "%s", arg);
		return true;
	}
	return false;
}

/* Consonant pairs common in English words and program names; any other pair
 * of adjacent consonants counts towards "random". */
static const char common_pairs[] =
	"bl br ch ck cl cr dr fl fr gh gl gr kn ld lf lk ll lm lp ls lt mb mp ms nc nd ng nk ns nt ph pl "
	"pr ps pt rb rc rd rf rg rk rl rm rn rp rs rt sc sh sk sl sm sn sp st sw th tr ts tt wh wn wr ss "
	"ff mm nn pp rr dd gg bb cc zz ft xt rv nv wd ws dg";

static bool is_vowel(char c, bool y_vowel)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || (y_vowel && c == 'y');
}

bool cmdline_name_looks_random(const char *name)
{
	char s[256];
	size_t n = 0;
	const char *dot = strrchr(name, '.');
	size_t len = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	for (size_t i = 0; i < len && n + 1 < sizeof(s); i++)
		if (isalnum((unsigned char)name[i]))
			s[n++] = (char)tolower((unsigned char)name[i]);
	s[n] = '\0';
	if (n < 5)
		return false;

	size_t run = 0, letters = 0, vowels = 0, switches = 0, rare = 0;
	char prev_letter = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alpha = isalpha((unsigned char)c);
		if (i > 0 && (bool)isalpha((unsigned char)s[i - 1]) != alpha)
			switches++;
		if (!alpha) {
			run = 0;
			prev_letter = 0;
			continue;
		}
		letters++;
		if (is_vowel(c, false)) {
			vowels++;
			run = 0;
		} else if (++run >= 5) {
			return true;
		}
		if (prev_letter && !is_vowel(prev_letter, true) && !is_vowel(c, true)) {
			char pair[3] = { prev_letter, c, 0 };
			if (!strstr(common_pairs, pair))
				rare++;
		}
		prev_letter = c;
	}
	if (letters >= 6 && vowels * 5 < letters)
		return true;
	if (switches >= 4)
		return true;
	return rare >= 2 && rare * 4 >= letters;
}
