#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Files Windows compressed with WOF (CompactOS), laid out as Windows lays them
# out on a small NTFS image through ntfs-3g: a sparse unnamed stream of the
# real size, the chunks in "WofCompressedData" (compressed by wimlib, a tool
# we did not write: tests/fixtures/wofpack.c), the reparse data set through
# system.ntfs_reparse_data.
#  - scan --read direct reads them decoded: EICAR (XPRESS4K), a sample whose
#    indicator sits past the first chunks (XPRESS16K), a clean real PE (LZX)
#    and clean text (XPRESS8K); it detects exactly the two the yara CLI
#    detects in the plain originals; a damaged one, one of an unknown
#    algorithm and one without its compressed stream are unreadable with the
#    reason; one over --max-size is too big by its real size; a WIMBoot
#    pointer file (its data in a WIM elsewhere) stays a reparse point not read;
#  - --read mount lists all eight as reparse points the mount cannot read;
#  - a quarantine is refused when the file does not decode to the scanned
#    bytes again (tests/fixtures/quarantine-hit.c), goes through when it does;
#  - scan --quarantine then quarantine restore puts back plain files with the
#    original bytes (cmp; ntfscat and ntfsinfo on the unmounted image: no
#    reparse point, no compressed stream left);
#  - the UI's quarantine of a listed detection (rs_clean_path: its path and
#    scanned SHA-256, no new scan; tests/fixtures/clean-path.c) decodes a WOF
#    file again: refused with other bytes, moved with its own.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

if [ ! -f /usr/include/wimlib.h ] || ! command -v cc >/dev/null; then
	skip "WOF scan" "needs cc and libwim-dev (tests/deps.sh)"; t_done; exit
fi
img=$T/ntfs.img mnt=$T/mnt orig=$T/orig sys=Windows/System32
t_ntfs_mount "$img" "$mnt" 64M streams_interface=windows
yarc=$TOP/build/rules/compiled.yarc
hashes=$TOP/build/rules/hashes.sha256
cc -std=gnu11 -O2 -I"$TOP" -o "$T/wofpack" "$TOP/tests/fixtures/wofpack.c" -lwim ||
	{ not_ok "build tests/fixtures/wofpack.c"; t_done; exit 1; }
mkdir -p "$orig/$sys" "$mnt/$sys/config"
: >"$mnt/$sys/config/SYSTEM"

# The plain originals (the yara CLI judges these).
# shellcheck disable=SC2016 # the $ signs are EICAR's own characters
printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' >"$orig/$sys/eicar.com"
{ printf 'MZ'; seq 1 9000; printf 'bUdiuy81gYguty@4frdRdpfko(eKmudeuMncueaN\000'; seq 1 3000; } >"$orig/$sys/qkey.dll"
pe=$(find /usr/lib -xdev -type f \( -name '*.efi' -o -name '*.efi.signed' \) -size +300k 2>/dev/null | sort | head -n 1)
if [ -n "$pe" ]; then head -c 400000 "$pe" >"$orig/$sys/clean.efi"; else seq 1 60000 >"$orig/$sys/clean.efi"; fi
seq 100000 105000 >"$orig/$sys/clean.txt"
cp "$orig/$sys/qkey.dll" "$orig/$sys/damaged.dll"
cp "$orig/$sys/clean.txt" "$orig/$sys/unknown.bin"
cp "$orig/$sys/clean.txt" "$orig/$sys/nostream.bin"

# wof ALGO FILE [REPARSE-ALGO [CUT]]: FILE (relative) onto the mount as a WOF
# file compressed with ALGO, its reparse data naming REPARSE-ALGO, its
# compressed stream cut to CUT bytes ("none": no stream at all).
wof() {
	"$T/wofpack" "$1" "$orig/$2" "$T/stream" >"$T/pack.out" || return 1
	case ${4:-} in none | '') ;; *) truncate -s "$4" "$T/stream" ;; esac
	: >"$mnt/$2"
	truncate -s "$(stat -c %s "$orig/$2")" "$mnt/$2"     # the sparse unnamed stream
	[ "${4:-}" = none ] || cat "$T/stream" >"$mnt/$2:WofCompressedData"
	/usr/bin/python3 -c '
import os, struct, sys
# tag, data length, reserved; WOF_EXTERNAL_INFO (version 1, provider 2: file);
# FILE_PROVIDER_EXTERNAL_INFO_V1 (version 1, algorithm)
rp = struct.pack("<IHH", 0x80000017, 16, 0) + struct.pack("<IIII", 1, 2, 1, int(sys.argv[2]))
os.setxattr(sys.argv[1], "system.ntfs_reparse_data", rp)' "$mnt/$2" "${3:-$1}"
}
ok_all=1
wof 0 "$sys/eicar.com" || ok_all=0
wof 3 "$sys/qkey.dll" || ok_all=0
grep -q ' [1-9][0-9]* compressed and' "$T/pack.out" || ok_all=0     # really compressed chunks
wof 1 "$sys/clean.efi" || ok_all=0
wof 2 "$sys/clean.txt" || ok_all=0
wof 3 "$sys/damaged.dll" 3 3000 || ok_all=0
wof 0 "$sys/unknown.bin" 9 || ok_all=0
wof 2 "$sys/nostream.bin" 2 none || ok_all=0
# A WIMBoot pointer file: WOF_EXTERNAL_INFO with provider 1 (WIM) and its own data.
echo 'in a WIM' >"$mnt/$sys/wimboot.dll"
/usr/bin/python3 -c '
import os, struct, sys
rp = struct.pack("<IHH", 0x80000017, 16, 0) + struct.pack("<IIQ", 1, 1, 7)
os.setxattr(sys.argv[1], "system.ntfs_reparse_data", rp)' "$mnt/$sys/wimboot.dll" || ok_all=0
# Remounted: ntfs-3g caches what it showed before the reparse data was set.
umount "$mnt" && ntfs-3g -o streams_interface=windows "$img" "$mnt" || ok_all=0
n=$(find "$mnt/$sys" -maxdepth 1 -type l | wc -l)
if [ $ok_all = 1 ] && [ "$n" -eq 8 ]; then
	ok "eight WOF files made; ntfs-3g shows each as a link it cannot read"
else
	not_ok "making the WOF files ($n links)"; find "$mnt/$sys" -maxdepth 1 -printf '%y %s %p\n' | sed 's/^/#   /'
fi

detections() {
	jq -r 'select(.type == "detection") | [(.path + (if .stream then ":" + .stream else "" end)), (.rules | join(","))] | @tsv' "$1" |
		LC_ALL=C sort
}
skips() { jq -r 'select(.type == "skipped") | [.path, .reason, .detail] | @tsv' "$1" | LC_ALL=C sort; }
summary() { jq -r "select(.type == \"summary\") | $2" "$1"; }

"$RESCUE" --root "$mnt" --json scan --read direct >"$T/d.jsonl" 2>"$T/d.err"; rc=$?
detections "$T/d.jsonl" >"$T/d.det"
# The yara CLI (and sha256sum) on the plain originals, less the two rescue
# cannot read by design.
sh "$TOP/tests/samples/yara-verdicts.sh" "$yarc" "$hashes" "$orig" |
	grep -v -e '^Windows/System32/damaged.dll	' -e '^Windows/System32/unknown.bin	' -e '^Windows/System32/nostream.bin	' \
	>"$T/yara"
printf '%s\t%s\n' "$sys/eicar.com" "EICAR_Test_File,hash:EICAR-Test-File" "$sys/qkey.dll" "Qakbot_Hardcoded_Key_2023" |
	LC_ALL=C sort >"$T/want"
if [ $rc -eq 1 ] && cmp -s "$T/want" "$T/d.det" && cmp -s "$T/yara" "$T/d.det"; then
	ok "--read direct: detects exactly EICAR (XPRESS4K) and the key past the first chunks (XPRESS16K), as the yara CLI on the originals"
else
	not_ok "--read direct: exit $rc, detections differ"; diff "$T/want" "$T/d.det" | sed 's/^/#   /'
	diff "$T/yara" "$T/d.det" | sed 's/^/#   want yara: /'; sed 's/^/#   /' "$T/d.err"
fi
# Every readable WOF file was read whole: the bytes counted are the originals'.
want_bytes=0
for f in eicar.com qkey.dll clean.efi clean.txt; do want_bytes=$((want_bytes + $(stat -c %s "$orig/$sys/$f"))); done
if [ "$(summary "$T/d.jsonl" .bytes)" = "$want_bytes" ] && [ "$(summary "$T/d.jsonl" .streams)" = 0 ] &&
	[ "$(summary "$T/d.jsonl" .link_not_followed)" = 0 ]; then
	ok "--read direct: the four readable ones read whole ($want_bytes bytes), no compressed stream scanned as a stream"
else
	not_ok "--read direct: $(summary "$T/d.jsonl" .bytes) bytes (want $want_bytes), $(summary "$T/d.jsonl" .streams) streams"
fi
skips "$T/d.jsonl" >"$T/d.skip"
if grep -q "^$sys/damaged.dll	unreadable	WOF data damaged: " "$T/d.skip" &&
	grep -q "^$sys/unknown.bin	unreadable	WOF-compressed with unknown algorithm 9: not readable here$" "$T/d.skip" &&
	grep -q "^$sys/nostream.bin	unreadable	WOF-compressed, but its WofCompressedData stream is missing$" "$T/d.skip" &&
	grep -q "^$sys/wimboot.dll	reparse point	compressed by Windows (WOF: CompactOS or WIMBoot) (reparse tag 0x80000017): only Windows can read it$" "$T/d.skip" &&
	[ "$(wc -l <"$T/d.skip")" -eq 4 ]; then
	ok "--read direct: damaged, unknown algorithm, no stream listed as unreadable with the reason; WIMBoot as not read"
else
	not_ok "--read direct: skip list"; sed 's/^/#   /' "$T/d.skip"
fi
# The walk sees the real size: over --max-size is too big, not read.
"$RESCUE" --root "$mnt" --json scan --read direct --max-size 100000 >"$T/b.jsonl" 2>&1
if jq -e -s 'any(.[]; .type == "skipped" and .path == "Windows/System32/clean.efi" and .reason == "too big" and .size == 400000)' \
	"$T/b.jsonl" >/dev/null; then
	ok "--read direct --max-size 100000: the 400000-byte WOF file (LZX) is too big, by its real size"
else
	not_ok "--max-size on a WOF file"; jq -c 'select(.type == "skipped")' "$T/b.jsonl" | sed 's/^/#   /'
fi

# Through the mount, none can be read: all eight listed, none silently.
"$RESCUE" --root "$mnt" --json scan --read mount >"$T/m.jsonl" 2>&1; rc=$?
skips "$T/m.jsonl" | grep "^$sys/" >"$T/m.skip"
why="reparse point	compressed by Windows (WOF: CompactOS or WIMBoot) (reparse tag 0x80000017): the ntfs-3g mount cannot read it"
if [ $rc -eq 0 ] && [ "$(grep -c "	$why$" "$T/m.skip")" -eq 8 ] && [ "$(summary "$T/m.jsonl" .detections)" = 0 ]; then
	ok "--read mount: the eight WOF files listed as not scanned: $(cut -f3 "$T/m.skip" | head -n 1)"
else
	not_ok "--read mount: exit $rc"; sed 's/^/#   /' "$T/m.skip"
fi

# The quarantine's "changed since it was scanned" check holds for a WOF file
# (the mount shows a link: it is decoded again): a hit claiming other bytes
# is refused and the file left as it was.
lib=$TOP/build/librescue.a san=""
if [ -f "$TOP/build-asan/librescue.a" ]; then lib=$TOP/build-asan/librescue.a san="-fsanitize=address,undefined"; fi
# shellcheck disable=SC2046,SC2086 # the flags are words
cc -std=gnu11 -I"$TOP" $san -o "$T/qhit" "$TOP/tests/fixtures/quarantine-hit.c" "$lib" \
	$(pkg-config --libs hivex yara libntfs-3g nettle blkid) -lpthread || not_ok "build tests/fixtures/quarantine-hit.c"
other=$(printf 'other bytes' | sha256sum | cut -d' ' -f1)
"$T/qhit" "$mnt" "$sys/eicar.com" "$other" >"$T/qh.out" 2>&1; rc=$?
if [ $rc -eq 4 ] && grep -q "eicar.com: changed since it was scanned: left in place" "$T/qh.out" &&
	[ -L "$mnt/$sys/eicar.com" ] && [ -z "$("$RESCUE" --root "$mnt" --json quarantine list)" ]; then
	ok "quarantine of a WOF file whose bytes are not the scanned ones: refused, left in place ($(cat "$T/qh.out"))"
else
	not_ok "quarantine of a changed WOF file: exit $rc"; sed 's/^/#   /' "$T/qh.out"
fi
# ... and the same call with the bytes' own SHA-256 goes through (clean.txt,
# XPRESS8K), restored at once.
id=$("$T/qhit" "$mnt" "$sys/clean.txt" 2>&1); rc=$?
"$RESCUE" --root "$mnt" quarantine restore "$id" >/dev/null 2>&1
if [ $rc -eq 0 ] && cmp -s "$orig/$sys/clean.txt" "$mnt/$sys/clean.txt" && [ ! -L "$mnt/$sys/clean.txt" ]; then
	ok "the same call with the true SHA-256 quarantines it; restored as a plain file, byte-identical"
else
	not_ok "quarantine of an unchanged WOF file: exit $rc ($id)"
fi

# Quarantine from the direct read, then restore: plain files, same bytes.
"$RESCUE" --root "$mnt" --json scan --read direct --quarantine >"$T/q.jsonl" 2>"$T/q.err"
nq=$(jq -r 'select(.type == "detection" and (.action | startswith("quarantined "))) | .path' "$T/q.jsonl" | wc -l)
if [ "$nq" -eq 2 ] && [ ! -e "$mnt/$sys/eicar.com" ] && [ ! -L "$mnt/$sys/qkey.dll" ]; then
	ok "scan --quarantine: both WOF detections quarantined and removed"
else
	not_ok "scan --quarantine: $nq quarantined"; jq -r 'select(.type == "detection") | .action' "$T/q.jsonl" | sed 's/^/#   /'
fi
for id in $("$RESCUE" --root "$mnt" --json quarantine list | jq -r .id); do
	"$RESCUE" --root "$mnt" quarantine restore "$id" >/dev/null 2>>"$T/r.err" || echo "$id" >>"$T/r.fail"
done
same=0
for f in eicar.com qkey.dll; do
	[ -f "$mnt/$sys/$f" ] && [ ! -L "$mnt/$sys/$f" ] && cmp -s "$orig/$sys/$f" "$mnt/$sys/$f" && same=$((same + 1))
done
if [ ! -s "$T/r.fail" ] && [ $same -eq 2 ]; then
	ok "quarantine restore: both back as plain files, byte-identical to the originals (cmp through the mount)"
else
	not_ok "quarantine restore: $same identical"; sed 's/^/#   /' "$T/r.err" 2>/dev/null
fi
umount "$mnt"
disk_ok=1
for f in eicar.com qkey.dll; do
	ntfscat "$img" "$sys/$f" >"$T/cat" 2>/dev/null && cmp -s "$orig/$sys/$f" "$T/cat" || disk_ok=0
	ntfsinfo -F "$sys/$f" "$img" >"$T/info" 2>/dev/null || disk_ok=0
	if grep -q -e 'REPARSE_POINT' -e 'WofCompressedData' "$T/info"; then disk_ok=0; fi
done
ntfsinfo -F "$sys/clean.efi" "$img" >"$T/info" 2>/dev/null
grep -q 'Reparse tag:.*0x80000017' "$T/info" || disk_ok=0    # the judge sees a WOF file's reparse point
if [ $disk_ok = 1 ]; then
	ok "on the unmounted image (ntfscat, ntfsinfo): the restored files hold the original bytes, no reparse point, no compressed stream"
else
	not_ok "the image after restore"; sed 's/^/#   /' "$T/info"
fi
# rs_clean_path on a WOF file made now (late.txt, XPRESS8K): the screen's
# record says other bytes are a change, its own bytes go to the quarantine.
# shellcheck disable=SC2046,SC2086 # the flags are words
cc -std=gnu11 -I"$TOP" $san -o "$T/cpath" "$TOP/tests/fixtures/clean-path.c" "$lib" \
	$(pkg-config --libs hivex yara libntfs-3g nettle blkid expat) -lpthread || not_ok "build tests/fixtures/clean-path.c"
cp "$orig/$sys/clean.txt" "$orig/$sys/late.txt"
ntfs-3g -o streams_interface=windows "$img" "$mnt" && wof 2 "$sys/late.txt" && umount "$mnt" && ntfs-3g "$img" "$mnt" ||
	not_ok "late.txt as a WOF file"
size=$(stat -c %s "$orig/$sys/late.txt") sum=$(sha256sum <"$orig/$sys/late.txt" | cut -d' ' -f1)
"$T/cpath" "$mnt" "$sys/late.txt" "$other" "$size" >"$T/cp.out" 2>&1; rc=$?
if [ $rc -eq 3 ] && grep -qx "quarantine failed: changed since it was scanned: left in place" "$T/cp.out" && [ -L "$mnt/$sys/late.txt" ]; then
	ok "rs_clean_path, a WOF file listed with other bytes: left in place ($(cat "$T/cp.out"))"
else
	not_ok "rs_clean_path, changed WOF file: exit $rc"; sed 's/^/#   /' "$T/cp.out"
fi
"$T/cpath" "$mnt" "$sys/late.txt" "$sum" "$size" >"$T/cp.out" 2>&1; rc=$?
if [ $rc -eq 1 ] && [ "$(cat "$T/cp.out")" = "quarantined as $sum" ] && [ ! -e "$mnt/$sys/late.txt" ] &&
	"$RESCUE" --root "$mnt" quarantine restore "$sum" >/dev/null 2>&1 && cmp -s "$orig/$sys/late.txt" "$mnt/$sys/late.txt"; then
	ok "rs_clean_path, the WOF file as listed: quarantined, restored byte-identical"
else
	not_ok "rs_clean_path, unchanged WOF file: exit $rc"; sed 's/^/#   /' "$T/cp.out"
fi
umount "$mnt"
t_done
