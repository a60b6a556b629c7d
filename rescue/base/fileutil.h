/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fileutil.h - whole-file reads, durable writes and copies, SHA-256.
 * All return 0 or -1 with errno set, so callers word the error themselves.
 * Every file operation goes through rescue/base/confine.h: below the volume root
 * no link is ever followed, and only regular files are read or written. */
#ifndef RESCUE_FILEUTIL_H
#define RESCUE_FILEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Read the whole file into a malloc'd buffer (NUL-terminated for text use,
 * the NUL not counted).  EFBIG when it is larger than MAX bytes. */
int file_read_all(const char *path, size_t max, uint8_t **out, size_t *outlen);

/* Write DATA to PATH durably: a new temporary file (random name, O_EXCL) in
 * the same folder, fsync, rename over PATH, fsync of the folder.  The file
 * keeps PATH's permission bits when it existed (0644 otherwise).  On failure
 * PATH is untouched. */
int file_write_atomic(const char *path, const void *data, size_t len);

/* Finish a write made to TMP (a file in PATH's folder): give it PATH's mode
 * when PATH exists, fsync it, rename it over PATH, fsync the folder.  TMP is
 * removed on failure. */
int file_commit_tmp(const char *tmp, const char *path);

/* Copy SRC to DST (created, fails with EEXIST when it exists), fsynced. */
int file_copy_new(const char *src, const char *dst);

/* SHA-256 of DATA as 64 lowercase hex digits + NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);

/* The next line of a NUL-terminated text being read in place: the line at
 * *CURSOR with its '\n' replaced by NUL (a '\r' before it is kept), and
 * *CURSOR moved past it.  NULL at the end of the text. */
char *text_next_line(char **cursor);

/* The entry of a list file's LINE, in place: a '#' comment cut off and the
 * white space around it removed; "" for a blank or comment line. */
char *text_list_entry(char *line);

/* Each entry of the list file PATH (at most MAX bytes; text_list_entry's,
 * blank and comment lines skipped) to FN with its line number, until FN
 * returns non-zero.  0, FN's non-zero return, or -1 with errno when PATH
 * cannot be read. */
typedef int (*text_entry_fn)(void *user, char *entry, size_t lineno);
int file_each_entry(const char *path, size_t max, text_entry_fn fn, void *user);

/* The same path with a numeric suffix (".1", ".2"...) when PATH exists,
 * into OUT: never overwrite an earlier backup. */
int file_unique_name(const char *path, char *out, size_t outlen);

#endif
