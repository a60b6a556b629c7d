/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rescue/disk/unlock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rescue/disk/mount.h"
#include "rescue/disk/teardown.h"

/* dislocker derives the key (a million SHA-256 rounds) before it mounts. */
#define UNLOCK_TIMEOUT_MS 120000

/* What dislocker said on its terminal, kept only to tell a wrong key from
 * other failures; it echoes the key, so it is wiped and never shown. */
struct tty_log {
	char buf[4096];
	size_t n;
};

static void tty_drain(int fd, struct tty_log *log, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	while (poll(&p, 1, timeout_ms) > 0 && (p.revents & POLLIN)) {
		char tmp[512];
		ssize_t n = read(fd, tmp, sizeof(tmp));
		if (n <= 0)
			break;
		/* Keep the tail: the prompt and the verdict come last. */
		if (log->n + (size_t)n >= sizeof(log->buf)) {
			size_t drop = log->n + (size_t)n - (sizeof(log->buf) - 1);
			drop = drop > log->n ? log->n : drop;
			memmove(log->buf, log->buf + drop, log->n - drop);
			log->n -= drop;
		}
		size_t take = (size_t)n < sizeof(log->buf) - 1 - log->n ? (size_t)n : sizeof(log->buf) - 1 - log->n;
		memcpy(log->buf + log->n, tmp, take);
		log->n += take;
		log->buf[log->n] = '\0';
		explicit_bzero(tmp, sizeof(tmp));
		timeout_ms = 0;
	}
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Start dislocker on its own pseudo-terminal. */
static pid_t start_dislocker(const char *dev, bool with_password, bool ro, const char *dir, int *tty)
{
	pid_t parent = getpid();
	pid_t pid = forkpty(tty, NULL, NULL, NULL);
	if (pid != 0)
		return pid;
	/* dislocker must not outlive us (forkpty made it a session of its
	 * own: a Ctrl-C at our terminal is ours to handle, in order). */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	const char *argv[16];
	int n = 0;
	argv[n++] = "dislocker";
	argv[n++] = "-V";
	argv[n++] = dev;
	argv[n++] = with_password ? "-p" : "-c";
	if (ro)
		argv[n++] = "-r";
	argv[n++] = "--";
	argv[n++] = "-f";                   /* FUSE in the foreground: our child till the end */
	argv[n++] = "-o";
	argv[n++] = "nosuid,nodev,noexec";
	argv[n++] = dir;
	argv[n] = NULL;
	execvp("dislocker", (char *const *)argv);
	_exit(127);
}

int bl_unlock_open(const char *dev, const char *password, const char *id, bool ro,
		   struct bl_unlock **out, struct rs_error *err)
{
	static unsigned seq;
	char run[PATH_MAX];
	int rc = mount_rundir(run, sizeof(run), err);
	if (rc)
		return rc;
	struct bl_unlock *u = calloc(1, sizeof(*u));
	if (!u)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "out of memory");
	u->tty = -1;
	u->slot = -1;
	u->ro = ro;
	u->loop = (struct loopdev)LOOPDEV_INIT;
	/* "<pid>.bl<n>": mount_clean_stale knows it by the pid. */
	snprintf(u->dir, sizeof(u->dir), "%s/%ld.bl%u", run, (long)getpid(), seq++);
	if (mkdir(u->dir, 0700) != 0) {
		rc = rs_fail_errno(err, RS_ETARGET, errno, "cannot create %s", u->dir);
		free(u);
		return rc;
	}
	u->slot = teardown_add_under(u->dir, 0);
	u->pid = start_dislocker(dev, password != NULL, ro, u->dir, &u->tty);
	if (u->pid < 0) {
		rc = rs_fail_errno(err, RS_ETARGET, errno, "cannot start dislocker");
		goto fail;
	}
	teardown_set_pid(u->slot, u->pid);

	struct tty_log log = { .n = 0 };
	bool typed = password == NULL;
	for (int waited = 0;; waited += 10) {
		tty_drain(u->tty, &log, 0);
		if (!typed && strstr(log.buf, "password:")) {
			/* The prompt is up: type the key (no input flushed after it). */
			size_t len = strlen(password);
			if (write(u->tty, password, len) != (ssize_t)len || write(u->tty, "\n", 1) != 1) {
				rc = rs_fail_errno(err, RS_ETARGET, errno, "cannot hand the key to dislocker");
				goto fail_log;
			}
			typed = true;
		}
		if (mount_is_active(u->dir, run))
			break;
		int status;
		if (waitpid(u->pid, &status, WNOHANG) == u->pid) {
			u->pid = 0;
			teardown_set_pid(u->slot, 0);
			tty_drain(u->tty, &log, 50);
			if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
				rc = rs_fail(err, RS_ETARGET, "dislocker is not installed: BitLocker volumes "
					     "cannot be opened");
			else if (strstr(log.buf, "decrypting the keys") || strstr(log.buf, "Unable to grab VMK"))
				rc = password ? rs_fail(err, RS_ETARGET, "this key does not open %s", id)
					      : rs_fail(err, RS_ETARGET, "the clear key of %s does not open it", id);
			else
				rc = rs_fail(err, RS_ETARGET, "dislocker could not open the BitLocker volume %s", id);
			goto fail_log;
		}
		if (waited >= UNLOCK_TIMEOUT_MS) {
			rc = rs_fail(err, RS_ETARGET, "dislocker did not open %s in %d s", id,
				     UNLOCK_TIMEOUT_MS / 1000);
			goto fail_log;
		}
		nap_ms(10);
	}
	explicit_bzero(&log, sizeof(log));

	char file[PATH_MAX + 32];
	snprintf(file, sizeof(file), "%s/dislocker-file", u->dir);
	if ((rc = loop_attach(file, 0, 0, ro, &u->loop, err)))
		goto fail;
	*out = u;
	return RS_OK;

fail_log:
	explicit_bzero(&log, sizeof(log));
fail:
	bl_unlock_close(u);
	return rc;
}

void bl_unlock_close(struct bl_unlock *u)
{
	if (!u)
		return;
	loop_detach(&u->loop);
	/* The loop device lets go of dislocker-file a moment after its last
	 * close: a busy unmount is tried again, then left to the kernel. */
	int tries = 0;
	while (umount2(u->dir, 0) != 0 && errno == EBUSY && ++tries < 200)
		nap_ms(10);
	if (tries == 200)
		umount2(u->dir, MNT_DETACH);
	if (u->pid > 0) {
		int waited = 0;
		while (waitpid(u->pid, NULL, WNOHANG) == 0) {
			if (waited == 10000)
				kill(u->pid, SIGTERM);
			if (waited == 20000)
				kill(u->pid, SIGKILL);
			nap_ms(10);
			waited += 10;
		}
	}
	if (u->tty >= 0)
		close(u->tty);
	rmdir(u->dir);
	teardown_remove(u->slot);
	free(u);
}
