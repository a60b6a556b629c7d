#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# t0560 on an NTFS test disk through --disk (issue 19, finding 3): a SYSTEM
# hive holding a built-in rule's strings is reported, not quarantined, by
# scan --quarantine and auto (the hive on the image byte-identical: ntfscat,
# sha256sum; readable: hivexget); with SYSTEM deleted from the image, detect
# names the volume, `quarantine list`, `quarantine restore` and `undo all`
# work, and `status` is refused with a clear line.  Judges: ntfscat, ntfsls,
# hivexget, sha256sum, cmp.
# shellcheck source=tests/lib.sh
# shellcheck disable=SC2016,SC2154 # sh -c scripts take their arguments as $1...; t_loop is set by tests/lib.sh
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/fuse ] || ! command -v ntfs-3g >/dev/null; then
	skip "--disk hives" "needs root, /dev/fuse and ntfs-3g"; t_done; exit
fi
export RESCUE_RUNDIR="$T/run"
SYSTEM=Windows/System32/config/SYSTEM
img=$T/disk.img
t_image win10-gpt "$img" || { not_ok "build win10-gpt"; t_done; exit 1; }
mnt=$T/mnt
mkdir -p "$mnt"
loop=""
t_on_exit "umount '$mnt' 2>/dev/null || umount -l '$mnt' 2>/dev/null; [ -z \"\$loop\" ] || losetup -d \"\$loop\""

# rw_mount / rw_umount: the Windows partition (3) read-write through ntfs-3g,
# to change the image as the worm (or an accident) would.
rw_mount() {
	# shellcheck disable=SC2046 # START SIZE, split on purpose
	set -- $(sfdisk -q -l -o Start,Sectors "$img" | awk 'NR == 4 { print $1 * 512, $2 * 512 }')
	loop=$(losetup -f --show -o "$1" --sizelimit "$2" "$img")
	ntfs-3g "$loop" "$mnt" || { not_ok "ntfs-3g mount of $loop"; t_done; exit 1; }
}
rw_umount() { umount "$mnt" && losetup -d "$loop"; loop=""; }
image_sum() {	# image_sum PATH: the SHA-256 of PATH on the image, read by ntfscat
	t_attach "$img" 3
	ntfscat "$t_loop" "$1" | sha256sum
	t_detach
}

rw_mount
printf 'Windows Registry Editor Version 5.00\n\n[\\ControlSet001\\Services\\qbotsvc]\n' >"$T/qbot.reg"
printf '"ImagePath"="C:\\\\ProgramData\\\\qbothome\\\\_qbotinj.exe"\n\n' >>"$T/qbot.reg"
hivexregedit --merge "$mnt/$SYSTEM" "$T/qbot.reg"
rw_umount
sum0=$(image_sum "$SYSTEM")

timeout 300 "$RESCUE" --disk "$img" --json scan --quarantine >"$T/scan.jsonl" 2>"$T/scan.err"; rc=$?
expect "--disk scan --quarantine: exit 1" test "$rc" -eq 1
expect "--disk scan --quarantine: SYSTEM reported as a registry hive, not quarantined" sh -c \
	'jq -r "select(.type == \"detection\" and .path == \"$2\") | .inspect + \" \" + .action" "$1" |
	 grep -q "^registry hive not quarantined: registry hive matched a rule: inspect"' - "$T/scan.jsonl" "$SYSTEM"
expect "--disk scan --quarantine: SYSTEM on the image byte-identical (ntfscat)" test "$(image_sum "$SYSTEM")" = "$sum0"
t_attach "$img" 3
expect "--disk: hivexget reads SYSTEM from the image" sh -c '
	ntfscat "$1" Windows/System32/config/SYSTEM >"$2/SYSTEM" &&
	hivexget "$2/SYSTEM" "\\ControlSet001\\Services\\qbotsvc" ImagePath | grep -q qbothome' - "$t_loop" "$T"
t_detach

printf 'contain = none\naccounts = none\nautoruns = off\n' >"$T/auto.conf"
timeout 600 "$RESCUE" --disk "$img" auto --config "$T/auto.conf" >"$T/auto.out" 2>&1; rc=$?
expect "--disk auto: RED (exit 1)" sh -c '[ "$1" -eq 1 ] && grep -q "^rescue: VERDICT RED" "$2"' - "$rc" "$T/auto.out"
expect "--disk auto: SYSTEM on the image byte-identical (ntfscat)" test "$(image_sum "$SYSTEM")" = "$sum0"
expect "--disk auto: the console says registry hive matched a rule: inspect" \
	grep -q "registry hive matched a rule: inspect" "$T/auto.out"

# --- SYSTEM gone from the image -------------------------------------------------------
cp --sparse=always "$img" "$T/before.img"
t_attach "$T/before.img" 3
mkdir -p "$T/orig"
ntfscat "$t_loop" Windows/System32/drivers/etc/hosts >"$T/orig/hosts"
t_detach
rw_mount
rm "$mnt/$SYSTEM"
rw_umount
timeout 300 "$RESCUE" --disk "$img" detect >"$T/detect" 2>&1
expect "without SYSTEM: detect names the volume as an installation without its SYSTEM hive" \
	grep -q "^1 .*Windows without its SYSTEM hive" "$T/detect"
timeout 300 "$RESCUE" --disk "$img" status >"$T/status" 2>&1; rc=$?
expect "without SYSTEM: status exits 3 with one line saying what to do" sh -c \
	'[ "$1" -eq 3 ] && grep -q "has no Windows/System32/config/SYSTEM, only a Rescue folder" "$2"' - "$rc" "$T/status"
cp --sparse=always "$img" "$T/nosystem.img"
timeout 600 "$RESCUE" --disk "$img" auto --config "$T/auto.conf" >"$T/auto2.out" 2>&1; rc=$?
sed 's/^/#   /' "$T/auto2.out"
expect "without SYSTEM: auto is YELLOW (exit 4), says why, and writes nothing (cmp)" sh -c \
	'[ "$1" -eq 4 ] && grep -q "^rescue: VERDICT YELLOW" "$2" && grep -q "has no Windows/System32/config/SYSTEM" "$2" &&
	 cmp -s "$3" "$4"' - "$rc" "$T/auto2.out" "$img" "$T/nosystem.img"
timeout 300 "$RESCUE" --disk "$img" --json quarantine list >"$T/list" 2>"$T/list.err"; rc=$?
n=$(wc -l <"$T/list")
expect "without SYSTEM: quarantine list exits 0 and lists the quarantine ($n)" test "$rc" -eq 0 -a "$n" -gt 0
id=$(jq -r 'select(.path == "autorun.inf") | .id' "$T/list")
expect "without SYSTEM: quarantine restore autorun.inf" timeout 300 "$RESCUE" --disk "$img" quarantine restore "$id"
t_attach "$img" 3
expect "without SYSTEM: autorun.inf is back on the image" sh -c 'ntfsls "$1" | grep -qx autorun.inf' - "$t_loop"
t_detach
timeout 300 "$RESCUE" --disk "$img" --yes undo all >"$T/undo" 2>&1; rc=$?
sed 's/^/#   /' "$T/undo"
expect "without SYSTEM: undo all restores the rest of the quarantine (exit 0: no registry change to undo)" \
	sh -c '[ "$1" -eq 0 ] && grep -q "^undone  quarantine" "$2"' - "$rc" "$T/undo"
t_attach "$img" 3
expect "without SYSTEM: nothing left in the quarantine on the image" sh -c \
	'! ntfsls "$1" -p /Rescue/quarantine | grep -q "\.bin$"' - "$t_loop"
expect "without SYSTEM: the hosts file untouched (ntfscat, cmp)" sh -c \
	'ntfscat "$1" Windows/System32/drivers/etc/hosts | cmp -s - "$2"' - "$t_loop" "$T/orig/hosts"
t_detach
expect "nothing left mounted" sh -c '! grep -F "$1" /proc/mounts' - "$T"
t_done
