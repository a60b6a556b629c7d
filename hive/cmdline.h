/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmdline.h - what a Windows start-up command starts, worked out offline:
 * environment variables expanded for the installation on the disk (not for
 * the rescue system), the program split from its arguments the way Windows'
 * CreateProcess does it, the file a host program loads (rundll32, regsvr32,
 * script hosts), and whether a file name looks machine-made (random).
 * Pure functions over strings: the file system is asked through a callback,
 * so every rule here is unit-tested without a volume. */
#ifndef HIVE_CMDLINE_H
#define HIVE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* A set of environment variables, names matched case-insensitively as
 * Windows does.  Values are Windows paths or text ("C:\\Windows"). */
#define WINENV_MAX 48
struct winenv {
	struct { char name[40]; char value[512]; } v[WINENV_MAX];
	size_t n;
};

/* Set NAME to VALUE, expanding %VARS% in VALUE with what is already set
 * (registry values such as TEMP=%SystemRoot%\TEMP refer to others).  A
 * full table keeps the old entries and drops the new one. */
void winenv_set(struct winenv *e, const char *name, const char *value);
/* Set NAME only when it is not set yet (defaults after registry values). */
void winenv_default(struct winenv *e, const char *name, const char *value);
const char *winenv_get(const struct winenv *e, const char *name);

/* Expand %NAME% in IN into OUT.  Unknown names stay as written (as
 * ExpandEnvironmentStrings leaves them), "%%" is not special.  Returns 0, or
 * -1 when OUT is too small (OUT then holds a truncated, terminated string). */
int winenv_expand(const struct winenv *e, const char *in, char *out, size_t outlen);

/* Does the program named by the Windows path PROG (as typed, after
 * expansion) exist?  The callback decides (it may try PROG + ".exe"). */
typedef bool (*cmdline_exists_fn)(const char *prog, void *ud);

/* Split command line CMD into the program (PROG, quotes removed) and the
 * rest (*ARGS, borrowed from CMD, leading blanks skipped).  A quoted program
 * ends at its closing quote.  An unquoted one that holds blanks is tried
 * prefix by prefix, shortest first, as CreateProcess does
 * ("C:\\Program Files\\A B\\x.exe /q" -> "C:\\Program Files\\A B\\x.exe"):
 * the first prefix EXISTS accepts wins; when none does (the file is
 * missing), the shortest prefix ending in an executable extension, else the
 * first word.  EXISTS may be NULL (then no prefix exists).  Returns 0, or
 * -1 when CMD is empty or PROG too small. */
int cmdline_split(const char *cmd, cmdline_exists_fn exists, void *ud, char *prog, size_t proglen,
		  const char **args);

/* When PROG is a host that loads another file named in ARGS, copy that
 * file's path into OUT and return true: "rundll32.exe x.dll,Entry" -> x.dll,
 * "regsvr32 /s /i:arg x.dll" -> x.dll, "wscript //B x.vbs", "cscript",
 * "mshta x.hta".  False (OUT untouched) for any other program, or when ARGS
 * names no file. */
bool cmdline_hosted_file(const char *prog, const char *args, char *out, size_t outlen);

/* The last component of a Windows or Linux path (borrowed). */
const char *cmdline_basename(const char *path);

/* Does NAME (a file name; its extension is ignored) look machine-made, as
 * worms name their copies ("qzxvkwtp.dll", "a8f3k2x9.exe")?  The rules, on
 * the stem in lower case, ignoring all but letters and digits:
 *   - shorter than 5 characters: never (too little to judge);
 *   - a run of 5 or more consonants (y counted as one): "xkcdwq";
 *   - 6 or more letters of which under 1 in 5 is a vowel (a e i o u);
 *   - 4 or more switches between letters and digits: "a8f3k2" (not
 *     "win32dd1", a forensic tool's driver in a real hive);
 *   - among the letters, pairs of adjacent consonants that English words
 *     rarely hold (not in a list of common clusters: "st", "ch", "nd"...,
 *     y counted as a vowel here), at least 2 of them and at least one for
 *     every 4 letters: "qwhdkzvy".
 * Measured on random names of 8 lower-case letters it says yes to about
 * 9 in 10; on ordinary program names (OneDrive, Teams, GoogleUpdate,
 * Spotify, Discord, Dropbox, iTunesHelper, steamwebhelper...) no.  It is
 * only asked about files in user-writable folders, and it only flags. */
bool cmdline_name_looks_random(const char *name);

#endif
