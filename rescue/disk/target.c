/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/disk/target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rescue/disk/blguard.h"
#include "rescue/disk/mount.h"
#include "rescue/disk/ntfsprobe.h"

struct rs_target {
	struct disk **disks;
	size_t ndisks;
	struct rs_volume *vols;
	size_t nvols;
	size_t ninstalls;
	char source[256];          /* PATH as given, or "the local disks" */
};

static const struct { unsigned bit; const char *word; } state_words[] = {
	{ VOL_BITLOCKER, "bitlocker" },
	{ VOL_HIBERNATED, "hibernated" },
	{ VOL_DIRTY, "dirty" },
	{ VOL_READONLY, "read-only" },
	{ VOL_UNREADABLE, "unreadable" },
	{ VOL_UNLOCKED, "unlocked" },
};

void rs_volume_state_str(unsigned state, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(state_words) / sizeof(state_words[0]); i++)
		if (state & state_words[i].bit)
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "," : "",
					      state_words[i].word);
	if (!n)
		snprintf(buf, len, "ok");
}

static bool is_ntfs(const struct disk_part *p)
{
	return strcmp(p->fstype, "ntfs") == 0;
}

/* Mark V unreadable with MSG, said with the partition's name instead of
 * the loop device's a lower layer may have put first. */
static void unreadable(struct rs_volume *v, const char *msg)
{
	const char *node = v->part->node;
	size_t n = strlen(node);
	if (n && strncmp(msg, node, n) == 0 && msg[n] == ':')
		msg += n + 2;
	else if (strncmp(msg, v->part->name, strlen(v->part->name)) == 0)
		msg += strlen(v->part->name) + (msg[strlen(v->part->name)] == ':' ? 2 : 0);
	v->state |= VOL_UNREADABLE;
	snprintf(v->why, sizeof(v->why), "%s", msg);
}

/* The device V's NTFS is read from: the partition, or dislocker's view. */
static const char *volume_node(const struct rs_volume *v)
{
	return v->unlock ? v->unlock->loop.dev : v->part->node;
}

/* Open V (BitLocker, its metadata read) with its chosen key, read-only
 * when RO: the partition attached the same way, dislocker over it. */
static int unlock_open(struct disk *d, struct rs_volume *v, bool ro, struct rs_error *err)
{
	int rc = disk_attach(d, v->part, ro, err);
	if (rc)
		return rc;
	const char *id = v->bl_key_id[0] ? v->bl_key_id : v->bl->volume_id;
	return bl_unlock_open(v->part->node, v->bl_key ? v->bl_key->password : NULL, id, ro || d->readonly,
			      &v->unlock, err);
}

/* Read V's BitLocker metadata and open it read-only with the key that
 * fits (its clear key when suspended, a key file's key for its key ID, a
 * typed key) in USE_KEYS (may be NULL); else say in bl_why what it needs. */
static void unlock_bitlocker(struct disk *d, struct rs_volume *v, const struct blk_ring *use_keys)
{
	struct disk_part *p = v->part;
	struct rs_error e = { 0 };
	int fd = open(d->path, O_RDONLY | O_CLOEXEC);
	struct bl_info *bl = fd >= 0 ? calloc(1, sizeof(*bl)) : NULL;
	if (fd < 0 || !bl || bl_read(fd, p->offset, p->number ? p->size : d->size, bl, &e) != RS_OK) {
		snprintf(v->bl_why, sizeof(v->bl_why), "%s", fd < 0 ? strerror(errno) : bl ? e.msg : "out of memory");
		free(bl);
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	v->bl = bl;
	const char *first = bl_recovery_id(bl, 0);
	if (bl->suspended) {
		snprintf(v->bl_key_from, sizeof(v->bl_key_from), "its clear key (protection suspended)");
	} else if (!first) {
		/* TPM, startup key...: secrets of that machine, never on a stick.
		 * Named with their key IDs, so the technician can tell the volume. */
		char only[200] = "", name[32];
		size_t n = 0;
		for (int i = 0; i < bl->nprotectors && n < sizeof(only); i++)
			n += (size_t)snprintf(only + n, sizeof(only) - n, "%s%s key ID %s", i ? ", " : "",
					      bl_protector_name(bl->protectors[i].type, name, sizeof(name)),
					      bl->protectors[i].id);
		snprintf(v->bl_why, sizeof(v->bl_why), "BitLocker volume %s has no recovery password "
			 "protector (only %s): no recovery key can open it here", bl->volume_id, only);
		return;
	} else {
		const struct blk_key *k = NULL;
		const char *id = first;
		for (int i = 0; !k && use_keys && (id = bl_recovery_id(bl, i)); i++)
			k = blk_find(use_keys, id);
		if (k) {
			snprintf(v->bl_key_from, sizeof(v->bl_key_from), "%s", k->source);
		} else if (use_keys && (k = blk_typed(use_keys, 0))) {
			id = first;
			snprintf(v->bl_key_from, sizeof(v->bl_key_from), "the recovery key given");
		} else {
			snprintf(v->bl_why, sizeof(v->bl_why), "needs recovery key %s%s%s", first,
				 use_keys && use_keys->bad ? "; skipped " : "",
				 use_keys && use_keys->bad ? use_keys->first_bad : "");
			return;
		}
		v->bl_key = k;
		snprintf(v->bl_key_id, sizeof(v->bl_key_id), "%s", id);
	}
	if (unlock_open(d, v, true, &e) != RS_OK) {
		snprintf(v->bl_why, sizeof(v->bl_why), "%s", e.msg);
		v->bl_key = NULL;
		v->bl_key_from[0] = '\0';
		return;
	}
	v->state = (v->state & ~(unsigned)VOL_BITLOCKER) | VOL_UNLOCKED;
	snprintf(p->fstype, sizeof(p->fstype), "ntfs");
}

/* Identify the Windows on V, if any: a short read-only mount. */
static void identify(struct disk *d, struct rs_volume *v)
{
	struct disk_part *p = v->part;
	struct rs_error e = { 0 };
	if (!v->unlock && disk_attach(d, p, true, &e) != RS_OK) {
		unreadable(v, e.msg);
		return;
	}
	const char *node = volume_node(v);
	struct ntfs_state st;
	if (ntfs_probe(node, &st, &e) != RS_OK) {
		unreadable(v, e.msg);
		return;
	}
	if (!p->label[0])
		snprintf(p->label, sizeof(p->label), "%s", st.label);
	if (st.dirty)
		v->state |= VOL_DIRTY;
	if (st.hibernated)
		v->state |= VOL_HIBERNATED;

	struct ntfs_mount *m;
	if (mount_ntfs(node, 0, &m, &e) != RS_OK) {
		unreadable(v, e.msg);
		return;
	}
	struct rs_ctx *ctx;
	if (rs_ctx_open(m->dir, RS_CTX_READONLY, &ctx, &e) == RS_OK) {
		v->windows = true;
		/* A missing SOFTWARE or SYSTEM leaves the fields empty: the
		 * installation is still one (damaged hives are for the hive
		 * commands to report). */
		win_info_read(ctx, &v->info, &e);
		/* Read only, like everything here: a dirty hive is replayed in
		 * memory to see whether its logs suffice. */
		if (hive_recovery_list(ctx, &v->hives, &v->nhives, &e) != RS_OK) {
			v->hives = NULL;
			v->nhives = 0;
		}
		v->hives_word = hive_recovery_summary(v->hives, v->nhives);
		rs_ctx_close(ctx);
	} else if (rs_ctx_open(m->dir, RS_CTX_READONLY | RS_CTX_VOLUME_ONLY, &ctx, &e) == RS_OK) {
		v->hiveless = true;
		rs_ctx_close(ctx);
	}
	mount_release(m, NULL);
}

static int add_disk(struct rs_target *t, struct disk *d, const struct blk_ring *keys)
{
	struct disk **nd = realloc(t->disks, (t->ndisks + 1) * sizeof(*nd));
	struct rs_volume *nv = nd ? realloc(t->vols, (t->nvols + d->nparts) * sizeof(*nv)) : NULL;
	if (nd)
		t->disks = nd;
	if (!nv) {
		disk_free(d);
		return -1;
	}
	t->vols = nv;
	t->disks[t->ndisks++] = d;
	for (size_t i = 0; i < d->nparts; i++) {
		struct rs_volume *v = &t->vols[t->nvols++];
		memset(v, 0, sizeof(*v));
		v->disk = d;
		v->part = &d->parts[i];
		if (d->readonly)
			v->state |= VOL_READONLY;
		if (strcmp(v->part->fstype, "BitLocker") == 0) {
			v->state |= VOL_BITLOCKER;
			unlock_bitlocker(d, v, keys);
		}
		if (is_ntfs(v->part))
			identify(d, v);
		if (v->windows || v->hiveless)
			v->install = (int)++t->ninstalls;
	}
	return 0;
}

int rs_target_scan(const char *path, const struct blk_ring *keys, struct rs_target **out, struct rs_error *err)
{
	mount_clean_stale();
	struct rs_target *t = calloc(1, sizeof(*t));
	if (!t)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "out of memory");
	snprintf(t->source, sizeof(t->source), "%s", path ? path : "the local disks");
	int rc = RS_OK;
	if (path) {
		struct disk *d;
		rc = disk_read(path, &d, err);
		if (rc == RS_OK && add_disk(t, d, keys) != 0)
			rc = rs_fail_errno(err, RS_EPARTIAL, ENOMEM, "out of memory");
	} else {
		struct disk **ds;
		size_t n;
		rc = disk_list_local(&ds, &n, err);
		for (size_t i = 0; i < n; i++)
			if (add_disk(t, ds[i], keys) != 0 && rc == RS_OK)
				rc = rs_fail_errno(err, RS_EPARTIAL, ENOMEM, "out of memory");
		free(ds);
	}
	if (rc) {
		rs_target_close(t, NULL);
		return rc;
	}
	*out = t;
	return RS_OK;
}

size_t rs_target_count(const struct rs_target *t) { return t->nvols; }
size_t rs_target_installs(const struct rs_target *t) { return t->ninstalls; }

const struct rs_volume *rs_target_volume(const struct rs_target *t, size_t i)
{
	return i < t->nvols ? &t->vols[i] : NULL;
}

static struct rs_volume *find_install(const struct rs_target *t, int n)
{
	for (size_t i = 0; i < t->nvols; i++)
		if (t->vols[i].install == n && n > 0)
			return &t->vols[i];
	return NULL;
}

const struct rs_volume *rs_target_install(const struct rs_target *t, int n)
{
	return find_install(t, n);
}

int rs_target_pick(const struct rs_target *t, int n, int *out, struct rs_error *err)
{
	if (t->ninstalls == 0) {
		/* Say what stands in the way, most telling first. */
		for (size_t i = 0; i < t->nvols; i++)
			if (t->vols[i].state & VOL_BITLOCKER)
				return rs_fail(err, RS_ETARGET, "%s is encrypted with BitLocker: %s",
					       t->vols[i].part->name, t->vols[i].bl_why[0] ? t->vols[i].bl_why :
					       "it needs its recovery key (--bitlocker-key, --bitlocker-keys)");
		for (size_t i = 0; i < t->nvols; i++)
			if (t->vols[i].state & VOL_UNREADABLE)
				return rs_fail(err, RS_ETARGET, "no Windows installation found: %s: %s",
					       t->vols[i].part->name, t->vols[i].why);
		size_t ntfs = 0;
		for (size_t i = 0; i < t->nvols; i++)
			ntfs += is_ntfs(t->vols[i].part);
		if (!ntfs)
			return rs_fail(err, RS_ETARGET, "no NTFS volume on %s", t->source);
		return rs_fail(err, RS_ETARGET, "no Windows installation on %s (%zu NTFS volume%s, none "
			       "holds Windows/System32/config/SYSTEM)", t->source, ntfs, ntfs == 1 ? "" : "s");
	}
	if (n == 0 && t->ninstalls > 1)
		return rs_fail(err, RS_EUSAGE, "%zu Windows installations on %s: choose one with "
			       "--install N (see `rescue detect`)", t->ninstalls, t->source);
	if (n == 0)
		n = 1;
	if (n < 0 || (size_t)n > t->ninstalls)
		return rs_fail(err, RS_EUSAGE, "--install %d: there %s %zu Windows installation%s on %s",
			       n, t->ninstalls == 1 ? "is" : "are", t->ninstalls,
			       t->ninstalls == 1 ? "" : "s", t->source);
	*out = n;
	return RS_OK;
}

/* Why V may not be written, or NULL. */
static int check_writable(const struct rs_volume *v, unsigned ctx_flags, unsigned open_flags,
			  struct rs_error *err)
{
	const char *name = v->part->name;
	if (v->state & VOL_BITLOCKER)
		return rs_fail(err, RS_ETARGET, "%s is encrypted with BitLocker: it needs its recovery key; "
			       "rescue never writes to it", name);
	if (v->state & VOL_READONLY)
		return rs_fail(err, RS_ETARGET, "%s is on a read-only medium (%s): nothing can be written",
			       name, v->disk->path);
	if ((v->state & VOL_HIBERNATED) && !(open_flags & TARGET_REMOVE_HIBERFILE))
		return rs_fail(err, RS_ETARGET, "%s: Windows is hibernated or was shut down with Fast "
			       "Startup; writing now would destroy that session and can damage the "
			       "volume. Shut Windows down fully (shutdown /s /t 0), or use read-only "
			       "commands, or give --remove-hiberfile to discard the hibernated session",
			       name);
	if ((v->state & VOL_DIRTY) && !(ctx_flags & RS_CTX_FORCE))
		return rs_fail(err, RS_ETARGET, "%s was not shut down cleanly (NTFS dirty flag): let "
			       "chkdsk repair it first, or give --force (unattended: force = yes) to write "
			       "anyway", name);
	return RS_OK;
}

/* An unlocked V may be written only when NTFS holds BitLocker's own areas
 * as in use; checked once, on the decrypted view, before the first write. */
static int guard_unlocked(struct rs_volume *v, struct rs_error *err)
{
	if (!v->bl_guarded) {
		struct rs_error e = { 0 };
		if (bl_guard_check(v->bl, volume_node(v), &e) != RS_OK)
			snprintf(v->bl_write_why, sizeof(v->bl_write_why), "%s", e.msg);
		v->bl_guarded = true;
	}
	if (v->bl_write_why[0])
		return rs_fail(err, RS_ETARGET, "%s: %s", v->part->name, v->bl_write_why);
	return RS_OK;
}

int rs_target_open(struct rs_target *t, int n, unsigned ctx_flags, unsigned open_flags,
		   struct rs_ctx **out, struct rs_error *err)
{
	struct rs_volume *v = find_install(t, n);
	if (!v)
		return rs_fail(err, RS_EUSAGE, "no Windows installation %d", n);
	if (v->hiveless && !(ctx_flags & RS_CTX_VOLUME_ONLY))
		return rs_fail(err, RS_ETARGET, "installation %d (%s) has no %s/SYSTEM, only a %s folder: only undo "
			       "and the quarantine work on it (put SYSTEM back first)", n, v->part->name,
			       RS_PATH_CONFIG, RS_PATH_RESCUE);
	bool rw = !(ctx_flags & RS_CTX_READONLY);
	int rc;
	if (rw && (rc = check_writable(v, ctx_flags, open_flags, err)))
		return rc;
	if (rw && v->unlock && v->bl && (rc = guard_unlocked(v, err)))
		return rc;
	if (v->mount && v->mount->rw != rw) {
		struct ntfs_mount *old = v->mount;
		v->mount = NULL;
		if ((rc = mount_release(old, err)))
			return rc;
	}
	if (v->unlock && rw && v->unlock->ro) {
		/* Opened read-only by the scan: dislocker again, read-write. */
		bl_unlock_close(v->unlock);
		v->unlock = NULL;
		if ((rc = unlock_open((struct disk *)v->disk, v, false, err)))
			return rc;
	}
	if (!v->mount) {
		if (!v->unlock && (rc = disk_attach((struct disk *)v->disk, v->part, !rw, err)))
			return rc;
		unsigned mf = rw ? MOUNT_RW : 0;
		if (rw && (open_flags & TARGET_REMOVE_HIBERFILE))
			mf |= MOUNT_REMOVE_HIBERFILE;
		if ((rc = mount_ntfs(volume_node(v), mf, &v->mount, err)))
			return rc;
	}
	rc = rs_ctx_open(v->mount->dir, ctx_flags, out, err);
	if (rc == RS_OK && !rw && (v->state & (VOL_HIBERNATED | VOL_READONLY | VOL_BITLOCKER)))
		snprintf((*out)->readonly_why, sizeof((*out)->readonly_why), "%s",
			 (v->state & VOL_HIBERNATED) ? "Windows is hibernated (give --remove-hiberfile to write)"
						     : "read-only medium");
	return rc;
}

int rs_target_close(struct rs_target *t, struct rs_error *err)
{
	if (!t)
		return RS_OK;
	int rc = RS_OK;
	for (size_t i = 0; i < t->nvols; i++) {
		int r = mount_release(t->vols[i].mount, rc ? NULL : err);
		if (r && !rc)
			rc = r;
		bl_unlock_close(t->vols[i].unlock);     /* after ntfs-3g let go of it */
		free(t->vols[i].bl);
		free(t->vols[i].hives);
	}
	for (size_t i = 0; i < t->ndisks; i++)
		disk_free(t->disks[i]);
	free(t->disks);
	free(t->vols);
	free(t);
	return rc;
}
