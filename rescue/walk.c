/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rescue/walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The set of directories visited: open addressing on (dev, ino). */
struct dirset {
	struct { dev_t dev; ino_t ino; bool used; } *v;
	size_t n, cap;
};

static size_t dir_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev;
	return (size_t)(h ^ (h >> 29));
}

/* Add (dev, ino); false when it was already there (or on no memory, where
 * refusing to enter is the safe answer). */
static bool dirset_add(struct dirset *s, dev_t dev, ino_t ino)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct dirset ns = { calloc(cap, sizeof(*s->v)), 0, cap };
		if (!ns.v)
			return false;
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i].used)
				dirset_add(&ns, s->v[i].dev, s->v[i].ino);
		free(s->v);
		*s = ns;
	}
	for (size_t i = dir_hash(dev, ino) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (!s->v[i].used) {
			s->v[i].used = true;
			s->v[i].dev = dev;
			s->v[i].ino = ino;
			s->n++;
			return true;
		}
		if (s->v[i].dev == dev && s->v[i].ino == ino)
			return false;
	}
}

struct walker {
	const char *root;
	dev_t rootdev;
	walk_fn fn;
	void *user;
	struct dirset seen;
	char **stack;               /* relative paths of directories still to read */
	size_t depth, cap;
	char *path;                 /* scratch: root + '/' + rel */
	size_t pathcap;
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

static int push(struct walker *w, const char *rel)
{
	if (w->depth == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		char **ns = realloc(w->stack, cap * sizeof(char *));
		if (!ns)
			return -1;
		w->stack = ns;
		w->cap = cap;
	}
	if (!(w->stack[w->depth] = strdup(rel)))
		return -1;
	w->depth++;
	return 0;
}

/* Classify REL (already lstat'ed into ST, or lerr) and hand it to FN; a
 * directory to enter is pushed.  Returns -1 when FN says stop. */
static int visit(struct walker *w, const char *rel, const struct stat *st, int lerr)
{
	const char *path = full_path(w, rel);
	struct walk_entry e = { .rel = rel, .path = path ? path : rel, .st = st, .err = lerr };
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
	} else if (!dirset_add(&w->seen, st->st_dev, st->st_ino)) {
		e.kind = WALK_LOOP;
	} else {
		e.kind = WALK_DIR;
	}
	int r = w->fn(&e, w->user);
	if (r < 0)
		return -1;
	if (e.kind == WALK_DIR && r == 0 && push(w, rel) != 0) {
		e.kind = WALK_ERROR;
		e.err = ENOMEM;
		return w->fn(&e, w->user) < 0 ? -1 : 0;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read one directory: collect the names first (sorted, so that a walk is
 * repeatable), then lstat and visit each; subdirectories are pushed in
 * reverse so that they are read in order. */
static int read_dir(struct walker *w, const char *rel)
{
	const char *path = full_path(w, rel);
	DIR *d = path ? opendir(path) : NULL;
	if (!d) {
		struct walk_entry e = { .kind = WALK_ERROR, .rel = rel, .path = path ? path : rel,
					.err = path ? errno : ENAMETOOLONG };
		return w->fn(&e, w->user) < 0 ? -1 : 0;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **nn = realloc(names, cap * sizeof(char *));
			if (!nn)
				break;
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(char *), cmp_names);

	size_t first_pushed = w->depth;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *child;
		if (asprintf(&child, "%s%s%s", rel, *rel ? "/" : "", names[i]) < 0)
			break;
		const char *cp = full_path(w, child);
		struct stat st;
		int lerr = 0;
		if (!cp)
			lerr = ENAMETOOLONG;
		else if (lstat(cp, &st) != 0)
			lerr = errno;
		rc = visit(w, child, &st, lerr);
		free(child);
	}
	/* Reverse what this directory pushed: a stack pops the last first. */
	for (size_t a = first_pushed, b = w->depth; b > a + 1; a++, b--) {
		char *t = w->stack[a];
		w->stack[a] = w->stack[b - 1];
		w->stack[b - 1] = t;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int walk_tree(const char *root, const char *start, walk_fn fn, void *user)
{
	struct walker w = { .root = root, .fn = fn, .user = user };
	struct stat st;
	int rc = 0;
	if (stat(root, &st) != 0)
		return -1;
	w.rootdev = st.st_dev;
	const char *sp = full_path(&w, start);
	int lerr = 0;
	if (!sp)
		lerr = ENAMETOOLONG;
	else if (lstat(sp, &st) != 0)
		lerr = errno;
	rc = visit(&w, start, &st, lerr);
	while (rc == 0 && w.depth > 0) {
		char *rel = w.stack[--w.depth];
		rc = read_dir(&w, rel);
		free(rel);
	}
	while (w.depth > 0)
		free(w.stack[--w.depth]);
	free(w.stack);
	free(w.seen.v);
	free(w.path);
	if (lerr) {
		errno = lerr;
		return -1;
	}
	return rc;
}
