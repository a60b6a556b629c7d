#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The large-small test disk (tests/images/build.sh large-small: the builder of
# the Windows-sized volume of `make bench-volume` at 20,000 files) holds what
# the builder promises, judged by ntfs-3g's own tools (ntfsls, ntfsinfo,
# ntfscat) and by getfattr/find on a read-only ntfs-3g mount: the number of
# files and folders, the size spread, WinSxS hard links (the MFT record's
# link count), junctions (two of them loops), a path over 300 characters,
# names in many scripts, a compressed folder, sparse files (one over 4 GiB,
# hiberfil.sys not hibernated), Zone.Identifier streams, $Recycle.Bin per
# SID, the samples and their manifest.  Then `rescue --disk IMG detect` and
# `scan` complete on it and find every planted sample, count the WinSxS
# links as names, show their progress line in its form, and read the image
# through a loop device in direct-I/O mode.
# shellcheck disable=SC2016 # sh -c scripts take their arguments as $1...
# shellcheck disable=SC2154 # t_loop is set by t_attach (tests/lib.sh)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/fuse ] || ! command -v ntfs-3g >/dev/null; then
	skip "large volume" "needs root, /dev/fuse and ntfs-3g"; t_done; exit
fi
if ! command -v getfattr >/dev/null; then skip "large volume" "needs getfattr (attr)"; t_done; exit; fi
export RESCUE_RUNDIR="$T/run"
img=$T/large.img mnt=$T/mnt
FILES=20000 LINKS=2600
t_image large-small "$img" || { not_ok "build large-small"; t_done; exit 1; }
# The Windows volume twice, read-only: $t_loop for ntfs-3g's tools, which
# will not open a device that is mounted, and $mloop for the mount.
t_attach "$img" 3
mloop=$(losetup -r -f --show -o "$(losetup -n -O OFFSET "$t_loop" | tr -d ' ')" \
	--sizelimit "$(losetup -n -O SIZELIMIT "$t_loop" | tr -d ' ')" "$img")
mkdir -p "$mnt"
t_on_exit "umount '$mnt' 2>/dev/null || umount -l '$mnt' 2>/dev/null; losetup -d '$mloop'"
ntfs-3g -o ro,streams_interface=windows "$mloop" "$mnt" || { not_ok "ntfs-3g -o ro mount"; t_done; exit 1; }
# the tree's user: the profile with an NTUSER.DAT (mktree.sh)
for u in "$mnt"/Users/*/NTUSER.DAT; do user=$(basename "$(dirname "$u")"); break; done

# --- numbers: files, folders, size spread, real bytes ----------------------------------
find "$mnt" -xdev -type f -printf '%s\n' >"$T/sizes"
files=$(wc -l <"$T/sizes")
dirs=$(find "$mnt" -xdev -type d | wc -l)
small=$(awk '$1 < 65536' "$T/sizes" | wc -l)
mbs=$(awk '$1 >= 1048576 && $1 < 67108864' "$T/sizes" | wc -l)
# both A B C D: A >= B and C >= D
both() { [ "$1" -ge "$2" ] && [ "$3" -ge "$4" ]; }
expect "at least $FILES files ($files) in at least $((FILES / 5)) folders ($dirs)" \
	both "$files" "$FILES" "$dirs" $((FILES / 5))
expect "most files under 64 KiB ($small of $files), a tail of MB-sized ones ($mbs)" \
	both $((small * 100 / files)) 90 "$mbs" 5
used=$(df -k --output=used "$mnt" | tail -n 1)
expect "real bytes on the volume: $((used / 1024)) MiB (>= 250)" test "$used" -ge 256000

# --- WinSxS hard links into System32/SysWOW64 -------------------------------------------
find "$mnt/Windows/WinSxS" -type f -links +1 >"$T/sxs"
nl=$(wc -l <"$T/sxs")
expect "WinSxS holds $nl hard-linked files (>= $LINKS)" test "$nl" -ge "$LINKS"
one=$(head -n 1 "$T/sxs")
twin=$(find "$mnt/Windows/System32" "$mnt/Windows/SysWOW64" -samefile "$one" | head -n 1)
count=$(ntfsinfo -F "${one#"$mnt"}" "$t_loop" 2>/dev/null | sed -n 's/^Number of Hard Links:[[:space:]]*\([0-9]*\).*/\1/p')
expect "ntfsinfo: the MFT record of ${one#"$mnt"/} has 2 links, the other in ${twin#"$mnt"/}" \
	both "${count:-0}" 2 "${#twin}" 1

# --- junctions (mount points; ntfs-3g shows them as links) ------------------------------
for j in "Documents and Settings" "Users/All Users" "Users/Default User" "ProgramData/Application Data" \
	"Users/$user/Application Data" "Users/$user/My Documents" "Users/$user/AppData/Local/Application Data"; do
	tag=$(getfattr -h -e hex -n system.ntfs_reparse_data "$mnt/$j" 2>/dev/null | sed -n 's/^system.ntfs_reparse_data=\(0x.\{8\}\).*/\1/p')
	expect "junction $j: reparse tag 0xa0000003 (mount point), shown as a link" \
		sh -c '[ "$1" = 0x030000a0 ] && [ -L "$2" ]' - "$tag" "$mnt/$j"
done
expect "the junction loop AppData/Local/Application Data leads to AppData/Local itself" \
	test "$(readlink "$mnt/Users/$user/AppData/Local/Application Data")" = "$mnt/Users/$user/AppData/Local"

# --- a long path, names in many scripts ---------------------------------------------------
long=$(find "$mnt" -xdev -type f -printf '%P\n' | awk 'length > 300 && /Package Cache/' | head -n 1)
expect "a file path over 300 characters (${#long}) that ntfscat reads" sh -c 'ntfscat "$1" "/$2" | cmp -s - "$3/$2"' - "$t_loop" "$long" "$mnt"
ntfsls -p "/Users/Maria/Pictures" "$t_loop" >"$T/scripts" 2>&1
for s in Фотографии Φωτογραφίες 'صور العائلة' תמונות 사진 写真と動画 'Ảnh gia đình' '😀 Emoji 🎉'; do
	expect "ntfsls lists the folder '$s'" grep -qxF "$s" "$T/scripts"
done

# --- compression, sparse files ------------------------------------------------------------
attr() { getfattr -h -e hex -n system.ntfs_attrib_be "$mnt/$1" 2>/dev/null | sed -n 's/^system.ntfs_attrib_be=//p'; }
has() { [ $(( $(attr "$1") & $2 )) -ne 0 ]; }
log=$(find "$mnt/Windows/Logs/CBS" -type f | head -n 1)
expect "Windows/Logs/CBS is marked compressed (0x800), its files compressed" \
	sh -c 'ntfsinfo -F "$1" "$2" | grep -q "File attributes:.*COMPRESSED"' - "${log#"$mnt"}" "$t_loop"
expect "getfattr: Windows/Logs/CBS has FILE_ATTRIBUTE_COMPRESSED ($(attr Windows/Logs/CBS))" has Windows/Logs/CBS 0x800
for f in pagefile.sys hiberfil.sys swapfile.sys "Users/$user/Videos/Family holiday 2019.mp4"; do
	expect "$f: sparse (ntfsinfo: SPARSE_FILE)" sh -c 'ntfsinfo -F "/$1" "$2" | grep -q "File attributes:.*SPARSE_FILE"' - "$f" "$t_loop"
done
svi=$(find "$mnt/System Volume Information" -name '*{3808876b-c176-4e48-b7ae-04046e6cc752}')
expect "System Volume Information holds a multi-GB sparse shadow-copy store" \
	both "$(stat -c %s "$svi")" 2147483648 65536 "$(du -k "$svi" | cut -f1)"
expect "hiberfil.sys is not hibernated (ntfscat: its first bytes are zeros)" \
	sh -c 'test "$(ntfscat "$1" /hiberfil.sys | head -c 4 | od -An -tx1 | tr -d " ")" = 00000000' - "$t_loop"
big="Users/$user/Videos/Family holiday 2019.mp4"
expect "one file over 4 GiB ($(stat -c %s "$mnt/$big") bytes), with data across the 4 GiB mark" \
	sh -c 'test "$(stat -c %s "$1")" -gt 4294967296 &&
		dd if="$1" bs=4096 skip=1048575 count=2 status=none | od -An -tx1 | grep -qv "^[ 0]*$"' - "$mnt/$big"

# --- streams, $Recycle.Bin -----------------------------------------------------------------
nz=0
for f in "$mnt/Users/$user/Downloads/"* "$mnt/Users/Maria/Downloads/"*; do
	getfattr -n ntfs.streams.list "$f" 2>/dev/null | grep -q Zone.Identifier && nz=$((nz + 1))
done
expect "$nz downloads carry a Zone.Identifier stream (>= 16)" test "$nz" -ge 16
dl=$(find "$mnt/Users/Maria/Downloads" -name '*_setup_*.exe' | head -n 1)
expect "ntfscat -n Zone.Identifier reads a download's stream: ZoneId=3" \
	sh -c 'ntfscat -n Zone.Identifier "$1" "$2" | grep -q "^ZoneId=3"' - "$t_loop" "${dl#"$mnt"}"
ntfsls -p '/$Recycle.Bin' "$t_loop" >"$T/recycle" 2>&1
expect "\$Recycle.Bin has a folder per SID (SYSTEM, -500, -1001, -1002)" \
	sh -c 'grep -qx S-1-5-18 "$1" && grep -q "^S-1-5-21-.*-500$" "$1" && grep -q -- "-1001$" "$1" && grep -q -- "-1002$" "$1"' - "$T/recycle"

# --- the samples ------------------------------------------------------------------------------
expect "the manifest names a sample in WinSxS and one in a second profile" \
	sh -c 'grep -q "^Windows/WinSxS/.*	EICAR" "$1" && grep -q "^Users/Maria/" "$1"' - "$img.manifest"
missing=0
while IFS='	' read -r path _; do
	case $path in
	*:*) ntfscat -n "${path##*:}" "$t_loop" "/${path%:*}" >/dev/null 2>&1 || missing=$((missing + 1)) ;;
	*/OneDrive/*) ;;	# a cloud reparse point: ntfscat does not go there
	*) ntfscat "$t_loop" "/$path" >/dev/null 2>&1 || missing=$((missing + 1)) ;;
	esac
done <"$img.manifest"
expect "ntfscat reads every planted sample of the manifest ($(wc -l <"$img.manifest"))" test "$missing" -eq 0
umount "$mnt"
t_detach

# --- rescue on it ----------------------------------------------------------------------------
timeout 600 "$RESCUE" --disk "$img" --json detect >"$T/detect.json" 2>"$T/detect.err"; rc=$?
expect "rescue --disk detect: exit 0, Windows 10 on p3 (exit $rc)" sh -c \
	'test "$1" = 0 && jq -e ".volumes[] | select(.number == 3) | .windows == true" "$2" >/dev/null' - "$rc" "$T/detect.json"
# The scan with its stderr on a terminal (tests/bench/stamp.py), as a
# technician watches it, and the loop device it reads looked at meanwhile.
abs=$(readlink -f "$img")
(
	while :; do
		for d in /sys/block/loop*; do
			[ "$(cat "$d/loop/backing_file" 2>/dev/null)" = "$abs" ] && cat "$d/loop/dio"
		done
		sleep 0.1
	done
) >"$T/dio" 2>/dev/null &
poller=$!
timeout 1200 /usr/bin/python3 "$TOP/tests/bench/stamp.py" "$T/stamps" \
	"$RESCUE" --disk "$img" --json scan >"$T/scan.jsonl" 2>"$T/scan.err"; rc=$?
kill "$poller"; wait "$poller" 2>/dev/null
expect "rescue --disk scan: completes (exit 1: detections; got $rc), files counted" sh -c \
	'test "$1" = 1 && test "$(jq -r "select(.type == \"summary\") | .files" "$2")" -ge "$3"' - "$rc" "$T/scan.jsonl" "$FILES"
# Each WinSxS hard link is one more name of a System32/SysWOW64 file, not
# one more file: counted, not read again (the walk does not even open its
# MFT record: rescue/volume/walk.h, walk_known_fn).
expect "the summary counts the $LINKS WinSxS links as names, not files" sh -c \
	'jq -e "select(.type == \"summary\") | .names - .files >= $2" "$1" >/dev/null' - "$T/scan.jsonl" "$LINKS"
# The progress line: files, MB, MB/s, an ETA in one form (m:ss, h:mm:ss;
# "--:--" until the MFT's count is known, rescue/base/duration.h), rounded
# to whole seconds.  A scan over before its first report (250 ms) shows
# none: then there is nothing to judge.
progress_re='^[0-9]+/[0-9]+\+? files +[0-9]+/[0-9]+ MB +[0-9.]+ MB/s +ETA (--:--|[0-9]+:[0-5][0-9]|[0-9]+:[0-5][0-9]:[0-5][0-9]\+?) +[0-9]+ detected'
awk -F'\t' '$2 == "err" && $3 ~ /^[0-9]+\/[0-9]+\+? files / { print $3 }' "$T/stamps" >"$T/progress"
if [ ! -s "$T/progress" ]; then
	skip "the progress line's form" "the scan ended before its first progress report"
else
	expect "every progress line shows files, MB, MB/s and an ETA as m:ss ($(wc -l <"$T/progress") lines)" \
		sh -c '! grep -Evq "$1" "$2"' - "$progress_re" "$T/progress"
fi
# Direct I/O (rescue/disk/loopdev.c): where the image's file system takes
# it (dd iflag=direct), the loop device is in that mode while rescue holds it.
if ! dd if="$img" of=/dev/null bs=4096 count=1 iflag=direct 2>/dev/null; then
	skip "loop device direct I/O" "the file system under $img refuses O_DIRECT"
else
	expect "the loop device reads the image with direct I/O (/sys/block/loopN/loop/dio: $(sort -u "$T/dio" | tr '\n' ' '))" \
		grep -qx 1 "$T/dio"
fi
jq -r 'select(.type == "detection") | [(.path + (if .stream then ":" + .stream else "" end)), (.rules | join(","))] | @tsv' \
	"$T/scan.jsonl" | LC_ALL=C sort -u >"$T/got"
LC_ALL=C sort "$img.manifest" | LC_ALL=C comm -23 - "$T/got" >"$T/missed"
if [ ! -s "$T/missed" ] && [ -s "$T/got" ]; then
	ok "rescue --disk scan finds every planted sample with its rules ($(wc -l <"$img.manifest"))"
else
	not_ok "rescue --disk scan missed planted samples"; sed 's/^/#   /' "$T/missed"; tail -n 5 "$T/scan.err" | sed 's/^/#   /'
fi
t_done
