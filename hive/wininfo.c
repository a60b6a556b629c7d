/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hive/wininfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hive/hive.h"

#define CURRENT_VERSION "Microsoft\\Windows NT\\CurrentVersion"

static void copy_string(struct hive *h, const char *key, const char *name, char *out, size_t len)
{
	char *s = hive_get_string(h, key, name);
	if (s) {
		snprintf(out, len, "%s", s);
		free(s);
	}
}

int win_info_read(struct rs_ctx *ctx, struct win_info *info, struct rs_error *err)
{
	memset(info, 0, sizeof(*info));
	struct hive *sys;
	int rc = hive_open(ctx, HIVE_SYSTEM, 0, &sys, err);
	if (rc)
		return rc;
	uint32_t cur = 0;
	if (hive_get_dword(sys, "Select", "Current", &cur) == 0)
		info->control_set = cur;
	copy_string(sys, "CCS\\Control\\ComputerName\\ComputerName", "ComputerName",
		    info->computer, sizeof(info->computer));
	hive_close(sys);

	struct hive *sw;
	struct rs_error sub;
	if (hive_open(ctx, HIVE_SOFTWARE, 0, &sw, &sub) != RS_OK)
		return RS_OK;
	info->have_software = true;
	copy_string(sw, CURRENT_VERSION, "ProductName", info->product, sizeof(info->product));
	copy_string(sw, CURRENT_VERSION, "CurrentVersion", info->version, sizeof(info->version));
	copy_string(sw, CURRENT_VERSION, "CurrentBuildNumber", info->build, sizeof(info->build));
	if (!info->build[0])
		copy_string(sw, CURRENT_VERSION, "CurrentBuild", info->build, sizeof(info->build));
	copy_string(sw, CURRENT_VERSION, "DisplayVersion", info->display, sizeof(info->display));
	if (!info->display[0])
		copy_string(sw, CURRENT_VERSION, "CSDVersion", info->display, sizeof(info->display));
	info->is_64bit = hive_lookup(sw, "Wow6432Node") != 0;
	hive_close(sw);

	info->xp_family = info->version[0] == '5';
	/* Windows 8 is NT 6.2; 10 and 11 still say 6.3 in CurrentVersion. */
	int major = 0, minor = 0;
	sscanf(info->version, "%d.%d", &major, &minor);
	info->win8_or_later = major > 6 || (major == 6 && minor >= 2) || atoi(info->build) >= 9200;
	return RS_OK;
}
