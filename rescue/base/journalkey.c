/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/journalkey.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/hmac.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rescue/base/json.h"

/* Labels keep the MAC and the key id apart from any other use of the key. */
#define MAC_LABEL "rescue journal v1\n"
#define KID_LABEL "rescue journal key id\n"
#define KEY_TEXT_MAX 128            /* the key file: 64 hex digits, a newline, some slack */

static void to_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static void key_id(struct journal_key *k)
{
	struct sha256_ctx s;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&s);
	sha256_update(&s, sizeof(KID_LABEL) - 1, (const uint8_t *)KID_LABEL);
	sha256_update(&s, sizeof(k->key), k->key);
	sha256_digest(&s, sizeof(d), d);
	to_hex(d, JOURNAL_KID_HEX / 2, k->id);
}

/* The key file's text: 64 hex digits, then only white space. */
static int parse_key(const char *text, size_t len, struct journal_key *k)
{
	char hex[2 * JOURNAL_KEY_BYTES + 1];
	if (len < sizeof(hex) - 1)
		return -1;
	memcpy(hex, text, sizeof(hex) - 1);
	hex[sizeof(hex) - 1] = '\0';
	for (size_t i = sizeof(hex) - 1; i < len; i++)
		if (text[i] != '\n' && text[i] != '\r' && text[i] != ' ')
			return -1;
	uint8_t *bytes;
	size_t n;
	if (json_hex_decode(hex, &bytes, &n) != 0)
		return -1;
	bool right = n == sizeof(k->key);
	if (right)
		memcpy(k->key, bytes, sizeof(k->key));
	free(bytes);
	return right ? 0 : -1;
}

/* Read the key at DFD/journal.key: only a regular file, never through a
 * link, never blocking on a FIFO. */
static int read_key(int dfd, struct journal_key *k, struct rs_error *err)
{
	int fd = openat(dfd, JOURNAL_KEY_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 1 : rs_fail_errno(err, RS_ETARGET, errno, "journal key %s", k->where);
	struct stat st;
	char text[KEY_TEXT_MAX];
	ssize_t n = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= (off_t)sizeof(text))
		n = read(fd, text, sizeof(text));
	close(fd);
	if (n < 0 || parse_key(text, (size_t)n, k) != 0)
		return rs_fail(err, RS_ETARGET, "journal key %s is damaged (not 64 hex digits in a plain file); "
			       "remove it to start a new key, or point %s elsewhere", k->where, JOURNAL_KEY_ENV);
	return 0;
}

/* Whether errno E says the key store cannot be written (a write-protected
 * stick, a technician without root): no key store, not an error. */
static bool cannot_write(int e)
{
	return e == EROFS || e == EACCES || e == EPERM;
}

/* A new key at DFD/journal.key.  O_EXCL: a key made meanwhile by another
 * run wins (1: read it instead); 2 when the store cannot be written. */
static int make_key(int dfd, struct journal_key *k, struct rs_error *err)
{
	if (getrandom(k->key, sizeof(k->key), 0) != (ssize_t)sizeof(k->key))
		return rs_fail_errno(err, RS_ETARGET, errno, "journal key: no random bytes");
	int fd = openat(dfd, JOURNAL_KEY_FILE, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && cannot_write(errno))
		return 2;
	if (fd < 0)
		return errno == EEXIST ? 1 : rs_fail_errno(err, RS_ETARGET, errno, "cannot create journal key %s",
							   k->where);
	char text[2 * JOURNAL_KEY_BYTES + 2];
	to_hex(k->key, sizeof(k->key), text);
	text[2 * JOURNAL_KEY_BYTES] = '\n';
	bool ok = write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1 && fsync(fd) == 0;
	int e = errno;
	close(fd);
	if (!ok) {
		unlinkat(dfd, JOURNAL_KEY_FILE, 0);
		return rs_fail_errno(err, RS_ETARGET, e, "cannot write journal key %s", k->where);
	}
	return 0;
}

int journal_key_get(bool create, struct journal_key *k, struct rs_error *err)
{
	memset(k, 0, sizeof(*k));
	const char *dir = getenv(JOURNAL_KEY_ENV);
	if (dir && !dir[0]) {
		snprintf(k->where, sizeof(k->where), "no key store (%s is empty: no writable RESCUE partition)",
			 JOURNAL_KEY_ENV);
		return RS_OK;
	}
	if (!dir)
		dir = JOURNAL_KEY_DEFAULT;
	snprintf(k->where, sizeof(k->where), "%s/%s", dir, JOURNAL_KEY_FILE);
	if (create && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		if (!cannot_write(errno))
			return rs_fail_errno(err, RS_ETARGET, errno, "cannot create the journal key store %s", dir);
		snprintf(k->where, sizeof(k->where), "no key store (%s cannot be written: %s)", dir, strerror(errno));
		return RS_OK;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		if (!create && errno == ENOENT) {
			snprintf(k->where, sizeof(k->where), "no key store (%s does not exist)", dir);
			return RS_OK;
		}
		return rs_fail_errno(err, RS_ETARGET, errno, "journal key store %s", dir);
	}
	int rc = read_key(dfd, k, err);
	if (rc == 1 && create && (rc = make_key(dfd, k, err)) == 1)
		rc = read_key(dfd, k, err);
	close(dfd);
	if (rc == 2) {
		snprintf(k->where, sizeof(k->where), "no key store (%s cannot be written)", dir);
		return RS_OK;
	}
	if (rc == 1) {
		snprintf(k->where, sizeof(k->where), "no key in %s (no run signed with it yet)", dir);
		return RS_OK;
	}
	if (rc)
		return rc;
	k->have = true;
	key_id(k);
	return RS_OK;
}

void journal_mac(const struct journal_key *k, const char *prev, const char *body, size_t len,
		 char out[JOURNAL_MAC_HEX + 1])
{
	struct hmac_sha256_ctx h;
	uint8_t d[SHA256_DIGEST_SIZE];
	hmac_sha256_set_key(&h, sizeof(k->key), k->key);
	hmac_sha256_update(&h, sizeof(MAC_LABEL) - 1, (const uint8_t *)MAC_LABEL);
	/* PREV is fixed-length hex or empty, then a newline: the boundary
	 * between it and the body cannot shift. */
	hmac_sha256_update(&h, strlen(prev), (const uint8_t *)prev);
	hmac_sha256_update(&h, 1, (const uint8_t *)"\n");
	hmac_sha256_update(&h, len, (const uint8_t *)body);
	hmac_sha256_digest(&h, sizeof(d), d);
	to_hex(d, sizeof(d), out);
}
