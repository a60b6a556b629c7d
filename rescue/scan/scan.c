/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rescue/scan/scan.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <yara.h>

#include "rescue/base/confine.h"
#include "rescue/base/ctx.h"
#include "rescue/scan/places.h"
#include "rescue/volume/ntfsread.h"
#include "rescue/volume/reparse.h"
#include "rescue/volume/walk.h"
#include "rescue/base/grow.h"
#include "rescue/base/winpath.h"
#include "rescue/scan/eta.h"
#include "rescue/scan/externals.h"
#include "rescue/scan/ioc.h"

#define FUSE_SUPER_MAGIC 0x65735546
#define MAX_MATCHES 64
#define MAX_IOC_HITS 11             /* 8 filename entries and one of each hash */
/* Items the walk may queue ahead of the workers: bounds the queue's memory
 * (a path each, and an array of at most twice as many items) whatever the
 * volume's size; the walk through libntfs-3g, far faster than YARA, waits
 * for room.  Enough to keep the workers fed; the progress's ETA comes from
 * the MFT's count (estimate_start) on the direct read, not from a walk
 * running ahead. */
#define QUEUE_MAX (1u << 12)
/* A walk that found the queue full waits until it is down to QUEUE_LOW,
 * then fills it again in one go.  Woken at each item taken instead, it
 * took a CPU from a worker for every file (5,000 switches a second, a
 * fifth of the workers' time with signature-base on the 2 CPUs here). */
#define QUEUE_LOW (QUEUE_MAX / 2)
/* Detected files with several names whose names are looked for by a walk
 * of the whole volume (read through the mount; the direct read has them in
 * the file's MFT record). */
#define NAME_WALKS_MAX 32
/* Files over BIG_FILE are read together only while their sizes add up to
 * at most BIG_BUDGET (one alone when it is larger), whatever the number of
 * workers, and a worker keeps no buffer over BIG_FILE between files: the
 * peak of the read buffers is BIG_BUDGET (or one file of up to max_size)
 * and BIG_FILE per other worker, not max_size per worker as soon as large
 * files meet, while the DLLs of a few MB that fill a system volume's long
 * tail are still scanned on every CPU. */
#define BIG_FILE (4u << 20)
#define BIG_BUDGET (32u << 20)
/* How much of the next file a worker asks the kernel to read ahead
 * (ntfsread_prefetch): the kernel's own read-ahead follows a file read in
 * order, but not the jump from one file's clusters to the next one's,
 * where a worker otherwise waits on the disk (a tenth of its time with
 * signature-base on large.img through --disk). */
#define PREFETCH_MAX (1u << 20)
/* How much further ahead than the next file a worker asks, so that reads
 * are in flight while the workers scan.  Measured on large.img through
 * --disk with the caches dropped: signature-base 43.6 s on average with
 * no further lead on System32, 39.7 s with 16; the built-in rules over the
 * whole volume, seven pairs of runs, 29.6 s with none and 25.3 s with 16
 * (each pair faster with 16).  Before the loop device read its image with
 * direct I/O and the reader asked for no read-ahead, a lead of 8 or 32
 * made the built-in scan slower (the host's read-ahead followed the disk's
 * order, which requests far ahead broke); now the device sees only the
 * reads asked for, and more of them at once is what it is fastest at. */
#define PREFETCH_DEEP 16
/* Blocks of at least this size are mapped from the kernel and returned to
 * it when freed (mallopt): glibc otherwise raises its threshold after the
 * first large buffer is freed, and later large buffers are carved out of
 * the heaps of the threads, which do not shrink: the peak then grows with
 * the number of large files met, not with the largest. */
#define MMAP_FROM (1u << 20)

/* Files Windows keeps its memory in: huge, and never a file a worm dropped. */
static const char *const system_files[] = { "pagefile.sys", "hiberfil.sys", "swapfile.sys" };

struct item {
	char *rel;
	uint64_t ref;                   /* read directly: the MFT reference (walk_entry.ref) */
	bool streams_only;              /* a directory on ntfs-3g: only its streams */
	uint64_t size;                  /* as the walk saw it: over BIG_FILE, read within BIG_BUDGET */
};

struct scan {
	const char *root;
	const char *const *paths;       /* as given to rs_scan_run (npaths of them) */
	char **rels;                    /* the same, volume-relative (resolve_paths) */
	int *unseen;                    /* per path: the errno of one the mount could not find */
	size_t npaths;
	const struct rs_rules *rules;
	const struct rs_scan_opts *o;
	uint64_t max_size;
	long ioc_alert_score;           /* o->ioc_alert_score or RS_IOC_ALERT_SCORE */
	bool fuse;                      /* the volume is a FUSE (ntfs-3g) mount: look for streams */
	struct ntfsread *nr;            /* read directly (the walk's handle), else NULL */
	struct timespec t0;

	pthread_mutex_t qmu;
	pthread_cond_t qcv;
	pthread_cond_t qspace;          /* the queue went down to QUEUE_LOW, or a worker ended */
	int workers;                    /* running, under qmu */
	struct item *q;
	size_t qhead, qn, qcap;
	bool walk_done;
	uint64_t files_total, bytes_total;  /* under qmu */
	pthread_mutex_t bigmu;          /* guards big_bytes */
	pthread_cond_t bigcv;           /* big_bytes went down */
	uint64_t big_bytes;             /* the sizes of the files over BIG_FILE being read */

	/* The walk's: the files with several names (hard links) queued, by
	 * (st_dev, st_ino).  Only those (st_nlink > 1), not every file: its
	 * size follows the volume's hard links. */
	struct walk_idset links;
	uint64_t extra_names;           /* the walk's: later names of those, not read again */
	/* A whole volume's: the folders entered, by (st_dev, st_ino), across
	 * its walks (one per place, then the rest).  Each walk knows only its
	 * own folders, and a folder with a second name (a damaged or hostile
	 * volume: Desktop/back naming the profile) would be read again from a
	 * later walk, every file in it detected twice. */
	struct walk_idset dirs;
	/* The folders holding the current walk's start (a place deep in the
	 * volume), by identity: a second name inside the place that leads back
	 * to one of them is the loop, not the folder's own name, which the
	 * later walks read.  At most ABOVE_MAX, the deepest left out. */
#define ABOVE_MAX 64
	struct { dev_t dev; ino_t ino; } above[ABOVE_MAX];
	size_t nabove;

	/* The walk's order (walk_volume): the worm's places, then the files at
	 * the volume root, then the rest, nothing read twice. */
	enum { WALK_PLACES, WALK_ROOT_FILES, WALK_REST } phase;
	const char *start;              /* the current walk's start */
	char **done;                    /* the places read, sorted */
	size_t ndone, donecap;

	atomic_bool cancel;
	atomic_uint name_walks;         /* walks for the names of a detected file with several (hit_names) */

	/* Read directly, a whole volume: the bytes to read, summed from the
	 * MFT in a thread of its own while the walk runs (the queue holds the
	 * walk back, so its count comes late on a big volume), for an ETA from
	 * the start.  0 until known. */
	struct ntfsread *est_nr;
	pthread_t est_tid;
	atomic_bool est_stop;
	atomic_uint_fast64_t bytes_estimate;
	atomic_uint_fast64_t files, streams, bytes, ndet, nskipped, nerrors;

	pthread_mutex_t cbmu;           /* callbacks, the result lists */
	struct rs_scan_result *res;
	size_t detcap, skipcap, warncap; /* res->det's, res->skip's and res->warn's room */
	double last_progress;
	struct eta eta;                 /* the rate the ETA is computed at (under cbmu) */
};

struct worker {
	struct scan *s;
	YR_SCANNER *ys[2];              /* built-in rules, extra rules */
	uint8_t *buf;
	size_t cap;
	const YR_RULE *matches[MAX_MATCHES];
	size_t nmatches;
	char *path;                     /* scratch for root + '/' + rel [+ ':' + stream] */
	size_t pathcap;
	struct ntfsread *nr;            /* read directly: this thread's own handle */
	uint64_t ref;                   /* read directly: the MFT reference of the item being scanned */
	char owner[64];                 /* the user name of owner_uid (the `owner` external) */
	uid_t owner_uid;
	bool owner_known;
	pthread_t tid;
};

static double elapsed(const struct scan *s)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - s->t0.tv_sec) + (double)(t.tv_nsec - s->t0.tv_nsec) / 1e9;
}

const char *rs_scan_read_name(enum rs_scan_read r)
{
	return r == RS_READ_DIRECT ? "ntfs-3g direct" : r == RS_READ_MOUNT ? "mount" : "auto";
}

const char *rs_scan_skip_name(enum rs_scan_skip_why why)
{
	static const char *const names[RS_SKIP_NWHY] = {
		[RS_SKIP_TOO_BIG] = "too big",
		[RS_SKIP_SYSTEM_FILE] = "system file",
		[RS_SKIP_UNREADABLE] = "unreadable",
		[RS_SKIP_SPECIAL] = "special file",
		[RS_SKIP_LINK] = "link not followed",
		[RS_SKIP_REPARSE] = "reparse point",
		[RS_SKIP_LOOP] = "directory loop",
		[RS_SKIP_OTHER_FS] = "other file system",
	};
	return why < RS_SKIP_NWHY ? names[why] : "?";
}

/* A new last entry of the bounded list *V (*N entries of SIZE bytes, *CAP
 * allocated, doubling so that many entries cost no realloc each), *N counted;
 * NULL when MAX are listed or memory ran out, counted in *UNLISTED instead:
 * memory does not grow with the volume, and nothing goes uncounted.  Under
 * cbmu. */
static void *list_append(void **v, size_t *n, size_t *cap, size_t max, size_t *unlisted, size_t size)
{
	if (*n >= max) {
		(*unlisted)++;
		return NULL;
	}
	void *nv = grow_room(*v, cap, *n, size, 64);
	if (!nv) {
		(*unlisted)++;
		return NULL;
	}
	*v = nv;
	return (char *)nv + (*n)++ * size;
}

/* Record a warning: something short of a detection (a filename IOC under
 * the alert score), listed, never acted on (any thread). */
static void add_warning(struct scan *s, const char *rel, const char *stream, const char *what)
{
	struct rs_scan_warning k = { NULL, strdup(what) };
	if (asprintf(&k.path, "%s%s%s", rel, stream ? ":" : "", stream ? stream : "") < 0)
		k.path = NULL;
	pthread_mutex_lock(&s->cbmu);
	struct rs_scan_result *r = s->res;
	struct rs_scan_warning *slot = NULL;
	if (!k.path || !k.what)
		r->nwarn_unlisted++;
	else
		slot = list_append((void **)&r->warn, &r->nwarn, &s->warncap, RS_SCAN_SKIP_MAX, &r->nwarn_unlisted,
				   sizeof(*slot));
	if (slot) {
		*slot = k;
	} else {
		free(k.path);
		free(k.what);
	}
	pthread_mutex_unlock(&s->cbmu);
}

/* Record a skipped entry (any thread). */
static void add_skip(struct scan *s, const char *rel, const char *stream, enum rs_scan_skip_why why,
		     uint64_t size, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void add_skip(struct scan *s, const char *rel, const char *stream, enum rs_scan_skip_why why,
		     uint64_t size, const char *fmt, ...)
{
	struct rs_scan_skip k = { .why = why, .size = size };
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&k.detail, fmt, ap) < 0)
		k.detail = NULL;
	va_end(ap);
	if (asprintf(&k.path, "%s%s%s", rel, stream ? ":" : "", stream ? stream : "") < 0)
		k.path = NULL;
	atomic_fetch_add(&s->nskipped, 1);
	if (why == RS_SKIP_UNREADABLE)
		atomic_fetch_add(&s->nerrors, 1);
	pthread_mutex_lock(&s->cbmu);
	struct rs_scan_result *r = s->res;
	r->nwhy[why]++;
	struct rs_scan_skip *slot = NULL;
	if (!k.path)
		r->nskip_unlisted++;
	else
		slot = list_append((void **)&r->skip, &r->nskip, &s->skipcap, RS_SCAN_SKIP_MAX, &r->nskip_unlisted,
				   sizeof(*slot));
	if (slot) {
		*slot = k;
	} else {
		free(k.path);
		free(k.detail);
	}
	pthread_mutex_unlock(&s->cbmu);
}

/* ---- the walk (one thread) ---- */

static void enqueue(struct scan *s, const char *rel, uint64_t ref, bool streams_only, uint64_t size)
{
	struct item it = { strdup(rel), ref, streams_only, size };
	if (!it.rel)
		return;
	pthread_mutex_lock(&s->qmu);
	if (s->qn - s->qhead >= QUEUE_MAX)
		while (s->qn - s->qhead > QUEUE_LOW && s->workers > 0 && !atomic_load(&s->cancel))
			pthread_cond_wait(&s->qspace, &s->qmu);
	if (s->qn == s->qcap) {
		/* Compact the consumed head before growing. */
		if (s->qhead > 0) {
			memmove(s->q, s->q + s->qhead, (s->qn - s->qhead) * sizeof(*s->q));
			s->qn -= s->qhead;
			s->qhead = 0;
		}
		struct item *nq = grow_room(s->q, &s->qcap, s->qn, sizeof(*nq), 4096);
		if (!nq) {
			pthread_mutex_unlock(&s->qmu);
			free(it.rel);
			return;
		}
		s->q = nq;
	}
	s->q[s->qn++] = it;
	if (!streams_only) {
		s->files_total++;
		s->bytes_total += size;
	}
	pthread_cond_signal(&s->qcv);
	pthread_mutex_unlock(&s->qmu);
}

static bool is_system_file(const char *rel)
{
	for (size_t i = 0; i < sizeof(system_files) / sizeof(system_files[0]); i++)
		if (strcasecmp(rel, system_files[i]) == 0)
			return true;
	return false;
}

/* A link to the walk: a junction or symbolic link, or a reparse point
 * ntfs-3g cannot read (the mount shows those as links; the direct read as
 * well when their content is not on the disk).  Its tag says which. */
static void skip_link(struct scan *s, const struct walk_entry *e)
{
	uint32_t tag = 0;
	if (s->nr ? ntfsread_reparse_tag(s->nr, e->ref, &tag) : reparse_tag_of_path(e->path, &tag))
		tag = 0;        /* a plain symbolic link (an Interix one, or not NTFS) */
	char what[128];
	reparse_describe(tag, what, sizeof(what));
	struct reparse_kind k = reparse_kind_of(tag);
	if (!tag || k.cls == REPARSE_LINK)
		add_skip(s, e->rel, NULL, RS_SKIP_LINK, 0, "%s: not followed", what);
	else if (k.cls == REPARSE_SPECIAL)
		add_skip(s, e->rel, NULL, RS_SKIP_SPECIAL, 0, "%s: not a regular file", what);
	else if (!s->nr)
		add_skip(s, e->rel, NULL, RS_SKIP_REPARSE, 0, "%s: the ntfs-3g mount cannot read it", what);
	else if ((tag & REPARSE_TAG_CLOUD_MASK) == REPARSE_TAG_CLOUD)
		add_skip(s, e->rel, NULL, RS_SKIP_REPARSE, 0, "%s: online-only, its content is not on this disk", what);
	else
		add_skip(s, e->rel, NULL, RS_SKIP_REPARSE, 0, "%s: only Windows can read it", what);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool done_has(const struct scan *s, const char *rel)
{
	return s->ndone && bsearch(&rel, s->done, s->ndone, sizeof(*s->done), cmp_cstr);
}

/* REL read already: a place, or a place holding it. */
static bool under_done(const struct scan *s, const char *rel)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", rel);
	for (char *p = buf + strlen(buf);; *p = '\0') {
		if (done_has(s, buf))
			return true;
		if (!(p = strrchr(buf, '/')))
			return false;
	}
}

static void done_add(struct scan *s, const char *rel)
{
	char **nv = grow_room(s->done, &s->donecap, s->ndone, sizeof(*nv), 32);
	if (!nv)
		return;         /* read again later: never left out */
	s->done = nv;
	if (!(s->done[s->ndone] = strdup(rel)))
		return;
	s->ndone++;
	qsort(s->done, s->ndone, sizeof(*s->done), cmp_cstr);
}

/* Where the walk's order decides about E (walk_volume): -2 when it does not
 * (on_walk handles E), else on_walk's answer without handling E: read
 * already, or read in another step. */
static int walk_order(const struct scan *s, const struct walk_entry *e)
{
	bool top = *e->rel && !strchr(e->rel, '/');
	bool dirlike = e->kind == WALK_DIR || e->kind == WALK_LOOP || e->kind == WALK_OTHER_FS;
	if (s->phase == WALK_ROOT_FILES && top && (dirlike || e->kind == WALK_ERROR))
		return e->kind == WALK_DIR ? 1 : 0;     /* folders are the next step's */
	if (s->phase == WALK_REST && top && !dirlike && e->kind != WALK_ERROR)
		return 0;                               /* the root's files: read in the step before */
	/* Listed again, gone before its lstat: a root file the step before
	 * read and the quarantine has just moved (the volume has no other
	 * writer), not a file this walk failed to read. */
	if (s->phase == WALK_REST && top && e->kind == WALK_ERROR && e->err == ENOENT)
		return 0;
	if (s->phase == WALK_REST && !*e->rel)
		return 0;                               /* the root itself (its streams): likewise */
	if (strcmp(e->rel, s->start) != 0 && done_has(s, e->rel))
		return e->kind == WALK_DIR ? 1 : 0;
	return -2;
}

/* A folder met before (a loop, or a second name of a folder): named, not
 * entered.  Returns on_walk's "do not enter". */
static int skip_loop(struct scan *s, const char *rel)
{
	add_skip(s, rel, NULL, RS_SKIP_LOOP, 0, "directory already visited: not entered again");
	return 1;
}

/* The walk's question before it reads an entry's MFT record: a file with
 * several names already queued by one of them (the direct read's index
 * entries name their record).  Its further names are then counted, not
 * opened: on Windows tens of thousands of them are in WinSxS. */
static bool known_link(dev_t dev, ino_t ino, void *user)
{
	const struct scan *s = user;
	return walk_idset_has(&s->links, dev, ino);
}

static int on_walk(const struct walk_entry *e, void *user)
{
	struct scan *s = user;
	if (atomic_load(&s->cancel))
		return -1;
	int order = walk_order(s, e);
	if (order != -2)
		return order;
	uint64_t size = e->st ? (uint64_t)e->st->st_size : 0;
	switch (e->kind) {
	case WALK_FILE:
		if (!s->o->system_files && is_system_file(e->rel))
			add_skip(s, e->rel, NULL, RS_SKIP_SYSTEM_FILE, size, "%llu bytes, Windows' memory: not scanned by default",
				 (unsigned long long)size);
		else if (size > s->max_size)
			add_skip(s, e->rel, NULL, RS_SKIP_TOO_BIG, size, "%llu bytes, over the %llu-byte limit",
				 (unsigned long long)size, (unsigned long long)s->max_size);
		else if (e->st->st_nlink > 1 && walk_idset_add(&s->links, e->st->st_dev, e->st->st_ino) == 0)
			s->extra_names++;       /* read once, by its first name (its detection lists them all) */
		else
			enqueue(s, e->rel, e->ref, false, size);
		break;
	case WALK_DIR:
		/* Rescue/ at the volume root is ours: the quarantine being written
		 * while the walk runs, and backups of what was set aside (which
		 * would be detected again on every later run). */
		if (strcasecmp(e->rel, RS_PATH_RESCUE) == 0) {
			add_skip(s, e->rel, NULL, RS_SKIP_SYSTEM_FILE, 0,
				 "rescue's own folder (quarantine, backups, reports): not scanned");
			return 1;
		}
		for (size_t i = 0; i < s->nabove; i++)
			if (s->above[i].dev == e->st->st_dev && s->above[i].ino == e->st->st_ino)
				return skip_loop(s, e->rel);
		if (!s->npaths && walk_idset_add(&s->dirs, e->st->st_dev, e->st->st_ino) == 0)
			return skip_loop(s, e->rel);
		if (s->fuse && !s->o->no_streams)
			enqueue(s, e->rel, e->ref, true, 0);
		break;
	case WALK_LINK:
		skip_link(s, e);
		break;
	case WALK_SPECIAL:
		add_skip(s, e->rel, NULL, RS_SKIP_SPECIAL, 0, "not a regular file");
		break;
	case WALK_LOOP:
		skip_loop(s, e->rel);
		break;
	case WALK_OTHER_FS:
		add_skip(s, e->rel, NULL, RS_SKIP_OTHER_FS, 0, "another file system mounted here: not entered");
		break;
	case WALK_KNOWN:
		s->extra_names++;               /* a further name of a file queued (known_link) */
		break;
	case WALK_ERROR:
		/* Rescue/ made by the quarantine after the walk listed the root
		 * (the worm's places are read first) cannot be read directly:
		 * it is ours all the same, and never an error of the scan. */
		if (strcasecmp(e->rel, RS_PATH_RESCUE) == 0) {
			add_skip(s, e->rel, NULL, RS_SKIP_SYSTEM_FILE, 0,
				 "rescue's own folder (quarantine, backups, reports): not scanned");
			return 1;
		}
		add_skip(s, e->rel, NULL, RS_SKIP_UNREADABLE, 0, "%s", strerror(e->err));
		break;
	}
	return 0;
}

/* ---- the workers ---- */

static const char *worker_path(struct worker *w, const char *rel, const char *stream)
{
	return walk_join(&w->path, &w->pathcap, w->s->root, rel, stream);
}

static int reserve(struct worker *w, size_t n)
{
	if (n <= w->cap)
		return 0;
	size_t cap = n < 65536 ? 65536 : n;
	uint8_t *nb = realloc(w->buf, cap);
	if (!nb)
		return -1;
	w->buf = nb;
	w->cap = cap;
	return 0;
}

/* Read FD whole into w->buf (at most max bytes; EFBIG past that).  Short
 * reads and EINTR are looped over: FUSE returns short reads.  read(), not
 * mmap: the copy costs about 6% of a scan's CPU, but a bad sector under an
 * mmap'ed page is a SIGBUS that kills the scan, where read() returns EIO and
 * the file is listed as unreadable (rescue disks are often failing disks). */
static int read_whole(struct worker *w, int fd, uint64_t hint, size_t *len)
{
	uint64_t max = w->s->max_size;
	size_t want = (size_t)(hint < max ? hint : max) + 1;
	if (reserve(w, want) != 0)
		return ENOMEM;
	size_t n = 0;
	for (;;) {
		if (n == w->cap) {
			if (n > max)
				return EFBIG;
			if (reserve(w, w->cap * 2 > max + 1 ? (size_t)max + 1 : w->cap * 2) != 0)
				return ENOMEM;
		}
		ssize_t r = read(fd, w->buf + n, w->cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max)
		return EFBIG;
	*len = n;
	return 0;
}

/* read_whole, then, however it ended, FD's pages out of the page cache: a
 * file or stream is read once, as on the direct read (read_attr in
 * rescue/volume/ntfsread.c says why). */
static int read_fd(struct worker *w, int fd, uint64_t hint, size_t *len)
{
	int e = read_whole(w, fd, hint, len);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	return e;
}

static int yara_cb(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
	(void)ctx;
	struct worker *w = user;
	if (message == CALLBACK_MSG_RULE_MATCHING && w->nmatches < MAX_MATCHES)
		w->matches[w->nmatches++] = data;
	return CALLBACK_CONTINUE;
}

/* By rule name, then namespace. */
static int cmp_rule(const void *a, const void *b)
{
	const YR_RULE *x = *(const YR_RULE *const *)a, *y = *(const YR_RULE *const *)b;
	int c = strcmp(x->identifier, y->identifier);
	return c ? c : strcmp(x->ns && x->ns->name ? x->ns->name : "", y->ns && y->ns->name ? y->ns->name : "");
}

/* Hand the counters to the progress callback (the caller holds cbmu); its
 * answer: nonzero asks to cancel. */
static int send_progress(struct scan *s, const char *rel, double now)
{
	struct rs_scan_progress p = {
		.files = atomic_load(&s->files) + atomic_load(&s->streams),
		.bytes = atomic_load(&s->bytes),
		.secs = now,
		.detections = atomic_load(&s->ndet),
		.skipped = atomic_load(&s->nskipped),
		.errors = atomic_load(&s->nerrors),
		.current = rel,
		.eta_secs = -1,
	};
	pthread_mutex_lock(&s->qmu);
	p.files_total = s->files_total;
	p.bytes_total = s->bytes_total;
	p.walk_done = s->walk_done;
	pthread_mutex_unlock(&s->qmu);
	p.mbps = now > 0 ? (double)p.bytes / 1e6 / now : 0;
	/* The walk's count once it is whole, else the MFT's when known. */
	uint64_t est = atomic_load(&s->bytes_estimate);
	if (!p.walk_done && est > p.bytes_total)
		p.bytes_total = est;
	eta_note(&s->eta, now, p.bytes);
	if (p.walk_done || est)
		p.eta_secs = eta_secs(&s->eta, now, p.bytes, p.bytes_total);
	return s->o->progress(&p, s->o->user);
}

static void maybe_progress(struct worker *w, const char *rel)
{
	struct scan *s = w->s;
	if (!s->o->progress)
		return;
	double now = elapsed(s);
	unsigned ms = s->o->progress_ms ? s->o->progress_ms : 250;
	if (now - s->last_progress < ms / 1000.0 || pthread_mutex_trylock(&s->cbmu) != 0)
		return;
	if (now - s->last_progress >= ms / 1000.0) {
		s->last_progress = now;
		if (send_progress(s, rel, now) != 0)
			atomic_store(&s->cancel, true);
	}
	pthread_mutex_unlock(&s->cbmu);
}

/* Every name of the detected file REL when it has several (ST's st_nlink):
 * REL first, then the others, in a new array of pointers into a new
 * *LIST (the caller frees both); *N their count.  NULL (and *N 1) for a
 * file with one name, or when they cannot be told.  Read directly, from the
 * file's own MFT record; through the mount, by a walk of the volume. */
static const char **hit_names(struct worker *w, const char *rel, const struct stat *st, char **list, size_t *n)
{
	*n = 1;
	*list = NULL;
	if (st->st_nlink < 2)
		return NULL;
	/* Through the mount each look is a walk of the whole volume: a few
	 * only, however many such files a worm infected. */
	if (!w->nr && atomic_fetch_add(&w->s->name_walks, 1) >= NAME_WALKS_MAX) {
		add_skip(w->s, rel, NULL, RS_SKIP_UNREADABLE, 0, "%u names: the others not looked for (over %d such "
			 "files read through the mount)", (unsigned)st->st_nlink, NAME_WALKS_MAX);
		return NULL;
	}
	size_t len = 0;
	if (w->nr ? ntfsread_names(w->nr, w->ref, list, &len) : walk_find_names(w->s->root, st, list, &len))
		return NULL;
	size_t count = 1;
	for (const char *p = *list; p < *list + len; p += strlen(p) + 1)
		count++;
	const char **v = calloc(count, sizeof(*v));
	if (!v)
		return NULL;
	v[0] = rel;
	size_t k = 1;
	for (const char *p = *list; p < *list + len; p += strlen(p) + 1)
		if (strcmp(p, rel) != 0)
			v[k++] = p;
	*n = k;
	return v;
}

/* Scan LEN bytes of w->buf as REL[:STREAM]: hash, YARA, and on a match the
 * detect callback and the result. */
static void scan_buffer(struct worker *w, const char *rel, const char *stream, const char *full,
			size_t len, const struct stat *st)
{
	struct scan *s = w->s;

	/* The externals rules see (rescue/scan/externals.h).  The owner is the
	 * mount's view of the file; read directly from the device there is no
	 * such view (ntfs-3g maps owners only on the mount): it is left "". */
	const char *owner = "";
	if (!w->nr && st) {
		/* ntfs-3g gives every file one owner: look the name up once */
		if (!w->owner_known || w->owner_uid != st->st_uid) {
			struct passwd pw, *pwp = NULL;
			char pwbuf[1024];
			if (getpwuid_r(st->st_uid, &pw, pwbuf, sizeof(pwbuf), &pwp) == 0 && pwp)
				snprintf(w->owner, sizeof(w->owner), "%s", pw.pw_name);
			else
				snprintf(w->owner, sizeof(w->owner), "%u", (unsigned)st->st_uid);
			w->owner_uid = st->st_uid;
			w->owner_known = true;
		}
		owner = w->owner;
	}
	struct rs_ext_values ext;
	if (rs_ext_values_fill(&ext, rel, stream, w->buf, len, owner) != 0)
		return;
	w->nmatches = 0;
	int yerr = ERROR_SUCCESS;
	for (int i = 0; i < 2; i++) {
		if (!w->ys[i])
			continue;
		for (int k = 0; k < RS_EXT_N; k++)
			yr_scanner_define_string_variable(w->ys[i], rs_ext_name(k), ext.v[k]);
		int e = yr_scanner_scan_mem(w->ys[i], w->buf, len);
		if (e != ERROR_SUCCESS)
			yerr = e;
	}
	/* LOKI's filename IOCs see the Windows path: filepath\filename. */
	const struct rs_ioc *ioc = rs_rules_ioc(s->rules);
	struct rs_ioc_hit ih[MAX_IOC_HITS];
	size_t nih = 0;
	long iscore = 0;
	if (rs_ioc_nfilenames(ioc)) {
		char *winpath = NULL;
		const char *dir = ext.v[RS_EXT_FILEPATH];
		if (asprintf(&winpath, "%s%s%s", dir, dir[strlen(dir) - 1] == '\\' ? "" : "\\",
			     ext.v[RS_EXT_FILENAME]) >= 0) {
			nih = rs_ioc_filename_match(ioc, winpath, ih, MAX_IOC_HITS - RS_IOC_NHASH, &iscore);
			free(winpath);
		}
		if (nih && iscore < s->ioc_alert_score) {
			char what[512];
			snprintf(what, sizeof(what), "filename IOC, score %ld (under %ld): %s [%s]", iscore,
				 s->ioc_alert_score, ih[0].description, ih[0].ns);
			add_warning(s, rel, stream, what);
			nih = 0;
		}
	}
	rs_ext_values_free(&ext);
	/* SHA-256 when the hash list may hold a file of this size, and for
	 * every detection (the report names it); MD5 and SHA1 only when an IOC
	 * list holds some: all from the one buffer read. */
	bool want = rs_rules_hash_wanted(s->rules, len);
	uint8_t sha[SHA256_DIGEST_SIZE], md5[MD5_DIGEST_SIZE], sha1[SHA1_DIGEST_SIZE];
	const char *hname = NULL;
	if (rs_ioc_wants(ioc, RS_IOC_MD5)) {
		struct md5_ctx hc;
		md5_init(&hc);
		md5_update(&hc, len, w->buf);
		md5_digest(&hc, sizeof(md5), md5);
		nih += rs_ioc_hash_lookup(ioc, RS_IOC_MD5, md5, &ih[nih]);
	}
	if (rs_ioc_wants(ioc, RS_IOC_SHA1)) {
		struct sha1_ctx hc;
		sha1_init(&hc);
		sha1_update(&hc, len, w->buf);
		sha1_digest(&hc, sizeof(sha1), sha1);
		nih += rs_ioc_hash_lookup(ioc, RS_IOC_SHA1, sha1, &ih[nih]);
	}
	if (want || w->nmatches || nih || rs_ioc_wants(ioc, RS_IOC_SHA256)) {
		struct sha256_ctx hc;
		sha256_init(&hc);
		sha256_update(&hc, len, w->buf);
		sha256_digest(&hc, sizeof(sha), sha);
		if (want)
			hname = rs_rules_hash_lookup(s->rules, sha);
		nih += rs_ioc_hash_lookup(ioc, RS_IOC_SHA256, sha, &ih[nih]);
	}
	if (yerr != ERROR_SUCCESS)
		add_skip(s, rel, stream, RS_SKIP_UNREADABLE, len, "YARA stopped on this file (libyara error %d)%s",
			 yerr, w->nmatches || hname || nih ? "; what matched before is reported" : "");
	if (w->nmatches == 0 && !hname && !nih)
		return;

	/* "Rule1,Rule2,hash:NAME,ioc-KIND": rule names sorted, the hash, then
	 * the IOC kinds; the meta of every matching rule (two files may each
	 * have a rule of one name) and IOC entry. */
	qsort(w->matches, w->nmatches, sizeof(w->matches[0]), cmp_rule);
	struct rs_rule_meta meta[MAX_MATCHES + MAX_IOC_HITS];
	size_t rlen = 1 + (hname ? strlen(hname) + 6 : 0);
	for (size_t i = 0; i < w->nmatches; i++) {
		rlen += strlen(w->matches[i]->identifier) + 1;
		rs_rule_meta_of(w->matches[i], &meta[i]);
	}
	size_t nmeta = w->nmatches;
	for (size_t i = 0; i < nih; i++, nmeta++) {
		meta[nmeta] = (struct rs_rule_meta){ .ns = ih[i].ns, .rule = ih[i].what,
						     .description = ih[i].description, .score = ih[i].score };
		rlen += strlen("ioc-") + strlen(ih[i].score >= 0 ? "filename" : ih[i].what) + 1;
	}
	char *rules = malloc(rlen);
	if (!rules)
		return;
	rules[0] = '\0';
	for (size_t i = 0; i < w->nmatches; i++) {
		if (i && strcmp(w->matches[i]->identifier, w->matches[i - 1]->identifier) == 0)
			continue;   /* the same name in the built-in and the extra set */
		if (rules[0])
			strcat(rules, ",");
		strcat(rules, w->matches[i]->identifier);
	}
	if (hname) {
		if (rules[0])
			strcat(rules, ",");
		strcat(rules, "hash:");
		strcat(rules, hname);
	}
	for (size_t i = 0; i < nih; i++) {
		const char *kind = ih[i].score >= 0 ? "filename" : ih[i].what;
		if (i && ih[i].score >= 0 && ih[i - 1].score >= 0)
			continue;   /* one "ioc-filename" for all the entries that matched */
		if (rules[0])
			strcat(rules, ",");
		strcat(rules, "ioc-");
		strcat(rules, kind);
	}

	struct rs_scan_hit hit = {
		.path = rel, .stream = stream, .fullpath = full, .rules = rules, .size = len,
		.data = w->buf, .st = st, .names = &rel, .nnames = 1, .meta = meta, .nmeta = nmeta,
	};
	char *namelist = NULL;
	const char **names = hit_names(w, rel, st, &namelist, &hit.nnames);
	if (names)
		hit.names = names;
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		sprintf(hit.sha256 + 2 * i, "%02x", sha[i]);
	atomic_fetch_add(&s->ndet, 1);

	pthread_mutex_lock(&s->cbmu);
	if (s->o->detect && s->o->detect(&hit, s->o->user) != 0)
		atomic_store(&s->cancel, true);
	struct rs_scan_result *r = s->res;
	struct rs_scan_detection *d = list_append((void **)&r->det, &r->ndet, &s->detcap, RS_SCAN_DET_MAX,
						  &r->ndet_unlisted, sizeof(*d));
	if (d) {
		d->path = strdup(rel);
		d->stream = stream ? strdup(stream) : NULL;
		d->rules = rules;
		rules = NULL;
		d->action = strdup(hit.action);
		d->inspect = hit.inspect;
		d->size = len;
		memcpy(d->sha256, hit.sha256, sizeof(d->sha256));
		d->names = NULL;
		d->nnames = 0;
		if (hit.nnames > 1 && (d->names = calloc(hit.nnames, sizeof(char *))) != NULL) {
			d->nnames = hit.nnames;
			for (size_t i = 0; i < hit.nnames; i++)
				d->names[i] = strdup(hit.names[i]);
		}
		d->nmeta = 0;
		d->meta = calloc(nmeta ? nmeta : 1, sizeof(*d->meta));
		for (size_t i = 0; d->meta && i < nmeta; i++)
			if (rs_rule_meta_copy(&d->meta[d->nmeta], &meta[i]) == 0)
				d->nmeta++;
	}
	pthread_mutex_unlock(&s->cbmu);
	free(names);
	free(namelist);
	free(rules);
}

/* Open FULL, a regular file, with no link followed at any component (a
 * file or folder replaced by a link since the walk is refused, as is a FIFO
 * or device: rescue/base/confine.h) and without updating its access time when
 * allowed. */
static int open_nofollow(const char *full)
{
	/* O_NOFOLLOW as well: a root no rs_ctx registered (a unit test's). */
	int fd = confine_open(full, O_RDONLY | O_NOFOLLOW | O_NOATIME, 0);
	if (fd < 0 && errno == EPERM)
		fd = confine_open(full, O_RDONLY | O_NOFOLLOW, 0);
	return fd;
}

/* Scan one stream of REL: through "FILE:NAME" (streams_interface=windows) or
 * the "user.NAME" attribute (streams_interface=xattr). */
static void scan_stream(struct worker *w, const char *rel, const char *name, bool as_xattr,
			const struct stat *st)
{
	struct scan *s = w->s;
	size_t len = 0;
	int e = 0;
	if (as_xattr) {
		const char *full = worker_path(w, rel, NULL);
		char attr[XATTR_NAME_MAX + 1];
		snprintf(attr, sizeof(attr), "user.%s", name);
		ssize_t n = full ? confine_getxattr(full, attr, NULL, 0) : -1;
		if (n < 0) {
			e = errno;
		} else if ((uint64_t)n > s->max_size) {
			add_skip(s, rel, name, RS_SKIP_TOO_BIG, (uint64_t)n, "%zd bytes, over the %llu-byte limit", n,
				 (unsigned long long)s->max_size);
			return;
		} else if (reserve(w, (size_t)n + 1) != 0) {
			e = ENOMEM;
		} else if ((n = confine_getxattr(full, attr, w->buf, w->cap)) < 0) {
			e = errno;
		} else {
			len = (size_t)n;
		}
	} else {
		const char *full = worker_path(w, rel, name);
		int fd = full ? open_nofollow(full) : -1;
		struct stat sst;
		if (fd < 0) {
			e = errno;
		} else if (fstat(fd, &sst) != 0) {
			e = errno;
		} else if ((uint64_t)sst.st_size > s->max_size) {
			add_skip(s, rel, name, RS_SKIP_TOO_BIG, (uint64_t)sst.st_size, "%llu bytes, over the %llu-byte limit",
				 (unsigned long long)sst.st_size, (unsigned long long)s->max_size);
			close(fd);
			return;
		} else {
			e = read_fd(w, fd, (uint64_t)sst.st_size, &len);
		}
		if (fd >= 0)
			close(fd);
	}
	if (e) {
		add_skip(s, rel, name, e == EFBIG ? RS_SKIP_TOO_BIG : RS_SKIP_UNREADABLE, 0, "%s",
			 confine_strerror(e));
		return;
	}
	atomic_fetch_add(&s->streams, 1);
	atomic_fetch_add(&s->bytes, len);
	scan_buffer(w, rel, name, worker_path(w, rel, NULL), len, st);
}

/* The alternate data streams of REL (ntfs-3g only). */
static void scan_streams(struct worker *w, const char *rel, const struct stat *st)
{
	const char *full = worker_path(w, rel, NULL);
	if (!full)
		return;
	char list[8192];
	bool as_xattr = false;
	ssize_t n = confine_getxattr(full, RS_NTFS_STREAMS_LIST, list, sizeof(list) - 1);
	if (n < 0 && (errno == ENOTSUP || errno == ENODATA)) {
		/* streams_interface=xattr: the streams are the user.* attributes. */
		n = confine_listxattr(full, list, sizeof(list) - 1);
		as_xattr = true;
	}
	if (n < 0) {
		/* ENOENT: the file is gone since its content was scanned (the
		 * detect callback quarantined it): no stream is left to read. */
		if (errno != ENOTSUP && errno != ENODATA && errno != ENOENT)
			add_skip(w->s, rel, "*", RS_SKIP_UNREADABLE, 0, "cannot list its streams: %s", strerror(errno));
		return;
	}
	list[n] = '\0';
	/* Copy the names: worker_path reuses the scratch buffer. */
	char *names = malloc((size_t)n + 1);
	if (!names)
		return;
	memcpy(names, list, (size_t)n + 1);
	for (char *p = names; p < names + n; p += strlen(p) + 1) {
		if (!*p)
			continue;
		if (as_xattr) {
			if (strncmp(p, "user.", 5) != 0)
				continue;
			scan_stream(w, rel, p + 5, true, st);
		} else {
			scan_stream(w, rel, p, false, st);
		}
	}
	free(names);
}

/* Keep the buffer for the next file unless it grew large: peak memory
 * follows the largest file, and most files are small. */
static void trim_buffer(struct worker *w)
{
	if (w->cap > BIG_FILE) {
		free(w->buf);
		w->buf = NULL;
		w->cap = 0;
	}
}

/* A file's content could not be read (E, an errno; WHY, when not NULL or
 * empty, says more: a WOF-compressed file's reason): list it.  EFBIG: it
 * was at most max_size when the walk saw it. */
static bool read_failed(struct scan *s, const char *rel, int e, const char *why)
{
	if (e == EFBIG)
		add_skip(s, rel, NULL, RS_SKIP_TOO_BIG, 0, "grew over the %llu-byte limit while read",
			 (unsigned long long)s->max_size);
	else if (e)
		add_skip(s, rel, NULL, RS_SKIP_UNREADABLE, 0, "%s", why && *why ? why : strerror(e));
	return e != 0;
}

/* The alternate data streams of the file or folder REF, read directly. */
static void scan_streams_direct(struct worker *w, const char *rel, uint64_t ref)
{
	struct scan *s = w->s;
	char *names;
	size_t n;
	int e = ntfsread_streams(w->nr, ref, &names, &n);
	if (e) {
		/* Gone since its content was scanned (the detect callback
		 * quarantined it through the mount): no stream is left to read.
		 * Inside a folder the mount shows as a link (OneDrive) the mount
		 * cannot tell (ELOOP): the direct read failing says it is gone. */
		const char *full = worker_path(w, rel, NULL);
		struct stat st;
		if (!full || confine_lstat(full, &st) == 0 || (errno != ENOENT && errno != ELOOP))
			add_skip(s, rel, "*", RS_SKIP_UNREADABLE, 0, "cannot list its streams: %s", strerror(e));
		return;
	}
	for (char *p = names; p < names + n; p += strlen(p) + 1) {
		struct stat st;
		size_t len = 0;
		e = ntfsread_read(w->nr, ref, p, s->max_size, &w->buf, &w->cap, &len, &st);
		if (e == EFBIG) {
			add_skip(s, rel, p, RS_SKIP_TOO_BIG, len, "%zu bytes, over the %llu-byte limit", len,
				 (unsigned long long)s->max_size);
		} else if (e) {
			add_skip(s, rel, p, RS_SKIP_UNREADABLE, 0, "%s", strerror(e));
		} else {
			atomic_fetch_add(&s->streams, 1);
			atomic_fetch_add(&s->bytes, len);
			scan_buffer(w, rel, p, worker_path(w, rel, NULL), len, &st);
		}
	}
	free(names);
}

/* One file (or a folder's streams) read through libntfs-3g: the same
 * outcomes as scan_item's through the mount. */
static void scan_item_direct(struct worker *w, const struct item *it)
{
	struct scan *s = w->s;
	w->ref = it->ref;
	if (!it->streams_only) {
		struct stat st;
		size_t len = 0;
		int e = ntfsread_read(w->nr, it->ref, NULL, s->max_size, &w->buf, &w->cap, &len, &st);
		/* A damaged file read part way: what exists is scanned, and the
		 * file named as not read whole. */
		if (e == EIO && len > 0)
			add_skip(s, it->rel, NULL, RS_SKIP_UNREADABLE, len, "%s; what was read is scanned",
				 ntfsread_why(w->nr));
		else if (read_failed(s, it->rel, e, ntfsread_why(w->nr)))
			return;
		const char *full = worker_path(w, it->rel, NULL);
		if (!full) {
			add_skip(s, it->rel, NULL, RS_SKIP_UNREADABLE, 0, "%s", strerror(ENOMEM));
			return;
		}
		atomic_fetch_add(&s->files, 1);
		atomic_fetch_add(&s->bytes, len);
		scan_buffer(w, it->rel, NULL, full, len, &st);
	}
	if (!s->o->no_streams)
		scan_streams_direct(w, it->rel, it->ref);
	trim_buffer(w);
	if (!it->streams_only)
		maybe_progress(w, it->rel);
}

static void scan_item(struct worker *w, const struct item *it)
{
	struct scan *s = w->s;
	if (w->nr) {
		scan_item_direct(w, it);
		return;
	}
	const char *full = worker_path(w, it->rel, NULL);
	if (!full) {
		add_skip(s, it->rel, NULL, RS_SKIP_UNREADABLE, 0, "%s", strerror(ENOMEM));
		return;
	}
	if (it->streams_only) {
		struct stat st;
		if (confine_lstat(full, &st) == 0)
			scan_streams(w, it->rel, &st);
		return;
	}
	int fd = open_nofollow(full);
	struct stat st;
	size_t len = 0;
	int e = 0;
	if (fd < 0)
		e = errno;
	else if (fstat(fd, &st) != 0)     /* confine_open opened a regular file only */
		e = errno;
	else
		e = read_fd(w, fd, (uint64_t)st.st_size, &len);
	if (fd >= 0)
		close(fd);
	/* A refusal names the link or FIFO found in the file's place. */
	if (read_failed(s, it->rel, e, confine_refusal(e)))
		return;
	atomic_fetch_add(&s->files, 1);
	atomic_fetch_add(&s->bytes, len);
	scan_buffer(w, it->rel, NULL, full, len, &st);
	if (s->fuse && !s->o->no_streams)
		scan_streams(w, it->rel, &st);
	trim_buffer(w);
	maybe_progress(w, it->rel);
}

/* Wait until a large file of SIZE bytes fits in BIG_BUDGET beside the
 * others being read (at once when none is), then count it. */
static void big_enter(struct scan *s, uint64_t size)
{
	pthread_mutex_lock(&s->bigmu);
	while (s->big_bytes && s->big_bytes + size > BIG_BUDGET)
		pthread_cond_wait(&s->bigcv, &s->bigmu);
	s->big_bytes += size;
	pthread_mutex_unlock(&s->bigmu);
}

static void big_leave(struct scan *s, uint64_t size)
{
	pthread_mutex_lock(&s->bigmu);
	s->big_bytes -= size;
	pthread_cond_broadcast(&s->bigcv);
	pthread_mutex_unlock(&s->bigmu);
}

/* How many places behind the queue's head a worker asks the kernel for a
 * file (ntfsread_prefetch) as it takes one: past the file each other
 * worker takes next, PREFETCH_DEEP further.  With a constant lead each
 * file is asked for once, by the worker that takes the one so many places
 * before it, and its clusters arrive while the files before it are
 * scanned. */
static size_t prefetch_lead(int workers)
{
	return (workers > 1 ? (size_t)workers - 1 : 0) + PREFETCH_DEEP;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct scan *s = w->s;
	for (;;) {
		pthread_mutex_lock(&s->qmu);
		while (s->qhead == s->qn && !s->walk_done && !atomic_load(&s->cancel))
			pthread_cond_wait(&s->qcv, &s->qmu);
		if (s->qhead == s->qn || atomic_load(&s->cancel)) {
			s->workers--;
			pthread_cond_broadcast(&s->qspace);
			pthread_mutex_unlock(&s->qmu);
			break;
		}
		struct item it = s->q[s->qhead++];
		if (s->qn - s->qhead == QUEUE_LOW)
			pthread_cond_signal(&s->qspace);
		size_t ahead = s->qhead + prefetch_lead(s->workers);
		uint64_t prefetch = w->nr && ahead < s->qn && !s->q[ahead].streams_only && s->q[ahead].size
			? s->q[ahead].ref : 0;
		pthread_mutex_unlock(&s->qmu);
		if (prefetch)
			ntfsread_prefetch(w->nr, prefetch, PREFETCH_MAX);
		bool big = it.size > BIG_FILE;
		if (big)
			big_enter(s, it.size);
		scan_item(w, &it);
		if (big)
			big_leave(s, it.size);
		free(it.rel);
	}
	return NULL;
}

/* PATH (as given to rs_scan_run: relative to the volume, or absolute under
 * it) relative to ROOT, in OUT, resolved case-insensitively.  A relative
 * PATH the mount cannot find may still be on the volume: inside a folder
 * ntfs-3g shows as a broken link (a OneDrive folder, rescue/volume/reparse.h),
 * which only the direct read enters.  With UNSEEN not NULL such a PATH is
 * given back as spelled (its found part as on the disk), *UNSEEN set to
 * the errno, for the caller to look it up on the volume itself. */
static int path_in_volume(const char *root, const char *path, char *out, size_t outlen, int *unseen,
			  struct rs_error *err)
{
	size_t rl = strlen(root);
	const char *rel = path;
	/* Spelled under ROOT: the rest is looked up on the volume like a
	 * relative PATH, so that a link in it is refused by name. */
	if (path[0] == '/' && rl > 1 && strncmp(path, root, rl) == 0 && (path[rl] == '/' || path[rl] == '\0')) {
		for (rel = path + rl; *rel == '/'; rel++)
			;
	} else if (path[0] == '/') {
		char real[PATH_MAX];
		if (!realpath(path, real))
			return rs_fail_errno(err, RS_EUSAGE, errno, "%s", path);
		if (strncmp(real, root, rl) != 0 || (real[rl] != '/' && real[rl] != '\0'))
			return rs_fail(err, RS_EUSAGE, "%s is not inside the volume %s", path, root);
		snprintf(out, outlen, "%s", real[rl] ? real + rl + 1 : "");
		return RS_OK;
	}
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	if (strcmp(rel, ".") == 0)
		rel = "";
	for (const char *p = rel; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == rel || p[-1] == '/' || p[-1] == '\\') && (p[2] == '\0' || p[2] == '/' || p[2] == '\\'))
			return rs_fail(err, RS_EUSAGE, "%s: '..' may not leave the volume", path);
	char full[PATH_MAX];
	if (!*rel)
		snprintf(full, sizeof(full), "%s", root);
	else if (winpath_resolve(root, rel, full, sizeof(full)) != 0) {
		int e = errno;
		if (unseen && e == ELOOP) {
			/* A link on the way, never followed through the mount: a
			 * OneDrive folder is one, and only the direct read, which
			 * follows no link either, can tell. */
			snprintf(out, outlen, "%s", rel);
			for (char *p = out; *p; p++)
				if (*p == '\\')
					*p = '/';
			*unseen = e;
			return RS_OK;
		}
		if (!unseen || e != ENOENT || winpath_resolve_new(root, rel, full, sizeof(full)) != 0)
			return rs_fail_errno(err, RS_EUSAGE, e, "%s", path);
		*unseen = e;
	}
	snprintf(out, outlen, "%s", full[rl] ? full + rl + 1 : "");
	return RS_OK;
}

static int cmp_det(const void *a, const void *b)
{
	const struct rs_scan_detection *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : strcmp(x->stream ? x->stream : "", y->stream ? y->stream : "");
}

static int cmp_skip(const void *a, const void *b)
{
	const struct rs_scan_skip *x = a, *y = b;
	return x->why != y->why ? (int)x->why - (int)y->why : strcmp(x->path, y->path);
}

/* The paths rs_scan_run was given, checked and made volume-relative before
 * anything is scanned: s->rels[i], and s->unseen[i] the errno of one only the
 * direct read may find (path_in_volume). */
static int resolve_paths(struct scan *s, const char *const *paths, size_t npaths, struct rs_error *err)
{
	s->npaths = npaths;
	s->rels = calloc(npaths ? npaths : 1, sizeof(char *));
	s->unseen = calloc(npaths ? npaths : 1, sizeof(int));
	if (!s->rels || !s->unseen)
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	int rc = RS_OK;
	for (size_t i = 0; i < npaths && rc == RS_OK; i++) {
		char rel[PATH_MAX];
		rc = path_in_volume(s->root, paths[i], rel, sizeof(rel),
				    s->o->read == RS_READ_MOUNT ? NULL : &s->unseen[i], err);
		if (rc == RS_OK && !(s->rels[i] = strdup(rel)))
			rc = rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	return rc;
}

static int thread_count(const struct rs_scan_opts *o)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int n = o->threads > 0 ? o->threads : (ncpu > 0 ? (int)ncpu : 1);
	return n > RS_SCAN_MAX_THREADS ? RS_SCAN_MAX_THREADS : n;
}

/* Read directly through libntfs-3g when asked and possible: the walk's
 * handle and one per worker (libntfs-3g is not thread-safe on one volume).
 * When one cannot be had, every thread reads through the mount instead
 * (res->read_note says why), or, for RS_READ_DIRECT, the scan fails. */
static int open_direct(struct scan *s, struct worker *w, int nthreads, struct rs_error *err)
{
	struct rs_scan_result *res = s->res;
	res->read = RS_READ_MOUNT;
	if (s->o->read == RS_READ_MOUNT)
		return RS_OK;
	struct rs_error nerr = { 0 };
	if (ntfsread_open(s->root, &s->nr, &nerr) == RS_OK) {
		for (int i = 0; i < nthreads; i++) {
			if (ntfsread_reopen(s->nr, &w[i].nr, &nerr) == RS_OK)
				continue;
			for (int k = 0; k < i; k++)
				ntfsread_close(w[k].nr), w[k].nr = NULL;
			ntfsread_close(s->nr);
			s->nr = NULL;
			break;
		}
	}
	if (!s->nr) {
		if (s->o->read == RS_READ_DIRECT)
			return rs_fail(err, RS_ETARGET, "cannot read directly through libntfs-3g: %s", nerr.msg);
		snprintf(res->read_note, sizeof(res->read_note), "%s", nerr.msg);
		return RS_OK;
	}
	res->read = RS_READ_DIRECT;
	s->fuse = true;         /* streams are listed from the volume itself */
	return RS_OK;
}

/* A PATH the mount could not find: there only if the volume has it. */
static int check_unseen(struct scan *s, struct rs_error *err)
{
	for (size_t i = 0; i < s->npaths; i++)
		if (s->unseen[i] && (!s->nr || (s->unseen[i] = ntfsread_lookup(s->nr, s->rels[i])) != 0))
			return rs_fail_errno(err, RS_EUSAGE, s->unseen[i], "%s", s->paths[i]);
	return RS_OK;
}

/* How each worker's YARA scanners run. */
static const struct {
	int flags;              /* fast mode: one match of a string is enough to decide */
	int timeout_secs;       /* a file YARA has not finished with by then is listed as unreadable */
} yara_settings = { SCAN_FLAGS_FAST_MODE, 120 };

/* W's scanners, one per rule set; false when one cannot be made. */
static bool make_scanners(struct scan *s, struct worker *w)
{
	YR_RULES *sets[2] = { rs_rules_builtin(s->rules), rs_rules_extra(s->rules) };
	for (int k = 0; k < 2; k++) {
		if (!sets[k])
			continue;
		if (yr_scanner_create(sets[k], &w->ys[k]) != ERROR_SUCCESS)
			return false;
		yr_scanner_set_callback(w->ys[k], yara_cb, w);
		yr_scanner_set_flags(w->ys[k], yara_settings.flags);
		yr_scanner_set_timeout(w->ys[k], yara_settings.timeout_secs);
	}
	return true;
}

static void free_scanners(struct worker *w)
{
	for (int k = 0; k < 2; k++)
		if (w->ys[k])
			yr_scanner_destroy(w->ys[k]);
	w->ys[0] = w->ys[1] = NULL;
}

/* Start up to NTHREADS workers; returns how many run (0: the scan cannot). */
static int start_workers(struct scan *s, struct worker *w, int nthreads)
{
	int started = 0;
	for (int i = 0; i < nthreads; i++) {
		w[i].s = s;
		bool good = make_scanners(s, &w[i]);
		pthread_mutex_lock(&s->qmu);
		s->workers++;            /* counted before it runs: it counts itself out */
		pthread_mutex_unlock(&s->qmu);
		if (!good || pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0) {
			pthread_mutex_lock(&s->qmu);
			s->workers--;
			pthread_mutex_unlock(&s->qmu);
			free_scanners(&w[i]);
			break;
		}
		started++;
	}
	return started;
}

static void *estimate_main(void *arg)
{
	struct scan *s = arg;
	uint64_t total = 0;
	if (ntfsread_data_bytes(s->est_nr, s->max_size, &s->est_stop, &total) == 0)
		atomic_store(&s->bytes_estimate, total ? total : 1);
	return NULL;
}

/* Start the estimate (a handle of its own: libntfs-3g is not thread-safe
 * on one); without one, the ETA waits for the walk, as it did. */
static void estimate_start(struct scan *s)
{
	struct rs_error nerr = { 0 };
	if (!s->nr || s->npaths || ntfsread_reopen(s->nr, &s->est_nr, &nerr) != RS_OK)
		return;
	if (pthread_create(&s->est_tid, NULL, estimate_main, s) != 0) {
		ntfsread_close(s->est_nr);
		s->est_nr = NULL;
	}
}

static void estimate_end(struct scan *s)
{
	if (!s->est_nr)
		return;
	atomic_store(&s->est_stop, true);
	pthread_join(s->est_tid, NULL);
	ntfsread_close(s->est_nr);
	s->est_nr = NULL;
}

/* s->above for a walk of a whole volume from START: each folder above it,
 * its parent first, the root last. */
static void note_above(struct scan *s, const char *start)
{
	s->nabove = 0;
	if (s->npaths || !*start)
		return;
	char rel[PATH_MAX], full[PATH_MAX];
	struct stat st;
	snprintf(rel, sizeof(rel), "%s", start);
	while (*rel && s->nabove < ABOVE_MAX) {
		char *slash = strrchr(rel, '/');
		*(slash ? slash : rel) = '\0';
		snprintf(full, sizeof(full), "%s%s%s", s->root, *rel ? "/" : "", rel);
		if (confine_lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
			s->above[s->nabove].dev = st.st_dev;
			s->above[s->nabove++].ino = st.st_ino;
		}
	}
}

static void walk_from(struct scan *s, const char *start)
{
	s->start = start;
	note_above(s, start);
	if (s->nr)
		ntfsread_walk(s->nr, start, on_walk, known_link, s);
	else
		walk_tree(s->root, start, on_walk, s);
}

/* The whole volume, the worm's places first (rescue/scan/places.h): a
 * detection there is known early.  Then the files at the root, then the
 * rest, each place skipped there. */
static void walk_volume(struct scan *s)
{
	char **pl = NULL;
	size_t np = 0;
	if (places_list(s->root, s->o->first, s->o->nfirst, &pl, &np) != 0)
		np = 0;                 /* no memory for the order: the plain walk reads everything */
	s->phase = WALK_PLACES;
	for (size_t i = 0; i < np && !atomic_load(&s->cancel); i++) {
		if (under_done(s, pl[i]))
			continue;
		walk_from(s, pl[i]);
		done_add(s, pl[i]);
	}
	places_free(pl, np);
	s->phase = WALK_ROOT_FILES;
	if (!atomic_load(&s->cancel))
		walk_from(s, "");
	s->phase = WALK_REST;
	if (!atomic_load(&s->cancel))
		walk_from(s, "");
}

/* The walk, in the calling thread, feeding the workers; then the workers'
 * end. */
static void walk_and_join(struct scan *s, struct worker *w, int started)
{
	estimate_start(s);
	if (!s->npaths) {
		walk_volume(s);
	} else {
		s->phase = WALK_PLACES;         /* the paths asked for, as given */
		for (size_t i = 0; i < s->npaths && !atomic_load(&s->cancel); i++)
			walk_from(s, s->rels[i]);
	}
	estimate_end(s);                /* the walk's count is whole now */
	pthread_mutex_lock(&s->qmu);
	s->walk_done = true;
	pthread_cond_broadcast(&s->qcv);
	pthread_mutex_unlock(&s->qmu);
	for (int i = 0; i < started; i++) {
		pthread_join(w[i].tid, NULL);
		free_scanners(&w[i]);
	}
}

/* The result's counts and order, and the scan's answer. */
static int finish_result(struct scan *s, struct rs_error *err)
{
	struct rs_scan_result *res = s->res;
	/* One last progress call with the final counts, however short the scan:
	 * a caller (and a test) always sees a progress line, whatever the
	 * machine's speed.  The scan is over, so a cancel request is moot. */
	if (s->o->progress) {
		pthread_mutex_lock(&s->cbmu);
		(void)send_progress(s, NULL, elapsed(s));
		pthread_mutex_unlock(&s->cbmu);
	}
	res->files = atomic_load(&s->files);
	res->names = res->files + s->extra_names;
	res->streams = atomic_load(&s->streams);
	res->bytes = atomic_load(&s->bytes);
	res->secs = elapsed(s);
	res->cancelled = atomic_load(&s->cancel);
	if (res->ndet > 1)
		qsort(res->det, res->ndet, sizeof(*res->det), cmp_det);
	if (res->nskip > 1)
		qsort(res->skip, res->nskip, sizeof(*res->skip), cmp_skip);
	if (res->ndet || res->ndet_unlisted)
		return RS_DETECTED;
	if (res->cancelled)
		return rs_fail(err, RS_EPARTIAL, "scan cancelled after %llu files",
			       (unsigned long long)(res->files + res->streams));
	if (res->nwhy[RS_SKIP_UNREADABLE])
		return rs_fail(err, RS_EPARTIAL, "%zu files could not be read", res->nwhy[RS_SKIP_UNREADABLE]);
	return RS_OK;
}

/* What the scan holds once the workers are gone. */
static void scan_free(struct scan *s, struct worker *w, int nthreads)
{
	if (w)
		for (int i = 0; i < nthreads; i++)
			free(w[i].buf), free(w[i].path), ntfsread_close(w[i].nr);
	free(w);
	ntfsread_close(s->nr);
	/* Items left by a cancelled scan. */
	for (size_t i = s->qhead; i < s->qn; i++)
		free(s->q[i].rel);
	free(s->q);
	pthread_mutex_destroy(&s->qmu);
	pthread_cond_destroy(&s->qcv);
	pthread_cond_destroy(&s->qspace);
	pthread_mutex_destroy(&s->bigmu);
	pthread_cond_destroy(&s->bigcv);
	pthread_mutex_destroy(&s->cbmu);
	for (size_t i = 0; s->rels && i < s->npaths; i++)
		free(s->rels[i]);
	free(s->rels);
	free(s->unseen);
	walk_idset_free(&s->links);
	walk_idset_free(&s->dirs);
	for (size_t i = 0; i < s->ndone; i++)
		free(s->done[i]);
	free(s->done);
}

int rs_scan_run(const char *root, const char *const *paths, size_t npaths,
		const struct rs_rules *rules, const struct rs_scan_opts *opts,
		struct rs_scan_result *res, struct rs_error *err)
{
	static const struct rs_scan_opts defaults;
	const struct rs_scan_opts *o = opts ? opts : &defaults;
	memset(res, 0, sizeof(*res));
	struct scan s = { .root = root, .paths = paths, .rules = rules, .o = o, .res = res };
	s.max_size = o->max_size ? o->max_size : RS_SCAN_DEFAULT_MAX_SIZE;
	s.ioc_alert_score = o->ioc_alert_score > 0 ? o->ioc_alert_score : RS_IOC_ALERT_SCORE;
	struct statfs sf;
	s.fuse = statfs(root, &sf) == 0 && sf.f_type == FUSE_SUPER_MAGIC;
	pthread_mutex_init(&s.qmu, NULL);
	pthread_cond_init(&s.qcv, NULL);
	pthread_cond_init(&s.qspace, NULL);
	pthread_mutex_init(&s.bigmu, NULL);
	pthread_cond_init(&s.bigcv, NULL);
	pthread_mutex_init(&s.cbmu, NULL);
	mallopt(M_MMAP_THRESHOLD, MMAP_FROM);
	clock_gettime(CLOCK_MONOTONIC, &s.t0);

	int nthreads = thread_count(o);
	res->threads = nthreads;
	struct worker *w = NULL;
	int rc = resolve_paths(&s, paths, npaths, err);
	if (rc == RS_OK && !(w = calloc((size_t)nthreads, sizeof(*w))))
		rc = rs_fail(err, RS_EPARTIAL, "out of memory");
	if (rc == RS_OK)
		rc = open_direct(&s, w, nthreads, err);
	if (rc == RS_OK)
		rc = check_unseen(&s, err);
	if (rc == RS_OK) {
		int started = start_workers(&s, w, nthreads);
		if (started == 0) {
			rc = rs_fail(err, RS_EPARTIAL, "cannot start a scanning thread");
		} else {
			res->threads = started;
			walk_and_join(&s, w, started);
			rc = finish_result(&s, err);
		}
	}
	scan_free(&s, w, nthreads);
	return rc;
}

void rs_scan_result_free(struct rs_scan_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->ndet; i++) {
		free(res->det[i].path);
		free(res->det[i].stream);
		free(res->det[i].rules);
		for (size_t k = 0; k < res->det[i].nmeta; k++)
			rs_rule_meta_free(&res->det[i].meta[k]);
		free(res->det[i].meta);
		free(res->det[i].action);
		for (size_t k = 0; k < res->det[i].nnames; k++)
			free(res->det[i].names[k]);
		free(res->det[i].names);
	}
	free(res->det);
	for (size_t i = 0; i < res->nwarn; i++) {
		free(res->warn[i].path);
		free(res->warn[i].what);
	}
	free(res->warn);
	for (size_t i = 0; i < res->nskip; i++) {
		free(res->skip[i].path);
		free(res->skip[i].detail);
	}
	free(res->skip);
	memset(res, 0, sizeof(*res));
}

