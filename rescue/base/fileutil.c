/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/fileutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rescue/base/confine.h"

int file_read_all(const char *path, size_t max, uint8_t **out, size_t *outlen)
{
	int fd = confine_open(path, O_RDONLY, 0);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	size_t cap = (size_t)st.st_size + 1, len = 0;
	uint8_t *buf = malloc(cap);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		if (len + 1 >= cap) {
			/* The file grew while we read it: follow, within MAX. */
			if (cap > max) {
				free(buf);
				close(fd);
				errno = EFBIG;
				return -1;
			}
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				errno = ENOMEM;
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

static int write_full(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void fsync_dir_of(const char *path)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", path);
	int dfd = confine_open(dirname(tmp), O_RDONLY | O_DIRECTORY, 0);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

/* Give FD the permission bits of PATH when it exists (never setuid, setgid
 * or sticky: those are not ours to copy), fsync it, rename TMP over PATH. */
static int commit_fd(int fd, const char *tmp, const char *path)
{
	struct stat st;
	if ((confine_lstat(path, &st) == 0 && S_ISREG(st.st_mode) && fchmod(fd, st.st_mode & 0777) != 0) ||
	    fsync(fd) != 0 || confine_rename(tmp, path, 0) != 0)
		return -1;
	fsync_dir_of(path);
	return 0;
}

int file_commit_tmp(const char *tmp, const char *path)
{
	int fd = confine_open(tmp, O_RDONLY, 0);
	int rc = fd < 0 ? -1 : commit_fd(fd, tmp, path);
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		confine_unlink(tmp);
	errno = e;
	return rc;
}

int file_write_atomic(const char *path, const void *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd = confine_tmpfile(path, tmp, sizeof(tmp));
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0644) != 0 || write_full(fd, data, len) != 0 || commit_fd(fd, tmp, path) != 0) {
		int e = errno;
		close(fd);
		confine_unlink(tmp);
		errno = e;
		return -1;
	}
	return close(fd);
}

int file_copy_new(const char *src, const char *dst)
{
	int in = confine_open(src, O_RDONLY, 0);
	if (in < 0)
		return -1;
	int out = confine_open(dst, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (out < 0) {
		int e = errno;
		close(in);
		errno = e;
		return -1;
	}
	char buf[65536];
	int rc = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n > 0 && write_full(out, buf, (size_t)n) != 0)) {
			rc = -1;
			break;
		}
		if (n == 0)
			break;
	}
	if (rc == 0 && fsync(out) != 0)
		rc = -1;
	int e = errno;
	close(in);
	if (close(out) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc != 0) {
		confine_unlink(dst);
		errno = e;
	}
	return rc;
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&c);
	sha256_update(&c, len, data);
	sha256_digest(&c, sizeof(d), d);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

char *text_next_line(char **cursor)
{
	char *line = *cursor;
	if (!line || !*line)
		return NULL;
	char *nl = strchr(line, '\n');
	if (nl)
		*nl++ = '\0';
	*cursor = nl;
	return line;
}

char *text_list_entry(char *line)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	while (isspace((unsigned char)*line))
		line++;
	char *e = line + strlen(line);
	while (e > line && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return line;
}

int file_each_entry(const char *path, size_t max, text_entry_fn fn, void *user)
{
	uint8_t *buf;
	size_t len;
	if (file_read_all(path, max, &buf, &len) != 0)
		return -1;
	int rc = 0;
	size_t lineno = 0;
	char *cursor = (char *)buf;
	for (char *line; rc == 0 && (line = text_next_line(&cursor));) {
		lineno++;
		char *entry = text_list_entry(line);
		if (*entry)
			rc = fn(user, entry, lineno);
	}
	free(buf);
	return rc;
}

int file_unique_name(const char *path, char *out, size_t outlen)
{
	struct stat st;
	if ((size_t)snprintf(out, outlen, "%s", path) >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (int i = 1; confine_lstat(out, &st) == 0; i++) {
		if (i > 9999) {
			errno = EEXIST;
			return -1;
		}
		if ((size_t)snprintf(out, outlen, "%s.%d", path, i) >= outlen) {
			errno = ENAMETOOLONG;
			return -1;
		}
	}
	return 0;
}
