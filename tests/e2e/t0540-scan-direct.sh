#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue scan --read direct (libntfs-3g, no FUSE) against --read mount on the
# win10-gpt test disk's Windows volume (ntfs-3g on a loop device, fuseblk):
# the same detections (path, stream, rules, SHA-256, size) and the same skip
# lists, equal to the planted set (an ADS, Unicode names, a deep path, a
# junction loop not followed) plus a file over --max-size listed, a FIFO, a
# hard link; a PATH inside the volume; auto picks direct there and the mount
# on a plain directory, where direct fails with one line; quarantine through
# the mount of what was read directly; a volume whose boot
# sector is gone under the mount, or whose MFT records are damaged, gives a
# clear error or a fallback, never a crash.  The user's OneDrive folder, which
# only the direct read can enter (t0545), is taken out first: here both reads
# must see the same volume.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

img=$T/disk.img mnt=$T/mnt loop=""   # loop: set by t_win_mount
# The Windows partition, read-write: the test adds files through ntfs-3g.
t_win_mount win10-gpt "$img" "$mnt"

# The OneDrive folder taken out: ntfs-3g shows a folder's entries only once
# its reparse point is gone, and a remount drops the kernel's view of it as a
# link, so one level of reparse points is lifted per mount.
for level in 1 2 3; do
	PATH=/usr/bin:$PATH python3 - "$mnt" <<'PY' || not_ok "lift the OneDrive reparse points (level $level)"
import glob, os, sys
for od in glob.glob(os.path.join(sys.argv[1], 'Users', '*', 'OneDrive')):
    paths = [od] + [os.path.join(t, n) for t, ds, fs in os.walk(od) for n in ds + fs]
    for p in paths:
        if os.path.islink(p):
            os.removexattr(p, 'system.ntfs_reparse_data', follow_symlinks=False)
PY
	umount "$mnt" && ntfs-3g "$loop" "$mnt" || { not_ok "ntfs-3g remount"; t_done; exit 1; }
done
rm -r "$mnt"/Users/*/OneDrive || not_ok "remove the OneDrive folder"
grep -v '/OneDrive/' "$img.manifest" >"$T/manifest" && mv "$T/manifest" "$img.manifest"

# What the planted set does not have: a file over the size limit with an
# indicator inside, a FIFO (an Interix FIFO on NTFS), a hard link to a clean file.
max=$((1024 * 1024))
{ head -c "$max" /dev/zero; printf 'bUdiuy81gYguty@4frdRdpfko(eKmudeuMncueaN'; } >"$mnt/Windows/Temp/big.bin"
mkfifo "$mnt/Windows/Temp/a-fifo"
echo 'clean' >"$mnt/Windows/Temp/clean.txt"
ln "$mnt/Windows/Temp/clean.txt" "$mnt/Windows/Temp/clean-link.txt"
# A DOS 8.3 alias, as Windows gives long names: the same file, not listed twice.
echo 'long name' >"$mnt/Windows/Temp/a long file name.txt"
/usr/bin/python3 -c 'import os, sys; os.setxattr(sys.argv[1], "system.ntfs_dos_name", b"ALONGF~1.TXT")' \
	"$mnt/Windows/Temp/a long file name.txt" || not_ok "setting a DOS name"
LC_ALL=C sort "$img.manifest" >"$T/want"

# detections FILE.jsonl: PATH[:STREAM] <TAB> RULES <TAB> SHA-256 <TAB> SIZE, sorted.
detections() {
	jq -r 'select(.type == "detection") | [(.path + (if .stream then ":" + .stream else "" end)), (.rules | join(",")), .sha256, .size] | @tsv' "$1" |
		LC_ALL=C sort
}
skips() { jq -r 'select(.type == "skipped") | [.path, .reason] | @tsv' "$1" | LC_ALL=C sort; }
summary() { jq -r "select(.type == \"summary\") | $2" "$1"; }

for how in mount direct; do
	"$RESCUE" --root "$mnt" --json scan --read "$how" --max-size "$max" >"$T/$how.jsonl" 2>"$T/$how.err"
	echo $? >"$T/$how.rc"
	detections "$T/$how.jsonl" >"$T/$how.det"
	skips "$T/$how.jsonl" >"$T/$how.skip"
done
if [ "$(cat "$T/direct.rc")" = 1 ] && [ "$(summary "$T/direct.jsonl" .read)" = "ntfs-3g direct" ] &&
	[ "$(summary "$T/mount.jsonl" .read)" = mount ]; then
	ok "--read direct exits 1 and says it read through ntfs-3g directly, --read mount through the mount"
else
	not_ok "direct: exit $(cat "$T/direct.rc"), read $(summary "$T/direct.jsonl" .read)"; sed 's/^/#   /' "$T/direct.err"
fi
cut -f1,2 "$T/direct.det" >"$T/got"
if cmp -s "$T/want" "$T/got"; then
	ok "direct: detections equal the planted set exactly ($(wc -l <"$T/want"): ADS, Unicode, deep path)"
else
	not_ok "direct: detections differ from the planted set"; diff "$T/want" "$T/got" | sed 's/^/#   /'
fi
if cmp -s "$T/mount.det" "$T/direct.det" && [ -s "$T/direct.det" ]; then
	ok "direct and mount: the same detections (path, stream, rules, SHA-256, size)"
else
	not_ok "direct and mount detections differ"; diff "$T/mount.det" "$T/direct.det" | sed 's/^/#   /'
fi
if cmp -s "$T/mount.skip" "$T/direct.skip" && [ -s "$T/direct.skip" ]; then
	ok "direct and mount: the same skip lists ($(wc -l <"$T/direct.skip") entries)"
else
	not_ok "direct and mount skip lists differ"; diff "$T/mount.skip" "$T/direct.skip" | sed 's/^/#   /'
fi
same=1
for k in files streams bytes too_big special_file link_not_followed system_file unreadable; do
	a=$(summary "$T/mount.jsonl" ".$k") b=$(summary "$T/direct.jsonl" ".$k")
	[ -n "$a" ] && [ "$a" = "$b" ] || { not_ok "summary $k: mount $a, direct $b"; same=0; }
done
[ $same = 0 ] || ok "direct and mount: the same counts of files, streams, bytes and skips ($(summary "$T/direct.jsonl" .files) files)"
if grep -q '^Windows/Temp/big.bin	too big$' "$T/direct.skip" && grep -q '^Windows/Temp/a-fifo	special file$' "$T/direct.skip"; then
	ok "direct: the file over --max-size is too big, the FIFO a special file"
else
	not_ok "direct: big.bin or the FIFO not listed"; sed 's/^/#   /' "$T/direct.skip"
fi
dos=$(/usr/bin/python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "system.ntfs_dos_name").decode())' \
	"$mnt/Windows/Temp/a long file name.txt" 2>/dev/null)
if [ "$dos" = ALONGF~1.TXT ] && ! grep -q 'ALONGF~1' "$T/direct.jsonl"; then
	ok "direct: the DOS 8.3 alias is not scanned as a second file"
else
	not_ok "direct: the DOS alias was listed"
fi
n=$(grep -c '	link not followed$' "$T/direct.skip")
if [ "$n" -ge 2 ] && grep -q '^Documents and Settings	link not followed$' "$T/direct.skip"; then
	ok "direct: $n junctions/links (a loop among them) listed, not followed"
else
	not_ok "direct: links $n"
fi

# PATHS inside the volume, read directly (any case, as with the mount).
"$RESCUE" --root "$mnt" --json scan --read direct users >"$T/p.jsonl" 2>&1
detections "$T/p.jsonl" | cut -f1,2 >"$T/p.got"
grep '^Users/' "$T/want" >"$T/p.want"
if cmp -s "$T/p.want" "$T/p.got"; then ok "direct: a PATH inside the volume scans that folder only ($(wc -l <"$T/p.want"))"
else not_ok "direct: PATH scan differs"; diff "$T/p.want" "$T/p.got" | sed 's/^/#   /'; fi

# auto takes the direct path on the mount.
"$RESCUE" --root "$mnt" --json scan >"$T/a.jsonl" 2>&1
expect "auto on an ntfs-3g mount reads directly" test "$(summary "$T/a.jsonl" .read)" = "ntfs-3g direct"

# Quarantine works through the mount from what was read directly: the
# stat given to it (MFT number, size, NTFS times) is the mount's, or it
# would refuse every file as "changed since it was scanned".
"$RESCUE" --root "$mnt" --json scan --read direct --quarantine --max-size "$max" >"$T/q.jsonl" 2>"$T/q.err"
nq=$(jq -r 'select(.type == "detection" and (.action | startswith("quarantined "))) | .path' "$T/q.jsonl" | wc -l)
"$RESCUE" --root "$mnt" --json scan --read direct --max-size "$max" >"$T/q2.jsonl" 2>&1
if [ "$nq" -eq "$(wc -l <"$T/want")" ] && [ "$(summary "$T/q2.jsonl" .detections)" = 0 ]; then
	ok "direct + --quarantine: all $nq detections quarantined through the mount, a second scan finds none"
else
	not_ok "direct + --quarantine: $nq quarantined, then $(summary "$T/q2.jsonl" .detections) detections"
	jq -r 'select(.type == "detection") | .action' "$T/q.jsonl" | sed 's/^/#   /'
fi

# A plain directory: direct refuses with one line, auto reads it as before.
plain=$T/plain
sh "$TOP/tests/fixtures/mktree.sh" win10 "$plain" >/dev/null
"$RESCUE" --root "$plain" scan --read direct >"$T/pd.out" 2>"$T/pd.err"; rc=$?
if [ $rc -eq 3 ] && [ "$(wc -l <"$T/pd.err")" -eq 1 ] && grep -q 'not an ntfs-3g mount' "$T/pd.err" && [ ! -s "$T/pd.out" ]; then
	ok "--read direct on a plain directory: exit 3, one line: $(cat "$T/pd.err")"
else
	not_ok "--read direct on a plain directory: exit $rc"; sed 's/^/#   /' "$T/pd.err"
fi
"$RESCUE" --root "$plain" --json scan >"$T/pa.jsonl" 2>&1; rc=$?
if [ $rc -eq 0 ] && [ "$(summary "$T/pa.jsonl" .read)" = mount ] && [ "$(summary "$T/pa.jsonl" .files)" -gt 0 ]; then
	ok "--read auto on a plain directory reads through the file system (exit 0)"
else
	not_ok "--read auto on a plain directory: exit $rc"; sed 's/^/#   /' "$T/pa.jsonl"
fi
expect_exit 2 "--read with a bad value is a usage error" "$RESCUE" --root "$plain" scan --read fast
umount "$mnt"; losetup -d "$loop"; loop=""

# Damaged volumes, on an image file mounted by ntfs-3g (fuse): MFT records of
# user files overwritten with garbage, then the boot sectors zeroed under the
# live mount.  Never a crash: direct reads what it can and lists the rest, or
# cannot open the volume and says so; auto then falls back to the mount.
bad=$T/bad.img
truncate -s 16M "$bad"
mkntfs -q -F -f "$bad" >/dev/null 2>&1 || { not_ok "mkntfs"; t_done; exit 1; }
ntfs-3g "$bad" "$mnt"
for i in 1 2 3 4 5 6 7 8; do mkdir -p "$mnt/d$i"; echo "file $i" >"$mnt/d$i/f.txt"; done
mkdir -p "$mnt/Windows/System32/config"; : >"$mnt/Windows/System32/config/SYSTEM"	# records after the damaged ones
umount "$mnt"
# $MFT's first cluster (boot sector: bytes per sector at 11, sectors per
# cluster at 13, the $MFT's LCN at 48); 1 KiB records, user files from 64.
le() { od -An -t "u$1" -j "$2" -N "$1" "$bad" | tr -d ' '; }
mft=$(( $(le 8 48) * $(le 2 11) * $(le 1 13) ))
head -c 12288 /dev/urandom | dd of="$bad" bs=1024 seek=$((mft / 1024 + 66)) conv=notrunc 2>/dev/null
ntfs-3g -o ro "$bad" "$mnt" 2>/dev/null || { not_ok "ntfs-3g mount of the damaged image"; t_done; exit 1; }
"$RESCUE" --root "$mnt" --json scan --read direct >"$T/bad.jsonl" 2>"$T/bad.err"; rc=$?
if [ $rc -le 4 ] && [ $rc -ne 2 ] && ! grep -q 'Sanitizer\|Segmentation' "$T/bad.err" && [ "$(summary "$T/bad.jsonl" .type)" = summary ]; then
	ok "damaged MFT records, read directly: exit $rc, $(summary "$T/bad.jsonl" .unreadable) listed unreadable, no crash"
else
	not_ok "damaged MFT: exit $rc"; sed 's/^/#   /' "$T/bad.err"
fi
dd if=/dev/zero of="$bad" bs=512 count=1 conv=notrunc 2>/dev/null
dd if=/dev/zero of="$bad" bs=512 seek=$(( $(stat -c %s "$bad") / 512 - 1 )) count=1 conv=notrunc 2>/dev/null
"$RESCUE" --root "$mnt" scan --read direct >"$T/nb.out" 2>"$T/nb.err"; rc=$?
if [ $rc -eq 3 ] && [ "$(wc -l <"$T/nb.err")" -eq 1 ] && grep -q 'cannot open it' "$T/nb.err"; then
	ok "no boot sector: --read direct exits 3 with one line: $(cat "$T/nb.err")"
else
	not_ok "no boot sector, direct: exit $rc"; sed 's/^/#   /' "$T/nb.err"
fi
"$RESCUE" --root "$mnt" --json scan >"$T/nba.jsonl" 2>"$T/nba.err"; rc=$?
if [ $rc -le 4 ] && [ $rc -ne 2 ] && [ $rc -ne 3 ] && [ "$(summary "$T/nba.jsonl" .read)" = mount ]; then
	ok "no boot sector: auto falls back to the mount (exit $rc)"
else
	not_ok "no boot sector, auto: exit $rc"; sed 's/^/#   /' "$T/nba.err"
fi
umount "$mnt"
t_done
