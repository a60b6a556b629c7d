#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# iso/menu.sh - the boot menus of the image, from the one table iso/menu.txt:
#
#   sh iso/menu.sh grub     >grub.cfg        GRUB (UEFI, and Secure Boot behind shim)
#   sh iso/menu.sh isolinux >isolinux.cfg    isolinux (BIOS: El Torito CD and the hybrid MBR)
#   sh iso/menu.sh grubnet  >grub.cfg        GRUB's network image (make pxe: UEFI PXE)
#   sh iso/menu.sh pxelinux >default         pxelinux (make pxe: BIOS PXE)
#
# The network menus tell /init where the technician's laptop is: GRUB as
# rescue.server= (the server it booted from) and rescue.mac= (the card),
# pxelinux through IPAPPEND 3 (ip=... with the boot server, and BOOTIF=).
#
# Both show the menu on the screen and on the first serial port (115200
# baud), wait MENU_TIMEOUT seconds (default 5) and boot the first entry; each
# entry has its hotkey.  Any rescue.conf key can be given as rescue.KEY=VALUE
# by editing an entry (GRUB: `e`; isolinux: Tab).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
TABLE=${MENU_TABLE:-$HERE/menu.txt}
TIMEOUT=${MENU_TIMEOUT:-5}
KERNEL=/boot/vmlinuz
INITRD=/boot/initrd.zst
COMMON="console=tty0 console=ttyS0,115200 quiet"

case ${1:-} in grub|isolinux|grubnet|pxelinux) ;; *) echo "usage: menu.sh grub|isolinux|grubnet|pxelinux" >&2; exit 2 ;; esac

awk -F'|' -v loader="$1" -v timeout="$TIMEOUT" -v kernel="$KERNEL" -v initrd="$INITRD" -v common="$COMMON" '
function fail(msg) { printf "menu.sh: %s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"; bad = 1; exit 1 }
/^[ \t]*(#|$)/ { next }
{
	if (NF != 2) fail("want TITLE|OPTIONS")
	title = $1; opts = $2
	hk = index(title, "^")
	if (!hk || substr(title, hk + 1, 1) !~ /[A-Za-z]/) fail("no ^ before a hotkey letter in the title")
	if (title ~ /["$\\]/) fail("no \", $ or \\ in a title")
	n++
	ttl[n] = title; opt[n] = opts
	key[n] = tolower(substr(title, hk + 1, 1))
	plain[n] = substr(title, 1, hk - 1) substr(title, hk + 1)
}
END {
	if (bad) exit 1
	if (!n) { print "menu.sh: no entries" > "/dev/stderr"; exit 1 }
	print "# SPDX-License-Identifier: GPL-2.0-or-later"
	print "# Written by iso/menu.sh from iso/menu.txt: edit the table, not this file."
	net = ""
	if (loader == "grubnet") net = " rescue.server=http://${net_default_server}/rescue rescue.mac=${net_default_mac}"
	if (loader ~ /^grub/) {
		print "set default=0"
		print "set timeout=" timeout
		print "serial --unit=0 --speed=115200"
		print "terminal_input console serial"
		print "terminal_output console serial"
		print "# Without a video driver UEFI GRUB hands the kernel no frame buffer and the"
		print "# screen stays blank."
		print "if [ \"$grub_platform\" = \"efi\" ]; then"
		print "\tinsmod all_video"
		print "fi"
		for (i = 1; i <= n; i++) {
			print ""
			print "menuentry \"" plain[i] "\" --hotkey=" key[i] " {"
			print "\tlinux " kernel " " common net (opt[i] != "" ? " " opt[i] : "")
			print "\tinitrd " initrd
			print "}"
		}
	} else {
		# SERIAL: the menu on the serial port too; menu.c32 draws on both.
		print "SERIAL 0 115200"
		print "UI menu.c32"
		print "PROMPT 0"
		print "TIMEOUT " timeout * 10
		print "MENU TITLE rescue"
		# A hotkey boots its entry at once, as in GRUB; the margin leaves
		# room for the longest title.
		print "MENU IMMEDIATE"
		print "MENU MARGIN 4"
		for (i = 1; i <= n; i++) {
			print ""
			print "LABEL e" i
			print "\tMENU LABEL " ttl[i]
			if (i == 1) print "\tMENU DEFAULT"
			print "\tLINUX " kernel
			print "\tAPPEND initrd=" initrd " " common (opt[i] != "" ? " " opt[i] : "")
			if (loader == "pxelinux") print "\tIPAPPEND 3"
		}
	}
}' "$TABLE"
