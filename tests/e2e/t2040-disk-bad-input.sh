#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad disks: one clear line on stderr, exit 3, no crash (the sanitizer build
# runs here), nothing left mounted or attached.
# shellcheck disable=SC2016 # sh -c scripts take their arguments as $1...
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" -ne 0 ]; then skip "bad disks" "needs root (loop devices, FUSE)"; t_done; exit; fi
export RESCUE_RUNDIR="$T/run"
t_image xp-mbr "$T/xp.img" || not_ok "build xp-mbr"

: >"$T/empty.img"
head -c 4194304 /dev/urandom >"$T/random.img"
truncate -s 32M "$T/ext4.img" && mkfs.ext4 -q "$T/ext4.img"
head -c 80M "$T/xp.img" >"$T/truncated.img"
# Damage the $MFT of the XP volume (its place from the boot sector) and
# keep the boot sector: NTFS by its signature, unreadable inside.
cp "$T/xp.img" "$T/corrupt.img"
base=$((2048 * 512))
lcn=$(od -An -t u8 -j $((base + 48)) -N 8 "$T/corrupt.img" | tr -d ' ')
spc=$(od -An -t u1 -j $((base + 13)) -N 1 "$T/corrupt.img" | tr -d ' ')
dd if=/dev/urandom of="$T/corrupt.img" bs=512 seek=$((2048 + lcn * spc)) count=64 conv=notrunc status=none

# bad WHAT FILE PATTERN: detect and a writing command both exit 3 with one
# line matching PATTERN.
bad() {
	for cmd in detect "--yes contain"; do
		# shellcheck disable=SC2086 # cmd is two words on purpose
		"$RESCUE" --disk "$2" $cmd >/dev/null 2>"$T/err"; rc=$?
		if [ $rc -eq 3 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "$3" "$T/err"; then
			ok "$1: $cmd: exit 3, one line: $(cat "$T/err")"
		else
			not_ok "$1: $cmd: exit $rc"; sed 's/^/#   /' "$T/err"
		fi
	done
}
bad "missing file" "$T/nosuch.img" "No such file"
bad "empty file" "$T/empty.img" "empty"
bad "random bytes" "$T/random.img" "no partition table and no file system"
bad "ext4, no NTFS" "$T/ext4.img" "no NTFS volume"
bad "truncated image" "$T/truncated.img" "past the end.*truncated"
bad "corrupt NTFS" "$T/corrupt.img" "damaged NTFS"
bad "a directory" "$T" "not a disk"

expect "nothing left mounted" sh -c '! grep -F "$1" /proc/mounts' - "$T"
expect "no loop device left" sh -c '! losetup -a | grep -F "$1"' - "$T"
t_done
