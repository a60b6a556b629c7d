#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# UEFI Secure Boot (OVMF secboot firmware with Microsoft's keys enrolled)
# boots the image written to a USB stick: shim (signed by Microsoft) -> GRUB
# and the kernel (signed by Debian).  The kernel must report Secure Boot
# enabled and lock itself down; the signed modules (fuse among them) still
# load, so ntfs-3g mounts the SATA disk.
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/lib.sh"
qemu_prereq

echo "secureboot $$" >"$T/marker.txt"
ntfs_disk "$T/win.img" "$T/marker.txt"
qemu_stick "$T/stick.img"
qemu_start secboot secboot "usb:$T/stick.img" "sata:$T/win.img"

qemu_expect "Secure Boot: GRUB menu on the serial console" qemu_menu s
qemu_expect "Secure Boot USB: Shell entry reaches ready" qemu_wait 'rescue: ready at [0-9.]+s \(mode=shell' 300
expect "Secure Boot: the kernel reports Secure Boot enabled" \
	grep -q 'rescue: firmware UEFI; kernel: secureboot: Secure boot enabled' "$QEMU_LOG"
expect "Secure Boot: the kernel is locked down (integrity)" grep -q 'rescue: lockdown: none \[integrity\]' "$QEMU_LOG"
qemu_expect "Secure Boot: signed fuse module loads, ntfs-3g mounts the disk" qemu_ntfs_marker "secureboot $$"
expect "Secure Boot: the kernel's own log says so" qemu_cmd 'dmesg | grep -q "secureboot: Secure boot enabled"'
qemu_send 'poweroff -f'
qemu_end 60; rc=$?
expect "Secure Boot: powers off (QEMU exit $rc)" test "$rc" -eq 0
t_done
