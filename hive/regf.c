/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hive/regf.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "rescue/base/confine.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t regf_checksum(const uint8_t *block)
{
	uint32_t x = 0;
	for (size_t i = 0; i < 0x1FC; i += 4)
		x ^= le32(block + i);
	/* Windows never stores 0 or -1 as a checksum (they mean "not set"). */
	if (x == 0xFFFFFFFFu)
		x = 0xFFFFFFFEu;
	else if (x == 0)
		x = 1;
	return x;
}

int regf_parse_base(const uint8_t *buf, size_t len, struct regf_base *out, struct rs_error *err)
{
	if (len < 512 || memcmp(buf, "regf", 4) != 0)
		return rs_fail(err, RS_ETARGET, "not a registry hive (no regf signature)");
	struct regf_base b = {
		.seq1 = le32(buf + 0x04),
		.seq2 = le32(buf + 0x08),
		.major = le32(buf + 0x14),
		.minor = le32(buf + 0x18),
		.file_type = le32(buf + 0x1C),
		.bins_size = le32(buf + 0x28),
		.checksum = le32(buf + 0x1FC),
	};
	b.checksum_ok = b.checksum == regf_checksum(buf);
	*out = b;
	return RS_OK;
}

int regf_read_base(const char *path, struct regf_base *out, struct rs_error *err)
{
	uint8_t buf[512];
	int fd = confine_open(path, O_RDONLY, 0);
	if (fd < 0) {
		/* A refusal names the file on the volume itself. */
		const char *why = confine_refusal(errno);
		return why ? rs_fail(err, RS_ETARGET, "%s", why) : rs_fail_errno(err, RS_ETARGET, errno, "%s", path);
	}
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	int e = errno;
	close(fd);
	if (n < 0)
		return rs_fail_errno(err, RS_ETARGET, e, "%s", path);
	struct rs_error sub;
	if (regf_parse_base(buf, (size_t)n, out, &sub) != RS_OK)
		return rs_fail(err, RS_ETARGET, "%s: %s", path, sub.msg);
	return RS_OK;
}
