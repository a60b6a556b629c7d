#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `rescue --disk IMAGE auto` on the test disk images (tests/images/build.sh),
# as the boot image runs it on a PC: infected -> RED with the hives changed,
# the admin password blanked, every planted sample quarantined, the report on
# the image and in reports_dir; clean -> GREEN; report-only and hibernated ->
# the image byte for byte as it was.  Judged from the outside: ntfscat,
# ntfsls, hivexget, chntpw -l, sha256sum, python3's json.
# shellcheck disable=SC2016 # sh -c scripts take their arguments as $1...
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/fixtures/accounts-lib.sh"
t_build shipped	# the real hives and images and the planted samples alone (tests/lib.sh)

if [ "$(id -u)" -ne 0 ]; then skip "auto --disk" "needs root (loop devices, FUSE)"; t_done; exit; fi
export RESCUE_RUNDIR="$T/run"

for v in win10-gpt clean hibernated; do
	sh "$TOP/tests/images/build.sh" "$v" "$T/$v.img" >/dev/null || not_ok "build $v"
done
REP=$T/RESCUE/reports
printf 'reports_dir = %s\nthreads = 2\n' "$REP" >"$T/rescue.conf"

# part IMG N: attach partition N of IMG read-only as $l; detach with unpart.
l=""
part() {
	# shellcheck disable=SC2046 # START SIZE, split on purpose
	set -- $(sfdisk -q -l -o Start,Sectors "$1" | awk -v n="$2" 'NR == n + 1 { print $1 * 512, $2 * 512 }') "$1"
	l=$(losetup -r -f --show -o "$1" --sizelimit "$2" "$3")
}
unpart() { [ -z "$l" ] || losetup -d "$l"; l=""; }
t_on_exit unpart
jq_py() { /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# --- report-only first, on the infected image: nothing may change -------------------
sha256sum "$T/win10-gpt.img" >"$T/img.sum"
printf 'mode = report\nreports_dir = %s\n' "$REP" >"$T/ro.conf"
"$RESCUE" --disk "$T/win10-gpt.img" auto --config "$T/ro.conf" >"$T/out" 2>&1; rc=$?
sed 's/^/#   /' "$T/out" | grep -v DETECTED
expect "report-only: exit 1 (detections, nothing changed)" test "$rc" -eq 1
expect "report-only: the image is byte-identical (sha256sum)" sha256sum -c "$T/img.sum"
expect "report-only: RED printed plainly" grep -q '^rescue: VERDICT RED DESKTOP-M3OSHQU=RED' "$T/out"
rojson=$(find "$REP" -name 'DESKTOP-M3OSHQU-*.json' | head -n 1)
expect "report-only: report in reports_dir says read-only" test "$(jq_py "$rojson" 'd["readonly"] and d["mode"] == "report" and d["detections"] > 0')" = True
mv "$rojson" "$REP/report-only.json"

# --- the infected image: RED, everything done --------------------------------------
"$RESCUE" --disk "$T/win10-gpt.img" auto --config "$T/rescue.conf" >"$T/out" 2>&1; rc=$?
sed 's/^/#   /' "$T/out" | grep -v DETECTED
expect "infected: exit 1 (RED)" test "$rc" -eq 1
expect "infected: RED printed plainly" grep -q '^rescue: VERDICT RED DESKTOP-M3OSHQU=RED' "$T/out"
part "$T/win10-gpt.img" 3
ntfscat "$l" Windows/System32/config/SYSTEM >"$T/SYSTEM"
ntfscat "$l" Windows/System32/config/SOFTWARE >"$T/SOFTWARE"
ntfscat "$l" Windows/System32/config/SAM >"$T/SAM"
expect "hivexget on the image's SYSTEM: Schedule Start = 4" test \
	"$(hivexget "$T/SYSTEM" '\ControlSet001\Services\Schedule' Start)" = 4
expect "hivexget on the image's SOFTWARE: NoAutorun = 1" test \
	"$(hivexget "$T/SOFTWARE" '\Microsoft\Windows\CurrentVersion\Policies\Explorer' NoAutorun)" = 1
expect "chntpw -l on the image's SAM: the administrator is blank" test \
	"$(chntpw_row "$T/SAM" AndrewRathbun)" = "ADMIN *BLANK*"
# every planted sample is gone from its place and sits in the quarantine
missing=0 present=0
while IFS="$(printf '\t')" read -r path _; do
	case $path in
	*:*) f=${path%%:*} s=${path#*:}
		if ntfscat -q "$l" -a 0x80 -n "$s" "$f" >/dev/null 2>&1; then present=$((present + 1)); fi ;;
	*) if ntfscat -q "$l" "$path" >/dev/null 2>&1; then present=$((present + 1)); fi ;;
	esac
	missing=$((missing + 1))
done <"$T/win10-gpt.img.manifest"
expect "ntfscat: none of the $missing planted samples is left in place ($present are)" test "$present" -eq 0
nq=$(ntfsls "$l" -p /Rescue/quarantine | grep -c '\.bin$')
expect "ntfsls: Rescue/quarantine holds $nq .bin files for $missing samples" test "$nq" -ge "$missing"
report=$(ntfsls "$l" -p /Rescue/reports | grep '\.json$' | head -n 1)
ntfscat "$l" "Rescue/reports/$report" >"$T/report.json"
expect "the report on the image is valid JSON, RED, all quarantined" test \
	"$(jq_py "$T/report.json" 'd["verdict"] == "RED" and d["detections"] == d["quarantined"] > 0 and d["password_reset"]')" = True
expect "the report: the scan read the volume directly, not through the mount (rescue's own ntfs-3g holds it read-write)" \
	test "$(jq_py "$T/report.json" 'any("read through the ntfs-3g mount" in n for n in d["notes"])')" = False
expect "the report lists the change journal entries with their seq" test \
	"$(jq_py "$T/report.json" 'len(d["change_list"]) > 10 and all(c["seq"] > 0 for c in d["change_list"])')" = True
unpart
cp "$T/report.json" "$T/report-vol.json"
pjson=$(find "$REP" -name 'DESKTOP-M3OSHQU-*.json' | head -n 1)
expect "the copy in reports_dir is the same report" cmp "$pjson" "$T/report-vol.json"

# --- clean: GREEN -------------------------------------------------------------------
"$RESCUE" --disk "$T/clean.img" auto --config "$T/rescue.conf" >"$T/out" 2>&1; rc=$?
sed 's/^/#   /' "$T/out"
expect "clean: exit 0, GREEN" sh -c '[ "$1" -eq 0 ] && grep -q "^rescue: VERDICT GREEN" "$2"' - "$rc" "$T/out"

# --- hibernated: YELLOW, untouched -----------------------------------------------------
sha256sum "$T/hibernated.img" >"$T/hib.sum"
printf 'reports_dir = %s\nautoruns = off\n' "$REP" >"$T/hib.conf"
"$RESCUE" --disk "$T/hibernated.img" auto --config "$T/hib.conf" >"$T/out" 2>&1; rc=$?
sed 's/^/#   /' "$T/out" | grep -v DETECTED
expect "hibernated: exit 4, YELLOW" sh -c '[ "$1" -eq 4 ] && grep -q "^rescue: VERDICT YELLOW" "$2"' - "$rc" "$T/out"
expect "hibernated: the image is byte-identical (sha256sum)" sha256sum -c "$T/hib.sum"

# --- hibernated = remove: the session is given up, then the full run ------------------
printf 'hibernated = remove\nautoruns = off\n' >"$T/hibrm.conf"
"$RESCUE" --disk "$T/hibernated.img" auto --config "$T/hibrm.conf" >"$T/out" 2>&1; rc=$?
expect "hibernated = remove: exit 1, RED, and it says the session is lost" sh -c \
	'[ "$1" -eq 1 ] && grep -q "detect   changed .*hibernation file was removed" "$2"' - "$rc" "$T/out"
part "$T/hibernated.img" 3
expect "hibernated = remove: ntfsls: hiberfil.sys gone, Rescue/ written" sh -c \
	'! ntfsls "$1" | grep -qix hiberfil.sys && ntfsls "$1" | grep -qx Rescue' - "$l"
unpart

# --- fleet over the RESCUE partition's reports ---------------------------------------
"$RESCUE" fleet "$REP" >"$T/fleet" 2>&1
sed 's/^/#   /' "$T/fleet"
expect "fleet: 4 reports: 1 GREEN, 2 RED, 1 YELLOW" grep -q '^4 report(s): 1 GREEN, 2 RED, 1 YELLOW' "$T/fleet"
expect "fleet: the full run shows the password reset" sh -c 'grep "RED *auto" "$1" | grep -q reset' - "$T/fleet"

expect "nothing left mounted" sh -c '! grep -F "$1" /proc/mounts' - "$T"
expect "no loop device left" sh -c '! losetup -a | grep -F "$1"' - "$T"
t_done
