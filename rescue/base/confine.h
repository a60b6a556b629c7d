/* SPDX-License-Identifier: GPL-2.0-or-later */
/* confine.h - file operations that cannot leave the volume they work on.
 *
 * Everything on the Windows volume was written by the worm, rescue's own
 * Rescue/ folder included: any file can be a link (ntfs-3g shows an Interix
 * "IntxLNK" file, a junction or a symlink reparse point as a symbolic link)
 * and any name can be a FIFO.  Rescue runs as root, so one followed link in a
 * write would let the disk overwrite the RESCUE stick or the host.
 *
 * A confined root is a folder registered with confine_root_add() (the volume
 * root, by rs_ctx_open).  Every call below on a path under a registered root
 * is resolved by the kernel from the root's descriptor with no link followed
 * at any component and no way above the root (openat2 RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS; an O_NOFOLLOW walk where openat2 is missing).  A path
 * under no root (rescue's own files, the technician's) is opened as usual,
 * but even there only a regular file (or, asked for, a folder) is ever
 * opened: FIFOs and devices are refused without blocking.
 *
 * All calls return what the system call they stand for returns (-1 with errno
 * on failure).  A refusal of theirs sets errno ELOOP (a link), EXDEV (a way out
 * of the root) or EINVAL (not a regular file) and keeps a one-line reason
 * naming the offending component, which rs_fail_errno() prints instead of
 * strerror: "Rescue/backup is a link on the volume: not followed".
 *
 * Thread safety: roots are added and removed by the thread that opens a
 * target, before any worker thread runs; lookups only read the table. */
#ifndef RESCUE_CONFINE_H
#define RESCUE_CONFINE_H

#include <dirent.h>
#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Register ROOT (an absolute path, no trailing '/') as a confined root until
 * confine_root_remove(ROOT).  Registering the same root again nests (counted). */
int confine_root_add(const char *root);
void confine_root_remove(const char *root);

/* The same for a folder a person named (reports_dir, fleet's DIR), resolved
 * first (a relative name, a link on the way: the person's) into REAL, the
 * root to remove afterwards. */
int confine_root_add_dir(const char *dir, char real[PATH_MAX]);

/* open(2) for a regular file (or a folder with O_DIRECTORY).  Never follows a
 * link, never blocks on a FIFO, refuses anything that is neither. */
int confine_open(const char *path, int flags, mode_t mode);

/* opendir(3) of a folder, no link followed. */
DIR *confine_opendir(const char *path);

/* lstat(2): no link followed on the way; the last component as it is (a link
 * is reported as S_IFLNK, not refused). */
int confine_lstat(const char *path, struct stat *st);

/* The same, refusing (ELOOP, with the reason) a last component that is a link:
 * for walks that must stop at one rather than look at it. */
int confine_lstat_nolink(const char *path, struct stat *st);

/* mkdir(2); confine_mkdirs creates every missing folder of PATH, refusing a
 * component that exists and is not a folder (a link included). */
int confine_mkdir(const char *path, mode_t mode);
int confine_mkdirs(const char *path, mode_t mode);

/* unlink(2) and rmdir(2) of the last component (a link there is removed
 * itself, as on any file system: it is part of the volume). */
int confine_unlink(const char *path);
int confine_rmdir(const char *path);

/* rename(2) of FROM to TO, both under the same root; with NOREPLACE nonzero
 * it fails with EEXIST instead of replacing TO. */
int confine_rename(const char *from, const char *to, int noreplace);

/* link(2): TO, a new name (both under the same root) of the regular file
 * FROM; EEXIST when TO exists. */
int confine_link(const char *from, const char *to);

/* fchmod of the regular file or folder at PATH; only permission bits (0777)
 * are ever set: setuid, setgid and sticky bits from a manifest are dropped. */
int confine_chmod(const char *path, mode_t mode);

/* Create a new temporary file beside PATH, "NAME.rescue-tmp.XXXXXXXX" with a
 * random suffix, O_EXCL: never a name that exists.  Its path goes to TMP. */
int confine_tmpfile(const char *path, char *tmp, size_t tmplen);

/* A name for FD that no link can redirect, for libraries that take a file
 * name only (libhivex): "/proc/self/fd/N". */
const char *confine_fd_path(int fd, char buf[32]);

/* The reason of the last refusal on this thread when its errno is ERRNUM,
 * else NULL: the whole line ("Rescue is a link on the volume: not followed"),
 * the name alone ("Rescue") and the rest alone (" is a link on ..."). */
const char *confine_refusal(int errnum);
const char *confine_refusal_name(int errnum);
const char *confine_refusal_why(int errnum);

/* Extended attributes of the entry at PATH itself, as lgetxattr(2) & co.: a
 * link there is looked at, not followed (ntfs-3g keeps the reparse data and
 * the NTFS attribute word of a link on the link), and no link is followed on
 * the way to it.  Return what the system calls return. */
ssize_t confine_getxattr(const char *path, const char *name, void *value, size_t size);
ssize_t confine_listxattr(const char *path, char *list, size_t size);
int confine_setxattr(const char *path, const char *name, const void *value, size_t size, int flags);
int confine_removexattr(const char *path, const char *name);

/* confine_refusal(ERRNUM) when there is one, else strerror(ERRNUM): the
 * reason to print for a failed call of this module. */
const char *confine_strerror(int errnum);

#endif
