/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hive/hive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rescue/base/journal.h"
#include "hive/recover.h"
#include "rescue/base/confine.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/utf16.h"
#include "rescue/base/winpath.h"

struct hive {
	struct rs_ctx *ctx;
	char rel[PATH_MAX];
	char file[PATH_MAX];
	unsigned flags;
	hive_h *h;
	struct regf_base base;
	struct hive_recovery rec;   /* dirty when opened? recovered? */
	struct recover_plan *plan;  /* a recovery to write before the first edit */
	struct hive_change *changes;
	size_t nchanges;
};

void reg_value_free(struct reg_value *v)
{
	if (!v)
		return;
	free(v->data);
	v->data = NULL;
	v->len = 0;
	v->present = false;
}

static int reg_value_copy(struct reg_value *dst, uint32_t type, const void *data, size_t len)
{
	dst->present = true;
	dst->type = type;
	dst->len = len;
	dst->data = malloc(len ? len : 1);
	if (!dst->data)
		return -1;
	if (len)
		memcpy(dst->data, data, len);
	return 0;
}

static bool reg_value_equal(const struct reg_value *a, const struct reg_value *b)
{
	if (a->present != b->present)
		return false;
	if (!a->present)
		return true;
	return a->type == b->type && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* libhivex opens whatever name it is given, following links: it gets the
 * descriptor of FILE opened here instead (a regular file, no link on the
 * way), by its /proc/self/fd name.  That name means nothing once FD is
 * closed, so hivex_commit is never called with NULL (its "same file"). */
static hive_h *hivex_open_confined(const char *file, int flags)
{
	int fd = confine_open(file, O_RDONLY, 0);
	if (fd < 0)
		return NULL;
	char name[32];
	hive_h *h = hivex_open(confine_fd_path(fd, name), flags);
	int e = errno;
	close(fd);
	errno = e;
	return h;
}

int hive_open(struct rs_ctx *ctx, const char *rel, unsigned flags, struct hive **out,
	      struct rs_error *err)
{
	char file[PATH_MAX];
	if (winpath_resolve(ctx->root, rel, file, sizeof(file)) != 0) {
		if (errno != ENOENT) /* a link or a FIFO on the way: named */
			return rs_fail_errno(err, RS_ETARGET, errno, "hive %s", rel);
		return rs_fail(err, RS_ETARGET, "hive %s is missing under %s", rel, ctx->root);
	}
	struct regf_base base;
	struct rs_error sub;
	if (regf_read_base(file, &base, &sub) != RS_OK)
		return rs_fail(err, RS_ETARGET, "hive %s: %s", rel, sub.msg);

	struct hive *h = calloc(1, sizeof(*h));
	if (!h)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "out of memory");
	h->ctx = ctx;
	h->flags = flags;
	h->base = base;
	snprintf(h->file, sizeof(h->file), "%s", file);
	snprintf(h->rel, sizeof(h->rel), "%s", winpath_relative(ctx->root, file));

	if (flags & HIVE_WRITE) {
		int rc = hive_check_writable(h, err);
		if (rc) {
			free(h);
			return rc;
		}
	}
	/* A dirty hive (its latest changes only in its logs) is replayed
	 * first: written back before an edit, or read from a private copy
	 * (hive/recover.h).  One without usable logs is refused for writing
	 * unless forced. */
	char src[PATH_MAX];
	bool temp = false;
	snprintf(src, sizeof(src), "%s", file);
	h->rec.seq1 = base.seq1;
	h->rec.seq2 = base.seq2;
	if (regf_is_dirty(&base) || !base.checksum_ok) {
		int rc = hive_recover_open(ctx, h->rel, file, flags & HIVE_WRITE, &h->rec, src, sizeof(src),
					   &temp, &h->plan, err);
		if (rc) {
			free(h);
			return rc;
		}
	}
	/* hivex reads the whole file into memory: edits stay there until
	 * hive_commit writes a new file. */
	h->h = hivex_open_confined(src, (flags & HIVE_WRITE) ? HIVEX_OPEN_WRITE : 0);
	int e = errno;
	if (temp)
		unlink(src);
	if (!h->h) {
		rs_fail_errno(err, RS_ETARGET, e, "hive %s cannot be read (damaged?)%s", h->rel,
			      temp ? " after replaying its transaction logs; nothing written" : "");
		recover_plan_free(h->plan);
		free(h);
		return RS_ETARGET;
	}
	*out = h;
	return RS_OK;
}

static void change_clear(struct hive_change *c)
{
	reg_value_free(&c->old);
	reg_value_free(&c->new_);
}

static void changes_clear(struct hive *h)
{
	for (size_t i = 0; i < h->nchanges; i++)
		change_clear(&h->changes[i]);
	free(h->changes);
	h->changes = NULL;
	h->nchanges = 0;
}

void hive_close(struct hive *h)
{
	if (!h)
		return;
	changes_clear(h);
	if (h->h)
		hivex_close(h->h);
	recover_plan_free(h->plan);
	free(h);
}

hive_h *hive_handle(struct hive *h) { return h->h; }
const char *hive_rel(const struct hive *h) { return h->rel; }
const char *hive_file(const struct hive *h) { return h->file; }
const struct regf_base *hive_base(const struct hive *h) { return &h->base; }
const struct hive_recovery *hive_recovery_info(const struct hive *h) { return &h->rec; }
size_t hive_pending(const struct hive *h) { return h->nchanges; }

const struct hive_change *hive_change_at(const struct hive *h, size_t i)
{
	return i < h->nchanges ? &h->changes[i] : NULL;
}

int hive_check_writable(const struct hive *h, struct rs_error *err)
{
	if (h->ctx->flags & RS_CTX_DRY_RUN)
		return RS_OK;
	int rc = rs_ctx_check_writable(h->ctx, err);
	if (rc)
		return rc;
	struct stat st;
	if (confine_lstat_nolink(h->file, &st) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "hive %s", h->rel);
	/* Root may write anything; a file without write bits is the read-only
	 * attribute of its NTFS volume (or a technician's chmod): respect it. */
	if (!(st.st_mode & 0222))
		return rs_fail(err, RS_ETARGET, "hive %s is read-only; not written", h->rel);
	return RS_OK;
}

int hive_expand_path(struct hive *h, const char *keypath, char *out, size_t outlen,
		     struct rs_error *err)
{
	while (*keypath == '\\')
		keypath++;
	if (strncasecmp(keypath, "CCS", 3) != 0 || (keypath[3] != '\\' && keypath[3] != '\0')) {
		if ((size_t)snprintf(out, outlen, "%s", keypath) >= outlen)
			return rs_fail(err, RS_EUSAGE, "key path too long");
		return RS_OK;
	}
	/* There is no CurrentControlSet offline: Select\Current names it. */
	uint32_t cur;
	if (hive_get_dword(h, "Select", "Current", &cur) != 0 || cur == 0 || cur > 999)
		return rs_fail(err, RS_ETARGET, "hive %s: no valid Select\\Current (not a SYSTEM hive?)", h->rel);
	if ((size_t)snprintf(out, outlen, "ControlSet%03u%s", cur, keypath + 3) >= outlen)
		return rs_fail(err, RS_EUSAGE, "key path too long");
	return RS_OK;
}

/* Walk an expanded path; with CREATE, add missing keys and record them. */
static hive_node_h walk(struct hive *h, const char *path, const char *item, bool create,
			struct rs_error *err)
{
	hive_node_h node = hivex_root(h->h);
	if (!node) {
		rs_fail(err, RS_ETARGET, "hive %s has no root key", h->rel);
		return 0;
	}
	const char *p = path;
	while (*p) {
		while (*p == '\\')
			p++;
		if (!*p)
			break;
		const char *end = strchr(p, '\\');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char name[256];
		if (n >= sizeof(name)) {
			rs_fail(err, RS_EUSAGE, "key name too long in %s", path);
			return 0;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		errno = 0;
		hive_node_h child = hivex_node_get_child(h->h, node, name);
		if (!child && errno != 0 && errno != ENOENT) {
			rs_fail_errno(err, RS_ETARGET, errno, "hive %s: reading %s", h->rel, path);
			return 0;
		}
		if (!child) {
			if (!create) {
				rs_error_clear(err);
				return 0;
			}
			child = hivex_node_add_child(h->h, node, name);
			if (!child) {
				rs_fail_errno(err, RS_EPARTIAL, errno, "hive %s: cannot create key %s", h->rel, name);
				return 0;
			}
			struct hive_change *v = realloc(h->changes, (h->nchanges + 1) * sizeof(*v));
			if (!v) {
				rs_fail(err, RS_EPARTIAL, "out of memory");
				return 0;
			}
			h->changes = v;
			struct hive_change *c = &h->changes[h->nchanges++];
			memset(c, 0, sizeof(*c));
			snprintf(c->item, sizeof(c->item), "%s", item);
			c->key_created = true;
			snprintf(c->key, sizeof(c->key), "%.*s", (int)(p + n - path), path);
		}
		node = child;
		p += n;
	}
	return node;
}

hive_node_h hive_lookup(struct hive *h, const char *keypath)
{
	char path[1024];
	struct rs_error err;
	if (hive_expand_path(h, keypath, path, sizeof(path), &err) != RS_OK)
		return 0;
	return walk(h, path, NULL, false, &err);
}

static int get_expanded(struct hive *h, const char *path, const char *name, struct reg_value *out,
			struct rs_error *err)
{
	memset(out, 0, sizeof(*out));
	struct rs_error sub = { 0 };
	hive_node_h node = walk(h, path, NULL, false, &sub);
	if (!node)
		return sub.code ? rs_fail(err, sub.code, "%s", sub.msg) : RS_OK;
	errno = 0;
	hive_value_h val = hivex_node_get_value(h->h, node, name);
	if (!val)
		return errno && errno != ENOENT ? rs_fail_errno(err, RS_ETARGET, errno, "hive %s: %s\\%s",
								 h->rel, path, name) : RS_OK;
	hive_type t;
	size_t len;
	char *data = hivex_value_value(h->h, val, &t, &len);
	if (!data)
		return rs_fail_errno(err, RS_ETARGET, errno, "hive %s: cannot read %s\\%s", h->rel, path, name);
	out->present = true;
	out->type = (uint32_t)t;
	out->len = len;
	out->data = (uint8_t *)data;
	return RS_OK;
}

int hive_get(struct hive *h, const char *keypath, const char *name, struct reg_value *out,
	     struct rs_error *err)
{
	char path[1024];
	memset(out, 0, sizeof(*out));
	int rc = hive_expand_path(h, keypath, path, sizeof(path), err);
	if (rc)
		return rc;
	return get_expanded(h, path, name, out, err);
}

int hive_get_dword(struct hive *h, const char *keypath, const char *name, uint32_t *out)
{
	struct reg_value v;
	struct rs_error err;
	if (hive_get(h, keypath, name, &v, &err) != RS_OK || !v.present)
		return -1;
	int rc = -1;
	/* Some installers store DWORD flags as 4-byte REG_BINARY; accept both. */
	if ((v.type == REGT_DWORD || v.type == REGT_BINARY) && v.len == 4) {
		*out = (uint32_t)v.data[0] | (uint32_t)v.data[1] << 8 | (uint32_t)v.data[2] << 16 |
		       (uint32_t)v.data[3] << 24;
		rc = 0;
	}
	reg_value_free(&v);
	return rc;
}

char *hive_get_string(struct hive *h, const char *keypath, const char *name)
{
	struct reg_value v;
	struct rs_error err;
	if (hive_get(h, keypath, name, &v, &err) != RS_OK || !v.present)
		return NULL;
	char *s = NULL;
	if (v.type == REGT_SZ || v.type == REGT_EXPAND_SZ)
		s = utf16le_to_utf8(v.data, v.len);
	reg_value_free(&v);
	return s;
}

static struct hive_change *add_change(struct hive *h, const char *item, const char *path,
				      const char *name, struct rs_error *err)
{
	struct hive_change *v = realloc(h->changes, (h->nchanges + 1) * sizeof(*v));
	if (!v) {
		rs_fail(err, RS_EPARTIAL, "out of memory");
		return NULL;
	}
	h->changes = v;
	struct hive_change *c = &h->changes[h->nchanges++];
	memset(c, 0, sizeof(*c));
	snprintf(c->item, sizeof(c->item), "%s", item);
	snprintf(c->key, sizeof(c->key), "%s", path);
	snprintf(c->value, sizeof(c->value), "%s", name);
	return c;
}

/* The first step of every edit: the hive must be open for writing, and
 * KEYPATH is expanded (ControlSet resolved) into PATH. */
static int edit_path(struct hive *h, const char *keypath, char *path, size_t len, struct rs_error *err)
{
	if (!(h->flags & HIVE_WRITE))
		return rs_fail(err, RS_EUSAGE, "hive %s was opened for reading", h->rel);
	return hive_expand_path(h, keypath, path, len, err);
}

int hive_set(struct hive *h, const char *item, const char *keypath, const char *name,
	     uint32_t type, const void *data, size_t len, struct rs_error *err)
{
	struct hive_value_edit e = { .name = name, .type = type, .data = data, .len = len };
	return hive_edit_values(h, item, keypath, &e, 1, err);
}

int hive_set_dword(struct hive *h, const char *item, const char *keypath, const char *name,
		   uint32_t v, struct rs_error *err)
{
	uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	return hive_set(h, item, keypath, name, REGT_DWORD, le, sizeof(le), err);
}

int hive_set_string(struct hive *h, const char *item, const char *keypath, const char *name,
		    const char *utf8, struct rs_error *err)
{
	return hive_set_sz(h, item, keypath, name, REGT_SZ, utf8, err);
}

int hive_sz_data(const char *utf8, uint8_t **out, size_t *len)
{
	uint8_t *w;
	size_t n;
	if (utf8_to_utf16le(utf8, &w, &n) != 0)
		return -1;
	/* REG_SZ data carries its terminating NUL character. */
	uint8_t *z = realloc(w, n + 2);
	if (!z) {
		free(w);
		return -1;
	}
	z[n] = z[n + 1] = 0;
	*out = z;
	*len = n + 2;
	return 0;
}

int hive_set_sz(struct hive *h, const char *item, const char *keypath, const char *name, uint32_t type,
		const char *utf8, struct rs_error *err)
{
	uint8_t *z;
	size_t n;
	if (hive_sz_data(utf8, &z, &n) != 0)
		return rs_fail(err, RS_EUSAGE, "not UTF-8: %s", utf8);
	int rc = hive_set(h, item, keypath, name, type, z, n, err);
	free(z);
	return rc;
}

int hive_delete_value(struct hive *h, const char *item, const char *keypath, const char *name,
		      struct rs_error *err)
{
	struct hive_value_edit e = { .name = name, .remove = true };
	return hive_edit_values(h, item, keypath, &e, 1, err);
}

/* The values of one key as libhivex sets them (each key and value malloc'd). */
struct value_list {
	hive_set_value *v;
	size_t n, cap;
};

static void value_list_free(struct value_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
}

/* Read every value of NODE (0: a missing key, no values) into L. */
static int value_list_read(struct hive *h, hive_node_h node, const char *path, struct value_list *l,
			   struct rs_error *err)
{
	memset(l, 0, sizeof(*l));
	if (!node)
		return RS_OK;
	hive_value_h *vals = hivex_node_values(h->h, node);
	if (!vals)
		return rs_fail_errno(err, RS_ETARGET, errno, "hive %s: reading %s", h->rel, path);
	size_t n = 0;
	while (vals[n])
		n++;
	l->cap = n + 1;
	l->v = calloc(l->cap, sizeof(*l->v));
	int rc = l->v ? RS_OK : rs_fail(err, RS_EPARTIAL, "out of memory");
	for (size_t i = 0; rc == RS_OK && i < n; i++) {
		hive_set_value *sv = &l->v[l->n];
		sv->key = hivex_value_key(h->h, vals[i]);
		sv->value = sv->key ? hivex_value_value(h->h, vals[i], &sv->t, &sv->len) : NULL;
		if (!sv->value) {
			rc = rs_fail_errno(err, RS_ETARGET, errno, "hive %s: reading %s", h->rel, path);
			free(sv->key);
			break;
		}
		l->n++;
	}
	free(vals);
	return rc;
}

/* Apply edit E to L: OLD gets what the value held (!present: absent),
 * *CHANGED whether E changes anything. */
static int value_list_apply(struct value_list *l, const struct hive_value_edit *e, struct reg_value *old,
			    bool *changed)
{
	memset(old, 0, sizeof(*old));
	*changed = false;
	size_t i = 0;
	while (i < l->n && strcasecmp(l->v[i].key, e->name) != 0)
		i++;
	if (i < l->n && reg_value_copy(old, (uint32_t)l->v[i].t, l->v[i].value, l->v[i].len) != 0)
		return -1;
	if (e->remove) {
		/* Every value of that name: a hostile hive may hold two. */
		size_t k = i;
		for (size_t j = i; j < l->n; j++) {
			if (strcasecmp(l->v[j].key, e->name) == 0) {
				free(l->v[j].key);
				free(l->v[j].value);
			} else {
				l->v[k++] = l->v[j];
			}
		}
		*changed = k < l->n;
		l->n = k;
		return 0;
	}
	struct reg_value want = { .present = true, .type = e->type, .len = e->len, .data = (uint8_t *)e->data };
	if (reg_value_equal(old, &want))
		return 0;
	if (i == l->n && l->n == l->cap) {
		hive_set_value *v = realloc(l->v, (l->cap * 2 + 1) * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = l->cap * 2 + 1;
	}
	char *key = strdup(e->name), *data = malloc(e->len ? e->len : 1);
	if (!key || !data) {
		free(key);
		free(data);
		return -1;
	}
	if (e->len)
		memcpy(data, e->data, e->len);
	if (i == l->n)
		l->n++;
	else {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	/* As libhivex's own hivex_node_set_value: in place, the name as given. */
	l->v[i] = (hive_set_value){ .key = key, .t = (hive_type)e->type, .len = e->len, .value = data };
	*changed = true;
	return 0;
}

int hive_edit_values(struct hive *h, const char *item, const char *keypath, const struct hive_value_edit *edits,
		     size_t n, struct rs_error *err)
{
	char path[1024];
	int rc = edit_path(h, keypath, path, sizeof(path), err);
	if (rc)
		return rc;
	struct rs_error sub = { 0 };
	hive_node_h node = walk(h, path, NULL, false, &sub);
	if (!node && sub.code)
		return rs_fail(err, sub.code, "%s", sub.msg);
	/* A missing key holds no values: any set creates it (first, so that
	 * its creation is journalled before the values in it). */
	bool sets = false;
	for (size_t i = 0; i < n; i++)
		sets |= !edits[i].remove;
	if (!node && !sets)
		return RS_OK;
	if (!node && !(node = walk(h, path, item, true, err)))
		return err->code ? err->code : RS_EPARTIAL;
	struct value_list l;
	rc = value_list_read(h, node, path, &l, err);
	size_t before = h->nchanges;
	bool any = false;
	for (size_t i = 0; rc == RS_OK && i < n; i++) {
		struct reg_value old;
		bool changed;
		if (value_list_apply(&l, &edits[i], &old, &changed) != 0) {
			reg_value_free(&old);
			rc = rs_fail(err, RS_EPARTIAL, "out of memory");
			break;
		}
		if (!changed) {
			reg_value_free(&old);
			continue;
		}
		any = true;
		struct hive_change *c = add_change(h, item, path, edits[i].name, err);
		if (!c || (!edits[i].remove && reg_value_copy(&c->new_, edits[i].type, edits[i].data, edits[i].len) != 0)) {
			reg_value_free(&old);
			rc = rs_fail(err, RS_EPARTIAL, "out of memory");
			break;
		}
		c->old = old;
	}
	if (rc == RS_OK && any && hivex_node_set_values(h->h, node, l.n, l.v, 0) != 0)
		rc = rs_fail_errno(err, RS_EPARTIAL, errno, "hive %s: cannot write the values of %s", h->rel, path);
	value_list_free(&l);
	/* Nothing half done is recorded. */
	if (rc != RS_OK) {
		while (h->nchanges > before)
			change_clear(&h->changes[--h->nchanges]);
	}
	return rc;
}

int hive_delete_empty_key(struct hive *h, const char *item, const char *keypath,
			  struct rs_error *err)
{
	char path[1024];
	int rc = edit_path(h, keypath, path, sizeof(path), err);
	if (rc)
		return rc;
	hive_node_h node = walk(h, path, item, false, err);
	if (!node || node == hivex_root(h->h))
		return RS_OK;
	if (hivex_node_nr_children(h->h, node) != 0 || hivex_node_nr_values(h->h, node) != 0)
		return RS_OK;
	if (hivex_node_delete_child(h->h, node) != 0)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "hive %s: cannot delete key %s", h->rel, path);
	struct hive_change *c = add_change(h, item, path, "", err);
	if (!c)
		return RS_EPARTIAL;
	c->key_deleted = true;
	return RS_OK;
}

static int journal_changes(struct hive *h, struct rs_error *err)
{
	for (size_t i = 0; i < h->nchanges; i++) {
		const struct hive_change *c = &h->changes[i];
		struct journal_entry e = { 0 };
		snprintf(e.item, sizeof(e.item), "%s", c->item);
		e.kind = (c->key_created || c->key_deleted) ? JOURNAL_KEY : JOURNAL_VALUE;
		snprintf(e.hive, sizeof(e.hive), "%s", h->rel);
		snprintf(e.key, sizeof(e.key), "%s", c->key);
		snprintf(e.value, sizeof(e.value), "%s", c->value);
		e.old_present = c->old.present || c->key_deleted;
		e.new_present = c->new_.present || c->key_created;
		e.old_type = c->old.type;
		e.new_type = c->new_.type;
		e.old_data = c->old.data;
		e.old_len = c->old.len;
		e.new_data = c->new_.data;
		e.new_len = c->new_.len;
		int rc = journal_append(h->ctx, &e, err);
		if (rc)
			return rc;
	}
	return RS_OK;
}

/* Reopen the written file and read every changed value back. */
static int verify(struct hive *h, struct rs_error *err)
{
	hive_h *saved = h->h;
	h->h = hivex_open_confined(h->file, 0);
	if (!h->h) {
		h->h = saved;
		return rs_fail_errno(err, RS_EPARTIAL, errno, "hive %s does not reopen after writing", h->rel);
	}
	int rc = RS_OK;
	for (size_t i = 0; rc == RS_OK && i < h->nchanges; i++) {
		const struct hive_change *c = &h->changes[i];
		if (c->key_created || c->key_deleted) {
			struct rs_error sub;
			bool exists = walk(h, c->key, NULL, false, &sub) != 0;
			if (exists != c->key_created)
				rc = rs_fail(err, RS_EPARTIAL, "hive %s: key %s not as written", h->rel, c->key);
			continue;
		}
		/* A value changed twice in one commit (undo of two passwd steps on
		 * one V) holds the last change's data: only that one is checked. */
		bool later = false;
		for (size_t j = i + 1; j < h->nchanges && !later; j++)
			later = !h->changes[j].key_created && !h->changes[j].key_deleted &&
				strcasecmp(h->changes[j].key, c->key) == 0 &&
				strcasecmp(h->changes[j].value, c->value) == 0;
		if (later)
			continue;
		struct reg_value got;
		rc = get_expanded(h, c->key, c->value, &got, err);
		if (rc == RS_OK && !reg_value_equal(&got, &c->new_))
			rc = rs_fail(err, RS_EPARTIAL, "hive %s: %s\\%s reads back differently", h->rel,
				     c->key, c->value);
		reg_value_free(&got);
	}
	hivex_close(h->h);
	h->h = saved;
	return rc;
}

int hive_write_recovery(struct hive *h, struct rs_error *err)
{
	if (!h->plan || (h->ctx->flags & RS_CTX_DRY_RUN))
		return RS_OK;
	int rc = hive_check_writable(h, err);
	if (rc)
		return rc;
	rc = hive_recover_write(h->ctx, h->plan, err);
	if (rc != RS_OK && rc != RS_EPARTIAL)
		return rc;
	recover_plan_free(h->plan);
	h->plan = NULL;
	h->rec.written = true;
	regf_read_base(h->file, &h->base, NULL);
	/* The recovered file must open as the copy did. */
	hive_h *probe = hivex_open_confined(h->file, 0);
	if (!probe)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "hive %s does not reopen after its recovery "
				     "was written (the dirty hive and its logs are under Rescue/backup/%s/files)",
				     h->rel, h->ctx->stamp);
	hivex_close(probe);
	return rc;
}

int hive_commit(struct hive *h, struct rs_error *err)
{
	if (h->nchanges == 0 || (h->ctx->flags & RS_CTX_DRY_RUN))
		return RS_OK;
	int rc = hive_check_writable(h, err);
	if (rc)
		return rc;

	/* 0. A dirty hive's recovery from its logs, its own journaled step. */
	rc = hive_write_recovery(h, err);
	if (rc)
		return rc;

	/* 1. The hive as it was before this run's first write. */
	char dir[PATH_MAX], backup[PATH_MAX + 8];
	char sub[PATH_MAX];
	snprintf(sub, sizeof(sub), "backup/%s", h->ctx->stamp);
	rc = rs_ctx_rescue_dir(h->ctx, sub, dir, sizeof(dir), err);
	if (rc)
		return rc;
	char flat[PATH_MAX];
	snprintf(flat, sizeof(flat), "%s", h->rel);
	for (char *p = flat; *p; p++)
		if (*p == '/')
			*p = '_';
	if ((size_t)snprintf(backup, sizeof(backup), "%s/%s", dir, flat) >= sizeof(backup))
		return rs_fail(err, RS_EPARTIAL, "backup path too long for %s", h->rel);
	/* Already there from an earlier commit of this run: it holds the
	 * hive as it was.  Anything but a file there is not a backup. */
	struct stat st;
	int have = confine_lstat_nolink(backup, &st);
	if (have == 0 && !S_ISREG(st.st_mode))
		return rs_fail(err, RS_EPARTIAL, "cannot back up %s: %s is not a file", h->rel,
			       winpath_relative(h->ctx->root, backup));
	if (have != 0 && (errno != ENOENT || file_copy_new(h->file, backup) != 0))
		return rs_fail_errno(err, RS_EPARTIAL, errno, "cannot back up %s to %s", h->rel,
				     winpath_relative(h->ctx->root, backup));

	/* 2. Every change, with its old data, before the write. */
	rc = journal_changes(h, err);
	if (rc)
		return rc;

	/* 3. A new file beside the old one, then an atomic rename.  The new
	 * file is one we created (random name, O_EXCL) and libhivex writes it
	 * through our descriptor: no name planted beside the hive is used. */
	char tmp[PATH_MAX];
	int fd = confine_tmpfile(h->file, tmp, sizeof(tmp));
	if (fd < 0)
		return rs_fail_errno(err, RS_EPARTIAL, errno,
				     "hive %s: cannot create a temporary file beside it; the hive is unchanged", h->rel);
	char name[32];
	if (hivex_commit(h->h, confine_fd_path(fd, name), 0) != 0) {
		rc = rs_fail_errno(err, RS_EPARTIAL, errno, "hive %s: writing %s failed; the hive is unchanged",
				   h->rel, winpath_relative(h->ctx->root, tmp));
		close(fd);
		confine_unlink(tmp);
		return rc;
	}
	close(fd);
	if (file_commit_tmp(tmp, h->file) != 0)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "hive %s: replacing it failed; the hive is unchanged",
				     h->rel);
	regf_read_base(h->file, &h->base, NULL);

	/* 4. Read back what we meant to write. */
	rc = verify(h, err);
	if (rc) {
		size_t n = strlen(err->msg);
		snprintf(err->msg + n, sizeof(err->msg) - n, " (the hive as it was: %s)",
			 winpath_relative(h->ctx->root, backup));
		return rc;
	}
	changes_clear(h);
	return RS_OK;
}

void reg_value_format(const struct reg_value *v, char *buf, size_t len)
{
	if (!v->present) {
		snprintf(buf, len, "(absent)");
		return;
	}
	if ((v->type == REGT_DWORD) && v->len == 4) {
		uint32_t d = (uint32_t)v->data[0] | (uint32_t)v->data[1] << 8 | (uint32_t)v->data[2] << 16 |
			     (uint32_t)v->data[3] << 24;
		snprintf(buf, len, "0x%x (%u)", d, d);
		return;
	}
	if (v->type == REGT_SZ || v->type == REGT_EXPAND_SZ) {
		char *s = utf16le_to_utf8(v->data, v->len);
		snprintf(buf, len, "\"%s\"", s ? s : "");
		free(s);
		return;
	}
	size_t o = (size_t)snprintf(buf, len, "type %u, %zu bytes:", v->type, v->len);
	for (size_t i = 0; i < v->len && o + 4 < len && i < 16; i++)
		o += (size_t)snprintf(buf + o, len - o, " %02x", v->data[i]);
	if (v->len > 16 && o + 5 < len)
		snprintf(buf + o, len - o, " ...");
}

const char *hive_short_name(const char *rel)
{
	const char *slash = strrchr(rel, '/');
	if (slash && strncasecmp(rel, RS_PATH_CONFIG "/", strlen(RS_PATH_CONFIG) + 1) == 0)
		return slash + 1;
	return rel;
}
