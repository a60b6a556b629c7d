/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rescue/scan/externals.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const ext_names[RS_EXT_N] = {
	[RS_EXT_FILENAME] = "filename",
	[RS_EXT_FILEPATH] = "filepath",
	[RS_EXT_EXTENSION] = "extension",
	[RS_EXT_FILETYPE] = "filetype",
	[RS_EXT_OWNER] = "owner",
	[RS_EXT_RELPATH] = "relpath",
};

const char *rs_ext_name(enum rs_ext e)
{
	return e < RS_EXT_N ? ext_names[e] : "?";
}

/* File kinds by their first bytes, under the names LOKI gives them; the
 * first that matches wins, so a longer magic comes before a shorter one it
 * begins with.  ICASE: the magic is text a person may write in any case. */
static const struct magic {
	const char *bytes;
	size_t len;
	bool icase;
	const char *type;
} magics[] = {
#define M(b, t) { b, sizeof(b) - 1, false, t }
#define T(b, t) { b, sizeof(b) - 1, true, t }
	M("MZ", "EXE"),
	M("\x7f" "ELF", "ELF"),
	M("\xfe\xed\xfa\xce", "MACH-O"), M("\xfe\xed\xfa\xcf", "MACH-O"),
	M("\xce\xfa\xed\xfe", "MACH-O"), M("\xcf\xfa\xed\xfe", "MACH-O"),
	M("\xca\xfe\xba\xbe", "MACH-O"),
	M("MDMP", "MDMP"),
	M("{\\rtf", "RTF"),
	T("<?php", "PHP"),
	M("<%@ page", "JSP"),       /* JSP's directive is lower case, ASP.NET's capitalised */
	M("<%@ Page", "ASP"),
	M("<%@", "ASP"),
	T("@echo off", "BATCH"),
	M("#!/usr/bin/python", "Python"), M("#!/usr/bin/env python", "Python"),
	M("#!/bin/sh", "SH"), M("#!/bin/bash", "SH"),
	M("PK\x03\x04", "ZIP"),
	M("Rar!\x1a\x07", "RAR"),
	M("7z\xbc\xaf\x27\x1c", "7Z"),
	M("\x1f\x8b", "GZIP"),
	M("MSCF", "CAB"),
	M("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE"),
	M("%PDF", "PDF"),
	M("regf", "REG"),
	M("L\0\0\0\x01\x14\x02\0", "LNK"),
	M("\x89PNG", "PNG"),
	M("GIF8", "GIF"),
	M("\xff\xd8\xff", "JPEG"),
#undef M
#undef T
};

const char *rs_ext_filetype(const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		const struct magic *m = &magics[i];
		if (len < m->len)
			continue;
		if (m->icase ? strncasecmp((const char *)data, m->bytes, m->len) == 0
			     : memcmp(data, m->bytes, m->len) == 0)
			return m->type;
	}
	return "";
}

/* "C:\" + the folder part of FP ('/' turned into '\'), no trailing '\'
 * except at the root. */
static char *windows_folder(const char *fp, size_t dirlen)
{
	char *s = malloc(dirlen + 4);
	if (!s)
		return NULL;
	memcpy(s, "C:\\", 3);
	for (size_t i = 0; i < dirlen; i++)
		s[3 + i] = fp[i] == '/' ? '\\' : fp[i];
	s[3 + dirlen] = '\0';
	return s;
}

int rs_ext_values_fill(struct rs_ext_values *out, const char *rel, const char *stream, const uint8_t *data,
		       size_t len, const char *owner)
{
	memset(out, 0, sizeof(*out));
	if (asprintf(&out->v[RS_EXT_RELPATH], "%s%s%s", rel, stream ? ":" : "", stream ? stream : "") < 0) {
		out->v[RS_EXT_RELPATH] = NULL;
		return -1;
	}
	const char *fp = out->v[RS_EXT_RELPATH];
	const char *slash = strrchr(rel, '/');
	const char *name = slash ? fp + (slash - rel) + 1 : fp;
	out->v[RS_EXT_FILENAME] = strdup(name);
	out->v[RS_EXT_FILEPATH] = windows_folder(fp, slash ? (size_t)(slash - rel) : 0);
	const char *dot = strrchr(name, '.');
	out->v[RS_EXT_EXTENSION] = strdup(dot && dot != name ? dot : "");
	if (out->v[RS_EXT_EXTENSION])
		for (char *p = out->v[RS_EXT_EXTENSION]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	out->v[RS_EXT_FILETYPE] = strdup(rs_ext_filetype(data, len));
	out->v[RS_EXT_OWNER] = strdup(owner ? owner : "");
	for (int i = 0; i < RS_EXT_N; i++)
		if (!out->v[i]) {
			rs_ext_values_free(out);
			return -1;
		}
	return 0;
}

void rs_ext_values_free(struct rs_ext_values *x)
{
	for (int i = 0; i < RS_EXT_N; i++) {
		free(x->v[i]);
		x->v[i] = NULL;
	}
}
