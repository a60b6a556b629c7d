#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The test disk images (tests/images/build.sh): partition tables as sfdisk
# reads them, volumes and files as ntfs-3g's own tools (ntfsls, ntfscat) read
# them, and nothing left mounted or attached by the builder.
# shellcheck disable=SC2016,SC2154 # sh -c scripts take their arguments as $1...; t_loop is set by tests/lib.sh
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" -ne 0 ]; then skip "test images" "needs root (loop devices, FUSE)"; t_done; exit; fi


# Built once into build/images/ (make), copied here.
for v in win10-gpt win7-mbr xp-mbr clean hibernated dirty bitlocker; do
	img=$T/$v.img
	expect "build.sh $v" t_image "$v" "$img"
done

expect "images are sparse and at most 512 MiB" sh -c '
	for f in "$1"/*.img; do
		[ "$(stat -c %s "$f")" -le $((512 * 1048576)) ] || exit 1
		[ "$(($(stat -c %b "$f") * 512))" -lt "$(stat -c %s "$f")" ] || exit 1
	done' - "$T"
expect "build.sh makes a fresh image too" sh "$TOP/tests/images/build.sh" xp-mbr "$T/fresh.img"
expect "builder left no loop device" sh -c '! losetup -a | grep -e "$1" -e "$2/build/images"' - "$T" "$TOP"
expect "builder left no mount" sh -c '! grep -e "$1" -e "$2/build/images" /proc/mounts' - "$T" "$TOP"

# Partition tables.
expect "win10-gpt: GPT with EFI, MSR, basic data, recovery" sh -c '
	sfdisk -d "$1" | grep -q "label: gpt" &&
	[ "$(sfdisk -d "$1" | grep -c "type=")" -eq 4 ] &&
	sfdisk -d "$1" | grep -qi "type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B" &&
	sfdisk -d "$1" | grep -qi "type=DE94BBA4-06D1-4D40-A16A-BFD50179D6AC"' - "$T/win10-gpt.img"
expect "win7-mbr: MBR, active System Reserved + Windows" sh -c '
	sfdisk -d "$1" | grep -q "label: dos" &&
	[ "$(sfdisk -d "$1" | grep -c "type=7")" -eq 2 ] &&
	sfdisk -d "$1" | grep "img1 " | grep -q bootable' - "$T/win7-mbr.img"

# Contents, read by ntfs-3g's tools.
t_attach "$T/win10-gpt.img" 3
expect "win10-gpt: volume label Windows" sh -c 'ntfsinfo -m "$1" | grep -q "Volume Name: Windows$"' - "$t_loop"
expect "win10-gpt: SOFTWARE hive on the volume says Windows 10" sh -c '
	ntfscat "$1" Windows/System32/config/SOFTWARE >"$2/SOFTWARE" &&
	hivexget "$2/SOFTWARE" "\\Microsoft\\Windows NT\\CurrentVersion" ProductName | grep -q "Windows 10"' - "$t_loop" "$T"
expect "win10-gpt: hosts, Tasks, a user hive" sh -c '
	ntfscat "$1" Windows/System32/drivers/etc/hosts | grep -q fileserver.corp.example &&
	ntfsls "$1" -p /Windows | grep -qx Tasks &&
	ntfsls "$1" -p /Users/AndrewRathbun | grep -qx NTUSER.DAT' - "$t_loop"
expect "win10-gpt: planted files and the alternate data stream" sh -c '
	ntfsls "$1" | grep -qx autorun.inf &&
	ntfscat -n Zone.Identifier "$1" Users/AndrewRathbun/Documents/report.txt | grep -q EICAR &&
	grep -q "report.txt:Zone.Identifier" "$2"' - "$t_loop" "$T/win10-gpt.img.manifest"
t_detach
t_attach "$T/clean.img" 3
expect "clean: no autorun.inf, no manifest" sh -c '! ntfsls "$1" | grep -qix autorun.inf && [ ! -e "$2" ]' - "$t_loop" "$T/clean.img.manifest"
t_detach
t_attach "$T/xp-mbr.img" 1
expect "xp-mbr: XP tree" sh -c '
	ntfsls "$1" -p "/WINDOWS/system32/config" | grep -qx software &&
	ntfsls "$1" -p "/Documents and Settings" | grep -qx Pat &&
	ntfsls "$1" -p "/System Volume Information" | grep -q "^_restore{.*}$"' - "$t_loop"
t_detach
t_attach "$T/hibernated.img" 3
expect "hibernated: hiberfil.sys starts with HIBR" sh -c 'ntfscat "$1" hiberfil.sys | head -c 4 | grep -qx HIBR' - "$t_loop"
mkdir "$T/m"
ntfs-3g -o rw "$t_loop" "$T/m" 2>"$T/err"; t_on_exit "umount $T/m 2>/dev/null"
expect "hibernated: ntfs-3g refuses read-write" sh -c 'grep -q "hibernated" "$1" && grep -F " $2 " /proc/mounts | grep -q " ro,"' - "$T/err" "$T/m"
umount "$T/m"; t_detach
t_attach "$T/dirty.img" 3
expect "dirty: ntfsinfo says the volume is dirty" sh -c 'ntfsinfo -f -m "$1" | grep -q "Volume Flags: 0x0001 DIRTY"' - "$t_loop"
expect "dirty: and otherwise sound (ntfsfix -n)" ntfsfix -n "$t_loop"
t_detach
t_attach "$T/win10-gpt.img" 3
expect "win10-gpt: not dirty" sh -c 'ntfsinfo -m "$1" | grep -q "Volume Flags: 0x0000"' - "$t_loop"
t_detach
expect "bitlocker: -FVE-FS- at offset 3 of partition 2" sh -c '
	dd if="$1" bs=512 skip=67584 count=1 status=none | dd bs=1 skip=3 count=8 status=none | grep -qx -- -FVE-FS-' - "$T/bitlocker.img"
t_done
