#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo`: the product end to end.  A PC (QEMU, TCG, BIOS) with an
# infected Windows 10 disk boots the rescue stick (build/rescue.iso written to
# a USB stick image), "Rescue (unattended)" is chosen in the boot menu, the
# serial console streams here, and at the end the verdict and the report are
# printed, read from the stick's RESCUE partition as a technician would.
# Everything is kept in build/demo/ (stick.img, disk.img, console.log).
# Needs root (the test disk is built through loop devices and ntfs-3g).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/qemu/lib.sh
. "$TOP/tests/qemu/lib.sh"
# shellcheck source=tests/qemu/autolib.sh
. "$TOP/tests/qemu/autolib.sh"

demo=$TOP/build/demo
[ -f "$ISO" ] || { echo "demo: $ISO missing (make iso)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (the test disk needs loop devices and ntfs-3g)" >&2; exit 1; }
mkdir -p "$demo"
echo "demo: building an infected Windows 10 disk (tests/images/build.sh win10-gpt, shared by the tests)"
t_image win10-gpt "$demo/disk.img"
echo "demo: planted: $(wc -l <"$demo/disk.img.manifest") samples (list in $demo/disk.img.manifest)"
auto_stick "$demo/stick.img"
echo "demo: booting the rescue stick (QEMU, TCG: a few minutes); the serial console follows"
echo "---------------------------------------------------------------------------------------"
export QEMU_TIMEOUT=900
qemu_start demo bios "usb:$demo/stick.img" "sata:$demo/disk.img:rw"
tail -f "$QEMU_LOG" &
tailpid=$!
qemu_menu u || echo "demo: no boot menu seen" >&2
qemu_wait 'rescue: VERDICT (GREEN|RED|YELLOW)' 800 || echo "demo: no verdict seen" >&2
qemu_end 120
sleep 1
kill "$tailpid" 2>/dev/null
cp "$QEMU_LOG" "$demo/console.log"
printf '\033[0m\n'
echo "---------------------------------------------------------------------------------------"
echo "demo: $(auto_verdict)"
rep=$(stick_ls "$demo/stick.img" reports | grep -o '[A-Za-z0-9_-]*-[0-9TZ-]*\.txt' | tail -n 1)
if [ -n "$rep" ]; then
	echo "demo: the report, as the stick's RESCUE partition holds it (reports/$rep):"
	echo
	stick_cat "$demo/stick.img" "reports/$rep"
	echo
	echo "demo: every report on the stick (rescue fleet):"
	mkdir -p "$demo/reports"
	mcopy -o -n -i "$demo/stick.img@@$(rescue_part_offset "$demo/stick.img")" '::/reports/*' "$demo/reports/" 2>/dev/null
	"$TOP/build/rescue" fleet "$demo/reports"
else
	echo "demo: no report on the stick; see $demo/console.log" >&2
	exit 1
fi
echo "demo: kept in $demo: stick.img (the USB stick), disk.img (the PC's disk after the run), console.log"
