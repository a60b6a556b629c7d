/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scan.h - scan a Windows volume (or paths inside it) with YARA and the
 * known-bad hash list, in N worker threads.
 *
 * One thread walks (rescue/volume/walk.h: symbolic links and junctions are never
 * followed, directories never entered twice, other file systems not
 * entered; a whole volume in the order of rescue/scan/places.h, the worm's
 * places first) and queues regular files, a file with several names (hard
 * links) once, by the first name met; each worker owns one YR_SCANNER per rule
 * set and one buffer, reads each file once, whole, and feeds the same bytes to
 * SHA-256 and to YARA (matches are not guaranteed across memory blocks, so a
 * file is always one block).  On an ntfs-3g mount, every file's and
 * directory's alternate data streams are scanned too, as "PATH:STREAM".
 *
 * On an ntfs-3g mount the files are read, by default, through libntfs-3g
 * directly from the mount's device (rescue/volume/ntfsread.h: no FUSE round trip
 * per file, which made the scan slower than the yara CLI), with one
 * read-only libntfs-3g handle per thread; the walk and the result are those
 * of the mount, and the detect callback gets the file's path on the mount
 * (quarantine works through it).  Elsewhere, or when the device cannot be
 * opened so, through the mount as any directory tree.
 *
 * Nothing is skipped silently: files over max_size, pagefile.sys /
 * hiberfil.sys / swapfile.sys at the volume root (by default: they are
 * Windows' memory, gigabytes each, and never hold a file a worm dropped),
 * unreadable files, special files, links, loops and other file systems are
 * all counted and listed in the result.
 *
 * Memory does not grow with the volume's files: the queue holds at most
 * 65536 paths (the walk waits), the result lists RS_SCAN_DET_MAX detections
 * and RS_SCAN_SKIP_MAX skips (the rest counted), and the walk keeps the
 * folders visited and the files with several names, by (device, inode).
 *
 * Callbacks run in worker threads, one at a time (the core serialises them).
 * Returning nonzero from either cancels the scan: the walk stops, files being
 * scanned finish, and the result says cancelled. */
#ifndef RESCUE_SCAN_H
#define RESCUE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "rescue/base/error.h"
#include "rescue/scan/rules.h"

/* ntfs-3g: the NUL-separated stream names of a file, an attribute there only
 * with streams_interface=windows: each stream is then the path "FILE:NAME".
 * Otherwise (xattr, ntfs-3g's default and rescue's own mount) the streams are
 * the extended attributes "user.NAME"; with none they cannot be reached. */
#define RS_NTFS_STREAMS_LIST "ntfs.streams.list"

#define RS_SCAN_DEFAULT_MAX_SIZE (64ull << 20)
#define RS_SCAN_MAX_THREADS 32      /* libyara's own limit on concurrent scanners */
#define RS_SCAN_DET_MAX 100000      /* detections listed in a result (a file infector's volume has more) */
#define RS_SCAN_SKIP_MAX 10000      /* skipped entries listed in a result (nwhy counts them all) */

struct rs_scan_progress {
	uint64_t files, bytes;          /* scanned so far (streams count as files) */
	uint64_t files_total, bytes_total;  /* queued so far; final once walk_done */
	bool walk_done;
	double secs, mbps;
	double eta_secs;                /* < 0 while unknown (the walk is still counting); shown by duration_fmt */
	uint64_t detections, skipped, errors;
	const char *current;            /* volume-relative path being scanned (borrowed); NULL in the last call */
};

/* A detection, as handed to the detect callback.  Everything is borrowed for
 * the duration of the call; ACTION may be filled by the callback ("quarantined
 * as <id>", "quarantine failed: ...") and is kept in the result. */
struct rs_scan_hit {
	const char *path;               /* volume-relative file (for a stream: the file holding it) */
	const char *stream;             /* NULL for the file's content, else the stream name */
	const char *fullpath;           /* the file as opened (root + '/' + path) */
	const char *rules;              /* "Rule1,Rule2,hash:NAME", sorted */
	const struct rs_rule_meta *meta;    /* each matching rule's meta, sorted by name (nmeta of them) */
	size_t nmeta;
	uint64_t size;
	char sha256[65];
	const uint8_t *data;            /* the bytes scanned (size of them) */
	const struct stat *st;          /* of the file */
	char action[256];
	const char *inspect;            /* set by the callback when the file is kept on purpose for a person to
					   look at: rs_quarantine_refusal's kind ("registry hive"), static */
	const char *const *names;       /* every name of the file (its hard links), volume-relative:
					   names[0] is path; nnames is 1 for a file with one name */
	size_t nnames;
};

typedef int (*rs_scan_progress_fn)(const struct rs_scan_progress *p, void *user);
typedef int (*rs_scan_detect_fn)(struct rs_scan_hit *hit, void *user);

/* How files are read. */
enum rs_scan_read {
	RS_READ_AUTO,                   /* ntfs-3g direct when ROOT is an ntfs-3g mount and it opens, else the mount */
	RS_READ_MOUNT,                  /* through the file system at ROOT */
	RS_READ_DIRECT,                 /* through libntfs-3g from the device of ROOT's ntfs-3g mount, or fail */
};

struct rs_scan_opts {
	int threads;                    /* 0: the number of online CPUs; capped at RS_SCAN_MAX_THREADS */
	uint64_t max_size;              /* 0: RS_SCAN_DEFAULT_MAX_SIZE */
	long ioc_alert_score;           /* filename IOCs: a detection from this sum of scores; 0: RS_IOC_ALERT_SCORE */
	bool system_files;              /* also scan pagefile.sys, hiberfil.sys, swapfile.sys */
	bool no_streams;                /* do not look for alternate data streams */
	enum rs_scan_read read;         /* RS_READ_AUTO (0) by default */
	unsigned progress_ms;           /* 0: 250 */
	rs_scan_progress_fn progress;   /* NULL: none; else every progress_ms, and once at the end */
	rs_scan_detect_fn detect;       /* NULL: detections are only collected */
	const char *const *first;       /* a whole-volume scan: files or folders read before the rest (autostart
					   targets; volume-relative; missing ones ignored), before the worm's places
					   (rescue/scan/places.h) */
	size_t nfirst;
	void *user;
};

enum rs_scan_skip_why {
	RS_SKIP_TOO_BIG,                /* over max_size */
	RS_SKIP_SYSTEM_FILE,            /* pagefile.sys, hiberfil.sys, swapfile.sys */
	RS_SKIP_UNREADABLE,             /* open or read failed, or YARA failed on it */
	RS_SKIP_SPECIAL,                /* FIFO, socket, device node */
	RS_SKIP_LINK,                   /* symbolic link or junction, not followed */
	RS_SKIP_REPARSE,                /* a reparse point whose content cannot be read here (rescue/volume/reparse.h) */
	RS_SKIP_LOOP,                   /* directory met twice */
	RS_SKIP_OTHER_FS,               /* a file system mounted inside the volume */
	RS_SKIP_NWHY
};

struct rs_scan_skip {
	char *path;                     /* volume-relative ("PATH:STREAM" for a stream) */
	enum rs_scan_skip_why why;
	char *detail;                   /* "70000000 bytes", strerror text... */
	uint64_t size;
};

struct rs_scan_detection {
	char *path, *stream, *rules, *action;
	char **names;                   /* a file with hard links: every name, names[0] the same as path;
					   NULL (nnames 0) for a file with one name */
	size_t nnames;
	const char *inspect;            /* the hit's, static; NULL normally */
	struct rs_rule_meta *meta;      /* the hit's, owned (rs_rule_meta_free each) */
	size_t nmeta;
	uint64_t size;
	char sha256[65];
};

/* Short of a detection, listed and never acted on: a filename IOC whose
 * score is under RS_IOC_ALERT_SCORE (rescue/scan/ioc.h). */
struct rs_scan_warning {
	char *path;                     /* volume-relative ("PATH:STREAM" for a stream) */
	char *what;
};

struct rs_scan_result {
	uint64_t files, streams, bytes;     /* scanned: a file with several names (hard links) once */
	uint64_t names;                     /* the names of the files scanned: over files when some have several */
	double secs;
	int threads;
	enum rs_scan_read read;             /* what was used: RS_READ_MOUNT or RS_READ_DIRECT */
	char read_note[256];                /* RS_READ_AUTO fell back to the mount: why */
	bool cancelled;
	struct rs_scan_detection *det;
	size_t ndet;
	struct rs_scan_skip *skip;
	size_t nskip;
	struct rs_scan_warning *warn;       /* at most RS_SCAN_SKIP_MAX; nwarn_unlisted counts the rest */
	size_t nwarn, nwarn_unlisted;
	size_t nwhy[RS_SKIP_NWHY];          /* every skip, listed or not */
	/* The lists are bounded (RS_SCAN_DET_MAX, RS_SCAN_SKIP_MAX), so that
	 * memory does not grow with the volume: what came after is counted
	 * here (the detect callback saw every detection). */
	size_t ndet_unlisted, nskip_unlisted;
};

/* Scan ROOT (a volume root), or only the volume-relative PATHS in it when
 * npaths > 0 (a path may be absolute when it lies under ROOT).  Fills RES
 * (free it with rs_scan_result_free, also after a failure).  Returns RS_OK
 * (clean), RS_DETECTED, RS_EPARTIAL (no detection, but something could not be
 * scanned or the scan was cancelled: the message says what), RS_EUSAGE (a PATH
 * outside ROOT or missing), RS_ETARGET (RS_READ_DIRECT and ROOT's volume
 * cannot be read so: the message says why). */
int rs_scan_run(const char *root, const char *const *paths, size_t npaths,
		const struct rs_rules *rules, const struct rs_scan_opts *opts,
		struct rs_scan_result *res, struct rs_error *err);
void rs_scan_result_free(struct rs_scan_result *res);

/* "mount", "ntfs-3g direct" ("auto" for RS_READ_AUTO). */
const char *rs_scan_read_name(enum rs_scan_read r);

/* "too big", "system file"...: words for a skip reason. */
const char *rs_scan_skip_name(enum rs_scan_skip_why why);

#endif
