/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-ntfsread.c - rescue/volume/ntfsread.h on an NTFS image made here (mkntfs,
 * filled through libntfs-3g): the walk lists what ntfs-3g shows (no $ files,
 * both names of a hard link, an Interix FIFO as special, a symbolic link as a
 * link, a deep folder), reads a file and its alternate data stream whole by
 * MFT reference, refuses one over the limit (EFBIG); a hard link's second
 * name is reported known, unread, when the caller says it met the file; its names and
 * the bytes a scan reads come from the MFT; a file larger in the MFT than
 * its data is read as far as it goes; a folder loop (a second name of a
 * folder) ends the walk, named; a plain folder is not an ntfs-3g mount;
 * garbage, empty and truncated images are refused or read without a crash;
 * $Bitmap says a cluster is in use where ntfscluster finds its file; a
 * prefetch puts a file's clusters in memory without waiting for them, and a
 * read takes them out of it again.  Skipped (as passes) when mkntfs is missing. */
#define _GNU_SOURCE
#include <sys/stat.h>   /* before the ntfs-3g headers */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/unistr.h>
#include <ntfs-3g/volume.h>

#include "rescue/volume/ntfsread.h"
#include "tests/unit/check.h"

static const char eicar[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/* A child NAME of DIR of TYPE (S_IFREG, S_IFDIR, S_IFIFO), holding DATA. */
static ntfs_inode *mk(ntfs_inode *dir, const char *name, mode_t type, const char *data)
{
	ntfschar *u = NULL;
	int ul = ntfs_mbstoucs(name, &u);
	ntfs_inode *ni = ul > 0 ? ntfs_create(dir, const_cpu_to_le32(0), u, (u8)ul, type) : NULL;
	free(u);
	if (ni && data) {
		ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);
		if (na) {
			ntfs_attr_pwrite(na, 0, (s64)strlen(data), data);
			ntfs_attr_close(na);
		}
	}
	return ni;
}

static void add_stream(ntfs_inode *ni, const char *name, const char *data)
{
	ntfschar *u = NULL;
	int ul = ntfs_mbstoucs(name, &u);
	if (ul > 0)
		ntfs_attr_add(ni, AT_DATA, u, (u8)ul, (const u8 *)data, (s64)strlen(data));
	free(u);
}

/* Fill the volume: a/f.txt (EICAR, stream "Zone.Identifier"), a/hard.txt (a second
 * name of f.txt), a/fifo, a/up (a symbolic link to ..), 12 folders deep
 * d/d/.../deep.txt, and "Счёт.txt" at the root. */
static int fill(ntfs_inode *root)
{
	ntfs_inode *a = mk(root, "a", S_IFDIR, NULL);
	ntfs_inode *f = mk(a, "f.txt", S_IFREG, eicar);
	add_stream(f, "Zone.Identifier", "[ZoneTransfer]\r\nZoneId=3\r\n");
	ntfschar *u = NULL;
	int ul = ntfs_mbstoucs("hard.txt", &u);
	ntfs_link(f, a, u, (u8)ul);
	free(u);
	u = NULL;       /* ntfs_mbstoucs writes into *outs when it is not NULL */
	ntfs_inode_close(f);
	ntfs_inode_close(mk(a, "fifo", S_IFIFO, NULL));
	ntfschar *t = NULL;
	int tl = ntfs_mbstoucs("..", &t);
	ul = ntfs_mbstoucs("up", &u);
	ntfs_inode *l = ntfs_create_symlink(a, const_cpu_to_le32(0), u, (u8)ul, t, tl);
	free(u);
	free(t);
	if (l)
		ntfs_inode_close(l);
	ntfs_inode_close(a);
	ntfs_inode *d = mk(root, "d", S_IFDIR, NULL);
	for (int i = 0; i < 11; i++) {
		ntfs_inode *n = mk(d, "d", S_IFDIR, NULL);
		ntfs_inode_close(d);
		d = n;
	}
	ntfs_inode_close(mk(d, "deep.txt", S_IFREG, "deep"));
	ntfs_inode_close(d);
	ntfs_inode_close(mk(root, "Счёт.txt", S_IFREG, "invoice"));
	return 0;
}

/* Fill the volume with damaged.bin: 8 KiB on the disk (EICAR first), its size in
 * the MFT four times what is allocated, as on a damaged volume. */
static int fill_damaged(ntfs_inode *root)
{
	char data[8193];
	memset(data, 'x', sizeof(data) - 1);
	data[sizeof(data) - 1] = '\0';
	memcpy(data, eicar, strlen(eicar));
	ntfs_inode *ni = mk(root, "damaged.bin", S_IFREG, data);
	int rc = -1;
	ntfs_attr_search_ctx *ctx = ni ? ntfs_attr_get_search_ctx(ni, NULL) : NULL;
	if (ctx && ntfs_attr_lookup(AT_DATA, AT_UNNAMED, 0, CASE_SENSITIVE, 0, NULL, 0, ctx) == 0 &&
	    ctx->attr->non_resident) {
		s64 big = sle64_to_cpu(ctx->attr->allocated_size) * 4;
		ctx->attr->data_size = cpu_to_sle64(big);
		ctx->attr->initialized_size = cpu_to_sle64(big);
		ntfs_inode_mark_dirty(ctx->ntfs_ino);
		rc = 0;
	}
	if (ctx)
		ntfs_attr_put_search_ctx(ctx);
	if (ni)
		ntfs_inode_close(ni);
	return rc;
}

/* Fill the volume with a folder loop, as a damaged or hostile volume has it:
 * loop/inner, and loop/inner/back a second name (an index entry) of loop. */
static int fill_loop(ntfs_inode *root)
{
	ntfs_inode *loop = mk(root, "loop", S_IFDIR, NULL);
	ntfs_inode *inner = loop ? mk(loop, "inner", S_IFDIR, NULL) : NULL;
	ntfs_inode_close(mk(inner, "x.txt", S_IFREG, "x"));
	ntfschar *u = NULL;
	int ul = ntfs_mbstoucs("back", &u);
	int rc = loop && inner && ul > 0 ? ntfs_link(loop, inner, u, (u8)ul) : -1;
	free(u);
	if (inner)
		ntfs_inode_close(inner);
	if (loop)
		ntfs_inode_close(loop);
	return rc;
}

/* Fill the volume IMG through libntfs-3g: FILL_FN on its root folder. */
static int fill_volume(const char *img, int (*fill_fn)(ntfs_inode *root))
{
	ntfs_volume *vol = ntfs_mount(img, NTFS_MNT_NONE);
	if (!vol)
		return -1;
	ntfs_inode *root = ntfs_inode_open(vol, FILE_root);
	int rc = root ? fill_fn(root) : -1;
	if (root)
		ntfs_inode_close(root);
	return ntfs_umount(vol, FALSE) || rc;
}

/* A new 16 MiB NTFS volume in IMG (mkntfs), filled by FILL_FN in a child
 * that ends with _exit: libntfs-3g's writing side keeps the root folder's
 * inode after its volume is unmounted (seen by LeakSanitizer), which is no
 * concern of the read side tested.  Returns 0, 1 when FILL_FN failed, -1
 * when no volume could be made (mkntfs missing). */
static int make_image(const char *img, int (*fill_fn)(ntfs_inode *root))
{
	char cmd[8300];
	snprintf(cmd, sizeof(cmd), "rm -f '%s' && truncate -s 16M '%s' && mkntfs -q -F -f '%s' >/dev/null 2>&1", img,
		 img, img);
	if (system(cmd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(fill_volume(img, fill_fn) == 0 ? 0 : 1);
	int status = -1;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status) != 0;
}

/* What a tool we did not write says of IMG: the number after LABEL in
 * `ntfsinfo -m` (the cluster size, their count), or whether `ntfscluster`
 * finds a file owning cluster C (1) or none (0); -1 when it cannot say. */
static long long ntfsinfo_number(const char *img, const char *label)
{
	char cmd[4400], line[256];
	snprintf(cmd, sizeof(cmd), "ntfsinfo -m '%s' 2>/dev/null", img);
	FILE *p = popen(cmd, "r");
	long long v = -1;
	const char *at;
	while (p && fgets(line, sizeof(line), p))
		if ((at = strstr(line, label)))
			v = atoll(at + strlen(label));
	if (p)
		pclose(p);
	return v;
}
static int ntfscluster_used(const char *img, long long c)
{
	char cmd[4400], line[256];
	snprintf(cmd, sizeof(cmd), "ntfscluster -c %lld-%lld '%s' 2>/dev/null", c, c, img);
	FILE *p = popen(cmd, "r");
	int used = -1;
	while (p && fgets(line, sizeof(line), p))
		if (strstr(line, "inode found") || strstr(line, "inodes found"))
			used = !strstr(line, "no inode found");
	if (p)
		pclose(p);
	return used;
}

struct seen {
	char list[8192];                /* "rel kind size\n" per entry */
	uint64_t f_ref;
	struct stat met;                /* the last file with several names reported */
	int asked;                      /* known_file's calls */
};

static int on_entry(const struct walk_entry *e, void *user)
{
	struct seen *s = user;
	static const char *const kinds[] = { "file", "dir", "link", "special", "loop", "otherfs", "error", "known" };
	size_t n = strlen(s->list);
	snprintf(s->list + n, sizeof(s->list) - n, "%s %s %lld\n", *e->rel ? e->rel : ".", kinds[e->kind],
		 e->st ? (long long)e->st->st_size : -1LL);
	if (strcmp(e->rel, "a/f.txt") == 0 || strcmp(e->rel, "damaged.bin") == 0)
		s->f_ref = e->ref;
	if (e->kind == WALK_FILE && e->st->st_nlink > 1)
		s->met = *e->st;
	return 0;
}

/* walk_known_fn: the files with several names on_entry has met. */
static bool known_file(dev_t dev, ino_t ino, void *user)
{
	struct seen *s = user;
	s->asked++;
	return s->met.st_nlink > 1 && s->met.st_dev == dev && s->met.st_ino == ino;
}

/* Whether the page of the image file IMG holding byte OFF is in memory. */
static int page_in_memory(int fd, off_t off)
{
	long pg = sysconf(_SC_PAGESIZE);
	off_t at = off / pg * pg;
	void *m = mmap(NULL, (size_t)pg, PROT_READ, MAP_SHARED, fd, at);
	unsigned char in = 0;
	int r = m == MAP_FAILED ? -1 : mincore(m, (size_t)pg, &in) == 0 ? (in & 1) : -1;
	if (m != MAP_FAILED)
		munmap(m, (size_t)pg);
	return r;
}

/* ntfsread_prefetch on REF (damaged.bin: its clusters hold EICAR first):
 * dropped from memory, its first cluster comes back into memory with no
 * read of ours; a stale reference is ignored, errno kept. */
static void check_prefetch(struct ntfsread *v, const char *img, uint64_t ref)
{
	int fd = open(img, O_RDONLY);
	struct stat st;
	char *all = NULL;
	if (fd < 0 || fstat(fd, &st) != 0 || !(all = malloc((size_t)st.st_size)) ||
	    pread(fd, all, (size_t)st.st_size, 0) != st.st_size) {
		CHECK(!"the image can be read");
		goto out;
	}
	/* The file's first cluster: EICAR at the start of a cluster (the MFT
	 * record may hold an older copy, from before the data left it). */
	char *at = all;
	while ((at = memmem(at, (size_t)(all + st.st_size - at), eicar, strlen(eicar))) && (at - all) % 4096)
		at++;
	CHECK(at != NULL);
	if (!at)
		goto out;
	off_t off = at - all;
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (page_in_memory(fd, off) != 0) {
		CHECK_SKIP("prefetch: the kernel kept the image's page in memory after DONTNEED");
		goto out;
	}
	errno = 1234;
	ntfsread_prefetch(v, ref + (1ull << 48), 1 << 20);
	CHECK_INT(errno, 1234);
	CHECK_INT(page_in_memory(fd, off), 0);
	ntfsread_prefetch(v, ref, 1 << 20);
	CHECK_INT(errno, 1234);
	/* mincore counts a page once its read has ended: the read was only
	 * started.  Waited for (nothing else reads the image), bounded so
	 * that a prefetch doing nothing fails rather than hangs. */
	int in = 0;
	for (int tries = 0; tries < 3000 && (in = page_in_memory(fd, off)) == 0; tries++)
		usleep(10000);
	CHECK_INT(in, 1);
	/* A read is the file's only one: its clusters leave memory after it
	 * (as far as it goes: damaged.bin is larger in the MFT than its data). */
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0;
	(void)ntfsread_read(v, ref, NULL, 1 << 20, &buf, &cap, &len, NULL);
	CHECK(len >= strlen(eicar) && memcmp(buf, eicar, strlen(eicar)) == 0);
	CHECK_INT(page_in_memory(fd, off), 0);
	free(buf);
out:
	free(all);
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	char top[] = "/tmp/test-ntfsread.XXXXXX";
	if (!mkdtemp(top))
		return 1;
	char img[4200], cmd[8600];
	snprintf(img, sizeof(img), "%s/vol.img", top);

	/* Not an ntfs-3g mount. */
	struct rs_error err = { 0 };
	struct ntfsread *v = NULL;
	CHECK_INT(ntfsread_open(top, &v, &err), RS_ETARGET);
	CHECK(v == NULL && strstr(err.msg, "not an ntfs-3g mount") != NULL);

	/* Garbage, empty, missing. */
	FILE *g = fopen(img, "w");
	for (int i = 0; g && i < 1 << 20; i++)
		fputc((int)(((unsigned)i * 7919u) & 0xffu), g);
	if (g)
		fclose(g);
	CHECK_INT(ntfsread_open_dev(img, "", top, &v, &err), RS_ETARGET);
	CHECK(v == NULL && strstr(err.msg, "cannot open it") != NULL);
	CHECK(truncate(img, 0) == 0);
	CHECK_INT(ntfsread_open_dev(img, "", top, &v, &err), RS_ETARGET);
	CHECK_INT(ntfsread_open_dev("/nonexistent/vol.img", "", top, &v, &err), RS_ETARGET);

	int made = make_image(img, fill);
	if (made < 0) {
		CHECK_SKIP("image checks: mkntfs not available");
		return check_done("test-ntfsread");
	}
	CHECK_INT(made, 0);

	CHECK_INT(ntfsread_open_dev(img, "", top, &v, &err), RS_OK);
	if (!v)
		return check_done("test-ntfsread");
	struct seen s = { .list = "" };
	CHECK_INT(ntfsread_walk(v, "", on_entry, NULL, &s), 0);
	/* The walk's order: a folder's entries sorted, then its subfolders. */
#define DEEP_FOLDERS "d/d dir 0\n" "d/d/d dir 0\n" "d/d/d/d dir 0\n" "d/d/d/d/d dir 0\n" "d/d/d/d/d/d dir 0\n" \
		     "d/d/d/d/d/d/d dir 0\n" "d/d/d/d/d/d/d/d dir 0\n" "d/d/d/d/d/d/d/d/d dir 0\n" \
		     "d/d/d/d/d/d/d/d/d/d dir 0\n" "d/d/d/d/d/d/d/d/d/d/d dir 0\n" \
		     "d/d/d/d/d/d/d/d/d/d/d/d dir 0\n" "d/d/d/d/d/d/d/d/d/d/d/d/deep.txt file 4\n"
	CHECK_STR(s.list, ". dir 0\n"
			  "a dir 0\n"
			  "d dir 0\n"
			  "Счёт.txt file 7\n"
			  "a/f.txt file 68\n"
			  "a/fifo special 0\n"
			  "a/hard.txt file 68\n"
			  "a/up link 12\n"
			  DEEP_FOLDERS);
	/* Asked before each entry's stat (not the start's: it has no index
	 * entry), the hard link's second name is known: reported without a
	 * stat, its first one read as before. */
	struct seen k = { .list = "" };
	CHECK_INT(ntfsread_walk(v, "", on_entry, known_file, &k), 0);
	CHECK_STR(k.list, ". dir 0\n"
			  "a dir 0\n"
			  "d dir 0\n"
			  "Счёт.txt file 7\n"
			  "a/f.txt file 68\n"
			  "a/fifo special 0\n"
			  "a/hard.txt known -1\n"
			  "a/up link 12\n"
			  DEEP_FOLDERS);
	CHECK_INT(k.asked, 19);

	/* Read by MFT reference: the content, a stream, the limit. */
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0;
	struct stat st;
	CHECK_INT(ntfsread_read(v, s.f_ref, NULL, 1 << 20, &buf, &cap, &len, &st), 0);
	CHECK(len == strlen(eicar) && memcmp(buf, eicar, len) == 0);
	CHECK(S_ISREG(st.st_mode) && st.st_size == (off_t)len && st.st_nlink == 2 && st.st_ino >= 16);
	CHECK_INT(ntfsread_read(v, s.f_ref, NULL, 10, &buf, &cap, &len, NULL), EFBIG);
	CHECK_INT(len, strlen(eicar));
	char *names = NULL;
	size_t nlen = 0;
	CHECK_INT(ntfsread_streams(v, s.f_ref, &names, &nlen), 0);
	CHECK(nlen == sizeof("Zone.Identifier") && names && strcmp(names, "Zone.Identifier") == 0);
	free(names);
	CHECK_INT(ntfsread_read(v, s.f_ref, "Zone.Identifier", 1 << 20, &buf, &cap, &len, NULL), 0);
	CHECK(len == 26 && memcmp(buf, "[ZoneTransfer]", 14) == 0);
	CHECK_INT(ntfsread_read(v, s.f_ref, "nope", 1 << 20, &buf, &cap, &len, NULL), ENOENT);
	/* A stale reference (another sequence number) is refused, not misread. */
	CHECK(ntfsread_read(v, s.f_ref + (1ull << 48), NULL, 1 << 20, &buf, &cap, &len, NULL) != 0);

	/* Every name of the hard-linked file, from its MFT record. */
	CHECK_INT(ntfsread_names(v, s.f_ref, &names, &nlen), 0);
	CHECK(names && nlen == sizeof("a/f.txt") + sizeof("a/hard.txt") &&
	      ((strcmp(names, "a/f.txt") == 0 && strcmp(names + 8, "a/hard.txt") == 0) ||
	       (strcmp(names, "a/hard.txt") == 0 && strcmp(names + 11, "a/f.txt") == 0)));
	free(names);
	/* The bytes a scan reads, from the MFT: each record once (the hard
	 * link's 68 once), the stream's 26 too, what is over the limit left
	 * out (an estimate: the Interix link's 12 bytes of target count). */
	uint64_t total = 0, small = 0;
	CHECK_INT(ntfsread_data_bytes(v, 1 << 20, NULL, &total), 0);
	CHECK_INT(ntfsread_data_bytes(v, 10, NULL, &small), 0);
	CHECK_INT(small, 7 + 4);
	CHECK_INT(total, 7 + 4 + 68 + 26 + 12);

	/* A walk from a path inside the volume, and from a missing one. */
	s.list[0] = '\0';
	CHECK_INT(ntfsread_walk(v, "a/f.txt", on_entry, NULL, &s), 0);
	CHECK_STR(s.list, "a/f.txt file 68\n");
	s.list[0] = '\0';
	CHECK(ntfsread_walk(v, "a/missing", on_entry, NULL, &s) != 0);
	CHECK(strstr(s.list, "a/missing error") != NULL);

	/* Another handle on the same volume (one per thread). */
	struct ntfsread *v2 = NULL;
	CHECK_INT(ntfsread_reopen(v, &v2, &err), RS_OK);
	CHECK(v2 && ntfsread_read(v2, s.f_ref, NULL, 1 << 20, &buf, &cap, &len, NULL) == 0 && len == 68);
	ntfsread_close(v2);

	/* $Bitmap: which clusters are in use, as ntfscluster says of them;
	 * bytes past the last cluster are not NTFS's to hand out. */
	long long cs = ntfsinfo_number(img, "Cluster Size: "), nc = ntfsinfo_number(img, "Volume Size in Clusters: ");
	if (cs <= 0 || nc <= 0 || ntfscluster_used(img, 0) < 0) {
		CHECK_SKIP("$Bitmap: ntfsinfo or ntfscluster not available");
	} else {
		uint64_t free_at = 0;
		long long used_c = -1, free_c = -1;
		for (long long c = 0; c < nc && (used_c < 0 || free_c < 0); c += nc / 16) {
			int u = ntfscluster_used(img, c);
			if (u == 1 && used_c < 0)
				used_c = c;
			if (u == 0 && free_c < 0)
				free_c = c;
		}
		CHECK(used_c >= 0 && free_c >= 0);
		CHECK_INT(ntfsread_in_use(v, (uint64_t)(used_c * cs), (uint64_t)cs, &free_at), 0);
		CHECK(free_at == UINT64_MAX);
		CHECK_INT(ntfsread_in_use(v, (uint64_t)(free_c * cs + 1), 1, &free_at), 0);
		CHECK_INT(free_at, free_c * cs);
		/* a range from a used cluster to a free one: the first free one */
		if (used_c < free_c && ntfscluster_used(img, used_c + 1) == 1) {
			CHECK_INT(ntfsread_in_use(v, (uint64_t)(used_c * cs), (uint64_t)((free_c - used_c + 1) * cs),
						  &free_at), 0);
			CHECK(free_at != UINT64_MAX && free_at > (uint64_t)(used_c * cs) &&
			      free_at <= (uint64_t)(free_c * cs));
		}
		CHECK_INT(ntfsread_in_use(v, (uint64_t)(nc * cs), 1 << 20, &free_at), 0);
		CHECK(free_at == UINT64_MAX);
	}
	ntfsread_close(v);

	/* A base folder: paths are relative to it. */
	CHECK_INT(ntfsread_open_dev(img, "d/d/d/d/d/d/d/d/d/d/d", top, &v, &err), RS_OK);
	s.list[0] = '\0';
	if (v)
		ntfsread_walk(v, "", on_entry, NULL, &s);
	CHECK_STR(s.list, ". dir 0\nd dir 0\nd/deep.txt file 4\n");
	ntfsread_close(v);
	CHECK_INT(ntfsread_open_dev(img, "no/such/folder", top, &v, &err), RS_ETARGET);

	/* A file whose size in the MFT is larger than its data: what exists is
	 * read (EICAR first), and the read says it is not whole. */
	CHECK_INT(make_image(img, fill_damaged), 0);
	CHECK_INT(ntfsread_open_dev(img, "", top, &v, &err), RS_OK);
	if (v) {
		s.list[0] = '\0';
		s.f_ref = 0;
		ntfsread_walk(v, "damaged.bin", on_entry, NULL, &s);
		len = 0;
		CHECK_INT(ntfsread_read(v, s.f_ref, NULL, 1 << 20, &buf, &cap, &len, NULL), EIO);
		CHECK(len >= 8192 && memcmp(buf, eicar, strlen(eicar)) == 0);
		CHECK(strstr(ntfsread_why(v), "could be read") != NULL);
		printf("# %zu bytes read: %s\n", len, ntfsread_why(v));
		check_prefetch(v, img, s.f_ref);
		ntfsread_close(v);
	}

	/* A folder that is its own grandchild (a second name of a folder): the
	 * walk ends, naming the loop, and reads the file in it once. */
	made = make_image(img, fill_loop);
	CHECK(made >= 0);
	if (made != 0) {
		CHECK_SKIP("a folder loop: libntfs-3g refuses a second name for a folder");
	} else if (ntfsread_open_dev(img, "", top, &v, &err) == RS_OK) {
		s.list[0] = '\0';
		CHECK_INT(ntfsread_walk(v, "", on_entry, NULL, &s), 0);
		CHECK_STR(s.list, ". dir 0\nloop dir 0\nloop/inner dir 0\nloop/inner/back loop 0\nloop/inner/x.txt file 1\n");
		ntfsread_close(v);
	}

	/* Truncated to its first 2 MiB ($MFT and the root survive, the rest
	 * is gone): refused, or walked with errors, never a crash. */
	snprintf(cmd, sizeof(cmd), "truncate -s 2M '%s'", img);
	CHECK(system(cmd) == 0);
	if (ntfsread_open_dev(img, "", top, &v, &err) == RS_OK) {
		s.list[0] = '\0';
		ntfsread_walk(v, "", on_entry, NULL, &s);
		ntfsread_close(v);
	}
	CHECK(1);

	free(buf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		return 1;
	return check_done("test-ntfsread");
}
