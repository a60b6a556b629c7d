/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/disk/teardown.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A fixed table: the signal handler may not allocate.  64 covers every
 * partition of a few disks with room to spare. */
#define SLOTS 64

enum { FREE = 0, MOUNT, LOOP, UNDER };

static struct slot {
	volatile sig_atomic_t kind;
	volatile pid_t pid;
	int fd;
	char dir[PATH_MAX];
} slots[SLOTS];

static volatile sig_atomic_t busy;

static int add(int kind, const char *dir, pid_t pid, int fd)
{
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].kind != FREE)
			continue;
		slots[i].pid = pid;
		slots[i].fd = fd;
		slots[i].dir[0] = '\0';
		if (dir) {
			size_t n = strlen(dir);
			if (n >= sizeof(slots[i].dir))
				return -1;
			memcpy(slots[i].dir, dir, n + 1);
		}
		slots[i].kind = kind;   /* last: the handler sees a complete entry */
		return i;
	}
	return -1;
}

int teardown_add_mount(const char *dir, pid_t pid) { return add(MOUNT, dir, pid, -1); }
int teardown_add_loop(int fd) { return add(LOOP, NULL, 0, fd); }
int teardown_add_under(const char *dir, pid_t pid) { return add(UNDER, dir, pid, -1); }

void teardown_set_pid(int slot, pid_t pid)
{
	if (slot >= 0 && slot < SLOTS)
		slots[slot].pid = pid;
}

void teardown_remove(int slot)
{
	if (slot >= 0 && slot < SLOTS)
		slots[slot].kind = FREE;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Wait for PID to end: up to 10 s after SIGTERM (ntfs-3g is writing back
 * what it holds), then SIGKILL. */
static void reap(pid_t pid)
{
	for (int i = 0; i < 1000; i++) {
		pid_t r = waitpid(pid, NULL, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return;
		if (i == 500)
			kill(pid, SIGKILL);
		nap_ms(20);
	}
}

/* Unmount every registered mount of KIND: lazily (files of the interrupted
 * command may still be open), then SIGTERM to its FUSE process and wait
 * for it to finish writing, then remove the folder. */
static void undo_mounts(int kind)
{
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].kind != kind)
			continue;
		/* Lazy: files of the interrupted command may still be open. */
		umount2(slots[i].dir, MNT_DETACH);
		if (slots[i].pid > 0) {
			kill(slots[i].pid, SIGTERM);
			reap(slots[i].pid);
		}
		rmdir(slots[i].dir);
		slots[i].kind = FREE;
	}
}

void teardown_all(void)
{
	if (busy)
		return;
	busy = 1;
	int saved = errno;
	undo_mounts(MOUNT);
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].kind != LOOP)
			continue;
		close(slots[i].fd);     /* autoclear detaches it */
		slots[i].kind = FREE;
	}
	/* Last: what the loop devices above read through (dislocker). */
	undo_mounts(UNDER);
	errno = saved;
	busy = 0;
}

static void on_signal(int sig)
{
	teardown_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void at_exit(void)
{
	teardown_all();
}

void teardown_install(void)
{
	static int installed;
	if (installed)
		return;
	installed = 1;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);        /* one teardown, not one per signal */
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	atexit(at_exit);
}
