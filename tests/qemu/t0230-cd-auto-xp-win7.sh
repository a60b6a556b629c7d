#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A CD (no RESCUE partition: a CD drive shows no partitions) in a PC with two
# Windows disks, XP (SATA) and Windows 7 (virtio).  BIOS boots it; in the boot
# menu (isolinux) the default entry is edited (Tab) and rescue.mode=auto
# rescue.console=ttyS0 rescue.after=poweroff appended, as a technician with no
# stick to hold a rescue.conf would.  The unattended run takes both
# installations: RED for each, and the console says plainly that, with no
# RESCUE partition, each report is on its Windows disk only.  From the host
# afterwards, on each disk: the hives changed (ntfscat + hivexget), the
# built-in Administrator blank (chntpw -l; XP's was disabled, Windows 7's had a
# password), the report there (ntfsls, ntfscat) and RED.
# shellcheck disable=SC2016,SC2154 # sh -c scripts take their arguments as $1...; t_loop is set by tests/lib.sh
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/qemu/autolib.sh
. "$(dirname "$0")/autolib.sh"
. "$TOP/tests/fixtures/accounts-lib.sh"
qemu_prereq
if [ "$(id -u)" -ne 0 ]; then skip "CD unattended QEMU test" "needs root (test images: loop devices, FUSE)"; t_done; exit; fi

auto_images xp-mbr win7-mbr || not_ok "build the XP and Windows 7 images"

# icat DIR NAME: ntfscat the file of DIR named NAME in any case (XP spells
# the hives system and software).
icat() { ntfscat "$t_loop" "$1/$(ntfsls "$t_loop" -p "/$1" | grep -ix "$2")"; }

# Before the run, neither built-in Administrator is usable: XP's is disabled,
# Windows 7's has a password.
t_attach "$IMAGES/xp-mbr.img" 1; icat WINDOWS/system32/config SAM >"$T/XP.SAM.before"
t_attach "$IMAGES/win7-mbr.img" 2; icat Windows/System32/config SAM >"$T/Win7.SAM.before"
t_detach
expect "before: chntpw -l: XP's Administrator is disabled" test "$(chntpw_row "$T/XP.SAM.before" Administrator)" = "ADMIN dis/lock"
expect "before: chntpw -l: Windows 7's Administrator has a password" test "$(chntpw_row "$T/Win7.SAM.before" Administrator)" = "ADMIN -"

start=$(date +%s)
qemu_start cd-auto bios "cd:$ISO" "sata:$IMAGES/xp-mbr.img:rw" "virtio:$IMAGES/win7-mbr.img:rw"
qemu_expect "BIOS CD: the default entry edited in the boot menu (isolinux), options appended" \
	qemu_menu_edit 'rescue.mode=auto rescue.console=ttyS0 rescue.after=poweroff'
if ! qemu_wait 'rescue: ready at [0-9.]+s \(mode=auto, console=ttyS0, after=poweroff\)' 240; then
	not_ok "BIOS CD: the kernel command line's rescue.* options take effect"; qemu_show
	qemu_end 1; t_done; exit
fi
ok "BIOS CD: the kernel command line's rescue.* options take effect"
qemu_expect "BIOS CD: the unattended run ends with a verdict" qemu_wait 'rescue: VERDICT (GREEN|RED|YELLOW)' 420
qemu_end 120; rc=$?
expect "BIOS CD: powers off after the run (QEMU exit $rc)" test "$rc" -eq 0
echo "# boot to power-off: $(($(date +%s) - start)) s"

expect "console: no RESCUE partition on a CD, reports on the Windows disk only" \
	auto_log_has '^rescue: no RESCUE partition \(a CD or a network boot\): reports stay on the Windows disk'
expect "console: XP (SATA) is RED" auto_log_has '^rescue: verdict sda1 \(M57-PAT\): RED .*password reset yes'
expect "console: Windows 7 (virtio) is RED" auto_log_has '^rescue: verdict vda2 \(WKS-WIN732BITA\): RED .*password reset yes'
reports_without_copy() { [ "$(auto_log | grep -ac '^rescue: .*: report *ok .*no RESCUE partition.*no copy')" -eq 2 ]; }
expect "console: each report step says it is on the Windows disk, no copy" reports_without_copy
v=$(auto_verdict)
expect "console: $v" test "$v" != "${v#rescue: VERDICT RED M57-PAT=RED WKS-WIN732BITA=RED}"

# check_disk IMG PART CONFIG-DIR LABEL MACHINE: what the run left on one disk.
check_disk() {
	t_attach "$1" "$2"
	icat "$3" SYSTEM >"$T/$4.SYSTEM"
	icat "$3" SOFTWARE >"$T/$4.SOFTWARE"
	icat "$3" SAM >"$T/$4.SAM"
	rep=$(ntfsls "$t_loop" -p /Rescue/reports | grep '\.json$' | head -n 1)
	ntfscat "$t_loop" "Rescue/reports/$rep" >"$T/$4.json"
	t_detach
	expect "$4: hivexget: SYSTEM has Schedule Start = 4" test \
		"$(hivexget "$T/$4.SYSTEM" '\ControlSet001\Services\Schedule' Start)" = 4
	expect "$4: hivexget: SOFTWARE has NoAutorun = 1" test \
		"$(hivexget "$T/$4.SOFTWARE" '\Microsoft\Windows\CurrentVersion\Policies\Explorer' NoAutorun)" = 1
	expect "$4: chntpw -l: the built-in Administrator is an enabled admin with a blank password" test \
		"$(chntpw_row "$T/$4.SAM" Administrator)" = "ADMIN *BLANK*"
	expect "$4: ntfscat: the report on the Windows disk says RED, all quarantined, password reset" test \
		"$(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["machine"] == sys.argv[2] and d["verdict"] == "RED" and d["detections"] == d["quarantined"] > 0 and d["password_reset"])' \
		"$T/$4.json" "$5" 2>&1)" = True
}
check_disk "$IMAGES/xp-mbr.img" 1 WINDOWS/system32/config XP M57-PAT
check_disk "$IMAGES/win7-mbr.img" 2 Windows/System32/config Win7 WKS-WIN732BITA
t_done
