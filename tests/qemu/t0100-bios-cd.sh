#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# BIOS (SeaBIOS) boots the ISO as a CD through the default menu entry
# (interactive); /init loads the drivers, finds the SATA disk and its NTFS
# volume, says there is no RESCUE partition on a CD, and reaches "ready".
# `rescue ui` runs on the screen (tty1); the serial console has a shell,
# through which ntfs-3g mounts the disk; `poweroff -f` ends the run.
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/lib.sh"
qemu_prereq

echo "bios-cd $$" >"$T/marker.txt"
ntfs_disk "$T/win.img" "$T/marker.txt"
qemu_start bios-cd bios "cd:$ISO" "sata:$T/win.img"

qemu_expect "BIOS CD: default entry reaches ready in interactive mode" qemu_wait 'rescue: ready at [0-9.]+s \(mode=ui, console=tty1' 240
expect "BIOS CD: firmware seen as BIOS" grep -q 'rescue: firmware BIOS' "$QEMU_LOG"
expect "BIOS CD: the SATA disk and its NTFS partition found" grep -Eq 'rescue: disk sd[a-z] 64 MiB: sd[a-z]1:ntfs' "$QEMU_LOG"
expect "BIOS CD: no RESCUE partition on a CD" grep -q 'rescue: no RESCUE partition' "$QEMU_LOG"
qemu_expect "BIOS CD: rescue ui is running on the screen (tty1)" \
	qemu_cmd 'sleep 2; ps | grep -v grep | grep -q "rescue ui"'
qemu_expect "BIOS CD: ntfs-3g mounts the NTFS disk (fuse module, libraries)" qemu_ntfs_marker "bios-cd $$"
qemu_send 'poweroff -f'
qemu_end 60; rc=$?
expect "BIOS CD: powers off (QEMU exit $rc)" test "$rc" -eq 0
t_done
