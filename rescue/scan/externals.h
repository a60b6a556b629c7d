/* SPDX-License-Identifier: GPL-2.0-or-later */
/* externals.h - the YARA external variables every rule is compiled and
 * scanned with: those of LOKI and THOR Lite, with their meanings, so that
 * the signature-base rule set compiles and behaves as it does there, plus
 * rescue's own `relpath`.
 *
 *   filename   the file's name, last component ("evil.exe"; for an alternate
 *              data stream "FILE:STREAM")
 *   filepath   the folder holding it as Windows writes it, no trailing
 *              backslash except at the root: "C:\Users\bob\AppData", "C:\".
 *              The drive letter is always C: (the volume rescue cleans is the
 *              system volume; its letter on a running Windows is not on the
 *              volume itself).
 *   extension  the name's extension from its last dot, lower case, with the
 *              dot: ".exe"; "" without one (what LOKI's splitext gives)
 *   filetype   the file's kind from its first bytes, as LOKI names it: "EXE"
 *              for every MZ file (LOKI looks at the magic only, so a DLL is
 *              "EXE" too), "ELF", "MACH-O", "MDMP", "RTF", "PHP", "JSP", "ASP",
 *              "BATCH", "Python", "ZIP", ...; "" when none matches
 *   owner      the owner's user name as the file system shows it (ntfs-3g maps
 *              every file to one local user); "" when unknown
 *   relpath    rescue's own: the volume-relative path, '/'-separated
 *              ("Users/bob/AppData/Roaming/x.exe", "FILE:STREAM" for a stream)
 *
 * The default values (compile time) are all "": the built-in rules are
 * compiled with the options rules/yara-defines.c prints from rs_ext_name(). */
#ifndef RESCUE_EXTERNALS_H
#define RESCUE_EXTERNALS_H

#include <stddef.h>
#include <stdint.h>

enum rs_ext {
	RS_EXT_FILENAME,
	RS_EXT_FILEPATH,
	RS_EXT_EXTENSION,
	RS_EXT_FILETYPE,
	RS_EXT_OWNER,
	RS_EXT_RELPATH,
	RS_EXT_N
};

/* The external's name ("filename"...). */
const char *rs_ext_name(enum rs_ext e);

/* The values for one file.  Owned by the struct; rs_ext_values_free frees
 * them (a zeroed struct is fine). */
struct rs_ext_values {
	char *v[RS_EXT_N];
};

/* Fill OUT for the volume-relative REL (stream STREAM or NULL) whose first
 * LEN bytes are DATA, owned by OWNER (NULL: unknown).  -1 (ENOMEM) on failure,
 * OUT then freed. */
int rs_ext_values_fill(struct rs_ext_values *out, const char *rel, const char *stream, const uint8_t *data,
		       size_t len, const char *owner);
void rs_ext_values_free(struct rs_ext_values *x);

/* LOKI's name for the kind of a file beginning with DATA (LEN bytes); "" for
 * none.  Static. */
const char *rs_ext_filetype(const uint8_t *data, size_t len);

#endif
