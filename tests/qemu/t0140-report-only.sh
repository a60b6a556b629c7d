#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The report-only entry on an infected Windows 7 disk (tests/images), booted
# from a USB stick whose rescue.conf says console = ttyS0, after = poweroff:
# /init runs `rescue auto` in report mode on the serial console; it finds the
# Windows installation on the disk, writes its report to the stick's RESCUE
# partition and not a byte to the Windows disk; then the machine powers off
# by itself.  (Whether the verdict is RED is the unattended tests' business:
# this one checks the boot image carries the run through.)
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/lib.sh"
qemu_prereq
if [ "$(id -u)" -ne 0 ]; then skip "report-only boot" "tests/images/build.sh needs root"; t_done; exit; fi

sh "$TOP/tests/images/build.sh" win7-mbr "$T/win.img" >"$T/build.log" 2>&1 ||
	{ not_ok "win7-mbr test image"; sed 's/^/#   /' "$T/build.log" | tail -n 5; t_done; exit; }
before=$(sha256sum <"$T/win.img")
printf 'console = ttyS0\r\nafter = poweroff\r\n' >"$T/rescue.conf"
qemu_stick "$T/stick.img" "$T/rescue.conf"
qemu_start report bios "usb:$T/stick.img" "sata:$T/win.img:rw"

qemu_expect "report-only: GRUB menu, hotkey r" qemu_menu r
qemu_expect "report-only: ready in report mode on ttyS0" \
	qemu_wait 'rescue: ready at [0-9.]+s \(mode=report, console=ttyS0, after=poweroff\)' 300
qemu_expect "report-only: rescue auto says it changes nothing" qemu_wait 'rescue: unattended run, mode report' 60
qemu_expect "report-only: rescue auto finds the Windows 7 installation and gives a verdict" \
	qemu_wait 'rescue: VERDICT [A-Z]+ WKS-WIN732BITA=' 600
qemu_end 120; rc=$?
expect "report-only: powers off by itself (QEMU exit $rc)" test "$rc" -eq 0
verdict=$(tr -d '\r' <"$QEMU_LOG" | sed -n 's/^rescue: VERDICT \([A-Z]*\) .*/\1/p' | head -n 1)
expect "report-only: /init relays the same verdict ($verdict) to the other consoles" \
	grep -Eq "rescue auto exited [0-9]+: VERDICT $verdict" "$QEMU_LOG"
expect "report-only: the Windows disk is byte for byte as it was" test "$(sha256sum <"$T/win.img")" = "$before"
mdir -b -i "$T/stick.img@@$(rescue_part_offset "$T/stick.img")" ::/reports >"$T/reports" 2>&1
expect "report-only: the report (.json and .txt) is on the RESCUE partition" \
	test "$(grep -cE '\.(json|txt)$' "$T/reports")" -ge 2
t_done
