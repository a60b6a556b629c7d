#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# BIOS boots the image written to a USB stick (xHCI, usb-storage); the
# default entry is picked by its hotkey on the serial console, and the stick's
# rescue.conf (mode = shell) decides what it runs.  /init waits for the
# late USB disk, mounts the RESCUE partition, reads its rescue.conf (CRLF, as
# Notepad writes it: mode = shell, console = ttyS0, after = poweroff) and merges it into
# /run/rescue/rescue.conf; the shell runs on the serial port, a file written
# to the RESCUE partition is there afterwards, and leaving the shell powers off.
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/lib.sh"
qemu_prereq

echo "bios-usb $$" >"$T/marker.txt"
ntfs_disk "$T/win.img" "$T/marker.txt"
printf '# test\r\nmode = shell\r\nconsole = ttyS0\r\nafter = poweroff\r\n' >"$T/rescue.conf"
qemu_stick "$T/stick.img" "$T/rescue.conf"
qemu_start bios-usb bios "usb:$T/stick.img" "virtio:$T/win.img"

qemu_expect "BIOS USB: the boot menu (isolinux) on the serial console" qemu_menu i
qemu_expect "BIOS USB: the default entry (hotkey i) runs the stick's mode = shell" qemu_wait 'rescue: ready at [0-9.]+s \(mode=shell, console=ttyS0, after=poweroff\)' 240
expect "BIOS USB: RESCUE partition found with its rescue.conf" \
	grep -Eq 'rescue: RESCUE partition /dev/sd[a-z]3, rescue.conf' "$QEMU_LOG"
expect "BIOS USB: the virtio disk and its NTFS partition found" grep -Eq 'rescue: disk vda 64 MiB: vda1:ntfs' "$QEMU_LOG"
qemu_expect "BIOS USB: ntfs-3g mounts the virtio disk" qemu_ntfs_marker "bios-usb $$"
expect "BIOS USB: merged rescue.conf names the RESCUE partition and after = poweroff" \
	qemu_cmd 'grep -q "^rescue_partition = /run/rescue/part" /run/rescue/rescue.conf && grep -q "^after = poweroff" /run/rescue/rescue.conf'
expect "BIOS USB: the RESCUE partition is mounted noexec" \
	qemu_cmd 'grep " /run/rescue/part vfat " /proc/mounts | grep -q noexec'
qemu_cmd 'echo "from the guest" >/run/rescue/part/reports/boot-test.txt' >/dev/null
qemu_send 'exit'
qemu_end 60; rc=$?
expect "BIOS USB: leaving the shell powers off (rescue.after=poweroff; QEMU exit $rc)" test "$rc" -eq 0
expect "BIOS USB: /init said it powers off" grep -q 'rescue: powering off' "$QEMU_LOG"
off=$(rescue_part_offset "$T/stick.img")
mtype -i "$T/stick.img@@$off" ::/reports/boot-test.txt >"$T/boot-test.txt" 2>&1
expect "BIOS USB: the file written to the RESCUE partition is on the stick" grep -q "from the guest" "$T/boot-test.txt"
t_done
