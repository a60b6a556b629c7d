#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# UEFI (OVMF, no Secure Boot) boots the ISO as a CD through shim and the signed
# GRUB; the report-only entry is picked by its hotkey; /init finds an NVMe
# disk, runs `rescue auto` (on the screen) and relays its verdict to the
# serial console; then ntfs-3g mounts the NTFS volume from the serial shell.
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/lib.sh"
qemu_prereq

echo "uefi-nvme $$" >"$T/marker.txt"
ntfs_disk "$T/win.img" "$T/marker.txt"
qemu_start uefi-nvme uefi "cd:$ISO" "nvme:$T/win.img"

qemu_expect "UEFI: GRUB menu on the serial console" qemu_menu r
qemu_expect "UEFI CD: report-only entry reaches ready" qemu_wait 'rescue: ready at [0-9.]+s \(mode=report' 240
# rescue auto ran in the image (its libraries are there: exit 0-4, not 127)
# and its verdict reached the serial console.
qemu_expect "UEFI CD: rescue auto runs in report mode, verdict relayed to the serial console" qemu_wait 'rescue: rescue auto exited [0-4]: VERDICT (GREEN|RED|YELLOW)' 120
expect "UEFI CD: firmware seen as UEFI" grep -q 'rescue: firmware UEFI' "$QEMU_LOG"
expect "UEFI CD: the NVMe disk and its NTFS partition found" \
	grep -Eq 'rescue: disk nvme0n1 64 MiB: nvme0n1p1:ntfs' "$QEMU_LOG"
qemu_expect "UEFI CD: ntfs-3g mounts the NVMe disk" qemu_ntfs_marker "uefi-nvme $$"
qemu_send 'poweroff -f'
qemu_end 60; rc=$?
expect "UEFI CD: powers off (QEMU exit $rc)" test "$rc" -eq 0
t_done
