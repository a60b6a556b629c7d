#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The ISO's layout, read from the host without booting it: El Torito for BIOS
# (isolinux) and UEFI, the hybrid MBR with the ESP and the RESCUE partition,
# Debian's signed shim and GRUB in the ESP, both boot menus the same (from
# iso/menu.txt), the RESCUE partition's contents.
# shellcheck disable=SC2016 # sh -c scripts take their arguments as $1...
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/lib.sh"
qemu_prereq

xorriso -indev "$ISO" -report_el_torito plain >"$T/eltorito" 2>/dev/null
expect "El Torito boot image for BIOS" grep -q "El Torito boot img : *1 *BIOS" "$T/eltorito"
expect "El Torito boot image for UEFI" grep -q "El Torito boot img : *2 *UEFI" "$T/eltorito"
expect "isohybrid MBR: boot code of isolinux's isohdpfx.bin" \
	test "$(head -c 432 "$ISO" | cmp -s - /usr/lib/ISOLINUX/isohdpfx.bin -n 432 && echo same)" = same

sfdisk -d "$ISO" >"$T/table" 2>/dev/null
expect "MBR partition 2 is an ESP (type ef)" grep -q "2 : .*type=ef" "$T/table"
expect "MBR partition 3 is FAT16 (type e)" grep -q "3 : .*type=e$" "$T/table"

esp_start=$(sed -n 's/.*2 : start= *\([0-9]*\),.*/\1/p' "$T/table")
esp="$ISO@@$((esp_start * 512))"
mcopy -n -i "$esp" ::/EFI/BOOT/BOOTX64.EFI "$T/bootx64.efi" 2>/dev/null
mcopy -n -i "$esp" ::/EFI/BOOT/grubx64.efi "$T/grubx64.efi" 2>/dev/null
expect "EFI/BOOT/BOOTX64.EFI is Debian's signed shim" cmp -s "$T/bootx64.efi" /usr/lib/shim/shimx64.efi.signed
expect "EFI/BOOT/grubx64.efi is Debian's signed GRUB (gcdx64)" \
	cmp -s "$T/grubx64.efi" /usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed

xorriso -osirrox on -indev "$ISO" -extract /.disk/info "$T/info" -extract /boot/grub/grub.cfg "$T/grub.cfg" \
	-extract /boot/vmlinuz "$T/vmlinuz" -extract /isolinux/isolinux.cfg "$T/isolinux.cfg" \
	-extract /isolinux/isolinux.bin "$T/isolinux.bin" >/dev/null 2>&1
expect "/.disk/info present (signed GRUB finds the medium by it)" test -s "$T/info"
expect "grub.cfg has the four entries" test "$(grep -c '^menuentry' "$T/grub.cfg")" -eq 4
expect "grub.cfg loads all_video for UEFI" grep -q 'insmod all_video' "$T/grub.cfg"
expect "grub.cfg: screen and serial consoles" grep -q 'terminal_output console serial' "$T/grub.cfg"
# (its boot information table, bytes 8-63, is filled in by xorriso)
expect "isolinux.bin is Debian's" cmp -s -i 64 "$T/isolinux.bin" /usr/lib/ISOLINUX/isolinux.bin
expect "isolinux.cfg: the serial console" grep -q '^SERIAL 0 115200' "$T/isolinux.cfg"
# The same entries in both menus: title and kernel options, in order.
sed -n 's/^menuentry "\(.*\)" --hotkey=.*/\1/p; s/^[[:space:]]*linux [^ ]* \(.*\)/\1/p' "$T/grub.cfg" >"$T/grub.menu"
sed -n 's/^[[:space:]]*MENU LABEL //p; s/^[[:space:]]*APPEND initrd=[^ ]* \(.*\)/\1/p' "$T/isolinux.cfg" | tr -d '^' >"$T/isolinux.menu"
expect "isolinux and GRUB menus: the same four entries, same options" sh -c \
	'[ "$(wc -l <"$1")" -eq 8 ] && cmp -s "$1" "$2"' - "$T/grub.menu" "$T/isolinux.menu"
expect "the default entry (first) sets no rescue.mode" sh -c '! sed -n 2p "$1" | grep -q rescue.mode' - "$T/grub.menu"
kdeb=$(for f in "$TOP"/build/cache/linux-image-*.deb; do [ -f "$f" ] && echo "$f"; done | tail -n 1)
if [ -n "$kdeb" ]; then
	dpkg-deb --fsys-tarfile "$kdeb" | tar -xOf - --wildcards './boot/vmlinuz-*' >"$T/vmlinuz.deb"
	expect "the kernel is the signed one from $(basename "$kdeb"), unchanged" cmp -s "$T/vmlinuz" "$T/vmlinuz.deb"
else
	skip "kernel identical to the Debian package" "no package in build/cache"
fi

part="$ISO@@$(rescue_part_offset "$ISO")"
mlabel -s -i "$part" :: >"$T/label" 2>&1
mdir -a -i "$part" ::/ >"$T/rootdir.all" 2>&1
expect "partition 3 is labelled RESCUE" grep -q 'RESCUE' "$T/label"
expect "autorun.inf is a directory" grep -Eiq '^autorun +inf +<DIR>' "$T/rootdir.all"
mdir -b -i "$part" ::/ >"$T/rootdir" 2>&1
expect "rescue.conf, rules/ and reports/ present" \
	test "$(grep -cxE '::/(rescue\.conf|rules/|reports/)' "$T/rootdir")" -eq 3
t_done
