#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# UEFI boots the stick, "Unattended report-only (changes nothing)" on an
# infected disk (NVMe): the verdict is RED (detections, reported), the disk
# is byte for byte what it was (sha256sum), and the report is only on the
# stick's RESCUE partition (mtools), saying it is read-only.  The slow parts
# a report cannot use are off (autoruns = off) to keep the boot short.
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/qemu/autolib.sh
. "$(dirname "$0")/autolib.sh"
qemu_prereq
if [ "$(id -u)" -ne 0 ]; then skip "report-only QEMU test" "needs root (test images: loop devices, FUSE)"; t_done; exit; fi

auto_images win10-gpt || not_ok "build the infected image"
sha256sum "$IMAGES/win10-gpt.img" >"$T/disk.sum"
auto_stick "$T/stick.img" autoruns=off
auto_boot report uefi r "$T/stick.img" "nvme:$IMAGES/win10-gpt.img:rw"; rc=$?
if [ "$rc" -eq 0 ]; then ok "UEFI, report-only, infected disk: the run ends and powers off"; else not_ok "UEFI, report-only, infected disk: the run ends and powers off"; qemu_show; fi
echo "# boot to power-off: ${auto_secs:-?} s"
v=$(auto_verdict)
expect "serial console: $v" test "$v" != "${v#rescue: VERDICT RED DESKTOP-M3OSHQU=RED}"
expect "serial console: report-only said so" grep -aq 'report goes to the RESCUE partition only' "$QEMU_LOG"
expect "sha256sum: the disk is byte-identical after the run" sha256sum -c "$T/disk.sum"
copy=$(stick_ls "$T/stick.img" reports | grep -o 'DESKTOP-M3OSHQU-[0-9TZ-]*\.json' | head -n 1)
stick_cat "$T/stick.img" "reports/$copy" >"$T/report.json"
expect "mtools: the report on the RESCUE partition: report mode, read-only, RED, nothing quarantined" test \
	"$(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["mode"] == "report" and d["readonly"] and d["verdict"] == "RED" and d["detections"] > 0 and d["quarantined"] == 0)' \
	"$T/report.json" 2>&1)" = True
t_done
