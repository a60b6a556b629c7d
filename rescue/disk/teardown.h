/* SPDX-License-Identifier: GPL-2.0-or-later */
/* teardown.h - what must be undone before the process ends, whatever ends it.
 *
 * rescue mounts NTFS volumes (ntfs-3g children) and attaches loop devices.
 * None of them may outlive the run: not on an error path, not on Ctrl-C or
 * SIGTERM, not after exit().  Modules register what they set up here and
 * remove it when they have undone it themselves; teardown_all() undoes what
 * is left, using only async-signal-safe calls, so it runs from a signal
 * handler as well as from atexit.  A kill -9 cannot be caught: ntfs-3g
 * children get SIGTERM from the kernel when rescue dies (PR_SET_PDEATHSIG),
 * loop devices detach themselves (autoclear), and the next run removes the
 * empty mount folders (mount_clean_stale). */
#ifndef RESCUE_TEARDOWN_H
#define RESCUE_TEARDOWN_H

#include <sys/types.h>

/* Register an ntfs-3g mount: DIR is the mount point, PID the ntfs-3g process
 * (0 until it is known).  Returns a slot >= 0, or -1 when the table is full. */
int teardown_add_mount(const char *dir, pid_t pid);
void teardown_set_pid(int slot, pid_t pid);

/* Register the fd that keeps an autoclear loop device alive. */
int teardown_add_loop(int fd);

/* Register a FUSE mount that loop devices read through (dislocker's view
 * of a BitLocker volume): undone after the mounts and loop devices above it. */
int teardown_add_under(const char *dir, pid_t pid);

/* Forget SLOT (its owner has undone it).  -1 is ignored. */
void teardown_remove(int slot);

/* Undo everything still registered: mounts first (lazy unmount, SIGTERM to
 * ntfs-3g, wait for it to finish writing, remove the folder), then loop
 * devices, then the mounts registered with teardown_add_under.  Async-signal-safe; runs at most once at a time. */
void teardown_all(void);

/* Install teardown_all for SIGINT, SIGTERM, SIGHUP, SIGQUIT (then the signal
 * is raised again, so the exit status says how the process died) and at
 * exit.  Front ends call this once before opening a target. */
void teardown_install(void);

#endif
