#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# iso/pxe/build.sh - the folder a technician's laptop serves for a network
# boot (make pxe): BUILD/pxe/, the TFTP root of dnsmasq and the web root of
# nginx (iso/pxe/dnsmasq.conf, iso/pxe/nginx.conf).
#
#   sh iso/pxe/build.sh [BUILD]
#
#   pxelinux.0 ldlinux.c32 menu.c32 libutil.c32 pxelinux.cfg/default   BIOS (Debian's pxelinux)
#   bootx64.efi grubx64.efi mmx64.efi grub/grub.cfg                   UEFI with Secure Boot: Debian's
#                                                                      signed shim and GRUB network image
#   boot/vmlinuz boot/initrd.zst        the kernel and initramfs of the ISO, the same files
#   rescue/conf/default.conf            settings for every machine; rescue/conf/<mac>.conf for one
#                                       (aa-bb-cc-dd-ee-ff.conf), merged as the stick's rescue.conf is
#   rescue/reports/                     where the machines put their reports (WebDAV PUT)
#   rescue/rules/ -> rescue/rules.tar   rule sets and IOC lists for every machine (a signature-base
#                                       checkout, LOKI IOC files): put them in rules/, run make pxe again
#
# Needs BUILD/boot/{vmlinuz,initrd.zst} (make iso builds them) and the
# packages pxelinux, syslinux-common, shim-signed, grub-efi-amd64-signed.
set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
OUT=$BUILD/pxe
die() { echo "pxe: $*" >&2; exit 1; }

PXELINUX=/usr/lib/PXELINUX/pxelinux.0
SYSLINUX_MODS=/usr/lib/syslinux/modules/bios
SHIM=/usr/lib/shim/shimx64.efi.signed
MOKMGR=/usr/lib/shim/mmx64.efi.signed
GRUB_NET=/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed
for f in "$BUILD/boot/vmlinuz" "$BUILD/boot/initrd.zst" "$PXELINUX" "$SYSLINUX_MODS/ldlinux.c32" \
	"$SYSLINUX_MODS/menu.c32" "$SYSLINUX_MODS/libutil.c32" "$SHIM" "$MOKMGR" "$GRUB_NET"; do
	[ -f "$f" ] || die "$f missing (make iso builds the kernel and initramfs; sh tests/deps.sh installs packages)"
done

# The reports already handed in stay: only what this script writes is replaced.
mkdir -p "$OUT/boot" "$OUT/pxelinux.cfg" "$OUT/grub" "$OUT/rescue/conf" "$OUT/rescue/reports" "$OUT/rescue/rules"
cp "$BUILD/boot/vmlinuz" "$BUILD/boot/initrd.zst" "$OUT/boot/"
cp "$PXELINUX" "$SYSLINUX_MODS/ldlinux.c32" "$SYSLINUX_MODS/menu.c32" "$SYSLINUX_MODS/libutil.c32" "$OUT/"
sh "$TOP/iso/menu.sh" pxelinux >"$OUT/pxelinux.cfg/default"
# shim loads grubx64.efi from the folder it came from; Debian's GRUB network
# image reads grub/grub.cfg from the TFTP server it booted from.
cp "$SHIM" "$OUT/bootx64.efi"
cp "$MOKMGR" "$OUT/mmx64.efi"
cp "$GRUB_NET" "$OUT/grubx64.efi"
sh "$TOP/iso/menu.sh" grubnet >"$OUT/grub/grub.cfg"
[ -f "$OUT/rescue/conf/default.conf" ] || cp "$TOP/iso/pxe/default.conf" "$OUT/rescue/conf/default.conf"
# The rule folder as one file: the boot image's busybox fetches single files.
# Links are stored as links, and /init refuses an archive holding any.
tar -C "$OUT/rescue" --sort=name --owner=0 --group=0 --numeric-owner -cf "$OUT/rescue/rules.tar.tmp" rules
mv "$OUT/rescue/rules.tar.tmp" "$OUT/rescue/rules.tar"
# nginx's workers (user nobody) write the uploads: first into .nginx-tmp/,
# then renamed into rescue/reports/ (iso/pxe/nginx.conf)
mkdir -p "$OUT/.nginx-tmp"
chmod 1777 "$OUT/rescue/reports" "$OUT/.nginx-tmp"
echo "pxe: $OUT ready: serve it with dnsmasq (iso/pxe/dnsmasq.conf) and nginx (iso/pxe/nginx.conf)" >&2
