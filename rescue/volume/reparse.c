/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/volume/reparse.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>

#include "rescue/base/confine.h"
#include "rescue/base/fileutil.h"

#define REPARSE_XATTR "system.ntfs_reparse_data"
#define REPARSE_MAX (16 * 1024)         /* MS-FSCC: the largest reparse buffer */

/* The tags a Windows disk carries in practice (values: MS-FSCC 2.1.2.1). */
static const struct reparse_row {
	uint32_t tag, mask;
	struct reparse_kind kind;
} reparse_rows[] = {
	{ REPARSE_TAG_MOUNT_POINT, ~0u, { REPARSE_LINK, "junction" } },
	{ REPARSE_TAG_SYMLINK, ~0u, { REPARSE_LINK, "symbolic link" } },
	{ 0xA000001Du, ~0u, { REPARSE_LINK, "WSL symbolic link" } },
	/* The zero-length files in WindowsApps that start a Store app. */
	{ 0x8000001Bu, ~0u, { REPARSE_LINK, "app execution alias" } },
	{ REPARSE_TAG_WOF, ~0u, { REPARSE_CONTENT, "compressed by Windows (WOF: CompactOS or WIMBoot)" } },
	{ REPARSE_TAG_CLOUD, REPARSE_TAG_CLOUD_MASK, { REPARSE_CONTENT, "OneDrive (cloud) file or folder" } },
	{ 0x80000021u, ~0u, { REPARSE_CONTENT, "OneDrive file" } },
	{ 0x80000013u, ~0u, { REPARSE_CONTENT, "deduplicated by Windows Server" } },
	{ 0x8000001Eu, ~0u, { REPARSE_CONTENT, "Azure File Sync file" } },
	{ 0x9000001Cu, ~0u, { REPARSE_CONTENT, "projected file (ProjFS)" } },
	{ 0xC0000004u, ~0u, { REPARSE_CONTENT, "moved to remote storage (HSM)" } },
	{ 0x80000006u, ~0u, { REPARSE_CONTENT, "moved to remote storage (HSM)" } },
	{ 0x80000007u, ~0u, { REPARSE_CONTENT, "single-instance storage (SIS)" } },
	{ 0x80000023u, ~0u, { REPARSE_SPECIAL, "WSL socket" } },
	{ 0x80000024u, ~0u, { REPARSE_SPECIAL, "WSL FIFO" } },
	{ 0x80000025u, ~0u, { REPARSE_SPECIAL, "WSL character device" } },
	{ 0x80000026u, ~0u, { REPARSE_SPECIAL, "WSL block device" } },
};

struct reparse_kind reparse_kind_of(uint32_t tag)
{
	for (size_t i = 0; i < sizeof(reparse_rows) / sizeof(reparse_rows[0]); i++)
		if ((tag & reparse_rows[i].mask) == reparse_rows[i].tag)
			return reparse_rows[i].kind;
	if (tag & REPARSE_TAG_NAME_SURROGATE)
		return (struct reparse_kind){ REPARSE_LINK, "reparse point (another name)" };
	return (struct reparse_kind){ REPARSE_CONTENT, "reparse point (unknown kind)" };
}

const char *reparse_describe(uint32_t tag, char *buf, size_t len)
{
	if (!tag)
		snprintf(buf, len, "symbolic link or junction");
	else
		snprintf(buf, len, "%s (reparse tag 0x%08x)", reparse_kind_of(tag).what, (unsigned)tag);
	return buf;
}

/* PATH's reparse data (the whole buffer, from its tag on) into B
 * (REPARSE_MAX bytes): its length, or -1 with errno (ENODATA: none). */
static ssize_t read_reparse(const char *path, unsigned char *b)
{
	ssize_t n = confine_getxattr(path, REPARSE_XATTR, b, REPARSE_MAX);
	if (n < 0 && errno == ERANGE)
		errno = EIO;
	else if (n >= 0 && n < 4)
		errno = ENODATA, n = -1;
	return n;
}

/* The tag, little-endian, comes first. */
static uint32_t tag_of(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

int reparse_tag_of_path(const char *path, uint32_t *tag)
{
	unsigned char b[REPARSE_MAX];
	if (read_reparse(path, b) < 0)
		return errno;
	*tag = tag_of(b);
	return 0;
}

/* ---- lifting ---- */

struct lifted {
	char path[PATH_MAX];            /* on the mount */
	char backup[PATH_MAX];
	unsigned char *data;
	size_t len;
};

struct reparse_lift {
	struct lifted *v;
	size_t n;
};

/* Wait until the mount shows PATH as something other than a link.  The
 * kernel still holds the old inode (a link) for a moment after its type
 * changed under it: the first look fails with EIO, the next one is fresh. */
static int settle(const char *path, bool want_link)
{
	struct stat st;
	for (int i = 0; i < 40; i++) {
		int r = confine_lstat(path, &st);
		if (r == 0 && S_ISLNK(st.st_mode) == want_link)
			return 0;
		if (r != 0 && errno != EIO)
			return errno;
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
	}
	return ETIMEDOUT;
}

static bool same_file_content(const char *path, const void *data, size_t len)
{
	uint8_t *had;
	size_t n;
	if (file_read_all(path, REPARSE_MAX, &had, &n) != 0)
		return false;
	bool same = n == len && memcmp(had, data, len) == 0;
	free(had);
	return same;
}

/* Put back one lifted reparse point and read it back. */
static int put_back(struct lifted *x, struct rs_error *err)
{
	struct stat st;
	if (confine_lstat(x->path, &st) != 0 && errno == ENOENT)
		return RS_OK;           /* quarantined: nothing to put back */
	unsigned char *b = malloc(REPARSE_MAX);
	ssize_t n = -1;
	int e = 0;
	if (!b)
		e = ENOMEM;
	else if (confine_setxattr(x->path, REPARSE_XATTR, x->data, x->len, 0) != 0)
		e = errno;
	else if ((n = confine_getxattr(x->path, REPARSE_XATTR, b, REPARSE_MAX)) < 0)
		e = errno;
	else if ((size_t)n != x->len || memcmp(b, x->data, x->len) != 0)
		e = EIO;
	free(b);
	if (!e)
		settle(x->path, true);
	if (e)
		return rs_fail_errno(err, RS_EPARTIAL, e, "%s: its reparse point (OneDrive) could not be put back; "
				     "a copy is in %s", x->path, x->backup);
	return RS_OK;
}

/* Lift the reparse point of PATH (REL in the volume), a folder or cloud
 * file the mount shows as a link, whose reparse data B (N bytes, a
 * REPARSE_MAX buffer) the lift takes over. */
static int lift_one(const struct rs_ctx *ctx, struct reparse_lift *l, const char *path, const char *rel,
		    unsigned char *b, size_t n, struct rs_error *err)
{
	struct lifted *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv) {
		free(b);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	l->v = nv;
	struct lifted *x = &l->v[l->n];
	memset(x, 0, sizeof(*x));
	snprintf(x->path, sizeof(x->path), "%s", path);
	x->data = b;
	x->len = n;

	/* The backup first, as for every change. */
	char dir[PATH_MAX], sub[64];
	snprintf(sub, sizeof(sub), "backup/%s/reparse", ctx->stamp);
	int rc = rs_ctx_rescue_dir(ctx, sub, dir, sizeof(dir), err);
	if (rc) {
		free(b);
		return rc;
	}
	char name[PATH_MAX];
	snprintf(name, sizeof(name), "%s/", dir);
	size_t o = strlen(name);
	for (const char *p = rel; *p && o + 1 < sizeof(name) - 4; p++)
		name[o++] = *p == '/' ? '_' : *p;
	snprintf(name + o, sizeof(name) - o, ".bin");
	if (same_file_content(name, b, x->len))
		snprintf(x->backup, sizeof(x->backup), "%s", name);    /* lifted before in this run */
	else if (file_unique_name(name, x->backup, sizeof(x->backup)) != 0 ||
		 file_write_atomic(x->backup, b, x->len) != 0) {
		int e = errno;
		free(b);
		return rs_fail_errno(err, RS_EPARTIAL, e, "cannot write a backup of %s's reparse point", rel);
	}
	if (confine_removexattr(path, REPARSE_XATTR) != 0) {
		int e = errno;
		free(b);
		return rs_fail_errno(err, RS_EPARTIAL, e, "%s: cannot set its reparse point aside", rel);
	}
	l->n++;
	int e = settle(path, false);
	if (e)
		return rs_fail_errno(err, RS_EPARTIAL, e, "%s: not readable with its reparse point set aside", rel);
	return RS_OK;
}

int reparse_lift(const struct rs_ctx *ctx, const char *rel, struct reparse_lift **out, struct rs_error *err)
{
	*out = NULL;
	struct reparse_lift *l = NULL;
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/", ctx->root);
	if (n < 0 || (size_t)n >= sizeof(path))
		return rs_fail(err, RS_EPARTIAL, "%s: path too long", rel);
	size_t base = (size_t)n;
	int rc = RS_OK;
	unsigned char *b = NULL;        /* reparse data, handed to lift_one */
	/* Each component in turn: the folders on the way, then REL itself. */
	for (const char *p = rel; *p && rc == RS_OK;) {
		const char *slash = strchr(p, '/');
		size_t end = slash ? (size_t)(slash - rel) : strlen(rel);
		if (base + end >= sizeof(path)) {
			rc = rs_fail(err, RS_EPARTIAL, "%s: path too long", rel);
			break;
		}
		memcpy(path + base, rel, end);
		path[base + end] = '\0';
		p = slash ? slash + 1 : rel + end;
		struct stat st;
		ssize_t len;
		/* A link before this component (not a reparse point lifted
		 * above) is refused here: for the caller to find too. */
		if (confine_lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
			continue;       /* a plain entry; a missing one is for the caller to find */
		if (!b && !(b = malloc(REPARSE_MAX))) {
			rc = rs_fail(err, RS_EPARTIAL, "out of memory");
			break;
		}
		if ((len = read_reparse(path, b)) < 0)
			continue;       /* a symbolic link ntfs-3g made, not a reparse point */
		uint32_t tag = tag_of(b);
		struct reparse_kind k = reparse_kind_of(tag);
		bool last = !slash;
		if (k.cls != REPARSE_CONTENT || (last && (tag & REPARSE_TAG_CLOUD_MASK) != REPARSE_TAG_CLOUD))
			continue;       /* a link, or a file the lift would not make readable */
		if ((rc = rs_ctx_check_writable(ctx, err)) != RS_OK)
			break;
		if (!l && !(l = calloc(1, sizeof(*l)))) {
			rc = rs_fail(err, RS_EPARTIAL, "out of memory");
			break;
		}
		char sub[PATH_MAX];
		snprintf(sub, sizeof(sub), "%.*s", (int)end, rel);
		rc = lift_one(ctx, l, path, sub, b, (size_t)len, err);
		b = NULL;
	}
	free(b);
	if (rc != RS_OK) {
		struct rs_error ignored;
		reparse_lift_end(l, &ignored);
		return rc;
	}
	*out = l;
	return RS_OK;
}

int reparse_lift_end(struct reparse_lift *l, struct rs_error *err)
{
	if (!l)
		return RS_OK;
	int rc = RS_OK;
	/* The innermost first: the file, then its folders outwards. */
	for (size_t i = l->n; i-- > 0;) {
		struct rs_error e1;
		if (put_back(&l->v[i], rc == RS_OK ? err : &e1) != RS_OK)
			rc = RS_EPARTIAL;
		free(l->v[i].data);
	}
	free(l->v);
	free(l);
	return rc;
}
