/* SPDX-License-Identifier: GPL-2.0-or-later */
/* upload.c - a small HTTP/1.1 PUT client over one TCP connection. */
#include "rescue/run/upload.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* The largest file sent: reports are a few hundred KiB, a console log a few
 * MiB; anything larger is not something we wrote. */
enum { UPLOAD_MAX_BYTES = 64 << 20 };

struct url {
	char host[256], port[8], path[1024];
};

/* "http://host[:port]/path" (IPv6 as [addr]); the path ends in '/'. */
static int url_parse(const char *s, struct url *u)
{
	if (strncmp(s, "http://", 7) != 0)
		return -1;
	s += 7;
	const char *slash = strchr(s, '/');
	size_t hostlen = slash ? (size_t)(slash - s) : strlen(s);
	const char *portsep = NULL;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', hostlen);
		if (!close)
			return -1;
		if (close + 1 < s + hostlen) {
			if (close[1] != ':')
				return -1;
			portsep = close + 1;
		}
		snprintf(u->host, sizeof(u->host), "%.*s", (int)(close - s - 1), s + 1);
	} else {
		portsep = memchr(s, ':', hostlen);
		snprintf(u->host, sizeof(u->host), "%.*s", (int)(portsep ? portsep - s : (long)hostlen), s);
	}
	if (portsep) {
		size_t plen = (size_t)(s + hostlen - portsep - 1);
		if (plen == 0 || plen >= sizeof(u->port) || strspn(portsep + 1, "0123456789") < plen)
			return -1;
		snprintf(u->port, sizeof(u->port), "%.*s", (int)plen, portsep + 1);
	} else {
		snprintf(u->port, sizeof(u->port), "80");
	}
	const char *path = slash ? slash : "/";
	size_t len = strlen(path);
	if (!u->host[0] || len + 2 > sizeof(u->path) || strpbrk(path, " \r\n"))
		return -1;
	snprintf(u->path, sizeof(u->path), "%s%s", path, path[len - 1] == '/' ? "" : "/");
	return 0;
}

/* NAME percent-encoded onto OUT; -1 when it does not fit or is a folder name. */
static int name_encode(const char *name, char *out, size_t outlen)
{
	if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -1;
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			     *p == '.' || *p == '_' || *p == '-';
		int n = plain ? snprintf(out + o, outlen - o, "%c", *p) : snprintf(out + o, outlen - o, "%%%02X", *p);
		if (n < 0 || (size_t)n >= outlen - o)
			return -1;
		o += (size_t)n;
	}
	return 0;
}

static int wait_fd(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;
	while ((r = poll(&p, 1, UPLOAD_TIMEOUT_SECS * 1000)) < 0 && errno == EINTR)
		;
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

/* A connected socket to U, non-blocking, or -1 with errno. */
static int connect_to(const struct url *u)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	if (getaddrinfo(u->host, u->port, &hints, &res) != 0) {
		errno = EHOSTUNREACH;
		return -1;
	}
	int fd = -1, saved = ECONNREFUSED;
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if ((connect(fd, a->ai_addr, a->ai_addrlen) == 0 ||
		     (errno == EINPROGRESS && wait_fd(fd, POLLOUT) == 0 &&
		      getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)))
			break;
		saved = soerr ? soerr : errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		errno = saved;
	return fd;
}

static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLOUT) != 0)
				return -1;
			continue;
		}
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The status code of the answer's first line, or -1. */
static int read_status(int fd)
{
	char buf[512];
	size_t got = 0;
	while (got < sizeof(buf) - 1 && !memchr(buf, '\n', got)) {
		if (wait_fd(fd, POLLIN) != 0)
			return -1;
		ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	buf[got] = '\0';
	int code;
	return sscanf(buf, "HTTP/1.%*[01] %3d", &code) == 1 ? code : -1;
}

int upload_put(const char *url, const char *path, const char *name, struct rs_error *err)
{
	struct url u;
	char enc[768];
	if (url_parse(url, &u) != 0)
		return rs_fail(err, RS_EUSAGE, "%s: not an http://host[:port]/folder/ address", url);
	if (name_encode(name, enc, sizeof(enc)) != 0)
		return rs_fail(err, RS_EUSAGE, "%s: not a file name to send", name);
	int in = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	if (in < 0 || fstat(in, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > UPLOAD_MAX_BYTES) {
		int e = in < 0 ? errno : S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		if (in >= 0)
			close(in);
		return rs_fail_errno(err, RS_EPARTIAL, e, "%s", path);
	}
	int fd = connect_to(&u);
	if (fd < 0) {
		int e = errno;
		close(in);
		return rs_fail_errno(err, RS_ETARGET, e, "report server %s:%s unreachable", u.host, u.port);
	}
	char head[2048];
	int hl = snprintf(head, sizeof(head),
			  "PUT %s%s HTTP/1.1\r\nHost: %s\r\nContent-Length: %lld\r\nContent-Type: "
			  "application/octet-stream\r\nConnection: close\r\n\r\n",
			  u.path, enc, u.host, (long long)st.st_size);
	int rc = RS_OK;
	if (hl < 0 || (size_t)hl >= sizeof(head) || send_all(fd, head, (size_t)hl) != 0) {
		rc = rs_fail_errno(err, RS_ETARGET, errno, "report server %s: sending %s", u.host, name);
	} else {
		char buf[64 << 10];
		off_t left = st.st_size;
		while (rc == RS_OK && left > 0) {
			ssize_t n = read(in, buf, sizeof(buf));
			if (n <= 0)
				rc = rs_fail_errno(err, RS_EPARTIAL, n < 0 ? errno : EIO, "%s: read", path);
			else if (send_all(fd, buf, (size_t)n) != 0)
				rc = rs_fail_errno(err, RS_ETARGET, errno, "report server %s: sending %s", u.host, name);
			else
				left -= n;
		}
		if (rc == RS_OK) {
			int code = read_status(fd);
			if (code < 200 || code > 299)
				rc = code < 0 ? rs_fail_errno(err, RS_ETARGET, errno, "report server %s: no answer for %s",
							      u.host, name)
					      : rs_fail(err, RS_EPARTIAL, "report server %s: %s refused (HTTP %d)", u.host,
							name, code);
		}
	}
	close(fd);
	close(in);
	return rc;
}
