#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue detect on every test image and on the real NTFS images of
# tests/data: partitions, file systems, labels, Windows version, computer
# name and state, as text and as JSON; and nothing left mounted or attached.
# shellcheck disable=SC2016 # sh -c scripts take their arguments as $1...
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" -ne 0 ]; then skip "detect" "needs root (loop devices, FUSE)"; t_done; exit; fi
export RESCUE_RUNDIR="$T/run"

for v in win10-gpt win7-mbr xp-mbr dual-mbr hibernated dirty bitlocker; do
	t_image "$v" "$T/$v.img" || not_ok "build $v"
done

# field IMG PART KEY: one field of one partition from detect --json (run
# once per image).
field() {
	j=$T/json.$(echo "$1" | tr / _)
	[ -f "$j" ] || "$RESCUE" --disk "$1" --json detect >"$j" 2>/dev/null
	python3 -c '
import json, sys
d = json.load(sys.stdin)
for v in d["volumes"]:
    if v["number"] == int(sys.argv[1]):
        x = v.get(sys.argv[2])
        print("null" if x is None else str(x).lower() if isinstance(x, bool) else x)' "$2" "$3" <"$j"
}
# is IMG PART KEY VALUE
is() {
	got=$(field "$1" "$2" "$3")
	if [ "$got" = "$4" ]; then ok "$(basename "$1") p$2 $3 = $4"
	else not_ok "$(basename "$1") p$2 $3 = $4 (got '$got')"; fi
}

i=$T/win10-gpt.img
expect_exit 0 "win10-gpt: detect exits 0" "$RESCUE" --disk "$i" detect
expect "win10-gpt: text table names the installation" sh -c '"$1" --disk "$2" detect | grep -E "^1 +win10-gpt.img p3 +192M ntfs +Windows +ok +DESKTOP-M3OSHQU +Windows 10 Pro 22H2 \(build 19045\)"' - "$RESCUE" "$i"
expect "win10-gpt: JSON lists 4 partitions, 1 installation" sh -c '"$1" --disk "$2" --json detect | python3 -c "
import json,sys; d=json.load(sys.stdin); assert len(d[\"volumes\"]) == 4 and d[\"installations\"] == 1"' - "$RESCUE" "$i"
is "$i" 1 fs vfat
is "$i" 1 label SYSTEM
is "$i" 1 type c12a7328-f81f-11d2-ba4b-00a0c93ec93b
is "$i" 2 fs null
is "$i" 3 windows true
is "$i" 3 product "Windows 10 Pro"
is "$i" 3 build 19045
is "$i" 3 computer DESKTOP-M3OSHQU
is "$i" 3 state ok
is "$i" 4 label Recovery
is "$i" 4 windows false

i=$T/win7-mbr.img
is "$i" 1 label "System Reserved"
is "$i" 1 type 0x07
is "$i" 1 windows false
is "$i" 2 product "Windows 7 Professional"
is "$i" 2 build 7601
is "$i" 2 computer WKS-WIN732BITA
is "$i" 2 install 1

i=$T/xp-mbr.img
is "$i" 1 product "Microsoft Windows XP"
is "$i" 1 version 5.1
is "$i" 1 build 2600
is "$i" 1 computer M57-PAT

i=$T/dual-mbr.img
is "$i" 1 install 1
is "$i" 2 install 2
is "$i" 2 computer DESKTOP-M3OSHQU

i=$T/hibernated.img
is "$i" 3 state hibernated
is "$i" 3 windows true
expect "hibernated: the note says how to go on" sh -c '"$1" --disk "$2" detect | grep -q "note: hibernated.img p3: Windows is hibernated.*--remove-hiberfile"' - "$RESCUE" "$i"

i=$T/dirty.img
is "$i" 3 state dirty
is "$i" 3 computer DESKTOP-M3OSHQU

i=$T/bitlocker.img
is "$i" 2 fs BitLocker
is "$i" 2 state bitlocker
expect_exit 3 "bitlocker: detect exits 3 (nothing to work on)" "$RESCUE" --disk "$i" detect
expect "bitlocker: says it is BitLocker and why it cannot be opened (no metadata)" sh -c '"$1" --disk "$2" detect 2>&1 >/dev/null | grep -q "encrypted with BitLocker: damaged BitLocker"' - "$RESCUE" "$i"

# A whole disk as a block device without partition nodes (a loop device
# without -P), read-only: partitions attached on top of it, state read-only.
dev=$(losetup -r -f --show "$T/win7-mbr.img")
t_on_exit '[ -z "$dev" ] || losetup -d "$dev"'
is "$dev" 2 computer WKS-WIN732BITA
is "$dev" 2 state read-only
losetup -d "$dev"; dev=""

# The real NTFS images (formatted by Windows; see tests/data/SOURCES.md).
n=$DATA/images/ntfs
xz -dc "$n/velociraptor-test.ntfs.raw.xz" >"$T/bare.raw"
xz -dc "$n/velociraptor-partition_image.raw.xz" >"$T/winlike.raw"
gzip -dc "$n/dfir_ntfs-ntfs_index.raw.gz" >"$T/mbr.raw"
is "$T/bare.raw" 0 label "Test Volume"
is "$T/bare.raw" 0 fs ntfs
is "$T/bare.raw" 0 windows false
expect_exit 3 "real bare NTFS without Windows: exit 3" "$RESCUE" --disk "$T/bare.raw" detect
is "$T/winlike.raw" 0 label "New Volume"
is "$T/winlike.raw" 0 windows true
is "$T/mbr.raw" 1 label "Test index"
is "$T/mbr.raw" 1 offset 65536
is "$T/mbr.raw" 1 state ok

# No target: every local disk (the boot case).  What is found depends on the
# machine; the table and a clean exit (0, or 3 without Windows) do not.
expect "no target: detect examines the local disks" sh -c '
	rc=0; "$1" detect >"$2/local" 2>&1 || rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 3 ] && grep -q "^#   PARTITION" "$2/local"' - "$RESCUE" "$T"

expect "nothing left mounted" sh -c '! grep -F "$1" /proc/mounts' - "$T"
expect "no loop device left" sh -c '! losetup -a | grep -F "$1"' - "$T"
expect "no mount folder left" sh -c '[ -z "$(ls -A "$1")" ]' - "$RESCUE_RUNDIR"
t_done
