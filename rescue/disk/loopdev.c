/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/disk/loopdev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "rescue/disk/teardown.h"

/* Configure DEVFD on BACKFD: LOOP_CONFIGURE (Linux 5.8+) sets everything
 * at once; older kernels get LOOP_SET_FD + LOOP_SET_STATUS64. */
static int configure(int devfd, int backfd, const struct loop_info64 *info)
{
	struct loop_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (unsigned)backfd;
	cfg.info = *info;
	if (ioctl(devfd, LOOP_CONFIGURE, &cfg) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return -1;
	if (ioctl(devfd, LOOP_SET_FD, backfd) != 0)
		return -1;
	if (ioctl(devfd, LOOP_SET_STATUS64, info) != 0) {
		int e = errno;
		ioctl(devfd, LOOP_CLR_FD, 0);
		errno = e;
		return -1;
	}
	return 0;
}

int loop_attach(const char *path, uint64_t offset, uint64_t size, bool ro, struct loopdev *out,
		struct rs_error *err)
{
	int backfd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (backfd < 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", path);
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		int e = errno;
		close(backfd);
		return rs_fail_errno(err, RS_ETARGET, e, "cannot attach %s: /dev/loop-control", path);
	}

	struct loop_info64 info;
	memset(&info, 0, sizeof(info));
	info.lo_offset = offset;
	info.lo_sizelimit = size;
	info.lo_flags = LO_FLAGS_AUTOCLEAR | (ro ? LO_FLAGS_READ_ONLY : 0);
	snprintf((char *)info.lo_file_name, sizeof(info.lo_file_name), "%s", path);

	int rc = RS_ETARGET, e = 0;
	/* Another process may take the free device between the two calls:
	 * then ask again. */
	for (int tries = 0; tries < 16; tries++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0) {
			e = errno;
			break;
		}
		char dev[32];
		snprintf(dev, sizeof(dev), "/dev/loop%d", n);
		int devfd = open(dev, O_RDWR | O_CLOEXEC);
		if (devfd < 0) {
			e = errno;
			if (e == ENOENT) {      /* udev-less /dev: the node appears late */
				usleep(20000);
				continue;
			}
			break;
		}
		/* Register before configuring: a signal in between still
		 * closes the fd, and autoclear detaches the device. */
		int slot = teardown_add_loop(devfd);
		if (configure(devfd, backfd, &info) == 0) {
			/* Direct I/O on the backing file, where it allows it (else
			 * buffered, as before): no second copy of what is read in
			 * the host's page cache, and the reads go on in parallel
			 * rather than one at a time through the device's worker.
			 * Measured on the 300,000-file image: a cold scan in 25-32 s
			 * instead of 55-70 s, at a rate that no longer swings
			 * threefold with what the host's cache holds. */
			(void)ioctl(devfd, LOOP_SET_DIRECT_IO, 1UL);
			out->fd = devfd;
			out->slot = slot;
			snprintf(out->dev, sizeof(out->dev), "%s", dev);
			rc = RS_OK;
			break;
		}
		e = errno;
		teardown_remove(slot);
		close(devfd);
		if (e != EBUSY)
			break;
	}
	close(ctl);
	close(backfd);      /* the loop device holds its own reference */
	if (rc != RS_OK)
		return rs_fail_errno(err, RS_ETARGET, e ? e : EBUSY, "cannot attach %s as a loop device", path);
	return RS_OK;
}

void loop_detach(struct loopdev *ld)
{
	if (!ld || ld->fd < 0)
		return;
	teardown_remove(ld->slot);
	close(ld->fd);
	ld->fd = -1;
	ld->slot = -1;
	ld->dev[0] = '\0';
}
