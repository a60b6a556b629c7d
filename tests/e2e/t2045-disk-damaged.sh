#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A damaged Windows volume (issue 14): the "damaged" test disk (build.sh,
# ntfsdamage.py, ntfsdirlink) has a folder whose first index block fails its
# multi-sector fixup, a file 32 KiB long in the MFT with 8 KiB of data, and a
# folder loop (Desktop/back, a second name of the user's folder); ntfsls,
# ntfscat and ntfsinfo (not ours) show all three.  `rescue --disk IMG scan`,
# read directly (its default) and through the mount: no crash, no hang (under
# timeout), each damaged place named on one line, the loop named and nothing
# read twice through it, every other file scanned (find on an ntfs-3g mount
# counts them) and every planted sample detected once; `auto` then says
# YELLOW, the places named in the report.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/fuse ] || ! command -v ntfs-3g >/dev/null; then
	skip "a damaged volume" "needs root, /dev/fuse and ntfs-3g"; t_done; exit
fi
export RESCUE_RUNDIR="$T/run"
img=$T/damaged.img
t_image damaged "$img" || { not_ok "build the damaged image"; t_done; exit 1; }
user=Users/AndrewRathbun
archive=$user/Documents/Archive statement=$user/Desktop/statement.pdf

# ---- the damage, as ntfs-3g's own tools see it ----
loop=$(losetup -f --show -o "$(sfdisk -q -l -o Start "$img" | awk 'NR == 2 { print $1 * 512 }')" "$img")
t_on_exit "umount '$T/mnt' 2>/dev/null; losetup -d '$loop' 2>/dev/null"
if ntfsls "$loop" -p "/$archive" 2>&1 | grep -q 'Incomplete multi-sector transfer'; then
	ok "ntfsls: the Archive folder's index block fails its fixup"
else
	not_ok "ntfsls lists the Archive folder: the image is not damaged"
fi
got=$(ntfscat "$loop" "/$statement" 2>/dev/null | wc -c)
sizes=$(ntfsinfo -F "/$statement" "$loop" 2>/dev/null | awk -F'\t+' '/^\tData size:|^\tAllocated size:/ { split($3, v, " "); print v[1] }' | tail -2 | tr '\n' ' ')
if [ "$got" -eq 8192 ] && [ "$sizes" = "32768 8192 " ]; then
	ok "ntfscat reads 8192 bytes of statement.pdf, ntfsinfo: data size 32768, allocated 8192"
else
	not_ok "statement.pdf: ntfscat $got bytes, ntfsinfo sizes '$sizes'"
fi
inode() { ntfsinfo -F "$1" "$loop" 2>/dev/null | sed -n 's/^Dumping Inode \([0-9]*\).*/\1/p'; }
if ntfsls "$loop" -p "/$user/Desktop" 2>/dev/null | grep -qx back && [ -n "$(inode "/$user")" ] &&
	[ "$(inode "/$user/Desktop/back")" = "$(inode "/$user")" ]; then
	ok "ntfsls, ntfsinfo: Desktop/back is the user's folder again (inode $(inode "/$user"))"
else
	not_ok "no folder loop at Desktop/back"
fi
# every regular file ntfs-3g can list (the Archive folder's cannot be)
mkdir -p "$T/mnt"
ntfs-3g -o ro "$loop" "$T/mnt" || { not_ok "ntfs-3g mount"; t_done; exit 1; }
listed=$(find "$T/mnt" -path "$T/mnt/$user/Desktop/back" -prune -o -type f -print 2>/dev/null | wc -l)
umount "$T/mnt"
losetup -d "$loop"

# ---- scan, read directly and through the mount ----
for how in auto mount; do
	timeout 300 "$RESCUE" --disk "$img" --json scan --read "$how" >"$T/$how.jsonl" 2>"$T/$how.err"; rc=$?
	timeout 300 "$RESCUE" --disk "$img" scan --read "$how" >"$T/$how.txt" 2>&1; trc=$?
	read=$(jq -r 'select(.type == "summary") | .read' "$T/$how.jsonl")
	if [ $rc -eq 1 ] && [ $trc -eq 1 ]; then
		ok "scan ($read): ends, exit 1 (detections), no crash, no hang"
	else
		not_ok "scan --read $how: exit $rc (JSON), $trc (text)"; sed 's/^/#   /' "$T/$how.err"
	fi
	places=$(jq -r 'select(.type == "skipped" and .reason == "unreadable") | .path' "$T/$how.jsonl" | tr '\n' ' ')
	lines=$(grep -c -e "^SKIPPED  $archive  (unreadable: " -e "^SKIPPED  $statement  (unreadable: " "$T/$how.txt")
	if [ "$places" = "$statement $archive " ] && [ "$lines" -eq 2 ]; then
		ok "scan ($read): the damaged folder and file named, one line each"
	else
		not_ok "scan ($read): unreadable '$places', $lines SKIPPED lines"; grep '^SKIPPED' "$T/$how.txt" | sed 's/^/#   /'
	fi
	loops=$(jq -r 'select(.type == "skipped" and .reason == "directory loop") | .path' "$T/$how.jsonl" | tr '\n' ' ')
	twice=$(jq -r 'select(.type == "detection") | .path' "$T/$how.jsonl" | grep -c '/back/')
	if [ "$loops" = "$user/Desktop/back " ] && [ "$twice" -eq 0 ]; then
		ok "scan ($read): the folder loop named once, nothing read through it"
	else
		not_ok "scan ($read): loops '$loops', $twice detections through Desktop/back"
	fi
	# Read directly, the damaged file's 8 KiB are scanned (a file), and the
	# OneDrive folder the mount cannot enter is read too (t0545).
	files=$(jq -r 'select(.type == "summary") | .files' "$T/$how.jsonl")
	if { [ "$how" = mount ] && [ "$files" -eq $((listed - 1)) ]; } ||
		{ [ "$how" = auto ] && [ "$files" -ge "$listed" ]; }; then
		ok "scan ($read): every other file scanned ($files files; ntfs-3g lists $listed)"
	else
		not_ok "scan ($read): $files files scanned, ntfs-3g lists $listed"
	fi
	jq -r 'select(.type == "detection") | .path + (if .stream then ":" + .stream else "" end)' "$T/$how.jsonl" \
		>"$T/$how.detected"
	missed=0
	while IFS="$(printf '\t')" read -r path _; do
		# the mount shows the OneDrive folder as a broken link (t0545)
		case $how/$path in mount/*/OneDrive/*) continue ;; esac
		grep -qxF "$path" "$T/$how.detected" || { missed=$((missed + 1)); echo "# not detected: $path"; }
	done <"$img.manifest"
	expect "scan ($read): every planted sample detected once ($missed missed)" \
		test "$missed" -eq 0 -a "$(sort "$T/$how.detected" | uniq -d | wc -l)" -eq 0
done
if [ "$(jq -r 'select(.type == "summary") | .read' "$T/auto.jsonl")" = "ntfs-3g direct" ]; then
	ok "scan --disk reads directly by default"
else
	not_ok "scan --disk did not read directly: $(jq -r 'select(.type == "summary") | .read_note' "$T/auto.jsonl")"
fi

# ---- the unattended run: an incomplete scan is YELLOW ----
printf 'reports_dir = %s\n' "$T/rep" >"$T/auto.conf"
timeout 300 "$RESCUE" --disk "$img" auto --config "$T/auto.conf" >"$T/run.out" 2>&1; rc=$?
json=""
for f in "$T"/rep/*.json; do [ -f "$f" ] && json=$f; done
if [ $rc -eq 4 ] && grep -q '^rescue: VERDICT YELLOW ' "$T/run.out" && [ -n "$json" ] &&
	[ "$(jq -r '.verdict' "$json")" = YELLOW ] &&
	[ "$(jq -r '.steps[] | select(.step == "scan") | .status' "$json")" = failed ] &&
	[ "$(jq -r '.notes[]' "$json" | grep -c -e "^not scanned: $archive (unreadable" -e "^not scanned: $statement (unreadable")" -eq 2 ]; then
	ok "auto: exit 4, verdict YELLOW, the scan step failed, both places named in the report"
else
	not_ok "auto: exit $rc"; sed 's/^/#   /' "$T/run.out" | tail -5
fi
# the scan went through the volume: the verdict says incomplete, not "not scanned"
expect "auto: the YELLOW means incomplete, not that no scan finished" \
	sh -c "jq -r '.meaning' '$json' | grep -q '^incomplete: ' && ! grep -q 'not scanned: no scan finished' '$T/run.out'"
t_done
