/* SPDX-License-Identifier: GPL-2.0-or-later */
/* walk.h - walk a directory tree of a Windows volume, the safe way.
 *
 * Uses lstat only: symbolic links (which is how ntfs-3g shows junctions such
 * as "Documents and Settings" -> "Users") are reported, never followed.
 * Directories are remembered by (device, inode), so a directory met twice
 * (a bind mount, a damaged volume) is reported as a loop and not entered;
 * a directory on another device (something mounted inside the volume) is
 * reported and not entered either.  Entries come in directory order; the
 * walk keeps an explicit stack, so depth costs heap, not C stack. */
#ifndef RESCUE_WALK_H
#define RESCUE_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

enum walk_kind {
	WALK_FILE,      /* a regular file */
	WALK_DIR,       /* a directory, about to be entered */
	WALK_LINK,      /* a symbolic link or junction: not followed */
	WALK_SPECIAL,   /* FIFO, socket, device: not read */
	WALK_LOOP,      /* a directory already visited: not entered */
	WALK_OTHER_FS,  /* a directory on another file system: not entered */
	WALK_ERROR,     /* lstat or opendir failed; err holds errno */
	WALK_KNOWN,     /* a further name of a file the caller has met (walk_known_fn): not stat'ed */
};

struct walk_entry {
	enum walk_kind kind;
	const char *rel;            /* relative to the walk's root, '/'-separated */
	const char *path;           /* root + '/' + rel */
	const struct stat *st;      /* NULL for WALK_KNOWN, and for WALK_ERROR when lstat failed */
	int err;                    /* errno for WALK_ERROR */
	uint64_t ref;               /* the source's handle on the entry (walk_tree_src), else 0 */
};

/* Return 0 to go on, 1 to skip this directory (WALK_DIR only), -1 to stop. */
typedef int (*walk_fn)(const struct walk_entry *e, void *user);

/* Walk ROOT/START (START "" = the whole of ROOT; it may name a file).
 * Returns 0, -1 when FN stopped the walk, or -1 with errno for a failure to
 * start (ROOT/START missing: also reported to FN as WALK_ERROR). */
int walk_tree(const char *root, const char *start, walk_fn fn, void *user);

/* Where a walk reads directories and entries from.  walk_tree reads the
 * directory tree with opendir/lstat; rescue/volume/ntfsread.h reads an NTFS volume
 * through libntfs-3g with the same walk (same order, same loop and link
 * rules).  An entry's stat must say what the walk needs: st_mode (link,
 * regular file, directory, other), st_dev (the volume's: another is
 * "another file system") and st_ino (loops), st_size for the callback. */
struct walk_src {
	/* Call ADD(W, NAME, REF) for each entry of the directory PATH (REL
	 * in the walk, REF from its stat), "." and ".." excluded.  Returns 0
	 * or an errno (the directory is reported as WALK_ERROR). */
	int (*list)(void *src, const char *rel, const char *path, uint64_t ref,
		    int (*add)(void *w, const char *name, uint64_t ref), void *w);
	/* The stat of REL (PATH), without following a link; REF is what list
	 * gave (0 for the walk's start).  Fills *REF_OUT (passed on as
	 * walk_entry.ref).  Returns 0 or an errno. */
	int (*lstat)(void *src, const char *rel, const char *path, uint64_t ref, struct stat *st, uint64_t *ref_out);
	void *src;
	/* Optional, for a source whose list gives REFs that name their
	 * inode: the inode number (st_ino) of the entry list gave REF for,
	 * known without reading the entry (an NTFS index entry holds its
	 * file's MFT reference). */
	ino_t (*ino_of)(void *src, uint64_t ref);
};

/* Whether the file (DEV, INO) is one the walk's caller has met already by
 * another name.  Asked before an entry's stat is read, where the source
 * tells the entry's inode up front (walk_src.ino_of): true reports the
 * entry as WALK_KNOWN, with no stat read.  On a Windows volume tens of
 * thousands of WinSxS names are second names of System32 files: each stat
 * is an MFT record read and parsed, for a file already queued.  Only a
 * regular file met under another name should be said known: the entry is
 * then a name of it, whatever the index says (a stale entry with an old
 * sequence number names the same record, read by its valid name). */
typedef bool (*walk_known_fn)(dev_t dev, ino_t ino, void *user);

/* walk_tree over SRC (NULL: the directory tree under ROOT), asking KNOWN
 * (NULL: nothing is known) before each entry's stat. */
int walk_tree_src(const struct walk_src *src, const char *root, const char *start, walk_fn fn,
		  walk_known_fn known, void *user);

/* ROOT + '/' + REL (+ ':' + STREAM when STREAM is not NULL) into the growing
 * buffer *BUF of *CAP bytes (both may start 0/NULL; the caller frees *BUF).
 * Returns *BUF, or NULL when out of memory. */
const char *walk_join(char **buf, size_t *cap, const char *root, const char *rel, const char *stream);

/* A set of (st_dev, st_ino): the walk's folders visited, the scan's files
 * with several names.  Zeroed to start; walk_idset_add returns 1 when the
 * pair is new, 0 when it was there already, -1 on no memory (a folder is
 * then not entered, a file read again: each the safe answer).
 * On NTFS (the mount and the direct read alike) an inode number is the
 * file's MFT record number, dense from 0: the first device's numbers below
 * WALK_IDSET_BITS_MAX are one bit each, so a volume of millions of folders
 * costs a few hundred KiB, not a hashed entry per folder.  Other devices
 * and larger numbers (another file system under --root) are hashed. */
#define WALK_IDSET_BITS_MAX ((ino_t)1 << 24)   /* a bitmap of at most 2 MiB */
struct walk_idset {
	dev_t bitdev;                   /* the device of BITS: the first added */
	bool have_bitdev;
	unsigned char *bits;            /* BITDEV's inode numbers below nbits */
	size_t nbits;
	struct { dev_t dev; ino_t ino; bool used; } *v;
	size_t n, cap;
};
int walk_idset_add(struct walk_idset *s, dev_t dev, ino_t ino);
bool walk_idset_has(const struct walk_idset *s, dev_t dev, ino_t ino);
void walk_idset_free(struct walk_idset *s);

/* Append S and its NUL to the NUL-separated list *LIST of *LEN bytes.
 * Returns 0 or ENOMEM. */
int walk_list_append(char **list, size_t *len, const char *s);

/* Every name under ROOT of the regular file ST (the same st_dev and st_ino;
 * its hard links), relative to ROOT, as one NUL-separated list in a new
 * *NAMES of *LEN bytes (the caller frees).  A whole walk, ended once
 * st_nlink names are found: for the few files that have several.  Returns 0
 * or an errno. */
int walk_find_names(const char *root, const struct stat *st, char **names, size_t *len);

#endif
