#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue repair permissions / undo permissions (issue 16 item 2) on a copy of
# win10-gpt where, through ntfs-3g, the Defender folder got a Deny-Everyone
# entry and a user as owner, one of its files the same, the Defender data
# folder a malformed descriptor (an owner SID overlapping the rest, which
# ntfs-3g takes), and a folder outside the table the same hostile one.
# Judged by tools we did not write: ntfssecaudit (owner, entries, the
# volume's security audit) and getfattr -R dumps of system.ntfs_acl before,
# after and after undo.
# shellcheck disable=SC2016 # sh -c scripts take their arguments as $1...
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/fuse ]; then skip "permissions" "needs root (loop devices, FUSE)"; t_done; exit; fi
for tool in ntfssecaudit getfattr setfattr ntfs-3g; do
	command -v "$tool" >/dev/null || { skip "permissions" "$tool is not installed"; t_done; exit; }
done
export RESCUE_RUNDIR="$T/run"
i=$T/acl.img
t_image win10-gpt "$i" || { not_ok "build win10-gpt"; t_done; exit; }

# The Windows partition (3) read-write on a loop device, mounted at $T/m.
loop=""
part_loop() {	# part_loop RO|RW
	# shellcheck disable=SC2046 # START SIZE, split on purpose
	set -- $(sfdisk -q -l -o Start,Sectors "$i" | awk 'NR == 4 { print $1 * 512, $2 * 512 }') "$1"
	if [ "$3" = RO ]; then loop=$(losetup -r -f --show -o "$1" --sizelimit "$2" "$i"); else
		loop=$(losetup -f --show -o "$1" --sizelimit "$2" "$i"); fi
}
part_free() { [ -z "$loop" ] || losetup -d "$loop"; loop=""; }
mkdir -p "$T/m"
t_on_exit 'umount "$T/m" 2>/dev/null; part_free'
mount_part() { part_loop "$1"; ntfs-3g -o "$(echo "$1" | tr 'A-Z' 'a-z')" "$loop" "$T/m"; }
umount_part() { umount "$T/m"; part_free; }
# "path<TAB>descriptor hex" for every file and folder of the volume, sorted.
dump() {
	mount_part RO
	(cd "$T/m" && getfattr -R -e hex -n system.ntfs_acl . 2>/dev/null) |
		awk '/^# file: /{ f = substr($0, 9) } /^system.ntfs_acl=/{ print f "\t" substr($0, 17) }' | LC_ALL=C sort >"$1"
	umount_part
}
audit() {	# audit PATH: ntfssecaudit -vv of PATH on the volume, into $T/audit
	part_loop RO
	ntfssecaudit -vv "$loop" "$1" >"$T/audit" 2>&1
	part_free
}

# Header, owner S-1-5-21-1-2-3-1001, group SYSTEM, DACL: Deny Everyone full
# control (inheritable), Allow Everyone full control.
HOSTILE=0x010004801400000030000000000000003c000000010500000000000515000000010000000200000003000000e9030000010100000000000512000000020030000200000001031400ff011f0001010000000000010000000000031400ff011f00010100000000000100000000
# The same with an owner of 15 sub-authorities: it runs over the group and the DACL.
MALFORMED=0x010004801400000030000000000000003c000000010f00000000000515000000010000000200000003000000e9030000010100000000000512000000020030000200000001031400ff011f0001010000000000010000000000031400ff011f00010100000000000100000000
# Owner and group SYSTEM, a DACL with no entry at all: nobody may open it.
EMPTY=0x010004801400000020000000000000002c0000000101000000000005120000000101000000000005120000000200080000000000
WD="Program Files/Windows Defender"
mount_part RW
mkdir -p "$T/m/$WD/Platform" "$T/m/ProgramData/Microsoft/Windows Defender/Scans" "$T/m/Program Files/Other AV"
printf 'MZ' >"$T/m/$WD/MsMpEng.exe"
printf 'MZ' >"$T/m/$WD/Platform/mpclient.dll"
printf 'not Defender' >"$T/m/Windows/outside.dll"
printf 'cache' >"$T/m/ProgramData/Microsoft/Windows Defender/Scans/mpcache.bin"
ln -s ../../Windows "$T/m/$WD/Platform/up"	# a link out of the table's folder
mkfifo "$T/m/$WD/Platform/pipe"
setfattr -n system.ntfs_acl -v "$EMPTY" "$T/m/ProgramData/Microsoft/Windows Defender/Scans/mpcache.bin"
ln "$T/m/Windows/outside.dll" "$T/m/$WD/Platform/linked.dll"
setfattr -n system.ntfs_acl -v "$HOSTILE" "$T/m/Windows/outside.dll"
setfattr -n system.ntfs_acl -v "$HOSTILE" "$T/m/$WD"
setfattr -n system.ntfs_acl -v "$HOSTILE" "$T/m/$WD/MsMpEng.exe"
setfattr -n system.ntfs_acl -v "$HOSTILE" "$T/m/Program Files/Other AV"
setfattr -n system.ntfs_acl -v "$MALFORMED" "$T/m/ProgramData/Microsoft/Windows Defender/Scans"; rc=$?
umount_part
expect "setup: ntfs-3g took the malformed descriptor" test "$rc" -eq 0
dump "$T/before"
audit "/$WD"
expect "setup: ntfssecaudit sees the Deny entry and the user as owner" sh -c \
	'grep -q "Access denied" "$1" && grep -q "O:dec S-1-5-21-1-2-3-1001" "$1"' - "$T/audit"

# --- a dry run says what it would do and writes nothing ---------------------------
sha256sum "$i" >"$T/img.sum"
timeout 120 "$RESCUE" --disk "$i" repair permissions --dry-run >"$T/out" 2>&1; rc=$?
expect "dry run: exit 0 ($rc), the image byte-identical" sh -c '[ "$1" -eq 0 ] && sha256sum -c --quiet "$2"' - "$rc" "$T/img.sum"
expect "dry run: names the Defender folder's Deny entry and owner" grep -q \
	"would repair Program Files/Windows Defender (Microsoft Defender): owner S-1-5-21-1-2-3-1001 (not one Windows sets); Deny Everyone 0x001f01ff" "$T/out"

# --- the repair -----------------------------------------------------------------
timeout 120 "$RESCUE" --disk "$i" --yes repair permissions >"$T/out" 2>&1; rc=$?
expect "repair: exit 0 ($rc)" test "$rc" -eq 0
expect "repair: the folder, its file, the malformed one and the empty list, nothing else" sh -c '
	[ "$(grep -c "^repaired " "$1")" -eq 4 ] &&
	grep -q "^repaired Program Files/Windows Defender/MsMpEng.exe " "$1" &&
	grep -q "^repaired ProgramData/Microsoft/Windows Defender/Scans (Microsoft Defender): malformed security descriptor: owner SID .* overlaps" "$1"' - "$T/out"
expect "repair: an empty DACL is named" grep -q \
	"^repaired ProgramData/Microsoft/Windows Defender/Scans/mpcache.bin (Microsoft Defender): owner S-1-5-18 (SYSTEM); empty DACL" "$T/out"
expect "repair: a link and a FIFO in the folder are named, not followed, not opened" sh -c '
	grep -q "^skipped Program Files/Windows Defender/Platform/up (Microsoft Defender): left as it is: a link on the volume: not followed" "$1" &&
	grep -q "^skipped Program Files/Windows Defender/Platform/pipe (Microsoft Defender): left as it is: neither a file nor a folder" "$1"' - "$T/out"
expect "repair: a hostile file hard-linked from outside is named and left alone" grep -q \
	"^skipped Program Files/Windows Defender/Platform/linked.dll (Microsoft Defender): left as it is: hard-linked (2 names)" "$T/out"
sed 's/^/#   /' "$T/out"
audit "/$WD"
expect "ntfssecaudit: Defender folder owned by TrustedInstaller, group SYSTEM" sh -c '
	grep -q "O:dec S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464" "$1" && grep -q "G:dec S-1-5-18" "$1"' - "$T/audit"
expect "ntfssecaudit: no Deny entry left, the 13 inherited entries of a Program Files folder" sh -c '
	! grep -q "Access denied" "$1" && grep -q "ACE cnt  13" "$1" && [ "$(grep -c "Access allowed" "$1")" -eq 13 ]' - "$T/audit"
audit "/$WD/MsMpEng.exe"
expect "ntfssecaudit: MsMpEng.exe has the 5 entries a file there inherits, no Deny" sh -c '
	! grep -q "Access denied" "$1" && grep -q "ACE cnt  5" "$1"' - "$T/audit"
audit "/ProgramData/Microsoft/Windows Defender/Scans"
expect "ntfssecaudit: the malformed one is now SYSTEM's with the ProgramData entries" sh -c '
	grep -q "O:dec S-1-5-18" "$1" && grep -q "ACE cnt  5" "$1" && ! grep -q "Access denied" "$1"' - "$T/audit"
part_loop RO
ntfssecaudit -a "$loop" >"$T/audit" 2>&1; rc=$?
part_free
expect "ntfssecaudit -a: the volume's security data has no error" sh -c '[ "$1" -eq 0 ] && grep -q "No errors were found" "$2" && ! grep -qi "error.*found.*[1-9]" "$2"' - "$rc" "$T/audit"
dump "$T/after"
LC_ALL=C join -t "$(printf '\t')" "$T/before" "$T/after" | awk -F '\t' '$2 != $3 { print $1 }' >"$T/changed"
printf '%s\n' "$WD" "$WD/MsMpEng.exe" "ProgramData/Microsoft/Windows Defender/Scans" \
	"ProgramData/Microsoft/Windows Defender/Scans/mpcache.bin" | LC_ALL=C sort >"$T/want"
expect "getfattr -R: exactly those four descriptors changed (Other AV, Platform, the hard link kept)" cmp -s "$T/changed" "$T/want" ||
	sed 's/^/#   changed: /' "$T/changed"
expect "getfattr -R: only Rescue/ is new" sh -c 'cut -f1 "$2" | LC_ALL=C sort >"$3.a"; cut -f1 "$1" | LC_ALL=C sort >"$3.b"
	LC_ALL=C comm -13 "$3.b" "$3.a" | grep -v "^Rescue" | grep -q . && exit 1; exit 0' - "$T/before" "$T/after" "$T/names"

timeout 120 "$RESCUE" --disk "$i" --yes repair permissions >"$T/out" 2>&1; rc=$?
expect "again: exit 0 ($rc), nothing hostile left" sh -c '[ "$1" -eq 0 ] && grep -q "; 0 hostile" "$2"' - "$rc" "$T/out"

# --- undo ---------------------------------------------------------------------------
timeout 120 "$RESCUE" --disk "$i" --yes undo >"$T/out" 2>&1
dump "$T/plain"
expect "a plain undo leaves the repaired descriptors (it must not give the worm its Deny back)" sh -c '
	LC_ALL=C join -t "$(printf "\t")" "$1" "$2" | awk -F "\t" "\$2 != \$3" | grep -q . && exit 1; exit 0' - "$T/after" "$T/plain"
timeout 120 "$RESCUE" --disk "$i" --yes undo permissions >"$T/out" 2>&1; rc=$?
expect "undo permissions: exit 0 ($rc), four descriptors back" sh -c '[ "$1" -eq 0 ] && [ "$(grep -c "^undone  permissions" "$2")" -eq 4 ]' - "$rc" "$T/out"
dump "$T/undone"
LC_ALL=C join -t "$(printf '\t')" "$T/before" "$T/undone" | awk -F '\t' '$2 != $3 { print $1 }' >"$T/changed"
printf 'ProgramData/Microsoft/Windows Defender/Scans\t%s\n' "$MALFORMED" >"$T/want.malformed"
expect "getfattr -R: after undo every descriptor is as before, byte for byte (the malformed one too)" sh -c '
	! [ -s "$1" ] && grep -qxFf "$2" "$3"' - "$T/changed" "$T/want.malformed" "$T/undone"

# --- the unattended run: a step before the scan, a report line ---------------------
REP=$T/reports
printf 'reports_dir = %s\ncontain = none\naccounts = none\nscan = report\nautoruns = off\n' "$REP" >"$T/rescue.conf"
timeout 600 "$RESCUE" --disk "$i" auto --config "$T/rescue.conf" >"$T/out" 2>&1
json=$(ls "$REP"/*.json 2>/dev/null | head -n 1)
expect "auto: the permissions step comes before the scan and reset the four" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
names = [s["step"] for s in d["steps"]]
p = [s for s in d["steps"] if s["step"] == "permissions"][0]
assert names.index("permissions") < names.index("scan"), names
assert p["status"] == "changed" and "4 hostile descriptor(s) reset" in p["detail"], p
' "$json"
audit "/$WD"
expect "auto: ntfssecaudit shows the Defender folder without its Deny entry" sh -c \
	'! grep -q "Access denied" "$1" && grep -q "O:dec S-1-5-80-956008885" "$1"' - "$T/audit"
printf 'repair_permissions = no\n' >>"$T/rescue.conf"
timeout 600 "$RESCUE" --disk "$i" --yes undo permissions >/dev/null 2>&1
rm -rf "$REP"
timeout 600 "$RESCUE" --disk "$i" auto --config "$T/rescue.conf" >"$T/out" 2>&1
audit "/$WD"
expect "auto, repair_permissions = no: the Deny entry stays" grep -q "Access denied" "$T/audit"

# --- a tree that is not an ntfs-3g mount --------------------------------------------
sh "$TOP/tests/fixtures/mktree.sh" win10 "$T/tree" >/dev/null 2>&1
mkdir -p "$T/tree/$WD"
timeout 60 "$RESCUE" --root "$T/tree" --yes repair permissions >"$T/out" 2>&1; rc=$?
expect "--root plain tree: exit 3 ($rc), says permissions cannot be read there" sh -c '
	[ "$1" -eq 3 ] && grep -q "permissions cannot be read on .*: not an ntfs-3g mount" "$2"' - "$rc" "$T/out"
t_done
