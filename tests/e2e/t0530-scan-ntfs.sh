#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue scan on an ntfs-3g mount: the planted set plus an alternate data
# stream is detected exactly, with streams_interface=windows and with the
# default xattr interface; junctions (ntfs-3g symlinks, a loop among them) are
# not followed; a quarantined stream leaves its file in place and comes back
# on restore, as a stream and not as a file named FILE:STREAM, with either
# interface (judged by ntfscat and ntfsls on the unmounted image).
# shellcheck disable=SC2016 # sh -c scripts take their arguments as $1...
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

img=$T/ntfs.img mnt=$T/mnt
t_ntfs_mount "$img" "$mnt" 64M streams_interface=windows
mkdir -p "$mnt/Windows/System32/config" "$mnt/Users/Pat/Documents"
: >"$mnt/Windows/System32/config/SYSTEM"
sh "$TOP/tests/samples/plant.sh" "$mnt" "$T/planted"
# The alternate-data-stream sample, as tests/samples/README.md tells the image builder.
echo 'quarterly report' >"$mnt/Users/Pat/Documents/report.txt"
# shellcheck disable=SC2016 # the $ signs are EICAR's own characters
printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' \
	>"$mnt/Users/Pat/Documents/report.txt:Zone.Identifier"
{ cat "$T/planted"; printf 'Users/Pat/Documents/report.txt:Zone.Identifier\tEICAR_Test_File,hash:EICAR-Test-File\n'; } |
	LC_ALL=C sort >"$T/want"

detections() {
	jq -r 'select(.type == "detection") | [(.path + (if .stream then ":" + .stream else "" end)), (.rules | join(","))] | @tsv' "$1" |
		LC_ALL=C sort
}
check_scan() {	# check_scan LABEL
	"$RESCUE" --root "$mnt" --json scan >"$T/s.jsonl" 2>"$T/s.err"; rc=$?
	detections "$T/s.jsonl" >"$T/got"
	if [ $rc -eq 1 ] && cmp -s "$T/want" "$T/got"; then
		ok "$1: detections equal the planted set + the stream ($(wc -l <"$T/want"))"
	else
		not_ok "$1: exit $rc, detections differ"; diff "$T/want" "$T/got" | sed 's/^/#   /'; sed 's/^/#   /' "$T/s.err"
	fi
	n=$(jq -r 'select(.type=="summary") | .link_not_followed' "$T/s.jsonl")
	if [ "$n" -ge 2 ]; then ok "$1: $n junctions/links listed, not followed"; else not_ok "$1: links $n"; fi
}
check_scan "streams_interface=windows"
umount "$mnt"
ntfs-3g "$img" "$mnt" || { not_ok "ntfs-3g remount"; exit 1; }
check_scan "streams_interface=xattr (default)"
umount "$mnt"

# Quarantine the stream, then restore it, on a plain `ntfs-3g` mount (its
# default streams_interface=xattr, as a technician mounts it for --root).
ntfs-3g "$img" "$mnt"
"$RESCUE" --root "$mnt" --json scan --quarantine Users/Pat/Documents >"$T/q.jsonl" 2>&1
if [ "$(cat "$mnt/Users/Pat/Documents/report.txt")" = 'quarterly report' ] &&
	! /usr/bin/python3 -c 'import os, sys; os.getxattr(sys.argv[1], "user.Zone.Identifier")' \
		"$mnt/Users/Pat/Documents/report.txt" 2>/dev/null; then
	ok "the quarantined stream is gone, its file stays"
else
	not_ok "stream quarantine"; sed 's/^/#   /' "$T/q.jsonl"
fi
id=$("$RESCUE" --root "$mnt" --json quarantine list | jq -r 'select(.stream == "Zone.Identifier") | .id')
expect "quarantine restore of the stream" "$RESCUE" --root "$mnt" quarantine restore "$id"
umount "$mnt"
if [ "$(ntfscat -n Zone.Identifier "$img" Users/Pat/Documents/report.txt 2>/dev/null | sha256sum | cut -c1-64)" = \
	275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f ]; then
	ok "ntfscat reads the restored stream byte-identical from the image"
else
	not_ok "ntfscat: restored stream differs"
fi
expect "ntfsls: the restore made no file named report.txt:Zone.Identifier" \
	sh -c '! ntfsls -p /Users/Pat/Documents "$1" | grep -q :' - "$img"

# Quarantine it again; `undo quarantine` puts it back (and notes the first
# quarantine, restored by hand above, as already back).
ntfs-3g -o streams_interface=windows "$img" "$mnt"
"$RESCUE" --root "$mnt" scan --quarantine Users/Pat/Documents >/dev/null 2>&1
"$RESCUE" --root "$mnt" --yes --json undo quarantine >"$T/u.json" 2>&1
expect "undo quarantine: the stream restored, the earlier one noted as already back" test "$(jq -r \
	'[.steps[] | select(.what == "Users/Pat/Documents/report.txt:Zone.Identifier" and .ok) | .restored[0:13]] | join(",")' \
	"$T/u.json")" = "original byte,(already back"
umount "$mnt"
if [ "$(ntfscat -n Zone.Identifier "$img" Users/Pat/Documents/report.txt 2>/dev/null | sha256sum | cut -c1-64)" = \
	275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f ]; then
	ok "ntfscat reads the stream put back by undo byte-identical from the image"
else
	not_ok "ntfscat: stream put back by undo differs"
fi
t_done
