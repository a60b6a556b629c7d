#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# UEFI (OVMF, no Secure Boot) boots the ISO as a CD through shim and the signed
# GRUB; the Shell entry is picked by its hotkey; /init finds an NVMe disk and
# ntfs-3g mounts its NTFS volume.
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/lib.sh"
qemu_prereq

echo "uefi-nvme $$" >"$T/marker.txt"
ntfs_disk "$T/win.img" "$T/marker.txt"
qemu_start uefi-nvme uefi "cd:$ISO" "nvme:$T/win.img"

qemu_menu s || { not_ok "UEFI: GRUB menu on the serial console"; qemu_show; }
if qemu_wait 'rescue: ready at [0-9.]+s \(mode=shell' 240; then
	ok "UEFI CD: Shell entry reaches ready"
else
	not_ok "UEFI CD: ready"; qemu_show
fi
expect "UEFI CD: firmware seen as UEFI" grep -q 'rescue: firmware UEFI' "$qemu_log"
expect "UEFI CD: the NVMe disk and its NTFS partition found" \
	grep -Eq 'rescue: disk nvme0n1 64 MiB: nvme0n1p1:ntfs' "$qemu_log"
if qemu_wait 'rescue:/# ' 60 && qemu_ntfs_marker "uefi-nvme $$"; then
	ok "UEFI CD: ntfs-3g mounts the NVMe disk"
else
	not_ok "UEFI CD: NTFS mount"; qemu_show
fi
qemu_send 'poweroff -f'
qemu_end 60; rc=$?
expect "UEFI CD: powers off (QEMU exit $rc)" test "$rc" -eq 0
t_done
