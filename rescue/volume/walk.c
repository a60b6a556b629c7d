/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rescue/volume/walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/base/confine.h"
#include "rescue/base/grow.h"

static size_t id_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev;
	return (size_t)(h ^ (h >> 29));
}

/* Of the bitmap: 1 when INO was new (now set), 0 when set already, -1 on
 * no memory.  It grows by doubling to cover INO (< WALK_IDSET_BITS_MAX). */
static int bits_add(struct walk_idset *s, ino_t ino)
{
	if ((size_t)ino >= s->nbits) {
		size_t nbits = s->nbits ? s->nbits : (size_t)1 << 16;
		while (nbits <= (size_t)ino)
			nbits *= 2;
		unsigned char *nb = realloc(s->bits, nbits / 8);
		if (!nb)
			return -1;
		memset(nb + s->nbits / 8, 0, (nbits - s->nbits) / 8);
		s->bits = nb;
		s->nbits = nbits;
	}
	unsigned char bit = (unsigned char)(1u << (ino % 8));
	if (s->bits[ino / 8] & bit)
		return 0;
	s->bits[ino / 8] |= bit;
	return 1;
}

/* The slot of (DEV, INO) among the hashed pairs: its own, or the free one
 * it would take (the table is never full: it doubles at half). */
static size_t hashed_slot(const struct walk_idset *s, dev_t dev, ino_t ino)
{
	size_t i = id_hash(dev, ino) & (s->cap - 1);
	while (s->v[i].used && !(s->v[i].dev == dev && s->v[i].ino == ino))
		i = (i + 1) & (s->cap - 1);
	return i;
}

int walk_idset_add(struct walk_idset *s, dev_t dev, ino_t ino)
{
	if (!s->have_bitdev) {
		s->bitdev = dev;
		s->have_bitdev = true;
	}
	if (dev == s->bitdev && ino < WALK_IDSET_BITS_MAX)
		return bits_add(s, ino);
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct walk_idset ns = { .v = calloc(cap, sizeof(*s->v)), .cap = cap };
		if (!ns.v)
			return -1;
		/* The hashed pairs only: NS has no bitmap device of its own. */
		ns.bitdev = s->bitdev;
		ns.have_bitdev = true;
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i].used)
				walk_idset_add(&ns, s->v[i].dev, s->v[i].ino);
		free(s->v);
		s->v = ns.v;
		s->n = ns.n;
		s->cap = ns.cap;
	}
	size_t i = hashed_slot(s, dev, ino);
	if (s->v[i].used)
		return 0;
	s->v[i].used = true;
	s->v[i].dev = dev;
	s->v[i].ino = ino;
	s->n++;
	return 1;
}

bool walk_idset_has(const struct walk_idset *s, dev_t dev, ino_t ino)
{
	if (!s->have_bitdev)
		return false;
	if (dev == s->bitdev && ino < WALK_IDSET_BITS_MAX)
		return (size_t)ino < s->nbits && (s->bits[ino / 8] >> (ino % 8) & 1);
	return s->cap && s->v[hashed_slot(s, dev, ino)].used;
}

void walk_idset_free(struct walk_idset *s)
{
	free(s->bits);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int walk_list_append(char **list, size_t *len, const char *s)
{
	size_t sl = strlen(s) + 1;
	char *nl = realloc(*list, *len + sl);
	if (!nl)
		return ENOMEM;
	memcpy(nl + *len, s, sl);
	*list = nl;
	*len += sl;
	return 0;
}

struct dirent_ref {
	char *name;
	uint64_t ref;
};

struct walker {
	const struct walk_src *src;
	const char *root;
	dev_t rootdev;
	walk_fn fn;
	walk_known_fn known;
	void *user;
	struct walk_idset seen;
	struct dirent_ref *stack;   /* directories still to read: relative path, source's ref */
	size_t depth, cap;
	char *path;                 /* scratch: root + '/' + rel */
	size_t pathcap;
	struct dirent_ref *names;   /* read_dir's list of the directory being read */
	size_t n, ncap;
};

const char *walk_join(char **buf, size_t *cap, const char *root, const char *rel, const char *stream)
{
	size_t need = strlen(root) + strlen(rel) + (stream ? strlen(stream) + 1 : 0) + 2;
	if (need > *cap) {
		char *p = realloc(*buf, need);
		if (!p)
			return NULL;
		*buf = p;
		*cap = need;
	}
	snprintf(*buf, *cap, "%s%s%s%s%s", root, *rel ? "/" : "", rel, stream ? ":" : "", stream ? stream : "");
	return *buf;
}

static const char *full_path(struct walker *w, const char *rel)
{
	return walk_join(&w->path, &w->pathcap, w->root, rel, NULL);
}

static int push(struct walker *w, const char *rel, uint64_t ref)
{
	struct dirent_ref *ns = grow_room(w->stack, &w->cap, w->depth, sizeof(*ns), 64);
	if (!ns)
		return -1;
	w->stack = ns;
	if (!(w->stack[w->depth].name = strdup(rel)))
		return -1;
	w->stack[w->depth].ref = ref;
	w->depth++;
	return 0;
}

/* Classify REL (already lstat'ed into ST, or lerr) and hand it to FN; a
 * directory to enter is pushed.  Returns -1 when FN says stop. */
static int visit(struct walker *w, const char *rel, const struct stat *st, int lerr, uint64_t ref)
{
	const char *path = full_path(w, rel);
	struct walk_entry e = { .rel = rel, .path = path ? path : rel, .st = st, .err = lerr, .ref = ref };
	if (lerr) {
		e.kind = WALK_ERROR;
		e.st = NULL;
	} else if (S_ISLNK(st->st_mode)) {
		e.kind = WALK_LINK;
	} else if (S_ISREG(st->st_mode)) {
		e.kind = WALK_FILE;
	} else if (!S_ISDIR(st->st_mode)) {
		e.kind = WALK_SPECIAL;
	} else if (st->st_dev != w->rootdev) {
		e.kind = WALK_OTHER_FS;
	} else if (walk_idset_add(&w->seen, st->st_dev, st->st_ino) != 1) {
		e.kind = WALK_LOOP;
	} else {
		e.kind = WALK_DIR;
	}
	int r = w->fn(&e, w->user);
	if (r < 0)
		return -1;
	if (e.kind == WALK_DIR && r == 0 && push(w, rel, ref) != 0) {
		e.kind = WALK_ERROR;
		e.err = ENOMEM;
		return w->fn(&e, w->user) < 0 ? -1 : 0;
	}
	return 0;
}

/* Whether the caller has met the file the listed REF names (walk_known_fn). */
static bool is_known(const struct walker *w, uint64_t ref)
{
	return w->known && w->src->ino_of && w->known(w->rootdev, w->src->ino_of(w->src->src, ref), w->user);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(((const struct dirent_ref *)a)->name, ((const struct dirent_ref *)b)->name);
}

static int add_name(void *arg, const char *name, uint64_t ref)
{
	struct walker *w = arg;
	struct dirent_ref *nn = grow_room(w->names, &w->ncap, w->n, sizeof(*nn), 32);
	if (!nn)
		return ENOMEM;
	w->names = nn;
	if (!(w->names[w->n].name = strdup(name)))
		return ENOMEM;
	w->names[w->n++].ref = ref;
	return 0;
}

/* Read one directory: collect the names first (sorted, so that a walk is
 * repeatable), then lstat and visit each; subdirectories are pushed in
 * reverse so that they are read in order. */
static int read_dir(struct walker *w, const char *rel, uint64_t ref)
{
	const char *path = full_path(w, rel);
	w->n = 0;
	int le = path ? w->src->list(w->src->src, rel, path, ref, add_name, w) : ENAMETOOLONG;
	/* What was listed before a failure is still walked. */
	if (le && w->n == 0) {
		struct walk_entry e = { .kind = WALK_ERROR, .rel = rel, .path = path ? path : rel, .err = le, .ref = ref };
		return w->fn(&e, w->user) < 0 ? -1 : 0;
	}
	size_t n = w->n;
	struct dirent_ref *names = w->names;
	w->names = NULL;
	w->n = w->ncap = 0;
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);

	int rc = 0;
	size_t first_pushed = w->depth;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *child;
		if (asprintf(&child, "%s%s%s", rel, *rel ? "/" : "", names[i].name) < 0)
			break;
		const char *cp = full_path(w, child);
		if (is_known(w, names[i].ref)) {
			struct walk_entry e = { .kind = WALK_KNOWN, .rel = child, .path = cp ? cp : child,
						.ref = names[i].ref };
			rc = w->fn(&e, w->user) < 0 ? -1 : 0;
		} else {
			struct stat st;
			uint64_t cref = 0;
			int lerr = cp ? w->src->lstat(w->src->src, child, cp, names[i].ref, &st, &cref) : ENAMETOOLONG;
			rc = visit(w, child, &st, lerr, cref);
		}
		free(child);
	}
	/* Reverse what this directory pushed: a stack pops the last first. */
	for (size_t a = first_pushed, b = w->depth; b > a + 1; a++, b--) {
		struct dirent_ref t = w->stack[a];
		w->stack[a] = w->stack[b - 1];
		w->stack[b - 1] = t;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i].name);
	free(names);
	if (rc == 0 && le) {
		struct walk_entry e = { .kind = WALK_ERROR, .rel = rel, .path = path ? full_path(w, rel) : rel,
					.err = le, .ref = ref };
		return w->fn(&e, w->user) < 0 ? -1 : 0;
	}
	return rc;
}

/* ---- the directory tree, through the kernel ----
 * Under a confined root (the volume) a folder that became a link since it
 * was looked at is refused, not entered (rescue/base/confine.h). */

static int posix_list(void *src, const char *rel, const char *path, uint64_t ref,
		      int (*add)(void *w, const char *name, uint64_t ref), void *w)
{
	(void)src, (void)rel, (void)ref;
	DIR *d = confine_opendir(path);
	if (!d)
		return errno;
	struct dirent *de;
	int e = 0;
	/* readdir ends a folder whose listing fails (ntfs-3g on a damaged
	 * index block: EIO) as it ends a complete one, but for errno: a
	 * folder read only in part is unreadable, never silently short. */
	while (e == 0 && (errno = 0, de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			e = add(w, de->d_name, 0);
	if (e == 0 && !de && errno)
		e = errno;
	closedir(d);
	return e;
}

static int posix_lstat(void *src, const char *rel, const char *path, uint64_t ref, struct stat *st, uint64_t *ref_out)
{
	(void)src, (void)rel, (void)ref;
	*ref_out = 0;
	return confine_lstat(path, st) == 0 ? 0 : errno;
}

static const struct walk_src posix_src = { .list = posix_list, .lstat = posix_lstat };

int walk_tree_src(const struct walk_src *src, const char *root, const char *start, walk_fn fn,
		  walk_known_fn known, void *user)
{
	struct walker w = { .src = src ? src : &posix_src, .root = root, .fn = fn, .known = known, .user = user };
	struct stat st;
	int rc = 0;
	if (stat(root, &st) != 0)
		return -1;
	w.rootdev = st.st_dev;
	const char *sp = full_path(&w, start);
	uint64_t ref = 0;
	int lerr = sp ? w.src->lstat(w.src->src, start, sp, 0, &st, &ref) : ENAMETOOLONG;
	rc = visit(&w, start, &st, lerr, ref);
	while (rc == 0 && w.depth > 0) {
		struct dirent_ref d = w.stack[--w.depth];
		rc = read_dir(&w, d.name, d.ref);
		free(d.name);
	}
	while (w.depth > 0)
		free(w.stack[--w.depth].name);
	free(w.stack);
	walk_idset_free(&w.seen);
	free(w.path);
	free(w.names);
	if (lerr) {
		errno = lerr;
		return -1;
	}
	return rc;
}

int walk_tree(const char *root, const char *start, walk_fn fn, void *user)
{
	return walk_tree_src(NULL, root, start, fn, NULL, user);
}

/* walk_find_names: the entries with the identity sought. */
struct name_search {
	dev_t dev;
	ino_t ino;
	size_t want, found;
	char *out;
	size_t len;
	int err;
};

static int on_search(const struct walk_entry *e, void *user)
{
	struct name_search *ns = user;
	if (e->kind != WALK_FILE || e->st->st_dev != ns->dev || e->st->st_ino != ns->ino)
		return 0;
	if ((ns->err = walk_list_append(&ns->out, &ns->len, e->rel)) != 0)
		return -1;
	return ++ns->found >= ns->want ? -1 : 0;
}

int walk_find_names(const char *root, const struct stat *st, char **names, size_t *len)
{
	struct name_search ns = { .dev = st->st_dev, .ino = st->st_ino, .want = st->st_nlink ? st->st_nlink : 1 };
	*names = NULL;
	*len = 0;
	if (walk_tree(root, "", on_search, &ns) != 0 && !ns.err && ns.found < ns.want)
		ns.err = errno ? errno : EIO;
	if (ns.err) {
		free(ns.out);
		return ns.err;
	}
	*names = ns.out;
	*len = ns.len;
	return 0;
}
