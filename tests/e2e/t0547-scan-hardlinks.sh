#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A file with several names (hard links) is read once (issue 14 item 2): on a
# --root tree and on the win10-gpt test disk's Windows volume (links made
# through the ntfs-3g mount, read directly and through the mount), 50 clean
# files with one extra name each give the summary's files = distinct inodes
# and names = every name (counted by find); a planted sample with two names
# is detected once, naming both, and `scan --quarantine` removes both names,
# `quarantine restore` puts both back as one file (stat's link count and
# inode; ntfsls and ntfscat on the unmounted volume).  A folder bound onto
# its own subfolder (a directory loop) ends the walk with the loop named.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

summary() { jq -r "select(.type == \"summary\") | $2" "$1"; }
# EICAR, built here (its $ signs are its own characters).
# shellcheck disable=SC2016
eicar() { printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'; }

# plant ROOT: 50 clean files with a second name each, and the sample with two.
plant() {
	mkdir -p "$1/Users/Pat/Desktop" "$1/ProgramData/cache" "$1/Windows/Temp/links"
	i=0
	while [ $i -lt 50 ]; do
		i=$((i + 1))
		echo "clean file $i" >"$1/ProgramData/cache/f$i.txt"
		ln "$1/ProgramData/cache/f$i.txt" "$1/Windows/Temp/links/l$i.txt"
	done
	eicar >"$1/Users/Pat/Desktop/invoice.com"
	ln "$1/Users/Pat/Desktop/invoice.com" "$1/ProgramData/cache/svc.com"
}

# check_counts LABEL ROOT JSONL: files and names as find counts them.  The
# direct read also sees into the OneDrive folder, which find cannot enter
# (t0545): there the names beyond the files are compared.
check_counts() {
	files=$(find "$2" -path "$2/Rescue" -prune -o -type f -printf '%i\n' | sort -u | wc -l)
	names=$(find "$2" -path "$2/Rescue" -prune -o -type f -print | wc -l)
	sf=$(summary "$3" .files) sn=$(summary "$3" .names)
	if [ "$(summary "$3" .read)" = "ntfs-3g direct" ] && [ "$sf" -ge "$files" ]; then
		names=$((names + sf - files)) files=$sf
	fi
	if [ "$sf" -eq "$files" ] && [ "$sn" -eq "$names" ] && [ $((names - files)) -ge 51 ]; then
		ok "$1: $files files read once each, $names names counted (find agrees)"
	else
		not_ok "$1: summary files $sf names $sn, find: $files files, $names names"
	fi
}

# check_detection LABEL JSONL: one detection of the sample, naming both names.
check_detection() {
	n=$(jq -r 'select(.type == "detection") | .path' "$2" | wc -l)
	both=$(jq -r 'select(.type == "detection") | .names | sort | join(" ")' "$2")
	if [ "$n" -eq 1 ] && [ "$both" = "ProgramData/cache/svc.com Users/Pat/Desktop/invoice.com" ]; then
		ok "$1: one detection, listing both names"
	else
		not_ok "$1: $n detections, names '$both'"
	fi
}

# ---- a --root tree ----
root=$T/vol
sh "$TOP/tests/fixtures/mktree.sh" win10 "$root" >/dev/null
plant "$root"
"$RESCUE" --root "$root" --json scan >"$T/tree.jsonl" 2>"$T/tree.err"
check_counts "tree" "$root" "$T/tree.jsonl"
check_detection "tree" "$T/tree.jsonl"
"$RESCUE" --root "$root" scan >"$T/tree.txt" 2>&1
if grep -q "^scanned $(summary "$T/tree.jsonl" .files) files ($(summary "$T/tree.jsonl" .names) names)" "$T/tree.txt"; then
	ok "tree: the text summary says N files (M names)"
else
	not_ok "tree: text summary"; sed 's/^/#   /' "$T/tree.txt" | tail -3
fi
"$RESCUE" --root "$root" --json scan --quarantine >"$T/tq.jsonl" 2>"$T/tq.err"
if [ ! -e "$root/Users/Pat/Desktop/invoice.com" ] && [ ! -e "$root/ProgramData/cache/svc.com" ] &&
	jq -s -e '[.[] | select(.type == "detection")] | length == 1 and (.[0].action | startswith("quarantined as"))' \
		"$T/tq.jsonl" >/dev/null; then
	ok "tree: scan --quarantine removes both names"
else
	not_ok "tree: a name is left"; sed 's/^/#   /' "$T/tq.err"
fi
id=$(jq -r 'select(.type == "detection") | .action' "$T/tq.jsonl" | sed 's/^quarantined as //')
"$RESCUE" --root "$root" quarantine restore "$id" >"$T/tr.out" 2>&1
a=$(stat -c '%h %i' "$root/Users/Pat/Desktop/invoice.com" 2>/dev/null)
b=$(stat -c '%h %i' "$root/ProgramData/cache/svc.com" 2>/dev/null)
if [ -n "$a" ] && [ "$a" = "$b" ] && [ "${a%% *}" = 2 ] && eicar | cmp -s - "$root/ProgramData/cache/svc.com"; then
	ok "tree: restore puts both names back as one file (link count 2, one inode)"
else
	not_ok "tree: restore: '$a' '$b'"; sed 's/^/#   /' "$T/tr.out"
fi

# ---- a directory loop: a folder bound onto its own subfolder ----
if [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$root/Users/Pat/loop"
	if mount --bind "$root/Users" "$root/Users/Pat/loop" 2>/dev/null; then
		t_on_exit "umount '$root/Users/Pat/loop' 2>/dev/null"
		timeout 120 "$RESCUE" --root "$root" --json scan >"$T/loop.jsonl" 2>"$T/loop.err"; rc=$?
		where=$(jq -r 'select(.type == "skipped" and .reason == "directory loop") | .path' "$T/loop.jsonl")
		if [ $rc -ne 124 ] && [ "$where" = "Users/Pat/loop" ]; then
			ok "a directory loop: the walk ends (exit $rc) and names it ($where)"
		else
			not_ok "a directory loop: exit $rc, named '$where'"
		fi
		umount "$root/Users/Pat/loop"
	else
		skip "a directory loop" "mount --bind refused"
	fi
else
	skip "a directory loop" "needs root for mount --bind"
fi

# ---- the win10-gpt test disk's Windows volume ----
img=$T/disk.img mnt=$T/mnt loop=""   # loop: set by t_win_mount
# The Windows partition, read-write: the test adds files through ntfs-3g.
t_win_mount win10-gpt "$img" "$mnt"
plant "$mnt"
for how in direct mount; do
	"$RESCUE" --root "$mnt" --json scan --read "$how" >"$T/$how.jsonl" 2>"$T/$how.err"
	# The planted test infections beside ours are detections too: only ours is checked.
	jq -c 'select(.type != "detection" or (.path | test("invoice|svc")))' "$T/$how.jsonl" >"$T/$how.ours"
	check_counts "NTFS, read $how" "$mnt" "$T/$how.jsonl"
	check_detection "NTFS, read $how" "$T/$how.ours"
done
"$RESCUE" --root "$mnt" --json scan --quarantine Users/Pat/Desktop ProgramData/cache >"$T/nq.jsonl" 2>"$T/nq.err"
id=$(jq -r 'select(.type == "detection") | .action' "$T/nq.jsonl" | sed 's/^quarantined as //')
umount "$mnt"
ls1=$(ntfsls "$loop" -p /Users/Pat/Desktop 2>&1; ntfsls "$loop" -p /ProgramData/cache 2>&1)
if [ -n "$id" ] && ! printf '%s\n' "$ls1" | grep -qE '^(invoice|svc)\.com$'; then
	ok "NTFS: scan --quarantine removes both names (ntfsls)"
else
	not_ok "NTFS: quarantine '$id'"; sed 's/^/#   /' "$T/nq.err"
fi
ntfs-3g "$loop" "$mnt" || { not_ok "ntfs-3g remount"; t_done; exit 1; }
"$RESCUE" --root "$mnt" quarantine restore "$id" >"$T/nr.out" 2>&1
a=$(stat -c '%h %i' "$mnt/Users/Pat/Desktop/invoice.com" 2>/dev/null)
b=$(stat -c '%h %i' "$mnt/ProgramData/cache/svc.com" 2>/dev/null)
umount "$mnt"
eicar >"$T/e"
if [ -n "$a" ] && [ "$a" = "$b" ] && [ "${a%% *}" = 2 ] &&
	ntfscat "$loop" /Users/Pat/Desktop/invoice.com | cmp -s - "$T/e" &&
	ntfscat "$loop" /ProgramData/cache/svc.com | cmp -s - "$T/e"; then
	ok "NTFS: restore puts both names back as one file (link count 2, one MFT record; ntfscat)"
else
	not_ok "NTFS: restore: '$a' '$b'"; sed 's/^/#   /' "$T/nr.out"
fi
t_done
