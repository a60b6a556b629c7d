#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Reparse points on a Windows 10 disk, as the technician meets them: a
# OneDrive folder (ntfs-3g shows it as a broken link) holding a file kept on
# the device, an online-only placeholder and a plain subfolder; a junction, an
# app execution alias, a WSL FIFO and a deduplicated file.
#  - the direct read scans inside the OneDrive folder and finds both planted
#    samples (the yara CLI agrees on their bytes); each other reparse point is
#    listed with what it is and why it was not read;
#  - the mount read says the OneDrive folder could not be read, not "link";
#  - `scan PATH` of a file inside the OneDrive folder finds it (read directly);
#  - quarantine through the mount sets the folder's reparse point aside for
#    the move and puts it back byte for byte (ntfsinfo on the image), and
#    restore brings both files back byte-identical (ntfscat).
# shellcheck disable=SC2016 # sh -c scripts take their arguments as $1...
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

img=$T/ntfs.img mnt=$T/mnt
# special_files=wsl: ntfs-3g makes a FIFO the way WSL does, a reparse point.
t_ntfs_mount "$img" "$mnt" 32M special_files=wsl
od=Users/Bob/OneDrive apps=Users/Bob/AppData/Local/Microsoft/WindowsApps
mkdir -p "$mnt/Windows/System32/config" "$mnt/$od/Documents" "$mnt/$apps" "$mnt/Documents and Settings" "$mnt/Users/Bob/wsl"
: >"$mnt/Windows/System32/config/SYSTEM"
# shellcheck disable=SC2016 # the $ signs are EICAR's own characters
printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' >"$T/eicar.com"
cp "$T/eicar.com" "$mnt/$od/Documents/invoice.com"
cp "$T/eicar.com" "$mnt/$od/kept.com"
echo 'minutes of the meeting' >"$mnt/$od/Documents/minutes.txt"
truncate -s 300000 "$mnt/$od/online.docx"         # sparse: nothing on the disk
: >"$mnt/$apps/winget.exe"
mkfifo "$mnt/Users/Bob/wsl/fifo"
cp "$T/eicar.com" "$mnt/Users/Bob/dedup.bin"
# The reparse points, set through ntfs-3g's system.ntfs_reparse_data (values: MS-FSCC 2.1.2.1).
PATH=/usr/bin:$PATH python3 - "$mnt" "$od" "$apps" <<'EOF' || not_ok "set the reparse points"
import os, struct, sys
mnt, od, apps = sys.argv[1:4]
def reparse(rel, tag, data=b'\x01\x00\x00\x00\x00\x00\x00\x00'):
    os.setxattr(os.path.join(mnt, rel), 'system.ntfs_reparse_data',
                struct.pack('<IHH', tag, len(data), 0) + data, follow_symlinks=False)
cloud = 0x9000701a                                  # OneDrive (CLOUD_7)
reparse(od + '/kept.com', cloud)
reparse(od + '/online.docx', cloud)
reparse(od, cloud)
reparse(apps + '/winget.exe', 0x8000001b)           # app execution alias
reparse('Users/Bob/dedup.bin', 0x80000013)          # Data Deduplication
sub, prn = '\\??\\C:\\Users'.encode('utf-16-le'), 'C:\\Users'.encode('utf-16-le')
path = sub + b'\0\0' + prn + b'\0\0'
reparse('Documents and Settings', 0xa0000003,       # junction
        struct.pack('<HHHH', 0, len(sub), len(sub) + 2, len(prn)) + path)
EOF
umount "$mnt"
ntfsinfo -F "$od" "$img" 2>/dev/null | sed -n 's/^[[:space:]]*Data:[[:space:]]*//p' >"$T/od-reparse.before"
ntfs-3g "$img" "$mnt" || { not_ok "ntfs-3g remount"; exit 1; }

printf '%s\n' "$od/Documents/invoice.com" "$od/kept.com" >"$T/want"
detections() { jq -r 'select(.type == "detection") | .path' "$1" | LC_ALL=C sort; }
starts() { case $2 in "$1"*) return 0 ;; esac; return 1; }   # starts PREFIX TEXT
skip_of() { jq -r --arg p "$2" 'select(.type == "skipped" and .path == $p) | .reason + ": " + .detail' "$1"; }

"$RESCUE" --root "$mnt" --json scan --read direct >"$T/d.jsonl" 2>"$T/d.err"; rc=$?
detections "$T/d.jsonl" >"$T/got"
if [ $rc -eq 1 ] && cmp -s "$T/want" "$T/got"; then
	ok "direct read: both samples inside the OneDrive folder detected, nothing else"
else
	not_ok "direct read: exit $rc"; diff "$T/want" "$T/got" | sed 's/^/#   /'; sed 's/^/#   /' "$T/d.err"
fi
if command -v yara >/dev/null; then
	expect "yara CLI: the same rules match the sample's bytes" sh -c \
		'yara -C "$1" "$2" | grep -q EICAR_Test_File' - "$TOP/build/rules/compiled.yarc" "$T/eicar.com"
else
	skip "yara CLI: the same rules match the sample's bytes" "yara not installed (tests/deps.sh)"
fi
expect "direct read: the online-only file is named as such" starts \
	"reparse point: OneDrive (cloud) file or folder (reparse tag 0x9000701a): online-only" "$(skip_of "$T/d.jsonl" "$od/online.docx")"
expect "direct read: the deduplicated file is named as such" starts \
	"reparse point: deduplicated by Windows Server (reparse tag 0x80000013)" "$(skip_of "$T/d.jsonl" Users/Bob/dedup.bin)"
expect "direct read: the app execution alias is a link, not followed" test \
	"$(skip_of "$T/d.jsonl" "$apps/winget.exe")" = \
	"link not followed: app execution alias (reparse tag 0x8000001b): not followed"
expect "direct read: the junction is named as one" test \
	"$(skip_of "$T/d.jsonl" "Documents and Settings")" = \
	"link not followed: junction (reparse tag 0xa0000003): not followed"
expect "direct read: the WSL FIFO is a special file" starts \
	"special file: WSL FIFO (reparse tag 0x80000024)" "$(skip_of "$T/d.jsonl" Users/Bob/wsl/fifo)"
expect "direct read: summary counts 2 reparse points not read, 0 unreadable" test \
	"$(jq -r 'select(.type == "summary") | "\(.reparse_point) \(.unreadable)"' "$T/d.jsonl")" = "2 0"

"$RESCUE" --root "$mnt" --json scan --read mount >"$T/m.jsonl" 2>"$T/m.err"; rc=$?
expect "mount read: no detection (exit 0): the mount cannot open the OneDrive folder" test "$rc" -eq 0
expect "mount read: ... and says so for the folder, not 'link'" test "$(skip_of "$T/m.jsonl" "$od")" = \
	"reparse point: OneDrive (cloud) file or folder (reparse tag 0x9000701a): the ntfs-3g mount cannot read it"

# A path inside the OneDrive folder, as the scan reported it (the UI scans a
# detection again by its path to quarantine it): the mount cannot find it.
"$RESCUE" --root "$mnt" --json scan "$od/Documents/invoice.com" >"$T/p.jsonl" 2>"$T/p.err"; rc=$?
expect "scan PATH inside the OneDrive folder: read directly, detected (exit 1)" test \
	"$rc $(detections "$T/p.jsonl")" = "1 $od/Documents/invoice.com"
"$RESCUE" --root "$mnt" --json scan "$od/Documents/none.com" >/dev/null 2>"$T/p.err"; rc=$?
expect "scan PATH inside the OneDrive folder that is not there: exit 2, one line" sh -c \
	'[ "$1" -eq 2 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "none.com: No such file" "$2"' - "$rc" "$T/p.err"
"$RESCUE" --root "$mnt" --json scan --read mount "$od/Documents/invoice.com" >/dev/null 2>&1; rc=$?
expect "scan --read mount PATH inside the OneDrive folder: exit 2 (the mount cannot reach it)" test "$rc" -eq 2

"$RESCUE" --root "$mnt" --yes --json scan --quarantine >"$T/q.jsonl" 2>"$T/q.err"
n=$(jq -r 'select(.type == "detection") | .action' "$T/q.jsonl" | grep -c '^quarantined as ')
expect "quarantine: both files in the OneDrive folder quarantined (through the mount)" test "$n" -eq 2
expect "quarantine: the folder's reparse point was backed up first" sh -c \
	'ls "$1"/Rescue/backup/*/reparse/Users_Bob_OneDrive.bin' - "$mnt"
umount "$mnt"
ntfsinfo -F "$od" "$img" 2>/dev/null | sed -n 's/^[[:space:]]*Data:[[:space:]]*//p' >"$T/od-reparse.after"
expect "ntfsinfo: the OneDrive folder's reparse data is byte for byte what it was" sh -c \
	'[ -s "$1" ] && cmp "$1" "$2"' - "$T/od-reparse.before" "$T/od-reparse.after"
expect "ntfsls: both files are gone from the OneDrive folder, the rest stays" test \
	"$(ntfsls -p "/$od" "$img" | grep -v '^\.' | LC_ALL=C sort | tr '\n' ' ')" = "Documents online.docx "

ntfs-3g "$img" "$mnt"
"$RESCUE" --root "$mnt" --json quarantine list | jq -r '.id' >"$T/ids"
while read -r id; do "$RESCUE" --root "$mnt" quarantine restore "$id" >>"$T/r.out" 2>&1 || echo "restore $id failed" >>"$T/r.out"; done <"$T/ids"
expect "quarantine restore: both back" test "$(grep -c '^restored ' "$T/r.out")" -eq 2
umount "$mnt"
for f in "$od/kept.com" "$od/Documents/invoice.com"; do
	expect "ntfscat: $f is back byte-identical" sh -c 'ntfscat "$1" "$2" | cmp -s - "$3"' - "$img" "$f" "$T/eicar.com"
done
ntfsinfo -F "$od" "$img" 2>/dev/null | sed -n 's/^[[:space:]]*Data:[[:space:]]*//p' >"$T/od-reparse.after"
expect "ntfsinfo: after the restores, the folder's reparse data is still what it was" \
	cmp "$T/od-reparse.before" "$T/od-reparse.after"
t_done
