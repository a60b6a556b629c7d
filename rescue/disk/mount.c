/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rescue/disk/mount.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rescue/disk/teardown.h"

/* How long ntfs-3g may take to mount a volume (a damaged $MFT is read in
 * full), and to finish writing after an unmount.  A clean unmount of our
 * fuseblk mount does not return before ntfs-3g has written the volume back
 * and closed it (the kernel waits for its answer to FUSE_DESTROY), however
 * long the disk below takes; only after a lazy detach does ntfs-3g write
 * back on its own, timed here.  UNMOUNT_BUSY_MS: how long a mount someone
 * holds (a process walking the folder, a probe) is retried before that
 * lazy detach: under load such a holder can take a while to let go, and
 * the detach hands the write back to a timer. */
#define MOUNT_TIMEOUT_MS   60000
#define UNMOUNT_TIMEOUT_MS 60000
#define UNMOUNT_BUSY_MS    10000

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int mount_rundir(char *out, size_t outlen, struct rs_error *err)
{
	const char *env = getenv("RESCUE_RUNDIR");
	const char *tmp = getenv("TMPDIR");
	char cand[3][PATH_MAX];
	int n = 0;
	if (env && *env)
		snprintf(cand[n++], PATH_MAX, "%s", env);
	snprintf(cand[n++], PATH_MAX, "/run/rescue");
	snprintf(cand[n++], PATH_MAX, "%s/rescue-run", tmp && *tmp ? tmp : "/tmp");
	int e = 0;
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (mkdir(cand[i], 0700) != 0 && errno != EEXIST) {
			e = errno;
			continue;
		}
		/* Never work in a folder someone else could have prepared. */
		if (lstat(cand[i], &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
			e = EPERM;
			continue;
		}
		snprintf(out, outlen, "%s", cand[i]);
		return RS_OK;
	}
	return rs_fail_errno(err, RS_ETARGET, e, "no folder for mount points (%s)", cand[0]);
}

void mount_clean_stale(void)
{
	char run[PATH_MAX];
	if (mount_rundir(run, sizeof(run), NULL) != RS_OK)
		return;
	DIR *d = opendir(run);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (pid <= 0 || *end != '.')
			continue;
		if (pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;   /* alive, or not ours to judge */
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", run, de->d_name);
		umount2(path, MNT_DETACH);
		rmdir(path);
	}
	closedir(d);
}

bool mount_is_active(const char *dir, const char *parent)
{
	struct stat a, b;
	return stat(dir, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

/* What ntfs-3g said, as one line: its most telling line (the one naming
 * hibernation or the error), else its first. */
static void child_message(int fd, char *out, size_t outlen)
{
	char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	out[0] = '\0';
	if (n <= 0)
		return;
	buf[n] = '\0';
	char *pick = NULL;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (!*line)
			continue;
		if (!pick)
			pick = line;
		if (strcasestr(line, "hibernat") || strcasestr(line, "failed") ||
		    strcasestr(line, "error") || strcasestr(line, "denied")) {
			pick = line;
			break;
		}
	}
	if (pick)
		snprintf(out, outlen, "%s", pick);
}

int mount_ntfs(const char *dev, unsigned flags, struct ntfs_mount **out, struct rs_error *err)
{
	static unsigned seq;
	char run[PATH_MAX];
	int rc = mount_rundir(run, sizeof(run), err);
	if (rc)
		return rc;
	struct ntfs_mount *m = calloc(1, sizeof(*m));
	if (!m)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "out of memory");
	m->rw = flags & MOUNT_RW;
	snprintf(m->dev, sizeof(m->dev), "%s", dev);
	snprintf(m->dir, sizeof(m->dir), "%s/%ld.%u", run, (long)getpid(), seq++);
	if (mkdir(m->dir, 0700) != 0) {
		rc = rs_fail_errno(err, RS_ETARGET, errno, "cannot create %s", m->dir);
		free(m);
		return rc;
	}
	m->slot = teardown_add_mount(m->dir, 0);

	char opts[256];
	snprintf(opts, sizeof(opts), "%s,noexec,nosuid,nodev,no_detach%s%s",
		 m->rw ? "rw" : "ro",
		 m->rw ? ",windows_names" : "",
		 (flags & MOUNT_REMOVE_HIBERFILE) ? ",remove_hiberfile" : "");
	int errfd = memfd_create("ntfs-3g-stderr", MFD_CLOEXEC);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		rc = rs_fail_errno(err, RS_ETARGET, errno, "cannot start ntfs-3g");
		goto fail;
	}
	if (pid == 0) {
		/* ntfs-3g must not outlive us, and a Ctrl-C at the terminal is
		 * ours to handle: we unmount in order. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		setpgid(0, 0);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		if (errfd >= 0)
			dup2(errfd, 2);
		else if (null >= 0)
			dup2(null, 2);
		execlp("ntfs-3g", "ntfs-3g", "-o", opts, dev, m->dir, (char *)NULL);
		_exit(127);
	}
	m->pid = pid;
	teardown_set_pid(m->slot, pid);

	char msg[300] = "";
	for (int waited = 0;; waited += 10) {
		if (mount_is_active(m->dir, run))
			break;
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			m->pid = 0;
			teardown_set_pid(m->slot, 0);
			if (errfd >= 0)
				child_message(errfd, msg, sizeof(msg));
			if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !msg[0])
				snprintf(msg, sizeof(msg), "ntfs-3g is not installed");
			rc = rs_fail(err, RS_ETARGET, "%s: cannot mount NTFS: %s", dev,
				     msg[0] ? msg : "ntfs-3g failed");
			goto fail;
		}
		if (waited >= MOUNT_TIMEOUT_MS) {
			rc = rs_fail(err, RS_ETARGET, "%s: ntfs-3g did not mount it in %d s", dev,
				     MOUNT_TIMEOUT_MS / 1000);
			goto fail;
		}
		nap_ms(10);
	}
	if (m->rw) {
		/* ntfs-3g falls back to read-only by itself on hibernated and
		 * unsafe volumes; a writing command must not go on believing it
		 * writes. */
		struct statvfs sv;
		if (statvfs(m->dir, &sv) == 0 && (sv.f_flag & ST_RDONLY)) {
			if (errfd >= 0)
				child_message(errfd, msg, sizeof(msg));
			rc = rs_fail(err, RS_ETARGET, "%s: ntfs-3g mounted it read-only only%s%s", dev,
				     msg[0] ? ": " : "", msg);
			goto fail;
		}
	}
	if (errfd >= 0)
		close(errfd);
	*out = m;
	return RS_OK;

fail:
	if (errfd >= 0)
		close(errfd);
	mount_release(m, NULL);
	return rc;
}

int mount_release(struct ntfs_mount *m, struct rs_error *err)
{
	if (!m)
		return RS_OK;
	int rc = RS_OK, r;
	for (int waited = 0; (r = umount2(m->dir, 0)) != 0 && errno == EBUSY && waited < UNMOUNT_BUSY_MS;
	     waited += 20)
		nap_ms(20);
	if (r != 0 && errno != EINVAL && errno != ENOENT) {
		rc = rs_fail_errno(err, RS_EPARTIAL, errno, "%s: unmount of %s", m->dev, m->dir);
		umount2(m->dir, MNT_DETACH);
		if (m->pid > 0)
			kill(m->pid, SIGTERM);
	}
	if (m->pid > 0) {
		/* ntfs-3g ends once the volume is written back and closed. */
		int waited = 0;
		while (waitpid(m->pid, NULL, WNOHANG) == 0) {
			if (waited == UNMOUNT_TIMEOUT_MS) {
				kill(m->pid, SIGKILL);
				/* The first failure stays the one named: the
				 * unmount refused, then ntfs-3g killed. */
				if (rc == RS_OK)
					rc = rs_fail(err, RS_EPARTIAL, "%s: ntfs-3g did not finish in %d s", m->dev,
						     UNMOUNT_TIMEOUT_MS / 1000);
				else if (err)
					snprintf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg),
						 "; ntfs-3g then did not finish in %d s", UNMOUNT_TIMEOUT_MS / 1000);
			}
			nap_ms(10);
			waited += 10;
		}
	}
	rmdir(m->dir);
	teardown_remove(m->slot);
	free(m);
	return rc;
}
