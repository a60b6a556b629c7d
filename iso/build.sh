#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# iso/build.sh - the hybrid boot image: build/rescue.iso.
#
#   sh iso/build.sh [BUILD]            (BUILD: the build directory, default build)
#
# Needs BUILD/boot/{vmlinuz,initrd.zst} (initramfs/build.sh).  One image that
# boots as a CD and, written with dd, as a USB stick; under BIOS through
# isolinux (El Torito, and isolinux's isohybrid MBR on a stick: it loads the
# kernel faster than BIOS GRUB under emulation) and UEFI (El Torito EFI image
# = partition 2, the ESP), with Secure Boot through Debian's signed shim
# (EFI/BOOT/BOOTX64.EFI) and signed GRUB (EFI/BOOT/grubx64.efi), which finds
# its grub.cfg through /.disk/info.  Both menus come from iso/menu.txt
# (iso/menu.sh).  Partition 3 is the writable FAT
# partition labelled RESCUE: rescue.conf, rules/, reports/ and an autorun.inf
# directory, so Windows cannot put an autorun.inf file there.
# RESCUE_MB sets its size (default 8).
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
HERE=$TOP/iso
STAGE=$BUILD/iso.root
OUT=$BUILD/rescue.iso
RESCUE_MB=${RESCUE_MB:-8}
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

die() { echo "iso: $*" >&2; exit 1; }

SHIM=/usr/lib/shim/shimx64.efi.signed
MOKMGR=/usr/lib/shim/mmx64.efi.signed
GRUB_EFI=/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed
ISOLINUX=/usr/lib/ISOLINUX/isolinux.bin
ISOHYBRID_MBR=/usr/lib/ISOLINUX/isohdpfx.bin
SYSLINUX_MODS=/usr/lib/syslinux/modules/bios
for f in "$BUILD/boot/vmlinuz" "$BUILD/boot/initrd.zst" "$SHIM" "$MOKMGR" "$GRUB_EFI" "$ISOLINUX" \
	"$ISOHYBRID_MBR" "$SYSLINUX_MODS/ldlinux.c32" "$SYSLINUX_MODS/menu.c32" "$SYSLINUX_MODS/libutil.c32"; do
	[ -f "$f" ] || die "$f missing (make iso builds the initramfs; sh tests/deps.sh installs packages)"
done
for t in xorriso mkfs.vfat mmd mcopy mattrib; do
	command -v "$t" >/dev/null || die "$t not found (sh tests/deps.sh installs what is missing)"
done

rm -rf "$STAGE"
mkdir -p "$STAGE/boot/grub" "$STAGE/isolinux" "$STAGE/.disk"
cp "$BUILD/boot/vmlinuz" "$BUILD/boot/initrd.zst" "$STAGE/boot/"
sh "$HERE/menu.sh" grub >"$STAGE/boot/grub/grub.cfg"
sh "$HERE/menu.sh" isolinux >"$STAGE/isolinux/isolinux.cfg"
# isolinux and the menu module with its library (menu.c32 draws on the
# screen and on the serial port).
cp "$ISOLINUX" "$SYSLINUX_MODS/ldlinux.c32" "$SYSLINUX_MODS/menu.c32" "$SYSLINUX_MODS/libutil.c32" "$STAGE/isolinux/"
# Debian's signed GRUB looks for the medium holding /.disk/info, then loads
# /boot/grub/grub.cfg from it.
printf 'rescue boot image (kernel %s)\n' "$(cat "$BUILD/boot/kernel-version")" >"$STAGE/.disk/info"

# The ESP (FAT): shim, its MOK manager, the signed GRUB.
esp=$BUILD/efi.img
rm -f "$esp"
kib=$(( ( $(wc -c <"$SHIM") + $(wc -c <"$MOKMGR") + $(wc -c <"$GRUB_EFI") ) / 1024 + 512 ))
mkfs.vfat -C -n RESCUE_EFI "$esp" "$kib" >/dev/null
mmd -i "$esp" ::/EFI ::/EFI/BOOT
mcopy -i "$esp" "$SHIM" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$esp" "$MOKMGR" ::/EFI/BOOT/mmx64.efi
mcopy -i "$esp" "$GRUB_EFI" ::/EFI/BOOT/grubx64.efi

# The RESCUE partition.
part=$BUILD/rescue-part.img
rm -f "$part"
mkfs.vfat -C -F 16 -s 2 -n RESCUE "$part" $((RESCUE_MB * 1024)) >/dev/null
mmd -i "$part" ::/autorun.inf ::/rules ::/reports
# An autorun.inf directory: Windows (and a worm) cannot create the file of
# that name; read-only, hidden and system so it is not deleted by accident.
mattrib -i "$part" +r +h +s ::/autorun.inf
sed 's/$/\r/' "$HERE/rescue.conf" | mcopy -i "$part" - ::/rescue.conf
sed 's/$/\r/' "$HERE/rules-readme.txt" | mcopy -i "$part" - ::/rules/README.txt

rm -f "$OUT.tmp"
# xorriso prints its banner even with -quiet: show its output only on failure.
xorriso -as mkisofs -quiet -o "$OUT.tmp" \
	-iso-level 3 -r -V RESCUE_BOOT \
	-isohybrid-mbr "$ISOHYBRID_MBR" \
	-b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table \
	-append_partition 2 0xef "$esp" \
	-append_partition 3 0x0e "$part" \
	-eltorito-alt-boot -e --interval:appended_partition_2:all:: -no-emul-boot \
	"$STAGE" >"$BUILD/xorriso.log" 2>&1 || { cat "$BUILD/xorriso.log" >&2; die "xorriso failed"; }
mv "$OUT.tmp" "$OUT"
echo "iso: $OUT $(( $(wc -c <"$OUT") / 1024 )) KiB" >&2
