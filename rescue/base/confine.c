/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE /* openat2 flags, O_PATH, renameat2, strchrnul */
#include "rescue/base/confine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

/* A handful: the volume of each installation being worked on and the
 * RESCUE stick. */
#define CONFINE_MAX_ROOTS 16
/* openat2 answers EAGAIN when a rename raced the lookup: try again. */
#define CONFINE_OPENAT2_TRIES 8
/* Temporary names are random; a clash with an existing name is retried. */
#define CONFINE_TMP_TRIES 16

struct confine_root {
	char path[PATH_MAX];
	size_t len;
	int fd;
	int refs;
};

static struct confine_root roots[CONFINE_MAX_ROOTS];

/* The last refusal on this thread: the offending NAME, then WHY (" is a
 * link on the volume: not followed"), kept apart so that a message which
 * already ends with the name does not say it twice. */
static __thread struct {
	int errnum;
	char name[PATH_MAX];
	char msg[PATH_MAX + 64];
	size_t why;         /* where WHY starts in msg */
} refusal;

static int refuse(int errnum, const char *name, const char *why)
{
	snprintf(refusal.name, sizeof(refusal.name), "%s", name);
	snprintf(refusal.msg, sizeof(refusal.msg), "%s%s", name, why);
	refusal.why = strlen(refusal.msg) - strlen(why);
	refusal.errnum = errnum;
	errno = errnum;
	return -1;
}

#define WHY_LINK " is a link on the volume: not followed"

const char *confine_refusal(int errnum)
{
	return refusal.errnum && refusal.errnum == errnum ? refusal.msg : NULL;
}

const char *confine_refusal_name(int errnum)
{
	return confine_refusal(errnum) ? refusal.name : NULL;
}

const char *confine_refusal_why(int errnum)
{
	return confine_refusal(errnum) ? refusal.msg + refusal.why : NULL;
}

int confine_root_add(const char *root)
{
	size_t len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	if (len == 0 || len >= PATH_MAX || root[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	struct confine_root *free_slot = NULL;
	for (size_t i = 0; i < CONFINE_MAX_ROOTS; i++) {
		struct confine_root *r = &roots[i];
		if (r->refs && r->len == len && memcmp(r->path, root, len) == 0) {
			r->refs++;
			return 0;
		}
		if (!r->refs && !free_slot)
			free_slot = r;
	}
	if (!free_slot) {
		errno = EMFILE;
		return -1;
	}
	char path[PATH_MAX];
	memcpy(path, root, len);
	path[len] = '\0';
	/* The root itself is rescue's own mount folder (or the folder the
	 * technician named): trusted, so it may be reached through a link. */
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	memcpy(free_slot->path, path, len + 1);
	free_slot->len = len;
	free_slot->fd = fd;
	free_slot->refs = 1;
	return 0;
}

int confine_root_add_dir(const char *dir, char real[PATH_MAX])
{
	if (!realpath(dir, real))
		return -1;
	return confine_root_add(real);
}

void confine_root_remove(const char *root)
{
	size_t len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	for (size_t i = 0; i < CONFINE_MAX_ROOTS; i++) {
		struct confine_root *r = &roots[i];
		if (r->refs && r->len == len && memcmp(r->path, root, len) == 0) {
			if (--r->refs == 0)
				close(r->fd);
			return;
		}
	}
}

/* The innermost root holding PATH, and PATH relative to it ("." for the
 * root itself) in *REL; NULL when PATH is under no root. */
static const struct confine_root *root_of(const char *path, const char **rel)
{
	const struct confine_root *best = NULL;
	for (size_t i = 0; i < CONFINE_MAX_ROOTS; i++) {
		const struct confine_root *r = &roots[i];
		if (!r->refs || strncmp(path, r->path, r->len) != 0)
			continue;
		if (path[r->len] != '/' && path[r->len] != '\0' && !(r->len == 1))
			continue;
		if (!best || r->len > best->len)
			best = r;
	}
	if (best) {
		const char *p = path + best->len;
		while (*p == '/')
			p++;
		*rel = *p ? p : ".";
	}
	return best;
}

/* Close FD and give back RC, keeping the errno of the call that returned
 * it: every call here that works through a descriptor ends this way. */
static ssize_t close_keep_errno(int fd, ssize_t rc)
{
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* Open REL below DIRFD one component at a time, never following a link:
 * where the kernel has no openat2. */
static int walk_open(int dirfd, const char *rel, int flags, mode_t mode)
{
	int fd = dup(dirfd);
	if (fd < 0)
		return -1;
	const char *p = rel;
	for (;;) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		const char *next = end;
		while (*next == '/')
			next++;
		bool last = *next == '\0';
		char comp[NAME_MAX + 1];
		size_t n = (size_t)(end - p);
		if (n > NAME_MAX) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (strcmp(comp, "..") == 0) {
			close(fd);
			errno = EXDEV;
			return -1;
		}
		if (n == 0)
			strcpy(comp, ".");
		int nfd = last ? openat(fd, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode)
			       : openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(fd);
		if (nfd < 0) {
			errno = e;
			return -1;
		}
		if (last)
			return nfd;
		fd = nfd;
		p = next;
	}
}

static int open_beneath(const struct confine_root *r, const char *rel, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	for (int i = 0; i < CONFINE_OPENAT2_TRIES; i++) {
		long fd = syscall(SYS_openat2, r->fd, rel, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno == ENOSYS)
			return walk_open(r->fd, rel, flags, mode);
		if (errno != EAGAIN)
			return -1;
	}
	return -1;
}

/* After a failure inside a root: name the component that is a link, or the
 * ".." that leads out, as the reason of the refusal. */
static int explain(const struct confine_root *r, const char *rel, int e)
{
	if (e == EXDEV)
		return refuse(EXDEV, rel, " leads outside the volume: refused");
	if (e != ELOOP && e != ENOTDIR)
		return errno = e, -1;
	char prefix[PATH_MAX];
	snprintf(prefix, sizeof(prefix), "%s", rel);
	for (char *p = prefix;; p++) {
		bool end = *p == '\0';
		if (*p != '/' && !end)
			continue;
		char saved = *p;
		*p = '\0';
		struct stat st;
		if (fstatat(r->fd, prefix, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			return refuse(ELOOP, prefix, WHY_LINK);
		*p = saved;
		if (end)
			break;
	}
	return errno = e, -1;
}

/* Refuse an opened FD that is not what was asked for (a regular file, or a
 * folder with O_DIRECTORY), and give it back blocking when it was asked so. */
static int check_opened(int fd, int flags, const char *name)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return (int)close_keep_errno(fd, -1);
	bool want_dir = flags & O_DIRECTORY;
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		close(fd);
		if (S_ISFIFO(st.st_mode))
			return refuse(EINVAL, name, " is a FIFO, not a file: not read");
		return refuse(EINVAL, name, want_dir ? " is not a folder: refused" : " is not a regular file: refused");
	}
	int fl = fcntl(fd, F_GETFL);
	if (!(flags & O_NONBLOCK) && (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0))
		return (int)close_keep_errno(fd, -1);
	return fd;
}

int confine_open(const char *path, int flags, mode_t mode)
{
	refusal.errnum = 0;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer before we can
	 * see it is one; O_NOCTTY: a device node never becomes our terminal. */
	int oflags = flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	const char *rel;
	const struct confine_root *r = root_of(path, &rel);
	int fd;
	if (r) {
		fd = open_beneath(r, rel, oflags, mode);
		if (fd < 0 && errno != ENXIO)
			return explain(r, rel, errno);
	} else {
		fd = open(path, oflags, mode);
	}
	/* Opening a FIFO with no reader for writing, without blocking, or a
	 * socket, fails with ENXIO before it can be looked at. */
	if (fd < 0 && errno == ENXIO)
		return refuse(EINVAL, r ? rel : path, " is not a regular file: refused");
	if (fd < 0)
		return -1;
	return check_opened(fd, flags, r ? rel : path);
}

DIR *confine_opendir(const char *path)
{
	int fd = confine_open(path, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d)
		close_keep_errno(fd, -1);
	return d;
}

/* The folder holding PATH's last component, opened O_PATH, and that
 * component in BASE.  The last component may not be "", "." or "..". */
static int open_parent(const char *path, char *base, size_t baselen)
{
	refusal.errnum = 0;
	char dir[PATH_MAX];
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	char *slash = strrchr(dir, '/');
	const char *b = slash ? slash + 1 : dir;
	if (!*b || strcmp(b, ".") == 0 || strcmp(b, "..") == 0 || strlen(b) >= baselen) {
		errno = EINVAL;
		return -1;
	}
	snprintf(base, baselen, "%s", b);
	if (slash == dir)
		strcpy(dir, "/");
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	const char *rel;
	const struct confine_root *r = root_of(dir, &rel);
	if (!r)
		return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* The root's own parent is not ours to touch. */
	if (strlen(path) <= r->len) {
		errno = EXDEV;
		return -1;
	}
	int fd = open_beneath(r, rel, O_PATH | O_DIRECTORY, 0);
	return fd < 0 ? explain(r, rel, errno) : fd;
}

int confine_lstat(const char *path, struct stat *st)
{
	refusal.errnum = 0;
	const char *rel;
	const struct confine_root *r = root_of(path, &rel);
	if (r && strcmp(rel, ".") == 0)
		return fstat(r->fd, st);
	char base[NAME_MAX + 1];
	int dfd = open_parent(path, base, sizeof(base));
	if (dfd < 0)
		return -1;
	return (int)close_keep_errno(dfd, fstatat(dfd, base, st, AT_SYMLINK_NOFOLLOW));
}

int confine_lstat_nolink(const char *path, struct stat *st)
{
	if (confine_lstat(path, st) != 0)
		return -1;
	if (!S_ISLNK(st->st_mode))
		return 0;
	const char *rel;
	const struct confine_root *r = root_of(path, &rel);
	return refuse(ELOOP, r ? rel : path, WHY_LINK);
}

int confine_mkdir(const char *path, mode_t mode)
{
	char base[NAME_MAX + 1];
	int dfd = open_parent(path, base, sizeof(base));
	if (dfd < 0)
		return -1;
	return (int)close_keep_errno(dfd, mkdirat(dfd, base, mode));
}

int confine_mkdirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n + 1);
	const char *rel;
	const struct confine_root *r = root_of(path, &rel);
	/* Below a root, only what lies under it is ours to create. */
	char *p = buf + (r ? r->len : 0) + 1;
	for (;; p++) {
		bool end = *p == '\0';
		if (*p != '/' && !end)
			continue;
		*p = '\0';
		if (p > buf && p[-1] != '/' && confine_mkdir(buf, mode) != 0) {
			if (errno != EEXIST)
				return -1;
			struct stat st;
			if (confine_lstat(buf, &st) != 0)
				return -1;
			if (S_ISLNK(st.st_mode))
				return refuse(ELOOP, r ? buf + r->len + 1 : buf, WHY_LINK);
			if (!S_ISDIR(st.st_mode))
				return refuse(ENOTDIR, r ? buf + r->len + 1 : buf, " is not a folder: refused");
		}
		if (end)
			return 0;
		*p = '/';
	}
}

static int unlink_flags(const char *path, int flags)
{
	char base[NAME_MAX + 1];
	int dfd = open_parent(path, base, sizeof(base));
	if (dfd < 0)
		return -1;
	return (int)close_keep_errno(dfd, unlinkat(dfd, base, flags));
}

int confine_unlink(const char *path)
{
	return unlink_flags(path, 0);
}

int confine_rmdir(const char *path)
{
	return unlink_flags(path, AT_REMOVEDIR);
}

/* The folders of FROM and TO, opened (*FDIR, *TDIR), and their last
 * components.  Returns 0 or -1 with errno (nothing left open). */
static int open_parents(const char *from, const char *to, int *fdir, char fbase[NAME_MAX + 1], int *tdir,
			char tbase[NAME_MAX + 1])
{
	*fdir = open_parent(from, fbase, NAME_MAX + 1);
	if (*fdir < 0)
		return -1;
	*tdir = open_parent(to, tbase, NAME_MAX + 1);
	if (*tdir < 0)
		return (int)close_keep_errno(*fdir, -1);
	return 0;
}

int confine_rename(const char *from, const char *to, int noreplace)
{
	char fbase[NAME_MAX + 1], tbase[NAME_MAX + 1];
	int fdir, tdir;
	if (open_parents(from, to, &fdir, fbase, &tdir, tbase) != 0)
		return -1;
	int rc;
	if (noreplace) {
		rc = renameat2(fdir, fbase, tdir, tbase, RENAME_NOREPLACE);
		/* FUSE file systems may not know the flag; nothing else writes
		 * the volume while rescue runs, so a look first is as good. */
		if (rc != 0 && errno == EINVAL) {
			struct stat st;
			if (fstatat(tdir, tbase, &st, AT_SYMLINK_NOFOLLOW) == 0) {
				errno = EEXIST;
				rc = -1;
			} else {
				rc = renameat(fdir, fbase, tdir, tbase);
			}
		}
	} else {
		rc = renameat(fdir, fbase, tdir, tbase);
	}
	close_keep_errno(tdir, rc);
	return (int)close_keep_errno(fdir, rc);
}

int confine_link(const char *from, const char *to)
{
	char fbase[NAME_MAX + 1], tbase[NAME_MAX + 1];
	int fdir, tdir;
	if (open_parents(from, to, &fdir, fbase, &tdir, tbase) != 0)
		return -1;
	/* A regular file only: never another name for a link or a FIFO. */
	struct stat st;
	int rc = fstatat(fdir, fbase, &st, AT_SYMLINK_NOFOLLOW);
	if (rc == 0 && !S_ISREG(st.st_mode)) {
		errno = S_ISLNK(st.st_mode) ? ELOOP : EINVAL;
		rc = -1;
	}
	if (rc == 0)
		rc = linkat(fdir, fbase, tdir, tbase, 0);
	close_keep_errno(tdir, rc);
	return (int)close_keep_errno(fdir, rc);
}

int confine_chmod(const char *path, mode_t mode)
{
	struct stat st;
	if (confine_lstat(path, &st) != 0)
		return -1;
	int fd = confine_open(path, S_ISDIR(st.st_mode) ? O_RDONLY | O_DIRECTORY : O_RDONLY, 0);
	if (fd < 0)
		return -1;
	return (int)close_keep_errno(fd, fchmod(fd, mode & 0777));
}

int confine_tmpfile(const char *path, char *tmp, size_t tmplen)
{
	char base[NAME_MAX + 1];
	int dfd = open_parent(path, base, sizeof(base));
	if (dfd < 0)
		return -1;
	size_t dirlen = strlen(path) - strlen(base);
	/* NTFS names hold 255 characters: keep room for the suffix. */
	base[NAME_MAX - 32] = '\0';
	for (int i = 0; i < CONFINE_TMP_TRIES; i++) {
		uint32_t rnd;
		if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			break;
		char name[NAME_MAX + 1];
		snprintf(name, sizeof(name), "%s.rescue-tmp.%08x", base, rnd);
		if ((size_t)snprintf(tmp, tmplen, "%.*s%s", (int)dirlen, path, name) >= tmplen) {
			close(dfd);
			errno = ENAMETOOLONG;
			return -1;
		}
		int fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return (int)close_keep_errno(dfd, fd);
	}
	close(dfd);
	errno = EEXIST;
	return -1;
}

const char *confine_fd_path(int fd, char buf[32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* The entry at PATH itself (a link included) as an O_PATH descriptor, and
 * its "/proc/self/fd/N" name in BUF: an xattr call by that name reaches the
 * entry and nothing further (the kernel follows no link again after the
 * jump through /proc), like the l*xattr calls do on PATH. */
static int open_entry(const char *path, char buf[32])
{
	const char *rel;
	const struct confine_root *r = root_of(path, &rel);
	refusal.errnum = 0;
	int fd;
	if (!r) {
		fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	} else if (strcmp(rel, ".") == 0) {
		fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 0);
	} else {
		char base[NAME_MAX + 1];
		int dfd = open_parent(path, base, sizeof(base));
		if (dfd < 0)
			return -1;
		fd = (int)close_keep_errno(dfd, openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC));
	}
	if (fd >= 0)
		confine_fd_path(fd, buf);
	return fd;
}

ssize_t confine_getxattr(const char *path, const char *name, void *value, size_t size)
{
	char p[32];
	int fd = open_entry(path, p);
	return fd < 0 ? -1 : close_keep_errno(fd, getxattr(p, name, value, size));
}

ssize_t confine_listxattr(const char *path, char *list, size_t size)
{
	char p[32];
	int fd = open_entry(path, p);
	return fd < 0 ? -1 : close_keep_errno(fd, listxattr(p, list, size));
}

int confine_setxattr(const char *path, const char *name, const void *value, size_t size, int flags)
{
	char p[32];
	int fd = open_entry(path, p);
	return fd < 0 ? -1 : (int)close_keep_errno(fd, setxattr(p, name, value, size, flags));
}

int confine_removexattr(const char *path, const char *name)
{
	char p[32];
	int fd = open_entry(path, p);
	return fd < 0 ? -1 : (int)close_keep_errno(fd, removexattr(p, name));
}

const char *confine_strerror(int errnum)
{
	const char *why = confine_refusal(errnum);
	return why ? why : strerror(errnum);
}
