#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The product as a technician uses it: BIOS boots the stick, "Rescue
# (unattended)" on an infected Windows 10 disk (SATA) with the default
# settings.  The verdict is RED on the serial console; from the host
# afterwards: the hives on the disk changed (ntfscat + hivexget), the
# administrator's password blank (chntpw -l on the SAM), every planted sample
# gone and in Rescue/quarantine (ntfscat, ntfsls), the report on the disk and
# its copy on the stick's RESCUE partition (mtools), the same report.
# shellcheck disable=SC2016,SC2154 # sh -c scripts take their arguments as $1...; t_loop is set by tests/lib.sh
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/qemu/autolib.sh
. "$(dirname "$0")/autolib.sh"
. "$TOP/tests/fixtures/accounts-lib.sh"
qemu_prereq
if [ "$(id -u)" -ne 0 ]; then skip "unattended QEMU test" "needs root (test images: loop devices, FUSE)"; t_done; exit; fi

auto_images win10-gpt || not_ok "build the infected image"
cp "$IMAGES/win10-gpt.img" "$T/disk.img"
auto_stick "$T/stick.img"
auto_boot infected bios u "$T/stick.img" "sata:$T/disk.img:rw"; rc=$?
if [ "$rc" -eq 0 ]; then ok "BIOS, unattended, infected disk: the run ends and powers off"; else not_ok "BIOS, unattended, infected disk: the run ends and powers off"; qemu_show; fi
echo "# boot to power-off: ${auto_secs:-?} s"
v=$(auto_verdict)
expect "serial console: $v" test "$v" != "${v#rescue: VERDICT RED DESKTOP-M3OSHQU=RED}"
steps_listed() {
	for s in detect contain passwd scan autoruns report; do
		auto_log_has "^rescue: DESKTOP-M3OSHQU: $s " || return 1
	done
}
expect "serial console: every step of the run is listed" steps_listed

t_attach "$T/disk.img" 3
ntfscat "$t_loop" Windows/System32/config/SYSTEM >"$T/SYSTEM"
ntfscat "$t_loop" Windows/System32/config/SOFTWARE >"$T/SOFTWARE"
ntfscat "$t_loop" Windows/System32/config/SAM >"$T/SAM"
expect "hivexget: SYSTEM on the disk has Schedule Start = 4" test \
	"$(hivexget "$T/SYSTEM" '\ControlSet001\Services\Schedule' Start)" = 4
expect "hivexget: SYSTEM on the disk has AutoShareWks = 0" test \
	"$(hivexget "$T/SYSTEM" '\ControlSet001\Services\LanmanServer\Parameters' AutoShareWks)" = 0
expect "hivexget: SOFTWARE on the disk has NoAutorun = 1" test \
	"$(hivexget "$T/SOFTWARE" '\Microsoft\Windows\CurrentVersion\Policies\Explorer' NoAutorun)" = 1
expect "chntpw -l: the administrator's password on the disk is blank" test \
	"$(chntpw_row "$T/SAM" AndrewRathbun)" = "ADMIN *BLANK*"
left=0 n=0
while IFS="$(printf '\t')" read -r path _; do
	n=$((n + 1)) f=${path%%:*}
	if ntfscat -q "$t_loop" "$f" >/dev/null 2>&1; then [ "$f" != "$path" ] || left=$((left + 1)); fi
done <"$IMAGES/win10-gpt.img.manifest"
expect "ntfscat: none of the $n planted samples is left on the disk ($left are)" test "$left" -eq 0
expect "ntfsls: Rescue/quarantine holds them" test \
	"$(ntfsls "$t_loop" -p /Rescue/quarantine | grep -c '\.bin$')" -ge "$n"
rep=$(ntfsls "$t_loop" -p /Rescue/reports | grep '\.json$' | head -n 1)
ntfscat "$t_loop" "Rescue/reports/$rep" >"$T/disk-report.json"
t_detach
expect "the report on the disk: RED, every detection quarantined, password reset" test "$(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["verdict"] == "RED" and d["detections"] == d["quarantined"] >= int(sys.argv[2]) and d["password_reset"])' \
	"$T/disk-report.json" "$n")" = True
copy=$(stick_ls "$T/stick.img" reports | grep -o 'DESKTOP-M3OSHQU-[0-9TZ-]*\.json' | head -n 1)
stick_cat "$T/stick.img" "reports/$copy" >"$T/stick-report.json"
expect "mtools: the RESCUE partition holds the same report ($copy)" cmp "$T/disk-report.json" "$T/stick-report.json"
txt=$(stick_ls "$T/stick.img" reports | grep -c "${copy%.json}\.txt")
expect "mtools: ... and its text version" test "$txt" -eq 1
t_done
