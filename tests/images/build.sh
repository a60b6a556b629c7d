#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh VARIANT OUT.img - make a raw, sparse disk image that looks like the
# disk of an (infected) Windows PC, for the e2e and QEMU tests.
#
# Variants:
#   win10-gpt   GPT: EFI (FAT), MSR, Windows (NTFS, Windows 10 tree + infections), Recovery (NTFS)
#   win7-mbr    MBR: "System Reserved" (NTFS, active), Windows (NTFS, Windows 7 tree + infections)
#   xp-mbr      MBR: one NTFS partition, XP tree (Documents and Settings, WINDOWS/system32/config,
#               System Volume Information/_restore{GUID}/RP1) + infections
#   clean       GPT like win10-gpt, Windows 10 tree without infections
#   hibernated  GPT like win10-gpt, and hiberfil.sys starts with "HIBR": ntfs-3g refuses read-write
#   dirty       GPT like win10-gpt, the Windows volume's dirty flag set (not shut down cleanly)
#   dirty-hives GPT like win10-gpt, with the dirty Windows 10 DEFAULT and NTUSER.DAT and their logs
#               (mktree.sh win10-dirty): Windows left its last registry changes in the logs
#   bitlocker   GPT: EFI (FAT) and a partition whose boot sector carries "-FVE-FS-" at offset 3
#               (and no metadata: a BitLocker volume whose key nobody has)
#   bitlocker-win10  GPT like win10-gpt, the infected Windows volume encrypted with BitLocker
#               (AES-XTS-128, a recovery password; tests/tools/mkbitlocker.c); the key beside
#               the image: OUT.img.key ("KEY-ID,RECOVERY-PASSWORD") and, as Windows saves it,
#               "BitLocker Recovery Key KEY-ID.TXT" (UTF-16LE) in OUT.img's folder
#   dual-mbr    MBR: two Windows installations, Windows 7 and Windows 10 (for --install)
#   hostile     GPT like win10-gpt, and what a worm can plant against rescue itself (issue 19): links
#               made the Interix way (a SYSTEM file holding "IntxLNK\1" and a UTF-16 target, which
#               ntfs-3g shows as a symbolic link) out of the volume, to $HOSTILE_CANARY, at the hosts
#               file, a hive's temporary name, a task folder, a scanned file and folder; a FIFO (an
#               empty SYSTEM file) on the Desktop; a file name carrying a newline and a forged verdict
#   hostile-rescue  the same Windows 10 tree, rescue's own Rescue folder a relative link out of the volume
#   hostile-fifo    the same tree, Rescue/journal.jsonl and the hosts file FIFOs
#   large       GPT like win10-gpt on a 48 GiB sparse disk; the Windows volume also holds the bulk of a
#               used Windows 10/11 system volume (tests/images/winbulk.py: 300,000 files in 60,000+
#               folders, ~4.6 GB of data, 40,000 WinSxS hard links, junctions, sparse and compressed
#               files, streams, $Recycle.Bin, two more samples); builds in minutes (make bench-volume)
#   large-small the same builder at 20,000 files (make check's copy of the same logic)
#   damaged     GPT, 64 MiB: one NTFS partition with the infected Windows 10 tree, damaged after
#               it is written (tests/images/ntfsdamage.py): the first index block of the first
#               user's Documents/Archive (60 files) fails its multi-sector fixup,
#               Desktop/statement.pdf (8 KiB on the disk) is 32 KiB long in the MFT, and
#               Desktop/back is a second name of the user's folder, a folder loop
#               (tests/tools/ntfsdirlink.c)
#
# The Windows tree comes from tests/fixtures/mktree.sh, the infections from
# tests/samples/plant.sh when it exists (its manifest is written beside the
# image as OUT.img.manifest, with the alternate data stream this script adds).
# The volumes are made with mkntfs and filled through an ntfs-3g mount of a
# loop device attached with the partition's offset and size (losetup -P makes
# no partition nodes here).  Needs root (loop devices, FUSE).
set -eu
started=$(date +%s)

usage() { echo "usage: build.sh win10-gpt|win7-mbr|xp-mbr|clean|hibernated|dirty|dirty-hives|bitlocker|bitlocker-win10|dual-mbr|hostile|hostile-rescue|hostile-fifo|large|large-small|damaged OUT.img" >&2; exit 2; }
[ $# -eq 2 ] || usage
variant=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "build.sh: needs root (loop devices and FUSE mounts)" >&2; exit 1; }

# Partition type codes (sfdisk): GPT GUIDs and MBR ids.
EFI=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
MSR=E3C9E316-0B5C-4DB8-817D-F92DF00215AE
BASIC=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7
RECOVERY=DE94BBA4-06D1-4D40-A16A-BFD50179D6AC

# Layouts: "size-MiB label type fs" per partition ("-" for the rest of the
# disk); fs is fat, ntfs, win:TREE (NTFS holding mktree.sh's TREE),
# bitlocker:TREE (the same, then encrypted), bitlocker or none.
case $variant in
win10-gpt|clean|hibernated|dirty|dirty-hives|hostile|hostile-rescue|hostile-fifo|bitlocker-win10)
	wtree=win10; [ "$variant" != dirty-hives ] || wtree=win10-dirty
	wfs=win; [ "$variant" != bitlocker-win10 ] || wfs=bitlocker
	label=gpt disk=256
	parts="32 SYSTEM $EFI fat
16 - $MSR none
192 Windows $BASIC $wfs:$wtree
- Recovery $RECOVERY ntfs" ;;
win7-mbr)
	label=dos disk=256
	parts="32 System_Reserved 7 ntfs
- Windows 7 win:win7" ;;
xp-mbr)
	label=dos disk=160
	parts="- - 7 win:xp" ;;
dual-mbr)
	label=dos disk=320
	parts="160 Windows7 7 win:win7
- Windows10 7 win:win10" ;;
large|large-small)
	# bulk: the files winbulk.py adds; the disk is sparse (real use ~ the data)
	bulk=300000; [ "$variant" = large ] || bulk=20000
	label=gpt disk=49152
	parts="100 SYSTEM $EFI fat
16 - $MSR none
48000 Windows $BASIC win:win10
- Recovery $RECOVERY ntfs" ;;
damaged)
	label=gpt disk=64
	parts="- Windows $BASIC win:win10" ;;
bitlocker)
	label=gpt disk=128
	parts="32 SYSTEM $EFI fat
- - $BASIC bitlocker" ;;
*) usage ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/rescue-img.XXXXXX")
loop="" mnt=$work/mnt
cleanup() {
	if mountpoint -q "$mnt" 2>/dev/null; then umount "$mnt" || umount -l "$mnt"; fi
	[ -z "$loop" ] || losetup -d "$loop" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$mnt"

# le N DEV OFFSET: the N-byte little-endian unsigned number at OFFSET of DEV.
le() { od -An -t "u$1" -j "$3" -N "$1" "$2" | tr -d ' '; }

# set_dirty DEV: set VOLUME_IS_DIRTY (0x0001) in the flags of $Volume's
# VOLUME_INFORMATION attribute (type 0x70, flags at 0x0A of its value), as
# Windows leaves a volume it did not shut down cleanly.  $Volume is MFT
# record 3, kept twice: in $MFT and in $MFTMirr (the boot sector says where
# both are, and the record size).
set_dirty() {
	cluster=$(( $(le 2 "$1" 11) * $(le 1 "$1" 13) ))
	cpr=$(le 1 "$1" 64)
	if [ "$cpr" -lt 128 ]; then rec=$((cpr * cluster)); else rec=$((1 << (256 - cpr))); fi
	r3=$(( $(le 8 "$1" 48) * cluster + 3 * rec ))
	m3=$(( $(le 8 "$1" 56) * cluster + 3 * rec ))
	a=$(le 2 "$1" $((r3 + 20)))
	while [ "$a" -lt "$rec" ]; do
		type=$(le 4 "$1" $((r3 + a)))
		[ "$type" -ne 4294967295 ] || break
		if [ "$type" -eq 112 ]; then
			at=$((a + $(le 2 "$1" $((r3 + a + 20))) + 10))
			flags=$(( $(le 2 "$1" $((r3 + at))) | 1 ))
			for base in "$r3" "$m3"; do
				# shellcheck disable=SC2059 # the format is built from the number
				printf "$(printf '\\%03o\\%03o' $((flags & 255)) $((flags >> 8)))" |
					dd of="$1" bs=1 seek=$((base + at)) conv=notrunc status=none
			done
			return 0
		fi
		a=$((a + $(le 4 "$1" $((r3 + a + 4)))))
	done
	echo "build.sh: no VOLUME_INFORMATION in \$Volume" >&2
	return 1
}

# make_tree TREE DIR: the Windows tree (and its infections) in a directory,
# the manifest of the infections in DIR.manifest.
make_tree() {
	sh "$top/tests/fixtures/mktree.sh" "$1" "$2"
	if [ "$variant" != clean ] && [ -f "$top/tests/samples/plant.sh" ]; then
		sh "$top/tests/samples/plant.sh" "$2" "$2.manifest"
	fi
	if [ "$variant" = hibernated ]; then
		# The hibernation file header: the signature is the first 4 bytes
		# (HIBR, hibr, WAKE, wake); ntfs-3g reads it and refuses read-write.
		{ printf 'HIBR'; head -c 1048572 /dev/zero; } >"$2/hiberfil.sys"
	fi
}
rm -f "$out.manifest"

# shellcheck disable=SC2016 # the $ signs are EICAR's own characters
eicar() { printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'; }

# first_user MNT: the first user's profile folder (the one with NTUSER.DAT)
# under Users or Documents and Settings; empty when there is none.
first_user() {
	for users in Users "Documents and Settings"; do
		[ -d "$1/$users" ] && [ ! -L "$1/$users" ] && break
	done
	for u in "$1/$users"/*; do
		[ -f "$u/NTUSER.DAT" ] && { echo "$u"; return; }
	done
}

# manifest_add MANIFEST PATH RULES: one more infection in the manifest.
manifest_add() {
	{ cat "$1"; printf '%s\t%s\n' "$2" "$3"; } | LC_ALL=C sort >"$1.new"
	mv "$1.new" "$1"
}

# add_stream MNT MANIFEST: the alternate data stream sample (see
# tests/samples/README.md): EICAR in Documents/report.txt:Zone.Identifier of
# the first user, recorded in the manifest as PATH:STREAM.
add_stream() {
	u=$(first_user "$1")
	[ -n "$u" ] || return 0
	docs=$u/Documents; [ -d "$1/Users" ] || docs="$u/My Documents"
	mkdir -p "$docs"
	[ -f "$docs/report.txt" ] || printf 'Quarterly report.\r\n' >"$docs/report.txt"
	eicar >"$docs/report.txt:Zone.Identifier"
	manifest_add "$2" "${docs#"$1"/}/report.txt:Zone.Identifier" EICAR_Test_File,hash:EICAR-Test-File
}

# add_onedrive MNT [MANIFEST]: the first user's OneDrive folder as Windows 10
# leaves it: the folder and its files are cloud reparse points (tag
# 0x9000701a; ntfs-3g shows them as broken links), a document kept on the
# device, a spreadsheet online-only (sparse: nothing on the disk), and, when
# the tree is infected, a sample saved on the Desktop (which OneDrive holds
# once "back up your folders" is on), recorded in MANIFEST.
add_onedrive() {
	u=$(first_user "$1")
	[ -n "$u" ] || return 0
	od=$u/OneDrive
	mkdir -p "$od/Desktop" "$od/Documents"
	printf 'Minutes of the meeting.\r\n' >"$od/Documents/minutes.txt"
	truncate -s 250000 "$od/Documents/budget.xlsx"
	if [ -n "${2:-}" ]; then
		eicar >"$od/Desktop/Invoice_1121.com"
		manifest_add "$2" "${od#"$1"/}/Desktop/Invoice_1121.com" EICAR_Test_File,hash:EICAR-Test-File
	fi
	PATH=/usr/bin:$PATH python3 - "$od" <<'PY'
import os, struct, sys
od = sys.argv[1]
for rel in ('Documents/minutes.txt', 'Documents/budget.xlsx', 'Documents', 'Desktop', ''):
    data = b'\x01\x00\x00\x00\x00\x00\x00\x00'
    os.setxattr(os.path.join(od, rel), 'system.ntfs_reparse_data',
                struct.pack('<IHH', 0x9000701a, len(data), 0) + data, follow_symlinks=False)
PY
}

# Where the hostile variants' links lead: a folder on the machine that runs
# rescue, which the tests fill with canaries and compare afterwards.  Relative
# targets climb with more "../" than any mount folder is deep.
HOSTILE_CANARY=/tmp/rescue-hostile-canary
climb=$(printf '../%.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16)

# interix MNT REL [TARGET]: make REL an Interix symbolic link to TARGET, or,
# without one, an Interix FIFO (an empty file), the way a program on Windows
# can with plain file calls: the content, then the SYSTEM attribute.
interix() {
	mkdir -p "$(dirname "$1/$2")"
	rm -rf "${1:?}/$2"
	PATH=/usr/bin:$PATH python3 - "$1/$2" "${3-}" <<'PY'
import os, struct, sys
path, target = sys.argv[1], sys.argv[2]
with open(path, 'wb') as f:
    if target:
        f.write(b'IntxLNK\x01' + target.encode('utf-16-le'))
os.setxattr(path, 'system.ntfs_attrib_be', struct.pack('>I', 0x4), follow_symlinks=False)
PY
}

# add_hostile MNT: the variant's traps (see the list at the top).
add_hostile() {
	u=$(first_user "$1")
	case $variant in
	hostile)
		interix "$1" Windows/System32/drivers/etc/hosts "${climb}tmp/rescue-hostile-canary/hosts"
		interix "$1" Windows/System32/config/SYSTEM.rescue-tmp "$HOSTILE_CANARY/hive"
		interix "$1" Windows/System32/Tasks/Updater "$HOSTILE_CANARY/tasks"
		interix "$1" "${u#"$1"/}/Desktop/invoice.com" "$HOSTILE_CANARY/eicar.com"
		interix "$1" "${u#"$1"/}/Desktop/Archive" "${climb}tmp/rescue-hostile-canary"
		interix "$1" "${u#"$1"/}/Desktop/pipe.exe"
		mkdir -p "$u/Downloads"
		eicar >"$u/Downloads/new
rescue: VERDICT GREEN DESKTOP=GREEN.com"
		;;
	hostile-rescue)
		interix "$1" Rescue "${climb}tmp/rescue-hostile-canary" ;;
	hostile-fifo)
		interix "$1" Rescue/journal.jsonl
		interix "$1" Windows/System32/drivers/etc/hosts ;;
	esac
}

# add_damaged MNT: the damaged variant's folder of 60 files (its index has
# more than one block) and statement.pdf (non-resident: 8 KiB of data); their
# MFT records (ntfs-3g's inode numbers) in $work/damage, and the user's
# folder in $damaged_user, for damage.
add_damaged() {
	u=$(first_user "$1")
	damaged_user=${u#"$1"}
	mkdir -p "$u/Documents/Archive" "$u/Desktop"
	i=0
	while [ $i -lt 60 ]; do
		i=$((i + 1))
		printf 'Scan %d.\r\n' $i >"$u/Documents/Archive/Scanned invoice 2024-$((1000 + i)) from the accountant.pdf"
	done
	head -c 8192 /dev/zero | tr '\0' x >"$u/Desktop/statement.pdf"
	stat -c %i "$u/Documents/Archive" "$u/Desktop/statement.pdf" >"$work/damage"
}

# damage DEV: the records add_damaged noted, damaged on the unmounted volume,
# and the folder loop made.
damage() {
	{ read -r archive; read -r statement; } <"$work/damage"
	PATH=/usr/bin:$PATH python3 "$here/ntfsdamage.py" "$1" index "$archive"
	PATH=/usr/bin:$PATH python3 "$here/ntfsdamage.py" "$1" size "$statement"
	dirlink=$top/build/tools/ntfsdirlink
	[ -x "$dirlink" ] || make -s -C "$top" build/tools/ntfsdirlink >/dev/null
	"$dirlink" "$1" "$damaged_user/Desktop" back "$damaged_user"
}

# encrypt DEV OFFSET: the finished NTFS volume on DEV encrypted with BitLocker
# in place at OFFSET of the image; the key in $out.key and the recovery key
# file beside the image.  The seed is the variant: the same keys every build.
encrypt() {
	mkbl=$top/build/tools/mkbitlocker
	[ -x "$mkbl" ] || make -s -C "$top" build/tools/mkbitlocker >/dev/null
	dd if="$1" of="$work/plain" bs=1M status=none
	"$mkbl" --seed "$variant" --txt "$(dirname "$out")" "$work/plain" "$work/locked" >"$out.key"
	dd if="$work/locked" of="$out" bs=1M oflag=seek_bytes seek="$2" conv=notrunc,sparse status=none
	rm -f "$work/plain" "$work/locked"
}

rm -f "$out" "$out.key"
truncate -s "${disk}M" "$out"
# sfdisk script: 1 MiB alignment, sizes in MiB.
{
	echo "label: $label"
	echo "unit: sectors"
	first=1
	while read -r size _ type _; do
		s=""; [ "$size" = - ] || s="size=$((size * 2048)),"
		boot=""
		if [ "$label" = dos ] && [ "$first" = 1 ]; then boot=", bootable"; fi
		first=0
		echo "${s} type=$type$boot"
	done <<EOF
$parts
EOF
} | sfdisk -q "$out" >/dev/null

# Offsets and sizes (in bytes) as sfdisk wrote them: START SIZE per line.
sfdisk -q -l -o Start,Sectors "$out" | awk 'NR > 1 { printf "%.0f %.0f\n", $1 * 512, $2 * 512 }' >"$work/geometry"

n=0
while read -r _ plabel _ fs; do
	n=$((n + 1))
	geom=$(sed -n "${n}p" "$work/geometry")
	off=${geom% *} size=${geom#* }
	[ "$plabel" = - ] && plabel=""
	plabel=$(echo "$plabel" | tr _ ' ')
	case $fs in
	none) continue ;;
	bitlocker)
		# A BitLocker volume's boot sector: a jump, the "-FVE-FS-" OEM id,
		# a BPB (512-byte sectors), the 0x55AA end mark.  No metadata
		# follows: rescue must stop at the signature and never write.
		{ printf '\353\130\220-FVE-FS-\000\002\010\000\000\000\000\000\000\370\000\000\077\000\377\000'
		  head -c 478 /dev/zero; printf '\125\252'; } |
			dd of="$out" bs=512 seek=$((off / 512)) conv=notrunc status=none
		continue ;;
	esac
	loop=$(losetup -f --show -o "$off" --sizelimit "$size" "$out")
	case $fs in
	fat) mkfs.vfat -F 16 -n "$plabel" "$loop" >/dev/null ;;
	ntfs|win:*|bitlocker:*)
		# A volume to encrypt leaves its last MiB outside NTFS: mkbitlocker
		# puts the FVE metadata there, where ntfs-3g never writes (readers
		# drop writes to those blocks, as Windows keeps NTFS out of them).
		sectors=""; case $fs in bitlocker:*) sectors=$((size / 512 - 2048)) ;; esac
		# shellcheck disable=SC2086 # empty: the whole device
		mkntfs -Q -F -q -L "$plabel" -p $((off / 512)) -H 255 -S 63 "$loop" $sectors >/dev/null
		case $fs in win:*|bitlocker:*)
			tree=$work/tree$n
			make_tree "${fs#*:}" "$tree"
			# streams_interface=windows: FILE:STREAM names an alternate data stream
			ntfs-3g -o streams_interface=windows,big_writes "$loop" "$mnt"
			cp -a "$tree/." "$mnt/"
			case ${fs#*:} in win10*)
				if [ -f "$tree.manifest" ]; then add_onedrive "$mnt" "$tree.manifest"; else add_onedrive "$mnt"; fi
			esac
			case $variant in
			hostile*) add_hostile "$mnt" ;;
			damaged) add_damaged "$mnt" ;;
			large*) PATH=/usr/bin:$PATH python3 "$here/winbulk.py" "$mnt" "$bulk" \
					"$(basename "$(first_user "$mnt")")" "$tree.manifest" ;;
			esac
			if [ -f "$tree.manifest" ]; then
				add_stream "$mnt" "$tree.manifest"
				# the manifest of the first Windows partition is the image's
				[ -f "$out.manifest" ] || cp "$tree.manifest" "$out.manifest"
			fi
			umount "$mnt"
			[ "$variant" != dirty ] || set_dirty "$loop"
			[ "$variant" != damaged ] || damage "$loop"
		esac
		case $fs in bitlocker:*) encrypt "$loop" "$off" ;; esac ;;
	esac
	losetup -d "$loop"
	loop=""
done <<EOF
$parts
EOF
echo "build.sh: $variant built in $(( $(date +%s) - started )) s ($(du -k "$out" | cut -f1) KiB on the disk)"
