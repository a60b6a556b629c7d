/* SPDX-License-Identifier: GPL-2.0-or-later */
/* regflog.c - transaction log parsing and replay (format notes in regflog.h).
 *
 * Every structure read from a log is checked against the log's length before
 * it is touched, with 64-bit arithmetic so no sum can wrap. */
#include "hive/regflog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Base block fields used here (the rest are in regf.c). */
enum {
	RB_SEQ1 = 0x004, RB_SEQ2 = 0x008, RB_TIMESTAMP = 0x00C, RB_FILE_TYPE = 0x01C,
	RB_BINS_SIZE = 0x028, RB_RMID = 0x070, RB_LOGID = 0x080, RB_FLAGS = 0x090,
	RB_GUID_SIG = 0x0A4, RB_CHECKSUM = 0x1FC,
};

/* File types of a base block. */
enum { FT_PRIMARY = 0, FT_LOG_OLD = 1, FT_LOG_OLD2 = 2, FT_LOG_NEW = 6 };

#define SECTOR        512u      /* logs are laid out in 512-byte sectors */
#define HBIN_ALIGN    4096u     /* hive bins data grows in 4 KiB blocks */
#define LOG_BASE_SIZE 512u      /* a log keeps the first sector of the base block */
#define LE_HDR        40u       /* log entry header */
#define LE_HASHED_HDR 32u       /* hash-2 covers the first 32 bytes */
/* Windows caps a hive near 2 GiB; hostile sizes beyond are refused. */
#define MAX_BINS_SIZE 0x7FFFF000u

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t rotl(uint32_t x, unsigned n)
{
	return x << n | x >> (32 - n);
}

/* Marvin32 (N. Ferguson, R. Schroeppel; the public description used by .NET
 * for string hashing): two 32-bit lanes, one mixing round per 32-bit word,
 * a final word holding the 0-3 tail bytes and a 0x80 marker, two rounds. */
static void marvin_block(uint32_t *lo, uint32_t *hi)
{
	*hi ^= *lo;
	*lo = rotl(*lo, 20);
	*lo += *hi;
	*hi = rotl(*hi, 9);
	*hi ^= *lo;
	*lo = rotl(*lo, 27);
	*lo += *hi;
	*hi = rotl(*hi, 19);
}

uint64_t regflog_marvin32(uint64_t seed, const uint8_t *data, size_t len)
{
	uint32_t lo = (uint32_t)seed, hi = (uint32_t)(seed >> 32);
	size_t i = 0;
	for (; len - i >= 4; i += 4) {
		lo += le32(data + i);
		marvin_block(&lo, &hi);
	}
	uint32_t fin = 0x80;
	for (size_t k = len - i; k > 0; k--)
		fin = fin << 8 | data[i + k - 1];
	lo += fin;
	marvin_block(&lo, &hi);
	marvin_block(&lo, &hi);
	return (uint64_t)hi << 32 | lo;
}

/* One log entry's header, checked. */
struct entry {
	size_t off;                 /* in the log file */
	uint32_t size, flags, seq, bins_size, npages;
};

enum entry_rc { ENTRY_OK, ENTRY_END, ENTRY_DAMAGED };

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Check the entry at OFF of F.  ENTRY_END: no entry starts there (end of the
 * written part).  ENTRY_DAMAGED: one starts there but cannot be trusted; WHY
 * says how.  E->seq is filled whenever the header could be read. */
static enum entry_rc read_entry(const struct regflog_file *f, size_t off, struct entry *e,
				char *why, size_t whylen)
{
	memset(e, 0, sizeof(*e));
	e->off = off;
	if (off >= f->len || f->len - off < 4 || memcmp(f->buf + off, "HvLE", 4) != 0)
		return ENTRY_END;
	if (f->len - off < LE_HDR) {
		snprintf(why, whylen, "the log entry at offset %zu is cut off (the file ends after %zu bytes)",
			 off, f->len - off);
		return ENTRY_DAMAGED;
	}
	const uint8_t *p = f->buf + off;
	e->size = le32(p + 4);
	e->flags = le32(p + 8);
	e->seq = le32(p + 12);
	e->bins_size = le32(p + 16);
	e->npages = le32(p + 20);
	if (e->size < LE_HDR || e->size % SECTOR) {
		snprintf(why, whylen, "the log entry at offset %zu (sequence %u) has an impossible size %u",
			 off, e->seq, e->size);
		return ENTRY_DAMAGED;
	}
	if (e->size > f->len - off) {
		snprintf(why, whylen, "the log entry at offset %zu (sequence %u) is cut off: %u bytes, "
			 "the file ends after %zu", off, e->seq, e->size, f->len - off);
		return ENTRY_DAMAGED;
	}
	if (le64(p + 24) != regflog_marvin32(REGFLOG_MARVIN_SEED, p + LE_HDR, e->size - LE_HDR) ||
	    le64(p + 32) != regflog_marvin32(REGFLOG_MARVIN_SEED, p, LE_HASHED_HDR)) {
		snprintf(why, whylen, "the log entry at offset %zu (sequence %u) has a bad hash", off, e->seq);
		return ENTRY_DAMAGED;
	}
	if (e->bins_size == 0 || e->bins_size % HBIN_ALIGN || e->bins_size > MAX_BINS_SIZE) {
		snprintf(why, whylen, "the log entry at offset %zu (sequence %u) names an impossible hive "
			 "bins size %u", off, e->seq, e->bins_size);
		return ENTRY_DAMAGED;
	}
	uint64_t refs_end = LE_HDR + (uint64_t)e->npages * 8;
	uint64_t data = refs_end;
	for (uint32_t i = 0; refs_end <= e->size && i < e->npages; i++) {
		uint32_t poff = le32(p + LE_HDR + 8 * (size_t)i), psize = le32(p + LE_HDR + 8 * (size_t)i + 4);
		data += psize;
		if ((uint64_t)poff + psize > e->bins_size || data > e->size) {
			snprintf(why, whylen, "the log entry at offset %zu (sequence %u): dirty page %u "
				 "(offset %u, %u bytes) lies outside the entry or the hive", off, e->seq, i, poff, psize);
			return ENTRY_DAMAGED;
		}
	}
	if (refs_end > e->size) {
		snprintf(why, whylen, "the log entry at offset %zu (sequence %u) lists %u pages, more than "
			 "it can hold", off, e->seq, e->npages);
		return ENTRY_DAMAGED;
	}
	return ENTRY_OK;
}

/* Old format: the dirty vector's geometry, checked against the file. */
struct dirt {
	size_t bitmap_off, bitmap_len, pages_off;
	uint32_t npages;
};

static bool read_dirt(const struct regflog_file *f, const struct regf_base *b, struct dirt *d,
		      char *why, size_t whylen)
{
	if (f->len < SECTOR + 4 || memcmp(f->buf + SECTOR, "DIRT", 4) != 0) {
		snprintf(why, whylen, "no dirty vector (\"DIRT\") at offset 512");
		return false;
	}
	if (b->bins_size == 0 || b->bins_size % HBIN_ALIGN || b->bins_size > MAX_BINS_SIZE) {
		snprintf(why, whylen, "impossible hive bins size %u in its base block", b->bins_size);
		return false;
	}
	d->bitmap_off = SECTOR + 4;
	d->bitmap_len = b->bins_size / SECTOR / 8;
	if (d->bitmap_len > f->len - d->bitmap_off) {
		snprintf(why, whylen, "its dirty vector is cut off (the file ends after %zu bytes)", f->len);
		return false;
	}
	d->npages = 0;
	for (size_t i = 0; i < d->bitmap_len; i++)
		d->npages += (uint32_t)__builtin_popcount(f->buf[d->bitmap_off + i]);
	d->pages_off = (d->bitmap_off + d->bitmap_len + SECTOR - 1) / SECTOR * SECTOR;
	if ((uint64_t)d->pages_off + (uint64_t)d->npages * SECTOR > f->len) {
		snprintf(why, whylen, "cut off: its dirty vector names %u pages, the file holds %zu",
			 d->npages, f->len > d->pages_off ? (f->len - d->pages_off) / SECTOR : 0);
		return false;
	}
	return true;
}

/* New format: good entries in a row; a number that does not follow ends
 * the run (older entries left over from an earlier use). */
static void scan_entries(const struct regflog_file *f, struct regflog_scan *out)
{
	size_t off = LOG_BASE_SIZE;
	for (;;) {
		struct entry e;
		enum entry_rc rc = read_entry(f, off, &e, out->why, sizeof(out->why));
		if (rc == ENTRY_END)
			break;
		if (rc == ENTRY_DAMAGED) {
			out->damaged = true;
			out->damaged_off = off;
			out->damaged_seq = e.seq;
			break;
		}
		if (out->entries && e.seq != out->last_seq + 1)
			break;
		if (!out->entries)
			out->first_seq = e.seq;
		out->last_seq = e.seq;
		out->entries++;
		off += e.size;
	}
}

void regflog_scan(const struct regflog_file *f, struct regflog_scan *out)
{
	memset(out, 0, sizeof(*out));
	if (!f->buf || f->len == 0 || all_zero(f->buf, f->len < SECTOR ? f->len : SECTOR)) {
		out->kind = REGFLOG_EMPTY;
		return;
	}
	out->kind = REGFLOG_BAD;
	struct rs_error err;
	if (regf_parse_base(f->buf, f->len, &out->base, &err) != RS_OK) {
		snprintf(out->why, sizeof(out->why), "%.200s", err.msg);
		return;
	}
	if (!out->base.checksum_ok) {
		snprintf(out->why, sizeof(out->why), "its base block has a bad checksum");
		return;
	}
	switch (out->base.file_type) {
	case FT_LOG_NEW:
		out->kind = REGFLOG_NEW;
		break;
	case FT_LOG_OLD:
	case FT_LOG_OLD2:
		out->kind = REGFLOG_OLD;
		break;
	default:
		snprintf(out->why, sizeof(out->why), "file type %u is not a transaction log",
			 out->base.file_type);
		return;
	}
	if (out->kind == REGFLOG_OLD) {
		struct dirt d;
		if (!read_dirt(f, &out->base, &d, out->why, sizeof(out->why))) {
			out->damaged = true;
			return;
		}
		out->entries = d.npages;
		return;
	}
	scan_entries(f, out);
}

const char *regflog_state_name(enum regflog_state s)
{
	switch (s) {
	case REGFLOG_CLEAN: return "clean";
	case REGFLOG_RECOVERED: return "recovered";
	case REGFLOG_PARTIAL: return "partly recovered";
	case REGFLOG_UNRECOVERED: return "not recovered";
	}
	return "?";
}

void regflog_seal(uint8_t *image, size_t len, uint32_t seq)
{
	if (!image || len < LOG_BASE_SIZE)
		return;
	put32(image + RB_SEQ1, seq);
	put32(image + RB_SEQ2, seq);
	put32(image + RB_CHECKSUM, regf_checksum(image));
}

void regflog_result_free(struct regflog_result *r)
{
	if (!r)
		return;
	free(r->image);
	r->image = NULL;
	r->len = 0;
}

/* A growable copy of the primary. */
struct image {
	uint8_t *buf;
	size_t len, cap_limit;
};

/* Make IMG exactly 4096 + BINS bytes (a grown hive gets zeroed space).
 * False when that would exceed what the inputs can describe. */
static bool image_resize(struct image *img, uint32_t bins)
{
	size_t want = REGF_BASE_SIZE + (size_t)bins;
	if (want > img->cap_limit)
		return false;
	if (want > img->len) {
		uint8_t *n = realloc(img->buf, want);
		if (!n)
			return false;
		memset(n + img->len, 0, want - img->len);
		img->buf = n;
	}
	img->len = want;
	return true;
}

/* RmId and LogId (Windows Vista and later, marked by "rmtm") identify a hive;
 * its logs carry the same ones.  False when both blocks carry them and they differ. */
static bool same_hive(const uint8_t *primary, const uint8_t *log)
{
	if (memcmp(primary + RB_GUID_SIG, "rmtm", 4) != 0 || memcmp(log + RB_GUID_SIG, "rmtm", 4) != 0)
		return true;
	return memcmp(primary + RB_RMID, log + RB_RMID, 16) == 0 &&
	       memcmp(primary + RB_LOGID, log + RB_LOGID, 16) == 0;
}

static void add_used(struct regflog_result *r, const char *name)
{
	size_t n = strlen(r->logs_used);
	if (strstr(r->logs_used, name))
		return;
	snprintf(r->logs_used + n, sizeof(r->logs_used) - n, "%s%s", n ? ", " : "", name);
}

static void note_append(struct regflog_result *r, const char *fmt, const char *a, const char *b)
{
	size_t n = strlen(r->note);
	if (n + 3 >= sizeof(r->note))
		return;
	if (n)
		n += (size_t)snprintf(r->note + n, sizeof(r->note) - n, "; ");
	snprintf(r->note + n, sizeof(r->note) - n, fmt, a, b);
}

struct candidate {
	const struct regflog_file *f;
	struct regflog_scan s;
};

/* One good entry of a new-format log, for ordering. */
struct ref {
	const struct regflog_file *f;
	size_t order;               /* the log's position (LOG1 before LOG2 on equal numbers) */
	struct entry e;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	if (x->e.seq != y->e.seq)
		return x->e.seq < y->e.seq ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void apply_entry(const struct ref *r, struct image *img)
{
	const uint8_t *p = r->f->buf + r->e.off;
	size_t data = LE_HDR + (size_t)r->e.npages * 8;
	for (uint32_t j = 0; j < r->e.npages; j++) {
		uint32_t poff = le32(p + LE_HDR + 8 * (size_t)j);
		uint32_t psize = le32(p + LE_HDR + 8 * (size_t)j + 4);
		memcpy(img->buf + REGF_BASE_SIZE + poff, p + data, psize);   /* checked by read_entry */
		data += psize;
	}
	put32(img->buf + RB_FLAGS, r->e.flags);
	put32(img->buf + RB_BINS_SIZE, r->e.bins_size);
	put32(img->buf + RB_SEQ1, r->e.seq);
	put32(img->buf + RB_SEQ2, r->e.seq);
}

/* The log whose damaged entry has the lowest number not yet replayed. */
static const struct candidate *pending_damage(const struct candidate *c, size_t n, uint32_t start,
					      bool have, uint32_t last)
{
	const struct candidate *bad = NULL;
	for (size_t k = 0; k < n; k++) {
		uint32_t d = c[k].s.damaged_seq;
		if (!c[k].s.damaged || d < start || (have && d <= last))
			continue;
		if (!bad || d < bad->s.damaged_seq)
			bad = &c[k];
	}
	return bad;
}

/* The good entries of the new-format logs C[0..n) numbered START or more,
 * in number order (malloc'd, *NREF of them); NULL when out of memory. */
static struct ref *entries_from(const struct candidate *c, size_t n, uint32_t start, size_t *nref)
{
	size_t max = 0;
	for (size_t k = 0; k < n; k++)
		max += c[k].s.entries;
	struct ref *refs = calloc(max ? max : 1, sizeof(*refs));
	if (!refs)
		return NULL;
	*nref = 0;
	for (size_t k = 0; k < n; k++) {
		size_t off = LOG_BASE_SIZE;
		for (unsigned i = 0; i < c[k].s.entries; i++) {
			char why[256];
			struct ref *x = &refs[*nref];
			if (read_entry(c[k].f, off, &x->e, why, sizeof(why)) != ENTRY_OK)
				break;      /* cannot happen: scanned before */
			off += x->e.size;
			if (x->e.seq < start)
				continue;   /* already in the primary */
			x->f = c[k].f;
			x->order = k;
			(*nref)++;
		}
	}
	qsort(refs, *nref, sizeof(*refs), cmp_ref);
	return refs;
}

/* Replay the new-format logs C[0..n) over IMG: every good entry numbered
 * START or more, in number order, without a gap.  A damaged entry whose
 * number was still to come stops the replay before it (its changes, and
 * everything after, would be lost: the caller says so).  False on a resize
 * failure (too large, no memory). */
static bool replay_new(struct candidate *c, size_t n, uint32_t start, struct image *img,
		       struct regflog_result *r, bool *stopped)
{
	size_t nref;
	struct ref *refs = entries_from(c, n, start, &nref);
	if (!refs)
		return false;

	bool have = false;
	uint32_t last = 0;
	for (size_t i = 0; i < nref; i++) {
		const struct ref *x = &refs[i];
		if (have && x->e.seq == last)
			continue;   /* the same entry in both logs */
		const struct candidate *bad = pending_damage(c, n, start, have, last);
		if (bad && bad->s.damaged_seq < x->e.seq)
			break;      /* the damaged entry comes first */
		if (have && x->e.seq != last + 1) {
			char a[64];
			snprintf(a, sizeof(a), "%u follows %u", x->e.seq, last);
			note_append(r, "%s: sequence gap (%s): later entries were not replayed",
				    x->f->name, a);
			*stopped = true;
			break;
		}
		if (!image_resize(img, x->e.bins_size)) {
			free(refs);
			return false;
		}
		apply_entry(x, img);
		if (!have)
			r->first_seq = x->e.seq;
		have = true;
		last = x->e.seq;
		r->last_seq = last;
		r->applied++;
		add_used(r, x->f->name);
	}
	const struct candidate *bad = pending_damage(c, n, start, have, last);
	if (!*stopped && bad) {
		note_append(r, "%s: %s: the replay stopped before it", bad->f->name, bad->s.why);
		*stopped = true;
	}
	free(refs);
	return true;
}

/* The logs sorted for replay: the usable new-format ones from the front of
 * C, the usable old-format ones from its back (the first found last). */
struct sorted {
	struct candidate *c;
	size_t n, nnew, nold;
	uint64_t total;             /* bytes of the primary and every log */
};

/* Keep OUT->max_seq at the highest sequence number the log S has written. */
static void note_max_seq(const struct regflog_scan *s, struct regflog_result *out)
{
	if (s->kind != REGFLOG_OLD && s->kind != REGFLOG_NEW)
		return;
	uint32_t m = s->base.seq1 > s->base.seq2 ? s->base.seq1 : s->base.seq2;
	if (s->entries && s->last_seq > m && s->kind == REGFLOG_NEW)
		m = s->last_seq;
	if (m > out->max_seq)
		out->max_seq = m;
}

/* Whether the old-format log L (scanned as S) was written for the state the
 * primary PRIMARY (PLEN bytes, base block PB) is in; a note says why not. */
static bool old_log_fits(const uint8_t *primary, size_t plen, const struct regf_base *pb,
			 const struct regflog_file *l, const struct regflog_scan *s, struct regflog_result *out)
{
	if (s->damaged) {
		note_append(out, "%s is not usable: %s", l->name, s->why);
		return false;
	}
	if (s->base.seq1 != s->base.seq2) {
		note_append(out, "%s %s", l->name, "was not completely written: ignored");
		return false;
	}
	/* It applies to the state whose last-written time it records
	 * (the first hive bin keeps a copy when the header is bad). */
	if (!pb->checksum_ok && plen < REGF_BASE_SIZE + 28)
		return false;
	const uint8_t *ts = pb->checksum_ok ? primary + RB_TIMESTAMP : primary + REGF_BASE_SIZE + 20;
	if (memcmp(ts, l->buf + RB_TIMESTAMP, 8) != 0) {
		note_append(out, "%s %s", l->name,
			    "was written for another state of the hive (timestamps differ): ignored");
		return false;
	}
	return true;
}

/* Whether the log L (scanned as S) takes part in the replay over PRIMARY;
 * a note says why a log that holds something does not. */
static bool log_usable(const uint8_t *primary, size_t plen, const struct regf_base *pb,
		       const struct regflog_file *l, const struct regflog_scan *s, struct regflog_result *out)
{
	if (s->kind == REGFLOG_EMPTY)
		return false;
	if (s->kind == REGFLOG_BAD) {
		note_append(out, "%s is not usable: %s", l->name, s->why);
		return false;
	}
	if (!same_hive(primary, l->buf)) {
		note_append(out, "%s belongs to another hive (%s): ignored", l->name,
			    "its RmId/LogId differ from the primary's");
		return false;
	}
	if (s->kind == REGFLOG_OLD)
		return old_log_fits(primary, plen, pb, l, s, out);
	return s->entries != 0 || s->damaged;
}

/* Scan every log, even for a clean hive (max_seq is needed to seal); sort
 * the usable ones into SL only when the hive is DIRTY. */
static void sort_logs(const uint8_t *primary, size_t plen, const struct regflog_file *logs, bool dirty,
		      struct sorted *sl, struct regflog_result *out)
{
	sl->total = plen;
	for (size_t i = 0; i < sl->n; i++) {
		struct regflog_scan s;
		regflog_scan(&logs[i], &s);
		sl->total += logs[i].len;
		note_max_seq(&s, out);
		if (!dirty || !log_usable(primary, plen, &out->before, &logs[i], &s, out))
			continue;
		if (s.kind == REGFLOG_OLD)
			sl->c[sl->n - 1 - sl->nold++] = (struct candidate){ &logs[i], s };
		else
			sl->c[sl->nnew++] = (struct candidate){ &logs[i], s };
	}
}

/* IMG as a copy of the primary, allowed to grow only as far as the inputs
 * (TOTAL bytes) can describe.  False when out of memory. */
static bool image_from_primary(struct image *img, const uint8_t *primary, size_t plen, uint64_t total)
{
	img->buf = malloc(plen);
	img->len = plen;
	/* Growth must come from pages the logs carry: bound it by the inputs. */
	img->cap_limit = total + (uint64_t)REGF_BASE_SIZE > (uint64_t)REGF_BASE_SIZE + MAX_BINS_SIZE
		? (size_t)REGF_BASE_SIZE + MAX_BINS_SIZE : (size_t)(total + REGF_BASE_SIZE);
	if (!img->buf)
		return false;
	memcpy(img->buf, primary, plen);
	return true;
}

/* The primary's header cannot be trusted: take the one a new-format log
 * kept (the earliest of C[0..n)), as Windows does.  Returns the sequence
 * number the replay starts from. */
static uint32_t header_from_log(const struct candidate *c, size_t n, struct image *img)
{
	size_t first = 0;
	for (size_t k = 1; k < n; k++)
		if (c[k].s.entries && (!c[first].s.entries || c[k].s.first_seq < c[first].s.first_seq))
			first = k;
	memcpy(img->buf, c[first].f->buf, LOG_BASE_SIZE);
	put32(img->buf + RB_FILE_TYPE, FT_PRIMARY);
	return le32(img->buf + RB_SEQ2);
}

/* Replay the old-format log O (its dirty pages) over IMG, for the primary
 * with base block PB.  False on a resize failure. */
static bool replay_old(const struct candidate *o, const struct regf_base *pb, struct image *img,
		       struct regflog_result *r)
{
	struct dirt d;
	char why[256];
	read_dirt(o->f, &o->s.base, &d, why, sizeof(why));
	if (!pb->checksum_ok)
		memcpy(img->buf, o->f->buf, LOG_BASE_SIZE);
	if (!image_resize(img, o->s.base.bins_size))
		return false;
	size_t page = d.pages_off;
	for (size_t bit = 0; bit < (size_t)d.bitmap_len * 8; bit++) {
		if (!(o->f->buf[d.bitmap_off + bit / 8] & (1u << (bit % 8))))
			continue;
		memcpy(img->buf + REGF_BASE_SIZE + bit * SECTOR, o->f->buf + page, SECTOR);
		page += SECTOR;
		r->applied++;
	}
	uint32_t seq = pb->seq1 > pb->seq2 ? pb->seq1 : pb->seq2;
	put32(img->buf + RB_FILE_TYPE, FT_PRIMARY);
	put32(img->buf + RB_BINS_SIZE, o->s.base.bins_size);
	put32(img->buf + RB_SEQ1, seq);
	put32(img->buf + RB_SEQ2, seq);
	add_used(r, o->f->name);
	return true;
}

/* Replay the sorted logs SL over IMG: the new-format ones, or when they
 * give nothing the first applicable old-format one.  False on a resize
 * failure (too large, no memory). */
static bool replay_logs(const struct sorted *sl, const struct regf_base *pb, struct image *img,
			struct regflog_result *r, bool *stopped)
{
	if (sl->nnew) {
		uint32_t start = pb->seq2;
		if (!pb->checksum_ok)
			start = header_from_log(sl->c, sl->nnew, img);
		if (!replay_new(sl->c, sl->nnew, start, img, r, stopped))
			return false;
	}
	if (!r->applied && sl->nold)
		return replay_old(&sl->c[sl->n - 1], pb, img, r);
	return true;
}

/* Nothing could be replayed over the primary with base block PB. */
static void note_unrecovered(const struct regf_base *pb, size_t nlogs, struct regflog_result *r)
{
	char what[160];
	r->state = REGFLOG_UNRECOVERED;
	snprintf(what, sizeof(what), "sequence numbers %u/%u", pb->seq1, pb->seq2);
	note_append(r, "%s (%s): changes Windows made since its last complete write may be lost",
		    nlogs ? "no usable log entry continues the hive" : "no transaction logs", what);
}

/* Hand the replayed IMG over as R's image, its checksum set.  False when
 * the header replayed from the logs names a size the image cannot have. */
static bool finish_image(struct image *img, bool stopped, struct regflog_result *r)
{
	if (!image_resize(img, le32(img->buf + RB_BINS_SIZE)))
		return false;
	put32(img->buf + RB_CHECKSUM, regf_checksum(img->buf));
	r->image = img->buf;
	r->len = img->len;
	r->state = stopped ? REGFLOG_PARTIAL : REGFLOG_RECOVERED;
	if (r->max_seq < r->last_seq)
		r->max_seq = r->last_seq;
	return true;
}

int regflog_recover(const uint8_t *primary, size_t plen, const struct regflog_file *logs,
		    size_t nlogs, struct regflog_result *out, struct rs_error *err)
{
	memset(out, 0, sizeof(*out));
	int rc = regf_parse_base(primary, plen, &out->before, err);
	if (rc)
		return rc;
	if (plen < REGF_BASE_SIZE)
		return rs_fail(err, RS_ETARGET, "not a registry hive: %zu bytes, shorter than a base block", plen);
	const struct regf_base *pb = &out->before;
	bool dirty = pb->seq1 != pb->seq2 || !pb->checksum_ok;

	struct sorted sl = { .c = calloc(nlogs ? nlogs : 1, sizeof(*sl.c)), .n = nlogs };
	if (!sl.c)
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	sort_logs(primary, plen, logs, dirty, &sl, out);
	if (!dirty) {
		free(sl.c);
		out->state = REGFLOG_CLEAN;
		return RS_OK;
	}
	struct image img;
	if (!image_from_primary(&img, primary, plen, sl.total)) {
		free(sl.c);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	bool stopped = false;
	bool fits = replay_logs(&sl, pb, &img, out, &stopped);
	free(sl.c);
	if (fits && !out->applied) {
		free(img.buf);
		note_unrecovered(pb, nlogs, out);
		return RS_OK;
	}
	if (fits && finish_image(&img, stopped, out))
		return RS_OK;
	free(img.buf);
	memset(out, 0, sizeof(*out));
	return rs_fail(err, RS_ETARGET, "the transaction logs describe a hive larger than they can hold");
}
